"""Exceptions and warnings raised by :mod:`habitat`.

Every exception derives from :class:`HabitatError` *and* from the built-in
exception a caller would naturally catch (as rasterio does), so that
``except ValueError`` keeps working while ``except habitat.core.errors.HabitatError``
catches everything this package raises on purpose.

Messages follow one rule: say **what** was wrong, **where** (file, row,
individual, layer) and **how to fix it**. :func:`where` formats the location
part consistently.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "CRSError",
    "CRSMismatchError",
    "ColumnError",
    "ConfigError",
    "ConvergenceError",
    "CoordinateError",
    "DataFileError",
    "DataQualityWarning",
    "DatasetNotFoundError",
    "EmptyDataError",
    "GeometryTypeError",
    "HabitatError",
    "HabitatWarning",
    "InputError",
    "InsufficientDataError",
    "MissingCRSError",
    "MissingDependencyError",
    "OutputExistsError",
    "ProjectedCRSRequiredError",
    "SchedulerError",
    "TooLargeError",
    "TimestampError",
    "UnitError",
    "where",
]


def where(
    *,
    file: object | None = None,
    layer: str | None = None,
    row: object | None = None,
    rows: Iterable[object] | None = None,
    individual: object | None = None,
    column: str | None = None,
) -> str:
    """Format the location part of an error message.

    Parameters
    ----------
    file, layer, row, rows, individual, column
        Whatever is known about where the problem is. ``rows`` may be a
        sequence; at most five are listed.

    Returns
    -------
    str
        e.g. ``"in file 'fixes.csv', row 12, individual 'Leo 3M'"``, or an
        empty string when nothing is known.

    Examples
    --------
    >>> where(file="fixes.csv", row=12, individual="Leo 3M")
    "in file 'fixes.csv', row 12, individual 'Leo 3M'"
    >>> where(column="timestamp", rows=range(1, 9))
    "column 'timestamp', rows 1, 2, 3, 4, 5 and 3 more"
    >>> where()
    ''
    """
    parts: list[str] = []
    if file is not None:
        parts.append(f"in file '{file}'")
    if layer is not None:
        parts.append(f"in layer '{layer}'")
    if column is not None:
        parts.append(f"column '{column}'")
    if row is not None:
        parts.append(f"row {row}")
    if rows is not None:
        listed = list(rows)
        shown = ", ".join(str(r) for r in listed[:5])
        more = f" and {len(listed) - 5} more" if len(listed) > 5 else ""
        parts.append(f"rows {shown}{more}")
    if individual is not None:
        parts.append(f"individual '{individual}'")
    return ", ".join(parts)


class HabitatError(Exception):
    """Base class of every error raised on purpose by :mod:`habitat`."""


class InputError(HabitatError, ValueError):
    """Input data is malformed or inconsistent.

    Examples
    --------
    Caught as a :class:`ValueError` as well as a :class:`HabitatError`:

    >>> try:
    ...     raise InputError("n_jobs must be a positive integer or None, not 0.")
    ... except ValueError as exc:
    ...     isinstance(exc, HabitatError)
    True
    >>> issubclass(ColumnError, InputError)
    True
    """


class ColumnError(InputError):
    """A required column is missing, or a column holds the wrong kind of value."""


class ConfigError(InputError):
    """A configuration (TOML file, ``ReportOptions``) has an unknown key or a bad value.

    The message names the source (file), the key path (e.g.
    ``report.method_options.kde.bandwith``), what is expected and, for a
    misspelt key, the closest valid one.
    """


class EmptyDataError(InputError):
    """The input holds no rows or no usable geometries."""


class TimestampError(InputError):
    """Timestamps are missing, unparseable or have no time zone."""


class CoordinateError(InputError):
    """Coordinates are missing, out of range or look swapped."""


class GeometryTypeError(InputError, TypeError):
    """A geometry is of the wrong type (e.g. a line where points are expected)."""


class InsufficientDataError(InputError):
    """Too little data for the requested computation (e.g. fewer than 5 fixes)."""


class TooLargeError(InputError):
    """A computation would need more cells or memory than habitat's documented limit.

    Raised, for instance, when a range is laid over a raster whose cells are so
    small that the cells it covers could not be held in memory; the message
    gives the number of cells and how to coarsen the raster.
    """


class UnitError(HabitatError, ValueError):
    """An unknown unit name or an impossible unit conversion."""


class CRSError(HabitatError, ValueError):
    """Base class of coordinate-reference-system problems.

    Raised as such for a CRS that cannot be parsed, or one that does not place
    data on the Earth's surface (geocentric, vertical, engineering, temporal).
    """


class MissingCRSError(CRSError):
    """The data declares no CRS; habitat never guesses one."""


class CRSMismatchError(CRSError):
    """Two inputs are in different CRSs where one CRS is required."""


class ProjectedCRSRequiredError(CRSError):
    """A CRS in degrees, or one that distorts areas (Web Mercator), was given."""


class DataFileError(HabitatError, OSError):
    """A file cannot be read: missing, empty, or not in the expected format."""


class DatasetNotFoundError(HabitatError, LookupError):
    """An unknown bundled dataset or layer name was asked for."""


class OutputExistsError(HabitatError, FileExistsError):
    """An output path exists and overwriting was not allowed."""


class SchedulerError(HabitatError, ConnectionError):
    """A dask scheduler address is malformed, or nothing answers at it."""


class ConvergenceError(HabitatError, ArithmeticError):
    """An iterative solver did not reach its tolerance; the message names the residual.

    Raised, for instance, by :func:`habitat.corridors.current_flow` when the
    preconditioned conjugate gradients stall on extreme resistance contrasts
    and the system is too large to factorise; never a silent number.
    """


class MissingDependencyError(HabitatError, ImportError):
    """An optional dependency is needed but not installed."""


class HabitatWarning(UserWarning):
    """Base class of warnings issued by :mod:`habitat`."""


class DataQualityWarning(HabitatWarning):
    """Data were accepted but flagged (duplicates, implausible speeds, ...)."""

"""Resistance rasters as the corridor analyses read them: one check, one convention.

Every corridor analysis (:mod:`habitat.corridors.cost`, :mod:`~habitat.corridors.circuit`,
:mod:`~habitat.corridors.linkage`) reads its resistance surface through
:func:`resistance_cells`, so that the same raster is accepted or refused with
the same message everywhere.

Conventions
-----------
* A resistance surface is a :class:`habitat.io.raster.Raster` in a projected
  CRS in metres with square, north-up cells (distances are in metres: a
  raster in degrees is refused, it is never measured in degrees).
* Resistance is unitless, finite and strictly positive where there is data;
  the cost of crossing a cell is resistance × metres ("resistance × m"), its
  conductance is 1 / resistance (Circuitscape's convention).
* No data = impassable: cells equal to the raster's ``nodata`` value, NaN
  cells and ``+inf`` cells (an infinite resistance is a common way to mark a
  barrier nothing crosses) become NaN in the array handed to the solvers.
* Zero, negative or ``-inf`` resistance is an error, never a silent
  "free" cell: a zero-cost cell would short-circuit any corridor through it.

No warning is given for a large contrast between the smallest and the largest
resistance: accumulated cost in float64 is exact for any contrast, and the
circuit solver checks its own convergence (and says so when it fails).
"""

from __future__ import annotations

import numpy as np

from habitat.core.errors import EmptyDataError, InputError, ProjectedCRSRequiredError
from habitat.io.raster import Raster

__all__ = ["conductance_cells", "resistance_cells"]

_REPROJECT_HINT = (
    "To warp it to a projected CRS with square cells in metres: "
    "`habitat.io.raster.reproject(raster, 'EPSG:32652', cell_size=100)` (UTM 52N for the "
    "leopard range; nearest-neighbour for class rasters)."
)


def resistance_cells(resistance: Raster, *, name: str = "resistance") -> tuple[np.ndarray, float]:
    """Check a resistance surface and return its cells as float64 and its cell size in m.

    Parameters
    ----------
    resistance : habitat.io.raster.Raster
        Resistance per cell (unitless, > 0 where there is data), in a projected
        CRS in metres with square, north-up cells.
    name : str
        What to call the raster in messages (e.g. ``"resistance"``, ``"surface"``).

    Returns
    -------
    values : numpy.ndarray of float64
        A new array, shape ``resistance.shape``: the resistance of each cell, NaN
        where the cell is impassable (the raster's ``nodata`` value, NaN or
        ``+inf``).
    cell_size_m : float
        Side of a cell in metres.

    Raises
    ------
    habitat.core.errors.InputError
        If ``resistance`` is not a Raster or holds booleans, if a cell has zero,
        negative or ``-inf`` resistance (the message gives how many cells, the
        first row/col and its value), or if the cells are not square/north-up.
    habitat.core.errors.EmptyDataError
        If no cell holds data.
    habitat.core.errors.ProjectedCRSRequiredError
        If the raster's CRS is in degrees (or not in metres).

    Examples
    --------
    >>> import numpy as np
    >>> from habitat.io.raster import Raster
    >>> r = Raster(np.array([[1.0, 5.0, -9999.0], [np.inf, 100.0, 1.0]]),
    ...            (30.0, 0.0, 600_000.0, 0.0, -30.0, 4_800_000.0), "EPSG:32652",
    ...            nodata=-9999.0)
    >>> values, cell = resistance_cells(r)
    >>> values
    array([[  1.,   5.,  nan],
           [ nan, 100.,   1.]])
    >>> cell
    30.0

    A zero resistance is refused, with the cell that holds it:

    >>> bad = Raster(np.array([[1.0, 0.0]]), (30.0, 0.0, 0.0, 0.0, -30.0, 0.0), "EPSG:32652")
    >>> resistance_cells(bad)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: resistance has 1 cell(s) with zero or negative resistance \
(first at row 0, col 1: 0); resistance must be > 0 where there is data. ...
    """
    if not isinstance(resistance, Raster):
        raise InputError(
            f"{name} must be a habitat.io.raster.Raster (values, transform, CRS), not "
            f"{type(resistance).__name__}; wrap an array with "
            "`Raster(array, transform, crs, nodata=...)` or read a GeoTIFF with "
            "`habitat.io.raster.read_geotiff`."
        )
    try:
        cell_size_m = resistance.cell_size_m
    except ProjectedCRSRequiredError as exc:
        raise ProjectedCRSRequiredError(f"{name}: {exc} {_REPROJECT_HINT}") from exc
    except InputError as exc:
        raise InputError(f"{name}: {exc} {_REPROJECT_HINT}") from exc
    source = resistance.array
    if source.dtype.kind == "b":
        raise InputError(
            f"{name} holds booleans ({source.dtype}); a resistance surface holds numbers > 0 "
            "(e.g. 1 for easy, 100 for hard to cross). Map classes to resistances with "
            "`habitat.corridors.resistance.resistance_surface(land_cover, table=...)`."
        )
    values = source.astype(np.float64, copy=True)
    missing = resistance.nodata_mask() | (values == np.inf)
    values[missing] = np.nan
    bad = ~missing & (values <= 0)
    if bad.any():
        n_bad = int(np.count_nonzero(bad))
        flat = int(np.flatnonzero(bad)[0])
        row, col = divmod(flat, values.shape[1])
        raise InputError(
            f"{name} has {n_bad:,} cell(s) with zero or negative resistance (first at row "
            f"{row}, col {col}: {values[row, col]:g}); resistance must be > 0 where there is "
            "data. Give those cells a small positive resistance (e.g. 1 for the easiest "
            "cover), or mark them impassable with the raster's nodata value or NaN."
        )
    if missing.all():
        raise EmptyDataError(
            f"{name} holds no data: all {values.size:,} cells are nodata "
            f"(nodata={resistance.nodata!r}), NaN or +inf. Check the nodata value and the "
            "class table that built the surface."
        )
    return values, float(cell_size_m)


def conductance_cells(resistance: Raster, *, name: str = "resistance") -> tuple[np.ndarray, float]:
    """Conductance (1 / resistance) of each cell, checked as :func:`resistance_cells` does.

    Parameters
    ----------
    resistance : habitat.io.raster.Raster
        Resistance surface (see :func:`resistance_cells`).
    name : str
        What to call the raster in messages.

    Returns
    -------
    values : numpy.ndarray of float64
        1 / resistance per cell (siemens per cell in Circuitscape's sense), NaN
        where the cell is impassable.
    cell_size_m : float
        Side of a cell in metres.

    Examples
    --------
    >>> import numpy as np
    >>> from habitat.io.raster import Raster
    >>> r = Raster(np.array([[1.0, 4.0, np.nan]]), (30.0, 0.0, 0.0, 0.0, -30.0, 0.0),
    ...            "EPSG:32652")
    >>> conductance_cells(r)
    (array([[1.  , 0.25,  nan]]), 30.0)
    """
    values, cell_size_m = resistance_cells(resistance, name=name)
    return 1.0 / values, cell_size_m

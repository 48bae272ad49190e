"""The contract between :func:`habitat.home_range` and each estimator, and shared checks.

Every estimator module exposes ``estimate(xy, *, levels, timestamps_ns=None, **options)``
taking one animal's fixes as an ``(n, 2)`` float array of planar coordinates **in
metres** (the entry point has already chosen and projected to the CRS), the
levels as fractions in (0, 1], and returning one :class:`Estimate` per level in
the order given. The entry point turns these into the common result table
(``individual``, ``sex``, ``method``, ``level``, ``n_fixes``, ``area_km2``,
``area_sq_mi``, parameters, geometry).

This module imports nothing else from :mod:`habitat.homerange`, so every other
module of the package can import it.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import numpy as np
import shapely

from habitat.core.errors import HabitatWarning, InputError, InsufficientDataError

__all__ = [
    "GRID_VOLUME_TOLERANCE",
    "MAX_CELL_PER_BANDWIDTH",
    "MIN_FIXES",
    "Estimate",
    "GridTooSmallWarning",
    "check_levels",
    "check_options",
    "check_xy",
    "grid_problems",
    "refuse_unknown_options",
]

#: Fewer fixes than this are refused by every estimator (as adehabitatHR).
MIN_FIXES = 5

#: Largest KDE cell size, in bandwidths, whose grid can be trusted. The kernel is
#: evaluated at the cell centres, so the volume one fix puts on the grid is a
#: Riemann sum of a normal density of standard deviation ``h`` with step ``c``;
#: by the Poisson summation formula it is off by up to ``2 exp(-2 pi^2 (h/c)^2)``
#: per axis, depending on where the fix falls between nodes: 6e-4 in 2-D at
#: ``c = 1.5 h`` (below the 1e-3 to which habitat checks UD volumes), but 3 % at
#: ``c = 2 h`` and 50 % at ``c = 3.1 h`` (raw GPS with outliers at grid=200). The
#: adehabitatHR default grid of the bundled demo has ``c`` = 1.2-1.3 ``h``.
MAX_CELL_PER_BANDWIDTH = 1.5

#: Slack (fraction of the UD) when a level is compared with the UD volume on a
#: grid: the 4-bandwidth truncation of adehabitatHR's kernel loses 1.3e-4 of the
#: volume, and the node sampling up to 6e-4 at :data:`MAX_CELL_PER_BANDWIDTH`,
#: so a grid holding the whole UD still reaches level 1.
GRID_VOLUME_TOLERANCE = 1e-3

P = ParamSpec("P")
R = TypeVar("R")


class GridTooSmallWarning(HabitatWarning):
    """A UD grid cannot hold a level: the UD leaves the grid, or the cells are too coarse.

    Issued by the KDE and BBMM estimators for the levels whose rows get
    ``grid_warning`` True (see :func:`grid_problems`); such rows are never
    plausible (:func:`habitat.homerange.plausibility.plausibility`).

    Examples
    --------
    With ``extent=0`` the adehabitatHR grid ends at the outermost fixes, so the
    95 % range runs into its border:

    >>> import warnings
    >>> from habitat.homerange import kde
    >>> rng = np.random.default_rng(1)
    >>> xy = rng.normal(0, 1000, (500, 2))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     (est,) = kde.estimate(xy, levels=[0.95], bandwidth_m=500.0, extent=0.0)
    >>> caught[0].category.__name__, est.params["grid_warning"]
    ('GridTooSmallWarning', True)
    >>> print(caught[0].message)
    the KDE grid is too small for level(s) [0.95]: the UD volume on the grid is 0.990 ...
    """


def grid_problems(
    level: Any,
    grid_volume: Any,
    *,
    cell_size_m: Any = None,
    bandwidth_m: Any = None,
) -> np.ndarray:
    """Why a UD grid cannot be trusted at a level, row by row (``""`` when it can).

    The one rule for KDE and BBMM grids (the estimators flag ``grid_warning``
    with it, :func:`habitat.homerange.plausibility.plausibility` spells it out):

    * the level is above the UD volume held by the grid (``grid_volume``, the
      raw volume before any normalisation, plus :data:`GRID_VOLUME_TOLERANCE`):
      no region of the grid holds that
      share of the animal's use, so the cell-count area takes in cells the UD
      never reaches and measures the grid, not the animal;
    * the cells are coarser than :data:`MAX_CELL_PER_BANDWIDTH` bandwidths
      (KDE only, when both ``cell_size_m`` and ``bandwidth_m`` are given).

    Parameters
    ----------
    level, grid_volume : float or array_like
        Level (fraction) and UD volume on the grid (fraction), per row.
    cell_size_m, bandwidth_m : float or array_like, optional
        Cell side and kernel bandwidth in metres, per row (NaN: not checked).

    Returns
    -------
    numpy.ndarray of str
        One reason per row, ``""`` for a grid that holds the level.

    Examples
    --------
    Raw GPS with outliers (capreochiz): 91.7 % of the UD on a grid of 93 km
    cells for a 29.9 km bandwidth, asked for 95 %:

    >>> print(grid_problems(0.95, 0.917, cell_size_m=93_219.0, bandwidth_m=29_912.0)[0])
    level 0.95 above the UD volume on the grid (0.917); cells of 93.2 km coarser than \
1.5 bandwidths (1.5 x 29.9 km)
    >>> grid_problems([0.5, 0.95], [0.9999, 0.9999], cell_size_m=800.0, bandwidth_m=650.0)
    array(['', ''], dtype=object)
    """
    lv = np.atleast_1d(np.asarray(level, dtype=float))
    vol = np.broadcast_to(np.asarray(grid_volume, dtype=float), lv.shape)
    out: list[list[str]] = [[] for _ in range(lv.size)]
    with np.errstate(invalid="ignore"):
        above = lv > vol + GRID_VOLUME_TOLERANCE  # NaN compares False
    for i in np.flatnonzero(above):
        out[i].append(f"level {lv[i]:g} above the UD volume on the grid ({vol[i]:.3g})")
    if cell_size_m is not None and bandwidth_m is not None:
        cs = np.broadcast_to(np.asarray(cell_size_m, dtype=float), lv.shape)
        h = np.broadcast_to(np.asarray(bandwidth_m, dtype=float), lv.shape)
        with np.errstate(invalid="ignore"):
            coarse = cs > MAX_CELL_PER_BANDWIDTH * h
        for i in np.flatnonzero(coarse):
            out[i].append(
                f"cells of {cs[i] / 1000:.3g} km coarser than {MAX_CELL_PER_BANDWIDTH:g} "
                f"bandwidths ({MAX_CELL_PER_BANDWIDTH:g} x {h[i] / 1000:.3g} km)"
            )
    return np.array(["; ".join(r) for r in out], dtype=object)


def _closest(name: str, valid: Iterable[str]) -> str:
    match = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else "."


def check_options(
    options: Iterable[str],
    valid: Iterable[str],
    *,
    where: str,
    also: Iterable[str] = (),
    note: str = "",
) -> None:
    """Refuse keyword options that ``where`` does not take, naming the valid ones.

    Parameters
    ----------
    options : iterable of str
        The keyword names given.
    valid : iterable of str
        The options accepted.
    where : str
        What refuses them, for the message (``"home_range(method='mcp')"``).
    also : iterable of str
        Other keywords, offered as close matches too.
    note : str
        Appended to the list of valid options (e.g. what the method takes).

    Raises
    ------
    InputError
        Naming the unknown keyword(s), the valid ones and a close match.

    Examples
    --------
    >>> check_options(["bandwidth_m"], ["bandwidth", "bandwidth_m", "grid"], where="KDE")
    >>> check_options(["bandwith"], ["bandwidth", "bandwidth_m", "grid"], where="KDE")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: KDE got an unknown option 'bandwith'; valid options: \
bandwidth, bandwidth_m, grid; did you mean 'bandwidth'?
    """
    valid_list = list(valid)
    unknown = [o for o in options if o not in valid_list]
    if not unknown:
        return
    listed = ", ".join(valid_list) if valid_list else "none"
    names = ", ".join(repr(o) for o in unknown)
    plural = "s" if len(unknown) > 1 else ""
    raise InputError(
        f"{where} got an unknown option{plural} {names}; valid options: {listed}"
        + (f" {note}" if note else "")
        + _closest(unknown[0], [*valid_list, *also])
    )


def refuse_unknown_options(func: Callable[P, R]) -> Callable[P, R]:
    """Make ``func`` refuse unknown keyword arguments with an InputError.

    Python would raise a bare ``TypeError``; this names the keyword, lists the
    valid ones and suggests a close match. The signature (read by
    :func:`inspect.signature`) and the docstring stay those of ``func``.

    Examples
    --------
    >>> @refuse_unknown_options
    ... def estimate(xy, *, levels, bandwidth_m=None):
    ...     return levels
    >>> estimate([], levels=[0.95])
    [0.95]
    >>> estimate([], level=0.95)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: ...estimate() got an unknown option 'level'; valid \
options: xy, levels, bandwidth_m; did you mean 'levels'?
    """
    params = inspect.signature(func).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return func
    names = [
        n
        for n, p in params.items()
        if p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    where = f"{func.__module__}.{func.__qualname__}()"

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if any(k not in names for k in kwargs):
            check_options(kwargs, names, where=where)
        return func(*args, **kwargs)

    return wrapper


def check_levels(levels: Any) -> list[float]:
    """Levels as a list of fractions in (0, 1]; the one check every estimator uses.

    Raises
    ------
    InputError
        For a missing or empty value, or values outside (0, 1] (e.g. 95).

    Examples
    --------
    >>> check_levels(0.95)
    [0.95]
    >>> check_levels((0.5, 0.95))
    [0.5, 0.95]
    >>> check_levels([50, 95])
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: levels must be fractions in (0, 1] (0.95, not 95); \
got [50.0, 95.0].
    """
    if levels is None:
        raise InputError("levels are required, e.g. levels=(0.5, 0.95).")
    items = np.ravel(np.asarray(levels, dtype=object))
    not_numbers = [
        v for v in items if isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real)
    ]
    if not_numbers:  # "0.9" and True would otherwise pass as 0.9 and 1.0
        raise InputError(
            f"levels must be numbers (fractions such as 0.95), not {not_numbers[0]!r}; "
            "e.g. levels=(0.5, 0.95)."
        )
    try:
        values = np.atleast_1d(np.asarray(levels, dtype=float))
    except (TypeError, ValueError):
        raise InputError(f"levels must be numbers (fractions), got {levels!r}.") from None
    if values.ndim != 1 or values.size == 0:
        raise InputError("levels must be a non-empty sequence of fractions, e.g. (0.5, 0.95).")
    if not (np.isfinite(values) & (values > 0) & (values <= 1)).all():
        raise InputError(
            f"levels must be fractions in (0, 1] (0.95, not 95); got {values.tolist()}."
        )
    return [float(v) for v in values]


def check_xy(xy: Any, *, method: str, min_fixes: int = MIN_FIXES) -> np.ndarray:
    """One animal's fixes as a float ``(n, 2)`` array in metres; the check every estimator uses.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Planar coordinates of the fixes, in metres.
    method : str
        The estimator named in messages (``"KDE"``, ``"LoCoH"``, ``"BBMM"``).
    min_fixes : int
        Fewest fixes accepted (default :data:`MIN_FIXES`; 0 skips the count).

    Returns
    -------
    numpy.ndarray, shape (n, 2)
        The coordinates as floats (a view when ``xy`` already is one).

    Raises
    ------
    InputError
        If ``xy`` is not numeric, not of shape (n, 2), or holds NaN or infinite
        coordinates (the message lists the first rows).
    InsufficientDataError
        For fewer than ``min_fixes`` fixes.

    Examples
    --------
    >>> check_xy([(0, 0), (1000, 0), (1000, 1000), (0, 1000), (500, 500)], method="MCP")
    array([[   0.,    0.],
           [1000.,    0.],
           [1000., 1000.],
           [   0., 1000.],
           [ 500.,  500.]])
    >>> check_xy([(0, 0), (1000, 0)], method="KDE")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InsufficientDataError: KDE needs at least 5 fixes, got 2; ...
    >>> check_xy([(0, 0), (float("nan"), 0)], method="KDE", min_fixes=0)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: KDE: xy has 1 fix(es) with missing (NaN) or infinite \
coordinates (rows 1); ...
    """
    try:
        arr = np.asarray(xy, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{method}: xy must be an (n, 2) array of numbers in metres ({exc})."
        ) from exc
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError(
            f"{method}: xy must be an (n, 2) array of planar coordinates in metres, "
            f"got shape {arr.shape}."
        )
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(bad)[:5])
        raise InputError(
            f"{method}: xy has {int(bad.sum())} fix(es) with missing (NaN) or infinite "
            f"coordinates (rows {rows}); drop or flag them before estimating a home range."
        )
    if len(arr) < min_fixes:
        raise InsufficientDataError(
            f"{method} needs at least {min_fixes} fixes, got {len(arr)}; "
            "collect more fixes or use another estimator."
        )
    return arr


@dataclass
class Estimate:
    """One animal's home range at one level.

    Attributes
    ----------
    level : float
        Fraction in (0, 1], e.g. 0.95.
    geometry : shapely.Geometry
        (Multi)Polygon in the estimation CRS (metres).
    area_m2 : float
        The method's area in m² (for KDE in adehabitatHR-compatible mode, the
        cell-count area; otherwise the polygon's area).
    params : dict
        Unit-named parameters and diagnostics to report as columns, e.g.
        ``{"bandwidth_m": 812.3, "cell_size_m": 150.0, "contour_area_km2": 48.1,
        "grid_warning": False}``.

    Examples
    --------
    Every estimator returns one per level; the MCP of a 10 km × 10 km square's
    corners and centre is the square:

    >>> from habitat.homerange import mcp
    >>> corners = [(0, 0), (10_000, 0), (10_000, 10_000), (0, 10_000), (5_000, 5_000)]
    >>> (est,) = mcp.estimate(np.array(corners, dtype=float), levels=[0.95])
    >>> est.level, est.area_m2 / 1e6, est.params
    (0.95, 100.0, {'n_fixes_kept': 5})
    >>> est.geometry.wkt
    'POLYGON ((0 0, 10000 0, 10000 10000, 0 10000, 0 0))'
    """

    level: float
    geometry: shapely.Geometry
    area_m2: float
    params: dict[str, Any] = field(default_factory=dict)

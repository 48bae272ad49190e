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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from habitat.core.errors import InputError, InsufficientDataError

__all__ = [
    "MIN_FIXES",
    "Estimate",
    "check_levels",
    "check_xy",
]

#: Fewer fixes than this are refused by every estimator (as adehabitatHR).
MIN_FIXES = 5


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

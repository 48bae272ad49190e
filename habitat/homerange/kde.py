r"""Kernel density (KDE) home ranges, reproducing adehabitatHR 0.4.22.

The utilisation distribution (UD) of one animal is the fixed-bandwidth
bivariate normal kernel density estimate (Worton 1989; Silverman 1986)

.. math::

    \hat f(g) = \frac{1}{n h^2} \sum_{i=1}^{n} K\!\left(\frac{g - x_i}{h}\right),
    \qquad K(u) = \frac{1}{2\pi} e^{-\lVert u \rVert^2 / 2},

with one bandwidth ``h`` (metres) for both axes, evaluated at the nodes of a
regular grid. As adehabitatHR's C routine ``epa`` (called by ``kernelUD``),
each fix only contributes to the nodes strictly inside the square box
``|g_x - x_i| < 4h`` and ``|g_y - y_i| < 4h``; the truncated kernel is not
renormalised. With that box the kernel is separable, so the UD on the whole grid
is one dense matrix product ``Ky.T @ Kx / (n h^2)`` with
``Kx[i, j] = phi((gx_j - x_i) / h) * [|gx_j - x_i| < 4h]`` (``phi`` the 1-D
standard normal density), computed in chunks of fixes.

Home range at level ``p`` (adehabitatHR ``getvolumeUD``, ``kernel.area``,
``getverticeshr``): the cell volumes ``UD * cell_size**2`` are ranked in
decreasing order and accumulated (as a percentage); the *area* is the number of
cells whose cumulative volume is ``<= 100 p`` times the cell area, the
*polygon* is the region of the cumulative-volume surface below ``100 p``
(contoured on the grid of cell centres).

References
----------
Worton, B. J. (1989). Kernel methods for estimating the utilization
distribution in home-range studies. Ecology 70(1), 164-168.
Silverman, B. W. (1986). Density Estimation for Statistics and Data Analysis.
Chapman & Hall.
Wand, M. P. & Jones, M. C. (1995). Kernel Smoothing. Chapman & Hall.
Calenge, C. (2006). The package adehabitat for the R software: a tool for the
analysis of space and habitat use by animals. Ecological Modelling 197,
516-519 (adehabitatHR 0.4.22: ``kernelUD``, ``getvolumeUD``, ``kernel.area``,
``getverticeshr``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

from habitat.homerange.bandwidth import (
    BANDWIDTH_METHODS,
    DEFAULT_HLIM,
    LSCVBoundaryWarning,
    bandwidth_choice,
    href,
    lscv_bandwidth,
    lscv_score,
    plugin_bandwidth,
    resolve_bandwidth_m,
)
from habitat.homerange.base import (
    GRID_VOLUME_TOLERANCE,
    MAX_CELL_PER_BANDWIDTH,
    MIN_FIXES,
    Estimate,
    GridTooSmallWarning,
    check_levels,
    check_xy,
    grid_problems,
    refuse_unknown_options,
)
from habitat.homerange.grid import (
    TRUNCATION,
    adehabitat_grid,
    filled_region,
    kernel_area,
    ud_grid,
    ud_on_grid,
    volume_percent,
)

# the bandwidth rules and the grid live in habitat.homerange.bandwidth and
# habitat.homerange.grid; their names stay importable from here
__all__ = [
    "BANDWIDTH_METHODS",
    "MAX_CELL_PER_BANDWIDTH",
    "MIN_FIXES",
    "TRUNCATION",
    "GridTooSmallWarning",
    "LSCVBoundaryWarning",
    "adehabitat_grid",
    "estimate",
    "href",
    "kde_ud",
    "kernel_area",
    "lscv_bandwidth",
    "lscv_score",
    "plugin_bandwidth",
    "volume_percent",
]

#: Raw grid volume below which the grid is deemed to miss part of the UD.
MIN_GRID_VOLUME = 0.9


def _polygon(vol: np.ndarray, xg: np.ndarray, yg: np.ndarray, pct: float) -> shapely.Geometry:
    """Region ``vol <= pct`` contoured on the nodes, as a valid (Multi)Polygon."""
    return shapely.normalize(filled_region(vol, xg, yg, pct))


@refuse_unknown_options
def kde_ud(
    xy: Any,
    *,
    bandwidth: Any = "href",
    bandwidth_m: float | None = None,
    grid: Any = 60,
    extent: float = 1.0,
    cell_size_m: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    hlim: tuple[float, float] = DEFAULT_HLIM,
    margin: float = 0.1,
) -> tuple[np.ndarray, tuple[float, float, float, float, float, float], float]:
    """Kernel UD on a grid, normalised to volume 1, ready for a :class:`~habitat.io.raster.Raster`.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres.
    bandwidth : {"href", "lscv", "plugin", "pi"}
        The bandwidth rule: :func:`href`, :func:`lscv_bandwidth`,
        :func:`plugin_bandwidth`. A number still works as ``h`` in metres but
        is deprecated: pass ``bandwidth_m``.
    bandwidth_m : float, optional
        Bandwidth ``h`` in metres, instead of a rule.
    grid : int or Raster-like
        Number of nodes on the longer side (adehabitatHR mode, with
        ``extent``), or a template with ``transform`` and ``array`` whose cells
        are used (so several animals share one grid).
    extent : float
        adehabitatHR ``extent``: the grid reaches ``extent`` times the range of
        the fixes beyond them on each side.
    cell_size_m : float, optional
        Cell size in metres: the grid covers the fixes plus
        ``4h (1 + margin)`` on each side, with cell corners on multiples of the
        cell size.
    bounds : (xmin, ymin, xmax, ymax), optional
        With ``cell_size_m``: cell corners of a fixed grid (m).
    hlim : (float, float)
        LSCV search range as factors of href.
    margin : float
        Extra border fraction in cell-size mode.

    Returns
    -------
    ud : numpy.ndarray, shape (ny, nx)
        UD (1/m²) at the cell centres, ``sum(ud) * cell**2 == 1``, row 0 north.
    transform : tuple
        ``(cell, 0, left, 0, -cell, top)`` of the cell corners.
    bandwidth_m : float

    Examples
    --------
    500 fixes from a normal distribution with σ = 1 km, h = 500 m, 100 m cells:

    >>> rng = np.random.default_rng(1)
    >>> xy = rng.normal(0, 1000, (500, 2))
    >>> ud, transform, h = kde_ud(xy, bandwidth_m=500.0, cell_size_m=100.0)
    >>> ud.shape, transform, h
    ((104, 118), (100.0, 0.0, -5800.0, 0.0, -100.0, 5400.0), 500.0)
    >>> round(float(ud.sum()) * 100.0**2, 6)  # volume 1
    1.0

    Ready for a raster:

    >>> from habitat.io.raster import Raster
    >>> raster = Raster(ud, transform, "EPSG:32652")
    >>> raster.bounds
    (-5800.0, -5000.0, 6000.0, 5400.0)
    """
    choice = bandwidth_choice(bandwidth, bandwidth_m, where="habitat.homerange.kde.kde_ud")
    arr = check_xy(xy, method="KDE")
    h = resolve_bandwidth_m(arr, choice, hlim=hlim)
    xg, yg, cs = ud_grid(
        arr,
        bandwidth_m=h,
        grid=grid,
        extent=extent,
        cell_size_m=cell_size_m,
        bounds=bounds,
        margin=margin,
    )
    ud = ud_on_grid(arr, xg, yg, bandwidth_m=h)
    total = ud.sum() * cs * cs
    if total > 0:
        ud /= total
    transform = (cs, 0.0, float(xg[0] - cs / 2), 0.0, -cs, float(yg[-1] + cs / 2))
    return ud[::-1].copy(), transform, h


def _fit(
    arr: np.ndarray,
    h: float,
    grid: Any,
    extent: float,
    cell: Any,
    bounds: Any,
    margin: float,
    standardize: bool = True,
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray, float, np.ndarray]:
    xg, yg, cs = ud_grid(
        arr, bandwidth_m=h, grid=grid, extent=extent, cell_size_m=cell, bounds=bounds, margin=margin
    )
    ud = ud_on_grid(arr, xg, yg, bandwidth_m=h)
    raw = float(ud.sum() * cs * cs)
    if standardize and raw > 0:
        ud = ud / raw
    vol = volume_percent(ud, cs)
    vol_pos = np.where(ud > 0, vol, np.inf)  # cells the UD reaches (0 beyond 4h of all fixes)
    return xg, yg, cs, vol, raw, vol_pos


def _touches_border(vol_pos: np.ndarray, pct: float) -> bool:
    """Whether a border cell with positive UD is within the ``pct`` % volume."""
    inside = vol_pos <= pct
    return bool(inside[0].any() or inside[-1].any() or inside[:, 0].any() or inside[:, -1].any())


@refuse_unknown_options
def estimate(
    xy: Any,
    *,
    levels: Sequence[float] | float,
    timestamps_ns: Any = None,
    bandwidth: Any = "href",
    bandwidth_m: float | None = None,
    grid: Any = 60,
    extent: float = 1.0,
    cell_size_m: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    grow_grid: bool = False,
    hlim: tuple[float, float] = DEFAULT_HLIM,
    margin: float = 0.1,
    max_grow: int = 10,
    standardize: bool = False,
) -> list[Estimate]:
    """KDE home ranges of one animal at each level (adehabitatHR ``kernelUD``).

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres (at least 5, not all identical, no NaN).
    levels : float or sequence of float
        Fractions in (0, 1].
    timestamps_ns : ignored
        Part of the estimator contract; the KDE ignores time.
    bandwidth, bandwidth_m, grid, extent, cell_size_m, bounds, hlim, margin
        As in :func:`kde_ud`: ``bandwidth="href"`` (default), ``"lscv"`` or
        ``"plugin"`` chooses the rule, ``bandwidth_m=750.0`` gives ``h`` in
        metres.
    grow_grid : bool
        If the grid is too small (see below), multiply ``extent`` (or, in
        cell-size mode, ``margin``) by 1.5 and refit, at most ``max_grow`` times.
    max_grow : int
        Limit of ``grow_grid``.
    standardize : bool
        ``False`` (default, as adehabitatHR's ``kernel.area`` and
        ``getverticeshr``, whose ``standardize`` defaults to ``FALSE``) ranks the
        raw volumes ``UD * cell**2`` as they are; ``True`` rescales the UD to
        volume 1 on the grid before ranking cells. The two differ only
        by the UD volume missing from the grid (``1 - grid_volume``, about
        1e-4 from the 4h truncation on an adequate grid).

    Returns
    -------
    list of Estimate
        One per level. ``area_m2`` is adehabitatHR's ``kernel.area``: the number
        of cells whose cumulative volume percentage (:func:`volume_percent`) is
        ``<= 100 * level`` (the inequality ``tmp <= o`` of ``kernel.area``)
        times the cell area, in m². ``geometry`` is the isopleth region on the
        cell centres. ``params``: ``bandwidth_m``, ``cell_size_m`` (m),
        ``grid_nodes_x``, ``grid_nodes_y``, ``contour_area_km2`` (the polygon's
        area, km²), ``grid_volume`` (UD volume on the grid before
        normalisation) and ``grid_warning``.

    Warns
    -----
    GridTooSmallWarning
        If a border cell with positive UD is within a level's volume (so the
        level's region reaches the grid edge), the raw grid volume is below
        0.9, the level is above the raw grid volume (it can never be reached:
        the area would be the grid's), or the cells are coarser than
        :data:`MAX_CELL_PER_BANDWIDTH` bandwidths (see
        :func:`habitat.homerange.base.grid_problems`); ``grid_warning`` is then
        True for that level.
    LSCVBoundaryWarning
        With ``bandwidth="lscv"`` if the minimum is at an end of the range.

    Examples
    --------
    500 fixes from a normal distribution with σ = 1 km. The true KDE of such
    data with h = 500 m is normal with variance σ² + h², so its 95 % area is
    ``2π ln 20 (σ² + h²)`` = 23.5 km² and its 50 % area ``2π ln 2 (σ² + h²)``
    = 5.4 km²; the sample comes close:

    >>> rng = np.random.default_rng(1)
    >>> xy = rng.normal(0, 1000, (500, 2))
    >>> core, outer = estimate(xy, levels=[0.5, 0.95], bandwidth_m=500.0, cell_size_m=100.0)
    >>> round(core.area_m2 / 1e6, 2), round(outer.area_m2 / 1e6, 2)
    (5.24, 22.73)
    >>> {k: outer.params[k] for k in ("bandwidth_m", "cell_size_m", "grid_warning")}
    {'bandwidth_m': 500.0, 'cell_size_m': 100.0, 'grid_warning': False}
    >>> round(outer.params["contour_area_km2"], 2)  # the polygon's own area
    22.74
    """
    choice = bandwidth_choice(bandwidth, bandwidth_m, where="habitat.homerange.kde.estimate")
    arr = check_xy(xy, method="KDE")
    lv = check_levels(levels)
    h = resolve_bandwidth_m(arr, choice, hlim=hlim)
    fixed = hasattr(grid, "transform") or bounds is not None
    ext, mar = float(extent), float(margin)
    top = max(lv) * 100.0
    for attempt in range(int(max_grow) + 1):
        xg, yg, cs, vol, raw, vol_pos = _fit(
            arr, h, grid, ext, cell_size_m, bounds, mar, standardize
        )
        small = (
            raw < MIN_GRID_VOLUME
            or top / 100.0 > raw + GRID_VOLUME_TOLERANCE
            or _touches_border(vol_pos, top)
        )
        if not (grow_grid and small and not fixed) or attempt == max_grow:
            break
        if cell_size_m is None:
            ext *= 1.5
        else:
            mar = (1.0 + mar) * 1.5 - 1.0

    problems = grid_problems(lv, raw, cell_size_m=cs, bandwidth_m=h)
    out: list[Estimate] = []
    warned: list[float] = []
    for p, problem in zip(lv, problems, strict=True):
        pct = p * 100.0
        geom = _polygon(vol, xg, yg, pct)
        flag = bool(raw < MIN_GRID_VOLUME or _touches_border(vol_pos, pct) or problem)
        if flag:
            warned.append(p)
        out.append(
            Estimate(
                level=p,
                geometry=geom,
                area_m2=kernel_area(vol, cs, p),
                params={
                    "bandwidth_m": h,
                    "cell_size_m": cs,
                    "grid_nodes_x": len(xg),
                    "grid_nodes_y": len(yg),
                    "contour_area_km2": float(shapely.area(geom)) / 1e6,
                    "grid_volume": raw,
                    "grid_warning": flag,
                },
            )
        )
    if warned:
        detail = "; ".join(sorted({str(t) for t in problems if t}))
        warnings.warn(
            f"the KDE grid is too small for level(s) {warned}: the UD volume on the grid is "
            f"{raw:.3f} and/or the home range reaches the grid border"
            + (f" ({detail})" if detail else "")
            + ", so areas cannot be trusted (grid_warning is True); increase extent "
            "(adehabitatHR's `extent`), pass grow_grid=True, or use cell_size_m=... below "
            f"{MAX_CELL_PER_BANDWIDTH:g} bandwidths ({MAX_CELL_PER_BANDWIDTH * h:.6g} m; "
            "the grid then covers the fixes plus 4 bandwidths); "
            "flag or drop outlying fixes first.",
            GridTooSmallWarning,
            stacklevel=2,
        )
    return out

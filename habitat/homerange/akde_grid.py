r"""The AKDE density on a grid: a sum of Gaussian kernels, its ranked volumes and isopleths.

The helpers of :mod:`habitat.homerange.akde` that work on the grid:

* :func:`gaussian_mass` - the probability mass of each cell of a regular
  grid under the mixture :math:`\sum_i w_i\, N(x_i, K_i)` (full 2 x 2 kernel
  covariances, correlated axes allowed), by the midpoint rule as ctmm's
  ``pnorm2`` for cells finer than the kernel (ctmm ``kde.R``);
* :func:`ranked_cumulative` - cells ranked by mass and the cumulative mass,
  ctmm's ``pmf2cdf``;
* :func:`area_at_level` and :func:`level_at_area` - the area (fractional cell
  count times the cell area) holding a probability and its inverse, linear
  between cells as ctmm's ``CI.UD`` (``interpolate``);
* :func:`isopleth` - the region of the top-ranked cells as a polygon.

Coordinates and cell sizes are metres; grid nodes (cell centres) ascend in
``x`` (columns) and ``y`` (rows), so row 0 is the south edge here.
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
import shapely
from scipy.signal import fftconvolve

from habitat.homerange.grid import filled_region

__all__ = [
    "KERNEL_REACH",
    "area_at_level",
    "cumulative_surface",
    "gaussian_mass",
    "isopleth",
    "level_at_area",
    "ranked_cumulative",
]

#: Half-width of the box (in kernel standard deviations per axis) where each
#: kernel is evaluated: the mass outside it is below ``2 * 2e-9`` per kernel.
KERNEL_REACH = 6.0


@numba.njit(cache=True, nogil=True)
def _kernel_sum(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    cxx: np.ndarray,
    cxy: np.ndarray,
    cyy: np.ndarray,
    x0: float,
    y0: float,
    cell: float,
    reach: float,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    # Row by row, a bivariate normal is a normal in x around the conditional mean
    # x_i + (cxy / cyy) dy with SD sqrt(cxx - cxy^2 / cyy), times the row's marginal
    # density in y: each row visits only the columns within ``reach`` conditional SDs,
    # and exp(-u^2 / 2) along the row is a product of ratios (two multiplications a cell).
    ny, nx = out.shape
    two_pi = 2.0 * math.pi
    for i in range(x.shape[0]):
        det = cxx[i] * cyy[i] - cxy[i] * cxy[i]
        norm = w[i] * cell * cell / (two_pi * math.sqrt(det))
        sy = math.sqrt(cyy[i])
        slope = cxy[i] / cyy[i]
        sc = math.sqrt(det / cyy[i])
        delta = cell / sc
        shrink = math.exp(-delta * delta)
        k0 = max(0, int(math.ceil((y[i] - reach * sy - y0) / cell)))
        k1 = min(ny - 1, int(math.floor((y[i] + reach * sy - y0) / cell)))
        for k in range(k0, k1 + 1):
            dy = y0 + k * cell - y[i]
            row = norm * math.exp(-0.5 * dy * dy / cyy[i])
            xc = x[i] + slope * dy
            j0 = max(0, int(math.ceil((xc - reach * sc - x0) / cell)))
            j1 = min(nx - 1, int(math.floor((xc + reach * sc - x0) / cell)))
            if j1 < j0:
                continue
            u = (x0 + j0 * cell - xc) / sc
            g = row * math.exp(-0.5 * u * u)
            r = math.exp(-u * delta - 0.5 * delta * delta)
            for j in range(j0, j1 + 1):
                out[k, j] += g
                g *= r
                r *= shrink


def gaussian_mass(
    xy: Any,
    weights: Any,
    kernel_cov_m2: Any,
    xg: np.ndarray,
    yg: np.ndarray,
    *,
    reach: float = KERNEL_REACH,
    method: str = "auto",
) -> np.ndarray:
    r"""Mass of each grid cell under the kernel mixture :math:`\sum_i w_i N(x_i, K_i)`.

    Midpoint rule: the cell's mass is the density at its centre times the
    cell area (ctmm ``pnorm2`` for cells at most a tenth of the kernel's
    width, where the rule is exact to ``z^3/12`` with ``z`` the cell size in
    kernel standard deviations). By the Poisson summation formula the total
    mass of one kernel on an unbounded grid is off by at most
    ``2 exp(-2 pi^2 (s/c)^2)`` per axis (``s`` kernel SD, ``c`` cell), 1e-85
    at ``c = s/10``. Each kernel is evaluated within ``reach`` standard
    deviations of its centre (per row, of its conditional mean).

    ``method="binned"`` (one kernel for all fixes only): the weights are
    first spread linearly onto the four nodes around each fix, then
    convolved with the kernel sampled on the grid by FFT; the linear
    spreading adds at most ``c^2 / 4`` (on average ``c^2 / 6``) to the
    kernel's variance per axis, 1/600 of it at ``c = s/10``. ``"direct"``
    sums every kernel; ``"auto"`` bins when the direct sum would visit more
    than 8 times as many cells as the grid has.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Kernel centres (fixes), metres.
    weights : array_like, shape (n,)
        Kernel weights (summing to 1 for a density).
    kernel_cov_m2 : array_like, shape (2, 2) or (n, 2, 2)
        Kernel covariance, one for all or one per kernel, m².
    xg, yg : numpy.ndarray
        Cell-centre coordinates (ascending, equally spaced by the same cell
        size on both axes), metres.
    reach : float
        Box half-width in kernel standard deviations.
    method : {"auto", "direct", "binned"}
        How the kernels are summed (see above).

    Returns
    -------
    numpy.ndarray, shape (len(yg), len(xg))
        Mass per cell (row ``k`` at ``yg[k]``); sums to ``sum(weights)`` less
        the mass off the grid.

    Examples
    --------
    One kernel of SD 1 km with correlation 0.5, 100 m cells: the mass on a
    grid 8 SD wide each way is 1, and the centre cell holds
    ``c^2 / (2 pi sqrt(det K))``:

    >>> g = np.arange(-8000.0, 8001.0, 100.0)
    >>> K = np.array([[1.0, 0.5], [0.5, 1.0]]) * 1e6
    >>> m = gaussian_mass([(0.0, 0.0)], [1.0], K, g, g)
    >>> round(float(m.sum()), 9)
    1.0
    >>> bool(np.isclose(m[80, 80], 100.0**2 / (2 * np.pi * np.sqrt(np.linalg.det(K)))))
    True
    """
    arr = np.ascontiguousarray(np.asarray(xy, dtype=float).reshape(-1, 2))
    w = np.ascontiguousarray(np.asarray(weights, dtype=float).ravel())
    cov = np.asarray(kernel_cov_m2, dtype=float)
    cell = float(xg[1] - xg[0]) if len(xg) > 1 else float(yg[1] - yg[0])
    if cov.ndim == 2 and method != "direct":
        box = (2 * reach) ** 2 * float(np.sqrt(cov[0, 0] * cov[1, 1])) / cell**2
        if method == "binned" or len(arr) * box > 8.0 * len(xg) * len(yg):
            return _binned_mass(arr, w, cov, xg, yg, cell, reach)
    if cov.ndim == 2:
        cov = np.broadcast_to(cov, (len(arr), 2, 2))
    out = np.zeros((len(yg), len(xg)))
    _kernel_sum(
        arr[:, 0].copy(),
        arr[:, 1].copy(),
        w,
        np.ascontiguousarray(cov[:, 0, 0]),
        np.ascontiguousarray(cov[:, 0, 1]),
        np.ascontiguousarray(cov[:, 1, 1]),
        float(xg[0]),
        float(yg[0]),
        cell,
        float(reach),
        out,
    )
    return out


def _binned_mass(
    arr: np.ndarray,
    w: np.ndarray,
    cov: np.ndarray,
    xg: np.ndarray,
    yg: np.ndarray,
    cell: float,
    reach: float,
) -> np.ndarray:
    """Linear binning onto the nodes, then one FFT convolution with the sampled kernel."""
    ny, nx = len(yg), len(xg)
    fx = np.clip((arr[:, 0] - xg[0]) / cell, 0.0, nx - 1.0)
    fy = np.clip((arr[:, 1] - yg[0]) / cell, 0.0, ny - 1.0)
    ix = np.minimum(np.floor(fx).astype(np.int64), max(nx - 2, 0))
    iy = np.minimum(np.floor(fy).astype(np.int64), max(ny - 2, 0))
    ax, ay = fx - ix, fy - iy
    binned = np.zeros(ny * nx)
    for sy, wy in ((0, 1.0 - ay), (1, ay)):
        for sx, wx in ((0, 1.0 - ax), (1, ax)):
            flat = np.minimum(iy + sy, ny - 1) * nx + np.minimum(ix + sx, nx - 1)
            binned += np.bincount(flat, weights=w * wy * wx, minlength=ny * nx)
    rx = int(math.ceil(reach * math.sqrt(cov[0, 0]) / cell))
    ry = int(math.ceil(reach * math.sqrt(cov[1, 1]) / cell))
    dx = np.arange(-rx, rx + 1) * cell
    dy = np.arange(-ry, ry + 1) * cell
    inv = np.linalg.inv(cov)
    q = (
        inv[0, 0] * dx[None, :] ** 2
        + 2.0 * inv[0, 1] * dx[None, :] * dy[:, None]
        + inv[1, 1] * dy[:, None] ** 2
    )
    kernel = np.exp(-0.5 * q) * cell * cell / (2.0 * math.pi * math.sqrt(np.linalg.det(cov)))
    kernel[q > reach * reach * 2.0] = 0.0
    out = fftconvolve(binned.reshape(ny, nx), kernel, mode="same")
    return np.asarray(np.clip(out, 0.0, None))


def ranked_cumulative(mass: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells ranked by decreasing mass and their cumulative mass (ctmm ``pmf2cdf``).

    Returns
    -------
    order : numpy.ndarray of int
        Flat cell indices, busiest first (ties in array order).
    cumulative : numpy.ndarray
        ``cumulative[k]`` is the mass of the ``k + 1`` busiest cells.

    Examples
    --------
    >>> order, cum = ranked_cumulative(np.array([[0.1, 0.4], [0.3, 0.2]]))
    >>> order.tolist(), cum.round(6).tolist()
    ([1, 2, 3, 0], [0.4, 0.7, 0.9, 1.0])
    """
    flat = np.asarray(mass, dtype=float).ravel()
    order = np.argsort(-flat, kind="stable")
    return order, np.cumsum(flat[order])


def cumulative_surface(mass: np.ndarray) -> np.ndarray:
    """Each cell's cumulative mass (itself and every busier cell), on the grid.

    Examples
    --------
    >>> cumulative_surface(np.array([[0.1, 0.4], [0.3, 0.2]])).round(6).tolist()
    [[1.0, 0.4], [0.7, 0.9]]
    """
    order, cum = ranked_cumulative(mass)
    out = np.empty(cum.shape)
    out[order] = cum
    return out.reshape(np.shape(mass))


def area_at_level(cumulative: np.ndarray, level: float, cell_area_m2: float) -> float:
    """Area (m²) of the busiest cells holding ``level`` of the mass, linear between cells.

    ctmm ``CI.UD``: with ``k`` the number of cells whose cumulative mass is
    below ``level``, the area is ``k + (level - C_k) / (C_{k+1} - C_k)``
    cells (``C_0 = 0``); all cells when the grid holds less than ``level``.

    Examples
    --------
    Cells of 1 m² holding 0.4, 0.3, 0.2, 0.1: half the mass is in 1 1/3 cells.

    >>> round(area_at_level(np.array([0.4, 0.7, 0.9, 1.0]), 0.5, 1.0), 6)
    1.333333
    """
    cum0 = np.concatenate([[0.0], np.asarray(cumulative, dtype=float)])
    n = len(cum0) - 1
    idx = int(np.searchsorted(cum0, level, side="left"))
    if idx <= 0:
        return 0.0
    if idx > n:
        return n * float(cell_area_m2)
    lo, hi = cum0[idx - 1], cum0[idx]
    frac = float((level - lo) / (hi - lo)) if hi > lo else 1.0
    return ((idx - 1) + frac) * float(cell_area_m2)


def level_at_area(cumulative: np.ndarray, area_m2: float, cell_area_m2: float) -> float:
    """Mass held by the busiest cells of total area ``area_m2`` (inverse of :func:`area_at_level`).

    Examples
    --------
    >>> level_at_area(np.array([0.4, 0.7, 0.9, 1.0]), 1.5, 1.0)
    0.55
    """
    cum0 = np.concatenate([[0.0], np.asarray(cumulative, dtype=float)])
    cells = max(float(area_m2) / float(cell_area_m2), 0.0)
    n = len(cum0) - 1
    if cells >= n:
        return float(cum0[-1])
    k = int(math.floor(cells))
    return float(cum0[k] + (cells - k) * (cum0[k + 1] - cum0[k]))


def isopleth(surface: np.ndarray, xg: np.ndarray, yg: np.ndarray, level: float) -> Any:
    """Region where the cumulative surface is at most ``level``, contoured on the cell centres.

    Parameters
    ----------
    surface : numpy.ndarray, shape (len(yg), len(xg))
        Cumulative mass per cell (:func:`cumulative_surface`).
    xg, yg : numpy.ndarray
        Cell centres, metres, ascending.
    level : float
        Cumulative mass bounding the region.

    Returns
    -------
    shapely.Geometry
        A valid (Multi)Polygon, possibly with holes; empty when no cell qualifies.

    Examples
    --------
    >>> g = np.arange(-5000.0, 5001.0, 100.0)
    >>> m = gaussian_mass([(0.0, 0.0)], [1.0], np.eye(2) * 1e6, g, g)
    >>> region = isopleth(cumulative_surface(m), g, g, 0.5)
    >>> round(float(region.area / (2 * np.pi * np.log(2) * 1e6)), 2)  # circle of 2 pi ln 2 s^2
    1.0
    """
    return shapely.normalize(filled_region(surface, xg, yg, level))

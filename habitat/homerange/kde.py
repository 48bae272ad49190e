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

import math
import warnings
from collections.abc import Sequence
from typing import Any

import contourpy
import numpy as np
import scipy.sparse
import shapely

from habitat.core.errors import HabitatWarning, InputError, InsufficientDataError
from habitat.homerange._core import Estimate, check_levels

__all__ = [
    "BANDWIDTH_METHODS",
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

#: Accepted bandwidth names (a positive number is a bandwidth in metres).
BANDWIDTH_METHODS = ("href", "lscv", "plugin", "pi")
#: Fewer fixes than this are refused (as adehabitatHR ``kernelUD``).
MIN_FIXES = 5
#: Kernel support (in bandwidths) of adehabitatHR's bivariate normal kernel.
TRUNCATION = 4.0
#: Raw grid volume below which the grid is deemed to miss part of the UD.
MIN_GRID_VOLUME = 0.9
_CHUNK = 20_000
_PAIR_BLOCK = 2_000


class GridTooSmallWarning(HabitatWarning):
    """The estimation grid is too small for a level: the UD leaves the grid."""


class LSCVBoundaryWarning(HabitatWarning):
    """The LSCV minimum lies at an end of the searched bandwidth range."""


# --------------------------------------------------------------------- checks
def _check_xy(xy: Any) -> np.ndarray:
    arr = np.asarray(xy, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError(f"xy must be an (n, 2) array of x, y in metres; got shape {arr.shape}.")
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise InputError(
            f"xy has {int(bad.sum())} fix(es) with NaN or infinite coordinates (rows {rows}); "
            "drop or flag them before estimating a KDE home range."
        )
    if len(arr) < MIN_FIXES:
        raise InsufficientDataError(
            f"a KDE home range needs at least {MIN_FIXES} fixes; got {len(arr)}."
        )
    return arr


# ------------------------------------------------------------------ bandwidth
def href(xy: Any) -> float:
    """Reference bandwidth of adehabitatHR (Worton 1989; Silverman 1986).

    ``h = sigma * n ** (-1/6)`` with ``sigma = sqrt((var(x) + var(y)) / 2)``, the
    sample variances with ``ddof=1``. This is the AMISE-optimal scalar
    bandwidth when the data are bivariate normal with covariance ``sigma**2 I``.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres.

    Returns
    -------
    float
        Bandwidth in metres.

    Raises
    ------
    InsufficientDataError
        If all fixes are identical (zero variance gives ``h = 0``).
    """
    arr = _check_xy(xy)
    var = arr.var(axis=0, ddof=1)
    sigma = math.sqrt(0.5 * float(var[0] + var[1]))
    scale = max(float(np.abs(arr).max()), 1.0)
    if sigma <= 1e-9 * scale:
        raise InsufficientDataError(
            "all fixes are at the same place (zero variance), so the reference bandwidth "
            "href is 0 and no kernel home range can be estimated; check the coordinates."
        )
    return sigma * len(arr) ** (-1.0 / 6.0)


def _pair_sums(xy: np.ndarray, funcs: Any, pairs_per_block: int = 1_000_000) -> np.ndarray:
    """Sum ``funcs(d2)`` (a vector per block of squared distances) over pairs ``i != j``.

    Only pairs ``i < j`` are evaluated, about ``pairs_per_block`` at a time so
    memory stays bounded, and the result is doubled.
    """
    n = len(xy)
    total = np.asarray(funcs(np.zeros(0)), dtype=float) * 0.0
    rows = max(1, pairs_per_block // n)
    for start in range(0, n - 1, rows):
        a = xy[start : start + rows]
        b = xy[start + 1 :]
        d2 = (a[:, None, 0] - b[None, :, 0]) ** 2 + (a[:, None, 1] - b[None, :, 1]) ** 2
        # row r of the block is fix start+r, column c is fix start+1+c: keep c >= r
        keep = np.arange(len(b))[None, :] >= np.arange(len(a))[:, None]
        total = total + funcs(d2[keep])
    return 2.0 * total


def lscv_score(xy: Any, h: Any, *, exact: bool = False) -> np.ndarray:
    """Least-squares cross-validation score ``CV(h)`` of the bivariate normal KDE.

    By definition ``CV(h) = ∫ f̂_h² − (2/n) Σ_i f̂_{h,−i}(x_i)``. For the normal
    kernel, with ``d_ij`` the distance between fixes ``i`` and ``j``,

    * ``∫ f̂² = 1/(4π h² n) + 1/(4π h² n²) Σ_{i≠j} exp(−d²/(4h²))``
    * ``(2/n) Σ f̂_{−i}(x_i) = 1/(π h² n (n−1)) Σ_{i≠j} exp(−d²/(2h²))``

    adehabitatHR's C routine ``CVmise`` uses ``n²`` instead of ``n (n−1)`` in the
    second term, i.e. ``CV(h) = 1/(π h² n) + (Σ_{i≠j}[e^{−d²/4h²} −
    4 e^{−d²/2h²}] − 3n) / (4π h² n²)``; that is the default here
    (``exact=False``). ``exact=True`` gives the textbook criterion. Cost
    ``O(n² · len(h))``, blocked over pairs.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres.
    h : float or array_like
        Bandwidth(s) in metres.
    exact : bool
        Use ``n (n−1)`` (textbook) instead of adehabitatHR's ``n²``.

    Returns
    -------
    numpy.ndarray
        ``CV(h)`` for each ``h`` (units 1/m²).
    """
    arr = _check_xy(xy)
    hv = np.atleast_1d(np.asarray(h, dtype=float))
    n = float(len(arr))
    inv4 = 1.0 / (4.0 * hv**2)

    def sums(d2: np.ndarray) -> np.ndarray:
        e4 = np.exp(-np.outer(d2, inv4))  # exp(-d²/4h²); its square is exp(-d²/2h²)
        return np.concatenate([e4.sum(axis=0), (e4 * e4).sum(axis=0)])

    s4, s2 = np.split(_pair_sums(arr, sums, pairs_per_block=max(1, 2_000_000 // len(hv))), 2)
    h2 = hv**2
    first = 1.0 / (4.0 * np.pi * h2 * n) + s4 / (4.0 * np.pi * h2 * n**2)
    second = s2 / (np.pi * h2 * n * ((n - 1.0) if exact else n))
    return first - second


def lscv_bandwidth(
    xy: Any, *, hlim: tuple[float, float] = (0.1, 1.5), n_h: int = 100, exact: bool = False
) -> tuple[float, np.ndarray, np.ndarray]:
    """LSCV bandwidth as adehabitatHR ``kernelUD(h = "LSCV")``.

    Evaluates :func:`lscv_score` at ``n_h`` equally spaced values from
    ``hlim[0] * href`` to ``hlim[1] * href`` and returns the minimiser (the first
    one if tied). Warns :class:`LSCVBoundaryWarning` if the minimum is at either
    end of the range ("the algorithm did not converge").

    Returns
    -------
    h : float
        Bandwidth in metres.
    h_values, cv : numpy.ndarray
        The searched bandwidths (m) and their scores.
    """
    arr = _check_xy(xy)
    lo, hi = (float(v) for v in hlim)
    if not (0 < lo < hi):
        raise InputError(f"hlim must be two increasing positive factors of href; got {hlim}.")
    h0 = href(arr)
    hv = np.linspace(lo * h0, hi * h0, int(n_h))
    cv = lscv_score(arr, hv, exact=exact)
    k = int(np.argmin(cv))
    if k in (0, len(hv) - 1):
        warnings.warn(
            f"the LSCV minimum is at the {'lower' if k == 0 else 'upper'} end of the searched "
            f"range hlim={hlim} x href ({hv[0]:.1f}-{hv[-1]:.1f} m): LSCV did not converge; "
            "widen hlim or use bandwidth='href' (common with clustered or duplicated fixes).",
            LSCVBoundaryWarning,
            stacklevel=2,
        )
    return float(hv[k]), hv, cv


def _lap2(t: np.ndarray, s: float) -> np.ndarray:
    """``(Δ²φ_s)/φ_s`` for the isotropic 2-D normal, variance ``s``; ``t = r²/(2s)``."""
    return 4.0 / s**2 * (t**2 - 4.0 * t + 2.0)


def _lap3(t: np.ndarray, s: float) -> np.ndarray:
    """``(Δ³φ_s)/φ_s`` for the isotropic 2-D normal, variance ``s``; ``t = r²/(2s)``."""
    return -8.0 / s**3 * (-(t**3) + 9.0 * t**2 - 18.0 * t + 6.0)


def _psi(arr: np.ndarray, g: float, order: int) -> float:
    """Kernel estimate ``n⁻² Σ_ij Δ^k φ_g(x_i − x_j)`` (k = 2 or 3), pilot ``g`` (m)."""
    s = g * g
    lap = _lap2 if order == 2 else _lap3
    n = len(arr)

    def f(d2: np.ndarray) -> np.ndarray:
        t = d2 / (2.0 * s)
        return np.array([np.sum(np.exp(-t) * lap(t, s))])

    off = float(_pair_sums(arr, f)[0])
    diag = n * float(lap(np.zeros(1), s)[0])
    return (off + diag) / (2.0 * np.pi * s * n * n)


def plugin_bandwidth(xy: Any) -> float:
    """Two-stage direct plug-in scalar bandwidth (Wand & Jones 1995, §3.6, §4.7).

    For ``H = h² I`` and the normal kernel the AMISE is
    ``1/(4π n h²) + (h⁴/4) Ψ₄`` with ``Ψ₄ = ∫ (∇²f)² = ∫ f Δ²f``, minimised by
    ``h = (1 / (2π n Ψ₄)) ** (1/6)``. ``Ψ₄`` is estimated by
    ``Ψ̂₄(g) = n⁻² Σ_ij Δ²φ_g(x_i − x_j)`` with the pilot ``g₄ = (−8 / (π n Ψ₆))
    ** (1/8)`` (which cancels the leading bias); ``Ψ₆ = ∫ f Δ³f`` is in turn
    estimated by ``Ψ̂₆(g₆)`` with the normal-reference pilot
    ``g₆ = σ (8/n) ** (1/10)`` (``σ`` as in :func:`href`). For bivariate normal
    data with covariance ``σ² I`` the target is ``σ n^(−1/6)`` (= href). Cost
    ``O(n²)``, blocked over pairs.

    Returns
    -------
    float
        Bandwidth in metres.
    """
    arr = _check_xy(xy)
    n = len(arr)
    sigma = href(arr) * n ** (1.0 / 6.0)
    g6 = sigma * (8.0 / n) ** 0.1
    psi6 = _psi(arr, g6, 3)
    if not psi6 < 0:  # cannot happen for smooth data; fall back to the normal reference
        psi6 = -3.0 / (2.0 * np.pi * sigma**8)
    g4 = (-8.0 / (np.pi * n * psi6)) ** 0.125
    psi4 = _psi(arr, g4, 2)
    if not psi4 > 0:
        psi4 = 1.0 / (2.0 * np.pi * sigma**6)
    return float((1.0 / (2.0 * np.pi * n * psi4)) ** (1.0 / 6.0))


def _resolve_bandwidth(arr: np.ndarray, bandwidth: Any, hlim: tuple[float, float]) -> float:
    if isinstance(bandwidth, str):
        name = bandwidth.lower()
        if name == "href":
            return href(arr)
        if name == "lscv":
            return lscv_bandwidth(arr, hlim=hlim)[0]
        if name in ("plugin", "pi"):
            return plugin_bandwidth(arr)
        raise InputError(
            f"unknown bandwidth {bandwidth!r}; use one of {', '.join(BANDWIDTH_METHODS)} "
            "or a positive number of metres."
        )
    if isinstance(bandwidth, bool) or not isinstance(bandwidth, int | float | np.number):
        raise InputError(
            f"bandwidth must be one of {', '.join(BANDWIDTH_METHODS)} or a positive number of "
            f"metres; got {bandwidth!r}."
        )
    h = float(bandwidth)
    if not (math.isfinite(h) and h > 0):
        raise InputError(f"bandwidth must be a positive number of metres; got {bandwidth!r}.")
    href(arr)  # refuses identical fixes
    return h


# ----------------------------------------------------------------------- grid
def adehabitat_grid(xy: Any, grid: int = 60, extent: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Grid nodes of adehabitatHR's ``.makegridUD``.

    Each axis spans ``[min − extent·range, max + extent·range]``. The longer
    axis (x on ties) has exactly ``grid`` nodes from its lower to its upper
    bound (``seq(lower, upper, length = grid)``), so the cell size is
    ``(upper − lower) / (grid − 1)``; the other axis uses
    ``seq(lower, upper, by = cellsize)``: nodes from its lower bound every cell
    size, the last one ``<= upper``.

    Returns
    -------
    xg, yg : numpy.ndarray
        Node (cell-centre) coordinates in metres, increasing.
    """
    arr = np.asarray(xy, dtype=float)
    n_nodes = int(grid)
    if n_nodes < 2:
        raise InputError(f"grid must be an integer >= 2 (nodes on the longer side); got {grid!r}.")
    ext = float(extent)
    if not (math.isfinite(ext) and ext >= 0):
        raise InputError(f"extent must be a non-negative number; got {extent!r}.")
    lo = arr.min(axis=0)
    hi = arr.max(axis=0)
    rng = hi - lo
    lo = lo - ext * rng
    hi = hi + ext * rng
    span = hi - lo
    ref = 1 if span[1] > span[0] else 0
    long_nodes = np.linspace(lo[ref], hi[ref], n_nodes)
    cs = long_nodes[1] - long_nodes[0]
    other = 1 - ref
    # R's seq(from, to, by): n = floor((to - from)/by + 1e-10) + 1
    m = int(math.floor(span[other] / cs + 1e-10)) + 1
    short_nodes = lo[other] + cs * np.arange(m)
    return (long_nodes, short_nodes) if ref == 0 else (short_nodes, long_nodes)


def _snapped_grid(
    arr: np.ndarray, h: float, cell: float, margin: float
) -> tuple[np.ndarray, np.ndarray]:
    pad = TRUNCATION * h * (1.0 + margin)
    lo = np.floor((arr.min(axis=0) - pad) / cell) * cell
    hi = np.ceil((arr.max(axis=0) + pad) / cell) * cell
    nx, ny = (int(round(v)) for v in (hi - lo) / cell)
    return lo[0] + cell * (np.arange(nx) + 0.5), lo[1] + cell * (np.arange(ny) + 0.5)


def _template_grid(template: Any, bounds: Any, cell: float | None) -> tuple[np.ndarray, np.ndarray]:
    if template is not None:
        t = tuple(float(v) for v in template.transform)
        rows, cols = np.asarray(template.array).shape[:2]
        if t[1] != 0 or t[3] != 0 or not np.isclose(t[0], -t[4]):
            raise InputError(
                f"the grid template must be north-up with square cells; transform {t}."
            )
        cs = t[0]
        if cell is not None and not np.isclose(cell, cs):
            raise InputError(f"cell_size_m={cell} differs from the template's cell size {cs} m.")
        xg = t[2] + cs * (np.arange(cols) + 0.5)
        yg = t[5] - cs * (np.arange(rows) + 0.5)
        return xg, yg[::-1].copy()
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    if cell is None:
        raise InputError("bounds need cell_size_m (the cell size in metres).")
    if not (xmax > xmin and ymax > ymin):
        raise InputError(f"bounds must be (xmin, ymin, xmax, ymax) with max > min; got {bounds}.")
    nx = max(int(math.ceil((xmax - xmin) / cell - 1e-9)), 1)
    ny = max(int(math.ceil((ymax - ymin) / cell - 1e-9)), 1)
    return xmin + cell * (np.arange(nx) + 0.5), ymin + cell * (np.arange(ny) + 0.5)


# ------------------------------------------------------------------------- UD
def _axis_band(coord: np.ndarray, nodes: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Band of the 1-D truncated kernel on regularly spaced nodes.

    Returns ``idx, val`` of shape (n, w): for fix ``i`` the node indices
    ``idx[i]`` (clipped to the grid) and ``val[i] = exp(-u²/2) * [|u| < 4]``
    with ``u = (nodes[idx[i]] - coord[i]) / h`` (0 where the index was clipped).
    Only the ``w ≈ 8h / cell + 2`` nodes within ``4h`` of each fix are evaluated.
    """
    m = len(nodes)
    if m == 1:
        idx = np.zeros((len(coord), 1), dtype=np.int64)
    else:
        step = float(nodes[1] - nodes[0])
        reach = TRUNCATION * h
        width = min(int(math.ceil(2.0 * reach / step)) + 3, m)
        first = np.ceil((coord - reach - nodes[0]) / step).astype(np.int64) - 1
        first = np.clip(first, 0, m - width)
        idx = first[:, None] + np.arange(width)[None, :]
    u = (nodes[idx] - coord[:, None]) / h
    val = np.exp(-0.5 * u * u)
    val[np.abs(u) >= TRUNCATION] = 0.0
    return idx, val


def _axis_kernel(coord: np.ndarray, nodes: np.ndarray, h: float) -> np.ndarray:
    """Dense ``K[i, j] = exp(-u²/2) * [|u| < 4]``, ``u = (nodes[j] - coord[i]) / h``."""
    idx, val = _axis_band(coord, nodes, h)
    k = np.zeros((len(coord), len(nodes)))
    k[np.arange(len(coord))[:, None], idx] = val
    return k


def _band_matrix(idx: np.ndarray, val: np.ndarray, m: int) -> scipy.sparse.csr_matrix:
    n, w = idx.shape
    indptr = np.arange(0, n * w + 1, w, dtype=np.int64)
    return scipy.sparse.csr_matrix((val.ravel(), idx.ravel(), indptr), shape=(n, m))


def _ud_nodes(arr: np.ndarray, h: float, xg: np.ndarray, yg: np.ndarray) -> np.ndarray:
    """Raw (not normalised) UD at the nodes, shape (len(yg), len(xg)), row 0 = min y.

    ``UD = Ky.T @ Kx / (2π n h²)`` with the banded 1-D kernels of
    :func:`_axis_band`: a sparse product when the bands are narrow compared with
    the grid, a dense BLAS product otherwise; in chunks of fixes.
    """
    ud = np.zeros((len(yg), len(xg)))
    for s in range(0, len(arr), _CHUNK):
        c = arr[s : s + _CHUNK]
        ix, vx = _axis_band(c[:, 0], xg, h)
        iy, vy = _axis_band(c[:, 1], yg, h)
        if ix.shape[1] * iy.shape[1] * 4 < len(xg) * len(yg):
            kx = _band_matrix(ix, vx, len(xg))
            ky = _band_matrix(iy, vy, len(yg))
            ud += (ky.T.tocsr() @ kx).toarray()
        else:
            rows = np.arange(len(c))[:, None]
            kx = np.zeros((len(c), len(xg)))
            kx[rows, ix] = vx
            ky = np.zeros((len(c), len(yg)))
            ky[rows, iy] = vy
            ud += ky.T @ kx
    ud *= 1.0 / (2.0 * np.pi * len(arr) * h * h)
    return ud


def volume_percent(ud: np.ndarray, cell_size: float) -> np.ndarray:
    """Cumulative volume (%) of cells ranked by UD, as adehabitatHR ``getvolumeUD``.

    Cells are ranked by decreasing UD (ties in array order, as R's stable
    ``order``); each cell gets the summed volume ``UD * cell_size**2`` of itself
    and all cells ranked before it, times 100. The UD given should already be
    normalised to volume 1 (see :func:`kde_ud`).
    """
    v = np.asarray(ud, dtype=float).ravel() * cell_size**2
    order = np.argsort(-v, kind="stable")
    cum = np.empty_like(v)
    cum[order] = np.cumsum(v[order]) * 100.0
    return cum.reshape(np.shape(ud))


def kernel_area(vol: np.ndarray, cell_size: float, level: float) -> float:
    """Area (m²) at ``level`` from a cumulative-volume grid, as adehabitatHR ``kernel.area``.

    ``kernel.area`` counts the cells whose cumulative volume percentage (see
    :func:`volume_percent`) satisfies ``vol <= 100 * level`` (``tmp[tmp <= o]``,
    inclusive) and multiplies by the cell area ``cell_size**2``.
    """
    return int(np.count_nonzero(np.asarray(vol) <= level * 100.0)) * float(cell_size) ** 2


def _polygon(vol: np.ndarray, xg: np.ndarray, yg: np.ndarray, pct: float) -> shapely.Geometry:
    """Region ``vol <= pct`` contoured on the nodes, as a valid (Multi)Polygon."""
    if len(xg) < 2 or len(yg) < 2:
        return shapely.Polygon()
    gen = contourpy.contour_generator(
        xg, yg, vol, fill_type=contourpy.FillType.OuterOffset, name="serial"
    )
    points, offsets = gen.filled(-1.0, pct)
    polys = []
    for pts, off in zip(points, offsets, strict=True):
        rings = [pts[off[k] : off[k + 1]] for k in range(len(off) - 1)]
        rings = [r for r in rings if len(r) >= 4]
        if rings:
            polys.append(shapely.Polygon(rings[0], rings[1:]))
    if not polys:
        return shapely.Polygon()
    geom = shapely.union_all(shapely.make_valid(np.array(polys, dtype=object)))
    return shapely.normalize(geom)


def _ud_grid(
    arr: np.ndarray,
    h: float,
    grid: Any,
    extent: float,
    cell_size_m: float | None,
    bounds: Any,
    margin: float,
) -> tuple[np.ndarray, np.ndarray, float]:
    if hasattr(grid, "transform") or bounds is not None:
        xg, yg = _template_grid(grid if hasattr(grid, "transform") else None, bounds, cell_size_m)
        cs = float(grid.transform[0]) if hasattr(grid, "transform") else float(cell_size_m)  # type: ignore[arg-type]
        return xg, yg, cs
    if cell_size_m is not None:
        cell = float(cell_size_m)
        if not (math.isfinite(cell) and cell > 0):
            raise InputError(f"cell_size_m must be a positive number; got {cell_size_m!r}.")
        xg, yg = _snapped_grid(arr, h, cell, margin)
        return xg, yg, cell
    if isinstance(grid, bool) or not isinstance(grid, int | np.integer):
        raise InputError(
            f"grid must be a number of nodes (int), a Raster-like template, or omitted with "
            f"cell_size_m=...; got {grid!r}."
        )
    xg, yg = adehabitat_grid(arr, int(grid), extent)
    return xg, yg, float(xg[1] - xg[0]) if len(xg) > 1 else float(yg[1] - yg[0])


def kde_ud(
    xy: Any,
    *,
    bandwidth: Any = "href",
    grid: Any = 60,
    extent: float = 1.0,
    cell_size_m: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    hlim: tuple[float, float] = (0.1, 1.5),
    margin: float = 0.1,
) -> tuple[np.ndarray, tuple[float, float, float, float, float, float], float]:
    """Kernel UD on a grid, normalised to volume 1, ready for a :class:`~habitat.io.raster.Raster`.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres.
    bandwidth : {"href", "lscv", "plugin", "pi"} or float
        See :func:`href`, :func:`lscv_bandwidth`, :func:`plugin_bandwidth`; a
        number is ``h`` in metres.
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
    """
    arr = _check_xy(xy)
    h = _resolve_bandwidth(arr, bandwidth, hlim)
    xg, yg, cs = _ud_grid(arr, h, grid, extent, cell_size_m, bounds, margin)
    ud = _ud_nodes(arr, h, xg, yg)
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
    xg, yg, cs = _ud_grid(arr, h, grid, extent, cell, bounds, margin)
    ud = _ud_nodes(arr, h, xg, yg)
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


def estimate(
    xy: Any,
    *,
    levels: Sequence[float] | float,
    timestamps_ns: Any = None,
    bandwidth: Any = "href",
    grid: Any = 60,
    extent: float = 1.0,
    cell_size_m: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    grow_grid: bool = False,
    hlim: tuple[float, float] = (0.1, 1.5),
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
    bandwidth, grid, extent, cell_size_m, bounds, hlim, margin
        As in :func:`kde_ud`.
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
        level's region reaches the grid edge), or the raw grid volume is below
        0.9; ``grid_warning`` is then True for that level.
    LSCVBoundaryWarning
        With ``bandwidth="lscv"`` if the minimum is at an end of the range.
    """
    arr = _check_xy(xy)
    lv = check_levels(levels)
    h = _resolve_bandwidth(arr, bandwidth, hlim)
    fixed = hasattr(grid, "transform") or bounds is not None
    ext, mar = float(extent), float(margin)
    top = max(lv) * 100.0
    for attempt in range(int(max_grow) + 1):
        xg, yg, cs, vol, raw, vol_pos = _fit(
            arr, h, grid, ext, cell_size_m, bounds, mar, standardize
        )
        small = raw < MIN_GRID_VOLUME or _touches_border(vol_pos, top)
        if not (grow_grid and small and not fixed) or attempt == max_grow:
            break
        if cell_size_m is None:
            ext *= 1.5
        else:
            mar = (1.0 + mar) * 1.5 - 1.0

    out: list[Estimate] = []
    warned: list[float] = []
    for p in lv:
        pct = p * 100.0
        geom = _polygon(vol, xg, yg, pct)
        flag = bool(raw < MIN_GRID_VOLUME or _touches_border(vol_pos, pct))
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
        warnings.warn(
            f"the KDE grid is too small for level(s) {warned}: the UD volume on the grid is "
            f"{raw:.3f} and/or the home range reaches the grid border, so areas are "
            "underestimated; increase extent (adehabitatHR's `extent`), pass grow_grid=True, "
            "or use cell_size_m=... (the grid then covers the fixes plus 4 bandwidths).",
            GridTooSmallWarning,
            stacklevel=2,
        )
    return out

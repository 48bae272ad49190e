"""The KDE grid: where a kernel utilisation distribution is evaluated, and its volumes.

One place for the grid rules and the kernel sum on a grid, shared by the KDE
home ranges (:mod:`habitat.homerange.kde`), the utilisation distributions on
one grid for many animals (:mod:`habitat.homerange.ud`) and the UD overlap
indices (:mod:`habitat.overlap.ud`):

* :func:`ud_grid` - the cell centres, by adehabitatHR's ``grid``/``extent``
  rule (:func:`adehabitat_grid`), by a cell size in metres snapped to its
  multiples, by fixed bounds, or from a Raster-like template;
* :func:`ud_on_grid` - the raw (not normalised) fixed-bandwidth bivariate
  normal kernel density at those centres, truncated to ``|u| < 4`` per axis as
  adehabitatHR's C routine ``epa``;
* :func:`volume_percent` and :func:`kernel_area` - adehabitatHR's
  ``getvolumeUD`` and ``kernel.area``.

All coordinates, cell sizes and bandwidths are in metres.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse

from habitat.core.deprecation import renamed_parameter
from habitat.core.errors import InputError

__all__ = [
    "TRUNCATION",
    "adehabitat_grid",
    "kernel_area",
    "ud_grid",
    "ud_on_grid",
    "volume_percent",
]

#: Kernel support (in bandwidths) of adehabitatHR's bivariate normal kernel.
TRUNCATION = 4.0
_CHUNK = 20_000


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

    Examples
    --------
    Fixes spanning 20 km east-west and 10 km north-south; with ``extent=1`` the
    grid spans three times that (60 km by 30 km), with 60 nodes east-west:

    >>> xy = [(0, 0), (20_000, 0), (20_000, 10_000), (0, 10_000), (5_000, 5_000)]
    >>> xg, yg = adehabitat_grid(xy, grid=60, extent=1.0)
    >>> len(xg), float(xg[0]), float(xg[-1])
    (60, -20000.0, 40000.0)
    >>> round(float(xg[1] - xg[0]), 2)  # cell size: 60 km / 59
    1016.95
    >>> len(yg), float(yg[0])  # from -10 km, every cell size, up to 20 km
    (30, -10000.0)
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


def _band_matrix(idx: np.ndarray, val: np.ndarray, m: int) -> scipy.sparse.csr_matrix:
    n, w = idx.shape
    indptr = np.arange(0, n * w + 1, w, dtype=np.int64)
    return scipy.sparse.csr_matrix((val.ravel(), idx.ravel(), indptr), shape=(n, m))


def ud_on_grid(xy: Any, xg: np.ndarray, yg: np.ndarray, *, bandwidth_m: float) -> np.ndarray:
    """Raw (not normalised) kernel UD at the grid nodes, shape (len(yg), len(xg)), row 0 = min y.

    ``UD = Ky.T @ Kx / (2π n h²)`` with the banded 1-D kernels truncated at
    ``|u| < 4`` (:data:`TRUNCATION`): a sparse product when the bands are
    narrow compared with the grid, a dense BLAS product otherwise; in chunks
    of fixes. The truncated kernel is not renormalised (as adehabitatHR).

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres (already checked, e.g. by
        :func:`habitat.homerange.base.check_xy`).
    xg, yg : numpy.ndarray
        Node (cell-centre) coordinates in metres, increasing and evenly
        spaced (see :func:`ud_grid`).
    bandwidth_m : float
        Kernel bandwidth ``h`` in metres (see
        :func:`habitat.homerange.bandwidth.resolve_bandwidth_m`).

    Returns
    -------
    numpy.ndarray, shape (len(yg), len(xg))
        UD in 1/m²; its volume on the grid is below 1 by the mass off the grid.

    Examples
    --------
    One fix, h = 1 km: the kernel peaks at ``1 / (2π h²)`` and falls to
    ``e^(-1/2)`` of that one bandwidth away:

    >>> ud = ud_on_grid([(0.0, 0.0)], np.array([0.0]), np.array([0.0, 1000.0]),
    ...                 bandwidth_m=1000.0)
    >>> ud.shape
    (2, 1)
    >>> float(ud[0, 0]) == 1 / (2 * np.pi * 1000.0**2)
    True
    >>> round(float(ud[1, 0] / ud[0, 0]), 6) == round(float(np.exp(-0.5)), 6)
    True

    On a 100 m grid 5 h wide each way, the volume is 1 less the tails cut at 4 h:

    >>> g = np.arange(-5000.0, 5001.0, 100.0)
    >>> ud = ud_on_grid([(0.0, 0.0)], g, g, bandwidth_m=1000.0)
    >>> round(float(ud.sum()) * 100 * 100, 4)
    0.9998
    """
    arr = np.asarray(xy, dtype=float)
    h = float(bandwidth_m)
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


def volume_percent(
    ud: np.ndarray, cell_size_m: float | None = None, *, cell_size: float | None = None
) -> np.ndarray:
    """Cumulative volume (%) of cells ranked by UD, as adehabitatHR ``getvolumeUD``.

    Cells are ranked by decreasing UD (ties in array order, as R's stable
    ``order``); each cell gets the summed volume ``UD * cell_size_m**2`` of itself
    and all cells ranked before it, times 100. The UD given should already be
    normalised to volume 1 (see :func:`habitat.homerange.kde.kde_ud`).

    Parameters
    ----------
    ud : numpy.ndarray
        UD in 1/m² at the cell centres.
    cell_size_m : float
        Cell side in metres.
    cell_size : float, optional
        Deprecated name of ``cell_size_m``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``ud``, in percent (0-100).

    Examples
    --------
    Four 100 m cells holding 40, 30, 20 and 10 % of the use:

    >>> ud = np.array([[0.4, 0.3], [0.1, 0.2]]) / 100**2  # 1/m²
    >>> volume_percent(ud, 100.0).round(6)
    array([[ 40.,  70.],
           [100.,  90.]])
    """
    cs = _cell_size_m(cell_size_m, cell_size, where="volume_percent")
    v = np.asarray(ud, dtype=float).ravel() * cs**2
    order = np.argsort(-v, kind="stable")
    cum = np.empty_like(v)
    cum[order] = np.cumsum(v[order]) * 100.0
    return cum.reshape(np.shape(ud))


def kernel_area(
    vol: np.ndarray,
    cell_size_m: float | None = None,
    level: float | None = None,
    *,
    cell_size: float | None = None,
) -> float:
    """Area (m²) at ``level`` from a cumulative-volume grid, as adehabitatHR ``kernel.area``.

    ``kernel.area`` counts the cells whose cumulative volume percentage (see
    :func:`volume_percent`) satisfies ``vol <= 100 * level`` (``tmp[tmp <= o]``,
    inclusive) and multiplies by the cell area ``cell_size_m**2``.

    Parameters
    ----------
    vol : numpy.ndarray
        Cumulative volume in percent (:func:`volume_percent`).
    cell_size_m : float
        Cell side in metres.
    level : float
        Fraction in (0, 1].
    cell_size : float, optional
        Deprecated name of ``cell_size_m``.

    Returns
    -------
    float
        Area in m².

    Examples
    --------
    Four 100 m cells holding 40, 30, 20 and 10 % of the use: the 70 % area is
    the two busiest cells, 20,000 m²:

    >>> ud = np.array([[0.4, 0.3], [0.1, 0.2]]) / 100**2
    >>> vol = volume_percent(ud, 100.0)
    >>> kernel_area(vol, 100.0, 0.4), kernel_area(vol, 100.0, 0.75), kernel_area(vol, 100.0, 1.0)
    (10000.0, 20000.0, 40000.0)
    """
    cs = _cell_size_m(cell_size_m, cell_size, where="kernel_area")
    if level is None:
        raise InputError("kernel_area needs the level, a fraction in (0, 1], e.g. 0.95.")
    return int(np.count_nonzero(np.asarray(vol) <= level * 100.0)) * float(cs) ** 2


def _cell_size_m(cell_size_m: Any, cell_size: Any, *, where: str) -> Any:
    value = renamed_parameter(
        "cell_size",
        "cell_size_m",
        cell_size,
        cell_size_m,
        where=f"habitat.homerange.grid.{where}",
        stacklevel=4,
    )
    if value is None:
        raise InputError(f"{where} needs the cell size in metres: cell_size_m=...")
    return value


def ud_grid(
    xy: Any,
    *,
    bandwidth_m: float | None = None,
    grid: Any = 60,
    extent: float = 1.0,
    cell_size_m: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    margin: float = 0.1,
) -> tuple[np.ndarray, np.ndarray, float]:
    """The nodes (cell centres) of the grid a kernel UD is evaluated on.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres (all animals' fixes pooled, for one shared grid).
    bandwidth_m : float, optional
        Bandwidth in metres; needed only in cell-size mode (the grid covers
        the fixes plus ``4 h (1 + margin)``).
    grid : int or Raster-like
        Number of nodes on the longer side (adehabitatHR mode, with
        ``extent``; see :func:`adehabitat_grid`), or a template with
        ``transform`` and ``array`` whose cells are used.
    extent : float
        adehabitatHR ``extent`` (a fraction of the fixes' range).
    cell_size_m : float, optional
        Cell size in metres: cell corners on multiples of it, covering the
        fixes plus ``4 h (1 + margin)`` on each side.
    bounds : (xmin, ymin, xmax, ymax), optional
        With ``cell_size_m``: cell corners of a fixed grid (m).
    margin : float
        Extra border, a fraction of ``4 h``, in cell-size mode.

    Returns
    -------
    xg, yg : numpy.ndarray
        Node coordinates in metres, increasing.
    cell_size_m : float
        The cell side in metres.

    Raises
    ------
    InputError
        For a bad grid, template, bounds or cell size, or cell-size mode
        without ``bandwidth_m``.

    Examples
    --------
    >>> xy = [(0, 0), (10_000, 0), (10_000, 10_000), (0, 10_000), (5_000, 5_000)]

    adehabitatHR mode: 60 nodes on the longer side, ``extent`` times the range
    beyond the fixes:

    >>> xg, yg, cell = ud_grid(xy, grid=61, extent=0.5)
    >>> len(xg), len(yg), float(xg[0]), float(xg[-1]), round(cell, 2)
    (61, 61, -5000.0, 15000.0, 333.33)

    Cell-size mode: 500 m cells with corners on multiples of 500 m, covering the
    fixes plus 4 h (1 + 0.1) = 4.4 km for h = 1 km:

    >>> xg, yg, cell = ud_grid(xy, bandwidth_m=1000.0, cell_size_m=500.0)
    >>> len(xg), float(xg[0] - cell / 2), float(xg[-1] + cell / 2), cell
    (38, -4500.0, 14500.0, 500.0)
    """
    arr = np.asarray(xy, dtype=float)
    template = grid if hasattr(grid, "transform") else None
    if template is not None or bounds is not None:
        xg, yg = _template_grid(template, bounds, cell_size_m)
        cs = float(template.transform[0]) if template is not None else float(cell_size_m or 0.0)
        return xg, yg, cs
    if cell_size_m is not None:
        cell = float(cell_size_m)
        if not (math.isfinite(cell) and cell > 0):
            raise InputError(f"cell_size_m must be a positive number; got {cell_size_m!r}.")
        if bandwidth_m is None:
            raise InputError(
                "ud_grid: a grid by cell_size_m covers the fixes plus 4 bandwidths; "
                "pass bandwidth_m= (metres) as well."
            )
        xg, yg = _snapped_grid(arr, float(bandwidth_m), cell, margin)
        return xg, yg, cell
    if isinstance(grid, bool) or not isinstance(grid, int | np.integer):
        raise InputError(
            f"grid must be a number of nodes (int), a Raster-like template, or omitted with "
            f"cell_size_m=...; got {grid!r}."
        )
    xg, yg = adehabitat_grid(arr, int(grid), extent)
    return xg, yg, float(xg[1] - xg[0]) if len(xg) > 1 else float(yg[1] - yg[0])

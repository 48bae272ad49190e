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
* :func:`ud_on_lattice` - the same kernel sum as sparse blocks on an unbounded
  lattice of square cells with corners on multiples of the cell size, so that
  UDs of animals anywhere (1000 km apart, or with outliers) share one grid
  whose memory grows with the cells each UD covers, not with the extent;
* :func:`volume_percent` and :func:`kernel_area` - adehabitatHR's
  ``getvolumeUD`` and ``kernel.area``.

All coordinates, cell sizes and bandwidths are in metres.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, cast

import contourpy
import numpy as np
import scipy.sparse
import shapely

from habitat.core.deprecation import renamed_parameter
from habitat.core.errors import HabitatWarning, InputError

__all__ = [
    "CELL_PER_BANDWIDTH",
    "LATTICE_MAX_CELLS",
    "READABLE_CELL_STEPS",
    "TRUNCATION",
    "UD_CELL_RULE",
    "UD_MAX_CELLS",
    "GridCoarsenedWarning",
    "LatticeUD",
    "adehabitat_grid",
    "capped_cell_size_m",
    "default_cell_size_m",
    "filled_region",
    "grid_cell_count",
    "kernel_area",
    "lattice_cell_estimate",
    "ud_grid",
    "ud_on_grid",
    "ud_on_lattice",
    "volume_percent",
]

#: Kernel support (in bandwidths) of adehabitatHR's bivariate normal kernel.
TRUNCATION = 4.0
_CHUNK = 20_000
_CHUNK_VALUES = 4_000_000

#: Default cell size of a grid chosen from the bandwidths, as a fraction of the
#: smallest bandwidth ``h``. The volume a fix puts on the grid is a Riemann sum
#: of a normal density (sd ``h``, step ``c``), off by at most
#: ``2 exp(-2 pi^2 (h/c)^2)`` per axis (Poisson summation): 1e-137 at ``c = h/4``
#: (1e-34 at ``h/2``), so the volume is exactly the kernel's truncated mass
#: (0.9998-0.9999) already at ``h/2``. The finer ``h/6`` is for the range
#: boundaries (HR, PHR, UDOI count whole cells inside a level): on the demo
#: leopards the largest change of any index against ``h/16`` is 4e-3 at ``h/2``,
#: 2.5e-3 at ``h/4`` and 5e-4 at ``h/6`` (tests/overlap/test_ud_invariants.py),
#: for 1.3x the time of ``h/4``.
CELL_PER_BANDWIDTH = 1.0 / 6.0

#: Cells (summed over animals) that :func:`ud_on_lattice` blocks may hold by
#: default: 16 bytes each (int64 key + float64 UD) when stored, so about 0.3 GB.
LATTICE_MAX_CELLS = 20_000_000

#: Mantissas of the readable cell sizes (metres): :func:`default_cell_size_m`
#: rounds down to one of these times a power of ten (..., 80, 100, 120, 150,
#: 200, 250, 300, 400, 500, 600, 800, 1000, ...), never more than 4/3 finer
#: than the value rounded.
READABLE_CELL_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
_STEPS_X10 = (10, 12, 15, 20, 25, 30, 40, 50, 60, 80)

#: Cells one dense UD grid (:func:`habitat.homerange.ud.utilization_distribution`)
#: may have by default: 80 MB per float64 array, about 0.35 GB at the peak of
#: computing one UD on it. A finer cell asked for is coarsened (with a
#: :class:`GridCoarsenedWarning`), see :func:`capped_cell_size_m`.
UD_MAX_CELLS = 10_000_000

#: The rule for a UD grid's cell size, as text: part of the fingerprint of every
#: output drawn with it (a change of the rule must redraw them).
UD_CELL_RULE = (
    f"cell = {CELL_PER_BANDWIDTH:.6g} x smallest bandwidth rounded down to "
    f"{'/'.join(f'{v:g}' for v in READABLE_CELL_STEPS)} x 10^k m, unless given; "
    f"coarsened to at most {UD_MAX_CELLS} cells per grid"
)


class GridCoarsenedWarning(HabitatWarning):
    """A grid's cells were made coarser than asked so that it fits in memory.

    The message names the animals, the cell size asked for, the cell size
    used and the number of cells the finer grid would have needed.
    """


def _readable(value: float, *, up: bool) -> float:
    """The readable cell size (:data:`READABLE_CELL_STEPS` x 10^k) at or below/above ``value``."""
    e = math.floor(math.log10(value)) - 1  # value in [10^(e+1), 10^(e+2)), give or take an ulp
    cands = [
        s * 10.0**k if k >= 0 else s / 10.0 ** (-k) for k in (e - 1, e, e + 1) for s in _STEPS_X10
    ]
    if up:
        return min(c for c in cands if c >= value * (1 - 1e-12))
    return max(c for c in cands if c <= value * (1 + 1e-12))


def _positive_m(name: str, value: Any) -> float:
    ok = not isinstance(value, bool) and isinstance(value, int | float | np.integer | np.floating)
    v = float(value) if ok else math.nan
    if not (math.isfinite(v) and v > 0):
        raise InputError(f"{name} must be a positive, finite number of metres; got {value!r}.")
    return v


def default_cell_size_m(bandwidth_m: float) -> float:
    """Cell size of a UD grid chosen from the bandwidth: ``h / 6`` rounded down to a readable value.

    :data:`CELL_PER_BANDWIDTH` (1/6) of the bandwidth ``h``, the cell of the
    UD overlap lattice (:func:`habitat.overlap.ud.ud_overlap`), rounded down to
    one of :data:`READABLE_CELL_STEPS` times a power of ten, so that the cells
    are never coarser than ``h / 6`` (nor finer than ``h / 8``) and read well
    in a caption. For several animals on one grid, pass the smallest bandwidth.

    Parameters
    ----------
    bandwidth_m : float
        Kernel bandwidth ``h`` in metres (e.g. the href bandwidth,
        :func:`habitat.homerange.bandwidth.resolve_bandwidth_m`).

    Returns
    -------
    float
        Cell side in metres.

    Raises
    ------
    InputError
        If the bandwidth is not a positive, finite number.

    Examples
    --------
    A leopard's href bandwidth of about 1 km gives 150 m cells (h/6 = 167 m);
    an albatross's 50 km gives 8 km cells:

    >>> default_cell_size_m(1000.0), default_cell_size_m(50_000.0)
    (150.0, 8000.0)
    >>> default_cell_size_m(1200.0), default_cell_size_m(600.0), default_cell_size_m(30.0)
    (200.0, 100.0, 5.0)
    """
    h = _positive_m("bandwidth_m", bandwidth_m)
    return _readable(CELL_PER_BANDWIDTH * h, up=False)


def grid_cell_count(bounds: Any, cell_size_m: float) -> int:
    """Cells of the grid with corners on multiples of ``cell_size_m`` that covers ``bounds``.

    Parameters
    ----------
    bounds : (xmin, ymin, xmax, ymax)
        Area to cover, metres.
    cell_size_m : float
        Cell side in metres.

    Returns
    -------
    int
        ``(ceil(xmax/c) - floor(xmin/c)) * (ceil(ymax/c) - floor(ymin/c))``.

    Examples
    --------
    >>> grid_cell_count((-50.0, 0.0, 1050.0, 400.0), 100.0)
    48
    """
    c = _positive_m("cell_size_m", cell_size_m)
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    nx = max(math.ceil(xmax / c) - math.floor(xmin / c), 1)
    ny = max(math.ceil(ymax / c) - math.floor(ymin / c), 1)
    return int(nx) * int(ny)


def capped_cell_size_m(cell_size_m: float, *, bounds: Any, max_cells: int = UD_MAX_CELLS) -> float:
    """``cell_size_m``, or the finest readable coarser cell whose grid over ``bounds`` fits.

    A grid of cells with corners on multiples of the cell size that covers
    ``bounds`` (:func:`grid_cell_count`) must have at most ``max_cells``
    cells. If the cell asked for would need more, the smallest readable cell
    (:data:`READABLE_CELL_STEPS` x 10^k) that fits is returned instead; the
    caller says so (:class:`GridCoarsenedWarning`).

    Parameters
    ----------
    cell_size_m : float
        Cell side asked for, metres.
    bounds : (xmin, ymin, xmax, ymax)
        Area the grid must cover, metres.
    max_cells : int
        Most cells allowed (default :data:`UD_MAX_CELLS`).

    Returns
    -------
    float
        The cell side to use, metres (``cell_size_m`` itself when it fits).

    Examples
    --------
    A 2,000 km x 1,000 km ocean range: 200 m cells would need 5e7 cells, more
    than 1e7; 500 m cells (8e6) fit:

    >>> box = (0.0, 0.0, 2_000_000.0, 1_000_000.0)
    >>> grid_cell_count(box, 200.0)
    50000000
    >>> capped_cell_size_m(200.0, bounds=box)
    500.0
    >>> capped_cell_size_m(1000.0, bounds=box)  # fits: kept as given
    1000.0
    """
    c = _positive_m("cell_size_m", cell_size_m)
    if isinstance(max_cells, bool) or not isinstance(max_cells, int | np.integer) or max_cells < 1:
        raise InputError(f"max_cells must be a positive whole number of cells; got {max_cells!r}.")
    if grid_cell_count(bounds, c) <= max_cells:
        return c
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    area = max(xmax - xmin, 0.0) * max(ymax - ymin, 0.0)
    c = _readable(max(c, math.sqrt(area / max_cells)), up=True)
    while grid_cell_count(bounds, c) > max_cells:  # a few steps at most
        c = _readable(c * (1 + 1e-9), up=True)
    return c


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


def _chunk(h: float, xg: np.ndarray, yg: np.ndarray) -> int:
    """Fixes per chunk, so that the band and kernel arrays of one chunk stay near 4e6 values."""
    widest = 1
    for nodes in (xg, yg):
        if len(nodes) > 1:
            step = float(nodes[1] - nodes[0])
            widest = max(widest, min(int(math.ceil(2.0 * TRUNCATION * h / step)) + 3, len(nodes)))
    return max(1, min(_CHUNK, _CHUNK_VALUES // widest))


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
    chunk = _chunk(h, xg, yg)
    for s in range(0, len(arr), chunk):
        c = arr[s : s + chunk]
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


class LatticeUD(NamedTuple):
    """One UD as a sparse block on the lattice of square cells of side ``cell_size_m``.

    Cell ``(row, col)`` spans ``[col c, (col + 1) c) x [row c, (row + 1) c)``
    (metres), its centre (where the kernel is evaluated) is
    ``((col + 0.5) c, (row + 0.5) c)``; every UD on the same ``c`` shares the
    lattice, so cells align. Only cells with a positive UD are stored, sorted
    by row then column.
    """

    rows: np.ndarray  #: int64 row index of each stored cell
    cols: np.ndarray  #: int64 column index of each stored cell
    values: np.ndarray  #: raw UD (1/m²) at the cell centre
    cell_size_m: float  #: cell side in metres


def _lattice_band(coord: np.ndarray, h: float, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Global lattice indices and 1-D kernel weights within ``4 h`` of each coordinate."""
    reach = TRUNCATION * h
    width = int(math.ceil(2.0 * reach / c)) + 2
    first = np.floor((coord - reach) / c - 0.5).astype(np.int64)
    idx = first[:, None] + np.arange(width, dtype=np.int64)[None, :]
    u = ((idx + 0.5) * c - coord[:, None]) / h
    val = np.exp(-0.5 * u * u)
    val[np.abs(u) >= TRUNCATION] = 0.0
    return idx, val


def lattice_cell_estimate(xy: Any, *, cell_size_m: float, bandwidth_m: float) -> int:
    """Upper bound on the cells :func:`ud_on_lattice` stores for one UD.

    The smaller of the cells of the fixes' bounding box grown by ``4 h`` and
    the sum of every fix's own ``(8 h / c + 2)²`` kernel square.

    Examples
    --------
    Two fixes 1000 km apart, h = 1 km, 250 m cells: two squares of 34 x 34
    cells, not the 4,000 x 34 cells of their bounding box:

    >>> lattice_cell_estimate([(0, 0), (1_000_000, 0)], cell_size_m=250.0, bandwidth_m=1000.0)
    2312
    """
    arr = np.asarray(xy, dtype=float)
    c, h = float(cell_size_m), float(bandwidth_m)
    w = int(math.ceil(2.0 * TRUNCATION * h / c)) + 2
    span = arr.max(axis=0) - arr.min(axis=0)
    box = np.prod(np.ceil(span / c) + w)
    return int(min(box, len(arr) * w * w))


def ud_on_lattice(xy: Any, *, cell_size_m: float, bandwidth_m: float) -> LatticeUD:
    """Raw kernel UD of one animal on the unbounded lattice of ``cell_size_m`` cells.

    The same kernel as :func:`ud_on_grid` (bivariate normal, truncated at
    ``|u| < 4`` per axis, ``1 / (2 pi n h²)``, not renormalised), evaluated at
    the centres of the cells within ``4 h`` of some fix and nowhere else, so
    its memory is bounded by :func:`lattice_cell_estimate` wherever the fixes
    are. Dense (BLAS) on the fixes' bounding box when that is no bigger than
    the kernel squares, a sparse outer-product sum otherwise.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres (already checked).
    cell_size_m : float
        Cell side ``c`` in metres (cell corners on multiples of ``c``).
    bandwidth_m : float
        Kernel bandwidth ``h`` in metres.

    Returns
    -------
    LatticeUD
        ``rows``, ``cols``, ``values`` (1/m²) of the cells with a positive UD.

    Examples
    --------
    One fix at a cell centre, h = 1 km, 250 m cells: 31 x 31 cells hold the
    kernel (its centre value is ``1 / (2 pi h²)``), and its volume is the mass of
    the normal over those cells, within 3.875 h on each axis (``0.99989² = 0.9998``):

    >>> ud = ud_on_lattice([(125.0, 125.0)], cell_size_m=250.0, bandwidth_m=1000.0)
    >>> len(ud.values), int(ud.rows.min()), int(ud.cols.max())
    (961, -15, 15)
    >>> float(ud.values.max()) == 1 / (2 * np.pi * 1000.0**2)
    True
    >>> round(float(ud.values.sum()) * 250.0**2, 4)
    0.9998

    Two fixes 1000 km apart: two blocks, not a 1000 km raster:

    >>> ud = ud_on_lattice([(0, 0), (1_000_000, 0)], cell_size_m=250.0, bandwidth_m=1000.0)
    >>> len(ud.values), round(float(ud.values.sum()) * 250.0**2, 4)
    (2048, 0.9999)
    """
    arr = np.asarray(xy, dtype=float)
    c, h = float(cell_size_m), float(bandwidth_m)
    if not (math.isfinite(c) and c > 0):
        raise InputError(f"cell_size_m must be a positive number of metres; got {cell_size_m!r}.")
    if not (math.isfinite(h) and h > 0):
        raise InputError(f"bandwidth_m must be a positive number of metres; got {bandwidth_m!r}.")
    n = len(arr)
    scale = 1.0 / (2.0 * np.pi * n * h * h)
    w = int(math.ceil(2.0 * TRUNCATION * h / c)) + 2
    lo = np.floor((arr.min(axis=0) - TRUNCATION * h) / c - 0.5).astype(np.int64)
    hi = np.floor((arr.max(axis=0) + TRUNCATION * h) / c - 0.5).astype(np.int64) + 2
    nx, ny = (int(v) for v in hi - lo)
    if nx * ny <= n * w * w:
        # the bounding box is no bigger than the kernel squares: one dense block
        xg = (lo[0] + np.arange(nx) + 0.5) * c
        yg = (lo[1] + np.arange(ny) + 0.5) * c
        dense = ud_on_grid(arr, xg, yg, bandwidth_m=h).ravel()
        at = np.flatnonzero(dense > 0)
        return LatticeUD(at // nx + lo[1], at % nx + lo[0], dense[at], c)
    parts: list[scipy.sparse.coo_matrix] = []
    keys_x: list[np.ndarray] = []
    keys_y: list[np.ndarray] = []
    step = max(1, min(_CHUNK, _CHUNK_VALUES // (w * w)))
    for s in range(0, n, step):
        chunk = arr[s : s + step]
        ix, vx = _lattice_band(chunk[:, 0], h, c)
        iy, vy = _lattice_band(chunk[:, 1], h, c)
        # compact the touched columns and rows, so the extent never matters
        ux, jx = np.unique(ix, return_inverse=True)
        uy, jy = np.unique(iy, return_inverse=True)
        kx = _band_matrix(jx.reshape(ix.shape), vx, len(ux))
        ky = _band_matrix(jy.reshape(iy.shape), vy, len(uy))
        prod = (ky.T.tocsr() @ kx).tocoo()
        parts.append(prod)
        keys_x.append(ux)
        keys_y.append(uy)
    rows = np.concatenate([keys_y[i][p.row] for i, p in enumerate(parts)])
    cols = np.concatenate([keys_x[i][p.col] for i, p in enumerate(parts)])
    vals = np.concatenate([p.data for p in parts])
    order = np.lexsort((cols, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    if len(parts) > 1:  # the same cell from several chunks: add them up
        new = np.ones(len(rows), dtype=bool)
        new[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        starts = np.flatnonzero(new)
        vals = np.add.reduceat(vals, starts) if len(vals) else vals
        rows, cols = rows[starts], cols[starts]
    keep = vals > 0
    return LatticeUD(rows[keep], cols[keep], vals[keep] * scale, c)


def filled_region(
    values: np.ndarray, xg: np.ndarray, yg: np.ndarray, level: float
) -> shapely.Geometry:
    """The region where ``values <= level`` on a grid, as a valid (Multi)Polygon.

    The one contouring step of the utilisation-distribution estimators (KDE,
    BBMM, AKDE): ``contourpy``'s filled contours between ``-1`` and ``level``
    on the nodes ``(xg, yg)``; each outer ring comes with its holes
    (``FillType.OuterOffset``), so holes need no even-odd pass; degenerate
    rings (fewer than 4 points) are dropped and the pieces unioned and made
    valid.

    Parameters
    ----------
    values : numpy.ndarray, shape (len(yg), len(xg))
        E.g. the cumulative volume (fraction of the UD) at each node.
    xg, yg : numpy.ndarray
        Node coordinates (m), ascending.
    level : float
        The largest value inside the region.

    Returns
    -------
    shapely.Geometry
        Empty when no node qualifies or the grid has fewer than 2 nodes a side.

    Examples
    --------
    >>> g = np.arange(0.0, 5.0)
    >>> v = np.ones((5, 5)); v[1:4, 1:4] = 0.0  # a 3 x 3 block of nodes at 0
    >>> region = filled_region(v, g, g, 0.5)  # the contour runs half-way to the next node
    >>> float(region.area)  # a 3 x 3 square, its 4 corners cut by 0.5 x 0.5 / 2 each
    8.5
    """
    if len(xg) < 2 or len(yg) < 2:
        return shapely.Polygon()
    gen = contourpy.contour_generator(
        xg, yg, values, fill_type=contourpy.FillType.OuterOffset, name="serial"
    )
    points, offsets = cast(
        "tuple[list[np.ndarray], list[np.ndarray]]", gen.filled(-1.0, float(level))
    )
    polys = []
    for pts, off in zip(points, offsets, strict=True):
        rings = [pts[off[k] : off[k + 1]] for k in range(len(off) - 1)]
        rings = [r for r in rings if len(r) >= 4]
        if rings:
            polys.append(shapely.Polygon(rings[0], rings[1:]))
    if not polys:
        return shapely.Polygon()
    return shapely.union_all(shapely.make_valid(np.array(polys, dtype=object)))

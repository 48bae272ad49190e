"""Utilisation-distribution overlap: the six indices of Fieberg & Kochanny (2005).

Computed as adehabitatHR's ``kerneloverlap`` defines them: one grid shared by
all animals, a kernel UD per animal with its own bandwidth, raw UD values as
``kernelUD`` returns them (not renormalised), and the animal's range at
``level`` = cells whose cumulative volume (``getvolumeUD``) is at most
``100 * level``.

The grid, by default, is chosen from the bandwidths: square cells of
:data:`~habitat.homerange.grid.CELL_PER_BANDWIDTH` (1/6) of the smallest
bandwidth, corners on multiples of the cell size, each UD evaluated only on the
cells within 4 bandwidths of its fixes (:func:`habitat.homerange.grid.ud_on_lattice`),
so the cells of all animals align and memory does not grow with the distance
between them. ``grid=``/``extent=`` give adehabitatHR's grid instead
(``kernelUD(same4all = TRUE)``: ``grid`` nodes on the longer side of all fixes
pooled, enlarged by ``extent``), and its numbers, to 1e-8.

Either way each UD's volume on the grid is checked: an index is only as good
as the grid, e.g. the Bhattacharyya affinity of an animal with itself is its
UD volume on the grid, 1 only when the grid holds the whole UD at a cell size
that resolves the kernel. An animal whose UD volume is below 1 by more than
:data:`UD_VOLUME_TOLERANCE` (the grid clips it) or above 1 (a Riemann sum
of cells too coarse for the kernel), whose cells are coarser than
:data:`~habitat.homerange.base.MAX_CELL_PER_BANDWIDTH` bandwidths, whose level
is above its volume on the grid or whose range holds no cell gets
``grid_ok`` False (with the reason in ``grid_problem``) and a
:class:`~habitat.homerange.base.GridTooSmallWarning`.

With ``c`` the cell area (m²), ``UD_i`` animal i's UD (1/m²) and ``A_i`` the
indicator of its range:

======  ==============================================================
HR      ``sum(A_i A_j) / sum(A_i)``: share of i's range also in j's range
PHR     ``c sum(A_i UD_j)``: probability of j being in i's range
VI      ``c sum(min(UD_i, UD_j))``: volume of intersection
BA      ``c sum(sqrt(UD_i UD_j))``: Bhattacharyya's affinity
UDOI    ``c sum(A_i A_j) * c sum(UD_i UD_j)``: UD overlap index
HD      ``sqrt(c sum((sqrt UD_i - sqrt UD_j)^2))``: Hellinger distance
======  ==============================================================

HR and PHR are asymmetric (row i, column j as above); the others are
symmetric. With ``conditional=True`` the UDs are first set to 0 outside each
animal's range (adehabitatHR ``conditional = TRUE``).

References
----------
Fieberg, J. & Kochanny, C. O. (2005). Quantifying home-range overlap: the
importance of the utilization distribution. Journal of Wildlife Management
69(4), 1346-1359. Calenge, C. (2006), adehabitatHR ``kerneloverlap``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse

from habitat.core import crs as hcrs
from habitat.core.errors import InputError, InsufficientDataError, TooLargeError
from habitat.core.validation import require_bool, require_fraction
from habitat.homerange.bandwidth import DEFAULT_HLIM, bandwidth_choice, resolve_bandwidth_m
from habitat.homerange.base import (
    MAX_CELL_PER_BANDWIDTH,
    GridTooSmallWarning,
    grid_problems,
    refuse_unknown_options,
)
from habitat.homerange.fixes import prepare_fixes
from habitat.homerange.grid import (
    CELL_PER_BANDWIDTH,
    LATTICE_MAX_CELLS,
    lattice_cell_estimate,
    ud_grid,
    ud_on_grid,
    ud_on_lattice,
    volume_percent,
)

__all__ = [
    "UD_OVERLAP_METHODS",
    "UD_VOLUME_TOLERANCE",
    "ud_grid_problems",
    "ud_overlap",
    "ud_overlap_from_arrays",
]

#: the six indices, in Fieberg & Kochanny's order
UD_OVERLAP_METHODS: tuple[str, ...] = ("HR", "PHR", "VI", "BA", "UDOI", "HD")

#: Largest trusted shortfall of a UD's volume on the grid below 1. The kernel
#: truncated at 4 bandwidths per axis (as adehabitatHR) holds 0.9998-0.9999 of
#: the mass on a fine grid; BA and VI of an animal with itself equal this
#: volume, and every index is off by about as much as it. A volume above 1 is
#: never trusted: no UD holds more than 1, so the cells are too coarse to sum
#: the kernel (and BA, VI or PHR could leave [0, 1]).
UD_VOLUME_TOLERANCE = 1e-3

_WHERE = "habitat.overlap.ud.ud_overlap"


def _as_sparse(x: Any) -> scipy.sparse.csr_matrix:
    return scipy.sparse.csr_matrix(x, dtype=float)


def _vi(u: scipy.sparse.csr_matrix, block: int = 4_000_000) -> np.ndarray:
    """Sum over cells of min(u_i, u_j) for every pair of animals.

    Two ways, whichever is less work (in chunks of about ``block`` values):
    pairs within each cell (a cell holding k animals adds its k² minima; few
    animals per cell), or per animal, its cells against every animal as one
    dense block (many animals per cell: k x cells, in fast contiguous numpy).
    """
    k = u.shape[0]
    col = u.tocsc()
    col.sort_indices()
    per_cell = np.diff(col.indptr)
    cost = np.cumsum(per_cell.astype(np.int64) ** 2)
    if len(cost) and cost[-1] > k * col.nnz // 16:
        return _vi_by_animal(u, col, block)
    total = np.zeros(k * k)
    start = 0
    n_cells = len(per_cell)
    while start < n_cells:
        done = cost[start - 1] if start else 0
        stop = int(np.searchsorted(cost, done + block, side="right"))
        stop = min(max(stop, start + 1), n_cells)
        lo, hi = col.indptr[start], col.indptr[stop]
        counts = per_cell[start:stop]
        entry = np.arange(lo, hi)
        first = np.repeat(col.indptr[start:stop], counts)  # first entry of each entry's cell
        reps = np.repeat(counts, counts)  # animals in each entry's cell
        left = np.repeat(entry, reps)
        # partner: every entry of the same cell, in turn
        step = np.arange(len(left)) - np.repeat(np.cumsum(reps) - reps, reps)
        right = np.repeat(first, reps) + step
        pair = col.indices[left].astype(np.int64) * k + col.indices[right]
        total += np.bincount(
            pair, weights=np.minimum(col.data[left], col.data[right]), minlength=k * k
        )
        start = stop
    return total.reshape(k, k)


def _vi_by_animal(
    u: scipy.sparse.csr_matrix, col: scipy.sparse.csc_matrix, block: int
) -> np.ndarray:
    k = u.shape[0]
    vi = np.zeros((k, k))
    for i in range(k):  # one vectorised row per animal (the animals, not the cells)
        cells, vals = (
            u.indices[u.indptr[i] : u.indptr[i + 1]],
            u.data[u.indptr[i] : u.indptr[i + 1]],
        )
        step = max(1, block // max(k, 1))
        for s in range(0, len(cells), step):
            sub = col[:, cells[s : s + step]].toarray()
            vi[i] += np.minimum(vals[None, s : s + step], sub).sum(axis=1)
    return vi


def ud_overlap_from_arrays(
    ud: Any,
    inside: Any,
    cell_area_m2: float,
    *,
    methods: Sequence[str] = UD_OVERLAP_METHODS,
    conditional: bool = False,
) -> dict[str, np.ndarray]:
    """The overlap matrices from UDs and range masks on one grid.

    Parameters
    ----------
    ud : numpy.ndarray or scipy.sparse matrix, shape (n_animals, n_cells)
        UD values (1/m²) at the cell centres (a sparse matrix stores only the
        cells some UD reaches).
    inside : numpy.ndarray or scipy.sparse matrix of bool, shape (n_animals, n_cells)
        Whether each cell is inside each animal's range.
    cell_area_m2 : float
        Area of one cell (m²).
    methods : sequence of str
        Any of :data:`UD_OVERLAP_METHODS`.
    conditional : bool
        Set each UD to 0 outside its range first.

    Returns
    -------
    dict
        method -> (n_animals, n_animals) matrix; entry [i, j] as in the module
        docstring.

    Examples
    --------
    Four 1 km² cells; animal A uses cells 0 and 1 evenly, B cells 1 and 2, so
    they share one cell and half of each one's use:

    >>> ud = np.array([[0.5, 0.5, 0.0, 0.0],
    ...                [0.0, 0.5, 0.5, 0.0]]) / 1e6  # 1/m²
    >>> m = ud_overlap_from_arrays(ud, ud > 0, 1e6)
    >>> {name: float(v[0, 1]) for name, v in m.items()}
    {'HR': 0.5, 'PHR': 0.5, 'VI': 0.5, 'BA': 0.5, 'UDOI': 0.25, 'HD': 1.0}
    >>> m["BA"].diagonal().tolist(), m["HD"].diagonal().tolist()  # each with itself
    ([1.0, 1.0], [0.0, 0.0])
    """
    methods = _check_methods(methods)
    a = _as_sparse(inside).astype(bool).astype(float)
    u = _as_sparse(ud)
    if a.shape != u.shape:
        raise InputError(f"ud and inside must have one shape; got {u.shape} and {a.shape}.")
    if conditional:
        u = u.multiply(a).tocsr()
    u.eliminate_zeros()
    c = float(cell_area_m2)
    out: dict[str, np.ndarray] = {}
    s = u.sqrt()
    shared = (a @ a.T).toarray()
    ba = c * (s @ s.T).toarray() if {"BA", "HD"} & set(methods) else np.zeros(shared.shape)
    for m in methods:
        if m == "HR":
            with np.errstate(invalid="ignore", divide="ignore"):
                out[m] = shared / np.asarray(a.sum(axis=1))
        elif m == "PHR":
            out[m] = c * (a @ u.T).toarray()
        elif m == "VI":
            # min(u_i, u_j) is 0 wherever either is 0: only the cells both reach
            vi = _vi(u)
            out[m] = c * np.triu(vi) + c * np.triu(vi, 1).T  # symmetric to the last bit
        elif m == "BA":
            out[m] = ba
        elif m == "UDOI":
            out[m] = (c * shared) * (c * (u @ u.T).toarray())
        elif m == "HD":
            tot = c * np.asarray(u.sum(axis=1)).ravel()
            both = tot[:, None] + tot[None, :]
            d2 = both - 2 * ba
            # below the rounding of the sums (e.g. an animal with itself): 0
            d2[d2 < 64 * np.finfo(float).eps * both] = 0.0
            out[m] = np.sqrt(d2)
    return out


def _check_methods(methods: Any) -> list[str]:
    if isinstance(methods, str):
        methods = [methods]
    try:
        listed = list(methods)
    except TypeError:
        listed = None
    if not listed or not all(isinstance(m, str) for m in listed):
        raise InputError(
            f"methods must be one or more of {', '.join(UD_OVERLAP_METHODS)} (a name or a "
            f"list of names); got {methods!r}."
        )
    unknown = [m for m in listed if m not in UD_OVERLAP_METHODS]
    if unknown:
        raise InputError(
            f"unknown UD overlap method(s) {unknown}; use any of {', '.join(UD_OVERLAP_METHODS)}."
        )
    return list(dict.fromkeys(listed))


def _real(value: Any) -> float | None:
    """``value`` as a float if it is a real number (not a bool or a string)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return None
    return float(value)


def _check_flag(value: Any, name: str) -> bool:
    return require_bool(value, name=f"{_WHERE}: {name}")


def _check_grid_options(grid: Any, extent: Any, cell_size_m: Any) -> None:
    if grid is not None and not hasattr(grid, "transform"):
        if isinstance(grid, bool | np.bool_) or not isinstance(grid, numbers.Integral):
            raise InputError(
                f"{_WHERE}: grid must be a whole number of nodes >= 2 (adehabitatHR's grid), a "
                f"Raster-like template, or left out to choose the grid from the bandwidths; "
                f"got {grid!r}."
            )
        if int(grid) < 2:
            raise InputError(f"{_WHERE}: grid must be a whole number of nodes >= 2; got {grid!r}.")
    if extent is not None:
        v = _real(extent)
        if v is None or not (math.isfinite(v) and v >= 0):
            raise InputError(
                f"{_WHERE}: extent must be a non-negative number (adehabitatHR's extent, a "
                f"fraction of the fixes' range added on each side); got {extent!r}."
            )
    if cell_size_m is not None:
        v = _real(cell_size_m)
        if v is None or not (math.isfinite(v) and v > 0):
            raise InputError(
                f"{_WHERE}: cell_size_m must be a positive number of metres; got {cell_size_m!r}."
            )
        if grid is not None or extent is not None:
            raise InputError(
                f"{_WHERE}: give either cell_size_m= (a grid from the bandwidths) or "
                "grid=/extent= (adehabitatHR's grid), not both."
            )


def ud_grid_problems(
    level: float,
    ud_volume: Any,
    *,
    cell_size_m: float,
    bandwidth_m: Any,
    range_cells: Any,
) -> np.ndarray:
    """Why each animal's UD overlap cannot be trusted on its grid (``""`` when it can).

    The KDE grid rule (:func:`habitat.homerange.base.grid_problems`: level
    above the UD volume on the grid, cells coarser than
    :data:`~habitat.homerange.base.MAX_CELL_PER_BANDWIDTH` bandwidths), plus
    what the overlap indices need: the volume at most :data:`UD_VOLUME_TOLERANCE`
    below 1 (else the grid clips the UD) and not above 1 (else the cells are too
    coarse to sum the kernel), and at least one cell in the range. Every index
    of two animals whose grids hold them is then within its range (BA, VI, PHR
    at most 1 by Cauchy-Schwarz and ``min``, HD at most sqrt 2).

    Parameters
    ----------
    level : float
        Range level (fraction).
    ud_volume : array_like
        Each animal's UD volume on the grid (``sum(UD) * cell area``).
    cell_size_m : float
        Cell side in metres.
    bandwidth_m : array_like
        Each animal's bandwidth in metres.
    range_cells : array_like of int
        Cells in each animal's range at ``level``.

    Returns
    -------
    numpy.ndarray of str
        One reason per animal.

    Examples
    --------
    A UD a tenth of which falls off the grid, and one on 10 km cells for a
    1 km bandwidth:

    >>> for p in ud_grid_problems(0.95, [0.9, 1.3], cell_size_m=10_000.0,
    ...                           bandwidth_m=[20_000.0, 1_000.0], range_cells=[40, 0]):
    ...     print(p)
    level 0.95 above the UD volume on the grid (0.9); UD volume on the grid 0.9000 (the \
grid clips the UD)
    cells of 10 km coarser than 1.5 bandwidths (1.5 x 1 km); UD volume on the grid 1.3000 \
(cells too coarse for the kernel); no cell in the range at level 0.95
    """
    vol = np.asarray(ud_volume, dtype=float)
    h = np.asarray(bandwidth_m, dtype=float)
    base = grid_problems(np.full(vol.shape, level), vol, cell_size_m=cell_size_m, bandwidth_m=h)
    out = []
    for i, reason in enumerate(base):
        parts = [str(reason)] if reason else []
        if vol[i] < 1 - UD_VOLUME_TOLERANCE:
            parts.append(f"UD volume on the grid {vol[i]:.4f} (the grid clips the UD)")
        elif vol[i] > 1:
            parts.append(f"UD volume on the grid {vol[i]:.4f} (cells too coarse for the kernel)")
        if int(np.asarray(range_cells)[i]) == 0:
            parts.append(f"no cell in the range at level {level:g}")
        out.append("; ".join(parts))
    return np.array(out, dtype=object)


def _lattice_uds(
    groups: list[np.ndarray], hs: np.ndarray, cell_size_m: float | None
) -> tuple[list[Any], float]:
    """Every UD on one lattice: cells of CELL_PER_BANDWIDTH h_min unless coarser ones must fit."""
    explicit = cell_size_m is not None
    cell = CELL_PER_BANDWIDTH * float(hs.min()) if cell_size_m is None else float(cell_size_m)
    for _ in range(60):
        need = sum(
            lattice_cell_estimate(p, cell_size_m=cell, bandwidth_m=h)
            for p, h in zip(groups, hs, strict=True)
        )
        if need <= LATTICE_MAX_CELLS:
            break
        if explicit:
            raise TooLargeError(
                f"{_WHERE}: cells of {cell:g} m would need up to {need:,} cells for "
                f"{len(groups)} UDs (limit {LATTICE_MAX_CELLS:,}); pass a larger cell_size_m "
                "(or leave it out to choose one from the bandwidths), or drop outlying fixes."
            )
        cell *= max(1.05, math.sqrt(need / LATTICE_MAX_CELLS))
    uds = [
        ud_on_lattice(p, cell_size_m=cell, bandwidth_m=h) for p, h in zip(groups, hs, strict=True)
    ]
    return uds, cell


def _stack_lattice(uds: list[Any]) -> scipy.sparse.csr_matrix:
    """The lattice blocks as one (animals x cells) matrix over the cells any UD reaches."""
    rows = np.concatenate([u.rows for u in uds])
    cols = np.concatenate([u.cols for u in uds])
    vals = np.concatenate([u.values for u in uds])
    animal = np.repeat(np.arange(len(uds)), [len(u.values) for u in uds])
    r0, c0 = (rows.min(), cols.min()) if len(rows) else (0, 0)
    nr = int(rows.max() - r0 + 1) if len(rows) else 1
    nc = int(cols.max() - c0 + 1) if len(cols) else 1
    if nr * nc < 2**62:
        _, cell = np.unique((rows - r0) * nc + (cols - c0), return_inverse=True)
    else:
        _, cell = np.unique(np.column_stack([rows, cols]), axis=0, return_inverse=True)
    cell = np.asarray(cell).ravel()
    shape = (len(uds), int(cell.max()) + 1 if len(cell) else 0)
    return scipy.sparse.csr_matrix((vals, (animal, cell)), shape=shape)


def _ranges(u: scipy.sparse.csr_matrix, cell_area: float, level: float) -> scipy.sparse.csr_matrix:
    """Cells of each animal's support whose cumulative volume is within ``level``."""
    inside = u.copy()
    cs = math.sqrt(cell_area)
    for i in range(u.shape[0]):  # one vectorised volume ranking per animal
        lo, hi = u.indptr[i], u.indptr[i + 1]
        vol = volume_percent(u.data[lo:hi], cs)
        inside.data[lo:hi] = vol <= 100.0 * level
    inside.eliminate_zeros()
    return inside


@refuse_unknown_options
def ud_overlap(
    relocations: gpd.GeoDataFrame,
    *,
    methods: Sequence[str] = UD_OVERLAP_METHODS,
    level: float = 0.95,
    bandwidth: Any = "href",
    bandwidth_m: float | None = None,
    grid: int | None = None,
    extent: float | None = None,
    cell_size_m: float | None = None,
    conditional: bool = False,
    crs: Any | None = None,
    exclude_flagged: bool = True,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Fieberg & Kochanny's UD overlap indices for every pair of animals.

    Parameters
    ----------
    relocations : GeoDataFrame
        Point fixes with ``individual`` (see :func:`habitat.read_relocations`).
    methods : str or sequence of str
        Any of ``"HR", "PHR", "VI", "BA", "UDOI", "HD"`` (all by default).
    level : float
        Range level, a fraction in (0, 1], for HR, PHR, UDOI and ``conditional``.
    bandwidth : {"href", "lscv", "plugin"}
        Per-animal bandwidth rule. A number still works as ``h`` in metres but
        is deprecated: pass ``bandwidth_m``.
    bandwidth_m : float, optional
        One bandwidth ``h`` in metres for every animal, instead of a rule.
    grid, extent : int, float, optional
        adehabitatHR's grid (``kernelUD(same4all = TRUE)``): ``grid`` nodes on
        the longer side of the pooled fixes' extent enlarged by ``extent``
        times its range on each side (``grid`` 60 and ``extent`` 1 when only
        the other is given). ``grid`` may also be a Raster-like template. Left
        out (the default), the grid is chosen from the bandwidths.
    cell_size_m : float, optional
        Cell side in metres of the grid chosen from the bandwidths; by default
        :data:`~habitat.homerange.grid.CELL_PER_BANDWIDTH` (1/6) of the
        smallest bandwidth, coarsened only if the UDs would need more than
        :data:`~habitat.homerange.grid.LATTICE_MAX_CELLS` cells (then
        checked and flagged like any grid).
    conditional : bool
        adehabitatHR ``conditional``.
    crs : CRS-like, optional
        Projected metric CRS; see :func:`habitat.homerange.fixes.estimation_crs`.
    exclude_flagged : bool
        Leave out fixes with ``flag_any``.

    Returns
    -------
    table : pandas.DataFrame
        Tidy: ``individual_a``, ``individual_b``, ``method``, ``value``,
        ``grid_ok`` (both animals' UDs held by the grid, see the module
        docstring), one row per ordered pair (a, b) including a == b. Its
        ``attrs`` hold ``level``, ``cell_size_m``, ``grid`` (``"bandwidth"``
        or adehabitatHR's node count), ``crs_used``, ``n_cells`` (cells
        evaluated: those some UD reaches, or the whole adehabitatHR grid) and,
        per individual (dicts keyed by individual), ``bandwidth_m``,
        ``ud_volume`` (the UD's volume on the grid), ``grid_ok`` and
        ``grid_problem`` (the reason, ``""`` when the grid holds the UD).
    matrices : dict of str to pandas.DataFrame
        method -> square matrix indexed by individual (row a, column b), with
        the same ``attrs``.

    Raises
    ------
    InputError
        For an unknown method, option or bandwidth rule, a level outside
        (0, 1], a bad grid, extent or cell size; :class:`InsufficientDataError`
        for fewer than two individuals or five usable fixes per individual;
        :class:`~habitat.core.errors.TooLargeError` when an explicit
        ``cell_size_m`` would need too many cells.

    Warns
    -----
    GridTooSmallWarning
        Naming each animal whose UD the grid does not hold (``grid_ok`` False).

    Examples
    --------
    A simulated female and the same track moved 3 km east:

    >>> import habitat
    >>> import pandas as pd
    >>> fixes, _ = habitat.simulate_relocations(n_females=1, n_males=0, days=30, seed=1,
    ...                                         crs="EPSG:32652")
    >>> moved = fixes.assign(individual="F01 +3 km", geometry=fixes.translate(xoff=3000))
    >>> table, matrices = ud_overlap(pd.concat([fixes, moved], ignore_index=True))
    >>> matrices["BA"].round(3)
                 F01  F01 +3 km
    F01        1.000      0.433
    F01 +3 km  0.433      1.000
    >>> {name: round(float(m.iloc[0, 1]), 3) for name, m in matrices.items()}
    {'HR': 0.371, 'PHR': 0.433, 'VI': 0.203, 'BA': 0.433, 'UDOI': 0.11, 'HD': 1.065}
    >>> table.columns.tolist(), len(table)  # 6 indices x 4 ordered pairs
    (['individual_a', 'individual_b', 'method', 'value', 'grid_ok'], 24)
    >>> round(table.attrs["bandwidth_m"]["F01"], 1), round(table.attrs["cell_size_m"], 1)
    (517.7, 86.3)
    >>> table.attrs["grid_ok"], round(table.attrs["ud_volume"]["F01"], 4)
    ({'F01': True, 'F01 +3 km': True}, 0.9999)

    An animal compared with an exact copy of itself overlaps completely:

    >>> copy = fixes.assign(individual="F01 again")
    >>> _, same = ud_overlap(pd.concat([fixes, copy], ignore_index=True), methods=("BA", "HD"))
    >>> round(float(same["BA"].iloc[0, 1]), 3), round(float(same["HD"].iloc[0, 1]), 3)
    (1.0, 0.0)

    adehabitatHR's grid is still there on request, with a warning when it
    cannot hold the UDs (here 3 km cells for a 518 m bandwidth):

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     t, m = ud_overlap(pd.concat([fixes, moved], ignore_index=True), grid=10)
    >>> caught[0].category.__name__, t.attrs["grid_ok"]["F01"]
    ('GridTooSmallWarning', False)
    >>> print(t.attrs["grid_problem"]["F01"])
    cells of 3.01 km coarser than 1.5 bandwidths (1.5 x 0.518 km); UD volume on the grid \
0.9980 (the grid clips the UD)
    """
    choice = bandwidth_choice(bandwidth, bandwidth_m, where=_WHERE)
    methods = _check_methods(methods)
    lv = require_fraction(level, name="level")
    conditional = _check_flag(conditional, "conditional")
    exclude_flagged = _check_flag(exclude_flagged, "exclude_flagged")
    _check_grid_options(grid, extent, cell_size_m)
    prep = prepare_fixes(
        relocations, crs=crs, exclude_flagged=exclude_flagged, purpose="UD overlap indices"
    )
    xy, est_crs, names = prep.xy, prep.crs, list(prep.names)
    if len(names) < 2:
        raise InsufficientDataError(
            f"UD overlap needs at least two individuals; got {len(names)} "
            f"({', '.join(map(repr, names))}) with usable fixes."
        )
    order = np.argsort(prep.codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(prep.counts)])
    groups = [xy[order[bounds[i] : bounds[i + 1]]] for i in range(len(names))]
    hs = np.empty(len(names))
    for i, pts in enumerate(groups):
        try:
            hs[i] = resolve_bandwidth_m(pts, choice, hlim=DEFAULT_HLIM)
        except InputError as exc:
            raise type(exc)(f"individual '{names[i]}': {exc}") from exc
    adehabitat = grid is not None or extent is not None
    if adehabitat:
        # one grid from all fixes pooled (kernelUD(same4all = TRUE))
        xg, yg, cs = ud_grid(
            xy, grid=60 if grid is None else grid, extent=1.0 if extent is None else extent
        )
        dense = np.vstack(
            [ud_on_grid(p, xg, yg, bandwidth_m=h).ravel() for p, h in zip(groups, hs, strict=True)]
        )
        vol = np.vstack([volume_percent(u, cs) for u in dense])
        u = _as_sparse(dense)
        inside = _as_sparse(vol <= 100.0 * lv)
        grid_label: Any = grid if grid is not None and not hasattr(grid, "transform") else 60
        if hasattr(grid, "transform"):
            grid_label = "template"
    else:
        blocks, cs = _lattice_uds(groups, hs, cell_size_m)
        u = _stack_lattice(blocks)
        inside = _ranges(u, cs * cs, lv)
        grid_label = "bandwidth"
    c2 = cs * cs
    ud_volume = c2 * np.asarray(u.sum(axis=1)).ravel()
    range_cells = np.diff(inside.indptr)
    # on the lattice a level above the truncated kernel's mass (0.9998-0.9999)
    # is the UD's whole support, which the volume check covers; on adehabitatHR's
    # grid it also takes in every empty cell: the level cannot be reached
    checked = lv if adehabitat else min(lv, 1.0 - UD_VOLUME_TOLERANCE)
    problems = ud_grid_problems(
        checked, ud_volume, cell_size_m=cs, bandwidth_m=hs, range_cells=range_cells
    )
    mats = ud_overlap_from_arrays(u, inside, c2, methods=methods, conditional=conditional)
    ok = np.array([not p for p in problems])
    if not ok.all():
        bad = np.flatnonzero(~ok)
        detail = "; ".join(f"'{names[i]}': {problems[i]}" for i in bad[:10])
        if len(bad) > 10:
            rest = ", ".join(f"'{names[i]}'" for i in bad[10:])
            detail += f"; and for the same kind of reason {rest} (see grid_problem)"
        if adehabitat:
            fix = "leave grid= and extent= out to choose the grid from the bandwidths"
        elif cell_size_m is None:
            fix = (
                f"analyse the animals with the smallest bandwidths apart (the UDs of all "
                f"{len(names)} at {CELL_PER_BANDWIDTH:.3g} of the smallest bandwidth would need "
                f"more than {LATTICE_MAX_CELLS:,} cells, so the cells were coarsened)"
            )
        else:
            fix = f"pass a cell_size_m= below {MAX_CELL_PER_BANDWIDTH:g} bandwidths"
        warnings.warn(
            f"UD overlap: the grid ({cs:.6g} m cells) does not hold the UD of {len(bad)} of "
            f"{len(names)} individuals, so their indices cannot be trusted (grid_ok is False): "
            f"{detail}. To fix it, {fix}, or flag or drop outlying fixes.",
            GridTooSmallWarning,
            stacklevel=3,
        )
    attrs = {
        "level": lv,
        "cell_size_m": float(cs),
        "grid": grid_label,
        "crs_used": hcrs.describe_crs(est_crs),
        "n_cells": int(u.shape[1]),
        "bandwidth_m": dict(zip(names, hs.tolist(), strict=True)),
        "ud_volume": dict(zip(names, ud_volume.tolist(), strict=True)),
        "grid_ok": dict(zip(names, ok.tolist(), strict=True)),
        "grid_problem": dict(zip(names, [str(p) for p in problems], strict=True)),
    }
    matrices = {m: pd.DataFrame(v, index=names, columns=names) for m, v in mats.items()}
    pair_ok = np.logical_and.outer(ok, ok).ravel()
    rows = [
        pd.DataFrame(
            {
                "individual_a": np.repeat(names, len(names)),
                "individual_b": np.tile(names, len(names)),
                "method": m,
                "value": v.to_numpy().ravel(),
                "grid_ok": pair_ok,
            }
        )
        for m, v in matrices.items()
    ]
    table = pd.concat(rows, ignore_index=True)
    table.attrs.update(attrs)
    for v in matrices.values():
        v.attrs.update(attrs)
    return table, matrices

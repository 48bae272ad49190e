"""Patches of a categorical raster in one streaming labelling pass.

:func:`patch_stats` is the engine under :func:`habitat.landscape.landscape_metrics`:
it reads a landscape (a raster, or the window of one zone) in strips of rows,
labels the patches of every class at once and returns, per patch, what the
FRAGSTATS metrics are made of (:class:`PatchStats`): area, perimeter, core
area and nearest-neighbour distance in cells, plus the class adjacency counts.
The formulas live in :mod:`habitat.landscape.metrics`.

Definitions
-----------
patch
    A maximal group of cells of one class connected through their 4 rook
    neighbours (``neighbours=4``) or also through the 4 diagonal ones
    (``neighbours=8``, the FRAGSTATS default).
valid cell
    A cell with data. Nodata cells, cells outside the raster and, for a zone,
    cells whose centre is outside the zone are *background*: they belong to
    no patch and are not counted in the landscape's area.
perimeter
    The cell sides of a patch facing a cell of another class, background or
    the window's edge (all of them, as FRAGSTATS' patch perimeter), in cell
    sides; ``patch_boundary_sides`` counts those facing background or the edge.
core cells
    Cells of a patch farther than ``edge_depth_cells`` from its edge in the
    city-block (4-neighbour) metric: the 4-neighbour erosion repeated
    ``edge_depth_cells`` times of FRAGSTATS, landscapemetrics and pylandstats.
    With ``boundary_is_edge=False`` background does not make edge (a forest
    patch cut by a home range's outline keeps its core along the outline).
nearest neighbour
    Centre-to-centre Euclidean distance (in cells) from a patch to the nearest
    cell of another patch of the same class (:mod:`habitat.landscape.enn`).
adjacency
    Rook cell-side counts between classes, both directions (the FRAGSTATS
    double count), background in the last row and column.

Memory: one strip of values at a time (about :data:`STRIP_CELLS` cells plus
halo rows), one row of labels between strips, and per patch a few integers;
the boundary cells (for the nearest-neighbour search) are kept in chunks of
columns (2 bytes when a row has at most 65,536 cells) and provisional patch
ids (4 bytes), their rows implicit in a count per row. The nearest-neighbour
search moves one class's cells out of the chunks at a time, so they are held
about once. The raster itself is never held whole unless it already is.

Examples
--------
A 3 x 3 block of forest (1) in grassland (2): one forest patch of 9 cells with
12 cell sides of perimeter, and one grassland patch around it.

>>> import numpy as np
>>> grid = np.full((5, 5), 2)
>>> grid[1:4, 1:4] = 1
>>> stats = patch_stats_array(grid, cell_size_m=30.0, enn=False)
>>> stats.classes.tolist(), stats.patch_class.tolist()
([1, 2], [1, 2])
>>> stats.patch_area_cells.tolist(), stats.patch_perimeter_sides.tolist()
([9, 16], [12, 32])
>>> stats.patch_core_cells.tolist()  # one cell of depth: the block's centre
[1, 0]
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from habitat.core.errors import InputError, TooLargeError

__all__ = [
    "MAX_CLASSES",
    "MAX_THREADS",
    "MIN_BLOCK_CELLS",
    "STRIP_CELLS",
    "PatchStats",
    "Reader",
    "array_reader",
    "patch_stats",
    "patch_stats_array",
]

#: read(r0, r1) -> (values, valid) of rows r0 .. r1-1 of a landscape window (all its
#: columns); rows outside the window come back valid=False
Reader = Callable[[int, int], tuple[np.ndarray, np.ndarray]]

#: most distinct classes a landscape may have (land cover, not a continuous surface)
MAX_CLASSES = 1024
#: widest span of class values (max - min + 1) handled
MAX_CLASS_SPAN = 1 << 24
#: cells per strip (rows x columns) read and labelled at once
STRIP_CELLS = 1 << 18
#: boundary cells per chunk of storage
BOUNDARY_CHUNK = 1 << 18
#: most threads scanning blocks of rows at once
MAX_THREADS = 8
#: fewest cells in a block of rows scanned by its own thread
MIN_BLOCK_CELLS = 1_000_000


@dataclass(frozen=True)
class PatchStats:
    """Per-patch counts of one landscape, in cells (see the module docstring).

    Patches are ordered by class value, then by the raster order of their
    first cell.
    """

    cell_size_m: float
    neighbours: int
    edge_depth_cells: int
    boundary_is_edge: bool
    n_cells: int
    classes: np.ndarray
    patch_class: np.ndarray
    patch_area_cells: np.ndarray
    patch_perimeter_sides: np.ndarray
    patch_boundary_sides: np.ndarray
    patch_core_cells: np.ndarray
    patch_enn_cells: np.ndarray
    patch_row: np.ndarray
    patch_col: np.ndarray
    adjacency: np.ndarray

    @property
    def n_patches(self) -> int:
        """Number of patches."""
        return int(self.patch_class.shape[0])


class _Growing:
    """Per-provisional-id arrays, grown geometrically, and boundary cells in chunks.

    Boundary cells (their column and provisional id; their rows are implicit:
    cells come in raster order and ``row_count`` counts them per row) are
    written into a chunk of :data:`BOUNDARY_CHUNK` cells (or four rows); a
    full chunk is kept as it is and a new one started, so they are never
    copied while the raster is scanned.
    """

    def __init__(self, n_rows: int = 0, n_cols: int = 0) -> None:
        self.chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
        # columns are kept in 2 bytes when they fit (windows up to 65,536 columns)
        self.col_dtype = np.dtype(np.uint16 if n_cols <= 1 << 16 else np.int32)
        self.row_count = np.zeros(n_rows, np.int64)
        self.parent = np.empty(0, np.int64)
        self.id_class = np.empty(0, np.int64)
        self.id_row = np.empty(0, np.int64)
        self.id_col = np.empty(0, np.int64)
        self.area = np.empty(0, np.int64)
        self.perim = np.empty(0, np.int64)
        self.bnd = np.empty(0, np.int64)
        self.core = np.empty(0, np.int64)
        self.b_cols = np.empty(0, np.int32)
        self.b_ids = np.empty(0, np.int32)
        self.b_mask = np.empty(0, np.uint8)

    @staticmethod
    def _grow(arr: np.ndarray, need: int, zero: bool) -> np.ndarray:
        if arr.shape[0] >= need:
            return arr
        size = max(need, 2 * arr.shape[0], 1 << 12)
        new = (np.zeros if zero else np.empty)(size, arr.dtype)
        new[: arr.shape[0]] = arr
        return new

    def release(self) -> None:
        """Drop every array (after the counts are taken)."""
        self.__init__()  # type: ignore[misc]

    def reserve(self, n_ids: int, filled: int, row_cells: int) -> int:
        """Room for ``n_ids`` ids and a row of boundary cells; returns the chunk's fill."""
        if n_ids >= np.iinfo(np.int32).max:
            raise TooLargeError(
                f"more than {np.iinfo(np.int32).max:,} patch starts in one block of rows; "
                "measure the raster in zones or smaller windows."
            )
        for name in ("parent", "id_class", "id_row", "id_col"):
            setattr(self, name, self._grow(getattr(self, name), n_ids, False))
        for name in ("area", "perim", "bnd", "core"):
            setattr(self, name, self._grow(getattr(self, name), n_ids, True))
        if filled + row_cells <= self.b_cols.shape[0]:
            return filled
        self.close_chunk(filled, final=False)
        size = max(BOUNDARY_CHUNK, 4 * row_cells)
        if self.b_cols.shape[0] < size:
            self.b_cols = np.empty(size, np.int32)
            self.b_ids = np.empty(size, np.int32)
            self.b_mask = np.empty(size, np.uint8)
        return 0

    def close_chunk(self, filled: int, *, final: bool = True) -> None:
        """Keep a copy of the current chunk's ``filled`` cells (columns in ``col_dtype``).

        The chunk's buffers are reused for the next chunk, or dropped when ``final``.
        """
        if filled:
            cols = self.b_cols[:filled].astype(self.col_dtype)
            self.chunks.append((cols, self.b_ids[:filled].copy(), self.b_mask[:filled].copy(), 0))
        if final:
            self.b_cols = self.b_ids = np.empty(0, np.int32)
            self.b_mask = np.empty(0, np.uint8)

    @property
    def n_boundary(self) -> int:
        """Boundary cells kept in closed chunks."""
        return sum(c[0].shape[0] for c in self.chunks)


class _ClassTable:
    """Class value -> class index, widened and filled as strips reveal new values."""

    def __init__(self) -> None:
        self.lo = 0
        self.lut = np.empty(0, np.int32)
        self.values = np.zeros(MAX_CLASSES, np.int64)
        self.n_classes = 0

    def _widen(self, lo: int, hi: int) -> None:
        if self.lut.size:
            lo, hi = min(lo, self.lo), max(hi, self.lo + self.lut.size - 1)
        if hi - lo + 1 > MAX_CLASS_SPAN:
            raise InputError(
                f"class values span {lo} .. {hi}, wider than {MAX_CLASS_SPAN:,} values: a "
                "categorical land-cover raster is expected (integer class codes); reclassify "
                "a continuous surface into classes first."
            )
        if self.lut.size and lo == self.lo and hi - lo + 1 == self.lut.size:
            return
        lut = np.full(hi - lo + 1, -1, np.int32)
        if self.lut.size:
            lut[self.lo - lo : self.lo - lo + self.lut.size] = self.lut
        self.lo, self.lut = lo, lut

    def indices(self, vals: np.ndarray, valid: np.ndarray) -> np.ndarray:
        """Class index of each cell of a strip (-1: background), new classes added."""
        lo, hi, n = _kernels().valid_range(vals, valid)
        if n:
            self._widen(int(lo), int(hi))
        cls, n_classes = _kernels().classify(
            vals, valid, self.lut, self.lo, self.values, self.n_classes
        )
        if n_classes > MAX_CLASSES:
            raise InputError(
                f"the landscape has more than {MAX_CLASSES} distinct classes: a categorical "
                "land-cover raster is expected; reclassify it first."
            )
        self.n_classes = int(n_classes)
        return cls


def _kernels() -> Any:
    """The compiled kernels, imported on first use (numba is not loaded by ``import habitat``)."""
    from habitat.landscape import kernels

    return kernels


def _strip_rows(n_cols: int, strip_rows: int | None) -> int:
    if strip_rows is not None:
        if int(strip_rows) < 1:
            raise InputError(f"strip_rows must be at least 1; got {strip_rows}.")
        return int(strip_rows)
    return max(16, STRIP_CELLS // max(n_cols, 1))


def _as_strip(
    vals: np.ndarray, valid: np.ndarray, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    vals, valid = np.asarray(vals), np.asarray(valid, dtype=bool)
    if vals.shape != shape or valid.shape != shape:
        raise InputError(
            f"the reader returned values {vals.shape} and valid {valid.shape}; "
            f"expected {shape} for this strip."
        )
    if vals.dtype.kind not in "iub":
        raise InputError(
            f"a categorical raster needs integer class values; got {vals.dtype}. Round or "
            "reclassify the raster into integer classes."
        )
    return np.ascontiguousarray(vals, dtype=np.int64), np.ascontiguousarray(valid)


def _check_options(neighbours: int, edge_depth_cells: int, cell_size_m: float) -> None:
    if neighbours not in (4, 8):
        raise InputError(f"neighbours must be 4 or 8 (the patch rule); got {neighbours!r}.")
    if int(edge_depth_cells) != edge_depth_cells or edge_depth_cells < 0:
        raise InputError(
            f"edge_depth_cells must be a whole number of cells >= 0; got {edge_depth_cells!r}."
        )
    if not np.isfinite(cell_size_m) or cell_size_m <= 0:
        raise InputError(f"cell_size_m must be a positive number; got {cell_size_m!r}.")


def patch_stats(
    read: Reader,
    shape: tuple[int, int],
    *,
    cell_size_m: float,
    neighbours: int = 8,
    edge_depth_cells: int = 1,
    boundary_is_edge: bool = True,
    enn: bool = True,
    strip_rows: int | None = None,
    threads: int | None = 1,
) -> PatchStats:
    """Label the patches of a landscape read in strips and count what metrics need.

    Parameters
    ----------
    read : callable
        ``read(r0, r1) -> (values, valid)`` for rows ``r0 .. r1-1`` and all
        columns of the landscape window (:data:`Reader`); ``r0`` may be
        negative and ``r1`` beyond the last row: those rows must come back
        ``valid=False``.
    shape : (int, int)
        Rows and columns of the window.
    cell_size_m : float
        Side of the square cells, in metres.
    neighbours : {8, 4}
        Patch rule: 8 (FRAGSTATS' default) or 4 (rook) neighbours.
    edge_depth_cells : int
        Edge depth of core areas, in cells (0: every cell is core).
    boundary_is_edge : bool
        Whether background (nodata, outside the window or the zone) makes
        edge for core areas.
    enn : bool
        Compute nearest-neighbour distances (else NaN).
    strip_rows : int, optional
        Rows per strip (default: about :data:`STRIP_CELLS` cells per strip).
    threads : int, optional
        Blocks of rows scanned at once, in threads (default 1: the least
        memory; ``None``: the CPUs, at most :data:`MAX_THREADS`). A landscape
        of fewer than two strips or :data:`MIN_BLOCK_CELLS` cells a block is
        scanned in one. The blocks' patches are joined along their seams; the
        result does not depend on ``threads``. ``read`` is called under a lock.
        The nearest-neighbour search uses every core whatever ``threads``.

    Returns
    -------
    PatchStats

    Raises
    ------
    InputError
        Options out of range, non-integer values, more than
        :data:`MAX_CLASSES` classes or class values spanning more than
        :data:`MAX_CLASS_SPAN`.
    """
    _check_options(neighbours, edge_depth_cells, cell_size_m)
    n_rows, n_cols = (int(s) for s in shape)
    depth = int(edge_depth_cells)
    step = _strip_rows(n_cols, strip_rows)
    options = _ScanOptions(n_rows, n_cols, step, depth, neighbours == 8, bool(boundary_is_edge))
    bounds = _block_bounds(n_rows, n_cols, step, threads)
    if len(bounds) == 1:
        blocks = [_scan_block(read, 0, n_rows, options)]
    else:
        lock = threading.Lock()

        def locked(r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
            with lock:
                return read(r0, r1)

        with ThreadPoolExecutor(max_workers=len(bounds)) as pool:
            blocks = list(pool.map(lambda b: _scan_block(locked, b[0], b[1], options), bounds))
    grow, table, adjacency, n_ids, n_boundary = _merge(blocks, neighbours == 8)
    return _finish(grow, table, adjacency, n_ids, n_boundary, cell_size_m, neighbours, depth,
                   boundary_is_edge, enn)  # fmt: skip


@dataclass(frozen=True)
class _ScanOptions:
    n_rows: int
    n_cols: int
    step: int
    depth: int
    eight: bool
    edge: bool


@dataclass
class _Block:
    """What one block of rows leaves for the merge."""

    grow: _Growing
    table: _ClassTable
    adjacency: np.ndarray
    n_ids: int
    n_boundary: int
    first_labels: np.ndarray  # provisional ids of the block's first row
    first_cls: np.ndarray  # and its class indices
    last_labels: np.ndarray
    last_cls: np.ndarray


def _block_bounds(
    n_rows: int, n_cols: int, step: int, threads: int | None
) -> list[tuple[int, int]]:
    """Row ranges scanned by separate threads: at least two strips each."""
    n = (os.cpu_count() or 1) if threads is None else int(threads)
    if n < 1:
        raise InputError(f"threads must be at least 1; got {threads!r}.")
    n = max(1, min(n, MAX_THREADS, n_rows // (2 * step), (n_rows * n_cols) // MIN_BLOCK_CELLS))
    edges = np.linspace(0, n_rows, n + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _scan_block(read: Reader, start: int, end: int, o: _ScanOptions) -> _Block:
    """Label rows ``start .. end-1`` in strips (the rows above are not looked at)."""
    halo = o.depth + 1
    grow, table = _Growing(o.n_rows, o.n_cols), _ClassTable()
    core1 = (1 if o.edge else 2) if o.depth == 1 else 0  # depth 1: counted while labelling
    adjacency = np.zeros((17, 17), np.int64)  # grown with the classes; background last
    counters = np.zeros(3, np.int64)  # next id, boundary cells, resume row
    own = np.empty((min(o.step, max(end - start, 1)) + 1, o.n_cols), np.int64)
    own[0] = -1  # row 0: the row above the strip
    dist = np.empty(0, np.int32)
    first_labels = last_labels = np.full(o.n_cols, -1, np.int64)
    first_cls = last_cls = np.full(o.n_cols, -1, np.int32)
    for r0 in range(start, end, o.step):
        r1 = min(end, r0 + o.step)
        n_own = r1 - r0
        vals, valid = _as_strip(*read(r0 - halo, r1 + halo), (n_own + 2 * halo, o.n_cols))
        cls = table.indices(vals, valid)
        adjacency = _room_for_classes(adjacency, table.n_classes)
        del vals
        counters[2] = 0
        status = _kernels().NEED_SPACE
        while status == _kernels().NEED_SPACE:
            counters[1] = grow.reserve(int(counters[0]) + 4 * o.n_cols, int(counters[1]), o.n_cols)
            status = _kernels().label_strip(
                cls, halo, n_own, r0, own, o.eight, counters,
                grow.parent, grow.id_class, grow.id_row, grow.id_col, grow.area, grow.perim,
                grow.bnd, adjacency, grow.row_count, grow.b_cols, grow.b_ids, grow.b_mask,
                core1, grow.core,
            )  # fmt: skip
        if o.depth > 1:
            _count_core(cls, valid, halo, n_own, own, r0, o.n_rows, o.depth, o.edge,
                        dist, grow.core)  # fmt: skip
        if r0 == start:
            first_labels, first_cls = own[1].copy(), cls[halo].copy()
        last_labels, last_cls = own[n_own].copy(), cls[halo + n_own - 1].copy()
        own[0] = own[n_own]
    if o.depth == 0:
        grow.core = grow.area
    grow.close_chunk(int(counters[1]))
    return _Block(grow, table, adjacency, int(counters[0]), grow.n_boundary,
                  first_labels, first_cls, last_labels, last_cls)  # fmt: skip


def _room_for_classes(adjacency: np.ndarray, n_classes: int) -> np.ndarray:
    """The adjacency counts with room for ``n_classes`` classes (background stays last)."""
    old = adjacency.shape[0] - 1
    if n_classes <= old:
        return adjacency
    new = min(MAX_CLASSES, max(2 * old, n_classes))
    out = np.zeros((new + 1, new + 1), np.int64)
    out[:old, :old] = adjacency[:old, :old]
    out[:old, new] = adjacency[:old, old]
    out[new, :old] = adjacency[old, :old]
    out[new, new] = adjacency[old, old]
    return out


def _merge(blocks: list[_Block], eight: bool) -> tuple[_Growing, _ClassTable, np.ndarray, int, int]:
    """One set of provisional ids, classes and counts from blocks of rows."""
    if len(blocks) == 1:
        b = blocks[0]
        return b.grow, b.table, b.adjacency, b.n_ids, b.n_boundary
    table = _ClassTable()
    maps = []
    for b in blocks:
        values = b.table.values[: b.table.n_classes]
        known = {int(v): i for i, v in enumerate(table.values[: table.n_classes])}
        m = np.empty(values.size, np.int64)
        for i, v in enumerate(values.tolist()):
            if v not in known:
                if table.n_classes >= MAX_CLASSES:
                    raise InputError(
                        f"the landscape has more than {MAX_CLASSES} distinct classes: a "
                        "categorical land-cover raster is expected; reclassify it first."
                    )
                known[v] = table.n_classes
                table.values[table.n_classes] = v
                table.n_classes += 1
            m[i] = known[v]
        maps.append(m)
    bg = MAX_CLASSES
    adjacency = np.zeros((MAX_CLASSES + 1, MAX_CLASSES + 1), np.int64)
    grow = _Growing()
    id_off = np.cumsum([0] + [b.n_ids for b in blocks])
    for b, m in zip(blocks, maps, strict=True):
        n = b.table.n_classes
        full = np.append(m, bg)
        sub = np.append(np.arange(n), b.adjacency.shape[0] - 1)
        adjacency[np.ix_(full, full)] += b.adjacency[np.ix_(sub, sub)]
    offsets = zip(blocks, id_off, strict=False)
    grow.parent = np.concatenate([b.grow.parent[: b.n_ids] + o for b, o in offsets])
    grow.id_class = np.concatenate(
        [m[b.grow.id_class[: b.n_ids]] for b, m in zip(blocks, maps, strict=True)]
    )
    for name in ("id_row", "id_col", "area", "perim", "bnd", "core"):
        setattr(grow, name, np.concatenate([getattr(b.grow, name)[: b.n_ids] for b in blocks]))
    grow.chunks = [
        (cols, ids, mask, off + int(o))
        for b, o in zip(blocks, id_off, strict=False)
        for cols, ids, mask, off in b.grow.chunks
    ]
    grow.row_count = np.sum([b.grow.row_count for b in blocks], axis=0)
    for i in range(len(blocks) - 1):
        top, bot = blocks[i], blocks[i + 1]
        _kernels().join_seam(
            grow.parent,
            np.where(top.last_labels >= 0, top.last_labels + id_off[i], -1),
            _mapped(top.last_cls, maps[i]),
            np.where(bot.first_labels >= 0, bot.first_labels + id_off[i + 1], -1),
            _mapped(bot.first_cls, maps[i + 1]),
            eight,
        )
    for b in blocks:
        b.grow.release()  # merged: the blocks' copies go (the chunks live on in grow)
    return grow, table, adjacency, int(id_off[-1]), grow.n_boundary


def _mapped(cls: np.ndarray, m: np.ndarray) -> np.ndarray:
    out = np.full(cls.shape, -1, np.int64)
    ok = cls >= 0
    out[ok] = m[cls[ok]]
    return out


def _count_core(
    cls: np.ndarray,
    valid: np.ndarray,
    halo: int,
    n_own: int,
    own: np.ndarray,
    r0: int,
    n_rows: int,
    depth: int,
    edge: bool,
    dist: np.ndarray,
    core: np.ndarray,
) -> None:
    """Core cells of a strip's own rows, by the one-pass or the per-class transform."""
    if dist.size < cls.size:
        dist.resize(cls.size, refcheck=False)
    buf = dist[: cls.size].reshape(cls.shape)
    first, end = max(0, halo - r0), min(cls.shape[0], halo + n_rows - r0)  # window rows
    if edge or valid[first:end].all():
        _kernels().core_counts(cls, halo, n_own, own, depth + 1, edge, first, end, buf, core)
    else:
        present = np.unique(cls[halo : halo + n_own])
        present = present[present >= 0].astype(np.int64)
        _kernels().core_counts_by_class(cls, halo, n_own, own, depth + 1, present, buf, core)


def _finish(
    grow: _Growing,
    table: _ClassTable,
    adjacency: np.ndarray,
    n_ids: int,
    n_boundary: int,
    cell_size_m: float,
    neighbours: int,
    depth: int,
    boundary_is_edge: bool,
    enn: bool,
) -> PatchStats:
    n_classes = table.n_classes
    values = table.values[:n_classes]
    order = np.argsort(values, kind="stable")
    rank = np.empty(n_classes, np.int64)
    rank[order] = np.arange(n_classes)
    classes = values[order]

    root = _kernels().resolve_roots(grow.parent, n_ids)
    roots = np.flatnonzero(root == np.arange(n_ids))
    roots = roots[np.lexsort((roots, rank[grow.id_class[roots]]))]
    final = np.full(n_ids, -1, np.int64)
    final[roots] = np.arange(roots.size)
    patch_of = final[root]
    n_patches = roots.size

    def total(per_id: np.ndarray) -> np.ndarray:
        summed = np.bincount(patch_of, weights=per_id[:n_ids], minlength=n_patches)
        return np.rint(summed).astype(np.int64)

    adj = np.zeros((n_classes + 1, n_classes + 1), np.int64)
    bg = adjacency.shape[0] - 1
    adj[:n_classes, :n_classes] = adjacency[np.ix_(order, order)]
    adj[:n_classes, n_classes] = adjacency[order, bg]
    adj[n_classes, :n_classes] = adjacency[bg, order]
    patch_class = classes[rank[grow.id_class[roots]]]
    area = total(grow.area)
    counts = {
        "patch_perimeter_sides": total(grow.perim),
        "patch_boundary_sides": total(grow.bnd),
        "patch_core_cells": total(grow.core),
        "patch_row": grow.id_row[roots].copy(),
        "patch_col": grow.id_col[roots].copy(),
    }
    chunks, row_count = _final_chunks(grow, patch_of.astype(np.int32))
    grow.release()  # the per-id arrays, before the nearest-neighbour index is built
    del root, final
    enn_cells = np.full(n_patches, np.nan)
    if enn and n_patches:
        enn_cells = _nearest_neighbours(chunks, row_count, np.searchsorted(classes, patch_class))
    return PatchStats(
        cell_size_m=float(cell_size_m),
        neighbours=int(neighbours),
        edge_depth_cells=depth,
        boundary_is_edge=bool(boundary_is_edge),
        n_cells=int(area.sum()),
        classes=classes,
        patch_class=patch_class,
        patch_area_cells=area,
        patch_enn_cells=np.asarray(enn_cells, dtype=np.float64),
        adjacency=adj,
        **counts,
    )


def _final_chunks(
    grow: _Growing, patch_of: np.ndarray
) -> tuple[list[tuple[np.ndarray, np.ndarray, np.ndarray]], np.ndarray]:
    """The boundary chunks with final patch ids (rewritten in place) and the row counts."""
    chunks = []
    for cols, ids, mask, offset in grow.chunks:
        if offset:
            ids += offset
        np.take(patch_of, ids, out=ids)
        chunks.append((cols, ids, mask))
    return chunks, grow.row_count


def _nearest_neighbours(
    chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    row_count: np.ndarray,
    patch_rank: np.ndarray,
) -> np.ndarray:
    """ENN in cells of every patch, gathering each class's boundary cells from the chunks.

    ``patch_rank`` is each patch's class index; the rows of the cells are
    implicit (cells come in raster order, ``row_count`` per row). One class's
    columns and patch ids are gathered at a time, straight into arrays of
    their final size, and the chunks (rewritten in the list) lose them as
    they are gathered, so the cells are held about once.
    """
    from habitat.landscape.enn import class_squared_distances

    n_patches = patch_rank.shape[0]
    n_classes = int(patch_rank.max()) + 1 if n_patches else 0
    rank32 = patch_rank.astype(np.int32)
    pending = np.bincount(patch_rank, minlength=n_classes) >= 2  # classes with an ENN
    cells = np.zeros(n_classes, np.int64)
    for _, ids, _ in chunks:
        cells += np.bincount(rank32[ids], minlength=n_classes)
    row_count = row_count.astype(np.int64, copy=True)
    d2 = np.full(n_patches, np.iinfo(np.int64).max, np.int64)
    for k in np.flatnonzero(pending):
        pending[k] = False
        cols = np.empty(cells[k], np.int32)
        patch = np.empty(cells[k], np.int32)
        mask = np.empty(cells[k], np.uint8)
        rows_k = np.zeros(row_count.size, np.int64)
        dropped = np.zeros(row_count.size, np.int64)
        ends = np.cumsum(row_count)
        at = start = 0
        for j, (c, ids, m) in enumerate(chunks):
            at, kept = _kernels().gather_class(
                c, ids, m, rank32, k, pending, ends, start, cols, patch, mask, at, rows_k, dropped
            )
            start += c.shape[0]
            chunks[j] = (c[:kept].copy(), ids[:kept].copy(), m[:kept].copy())  # the rest is freed
            del c, ids, m
        row_count -= dropped  # the chunks hold the pending classes only
        class_squared_distances(rows_k, cols, patch, d2, mask=mask)
        del cols, patch, mask
    out = np.full(n_patches, np.nan)
    ok = d2 < np.iinfo(np.int64).max
    out[ok] = np.sqrt(d2[ok].astype(np.float64))
    return out


def array_reader(values: np.ndarray, valid: np.ndarray | None = None) -> Reader:
    """A :data:`Reader` over an in-memory 2-D array (rows beyond it are background).

    Examples
    --------
    >>> import numpy as np
    >>> read = array_reader(np.array([[1, 2], [3, 4]]))
    >>> vals, ok = read(-1, 1)
    >>> vals.tolist(), ok.tolist()
    ([[0, 0], [1, 2]], [[False, False], [True, True]])
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise InputError(f"a landscape is a 2-D array; got shape {values.shape}.")
    if valid is not None:
        valid = np.asarray(valid, dtype=bool)
        if valid.shape != values.shape:
            raise InputError(
                f"valid has shape {valid.shape}; it must match the values' {values.shape}."
            )
    n_rows, n_cols = values.shape

    def read(r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
        out = np.zeros((r1 - r0, n_cols), values.dtype)
        ok = np.zeros((r1 - r0, n_cols), bool)
        a, b = max(r0, 0), min(r1, n_rows)
        if a < b:
            out[a - r0 : b - r0] = values[a:b]
            ok[a - r0 : b - r0] = True if valid is None else valid[a:b]
        return out, ok

    return read


def patch_stats_array(
    values: np.ndarray,
    valid: np.ndarray | None = None,
    *,
    cell_size_m: float,
    neighbours: int = 8,
    edge_depth_cells: int = 1,
    boundary_is_edge: bool = True,
    enn: bool = True,
    strip_rows: int | None = None,
    threads: int | None = 1,
) -> PatchStats:
    """:func:`patch_stats` of an in-memory array (``valid``: cells with data).

    See the module docstring for an example.
    """
    values = np.asarray(values)
    if values.size > np.iinfo(np.int64).max // 8:  # pragma: no cover - guard
        raise TooLargeError("the array is too large")
    return patch_stats(
        array_reader(values, valid),
        values.shape,
        cell_size_m=cell_size_m,
        neighbours=neighbours,
        edge_depth_cells=edge_depth_cells,
        boundary_is_edge=boundary_is_edge,
        enn=enn,
        strip_rows=strip_rows,
        threads=threads,
    )

"""Exact Euclidean nearest-neighbour distance between patches of a class (ENN).

FRAGSTATS' ENN of a patch is the shortest centre-to-centre distance between
one of its cells and a cell of *another* patch of the *same* class ("edge to
edge" in FRAGSTATS' words; ``euclidean_nearest_neighbor`` in pylandstats,
``lsm_p_enn`` in landscapemetrics). :func:`nearest_neighbour_cells` returns it
in cell units, exactly; the caller multiplies by the cell size.

Why the boundary cells suffice
------------------------------
Call a cell a *boundary cell* when one of its four rook neighbours has another
value, is nodata or lies outside the raster. Let ``(a, b)`` be a closest pair
between the cells of patch ``p`` and the set ``B`` of cells of the other
patches of its class. Suppose all four rook neighbours of ``b`` had ``b``'s
value: a rook neighbour of the same value belongs to ``b``'s patch under both
the 4- and the 8-neighbour rule, so all four are in ``B``. Step from ``b`` by
one cell along the dominant axis of ``a - b`` (the axis with the larger
absolute difference ``m >= 1``): the squared distance to ``a`` drops by
``2m - 1 > 0``, so that neighbour is strictly closer to ``a`` than ``b`` is, a
contradiction. Hence ``b`` is a boundary cell, and by the same argument with
the roles swapped (all rook neighbours of ``a`` would be in ``p``) so is
``a``: the minimum over all cell pairs equals the minimum over boundary-cell
pairs.

Algorithm
---------
Classes are searched one at a time (the index of the largest class is the peak
memory). A class's cells, in raster order, are indexed by row: the cells
``row_ptr[r] .. row_ptr[r + 1]`` lie in row ``r``, sorted by column.
``next_other[i]`` / ``prev_other[i]`` point to the next / previous cell of the
same row list whose patch differs from cell ``i``'s, so a run of a patch's own
cells is skipped in O(1).

Every patch keeps the best squared distance ``best[p]`` found so far. For a
boundary cell ``(r, c)`` of patch ``p`` the rows ``r, r -/+ 1, r -/+ 2, ...``
are visited while ``dr**2 < best``; in each row a search (galloping from where
the previous query ended in that row, then bisection) finds the column ``c``
and the first cell of another patch on either side of it (cells farther out in
that row are farther from ``(r, c)``). Every cell that could be closer than
``best`` is thus inspected, so the search is exact. It costs about
``2 * ENN + 1`` row look-ups per boundary cell (a row without another patch's
cell costs O(1)), so the total is O(boundary cells x ENN): seconds for
millions of boundary cells of realistic maps, longer for a sprawling patch
with a very large ENN. Distances are compared as integer squared distances, so
no rounding enters before the final square root.

The cells are processed in parallel: one Python thread per core runs the numba
kernel without the GIL on blocks of cells dealt round-robin. Each worker keeps
its own best squared distance per patch (exact: only it writes there) and
also publishes improvements to a shared bound that every worker reads for
pruning. The shared bound is racy (a worker may read a stale, larger value or
overwrite a smaller one with a larger one), which only costs time: every value
it ever holds was found and kept by some worker, so the cell holding the true
minimum either finds it (its starting bound is larger) or starts from exactly
that value, already kept. The result is the minimum over the workers' bests.
Per cell the index holds four int32 (column, patch and the ends of its run):
16 bytes; rows are implicit in the per-row counts.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from habitat.core.errors import InputError

__all__ = ["DOWN", "LEFT", "RIGHT", "UP", "class_squared_distances", "nearest_neighbour_cells"]

_INF = np.iinfo(np.int64).max
#: bits of a cell's mask: its rook neighbour above, below, left, right is of its patch (the
#: nearest neighbour of the patch is then not to be found from this cell in that direction)
UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8
_BLOCK = 256  # cells per work block; blocks are dealt to threads round-robin


def _index(
    row_counts: np.ndarray, cols: np.ndarray, patch: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Row index and run skips of the raster-ordered cells of ONE class.

    Returns int32 columns and patches, the uint8 masks, the row pointers and,
    per cell, the first cell after and the last cell before its run of one
    patch within its row.
    """
    sc = cols.astype(np.int32, copy=False)
    sp = patch.astype(np.int32, copy=False)
    sm = mask.astype(np.uint8, copy=False)
    row_ptr = np.zeros(row_counts.shape[0] + 1, np.int64)
    np.cumsum(row_counts, out=row_ptr[1:])
    next_other, prev_other = _run_ends(row_ptr, sp)
    return sc, sp, sm, row_ptr, next_other, prev_other


def _same_patch_mask(rows: np.ndarray, cols: np.ndarray, patch: np.ndarray) -> np.ndarray:
    """Rook neighbours of each cell known to be of its patch: given, with the same patch id.

    ``rows`` and ``cols`` in raster order. Bits as :data:`UP`, :data:`DOWN`,
    :data:`LEFT`, :data:`RIGHT`; a neighbour not given counts as another patch
    (which only makes the search look further).
    """
    width = np.int64(cols.max()) + 3 if cols.size else 3
    key = rows.astype(np.int64) * width + cols + 1
    mask = np.zeros(key.size, np.uint8)
    for bit, step in ((UP, -width), (DOWN, width), (LEFT, -1), (RIGHT, 1)):
        at = np.searchsorted(key, key + step).clip(0, key.size - 1)
        hit = (key[at] == key + step) & (patch[at] == patch)
        mask[hit] |= bit
    return mask


@numba.njit(cache=True, nogil=True)
def _run_ends(
    row_ptr: np.ndarray, sp: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - numba
    """Per cell, the first cell after and the last before its run of one patch in its row."""
    n = sp.shape[0]
    next_other = np.empty(n, np.int32)
    prev_other = np.empty(n, np.int32)
    for r in range(row_ptr.shape[0] - 1):
        start = row_ptr[r]
        end = row_ptr[r + 1]
        for i in range(start + 1, end + 1):
            if i == end or sp[i] != sp[i - 1]:
                for j in range(start, i):
                    next_other[j] = i
                    prev_other[j] = start - 1
                start = i
    return next_other, prev_other


@numba.njit(cache=True, nogil=True)
def _search(
    sc, sp, sm, row_ptr, next_other, prev_other, searched, best, mine, w, n_workers
):  # pragma: no cover - numba
    """Worker ``w`` of ``n_workers``: search the blocks ``w, w + n_workers, ...`` of cells.

    Keeps its own best squared distance per patch in ``mine`` and lowers the
    shared (racy) bound ``best``; runs without the GIL, one Python thread per worker.
    A cell looks only where its patch's nearest neighbour could be seen from it
    first: not beyond a rook neighbour of its own patch (``sm``).
    """
    n = sc.shape[0]
    n_rows = row_ptr.shape[0] - 1
    n_blocks = (n + _BLOCK - 1) // _BLOCK
    cursor = np.zeros(n_rows, np.int64)  # last position per row, from the previous query
    for b in range(w, n_blocks, n_workers):
        first = b * _BLOCK
        r = np.searchsorted(row_ptr, first, side="right") - 1  # row of the block's first cell
        for i in range(first, min(n, (b + 1) * _BLOCK)):
            while row_ptr[r + 1] <= i:
                r += 1
            p = sp[i]
            if not searched[p]:
                continue
            c = sc[i]
            m = sm[i]
            up_ok = (m & UP) == 0
            down_ok = (m & DOWN) == 0
            left_ok = (m & LEFT) == 0
            right_ok = (m & RIGHT) == 0
            start = min(best[p], mine[p])
            b2 = start
            t = 0
            while t < n_rows and t * t < b2:
                t2 = t * t
                if t > 0 and not (up_ok or down_ok):
                    break
                for side in range(2):
                    if t == 0 and (side == 1 or not (left_ok or right_ok)):
                        break
                    if t > 0 and not (down_ok if side else up_ok):
                        continue
                    rr = r - t if side == 0 else r + t
                    if rr < 0 or rr >= n_rows:
                        continue
                    s = row_ptr[rr]
                    e = row_ptr[rr + 1]
                    if s == e or (sp[s] == p and next_other[s] >= e):
                        continue  # no cell of another patch in this row
                    # first cell with column >= c: gallop from where this
                    # worker's previous query (raster order: usually just left
                    # of c) ended in this row, then bisect
                    pos = cursor[rr]
                    if pos < s or pos > e:
                        pos = s
                    if pos < e and sc[pos] < c:
                        lo = pos + 1
                        hi = e
                        step = 1
                        while pos + step < e:
                            if sc[pos + step] >= c:
                                hi = pos + step
                                break
                            lo = pos + step + 1
                            step *= 2
                    else:
                        lo = s
                        hi = pos
                        step = 1
                        while pos - step >= s:
                            if sc[pos - step] < c:
                                lo = pos - step + 1
                                break
                            hi = pos - step
                            step *= 2
                    while lo < hi:
                        mid = (lo + hi) >> 1
                        if sc[mid] < c:
                            lo = mid + 1
                        else:
                            hi = mid
                    cursor[rr] = lo
                    if lo < e:
                        j = lo if sp[lo] != p else next_other[lo]
                        if j < e and (right_ok or sc[j] == c):
                            dc = np.int64(sc[j]) - c
                            d2 = t2 + dc * dc
                            if d2 < b2:
                                b2 = d2
                    if lo > s and left_ok:
                        j = lo - 1 if sp[lo - 1] != p else prev_other[lo - 1]
                        if j >= s:
                            dc = np.int64(c) - sc[j]
                            d2 = t2 + dc * dc
                            if d2 < b2:
                                b2 = d2
                t += 1
            if b2 < start:
                mine[p] = b2
                if b2 < best[p]:
                    best[p] = b2


@numba.njit(cache=True, nogil=True)
def _in_raster_order(rows: np.ndarray, cols: np.ndarray) -> bool:  # pragma: no cover - numba
    """Whether cells come row by row, columns increasing within a row."""
    for i in range(1, rows.shape[0]):
        if rows[i] < rows[i - 1] or (rows[i] == rows[i - 1] and cols[i] <= cols[i - 1]):
            return False
    return True


def _run_search(index: tuple[np.ndarray, ...], searched: np.ndarray) -> np.ndarray:
    """The search over one class's index, in a thread per core; best squared ENN per patch."""
    n = index[0].size
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n_workers = max(1, min(cores or 1, (n + _BLOCK - 1) // _BLOCK))
    best = np.full(searched.shape[0], _INF, np.int64)  # shared bound, racy on purpose
    mine = np.full((n_workers, searched.shape[0]), _INF, np.int64)  # each worker's own
    sc, sp, sm, row_ptr, next_other, prev_other = index
    args = (sc, sp, sm, row_ptr, next_other, prev_other, searched, best)
    if n_workers == 1:
        _search(*args, mine[0], 0, 1)
    else:
        with ThreadPoolExecutor(n_workers) as pool:
            jobs = [pool.submit(_search, *args, mine[w], w, n_workers) for w in range(n_workers)]
            for job in jobs:
                job.result()
    return mine.min(axis=0)


def nearest_neighbour_cells(
    rows: np.ndarray, cols: np.ndarray, patch: np.ndarray, patch_class: np.ndarray
) -> np.ndarray:
    """Exact distance from each patch to the nearest other patch of its class.

    Parameters
    ----------
    rows, cols : numpy.ndarray
        ``(N,)`` integers, row and column (in cells) of the boundary cells of
        the patches: cells with a rook neighbour of another value, nodata or
        outside the window. More cells (e.g. every cell) give the same answer,
        only slower. Raster order is fastest; any order is accepted.
    patch : numpy.ndarray
        ``(N,)`` integers, the patch id ``0 .. P-1`` of each cell.
    patch_class : numpy.ndarray
        ``(P,)`` integers, the class value of each patch.

    Returns
    -------
    numpy.ndarray
        ``(P,)`` float64, for each patch the shortest centre-to-centre
        Euclidean distance, in cells, between one of its cells and a cell of
        another patch of the same class (FRAGSTATS ENN before multiplying by
        the cell size); NaN when its class has no other patch.

    Raises
    ------
    InputError
        When the arrays differ in length, a patch id is outside ``0 .. P-1``,
        a row or column is negative, or a patch has no cell.

    Examples
    --------
    Two single-cell patches of class 1 three cells apart in a row, a class-2
    patch diagonal to nothing of its class:

    >>> import numpy as np
    >>> rows = np.array([0, 0, 2])
    >>> cols = np.array([0, 3, 2])
    >>> patch = np.array([0, 1, 2])
    >>> nearest_neighbour_cells(rows, cols, patch, np.array([1, 1, 2]))
    array([ 3.,  3., nan])
    """
    rows = np.asarray(rows)
    cols = np.asarray(cols)
    patch = np.asarray(patch)
    patch_class = np.asarray(patch_class)
    for name, arr in (
        ("rows", rows),
        ("cols", cols),
        ("patch", patch),
        ("patch_class", patch_class),
    ):
        if arr.ndim != 1 or not (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
            raise InputError(
                f"nearest_neighbour_cells: {name} must be a 1-D integer array, got "
                f"shape {arr.shape} and dtype {arr.dtype}; pass cell indices as int64."
            )
    n = rows.size
    if cols.size != n or patch.size != n:
        raise InputError(
            f"nearest_neighbour_cells: rows, cols and patch must have one entry per cell, got "
            f"lengths {rows.size}, {cols.size} and {patch.size}."
        )
    n_patches = patch_class.size
    out = np.full(n_patches, np.nan)
    if n_patches == 0:
        if n:
            raise InputError(
                "nearest_neighbour_cells: cells were given but patch_class is empty; "
                "pass the class of every patch id."
            )
        return out
    if n == 0:
        raise InputError(
            f"nearest_neighbour_cells: no cells for {n_patches} patches; pass the boundary "
            "cells of every patch."
        )
    if patch.min() < 0 or patch.max() >= n_patches:
        raise InputError(
            f"nearest_neighbour_cells: patch ids must lie in 0..{n_patches - 1} "
            f"(one per entry of patch_class), got {patch.min()}..{patch.max()}."
        )
    if rows.min() < 0 or cols.min() < 0:
        raise InputError(
            "nearest_neighbour_cells: rows and cols must be non-negative cell indices, got "
            f"minimum row {rows.min()} and column {cols.min()}."
        )
    n_rows = int(rows.max()) + 1
    if n >= 2**31 - 1 or n_rows >= 2**31 or int(cols.max()) >= 2**31:
        raise InputError(
            f"nearest_neighbour_cells: {n} cells over {n_rows} rows exceed the 2**31 "
            "limit of the index; split the landscape into zones."
        )
    has_cells = np.bincount(patch, minlength=n_patches) > 0
    if not has_cells.all():
        missing = np.flatnonzero(~has_cells)
        raise InputError(
            f"nearest_neighbour_cells: patch ids {missing[:5].tolist()} have no cell "
            f"({missing.size} in all); every patch has at least one boundary cell, so pass them."
        )
    # raster order (row-major) within a class is what the row index needs
    if not _in_raster_order(rows, cols):
        order = np.lexsort((cols, rows))
        rows, cols, patch = rows[order], cols[order], patch[order]
    mask = _same_patch_mask(rows, cols, patch)
    classes, class_of_patch = np.unique(patch_class, return_inverse=True)
    n_in_class = np.bincount(class_of_patch, minlength=classes.size)
    searched = n_in_class[class_of_patch] >= 2
    if not searched.any():
        return out
    d2 = np.full(n_patches, _INF, np.int64)
    cell_class = class_of_patch.astype(np.int16 if classes.size < 2**15 else np.int32)[patch]
    # one class at a time: the index of the largest class is the peak memory
    for k in np.flatnonzero(n_in_class >= 2):
        sel = cell_class == k
        row_counts = np.bincount(rows[sel], minlength=n_rows)
        class_squared_distances(row_counts, cols[sel], patch[sel], d2, mask=mask[sel])
        del sel
    ok = searched & (d2 < _INF)
    out[ok] = np.sqrt(d2[ok].astype(np.float64))
    return out


def class_squared_distances(
    row_counts: np.ndarray,
    cols: np.ndarray,
    patch: np.ndarray,
    d2: np.ndarray,
    *,
    mask: np.ndarray | None = None,
) -> None:
    """Lower ``d2[p]`` to the squared ENN (cells²) of each patch ``p`` of ONE class.

    The cells (boundary cells of all the class's patches, at least two patches,
    raster order, no checks) are given by their columns and patch ids, and
    ``row_counts`` (cells per row of the window); they are searched as in
    :func:`nearest_neighbour_cells`. ``mask`` (uint8 per cell, bits
    :data:`UP`, :data:`DOWN`, :data:`LEFT`, :data:`RIGHT`) says which rook
    neighbours are known to be of the cell's patch (default: none). ``d2``
    (int64, one entry per patch id, initially the largest int64) is updated
    in place. For callers that hold the cells class by class.
    """
    if mask is None:
        mask = np.zeros(cols.shape[0], np.uint8)
    index = _index(row_counts, cols, patch, mask)
    searched = np.zeros(d2.shape[0], bool)
    searched[index[1]] = True
    np.minimum(d2, _run_search(index, searched), out=d2)

"""Compiled kernels of :mod:`habitat.corridors.cost`: shortest paths on an 8-neighbour grid.

Layout
------
The grid is flat (row-major) and *padded*: one ring of impassable cells
around the raster, so that a cell's eight neighbours are always at the offsets
``±1``, ``±n_cols`` and ``±n_cols ± 1`` of the padded grid and no edge test is
needed. The search arrays interleave each cell's accumulated cost and its
resistance (``cells[2 * i]`` and ``cells[2 * i + 1]``): a neighbour's two values
share a cache line, which is what the search waits for on large rasters.
Impassable cells hold an ``inf`` (or NaN) resistance and are never entered.

Arithmetic
----------
The step from cell ``a`` to its neighbour ``b`` costs
``half_length * (r[a] + r[b])`` where ``half_length`` is half the step's length
in metres (the cell size, or the diagonal ``sqrt(2 * cell_size**2)``), added to
``cost[a]``: the arithmetic, in that order, of
:class:`skimage.graph.MCP_Geometric`. Every exact shortest-path search then
gives the same floating-point numbers, whatever its order: the least, over the
paths to a cell, of the path's step costs summed from its source (rounding is
monotone, so the usual proofs of Dijkstra's search hold for these sums).

Searches
--------
:func:`accumulate_buckets` (Dial's algorithm) keeps the cells waiting for their
turn in a ring of buckets of width ``delta``, at most half the cheapest step:
a cell reached from a cell of the current bucket lands at least two buckets
later, so when a bucket comes up its cells' costs are final and they are
settled in any order, without a heap. The ring has room for the costliest
step; the number of buckets scanned is the largest cost over ``delta``, so the
caller uses it when resistances span at most a few thousand to one.
:func:`accumulate_heap` is Dijkstra's search with a binary heap (lazy
deletion: a cell is pushed again when its cost drops, stale entries are
skipped), for any contrast.

These are loops over cells: numba compiles them (``cache=True``: once per
machine, a few seconds).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["accumulate_buckets", "accumulate_heap", "neighbour_offsets", "trace"]


def neighbour_offsets(n_cols_padded: int) -> np.ndarray:
    """Flat offsets (int64) of the 8 neighbours in a padded row-major grid.

    Order: the 4 orthogonal neighbours (N, W, E, S), then the 4 diagonal ones
    (NW, NE, SW, SE).
    """
    w = int(n_cols_padded)
    return np.array([-w, -1, 1, w, -w - 1, -w + 1, w - 1, w + 1], dtype=np.int64)


@numba.njit(cache=True, nogil=True)
def _grow(values: np.ndarray, used: int) -> np.ndarray:  # pragma: no cover - numba
    grown = np.empty(2 * values.size, dtype=values.dtype)
    grown[:used] = values[:used]
    return grown


@numba.njit(cache=True, nogil=True)
def accumulate_buckets(
    cells: np.ndarray,
    seeds: np.ndarray,
    seed_labels: np.ndarray,
    offsets: np.ndarray,
    half_lengths: np.ndarray,
    delta: float,
    n_slots: int,
    max_cost: float,
    allocation: np.ndarray,
    with_allocation: bool,
) -> int:  # pragma: no cover - numba
    """Accumulated cost from the seed cells (cost 0), in place, with Dial's buckets.

    Parameters
    ----------
    cells : float64[:]
        Interleaved (cost, resistance) of the padded grid; costs ``inf`` on entry.
    seeds : int64[:]
        Padded flat indices of the source cells.
    seed_labels : int32[:]
        Label of each seed, spread to ``allocation``.
    offsets : int64[8]
        :func:`neighbour_offsets`.
    half_lengths : float64[8]
        Half the step length (m) of each offset.
    delta : float
        Bucket width, > 0 and at most half the cheapest step's cost.
    n_slots : int
        Buckets in the ring: a power of two above the costliest step over
        ``delta`` plus 2.
    max_cost : float
        Cells costing more are left unsettled (the caller sets them to ``inf``).
    allocation : int32[:]
        Padded flat labels (zeros on entry) when ``with_allocation``.
    with_allocation : bool
        Whether to record which seed label reaches each cell.

    Returns
    -------
    int
        Number of cells settled.
    """
    inv_delta = 1.0 / delta
    mask = n_slots - 1
    head = np.full(n_slots, -1, dtype=np.int64)
    pool_cell = np.empty(1 << 16, dtype=np.int64)
    pool_next = np.empty(1 << 16, dtype=np.int64)
    used = 0
    free = -1
    pending = 0
    batch = np.empty(1 << 12, dtype=np.int64)
    for s in range(seeds.size):
        cell = seeds[s]
        cells[2 * cell] = 0.0
        if with_allocation:
            allocation[cell] = seed_labels[s]
        if used == pool_cell.size:
            pool_cell = _grow(pool_cell, used)
            pool_next = _grow(pool_next, used)
        pool_cell[used] = cell
        pool_next[used] = head[0]
        head[0] = used
        used += 1
        pending += 1
    inf = np.inf
    last = np.int64(max_cost * inv_delta) + 1 if max_cost < inf else np.int64(-1)
    settled = 0
    b = np.int64(-1)
    while pending > 0:
        b += 1
        if last >= 0 and b > last:
            break
        slot = b & mask
        e = head[slot]
        if e < 0:
            continue
        head[slot] = -1
        # the bucket's cells into a batch; its pool entries back to the free list
        k = 0
        while e >= 0:
            if k == batch.size:
                batch = _grow(batch, k)
            batch[k] = pool_cell[e]
            k += 1
            nxt = pool_next[e]
            pool_next[e] = free
            free = e
            e = nxt
        pending -= k
        for j in range(k):
            cur = batch[j]
            d = cells[2 * cur]
            if np.int64(d * inv_delta) != b:
                continue  # settled in an earlier bucket (its cost dropped)
            # (a cell listed twice in this bucket is settled twice: harmless, rare)
            settled += 1
            r_cur = cells[2 * cur + 1]
            label = allocation[cur] if with_allocation else 0
            for q in range(8):
                nb = cur + offsets[q]
                r_nb = cells[2 * nb + 1]
                if not r_nb < inf:
                    continue  # impassable (inf, NaN)
                nd = d + half_lengths[q] * (r_cur + r_nb)
                if nd < cells[2 * nb]:
                    cells[2 * nb] = nd
                    if with_allocation:
                        allocation[nb] = label
                    if free >= 0:
                        e = free
                        free = pool_next[e]
                    else:
                        if used == pool_cell.size:
                            pool_cell = _grow(pool_cell, used)
                            pool_next = _grow(pool_next, used)
                        e = used
                        used += 1
                    target = np.int64(nd * inv_delta) & mask
                    pool_cell[e] = nb
                    pool_next[e] = head[target]
                    head[target] = e
                    pending += 1
    return settled


@numba.njit(cache=True, nogil=True)
def accumulate_heap(
    cells: np.ndarray,
    seeds: np.ndarray,
    seed_labels: np.ndarray,
    offsets: np.ndarray,
    half_lengths: np.ndarray,
    max_cost: float,
    allocation: np.ndarray,
    with_allocation: bool,
) -> int:  # pragma: no cover - numba
    """Accumulated cost from the seed cells, in place, with a binary heap (any contrast).

    Parameters as :func:`accumulate_buckets` (no ``delta``, ``n_slots``).
    """
    cap = max(4096, 2 * seeds.size)
    heap = np.empty(2 * cap, dtype=np.float64)  # interleaved (key, cell)
    size = 0
    for s in range(seeds.size):
        cell = seeds[s]
        cells[2 * cell] = 0.0
        if with_allocation:
            allocation[cell] = seed_labels[s]
        heap[2 * size] = 0.0
        heap[2 * size + 1] = cell
        size += 1  # all keys 0: already a heap
    inf = np.inf
    settled = 0
    while size > 0:
        d = heap[0]
        cur = np.int64(heap[1])
        size -= 1
        if size > 0:  # the last entry sinks from the root
            key = heap[2 * size]
            val = heap[2 * size + 1]
            i = 0
            while True:
                c = 2 * i + 1
                if c >= size:
                    break
                ck = heap[2 * c]
                if c + 1 < size and heap[2 * c + 2] < ck:
                    c += 1
                    ck = heap[2 * c]
                if ck >= key:
                    break
                heap[2 * i] = ck
                heap[2 * i + 1] = heap[2 * c + 1]
                i = c
            heap[2 * i] = key
            heap[2 * i + 1] = val
        if d > cells[2 * cur]:
            continue  # stale entry
        if d > max_cost:
            break
        settled += 1
        r_cur = cells[2 * cur + 1]
        label = allocation[cur] if with_allocation else 0
        for q in range(8):
            nb = cur + offsets[q]
            r_nb = cells[2 * nb + 1]
            if not r_nb < inf:
                continue
            nd = d + half_lengths[q] * (r_cur + r_nb)
            if nd < cells[2 * nb]:
                cells[2 * nb] = nd
                if with_allocation:
                    allocation[nb] = label
                if size == cap:
                    heap = _grow(heap, 2 * size)
                    cap *= 2
                i = size
                while i > 0:
                    p = (i - 1) >> 1
                    pk = heap[2 * p]
                    if pk <= nd:
                        break
                    heap[2 * i] = pk
                    heap[2 * i + 1] = heap[2 * p + 1]
                    i = p
                heap[2 * i] = nd
                heap[2 * i + 1] = nb
                size += 1
    return settled


@numba.njit(cache=True, nogil=True)
def trace(
    cost: np.ndarray,
    resistance: np.ndarray,
    offsets: np.ndarray,
    half_lengths: np.ndarray,
    start: int,
) -> np.ndarray:  # pragma: no cover - numba
    """Cells of the least-cost path from ``start`` down to a cell of cost 0.

    ``cost`` and ``resistance`` are padded flat arrays (not interleaved). Each
    step goes to the neighbour ``n`` that minimises
    ``cost[n] + half_length * (r[n] + r[cur])``: the predecessor through which
    the accumulated cost reached the cell (that sum equals ``cost[cur]``
    exactly on a surface computed by the searches above), ties going to the
    cheaper neighbour.

    Returns
    -------
    int64[:]
        Padded flat indices from ``start`` to the source cell; empty when the
        descent stalls (``cost`` is not an accumulated cost of ``resistance``).
    """
    path = np.empty(1024, dtype=np.int64)
    path[0] = start
    n = 1
    cur = start
    inf = np.inf
    limit = cost.size
    while cost[cur] > 0.0:
        best = inf
        best_cost = inf
        nxt = -1
        r_cur = resistance[cur]
        for k in range(8):
            nb = cur + offsets[k]
            c_nb = cost[nb]
            r_nb = resistance[nb]
            if not (c_nb < inf and r_nb < inf):
                continue
            v = c_nb + half_lengths[k] * (r_nb + r_cur)
            if v < best or (v == best and c_nb < best_cost):
                best = v
                best_cost = c_nb
                nxt = nb
        if nxt < 0 or not cost[nxt] < cost[cur] or n >= limit:
            return path[:0]
        if n == path.size:
            path = _grow(path, n)
        path[n] = nxt
        n += 1
        cur = nxt
    return path[:n].copy()

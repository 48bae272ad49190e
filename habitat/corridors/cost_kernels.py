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


#: cells per chunk of a bucket (a bucket is a chain of chunks, filled in order)
_CHUNK = 256


@numba.njit(cache=True, nogil=True, inline="always")
def _seed(
    cells: np.ndarray, allocation: np.ndarray, with_allocation: bool, cell: int, label: int
) -> None:  # pragma: no cover - numba
    """Make ``cell`` a source: cost 0, and ``label`` in ``allocation``."""
    cells[2 * cell] = 0.0
    if with_allocation:
        allocation[cell] = label


@numba.njit(cache=True, nogil=True, inline="always")
def _relax_neighbours(
    cells: np.ndarray,
    cur: int | np.int64,
    offsets: np.ndarray,
    half_lengths: np.ndarray,
    allocation: np.ndarray,
    with_allocation: bool,
    improved: np.ndarray,
) -> int:  # pragma: no cover - numba
    """Step from the settled cell ``cur`` to its eight neighbours.

    Writes the lower costs (and ``cur``'s label) of the neighbours the step
    improves, lists them in ``improved`` and returns how many: the caller queues
    them (its bucket or heap). Impassable neighbours (resistance inf or NaN) are
    never entered. Kept apart from the queueing, this loop of eight compiles
    tight: both searches ran about 1.2-2.5x faster than with the queueing inside
    it (same results to the bit).
    """
    d = cells[2 * cur]
    r_cur = cells[2 * cur + 1]
    label = allocation[cur] if with_allocation else 0
    n = 0
    for q in range(8):
        nb = cur + offsets[q]
        r_nb = cells[2 * nb + 1]
        if not r_nb < np.inf:
            continue
        nd = d + half_lengths[q] * (r_cur + r_nb)
        if nd < cells[2 * nb]:
            cells[2 * nb] = nd
            if with_allocation:
                allocation[nb] = label
            improved[n] = nb
            n += 1
    return n


@numba.njit(cache=True, nogil=True)
def _chain_chunk(
    slot: int | np.int64,
    head: np.ndarray,
    tail: np.ndarray,
    fill: np.ndarray,
    chunk_cells: np.ndarray,
    chunk_next: np.ndarray,
    n_chunks: int,
    free: int,
) -> tuple[np.ndarray, np.ndarray, int, int, int]:  # pragma: no cover - numba
    """Chain an empty chunk to bucket ``slot`` (its tail chunk is full, or it has none).

    The chunk is a recycled one (``free``) or a new one (the chunk arrays grow
    when full). Returns the chunk arrays, ``n_chunks``, ``free`` and the new
    tail chunk: numba's reallocated arrays and scalars go back to the caller
    this way. Called once per :data:`_CHUNK` cells pushed (a plain compiled
    call); the pushes themselves stay in the search's loop.
    """
    if free >= 0:
        fresh = free
        free = chunk_next[fresh]
    else:
        if n_chunks == chunk_next.size:
            chunk_next = _grow(chunk_next, n_chunks)
            chunk_cells = _grow(chunk_cells, n_chunks * _CHUNK)
        fresh = n_chunks
        n_chunks += 1
    chunk_next[fresh] = -1
    t = tail[slot]
    if t < 0:
        head[slot] = fresh
    else:
        chunk_next[t] = fresh
    tail[slot] = fresh
    fill[slot] = 0
    return chunk_cells, chunk_next, n_chunks, free, fresh


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

    Notes
    -----
    A bucket holds the cells pushed into it in chunks of :data:`_CHUNK` cells
    (a chain of chunks, appended in order, recycled once read): pushes and
    reads run along contiguous memory, without a heap.
    """
    size = _CHUNK
    inv_delta = 1.0 / delta
    mask = n_slots - 1
    head = np.full(n_slots, -1, dtype=np.int64)  # first chunk of each bucket
    tail = np.full(n_slots, -1, dtype=np.int64)  # chunk being filled
    fill = np.zeros(n_slots, dtype=np.int64)  # cells in the tail chunk
    chunk_cells = np.empty(size * 64, dtype=np.int64)
    chunk_next = np.empty(64, dtype=np.int64)
    n_chunks = 0
    free = -1  # recycled chunks, chained through chunk_next
    pending = 0
    improved = np.empty(8, dtype=np.int64)
    settled = 0
    # the seeds go to bucket 0 (cost 0)
    for s in range(seeds.size):
        cell = seeds[s]
        _seed(cells, allocation, with_allocation, cell, seed_labels[s])
        t = tail[0]
        if t < 0 or fill[0] == size:
            chunk_cells, chunk_next, n_chunks, free, t = _chain_chunk(
                0, head, tail, fill, chunk_cells, chunk_next, n_chunks, free
            )
        chunk_cells[t * size + fill[0]] = cell
        fill[0] += 1
        pending += 1
    # then each cell settled pushes its improved neighbours, bucket by bucket
    b = np.int64(0)
    last = np.int64(max_cost * inv_delta) + 1 if max_cost < np.inf else np.int64(-1)
    while pending > 0:
        # settle the next non-empty bucket
        slot = b & mask
        while head[slot] < 0:
            b += 1
            slot = b & mask
        if last >= 0 and b > last:
            break
        c = head[slot]
        last_chunk = tail[slot]
        last_fill = fill[slot]
        head[slot] = -1
        tail[slot] = -1
        fill[slot] = 0
        while c >= 0:
            k = last_fill if c == last_chunk else size
            pending -= k
            first = c * size
            for j in range(first, first + k):
                cur = chunk_cells[j]
                if np.int64(cells[2 * cur] * inv_delta) != b:
                    continue  # settled in an earlier bucket (its cost dropped)
                # (a cell listed twice in this bucket is settled twice: harmless, rare)
                settled += 1
                n_improved = _relax_neighbours(
                    cells, cur, offsets, half_lengths, allocation, with_allocation, improved
                )
                for e in range(n_improved):
                    nb = improved[e]
                    ts = np.int64(cells[2 * nb] * inv_delta) & mask
                    t = tail[ts]
                    if t < 0 or fill[ts] == size:
                        chunk_cells, chunk_next, n_chunks, free, t = _chain_chunk(
                            ts, head, tail, fill, chunk_cells, chunk_next, n_chunks, free
                        )
                    chunk_cells[t * size + fill[ts]] = nb
                    fill[ts] += 1
                    pending += 1
            nxt = chunk_next[c]
            chunk_next[c] = free  # read: recycle
            free = c
            c = nxt
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
    improved = np.empty(8, dtype=np.int64)
    for s in range(seeds.size):
        cell = seeds[s]
        _seed(cells, allocation, with_allocation, cell, seed_labels[s])
        heap[2 * size] = 0.0
        heap[2 * size + 1] = cell
        size += 1  # all keys 0: already a heap
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
        n_improved = _relax_neighbours(
            cells, cur, offsets, half_lengths, allocation, with_allocation, improved
        )
        for e in range(n_improved):
            nb = improved[e]
            nd = cells[2 * nb]
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

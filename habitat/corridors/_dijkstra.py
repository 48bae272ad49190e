"""Compiled kernels of :mod:`habitat.corridors.cost`: Dijkstra on an 8-neighbour grid.

The grid is flat (row-major) and *padded*: one ring of impassable cells
(``inf``) around the raster, so that a cell's eight neighbours are always at
the offsets ``±1``, ``±n_cols`` and ``±n_cols ± 1`` of the padded grid and no
edge test is needed. Impassable cells hold ``inf`` (or NaN) resistance and are
never entered.

The step from cell ``a`` to its neighbour ``b`` costs
``half_length * (r[a] + r[b])`` where ``half_length`` is half the step's length
in metres (cell size, or the diagonal ``sqrt(2 * cell_size**2)``): the
arithmetic, in that order, of :class:`skimage.graph.MCP_Geometric`, so that the
two give the same floating-point numbers.

The priority queue is a binary heap with lazy deletion: a cell is pushed again
when its tentative cost drops, and stale entries are skipped when popped.

These are loops over cells: numba compiles them (``cache=True``: once per
machine, a few seconds).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["accumulate", "neighbour_offsets", "trace"]


def neighbour_offsets(n_cols_padded: int) -> np.ndarray:
    """Flat offsets (int64) of the 8 neighbours in a padded row-major grid.

    Order: the 4 orthogonal neighbours (N, W, E, S), then the 4 diagonal ones
    (NW, NE, SW, SE).
    """
    w = int(n_cols_padded)
    return np.array([-w, -1, 1, w, -w - 1, -w + 1, w - 1, w + 1], dtype=np.int64)


@numba.njit(cache=True, nogil=True)
def _sift_up(keys: np.ndarray, vals: np.ndarray, i: int) -> None:  # pragma: no cover - numba
    key = keys[i]
    val = vals[i]
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        vals[i] = vals[parent]
        i = parent
    keys[i] = key
    vals[i] = val


@numba.njit(cache=True, nogil=True)
def _sift_down(keys: np.ndarray, vals: np.ndarray, size: int) -> None:  # pragma: no cover
    # the last entry, moved to the root, sinks to its place
    key = keys[size]
    val = vals[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= key:
            break
        keys[i] = keys[child]
        vals[i] = vals[child]
        i = child
    keys[i] = key
    vals[i] = val


@numba.njit(cache=True, nogil=True)
def accumulate(
    resistance: np.ndarray,
    seeds: np.ndarray,
    seed_labels: np.ndarray,
    offsets: np.ndarray,
    half_lengths: np.ndarray,
    max_cost: float,
    cost: np.ndarray,
    allocation: np.ndarray,
) -> int:  # pragma: no cover - numba
    """Accumulated cost from the seed cells (cost 0), in place.

    Parameters
    ----------
    resistance : float64[:]
        Padded flat resistance; ``inf``/NaN = impassable (the padding ring too).
    seeds : int64[:]
        Flat padded indices of the source cells.
    seed_labels : int32[:]
        Label of each seed (written to ``allocation``).
    offsets : int64[8]
        :func:`neighbour_offsets`.
    half_lengths : float64[8]
        Half the step length (m) for each offset.
    max_cost : float
        Cells costing more stay ``inf`` (pass ``inf`` for no limit).
    cost : float64[:]
        Padded flat output, filled with ``inf`` by the caller.
    allocation : int32[:]
        Padded flat output, filled with 0 by the caller: the label of the
        source each cell is reached from.

    Returns
    -------
    int
        Number of cells settled (popped with their final cost).
    """
    n_seeds = seeds.size
    cap = max(4096, 2 * n_seeds)
    keys = np.empty(cap, dtype=np.float64)
    vals = np.empty(cap, dtype=np.int64)
    size = 0
    for s in range(n_seeds):
        cell = seeds[s]
        cost[cell] = 0.0
        allocation[cell] = seed_labels[s]
        keys[size] = 0.0
        vals[size] = cell
        size += 1  # all keys 0: already a heap
    settled = 0
    inf = np.inf
    while size > 0:
        d = keys[0]
        cur = vals[0]
        size -= 1
        if size > 0:
            _sift_down(keys, vals, size)
        if d > cost[cur]:
            continue  # stale entry
        if d > max_cost:
            break
        settled += 1
        r_cur = resistance[cur]
        label = allocation[cur]
        for k in range(8):
            nb = cur + offsets[k]
            r_nb = resistance[nb]
            if not r_nb < inf:
                continue  # impassable (inf, NaN)
            nd = d + half_lengths[k] * (r_cur + r_nb)
            if nd < cost[nb]:
                cost[nb] = nd
                allocation[nb] = label
                if size == cap:
                    cap *= 2
                    new_keys = np.empty(cap, dtype=np.float64)
                    new_vals = np.empty(cap, dtype=np.int64)
                    new_keys[:size] = keys[:size]
                    new_vals[:size] = vals[:size]
                    keys = new_keys
                    vals = new_vals
                keys[size] = nd
                vals[size] = nb
                _sift_up(keys, vals, size)
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

    Each step goes to the neighbour ``n`` that minimises
    ``cost[n] + half_length * (r[n] + r[cur])``: the predecessor through which
    the accumulated cost reached the cell (that sum equals ``cost[cur]`` exactly
    on a surface computed by :func:`accumulate`), ties going to the cheaper
    neighbour.

    Returns
    -------
    int64[:]
        Flat padded indices from ``start`` to the source cell; empty when the
        descent stalls (``cost`` is not an accumulated cost of ``resistance``).
    """
    cap = 1024
    path = np.empty(cap, dtype=np.int64)
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
        if n == cap:
            cap *= 2
            grown = np.empty(cap, dtype=np.int64)
            grown[:n] = path[:n]
            path = grown
        path[n] = nxt
        n += 1
        cur = nxt
    return path[:n].copy()

"""Compiled kernels of the patch engine (:mod:`habitat.landscape.patches`).

The engine walks a categorical raster in strips of rows. For each strip,
:func:`label_strip` gives every cell a *provisional* patch id with a
union-find over ids (one raster scan, the classical two-pass connected
component labelling with its second pass deferred to the end), and
accumulates per provisional id what the FRAGSTATS metrics need: the cells,
the cell sides on the perimeter (and of those, the sides facing nodata or the
window's edge), the class adjacency counts and the boundary cells (for the
nearest-neighbour search). :func:`core_counts` adds the core cells of the
strip. :func:`resolve_roots` finishes the labelling. :func:`gather_class`
collects one class's boundary cells for the nearest-neighbour search.

Ids are created in raster order and a union always keeps the smaller id as
root, so a patch's root is the id of its first cell in raster order and
``parent[i] <= i`` for every id.

These are loops over cells: numba compiles them (``cache=True``, so the
compilation, a few seconds, happens once per machine).
"""

from __future__ import annotations

import numba
import numpy as np

from habitat.landscape.enn import DOWN, LEFT, RIGHT, UP

__all__ = [
    "classify",
    "gather_class",
    "core_counts",
    "core_counts_by_class",
    "join_seam",
    "label_strip",
    "resolve_roots",
    "valid_range",
]

#: status codes returned by :func:`label_strip`: done, or arrays full (grow them and
#: call again: ``counters[2]`` is the row to resume at)
OK, NEED_SPACE = 0, 2


@numba.njit(cache=True, nogil=True)
def _find(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@numba.njit(cache=True, nogil=True)
def _union(parent: np.ndarray, a: int, b: int) -> int:
    ra = _find(parent, a)
    rb = _find(parent, b)
    if ra < rb:
        parent[rb] = ra
        return ra
    if rb < ra:
        parent[ra] = rb
    return rb


@numba.njit(cache=True, nogil=True)
def label_strip(  # noqa: PLR0913, PLR0912, PLR0915 - one pass over the strip, by design
    cls: np.ndarray,
    top: int,
    n_own: int,
    row0: int,
    own_labels: np.ndarray,
    eight: bool,
    counters: np.ndarray,
    parent: np.ndarray,
    id_class: np.ndarray,
    id_row: np.ndarray,
    id_col: np.ndarray,
    area: np.ndarray,
    perim: np.ndarray,
    bnd: np.ndarray,
    adjacency: np.ndarray,
    row_count: np.ndarray,
    b_cols: np.ndarray,
    b_ids: np.ndarray,
    b_mask: np.ndarray,
    core1: int,
    core: np.ndarray,
) -> int:
    """Label the own rows ``top .. top + n_own - 1`` of a strip and accumulate.

    ``cls`` holds the strip's class indices (-1: background) with halo rows
    above and below (at least one each). ``own_labels`` gets the provisional
    ids of the own rows in its rows ``1 .. n_own``; its row 0 holds those of
    the row just above them (-1: none). ``counters`` = [next id, boundary
    cells written, own row to start at]. ``core1`` counts the core cells of an
    edge depth of one cell here (the 4-neighbour erosion once: no rook neighbour
    of another class, nor background when ``core1 == 1``; ``core1 == 2``:
    background is not edge; 0: not here). A boundary cell (a rook side not
    facing its own class) is written to ``b_cols``, ``b_ids`` and ``b_mask``:
    which of its rook neighbours (bits :data:`UP`, :data:`DOWN`, :data:`LEFT`,
    :data:`RIGHT`) are of its class, hence of its patch. Returns a status code.
    """
    n_cols = cls.shape[1]
    bg = adjacency.shape[0] - 1
    last = n_cols - 1
    for rr in range(counters[2], n_own):
        if counters[0] + n_cols > parent.shape[0] or counters[1] + n_cols > b_cols.shape[0]:
            counters[2] = rr
            return NEED_SPACE
        r = top + rr
        for c in range(n_cols):
            k = cls[r, c]
            if k < 0:
                own_labels[rr + 1, c] = -1
                continue
            # -- labelling: neighbours already visited (W, NW, N, NE). A same-class
            # N already joins NW and NE (rook neighbours of N, labelled with it);
            # a same-class W already joins NW.
            w_same = c > 0 and cls[r, c - 1] == k
            lab = own_labels[rr + 1, c - 1] if w_same else -1
            # (the row above a block's first row is not labelled: up = -1 there)
            if cls[r - 1, c] == k:
                up = own_labels[rr, c]
                if up >= 0:
                    lab = up if lab < 0 or lab == up else _union(parent, lab, up)
            elif eight:
                if not w_same and c > 0 and cls[r - 1, c - 1] == k:
                    up = own_labels[rr, c - 1]
                    if up >= 0:
                        lab = up if lab < 0 or lab == up else _union(parent, lab, up)
                if c < last and cls[r - 1, c + 1] == k:
                    up = own_labels[rr, c + 1]
                    if up >= 0:
                        lab = up if lab < 0 or lab == up else _union(parent, lab, up)
            if lab < 0:
                lab = counters[0]
                counters[0] = lab + 1
                parent[lab] = lab
                id_class[lab] = k
                id_row[lab] = row0 + rr
                id_col[lab] = c
            own_labels[rr + 1, c] = lab
            area[lab] += 1
            # -- the four sides: perimeter, sides facing background, class adjacency
            n_n = cls[r - 1, c]
            n_s = cls[r + 1, c]
            n_w = cls[r, c - 1] if c > 0 else -1
            n_e = cls[r, c + 1] if c < last else -1
            background = (n_n < 0) + (n_s < 0) + (n_w < 0) + (n_e < 0)
            sides = (n_n != k) + (n_s != k) + (n_w != k) + (n_e != k)
            adjacency[k, k] += 4 - sides
            if sides > background:  # sides facing other classes
                if n_n >= 0 and n_n != k:
                    adjacency[k, n_n] += 1
                if n_s >= 0 and n_s != k:
                    adjacency[k, n_s] += 1
                if n_w >= 0 and n_w != k:
                    adjacency[k, n_w] += 1
                if n_e >= 0 and n_e != k:
                    adjacency[k, n_e] += 1
            if core1 == 1:
                if sides == 0:
                    core[lab] += 1
            elif core1 == 2 and sides == background:
                core[lab] += 1
            if background:
                bnd[lab] += background
                adjacency[k, bg] += background
                adjacency[bg, k] += background
            if sides:
                perim[lab] += sides
                j = counters[1]
                row_count[row0 + rr] += 1
                b_cols[j] = c
                b_ids[j] = lab
                b_mask[j] = (
                    (n_n == k) * UP + (n_s == k) * DOWN + (n_w == k) * LEFT + (n_e == k) * RIGHT
                )
                counters[1] = j + 1
    counters[2] = n_own
    return OK


@numba.njit(cache=True, nogil=True)
def core_counts(  # noqa: PLR0913, PLR0912 - two passes, by design
    cls: np.ndarray,
    top: int,
    n_own: int,
    own_labels: np.ndarray,
    cap: int,
    edge: bool,
    first_row: int,
    end_row: int,
    dist: np.ndarray,
    core: np.ndarray,
) -> None:
    """Add each own-row cell that is core to ``core[provisional id]``.

    A cell of class ``k`` is core when no cell within city-block (4-neighbour)
    distance ``cap - 1`` is a cell of another class nor, when ``edge``,
    background: the 4-neighbour erosion repeated ``cap - 1`` times of
    FRAGSTATS, landscapemetrics and pylandstats. Strip rows ``first_row ..
    end_row - 1`` are inside the window; the others are beyond its top or
    bottom. The halo must be at least ``cap`` rows deep.

    One two-pass city-block transform over cells of the same class, capped at
    ``cap``: a cell next to a different cell (or to background, when edge)
    is at distance 1, else 1 + the smallest distance of its same-class rook
    neighbours. Exact: every cell on a monotone staircase from a cell to its
    nearest target is nearer to it than the target, so it is of the same
    class, and the forward (N, W) and backward (S, E) passes follow such a
    staircase. When background is *not* edge it is transparent, which this
    transform cannot follow: callers use :func:`core_counts_by_class` for
    strips with background inside the window.
    """
    n_rows, n_cols = cls.shape
    last = n_cols - 1
    for r in range(n_rows):
        for c in range(n_cols):
            k = cls[r, c]
            if k < 0:
                dist[r, c] = 0
                continue
            if r == 0 or r == n_rows - 1:
                dist[r, c] = cap  # halo edge: unknown beyond, at least cap away from own rows
                continue
            n_n, n_s = cls[r - 1, c], cls[r + 1, c]
            n_w = cls[r, c - 1] if c > 0 else -1
            n_e = cls[r, c + 1] if c < last else -1
            near = (n_n >= 0 and n_n != k) or (n_s >= 0 and n_s != k)
            near = near or (n_w >= 0 and n_w != k) or (n_e >= 0 and n_e != k)
            if not near and (n_n < 0 or n_s < 0 or n_w < 0 or n_e < 0):
                near = edge or (
                    (n_n < 0 and first_row <= r - 1 < end_row)
                    or (n_s < 0 and first_row <= r + 1 < end_row)
                    or (n_w < 0 and c > 0)
                    or (n_e < 0 and c < last)
                )
            if near:
                dist[r, c] = 1
                continue
            d = cap
            if cls[r - 1, c] == k:
                d = min(d, dist[r - 1, c] + 1)
            if c > 0 and cls[r, c - 1] == k:
                d = min(d, dist[r, c - 1] + 1)
            dist[r, c] = d
    for r in range(n_rows - 2, 0, -1):
        for c in range(last, -1, -1):
            k = cls[r, c]
            d = dist[r, c]
            if k < 0 or d <= 1:
                continue
            if cls[r + 1, c] == k:
                d = min(d, dist[r + 1, c] + 1)
            if c < last and cls[r, c + 1] == k:
                d = min(d, dist[r, c + 1] + 1)
            dist[r, c] = d
    for rr in range(n_own):
        r = top + rr
        for c in range(n_cols):
            if cls[r, c] >= 0 and dist[r, c] >= cap:
                core[own_labels[rr + 1, c]] += 1


@numba.njit(cache=True, nogil=True)
def core_counts_by_class(  # noqa: PLR0913, PLR0912 - two passes per class, by design
    cls: np.ndarray,
    top: int,
    n_own: int,
    own_labels: np.ndarray,
    cap: int,
    present: np.ndarray,
    dist: np.ndarray,
    core: np.ndarray,
) -> None:
    """:func:`core_counts` when background is transparent (not edge).

    Per class present, the exact unconstrained two-pass city-block distance
    to the cells of other classes (background and the window's edges are
    not targets), capped at ``cap``.
    """
    n_rows, n_cols = cls.shape
    for i in range(present.shape[0]):
        k = present[i]
        for r in range(n_rows):
            for c in range(n_cols):
                kk = cls[r, c]
                if kk >= 0 and kk != k:
                    dist[r, c] = 0
                    continue
                d = cap
                if r > 0:
                    d = min(d, dist[r - 1, c] + 1)
                if c > 0:
                    d = min(d, dist[r, c - 1] + 1)
                dist[r, c] = d
        for r in range(n_rows - 1, -1, -1):
            for c in range(n_cols - 1, -1, -1):
                d = dist[r, c]
                if d == 0:
                    continue
                if r < n_rows - 1:
                    d = min(d, dist[r + 1, c] + 1)
                if c < n_cols - 1:
                    d = min(d, dist[r, c + 1] + 1)
                dist[r, c] = d
        for rr in range(n_own):
            r = top + rr
            for c in range(n_cols):
                if cls[r, c] == k and dist[r, c] >= cap:
                    core[own_labels[rr + 1, c]] += 1


@numba.njit(cache=True, nogil=True)
def valid_range(vals: np.ndarray, valid: np.ndarray) -> tuple[int, int, int]:
    """(smallest, largest, count) of the values of valid cells."""
    lo, hi, n = 0, 0, 0
    for r in range(vals.shape[0]):
        for c in range(vals.shape[1]):
            if valid[r, c]:
                v = vals[r, c]
                if n == 0 or v < lo:
                    lo = v
                if n == 0 or v > hi:
                    hi = v
                n += 1
    return lo, hi, n


@numba.njit(cache=True, nogil=True)
def classify(
    vals: np.ndarray, valid: np.ndarray, lut: np.ndarray, lo: int, values: np.ndarray, n: int
) -> tuple[np.ndarray, int]:
    """Class index of each cell (-1: background); new values get the next indices.

    ``values[:n]`` are the class values known so far; returns the class
    indices and the new number of classes (``> values.size``: too many).
    """
    cls = np.empty(vals.shape, np.int32)
    for r in range(vals.shape[0]):
        for c in range(vals.shape[1]):
            if not valid[r, c]:
                cls[r, c] = -1
                continue
            i = vals[r, c] - lo
            k = lut[i]
            if k < 0:
                if n >= values.shape[0]:
                    return cls, n + 1
                k = n
                lut[i] = k
                values[n] = vals[r, c]
                n += 1
            cls[r, c] = k
    return cls, n


@numba.njit(cache=True, nogil=True)
def join_seam(
    parent: np.ndarray,
    top_labels: np.ndarray,
    top_cls: np.ndarray,
    bot_labels: np.ndarray,
    bot_cls: np.ndarray,
    eight: bool,
) -> None:
    """Join the patches across the seam between two blocks of rows."""
    n = top_labels.shape[0]
    for c in range(n):
        k = bot_cls[c]
        if k < 0:
            continue
        for dc in range(-1, 2):
            if dc != 0 and not eight:
                continue
            cc = c + dc
            if 0 <= cc < n and top_cls[cc] == k:
                _union(parent, top_labels[cc], bot_labels[c])


@numba.njit(cache=True, nogil=True)
def resolve_roots(parent: np.ndarray, n: int) -> np.ndarray:
    """Root of each provisional id ``0 .. n-1`` (parents always point to smaller ids)."""
    root = np.empty(n, dtype=np.int64)
    for i in range(n):
        p = parent[i]
        root[i] = i if p == i else root[p]
    return root


@numba.njit(cache=True, nogil=True)
def gather_class(  # noqa: PLR0913 - one pass over a chunk, by design
    cols: np.ndarray,
    ids: np.ndarray,
    mask: np.ndarray,
    rank: np.ndarray,
    k: int,
    pending: np.ndarray,
    ends: np.ndarray,
    start: int,
    cols_out: np.ndarray,
    patch_out: np.ndarray,
    mask_out: np.ndarray,
    at: int,
    rows_k: np.ndarray,
    dropped: np.ndarray,
) -> tuple[int, int]:  # pragma: no cover - numba
    """Move class ``k``'s cells of a chunk of boundary cells out, keep the pending ones.

    ``cols``, ``ids`` (patch ids) and ``mask`` (see :func:`label_strip`) are a
    chunk of raster-ordered boundary cells whose first cell is cell ``start``
    of all of them; ``ends`` are the cumulative cells per row (the row of a
    cell is implicit). The cells of
    class ``k`` (``rank[patch]``) are appended to ``cols_out``, ``patch_out``
    and ``mask_out`` from ``at`` on, and counted per row in ``rows_k``; the cells
    of classes still ``pending`` are compacted to the front of ``cols`` and
    ``ids``; every other cell is counted per row in ``dropped``. Returns the
    next free position of the outputs and the number of cells kept.
    """
    n = cols.shape[0]
    lo = 0
    hi = ends.shape[0]
    while lo < hi:  # the row of the chunk's first cell: first row whose end > start
        mid = (lo + hi) >> 1
        if ends[mid] <= start:
            lo = mid + 1
        else:
            hi = mid
    r = lo
    kept = 0
    for i in range(n):
        while ends[r] <= start + i:
            r += 1
        c = rank[ids[i]]
        if c == k:
            cols_out[at] = cols[i]
            patch_out[at] = ids[i]
            mask_out[at] = mask[i]
            at += 1
            rows_k[r] += 1
            dropped[r] += 1
        elif pending[c]:
            cols[kept] = cols[i]
            ids[kept] = ids[i]
            mask[kept] = mask[i]
            kept += 1
        else:
            dropped[r] += 1
    return at, kept

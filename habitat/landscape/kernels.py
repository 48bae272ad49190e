"""Compiled kernels of the patch engine (:mod:`habitat.landscape.patches`).

The engine walks a categorical raster in strips of rows. For each strip,
:func:`label_strip` gives every cell a *provisional* patch id with a
union-find over ids (one raster scan, the classical two-pass connected
component labelling with its second pass deferred to the end), and
accumulates per provisional id what the FRAGSTATS metrics need: the cells,
the cell sides on the perimeter (and of those, the sides facing nodata or the
window's edge), the class adjacency counts and the boundary cells (for the
nearest-neighbour search). :func:`core_counts` adds the core cells of the
strip. :func:`resolve_roots` finishes the labelling.

Ids are created in raster order and a union always keeps the smaller id as
root, so a patch's root is the id of its first cell in raster order and
``parent[i] <= i`` for every id.

These are loops over cells: numba compiles them (``cache=True``, so the
compilation, a few seconds, happens once per machine).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["core_counts", "label_strip", "resolve_roots"]

#: status codes returned by :func:`label_strip`: done, too many classes, arrays full
#: (grow them and call again: ``counters[3]`` is the row to resume at)
OK, TOO_MANY_CLASSES, NEED_SPACE = 0, 1, 2


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
    vals: np.ndarray,
    valid: np.ndarray,
    top: int,
    n_own: int,
    row0: int,
    prev_labels: np.ndarray,
    own_labels: np.ndarray,
    eight: bool,
    lut: np.ndarray,
    lut_lo: int,
    class_values: np.ndarray,
    counters: np.ndarray,
    parent: np.ndarray,
    id_class: np.ndarray,
    id_row: np.ndarray,
    id_col: np.ndarray,
    area: np.ndarray,
    perim: np.ndarray,
    bnd: np.ndarray,
    adjacency: np.ndarray,
    b_rows: np.ndarray,
    b_cols: np.ndarray,
    b_ids: np.ndarray,
    seen: np.ndarray,
) -> int:
    """Label the own rows ``top .. top + n_own - 1`` of a strip and accumulate.

    ``vals``/``valid`` hold the strip with halo rows above and below (at least
    one each). ``prev_labels`` are the provisional ids of the row just above
    the own rows (-1: none). ``counters`` = [number of classes, next id,
    number of boundary cells written, own row to start at]; ``seen[k]`` is set
    for the classes of the own rows. Returns a status code.
    """
    n_cols = vals.shape[1]
    bg = adjacency.shape[0] - 1
    max_classes = class_values.shape[0]
    for rr in range(counters[3], n_own):
        if counters[1] + n_cols > parent.shape[0] or counters[2] + n_cols > b_rows.shape[0]:
            counters[3] = rr
            return NEED_SPACE
        r = top + rr
        for c in range(n_cols):
            if not valid[r, c]:
                own_labels[rr, c] = -1
                continue
            v = vals[r, c]
            k = lut[v - lut_lo]
            if k < 0:
                k = counters[0]
                if k >= max_classes:
                    return TOO_MANY_CLASSES
                lut[v - lut_lo] = k
                class_values[k] = v
                counters[0] = k + 1
            seen[k] = True
            # -- labelling: neighbours already visited (W, NW, N, NE)
            lab = -1
            if c > 0 and valid[r, c - 1] and vals[r, c - 1] == v:
                lab = own_labels[rr, c - 1]
            for dc in (-1, 0, 1):
                if dc != 0 and not eight:
                    continue
                cc = c + dc
                if cc < 0 or cc >= n_cols or not valid[r - 1, cc] or vals[r - 1, cc] != v:
                    continue
                up = own_labels[rr - 1, cc] if rr > 0 else prev_labels[cc]
                if up < 0:
                    continue
                lab = up if lab < 0 else _union(parent, lab, up)
            if lab < 0:
                lab = counters[1]
                counters[1] = lab + 1
                parent[lab] = lab
                id_class[lab] = k
                id_row[lab] = row0 + rr
                id_col[lab] = c
            own_labels[rr, c] = lab
            area[lab] += 1
            # -- the four sides: perimeter, boundary sides, class adjacency
            sides = 0
            for d in range(4):
                nr, nc = r, c
                if d == 0:
                    nr = r - 1
                elif d == 1:
                    nr = r + 1
                elif d == 2:
                    nc = c - 1
                else:
                    nc = c + 1
                if nc < 0 or nc >= n_cols or not valid[nr, nc]:
                    sides += 1
                    bnd[lab] += 1
                    adjacency[k, bg] += 1
                    adjacency[bg, k] += 1
                    continue
                w = vals[nr, nc]
                if w == v:
                    adjacency[k, k] += 1
                else:
                    sides += 1
                    kk = lut[w - lut_lo]  # a neighbour below or right may be a new class
                    if kk < 0:
                        kk = counters[0]
                        if kk >= max_classes:
                            return TOO_MANY_CLASSES
                        lut[w - lut_lo] = kk
                        class_values[kk] = w
                        counters[0] = kk + 1
                    adjacency[k, kk] += 1
            if sides:
                perim[lab] += sides
                j = counters[2]
                b_rows[j] = row0 + rr
                b_cols[j] = c
                b_ids[j] = lab
                counters[2] = j + 1
    counters[3] = n_own
    return OK


@numba.njit(cache=True, nogil=True)
def core_counts(  # noqa: PLR0913, PLR0912 - two passes per class, by design
    vals: np.ndarray,
    valid: np.ndarray,
    top: int,
    n_own: int,
    own_labels: np.ndarray,
    parent: np.ndarray,
    depth: int,
    edge: bool,
    present: np.ndarray,
    dist: np.ndarray,
    core: np.ndarray,
) -> None:
    """Add each own-row cell that is core to ``core[provisional id]``.

    A cell of class ``v`` is core when no cell within city-block (4-neighbour)
    distance ``depth`` is a valid cell of another class, nor (when ``edge``)
    nodata or beyond the window - the erosion with the 4-neighbour cross
    repeated ``depth`` times of FRAGSTATS, landscapemetrics and pylandstats.
    One exact two-pass city-block distance transform per class present, capped
    at ``depth + 1``; the strip's halo rows must be at least ``depth + 1`` deep.
    """
    n_rows, n_cols = vals.shape
    cap = depth + 1
    for i in range(present.shape[0]):
        v = present[i]
        # forward pass (from N and W); outside the window counts as target when edge
        for r in range(n_rows):
            for c in range(n_cols):
                if valid[r, c]:
                    target = vals[r, c] != v
                else:
                    target = edge
                if target:
                    dist[r, c] = 0
                    continue
                d = cap
                if r > 0:
                    d = min(d, dist[r - 1, c] + 1)
                if c > 0:
                    d = min(d, dist[r, c - 1] + 1)
                elif edge:
                    d = 1
                dist[r, c] = d
        # backward pass (from S and E), only the rows that matter
        for r in range(n_rows - 1, -1, -1):
            for c in range(n_cols - 1, -1, -1):
                d = dist[r, c]
                if d == 0:
                    continue
                if r < n_rows - 1:
                    d = min(d, dist[r + 1, c] + 1)
                if c < n_cols - 1:
                    d = min(d, dist[r, c + 1] + 1)
                elif edge:
                    d = 1
                dist[r, c] = d
        for rr in range(n_own):
            r = top + rr
            for c in range(n_cols):
                if valid[r, c] and vals[r, c] == v and dist[r, c] >= cap:
                    lab = own_labels[rr, c]
                    core[lab] += 1


@numba.njit(cache=True, nogil=True)
def resolve_roots(parent: np.ndarray, n: int) -> np.ndarray:
    """Root of each provisional id ``0 .. n-1`` (parents always point to smaller ids)."""
    root = np.empty(n, dtype=np.int64)
    for i in range(n):
        p = parent[i]
        root[i] = i if p == i else root[p]
    return root

"""A slow, obviously correct :class:`PatchStats` builder: the oracle of the engine.

:func:`reference_patch_stats` computes every field of
:class:`habitat.landscape.patches.PatchStats` from an in-memory raster with the
plainest tools there are, one definition per field:

* patches: :func:`scipy.ndimage.label` of each class's mask with the 3x3 (8
  neighbours) or cross (4 neighbours) structure; patches ordered by class value,
  then by the raster order of their first cell;
* perimeter sides: for each cell of a patch, each of its 4 rook neighbours that is
  not a cell of the same class with data (another class, nodata, or outside the
  window) is one side (4-neighbours of the same class are always in the same
  patch, under both rules);
* boundary sides: those of the perimeter sides whose neighbour is nodata or
  outside the window;
* core cells: a cell is core when every cell within Manhattan distance
  ``edge_depth_cells`` of it is of its class (4-neighbour erosion repeated
  ``edge_depth_cells`` times); cells outside the window and nodata cells count as
  "not the class" when ``boundary_is_edge`` (pylandstats, landscapemetrics
  ``consider_boundary=FALSE``) and as "the class" otherwise;
* ENN: brute force, the minimum centre-to-centre distance (in cells) between any
  cell of the patch and any cell of another patch of its class;
* adjacency: every side between two cells is looked at from both cells; the
  background index ``k`` (nodata, outside) receives the sides of class cells facing
  it, stored symmetrically (``[i, k] == [k, i]``); ``[k, k] = 0``.

Only for small rasters (tests): the ENN is quadratic in the number of cells.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy.spatial.distance import cdist

from habitat.landscape.patches import PatchStats

__all__ = ["PatchStats", "reference_patch_stats", "shifted"]

ROOK = ((-1, 0), (1, 0), (0, -1), (0, 1))


def shifted(arr: np.ndarray, dr: int, dc: int, fill: object) -> np.ndarray:
    """``out[r, c] = arr[r + dr, c + dc]``, ``fill`` where that is outside ``arr``."""
    out = np.full_like(arr, fill)
    n_rows, n_cols = arr.shape
    r_dst = slice(max(0, -dr), min(n_rows, n_rows - dr))
    c_dst = slice(max(0, -dc), min(n_cols, n_cols - dc))
    r_src = slice(max(0, dr), min(n_rows, n_rows + dr))
    c_src = slice(max(0, dc), min(n_cols, n_cols + dc))
    out[r_dst, c_dst] = arr[r_src, c_src]
    return out


def reference_patch_stats(
    values: np.ndarray,
    valid: np.ndarray | None = None,
    *,
    cell_size_m: float,
    neighbours: int = 8,
    edge_depth_cells: int = 1,
    boundary_is_edge: bool = True,
    enn: bool = True,
) -> PatchStats:
    """PatchStats of a small in-memory raster, by brute force (the engine's oracle).

    Parameters
    ----------
    values : 2-D integer array
        Class values.
    valid : 2-D bool array, optional
        False = nodata. Default: every cell has data.
    cell_size_m : float
        Cell side, m.
    neighbours : {8, 4}
        Patch rule.
    edge_depth_cells : int
        Core-area edge depth, cells (>= 0).
    boundary_is_edge : bool
        Whether nodata and the window edge erode core areas.
    enn : bool
        Compute the nearest-neighbour distances (else all NaN).
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError("values must be 2-D")
    valid = np.ones(values.shape, bool) if valid is None else np.asarray(valid, bool)
    if neighbours not in (4, 8):
        raise ValueError("neighbours must be 4 or 8")
    structure = ndimage.generate_binary_structure(2, 2 if neighbours == 8 else 1)
    classes = np.unique(values[valid]).astype(np.int64)
    k = len(classes)
    # class index of every cell, k = background (nodata)
    cls_idx = np.full(values.shape, k, np.int64)
    for i, c in enumerate(classes):
        cls_idx[valid & (values == c)] = i

    # cells of the diamond of radius edge_depth_cells (Manhattan distance)
    diamond = [
        (dr, dc)
        for dr in range(-edge_depth_cells, edge_depth_cells + 1)
        for dc in range(-edge_depth_cells, edge_depth_cells + 1)
        if abs(dr) + abs(dc) <= edge_depth_cells
    ]

    rows_all: list[np.ndarray] = []
    cols_all: list[np.ndarray] = []
    patch_class: list[np.ndarray] = []
    area: list[np.ndarray] = []
    perim: list[np.ndarray] = []
    bound: list[np.ndarray] = []
    core: list[np.ndarray] = []
    enn_out: list[np.ndarray] = []
    for i, c in enumerate(classes):
        mask = cls_idx == i
        labels, n = ndimage.label(mask, structure=structure)
        # order patches by the raster order of their first cell
        flat = labels.ravel()
        ids, first = np.unique(flat, return_index=True)
        first, ids = first[ids > 0], ids[ids > 0]
        order = np.argsort(first)
        ids, first = ids[order], first[order]
        relabel = np.zeros(n + 1, np.int64)
        relabel[ids] = np.arange(1, n + 1)
        labels = relabel[labels]

        sides = np.zeros(values.shape, np.int64)
        bsides = np.zeros(values.shape, np.int64)
        for dr, dc in ROOK:
            same = shifted(mask, dr, dc, False)
            data = shifted(valid, dr, dc, False)
            sides += mask & ~same
            bsides += mask & ~data
        is_core = mask.copy()
        if boundary_is_edge:
            corish = mask
            fill = False
        else:
            corish = mask | ~valid
            fill = True
        for dr, dc in diamond:
            is_core &= shifted(corish, dr, dc, fill)

        lab = labels.ravel()
        area.append(np.bincount(lab, minlength=n + 1)[1:])
        perim.append(np.bincount(lab, weights=sides.ravel(), minlength=n + 1)[1:].astype(np.int64))
        bound.append(np.bincount(lab, weights=bsides.ravel(), minlength=n + 1)[1:].astype(np.int64))
        core.append(np.bincount(lab, weights=is_core.ravel(), minlength=n + 1)[1:].astype(np.int64))
        patch_class.append(np.full(n, c, np.int64))
        r0, c0 = np.divmod(first, values.shape[1])
        rows_all.append(r0.astype(np.int64))
        cols_all.append(c0.astype(np.int64))

        dist = np.full(n, np.nan)
        if enn and n > 1:
            rr, cc = np.nonzero(labels)
            pid = labels[rr, cc]
            xy = np.column_stack([rr, cc]).astype(float)
            for p in range(1, n + 1):
                dist[p - 1] = cdist(xy[pid == p], xy[pid != p]).min()
        enn_out.append(dist)

    adjacency = np.zeros((k + 1, k + 1), np.int64)
    for dr, dc in ROOK:
        nb = shifted(cls_idx, dr, dc, k)
        src = cls_idx[valid]
        np.add.at(adjacency, (src, nb[valid]), 1)
    # sides facing the background, stored symmetrically
    adjacency[k, :k] = adjacency[:k, k]

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    return PatchStats(
        cell_size_m=float(cell_size_m),
        neighbours=int(neighbours),
        edge_depth_cells=int(edge_depth_cells),
        boundary_is_edge=bool(boundary_is_edge),
        n_cells=int(valid.sum()),
        classes=classes,
        patch_class=cat(patch_class, np.int64),
        patch_area_cells=cat(area, np.int64),
        patch_perimeter_sides=cat(perim, np.int64),
        patch_boundary_sides=cat(bound, np.int64),
        patch_core_cells=cat(core, np.int64),
        patch_enn_cells=cat(enn_out, np.float64),
        patch_row=cat(rows_all, np.int64),
        patch_col=cat(cols_all, np.int64),
        adjacency=adjacency,
    )

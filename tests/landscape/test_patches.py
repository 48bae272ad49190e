"""The streaming patch engine against an independent scipy.ndimage computation.

The reference below labels each class with :func:`scipy.ndimage.label`, counts
sides with array shifts and core cells with :func:`scipy.ndimage.binary_erosion`
(the 4-neighbour erosion of FRAGSTATS / landscapemetrics / pylandstats); the
engine must agree exactly, whatever the strip height (strips are merged by a
union-find across their seams).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from habitat.core.errors import InputError
from habitat.landscape.patches import array_reader, patch_stats, patch_stats_array

CROSS = ndimage.generate_binary_structure(2, 1)
SQUARE = ndimage.generate_binary_structure(2, 2)


def reference(values, valid, *, neighbours=8, depth=1, edge=True):
    """Per-patch (class, area, perimeter, boundary sides, core, first cell) and adjacency."""
    values = np.asarray(values)
    valid = np.ones(values.shape, bool) if valid is None else valid
    classes = np.unique(values[valid])
    pv = np.pad(values, 1)
    pok = np.pad(valid, 1)
    rows = []
    k = len(classes)
    adj = np.zeros((k + 1, k + 1), np.int64)
    for i, c in enumerate(classes):
        mask = valid & (values == c)
        lab, n = ndimage.label(mask, SQUARE if neighbours == 8 else CROSS)
        pmask = np.pad(mask, 1)
        per = np.zeros(values.shape, np.int64)
        bnd = np.zeros(values.shape, np.int64)
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            n_ok = pok[1 + dr : 1 + dr + values.shape[0], 1 + dc : 1 + dc + values.shape[1]]
            n_v = pv[1 + dr : 1 + dr + values.shape[0], 1 + dc : 1 + dc + values.shape[1]]
            same = pmask[1 + dr : 1 + dr + values.shape[0], 1 + dc : 1 + dc + values.shape[1]]
            per += mask & ~same
            bnd += mask & ~n_ok
            adj[i, k] += int((mask & ~n_ok).sum())
            adj[k, i] += int((mask & ~n_ok).sum())
            for j, c2 in enumerate(classes):
                adj[i, j] += int((mask & n_ok & (n_v == c2)).sum())
        target = (valid & (values != c)) | (~valid if edge else False)
        if depth:
            core = ndimage.binary_erosion(
                ~target, CROSS, iterations=depth, border_value=0 if edge else 1
            )
            core &= mask
        else:
            core = mask
        idx = np.arange(values.size).reshape(values.shape)
        for p in range(1, n + 1):
            cells = lab == p
            first = int(idx[cells].min())
            rows.append(
                (int(c), first, int(cells.sum()), int(per[cells].sum()), int(bnd[cells].sum()),
                 int(core[cells].sum()))
            )  # fmt: skip
    rows.sort()
    return rows, adj


def as_rows(stats, n_cols):
    return [
        (int(c), int(r) * n_cols + int(col), int(a), int(p), int(b), int(co))
        for c, r, col, a, p, b, co in zip(
            stats.patch_class, stats.patch_row, stats.patch_col, stats.patch_area_cells,
            stats.patch_perimeter_sides, stats.patch_boundary_sides, stats.patch_core_cells,
            strict=True,
        )
    ]  # fmt: skip


def random_landscape(seed, shape=(37, 29), n_classes=4, sigma=1.5, nodata=0.1):
    rng = np.random.default_rng(seed)
    field = ndimage.gaussian_filter(rng.normal(size=shape), sigma)
    cuts = np.quantile(field, np.linspace(0, 1, n_classes + 1)[1:-1])
    values = (np.searchsorted(cuts, field) * 3 + 2).astype(np.int16)  # codes 2, 5, 8...
    valid = rng.random(shape) >= nodata
    return values, valid


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("neighbours", [8, 4])
@pytest.mark.parametrize("strip_rows", [1, 3, 7, None])
def test_engine_equals_scipy_reference(seed, neighbours, strip_rows):
    values, valid = random_landscape(seed, sigma=0.8 + seed * 0.3)
    depth = seed % 3
    edge = seed % 2 == 0
    stats = patch_stats_array(
        values, valid, cell_size_m=30.0, neighbours=neighbours, edge_depth_cells=depth,
        boundary_is_edge=edge, enn=False, strip_rows=strip_rows,
    )  # fmt: skip
    want, adj = reference(values, valid, neighbours=neighbours, depth=depth, edge=edge)
    got = as_rows(stats, values.shape[1])
    assert got == want  # patch order: class, then first cell in raster order
    np.testing.assert_array_equal(stats.adjacency, adj)
    assert stats.n_cells == int(valid.sum())
    np.testing.assert_array_equal(stats.classes, np.unique(values[valid]))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("neighbours", [8, 4])
def test_threads_join_their_seams(seed, neighbours, monkeypatch):
    # blocks of rows scanned by separate threads give exactly the one-thread result
    import habitat.landscape.patches as patches

    monkeypatch.setattr(patches, "MIN_BLOCK_CELLS", 1)
    values, valid = random_landscape(seed, shape=(64, 23), sigma=1.0 + seed)
    depth, edge = seed % 3, seed % 2 == 1
    one, many = (
        patch_stats_array(
            values,
            valid,
            cell_size_m=1.0,
            neighbours=neighbours,
            edge_depth_cells=depth,
            boundary_is_edge=edge,
            strip_rows=3,
            threads=t,
        )  # fmt: skip
        for t in (1, 5)
    )
    want, adj = reference(values, valid, neighbours=neighbours, depth=depth, edge=edge)
    assert as_rows(many, values.shape[1]) == want
    np.testing.assert_array_equal(many.adjacency, adj)
    np.testing.assert_array_equal(many.patch_enn_cells, one.patch_enn_cells)
    assert len(patches._block_bounds(64, 23, 3, 5)) == 5
    with pytest.raises(InputError, match="threads"):
        patch_stats_array(values, cell_size_m=1.0, threads=0)


@pytest.mark.parametrize("threads", [1, 3])
def test_classes_appearing_strip_after_strip_grow_the_adjacency(threads, monkeypatch):
    # 60 classes (more than the 16 the adjacency counts start with), new ones in every strip,
    # scanned in one block or three (blocks that see different classes are merged)
    import habitat.landscape.patches as patches

    monkeypatch.setattr(patches, "MIN_BLOCK_CELLS", 1)
    rng = np.random.default_rng(5)
    values = (np.arange(60)[:, None] + rng.integers(0, 3, size=(60, 17))).astype(np.int32)
    values[rng.random(values.shape) < 0.3] = 7  # an early class everywhere
    valid = rng.random(values.shape) >= 0.05
    stats = patch_stats_array(values, valid, cell_size_m=1.0, strip_rows=4, threads=threads)
    want, adj = reference(values, valid)
    assert stats.classes.size == np.unique(values[valid]).size > 16
    assert as_rows(stats, values.shape[1]) == want
    np.testing.assert_array_equal(stats.adjacency, adj)


def test_adjacency_rows_add_up_to_perimeters():
    values, valid = random_landscape(11, shape=(60, 45))
    s = patch_stats_array(values, valid, cell_size_m=1.0, enn=False, strip_rows=5)
    for i, c in enumerate(s.classes):
        per = s.patch_perimeter_sides[s.patch_class == c].sum()
        assert s.adjacency[i].sum() - s.adjacency[i, i] == per
    np.testing.assert_array_equal(s.adjacency, s.adjacency.T)
    assert s.adjacency[-1, -1] == 0


def test_hand_counted_block_and_checkerboard():
    grid = np.zeros((3, 3), int)
    s = patch_stats_array(grid, cell_size_m=10.0, enn=False, edge_depth_cells=0)
    assert (s.n_patches, int(s.patch_area_cells[0]), int(s.patch_perimeter_sides[0])) == (1, 9, 12)
    assert int(s.patch_boundary_sides[0]) == 12
    board = np.indices((4, 4)).sum(axis=0) % 2
    s8 = patch_stats_array(board, cell_size_m=1.0, neighbours=8, enn=False)
    s4 = patch_stats_array(board, cell_size_m=1.0, neighbours=4, enn=False)
    assert s8.n_patches == 2  # each colour is one diagonal-connected patch
    assert s4.n_patches == 16  # every cell alone
    assert s4.patch_perimeter_sides.tolist() == [4] * 16


def test_u_shape_merges_across_strips():
    # a U opening upwards: its two arms get different provisional ids, joined at the bottom
    grid = np.zeros((6, 5), int)
    grid[:, 0] = grid[:, 4] = grid[5, :] = 1
    for strip in (1, 2, 6):
        s = patch_stats_array(grid, cell_size_m=1.0, enn=False, strip_rows=strip)
        assert s.patch_area_cells[s.patch_class == 1].tolist() == [6 + 6 + 3]
        assert s.patch_row[s.patch_class == 1].tolist() == [0]
        assert s.patch_col[s.patch_class == 1].tolist() == [0]


def test_core_depth_in_a_big_block():
    grid = np.ones((20, 20), int)
    grid[0, :] = 2
    for depth in range(4):
        s = patch_stats_array(grid, cell_size_m=1.0, enn=False, edge_depth_cells=depth)
        core = int(s.patch_core_cells[s.patch_class == 1][0])
        # rows 1..19 of class 1: eroded by depth from the class-2 row and the window edges
        assert core == (19 - 2 * depth if depth else 19) * (20 - 2 * depth)
    s = patch_stats_array(grid, cell_size_m=1.0, enn=False, edge_depth_cells=2,
                          boundary_is_edge=False)  # fmt: skip
    # only the class-2 row makes edge: rows 3..19 are core
    assert int(s.patch_core_cells[s.patch_class == 1][0]) == 17 * 20


def test_all_background_and_bad_options():
    s = patch_stats_array(np.ones((4, 4), int), np.zeros((4, 4), bool), cell_size_m=1.0, enn=False)
    assert (s.n_patches, s.n_cells, s.classes.size) == (0, 0, 0)
    assert s.adjacency.shape == (1, 1)
    with pytest.raises(InputError, match="4 or 8"):
        patch_stats_array(np.ones((2, 2), int), cell_size_m=1.0, neighbours=6)
    with pytest.raises(InputError, match="integer class values"):
        patch_stats_array(np.ones((2, 2)) * 0.5, cell_size_m=1.0)
    with pytest.raises(InputError, match="distinct classes"):
        patch_stats_array(np.arange(40 * 40).reshape(40, 40), cell_size_m=1.0, enn=False)
    with pytest.raises(InputError, match="span"):
        patch_stats_array(np.array([[0, 2**30]]), cell_size_m=1.0, enn=False)
    with pytest.raises(InputError, match="cell_size_m"):
        patch_stats_array(np.ones((2, 2), int), cell_size_m=0.0)


def test_reader_shape_is_checked():
    def bad(r0, r1):
        return np.zeros((1, 1), int), np.ones((1, 1), bool)

    with pytest.raises(InputError, match="reader returned"):
        patch_stats(bad, (3, 3), cell_size_m=1.0)
    vals, ok = array_reader(np.ones((2, 3), int))(1, 4)
    assert ok.tolist() == [[True] * 3, [False] * 3, [False] * 3]

"""nearest_neighbour_cells: exact ENN vs brute force over ALL cells, pylandstats, hand cases."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from scipy import ndimage
from scipy.spatial.distance import cdist

from habitat.core.errors import InputError
from habitat.landscape import patches
from habitat.landscape.enn import nearest_neighbour_cells

_STRUCTURE = {4: ndimage.generate_binary_structure(2, 1), 8: np.ones((3, 3), bool)}


def _patches(values, valid=None, *, neighbours=8, raster_order=True):
    """Patch label per cell (-1 outside), class of each patch, boundary cells in raster order.

    Patches are numbered by class value, then raster order of their first cell (the engine's
    order; ``raster_order=False`` keeps scipy's numbering, faster on big rasters); a boundary
    cell has a rook neighbour of another value, nodata or outside.
    """
    values = np.asarray(values)
    if valid is None:
        valid = np.ones(values.shape, bool)
    label = np.full(values.shape, -1, np.int64)
    patch_class = []
    for k in np.unique(values[valid]):
        lab, n = ndimage.label((values == k) & valid, structure=_STRUCTURE[neighbours])
        rank = np.arange(n)
        if raster_order:
            first = ndimage.minimum(np.arange(lab.size).reshape(lab.shape), lab, rank + 1)
            rank[np.argsort(first)] = np.arange(n)  # label -> raster order of its first cell
        label[lab > 0] = len(patch_class) + rank[lab[lab > 0] - 1]
        patch_class.extend([int(k)] * n)
    padded = np.pad(label, 1, constant_values=-1)
    centre = padded[1:-1, 1:-1]
    boundary = (
        (padded[:-2, 1:-1] != centre)
        | (padded[2:, 1:-1] != centre)
        | (padded[1:-1, :-2] != centre)
        | (padded[1:-1, 2:] != centre)
    )
    # under the 4-neighbour rule two rook-adjacent cells of one value share a patch, so comparing
    # labels is the same as comparing values here
    boundary &= label >= 0
    rows, cols = np.nonzero(boundary)
    return label, np.array(patch_class, np.int64), rows, cols, label[rows, cols]


def _brute_force(label, patch_class):
    """ENN in cells from cdist between ALL cells of a patch and all cells of the class's others."""
    out = np.full(patch_class.size, np.nan)
    cells = [np.argwhere(label == p) for p in range(patch_class.size)]
    for p, k in enumerate(patch_class):
        others = [cells[q] for q in np.flatnonzero(patch_class == k) if q != p]
        if others:
            out[p] = cdist(cells[p], np.concatenate(others)).min()
    return out


def _smooth(rng, shape, sigma, n_classes):
    field = ndimage.gaussian_filter(rng.standard_normal(shape), sigma)
    return np.digitize(field, np.quantile(field, np.linspace(0, 1, n_classes + 1)[1:-1])) + 1


def _enn(values, valid=None, *, neighbours=8):
    label, patch_class, rows, cols, patch = _patches(values, valid, neighbours=neighbours)
    return nearest_neighbour_cells(rows, cols, patch, patch_class), label, patch_class


# hand cases ------------------------------------------------------------------------------


def test_two_single_cells_three_apart_in_a_row():
    a = np.array([[1, 2, 2, 1]])
    enn, _, patch_class = _enn(a)
    assert patch_class.tolist() == [1, 1, 2]
    np.testing.assert_array_equal(enn, [3.0, 3.0, np.nan])


def test_diagonal_two_two_apart_is_sqrt_8():
    a = np.full((5, 5), 2)
    a[1, 1] = a[3, 3] = 1
    enn, _, patch_class = _enn(a)
    assert patch_class.tolist() == [1, 1, 2]
    assert enn[0] == enn[1] == np.sqrt(8.0)


def test_diagonal_neighbours_are_one_patch_under_8_and_two_under_4():
    a = np.array([[1, 2], [2, 1]])
    enn8, _, pc8 = _enn(a, neighbours=8)
    assert pc8.tolist() == [1, 2]
    np.testing.assert_array_equal(enn8, [np.nan, np.nan])
    enn4, _, pc4 = _enn(a, neighbours=4)
    assert pc4.tolist() == [1, 1, 2, 2]
    np.testing.assert_array_equal(enn4, [np.sqrt(2.0)] * 4)


def test_one_patch_per_class_is_nan():
    enn, _, _ = _enn(np.array([[1, 1, 2], [1, 2, 2]]))
    assert np.isnan(enn).all()
    enn, _, _ = _enn(np.array([[3]]))
    assert np.isnan(enn).all()


def test_patches_of_other_classes_do_not_count():
    # class 1 patches are 6 apart; a class-2 cell sits between them, 3 from each
    a = np.full((3, 7), 3)
    a[1, 0] = a[1, 6] = 1
    a[1, 3] = 2
    enn, _, patch_class = _enn(a)
    assert patch_class.tolist() == [1, 1, 2, 3]
    np.testing.assert_array_equal(enn, [6.0, 6.0, np.nan, np.nan])


def test_edge_to_edge_not_centroid_to_centroid():
    # an L-shaped patch (top row + right column) and a single cell in the bottom-left corner:
    # the L's centroid is ~8.5 cells away from the cell, its nearest cells (0, 0), (8, 8) are 8
    a = np.ones((9, 9), np.int64)
    a[0, :] = 2
    a[:, 8] = 2
    a[8, 0] = 2
    enn, label, patch_class = _enn(a)
    assert patch_class.tolist() == [1, 2, 2]
    assert np.isnan(enn[0])
    assert enn[1] == enn[2] == 8.0
    np.testing.assert_array_equal(enn, _brute_force(label, patch_class))


def test_any_input_order_and_extra_interior_cells_give_the_same_answer():
    rng = np.random.default_rng(3)
    a = _smooth(rng, (40, 50), 2.0, 3)
    label, patch_class, rows, cols, patch = _patches(a)
    expected = nearest_neighbour_cells(rows, cols, patch, patch_class)
    perm = rng.permutation(rows.size)
    got = nearest_neighbour_cells(rows[perm], cols[perm], patch[perm], patch_class)
    np.testing.assert_array_equal(got, expected)
    all_r, all_c = np.nonzero(label >= 0)
    got = nearest_neighbour_cells(all_r, all_c, label[all_r, all_c], patch_class)
    np.testing.assert_array_equal(got, expected)


def test_bad_input_is_refused_with_what_was_wrong():
    r = np.array([0, 0])
    with pytest.raises(InputError, match="one entry per cell"):
        nearest_neighbour_cells(r, np.array([0]), np.array([0, 1]), np.array([1, 1]))
    with pytest.raises(InputError, match="patch ids must lie in 0..1"):
        nearest_neighbour_cells(r, np.array([0, 1]), np.array([0, 2]), np.array([1, 1]))
    with pytest.raises(InputError, match=r"patch ids \[2\] have no cell"):
        nearest_neighbour_cells(r, np.array([0, 1]), np.array([0, 1]), np.array([1, 1, 1]))
    with pytest.raises(InputError, match="non-negative"):
        nearest_neighbour_cells(np.array([0, -1]), r, np.array([0, 1]), np.array([1, 1]))
    with pytest.raises(InputError, match="integer"):
        nearest_neighbour_cells(r * 1.0, r, np.array([0, 1]), np.array([1, 1]))
    assert nearest_neighbour_cells(r[:0], r[:0], r[:0], r[:0]).shape == (0,)


# brute force -----------------------------------------------------------------------------


@pytest.mark.parametrize("neighbours", [4, 8])
@pytest.mark.parametrize("seed", range(12))
def test_random_rasters_match_brute_force_over_all_cells(seed, neighbours):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 45, 2))
    kind = seed % 3
    if kind == 0:  # salt and pepper: many tiny patches
        a = rng.integers(1, rng.integers(2, 6) + 1, shape)
    else:  # clumped classes
        a = _smooth(rng, shape, rng.uniform(0.5, 4.0), int(rng.integers(2, 6)))
    valid = rng.random(shape) > (0.2 if kind == 2 else 0.0)  # nodata holes
    enn, label, patch_class = _enn(a, valid, neighbours=neighbours)
    np.testing.assert_array_equal(enn, _brute_force(label, patch_class))


def test_sparse_rare_class_far_apart_matches_brute_force():
    rng = np.random.default_rng(11)
    a = np.ones((120, 90), np.int64)
    idx = rng.choice(a.size, 7, replace=False)
    a.flat[idx] = 2
    a[50:53, 10:80] = 3  # a long bar and a far single cell of the same class
    a[110, 5] = 3
    enn, label, patch_class = _enn(a)
    np.testing.assert_array_equal(enn, _brute_force(label, patch_class))


@pytest.mark.parametrize("neighbours", [4, 8])
def test_medium_raster_in_several_threads_matches_an_exact_distance_transform(neighbours):
    # thousands of boundary cells: several work blocks, so the threads share the bounds
    rng = np.random.default_rng(21 + neighbours)
    a = _smooth(rng, (100, 120), 3.0, 4)
    valid = rng.random(a.shape) > 0.005
    label, patch_class, rows, cols, patch = _patches(a, valid, neighbours=neighbours)
    assert rows.size > 8 * 256  # boundary cells: several blocks of 256
    enn = nearest_neighbour_cells(rows, cols, patch, patch_class)
    expected = np.full(patch_class.size, np.nan)
    for p, k in enumerate(patch_class):
        others = (label >= 0) & (patch_class[np.maximum(label, 0)] == k) & (label != p)
        if others.any():
            expected[p] = ndimage.distance_transform_edt(~others)[label == p].min()
    np.testing.assert_array_equal(enn, expected)


# pylandstats -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_matches_pylandstats_per_class(seed):
    pls = pytest.importorskip("pylandstats")
    rng = np.random.default_rng(100 + seed)
    a = _smooth(rng, (60, 70), 1.5 + seed, 4).astype(np.int32)  # classes 1..4, 0 = nodata
    enn, _, patch_class = _enn(a)
    with warnings.catch_warnings():  # pylandstats warns of classes with a single patch
        warnings.simplefilter("ignore", RuntimeWarning)
        ls = pls.Landscape(a, res=(1, 1), neighborhood_rule="8")
        ref = ls.euclidean_nearest_neighbor()
    for k in np.unique(a):
        ours = np.sort(enn[patch_class == k])
        theirs = np.sort(ref.loc[ref["class_val"] == k, "euclidean_nearest_neighbor"].to_numpy())
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, equal_nan=True)


# speed -----------------------------------------------------------------------------------


def _warm_up():
    """Compile (or load) the kernels outside the timed call."""
    z = np.array([0, 0])
    nearest_neighbour_cells(z, np.array([0, 2]), np.array([0, 1]), np.array([1, 1]))


def test_long_horizontal_runs_are_skipped_in_one_step():
    # two runs of 100_000 cells in one row, split by one cell of another class: walking the
    # row from each cell over its own run to the other patch would take 10**10 steps
    a = np.full((2, 200_001), 2)
    a[0, :] = 1
    a[0, 100_000] = 2
    label, patch_class, rows, cols, patch = _patches(a)
    assert patch_class.tolist() == [1, 1, 2]
    _warm_up()
    t0 = time.process_time()  # CPU of all threads: not inflated by a busy machine
    enn = nearest_neighbour_cells(rows, cols, patch, patch_class)
    cpu = time.process_time() - t0
    np.testing.assert_array_equal(enn, [2.0, 2.0, np.nan])
    assert cpu < 1.0, f"{cpu:.2f} s CPU"


@pytest.mark.slow
def test_4000_squared_realistic_raster_takes_seconds():
    rng = np.random.default_rng(0)
    a = _smooth(rng, (4000, 4000), 8.0, 4)
    label, patch_class, rows, cols, patch = _patches(a, raster_order=False)
    _warm_up()
    t0, c0 = time.perf_counter(), time.process_time()
    enn = nearest_neighbour_cells(rows, cols, patch, patch_class)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert rows.size > 2_000_000
    # ~2 s CPU on the project's 2-core machine; the wall limit allows for a busy machine
    assert cpu < 15.0, f"{cpu:.1f} s CPU for {rows.size} boundary cells"
    assert wall < 45.0, f"{wall:.1f} s for {rows.size} boundary cells"
    # spot check patches: an exact distance transform of the other patches of the class in a
    # window around the patch, wide enough to hold every cell closer than the answer
    for p in rng.choice(patch_class.size, 10, replace=False):
        rr, cc = np.nonzero(label == p)
        m = 1 + int(np.ceil(enn[p])) if np.isfinite(enn[p]) else max(a.shape)
        win = np.s_[
            max(rr.min() - m, 0) : rr.max() + m + 1, max(cc.min() - m, 0) : cc.max() + m + 1
        ]
        lab = label[win]
        others = (patch_class[lab] == patch_class[p]) & (lab != p)
        if np.isnan(enn[p]):
            assert not others.any()
            continue
        assert others.any()
        assert enn[p] == ndimage.distance_transform_edt(~others)[lab == p].min()


# the engine's gathering of boundary cells, class by class, from chunks ------------------------


@pytest.mark.parametrize("chunk", [4, 64, 1 << 20])
@pytest.mark.parametrize("neighbours", [4, 8])
def test_engine_enn_from_chunks_equals_brute_force(monkeypatch, chunk, neighbours):
    """patch_stats gathers each class's boundary cells out of the chunks (dropping classes of one
    patch first): tiny chunks, rows split between chunks and single-patch classes give the
    brute-force ENN of every patch."""
    monkeypatch.setattr(patches, "BOUNDARY_CHUNK", chunk)
    rng = np.random.default_rng(7)
    values = _smooth(rng, (40, 37), 1.5, 4)
    values[:3, :3] = 9  # a class with a single patch, between the others in raster order
    valid = rng.random(values.shape) > 0.05
    stats = patches.patch_stats_array(
        values, valid, cell_size_m=1.0, neighbours=neighbours, strip_rows=7
    )
    label, patch_class, *_ = _patches(values, valid, neighbours=neighbours)
    np.testing.assert_array_equal(stats.patch_class, patch_class)
    expected = _brute_force(label, patch_class)
    np.testing.assert_allclose(stats.patch_enn_cells, expected, rtol=1e-12)
    assert np.isnan(stats.patch_enn_cells[patch_class == 9]).all()


def test_engine_enn_diagonal_patches_after_a_single_patch_class():
    # class 2 has one patch; class 3's two patches touch only diagonally (4-neighbour rule):
    # sqrt(2) cells apart, not 1 (a row miscounted after dropping class 2 gave 1)
    stats = patches.patch_stats_array(
        np.array([[3, 2, 1], [1, 3, 1]]), cell_size_m=1.0, neighbours=4
    )
    np.testing.assert_allclose(stats.patch_enn_cells, [2.0, 2.0, np.nan, 2**0.5, 2**0.5])


def test_engine_enn_across_nodata_and_into_a_bay():
    # nodata between two forest cells is not forest: the search must look across it (2 cells)
    stats = patches.patch_stats_array(
        np.array([[1, 0, 1]]), np.array([[True, False, True]]), cell_size_m=1.0
    )
    np.testing.assert_allclose(stats.patch_enn_cells, [2.0, 2.0])
    # a U-shaped forest patch with a one-cell forest patch in its bay, 3 cells from the U's
    # inner walls and floor: every inner wall cell has forest above and below it
    u = np.full((7, 7), 2)
    u[0:6, 0] = u[0:6, 6] = 1
    u[5, 0:7] = 1
    u[2, 3] = 1
    stats = patches.patch_stats_array(u, cell_size_m=1.0, neighbours=4)
    label, patch_class, *_ = _patches(u, neighbours=4)
    np.testing.assert_allclose(stats.patch_enn_cells, _brute_force(label, patch_class))
    assert stats.patch_enn_cells[stats.patch_area_cells == 1] == pytest.approx(3.0)

"""metrics_from_stats against pylandstats 3.1, an independent implementation.

The patch statistics come from the brute-force reference builder
(tests/landscape/reference_stats.py), so these tests check the FORMULAS; the
engine is checked against the same builder in the engine's tests, and end to end
(engine + formulas) at the bottom of this file.

Seeded rasters: uniform random noise (many 1-cell patches) and autocorrelated
landscapes (gaussian-filtered noise cut into classes at quantiles), 4 and 8
neighbours, with and without nodata (scattered cells and a block), 30 m and
200 m cells, count_boundary False and True. Every metric pylandstats defines is
compared with rtol 1e-9; the two where we follow FRAGSTATS against pylandstats
(Shannon's diversity; contagion follows pylandstats) are compared with the FRAGSTATS formula
evaluated on pylandstats' own adjacency table and class areas, and the
difference from pylandstats' number is asserted.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from scipy import ndimage

from habitat.landscape.metrics import (
    CLASS_METRICS,
    LANDSCAPE_LEVEL_METRICS,
    PATCH_METRICS,
    landscape_metrics,
    metrics_from_stats,
)
from tests.landscape.reference_stats import reference_patch_stats

pls = pytest.importorskip("pylandstats")

RTOL = 1e-9
NODATA = 0
#: metrics where habitat follows FRAGSTATS and pylandstats differs (see metrics.py)
FRAGSTATS_NOT_PYLANDSTATS = {"shannon_diversity_index"}


def autocorrelated(seed: int, shape: tuple[int, int], n_classes: int, sigma: float) -> np.ndarray:
    """Gaussian-filtered noise cut at quantiles into classes 1..n_classes."""
    rng = np.random.default_rng(seed)
    z = ndimage.gaussian_filter(rng.normal(size=shape), sigma)
    cuts = np.quantile(z, np.linspace(0, 1, n_classes + 1)[1:-1])
    return (np.digitize(z, cuts) + 1).astype(np.int64)


def noisy(seed: int, shape: tuple[int, int], n_classes: int) -> np.ndarray:
    """Independent cells (many single-cell patches)."""
    return np.random.default_rng(seed).integers(1, n_classes + 1, size=shape).astype(np.int64)


def with_nodata(arr: np.ndarray, seed: int) -> np.ndarray:
    """Valid mask: about 10 % scattered nodata cells plus a nodata block in a corner."""
    rng = np.random.default_rng(seed + 1000)
    valid = rng.random(arr.shape) > 0.1
    valid[:4, :6] = False
    return valid


CASES = [
    pytest.param(
        kind,
        seed,
        nb,
        cell,
        nodata,
        id=f"{kind}-s{seed}-n{nb}-{int(cell)}m-{'nd' if nodata else 'full'}",
    )
    for kind, seed in (("autocorrelated", 1), ("autocorrelated", 2), ("noise", 3))
    for nb in (8, 4)
    for cell in (30.0, 200.0)
    for nodata in (False, True)
]


@functools.cache
def build(kind: str, seed: int, nb: int, cell: float, nodata: bool):
    shape = (37, 43)
    arr = autocorrelated(seed, shape, 4, 2.0) if kind == "autocorrelated" else noisy(seed, shape, 3)
    valid = with_nodata(arr, seed) if nodata else np.ones(arr.shape, bool)
    stats = reference_patch_stats(arr, valid, cell_size_m=cell, neighbours=nb)
    landscape = pls.Landscape(
        np.where(valid, arr, NODATA), res=(cell, cell), nodata=NODATA, neighborhood_rule=str(nb)
    )
    return stats, landscape


def close(mine: np.ndarray, ref: np.ndarray) -> None:
    np.testing.assert_allclose(
        np.asarray(mine, dtype=float),
        np.asarray(ref, dtype=float),
        rtol=RTOL,
        atol=0,
        equal_nan=True,
    )


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


@pytest.mark.parametrize(("kind", "seed", "nb", "cell", "nodata"), CASES)
def test_patch_metrics_equal_pylandstats(kind, seed, nb, cell, nodata):
    stats, landscape = build(kind, seed, nb, cell, nodata)
    mine = metrics_from_stats(stats, level="patch")
    ref = landscape.compute_patch_metrics_df(metrics=list(PATCH_METRICS))
    # same patch order: class value, then raster order of the first cell (scipy's label order)
    assert mine["class_value"].tolist() == ref["class_val"].tolist()
    for name in PATCH_METRICS:
        close(mine[name], ref[name])


@pytest.mark.parametrize("count_boundary", [False, True])
@pytest.mark.parametrize(("kind", "seed", "nb", "cell", "nodata"), CASES)
def test_class_metrics_equal_pylandstats(kind, seed, nb, cell, nodata, count_boundary):
    stats, landscape = build(kind, seed, nb, cell, nodata)
    mine = metrics_from_stats(stats, level="class", count_boundary=count_boundary)
    shared = [m for m in CLASS_METRICS if m in landscape.CLASS_METRICS]
    assert len(shared) >= 15  # every metric pylandstats has at the class level
    edge_kw = {"count_boundary": count_boundary}
    ref = landscape.compute_class_metrics_df(
        metrics=shared, metrics_kwargs={"total_edge": edge_kw, "edge_density": edge_kw}
    )
    assert mine["class_value"].tolist() == ref.index.tolist()
    for name in shared:
        close(mine[name], ref[name])


@pytest.mark.parametrize("count_boundary", [False, True])
@pytest.mark.parametrize(("kind", "seed", "nb", "cell", "nodata"), CASES)
def test_landscape_metrics_equal_pylandstats(kind, seed, nb, cell, nodata, count_boundary):
    stats, landscape = build(kind, seed, nb, cell, nodata)
    mine = metrics_from_stats(stats, level="landscape", count_boundary=count_boundary).iloc[0]
    shared = [
        m
        for m in LANDSCAPE_LEVEL_METRICS
        if m in landscape.LANDSCAPE_METRICS and m not in FRAGSTATS_NOT_PYLANDSTATS
    ]
    assert len(shared) >= 15
    edge_kw = {"count_boundary": count_boundary}
    ref = landscape.compute_landscape_metrics_df(
        metrics=shared, metrics_kwargs={"total_edge": edge_kw, "edge_density": edge_kw}
    ).iloc[0]
    for name in shared:
        close(mine[name], ref[name])


@pytest.mark.parametrize(("kind", "seed", "nb", "cell", "nodata"), CASES)
def test_shdi_follows_fragstats_and_contagion_pylandstats(kind, seed, nb, cell, nodata):
    """SHDI from the class's AREA share (FRAGSTATS, landscapemetrics); pylandstats takes
    its adjacency share. Contagion from the joint adjacency shares (Riitters et al.
    1996, pylandstats, landscapemetrics); FRAGSTATS weighs conditional shares by area.

    The FRAGSTATS oracles are rebuilt on pylandstats' own adjacency table
    (double-counted rook adjacencies, nodata dropped) and its PLAND.
    """
    stats, landscape = build(kind, seed, nb, cell, nodata)
    mine = metrics_from_stats(stats, level="landscape").iloc[0]
    share = np.array(
        [landscape.proportion_of_landscape(c, percent=False) for c in landscape.classes]
    )
    g = landscape.compute_total_adjacency_df().to_numpy(dtype=float)
    q = share[:, None] * g / g.sum(axis=1, keepdims=True)
    q = q[q > 0]
    fragstats_contag = 100 * (1 + (q * np.log(q)).sum() / (2 * np.log(len(share))))
    shdi = -(share * np.log(share)).sum()
    close(mine["contagion"], landscape.contagion())
    close(mine["shannon_diversity_index"], shdi)
    # the other readings differ (edge and nodata cells make the shares unequal)
    assert not np.isclose(
        mine["shannon_diversity_index"], landscape.shannon_diversity_index(), rtol=1e-7
    )
    assert not np.isclose(mine["contagion"], fragstats_contag, rtol=1e-7)


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("nb", [4, 8])
def test_core_area_with_edge_depth_equals_pylandstats(depth, nb):
    arr = autocorrelated(7, (41, 39), 3, 2.5)
    valid = with_nodata(arr, 7)
    stats = reference_patch_stats(
        arr, valid, cell_size_m=30.0, neighbours=nb, edge_depth_cells=depth
    )
    landscape = pls.Landscape(
        np.where(valid, arr, NODATA), res=(30.0, 30.0), nodata=NODATA, neighborhood_rule=str(nb)
    )
    kw = {"edge_depth": depth}
    patch = metrics_from_stats(stats, level="patch", metrics=["core_area", "core_area_index"])
    ref = landscape.compute_patch_metrics_df(
        metrics=["core_area", "core_area_index"],
        metrics_kwargs={"core_area": kw, "core_area_index": kw},
    )
    close(patch["core_area"], ref["core_area"])
    close(patch["core_area_index"], ref["core_area_index"])
    cls = metrics_from_stats(stats, level="class", metrics=["total_core_area", "core_area_index"])
    ref_cls = landscape.compute_class_metrics_df(
        metrics=["total_core_area", "core_area_am"],
        metrics_kwargs={"total_core_area": kw, "core_area_am": kw},
    )
    close(cls["total_core_area"], ref_cls["total_core_area"])
    # class core_area_index = sum(core) / sum(area): pylandstats' CAI area-weighted mean
    cai_am = [
        landscape.core_area_index_am(class_val=c, edge_depth=depth) for c in landscape.classes
    ]
    close(cls["core_area_index"], cai_am)
    land = metrics_from_stats(stats, level="landscape", metrics=["total_core_area"]).iloc[0]
    close(land["total_core_area"], landscape.total_core_area(edge_depth=depth))


def test_edge_depth_zero_is_all_core_not_pylandstats_zero():
    """Edge depth 0: every cell is core (FRAGSTATS). pylandstats passes iterations=0 to
    scipy's binary_erosion, which means "erode until nothing changes": core 0."""
    arr = autocorrelated(8, (20, 25), 3, 2.0)
    stats = reference_patch_stats(arr, cell_size_m=30.0, edge_depth_cells=0)
    patch = metrics_from_stats(
        stats, level="patch", metrics=["area", "core_area", "core_area_index"]
    )
    close(patch["core_area"], patch["area"])
    assert (patch["core_area_index"] == 100.0).all()
    landscape = pls.Landscape(arr, res=(30.0, 30.0), nodata=NODATA)
    assert (landscape.core_area(edge_depth=0)["core_area"] == 0).all()


def test_pylandstats_count_boundary_does_not_change_core_area():
    """pylandstats' core_area(count_boundary=True) still erodes from the landscape edge
    (scipy's binary_erosion has border_value=0), so it cannot be the oracle of
    boundary_is_edge=False; that case has hand-counted tests in test_metrics.py."""
    arr = np.ones((6, 6), np.int64)
    arr[2, 3] = 2
    landscape = pls.Landscape(arr, res=(10.0, 10.0), nodata=NODATA)
    with_b = landscape.core_area(class_val=1, hectares=False, count_boundary=True)
    without = landscape.core_area(class_val=1, hectares=False, count_boundary=False)
    assert with_b.tolist() == without.tolist() == [(16 - 5) * 100]
    kept = reference_patch_stats(arr, cell_size_m=10.0, boundary_is_edge=False)
    # boundary not edge: only the cell of class 2 and its 4 neighbours are not core
    assert kept.patch_core_cells.tolist() == [36 - 1 - 4, 0]


def test_single_class_shdi_is_zero_not_nan():
    arr = np.ones((5, 6), np.int64)
    stats = reference_patch_stats(arr, cell_size_m=30.0)
    row = metrics_from_stats(stats, level="landscape").iloc[0]
    assert row["shannon_diversity_index"] == 0.0
    assert np.isnan(row["contagion"]) and "contagion" in row["note"]
    landscape = pls.Landscape(arr, res=(30.0, 30.0), nodata=NODATA)
    assert np.isnan(landscape.shannon_diversity_index())  # pylandstats: NaN, FRAGSTATS: 0


@pytest.mark.parametrize("nb", [8, 4])
def test_landscape_metrics_end_to_end_on_a_geotiff(tmp_path, nb):
    """Engine + formulas + file reading against pylandstats on the same GeoTIFF."""
    rasterio = pytest.importorskip("rasterio")
    arr = autocorrelated(11, (64, 80), 4, 3.0).astype("uint8")
    arr[with_nodata(arr, 11) == 0] = 255
    path = tmp_path / "cover.tif"
    profile = {
        "driver": "GTiff",
        "height": arr.shape[0],
        "width": arr.shape[1],
        "count": 1,
        "dtype": "uint8",
        "crs": "EPSG:32652",
        "transform": rasterio.transform.Affine(30.0, 0.0, 500_000, 0.0, -30.0, 4_800_000),
        "nodata": 255,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr, 1)
    table = landscape_metrics(path, level=("landscape", "class"), neighbours=nb)
    landscape = pls.Landscape(str(path), neighborhood_rule=str(nb))
    assert landscape.nodata == 255
    cls = table[table["level"] == "class"].reset_index(drop=True)
    shared = [m for m in CLASS_METRICS if m in landscape.CLASS_METRICS]
    ref = landscape.compute_class_metrics_df(metrics=shared)
    assert cls["class_value"].tolist() == ref.index.tolist()
    for name in shared:
        close(cls[name], ref[name])
    land = table[table["level"] == "landscape"].iloc[0]
    shared = [
        m
        for m in LANDSCAPE_LEVEL_METRICS
        if m in landscape.LANDSCAPE_METRICS and m not in FRAGSTATS_NOT_PYLANDSTATS
    ]
    ref_land = landscape.compute_landscape_metrics_df(metrics=shared).iloc[0]
    for name in shared:
        close(land[name], ref_land[name])
    assert land["nodata_share"] == pytest.approx((arr == 255).mean())

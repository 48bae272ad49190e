"""Landscape metrics on rasters whose metrics can be counted by hand, and bad input.

The hand counts are written next to each assertion. metrics_from_stats is fed
both the brute-force reference statistics (tests/landscape/reference_stats.py)
and the engine's, so these checks hold for the formulas and the engine alike.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from habitat.core.errors import DataQualityWarning, InputError
from habitat.core.tables import LANDSCAPE_METRICS
from habitat.landscape.metrics import (
    CLASS_METRICS,
    LANDSCAPE_LEVEL_METRICS,
    PATCH_METRICS,
    edge_depth_cells,
    landscape_metrics,
    metrics_from_stats,
    minimum_perimeter_sides,
)
from habitat.landscape.patches import patch_stats_array
from tests.landscape.reference_stats import reference_patch_stats

CRS = "EPSG:32652"


def transform(cell: float, x0: float = 500_000.0, y0: float = 4_800_000.0):
    return (cell, 0.0, x0, 0.0, -cell, y0)


BUILDERS = {"reference": reference_patch_stats, "engine": patch_stats_array}


@pytest.fixture(params=sorted(BUILDERS))
def build(request):
    return BUILDERS[request.param]


def block_in_meadow() -> np.ndarray:
    """A 3 x 3 block of forest (1) in the middle of a 5 x 5 meadow (2)."""
    grid = np.full((5, 5), 2)
    grid[1:4, 1:4] = 1
    return grid


# ----------------------------------------------------------------------------- hand counts
def test_block_of_nine_cells(build):
    stats = build(block_in_meadow(), cell_size_m=30.0)
    patch = metrics_from_stats(stats, level="patch").set_index("class_value")
    forest = patch.loc[1]
    # 1 patch, 9 cells of 900 m2, 12 cell sides of 30 m, the most compact shape of 9 cells
    assert forest["area"] == pytest.approx(9 * 900 / 10_000, rel=1e-12)
    assert forest["perimeter"] == pytest.approx(12 * 30.0, rel=1e-12)
    assert forest["shape_index"] == 1.0
    assert forest["perimeter_area_ratio"] == pytest.approx(360 / 0.81, rel=1e-12)
    assert forest["fractal_dimension"] == pytest.approx(
        2 * math.log(0.25 * 360) / math.log(8100), rel=1e-12
    )
    # core with a one-cell edge: the centre cell only
    assert forest["core_area"] == pytest.approx(0.09, rel=1e-12)
    assert forest["core_area_index"] == pytest.approx(100 / 9, rel=1e-12)
    assert np.isnan(forest["euclidean_nearest_neighbor"])  # the class's only patch
    meadow = patch.loc[2]
    # the ring: 16 cells, 5x5 outline (20 sides) + the hole's outline (12 sides)
    assert meadow["area"] == pytest.approx(16 * 0.09, rel=1e-12)
    assert meadow["perimeter"] == pytest.approx(32 * 30.0, rel=1e-12)
    assert meadow["core_area"] == 0.0

    cls = metrics_from_stats(stats, level="class").set_index("class_value")
    assert cls.loc[1, "number_of_patches"] == 1
    # edges between classes: the block's 12 sides (the landscape boundary not counted)
    assert cls.loc[1, "total_edge"] == cls.loc[2, "total_edge"] == pytest.approx(360.0)
    assert cls.loc[1, "proportion_of_landscape"] == pytest.approx(36.0)
    # class LSI: forest 12 sides / 12 (the minimum for 9 cells) = 1;
    # meadow 32 sides / min perimeter of 16 cells (16)
    assert cls.loc[1, "landscape_shape_index"] == 1.0
    assert cls.loc[2, "landscape_shape_index"] == 2.0
    land = metrics_from_stats(stats, level="landscape").iloc[0]
    assert land["number_of_patches"] == 2
    assert land["total_edge"] == pytest.approx(360.0)
    # landscape LSI: E* = 12 inner sides + 20 on the boundary, over 20 (5 x 5 square)
    assert land["landscape_shape_index"] == pytest.approx(32 / 20)


def test_count_boundary_adds_the_landscape_outline(build):
    stats = build(block_in_meadow(), cell_size_m=10.0)
    cls = metrics_from_stats(stats, level="class", count_boundary=True).set_index("class_value")
    assert cls.loc[1, "total_edge"] == 120.0  # the block touches no boundary
    assert cls.loc[2, "total_edge"] == (12 + 20) * 10.0
    land = metrics_from_stats(stats, level="landscape", count_boundary=True).iloc[0]
    assert land["total_edge"] == (12 + 20) * 10.0
    # edge density per ha of the 0.25 ha landscape
    assert land["edge_density"] == pytest.approx(320.0 / 0.25)


@pytest.mark.parametrize(("neighbours", "patches"), [(8, 1), (4, 8)])
def test_checkerboard(build, neighbours, patches):
    board = np.indices((4, 4)).sum(axis=0) % 2 + 1
    stats = build(board, cell_size_m=30.0, neighbours=neighbours)
    cls = metrics_from_stats(stats, level="class").set_index("class_value")
    # 8 neighbours: the diagonals join every cell of a colour; 4: every cell alone
    assert cls["number_of_patches"].tolist() == [patches, patches]
    # every inner side is an edge: 2 directions x 4 lines x 3 sides = 24, 720 m
    assert cls["total_edge"].tolist() == [720.0, 720.0]
    land = metrics_from_stats(stats, level="landscape").iloc[0]
    assert land["total_edge"] == 720.0
    assert land["number_of_patches"] == 2 * patches
    # no like adjacencies: q_ik = 0.5 for i != k, 0 for i == k,
    # CONTAG = 1 + 2 (0.5 ln 0.5) / (2 ln 2) = 0.5 (0 needs all four q_ik = 1/4)
    assert land["contagion"] == pytest.approx(50.0, rel=1e-12)
    assert land["shannon_diversity_index"] == pytest.approx(math.log(2))
    if neighbours == 4:
        # ENN of single cells of a checkerboard: the diagonal neighbour, sqrt(2) cells
        patch = metrics_from_stats(stats, level="patch")
        assert np.allclose(patch["euclidean_nearest_neighbor"], math.sqrt(2) * 30.0)
        assert np.all(patch["core_area"] == 0)


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_one_square_patch(build, n):
    stats = build(np.ones((n, n), int), cell_size_m=25.0)
    land = metrics_from_stats(stats, level="landscape").iloc[0]
    cls = metrics_from_stats(stats, level="class").iloc[0]
    area_ha = n * n * 625 / 10_000
    for row in (land, cls):
        assert row["landscape_shape_index"] == 1.0  # a square is the most compact
        assert row["effective_mesh_size"] == pytest.approx(area_ha)  # mesh of one patch
        assert row["landscape_division_index"] == 0.0
        assert row["splitting_index"] == 1.0
        assert row["largest_patch_index"] == 100.0
        assert row["total_edge"] == 0.0
        if n > 1:
            # cohesion: (1 - 4n / (4n * n)) / (1 - 1/n) = 1, i.e. 100 %
            assert row["patch_cohesion_index"] == pytest.approx(100.0)
    assert land["shannon_diversity_index"] == 0.0  # one class
    assert np.isnan(land["contagion"])  # undefined for one class (FRAGSTATS)
    assert "contagion" in land["note"]


def test_two_equal_patches_division_split_mesh(build):
    # two 5 x 5 forest patches in a 10 x 10 landscape of meadow, 100 m cells (1 ha)
    grid = np.full((10, 10), 2)
    grid[0:5, 0:5] = 1
    grid[5:10, 5:10] = 1
    stats = build(grid, cell_size_m=100.0, neighbours=4)
    forest = metrics_from_stats(stats, level="class").set_index("class_value").loc[1]
    a, big_a = 25.0, 100.0
    assert forest["landscape_division_index"] == pytest.approx(1 - 2 * (a / big_a) ** 2)
    assert forest["splitting_index"] == pytest.approx(big_a**2 / (2 * a**2))
    assert forest["effective_mesh_size"] == pytest.approx(2 * a**2 / big_a)  # ha
    # ENN of the two blocks (4 neighbours: two patches): corners (4,4)-(5,5) = sqrt 2 cells
    assert forest["euclidean_nearest_neighbor_mn"] == pytest.approx(100 * math.sqrt(2))
    # cohesion of two 5x5 squares, p = 20 sides, a = 25 cells, Z = 100 cells
    expected = (1 - 40 / (2 * 20 * 5)) / (1 - 1 / 10) * 100
    assert forest["patch_cohesion_index"] == pytest.approx(expected)
    land = metrics_from_stats(stats, level="landscape").iloc[0]
    # landscape: 4 patches of 25 cells (the meadow is two patches under the rook rule)
    assert land["number_of_patches"] == 4
    assert land["landscape_division_index"] == pytest.approx(1 - 4 * 0.25**2)
    assert land["splitting_index"] == pytest.approx(4.0)


def test_contagion_of_two_halves(build):
    grid = np.ones((4, 4), int)
    grid[:, 2:] = 2
    stats = build(grid, cell_size_m=30.0)
    land = metrics_from_stats(stats, level="landscape").iloc[0]
    # like sides per half: 4 horizontal + 6 vertical = 10, double counted 20; 4 unlike;
    # joint shares of all 48 double-counted adjacencies
    q_like, q_unlike = 20 / 48, 4 / 48
    total = 2 * (q_like * math.log(q_like) + q_unlike * math.log(q_unlike))
    assert land["contagion"] == pytest.approx(100 * (1 + total / (2 * math.log(2))), rel=1e-12)


def test_core_with_boundary_not_edge(build):
    grid = np.ones((6, 6), int)
    grid[2, 3] = 2
    cells = metrics_from_stats(
        build(grid, cell_size_m=100.0, boundary_is_edge=False), level="patch"
    ).set_index("class_value")
    # only the cell of class 2 and its 4 rook neighbours are not core: 35 - 4 = 31 cells
    assert cells.loc[1, "core_area"] == pytest.approx(31.0)
    edge = metrics_from_stats(build(grid, cell_size_m=100.0), level="patch")
    assert edge.set_index("class_value").loc[1, "core_area"] == pytest.approx(16 - 5.0)


def test_depth_two_core(build):
    grid = np.zeros((9, 9), int)
    stats = build(grid, cell_size_m=10.0, edge_depth_cells=2)
    # a 9 x 9 square with a two-cell edge keeps its 5 x 5 centre
    assert stats.patch_core_cells.tolist() == [25]


def test_nodata_is_not_landscape(build):
    grid = block_in_meadow()
    valid = np.ones(grid.shape, bool)
    valid[0, :] = False  # a row of nodata
    stats = build(grid, valid, cell_size_m=100.0)
    land = metrics_from_stats(stats, level="landscape").iloc[0]
    assert land["total_area"] == pytest.approx(20.0)  # 20 cells of 1 ha
    cls = metrics_from_stats(stats, level="class").set_index("class_value")
    assert cls["proportion_of_landscape"].sum() == pytest.approx(100.0)
    # the meadow: 11 cells, perimeter counts the sides facing nodata too
    assert cls.loc[2, "total_area"] == pytest.approx(11.0)


@pytest.mark.parametrize(
    ("area", "expected"),
    [(0, 0), (1, 4), (2, 6), (4, 8), (5, 10), (6, 10), (7, 12), (10**8, 40_000)],
)
def test_minimum_perimeter(area, expected):
    assert minimum_perimeter_sides(np.array([area]))[0] == expected


# ----------------------------------------------------------------------------- names
def test_every_metric_is_a_table_column():
    for name in (*PATCH_METRICS, *CLASS_METRICS, *LANDSCAPE_LEVEL_METRICS):
        assert name in LANDSCAPE_METRICS


def test_unknown_metric_names_the_valid_ones_and_a_close_match():
    stats = reference_patch_stats(block_in_meadow(), cell_size_m=30.0)
    with pytest.raises(InputError, match=r"Did you mean 'patch_density'\?.*Valid metrics"):
        metrics_from_stats(stats, level="class", metrics=["patch_densty"])
    with pytest.raises(InputError, match="landscape-level metric"):
        metrics_from_stats(stats, level="class", metrics=["contagion"])
    with pytest.raises(InputError, match="Did you mean 'landscape'"):
        metrics_from_stats(stats, level="landscpe")


def test_several_levels_in_one_table():
    stats = reference_patch_stats(block_in_meadow(), cell_size_m=30.0)
    table = metrics_from_stats(stats, level=("class", "landscape", "patch"))
    assert table["level"].tolist() == ["landscape", "class", "class", "patch", "patch"]
    # contagion is a landscape metric: NaN on class rows
    assert table.loc[table["level"] == "class", "contagion"].isna().all()


# ----------------------------------------------------------------------------- invariants
small_rasters = arrays(
    np.int64, st.tuples(st.integers(1, 9), st.integers(1, 9)), elements=st.integers(1, 3)
)


@settings(max_examples=60, derandomize=True, deadline=None, database=None)
@given(
    grid=small_rasters,
    nb=st.sampled_from([4, 8]),
    depth=st.integers(0, 2),
    boundary_is_edge=st.booleans(),
    data=st.data(),
)
def test_engine_and_reference_give_the_same_metrics(grid, nb, depth, boundary_is_edge, data):
    valid = data.draw(arrays(bool, grid.shape, elements=st.booleans()))
    if not valid.any():
        valid[0, 0] = True
    kw = {
        "cell_size_m": 30.0,
        "neighbours": nb,
        "edge_depth_cells": depth,
        "boundary_is_edge": boundary_is_edge,
    }
    ref = reference_patch_stats(grid, valid, **kw)
    eng = patch_stats_array(grid, valid, **kw)
    levels = ("landscape", "class", "patch")
    a = metrics_from_stats(ref, level=levels)
    b = metrics_from_stats(eng, level=levels)
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)
    cls = a[a["level"] == "class"]
    land = a[a["level"] == "landscape"].iloc[0]
    big_a = valid.sum() * 0.09
    # identities: areas add up; MESH = A (1 - DIVISION) = A / SPLIT; LPI <= 100
    assert cls["total_area"].sum() == pytest.approx(big_a)
    assert land["total_area"] == pytest.approx(big_a)
    for row in (*cls.itertuples(), land):
        mesh = row.effective_mesh_size
        assert mesh == pytest.approx(big_a * (1 - row.landscape_division_index), abs=1e-9)
        assert mesh == pytest.approx(big_a / row.splitting_index)
        assert 0 < row.largest_patch_index <= 100
    assert land["number_of_patches"] == cls["number_of_patches"].sum()
    # shape index >= 1, core <= area
    patch = a[a["level"] == "patch"]
    assert (patch["shape_index"] >= 1).all()
    assert (patch["core_area"] <= patch["area"]).all()


# ----------------------------------------------------------------------------- public entry
def test_landscape_metrics_on_an_array():
    grid = block_in_meadow().astype("uint8")
    table = landscape_metrics(
        grid, transform=transform(30.0), crs=CRS, level=("landscape", "class")
    )
    assert table["zone_id"].eq("landscape").all()
    assert table["level"].tolist() == ["landscape", "class", "class"]
    assert table["area_ha"].eq(25 * 0.09).all()
    assert table["nodata_share"].eq(0.0).all()
    assert table["cell_size_m"].eq(30.0).all()
    assert table["edge_depth_m"].eq(30.0).all()
    assert table["neighbours"].eq(8).all()
    assert table["note"].iloc[0] == ""  # two classes: contagion defined
    assert table.attrs["edge_depth_cells"] == 1
    assert table.attrs["neighbours"] == 8
    LANDSCAPE_METRICS.validate(table)


def test_nodata_is_explicit():
    grid = block_in_meadow().astype("uint8")
    grid[0, :] = 0
    t = transform(100.0)
    every = landscape_metrics(grid, transform=t, crs=CRS, level="landscape")
    assert every["area_ha"].iloc[0] == 25.0  # 0 is a class unless said otherwise
    told = landscape_metrics(grid, transform=t, crs=CRS, level="landscape", nodata=0)
    assert told["area_ha"].iloc[0] == 20.0
    assert told["nodata_share"].iloc[0] == pytest.approx(0.2)


@pytest.mark.parametrize("neighbours", [6, 0, "queen", True])
def test_neighbours_must_be_4_or_8(neighbours):
    with pytest.raises(InputError, match="neighbours must be 8"):
        landscape_metrics(np.ones((3, 3), "uint8"), transform=transform(30.0), crs=CRS,
                          neighbours=neighbours)  # fmt: skip


def test_edge_depth_must_be_whole_cells():
    assert edge_depth_cells(60.0, 30.0) == 2
    assert edge_depth_cells(100.0 + 1e-9, 100.0) == 1
    with pytest.raises(InputError, match=r"Use 30 m \(1 cells\) or 60 m \(2 cells\)"):
        landscape_metrics(np.ones((5, 5), "uint8"), transform=transform(30.0), crs=CRS,
                          edge_depth_m=50)  # fmt: skip
    for bad in (-30, float("nan"), "deep"):
        with pytest.raises(InputError, match="edge_depth_m"):
            edge_depth_cells(bad, 30.0)  # type: ignore[arg-type]
    table = landscape_metrics(
        np.ones((9, 9), "uint8"), transform=transform(30.0), crs=CRS, edge_depth_m=60,
        metrics=["total_core_area"],
    )  # fmt: skip
    assert table["total_core_area"].iloc[0] == pytest.approx(25 * 0.09)
    assert table["edge_depth_m"].iloc[0] == 60.0


def test_classes_filter_and_absent_class():
    grid = block_in_meadow().astype("uint8")
    t = transform(30.0)
    only = landscape_metrics(grid, transform=t, crs=CRS, classes=[1])
    assert only["class_value"].tolist() == [1]
    with pytest.raises(InputError, match=r"\[7\].*values present: \[1, 2\]"):
        landscape_metrics(grid, transform=t, crs=CRS, classes=[1, 7])


def test_single_class_raster():
    table = landscape_metrics(np.full((4, 4), 3, "uint8"), transform=transform(30.0), crs=CRS,
                              level="landscape")  # fmt: skip
    row = table.iloc[0]
    assert row["shannon_diversity_index"] == 0.0
    assert np.isnan(row["contagion"]) and "contagion undefined" in row["note"]


def test_all_nodata_raster_gives_nan_with_a_note_and_a_warning():
    grid = np.zeros((4, 4), "uint8")
    with pytest.warns(DataQualityWarning, match="nodata"):
        table = landscape_metrics(grid, transform=transform(30.0), crs=CRS, nodata=0,
                                  level=("landscape", "class"))  # fmt: skip
    assert table[list(LANDSCAPE_LEVEL_METRICS)].iloc[0].isna().all()
    assert table["note"].str.contains("nodata").all()
    assert table["area_ha"].eq(0.0).all()
    assert table["nodata_share"].eq(1.0).all()


def two_zone_raster():
    rng = np.random.default_rng(3)
    grid = rng.integers(1, 4, size=(20, 30)).astype("uint8")
    t = transform(100.0, 600_000.0, 4_802_000.0)
    zones = gpd.GeoDataFrame(
        {
            "name": ["west", "east", "far"],
            "geometry": [
                shapely.box(600_000, 4_800_000, 601_000, 4_802_000),  # columns 0-9
                shapely.box(601_500, 4_800_500, 603_000, 4_801_500),  # rows 5-14, cols 15-29
                shapely.box(700_000, 4_900_000, 701_000, 4_901_000),  # outside the raster
            ],
        },
        crs=CRS,
    )
    return grid, t, zones


def test_zones_are_measured_as_their_own_landscapes():
    grid, t, zones = two_zone_raster()
    with pytest.warns(DataQualityWarning) as record:
        table = landscape_metrics(grid, transform=t, crs=CRS, zones=zones, zone_id="name",
                                  level=("landscape", "class"))  # fmt: skip
    quality = [w for w in record if issubclass(w.category, DataQualityWarning)]
    assert len(quality) == 1 and "'far'" in str(quality[0].message)
    assert list(dict.fromkeys(table["zone_id"])) == ["west", "east", "far"]
    # the oracle: each zone's cells cut out of the raster, the rest nodata
    for name, rows, cols in (
        ("west", slice(0, 20), slice(0, 10)),
        ("east", slice(5, 15), slice(15, 30)),
    ):
        part = grid[rows, cols].astype(np.int64)
        ref = metrics_from_stats(
            reference_patch_stats(part, cell_size_m=100.0), level=("landscape", "class")
        )
        mine = table[table["zone_id"] == name].reset_index(drop=True)
        for metric in (*LANDSCAPE_LEVEL_METRICS, "proportion_of_landscape"):
            np.testing.assert_allclose(
                mine[metric].astype(float), ref[metric].astype(float), rtol=1e-12, equal_nan=True
            )
        assert mine["area_ha"].iloc[0] == part.size
    far = table[table["zone_id"] == "far"]
    assert far[list(LANDSCAPE_LEVEL_METRICS)].isna().all().all()
    assert far["note"].str.contains("outside").all()


def test_zone_classes_absent_in_one_zone():
    grid, t, zones = two_zone_raster()
    grid[:, :10] = 1  # the west zone holds class 1 only
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        table = landscape_metrics(grid, transform=t, crs=CRS, zones=zones.iloc[:2],
                                  zone_id="name", classes=[1, 2])  # fmt: skip
    west = table[table["zone_id"] == "west"].set_index("class_value")
    assert west.loc[2, "total_area"] == 0.0 and west.loc[2, "number_of_patches"] == 0
    assert np.isnan(west.loc[2, "area_mn"])
    assert "absent" in west.loc[2, "note"]
    assert west.loc[1, "proportion_of_landscape"] == 100.0


def test_enn_off_drops_its_metrics():
    grid = block_in_meadow().astype("uint8")
    table = landscape_metrics(grid, transform=transform(30.0), crs=CRS, enn=False)
    assert "euclidean_nearest_neighbor_mn" not in table.columns
    with pytest.raises(InputError, match="enn=True"):
        landscape_metrics(grid, transform=transform(30.0), crs=CRS, enn=False,
                          metrics=["euclidean_nearest_neighbor_mn"])  # fmt: skip


def test_zones_in_another_crs_are_aligned_not_the_raster():
    grid, t, zones = two_zone_raster()
    utm = landscape_metrics(grid, transform=t, crs=CRS, zones=zones.iloc[:2], zone_id="name")
    lonlat = landscape_metrics(
        grid, transform=t, crs=CRS, zones=zones.iloc[:2].to_crs(4326), zone_id="name"
    )
    # the same cells (centre rule) in both: identical tables, on the raster's 100 m cells
    pd.testing.assert_frame_equal(utm, lonlat)
    assert lonlat["cell_size_m"].eq(100.0).all()


def test_zone_over_nodata_only():
    grid, t, zones = two_zone_raster()
    grid[:, :10] = 0  # the west zone: nodata only
    with pytest.warns(DataQualityWarning, match="'west'.*nodata"):
        table = landscape_metrics(grid, transform=t, crs=CRS, zones=zones.iloc[:2],
                                  zone_id="name", nodata=0, level="landscape")  # fmt: skip
    west = table.set_index("zone_id").loc["west"]
    assert np.isnan(west["total_area"]) and "nodata" in west["note"]
    assert west["nodata_share"] == 1.0
    assert table.set_index("zone_id").loc["east", "note"] == ""


def test_patch_level_per_zone_with_a_classes_filter():
    grid, t, zones = two_zone_raster()
    table = landscape_metrics(grid, transform=t, crs=CRS, zones=zones.iloc[:2], zone_id="name",
                              level="patch", classes=[2])  # fmt: skip
    assert set(table["level"]) == {"patch"} and set(table["class_value"]) == {2}
    assert set(PATCH_METRICS) <= set(table.columns)
    assert not set(CLASS_METRICS) - set(PATCH_METRICS) & set(table.columns)
    west = table[table["zone_id"] == "west"]
    assert west["patch_id"].is_unique
    # patch areas of the class add up to its area in the zone
    assert west["area"].sum() == pytest.approx((grid[:, :10] == 2).sum() * 1.0)


def test_a_reprojected_raster_is_flagged_in_every_row():
    grid = np.random.default_rng(0).integers(1, 4, size=(30, 30)).astype("uint8")
    lonlat = (0.001, 0.0, 131.0, 0.0, -0.001, 43.2)
    with pytest.raises(Exception, match="reproject=True"):
        landscape_metrics(grid, transform=lonlat, crs="EPSG:4326")
    with pytest.warns(DataQualityWarning, match="reprojected"):
        table = landscape_metrics(grid, transform=lonlat, crs="EPSG:4326", reproject=True,
                                  level=("landscape", "class"))  # fmt: skip
    assert table["note"].str.contains("reprojected").all()
    assert table["cell_size_m"].iloc[0] == pytest.approx(81.3)  # 0.001 deg of longitude at 43 N


@settings(max_examples=60, derandomize=True, deadline=None, database=None)
@given(grid=small_rasters, nb=st.sampled_from([4, 8]), data=st.data())
def test_reference_statistics_keep_the_contract_identities(grid, nb, data):
    """The oracle itself: the identities api.md states for every PatchStats."""
    valid = data.draw(arrays(bool, grid.shape, elements=st.booleans()))
    stats = reference_patch_stats(grid, valid, cell_size_m=10.0, neighbours=nb)
    k = len(stats.classes)
    adj = stats.adjacency
    assert stats.patch_area_cells.sum() == stats.n_cells == valid.sum()
    assert (adj == adj.T).all() and adj[k, k] == 0
    for i, c in enumerate(stats.classes):
        mine = stats.patch_class == c
        assert adj[i].sum() - adj[i, i] == stats.patch_perimeter_sides[mine].sum()
        assert adj[i, k] == stats.patch_boundary_sides[mine].sum()
        # every cell has 4 sides: like sides (counted twice on the diagonal) + perimeter
        assert adj[i].sum() == 4 * stats.patch_area_cells[mine].sum()
    assert (stats.patch_core_cells <= stats.patch_area_cells).all()
    # two patches of a class are never rook neighbours, nor queen ones under the 8 rule
    enn = stats.patch_enn_cells[np.isfinite(stats.patch_enn_cells)]
    assert (enn >= (2.0 if nb == 8 else math.sqrt(2))).all()
    # patches come by class value, then by the raster order of their first cell
    order = np.lexsort((stats.patch_row * grid.shape[1] + stats.patch_col, stats.patch_class))
    assert (order == np.arange(len(order))).all()

"""Barriers and land cover of a study area inside ranges: lengths, densities, class names."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat import datasets
from habitat.core.errors import InputError
from habitat.io.raster import Raster
from habitat.io.study_area import StudyArea, study_layer
from habitat.landscape import (
    barrier_density_in_ranges,
    barrier_lengths,
    composition_in_ranges,
    landscape_in_ranges,
    line_density_in_ranges,
)

UTM = "EPSG:32618"  # New York
X0, Y0 = 560_000.0, 4_660_000.0


def square(dx: float = 0.0, dy: float = 0.0, side: float = 10_000.0) -> shapely.Polygon:
    return shapely.box(X0 + dx, Y0 + dy, X0 + dx + side, Y0 + dy + side)


RANGES = gpd.GeoDataFrame(
    {"individual": ["F1", "M1"]},
    geometry=[square(), square(dx=20_000, side=20_000)],
    index=[10, 11],
    crs=UTM,
)


def lines(*coords: tuple[tuple[float, float], ...]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        geometry=[shapely.LineString([(X0 + x, Y0 + y) for x, y in c]) for c in coords], crs=UTM
    )


def test_a_10_km_road_across_a_10_km_square_is_10_km_and_0_1_km_per_km2():
    # the road runs from 5 km west of F1 to 5 km east of it: 10 km inside, none in M1
    road = lines(((-5_000, 5_000), (15_000, 5_000)))
    area = StudyArea([study_layer(road, "roads", key="roads", label="Roads")])
    wide = barrier_density_in_ranges(RANGES, area)
    assert list(wide.columns) == ["roads_length_km", "roads_density_km_per_km2"]
    assert wide.index.tolist() == [10, 11]
    # measured in the ranges' UTM zone, where the road and the square were drawn
    np.testing.assert_allclose(wide["roads_length_km"], [10.0, 0.0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(wide["roads_density_km_per_km2"], [0.1, 0.0], rtol=0, atol=1e-12)
    long = barrier_lengths(RANGES, area)
    assert long[["range_id", "individual", "key", "label", "kind"]].values.tolist() == [
        [10, "F1", "roads", "Roads", "road"],
        [11, "M1", "roads", "Roads", "road"],
    ]
    assert long["area_km2"].isna().all() and long["share"].isna().all()  # no polygons


def test_each_barrier_layer_gets_its_columns_polygons_by_area():
    road = lines(((-5_000, 5_000), (15_000, 5_000)), ((25_000, -1_000), (25_000, 30_000)))
    fence = lines(((2_000, 0), (2_000, 4_000)))  # 4 km inside F1
    reservoir = gpd.GeoDataFrame(
        {"name": ["Ashokan"]}, geometry=[square(dx=2_000, side=2_000)], crs=UTM
    )
    area = StudyArea(
        [
            study_layer(road, "roads", key="roads", label="Roads"),
            study_layer(fence, "fences", key="deer fence", label="Deer fence"),
            study_layer(reservoir, "barriers", key="reservoirs", label="Reservoirs"),
        ]
    )
    wide = barrier_density_in_ranges(RANGES, area)
    assert list(wide.columns) == [
        "roads_length_km",
        "roads_density_km_per_km2",
        "deer_fence_length_km",
        "deer_fence_density_km_per_km2",
        "reservoirs_area_km2",
        "reservoirs_share",
    ]
    # M1 (20 km square) is crossed north-south by the second road: 20 km in 400 km²
    np.testing.assert_allclose(wide["roads_length_km"], [10.0, 20.0], atol=1e-9)
    np.testing.assert_allclose(wide["roads_density_km_per_km2"], [0.1, 0.05], atol=1e-12)
    np.testing.assert_allclose(wide["deer_fence_length_km"], [4.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(wide["reservoirs_area_km2"], [4.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(wide["reservoirs_share"], [0.04, 0.0], atol=1e-12)


def test_barrier_layers_far_away_give_zero_and_none_give_no_columns():
    far = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(131.0, 43.0), (131.5, 43.2)])], crs=4326
    )  # in Primorsky
    area = StudyArea([study_layer(far, "railways", key="railways")])
    wide = barrier_density_in_ranges(RANGES, area)
    assert wide.to_dict("list") == {
        "railways_length_km": [0.0, 0.0],
        "railways_density_km_per_km2": [0.0, 0.0],
    }
    assert barrier_density_in_ranges(RANGES, StudyArea()).shape == (2, 0)
    assert len(barrier_lengths(RANGES, StudyArea())) == 0


def test_keys_with_one_slug_get_distinct_columns():
    road = lines(((-5_000, 5_000), (15_000, 5_000)))
    area = StudyArea(
        [
            study_layer(road, "roads", key="Main-roads"),
            study_layer(road, "roads", key="main roads"),
        ]
    )
    cols = list(barrier_density_in_ranges(RANGES, area).columns)
    assert cols == [
        "main_roads_length_km",
        "main_roads_density_km_per_km2",
        "main_roads_2_length_km",
        "main_roads_2_density_km_per_km2",
    ]


def test_the_bundled_roads_and_railways_keep_their_columns_and_numbers():
    """The bundled study area gives the columns and values of line_density_in_ranges."""
    ranges = gpd.GeoDataFrame(
        geometry=[
            shapely.box(600_000 + dx, 4_700_000 + dy, 630_000 + dx, 4_730_000 + dy)
            for dx, dy in ((0, 0), (20_000, 40_000), (-40_000, 60_000))
        ],
        crs="EPSG:32652",
    )
    wide = barrier_density_in_ranges(ranges, datasets.primorsky())
    for name in ("roads", "railways"):
        legacy = line_density_in_ranges(ranges, datasets.layer(name))
        np.testing.assert_allclose(
            wide[f"{name}_length_km"], legacy["length_km"], rtol=1e-12, atol=1e-12
        )
        np.testing.assert_allclose(
            wide[f"{name}_density_km_per_km2"],
            legacy["density_km_per_km2"],
            rtol=1e-12,
            atol=1e-15,
        )
    assert wide["roads_length_km"].sum() > 10  # the ranges do meet the roads


def test_landscape_in_ranges_names_classes_from_the_study_areas_table():
    cells = np.ones((40, 40), dtype="uint8")
    cells[:, 20:] = 2
    cells[:5, :] = 3
    cover = Raster(
        cells,
        (1000.0, 0.0, X0, 0.0, -1000.0, Y0 + 40_000),
        UTM,
        nodata=0,
        classes={1: "Deciduous forest", 2: "Open water/ice", 3: "nodata"},
    )
    road = lines(((-5_000, 5_000), (15_000, 5_000)))
    area = StudyArea([study_layer(road, "roads", key="roads")], land_cover=cover)
    land = landscape_in_ranges(RANGES, area)
    assert list(land.columns) == [
        "n_cells",
        "share_deciduous_forest",
        "share_open_water_ice",
        "share_nodata_2",  # a class called 'nodata' is not the nodata share
        "share_nodata",
        "roads_length_km",
        "roads_density_km_per_km2",
    ]
    # F1 (x 0-10 km, y 0-10 km) is forest; M1 (x 20-40 km) water
    assert land["share_deciduous_forest"].tolist() == [1.0, 0.0]
    assert land["share_open_water_ice"].tolist() == [0.0, 1.0]
    comp = composition_in_ranges(RANGES, cover)
    pd.testing.assert_series_equal(comp["share_nodata"], land["share_nodata"])


def test_a_land_cover_far_away_is_left_out():
    far = Raster(np.ones((4, 4), dtype="uint8"), (1000.0, 0.0, 600_000, 0.0, -1000.0, 4_760_000),
                 "EPSG:32652", nodata=0, classes={1: "forest"})  # fmt: skip
    land = landscape_in_ranges(RANGES, StudyArea(land_cover=far))
    assert land.shape == (2, 0)


def test_a_mapping_is_refused_with_how_to_make_a_study_area():
    with pytest.raises(InputError, match="StudyArea"):
        barrier_density_in_ranges(RANGES, {"roads": lines(((0, 0), (1, 1)))})
    with pytest.raises(InputError, match="StudyArea"):
        landscape_in_ranges(RANGES, None)


def test_a_barrier_across_a_continent_is_measured_only_near_the_ranges() -> None:
    """One feature from Los Angeles via New York to Europe and Asia (a world rivers or
    roads layer): the km inside a New York range are those of its New York segment
    alone; the feature is cut to the ranges' surroundings, not projected whole into
    UTM 18N, where its far end (over 180 degrees from the zone) has no coordinates."""
    from habitat.io.study_area import StudyArea, study_layer
    from habitat.landscape.composition import barrier_lengths

    ny = [(-74.3, 42.6), (-73.0, 42.6)]
    long_road = gpd.GeoDataFrame(
        geometry=[
            shapely.LineString([(-118.2, 34.0), (-100.0, 41.0), *ny, (10.0, 50.0), (116.0, 40.0)])
        ],
        crs=4326,
    )
    short_road = gpd.GeoDataFrame(geometry=[shapely.LineString(ny)], crs=4326)
    square = gpd.GeoDataFrame(
        {"individual": ["F1"]},
        geometry=[shapely.box(580_000, 4_710_000, 590_000, 4_720_000)],
        crs="EPSG:32618",
    )
    far = barrier_lengths(square, StudyArea([study_layer(long_road, "roads")]))
    near = barrier_lengths(square, StudyArea([study_layer(short_road, "roads")]))
    # the road runs along a parallel through the 10 km square: 10 km within the UTM scale
    assert near["length_km"].iloc[0] == pytest.approx(10.0, rel=2e-4)
    # cutting adds a vertex on the far side of the range: the segment through the
    # range is the same parallel, drawn between other vertices (about 4e-5 apart)
    assert far["length_km"].iloc[0] == pytest.approx(near["length_km"].iloc[0], rel=1e-4)


def test_a_far_segment_of_a_huge_feature_never_counts_inside_a_range() -> None:
    """A line along 24.56 N from 135 W to 15 W, then north to 45 N, passes nowhere
    near New York. Projected whole into UTM 18N, its first segment becomes a straight
    line through y = 4,715 km, across a New York range: 10 km of phantom road. Cut to
    the ranges' surroundings first, it has none."""
    from habitat.io.study_area import StudyArea, study_layer
    from habitat.landscape.composition import barrier_lengths

    lat = 24.562453739600556  # UTM 18N y of (15 W, lat) is 4,715,000 m
    line = shapely.LineString([(-135.0, lat), (-15.0, lat), (-15.0, 45.0)])
    road = gpd.GeoDataFrame(geometry=[line], crs=4326)
    square = gpd.GeoDataFrame(
        {"individual": ["F1"]},
        geometry=[shapely.box(580_000, 4_710_000, 590_000, 4_720_000)],
        crs="EPSG:32618",
    )
    out = barrier_lengths(square, StudyArea([study_layer(road, "roads")]))
    assert out["length_km"].iloc[0] == 0.0

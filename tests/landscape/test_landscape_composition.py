"""Land-cover composition and line density inside ranges, against analytic truths."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat.core.crs import UTM_52N
from habitat.core.errors import GeometryTypeError, InputError, MissingCRSError
from habitat.io.raster import Raster
from habitat.landscape.composition import composition_in_ranges, line_density_in_ranges

# a 100 x 100 grid of 100 m cells: west half forest (1), east half water (5),
# one nodata column at the east edge
ARR = np.ones((100, 100), dtype=np.uint8)
ARR[:, 50:] = 5
ARR[:, 99] = 0
LC = Raster(
    ARR,
    (100.0, 0.0, 500_000.0, 0.0, -100.0, 4_800_000.0),
    UTM_52N,
    nodata=0,
    classes={1: "forest", 5: "water"},
)


def _gdf(*geoms, crs=UTM_52N):
    return gpd.GeoDataFrame(
        {"individual": [f"a{i}" for i in range(len(geoms))]},
        geometry=list(geoms),
        crs=crs,
        index=[10 + i for i in range(len(geoms))],
    )


def test_a_square_counts_its_cells_and_splits_by_class():
    # 2 km x 2 km square centred on the class boundary (x = 505,000)
    sq = shapely.box(504_000, 4_795_000, 506_000, 4_797_000)
    out = composition_in_ranges(_gdf(sq), LC)
    assert list(out.index) == [10]
    assert out.loc[10, "n_cells"] == 400
    assert out.loc[10, "area_km2_forest"] == pytest.approx(2.0, rel=1e-12)
    assert out.loc[10, "area_km2_water"] == pytest.approx(2.0, rel=1e-12)
    assert out.loc[10, "share_forest"] == pytest.approx(0.5, abs=1e-12)
    assert out.loc[10, "share_nodata"] == pytest.approx(0.0, abs=1e-12)


def test_nodata_and_cells_outside_the_grid_are_left_out_of_the_shares():
    # 1 km square straddling the nodata column and the grid's east edge (x = 510,000)
    sq = shapely.box(509_500, 4_795_000, 510_500, 4_796_000)
    out = composition_in_ranges(_gdf(sq), LC)
    # 10 x 10 cells inside; 4 columns of water with data, 1 nodata, 5 outside
    assert out.loc[10, "n_cells"] == 40
    assert out.loc[10, "share_water"] == pytest.approx(1.0)
    assert out.loc[10, "share_nodata"] == pytest.approx(0.6)


def test_composition_matches_a_brute_force_count_in_another_crs():
    circle = shapely.Point(505_230, 4_795_410).buffer(1_700)
    ranges = _gdf(circle).to_crs("EPSG:4326")  # reprojected back by the function
    out = composition_in_ranges(ranges, LC)
    rows, cols = np.mgrid[0:100, 0:100]
    x, y = LC.xy(rows.ravel(), cols.ravel())
    back = ranges.to_crs(UTM_52N).geometry.iloc[0]
    inside = shapely.contains_xy(back, x, y)
    v = ARR.ravel()[inside]
    assert out.loc[10, "n_cells"] == np.count_nonzero(v)
    assert out.loc[10, "share_forest"] == pytest.approx(np.mean(v[v > 0] == 1), abs=1e-12)


def test_line_density_of_a_road_across_a_square():
    sq = shapely.box(500_000, 4_790_000, 510_000, 4_800_000)  # 100 km2
    road = shapely.LineString([(495_000, 4_795_000), (515_000, 4_795_000)])  # 10 km inside
    out = line_density_in_ranges(_gdf(sq), _gdf(road), crs=UTM_52N)
    assert out.loc[10, "length_km"] == pytest.approx(10.0, rel=1e-12)
    assert out.loc[10, "density_km_per_km2"] == pytest.approx(0.1, rel=1e-12)
    far = shapely.box(600_000, 4_790_000, 601_000, 4_791_000)
    out2 = line_density_in_ranges(_gdf(sq, far), _gdf(road, road), crs=UTM_52N)
    assert out2.loc[10, "length_km"] == pytest.approx(20.0, rel=1e-12)  # two copies
    assert out2.loc[11, "length_km"] == 0.0


def test_bad_inputs_are_refused():
    sq = shapely.box(504_000, 4_795_000, 506_000, 4_797_000)
    with pytest.raises(InputError, match="Raster"):
        composition_in_ranges(_gdf(sq), ARR)
    with pytest.raises(MissingCRSError):
        composition_in_ranges(_gdf(sq, crs=None), LC)
    with pytest.raises(GeometryTypeError):
        line_density_in_ranges(_gdf(sq), _gdf(sq))


def test_many_ranges_at_once_equal_each_range_alone():
    shapes = [
        shapely.Point(503_000, 4_794_000).buffer(1_500),
        shapely.box(504_000, 4_795_000, 506_000, 4_797_000),
        shapely.Point(509_000, 4_792_000).buffer(2_500),  # partly off the grid
        shapely.box(700_000, 4_700_000, 701_000, 4_701_000),  # wholly off the grid
    ]
    together = composition_in_ranges(_gdf(*shapes), LC)
    for k, geom in enumerate(shapes):
        alone = composition_in_ranges(_gdf(geom), LC)
        got = together.iloc[[k]].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, alone.reset_index(drop=True))
    assert together["n_cells"].iloc[3] == 0 and np.isnan(together["share_forest"].iloc[3])
    assert together["n_cells"].iloc[1] == 400

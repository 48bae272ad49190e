import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from habitat import crs as hcrs
from habitat.core.errors import (
    DataQualityWarning,
    EmptyDataError,
    GeometryTypeError,
    MissingCRSError,
)
from habitat.homerange.polygons import home_ranges_from_polygons, synthetic_ranges


def test_given_polygons_get_library_areas_and_the_common_table():
    sq = box(500_000, 4_800_000, 510_000, 4_810_000)  # 10 km square = 100 km2 in UTM
    g = gpd.GeoDataFrame(
        {"individual": ["Leo 1F"], "sex": ["F"]}, geometry=[sq], crs=32652, index=[7]
    )
    out = home_ranges_from_polygons(g)
    assert list(out.index) == [7]
    row = out.iloc[0]
    # library area: equal-area CRS, so UTM's scale factor (0.9996 at the central meridian) shows
    assert row["area_km2"] == pytest.approx(100.0 / 0.9996**2, rel=1e-4)
    assert row["area_km2"] == pytest.approx(hcrs.geodesic_area_m2(g).iloc[0] / 1e6, rel=1e-3)
    assert row["method"] == "given" and row["level"] == 0.95 and row["repaired"] == ""
    assert not row["plausible"] and "outside the expected 15–38 sq mi" in row["plausibility"]


def test_bow_tie_is_repaired_with_a_recorded_reason():
    x, y = 500_000, 4_800_000  # on the central meridian of UTM 52N
    bow = Polygon([(x, y), (x + 10_000, y + 10_000), (x + 10_000, y), (x, y + 10_000)])  # bow-tie
    g = gpd.GeoDataFrame({"individual": ["A"]}, geometry=[bow], crs=32652)
    with pytest.warns(DataQualityWarning, match=r"1 invalid polygon\(s\) repaired.*row 0"):
        out = home_ranges_from_polygons(g, sex=None)
    assert out["repaired"].iloc[0].startswith("repaired: Self-intersection")
    assert out.geometry.iloc[0].is_valid
    # two triangles of 25 km2 each
    assert out["area_km2"].iloc[0] == pytest.approx(50.0 / 0.9996**2, rel=1e-3)
    assert out["sex"].iloc[0] == "unknown"


def test_bad_polygons():
    with pytest.raises(MissingCRSError):
        home_ranges_from_polygons(
            gpd.GeoDataFrame({"individual": ["A"]}, geometry=[box(0, 0, 1, 1)])
        )
    pts = gpd.GeoDataFrame({"individual": ["A"]}, geometry=[Point(0, 0)], crs=32652)
    with pytest.raises(GeometryTypeError, match="Polygon or MultiPolygon"):
        home_ranges_from_polygons(pts)
    line = gpd.GeoDataFrame(
        {"individual": ["A"]}, geometry=[LineString([(0, 0), (1, 1)])], crs=32652
    )
    with pytest.raises(GeometryTypeError):
        home_ranges_from_polygons(line)
    empty = gpd.GeoDataFrame(
        {"individual": ["A", "B"]}, geometry=[box(0, 0, 1, 1), Polygon()], crs=32652
    )
    with pytest.raises(EmptyDataError, match="rows 1"):
        home_ranges_from_polygons(empty)


def test_synthetic_ranges_have_sex_specific_areas_and_are_reproducible():
    centres = gpd.GeoDataFrame(
        {"individual": [f"L{i}" for i in range(40)], "sex": ["F", "M"] * 20},
        geometry=gpd.points_from_xy(np.linspace(130.6, 131.6, 40), np.full(40, 43.2)),
        crs=4326,
    )
    a = synthetic_ranges(centres, seed=3)
    b = synthetic_ranges(centres, seed=3)
    assert a.crs == centres.crs
    np.testing.assert_array_equal(a["area_km2"], b["area_km2"])
    # the library's measured area equals the drawn target
    np.testing.assert_allclose(a["area_km2"], a["target_area_km2"], rtol=1e-6)
    f = a[a["sex"] == "F"]["area_sq_mi"]
    m = a[a["sex"] == "M"]["area_sq_mi"]
    assert f.between(15, 38).all() and m.between(60, 155).all()
    assert a["plausible"].all()
    # centred on the given points
    dist = a.to_crs(32652).centroid.distance(centres.to_crs(32652).geometry)
    assert dist.max() < 1.0
    assert synthetic_ranges(centres, seed=4)["area_km2"].iloc[0] != a["area_km2"].iloc[0]

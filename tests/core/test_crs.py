import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod
from shapely.geometry import Polygon, box

from habitat import crs as hcrs
from habitat.core.errors import (
    CRSMismatchError,
    HabitatError,
    MissingCRSError,
    ProjectedCRSRequiredError,
)

GEOD = Geod(ellps="WGS84")


def _geodesic_square(lon0, lat0, side_m):
    """A square with geodesic sides of side_m, built with pyproj.Geod, densified."""
    lon1, lat1, _ = GEOD.fwd(lon0, lat0, 90, side_m)
    lon2, lat2, _ = GEOD.fwd(lon1, lat1, 0, side_m)
    lon3, lat3, _ = GEOD.fwd(lon0, lat0, 0, side_m)
    return Polygon([(lon0, lat0), (lon1, lat1), (lon2, lat2), (lon3, lat3)])


def _dense_ring(lon0, lat0, radius_m, n=720):
    az = np.linspace(0, 360, n, endpoint=False)
    lons, lats, _ = GEOD.fwd(np.full(n, lon0), np.full(n, lat0), az, np.full(n, radius_m))
    return Polygon(zip(lons, lats, strict=True))


def test_equal_area_crs_for_leopard_range_is_local_laea():
    park_box = gpd.GeoSeries([box(130.4, 42.4, 131.9, 44.1)], crs=4326)
    c = hcrs.equal_area_crs(park_box)
    assert hcrs.is_equal_area(c)
    params = dict(kv.split("=") for kv in c.srs.split() if "=" in kv)
    assert params["+proj"] == "laea"
    assert float(params["+lat_0"]) == pytest.approx(43.5)  # (42.4 + 44.1) / 2 = 43.25 -> 43.5
    assert float(params["+lon_0"]) == pytest.approx(131.0)  # 131.15 -> 131.0


def test_metric_crs_is_utm52n_for_leopard_range():
    pts = gpd.GeoSeries.from_xy([130.5, 131.8], [42.6, 44.0], crs=4326)
    assert hcrs.metric_crs(pts) == hcrs.UTM_52N
    # southern hemisphere, another zone
    assert hcrs.metric_crs((-58.5, -34.7, -58.3, -34.5)).to_epsg() == 32721


def test_one_km2_polygon_matches_geodesic_area():
    sq = gpd.GeoSeries([_geodesic_square(131.3, 43.2, 1000.0)], crs=4326)
    area = hcrs.area_m2(sq).iloc[0]
    geodesic = abs(GEOD.geometry_area_perimeter(sq.iloc[0])[0])
    assert geodesic == pytest.approx(1e6, rel=1e-3)
    assert area == pytest.approx(geodesic, rel=1e-3)


def test_krai_sized_polygon_matches_geodesic_area():
    # a densely sampled geodesic circle of radius 229 km: ~164,700 km2, like Primorsky Krai
    ring = gpd.GeoSeries([_dense_ring(134.5, 45.0, 229_000.0)], crs=4326)
    area = hcrs.area_m2(ring).iloc[0]
    geodesic = hcrs.geodesic_area_m2(ring).iloc[0]
    assert geodesic / 1e6 == pytest.approx(np.pi * 229.0**2, rel=2e-3)
    assert area == pytest.approx(geodesic, rel=1e-3)


def test_web_mercator_and_degrees_would_be_wrong_by_a_lot():
    # the reason for the policy: naive planar areas in 3857 are ~1.87x too large at 43 N
    sq = gpd.GeoSeries([_geodesic_square(131.3, 43.0, 10_000.0)], crs=4326)
    true_m2 = hcrs.area_m2(sq).iloc[0]
    assert true_m2 / 1e6 == pytest.approx(100.0, rel=1e-3)  # a 10 km square is 100 km2
    merc = sq.to_crs(3857).area.iloc[0]
    assert merc / true_m2 == pytest.approx(1 / np.cos(np.radians(43.04)) ** 2, rel=0.01)


def test_area_is_independent_of_input_crs_and_keeps_index():
    sq = _geodesic_square(131.0, 43.5, 5000.0)
    a = gpd.GeoDataFrame({"name": ["x"]}, geometry=[sq], crs=4326, index=["r7"])
    b = a.to_crs(32652)
    np.testing.assert_allclose(hcrs.area_m2(a), hcrs.area_m2(b), rtol=1e-6)
    assert list(hcrs.area_m2(b).index) == ["r7"]


@pytest.mark.parametrize("bad", ["EPSG:4326", "EPSG:3857", "EPSG:32652"])
def test_measurement_crs_refuses_degrees_mercator_and_non_equal_area(bad):
    with pytest.raises(ProjectedCRSRequiredError, match="equal_area_crs|degrees|Mercator"):
        hcrs.require_measurement_crs(bad, purpose="areas")


def test_measurement_crs_refuses_kilometre_units():
    with pytest.raises(ProjectedCRSRequiredError, match="not in metres"):
        hcrs.require_measurement_crs(
            "+proj=utm +zone=52 +ellps=WGS84 +units=km", purpose="distances"
        )


def test_measurement_crs_accepts_utm_for_distances_and_6933_for_areas():
    assert hcrs.require_measurement_crs("EPSG:32652", purpose="distances").to_epsg() == 32652
    assert hcrs.require_measurement_crs("EPSG:6933", purpose="areas").to_epsg() == 6933
    assert hcrs.is_web_mercator("EPSG:3857") and not hcrs.is_web_mercator("EPSG:32652")


def test_user_supplied_equal_area_crs_gives_same_area():
    ring = gpd.GeoSeries([_dense_ring(131.2, 43.3, 20_000.0)], crs=4326)
    np.testing.assert_allclose(hcrs.area_m2(ring, crs="EPSG:6933"), hcrs.area_m2(ring), rtol=1e-4)


def test_missing_crs_is_refused_with_how_to_declare():
    naive = gpd.GeoSeries([shapely.Point(131, 43)])
    with pytest.raises(MissingCRSError, match=r"set_crs\('EPSG:4326'\)") as info:
        hcrs.area_m2(naive, name="relocations")
    assert "relocations" in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, HabitatError)


def test_layers_in_different_crs_are_never_mixed_silently():
    a = gpd.GeoSeries([shapely.Point(131, 43)], crs=4326)
    b = a.to_crs(32652)
    with pytest.raises(CRSMismatchError, match=r"'ranges' \(EPSG:4326.*'parks' \(EPSG:32652"):
        hcrs.check_same_crs(a, b, names=("ranges", "parks"))
    aligned = hcrs.align(b, a.crs, name="parks")
    assert CRS.from_user_input(aligned.crs) == hcrs.WGS84
    assert aligned.iloc[0].x == pytest.approx(131.0)
    assert hcrs.align(a, 4326) is a  # no copy when already aligned


def test_lonlat_bounds_from_projected_data():
    pts = gpd.GeoSeries.from_xy([131.0, 131.5], [43.0, 43.5], crs=4326).to_crs(32652)
    w, s, e, n = hcrs.lonlat_bounds(pts)
    # the envelope of the projected box: contains the points, and only just
    assert w <= 131.0 and s <= 43.0 and e >= 131.5 and n >= 43.5
    assert (w, s, e, n) == pytest.approx((131.0, 43.0, 131.5, 43.5), abs=0.02)


def test_empty_geometries_have_zero_area_and_missing_ones_nan():
    g = gpd.GeoSeries([Polygon(), None], crs=4326)
    out = hcrs.area_m2(g)
    assert out.iloc[0] == 0.0 and np.isnan(out.iloc[1])
    assert hcrs.length_m(g).iloc[0] == 0.0
    with pytest.raises(MissingCRSError):
        hcrs.area_m2(gpd.GeoSeries([Polygon()]))

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


# --------------------------------------------------------------------------- threaded projection


def _circles_utm(n: int, seed: int = 3) -> gpd.GeoDataFrame:
    """``n`` circular 64-gons (radius 3-10 km) in UTM 52N, with an attribute column."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(560_000, 700_000, n)
    y = rng.uniform(4_700_000, 4_880_000, n)
    geoms = shapely.buffer(shapely.points(x, y), rng.uniform(3000, 10_000, n), quad_segs=16)
    return gpd.GeoDataFrame({"name": [f"c{i}" for i in range(n)]}, geometry=geoms, crs=32652)


def _same_coordinates(a: gpd.GeoSeries, b: gpd.GeoSeries) -> None:
    ca = shapely.get_coordinates(a.to_numpy(), include_z=True)
    cb = shapely.get_coordinates(b.to_numpy(), include_z=True)
    assert ca.shape == cb.shape
    np.testing.assert_allclose(ca, cb, rtol=0, atol=1e-9)  # metres
    assert np.array_equal(ca, cb, equal_nan=True)  # in fact bit for bit
    assert list(shapely.get_type_id(a.to_numpy())) == list(shapely.get_type_id(b.to_numpy()))


@pytest.mark.parametrize("n_jobs", [1, 2, 3, None])
def test_to_crs_threaded_equals_to_crs_on_a_real_size_layer(n_jobs):
    circles = _circles_utm(4_000)  # 260,000 vertices: split into chunks on several threads
    laea = hcrs.equal_area_crs(circles)
    ours = hcrs.to_crs_threaded(circles, laea, n_jobs=n_jobs)
    ref = circles.to_crs(laea)
    assert isinstance(ours, gpd.GeoDataFrame)
    assert ours.crs == ref.crs and list(ours.columns) == list(ref.columns)
    assert ours.index.equals(ref.index) and ours["name"].equals(ref["name"])
    _same_coordinates(ours.geometry, ref.geometry)
    back = hcrs.to_crs_threaded(ref.geometry.to_crs(4326), 32652, n_jobs=n_jobs)
    _same_coordinates(back, ref.geometry.to_crs(4326).to_crs(32652))


def test_to_crs_threaded_uses_threads_on_large_inputs(monkeypatch):
    import threading

    from habitat.core import crs as core_crs

    seen = set()
    original = core_crs._transform_chunk

    def spy(*args):
        seen.add(threading.get_ident())
        return original(*args)

    monkeypatch.setattr(core_crs, "_transform_chunk", spy)
    circles = _circles_utm(2_000)
    hcrs.to_crs_threaded(circles, 4326, n_jobs=2)
    assert threading.get_ident() not in seen and 1 <= len(seen) <= 2
    seen.clear()
    hcrs.to_crs_threaded(circles, 4326, n_jobs=1)
    assert seen == {threading.get_ident()}


def test_to_crs_threaded_small_mixed_inputs():
    g = gpd.GeoSeries(
        [
            shapely.Point(131.0, 43.0),
            None,
            Polygon(),
            shapely.Point(131.2, 43.1, 250.0),  # with z
            box(130.9, 42.9, 131.1, 43.2),
            shapely.MultiPolygon([box(131, 43, 131.1, 43.1), box(131.2, 43, 131.3, 43.1)]),
            shapely.LineString([(131, 43), (131.5, 43.5)]),
        ],
        index=list("abcdefg"),
        name="geom",
        crs=4326,
    )
    for n_jobs in (1, 2):
        ours = hcrs.to_crs_threaded(g, 32652, n_jobs=n_jobs)
        ref = g.to_crs(32652)
        assert isinstance(ours, gpd.GeoSeries) and ours.name == "geom"
        assert ours.index.equals(ref.index) and ours.crs == ref.crs
        assert ours.isna().tolist() == ref.isna().tolist()
        assert shapely.has_z(ours.to_numpy()).tolist() == shapely.has_z(ref.to_numpy()).tolist()
        _same_coordinates(ours, ref)
    empty = gpd.GeoSeries([], crs=4326)
    assert len(hcrs.to_crs_threaded(empty, 32652)) == 0
    assert hcrs.to_crs_threaded(g, 4326) is g  # already there: no copy, as align


def test_to_crs_threaded_refuses_bad_input():
    from habitat.core.errors import InputError

    with pytest.raises(MissingCRSError):
        hcrs.to_crs_threaded(gpd.GeoSeries([shapely.Point(0, 0)]), 4326)
    for bad in (0, -2, 1.5, True, "2"):
        with pytest.raises(InputError, match="n_jobs"):
            hcrs.to_crs_threaded(gpd.GeoSeries([shapely.Point(0, 0)], crs=4326), 3857, n_jobs=bad)


def test_projection_cache_reuses_and_never_serves_a_stale_projection(monkeypatch):
    from habitat.core import crs as core_crs

    calls = []
    original = core_crs._transform_chunk
    monkeypatch.setattr(core_crs, "_transform_chunk", lambda *a: calls.append(1) or original(*a))
    hcrs.clear_projection_cache()
    layer = _circles_utm(50)
    first = hcrs.to_crs_threaded(layer, 4326, cache=True)
    n_first = len(calls)
    again = hcrs.to_crs_threaded(layer, 4326, cache=True)
    assert len(calls) == n_first  # served from the cache
    _same_coordinates(again.geometry, first.geometry)
    # a caller modifying its result does not reach the cache
    again.geometry.array[0] = shapely.Point(0, 0)
    _same_coordinates(hcrs.to_crs_threaded(layer, 4326, cache=True).geometry, first.geometry)

    # the layer mutated in place: one geometry replaced -> projected anew
    shifted = shapely.affinity.translate(layer.geometry.iloc[3], 5_000)
    layer.loc[layer.index[3], "geometry"] = shifted
    moved = hcrs.to_crs_threaded(layer, 4326, cache=True)
    assert len(calls) > n_first
    _same_coordinates(moved.geometry, layer.to_crs(4326).geometry)
    assert not shapely.equals_exact(moved.geometry.iloc[3], first.geometry.iloc[3], 0)

    # the same geometries with another CRS declared, or another target: not the cached one
    n_before = len(calls)
    relabelled = layer.set_crs(32653, allow_override=True)
    _same_coordinates(
        hcrs.to_crs_threaded(relabelled, 4326, cache=True).geometry,
        relabelled.to_crs(4326).geometry,
    )
    _same_coordinates(
        hcrs.to_crs_threaded(layer, 3857, cache=True).geometry, layer.to_crs(3857).geometry
    )
    assert len(calls) == n_before + 2
    hcrs.clear_projection_cache()
    hcrs.to_crs_threaded(layer, 4326, cache=True)
    assert len(calls) == n_before + 3
    # without cache=True nothing is reused
    hcrs.to_crs_threaded(layer, 4326)
    assert len(calls) == n_before + 4


# --------------------------------------------------------------- non-surface CRSs
ENGINEERING = (
    'LOCAL_CS["site grid",LOCAL_DATUM["site",0],UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]'
)
NON_SURFACE = [
    ("EPSG:4978", "Geocentric"),  # WGS 84 Earth-centred X/Y/Z
    ("EPSG:4936", "Geocentric"),  # ETRS89 geocentric
    ("EPSG:5773", "Vertical"),  # EGM96 height
    (ENGINEERING, "Engineering"),
]


@pytest.mark.parametrize(("crs", "kind"), NON_SURFACE)
def test_non_surface_crs_is_refused_naming_it(crs, kind):
    from habitat.core.errors import CRSError

    with pytest.raises(CRSError, match=kind):
        hcrs.as_crs(crs)
    layer = gpd.GeoSeries([box(0, 0, 1000, 1000)]).set_crs(crs, allow_override=True)
    square = gpd.GeoSeries([box(500_000, 4_800_000, 510_000, 4_810_000)], crs="EPSG:32652")
    # wherever a CRS is accepted: declared on data, as a target, as a measurement CRS
    for call in (
        lambda: hcrs.require_crs(layer, name="park"),
        lambda: hcrs.area_m2(layer, name="park"),
        lambda: hcrs.length_m(layer, name="park"),
        lambda: hcrs.to_equal_area(layer, name="park"),
        lambda: hcrs.align(square, crs),
        lambda: hcrs.to_crs_threaded(square, crs),
        lambda: hcrs.require_measurement_crs(crs),
        lambda: hcrs.require_measurement_crs(crs, purpose="distances"),
        lambda: hcrs.to_metric(square, crs=crs),
    ):
        with pytest.raises(CRSError, match=kind):
            call()


@pytest.mark.parametrize(
    "crs",
    [
        "EPSG:4326",
        "EPSG:32652",
        "EPSG:4979",
        "EPSG:32652+5773",
        "+proj=utm +zone=52 +towgs84=0,0,0",
        "+proj=ob_tran +o_proj=longlat +o_lat_p=40 +lon_0=10",
    ],
)
def test_surface_crs_kinds_are_accepted(crs):
    """Geographic 2D/3D, projected, compound (horizontal + height), bound, rotated pole."""
    assert hcrs.as_crs(crs).is_geographic or hcrs.as_crs(crs).is_projected


def test_compound_crs_measures_like_its_horizontal_part():
    square = box(500_000, 4_800_000, 510_000, 4_810_000)
    plain = hcrs.area_m2(gpd.GeoSeries([square], crs="EPSG:32652")).iloc[0]
    compound = hcrs.area_m2(gpd.GeoSeries([square], crs="EPSG:32652+5773")).iloc[0]
    assert compound == pytest.approx(plain, rel=1e-12)


@pytest.mark.parametrize("bad", [None, "", "UTM 52", "EPSG:99999999", 3.5, True, ["EPSG:4326"]])
def test_unparseable_crs_is_a_crs_error(bad):
    from habitat.core.errors import CRSError

    with pytest.raises(CRSError, match="crs"):
        hcrs.as_crs(bad)
    with pytest.raises(CRSError):
        hcrs.require_measurement_crs(bad)
    square = gpd.GeoSeries([box(500_000, 4_800_000, 510_000, 4_810_000)], crs="EPSG:32652")
    with pytest.raises(CRSError):
        hcrs.align(square, bad)


def test_describe_crs_never_fails_on_a_bad_crs():
    assert hcrs.describe_crs("UTM 52") == "'UTM 52'"


# --------------------------------------------------------------- coordinates that cannot be used
def test_nan_vertices_are_refused_by_measurements_naming_the_row():
    from habitat.core.errors import CoordinateError

    nan_square = Polygon([(500_000, 4_800_000), (np.nan, 4_800_000), (510_000, 4_810_000)])
    layer = gpd.GeoSeries(
        [box(500_000, 4_800_000, 510_000, 4_810_000), nan_square],
        index=["good", "bad"],
        crs="EPSG:32652",
    )
    for call in (hcrs.area_m2, hcrs.length_m):
        with pytest.raises(CoordinateError, match="rows bad"):
            call(layer, name="park")


def test_coordinates_that_cannot_be_projected_are_refused_not_nan():
    """A latitude of 95° has no place in an equal-area CRS: refused, never a NaN area."""
    from habitat.core.errors import CoordinateError

    beyond_pole = gpd.GeoSeries([box(130, 80, 131, 95)], crs="EPSG:4326")
    with pytest.raises(CoordinateError, match="reprojection"):
        hcrs.area_m2(beyond_pole, crs="EPSG:6933")


@pytest.mark.parametrize("extent", [(1, 2), (np.nan, 0, 1, 1), (0, 50, 1, 95), ("a", 0, 1, 1)])
def test_bad_extents_are_refused(extent):
    with pytest.raises(HabitatError, match="extent"):
        hcrs.equal_area_crs(extent)
    with pytest.raises(HabitatError, match="extent"):
        hcrs.metric_crs(extent)


def test_not_geodata_is_an_input_error():
    from habitat.core.errors import InputError

    with pytest.raises(InputError, match="park must be a GeoDataFrame or GeoSeries"):
        hcrs.require_crs(None, name="park")
    with pytest.raises(InputError):
        hcrs.check_same_crs(None, gpd.GeoSeries([box(0, 0, 1, 1)], crs=4326))

"""Ranges across the antimeridian are drawn where they are, not as bands round the world."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from habitat.core import crs as hcrs
from habitat.maps import add_home_ranges, add_relocations, add_vector_layer, study_area_map
from habitat.maps.display import CENTRAL_LONGITUDE_ATTR, central_longitude

#: an azimuthal equal-area CRS centred on the antimeridian at 50° N (metres)
LAEA_180 = CRS.from_proj4("+proj=laea +lat_0=50 +lon_0=180 +datum=WGS84 +units=m +no_defs")


def _centre_xy(crs: CRS, lon: float = 179.9, lat: float = 50.0) -> tuple[float, float]:
    pt = gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).to_crs(crs).iloc[0]
    return pt.x, pt.y


def _ranges(crs: CRS) -> gpd.GeoDataFrame:
    """A 95 % range (30 km disc) and a 50 % core (10 km) around 179.9° E, 50° N."""
    x, y = _centre_xy(crs)
    return gpd.GeoDataFrame(
        {"individual": ["Amur 1F", "Amur 1F"], "method": "kde", "level": [0.95, 0.5]},
        geometry=[shapely.Point(x, y).buffer(30_000), shapely.Point(x, y).buffer(10_000)],
        crs=crs,
    )


def _fixes(crs: CRS, n: int = 200) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(7)
    x, y = _centre_xy(crs)
    xy = np.array([x, y]) + rng.normal(0, 8_000, size=(n, 2))
    return gpd.GeoDataFrame(
        {"individual": ["Amur 1F"] * n, "sex": ["F"] * n},
        geometry=shapely.points(xy),
        crs=crs,
    )


def _rings(geometry: dict) -> list[np.ndarray]:
    """Every ring / point list of a GeoJSON geometry as (n, 2) arrays."""
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Polygon":
        return [np.asarray(r, float) for r in coords]
    if kind == "MultiPolygon":
        return [np.asarray(r, float) for p in coords for r in p]
    if kind in ("LineString", "MultiPoint"):
        return [np.asarray(coords, float)]
    if kind == "MultiLineString":
        return [np.asarray(r, float) for r in coords]
    return [np.asarray([coords], float)]


def _features(m: folium.Map) -> list[dict]:
    out = []
    for child in m._children.values():
        for sub in getattr(child, "_children", {}).values():
            if isinstance(sub, folium.GeoJson):
                out.extend(sub.data["features"])
    return out


def _assert_compact(m: folium.Map, *, max_span_deg: float = 2.0) -> np.ndarray:
    """No ring spans more than ``max_span_deg`` of longitude; return all coordinates."""
    feats = _features(m)
    assert feats, "nothing drawn"
    all_xy = []
    for f in feats:
        for ring in _rings(f["geometry"]):
            span = np.ptp(ring[:, 0])
            assert span < max_span_deg, f"a ring spans {span:.1f}° of longitude (a band)"
            all_xy.append(ring)
    xy = np.vstack(all_xy)
    assert np.ptp(xy[:, 0]) < max_span_deg  # all layers in one continuous range
    return xy


@pytest.mark.parametrize("crs", [LAEA_180, CRS.from_epsg(32660), CRS.from_epsg(3857)])
def test_range_across_antimeridian_drawn_compact(crs):
    ranges = _ranges(crs)
    # the area is right already (60 disc of 30 km: pi * 30^2 = 2827 km2, polygonised)
    area = hcrs.area_m2(ranges, name="ranges") / 1e6
    if crs == LAEA_180:
        assert area.iloc[0] == pytest.approx(np.pi * 30**2, rel=2e-3)
    m = folium.Map(tiles=None)
    add_home_ranges(m, ranges, simplify_m=None, coordinate_decimals=None)
    xy = _assert_compact(m)
    # oracle: the same vertices taken to 0..360 (continuous at 180) by plain modular arithmetic
    lonlat = shapely.get_coordinates(ranges.to_crs(4326).geometry.to_numpy())
    lon360 = np.mod(lonlat[:, 0], 360.0)
    assert xy[:, 0].min() == pytest.approx(lon360.min(), abs=1e-9)
    assert xy[:, 0].max() == pytest.approx(lon360.max(), abs=1e-9)
    assert xy[:, 0].min() < 180.0 < xy[:, 0].max()  # drawn across 180, continuously
    if crs == LAEA_180:  # 30 km at 50° N is 0.42° of longitude each side of 179.9
        half = np.degrees(30_000 / (6_371_000 * np.cos(np.radians(50.0))))
        assert xy[:, 0].min() == pytest.approx(179.9 - half, abs=0.01)
        assert xy[:, 0].max() == pytest.approx(179.9 + half, abs=0.01)


def test_every_layer_of_a_map_shares_the_range():
    ranges, fixes = _ranges(LAEA_180), _fixes(LAEA_180)
    west = gpd.GeoDataFrame(  # a layer wholly west of the antimeridian, drawn after
        {"name": ["west"]},
        geometry=[shapely.box(-179.8, 49.9, -179.7, 50.0)],
        crs=4326,
    )
    m = folium.Map(tiles=None)
    add_relocations(m, fixes, mode="points")
    add_home_ranges(m, ranges)
    add_vector_layer(m, west, name="west")
    xy = _assert_compact(m)
    assert (xy[:, 0] > 180).any() and (xy[:, 0] < 180).any()
    assert getattr(m, CENTRAL_LONGITUDE_ATTR) == pytest.approx(179.9, abs=0.05) or (
        getattr(m, CENTRAL_LONGITUDE_ATTR) == pytest.approx(-180.1, abs=0.05)
    )
    # the western box is drawn at 180.2..180.3 (its true place), not at -179.8..-179.7
    boxes = [
        r
        for f in _features(m)
        for r in _rings(f["geometry"])
        if len(r) == 5 and r[:, 1].max() <= 50
    ]
    assert len(boxes) == 1
    assert (boxes[0][:, 0].min(), boxes[0][:, 0].max()) == pytest.approx((180.2, 180.3), abs=1e-9)


def test_study_area_map_fits_bounds_round_the_range():
    ranges, fixes = _ranges(LAEA_180), _fixes(LAEA_180)
    m = study_area_map({}, ranges=ranges, relocations=fixes, tiles=None, fixes="points")
    _assert_compact(m)
    page = m.get_root().render()
    found = re.search(r"fitBounds\(\s*(\[\[.*?\]\])", page, re.S)
    assert found, "the map is not fitted to its layers"
    (south, west), (north, east) = json.loads(found.group(1))
    assert 0 < east - west < 2.0  # not -180..180
    assert west < 180.0 < east or west < 179.9 < east
    assert 49.5 < south < 50.0 < north < 50.5


def test_flagship_longitudes_untouched():
    # near 131° E nothing is shifted: layers keep their exact coordinates
    park = gpd.GeoDataFrame(
        geometry=[shapely.box(500_000, 4_800_000, 510_000, 4_810_000)], crs=32652
    )
    m = folium.Map(tiles=None)
    add_vector_layer(m, park, name="park", coordinate_decimals=5)
    feats = _features(m)
    lons = np.asarray(feats[0]["geometry"]["coordinates"][0])[:, 0]
    assert 128.9 < lons.min() and lons.max() < 129.2
    assert getattr(m, CENTRAL_LONGITUDE_ATTR) == pytest.approx(129.06, abs=0.05)


def test_central_longitude_is_circular():
    pts = gpd.GeoSeries(shapely.points([[170.0, 0.0], [-170.0, 0.0]]), crs=4326)
    assert abs(central_longitude(pts)) == pytest.approx(180.0)
    pts = gpd.GeoSeries(shapely.points([[10.0, 0.0], [-10.0, 0.0]]), crs=4326)
    assert central_longitude(pts) == pytest.approx(0.0, abs=1e-12)
    assert central_longitude(gpd.GeoSeries([shapely.Point()], crs=4326)) is None


def _overlay_bounds(m: folium.Map) -> list[list[float]]:
    page = m.get_root().render()
    i = page.index("imageOverlay(")
    found = re.search(r"(\[\[[-0-9.e, ]+\], \[[-0-9.e, ]+\]\])", page[i:])
    assert found
    return json.loads(found.group(1))


def test_raster_across_antimeridian_overlaid_in_place():
    from habitat.io.raster import Raster
    from habitat.maps import add_current_density
    from habitat.maps.overlays import warp_to_web_map

    x, y = _centre_xy(LAEA_180)
    values = np.arange(100, dtype="float32").reshape(10, 10)
    raster = Raster(values, (2000.0, 0.0, x - 10_000, 0.0, -2000.0, y + 10_000), LAEA_180)
    warped, valid, (w, s, e, n) = warp_to_web_map(raster)
    # 20 km square around 179.9° E: from about 179.76 to 180.04, never -180..180
    assert w < 180.0 < e and 0 < e - w < 0.5 and s < 50.0 < n
    assert valid.all()
    # nearest-cell warp keeps the values; the corners are the raster's corners
    assert warped[0, 0] == 0 and warped[-1, -1] == 99
    m = folium.Map(tiles=None)
    add_home_ranges(m, _ranges(LAEA_180))
    add_current_density(m, raster)
    (south, west), (north, east) = _overlay_bounds(m)
    assert (west, east) == pytest.approx((w, e)) and (south, north) == pytest.approx((s, n))
    # the ranges and the overlay are in one longitude range
    xy = _assert_compact(m)
    assert abs(xy[:, 0].mean() - (west + east) / 2) < 1.0

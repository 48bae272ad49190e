"""The bundled schematic layers: areas, positions, consistency, and the loader."""

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pyproj import CRS

from habitat import crs as hcrs
from habitat import datasets
from habitat.core.errors import DatasetNotFoundError, HabitatError

SHARED_GEO = Path(__file__).resolve().parents[3] / "shared" / "data" / "geo"
REQUIRED = [
    "land_of_the_leopard",
    "park_zones",
    "kedrovaya_pad",
    "ne_china_tiger_leopard_np",
    "primorsky_krai",
    "borders",
    "countries",
    "roads",
    "railways",
    "settlements",
]


@pytest.fixture(scope="module")
def layers():
    return datasets.layers()


def _km2(gdf):
    return hcrs.area_m2(gdf).sum() / 1e6


def _union(gdf):
    return shapely.union_all(gdf.geometry.to_numpy())


def test_every_required_layer_is_there_in_wgs84_and_valid(layers):
    assert set(REQUIRED) <= set(datasets.available())
    for name in REQUIRED:
        gdf = layers[name]
        assert CRS.from_user_input(gdf.crs) == hcrs.WGS84, name
        assert len(gdf) >= 1 and "name" in gdf.columns, name
        assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any(), name


@pytest.mark.parametrize(
    ("name", "target_km2", "rel"),
    [
        ("land_of_the_leopard", 2620.0, 0.02),
        ("kedrovaya_pad", 178.97, 0.03),
        ("ne_china_tiger_leopard_np", 14600.0, 0.03),
        ("primorsky_krai", 164673.0, 0.03),
    ],
)
def test_layer_areas_match_published_figures(layers, name, target_km2, rel):
    assert _km2(layers[name]) == pytest.approx(target_km2, rel=rel)


def test_layer_areas_agree_with_geodesic_area(layers):
    # the equal-area CRS and the ellipsoid agree to 0.1 % on real-sized layers
    for name in ("land_of_the_leopard", "primorsky_krai", "kedrovaya_pad"):
        geodesic = hcrs.geodesic_area_m2(layers[name]).sum() / 1e6
        assert _km2(layers[name]) == pytest.approx(geodesic, rel=1e-3), name


def test_park_zones_tile_the_park_with_published_areas(layers):
    zones = layers["park_zones"].set_index("zone")
    targets = {"core": 300, "border_security": 1200, "recreation": 720, "economic": 380}
    assert set(zones.index) == set(targets)
    areas = hcrs.area_m2(zones) / 1e6
    for zone, target in targets.items():
        assert areas[zone] == pytest.approx(target, rel=0.05), zone
    park = _union(layers["land_of_the_leopard"])
    union = _union(zones)
    park_area = _km2(layers["land_of_the_leopard"])
    sym = gpd.GeoSeries([shapely.symmetric_difference(park, union)], crs=4326)
    assert _km2(sym) / park_area < 1e-6  # union of zones == park
    assert areas.sum() == pytest.approx(park_area, rel=1e-6)  # so no overlaps either


def test_park_is_a_strip_in_its_real_place(layers):
    park = layers["land_of_the_leopard"]
    w, s, e, n = park.total_bounds
    # the envelope is "about 130.4-131.9 E, 42.4-44.1 N": allow 0.02 deg (~1.6 km)
    assert 130.38 <= w and e <= 131.92 and 42.38 <= s and n <= 44.12
    assert w < 130.6 and n > 43.8  # and it spans the strip from the Tumen to the plateau
    # a narrow strip: the park fills only a small part of its bounding box
    bbox = gpd.GeoSeries([shapely.box(w, s, e, n)], crs=4326)
    assert _km2(park) / _km2(bbox) < 0.25
    # it lies along the Chinese border: most of it within 25 km of the border
    ru_cn = layers["borders"][layers["borders"]["countries"] == "Russia–China"]
    near = ru_cn.to_crs(32652).buffer(25_000).union_all()
    park_m = park.to_crs(32652).union_all()
    assert park_m.intersection(near).area / park_m.area > 0.8


def test_park_and_reserve_are_separate_neighbours(layers):
    park = _union(layers["land_of_the_leopard"])
    reserve = _union(layers["kedrovaya_pad"])
    assert (
        reserve.contains(shapely.Point(131.5, 43.08))
        or reserve.distance(shapely.Point(131.5, 43.0833)) < 0.05
    )
    overlap = gpd.GeoSeries([park.intersection(reserve)], crs=4326)
    assert _km2(overlap) < 0.01
    gap = gpd.GeoSeries([park, reserve], crs=4326).to_crs(32652)
    assert gap.iloc[0].distance(gap.iloc[1]) < 2_000  # neighbours across the A189


def test_countries_put_parks_on_the_right_side(layers):
    c = layers["countries"].set_index("name")
    china, russia = c.loc[["China"]], c.loc[["Russia"]]
    park = layers["land_of_the_leopard"]
    cn_np = layers["ne_china_tiger_leopard_np"]
    park_in_china = gpd.overlay(park, china.reset_index(), how="intersection")
    assert (_km2(park_in_china) if len(park_in_china) else 0.0) < 0.01 * _km2(park)
    np_in_russia = gpd.overlay(cn_np, russia.reset_index(), how="intersection")
    assert (_km2(np_in_russia) if len(np_in_russia) else 0.0) < 0.01 * _km2(cn_np)


def test_narvinsky_tunnel_is_a_wildlife_crossing_on_the_a189(layers):
    roads = layers["roads"]
    tunnel = roads[roads["wildlife_crossing"].astype(bool)]
    assert len(tunnel) == 1
    assert tunnel["crossing"].iloc[0] == "Narvinsky tunnel"
    a189 = roads[roads["name"].str.contains("Razdolnoye–Khasan")]
    assert len(a189) == 1
    t_m, road_m = tunnel.to_crs(32652).geometry.iloc[0], a189.to_crs(32652).geometry.iloc[0]
    assert t_m.length == pytest.approx(575.0, rel=0.02)
    assert road_m.distance(t_m.interpolate(0.5, normalized=True)) < 300
    # between the park and Kedrovaya Pad
    for name in ("land_of_the_leopard", "kedrovaya_pad"):
        assert layers[name].to_crs(32652).distance(t_m).min() < 3_000, name


def test_settlements_have_names_populations_and_lie_on_land(layers):
    towns = layers["settlements"]
    assert {"name", "population", "country"} <= set(towns.columns)
    assert (towns["population"] > 0).all()
    vlad = towns[towns["name"] == "Vladivostok"]
    assert len(vlad) == 1 and vlad["population"].iloc[0] > 500_000
    assert vlad.geometry.iloc[0].distance(shapely.Point(131.89, 43.12)) < 0.1
    land = _union(layers["countries"])
    assert towns.geometry.within(land.buffer(0.01)).all()


def test_loader_returns_copies():
    a = datasets.layer("kedrovaya_pad")
    a["name"] = "changed"
    assert datasets.layer("kedrovaya_pad")["name"].iloc[0] != "changed"
    lc = datasets.land_cover()
    lc.array[:] = 0
    assert datasets.land_cover().array.max() > 0


def test_unknown_dataset_name_suggests_the_close_one():
    with pytest.raises(DatasetNotFoundError, match=r"Did you mean 'kedrovaya_pad'") as info:
        datasets.layer("kedrovaya-pad")
    assert "land_of_the_leopard" in str(info.value)
    assert isinstance(info.value, LookupError) and isinstance(info.value, HabitatError)
    with pytest.raises(DatasetNotFoundError, match="no bundled file"):
        datasets.data_path("relocations", "nope.csv")
    with pytest.raises(DatasetNotFoundError):
        datasets.data_path("..", "pyproject.toml")  # never outside the data folder


def test_demo_relocations_are_bundled():
    path = datasets.data_path("relocations", "demo_leopards.csv")
    assert path.stat().st_size > 100_000


@pytest.mark.skipif(not SHARED_GEO.exists(), reason="shared reference layers not available")
class TestAgainstRealReferenceLayers:
    """Positions checked against Natural Earth / OpenStreetMap (not shipped)."""

    def test_park_lies_in_russia(self, layers):
        countries = gpd.read_file(SHARED_GEO / "countries_ne10m_clip.geojson")
        col = next(
            c
            for c in ("ADM0_A3", "adm0_a3", "ISO_A3", "iso_a3", "NAME", "name")
            if c in countries.columns
        )
        china = countries[countries[col].astype(str).str.contains("CHN|China")]
        park = layers["land_of_the_leopard"]
        inside_china = park.geometry.iloc[0].intersection(china.union_all())
        share = _km2(gpd.GeoSeries([inside_china], crs=4326)) / _km2(park)
        assert share < 0.02

    def test_krai_outline_matches_osm(self, layers):
        osm = gpd.read_file(SHARED_GEO / "primorsky_krai_osm.geojson").to_crs(4326)
        ours = _union(layers["primorsky_krai"])
        real = osm.union_all()
        inter = _km2(gpd.GeoSeries([ours.intersection(real)], crs=4326))
        union = _km2(gpd.GeoSeries([ours.union(real)], crs=4326))
        assert inter / union > 0.85
        assert _km2(osm) == pytest.approx(164_673, rel=0.03)

    def _osm_krai_m(self):
        return gpd.read_file(SHARED_GEO / "primorsky_krai_osm.geojson").to_crs(hcrs.UTM_52N)

    @pytest.mark.parametrize("name", ["land_of_the_leopard", "park_zones", "kedrovaya_pad"])
    def test_russian_layers_lie_in_the_krai(self, layers, name):
        """Nothing of a Russian layer lies more than 1 km outside the OSM outline."""
        krai = self._osm_krai_m().union_all()
        ours = layers[name].to_crs(hcrs.UTM_52N).union_all()
        beyond_1km_km2 = ours.difference(krai.buffer(1_000)).area / 1e6
        outside_share = ours.difference(krai).area / ours.area
        assert beyond_1km_km2 < 1e-3  # was 88 km² for the park before the border was redrawn
        assert outside_share < 0.005  # was 9 % (237 km²)

    def test_chinese_park_lies_in_china(self, layers):
        krai = self._osm_krai_m().union_all()
        np_cn = layers["ne_china_tiger_leopard_np"].to_crs(hcrs.UTM_52N).union_all()
        assert np_cn.intersection(krai.buffer(-1_000)).area / 1e6 < 1e-3

    def test_border_follows_the_osm_outline_within_1_km(self, layers):
        """Hausdorff distance (both ways) of the Russia–China border to the OSM outline."""
        borders = layers["borders"].to_crs(hcrs.UTM_52N)
        ours = borders.loc[borders["countries"] == "Russia–China", "geometry"].union_all()
        outline = self._osm_krai_m().union_all().boundary
        # ours -> OSM: every point of our line (densified to 100 m) within 1 km
        pts = shapely.points(shapely.get_coordinates(shapely.segmentize(ours, 100.0)))
        assert shapely.distance(pts, outline).max() < 1_000.0
        # OSM -> ours: the outline's points near our line (away from its two ends,
        # where the coast and the Khabarovsk Krai line continue the outline). A
        # stretch of the outline straying further than 1 km from our line would
        # have points between 1 and 2 km away.
        ends = shapely.union_all(shapely.points(shapely.get_coordinates(ours)[[0, -1]]))
        pts = shapely.points(shapely.get_coordinates(shapely.segmentize(outline, 100.0)))
        pts = pts[~shapely.intersects(pts, ends.buffer(5_000))]
        d = shapely.distance(pts, ours)
        assert (d < 2_000).sum() > 8_000  # the whole border, ~870 km at 100 m, not a stub
        assert d[d < 2_000].max() < 1_000.0


@pytest.mark.parametrize(
    "crs",
    [hcrs.UTM_52N, "EPSG:3857", "+proj=laea +lat_0=43 +lon_0=131 +datum=WGS84 +units=m"],
)
def test_bundled_polygons_stay_valid_when_projected(layers, crs):
    """A long lon/lat edge must not pass a vertex on the wrong side once projected."""
    for name, gdf in layers.items():
        polys = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
        projected = polys.to_crs(crs)
        reasons = shapely.is_valid_reason(projected.geometry.to_numpy())
        assert projected.is_valid.all(), (name, reasons.tolist())

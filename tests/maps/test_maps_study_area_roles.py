"""Issue 11: maps of any study area, drawn by layer role, fitted to the data, titled from them.

A generated New York study area (parks with zones in UTM 18N, roads, a
wildlife crossing, a settlement, a small land-cover raster) with fishers in it,
and the bundled Primorsky study area with the demo leopards. What is checked:
where the view is (its fitted bounds against the data's extent), what the page
names (the user's parks, zones and classes; none of the bundled ones), how
each role is styled (the colour Leaflet is given for each feature), and that
data strings are escaped.
"""

from __future__ import annotations

import html
import re
import warnings

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from folium.map import FitBounds

from habitat import datasets
from habitat.io.raster import Raster
from habitat.io.study_area import StudyArea, study_layer
from habitat.maps import LAYER_STYLES, prepare_layers, study_area_map
from habitat.maps.style import (
    BARRIER_STYLES,
    LAND_COVER_COLOURS,
    OTHER_CLASS_COLOURS,
    ROLE_STYLES,
    TUNNEL_COLOUR,
    ZONE_COLOURS,
)

UTM18N = "EPSG:32618"
#: centre of the generated study area in UTM 18N (about 74.2 W, 44.0 N: the Adirondacks)
E0, N0 = 580_000.0, 4_872_000.0
HOSTILE = "<img src=x onerror=alert(1)>"


# ------------------------------------------------------------------ generated data
def _parks() -> gpd.GeoDataFrame:
    """One park of two zones around the fishers, and a zone-less park 150 km away."""
    return gpd.GeoDataFrame(
        {
            "PARK_NAME": ["Adirondack Forest Preserve"] * 2 + ["Catskill Forest Preserve"],
            "LAND_CLASS": ["Wilderness Area", "Intensive Use Area", None],
            "IUCN": ["Ib", "V", "V"],
        },
        geometry=[
            shapely.box(E0 - 20_000, N0 - 15_000, E0, N0 + 15_000),
            shapely.box(E0, N0 - 15_000, E0 + 20_000, N0 + 15_000),
            shapely.box(E0 - 10_000, N0 - 190_000, E0 + 10_000, N0 - 170_000),
        ],
        crs=UTM18N,
    )


def _roads() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"ROUTE": ["NY 3", "I-87"], "TYPE": ["State highway", "Interstate highway"]},
        geometry=[
            shapely.LineString([(E0 - 30_000, N0 - 5_000), (E0 + 30_000, N0 + 5_000)]),
            shapely.LineString([(E0 + 10_000, N0 - 30_000), (E0 + 12_000, N0 + 30_000)]),
        ],
        crs=UTM18N,
    )


def _crossings() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"NAME": ["NY 3 wildlife underpass"], "TYPE": ["underpass"]},
        geometry=[shapely.Point(E0, N0)],
        crs=UTM18N,
    )


def _towns() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"NAME": ["Tupper Lake"], "population": [3_600]},
        geometry=[shapely.Point(E0 - 8_000, N0 + 9_000)],
        crs=UTM18N,
    )


def _land_cover() -> Raster:
    """40 x 40 cells of 500 m: deciduous forest with a lake (NLCD-like names)."""
    arr = np.full((40, 40), 41, dtype=np.uint8)
    arr[10:20, 10:25] = 11
    arr[0, :] = 0
    return Raster(
        arr,
        (500.0, 0.0, E0 - 10_000, 0.0, -500.0, N0 + 10_000),
        UTM18N,
        nodata=0,
        classes={41: "deciduous forest", 11: "open water"},
    )


def new_york(*extra, name="Adirondack fishers", parks=None) -> StudyArea:
    return StudyArea(
        [
            study_layer(
                _parks() if parks is None else parks,
                "parks",
                label="NYS forest preserve",
                name_column="PARK_NAME",
                zone_column="LAND_CLASS",
                category_column="IUCN",
            ),
            study_layer(
                _roads(),
                "roads",
                label="Highways",
                name_column="ROUTE",
                kind_column="TYPE",
                width_m=12.0,
            ),
            study_layer(
                _crossings(),
                "crossings",
                label="Wildlife crossings",
                name_column="NAME",
                kind_column="TYPE",
            ),
            study_layer(_towns(), "settlements", label="Villages", name_column="NAME"),
            *extra,
        ],
        land_cover=_land_cover(),
        name=name,
    )


def fishers(n_animals=3, n=60, seed=7) -> gpd.GeoDataFrame:
    """Fixes of ``n_animals`` fishers within 6 km of the study area's centre (UTM 18N)."""
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"NY fisher {i + 1}" for i in range(n_animals)], n)
    xy = np.column_stack([E0, N0]) + rng.uniform(-6_000, 6_000, (len(ids), 2))
    return gpd.GeoDataFrame(
        {"individual": ids, "sex": "F"}, geometry=gpd.points_from_xy(*xy.T), crs=UTM18N
    )


def mcp(fixes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    hulls = fixes.dissolve("individual").convex_hull
    return gpd.GeoDataFrame(
        {"individual": hulls.index, "sex": "F", "method": "mcp", "level": 0.95},
        geometry=hulls.to_numpy(),
        crs=fixes.crs,
    )


# ------------------------------------------------------------------ reading a map
def lonlat(gdf: gpd.GeoDataFrame) -> tuple[float, ...]:
    """(west, south, east, north) of the features themselves in degrees."""
    return tuple(float(v) for v in gdf.to_crs(4326).total_bounds)


def page_of(m: folium.Map) -> str:
    return m.get_root().render()


def fitted(m: folium.Map) -> tuple[float, float, float, float]:
    """(west, south, east, north) the view is fitted to, from the map and its page."""
    fits = [c for c in m._children.values() if isinstance(c, FitBounds)]
    assert len(fits) == 1
    (s, w), (n, e) = fits[0].bounds
    found = re.search(
        r"fitBounds\(\s*\[\[([-\d.e]+),\s*([-\d.e]+)\],\s*\[([-\d.e]+),\s*([-\d.e]+)\]\]",
        page_of(m),
    )
    assert found is not None
    assert [float(v) for v in found.groups()] == pytest.approx([s, w, n, e])
    return w, s, e, n


def legend_title(page: str) -> str:
    found = re.search(
        r'class="habitat-legend".*?font-weight: bold; margin-bottom: 4px;">(.*?)</div>', page, re.S
    )
    assert found is not None
    return found.group(1)


def groups(m: folium.Map) -> dict[str, folium.FeatureGroup]:
    """Feature groups of the map by layer name, sub-layers (zones, kinds) included."""
    out: dict[str, folium.FeatureGroup] = {}

    def walk(el):
        for child in el._children.values():
            if isinstance(child, folium.FeatureGroup):
                out[child.layer_name] = child
                walk(child)

    walk(m)
    return out


def feature_styles(group: folium.FeatureGroup) -> list[dict]:
    """The Leaflet style of every feature of a layer, as folium computes it."""
    styles = []
    for child in group._children.values():
        if isinstance(child, folium.GeoJson):
            styles += [child.style_function(f) for f in child.data["features"]]
    return styles


def properties(group: folium.FeatureGroup) -> list[dict]:
    """The (escaped, readable) properties of every feature of a layer."""
    out = []
    for child in group._children.values():
        if isinstance(child, folium.GeoJson):
            out += [f["properties"] for f in child.data["features"]]
    return out


def feature_names(group: folium.FeatureGroup) -> list[str]:
    return [p.get("name") for p in properties(group)]


def bundled_words() -> set[str]:
    """Every bundled layer key, label and feature name (the words a NY map must not show)."""
    words = {"Amur", "leopard", "Leopard", "Primorsky", "Narvinsky", "Kedrovaya"}
    for key, (_, label, _) in datasets.PRIMORSKY_ROLES.items():
        words |= {key, label}
    words |= {style["label"] for style in LAYER_STYLES.values()}
    for lyr in datasets.primorsky().layers:
        words |= set(lyr.data["name"].dropna().astype(str))
    words -= {
        "Roads",
        "Railways",
        "Rivers",
        "Settlements",
        "Countries",
        "roads",
        "railways",
        "rivers",
        "settlements",
        "countries",
        "borders",
        "crossings",
        "Wildlife crossings",
    }
    return words


# ------------------------------------------------------------------ New York
@pytest.fixture(scope="module")
def ny_map():
    fixes = fishers()
    m = study_area_map(new_york(), relocations=fixes, ranges=mcp(fixes), tiles=None)
    return m, page_of(m), fixes


def test_new_york_view_fits_the_fishers_and_their_park(ny_map):
    m, _, fixes = ny_map
    w, s, e, n = fitted(m)
    dw, ds, de, dn = lonlat(fixes)
    # the data are inside the view, and the view is within a degree of them
    assert w <= dw and s <= ds and e >= de and n >= dn
    assert max(dw - w, ds - s, e - de, n - dn) < 1.0
    # the park the fishers live in (40 x 30 km) is what widens it: its lon/lat box
    park = lonlat(_parks().iloc[:2])
    assert (w, s, e, n) == pytest.approx(park, abs=1e-4)


def test_new_york_map_names_none_of_the_bundled_layers(ny_map):
    _, page, _ = ny_map
    shown = [w for w in bundled_words() if w in page]
    assert shown == []
    assert "Schematic layers" not in page  # the user's layers are not the schematic ones
    # the user's names are there instead (in tooltips, JSON-escaped or not)
    for name in ["Adirondack Forest Preserve", "NY 3 wildlife underpass", "Tupper Lake"]:
        assert name in page
    assert "Catskill" not in page  # 150 km from the fishers: left out


def test_new_york_title_legend_zones_and_land_cover(ny_map):
    m, page, _ = ny_map
    assert legend_title(page) == "Adirondack fishers"
    legend = page[page.index('class="habitat-legend"') :]
    legend = legend[: legend.index("</script>")] if "</script>" in legend else legend
    # one legend entry per zone, named from the user's column, in the zone palette
    for zone, colour in zip(["Wilderness Area", "Intensive Use Area"], ZONE_COLOURS, strict=False):
        assert re.search(rf"background:{colour};[^<]*\"></span>Zone: {zone}</div>", legend)
    by_name = groups(m)
    assert {"Wilderness Area", "Intensive Use Area"} <= set(by_name)
    # land cover classes named from the raster's classes, coloured from the palette
    # (no bundled colour for these names)
    assert "deciduous forest" not in LAND_COVER_COLOURS
    for cls in ("deciduous forest", "open water"):
        found = re.search(rf"background:(#[0-9a-f]+);[^<]*\"></span>{cls}</div>", legend)
        assert found is not None and found.group(1) in OTHER_CLASS_COLOURS
    assert page.count("L.imageOverlay(") == 1


def test_new_york_layers_are_styled_by_role(ny_map):
    m, page, _ = ny_map
    by_name = groups(m)
    # roads: lines in the road style, kinds from the user's column
    road_styles = feature_styles(by_name["Highways"])
    assert road_styles and all(s["color"] == BARRIER_STYLES["road"]["color"] for s in road_styles)
    # the crossing: a highlighted marker; the village: a point in the settlement colour
    (cross,) = feature_styles(by_name["Wildlife crossings"])
    assert cross["fillColor"] == TUNNEL_COLOUR
    assert feature_names(by_name["Wildlife crossings"]) == ["NY 3 wildlife underpass"]
    (town,) = feature_styles(by_name["Villages"])
    assert town["fillColor"] == ROLE_STYLES["settlements"]["color"]
    marker = next(
        c for c in by_name["Wildlife crossings"]._children.values() if isinstance(c, folium.GeoJson)
    ).marker
    assert marker.options["radius"] > 5  # bigger than an ordinary point
    # tooltips give the standard columns: name, zone, category, kind, width in metres
    road = properties(by_name["Highways"])[0]
    assert (road["name"], road["kind"], road["width"]) == ("NY 3", "State highway", "12 m")
    park = properties(by_name["Wilderness Area"])[0]
    assert (park["name"], park["zone"], park["category"]) == (
        "Adirondack Forest Preserve",
        "Wilderness Area",
        "Ib",
    )


def test_far_layers_do_not_widen_the_view():
    fixes = fishers()
    far_park = gpd.GeoDataFrame(
        {"name": ["Sikhote-Alin reserve"]},
        geometry=[shapely.box(135.0, 44.8, 136.5, 46.0)],
        crs=4326,
    )
    # a protected area as big as New England and an admin unit as big as the continent, both
    # meeting the fishers: kept (they touch the data), but they must not widen the view
    region = gpd.GeoDataFrame(
        {"name": ["Northern Forest region"]}, geometry=[shapely.box(-80, 40, -67, 47.5)], crs=4326
    )
    continent = gpd.GeoDataFrame(
        {"name": ["North America"]}, geometry=[shapely.box(-168, 15, -52, 72)], crs=4326
    )
    area = new_york(
        study_layer(far_park, "parks", label="Russian reserves"),
        study_layer(region, "parks", label="Forest regions"),
        study_layer(continent, "countries", label="Continent"),
    )
    dw, ds, de, dn = lonlat(fixes)
    for given in (area, prepare_layers(area)):
        m = study_area_map(given, relocations=fixes, tiles=None)
        w, s, e, n = fitted(m)
        assert w <= dw and s <= ds and e >= de and n >= dn
        # at most the margin beyond the data: 25 km (0.23 deg of latitude, 0.31 of longitude)
        assert max(ds - s, n - dn) <= 25 / 111.32 + 1e-9
        assert max(dw - w, e - de) <= 25 / (111.32 * np.cos(np.radians(dn))) + 1e-9
        page = page_of(m)
        assert "Sikhote-Alin" not in page and "Russian reserves" not in page
        assert "North America" in page  # drawn, just not fitted to


def test_no_data_fits_the_protected_areas_else_every_layer():
    m = study_area_map(new_york(), tiles=None)
    assert fitted(m) == pytest.approx(lonlat(_parks()), abs=1e-4)
    assert legend_title(page_of(m)) == "Adirondack fishers"
    no_parks = StudyArea([study_layer(_roads(), "roads", name_column="ROUTE")])
    m = study_area_map(no_parks, tiles=None)
    assert fitted(m) == pytest.approx(lonlat(_roads()), abs=1e-4)
    assert legend_title(page_of(m)) == "Study area"


def test_title_from_the_data_without_layers():
    fixes = fishers(n_animals=3)
    assert legend_title(page_of(study_area_map(None, ranges=mcp(fixes), tiles=None))) == (
        "Home ranges of 3 animals"
    )
    one = fishers(n_animals=1)
    assert legend_title(page_of(study_area_map(None, relocations=one, tiles=None))) == (
        "Fixes of 1 animal"
    )
    assert legend_title(page_of(study_area_map(None, tiles=None))) == "Study area"
    # an explicit title wins
    page = page_of(study_area_map(new_york(), relocations=fixes, title="Fishers 2024", tiles=None))
    assert legend_title(page) == "Fishers 2024"
    # a study area far from the data is emptied (near()): the title is the data's
    area = new_york()
    fixes = fixes.to_crs(4326)
    elsewhere = fixes.set_geometry(fixes.translate(xoff=40.0))
    page = page_of(study_area_map(area, relocations=elsewhere, tiles=None))
    assert legend_title(page) == "Fixes of 3 animals"
    assert "Adirondack" not in page


def test_land_cover_false_and_explicit():
    fixes = fishers()
    page = page_of(study_area_map(new_york(), relocations=fixes, land_cover=False, tiles=None))
    assert "L.imageOverlay(" not in page and "deciduous forest" not in page
    other = _land_cover()
    other = Raster(other.array, other.transform, other.crs, nodata=0, classes={41: "hardwoods"})
    page = page_of(study_area_map(new_york(), relocations=fixes, land_cover=other, tiles=None))
    assert "hardwoods" in page and "deciduous forest" not in page


def test_barrier_kinds_are_drawn_and_listed_apart():
    lines = gpd.GeoDataFrame(
        {"KIND": ["Railway", "rail spur", "deer fence", "bridge", "Stream"]},
        geometry=[
            shapely.LineString([(E0 - 9_000, N0 + 1_000 * i), (E0 + 9_000, N0 + 1_000 * i)])
            for i in range(5)
        ],
        crs=UTM18N,
    )
    area = StudyArea([study_layer(lines, "barriers", label="Barriers", kind_column="KIND")])
    m = study_area_map(area, relocations=fishers(), tiles=None)
    by_name = groups(m)
    page = page_of(m)
    # each class its own sub-layer, in its style, with a legend entry; "bridge" has no class
    # of its own: it takes the layer's most common one (railway)
    for cls in ("railway", "fence", "river"):
        label = f"Barriers: {cls}"
        styles = feature_styles(by_name[label])
        assert styles and all(s["color"] == BARRIER_STYLES[cls]["color"] for s in styles)
        assert f"</span>{label}</div>" in page
    assert [
        len(feature_styles(by_name[f"Barriers: {c}"])) for c in ("railway", "fence", "river")
    ] == [
        3,
        1,
        1,
    ]


def test_park_names_and_zones_from_data_are_escaped():
    parks = _parks().iloc[:2].copy()
    parks["PARK_NAME"] = [HOSTILE, "Fine park"]
    parks["LAND_CLASS"] = ["<script>alert(2)</script>", "Wild & free"]
    area = new_york(parks=parks, name="<b>My area</b>")
    page = page_of(study_area_map(area, relocations=fishers(), tiles=None))
    assert "<img src=x" not in page and "<script>alert(2)" not in page and "<b>My" not in page
    assert "&lt;b&gt;My area&lt;/b&gt;" in page
    assert "Zone: &lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "Zone: Wild &amp; free" in page
    # the hostile park name appears, escaped, in its tooltip
    assert "&lt;img src=x onerror=alert(1)&gt;" in page or (
        "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page
    )


# ------------------------------------------------------------------ the bundled area
@pytest.fixture(scope="module")
def demo_fixes():
    from habitat.batch.demo import load_demo_relocations

    fixes = load_demo_relocations()
    return fixes[~fixes["flag_any"]]


def test_primorsky_map_fits_primorsky_and_highlights_the_tunnel(demo_fixes):
    m = study_area_map(datasets.primorsky(), relocations=demo_fixes, tiles=None)
    page = page_of(m)
    w, s, e, n = fitted(m)
    dw, ds, de, dn = lonlat(demo_fixes)
    assert w <= dw and s <= ds and e >= de and n >= dn
    # SW Primorsky, nowhere near anything else
    assert 129.5 < w < e < 132.5 and 42.0 < s < n < 44.5
    assert legend_title(page) == "SW Primorsky Krai (schematic)"
    assert "Schematic layers, not official boundaries." in page
    # the tunnel: its own crossings layer, in the highlight colour, named
    tunnel = groups(m)["Wildlife crossings"]
    assert feature_names(tunnel) == ["Narvinsky tunnel"]
    styles = feature_styles(tunnel)
    assert styles and all(s["color"] == TUNNEL_COLOUR and s["weight"] >= 6 for s in styles)
    # bundled layers keep their own styles by key
    roads = feature_styles(groups(m)["Roads"])
    assert {s["color"] for s in roads} == {LAYER_STYLES["roads"]["color"]}
    # the bundled land cover comes with the study area
    assert page.count("L.imageOverlay(") == 1
    for cls in datasets.LAND_COVER_CLASSES.values():
        assert f"</span>{html.escape(cls)}</div>" in page


def test_primorsky_without_data_fits_its_protected_areas():
    area = datasets.primorsky()
    m = study_area_map(area, land_cover=False, tiles=None)
    parks = pd.concat([lyr.data for lyr in area.layers_of("protected_areas")])
    assert fitted(m) == pytest.approx(tuple(parks.total_bounds), abs=1e-3)


def test_new_york_data_with_the_bundled_area_get_no_bundled_layers():
    fixes = fishers()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing reprojected across the globe, no warning
        m = study_area_map(datasets.primorsky(), relocations=fixes, tiles=None)
    page = page_of(m)
    assert [w for w in bundled_words() if w in page] == []
    assert "L.imageOverlay(" not in page  # the bundled land cover is far away too
    assert legend_title(page) == "Fixes of 3 animals"
    w, s, e, n = fitted(m)
    dw, ds, de, dn = lonlat(fixes)
    assert max(abs(w - dw), abs(s - ds), abs(e - de), abs(n - dn)) < 1e-4


def test_prepared_study_area_draws_the_same_map():
    fixes = fishers()
    area = new_york()
    ready = prepare_layers(area)
    assert isinstance(ready, StudyArea) and ready.name == area.name
    assert ready.land_cover is area.land_cover
    a = page_of(study_area_map(area, relocations=fixes, tiles=None))
    b = page_of(study_area_map(ready, relocations=fixes, tiles=None))
    strip = re.compile(r"_[0-9a-f]{32}")  # folium's element ids
    assert strip.sub("", a) == strip.sub("", b)


def test_prepared_for_pages_without_land_cover():
    ready = prepare_layers(new_york(), land_cover=False)
    assert ready.land_cover is None and [lyr.key for lyr in ready.layers] == [
        lyr.key for lyr in new_york().layers
    ]
    page = page_of(study_area_map(ready, relocations=fishers(), focus="NY fisher 1", tiles=None))
    assert "L.imageOverlay(" not in page and "Adirondack Forest Preserve" in page


# ------------------------------------------------------------------ the 0.1 call: a mapping
def test_mapping_layers_get_roles_from_their_names():
    parks = _parks().rename(columns={"PARK_NAME": "name", "LAND_CLASS": "zone"})
    points_called_fences = _towns()  # a name that spells a role its geometries do not fit
    fixes = fishers()
    m = study_area_map({"parks": parks, "fences": points_called_fences}, relocations=fixes)
    page = page_of(m)
    # "parks" are protected areas: zones listed, and the view reaches the park they touch
    assert "Zone: Wilderness Area" in page
    assert fitted(m) == pytest.approx(lonlat(_parks().iloc[:2]), abs=1e-4)
    # points called "fences" are drawn as context, not refused
    (town,) = feature_styles(groups(m)["fences"])
    assert town["fillColor"] == ROLE_STYLES["context"]["color"]
    assert legend_title(page) == "Fixes of 3 animals"  # a mapping has no name of its own


def test_sixteen_unknown_land_cover_classes_get_sixteen_colours():
    from habitat.maps import add_land_cover

    arr = np.arange(1, 17, dtype=np.uint8).reshape(4, 4).repeat(5, 0).repeat(5, 1)
    names = {v: f"class {v}" for v in range(1, 17)}
    names[5] = "water"  # a bundled name keeps its bundled colour
    cover = Raster(arr, (100.0, 0, E0, 0, -100.0, N0), UTM18N, nodata=0, classes=names)
    items = add_land_cover(folium.Map(tiles=None), cover)
    assert [name for name, _ in items] == [names[v] for v in range(1, 17)]
    colours = dict(items)
    assert colours["water"] == LAND_COVER_COLOURS["water"]
    others = [c for name, c in items if name != "water"]
    assert len(set(others)) == 15 and set(others) <= set(OTHER_CLASS_COLOURS)


def test_old_keyword_layers_still_works_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="study_area"):
        m = study_area_map(layers={"parks": _parks()}, tiles=None)
    assert fitted(m) == pytest.approx(lonlat(_parks()), abs=1e-4)

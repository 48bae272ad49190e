import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, box

from habitat.core.errors import MissingCRSError
from habitat.maps import add_relocations, save_map, study_area_map


@pytest.fixture
def toy_layers():
    park = gpd.GeoDataFrame(
        {"name": ["Park <b>bold</b>"]}, geometry=[box(131.0, 43.0, 131.3, 43.4)], crs=4326
    )
    zones = gpd.GeoDataFrame(
        {"name": ["a", "b"], "zone": ["core", "recreation"]},
        geometry=[box(131.0, 43.0, 131.15, 43.4), box(131.15, 43.0, 131.3, 43.4)],
        crs=4326,
    )
    roads = gpd.GeoDataFrame(
        {"name": ["A189"], "kind": ["highway"]},
        geometry=[LineString([(131.0, 43.0), (131.4, 43.3)])],
        crs=4326,
    ).to_crs(32652)  # a layer in another CRS
    towns = gpd.GeoDataFrame(
        {"name": ["Khasan"], "population": [700]}, geometry=[shapely.Point(130.78, 42.43)], crs=4326
    )
    return {"land_of_the_leopard": park, "park_zones": zones, "roads": roads, "settlements": towns}


@pytest.fixture
def toy_fixes():
    rng = np.random.default_rng(1)
    n = 300
    df = pd.DataFrame(
        {
            "individual": np.repeat(["Leo 1F", "<script>alert(1)</script>"], n // 2),
            "sex": np.repeat(["F", "M"], n // 2),
        }
    )
    pts = gpd.points_from_xy(131.1 + rng.normal(0, 0.02, n), 43.2 + rng.normal(0, 0.02, n))
    return gpd.GeoDataFrame(df, geometry=pts, crs=4326)


def _html(m):
    return m.get_root().render()


def test_map_has_layers_legend_and_fixes(toy_layers, toy_fixes):
    m = study_area_map(toy_layers, relocations=toy_fixes)
    page = _html(m)
    # issue 11: toy layers under bundled names are labelled by their keys, not as the
    # bundled layers ("Land of the Leopard NP" belongs to the bundled park only)
    for label in [
        "land_of_the_leopard",
        "park_zones",
        "roads",
        "Fixes: Leo 1F (F)",
    ]:
        assert label in page
    assert "Land of the Leopard NP" not in page and "Park zones" not in page
    # issue 11: Khasan lies 85 km from the fixes (more than the 25 km margin): left out
    assert "Settlements" not in page and "Khasan" not in page
    # issue 11: a mapping of layers is not marked schematic (the bundled StudyArea is)
    assert "habitat-legend" in page and "Schematic layers" not in page
    assert "simplified to 50 m" in page
    # one GeoJSON per toggleable layer: park, 2 zones, roads, 2 animals
    assert len(re.findall(r"L\.geoJson\(", page)) == 6
    # fit to the park and fixes, in lat/lon order
    (s, w), (n, e) = m.get_bounds() if False else _fit_bounds(page)
    assert 42.9 < s < 43.1 and 130.9 < w < 131.1 and 43.3 < n < 43.5 and 131.2 < e < 131.4


def _fit_bounds(page):
    m = re.search(
        r"fitBounds\(\s*\[\[([-\d.]+),\s*([-\d.]+)\],\s*\[([-\d.]+),\s*([-\d.]+)\]\]", page
    )
    s, w, n, e = map(float, m.groups())
    return (s, w), (n, e)


def test_strings_from_data_are_escaped(toy_layers, toy_fixes):
    page = _html(study_area_map(toy_layers, relocations=toy_fixes))
    assert "<script>alert(1)</script>" not in page
    assert "<b>bold</b>" not in page
    # every occurrence of the hostile id is the escaped one (as HTML, or inside JSON)
    escaped = page.count("&lt;script&gt;alert(1)") + page.count(
        "\\u0026lt;script\\u0026gt;alert(1)"
    )
    assert page.count("alert(1)") == escaped > 0


def test_fix_cap_keeps_evenly_spaced_fixes(toy_fixes):
    m = folium.Map()
    add_relocations(m, toy_fixes, max_fixes_per_individual=10)
    page = _html(m)
    counts = [int(c) for c in re.findall(r'"n_fixes":\s*(\d+)', page)]
    assert counts == [10, 10]


def test_layers_are_shown_in_wgs84_whatever_their_crs(toy_layers):
    page = _html(study_area_map({"roads": toy_layers["roads"]}, simplify_m=None))
    coords = re.search(r'"coordinates":\s*\[\[([-\d.]+),\s*([-\d.]+)\]', page).groups()
    assert float(coords[0]) == pytest.approx(131.0, abs=1e-6)
    assert float(coords[1]) == pytest.approx(43.0, abs=1e-6)


def test_layer_without_crs_is_refused(toy_layers):
    bad = toy_layers["land_of_the_leopard"].set_crs(None, allow_override=True)
    with pytest.raises(MissingCRSError, match="land_of_the_leopard"):
        study_area_map({"land_of_the_leopard": bad})


def test_save_map_writes_one_html_file(tmp_path, toy_layers):
    path = save_map(study_area_map(toy_layers), tmp_path / "m.html")
    text = (tmp_path / "m.html").read_text()
    assert path == tmp_path / "m.html" and isinstance(path, Path)
    assert text.startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["m.html"]


def test_ranges_coloured_by_a_share(toy_layers):
    from habitat.core.errors import InputError
    from habitat.maps import add_home_ranges

    ranges = gpd.GeoDataFrame(
        {"individual": ["A", "B"], "method": "mcp", "level": 0.95, "share_protected": [0.0, 1.0]},
        geometry=[box(131.0, 43.0, 131.1, 43.1), box(131.2, 43.0, 131.3, 43.1)],
        crs=4326,
    )
    m = folium.Map()
    add_home_ranges(m, ranges, colour_by="share_protected")
    page = _html(m)
    # 0 -> red end of the scale, 1 -> green end, and the scale is on the map
    assert '"_colour": "#d73027' in page and '"_colour": "#1a9850' in page
    assert "share protected (0-1)" in page
    with pytest.raises(InputError, match="colour_by='nope'"):
        add_home_ranges(folium.Map(), ranges, colour_by="nope")


# --------------------------------------------------------------------------------------
# issue 5: layers, controls, land cover, ranges, fixes modes, focus, size, offline
# --------------------------------------------------------------------------------------
import base64  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import types  # noqa: E402

from jinja2.utils import htmlsafe_json_dumps  # noqa: E402
from matplotlib import image as mpimg  # noqa: E402
from pyproj import Transformer  # noqa: E402

from habitat import crs as hcrs  # noqa: E402
from habitat import datasets  # noqa: E402
from habitat.core.errors import InputError  # noqa: E402
from habitat.io.raster import Raster  # noqa: E402
from habitat.maps import (  # noqa: E402
    LAND_COVER_COLOURS,
    LAYER_STYLES,
    SEX_COLOURS,
    add_home_ranges,
    add_land_cover,
    warp_to_web_map,
)

HOSTILE = "<script>alert(1)</script>"


def _json_text(s):
    """How a string appears inside folium's JSON (non-ASCII as \\uXXXX)."""
    return json.dumps(s)[1:-1]


def _square_range(individual="A", sex="F", level=0.95, half_m=5000.0, **extra):
    """A 2*half_m square in the equal-area CRS habitat itself chooses for it."""
    ea = hcrs.equal_area_crs((130.5, 43.0, 131.5, 44.0))  # laea centred on 131E 43.5N
    return gpd.GeoDataFrame(
        {"individual": [individual], "sex": [sex], "method": ["mcp"], "level": [level], **extra},
        geometry=[box(-half_m, -half_m, half_m, half_m)],
        crs=ea,
    )


@pytest.fixture(scope="module")
def bundled_page():
    m = study_area_map(datasets.layers(), land_cover=datasets.land_cover())
    return _html(m)


def test_every_bundled_layer_and_control_is_on_the_map(bundled_page):
    page = bundled_page
    for name in datasets.available():
        assert html_escape(LAYER_STYLES[name]["label"]) in page, name
    # the tunnel is highlighted, with its length in readable units
    # issue 11: the roads' crossing rows form a crossings layer, highlighted by role
    assert "Wildlife crossings" in page and "Narvinsky tunnel" in page
    assert "0.58 km (0.36 mi)" in page
    # grouped layer control with the groups, and the other controls
    assert "L.control.groupedLayers(" in page
    for group in ("Context", "Protected areas", "Infrastructure & borders", "Land cover & current"):
        assert str(htmlsafe_json_dumps(html_escape(group))) + " : {" in page
    assert "L.control.layers(" not in page  # one layer control only
    assert "L.control.fullscreen(" in page
    assert "new L.Control.Measure(" in page and '"primaryLengthUnit": "kilometers"' in page
    assert "new L.Control.MiniMap(" in page
    assert "L.control.scale(" in page
    # land cover: one image overlay and a legend entry per class
    assert page.count("L.imageOverlay(") == 1
    for cls in datasets.LAND_COVER_CLASSES.values():
        assert html_escape(cls) in page
    assert "coordinates rounded to 5 decimals" in page


def html_escape(s):
    import html

    return html.escape(s)


def _overlay(page):
    m = re.search(
        r'L\.imageOverlay\(\s*"data:image/png;base64,([A-Za-z0-9+/=]+)",\s*'
        r"\[\[([-\d.e]+),\s*([-\d.e]+)\],\s*\[([-\d.e]+),\s*([-\d.e]+)\]\]",
        page,
    )
    png = mpimg.imread(io.BytesIO(base64.b64decode(m.group(1))), format="png")
    s, w, n, e = map(float, m.groups()[1:])
    return np.round(png * 255).astype(int), (w, s, e, n)


def _merc(lat):
    return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _rgb(hex_colour):
    return [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]


def test_land_cover_overlay_is_georeferenced_and_coloured_by_class():
    lc = datasets.land_cover()
    m = folium.Map()
    items = add_land_cover(m, lc)
    rgba, (w, s, e, n) = _overlay(_html(m))
    # bounds: the raster's extent transformed to WGS 84 (densified edges)
    to_ll = Transformer.from_crs(32652, 4326, always_xy=True)
    expected = to_ll.transform_bounds(*lc.bounds, densify_pts=21)
    assert (w, s, e, n) == pytest.approx(expected, abs=1e-6)
    assert items == [(name, LAND_COVER_COLOURS[name]) for name in lc.classes.values()]
    height, width = rgba.shape[:2]
    # every 5th cell whose 3 x 3 neighbourhood is one class (so that a pixel, which
    # is about one cell wide, cannot straddle classes): the pixel holding the cell
    # centre has the class colour
    arr = lc.array.astype(int)
    same = np.ones(arr.shape, bool)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            same &= np.roll(np.roll(arr, dr, 0), dc, 1) == arr
    same[[0, -1], :] = same[:, [0, -1]] = False
    rows, cols = np.nonzero(same[::5, ::5])
    rows, cols = rows * 5, cols * 5
    lon, lat = to_ll.transform(*lc.xy(rows, cols))
    px_col = ((lon - w) / (e - w) * width).astype(int)
    px_row = ((_merc(n) - _merc(lat)) / (_merc(n) - _merc(s)) * height).astype(int)
    palette = {k: [*_rgb(LAND_COVER_COLOURS[v]), 255] for k, v in lc.classes.items()}
    expected = np.array([palette[v] for v in arr[rows, cols]])
    got = rgba[px_row, px_col]
    assert len(rows) > 5000 and set(arr[rows, cols]) >= {1, 2, 3, 5}
    assert (got == expected).all(axis=1).mean() == 1.0
    # the UTM grid is not a lon/lat rectangle: bbox corners outside it are transparent
    to_utm = Transformer.from_crs(4326, 32652, always_xy=True)
    left, bottom, right, top = lc.bounds
    outside = 0
    for row, col in [(0, 0), (0, width - 1), (height - 1, 0), (height - 1, width - 1)]:
        lon = w + (col + 0.5) * (e - w) / width
        merc = _merc(n) - (row + 0.5) * (_merc(n) - _merc(s)) / height
        lat = np.degrees(2 * np.arctan(np.exp(merc)) - np.pi / 2)
        x, y = to_utm.transform(lon, lat)
        inside = left <= x < right and bottom < y <= top
        outside += not inside
        assert (rgba[row, col, 3] == 255) == inside
    assert outside >= 1


def test_warp_marks_nodata_and_outside_pixels_invalid():
    arr = np.array([[1, 0], [2, 3]], dtype=np.uint8)
    r = Raster(arr, (1000.0, 0, 600000.0, 0, -1000.0, 4800000.0), 32652, nodata=0)
    values, valid, _ = warp_to_web_map(r, max_size_px=50)
    assert set(np.unique(values[valid])) == {1, 2, 3}
    assert not valid[values == 0].any()
    with pytest.raises(InputError, match="max_size_px"):
        warp_to_web_map(r, max_size_px=0)


def test_range_popup_states_area_in_km2_and_sq_mi_and_metrics_in_percent():
    ranges = _square_range(share_protected=[0.456])  # no area columns: measured
    m = folium.Map()
    add_home_ranges(m, ranges)
    page = _html(m)
    assert _json_text("100 km² (38.61 sq mi)") in page
    assert '"level": "95 %"' in page and '"share_protected": "45.6 %"' in page
    assert "L.GeoJsonPopup(" in page or "bindPopup(" in page
    # given area columns are used as they are
    m = folium.Map()
    add_home_ranges(m, _square_range(area_km2=[12.5], area_sq_mi=[4.83]))
    assert _json_text("12.5 km² (4.83 sq mi)") in _html(m)


def test_nested_isopleths_inner_level_more_opaque():
    ranges = pd.concat([_square_range(level=0.95), _square_range(level=0.5, half_m=2000)])
    m = folium.Map()
    add_home_ranges(m, ranges)
    page = _html(m)
    pairs = re.findall(r'"_fill": ([\d.]+),[^}]*"level": "(\d+) %"', page)
    fills = {level: float(fill) for fill, level in pairs}
    assert fills["50"] > fills["95"]


def test_colour_by_sex_uses_the_f_and_m_colours():
    ranges = pd.concat([_square_range("A", "F"), _square_range("B", "M")])
    m = folium.Map()
    colours = add_home_ranges(m, ranges, colour_by="sex")
    page = _html(m)
    assert colours == {"A": SEX_COLOURS["F"], "B": SEX_COLOURS["M"]}
    assert f'"_colour": "{SEX_COLOURS["F"]}"' in page
    assert f'"_colour": "{SEX_COLOURS["M"]}"' in page
    page = _html(study_area_map({}, ranges=ranges, colour_by="sex"))
    assert "Female (F)" in page and "Male (M)" in page
    with pytest.raises(InputError, match="sex"):
        add_home_ranges(folium.Map(), ranges.drop(columns="sex"), colour_by="sex")


@pytest.mark.parametrize("fixes", ["points", "cluster", "heatmap"])
def test_hostile_strings_render_as_text_everywhere(toy_fixes, fixes):
    ranges = pd.concat([_square_range(HOSTILE, "M"), _square_range("Leo 1F", "F")])
    ranges["<img src=x onerror=alert(2)>"] = 0.5  # a hostile metric column name
    layer = gpd.GeoDataFrame(
        {"name": [HOSTILE]}, geometry=[box(131.0, 43.0, 131.1, 43.1)], crs=4326
    )
    corridors = gpd.GeoDataFrame(
        {
            "from_id": [HOSTILE],
            "to_id": ["Leo 1F"],
            "name": [HOSTILE],
            "cost_weighted_distance": [12.0],
        },
        geometry=[LineString([(131.0, 43.0), (131.2, 43.1)])],
        crs=4326,
    )
    page = _html(
        study_area_map(
            {"<b>evil layer</b>": layer},
            relocations=toy_fixes,
            ranges=ranges,
            corridors=corridors,
            fixes=fixes,
            focus=HOSTILE,
        )
    )
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<b>evil" not in page
    escaped = page.count("&lt;script&gt;alert(1)") + page.count(
        "\\u0026lt;script\\u0026gt;alert(1)"
    )
    assert page.count("alert(1)") == escaped > 0


def test_fixes_modes(toy_fixes):
    page = _html(study_area_map({}, relocations=toy_fixes, fixes="cluster"))
    assert "L.markerClusterGroup(" in page and page.count("Fixes: ") >= 2
    page = _html(study_area_map({}, relocations=toy_fixes, fixes="heatmap"))
    assert "L.heatLayer(" in page and "Fixes (heat map)" in page
    page = _html(study_area_map({}, relocations=toy_fixes, fixes=None))
    assert "Fixes" not in page
    with pytest.raises(InputError, match="fixes="):
        study_area_map({}, relocations=toy_fixes, fixes="dots")


def test_focus_fits_the_animal_and_fades_the_others():
    a = gpd.GeoDataFrame(
        {"individual": ["A"], "method": "mcp", "level": 0.95},
        geometry=[box(131.0, 43.0, 131.1, 43.1)],
        crs=4326,
    )
    b = a.assign(individual="B", geometry=[box(131.5, 43.5, 131.6, 43.6)])
    ranges = pd.concat([a, b], ignore_index=True)
    (s, w), (n, e) = _fit_bounds(_html(study_area_map({}, ranges=ranges)))
    assert (s, w, n, e) == pytest.approx((43.0, 131.0, 43.6, 131.6), abs=1e-4)
    page = _html(study_area_map({}, ranges=ranges, focus="A"))
    (s, w), (n, e) = _fit_bounds(page)
    assert (s, w, n, e) == pytest.approx((43.0, 131.0, 43.1, 131.1), abs=1e-4)
    assert '"_fill": 0.02' in page  # B drawn faintly
    with pytest.raises(InputError, match="focus"):
        study_area_map({}, ranges=ranges, focus="C")


def test_corridors_and_current_density_when_given():
    line = gpd.GeoDataFrame(
        {
            "from_id": ["A"],
            "to_id": ["B"],
            "cost_weighted_distance": [1234.5],
            "resistance": [3.25],
        },
        geometry=[LineString([(700000, 4800000), (710000, 4800000)])],
        crs=32652,
    )
    current = Raster(
        np.linspace(0, 5, 400, dtype=float).reshape(20, 20),
        (500.0, 0, 700000.0, 0, -500.0, 4810000.0),
        32652,
        nodata=None,
    )
    page = _html(study_area_map({}, corridors=line, current=current))
    assert "Corridors" in page and "10 km (6.21 mi)" in page and "1,234.50" in page
    assert page.count("L.imageOverlay(") == 1 and "Current density" in page
    assert "habitatRasters" in page  # rasters drawn under the vector layers
    page = _html(study_area_map({}))
    assert "L.imageOverlay(" not in page and "Corridors" not in page


def test_pinch_points_are_a_layer_of_the_corridors_group_with_their_current():
    line = gpd.GeoDataFrame(
        {"from_id": ["A"], "to_id": ["B"], "cost_weighted_distance": [1.0]},
        geometry=[LineString([(700000, 4800000), (710000, 4800000)])],
        crs=32652,
    )
    pinch = gpd.GeoDataFrame(
        {"current_A": [2.75, 0.125]},
        geometry=gpd.points_from_xy([705000, 706000], [4800000, 4800000]),
        crs=32652,
    )
    page = _html(study_area_map({}, corridors=line, pinch_points=pinch))
    control = page[page.index("L.control.groupedLayers(") :]
    control = control[: control.index(".addTo(")]
    group = control[control.index('"Corridors" : {') :]
    group = group[: group.index("}")]
    assert '"Corridors" : feature_group_' in group and '"Pinch points" : feature_group_' in group
    # both points, with their current (formatted for display) in the tooltip
    assert 'aliases = ["current (A)"]' in page
    assert '"current_A": "2.75"' in page and '"current_A": "0.12"' in page
    with pytest.raises(InputError, match="pinch_points"):
        study_area_map({}, pinch_points=[(1.0, 2.0)])


def test_no_tiles_map_has_no_basemap_or_minimap():
    page = _html(study_area_map({}, tiles=None))
    assert "L.tileLayer(" not in page and "MiniMap" not in page
    assert '"maxZoom": 18' in page


def test_map_displays_inline_in_jupyter(toy_layers):
    assert "iframe" in study_area_map(toy_layers)._repr_html_()


def test_save_map_offline_assets_inlines_the_page(tmp_path, toy_layers, monkeypatch):
    calls = []

    def fake_inline(page, assets_dir):
        calls.append(assets_dir)
        return page.replace("<head>", "<head><!-- inlined -->", 1)

    fake = types.ModuleType("habitat.maps.assets")
    fake.inline_assets = fake_inline
    monkeypatch.setitem(sys.modules, "habitat.maps.assets", fake)
    save_map(study_area_map(toy_layers), tmp_path / "m.html", offline_assets=tmp_path / "a")
    assert calls == [tmp_path / "a"]
    assert "<!-- inlined -->" in (tmp_path / "m.html").read_text()
    save_map(study_area_map(toy_layers), tmp_path / "n.html")
    assert len(calls) == 1


def test_map_of_1000_ranges_and_all_layers_stays_under_5_mb(tmp_path):
    from habitat.homerange.polygons import synthetic_ranges

    rng = np.random.default_rng(5)
    n = 1000
    centres = gpd.GeoDataFrame(
        {
            "individual": [f"Leo {i:04d}" for i in range(n)],
            "sex": np.where(np.arange(n) % 2, "M", "F"),
        },
        geometry=gpd.points_from_xy(rng.uniform(130.6, 131.8, n), rng.uniform(42.6, 43.8, n)),
        crs=4326,
    )
    outer = synthetic_ranges(centres, seed=1, level=0.95)
    core = synthetic_ranges(
        centres, seed=2, level=0.5, area_sq_mi={"F": (4.0, 10.0), "M": (15.0, 40.0)}
    )
    ranges = pd.concat([outer, core], ignore_index=True)
    ranges["share_protected"] = rng.uniform(0, 1, len(ranges))
    assert len(ranges) == 2000
    m = study_area_map(datasets.layers(), ranges=ranges, land_cover=datasets.land_cover())
    path = tmp_path / "big.html"
    save_map(m, path)
    size_mb = path.stat().st_size / 1e6
    print(f"1,000-range map: {size_mb:.2f} MB")
    assert size_mb < 5.0
    page = path.read_text()
    assert page.count('"individual": "Leo ') == 2000
    assert "simplified to 50 m" in page


def test_layer_control_is_folded_only_on_maps_about_one_animal():
    import geopandas as gpd
    import shapely

    from habitat import datasets
    from habitat.maps import study_area_map

    ranges = gpd.GeoDataFrame(
        {"individual": ["a", "b"], "sex": ["F", "M"], "method": ["mcp"] * 2, "level": [0.95] * 2},
        geometry=[shapely.Point(131.2, 43.2).buffer(0.05), shapely.Point(131.3, 43.3).buffer(0.05)],
        crs="EPSG:4326",
    )
    layers = {"roads": datasets.layers()["roads"]}
    whole = study_area_map(layers, ranges=ranges).get_root().render()
    one = study_area_map(layers, ranges=ranges, focus="a").get_root().render()
    assert '"collapsed": false' in whole and '"collapsed": true' not in whole
    assert '"collapsed": true' in one and '"collapsed": false' not in one


def test_layer_popups_give_area_and_length_measured_before_simplifying():
    import re

    from habitat import crs as hcrs
    from habitat import datasets, units
    from habitat.maps import prepare_layers, study_area_map

    layers = datasets.layers()
    park_km2 = units.m2_to_km2(hcrs.area_m2(layers["land_of_the_leopard"]).iloc[0])
    rail_km = hcrs.length_m(layers["railways"]).to_numpy() / 1000.0  # no length column
    for given in (layers, prepare_layers(layers, simplify_m=500.0)):
        page = study_area_map(given, simplify_m=500.0).get_root().render()
        # the popup text (JSON-escaped in the page): km² and sq mi to 2 decimals
        found = re.findall(r'"area_km2": "([\d,.]+) km\\u00b2 \(([\d,.]+) sq mi\)"', page)
        areas = {(float(a.replace(",", "")), float(b.replace(",", ""))) for a, b in found}
        want = (round(park_km2, 2), round(units.km2_to_sq_mi(park_km2), 2))
        assert want in areas
        lengths = re.findall(r'"length_m": "([\d,.]+) km \(', page)
        shown = {float(v.replace(",", "")) for v in lengths}
        assert {round(v, 2) for v in rail_km} <= shown

import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, box

from habitat.errors import MissingCRSError
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
    for label in [
        "Land of the Leopard NP",
        "Park zones",
        "Roads",
        "Settlements",
        "Fixes: Leo 1F (F)",
    ]:
        assert label in page
    assert "habitat-legend" in page and "Schematic layers" in page
    assert "simplified to 50 m" in page
    # one GeoJSON per toggleable layer: park, 2 zones, roads, settlements, 2 animals
    assert len(re.findall(r"L\.geoJson\(", page)) == 7
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
    assert path.endswith("m.html") and text.startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["m.html"]


def test_ranges_coloured_by_a_share(toy_layers):
    from habitat.errors import InputError
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

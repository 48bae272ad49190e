"""habitat.maps.layers: corridors by the table contract, and the renamed keywords."""

import json
import re
import warnings

import folium
import geopandas as gpd
import pytest
from shapely.geometry import LineString, box

from habitat.core.errors import ColumnError, InputError
from habitat.core.tables import CORRIDORS
from habitat.maps import add_corridors, add_vector_layer, prepare_layers, study_area_map


def _html(m):
    return m.get_root().render()


def _json_text(s):
    """How a string appears inside folium's JSON (non-ASCII as \\uXXXX)."""
    return json.dumps(s)[1:-1]


def _popup_aliases(page):
    found = re.search(r"let aliases = (\[.*?\]);", page)
    return json.loads(found.group(1))


@pytest.fixture
def links():
    """A corridor table with the contract's column names, in UTM 52N."""
    return gpd.GeoDataFrame(
        {
            "from_id": ["Leo 1F", "Leo 2M"],
            "to_id": ["Leo 2M", "Leo 3F"],
            "cost_weighted_distance": [5400.0, 12_345.5],
            "length_m": [3000.0, 10_000.0],
            "width_m": [250.0, 400.0],
        },
        geometry=[
            LineString([(700_000, 4_800_000), (703_000, 4_800_000)]),
            LineString([(703_000, 4_800_000), (713_000, 4_800_000)]),
        ],
        crs=32652,
    )


def test_corridors_with_contract_names_have_readable_popups(links):
    m = folium.Map()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecation for the contract's names
        add_corridors(m, links)
    page = _html(m)
    aliases = _popup_aliases(page)
    # labels come from the contract, with the unit when it is not metres
    assert aliases[:5] == [
        CORRIDORS.label("from_id"),
        CORRIDORS.label("to_id"),
        CORRIDORS.label("cost_weighted_distance") + " (resistance × m)",
        CORRIDORS.label("length_m"),
        CORRIDORS.label("width_m"),
    ]
    # lengths in km and mi, ids as given, numbers with separators
    assert '"length_m": "3 km (1.86 mi)"' in page and '"length_m": "10 km (6.21 mi)"' in page
    assert '"width_m": "0.25 km (0.16 mi)"' in page
    assert '"from_id": "Leo 1F"' in page and '"to_id": "Leo 3F"' in page
    assert '"cost_weighted_distance": "12,345.50"' in page


def test_corridor_lengths_are_measured_when_missing(links):
    m = folium.Map()
    add_corridors(m, links.drop(columns="length_m"))
    page = _html(m)
    assert '"length_m": "3 km (1.86 mi)"' in page and '"length_m": "10 km (6.21 mi)"' in page


def test_corridors_with_old_names_warn_and_still_render(links):
    old = links.rename(columns={"from_id": "from_individual", "to_id": "to_individual"}).rename(
        columns={"cost_weighted_distance": "cost"}
    )
    m = folium.Map()
    with pytest.warns(DeprecationWarning, match="from_id"):
        add_corridors(m, old)
    page = _html(m)
    assert '"from_id": "Leo 1F"' in page and '"cost_weighted_distance": "5,400.00"' in page
    assert CORRIDORS.label("cost_weighted_distance") + " (resistance × m)" in (_popup_aliases(page))
    assert "from_individual" not in page
    # through the whole map too
    with pytest.warns(DeprecationWarning, match="cost_weighted_distance"):
        page = _html(study_area_map({}, corridors=old))
    assert "Corridors" in page and '"length_m": "10 km (6.21 mi)"' in page


def test_corridors_without_from_id_raise_column_error(links):
    with pytest.raises(ColumnError, match="from_id") as err:
        add_corridors(folium.Map(), links.drop(columns="from_id"))
    assert "corridors" in str(err.value) and "CORRIDORS" in str(err.value)
    with pytest.raises(ColumnError, match="from_id"):
        study_area_map({}, corridors=links.drop(columns="from_id"))


# ------------------------------------------------------------------ renamed keywords
@pytest.fixture
def square():
    return gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(131.0, 43.0, 131.1, 43.1)], crs=4326)


def test_colour_keywords_and_their_old_spelling(square):
    m = folium.Map()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        add_vector_layer(m, square, name="sq", colour="#123456", fill_colour="#abcdef")
    page = _html(m)
    assert '"color": "#123456"' in page and '"fillColor": "#abcdef"' in page
    m = folium.Map()
    with pytest.warns(DeprecationWarning, match="use colour="):
        add_vector_layer(m, square, name="sq", color="#123456")
    with pytest.warns(DeprecationWarning, match="use fill_colour="):
        add_vector_layer(m, square, name="sq", fill_color="#abcdef")
    page = _html(m)
    assert '"color": "#123456"' in page and '"fillColor": "#abcdef"' in page
    with pytest.raises(InputError, match="both color= and colour="):
        add_vector_layer(m, square, name="sq", color="red", colour="blue")
    with pytest.raises(InputError, match="not a CSS colour"):
        add_vector_layer(m, square, name="sq", colour="red; background: url(x)")


def test_coordinate_precision_is_now_coordinate_decimals(square):
    page = _html(study_area_map({"sq": square}, coordinate_decimals=3, tiles=None))
    assert "coordinates rounded to 3 decimals" in page
    with pytest.warns(DeprecationWarning, match="coordinate_decimals"):
        old = _html(study_area_map({"sq": square}, coordinate_precision=3, tiles=None))
    assert "coordinates rounded to 3 decimals" in old
    with pytest.warns(DeprecationWarning, match="coordinate_decimals"):
        ready = prepare_layers({"sq": square}, coordinate_precision=3)
    assert ready["sq"].crs == "EPSG:4326"

"""Bad options and empty layers of the public map functions: habitat errors naming them."""

from __future__ import annotations

import math
import warnings

import folium
import geopandas as gpd
import pytest
import shapely

from habitat.core.errors import ColumnError, DataQualityWarning, HabitatError, InputError
from habitat.maps import (
    add_corridors,
    add_home_ranges,
    add_relocations,
    add_vector_layer,
    prepare_layers,
    save_map,
    study_area_map,
)

CRS = 32652


def _park() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["park"]}, geometry=[shapely.box(500_000, 4_800_000, 510_000, 4_810_000)], crs=CRS
    )


def _ranges() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"individual": ["Leo 1F"], "method": ["mcp"], "level": [0.95]},
        geometry=[shapely.box(500_000, 4_800_000, 505_000, 4_805_000)],
        crs=CRS,
    )


def _fixes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"individual": ["Leo 1F"] * 3},
        geometry=shapely.points([[500_100, 4_800_100], [500_200, 4_800_300], [500_400, 4_800_200]]),
        crs=CRS,
    )


def _empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": []}, geometry=[], crs=CRS)


@pytest.mark.parametrize(
    ("options", "named", "valid"),
    [
        ({"tiles": "nonsense"}, "tiles='nonsense'", "OpenStreetMap"),
        ({"tiles": 5}, "tiles=5", "OpenStreetMap"),
        ({"tiles": "OpenStreetMapp"}, "tiles=", "OpenStreetMap"),
        ({"simplify_m": -5}, "simplify_m=-5", ">= 0"),
        ({"simplify_m": math.nan}, "simplify_m=nan", ">= 0"),
        ({"simplify_m": math.inf}, "simplify_m=inf", ">= 0"),
        ({"simplify_m": "50"}, "simplify_m='50'", ">= 0"),
        ({"simplify_m": True}, "simplify_m=True", ">= 0"),
        ({"coordinate_decimals": -1}, "coordinate_decimals=-1", "0 to 15"),
        ({"coordinate_decimals": 2.5}, "coordinate_decimals=2.5", "0 to 15"),
        ({"coordinate_decimals": 99}, "coordinate_decimals=99", "0 to 15"),
        ({"max_fixes_per_individual": -5}, "max_fixes_per_individual=-5", "positive integer"),
        ({"max_fixes_per_individual": 0}, "max_fixes_per_individual=0", "positive integer"),
        ({"fixes": "dots"}, "fixes='dots'", "'points'"),
        ({"colour_by": "age"}, "colour_by='age'", "'sex'"),
        ({"controls": "yes"}, "controls='yes'", "True or False"),
        ({"title": 5}, "title=5", "string"),  # None: a title from the study area or data
        ({"land_cover": "cover.tif"}, "land_cover", "Raster"),
        ({"ranges": [1, 2]}, "ranges", "GeoDataFrame"),
        ({"relocations": "fixes.csv"}, "relocations", "GeoDataFrame"),
    ],
)
def test_study_area_map_bad_option_names_it_and_valid_values(options, named, valid):
    with pytest.raises(InputError) as info:
        study_area_map({"park": _park()}, **{"tiles": None, **options})
    text = str(info.value)
    assert named in text and valid in text
    assert isinstance(info.value, HabitatError)


def test_tiles_typo_suggests_the_provider():
    with pytest.raises(InputError, match="Did you mean"):
        study_area_map({}, tiles="OpenStreetMapp")


@pytest.mark.parametrize("layers", [None, [("park", 1)], "layers.gpkg"])
def test_layers_not_a_mapping(layers):
    if layers is None:  # issue 11: a map without study-area layers
        study_area_map(layers, tiles=None)
    else:
        with pytest.raises(InputError, match=r"layers must be a mapping of layer names"):
            study_area_map(layers, tiles=None)
    with pytest.raises(InputError, match=r"layers must be a mapping of layer names"):
        prepare_layers(layers)


def test_layer_that_is_not_a_geodataframe_is_named():
    with pytest.raises(InputError, match=r"layer 'roads' of layers must be a GeoDataFrame"):
        study_area_map({"park": _park(), "roads": None}, tiles=None)


def test_empty_layer_is_skipped_with_a_warning_naming_it():
    with pytest.warns(DataQualityWarning, match=r"layer 'rivers' is empty"):
        m = study_area_map({"park": _park(), "rivers": _empty()}, tiles=None)
    names = [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert "park" in names and "rivers" not in names


@pytest.mark.parametrize("which", ["ranges", "relocations", "corridors"])
def test_empty_tables_warned_by_name(which):
    empty = gpd.GeoDataFrame(
        {"individual": [], "method": [], "level": [], "from_id": [], "to_id": []},
        geometry=[],
        crs=CRS,
    )
    with pytest.warns(DataQualityWarning, match=rf"layer '{which}' is empty"):
        study_area_map({"park": _park()}, tiles=None, **{which: empty})


def test_layer_functions_check_their_options():
    m = folium.Map(tiles=None)
    with pytest.raises(InputError, match=r"simplify_m=-5"):
        add_vector_layer(m, _park(), name="park", simplify_m=-5)
    with pytest.raises(InputError, match=r"simplify_m=-5"):
        add_home_ranges(m, _ranges(), simplify_m=-5)
    with pytest.raises(InputError, match=r"coordinate_decimals=-2"):
        add_relocations(m, _fixes(), coordinate_decimals=-2)
    with pytest.raises(InputError, match=r"max_fixes_per_individual=-5"):
        add_relocations(m, _fixes(), max_fixes_per_individual=-5)
    with pytest.raises(InputError, match=r"m must be a folium.Map"):
        add_vector_layer(None, _park(), name="park")
    with pytest.raises(InputError, match=r"ranges must be a GeoDataFrame"):
        add_home_ranges(m, None)
    with pytest.raises(InputError, match=r"layer 'park' must be a GeoDataFrame"):
        add_vector_layer(m, {"a": 1}, name="park")
    with pytest.raises(InputError, match=r"corridors must be a GeoDataFrame"):
        add_corridors(m, None)
    with pytest.raises(ColumnError, match=r"'animal'.*individual_column"):
        add_relocations(m, _fixes(), individual_column="animal")
    with pytest.raises(InputError, match=r"simplify_m=-5"):
        prepare_layers({"park": _park()}, simplify_m=-5)


def test_empty_layer_added_alone_is_named():
    m = folium.Map(tiles=None)
    with pytest.warns(DataQualityWarning, match=r"layer 'Kedrovaya Pad' is empty"):
        add_vector_layer(m, _empty(), name="Kedrovaya Pad")


def test_valid_edge_values_accepted():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        m = study_area_map(
            {"park": _park()},
            ranges=_ranges(),
            relocations=_fixes(),
            tiles=None,
            simplify_m=0,
            coordinate_decimals=2,
            max_fixes_per_individual=1,
        )
    assert isinstance(m, folium.Map)
    study_area_map({}, tiles="Esri.WorldImagery", simplify_m=None, coordinate_decimals=None)


def test_save_map_to_a_folder_or_under_a_file(tmp_path):
    m = folium.Map(tiles=None)
    folder = tmp_path / "maps"
    folder.mkdir()
    with pytest.raises(InputError, match=r"'.*maps' is an existing folder, not a file"):
        save_map(m, folder)
    note = tmp_path / "note.txt"
    note.write_text("a file")
    with pytest.raises(InputError, match=r"'.*note.txt' is a file where a folder is expected"):
        save_map(m, note / "map.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maps", "note.txt"]
    assert list(folder.iterdir()) == [] and note.read_text() == "a file"


def _raster(dtype: str):
    import numpy as np

    from habitat.io.raster import Raster

    return Raster(
        np.arange(6, dtype=dtype).reshape(2, 3),
        (100.0, 0.0, 500_000.0, 0.0, -100.0, 4_800_000.0),
        CRS,
    )


def test_overlay_legend_and_save_options():
    from habitat.maps import add_current_density, add_land_cover, add_legend

    m = folium.Map(tiles=None)
    with pytest.raises(InputError, match=r"raster must be a habitat Raster"):
        add_land_cover(m, None)
    with pytest.raises(InputError, match=r"opacity=2 must be a number from 0"):
        add_land_cover(m, _raster("int32"), opacity=2)
    with pytest.raises(InputError, match=r"opacity=-1 must be a number from 0"):
        add_current_density(m, _raster("float32"), opacity=-1)
    with pytest.raises(InputError, match=r"vmin=5 must be below vmax=1"):
        add_current_density(m, _raster("float32"), vmin=5, vmax=1)
    with pytest.raises(InputError, match=r"vmax=nan must be a finite number"):
        add_current_density(m, _raster("float32"), vmax=math.nan)
    with pytest.raises(InputError, match=r"m must be a folium.Map"):
        add_land_cover(None, _raster("int32"))
    with pytest.raises(InputError, match=r"legend items must be a sequence of \(label, colour\)"):
        add_legend(m, None)
    with pytest.raises(InputError, match=r"legend section 'Zones' must be"):
        add_legend(m, [], sections=[("Zones", "core")])
    with pytest.raises(InputError, match=r"m must be a folium.Map"):
        save_map(None, "never-written.html")
    # an explicit scale is used as given
    scale = add_current_density(m, _raster("float32"), vmin=0, vmax=2.5)
    assert (scale.vmin, scale.vmax) == (0.0, 2.5)

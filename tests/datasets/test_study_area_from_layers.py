"""One conversion of a legacy ``{name: GeoDataFrame}`` mapping into a StudyArea.

The territory table, the maps and the reports all read the 0.1 mapping through
:func:`habitat.datasets.study_area_from_layers`. The bundled identity (labels,
feature names, study-area name, the ``amur_leopard`` profile) belongs to the
bundled data, not to their names: a park in New York passed as
``"land_of_the_leopard"`` is named from its own columns, and ``{}`` is no study
area at all.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely

from habitat import datasets
from habitat.batch import study
from habitat.core.errors import DataQualityWarning, InputError
from habitat.datasets import study_area_from_layers
from habitat.homerange import home_ranges_from_polygons
from habitat.maps.roles import layers_to_study_area
from habitat.overlap.territory import area_shares, territory_table

UTM18 = "EPSG:32618"
#: words of the bundled study area that a study area in New York must not show
BUNDLED_WORDS = ("leopard", "primorsk", "kedrovaya", "amur", "national park", "narvinsky")


def by_key(area) -> dict:
    """key -> (role, label, feature names, zones) of every layer."""
    return {
        lyr.key: (
            lyr.role,
            lyr.label,
            lyr.data["name"].tolist(),
            lyr.data["zone"].tolist(),
        )
        for lyr in area.layers
    }


def ny_park(name: str | None = "Catskill Park") -> gpd.GeoDataFrame:
    """A 10 km square park in New York (UTM 18N)."""
    columns = {} if name is None else {"name": [name]}
    return gpd.GeoDataFrame(
        columns, geometry=[shapely.box(560_000, 4_660_000, 570_000, 4_670_000)], crs=UTM18
    )


def ny_ranges() -> gpd.GeoDataFrame:
    """F1: a 10 km square half inside the park; M1: 10 km east of it, outside."""
    return home_ranges_from_polygons(
        gpd.GeoDataFrame(
            {"individual": ["F1", "M1"], "sex": ["F", "M"]},
            geometry=[
                shapely.box(565_000, 4_660_000, 575_000, 4_670_000),
                shapely.box(580_000, 4_660_000, 590_000, 4_670_000),
            ],
            crs=UTM18,
        )
    )


# ------------------------------------------------------------------ the bundled layers


def test_the_bundled_mapping_is_the_bundled_study_area():
    area = study_area_from_layers(datasets.layers())
    bundled = datasets.primorsky()
    assert by_key(area) == by_key(bundled)  # roles, labels, feature names, zones
    for lyr in bundled.layers:  # categories and kinds too
        mine = next(m for m in area.layers if m.key == lyr.key)
        assert mine.data["category"].tolist() == lyr.data["category"].tolist(), lyr.key
        assert mine.data["kind"].tolist() == lyr.data["kind"].tolist(), lyr.key
    assert (area.name, area.species, area.schematic) == (
        "SW Primorsky Krai (schematic)",
        "amur_leopard",
        True,
    )
    assert area.land_cover is None  # land cover only when given
    assert study_area_from_layers(datasets.layers(), land_cover=datasets.land_cover()).land_cover


def test_the_bundled_data_in_another_crs_or_a_subset_are_still_the_bundled_data():
    bundled = datasets.layers()
    moved = {k: v.to_crs(32652) for k, v in bundled.items()}  # UTM 52N: ~1e-9 deg round trip
    assert by_key(study_area_from_layers(moved)) == by_key(datasets.primorsky())
    some = study_area_from_layers({"park_zones": bundled["park_zones"]})
    assert some.species == "amur_leopard"
    assert set(some.features("protected_areas")["name"]) == {"Land of the Leopard National Park"}


def test_a_changed_bundled_layer_is_not_the_bundled_data():
    bundled = datasets.layers()
    shifted = bundled["land_of_the_leopard"].copy()
    shifted["geometry"] = shifted.geometry.translate(0.01, 0.0)  # ~800 m east
    area = study_area_from_layers({**bundled, "land_of_the_leopard": shifted})
    park = next(lyr for lyr in area.layers if lyr.key == "land_of_the_leopard")
    # the role and the bundled column stay; the bundled label and identity do not
    assert (park.role, park.label) == ("protected_areas", "land_of_the_leopard")
    assert park.data["category"].tolist() == ["II"]  # iucn_category: the column is there
    assert park.data["name"].tolist() == ["Land of the Leopard National Park"]  # its own column
    assert (area.species, area.schematic, area.name) == (None, False, "Study area")
    fewer = bundled["park_zones"].iloc[:2]  # some rows only: not the bundled zones layer
    zones = study_area_from_layers({"park_zones": fewer})
    assert zones.species is None
    assert zones.layers[0].data["name"].tolist() == fewer["name"].tolist()


# ------------------------------------------------------------------ a park elsewhere


def test_a_park_in_new_york_under_a_bundled_name_is_named_from_its_own_columns():
    area = study_area_from_layers({"land_of_the_leopard": ny_park()})
    (park,) = area.layers
    assert (park.role, park.label, park.data["name"].tolist()) == (
        "protected_areas",
        "land_of_the_leopard",
        ["Catskill Park"],
    )
    assert (area.name, area.species, area.schematic) == ("Study area", None, False)
    # the report would get no leopard profile either
    legacy = study.legacy_study_area({"land_of_the_leopard": ny_park()}, land_cover=None)
    assert study.resolve_species(legacy) is None
    assert legacy.name == "Study area"


@pytest.mark.parametrize(
    ("name", "column"),
    [("Catskill Park", "share_pa_catskill_park"), (None, "share_pa_land_of_the_leopard")],
)
def test_the_territory_table_names_the_new_york_park_from_its_column_or_key(name, column):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)  # a measured role: no warning
        table = territory_table(ny_ranges(), {"land_of_the_leopard": ny_park(name)})
    shares = [c for c in table.columns if c.startswith("share_")]
    assert shares == ["share_protected", column]
    # F1's square is half in the park (two UTM squares: 0.5 up to the projection's scale)
    assert table[column].tolist() == pytest.approx([0.5, 0.0], abs=1e-3)
    long = area_shares(ny_ranges(), {"land_of_the_leopard": ny_park(name)})
    text = " ".join(map(str, long["name"])).lower().replace("land_of_the_leopard", "")
    assert not [w for w in BUNDLED_WORDS if w in text], text  # only the user's own key
    assert set(long["name"]) == {name or "land_of_the_leopard"}
    assert set(long["layer"]) == {"land_of_the_leopard"}  # the key, not "Land of the Leopard NP"


# ------------------------------------------------------------------ empty, misfits, crossings


def test_an_empty_mapping_is_an_empty_study_area_without_species():
    area = study_area_from_layers({})
    assert area.is_empty and area.layers == () and area.species is None
    assert not area.schematic and area.name == "Study area"
    assert study.legacy_study_area({}, land_cover=None).species is None
    # a report given layers={} on fixes in Primorsky: no layers, no land cover, no leopard
    fixes = gpd.GeoDataFrame(
        {"individual": ["A", "A"]},
        geometry=gpd.points_from_xy([131.2, 131.3], [43.1, 43.2]),
        crs=4326,
    )
    resolved = study.resolve_study_area(fixes, layers={})
    assert resolved.is_empty and resolved.species is None
    assert study.resolve_species(resolved) is None
    # the bundled default is still there when nothing is given
    assert study.resolve_study_area(fixes).species == "amur_leopard"


def test_points_under_fences_are_context_with_a_warning_naming_them():
    posts = gpd.GeoDataFrame(
        {"name": ["post 1", "post 2"]},
        geometry=gpd.points_from_xy([-74.3, -74.2], [42.1, 42.2]),
        crs=4326,
    )
    with pytest.warns(DataQualityWarning, match=r"'fences' holds Point geometries.*barriers"):
        area = study_area_from_layers({"fences": posts})
    assert [(lyr.key, lyr.role) for lyr in area.layers] == [("fences", "context")]
    assert area.layers[0].data["kind"].isna().all()  # not a fence kind: it is no barrier
    line = gpd.GeoDataFrame(geometry=[shapely.LineString([(-74.3, 42.1), (-74.2, 42.2)])], crs=4326)
    fence = study_area_from_layers({"fences": line}).layers[0]
    assert (fence.role, fence.data["kind"].tolist()) == ("barriers", ["fence"])
    # a bundled name too: points are no protected area, and no error
    with pytest.warns(DataQualityWarning, match="'land_of_the_leopard'"):
        odd = study_area_from_layers({"land_of_the_leopard": posts})
    assert odd.layers[0].role == "context" and odd.species is None


def test_crossings_come_from_a_crossing_column():
    roads = gpd.GeoDataFrame(
        {
            "name": ["NY 28", "NY 28", "NY 30"],
            "kind": ["road", "underpass", "road"],
            "crossing": [None, "Deer underpass", "  "],
            "width_m": [12.0, 12.0, 9.0],
        },
        geometry=[
            shapely.LineString([(-74.5, 42.1), (-74.4, 42.1)]),
            shapely.LineString([(-74.4, 42.1), (-74.3, 42.1)]),
            shapely.LineString([(-74.3, 42.1), (-74.2, 42.2)]),
        ],
        crs=4326,
    )
    area = study_area_from_layers({"roads": roads})
    assert [(lyr.key, lyr.role) for lyr in area.layers] == [
        ("roads", "barriers"),
        ("crossings", "crossings"),
    ]
    crossing = area.features("crossings")
    assert crossing["name"].tolist() == ["Deer underpass"]  # a blank value is no crossing
    assert crossing["kind"].tolist() == ["underpass"]
    assert area.layers[1].label == datasets.CROSSINGS_LABEL
    assert area.features("barriers")["width_m"].tolist() == [12.0, 12.0, 9.0]  # own column
    # a layer keyed "crossings" already: the derived one is named after its source
    point = gpd.GeoDataFrame({"name": ["Bridge"]}, geometry=[shapely.Point(-74.0, 42.0)], crs=4326)
    both = study_area_from_layers({"crossings": point, "roads": roads})
    assert [lyr.key for lyr in both.layers_of("crossings")] == ["crossings", "roads_crossings"]


def test_own_columns_fill_the_standard_columns_where_no_bundled_option_applies():
    parks = gpd.GeoDataFrame(
        {"name": ["Adirondack Park", "Adirondack Park"], "zone": ["wilderness", "intensive use"],
         "category": ["V", "V"]},
        geometry=[shapely.box(-75, 43.5, -74, 44.5), shapely.box(-74, 43.5, -73.5, 44.5)],
        crs=4326,
    )  # fmt: skip
    # land_of_the_leopard's bundled category column (iucn_category) is absent: its own is used
    area = study_area_from_layers({"land_of_the_leopard": parks, "parks": parks})
    for lyr in area.layers:
        assert lyr.data["zone"].tolist() == ["wilderness", "intensive use"], lyr.key
        assert lyr.data["category"].tolist() == ["V", "V"], lyr.key
    with_iucn = parks.assign(iucn_category=["II", "Ib"])
    (lyr,) = study_area_from_layers({"land_of_the_leopard": with_iucn}).layers
    assert lyr.data["category"].tolist() == ["II", "Ib"]  # the bundled option wins


def test_every_caller_converts_a_mapping_the_same_way():
    """Territory table, map and report: one conversion, the same roles, labels and names."""
    roads = datasets.layers()["roads"]
    mapping = {
        "land_of_the_leopard": ny_park(),
        "my_reserves": ny_park("Mohonk Preserve"),
        "roads": roads,
        "countries": datasets.layers()["countries"],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        common = by_key(study_area_from_layers(mapping))
        assert by_key(layers_to_study_area(mapping)) == common
        assert by_key(study.legacy_study_area(mapping, land_cover=None)) == common
        long = area_shares(ny_ranges(), mapping)
    # the map's and report's crossings are the bundled roads' tunnel
    assert common["crossings"][2] == ["Narvinsky tunnel"]
    assert common["roads"][1] == "Roads"  # the bundled roads themselves keep their label
    assert common["my_reserves"][0] == "context"
    measured = {(r.layer, r.name) for r in long.itertuples()}
    assert measured == {("land_of_the_leopard", "Catskill Park")}  # countries far, not measured


def test_a_mapping_value_that_is_not_a_layer_is_refused_naming_it():
    with pytest.raises(InputError, match=r"roads must be a GeoDataFrame, not NoneType"):
        study_area_from_layers({"roads": None})
    with pytest.raises(InputError, match="mapping of layer names"):
        study_area_from_layers([ny_park()])
    series = study_area_from_layers({"parks": ny_park().geometry})
    assert series.layers[0].data["name"].tolist() == ["parks"]
    assert np.isfinite(series.bounds_lonlat()).all()


def test_the_map_of_a_new_york_park_under_a_bundled_name_shows_no_bundled_word():
    from habitat.maps import study_area_map

    park = ny_park().to_crs(4326)
    page = study_area_map({"land_of_the_leopard": park}, tiles=None).get_root().render()
    assert "Catskill Park" in page
    assert "Land of the Leopard" not in page and "Schematic layers" not in page


def test_bundled_layers_made_display_ready_are_still_the_bundled_study_area():
    from habitat.maps import prepare_layers

    for settings in ({}, {"simplify_m": 500.0}):
        ready = prepare_layers(datasets.layers(), **settings)
        area = layers_to_study_area(ready)
        assert by_key(area) == by_key(datasets.primorsky()), settings
        assert (area.name, area.species, area.schematic) == (
            "SW Primorsky Krai (schematic)",
            "amur_leopard",
            True,
        )
    # a prepared park in New York under a bundled name is still not the bundled park
    mine = layers_to_study_area(prepare_layers({"land_of_the_leopard": ny_park()}))
    assert mine.layers[0].label == "land_of_the_leopard" and mine.species is None

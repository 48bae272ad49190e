"""StudyArea and study_layer: roles, standard columns, files, near(), TOML."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from habitat import datasets
from habitat.core.errors import ColumnError, ConfigError, DataFileError, GeometryTypeError
from habitat.io.study_area import (
    StudyArea,
    parse_layer_option,
    read_study_area,
    resolve_role,
    study_layer,
)

UTM18 = "EPSG:32618"  # New York


def _parks() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"PARK": ["Alpha", "Alpha", "Beta"], "ZONE": ["core", "buffer", None], "IUCN": ["II"] * 3},
        geometry=[
            shapely.box(580_000, 4_700_000, 590_000, 4_710_000),
            shapely.box(590_000, 4_700_000, 600_000, 4_710_000),
            shapely.box(620_000, 4_700_000, 625_000, 4_705_000),
        ],
        crs=UTM18,
    )


def test_layer_is_stored_in_lonlat_with_standard_columns_named_from_user_columns() -> None:
    lyr = study_layer(
        _parks(),
        "parks",
        label="State parks",
        name_column="PARK",
        zone_column="ZONE",
        category_column="IUCN",
    )
    assert lyr.role == "protected_areas" and lyr.key == "state_parks"
    assert lyr.data.crs.to_epsg() == 4326
    assert lyr.data["name"].tolist() == ["Alpha", "Alpha", "Beta"]
    assert lyr.data["zone"].iloc[:2].tolist() == ["core", "buffer"]
    assert lyr.data["zone"].isna().iloc[2]
    assert lyr.data["category"].tolist() == ["II"] * 3
    assert list(lyr.data["PARK"]) == ["Alpha", "Alpha", "Beta"]  # own columns kept
    # reprojection keeps the geometry: area back in UTM equals the source area
    back = lyr.data.to_crs(UTM18).area.to_numpy()
    np.testing.assert_allclose(back, _parks().area.to_numpy(), rtol=1e-6)


def test_role_aliases_set_the_barrier_kind() -> None:
    roads = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(580_000, 4_700_000), (600_000, 4_700_000)])], crs=UTM18
    )
    lyr = study_layer(roads, "roads", width_m=12)
    assert (lyr.role, lyr.data["kind"].iloc[0], lyr.data["width_m"].iloc[0]) == (
        "barriers",
        "road",
        12.0,
    )
    assert lyr.data["name"].iloc[0] == "barriers"  # no name column: the label


def test_wrong_geometry_for_role_and_missing_column_are_refused_by_name() -> None:
    roads = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(580_000, 4_700_000), (600_000, 4_700_000)])], crs=UTM18
    )
    with pytest.raises(GeometryTypeError, match="role protected_areas takes Polygon.*row 0"):
        study_layer(roads, "protected_areas", label="roads")
    with pytest.raises(ColumnError, match="no zone column 'zones'.*Did you mean 'ZONE'"):
        study_layer(_parks(), "parks", zone_column="zones")
    with pytest.raises(ConfigError, match="unknown role 'parcs'; did you mean 'parks'"):
        resolve_role("parcs")


def test_layer_file_round_trip_with_odd_path(tmp_path: Path) -> None:
    path = tmp_path / "my parks ü.gpkg"
    _parks().to_file(path, driver="GPKG")
    lyr = study_layer(path, "protected_areas", name_column="PARK")
    assert lyr.label == "my parks ü" and lyr.source == str(path)
    assert sorted(set(lyr.data["name"])) == ["Alpha", "Beta"]
    with pytest.raises(DataFileError, match="does not exist"):
        study_layer(tmp_path / "nope.gpkg", "parks")


def test_near_drops_layers_on_another_continent_and_keeps_features_whole() -> None:
    area = datasets.primorsky()
    ny_fixes = gpd.GeoSeries(shapely.points([(-74.0, 42.5), (-73.8, 42.7)]), crs=4326)
    far = area.near(ny_fixes)
    assert far.is_empty and far.land_cover is None
    leopard_fixes = gpd.GeoSeries(shapely.points([(131.2, 43.1), (131.3, 43.2)]), crs=4326)
    near = area.near(leopard_fixes)
    names = set(near.features("protected_areas")["name"])
    assert "Land of the Leopard National Park" in names
    assert near.land_cover is not None
    # kept whole: the park's geometry is identical, not clipped
    full = area.features("protected_areas")
    kept = near.features("protected_areas")
    a = full[full["layer"] == "Land of the Leopard NP"].geometry.iloc[0]
    b = kept[kept["layer"] == "Land of the Leopard NP"].geometry.iloc[0]
    assert a.equals(b)


def test_primorsky_roles_and_default_rules() -> None:
    area = datasets.primorsky()
    roles = dict(zip(area.summary()["key"], area.summary()["role"], strict=True))
    assert roles["land_of_the_leopard"] == "protected_areas"
    assert roles["countries"] == "admin_units"
    assert roles["roads"] == "barriers"
    zones = area.features("protected_areas").dropna(subset=["zone"])
    assert sorted(zones["zone"]) == ["border_security", "core", "economic", "recreation"]
    assert set(zones["name"]) == {"Land of the Leopard National Park"}
    assert datasets.species_for(area).name == "amur_leopard"
    ny = gpd.GeoSeries(shapely.points([(-74.0, 42.5)]), crs=4326)
    assert datasets.study_area_for(ny).is_empty
    assert datasets.species_for(datasets.study_area_for(ny)) is None


def test_parse_layer_option() -> None:
    assert parse_layer_option("protected_areas=a/b.gpkg:NAME") == (
        "protected_areas",
        Path("a/b.gpkg"),
        "NAME",
    )
    with pytest.raises(ConfigError, match="unknown role"):
        parse_layer_option("bogus=a.gpkg")


def test_read_study_area_toml(tmp_path: Path) -> None:
    _parks().to_file(tmp_path / "parks.gpkg", driver="GPKG")
    (tmp_path / "area.toml").write_text(
        'name = "Hudson Valley"\nspecies = "none"\n'
        '[[layers]]\nrole = "parks"\npath = "parks.gpkg"\nname_column = "PARK"\n'
        'zone_column = "ZONE"\n'
    )
    area = read_study_area(tmp_path / "area.toml")
    assert area.name == "Hudson Valley" and area.species == "none"
    assert sorted(set(area.features("protected_areas")["name"])) == ["Alpha", "Beta"]
    (tmp_path / "bad.toml").write_text('[[layers]]\nrole = "parks"\npath = "parks.gpkg"\nnme = 1\n')
    with pytest.raises(ConfigError, match=r"layers\[0\]: unknown key\(s\) \['nme'\]"):
        read_study_area(tmp_path / "bad.toml")


def test_duplicate_keys_refused() -> None:
    lyr = study_layer(_parks(), "parks", label="P")
    with pytest.raises(ConfigError, match="used twice"):
        StudyArea([lyr, lyr])

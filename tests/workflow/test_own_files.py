"""The analyst's own files: what they hold, and a StudyArea built from them as a new user would.

Oracles: the shapes are drawn in UTM 18N kilometres (``own_area.GEOMETRY``), so
areas, class counts and lengths are known exactly on the grid; ground values
(measured in a local equal-area CRS) are the grid ones divided by the UTM scale
factor (k ≈ 0.9996 here; areas by k² ≈ 0.9992), well inside the tolerances below.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import CRS, Geod

import habitat
from habitat import datasets
from habitat.core.errors import ColumnError
from habitat.landscape.layers import summarise_layers

from .own_area import ALBATROSS_BOX, CLASSES, FISHER_SEX, GEOMETRY


def _box_km2(name: str) -> float:
    x0, y0, x1, y1 = GEOMETRY["parks"][name]
    return (x1 - x0) * (y1 - y0)


def test_files_use_the_analysts_own_columns_and_crs(own):
    parks = gpd.read_file(own["parks"])
    assert {"PARK_NAME", "ZONE_TYPE", "IUCN_CAT"} <= set(parks.columns)
    assert not {"name", "zone"} & set(parks.columns)  # deliberately not habitat's names
    assert CRS.from_user_input(parks.crs).to_epsg() == 32618
    roads = gpd.read_file(own["roads"])
    assert {"RD_CLASS", "WIDTH_M"} <= set(roads.columns)
    assert CRS.from_user_input(roads.crs).to_epsg() == 32618
    assert set(gpd.read_file(own["counties"])["COUNTY"]) == {
        "Tamarack County",
        "Black River County",
    }
    assert habitat.read_geotiff(own["cover"]).crs.to_epsg() == 32618


def test_study_area_from_toml_equals_the_one_built_by_hand(own):
    from_toml = habitat.read_study_area(own["study_area"])
    by_hand = habitat.StudyArea(
        [
            habitat.study_layer(
                own["parks"],
                "protected_areas",
                label="State lands",
                name_column="PARK_NAME",
                zone_column="ZONE_TYPE",
                category_column="IUCN_CAT",
            ),
            habitat.study_layer(own["counties"], "admin_units", name_column="COUNTY"),
            habitat.study_layer(
                own["roads"],
                "roads",
                name_column="RD_NAME",
                kind_column="RD_CLASS",
                width_column="WIDTH_M",
            ),
            habitat.study_layer(own["towns"], "settlements", name_column="PLACE"),
            habitat.study_layer(own["crossings"], "crossings", name_column="STRUCTURE"),
        ],
        land_cover=habitat.read_geotiff(own["cover"]),
        name="Hemlock Ridge fishers",
    )
    for role in ("protected_areas", "admin_units", "barriers", "settlements", "crossings"):
        a = from_toml.features(role)
        b = by_hand.features(role)
        assert a["name"].tolist() == b["name"].tolist(), role
        assert a.geometry.geom_equals_exact(b.geometry, 1e-9).all(), role
    parks = from_toml.features("protected_areas")
    assert parks[["name", "zone", "category"]].fillna("-").values.tolist() == [
        ["Hemlock Ridge State Forest", "Wilderness", "Ib"],
        ["Hemlock Ridge State Forest", "Intensive Use", "V"],
        ["Cold Brook Preserve", "-", "IV"],
        ["Otter Lake Wildlife Management Area", "-", "VI"],
    ]
    roads = from_toml.features("roads")
    assert roads[["name", "kind", "width_m"]].values.tolist() == [
        ["NY 30", "State Route", 12.0],
        ["County Road 8", "County Road", 8.0],
        ["Beaver Brook Road", "Forest Road", 5.0],
    ]
    assert from_toml.land_cover.classes == CLASSES
    assert from_toml.species is not None and from_toml.species.endswith("fisher.toml")
    assert not from_toml.schematic


def test_a_misspelt_column_names_the_columns_there_are(own):
    with pytest.raises(ColumnError, match="PARK_NAME"):
        habitat.study_layer(own["parks"], "parks", name_column="PARK")


def test_areas_and_lengths_of_the_own_layers_on_the_ground(own):
    area = habitat.read_study_area(own["study_area"])
    parks = area.features("protected_areas")
    table = summarise_layers(
        {str(i): parks.iloc[[i]] for i in range(len(parks))} | {"roads": area.features("roads")}
    )
    expected = [_box_km2(k) for k in GEOMETRY["parks"]]  # 48, 32, 64, 30 km² on the grid
    got = table.loc[[str(i) for i in range(len(parks))], "area_km2"].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=2e-3)
    # grid lengths 30 + 24 + 6.708 km of road; on the ground 1/k ≈ 1.0004 times longer
    np.testing.assert_allclose(table.loc["roads", "length_km"], 30 + 24 + np.hypot(6, 3), rtol=2e-3)


def test_land_cover_class_areas_are_the_drawn_boxes(own):
    cover = habitat.read_geotiff(own["cover"])
    assert cover.cell_size_m == 50.0 and not cover.classes  # names come from the class table
    km2 = cover.class_areas()["area_km2"].round(6).to_dict()
    # evergreen band 30 x 6 km less the 3 x 3 km lake; pasture 30 x 3 km; the rest deciduous
    assert km2 == {11: 9.0, 41: 720.0 - 171.0 - 90.0 - 9.0, 42: 171.0, 81: 90.0}


def test_fishers_are_a_movebank_export_with_a_reference_table(fishers):
    per = fishers.groupby("individual")
    assert per["sex"].first().to_dict() == FISHER_SEX
    n = per.size()
    assert n.between(280, 310).all(), n.to_dict()
    days = (per["timestamp"].max() - per["timestamp"].min()).dt.total_seconds() / 86400
    assert days.between(85, 90).all()
    assert not fishers["flag_any"].any()
    assert fishers.crs.to_epsg() == 4326


def test_albatrosses_fly_30_to_70_kmh_inside_their_box(albatrosses):
    w, s, e, n = ALBATROSS_BOX
    x, y = albatrosses.geometry.x, albatrosses.geometry.y
    assert x.between(w, e).all() and y.between(s, n).all()
    geod = Geod(ellps="WGS84")
    speeds = []
    for _, g in albatrosses.sort_values("timestamp").groupby("individual"):
        _, _, dist = geod.inv(
            g.geometry.x.to_numpy()[:-1],
            g.geometry.y.to_numpy()[:-1],
            g.geometry.x.to_numpy()[1:],
            g.geometry.y.to_numpy()[1:],
        )
        hours = np.diff(g["timestamp"].to_numpy()).astype("timedelta64[s]").astype(float) / 3600
        speeds.append(dist / 1000 / hours)
    kmh = np.concatenate(speeds)
    # drawn at 30-70 km/h in an equal-area plane centred on the box: ground speeds within 1.5 %
    assert kmh.min() > 30 * 0.985 and kmh.max() < 70 * 1.015, (kmh.min(), kmh.max())
    assert kmh.max() > datasets.species_profile("amur_leopard").max_speed_kmh


def test_species_profiles_read_from_the_analysts_toml(own):
    fisher = datasets.species_profile(own["fisher_profile"])
    assert fisher.name == "fisher" and fisher.scientific_name == "Pekania pennanti"
    assert fisher.expected_area_km2["F"] == pytest.approx((1.0, 85.0))
    assert fisher.expected_area_km2["M"][0] is None
    assert "Weir" in (fisher.source or "")
    bird = datasets.species_profile(own["albatross_profile"])
    assert bird.max_speed_kmh == 90 and bird.ud_cell_size_m == 5000
    assert set(bird.expected_area_sq_mi) == {"any"}


def test_the_fixes_are_far_from_the_bundled_study_area(fishers, albatrosses):
    for fixes in (fishers, albatrosses):
        area = datasets.study_area_for(fixes)
        assert area.is_empty
        assert datasets.species_for(area) is None
    assert not datasets.primorsky().overlaps(fishers)


def test_reference_sexes_are_movebank_codes(own):
    ref = pd.read_csv(own["fishers_reference"])
    assert ref["animal-sex"].tolist() == ["f", "f", "m"]

"""The territory table of a study area that is not Primorsky: rows named from the user's columns.

The study area and the ranges are drawn in the local equal-area CRS the table
measures in (Lambert azimuthal equal-area centred on 42.5° N, 74.5° W: the
Catskills, New York) and handed over in EPSG:4326, as a study area stores its
layers; the table projects both back by their vertices with the same
transformation, so every share is an exact ratio of rectangle areas (the round
trip moves every vertex by the same sub-millimetre offset).
"""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat import datasets
from habitat.core import crs as hcrs
from habitat.core.errors import DataQualityWarning, InputError
from habitat.homerange import home_ranges_from_polygons
from habitat.io.study_area import StudyArea, study_layer
from habitat.overlap.territory import AREA_SHARE_COLUMNS, area_shares, territory_table

LAEA = hcrs.equal_area_crs((-74.6, 42.4, -74.4, 42.6))
KM = 1000.0
PARC = '<b>Parc "Été"</b>'
#: words of the bundled study area that must appear nowhere in this one's table
BUNDLED_WORDS = (
    "leopard",
    "kedrovaya",
    "russia",
    "china",
    "korea",
    "primorsk",
    "tiger",
    "share_park",
    "share_reserve",
    "share_country",
)


#: every shape is moved off the projection centre, which the round trip alone maps exactly
DX, DY = 3.0, 2.0


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return shapely.box((x0 + DX) * KM, (y0 + DY) * KM, (x1 + DX) * KM, (y1 + DY) * KM)


def parks() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "PARK": [PARC, "Catskill Park", "Catskill Park"],
            "ZONE": [None, "wild forest", "intensive use"],
            "IUCN": ["II", "V", "V"],
        },
        geometry=[box(-30, -10, -10, 10), box(0, -10, 20, 0), box(0, 0, 20, 10)],
        crs=LAEA,
    )


def counties() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"COUNTY": ["Ulster County", "Greene County"]},
        geometry=[box(-60, -60, 0, 60), box(0, -60, 60, 60)],
        crs=LAEA,
    )


def study_area() -> StudyArea:
    return StudyArea(
        [
            study_layer(
                parks(),
                "protected_areas",
                label="State parks",
                name_column="PARK",
                zone_column="ZONE",
                category_column="IUCN",
            ),
            study_layer(counties(), "admin_units", label="Counties", name_column="COUNTY"),
        ],
        name="Catskills",
    )


def ranges() -> gpd.GeoDataFrame:
    return home_ranges_from_polygons(
        gpd.GeoDataFrame(
            {"individual": ["F1", "M1", "F2", "M2"], "sex": ["F", "M", "F", "M"]},
            geometry=[
                box(-15, -5, -5, 5),  # west half in the Parc
                box(-8, -5, 12, 5),  # 3/5 in Catskill Park, across both zones and counties
                box(15, -10, 25, 10),  # west half in Catskill Park
                box(40, 20, 50, 30),  # in no park
            ],
            crs=LAEA,
        ).to_crs(4326)
    )


#: the analytic shares (rectangle areas over range areas)
EXPECTED = {
    "share_protected": [0.5, 0.6, 0.5, 0.0],
    "share_pa_b_parc_ete_b": [0.5, 0.0, 0.0, 0.0],
    "share_pa_catskill_park": [0.0, 0.6, 0.5, 0.0],
    "share_zone_catskill_park__intensive_use": [0.0, 0.3, 0.25, 0.0],
    "share_zone_catskill_park__wild_forest": [0.0, 0.3, 0.25, 0.0],
    "share_admin_greene_county": [0.0, 0.6, 1.0, 1.0],
    "share_admin_ulster_county": [1.0, 0.4, 0.0, 0.0],
}


def test_shares_are_the_analytic_ones_in_columns_named_from_the_users_columns():
    table = territory_table(ranges(), study_area())
    shares = [c for c in table.columns if c.startswith("share_")]
    assert shares == list(EXPECTED)  # protected, parks, zones, admin units; sorted by name
    for col, expected in EXPECTED.items():
        np.testing.assert_allclose(table[col].to_numpy(float), expected, rtol=0, atol=1e-9)
    assert table["individual"].tolist() == ["F1", "M1", "F2", "M2"]
    # neighbours and exclusivity are still there (F1 and M1 overlap by 30 km²)
    assert table["n_opposite_sex_neighbours"].tolist() == [1, 1, 0, 0]
    assert table["n_same_sex_neighbours"].tolist() == [0, 0, 0, 0]  # M1 and F2 only touch
    assert table["n_unknown_sex_neighbours"].tolist() == [0, 0, 0, 0]
    np.testing.assert_allclose(table["exclusive_share"], [1.0, 1.0, 1.0, 1.0], atol=1e-9)


def test_no_bundled_name_anywhere():
    table = territory_table(ranges(), study_area())
    long = area_shares(ranges(), study_area())
    values = [*table.drop(columns="geometry").to_numpy().ravel(), *long.to_numpy().ravel()]
    text = " ".join([*table.columns, *map(str, values)]).lower()
    for word in BUNDLED_WORDS:
        assert word not in text, word


def test_long_table_names_every_area_with_the_users_names():
    long = area_shares(ranges(), study_area())
    assert list(long.columns) == list(AREA_SHARE_COLUMNS)
    assert len(long) == 4 * 6  # every range x (2 parks, 2 zones, 2 counties)
    m1 = long[long["individual"] == "M1"]
    assert m1["name"].tolist() == [
        PARC,
        "Catskill Park",
        "Catskill Park",
        "Catskill Park",
        "Greene County",
        "Ulster County",
    ]
    assert m1["zone"].tolist() == [None, None, "intensive use", "wild forest", None, None]
    assert m1["role"].tolist() == ["protected_areas"] * 4 + ["admin_units"] * 2
    assert m1["category"].tolist() == ["II", "V", "V", "V", None, None]
    assert set(long["layer"]) == {"State parks", "Counties"}
    # the wide table is built from the long one: same numbers in the named column
    wide = territory_table(ranges(), study_area())
    for r in long.itertuples():
        assert wide.loc[r.range_id, r.column] == r.share
    # areas: the share of the range's own area (10 km squares: 100 km²; M1, F2: 200 km²)
    range_km2 = np.array([100.0, 200.0, 200.0, 100.0])[long["range_id"].to_numpy(int)]
    np.testing.assert_allclose(long["area_km2"], long["share"] * range_km2, rtol=1e-9, atol=1e-9)


def test_an_odd_park_name_gives_a_safe_column_and_is_escaped_on_the_page():
    from habitat.report.pages import render_individual_page

    table = territory_table(ranges(), study_area())
    for col in table.columns:
        assert re.fullmatch(r"[a-z0-9_]+", col), col
    long = area_shares(ranges(), study_area())
    row = table.iloc[0].drop(labels="geometry").to_dict()
    html = render_individual_page(
        individual="F1",
        title="Catskill fishers",
        territory=row,
        ranges=pd.DataFrame(columns=["method", "level"]),
        neighbours=pd.DataFrame(
            columns=["individual", "sex", "area_km2", "area_sq_mi", "share_self", "share_other"]
        ),
        map_href="F1/map.html",
        areas=long[long["individual"] == "F1"],
    )
    assert "<b>Parc" not in html
    assert "&lt;b&gt;Parc &#34;Été&#34;&lt;/b&gt; (II)" in html
    assert "Ulster County" in html
    assert "Greene County" not in html and "Catskill Park" not in html  # 0 % rows left out


def test_layers_on_another_continent_are_dropped():
    """Far layers (the bundled Primorsky set, a park in Africa) change nothing, not even the CRS."""
    far_park = gpd.GeoDataFrame(
        {"name": ["Far park"]}, geometry=[shapely.box(20.0, -5.0, 21.0, -4.0)], crs=4326
    )
    far = StudyArea(
        [
            *study_area().layers,
            study_layer(far_park, "parks", key="far", label="Far parks"),
            *datasets.primorsky().layers,
        ]
    )
    alone = territory_table(ranges(), study_area())
    with_far = territory_table(ranges(), far)
    pd.testing.assert_frame_equal(
        pd.DataFrame(with_far.drop(columns="geometry")),
        pd.DataFrame(alone.drop(columns="geometry")),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(area_shares(ranges(), far), area_shares(ranges(), study_area()))


def test_slugs_are_deterministic_and_collision_free():
    """Names with one slug get _2, _3 in name order (case-blind, then exact), whatever the
    order of the layers."""
    twins = gpd.GeoDataFrame(
        {"name": ["A-B", "A B", "a b"]},
        geometry=[box(-15, -5, -10, 5), box(-10, -5, -5, 5), box(-30, -5, -25, 5)],
        crs=LAEA,
    )
    one = territory_table(ranges(), StudyArea([study_layer(twins, "parks")]))
    rev = territory_table(ranges(), StudyArea([study_layer(twins.iloc[::-1], "parks")]))
    cols = [c for c in one.columns if c.startswith("share_pa_")]
    assert cols == ["share_pa_a_b", "share_pa_a_b_2", "share_pa_a_b_3"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(one.drop(columns="geometry")), pd.DataFrame(rev.drop(columns="geometry"))
    )
    long = area_shares(ranges(), StudyArea([study_layer(twins, "parks")]))
    named = long[long["range_id"] == 0].set_index("name")["column"].to_dict()
    assert named == {"A B": "share_pa_a_b", "a b": "share_pa_a_b_2", "A-B": "share_pa_a_b_3"}
    # F1 (x -15..-5) is half in "A-B" and half in "A B"
    np.testing.assert_allclose(one.loc[0, cols].to_numpy(float), [0.5, 0.0, 0.5], atol=1e-9)


def test_no_protected_area_layer_gives_no_share_protected_far_ones_give_zero():
    only_counties = StudyArea([study_area().layers[1]])
    table = territory_table(ranges(), only_counties)
    assert "share_protected" not in table.columns
    far_park = gpd.GeoDataFrame(
        {"name": ["Far park"]}, geometry=[shapely.box(20.0, -5.0, 21.0, -4.0)], crs=4326
    )
    far = StudyArea([*only_counties.layers, study_layer(far_park, "parks")])
    table = territory_table(ranges(), far)
    assert table["share_protected"].tolist() == [0.0, 0.0, 0.0, 0.0]  # outside every one
    assert not [c for c in table.columns if c.startswith("share_pa_")]
    empty = territory_table(ranges(), StudyArea())
    assert not [c for c in empty.columns if c.startswith("share_")]


# --------------------------------------------------------------------- legacy mappings


def _primorsky_ranges() -> gpd.GeoDataFrame:
    """Four 15 km squares (UTM 52N) across the park, the reserve and the border."""
    x0, y0 = 620_000.0, 4_740_000.0
    return home_ranges_from_polygons(
        gpd.GeoDataFrame(
            {"individual": ["A", "B", "C", "D"], "sex": ["F", "M", "F", "M"]},
            geometry=[
                shapely.box(x0 + dx, y0 + dy, x0 + dx + 15_000, y0 + dy + 15_000)
                for dx, dy in ((-40_000, 0), (-20_000, 20_000), (0, 40_000), (-50_000, 60_000))
            ],
            crs="EPSG:32652",
        )
    )


def test_a_legacy_mapping_of_the_bundled_layers_is_the_bundled_study_area():
    ranges_ = _primorsky_ranges()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)  # bundled names: no warning
        legacy = territory_table(ranges_, datasets.layers())
    bundled = territory_table(ranges_, datasets.primorsky())
    pd.testing.assert_frame_equal(
        pd.DataFrame(legacy.drop(columns="geometry")),
        pd.DataFrame(bundled.drop(columns="geometry")),
        check_exact=True,
    )
    shares = [c for c in bundled.columns if c.startswith("share_")]
    assert "share_pa_land_of_the_leopard_national_park" in shares
    assert any(c.startswith("share_zone_land_of_the_leopard_national_park__") for c in shares)
    assert "share_admin_russia" in shares and "share_admin_primorsky_krai" in shares
    assert bundled[shares].to_numpy().max() > 0.1  # the squares do meet the layers
    # share_protected counts every protected area, the Chinese park included
    pa = [c for c in shares if c.startswith("share_pa_")]
    assert (bundled["share_protected"] >= bundled[pa].max(axis=1) - 1e-12).all()
    assert (bundled["share_protected"] <= bundled[pa].sum(axis=1) + 1e-12).all()


def test_a_polygon_layer_without_a_role_is_warned_about_and_gets_no_row():
    mapping = {"my_reserves": parks(), "countries": counties().rename(columns={"COUNTY": "name"})}
    with pytest.warns(DataQualityWarning, match=r"'my_reserves'.*no row.*StudyArea") as caught:
        table = territory_table(ranges(), mapping)
    assert len(caught) == 1
    assert "share_protected" not in table.columns
    assert [c for c in table.columns if c.startswith("share_")] == [
        "share_admin_greene_county",
        "share_admin_ulster_county",
    ]
    # a mapping name that spells a role gets it
    table = territory_table(ranges(), {"parks": parks().rename(columns={"PARK": "name"})})
    assert table["share_protected"].tolist() == pytest.approx([0.5, 0.6, 0.5, 0.0], abs=1e-9)


def test_study_area_of_the_wrong_type_is_refused_saying_what_to_give():
    with pytest.raises(InputError, match="StudyArea or a mapping of layer names"):
        territory_table(ranges(), [parks()])
    with pytest.raises(InputError, match="StudyArea or a mapping of layer names"):
        area_shares(ranges(), None)


def test_area_shares_keep_the_ranges_index_and_only_the_level_asked_for():
    both = pd.concat([ranges(), ranges().assign(level=0.5)])
    both.index = [f"r{k}" for k in range(len(both))]
    long = area_shares(both, study_area(), level=0.5)
    assert sorted(set(long["range_id"])) == ["r4", "r5", "r6", "r7"]
    assert set(long["level"]) == {0.5}
    m1 = long[long["range_id"] == "r5"].set_index("column")["share"]
    assert m1["share_pa_catskill_park"] == pytest.approx(0.6, abs=1e-9)
    with pytest.raises(InputError, match=r"no ranges at level 0.25"):
        area_shares(both, study_area(), level=0.25)


def test_a_continent_sized_admin_unit_does_not_move_the_measurement_crs():
    """A world layer's country is near every range; only its part over them sets the CRS.

    Centring the equal-area CRS on the whole of North America (or on a country
    across the antimeridian) would move the projection centre thousands of
    kilometres away; the other shares would then no longer be exact ratios.
    """
    world = gpd.GeoDataFrame(
        {"name": ["North America", "Across the antimeridian"]},
        geometry=[
            shapely.box(-170.0, 10.0, -50.0, 75.0),
            shapely.MultiPolygon(
                [shapely.box(170.0, 50.0, 180.0, 55.0), shapely.box(-180.0, 40.0, -73.0, 45.0)]
            ),
        ],
        crs=4326,
    )
    alone = territory_table(ranges(), study_area())
    area = StudyArea([*study_area().layers, study_layer(world, "countries", key="world")])
    with_world = territory_table(ranges(), area)
    for col, expected in EXPECTED.items():
        np.testing.assert_allclose(with_world[col].to_numpy(float), expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(with_world["share_admin_north_america"], 1.0, rtol=0, atol=1e-9)
    assert with_world["share_admin_across_the_antimeridian"].tolist() == pytest.approx(
        [1.0, 1.0, 1.0, 1.0], abs=1e-9
    )
    pd.testing.assert_frame_equal(
        pd.DataFrame(with_world[list(EXPECTED)]), pd.DataFrame(alone[list(EXPECTED)])
    )

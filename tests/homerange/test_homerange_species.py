"""Species profiles judge home-range sizes; habitat never assumes a species (issue 11).

Oracle: the MCP of fixes on the border and inside of a square is the square, so
a square of side ``sqrt(2.0 sq mi)`` gives a 2.0 sq mi range exactly (1 sq mi =
2.589988110336 km², international mile). Whether 2.0 sq mi is plausible then
depends only on the bounds of the profile: outside the Amur leopard's 15–38
sq mi for females, inside a fisher's 1–10 sq mi.
"""

from __future__ import annotations

import logging
import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat import datasets
from habitat.batch.demo import load_demo_relocations
from habitat.core.errors import DatasetNotFoundError, InputError
from habitat.homerange import (
    DEFAULT_EXPECTED_AREA_SQ_MI,
    home_range,
    home_ranges_from_polygons,
    plausibility,
    synthetic_ranges,
)
from habitat.io.species import SpeciesProfile

SQ_MI_KM2 = 2.589988110336
SIDE_M = math.sqrt(2.0 * SQ_MI_KM2) * 1000.0  # a square of 2.0 sq mi
FISHER = SpeciesProfile.from_mapping(
    {"name": "fisher", "common_name": "Fisher", "area_sq_mi": {"F": [1, 10], "M": [3, 30]}}
)
NO_PROFILE = "no species profile"
#: UTM 52N in SW Primorsky (inside the bundled study area), UTM 18N in New York
PRIMORYE = ("EPSG:32652", 600_000.0, 4_750_000.0)
NEW_YORK = ("EPSG:32618", 560_000.0, 4_710_000.0)


def square_fixes(where=PRIMORYE, animals=(("F1", "F"),), side_m=SIDE_M) -> gpd.GeoDataFrame:
    """40 fixes per animal on the border and inside a square (MCP = the square)."""
    crs, x0, y0 = where
    t = np.linspace(0.0, 1.0, 9)[:-1]
    border = np.vstack(
        [np.column_stack([t, 0 * t]), np.column_stack([1 + 0 * t, t])]
        + [np.column_stack([1 - t, 1 + 0 * t]), np.column_stack([0 * t, 1 - t])]
    )
    inside = np.random.default_rng(3).uniform(0.1, 0.9, (8, 2))
    unit = np.vstack([border, inside])  # 40 points
    frames = []
    for k, (name, sex) in enumerate(animals):
        xy = unit * side_m + [x0 + k * 3 * side_m, y0]
        frames.append(
            gpd.GeoDataFrame(
                {"individual": name, "sex": sex},
                index=range(len(xy)),
                geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
                crs=crs,
            )
        )
    return pd.concat(frames, ignore_index=True)


def outer(table: pd.DataFrame, individual: str = "F1") -> pd.Series:
    return table.set_index(["individual", "level"]).loc[(individual, 1.0)]


# --- the same range, three profiles ---------------------------------------------------


def test_the_oracle_square_is_two_square_miles():
    row = outer(home_range(square_fixes(), levels=1.0, species=None))
    assert row["area_sq_mi"] == pytest.approx(2.0, rel=1e-9)
    assert row["n_fixes"] == 40


def test_a_two_square_mile_female_is_implausible_for_a_leopard_only():
    fixes = square_fixes()
    leopard = home_range(fixes, levels=1.0, species="amur_leopard")
    row = outer(leopard)
    assert not row["plausible"]
    assert row["plausibility"] == (
        "area 2.0 sq mi outside the expected 15–38 sq mi for Amur leopard females"
    )
    assert leopard.attrs["species"] == "amur_leopard"

    fisher = home_range(fixes, levels=1.0, species=FISHER)
    assert outer(fisher)["plausible"] and outer(fisher)["plausibility"] == ""
    assert fisher.attrs["species"] == "fisher"

    none = home_range(fixes, levels=1.0, species=None)
    assert outer(none)["plausible"] and none.attrs["species"] is None
    # the area itself does not depend on the profile
    assert outer(none)["area_km2"] == outer(leopard)["area_km2"] == outer(fisher)["area_km2"]


def test_profile_given_as_a_mapping_a_file_or_a_name(tmp_path):
    path = tmp_path / "fisher.toml"
    path.write_text(
        'name = "fisher"\ncommon_name = "Fisher"\n[area_sq_mi]\nF = [1, 10]\nM = [3, 30]\n',
        encoding="utf-8",
    )
    fixes = square_fixes(animals=(("F1", "F"), ("M1", "M")))
    as_file = home_range(fixes, levels=1.0, species=str(path))
    as_mapping = home_range(
        fixes, levels=1.0, species={"name": "fisher", "area_sq_mi": {"M": [3, 30]}}
    )
    # the fisher male (2.0 sq mi) is below his 3 sq mi: the reason names the profile
    assert outer(as_file, "M1")["plausibility"].endswith("3–30 sq mi for Fisher males")
    assert outer(as_file, "F1")["plausible"]
    assert outer(as_mapping, "M1")["plausibility"].endswith("for Fisher males")
    with pytest.raises(DatasetNotFoundError, match="amur_leopard"):
        home_range(fixes, levels=1.0, species="amur_leoprad")


# --- "any", unknown sex ----------------------------------------------------------------


def test_any_bounds_every_animal_whatever_its_sex_and_unknown_is_never_f_or_m():
    table = pd.DataFrame(
        {
            "sex": ["unknown", "U", None, "F", "female", "M"],
            "level": 0.95,
            "n_fixes": 500,
            "area_sq_mi": [20.0, 20.0, 20.0, 20.0, 20.0, 20.0],
        }
    )
    only_f = {"F": (1.0, 10.0)}
    ok, why = plausibility(table, expected_area_sq_mi=only_f)
    # F bounds reach the female rows (coded F or female), never an unknown sex
    assert ok.tolist() == [True, True, True, False, False, True]
    anyone = SpeciesProfile(name="tiny", expected_area_sq_mi={"any": (1.0, 10.0)})
    ok, why = plausibility(table, species=anyone)
    assert not ok.any()
    assert why[0] == "area 20.0 sq mi outside the expected 1–10 sq mi for Tiny (any sex)"
    # any and a sex together: both apply to that sex
    both = SpeciesProfile(name="x", expected_area_sq_mi={"any": (1, 100), "M": (30, 40)})
    ok, why = plausibility(table, species=both)
    assert ok.tolist() == [True, True, True, True, True, False]


def test_any_bounds_an_unknown_sex_animal_in_home_range():
    fixes = square_fixes(animals=(("X1", "unknown"),))
    profile = SpeciesProfile(name="big_cat", expected_area_sq_mi={"any": (5.0, None)})
    row = outer(home_range(fixes, levels=1.0, species=profile), "X1")
    assert not row["plausible"]
    assert "outside the expected 5– sq mi for Big cat (any sex)" in row["plausibility"]
    # the leopard profile has no "any": an unknown-sex animal gets no size check
    assert outer(home_range(fixes, levels=1.0, species="amur_leopard"), "X1")["plausible"]


def test_the_size_check_applies_to_outer_ranges_only():
    table = pd.DataFrame(
        {"sex": ["F", "F", "F"], "level": [0.5, 0.899, 0.9], "n_fixes": 500, "area_sq_mi": 2.0}
    )
    assert plausibility(table, species="amur_leopard")[0].tolist() == [True, True, False]


# --- defaults taken from the data --------------------------------------------------------


def test_fixes_in_new_york_get_no_leopard_check_said_once_per_call(caplog):
    animals = (("F1", "F"), ("F2", "F"), ("F3", "F"))
    fixes = square_fixes(NEW_YORK, animals)
    with caplog.at_level(logging.INFO, logger="habitat"):
        out = home_range(fixes, method="kde", levels=0.95)  # one estimator call per animal
    said = [r for r in caplog.records if NO_PROFILE in r.getMessage()]
    assert len(said) == 1  # once per call, not once per animal
    assert [r.getMessage() for r in caplog.records] == [said[0].getMessage()]  # nothing else
    assert "no size check" in said[0].getMessage()
    assert out.attrs["species"] is None
    assert not out["plausibility"].str.contains("expected").any()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="habitat"):
        mcp = home_range(fixes, levels=1.0)
    assert mcp["plausible"].all()  # 2.0 sq mi females: fine without a profile
    assert sum(NO_PROFILE in r.getMessage() for r in caplog.records) == 1


def test_fixes_in_primorsky_still_get_the_leopard_bounds_by_default(caplog):
    with caplog.at_level(logging.INFO, logger="habitat"):
        out = home_range(square_fixes(PRIMORYE), levels=1.0)
    assert not any(NO_PROFILE in r.getMessage() for r in caplog.records)
    assert out.attrs["species"] == "amur_leopard"
    assert "for Amur leopard females" in outer(out)["plausibility"]


def test_demo_leopards_keep_their_verdicts_by_default():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the demo's planted problems
        fixes = load_demo_relocations()
        auto = home_range(fixes, levels=(0.5, 0.95))
        leopard = home_range(fixes, levels=(0.5, 0.95), species="amur_leopard")
        none = home_range(fixes, levels=(0.5, 0.95), species=None)
    assert auto.attrs["species"] == "amur_leopard"
    assert auto["plausible"].tolist() == leopard["plausible"].tolist()
    assert auto["plausibility"].tolist() == leopard["plausibility"].tolist()
    row = auto.set_index(["individual", "level"]).loc[("Leo 1F", 0.95)]
    # the demo reference: Leo 1F's MCP (39.2 sq mi) is above the 15–38 sq mi of a female
    assert row["area_sq_mi"] == pytest.approx(39.1787, abs=1e-3)
    assert row["plausibility"] == (
        "area 39.2 sq mi outside the expected 15–38 sq mi for Amur leopard females"
    )
    assert none.set_index(["individual", "level"]).loc[("Leo 1F", 0.95), "plausible"]


def test_explicit_bounds_win_over_auto_and_not_with_a_profile(caplog):
    fixes = square_fixes(NEW_YORK)
    with caplog.at_level(logging.INFO, logger="habitat"):
        out = home_range(fixes, levels=1.0, expected_area_sq_mi={"F": (5, 10)})
    assert not any(NO_PROFILE in r.getMessage() for r in caplog.records)  # nothing looked up
    assert outer(out)["plausibility"] == "area 2.0 sq mi outside the expected 5–10 sq mi for sex F"
    assert out.attrs["species"] is None
    with pytest.raises(InputError, match="not both"):
        home_range(fixes, levels=1.0, species="amur_leopard", expected_area_sq_mi={"F": (5, 10)})
    with pytest.raises(InputError, match="not both"):
        plausibility(pd.DataFrame(out), species=FISHER, expected_area_sq_mi={"F": (1, 2)})


@pytest.mark.parametrize(
    ("bounds", "match"),
    [
        ({"female": (1, 10)}, "unknown sex 'female'"),
        ({"F": (10, 1)}, "low 10 is above high 1"),
        ({"F": 5}, r"expected \[low, high\]"),
        ([("F", (1, 10))], "must be a mapping"),
    ],
)
def test_wrong_bounds_are_refused_naming_the_key(bounds, match):
    table = pd.DataFrame({"sex": ["F"], "level": [0.95], "n_fixes": [50], "area_sq_mi": [2.0]})
    with pytest.raises(InputError, match=match):
        plausibility(table, expected_area_sq_mi=bounds)


def test_given_and_synthetic_ranges_take_a_species_too(caplog):
    x0, y0 = NEW_YORK[1:]
    drawn = gpd.GeoDataFrame(
        {"individual": ["F1"], "sex": ["F"]},
        geometry=[shapely.box(x0, y0, x0 + SIDE_M, y0 + SIDE_M)],
        crs=NEW_YORK[0],
    )
    with caplog.at_level(logging.INFO, logger="habitat"):
        given = home_ranges_from_polygons(drawn)
    assert given.attrs["species"] is None and bool(given["plausible"].iloc[0])
    assert sum(NO_PROFILE in r.getMessage() for r in caplog.records) == 1
    as_leopard = home_ranges_from_polygons(drawn, species="amur_leopard")
    assert as_leopard.attrs["species"] == "amur_leopard"
    assert "for Amur leopard females" in as_leopard["plausibility"].iloc[0]

    centres = gpd.GeoDataFrame(
        {"individual": ["F1", "M1"], "sex": ["F", "M"]},
        geometry=gpd.points_from_xy([-74.0, -73.9], [42.5, 42.6]),
        crs="EPSG:4326",
    )
    synthetic = synthetic_ranges(centres, seed=1)  # leopard-sized draws, but not in Primorsky
    assert synthetic.attrs["species"] is None and synthetic["plausible"].all()
    small = synthetic_ranges(centres, seed=1, species=FISHER)
    assert not small["plausible"].any()  # 15–155 sq mi draws are far above a fisher's


def test_the_deprecated_leopard_constant_agrees_with_the_bundled_profile():
    leopard = datasets.species_profile("amur_leopard")
    assert leopard is not None
    assert DEFAULT_EXPECTED_AREA_SQ_MI == dict(leopard.expected_area_sq_mi)


def test_a_far_ranging_profile_lifts_the_terrestrial_bound_and_nothing_else() -> None:
    """A 3e6 km² seabird range is beyond any terrestrial range (flagged, with the fix named)
    unless a profile allows it; a profile allowing 1e7 km² does not let 2e7 km² pass."""
    import pandas as pd

    from habitat.homerange.plausibility import plausibility
    from habitat.io.species import SpeciesProfile

    table = pd.DataFrame(
        {"sex": ["U", "U"], "level": [0.95, 0.95], "n_fixes": [900, 900], "area_km2": [3e6, 2e7]}
    )
    table["area_sq_mi"] = table["area_km2"] / 2.589988110336
    ok, why = plausibility(table)
    assert ok.tolist() == [False, False]
    assert "give a species profile whose range sizes allow it" in why[0]
    seabird = SpeciesProfile.from_mapping({"name": "seabird", "area_km2": {"any": [1e3, 1e7]}})
    ok, why = plausibility(table, species=seabird)
    assert ok.tolist() == [True, False]
    assert "above 1e+07 km²" in why[1] and "allowed" not in why[1]

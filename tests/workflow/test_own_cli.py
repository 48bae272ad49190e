"""The analyst's workflow on the command line: ``habitat report`` / ``habitat layers`` on own files.

A new user's commands, as the README shows them: their layers given one by one
(``--layer ROLE=PATH[:NAME_COLUMN]``, ``--land-cover``), or as a study-area
file (``--study-area``), their species (``--species FILE``), or nothing at all
for data outside the bundled area. Every report folder is searched for the
bundled area's words (Leopard, Primorsky, Kedrovaya, China, Border...).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from habitat.cli import cli

from .conftest import bundled_words_in, visible_text


def run(*args: object) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    return result


def fisher_report(own: dict[str, Path], out: Path, *options: object) -> pd.DataFrame:
    run(
        "report",
        own["fishers"],
        "--reference",
        own["fishers_reference"],
        "--out",
        out,
        "--no-area-curve",
        *options,
    )
    return pd.read_csv(out / "metrics.csv")


def test_report_help_says_how_to_give_own_layers_and_species():
    text = run("report", "--help").output
    for flag in ("--layer", "--land-cover", "--study-area", "--no-bundled-layers", "--species"):
        assert flag in text, flag
    assert "ROLE=PATH" in text


def test_report_with_own_layers_one_by_one(own, tmp_path):
    metrics = fisher_report(
        own,
        tmp_path / "report",
        "--layer",
        f"protected_areas={own['parks']}:PARK_NAME",
        "--layer",
        f"admin_units={own['counties']}:COUNTY",
        "--layer",
        f"roads={own['roads']}",
        "--land-cover",
        own["cover"],
        "--land-cover-classes",
        own["cover_classes"],
        "--species",
        own["fisher_profile"],
    )
    assert set(metrics["individual"]) == {"F01", "F02", "M01"}
    assert metrics["plausible"].all()  # judged as fishers
    columns = set(metrics.columns)
    assert {
        "share_pa_hemlock_ridge_state_forest",
        "share_pa_cold_brook_preserve",
        "share_admin_tamarack_county",
        "share_admin_black_river_county",
    } <= columns, sorted(columns)
    # F01 lives around (8, 10) km: inside Hemlock Ridge and Tamarack County
    f01 = metrics[(metrics["individual"] == "F01")].iloc[0]
    assert f01["share_pa_hemlock_ridge_state_forest"] > 0.9
    assert f01["share_admin_tamarack_county"] > 0.9
    assert bundled_words_in(tmp_path / "report") == {}
    assert "Fisher" in visible_text(tmp_path / "report" / "index.html")
    # the land cover's own class names (cover_classes.csv); F01's range is all deciduous
    (deciduous,) = [c for c in metrics.columns if "deciduous_forest" in c.lower()]
    assert f01[deciduous] == pytest.approx(1.0)


@pytest.fixture(scope="module")
def study_area_report(own, tmp_path_factory):
    """``habitat report fishers.csv --study-area study_area.toml``: the folder."""
    folder = tmp_path_factory.mktemp("cli_study_area") / "report"
    fisher_report(own, folder, "--study-area", own["study_area"])
    return folder


def test_report_with_a_study_area_file(study_area_report):
    metrics = pd.read_csv(study_area_report / "metrics.csv")
    zones = [c for c in metrics.columns if c.startswith("share_zone_")]
    assert len(zones) == 2 and all("hemlock_ridge_state_forest" in c for c in zones), zones
    assert {"share_admin_tamarack_county", "share_admin_black_river_county"} <= set(metrics.columns)
    assert metrics["plausible"].all()  # the study area's own species: fisher.toml
    assert bundled_words_in(study_area_report) == {}
    assert "Hemlock Ridge fishers" in visible_text(study_area_report / "index.html")


def test_report_pages_name_the_users_areas(study_area_report):
    page = visible_text(study_area_report / "pages" / "F01.html")
    for name in ("Hemlock Ridge State Forest", "Tamarack County"):  # F01 lies wholly in both
        assert re.search(rf"{name}( \([^)]*\))?:? 100(\.0)? ?%?", page), (name, page[:2000])
    assert "Wilderness" in page and "Intensive Use" in page
    assert "schematic" not in page


def test_report_pages_name_land_cover_classes_as_written(study_area_report):
    page = visible_text(study_area_report / "pages" / "F01.html")
    for name in ("Deciduous forest", "Pasture/hay", "Open water"):  # study_area.toml classes
        assert name in page, name


def test_report_without_bundled_layers_or_profile(own, tmp_path):
    metrics = fisher_report(own, tmp_path / "report", "--no-bundled-layers")
    assert not [c for c in metrics.columns if c.startswith(("share_pa_", "share_admin_"))]
    assert bundled_words_in(tmp_path / "report") == {}
    assert metrics["plausible"].all()  # no profile: no size check


def test_report_of_fishers_with_the_leopard_profile_says_not_plausible(own, tmp_path):
    metrics = fisher_report(
        own, tmp_path / "report", "--no-bundled-layers", "--species", "amur_leopard"
    )
    by = metrics.set_index("individual")
    assert not by.loc["F01", "plausible"] and not by.loc["F02", "plausible"]


def test_seabirds_are_not_speed_flagged_without_a_profile(own, albatrosses, tmp_path):
    said = run("report", own["albatrosses"], "--out", tmp_path / "free", "--no-area-curve").output
    # no bundled layers and no profile: each said once in the log, and on the index page
    assert said.lower().count("no bundled layers") == 1, said
    assert said.lower().count("no species profile") == 1, said
    assert "no species profile" in visible_text(tmp_path / "free" / "index.html").lower()
    free = pd.read_csv(tmp_path / "free" / "metrics.csv").set_index("individual")
    assert bundled_words_in(tmp_path / "free") == {}
    all_fixes = albatrosses.groupby("individual").size()
    assert (free.loc[all_fixes.index, "n_fixes"] == all_fixes).all()

    # a 50 km/h limit flags some of the fixes (those both reached and left faster)
    fifty = tmp_path / "fifty.toml"
    fifty.write_text('name = "fast_bird"\nmax_speed_kmh = 50\n', encoding="utf-8")
    run("report", own["albatrosses"], "--out", tmp_path / "fifty", "--no-area-curve",
        "--species", fifty)  # fmt: skip
    limited = pd.read_csv(tmp_path / "fifty" / "metrics.csv").set_index("individual")
    assert (limited.loc[all_fixes.index, "n_fixes"] < all_fixes).all()

    # the leopard's 20 km/h flags nearly every fix: too few are left to estimate a range
    result = CliRunner().invoke(
        cli,
        ["report", str(own["albatrosses"]), "--out", str(tmp_path / "leopard"),
         "--no-area-curve", "--species", "amur_leopard"],
    )  # fmt: skip
    assert result.exit_code == 3, result.output
    failures = pd.read_csv(tmp_path / "leopard" / "failures.csv")
    assert set(failures["individual"]) == set(all_fixes.index)
    assert failures["message"].str.contains("flagged").all()


def test_layers_lists_the_own_study_area(own):
    rows = json.loads(run("layers", "--study-area", own["study_area"], "--json").stdout)
    text = json.dumps(rows)
    assert "land_of_the_leopard" not in text and "Leopard" not in text
    areas = sorted(r["area_km2"] for r in rows if r.get("area_km2") is not None)
    # parks 48 + 32 + 64 + 30 = 174 km² and counties 2 x 360 km² on the grid
    assert any(abs(a - 174) / 174 < 2e-3 for a in areas), areas
    assert any(abs(a - 720) / 720 < 2e-3 for a in areas), areas


@pytest.mark.parametrize("bad", ["parcs=parks.gpkg", "parks.gpkg"])
def test_a_wrong_layer_option_says_how_to_write_it(own, tmp_path, bad):
    result = CliRunner().invoke(
        cli, ["report", str(own["fishers"]), "--out", str(tmp_path / "r"), "--layer", bad]
    )
    assert result.exit_code != 0
    assert "ROLE=PATH" in result.output or "parks" in result.output
    assert "Traceback" not in result.output

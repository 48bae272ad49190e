"""Report re-runs notice changed input: fingerprints of fixes and options, reuse only the identical.

The oracle of every re-run is a report written from scratch into an empty
folder (or the library functions on the same fixes): a re-run into an
existing report folder must give the same tables, whatever it reused.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat import datasets
from habitat.batch.demo import load_demo_relocations
from habitat.batch.runner import MANIFEST, WORK, ReportOptions, read_report_input, run_report
from habitat.homerange import home_range

ANIMALS = ["Leo 1F", "Leo 2F", "Leo 6M"]
FAST = ReportOptions(area_curve=False, methods=("mcp",), levels=(0.5, 0.95))
#: two protected areas are enough to check reuse (and twice as fast as every layer)
LAYERS = {
    k: v for k, v in datasets.layers().items() if k in ("land_of_the_leopard", "kedrovaya_pad")
}


@pytest.fixture(scope="module")
def fixes() -> gpd.GeoDataFrame:
    demo = load_demo_relocations()
    demo = demo[demo["individual"].isin(ANIMALS)]
    return demo.iloc[::3].copy()  # a third of the fixes: the same animals, faster


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, fixes: gpd.GeoDataFrame) -> Path:
    out = tmp_path_factory.mktemp("rerun") / "base"
    result = run_report(fixes, out, options=FAST, land_cover=None, layers=LAYERS, progress=False)
    assert result.ok and sorted(result.recomputed) == ANIMALS and result.reused == []
    return out


def _copy(base: Path, tmp_path: Path) -> Path:
    out = tmp_path / "again"
    shutil.copytree(base, out)
    return out


def _rerun(data, out, options=FAST):
    lines: list[str] = []
    result = run_report(
        data, out, options=options, land_cover=None, layers=LAYERS, progress=lines.append
    )
    return result, "\n".join(lines)


def _metrics(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "metrics.csv").set_index("individual")


def _page_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "pages").glob("*.html"))}


def test_identical_rerun_reuses_everything(base, fixes, tmp_path):
    out = _copy(base, tmp_path)
    pages = _page_bytes(out)
    result, text = _rerun(fixes, out)
    assert result.reused == ANIMALS and result.recomputed == {} and result.removed == []
    assert sorted(result.skipped) == ANIMALS
    assert _page_bytes(out) == pages  # not even redrawn
    assert "3 reused" in text and "recomputed" not in text
    pd.testing.assert_frame_equal(_metrics(out), _metrics(base))


def test_changed_fixes_recompute_that_animal_only(base, fixes, tmp_path):
    out = _copy(base, tmp_path)
    changed = fixes.drop(fixes.index[fixes["individual"] == "Leo 2F"][:40])
    result, text = _rerun(changed, out)
    assert result.reused == ["Leo 1F", "Leo 6M"]
    assert list(result.recomputed) == ["Leo 2F"]
    assert "fixes changed" in result.recomputed["Leo 2F"]
    assert "2 reused" in text and "1 recomputed because its fixes changed" in text
    # metrics.csv holds the new fix count and area: those of home_range on the new fixes
    got = _metrics(out)
    mine = changed[changed["individual"] == "Leo 2F"]
    assert got.loc["Leo 2F", "n_fixes"] == int((~mine["flag_any"]).sum())
    assert got.loc["Leo 2F", "n_fixes"] == _metrics(base).loc["Leo 2F", "n_fixes"] - 40 + int(
        fixes[fixes["individual"] == "Leo 2F"].iloc[:40]["flag_any"].sum()
    )
    alone = home_range(mine, method="mcp", levels=[0.95])
    np.testing.assert_allclose(got.loc["Leo 2F", "area_km2"], alone["area_km2"].iloc[0], rtol=1e-12)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["animals"]["Leo 2F"]["n_fixes"] == got.loc["Leo 2F", "n_fixes"]


def test_one_moved_fix_is_a_change_of_positions(base, fixes, tmp_path):
    out = _copy(base, tmp_path)
    moved = fixes.copy()
    row = moved.index[(moved["individual"] == "Leo 6M") & ~moved["flag_any"]][10]
    p = moved.loc[row, "geometry"]
    moved.loc[row, "geometry"] = shapely.Point(p.x + 0.001, p.y)  # about 80 m
    result, _ = _rerun(moved, out)
    assert result.recomputed == {"Leo 6M": "its fixes changed (positions)"}
    assert result.reused == ["Leo 1F", "Leo 2F"]


def test_flags_are_counted_and_a_changed_flag_recomputes(base, fixes, tmp_path):
    before = _metrics(base)
    for ind in ANIMALS:  # counts add up to the animal's rows in the input
        mine = fixes[fixes["individual"] == ind]
        assert before.loc[ind, "n_fixes"] + before.loc[ind, "n_fixes_excluded"] == len(mine)
        assert before.loc[ind, "n_fixes_flagged"] == int(mine["flag_any"].sum())
    out = _copy(base, tmp_path)
    flagged = fixes.copy()
    rows = flagged.index[(flagged["individual"] == "Leo 1F") & ~flagged["flag_any"]][:7]
    flagged.loc[rows, "flag_any"] = True
    result, _ = _rerun(flagged, out)
    assert result.recomputed == {"Leo 1F": "its fixes changed (flags)"}
    after = _metrics(out)
    assert after.loc["Leo 1F", "n_fixes"] == before.loc["Leo 1F", "n_fixes"] - 7
    assert after.loc["Leo 1F", "n_fixes_flagged"] == before.loc["Leo 1F", "n_fixes_flagged"] + 7
    page = (out / "pages" / "Leo_1F.html").read_text(encoding="utf-8")
    n = int(after.loc["Leo 1F", "n_fixes_flagged"])
    assert f"<dt>Fixes left out</dt><dd>{n} flagged (see flag_reason in the data)</dd>" in page
    assert f"<dt>Fixes used</dt><dd>{int(after.loc['Leo 1F', 'n_fixes']):,}</dd>" in page


def test_changed_method_or_levels_recompute_everything(base, fixes, tmp_path):
    out = _copy(base, tmp_path)
    kde = ReportOptions(
        area_curve=False,
        methods=("kde",),
        levels=(0.5, 0.9),
        level=0.9,
        method_options={"kde": {"bandwidth": "href", "grid": 60}},
    )
    result, text = _rerun(fixes, out, kde)
    assert result.ok, result.failures  # 0.1 failed: "no ranges at level 0.95; levels present: []"
    assert result.reused == [] and sorted(result.recomputed) == ANIMALS
    why = result.recomputed["Leo 1F"]
    assert "options changed" in why and "methods" in why and "levels" in why
    ranges = gpd.read_file(out / "ranges.gpkg", layer="ranges")
    assert set(ranges["method"]) == {"kde"} and set(ranges["level"]) == {0.5, 0.9}
    got = _metrics(out)
    assert set(got["method"]) == {"kde"} and set(got["level"]) == {0.9}
    assert result.skipped == []  # every page shows the new method


def test_rerun_equals_a_fresh_report_after_changes_and_a_removed_animal(base, fixes, tmp_path):
    out = _copy(base, tmp_path)
    changed = fixes[fixes["individual"] != "Leo 6M"].copy()
    shift = changed["individual"] == "Leo 2F"  # moved about 3 km east: overlaps change
    changed.loc[shift, "geometry"] = shapely.transform(
        changed.loc[shift, "geometry"].to_numpy(), lambda xy: xy + [0.04, 0.0]
    )
    result, text = _rerun(changed, out)
    assert result.removed == ["Leo 6M"] and "1 removed (no longer in the input): Leo 6M" in text
    assert list(result.recomputed) == ["Leo 2F"] and result.reused == ["Leo 1F"]
    fresh = tmp_path / "fresh"
    run_report(changed, fresh, options=FAST, land_cover=None, layers=LAYERS, progress=False)
    for name in ("metrics.csv", "overlaps.csv", "failures.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(out / name), pd.read_csv(fresh / name))
    for name in ("metrics.parquet",):
        pd.testing.assert_frame_equal(gpd.read_parquet(out / name), gpd.read_parquet(fresh / name))
    a = gpd.read_file(out / "ranges.gpkg", layer="ranges")
    b = gpd.read_file(fresh / "ranges.gpkg", layer="ranges")
    pd.testing.assert_frame_equal(a, b)
    # the removed animal is gone from every output
    assert sorted(p.name for p in (out / "pages").iterdir()) == sorted(
        p.name for p in (fresh / "pages").iterdir()
    )
    assert not (out / "pages" / "Leo_6M.html").exists() and not (out / "pages" / "Leo_6M").exists()
    assert not (out / WORK / "Leo_6M").exists()
    assert "Leo 6M" not in (out / "index.html").read_text(encoding="utf-8")
    for page in (out / "pages").glob("*.html"):  # not a neighbour, not a link
        assert "Leo 6M" not in page.read_text(encoding="utf-8")
    overlaps = pd.read_csv(out / "overlaps.csv")
    assert "Leo 6M" not in set(overlaps.get("individual_a", [])) | set(
        overlaps.get("individual_b", [])
    )
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["animals"]) == ["Leo 1F", "Leo 2F"]


def test_an_animal_that_fails_now_leaves_no_old_output(base, fixes, tmp_path):
    out = _copy(base, tmp_path)
    few = pd.concat(
        [
            fixes[fixes["individual"] != "Leo 6M"],
            fixes[(fixes["individual"] == "Leo 6M") & ~fixes["flag_any"]].iloc[:3],
        ]
    )
    result, _ = _rerun(gpd.GeoDataFrame(few, crs=fixes.crs), out)
    assert list(result.failures["individual"]) == ["Leo 6M"]
    assert "Leo 6M" not in _metrics(out).index
    assert not (out / "pages" / "Leo_6M.html").exists() and not (out / "pages" / "Leo_6M").exists()
    assert not list((out / WORK).glob("Leo_6M/*.parquet"))
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["animals"]["Leo 6M"]["status"] == "failed"
    # back to the first fixes: the animal is estimated again, the others reused
    again, _ = _rerun(fixes, out)
    assert again.ok and list(again.recomputed) == ["Leo 6M"]
    assert again.recomputed["Leo 6M"].startswith("its fixes changed")


def test_a_page_whose_neighbour_changed_is_redrawn(base, fixes, tmp_path):
    out = _copy(base, tmp_path)
    overlaps = pd.read_csv(base / "overlaps.csv")
    pairs = set(zip(overlaps["individual_a"], overlaps["individual_b"], strict=True))
    changed = fixes.drop(fixes.index[fixes["individual"] == "Leo 6M"][:30])
    result, _ = _rerun(changed, out)
    assert list(result.recomputed) == ["Leo 6M"]
    neighbours = {a for a, b in pairs if b == "Leo 6M"} | {b for a, b in pairs if a == "Leo 6M"}
    assert neighbours  # the male's range overlaps a female's in the demo
    # a page is reused only when everything it shows is unchanged: the overlap with
    # the male changed, so the pages of its neighbours are redrawn
    assert set(result.skipped) == set(ANIMALS) - neighbours - {"Leo 6M"}


@pytest.mark.slow
def test_a_stale_cache_is_never_reused(base, fixes, tmp_path):
    """A cache of other fixes (an earlier run in this folder) is deleted, not read."""
    out = _copy(base, tmp_path)
    caches = sorted((out / WORK).glob("*/*.parquet"))
    assert len(caches) == 3 and all(len(p.stem) == 64 for p in caches)
    # a run killed after caching new estimates for Leo 2F leaves that cache behind
    changed = fixes.drop(fixes.index[fixes["individual"] == "Leo 2F"][:40])
    _rerun(changed, out)
    assert len(list((out / WORK).glob("Leo_2F/*.parquet"))) == 1
    again, _ = _rerun(fixes, out)  # the first fixes again: recomputed, not a stale cache
    assert list(again.recomputed) == ["Leo 2F"]
    pd.testing.assert_frame_equal(_metrics(out), _metrics(base))


@pytest.mark.slow
def test_overwrite_recomputes_and_says_why(base, fixes, tmp_path):
    out = _copy(base, tmp_path)
    result = run_report(
        fixes, out, options=FAST, land_cover=None, layers=LAYERS, overwrite=True, progress=False
    )
    assert result.reused == [] and set(result.recomputed.values()) == {"overwrite was asked for"}
    pd.testing.assert_frame_equal(_metrics(out), _metrics(base))


@pytest.mark.slow
def test_cli_rerun_after_the_input_file_and_the_method_changed(tmp_path):
    """The issue's case: an edited input file, then another method, into the same folder."""
    from click.testing import CliRunner

    from habitat.cli import cli

    source = Path(__file__).resolve().parents[2] / "data" / "relocations" / "demo_leopards.csv"
    table = pd.read_csv(source)
    ids = table["individual-local-identifier"]
    table = table[ids.isin(ANIMALS)].iloc[::4]
    csv = tmp_path / "fixes.csv"
    table.to_csv(csv, index=False)
    out = tmp_path / "rep"
    args = ["report", str(csv), "--out", str(out), "--no-area-curve"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    n_before = _metrics(out)["n_fixes"]

    gone = table.index[table["individual-local-identifier"] == "Leo 2F"][:50]
    table.drop(gone).to_csv(csv, index=False)
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert "2 reused; 1 recomputed because its fixes changed" in second.output
    n_after = _metrics(out)["n_fixes"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = read_report_input(csv)
    mine = read[read["individual"] == "Leo 2F"]
    assert n_after["Leo 2F"] == int((~mine["flag_any"]).sum()) < n_before["Leo 2F"]
    assert (n_after.drop("Leo 2F") == n_before.drop("Leo 2F")).all()

    third = CliRunner().invoke(cli, [*args, "--method", "kde"])
    assert third.exit_code == 0, third.output  # 0.1: "no ranges at level 0.95; levels present: []"
    assert "3 recomputed because the options changed (methods)" in third.output
    assert set(_metrics(out)["method"]) == {"kde"}


def test_ids_follow_the_read_time_rule_in_a_report(tmp_path):
    """'Leo 1F ' is Leo 1F (with a warning), as home_range says, not a second animal."""
    from habitat.core.errors import DataQualityWarning

    demo = load_demo_relocations()
    two = demo[demo["individual"].isin(["Leo 1F", "Leo 2F"])].copy()
    first = two.index[two["individual"] == "Leo 1F"][:100]
    two.loc[first, "individual"] = "Leo 1F "
    with pytest.warns(DataQualityWarning, match="Leo 1F"):
        result = run_report(
            two, tmp_path / "r", options=FAST, land_cover=None, layers=LAYERS, progress=False
        )
    assert result.ok
    assert sorted(_metrics(tmp_path / "r").index) == ["Leo 1F", "Leo 2F"]

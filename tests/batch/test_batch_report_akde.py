"""AKDE in the batch report: the movement model fitted once, the variogram, the intervals.

Oracles: the range rows ``home_range`` wrote (the model the range was
estimated from is the one the page shows: same name, same timescales), the
PNG signature of the figures, ``home_range`` itself on the same fixes, and a
report written from scratch (a re-run reuses only what is identical).
"""

from __future__ import annotations

import json
import pickle
import re
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import habitat
from habitat import datasets
from habitat.batch.akde import model_to_dict, read_movement
from habitat.batch.runner import WORK, ReportOptions, run_report
from habitat.homerange import estimation_crs, home_range

PNG = b"\x89PNG\r\n\x1a\n"
#: OU and OUF, anisotropic: 6 and 7 fixes at least, so a 5-fix animal fails the fit alone
MODELS = ("OU anisotropic", "OUF anisotropic")
AKDE = ReportOptions(
    methods=("akde",),
    levels=(0.5, 0.95),
    area_curve=False,
    method_options={"akde": {"models": MODELS}},
)
LAYERS = {k: v for k, v in datasets.layers().items() if k == "land_of_the_leopard"}
GOOD = ["F01", "M01"]
BAD = "F99"


def _run(data: gpd.GeoDataFrame, out: Path, options: ReportOptions = AKDE, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_report(
            data, out, options=options, land_cover=None, layers=LAYERS, progress=False, **kw
        )


@pytest.fixture(scope="module")
def fixes() -> gpd.GeoDataFrame:
    """Two simulated leopards (45 days of 4-hourly fixes) and one with 5 fixes."""
    sim, _ = habitat.simulate_relocations(n_females=1, n_males=1, days=45, seed=7)
    bad = sim[sim["individual"] == "F01"].iloc[:5].assign(individual=BAD)
    return gpd.GeoDataFrame(pd.concat([sim, bad], ignore_index=True), crs=sim.crs)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, fixes: gpd.GeoDataFrame):
    out = tmp_path_factory.mktemp("akde") / "rep"
    return out, _run(fixes, out)


def _page(out: Path, individual: str) -> str:
    return (out / "pages" / f"{individual}.html").read_text(encoding="utf-8")


def _undated(page: str) -> str:
    """A page without the time it was made (``YYYY-MM-DD HH:MM UTC``)."""
    undated, n = re.subn(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "<made>", page)
    assert n == 1  # the footer's, once
    return undated


def _cached_model(out: Path, individual: str):
    (path,) = (out / WORK / individual).glob("*.movement.json")
    return read_movement(path)


def test_the_animal_with_too_few_fixes_fails_alone(report):
    out, result = report
    assert sorted(result.pages) == GOOD
    assert result.failures["individual"].tolist() == [BAD]
    row = result.failures.iloc[0]
    assert row["stage"] == "estimate" and row["error"] == "InsufficientDataError"
    assert "fixes" in row["message"]
    assert not (out / "pages" / f"{BAD}.html").exists()
    assert not (out / "pages" / BAD / "variogram.png").exists()


def test_an_animal_with_duplicate_timestamps_fails_alone(report, fixes, tmp_path):
    """Two fixes of one animal at one instant, no location error: that animal fails, named."""
    base, _ = report
    out = tmp_path / "dup"
    shutil.copytree(base, out)
    dup = fixes[fixes["individual"] == "M01"].assign(individual="D01").reset_index(drop=True)
    dup.loc[50, "timestamp"] = dup.loc[49, "timestamp"]
    data = gpd.GeoDataFrame(pd.concat([fixes, dup], ignore_index=True), crs=fixes.crs)
    result = _run(data, out)
    assert sorted(result.pages) == GOOD and sorted(result.reused) == GOOD
    failed = result.failures.set_index("individual")
    assert sorted(failed.index) == ["D01", BAD]
    row = failed.loc["D01"]
    assert row["stage"] == "estimate" and row["error"] == "TimestampError"
    assert "1 duplicate timestamp" in row["message"] and "error_m > 0" in row["message"]
    # named by the user's table (its index labels), not by positions among D01's fixes
    labels = data.index[data["individual"] == "D01"][[49, 50]].tolist()
    assert f"index labels {labels[0]}, {labels[1]}" in row["message"]
    assert not (out / "pages" / "D01.html").exists()
    csv = pd.read_csv(out / "failures.csv")
    assert csv.loc[csv["individual"] == "D01", "error"].tolist() == ["TimestampError"]


def test_location_error_options_reach_the_movement_fit(fixes, tmp_path):
    """error_m='gps' and a column of per-fix errors: resolved as home_range resolves them."""
    good = fixes[fixes["individual"].isin(GOOD)]
    opts = ReportOptions(
        methods=("akde",),
        levels=(0.95,),
        area_curve=False,
        method_options={"akde": {"models": MODELS, "error_m": "gps"}},
    )
    result = _run(good, tmp_path / "gps", options=opts)
    assert sorted(result.pages) == GOOD and result.failures.empty
    model, _ = _cached_model(tmp_path / "gps", "M01")
    assert model.error_m == pytest.approx(10.0 / np.sqrt(2.0))  # GPS default, no HDOP column
    ranges = gpd.read_file(tmp_path / "gps" / "ranges.gpkg", layer="ranges")
    assert set(ranges["location_error"]) == {"gps default (UERE 10 m × HDOP 1: no HDOP column)"}
    column = good.assign(err=np.where(good["individual"] == "M01", 25.0, 5.0))
    opts = ReportOptions(
        methods=("akde",),
        levels=(0.95,),
        area_curve=False,
        method_options={"akde": {"models": MODELS, "error_m": "err"}},
    )
    _run(column, tmp_path / "col", options=opts)
    assert _cached_model(tmp_path / "col", "M01")[0].error_m == pytest.approx(25.0)
    assert _cached_model(tmp_path / "col", "F01")[0].error_m == pytest.approx(5.0)


def test_pages_show_the_model_the_range_was_estimated_from(report):
    out, _ = report
    ranges = gpd.read_file(out / "ranges.gpkg", layer="ranges")
    for ind in GOOD:
        model, vario = _cached_model(out, ind)
        rows = ranges[ranges["individual"] == ind]
        assert len(rows) == 2 and (rows["method"] == "akde").all()
        # fitted once: the range's model and timescales are the page's, exactly
        assert (rows["model"] == model.label).all()
        np.testing.assert_array_equal(rows["tau_position_s"], model.tau_position_s)
        np.testing.assert_array_equal(rows["tau_velocity_s"], model.tau_velocity_s)
        np.testing.assert_array_equal(rows["dof_area"], model.dof_area)
        assert model.name in ("OU", "OUF") and not model.isotropic  # the models= option
        assert (rows["ci_level"] == 0.95).all()
        html = _page(out, ind)
        assert model.label in html
        assert f'src="{ind}/variogram.png"' in html
        assert html.count("variogram.png") == 1  # not also among the other figures
        png = (out / "pages" / ind / "variogram.png").read_bytes()
        assert png.startswith(PNG)
        # the variogram of the usable fixes: lag 0 first, then the median interval (4 h)
        assert vario["lag_s"].iloc[0] == 0.0
        assert vario["lag_s"].iloc[1] == pytest.approx(4 * 3600.0)
        np.testing.assert_allclose(
            vario["model_semivariance_m2"], model.semivariance_m2(vario["lag_s"].to_numpy())
        )


def test_report_ranges_equal_home_range_with_the_same_model(report, fixes):
    out, _ = report
    one = fixes[fixes["individual"] == "M01"]
    model, _ = _cached_model(out, "M01")
    est = one.to_crs(estimation_crs(one))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = home_range(
            est, method="akde", levels=(0.5, 0.95), model={"M01": model}, species=None
        )
        fitted = home_range(est, method="akde", levels=(0.5, 0.95), models=MODELS, species=None)
    ranges = gpd.read_file(out / "ranges.gpkg", layer="ranges")
    mine = ranges[ranges["individual"] == "M01"].sort_values("level")
    np.testing.assert_allclose(mine["area_km2"], direct["area_km2"], rtol=1e-9)
    np.testing.assert_allclose(mine["area_high_km2"], direct["area_high_km2"], rtol=1e-9)
    # and the model the report fitted is the one home_range fits itself
    assert fitted["model"].iloc[0] == model.label
    np.testing.assert_allclose(mine["area_km2"], fitted["area_km2"], rtol=1e-6)


def test_index_compares_the_animals_with_intervals(report):
    out, _ = report
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'src="area_intervals.png"' in html
    assert (out / "area_intervals.png").read_bytes().startswith(PNG)
    metrics = pd.read_csv(out / "metrics.csv")
    ranges = gpd.read_file(out / "ranges.gpkg", layer="ranges")
    top = ranges[ranges["level"] == 0.95].set_index("individual")
    for col in ("area_low_km2", "area_high_km2", "dof_area", "model"):
        assert col in metrics.columns
    low = metrics.set_index("individual")["area_low_km2"]
    np.testing.assert_allclose(low.loc[GOOD], top.loc[GOOD, "area_low_km2"], rtol=1e-12)
    assert (metrics["area_low_km2"] < metrics["area_km2"]).all()
    assert (metrics["area_km2"] < metrics["area_high_km2"]).all()


def test_rerun_skips_unchanged_pages_and_a_changed_option_redraws(report, fixes, tmp_path):
    base, _ = report
    out = tmp_path / "again"
    shutil.copytree(base, out)
    again = _run(fixes, out)
    assert again.skipped == GOOD and sorted(again.reused) == GOOD
    assert (out / "area_intervals.png").exists()
    assert _page(out, "F01") == _page(base, "F01")
    # a changed interval level: the estimates and the pages are made again
    opts = ReportOptions(
        methods=("akde",),
        levels=(0.5, 0.95),
        area_curve=False,
        method_options={"akde": {"models": MODELS, "ci_level": 0.9}},
    )
    changed = _run(fixes, out, options=opts)
    assert changed.skipped == [] and sorted(changed.recomputed) == GOOD
    html = _page(out, "F01")
    assert html != _page(base, "F01") and "90 %" in html
    ranges = gpd.read_file(out / "ranges.gpkg", layer="ranges")
    assert (ranges["ci_level"] == 0.9).all()
    # one cache per animal: the movement model of the earlier options is gone
    assert len(list((out / WORK / "F01").glob("*.movement.json"))) == 1


def test_mcp_only_writes_no_variogram_and_no_interval_figure(report, fixes, tmp_path):
    base, _ = report
    out = tmp_path / "mcp"
    shutil.copytree(base, out)  # an AKDE report's folder: its AKDE figures must go
    opts = ReportOptions(methods=("mcp",), levels=(0.5, 0.95), area_curve=False)
    result = _run(fixes[fixes["individual"] != BAD], out, options=opts)
    assert result.ok and sorted(result.pages) == GOOD
    for ind in GOOD:
        assert not (out / "pages" / ind / "variogram.png").exists()
        assert "variogram" not in _page(out, ind)
        assert not list((out / WORK / ind).glob("*.movement.json"))
    assert not (out / "area_intervals.png").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "area_intervals.png" not in index
    assert "area_low_km2" not in pd.read_csv(out / "metrics.csv").columns


def test_the_model_crosses_process_and_file_boundaries(report):
    """Page tasks run in worker processes (pickle) and models are cached as JSON: both exact."""
    out, _ = report
    model, vario = _cached_model(out, "F01")
    back = pickle.loads(pickle.dumps(model))
    assert json.dumps(model_to_dict(back)) == json.dumps(model_to_dict(model))
    assert back.crs.equals(model.crs) and back.label == model.label
    np.testing.assert_array_equal(back.covariance, model.covariance)
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(vario)), vario)


def test_an_unreadable_cached_model_is_estimated_again(report, fixes, tmp_path):
    base, _ = report
    out = tmp_path / "broken"
    shutil.copytree(base, out)
    (path,) = (out / WORK / "F01").glob("*.movement.json")
    path.write_text("{not json", encoding="utf-8")
    again = _run(fixes, out)
    assert sorted(again.pages) == GOOD and again.reused == ["M01"]
    assert "F01" in again.recomputed
    model, _ = _cached_model(out, "F01")
    assert model.label in _page(out, "F01")


@pytest.mark.slow
def test_two_workers_give_the_same_pages(report, fixes, tmp_path):
    """Estimates and pages in worker processes: the model and variogram cross by pickle."""
    base, _ = report
    two = _run(fixes, tmp_path / "two", workers=2)
    assert sorted(two.pages) == GOOD and two.failures["individual"].tolist() == [BAD]
    for ind in GOOD:  # the same page but for the minute it was made
        assert _undated(_page(tmp_path / "two", ind)) == _undated(_page(base, ind))
        assert (tmp_path / "two" / "pages" / ind / "variogram.png").exists()

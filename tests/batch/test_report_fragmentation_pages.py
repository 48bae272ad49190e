"""Fragmentation in a report of demo animals: pages, index, CSV and re-runs, with the real metrics.

The oracle of the numbers is :func:`habitat.landscape.landscape_metrics` run
directly on the report's own ranges (``ranges.gpkg``) and the bundled land
cover: the report must show and write exactly those numbers, for the
reported animals and every protected area and zone.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from habitat import datasets
from habitat.batch import fragmentation as batch_fragmentation
from habitat.batch.demo import load_demo_relocations
from habitat.batch.fragmentation import FRAGMENTATION_CACHE, ZONE_KIND, area_zones
from habitat.batch.runner import MANIFEST, WORK, ReportOptions, run_report
from habitat.core.errors import DataQualityWarning, InputError
from habitat.core.tables import LANDSCAPE_METRICS
from habitat.landscape.metrics import landscape_metrics
from habitat.report.pages import FRAGMENTATION_LANDSCAPE_METRICS, fmt_number, metric_heading

ANIMALS = ["Leo 1F", "Leo 3F", "Leo 6M"]
FAST = ReportOptions(area_curve=False, methods=("mcp",), levels=(0.95,))


@pytest.fixture(scope="module")
def fixes() -> gpd.GeoDataFrame:
    demo = load_demo_relocations()
    return demo[demo["individual"].isin(ANIMALS)].iloc[::2].copy()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, fixes: gpd.GeoDataFrame):
    out = tmp_path_factory.mktemp("frag") / "report"
    lines: list[str] = []
    result = run_report(fixes, out, options=FAST, progress=lines.append)
    assert result.ok
    return result, lines


@pytest.fixture(scope="module")
def oracle(report) -> pd.DataFrame:
    """landscape_metrics on the report's own reported ranges, called directly."""
    result, _ = report
    ranges = gpd.read_file(result.files["ranges"], layer="ranges")
    ranges = ranges[(ranges["method"] == "mcp") & np.isclose(ranges["level"], 0.95)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return landscape_metrics(
            datasets.primorsky().land_cover,
            zones=ranges[["individual", "geometry"]],
            zone_id="individual",
            level=("landscape", "class"),
        )


def _cells(page: str, table_id: str) -> list[list[str]]:
    """Text of every body row's cells of one table (unescaped)."""
    body = re.search(rf'<table id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert body, table_id
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
        for r in rows
    ]


def test_the_csv_holds_the_metrics_of_every_range_and_protected_area(report, oracle) -> None:
    result, lines = report
    table = pd.read_csv(result.files["fragmentation"])
    LANDSCAPE_METRICS.validate(table)
    ranges = table[table[ZONE_KIND] == "range"]
    assert sorted(set(ranges["zone_id"])) == ANIMALS
    # the same rows and numbers as the direct call, to the last digit
    mine = ranges.drop(columns=ZONE_KIND).reset_index(drop=True)
    expected = oracle[[c for c in mine.columns]].reset_index(drop=True)
    for col in mine.columns:
        if pd.api.types.is_numeric_dtype(expected[col]):
            np.testing.assert_allclose(mine[col], expected[col], rtol=1e-12, err_msg=col)
        else:
            assert (
                mine[col].fillna("").astype(str).tolist()
                == expected[col].fillna("").astype(str).tolist()
            ), col
    # and every protected area and zone of the study area near the data, once each
    parks = table[table[ZONE_KIND] != "range"]
    land = parks[parks["level"] == "landscape"]
    assert land["zone_id"].is_unique
    assert "Land of the Leopard National Park: core" in set(land["zone_id"])
    assert set(land[ZONE_KIND]) == {"protected_area", "zone"}
    # class shares of each landscape add up to 100 %
    shares = table[table["level"] == "class"].groupby("zone_id")["proportion_of_landscape"].sum()
    np.testing.assert_allclose(shares, 100.0, rtol=1e-9)
    assert any(line.startswith("fragmentation: 3 ranges, ") for line in lines)


def test_each_page_shows_its_own_landscape_and_class_metrics(report, oracle) -> None:
    result, _ = report
    for animal in ANIMALS:
        page = result.pages[animal].read_text(encoding="utf-8")
        mine = oracle[oracle["zone_id"] == animal]
        land = mine[mine["level"] == "landscape"].iloc[0]
        rows = dict(map(tuple, _cells(page, "fragmentation")))
        assert list(rows) == [metric_heading(c) for c in FRAGMENTATION_LANDSCAPE_METRICS]
        assert rows["number of patches"] == str(int(land["number_of_patches"]))
        assert rows["edge density (m/ha)"] == fmt_number(land["edge_density"])
        assert rows["effective mesh size (ha)"] == fmt_number(land["effective_mesh_size"])
        classes = _cells(page, "fragmentation-classes")
        names = mine.loc[mine["level"] == "class", "class_name"].tolist()
        assert [r[0] for r in classes] == names
        pland = mine.loc[mine["level"] == "class", "proportion_of_landscape"]
        assert [r[1] for r in classes] == [fmt_number(v) for v in pland]
        assert "<th>core area index (%)</th>" in page
        notes = [n for n in mine["note"].fillna("") if n]
        for note in notes:  # every note shown (class notes after their class)
            assert html.escape(note, quote=True) in page


def test_the_index_compares_animals_and_protected_areas(report, oracle) -> None:
    result, _ = report
    index = result.index.read_text(encoding="utf-8")
    rows = _cells(index, "fragmentation-ranges")
    assert sorted(r[0] for r in rows) == ANIMALS
    assert 'href="pages/Leo_1F.html"' in index
    land = oracle[oracle["level"] == "landscape"].set_index("zone_id")
    for r in rows:
        assert r[3] == fmt_number(land.loc[r[0], "effective_mesh_size"])
    areas = _cells(index, "fragmentation-areas")
    expected = area_zones(datasets.primorsky())["zone_id"].tolist()
    assert [r[0] for r in areas] == [z for z in expected if z in {r[0] for r in areas}]
    assert len(areas) >= 5
    figure = result.out_dir / "fragmentation_by_animal.png"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'src="fragmentation_by_animal.png"' in index
    assert 'href="fragmentation.csv"' in index


def test_the_manifest_records_parameters_and_zone_fingerprints(report) -> None:
    result, _ = report
    record = json.loads((result.out_dir / MANIFEST).read_text())["fragmentation"]
    assert record["parameters"]["neighbours"] == 8
    assert record["parameters"]["level"] == ["landscape", "class"]
    assert {f"range:{a}" for a in ANIMALS} <= set(record["zones_sha256"])
    cached = {p.stem for p in (result.out_dir / WORK / FRAGMENTATION_CACHE).glob("*.parquet")}
    assert cached == set(record["zones_sha256"].values())


@pytest.mark.slow
def test_a_rerun_reuses_every_zone_and_redraws_no_page(report, fixes, tmp_path) -> None:
    result, _ = report
    out = tmp_path / "again"
    shutil.copytree(result.out_dir, out)
    lines: list[str] = []
    again = run_report(fixes, out, options=FAST, progress=lines.append)
    summary = next(line for line in lines if line.startswith("fragmentation: "))
    assert " 0 measured" in summary and "reused" in summary
    assert sorted(again.skipped) == ANIMALS  # the same numbers: no page redrawn
    pd.testing.assert_frame_equal(
        pd.read_csv(again.files["fragmentation"]), pd.read_csv(result.files["fragmentation"])
    )


@pytest.mark.slow
def test_turned_off_the_report_has_no_fragmentation_left(report, fixes, tmp_path) -> None:
    result, _ = report
    out = tmp_path / "off"
    shutil.copytree(result.out_dir, out)
    off = run_report(fixes, out, options=FAST, fragmentation=False, progress=False)
    assert "fragmentation" not in off.files
    for gone in (
        "fragmentation.csv",
        "fragmentation_by_animal.png",
        f"{WORK}/{FRAGMENTATION_CACHE}",
    ):
        assert not (out / gone).exists(), gone
    page = off.pages["Leo 1F"].read_text(encoding="utf-8")
    assert 'id="fragmentation"' not in page and "fragmentation.csv" not in page
    assert "<h2>Fragmentation</h2>" not in off.index.read_text(encoding="utf-8")
    assert "fragmentation" not in json.loads((out / MANIFEST).read_text())
    assert off.skipped == []  # every page redrawn without the section


@pytest.mark.slow
def test_one_range_that_cannot_be_measured_gets_a_note_and_the_report_goes_on(
    report, fixes, tmp_path, monkeypatch
) -> None:
    result, _ = report
    out = tmp_path / "broken"
    shutil.copytree(result.out_dir, out)
    shutil.rmtree(out / WORK / FRAGMENTATION_CACHE)  # measure every zone again

    def failing(raster, *, zones, zone_id, **kw):
        if "Leo 6M" in set(zones[zone_id]):
            raise InputError("Leo 6M: <b>no cells</b>")
        return landscape_metrics(raster, zones=zones, zone_id=zone_id, **kw)

    monkeypatch.setattr(batch_fragmentation, "_default_metrics", lambda: failing)
    with pytest.warns(DataQualityWarning, match="Leo 6M"):
        broken = run_report(fixes, out, options=FAST, progress=False)
    assert broken.ok and sorted(broken.pages) == ANIMALS
    page = broken.pages["Leo 6M"].read_text(encoding="utf-8")
    assert (
        "fragmentation could not be measured: InputError: Leo 6M: &lt;b&gt;no cells&lt;/b&gt;"
        in (page)
    )
    assert sorted(broken.skipped) == ["Leo 1F", "Leo 3F"]  # their numbers did not change
    table = pd.read_csv(broken.files["fragmentation"])
    assert table.loc[table["zone_id"] == "Leo 6M", "level"].tolist() == ["landscape"]


def test_fragmentation_true_without_land_cover_is_refused_before_any_work(fixes, tmp_path) -> None:
    with pytest.raises(InputError, match="needs a land cover"):
        run_report(
            fixes, tmp_path / "x", options=FAST, land_cover=None, fragmentation=True, progress=False
        )
    assert not (tmp_path / "x").exists()


def test_a_bad_fragmentation_value_is_refused(fixes, tmp_path) -> None:
    with pytest.raises(InputError, match="fragmentation="):
        run_report(fixes, tmp_path / "x", options=FAST, fragmentation="yes", progress=False)

"""Report pages in headless Chromium with no internet: render, sort, hostile ids."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from habitat.batch.demo import load_demo_relocations
from habitat.batch.runner import ReportOptions, run_report

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "../../etc/passwd"]


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    fixes = load_demo_relocations()
    parts = []
    for name, source in zip(HOSTILE, ["Leo 1F", "Leo 3F", "Leo 6M"], strict=True):
        parts.append(fixes[fixes["individual"] == source].assign(individual=name))
    few = fixes[fixes["individual"] == "Leo 2F"].iloc[:3].assign(individual="<b>few</b>")
    data = gpd.GeoDataFrame(pd.concat([*parts, few], ignore_index=True), crs=fixes.crs)
    out = tmp_path_factory.mktemp("hostile") / "report"
    result = run_report(data, out, options=ReportOptions(area_curve=False), progress=False)
    return out, result.pages


def test_demo_report_index_renders_and_sorts(open_page, demo_outputs: Path) -> None:
    res = open_page(demo_outputs / "report" / "index.html", leaflet=False, name="index")
    res.assert_clean()
    page = res.page
    rows = page.locator("#animals tbody tr")
    assert rows.count() == 12
    assert page.locator("img[alt^='Range area']").evaluate("i => i.naturalWidth") > 0

    def column(i: int) -> list[float]:
        return [
            float(v)
            for v in page.locator(f"#animals tbody tr td:nth-child({i})").evaluate_all(
                "cs => cs.map(c => c.dataset.value)"
            )
        ]

    headings = page.locator("#animals thead th").all_inner_texts()
    area = headings.index("Area (km²)") + 1
    page.locator("#animals thead th").nth(area - 1).click()
    asc = column(area)
    assert asc == sorted(asc) and asc != column(area)[::-1]
    page.locator("#animals thead th").nth(area - 1).click()
    assert column(area) == sorted(asc, reverse=True)


def test_demo_report_page_shows_map_figures_and_tables(open_page, demo_outputs: Path) -> None:
    res = open_page(demo_outputs / "report" / "pages" / "Leo_3F.html", name="page")
    res.assert_clean()
    assert res.page.locator("h1").inner_text() == "Leo 3F"
    assert res.frame != res.page.main_frame  # Leaflet drew inside the page's map iframe
    assert res.count(".leaflet-interactive") > 10
    assert res.frame.locator(".habitat-legend, .legend").first.is_visible()
    for img in res.page.locator("figure img").all():
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")
    assert res.page.locator("#territory dt").count() >= 8
    assert res.page.locator("#ranges tbody tr").count() == 4


def test_hostile_ids_stay_text_in_report_pages(open_page, hostile_report) -> None:
    out, pages = hostile_report
    res = open_page(out / "index.html", leaflet=False, name="hostile-index")
    res.assert_clean()
    cells = res.page.locator("#animals tbody tr td:first-child").all_inner_texts()
    for name in HOSTILE:
        assert name in cells
    assert "<b>few</b>" in res.page.locator("#failures").inner_text()
    assert res.page.locator("#failures b").count() == 0  # the <b> stayed text
    for name in HOSTILE:
        path = pages[name]
        assert path.parent == out / "pages"
        page = open_page(path, name=f"hostile-{path.stem}")
        page.assert_clean()  # no dialogs: neither alert ran
        assert page.page.locator("h1").inner_text() == name
        assert page.page.locator("h1 script, h1 img").count() == 0
        legend = page.frame.locator(".habitat-legend, .legend").first.inner_text()
        assert name in legend
    assert not (out.parent / "etc").exists()

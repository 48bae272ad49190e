"""The demo report's fragmentation sections in headless Chromium: tables sort, the chart loads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def _values(page, table: str, column: int) -> list[float]:
    texts = page.locator(f"#{table} tbody tr td:nth-child({column})").evaluate_all(
        "cs => cs.map(c => c.dataset.value)"
    )
    return [float(v) if v else float("-inf") for v in texts]


def test_index_fragmentation_tables_sort_and_the_chart_loads(open_page, demo_outputs: Path):
    res = open_page(demo_outputs / "report" / "index.html", leaflet=False, name="fragmentation")
    res.assert_clean()
    page = res.page
    assert page.locator("#fragmentation-ranges tbody tr").count() == 12
    assert page.locator("#fragmentation-areas tbody tr").count() == 7
    img = page.locator("img[src='fragmentation_by_animal.png']")
    assert img.evaluate("i => i.complete && i.naturalWidth > 0")
    headings = page.locator("#fragmentation-ranges thead th").all_inner_texts()
    mesh = headings.index("effective mesh size (ha)") + 1
    page.locator("#fragmentation-ranges thead th").nth(mesh - 1).click()
    asc = _values(page, "fragmentation-ranges", mesh)
    assert asc == sorted(asc)
    page.locator("#fragmentation-ranges thead th").nth(mesh - 1).click()
    assert _values(page, "fragmentation-ranges", mesh) == sorted(asc, reverse=True)
    # the largest mesh of the table is the largest of fragmentation.csv
    table = pd.read_csv(demo_outputs / "report" / "fragmentation.csv")
    ranges = table[(table["zone_kind"] == "range") & (table["level"] == "landscape")]
    first = page.locator("#fragmentation-ranges tbody tr td:first-child").first.inner_text()
    assert first == ranges.loc[ranges["effective_mesh_size"].idxmax(), "zone_id"]


def test_a_page_shows_its_fragmentation_tables(open_page, demo_outputs: Path):
    res = open_page(demo_outputs / "report" / "pages" / "Leo_3F.html", name="fragmentation-page")
    res.assert_clean()
    page = res.page
    assert page.locator("#fragmentation tbody tr").count() == 8
    assert page.locator("#fragmentation-classes tbody tr").count() >= 1
    assert page.locator("#fragmentation-classes thead th").count() == 5

"""Fragmentation tables of pages and index, and the chart comparing animals (hand-made tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from habitat.core.errors import ColumnError
from habitat.report.figures import figure_png, plot_fragmentation_by_animal
from habitat.report.pages import (
    FRAGMENTATION_CLASS_METRICS,
    FRAGMENTATION_LANDSCAPE_METRICS,
    fragmentation_index_tables,
    fragmentation_tables,
    metric_heading,
    render_index_page,
    render_individual_page,
)

HOSTILE = "<script>alert(1)</script>"


def _zone(zone: str = "Leo 1F", *, note: str = "", class_note: str = "") -> pd.DataFrame:
    land = {c: float(k + 1) for k, c in enumerate(FRAGMENTATION_LANDSCAPE_METRICS)}
    land.update(number_of_patches=7, shannon_diversity_index=0.49454, edge_density=4.98256)
    rows = [
        {"zone_id": zone, "level": "landscape", "area_ha": 8028.0, "cell_size_m": 200.0,
         "neighbours": 8, "edge_depth_m": 200.0, "nodata_share": 0.0, "note": note, **land},
        {"zone_id": zone, "level": "class", "class_value": 2, "class_name": HOSTILE,
         "proportion_of_landscape": 19.6, "number_of_patches": 6, "effective_mesh_size": 93.4,
         "core_area_index": 61.1, "note": class_note},
        {"zone_id": zone, "level": "class", "class_value": 1, "class_name": "forest",
         "proportion_of_landscape": 80.4, "number_of_patches": 1, "effective_mesh_size": np.nan,
         "core_area_index": 84.3, "note": ""},
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_page_tables_show_the_key_metrics_with_units_and_digits() -> None:
    t = fragmentation_tables(_zone())
    assert t is not None
    labels = [label for label, _ in t["landscape"]]
    assert labels == [metric_heading(c) for c in FRAGMENTATION_LANDSCAPE_METRICS]
    values = dict(t["landscape"])
    assert values["number of patches"] == "7"  # a count has no decimals
    assert values["edge density (m/ha)"] == "5.0"
    assert values["Shannon's diversity index"] == "0.495"
    assert t["class_columns"] == [metric_heading(c) for c in FRAGMENTATION_CLASS_METRICS]
    # classes in class-value order; a missing value is a dash, not 'nan'
    assert t["classes"] == [
        ("forest", ["80.4", "1", "–", "84.3"]),
        (HOSTILE, ["19.6", "6", "93.4", "61.1"]),
    ]
    assert t["provenance"].startswith("80.3 km² measured; 200 m cells; 8-neighbour patches")


def test_notes_are_shown_once_and_class_notes_name_their_class() -> None:
    t = fragmentation_tables(_zone(note="23.5% beyond the raster", class_note="one patch"))
    assert t is not None
    assert t["notes"] == ["23.5% beyond the raster", f"{HOSTILE}: one patch"]
    assert fragmentation_tables(None) is None
    assert fragmentation_tables(_zone().iloc[:0]) is None
    # a zone that could not be measured has only its note: the note is still shown
    failed = pd.DataFrame({"zone_id": ["B"], "level": ["landscape"], "note": ["outside"]})
    t = fragmentation_tables(failed)
    assert t is not None and t["notes"] == ["outside"] and t["landscape"] == []


def test_a_page_escapes_class_names_and_notes() -> None:
    page = render_individual_page(
        individual="Leo 1F",
        title="T",
        territory={"sex": "F", "method": "mcp", "level": 0.95},
        ranges=pd.DataFrame(columns=["method", "level"]),
        neighbours=pd.DataFrame(
            columns=["individual", "sex", "area_km2", "area_sq_mi", "share_self", "share_other"]
        ),
        map_href="m.html",
        fragmentation=_zone(class_note=HOSTILE),
    )
    assert HOSTILE not in page
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page
    assert 'id="fragmentation-notes"' in page
    assert "<th>effective mesh size (ha)</th>" in page


def test_index_tables_split_ranges_from_protected_areas_and_link_animals_only() -> None:
    ranges = pd.concat([_zone("Leo 1F"), _zone(HOSTILE)], ignore_index=True).assign(
        zone_kind="range"
    )
    parks = pd.concat([_zone("Park"), _zone("Park: core")], ignore_index=True)
    parks["zone_kind"] = ["protected_area"] * 3 + ["zone"] * 3
    parks.loc[0, "note"] = "23.5% beyond the raster"
    table = pd.concat([ranges, parks], ignore_index=True)
    tables = fragmentation_index_tables(table, pages={"Leo 1F": "pages/Leo_1F.html"})
    assert [t["id"] for t in tables] == ["fragmentation-ranges", "fragmentation-areas"]
    animals, areas = tables
    assert [r["cells"][0]["text"] for r in animals["rows"]] == ["Leo 1F", HOSTILE]
    assert [r["cells"][0]["href"] for r in animals["rows"]] == ["pages/Leo_1F.html", None]
    assert [r["cells"][0]["text"] for r in areas["rows"]] == ["Park", "Park: core"]
    assert all(r["cells"][0]["href"] is None for r in areas["rows"])
    assert areas["notes"] and not animals["notes"]
    mesh = 1 + FRAGMENTATION_LANDSCAPE_METRICS.index("effective_mesh_size")
    assert animals["rows"][0]["cells"][mesh]["sort"] == repr(3.0)  # the exact value sorts
    html = render_index_page(
        title="T",
        metrics=pd.DataFrame({"individual": ["Leo 1F"]}),
        pages={"Leo 1F": "pages/Leo_1F.html"},
        failures=pd.DataFrame(columns=["individual", "stage", "error", "message"]),
        method_label="MCP",
        level=0.95,
        fragmentation=table,
        fragmentation_figures=[("fragmentation_by_animal.png", "chart")],
    )
    assert HOSTILE not in html
    assert '<table id="fragmentation-areas" class="sortable">' in html
    assert '<img src="fragmentation_by_animal.png"' in html


def test_the_chart_sorts_animals_by_the_first_metric_in_every_panel() -> None:
    rows = pd.DataFrame(
        {
            "zone_id": ["a", "b", "c", "$x^$"],
            "level": "landscape",
            "effective_mesh_size": [50.0, 900.0, np.nan, 10.0],
            "edge_density": [30.0, 5.0, 12.0, 1.0],
        }
    )
    fig = plot_fragmentation_by_animal(rows, sexes={"a": "F", "b": "M"})
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["c", r"\$x^\$", "a", "b"]  # largest at the top, the missing one last
    widths = [p.get_width() for p in fig.axes[1].patches]
    assert widths == [12.0, 1.0, 30.0, 5.0]  # edge density in the same row order
    assert figure_png(fig)[:4] == b"\x89PNG"  # '$' in an id does not start mathtext
    with pytest.raises(ColumnError, match="contagion"):
        plot_fragmentation_by_animal(rows, columns=("contagion",))

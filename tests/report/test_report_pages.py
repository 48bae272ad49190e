"""Report pages: escaping, numbers in readable units, failures, figures."""

import re

import numpy as np
import pandas as pd

from habitat.report.pages import (
    fmt_number,
    fmt_share,
    render_index_page,
    render_individual_page,
)

EVIL = '<script>alert("x")</script>'


def _territory(**extra):
    row = {
        "individual": EVIL,
        "sex": "F",
        "method": "mcp",
        "level": 0.95,
        "area_km2": 100.0,
        "area_sq_mi": 100.0 / 2.589988110336,
        "plausible": False,
        "plausibility": "smaller than 15 sq mi <b>expected</b>",
        "share_protected": 0.256,
        "share_zone_core": 0.5,
        "share_country_north_korea": 0.125,
        "n_same_sex_neighbours": 2,
        "n_opposite_sex_neighbours": 1,
        "exclusive_share": 0.75,
    }
    row.update(extra)
    return row


def test_number_formats():
    assert fmt_number(1234.56) == "1,234.6"
    assert fmt_number(np.nan) == "–" and fmt_number(None) == "–"
    assert fmt_share(0.256) == "25.6" and fmt_share(1) == "100.0"


def test_individual_page_escapes_data_and_shows_units():
    neighbours = pd.DataFrame(
        {
            "individual": ["<img src=x onerror=alert(1)>"],
            "sex": ["M"],
            "area_km2": [12.5],
            "area_sq_mi": [12.5 / 2.589988110336],
            "share_self": [0.125],
            "share_other": [0.05],
        }
    )
    ranges = pd.DataFrame(
        {
            "method": ["mcp"],
            "level": [0.95],
            "area_km2": [100.0],
            "area_sq_mi": [38.61],
            "n_fixes": [2000],
        }
    )
    html = render_individual_page(
        individual=EVIL,
        title="T & Co",
        territory=_territory(),
        ranges=ranges,
        neighbours=neighbours,
        map_href="x/map.html",
        landscape={
            "share_forest": 0.9,
            "roads_length_km": 3.25,
            "roads_density_km_per_km2": 0.0325,
        },
        figures=[("x/ud.png", "UD <of> x")],
        neighbour_pages={"<img src=x onerror=alert(1)>": "evil.html"},
    )
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>expected" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "T &amp; Co" in html
    assert "100.0 km² (38.6 sq mi)" in html
    assert "25.6 %" in html and "75.0 %" in html
    assert "Zone: Core" in html and "Country: North Korea" in html and "12.5 %" in html
    assert "Female" in html and "Male" in html
    assert 'href="evil.html"' in html
    assert "forest (%)" in html and "3.25" in html and "0.033" in html
    assert html.count("<script>") == 1  # only the table-sorting script of the template


def test_index_page_lists_animals_and_failures():
    metrics = pd.DataFrame(
        [
            _territory(individual="Leo 1F", n_fixes=1999),
            _territory(individual="Leo 2M", sex="M", share_protected=np.nan),
        ]
    )
    failures = pd.DataFrame(
        {
            "individual": [EVIL],
            "stage": ["estimate"],
            "error": ["InsufficientDataError"],
            "message": ["only 3 fixes"],
        }
    )
    html = render_index_page(
        title="R",
        metrics=metrics,
        pages={"Leo 1F": "pages/Leo_1F.html"},
        failures=failures,
        method_label="MCP",
        level=0.95,
    )
    assert "2 of 3 animals reported" in html and "1 failed" in html
    assert 'href="pages/Leo_1F.html"' in html
    assert "<script>alert" not in html
    assert html.count("InsufficientDataError") == 2  # failure table and animal table
    rows = re.findall(r"<tr class=\"failed\">", html)
    assert len(rows) == 2
    assert 'data-value="0.256"' in html and "1,999" in html

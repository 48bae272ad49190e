"""Report pages: escaping, numbers in readable units, failures, figures."""

import re

import numpy as np
import pandas as pd

from habitat.report.pages import (
    area_groups,
    barrier_rows,
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
        "share_zone_catskill_park__core": 0.5,
        "share_admin_north_korea": 0.125,
        "share_admin_ulster": 0.0,
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
    # without area_shares rows, the share columns are shown under their names; 0 % left out
    assert "catskill park: core" in html and "north korea" in html and ">12.5<" in html
    assert "ulster" not in html
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


def _page(**kwargs):
    base = {
        "individual": "F1",
        "title": "Catskill fishers",
        "territory": _territory(individual="F1"),
        "ranges": pd.DataFrame(columns=["method", "level"]),
        "neighbours": pd.DataFrame(
            columns=["individual", "sex", "area_km2", "area_sq_mi", "share_self", "share_other"]
        ),
        "map_href": "F1/map.html",
    }
    base.update(kwargs)
    return render_individual_page(**base)


def _areas(**share):
    """area_shares rows of one range: a park with a zone, an evil park, two admin units."""
    rows = pd.DataFrame(
        {
            "range_id": 0,
            "individual": "F1",
            "method": "mcp",
            "level": 0.95,
            "role": ["protected_areas"] * 3 + ["admin_units"] * 2,
            "layer": ["Parks"] * 3 + ["Counties"] * 2,
            "name": ["Catskill Park", EVIL, "Catskill Park", "Ulster", "Greene"],
            "zone": [None, None, "wild <forest>", None, None],
            "category": ["V", None, None, None, None],
            "column": ["a", "b", "c", "d", "e"],
            "area_km2": [25.6, 0.0, 10.0, 100.0, 0.0],
            "share": [0.256, 0.0, 0.1, 1.0, 0.0],
        }
    )
    for name, value in share.items():
        rows.loc[rows["name"] == name, "share"] = value
    return rows


def test_area_rows_are_grouped_named_from_the_rows_and_zero_rows_left_out():
    html = _page(areas=_areas())
    assert "<h2>Protected areas and administrative units</h2>" in html
    for title in ("Protected areas", "Zones", "Administrative units"):
        assert f'<tr class="group"><th colspan="3">{title}</th></tr>' in html
    assert '<td>Catskill Park (V)</td><td class="num">25.6</td>' in html
    assert '<td>Catskill Park: wild &lt;forest&gt;</td><td class="num">10.0</td>' in html
    assert '<td>Ulster</td><td class="num">100.0</td>' in html
    assert "Greene" not in html and "&lt;script&gt;" not in html.split("<h2>Map</h2>")[1]
    assert "<dt>Inside any protected area</dt><dd>25.6 %</dd>" in html
    assert "Land of the Leopard" not in html and "Country" not in html


def test_area_notes_say_when_there_is_no_protected_area_or_none_is_touched():
    outside = _areas(**{"Catskill Park": 0.0})
    groups, note = area_groups(outside, {"share_protected": 0.0})
    assert note == "Outside every protected area."
    assert [g["title"] for g in groups] == ["Administrative units"]
    html = _page(areas=outside, territory=_territory(individual="F1", share_protected=0.0))
    assert '<p id="areas-note">Outside every protected area.</p>' in html
    no_layer = _areas()[lambda d: d["role"] == "admin_units"]
    territory = {k: v for k, v in _territory().items() if k != "share_protected"}
    html = _page(areas=no_layer, territory=territory)
    assert '<p id="areas-note">No protected-area layer in this study area.</p>' in html
    assert "Inside any protected area" not in html
    # tiny shares (0.0 % once printed) are not rows, and the note says so
    _, note = area_groups(_areas(**{"Catskill Park": 1e-5}), {"share_protected": 1e-5})
    assert note == "Less than 0.1 % inside protected areas."


def test_barrier_rows_only_for_the_study_areas_barrier_layers():
    barriers = pd.DataFrame(
        {
            "label": ["Roads", "<i>Deer</i> fence", "Reservoirs"],
            "length_km": [10.0, 0.0, np.nan],
            "density_km_per_km2": [0.1, 0.0, np.nan],
            "area_km2": [np.nan, np.nan, 4.0],
            "share": [np.nan, np.nan, 0.04],
        }
    )
    assert barrier_rows(barriers) == [
        ("Roads inside (km)", "10.00"),
        ("Roads density (km per km²)", "0.100"),
        ("<i>Deer</i> fence inside (km)", "0.00"),
        ("<i>Deer</i> fence density (km per km²)", "0.000"),
        ("Reservoirs inside (km²)", "4.00"),
        ("Reservoirs (% of the range)", "4.0"),
    ]
    html = _page(
        barriers=barriers,
        # the landscape columns of the barriers are not shown twice; land cover is
        landscape={"share_forest": 0.5, "roads_length_km": 10.0, "railways_length_km": 1.0},
    )
    assert "&lt;i&gt;Deer&lt;/i&gt; fence inside (km)" in html and "<i>Deer" not in html
    assert "railways" not in html and html.count("Roads inside (km)") == 1
    assert "forest (%)" in html
    # no barrier layer, no land cover: no rows, and the page says so
    html = _page(barriers=barriers.iloc[:0])
    assert "No land cover or barrier layer in this study area." in html
    assert "roads" not in html.lower()

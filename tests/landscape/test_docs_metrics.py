"""docs/landscape_metrics.md documents every column of LANDSCAPE_METRICS with the schema's unit.

The metric table is parsed from the Markdown, so a column added to, renamed in or
removed from :data:`habitat.core.tables.LANDSCAPE_METRICS`, or a unit changed there,
fails here until the doc says the same.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from habitat.core.tables import LANDSCAPE_METRICS

DOC = Path(__file__).resolve().parents[2] / "docs" / "landscape_metrics.md"

#: columns that identify a row or say how it was measured (not metrics)
PROVENANCE = (
    "zone_id",
    "level",
    "class_value",
    "class_name",
    "patch_id",
    "area_ha",
    "nodata_share",
    "cell_size_m",
    "edge_depth_m",
    "neighbours",
    "note",
)
LEVELS = {"patch", "class", "landscape"}
NO_UNIT = "—"  # how the doc writes the schema's "" (counts, ids, dimensionless indices)


def _tables(text: str) -> dict[str, list[list[str]]]:
    """Markdown tables by their header row (cells joined by '|'); rows as lists of cells."""
    tables: dict[str, list[list[str]]] = {}
    header: str | None = None  # two tables with one header would merge: the test says so
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = "|".join(cells)
            assert header not in tables, f"two doc tables with the header {header!r}"
            tables[header] = []
        elif not all(re.fullmatch(r":?-+:?", c) for c in cells):
            tables[header].append(cells)
    return tables


def _by_name(rows: list[list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in rows:
        m = re.fullmatch(r"`(\w+)`", row[0])
        assert m, f"first cell of a doc table row should be a `column` name: {row}"
        assert m.group(1) not in out, f"{m.group(1)} is documented twice"
        out[m.group(1)] = row
    return out


@pytest.fixture(scope="module")
def tables() -> dict[str, list[list[str]]]:
    return _tables(DOC.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def metric_rows(tables) -> dict[str, list[str]]:
    return _by_name(tables["metric|level(s)|definition|unit|reference"])


@pytest.fixture(scope="module")
def provenance_rows(tables) -> dict[str, list[str]]:
    return _by_name(tables["column|meaning|unit"])


def _unit(schema_unit: str) -> str:
    return schema_unit if schema_unit else NO_UNIT


def test_every_metric_column_is_in_the_metric_table_with_its_unit(metric_rows) -> None:
    metric_columns = [c for c in LANDSCAPE_METRICS.names if c not in PROVENANCE]
    assert len(metric_columns) >= 20  # the schema really lists the metrics
    missing = [c for c in metric_columns if c not in metric_rows]
    assert not missing, f"docs/landscape_metrics.md lacks the metric(s) {missing}"
    stale = [c for c in metric_rows if c not in LANDSCAPE_METRICS]
    assert not stale, f"the doc documents {stale}, which the schema does not have"
    wrong = {
        c: (metric_rows[c][3], _unit(LANDSCAPE_METRICS.column(c).unit))
        for c in metric_columns
        if metric_rows[c][3] != _unit(LANDSCAPE_METRICS.column(c).unit)
    }
    assert not wrong, f"doc unit != schema unit (doc, schema): {wrong}"


def test_every_other_column_is_in_the_provenance_table_with_its_unit(provenance_rows) -> None:
    for name in PROVENANCE:
        if name not in LANDSCAPE_METRICS:
            continue  # a provenance column the schema dropped: the stale check below says so
        assert name in provenance_rows, f"docs/landscape_metrics.md lacks the column {name}"
        assert provenance_rows[name][2] == _unit(LANDSCAPE_METRICS.column(name).unit), name
    stale = [c for c in provenance_rows if c not in LANDSCAPE_METRICS]
    assert not stale, f"the doc documents {stale}, which the schema does not have"


def test_metric_rows_give_levels_a_formula_and_a_reference(metric_rows) -> None:
    for name, (_, levels, definition, _unit_cell, reference) in metric_rows.items():
        named = {w.strip() for w in levels.split(",")}
        assert named and named <= LEVELS, f"{name}: levels {levels!r}"
        assert "=" in definition, f"{name}: the definition should be a formula"
        assert reference, f"{name}: no reference"
    # the references the issue names
    refs = {n: r[4] for n, r in metric_rows.items()}
    for name in ("effective_mesh_size", "landscape_division_index", "splitting_index"):
        assert "Jaeger 2000" in refs[name]
    assert "Schumaker 1996" in refs["patch_cohesion_index"]
    assert all("FRAGSTATS" in r or "Jaeger" in r for r in refs.values())


def test_doc_levels_are_the_levels_the_library_computes(metric_rows) -> None:
    """Each metric's levels in the doc are those at which landscape_metrics reports it."""
    from habitat.landscape.metrics import CLASS_METRICS, LANDSCAPE_LEVEL_METRICS, PATCH_METRICS

    by_level = {
        "patch": PATCH_METRICS,
        "class": CLASS_METRICS,
        "landscape": LANDSCAPE_LEVEL_METRICS,
    }
    for name, row in metric_rows.items():
        documented = {w.strip() for w in row[1].split(",")}
        computed = {lvl for lvl, names in by_level.items() if name in names}
        assert documented == computed, f"{name}: doc says {documented}, library {computed}"


def _number(cell: str) -> float | None:
    return None if cell in ("—", "") else float(cell)


def test_worked_example_values_are_what_the_library_returns(tables) -> None:
    """The doc's hand-counted example (3 x 3 forest in 5 x 5 meadow) against landscape_metrics."""
    import numpy as np

    from habitat.landscape.metrics import landscape_metrics

    rows = _by_name(tables["metric|forest (class 1)|meadow (class 2)|landscape|by hand"])
    assert len(rows) >= 15
    grid = np.full((5, 5), 2, dtype="uint8")
    grid[1:4, 1:4] = 1
    table = landscape_metrics(
        grid,
        transform=(30.0, 0.0, 500_000.0, 0.0, -30.0, 4_800_000.0),
        crs="EPSG:32652",
        level=("landscape", "class"),
        nodata=None,
    )
    got = {
        "forest": table[table["class_value"] == 1].iloc[0],
        "meadow": table[table["class_value"] == 2].iloc[0],
        "landscape": table[table["level"] == "landscape"].iloc[0],
    }
    for name, row in rows.items():
        for where, cell in zip(("forest", "meadow", "landscape"), row[1:4], strict=True):
            expected = _number(cell)
            if expected is None:
                continue
            decimals = len(cell.partition(".")[2])  # the doc rounds to the digits it shows
            value = float(got[where][name])
            message = f"{name} ({where}): doc {cell}, library {value}"
            if decimals == 0:  # a whole number in the doc is exact
                assert value == pytest.approx(expected, rel=1e-12, abs=1e-12), message
            else:
                assert round(value, decimals) == pytest.approx(expected, abs=1e-12), message


def test_every_mesh_column_is_documented(tables) -> None:
    from habitat.landscape.mesh import MESH_COLUMNS

    rows = _by_name(tables["mesh column|meaning|unit"])
    assert list(rows) == list(MESH_COLUMNS)


def test_doc_names_the_disagreements_and_the_parameters() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "## Where FRAGSTATS, pylandstats and landscapemetrics disagree" in text
    for parameter in ("neighbours", "count_boundary", "edge_depth_m", "nodata"):
        assert f"**`{parameter}`**" in text, parameter
    for reference in ("McGarigal", "Jaeger", "Schumaker", "Moser"):
        assert reference in text

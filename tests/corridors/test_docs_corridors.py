"""docs/corridors.md says what the code does: names, signatures, example tables, worked numbers.

The doc is parsed, not copied: a function renamed or added to ``habitat.corridors``,
a keyword renamed or a default changed, a number of the leopard example tables
edited, fails here until the doc says the same.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import math
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import habitat
import habitat.corridors as corridors_package
from habitat.core.tables import CORRIDORS
from habitat.corridors import (
    connectivity,
    connectivity_change,
    cost_distance,
    leopard_barrier_table,
    leopard_resistance_table,
)
from habitat.io.raster import Raster

DOC = Path(__file__).resolve().parents[2] / "docs" / "corridors.md"
MISSING = object()


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


def _resolve(dotted: str) -> Any:
    """The object a dotted ``habitat...`` name refers to (ImportError / AttributeError if none)."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attr in parts[split:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def _inline_code(text: str) -> list[str]:
    """Inline code spans (single backticks; may run over a line break), code blocks removed."""
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    return [m.group(1) for m in re.finditer(r"(?<!`)`([^`]+)`(?!`)", prose)]


def _code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def _tables(text: str) -> dict[str, list[list[str]]]:
    """Markdown tables by their header row (cells joined by '|'), rows as lists of cells."""
    tables: dict[str, list[list[str]]] = {}
    header: str | None = None
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


# ------------------------------------------------------------------------------- names
def test_every_public_name_of_habitat_corridors_is_documented(text):
    spans = set(_inline_code(text))
    for name in corridors_package.__all__:
        assert f"habitat.corridors.{name}" in spans or f"habitat.{name}" in spans, (
            f"habitat.corridors.{name} is public but docs/corridors.md does not name it"
        )


def test_the_issue_s_public_names_are_top_level_and_documented(text):
    spans = set(_inline_code(text))
    for name in (
        "resistance_surface",
        "cost_distance",
        "cost_allocation",
        "least_cost_path",
        "corridors",
        "current_flow",
        "pinch_points",
        "connectivity",
        "connectivity_change",
    ):
        assert callable(getattr(habitat, name)), name
        assert f"habitat.{name}" in spans, f"habitat.{name} is not in the function table"


def test_every_dotted_habitat_name_in_the_doc_exists(text):
    names = set()
    for span in _inline_code(text):
        m = re.match(r"(habitat(?:\.\w+)+)", span)
        if m:
            names.add(m.group(1))
    assert len(names) > 20  # the parser found the function table
    missing = []
    for name in sorted(names):
        try:
            _resolve(name)
        except (ImportError, AttributeError):
            missing.append(name)
    assert not missing, f"docs/corridors.md names what does not exist: {missing}"


def test_every_corridors_contract_column_is_documented(text):
    spans = set(_inline_code(text))
    for column in CORRIDORS.columns:
        name = column.name if hasattr(column, "name") else column
        assert name in spans, f"CORRIDORS column {name!r} is not in docs/corridors.md"


def test_link_columns_the_doc_defines_are_those_corridors_returns(text):
    # the columns of the corridors section are the columns of Corridors.links
    section = text.split("## Least-cost corridors")[1].split("\n## ")[0]
    named = set(re.findall(r"`(\w+_(?:m|km2|ratio)|cost_weighted_distance)`", section))
    surface = Raster(np.ones((12, 30)), (100.0, 0.0, 0.0, 0.0, -100.0, 1200.0), 32652)
    cores = gpd.GeoSeries(
        [shapely.box(200, 400, 600, 800), shapely.box(2400, 400, 2800, 800)], crs=32652
    )
    links = habitat.corridors(surface, cores, cutoff=300.0).links
    widths_profile = {"distance_m", "width_m"}
    assert named - widths_profile - {"max_distance_m"} <= set(links.columns), named - set(
        links.columns
    )
    assert {"cost_weighted_distance", "length_m", "width_m", "min_width_m"} <= named


# -------------------------------------------------------------------------- signatures
def _signature_spans(text: str) -> list[tuple[str, str]]:
    """``habitat.name(params)`` inline spans: (dotted name, parameter text)."""
    out = []
    for span in _inline_code(text):
        m = re.fullmatch(r"(habitat(?:\.\w+)+)\((.*)\)", span.replace("\n", " "), flags=re.S)
        if m and m.group(2).strip() not in ("", "..."):
            out.append((m.group(1), m.group(2)))
    return out


def _doc_parameters(params: str) -> tuple[list[tuple[str, str, Any]], bool]:
    """(name, kind, default) of each documented parameter, and whether the list is partial.

    kind is "positional" or "keyword"; default is MISSING, Ellipsis (any) or a literal.
    A trailing ``...`` or a ``name=...`` marks a partial list (only some parameters).
    """
    items = [p.strip() for p in params.split(",")]
    partial = items[-1] == "..."
    if partial:
        items = items[:-1]
    tree = ast.parse(f"def f({', '.join(items)}): pass")
    args = tree.body[0].args  # type: ignore[attr-defined]
    out: list[tuple[str, str, Any]] = []
    positional = args.posonlyargs + args.args
    defaults = [MISSING] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for arg, default in zip(positional, defaults, strict=True):
        out.append((arg.arg, "positional", default))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        out.append((arg.arg, "keyword", MISSING if default is None else default))
    resolved = []
    for name, kind, default in out:
        if default is not MISSING:
            default = ast.literal_eval(default)
            partial = partial or default is Ellipsis
        resolved.append((name, kind, default))
    return resolved, partial


def _same_default(doc: Any, code: Any) -> bool:
    if doc is Ellipsis:
        return True
    if isinstance(doc, bool) or isinstance(code, bool):
        return doc is code
    if isinstance(doc, float | int) and isinstance(code, float | int):
        return math.isclose(doc, code)
    return bool(doc == code)


def test_the_signatures_in_the_doc_are_the_code_s(text):
    spans = _signature_spans(text)
    assert {name for name, _ in spans} >= {
        "habitat.resistance_surface",
        "habitat.cost_distance",
        "habitat.least_cost_path",
        "habitat.corridors",
        "habitat.current_flow",
        "habitat.pinch_points",
        "habitat.connectivity",
        "habitat.connectivity_change",
    }
    problems = []
    for dotted, params in spans:
        code = inspect.signature(_resolve(dotted))
        documented, partial = _doc_parameters(params)
        names = [name for name, _, _ in documented]
        for name, kind, default in documented:
            if name not in code.parameters:
                problems.append(f"{dotted}: no parameter {name!r}")
                continue
            p = code.parameters[name]
            code_kind = "keyword" if p.kind is inspect.Parameter.KEYWORD_ONLY else "positional"
            if kind != code_kind and default is not Ellipsis:
                problems.append(f"{dotted}: {name} is {code_kind} in the code, {kind} in the doc")
            code_default = MISSING if p.default is inspect.Parameter.empty else p.default
            if default is MISSING:
                if code_default is not MISSING and kind == "keyword":
                    problems.append(f"{dotted}: {name} has the default {code_default!r}")
            elif code_default is MISSING or not _same_default(default, code_default):
                problems.append(
                    f"{dotted}: {name} defaults to {code_default!r}, the doc says {default!r}"
                )
        if not partial and names != list(code.parameters):
            problems.append(f"{dotted}: parameters {list(code.parameters)}, the doc {names}")
    assert not problems, "\n".join(problems)


def test_the_calls_of_the_python_examples_use_real_keywords(text):
    blocks = _code_blocks(text, "python")
    assert blocks
    checked = 0
    for block in blocks:
        tree = ast.parse(block)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("habitat")
            ):
                for alias in node.names:
                    _resolve(f"{node.module}.{alias.name}")
            if not isinstance(node, ast.Call):
                continue
            dotted = ast.unparse(node.func)
            if not dotted.startswith("habitat."):
                continue
            parameters = inspect.signature(_resolve(dotted)).parameters
            for keyword in node.keywords:
                assert keyword.arg in parameters, f"{dotted}() has no keyword {keyword.arg!r}"
            checked += 1
    assert checked >= 4


# ------------------------------------------------------------------------ example tables
def _number(cell: str) -> float:
    return float("nan") if cell in ("—", "") else float(cell.replace(",", ""))


def _equal(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_the_land_cover_table_in_the_doc_is_leopard_resistance_table(text):
    rows = _tables(text)["class|name|resistance|why"]
    table = leopard_resistance_table()
    assert [int(r[0]) for r in rows] == table.index.tolist()
    for code, name, resistance, why in rows:
        assert table.loc[int(code), "name"] == name
        assert _equal(_number(resistance), float(table.loc[int(code), "resistance"])), code
        assert why, f"class {code}: say where the number comes from"


def test_the_barrier_table_in_the_doc_is_leopard_barrier_table(text):
    rows = _tables(text)["kind|resistance|width_m|why"]
    table = leopard_barrier_table()
    assert [r[0] for r in rows] == table.index.tolist()
    for kind, resistance, width, _ in rows:
        assert _equal(_number(resistance), float(table.loc[kind, "resistance"])), kind
        assert _equal(_number(width), float(table.loc[kind, "width_m"])), kind


def test_the_default_cutoff_the_doc_states():
    assert corridors_package.DEFAULT_CUTOFF == 200_000.0  # "200,000 cost units" in the doc


# ------------------------------------------------------------------ the doc's worked numbers
def test_the_cost_distance_example_of_the_doc(text):
    assert "3 × 100 × 2 = 600" in text and "3 × 141.42 × 2 = 848.53" in text
    surface = Raster(np.full((4, 4), 2.0), (100.0, 0.0, 600_000.0, 0.0, -100.0, 4_800_000.0), 32652)
    cost = cost_distance(surface, (600_050.0, 4_799_950.0)).array
    assert cost[0, 3] == 600.0
    assert cost[3, 3] == pytest.approx(3 * math.sqrt(2) * 100 * 2, rel=1e-12)
    assert round(float(cost[3, 3]), 2) == 848.53


def test_the_pc_chain_example_of_the_doc(text):
    assert "ECA = √5.5 = 2.345 km², PC = 5.5 / 9 = 0.611" in text
    assert "PC_num = 3 + 2 × 0.5 = 4` (ECA = 2 km²)" in text
    nodes = pd.DataFrame({"area_km2": [1.0, 1.0, 1.0]}, index=["A", "B", "C"])
    links = pd.DataFrame(
        {"from_id": ["A", "B"], "to_id": ["B", "C"], "euclidean_distance_m": [1000.0, 1000.0]}
    )
    common = {"distance": "euclidean_distance_m", "median_dispersal": 1000.0}
    summary = connectivity(nodes, links, **common).summary.iloc[0]
    assert summary["ECA_km2"] == pytest.approx(math.sqrt(5.5), rel=1e-12)
    assert summary["PC"] == pytest.approx(5.5 / 9, rel=1e-12)
    change = connectivity_change(nodes, links, cut=[("B", "C")], **common)
    assert change.loc["ECA_km2", "after"] == pytest.approx(2.0, rel=1e-12)
    assert change.loc["PC", "after"] == pytest.approx(4 / 9, rel=1e-12)


def test_one_road_cell_costs_what_the_step_rule_says():
    # the step rule of the doc: a 200 m band cell of resistance 500 between forest
    # cells (1) costs 2 x 200 x (1 + 500) / 2, the LCD the notebook shows without the tunnel
    r = np.ones((1, 5))
    r[0, 2] = 500.0
    surface = Raster(r, (200.0, 0.0, 0.0, 0.0, -200.0, 200.0), 32652)
    cost = cost_distance(surface, (100.0, 100.0)).array
    assert cost[0, 3] - cost[0, 1] == 2 * 200.0 * (1.0 + 500.0) / 2

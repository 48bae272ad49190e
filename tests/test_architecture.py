"""The layout enforces the architecture: import contracts, no private imports, no cycles.

The layers themselves are import-linter contracts in ``pyproject.toml``
(``lint-imports``, also run by ``.ci/run``); these tests add what import-linter
cannot say: no module imports another module's private name, no subpackage
has an import cycle (its ``__init__`` included), and the 0.1 public paths still
resolve.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
import warnings
from pathlib import Path

import grimp
import pytest

import habitat
from habitat import _legacy

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "habitat"
SUBPACKAGES = sorted(
    p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file() and p.name != "__pycache__"
)

#: ``habitat.__all__`` of release 0.1.0, every name of which must keep working
ALL_0_1 = [
    "HabitatError", "Raster", "__version__", "crs", "distance_to_layer", "exclusivity",
    "datasets", "errors", "flag_relocations", "home_range", "home_ranges_from_polygons",
    "overlap_matrix", "overlap_with", "pairwise_overlap", "read_camera_traps", "read_geotiff",
    "read_relocations", "sex_pair_summary", "simulate_relocations", "summarise_layers",
    "summarise_relocations", "synthetic_ranges", "territory_table", "ud_overlap", "units",
    "write_geotiff", "write_territory_table",
]  # fmt: skip


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_import_contracts_hold() -> None:
    """``lint-imports``: layers, analysis never imports presentation, no sibling cycles."""
    exe = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # every contract of pyproject.toml was checked (a typo'd contract would be skipped silently)
    assert re.search(r"Contracts: 5 kept, 0 broken\.", result.stdout), result.stdout[-2000:]


def _private_imports(path: Path) -> list[str]:
    """``from habitat.x import _name`` and ``habitat.x._name`` uses across modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("habitat"):
            if node.module == here:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{here}:{node.lineno} imports {node.module}.{alias.name}")
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    offenders = [f for p in sorted(PACKAGE.rglob("*.py")) for f in _private_imports(p)]
    assert offenders == []


def test_private_import_check_can_fail(tmp_path: Path) -> None:
    """The check above sees a private import when there is one."""
    bad = PACKAGE / "core" / "_probe_private_import.py"
    try:
        bad.write_text("from habitat.core.crs import _secret\n", encoding="utf-8")
        assert _private_imports(bad) == [
            "habitat.core._probe_private_import:1 imports habitat.core.crs._secret"
        ]
    finally:
        bad.unlink()


def _cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """Import cycles among a package and its direct and indirect modules (DFS)."""
    members = {package} | graph.find_descendants(package)
    edges = {m: graph.find_modules_directly_imported_by(m) & members for m in members}
    colour: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if colour.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in colour:
                visit(nxt, stack)
        stack.pop()
        colour[node] = 2

    for m in sorted(members):
        if m not in colour:
            visit(m, [])
    return cycles


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("habitat", cache_dir=None)


@pytest.mark.parametrize("subpackage", SUBPACKAGES)
def test_no_import_cycle_inside_a_subpackage(graph: grimp.ImportGraph, subpackage: str) -> None:
    """Not even through the package ``__init__`` or imports inside functions."""
    assert _cycles(graph, f"habitat.{subpackage}") == []


def test_cycle_check_can_fail() -> None:
    g = grimp.ImportGraph()
    for m in ("p", "p.a", "p.b"):
        g.add_module(m)
    g.add_import(importer="p", imported="p.a")
    g.add_import(importer="p.a", imported="p")
    assert _cycles(g, "p") == [["p", "p.a", "p"]]


def test_layers_are_folders() -> None:
    """The README's layers are the package's folders (nothing else flat but the root)."""
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert flat == ["__init__.py", "__main__.py", "_legacy.py"]
    assert set(SUBPACKAGES) == {
        "batch", "cli", "core", "corridors", "datasets", "homerange", "io", "landscape", "maps",
        "movement", "overlap", "report",
    }  # fmt: skip


@pytest.mark.parametrize("name", ALL_0_1)
def test_every_0_1_public_name_still_works(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert getattr(habitat, name) is not None


@pytest.mark.parametrize(("old", "new"), sorted(_legacy.MOVED.items()))
def test_moved_module_paths_warn_and_are_the_new_module(old: str, new: str) -> None:
    short = old.split(".", 1)[1]
    _forget(old)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    # attribute access on the package (before any import of the old path) warns too
    _forget(old)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        assert getattr(habitat, short) is module


def _forget(old: str) -> None:
    """Undo an earlier import of an old path, as in a fresh interpreter."""
    sys.modules.pop(old, None)
    habitat.__dict__.pop(old.split(".", 1)[1], None)


def test_moved_module_old_from_import_works() -> None:
    _forget("habitat.overlap_ud")
    with pytest.warns(DeprecationWarning):
        from habitat.overlap_ud import ud_overlap  # type: ignore[import-not-found]
    assert ud_overlap is habitat.ud_overlap


@pytest.mark.parametrize(("old", "new"), sorted(_legacy.STABLE.items()))
def test_stable_short_paths_do_not_warn(old: str, new: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = habitat.no_such_thing  # type: ignore[attr-defined]


def test_py_typed_is_shipped() -> None:
    assert (PACKAGE / "py.typed").is_file()


def test_moved_function_warns_and_calls_its_new_home() -> None:
    """``habitat.homerange.curve.plot_area_curve`` (0.1) draws via habitat.report.figures."""
    import pandas as pd

    from habitat.homerange import curve
    from habitat.report import figures

    assert "plot_area_curve" not in curve.__dict__.get("__all__", [])
    called = {}

    def fake(data: object, **kwargs: object) -> str:
        called["args"] = (data, kwargs)
        return "figure"

    original = figures.plot_area_curve
    figures.plot_area_curve = fake  # type: ignore[assignment]
    try:
        with pytest.warns(DeprecationWarning, match=r"habitat\.report\.figures\.plot_area_curve"):
            from habitat.homerange.curve import plot_area_curve

            assert plot_area_curve(pd.DataFrame(), dpi=1) == "figure"
    finally:
        figures.plot_area_curve = original
    assert called["args"][1] == {"dpi": 1}


def test_library_code_never_uses_assert_for_checks() -> None:
    """Checks raise habitat errors; ``assert`` vanishes under ``python -O``."""
    found = [
        f"{_module_name(p)}:{node.lineno}"
        for p in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert found == []

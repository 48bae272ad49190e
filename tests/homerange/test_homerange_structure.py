"""The homerange package imports one way: no hidden cycles, no private names across modules.

And home_range, a pipeline of private steps, still warns at its caller.
"""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

import habitat
import habitat.homerange
from habitat.core.errors import DataQualityWarning
from habitat.homerange.base import GridTooSmallWarning

PACKAGE_DIR = Path(habitat.homerange.__file__).parent
SUBMODULES = sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE_DIR)]))
ROOT = PACKAGE_DIR.parents[1]

#: every public name ``habitat.homerange`` offered before the re-layout
PUBLIC_NAMES = [
    "DEFAULT_EXPECTED_AREA_SQ_MI",
    "METHODS",
    "MIN_FIXES",
    "RECOMMENDED_MIN_FIXES",
    "Estimate",
    "PreparedFixes",
    "check_levels",
    "estimation_crs",
    "home_range",
    "home_ranges_from_polygons",
    "prepare_fixes",
    "synthetic_ranges",
    "utilization_distribution",
]


def _tree(name: str) -> ast.Module:
    return ast.parse((PACKAGE_DIR / f"{name}.py").read_text(encoding="utf-8"))


def test_the_submodules_are_the_documented_ones():
    assert set(SUBMODULES) >= {
        "bandwidth",
        "base",
        "bbmm",
        "curve",
        "estimate",
        "fixes",
        "grid",
        "kde",
        "locoh",
        "mcp",
        "plausibility",
        "polygons",
        "ud",
    }


def test_every_submodule_imports_first_in_a_fresh_interpreter():
    # one interpreter; before each submodule every habitat module is forgotten, so the
    # submodule is the first of habitat.homerange to be imported (third-party
    # packages stay loaded, which keeps this fast)
    code = f"""
import importlib, sys
failed = []
for name in {SUBMODULES!r}:
    for mod in [m for m in sys.modules if m == "habitat" or m.startswith("habitat.")]:
        del sys.modules[mod]
    try:
        importlib.import_module("habitat.homerange." + name)
    except Exception as exc:
        failed.append(f"{{name}}: {{exc!r}}")
sys.exit("\\n".join(failed) or None)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("order", [SUBMODULES, SUBMODULES[::-1]])
def test_submodules_import_in_any_order(order):
    code = "; ".join(f"import habitat.homerange.{name}" for name in order)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_package_module_only_re_exports():
    tree = ast.parse((PACKAGE_DIR / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.ImportFrom):
            assert node.module == "__future__" or node.module.startswith("habitat.homerange.")
            continue
        assert isinstance(node, ast.Assign) and node.targets[0].id == "__all__", ast.dump(node)


@pytest.mark.parametrize("name", SUBMODULES)
def test_no_import_inside_functions(name):
    # a function-level import is how a cycle hides; imports go at the top
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = [n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
            assert not inner, f"{name}.{node.name} imports inside the function"


@pytest.mark.parametrize(
    "path",
    [
        *(f"habitat/homerange/{m}.py" for m in SUBMODULES),
        "habitat/overlap/ud.py",
        "habitat/report/figures.py",
    ],
)
def test_no_private_name_is_imported_from_another_module(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("habitat"):
            private = [a.name for a in node.names if a.name.startswith("_")]
            assert not private, f"{path} imports {private} from {node.module}"
            assert not any(part.startswith("_") for part in node.module.split(".")), node.module


def test_public_names_stay_importable_from_the_package():
    missing = [n for n in PUBLIC_NAMES if not hasattr(habitat.homerange, n)]
    assert not missing
    assert set(PUBLIC_NAMES) <= set(habitat.homerange.__all__)
    assert habitat.homerange.METHODS == {
        "mcp": "habitat.homerange.mcp",
        "kde": "habitat.homerange.kde",
        "locoh": "habitat.homerange.locoh",
        "bbmm": "habitat.homerange.bbmm",
        "akde": "habitat.homerange.akde",
    }


def test_analysis_does_not_import_matplotlib():
    code = (
        "import sys, habitat.homerange, habitat.homerange.curve, habitat.overlap; "
        "sys.exit('matplotlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr or "matplotlib was imported by analysis"


def _short_leopards():
    fixes, _ = habitat.simulate_relocations(n_females=1, n_males=1, days=10, seed=3)
    return fixes


def test_home_range_warnings_point_at_its_caller():
    """Each warning home_range gives, from whichever of its steps, names the caller's line."""
    fixes = _short_leopards()
    with pytest.warns(GridTooSmallWarning) as grid:  # re-warned per animal, naming it
        habitat.home_range(fixes, method="kde", grid=10, extent=0.0, levels=0.99, species=None)
    assert [w.filename for w in grid] == [__file__, __file__]
    assert [str(w.message).split(":")[0] for w in grid] == ["individual 'F01'", "individual 'M01'"]

    nan_fix = fixes.copy()
    nan_fix.loc[nan_fix.index[3], "geometry"] = shapely.Point(np.nan, np.nan)
    with pytest.warns(DataQualityWarning, match="left out") as left_out:  # from prepare_fixes
        habitat.home_range(nan_fix, method="mcp", species=None)
    assert [w.filename for w in left_out] == [__file__]

    degrees_as_metres = fixes.set_crs("EPSG:32652", allow_override=True)
    with pytest.warns(DataQualityWarning, match="cannot be trusted") as untrusted:
        habitat.home_range(degrees_as_metres, method="mcp", species=None)
    assert [w.filename for w in untrusted] == [__file__]

"""Every Python block of the README runs, in order, as a new user would run it.

The blocks are executed in one namespace, in a temporary folder holding the
files they read: ``collars.csv`` (the bundled demo, a Movebank export),
``fixes.csv`` (a generic CSV of three of those leopards in UTM 52N with local
times) and an analyst's own study area and fishers (``parks.gpkg``,
``roads.shp``, ``fishers.csv``, ``fisher.toml``, ``study_area.toml``... from
``tests/workflow/own_area.py``). A block that stops working fails here, so the
README cannot drift from the code. The TOML config shown in the README is loaded
by ``load_config`` too.
"""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
from workflow.own_area import write_own_study_area

from habitat.batch import load_config
from habitat.batch.demo import load_demo_relocations
from habitat.datasets import data_path

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(language: str) -> list[str]:
    return [
        body for lang, body in FENCE.findall(README.read_text(encoding="utf-8")) if lang == language
    ]


@pytest.fixture
def user_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(data_path("relocations", "demo_leopards.csv"), tmp_path / "collars.csv")
    fixes = load_demo_relocations().to_crs("EPSG:32652")
    three = fixes[fixes["individual"].isin(sorted(fixes["individual"].unique())[:3])]
    three = three.groupby("individual").head(300)
    pd.DataFrame(
        {
            "individual": three["individual"].to_numpy(),
            "timestamp": three["timestamp"]
            .dt.tz_convert("Asia/Vladivostok")
            .dt.strftime("%Y-%m-%d %H:%M:%S")
            .to_numpy(),
            "x": three.geometry.x.round(1).to_numpy(),
            "y": three.geometry.y.round(1).to_numpy(),
        }
    ).to_csv(tmp_path / "fixes.csv", index=False)
    write_own_study_area(tmp_path)  # parks.gpkg, roads.shp, fishers.csv... of the own-area section
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_readme_has_python_blocks() -> None:
    assert len(blocks("python")) >= 2


def test_every_python_block_runs(user_folder: Path) -> None:
    namespace: dict[str, object] = {"__name__": "__main__"}  # as a pasted script runs
    with warnings.catch_warnings():
        # the README shows current names only: no deprecated spelling in it
        warnings.simplefilter("error", DeprecationWarning)
        for i, code in enumerate(blocks("python")):
            try:
                exec(compile(code, f"README.md python block {i + 1}", "exec"), namespace)
            except Exception as exc:  # pragma: no cover - the failure message is the point
                raise AssertionError(
                    f"README python block {i + 1} failed: {exc!r}\n{code}"
                ) from exc
    # what the blocks promise, checked
    assert (user_folder / "map.html").stat().st_size > 10_000
    assert (user_folder / "report" / "index.html").is_file()
    assert (user_folder / "fisher-report" / "index.html").is_file()
    kde = namespace["kde"]
    assert {"area_km2", "area_sq_mi", "plausible"} <= set(kde.columns)  # type: ignore[attr-defined]


def test_blocks_with_worker_processes_show_the_main_guard() -> None:
    # a script starting worker processes must guard its work, or each worker re-runs it
    parallel = [b for b in blocks("python") if re.search(r"workers\s*=\s*([2-9]|\d\d)", b)]
    assert parallel
    for block in parallel:
        assert 'if __name__ == "__main__":' in block, block


def test_readme_toml_config_loads(tmp_path: Path) -> None:
    (config,) = blocks("toml")
    (tmp_path / "report.toml").write_text(config, encoding="utf-8")
    for name in ("collars_2025.csv", "reference.csv", "roads_2025.gpkg"):
        (tmp_path / name).write_text("", encoding="utf-8")
    options, inputs = load_config(tmp_path / "report.toml")
    assert options.methods == ("kde", "mcp")
    assert options.levels == (0.5, 0.95)
    assert options.title == "Season 2025"
    assert Path(inputs["relocations"]).name == "collars_2025.csv"

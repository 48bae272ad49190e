"""``habitat report --no-fragmentation`` and ``--corridors``: the flags reach run_report."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from habitat.batch import runner as batch_runner
from habitat.cli import cli


@pytest.fixture
def ranges_file(tmp_path: Path) -> Path:
    polys = [shapely.Point(131.1 + 0.1 * k, 43.2).buffer(0.05) for k in range(2)]
    gdf = gpd.GeoDataFrame({"individual": ["A", "B"]}, geometry=polys, crs="EPSG:4326")
    path = tmp_path / "ranges.gpkg"
    gdf.to_file(path)
    return path


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """run_report replaced by a recorder (the report itself is tested in tests/batch)."""
    seen: list[dict[str, Any]] = []

    def record(data: Any, out_dir: Any, **kw: Any) -> Any:
        seen.append(kw)
        return types.SimpleNamespace(index=tmp_path / "index.html", ok=True)

    monkeypatch.setattr(batch_runner, "run_report", record)
    return seen


@pytest.mark.parametrize(("flags", "expected"), [([], None), (["--no-fragmentation"], False)])
def test_no_fragmentation_turns_the_metrics_off(ranges_file, calls, tmp_path, flags, expected):
    r = CliRunner().invoke(cli, ["report", str(ranges_file), "--out", str(tmp_path / "r"), *flags])
    assert r.exit_code == 0, r.output
    assert len(calls) == 1
    assert calls[0]["fragmentation"] is expected  # None: measured when there is a land cover


def test_help_says_what_the_flag_does():
    r = CliRunner().invoke(cli, ["report", "--help"])
    assert r.exit_code == 0
    assert "--no-fragmentation" in r.output
    assert "fragmentation.csv" in r.output


@pytest.mark.parametrize(("flags", "expected"), [([], None), (["--corridors"], True)])
def test_corridors_flag_asks_run_report_for_corridors(
    ranges_file, calls, tmp_path, flags, expected
):
    r = CliRunner().invoke(cli, ["report", str(ranges_file), "--out", str(tmp_path / "r"), *flags])
    assert r.exit_code == 0, r.output
    assert calls[0]["corridors"] is expected  # None: no corridors (run_report's default)
    help_text = CliRunner().invoke(cli, ["report", "--help"]).output
    assert "--corridors" in help_text and "connectivity.csv" in help_text

import json
import re

import pytest
from click.testing import CliRunner

import habitat
from habitat.cli import cli


@pytest.fixture
def runner():
    return CliRunner()


def test_version_and_help(runner):
    r = runner.invoke(cli, ["--version"])
    assert r.exit_code == 0 and r.output.strip() == f"habitat, version {habitat.__version__}"
    r = runner.invoke(cli, ["--help"])
    assert r.exit_code == 0
    for cmd in ("demo", "layers"):
        assert re.search(rf"^\s+{cmd}\s", r.output, re.M)


def test_layers_lists_areas_in_km2_and_sq_mi(runner):
    r = runner.invoke(cli, ["layers", "--json"])
    assert r.exit_code == 0, r.output
    rows = {row["layer"]: row for row in json.loads(r.stdout)}
    park = rows["land_of_the_leopard"]
    assert park["area_km2"] == pytest.approx(2620, rel=0.02)
    assert park["area_sq_mi"] == pytest.approx(park["area_km2"] / 2.589988110336, rel=1e-12)
    assert rows["roads"]["length_km"] > 100
    table = runner.invoke(cli, ["layers"]).stdout
    assert "land_of_the_leopard" in table and "area_sq_mi" in table


def test_demo_writes_map_and_tables(runner, tmp_path):
    out = tmp_path / "demo"
    r = runner.invoke(cli, ["demo", "--out", str(out)])
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "home_ranges.csv",
        "home_ranges.gpkg",
        "layers.csv",
        "relocation_flags.csv",
        "relocation_summary.csv",
        "study_area_map.html",
        "territories.csv",
        "territories.gpkg",
    ]
    page = (out / "study_area_map.html").read_text()
    assert "Land of the Leopard NP" in page and "Kedrovaya Pad" in page
    assert page.count("Fixes: ") >= 12  # one layer per demo leopard
    # the bundled demo has 12 animals
    summary = (out / "relocation_summary.csv").read_text().splitlines()
    assert len(summary) == 13
    # MCP and KDE at 50 % and 95 % for each of them, also as a GeoPackage
    import geopandas as gpd

    ranges = gpd.read_file(out / "home_ranges.gpkg")
    assert len(ranges) == 12 * 2 * 2 and set(ranges["method"]) == {"mcp", "kde"}
    assert ranges.crs.to_epsg() == 4326 and ranges.geometry.is_valid.all()
    assert "Home ranges (mcp)" in page  # the 95 % MCPs, coloured by share protected
    assert "share protected (0-1)" in page


def test_demo_refuses_existing_output_without_overwrite(runner, tmp_path):
    out = tmp_path / "demo"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    r = runner.invoke(cli, ["demo", "--out", str(out)])
    assert r.exit_code == 1
    assert "already exists" in r.output and "--overwrite" in r.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    r = runner.invoke(cli, ["demo", "--out", str(out), "--overwrite"])
    assert r.exit_code == 0, r.output
    assert (out / "keep.txt").read_text() == "mine"
    assert (out / "study_area_map.html").exists()


def test_logs_go_to_stderr_not_stdout(tmp_path):
    r = CliRunner().invoke(cli, ["-v", "demo", "--out", str(tmp_path / "d")])
    assert r.exit_code == 0
    assert "habitat:" in r.stderr
    assert "habitat:" not in r.stdout
    assert all(line.endswith((".csv", ".html", ".gpkg")) for line in r.stdout.splitlines())

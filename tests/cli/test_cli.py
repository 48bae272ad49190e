import json
import re

import numpy as np
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
    for cmd in ("demo", "layers", "report"):
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
        "corridors.csv",
        "corridors.gpkg",
        "home_ranges.csv",
        "home_ranges.gpkg",
        "layers.csv",
        "relocation_flags.csv",
        "relocation_summary.csv",
        "report",
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
    # MCP, KDE and AKDE at 50 % and 95 % for each of them, also as a GeoPackage
    import geopandas as gpd

    ranges = gpd.read_file(out / "home_ranges.gpkg", layer="home_ranges")
    assert len(ranges) == 12 * 2 * 3 and set(ranges["method"]) == {"mcp", "kde", "akde"}
    assert ranges.crs.to_epsg() == 4326 and ranges.geometry.is_valid.all()
    for side in ("low", "high"):  # the AKDE intervals' bounds, a layer each
        bound = gpd.read_file(out / "home_ranges.gpkg", layer=f"home_ranges_{side}")
        assert len(bound) == 12 * 2 and set(bound["method"]) == {"akde"}
    assert "Home ranges (mcp)" in page  # the 95 % MCPs, coloured by share protected
    assert "share protected (0-1)" in page
    assert "Home ranges (akde)" in page and "Home-range intervals (akde)" in page
    # the full report set: an index and one page (with map and figures) per leopard
    index = (out / "report" / "index.html").read_text()
    pages = sorted((out / "report" / "pages").glob("*.html"))
    assert len(pages) == 12 and "12 of 12 animals reported" in index
    for p in pages:
        assert (p.parent / p.stem / "map.html").is_file()
        assert (p.parent / p.stem / "area_curve.png").is_file()
        assert f'href="pages/{p.name}"' in index


def test_demo_refuses_existing_output_without_overwrite(runner, tmp_path):
    out = tmp_path / "demo"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    r = runner.invoke(cli, ["demo", "--out", str(out), "--no-report"])
    assert r.exit_code == 1
    assert "already exists" in r.output and "--overwrite" in r.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    # with -v: logs go to stderr, stdout lists the files written (one demo run for both checks)
    r = CliRunner().invoke(cli, ["-v", "demo", "--out", str(out), "--overwrite", "--no-report"])
    assert r.exit_code == 0, r.output
    assert (out / "keep.txt").read_text() == "mine"
    assert (out / "study_area_map.html").exists()
    assert "habitat:" in r.stderr
    assert "habitat:" not in r.stdout
    assert all(line.endswith((".csv", ".html", ".gpkg")) for line in r.stdout.splitlines())


def test_report_help_documents_every_option(runner):
    r = runner.invoke(cli, ["report", "--help"])
    assert r.exit_code == 0
    for opt in (
        "--out",
        "--config",
        "--reference",
        "--method",
        "--level",
        "--overwrite",
        "--workers",
        "--scheduler",
        "--title",
        "--no-area-curve",
    ):
        assert opt in r.output
    assert "Exit status" in r.output


def _ranges_file(tmp_path, *, broken: bool):
    import geopandas as gpd
    import shapely

    polys = [shapely.Point(131.1 + 0.1 * k, 43.2).buffer(0.05) for k in range(3)]
    ids = ["A", "B", "<b>C</b>"]
    if broken:
        polys.append(shapely.Polygon())
        ids.append("Empty")
    gdf = gpd.GeoDataFrame(
        {"individual": ids, "sex": ["F", "M", "F", "M"][: len(ids)]},
        geometry=polys,
        crs="EPSG:4326",
    )
    path = tmp_path / "ranges.gpkg"
    gdf.to_file(path)
    return path


def test_report_exit_status_says_some_failed(runner, tmp_path):
    path = _ranges_file(tmp_path, broken=True)
    out = tmp_path / "rep"
    r = runner.invoke(cli, ["report", str(path), "--out", str(out)])
    assert r.exit_code == 3, r.output
    assert "1 animal(s) failed" in r.stderr
    assert r.stdout.strip() == str(out / "index.html")
    fail = (out / "failures.csv").read_text().splitlines()
    assert len(fail) == 2 and fail[1].startswith("Empty,estimate,EmptyDataError,")
    assert len(list((out / "pages").glob("*.html"))) == 3
    ok = runner.invoke(
        cli, ["report", str(_ranges_file(tmp_path, broken=False)), "--out", str(tmp_path / "ok")]
    )
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(cli, ["report", str(tmp_path / "missing.csv"), "--out", str(out)])
    assert bad.exit_code == 1 and "does not exist" in bad.output


@pytest.mark.slow
def test_report_killed_midway_leaves_no_partial_file_and_resumes(tmp_path):
    """A batch with two broken animals, killed with SIGKILL midway, then re-run."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import geopandas as gpd
    import pandas as pd
    import shapely

    from habitat.batch.demo import load_demo_relocations

    fixes = load_demo_relocations()
    fixes = fixes[~fixes["flag_any"]][["individual", "timestamp", "sex", "geometry"]]
    few = fixes[fixes["individual"] == "Leo 1F"].iloc[:3].assign(individual="Few fixes")
    same = fixes[fixes["individual"] == "Leo 2F"].iloc[:30].assign(individual="One place")
    same["geometry"] = shapely.points(np.full(30, 131.1), np.full(30, 43.2))
    data = gpd.GeoDataFrame(pd.concat([fixes, few, same], ignore_index=True), crs=fixes.crs)
    source = tmp_path / "season.gpkg"
    data.to_file(source)

    out = tmp_path / "rep"
    cmd = [
        sys.executable,
        "-m",
        "habitat",
        "report",
        str(source),
        "--out",
        str(out),
        "--no-area-curve",
    ]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        done = list((out / "pages").glob("*.html")) if (out / "pages").exists() else []
        if len(done) >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = {p.name for p in (out / "pages").glob("*.html")}
    assert 3 <= len(before) < 12
    for p in (out / "pages").glob("*.html"):  # every page there is whole
        assert p.read_text(encoding="utf-8").rstrip().endswith("</html>")
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 3, again.stderr  # finished, but two animals failed
    assert again.stderr.count("page") and again.stderr.count("already done") >= 12 + len(before)
    after = {p.name for p in (out / "pages").glob("*.html")}
    assert len(after) == 12 and before <= after
    assert not [p for p in out.rglob(".*.tmp*")]
    fail = pd.read_csv(out / "failures.csv")
    assert sorted(fail["individual"]) == ["Few fixes", "One place"]
    index = (out / "index.html").read_text()
    assert "12 of 14 animals reported" in index and "2 failed" in index

"""``habitat corridors``: rasters (GeoTIFF) and the link table (GeoPackage) of habitat.corridors."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

import habitat.corridors as hc
from habitat.cli import cli
from habitat.core.errors import DataQualityWarning
from habitat.core.tables import CORRIDORS
from habitat.io.raster import Raster, read_geotiff, write_geotiff

CELL_M = 100.0
LEFT, TOP = 600_000.0, 4_802_500.0
CRS = "EPSG:32652"
TRANSFORM = (CELL_M, 0.0, LEFT, 0.0, -CELL_M, TOP)


def _cores() -> gpd.GeoDataFrame:
    """Two 500 m square cores 2 km apart edge to edge (the linkage doctest's, moved into UTM)."""
    return gpd.GeoDataFrame(
        {"park": ["west", "east"]},
        geometry=[
            shapely.box(LEFT + 500, TOP - 1500, LEFT + 1000, TOP - 1000),
            shapely.box(LEFT + 3000, TOP - 1500, LEFT + 3500, TOP - 1000),
        ],
        crs=CRS,
    )


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def uniform_path(tmp_path: Path) -> Path:
    """A 25 x 40 resistance surface of 1 (100 m cells)."""
    return write_geotiff(Raster(np.ones((25, 40)), TRANSFORM, CRS), tmp_path / "uniform.tif")


@pytest.fixture
def cores_path(tmp_path: Path) -> Path:
    path = tmp_path / "cores.gpkg"
    _cores().to_file(path, layer="cores")
    return path


def _cover() -> np.ndarray:
    """Forest (1) with a band of farmland (3) across the middle and a lake (5), nodata corner 0."""
    cover = np.ones((25, 40), dtype="uint8")
    cover[:, 18:22] = 3
    cover[2:6, 25:30] = 5
    cover[:2, :3] = 0
    return cover


@pytest.fixture
def cover_path(tmp_path: Path) -> Path:
    cover = Raster(
        _cover(),
        TRANSFORM,
        CRS,
        nodata=0,
        classes={1: "forest", 3: "agriculture", 5: "water"},
    )
    return write_geotiff(cover, tmp_path / "cover.tif")


def _road() -> gpd.GeoDataFrame:
    """A north-south road across the gap between the cores, and a tunnel under it."""
    x = LEFT + 2000
    return gpd.GeoDataFrame(
        {"kind": ["regional"]},
        geometry=[shapely.LineString([(x, TOP), (x, TOP - 2500)])],
        crs=CRS,
    )


def _run(runner: CliRunner, args: list[str]):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, ["corridors", *args], catch_exceptions=False)


def _links(out: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(out / "links.gpkg", layer="links")


# ---------------------------------------------------------------------------- results


def test_listed_in_help(runner: CliRunner) -> None:
    r = runner.invoke(cli, ["--help"])
    assert r.exit_code == 0 and "corridors" in r.output
    r = runner.invoke(cli, ["corridors", "--help"])
    assert r.exit_code == 0
    for option in ("--cores", "--table", "--leopard", "--bundled", "--pairs", "--cutoff"):
        assert option in r.output
    assert "links.gpkg" in r.output and "pinch_points.tif" in r.output


def test_uniform_surface_gives_the_analytic_link(runner, uniform_path, cores_path, tmp_path):
    """21 steps of 100 m at resistance 1; widths 900 / 1,100 m at a cutoff of 300 (by hand)."""
    out = tmp_path / "out"
    r = _run(
        runner,
        [
            str(uniform_path),
            "--cores",
            str(cores_path),
            "--core-id",
            "park",
            "--cutoff",
            "300",
            "--cost-distance",
            "--median-dispersal",
            "2100",
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    names = {
        "resistance.tif",
        "cost_distance.tif",
        "corridors.tif",
        "current.tif",
        "pinch_points.tif",
        "links.gpkg",
        "connectivity.csv",
    }
    assert {p.name for p in out.iterdir()} == names  # no temporaries left behind
    assert r.stdout.startswith("1 link(s), ") and str(out) in r.stdout
    assert sorted(pyogrio.list_layers(out / "links.gpkg")[:, 0]) == ["corridors", "links"]
    links = _links(out)
    CORRIDORS.validate(links)
    link = links.iloc[0]
    assert (link.from_id, link.to_id) == ("west", "east")
    assert link.cost_weighted_distance == pytest.approx(2100.0, rel=1e-12)
    assert link.length_m == pytest.approx(2100.0, rel=1e-12)
    assert link.euclidean_distance_m == pytest.approx(2000.0, rel=1e-12)
    assert (link.min_width_m, link.width_m) == pytest.approx((900.0, 1100.0), rel=1e-12)
    assert links.crs.to_epsg() == 32652
    # from the centre of a cell on the west core's east edge to one on the east core's west edge
    ends = shapely.get_coordinates(link.geometry)[[0, -1]]
    assert ends[:, 0].tolist() == pytest.approx([LEFT + 950.0, LEFT + 3050.0], abs=1e-6)
    assert (TOP - 1500 < ends[:, 1]).all() and (ends[:, 1] < TOP - 1000).all()
    # accumulated cost: 0 on the cores, 100 one cell east of the west core's edge
    cost = read_geotiff(out / "cost_distance.tif")
    assert cost.transform == TRANSFORM and cost.crs.to_epsg() == 32652
    assert cost.array[12, 7] == 0.0 and cost.array[12, 10] == pytest.approx(100.0)
    assert cost.array[12, 20] == pytest.approx(1000.0)  # mid-gap: 10 cells from both
    # the normalised corridor CWD_A + CWD_B - LCD: 0 in front of the cores (rows 10-14), a
    # detour of k cells sideways costs 2 k (sqrt 2 - 1) 100 more, NaN beyond 300 (k = 4)
    surface = read_geotiff(out / "corridors.tif").array
    assert (surface[10:15, 12:28] == 0.0).all()
    detour = 2 * (math.sqrt(2.0) - 1) * 100.0
    for k in (1, 2, 3):
        assert surface[10 - k, 20] == pytest.approx(k * detour, rel=1e-9)
        assert surface[14 + k, 20] == pytest.approx(k * detour, rel=1e-9)
    assert np.isnan(surface[6, 20]) and np.isnan(surface[18, 20])
    # connectivity: p = 0.5 at the LCD, a = 0.25 km² each: PCnum = 3 a², ECA = a √3
    summary = pd.read_csv(out / "connectivity.csv")
    assert summary["ECA_km2"].iat[0] == pytest.approx(0.25 * math.sqrt(3.0), rel=2e-3)
    assert summary["PC"].iat[0] == pytest.approx(0.75, rel=1e-9)  # A_L = sum of areas


def test_outputs_equal_the_python_calls(runner, uniform_path, cores_path, tmp_path):
    """A surface with a costly band and a gap: every file as habitat.corridors computes it."""
    values = np.ones((25, 40))
    values[:, 20] = np.nan  # an impassable band...
    values[10:13, 20] = 2.0  # ...with a gap: the pinch
    values[20:, 30:] = np.nan  # and a hole of nodata
    values[:, 10] = 20.0  # a costly column
    path = write_geotiff(Raster(values, TRANSFORM, CRS, nodata=float("nan")), tmp_path / "r.tif")
    out = tmp_path / "out"
    r = _run(
        runner,
        [
            str(path),
            "--cores",
            str(cores_path),
            "--core-id",
            "park",
            "--cutoff",
            "2000",
            "--percentile",
            "99",
            "--neighbours",
            "4",
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    resistance = read_geotiff(path)
    cores = _cores()
    with pytest.warns(DataQualityWarning, match="raster's edge"):
        expected = hc.corridors(resistance, cores, id_column="park", cutoff=2000.0)
    flow = hc.current_flow(resistance, cores, id_column="park", neighbours=4)
    labels, _ = hc.node_cells(cores, resistance, id_column="park")
    corridor = np.isfinite(expected.surface.array) & (labels == 0)
    pinch = hc.pinch_points(flow, within=corridor, percentile=99.0)
    np.testing.assert_array_equal(read_geotiff(out / "resistance.tif").array, values)
    np.testing.assert_array_equal(read_geotiff(out / "corridors.tif").array, expected.surface.array)
    np.testing.assert_array_equal(read_geotiff(out / "current.tif").array, flow.current.array)
    got_pinch = read_geotiff(out / "pinch_points.tif")
    np.testing.assert_array_equal(got_pinch.array, pinch.array)
    assert got_pinch.nodata == 255
    # the 1 % of corridor cells with the most current crowd around the gap, not on the
    # cores (every core cell carries the full 1 A of the pair)
    rows, cols = np.nonzero(got_pinch.array == 1)
    assert len(rows) >= 3 and np.isin(rows, [9, 10, 11, 12, 13]).all()
    assert np.isin(cols, [19, 20, 21]).all()
    assert (got_pinch.array[labels > 0] == 0).all()
    assert np.array_equal(got_pinch.array == 255, np.isnan(values))
    links = _links(out)
    columns = [c for c in expected.links.columns if c != "geometry"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(links[columns]),
        pd.DataFrame(expected.links[columns]).reset_index(drop=True),
        check_dtype=False,
    )
    assert shapely.equals_exact(
        links.geometry.to_numpy(), expected.links.geometry.to_numpy(), tolerance=1e-6
    ).all()
    assert "raster's edge" in links["note"].iat[0]  # the flag travels with the link
    assert "raster's edge" in r.stderr  # and the warning is shown
    # the link's effective resistance is the circuit's for its pair
    assert links["effective_resistance"].iat[0] == pytest.approx(
        float(flow.resistances.loc["west", "east"]), rel=1e-12
    )
    polygons = gpd.read_file(out / "links.gpkg", layer="corridors")
    assert polygons["corridor_area_km2"].tolist() == pytest.approx(
        expected.polygons["corridor_area_km2"].tolist(), rel=1e-12
    )
    assert not (out / "connectivity.csv").exists()  # no --median-dispersal


def test_land_cover_with_table_barriers_and_crossing(runner, cover_path, cores_path, tmp_path):
    """--table CSV and --barrier-table CSV build the surface resistance_surface builds."""
    table = tmp_path / "classes.csv"
    table.write_text("class,resistance\nforest,1\n3,50\nwater,\n")  # water: impassable
    kinds = tmp_path / "kinds.csv"
    kinds.write_text("kind,resistance,width_m\nregional,500,15\ntunnel,,\n")
    roads = tmp_path / "roads.gpkg"
    _road().to_file(roads, layer="roads")
    tunnel = gpd.GeoDataFrame(
        geometry=[shapely.Point(LEFT + 2000, TOP - 1250).buffer(150.0)], crs=CRS
    ).to_crs(4326)  # another CRS: aligned by the library
    tunnel_path = tmp_path / "tunnel.geojson"
    tunnel.to_file(tunnel_path)
    base = [
        str(cover_path),
        "--cores",
        str(cores_path),
        "--core-id",
        "park",
        "--table",
        str(table),
        "--barriers",
        str(roads),
        "--barrier-table",
        str(kinds),
        "--cutoff",
        "1000",
        "--no-current",
    ]
    out = tmp_path / "with"
    r = _run(runner, [*base, "--crossings", str(tunnel_path), "-o", str(out)])
    assert r.exit_code == 0, r.output
    cover = read_geotiff(cover_path)
    expected = hc.resistance_surface(
        cover,
        table={"forest": 1.0, 3: 50.0, "water": float("nan")},
        barriers=_road(),
        barrier_table=pd.DataFrame({"resistance": [500.0], "width_m": [15.0]}, index=["regional"]),
        crossings=gpd.read_file(tunnel_path),
    )
    got = read_geotiff(out / "resistance.tif")
    np.testing.assert_array_equal(got.array, expected.array)
    assert np.isnan(got.array[3, 27]) and np.isnan(got.array[0, 0])  # water, nodata
    assert got.array[0, 20] == 500.0 and got.array[12, 20] == 50.0  # road; farmland at the tunnel
    assert {p.name for p in out.iterdir()} == {"resistance.tif", "corridors.tif", "links.gpkg"}
    with_tunnel = _links(out)["cost_weighted_distance"].iat[0]
    # without the crossing the road is whole: the link costs more, never less
    out2 = tmp_path / "without"
    r = _run(runner, [*base, "-o", str(out2)])
    assert r.exit_code == 0, r.output
    assert read_geotiff(out2 / "resistance.tif").array[12, 20] == 500.0
    assert _links(out2)["cost_weighted_distance"].iat[0] > with_tunnel


def test_bundled_parks_with_and_without_the_tunnel(runner, tmp_path):
    out = tmp_path / "bundled"
    args = ["--bundled", "--cell-size-m", "1000", "--cutoff", "20000"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        r = _run(runner, [*args, "--median-dispersal", "20000", "-o", str(out)])
    assert r.exit_code == 0, r.output
    links = _links(out)
    parks = {
        "Land of the Leopard National Park",
        "Kedrovaya Pad Nature Reserve",
        "Northeast China Tiger and Leopard National Park",
    }
    assert set(links["from_id"]) | set(links["to_id"]) <= parks and len(links) >= 2
    assert (links["effective_resistance"] > 0).all()
    assert np.isfinite(links["cost_weighted_distance"]).all()
    resistance = read_geotiff(out / "resistance.tif")
    assert resistance.cell_size_m == 1000.0 and resistance.crs.to_epsg() == 32652
    assert set(np.unique(read_geotiff(out / "pinch_points.tif").array)) <= {0, 1, 255}
    assert (read_geotiff(out / "pinch_points.tif").array == 1).any()
    assert pd.read_csv(out / "connectivity.csv")["n_nodes"].iat[0] == 3
    # without the Narvinsky tunnel: the highway is whole, no cell gets easier
    out2 = tmp_path / "no_tunnel"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        r = _run(runner, [*args, "--no-crossings", "--no-current", "-o", str(out2)])
    assert r.exit_code == 0, r.output
    closed = read_geotiff(out2 / "resistance.tif").array
    both = np.isfinite(closed) & np.isfinite(resistance.array)
    assert (closed[both] >= resistance.array[both]).all()
    assert (closed[both] > resistance.array[both]).any()


def test_pairs_within_and_all(runner, uniform_path, tmp_path):
    """Three cores in a row: 'adjacent' skips the outer pair, 'all' keeps it, 'within' filters."""
    cores = gpd.GeoDataFrame(
        {"name": ["a", "b", "c"]},
        geometry=[
            shapely.box(LEFT + 200, TOP - 1500, LEFT + 600, TOP - 1000),
            shapely.box(LEFT + 1800, TOP - 1500, LEFT + 2200, TOP - 1000),
            shapely.box(LEFT + 3400, TOP - 1500, LEFT + 3800, TOP - 1000),
        ],
        crs=CRS,
    )
    path = tmp_path / "three.geojson"
    cores.to_file(path)
    base = [str(uniform_path), "--cores", str(path), "--core-id", "name", "--no-current"]
    pairs = {}
    for option in (["--pairs", "adjacent"], ["--pairs", "all"]):
        out = tmp_path / option[1]
        r = _run(runner, [*base, *option, "--cutoff", "500", "-o", str(out)])
        assert r.exit_code == 0, r.output
        links = _links(out)
        pairs[option[1]] = {
            frozenset(p) for p in zip(links["from_id"], links["to_id"], strict=True)
        }
    assert pairs["adjacent"] == {frozenset("ab"), frozenset("bc")}
    assert pairs["all"] == {frozenset("ab"), frozenset("bc"), frozenset("ac")}
    out = tmp_path / "within"
    r = _run(runner, [*base, "--pairs", "within", "--max-distance-m", "2000", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert len(_links(out)) == 2  # a-c is 2,800 m apart edge to edge


# ---------------------------------------------------------------------------- bad input


def test_raster_or_bundled_and_cores_are_required(runner, uniform_path, cores_path, tmp_path):
    out = tmp_path / "out"
    r = runner.invoke(cli, ["corridors", "--cores", str(cores_path), "-o", str(out)])
    assert r.exit_code == 1 and "RASTER" in r.output and "--bundled" in r.output
    r = runner.invoke(cli, ["corridors", str(uniform_path), "--bundled", "-o", str(out)])
    assert r.exit_code == 1 and "not both" in r.output
    r = runner.invoke(cli, ["corridors", str(uniform_path), "-o", str(out)])
    assert r.exit_code == 1 and "--cores FILE is required" in r.output
    r = runner.invoke(
        cli,
        ["corridors", str(uniform_path), "--cores", str(cores_path), "--pairs", "within",
         "-o", str(out)],
    )  # fmt: skip
    assert r.exit_code == 1 and "--max-distance-m" in r.output
    r = runner.invoke(
        cli, ["corridors", str(uniform_path), "--cores", str(cores_path), "--no-crossings",
              "-o", str(out)],
    )  # fmt: skip
    assert r.exit_code == 1 and "--bundled" in r.output
    assert "Traceback" not in r.output and not out.exists()


def test_barriers_need_a_class_table(runner, uniform_path, cores_path, tmp_path):
    roads = tmp_path / "roads.gpkg"
    _road().to_file(roads)
    out = tmp_path / "out"
    r = runner.invoke(
        cli,
        ["corridors", str(uniform_path), "--cores", str(cores_path), "--barriers", str(roads),
         "-o", str(out)],
    )  # fmt: skip
    assert r.exit_code == 1 and "--barriers" in r.output and "--table" in r.output
    assert not out.exists()


def test_land_cover_without_table_is_refused(runner, cover_path, cores_path, tmp_path):
    """Class codes read as resistances would give wrong corridors without a word."""
    out = tmp_path / "out"
    r = runner.invoke(
        cli, ["corridors", str(cover_path), "--cores", str(cores_path), "-o", str(out)]
    )
    assert r.exit_code == 1 and "land cover" in r.output and "--table" in r.output
    assert "forest" in r.output and not out.exists()


def test_integer_raster_without_classes_is_read_as_resistance_with_a_warning(
    runner, cores_path, tmp_path
):
    values = np.full((25, 40), 2, dtype="uint8")
    path = write_geotiff(Raster(values, TRANSFORM, CRS), tmp_path / "ints.tif")
    out = tmp_path / "out"
    r = _run(runner, [str(path), "--cores", str(cores_path), "--no-current", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "read as a resistance surface" in r.stderr
    assert _links(out)["cost_weighted_distance"].iat[0] == pytest.approx(4200.0)  # 2 x 2,100


def test_bad_tables_name_the_file_and_the_column(runner, cover_path, cores_path, tmp_path):
    out = tmp_path / "out"
    table = tmp_path / "classes.csv"
    table.write_text("code_value,cost\n1,1\n")
    args = ["corridors", str(cover_path), "--cores", str(cores_path), "-o", str(out)]
    r = runner.invoke(cli, [*args, "--table", str(table)])
    assert r.exit_code == 1 and "classes.csv" in r.output and "'resistance'" in r.output
    table.write_text("class,resistance\n1,one\n3,50\n5,inf\n")
    r = runner.invoke(cli, [*args, "--table", str(table)])
    assert r.exit_code == 1 and "not numbers" in r.output and "[2]" in r.output
    table.write_text("class,resistance\n1,1\n3,50\n")  # water missing: named by the library
    r = runner.invoke(cli, [*args, "--table", str(table)])
    assert r.exit_code == 1 and "5 ('water')" in r.output
    table.write_text("class,resistance\n1,0\n3,50\n5,inf\n")  # zero resistance
    r = runner.invoke(cli, [*args, "--table", str(table)])
    assert r.exit_code == 1 and "> 0" in r.output
    assert "Traceback" not in r.output and not out.exists()


def test_surface_in_degrees_is_refused(runner, cores_path, tmp_path):
    path = write_geotiff(
        Raster(np.ones((20, 20)), (0.001, 0.0, 131.0, 0.0, -0.001, 43.0), "EPSG:4326"),
        tmp_path / "deg.tif",
    )
    out = tmp_path / "out"
    r = runner.invoke(cli, ["corridors", str(path), "--cores", str(cores_path), "-o", str(out)])
    assert r.exit_code == 1 and r.output.startswith("Error: ") and "degrees" in r.output
    assert not out.exists()


def test_existing_outdir_needs_overwrite_and_stale_files_go(
    runner, uniform_path, cores_path, tmp_path
):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    args = [str(uniform_path), "--cores", str(cores_path), "--cutoff", "300", "-o", str(out)]
    r = runner.invoke(cli, ["corridors", *args])
    assert r.exit_code == 1 and "not empty" in r.output and "--overwrite" in r.output
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    r = _run(runner, [*args, "--overwrite"])
    assert r.exit_code == 0, r.output
    assert (out / "current.tif").is_file() and (out / "pinch_points.tif").is_file()
    # a second run without current: the earlier current.tif would not match the new links
    r = _run(runner, [*args, "--overwrite", "--no-current"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [
        "corridors.tif",
        "links.gpkg",
        "notes.txt",
        "resistance.tif",
    ]
    assert "effective_resistance" not in _links(out).columns
    # a file where OUTDIR should be
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = runner.invoke(cli, ["corridors", *args[:-1], str(blocker / "sub")])
    assert r.exit_code == 1 and "is a file" in r.output


def test_unreadable_and_multi_layer_cores(runner, uniform_path, cores_path, tmp_path):
    out = tmp_path / "out"
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    r = runner.invoke(cli, ["corridors", str(uniform_path), "--cores", str(bad), "-o", str(out)])
    assert r.exit_code == 1 and "cannot read cores file" in r.output
    _road().to_file(cores_path, layer="roads")
    r = runner.invoke(
        cli, ["corridors", str(uniform_path), "--cores", str(cores_path), "-o", str(out)]
    )
    assert r.exit_code == 1 and "several layers" in r.output and "--cores-layer" in r.output
    r = _run(
        runner,
        [str(uniform_path), "--cores", str(cores_path), "--cores-layer", "cores",
         "--core-id", "park", "--no-current", "--cutoff", "300", "-o", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert _links(out)["from_id"].tolist() == ["west"]


def test_point_cores_bad_core_id_and_no_pair_to_link(runner, uniform_path, tmp_path):
    points = gpd.GeoDataFrame(
        {"name": ["a", "b"]},
        geometry=[shapely.Point(LEFT + 550, TOP - 1250), shapely.Point(LEFT + 3450, TOP - 1250)],
        crs=CRS,
    )
    path = tmp_path / "points.gpkg"
    points.to_file(path)
    base = [str(uniform_path), "--cores", str(path)]
    out = tmp_path / "out"
    r = runner.invoke(cli, ["corridors", *base, "--core-id", "NAME", "-o", str(out)])
    assert r.exit_code == 1 and "--core-id 'NAME'" in r.output and "'name'" in r.output
    r = runner.invoke(cli, ["corridors", *base, "--median-dispersal", "1000", "-o", str(out)])
    assert r.exit_code == 1 and "polygons" in r.output and "Point" in r.output
    assert not out.exists()
    # points are one-cell cores: 29 steps of 100 m between the cells' centres
    r = _run(runner, [*base, "--core-id", "name", "--cutoff", "300", "-o", str(out)])
    assert r.exit_code == 0, r.output
    links = _links(out)
    assert links["cost_weighted_distance"].iat[0] == pytest.approx(2900.0, rel=1e-12)
    # on a uniform strip between two points, a circuit's current is highest next to them
    assert (read_geotiff(out / "pinch_points.tif").array == 1).any()
    # nothing within 10 m: an empty link table, said so, and no pinch points to look for
    out = tmp_path / "none"
    r = _run(runner, [*base, "--pairs", "within", "--max-distance-m", "10", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "no pair of the 2 cores to link" in r.stderr
    assert len(_links(out)) == 0 and not (out / "pinch_points.tif").exists()
    assert r.stdout.startswith("0 link(s), 0 pinch-point cell(s)")


def test_a_one_row_strip_and_a_random_surface_against_independent_oracles(runner, tmp_path):
    """Series resistors on a strip (by hand); accumulated cost = scikit-image's MCP_Geometric."""
    from skimage.graph import MCP_Geometric

    strip = write_geotiff(
        Raster(np.ones((1, 10)), (CELL_M, 0.0, LEFT, 0.0, -CELL_M, TOP), CRS), tmp_path / "s.tif"
    )
    ends = gpd.GeoDataFrame(
        {"name": ["w", "e"]},
        geometry=[shapely.Point(LEFT + 50, TOP - 50), shapely.Point(LEFT + 950, TOP - 50)],
        crs=CRS,
    )
    ends.to_file(tmp_path / "ends.gpkg")
    out = tmp_path / "strip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # a one-row corridor is at the edge
        r = _run(
            runner,
            [str(strip), "--cores", str(tmp_path / "ends.gpkg"), "--core-id", "name",
             "--cutoff", "0", "-o", str(out)],
        )  # fmt: skip
    assert r.exit_code == 0, r.output
    link = _links(out).iloc[0]
    assert link.cost_weighted_distance == pytest.approx(900.0, rel=1e-12)  # 9 steps of 100 m
    assert link.effective_resistance == pytest.approx(9.0, rel=1e-6)  # 9 unit resistors in series
    np.testing.assert_allclose(read_geotiff(out / "current.tif").array, 1.0, rtol=1e-6)

    rng = np.random.default_rng(13)
    values = np.exp(rng.normal(0.0, 1.5, size=(20, 30)))
    surface = write_geotiff(Raster(values, TRANSFORM, CRS), tmp_path / "random.tif")
    cells = [(4, 3), (15, 26)]
    points = gpd.GeoDataFrame(
        {"name": ["p", "q"]},
        geometry=[
            shapely.Point(LEFT + (c + 0.5) * CELL_M, TOP - (r + 0.5) * CELL_M) for r, c in cells
        ],
        crs=CRS,
    )
    points.to_file(tmp_path / "points.gpkg")
    out = tmp_path / "random"
    r = _run(
        runner,
        [str(surface), "--cores", str(tmp_path / "points.gpkg"), "--core-id", "name",
         "--cost-distance", "--no-current", "-o", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    oracle, _ = MCP_Geometric(values, fully_connected=True).find_costs(cells)
    got = read_geotiff(out / "cost_distance.tif").array
    np.testing.assert_allclose(got, oracle * CELL_M, rtol=1e-9)
    lcd = _links(out)["cost_weighted_distance"].iat[0]
    from_p, _ = MCP_Geometric(values, fully_connected=True).find_costs(cells[:1])
    assert lcd == pytest.approx(from_p[cells[1]] * CELL_M, rel=1e-9)

"""``habitat landscape``: the tidy metric table of habitat.landscape_metrics, to CSV/Parquet."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from habitat.cli import cli
from habitat.core.errors import DataQualityWarning
from habitat.core.tables import LANDSCAPE_METRICS
from habitat.io.raster import Raster, write_geotiff
from habitat.landscape.metrics import landscape_metrics

CELL_M = 30.0
LEFT, TOP = 600_000.0, 4_800_000.0
CRS = "EPSG:32652"


def _cover(seed: int = 3) -> np.ndarray:
    """A 40 x 50 land cover of three classes in blocks (patches of several cells) and nodata 0."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(1, 4, size=(10, 10))
    cover = np.kron(coarse, np.ones((4, 5), dtype=np.int64)).astype("uint8")
    cover[rng.random(cover.shape) < 0.08] = 2  # single cells breaking the blocks
    cover[:3, :4] = 0  # nodata corner
    return cover


@pytest.fixture
def raster_path(tmp_path: Path) -> Path:
    cover = Raster(
        _cover(),
        (CELL_M, 0.0, LEFT, 0.0, -CELL_M, TOP),
        CRS,
        nodata=0,
        classes={1: "forest", 2: "grassland/burnt", 3: "agriculture"},
    )
    return write_geotiff(cover, tmp_path / "cover.tif")


@pytest.fixture
def zones_path(tmp_path: Path) -> Path:
    """Three zones in the raster's CRS (one an L-shape, one a disc) named by 'name'."""
    w, h = 50 * CELL_M, 40 * CELL_M
    left = shapely.box(LEFT, TOP - h, LEFT + w / 2, TOP)
    ell = shapely.difference(
        shapely.box(LEFT + w / 2, TOP - h, LEFT + w, TOP),
        shapely.box(LEFT + w * 0.75, TOP - h / 2, LEFT + w, TOP),
    )
    disc = shapely.Point(LEFT + w / 2, TOP - h / 2).buffer(400.0)
    zones = gpd.GeoDataFrame(
        {"name": ["west", "east L", "centre"]}, geometry=[left, ell, disc], crs=CRS
    )
    path = tmp_path / "zones.gpkg"
    zones.to_file(path, layer="zones")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, args: list[str]) -> object:
    return runner.invoke(cli, ["landscape", *args], catch_exceptions=False)


def _read_csv(path: Path, like: pd.DataFrame) -> pd.DataFrame:
    """A CSV read back with the Python table's dtypes.

    A CSV cannot tell an empty text from a missing one: text cells read back empty
    are '' where the Python table has text and missing where it has none.
    """
    text = [c for c in like.columns if pd.api.types.is_string_dtype(like[c])]
    table = pd.read_csv(path, dtype={c: str for c in text})
    for c in text:
        table[c] = table[c].fillna("").where(like[c].notna().to_numpy(), like[c])
    return table.astype(like.dtypes.to_dict())


def test_listed_in_help(runner: CliRunner) -> None:
    r = runner.invoke(cli, ["--help"])
    assert r.exit_code == 0
    assert "landscape" in r.output
    r = runner.invoke(cli, ["landscape", "--help"])
    assert r.exit_code == 0 and "--zones" in r.output and "--count-boundary" in r.output


def test_csv_round_trip_equals_the_python_call(runner, raster_path, zones_path, tmp_path):
    out = tmp_path / "out" / "fragmentation.csv"
    r = _run(
        runner,
        [
            str(raster_path),
            "--zones",
            str(zones_path),
            "--zone-id",
            "name",
            "--level",
            "landscape",
            "--level",
            "class",
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    expected = landscape_metrics(
        str(raster_path),
        zones=gpd.read_file(zones_path),
        zone_id="name",
        level=("landscape", "class"),
    )
    LANDSCAPE_METRICS.validate(expected)
    assert set(expected["zone_id"]) == {"west", "east L", "centre"}
    got = _read_csv(out, expected)
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_exact=True)
    assert r.output.strip() == f"3 zone(s), {len(expected)} rows -> {out}"


def test_parquet_round_trip_equals_the_python_call_at_patch_level(
    runner, raster_path, zones_path, tmp_path
):
    out = tmp_path / "patches.parquet"
    r = _run(
        runner,
        [
            str(raster_path),
            "--zones",
            str(zones_path),
            "--zone-id",
            "name",
            "--level",
            "patch",
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    expected = landscape_metrics(
        str(raster_path), zones=gpd.read_file(zones_path), zone_id="name", level="patch"
    )
    got = pd.read_parquet(out)
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_exact=True)
    assert (expected["level"] == "patch").all() and len(expected) > 10


def test_options_reach_the_library(runner, raster_path, tmp_path):
    """Neighbours, boundary, edge depth, nodata, classes and metrics: as the Python call."""
    out = tmp_path / "options.parquet"
    metrics = ["number_of_patches", "total_edge", "total_core_area", "edge_density"]
    args = [
        str(raster_path),
        "--level",
        "class",
        "--neighbours",
        "4",
        "--count-boundary",
        "--edge-depth-m",
        "60",
        "--nodata",
        "none",
        "--class",
        "1",
        "--class",
        "2",
        "-o",
        str(out),
    ]
    for m in metrics:
        args += ["--metric", m]
    r = _run(runner, args)
    assert r.exit_code == 0, r.output
    expected = landscape_metrics(
        str(raster_path),
        level="class",
        neighbours=4,
        count_boundary=True,
        edge_depth_m=60.0,
        nodata=None,
        classes=[1, 2],
        metrics=metrics,
    )
    got = pd.read_parquet(out)
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_exact=True)
    assert sorted(got["class_value"]) == [1, 2]  # only the classes asked for
    assert set(metrics) <= set(got.columns)
    # the options change numbers: 4-neighbour patches are at least as many as 8-neighbour ones
    default = landscape_metrics(str(raster_path), level="class", classes=[1, 2], nodata=None)
    by_class = got.set_index("class_value")["number_of_patches"]
    assert (by_class >= default.set_index("class_value")["number_of_patches"]).all()
    assert r.output.strip() == f"1 zone(s), {len(expected)} rows -> {out}"


def test_core_boundary_and_enn_switches(runner, raster_path, zones_path, tmp_path):
    out = tmp_path / "core.parquet"
    args = [str(raster_path), "--zones", str(zones_path), "--zone-id", "name", "-o", str(out)]
    r = _run(runner, [*args, "--no-boundary-erosion", "--no-enn"])
    assert r.exit_code == 0, r.output
    zones = gpd.read_file(zones_path)
    expected = landscape_metrics(
        str(raster_path), zones=zones, zone_id="name", boundary_is_edge=False, enn=False
    )
    got = pd.read_parquet(out)
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_exact=True)
    assert not any(c.startswith("euclidean_nearest_neighbor") for c in got.columns)
    # the zones' outlines and the nodata corner no longer erode cores: more core, never less
    eroded = landscape_metrics(str(raster_path), zones=zones, zone_id="name")
    assert (got["total_core_area"] >= eroded["total_core_area"]).all()
    assert (got["total_core_area"] > eroded["total_core_area"]).any()


def test_without_zones_the_whole_raster_is_one_landscape(runner, raster_path, tmp_path):
    out = tmp_path / "whole.csv"
    r = _run(runner, [str(raster_path), "--level", "landscape", "-o", str(out)])
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out)
    assert table["zone_id"].tolist() == ["landscape"] and table["level"].tolist() == ["landscape"]
    # 3 nodata rows x 4 columns of 2,000 cells: the area measured is the cells with data
    assert table["area_ha"].iat[0] == pytest.approx((2000 - 12) * CELL_M**2 / 1e4, rel=1e-12)


def test_raster_in_degrees_needs_reproject(runner, tmp_path):
    cover = Raster(_cover(), (0.0005, 0.0, 131.0, 0.0, -0.0005, 43.2), "EPSG:4326", nodata=0)
    path = write_geotiff(cover, tmp_path / "degrees.tif")
    out = tmp_path / "deg.csv"
    r = runner.invoke(cli, ["landscape", str(path), "-o", str(out)])
    assert r.exit_code == 1 and r.output.startswith("Error: ")
    assert "degrees" in r.output and "--reproject" in r.output and not out.exists()
    r = runner.invoke(
        cli, ["landscape", str(path), "--reproject", "--level", "landscape", "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "reprojected" in r.stderr  # the warning says how the cell size was chosen
    with pytest.warns(DataQualityWarning, match="reprojected"):
        expected = landscape_metrics(str(path), reproject=True, level="landscape")
    got = _read_csv(out, expected)
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_exact=True)
    assert got["note"].str.contains("reprojected").all()  # every row says so


# ---------------------------------------------------------------------------- bad input


def test_unknown_output_extension_is_refused_before_any_work(runner, raster_path, tmp_path):
    out = tmp_path / "metrics.xlsx"
    r = runner.invoke(cli, ["landscape", str(raster_path), "-o", str(out)])
    assert r.exit_code == 1
    assert "Error: unknown output format" in r.output and ".csv or .parquet" in r.output
    assert "Traceback" not in r.output and not out.exists()


def test_missing_raster_or_zones_file(runner, raster_path, tmp_path):
    r = runner.invoke(cli, ["landscape", str(tmp_path / "nope.tif"), "-o", str(tmp_path / "a.csv")])
    assert r.exit_code == 2 and "does not exist" in r.output and "nope.tif" in r.output
    r = runner.invoke(
        cli,
        [
            "landscape",
            str(raster_path),
            "--zones",
            str(tmp_path / "gone.gpkg"),
            "-o",
            str(tmp_path / "a.csv"),
        ],
    )
    assert r.exit_code == 2 and "does not exist" in r.output and "gone.gpkg" in r.output
    assert not (tmp_path / "a.csv").exists()


def test_unreadable_zones_file(runner, raster_path, tmp_path):
    bad = tmp_path / "zones.gpkg"
    bad.write_text("not a geopackage")
    r = runner.invoke(
        cli, ["landscape", str(raster_path), "--zones", str(bad), "-o", str(tmp_path / "a.csv")]
    )
    assert r.exit_code == 1 and "Error: cannot read zones file" in r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("points", "Polygon or MultiPolygon"),
        ("no crs", "no coordinate reference system"),
        ("no rows", "holds no rows"),
    ],
)
def test_zones_that_are_not_polygons_with_a_crs(runner, raster_path, tmp_path, kind, message):
    if kind == "points":
        zones = gpd.GeoDataFrame(geometry=[shapely.Point(LEFT + 100, TOP - 100)], crs=CRS)
        path = tmp_path / "zones.gpkg"
    elif kind == "no crs":
        zones = gpd.GeoDataFrame(geometry=[shapely.box(LEFT, TOP - 300, LEFT + 300, TOP)])
        path = tmp_path / "zones.shp"
    else:
        zones = gpd.GeoDataFrame({"name": []}, geometry=[], crs=CRS)
        path = tmp_path / "zones.gpkg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pyogrio: writing without a CRS
        zones.to_file(path)
    out = tmp_path / "a.csv"
    r = runner.invoke(cli, ["landscape", str(raster_path), "--zones", str(path), "-o", str(out)])
    assert r.exit_code == 1 and r.output.startswith("Error: zones")
    assert message in r.output and path.name in r.output  # names the file
    assert "Traceback" not in r.output and not out.exists()


def test_multi_layer_zones_file_needs_a_layer(runner, raster_path, zones_path, tmp_path):
    gpd.GeoDataFrame(
        {"name": ["all"]}, geometry=[shapely.box(LEFT, TOP - 600, LEFT + 600, TOP)], crs=CRS
    ).to_file(zones_path, layer="park")
    out = tmp_path / "a.csv"
    r = runner.invoke(
        cli, ["landscape", str(raster_path), "--zones", str(zones_path), "-o", str(out)]
    )
    assert r.exit_code == 1 and "several layers" in r.output and "'park'" in r.output
    assert "--zones-layer" in r.output and not out.exists()
    r = _run(
        runner,
        [
            str(raster_path),
            "--zones",
            str(zones_path),
            "--zones-layer",
            "park",
            "--zone-id",
            "name",
            "--level",
            "landscape",
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert pd.read_csv(out)["zone_id"].tolist() == ["all"]


def test_existing_output_is_refused_without_overwrite(runner, raster_path, tmp_path):
    out = tmp_path / "metrics.csv"
    out.write_text("keep me\n")
    r = runner.invoke(cli, ["landscape", str(raster_path), "-o", str(out)])
    assert r.exit_code == 1
    assert "already exists" in r.output and "--overwrite" in r.output
    assert out.read_text() == "keep me\n"
    r = _run(runner, [str(raster_path), "--level", "landscape", "-o", str(out), "--overwrite"])
    assert r.exit_code == 0, r.output
    assert pd.read_csv(out)["level"].tolist() == ["landscape"]


def test_bad_metric_name_is_a_clear_error_and_writes_nothing(runner, raster_path, tmp_path):
    out = tmp_path / "metrics.parquet"
    r = runner.invoke(
        cli, ["landscape", str(raster_path), "--metric", "edge_densty", "-o", str(out)]
    )
    assert r.exit_code == 1, r.output
    assert r.output.startswith("Error: ") and "edge_densty" in r.output
    assert "Traceback" not in r.output
    assert not out.exists() and list(tmp_path.iterdir()) == [raster_path]  # no temporaries
    # a failing run with --overwrite leaves the earlier table as it was
    out.write_bytes(b"earlier table")
    r = runner.invoke(
        cli,
        ["landscape", str(raster_path), "--metric", "edge_densty", "-o", str(out), "--overwrite"],
    )
    assert r.exit_code == 1 and out.read_bytes() == b"earlier table"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([raster_path.name, out.name])


def test_bad_zone_id_column_names_the_column(runner, raster_path, zones_path, tmp_path):
    r = runner.invoke(
        cli,
        [
            "landscape",
            str(raster_path),
            "--zones",
            str(zones_path),
            "--zone-id",
            "NAME_X",
            "-o",
            str(tmp_path / "a.csv"),
        ],
    )
    assert r.exit_code == 1 and "NAME_X" in r.output and "Traceback" not in r.output


def test_zone_id_without_zones_and_bad_nodata(runner, raster_path, tmp_path):
    r = runner.invoke(
        cli, ["landscape", str(raster_path), "--zone-id", "name", "-o", str(tmp_path / "a.csv")]
    )
    assert r.exit_code == 1 and "need --zones" in r.output
    r = runner.invoke(
        cli, ["landscape", str(raster_path), "--nodata", "zero", "-o", str(tmp_path / "a.csv")]
    )
    assert r.exit_code == 2 and "--nodata" in r.output and "'none'" in r.output
    r = runner.invoke(
        cli, ["landscape", str(raster_path), "--neighbours", "6", "-o", str(tmp_path / "a.csv")]
    )
    assert r.exit_code == 2 and "--neighbours" in r.output
    assert not (tmp_path / "a.csv").exists()

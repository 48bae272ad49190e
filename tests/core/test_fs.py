import os
from pathlib import Path

import pytest

from habitat.core.errors import HabitatError, InputError, OutputExistsError
from habitat.core.fs import (
    atomic_path,
    atomic_write_text,
    prepare_output_dir,
    safe_filename,
)


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path):
    p = tmp_path / "sub" / "a.txt"
    atomic_write_text(p, "one")
    atomic_write_text(p, "two")
    assert p.read_text() == "two"
    assert sorted(os.listdir(p.parent)) == ["a.txt"]
    # ordinary permissions (umask), not the private 0600 of a temporary file
    mask = os.umask(0)
    os.umask(mask)
    assert p.stat().st_mode & 0o777 == 0o666 & ~mask


def test_failed_write_keeps_old_file_and_cleans_up(tmp_path):
    p = tmp_path / "map.html"
    p.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(p) as tmp:
        tmp.write_text("half a page")
        raise RuntimeError("killed midway")
    assert p.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["map.html"]


def test_output_dir_refuses_non_empty_without_overwrite(tmp_path):
    out = tmp_path / "out"
    assert prepare_output_dir(out) == out and out.is_dir()
    (out / "x.csv").write_text("1")
    with pytest.raises(OutputExistsError, match=r"--overwrite") as info:
        prepare_output_dir(out)
    assert isinstance(info.value, FileExistsError) and isinstance(info.value, HabitatError)
    assert prepare_output_dir(out, overwrite=True) == out
    assert (out / "x.csv").exists()  # overwrite never deletes the user's other files


def test_output_dir_that_is_a_file(tmp_path):
    f = tmp_path / "f"
    f.write_text("")
    with pytest.raises(InputError, match="is a file"):
        prepare_output_dir(f)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Leo 3M", "Leo_3M"),
        ("../../etc/passwd", "etc_passwd"),
        ("<script>alert(1)</script>", "script_alert_1_script"),
        ("..", "unnamed"),
        ("", "unnamed"),
        ("Ягуар/Барс", "unnamed"),
    ],
)
def test_safe_filename_never_escapes(tmp_path, name, expected):
    got = safe_filename(name)
    assert got == expected
    assert (tmp_path / got).resolve().parent == Path(tmp_path).resolve()


# ---------------------------------------------------------------- item 9: nothing outside
#: folder names that are legal on Linux but awkward for GDAL, shells or path handling
HOSTILE_NAMES = [
    "out\nx",  # OGR drops the newline: "outx"
    "tab\tx",
    "cr\rx",
    "esc\x1bx",
    "ünï côdé 豹",
    "with spaces ",
    "-dash",
    "...",
    "a..b",
    "x" * 240,  # near the 255-byte limit of a name
    "/vsimem",  # not a GDAL virtual file system here: an ordinary folder name
    "line\u2028sep",
]


def _gdal_writers(folder: Path) -> list[Path]:
    """Write a GeoPackage, GeoParquet, GeoTIFF and territory tables into ``folder``."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from habitat.io.raster import Raster, write_geotiff
    from habitat.overlap.territory import write_territory_table

    gdf = gpd.GeoDataFrame(
        {"individual": ["Leo 1F"], "area_km2": [1.0]},
        geometry=[shapely.box(0, 0, 1000, 1000)],
        crs=32652,
    )
    written = []
    with atomic_path(folder / "ranges.gpkg") as tmp:
        gdf.to_file(tmp, driver="GPKG", layer="ranges")
    written.append(folder / "ranges.gpkg")
    with atomic_path(folder / "ranges.parquet") as tmp:
        gdf.to_parquet(tmp)
    written.append(folder / "ranges.parquet")
    raster = Raster(
        np.arange(6, dtype="float32").reshape(2, 3),
        transform=(100.0, 0.0, 500_000.0, 0.0, -100.0, 4_800_000.0),
        crs=32652,
    )
    written.append(write_geotiff(raster, folder / "cover.tif"))
    written.append(write_territory_table(gdf, folder / "territories.gpkg"))
    written.append(write_territory_table(gdf, folder / "territories.csv"))
    written.append(atomic_write_text(folder / "note.txt", "ok"))
    return written


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=repr)
def test_gdal_outputs_stay_in_a_hostile_folder(tmp_path, name):
    parent = tmp_path / "parent"
    parent.mkdir()
    # where a driver that drops or mangles characters would write instead
    decoys = {"".join(ch for ch in name if ch.isprintable()), name.strip(), name.lstrip("/")}
    decoys = {d for d in decoys if d and d != name and "/" not in d and d not in {".", ".."}}
    for decoy in decoys:
        (parent / decoy).mkdir(exist_ok=True)
    out = parent / name if not name.startswith("/") else parent / name.lstrip("/") / "v"
    written = _gdal_writers(out)
    # the parent holds exactly what was there plus the output folder: nothing else appeared
    expected_top = {*decoys, out.relative_to(parent).parts[0]}
    assert {p.name for p in parent.iterdir()} == expected_top
    for decoy in decoys - {out.relative_to(parent).parts[0]}:
        assert list((parent / decoy).iterdir()) == [], f"something was written into {decoy!r}"
    # the output folder holds the outputs and nothing else (no temporary folder or journal)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)
    import geopandas as gpd

    from habitat.core.fs import gdal_read_path

    with gdal_read_path(out / "ranges.gpkg") as readable:
        assert gpd.read_file(readable)["individual"].tolist() == ["Leo 1F"]
    assert gpd.read_parquet(out / "ranges.parquet")["area_km2"].tolist() == [1.0]


def test_failed_gdal_write_leaves_nothing(tmp_path):
    import geopandas as gpd
    import shapely

    out = tmp_path / "out\nx"
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=3857)
    with pytest.raises(RuntimeError), atomic_path(out / "r.gpkg") as tmp:
        gdf.to_file(tmp, driver="GPKG", layer="r")
        raise RuntimeError("killed after the driver wrote")
    assert list(out.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out\nx"]


def test_writer_that_writes_nothing_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError), atomic_path(tmp_path / "r.gpkg"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_stale_temporaries_removed(tmp_path):
    from habitat.core.fs import TEMP_PREFIX, remove_stale_temporaries

    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / (TEMP_PREFIX + "abc")).mkdir()
    (tmp_path / "pages" / (TEMP_PREFIX + "abc") / "output.gpkg").write_text("half")
    (tmp_path / ".index.html.x1.tmp.html").write_text("half")
    (tmp_path / "index.html").write_text("kept")
    assert remove_stale_temporaries(tmp_path) == 2
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "index.html",
        "pages",
    ]


# ------------------------------------- a folder where a file is expected, and the reverse
def test_file_output_that_is_a_folder(tmp_path):
    from habitat.core.fs import atomic_write_bytes

    folder = tmp_path / "ranges.gpkg"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    for write in (
        lambda: atomic_write_text(folder, "x"),
        lambda: atomic_write_bytes(folder, b"x"),
    ):
        with pytest.raises(InputError, match=r"ranges.gpkg' is an existing folder, not a file"):
            write()
    with pytest.raises(InputError, match="existing folder"), atomic_path(folder):
        pass
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]  # untouched


def test_file_where_a_folder_is_expected(tmp_path):
    blocker = tmp_path / "report"
    blocker.write_text("a file, not a folder")
    with pytest.raises(InputError, match=r"report' is a file where a folder is expected"):
        atomic_write_text(blocker / "pages" / "a.html", "x")
    with pytest.raises(InputError, match=r"report' is a file where a folder is expected"):
        prepare_output_dir(blocker / "sub")
    with pytest.raises(InputError, match="is a file"):
        prepare_output_dir(blocker)
    assert blocker.read_text() == "a file, not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_output_folder_is_a_habitat_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(InputError, match="cannot be created"):
            prepare_output_dir(locked / "out")
        with pytest.raises(InputError, match="cannot be created"):
            atomic_write_text(locked / "out" / "a.txt", "x")
    finally:
        locked.chmod(0o700)


def test_read_toml_names_the_file_for_every_failure(tmp_path) -> None:
    """Missing, a folder, not UTF-8, not TOML: one DataFileError naming what and where."""
    import pytest

    from habitat.core.errors import DataFileError
    from habitat.core.fs import read_toml

    (tmp_path / "bad.toml").write_text("name = \n")
    (tmp_path / "latin1.toml").write_bytes(b'name = "\xe9t\xe9"\n')
    (tmp_path / "ok.toml").write_text('name = "fisher"\n[area_km2]\nF = [5, 40]\n')
    assert read_toml(tmp_path / "ok.toml") == {"name": "fisher", "area_km2": {"F": [5, 40]}}
    file = "species profile file '.*{}'"
    cases = {
        tmp_path / "none.toml": file + " does not exist",
        tmp_path: file + " is a folder",
        tmp_path / "latin1.toml": "cannot read " + file + ": 'utf-8' codec",
        tmp_path / "bad.toml": file + " is not valid TOML",
    }
    for path, said in cases.items():
        with pytest.raises(DataFileError, match=said.format(path.name)):
            read_toml(path, what="species profile file")

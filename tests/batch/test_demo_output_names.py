"""The demo writes nothing outside its output folder, whatever the folder's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from habitat.batch.demo import run_demo
from habitat.core.errors import InputError
from habitat.core.fs import TEMP_PREFIX


def _everything(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("name", "report"),
    [
        ("out\nx", False),
        # a second name and the report set: in .ci/run's slow tests (the demo takes ~12 s)
        pytest.param("-dash ünï 豹 ..", False, marks=pytest.mark.slow),
        pytest.param("tab\tx\nz", True, marks=pytest.mark.slow),
    ],
    ids=["newline", "dash-unicode-dots", "tab-newline-with-report"],
)
def test_demo_stays_in_its_folder(tmp_path, name, report):
    parent = tmp_path / "runs"
    parent.mkdir()
    # where GDAL put the GeoPackage before (it drops control characters)
    decoy = parent / "".join(ch for ch in name if ch.isprintable())
    if decoy.name != name:
        decoy.mkdir()
    out = parent / name
    written = run_demo(out, report=report)
    assert sorted(p.name for p in parent.iterdir()) == sorted({name, decoy.name})
    if decoy.name != name:
        assert list(decoy.iterdir()) == []
    assert all(out in p.parents for p in written.values())
    listing = _everything(out)
    assert not [p for p in listing if TEMP_PREFIX in p or ".tmp" in p]
    top = {p.name for p in out.iterdir()}
    assert {"home_ranges.gpkg", "territories.gpkg", "study_area_map.html"} <= top
    assert ("report" in top) is report


def test_demo_output_folder_that_is_a_file(tmp_path):
    f = tmp_path / "results"
    f.write_text("not a folder")
    with pytest.raises(InputError, match="is a file"):
        run_demo(f, report=False)
    with pytest.raises(InputError, match="file where a folder is expected"):
        run_demo(f / "sub", report=False)
    assert f.read_text() == "not a folder" and _everything(tmp_path) == ["results"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"out_dir": None}, "out_dir must be a folder path"),
        ({"out_dir": ""}, "out_dir must be a folder path"),
        ({"workers": 0}, "workers=0"),
        ({"workers": "2"}, "workers='2'"),
        ({"report": "no"}, "report='no'"),
    ],
)
def test_demo_bad_arguments(tmp_path, kwargs, message):
    args = {"out_dir": tmp_path / "out", **kwargs}
    with pytest.raises(InputError, match=message):
        run_demo(**args)
    assert not (tmp_path / "out").exists()


def test_report_folder_under_a_file(tmp_path):
    from habitat.batch.demo import load_demo_relocations
    from habitat.batch.runner import run_report

    f = tmp_path / "results"
    f.write_text("not a folder")
    fixes = load_demo_relocations()
    with pytest.raises(InputError, match="file where a folder is expected"):
        run_report(fixes, f / "report")
    with pytest.raises(InputError, match="is a file"):
        run_report(fixes, f)
    assert _everything(tmp_path) == ["results"]

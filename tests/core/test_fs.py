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

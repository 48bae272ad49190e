"""The shared click options (habitat.cli.options) on a throwaway command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner

from habitat.cli.options import (
    file_option,
    layer_option,
    neighbours_option,
    overwrite_option,
    positive_option,
    raster_argument,
    study_area_option,
)


def _command() -> click.Command:
    @click.command()
    @raster_argument(required=False)
    @file_option("--table", "table_path", metavar="CSV", help="a table")
    @file_option("--barriers", "barrier_paths", multiple=True, metavar="FILE", help="lines")
    @positive_option("--cell-size-m", metavar="M", help="cell side")
    @neighbours_option("neighbourhood")
    @study_area_option("a study area")
    @layer_option("a layer")
    @overwrite_option("replace")
    def command(**given: Any) -> None:
        click.echo(repr(sorted(given.items())))

    return command


def _run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(_command(), list(args))


def test_defaults_and_parameter_names() -> None:
    r = _run()
    assert r.exit_code == 0, r.output
    assert r.output.strip() == repr(
        sorted(
            {
                "raster": None,
                "table_path": None,
                "barrier_paths": (),
                "cell_size_m": None,
                "neighbours": "8",
                "study_area_file": None,
                "layer_options": (),
                "overwrite": False,
            }.items()
        )
    )


def test_files_are_paths_that_must_exist(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("class,resistance\n1,1\n")
    r = _run(str(table), "--table", str(table), "--barriers", str(table), "--barriers", str(table))
    assert r.exit_code == 0, r.output
    assert f"('table_path', {table!r})" in r.output
    assert f"('barrier_paths', ({table!r}, {table!r}))" in r.output
    for option in ("--table", "--study-area", "--barriers"):
        r = _run(option, str(tmp_path / "missing.csv"))
        assert r.exit_code == 2 and "does not exist" in r.output, (option, r.output)
    r = _run("--table", str(tmp_path))  # a folder is not a file
    assert r.exit_code == 2 and "is a directory" in r.output


def test_positive_numbers_and_neighbourhoods() -> None:
    r = _run("--cell-size-m", "30", "--neighbours", "4", "--overwrite", "--layer", "roads=r.shp")
    assert r.exit_code == 0, r.output
    assert "('cell_size_m', 30.0)" in r.output and "('neighbours', '4')" in r.output
    assert "('overwrite', True)" in r.output and "('layer_options', ('roads=r.shp',))" in r.output
    for bad in ("0", "-1", "x"):
        assert _run("--cell-size-m", bad).exit_code == 2
    assert _run("--neighbours", "6").exit_code == 2


def test_report_method_choices_are_the_library_estimators() -> None:
    """``habitat report --method`` offers every estimator home_range has (none forgotten)."""
    from habitat.cli import cli
    from habitat.homerange import METHODS

    report = cli.commands["report"]
    (option,) = [p for p in report.params if p.name == "methods"]
    assert sorted(option.type.choices) == sorted(METHODS)

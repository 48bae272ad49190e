"""``habitat demo``: the whole pipeline on the bundled data."""

from __future__ import annotations

from pathlib import Path

import click

from habitat.cli import handle_errors


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Output folder for the maps and tables.",
)
@click.option("--overwrite", is_flag=True, help="Replace habitat's files in a non-empty folder.")
@handle_errors
def demo(out_dir: Path, overwrite: bool) -> None:
    """Run the demo on the bundled data and write maps and tables to OUT.

    Reads the schematic study-area layers and the simulated demo leopards,
    flags suspect fixes, and writes study_area_map.html, layers.csv,
    relocation_summary.csv and relocation_flags.csv.
    """
    from habitat.demo import run_demo

    written = run_demo(out_dir, overwrite=overwrite)
    for path in written.values():
        click.echo(str(path))

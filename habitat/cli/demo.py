"""``habitat demo``: the whole pipeline on the bundled data."""

from __future__ import annotations

from pathlib import Path

import click

from habitat.cli.errors import handle_errors


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
@click.option("--no-report", is_flag=True, help="Skip the territory report set (faster).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Local processes for the report.",
)
@handle_errors
def demo(out_dir: Path, overwrite: bool, no_report: bool, workers: int) -> None:
    """Run the demo on the bundled data and write maps and tables to OUT.

    Reads the bundled schematic study area (Primorsky layers by role, land
    cover) and the simulated demo leopards, flags suspect fixes and judges
    range sizes with the amur_leopard species profile, estimates home ranges
    (MCP, KDE and AKDE with area intervals), and writes
    study_area_map.html (territories, AKDE ranges with their interval bands,
    corridors), layers.csv, relocation_summary.csv, relocation_flags.csv,
    home_ranges.gpkg/.csv, territories.csv/.gpkg, corridors.gpkg/.csv and the
    report set in OUT/report (index.html, one page per leopard).
    """
    from habitat.batch.demo import run_demo

    written = run_demo(out_dir, overwrite=overwrite, report=not no_report, workers=workers)
    for path in written.values():
        click.echo(str(path))

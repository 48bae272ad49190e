"""``habitat report``: territory reports for many animals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from habitat.cli.errors import handle_errors

#: exit status when the report was written but some animals failed
EXIT_SOME_FAILED = 3


@click.command()
@click.argument(
    "input_path",
    metavar="[INPUT]",
    required=False,
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("report"),
    show_default=True,
    help=(
        "Report folder. An earlier report there is resumed: animals whose fixes and "
        "options are unchanged are reused, the others recomputed."
    ),
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="TOML file with [input], [layers] and [report] tables (see habitat.batch.load_config); "
    "every key, value and file is checked before any work.",
)
@click.option(
    "--reference",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Movebank reference table (sex, deployment windows) for a relocations CSV.",
)
@click.option(
    "--method",
    "methods",
    multiple=True,
    type=click.Choice(["mcp", "kde", "locoh", "bbmm"]),
    help="Home-range estimator; repeat for several, the first is reported "
    "[default: mcp, then kde].",
)
@click.option(
    "--level",
    type=click.FloatRange(0, 1, min_open=True),
    help="Reported range level as a fraction [default: 0.95].",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Recompute every animal and rewrite all files (default: resume, skipping finished "
    "animals); also allows writing into a non-empty folder that is not a report.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Local processes to use (1 = in this process).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Run on an existing dask distributed cluster, e.g. tcp://10.0.0.5:8786 "
    "(needs habitat[dask]); overrides --workers. An address that does not answer fails "
    "within seconds.",
)
@click.option("--title", help="Report title.")
@click.option("--no-area-curve", is_flag=True, help="Skip the bootstrap area curves (faster).")
@handle_errors
def report(
    input_path: Path | None,
    out_dir: Path,
    config_path: Path | None,
    reference: Path | None,
    methods: tuple[str, ...],
    level: float | None,
    overwrite: bool,
    workers: int,
    scheduler: str | None,
    title: str | None,
    no_area_curve: bool,
) -> None:
    """Write a territory report for every animal in INPUT into OUT.

    INPUT is a relocations file (Movebank or generic CSV, GeoPackage, GeoJSON or
    GeoParquet of points; fixes are flagged with the leopard speed limit) or a
    file of home-range polygons with an 'individual' column. Without INPUT the
    config's [input] is used; without either, the bundled demo leopards.

    OUT gets index.html (sortable table of all animals, failures, plots by sex),
    pages/<animal>.html (map, territory, neighbours, fragmentation, figures),
    ranges.gpkg, metrics.csv, metrics.parquet, overlaps.csv and failures.csv.
    Progress goes to stderr.

    An animal that fails (too few fixes, bad geometry, estimator error) does not
    stop the others; it is listed in index.html and failures.csv. Exit status:
    0 all animals reported, 3 some failed, 1 the batch could not run.
    """
    import dataclasses

    from habitat.batch.cluster import probe_scheduler
    from habitat.batch.config import check_input_paths
    from habitat.batch.runner import (
        ReportOptions,
        load_config,
        load_layers,
        read_report_input,
        run_report,
    )
    from habitat.core.errors import InputError

    # every option, file path and the cluster checked before anything is read or estimated
    options, inputs = load_config(config_path) if config_path else (ReportOptions(), {})
    if config_path:
        check_input_paths(inputs, config=config_path)
    if scheduler is not None:
        probe_scheduler(scheduler)  # a SchedulerError within seconds, naming the address
    changes: dict[str, Any] = {}
    if methods:
        changes["methods"] = tuple(methods)
    if level is not None:
        changes["level"] = level
        if not any(abs(level - v) < 1e-12 for v in options.levels):
            changes["levels"] = (*options.levels, level)
    if title:
        changes["title"] = title
    if no_area_curve:
        changes["area_curve"] = False
    if changes:
        options = dataclasses.replace(options, **changes)
    source = input_path or inputs.get("relocations") or inputs.get("ranges")
    ref = reference or inputs.get("reference")
    if source is None:
        if ref is not None:
            raise InputError("--reference needs an INPUT relocations file.")
        from habitat.batch.demo import load_demo_relocations

        click.echo("habitat report: no INPUT given; reporting the bundled demo leopards", err=True)
        data = load_demo_relocations()
    else:
        data = read_report_input(source, reference=ref, max_speed_kmh=options.max_speed_kmh)
    layers = land_cover = None
    if inputs.get("layers"):
        layers, land_cover = load_layers(inputs["layers"])
    result = run_report(
        data,
        out_dir,
        layers=layers,
        land_cover=land_cover if layers is not None else "bundled",
        options=options,
        overwrite=overwrite,
        workers=workers,
        scheduler=scheduler,
    )
    click.echo(str(result.index))
    if not result.ok:
        click.echo(
            f"habitat report: {len(result.failures)} animal(s) failed; see "
            f"{result.files['failures']}",
            err=True,
        )
        raise SystemExit(EXIT_SOME_FAILED)

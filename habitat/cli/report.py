"""``habitat report``: territory reports for many animals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from habitat.cli.errors import handle_errors
from habitat.cli.options import file_option, layer_option, overwrite_option, study_area_option

#: exit status when the report was written but some animals failed
EXIT_SOME_FAILED = 3


#: ``habitat report --help`` (``\b``: a paragraph click shows as written)
_HELP = """Write a territory report for every animal in INPUT into OUT.

INPUT is a relocations file (Movebank or generic CSV, GeoPackage, GeoJSON or
GeoParquet of points) or a file of home-range polygons with an 'individual'
column. Without INPUT the config's [input] is used; without either, the
bundled demo leopards.

\b
Study-area layers (protected areas, countries, roads, land cover...):
  * by default, the bundled schematic Primorsky (Amur leopard) layers, and
    only when the data overlap them; data elsewhere get no layers (the log
    says so) and the report has no protected-area, country or road rows;
  * your own layers replace the bundled ones: --layer ROLE=PATH[:NAME_COLUMN]
    (repeatable) and/or --study-area FILE.toml; with either, no bundled
    layer is used. --land-cover PATH replaces the land cover;
  * --no-bundled-layers turns the bundled layers off without giving others.
A config's [study_area] table works like --study-area; its legacy [layers]
table replaces bundled layers by name.

\b
Species profile (--species, or species = ... in a config):
  * by default the study area's: amur_leopard for the bundled layers (ranges
    checked against leopard sizes, fixes faster than 20 km/h flagged),
    none elsewhere: no range-size check and no speed flag (said in the
    log and on the index page);
  * --species NAME|FILE.toml uses that profile; --species none uses none.
A config's [report] max_speed_kmh = number overrides the profile's speed.

OUT gets index.html (sortable table of all animals, failures, plots by sex,
fragmentation per animal and per protected area / zone), pages/<animal>.html
(map, territory, neighbours, fragmentation, figures), ranges.gpkg,
metrics.csv, metrics.parquet, overlaps.csv, fragmentation.csv and
failures.csv. Progress goes to stderr.

With a land cover, the fragmentation metrics (FRAGSTATS definitions:
patches, edge density, effective mesh size, core area...) are measured inside
each range and each protected area / zone; --no-fragmentation skips them.
--corridors also links the ranges: least-cost corridors, current flow and
pinch points between them, PC/ECA of the network (connectivity.csv and
connectivity.png in OUT; each page lists its animal's links).

An animal that fails (too few fixes, bad geometry, estimator error) does not
stop the others; it is listed in index.html and failures.csv. Exit status:
0 all animals reported, 3 some failed, 1 the batch could not run (one
"Error:" line says why: a bad --layer, file, column or config key).
"""


def _checked_options(
    config_path: Path | None,
    scheduler: str | None,
    *,
    methods: tuple[str, ...],
    level: float | None,
    title: str | None,
    no_area_curve: bool,
) -> tuple[Any, dict[str, Any]]:
    """The report options (the config's, changed by the command line) and the config's inputs.

    Every option, file path and the cluster checked before anything is read or estimated.
    """
    import dataclasses

    from habitat.batch.cluster import probe_scheduler
    from habitat.batch.config import check_input_paths
    from habitat.batch.runner import ReportOptions, load_config

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
    return options, inputs


def _chosen_study_area(
    inputs: dict[str, Any],
    *,
    layer_options: tuple[str, ...],
    study_area_file: Path | None,
    no_bundled_layers: bool,
) -> Any:
    """Your layers (read and checked now), else the config's, else None (from the data)."""
    from habitat.batch.study import config_study_area, layers_from_options, user_study_area
    from habitat.io.study_area import read_study_area

    own = layers_from_options(layer_options)
    given_area = read_study_area(study_area_file) if study_area_file is not None else None
    if given_area is None and inputs.get("study_area") is not None:
        given_area = config_study_area(inputs)  # [study_area] of the config
    area: Any = user_study_area(own, study_area=given_area)  # None: you gave no layers
    if area is None:
        if no_bundled_layers:
            area = "none"
        elif inputs.get("layers"):
            area = config_study_area(inputs)  # legacy [layers]: the bundled set, edited
    return area


def _chosen_species(species: str | None, inputs: dict[str, Any]) -> Any:
    """--species, else the config's, else "auto"; a name or file is read (and checked) now."""
    from habitat import datasets

    chosen: Any = species if species is not None else inputs.get("species", "auto")
    if not (isinstance(chosen, str) and chosen == "auto"):
        chosen = datasets.species_profile(chosen)  # a bad name fails now
        if chosen is None:
            chosen = "none"
    return chosen


def _input_files(
    input_path: Path | None, reference: Path | None, inputs: dict[str, Any]
) -> tuple[Any, Any, list[type[Warning]]]:
    """INPUT and --reference (else the config's, else the bundled demo leopards).

    Also the warning categories to silence (the demo's problems are planted on purpose).
    """
    import logging

    from habitat import datasets
    from habitat.core.errors import DataQualityWarning, InputError

    source = input_path or inputs.get("relocations") or inputs.get("ranges")
    ref = reference or inputs.get("reference")
    quiet: list[type[Warning]] = []
    if source is None:
        if ref is not None:
            raise InputError("--reference needs an INPUT relocations file.")
        from habitat.batch.demo import DEMO_REFERENCE, DEMO_RELOCATIONS

        logging.getLogger("habitat.cli").info("no INPUT given; reporting the bundled demo leopards")
        source = datasets.data_path(*DEMO_RELOCATIONS)
        ref = datasets.data_path(*DEMO_REFERENCE)
        quiet.append(DataQualityWarning)  # the demo's problems are planted on purpose
    return source, ref, quiet


@click.command(help=_HELP)
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
@file_option(
    "--config",
    "config_path",
    help="TOML file with [input], [study_area], [layers] (legacy) and [report] tables and "
    "species = ... (see habitat.batch.load_config); every key, value and file is checked "
    "before any work.",
)
@file_option(
    "--reference",
    help="Movebank reference table (sex, deployment windows) for a relocations CSV.",
)
@click.option(
    "--method",
    "methods",
    multiple=True,
    type=click.Choice(["mcp", "kde", "locoh", "bbmm", "akde"]),
    help="Home-range estimator; repeat for several, the first is reported "
    "[default: mcp, then kde].",
)
@click.option(
    "--level",
    type=click.FloatRange(0, 1, min_open=True),
    help="Reported range level as a fraction [default: 0.95].",
)
@overwrite_option(
    "Recompute every animal and rewrite all files (default: resume, skipping finished "
    "animals); also allows writing into a non-empty folder that is not a report."
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
@click.option(
    "--title",
    help="Report title [default: from the study area or the species, e.g. "
    "'Territory report: Fisher'].",
)
@click.option("--no-area-curve", is_flag=True, help="Skip the bootstrap area curves (faster).")
@click.option(
    "--no-fragmentation",
    is_flag=True,
    help="Skip the fragmentation metrics (measured by default when the study area has a "
    "land cover).",
)
@click.option(
    "--corridors",
    "with_corridors",
    is_flag=True,
    help="Also compute corridors between the ranges on the study area's land cover "
    "(least-cost corridors, current flow, pinch points, PC/ECA); off by default.",
)
@layer_option(
    "One of your own study-area layers (repeat for several): any vector file GDAL "
    "reads, with the role it plays and optionally the column naming each feature, e.g. "
    "--layer protected_areas=parks.gpkg:NAME --layer roads=roads.shp. Roles: "
    "protected_areas (aliases parks, reserves, zones), admin_units (countries), barriers "
    "(roads, railways, rivers, fences), settlements, crossings, context (drawn only). "
    "Your layers replace the bundled ones."
)
@study_area_option(
    "A study-area file: your layers by role with their name/zone/category columns, "
    "land cover and default species (see habitat.io.read_study_area). Replaces the "
    "bundled layers; --layer adds to it."
)
@file_option(
    "--land-cover",
    "land_cover_path",
    metavar="PATH",
    help="Categorical land-cover GeoTIFF for the composition inside ranges (replaces the "
    "study area's).",
)
@file_option(
    "--land-cover-classes",
    "land_cover_classes",
    metavar="FILE.csv",
    help="Class names of --land-cover: a CSV of value,name (e.g. 41,Deciduous forest).",
)
@click.option(
    "--no-bundled-layers",
    is_flag=True,
    help="Use none of the bundled Primorsky layers or land cover, even for data inside "
    "them (your --layer/--study-area layers, if any, still apply).",
)
@click.option(
    "--species",
    metavar="PROFILE|FILE|none",
    help="Species profile: range sizes by sex for plausibility, the speed limit for "
    "flagging fixes, UD cells. A bundled name (amur_leopard), a TOML file (see "
    "habitat.io.species), or 'none' (no size check, no speed flag) [default: the study "
    "area's: amur_leopard with the bundled layers, else none].",
)
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
    no_fragmentation: bool,
    with_corridors: bool,
    layer_options: tuple[str, ...],
    study_area_file: Path | None,
    land_cover_path: Path | None,
    land_cover_classes: Path | None,
    no_bundled_layers: bool,
    species: str | None,
) -> None:
    """Write a territory report for every animal in INPUT into OUT (see ``--help``)."""
    import warnings

    from habitat.batch.runner import prepare_report_input, run_report
    from habitat.batch.study import land_cover_option

    options, inputs = _checked_options(
        config_path,
        scheduler,
        methods=methods,
        level=level,
        title=title,
        no_area_curve=no_area_curve,
    )
    area = _chosen_study_area(
        inputs,
        layer_options=layer_options,
        study_area_file=study_area_file,
        no_bundled_layers=no_bundled_layers,
    )
    cover = land_cover_option(land_cover_path, land_cover_classes)
    chosen_species = _chosen_species(species, inputs)
    source, ref, quiet = _input_files(input_path, reference, inputs)
    with warnings.catch_warnings():
        for category in quiet:
            warnings.simplefilter("ignore", category)
        prepared = prepare_report_input(
            source,
            reference=ref,
            study_area=area,
            land_cover=cover,
            species=chosen_species,
            max_speed_kmh=options.max_speed_kmh,
        )
    result = run_report(
        prepared.data,
        out_dir,
        study_area=prepared.study_area,
        species="none" if prepared.species is None else prepared.species,
        options=options,
        fragmentation=False if no_fragmentation else None,
        corridors=True if with_corridors else None,
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

"""``habitat landscape``: FRAGSTATS metrics of a land-cover raster, per zone, to CSV/Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from habitat.cli.errors import handle_errors
from habitat.cli.options import file_option, neighbours_option, overwrite_option, raster_argument

#: output formats by file extension
OUTPUT_FORMATS = (".csv", ".parquet")

_HELP = """Measure fragmentation of the categorical RASTER and write the tidy table to OUT.

RASTER is a land-cover raster any GDAL driver reads (GeoTIFF...), in a
projected CRS with square cells (--reproject for one in degrees: it is
reprojected to a local equal-area CRS with a warning saying how the cell size
was chosen). Without --zones the whole raster is one landscape (zone_id
"landscape"); with --zones each polygon of FILE (any vector file GDAL reads:
home ranges, park zones, the park) is masked out of the raster and measured on
its own, in one block of rows per zone.

OUT (.csv or .parquet) gets one row per zone, level and, at class and patch
levels, class or patch: the columns of habitat.core.tables.LANDSCAPE_METRICS,
names as pylandstats', units as FRAGSTATS (ha, m, per 100 ha, m/ha, %); see
docs/landscape_metrics.md. Written atomically; an existing file is refused
unless --overwrite.

\b
Example:
  habitat landscape land_cover.tif --zones ranges.gpkg --zone-id individual \\
      --level landscape --level class -o fragmentation.csv
"""


def _nodata(value: str | None) -> Any:
    """``--nodata``: a number, ``none`` (every cell has data), or not given."""
    if value is None:
        return None
    if value.strip().lower() == "none":
        return "none"
    try:
        number = float(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither a number nor 'none'; give the raster's nodata value "
            "(e.g. --nodata 0 or --nodata -9999) or 'none' when every cell has data.",
            param_hint="'--nodata'",
        ) from None
    return int(number) if number.is_integer() else number


def _output_path(out: Path, *, overwrite: bool) -> Path:
    """Check OUT before any work: a known extension, not an existing file unless --overwrite."""
    from habitat.core.errors import InputError, OutputExistsError
    from habitat.core.fs import require_file_target

    if out.suffix.lower() not in OUTPUT_FORMATS:
        raise InputError(
            f"unknown output format for '{out}'; use a file name ending in .csv or .parquet "
            f"(e.g. '{out.with_suffix('.csv')}')."
        )
    if out.is_file() and not overwrite:
        raise OutputExistsError(
            f"output file '{out}' already exists; pass --overwrite to replace it, or choose "
            "another file name."
        )
    return require_file_target(out, what="output file")


def read_zones(path: Path, *, layer: str | None = None) -> Any:
    """Zones (polygons) from any vector file GDAL reads, or a GeoParquet file, in their own CRS.

    Raises
    ------
    DataFileError
        The file cannot be read, or it is a GeoPackage with several layers and
        ``layer`` is not given (the message lists them).
    EmptyDataError, GeometryTypeError, CoordinateError, MissingCRSError
        No rows, geometries that are not polygons, non-finite vertices, no CRS
        (each message names the file).
    """
    import geopandas as gpd
    import pyogrio

    from habitat.core.crs import require_crs
    from habitat.core.errors import DataFileError
    from habitat.core.fs import gdal_read_path
    from habitat.core.validation import require_polygons

    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            zones = gpd.read_parquet(path)
        else:
            with gdal_read_path(path) as readable:
                if layer is None:
                    names = [str(n) for n in pyogrio.list_layers(readable)[:, 0]]
                    if len(names) > 1:
                        raise DataFileError(
                            f"zones file '{path}' holds several layers "
                            f"({', '.join(repr(n) for n in names)}); choose one with "
                            "--zones-layer."
                        )
                zones = gpd.read_file(readable, layer=layer)
    except DataFileError:
        raise
    except Exception as exc:  # pyogrio/pyarrow raise many types for unreadable files
        raise DataFileError(
            f"cannot read zones file '{path}': {exc}. Give a vector file of polygons "
            "(GeoPackage, Shapefile, GeoJSON, FlatGeobuf, GeoParquet...)."
        ) from exc
    # the library's own checks, here with the file named in the message
    require_polygons(zones, name="zones", source=path, allow_empty=True)
    require_crs(zones, name="zones", source=path)
    return zones


def write_table(table: Any, path: Path) -> Path:
    """Write the tidy table atomically as CSV (no index) or Parquet, by extension."""
    from habitat.core.fs import atomic_path, atomic_write_text

    if path.suffix.lower() == ".csv":
        atomic_write_text(path, table.to_csv(index=False))
    else:
        with atomic_path(path) as tmp:
            table.to_parquet(tmp, index=False)
    return path


@click.command(help=_HELP)
@raster_argument()
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    metavar="OUT.csv|OUT.parquet",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The tidy table to write (.csv or .parquet).",
)
@file_option(
    "--zones",
    "zones_path",
    metavar="FILE",
    help="Polygons to measure one by one (any vector file GDAL reads, or GeoParquet); "
    "aligned to the raster's CRS by the library.",
)
@click.option(
    "--zones-layer",
    metavar="NAME",
    help="Layer of a multi-layer zones file (GeoPackage).",
)
@click.option(
    "--zone-id",
    metavar="COLUMN",
    help="Column of --zones naming each zone [default: the row number].",
)
@click.option(
    "--level",
    "levels",
    multiple=True,
    type=click.Choice(["landscape", "class", "patch"]),
    help="Metric level; repeat for several [default: class].",
)
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    metavar="NAME",
    help="A metric column to compute (e.g. edge_density, effective_mesh_size); repeat "
    "for several [default: every metric of the level].",
)
@neighbours_option("Patch rule: cells sharing a side (4) or also a corner (8) belong to one patch.")
@click.option(
    "--edge-depth-m",
    type=click.FloatRange(min=0),
    metavar="M",
    help="Edge depth of core areas in metres [default: one cell].",
)
@click.option(
    "--count-boundary",
    is_flag=True,
    help="Count the landscape (zone) boundary as edge in total edge, edge density and "
    "landscape shape index (FRAGSTATS' 'count all boundary as edge'); default: not.",
)
@click.option(
    "--no-boundary-erosion",
    is_flag=True,
    help="Sides facing nodata and the zone's outline do not erode core areas "
    "(boundary_is_edge=False); by default they do, as in FRAGSTATS, pylandstats and "
    "landscapemetrics.",
)
@click.option(
    "--no-enn",
    is_flag=True,
    help="Skip the nearest-neighbour distances (the euclidean_nearest_neighbor columns).",
)
@click.option(
    "--nodata",
    "nodata_text",
    metavar="VALUE|none",
    help="Nodata value of the raster [default: the raster's own]; 'none': every cell has data.",
)
@click.option(
    "--class",
    "classes",
    multiple=True,
    type=int,
    metavar="VALUE",
    help="Report only this class value (repeatable) [default: every class present].",
)
@click.option(
    "--reproject",
    is_flag=True,
    help="Accept a raster in degrees: reproject it to a local equal-area CRS (with a "
    "warning giving the cell size chosen) instead of refusing it.",
)
@overwrite_option("Replace an existing OUT file.")
@handle_errors
def landscape(
    raster: Path,
    out: Path,
    zones_path: Path | None,
    zones_layer: str | None,
    zone_id: str | None,
    levels: tuple[str, ...],
    metrics: tuple[str, ...],
    neighbours: str,
    edge_depth_m: float | None,
    count_boundary: bool,
    no_boundary_erosion: bool,
    no_enn: bool,
    nodata_text: str | None,
    classes: tuple[int, ...],
    reproject: bool,
    overwrite: bool,
) -> None:
    """Measure fragmentation of RASTER (per zone) and write the tidy table (see ``--help``)."""
    from habitat.core.errors import InputError, ProjectedCRSRequiredError
    from habitat.landscape.metrics import landscape_metrics

    target = _output_path(out, overwrite=overwrite)  # checked before any work
    nodata = _nodata(nodata_text)
    if zones_path is None and (zone_id is not None or zones_layer is not None):
        raise InputError("--zone-id and --zones-layer need --zones FILE.")
    options: dict[str, Any] = {
        "neighbours": int(neighbours),
        "count_boundary": count_boundary,
        "edge_depth_m": edge_depth_m,
        "reproject": reproject,
    }
    if no_boundary_erosion:
        options["boundary_is_edge"] = False
    if no_enn:
        options["enn"] = False
    if levels:
        options["level"] = levels[0] if len(levels) == 1 else tuple(dict.fromkeys(levels))
    if metrics:
        options["metrics"] = list(dict.fromkeys(metrics))
    if classes:
        options["classes"] = list(dict.fromkeys(classes))
    if nodata is not None:
        options["nodata"] = None if nodata == "none" else nodata
    if zones_path is not None:
        options["zones"] = read_zones(zones_path, layer=zones_layer)
        options["zone_id"] = zone_id
    try:
        table = landscape_metrics(str(raster), **options)
    except ProjectedCRSRequiredError as exc:  # the library names reproject=True
        raise ProjectedCRSRequiredError(f"{exc} On the command line: --reproject.") from exc
    write_table(table, target)
    n_zones = table.attrs.get("zones") or table["zone_id"].nunique()
    click.echo(f"{n_zones} zone(s), {len(table)} rows -> {target}")

"""``habitat corridors``: corridors, current flow and pinch points to GeoTIFF and GeoPackage."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from habitat.cli.errors import handle_errors
from habitat.cli.options import (
    file_option,
    neighbours_option,
    overwrite_option,
    positive_option,
    raster_argument,
)

#: every file the command writes into OUTDIR (fixed names: nothing from the data)
OUTPUT_FILES = (
    "resistance.tif",
    "cost_distance.tif",
    "corridors.tif",
    "current.tif",
    "pinch_points.tif",
    "links.gpkg",
    "connectivity.csv",
)

_HELP = """Map least-cost corridors (and current flow) between core areas; write them to OUTDIR.

RASTER is a land cover (integer classes) when a class table is given
(--table CSV or --leopard), otherwise a resistance surface (> 0; nodata
impassable), any raster GDAL reads, in a projected CRS in metres with square
cells (a land cover in degrees is warped, with a warning). --bundled takes
the bundled Primorsky land cover instead of RASTER, with the leopard example
tables, the three parks (Land of the Leopard, Kedrovaya Pad, the Chinese park)
as cores, the roads, railways and river as barriers and the Narvinsky tunnel
as a crossing, unless --table, --cores, --barriers or --crossings say
otherwise.

--cores are polygons (parks, home ranges, habitat patches) or points, in any
CRS; rows sharing a --core-id are one core. Corridors are Linkage Mapper's
normalised least-cost corridors (CWD_A + CWD_B - LCD) truncated at --cutoff
(resistance x m), linking the cores chosen by --pairs; with --current,
Circuitscape's pairwise current flow between the cores (--neighbours, mean of
conductances), and pinch points: cells of the corridors whose current is in
the top --percentile (core cells left out: they carry their pairs' whole
current). With --median-dispersal, the probability of
connectivity (PC, ECA in km2) of the cores over the links' least-cost
distances.

\b
OUTDIR gets:
  resistance.tif     the resistance surface (cost = resistance x m)
  cost_distance.tif  accumulated cost from the nearest core (--cost-distance)
  corridors.tif      the normalised corridor surface (resistance x m, NaN outside)
  current.tif        cumulative current density, A (--current, the default)
  pinch_points.tif   1 = pinch point, 0 = not, 255 = no data (--current)
  links.gpkg         layer 'links': least-cost paths with habitat.core.tables.CORRIDORS
                     columns (+ effective_resistance, ohm, with --current);
                     layer 'corridors': the corridor polygons
  connectivity.csv   PC, ECA_km2, IIC... of the cores (--median-dispersal)

Each file is written atomically once everything is computed; a non-empty
OUTDIR is refused unless --overwrite (then these files are replaced and those
of them this run does not produce are removed; nothing else is touched).

\b
Examples:
  habitat corridors --bundled --cell-size-m 1000 -o corridors/
  habitat corridors cover.tif --table resistance.csv --cores parks.gpkg \\
      --core-id name --barriers roads.gpkg --barrier-table barriers.csv -o out/
  habitat corridors resistance.tif --cores ranges.gpkg --core-id individual \\
      --pairs within --max-distance-m 20000 --cutoff 5000 -o out/
"""


# ------------------------------------------------------------------ checks and readers
def _check_outdir(out: Path, *, overwrite: bool) -> None:
    """Refuse OUTDIR before any work: a file, under a file, or not empty without --overwrite."""
    from habitat.core.errors import InputError, OutputExistsError

    if out.exists() and not out.is_dir():
        raise InputError(f"output path '{out}' is a file, not a folder; choose a folder name.")
    for parent in (out, *out.parents):
        if parent.exists() and not parent.is_dir():
            raise InputError(
                f"output folder '{out}' cannot be created: '{parent}' is a file where a "
                "folder is expected; choose another output folder."
            )
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise OutputExistsError(
            f"output folder '{out}' already exists and is not empty; pass --overwrite to "
            "replace habitat's corridor files in it, or choose another folder."
        )


def read_vector(
    path: Path, *, what: str, layer: str | None = None, all_layers: bool = False
) -> Any:
    """Features of a vector file GDAL reads (or GeoParquet), in their own CRS.

    A file with several layers needs ``layer``, unless ``all_layers`` (then
    every layer is read, reprojected to the first layer's CRS and stacked).

    Raises
    ------
    DataFileError
        The file cannot be read, or it has several layers and none is chosen.
    EmptyDataError, MissingCRSError
        No rows or no CRS (the message names the file).
    """
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    from habitat.core.crs import require_crs
    from habitat.core.errors import DataFileError, EmptyDataError
    from habitat.core.fs import gdal_read_path

    option = f"--{what}-layer"
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            frames = [gpd.read_parquet(path)]
        else:
            with gdal_read_path(path) as readable:
                names = [str(n) for n in pyogrio.list_layers(readable)[:, 0]]
                if layer is not None:
                    names = [layer]
                elif len(names) > 1 and not all_layers:
                    raise DataFileError(
                        f"{what} file '{path}' holds several layers "
                        f"({', '.join(repr(n) for n in names)}); choose one with {option}."
                    )
                frames = [gpd.read_file(readable, layer=name) for name in names]
    except DataFileError:
        raise
    except Exception as exc:  # pyogrio/pyarrow raise many types for unreadable files
        raise DataFileError(
            f"cannot read {what} file '{path}': {exc}. Give a vector file (GeoPackage, "
            "Shapefile, GeoJSON, FlatGeobuf, GeoParquet...)."
        ) from exc
    frames = [f for f in frames if len(f)]
    if not frames:
        raise EmptyDataError(f"{what} file '{path}' holds no features; give at least one.")
    for frame in frames:
        require_crs(frame, name=what, source=path)
    crs = frames[0].crs
    data = pd.concat([f.to_crs(crs) for f in frames], ignore_index=len(frames) > 1)
    return gpd.GeoDataFrame(data, geometry=data.geometry.name, crs=crs)


def _stack(paths: tuple[Path, ...], *, what: str, crs: Any) -> Any:
    """The features of several files in ``crs``, one table (None for no file)."""
    import geopandas as gpd
    import pandas as pd

    if not paths:
        return None
    frames = [read_vector(p, what=what, all_layers=True).to_crs(crs) for p in paths]
    data = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(data, geometry=data.geometry.name, crs=crs)


def read_class_table(path: Path, *, key: str) -> Any:
    """A resistance table from CSV: a ``key`` column (or ``name``) and ``resistance``.

    ``key`` is ``"class"`` (land-cover tables; ``code`` or ``name`` also work)
    or ``"kind"`` (barrier tables, with an optional ``width_m`` column). Empty
    resistance cells, ``nan`` or ``inf`` mean impassable (classes) or not
    burned (barrier kinds).

    Raises
    ------
    DataFileError
        The file cannot be read as CSV.
    ColumnError
        A column is missing (named, with the columns found).
    """
    import pandas as pd

    from habitat.core.errors import ColumnError, DataFileError

    try:
        table = pd.read_csv(path, skipinitialspace=True)
    except Exception as exc:  # parser and decoding errors of many kinds
        raise DataFileError(
            f"cannot read the table '{path}' as CSV: {exc}. Give a CSV with a header line, "
            f"e.g. '{key},resistance'."
        ) from exc
    table.columns = [str(c).strip() for c in table.columns]
    keys = ("class", "code", "name") if key == "class" else ("kind",)
    if "resistance" not in table.columns or not any(k in table.columns for k in keys):
        raise ColumnError(
            f"the table '{path}' needs a {' / '.join(repr(k) for k in keys)} column and a "
            f"'resistance' column; it has {list(table.columns)}. Example:\n"
            + (
                "class,resistance\n1,1\n2,30\n5,inf"
                if key == "class"
                else "kind,resistance,width_m\nroad,500,12"
            )
        )
    if table.empty:
        raise ColumnError(f"the table '{path}' has no rows; give one per {key}.")
    for column in ("resistance", "width_m"):
        if column in table.columns:
            values = pd.to_numeric(table[column], errors="coerce")
            bad = table[column].notna() & values.isna()
            if bad.any():
                rows = [int(i) + 2 for i in table.index[bad][:5]]  # + header, 1-based
                raise ColumnError(
                    f"the table '{path}' has {column} values that are not numbers on line(s) "
                    f"{rows}: {table.loc[bad, column].tolist()[:5]}; use numbers (inf or an "
                    "empty cell for impassable)."
                )
            table[column] = values.astype(float)
    if key == "kind":
        table["kind"] = table["kind"].astype(str).str.strip()
        return table.set_index("kind")
    return table


def _read_raster(path: Path) -> Any:
    from habitat.io.raster import read_geotiff

    return read_geotiff(path)


def _bundled_inputs() -> dict[str, Any]:
    """The bundled study area's land cover, parks (cores), barriers and crossings."""
    from habitat import datasets

    area = datasets.primorsky()
    parks = area.features("protected_areas")
    parks = parks[parks["zone"].isna()]  # whole parks, not the zones of one
    parks = parks.dissolve(by="name", as_index=False)[["name", "geometry"]]
    return {
        "land_cover": area.land_cover,
        "cores": parks,
        "barriers": area.features("barriers"),
        "crossings": area.features("crossings"),
    }


def _links_with_resistance(links: Any, pairs: Any) -> Any:
    """The corridor links with the effective resistance (ohm) of their pair, matched as text."""
    import numpy as np

    from habitat.core.ids import id_text

    out = links.copy()
    lookup: dict[frozenset[str], float] = {}
    for a, b, r in zip(
        id_text(pairs["from_id"]),
        id_text(pairs["to_id"]),
        pairs["effective_resistance"],
        strict=True,
    ):
        lookup[frozenset((a, b))] = float(r)
    keys = zip(id_text(out["from_id"]), id_text(out["to_id"]), strict=True)
    out["effective_resistance"] = np.array(
        [lookup.get(frozenset((a, b)), math.nan) for a, b in keys], dtype=float
    )
    return out


def _write_links(links: Any, polygons: Any, path: Path) -> None:
    """Both layers into one GeoPackage, atomically."""
    from habitat.core.fs import atomic_path

    with atomic_path(path) as tmp:
        links.to_file(tmp, layer="links", driver="GPKG")
        polygons.to_file(tmp, layer="corridors", driver="GPKG")


# ------------------------------------------------------------------ the command's steps
@dataclass(frozen=True)
class _Args:
    """The command's options, as click passes them (one field per parameter)."""

    raster: Path | None
    out: Path
    bundled: bool
    cores_path: Path | None
    cores_layer: str | None
    core_id: str | None
    table_path: Path | None
    leopard: bool
    barrier_paths: tuple[Path, ...]
    barrier_table_path: Path | None
    barrier_resistance: float | None
    barrier_width_m: float | None
    crossings_path: Path | None
    no_crossings: bool
    cell_size_m: float | None
    pairs: str
    max_distance_m: float | None
    cutoff: float | None
    current: bool
    neighbours: str
    percentile: float
    write_cost: bool
    median_dispersal: float | None
    overwrite: bool

    @property
    def land_cover_given(self) -> bool:
        """RASTER is a land cover (a class table is given, or --bundled)."""
        return self.bundled or self.leopard or self.table_path is not None


@dataclass(frozen=True)
class _Inputs:
    """What the analysis reads: the resistance surface and the cores."""

    resistance: Any
    cores: Any
    core_id: str | None


@dataclass(frozen=True)
class _Outputs:
    """What the command writes (None: not asked for, or nothing to write)."""

    resistance: Any
    result: Any  # habitat.corridors.Corridors
    links: Any  # result.links, with effective_resistance when --current
    cost: Any = None
    current: Any = None
    pinch: Any = None
    summary: Any = None


def _check_options(args: _Args) -> None:
    """Refuse option combinations that cannot work, before any file is read."""
    from habitat.core.errors import InputError

    _check_outdir(args.out, overwrite=args.overwrite)
    if (args.raster is None) == (not args.bundled):
        raise InputError(
            "give either RASTER (a land cover or a resistance surface) or --bundled, not "
            + ("both." if args.bundled else "neither.")
        )
    if not args.bundled and args.cores_path is None:
        raise InputError(
            "--cores FILE is required (the core areas to link), except with --bundled."
        )
    if args.cores_layer is not None and args.cores_path is None:
        raise InputError("--cores-layer needs --cores FILE.")
    if args.no_crossings and (not args.bundled or args.crossings_path is not None):
        raise InputError(
            "--no-crossings leaves out the bundled tunnel: only with --bundled, "
            "without --crossings."
        )
    if not args.land_cover_given:
        given = [
            name
            for name, value in (
                ("--barriers", args.barrier_paths),
                ("--barrier-table", args.barrier_table_path),
                ("--barrier-resistance", args.barrier_resistance),
                ("--barrier-width-m", args.barrier_width_m),
                ("--crossings", args.crossings_path),
                ("--cell-size-m", args.cell_size_m),
            )
            if value
        ]
        if given:
            raise InputError(
                f"{', '.join(given)} build a resistance surface from a land cover: give the "
                "class table too (--table CSV or --leopard); without one RASTER is read as a "
                "resistance surface."
            )
    if args.pairs == "within" and args.max_distance_m is None:
        raise InputError("--pairs within needs --max-distance-m M (the largest distance, m).")


def _read_cores(args: _Args, defaults: dict[str, Any]) -> tuple[Any, str | None]:
    """The cores (--cores, else the bundled parks) and their id column, checked."""
    from habitat.core.errors import ColumnError, InputError

    core_id = args.core_id
    if args.cores_path is not None:
        cores = read_vector(args.cores_path, what="cores", layer=args.cores_layer)
        source_of_cores = f"'{args.cores_path}'"
    else:
        cores, core_id = defaults["cores"], core_id or "name"
        source_of_cores = "the bundled parks"
    if core_id is not None and core_id not in cores.columns:
        raise ColumnError(
            f"--core-id {core_id!r} is not a column of the cores ({source_of_cores}); its "
            f"columns are {[c for c in cores.columns if c != cores.geometry.name]}. Leave "
            "--core-id out to number the cores by row."
        )
    if args.median_dispersal is not None:
        kinds = set(cores.geom_type.dropna())
        if not kinds <= {"Polygon", "MultiPolygon"}:
            raise InputError(
                f"--median-dispersal weighs each core by its area: the cores must be polygons, "
                f"not {sorted(kinds - {'Polygon', 'MultiPolygon'})}; leave --median-dispersal "
                "out for point cores."
            )
    return cores, core_id


def _resistance_from_land_cover(args: _Args, land_cover: Any, defaults: dict[str, Any]) -> Any:
    """The land cover through the class table, with barriers burned and crossings opened."""
    import habitat.corridors as hc

    # --table, else the leopard example (--leopard or --bundled)
    table: Any = (
        read_class_table(args.table_path, key="class")
        if args.table_path is not None
        else hc.leopard_resistance_table()
    )
    barrier_table: Any = None
    if args.barrier_table_path is not None:
        barrier_table = read_class_table(args.barrier_table_path, key="kind")
    elif args.leopard or args.bundled:
        barrier_table = hc.leopard_barrier_table()
    crs = land_cover.crs
    barriers = _stack(args.barrier_paths, what="barriers", crs=crs)
    if barriers is None and args.bundled:
        barriers = defaults["barriers"]
    crossings = (
        _stack((args.crossings_path,), what="crossings", crs=crs) if args.crossings_path else None
    )
    if crossings is None and args.bundled and not args.no_crossings:
        crossings = defaults["crossings"]
    return hc.resistance_surface(
        land_cover,
        table=table,
        barriers=barriers,
        crossings=crossings,
        barrier_table=barrier_table,
        barrier_resistance=args.barrier_resistance,
        barrier_width_m=args.barrier_width_m,
        cell_size_m=args.cell_size_m,
    )


def _resistance_as_given(raster: Any, source: str) -> Any:
    """RASTER read as a resistance surface: refused if it names classes, warned if integers."""
    import warnings

    from habitat.core.errors import DataQualityWarning, InputError

    if raster.classes:
        raise InputError(
            f"{source} is a land cover (it names its classes: "
            f"{dict(list(raster.classes.items())[:6])}); give its class -> resistance "
            "table with --table CSV (or --leopard for the bundled classes)."
        )
    if raster.array.dtype.kind in "iub":
        warnings.warn(
            f"{source} holds integers and no class table was given: it is read as a "
            "resistance surface. If it is a land cover, give --table CSV or --leopard.",
            DataQualityWarning,
            stacklevel=4,  # the command's caller, as the other warnings of the command
        )
    return raster


def _read_inputs(args: _Args) -> _Inputs:
    """The raster (or the bundled land cover), the cores, and the resistance surface."""
    defaults = _bundled_inputs() if args.bundled else {}
    source = "the bundled land cover" if args.bundled else f"'{args.raster}'"
    grid_raster = defaults["land_cover"] if args.bundled else _read_raster(args.raster)  # type: ignore[arg-type]
    cores, core_id = _read_cores(args, defaults)
    if args.land_cover_given:
        resistance = _resistance_from_land_cover(args, grid_raster, defaults)
    else:
        resistance = _resistance_as_given(grid_raster, source)
    return _Inputs(resistance, cores, core_id)


def _pinch_points(inputs: _Inputs, result: Any, flow: Any, *, percentile: float) -> Any:
    """Pinch points of the corridors outside the cores (None, with a warning, if none)."""
    import warnings

    import numpy as np

    import habitat.corridors as hc
    from habitat.core.errors import DataQualityWarning

    # the corridors outside the cores: a core (a shorted focal region) carries the
    # whole current of its pairs on every cell, so it would always top the percentile
    labels, _ = hc.node_cells(
        inputs.cores, inputs.resistance, id_column=inputs.core_id, name="cores"
    )
    corridor_cells = np.isfinite(result.surface.array) & (labels == 0)
    if corridor_cells.any():
        return hc.pinch_points(flow, within=corridor_cells, percentile=percentile)
    warnings.warn(
        "no corridor cell outside the cores to look for pinch points in: "
        "pinch_points.tif is not written.",
        DataQualityWarning,
        stacklevel=4,  # the command's caller
    )
    return None


def _connectivity_summary(inputs: _Inputs, links: Any, *, median_dispersal: float) -> Any:
    """PC, ECA and IIC of the cores over the links' least-cost distances."""
    import habitat.corridors as hc

    # one row per core (rows sharing an id are one), its area measured by the library
    cores, core_id = inputs.cores, inputs.core_id
    nodes = cores.dissolve(level=0) if core_id is None else cores.dissolve(by=core_id)
    return hc.connectivity(
        nodes, links, median_dispersal=median_dispersal, link_removal=False
    ).summary


def _analyse(args: _Args, inputs: _Inputs) -> _Outputs:
    """Corridors, and as asked: cost distance, current flow and pinch points, connectivity."""
    import habitat.corridors as hc

    resistance, cores, core_id = inputs.resistance, inputs.cores, inputs.core_id
    options: dict[str, Any] = {"id_column": core_id, "pairs": args.pairs}
    if args.max_distance_m is not None:
        options["max_distance_m"] = args.max_distance_m
    if args.cutoff is not None:
        options["cutoff"] = args.cutoff
    result = hc.corridors(resistance, cores, **options)
    links = result.links
    cost = hc.cost_distance(resistance, cores, id_column=core_id) if args.write_cost else None
    flow = pinch = None
    if args.current:
        flow = hc.current_flow(
            resistance, cores, id_column=core_id, neighbours=int(args.neighbours)
        )
        if flow.pairs is not None:
            links = _links_with_resistance(links, flow.pairs)
        pinch = _pinch_points(inputs, result, flow, percentile=args.percentile)
    summary = None
    if args.median_dispersal is not None:
        summary = _connectivity_summary(inputs, links, median_dispersal=args.median_dispersal)
    return _Outputs(
        resistance=resistance,
        result=result,
        links=links,
        cost=cost,
        current=None if flow is None else flow.current,
        pinch=pinch,
        summary=summary,
    )


def _write_outputs(outputs: _Outputs, out: Path) -> tuple[Path, list[str]]:
    """Every output file into ``out`` (atomically each); stale ones of an earlier run go.

    Returns the folder and the names written.
    """
    from habitat.core.fs import atomic_write_text, prepare_output_dir
    from habitat.io.raster import write_geotiff

    target = prepare_output_dir(out, overwrite=True)
    written: list[str] = []
    rasters: list[tuple[str, Any]] = [
        ("resistance.tif", outputs.resistance),
        ("corridors.tif", outputs.result.surface),
        ("cost_distance.tif", outputs.cost),
        ("current.tif", outputs.current),
        ("pinch_points.tif", outputs.pinch),
    ]
    for name, layer in rasters:
        if layer is not None:
            write_geotiff(layer, target / name)
            written.append(name)
    _write_links(outputs.links, outputs.result.polygons, target / "links.gpkg")
    written.append("links.gpkg")
    if outputs.summary is not None:
        atomic_write_text(target / "connectivity.csv", outputs.summary.to_csv(index=False))
        written.append("connectivity.csv")
    for name in set(OUTPUT_FILES) - set(written):  # an earlier run's, now stale
        (target / name).unlink(missing_ok=True)
    return target, written


# ------------------------------------------------------------------ the command
@click.command(help=_HELP)
@raster_argument(required=False)
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    metavar="OUTDIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the rasters and the link table into.",
)
@click.option(
    "--bundled",
    is_flag=True,
    help="The bundled Primorsky land cover (with its parks, barriers and the Narvinsky "
    "tunnel as defaults) instead of RASTER.",
)
@file_option(
    "--cores",
    "cores_path",
    metavar="FILE",
    help="Core areas (polygons or points; any vector file GDAL reads, or GeoParquet).",
)
@click.option("--cores-layer", metavar="NAME", help="Layer of a multi-layer cores file.")
@click.option(
    "--core-id",
    metavar="COLUMN",
    help="Column of --cores naming each core [default: the row number; 'name' with --bundled].",
)
@file_option(
    "--table",
    "table_path",
    metavar="CSV",
    help="Class -> resistance table (columns class or name, and resistance; empty or "
    "inf = impassable): RASTER is then a land cover.",
)
@click.option(
    "--leopard",
    is_flag=True,
    help="The example leopard tables (habitat.corridors.tables: classes of the bundled "
    "land cover, barrier kinds); --table replaces the class table.",
)
@file_option(
    "--barriers",
    "barrier_paths",
    multiple=True,
    metavar="FILE",
    help="Barrier lines and polygons (roads, railways, rivers, settlements), every layer "
    "of FILE; repeatable. Resistance and width per feature from 'resistance' / 'width_m' "
    "columns, else by 'kind' from the barrier table, else --barrier-resistance / "
    "--barrier-width-m.",
)
@file_option(
    "--barrier-table",
    "barrier_table_path",
    metavar="CSV",
    help="Barrier kind -> resistance (and width_m) table, columns kind,resistance[,width_m].",
)
@positive_option(
    "--barrier-resistance",
    metavar="R",
    help="Resistance of barrier features nothing else gives one.",
)
@positive_option(
    "--barrier-width-m",
    metavar="M",
    help="Width in metres of barrier lines nothing else gives one.",
)
@file_option(
    "--crossings",
    "crossings_path",
    metavar="FILE",
    help="Crossing structures (tunnels, passes): their cells get the land cover's own "
    "resistance back, or their 'resistance' column.",
)
@click.option(
    "--no-crossings",
    is_flag=True,
    help="With --bundled: leave the Narvinsky tunnel out (the highway as a barrier there).",
)
@positive_option(
    "--cell-size-m",
    metavar="M",
    help="Warp the land cover to cells of M metres (majority of classes when coarser) "
    "[default: its own].",
)
@click.option(
    "--pairs",
    type=click.Choice(["adjacent", "all", "within"]),
    default="adjacent",
    show_default=True,
    help="Which cores to link: neighbours through the cost allocation (Linkage Mapper), "
    "every pair, or those within --max-distance-m.",
)
@positive_option(
    "--max-distance-m",
    metavar="M",
    help="Largest edge-to-edge distance (m) of linked cores (needed by --pairs within).",
)
@click.option(
    "--cutoff",
    type=click.FloatRange(min=0),
    metavar="C",
    help="Corridor truncation, resistance x m above each link's least-cost distance "
    "[default: 200,000, Linkage Mapper's].",
)
@click.option(
    "--current/--no-current",
    default=True,
    show_default=True,
    help="Circuitscape pairwise current flow, current.tif and pinch_points.tif.",
)
@neighbours_option("Cell neighbourhood of the circuit.")
@click.option(
    "--percentile",
    type=click.FloatRange(0, 100),
    default=99.0,
    show_default=True,
    help="Pinch points: cells of the corridors (outside the cores) with current at or above "
    "this percentile.",
)
@click.option(
    "--cost-distance",
    "write_cost",
    is_flag=True,
    help="Also write cost_distance.tif (accumulated cost from the nearest core).",
)
@positive_option(
    "--median-dispersal",
    metavar="C",
    help="Write connectivity.csv (PC, ECA_km2, IIC of the cores; polygons): the least-cost "
    "distance (resistance x m) at which dispersal probability is 0.5.",
)
@overwrite_option("Replace the corridor files in a non-empty OUTDIR.")
@handle_errors
def corridors(**options: Any) -> None:
    """Least-cost corridors between cores, current flow and pinch points (see ``--help``).

    The options (``--help``) arrive as keyword arguments, the fields of ``_Args``.
    """
    args = _Args(**options)
    _check_options(args)  # before any work
    outputs = _analyse(args, _read_inputs(args))
    target, written = _write_outputs(outputs, args.out)  # once everything is computed
    n_pinch = 0 if outputs.pinch is None else int((outputs.pinch.array == 1).sum())
    click.echo(
        f"{len(outputs.links)} link(s), {n_pinch} pinch-point cell(s) -> {target} "
        f"({', '.join(written)})"
    )

"""Batch territory reports over many animals (orchestration layer).

:func:`run_report` takes relocations (or given range polygons) and the
study-area layers and writes a report folder::

    OUT/
      index.html            sortable table of all animals, failures, plots by sex
      pages/<slug>.html     one page per animal (map, territory row, neighbours,
                            fragmentation inside the range, corridors, figures)
      pages/<slug>/         its map.html, ud.png, area_curve.png; variogram.png (AKDE)
      ranges.gpkg           all home ranges (layer "ranges"; "corridors" when given;
                            "ranges_low", "ranges_high": AKDE's interval polygons)
      metrics.csv           the territory table + fixes used, flagged and excluded
                            (n_fixes, n_fixes_flagged, n_fixes_excluded) + landscape
      metrics.parquet       the same with geometry (GeoParquet)
      overlaps.csv          every pair of overlapping ranges (reported method, level)
      fragmentation.csv     landscape metrics (FRAGSTATS) inside each range and each
                            protected area / zone (when the study area has a land cover)
      connectivity.csv      with corridors=True: each range's share of the probability
                            of connectivity (dPC and its parts), betweenness
      connectivity.png      with corridors=True: the connectivity graph (PC, ECA)
      failures.csv          animals that failed: step, error type, reason
      manifest.json         what each animal was computed from (fingerprints, counts)
      summary_by_sex.png
      area_intervals.png    AKDE: each animal's area with its interval
      fragmentation_by_animal.png
      .habitat-report       marker: this folder is a habitat report (resumable)
      .work/<slug>/<sha256>.parquet  per-animal estimates, named by their fingerprint
      .work/<slug>/<sha256>.movement.json  AKDE: its movement model and variogram
      .work/.fragmentation/<sha256>.parquet  landscape metrics of one zone, likewise

How it runs
-----------
1. **Estimate** each animal on its own (home ranges for every method and level;
   UD and area-curve figures). An animal that fails (too few fixes, degenerate
   fixes, bad geometry, an estimator error) is recorded in ``failures.csv``
   with its reason; the others go on. With ``"akde"`` among the methods,
   each animal's movement model is fitted once
   (:func:`habitat.batch.akde.fit_for_report`), its AKDE ranges are estimated
   from that model, and its variogram is drawn with the model; the page shows
   the model, the variogram and each range's interval, and the index compares
   the animals' areas with their intervals (``area_intervals.png``).
2. **Combine** (in this process): territory table, pairwise overlap and
   landscape measures of the reported ranges, written as tables; with a land
   cover, the fragmentation metrics of each range and each protected area /
   zone (:mod:`habitat.batch.fragmentation`).
3. **Render** each animal's map and page, then the index page.

Every file is written atomically (temporary file, then rename), so a batch
killed at any moment leaves no partial file. Stale temporary files of a killed
run are removed.

Re-runs
-------
A re-run into a report folder reuses only work made from identical input,
decided by fingerprints (SHA-256, :mod:`habitat.batch.fingerprint`):

* an animal's **estimates** (ranges and figures; with AKDE its movement
  model and variogram, as JSON) are cached under the
  fingerprint of its fixes (positions and CRS, times, flags, sex, id; not
  ``source_row`` or other columns) and of the options they depend on
  (methods, levels, estimator options, UD cell size, area curve, speed
  limit) and the habitat version. Changed fixes recompute that animal only;
  a changed method or level recomputes every animal;
* a **page** carries the fingerprint of everything it and its map show (its
  territory row, ranges, neighbours and their ranges, layers, corridors,
  fragmentation, title), so a page is redrawn when a neighbour changed too;
* the combined tables (``metrics``, ``ranges``, ``overlaps``,
  ``fragmentation``) and the index are rewritten from this input's animals on
  every run, so overlaps of a pair are new whenever either animal changed;
* the **fragmentation metrics** of each zone (a range, a protected area, a
  zone) are cached under the fingerprint of its geometry, the land cover and
  the metric parameters (:data:`habitat.batch.fragmentation.FRAGMENTATION_PARAMETERS`):
  only zones whose range or land cover changed are measured again;
* animals no longer in the input, or that fail this time, lose their page,
  figures, map and cache: every output agrees on the set of animals.

The run says what it reused and why it recomputed the rest ("2 reused; 1
recomputed because its fixes changed (positions): Leo 3F; 1 removed (no
longer in the input): Leo 6M"; :attr:`ReportResult.recomputed`), and records
it in ``manifest.json``. ``overwrite=True`` recomputes everything.

Steps 1 and 3 run in this process (``workers=1``), on local processes
(``workers=N``), or on an existing dask distributed cluster
(``scheduler="tcp://host:8786"`` or a ``distributed.Client``; install
``habitat[dask]``).

File names come from data, so they are sanitised
(:func:`habitat.core.fs.safe_filename`) and made unique with a hash of the id
whenever sanitising changed it; ids are escaped in every page.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import multiprocessing
import os
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from habitat.batch.akde import fit_for_report, model_to_dict, read_movement, write_movement
from habitat.batch.cluster import connect_scheduler, probe_scheduler

# the typed configuration (habitat.batch.config); its names stay importable from here
from habitat.batch.config import (  # noqa: F401 - safe_layer_name: an old import path
    SPEED_FROM_SPECIES,
    ReportOptions,
    check_run_arguments,
    load_config,
    safe_layer_name,
)
from habitat.batch.corridors import CorridorReport, report_corridors
from habitat.batch.fingerprint import (
    canonical_json,
    fixes_fingerprint,
    table_sha256,
    value_sha256,
)
from habitat.batch.fragmentation import (
    FRAGMENTATION_CACHE,
    FRAGMENTATION_PARAMETERS,
    ZONE_KIND,
    report_fragmentation,
)
from habitat.batch.study import (  # load_layers: its old import path
    describe_species,
    extent_basis,
    load_layers,
    resolve_species,
    resolve_study_area,
    resolved_options,
    speed_limit,
    study_area_fingerprint,
)
from habitat.core import units
from habitat.core.compat import import_optional
from habitat.core.errors import (
    ColumnError,
    DataFileError,
    DataQualityWarning,
    InputError,
    OutputExistsError,
)
from habitat.core.fs import (
    atomic_path,
    atomic_write_bytes,
    atomic_write_text,
    gdal_read_path,
    prepare_output_dir,
    remove_stale_temporaries,
    safe_filename,
)
from habitat.core.ids import normalise_ids, warn_merged_ids
from habitat.core.log import log_progress
from habitat.core.tables import CORRIDORS, LANDSCAPE_METRICS
from habitat.core.validation import require_geodataframe
from habitat.core.version import __version__
from habitat.io.species import SpeciesProfile
from habitat.io.study_area import StudyArea
from habitat.landscape.composition import CLASS_NAMES_ATTR
from habitat.movement import MovementModel

__all__ = [
    "ReportInput",
    "ReportOptions",
    "ReportResult",
    "individual_slugs",
    "load_config",
    "load_layers",
    "prepare_report_input",
    "read_report_input",
    "run_report",
]

log = logging.getLogger(__name__)

MARKER = ".habitat-report"
WORK = ".work"
#: what each animal of the last run was computed from (see :func:`run_report`)
MANIFEST = "manifest.json"
FAILURE_COLUMNS = ["individual", "stage", "error", "message"]
#: ``attrs`` key of the metrics: the columns of the landscape inside each range (pages)
LANDSCAPE_COLUMNS = "landscape_columns"
#: corridor columns a page shows for each link, in order
CORRIDOR_DETAIL = (
    "cost_weighted_distance",
    "length_m",
    "min_width_m",
    "width_m",
    "effective_resistance",
)
#: page labels replacing the contract's description (the linkage's width_m is the median)
CORRIDOR_LABELS = {"width_m": "median width", "min_width_m": "minimum width"}
#: the index's connectivity graph of the ranges (when corridors are computed)
CONNECTIVITY_FIGURE = "connectivity.png"
#: the report's connectivity table (PC/ECA summary and each range's dPC)
CONNECTIVITY_FILE = "connectivity.csv"
#: the report's fragmentation table (landscape metrics per range and protected area / zone)
FRAGMENTATION_FILE = "fragmentation.csv"
#: the index's figure comparing the animals' fragmentation metrics
FRAGMENTATION_FIGURE = "fragmentation_by_animal.png"
#: the index's figure of each animal's area with its interval (AKDE)
INTERVALS_FIGURE = "area_intervals.png"
#: an animal's variogram figure (AKDE), in its pages/<slug>/ folder
VARIOGRAM_FIGURE = "variogram.png"
#: how given ranges are read (fingerprinted: a cache made by another rule is not reused)
GIVEN_RULE = "estimator method, level, area_km2, n_fixes kept; one range per method and level"


@dataclasses.dataclass
class ReportResult:
    """What :func:`run_report` did.

    Attributes
    ----------
    out_dir : Path
        The report folder.
    index : Path
        The index page.
    pages : dict of str to Path
        Page of every finished animal.
    failures : pandas.DataFrame
        ``individual``, ``stage``, ``error``, ``message`` of animals that failed.
    skipped : list of str
        Animals whose pages were already there and made from identical input
        (resumed or repeated run).
    files : dict of str to Path
        Machine-readable outputs.
    seconds : float
        Wall time.
    reused : list of str
        Animals whose estimates were reused: their fixes and the options were
        identical (same fingerprints) to the run that cached them.
    recomputed : dict of str to str
        Animals estimated in this run, with the reason (``"new"``, ``"its
        fixes changed (positions)"``, ``"the options changed (levels)"``...).
    removed : list of str
        Animals of the earlier run in this folder that are no longer in the
        input: their pages, figures and cached estimates were deleted.
    """

    out_dir: Path
    index: Path
    pages: dict[str, Path]
    failures: pd.DataFrame
    skipped: list[str]
    files: dict[str, Path]
    seconds: float
    reused: list[str] = dataclasses.field(default_factory=list)
    recomputed: dict[str, str] = dataclasses.field(default_factory=dict)
    removed: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no animal failed."""
        return len(self.failures) == 0


# --------------------------------------------------------------------------- input


def _read_vector(path: Path, *, prefer_layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a GDAL vector file, whatever characters its path holds.

    ``prefer_layer``: the layer read when the file has one of that name (a
    report's ``ranges.gpkg`` holds "ranges" and perhaps "corridors"); else the first.
    """
    import pyogrio

    with gdal_read_path(path) as readable:
        layer = None
        if prefer_layer is not None:
            names = [str(n) for n in pyogrio.list_layers(readable)[:, 0]]
            layer = prefer_layer if prefer_layer in names and len(names) > 1 else None
        return gpd.read_file(readable, layer=layer)


def read_report_input(
    path: str | os.PathLike[str],
    *,
    reference: str | os.PathLike[str] | None = None,
    max_speed_kmh: float | str | None = SPEED_FROM_SPECIES,
    study_area: Any = None,
    species: Any = "auto",
) -> gpd.GeoDataFrame:
    """Read relocations (points) or given home ranges (polygons) for a report.

    CSV and Movebank files are read as relocations with
    :func:`habitat.read_relocations` (flagging fixes faster than the speed
    limit); vector files (GeoPackage, GeoJSON, GeoParquet) holding
    polygons are read as given ranges (an ``individual`` column is required).
    A report's own outputs read back as they were written: the "ranges" layer
    of ``ranges.gpkg`` (not "corridors"), and the ``method``, ``level`` and
    ``area_km2`` of its ranges, ``metrics.parquet`` and territory tables (see
    :func:`run_report`).

    Parameters
    ----------
    path : path
        The file.
    reference : path, optional
        Movebank reference table (sex, deployment windows).
    max_speed_kmh : float, "species" or None
        Speed limit (km/h) for flagging fixes. ``"species"`` (the default):
        the limit of the data's species profile (``species``, else the
        default of the study area the data lie in: the bundled
        ``amur_leopard``, 20 km/h, only for data in the bundled Primorsky
        area; no profile elsewhere, so no speed flag); see
        :func:`prepare_report_input`. A number: that limit; None: no speed flag.
    study_area, species : optional
        As for :func:`run_report`; only used to find the speed limit.
    """
    if isinstance(max_speed_kmh, str):
        with _muted("habitat.datasets"):  # run_report says where the data are
            return prepare_report_input(
                path,
                reference=reference,
                max_speed_kmh=max_speed_kmh,
                study_area=study_area,
                species=species,
            ).data
    return _read_input(path, reference=reference, max_speed_kmh=max_speed_kmh)


@contextlib.contextmanager
def _muted(logger: str) -> Iterator[None]:
    """Drop the records of one logger for a while (a look-up whose line a caller repeats)."""

    def drop(record: logging.LogRecord) -> bool:
        return False

    target = logging.getLogger(logger)
    target.addFilter(drop)
    try:
        yield
    finally:
        target.removeFilter(drop)


@dataclasses.dataclass
class ReportInput:
    """What :func:`prepare_report_input` read and resolved for a report.

    Attributes
    ----------
    data : GeoDataFrame
        Relocations (flagged with ``max_speed_kmh``) or given ranges.
    study_area : StudyArea
        The layers near the data (see :func:`run_report`).
    species : SpeciesProfile or None
        The species profile (None: no size check, no speed flag).
    max_speed_kmh : float or None
        The speed limit the fixes were flagged with (None: none; always None
        for given ranges).
    """

    data: gpd.GeoDataFrame
    study_area: StudyArea
    species: SpeciesProfile | None
    max_speed_kmh: float | None


def prepare_report_input(
    path: str | os.PathLike[str],
    *,
    reference: str | os.PathLike[str] | None = None,
    study_area: Any = None,
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    land_cover: Any = "auto",
    species: Any = "auto",
    max_speed_kmh: float | str | None = SPEED_FROM_SPECIES,
) -> ReportInput:
    """Read a report's input and resolve its study area, species and speed limit.

    The default species profile depends on where the data are, which is
    known only once they are read; so the file is read without a speed flag,
    the study area and the species are resolved from the fixes (as
    :func:`run_report` does), and, when the profile (or ``max_speed_kmh``)
    sets a speed limit, the file is read again with it. An albatross file is
    never flagged with the leopard's 20 km/h; the bundled demo leopards are;
    ``species="none"`` flags no speed. Warnings of the read are shown once.

    Parameters
    ----------
    path, reference
        As for :func:`read_report_input`.
    study_area, layers, land_cover, species
        As for :func:`run_report`.
    max_speed_kmh : float, "species" or None
        ``"species"``: the profile's limit (none without a profile); a number
        wins; None: no speed flag.

    Returns
    -------
    ReportInput
        Pass its fields to :func:`run_report` (``study_area=``, ``species=``).
    """
    from_species = isinstance(max_speed_kmh, str)
    first_limit = None if isinstance(max_speed_kmh, str) else max_speed_kmh
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = _read_input(path, reference=reference, max_speed_kmh=first_limit)
    area = resolve_study_area(data, study_area, layers=layers, land_cover=land_cover)
    profile = resolve_species(area, species)
    kinds = set(data.geom_type.dropna().unique())
    given = bool(kinds) and kinds <= {"Polygon", "MultiPolygon"}
    limit = None if given else speed_limit(max_speed_kmh, profile)
    if from_species and limit is not None:
        data = _read_input(path, reference=reference, max_speed_kmh=limit)  # warns itself
        basis = extent_basis(data)
        area = area.near(basis) if len(basis) else area  # spikes now flagged
    else:
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    return ReportInput(data, area, profile, limit)


def _read_input(
    path: str | os.PathLike[str],
    *,
    reference: str | os.PathLike[str] | None,
    max_speed_kmh: float | None,
) -> gpd.GeoDataFrame:
    from habitat.io.relocations import read_relocations

    p = Path(path)
    if not p.exists():
        raise DataFileError(f"input file '{p}' does not exist.")
    if p.suffix.lower() in {".gpkg", ".geojson", ".json", ".shp", ".parquet", ".geoparquet"}:
        try:
            gdf = (
                gpd.read_parquet(p)
                if p.suffix.lower() in {".parquet", ".geoparquet"}
                else _read_vector(p, prefer_layer="ranges")
            )
        except Exception as exc:
            raise DataFileError(f"cannot read '{p}': {exc}") from exc
        kinds = set(gdf.geom_type.dropna().unique())
        if kinds and kinds <= {"Polygon", "MultiPolygon"}:
            if "individual" not in gdf.columns:
                raise ColumnError(
                    f"'{p}' holds polygons but no 'individual' column; name the column that "
                    "identifies each animal 'individual'."
                )
            return gdf
    return read_relocations(p, reference=reference, max_speed_kmh=max_speed_kmh)


def individual_slugs(individuals: Iterable[Any]) -> dict[str, str]:
    """Safe, unique, stable file names for individual ids taken from data.

    Each id is sanitised with :func:`habitat.core.fs.safe_filename` (path
    separators, ``..`` and other unsafe characters replaced, so
    ``../../etc/passwd`` becomes ``etc_passwd`` and never leaves the output
    folder). Ids whose sanitised names collide, ignoring case (``"Leo 1"`` and
    ``"leo_1"``), or that sanitise to nothing, get the first 8 hex digits of the
    SHA-1 of the id appended, so every animal has its own file.

    Examples
    --------
    >>> slugs = individual_slugs(["Leo 1F", "Leo 1", "leo_1", "../../etc/passwd", "Барс"])
    >>> slugs["Leo 1F"], slugs["../../etc/passwd"]
    ('Leo_1F', 'etc_passwd')
    >>> slugs["Leo 1"], slugs["leo_1"]  # would collide on a case-insensitive disk
    ('Leo_1-b133e3cf', 'leo_1-0cf44d5c')
    >>> slugs["Барс"]  # nothing ASCII left
    'unnamed-2b4a87be'
    """
    ids = [str(i) for i in individuals]
    base = {i: safe_filename(i, max_length=60) for i in ids}
    count: dict[str, int] = {}
    for b in base.values():
        count[b.lower()] = count.get(b.lower(), 0) + 1
    out = {}
    for i in ids:
        b = base[i]
        if count[b.lower()] > 1 or b == "unnamed":
            b = f"{b}-{hashlib.sha1(i.encode('utf-8')).hexdigest()[:8]}"
        out[i] = b
    return out


# --------------------------------------------------------------------------- tasks


@dataclasses.dataclass
class _Task:
    individual: str
    slug: str
    out_dir: Path
    options: ReportOptions
    overwrite: bool
    fixes: gpd.GeoDataFrame | None = None
    given: gpd.GeoDataFrame | None = None
    fingerprint: str = ""
    reason: str = ""
    species: SpeciesProfile | None = None
    ud_cell_source: str = "ud_cell_size_m"


@dataclasses.dataclass
class _Outcome:
    individual: str
    ranges: gpd.GeoDataFrame | None = None
    failure: dict[str, str] | None = None
    cached: bool = False
    seconds: float = 0.0
    n_fixes: int = 0
    figures: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    reason: str = ""
    #: AKDE: the movement model its range was estimated from, and its variogram
    model: MovementModel | None = None
    variogram: pd.DataFrame | None = None


def _failure(individual: str, stage: str, exc: BaseException) -> dict[str, str]:
    return {
        "individual": individual,
        "stage": stage,
        "error": type(exc).__name__,
        "message": str(exc).strip() or repr(exc),
    }


def _figure_paths(out_dir: Path, slug: str) -> dict[str, Path]:
    folder = out_dir / "pages" / slug
    return {
        "ud": folder / "ud.png",
        "area_curve": folder / "area_curve.png",
        "variogram": folder / VARIOGRAM_FIGURE,
    }


def _cache_path(out_dir: Path, slug: str, fingerprint: str) -> Path:
    """The cached estimates of an animal, named by the fingerprint of what made them."""
    return out_dir / WORK / slug / f"{fingerprint or 'unknown'}.parquet"


def _movement_path(cache: Path) -> Path:
    """The cached movement model and variogram (AKDE) next to an animal's estimates."""
    return cache.with_name(cache.stem + ".movement.json")


def _saved_movement(path: Path) -> tuple[MovementModel, pd.DataFrame] | None:
    """The cached movement model and variogram, or None (absent or unreadable: recomputed)."""
    if not path.exists():
        return None
    try:
        return read_movement(path)
    except DataFileError as exc:
        log.warning("%s; the animal is estimated again", exc)
        return None


def _cache_key(path: Path) -> str:
    """The fingerprint a cache file is named by (``<sha256>.parquet``, ``.movement.json``)."""
    return path.name.split(".", 1)[0]


def _estimate(task: _Task) -> _Outcome:
    """Step 1 for one animal: ranges (cached) and figures; never raises.

    The cache is reused only when it was made from the same fixes and options
    (its file name is their fingerprint). Before recomputing, every other
    cache of the animal is deleted, so a cache on disk always belongs to the
    figures on disk, whatever moment an earlier run was killed at.
    """
    t0 = time.perf_counter()
    cache = _cache_path(task.out_dir, task.slug, task.fingerprint)
    movement = _movement_path(cache)
    # an AKDE animal's cache is whole with its movement model (written before the ranges)
    akde = task.given is None and "akde" in task.options.methods
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # data-quality warnings are in the tables
            saved = _saved_movement(movement) if akde and not task.overwrite else None
            if cache.exists() and not task.overwrite and (not akde or saved is not None):
                ranges = gpd.read_parquet(cache)
                model, vario = saved if saved is not None else (None, None)
                figs = _figure_list(
                    task.options,
                    given=task.given is not None,
                    fixes=task.fixes,
                    cell_source=task.ud_cell_source,
                )
                # given ranges count no fixes (their n_fixes may be NaN: unknown)
                fixed = task.given is None and "n_fixes" in ranges
                n = int(ranges["n_fixes"].max()) if fixed else 0
                seconds = time.perf_counter() - t0
                return _Outcome(
                    task.individual, ranges, None, True, seconds, n, figs, "", model, vario
                )
            for old in cache.parent.iterdir() if cache.parent.is_dir() else ():
                if old.is_file() and old.name.endswith((".parquet", ".movement.json")):
                    old.unlink()
            model, vario = None, None
            if task.given is not None:
                ranges, figs, n = _given_ranges(task), [], 0
            else:
                ranges, figs, n, model, vario = _estimate_fixes(task)
            if model is not None and vario is not None:  # before the ranges: they mark it done
                write_movement(movement, model, vario)
            buf = ranges.copy()
            with atomic_path(cache) as tmp:
                buf.to_parquet(tmp)
        seconds = time.perf_counter() - t0
        return _Outcome(
            task.individual, ranges, None, False, seconds, n, figs, task.reason, model, vario
        )
    except Exception as exc:  # isolate the animal: report, don't stop the batch
        return _Outcome(
            task.individual,
            failure=_failure(task.individual, "estimate", exc),
            seconds=time.perf_counter() - t0,
        )


def _figure_list(
    options: ReportOptions,
    *,
    given: bool,
    fixes: gpd.GeoDataFrame | None = None,
    cell_source: str = "ud_cell_size_m",
) -> list[tuple[str, str]]:
    """(name, caption) of the figures step 1 drew for an animal (its ``fixes``) with these options.

    The UD's cell size is found again as :func:`_estimate_fixes` chose it (the
    same projection and rule, no UD computed), so a cached animal's caption is
    the one its figure was drawn with.
    """
    if given:
        return []
    from habitat.homerange import estimation_crs
    from habitat.homerange.ud import ud_cell_size_m

    source = _required(fixes, "fixes")
    cell = ud_cell_size_m(source.to_crs(estimation_crs(source)), cell_size_m=options.ud_cell_size_m)
    captions = _figure_captions(options, ud_cell_size_m=cell, cell_source=cell_source)
    return [(k, captions[k]) for k in ("ud", "area_curve") if k == "ud" or options.area_curve]


def _figure_captions(
    options: ReportOptions, *, ud_cell_size_m: float, cell_source: str = "ud_cell_size_m"
) -> dict[str, str]:
    """Captions of an animal's figures; ``ud_cell_size_m``: the cells its UD was drawn on (m).

    ``cell_source`` says who set ``options.ud_cell_size_m`` (the option, or a
    species profile).
    """
    from habitat.homerange.grid import UD_MAX_CELLS
    from habitat.report.figures import length_label

    asked = options.ud_cell_size_m
    if asked is None:
        how = "from the bandwidth"
    elif asked == ud_cell_size_m:
        how = f"as set by {cell_source}"
    else:
        how = (
            f"coarsened from the {length_label(asked)} set by {cell_source}, which would "
            f"need more than {UD_MAX_CELLS:,} cells"
        )
    return {
        "ud": f"Kernel utilisation distribution (href bandwidth; {length_label(ud_cell_size_m)} "
        f"cells, {how}) with the KDE isopleths.",
        "area_curve": f"Bootstrap area curve: MCP {100 * options.level:g} % area against "
        f"number of fixes ({options.area_curve_replicates} replicates per size).",
    }


def _required(data: gpd.GeoDataFrame | None, what: str) -> gpd.GeoDataFrame:
    """The task's data; a task built without it is a bug in the batch, said as such."""
    if data is None:
        raise InputError(f"internal: a report task without {what}; please report this.")
    return data


def _progress_printer(progress: bool | Callable[[str], None]) -> Callable[[str], None]:
    """Where progress lines go: the habitat log at INFO (True), the caller's function, or debug.

    True logs through :func:`habitat.core.log.log_progress`: subject to the
    configured levels (``habitat -q`` hides it), and on stderr when logging
    was never configured (a script, a notebook).
    """
    if progress is True:
        return lambda msg: log_progress(log, msg)
    if callable(progress):
        return progress
    return log.debug


def _given_ranges(task: _Task) -> gpd.GeoDataFrame:
    from habitat.homerange.polygons import home_ranges_from_polygons

    given = _required(task.given, "given ranges")
    level: float | str = "level" if "level" in given.columns else task.options.level
    sex = "sex" if "sex" in given.columns else None
    # a range table habitat wrote (ranges.gpkg, metrics.parquet, territories)
    # keeps its estimators' methods, levels and areas (a KDE's in grid cells);
    # other polygons (synthetic, drawn, a method habitat does not know) are "given"
    method = "method" if "method" in given.columns else None
    if method is not None:
        from habitat.homerange import METHODS

        known = given[method].isin(list(METHODS))
        given = given.assign(**{method: given[method].where(known)})
        method = method if known.any() else None
    area = "area_km2" if method is not None and "area_km2" in given.columns else None
    fixes = "n_fixes" if pd.api.types.is_numeric_dtype(given.get("n_fixes")) else None
    kw: dict[str, Any] = {"level": level, "sex": sex, "method": method, "species": task.species}
    out = home_ranges_from_polygons(given, **kw, area_km2=area, n_fixes=fixes)
    parts = out.groupby(["method", "level"], sort=False)["individual"].transform("size")
    if (parts == 1).all():
        return out
    # several polygons for one method and level are one range: their union
    merged = out.dissolve(by=["method", "level"], sort=False, as_index=False)
    united = home_ranges_from_polygons(merged, **{**kw, "level": "level", "method": "method"})
    counts = out.groupby(["method", "level"], sort=False).size().to_numpy()
    note = np.where(counts > 1, [f"union of {n} polygons" for n in counts], "")
    united["repaired"] = [
        "; ".join(t for t in (str(r), n) if t)
        for r, n in zip(united["repaired"], note, strict=True)
    ]
    return united


def _species_keywords(profile: SpeciesProfile | None) -> dict[str, Any]:
    """How :func:`habitat.home_range` is told the report's species profile (None: no size check)."""
    return {"species": profile}


def _estimate_fixes(
    task: _Task,
) -> tuple[gpd.GeoDataFrame, list[tuple[str, str]], int, MovementModel | None, pd.DataFrame | None]:
    """An animal's ranges, figures, fixes used, and (AKDE) its movement model and variogram.

    With ``"akde"`` among the methods the movement model is fitted once
    (:func:`habitat.batch.akde.fit_for_report`), the AKDE ranges are estimated
    from it (``home_range(..., model={individual: model})``), and the
    variogram with the model is drawn to ``pages/<slug>/variogram.png``; without,
    a variogram figure of an earlier run is deleted.
    """
    from habitat.homerange import estimation_crs, home_range
    from habitat.homerange.curve import area_curve
    from habitat.homerange.estimate import ranges_to_crs
    from habitat.homerange.ud import utilization_distribution
    from habitat.report.figures import figure_png, plot_area_curve, plot_ud, plot_variogram

    opts = task.options
    source = _required(task.fixes, "fixes")
    # project once to the CRS every estimator would choose for this animal, so
    # the four steps below do not each reproject the same fixes
    est = estimation_crs(source)
    fixes = source.to_crs(est)
    usable = fixes[~fixes["flag_any"]] if "flag_any" in fixes.columns else fixes
    paths = _figure_paths(task.out_dir, task.slug)
    model: MovementModel | None = None
    vario: pd.DataFrame | None = None
    akde_options = dict(opts.method_options.get("akde", {}))
    if "akde" in opts.methods:
        given_models = akde_options.pop("model", None) or {}
        mine = given_models.get(task.individual) if isinstance(given_models, Mapping) else None
        model, vario = fit_for_report(fixes, crs=est, options=akde_options, model=mine)
        akde_options["model"] = {task.individual: model}
    parts = [
        home_range(
            fixes,
            method=m,
            levels=opts.levels,
            **_species_keywords(task.species),
            **(akde_options if m == "akde" else opts.method_options.get(m, {})),
        )
        for m in opts.methods
    ]
    ranges = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=est)
    if model is not None and vario is not None:
        fig = plot_variogram(vario, model, individual=task.individual, level=_ci_level(ranges))
        atomic_write_bytes(paths["variogram"], figure_png(fig))
    else:  # no AKDE range this time: a variogram of earlier fixes or options must not stay
        paths["variogram"].unlink(missing_ok=True)
    figs: list[tuple[str, str]] = []
    kde = ranges[ranges["method"] == "kde"]
    uds = utilization_distribution(fixes, cell_size_m=opts.ud_cell_size_m)
    cell = uds[task.individual].cell_size_m
    captions = _figure_captions(opts, ud_cell_size_m=cell, cell_source=task.ud_cell_source)
    if opts.ud_cell_size_m is not None and cell != opts.ud_cell_size_m:  # said in the caption too
        log.warning(
            "%s: UD figure on %g m cells, not the %g m of ud_cell_size_m (too many cells)",
            task.individual,
            cell,
            opts.ud_cell_size_m,
        )
    fig = plot_ud(
        uds[task.individual],
        individual=task.individual,
        ranges=kde if len(kde) else None,
        levels=opts.levels,
    )
    atomic_write_bytes(paths["ud"], figure_png(fig))
    figs.append(("ud", captions["ud"]))
    if opts.area_curve:
        curve = area_curve(
            fixes, method="mcp", level=opts.level, n_boot=opts.area_curve_replicates, seed=0
        )
        atomic_write_bytes(paths["area_curve"], figure_png(plot_area_curve(curve)))
        figs.append(("area_curve", captions["area_curve"]))
    else:  # not drawn this time: a curve of earlier fixes or options must not stay
        paths["area_curve"].unlink(missing_ok=True)
    return ranges_to_crs(ranges, source.crs), figs, len(usable), model, vario


def _ci_level(ranges: pd.DataFrame, default: float = 0.95) -> float:
    """The confidence level of the ranges' intervals (``ci_level`` column), else ``default``."""
    if "ci_level" not in ranges.columns:
        return default
    levels = pd.to_numeric(ranges["ci_level"], errors="coerce").dropna().unique()
    return float(levels[0]) if len(levels) else default


@dataclasses.dataclass
class _PageTask:
    individual: str
    slug: str
    out_dir: Path
    options: ReportOptions
    overwrite: bool
    territory: dict[str, Any]
    ranges: pd.DataFrame
    neighbours: pd.DataFrame
    landscape: dict[str, Any]
    figures: list[tuple[str, str]]
    pages: dict[str, str]
    layers: StudyArea
    map_ranges: gpd.GeoDataFrame
    map_fixes: gpd.GeoDataFrame | None
    corridors: list[dict[str, str | None]] | None
    fragmentation: pd.DataFrame | None = None
    fingerprint: str = ""
    areas: pd.DataFrame | None = None
    barriers: pd.DataFrame | None = None
    land_cover_names: dict[str, str] | None = None
    map_corridors: gpd.GeoDataFrame | None = None
    #: AKDE: the movement model of its range and its variogram (figure: variogram.png)
    model: MovementModel | None = None
    variogram: pd.DataFrame | None = None


def _page_path(out_dir: Path, slug: str) -> Path:
    return out_dir / "pages" / f"{slug}.html"


def _page_fingerprint(page: Path) -> str | None:
    """The input fingerprint a page was rendered from (in its head), or None."""
    from habitat.report.pages import page_fingerprint

    try:
        with page.open("r", encoding="utf-8", errors="replace") as f:
            return page_fingerprint(f.read(4096))
    except OSError:
        return None


def _render(task: _PageTask) -> _Outcome:
    """Step 3 for one animal: its map, then its page (the page marks it finished)."""
    from habitat.maps import save_map, study_area_map
    from habitat.report.pages import render_individual_page

    t0 = time.perf_counter()
    try:
        page = _page_path(task.out_dir, task.slug)
        if (
            not task.overwrite
            and task.fingerprint
            and page.exists()
            and _page_fingerprint(page) == task.fingerprint
        ):
            return _Outcome(task.individual, cached=True, seconds=time.perf_counter() - t0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = study_area_map(
                task.layers,
                relocations=task.map_fixes,
                ranges=task.map_ranges,
                focus=task.individual,
                max_fixes_per_individual=task.options.max_fixes_on_map,
                title=f"{task.individual}",
                corridors=task.map_corridors,
            )
            save_map(m, task.out_dir / "pages" / task.slug / "map.html")
        html = render_individual_page(
            individual=task.individual,
            title=task.options.title or "Territory report",
            territory=task.territory,
            ranges=task.ranges,
            neighbours=task.neighbours,
            map_href=f"{task.slug}/map.html",
            landscape=task.landscape,
            land_cover_names=task.land_cover_names,
            corridors=task.corridors,
            fragmentation=task.fragmentation,
            areas=task.areas,
            barriers=task.barriers,
            schematic=task.layers.schematic,
            figures=[(f"{task.slug}/{name}.png", caption) for name, caption in task.figures],
            neighbour_pages=task.pages,
            fingerprint=task.fingerprint or None,
            model=task.model,
            variogram=task.variogram,
            variogram_href=(None if task.variogram is None else f"{task.slug}/{VARIOGRAM_FIGURE}"),
            ci_level=_ci_level(task.ranges),
        )
        atomic_write_text(page, html)
        return _Outcome(task.individual, seconds=time.perf_counter() - t0)
    except Exception as exc:
        return _Outcome(
            task.individual,
            failure=_failure(task.individual, "page", exc),
            seconds=time.perf_counter() - t0,
        )


# --------------------------------------------------------------------------- execution


#: what the tasks import lazily; preloaded in worker processes, so each worker
#: does not spend seconds importing them on its first animal
_WORKER_MODULES = (
    "habitat.batch.runner",
    "habitat.homerange",
    "habitat.homerange.curve",
    "habitat.homerange.ud",
    "habitat.maps",
    "habitat.report.figures",
    "habitat.report.pages",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
)


def _worker_init() -> None:
    warnings.simplefilter("ignore")
    os.environ.setdefault("MPLBACKEND", "Agg")
    import importlib

    for name in _WORKER_MODULES:  # no-ops when the forkserver preloaded them
        importlib.import_module(name)


class _Runner:
    """Runs tasks in-process, on a pool of local processes, or on a dask cluster.

    One runner serves both steps of a report, so worker processes (or the
    cluster connection) start once.
    """

    def __init__(self, *, workers: int, scheduler: Any, say: Callable[[str], None]) -> None:
        self.say = say
        self.pool: ProcessPoolExecutor | None = None
        self.client: Any = None
        self._own_client = False
        if scheduler is not None:
            self.distributed = import_optional(
                "distributed", extra="dask", purpose="running reports on a dask cluster"
            )
            self._own_client = not isinstance(scheduler, self.distributed.Client)
            # an address is parsed and probed first: a SchedulerError within seconds
            self.client = connect_scheduler(scheduler) if self._own_client else scheduler
        elif workers > 1:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if ctx.get_start_method() == "forkserver":
                # workers fork from a server that has imported these once
                ctx.set_forkserver_preload(list(_WORKER_MODULES))
            self.pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=ctx, initializer=_worker_init
            )

    def close(self) -> None:
        """Stop the worker processes (or close the cluster connection we opened)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.client is not None and self._own_client:
            self.client.close()

    def __enter__(self) -> _Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(
        self, fn: Callable[[Any], _Outcome], tasks: Sequence[Any], *, stage: str
    ) -> list[_Outcome]:
        """Run ``fn`` over ``tasks``; a task that cannot run becomes a failure."""
        results: list[_Outcome] = []
        n = len(tasks)

        def done(out: _Outcome) -> None:
            results.append(out)
            if out.failure:
                status = f"FAILED ({out.failure['error']}: {out.failure['message'][:120]})"
            elif out.cached:
                status = "already done"
            else:
                status = f"ok ({out.seconds:.1f} s)"
                if out.reason and out.reason != "new":
                    status += f", recomputed because {out.reason}"
            self.say(f"[{len(results)}/{n}] {stage} {out.individual}: {status}")

        def lost(t: Any, exc: BaseException) -> None:
            done(_Outcome(t.individual, failure=_failure(t.individual, stage, exc)))

        if not tasks:
            return results
        if self.client is not None:
            futures = self.client.map(fn, list(tasks), pure=False)
            index = {f.key: t for f, t in zip(futures, tasks, strict=True)}
            for fut in self.distributed.as_completed(futures):
                try:
                    done(fut.result())
                except Exception as exc:  # a worker died or could not run the task
                    lost(index[fut.key], exc)
        elif self.pool is not None:
            futures = {self.pool.submit(fn, t): t for t in tasks}
            for fut in as_completed(futures):
                try:
                    done(fut.result())
                except BrokenProcessPool as exc:
                    if not any(r.failure is None for r in results):
                        raise InputError(
                            "the worker processes could not start or all died. When calling "
                            "run_report(workers=N) from a script, put the call under "
                            "`if __name__ == '__main__':` (Python re-imports the script in "
                            "each worker); or use workers=1."
                        ) from exc
                    lost(futures[fut], exc)
                except Exception as exc:  # e.g. a worker killed by the OS
                    lost(futures[fut], exc)
        else:
            for t in tasks:
                done(fn(t))
        return results


# --------------------------------------------------------------------------- output folder


def _prepare_report_dir(out_dir: Path, *, overwrite: bool) -> Path:
    """Create the report folder, or accept an earlier report's folder to resume it."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"output path '{out_dir}' is a file, not a folder; choose a folder name.")
    busy = out_dir.exists() and any(out_dir.iterdir())
    if busy and not (out_dir / MARKER).exists() and not overwrite:
        raise OutputExistsError(
            f"output folder '{out_dir}' is not empty and is not a habitat report; choose "
            "another folder, or pass --overwrite (overwrite=True) to write into it."
        )
    prepare_output_dir(out_dir, overwrite=True)  # created; a file on its path is refused
    # remove temporary files a killed run left behind (names from habitat.core.fs.atomic_path)
    remove_stale_temporaries(out_dir)
    atomic_write_text(out_dir / MARKER, json.dumps({"habitat": __version__}) + "\n")
    return out_dir


# --------------------------------------------------------------------------- combine


def _neighbour_table(pairs: pd.DataFrame, individual: str) -> pd.DataFrame:
    cols = ["individual", "sex", "area_km2", "area_sq_mi", "share_self", "share_other"]
    if pairs.empty:
        return pd.DataFrame(columns=cols)
    a = pairs[pairs["individual_a"].astype(str) == individual]
    b = pairs[pairs["individual_b"].astype(str) == individual]
    left = pd.DataFrame(
        {
            "individual": a["individual_b"].astype(str),
            "sex": a["sex_b"],
            "area_km2": a["area_km2"],
            "area_sq_mi": a["area_sq_mi"],
            "share_self": a["share_a"],
            "share_other": a["share_b"],
        }
    )
    right = pd.DataFrame(
        {
            "individual": b["individual_a"].astype(str),
            "sex": b["sex_a"],
            "area_km2": b["area_km2"],
            "area_sq_mi": b["area_sq_mi"],
            "share_self": b["share_b"],
            "share_other": b["share_a"],
        }
    )
    out = pd.concat([left, right], ignore_index=True)
    return out[out["area_km2"] > 0][cols]


def _landscape(reported: gpd.GeoDataFrame, area: StudyArea) -> pd.DataFrame:
    """Land-cover shares (the study area's class names) and every barrier layer inside ranges."""
    from habitat.core.errors import TooLargeError
    from habitat.io.study_area import StudyArea
    from habitat.landscape.composition import landscape_in_ranges

    try:
        return landscape_in_ranges(reported, area)
    except TooLargeError as exc:  # ranges far larger than the land cover's cells allow
        log.warning("land-cover composition left out of the report: %s", exc)
        no_cover = StudyArea(area.layers, name=area.name, species=area.species)
        return landscape_in_ranges(reported, no_cover)


# --------------------------------------------------------------------------- main


def _describe_area(area: StudyArea) -> str:
    """One log line: the study area and its layers by role (or that there are none)."""
    if area.is_empty:
        return (
            "study area: no layers and no land cover, so no protected-area, admin-unit, "
            "barrier or land-cover rows"
        )
    roles: dict[str, int] = {}
    for lyr in area.layers:
        roles[lyr.role] = roles.get(lyr.role, 0) + 1
    by_role = ", ".join(f"{role.replace('_', ' ')} {n}" for role, n in roles.items())
    cover = " and land cover" if area.land_cover is not None else ", no land cover"
    return (
        f"study area: {area.name}: {len(area.layers)} layers near the data "
        f"({by_role or 'none'}){cover}"
    )


def _profile_value(profile: SpeciesProfile | None) -> Any:
    """A species profile as fingerprinted values (None: no profile)."""
    if profile is None:
        return None
    return json.loads(canonical_json(dataclasses.asdict(profile)))


def _apply_id_rule(data: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The ids of :mod:`habitat.core.ids` (as ``home_range`` uses), merges warned.

    Grouping by the raw values would make ``"Leo 1F "`` a second animal that
    ``home_range`` then calls ``"Leo 1F"``, and merge ``1`` and ``"1"`` unseen.
    """
    ids = normalise_ids(data["individual"], column="individual")
    warn_merged_ids(ids.merged, stacklevel=3)
    return data.assign(individual=ids.text.to_numpy(dtype=object))


# --------------------------------------------------------------------------- run_report's steps


def _corridors_argument(
    corridors: Any,
) -> tuple[bool, gpd.GeoDataFrame | None, CorridorReport | None]:
    """``run_report(corridors=...)`` checked: whether to compute them, a given table, a report."""
    compute = corridors is True
    if isinstance(corridors, pd.DataFrame):
        corridors = CORRIDORS.validate(corridors, name="corridors")
    elif corridors is not None and not isinstance(corridors, bool | CorridorReport):
        raise InputError(
            f"corridors={corridors!r}: give a table of habitat.core.tables.CORRIDORS, True "
            "(computed from the study area's land cover) or None."
        )
    if isinstance(corridors, CorridorReport):
        return compute, corridors.links, corridors
    return compute, corridors if isinstance(corridors, gpd.GeoDataFrame) else None, None


def _fragmentation_argument(fragmentation: Any) -> pd.DataFrame | bool | None:
    """``run_report(fragmentation=...)`` checked (a table validated)."""
    if isinstance(fragmentation, pd.DataFrame):
        return LANDSCAPE_METRICS.validate(fragmentation, name="fragmentation")
    if fragmentation is not None and not isinstance(fragmentation, bool):
        raise InputError(
            f"fragmentation={fragmentation!r}: give None (measured when the study area has a "
            "land cover), True, False or a table of habitat.core.tables.LANDSCAPE_METRICS."
        )
    return fragmentation


def _checked_data(data: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, bool]:
    """The data with the id rule applied, and whether they are given ranges (polygons)."""
    if "individual" not in data.columns:
        raise ColumnError(
            "data has no 'individual' column; name the column that identifies each animal "
            "'individual'."
        )
    if len(data) == 0:
        raise InputError("data is empty: no relocations or ranges to report.")
    data = _apply_id_rule(data)
    kinds = set(data.geom_type.dropna().unique())
    given = bool(kinds) and kinds <= {"Polygon", "MultiPolygon"}
    if not given and not kinds <= {"Point"}:
        raise InputError(
            f"data mixes geometry types {sorted(kinds)}; give points (relocations) or "
            "polygons (ranges)."
        )
    return data, given


def _setting(
    data: gpd.GeoDataFrame,
    opts: ReportOptions,
    *,
    study_area: Any,
    species: Any,
    layers: Mapping[str, gpd.GeoDataFrame] | None,
    land_cover: Any,
    fragmentation: pd.DataFrame | bool | None,
) -> tuple[StudyArea, SpeciesProfile | None, ReportOptions, str]:
    """What the data are measured against and judged by: from the data unless given.

    Returns the study area, the species profile, the options resolved with
    them, and where the UD cell size comes from (for the pages).
    """
    area = resolve_study_area(data, study_area, layers=layers, land_cover=land_cover)
    profile = resolve_species(area, species)
    from_profile = opts.ud_cell_size_m is None and profile is not None and profile.ud_cell_size_m
    cell_source = f"the {profile.name} profile" if profile and from_profile else "ud_cell_size_m"
    opts = resolved_options(opts, area, profile)
    if fragmentation is True and area.land_cover is None:
        raise InputError(
            "fragmentation=True needs a land cover, and the study area has none; give "
            "land_cover=... (CLI --land-cover) or leave fragmentation at None (measured only "
            "with a land cover)."
        )
    return area, profile, opts, cell_source


def _animals(
    data: gpd.GeoDataFrame, *, given: bool
) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, str], pd.DataFrame | None]:
    """Each animal's rows (in order of first appearance), its file-name slug, and fix counts.

    The counts (None for given ranges): :func:`_fix_counts`.
    """
    ids = data["individual"].astype(str)
    slugs = individual_slugs(pd.unique(ids))
    codes, names = pd.factorize(ids, sort=False)
    order = np.argsort(codes, kind="stable")  # one pass, not one mask per animal
    cuts = np.searchsorted(codes[order], np.arange(len(names) + 1))
    groups = {str(ind): data.iloc[order[cuts[k] : cuts[k + 1]]] for k, ind in enumerate(names)}
    counts = None if given else _fix_counts(data, codes, names)
    return groups, slugs, counts


@dataclasses.dataclass(frozen=True)
class _Plan:
    """The animals of a run and what each one's estimates are made from.

    Fingerprints of the inputs and options, so that only identical work is
    reused; the manifest records them.
    """

    out: Path
    given: bool
    groups: dict[str, gpd.GeoDataFrame]
    slugs: dict[str, str]
    counts: pd.DataFrame | None
    opt_values: dict[str, Any]
    parts: dict[str, dict[str, str]]
    n_rows: dict[str, int]
    est_fps: dict[str, str]
    area_fp: str
    before: dict[str, Any]  # the manifest of the earlier run (empty if none)
    reasons: dict[str, str]  # why each animal would be estimated again


def _plan(
    out: Path,
    groups: dict[str, gpd.GeoDataFrame],
    slugs: dict[str, str],
    counts: pd.DataFrame | None,
    opts: ReportOptions,
    profile: SpeciesProfile | None,
    *,
    given: bool,
    overwrite: bool,
    area_fp: str,
) -> _Plan:
    """Fingerprint what each animal's estimates are made from; why each would be redone."""
    opt_values = _estimate_options(opts, profile, given=given)
    parts = {
        ind: ({"fixes": table_sha256(g)} if given else fixes_fingerprint(g))
        for ind, g in groups.items()
    }
    est_fps = {
        ind: value_sha256({"habitat": __version__, "input": p["fixes"], "options": opt_values})
        for ind, p in parts.items()
    }
    before = _read_manifest(out)
    reasons = {
        ind: _recompute_reason(
            ind,
            before,
            parts[ind],
            opt_values,
            n_input=len(g),
            overwrite=overwrite,
            had_page=_page_path(out, slugs[ind]).exists(),
        )
        for ind, g in groups.items()
    }
    return _Plan(
        out=out,
        given=given,
        groups=groups,
        slugs=slugs,
        counts=counts,
        opt_values=opt_values,
        parts=parts,
        n_rows={ind: len(g) for ind, g in groups.items()},
        est_fps=est_fps,
        area_fp=area_fp,
        before=before,
        reasons=reasons,
    )


def _save_manifest(
    plan: _Plan,
    good: Mapping[str, _Outcome],
    page_fps: Mapping[str, str],
    *,
    fragmentation: Mapping[str, Any] | None = None,
) -> Path:
    """``manifest.json`` of the plan with the animals estimated and the pages rendered."""
    return _write_manifest(
        plan.out,
        plan.given,
        plan.opt_values,
        plan.slugs,
        plan.parts,
        plan.est_fps,
        good,
        page_fps,
        plan.counts,
        plan.n_rows,
        plan.area_fp,
        fragmentation=fragmentation,
    )


@dataclasses.dataclass
class _Progress:
    """What the steps of a run have produced so far (filled in by each step)."""

    corridor_table: gpd.GeoDataFrame | None
    corridor_result: CorridorReport | None
    failures: list[dict[str, str]] = dataclasses.field(default_factory=list)
    good: dict[str, _Outcome] = dataclasses.field(default_factory=dict)
    reused: list[str] = dataclasses.field(default_factory=list)
    recomputed: dict[str, str] = dataclasses.field(default_factory=dict)
    files: dict[str, Path] = dataclasses.field(default_factory=dict)
    pages: dict[str, Path] = dataclasses.field(default_factory=dict)
    skipped: list[str] = dataclasses.field(default_factory=list)
    metrics: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    pairs: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    page_fps: dict[str, str] = dataclasses.field(default_factory=dict)
    frag: pd.DataFrame | None = None
    frag_fps: dict[str, str] = dataclasses.field(default_factory=dict)
    #: confidence level of the ranges' intervals (AKDE), for the index's figure
    ci_level: float = 0.95


def _estimate_step(
    runner: _Runner,
    plan: _Plan,
    done: _Progress,
    opts: ReportOptions,
    profile: SpeciesProfile | None,
    *,
    overwrite: bool,
    cell_source: str,
) -> None:
    """Step 1: estimate every animal's ranges (cached estimates reused); the manifest."""
    tasks = [
        _Task(
            ind,
            plan.slugs[ind],
            plan.out,
            opts,
            overwrite,
            fixes=None if plan.given else g,
            given=g if plan.given else None,
            fingerprint=plan.est_fps[ind],
            reason=plan.reasons[ind],
            species=profile,
            ud_cell_source=cell_source,
        )
        for ind, g in plan.groups.items()
    ]
    est = runner.run(_estimate, tasks, stage="estimate")
    done.failures = [o.failure for o in est if o.failure]
    done.good = {o.individual: o for o in est if o.failure is None and o.ranges is not None}
    done.reused = sorted(o.individual for o in est if o.cached and o.failure is None)
    recomputed = {
        o.individual: plan.reasons[o.individual] for o in est if o.individual in done.good
    }
    done.recomputed = {i: why for i, why in recomputed.items() if i not in done.reused}
    _save_manifest(plan, done.good, done.page_fps)


def _combine_step(
    plan: _Plan,
    done: _Progress,
    area: StudyArea,
    opts: ReportOptions,
    profile: SpeciesProfile | None,
    *,
    compute_corridors: bool,
    fragmentation: pd.DataFrame | bool | None,
    overwrite: bool,
    say: Callable[[str], None],
) -> gpd.GeoDataFrame:
    """Step 2: the animals' ranges together: metrics, overlaps, corridors, tables, fragmentation.

    Every run, from the estimates of the animals in this input only. Returns the ranges.
    """
    good, out = done.good, plan.out
    ranges = pd.concat([good[i].ranges for i in plan.slugs if i in good], ignore_index=True)
    first = _required(next(iter(good.values())).ranges, "ranges")
    ranges = gpd.GeoDataFrame(ranges, geometry="geometry", crs=first.crs)
    done.metrics, done.pairs = _combine(ranges, area, opts, good, plan.given, plan.counts)
    done.metrics = _with_intervals(done.metrics, ranges)
    done.ci_level = _ci_level(ranges)
    if compute_corridors:
        done.corridor_result = report_corridors(done.metrics, area, profile=profile)
        say(done.corridor_result.summary())
        done.corridor_table = done.corridor_result.links
    if done.corridor_result is not None:
        conn = done.corridor_result.connectivity
        if conn is not None:
            table = pd.DataFrame(conn.nodes.drop(columns="geometry", errors="ignore"))
            table.index.name = "individual"
            done.files["connectivity"] = atomic_write_text(out / CONNECTIVITY_FILE, table.to_csv())
    done.files.update(_write_tables(out, ranges, done.metrics, done.pairs, done.corridor_table))
    done.frag, done.frag_fps = _fragmentation(
        fragmentation, done.metrics, area, out=out, overwrite=overwrite, say=say
    )
    return ranges


def _render_step(
    runner: _Runner,
    plan: _Plan,
    done: _Progress,
    ranges: gpd.GeoDataFrame,
    area: StudyArea,
    opts: ReportOptions,
    profile: SpeciesProfile | None,
    *,
    map_layers: Any,
    overwrite: bool,
) -> None:
    """Step 3: one page per animal (pages whose inputs did not change are kept)."""
    page_links = {i: f"{plan.slugs[i]}.html" for i in done.metrics["individual"].astype(str)}
    ptasks = _page_tasks(
        plan.out,
        opts,
        overwrite,
        done.metrics,
        ranges,
        done.pairs,
        map_layers,
        plan.slugs,
        plan.groups if not plan.given else None,
        done.good,
        page_links,
        done.corridor_table,
        done.frag,
        plan.est_fps,
        value_sha256({"study_area": plan.area_fp, "species": _profile_value(profile)}),
        area,
        done.corridor_result,
    )
    done.page_fps = {t.individual: t.fingerprint for t in ptasks}
    rendered = runner.run(_render, ptasks, stage="page")
    for o in rendered:
        if o.failure:
            done.failures.append(o.failure)
        else:
            done.pages[o.individual] = _page_path(plan.out, plan.slugs[o.individual])
            if o.cached:
                done.skipped.append(o.individual)


def _finish(
    plan: _Plan,
    done: _Progress,
    area: StudyArea,
    opts: ReportOptions,
    profile: SpeciesProfile | None,
    *,
    fragmentation: pd.DataFrame | bool | None,
) -> tuple[Path, pd.DataFrame, list[str]]:
    """The files of the whole run: stale ones removed, failures, manifest, index.

    Returns the index page, the failures and the animals of the earlier run
    that this input no longer holds.
    """
    out, files, pages = plan.out, done.files, done.pages
    if "connectivity" not in files:  # none this run: a table of an earlier run must not stay
        (out / CONNECTIVITY_FILE).unlink(missing_ok=True)
    removed = sorted(set(plan.before.get("animals", {})) - set(plan.groups))
    _remove_stale(
        out, {plan.slugs[i] for i in pages}, {plan.slugs[i]: plan.est_fps[i] for i in done.good}
    )
    if done.frag is not None and len(done.frag):
        files["fragmentation"] = atomic_write_text(
            out / FRAGMENTATION_FILE,
            done.frag.to_csv(index=False),  # the animals of metrics.csv
        )
    else:  # none this run: a table of an earlier run must not stay
        (out / FRAGMENTATION_FILE).unlink(missing_ok=True)
    if not done.frag_fps:  # nothing measured this run: no cache of an earlier one stays
        _clear_fragmentation_cache(out)
    fail = pd.DataFrame(done.failures, columns=FAILURE_COLUMNS)
    fail = fail.sort_values(["individual", "stage"]).reset_index(drop=True)
    files["failures"] = atomic_write_text(out / "failures.csv", fail.to_csv(index=False))
    files["manifest"] = _save_manifest(
        plan,
        done.good,
        {i: done.page_fps[i] for i in pages},
        fragmentation=_fragmentation_record(fragmentation, done.frag_fps),
    )
    metrics = done.metrics
    reported = metrics[metrics["individual"].astype(str).isin(pages)] if len(metrics) else metrics
    shown = None if done.frag is None else _reported_fragmentation(done.frag, pages)
    index = _write_index(
        out,
        opts,
        reported,
        fail,
        plan.slugs,
        files,
        area=area,
        profile=profile,
        fragmentation=shown,
        corridors=done.corridor_result,
        ci_level=done.ci_level,
    )
    return index, fail, removed


def _with_intervals(metrics: gpd.GeoDataFrame, ranges: pd.DataFrame) -> gpd.GeoDataFrame:
    """The territory table with each reported range's interval, DOF and model (AKDE).

    :func:`habitat.report.akde.with_intervals`, keeping the table's ``attrs``
    (landscape columns, class names); unchanged when no range has an interval.
    """
    from habitat.report.akde import with_intervals

    if not len(metrics):
        return metrics
    attrs = dict(metrics.attrs)
    out = with_intervals(metrics, pd.DataFrame(ranges.drop(columns="geometry", errors="ignore")))
    if out is metrics:
        return metrics
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=metrics.crs)
    out.attrs.update(attrs)
    return out


def run_report(
    data: gpd.GeoDataFrame,
    out_dir: str | os.PathLike[str],
    *,
    study_area: Any = None,
    species: Any = "auto",
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    land_cover: Any = "auto",
    options: ReportOptions | None = None,
    corridors: gpd.GeoDataFrame | CorridorReport | bool | None = None,
    fragmentation: pd.DataFrame | bool | None = None,
    overwrite: bool = False,
    workers: int = 1,
    scheduler: Any | None = None,
    progress: bool | Callable[[str], None] = True,
) -> ReportResult:
    """Write a territory report folder for every animal in ``data``.

    Parameters
    ----------
    data : GeoDataFrame
        Relocations (points with ``individual``, e.g. :func:`habitat.read_relocations`)
        or given home ranges (polygons with ``individual``; optional ``sex``, ``level``,
        ``method``). A range table habitat wrote (a report's ``ranges.gpkg`` or
        ``metrics.parquet``, a territory table) keeps its estimators' methods,
        levels and areas, and is reported at ``options.methods[0]`` when it
        holds that method (else its first method) and ``options.level`` (else
        its highest), each replacement logged; other polygons are ``"given"`` at
        ``options.level``. An animal's polygons of one method and level are
        one range, their union (``repaired`` says so), so an animal never
        overlaps itself and has one page.
    out_dir : path
        Report folder (see the module docstring for its layout). An existing
        report folder is resumed; a non-empty folder that is not a report is
        refused unless ``overwrite``.
    study_area : StudyArea, path, "bundled", "none" or None
        The layers by role (and land cover) the ranges are measured against
        (:class:`habitat.io.study_area.StudyArea`, a study-area TOML file,
        ``"bundled"``, ``"none"``). None (the default): the bundled Primorsky
        set only where the data overlap it, else no layers, said in one log
        line (:func:`habitat.datasets.study_area_for`). Layers far from the
        data are dropped.
    species : str, path, mapping, SpeciesProfile or None
        The species profile: range sizes by sex for plausibility, the UD
        figure's cell size (its ``ud_cell_size_m``, unless the options set
        one) and the band of the summary figure. ``"auto"`` (the default): the
        study area's (the bundled set: ``amur_leopard``), else none; None or
        ``"none"``: no range-size check. The report says which profile it used
        (or "no species profile: no range-size check, no speed flag"), in the
        log and on the index page.
    layers : mapping, optional
        Legacy form of ``study_area``: layers by name (bundled names keep
        their bundled roles; see :func:`habitat.batch.study.legacy_study_area`).
    land_cover : "auto", Raster, path, "bundled" or None
        Categorical land cover for the composition inside ranges. ``"auto"``:
        the study area's (for a legacy ``layers`` mapping: the bundled one);
        anything else replaces it, None leaves it out.
    options : ReportOptions, optional
        Methods, levels, figures, title (default: from the study area or the
        species, see :func:`habitat.batch.study.report_title`).
    corridors : GeoDataFrame, CorridorReport, bool or None
        Corridors between animals, a table of :data:`habitat.core.tables.CORRIDORS`
        (``from_id`` and ``to_id`` naming individuals, ``cost_weighted_distance``,
        optional ``length_m``, ``width_m``...), e.g. from a corridor analysis;
        written to ``ranges.gpkg`` and linked from both animals' pages. True:
        computed between the reported ranges on the study area's land cover
        (:func:`habitat.batch.corridors.report_corridors`: least-cost corridors
        with their widths, pairwise current flow and pinch points, PC/ECA of
        the ranges); each page lists its animal's links (to whom, cost, length,
        minimum and median width, pinch points) and the index shows the
        connectivity graph (``connectivity.png``) with PC and ECA. What cannot
        be computed (an animal's range off the land cover, no resistance table
        for the land cover) is a note on the pages and the index, never an
        error. A :class:`~habitat.batch.corridors.CorridorReport` (e.g. the
        demo's, computed once for its map): shown like a computed one. ``None``
        or False (the default): pages say corridors were not computed.
    fragmentation : None, bool or DataFrame
        Landscape metrics (FRAGSTATS definitions) shown under "Fragmentation
        inside the range" on each page, in the index and in
        ``fragmentation.csv``. None (the default): measured with
        :func:`habitat.landscape.landscape_metrics` when the study area has a
        land cover (landscape and class levels, 8-neighbour patches, a
        one-cell edge depth, :data:`habitat.batch.fragmentation.FRAGMENTATION_PARAMETERS`)
        inside each reported range and each protected area / zone of the
        study area; nothing without a land cover. True: the same, and a
        study area without a land cover is an error. False: none (CLI
        ``--no-fragmentation``). A DataFrame: your own table of
        :data:`habitat.core.tables.LANDSCAPE_METRICS` whose ``zone_id``
        names the individual, shown as given (nothing is measured). A zone
        that cannot be measured gets a note (shown on its page) and a
        :class:`~habitat.core.errors.DataQualityWarning`; the report goes on.
    overwrite : bool
        Recompute and rewrite everything; otherwise only the animals and pages
        whose input changed are recomputed (see "Re-runs" in the module docstring).
    workers : int
        Local processes for steps 1 and 3 (1 = in this process).
    scheduler : str or distributed.Client, optional
        Address of a dask distributed scheduler (or a client) to run steps 1 and 3 on.
    progress : bool or callable
        Progress lines on stderr (True), none (False), or a function taking each line.

    Returns
    -------
    ReportResult
        Paths, failures and skipped animals. ``result.ok`` is False when any
        animal failed; the CLI then exits with status 3.

    Raises
    ------
    InputError, ColumnError, OutputExistsError
        For problems with the whole batch (no ``individual`` column, a
        non-report output folder...); problems of one animal never raise.
    """
    t_start = time.perf_counter()
    say = _progress_printer(progress)

    opts = check_run_arguments(options, workers=workers, scheduler=scheduler)
    require_geodataframe(
        data,
        name="data",
        what="of relocations or ranges",
        hint="read files with habitat.batch.read_report_input.",
    )
    compute_corridors, corridor_table, corridor_result = _corridors_argument(corridors)
    fragmentation = _fragmentation_argument(fragmentation)
    data, given = _checked_data(data)
    area, profile, opts, cell_source = _setting(
        data,
        opts,
        study_area=study_area,
        species=species,
        layers=layers,
        land_cover=land_cover,
        fragmentation=fragmentation,
    )
    if isinstance(scheduler, str):  # unreachable: fail by name before any folder is made
        probe_scheduler(scheduler)
    out = _prepare_report_dir(Path(out_dir), overwrite=overwrite)
    from habitat.maps import prepare_layers

    # simplified, reprojected and rounded once for all the pages' maps
    map_layers = prepare_layers(area, land_cover=False)
    area_fp = study_area_fingerprint(area)
    # said once, also when progress lines are off (the index page says it too)
    setting = say if progress is not False else log.info
    setting(_describe_area(area))
    setting(describe_species(profile))

    groups, slugs, counts = _animals(data, given=given)
    say(f"{len(groups)} animals, {'given ranges' if given else f'{len(data)} fixes'} -> {out}")
    plan = _plan(
        out, groups, slugs, counts, opts, profile, given=given, overwrite=overwrite, area_fp=area_fp
    )
    done = _Progress(corridor_table, corridor_result)
    with _Runner(workers=workers, scheduler=scheduler, say=say) as runner:
        _estimate_step(
            runner, plan, done, opts, profile, overwrite=overwrite, cell_source=cell_source
        )
        if done.good:
            ranges = _combine_step(
                plan,
                done,
                area,
                opts,
                profile,
                compute_corridors=compute_corridors,
                fragmentation=fragmentation,
                overwrite=overwrite,
                say=say,
            )
            _render_step(
                runner,
                plan,
                done,
                ranges,
                area,
                opts,
                profile,
                map_layers=map_layers,
                overwrite=overwrite,
            )
    index, fail, removed = _finish(plan, done, area, opts, profile, fragmentation=fragmentation)
    seconds = time.perf_counter() - t_start
    say(f"{len(plan.groups)} animals: {_rerun_summary(done.reused, done.recomputed, removed)}")
    say(
        f"done in {seconds:.1f} s: {len(done.pages)} pages ({len(done.skipped)} already done), "
        f"{len(fail)} failed; open {index}"
    )
    return ReportResult(
        out,
        index,
        done.pages,
        fail,
        sorted(done.skipped),
        done.files,
        seconds,
        reused=done.reused,
        recomputed=done.recomputed,
        removed=removed,
    )


# --------------------------------------------------------------------------- fragmentation


def _fragmentation(
    asked: pd.DataFrame | bool | None,
    metrics: gpd.GeoDataFrame,
    area: StudyArea,
    *,
    out: Path,
    overwrite: bool,
    say: Callable[[str], None],
) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """The report's fragmentation table and each measured zone's fingerprint.

    A caller's table is used as given; ``False`` or no land cover: none;
    else measured (:func:`habitat.batch.fragmentation.report_fragmentation`).
    A failure of the whole measurement (not of one zone, which gets a note)
    leaves the metrics out with a warning; the report goes on.
    """
    if isinstance(asked, pd.DataFrame):
        return asked, {}
    if asked is False or area.land_cover is None or not len(metrics):
        return None, {}
    try:
        result = report_fragmentation(
            metrics, area, cache_dir=out / WORK / FRAGMENTATION_CACHE, overwrite=overwrite
        )
    except Exception as exc:  # never lose the report for its fragmentation section
        message = f"fragmentation metrics left out of the report: {type(exc).__name__}: {exc}"
        log.warning("%s", message)
        warnings.warn(message, DataQualityWarning, stacklevel=3)
        return None, {}
    say(result.summary())
    return result.table, result.fingerprints


def _reported_fragmentation(table: pd.DataFrame, pages: Mapping[str, Any]) -> pd.DataFrame:
    """The rows of the reported animals' ranges and of every protected area / zone."""
    if ZONE_KIND not in table.columns:
        return table
    kind = table[ZONE_KIND].astype(str)
    keep = (kind != "range") | table["zone_id"].astype(str).isin(list(pages))
    return table[keep.to_numpy()].reset_index(drop=True)


def _clear_fragmentation_cache(out: Path) -> None:
    folder = out / WORK / FRAGMENTATION_CACHE
    if folder.is_dir():
        for cached in folder.glob("*.parquet"):
            cached.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()


def _fragmentation_record(
    asked: pd.DataFrame | bool | None, fingerprints: Mapping[str, str]
) -> dict[str, Any] | None:
    """The manifest's record of the fragmentation metrics (None: there were none)."""
    if isinstance(asked, pd.DataFrame):
        return {"source": "given table"}
    if not fingerprints:
        return None
    return {
        "source": "habitat.landscape.landscape_metrics",
        "parameters": json.loads(canonical_json(FRAGMENTATION_PARAMETERS)),
        "zones_sha256": dict(sorted(fingerprints.items())),
    }


def _fragmentation_note(table: pd.DataFrame | None) -> str:
    """The index's line on how the metrics were measured (from the table's provenance)."""
    if table is None or not len(table):
        return ""
    parts = ["Landscape metrics with FRAGSTATS definitions, at the landscape level"]
    first = table.iloc[0]
    cell = first.get("cell_size_m")
    if "cell_size_m" in table.columns and pd.notna(cell):
        parts.append(f"on {float(cell):g} m land-cover cells")
    rule = first.get("neighbours")
    if "neighbours" in table.columns and pd.notna(rule):
        parts.append(f"{int(rule)}-neighbour patches")
    return ", ".join(parts) + f"; every level and class in {FRAGMENTATION_FILE}."


def _fragmentation_figure(
    out: Path, metrics: pd.DataFrame, table: pd.DataFrame | None
) -> list[tuple[str, str]]:
    """The index's chart comparing the animals (written, or an earlier one removed)."""
    from habitat.report.figures import (
        FRAGMENTATION_FIGURE_METRICS,
        figure_png,
        plot_fragmentation_by_animal,
    )

    path = out / FRAGMENTATION_FIGURE
    rows = None
    if table is not None and len(table) and "level" in table.columns:
        rows = table[table["level"].astype(str) == "landscape"]
        if ZONE_KIND in rows.columns:
            rows = rows[rows[ZONE_KIND].astype(str) == "range"]
        columns = [c for c in FRAGMENTATION_FIGURE_METRICS if c in rows.columns]
        finite = [c for c in columns if rows[c].notna().any()]
        if not len(rows) or not finite:
            rows = None
    if rows is None:
        path.unlink(missing_ok=True)
        return []
    sexes = (
        dict(zip(metrics["individual"].astype(str), metrics["sex"].astype(str), strict=True))
        if "sex" in metrics.columns
        else None
    )
    fig = plot_fragmentation_by_animal(rows, columns=finite, sexes=sexes)
    atomic_write_bytes(path, figure_png(fig))
    names = " and ".join(LANDSCAPE_METRICS.label(c) for c in finite)
    return [
        (
            FRAGMENTATION_FIGURE,
            f"{names[:1].upper()}{names[1:]} inside each animal's range, sorted by the first "
            "(bars coloured by sex).",
        )
    ]


# --------------------------------------------------------------------------- re-runs


def _fix_counts(data: gpd.GeoDataFrame, codes: np.ndarray, names: pd.Index) -> pd.DataFrame:
    """Fixes used, flagged and left out per animal (one pass over all fixes).

    ``n_fixes`` are the fixes the estimators use
    (:func:`habitat.homerange.fixes.usable_fixes`); ``n_fixes_flagged`` the
    fixes a cleaning rule flagged (``flag_any``), which are left out;
    ``n_fixes_excluded`` every fix left out, flagged or without a usable
    position, so ``n_fixes + n_fixes_excluded`` is the animal's fixes in the input.
    """
    import shapely

    from habitat.homerange.fixes import usable_fixes

    used = usable_fixes(data)
    if "flag_any" in data.columns:
        # usable_fixes holds the one reading of flag_any (text "True"/"False" too):
        # ask it about the flags alone, on placeholder positions
        probe = gpd.GeoDataFrame(
            {"flag_any": data["flag_any"].to_numpy()},
            geometry=shapely.points(np.zeros((len(data), 2))),
        )
        flagged = ~usable_fixes(probe)
    else:
        flagged = np.zeros(len(data), dtype=bool)
    k = len(names)
    total = np.bincount(codes, minlength=k)
    n_used = np.bincount(codes, weights=used, minlength=k).astype(np.int64)
    return pd.DataFrame(
        {
            "n_fixes": n_used,
            "n_fixes_flagged": np.bincount(codes, weights=flagged, minlength=k).astype(np.int64),
            "n_fixes_excluded": total - n_used,
        },
        index=pd.Index(names.astype(str), name="individual"),
    )


def _estimate_options(
    opts: ReportOptions, profile: SpeciesProfile | None, *, given: bool
) -> dict[str, Any]:
    """The options an animal's estimates and figures depend on (all animals alike).

    The species profile judges the ranges' sizes (plausibility), so a changed
    profile recomputes them.
    """
    from habitat.homerange.grid import UD_CELL_RULE

    species = _profile_value(profile)
    if given:  # home_ranges_from_polygons: the level when the polygons have none
        read = {"input": "given ranges", "level": opts.level, "kept": GIVEN_RULE}
        return json.loads(canonical_json({**read, "species": species}))
    values: dict[str, Any] = {
        "input": "relocations",
        "methods": list(opts.methods),
        "levels": list(opts.levels),
        "method_options": opts.method_options,
        "ud_cell_size_m": opts.ud_cell_size_m,
        "ud_cell_rule": UD_CELL_RULE,  # cells from the bandwidth and the cap on cells
        "area_curve": opts.area_curve,
        # fixes read by the CLI were flagged with it (the flags are fingerprinted too)
        "max_speed_kmh": opts.max_speed_kmh,
        "species": species,
    }
    if opts.area_curve:  # the curve is the MCP at the reported level
        values.update(level=opts.level, area_curve_replicates=opts.area_curve_replicates)
    return json.loads(canonical_json(values))  # as the manifest holds them


def _read_manifest(out: Path) -> dict[str, Any]:
    """The record of the last run in this folder ({} if none or unreadable)."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    ok = isinstance(manifest, dict) and isinstance(manifest.get("animals"), dict)
    return manifest if ok else {}


def _recompute_reason(
    individual: str,
    before: Mapping[str, Any],
    parts: Mapping[str, str],
    options: Mapping[str, Any],
    *,
    n_input: int,
    overwrite: bool,
    had_page: bool = False,
) -> str:
    """Why an animal is estimated again (used when its cached estimates are not reused)."""
    if overwrite:
        return "overwrite was asked for"
    old = before.get("animals", {}).get(individual)
    if not isinstance(old, dict):
        # a page but no record: a report of a habitat without fingerprints
        return "its earlier result has no fingerprint" if had_page and not before else "new"
    why = []
    if before.get("habitat") != __version__:
        why.append(f"habitat changed from {before.get('habitat')} to {__version__}")
    old_options = before.get("options", {})
    changed = sorted(k for k in {*old_options, *options} if old_options.get(k) != options.get(k))
    if changed:
        why.append(f"the options changed ({', '.join(changed)})")
    old_parts = old.get("input", {})
    if old_parts.get("fixes") != parts["fixes"]:
        old_n = old.get("n_input_rows")
        if isinstance(old_n, int) and old_n != n_input:
            what = [f"{old_n} -> {n_input} rows"]
        else:
            what = [p for p in parts if p != "fixes" and old_parts.get(p) != parts[p]]
        why.append(f"its fixes changed ({', '.join(what)})" if what else "its input changed")
    if not why:
        why.append("it failed before" if old.get("status") == "failed" else "no cached result")
    return "; ".join(why)


def _rerun_summary(
    reused: Sequence[str], recomputed: Mapping[str, str], removed: Sequence[str]
) -> str:
    """``2 reused, 1 recomputed because its fixes changed (positions): Leo 3F; ...``."""

    def named(ids: Sequence[str]) -> str:
        shown = ", ".join(ids[:5])
        return shown + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")

    parts = [f"{len(reused)} reused"]
    by_reason: dict[str, list[str]] = {}
    for ind, why in recomputed.items():
        by_reason.setdefault(why, []).append(ind)
    for why, ids in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        if why == "new":
            parts.append(f"{len(ids)} new: {named(sorted(ids))}")
        else:
            parts.append(f"{len(ids)} recomputed because {why}: {named(sorted(ids))}")
    if removed:
        parts.append(f"{len(removed)} removed (no longer in the input): {named(list(removed))}")
    return "; ".join(parts)


def _write_manifest(
    out: Path,
    given: bool,
    options: Mapping[str, Any],
    slugs: Mapping[str, str],
    parts: Mapping[str, Mapping[str, str]],
    est_fps: Mapping[str, str],
    good: Mapping[str, _Outcome],
    page_fps: Mapping[str, str],
    counts: pd.DataFrame | None,
    n_rows: Mapping[str, int],
    study_area_sha256: str = "",
    *,
    fragmentation: Mapping[str, Any] | None = None,
) -> Path:
    """``manifest.json``: what each animal of this run was computed from (atomically).

    ``fragmentation``: how the fragmentation metrics were made (their
    parameters and each zone's fingerprint), or None when there were none.
    """
    animals: dict[str, Any] = {}
    for ind, slug in slugs.items():
        entry: dict[str, Any] = {
            "slug": slug,
            "status": "reported" if ind in page_fps else "estimated" if ind in good else "failed",
            "input": dict(parts[ind]),
            "n_input_rows": n_rows[ind],
            "estimate_sha256": est_fps[ind],
        }
        if ind in page_fps:
            entry["page_sha256"] = page_fps[ind]
        if counts is not None:
            row: dict[Any, Any] = counts.loc[ind].to_dict()
            entry.update({str(k): int(v) for k, v in row.items()})
        animals[ind] = entry
    manifest = {
        "habitat": __version__,
        "input": "given ranges" if given else "relocations",
        "fingerprints": "sha256; input: "
        + ("every column of the polygons" if given else "positions and CRS, times, flags, sex, id")
        + "; estimate: input, options and habitat version",
        "options": dict(options),
        # the layers and land cover the pages show (a change re-renders every page)
        "study_area_sha256": study_area_sha256,
        "animals": animals,
    }
    if fragmentation is not None:
        manifest["fragmentation"] = dict(fragmentation)
    text = json.dumps(manifest, indent=1, ensure_ascii=True, sort_keys=True)
    return atomic_write_text(out / MANIFEST, text + "\n")


#: files step 1 and 3 write into ``pages/<slug>/``
_PAGE_FILES = ("map.html", "ud.png", "area_curve.png", VARIOGRAM_FIGURE)


def _remove_stale(out: Path, pages: set[str], caches: Mapping[str, str]) -> None:
    """Delete the outputs of animals not reported by this run, and caches not reused.

    ``pages`` are the slugs of the animals with a page; ``caches`` the slug ->
    fingerprint of every estimate of this run. Animals no longer in the input,
    or that failed this time, lose their page, figures, map and cache, so every
    output of a run agrees on the set of animals.
    """
    folder = out / "pages"
    if folder.is_dir():
        for entry in folder.iterdir():
            name = entry.stem if entry.suffix == ".html" else entry.name
            if name in pages:
                continue
            if entry.is_file() and entry.suffix == ".html" and _page_fingerprint_or_ours(entry):
                entry.unlink()
            elif entry.is_dir():
                for f in _PAGE_FILES:
                    (entry / f).unlink(missing_ok=True)
                with contextlib.suppress(OSError):
                    entry.rmdir()  # only if nothing but our files was there
    work = out / WORK
    if work.is_dir():
        for entry in work.iterdir():
            if entry.name == FRAGMENTATION_CACHE:
                continue  # per-zone caches, kept by habitat.batch.fragmentation
            if entry.is_file() and entry.suffix == ".parquet":
                entry.unlink()  # a cache of habitat 0.1, not named by its fingerprint
            elif entry.is_dir():
                keep = caches.get(entry.name)
                for cached in entry.iterdir():
                    ours = cached.name.endswith((".parquet", ".movement.json"))
                    if cached.is_file() and ours and _cache_key(cached) != keep:
                        cached.unlink()
                with contextlib.suppress(OSError):
                    entry.rmdir()


def _page_fingerprint_or_ours(page: Path) -> bool:
    """Whether a page was written by habitat (its head says so)."""
    try:
        with page.open("r", encoding="utf-8", errors="replace") as f:
            head = f.read(2048)
    except OSError:
        return False
    return 'name="generator" content="habitat' in head


def _combine(
    ranges: gpd.GeoDataFrame,
    area: StudyArea,
    opts: ReportOptions,
    good: Mapping[str, _Outcome],
    given: bool,
    counts: pd.DataFrame | None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    from habitat.overlap.territory import territory_table
    from habitat.overlap.vector import pairwise_overlap

    method, level = _reported_range(ranges, opts, given=given)
    sel = ranges[ranges["method"] == method]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = territory_table(sel, area, level=level)
        lv = sel[np.isclose(sel["level"].to_numpy(dtype=float), level)]
        pairs = pairwise_overlap(lv) if len(lv) > 1 else pd.DataFrame()
    if len(pairs):  # an animal is never its own neighbour
        pairs = pairs[pairs["individual_a"].astype(str) != pairs["individual_b"].astype(str)]
        pairs = pairs.reset_index(drop=True)
    doubled = table["individual"].astype(str).duplicated()
    if doubled.any():  # one page per animal: two rows would make two tasks on one page
        raise InputError(
            f"internal: several {method} {level:g} ranges for "
            f"{sorted(set(table['individual'].astype(str)[doubled]))[:5]}; please report this."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        land = _landscape(table, area)
    class_names = dict(land.attrs.get(CLASS_NAMES_ATTR, {}))
    table = table.join(land)
    table.attrs[CLASS_NAMES_ATTR] = class_names
    shown = [c for c in land.columns if c != "n_cells" and c != "share_nodata"]
    if counts is not None:  # fixes used, then those left out (flagged, or no position)
        for k, col in enumerate(counts.columns):
            table.insert(2 + k, col, table["individual"].astype(str).map(counts[col]).astype(int))
    table.attrs[LANDSCAPE_COLUMNS] = shown
    return table, pairs


def _reported_range(ranges: pd.DataFrame, opts: ReportOptions, *, given: bool) -> tuple[str, float]:
    """The method and level the territory table, overlaps and neighbours are of.

    Estimated ranges: the first of ``opts.methods`` at ``opts.level``. Given
    ranges of a table that names methods and levels (a report's own
    ``ranges.gpkg``): the first of ``opts.methods`` when the table has it, else
    the table's first method; ``opts.level`` when that method has it, else
    its highest level; each change said in the log. Polygons without a method
    are ``"given"``.
    """
    if not given:
        return opts.method, opts.level
    present = [str(m) for m in pd.unique(ranges["method"].astype(str))]
    method = opts.method if opts.method in present else present[0]
    if method != opts.method and present != ["given"]:
        log.warning(
            "the given ranges hold no %s ranges (they hold %s): reporting %s",
            opts.method,
            ", ".join(present),
            method,
        )
    levels = ranges.loc[ranges["method"].astype(str) == method, "level"].to_numpy(dtype=float)
    if np.isclose(levels, opts.level).any():
        return method, opts.level
    level = float(np.nanmax(levels))
    log.warning(
        "the given %s ranges have no level %g (they have %s): reporting level %g",
        method,
        opts.level,
        ", ".join(f"{v:g}" for v in sorted(set(levels.tolist()))),
        level,
    )
    return method, level


def _write_tables(
    out: Path,
    ranges: gpd.GeoDataFrame,
    metrics: gpd.GeoDataFrame,
    pairs: pd.DataFrame,
    corridors: gpd.GeoDataFrame | None,
) -> dict[str, Path]:
    from habitat.homerange.estimate import split_bounds

    files: dict[str, Path] = {}
    main, bounds = split_bounds(ranges)  # a GeoPackage layer holds one geometry
    with atomic_path(out / "ranges.gpkg") as tmp:
        main.to_file(tmp, driver="GPKG", layer="ranges")
        for side, layer in bounds.items():
            layer.to_file(tmp, driver="GPKG", layer=f"ranges_{side}")
        if corridors is not None and len(corridors):
            corridors.to_file(tmp, driver="GPKG", layer="corridors")
    files["ranges"] = out / "ranges.gpkg"
    files["metrics_csv"] = atomic_write_text(
        out / "metrics.csv", pd.DataFrame(metrics.drop(columns="geometry")).to_csv(index=False)
    )
    with atomic_path(out / "metrics.parquet") as tmp:
        metrics.to_parquet(tmp)
    files["metrics_parquet"] = out / "metrics.parquet"
    files["overlaps"] = atomic_write_text(out / "overlaps.csv", pairs.to_csv(index=False))
    return files


def _corridor_links(
    corridors: gpd.GeoDataFrame | None, page_links: Mapping[str, str]
) -> dict[str, list[dict[str, str | None]]]:
    """Individual -> links to the corridors that start or end at it (one pass)."""
    links: dict[str, list[dict[str, str | None]]] = {}
    if corridors is None or not len(corridors):
        return links
    shown = [c for c in CORRIDOR_DETAIL if c in CORRIDORS]
    for c in corridors.drop(columns=corridors.geometry.name).to_dict("records"):
        a, b = str(c["from_id"]), str(c["to_id"])
        parts = [_corridor_value(k, c[k]) for k in shown if k in c and pd.notna(c[k])]
        if "n_pinch_points" in c and pd.notna(c["n_pinch_points"]):
            n = int(c["n_pinch_points"])
            parts.append(f"{n} pinch point cell{'s' if n != 1 else ''}")
        if "note" in c and isinstance(c["note"], str) and c["note"].strip():
            parts.append(f"note: {c['note'].strip()}")
        detail = ", ".join(parts)
        for here, other in ((a, b), (b, a)):
            links.setdefault(here, []).append(
                {"label": f"Corridor to {other}", "href": page_links.get(other), "detail": detail}
            )
    return links


def _corridor_value(column: str, value: float) -> str:
    """``"path length 3.0 km"``: a corridor metric with its contract label and unit."""
    col = CORRIDORS.column(column)
    label = CORRIDOR_LABELS.get(column, col.description)
    if col.unit == "m":
        return f"{label} {units.convert_length(value, 'm', 'km'):,.1f} km"
    if column == "effective_resistance":
        return f"{label} {value:,.4g} {col.unit}"
    return f"{label} {value:,.1f}" + (f" {col.unit}" if col.unit else "")


def _page_tasks(
    out: Path,
    opts: ReportOptions,
    overwrite: bool,
    metrics: gpd.GeoDataFrame,
    ranges: gpd.GeoDataFrame,
    pairs: pd.DataFrame,
    layers: StudyArea,
    slugs: Mapping[str, str],
    groups: Mapping[str, gpd.GeoDataFrame] | None,
    good: Mapping[str, _Outcome],
    page_links: dict[str, str],
    corridors: gpd.GeoDataFrame | None,
    fragmentation: pd.DataFrame | None,
    est_fps: Mapping[str, str],
    setting_fp: str = "",
    area: StudyArea | None = None,
    corridor_result: CorridorReport | None = None,
) -> list[_PageTask]:
    tasks = []
    # the map layers are the same on every page: fingerprinted once, with the
    # study area (roles, labels, land cover) and the species profile
    layers_fp = value_sha256(
        {
            "map_layers": {name: table_sha256(gdf) for name, gdf in layers.map_layers().items()},
            "setting": setting_fp,
        }
    )
    # land-cover shares (named from the study area's classes) and barrier densities
    land_cols = [c for c in metrics.attrs.get(LANDSCAPE_COLUMNS, ()) if c in metrics.columns]
    reported_method = metrics["method"].iloc[0]
    corridor_links = _corridor_links(corridors, page_links)
    # the links drawn on each animal's map: those with a path
    drawn = None
    if corridors is not None and len(corridors):
        drawn = corridors[~(corridors.geometry.isna() | corridors.geometry.is_empty)]
    if corridor_result is not None:
        for ind, note in corridor_result.left_out().items():
            corridor_links.setdefault(ind, []).append(
                {"label": "No corridor computed", "href": None, "detail": note}
            )
    # the metrics of each animal, split in one pass (not one mask per animal)
    own = fragmentation
    if own is not None and ZONE_KIND in own.columns:  # the ranges' rows, not the parks'
        own = own[own[ZONE_KIND].astype(str) == "range"]
    by_zone: dict[str, pd.DataFrame] = (
        {}
        if own is None
        else {
            str(k): g.reset_index(drop=True)
            for k, g in own.groupby(own["zone_id"].astype(str), sort=False)
        }
    )
    # the protected areas, zones, admin units and barriers of each range, by the study
    # area's own names (long tables, split in one pass)
    areas, barriers = _page_rows(metrics, area)
    for _, row in metrics.iterrows():
        ind = str(row["individual"])
        neighbours = _neighbour_table(pairs, ind)
        near = {ind, *neighbours["individual"].astype(str)}
        map_ranges = ranges[
            (ranges["individual"].astype(str).isin(near)) & (ranges["method"] == reported_method)
        ]
        fixes = None
        if groups is not None:
            g = groups[ind]  # study_area_map thins them to max_fixes_on_map
            fixes = g[~g["flag_any"]] if "flag_any" in g.columns else g
        links = corridor_links.get(ind, [])
        own_links = None
        if drawn is not None:
            touches = (drawn["from_id"].astype(str) == ind) | (drawn["to_id"].astype(str) == ind)
            own_links = drawn[touches] if touches.any() else None
        terr = {
            k: (v.item() if hasattr(v, "item") else v)
            for k, v in row.drop(labels="geometry").items()
        }
        task = _PageTask(
            individual=ind,
            slug=slugs[ind],
            out_dir=out,
            options=opts,
            overwrite=overwrite,
            territory=terr,
            ranges=pd.DataFrame(
                ranges[ranges["individual"].astype(str) == ind].drop(columns="geometry")
            ),
            neighbours=neighbours,
            landscape={c: row[c] for c in land_cols},
            land_cover_names=dict(metrics.attrs.get(CLASS_NAMES_ATTR, {})),
            figures=good[ind].figures,
            # the page links only its neighbours (corridor links are in `corridors`)
            pages={n: page_links[n] for n in sorted(near - {ind}) if n in page_links},
            layers=layers,
            map_ranges=map_ranges,
            map_fixes=fixes,
            corridors=None if corridors is None else links,
            fragmentation=(
                None if fragmentation is None else by_zone.get(ind, fragmentation.iloc[:0])
            ),
            areas=None if areas is None else areas.get(ind, areas[""]),
            barriers=None if barriers is None else barriers.get(ind, barriers[""]),
            map_corridors=own_links,
            model=good[ind].model,
            variogram=good[ind].variogram,
        )
        task.fingerprint = _page_task_fingerprint(task, est_fps[ind], layers_fp)
        tasks.append(task)
    return tasks


def _page_rows(
    metrics: gpd.GeoDataFrame, area: StudyArea | None
) -> tuple[dict[str, pd.DataFrame] | None, dict[str, pd.DataFrame] | None]:
    """Each range's rows of area_shares and barrier_lengths, by individual ("" -> no rows)."""
    from habitat.landscape.composition import barrier_lengths
    from habitat.overlap.territory import area_shares

    if area is None or not len(metrics):
        return None, None
    level = float(metrics["level"].iloc[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # data-quality warnings are in the tables
        shares = area_shares(metrics, area, level=level)
        lengths = barrier_lengths(metrics, area)

    def split(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
        out = {
            str(k): g.reset_index(drop=True)
            for k, g in table.groupby(table["individual"].astype(str))
        }
        out[""] = table.iloc[:0]
        return out

    return split(shares), split(lengths)


def _canonical_values(table: pd.DataFrame | None) -> pd.DataFrame | None:
    """A table by its values only: numbers as float64, the rest as text (None when missing).

    The same numbers fingerprint alike whether they were measured now or read
    from a cache, in one call for many zones or one zone at a time (whose
    columns may come back as int64 or float64, object or string).
    """
    if table is None:
        return None
    out = {}
    for col in table.columns:
        values = table[col]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            number = values.to_numpy(dtype=float, na_value=np.nan)
            out[str(col)] = np.where(np.isnan(number), np.nan, number)
        else:
            out[str(col)] = np.array(
                [
                    None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                    for v in values.tolist()
                ],
                dtype=object,
            )
    return pd.DataFrame(out)


def _page_task_fingerprint(task: _PageTask, estimate_fp: str, layers_fp: str) -> str:
    """SHA-256 of everything a page and its map show (the fixes via the estimate's)."""
    opts = task.options
    extra: dict[str, Any] = {}
    if task.map_corridors is not None:  # pages without corridors keep their fingerprint
        extra["map_corridors"] = table_sha256(task.map_corridors)
    if task.model is not None:  # likewise pages without a movement model (AKDE)
        extra["model"] = json.loads(json.dumps(model_to_dict(task.model)))
    if task.variogram is not None:
        extra["variogram"] = _canonical_values(task.variogram)
    return value_sha256(
        {
            **extra,
            "habitat": __version__,
            "estimate": estimate_fp,  # its fixes (the map's points) and estimation options
            "title": opts.title,
            "max_fixes_on_map": opts.max_fixes_on_map,
            "slug": task.slug,
            "territory": task.territory,
            "ranges": task.ranges,
            "neighbours": task.neighbours,
            "landscape": task.landscape,
            "land_cover_names": task.land_cover_names,
            "figures": task.figures,
            "pages": task.pages,
            "layers": layers_fp,
            "map_ranges": table_sha256(task.map_ranges),
            "map_fixes": task.map_fixes is not None,
            "corridors": task.corridors,
            "fragmentation": _canonical_values(task.fragmentation),
            "areas": task.areas,
            "barriers": task.barriers,
        }
    )


def _write_index(
    out: Path,
    opts: ReportOptions,
    metrics: pd.DataFrame,
    failures: pd.DataFrame,
    slugs: Mapping[str, str],
    files: Mapping[str, Path],
    *,
    area: StudyArea | None = None,
    profile: SpeciesProfile | None = None,
    fragmentation: pd.DataFrame | None = None,
    corridors: CorridorReport | None = None,
    ci_level: float = 0.95,
) -> Path:
    from habitat.report.figures import figure_png
    from habitat.report.pages import METHOD_LABELS, render_index_page

    figures = []
    if len(metrics):
        fig = _summary_figure(metrics, profile)
        atomic_write_bytes(out / "summary_by_sex.png", figure_png(fig))
        band = (
            f"shaded: the expected sizes of the {profile.common_name} profile"
            if profile is not None and profile.expected_area_sq_mi
            else "no expected sizes (no species profile)"
        )
        what = "Range area and share protected" if "share_protected" in metrics else "Range area"
        figures.append(("summary_by_sex.png", f"{what} by sex; {band}."))
    frag_figures = _fragmentation_figure(out, metrics, fragmentation)
    conn_lines, conn_figures = _connectivity_section(out, metrics, corridors)
    interval_figures = _intervals_figure(out, metrics, ci_level)
    described = {
        "ranges": "all home ranges (GeoPackage; layer 'ranges', and 'corridors' when computed)",
        "metrics_csv": "territory metrics per animal (CSV)",
        "metrics_parquet": "territory metrics with range geometry (GeoParquet)",
        "overlaps": "every pair of overlapping ranges (CSV)",
        "fragmentation": "landscape metrics (FRAGSTATS definitions) inside each range and "
        "each protected area / zone: one row per zone, level and class (CSV)",
        "connectivity": "connectivity of the ranges: each range's area and its share of "
        "the probability of connectivity (dPC, intra, flux, connector, %), betweenness (CSV)",
        "failures": "animals that could not be reported, with the reason (CSV)",
        "manifest": "what each animal was computed from: SHA-256 of its fixes and of the "
        "options (JSON); a re-run recomputes only what changed",
    }
    listed = [(Path(p).name, described[k]) for k, p in files.items() if k in described]
    method = str(metrics["method"].iloc[0]) if len(metrics) else opts.method
    html = render_index_page(
        title=opts.title or "Territory report",
        metrics=pd.DataFrame(metrics.drop(columns="geometry", errors="ignore")),
        pages={
            i: f"pages/{slugs[i]}.html" for i in metrics.get("individual", pd.Series()).astype(str)
        },
        failures=failures,
        method_label=METHOD_LABELS.get(method, method),
        level=float(metrics["level"].iloc[0]) if len(metrics) else opts.level,
        figures=figures,
        files=listed,
        notes=_index_notes(area, profile),
        schematic=area is not None and area.schematic,
        fragmentation=fragmentation,
        fragmentation_figures=frag_figures,
        fragmentation_note=_fragmentation_note(fragmentation),
        connectivity_lines=conn_lines,
        connectivity_figures=conn_figures,
        interval_figures=interval_figures,
    )
    return atomic_write_text(out / "index.html", html)


def _intervals_figure(out: Path, metrics: pd.DataFrame, ci_level: float) -> list[tuple[str, str]]:
    """The index's areas with their intervals (AKDE), written to ``out``; none without one."""
    (out / INTERVALS_FIGURE).unlink(missing_ok=True)
    if not len(metrics) or "area_low_km2" not in metrics.columns:
        return []
    low = pd.to_numeric(metrics["area_low_km2"], errors="coerce")
    if not low.notna().any():
        return []
    from habitat.report.figures import figure_png, plot_area_intervals

    table = pd.DataFrame(metrics.drop(columns="geometry", errors="ignore"))
    atomic_write_bytes(
        out / INTERVALS_FIGURE, figure_png(plot_area_intervals(table, level=ci_level))
    )
    method = str(metrics["method"].iloc[0]).upper()
    level = float(metrics["level"].iloc[0])
    caption = (
        f"{method} {100 * level:g} % range area of each animal with its {100 * ci_level:g} % "
        "confidence interval (from the effective sample size of the area, DOF), largest "
        "at the top."
    )
    return [(INTERVALS_FIGURE, caption)]


def _connectivity_section(
    out: Path, metrics: pd.DataFrame, corridors: CorridorReport | None
) -> tuple[list[str], list[tuple[str, str]]]:
    """The index's lines on PC/ECA and the connectivity graph (written to ``out``)."""
    (out / CONNECTIVITY_FIGURE).unlink(missing_ok=True)
    if corridors is None:
        return [], []
    from habitat.report.figures import figure_png

    lines: list[str] = []
    figures: list[tuple[str, str]] = []
    conn = corridors.connectivity
    if corridors.links is not None:
        n_links = len(corridors.links)
        n_cores = 0 if corridors.cores is None else len(corridors.cores)
        lines.append(
            f"{n_links} least-cost corridor link(s) between {n_cores} ranges (the reported "
            "ranges as cores; a place inside several ranges goes to the nearest range "
            "centre). Each page lists its animal's links."
        )
    if conn is not None:
        row = conn.summary.iloc[0]
        lines.insert(
            0,
            f"Probability of connectivity PC {float(row['PC']):.3f}, equivalent connected "
            f"area ECA {float(row['ECA_km2']):,.1f} km² of "
            f"{float(row['landscape_area_km2']):,.1f} km² of ranges; median dispersal "
            f"{float(row['median_dispersal']):,.0f} resistance × m (Saura & Pascual-Hortal "
            "2007; habitat.batch.corridors says where the dispersal distance comes from).",
        )
        try:
            fig = _connectivity_figure(metrics, corridors)
            atomic_write_bytes(out / CONNECTIVITY_FIGURE, figure_png(fig))
            figures.append(
                (
                    CONNECTIVITY_FIGURE,
                    "Connectivity graph: ranges (size: area, colour: dPC) and their "
                    "corridors (line width: the PC lost without the link, dPC).",
                )
            )
        except Exception as exc:  # never lose the index for its figure
            lines.append(f"connectivity graph not drawn: {type(exc).__name__}: {exc}")
    elif corridors.links is not None:
        lines.append("No PC/ECA: no link with a finite cost or no dispersal distance.")
    lines.extend(corridors.notes)
    return lines, figures


def _connectivity_figure(metrics: pd.DataFrame, corridors: CorridorReport) -> Any:
    """The connectivity graph: range centroids (metres) as nodes, the links as edges."""
    from habitat.report.figures import plot_connectivity_graph

    conn = corridors.connectivity
    cores = corridors.cores
    if conn is None or cores is None:
        raise InputError("no connectivity computed: nothing to draw")
    centres = gpd.GeoSeries(
        gpd.GeoDataFrame(metrics, geometry="geometry").to_crs(cores.crs).geometry.centroid
    )
    centres.index = metrics["individual"].astype(str).to_numpy()
    ids = conn.nodes.index.astype(str)
    nodes = pd.DataFrame(
        {
            "x_m": centres.loc[ids].x.to_numpy(),
            "y_m": centres.loc[ids].y.to_numpy(),
            "area_km2": conn.nodes["area_km2"].to_numpy(dtype=float),
            "dPC": conn.nodes["dPC"].to_numpy(dtype=float),
        },
        index=ids,
    )
    row = conn.summary.iloc[0]
    return plot_connectivity_graph(
        nodes, conn.links, pc=float(row["PC"]), eca_km2=float(row["ECA_km2"])
    )


def _index_notes(area: StudyArea | None, profile: SpeciesProfile | None) -> list[str]:
    """The index page's lines on the study area and the species profile used."""
    lines = (
        [describe_species(profile)]
        if area is None
        else [_describe_area(area), describe_species(profile)]
    )
    return [line[:1].upper() + line[1:] for line in lines]


def _summary_figure(metrics: pd.DataFrame, profile: SpeciesProfile | None) -> Any:
    """The index's figure by sex, the profile's expected sizes shaded (none without one)."""
    from habitat.report.figures import plot_summary_by_sex

    return plot_summary_by_sex(metrics, species=profile)

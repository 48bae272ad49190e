"""The demo pipeline: the whole of habitat on the bundled data (orchestration layer).

The bundled data are one study area (:func:`habitat.datasets.primorsky`:
layers by role, land cover) and one species profile (``amur_leopard``: range
sizes by sex, the 20 km/h speed limit, 200 m UD cells); every step below takes
them as any user's own study area and profile would be taken.

Writes into one output folder:

* ``study_area_map.html`` - Folium map of the study-area layers and the demo
  leopards' fixes (flagged fixes left out), their territories (95 % MCP) and
  their 95 % AKDE ranges with the area interval drawn as a band (the ring
  between the lower and upper bound's isopleths), both coloured by share
  protected, each in a layer of its own that can be switched off, the
  least-cost corridors between the territories, the current density and the
  pinch points;
* ``layers.csv`` - the bundled layers with their areas (km², sq mi) and lengths;
* ``relocation_summary.csv`` - per individual: fixes, flags, duration, steps;
* ``relocation_flags.csv`` - every flagged fix with its reason;
* ``home_ranges.gpkg`` and ``home_ranges.csv`` - MCP, KDE (href) and AKDE home
  ranges at 50 % and 95 % of every leopard, with areas and plausibility flags;
  the AKDE rows with their 95 % area interval (``area_low_km2``,
  ``area_high_km2``...), ``dof_area``, the movement ``model`` and
  ``model_notes``. The GeoPackage holds the ranges in layer ``home_ranges``
  and the AKDE interval bounds' isopleths in layers ``home_ranges_low`` and
  ``home_ranges_high`` (a layer has one geometry);
* ``territories.csv`` and ``territories.gpkg`` - per leopard (95 % MCP): area,
  plausibility, share protected (park, zones, reserve), share per country,
  same- and opposite-sex neighbours, exclusivity;
* ``report/`` - the full territory report set of :func:`habitat.batch.run_report`:
  ``index.html``, one page per leopard with its map and figures, and the
  machine-readable ranges, metrics, overlaps and failures, and the
  fragmentation metrics (FRAGSTATS definitions on the bundled land cover)
  inside each range, protected area and park zone (``fragmentation.csv``),
  the corridors of each leopard on its page and the connectivity graph
  with PC/ECA on the index (``connectivity.png``, ``connectivity.csv``);
* ``corridors.gpkg`` (layers ``links``: least-cost paths with cost, length,
  widths, effective resistance and pinch points; ``corridors``: the corridor
  polygons) and ``corridors.csv`` (the links without geometry) - the corridors
  between the 95 % MCP ranges on the bundled land cover with the example
  leopard tables (:func:`habitat.batch.corridors.report_corridors`).
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from habitat import datasets
from habitat.batch.corridors import CorridorReport, report_corridors
from habitat.batch.runner import run_report
from habitat.core.errors import DataQualityWarning, InputError
from habitat.core.fs import atomic_path, atomic_write_text, prepare_output_dir
from habitat.homerange import home_range
from habitat.homerange.estimate import BOUND_GEOMETRIES, split_bounds
from habitat.io.cleaning import summarise_relocations
from habitat.io.relocations import read_relocations
from habitat.io.study_area import StudyArea
from habitat.landscape.layers import summarise_layers
from habitat.maps import save_map, study_area_map
from habitat.overlap.territory import territory_table, write_territory_table
from habitat.report.akde import with_intervals

__all__ = [
    "DEMO_RELOCATIONS",
    "DEMO_REFERENCE",
    "interval_ranges",
    "load_demo_relocations",
    "run_demo",
]

log = logging.getLogger(__name__)

#: bundled simulated leopard fixes (Movebank CSV), relative to the data folder
DEMO_RELOCATIONS = ("relocations", "demo_leopards.csv")
#: home-range estimators run by the demo
DEMO_METHODS = ("mcp", "kde", "akde")
#: the estimator whose ranges the map draws with their area intervals, beside the territories
DEMO_INTERVAL_METHOD = "akde"
#: the level of the ranges on the map (territories and intervals)
DEMO_MAP_LEVEL = 0.95
#: its Movebank reference table (sex of each animal)
DEMO_REFERENCE = ("relocations", "demo_leopards_reference.csv")
#: the species profile of the demo animals
DEMO_SPECIES = "amur_leopard"


def load_demo_relocations() -> gpd.GeoDataFrame:
    """The bundled demo leopards, read and flagged (the ``amur_leopard`` profile: 20 km/h).

    Examples
    --------
    Twelve simulated leopards, six of each sex, in longitude/latitude; a few
    fixes carry planted problems and are flagged, not dropped:

    >>> fixes = load_demo_relocations()
    >>> fixes.crs.to_epsg(), fixes["individual"].nunique()
    (4326, 12)
    >>> fixes.groupby("individual")["sex"].first().value_counts().sort_index().to_dict()
    {'F': 6, 'M': 6}
    >>> len(fixes), int(fixes["flag_any"].sum())
    (23659, 14)
    """
    with warnings.catch_warnings():
        # the demo data carries planted problems on purpose; run_demo logs the count
        warnings.simplefilter("ignore", DataQualityWarning)
        return _read_demo()


def _read_demo() -> gpd.GeoDataFrame:
    return read_relocations(
        datasets.data_path(*DEMO_RELOCATIONS),
        reference=datasets.data_path(*DEMO_REFERENCE),
        species=datasets.species_profile(DEMO_SPECIES),
    )


def write_ranges(ranges: gpd.GeoDataFrame, path: Path) -> Path:
    """Write a home-range table to a GeoPackage atomically; return the path.

    Layer ``home_ranges``; an interval's bound polygons (AKDE's
    ``geometry_low``, ``geometry_high``: a GeoPackage layer has one geometry)
    as layers ``home_ranges_low`` and ``home_ranges_high``
    (:func:`habitat.homerange.estimate.split_bounds`).
    """
    main, bounds = split_bounds(ranges)
    with atomic_path(path) as tmp:
        main.to_file(tmp, driver="GPKG", layer="home_ranges")
        for side, layer in bounds.items():
            layer.to_file(tmp, driver="GPKG", layer=f"home_ranges_{side}")
    return path


def interval_ranges(
    ranges: gpd.GeoDataFrame,
    study_area: StudyArea,
    *,
    method: str = DEMO_INTERVAL_METHOD,
    level: float = DEMO_MAP_LEVEL,
) -> gpd.GeoDataFrame:
    """One method's ranges at ``level`` as the map draws them beside the territories.

    Parameters
    ----------
    ranges : GeoDataFrame
        :func:`habitat.home_range` rows, any methods and levels (those of
        ``method`` at ``level`` are used).
    study_area : StudyArea
        The layers the shares are measured in (e.g. :func:`habitat.datasets.primorsky`).
    method : str
        The estimator with an area interval (default ``"akde"``).
    level : float
        The range level drawn (default 0.95, as the territories).

    Returns
    -------
    GeoDataFrame
        The territory table of those ranges
        (:func:`habitat.overlap.territory.territory_table`: area, plausibility,
        share protected, neighbours...), so that they are coloured by share
        protected as the territories are, plus their area interval
        (:func:`habitat.report.akde.with_intervals`: ``area_low_km2``,
        ``area_high_km2``, ``dof_area``, ``model``...) and the bounds'
        isopleths (``geometry_low``, ``geometry_high``, matched by individual)
        that :func:`habitat.maps.add_home_ranges` draws as a band. Empty when
        ``ranges`` has no rows of ``method`` at ``level``.

    Examples
    --------
    Two simulated leopards in the bundled park, 90 days of 4-hourly fixes:

    >>> import habitat
    >>> from habitat import datasets
    >>> fixes, _ = habitat.simulate_relocations(n_females=1, n_males=1, days=90, seed=1)
    >>> ranges = habitat.home_range(fixes, method="akde", levels=(0.5, 0.95))
    >>> shown = interval_ranges(ranges, datasets.primorsky())
    >>> shown["individual"].tolist(), shown["level"].tolist()
    (['F01', 'M01'], [0.95, 0.95])
    >>> low, area, high = (shown[c] for c in ("area_low_km2", "area_km2", "area_high_km2"))
    >>> bool(((low < area) & (area < high)).all())
    True
    >>> bool(shown["share_protected"].between(0, 1).all())
    True
    >>> shown["geometry_low"].crs.to_epsg(), shown["geometry_high"].crs.to_epsg()
    (4326, 4326)
    """
    rows = ranges[ranges["method"].astype(str) == method]
    at = rows[np.isclose(rows["level"].to_numpy(dtype=float), level)]
    if not len(at):
        return gpd.GeoDataFrame(geometry=[], crs=ranges.crs)
    table = with_intervals(territory_table(at, study_area, level=level), at)
    ids = at["individual"].astype(str).to_numpy()
    which = pd.Index(ids).get_indexer(table["individual"].astype(str))
    for col in (c for c in BOUND_GEOMETRIES if c in at.columns):
        bound = gpd.GeoSeries(at[col], crs=getattr(at[col], "crs", None) or at.crs)
        table[col] = gpd.GeoSeries(bound.to_numpy()[which], index=table.index, crs=bound.crs)
    return table


def pinch_point_cells(corridors: CorridorReport) -> gpd.GeoDataFrame | None:
    """The pinch point cells of a corridor analysis as points (cell centres) with their current.

    None when no pinch points were computed.
    """
    pinch, current = corridors.pinch, corridors.current
    if pinch is None or current is None:
        return None
    rows, cols = (pinch.array == 1).nonzero()
    x, y = pinch.xy(rows, cols)
    return gpd.GeoDataFrame(
        {"current_A": current.array[rows, cols]},
        geometry=gpd.points_from_xy(x, y),
        crs=pinch.crs,
    )


def write_corridors(corridors: CorridorReport, out: Path) -> dict[str, Path]:
    """Write ``corridors.gpkg`` (layers ``links``, ``corridors``) and ``corridors.csv``.

    Nothing is written when no links were computed (the notes say why).
    """
    links = corridors.links
    if links is None:
        return {}
    with atomic_path(out / "corridors.gpkg") as tmp:
        links.to_file(tmp, driver="GPKG", layer="links")
        if corridors.polygons is not None and len(corridors.polygons):
            corridors.polygons.to_file(tmp, driver="GPKG", layer="corridors")
    csv = atomic_write_text(
        out / "corridors.csv", pd.DataFrame(links.drop(columns="geometry")).to_csv(index=False)
    )
    return {"corridors_gpkg": out / "corridors.gpkg", "corridors_csv": csv}


def _with_bounds(table: pd.DataFrame, shown: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``table`` (concatenated) with its bound columns as GeoSeries in the CRS of ``shown``'s."""
    out = gpd.GeoDataFrame(table, geometry="geometry", crs=shown.crs).reset_index(drop=True)
    for col in (c for c in BOUND_GEOMETRIES if c in shown.columns):
        out[col] = gpd.GeoSeries(out[col].to_numpy(), crs=shown[col].crs)
    return out


def run_demo(
    out_dir: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    report: bool = True,
    workers: int = 1,
) -> dict[str, Path]:
    """Run the demo pipeline on the bundled data and write its outputs.

    Parameters
    ----------
    out_dir : path
        Output folder; created if missing.
    overwrite : bool
        Replace habitat's files in a non-empty ``out_dir``; otherwise such a
        folder is refused with :class:`~habitat.core.errors.OutputExistsError`.
    report : bool
        Also write the territory report set into ``out_dir/report``.
    workers : int
        Local processes for the report.

    Returns
    -------
    dict
        Output name -> path of each file written.

    Raises
    ------
    habitat.core.errors.InputError
        For an ``out_dir`` that is not a path, is an existing file or lies under
        one, and for option values of the wrong type. Every file is written
        inside ``out_dir`` (:func:`habitat.core.fs.atomic_path`), whatever its name.
    """
    if not isinstance(out_dir, str | os.PathLike) or not str(out_dir).strip():
        raise InputError(f"out_dir must be a folder path, not {out_dir!r}.")
    for flag, value in (("overwrite", overwrite), ("report", report)):
        if not isinstance(value, bool):
            raise InputError(f"{flag}={value!r} must be True or False.")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"workers={workers!r} must be a positive integer (1: no extra processes).")
    out = prepare_output_dir(out_dir, overwrite=overwrite)
    written: dict[str, Path] = {}

    log.info("loading the bundled study area (schematic layers by role, land cover)")
    area = datasets.primorsky()
    profile = datasets.species_profile(DEMO_SPECIES)
    table = summarise_layers(datasets.layers())
    written["layers"] = atomic_write_text(out / "layers.csv", table.to_csv())

    log.info("reading the demo relocations")
    fixes = load_demo_relocations()
    summary = summarise_relocations(fixes)
    written["relocation_summary"] = atomic_write_text(
        out / "relocation_summary.csv", summary.to_csv()
    )
    flagged = fixes[fixes["flag_any"]].drop(columns="geometry")
    written["relocation_flags"] = atomic_write_text(
        out / "relocation_flags.csv", flagged.to_csv(index=False)
    )
    log.info(
        "%d fixes of %d individuals, %d flagged",
        len(fixes),
        fixes["individual"].nunique(),
        len(flagged),
    )

    log.info("estimating home ranges (MCP, KDE href and AKDE with intervals, 50 % and 95 %)")
    ranges = pd.concat(
        [home_range(fixes, method=m, levels=(0.5, 0.95), species=profile) for m in DEMO_METHODS],
        ignore_index=True,
    )
    written["home_ranges_gpkg"] = write_ranges(ranges, out / "home_ranges.gpkg")
    written["home_ranges_csv"] = atomic_write_text(
        out / "home_ranges.csv",
        split_bounds(ranges)[0].drop(columns="geometry").to_csv(index=False),
    )

    log.info("building the territory table (95 % MCP ranges)")
    table = territory_table(ranges[ranges["method"] == "mcp"], area, level=0.95)
    written["territory_csv"] = write_territory_table(table, out / "territories.csv")
    written["territory_gpkg"] = write_territory_table(table, out / "territories.gpkg")

    log.info("computing corridors, current flow and connectivity between the 95 % MCP ranges")
    corr = report_corridors(table, area, profile=profile)
    log.info(corr.summary())
    written.update(write_corridors(corr, out))

    log.info("drawing the study-area map")
    # 95 % MCP ranges and 95 % AKDE ranges with their interval bands, both coloured by
    # their share protected (park + reserve), one layer each in the control
    shown = interval_ranges(ranges, area)
    map_ranges = table if not len(shown) else _with_bounds(pd.concat([table, shown]), shown)
    links = corr.links
    if links is not None:
        links = links[~(links.geometry.isna() | links.geometry.is_empty)]
    m = study_area_map(
        area,
        relocations=fixes[~fixes["flag_any"]],
        ranges=map_ranges,
        colour_ranges_by="share_protected",
        land_cover=False,
        corridors=links if links is not None and len(links) else None,
        current=corr.current,
        pinch_points=pinch_point_cells(corr),
    )
    written["map"] = Path(save_map(m, out / "study_area_map.html"))
    if report:
        log.info("writing the territory report set (one page per leopard)")
        result = run_report(
            fixes,
            out / "report",
            study_area=area,
            species=profile,
            corridors=corr,
            overwrite=overwrite,
            workers=workers,
            progress=log.info,
        )
        written["report"] = result.index
    for name, path in written.items():
        log.info("wrote %s: %s", name, path)
    return written

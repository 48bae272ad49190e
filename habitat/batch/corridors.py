"""Corridors of a report: least-cost corridors, current flow and connectivity of the ranges.

:func:`report_corridors` links the animals' reported home ranges on the study
area's land cover, as :mod:`habitat.corridors` defines each step:

1. **Window.** The land cover is cut to the ranges' box widened by
   ``margin_m`` (:data:`CORRIDOR_MARGIN_M`, 10 km by default) and coarsened to
   :data:`REPORT_CELL_SIZE_M` (600 m; the majority class of each cell), so
   that a report solves a modest grid (the demo leopards: about 360 × 200
   cells instead of the bundled cover's 200 m cells). Widths are therefore
   measured in steps of about one cell (600 m).
2. **Resistance.** :func:`habitat.corridors.resistance.resistance_surface`
   with the species' table: when every class of the land cover is one of the
   bundled classes and the species profile names the example tables
   (``resistance_tables = "leopard"``; or no profile is given), the
   example leopard tables
   (:func:`habitat.corridors.tables.leopard_resistance_table` and
   :func:`~habitat.corridors.tables.leopard_barrier_table`); the study area's
   ``barriers`` are burned at their widths and its ``crossings`` (the Narvinsky
   tunnel) lift them. Without a table for the land cover's classes the
   report says corridors were not computed (no number is guessed).
3. **Cores.** The ranges are the cores. Ranges of neighbours overlap, and a
   cell can belong to one core only, so a cell inside several ranges goes to
   the animal whose range centroid is nearest (:func:`disjoint_ranges`); two
   overlapping ranges therefore touch, and their link is short and cheap.
4. **Corridors.** :func:`habitat.corridors.linkage.corridors` between
   adjacent ranges (touching cost allocation zones, Linkage Mapper's rule),
   truncated at ``cutoff`` (:data:`REPORT_CUTOFF`: 10,000 resistance × m, a
   detour costing at most 10 km of forest more than the least-cost path).
5. **Current.** :func:`habitat.corridors.circuit.current_flow` pairwise between
   the ranges (focal regions), and :func:`~habitat.corridors.circuit.pinch_points`
   (top 1 % of the current on the corridor cells outside the ranges; for at most
   :data:`MAX_CURRENT_RANGES` ranges, one solve per pair); each link counts the pinch
   point cells inside its corridor polygon (``n_pinch_points``) and carries the
   effective resistance (ohm) between its two ranges.
6. **Connectivity.** :func:`habitat.corridors.graph.connectivity` of the ranges
   (attribute ``area_km2``) over the links' cost-weighted distances, with the
   median dispersal distance of the species (``median_dispersal_m`` of its
   profile, times the surface's least resistance: metres through its best
   habitat as resistance × m): PC, ECA (km²), IIC and each range's dPC.

Median dispersal of the Amur leopard
------------------------------------
No dispersal distance is published for the Amur leopard. Its bundled profile
(``data/species/amur_leopard.toml``) takes ``median_dispersal_m = 20000``:
**20,000 resistance × m** on the leopard table (20 km of forest, resistance 1,
the least), a round figure between
the natal dispersal of female leopards (a few km, often settling next to
their mother's range) and that of males (tens of km, and far more for some),
as reported for African leopards (e.g. Fattebert et al. 2013, "Long-distance
natal dispersal in leopard reveals potential for a three-country
metapopulation", *South African Journal of Wildlife Research* 43: 61-67).
It is a documented default, not a
measurement: pass ``median_dispersal=`` to use your own. Connectivity
numbers scale with it; the report says which value it used.

Failures never stop a report: an animal whose range cannot be a core (outside
the land cover, only on nodata) is left out with a note naming it, and a
failure of the whole analysis leaves the report without corridors and with a
note saying why (:attr:`CorridorReport.notes`), also issued as a
:class:`~habitat.core.errors.DataQualityWarning`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import warnings
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from habitat.core.errors import DataQualityWarning, HabitatError, InputError
from habitat.corridors import (
    Connectivity,
    connectivity,
    corridors,
    current_flow,
    leopard_barrier_table,
    leopard_resistance_table,
    node_cells,
    pinch_points,
    resistance_surface,
)
from habitat.datasets import species_profile
from habitat.io.raster import Raster
from habitat.io.species import SpeciesProfile
from habitat.io.study_area import StudyArea

__all__ = [
    "EXAMPLE_TABLES",
    "CORRIDOR_MARGIN_M",
    "MAX_CURRENT_RANGES",
    "REPORT_CELL_SIZE_M",
    "REPORT_CUTOFF",
    "CorridorReport",
    "disjoint_ranges",
    "links_by_individual",
    "report_corridors",
    "species_tables",
]

#: example class -> resistance and barrier tables a species profile can name
#: (``resistance_tables``), each a function giving (class table, barrier table)
EXAMPLE_TABLES: dict[str, Any] = {
    "leopard": lambda: (leopard_resistance_table(), leopard_barrier_table()),
}

log = logging.getLogger(__name__)

#: Margin (m) around the ranges' box of the land-cover window the corridors are computed on.
CORRIDOR_MARGIN_M = 10_000.0
#: Cell side (m) of a report's resistance surface: a land cover with smaller cells is
#: coarsened to it (majority of the classes), so that the pairwise circuit between a
#: dozen ranges solves in seconds (the bundled cover's 200 m cells become 600 m).
REPORT_CELL_SIZE_M = 600.0
#: Corridor truncation of a report (resistance × m above each link's least-cost distance):
#: a detour costing at most 10 km of forest (resistance 1) more than the least-cost path.
REPORT_CUTOFF = 10_000.0
#: Percentile of the current inside the corridors above which a cell is a pinch point.
PINCH_PERCENTILE = 99.0
#: Most ranges the pairwise circuit is solved for (one solve per pair: n (n - 1) / 2);
#: above it the report keeps the least-cost corridors and says the current was left out.
MAX_CURRENT_RANGES = 30
#: Extra columns of a report's links (after the CORRIDORS columns of the corridors).
LINK_EXTRA_COLUMNS = ("effective_resistance", "n_pinch_points")


@dataclasses.dataclass
class CorridorReport:
    """What :func:`report_corridors` computed (None fields: not computed).

    Attributes
    ----------
    links : geopandas.GeoDataFrame or None
        One row per link (:data:`habitat.core.tables.CORRIDORS`, from
        :func:`habitat.corridors.linkage.corridors`) plus ``effective_resistance``
        (ohm, between the two ranges; NaN without current) and ``n_pinch_points``
        (pinch point cells inside the link's corridor polygon); geometry the
        least-cost path.
    polygons : geopandas.GeoDataFrame or None
        The truncated corridor of each link.
    surface, current, pinch : habitat.io.raster.Raster or None
        Normalised corridor surface (resistance × m), cumulative current (A),
        pinch points (uint8, 1 = pinch point).
    connectivity : habitat.corridors.graph.Connectivity or None
        PC, ECA (km²), IIC of the ranges and each range's dPC.
    cores : geopandas.GeoDataFrame or None
        The cores used (the ranges made disjoint, :func:`disjoint_ranges`).
    median_dispersal : float or None
        Median dispersal distance used (resistance × m).
    notes : list of str
        What was left out and why (an animal without a core, a failed step).
    seconds : float
        Wall time.
    excluded : dict of str to str
        Animals left out of the corridors and why (:meth:`left_out`).
    """

    links: gpd.GeoDataFrame | None = None
    polygons: gpd.GeoDataFrame | None = None
    surface: Raster | None = None
    current: Raster | None = None
    pinch: Raster | None = None
    connectivity: Connectivity | None = None
    cores: gpd.GeoDataFrame | None = None
    median_dispersal: float | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    excluded: dict[str, str] = dataclasses.field(default_factory=dict)

    def left_out(self) -> dict[str, str]:
        """Animal -> why its range is not a core (outside the land cover, on nodata)."""
        return dict(self.excluded)

    @property
    def ok(self) -> bool:
        """Whether links were computed."""
        return self.links is not None

    def summary(self) -> str:
        """One progress line: ``"corridors: 14 links between 12 ranges (3.2 s)"``."""
        if self.links is None:
            why = self.notes[-1] if self.notes else "not computed"
            return f"corridors: none ({why})"
        n = 0 if self.cores is None else len(self.cores)
        left = f"; {len(self.notes)} note(s)" if self.notes else ""
        return f"corridors: {len(self.links)} links between {n} ranges ({self.seconds:.1f} s{left})"


def _note(result: CorridorReport, text: str) -> None:
    result.notes.append(text)
    log.warning(text)
    warnings.warn(text, DataQualityWarning, stacklevel=3)


def species_tables(
    land_cover: Raster, profile: SpeciesProfile | None
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The resistance and barrier tables of a species on a land cover, or None.

    The example tables (:mod:`habitat.corridors.tables`) the profile names in
    ``resistance_tables`` (``"leopard"``; with no profile, the leopard's) when
    the land cover's class names are the bundled ones (every class of the
    raster named in the table); None otherwise: no table is guessed.

    Raises
    ------
    InputError
        For a profile naming example tables that do not exist.

    Examples
    --------
    >>> from habitat import datasets
    >>> tables = species_tables(datasets.land_cover(), None)
    >>> tables[0]["resistance"].to_dict()[1]
    1.0
    >>> import numpy as np
    >>> other = Raster(np.ones((2, 2), dtype="uint8"), (100.0, 0.0, 0.0, 0.0, -100.0, 200.0),
    ...                32652, classes={1: "tundra"})
    >>> species_tables(other, None) is None
    True
    """
    name = "leopard" if profile is None else profile.resistance_tables
    if name is None:
        return None
    if name not in EXAMPLE_TABLES:
        raise InputError(
            f"species profile {getattr(profile, 'name', '')!r}: resistance_tables = {name!r} "
            f"names no example tables; use one of {sorted(EXAMPLE_TABLES)} or leave it out "
            "(then no corridors are computed on a classed land cover)."
        )
    table, barrier_table = EXAMPLE_TABLES[name]()
    names = {str(v).strip().lower() for v in table["name"]}
    classes = land_cover.classes or {}
    bundled = bool(classes) and all(str(v).strip().lower() in names for v in classes.values())
    return (table, barrier_table) if bundled else None


def disjoint_ranges(ranges: gpd.GeoDataFrame, *, id_column: str = "individual") -> gpd.GeoDataFrame:
    """Ranges made disjoint: a place inside several ranges goes to the nearest range centroid.

    Parameters
    ----------
    ranges : GeoDataFrame of (Multi)Polygons
        One range per id, in a projected CRS (distances to centroids in metres).
    id_column : str
        Column of the ids.

    Returns
    -------
    GeoDataFrame
        ``id_column`` and the disjoint geometry, same rows and CRS. A point of
        ranges ``i`` and ``j`` stays in ``i`` only when ``i``'s centroid is
        nearer (ties: the earlier row); a place in one range only is kept.

    Examples
    --------
    Two 10 km squares overlapping by 4 km are split along the middle of the overlap:

    >>> import shapely
    >>> r = gpd.GeoDataFrame({"individual": ["a", "b"]},
    ...     geometry=[shapely.box(0, 0, 10_000, 10_000), shapely.box(6_000, 0, 16_000, 10_000)],
    ...     crs=32652)
    >>> d = disjoint_ranges(r)
    >>> [round(g.area / 1e6, 3) for g in d.geometry]
    [80.0, 80.0]
    >>> round(float(d.geometry.iloc[0].intersection(d.geometry.iloc[1]).area), 6)
    0.0
    """
    geoms = np.asarray(shapely.make_valid(ranges.geometry.to_numpy()))
    centres = shapely.centroid(geoms)
    cx, cy = shapely.get_x(centres), shapely.get_y(centres)
    left, right = ranges.sindex.query(ranges.geometry, predicate="intersects")
    keep = left != right
    left, right = left[keep], right[keep]
    out = geoms.copy()
    # a few overlapping pairs of animals (not cells or fixes): the half-plane where
    # j's centroid is nearer (or equal and j earlier) is cut out of i's range
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    big = 4.0 * max(x1 - x0, y1 - y0, 1.0)
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        dx, dy = cx[j] - cx[i], cy[j] - cy[i]
        norm = float(np.hypot(dx, dy))
        if norm == 0.0:
            if j < i:
                out[i] = shapely.difference(out[i], geoms[j])
            continue
        ux, uy = dx / norm, dy / norm
        mx, my = (cx[i] + cx[j]) / 2.0, (cy[i] + cy[j]) / 2.0
        px, py = -uy * big, ux * big
        half = shapely.Polygon(
            [
                (mx + px, my + py),
                (mx + px + ux * big, my + py + uy * big),
                (mx - px + ux * big, my - py + uy * big),
                (mx - px, my - py),
            ]
        )
        out[i] = shapely.difference(out[i], shapely.intersection(geoms[j], half))
    return gpd.GeoDataFrame(
        {id_column: ranges[id_column].astype(str).to_numpy()},
        geometry=out,
        crs=ranges.crs,
        index=ranges.index,
    )


def _window(land_cover: Raster, ranges: gpd.GeoDataFrame, margin_m: float) -> Raster:
    """The land cover cut to the ranges' box widened by ``margin_m`` (whole cells)."""
    box = ranges.to_crs(land_cover.crs).total_bounds
    x0, y0, x1, y1 = box[0] - margin_m, box[1] - margin_m, box[2] + margin_m, box[3] + margin_m
    a, _, c, _, e, f = land_cover.transform
    n_rows, n_cols = land_cover.shape
    c0 = int(np.clip(np.floor((x0 - c) / a), 0, n_cols))
    c1 = int(np.clip(np.ceil((x1 - c) / a), 0, n_cols))
    r0 = int(np.clip(np.floor((y1 - f) / e), 0, n_rows))
    r1 = int(np.clip(np.ceil((y0 - f) / e), 0, n_rows))
    if c1 <= c0 or r1 <= r0:
        raise InputError(
            "the ranges lie outside the land cover: no corridor can be computed; give a land "
            "cover that covers the animals' ranges."
        )
    return Raster(
        land_cover.array[r0:r1, c0:c1],
        (a, 0.0, c + c0 * a, 0.0, e, f + r0 * e),
        land_cover.crs,
        nodata=land_cover.nodata,
        classes=land_cover.classes,
    )


def _usable_cores(
    cores: gpd.GeoDataFrame, resistance: Raster, result: CorridorReport
) -> gpd.GeoDataFrame:
    """The cores that hold a cell with data; a note for each one left out."""
    valid = np.isfinite(np.asarray(resistance.array, dtype=float)) & ~resistance.nodata_mask()
    ok = np.ones(len(cores), dtype=bool)
    for k in range(len(cores)):  # one small rasterisation per animal
        try:
            node_cells(cores.iloc[[k]], resistance, id_column="individual", valid=valid)
        except HabitatError as exc:
            ok[k] = False
            ind = str(cores["individual"].iloc[k])
            result.excluded[ind] = f"its range cannot be a core of the corridors: {exc}"
            _note(result, f"corridors: {ind} left out (its range cannot be a core: {exc})")
    return cores[ok]


def _pinch_counts(links: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame, pinch: Raster) -> np.ndarray:
    """Pinch point cells whose centre lies in each link's corridor polygon."""
    counts = np.zeros(len(links), dtype=np.int64)
    rows, cols = np.nonzero(np.asarray(pinch.array) == 1)
    if not len(rows) or not len(polygons):
        return counts
    x, y = pinch.xy(rows, cols)
    points = shapely.points(x, y)
    key = list(zip(links["from_id"].astype(str), links["to_id"].astype(str), strict=True))
    where = {k: n for n, k in enumerate(key)}
    poly_idx, point_idx = gpd.GeoSeries(points, crs=pinch.crs).sindex.query(
        polygons.geometry, predicate="contains"
    )
    hits = np.bincount(poly_idx, minlength=len(polygons))
    for p, (a, b) in enumerate(
        zip(polygons["from_id"].astype(str), polygons["to_id"].astype(str), strict=True)
    ):
        n = where.get((a, b), where.get((b, a)))
        if n is not None:
            counts[n] += int(hits[p])
    del point_idx
    return counts


def report_corridors(
    ranges: gpd.GeoDataFrame,
    area: StudyArea,
    *,
    profile: SpeciesProfile | None = None,
    tables: tuple[Any, Any] | None = None,
    median_dispersal: float | None = None,
    cutoff: float = REPORT_CUTOFF,
    margin_m: float = CORRIDOR_MARGIN_M,
    cell_size_m: float | None = REPORT_CELL_SIZE_M,
    current: bool = True,
) -> CorridorReport:
    """Corridors, current flow and connectivity between the animals' ranges.

    Steps, defaults and the leopard's dispersal distance: module docstring.
    Never raises for a problem of the data: what could not be computed is in
    ``notes`` (and a :class:`~habitat.core.errors.DataQualityWarning`).

    Parameters
    ----------
    ranges : GeoDataFrame
        One reported range per animal: ``individual``, ``area_km2`` and the
        polygon (the report's territory table).
    area : StudyArea
        Its land cover, ``barriers`` and ``crossings``.
    profile : SpeciesProfile, optional
        Chooses the resistance tables and the median dispersal.
    tables : (resistance table, barrier table), optional
        Replace the species' tables (as :func:`resistance_surface` takes them).
    median_dispersal : float, optional
        Resistance × m at which the dispersal probability is 0.5; default the
        profile's ``median_dispersal_m`` times the surface's least resistance
        (the bundled leopard profile's when the leopard tables are used
        without a profile).
    cutoff : float
        Corridor truncation (resistance × m), :data:`REPORT_CUTOFF`.
    margin_m : float
        Margin of the land-cover window around the ranges (m).
    cell_size_m : float or None
        Cell side of the resistance surface (m): a finer land cover is
        coarsened to it; None keeps the land cover's cells.
    current : bool
        Also solve the circuit (current, pinch points, effective resistances).

    Returns
    -------
    CorridorReport

    Examples
    --------
    >>> import shapely
    >>> from habitat import datasets
    >>> area = datasets.primorsky()
    >>> lc = area.land_cover
    >>> x0, y0 = 640_000.0, 4_760_000.0
    >>> ranges = gpd.GeoDataFrame(
    ...     {"individual": ["a", "b"], "area_km2": [25.0, 25.0]},
    ...     geometry=[shapely.box(x0, y0, x0 + 5000, y0 + 5000),
    ...               shapely.box(x0 + 9000, y0, x0 + 14000, y0 + 5000)], crs=lc.crs)
    >>> result = report_corridors(ranges, area, margin_m=4000.0, cell_size_m=None)
    >>> result.links[["from_id", "to_id"]].values.tolist()
    [['a', 'b']]
    >>> bool(result.links["cost_weighted_distance"].iloc[0] >= 4000.0)
    True
    """
    t0 = time.perf_counter()
    result = CorridorReport()
    try:
        _compute(
            result,
            ranges,
            area,
            profile=profile,
            tables=tables,
            median_dispersal=median_dispersal,
            cutoff=cutoff,
            margin_m=margin_m,
            cell_size_m=cell_size_m,
            current=current,
        )
    except Exception as exc:  # never lose the report for its corridors
        result.links = None
        _note(result, f"corridors not computed: {type(exc).__name__}: {exc}")
    result.seconds = time.perf_counter() - t0
    return result


def _compute(
    result: CorridorReport,
    ranges: gpd.GeoDataFrame,
    area: StudyArea,
    *,
    profile: SpeciesProfile | None,
    tables: tuple[Any, Any] | None,
    median_dispersal: float | None,
    cutoff: float,
    margin_m: float,
    cell_size_m: float | None,
    current: bool,
) -> None:
    """Fill ``result`` step by step (what is done stays when a later step raises)."""
    land, tables, profile = _land_and_tables(ranges, area, profile, tables)
    metric = ranges.to_crs(land.crs) if land.crs is not None else ranges
    resistance = _report_resistance(
        area, land, metric, tables, margin_m=margin_m, cell_size_m=cell_size_m
    )
    if median_dispersal is None and profile is not None and profile.median_dispersal_m:
        least = float(np.nanmin(np.asarray(resistance.array, dtype=float)))
        median_dispersal = profile.median_dispersal_m * least
    result.median_dispersal = median_dispersal
    ranges_m = metric.to_crs(resistance.crs)
    cores = disjoint_ranges(ranges_m[["individual", "geometry"]])
    cores = _usable_cores(cores, resistance, result)
    if len(cores) < 2:
        raise InputError(f"{len(cores)} range(s) can be a core: corridors need at least two")
    result.cores = cores
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        corr = corridors(resistance, cores, id_column="individual", cutoff=cutoff)
    links = corr.links.copy()
    links["effective_resistance"] = np.nan
    links["n_pinch_points"] = 0
    result.surface = corr.surface
    result.polygons = corr.polygons
    _current_and_pinch_points(result, links, corr, resistance, cores, current=current)
    for w in caught:
        if issubclass(w.category, DataQualityWarning):
            result.notes.append(f"corridors: {str(w.message).removeprefix('corridors: ')}")
    result.links = links
    _report_connectivity(result, links, ranges_m, cores, median_dispersal=median_dispersal)


def _land_and_tables(
    ranges: gpd.GeoDataFrame,
    area: StudyArea,
    profile: SpeciesProfile | None,
    tables: tuple[Any, Any] | None,
) -> tuple[Any, tuple[Any, Any], SpeciesProfile | None]:
    """The land cover, its resistance tables and the profile they come from, or why not."""
    if area.land_cover is None:
        raise InputError("the study area has no land cover to build a resistance surface on")
    if len(ranges) < 2:
        raise InputError(f"{len(ranges)} range(s): corridors need at least two animals")
    land = area.land_cover
    if tables is None:
        tables = species_tables(land, profile)
        if tables is None:
            name = profile.name if profile is not None else "no species profile"
            raise InputError(
                f"no resistance table for the land cover's classes ({name}); corridors need "
                "one (habitat.resistance_surface(table=...))"
            )
        if profile is None:  # the leopard tables, chosen from the land cover's classes
            profile = species_profile("amur_leopard")
    return land, tables, profile


def _report_resistance(
    area: StudyArea,
    land: Any,
    metric: gpd.GeoDataFrame,
    tables: tuple[Any, Any],
    *,
    margin_m: float,
    cell_size_m: float | None,
) -> Any:
    """The resistance surface on the land-cover window around the ranges (``metric``)."""
    window = _window(land, metric, float(margin_m))
    cell = None
    if cell_size_m is not None and window.cell_size_m < float(cell_size_m):
        cell = float(cell_size_m)
    barriers = area.features("barriers")
    crossings = area.features("crossings")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return resistance_surface(
            window,
            table=tables[0],
            barrier_table=tables[1],
            barriers=barriers if len(barriers) else None,
            crossings=crossings if len(crossings) else None,
            cell_size_m=cell,
        )


def _current_and_pinch_points(
    result: CorridorReport,
    links: pd.DataFrame,
    corr: Any,
    resistance: Any,
    cores: gpd.GeoDataFrame,
    *,
    current: bool,
) -> None:
    """Current flow, effective resistances (into ``links``) and pinch points, or a note."""
    if current and len(cores) > MAX_CURRENT_RANGES:
        _note(
            result,
            f"corridors: current flow and pinch points not computed for {len(cores)} ranges "
            f"(at most {MAX_CURRENT_RANGES}: one circuit solve per pair of ranges)",
        )
        return
    if not (current and len(links)):
        return
    try:
        flow = current_flow(resistance, cores, id_column="individual")
        result.current = flow.current
        r = flow.resistances
        links["effective_resistance"] = [
            float(r.loc[a, b]) if a in r.index and b in r.columns else np.nan
            for a, b in zip(links["from_id"], links["to_id"], strict=True)
        ]
        # the corridor cells outside the ranges: inside a (shorted) range the
        # current crowds at its edge, which is no pinch point of a corridor
        labels, _ = node_cells(cores, resistance, id_column="individual")
        within = np.isfinite(np.asarray(corr.surface.array, dtype=float)) & (labels == 0)
        if within.any():
            result.pinch = pinch_points(flow.current, within=within, percentile=PINCH_PERCENTILE)
            links["n_pinch_points"] = _pinch_counts(links, corr.polygons, result.pinch)
    except HabitatError as exc:
        _note(result, f"corridors: current flow not computed: {exc}")


def _report_connectivity(
    result: CorridorReport,
    links: pd.DataFrame,
    ranges_m: gpd.GeoDataFrame,
    cores: gpd.GeoDataFrame,
    *,
    median_dispersal: float | None,
) -> None:
    """PC/ECA of the ranges over the links' least-cost distances, or a note why not."""
    finite = links[np.isfinite(links["cost_weighted_distance"].to_numpy(dtype=float))]
    if median_dispersal is None:
        _note(result, "corridors: no median dispersal distance for the species: no PC/ECA")
        return
    if not len(finite):
        return
    nodes = pd.DataFrame(
        {"area_km2": ranges_m.set_index(ranges_m["individual"].astype(str))["area_km2"]}
    )
    nodes = nodes.loc[cores["individual"].astype(str)]
    try:
        with warnings.catch_warnings(record=True) as kernel:
            warnings.simplefilter("always", DataQualityWarning)
            result.connectivity = connectivity(
                nodes, finite, median_dispersal=float(median_dispersal)
            )
    except HabitatError as exc:  # the links stay; only PC/ECA are missing
        _note(result, f"connectivity (PC/ECA) not computed: {exc}")
    else:
        for w in kernel:
            result.notes.append(f"connectivity: {w.message}")


def links_by_individual(links: pd.DataFrame | None) -> Mapping[str, pd.DataFrame]:
    """Each animal's links, both directions, ``other`` naming the animal at the other end.

    Examples
    --------
    >>> t = pd.DataFrame({"from_id": ["a", "a"], "to_id": ["b", "c"],
    ...                   "cost_weighted_distance": [1.0, 2.0]})
    >>> {k: v["other"].tolist() for k, v in links_by_individual(t).items()}
    {'a': ['b', 'c'], 'b': ['a'], 'c': ['a']}
    """
    if links is None or not len(links):
        return {}
    table = pd.DataFrame(links.drop(columns="geometry", errors="ignore"))
    a = table.assign(individual=table["from_id"].astype(str), other=table["to_id"].astype(str))
    b = table.assign(individual=table["to_id"].astype(str), other=table["from_id"].astype(str))
    both = pd.concat([a, b], ignore_index=True)
    return {
        str(k): g.drop(columns="individual").reset_index(drop=True)
        for k, g in both.groupby("individual", sort=True)
    }

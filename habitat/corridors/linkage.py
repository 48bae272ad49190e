"""Least-cost corridors between core areas, as Linkage Mapper defines them, with widths in metres.

:func:`corridors` links core areas (parks, home ranges, habitat patches) across
a resistance surface the way Linkage Mapper's *Linkage Pathways* tool does
(McRae & Kavanagh 2011), and adds what it does not report: each corridor's
width in metres along its length.

Definitions
-----------
* **Cost-weighted distance** ``CWD_A``: accumulated cost (resistance × m) from
  core A over the 8-neighbour grid, step cost = mean resistance of the two
  cells × step length (:func:`habitat.corridors.cost.cost_distance`; 0 on A's
  cells).
* **Least-cost distance** ``LCD_AB`` (column ``cost_weighted_distance``): the
  smallest ``CWD_A`` on B's cells, the cost of the least-cost path between the
  two cores.
* **Normalised least-cost corridor** ``NLCC_AB = CWD_A + CWD_B - LCD_AB``:
  how much more than the least-cost path a route through the cell costs; 0 on
  the path. The corridor **surface** is the minimum of ``NLCC`` over all links
  (Linkage Mapper's mosaic), **truncated** at ``cutoff``: cells whose NLCC
  exceeds ``cutoff`` are NaN (Linkage Mapper's "corridor width cutoff" in
  cost-weighted distance units; its default, 200,000, is the default here).
  Numerically the normaliser is the minimum of ``CWD_A + CWD_B`` over the grid,
  which equals ``LCD_AB`` and makes the surface exactly 0 on the path. Core
  cells keep their value in the surface (as in Linkage Mapper's mosaic).
* **Corridor of a link**: the cells outside every core with
  ``NLCC_AB <= cutoff`` (the truncated corridor of that link alone; the cores
  themselves are not corridor).
* **Path length** ``length_m``: length of the least-cost path, a line through
  cell centres from a cell of A to a cell of B
  (:func:`habitat.corridors.cost.least_cost_path`);
  ``cwd_to_path_length_ratio = cost_weighted_distance / length_m`` is the mean
  resistance met along the path (1 on a uniform surface of resistance 1).
* **Euclidean distance** ``euclidean_distance_m``: edge to edge between the two
  cores' geometries (0 if they touch), in the raster's CRS.
* **Width** at a cell of the path (outside the cores): the length of the
  corridor's cross-section through the cell's centre, perpendicular to the
  path, from where the line leaves the corridor on one side to where it leaves
  it on the other (cells are squares: the line is walked cell by cell). The
  path's local direction at a cell is the chord from the path vertex two steps
  back to the one two steps ahead. A cross-section that runs into a core cell
  stops there (the cores are not corridor) and measures the distance to the
  core, not the corridor's edge: such cross-sections (where a path skirts a
  core) are kept in the profile but left out of ``min_width_m`` and
  ``width_m``, the minimum and the median over the other cells of the path
  outside the cores (all of them, flagged, when every cross-section meets a
  core). For a corridor aligned with the grid's rows or columns the width is
  exact (a channel ``k`` cells wide gives ``k × cell_size_m``); for an oblique
  one the raster's staircase edge makes it exact to within about one cell side.

Which pairs are linked (``pairs=``)
-----------------------------------
* ``"adjacent"`` (default, Linkage Mapper's cost-weighted adjacency): cores
  whose cost allocation zones touch (8-neighbour contact between cells
  allocated to each; :func:`habitat.corridors.cost.cost_allocation`). Three
  cores in a row give A-B and B-C, not A-C.
* ``"all"``: every pair.
* ``"within"``: pairs whose Euclidean edge-to-edge distance is at most
  ``max_distance_m``.
* a list of ``(from_id, to_id)`` pairs.

``max_distance_m`` also filters the pairs of the other options. With
``"adjacent"``, the cost allocation gives an upper bound of each link's LCD (the
cheapest route through two touching cells of the two zones), and each core's
cost distance stops at its largest bound + ``cutoff``: cells beyond cannot be in
any of its corridors, so the results are those of unbounded searches, faster.

Numbers that cannot be trusted are flagged in the ``note`` column of
:attr:`Corridors.links` and announced with a
:class:`~habitat.core.errors.DataQualityWarning`: a corridor cut by the raster's
edge (its area is a lower bound; its widths too where a cross-section reaches
the edge), a least-cost path through a third core, a
pair that no path joins (cost ``inf``), cores that touch (no corridor cell to
measure), a path whose every cross-section meets a core.

References
----------
McRae, B. H. & Kavanagh, D. M. (2011). Linkage Mapper Connectivity Analysis
Software. The Nature Conservancy, Seattle WA.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely

from habitat.core.crs import align
from habitat.core.errors import DataQualityWarning, InputError, InsufficientDataError
from habitat.core.tables import CORRIDORS
from habitat.core.units import m2_to_km2
from habitat.corridors.cost import cost_allocation, cost_distance, least_cost_path
from habitat.corridors.nodes import node_cells
from habitat.corridors.surface import resistance_cells
from habitat.io.raster import Raster

__all__ = ["DEFAULT_CUTOFF", "Corridors", "corridors"]

#: Default truncation of the corridors (resistance × m above the least-cost
#: distance): Linkage Mapper's default corridor width cutoff (CWDTHRESH, 200,000
#: cost-weighted distance units).
DEFAULT_CUTOFF = 200_000.0

#: Path vertices on each side of a cell whose chord gives the path's local direction.
_DIRECTION_STEPS = 2

_LINK_COLUMNS = (
    "from_id",
    "to_id",
    "cost_weighted_distance",
    "euclidean_distance_m",
    "length_m",
    "cwd_to_path_length_ratio",
    "min_width_m",
    "width_m",
    "corridor_area_km2",
    "note",
)


@dataclass(frozen=True, eq=False)
class Corridors:
    """Least-cost corridors between core areas (result of :func:`corridors`).

    Attributes
    ----------
    links : geopandas.GeoDataFrame
        One row per link (the :data:`habitat.core.tables.CORRIDORS` contract):
        ``from_id``, ``to_id``, ``cost_weighted_distance`` (least-cost distance,
        resistance × m), ``euclidean_distance_m`` (edge to edge),
        ``length_m`` (least-cost path), ``cwd_to_path_length_ratio``,
        ``min_width_m`` and ``width_m`` (median width along the path at the
        cutoff), ``corridor_area_km2`` (the link's truncated corridor outside the
        cores), ``note`` (why a number cannot be trusted; empty when it can);
        geometry: the least-cost path (LineString from ``from_id`` to ``to_id``,
        None for a pair that no path joins), in the raster's CRS.
    surface : habitat.io.raster.Raster
        Normalised corridor surface (float64, resistance × m): the minimum of
        ``CWD_A + CWD_B - LCD`` over the links, on the resistance raster's grid;
        NaN where it exceeds the cutoff, on nodata cells and where no link reaches.
    polygons : geopandas.GeoDataFrame
        One row per link with a corridor: ``from_id``, ``to_id``,
        ``corridor_area_km2`` and the corridor (cells outside the cores with
        ``NLCC <= cutoff``) as a (Multi)Polygon.
    widths : pandas.DataFrame
        The width profile: one row per path cell outside the cores, ``from_id``,
        ``to_id``, ``distance_m`` (along the path from ``from_id``'s core),
        ``x``, ``y`` (cell centre), ``width_m``, ``at_edge`` (the cross-section
        reached the raster's edge: a lower bound), ``at_core`` (it ended on a
        core cell: left out of the link's widths).
    cutoff : float
        The truncation used, in resistance × m above each link's least-cost distance.
    """

    links: gpd.GeoDataFrame
    surface: Raster
    polygons: gpd.GeoDataFrame
    widths: pd.DataFrame
    cutoff: float


def _check_cutoff(cutoff: Any) -> float:
    try:
        value = float(cutoff)
        ok = not isinstance(cutoff, bool) and np.isfinite(value) and value >= 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError(
            f"cutoff must be a finite number >= 0 (resistance × m above each link's "
            f"least-cost distance), not {cutoff!r}; e.g. cutoff={DEFAULT_CUTOFF:,.0f} "
            "(Linkage Mapper's default)."
        )
    return value


def _check_distance(max_distance_m: Any) -> float | None:
    if max_distance_m is None:
        return None
    try:
        value = float(max_distance_m)
        ok = not isinstance(max_distance_m, bool) and not np.isnan(value) and value >= 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError(
            f"max_distance_m must be a distance in metres >= 0 (edge to edge between "
            f"cores), not {max_distance_m!r}."
        )
    return value


def _raw_ids(cores: gpd.GeoDataFrame | gpd.GeoSeries, id_column: str | None) -> pd.Index:
    if id_column is None:
        return pd.Index(cores.index)
    return pd.Index(cores[id_column])


@dataclass(frozen=True, eq=False)
class _Grid:
    """The resistance raster and the cores on its cells: what every link reads."""

    resistance: Raster
    values: np.ndarray  # resistance per cell, NaN where impassable
    cell: float  # cell side, m
    labels: np.ndarray  # k + 1 on the cells of core ids[k], 0 elsewhere
    ids: pd.Index
    in_core: np.ndarray  # labels > 0
    cell_area_km2: float


class _CoreCost(NamedTuple):
    """One core's accumulated cost: its rows of the cores, the raster, its float64 array."""

    subset: gpd.GeoDataFrame | gpd.GeoSeries
    raster: Raster
    array: np.ndarray


class _Path(NamedTuple):
    """A link's least-cost path, oriented from the first core to the second."""

    line: shapely.Geometry
    xy: np.ndarray  # vertices (cell centres), map units
    rows: np.ndarray  # grid row of each vertex
    cols: np.ndarray  # grid column of each vertex
    labels: np.ndarray  # core label under each vertex (0 outside the cores)
    length_m: float


@dataclass(frozen=True, eq=False)
class _Link:
    """What one link contributes to the result (its row of links, path, polygon, widths)."""

    row: dict[str, Any]
    path: shapely.Geometry | None
    polygon: shapely.Geometry | None = None
    profile: pd.DataFrame | None = None


def _cores_on_grid(
    resistance: Raster, cores: gpd.GeoDataFrame | gpd.GeoSeries, *, id_column: str | None
) -> _Grid:
    """The resistance's cells and the cores' labels on them; at least two cores."""
    if not isinstance(cores, gpd.GeoDataFrame | gpd.GeoSeries):
        raise InputError(
            "corridors needs the core areas as geometries (a GeoDataFrame or GeoSeries of "
            f"polygons or points), not {type(cores).__name__}: their edge-to-edge distances "
            "come from the shapes. For a grid of core ids, polygonise it first, e.g. with "
            "rasterio.features.shapes."
        )
    values, cell = resistance_cells(resistance, name="resistance")
    valid = ~np.isnan(values)
    labels, ids = node_cells(cores, resistance, id_column=id_column, valid=valid, name="cores")
    if len(ids) < 2:
        raise InsufficientDataError(
            f"corridors link core areas: {len(ids)} core given (ids {list(ids)}); give at "
            "least two."
        )
    return _Grid(
        resistance=resistance,
        values=values,
        cell=cell,
        labels=labels,
        ids=ids,
        in_core=labels > 0,
        cell_area_km2=float(m2_to_km2(resistance.cell_area_m2)),
    )


def _core_geometries(
    cores: gpd.GeoDataFrame | gpd.GeoSeries, ids: pd.Index, codes: np.ndarray, crs: Any
) -> np.ndarray:
    """One (unioned) geometry per core id, in the raster's CRS, in label order.

    ``codes`` gives the position in ``ids`` of each row of ``cores``.
    """
    geo = align(cores, crs, name="cores")
    series = geo.geometry if isinstance(geo, gpd.GeoDataFrame) else geo
    geoms = np.asarray(series.to_numpy(), dtype=object)
    out = np.empty(len(ids), dtype=object)
    for k in range(len(ids)):
        out[k] = shapely.union_all(geoms[codes == k])
    return out


def _edge_distances(geoms: np.ndarray) -> np.ndarray:
    """Edge-to-edge distances between every two geometries (n x n, CRS units)."""
    n = len(geoms)
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    return shapely.distance(geoms[ii], geoms[jj]).astype(np.float64)


# --------------------------------------------------------------------------- which pairs


def _adjacent_pairs(
    alloc: np.ndarray, cost: np.ndarray, values: np.ndarray, cell: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of cores whose allocation zones touch, and an upper bound of their LCD.

    Returns the pairs (i, j), i < j, 0-based labels, sorted, and for each the
    cheapest route through two touching cells ``x`` (zone i) and ``y`` (zone j):
    ``cost[x] + step(x, y) + cost[y]``, at least the least-cost distance.
    """
    keys, bounds = [], []
    n = int(alloc.max()) + 1
    for a_sl, b_sl, length in (
        ((slice(None), slice(None, -1)), (slice(None), slice(1, None)), cell),
        ((slice(None, -1), slice(None)), (slice(1, None), slice(None)), cell),
        ((slice(None, -1), slice(None, -1)), (slice(1, None), slice(1, None)), cell * np.sqrt(2)),
        ((slice(None, -1), slice(1, None)), (slice(1, None), slice(None, -1)), cell * np.sqrt(2)),
    ):
        a, b = alloc[a_sl], alloc[b_sl]
        touch = (a != b) & (a > 0) & (b > 0)
        if not touch.any():
            continue
        la, lb = a[touch].astype(np.int64), b[touch].astype(np.int64)
        keys.append(np.minimum(la, lb) * n + np.maximum(la, lb))
        step = (values[a_sl][touch] + values[b_sl][touch]) / 2.0 * length
        bounds.append(cost[a_sl][touch] + cost[b_sl][touch] + step)
    if not keys:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    best = np.full(unique.size, np.inf)
    np.minimum.at(best, inverse, np.concatenate(bounds))
    return np.stack([unique // n, unique % n], axis=1) - 1, best


def _allocation_pairs(
    grid: _Grid, cores: gpd.GeoDataFrame | gpd.GeoSeries, *, id_column: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """``pairs="adjacent"``: cores whose cost allocation zones touch, and LCD bounds."""
    n = len(grid.ids)
    cost_raster, alloc_raster = cost_allocation(grid.resistance, cores, id_column=id_column)
    alloc = np.asarray(alloc_raster.array)
    # map the allocation's labels to ours through each core's own cells
    first = np.array([np.flatnonzero(grid.labels.ravel() == k + 1)[0] for k in range(n)])
    theirs = alloc.ravel()[first].astype(np.int64)
    lut = np.zeros(max(int(alloc.max()), int(theirs.max())) + 1, dtype=np.int64)
    lut[theirs] = np.arange(1, n + 1)
    return _adjacent_pairs(
        lut[np.clip(alloc, 0, None)], np.asarray(cost_raster.array), grid.values, grid.cell
    )


def _bad_pairs(pairs: Any) -> InputError:
    return InputError(
        f'pairs must be "adjacent", "all", "within" or a list of (from_id, to_id) '
        f"pairs, not {pairs!r}."
    )


def _listed_pairs(pairs: Any, ids: pd.Index) -> np.ndarray:
    """A list of ``(from_id, to_id)``: their positions (i, j), i < j, unique, sorted."""
    try:
        listed = [tuple(p) for p in pairs]
    except TypeError:
        listed = [()]
    if any(len(p) != 2 for p in listed):
        raise _bad_pairs(pairs)
    flat = [v for p in listed for v in p]
    pos = ids.get_indexer(pd.Index(flat)) if flat else np.zeros(0, dtype=np.int64)
    if np.any(pos < 0):
        unknown = sorted({repr(flat[k]) for k in np.flatnonzero(pos < 0)})
        raise InputError(
            f"pairs name core ids that are not among the cores: {', '.join(unknown[:5])}; "
            f"the ids are {list(ids)[:10]}."
        )
    found = pos.reshape(-1, 2).astype(np.int64)
    if np.any(found[:, 0] == found[:, 1]):
        raise InputError("pairs link a core to itself; give two different ids per pair.")
    found.sort(axis=1)
    return np.unique(found, axis=0) if len(found) else found.reshape(0, 2)


def _every_pair(n: int) -> np.ndarray:
    i, j = np.triu_indices(n, k=1)
    return np.stack([i, j], axis=1).astype(np.int64)


def _pairs(
    pairs: Any,
    *,
    grid: _Grid,
    cores: gpd.GeoDataFrame | gpd.GeoSeries,
    id_column: str | None,
    euclid: np.ndarray,
    max_distance_m: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs to link, (i, j) with i < j (0-based labels), sorted.

    Also an upper bound of each pair's least-cost distance where the cost
    allocation gives one (adjacent pairs), else ``inf``.
    """
    lcd_bound = None
    if not isinstance(pairs, str):
        found = _listed_pairs(pairs, grid.ids)
    elif pairs == "adjacent":
        found, lcd_bound = _allocation_pairs(grid, cores, id_column=id_column)
    elif pairs == "all":
        found = _every_pair(len(grid.ids))
    elif pairs == "within":
        if max_distance_m is None:
            raise InputError(
                'pairs="within" needs max_distance_m= (the largest Euclidean distance, '
                "edge to edge, between two cores to link, in metres)."
            )
        found = _every_pair(len(grid.ids))
    else:
        raise _bad_pairs(pairs)
    if lcd_bound is None:
        lcd_bound = np.full(len(found), np.inf)
    if max_distance_m is not None and len(found):
        keep = euclid[found[:, 0], found[:, 1]] <= max_distance_m
        found, lcd_bound = found[keep], lcd_bound[keep]
    return found, lcd_bound


# --------------------------------------------------------------------------- cost distances


def _search_reach(
    found: np.ndarray, lcd_bound: np.ndarray, *, cut: float, cell: float
) -> dict[int, float | None]:
    """How far each linked core's cost distance must reach (None: unbounded).

    When the cost allocation bounds every link of a core (LCD <= bound), the
    search stops at bound + cutoff: costlier cells have NLCC > cutoff on all its
    links, so nothing that is kept changes (Linkage Mapper bounds its searches
    for the same reason).
    """
    reach: dict[int, float | None] = {}
    for k in np.unique(found):
        bound = float(lcd_bound[(found == k).any(axis=1)].max())
        reach[int(k)] = (bound + cut) * (1.0 + 1e-9) + cell if np.isfinite(bound) else None
    return reach


def _cost_distances(
    found: np.ndarray,
    reach: dict[int, float | None],
    *,
    resistance: Raster,
    cores: gpd.GeoDataFrame | gpd.GeoSeries,
    id_column: str | None,
    codes: np.ndarray,
) -> Iterator[tuple[_CoreCost, _CoreCost]]:
    """The two cores' accumulated costs, link by link (the pairs of ``found`` in order).

    Each core's cost distance is computed when first needed and dropped after its
    last link (memory: a float64 raster per live core).
    """
    last_use = {int(k): int(np.flatnonzero((found == k).any(axis=1)).max()) for k in reach}
    live: dict[int, _CoreCost] = {}
    for n_link, (i, j) in enumerate(found.tolist()):
        for k in [k for k in live if last_use[k] < n_link]:  # no link left needs it
            del live[k]
        for k in (i, j):
            if k not in live:
                subset = cores[codes == k]
                raster = cost_distance(resistance, subset, id_column=id_column, max_cost=reach[k])
                live[k] = _CoreCost(subset, raster, np.asarray(raster.array, dtype=np.float64))
        yield live[i], live[j]


# --------------------------------------------------------------------------- one link


def _directions(rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit direction of the path at each vertex (row, col units), from a centred chord."""
    n = rows.size
    k = np.arange(n)
    ahead = np.minimum(k + _DIRECTION_STEPS, n - 1)
    back = np.maximum(k - _DIRECTION_STEPS, 0)
    dr = (rows[ahead] - rows[back]).astype(np.float64)
    dc = (cols[ahead] - cols[back]).astype(np.float64)
    norm = np.hypot(dr, dc)
    with np.errstate(invalid="ignore", divide="ignore"):
        return dr / norm, dc / norm


def _polygon(mask: np.ndarray, resistance: Raster) -> shapely.Geometry:
    """The cells of ``mask`` as one valid (Multi)Polygon in map coordinates.

    Rook-connected parts (4 neighbours) become polygons, so that parts and holes
    meet at most at a corner (a valid MultiPolygon); the rings are assembled with
    shapely's array functions (a corridor can hold many holes).
    """
    rr, cc = np.nonzero(mask)
    r0, r1, c0, c1 = rr.min(), rr.max() + 1, cc.min(), cc.max() + 1
    a, b, c, d, e, f = resistance.transform
    window = rasterio.Affine(a, b, a * c0 + b * r0 + c, d, e, d * c0 + e * r0 + f)
    sub = mask[r0:r1, c0:c1]
    parts = [
        geom["coordinates"]
        for geom, _ in rasterio.features.shapes(
            sub.astype(np.uint8), mask=sub, transform=window, connectivity=4
        )
    ]
    rings = [np.asarray(ring, dtype=np.float64) for part in parts for ring in part]
    ring_of = np.repeat(np.arange(len(rings)), [len(ring) for ring in rings])
    part_of = np.repeat(np.arange(len(parts)), [len(part) for part in parts])
    linear = shapely.linearrings(np.concatenate(rings), indices=ring_of)
    polygons = shapely.polygons(linear, indices=part_of)
    return polygons[0] if len(polygons) == 1 else shapely.multipolygons(polygons)


def _add_to_surface(
    surface: np.ndarray, cost_i: np.ndarray, cost_j: np.ndarray, *, cut: float
) -> np.ndarray:
    """Lower ``surface`` (in place) to the link's NLCC where it is <= ``cut``; those cells."""
    norm = cost_i + cost_j  # in place below: one raster of temporaries per link
    norm -= np.nanmin(norm)
    with np.errstate(invalid="ignore"):
        within = norm <= cut
    np.fmin(surface, norm, out=surface, where=within)
    return within


def _oriented_path(grid: _Grid, source: _CoreCost, target: _CoreCost, i: int, j: int) -> _Path:
    """The least-cost path from core ``i`` to core ``j``, its cells and their labels."""
    n_rows, n_cols = grid.values.shape
    path = least_cost_path(grid.resistance, source.subset, target.subset, cost=source.raster)
    line = path.geometry.iloc[0]
    xy = shapely.get_coordinates(line)
    pr, pc = grid.resistance.index(xy[:, 0], xy[:, 1])
    pr = np.clip(pr, 0, n_rows - 1)
    pc = np.clip(pc, 0, n_cols - 1)
    if grid.labels[pr[0], pc[0]] == j + 1 or grid.labels[pr[-1], pc[-1]] == i + 1:
        xy, pr, pc = xy[::-1], pr[::-1], pc[::-1]
        line = shapely.LineString(xy)
    return _Path(line, xy, pr, pc, grid.labels[pr, pc], float(path["length_m"].iloc[0]))


def _crossed_cores(grid: _Grid, path: _Path, i: int, j: int) -> list[str]:
    """A note naming the cores other than ``i`` and ``j`` that the path crosses."""
    others = np.unique(path.labels[(path.labels > 0) & (path.labels != i + 1)])
    others = others[others != j + 1]
    if not others.size:
        return []
    return [
        "the least-cost path crosses core(s) " + ", ".join(repr(grid.ids[k - 1]) for k in others)
    ]


def _touches_edge(mask: np.ndarray) -> bool:
    return bool(mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any())


def _cross_sections(
    grid: _Grid, region: np.ndarray, path: _Path, open_cells: np.ndarray, a: Any, b: Any
) -> pd.DataFrame:
    """The width profile: the corridor's cross-section at each path cell outside the cores."""
    from habitat.corridors.linkage_kernels import chords  # numba loads on the first width

    dr, dc = _directions(path.rows, path.cols)
    sel = open_cells & np.isfinite(dr)
    # the cross-section runs perpendicular to the path: direction (-dc, dr)
    codes_map = region.astype(np.uint8)
    codes_map[grid.in_core] = 2
    chord, at_edge, at_core = chords(
        codes_map,
        path.rows[sel].astype(np.int64),
        path.cols[sel].astype(np.int64),
        -dc[sel],
        dr[sel],
    )
    del codes_map
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(path.xy, axis=0).T))])
    return pd.DataFrame(
        {
            "from_id": a,
            "to_id": b,
            "distance_m": along[sel],
            "x": path.xy[sel, 0],
            "y": path.xy[sel, 1],
            "width_m": chord * grid.cell,
            "at_edge": at_edge,
            "at_core": at_core,
        }
    )


def _width_summary(profile: pd.DataFrame, row: dict[str, Any]) -> list[str]:
    """Write the minimum and median width into ``row``; the notes on the widths."""
    width = profile["width_m"].to_numpy()
    at_edge = profile["at_edge"].to_numpy()
    at_core = profile["at_core"].to_numpy()
    notes = []
    # a cross-section that ends on a core measures the core's distance, not
    # the corridor's edge: left out of the statistics unless all do
    kept = width[~at_core] if not at_core.all() else width
    if at_core.all() and width.size:
        notes.append(
            "every cross-section of the path ends on a core: the widths measure "
            "the gaps between cores"
        )
    if kept.size:
        row["min_width_m"] = float(np.min(kept))
        row["width_m"] = float(np.median(kept))
    if at_edge.any():
        notes.append(
            "the corridor's cross-sections reach the raster's edge: widths are lower "
            "bounds (extend the raster or lower the cutoff)"
        )
    return notes


def _measure_link(
    grid: _Grid,
    i: int,
    j: int,
    cost_i: _CoreCost,
    cost_j: _CoreCost,
    *,
    euclid_m: float,
    cut: float,
    surface: np.ndarray,
) -> _Link:
    """Link cores ``i`` and ``j``: its measures, path, corridor and widths.

    Adds the link's truncated NLCC to ``surface`` (in place).
    """
    a, b = grid.ids[i], grid.ids[j]
    on_b = cost_i.array[grid.labels == j + 1]
    lcd = float(np.min(on_b)) if on_b.size else np.inf
    row: dict[str, Any] = {
        "from_id": a,
        "to_id": b,
        "cost_weighted_distance": lcd,
        "euclidean_distance_m": euclid_m,
        "length_m": np.nan,
        "cwd_to_path_length_ratio": np.nan,
        "min_width_m": np.nan,
        "width_m": np.nan,
        "corridor_area_km2": np.nan,
    }
    if not np.isfinite(lcd):
        row["note"] = "no path joins the cores (separated by nodata)"
        return _Link(row, None)
    within = _add_to_surface(surface, cost_i.array, cost_j.array, cut=cut)
    path = _oriented_path(grid, cost_i, cost_j, i, j)
    row["length_m"] = path.length_m
    row["cwd_to_path_length_ratio"] = lcd / path.length_m if path.length_m > 0 else np.nan
    notes = _crossed_cores(grid, path, i, j)

    region = within & ~grid.in_core
    open_cells = path.labels == 0
    region[path.rows[open_cells], path.cols[open_cells]] = True  # the path is corridor (NLCC 0)
    n_cells = int(np.count_nonzero(region))
    row["corridor_area_km2"] = n_cells * grid.cell_area_km2 if n_cells else 0.0
    if _touches_edge(region):
        notes.append(
            "the corridor reaches the raster's edge: its area is a lower bound (extend "
            "the raster or lower the cutoff)"
        )
    polygon = _polygon(region, grid.resistance) if n_cells else None

    profile = None
    if open_cells.any():
        profile = _cross_sections(grid, region, path, open_cells, a, b)
        notes += _width_summary(profile, row)
    else:
        notes.append("the cores touch: no corridor cell between them to measure a width")
    row["note"] = "; ".join(notes)
    return _Link(row, path.line, polygon, profile)


# --------------------------------------------------------------------------- the result


def _empty_links(crs: Any) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in _LINK_COLUMNS})
    frame["from_id"] = frame["from_id"].astype(object)
    frame["to_id"] = frame["to_id"].astype(object)
    frame["note"] = frame["note"].astype(object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _empty_widths() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "from_id": pd.Series(dtype=object),
            "to_id": pd.Series(dtype=object),
            "distance_m": pd.Series(dtype=float),
            "x": pd.Series(dtype=float),
            "y": pd.Series(dtype=float),
            "width_m": pd.Series(dtype=float),
            "at_edge": pd.Series(dtype=bool),
            "at_core": pd.Series(dtype=bool),
        }
    )


def _empty_result(resistance: Raster, surface: np.ndarray, cut: float) -> Corridors:
    """No pair to link: empty tables and an all-NaN surface."""
    return Corridors(
        links=_empty_links(resistance.crs),
        surface=Raster(surface, resistance.transform, resistance.crs, nodata=float("nan")),
        polygons=gpd.GeoDataFrame(
            {"from_id": [], "to_id": [], "corridor_area_km2": []},
            geometry=gpd.GeoSeries([], crs=resistance.crs),
            crs=resistance.crs,
        ),
        widths=_empty_widths(),
        cutoff=cut,
    )


def _warn_flagged(links: list[_Link]) -> None:
    """One DataQualityWarning listing the links with a note (for the caller of corridors)."""
    flagged = [
        f"{link.row['from_id']!r}-{link.row['to_id']!r}: {link.row['note']}"
        for link in links
        if link.row["note"]
    ]
    if flagged:
        shown = "\n  ".join(flagged[:10])
        more = f"\n  and {len(flagged) - 10} more" if len(flagged) > 10 else ""
        warnings.warn(
            f"corridors: {len(flagged)} link(s) flagged in links.note:\n  {shown}{more}",
            DataQualityWarning,
            stacklevel=3,
        )


def _assemble(links: list[_Link], *, grid: _Grid, surface: np.ndarray, cut: float) -> Corridors:
    """The links' rows, paths, polygons and profiles as one :class:`Corridors`."""
    crs = grid.resistance.crs
    frame = pd.DataFrame([link.row for link in links], columns=list(_LINK_COLUMNS))
    table = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([link.path for link in links], crs=crs))
    CORRIDORS.validate(table, name="corridors links")
    surface[np.isnan(grid.values)] = np.nan
    with_polygon = [link for link in links if link.polygon is not None]
    polygons = gpd.GeoDataFrame(
        pd.DataFrame(
            [
                {c: link.row[c] for c in ("from_id", "to_id", "corridor_area_km2")}
                for link in with_polygon
            ],
            columns=["from_id", "to_id", "corridor_area_km2"],
        ),
        geometry=gpd.GeoSeries([link.polygon for link in with_polygon], crs=crs),
    )
    profiles = [link.profile for link in links if link.profile is not None]
    return Corridors(
        links=table,
        surface=Raster(surface, grid.resistance.transform, crs, nodata=float("nan")),
        polygons=polygons,
        widths=pd.concat(profiles, ignore_index=True) if profiles else _empty_widths(),
        cutoff=cut,
    )


def corridors(
    resistance: Raster,
    cores: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    id_column: str | None = None,
    pairs: str | Sequence[tuple[Any, Any]] = "adjacent",
    max_distance_m: float | None = None,
    cutoff: float = DEFAULT_CUTOFF,
) -> Corridors:
    """Least-cost corridors between core areas, with their widths in metres.

    Linkage Mapper's normalised least-cost corridors (module docstring for the
    definitions): per link the least-cost distance, the Euclidean distance, the
    least-cost path and its length, their ratio, and the corridor's minimum and
    median width in metres along the path at the truncation ``cutoff``.

    Parameters
    ----------
    resistance : habitat.io.raster.Raster
        Resistance surface (> 0; nodata and NaN impassable) in a projected CRS
        with square cells in metres (:func:`habitat.corridors.surface.resistance_cells`).
    cores : GeoDataFrame or GeoSeries of polygons or points
        Core areas, in any CRS (reprojected to the raster's). Rows sharing an id
        are one core. Cells: :func:`habitat.corridors.nodes.node_cells`.
    id_column : str, optional
        Column of core ids; default the index.
    pairs : {"adjacent", "all", "within"} or list of (from_id, to_id)
        Which cores to link (module docstring); default ``"adjacent"``
        (touching cost allocation zones, as Linkage Mapper).
    max_distance_m : float, optional
        Largest Euclidean distance (m, edge to edge) between two linked cores;
        required for ``pairs="within"``, a filter for the other options.
    cutoff : float
        Truncation of the corridors, resistance × m above each link's least-cost
        distance (:data:`DEFAULT_CUTOFF`, Linkage Mapper's 200,000, by default).
        The widths are measured at this cutoff. It depends on the resistance
        scale: e.g. 5,000 keeps the cells where a detour costs at most 5 km of
        resistance-1 cover more than the least-cost path.

    Returns
    -------
    Corridors
        ``.links`` (GeoDataFrame, one row per link, least-cost paths),
        ``.surface`` (Raster), ``.polygons`` (GeoDataFrame), ``.widths``
        (DataFrame, the width profile of each path), ``.cutoff``.

    Raises
    ------
    InsufficientDataError
        Fewer than two cores.
    InputError
        Bad ``pairs``, ``cutoff`` or ``max_distance_m``; a pair naming unknown
        ids; and every error of :func:`~habitat.corridors.surface.resistance_cells`
        (zero or negative resistance, ...) and
        :func:`~habitat.corridors.nodes.node_cells` (a core outside the raster or
        only on nodata, overlapping cores).
    ProjectedCRSRequiredError
        A raster in degrees.

    Warns
    -----
    DataQualityWarning
        For each flag written in ``links.note`` (module docstring); also when
        no pair is left to link.

    Examples
    --------
    Two 500 m square cores 2 km apart (edge to edge) on a uniform surface of
    100 m cells, resistance 1:

    >>> import numpy as np
    >>> import geopandas as gpd
    >>> import shapely
    >>> from habitat.io.raster import Raster
    >>> surface = Raster(np.ones((25, 40)), (100.0, 0.0, 0.0, 0.0, -100.0, 2500.0), 32652)
    >>> cores = gpd.GeoDataFrame(
    ...     {"park": ["west", "east"]},
    ...     geometry=[shapely.box(500, 1000, 1000, 1500), shapely.box(3000, 1000, 3500, 1500)],
    ...     crs=32652,
    ... )
    >>> result = corridors(surface, cores, id_column="park", cutoff=300.0)
    >>> link = result.links.iloc[0]
    >>> link.from_id, link.to_id
    ('west', 'east')

    The path runs from the centre of a cell on one core's edge to the other's:
    21 steps of 100 m at resistance 1.

    >>> float(link.cost_weighted_distance), float(link.length_m), float(link.euclidean_distance_m)
    (2100.0, 2100.0, 2000.0)
    >>> float(link.cwd_to_path_length_ratio)
    1.0

    A detour of one cell sideways costs 2 × (√2 - 1) × 100 ≈ 83 more, three
    cells ≈ 249, four ≈ 331: at a cutoff of 300 the corridor is the cores'
    500 m frontage plus three cells on each side in the middle of the gap
    (1,100 m, the median width), two next to the cores (900 m, the narrowest).

    >>> float(link.min_width_m), float(link.width_m)
    (900.0, 1100.0)
    """
    grid = _cores_on_grid(resistance, cores, id_column=id_column)
    cut = _check_cutoff(cutoff)
    max_d = _check_distance(max_distance_m)
    codes = grid.ids.get_indexer(_raw_ids(cores, id_column))
    euclid = _edge_distances(_core_geometries(cores, grid.ids, codes, resistance.crs))
    found, lcd_bound = _pairs(
        pairs, grid=grid, cores=cores, id_column=id_column, euclid=euclid, max_distance_m=max_d
    )
    surface = np.full(grid.values.shape, np.nan)
    if len(found) == 0:
        warnings.warn(
            f"corridors: no pair of the {len(grid.ids)} cores to link (pairs={pairs!r}, "
            f"max_distance_m={max_d}); the result is empty.",
            DataQualityWarning,
            stacklevel=2,
        )
        return _empty_result(resistance, surface, cut)
    costs = _cost_distances(
        found,
        _search_reach(found, lcd_bound, cut=cut, cell=grid.cell),
        resistance=resistance,
        cores=cores,
        id_column=id_column,
        codes=codes,
    )
    links = [
        _measure_link(
            grid, i, j, cost_i, cost_j, euclid_m=float(euclid[i, j]), cut=cut, surface=surface
        )
        for (i, j), (cost_i, cost_j) in zip(found.tolist(), costs, strict=True)
    ]
    _warn_flagged(links)
    return _assemble(links, grid=grid, surface=surface, cut=cut)

"""Accumulated cost distance, cost allocation and least-cost paths on a resistance surface.

Convention (Circuitscape, Linkage Mapper, :class:`skimage.graph.MCP_Geometric`)
-------------------------------------------------------------------------------
Cells are nodes of an 8-neighbour graph. A step between two neighbouring cells
``a`` and ``b`` runs from centre to centre, half of it through each cell, so it
costs::

    step_cost = step_length_m * (r[a] + r[b]) / 2

with ``step_length_m`` the cell size for the 4 orthogonal neighbours and
``sqrt(2) * cell size`` for the 4 diagonal ones. The accumulated cost of a cell
(``cost_weighted_distance``, in resistance × m) is the least sum of step costs
over the paths from any source cell to it; source cells cost 0. The numbers
are those of ``MCP_Geometric(r, sampling=(cs, cs)).find_costs(source_cells)``
(same arithmetic, same order: equal to the last bit), computed a few times
faster by a compiled search (:mod:`habitat.corridors.cost_kernels`: Dial's
buckets when resistances span up to about 5,800 to 1, Dijkstra's binary heap
beyond; any exact search gives the same numbers). Memory: about 16 bytes a
cell during the search, plus the float64 output.

Cells without data (the resistance raster's nodata, NaN or ``+inf``: see
:func:`habitat.corridors.surface.resistance_cells`) are impassable: a path never
enters them. A diagonal step between two cells with data is allowed whatever
its two orthogonal neighbours hold, even two cells without data (the
convention of all the tools above): a barrier must be continuous for 8
neighbours, as :func:`habitat.corridors.resistance.resistance_surface` burns
them.

Outputs
-------
* cost rasters are float64 with ``nodata=NaN``: NaN on cells without data,
  ``inf`` on cells with data that no source reaches (cut off by nodata, or
  costing more than ``max_cost``);
* allocation rasters are int32 with ``nodata=0``: the 1-based number of the
  source each cell is reached from at least cost (``classes`` maps it to the
  source's id), 0 where no source reaches;
* least-cost paths are lines through cell centres with their
  ``cost_weighted_distance``, ``length_m`` and ``euclidean_distance_m``.

Sources, targets: points or polygons (GeoDataFrame or GeoSeries in any CRS, a
shapely geometry or an ``(x, y)`` pair in the raster's CRS), placed on cells
by :func:`habitat.corridors.nodes.node_cells` (a polygon covers the cells whose
centre it holds; a point or a small polygon the cell that holds it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from habitat.core.errors import InputError
from habitat.corridors.nodes import node_cells
from habitat.corridors.surface import resistance_cells
from habitat.io.raster import Raster

__all__ = ["cost_allocation", "cost_distance", "least_cost_path"]


def _kernels() -> Any:
    """The compiled kernels, imported on first use (numba is not loaded by ``import habitat``)."""
    from habitat.corridors import cost_kernels

    return cost_kernels


#: Dial's buckets (no heap) when the costliest step is at most this many times the
#: bucket width (half the cheapest step): resistances spanning up to ~5,800 to 1
_MAX_BUCKETS = 1 << 14


@dataclass(frozen=True)
class _Padded:
    """A resistance surface as the kernels read it: flat, with a ring of impassable cells.

    ``cells`` interleaves each padded cell's accumulated cost (``inf`` until a
    search fills it) and its resistance (``inf`` = impassable).
    """

    cells: np.ndarray  # float64, (rows + 2) * (cols + 2) * 2
    nodata: np.ndarray  # rows x cols bool, True where the raster has no data
    shape: tuple[int, int]
    cell_size_m: float
    offsets: np.ndarray  # int64[8], flat offsets of the neighbours
    half_lengths: np.ndarray  # float64[8], half the step length (m) for each offset
    r_min: float
    r_max: float

    @property
    def width(self) -> int:
        return self.shape[1] + 2

    def flat(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Padded flat indices of cells (row, col) of the raster."""
        return (np.asarray(rows, np.int64) + 1) * self.width + np.asarray(cols, np.int64) + 1

    def padded_cost(self) -> np.ndarray:
        """The accumulated cost of every padded cell, flat (a contiguous copy)."""
        return np.ascontiguousarray(self.cells[0::2])

    def padded_resistance(self) -> np.ndarray:
        """The resistance of every padded cell, flat (a contiguous copy; inf = impassable)."""
        return np.ascontiguousarray(self.cells[1::2])

    def inner(self, padded: np.ndarray) -> np.ndarray:
        """The raster's cells of a padded flat array, as a new (rows, cols) array."""
        rows, cols = self.shape
        return np.ascontiguousarray(padded.reshape(rows + 2, cols + 2)[1:-1, 1:-1])

    def inner_cost(self) -> np.ndarray:
        """The raster's accumulated costs, a new (rows, cols) float64 array."""
        rows, cols = self.shape
        return np.ascontiguousarray(self.cells.reshape(rows + 2, cols + 2, 2)[1:-1, 1:-1, 0])


def _padded(resistance: Raster, name: str) -> _Padded:
    values, cell = resistance_cells(resistance, name=name)
    nodata = np.isnan(values)
    r_min, r_max = float(np.nanmin(values)), float(np.nanmax(values))
    rows, cols = values.shape
    cells = np.full((rows + 2, cols + 2, 2), np.inf)
    inner = cells[1:-1, 1:-1, 1]
    inner[...] = values
    inner[nodata] = np.inf
    del values
    kernels = _kernels()
    offsets = kernels.neighbour_offsets(cols + 2)
    # step lengths as MCP_Geometric computes them: sqrt of the sum of squared sides
    sq = cell * cell
    half_lengths = np.sqrt(np.array([sq + 0.0] * 4 + [sq + sq] * 4)) * 0.5
    return _Padded(cells.ravel(), nodata, (rows, cols), cell, offsets, half_lengths, r_min, r_max)


def _search(
    surface: _Padded,
    seeds: np.ndarray,
    seed_labels: np.ndarray,
    limit: float,
    with_allocation: bool,
) -> np.ndarray:
    """Fill the costs of ``surface.cells`` from the seeds; the padded allocation (or a stub)."""
    kernels = _kernels()
    n_padded = surface.cells.size // 2
    allocation = np.zeros(n_padded if with_allocation else 1, dtype=np.int32)
    cheapest = 2.0 * surface.half_lengths[0] * surface.r_min
    costliest = 2.0 * surface.half_lengths[4] * surface.r_max
    delta = cheapest / 2.0
    span = costliest / delta
    if delta > 0 and span + 3 <= _MAX_BUCKETS:
        n_slots = 1 << int(math.ceil(math.log2(span + 3)))
        kernels.accumulate_buckets(
            surface.cells,
            seeds,
            seed_labels,
            surface.offsets,
            surface.half_lengths,
            delta,
            n_slots,
            limit,
            allocation,
            with_allocation,
        )
    else:
        kernels.accumulate_heap(
            surface.cells,
            seeds,
            seed_labels,
            surface.offsets,
            surface.half_lengths,
            limit,
            allocation,
            with_allocation,
        )
    if limit < math.inf:
        cost = surface.cells[0::2]
        beyond = cost > limit  # tentative costs left when the search stopped
        cost[beyond] = np.inf
        if with_allocation:
            allocation[beyond] = 0
    return allocation


def _as_nodes(nodes: Any, crs: Any, name: str) -> Any:
    """GeoDataFrame / GeoSeries / grids of ids as they are; a geometry or an (x, y) pair."""
    if isinstance(nodes, gpd.GeoDataFrame | gpd.GeoSeries | Raster):
        return nodes
    if isinstance(nodes, np.ndarray) and nodes.ndim == 2:
        return nodes  # a grid of ids (node_cells)
    if isinstance(nodes, shapely.Geometry):
        return gpd.GeoSeries([nodes], crs=crs)
    if isinstance(nodes, tuple | list | np.ndarray) and len(nodes) == 2:
        try:
            x, y = (float(v) for v in nodes)
        except (TypeError, ValueError):
            pass
        else:
            return gpd.GeoSeries([shapely.Point(x, y)], crs=crs)
    raise InputError(
        f"{name} must be a GeoDataFrame or GeoSeries of points or polygons, a shapely "
        f"geometry or an (x, y) pair in the raster's CRS; got {type(nodes).__name__}."
    )


def _max_cost(max_cost: Any) -> float:
    if max_cost is None:
        return math.inf
    try:
        value = float(max_cost)
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(max_cost, bool) or not value >= 0:
        raise InputError(
            f"max_cost must be a number >= 0 (resistance × m) or None for no limit; "
            f"got {max_cost!r}."
        )
    return value


def _seeds(surface: _Padded, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.nonzero(labels)
    return surface.flat(rows, cols), labels[rows, cols].astype(np.int32)


def _run(
    resistance: Raster,
    sources: Any,
    id_column: str | None,
    max_cost: Any,
    name: str,
    with_allocation: bool,
) -> tuple[_Padded, np.ndarray, pd.Index]:
    """The searched surface, the padded allocation (or a stub) and the source ids."""
    surface = _padded(resistance, "resistance")
    limit = _max_cost(max_cost)
    nodes = _as_nodes(sources, resistance.crs, name)
    labels, ids = node_cells(
        nodes, resistance, id_column=id_column, valid=~surface.nodata, name=name
    )
    seeds, seed_labels = _seeds(surface, labels)
    del labels
    allocation = _search(surface, seeds, seed_labels, limit, with_allocation)
    return surface, allocation, ids


def _cost_raster(resistance: Raster, surface: _Padded) -> Raster:
    out = surface.inner_cost()
    out[surface.nodata] = np.nan
    return Raster(out, resistance.transform, resistance.crs, nodata=float("nan"))


def cost_distance(
    resistance: Raster,
    sources: Any,
    *,
    id_column: str | None = None,
    max_cost: float | None = None,
) -> Raster:
    """Accumulated cost from the nearest source, on an 8-neighbour grid (resistance × m).

    Parameters
    ----------
    resistance : habitat.io.raster.Raster
        Resistance per cell (> 0 where there is data; nodata, NaN and +inf are
        impassable) in a projected CRS in metres with square cells.
    sources : GeoDataFrame, GeoSeries, shapely geometry, (x, y) or a grid of ids
        Points or polygons, in any CRS (a bare geometry or pair: the raster's
        CRS); or a Raster on the same grid or an array of its shape whose
        cells with an id > 0 (a 0/1 mask: one source) are sources. Source
        cells cost 0 (see :mod:`habitat.corridors.nodes` for which cells a
        point or polygon covers); source cells without data are left out.
    id_column : str, optional
        Column of ``sources`` holding the ids (rows sharing an id are one
        source); default the index.
    max_cost : float, optional
        Stop the search at this cost (resistance × m): costlier cells are
        ``inf``, as unreachable ones. Default: no limit.

    Returns
    -------
    habitat.io.raster.Raster
        float64, same grid as ``resistance``: the least accumulated cost
        (resistance × m) from any source; ``inf`` on cells with data that no
        source reaches; NaN (the raster's nodata) on cells without data.

    Raises
    ------
    habitat.core.errors.InputError
        For a bad resistance surface (:func:`~habitat.corridors.surface.resistance_cells`),
        sources outside the raster or only on nodata cells, overlapping sources
        (:func:`~habitat.corridors.nodes.node_cells`), a negative ``max_cost``.
    habitat.core.errors.ProjectedCRSRequiredError
        For a surface in degrees.

    See Also
    --------
    cost_allocation : the same costs, with the source each cell is reached from.
    least_cost_path : the path to a target, traced on these costs.

    Notes
    -----
    Step cost = step length × mean of the two cells' resistances (module
    docstring), Dijkstra's search; the values are those of
    ``skimage.graph.MCP_Geometric(r, sampling=(cs, cs)).find_costs(cells)``.

    Examples
    --------
    A uniform surface (resistance 2, 100 m cells) and a source in the top-left
    cell: 3 cells east cost 3 × 100 m × 2 = 600, 3 cells diagonally
    3 × 141.42 m × 2:

    >>> import numpy as np
    >>> from habitat.io.raster import Raster
    >>> surface = Raster(np.full((4, 4), 2.0), (100.0, 0, 600_000.0, 0, -100.0, 4_800_000.0),
    ...                  "EPSG:32652")
    >>> cost = cost_distance(surface, (600_050.0, 4_799_950.0))
    >>> float(cost.array[0, 3]), round(float(cost.array[3, 3]), 2)
    (600.0, 848.53)

    A cell without data is impassable and NaN; cells walled off are ``inf``:

    >>> r = np.ones((3, 3))
    >>> r[:, 1] = np.nan
    >>> walled = Raster(r, (100.0, 0, 0, 0, -100.0, 300.0), "EPSG:32652")
    >>> cost_distance(walled, (50.0, 250.0)).array
    array([[  0.,  nan,  inf],
           [100.,  nan,  inf],
           [200.,  nan,  inf]])
    """
    surface, _, _ = _run(resistance, sources, id_column, max_cost, "sources", False)
    return _cost_raster(resistance, surface)


def cost_allocation(
    resistance: Raster,
    sources: Any,
    *,
    id_column: str | None = None,
    max_cost: float | None = None,
) -> tuple[Raster, Raster]:
    """Accumulated cost and the source each cell is reached from, in one search.

    Parameters
    ----------
    resistance, sources, id_column, max_cost
        As :func:`cost_distance`.

    Returns
    -------
    cost : habitat.io.raster.Raster
        As :func:`cost_distance` returns it.
    allocation : habitat.io.raster.Raster
        int32, ``nodata=0``: ``k`` on the cells reached at least cost from the
        ``k``-th source (1-based, sources in order of first appearance), 0 where
        no source reaches (no data, cut off, beyond ``max_cost``). ``classes``
        maps ``k`` to the source's id (as text). Where two sources reach a cell
        at exactly the same cost, the cell goes to the source whose search
        reached it first (deterministic, but not by id).

    Examples
    --------
    Two sources at the ends of a uniform strip split it half and half:

    >>> import geopandas as gpd
    >>> import numpy as np
    >>> import shapely
    >>> from habitat.io.raster import Raster
    >>> strip = Raster(np.ones((1, 6)), (10.0, 0, 0, 0, -10.0, 10.0), "EPSG:32652")
    >>> ends = gpd.GeoSeries([shapely.Point(5, 5), shapely.Point(55, 5)],
    ...                      index=["west", "east"], crs="EPSG:32652")
    >>> cost, allocation = cost_allocation(strip, ends)
    >>> cost.array.tolist(), allocation.array.tolist(), allocation.classes
    ([[0.0, 10.0, 20.0, 20.0, 10.0, 0.0]], [[1, 1, 1, 2, 2, 2]], {1: 'west', 2: 'east'})
    """
    surface, allocation, ids = _run(resistance, sources, id_column, max_cost, "sources", True)
    alloc = surface.inner(allocation)
    del allocation
    classes = {k + 1: str(v) for k, v in enumerate(ids)}
    return (
        _cost_raster(resistance, surface),
        Raster(alloc, resistance.transform, resistance.crs, nodata=0, classes=classes),
    )


def _check_cost(cost: Any, resistance: Raster, surface: _Padded) -> np.ndarray:
    """A given accumulated-cost raster as a padded flat array (inf = impassable)."""
    if not isinstance(cost, Raster):
        raise InputError(
            f"cost must be the Raster that cost_distance returned for these sources, not "
            f"{type(cost).__name__}."
        )
    same_crs = cost.crs.equals(resistance.crs)
    if cost.shape != resistance.shape or not same_crs or cost.transform != resistance.transform:
        raise InputError(
            f"cost is on another grid (shape {cost.shape}, transform {cost.transform}) than "
            f"resistance (shape {resistance.shape}, transform {resistance.transform}); pass "
            "cost_distance(resistance, source) of this very resistance surface."
        )
    values = np.asarray(cost.array, dtype=np.float64)
    if np.any(values < 0):
        raise InputError(
            "cost has negative values: it is not an accumulated cost; pass "
            "cost_distance(resistance, source)."
        )
    rows, cols = surface.shape
    padded = np.full((rows + 2, cols + 2), np.inf)
    inner = padded[1:-1, 1:-1]
    inner[...] = values
    inner[np.isnan(values) | surface.nodata] = np.inf
    return padded.ravel()


def least_cost_path(
    resistance: Raster,
    source: Any,
    target: Any,
    *,
    cost: Raster | None = None,
    id_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Least-cost paths from the source(s) to each target, as lines through cell centres.

    Parameters
    ----------
    resistance : habitat.io.raster.Raster
        Resistance surface, as :func:`cost_distance` takes it.
    source, target : GeoDataFrame, GeoSeries, shapely geometry or (x, y)
        Points or polygons (a bare geometry or pair: in the raster's CRS). Each
        target (rows sharing an id are one target) gets one path, from the
        source cell nearest to it by cost to its own cell of least accumulated
        cost (where the path enters a target polygon).
    cost : habitat.io.raster.Raster, optional
        ``cost_distance(resistance, source)`` computed earlier (to trace paths
        to many targets without searching again); default: computed here.
    id_column : str, optional
        Column holding the ids in ``source`` and ``target`` (where they are
        GeoDataFrames with that column); default their indexes.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per target, indexed by the target ids, in the raster's CRS:

        * ``from_id``, ``to_id`` - the source the path starts from, the target;
        * ``cost_weighted_distance`` - accumulated cost of the path (resistance × m),
          the cost raster's value at its last cell;
        * ``length_m`` - length of the path through the cell centres (m);
        * ``euclidean_distance_m`` - straight-line distance between the path's
          first and last cell centres (m), never more than ``length_m``;
        * ``n_cells`` - cells on the path (its two ends included);
        * ``geometry`` - LineString from the source cell to the target cell
          (a zero-length line when the target lies on a source cell).

    Raises
    ------
    habitat.core.errors.InputError
        When a target cannot be reached from any source (nodata cells cut it
        off): the message names the targets. Also for bad sources or targets
        (:func:`cost_distance`) and a ``cost`` raster on another grid or that is
        not an accumulated cost of ``resistance``.

    Notes
    -----
    The path is traced back from the target along the accumulated cost: each
    step goes to the neighbour ``n`` through which the search reached the cell,
    i.e. whose ``cost[n] + step_cost(n, cell)`` equals the cell's cost (on
    equal sums, the cheaper neighbour). No second search is run.

    Examples
    --------
    Around a wall of high resistance on 100 m cells:

    >>> import numpy as np
    >>> from habitat.io.raster import Raster
    >>> r = np.ones((5, 5))
    >>> r[1:, 2] = 1000.0
    >>> surface = Raster(r, (100.0, 0, 0, 0, -100.0, 500.0), "EPSG:32652")
    >>> path = least_cost_path(surface, (50.0, 50.0), (450.0, 50.0))
    >>> path[["cost_weighted_distance", "length_m", "euclidean_distance_m", "n_cells"]].round(1)
       cost_weighted_distance  length_m  euclidean_distance_m  n_cells
    0                   965.7     965.7                 400.0        9
    >>> path.geometry.iloc[0].coords[4]  # the only gap in the wall
    (250.0, 450.0)
    """
    surface = _padded(resistance, "resistance")
    crs = resistance.crs
    src = _as_nodes(source, crs, "source")
    tgt = _as_nodes(target, crs, "target")

    def _ids(nodes: gpd.GeoDataFrame | gpd.GeoSeries) -> str | None:
        has = isinstance(nodes, gpd.GeoDataFrame) and id_column in nodes.columns
        return id_column if has else None

    valid = ~surface.nodata
    src_labels, src_ids = node_cells(
        src, resistance, id_column=_ids(src), valid=valid, name="source"
    )
    tgt_labels, tgt_ids = node_cells(
        tgt, resistance, id_column=_ids(tgt), valid=valid, name="target"
    )
    if cost is None:
        seeds, seed_labels = _seeds(surface, src_labels)
        _search(surface, seeds, seed_labels, math.inf, False)
        acc = surface.padded_cost()
    else:
        acc = _check_cost(cost, resistance, surface)
    padded_resistance = surface.padded_resistance()
    inner_cost = acc.reshape(surface.shape[0] + 2, surface.shape[1] + 2)[1:-1, 1:-1]

    # each target's cell of least cost (first in raster order on ties)
    t_rows, t_cols = np.nonzero(tgt_labels)
    t_lab = tgt_labels[t_rows, t_cols]
    t_cost = inner_cost[t_rows, t_cols]
    order = np.lexsort((t_cost, t_lab))
    first = np.unique(t_lab[order], return_index=True)[1]
    end_idx = order[first]  # one per target label, labels ascending (1..n)
    end_cost = t_cost[end_idx]
    unreachable = ~np.isfinite(end_cost)
    if unreachable.any():
        named = ", ".join(repr(v) for v in tgt_ids[unreachable][:5])
        more = f" and {int(unreachable.sum()) - 5} more" if unreachable.sum() > 5 else ""
        raise InputError(
            f"no path: target(s) {named}{more} cannot be reached from the source(s) "
            f"{', '.join(repr(v) for v in src_ids[:5])}: cells without data (nodata, NaN or "
            "+inf resistance) cut them off. Check the resistance surface around them (fill "
            "the gaps, or give barriers a high finite resistance instead of nodata), or "
            "choose targets in the sources' part of the grid."
            + (
                " (Or the cost= raster was cut at a max_cost below them.)"
                if cost is not None
                else ""
            )
        )

    kernels = _kernels()
    lines = []
    from_ids = []
    lengths = np.empty(len(tgt_ids))
    euclid = np.empty(len(tgt_ids))
    n_cells = np.empty(len(tgt_ids), dtype=np.int64)
    w = surface.width
    full_lengths = 2.0 * surface.half_lengths
    for k, e in enumerate(end_idx):
        start = int(surface.flat(t_rows[e], t_cols[e]))
        cells = kernels.trace(acc, padded_resistance, surface.offsets, surface.half_lengths, start)
        if cells.size == 0:
            raise InputError(
                f"cost is not the accumulated cost of this resistance surface: the path to "
                f"target {tgt_ids[k]!r} cannot be traced back to a cell of cost 0. Pass "
                "cost_distance(resistance, source) of this very surface, or cost=None."
            )
        cells = cells[::-1]
        rows = cells // w - 1
        cols = cells % w - 1
        label = int(src_labels[rows[0], cols[0]])
        if label == 0:
            raise InputError(
                f"cost does not belong to these sources: the path to target {tgt_ids[k]!r} "
                f"starts at a cell of cost 0 (row {rows[0]}, col {cols[0]}) that is not a "
                "source cell. Pass cost_distance(resistance, source) of the same sources, or "
                "cost=None."
            )
        from_ids.append(src_ids[label - 1])
        diagonal = (np.diff(rows) != 0) & (np.diff(cols) != 0)
        lengths[k] = float(np.where(diagonal, full_lengths[4], full_lengths[0]).sum())
        x, y = resistance.xy(rows, cols)
        euclid[k] = float(math.hypot(x[-1] - x[0], y[-1] - y[0]))
        n_cells[k] = cells.size
        xy = np.column_stack([x, y])
        if len(xy) == 1:
            xy = np.vstack([xy, xy])
        lines.append(shapely.LineString(xy))
    index = pd.Index(tgt_ids, name=tgt_ids.name)
    return gpd.GeoDataFrame(
        {
            "from_id": pd.Series(from_ids, index=index, dtype=object),
            "to_id": pd.Series(list(tgt_ids), index=index, dtype=object),
            "cost_weighted_distance": pd.Series(end_cost, index=index, dtype=float),
            "length_m": pd.Series(lengths, index=index),
            "euclidean_distance_m": pd.Series(euclid, index=index),
            "n_cells": pd.Series(n_cells, index=index),
        },
        geometry=gpd.GeoSeries(lines, index=index, crs=crs),
        crs=crs,
    )

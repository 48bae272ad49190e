"""Focal nodes, sources and core areas on a grid.

:func:`node_cells` is the one place where the point and polygon layers of the
corridor tools (sources of a cost distance, focal nodes of a circuit, core
areas of a least-cost corridor) become cells of a resistance grid: an
``int32`` label array (0 = no node, ``k`` = the ``k``-th node, 1-based) and the
node ids in label order.

Rules (the same for every caller):

* a polygon covers the cells whose **centre** is inside it (the cell-centre
  rule of :func:`habitat.io.raster.cells_in_shapes`); a polygon too small or
  too thin to hold any cell centre takes the cell holding a point on its
  surface (:func:`shapely.point_on_surface` of its part on the grid), so no node
  is ever lost;
* a point takes the cell holding it (a point on a cell edge belongs to the cell
  to its right / below, as :meth:`habitat.io.raster.Raster.index`);
* rows sharing an id (``id_column`` or the index) are one node with several
  parts (a multi-part region);
* cells where ``valid`` is False (nodata of the resistance surface) are left
  out of a node; a node left with no cell is an error naming it;
* a point outside the grid, or a polygon with no part on it, is an error naming
  the node; a polygon partly outside keeps its cells on the grid;
* two nodes sharing a cell is an error naming the pairs (a cell belongs to one
  node: merge them under one id, or shrink them).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from habitat.core.crs import align, describe_crs, require_crs
from habitat.core.errors import InputError
from habitat.core.validation import (
    require_finite_coordinates,
    require_geodata,
    require_geometry_type,
)
from habitat.io.raster import Grid, Raster, cells_in_shapes

__all__ = ["node_cells"]

_NODE_TYPES = ("Point", "MultiPoint", "Polygon", "MultiPolygon")
_POINT_IDS = (0, 4)  # shapely type ids of Point and MultiPoint


def _listed(values: Any, limit: int = 5) -> str:
    """Up to ``limit`` values as text, with how many more."""
    items = [repr(v.item() if hasattr(v, "item") else v) for v in values]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _node_ids(
    nodes: gpd.GeoDataFrame | gpd.GeoSeries, id_column: str | None, name: str
) -> tuple[np.ndarray, pd.Index]:
    """Position (0-based, first-appearance order) of each row's node, and the node ids."""
    if id_column is None:
        raw = nodes.index
        ids_name = nodes.index.name
    else:
        if not isinstance(nodes, gpd.GeoDataFrame) or id_column not in nodes.columns:
            cols = list(nodes.columns) if isinstance(nodes, gpd.GeoDataFrame) else []
            raise InputError(
                f"id_column={id_column!r} is not a column of {name}; columns: {cols}. "
                "Give one of them, or id_column=None to use the index."
            )
        raw = pd.Index(nodes[id_column])
        ids_name = id_column
    missing = pd.isna(raw)
    if np.any(missing):
        rows = list(nodes.index[np.asarray(missing)])
        raise InputError(
            f"{name} has missing ids ({'column ' + repr(id_column) if id_column else 'index'}, "
            f"rows {_listed(rows)}); give every node an id."
        )
    codes, uniques = pd.factorize(raw, sort=False)
    ids = pd.Index(uniques, name=ids_name)
    return codes.astype(np.int64), ids


def _as_grid(grid: Raster | Grid) -> Grid:
    if isinstance(grid, Raster):
        return grid.grid
    if isinstance(grid, Grid):
        return grid
    raise InputError(
        f"grid must be a habitat Raster (e.g. the resistance surface) or Grid, "
        f"not {type(grid).__name__}."
    )


def _point_cells(grid: Grid, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column (int64) of the cells holding map coordinates (may be off the grid)."""
    a, b, c, d, e, f = grid.transform
    det = a * e - b * d
    dx, dy = x - c, y - f
    row = (-d * dx + a * dy) / det
    col = (e * dx - b * dy) / det
    return np.floor(row).astype(np.int64), np.floor(col).astype(np.int64)


def _grid_box(grid: Grid) -> shapely.Geometry:
    rows, cols = grid.shape
    a, b, c, d, e, f = grid.transform
    cr = np.array([0, 0, rows, rows], dtype=float)
    cc = np.array([0, cols, 0, cols], dtype=float)
    xs, ys = a * cc + b * cr + c, d * cc + e * cr + f
    return shapely.box(xs.min(), ys.min(), xs.max(), ys.max())


def _valid_mask(valid: np.ndarray | None, grid: Raster | Grid) -> np.ndarray | None:
    if valid is None:
        return None
    shape = _as_grid(grid).shape
    mask = np.asarray(valid)
    if mask.shape != shape:
        raise InputError(
            f"valid must have the grid's shape {shape}, not {mask.shape}; pass the mask of "
            "cells with data of the same raster."
        )
    return mask.astype(bool, copy=False)


def _grid_labels(
    nodes: Raster | np.ndarray, g: Grid, *, valid: np.ndarray | None, name: str
) -> tuple[np.ndarray, pd.Index]:
    """Nodes given as a grid of ids (Circuitscape's focal node raster): ids > 0 are nodes."""
    if isinstance(nodes, Raster):
        same = (
            nodes.shape == g.shape
            and np.allclose(nodes.transform, g.transform)
            and nodes.crs == g.crs
        )
        if not same:
            raise InputError(
                f"{name} given as a raster must be on the surface's grid ({g.shape[0]} x "
                f"{g.shape[1]} cells, transform {tuple(g.transform)}, {describe_crs(g.crs)}); "
                f"got {nodes.shape[0]} x {nodes.shape[1]}, {tuple(nodes.transform)}, "
                f"{describe_crs(nodes.crs)}. Resample it onto the surface's grid first."
            )
        values = np.asarray(nodes.array, dtype=float)
        if nodes.nodata is not None:
            values = np.where(values == nodes.nodata, np.nan, values)
    else:
        if nodes.shape != g.shape:
            raise InputError(
                f"{name} given as an array must have the surface's shape {g.shape}, not "
                f"{nodes.shape}: one id per cell, 0 (or less) where there is no node."
            )
        if nodes.dtype.kind not in "biuf":
            raise InputError(f"{name} given as an array must hold numbers, not {nodes.dtype}.")
        values = np.asarray(nodes, dtype=float)
    values = np.where(np.isfinite(values) & (values > 0), values, 0.0)
    if not np.array_equal(values, np.round(values)):
        raise InputError(
            f"{name} given as a grid must hold whole-number ids (> 0 on node cells, 0 or "
            "less elsewhere); round or relabel it."
        )
    if valid is not None:
        lost = np.setdiff1d(np.unique(values[values > 0]), np.unique(values[valid & (values > 0)]))
        if lost.size:
            raise InputError(
                f"{name} with ids {_listed(pd.Index(lost.astype(np.int64)))} lie only on "
                "nodata cells (no resistance value); move them onto cells with data, or fill "
                "the surface there."
            )
        values = np.where(valid, values, 0.0)
    ids, labels = np.unique(values, return_inverse=True)
    if ids.size == 0 or ids[-1] <= 0:
        raise InputError(f"{name} given as a grid hold no cell with an id > 0.")
    labels = labels.reshape(g.shape).astype(np.int32)
    if ids[0] > 0:  # every cell is a node
        labels += 1
    else:
        ids = ids[1:]
    return labels, pd.Index(ids.astype(np.int64), name=name)


def node_cells(
    nodes: gpd.GeoDataFrame | gpd.GeoSeries | Raster | np.ndarray,
    grid: Raster | Grid,
    *,
    id_column: str | None = None,
    valid: np.ndarray | None = None,
    name: str = "nodes",
) -> tuple[np.ndarray, pd.Index]:
    """Rasterise focal nodes, sources or core areas onto a grid as labelled cells.

    Parameters
    ----------
    nodes : GeoDataFrame or GeoSeries of (Multi)Point or (Multi)Polygon, or a grid of ids
        In any declared CRS; reprojected explicitly to the grid's CRS. Rows
        sharing an id are one node (a multi-part region). Or, as Circuitscape's
        focal node raster, a Raster on the same grid or a 2-D array of the
        grid's shape holding whole-number ids: cells with an id > 0 belong to
        that node (several cells: a focal region), 0, negative, NaN and nodata
        cells to none.
    grid : Raster or Grid
        The lattice of cells (e.g. the resistance surface).
    id_column : str, optional
        Column holding the node ids; default the index of ``nodes``.
    valid : numpy.ndarray of bool, optional
        Shape of the grid; False where a cell cannot hold a node (nodata of the
        resistance surface). Such cells are left out of every node.
    name : str
        What the nodes are called in messages (``"sources"``, ``"cores"``).

    Returns
    -------
    labels : numpy.ndarray of int32
        Shape of the grid: 0 where there is no node, ``k`` (1-based) on the cells
        of the node ``ids[k - 1]``.
    ids : pandas.Index
        The node ids in label order (order of first appearance in ``nodes``),
        named after ``id_column`` (or the index's name).

    Raises
    ------
    InputError
        Naming the ids: a node (point) outside the grid or a polygon with no
        part on it; a node whose every cell is invalid (nodata); two nodes on
        the same cell; missing ids; an unknown ``id_column``; a ``valid`` mask of
        the wrong shape.
    GeometryTypeError
        For lines, missing or empty geometries.
    CRSError, CoordinateError
        For nodes without a CRS or with non-finite coordinates.

    Notes
    -----
    Cell rules are in the module docstring: cell-centre rule for polygons, the
    holding cell for points and for polygons smaller than a cell.

    Examples
    --------
    A 10 × 10 grid of 100 m cells with a 300 m square core and a point:

    >>> import numpy as np
    >>> import geopandas as gpd
    >>> import shapely
    >>> surface = Raster(np.ones((10, 10)), (100.0, 0.0, 0.0, 0.0, -100.0, 1000.0), 32652)
    >>> cores = gpd.GeoDataFrame(
    ...     {"name": ["west", "east"]},
    ...     geometry=[shapely.box(0, 0, 300, 300), shapely.Point(950, 950)],
    ...     crs=32652,
    ... )
    >>> labels, ids = node_cells(cores, surface, id_column="name")
    >>> list(ids), np.bincount(labels.ravel()).tolist()
    (['west', 'east'], [90, 9, 1])
    >>> int(labels[0, 9])
    2

    A point on a nodata cell is refused:

    >>> valid = np.ones((10, 10), bool)
    >>> valid[0, 9] = False
    >>> node_cells(cores, surface, id_column="name", valid=valid)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: nodes with ids 'east' lie only on nodata cells ...
    """
    if isinstance(nodes, Raster) or (isinstance(nodes, np.ndarray) and nodes.ndim == 2):
        return _grid_labels(nodes, _as_grid(grid), valid=_valid_mask(valid, grid), name=name)
    require_geodata(nodes, name=name, hint="give points or polygons with a declared CRS.")
    g = _as_grid(grid)
    n_rows, n_cols = g.shape
    valid = _valid_mask(valid, g)
    if len(nodes) == 0:
        raise InputError(f"{name} has no rows; give at least one point or polygon.")
    require_crs(nodes, name=name)
    require_geometry_type(nodes, _NODE_TYPES, name=name)
    codes, ids = _node_ids(nodes, id_column, name)
    geo = align(nodes, g.crs, name=name)
    require_finite_coordinates(
        geo, name=name, after=f"reprojection to the grid's CRS {describe_crs(g.crs)}"
    )
    series = geo.geometry if isinstance(geo, gpd.GeoDataFrame) else geo
    geoms = np.asarray(series.to_numpy(), dtype=object)
    is_point = np.isin(shapely.get_type_id(geoms), _POINT_IDS)

    owner_parts: list[np.ndarray] = []
    cell_parts: list[np.ndarray] = []
    off_grid: set[int] = set()

    # points (and the parts of multipoints): the cell holding each
    pt_rows = np.flatnonzero(is_point)
    if pt_rows.size:
        xy, part = shapely.get_coordinates(geoms[pt_rows], return_index=True)
        rr, cc = _point_cells(g, xy[:, 0], xy[:, 1])
        inside = (rr >= 0) & (rr < n_rows) & (cc >= 0) & (cc < n_cols)
        off_grid.update(codes[pt_rows[part[~inside]]].tolist())
        owner_parts.append(codes[pt_rows[part[inside]]])
        cell_parts.append(rr[inside] * n_cols + cc[inside])

    # polygons: cells whose centre is inside; else the cell of a point on the surface
    poly_rows = np.flatnonzero(~is_point)
    if poly_rows.size:
        polys = gpd.GeoSeries(geoms[poly_rows], crs=g.crs)
        owner, rr, cc = cells_in_shapes(polys, g)
        has_cells = np.zeros(poly_rows.size, dtype=bool)
        has_cells[owner] = True
        owner_parts.append(codes[poly_rows[owner]])
        cell_parts.append(rr * n_cols + cc)
        small = np.flatnonzero(~has_cells)
        if small.size:
            small_polys = shapely.make_valid(polys.to_numpy()[small])
            on_grid = shapely.intersection(small_polys, _grid_box(g))
            usable = ~shapely.is_empty(on_grid)
            off_grid.update(codes[poly_rows[small[~usable]]].tolist())
            if usable.any():
                pts = shapely.point_on_surface(on_grid[usable])
                sr, sc = _point_cells(g, shapely.get_x(pts), shapely.get_y(pts))
                sr = np.clip(sr, 0, n_rows - 1)
                sc = np.clip(sc, 0, n_cols - 1)
                owner_parts.append(codes[poly_rows[small[usable]]])
                cell_parts.append(sr * n_cols + sc)

    owners = np.concatenate(owner_parts) if owner_parts else np.zeros(0, np.int64)
    cells = np.concatenate(cell_parts) if cell_parts else np.zeros(0, np.int64)
    # outside: a point off the grid, or a polygon with no part on it
    present = np.zeros(len(ids), dtype=bool)
    present[owners] = True
    outside = sorted(off_grid | set(np.flatnonzero(~present).tolist()))
    if outside:
        left, bottom, right, top = _grid_box(g).bounds
        raise InputError(
            f"{name} with ids {_listed(ids[outside])} lie outside the raster (extent x "
            f"{left:.1f} to {right:.1f}, y {bottom:.1f} to {top:.1f} in {describe_crs(g.crs)}); "
            "move them onto the grid, drop them, or use a raster that covers them."
        )
    # one (node, cell) pair each
    key = np.unique(owners * (n_rows * n_cols) + cells)
    owners, cells = key // (n_rows * n_cols), key % (n_rows * n_cols)
    if valid is not None:
        ok = valid.ravel()[cells]
        kept = np.zeros(len(ids), dtype=bool)
        kept[owners[ok]] = True
        if not kept.all():
            bad = np.flatnonzero(~kept)
            raise InputError(
                f"{name} with ids {_listed(ids[bad])} lie only on nodata cells (no resistance "
                "value); move them onto cells with data, or fill the surface there."
            )
        owners, cells = owners[ok], cells[ok]
    # overlaps: a cell held by two nodes
    order = np.argsort(cells, kind="stable")
    sc, so = cells[order], owners[order]
    dup = np.flatnonzero(sc[1:] == sc[:-1])
    if dup.size:
        pairs = np.unique(np.stack([so[dup], so[dup + 1]], axis=1), axis=0)
        named = [f"ids {ids[i]!r} and {ids[j]!r}" for i, j in pairs[:5]]
        more = f" and {len(pairs) - 5} more pairs" if len(pairs) > 5 else ""
        n_shared = np.unique(sc[dup]).size
        r0, c0 = divmod(int(sc[dup[0]]), n_cols)
        raise InputError(
            f"{name} overlap: {'; '.join(named)}{more} share {n_shared} cell(s) (first at "
            f"row {r0}, col {c0}). A cell belongs to one node: give overlapping parts the "
            "same id (one node), or clip them apart."
        )
    labels = np.zeros(n_rows * n_cols, dtype=np.int32)
    labels[cells] = (owners + 1).astype(np.int32)
    return labels.reshape(g.shape), ids

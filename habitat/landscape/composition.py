"""What lies inside each home range: land-cover composition and linear barriers.

Definitions
-----------
composition
    For a categorical raster (the bundled land cover), the cells whose
    *centres* fall inside a range (the usual cell-centre rasterisation of
    FRAGSTATS / ``raster::extract``, by :func:`habitat.io.raster.cells_in_shapes`
    on :mod:`rasterio.features`; a centre exactly on the boundary is outside),
    counted per class. ``area_km2_<class>``
    is the count times the cell area; ``share_<class>`` is the count divided
    by the number of cells with data inside the range (0-1). Cells are
    squares of :attr:`habitat.io.raster.Raster.cell_size_m` in the raster's
    metric CRS; ranges are reprojected to it explicitly (invalid,
    self-intersecting ranges are repaired with :func:`shapely.make_valid` and a
    :class:`~habitat.core.errors.DataQualityWarning` naming them). Only the cells of
    the raster are visited (each range's window is clipped to the grid, and a
    window of more than :data:`habitat.io.raster.MAX_WINDOW_CELLS` cells is
    refused); the part of a range beyond the grid's edges counts as nodata,
    as its area in cells.
linear density
    Length of lines (roads, railways) inside each range in km, measured in the
    range's metric CRS (:func:`habitat.core.crs.metric_crs`), and that length per
    km² of range (``density_km_per_km2``); a fragmentation indicator used
    for leopards, for which roads are the main cause of death and barrier.

These are the per-range summaries a territory report needs; patch-based
fragmentation metrics (FRAGSTATS) build on the same cell selection.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from habitat.core import crs as hcrs
from habitat.core import units
from habitat.core.errors import EmptyDataError, InputError
from habitat.core.validation import (
    repair_polygons,
    require_finite_coordinates,
    require_geodata,
    require_geometry_type,
    require_polygons,
)
from habitat.io.raster import MAX_WINDOW_CELLS, Raster, cells_in_shapes

__all__ = ["composition_in_ranges", "line_density_in_ranges"]


def _range_geoms(ranges: gpd.GeoDataFrame | gpd.GeoSeries, target: Any) -> np.ndarray:
    require_polygons(ranges, name="ranges")
    hcrs.require_crs(ranges, name="ranges")
    geoms = hcrs.align(ranges, target, name="ranges")
    require_finite_coordinates(
        geoms, name="ranges", after=f"reprojection to {hcrs.describe_crs(target)}"
    )
    series = geoms.geometry if isinstance(geoms, gpd.GeoDataFrame) else geoms
    arr = np.asarray(series.to_numpy(), dtype=object)
    if not shapely.is_valid(arr).all():  # self-intersecting: make_valid, with a warning
        arr, _ = repair_polygons(arr, name="ranges", labels=ranges.index)
    return arr


def _check_lines(lines: Any, name: str) -> None:
    """A non-empty line layer with a surface CRS and finite vertices."""
    require_geodata(lines, name=name, hint="give (Multi)LineStrings with a declared CRS.")
    if len(lines) == 0:
        raise EmptyDataError(
            f"{name} holds no rows; there are no lines to measure. Check that the layer was "
            "read from the right file and not filtered away."
        )
    hcrs.require_crs(lines, name=name)
    require_geometry_type(lines, ("LineString", "MultiLineString"), name=name)
    require_finite_coordinates(lines, name=name)


def composition_in_ranges(
    ranges: gpd.GeoDataFrame | gpd.GeoSeries,
    raster: Raster,
    *,
    classes: dict[int, str] | None = None,
    max_cells: int = MAX_WINDOW_CELLS,
) -> pd.DataFrame:
    """Land-cover composition of each range (cells with centres inside).

    Parameters
    ----------
    ranges : GeoDataFrame or GeoSeries of polygons
        Home ranges in any declared CRS.
    raster : Raster
        Categorical grid in a metric CRS (e.g. :func:`habitat.datasets.land_cover`).
    classes : dict of int to str, optional
        Class names; default ``raster.classes``, else the codes themselves.
    max_cells : int
        Largest number of raster cells one range's window may span (see
        :func:`habitat.io.raster.cells_in_shapes`).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``ranges.index``: ``n_cells`` (cells with data inside),
        ``area_km2_<class>`` and ``share_<class>`` (0-1) for every class, and
        ``share_nodata`` (share of the range's cells that are nodata or outside
        the grid, of all cells inside; the part beyond the grid's edges is
        counted as its area divided by the cell area). Nodata cells are those
        equal to ``raster.nodata`` and, in float rasters, NaN cells.

    Raises
    ------
    InputError
        If ``raster`` is not a :class:`~habitat.io.raster.Raster` or holds
        values that are not integer class codes.
    EmptyDataError, GeometryTypeError, CoordinateError, MissingCRSError
        For ranges without rows, non-polygons, NaN vertices or no CRS.
    TooLargeError
        If a range spans more than ``max_cells`` cells of the raster.

    Examples
    --------
    A 10 km × 10 km grid of 1 km cells, forest in the west half and water in
    the east half. F1's 4 km square straddles the boundary; M1's 4 × 10 km
    range sticks out of the grid by half:

    >>> import geopandas as gpd
    >>> import numpy as np
    >>> import shapely
    >>> cells = np.ones((10, 10), dtype="uint8")
    >>> cells[:, 5:] = 5
    >>> cover = Raster(cells, (1000.0, 0.0, 600_000.0, 0.0, -1000.0, 4_760_000.0),
    ...                "EPSG:32652", nodata=0, classes={1: "forest", 5: "water"})
    >>> ranges = gpd.GeoSeries(
    ...     [shapely.box(603_000, 4_752_000, 607_000, 4_756_000),
    ...      shapely.box(608_000, 4_750_000, 612_000, 4_760_000)],
    ...     index=["F1", "M1"], crs="EPSG:32652",
    ... )
    >>> composition = composition_in_ranges(ranges, cover)
    >>> composition[["n_cells", "area_km2_forest", "area_km2_water"]]
        n_cells  area_km2_forest  area_km2_water
    F1       16              8.0             8.0
    M1       20              0.0            20.0
    >>> composition[["share_forest", "share_water", "share_nodata"]]
        share_forest  share_water  share_nodata
    F1           0.5          0.5           0.0
    M1           0.0          1.0           0.5
    """
    if not isinstance(raster, Raster):
        raise InputError(f"raster must be a habitat Raster, not {type(raster).__name__}.")
    if classes is not None and not isinstance(classes, dict):
        raise InputError(
            f"classes must be a dict of class code to name, not {type(classes).__name__}."
        )
    cell_area_m2 = raster.cell_area_m2
    names = classes or raster.classes or {}
    values = np.asarray(raster.array)
    missing = raster.nodata_mask()
    present = np.unique(values[~missing])
    if present.dtype.kind not in "iub" and not np.all(np.mod(present, 1) == 0):
        odd = present[np.mod(present, 1) != 0][:3].tolist()
        raise InputError(
            f"composition counts cells per class, but the raster holds values that are not "
            f"integer class codes (e.g. {odd}); pass a categorical raster (land cover), or "
            "classify continuous values first (e.g. `np.digitize`)."
        )
    codes = sorted(set(int(c) for c in present) | {int(c) for c in names})
    labels = {c: str(names.get(c, c)).replace("/", "_").replace(" ", "_") for c in codes}
    geoms = _range_geoms(ranges, raster.crs)
    n_r, n_c = len(geoms), len(codes)
    # cells of the grid whose centres fall in each range (rasterio.features,
    # cell-centre rule); only the grid's cells are visited
    owner, rr, cc = cells_in_shapes(
        gpd.GeoSeries(geoms, crs=raster.crs), raster.grid, max_cells=max_cells
    )
    # beyond the grid's edges: no data, counted as area in cells
    grid_box = shapely.box(*raster.bounds)
    beyond = shapely.area(shapely.difference(geoms, grid_box)) / cell_area_m2
    total = np.bincount(owner, minlength=n_r) + beyond
    keep = ~missing[rr, cc]
    v = values[rr[keep], cc[keep]]
    who = owner[keep]
    code_ix = np.searchsorted(np.asarray(codes, dtype=float), v.astype(float))
    counts = np.bincount(who * n_c + code_ix, minlength=n_r * n_c).reshape(n_r, n_c)
    with_data = counts.sum(axis=1)
    out = pd.DataFrame({"n_cells": with_data}, index=ranges.index)
    area_km2 = units.m2_to_km2(counts * cell_area_m2)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(with_data[:, None] > 0, counts / with_data[:, None], np.nan)
        nodata = np.where(total > 0, 1.0 - with_data / np.where(total > 0, total, 1), np.nan)
    for k, c in enumerate(codes):
        out[f"area_km2_{labels[c]}"] = area_km2[:, k]
    for k, c in enumerate(codes):
        out[f"share_{labels[c]}"] = share[:, k]
    out["share_nodata"] = nodata
    return out


def line_density_in_ranges(
    ranges: gpd.GeoDataFrame | gpd.GeoSeries,
    lines: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    crs: Any | None = None,
    lines_name: str = "lines",
) -> pd.DataFrame:
    """Length and density of lines (roads, railways) inside each range.

    Parameters
    ----------
    ranges : GeoDataFrame or GeoSeries of polygons
        Home ranges in any declared CRS.
    lines : GeoDataFrame or GeoSeries of (Multi)LineStrings
        Linear features in any declared CRS.
    crs : CRS-like, optional
        Metric CRS to measure in; default :func:`habitat.core.crs.metric_crs` of the ranges.
    lines_name : str
        What the lines are called in messages (e.g. ``"roads"``).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``ranges.index``: ``length_km`` inside the range and
        ``density_km_per_km2`` (length per km² of range, range area in the
        same CRS).

    Examples
    --------
    A straight 20 km road crossing a 4 km × 4 km range (16 km²) and a
    4 km × 10 km one (40 km²):

    >>> import geopandas as gpd
    >>> import shapely
    >>> ranges = gpd.GeoSeries(
    ...     [shapely.box(603_000, 4_752_000, 607_000, 4_756_000),
    ...      shapely.box(608_000, 4_750_000, 612_000, 4_760_000)],
    ...     index=["F1", "M1"], crs="EPSG:32652",
    ... )
    >>> road = gpd.GeoSeries([shapely.LineString([(600_000, 4_754_000), (620_000, 4_754_000)])],
    ...                      crs="EPSG:32652")
    >>> line_density_in_ranges(ranges, road)
        length_km  density_km_per_km2
    F1        4.0                0.25
    M1        4.0                0.10
    """
    require_polygons(ranges, name="ranges")
    hcrs.require_crs(ranges, name="ranges")
    _check_lines(lines, lines_name)
    target = hcrs.require_measurement_crs(
        crs if crs is not None else hcrs.metric_crs(ranges), purpose="lengths"
    )
    rg = _range_geoms(ranges, target)
    ln = hcrs.align(lines, target, name=lines_name)
    require_finite_coordinates(
        ln, name=lines_name, after=f"reprojection to {hcrs.describe_crs(target)}"
    )
    lg = np.asarray((ln.geometry if isinstance(ln, gpd.GeoDataFrame) else ln).to_numpy())
    tree = shapely.STRtree(lg)
    i, j = tree.query(rg, predicate="intersects")
    length_m = np.zeros(len(rg))
    if len(i):
        np.add.at(length_m, i, shapely.length(shapely.intersection(lg[j], rg[i])))
    length_km = units.convert_length(length_m, "m", "km")
    area_km2 = units.m2_to_km2(shapely.area(rg))
    with np.errstate(invalid="ignore", divide="ignore"):
        density = np.where(area_km2 > 0, length_km / area_km2, np.nan)
    return pd.DataFrame({"length_km": length_km, "density_km_per_km2": density}, index=ranges.index)

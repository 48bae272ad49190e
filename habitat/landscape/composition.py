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
    metric CRS; ranges are reprojected to it explicitly.
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
from habitat.core.errors import InputError
from habitat.core.validation import require_geometry_type
from habitat.io.raster import Raster, cells_in_shapes

__all__ = ["composition_in_ranges", "line_density_in_ranges"]


def _range_geoms(ranges: gpd.GeoDataFrame | gpd.GeoSeries, target: Any) -> np.ndarray:
    hcrs.require_crs(ranges, name="ranges")
    require_geometry_type(ranges, ("Polygon", "MultiPolygon"), name="ranges")
    geoms = hcrs.align(ranges, target, name="ranges")
    series = geoms.geometry if isinstance(geoms, gpd.GeoDataFrame) else geoms
    return np.asarray(series.to_numpy(), dtype=object)


def composition_in_ranges(
    ranges: gpd.GeoDataFrame | gpd.GeoSeries,
    raster: Raster,
    *,
    classes: dict[int, str] | None = None,
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

    Returns
    -------
    pandas.DataFrame
        Aligned to ``ranges.index``: ``n_cells`` (cells with data inside),
        ``area_km2_<class>`` and ``share_<class>`` (0-1) for every class, and
        ``share_nodata`` (share of the range's cells that are nodata or outside
        the grid, of all cells inside).

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
    cell_area_m2 = raster.cell_area_m2
    names = classes or raster.classes or {}
    values = np.asarray(raster.array)
    codes = sorted(int(c) for c in np.unique(values) if raster.nodata is None or c != raster.nodata)
    codes = sorted(set(codes) | set(names))
    labels = {c: str(names.get(c, c)).replace("/", "_").replace(" ", "_") for c in codes}
    geoms = _range_geoms(ranges, raster.crs)
    n_r, n_c = len(geoms), len(codes)
    # cells whose centres fall in each range (rasterio.features, cell-centre rule),
    # including cells beyond the grid's edges: those count as nodata
    owner, rr, cc = cells_in_shapes(gpd.GeoSeries(geoms, crs=raster.crs), raster.grid)
    total = np.bincount(owner, minlength=n_r)
    has = raster.contains_index(rr, cc)
    v = values[rr[has], cc[has]]
    who = owner[has]
    if raster.nodata is not None:
        who, v = who[v != raster.nodata], v[v != raster.nodata]
    code_ix = np.searchsorted(np.asarray(codes), v)
    counts = np.bincount(who * n_c + code_ix, minlength=n_r * n_c).reshape(n_r, n_c)
    with_data = counts.sum(axis=1)
    out = pd.DataFrame({"n_cells": with_data}, index=ranges.index)
    area_km2 = units.m2_to_km2(counts * cell_area_m2)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(with_data[:, None] > 0, counts / with_data[:, None], np.nan)
        nodata = np.where(total > 0, 1.0 - with_data / np.maximum(total, 1), np.nan)
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
    hcrs.require_crs(lines, name="lines")
    require_geometry_type(lines, ("LineString", "MultiLineString"), name="lines")
    target = hcrs.require_measurement_crs(
        crs if crs is not None else hcrs.metric_crs(ranges), purpose="lengths"
    )
    rg = _range_geoms(ranges, target)
    ln = hcrs.align(lines, target, name="lines")
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

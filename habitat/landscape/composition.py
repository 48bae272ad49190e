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

barriers of a study area
    Every layer of role ``barriers`` of a :class:`~habitat.io.study_area.StudyArea`
    (:func:`barrier_lengths`, :func:`barrier_density_in_ranges`): lines by
    length and density as above, polygons by area and share of the range,
    one set of columns per layer key. :func:`landscape_in_ranges` gives the
    land-cover composition and the barriers of a study area in one table.

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
from habitat.core.names import unique_slugs
from habitat.core.validation import (
    repair_polygons,
    require_finite_coordinates,
    require_geodata,
    require_geometry_type,
    require_polygons,
)
from habitat.io.raster import MAX_WINDOW_CELLS, Raster, cells_in_shapes
from habitat.io.study_area import StudyArea

__all__ = [
    "BARRIER_COLUMNS",
    "barrier_density_in_ranges",
    "barrier_lengths",
    "composition_in_ranges",
    "landscape_in_ranges",
    "line_density_in_ranges",
]

#: ``attrs`` key of a composition table: share column -> the raster's own class name
CLASS_NAMES_ATTR = "class_names"


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
        ``area_km2_<class>`` and ``share_<class>`` (0-1) for every class
        (``<class>``: the class name as a slug, :func:`habitat.core.names.slug`,
        e.g. ``grassland/burnt`` -> ``grassland_burnt``; a second class with
        the same slug, or one called ``nodata``, gets ``_2``...), and
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
    # column names from the class names: slugs, unique, never 'nodata' (share_nodata)
    labels = dict(
        zip(codes, unique_slugs([names.get(c, c) for c in codes], taken=["nodata"]), strict=True)
    )
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
    # the raster's own class names of the share columns, for labels (reports)
    out.attrs[CLASS_NAMES_ATTR] = {f"share_{labels[c]}": str(names.get(c, c)) for c in codes}
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


#: columns of :func:`barrier_lengths`
BARRIER_COLUMNS = (
    "range_id",
    "individual",
    "key",
    "label",
    "kind",
    "prefix",
    "length_km",
    "density_km_per_km2",
    "area_km2",
    "share",
)

_LINES = ("LineString", "MultiLineString")
_POLYGONS = ("Polygon", "MultiPolygon")


def _require_study_area(study_area: object) -> StudyArea:
    if not isinstance(study_area, StudyArea):
        raise InputError(
            f"study_area must be a habitat StudyArea (habitat.StudyArea([...]), "
            f"habitat.read_study_area(...) or habitat.datasets.primorsky()), not "
            f"{type(study_area).__name__}."
        )
    return study_area


#: margin (degrees) around the ranges' extent that very large barrier features are cut to
_CLIP_MARGIN_DEG = 0.5


def _clipped_to(
    feats: gpd.GeoDataFrame, ranges: gpd.GeoDataFrame | gpd.GeoSeries
) -> gpd.GeoDataFrame:
    """Features (EPSG:4326) wider than ``LARGE_FEATURE_DEG`` cut to the ranges' extent.

    Only what lies inside a range is measured, so cutting a motorway or a
    river thousands of km long to the box around the ranges (plus
    :data:`_CLIP_MARGIN_DEG`) changes no length inside them, and keeps its
    projection to the ranges' metric CRS local (the far ends of such a feature
    have no finite coordinates there). Smaller features are left as they are.
    """
    geoms = np.asarray(feats.geometry.to_numpy(), dtype=object)
    boxes = np.asarray(shapely.bounds(geoms), dtype=float).reshape(-1, 4)
    large = ((boxes[:, 2] - boxes[:, 0]) > hcrs.LARGE_FEATURE_DEG) | (
        (boxes[:, 3] - boxes[:, 1]) > hcrs.LARGE_FEATURE_DEG
    )
    if not large.any():
        return feats
    w, s, e, n = hcrs.lonlat_bounds(ranges)
    m = _CLIP_MARGIN_DEG
    box = (max(w - m, -180.0), max(s - m, -90.0), min(e + m, 180.0), min(n + m, 90.0))
    geoms = geoms.copy()
    geoms[large] = shapely.clip_by_rect(geoms[large], *box)
    keep = ~shapely.is_empty(geoms)
    return gpd.GeoDataFrame(feats[keep].drop(columns="geometry"), geometry=geoms[keep], crs=4326)


def barrier_lengths(
    ranges: gpd.GeoDataFrame | gpd.GeoSeries,
    study_area: StudyArea,
    *,
    crs: Any | None = None,
) -> pd.DataFrame:
    """Barriers inside each range, one row per range and barrier layer (long table).

    Every layer of role ``barriers`` of the study area is measured (roads,
    railways, rivers, fences...): its line features by length, its polygon
    features (e.g. a reservoir, a fenced area) by area. Features far from
    the ranges are dropped first (:meth:`~habitat.io.study_area.StudyArea.near`);
    a barrier layer with no feature near the ranges still gets its rows, with
    0 inside every range (there is no such barrier there).

    Parameters
    ----------
    ranges : GeoDataFrame or GeoSeries of polygons
        Home ranges in any declared CRS.
    study_area : StudyArea
        Its barrier layers are measured.
    crs : CRS-like, optional
        Metric CRS to measure in; default :func:`habitat.core.crs.metric_crs`
        of the ranges (their UTM zone), as :func:`line_density_in_ranges`.

    Returns
    -------
    pandas.DataFrame
        :data:`BARRIER_COLUMNS`, ranges in their order, layers in the study
        area's order: ``range_id`` (the ranges' index), ``individual`` (when
        the ranges have it), the layer's ``key`` and ``label``, ``kind`` (its
        features' distinct kinds, ``"; "``-joined), ``prefix`` (of the layer's
        columns in :func:`barrier_density_in_ranges`), ``length_km`` of its
        lines inside the range and ``density_km_per_km2`` (that length per km²
        of range), ``area_km2`` of its polygons inside the range and ``share``
        of the range they cover (0-1). Length columns are NaN for a layer
        without lines, area columns for a layer without polygons. No rows when
        the study area has no barrier layer.

    Examples
    --------
    A 10 km road across a 10 km square range in New York (UTM 18N), and a
    railway far from it:

    >>> import geopandas as gpd
    >>> import shapely
    >>> from habitat.io.study_area import StudyArea, study_layer
    >>> utm = "EPSG:32618"
    >>> road = gpd.GeoDataFrame({"name": ["NY-28"]}, geometry=[
    ...     shapely.LineString([(560_000, 4_665_000), (570_000, 4_665_000)])], crs=utm)
    >>> rail = gpd.GeoDataFrame({"name": ["Far line"]}, geometry=[
    ...     shapely.LineString([(700_000, 4_900_000), (710_000, 4_900_000)])], crs=utm)
    >>> area = StudyArea([study_layer(road, "roads", key="roads", label="Roads"),
    ...                   study_layer(rail, "railways", key="railways", label="Railways")])
    >>> ranges = gpd.GeoDataFrame({"individual": ["F1"]}, geometry=[
    ...     shapely.box(560_000, 4_660_000, 570_000, 4_670_000)], crs=utm)
    >>> barrier_lengths(ranges, area)[["individual", "label", "kind", "length_km",
    ...                                "density_km_per_km2"]].round(6)
      individual     label     kind  length_km  density_km_per_km2
    0         F1     Roads     road       10.0                 0.1
    1         F1  Railways  railway        0.0                 0.0
    """
    area = _require_study_area(study_area)
    require_polygons(ranges, name="ranges")
    hcrs.require_crs(ranges, name="ranges")
    layers = [lyr for lyr in area.layers_of("barriers") if len(lyr.data)]
    columns = list(BARRIER_COLUMNS)
    if not layers:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    near = {lyr.key: lyr.data for lyr in area.near(ranges).layers_of("barriers")}
    target = hcrs.require_measurement_crs(
        crs if crs is not None else hcrs.metric_crs(ranges), purpose="lengths"
    )
    rg = _range_geoms(ranges, target)
    n_r, n_l = len(rg), len(layers)
    length_m = np.zeros((n_r, n_l))
    area_m2 = np.zeros((n_r, n_l))
    parts = [near[lyr.key].assign(_layer=k) for k, lyr in enumerate(layers) if lyr.key in near]
    if parts:
        feats = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=4326)
        feats = _clipped_to(feats, ranges)
        projected = hcrs.align(feats.geometry, target, name="barriers")
        require_finite_coordinates(
            projected, name="barriers", after=f"reprojection to {hcrs.describe_crs(target)}"
        )
        fg = np.asarray(projected.to_numpy(), dtype=object)
        owner = feats["_layer"].to_numpy(dtype=int)
        is_line = feats.geom_type.isin(_LINES).to_numpy(dtype=float)
        is_poly = feats.geom_type.isin(_POLYGONS).to_numpy(dtype=float)
        if not shapely.is_valid(fg).all():  # self-intersecting polygons: make_valid
            fg = shapely.make_valid(fg)
        i, j = shapely.STRtree(fg).query(rg, predicate="intersects")
        if len(i):
            inside = shapely.intersection(fg[j], rg[i])
            np.add.at(length_m, (i, owner[j]), shapely.length(inside) * is_line[j])
            np.add.at(area_m2, (i, owner[j]), shapely.area(inside) * is_poly[j])
    has_lines = np.array([lyr.data.geom_type.isin(_LINES).any() for lyr in layers])
    has_polys = np.array([lyr.data.geom_type.isin(_POLYGONS).any() for lyr in layers])
    range_km2 = units.m2_to_km2(shapely.area(rg))[:, None]
    length_km = units.convert_length(length_m, "m", "km")
    inside_km2 = units.m2_to_km2(area_m2)
    with np.errstate(invalid="ignore", divide="ignore"):
        density = np.where(range_km2 > 0, length_km / range_km2, np.nan)
        share = np.where(range_km2 > 0, inside_km2 / range_km2, np.nan)
    nan = np.nan
    length_km = np.where(has_lines, length_km, nan)
    density = np.where(has_lines, density, nan)
    inside_km2 = np.where(has_polys, inside_km2, nan)
    share = np.where(has_polys, share, nan)
    prefixes = unique_slugs([lyr.key for lyr in layers])
    each_r = np.repeat(np.arange(n_r), n_l)
    each_l = np.tile(np.arange(n_l), n_r)
    out = pd.DataFrame({"range_id": np.asarray(ranges.index)[each_r]})
    individual = (
        ranges["individual"].to_numpy()[each_r]
        if isinstance(ranges, gpd.GeoDataFrame) and "individual" in ranges.columns
        else None
    )
    out["individual"] = individual
    out["key"] = np.array([lyr.key for lyr in layers], dtype=object)[each_l]
    out["label"] = np.array([lyr.label for lyr in layers], dtype=object)[each_l]
    kinds = [
        "; ".join(sorted({str(v) for v in lyr.data["kind"] if isinstance(v, str) and v})) or None
        for lyr in layers
    ]
    out["kind"] = pd.Series(np.array(kinds, dtype=object)[each_l], dtype=object)
    out["prefix"] = np.array(prefixes, dtype=object)[each_l]
    out["length_km"] = length_km.ravel()
    out["density_km_per_km2"] = density.ravel()
    out["area_km2"] = inside_km2.ravel()
    out["share"] = share.ravel()
    return out[columns]


def barrier_density_in_ranges(
    ranges: gpd.GeoDataFrame | gpd.GeoSeries,
    study_area: StudyArea,
    *,
    crs: Any | None = None,
) -> pd.DataFrame:
    """Barriers inside each range as columns, one set per barrier layer.

    The wide form of :func:`barrier_lengths`. Columns are named by the layer's
    **key** as a slug (:func:`habitat.core.names.slug`; ``_2``... if two keys
    give one slug), so the bundled ``roads`` and ``railways`` give the columns
    they always had:

    ``<key>_length_km``, ``<key>_density_km_per_km2``
        for a layer with lines (km inside the range; km per km² of range);
    ``<key>_area_km2``, ``<key>_share``
        for a layer with polygons (km² inside the range; share of the range).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``ranges.index``; no columns when the study area has no
        barrier layer.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import shapely
    >>> from habitat.io.study_area import StudyArea, study_layer
    >>> utm = "EPSG:32618"
    >>> road = gpd.GeoDataFrame(geometry=[
    ...     shapely.LineString([(560_000, 4_665_000), (570_000, 4_665_000)])], crs=utm)
    >>> area = StudyArea([study_layer(road, "roads", key="roads")])
    >>> ranges = gpd.GeoSeries([shapely.box(560_000, 4_660_000, 570_000, 4_670_000)],
    ...                        index=["F1"], crs=utm)
    >>> barrier_density_in_ranges(ranges, area).round(6)
        roads_length_km  roads_density_km_per_km2
    F1             10.0                       0.1
    """
    long = barrier_lengths(ranges, study_area, crs=crs)
    out = pd.DataFrame(index=ranges.index)
    if not len(long):
        return out
    n_l = len(long) // len(ranges)  # range-major: layer k is every n_l-th row from k
    for k in range(n_l):
        rows = long.iloc[k::n_l]
        prefix = rows["prefix"].iloc[0]
        measures = []
        if rows["length_km"].notna().all():  # the layer has lines
            measures += ["length_km", "density_km_per_km2"]
        if rows["area_km2"].notna().all():  # the layer has polygons
            measures += ["area_km2", "share"]
        for col in measures:
            out[f"{prefix}_{col}"] = rows[col].to_numpy(dtype=float)
    return out


def landscape_in_ranges(
    ranges: gpd.GeoDataFrame | gpd.GeoSeries,
    study_area: StudyArea,
    *,
    max_cells: int = MAX_WINDOW_CELLS,
) -> pd.DataFrame:
    """What lies inside each range: land-cover shares and barriers of a study area.

    The land cover near the ranges (``study_area.land_cover`` after
    :meth:`~habitat.io.study_area.StudyArea.near`) gives the columns of
    :func:`composition_in_ranges` without its ``area_km2_<class>`` columns
    (``n_cells``, ``share_<class>`` with the study area's class names,
    ``share_nodata``); the barrier layers give those of
    :func:`barrier_density_in_ranges`.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``ranges.index``; no composition columns without a land
        cover near the ranges, no barrier columns without barrier layers.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import numpy as np
    >>> import shapely
    >>> from habitat.io.raster import Raster
    >>> from habitat.io.study_area import StudyArea, study_layer
    >>> utm = "EPSG:32618"
    >>> cells = np.ones((10, 10), dtype="uint8")
    >>> cells[:, 5:] = 2
    >>> cover = Raster(cells, (1000.0, 0.0, 560_000.0, 0.0, -1000.0, 4_670_000.0), utm,
    ...                nodata=0, classes={1: "Deciduous forest", 2: "Open water"})
    >>> road = gpd.GeoDataFrame(geometry=[
    ...     shapely.LineString([(560_000, 4_665_000), (570_000, 4_665_000)])], crs=utm)
    >>> area = StudyArea([study_layer(road, "roads", key="roads")], land_cover=cover)
    >>> ranges = gpd.GeoSeries([shapely.box(560_000, 4_660_000, 570_000, 4_670_000)],
    ...                        index=["F1"], crs=utm)
    >>> landscape_in_ranges(ranges, area).round(6).T
                                 F1
    n_cells                   100.0
    share_deciduous_forest      0.5
    share_open_water            0.5
    share_nodata                0.0
    roads_length_km            10.0
    roads_density_km_per_km2    0.1
    """
    area = _require_study_area(study_area)
    require_polygons(ranges, name="ranges")
    hcrs.require_crs(ranges, name="ranges")
    parts = []
    cover = area.near(ranges).land_cover if area.land_cover is not None else None
    if cover is not None:
        comp = composition_in_ranges(ranges, cover, max_cells=max_cells)
        parts.append(comp.drop(columns=[c for c in comp.columns if c.startswith("area_km2_")]))
    parts.append(barrier_density_in_ranges(ranges, area))
    out = pd.concat(parts, axis=1)
    out.attrs[CLASS_NAMES_ATTR] = dict(parts[0].attrs.get(CLASS_NAMES_ATTR, {}))
    return out

"""Overlap of home ranges with map layers and with each other.

Definitions
-----------
range
    One row of a home-range table (see :mod:`habitat.homerange`): a polygon per
    individual, method and level.
feature
    One polygon of a map layer (zones, countries, protected areas...), or, with
    ``by=``, the union of all polygons sharing one value of the ``by`` column.
overlap area
    Area of ``range ∩ feature`` in m² (reported in km² and sq mi), measured in
    ONE local Lambert azimuthal equal-area CRS chosen by
    :func:`habitat.crs.equal_area_crs` for the union of both inputs' extents.
share
    Overlap area divided by the range's own area in the same CRS (0-1).
outside share
    ``1 - area(range ∩ union of all features) / area(range)``; features are
    dissolved first, so overlaps between features are not counted twice.

Both inputs must declare a CRS (:class:`~habitat.errors.MissingCRSError`
otherwise); they are reprojected explicitly with :func:`habitat.crs.align`.
Invalid polygons are repaired with :func:`shapely.make_valid` (polygonal parts
kept) and the GEOS reason (:func:`shapely.is_valid_reason`) is reported in a
``repaired`` column (empty string when the input was valid) and in a
:class:`~habitat.errors.DataQualityWarning`.

All pairwise work is vectorised: candidate pairs come from
:class:`shapely.STRtree` queries, intersections and areas from shapely's array
functions. Exact shortcuts avoid computing intersections where the answer is
known: a range within a feature overlaps it by the range's whole area, a
feature properly inside a range by the feature's whole area.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from habitat import crs as hcrs
from habitat import units
from habitat.errors import ColumnError, InputError
from habitat.validation import repair_polygons, require_columns, require_geometry_type

__all__ = [
    "OUTSIDE",
    "SexPairSummary",
    "distance_to_layer",
    "exclusivity",
    "overlap_matrix",
    "overlap_with",
    "pairwise_overlap",
    "sex_pair_summary",
]

#: Feature label of the row holding the part of a range outside every feature.
OUTSIDE = "(outside)"

_POLYGONS = ("Polygon", "MultiPolygon")
#: descriptive columns of a home-range table carried into results when present
_RANGE_COLUMNS = ("individual", "sex", "method", "level")
_PAIR_SEP = "–"  # en dash, as in "F–M"

GeoData = gpd.GeoDataFrame | gpd.GeoSeries


# --------------------------------------------------------------------------- helpers


def _as_frame(data: GeoData, name: str) -> gpd.GeoDataFrame:
    if isinstance(data, gpd.GeoSeries):
        return gpd.GeoDataFrame(geometry=data, crs=data.crs)
    if isinstance(data, gpd.GeoDataFrame):
        return data
    raise InputError(f"{name} must be a GeoDataFrame or GeoSeries, not {type(data).__name__}.")


def _prepared(
    data: GeoData, name: str, target: CRS
) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    """Validate, repair (in the source CRS) and reproject polygons; return frame, geoms, reasons."""
    frame = _as_frame(data, name)
    geoms, reasons = repair_polygons(frame.geometry.to_numpy(), name=name, labels=frame.index)
    fixed = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    projected = hcrs.align(fixed, target, name=name)
    return frame, np.asarray(projected.to_numpy(), dtype=object), reasons


def _check_polygons(data: GeoData, name: str) -> gpd.GeoDataFrame:
    frame = _as_frame(data, name)
    hcrs.require_crs(frame, name=name)
    require_geometry_type(frame, _POLYGONS, name=name)
    return frame


def _common_equal_area_crs(*frames: gpd.GeoDataFrame) -> CRS:
    bounds = np.array([hcrs.lonlat_bounds(f) for f in frames])
    extent = (
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    )
    return hcrs.equal_area_crs(extent)


def _measurement_crs(frames: tuple[gpd.GeoDataFrame, ...], crs: Any | None) -> CRS:
    if crs is not None:
        return hcrs.require_measurement_crs(crs, purpose="areas")
    return _common_equal_area_crs(*frames)


def _range_attributes(ranges: gpd.GeoDataFrame) -> pd.DataFrame:
    attrs = pd.DataFrame({"range_id": ranges.index.to_numpy()})
    for col in _RANGE_COLUMNS:
        if col in ranges.columns:
            attrs[col] = ranges[col].to_numpy()
    return attrs


def _features(layer: gpd.GeoDataFrame, by: str | None) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Layer as features (dissolved by ``by``) and their labels."""
    if by is None:
        return layer, layer.index.to_numpy()
    require_columns(layer, [by], name="layer", hint="`by` names the column to dissolve by.")
    if layer[by].isna().any():
        raise ColumnError(f"layer column {by!r} has missing values; fill or drop them first.")
    codes, labels = pd.factorize(layer[by], sort=False)
    geoms = layer.geometry.to_numpy()
    merged = [shapely.union_all(geoms[codes == k]) for k in range(len(labels))]
    dissolved = gpd.GeoDataFrame({by: labels}, geometry=merged, crs=layer.crs)
    return dissolved, np.asarray(labels, dtype=object)


def _pair_areas(
    tree: shapely.STRtree,
    left: np.ndarray,
    right: np.ndarray,
    left_area: np.ndarray,
    right_area: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intersection areas of every intersecting (left, right) pair; ``tree`` indexes ``right``.

    Returns ``(i, j, area)`` with ``left[i] ∩ right[j]`` having area ``area``.
    A left geometry within a right one takes ``left_area``; a right geometry
    properly inside a left one takes ``right_area``; only the remaining pairs
    are intersected (vectorised).
    """
    i, j = _sorted_pairs(*tree.query(left, predicate="intersects"))
    area = np.full(len(i), np.nan)
    n_right = len(right)
    key = i.astype(np.int64) * n_right + j
    wi, wj = tree.query(left, predicate="within")  # left[wi] within right[wj]
    pos = np.searchsorted(key, wi.astype(np.int64) * n_right + wj)
    area[pos] = left_area[wi]
    ci, cj = tree.query(left, predicate="contains_properly")  # right[cj] inside left[ci]
    pos = np.searchsorted(key, ci.astype(np.int64) * n_right + cj)
    area[pos] = right_area[cj]
    todo = np.flatnonzero(np.isnan(area))
    if len(todo):
        area[todo] = shapely.area(shapely.intersection(left[i[todo]], right[j[todo]]))
    return i, j, area


def _segments(lines: np.ndarray) -> np.ndarray:
    """Split linework into two-point segments, so the STRtree prunes nearest searches."""
    parts = shapely.get_parts(lines)
    parts = parts[~shapely.is_empty(parts)]
    coords, part = shapely.get_coordinates(parts, return_index=True)
    same = part[1:] == part[:-1]
    start = coords[:-1][same]
    end = coords[1:][same]
    return shapely.linestrings(np.stack([start, end], axis=1))


def _sorted_pairs(i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((j, i))
    return i[order], j[order]


# --------------------------------------------------------------------------- layers


def overlap_with(
    ranges: GeoData,
    layer: GeoData,
    *,
    by: str | None = None,
    crs: Any | None = None,
) -> pd.DataFrame:
    """Area and share of each home range inside each feature of a layer.

    Parameters
    ----------
    ranges : GeoDataFrame or GeoSeries
        Home-range polygons (e.g. from :func:`habitat.homerange.home_range`),
        with a CRS. ``individual``, ``sex``, ``method`` and ``level`` columns are
        carried into the result when present.
    layer : GeoDataFrame or GeoSeries
        Polygon features (zones, countries...), with a CRS (may differ from the
        ranges' CRS; both are reprojected explicitly).
    by : str, optional
        Column of ``layer`` to dissolve by first (e.g. ``"zone"``); features are
        then its values. Without it, features are the layer's rows, labelled by
        the layer's index.
    crs : CRS-like, optional
        Equal-area CRS to measure in (validated). By default the local
        Lambert azimuthal equal-area CRS of :func:`habitat.crs.equal_area_crs`
        for the union of both extents.

    Returns
    -------
    pandas.DataFrame
        One row per range and feature, including zero rows for no overlap,
        followed per range by a row with ``feature == "(outside)"``. Columns:

        ``range_id``
            The ranges' index value.
        ``individual``, ``sex``, ``method``, ``level``
            Copied from ``ranges`` when present.
        ``feature``
            Layer index value, ``by`` value, or ``"(outside)"``.
        ``area_km2``, ``area_sq_mi``
            Area of ``range ∩ feature`` (outside: of the range outside every
            feature), equal-area CRS.
        ``share``
            That area divided by the range's area, 0-1. The feature shares of a
            range plus its outside share sum to 1 when features do not overlap.
        ``repaired``
            Why the range polygon was invalid and repaired ('' if valid).
        ``feature_repaired``
            The same for the feature ('' if valid; '' on outside rows).

    Raises
    ------
    MissingCRSError
        If either input has no CRS.
    GeometryTypeError
        If either input holds non-polygons or empty/missing geometries.
    ColumnError
        If ``by`` is not a column of ``layer``.
    """
    ranges = _check_polygons(ranges, "ranges")
    layer = _check_polygons(layer, "layer")
    target = _measurement_crs((ranges, layer), crs)
    ranges, rg, r_reason = _prepared(ranges, "ranges", target)
    layer, lg, l_reason = _prepared(layer, "layer", target)
    repaired_layer = gpd.GeoDataFrame(
        layer.drop(columns=layer.geometry.name), geometry=lg, crs=target
    )
    features, labels = _features(repaired_layer, by)
    fg = np.asarray(features.geometry.to_numpy(), dtype=object)
    if by is None:
        f_reason = l_reason
    else:
        codes = pd.Categorical(layer[by], categories=labels).codes
        f_reason = np.array(
            ["; ".join(r for r in l_reason[codes == k] if r) for k in range(len(labels))],
            dtype=object,
        )
    n_r, n_f = len(rg), len(fg)
    r_area = shapely.area(rg)
    f_area = shapely.area(fg)

    tree = shapely.STRtree(fg)
    i, j, area = _pair_areas(tree, rg, fg, r_area, f_area)
    table = np.zeros((n_r, n_f + 1))
    table[i, j] = area

    # outside every feature: against the dissolved layer
    union = shapely.union_all(fg)
    shapely.prepare(union)
    inside = np.zeros(n_r)
    hit = shapely.intersects(rg, union)
    within = hit & shapely.within(rg, union)
    inside[within] = r_area[within]
    cut = np.flatnonzero(hit & ~within)
    if len(cut):
        inside[cut] = shapely.area(shapely.intersection(rg[cut], union))
    table[:, n_f] = np.maximum(r_area - inside, 0.0)

    with np.errstate(invalid="ignore", divide="ignore"):
        share = table / r_area[:, None]
    share = np.clip(share, 0.0, 1.0)

    attrs = _range_attributes(ranges)
    out = attrs.loc[np.repeat(np.arange(n_r), n_f + 1)].reset_index(drop=True)
    feature_labels = np.empty(n_f + 1, dtype=object)
    feature_labels[:n_f] = labels
    feature_labels[n_f] = OUTSIDE
    out["feature"] = np.tile(feature_labels, n_r)
    out = out.assign(**units.area_columns(table.ravel()))
    out["share"] = share.ravel()
    out["repaired"] = np.repeat(r_reason, n_f + 1)
    fr = np.append(f_reason, "").astype(object)
    out["feature_repaired"] = np.tile(fr, n_r)
    return out


def distance_to_layer(
    ranges: GeoData,
    layer: GeoData,
    *,
    by: str | None = None,
    crs: Any | None = None,
) -> pd.DataFrame:
    """Distance from each range, and from its centroid, to the nearest layer boundary.

    Boundaries are the outlines of the layer's features (dissolved by ``by``
    first when given, so boundaries between features of one ``by`` value
    disappear). Distances follow the habitat CRS policy: they are measured in
    the metric conformal CRS of :func:`habitat.crs.metric_crs` (the UTM zone of
    the centre of both inputs' union extent; EPSG:32652 for the leopard range).

    Parameters
    ----------
    ranges, layer : GeoDataFrame or GeoSeries
        Polygons with a CRS, as for :func:`overlap_with`.
    by : str, optional
        Column of ``layer`` to dissolve by first.
    crs : CRS-like, optional
        Projected metric CRS to measure distances in (validated).

    Returns
    -------
    pandas.DataFrame
        One row per range: ``range_id`` (the ranges' index), ``individual``,
        ``sex``, ``method``, ``level`` when present,
        ``distance_to_boundary_m`` (shortest distance in metres from the range
        polygon to any boundary; 0 if a boundary crosses or touches the range),
        ``centroid_distance_to_boundary_m`` (from the range's centroid, metres)
        and ``repaired`` (see :func:`overlap_with`).

    Raises
    ------
    MissingCRSError, GeometryTypeError, ColumnError
        As for :func:`overlap_with`.
    """
    ranges = _check_polygons(ranges, "ranges")
    layer = _check_polygons(layer, "layer")
    if crs is not None:
        target = hcrs.require_measurement_crs(crs, purpose="distances")
    else:
        bounds = np.array([hcrs.lonlat_bounds(f) for f in (ranges, layer)])
        target = hcrs.metric_crs(
            (
                float(bounds[:, 0].min()),
                float(bounds[:, 1].min()),
                float(bounds[:, 2].max()),
                float(bounds[:, 3].max()),
            )
        )
    ranges, rg, r_reason = _prepared(ranges, "ranges", target)
    layer, lg, _ = _prepared(layer, "layer", target)
    repaired = gpd.GeoDataFrame(layer.drop(columns=layer.geometry.name), geometry=lg, crs=target)
    features, _ = _features(repaired, by)
    tree = shapely.STRtree(_segments(shapely.boundary(features.geometry.to_numpy())))
    d_range = np.full(len(rg), np.inf)
    (idx, _), dist = tree.query_nearest(rg, return_distance=True, all_matches=False)
    d_range[idx] = dist
    centroids = shapely.centroid(rg)
    d_cent = np.full(len(rg), np.inf)
    (idx, _), dist = tree.query_nearest(centroids, return_distance=True, all_matches=False)
    d_cent[idx] = dist
    out = _range_attributes(ranges)
    out["distance_to_boundary_m"] = d_range
    out["centroid_distance_to_boundary_m"] = d_cent
    out["repaired"] = r_reason
    return out


# --------------------------------------------------------------------------- ranges


def _group_codes(ranges: pd.DataFrame) -> np.ndarray:
    """One integer per (method, level) group; ranges compare only within a group."""
    cols = [c for c in ("method", "level") if c in ranges.columns]
    if not cols:
        return np.zeros(len(ranges), dtype=np.int64)
    keys = ranges[cols].astype(str).agg("|".join, axis=1) if len(cols) > 1 else ranges[cols[0]]
    return pd.factorize(keys.astype(str))[0]


def _select_level(ranges: gpd.GeoDataFrame, level: float | None) -> gpd.GeoDataFrame:
    if level is None:
        return ranges
    require_columns(ranges, ["level"], name="ranges", hint="level= selects rows by it.")
    keep = np.isclose(ranges["level"].to_numpy(dtype=float), float(level))
    if not keep.any():
        found = ", ".join(f"{v:g}" for v in sorted(set(ranges["level"].astype(float))))
        raise InputError(
            f"ranges hold no rows at level {level:g} (levels present: {found}); "
            "levels are fractions such as 0.95."
        )
    return ranges[keep]


def _ranges_equal_area(
    ranges: GeoData, crs: Any | None, level: float | None
) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray, np.ndarray]:
    ranges = _check_polygons(ranges, "ranges")
    require_columns(ranges, ["individual"], name="ranges")
    ranges = _select_level(ranges, level)
    target = _measurement_crs((ranges,), crs)
    ranges, rg, reasons = _prepared(ranges, "ranges", target)
    return ranges, rg, shapely.area(rg), reasons


def _intersecting_pairs(
    rg: np.ndarray, area: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unordered intersecting pairs ``i < j`` in the same group, with intersection areas."""
    tree = shapely.STRtree(rg)
    i, j = _sorted_pairs(*tree.query(rg, predicate="intersects"))
    keep = (i < j) & (groups[i] == groups[j])
    i, j = i[keep], j[keep]
    inter = np.full(len(i), np.nan)
    n = len(rg)
    key = i.astype(np.int64) * n + j
    # exact shortcuts: one range within the other -> the smaller one's area
    wi, wj = tree.query(rg, predicate="within")  # rg[wi] within rg[wj]
    for a, b, small in ((wi, wj, wi), (wj, wi, wi)):
        k = a.astype(np.int64) * n + b
        pos = np.searchsorted(key, k)
        ok = (pos < len(key)) & (key[np.minimum(pos, len(key) - 1)] == k) if len(key) else pos < 0
        inter[pos[ok]] = area[small[ok]]
    todo = np.flatnonzero(np.isnan(inter))
    if len(todo):
        inter[todo] = shapely.area(shapely.intersection(rg[i[todo]], rg[j[todo]]))
    return i, j, inter


def pairwise_overlap(
    ranges: GeoData,
    *,
    level: float | None = None,
    crs: Any | None = None,
) -> pd.DataFrame:
    """Intersection area and shares of every pair of intersecting home ranges.

    Pairs are found with one :class:`shapely.STRtree` query of the ranges
    against themselves (never an all-pairs loop); each unordered pair is listed
    once, and only ranges of the same ``level`` and ``method`` are paired.

    Parameters
    ----------
    ranges : GeoDataFrame
        Home-range table with ``individual`` (and optionally ``sex``,
        ``method``, ``level``) and polygons with a CRS.
    level : float, optional
        Keep only ranges at this level (fraction, e.g. 0.95).
    crs : CRS-like, optional
        Equal-area CRS to measure in; by default
        :func:`habitat.crs.equal_area_crs` of the ranges.

    Returns
    -------
    pandas.DataFrame
        One row per intersecting pair (touching pairs have area 0):
        ``range_id_a``, ``range_id_b`` (index values), ``individual_a``,
        ``individual_b``, ``sex_a``, ``sex_b`` (when ``sex`` is present),
        ``method`` and ``level`` (when present), ``area_km2`` and ``area_sq_mi``
        of ``a ∩ b``, ``share_a`` = area(a ∩ b) / area(a) (share of a's range
        used by b) and ``share_b`` = area(a ∩ b) / area(b).

    Raises
    ------
    MissingCRSError, GeometryTypeError, ColumnError, InputError
        For a missing CRS, non-polygons, no ``individual`` column, or no
        range at ``level``.
    """
    ranges, rg, area, _ = _ranges_equal_area(ranges, crs, level)
    groups = _group_codes(ranges)
    i, j, inter = _intersecting_pairs(rg, area, groups)
    idx = ranges.index.to_numpy()
    out = pd.DataFrame({"range_id_a": idx[i], "range_id_b": idx[j]})
    ind = ranges["individual"].to_numpy()
    out["individual_a"] = ind[i]
    out["individual_b"] = ind[j]
    if "sex" in ranges.columns:
        sex = ranges["sex"].to_numpy()
        out["sex_a"] = sex[i]
        out["sex_b"] = sex[j]
    for col in ("method", "level"):
        if col in ranges.columns:
            out[col] = ranges[col].to_numpy()[i]
    out = out.assign(**units.area_columns(inter))
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share_a"] = np.clip(inter / area[i], 0.0, 1.0)
        out["share_b"] = np.clip(inter / area[j], 0.0, 1.0)
    return out


def overlap_matrix(
    pairs: pd.DataFrame,
    *,
    level: float,
    value: str = "share_a",
    method: str | None = None,
    individuals: list[Any] | None = None,
) -> pd.DataFrame:
    """Square individuals × individuals matrix of overlap from :func:`pairwise_overlap`.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Output of :func:`pairwise_overlap`.
    level : float
        Level (fraction) to show.
    value : {"share_a", "area_km2", "area_sq_mi"}
        ``"share_a"``: row i, column j = share (0-1) of i's range used by j,
        diagonal 1.0. ``"area_km2"``/``"area_sq_mi"``: intersection area,
        symmetric, diagonal NaN (a range's own area is not in ``pairs``).
    method : str, optional
        Method to show when ``pairs`` holds several.
    individuals : list, optional
        Rows/columns to show, e.g. all individuals including those overlapping
        no one; by default the individuals appearing in ``pairs`` at ``level``.

    Returns
    -------
    pandas.DataFrame
        Index and columns are individuals; 0 for pairs that do not intersect.
    """
    if value not in ("share_a", "area_km2", "area_sq_mi"):
        raise InputError(f"value must be 'share_a', 'area_km2' or 'area_sq_mi', not {value!r}.")
    require_columns(pairs, ["individual_a", "individual_b", value], name="pairs")
    sel = pairs
    if "level" in pairs.columns:
        sel = sel[np.isclose(sel["level"].to_numpy(dtype=float), float(level))]
    if "method" in sel.columns:
        methods = sel["method"].unique()
        if method is not None:
            sel = sel[sel["method"] == method]
        elif len(methods) > 1:
            raise InputError(
                f"pairs hold several methods ({', '.join(map(str, methods))}); pass method=."
            )
    if individuals is None:
        individuals = sorted(set(sel["individual_a"]) | set(sel["individual_b"]), key=str)
    if sel.duplicated(["individual_a", "individual_b"]).any():
        raise InputError("pairs hold several rows for one pair of individuals at this level.")
    m = pd.DataFrame(0.0, index=pd.Index(individuals), columns=pd.Index(individuals))
    back = "share_b" if value == "share_a" else value
    a, b = sel["individual_a"].to_numpy(), sel["individual_b"].to_numpy()
    keep = np.isin(a, individuals) & np.isin(b, individuals)
    rows = m.index.get_indexer(a[keep])
    cols = m.columns.get_indexer(b[keep])
    arr = m.to_numpy(copy=True)
    arr[rows, cols] = sel[value].to_numpy(dtype=float)[keep]
    arr[cols, rows] = sel[back].to_numpy(dtype=float)[keep]
    np.fill_diagonal(arr, 1.0 if value == "share_a" else np.nan)
    return pd.DataFrame(arr, index=m.index, columns=m.columns)


def exclusivity(
    ranges: GeoData,
    *,
    level: float | None = 0.95,
    crs: Any | None = None,
) -> pd.DataFrame:
    """Share of each range used by no other animal of the same sex.

    ``exclusive_share = 1 - area(range ∩ union of the same-sex others' ranges)
    / area(range)``, where "others" are ranges of other individuals with the
    same ``sex``, ``method`` and ``level``. The union is taken once per range, so
    areas shared by several neighbours are not counted twice.

    Parameters
    ----------
    ranges : GeoDataFrame
        Home-range table with ``individual`` and ``sex`` columns, polygons
        with a CRS.
    level : float or None
        Level (fraction) to use; ``None`` keeps all levels (each compared
        within its own level).
    crs : CRS-like, optional
        Equal-area CRS to measure in.

    Returns
    -------
    pandas.DataFrame
        One row per range: ``range_id``, ``individual``, ``sex``, ``method``,
        ``level`` (when present), ``area_km2`` (the range's area),
        ``shared_km2`` (area shared with same-sex others), ``n_neighbours``
        (same-sex others overlapping with positive area) and
        ``exclusive_share`` (0-1).
    """
    ranges = _check_polygons(ranges, "ranges")
    require_columns(ranges, ["individual", "sex"], name="ranges")
    ranges, rg, area, _ = _ranges_equal_area(ranges, crs, level)
    groups = pd.factorize(
        pd.Series(_group_codes(ranges)).astype(str) + "|" + ranges["sex"].astype(str).to_numpy()
    )[0]
    i, j, inter = _intersecting_pairs(rg, area, groups)
    ind = ranges["individual"].to_numpy()
    keep = (ind[i] != ind[j]) & (inter > 0)
    i, j, inter = i[keep], j[keep], inter[keep]
    # directed: each range against each of its neighbours
    src = np.concatenate([i, j])
    dst = np.concatenate([j, i])
    pair_area = np.concatenate([inter, inter])
    n_nb = np.bincount(src, minlength=len(rg))
    shared = np.zeros(len(rg))
    single = n_nb == 1
    one = single[src]
    shared[src[one]] = pair_area[one]
    multi = np.flatnonzero(n_nb > 1)
    if len(multi):
        order = np.argsort(src, kind="stable")
        src_s, dst_s = src[order], dst[order]
        starts = np.searchsorted(src_s, multi)
        for r, s0 in zip(multi, starts, strict=True):  # loop over ranges, not pairs
            others = shapely.union_all(rg[dst_s[s0 : s0 + n_nb[r]]])
            shared[r] = shapely.area(shapely.intersection(rg[r], others))
    out = _range_attributes(ranges)
    out["area_km2"] = units.m2_to_km2(area)
    out["shared_km2"] = units.m2_to_km2(shared)
    out["n_neighbours"] = n_nb
    with np.errstate(invalid="ignore", divide="ignore"):
        out["exclusive_share"] = np.clip(1.0 - shared / area, 0.0, 1.0)
    return out


class SexPairSummary(NamedTuple):
    """Result of :func:`sex_pair_summary`."""

    #: mean and max share by sex pair, method and level
    by_pair: pd.DataFrame
    #: per female, the male whose range holds most of hers
    females: pd.DataFrame


def sex_pair_summary(pairs: pd.DataFrame) -> SexPairSummary:
    """Summarise pairwise overlap by sex pair, and each female's main male.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Output of :func:`pairwise_overlap` with ``sex_a`` and ``sex_b``.

    Returns
    -------
    SexPairSummary
        ``by_pair``: one row per ``sex_pair`` ("F–F", "M–M", "F–M"; sexes
        sorted, en dash), ``method`` and ``level`` (when present), with
        ``n_pairs``, ``mean_share`` and ``max_share`` over both directions of
        every intersecting pair (the share of either range used by the other,
        0-1). Non-intersecting pairs are not in ``pairs`` and do not lower the
        mean.

        ``females``: one row per female (and method and level) overlapping at
        least one male, with ``best_male`` (the male whose range holds the
        largest share of hers) and ``share_in_best_male`` (that share, 0-1).
    """
    require_columns(
        pairs,
        ["individual_a", "individual_b", "sex_a", "sex_b", "share_a", "share_b"],
        name="pairs",
        hint="Pass the output of pairwise_overlap on ranges with a 'sex' column.",
    )
    keys = [c for c in ("method", "level") if c in pairs.columns]
    sa = pairs["sex_a"].astype(str).to_numpy(dtype=str)
    sb = pairs["sex_b"].astype(str).to_numpy(dtype=str)
    label = np.where(sa <= sb, np.char.add(np.char.add(sa, _PAIR_SEP), sb), "")
    label = np.where(sa > sb, np.char.add(np.char.add(sb, _PAIR_SEP), sa), label)
    both = pd.concat(
        [
            pairs[keys].assign(sex_pair=label, share=pairs["share_a"].to_numpy()),
            pairs[keys].assign(sex_pair=label, share=pairs["share_b"].to_numpy()),
        ],
        ignore_index=True,
    )
    by_pair = (
        both.groupby(["sex_pair", *keys], sort=True)["share"]
        .agg(n_pairs="size", mean_share="mean", max_share="max")
        .reset_index()
    )
    by_pair["n_pairs"] //= 2

    fa = (sa == "F") & (sb == "M")
    fb = (sa == "M") & (sb == "F")
    directed = pd.concat(
        [
            pairs.loc[fa, keys].assign(
                individual=pairs.loc[fa, "individual_a"].to_numpy(),
                best_male=pairs.loc[fa, "individual_b"].to_numpy(),
                share_in_best_male=pairs.loc[fa, "share_a"].to_numpy(),
            ),
            pairs.loc[fb, keys].assign(
                individual=pairs.loc[fb, "individual_b"].to_numpy(),
                best_male=pairs.loc[fb, "individual_a"].to_numpy(),
                share_in_best_male=pairs.loc[fb, "share_b"].to_numpy(),
            ),
        ],
        ignore_index=True,
    )
    cols = ["individual", *keys, "best_male", "share_in_best_male"]
    if directed.empty:
        return SexPairSummary(by_pair, pd.DataFrame(columns=cols))
    best = directed.loc[
        directed.groupby(["individual", *keys], sort=True)["share_in_best_male"].idxmax()
    ]
    return SexPairSummary(by_pair, best[cols].reset_index(drop=True))

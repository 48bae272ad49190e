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
    :func:`habitat.core.crs.equal_area_crs` for the union of both inputs' extents.
share
    Overlap area divided by the range's own area in the same CRS (0-1).
outside share
    ``1 - area(range ∩ union of all features) / area(range)``; features are
    dissolved first, so overlaps between features are not counted twice.

Both inputs must declare a CRS (:class:`~habitat.core.errors.MissingCRSError`
otherwise); they are reprojected explicitly (and logged) with
:func:`habitat.core.crs.to_crs_threaded`, which gives the coordinates of
``to_crs`` with the vertices transformed on several threads. A layer's
projection is cached and reused while the layer's geometry objects and both
CRSs are unchanged (shapely geometries are immutable, so editing a layer in
place replaces objects and is reprojected anew); ranges are reprojected on
every call.
Invalid polygons are repaired with :func:`shapely.make_valid` (polygonal parts
kept) and the GEOS reason (:func:`shapely.is_valid_reason`) is reported in a
``repaired`` column (empty string when the input was valid) and in a
:class:`~habitat.core.errors.DataQualityWarning`.

All pairwise work is vectorised and each pair is handled once: candidate pairs
come from one bounding-box query of a :class:`shapely.STRtree`. Exact shortcuts
avoid computing intersections where the answer is known: a range whose bounding
box no feature edge comes near lies wholly inside the feature (whole area, one
point-in-polygon test) or outside it (0); a range within another, or a feature
properly inside a range, overlaps by the smaller one's whole area. For ranges
against layers, the other pairs get their areas from the boundary crossings
alone (Green's theorem, numpy; see :func:`_crossing_areas`), exact up to
rounding; the few pairs with near-degenerate geometry (touching edges, vertices
on the other boundary, tiny slivers with a large rounding bound) are computed
with :func:`shapely.intersection`, as are the pairs of
:func:`pairwise_overlap`. GEOS and numpy release the GIL, so that work is split
over ``n_jobs`` threads; results do not depend on ``n_jobs``. The outside share
needs the dissolved layer only for ranges overlapping two features whose
interiors overlap (neither covering the other); otherwise it is the range's area
minus its feature overlaps.
"""

from __future__ import annotations

import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.polygon import orient

from habitat.core import crs as hcrs
from habitat.core import units
from habitat.core.errors import ColumnError, DataQualityWarning, InputError
from habitat.core.sex import UNKNOWN_SEX, sex_labels
from habitat.core.validation import (
    repair_polygons,
    require_columns,
    require_finite_coordinates,
    require_fraction,
    require_geodata,
    require_polygons,
)

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

#: descriptive columns of a home-range table carried into results when present
_RANGE_COLUMNS = ("individual", "sex", "method", "level")
_PAIR_SEP = "–"  # en dash, as in "F–M"
#: default upper bound on worker threads (``n_jobs=None``)
_MAX_JOBS = 4
#: fewer intersections than this are computed in the calling thread
_PARALLEL_MIN_PAIRS = 2_000

GeoData: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries


# --------------------------------------------------------------------------- helpers


def _as_frame(data: GeoData, name: str) -> gpd.GeoDataFrame:
    data = require_geodata(data, name=name)
    if isinstance(data, gpd.GeoSeries):
        return gpd.GeoDataFrame(geometry=data, crs=data.crs)
    return data


def _prepared(
    data: GeoData, name: str, target: CRS, *, n_jobs: int | None = 1, cache: bool = False
) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    """Validate, repair (in the source CRS) and reproject polygons; return frame, geoms, reasons.

    The reprojection runs in ``n_jobs`` threads (:func:`habitat.core.crs.to_crs_threaded`,
    the same coordinates as ``to_crs``); with ``cache`` it is reused while the
    geometry objects and both CRSs stay the same (not when anything was
    repaired: repairs make new objects on every call).
    """
    frame = _as_frame(data, name)
    jobs = _n_jobs(n_jobs)
    geoms = frame.geometry.to_numpy()
    reasons = np.full(len(geoms), "", dtype=object)
    bad = np.flatnonzero(~_is_valid(geoms, jobs))
    if len(bad):  # repair_polygons on the invalid rows only: the same repairs and warning
        repaired, reasons[bad] = repair_polygons(geoms[bad], name=name, labels=frame.index[bad])
        geoms = geoms.copy()
        geoms[bad] = repaired
    fixed = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    cache = cache and len(bad) == 0
    projected = hcrs.to_crs_threaded(fixed, target, n_jobs=jobs, cache=cache, name=name)
    require_finite_coordinates(
        projected, name=name, after=f"reprojection to {hcrs.describe_crs(target)}"
    )
    return frame, np.asarray(projected.to_numpy(), dtype=object), reasons


def _check_polygons(data: GeoData, name: str) -> gpd.GeoDataFrame:
    """The layer as a frame after the one polygon check (rows, types, finite vertices, CRS)."""
    frame = _as_frame(require_polygons(data, name=name), name)
    hcrs.require_crs(frame, name=name)
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


#: WKT of CRSs already accepted for measuring areas (checking one queries the PROJ database)
_AREA_CRS_OK: set[str] = set()


def _measurement_crs(frames: tuple[gpd.GeoDataFrame, ...], crs: Any | None) -> CRS:
    if crs is not None:
        target = hcrs.as_crs(crs, name="crs")
        wkt = target.to_wkt()
        if not wkt or wkt not in _AREA_CRS_OK:
            hcrs.require_measurement_crs(crs, purpose="areas")  # raises if unfit
            if len(_AREA_CRS_OK) >= 64:
                _AREA_CRS_OK.clear()
            if wkt:
                _AREA_CRS_OK.add(wkt)
        return target
    return _common_equal_area_crs(*frames)


def _range_attributes(ranges: gpd.GeoDataFrame) -> pd.DataFrame:
    attrs = pd.DataFrame({"range_id": ranges.index.to_numpy()})
    for col in _RANGE_COLUMNS:
        if col in ranges.columns:
            attrs[col] = ranges[col].to_numpy()
    return attrs


def _check_by(layer: gpd.GeoDataFrame, by: object, name: str) -> None:
    """``by`` is None or the name of a column of ``layer`` without missing values."""
    if by is None:
        return
    if not isinstance(by, str):
        raise InputError(
            f"by must be the name of one column of {name} (a str), not {by!r}; "
            f"columns: {[c for c in layer.columns if c != layer.geometry.name]}."
        )
    require_columns(layer, [by], name=name, hint="`by` names the column to dissolve by.")
    if layer[by].isna().any():
        bad = list(layer.index[layer[by].isna()])
        raise ColumnError(
            f"{name} column {by!r} has missing values (rows {bad[:5]}); fill or drop them first."
        )


def _features(
    layer: gpd.GeoDataFrame, by: str | None, name: str = "layer"
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Layer as features (dissolved by ``by``) and their labels."""
    if by is None:
        return layer, layer.index.to_numpy()
    _check_by(layer, by, name)
    codes, labels = pd.factorize(layer[by], sort=False)
    geoms = layer.geometry.to_numpy()
    merged = [shapely.union_all(geoms[codes == k]) for k in range(len(labels))]
    dissolved = gpd.GeoDataFrame({by: labels}, geometry=merged, crs=layer.crs)
    return dissolved, np.asarray(labels, dtype=object)


def _n_jobs(n_jobs: int | None) -> int:
    """Number of worker threads: ``None`` -> CPU count capped at :data:`_MAX_JOBS`."""
    if n_jobs is None:
        return max(1, min(os.cpu_count() or 1, _MAX_JOBS))
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise InputError(f"n_jobs must be a positive integer or None, not {n_jobs!r}.")
    return int(n_jobs)


def _is_valid(geoms: np.ndarray, n_jobs: int) -> np.ndarray:
    """:func:`shapely.is_valid` of every geometry, in ``n_jobs`` threads when there are many."""
    n = len(geoms)
    if n_jobs <= 1 or n < _PARALLEL_MIN_PAIRS:
        return shapely.is_valid(geoms)
    edges = np.linspace(0, n, 2 * n_jobs + 1).astype(np.int64)

    def work(k: int) -> np.ndarray:
        return shapely.is_valid(geoms[edges[k] : edges[k + 1]])

    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        return np.concatenate(list(pool.map(work, range(len(edges) - 1))))


def _intersection_areas(a: np.ndarray, b: np.ndarray, n_jobs: int) -> np.ndarray:
    """``area(a[k] ∩ b[k])`` for every k, in threads when there are enough pairs.

    Shapely's array functions release the GIL, so chunks computed in a
    :class:`~concurrent.futures.ThreadPoolExecutor` run on several cores. Every
    pair is computed independently, so the result does not depend on ``n_jobs``.
    """
    n = len(a)
    if n_jobs <= 1 or n < _PARALLEL_MIN_PAIRS:
        return shapely.area(shapely.intersection(a, b))
    # more chunks than threads: intersection costs vary, small chunks balance the load
    edges = np.linspace(0, n, 4 * n_jobs + 1).astype(np.int64)

    def work(k: int) -> np.ndarray:
        s = slice(edges[k], edges[k + 1])
        return shapely.area(shapely.intersection(a[s], b[s]))

    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        return np.concatenate(list(pool.map(work, range(len(edges) - 1))))


class _Prepared:
    """Context manager preparing geometries for fast predicates, undoing only its own work."""

    def __init__(self, *arrays: np.ndarray) -> None:
        self._arrays = arrays
        self._mine: list[np.ndarray] = []

    def __enter__(self) -> _Prepared:
        for arr in self._arrays:
            fresh = arr[~shapely.is_prepared(arr)]
            shapely.prepare(fresh)
            self._mine.append(fresh)
        return self

    def __exit__(self, *exc: object) -> None:
        for fresh in self._mine:
            shapely.destroy_prepared(fresh)


#: relative tolerance below which a crossing counts as degenerate (GEOS decides then)
_DEGENERATE = 1e-9
#: largest rounding-error bound, relative to the area, accepted from :func:`_crossing_areas`
_RELATIVE_ERROR = 1e-10
#: polygon pairs are handed to :func:`_crossing_areas` in chunks of this many vertices
_CHUNK_VERTICES = 1_000_000


class _Edges(NamedTuple):
    """Directed edges of oriented rings (exterior counter-clockwise, holes clockwise)."""

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    geom: np.ndarray  # position of the edge's polygon in the input array
    ring: np.ndarray  # ring number, unique over the input
    first: np.ndarray  # per polygon: index of its first edge (a polygon's edges are contiguous)
    n_edges: np.ndarray  # per polygon: number of edges


def _oriented(parts: np.ndarray) -> np.ndarray:
    """Polygons with counter-clockwise shells and clockwise holes."""
    if hasattr(shapely, "orient_polygons"):  # shapely >= 2.1
        return shapely.orient_polygons(parts, exterior_cw=False)
    return np.array([orient(p, sign=1.0) for p in parts], dtype=object)


def _edges(geoms: np.ndarray) -> _Edges:
    parts, part_geom = shapely.get_parts(geoms, return_index=True)
    parts = _oriented(parts)
    holed = np.flatnonzero(shapely.get_num_interior_rings(parts) > 0)
    rings, ring_part = parts, np.arange(len(parts))  # a polygon's coordinates = its shell
    if len(holed):  # only these need their rings as separate geometries
        hole_rings, k = shapely.get_rings(parts[holed], return_index=True)
        simple = np.ones(len(parts), dtype=bool)
        simple[holed] = False
        rings = np.concatenate([parts[simple], hole_rings])
        ring_part = np.concatenate([np.flatnonzero(simple), holed[k]])
        order = np.argsort(ring_part, kind="stable")  # keep each polygon's rings together
        rings, ring_part = rings[order], ring_part[order]
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same = coord_ring[1:] == coord_ring[:-1]
    ring = coord_ring[:-1][same]
    geom = part_geom[ring_part][ring]
    count = np.bincount(geom, minlength=len(geoms))
    x0, y0 = coords[:-1][same].T
    x1, y1 = coords[1:][same].T
    return _Edges(x0, y0, x1, y1, geom, ring, np.cumsum(count) - count, count)


def _expand(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(owner, index)``: for each k, ``first[k] + 0 .. count[k] - 1``, with owner k."""
    owner = np.repeat(np.arange(len(count)), count)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    return owner, np.repeat(first, count) + offset


def _near_edges(
    ea: _Edges, lb: np.ndarray, eb: _Edges, cp: np.ndarray, cf: np.ndarray, ia: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Edges of A (``ea``, bounds ``lb``) that may meet candidate B edges ``cf`` of pairs ``cp``.

    The B edge is clipped to A's bounding box (widened by a relative 1e-9, so
    nothing is lost to rounding); A's edges whose minimum x lies within
    ``[clip x min - longest A edge's x extent, clip x max]`` form one run of
    A's edges sorted by minimum x (likewise for y; the shorter run is used).
    Returns ``(A edge, candidate)`` index pairs, a superset of those whose
    bounding boxes overlap.
    """
    g = ea.geom
    a = ia[cp]
    runs = []
    margin = 1e-9 * (np.abs(lb).max(axis=1) + 1.0)
    lo_s, hi_s = np.zeros(len(cp)), np.ones(len(cp))
    for k, (c0, c1) in enumerate(((eb.x0, eb.x1), (eb.y0, eb.y1))):
        start, d = c0[cf], c1[cf] - c0[cf]
        low, high = lb[a, k] - margin[a], lb[a, k + 2] + margin[a]
        with np.errstate(divide="ignore", invalid="ignore"):
            s1, s2 = (low - start) / d, (high - start) / d
        flat = d == 0
        s1[flat], s2[flat] = -np.inf, np.inf
        lo_s = np.maximum(lo_s, np.minimum(s1, s2))
        hi_s = np.minimum(hi_s, np.maximum(s1, s2))
    lo_s = np.maximum(lo_s - 1e-9, 0.0)
    hi_s = np.minimum(hi_s + 1e-9, 1.0)
    for k, (c0, c1) in enumerate(((ea.x0, ea.x1), (ea.y0, ea.y1))):
        emin = np.minimum(c0, c1)
        extent = np.zeros(len(lb))
        np.maximum.at(extent, g, np.maximum(c0, c1) - emin)
        width = np.maximum(lb[:, k + 2] - lb[:, k], 1e-300)
        key = g + 0.5 * (emin - lb[g, k]) / width[g]  # polygon g's edges in [g, g + 0.5]
        order = np.argsort(key, kind="stable")
        start = (eb.x0, eb.y0)[k][cf]
        d = (eb.x1, eb.y1)[k][cf] - start
        p0, p1 = start + lo_s * d, start + hi_s * d
        clip_lo = np.minimum(p0, p1) - extent[a] - margin[a]
        clip_hi = np.maximum(p0, p1) + margin[a]
        lo = np.searchsorted(key[order], a + 0.5 * (clip_lo - lb[a, k]) / width[a] - 1e-9)
        hi = np.searchsorted(key[order], a + 0.5 * (clip_hi - lb[a, k]) / width[a] + 1e-9)
        hi = np.maximum(hi, lo)
        hi[lo_s > hi_s] = lo[lo_s > hi_s]  # misses A's bounding box
        runs.append((order, lo, hi))
    use_y = (runs[1][2] - runs[1][1]) < (runs[0][2] - runs[0][1])
    te_parts, tc_parts = [], []
    for flag, (order, lo, hi) in zip((~use_y, use_y), runs, strict=True):
        sel = np.flatnonzero(flag)
        tc, pos = _expand(lo[sel], hi[sel] - lo[sel])
        te_parts.append(order[pos])
        tc_parts.append(sel[tc])
    te, tc = np.concatenate(te_parts), np.concatenate(tc_parts)
    own = g[te] == a[tc]  # a run may reach into the neighbouring polygon's block
    te, tc = te[own], tc[own]
    srt = np.argsort(tc, kind="stable")
    return te[srt], tc[srt]


def _crossing_areas(
    left: np.ndarray, right: np.ndarray, i: np.ndarray, j: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``area(left[i] ∩ right[j])`` in m² from boundary crossings, without building polygons.

    Green's theorem: the area of ``A ∩ B`` is the sum of ``(p × q) / 2`` over
    the straight pieces ``p → q`` of ``∂A`` inside ``B`` and of ``∂B`` inside
    ``A`` (rings oriented, holes clockwise). A piece covering the fraction
    ``f`` of an edge ``a → b`` contributes ``f (a × b) / 2``, so only these
    fractions are needed. Along an edge, being inside the other polygon
    changes only at crossings with its edges (+1 entering, -1 leaving), so an
    edge's inside fraction is its start state plus ``Σ ±(1 - t)`` over its
    crossings at parameters ``t``. Start states of ``A``'s edges follow along
    each ring from one point-in-polygon test; edges of ``B`` whose bounding
    box misses ``A``'s lie outside ``A``, and along each run of consecutive
    other edges the states follow from one point-in-polygon test. Coordinates
    are relative to the centre of ``A``'s bounding box.

    This is exact up to rounding when every crossing is proper. Pairs with a
    vertex within 1e-9 (relative to the edge lengths) of the other boundary,
    nearly parallel edges that may touch, any inconsistency (a state outside
    {0, 1}, a ring not closing), or a rounding-error bound above 1e-10 of the
    area (small slivers, shallow crossings: ``8 ε M D (1 + Σ 1/sin θ)`` with
    ``M`` the largest coordinate involved, ``D`` the diagonal of ``A``'s
    bounding box and ``θ`` the crossing angles) come back with
    ``ok == False``, for GEOS to compute.

    Returns
    -------
    area : numpy.ndarray
        Intersection areas (m²); undefined where ``ok`` is False.
    ok : numpy.ndarray of bool
    crossed : numpy.ndarray of bool
        Whether the boundaries cross at all (if not, the intersection is
        empty or one of the polygons, or a union of their parts).
    """
    n = len(i)
    area, ok = np.zeros(n), np.ones(n, dtype=bool)
    if n == 0:
        return area, ok, np.zeros(n, dtype=bool)
    ua, ia = np.unique(i, return_inverse=True)
    ub, jb = np.unique(j, return_inverse=True)
    ea, eb = _edges(left[ua]), _edges(right[ub])
    lb = shapely.bounds(left[ua])
    ox, oy = (lb[:, 0] + lb[:, 2]) / 2, (lb[:, 1] + lb[:, 3]) / 2
    # candidate B edges of each pair: their bounding box meets A's
    bxmin, bxmax = np.minimum(eb.x0, eb.x1), np.maximum(eb.x0, eb.x1)
    bymin, bymax = np.minimum(eb.y0, eb.y1), np.maximum(eb.y0, eb.y1)
    qa, qf = shapely.STRtree(shapely.box(bxmin, bymin, bxmax, bymax)).query(shapely.box(*lb.T))
    key = ia.astype(np.int64) * len(ub) + jb
    order = np.argsort(key, kind="stable")
    want = qa.astype(np.int64) * len(ub) + eb.geom[qf]
    pos = np.minimum(np.searchsorted(key[order], want), n - 1)
    hit = key[order][pos] == want
    cp, cf = order[pos[hit]], qf[hit]  # (pair, B edge)
    srt = np.lexsort((cf, cp))  # by pair, then along B's rings
    cp, cf = cp[srt], cf[srt]
    # A edges of every pair
    xp, xe = _expand(ea.first[ia], ea.n_edges[ia])
    x_first = np.cumsum(ea.n_edges[ia]) - ea.n_edges[ia]
    # (candidate, A edge of its pair) triples: A edges that may meet the part of the
    # B edge inside A's bounding box, from A's edges sorted by min x (or min y)
    te, tc = _near_edges(ea, lb, eb, cp, cf, ia)
    tf = cf[tc]
    tx = x_first[cp[tc]] + (te - ea.first[ia[cp[tc]]])
    ax0, ay0, ax1, ay1 = ea.x0[te], ea.y0[te], ea.x1[te], ea.y1[te]
    near = (
        (np.minimum(ax0, ax1) <= bxmax[tf])
        & (np.maximum(ax0, ax1) >= bxmin[tf])
        & (np.minimum(ay0, ay1) <= bymax[tf])
        & (np.maximum(ay0, ay1) >= bymin[tf])
    )
    tc, tx, te, tf = tc[near], tx[near], te[near], tf[near]
    ax0, ay0, ax1, ay1 = ax0[near], ay0[near], ax1[near], ay1[near]
    dax, day = ax1 - ax0, ay1 - ay0
    dbx, dby = eb.x1[tf] - eb.x0[tf], eb.y1[tf] - eb.y0[tf]
    rx, ry = eb.x0[tf] - ax0, eb.y0[tf] - ay0
    den = dax * dby - day * dbx
    scale = np.hypot(dax, day) * np.hypot(dbx, dby)
    parallel = np.abs(den) <= _DEGENERATE * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (rx * dby - ry * dbx) / den  # along the A edge
        u = (rx * day - ry * dax) / den  # along the B edge
    lo, hi = -_DEGENERATE, 1 + _DEGENERATE
    touch = (t >= lo) & (t <= hi) & (u >= lo) & (u <= hi)
    proper = touch & (t > _DEGENERATE) & (t < 1 - _DEGENERATE)
    proper &= (u > _DEGENERATE) & (u < 1 - _DEGENERATE) & ~parallel
    bad = parallel | (touch & ~proper)
    ok[cp[tc[bad]]] = False
    # rounding bound (m²): each crossing moves by ~eps·M/sin(angle), M the largest
    # coordinate involved; times A's diagonal, the longest piece that moves
    sin = np.abs(den[proper]) / scale[proper]
    amp = 1 + np.bincount(cp[tc[proper]], weights=1 / sin, minlength=n)
    mag = np.abs(lb).max(axis=1)[ia]
    far = np.maximum(np.abs(eb.x0[cf] - ox[ia[cp]]), np.abs(eb.y0[cf] - oy[ia[cp]]))
    far = np.maximum(far, np.abs(eb.x1[cf] - ox[ia[cp]]))
    far = np.maximum(far, np.abs(eb.y1[cf] - oy[ia[cp]]))
    np.maximum.at(mag, cp, far)
    diag = np.hypot(lb[:, 2] - lb[:, 0], lb[:, 3] - lb[:, 1])[ia]
    err = 8 * np.finfo(float).eps * mag * diag * amp
    tc, tx, t, u = tc[proper], tx[proper], t[proper], u[proper]
    d_b = np.sign(den[proper])  # B edge entering A (A's interior is on its left)
    d_a = -d_b  # A edge entering B
    # A edges: start state along each (pair, ring), then inside fraction
    nx = len(xp)
    step = np.bincount(tx, weights=d_a, minlength=nx).round().astype(np.int64)
    partial = np.bincount(tx, weights=d_a * (1 - t), minlength=nx)
    ring = ea.ring[xe]
    start = np.ones(nx, dtype=bool)
    start[1:] = (xp[1:] != xp[:-1]) | (ring[1:] != ring[:-1])
    seg = np.cumsum(start) - 1
    first_x = np.flatnonzero(start)
    inside0 = shapely.contains_xy(right[j[xp[first_x]]], ea.x0[xe[first_x]], ea.y0[xe[first_x]])
    before = np.cumsum(step) - step
    state = inside0.astype(np.int64)[seg] + before - before[first_x][seg]
    end = state + step
    closes = np.ones(nx, dtype=bool)
    last = np.append(first_x[1:] - 1, nx - 1)
    closes[last] = end[last] == inside0
    good = (state >= 0) & (state <= 1) & (end >= 0) & (end <= 1) & closes
    ok[xp[~good]] = False
    gx0, gy0 = ea.x0 - ox[ea.geom], ea.y0 - oy[ea.geom]
    gx1, gy1 = ea.x1 - ox[ea.geom], ea.y1 - oy[ea.geom]
    w_a = (gx0 * gy1 - gx1 * gy0) / 2
    area += np.bincount(xp, weights=w_a[xe] * (state + partial), minlength=n)
    # B edges near A: start state by point-in-polygon, then inside fraction
    nc = len(cp)
    b_step = np.bincount(tc, weights=d_b, minlength=nc).round().astype(np.int64)
    b_partial = np.bincount(tc, weights=d_b * (1 - u), minlength=nc)
    # runs of consecutive edges of one B ring: one point-in-polygon test per run
    run = np.ones(nc, dtype=bool)
    run[1:] = (cp[1:] != cp[:-1]) | (cf[1:] != cf[:-1] + 1) | (eb.ring[cf[1:]] != eb.ring[cf[:-1]])
    run_at = np.flatnonzero(run)
    run_of = np.cumsum(run) - 1
    first_in = shapely.contains_xy(left[i[cp[run_at]]], eb.x0[cf[run_at]], eb.y0[cf[run_at]])
    b_before = np.cumsum(b_step) - b_step
    b_state = first_in.astype(np.int64)[run_of] + b_before - b_before[run_at][run_of]
    b_end = b_state + b_step
    ok[cp[(b_state < 0) | (b_state > 1) | (b_end < 0) | (b_end > 1)]] = False
    o = ia[cp]
    hx0, hy0 = eb.x0[cf] - ox[o], eb.y0[cf] - oy[o]
    hx1, hy1 = eb.x1[cf] - ox[o], eb.y1[cf] - oy[o]
    w_b = (hx0 * hy1 - hx1 * hy0) / 2
    area += np.bincount(cp, weights=w_b * (b_state + b_partial), minlength=n)
    crossed = np.bincount(cp[tc], minlength=n) > 0
    # without crossings, only whole rings count (no crossing points to round)
    ok &= (err <= _RELATIVE_ERROR * area) | ~crossed
    return area, ok, crossed


def _crossing_pairs(
    left: np.ndarray,
    right: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    left_area: np.ndarray,
    right_area: np.ndarray,
    n_jobs: int,
) -> np.ndarray:
    """:func:`_crossing_areas` in chunks (in ``n_jobs`` threads), NaN where GEOS must decide."""
    size = shapely.get_num_coordinates(left[i]) + shapely.get_num_coordinates(right[j])
    if n_jobs > 1 and len(i) >= _PARALLEL_MIN_PAIRS:  # two chunks per thread, to balance
        size = size.astype(np.int64)
        per_chunk = min(_CHUNK_VERTICES, max(1, int(size.sum()) // (2 * n_jobs) + 1))
    else:
        per_chunk = _CHUNK_VERTICES
    cuts = np.searchsorted(np.cumsum(size), np.arange(1, 1 + size.sum() // per_chunk) * per_chunk)
    out = np.full(len(i), np.nan)

    def work(s: np.ndarray) -> None:
        area, ok, crossed = _crossing_areas(left, right, i[s], j[s])
        la, ra = left_area[i[s]], right_area[j[s]]
        ok &= (area >= 0) & (area <= np.minimum(la, ra) * (1 + 1e-12))
        # without crossings the intersection is usually empty or one polygon: exact areas
        for whole in (la, ra):
            snap = ~crossed & (np.abs(area - whole) <= 1e-12 * whole)
            area[snap] = whole[snap]
        out[s[ok]] = area[ok]

    chunks = [s for s in np.split(np.arange(len(i)), np.unique(cuts)) if len(s)]
    if n_jobs <= 1 or len(chunks) == 1:
        for s in chunks:
            work(s)
    else:  # numpy and shapely release the GIL in these array operations
        # build the lazily created point locators of prepared geometries before
        # threads share them
        for used in (right[np.unique(j)], left[np.unique(i)]):
            corner = shapely.bounds(used)
            shapely.contains_xy(used, corner[:, 0], corner[:, 1])
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            list(pool.map(work, chunks))
    return out


def _bbox_within(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """Rows whose bounding box ``inner`` lies within ``outer`` (both ``(n, 4)`` bounds)."""
    return (
        (inner[:, 0] >= outer[:, 0])
        & (inner[:, 1] >= outer[:, 1])
        & (inner[:, 2] <= outer[:, 2])
        & (inner[:, 3] <= outer[:, 3])
    )


def _boundary_near(left: np.ndarray, right: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Pairs (sorted by ``(i, j)``) where an edge of ``right[j]`` comes near ``left[i]``.

    "Near": the edge meets ``left[i]``'s bounding box, widened by 1e-9 of the
    coordinates (Liang-Barsky clipping). Where none is near, the boundary of
    ``right[j]`` misses ``left[i]``'s bounding box, which then lies wholly
    inside or wholly outside ``right[j]``.
    """
    ua, ia = np.unique(i, return_inverse=True)
    ub, jb = np.unique(j, return_inverse=True)
    eb = _edges(right[ub])
    boxes = shapely.box(
        np.minimum(eb.x0, eb.x1),
        np.minimum(eb.y0, eb.y1),
        np.maximum(eb.x0, eb.x1),
        np.maximum(eb.y0, eb.y1),
    )
    lb = shapely.bounds(left[ua])
    qa, qf = shapely.STRtree(boxes).query(shapely.box(*lb.T))
    # keep edges that really cross the (slightly widened) box, not just their own box
    margin = 1e-9 * (np.abs(lb).max(axis=1) + 1.0)[qa]
    lo, hi = np.zeros(len(qa)), np.ones(len(qa))
    for k, (c0, c1) in enumerate(((eb.x0, eb.x1), (eb.y0, eb.y1))):
        start, d = c0[qf], c1[qf] - c0[qf]
        with np.errstate(divide="ignore", invalid="ignore"):
            s1 = (lb[qa, k] - margin - start) / d
            s2 = (lb[qa, k + 2] + margin - start) / d
        flat = d == 0  # the query already put these within the box's range
        s1[flat], s2[flat] = -np.inf, np.inf
        lo = np.maximum(lo, np.minimum(s1, s2))
        hi = np.minimum(hi, np.maximum(s1, s2))
    meets = lo <= hi + 1e-9
    qa, qf = qa[meets], qf[meets]
    key = ia.astype(np.int64) * len(ub) + jb  # ascending, as the pairs are sorted
    want = qa.astype(np.int64) * len(ub) + eb.geom[qf]
    pos = np.minimum(np.searchsorted(key, want), len(key) - 1)
    near = np.zeros(len(i), dtype=bool)
    near[pos[key[pos] == want]] = True
    return near


def _pair_areas(
    left: np.ndarray,
    right: np.ndarray,
    left_area: np.ndarray,
    right_area: np.ndarray,
    n_jobs: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intersection areas (m²) of every (left, right) pair whose bounding boxes meet.

    Returns ``(i, j, area)``, sorted by ``(i, j)``, with ``left[i] ∩ right[j]``
    having area ``area`` (0 for pairs that do not overlap). Candidates come
    from one bounding-box query of an :class:`shapely.STRtree` of ``right``.
    Where no edge of the right polygon comes near the left one's bounding box
    (:func:`_boundary_near`), one point-in-polygon test of a corner of the
    left one's bounding box decides between the left polygon's whole area and 0. A right polygon
    properly inside a left one (tested only where its bounding box lies within
    the left one's) takes ``right_area``. The remaining pairs get their areas
    from boundary crossings (:func:`_crossing_pairs`, in ``n_jobs`` threads),
    and the few that it leaves to GEOS from :func:`shapely.intersection`.
    """
    i, j = _sorted_pairs(*shapely.STRtree(right).query(left))
    area = np.full(len(i), np.nan)
    if len(i) == 0:
        return i, j, area
    if n_jobs > 1 and len(i) >= _PARALLEL_MIN_PAIRS:  # per pair, so any split will do
        cuts = np.linspace(0, len(i), 2 * n_jobs + 1).astype(np.int64)

        def work(k: int) -> np.ndarray:
            s = slice(cuts[k], cuts[k + 1])
            return _boundary_near(left, right, i[s], j[s])

        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            near = np.concatenate(list(pool.map(work, range(len(cuts) - 1))))
    else:
        near = _boundary_near(left, right, i, j)
    far = np.flatnonzero(~near)
    with _Prepared(right):
        lb, rb = shapely.bounds(left), shapely.bounds(right)
        if len(far):  # any point of the bounding box will do: take its corner
            inside = shapely.contains_xy(right[j[far]], lb[i[far], 0], lb[i[far], 1])
            area[far] = np.where(inside, left_area[i[far]], 0.0)
        cand = np.flatnonzero(near & _bbox_within(rb[j], lb[i]))
        if len(cand):
            inside = shapely.contains_properly(left[i[cand]], right[j[cand]])
            area[cand[inside]] = right_area[j[cand[inside]]]
        todo = np.flatnonzero(np.isnan(area))
        if len(todo):
            area[todo] = _crossing_pairs(
                left, right, i[todo], j[todo], left_area, right_area, n_jobs
            )
    todo = np.flatnonzero(np.isnan(area))
    if len(todo):
        area[todo] = _intersection_areas(left[i[todo]], right[j[todo]], n_jobs)
    return i, j, area


def _outside_areas(
    rg: np.ndarray,
    fg: np.ndarray,
    r_area: np.ndarray,
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
    n_jobs: int,
) -> np.ndarray:
    """Area (m²) of each range outside the union of all features.

    ``pairs`` is the ``(i, j, area)`` output of :func:`_pair_areas`. For range
    ``r`` let S be the features it overlaps with a positive area. A feature covered by another
    member of S adds nothing to the union of S and is dropped; when no two
    remaining members of S have intersecting interiors (overlap with a
    positive area), ``area(r ∩ ∪S)`` is exactly the sum of their overlap areas
    and no further intersection is needed. That holds for every range when the
    features are pairwise disjoint, and for nested layers (zones within a
    country). Only the other ranges are intersected with the dissolved layer.
    """
    i, j, area = pairs
    positive = area > 0  # features meeting a range in a null set add nothing to the union
    i, j, area = i[positive], j[positive], area[positive]
    n_r, n_f = len(rg), len(fg)
    a, b = shapely.STRtree(fg).query(fg)
    keep = a != b
    a, b = a[keep], b[keep]
    overlapping = shapely.relate_pattern(fg[a], fg[b], "T********")  # interiors meet
    a, b = _sorted_pairs(a[overlapping], b[overlapping])
    dropped = np.zeros(len(i), dtype=bool)
    conflict = np.zeros(n_r, dtype=bool)
    if len(a) and len(i):
        covered = shapely.covered_by(fg[a], fg[b])  # a inside b (boundaries may touch)
        rel_key = a.astype(np.int64) * n_f + b
        back = np.searchsorted(rel_key, b.astype(np.int64) * n_f + a)  # (b, a) is listed too
        # a is dominated by b: covered by it (equal features: the lower index dominates)
        dominated = covered & ~(covered[back] & (b > a))
        # triples (range i, feature j, overlapping feature b) with (i, b) also a pair
        start = np.searchsorted(a, j, side="left")
        count = np.searchsorted(a, j, side="right") - start
        p = np.repeat(np.arange(len(i)), count)
        offset = np.arange(len(p)) - np.repeat(np.cumsum(count) - count, count)
        r = np.repeat(start, count) + offset
        pair_key = i.astype(np.int64) * n_f + j  # sorted: pairs are sorted by (i, j)
        want = i[p].astype(np.int64) * n_f + b[r]
        pos = np.minimum(np.searchsorted(pair_key, want), max(len(pair_key) - 1, 0))
        present = pair_key[pos] == want
        dropped[p[present & dominated[r]]] = True
        clash = present & ~dropped[p] & ~dropped[pos]
        conflict[i[p[clash]]] = True
    keep_pair = ~dropped & ~conflict[i]
    inside = np.bincount(i[keep_pair], weights=area[keep_pair], minlength=n_r)
    cut = np.flatnonzero(conflict)
    if len(cut):
        union = shapely.union_all(fg)
        with _Prepared(np.array([union], dtype=object)):
            within = shapely.within(rg[cut], union)
        inside[cut[within]] = r_area[cut[within]]
        cut = cut[~within]
        if len(cut):
            inside[cut] = _intersection_areas(
                rg[cut], np.full(len(cut), union, dtype=object), n_jobs
            )
    return np.maximum(r_area - inside, 0.0)


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
    n_jobs: int | None = None,
    layer_name: str = "layer",
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
        Lambert azimuthal equal-area CRS of :func:`habitat.core.crs.equal_area_crs`
        for the union of both extents.
    n_jobs : int, optional
        Threads reprojecting the inputs and computing the overlap areas
        (pyproj, numpy and GEOS release the GIL, so they run on separate
        cores). ``None``: the number of CPUs, at most 4; ``1``: serial. Fewer
        than 2,000 pairs (40,000 vertices to reproject) always run serially.
        Results do not depend on it. The layer's projection to the
        measurement CRS is cached (see :func:`habitat.core.crs.to_crs_threaded`
        with ``cache=True``): calling again with the same, unmodified layer
        does not reproject it; a layer edited in place is reprojected anew.
    layer_name : str
        What the layer is called in messages and warnings (e.g. ``"park_zones"``).

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
    MissingCRSError, CRSError
        If either input has no CRS, or one that is not a surface CRS.
    EmptyDataError
        If either input has no rows (the message names it).
    GeometryTypeError
        If either input holds non-polygons or empty/missing geometries.
    CoordinateError
        If a polygon has NaN or infinite vertices, or vertices that cannot be
        represented in the measurement CRS (the rows are named).
    ColumnError
        If ``by`` is not a column of ``layer``.
    InputError
        If ``n_jobs`` is not a positive integer or None.

    Examples
    --------
    Three 10 km × 10 km ranges (100.08 km² each, see
    :func:`habitat.core.crs.area_m2`) and a park holding Leo 1F's and Leo 3F's
    whole ranges and the western half of Leo 2M's:

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> ranges = gpd.GeoDataFrame(
    ...     {"individual": ["Leo 1F", "Leo 2M", "Leo 3F"], "sex": ["F", "M", "F"]},
    ...     geometry=[
    ...         box(500_000, 4_800_000, 510_000, 4_810_000),
    ...         box(505_000, 4_800_000, 515_000, 4_810_000),  # east half of Leo 1F's
    ...         box(500_000, 4_805_000, 510_000, 4_815_000),  # north half of Leo 1F's
    ...     ],
    ...     crs="EPSG:32652",
    ... )
    >>> park = gpd.GeoDataFrame(
    ...     {"name": ["park"]}, geometry=[box(495_000, 4_795_000, 510_000, 4_820_000)], crs=32652
    ... ).set_index("name")
    >>> table = overlap_with(ranges, park)
    >>> table[["individual", "feature", "area_km2", "share"]].round(2)
      individual    feature  area_km2  share
    0     Leo 1F       park    100.08    1.0
    1     Leo 1F  (outside)      0.00    0.0
    2     Leo 2M       park     50.04    0.5
    3     Leo 2M  (outside)     50.04    0.5
    4     Leo 3F       park    100.08    1.0
    5     Leo 3F  (outside)      0.00    0.0
    """
    jobs = _n_jobs(n_jobs)
    ranges = _check_polygons(ranges, "ranges")
    layer = _check_polygons(layer, layer_name)
    _check_by(layer, by, layer_name)
    target = _measurement_crs((ranges, layer), crs)
    ranges, rg, r_reason = _prepared(ranges, "ranges", target, n_jobs=jobs)
    layer, lg, l_reason = _prepared(layer, layer_name, target, n_jobs=jobs, cache=True)
    repaired_layer = gpd.GeoDataFrame(
        layer.drop(columns=layer.geometry.name), geometry=lg, crs=target
    )
    features, labels = _features(repaired_layer, by, layer_name)
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

    pairs = _pair_areas(rg, fg, r_area, f_area, jobs)
    table = np.zeros((n_r, n_f + 1))
    table[pairs[0], pairs[1]] = pairs[2]
    # outside every feature, i.e. outside the dissolved layer
    table[:, n_f] = _outside_areas(rg, fg, r_area, pairs, jobs)

    with np.errstate(invalid="ignore", divide="ignore"):
        share = table / r_area[:, None]
    share = np.clip(share, 0.0, 1.0)

    attrs = _range_attributes(ranges)
    out = attrs.loc[np.repeat(np.arange(n_r), n_f + 1)].reset_index(drop=True)
    feature_labels = np.empty(n_f + 1, dtype=object)
    feature_labels[:n_f] = labels
    feature_labels[n_f] = OUTSIDE
    # label columns: converted to pandas once per distinct row, then repeated
    each_feature = np.tile(np.arange(n_f + 1), n_r)
    each_range = np.repeat(np.arange(n_r), n_f + 1)
    out["feature"] = pd.Series(feature_labels).take(each_feature).array
    out = out.assign(**units.area_columns(table.ravel()))
    out["share"] = share.ravel()
    out["repaired"] = pd.Series(r_reason).take(each_range).array
    fr = np.append(f_reason, "").astype(object)
    out["feature_repaired"] = pd.Series(fr).take(each_feature).array
    return out


def distance_to_layer(
    ranges: GeoData,
    layer: GeoData,
    *,
    by: str | None = None,
    crs: Any | None = None,
    layer_name: str = "layer",
) -> pd.DataFrame:
    """Distance from each range, and from its centroid, to the nearest layer boundary.

    Boundaries are the outlines of the layer's features (dissolved by ``by``
    first when given, so boundaries between features of one ``by`` value
    disappear). Distances follow the habitat CRS policy: they are measured in
    the metric conformal CRS of :func:`habitat.core.crs.metric_crs` (the UTM zone of
    the centre of both inputs' union extent; EPSG:32652 for the leopard range).

    Parameters
    ----------
    ranges, layer : GeoDataFrame or GeoSeries
        Polygons with a CRS, as for :func:`overlap_with`.
    by : str, optional
        Column of ``layer`` to dissolve by first.
    crs : CRS-like, optional
        Projected metric CRS to measure distances in (validated).
    layer_name : str
        What the layer is called in messages and warnings.

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

    Notes
    -----
    Reprojection runs on up to 4 threads; the layer's projection is cached as
    in :func:`overlap_with` (a layer edited in place is reprojected anew).

    Examples
    --------
    A 10 km range 10 km inside a 40 km park: 10 km from the range's edge to the
    park boundary, 15 km from its centre:

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> home = box(500_000, 4_800_000, 510_000, 4_810_000)
    >>> ranges = gpd.GeoDataFrame({"individual": ["Leo 1F"]}, geometry=[home], crs=32652)
    >>> park = gpd.GeoSeries([box(490_000, 4_790_000, 530_000, 4_830_000)], crs=32652)
    >>> table = distance_to_layer(ranges, park)
    >>> table[["individual", "distance_to_boundary_m", "centroid_distance_to_boundary_m"]]
      individual  distance_to_boundary_m  centroid_distance_to_boundary_m
    0     Leo 1F                 10000.0                          15000.0
    """
    ranges = _check_polygons(ranges, "ranges")
    layer = _check_polygons(layer, layer_name)
    _check_by(layer, by, layer_name)
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
    ranges, rg, r_reason = _prepared(ranges, "ranges", target, n_jobs=None)
    layer, lg, _ = _prepared(layer, layer_name, target, n_jobs=None, cache=True)
    repaired = gpd.GeoDataFrame(layer.drop(columns=layer.geometry.name), geometry=lg, crs=target)
    features, _ = _features(repaired, by, layer_name)
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
    codes = np.zeros(len(ranges), dtype=np.int64)
    for col in cols:  # vectorised: no row-wise string joins
        k, uniques = pd.factorize(ranges[col].astype(str))
        codes = codes * max(len(uniques), 1) + k
    return pd.factorize(codes)[0]


def _levels(table: pd.DataFrame, name: str) -> np.ndarray:
    """The ``level`` column as floats, or a ColumnError naming the rows that are not numbers."""
    values = pd.to_numeric(table["level"], errors="coerce")
    bad = values.isna() & table["level"].notna()
    if bad.any():
        raise ColumnError(
            f"{name} column 'level' holds values that are not numbers "
            f"(rows {list(table.index[bad])[:5]}: {list(table['level'][bad])[:5]}); levels "
            "are fractions such as 0.95."
        )
    return values.to_numpy(dtype=float)


def _select_level(ranges: gpd.GeoDataFrame, level: float | None) -> gpd.GeoDataFrame:
    if level is None:
        return ranges
    level = require_fraction(level, name="level")
    require_columns(ranges, ["level"], name="ranges", hint="level= selects rows by it.")
    keep = np.isclose(_levels(ranges, "ranges"), level)
    if not keep.any():
        found = ", ".join(f"{v:g}" for v in sorted(set(ranges["level"].astype(float))))
        raise InputError(
            f"ranges hold no rows at level {level:g} (levels present: {found}); "
            "levels are fractions such as 0.95."
        )
    return ranges[keep]


def _ranges_equal_area(
    ranges: GeoData, crs: Any | None, level: float | None, n_jobs: int | None
) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray, np.ndarray]:
    ranges = _check_polygons(ranges, "ranges")
    require_columns(ranges, ["individual"], name="ranges")
    ranges = _select_level(ranges, level)
    target = _measurement_crs((ranges,), crs)
    ranges, rg, reasons = _prepared(ranges, "ranges", target, n_jobs=n_jobs)
    return ranges, rg, shapely.area(rg), reasons


def _intersecting_pairs(
    rg: np.ndarray, area: np.ndarray, groups: np.ndarray, n_jobs: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unordered intersecting pairs ``i < j`` in the same group, with intersection areas (m²).

    Each unordered pair is considered once: one bounding-box query of an
    :class:`shapely.STRtree`, then ``intersects`` per pair with the ranges
    prepared. A range within the other takes its own area (``contains`` is
    tested only where its bounding box lies within the other's); the remaining
    pairs are intersected in ``n_jobs`` threads.
    """
    i, j = shapely.STRtree(rg).query(rg)
    keep = (i < j) & (groups[i] == groups[j])
    i, j = _sorted_pairs(i[keep], j[keep])
    bounds = shapely.bounds(rg)
    with _Prepared(rg):
        hit = shapely.intersects(rg[i], rg[j])
        i, j = i[hit], j[hit]
        inter = np.full(len(i), np.nan)
        # exact shortcuts: one range within the other -> the smaller one's area
        for outer, inner in ((i, j), (j, i)):
            cand = np.flatnonzero(np.isnan(inter) & _bbox_within(bounds[inner], bounds[outer]))
            if len(cand):
                ok = shapely.contains(rg[outer[cand]], rg[inner[cand]])
                inter[cand[ok]] = area[inner[cand[ok]]]
    todo = np.flatnonzero(np.isnan(inter))
    if len(todo):
        inter[todo] = _intersection_areas(rg[i[todo]], rg[j[todo]], n_jobs)
    return i, j, inter


def pairwise_overlap(
    ranges: GeoData,
    *,
    level: float | None = None,
    crs: Any | None = None,
    n_jobs: int | None = None,
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
        :func:`habitat.core.crs.equal_area_crs` of the ranges.
    n_jobs : int, optional
        Threads reprojecting the ranges and computing polygon intersections,
        as for :func:`overlap_with` (``None``: the number of CPUs, at most 4;
        ``1``: serial). Results do not depend on it.

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
        range at ``level``; InputError also for an invalid ``n_jobs``.

    Examples
    --------
    Leo 2M's and Leo 3F's ranges each cover half of Leo 1F's, and a quarter of
    each other's:

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> ranges = gpd.GeoDataFrame(
    ...     {"individual": ["Leo 1F", "Leo 2M", "Leo 3F"], "sex": ["F", "M", "F"]},
    ...     geometry=[
    ...         box(500_000, 4_800_000, 510_000, 4_810_000),
    ...         box(505_000, 4_800_000, 515_000, 4_810_000),  # east half of Leo 1F's
    ...         box(500_000, 4_805_000, 510_000, 4_815_000),  # north half of Leo 1F's
    ...     ],
    ...     crs="EPSG:32652",
    ... )
    >>> pairs = pairwise_overlap(ranges)
    >>> pairs[["individual_a", "individual_b", "area_km2", "share_a", "share_b"]].round(2)
      individual_a individual_b  area_km2  share_a  share_b
    0       Leo 1F       Leo 2M     50.04     0.50     0.50
    1       Leo 1F       Leo 3F     50.04     0.50     0.50
    2       Leo 2M       Leo 3F     25.02     0.25     0.25
    """
    jobs = _n_jobs(n_jobs)
    ranges, rg, area, _ = _ranges_equal_area(ranges, crs, level, jobs)
    groups = _group_codes(ranges)
    i, j, inter = _intersecting_pairs(rg, area, groups, jobs)
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


def _require_pairs(pairs: object) -> None:
    if not isinstance(pairs, pd.DataFrame):
        raise InputError(
            f"pairs must be the DataFrame pairwise_overlap returns, not {type(pairs).__name__}; "
            "compute it with `pairwise_overlap(ranges)`."
        )


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

    Examples
    --------
    Row i, column j: the share of i's range that j uses (the ranges of
    :func:`pairwise_overlap`'s example):

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> ranges = gpd.GeoDataFrame(
    ...     {"individual": ["Leo 1F", "Leo 2M", "Leo 3F"], "sex": ["F", "M", "F"]},
    ...     geometry=[
    ...         box(500_000, 4_800_000, 510_000, 4_810_000),
    ...         box(505_000, 4_800_000, 515_000, 4_810_000),  # east half of Leo 1F's
    ...         box(500_000, 4_805_000, 510_000, 4_815_000),  # north half of Leo 1F's
    ...     ],
    ...     crs="EPSG:32652",
    ... )
    >>> overlap_matrix(pairwise_overlap(ranges), level=0.95).round(2)
            Leo 1F  Leo 2M  Leo 3F
    Leo 1F     1.0    0.50    0.50
    Leo 2M     0.5    1.00    0.25
    Leo 3F     0.5    0.25    1.00
    """
    if value not in ("share_a", "area_km2", "area_sq_mi"):
        raise InputError(f"value must be 'share_a', 'area_km2' or 'area_sq_mi', not {value!r}.")
    _require_pairs(pairs)
    level = require_fraction(level, name="level")
    require_columns(pairs, ["individual_a", "individual_b", value], name="pairs")
    sel = pairs
    if "level" in pairs.columns:
        sel = sel[np.isclose(_levels(sel, "pairs"), level)]
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
    rows = m.index.get_indexer(pd.Index(a[keep]))
    cols = m.columns.get_indexer(pd.Index(b[keep]))
    arr = m.to_numpy(copy=True)
    arr[rows, cols] = sel[value].to_numpy(dtype=float)[keep]
    arr[cols, rows] = sel[back].to_numpy(dtype=float)[keep]
    np.fill_diagonal(arr, 1.0 if value == "share_a" else np.nan)
    return pd.DataFrame(arr, index=m.index, columns=m.columns)


def _require_sex_values(ranges: pd.DataFrame) -> None:
    """Every range has a sex (same-sex comparisons need one), else ColumnError naming rows."""
    missing = ranges["sex"].isna()
    if missing.any():
        rows = list(ranges.index[missing])
        raise ColumnError(
            f"ranges column 'sex' has missing values (rows {rows[:5]}"
            f"{' and more' if len(rows) > 5 else ''}); same-sex comparisons need each range's "
            "sex. Fill them, e.g. `ranges['sex'] = ranges['sex'].fillna('U')` for unknown."
        )


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
        ``exclusive_share`` (0-1). Sexes are compared as
        :func:`habitat.core.sex.sex_labels` reads them: a range of unknown sex
        (``"U"``, ``"unknown"``...) has no same-sex others, so its
        ``shared_km2`` and ``exclusive_share`` are NaN (with a
        :class:`~habitat.core.errors.DataQualityWarning`), and it is no
        same-sex neighbour of anyone.

    Examples
    --------
    Half of each female's range is shared with the other female; the only
    male has his range to himself (among males):

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> ranges = gpd.GeoDataFrame(
    ...     {"individual": ["Leo 1F", "Leo 2M", "Leo 3F"], "sex": ["F", "M", "F"]},
    ...     geometry=[
    ...         box(500_000, 4_800_000, 510_000, 4_810_000),
    ...         box(505_000, 4_800_000, 515_000, 4_810_000),  # east half of Leo 1F's
    ...         box(500_000, 4_805_000, 510_000, 4_815_000),  # north half of Leo 1F's
    ...     ],
    ...     crs="EPSG:32652",
    ... )
    >>> table = exclusivity(ranges, level=None)
    >>> table[["individual", "shared_km2", "n_neighbours", "exclusive_share"]].round(2)
      individual  shared_km2  n_neighbours  exclusive_share
    0     Leo 1F       50.04             1              0.5
    1     Leo 2M        0.00             0              1.0
    2     Leo 3F       50.04             1              0.5
    """
    ranges = _check_polygons(ranges, "ranges")
    require_columns(
        ranges,
        ["individual", "sex"],
        name="ranges",
        hint="Exclusivity is among animals of the same sex; add a 'sex' column ('U' for unknown).",
    )
    _require_sex_values(ranges)
    ranges, rg, area, _ = _ranges_equal_area(ranges, crs, level, None)
    # one group per method, level and known sex; a range of unknown sex is in a
    # group of its own: it has no known same-sex others, so no exclusive share
    sexes = sex_labels(ranges["sex"])
    unknown = sexes == UNKNOWN_SEX
    key = pd.Series(_group_codes(ranges)).astype(str).to_numpy(dtype=object) + "|" + sexes
    key[unknown] = "?" + pd.Series(np.flatnonzero(unknown)).astype(str).to_numpy(dtype=object)
    groups = pd.factorize(key)[0]
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
    if unknown.any():
        out.loc[unknown, ["shared_km2", "exclusive_share"]] = np.nan
        names = sorted({str(v) for v in ranges["individual"].to_numpy()[unknown]})
        warnings.warn(
            f"exclusive_share is NaN for {len(names)} range(s) of unknown sex "
            f"({', '.join(names[:5])}{' and more' if len(names) > 5 else ''}): an animal of "
            "unknown sex has no known same-sex neighbours. Give their sex as F or M.",
            DataQualityWarning,
            stacklevel=2,
        )
    return out


class SexPairSummary(NamedTuple):
    """Result of :func:`sex_pair_summary`.

    Examples
    --------
    >>> SexPairSummary._fields
    ('by_pair', 'females')
    """

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
        sorted, en dash; ``"unknown"`` for every pair where either sex is
        unknown, e.g. ``"U"`` or missing: two animals of unknown sex are not a
        same-sex pair), ``method`` and ``level`` (when present), with
        ``n_pairs``, ``mean_share`` and ``max_share`` over both directions of
        every intersecting pair (the share of either range used by the other,
        0-1). Non-intersecting pairs are not in ``pairs`` and do not lower the
        mean.

        ``females``: one row per female (and method and level) overlapping at
        least one male (known sexes only), with ``best_male`` (the male whose
        range holds the largest share of hers) and ``share_in_best_male`` (that share, 0-1).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> ranges = gpd.GeoDataFrame(
    ...     {"individual": ["Leo 1F", "Leo 2M", "Leo 3F"], "sex": ["F", "M", "F"]},
    ...     geometry=[
    ...         box(500_000, 4_800_000, 510_000, 4_810_000),
    ...         box(505_000, 4_800_000, 515_000, 4_810_000),  # east half of Leo 1F's
    ...         box(500_000, 4_805_000, 510_000, 4_815_000),  # north half of Leo 1F's
    ...     ],
    ...     crs="EPSG:32652",
    ... )
    >>> summary = sex_pair_summary(pairwise_overlap(ranges))
    >>> summary.by_pair.round(3)
      sex_pair  n_pairs  mean_share  max_share
    0      F–F        1       0.500        0.5
    1      F–M        2       0.375        0.5
    >>> summary.females.round(2)
      individual best_male  share_in_best_male
    0     Leo 1F    Leo 2M                0.50
    1     Leo 3F    Leo 2M                0.25
    """
    _require_pairs(pairs)
    require_columns(
        pairs,
        ["individual_a", "individual_b", "sex_a", "sex_b", "share_a", "share_b"],
        name="pairs",
        hint="Pass the output of pairwise_overlap on ranges with a 'sex' column.",
    )
    keys = [c for c in ("method", "level") if c in pairs.columns]
    # F or M (any spelling) or unknown: a pair with an unknown sex is no sex pair
    sa = sex_labels(pairs["sex_a"]).astype(str)
    sb = sex_labels(pairs["sex_b"]).astype(str)
    label = np.where(sa <= sb, np.char.add(np.char.add(sa, _PAIR_SEP), sb), "")
    label = np.where(sa > sb, np.char.add(np.char.add(sb, _PAIR_SEP), sa), label)
    label = np.where((sa == UNKNOWN_SEX) | (sb == UNKNOWN_SEX), UNKNOWN_SEX, label)
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

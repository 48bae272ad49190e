r"""Effective mesh size on vectors, with the cross-boundary connections procedure.

The effective mesh size (Jaeger 2000) is the expected area of habitat
reachable from a point chosen at random in a reporting unit without crossing
a barrier. Moser, Jaeger, Tappeiner, Tasser & Eiselt (2007, *Landscape
Ecology* 22: 447-459) measure it per reporting unit (a park, a park zone, a
home range) without cutting the habitat pieces at the unit's boundary: the
**cross-boundary connections (CBC)** procedure

.. math::

    m_{eff}^{CBC} = \frac{1}{A_{total}} \sum_i A_i \, A_i^{cmpl}

where :math:`A_{total}` is the area of the unit (all of it, habitat or not),
:math:`A_i` the area of habitat piece *i* inside the unit and
:math:`A_i^{cmpl}` the area of the complete piece, also beyond the unit. The
classic **cutting-out (CUT)** value :math:`\sum_i A_i^2 / A_{total}` treats the
unit boundary as a barrier; both are returned. CBC values are additive: the
area-weighted mean of the CBC values of units that partition a region is the
CBC value of the region.

The pieces
----------
habitat
    The given habitat polygons (e.g. forest), in any CRS; by default (see
    :func:`effective_mesh_size`) the bounding box of the mapped layers
    (barriers, settlements, crossings, protected areas) on land, plus the
    parts of the units outside it. Habitat and layers more than
    :data:`PIECE_REACH_KM` beyond the units are not used.
barriers
    Lines buffered to their real width (``width_m`` column, else a width by
    kind from :data:`BARRIER_WIDTHS_M`, else :data:`UNKNOWN_BARRIER_WIDTH_M`
    with a :class:`~habitat.core.errors.DataQualityWarning` and a note);
    polygons (reservoirs, fenced areas) removed as they are. Kinds in
    :data:`PASSABLE_KINDS` (``tunnel``, ``bridge``...) are never barriers;
    rivers are barriers only when ``barrier_kinds=`` names them.
settlements
    Polygons removed; points have no area and are ignored (warning and note).
crossings
    Wildlife crossings (points or lines, ``width_m`` or a width by kind from
    :data:`CROSSING_WIDTHS_M`) cut a gap through the buffer of every barrier line
    they reach, across its whole width, so the pieces on either side join.
    A point is first moved to the nearest barrier line within
    :data:`CROSSING_SNAP_M`; the gap is the part of the barrier line within
    half the crossing's width of it, buffered with flat ends to a little more
    than the barrier's half width (:data:`GAP_MARGIN_M`), and cut from that
    barrier's own buffer only. Crossings do not open barrier polygons or
    settlements.

Pieces are the polygons of ``habitat - (barriers - gaps) - settlements``;
pieces touching at a single point are separate. Every area is measured in
an equal-area CRS (:func:`habitat.core.crs.equal_area_crs` of the units, or
the units' own CRS when it is equal-area); geometries in other CRSs are
densified (1 km, or 0.01 degree) before they are reprojected.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from habitat.core import crs as hcrs
from habitat.core import units as hunits
from habitat.core.errors import ColumnError, ConfigError, DataQualityWarning, InputError
from habitat.core.validation import (
    repair_polygons,
    require_finite_coordinates,
    require_geodata,
    require_geometry_type,
    require_polygons,
)
from habitat.io.study_area import StudyArea

__all__ = [
    "BARRIER_WIDTHS_M",
    "CROSSING_SNAP_M",
    "CROSSING_WIDTHS_M",
    "DEFAULT_NON_BARRIER_KINDS",
    "GAP_MARGIN_M",
    "MESH_COLUMNS",
    "PASSABLE_KINDS",
    "PIECE_REACH_KM",
    "UNKNOWN_BARRIER_WIDTH_M",
    "UNKNOWN_CROSSING_WIDTH_M",
    "effective_mesh_size",
    "habitat_pieces",
    "mesh_change",
]

#: default full width in metres of a barrier line by kind (used where ``width_m`` is
#: missing): carriageway, verges and cleared strip of a road; track bed of a railway
BARRIER_WIDTHS_M: dict[str, float] = {
    "motorway": 30.0,
    "federal": 30.0,
    "highway": 30.0,
    "trunk": 25.0,
    "primary": 20.0,
    "regional": 20.0,
    "road": 20.0,
    "secondary": 15.0,
    "tertiary": 10.0,
    "local": 10.0,
    "unclassified": 10.0,
    "residential": 10.0,
    "track": 5.0,
    "railway": 15.0,
    "rail": 15.0,
    "fence": 2.0,
    "wall": 2.0,
    "river": 50.0,
    "canal": 20.0,
    "stream": 5.0,
}
#: width of a barrier line of a kind not in :data:`BARRIER_WIDTHS_M` (or with no kind)
UNKNOWN_BARRIER_WIDTH_M = 20.0
#: kinds that animals pass (a tunnel under, a bridge over): never barriers
PASSABLE_KINDS: frozenset[str] = frozenset(
    {
        "tunnel",
        "bridge",
        "viaduct",
        "overpass",
        "underpass",
        "ecoduct",
        "green_bridge",
        "wildlife_bridge",
        "culvert",
    }
)
#: kinds that are not barriers unless ``barrier_kinds=`` names them (many animals swim)
DEFAULT_NON_BARRIER_KINDS: frozenset[str] = frozenset({"river", "stream", "canal"})
#: default width in metres of a crossing structure by kind (used where ``width_m`` is missing)
CROSSING_WIDTHS_M: dict[str, float] = {
    "overpass": 50.0,
    "ecoduct": 50.0,
    "green_bridge": 50.0,
    "wildlife_bridge": 50.0,
    "tunnel": 20.0,
    "bridge": 20.0,
    "viaduct": 20.0,
    "underpass": 20.0,
    "culvert": 5.0,
}
#: width of a crossing of a kind not in :data:`CROSSING_WIDTHS_M` (or with no kind)
UNKNOWN_CROSSING_WIDTH_M = 20.0
#: a crossing point farther than this (metres) from every barrier line cuts no gap
CROSSING_SNAP_M = 50.0
#: habitat and layers are followed this far (km) beyond the units' bounding box (or as far
#: as that box's larger side, if longer): pieces larger than that are cut there
PIECE_REACH_KM = 500.0
#: a gap is this much wider (metres, each side) than the barrier's half width
GAP_MARGIN_M = 1.0

#: columns of :func:`effective_mesh_size` (``unit_id`` only with ``unit_id=``)
MESH_COLUMNS = (
    "unit_id",
    "area_km2",
    "habitat_area_km2",
    "n_pieces",
    "effective_mesh_size_km2",
    "effective_mesh_size_sq_mi",
    "effective_mesh_size_cut_km2",
    "barrier_area_km2",
    "note",
)

_DENSIFY_M = 1_000.0
_DENSIFY_DEG = 0.01
_LINES = ("LineString", "MultiLineString")
_POLYGONS = ("Polygon", "MultiPolygon")
_POINTS = ("Point", "MultiPoint")

LayerInput: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries | None


# ---------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class _Features:
    """Features of one role in the equal-area CRS: geometry parts with their attributes."""

    geoms: np.ndarray  # shapely geometries (single parts)
    name: np.ndarray  # object
    layer: np.ndarray  # object
    kind: np.ndarray  # object, normalised (lower case, underscores) or None
    width_m: np.ndarray  # float, NaN where unknown

    @property
    def n(self) -> int:
        return len(self.geoms)

    def take(self, keep: np.ndarray) -> _Features:
        return _Features(
            self.geoms[keep], self.name[keep], self.layer[keep], self.kind[keep], self.width_m[keep]
        )

    def concat(self, other: _Features) -> _Features:
        return _Features(
            *(np.concatenate([a, b]) for a, b in zip(_fields(self), _fields(other), strict=True))
        )


def _fields(f: _Features) -> tuple[np.ndarray, ...]:
    return (f.geoms, f.name, f.layer, f.kind, f.width_m)


def _empty_features() -> _Features:
    obj = np.empty(0, dtype=object)
    return _Features(obj, obj.copy(), obj.copy(), obj.copy(), np.empty(0, dtype=float))


def _norm_kind(values: Any) -> np.ndarray:
    """Kinds as lower-case words joined by underscores; missing and blank as None."""
    s = pd.Series(values, dtype=object)
    text = s.astype("string").str.strip().str.lower()
    text = text.str.replace(r"[\s\-]+", "_", regex=True)
    text = text.where(text.notna() & (text != ""), None)
    return np.asarray(text.astype(object).where(text.notna(), None).to_numpy(), dtype=object)


def _densified(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    crs = hcrs.as_crs(geoms.crs)
    step = _DENSIFY_DEG if crs.is_geographic else _DENSIFY_M
    return gpd.GeoSeries(shapely.segmentize(geoms.to_numpy(), step), index=geoms.index, crs=crs)


Window = tuple[float, float, float, float]


def _project(
    geoms: gpd.GeoSeries, target: CRS, name: str, window: Window | None = None
) -> np.ndarray:
    """Geometries in ``target`` (densified first unless already there), checked finite.

    With a ``window`` (xmin, ymin, xmax, ymax in ``target``), cut to it (empty outside).
    """
    src = hcrs.require_crs(geoms, name=name)
    if src.equals(target):
        out = np.asarray(geoms.to_numpy(), dtype=object)
    else:
        projected = hcrs.align(_densified(geoms), target, name=name)
        require_finite_coordinates(
            projected, name=name, after=f"reprojection to {hcrs.describe_crs(target)}"
        )
        out = np.asarray(projected.to_numpy(), dtype=object)
    if window is not None:
        x0, y0, x1, y1 = window
        b = shapely.bounds(out)
        inside = (b[:, 0] >= x0) & (b[:, 1] >= y0) & (b[:, 2] <= x1) & (b[:, 3] <= y1)
        out = out.copy()
        out[~inside] = shapely.clip_by_rect(out[~inside], x0, y0, x1, y1)
    return out


def _features(
    data: object, role: str, allowed: tuple[str, ...], target: CRS, window: Window
) -> _Features:
    """Explicit (or study-area) features of a role -> single parts in the target CRS."""
    gd = require_geodata(data, name=role, hint=f"give {'/'.join(allowed)} with a declared CRS.")
    if len(gd) == 0:
        return _empty_features()
    hcrs.require_crs(gd, name=role)
    geoseries = gd.geometry if isinstance(gd, gpd.GeoDataFrame) else gd
    keep = ~(geoseries.isna() | geoseries.is_empty).to_numpy()
    gd = gd[keep]
    geoseries = geoseries[keep]
    if len(gd) == 0:
        return _empty_features()
    require_geometry_type(gd, allowed, name=role)
    require_finite_coordinates(gd, name=role)
    n = len(gd)
    frame = gd if isinstance(gd, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=gd)

    def col(c: str, default: Any) -> np.ndarray:
        if c in frame.columns:
            return np.asarray(frame[c].to_numpy(), dtype=object)
        return np.full(n, default, dtype=object)

    width = pd.to_numeric(pd.Series(col("width_m", np.nan)), errors="coerce").to_numpy(float)
    bad = np.isfinite(width) & (width < 0)
    if bad.any():
        raise InputError(
            f"{role}: width_m must be metres >= 0; rows {list(frame.index[bad][:5])} are "
            "negative. Fix the widths, or drop the column to use the defaults by kind."
        )
    names = col("name", None)
    names = np.where(pd.isna(names), (f"{role} row " + frame.index.astype(str)).to_numpy(), names)
    layers = col("layer", role)
    layers = np.where(pd.isna(layers), role, layers)
    geoms = _project(geoseries, target, role, window)
    parts, idx = shapely.get_parts(geoms, return_index=True)
    # drop what the window emptied, and slivers a clipped polygon left as lines or points
    dims = shapely.get_dimensions(np.asarray(geoseries.to_numpy(), dtype=object))
    real = ~shapely.is_empty(parts) & (shapely.get_dimensions(parts) == dims[idx])
    parts, idx = parts[real], idx[real]
    return _Features(
        np.asarray(parts, dtype=object),
        names.astype(object)[idx],
        layers.astype(object)[idx],
        _norm_kind(col("kind", None))[idx],
        width[idx],
    )


@dataclass(frozen=True)
class _Flag:
    """Features that make the numbers of the units they meet uncertain."""

    geoms: np.ndarray
    message: str


@dataclass(frozen=True)
class _Scene:
    crs: CRS
    units: np.ndarray  # unit polygons in crs
    habitat: shapely.Geometry
    barriers: _Features  # barrier features chosen (lines and polygons), widths resolved
    settlements: np.ndarray  # settlement polygons
    crossings: _Features  # crossing parts, widths resolved
    flags: tuple[_Flag, ...]
    open_lines: np.ndarray  # passable segments (tunnels, bridges...): crossings on them are open


def _study_features(study_area: StudyArea | None, role: str) -> gpd.GeoDataFrame | None:
    if study_area is None:
        return None
    if not isinstance(study_area, StudyArea):
        raise InputError(
            f"study_area must be a habitat StudyArea (habitat.datasets.primorsky(), "
            f"habitat.read_study_area(...)), not {type(study_area).__name__}."
        )
    return study_area.features(role)


def _target_crs(units: gpd.GeoDataFrame | gpd.GeoSeries, layers: list[Any]) -> CRS:
    """The units' CRS if equal-area, else the equal-area CRS of the units and the layers.

    Choosing it from the layers too keeps it (and the mapped box) the same for every set
    of units inside the layers' extent.
    """
    crs = hcrs.require_crs(units, name="units")
    if hcrs.is_equal_area(crs):
        return hcrs.require_measurement_crs(crs, purpose="areas", name="units' CRS")
    boxes = [hcrs.lonlat_bounds(units)]
    for layer in layers:
        if isinstance(layer, gpd.GeoDataFrame | gpd.GeoSeries) and len(layer) and layer.crs:
            geoms = layer.geometry if isinstance(layer, gpd.GeoDataFrame) else layer
            if not bool((geoms.isna() | geoms.is_empty).all()):
                boxes.append(hcrs.lonlat_bounds(layer))
    b = np.asarray(boxes, dtype=float)
    if (b[:, 2] - b[:, 0]).max() > 180 or b[:, 2].max() - b[:, 0].min() > 180:
        return hcrs.equal_area_crs(units)  # a layer around the globe: the units decide
    return hcrs.equal_area_crs(
        (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))
    )


def _unit_ids(units: gpd.GeoDataFrame | gpd.GeoSeries, unit_id: str | None) -> np.ndarray | None:
    if unit_id is None:
        return None
    if not isinstance(units, gpd.GeoDataFrame) or unit_id not in units.columns:
        cols = list(units.columns) if isinstance(units, gpd.GeoDataFrame) else []
        raise ColumnError(
            f"units: no unit_id column {unit_id!r}; columns: {', '.join(map(str, cols))}. "
            "Name a column of the units, or leave unit_id=None to keep their index."
        )
    return np.asarray(units[unit_id].to_numpy(), dtype=object)


def _resolve_widths(
    feats: _Features,
    table: Mapping[str, float],
    unknown_width: float,
    what: str,
    *,
    warn: bool = True,
) -> tuple[_Features, np.ndarray, list[str]]:
    """Missing widths from ``table`` by kind: features, which had no default, their labels."""
    width = feats.width_m.copy()
    missing = ~np.isfinite(width)
    by_kind = pd.Series(feats.kind, dtype=object).map(table).to_numpy(dtype=float)
    from_table = missing & np.isfinite(by_kind)
    width[from_table] = by_kind[from_table]
    unknown = missing & ~from_table
    width[unknown] = unknown_width
    if not warn:
        return replace(feats, width_m=width), np.zeros(len(width), dtype=bool), []
    labels = sorted(
        {
            f"{lyr} (kind {k!r})"
            for lyr, k in zip(feats.layer[unknown], feats.kind[unknown], strict=True)
        }
    )
    if labels:
        warnings.warn(
            f"{what}: no width_m and no default width for {', '.join(labels)}; "
            f"{unknown_width:g} m used. Give a width_m column, or width_m={{kind: metres}}.",
            DataQualityWarning,
            stacklevel=4,
        )
    return replace(feats, width_m=width), unknown, labels


def _scene(
    units: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    habitat: LayerInput,
    barriers: LayerInput,
    settlements: LayerInput,
    crossings: LayerInput,
    study_area: StudyArea | None,
    barrier_kinds: Iterable[str] | None,
    width_m: float | Mapping[str, float] | None,
    add_barriers: LayerInput = None,
    remove_barriers: str | Iterable[str] | None = None,
    add_crossings: LayerInput = None,
    remove_crossings: str | Iterable[str] | None = None,
) -> _Scene:
    require_polygons(units, name="units")
    hcrs.require_crs(units, name="units")
    w, s, e, n = hcrs.lonlat_bounds(units)
    side_km = max((e - w) * 111.32 * np.cos(np.radians(max(abs(s), abs(n)))), (n - s) * 111.32)
    reach_km = max(PIECE_REACH_KM, side_km)
    if study_area is not None:
        _study_features(study_area, "barriers")  # checks the type
        study_area = study_area.near(units, margin_km=2 * reach_km)
    bar_src = barriers if barriers is not None else _study_features(study_area, "barriers")
    sett_src = (
        settlements if settlements is not None else _study_features(study_area, "settlements")
    )
    cro_src = crossings if crossings is not None else _study_features(study_area, "crossings")
    parks = _study_features(study_area, "protected_areas")
    target = _target_crs(units, [bar_src, sett_src, cro_src, parks, habitat])
    unit_geoms = _project(
        units.geometry if isinstance(units, gpd.GeoDataFrame) else units, target, "units"
    )
    if not shapely.is_valid(unit_geoms).all():
        unit_geoms, _ = repair_polygons(unit_geoms, name="units", labels=list(units.index))
    flags: list[_Flag] = []
    x0, y0, x1, y1 = shapely.total_bounds(unit_geoms)
    reach = reach_km * 1_000.0
    window = (x0 - reach, y0 - reach, x1 + reach, y1 + reach)

    # barriers: explicit, else the study area's; then the what-if edits
    src = bar_src
    bar = (
        _features(src, "barriers", _LINES + _POLYGONS, target, window) if src is not None else None
    )
    bar = bar if bar is not None else _empty_features()
    bar = _remove_named(bar, remove_barriers, "remove_barriers", "barriers")
    if add_barriers is not None:
        added = _features(add_barriers, "add_barriers", _LINES + _POLYGONS, target, window)
        counted = _choose_kinds(added, barrier_kinds, warn=False)
        if counted.n < added.n:
            dropped = sorted({str(k) for k in added.kind if k not in set(counted.kind)})
            why = "passable or rivers" if barrier_kinds is None else "not in barrier_kinds"
            raise ConfigError(
                f"add_barriers: features of kind {dropped} are not barriers ({why}), so "
                "adding them would change nothing. Give them the kind of the road or railway "
                "they become (e.g. `tunnel.assign(kind='regional')`), or list the kind in "
                "barrier_kinds."
            )
        bar = bar.concat(added)
    open_lines = bar.geoms[np.isin(bar.kind, list(PASSABLE_KINDS))]
    bar = _choose_kinds(bar, barrier_kinds)
    table: dict[str, float] = dict(BARRIER_WIDTHS_M)
    unknown_width = UNKNOWN_BARRIER_WIDTH_M
    if isinstance(width_m, Mapping):
        kinds = _norm_kind(list(width_m))
        table.update(
            {
                str(k): _width(v, f"width_m[{k!r}]")
                for k, v in zip(kinds, width_m.values(), strict=True)
            }
        )
    elif width_m is not None:
        unknown_width = _width(width_m, "width_m")
        table = {}
    is_line = np.isin(shapely.get_type_id(bar.geoms), (1, 2, 5))
    lines, unknown, labels = _resolve_widths(
        bar.take(is_line),
        table,
        unknown_width,
        "barriers",
        warn=not isinstance(width_m, float | int),
    )
    if labels:
        message = f"default width {unknown_width:g} m for barriers " + ", ".join(labels)
        flags.append(_Flag(lines.geoms[unknown], message))
    zero = lines.width_m <= 0
    if zero.any():
        names = sorted(set(lines.name[zero]))
        warnings.warn(
            f"barriers: {', '.join(names[:5])} have width_m 0 and cut nothing; give their "
            "real width in metres.",
            DataQualityWarning,
            stacklevel=3,
        )
        flags.append(_Flag(lines.geoms[zero], "barrier(s) of width 0 cut nothing"))
    bar = lines.concat(bar.take(~is_line))

    # settlements: polygons removed, points ignored
    src = sett_src
    sett = (
        _features(src, "settlements", _POINTS + _POLYGONS, target, window)
        if src is not None
        else None
    )
    sett = sett if sett is not None else _empty_features()
    s_poly = np.isin(shapely.get_type_id(sett.geoms), (3, 6))
    if (~s_poly).any():
        pts = sett.take(~s_poly)
        warnings.warn(
            f"settlements: {pts.n} point(s) ({', '.join(sorted(set(pts.name))[:5])}"
            f"{'...' if len(set(pts.name)) > 5 else ''}) have no area and are ignored; give "
            "settlement polygons (built-up areas) to remove them from the habitat.",
            DataQualityWarning,
            stacklevel=3,
        )
        flags.append(_Flag(pts.geoms, "settlement point(s) ignored (no area)"))

    # crossings
    src = cro_src
    cro = _features(src, "crossings", _POINTS + _LINES, target, window) if src is not None else None
    cro = cro if cro is not None else _empty_features()
    cro = _remove_named(cro, remove_crossings, "remove_crossings", "crossings")
    if add_crossings is not None:
        cro = cro.concat(
            _features(add_crossings, "add_crossings", _POINTS + _LINES, target, window)
        )
    cro, c_unknown, c_labels = _resolve_widths(
        cro, CROSSING_WIDTHS_M, UNKNOWN_CROSSING_WIDTH_M, "crossings"
    )
    if c_labels:
        message = f"default width {UNKNOWN_CROSSING_WIDTH_M:g} m for crossings " + ", ".join(
            c_labels
        )
        flags.append(_Flag(cro.geoms[c_unknown], message))

    hab = _habitat(habitat, unit_geoms, bar, sett, cro, study_area, target, window)
    settlements = np.asarray(sett.geoms[s_poly])
    return _Scene(target, unit_geoms, hab, bar, settlements, cro, tuple(flags), open_lines)


def _width(value: object, name: str) -> float:
    try:
        w = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        w = float("nan")
    if not np.isfinite(w) or w < 0:
        raise ConfigError(f"{name} must be a width in metres >= 0, not {value!r}.")
    return w


def _as_names(value: str | Iterable[str], option: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    try:
        return [str(v) for v in value]
    except TypeError:
        raise ConfigError(
            f"{option} takes a feature name or a list of names, not {type(value).__name__}."
        ) from None


def _remove_named(
    feats: _Features, names: str | Iterable[str] | None, option: str, role: str
) -> _Features:
    if names is None:
        return feats
    wanted = _as_names(names, option)
    have = set(feats.name.tolist())
    missing = [n for n in wanted if n not in have]
    if missing:
        raise ConfigError(
            f"{option}: no {role} named {missing}; {role} are: "
            f"{', '.join(sorted(map(str, have))) or 'none'}."
        )
    return feats.take(~np.isin(feats.name, wanted))


def _choose_kinds(
    bar: _Features, barrier_kinds: Iterable[str] | None, *, warn: bool = True
) -> _Features:
    if barrier_kinds is None:
        excluded = PASSABLE_KINDS | DEFAULT_NON_BARRIER_KINDS
        return bar.take(~np.isin(bar.kind, list(excluded)))
    if isinstance(barrier_kinds, str):
        barrier_kinds = [barrier_kinds]
    wanted = [k for k in _norm_kind(list(barrier_kinds)) if k is not None]
    present = {k for k in bar.kind if k is not None}
    absent = [k for k in wanted if k not in present]
    if absent and bar.n and warn:
        warnings.warn(
            f"barrier_kinds: no barrier of kind {absent}; kinds present: "
            f"{', '.join(sorted(present)) or 'none'}.",
            DataQualityWarning,
            stacklevel=4,
        )
    return bar.take(np.isin(bar.kind, wanted))


def _habitat(
    habitat: LayerInput,
    unit_geoms: np.ndarray,
    bar: _Features,
    sett: _Features,
    cro: _Features,
    study_area: StudyArea | None,
    target: CRS,
    window: Window,
) -> shapely.Geometry:
    if habitat is not None:
        require_polygons(habitat, name="habitat")
        geoms = _project(
            habitat.geometry if isinstance(habitat, gpd.GeoDataFrame) else habitat,
            target,
            "habitat",
            window,
        )
        if not shapely.is_valid(geoms).all():
            geoms, _ = repair_polygons(geoms, name="habitat")
        return shapely.union_all(geoms)
    all_units = shapely.union_all(unit_geoms)
    mapped = np.concatenate([bar.geoms, sett.geoms, cro.geoms])
    parks = _study_features(study_area, "protected_areas") if study_area is not None else None
    if parks is not None and len(parks):
        mapped = np.concatenate(
            [mapped, _project(parks.geometry, target, "protected_areas", window)]
        )
    if not len(mapped):
        return all_units
    box = shapely.box(*shapely.total_bounds(mapped))
    inside = box
    land = _study_features(study_area, "admin_units") if study_area is not None else None
    if land is not None and len(land):
        land_geoms = _project(land.geometry, target, "admin_units", window)
        inside = shapely.intersection(box, shapely.union_all(shapely.make_valid(land_geoms)))
    return shapely.union_all([inside, shapely.difference(all_units, box)])


# ---------------------------------------------------------------------------- pieces


def _blocked(scene: _Scene) -> shapely.Geometry:
    """Union of what is not habitat: barrier buffers minus crossing gaps, polygons, settlements."""
    bar = scene.barriers
    type_ids = shapely.get_type_id(bar.geoms)
    is_line = np.isin(type_ids, (1, 2, 5))
    lines = bar.geoms[is_line]
    half = bar.width_m[is_line] / 2.0
    buffers = shapely.buffer(lines, half, quad_segs=8)
    cro = scene.crossings
    if cro.n and len(lines):
        buffers = _cut_gaps(lines, half, buffers, cro, scene.open_lines)
    polys = bar.geoms[~is_line]
    return shapely.union_all(np.concatenate([buffers, polys, scene.settlements]))


def _cut_gaps(
    lines: np.ndarray,
    half: np.ndarray,
    buffers: np.ndarray,
    cro: _Features,
    open_lines: np.ndarray,
) -> np.ndarray:
    tree = shapely.STRtree(lines)
    is_point = shapely.get_type_id(cro.geoms) == 0
    reach = np.empty(cro.n, dtype=object)
    reach[~is_point] = shapely.buffer(cro.geoms[~is_point], cro.width_m[~is_point] / 2.0)
    if is_point.any():
        p_idx = np.flatnonzero(is_point)
        pi, lj = tree.query_nearest(
            cro.geoms[p_idx], max_distance=CROSSING_SNAP_M, all_matches=False
        )
        centre = np.asarray(cro.geoms[p_idx], dtype=object).copy()
        centre[pi] = shapely.line_interpolate_point(
            lines[lj], shapely.line_locate_point(lines[lj], cro.geoms[p_idx][pi])
        )
        reach[p_idx] = shapely.buffer(centre, cro.width_m[p_idx] / 2.0)
        far = _not_on(cro.geoms[p_idx[np.setdiff1d(np.arange(len(p_idx)), pi)]], open_lines)
        if far.any():
            _warn_unmatched(cro.name[p_idx[np.setdiff1d(np.arange(len(p_idx)), pi)][far]])
    ck, bj = tree.query(reach, predicate="intersects")
    unmatched = np.setdiff1d(np.flatnonzero(~is_point), ck)
    unmatched = unmatched[_not_on(reach[unmatched], open_lines)]
    if len(unmatched):
        _warn_unmatched(cro.name[unmatched])
    if not len(ck):
        return buffers
    segments = shapely.intersection(lines[bj], reach[ck])
    gaps = shapely.buffer(segments, half[bj] + GAP_MARGIN_M, cap_style="flat", quad_segs=8)
    order = np.argsort(bj, kind="stable")
    bj, gaps = bj[order], gaps[order]
    cut, start = np.unique(bj, return_index=True)
    merged = np.array(
        [shapely.union_all(g) for g in np.split(gaps, start[1:])], dtype=object
    )  # one union per barrier with a crossing (few)
    out = buffers.copy()
    out[cut] = shapely.difference(buffers[cut], merged)
    return out


def _not_on(geoms: np.ndarray, open_lines: np.ndarray) -> np.ndarray:
    """Which crossings lie off every passable segment (a crossing on a tunnel is open)."""
    if not len(geoms) or not len(open_lines):
        return np.ones(len(geoms), bool)
    near, _ = shapely.STRtree(open_lines).query(
        geoms, predicate="dwithin", distance=CROSSING_SNAP_M
    )
    return ~np.isin(np.arange(len(geoms)), near)


def _warn_unmatched(names: np.ndarray) -> None:
    warnings.warn(
        f"crossings: {', '.join(sorted(set(map(str, names))))} meet no barrier line "
        f"(points: none within {CROSSING_SNAP_M:g} m; lines: none within half their width) "
        "and cut no gap; check their position, CRS and barrier_kinds.",
        DataQualityWarning,
        stacklevel=5,
    )


def _pieces(scene: _Scene) -> tuple[np.ndarray, shapely.Geometry]:
    blocked = _blocked(scene)
    free = shapely.difference(scene.habitat, blocked)
    parts = shapely.get_parts(free)
    parts = parts[np.isin(shapely.get_type_id(parts), (3,)) & (shapely.area(parts) > 0)]
    return np.asarray(parts, dtype=object), blocked


def _measure(
    scene: _Scene,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Per-unit numbers (positional) and the pieces."""
    pieces, blocked = _pieces(scene)
    n_units = len(scene.units)
    unit_area = shapely.area(scene.units)
    piece_area = shapely.area(pieces)
    tree = shapely.STRtree(pieces)
    ui, pj = tree.query(scene.units, predicate="intersects")
    a_in = shapely.area(shapely.intersection(scene.units[ui], pieces[pj]))
    real = a_in > 0
    ui, pj, a_in = ui[real], pj[real], a_in[real]
    habitat_in = np.bincount(ui, weights=a_in, minlength=n_units)
    cbc = np.bincount(ui, weights=a_in * piece_area[pj], minlength=n_units)
    cut = np.bincount(ui, weights=a_in * a_in, minlength=n_units)
    n_pieces = np.bincount(ui, minlength=n_units)
    with np.errstate(invalid="ignore", divide="ignore"):
        mesh = np.where(unit_area > 0, cbc / unit_area, np.nan)
        mesh_cut = np.where(unit_area > 0, cut / unit_area, np.nan)
    barrier_in = shapely.area(shapely.intersection(scene.units, blocked))
    notes = _notes(scene, habitat_in, unit_area)
    table = pd.DataFrame(
        {
            "area_km2": hunits.m2_to_km2(unit_area),
            "habitat_area_km2": hunits.m2_to_km2(habitat_in),
            "n_pieces": n_pieces.astype(np.int64),
            "effective_mesh_size_km2": hunits.m2_to_km2(mesh),
            "effective_mesh_size_sq_mi": hunits.convert_area(mesh, "m2", "sq_mi"),
            "effective_mesh_size_cut_km2": hunits.m2_to_km2(mesh_cut),
            "barrier_area_km2": hunits.m2_to_km2(barrier_in),
            "note": notes,
        }
    )
    return table, pieces


def _notes(scene: _Scene, habitat_in: np.ndarray, unit_area: np.ndarray) -> np.ndarray:
    per_unit: list[list[str]] = [[] for _ in range(len(scene.units))]
    tree = shapely.STRtree(scene.units)
    for flag in scene.flags:  # one pass per kind of problem (a handful), vectorised inside
        if not len(flag.geoms):
            continue
        _, hit = tree.query(flag.geoms, predicate="intersects")
        for u in np.unique(hit):
            per_unit[u].append(flag.message)
    for u in np.flatnonzero(habitat_in <= 0):
        per_unit[u].append("no habitat in the unit")
    for u in np.flatnonzero(~(unit_area > 0)):
        per_unit[u].append("unit has no area")
    return np.array(["; ".join(n) for n in per_unit], dtype=object)


# ---------------------------------------------------------------------------- public


def effective_mesh_size(
    units: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    habitat: LayerInput = None,
    barriers: LayerInput = None,
    settlements: LayerInput = None,
    crossings: LayerInput = None,
    study_area: StudyArea | None = None,
    unit_id: str | None = None,
    barrier_kinds: Iterable[str] | None = None,
    width_m: float | Mapping[str, float] | None = None,
) -> gpd.GeoDataFrame:
    """Effective mesh size per reporting unit, by cross-boundary connections (Moser 2007).

    Parameters
    ----------
    units : GeoDataFrame or GeoSeries
        Reporting units (parks, park zones, home ranges), polygons in any CRS;
        they may overlap.
    habitat : GeoDataFrame or GeoSeries, optional
        Habitat polygons (e.g. forest) in any CRS; pieces may extend beyond the
        units (that is what CBC needs). Default: the "mapped box", the bounding
        box (in the equal-area CRS) of the barrier, settlement and crossing
        features used and of the study area's ``protected_areas``, cut to the
        land of the study area's ``admin_units`` when it has any (the sea is
        not habitat, also inside a unit), plus the parts of the units outside
        that box. So a unit gets the same values whichever other units are
        measured with it. Without any such layer: the units.
    barriers, settlements, crossings : GeoDataFrame or GeoSeries, optional
        Barrier lines and polygons, settlement polygons (points are ignored),
        crossing points and lines, in any CRS, with optional ``name``,
        ``kind`` and ``width_m`` (metres, full width) columns. Default: the
        layers of role ``barriers``, ``settlements`` and ``crossings`` of
        ``study_area``.
    study_area : StudyArea, optional
        Supplies the layers not given explicitly.
    unit_id : str, optional
        Column of ``units`` copied to a ``unit_id`` column.
    barrier_kinds : iterable of str, optional
        The barrier kinds that count. Default: every kind except
        :data:`PASSABLE_KINDS` and :data:`DEFAULT_NON_BARRIER_KINDS` (rivers);
        features with no kind count. Given, exactly these kinds count.
    width_m : float or mapping of kind to float, optional
        Width (metres) of barrier lines without a ``width_m`` value: one width
        for all, or widths by kind that update :data:`BARRIER_WIDTHS_M`.

    Returns
    -------
    GeoDataFrame
        Aligned to ``units.index``, geometry the units as given, columns
        (``unit_id``), ``area_km2`` (of the unit), ``habitat_area_km2``
        (habitat pieces inside it), ``n_pieces`` (pieces meeting it),
        ``effective_mesh_size_km2`` and ``_sq_mi`` (CBC),
        ``effective_mesh_size_cut_km2`` (CUT), ``barrier_area_km2`` (area of
        the unit under barriers and settlement polygons) and ``note`` (why a
        value is uncertain: default widths, ignored settlement points, no
        habitat; empty when none).

    Raises
    ------
    InputError, GeometryTypeError, MissingCRSError
        Units that are not polygons with a CRS; layers of the wrong geometry type.
    ColumnError
        ``unit_id`` not a column of ``units``.
    ConfigError
        A negative or non-numeric ``width_m``.

    Warns
    -----
    DataQualityWarning
        Barriers of a kind with no default width, settlement points,
        crossings that meet no barrier, ``barrier_kinds`` not present.

    Examples
    --------
    A 10 km square cut in half by a 20 m road, in an equal-area CRS:

    >>> import geopandas as gpd
    >>> import shapely
    >>> laea = "+proj=laea +lat_0=43.5 +lon_0=131 +datum=WGS84 +units=m"
    >>> unit = gpd.GeoDataFrame({"park": ["P"]}, geometry=[shapely.box(0, 0, 1e4, 1e4)],
    ...                         crs=laea)
    >>> road = gpd.GeoDataFrame({"kind": ["regional"]},
    ...                         geometry=[shapely.LineString([(0, 5e3), (1e4, 5e3)])], crs=laea)
    >>> out = effective_mesh_size(unit, barriers=road, unit_id="park")
    >>> out[["unit_id", "n_pieces", "effective_mesh_size_km2", "barrier_area_km2"]].round(4)
      unit_id  n_pieces  effective_mesh_size_km2  barrier_area_km2
    0       P         2                  49.8002               0.2
    """
    scene = _scene(
        units,
        habitat=habitat,
        barriers=barriers,
        settlements=settlements,
        crossings=crossings,
        study_area=study_area,
        barrier_kinds=barrier_kinds,
        width_m=width_m,
    )
    table, _ = _measure(scene)
    return _frame(table, units, unit_id)


def _frame(
    table: pd.DataFrame, units: gpd.GeoDataFrame | gpd.GeoSeries, unit_id: str | None
) -> gpd.GeoDataFrame:
    ids = _unit_ids(units, unit_id)
    table.index = units.index
    if ids is not None:
        table.insert(0, "unit_id", ids)
    geometry = units.geometry if isinstance(units, gpd.GeoDataFrame) else units
    return gpd.GeoDataFrame(table, geometry=geometry.to_numpy(), crs=units.crs, index=units.index)


def mesh_change(
    units: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    add_barriers: LayerInput = None,
    add_crossings: LayerInput = None,
    remove_barriers: str | Iterable[str] | None = None,
    remove_crossings: str | Iterable[str] | None = None,
    habitat: LayerInput = None,
    barriers: LayerInput = None,
    settlements: LayerInput = None,
    crossings: LayerInput = None,
    study_area: StudyArea | None = None,
    unit_id: str | None = None,
    barrier_kinds: Iterable[str] | None = None,
    width_m: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """What a road, a crossing or a removal changes in the effective mesh size (CBC).

    "Before" is :func:`effective_mesh_size` with the layers as given; "after"
    the same with ``add_barriers`` / ``add_crossings`` added and the features
    named in ``remove_barriers`` / ``remove_crossings`` (their ``name``)
    removed. The habitat extent is that of "before" in both, so only the edit
    changes the numbers. To turn a tunnel back into an open road, add its
    road segment as a barrier and remove the crossing (see Examples).

    Parameters
    ----------
    units
        As in :func:`effective_mesh_size`.
    add_barriers, add_crossings : GeoDataFrame or GeoSeries, optional
        Features to add (any CRS; ``name``, ``kind``, ``width_m`` columns as for
        the layers; an added barrier's kind must count under ``barrier_kinds``).
    remove_barriers, remove_crossings : str or list of str, optional
        Names of features to remove (a name that is not there is an error).
    habitat, barriers, settlements, crossings, study_area, unit_id, barrier_kinds, width_m
        As in :func:`effective_mesh_size`.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``units.index``: (``unit_id``),
        ``effective_mesh_size_km2_before``, ``_after``, ``change_km2`` (after
        minus before), ``change_pct`` (of before; NaN when before is 0), the
        same three in ``sq_mi``, ``n_pieces_before``, ``n_pieces_after`` and
        ``note`` (of "after").

    Examples
    --------
    A road across a 10 km square, then a 10 m crossing on it:

    >>> import geopandas as gpd
    >>> import shapely
    >>> laea = "+proj=laea +lat_0=43.5 +lon_0=131 +datum=WGS84 +units=m"
    >>> unit = gpd.GeoSeries([shapely.box(0, 0, 1e4, 1e4)], crs=laea)
    >>> road = gpd.GeoDataFrame({"name": ["A1"], "kind": ["federal"]},
    ...                         geometry=[shapely.LineString([(0, 5e3), (1e4, 5e3)])], crs=laea)
    >>> mesh_change(unit, add_barriers=road)[["effective_mesh_size_km2_before",
    ...     "effective_mesh_size_km2_after", "change_pct"]].round(2)
       effective_mesh_size_km2_before  effective_mesh_size_km2_after  change_pct
    0                           100.0                          49.7       -50.3
    >>> gap = gpd.GeoDataFrame({"width_m": [10.0]}, geometry=[shapely.Point(5e3, 5e3)],
    ...                        crs=laea)
    >>> mesh_change(unit, barriers=road, add_crossings=gap)[["n_pieces_before",
    ...     "n_pieces_after"]]
       n_pieces_before  n_pieces_after
    0                2               1

    The bundled park with the Narvinsky tunnel closed (an open road over it):

    >>> from habitat import datasets
    >>> area = datasets.primorsky()
    >>> park = area.features("protected_areas").query("layer == 'Land of the Leopard NP'")
    >>> tunnel = area.features("barriers").query("kind == 'tunnel'").assign(kind="regional")
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # settlements are points here
    ...     closed = mesh_change(park, study_area=area, add_barriers=tunnel,
    ...                          remove_crossings="Narvinsky tunnel")
    >>> bool((closed["change_km2"] < 0).all())
    True
    """
    common: dict[str, Any] = {
        "habitat": habitat,
        "barriers": barriers,
        "settlements": settlements,
        "crossings": crossings,
        "study_area": study_area,
        "barrier_kinds": barrier_kinds,
        "width_m": width_m,
    }
    before_scene = _scene(units, **common)
    after_scene = _scene(
        units,
        **common,
        add_barriers=add_barriers,
        remove_barriers=remove_barriers,
        add_crossings=add_crossings,
        remove_crossings=remove_crossings,
    )
    after_scene = replace(after_scene, habitat=before_scene.habitat)
    before, _ = _measure(before_scene)
    after, _ = _measure(after_scene)
    b = before["effective_mesh_size_km2"].to_numpy(float)
    a = after["effective_mesh_size_km2"].to_numpy(float)
    change = a - b
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(b > 0, 100.0 * change / b, np.nan)
    out = pd.DataFrame(
        {
            "effective_mesh_size_km2_before": b,
            "effective_mesh_size_km2_after": a,
            "change_km2": change,
            "change_pct": pct,
            "effective_mesh_size_sq_mi_before": hunits.km2_to_sq_mi(b),
            "effective_mesh_size_sq_mi_after": hunits.km2_to_sq_mi(a),
            "change_sq_mi": hunits.km2_to_sq_mi(change),
            "n_pieces_before": before["n_pieces"].to_numpy(),
            "n_pieces_after": after["n_pieces"].to_numpy(),
            "note": after["note"].to_numpy(),
        },
        index=units.index,
    )
    ids = _unit_ids(units, unit_id)
    if ids is not None:
        out.insert(0, "unit_id", ids)
    return out


def habitat_pieces(
    units: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    habitat: LayerInput = None,
    barriers: LayerInput = None,
    settlements: LayerInput = None,
    crossings: LayerInput = None,
    study_area: StudyArea | None = None,
    barrier_kinds: Iterable[str] | None = None,
    width_m: float | Mapping[str, float] | None = None,
) -> gpd.GeoDataFrame:
    """The habitat pieces behind :func:`effective_mesh_size`, for maps.

    Parameters are those of :func:`effective_mesh_size` (the units decide
    the equal-area CRS and, by default, part of the habitat extent).

    Returns
    -------
    GeoDataFrame
        One row per piece, largest first, in the equal-area CRS used:
        ``piece_id`` (0, 1, ...), ``area_km2`` (the complete piece),
        ``area_in_units_km2`` (its part inside the union of the units).

    Examples
    --------
    >>> import geopandas as gpd
    >>> import shapely
    >>> laea = "+proj=laea +lat_0=43.5 +lon_0=131 +datum=WGS84 +units=m"
    >>> unit = gpd.GeoSeries([shapely.box(0, 0, 1e4, 1e4)], crs=laea)
    >>> road = gpd.GeoSeries([shapely.LineString([(0, 4e3), (1e4, 4e3)])], crs=laea)
    >>> habitat_pieces(unit, barriers=road, width_m=20)[["piece_id", "area_km2"]].round(2)
       piece_id  area_km2
    0         0     59.90
    1         1     39.90
    """
    scene = _scene(
        units,
        habitat=habitat,
        barriers=barriers,
        settlements=settlements,
        crossings=crossings,
        study_area=study_area,
        barrier_kinds=barrier_kinds,
        width_m=width_m,
    )
    pieces, _ = _pieces(scene)
    area = shapely.area(pieces)
    inside = shapely.area(shapely.intersection(pieces, shapely.union_all(scene.units)))
    order = np.argsort(-area, kind="stable")
    return gpd.GeoDataFrame(
        {
            "piece_id": np.arange(len(pieces), dtype=np.int64),
            "area_km2": hunits.m2_to_km2(area[order]),
            "area_in_units_km2": hunits.m2_to_km2(inside[order]),
        },
        geometry=pieces[order],
        crs=scene.crs,
    )

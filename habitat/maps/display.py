"""Vector layers made display-ready: measured, simplified, in EPSG:4326, rounded.

Everything is reprojected to EPSG:4326 for Leaflet here and only here; the
analysis never happens in the map's CRS. Areas and lengths shown in popups are
measured (:mod:`habitat.core.crs`) on the geometry as given, before the display
simplification.

Size budget
-----------
Vector geometries are simplified in a metric CRS with :func:`shapely.simplify`
(``preserve_topology=True``; each geometry stays valid, shared edges between
neighbouring polygons may shift by up to the tolerance) and their coordinates
are rounded to ``coordinate_decimals`` decimal places of a degree (5 decimals
is about 1 m).

The antimeridian
----------------
Leaflet draws a ring from longitude 179.9 to -179.9 the long way round, as a
band around the world. So (1) each geometry is made continuous when it is
reprojected (:func:`join_antimeridian`: a range around 179.9° E gets vertices
from 179.5 to 180.3), and (2) every layer of a map is drawn in one continuous
longitude range centred on the map's *central longitude* (the circular mean of
the data's longitudes, :func:`central_longitude`, kept on the map as
:data:`CENTRAL_LONGITUDE_ATTR`): whole geometries are moved by whole turns to
within 180° of it (:func:`wrap_longitudes`, :func:`map_longitudes`). Leaflet
and its tiles accept longitudes beyond ±180 when a map uses them
consistently, and ``fit_bounds`` then frames the data. Nothing is split, so
popups, areas and lengths stay those of whole geometries; layers near 131° E
(the flagship Primorsky data) keep their longitudes exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, cast, overload

import geopandas as gpd
import numpy as np
import shapely

from habitat.core import crs as hcrs
from habitat.core import units
from habitat.core.deprecation import renamed_keywords
from habitat.io.study_area import StudyArea
from habitat.maps.checks import (
    check_bool,
    check_coordinate_decimals,
    check_simplify_m,
    map_layers,
)

__all__ = [
    "CENTRAL_LONGITUDE_ATTR",
    "PREPARED_ATTR",
    "central_longitude",
    "geojson",
    "join_antimeridian",
    "map_longitudes",
    "prepare_layers",
    "to_map_crs",
    "with_metrics",
    "wrap_longitudes",
    "xy_array",
]

#: key of ``GeoDataFrame.attrs`` marking a layer made display-ready by
#: :func:`prepare_layers`: ``(simplify_m, coordinate_decimals)``
PREPARED_ATTR = "habitat_display"

#: attribute of a :class:`folium.Map` holding the longitude (degrees east) its
#: layers are drawn around (:func:`map_longitudes`)
CENTRAL_LONGITUDE_ATTR = "habitat_central_longitude"


def central_longitude(*layers: gpd.GeoDataFrame | gpd.GeoSeries | None) -> float | None:
    """Circular mean of the longitudes of the layers' rows, in degrees east (-180..180].

    Layers in a geographic CRS count every vertex (a ring crossing the
    antimeridian has its representative point near 0° E); others one
    representative point per row, taken to EPSG:4326; layers without a CRS are
    left out (they are refused, by name, when drawn). ``None`` when the layers
    hold no non-empty geometry.

    Examples
    --------
    A range on each side of the antimeridian is centred on it, not on 0° E:

    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> sides = gpd.GeoSeries([Point(179.8, 50), Point(-179.8, 50)], crs=4326)
    >>> round(abs(central_longitude(sides)), 6)
    180.0
    >>> central_longitude(gpd.GeoSeries([Point(131.2, 43.1)], crs=4326))
    131.2
    >>> central_longitude(None) is None
    True
    """
    lons: list[np.ndarray] = []
    for layer in layers:
        if layer is None or not len(layer):
            continue
        geoms = layer.geometry if isinstance(layer, gpd.GeoDataFrame) else layer
        if geoms.crs is None:
            continue  # refused by name when it is drawn (to_map_crs)
        arr = geoms.to_numpy()
        geoms = geoms[~(shapely.is_missing(arr) | shapely.is_empty(arr))]
        if not len(geoms):
            continue
        if geoms.crs.is_geographic:
            # every vertex: a ring drawn the long way round has its "centre" at 0° E
            arr = geoms.to_numpy()
        else:
            arr = geoms.representative_point().to_crs(hcrs.WGS84).to_numpy()
        lons.append(shapely.get_coordinates(arr)[:, 0])
    x = np.concatenate(lons) if lons else np.empty(0)
    x = x[np.isfinite(x)]
    if not x.size:
        return None
    rad = np.radians(x)
    sin, cos = float(np.sin(rad).mean()), float(np.cos(rad).mean())
    if np.hypot(sin, cos) < 1e-9:  # spread evenly round the globe: any centre will do
        return 0.0
    centre = float(np.degrees(np.arctan2(sin, cos)))
    # the exact value when every row is at one longitude (no rounding noise)
    return float(x[0]) if np.ptp(x) == 0 else centre


def _shift_x(arr: np.ndarray, select: np.ndarray, shift_deg: Any) -> np.ndarray:
    """Copy of ``arr`` with the x of the selected geometries moved by ``shift_deg``.

    ``shift_deg`` is a callable ``(x, index_within_selection) -> degrees``.
    """
    sub = np.array(arr[select], dtype=object)
    coords, idx = shapely.get_coordinates(sub, return_index=True)
    coords[:, 0] += shift_deg(coords[:, 0], idx)
    out = np.array(arr, dtype=object)
    out[select] = shapely.set_coordinates(sub, coords)
    return out


def join_antimeridian(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make each geometry of an EPSG:4326 layer continuous across the antimeridian.

    A geometry spanning more than 180° of longitude is taken to be one that
    crosses ±180 (no home range, park or corridor is half the globe wide): its
    vertices are moved by whole turns to within 180° of its own circular-mean
    longitude. Other geometries, and a layer without such geometries (returned
    as it is), are untouched.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Polygon, box
    >>> ring = Polygon([(179.9, 50), (-179.9, 50), (-179.9, 50.1), (179.9, 50.1)])
    >>> layer = gpd.GeoDataFrame(geometry=[ring, box(131, 43, 132, 44)], crs=4326)
    >>> joined = join_antimeridian(layer)
    >>> [g.bounds[::2] for g in joined.geometry.round(6)]
    [(179.9, 180.1), (131.0, 132.0)]
    >>> round(float(joined.geometry.iloc[0].area), 6)  # 0.2 x 0.1 degrees, not 359.8 x 0.1
    0.02
    """
    arr = gdf.geometry.to_numpy()
    bounds = shapely.bounds(arr)
    with np.errstate(invalid="ignore"):
        wide = (bounds[:, 2] - bounds[:, 0]) > 180.0
    if not wide.any():
        return gdf

    def towards_own_centre(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
        rad = np.radians(x)
        n = int(wide.sum())
        centre = np.degrees(
            np.arctan2(np.bincount(idx, np.sin(rad), n), np.bincount(idx, np.cos(rad), n))
        )
        return np.asarray(-360.0 * np.round((x - centre[idx]) / 360.0))

    joined = _shift_x(arr, wide, towards_own_centre)
    return gdf.set_geometry(gpd.GeoSeries(joined, index=gdf.index, crs=gdf.crs))


def wrap_longitudes(gdf: gpd.GeoDataFrame, central: float) -> gpd.GeoDataFrame:
    """Move whole geometries by whole turns so their centres lie within 180° of ``central``.

    ``gdf`` is in EPSG:4326 with continuous geometries (:func:`join_antimeridian`);
    a geometry is never torn apart. A layer needing no move is returned as it
    is (same object, coordinates untouched).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> layer = gpd.GeoDataFrame(
    ...     geometry=[box(-179.9, 50, -179.7, 50.1), Point(179.8, 50.2), Point(131.2, 43.1)],
    ...     crs=4326,
    ... )
    >>> [g.bounds[::2] for g in wrap_longitudes(layer, 180.0).geometry.round(6)]
    [(180.1, 180.3), (179.8, 179.8), (131.2, 131.2)]
    >>> wrap_longitudes(layer, 0.0) is layer
    True
    """
    arr = gdf.geometry.to_numpy()
    bounds = shapely.bounds(arr)
    middle = (bounds[:, 0] + bounds[:, 2]) / 2.0
    turns = np.round((middle - central) / 360.0)
    turns[~np.isfinite(turns)] = 0.0
    move = turns != 0
    if not move.any():
        return gdf
    by = -360.0 * turns[move]
    moved = _shift_x(arr, move, lambda _x, idx: by[idx])
    return gdf.set_geometry(gpd.GeoSeries(moved, index=gdf.index, crs=gdf.crs))


def map_longitudes(m: object, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Put an EPSG:4326 layer in the longitude range of map ``m``.

    Each geometry is made continuous (:func:`join_antimeridian`), then moved as
    a whole to within 180° of the map's central longitude (:func:`wrap_longitudes`).

    The first layer drawn on a map without a central longitude sets it
    (:func:`central_longitude`); :func:`habitat.maps.study_area_map` sets it
    from all its layers first.

    Examples
    --------
    >>> import folium
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> m = folium.Map(tiles=None)
    >>> east = gpd.GeoDataFrame(geometry=[Point(179.9, 50), Point(-179.9, 50)], crs=4326)
    >>> map_longitudes(m, east).geometry.x.round(6).tolist()
    [179.9, 180.1]
    >>> later = gpd.GeoDataFrame(geometry=[Point(-179.5, 50.2)], crs=4326)
    >>> map_longitudes(m, later).geometry.x.round(6).tolist()  # the same range
    [180.5]
    """
    gdf = join_antimeridian(gdf)
    central = getattr(m, CENTRAL_LONGITUDE_ATTR, None)
    if central is None:
        central = central_longitude(gdf)
        if central is None:
            return gdf
        setattr(m, CENTRAL_LONGITUDE_ATTR, central)
    return wrap_longitudes(gdf, float(central))


def _round_coords(geoms: gpd.GeoSeries, decimals: int | None) -> gpd.GeoSeries:
    """Snap to a ``10**-decimals`` degree grid (validity kept) and round the text."""
    if decimals is None:
        return geoms
    arr = shapely.set_precision(geoms.to_numpy(), 10.0**-decimals)
    arr = shapely.transform(arr, lambda xy: np.round(xy, decimals))
    return gpd.GeoSeries(arr, index=geoms.index, crs=geoms.crs)


def to_map_crs(
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    simplify_m: float | None,
    coordinate_decimals: int | None = None,
) -> gpd.GeoDataFrame:
    """Reproject a layer to EPSG:4326, simplifying in metres first (topology preserved).

    Parameters
    ----------
    gdf : GeoDataFrame
        Any declared CRS (:class:`habitat.core.errors.MissingCRSError` otherwise).
    name : str
        Layer name, for messages.
    simplify_m : float, optional
        Simplification tolerance in metres, applied in the layer's metric CRS.
    coordinate_decimals : int, optional
        Decimal places of a degree kept (5 ≈ 1 m); full precision if ``None``.

    Returns
    -------
    GeoDataFrame
        In EPSG:4326; a layer already prepared with the same settings
        (:func:`prepare_layers`) is returned as it is.

    Examples
    --------
    A 10 km square of UTM 52N becomes a lon/lat polygon rounded to 5 decimals:

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> park = gpd.GeoDataFrame(
    ...     {"name": ["park"]}, geometry=[box(500_000, 4_800_000, 510_000, 4_810_000)], crs=32652
    ... )
    >>> shown = to_map_crs(park, name="park", simplify_m=50.0, coordinate_decimals=5)
    >>> shown.crs.to_epsg(), shown.geometry.iloc[0].exterior.coords[1]
    (4326, (129.0, 43.4429))
    """
    hcrs.require_crs(gdf, name=name)
    if gdf.attrs.get(PREPARED_ATTR) == (simplify_m, coordinate_decimals) and gdf.crs == hcrs.WGS84:
        return gdf  # already made display-ready by prepare_layers
    if simplify_m:
        metric = cast(gpd.GeoDataFrame, hcrs.to_metric(gdf, name=name))
        metric = metric.set_geometry(
            shapely.simplify(metric.geometry.to_numpy(), simplify_m, preserve_topology=True)
        )
        gdf = metric
    out = join_antimeridian(cast(gpd.GeoDataFrame, hcrs.align(gdf, hcrs.WGS84, name=name)))
    if coordinate_decimals is not None:
        out = out.set_geometry(_round_coords(out.geometry, coordinate_decimals))
    return out


def with_metrics(gdf: gpd.GeoDataFrame, *, name: str) -> gpd.GeoDataFrame:
    """Add ``area_km2`` (polygons) or ``length_m`` (lines) measured by :mod:`habitat.core.crs`.

    Measured on the geometry as given, before any display simplification:
    areas in the local equal-area CRS, lengths in the UTM zone. Columns the
    layer already has are kept as they are.

    Examples
    --------
    Polygons get ``area_km2`` (the true area of a 10 km UTM square is 100.08
    km², see :func:`habitat.core.crs.area_m2`), lines ``length_m``:

    >>> import geopandas as gpd
    >>> from shapely import LineString, box
    >>> park = gpd.GeoDataFrame(geometry=[box(500_000, 4_800_000, 510_000, 4_810_000)], crs=32652)
    >>> round(float(with_metrics(park, name="park")["area_km2"].iloc[0]), 2)
    100.08
    >>> road = gpd.GeoDataFrame(
    ...     geometry=[LineString([(500_000, 4_800_000), (503_000, 4_804_000)])], crs=32652
    ... )
    >>> with_metrics(road, name="road")["length_m"].tolist()
    [5000.0]
    """
    kinds = set(gdf.geom_type.dropna().unique())
    if not len(gdf) or not kinds:
        return gdf
    if kinds <= {"Polygon", "MultiPolygon"} and "area_km2" not in gdf.columns:
        return gdf.assign(area_km2=units.area_columns(hcrs.area_m2(gdf, name=name))["area_km2"])
    if kinds <= {"LineString", "MultiLineString"} and "length_m" not in gdf.columns:
        return gdf.assign(length_m=hcrs.length_m(gdf, name=name))
    return gdf


def _prepare_one(
    gdf: gpd.GeoDataFrame, key: str, settings: tuple[float | None, int | None]
) -> gpd.GeoDataFrame:
    if gdf.attrs.get(PREPARED_ATTR) == settings and gdf.crs == hcrs.WGS84:
        return gdf  # prepared before with the same settings
    simplify_m, coordinate_decimals = settings
    ready = to_map_crs(
        with_metrics(gdf, name=key),
        name=key,
        simplify_m=simplify_m,
        coordinate_decimals=coordinate_decimals,
    )
    ready = ready.copy()
    ready.attrs[PREPARED_ATTR] = settings
    return ready


@overload
def prepare_layers(
    layers: StudyArea,
    *,
    simplify_m: float | None = ...,
    coordinate_decimals: int | None = ...,
    land_cover: bool = ...,
) -> StudyArea: ...


@overload
def prepare_layers(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    simplify_m: float | None = ...,
    coordinate_decimals: int | None = ...,
    land_cover: bool = ...,
) -> dict[str, gpd.GeoDataFrame]: ...


@renamed_keywords(coordinate_precision="coordinate_decimals")
def prepare_layers(
    layers: StudyArea | Mapping[str, gpd.GeoDataFrame],
    *,
    simplify_m: float | None = 50.0,
    coordinate_decimals: int | None = 5,
    land_cover: bool = True,
) -> StudyArea | dict[str, gpd.GeoDataFrame]:
    """Make layers display-ready once, for many maps drawn with the same settings.

    Each layer is measured (``area_km2`` of polygons, ``length_m`` of lines,
    on the geometry as given), simplified in its metric CRS (topology
    preserved), reprojected to EPSG:4326 and rounded, as
    :func:`habitat.maps.study_area_map` would do, and marked so that maps with
    the same ``simplify_m`` and ``coordinate_decimals`` use it as it is. A
    batch of per-animal maps (:mod:`habitat.batch.runner`) prepares the
    study-area layers once instead of once per page.

    Parameters
    ----------
    layers : StudyArea or mapping of str to GeoDataFrame
        A :class:`~habitat.io.study_area.StudyArea` (its roles, name, land
        cover and ``schematic`` flag are kept), or layers by name in any
        declared CRS.
    simplify_m : float, optional
        Simplification tolerance in metres (``None``: none).
    coordinate_decimals : int, optional
        Decimal places of a degree kept (5 ≈ 1 m). Formerly
        ``coordinate_precision`` (still accepted, deprecated).
    land_cover : bool
        Keep a study area's land cover (maps draw it by default); ``False``
        leaves it out, e.g. for small per-animal maps that never show it
        (and so that it is not copied to every worker).

    Returns
    -------
    StudyArea or dict of str to GeoDataFrame
        The same kind as ``layers``, with display-ready layers in EPSG:4326
        (empty layers of a study area left out); pass it as the first argument
        of :func:`habitat.maps.study_area_map` with the same two settings. Its
        geometries are simplified: draw maps with them, measure nothing on them.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, box
    >>> park = box(500_000, 4_800_000, 510_000, 4_810_000)
    >>> road = LineString([(500_000, 4_800_000), (503_000, 4_804_000)])
    >>> layers = {
    ...     "park": gpd.GeoDataFrame(geometry=[park], crs=32652),
    ...     "road": gpd.GeoDataFrame(geometry=[road], crs=32652),
    ... }
    >>> ready = prepare_layers(layers)
    >>> {name: (gdf.crs.to_epsg(), gdf.attrs[PREPARED_ATTR]) for name, gdf in ready.items()}
    {'park': (4326, (50.0, 5)), 'road': (4326, (50.0, 5))}
    >>> sorted(ready["park"].columns), sorted(ready["road"].columns)
    (['area_km2', 'geometry'], ['geometry', 'length_m'])

    Prepared layers pass through a second time untouched:

    >>> prepare_layers(ready)["park"] is ready["park"]
    True

    A study area stays a study area, its roles and name kept:

    >>> from habitat.io.study_area import StudyArea, study_layer
    >>> area = StudyArea([study_layer(layers["park"], "parks", label="Park")], name="Demo")
    >>> shown = prepare_layers(area)
    >>> shown.name, shown.layers[0].role, shown.layers[0].data.attrs[PREPARED_ATTR]
    ('Demo', 'protected_areas', (50.0, 5))
    """
    land_cover = check_bool(land_cover, name="land_cover")
    simplify_m = check_simplify_m(simplify_m)
    coordinate_decimals = check_coordinate_decimals(coordinate_decimals)
    settings = (simplify_m, coordinate_decimals)
    if isinstance(layers, StudyArea):
        return StudyArea(
            [
                dataclasses.replace(lyr, data=_prepare_one(lyr.data, lyr.key, settings))
                for lyr in layers.layers
                if len(lyr.data)
            ],
            land_cover=layers.land_cover if land_cover else None,
            name=layers.name,
            species=layers.species,
            schematic=layers.schematic,
        )
    checked = map_layers(layers)
    return {key: _prepare_one(gdf, key, settings) for key, gdf in checked.items()}


def geojson(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """GeoJSON dict of a layer, features keyed by index, without per-feature bboxes.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> site = gpd.GeoDataFrame({"name": ["Barsovy"]}, geometry=[Point(131.25, 43.1)], crs=4326)
    >>> feature = geojson(site)["features"][0]
    >>> feature["id"], feature["properties"], "bbox" in feature
    ('0', {'name': 'Barsovy'}, False)
    """
    return gdf.to_geo_dict(show_bbox=False, drop_id=False)


def xy_array(geoms: gpd.GeoSeries) -> np.ndarray:
    """(n, 2) array of point coordinates (x = longitude, y = latitude in EPSG:4326).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> xy_array(gpd.GeoSeries([Point(131.25, 43.1), Point(131.5, 43.2)], crs=4326)).tolist()
    [[131.25, 43.1], [131.5, 43.2]]
    """
    return np.column_stack([geoms.x.to_numpy(), geoms.y.to_numpy()])

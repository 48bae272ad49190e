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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import geopandas as gpd
import numpy as np
import shapely

from habitat.core import crs as hcrs
from habitat.core import units
from habitat.core.deprecation import renamed_keywords

__all__ = [
    "PREPARED_ATTR",
    "geojson",
    "prepare_layers",
    "to_map_crs",
    "with_metrics",
    "xy_array",
]

#: key of ``GeoDataFrame.attrs`` marking a layer made display-ready by
#: :func:`prepare_layers`: ``(simplify_m, coordinate_decimals)``
PREPARED_ATTR = "habitat_display"


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
    out = cast(gpd.GeoDataFrame, hcrs.align(gdf, hcrs.WGS84, name=name))
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


@renamed_keywords(coordinate_precision="coordinate_decimals")
def prepare_layers(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    simplify_m: float | None = 50.0,
    coordinate_decimals: int | None = 5,
) -> dict[str, gpd.GeoDataFrame]:
    """Make layers display-ready once, for many maps drawn with the same settings.

    Each layer is simplified in its metric CRS (topology preserved), reprojected
    to EPSG:4326 and rounded, as :func:`habitat.maps.study_area_map` would do,
    and marked so that maps with the same ``simplify_m`` and
    ``coordinate_decimals`` use it as it is. A batch of per-animal maps
    (:mod:`habitat.batch.runner`) prepares the study-area layers once instead
    of once per page.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layers by name, any declared CRS.
    simplify_m : float, optional
        Simplification tolerance in metres (``None``: none).
    coordinate_decimals : int, optional
        Decimal places of a degree kept (5 ≈ 1 m). Formerly
        ``coordinate_precision`` (still accepted, deprecated).

    Returns
    -------
    dict of str to GeoDataFrame
        The layers in EPSG:4326; pass them to :func:`habitat.maps.study_area_map`
        with the same two settings.

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
    """
    out = {}
    settings = (simplify_m, coordinate_decimals)
    for key, gdf in layers.items():
        if gdf.attrs.get(PREPARED_ATTR) == settings and gdf.crs == hcrs.WGS84:
            out[key] = gdf  # prepared before with the same settings
            continue
        ready = to_map_crs(
            with_metrics(gdf, name=key),
            name=key,
            simplify_m=simplify_m,
            coordinate_decimals=coordinate_decimals,
        )
        ready = ready.copy()
        ready.attrs[PREPARED_ATTR] = settings
        out[key] = ready
    return out


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

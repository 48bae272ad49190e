"""Measuring habitat layers: areas and lengths with units in every column name."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from habitat.core import crs as hcrs
from habitat.core import units
from habitat.core.errors import EmptyDataError
from habitat.core.validation import (
    require_finite_coordinates,
    require_geodata,
    require_layer_mapping,
)

__all__ = ["summarise_layers"]


def summarise_layers(layers: Mapping[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """One row per layer: geometry type, feature count, area and length.

    Areas are measured in the local equal-area CRS (:func:`habitat.core.crs.area_m2`),
    lengths in the UTM zone of the layer (:func:`habitat.core.crs.length_m`).

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        e.g. :func:`habitat.datasets.layers`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``layer`` with ``geometry_type``, ``n_features``, ``area_km2``,
        ``area_sq_mi`` (polygon layers; NaN otherwise), ``length_km`` (line
        layers; NaN otherwise) and ``crs``.

    Examples
    --------
    A 10 km UTM grid square (100.05 km² on the ground: the UTM scale factor)
    and a 10 km road:

    >>> import geopandas as gpd
    >>> import shapely
    >>> layers = {
    ...     "square": gpd.GeoDataFrame(
    ...         geometry=[shapely.box(600_000, 4_750_000, 610_000, 4_760_000)], crs=32652),
    ...     "road": gpd.GeoDataFrame(
    ...         geometry=[shapely.LineString([(600_000, 4_754_000), (610_000, 4_754_000)])],
    ...         crs=32652),
    ... }
    >>> summarise_layers(layers).drop(columns="crs").round(2)
           geometry_type  n_features  area_km2  area_sq_mi  length_km
    layer
    square       Polygon           1    100.05       38.63        NaN
    road      LineString           1       NaN         NaN       10.0

    The bundled layers:

    >>> from habitat import datasets
    >>> table = summarise_layers(datasets.layers(["land_of_the_leopard", "roads"]))
    >>> table[["n_features", "area_km2", "length_km"]].round(1)
                         n_features  area_km2  length_km
    layer
    land_of_the_leopard           1    2620.0        NaN
    roads                         7       NaN      331.5
    """
    layers = require_layer_mapping(layers)
    if not layers:
        raise EmptyDataError("layers is empty; give at least one layer to summarise.")
    for name, gdf in layers.items():  # every layer checked before any work
        require_geodata(gdf, name=name, hint="give each layer as a GeoDataFrame with a CRS.")
        hcrs.require_crs(gdf, name=name)
        require_finite_coordinates(gdf, name=name)
    rows = []
    for name, gdf in layers.items():
        types = sorted(set(gdf.geom_type.dropna()))
        is_poly = bool(types) and set(types) <= {"Polygon", "MultiPolygon"}
        is_line = bool(types) and set(types) <= {"LineString", "MultiLineString"}
        area = hcrs.area_m2(gdf, name=name).sum() if is_poly else float("nan")
        length = hcrs.length_m(gdf, name=name).sum() if is_line else float("nan")
        rows.append(
            {
                "layer": name,
                "geometry_type": "/".join(types),
                "n_features": len(gdf),
                **units.area_columns(area),
                "length_km": units.convert_length(length, "m", "km"),
                "crs": hcrs.describe_crs(gdf.crs),
            }
        )
    out = pd.DataFrame(rows).set_index("layer")
    out["area_km2"] = out["area_km2"].astype(float)
    out["area_sq_mi"] = out["area_sq_mi"].astype(float)
    return out

"""What a map draws of a study area: a :class:`~habitat.io.study_area.StudyArea` from any input.

:func:`habitat.maps.study_area_map` draws a study area's layers by their
**role** (protected areas, admin units, barriers, settlements, crossings,
context), never by bundled layer names. :func:`as_study_area` turns what a
caller gives into a study area: a :class:`~habitat.io.study_area.StudyArea` as
it is, ``None`` as no layers, and a mapping of layer names to GeoDataFrames
(the 0.1 way to call the map) into layers with roles
(:func:`habitat.datasets.study_area_from_layers`, the one conversion of such
a mapping): bundled names keep their bundled roles, names that spell a role
get it, anything else is ``context`` (drawn, not measured); a layer whose
geometries its role cannot take is ``context`` too; the layer's own ``zone``,
``category``, ``kind`` and ``width_m`` columns fill the standard columns; the
rows with a ``crossing`` value also form a ``crossings`` layer. The bundled
labels and study-area identity apply only to the bundled data themselves.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from habitat import datasets
from habitat.core.errors import HabitatError, InputError
from habitat.datasets import CROSSINGS_LABEL, study_area_from_layers
from habitat.io.study_area import STANDARD_COLUMNS, StudyArea, StudyLayer
from habitat.maps.checks import map_layers, warn_if_empty
from habitat.maps.display import PREPARED_ATTR

__all__ = [
    "DRAW_ORDER",
    "LEGACY_CROSSINGS_LABEL",
    "as_study_area",
    "drawing_order",
    "layers_to_study_area",
    "present_columns",
]

#: roles in the order they are drawn (later ones on top)
DRAW_ORDER = (
    "admin_units",
    "context",
    "protected_areas",
    "barriers",
    "settlements",
    "crossings",
)
#: label of the crossings found in a mapping layer's ``crossing`` column
LEGACY_CROSSINGS_LABEL = CROSSINGS_LABEL


def _with_prepared(layer: StudyLayer, source: gpd.GeoDataFrame | None) -> StudyLayer:
    """Keep the display-ready mark of a layer made by :func:`habitat.maps.prepare_layers`.

    :func:`~habitat.io.study_area.study_layer` copies the geometries of an
    EPSG:4326 layer unchanged, so they are still the prepared ones.
    """
    if source is None:
        return layer
    mark = source.attrs.get(PREPARED_ATTR)
    if mark is not None and source.crs is not None and source.crs.equals("EPSG:4326"):
        layer.data.attrs[PREPARED_ATTR] = mark
    return layer


def _source_of(layer: StudyLayer, layers: Mapping[str, gpd.GeoDataFrame]) -> Any:
    """The mapping layer a study layer was made from (a crossings layer: its roads)."""
    if layer.key in layers:
        return layers[layer.key]
    for key, gdf in layers.items():
        if "crossing" in gdf.columns and layer.key in ("crossings", f"{key}_crossings"):
            return gdf
    return None


@functools.lru_cache(maxsize=64)
def _prepared_bundled(key: str, settings: tuple[Any, ...]) -> gpd.GeoDataFrame:
    """The bundled layer ``key`` made display-ready with ``settings`` (cached)."""
    from habitat.maps.display import prepare_layers

    simplify_m, decimals = settings
    ready = prepare_layers(
        {key: datasets.layer(key)}, simplify_m=simplify_m, coordinate_decimals=decimals
    )
    return ready[key]


def _bundled_original(key: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """The bundled layer when ``gdf`` is it made display-ready by prepare_layers, else None."""
    mark = gdf.attrs.get(PREPARED_ATTR)
    if mark is None or key not in datasets.PRIMORSKY_ROLES:
        return None
    try:
        ref = _prepared_bundled(key, tuple(mark))
    except (HabitatError, TypeError, ValueError):
        return None
    if len(ref) != len(gdf) or gdf.crs is None or not gdf.crs.equals(ref.crs):
        return None
    same = shapely.equals_exact(gdf.geometry.to_numpy(), ref.geometry.to_numpy(), tolerance=0.0)
    return datasets.layer(key) if bool(np.all(same)) else None


def _with_bundled_names(
    area: StudyArea, layers: Mapping[str, gpd.GeoDataFrame], name: str | None
) -> StudyArea:
    """``area`` with the bundled labels, names and identity of prepared bundled layers.

    :func:`habitat.maps.prepare_layers` simplifies and rounds the geometries,
    so the bundled layers it returns are no longer equal to the bundled data;
    they are recognised here by preparing the bundled layer the same way.
    """
    originals = {k: _bundled_original(k, v) for k, v in layers.items()}
    if not any(v is not None for v in originals.values()):
        return area
    with warnings.catch_warnings():  # warned once already, by the first conversion
        warnings.simplefilter("ignore")
        named = study_area_from_layers(
            {k: layers[k] if v is None else v for k, v in originals.items()}, name=name
        )
    own = {lyr.key: lyr for lyr in named.layers}
    out = []
    for lyr in area.layers:
        twin = own.get(lyr.key)
        if (
            originals.get(lyr.key) is not None
            and twin is not None
            and len(twin.data) == len(lyr.data)
        ):
            data = lyr.data.copy()
            for column in STANDARD_COLUMNS:
                data[column] = twin.data[column].to_numpy()
            data.attrs = dict(lyr.data.attrs)
            lyr = dataclasses.replace(lyr, label=twin.label, data=data)
        out.append(lyr)
    return StudyArea(
        out,
        land_cover=area.land_cover,
        name=named.name,
        species=named.species,
        schematic=named.schematic,
    )


def layers_to_study_area(
    layers: Mapping[str, gpd.GeoDataFrame], *, name: str | None = None
) -> StudyArea:
    """A study area from a mapping of layer names to GeoDataFrames (the 0.1 map input).

    :func:`habitat.datasets.study_area_from_layers` (see the module
    docstring), after the map's own checks: empty layers are left out with a
    :class:`~habitat.core.errors.DataQualityWarning` naming them, and layers
    made display-ready by :func:`habitat.maps.prepare_layers` stay so (the
    bundled layers prepared so keep their bundled labels and names).

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layers by name, any declared CRS.
    name : str, optional
        Name of the study area (default: the bundled name for the bundled
        layers, else "Study area").

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, box
    >>> park = gpd.GeoDataFrame({"name": ["Green Park"], "zone": ["core"]},
    ...                         geometry=[box(10.0, 50.0, 10.2, 50.1)], crs=4326)
    >>> roads = gpd.GeoDataFrame({"name": ["B1", "B1"], "crossing": [None, "Deer bridge"]},
    ...                          geometry=[LineString([(10, 50), (10.1, 50)]),
    ...                                    LineString([(10.1, 50), (10.2, 50)])], crs=4326)
    >>> area = layers_to_study_area({"my_park": park, "roads": roads})
    >>> area.summary()[["key", "role", "n_features"]].values.tolist()
    [['my_park', 'context', 1], ['roads', 'barriers', 2], ['crossings', 'crossings', 1]]
    >>> area.layers[0].data["zone"].tolist(), area.features("crossings")["name"].tolist()
    (['core'], ['Deer bridge'])
    """
    checked = {k: v for k, v in map_layers(layers).items() if not warn_if_empty(v, name=k)}
    area = study_area_from_layers(checked, name=name)
    kept = [_with_prepared(lyr, _source_of(lyr, checked)) for lyr in area.layers]
    area = StudyArea(
        kept,
        land_cover=area.land_cover,
        name=area.name,
        species=area.species,
        schematic=area.schematic,
    )
    return _with_bundled_names(area, checked, name)


def as_study_area(study_area: object) -> StudyArea:
    """The study area a map draws: a StudyArea as it is, None as none, a mapping converted.

    Raises
    ------
    InputError
        For anything else, and for a mapping whose values are not GeoDataFrames
        (naming the layer).

    Examples
    --------
    >>> as_study_area(None).is_empty
    True
    >>> as_study_area("layers.gpkg")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: study_area must be a StudyArea (habitat.datasets.primorsky(), \
habitat.StudyArea(...)) or None; legacy layers must be a mapping of layer names to GeoDataFrames \
(e.g. habitat.datasets.layers()); not str.
    """
    if study_area is None:
        return StudyArea()
    if isinstance(study_area, StudyArea):
        return study_area
    if isinstance(study_area, Mapping):
        return layers_to_study_area(study_area)
    raise InputError(
        "study_area must be a StudyArea (habitat.datasets.primorsky(), habitat.StudyArea(...)) "
        "or None; legacy layers must be a mapping of layer names to GeoDataFrames (e.g. "
        f"habitat.datasets.layers()); not {type(study_area).__name__}."
    )


def drawing_order(area: StudyArea, styled: Mapping[str, Any]) -> list[StudyLayer]:
    """Layers with a style of their own first (``styled`` order), then by :data:`DRAW_ORDER`."""
    keyed = [lyr for key in styled for lyr in area.layers if lyr.key == key]
    rest = [lyr for lyr in area.layers if lyr.key not in styled]
    rest.sort(key=lambda lyr: DRAW_ORDER.index(lyr.role) if lyr.role in DRAW_ORDER else 0)
    return [lyr for lyr in [*keyed, *rest] if len(lyr.data)]


def present_columns(gdf: gpd.GeoDataFrame, columns: tuple[str, ...]) -> list[str]:
    """The ``columns`` that ``gdf`` has with at least one value."""
    return [c for c in columns if c in gdf.columns and bool(pd.notna(gdf[c]).any())]

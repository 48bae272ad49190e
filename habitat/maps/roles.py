"""What a map draws of a study area: a :class:`~habitat.io.study_area.StudyArea` from any input.

:func:`habitat.maps.study_area_map` draws a study area's layers by their
**role** (protected areas, admin units, barriers, settlements, crossings,
context), never by bundled layer names. :func:`as_study_area` turns what a
caller gives into a study area: a :class:`~habitat.io.study_area.StudyArea` as
it is, ``None`` as no layers, and a mapping of layer names to GeoDataFrames
(the 0.1 way to call the map) into layers with roles:

* a bundled layer name (:data:`habitat.datasets.PRIMORSKY_ROLES`) keeps its
  bundled role and label, a name that spells a role or alias (``"roads"``,
  ``"parks"``, ``"settlements"``...) gets that role, anything else is
  ``context`` (drawn, not measured); a layer whose geometries its inferred role
  cannot take is ``context`` too;
* the layer's own ``zone``, ``category``, ``kind`` and ``width_m`` columns fill
  the standard columns of that name;
* the rows of a layer with a ``crossing`` value (the 0.1 convention of the
  bundled roads) are also a ``crossings`` layer, so tunnels and wildlife
  crossings stay highlighted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from habitat.core import crs as hcrs
from habitat.core.errors import GeometryTypeError, InputError
from habitat.datasets import PRIMORSKY_ROLES
from habitat.io.study_area import ROLE_ALIASES, StudyArea, StudyLayer, study_layer
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
LEGACY_CROSSINGS_LABEL = "Tunnels & wildlife crossings"
#: a layer's own columns that fill the standard column of the same name
_COLUMN_OPTIONS = {
    "zone": "zone_column",
    "category": "category_column",
    "kind": "kind_column",
    "width_m": "width_column",
}


def _inferred_role(key: str) -> tuple[str, str]:
    """(role, label) of a mapping layer from its name."""
    if key in PRIMORSKY_ROLES:
        role, label, _ = PRIMORSKY_ROLES[key]
        return role, label
    word = key.strip().lower().replace("-", "_").replace(" ", "_")
    return (word if word in ROLE_ALIASES else "context"), key


def _with_prepared(layer: StudyLayer, source: gpd.GeoDataFrame) -> StudyLayer:
    """Keep the display-ready mark of a layer made by :func:`habitat.maps.prepare_layers`.

    :func:`~habitat.io.study_area.study_layer` copies the geometries of an
    EPSG:4326 layer unchanged, so they are still the prepared ones.
    """
    mark = source.attrs.get(PREPARED_ATTR)
    if mark is not None and source.crs is not None and source.crs.equals("EPSG:4326"):
        layer.data.attrs[PREPARED_ATTR] = mark
    return layer


def _study_layer(gdf: gpd.GeoDataFrame, role: str, **options: Any) -> StudyLayer:
    try:
        return study_layer(gdf, role, **options)
    except GeometryTypeError:  # a name that spells a role its geometries do not fit
        return study_layer(gdf, "context", **options)


def _crossings(key: str, gdf: gpd.GeoDataFrame, taken: set[str]) -> StudyLayer | None:
    """The rows of ``gdf`` with a ``crossing`` value, as a crossings layer (or None)."""
    values = gdf["crossing"]
    has = values.notna() & values.astype(str).str.strip().ne("")
    rows = gdf[has.to_numpy()]
    if not len(rows):
        return None
    new_key = "crossings" if "crossings" not in taken else f"{key}_crossings"
    try:
        layer = study_layer(
            rows,
            "crossings",
            key=new_key,
            label=LEGACY_CROSSINGS_LABEL,
            name_column="crossing",
            kind_column="kind" if "kind" in rows.columns else None,
        )
    except GeometryTypeError:  # polygons: drawn with their own layer only
        return None
    return _with_prepared(layer, gdf)


def layers_to_study_area(
    layers: Mapping[str, gpd.GeoDataFrame], *, name: str = "Study area"
) -> StudyArea:
    """A study area from a mapping of layer names to GeoDataFrames (the 0.1 map input).

    Roles come from the names (see the module docstring); the layers' own
    ``zone``, ``category``, ``kind`` and ``width_m`` columns are kept as the
    standard columns, and rows with a ``crossing`` value also form a
    crossings layer. Empty layers are left out with a
    :class:`~habitat.core.errors.DataQualityWarning` naming them.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layers by name, any declared CRS.
    name : str
        Name of the study area.

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
    out: list[StudyLayer] = []
    taken = set(checked)
    crossings: list[StudyLayer] = []
    for key, gdf in checked.items():
        hcrs.require_crs(gdf, name=f"layer {key!r}")  # named by its key, as the caller knows it
        role, label = _inferred_role(key)
        options = {opt: col for col, opt in _COLUMN_OPTIONS.items() if col in gdf.columns}
        out.append(_with_prepared(_study_layer(gdf, role, key=key, label=label, **options), gdf))
        if "crossing" in gdf.columns:
            found = _crossings(key, gdf, taken)
            if found is not None:
                taken.add(found.key)
                crossings.append(found)
    return StudyArea([*out, *crossings], name=name)


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

"""The whole map: :func:`study_area_map`, a pipeline of the ``add_*`` steps.

:func:`study_area_map` draws a study area (:class:`~habitat.io.study_area.StudyArea`)
by the roles of its layers: protected areas (zones coloured and listed in the
legend by the user's zone names), admin units (outlines), barriers (lines by
kind: road, railway, river, fence), settlements (points), crossings
(highlighted), context; the land cover as an image overlay; home ranges as
nested isopleths, fixes (points, clusters or a heat map), corridors and
current density; with a grouped layer control, a legend, tooltips and popups
in readable units, and fullscreen, measure, minimap and scale controls. The
view fits the data and the protected areas they touch, the title comes from
the study area or the data. Each of those is one named step below, acting on
a :class:`MapParts` that collects the layers of each control group, the
legend entries and the boxes to fit the view to.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypedDict, cast

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium import plugins

from habitat.core import crs as hcrs
from habitat.core.deprecation import renamed_keywords
from habitat.core.errors import InputError
from habitat.core.validation import require_geodataframe
from habitat.io.raster import Raster
from habitat.io.study_area import StudyArea, StudyLayer
from habitat.maps.checks import (
    check_bool,
    check_coordinate_decimals,
    check_max_fixes,
    check_simplify_m,
    check_text,
    check_tiles,
    warn_if_empty,
)
from habitat.maps.display import (
    CENTRAL_LONGITUDE_ATTR,
    central_longitude,
    map_longitudes,
    prepare_layers,
)
from habitat.maps.layers import (
    FIX_MODES,
    add_corridors,
    add_home_ranges,
    add_relocations,
    add_vector_layer,
    focus_set,
)
from habitat.maps.legend import add_legend
from habitat.maps.overlays import add_current_density, add_land_cover, raster_lonlat_bounds
from habitat.maps.roles import as_study_area, drawing_order, present_columns
from habitat.maps.style import (
    BARRIER_STYLES,
    CORRIDOR_COLOUR,
    LAYER_STYLES,
    PINCH_POINT_COLOUR,
    ROLE_STYLES,
    SEX_COLOURS,
    SEX_NAMES,
    ZONE_COLOURS,
    barrier_class,
    format_number,
    individual_palette,
)

__all__ = ["MapParts", "add_layer_control", "study_area_map"]

#: columns shown in layer tooltips when a layer has values in them: the
#: standard columns of a study layer, then those of the bundled layers
_TIP_COLUMNS = (
    "name",
    "zone",
    "category",
    "kind",
    "width",
    "population",
    "country",
    "countries",
    "crossing",
    "length_m",
    "opened",
    "iucn_category",
    "established",
    "target_area_km2",
)
#: the view reaches beyond the data by at most this share of their larger side...
_VIEW_MARGIN_SHARE = 0.25
#: ... and at least this many km (as :meth:`habitat.io.study_area.StudyArea.near` keeps layers)
_VIEW_MARGIN_KM = 25.0
#: km per degree of latitude (and of longitude at the equator), for the view margin
_KM_PER_DEGREE = 111.32
#: the generic name of a study area, replaced by a title from the data
_GENERIC_NAME = "Study area"
#: most animals listed one by one in the legend
_MAX_LEGEND_ANIMALS = 20


class _Size(TypedDict):
    """The size-budget settings every vector step takes."""

    simplify_m: float | None
    coordinate_decimals: int | None


@dataclass
class MapParts:
    """What the steps of :func:`study_area_map` collect while they draw.

    Attributes
    ----------
    m : folium.Map
        The map being drawn.
    groups : dict
        Layer-control group -> the layers added under it.
    legend : list of (label, colour)
        Legend entries without a heading.
    sections : dict
        Legend heading -> its (label, colour) entries.
    boxes : list of numpy.ndarray
        (west, south, east, north) boxes of the data (ranges, fixes, corridors).
    focus_boxes : list of numpy.ndarray
        Boxes of the focused animals (the view fits these when there are any).
    layer_views : list of (str, GeoDataFrame)
        Role and display-ready features of each study-area layer drawn, for
        fitting the view.
    zone_colours : dict
        Zone name -> colour, shared by every protected-area layer.
    colours : dict
        individual -> colour of the ranges and fixes drawn.
    have_ranges, have_fixes, have_intervals : bool
        Whether home ranges, fixes and area intervals (AKDE bands) were drawn.

    Examples
    --------
    A step adds its layers inside :meth:`group`, which files them under a
    layer-control heading:

    >>> import folium
    >>> parts = MapParts(folium.Map(tiles=None))
    >>> with parts.group("Context"):
    ...     _ = folium.FeatureGroup(name="Primorsky Krai").add_to(parts.m)
    >>> {name: [layer.layer_name for layer in group] for name, group in parts.groups.items()}
    {'Context': ['Primorsky Krai']}
    """

    m: folium.Map
    groups: dict[str, list[folium.map.Layer]] = field(default_factory=dict)
    legend: list[tuple[str, str]] = field(default_factory=list)
    sections: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    boxes: list[np.ndarray] = field(default_factory=list)
    focus_boxes: list[np.ndarray] = field(default_factory=list)
    layer_views: list[tuple[str, gpd.GeoDataFrame]] = field(default_factory=list)
    zone_colours: dict[str, str] = field(default_factory=dict)
    colours: dict[str, str] = field(default_factory=dict)
    have_ranges: bool = False
    have_fixes: bool = False
    have_intervals: bool = False

    @contextmanager
    def group(self, name: str) -> Iterator[None]:
        """Put the layers added to the map inside the ``with`` block in control group ``name``."""
        before = set(self.m._children)
        yield
        self.groups.setdefault(name, []).extend(
            child
            for key, child in self.m._children.items()
            if key not in before and isinstance(child, folium.map.Layer)
        )

    def add_boxes(self, gdf: gpd.GeoDataFrame, name: str, focused: set[str] | None) -> None:
        """Add the lon/lat box of ``gdf`` and, with a focus, of the focused animals' rows."""
        self.boxes.append(_lonlat_box(self.m, gdf, name))
        if focused is not None:
            sel = gdf[gdf["individual"].astype(str).isin(focused)]
            if len(sel):
                self.focus_boxes.append(_lonlat_box(self.m, sel, name))


def _lonlat_box(m: folium.Map, gdf: gpd.GeoDataFrame, name: str) -> np.ndarray:
    """(west, south, east, north) of ``gdf`` in the map's longitude range."""
    lonlat = cast(gpd.GeoDataFrame, hcrs.align(gdf, hcrs.WGS84, name=name))
    return np.asarray(map_longitudes(m, lonlat).total_bounds, dtype=float)


# ------------------------------------------------------------------------ checks
def _optional_table(table: object, name: str) -> gpd.GeoDataFrame | None:
    """``None``, or a GeoDataFrame (an empty one is warned about, naming it, and left out)."""
    if table is None:
        return None
    gdf = require_geodataframe(table, name=name)
    return None if warn_if_empty(gdf, name=name) else gdf


def _check_options(fixes: str | None, colour_by: str) -> None:
    if fixes is not None and fixes not in FIX_MODES:
        raise InputError(
            f"fixes={fixes!r} is not one of {', '.join(map(repr, FIX_MODES))} or None."
        )
    if colour_by not in {"individual", "sex"}:
        raise InputError(f"colour_by={colour_by!r}: use 'individual' or 'sex'.")


def _check_focus(
    focused: set[str] | None,
    ranges: gpd.GeoDataFrame | None,
    relocations: gpd.GeoDataFrame | None,
) -> None:
    if focused is None:
        return
    known: set[str] = set()
    for table in (ranges, relocations):
        if table is not None and len(table):
            known |= set(table["individual"].astype(str))
    missing = sorted(focused - known)
    if missing:
        raise InputError(
            f"focus individual(s) {missing} are in neither the ranges nor the fixes; "
            f"known individuals: {', '.join(sorted(known)) or 'none'}."
        )


# ------------------------------------------------------------------------- steps
def _new_map(tiles: str | None) -> folium.Map:
    # without a tile layer Leaflet has no maximum zoom, which marker clusters need
    options: dict[str, Any] = {} if tiles else {"maxZoom": 18}
    return folium.Map(tiles=tiles, control_scale=True, **options)


def _add_zoned(
    parts: MapParts,
    layer: StudyLayer,
    style: dict[str, Any],
    tips: Sequence[str],
    size: _Size,
) -> bool:
    """A layer split by its ``zone`` column, one sub-layer and legend entry per zone.

    Features without a zone are drawn as the layer itself. Zone colours are
    shared by every layer (the same zone name, the same colour). ``False``
    (nothing drawn) when no feature has a zone.
    """
    gdf = layer.data
    if "zone" not in gdf.columns:
        return False
    zoned = gdf["zone"].notna().to_numpy()
    if not zoned.any():
        return False
    parent = folium.FeatureGroup(name=html.escape(style["label"]), show=style["show"])
    parent.add_to(parts.m)
    if not zoned.all():
        add_vector_layer(
            parts.m,
            gdf[~zoned],
            name=layer.key,
            label=style["label"],
            colour=style["color"],
            tooltip_columns=tips,
            parent=parent,
            style=style,
            **size,
        )
        parts.legend.append((style["label"], style["color"]))
    for val, part in gdf[zoned].groupby("zone", sort=False):
        zone = str(val)
        new = zone not in parts.zone_colours
        colour = parts.zone_colours.setdefault(
            zone, ZONE_COLOURS[len(parts.zone_colours) % len(ZONE_COLOURS)]
        )
        add_vector_layer(
            parts.m,
            part,
            name=f"{layer.key}:{zone}",
            label=zone,
            colour=colour,
            tooltip_columns=tips,
            parent=parent,
            style={**style, "fillOpacity": 0.35},
            **size,
        )
        if new:
            parts.legend.append((f"Zone: {zone}", colour))
    return True


def _add_barriers(
    parts: MapParts,
    layer: StudyLayer,
    style: dict[str, Any],
    tips: Sequence[str],
    size: _Size,
) -> None:
    """Barrier lines styled by class of kind (:func:`habitat.maps.style.barrier_class`).

    A kind without a class takes the layer's most common class (a railway
    layer's ``bridge`` rows are railway), else ``other``. A layer of one class
    is one layer; several classes are sub-layers, each in the legend.
    """
    gdf = layer.data
    kinds = gdf["kind"] if "kind" in gdf.columns else None
    classes = np.array(
        [barrier_class(k) for k in (kinds if kinds is not None else [None] * len(gdf))],
        dtype=object,
    )
    known = classes[classes != None]  # noqa: E711 (element-wise)
    if len(known):
        values, counts = np.unique(known.astype(str), return_counts=True)
        classes[classes == None] = values[np.argmax(counts)]  # noqa: E711
    else:
        classes[:] = "other"
    found = list(dict.fromkeys(classes.tolist()))
    if len(found) == 1:
        look = {**style, **BARRIER_STYLES[found[0]]}
        add_vector_layer(
            parts.m,
            gdf,
            name=layer.key,
            label=style["label"],
            colour=look["color"],
            tooltip_columns=tips,
            show=style["show"],
            style=look,
            **size,
        )
        parts.legend.append((style["label"], look["color"]))
        return
    parent = folium.FeatureGroup(name=html.escape(style["label"]), show=style["show"])
    parent.add_to(parts.m)
    for cls in found:
        look = {**style, **BARRIER_STYLES[cls]}
        label = f"{style['label']}: {cls}"
        add_vector_layer(
            parts.m,
            gdf[classes == cls],
            name=f"{layer.key}:{cls}",
            label=label,
            colour=look["color"],
            tooltip_columns=tips,
            parent=parent,
            style=look,
            **size,
        )
        parts.legend.append((label, look["color"]))


def _with_width_text(layer: StudyLayer) -> StudyLayer:
    """Widths (``width_m``) as ``"12 m"`` text in a ``width`` column for tooltips.

    Widths of roads and fences are metres, not the km a ``*_m`` length is shown in.
    """
    gdf = layer.data
    if "width_m" not in gdf.columns or not gdf["width_m"].notna().any():
        return layer
    metres = pd.to_numeric(gdf["width_m"], errors="coerce").to_numpy(dtype=float)
    text = [f"{format_number(v)} m" if np.isfinite(v) else None for v in metres]
    data = gdf.drop(columns="width_m").assign(width=text)
    data.attrs = dict(gdf.attrs)
    return dataclasses.replace(layer, data=data)


def _layer_style(layer: StudyLayer) -> dict[str, Any]:
    """The layer's own style (:data:`LAYER_STYLES`, by key), else its role's; its own label.

    The label is the layer's: a user's park under a bundled key is not labelled
    as the bundled park (:func:`habitat.datasets.study_area_from_layers`).
    """
    own = LAYER_STYLES.get(layer.key)
    if own is not None:
        return {**own, "label": layer.label}
    return {**ROLE_STYLES.get(layer.role, ROLE_STYLES["context"]), "label": layer.label}


def _add_study_layers(
    parts: MapParts,
    area: StudyArea,
    *,
    simplify_m: float | None,
    coordinate_decimals: int | None,
) -> None:
    """The study-area layers, styled by key (:data:`LAYER_STYLES`) or by role (:data:`ROLE_STYLES`).

    Layers with a style of their own come first, in its order, then the
    others by role: admin units, context, protected areas, barriers,
    settlements and crossings on top.
    """
    size: _Size = {"simplify_m": simplify_m, "coordinate_decimals": coordinate_decimals}
    for layer in drawing_order(area, LAYER_STYLES):
        layer = _with_width_text(layer)
        gdf = layer.data
        style = _layer_style(layer)
        tips = present_columns(gdf, _TIP_COLUMNS)
        with parts.group(style.get("group", "Other layers")):
            if (layer.role == "protected_areas" or style.get("by")) and _add_zoned(
                parts, layer, style, tips, size
            ):
                pass
            elif layer.role == "barriers" and layer.key not in LAYER_STYLES:
                _add_barriers(parts, layer, style, tips, size)
            else:
                add_vector_layer(
                    parts.m,
                    gdf,
                    name=layer.key,
                    label=style["label"],
                    colour=style["color"],
                    tooltip_columns=tips,
                    show=style["show"],
                    style=style,
                    **size,
                )
                parts.legend.append((style["label"], style["color"]))
        parts.layer_views.append((layer.role, gdf))


def _add_rasters(parts: MapParts, land_cover: Raster | None, current: Raster | None) -> None:
    """Land cover (classes in the legend) and current density (a colour scale)."""
    if land_cover is not None:
        with parts.group("Land cover & current"):
            parts.sections["Land cover"] = add_land_cover(parts.m, land_cover)
    if current is not None:
        with parts.group("Land cover & current"):
            # hidden at first: an opaque raster would cover the ranges and layers below
            add_current_density(parts.m, current, show=False)


def _add_corridors(
    parts: MapParts,
    corridors: gpd.GeoDataFrame | None,
    *,
    simplify_m: float | None,
    coordinate_decimals: int | None,
) -> None:
    if corridors is None or not len(corridors):
        return
    with parts.group("Corridors"):
        add_corridors(
            parts.m, corridors, simplify_m=simplify_m, coordinate_decimals=coordinate_decimals
        )
    parts.legend.append(("Corridors", CORRIDOR_COLOUR))
    parts.boxes.append(_lonlat_box(parts.m, corridors, "corridors"))


def _add_pinch_points(parts: MapParts, pinch_points: gpd.GeoDataFrame | None) -> None:
    """Pinch points as small red dots in the "Corridors" group, their current in the tooltip."""
    if pinch_points is None or not len(pinch_points):
        return
    has_current = "current_A" in pinch_points.columns
    with parts.group("Corridors"):
        add_vector_layer(
            parts.m,
            pinch_points,
            name="pinch_points",
            label="Pinch points",
            colour=PINCH_POINT_COLOUR,
            tooltip_columns=["current_A"] if has_current else None,
            labels={"current_A": "current (A)"} if has_current else None,
            style={"radius": 3},
        )
    parts.legend.append(("Pinch points", PINCH_POINT_COLOUR))


def _add_ranges(
    parts: MapParts,
    ranges: gpd.GeoDataFrame,
    *,
    colour_by: str,
    colour_ranges_by: str | None,
    focused: set[str] | None,
    simplify_m: float | None,
    coordinate_decimals: int | None,
) -> None:
    """Home ranges; coloured by a 0-1 column, the animals keep their own colours for fixes."""
    with parts.group("Home ranges"):
        parts.colours = add_home_ranges(
            parts.m,
            ranges,
            colour_by=colour_ranges_by or colour_by,
            focus=focused,
            simplify_m=simplify_m,
            coordinate_decimals=coordinate_decimals,
        )
    if colour_ranges_by is not None:  # the ranges' colours are a scale: animals keep theirs
        parts.colours = individual_palette(ranges["individual"].astype(str).unique())
    parts.add_boxes(ranges, "home ranges", focused)
    parts.have_ranges = True
    parts.have_intervals = "geometry_high" in ranges.columns and bool(
        ranges["geometry_high"].notna().any()
    )


def _add_fixes(
    parts: MapParts,
    relocations: gpd.GeoDataFrame,
    *,
    mode: str,
    colour_by: str,
    focused: set[str] | None,
    max_fixes_per_individual: int | None,
    coordinate_decimals: int | None,
) -> None:
    with parts.group("Fixes"):
        parts.colours = add_relocations(
            parts.m,
            relocations,
            max_fixes_per_individual=max_fixes_per_individual,
            colours=parts.colours if colour_by == "individual" else None,
            mode=mode,
            colour_by=colour_by,
            focus=focused,
            coordinate_decimals=coordinate_decimals,
        )
    parts.add_boxes(relocations, "relocations", focused)
    parts.have_fixes = True


def _animal_legend(
    parts: MapParts, *, colour_by: str, focused: set[str] | None, heatmap: bool
) -> None:
    """Legend sections of the animals (by sex, one entry each, or a count) and isopleths."""
    if colour_by == "sex" and (parts.have_ranges or parts.have_fixes):
        parts.sections["Sex"] = [(label, SEX_COLOURS[k]) for k, label in SEX_NAMES.items()]
    elif parts.colours and (parts.have_ranges or not heatmap):
        colours = parts.colours
        shown = sorted(colours) if focused is None else sorted(focused & set(colours))
        if len(shown) <= _MAX_LEGEND_ANIMALS:
            parts.sections["Animals"] = [(k, colours[k]) for k in shown]
        else:
            parts.sections["Animals"] = [
                (f"{len(shown)} individuals (colours repeat; hover for ids)", "#ffffff")
            ]
    if parts.have_ranges:
        parts.sections["Home ranges"] = [
            ("core isopleths (e.g. 50 %): darker fill", "#777777"),
            ("outer isopleths (e.g. 95 %): lighter fill", "#dddddd"),
        ]
        if parts.have_intervals:
            parts.sections["Home ranges"].append(
                ("dashed band: the area's interval (lower to upper isopleth)", "#bbbbbb")
            )


def _union(boxes: Sequence[np.ndarray]) -> np.ndarray | None:
    """(west, south, east, north) around the finite boxes, or None."""
    if not len(boxes):
        return None
    b = np.vstack(boxes)
    b = b[np.all(np.isfinite(b), axis=1)]
    if not len(b):
        return None
    return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])


def _window(box: np.ndarray) -> np.ndarray:
    """``box`` widened by the view margin: a quarter of its larger side, at least 25 km."""
    w, s, e, n = box
    side_km = max(e - w, n - s) * _KM_PER_DEGREE
    margin_km = max(_VIEW_MARGIN_KM, _VIEW_MARGIN_SHARE * side_km)
    dlat = margin_km / _KM_PER_DEGREE
    lat = float(np.clip(max(abs(s), abs(n)), 0.0, 89.0))
    dlon = min(180.0, margin_km / (_KM_PER_DEGREE * max(np.cos(np.radians(lat)), 0.01)))
    return np.array([w - dlon, max(s - dlat, -90.0), e + dlon, min(n + dlat, 90.0)])


def _layer_boxes(parts: MapParts, roles: set[str] | None, touching: np.ndarray | None) -> list:
    """Boxes of the drawn layers' features (of ``roles``; meeting box ``touching``)."""
    out = []
    for role, gdf in parts.layer_views:
        if roles is not None and role not in roles:
            continue
        geoms = map_longitudes(parts.m, gdf).geometry.to_numpy()
        geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
        if touching is not None:
            geoms = geoms[shapely.intersects(geoms, shapely.box(*touching))]
        if len(geoms):
            out.append(shapely.bounds(geoms))
    return out


def _fit_bounds(parts: MapParts, rasters: Sequence[Raster | None] = ()) -> None:
    """Fit the view to the focused animals, else the data and the protected areas they touch.

    With data (ranges, fixes, corridors) the view is their box, widened to
    the protected areas that meet it but never beyond the view margin
    (:func:`_window`): a park on another continent, or a huge one, does not
    widen it. Without data: the protected areas, else every layer, else the
    rasters.
    """
    view = _union(parts.focus_boxes)
    if view is None:
        data = _union(parts.boxes)
        if data is not None:
            touched = _union(_layer_boxes(parts, {"protected_areas"}, data))
            view = data
            if touched is not None:
                window = _window(data)
                lo = np.maximum(touched[:2], window[:2])
                hi = np.minimum(touched[2:], window[2:])
                view = _union([data, np.concatenate([lo, hi])])
        else:
            view = _union(_layer_boxes(parts, {"protected_areas"}, None))
            if view is None:
                view = _union(_layer_boxes(parts, None, None))
            if view is None:
                view = _union(
                    [np.asarray(raster_lonlat_bounds(r)) for r in rasters if r is not None]
                )
    if view is not None:
        w, s, e, n = (float(v) for v in view)
        parts.m.fit_bounds([[s, w], [n, e]])


def add_layer_control(
    m: folium.Map, groups: Mapping[str, list[folium.map.Layer]], *, collapsed: bool = False
) -> None:
    """Add a layer control with the overlays in named groups (checkboxes), names escaped.

    Layers of one group with the same name are numbered (``Roads (2)``): the
    control keys layers by name.

    Parameters
    ----------
    m : folium.Map
    groups : mapping of str to list of folium layers
        Group heading -> its layers; empty groups are left out.
    collapsed : bool
        Whether the control starts folded.

    Examples
    --------
    Two layers called "Roads" in one group are told apart; empty groups are
    left out:

    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> a = folium.FeatureGroup(name="Roads").add_to(m)
    >>> b = folium.FeatureGroup(name="Roads").add_to(m)
    >>> add_layer_control(m, {"Infrastructure & borders": [a, b], "Corridors": []})
    >>> a.layer_name, b.layer_name
    ('Roads', 'Roads (2)')
    >>> type(list(m._children.values())[-1]).__name__
    'GroupedLayerControl'
    """
    safe: dict[str, list[folium.map.Layer]] = {}
    for group, layers in groups.items():
        seen: set[str] = set()
        for layer in layers:
            name, k = layer.layer_name, 2
            while layer.layer_name in seen:  # the control keys layers by name
                layer.layer_name = f"{name} ({k})"
                k += 1
            seen.add(layer.layer_name)
        if layers:
            safe[html.escape(group)] = list(layers)
    if safe:
        plugins.GroupedLayerControl(safe, exclusive_groups=False, collapsed=collapsed).add_to(m)


def _add_controls(m: folium.Map, *, tiles: str | None) -> None:
    """Fullscreen, measure (km, ha) and, with a basemap, minimap controls."""
    plugins.Fullscreen(position="topleft").add_to(m)
    plugins.MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="meters",
        primary_area_unit="hectares",
        secondary_area_unit="sqmeters",
    ).add_to(m)
    if tiles is not None:
        plugins.MiniMap(toggle_display=True, position="bottomright").add_to(m)


def _size_note(
    simplify_m: float | None, coordinate_decimals: int | None, *, schematic: bool = False
) -> str:
    """The legend's small print: schematic layers, simplification and rounding."""
    note = "Schematic layers, not official boundaries." if schematic else ""
    if simplify_m:
        note += f" Display geometries simplified to {simplify_m:g} m (topology preserved)"
        note += "." if coordinate_decimals is None else ","
    if coordinate_decimals is not None:
        metres = 111_320 * 10.0**-coordinate_decimals
        note += (
            f"{'' if simplify_m else ' Display'} coordinates rounded to "
            f"{coordinate_decimals} decimals of a degree (about {metres:.2g} m)."
        )
    return note.strip()


def _data_extent(*tables: gpd.GeoDataFrame | None) -> gpd.GeoSeries:
    """The lon/lat box of each non-empty table, as polygons in EPSG:4326."""
    boxes = [
        shapely.box(*hcrs.lonlat_bounds(t))
        for t in tables
        if t is not None and len(t) and t.crs is not None
    ]
    return gpd.GeoSeries(boxes, crs=hcrs.WGS84)


def _default_title(
    area: StudyArea,
    ranges: gpd.GeoDataFrame | None,
    relocations: gpd.GeoDataFrame | None,
    corridors: gpd.GeoDataFrame | None,
) -> str:
    """The study area's name; without layers (or with the generic name), what the data are."""
    drawn = any(len(lyr.data) for lyr in area.layers) or area.land_cover is not None
    if drawn and area.name != _GENERIC_NAME:
        return area.name
    for table, what in ((ranges, "Home ranges"), (relocations, "Fixes")):
        if table is not None and len(table) and "individual" in table.columns:
            n = table["individual"].astype(str).nunique()
            return f"{what} of {n} animal{'s' if n != 1 else ''}"
    if corridors is not None and len(corridors):
        return "Corridors"
    return _GENERIC_NAME


# ---------------------------------------------------------------------- the map
@renamed_keywords(coordinate_precision="coordinate_decimals", layers="study_area")
def study_area_map(
    study_area: StudyArea | Mapping[str, gpd.GeoDataFrame] | None = None,
    *,
    relocations: gpd.GeoDataFrame | None = None,
    ranges: gpd.GeoDataFrame | None = None,
    land_cover: Raster | bool | None = None,
    corridors: gpd.GeoDataFrame | None = None,
    current: Raster | None = None,
    pinch_points: gpd.GeoDataFrame | None = None,
    colour_ranges_by: str | None = None,
    colour_by: str = "individual",
    fixes: str | None = "points",
    focus: str | Sequence[str] | None = None,
    max_fixes_per_individual: int | None = 5000,
    simplify_m: float | None = 50.0,
    coordinate_decimals: int | None = 5,
    tiles: str | None = "OpenStreetMap",
    title: str | None = None,
    controls: bool = True,
) -> folium.Map:
    """A Folium map of a study area, home ranges, fixes, corridors and current.

    Parameters
    ----------
    study_area : StudyArea, mapping of str to GeoDataFrame, or None
        The layers by role (:class:`~habitat.io.study_area.StudyArea`, e.g.
        :func:`habitat.datasets.primorsky`, :func:`habitat.datasets.study_area_for`,
        or one made display-ready by :func:`habitat.maps.prepare_layers`);
        ``None``: no layers. Layers far from the ranges, fixes and corridors
        are left out (:meth:`~habitat.io.study_area.StudyArea.near`). Layers
        are styled by key when :data:`habitat.maps.LAYER_STYLES` has one (the
        bundled layers), else by role (:data:`habitat.maps.style.ROLE_STYLES`):
        protected areas filled green, their zones (the ``zone`` column) in
        colours listed in the legend by name; admin units outlined; barriers
        as lines by kind (road, railway, river, fence); settlements as points;
        crossings highlighted. Tooltips show the name, zone, category, kind
        and width. A mapping of layer names (the 0.1 call) is converted with
        :func:`habitat.maps.roles.layers_to_study_area`. Formerly ``layers``
        (still accepted, deprecated).
    relocations : GeoDataFrame, optional
        Fixes with an ``individual`` column.
    ranges : GeoDataFrame, optional
        Home ranges (:func:`habitat.home_range` or
        :func:`habitat.territory_table` table): nested isopleths, one layer
        per method, tooltips and popups with areas in km² and sq mi.
    land_cover : Raster, False or None
        Categorical raster shown as an image overlay (hidden at start) with a
        legend entry per class, named from its ``classes`` (colours of the
        bundled class names kept, a palette for others). ``None`` (default):
        the study area's land cover, if any; ``False``: none.
    corridors : GeoDataFrame, optional
        A corridor table (:data:`habitat.core.tables.CORRIDORS`: ``from_id``,
        ``to_id``, ``cost_weighted_distance``, ``length_m``...), lines or
        polygons; see :func:`habitat.maps.add_corridors`.
    current : Raster, optional
        Current density (float raster), colour-mapped with a colour scale;
        its layer starts hidden (it would cover the ranges below it): tick it
        in the layer control.
    pinch_points : GeoDataFrame, optional
        Points where the current concentrates (e.g. the cells of
        :func:`habitat.corridors.pinch_points`), drawn in the "Corridors"
        group of the layer control; a ``current_A`` column is shown in their
        tooltips.
    colour_ranges_by : str, optional
        Colour the ranges by this 0-1 column instead (see
        :func:`habitat.maps.add_home_ranges`).
    colour_by : {"individual", "sex"}
        Colour ranges and fixes per animal, or by sex (:data:`habitat.maps.SEX_COLOURS`).
    fixes : {"points", "cluster", "heatmap"} or None
        How to draw the fixes; ``None`` leaves them out.
    focus : str or sequence of str, optional
        Individual(s) to feature: the map is fitted to their ranges and fixes
        and the other animals are drawn faintly; the layer control starts
        folded (such maps sit in report pages).
    max_fixes_per_individual : int, optional
        Cap on displayed fixes per animal (evenly spaced); ``None`` shows all.
    simplify_m : float, optional
        Display simplification tolerance in metres (topology preserved); stated
        in the legend. ``None`` disables it.
    coordinate_decimals : int, optional
        Decimal places of a degree kept in vector coordinates (5 ≈ 1 m); stated
        in the legend. ``None`` keeps full precision. Formerly
        ``coordinate_precision`` (still accepted, deprecated).
    tiles : str or None
        Basemap tiles; they always need a network connection. ``None`` gives
        a map without basemap (and without minimap) that works offline.
    title : str, optional
        Legend title; by default the study area's name (e.g. "SW Primorsky
        Krai (schematic)") or, without layers, what the data are ("Home
        ranges of 3 animals"; "Study area" without data). The legend says
        "Schematic layers, not official boundaries." only for a study area
        marked ``schematic``.
    controls : bool
        Add the fullscreen, measure (km, ha) and minimap controls; the scale
        bar is always there.

    Returns
    -------
    folium.Map
        Displays inline in Jupyter; save with :func:`habitat.maps.save_map`.

    Notes
    -----
    The view fits the focused animals; else the ranges, fixes and corridors
    and the protected areas they touch, at most a quarter of the data's
    larger side (at least 25 km) beyond them, so that a layer far away or a
    huge park never widens it; without data, the protected areas (else every
    layer).

    Every layer is drawn in one continuous longitude range centred on the
    animals (the ranges and fixes; else the layers): ranges across the
    antimeridian are drawn whole around 180° E, not as bands around the world
    (:mod:`habitat.maps.display`). An empty layer or table is left out with a
    :class:`~habitat.core.errors.DataQualityWarning` naming it.

    Raises
    ------
    InputError
        For an unknown ``fixes`` or ``colour_by`` value, a ``focus`` id that
        is in neither the ranges nor the fixes, a ``study_area`` that is not a
        StudyArea, None or a mapping of names to GeoDataFrames, an unknown
        ``tiles`` name, and a
        ``simplify_m``, ``coordinate_decimals``, ``max_fixes_per_individual``
        or other option out of its range (the message names the parameter and
        the values accepted).
    habitat.core.errors.ColumnError
        For a corridor table without the columns of the corridor contract.

    Examples
    --------
    The bundled study area without a basemap (a page that needs no tiles):

    >>> import folium
    >>> from habitat import datasets
    >>> m = study_area_map(datasets.primorsky(), land_cover=False, tiles=None)
    >>> [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    ['Primorsky Krai', 'Countries', 'NE China Tiger &amp; Leopard NP', 'Land of the Leopard NP',
     'Park zones', 'Kedrovaya Pad reserve', 'State borders', 'Roads', 'Railways', 'Settlements',
     'Rivers', 'Wildlife crossings']
    >>> page = m.get_root().render()
    >>> "SW Primorsky Krai (schematic)" in page, "Schematic layers" in page
    (True, True)

    Fixes in New York with no layers: the map is about the fixes alone:

    >>> import geopandas as gpd
    >>> fixes = gpd.GeoDataFrame(
    ...     {"individual": ["F1", "F1", "F2"]},
    ...     geometry=gpd.points_from_xy([-74.2, -74.1, -74.0], [43.9, 44.0, 44.1]), crs=4326)
    >>> page = study_area_map(None, relocations=fixes, tiles=None).get_root().render()
    >>> "Fixes of 2 animals" in page, "Schematic layers" in page
    (True, False)
    """
    _check_options(fixes, colour_by)
    area = as_study_area(study_area)
    relocations = _optional_table(relocations, "relocations")
    ranges = _optional_table(ranges, "ranges")
    corridors = _optional_table(corridors, "corridors")
    if land_cover is not None and land_cover is not False and not isinstance(land_cover, Raster):
        raise InputError(
            f"land_cover must be a habitat Raster (habitat.read_geotiff(...)), None (the study "
            f"area's) or False (none), not {type(land_cover).__name__}."
        )
    if current is not None and not isinstance(current, Raster):
        raise InputError(
            f"current must be a habitat Raster (habitat.read_geotiff(...)) or None, "
            f"not {type(current).__name__}."
        )
    if pinch_points is not None:
        require_geodataframe(pinch_points, name="pinch_points", what="of points")
    if colour_ranges_by is not None:
        check_text(colour_ranges_by, name="colour_ranges_by")
    max_fixes_per_individual = check_max_fixes(max_fixes_per_individual)
    simplify_m = check_simplify_m(simplify_m)
    coordinate_decimals = check_coordinate_decimals(coordinate_decimals)
    tiles = check_tiles(tiles)
    if title is not None:
        check_text(title, name="title")
    controls = check_bool(controls, name="controls")
    focused = focus_set(focus)
    _check_focus(focused, ranges, relocations)
    size: _Size = {"simplify_m": simplify_m, "coordinate_decimals": coordinate_decimals}

    # layers far from the data are left out, not drawn (and fitted) across the globe
    extent = _data_extent(ranges, relocations, corridors)
    if len(extent):
        area = area.near(extent)
    cover = area.land_cover if land_cover is None else (land_cover or None)
    if title is None:
        title = _default_title(area, ranges, relocations if fixes else None, corridors)

    parts = MapParts(_new_map(tiles))
    # one longitude range for every layer, centred on the animals (else the layers)
    shown = prepare_layers(area, **size)
    centre = central_longitude(ranges, relocations)
    if centre is None:
        centre = central_longitude(*(lyr.data for lyr in shown.layers), corridors)
    setattr(parts.m, CENTRAL_LONGITUDE_ATTR, centre)
    _add_study_layers(parts, shown, **size)
    _add_rasters(parts, cover if isinstance(cover, Raster) else None, current)
    _add_corridors(parts, corridors, **size)
    _add_pinch_points(parts, pinch_points)
    if ranges is not None and len(ranges):
        _add_ranges(
            parts,
            ranges,
            colour_by=colour_by,
            colour_ranges_by=colour_ranges_by,
            focused=focused,
            **size,
        )
    if relocations is not None and len(relocations) and fixes is not None:
        _add_fixes(
            parts,
            relocations,
            mode=fixes,
            colour_by=colour_by,
            focused=focused,
            max_fixes_per_individual=max_fixes_per_individual,
            coordinate_decimals=coordinate_decimals,
        )
    _animal_legend(parts, colour_by=colour_by, focused=focused, heatmap=fixes == "heatmap")
    _fit_bounds(parts, [cover if isinstance(cover, Raster) else None, current])
    # a map about one animal is small (a report page): keep its control folded
    add_layer_control(parts.m, parts.groups, collapsed=focus is not None)
    if controls:
        _add_controls(parts.m, tiles=tiles)
    add_legend(
        parts.m,
        parts.legend,
        title=title,
        note=_size_note(simplify_m, coordinate_decimals, schematic=area.schematic),
        sections=list(parts.sections.items()),
    )
    return parts.m

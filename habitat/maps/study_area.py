"""The whole map: :func:`study_area_map`, a pipeline of the ``add_*`` steps.

:func:`study_area_map` draws the bundled study-area layers (park and its
zones, reserve, Chinese park, krai, countries, borders, roads with the
Narvinsky tunnel, railways, rivers, settlements), the land cover as an image
overlay, home ranges as nested isopleths, fixes (points, clusters or a heat
map), corridors and current density, with a grouped layer control, a legend,
tooltips and popups in readable units, and fullscreen, measure, minimap and
scale controls. Each of those is one named step below, acting on a
:class:`MapParts` that collects the layers of each control group, the legend
entries and the boxes to fit the view to.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypedDict, cast

import folium
import geopandas as gpd
import numpy as np
from folium import plugins

from habitat.core import crs as hcrs
from habitat.core.deprecation import renamed_keywords
from habitat.core.errors import InputError
from habitat.core.validation import require_geodataframe
from habitat.io.raster import Raster
from habitat.maps.checks import (
    check_bool,
    check_coordinate_decimals,
    check_max_fixes,
    check_simplify_m,
    check_text,
    check_tiles,
    map_layers,
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
from habitat.maps.overlays import add_current_density, add_land_cover
from habitat.maps.style import (
    CORRIDOR_COLOUR,
    DEFAULT_COLOUR,
    LAYER_STYLES,
    SEX_COLOURS,
    SEX_NAMES,
    TUNNEL_COLOUR,
    ZONE_COLOURS,
    individual_palette,
)

__all__ = ["MapParts", "add_layer_control", "study_area_map"]

#: columns of the bundled layers shown in their tooltips
_TIP_COLUMNS = (
    "name",
    "zone",
    "kind",
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
#: layers the whole-area view is fitted to
_BOUNDS_LAYERS = {"land_of_the_leopard", "kedrovaya_pad", "ne_china_tiger_leopard_np"}
#: most animals listed one by one in the legend
_MAX_LEGEND_ANIMALS = 20


class _Size(TypedDict):
    """The size-budget settings every vector step takes."""

    simplify_m: float | None
    coordinate_decimals: int | None


_OTHER_STYLE = {"label": "", "color": DEFAULT_COLOUR, "show": True, "group": "Other layers"}


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
        (west, south, east, north) boxes of the whole view.
    focus_boxes : list of numpy.ndarray
        Boxes of the focused animals (the view fits these when there are any).
    colours : dict
        individual -> colour of the ranges and fixes drawn.
    have_ranges, have_fixes : bool
        Whether home ranges and fixes were drawn.

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
    colours: dict[str, str] = field(default_factory=dict)
    have_ranges: bool = False
    have_fixes: bool = False

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


def _add_context_layers(
    parts: MapParts,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    simplify_m: float | None,
    coordinate_decimals: int | None,
) -> None:
    """The study-area layers, styled by :data:`LAYER_STYLES`, in its drawing order."""
    size: _Size = {"simplify_m": simplify_m, "coordinate_decimals": coordinate_decimals}
    order = [k for k in LAYER_STYLES if k in layers] + [k for k in layers if k not in LAYER_STYLES]
    for key in order:
        gdf = layers[key]
        style = dict(LAYER_STYLES.get(key, {**_OTHER_STYLE, "label": key}))
        tips = [c for c in _TIP_COLUMNS if c in gdf.columns]
        with parts.group(style.get("group", "Other layers")):
            if style.get("by") and style["by"] in gdf.columns:
                parent = folium.FeatureGroup(name=html.escape(style["label"]), show=style["show"])
                parent.add_to(parts.m)
                for j, (val, part) in enumerate(gdf.groupby(style["by"], sort=False)):
                    colour = ZONE_COLOURS[j % len(ZONE_COLOURS)]
                    add_vector_layer(
                        parts.m,
                        part,
                        name=f"{key}:{val}",
                        label=str(val),
                        colour=colour,
                        tooltip_columns=tips,
                        parent=parent,
                        style={**style, "fillOpacity": 0.35},
                        **size,
                    )
                    parts.legend.append((f"Zone: {val}", colour))
            else:
                group = add_vector_layer(
                    parts.m,
                    gdf,
                    name=key,
                    label=style["label"],
                    colour=style["color"],
                    tooltip_columns=tips,
                    show=style["show"],
                    style=style,
                    **size,
                )
                parts.legend.append((style["label"], style["color"]))
                if key == "roads" and "crossing" in gdf.columns:
                    _add_crossings(parts, gdf, group, tips, **size)
        if key in _BOUNDS_LAYERS:
            parts.boxes.append(_lonlat_box(parts.m, gdf, key))


def _add_crossings(
    parts: MapParts,
    roads: gpd.GeoDataFrame,
    group: folium.FeatureGroup,
    tips: Sequence[str],
    *,
    simplify_m: float | None,
    coordinate_decimals: int | None,
) -> None:
    """Tunnels and wildlife crossings of the roads, highlighted inside the roads layer."""
    crossings = roads[roads["crossing"].notna()]
    if not len(crossings):
        return
    add_vector_layer(
        parts.m,
        crossings,
        name="road crossings",
        label="Tunnels & wildlife crossings",
        colour=TUNNEL_COLOUR,
        tooltip_columns=tips,
        parent=group,
        style={"weight": 6.0, "opacity": 0.9},
        simplify_m=simplify_m,
        coordinate_decimals=coordinate_decimals,
    )
    parts.legend.append(("Tunnel / wildlife crossing", TUNNEL_COLOUR))


def _add_rasters(parts: MapParts, land_cover: Raster | None, current: Raster | None) -> None:
    """Land cover (classes in the legend) and current density (a colour scale)."""
    if land_cover is not None:
        with parts.group("Land cover & current"):
            parts.sections["Land cover"] = add_land_cover(parts.m, land_cover)
    if current is not None:
        with parts.group("Land cover & current"):
            add_current_density(parts.m, current)


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


def _fit_bounds(parts: MapParts) -> None:
    """Fit the view to the focused animals, else to the parks, ranges and fixes."""
    box = parts.focus_boxes or parts.boxes
    if not box:
        return
    b = np.vstack(box)
    b = b[np.all(np.isfinite(b), axis=1)]
    if len(b):
        parts.m.fit_bounds([[b[:, 1].min(), b[:, 0].min()], [b[:, 3].max(), b[:, 2].max()]])


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


def _size_note(simplify_m: float | None, coordinate_decimals: int | None) -> str:
    """The legend's small print: schematic layers, simplification and rounding."""
    note = "Schematic layers, not official boundaries."
    if simplify_m:
        note += f" Display geometries simplified to {simplify_m:g} m (topology preserved)"
        note += "." if coordinate_decimals is None else ","
    if coordinate_decimals is not None:
        metres = 111_320 * 10.0**-coordinate_decimals
        note += (
            f"{'' if simplify_m else ' Display'} coordinates rounded to "
            f"{coordinate_decimals} decimals of a degree (about {metres:.2g} m)."
        )
    return note


# ---------------------------------------------------------------------- the map
@renamed_keywords(coordinate_precision="coordinate_decimals")
def study_area_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    relocations: gpd.GeoDataFrame | None = None,
    ranges: gpd.GeoDataFrame | None = None,
    land_cover: Raster | None = None,
    corridors: gpd.GeoDataFrame | None = None,
    current: Raster | None = None,
    colour_ranges_by: str | None = None,
    colour_by: str = "individual",
    fixes: str | None = "points",
    focus: str | Sequence[str] | None = None,
    max_fixes_per_individual: int | None = 5000,
    simplify_m: float | None = 50.0,
    coordinate_decimals: int | None = 5,
    tiles: str | None = "OpenStreetMap",
    title: str = "Amur leopard study area",
    controls: bool = True,
) -> folium.Map:
    """A Folium map of the study area, home ranges, fixes, corridors and current.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layers by name, e.g. :func:`habitat.datasets.layers` (or the same made
        display-ready once by :func:`habitat.maps.prepare_layers`); known names
        get their style and group from :data:`habitat.maps.LAYER_STYLES`,
        others a default style in the group "Other layers". Tunnels and
        wildlife crossings of ``roads`` (a ``crossing`` column) are highlighted.
    relocations : GeoDataFrame, optional
        Fixes with an ``individual`` column.
    ranges : GeoDataFrame, optional
        Home ranges (:func:`habitat.home_range` or
        :func:`habitat.territory_table` table): nested isopleths, one layer
        per method, tooltips and popups with areas in km² and sq mi.
    land_cover : Raster, optional
        Categorical raster (:func:`habitat.datasets.land_cover`) shown as an
        image overlay (hidden at start) with a legend entry per class.
    corridors : GeoDataFrame, optional
        A corridor table (:data:`habitat.core.tables.CORRIDORS`: ``from_id``,
        ``to_id``, ``cost_weighted_distance``, ``length_m``...), lines or
        polygons; see :func:`habitat.maps.add_corridors`.
    current : Raster, optional
        Current density (float raster), colour-mapped with a colour scale.
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
    title : str
        Legend title.
    controls : bool
        Add the fullscreen, measure (km, ha) and minimap controls; the scale
        bar is always there.

    Returns
    -------
    folium.Map
        Displays inline in Jupyter; save with :func:`habitat.maps.save_map`.

    Notes
    -----
    Every layer is drawn in one continuous longitude range centred on the
    animals (the ranges and fixes; else the layers): ranges across the
    antimeridian are drawn whole around 180° E, not as bands around the world
    (:mod:`habitat.maps.display`). An empty layer or table is left out with a
    :class:`~habitat.core.errors.DataQualityWarning` naming it.

    Raises
    ------
    InputError
        For an unknown ``fixes`` or ``colour_by`` value, a ``focus`` id that
        is in neither the ranges nor the fixes, ``layers`` that are not a
        mapping of names to GeoDataFrames, an unknown ``tiles`` name, and a
        ``simplify_m``, ``coordinate_decimals``, ``max_fixes_per_individual``
        or other option out of its range (the message names the parameter and
        the values accepted).
    habitat.core.errors.ColumnError
        For a corridor table without the columns of the corridor contract.

    Examples
    --------
    The bundled layers without a basemap (a page that needs no tiles):

    >>> import folium
    >>> from habitat import datasets
    >>> m = study_area_map(datasets.layers(), tiles=None)
    >>> [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    ['Primorsky Krai', 'Countries', 'NE China Tiger &amp; Leopard NP', 'Land of the Leopard NP',
     'Park zones', 'Kedrovaya Pad reserve', 'State borders', 'Roads', 'Railways', 'Settlements',
     'Rivers']
    >>> page = m.get_root().render()
    >>> "Narvinsky" in page, "simplified to 50 m" in page
    (True, True)
    """
    _check_options(fixes, colour_by)
    layers = {k: v for k, v in map_layers(layers).items() if not warn_if_empty(v, name=k)}
    relocations = _optional_table(relocations, "relocations")
    ranges = _optional_table(ranges, "ranges")
    corridors = _optional_table(corridors, "corridors")
    for raster, label in ((land_cover, "land_cover"), (current, "current")):
        if raster is not None and not isinstance(raster, Raster):
            raise InputError(
                f"{label} must be a habitat Raster (habitat.read_geotiff(...)) or None, "
                f"not {type(raster).__name__}."
            )
    if colour_ranges_by is not None:
        check_text(colour_ranges_by, name="colour_ranges_by")
    max_fixes_per_individual = check_max_fixes(max_fixes_per_individual)
    simplify_m = check_simplify_m(simplify_m)
    coordinate_decimals = check_coordinate_decimals(coordinate_decimals)
    tiles = check_tiles(tiles)
    check_text(title, name="title")
    controls = check_bool(controls, name="controls")
    focused = focus_set(focus)
    _check_focus(focused, ranges, relocations)
    size: _Size = {"simplify_m": simplify_m, "coordinate_decimals": coordinate_decimals}

    parts = MapParts(_new_map(tiles))
    # one longitude range for every layer, centred on the animals (else the layers)
    centre = central_longitude(ranges, relocations)
    if centre is None:
        centre = central_longitude(*layers.values(), corridors)
    setattr(parts.m, CENTRAL_LONGITUDE_ATTR, centre)
    _add_context_layers(parts, prepare_layers(layers, **size), **size)
    _add_rasters(parts, land_cover, current)
    _add_corridors(parts, corridors, **size)
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
    _fit_bounds(parts)
    # a map about one animal is small (a report page): keep its control folded
    add_layer_control(parts.m, parts.groups, collapsed=focus is not None)
    if controls:
        _add_controls(parts.m, tiles=tiles)
    add_legend(
        parts.m,
        parts.legend,
        title=title,
        note=_size_note(simplify_m, coordinate_decimals),
        sections=list(parts.sections.items()),
    )
    return parts.m

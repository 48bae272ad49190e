"""Vector layers of a map: any layer, home ranges, fixes and corridors.

Each ``add_*`` function takes the map first and the table second, reprojects
the table for display (:mod:`habitat.maps.display`), and adds one or more
toggleable layers with tooltips and popups in readable units
(:mod:`habitat.maps.style`). Strings that come from data (names, individual
ids, attribute values, column names) are HTML-escaped before they reach the
page.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.colormap import LinearColormap
from folium import plugins

from habitat.core import crs as hcrs
from habitat.core import units
from habitat.core.deprecation import renamed_keywords
from habitat.core.errors import InputError
from habitat.core.tables import CORRIDORS
from habitat.core.validation import require_columns, require_geodataframe
from habitat.maps.checks import (
    check_coordinate_decimals,
    check_map,
    check_max_fixes,
    check_simplify_m,
    check_text,
    warn_if_empty,
)
from habitat.maps.display import geojson, map_longitudes, to_map_crs, with_metrics, xy_array
from habitat.maps.style import (
    CORRIDOR_COLOUR,
    DEFAULT_COLOUR,
    area_text,
    check_colour,
    column_label,
    escaped_strings,
    format_number,
    individual_palette,
    interval_text,
    readable_values,
    sex_colours,
)

__all__ = [
    "FIX_MODES",
    "add_corridors",
    "add_home_ranges",
    "add_relocations",
    "add_vector_layer",
    "corridor_labels",
    "focus_set",
]

#: how fixes can be drawn (:func:`add_relocations` ``mode``)
FIX_MODES = ("points", "cluster", "heatmap")
_FIX_TOOLTIP_JS = (
    "function (feature, layer) { var p = feature.properties; layer.bindTooltip("
    "'<b>individual</b> ' + p.individual + '<br><b>fixes shown</b> ' + p.n_fixes); }"
)
#: style keys of LAYER_STYLES that are habitat's, not Leaflet path options
_NOT_LEAFLET = {"label", "group", "show", "by", "color", "radius"}


def focus_set(focus: str | Iterable[str] | None) -> set[str] | None:
    """The focused individual ids as a set of str (``None``: no focus).

    Examples
    --------
    >>> focus_set("Leo 1F")
    {'Leo 1F'}
    >>> sorted(focus_set(["Leo 2M", "Leo 1F"])), focus_set(None)
    (['Leo 1F', 'Leo 2M'], None)
    """
    if focus is None:
        return None
    if isinstance(focus, str):
        return {focus}
    return {str(f) for f in focus}


def _escaped_properties(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """Keep ``columns`` (+ geometry), as HTML-escaped strings; drop the rest."""
    out = gpd.GeoDataFrame(geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    for col in columns:
        out[col] = escaped_strings(gdf[col].to_numpy())
    return out


# ----------------------------------------------------------------- vector layers
@renamed_keywords(
    color="colour", fill_color="fill_colour", coordinate_precision="coordinate_decimals"
)
def add_vector_layer(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    label: str | None = None,
    colour: str = DEFAULT_COLOUR,
    fill_colour: str | None = None,
    tooltip_columns: Sequence[str] | None = None,
    parent: folium.FeatureGroup | folium.Map | None = None,
    show: bool = True,
    simplify_m: float | None = None,
    style: Mapping[str, Any] | None = None,
    coordinate_decimals: int | None = None,
    labels: Mapping[str, str] | None = None,
) -> folium.FeatureGroup:
    """Add a GeoDataFrame as a styled, toggleable layer with escaped tooltips.

    Polygons get a popup with their area (km² and sq mi) and lines with their
    length (km and mi), measured by :mod:`habitat.core.crs` on the geometry as given,
    before display simplification (an existing ``area_km2`` or ``length_m``
    column is used as it is).

    Parameters
    ----------
    m : folium.Map
    gdf : GeoDataFrame
        Any CRS (declared); reprojected to EPSG:4326 for display.
    name : str
        Layer key (used in messages).
    label : str, optional
        Name in the layer control; defaults to ``name``.
    colour, fill_colour : str
        Stroke and fill colours (fill: the stroke colour by default). Formerly
        ``color`` and ``fill_color`` (still accepted, deprecated).
    tooltip_columns : sequence of str, optional
        Columns shown on hover (values HTML-escaped).
    parent : FeatureGroup or Map, optional
        Where to add the layer; the map by default.
    show : bool
        Whether the layer starts visible.
    simplify_m : float, optional
        Simplification tolerance in metres before display.
    style : mapping, optional
        Extra Leaflet path options (``weight``, ``fillOpacity``, ``dashArray``...);
        ``radius`` is the radius of point markers in pixels (default 5).
    coordinate_decimals : int, optional
        Round coordinates to this many decimal places of a degree (5 is about
        1 m); full precision by default. Formerly ``coordinate_precision``.
    labels : mapping of str to str, optional
        Column -> label shown in tooltips and popups (escaped); by default the
        column name without its unit suffix.

    Returns
    -------
    folium.FeatureGroup

    Examples
    --------
    A 10 km park square in UTM 52N: its popup states the area measured on the
    geometry as given (100.08 km², see :func:`habitat.core.crs.area_m2`):

    >>> import folium
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> park = gpd.GeoDataFrame(
    ...     {"name": ["park"]}, geometry=[box(500_000, 4_800_000, 510_000, 4_810_000)], crs=32652
    ... )
    >>> m = folium.Map(tiles=None)
    >>> group = add_vector_layer(
    ...     m, park, name="park", label="Park", colour="darkgreen", tooltip_columns=["name"]
    ... )
    >>> group.layer_name
    'Park'
    >>> geo = next(iter(group._children.values()))
    >>> geo.data["features"][0]["properties"]
    {'name': 'park', 'area_km2': '100.08 km² (38.64 sq mi)'}
    """
    check_map(m)
    check_text(name, name="name")
    gdf = require_geodataframe(gdf, name=f"layer {name!r}")
    simplify_m = check_simplify_m(simplify_m)
    coordinate_decimals = check_coordinate_decimals(coordinate_decimals)
    warn_if_empty(gdf, name=name)
    names = dict(labels or {})

    def alias(col: str) -> str:
        if col in names:
            return html.escape(names[col])
        return "area" if col == "area_km2" else column_label(col)

    cols = [c for c in (tooltip_columns or []) if c in gdf.columns]
    gdf = with_metrics(gdf, name=name)
    metrics = [c for c in ("area_km2", "length_m") if c in gdf.columns]
    shown = map_longitudes(
        m,
        to_map_crs(gdf, name=name, simplify_m=simplify_m, coordinate_decimals=coordinate_decimals),
    )
    props = _escaped_properties(shown, [])
    popup_cols = list(dict.fromkeys([*cols, *metrics]))
    for c in popup_cols:
        props[c] = readable_values(c, gdf[c].reset_index(drop=True))
    popup = (
        folium.GeoJsonPopup(fields=popup_cols, aliases=[alias(c) for c in popup_cols])
        if metrics
        else None
    )
    stroke = check_colour(colour, what=f"layer {name!r}")
    opts = {
        "color": stroke,
        "fillColor": check_colour(fill_colour, what=f"layer {name!r} fill")
        if fill_colour
        else stroke,
        "weight": 1.5,
        "fillOpacity": 0.2,
    }
    opts.update({k: v for k, v in (style or {}).items() if k not in _NOT_LEAFLET})
    group = folium.FeatureGroup(name=html.escape(label or name), show=show)
    is_point = bool(len(shown)) and shown.geom_type.isin(["Point", "MultiPoint"]).all()
    tooltip = (
        folium.GeoJsonTooltip(fields=cols, aliases=[alias(c) for c in cols], labels=True)
        if cols
        else None
    )
    if is_point:
        folium.GeoJson(
            geojson(props),
            marker=folium.CircleMarker(
                radius=float((style or {}).get("radius", 5.0)),
                fill=True,
                fill_opacity=0.9,
                weight=1,
            ),
            style_function=lambda _f, o=opts: {"color": "#ffffff", "fillColor": o["color"]},
            tooltip=tooltip,
        ).add_to(group)
    else:
        folium.GeoJson(
            geojson(props),
            style_function=lambda _f, o=opts: dict(o),
            tooltip=tooltip,
            popup=popup,
            name=html.escape(label or name),
        ).add_to(group)
    group.add_to(parent if parent is not None else m)
    return group


# -------------------------------------------------------------------- relocations
def _thin(grp: gpd.GeoDataFrame, cap: int | None) -> gpd.GeoDataFrame:
    if cap and len(grp) > cap:
        idx = np.linspace(0, len(grp) - 1, cap).round().astype(int)
        return grp.iloc[np.unique(idx)]
    return grp


@renamed_keywords(coordinate_precision="coordinate_decimals")
def add_relocations(
    m: folium.Map,
    relocations: gpd.GeoDataFrame,
    *,
    individual_column: str = "individual",
    max_fixes_per_individual: int | None = 5000,
    show: bool = True,
    colours: Mapping[str, str] | None = None,
    mode: str = "points",
    colour_by: str = "individual",
    focus: str | Iterable[str] | None = None,
    coordinate_decimals: int | None = 5,
) -> dict[str, str]:
    """Add each individual's fixes as its own toggleable layer.

    Parameters
    ----------
    m : folium.Map
    relocations : GeoDataFrame
        Points with an ``individual`` column (and optionally ``sex``, ``timestamp``).
    individual_column : str
        Column naming the animal.
    max_fixes_per_individual : int, optional
        Keep at most this many fixes per animal (evenly spaced in time) to bound
        the page size; ``None`` keeps all.
    show : bool
        Whether the layers start visible.
    colours : mapping, optional
        individual -> colour to reuse (e.g. from :func:`add_home_ranges`).
    mode : {"points", "cluster", "heatmap"}
        Small dots per animal; marker clusters per animal
        (:class:`folium.plugins.FastMarkerCluster`); or one heat map of all
        fixes (:class:`folium.plugins.HeatMap`).
    colour_by : {"individual", "sex"}
        Colour of each animal's fixes: its own, or the colour of its sex
        (:data:`habitat.maps.SEX_COLOURS`; needs a ``sex`` column).
    focus : str or sequence of str, optional
        Individuals to highlight; the others are drawn faintly.
    coordinate_decimals : int, optional
        Decimal places of a degree kept (5 is about 1 m); ``None`` keeps full
        precision. Formerly ``coordinate_precision``.

    Returns
    -------
    dict
        individual -> colour, for a legend.

    Examples
    --------
    Five fixes of two leopards, one layer per animal, coloured by sex:

    >>> import folium
    >>> import geopandas as gpd
    >>> fixes = gpd.GeoDataFrame(
    ...     {"individual": ["Leo 1F"] * 3 + ["Leo 2M"] * 2, "sex": ["F"] * 3 + ["M"] * 2},
    ...     geometry=gpd.points_from_xy(
    ...         [501e3, 502e3, 503e3, 506e3, 507e3], [4801e3, 4802e3, 4803e3, 4806e3, 4807e3]
    ...     ),
    ...     crs=32652,
    ... )
    >>> m = folium.Map(tiles=None)
    >>> add_relocations(m, fixes, colour_by="sex")
    {'Leo 1F': '#c2185b', 'Leo 2M': '#1565c0'}
    >>> [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    ['Fixes: Leo 1F (F)', 'Fixes: Leo 2M (M)']
    """
    check_map(m)
    relocations = require_geodataframe(relocations, name="relocations")
    max_fixes_per_individual = check_max_fixes(max_fixes_per_individual)
    coordinate_decimals = check_coordinate_decimals(coordinate_decimals)
    warn_if_empty(relocations, name="relocations")
    require_columns(
        relocations,
        [individual_column],
        name="relocations",
        hint="pass individual_column= naming the column of animal ids.",
    )
    if mode not in FIX_MODES:
        raise InputError(f"fixes mode {mode!r} is not one of {', '.join(map(repr, FIX_MODES))}.")
    if colour_by not in {"individual", "sex"}:
        raise InputError(f"colour_by={colour_by!r} for fixes: use 'individual' or 'sex'.")
    pts = map_longitudes(m, to_map_crs(relocations, name="relocations", simplify_m=None))
    pts = pts[~pts.geometry.is_empty & pts.geometry.notna()]
    focused = focus_set(focus)
    palette = individual_palette(pts[individual_column].astype(str).unique(), colours)
    if colour_by == "sex" and "sex" in pts.columns:
        first_sex = pts.groupby(pts[individual_column].astype(str))["sex"].first()
        palette.update(dict(zip(first_sex.index, sex_colours(first_sex), strict=True)))
    out: dict[str, str] = {}
    heat: list[np.ndarray] = []
    for ind, grp in pts.groupby(pts[individual_column].astype(str), sort=True):
        grp = _thin(grp, max_fixes_per_individual)
        colour = palette[ind]
        out[ind] = colour
        faint = focused is not None and ind not in focused
        xy = xy_array(grp.geometry)
        if coordinate_decimals is not None:
            xy = np.round(xy, coordinate_decimals)
        if mode == "heatmap":
            heat.append(xy[:, ::-1])
            continue
        sex = f" ({grp['sex'].iloc[0]})" if "sex" in grp.columns else ""
        group = folium.FeatureGroup(name=html.escape(f"Fixes: {ind}{sex}"), show=show)
        if mode == "cluster":
            # the callback is code: only a validated colour goes into it, no data strings
            c = check_colour(colour, what=f"individual {ind!r}")
            op = 0.2 if faint else 0.85
            plugins.FastMarkerCluster(
                xy[:, ::-1].tolist(),
                callback=(
                    "function (row) { return L.circleMarker(new L.LatLng(row[0], row[1]), "
                    f'{{radius: 4, weight: 0, color: "{c}", fillColor: "{c}", '
                    f"fillOpacity: {op}}}); }}"
                ),
            ).add_to(group)
        else:
            # one lightweight GeoJSON MultiPoint per animal: small payload
            folium.GeoJson(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {
                                "individual": html.escape(ind),
                                "n_fixes": int(len(grp)),
                            },
                            "geometry": {"type": "MultiPoint", "coordinates": xy.tolist()},
                        }
                    ],
                },
                marker=folium.CircleMarker(radius=2, fill=True, fill_opacity=0.7, weight=0),
                style_function=lambda _f, c=colour, o=(0.15 if faint else 0.7): {
                    "color": c,
                    "fillColor": c,
                    "fillOpacity": o,
                },
                # Leaflet 1.9.3 fails binding a GeoJson-wide tooltip over a MultiPoint
                # (a nested group): bind it to the feature's group; values are escaped
                on_each_feature=folium.JsCode(_FIX_TOOLTIP_JS),
            ).add_to(group)
        group.add_to(m)
    if mode == "heatmap" and heat:
        group = folium.FeatureGroup(name="Fixes (heat map)", show=show)
        plugins.HeatMap(np.vstack(heat).tolist(), radius=15, blur=12, min_opacity=0.3).add_to(group)
        group.add_to(m)
    return out


# -------------------------------------------------------------------- home ranges
_RANGE_CORE = ("individual", "sex", "method", "level", "n_fixes", "model")
#: tooltip fields of a range, in order (those a layer has)
_RANGE_TIPS = ("individual", "sex", "method", "level", "area", "interval", "model")
#: tooltip fields only ranges with an interval have
_AKDE_TIPS = ("interval", "model")
#: the bounds of an area's interval (AKDE): a band between their isopleths
INTERVAL_GEOMETRIES = ("geometry_low", "geometry_high")
_RANGE_SKIP = {
    "geometry",
    "area_km2",
    "area_sq_mi",
    "area_low_sq_mi",
    "area_high_sq_mi",
    "area_m2",
    "range_id",
    "_colour",
    "_weight",
    "_fill",
    "_opacity",
}


@renamed_keywords(coordinate_precision="coordinate_decimals")
def add_home_ranges(
    m: folium.Map,
    ranges: gpd.GeoDataFrame,
    *,
    colours: Mapping[str, str] | None = None,
    simplify_m: float | None = 50.0,
    show: bool = True,
    colour_by: str | None = None,
    focus: str | Iterable[str] | None = None,
    coordinate_decimals: int | None = 5,
) -> dict[str, str]:
    """Add home ranges as nested isopleths, one toggleable layer per method.

    Each range gets a tooltip (individual, method, level, area) and a popup with
    every metric column in readable units: areas in km² and sq mi, lengths
    (``*_m``) in km and mi, durations (``*_s``) in min, h or days, shares
    (``share*``, ``*_share``) in %. Inner (core) levels are drawn more opaque
    than outer ones.

    A range with an area interval (AKDE: ``area_low_km2``, ``area_high_km2``,
    ``model`` and the bounds' isopleths ``geometry_low`` / ``geometry_high``)
    says its interval and model in its tooltip, and its interval is drawn as
    a band around the isopleth: the ring between the lower and the upper
    bound's isopleths, semi-transparent in the range's colour, in a layer
    ``Home-range intervals (<method>)`` under the isopleths, with the same
    tooltip. A ``ci_level`` column (e.g. 0.95) names the interval's level.

    Parameters
    ----------
    m : folium.Map
    ranges : GeoDataFrame
        The table of :func:`habitat.home_range` (``individual``, ``method``,
        ``level``, ``area_km2``, ``area_sq_mi``...), any declared CRS. Areas
        are measured (equal-area CRS) when ``area_km2`` is missing. Extra
        geometry columns ``geometry_low`` / ``geometry_high`` are in the CRS of
        the active geometry (or declare their own).
    colours : mapping, optional
        individual -> colour (e.g. from :func:`add_relocations`); a palette
        otherwise.
    simplify_m : float, optional
        Display simplification tolerance in metres.
    show : bool
        Whether the layers start visible.
    colour_by : str, optional
        ``None`` or ``"individual"``: one colour per animal; ``"sex"``: the
        colours of :data:`habitat.maps.SEX_COLOURS` (needs a ``sex`` column);
        any other name: a 0-1 column (e.g. ``share_protected`` from
        :func:`habitat.territory_table`) to colour the ranges by, red (0) to
        green (1), with a colour scale on the map.
    focus : str or sequence of str, optional
        Individuals to highlight; the others are drawn faintly.
    coordinate_decimals : int, optional
        Decimal places of a degree kept (5 is about 1 m); ``None`` keeps full
        precision. Formerly ``coordinate_precision``.

    Returns
    -------
    dict
        individual -> colour (sex colours when ``colour_by="sex"``).

    Examples
    --------
    Two leopards' 95 % ranges (10 km squares) and one 50 % core (5 km), drawn
    outer levels first:

    >>> import folium
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> ranges = gpd.GeoDataFrame(
    ...     {
    ...         "individual": ["Leo 1F", "Leo 1F", "Leo 2M"],
    ...         "method": "mcp",
    ...         "level": [0.5, 0.95, 0.95],
    ...     },
    ...     geometry=[
    ...         box(500_000, 4_800_000, 505_000, 4_805_000),
    ...         box(500_000, 4_800_000, 510_000, 4_810_000),
    ...         box(505_000, 4_800_000, 515_000, 4_810_000),
    ...     ],
    ...     crs=32652,
    ... )
    >>> m = folium.Map(tiles=None)
    >>> add_home_ranges(m, ranges)
    {'Leo 1F': '#e41a1c', 'Leo 2M': '#377eb8'}
    >>> group = [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)][0]
    >>> group.layer_name
    'Home ranges (mcp)'
    >>> geo = next(iter(group._children.values()))
    >>> [(f["properties"]["level"], f["properties"]["area"]) for f in geo.data["features"]]
    [('95 %', '100.08 km² (38.64 sq mi)'), ('95 %', '100.08 km² (38.64 sq mi)'),
     ('50 %', '25.02 km² (9.66 sq mi)')]
    """
    ranges, simplify_m, coordinate_decimals = _checked_ranges(
        m, ranges, simplify_m=simplify_m, coordinate_decimals=coordinate_decimals
    )
    ids = ranges["individual"].astype(str)
    palette, scale = _range_colours(ranges, ids, colours=colours, colour_by=colour_by)
    data = ranges.reset_index(drop=True)
    level = data["level"].to_numpy(dtype=float, na_value=np.nan)
    props, metrics = _range_properties(
        m,
        data,
        ids,
        level,
        colour_by=colour_by,
        palette=palette,
        scale=scale,
        focus=focus,
        simplify_m=simplify_m,
        coordinate_decimals=coordinate_decimals,
    )
    labels = {"area": "area", "interval": _interval_label(data)}
    # draw large levels first so that core areas stay clickable on top
    order = np.argsort(-np.nan_to_num(level, nan=1.0), kind="stable")
    methods = data["method"].astype(str).iloc[order]
    bands = _interval_bands(
        data,
        props,
        simplify_m=simplify_m,
        coordinate_decimals=coordinate_decimals,
        m=m,
    )
    props = props.iloc[order]
    for method, part in props.groupby(methods.to_numpy(), sort=False):
        tips, popup_fields = _range_fields(part, metrics)
        if method in bands:
            _add_band_layer(m, bands[method], method=method, tips=tips, labels=labels, show=show)
        _add_isopleth_layer(
            m, part, method=method, tips=tips, popup_fields=popup_fields, labels=labels, show=show
        )
    if scale is not None:  # the legend of a 0-1 column's colours
        scale.add_to(m)
    return palette


def _checked_ranges(
    m: folium.Map,
    ranges: gpd.GeoDataFrame,
    *,
    simplify_m: float | None,
    coordinate_decimals: int | None,
) -> tuple[gpd.GeoDataFrame, float | None, int | None]:
    """:func:`add_home_ranges`' checked map, ranges and display options (warns when empty)."""
    check_map(m)
    ranges = require_geodataframe(
        ranges, name="ranges", hint="pass the table of habitat.home_range."
    )
    simplify_m = check_simplify_m(simplify_m)
    coordinate_decimals = check_coordinate_decimals(coordinate_decimals)
    warn_if_empty(ranges, name="home ranges")
    for col in ("individual", "method", "level"):
        if col not in ranges.columns:
            raise InputError(
                f"the ranges have no {col!r} column; columns: "
                f"{', '.join(map(str, ranges.columns))}. Pass the table of habitat.home_range."
            )
    return ranges, simplify_m, coordinate_decimals


def _range_colours(
    ranges: gpd.GeoDataFrame,
    ids: pd.Series,
    *,
    colours: Mapping[str, str] | None,
    colour_by: str | None,
) -> tuple[dict[str, str], LinearColormap | None]:
    """The colour of each individual, and the scale of a 0-1 ``colour_by`` column (else None)."""
    palette = individual_palette(ids.unique(), colours)
    scale = None
    mode = _colour_mode(colour_by)
    if mode == "sex":
        if "sex" not in ranges.columns:
            raise InputError("colour_by='sex' needs a 'sex' column (F/M) in the ranges.")
        palette = dict(zip(ids, sex_colours(ranges["sex"]), strict=True))
    elif mode != "individual":
        if colour_by not in ranges.columns:
            raise InputError(
                f"colour_by={colour_by!r} is not a column of the ranges; columns: "
                f"{', '.join(map(str, ranges.columns))}."
            )
        scale = LinearColormap(
            ["#d73027", "#fee08b", "#1a9850"],
            vmin=0.0,
            vmax=1.0,
            caption=html.escape(mode.replace("_", " ") + " (0-1)"),
        )
    return palette, scale


def _colour_mode(colour_by: str | None) -> str:
    """``"individual"``, ``"sex"`` or the name of the 0-1 column to colour the ranges by."""
    return "individual" if colour_by in (None, "individual") else colour_by


def _range_areas(data: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each range's area in km² and sq mi: its columns, else measured (equal-area CRS)."""
    if "area_km2" in data.columns:
        km2 = data["area_km2"].to_numpy(dtype=float, na_value=np.nan)
        sq_mi = (
            data["area_sq_mi"].to_numpy(dtype=float, na_value=np.nan)
            if "area_sq_mi" in data.columns
            else units.km2_to_sq_mi(km2)
        )
        return km2, sq_mi
    measured = units.area_columns(hcrs.area_m2(data, name="home ranges").to_numpy())
    return measured["area_km2"], measured["area_sq_mi"]


def _range_properties(
    m: folium.Map,
    data: gpd.GeoDataFrame,
    ids: pd.Series,
    level: np.ndarray,
    *,
    colour_by: str | None,
    palette: Mapping[str, str],
    scale: LinearColormap | None,
    focus: str | Iterable[str] | None,
    simplify_m: float | None,
    coordinate_decimals: int | None,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The ranges as displayed, with escaped tooltip/popup texts and style columns.

    Also returns the metric columns, shown in the popups in readable units.
    """
    km2, sq_mi = _range_areas(data)
    shown = map_longitudes(
        m,
        to_map_crs(
            data, name="home ranges", simplify_m=simplify_m, coordinate_decimals=coordinate_decimals
        ),
    )
    props = _escaped_properties(shown, [c for c in _RANGE_CORE if c in data.columns])
    props["level"] = ["" if not np.isfinite(v) else f"{format_number(100 * v, 1)} %" for v in level]
    props["area"] = area_text(km2, sq_mi)
    metrics = _metric_columns(data)
    for c in metrics:
        props[c] = readable_values(c, data[c])
    styles = _range_styles(
        data, ids, level, colour_by=colour_by, palette=palette, scale=scale, focus=focus
    )
    for name, values in styles.items():
        props[name] = values
    if {"area_low_km2", "area_high_km2"} <= set(data.columns):
        props["interval"] = interval_text(
            data["area_low_km2"].to_numpy(dtype=float, na_value=np.nan),
            data["area_high_km2"].to_numpy(dtype=float, na_value=np.nan),
        )
    return props, metrics


def _metric_columns(data: pd.DataFrame) -> list[str]:
    """The numeric columns shown in a range's popup (not core, skipped or private)."""
    return [
        c
        for c in data.columns
        if isinstance(c, str)
        and c not in _RANGE_SKIP
        and c not in _RANGE_CORE
        and not c.startswith("_")
        and data[c].dtype != object
        and pd.api.types.is_numeric_dtype(data[c])
    ]


def _range_styles(
    data: gpd.GeoDataFrame,
    ids: pd.Series,
    level: np.ndarray,
    *,
    colour_by: str | None,
    palette: Mapping[str, str],
    scale: LinearColormap | None,
    focus: str | Iterable[str] | None,
) -> dict[str, Any]:
    """Each range's ``_colour``, ``_fill``, ``_opacity`` and ``_weight`` (faint if not focused)."""
    styles: dict[str, Any] = {}
    if scale is not None:
        vals = data[_colour_mode(colour_by)].astype(float).clip(0, 1).fillna(0).to_numpy()
        styles["_colour"] = [scale(v) for v in vals]
    else:
        styles["_colour"] = ids.map(palette).to_numpy()
    focused = focus_set(focus)
    faint = ~ids.isin(focused).to_numpy() if focused is not None else np.zeros(len(data), bool)
    # inner (core) isopleths more opaque: 0.5 -> 0.33, 0.95 -> 0.11
    fill = np.clip(0.08 + 0.5 * (1.0 - np.nan_to_num(level, nan=0.95)), 0.08, 0.5)
    styles["_fill"] = np.round(np.where(faint, 0.02, fill), 2)
    styles["_opacity"] = np.where(faint, 0.6, 0.9)  # neighbours stay visible as outlines
    styles["_weight"] = np.where(level >= 0.9, 2.0, 1.0)
    return styles


def _range_fields(part: gpd.GeoDataFrame, metrics: Sequence[str]) -> tuple[list[str], list[str]]:
    """One layer's tooltip fields and popup fields (interval and model only where it has them)."""
    extra = _AKDE_TIPS if _has(part) else ()
    tips = [c for c in _RANGE_TIPS if c in part.columns and (c not in _AKDE_TIPS or c in extra)]
    popup_fields = tips + [c for c in ("n_fixes", *metrics) if c in part.columns]
    return tips, popup_fields


def _add_isopleth_layer(
    m: folium.Map,
    part: gpd.GeoDataFrame,
    *,
    method: str,
    tips: Sequence[str],
    popup_fields: Sequence[str],
    labels: Mapping[str, str],
    show: bool,
) -> None:
    """One method's isopleths as a toggleable layer, with tooltips and popups."""
    group = folium.FeatureGroup(name=html.escape(f"Home ranges ({method})"), show=show)
    folium.GeoJson(
        geojson(part),
        style_function=lambda f: {
            "color": f["properties"]["_colour"],
            "fillColor": f["properties"]["_colour"],
            "weight": f["properties"]["_weight"],
            "opacity": f["properties"]["_opacity"],
            "fillOpacity": f["properties"]["_fill"],
        },
        tooltip=folium.GeoJsonTooltip(
            fields=list(tips), aliases=[labels.get(c, column_label(c)) for c in tips]
        ),
        popup=folium.GeoJsonPopup(
            fields=list(popup_fields),
            aliases=[labels.get(c, column_label(c)) for c in popup_fields],
        ),
    ).add_to(group)
    group.add_to(m)


def _has(part: pd.DataFrame) -> bool:
    """Whether any range of a layer has an interval."""
    return "interval" in part.columns and bool(part["interval"].astype(bool).any())


def _interval_label(data: pd.DataFrame) -> str:
    """``"95 % interval"`` from a ``ci_level`` column (one level), else ``"interval"``."""
    if "ci_level" in data.columns:
        ci = pd.unique(data["ci_level"].dropna().to_numpy(dtype=float))
        if len(ci) == 1 and 0.0 < ci[0] < 1.0:
            return f"{format_number(100 * ci[0], 1)} % interval"
    return "interval"


def _bound_geometries(data: gpd.GeoDataFrame, column: str) -> np.ndarray:
    """An interval bound's isopleths (array of geometries or None) in the ranges' CRS."""
    values = data[column]
    if isinstance(values, gpd.GeoSeries) and values.crs is not None and values.crs != data.crs:
        values = values.to_crs(data.crs)
    geoms = np.asarray(values.to_numpy(), dtype=object)
    ok = np.array([g is None or isinstance(g, shapely.Geometry) for g in geoms], dtype=bool)
    if not ok.all():
        raise InputError(
            f"the ranges' {column!r} column holds values that are not geometries "
            f"(e.g. {geoms[~ok][0]!r:.60}); it must hold the isopleths of the area's "
            "interval bounds, as habitat.home_range(method='akde') returns them."
        )
    return geoms


def _interval_bands(
    data: gpd.GeoDataFrame,
    props: gpd.GeoDataFrame,
    *,
    simplify_m: float | None,
    coordinate_decimals: int | None,
    m: folium.Map,
) -> dict[str, gpd.GeoDataFrame]:
    """Display-ready bands (upper minus lower bound's isopleth) per method, with properties.

    Rows without both bounds, or whose band is empty, have none; a missing or
    empty lower bound makes the band the whole upper isopleth.
    """
    if not set(INTERVAL_GEOMETRIES) <= set(data.columns):
        return {}
    low = _bound_geometries(data, "geometry_low")
    high = _bound_geometries(data, "geometry_high")
    low = np.where(shapely.is_missing(low), shapely.Polygon(), low)
    ring = shapely.difference(high, low)
    keep = ~(shapely.is_missing(ring) | shapely.is_empty(ring))
    if not keep.any():
        return {}
    level = data["level"].to_numpy(dtype=float, na_value=np.nan)
    order = np.argsort(-np.nan_to_num(level, nan=1.0), kind="stable")
    order = order[keep[order]]
    band = gpd.GeoDataFrame(geometry=ring[order], crs=data.crs)
    shown = map_longitudes(
        m,
        to_map_crs(
            band,
            name="home-range intervals",
            simplify_m=simplify_m,
            coordinate_decimals=coordinate_decimals,
        ),
    )
    cols = [c for c in (*_RANGE_TIPS, "_colour") if c in props.columns]
    out = gpd.GeoDataFrame(
        props.iloc[order][cols].reset_index(drop=True), geometry=shown.geometry.to_numpy()
    )
    faint = props["_opacity"].to_numpy()[order] < 0.9
    out["_fill"] = np.where(faint, 0.03, 0.3)
    out["_opacity"] = np.where(faint, 0.3, 0.8)
    methods = data["method"].astype(str).to_numpy()[order]
    return {str(k): part for k, part in out.groupby(methods, sort=False)}


def _add_band_layer(
    m: folium.Map,
    band: gpd.GeoDataFrame,
    *,
    method: str,
    tips: Sequence[str],
    labels: Mapping[str, str],
    show: bool,
) -> None:
    """One method's interval bands as a toggleable layer under its isopleths."""
    fields = [c for c in tips if c in band.columns]
    group = folium.FeatureGroup(name=html.escape(f"Home-range intervals ({method})"), show=show)
    folium.GeoJson(
        geojson(band),
        style_function=lambda f: {
            "color": f["properties"]["_colour"],
            "fillColor": f["properties"]["_colour"],
            "weight": 0.8,
            "dashArray": "4 3",
            "opacity": f["properties"]["_opacity"],
            "fillOpacity": f["properties"]["_fill"],
        },
        tooltip=folium.GeoJsonTooltip(
            fields=fields, aliases=[labels.get(c, column_label(c)) for c in fields]
        ),
    ).add_to(group)
    group.add_to(m)


# ---------------------------------------------------------------------- corridors
def corridor_labels(columns: Iterable[str]) -> dict[str, str]:
    """Popup label of each corridor column, from :data:`habitat.core.tables.CORRIDORS`.

    Contract columns get their description, with the unit when it is not
    metres (metre columns are shown in km and mi); other columns keep the
    default label of :func:`habitat.maps.style.column_label`.

    Examples
    --------
    >>> corridor_labels(["from_id", "cost_weighted_distance", "length_m", "note"])
    {'from_id': 'from (animal, park or core area)',
     'cost_weighted_distance': 'cost-weighted distance (resistance × m)',
     'length_m': 'path length'}
    """
    out = {}
    for col in columns:
        if col not in CORRIDORS:
            continue
        spec = CORRIDORS.column(col)
        unit = "" if spec.unit in ("", "m") else f" ({spec.unit})"
        out[col] = CORRIDORS.label(col) + unit
    return out


@renamed_keywords(coordinate_precision="coordinate_decimals")
def add_corridors(
    m: folium.Map,
    corridors: gpd.GeoDataFrame,
    *,
    name: str = "Corridors",
    colour: str = CORRIDOR_COLOUR,
    simplify_m: float | None = 50.0,
    coordinate_decimals: int | None = 5,
    show: bool = True,
) -> folium.FeatureGroup:
    """Add corridors (least-cost paths or corridor polygons) with their metrics.

    Parameters
    ----------
    m : folium.Map
    corridors : GeoDataFrame
        A corridor table of the contract :data:`habitat.core.tables.CORRIDORS`:
        lines or polygons in any declared CRS with ``from_id``, ``to_id``,
        ``cost_weighted_distance`` and optional metric columns (``length_m``,
        ``width_m``, ``effective_resistance``...). The old names
        ``from_individual``, ``to_individual`` and ``cost`` are renamed with a
        :class:`DeprecationWarning`. Lengths of lines are measured (UTM) when
        ``length_m`` is missing. Tooltips and popups show every column under
        the contract's labels, lengths (``*_m``) in km and mi.
    name : str
        Layer name (escaped).
    colour : str
        Line and fill colour.
    simplify_m : float, optional
        Display simplification tolerance in metres.
    coordinate_decimals : int, optional
        Decimal places of a degree kept (5 is about 1 m). Formerly
        ``coordinate_precision``.
    show : bool
        Whether the layer starts visible.

    Returns
    -------
    folium.FeatureGroup

    Raises
    ------
    habitat.core.errors.ColumnError
        If a required column of the corridor contract is missing.

    Examples
    --------
    A 5 km least-cost path (a 3-4-5 triangle's hypotenuse in UTM metres); its
    length is measured and shown in km and mi:

    >>> import folium
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> links = gpd.GeoDataFrame(
    ...     {"from_id": ["Leo 1F"], "to_id": ["Leo 2M"], "cost_weighted_distance": [5400.0]},
    ...     geometry=[LineString([(500_000, 4_800_000), (503_000, 4_804_000)])],
    ...     crs=32652,
    ... )
    >>> m = folium.Map(tiles=None)
    >>> group = add_corridors(m, links)
    >>> group.layer_name
    'Corridors'
    >>> geo = next(iter(group._children.values()))
    >>> geo.data["features"][0]["properties"]
    {'from_id': 'Leo 1F', 'to_id': 'Leo 2M', 'cost_weighted_distance': '5,400.00',
     'length_m': '5 km (3.11 mi)'}
    """
    check_map(m)
    corridors = require_geodataframe(corridors, name="corridors")
    simplify_m = check_simplify_m(simplify_m)
    coordinate_decimals = check_coordinate_decimals(coordinate_decimals)
    data = CORRIDORS.validate(corridors, name="corridors").reset_index(drop=True)
    hcrs.require_crs(data, name="corridors")
    lines = data.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    if "length_m" not in data.columns and lines.any():
        data = data.assign(
            length_m=np.where(lines, hcrs.length_m(data, name="corridors").to_numpy(), np.nan)
        )
    geometry = data.geometry.name
    others = [c for c in data.columns if isinstance(c, str) and c != geometry]
    cols = list(dict.fromkeys([*CORRIDORS.present(data), *others]))
    return add_vector_layer(
        m,
        data,
        name="corridors",
        label=name,
        colour=check_colour(colour, what="corridor"),
        tooltip_columns=cols,
        show=show,
        simplify_m=simplify_m,
        coordinate_decimals=coordinate_decimals,
        style={"weight": 4.0, "fillOpacity": 0.25, "opacity": 0.9},
        labels=corridor_labels(cols),
    )

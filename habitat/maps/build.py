"""Folium maps of the study area, home ranges and relocations (presentation layer).

Everything is reprojected to EPSG:4326 for Leaflet here and only here; the
analysis never happens in the map's CRS. Strings that come from data (names,
individual ids, attribute values, column names) are HTML-escaped before they
reach the page.

What a map holds
----------------
:func:`study_area_map` draws the bundled study-area layers (park and its
zones, reserve, Chinese park, krai, countries, borders, roads with the
Narvinsky tunnel, railways, rivers, settlements), the land cover as an image
overlay, home ranges as nested isopleths, fixes (points, clusters or a heat
map), corridors and current density, with a grouped layer control, a legend,
tooltips and popups in readable units, and fullscreen, measure, minimap and
scale controls.

Size budget
-----------
Vector geometries are simplified in a metric CRS with
:func:`shapely.simplify` (``preserve_topology=True``; each geometry stays
valid, shared edges between neighbouring polygons may shift by up to the
tolerance) and their coordinates are rounded to ``coordinate_precision``
decimal degrees (5 decimals is about 1 m). The tolerance is stated in the
legend. A map of 1,000 two-level ranges plus all bundled layers and the land
cover stays under 5 MB of HTML.

What needs a network
--------------------
A saved map is one HTML file. By default its scripts and styles (Leaflet,
Bootstrap, the plugins) load from CDNs; :func:`save_map` with
``offline_assets=<folder>`` inlines them from a local copy
(:func:`habitat.maps.assets.inline_assets`) so that the page works without
internet. The basemap tiles (and the minimap's tiles) always come from the
tile server over the network; pass ``tiles=None`` for a map without a
basemap, which then needs no network at all.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.colormap import LinearColormap
from branca.element import MacroElement, Template
from folium import plugins
from pyproj import Transformer

from habitat.core import crs as hcrs
from habitat.core import units
from habitat.core.errors import InputError
from habitat.core.fs import atomic_write_text
from habitat.io.raster import Raster

__all__ = [
    "prepare_layers",
    "LAND_COVER_COLOURS",
    "LAYER_STYLES",
    "SEX_COLOURS",
    "add_corridors",
    "add_current_density",
    "add_home_ranges",
    "add_land_cover",
    "add_legend",
    "add_relocations",
    "add_vector_layer",
    "raster_lonlat_bounds",
    "save_map",
    "study_area_map",
    "warp_to_web_map",
]

#: Display name, style and group of each bundled layer, in drawing order.
LAYER_STYLES: dict[str, dict[str, Any]] = {
    "primorsky_krai": {
        "label": "Primorsky Krai",
        "color": "#6b6b6b",
        "fillOpacity": 0.0,
        "weight": 1.5,
        "dashArray": "6 4",
        "group": "Context",
        "show": True,
    },
    "countries": {
        "label": "Countries",
        "color": "#999999",
        "fillOpacity": 0.0,
        "weight": 0.5,
        "group": "Context",
        "show": False,
    },
    "ne_china_tiger_leopard_np": {
        "label": "NE China Tiger & Leopard NP",
        "color": "#b8860b",
        "fillOpacity": 0.15,
        "weight": 1.5,
        "group": "Protected areas",
        "show": True,
    },
    "land_of_the_leopard": {
        "label": "Land of the Leopard NP",
        "color": "#1b7837",
        "fillOpacity": 0.12,
        "weight": 2.0,
        "group": "Protected areas",
        "show": True,
    },
    "park_zones": {
        "label": "Park zones",
        "color": "#5aae61",
        "fillOpacity": 0.25,
        "weight": 0.8,
        "group": "Protected areas",
        "show": False,
        "by": "zone",
    },
    "kedrovaya_pad": {
        "label": "Kedrovaya Pad reserve",
        "color": "#00441b",
        "fillOpacity": 0.35,
        "weight": 1.5,
        "group": "Protected areas",
        "show": True,
    },
    "borders": {
        "label": "State borders",
        "color": "#d6604d",
        "weight": 2.5,
        "dashArray": "8 4",
        "group": "Infrastructure & borders",
        "show": True,
    },
    "roads": {
        "label": "Roads",
        "color": "#4d4d4d",
        "weight": 2.0,
        "group": "Infrastructure & borders",
        "show": True,
    },
    "railways": {
        "label": "Railways",
        "color": "#762a83",
        "weight": 2.0,
        "dashArray": "2 4",
        "group": "Infrastructure & borders",
        "show": True,
    },
    "settlements": {
        "label": "Settlements",
        "color": "#2166ac",
        "group": "Infrastructure & borders",
        "show": True,
    },
}

LAYER_STYLES["rivers"] = {
    "label": "Rivers",
    "color": "#4393c3",
    "weight": 1.5,
    "group": "Context",
    "show": False,
}

#: colour of each land-cover class name (:data:`habitat.datasets.LAND_COVER_CLASSES`)
LAND_COVER_COLOURS: dict[str, str] = {
    "forest": "#2e7d32",
    "grassland/burnt": "#d4b86a",
    "agriculture": "#f6e27f",
    "settlement": "#e31a1c",
    "water": "#1f78b4",
    "wetland": "#7fcdbb",
}

#: colour of each sex code when ranges or fixes are coloured by sex
SEX_COLOURS: dict[str, str] = {"F": "#c2185b", "M": "#1565c0"}
_SEX_NAMES = {"F": "Female (F)", "M": "Male (M)"}
_UNKNOWN_SEX_COLOUR = "#757575"
_TUNNEL_COLOUR = "#ff7f00"
_CORRIDOR_COLOUR = "#e6550d"
_CURRENT_COLOURS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
_OTHER_CLASS_COLOURS = ["#8dd3c7", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69"]
_COLOUR_RE = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(rgba?|hsla?)\([\d\s.,%]+\))$")
#: most animals listed one by one in the legend
_MAX_LEGEND_ANIMALS = 20
_FIX_MODES = ("points", "cluster", "heatmap")
_FIX_TOOLTIP_JS = (
    "function (feature, layer) { var p = feature.properties; layer.bindTooltip("
    "'<b>individual</b> ' + p.individual + '<br><b>fixes shown</b> ' + p.n_fixes); }"
)
_ZONE_COLOURS = ["#1b7837", "#a6dba0", "#fee08b", "#f4a582", "#92c5de", "#c2a5cf"]
_INDIVIDUAL_COLOURS = [
    "#e41a1c",
    "#377eb8",
    "#4daf4a",
    "#984ea3",
    "#ff7f00",
    "#a65628",
    "#f781bf",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#1f78b4",
    "#e7298a",
    "#66a61e",
    "#d95f02",
    "#7570b3",
    "#e6ab02",
]


# ---------------------------------------------------------------------- helpers
def _escaped_properties(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """Keep ``columns`` (+ geometry), as HTML-escaped strings; drop the rest."""
    out = gpd.GeoDataFrame(geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    for col in columns:
        vals = gdf[col].to_numpy()
        out[col] = [html.escape("" if _missing(v) else _fmt(v)) for v in vals]
    return out


def _missing(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):  # arrays, lists
        return False


def _fmt(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        return f"{float(v):,.2f}"
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else v.isoformat(sep=" ")
    return str(v)


def _num(v: float, decimals: int = 2) -> str:
    """A number with thousands separators and no trailing zeros: 100, 38.61, 1,234.5."""
    text = f"{v:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _area_text(km2: np.ndarray, sq_mi: np.ndarray) -> list[str]:
    return [
        "" if not (np.isfinite(a) and np.isfinite(b)) else f"{_num(a)} km² ({_num(b)} sq mi)"
        for a, b in zip(km2, sq_mi, strict=True)
    ]


def _length_text(m: np.ndarray) -> list[str]:
    km = units.convert_length(m, "m", "km")
    mi = units.convert_length(m, "m", "mi")
    return [
        "" if not np.isfinite(a) else f"{_num(a)} km ({_num(b)} mi)"
        for a, b in zip(km, mi, strict=True)
    ]


def _readable(col: str, values: pd.Series) -> list[str]:
    """Display text of a metric column, in units its name declares (escaped)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        arr = values.to_numpy(dtype=float, na_value=np.nan)
        if col.startswith("share") or col.endswith("_share") or col == "plausibility":
            return ["" if not np.isfinite(v) else f"{_num(100 * v, 1)} %" for v in arr]
        if col.endswith("_km2"):
            return _area_text(arr, units.km2_to_sq_mi(arr))
        if col.endswith("_m"):
            return _length_text(arr)
    return [html.escape("" if _missing(v) else _fmt(v)) for v in values.to_numpy()]


def _label(col: str) -> str:
    """Human label of a column name for tooltips (escaped)."""
    text = col
    for suffix in ("_km2", "_m", "_sq_mi"):
        if text.endswith(suffix) and text not in {"area_km2", "area_sq_mi"}:
            text = text[: -len(suffix)]
    return html.escape(text.replace("_", " "))


def _check_colour(colour: str, *, what: str) -> str:
    if not isinstance(colour, str) or not _COLOUR_RE.match(colour):
        raise InputError(
            f"{what} colour {colour!r} is not a CSS colour name, #rrggbb hex code or "
            "rgb()/hsl() value."
        )
    return colour


def _round_coords(geoms: gpd.GeoSeries, precision: int | None) -> gpd.GeoSeries:
    """Snap to a ``10**-precision`` degree grid (validity kept) and round the text."""
    if precision is None:
        return geoms
    arr = shapely.set_precision(geoms.to_numpy(), 10.0**-precision)
    arr = shapely.transform(arr, lambda xy: np.round(xy, precision))
    return gpd.GeoSeries(arr, index=geoms.index, crs=geoms.crs)


def _to_map_crs(
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    simplify_m: float | None,
    coordinate_precision: int | None = None,
) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326, simplifying in metres first (topology preserved)."""
    hcrs.require_crs(gdf, name=name)
    if gdf.attrs.get(_PREPARED) == (simplify_m, coordinate_precision) and gdf.crs == hcrs.WGS84:
        return gdf  # already made display-ready by prepare_layers
    if simplify_m:
        metric = hcrs.to_metric(gdf, name=name)
        metric = metric.set_geometry(
            shapely.simplify(metric.geometry.to_numpy(), simplify_m, preserve_topology=True)
        )
        out = hcrs.align(metric, hcrs.WGS84, name=name)
    else:
        out = hcrs.align(gdf, hcrs.WGS84, name=name)
    if coordinate_precision is not None:
        out = out.set_geometry(_round_coords(out.geometry, coordinate_precision))
    return out


_PREPARED = "habitat_display"


def _with_metrics(gdf: gpd.GeoDataFrame, *, name: str) -> gpd.GeoDataFrame:
    """Add ``area_km2`` (polygons) or ``length_m`` (lines) measured by :mod:`habitat.core.crs`.

    Measured on the geometry as given, before any display simplification:
    areas in the local equal-area CRS, lengths in the UTM zone. Columns the
    layer already has are kept as they are.
    """
    kinds = set(gdf.geom_type.dropna().unique())
    if not len(gdf) or not kinds:
        return gdf
    if kinds <= {"Polygon", "MultiPolygon"} and "area_km2" not in gdf.columns:
        return gdf.assign(area_km2=units.area_columns(hcrs.area_m2(gdf, name=name))["area_km2"])
    if kinds <= {"LineString", "MultiLineString"} and "length_m" not in gdf.columns:
        return gdf.assign(length_m=hcrs.length_m(gdf, name=name))
    return gdf


def prepare_layers(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    simplify_m: float | None = 50.0,
    coordinate_precision: int | None = 5,
) -> dict[str, gpd.GeoDataFrame]:
    """Make layers display-ready once, for many maps drawn with the same settings.

    Each layer is simplified in its metric CRS (topology preserved), reprojected
    to EPSG:4326 and rounded, as :func:`study_area_map` would do, and marked so
    that maps with the same ``simplify_m`` and ``coordinate_precision`` use it
    as it is. A batch of per-animal maps (:mod:`habitat.batch.runner`) prepares the
    study-area layers once instead of once per page.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layers by name, any declared CRS.
    simplify_m : float, optional
        Simplification tolerance in metres (``None``: none).
    coordinate_precision : int, optional
        Decimal places of the degrees kept (5 ≈ 1 m).

    Returns
    -------
    dict of str to GeoDataFrame
        The layers in EPSG:4326; pass them to :func:`study_area_map` with the
        same two settings.
    """
    out = {}
    for key, gdf in layers.items():
        ready = _to_map_crs(
            _with_metrics(gdf, name=key),
            name=key,
            simplify_m=simplify_m,
            coordinate_precision=coordinate_precision,
        )
        ready = ready.copy()
        ready.attrs[_PREPARED] = (simplify_m, coordinate_precision)
        out[key] = ready
    return out


def _geojson(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """GeoJSON dict of a layer, features keyed by index, without per-feature bboxes."""
    return gdf.to_geo_dict(show_bbox=False, drop_id=False)


def _focus_set(focus: str | Iterable[str] | None) -> set[str] | None:
    if focus is None:
        return None
    if isinstance(focus, str):
        return {focus}
    return {str(f) for f in focus}


def _individual_palette(
    names: Iterable[str], given: Mapping[str, str] | None = None
) -> dict[str, str]:
    palette = {str(k): _check_colour(v, what=f"individual {k!r}") for k, v in (given or {}).items()}
    for i, n in enumerate(sorted({str(n) for n in names})):
        palette.setdefault(n, _INDIVIDUAL_COLOURS[i % len(_INDIVIDUAL_COLOURS)])
    return palette


def _sex_colours(sex: pd.Series) -> np.ndarray:
    codes = sex.astype(str).str.strip().str.upper().str[:1]
    return codes.map(SEX_COLOURS).fillna(_UNKNOWN_SEX_COLOUR).to_numpy()


# ----------------------------------------------------------------- vector layers
def add_vector_layer(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    label: str | None = None,
    color: str = "#3388ff",
    fill_color: str | None = None,
    tooltip_columns: Sequence[str] | None = None,
    parent: folium.FeatureGroup | folium.Map | None = None,
    show: bool = True,
    simplify_m: float | None = None,
    style: Mapping[str, Any] | None = None,
    coordinate_precision: int | None = None,
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
    color, fill_color : str
        Stroke and fill colours.
    tooltip_columns : sequence of str, optional
        Columns shown on hover (values HTML-escaped).
    parent : FeatureGroup or Map, optional
        Where to add the layer; the map by default.
    show : bool
        Whether the layer starts visible.
    simplify_m : float, optional
        Simplification tolerance in metres before display.
    style : mapping, optional
        Extra Leaflet path options (``weight``, ``fillOpacity``, ``dashArray``...).
    coordinate_precision : int, optional
        Round coordinates to this many decimal degrees (5 is about 1 m);
        full precision by default.

    Returns
    -------
    folium.FeatureGroup
    """
    cols = [c for c in (tooltip_columns or []) if c in gdf.columns]
    gdf = _with_metrics(gdf, name=name)
    metrics = [c for c in ("area_km2", "length_m") if c in gdf.columns]
    shown = _to_map_crs(
        gdf, name=name, simplify_m=simplify_m, coordinate_precision=coordinate_precision
    )
    props = _escaped_properties(shown, [])
    for c in dict.fromkeys([*cols, *metrics]):
        props[c] = _readable(c, gdf[c].reset_index(drop=True))
    popup_cols = list(dict.fromkeys([*cols, *metrics]))
    popup = (
        folium.GeoJsonPopup(
            fields=popup_cols,
            aliases=["area" if c == "area_km2" else _label(c) for c in popup_cols],
        )
        if metrics
        else None
    )
    opts = {"color": color, "fillColor": fill_color or color, "weight": 1.5, "fillOpacity": 0.2}
    opts.update(
        {
            k: v
            for k, v in (style or {}).items()
            if k not in {"label", "group", "show", "by", "color"}
        }
    )
    group = folium.FeatureGroup(name=html.escape(label or name), show=show)
    is_point = bool(len(shown)) and shown.geom_type.isin(["Point", "MultiPoint"]).all()
    tooltip = (
        folium.GeoJsonTooltip(fields=cols, aliases=[_label(c) for c in cols], labels=True)
        if cols
        else None
    )
    if is_point:
        folium.GeoJson(
            _geojson(props),
            marker=folium.CircleMarker(radius=5, fill=True, fill_opacity=0.9, weight=1),
            style_function=lambda _f, o=opts: {"color": "#ffffff", "fillColor": o["color"]},
            tooltip=tooltip,
        ).add_to(group)
    else:
        folium.GeoJson(
            _geojson(props),
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
    coordinate_precision: int | None = 5,
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
        (:data:`SEX_COLOURS`; needs a ``sex`` column).
    focus : str or sequence of str, optional
        Individuals to highlight; the others are drawn faintly.
    coordinate_precision : int, optional
        Decimal degrees kept (5 is about 1 m); ``None`` keeps full precision.

    Returns
    -------
    dict
        individual -> colour, for a legend.
    """
    if mode not in _FIX_MODES:
        raise InputError(f"fixes mode {mode!r} is not one of {', '.join(map(repr, _FIX_MODES))}.")
    if colour_by not in {"individual", "sex"}:
        raise InputError(f"colour_by={colour_by!r} for fixes: use 'individual' or 'sex'.")
    pts = _to_map_crs(relocations, name="relocations", simplify_m=None)
    pts = pts[~pts.geometry.is_empty & pts.geometry.notna()]
    focused = _focus_set(focus)
    palette = _individual_palette(pts[individual_column].astype(str).unique(), colours)
    if colour_by == "sex" and "sex" in pts.columns:
        first_sex = pts.groupby(pts[individual_column].astype(str))["sex"].first()
        palette.update(dict(zip(first_sex.index, _sex_colours(first_sex), strict=True)))
    out: dict[str, str] = {}
    heat: list[np.ndarray] = []
    for ind, grp in pts.groupby(pts[individual_column].astype(str), sort=True):
        grp = _thin(grp, max_fixes_per_individual)
        colour = palette[ind]
        out[ind] = colour
        faint = focused is not None and ind not in focused
        xy = shapely_xy(grp.geometry)
        if coordinate_precision is not None:
            xy = np.round(xy, coordinate_precision)
        if mode == "heatmap":
            heat.append(xy[:, ::-1])
            continue
        sex = f" ({grp['sex'].iloc[0]})" if "sex" in grp.columns else ""
        group = folium.FeatureGroup(name=html.escape(f"Fixes: {ind}{sex}"), show=show)
        if mode == "cluster":
            # the callback is code: only a validated colour goes into it, no data strings
            c = _check_colour(colour, what=f"individual {ind!r}")
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
_RANGE_CORE = ("individual", "sex", "method", "level", "n_fixes")
_RANGE_SKIP = {
    "geometry",
    "area_km2",
    "area_sq_mi",
    "area_m2",
    "range_id",
    "_colour",
    "_weight",
    "_fill",
    "_opacity",
}


def add_home_ranges(
    m: folium.Map,
    ranges: gpd.GeoDataFrame,
    *,
    colours: Mapping[str, str] | None = None,
    simplify_m: float | None = 50.0,
    show: bool = True,
    colour_by: str | None = None,
    focus: str | Iterable[str] | None = None,
    coordinate_precision: int | None = 5,
) -> dict[str, str]:
    """Add home ranges as nested isopleths, one toggleable layer per method.

    Each range gets a tooltip (individual, method, level, area) and a popup with
    every metric column in readable units: areas in km² and sq mi, lengths
    (``*_m``) in km and mi, shares (``share*``, ``*_share``) in %. Inner
    (core) levels are drawn more opaque than outer ones.

    Parameters
    ----------
    m : folium.Map
    ranges : GeoDataFrame
        The table of :func:`habitat.home_range` (``individual``, ``method``,
        ``level``, ``area_km2``, ``area_sq_mi``...), any declared CRS. Areas
        are measured (equal-area CRS) when ``area_km2`` is missing.
    colours : mapping, optional
        individual -> colour (e.g. from :func:`add_relocations`); a palette
        otherwise.
    simplify_m : float, optional
        Display simplification tolerance in metres.
    show : bool
        Whether the layers start visible.
    colour_by : str, optional
        ``None`` or ``"individual"``: one colour per animal; ``"sex"``: the
        colours of :data:`SEX_COLOURS` (needs a ``sex`` column); any other
        name: a 0-1 column (e.g. ``share_protected`` from
        :func:`habitat.territory_table`) to colour the ranges by, red (0) to
        green (1), with a colour scale on the map.
    focus : str or sequence of str, optional
        Individuals to highlight; the others are drawn faintly.
    coordinate_precision : int, optional
        Decimal degrees kept (5 is about 1 m); ``None`` keeps full precision.

    Returns
    -------
    dict
        individual -> colour (sex colours when ``colour_by="sex"``).
    """
    for col in ("individual", "method", "level"):
        if col not in ranges.columns:
            raise InputError(
                f"the ranges have no {col!r} column; columns: "
                f"{', '.join(map(str, ranges.columns))}. Pass the table of habitat.home_range."
            )
    ids = ranges["individual"].astype(str)
    palette = _individual_palette(ids.unique(), colours)
    scale = None
    mode = "individual" if colour_by in (None, "individual") else colour_by
    if mode == "sex":
        if "sex" not in ranges.columns:
            raise InputError("colour_by='sex' needs a 'sex' column (F/M) in the ranges.")
        palette = dict(zip(ids, _sex_colours(ranges["sex"]), strict=True))
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
            caption=html.escape(colour_by.replace("_", " ") + " (0-1)"),
        )
    data = ranges.reset_index(drop=True)
    if "area_km2" in data.columns:
        km2 = data["area_km2"].to_numpy(dtype=float, na_value=np.nan)
        sq_mi = (
            data["area_sq_mi"].to_numpy(dtype=float, na_value=np.nan)
            if "area_sq_mi" in data.columns
            else units.km2_to_sq_mi(km2)
        )
    else:
        measured = units.area_columns(hcrs.area_m2(data, name="home ranges").to_numpy())
        km2, sq_mi = measured["area_km2"], measured["area_sq_mi"]
    level = data["level"].to_numpy(dtype=float, na_value=np.nan)
    shown = _to_map_crs(
        data, name="home ranges", simplify_m=simplify_m, coordinate_precision=coordinate_precision
    )
    props = _escaped_properties(shown, [c for c in _RANGE_CORE if c in data.columns])
    props["level"] = ["" if not np.isfinite(v) else f"{_num(100 * v, 1)} %" for v in level]
    props["area"] = _area_text(km2, sq_mi)
    metrics = [
        c
        for c in data.columns
        if isinstance(c, str)
        and c not in _RANGE_SKIP
        and c not in _RANGE_CORE
        and not c.startswith("_")
        and data[c].dtype != object
        and pd.api.types.is_numeric_dtype(data[c])
    ]
    for c in metrics:
        props[c] = _readable(c, data[c])
    if scale is not None:
        vals = data[colour_by].astype(float).clip(0, 1).fillna(0).to_numpy()
        props["_colour"] = [scale(v) for v in vals]
    else:
        props["_colour"] = ids.map(palette).to_numpy()
    focused = _focus_set(focus)
    faint = ~ids.isin(focused).to_numpy() if focused is not None else np.zeros(len(data), bool)
    # inner (core) isopleths more opaque: 0.5 -> 0.33, 0.95 -> 0.11
    fill = np.clip(0.08 + 0.5 * (1.0 - np.nan_to_num(level, nan=0.95)), 0.08, 0.5)
    props["_fill"] = np.round(np.where(faint, 0.02, fill), 2)
    props["_opacity"] = np.where(faint, 0.6, 0.9)  # neighbours stay visible as outlines
    props["_weight"] = np.where(level >= 0.9, 2.0, 1.0)
    tips = [c for c in ("individual", "sex", "method", "level", "area") if c in props.columns]
    popup_fields = tips + [c for c in ("n_fixes", *metrics) if c in props.columns]
    aliases = ["area" if c == "area" else _label(c) for c in popup_fields]
    # draw large levels first so that core areas stay clickable on top
    order = np.argsort(-np.nan_to_num(level, nan=1.0), kind="stable")
    props = props.iloc[order]
    methods = data["method"].astype(str).iloc[order]
    for method, part in props.groupby(methods.to_numpy(), sort=False):
        group = folium.FeatureGroup(name=html.escape(f"Home ranges ({method})"), show=show)
        folium.GeoJson(
            _geojson(part),
            style_function=lambda f: {
                "color": f["properties"]["_colour"],
                "fillColor": f["properties"]["_colour"],
                "weight": f["properties"]["_weight"],
                "opacity": f["properties"]["_opacity"],
                "fillOpacity": f["properties"]["_fill"],
            },
            tooltip=folium.GeoJsonTooltip(fields=tips, aliases=[_label(c) for c in tips]),
            popup=folium.GeoJsonPopup(fields=popup_fields, aliases=aliases),
        ).add_to(group)
        group.add_to(m)
    if scale is not None:
        scale.add_to(m)
    return palette


def shapely_xy(geoms: gpd.GeoSeries) -> np.ndarray:
    """(n, 2) array of point coordinates (x = longitude, y = latitude in EPSG:4326)."""
    return np.column_stack([geoms.x.to_numpy(), geoms.y.to_numpy()])


# ------------------------------------------------------------------------ rasters
def raster_lonlat_bounds(raster: Raster) -> tuple[float, float, float, float]:
    """Extent of a raster in WGS 84 degrees, (west, south, east, north).

    The raster's bounds are transformed with 21 points per edge, so that
    curved edges (a UTM grid is not a lon/lat rectangle) are enclosed.
    """
    t = Transformer.from_crs(raster.crs, hcrs.WGS84, always_xy=True)
    w, s, e, n = t.transform_bounds(*raster.bounds, densify_pts=21)
    return float(w), float(s), float(e), float(n)


def _mercator_y(lat_deg: Any) -> Any:
    """Web Mercator northing on the unit sphere (radians) of a latitude in degrees."""
    return np.log(np.tan(np.pi / 4 + np.radians(lat_deg) / 2))


def warp_to_web_map(
    raster: Raster, *, max_size_px: int = 1024
) -> tuple[np.ndarray, np.ndarray, tuple[float, float, float, float]]:
    """Resample a raster (nearest cell) to the pixel grid of a Leaflet image overlay.

    Leaflet stretches an image linearly between its corner latitudes in Web
    Mercator, so the output pixels are evenly spaced in longitude and in
    Mercator northing over :func:`raster_lonlat_bounds`. Each pixel centre
    is transformed back to the raster's CRS (:mod:`pyproj`) and takes the
    value of the cell that contains it.

    Parameters
    ----------
    raster : Raster
        Any declared CRS (the bundled land cover is UTM 52N).
    max_size_px : int
        Longest side of the output in pixels; the raster's own size if smaller.

    Returns
    -------
    values : numpy.ndarray
        (height, width) cell values, row 0 at the north; invalid pixels hold
        the raster's nodata (or 0 / NaN when it has none).
    valid : numpy.ndarray of bool
        Pixels that fall inside the raster and are not nodata.
    bounds : tuple of float
        (west, south, east, north) in degrees.
    """
    if max_size_px < 1:
        raise InputError(f"max_size_px must be at least 1; got {max_size_px}.")
    w, s, e, n = raster_lonlat_bounds(raster)
    x_span = np.radians(e - w)
    y_north, y_south = _mercator_y(n), _mercator_y(s)
    y_span = y_north - y_south
    longest = int(min(max_size_px, max(raster.shape)))
    if x_span >= y_span:
        width, height = longest, max(1, round(longest * y_span / x_span))
    else:
        width, height = max(1, round(longest * x_span / y_span)), longest
    lon = w + (np.arange(width) + 0.5) * (e - w) / width
    merc = y_north - (np.arange(height) + 0.5) * y_span / height
    lat = np.degrees(2 * np.arctan(np.exp(merc)) - np.pi / 2)
    lon_grid, lat_grid = np.meshgrid(lon, lat)
    to_raster = Transformer.from_crs(hcrs.WGS84, raster.crs, always_xy=True)
    x, y = to_raster.transform(lon_grid, lat_grid)
    finite = np.isfinite(x) & np.isfinite(y)
    rows, cols = raster.index(np.where(finite, x, 0.0), np.where(finite, y, 0.0))
    valid = finite & raster.contains_index(rows, cols)
    arr = raster.array
    if raster.nodata is not None:
        fill: Any = raster.nodata
    else:
        fill = np.nan if np.issubdtype(arr.dtype, np.floating) else 0
    values = np.full(
        (height, width), fill, dtype=np.result_type(arr.dtype, np.min_scalar_type(fill))
    )
    values[valid] = arr[rows[valid], cols[valid]]
    if raster.nodata is not None:
        valid &= ~(values == raster.nodata)
    if np.issubdtype(values.dtype, np.floating):
        valid &= np.isfinite(values)
    return values, valid, (w, s, e, n)


def _hex_to_rgb(colours: Sequence[str]) -> np.ndarray:
    """(n, 3) uint8 RGB of colour names or hex codes (for raster images)."""
    from matplotlib.colors import to_rgba_array

    try:
        rgba = to_rgba_array(list(colours))
    except ValueError as exc:
        raise InputError(f"cannot colour a raster with {list(colours)!r}: {exc}") from None
    return np.round(rgba[:, :3] * 255).astype(np.uint8).reshape(-1, 3)


def _png_data_url(rgba: np.ndarray) -> str:
    from matplotlib import image as mpimg

    buf = io.BytesIO()
    mpimg.imsave(buf, rgba, format="png")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _class_colours(raster: Raster, colours: Mapping[Any, str] | None) -> dict[int, tuple[str, str]]:
    """Class value -> (name, colour) of the classes present."""
    given = dict(colours or {})
    names = dict(raster.classes or {})
    present = np.unique(raster.array)
    out: dict[int, tuple[str, str]] = {}
    extra = 0
    for v in present.tolist():
        if raster.nodata is not None and v == raster.nodata:
            continue
        name = names.get(int(v), str(v))
        colour = given.get(int(v), given.get(name, LAND_COVER_COLOURS.get(name)))
        if colour is None:
            colour = _OTHER_CLASS_COLOURS[extra % len(_OTHER_CLASS_COLOURS)]
            extra += 1
        out[int(v)] = (name, _check_colour(colour, what=f"class {name!r}"))
    return out


_RASTER_PANE = "habitatRasters"


def _raster_pane(m: folium.Map) -> str:
    """A map pane under the vector layers (Leaflet's overlay pane is at z-index 400)."""
    if not any(
        isinstance(c, folium.map.CustomPane) and c.name == _RASTER_PANE
        for c in m._children.values()
    ):
        folium.map.CustomPane(_RASTER_PANE, z_index=350, pointer_events=False).add_to(m)
    return _RASTER_PANE


def _add_image(
    m: folium.Map,
    rgba: np.ndarray,
    bounds: tuple[float, float, float, float],
    *,
    name: str,
    opacity: float,
    show: bool,
) -> None:
    """An RGBA image over (west, south, east, north) degrees, in its own layer."""
    w, s, e, n = bounds
    group = folium.FeatureGroup(name=html.escape(name), show=show)
    folium.raster_layers.ImageOverlay(
        _png_data_url(rgba),
        bounds=[[s, w], [n, e]],
        opacity=opacity,
        pixelated=True,
        pane=_raster_pane(m),
    ).add_to(group)
    group.add_to(m)


def add_land_cover(
    m: folium.Map,
    raster: Raster,
    *,
    name: str = "Land cover",
    colours: Mapping[Any, str] | None = None,
    opacity: float = 0.6,
    show: bool = False,
    max_size_px: int = 1024,
) -> list[tuple[str, str]]:
    """Add a categorical raster (land cover) as a coloured image overlay.

    The classes are resampled (nearest cell) to the overlay's Web Mercator
    pixel grid with :func:`warp_to_web_map`, coloured, and embedded as a PNG.

    Parameters
    ----------
    m : folium.Map
    raster : Raster
        Integer classes, e.g. :func:`habitat.datasets.land_cover`; nodata
        cells are transparent.
    name : str
        Layer name (escaped).
    colours : mapping, optional
        Class value or class name -> colour; :data:`LAND_COVER_COLOURS` and
        a fallback palette otherwise.
    opacity : float
        Overlay opacity, 0-1.
    show : bool
        Whether the layer starts visible.
    max_size_px : int
        Longest side of the embedded image in pixels (about 1 px per 200 m
        cell for the bundled land cover).

    Returns
    -------
    list of (str, str)
        (class name, colour) legend entries.
    """
    if not np.issubdtype(raster.array.dtype, np.integer):
        raise InputError(
            f"land cover must hold integer classes; got dtype {raster.array.dtype}. "
            "Use add_current_density for continuous values."
        )
    classes = _class_colours(raster, colours)
    values, valid, (w, s, e, n) = warp_to_web_map(raster, max_size_px=max_size_px)
    keys = np.array(sorted(classes), dtype=np.int64)
    rgb = _hex_to_rgb([classes[k][1] for k in keys])
    pos = np.clip(np.searchsorted(keys, values.astype(np.int64)), 0, len(keys) - 1)
    known = valid & (keys[pos] == values) if len(keys) else np.zeros_like(valid)
    rgba = np.zeros(values.shape + (4,), dtype=np.uint8)
    if len(keys):
        rgba[..., :3] = rgb[pos]
    rgba[..., 3] = np.where(known, 255, 0)
    _add_image(m, rgba, (w, s, e, n), name=name, opacity=opacity, show=show)
    return [(cls_name, colour) for cls_name, colour in (classes[k] for k in keys)]


def add_current_density(
    m: folium.Map,
    raster: Raster,
    *,
    name: str = "Current density",
    caption: str | None = None,
    colours: Sequence[str] = tuple(_CURRENT_COLOURS),
    vmin: float | None = None,
    vmax: float | None = None,
    opacity: float = 0.7,
    show: bool = True,
    max_size_px: int = 768,
    steps: int = 64,
) -> LinearColormap:
    """Add a continuous raster (e.g. circuit-theory current density) as a coloured overlay.

    Parameters
    ----------
    m : folium.Map
    raster : Raster
        Float values in any declared CRS; nodata and NaN cells are transparent.
    name : str
        Layer name (escaped).
    caption : str, optional
        Colour-scale caption (escaped); ``name`` by default. State the unit
        here (e.g. ``"Current density (A per cell)"``).
    colours : sequence of str
        Colours of the scale from low to high (viridis by default).
    vmin, vmax : float, optional
        Scale limits in the raster's unit; the 0th and 99th percentiles of
        the valid values by default (values beyond are clipped).
    opacity : float
        Overlay opacity, 0-1.
    show : bool
        Whether the layer starts visible.
    max_size_px : int
        Longest side of the embedded image in pixels.
    steps : int
        Number of distinct colours the values are quantised to (at least 2).

    Returns
    -------
    branca.colormap.LinearColormap
        The colour scale, already added to the map as a legend.
    """
    cols = [_check_colour(c, what="current-density") for c in colours]
    if steps < 2:
        raise InputError(f"steps must be at least 2; got {steps}.")
    values, valid, (w, s, e, n) = warp_to_web_map(raster, max_size_px=max_size_px)
    vals = values.astype(float)
    data = vals[valid]
    lo = float(np.min(data)) if vmin is None and data.size else (vmin or 0.0)
    hi = float(np.percentile(data, 99)) if vmax is None and data.size else (vmax or 1.0)
    if not hi > lo:
        hi = lo + 1.0
    t = np.clip((np.where(valid, vals, lo) - lo) / (hi - lo), 0.0, 1.0)
    # quantise to `steps` colours: indistinguishable on screen, and the PNG compresses
    t = np.round(t * (steps - 1)) / (steps - 1)
    anchors = _hex_to_rgb(cols).astype(float)
    xs = np.linspace(0.0, 1.0, len(anchors))
    rgba = np.zeros(values.shape + (4,), dtype=np.uint8)
    for k in range(3):
        rgba[..., k] = np.round(np.interp(t, xs, anchors[:, k])).astype(np.uint8)
    rgba[..., 3] = np.where(valid, 255, 0)
    _add_image(m, rgba, (w, s, e, n), name=name, opacity=opacity, show=show)
    scale = LinearColormap(cols, vmin=lo, vmax=hi, caption=html.escape(caption or name))
    scale.add_to(m)
    return scale


# ---------------------------------------------------------------------- corridors
def add_corridors(
    m: folium.Map,
    corridors: gpd.GeoDataFrame,
    *,
    name: str = "Corridors",
    colour: str = _CORRIDOR_COLOUR,
    simplify_m: float | None = 50.0,
    coordinate_precision: int | None = 5,
    show: bool = True,
) -> folium.FeatureGroup:
    """Add corridors (least-cost paths or corridor polygons) with their metrics.

    Parameters
    ----------
    m : folium.Map
    corridors : GeoDataFrame
        Lines or polygons in any declared CRS, with optional metric columns
        (``cost``, ``length_m``, ``resistance``, ``width_m``...); lengths of
        lines are measured (UTM) when ``length_m`` is missing. Tooltips show
        every column, lengths in km and mi, shares in %.
    name : str
        Layer name (escaped).
    colour : str
        Line and fill colour.
    simplify_m : float, optional
        Display simplification tolerance in metres.
    coordinate_precision : int, optional
        Decimal degrees kept (5 is about 1 m).
    show : bool
        Whether the layer starts visible.

    Returns
    -------
    folium.FeatureGroup
    """
    data = corridors.reset_index(drop=True)
    hcrs.require_crs(data, name="corridors")
    lines = data.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    if "length_m" not in data.columns and lines.any():
        data = data.assign(
            length_m=np.where(lines, hcrs.length_m(data, name="corridors").to_numpy(), np.nan)
        )
    cols = [c for c in data.columns if isinstance(c, str) and c != "geometry"]
    return add_vector_layer(
        m,
        data,
        name="corridors",
        label=name,
        color=_check_colour(colour, what="corridor"),
        tooltip_columns=cols,
        show=show,
        simplify_m=simplify_m,
        coordinate_precision=coordinate_precision,
        style={"weight": 4.0, "fillOpacity": 0.25, "opacity": 0.9},
    )


# ------------------------------------------------------------------------- legend
_LEGEND_TEMPLATE = """
{% macro html(this, kwargs) %}
<div id="{{ this.get_name() }}" class="habitat-legend" style="position: fixed; bottom: 60px;
 left: 10px; z-index: 9999; background: rgba(255,255,255,0.92); padding: 8px 10px;
 border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.4 sans-serif;
 max-height: 45vh; overflow-y: auto;">
<div style="font-weight: bold; margin-bottom: 4px;">{{ this.title }}</div>
{% for label, colour in this.items %}
<div><span style="display:inline-block;width:12px;height:12px;background:{{ colour }};
 margin-right:6px;border:1px solid #555;vertical-align:middle;"></span>{{ label }}</div>
{% endfor %}
{% for heading, entries in this.sections %}
<div style="font-weight: bold; margin: 6px 0 2px;">{{ heading }}</div>
{% for label, colour in entries %}
<div><span style="display:inline-block;width:12px;height:12px;background:{{ colour }};
 margin-right:6px;border:1px solid #555;vertical-align:middle;"></span>{{ label }}</div>
{% endfor %}
{% endfor %}
{% if this.note %}<div style="margin-top:4px;color:#555;max-width:260px;">{{ this.note }}</div>
{% endif %}
</div>
{% endmacro %}
"""


def _escape_items(items: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(html.escape(str(lbl)), html.escape(str(col))) for lbl, col in items]


class _Legend(MacroElement):
    def __init__(
        self,
        title: str,
        items: Sequence[tuple[str, str]],
        note: str = "",
        sections: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
    ) -> None:
        super().__init__()
        self._name = "HabitatLegend"
        self.title = html.escape(title)
        self.items = _escape_items(items)
        self.sections = [(html.escape(str(h)), _escape_items(e)) for h, e in sections if e]
        self.note = html.escape(note)
        self._template = Template(_LEGEND_TEMPLATE)


def add_legend(
    m: folium.Map,
    items: Sequence[tuple[str, str]],
    *,
    title: str = "Legend",
    note: str = "",
    sections: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
) -> None:
    """Add a fixed legend box (folium has none built in); all text is escaped.

    Parameters
    ----------
    m : folium.Map
    items : sequence of (label, colour)
        Entries listed first, without a heading.
    title : str
        Heading of the box.
    note : str
        Small print at the bottom (e.g. the simplification tolerance).
    sections : sequence of (heading, sequence of (label, colour))
        Further entries under their own headings; empty sections are left out.
    """
    m.add_child(_Legend(title, items, note, sections))


# ------------------------------------------------------------------ the whole map
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
_BOUNDS_LAYERS = {"land_of_the_leopard", "kedrovaya_pad", "ne_china_tiger_leopard_np"}


def _new_layers(m: folium.Map, before: set[str]) -> list[folium.map.Layer]:
    return [
        child
        for key, child in m._children.items()
        if key not in before and isinstance(child, folium.map.Layer)
    ]


def _lonlat_box(gdf: gpd.GeoDataFrame, name: str) -> np.ndarray:
    return np.asarray(hcrs.align(gdf, hcrs.WGS84, name=name).total_bounds, dtype=float)


def _add_boxes(
    gdf: gpd.GeoDataFrame,
    name: str,
    focused: set[str] | None,
    bounds: list[np.ndarray],
    focus_boxes: list[np.ndarray],
) -> None:
    """Append the lon/lat box of ``gdf`` and, with a focus, of the focused animals' rows."""
    bounds.append(_lonlat_box(gdf, name))
    if focused is not None:
        sel = gdf[gdf["individual"].astype(str).isin(focused)]
        if len(sel):
            focus_boxes.append(_lonlat_box(sel, name))


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
    coordinate_precision: int | None = 5,
    tiles: str | None = "OpenStreetMap",
    title: str = "Amur leopard study area",
    controls: bool = True,
) -> folium.Map:
    """A Folium map of the study area, home ranges, fixes, corridors and current.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layers by name, e.g. :func:`habitat.datasets.layers`; known names get
        their style and group from :data:`LAYER_STYLES`, others a default
        style in the group "Other layers". Tunnels and wildlife crossings of
        ``roads`` (a ``crossing`` column) are highlighted.
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
        Corridor lines or polygons with metric columns (``cost``,
        ``length_m``, ``resistance``...).
    current : Raster, optional
        Current density (float raster), colour-mapped with a colour scale.
    colour_ranges_by : str, optional
        Colour the ranges by this 0-1 column instead (see :func:`add_home_ranges`).
    colour_by : {"individual", "sex"}
        Colour ranges and fixes per animal, or by sex (:data:`SEX_COLOURS`).
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
    coordinate_precision : int, optional
        Decimal degrees kept in vector coordinates (5 ≈ 1 m); stated in the
        legend. ``None`` keeps full precision.
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
        Displays inline in Jupyter; save with :func:`save_map`.

    Raises
    ------
    InputError
        For an unknown ``fixes`` or ``colour_by`` value, or a ``focus`` id
        that is in neither the ranges nor the fixes.
    """
    if fixes is not None and fixes not in _FIX_MODES:
        raise InputError(
            f"fixes={fixes!r} is not one of {', '.join(map(repr, _FIX_MODES))} or None."
        )
    if colour_by not in {"individual", "sex"}:
        raise InputError(f"colour_by={colour_by!r}: use 'individual' or 'sex'.")
    focused = _focus_set(focus)
    have_ranges = ranges is not None and len(ranges) > 0
    have_fixes = relocations is not None and len(relocations) > 0 and fixes is not None
    if focused is not None:
        known: set[str] = set()
        if have_ranges:
            known |= set(ranges["individual"].astype(str))
        if relocations is not None and len(relocations):
            known |= set(relocations["individual"].astype(str))
        missing = sorted(focused - known)
        if missing:
            raise InputError(
                f"focus individual(s) {missing} are in neither the ranges nor the fixes; "
                f"known individuals: {', '.join(sorted(known)) or 'none'}."
            )

    # without a tile layer Leaflet has no maximum zoom, which marker clusters need
    m = folium.Map(tiles=tiles, control_scale=True, **({} if tiles else {"maxZoom": 18}))
    groups: dict[str, list[folium.map.Layer]] = {}
    sections: dict[str, list[tuple[str, str]]] = {}
    legend: list[tuple[str, str]] = []
    bounds: list[np.ndarray] = []

    def track(group: str, before: set[str]) -> None:
        groups.setdefault(group, []).extend(_new_layers(m, before))

    order = [k for k in LAYER_STYLES if k in layers] + [k for k in layers if k not in LAYER_STYLES]
    vec = {"simplify_m": simplify_m, "coordinate_precision": coordinate_precision}
    for key in order:
        gdf = layers[key]
        style = dict(
            LAYER_STYLES.get(
                key, {"label": key, "color": "#3388ff", "show": True, "group": "Other layers"}
            )
        )
        tips = [c for c in _TIP_COLUMNS if c in gdf.columns]
        before = set(m._children)
        if style.get("by") and style["by"] in gdf.columns:
            parent = folium.FeatureGroup(name=html.escape(style["label"]), show=style["show"])
            parent.add_to(m)
            for j, (val, part) in enumerate(gdf.groupby(style["by"], sort=False)):
                colour = _ZONE_COLOURS[j % len(_ZONE_COLOURS)]
                add_vector_layer(
                    m,
                    part,
                    name=f"{key}:{val}",
                    label=str(val),
                    color=colour,
                    tooltip_columns=tips,
                    parent=parent,
                    style={**style, "fillOpacity": 0.35},
                    **vec,
                )
                legend.append((f"Zone: {val}", colour))
        else:
            group = add_vector_layer(
                m,
                gdf,
                name=key,
                label=style["label"],
                color=style["color"],
                tooltip_columns=tips,
                show=style["show"],
                style=style,
                **vec,
            )
            legend.append((style["label"], style["color"]))
            if key == "roads" and "crossing" in gdf.columns:
                crossings = gdf[gdf["crossing"].notna()]
                if len(crossings):
                    add_vector_layer(
                        m,
                        crossings,
                        name="road crossings",
                        label="Tunnels & wildlife crossings",
                        color=_TUNNEL_COLOUR,
                        tooltip_columns=tips,
                        parent=group,
                        style={"weight": 6.0, "opacity": 0.9},
                        **vec,
                    )
                    legend.append(("Tunnel / wildlife crossing", _TUNNEL_COLOUR))
        track(style.get("group", "Other layers"), before)
        if key in _BOUNDS_LAYERS:
            bounds.append(_lonlat_box(gdf, key))

    if land_cover is not None:
        before = set(m._children)
        sections["Land cover"] = add_land_cover(m, land_cover)
        track("Land cover & current", before)
    if current is not None:
        before = set(m._children)
        add_current_density(m, current)
        track("Land cover & current", before)
    if corridors is not None and len(corridors):
        before = set(m._children)
        add_corridors(m, corridors, **vec)
        track("Corridors", before)
        legend.append(("Corridors", _CORRIDOR_COLOUR))

    colours: dict[str, str] = {}
    focus_boxes: list[np.ndarray] = []
    if have_ranges:
        before = set(m._children)
        colour_mode = colour_ranges_by or colour_by
        colours = add_home_ranges(m, ranges, colour_by=colour_mode, focus=focused, **vec)
        if colour_ranges_by is not None:  # the ranges' colours are a scale: animals keep theirs
            colours = _individual_palette(ranges["individual"].astype(str).unique())
        track("Home ranges", before)
        _add_boxes(ranges, "home ranges", focused, bounds, focus_boxes)
    if have_fixes:
        before = set(m._children)
        colours = add_relocations(
            m,
            relocations,
            max_fixes_per_individual=max_fixes_per_individual,
            colours=colours if colour_by == "individual" else None,
            mode=fixes,
            colour_by=colour_by,
            focus=focused,
            coordinate_precision=coordinate_precision,
        )
        track("Fixes", before)
        _add_boxes(relocations, "relocations", focused, bounds, focus_boxes)

    if colour_by == "sex" and (have_ranges or have_fixes):
        sections["Sex"] = [(label, SEX_COLOURS[k]) for k, label in _SEX_NAMES.items()]
    elif colours and (have_ranges or fixes != "heatmap"):
        shown = sorted(colours) if focused is None else sorted(focused & set(colours))
        if len(shown) <= _MAX_LEGEND_ANIMALS:
            sections["Animals"] = [(k, colours[k]) for k in shown]
        else:
            sections["Animals"] = [
                (f"{len(shown)} individuals (colours repeat; hover for ids)", "#ffffff")
            ]
    if have_ranges:
        sections["Home ranges"] = [
            ("core isopleths (e.g. 50 %): darker fill", "#777777"),
            ("outer isopleths (e.g. 95 %): lighter fill", "#dddddd"),
        ]

    box = focus_boxes or bounds
    if box:
        b = np.vstack(box)
        b = b[np.all(np.isfinite(b), axis=1)]
        if len(b):
            m.fit_bounds([[b[:, 1].min(), b[:, 0].min()], [b[:, 3].max(), b[:, 2].max()]])

    # a map about one animal is small (a report page): keep its control folded
    _add_layer_control(m, groups, collapsed=focus is not None)
    if controls:
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
    note = "Schematic layers, not official boundaries."
    if simplify_m:
        note += f" Display geometries simplified to {simplify_m:g} m (topology preserved)"
        note += "." if coordinate_precision is None else ","
    if coordinate_precision is not None:
        metres = 111_320 * 10.0**-coordinate_precision
        note += (
            f"{'' if simplify_m else ' Display'} coordinates rounded to "
            f"{coordinate_precision} decimals of a degree (about {metres:.2g} m)."
        )
    add_legend(m, legend, title=title, note=note, sections=list(sections.items()))
    return m


def _add_layer_control(
    m: folium.Map, groups: Mapping[str, list[folium.map.Layer]], *, collapsed: bool = False
) -> None:
    """A layer control with the overlays in named groups (checkboxes), names escaped."""
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


def save_map(
    m: folium.Map,
    path: str | os.PathLike[str],
    *,
    offline_assets: str | os.PathLike[str] | None = None,
) -> str:
    """Save a map to one self-contained HTML file, atomically; return the path.

    Parameters
    ----------
    m : folium.Map
    path : path
        Output ``.html`` file; replaced atomically.
    offline_assets : path, optional
        Folder holding local copies of the scripts and styles the page loads
        from CDNs (Leaflet, jQuery, Bootstrap, the plugins). They are inlined
        with :func:`habitat.maps.assets.inline_assets`, so the page needs no
        internet for them. Basemap and minimap tiles still come from the
        tile server over the network; build the map with ``tiles=None`` for
        a fully offline page.

    Returns
    -------
    str
        ``path``.
    """
    page = m.get_root().render()
    if offline_assets is not None:
        from habitat.maps.assets import inline_assets

        page = inline_assets(page, offline_assets)
    atomic_write_text(path, page)
    return str(path)

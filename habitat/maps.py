"""Folium maps of the study area, home ranges and relocations (presentation layer).

Everything is reprojected to EPSG:4326 for Leaflet here and only here; the
analysis never happens in the map's CRS. Strings that come from data (names,
individual ids, attribute values) are HTML-escaped before they reach the page.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.colormap import LinearColormap
from branca.element import MacroElement, Template

from habitat import crs as hcrs
from habitat._fs import atomic_path
from habitat.errors import InputError

__all__ = [
    "add_home_ranges",
    "LAYER_STYLES",
    "add_legend",
    "add_relocations",
    "add_vector_layer",
    "save_map",
    "study_area_map",
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


def _escaped_properties(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """Keep ``columns`` (+ geometry), as HTML-escaped strings; drop the rest."""
    out = gpd.GeoDataFrame(geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    for col in columns:
        vals = gdf[col].to_numpy()
        out[col] = [html.escape("" if pd.isna(v) else _fmt(v)) for v in vals]
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        return f"{float(v):,.2f}"
    return str(v)


def _to_map_crs(gdf: gpd.GeoDataFrame, *, name: str, simplify_m: float | None) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326, simplifying in metres first (topology preserved)."""
    hcrs.require_crs(gdf, name=name)
    if simplify_m:
        metric = hcrs.to_metric(gdf, name=name)
        metric = metric.set_geometry(metric.geometry.simplify(simplify_m, preserve_topology=True))
        return hcrs.align(metric, hcrs.WGS84, name=name)
    return hcrs.align(gdf, hcrs.WGS84, name=name)


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
) -> folium.FeatureGroup:
    """Add a GeoDataFrame as a styled, toggleable layer with escaped tooltips.

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

    Returns
    -------
    folium.FeatureGroup
    """
    cols = [c for c in (tooltip_columns or []) if c in gdf.columns]
    shown = _escaped_properties(_to_map_crs(gdf, name=name, simplify_m=simplify_m), cols)
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
    tooltip = folium.GeoJsonTooltip(fields=cols, labels=True) if cols else None
    if is_point:
        folium.GeoJson(
            shown,
            marker=folium.CircleMarker(radius=5, fill=True, fill_opacity=0.9, weight=1),
            style_function=lambda _f, o=opts: {"color": "#ffffff", "fillColor": o["color"]},
            tooltip=tooltip,
        ).add_to(group)
    else:
        folium.GeoJson(
            shown,
            style_function=lambda _f, o=opts: dict(o),
            tooltip=tooltip,
            name=html.escape(label or name),
        ).add_to(group)
    group.add_to(parent if parent is not None else m)
    return group


def add_relocations(
    m: folium.Map,
    relocations: gpd.GeoDataFrame,
    *,
    individual_column: str = "individual",
    max_fixes_per_individual: int | None = 5000,
    show: bool = True,
    colours: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Add each individual's fixes as its own toggleable layer of small dots.

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

    Returns
    -------
    dict
        individual -> colour, for a legend.
    """
    pts = _to_map_crs(relocations, name="relocations", simplify_m=None)
    pts = pts[~pts.geometry.is_empty & pts.geometry.notna()]
    given = dict(colours or {})
    colours = {}
    for i, (ind, grp) in enumerate(pts.groupby(individual_column, sort=True)):
        if max_fixes_per_individual and len(grp) > max_fixes_per_individual:
            idx = np.linspace(0, len(grp) - 1, max_fixes_per_individual).round().astype(int)
            grp = grp.iloc[np.unique(idx)]
        colour = given.get(str(ind), _INDIVIDUAL_COLOURS[i % len(_INDIVIDUAL_COLOURS)])
        colours[str(ind)] = colour
        sex = f" ({grp['sex'].iloc[0]})" if "sex" in grp.columns else ""
        label = f"Fixes: {ind}{sex}"
        xy = np.round(shapely_xy(grp.geometry), 5)
        group = folium.FeatureGroup(name=html.escape(label), show=show)
        # one lightweight GeoJSON MultiPoint-like layer per animal: small payload
        folium.GeoJson(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {
                            "individual": html.escape(str(ind)),
                            "n_fixes": int(len(grp)),
                        },
                        "geometry": {"type": "MultiPoint", "coordinates": xy.tolist()},
                    }
                ],
            },
            marker=folium.CircleMarker(radius=2, fill=True, fill_opacity=0.7, weight=0),
            style_function=lambda _f, c=colour: {"color": c, "fillColor": c},
            tooltip=folium.GeoJsonTooltip(
                fields=["individual", "n_fixes"], aliases=["individual", "fixes shown"]
            ),
        ).add_to(group)
        group.add_to(m)
    return colours


def add_home_ranges(
    m: folium.Map,
    ranges: gpd.GeoDataFrame,
    *,
    colours: Mapping[str, str] | None = None,
    simplify_m: float | None = 50.0,
    show: bool = True,
    colour_by: str | None = None,
) -> dict[str, str]:
    """Add home ranges as nested isopleths, one toggleable layer per method.

    Parameters
    ----------
    m : folium.Map
    ranges : GeoDataFrame
        The table of :func:`habitat.home_range` (``individual``, ``method``,
        ``level``, ``area_km2``, ``area_sq_mi``...), any declared CRS.
    colours : mapping, optional
        individual -> colour (e.g. from :func:`add_relocations`); a palette
        otherwise.
    simplify_m : float, optional
        Display simplification tolerance in metres.
    show : bool
        Whether the layers start visible.
    colour_by : str, optional
        A 0-1 column (e.g. ``share_protected`` from
        :func:`habitat.territory_table`) to colour the ranges by, red (0) to
        green (1), with a colour scale on the map; by individual otherwise.

    Returns
    -------
    dict
        individual -> colour.
    """
    names = sorted(ranges["individual"].astype(str).unique())
    palette = dict(colours or {})
    for i, n in enumerate(names):
        palette.setdefault(n, _INDIVIDUAL_COLOURS[i % len(_INDIVIDUAL_COLOURS)])
    cols = [
        c
        for c in (
            "individual",
            "sex",
            "method",
            "level",
            "n_fixes",
            "area_km2",
            "area_sq_mi",
            "plausibility",
            colour_by,
        )
        if c and c in ranges.columns
    ]
    scale = None
    if colour_by is not None:
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
    shown = _to_map_crs(ranges, name="home ranges", simplify_m=simplify_m)
    # draw large levels first so that core areas stay clickable on top
    shown = shown.sort_values("level", ascending=False, kind="stable")
    for method, part in shown.groupby("method", sort=False):
        props = _escaped_properties(part, cols)
        if scale is not None:
            vals = part[colour_by].astype(float).clip(0, 1).fillna(0).to_numpy()
            props["_colour"] = [scale(v) for v in vals]
        else:
            props["_colour"] = part["individual"].astype(str).map(palette).to_numpy()
        props["_weight"] = np.where(part["level"].to_numpy() >= 0.9, 2.0, 1.0)
        group = folium.FeatureGroup(name=html.escape(f"Home ranges ({method})"), show=show)
        folium.GeoJson(
            props,
            style_function=lambda f: {
                "color": f["properties"]["_colour"],
                "fillColor": f["properties"]["_colour"],
                "weight": f["properties"]["_weight"],
                "fillOpacity": 0.12,
            },
            tooltip=folium.GeoJsonTooltip(fields=cols),
        ).add_to(group)
        group.add_to(m)
    if scale is not None:
        scale.add_to(m)
    return palette


def shapely_xy(geoms: gpd.GeoSeries) -> np.ndarray:
    """(n, 2) array of point coordinates (x = longitude, y = latitude in EPSG:4326)."""
    return np.column_stack([geoms.x.to_numpy(), geoms.y.to_numpy()])


_LEGEND_TEMPLATE = """
{% macro html(this, kwargs) %}
<div id="{{ this.get_name() }}" class="habitat-legend" style="position: fixed; bottom: 30px;
 left: 10px; z-index: 9999; background: rgba(255,255,255,0.92); padding: 8px 10px;
 border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.4 sans-serif;
 max-height: 45vh; overflow-y: auto;">
<div style="font-weight: bold; margin-bottom: 4px;">{{ this.title }}</div>
{% for label, colour in this.items %}
<div><span style="display:inline-block;width:12px;height:12px;background:{{ colour }};
 margin-right:6px;border:1px solid #555;vertical-align:middle;"></span>{{ label }}</div>
{% endfor %}
{% if this.note %}<div style="margin-top:4px;color:#555;max-width:260px;">{{ this.note }}</div>
{% endif %}
</div>
{% endmacro %}
"""


class _Legend(MacroElement):
    def __init__(self, title: str, items: Sequence[tuple[str, str]], note: str = "") -> None:
        super().__init__()
        self._name = "HabitatLegend"
        self.title = html.escape(title)
        self.items = [(html.escape(lbl), html.escape(col)) for lbl, col in items]
        self.note = html.escape(note)
        self._template = Template(_LEGEND_TEMPLATE)


def add_legend(
    m: folium.Map, items: Sequence[tuple[str, str]], *, title: str = "Legend", note: str = ""
) -> None:
    """Add a fixed legend box (folium has none built in); labels are escaped."""
    m.add_child(_Legend(title, items, note))


def study_area_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    relocations: gpd.GeoDataFrame | None = None,
    ranges: gpd.GeoDataFrame | None = None,
    colour_ranges_by: str | None = None,
    max_fixes_per_individual: int | None = 5000,
    simplify_m: float | None = 50.0,
    tiles: str = "OpenStreetMap",
    title: str = "Amur leopard study area",
) -> folium.Map:
    """A Folium map of the study-area layers and, optionally, animals' fixes.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layers by name, e.g. :func:`habitat.datasets.layers`; known names get
        their style from :data:`LAYER_STYLES`, others a default style.
    relocations : GeoDataFrame, optional
        Fixes with an ``individual`` column, one layer per animal.
    ranges : GeoDataFrame, optional
        Home ranges (:func:`habitat.home_range` table), one layer per method,
        coloured like the animal's fixes.
    colour_ranges_by : str, optional
        Colour the ranges by this 0-1 column instead (see :func:`add_home_ranges`).
    max_fixes_per_individual : int, optional
        Cap on displayed fixes per animal (evenly spaced); ``None`` shows all.
    simplify_m : float, optional
        Display simplification tolerance in metres (topology preserved); stated
        in the legend. ``None`` disables it.
    tiles : str
        Basemap tiles (need a network connection to show).
    title : str
        Legend title.

    Returns
    -------
    folium.Map
        Displays inline in Jupyter; save with :func:`save_map`.
    """
    m = folium.Map(tiles=tiles, control_scale=True)
    legend: list[tuple[str, str]] = []
    order = [k for k in LAYER_STYLES if k in layers] + [k for k in layers if k not in LAYER_STYLES]
    bounds: list[np.ndarray] = []
    for key in order:
        gdf = layers[key]
        style = dict(LAYER_STYLES.get(key, {"label": key, "color": "#3388ff", "show": True}))
        tips = [
            c
            for c in ("name", "zone", "kind", "population", "country", "crossing")
            if c in gdf.columns
        ]
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
                    simplify_m=simplify_m,
                    style={**style, "fillOpacity": 0.35},
                )
                legend.append((f"Zone: {val}", colour))
        else:
            add_vector_layer(
                m,
                gdf,
                name=key,
                label=style["label"],
                color=style["color"],
                tooltip_columns=tips,
                show=style["show"],
                simplify_m=simplify_m,
                style=style,
            )
            legend.append((style["label"], style["color"]))
        if key in {"land_of_the_leopard", "kedrovaya_pad", "ne_china_tiger_leopard_np"}:
            bounds.append(hcrs.align(gdf, hcrs.WGS84, name=key).total_bounds)
    colours: dict[str, str] = {}
    if ranges is not None and len(ranges):
        colours = add_home_ranges(m, ranges, simplify_m=simplify_m, colour_by=colour_ranges_by)
    if relocations is not None and len(relocations):
        colours = add_relocations(
            m, relocations, max_fixes_per_individual=max_fixes_per_individual, colours=colours
        )
        bounds.append(hcrs.align(relocations, hcrs.WGS84, name="relocations").total_bounds)
    legend.extend((f"Animal: {k}", c) for k, c in colours.items())
    if bounds:
        b = np.vstack(bounds)
        b = b[np.all(np.isfinite(b), axis=1)]
        if len(b):
            m.fit_bounds([[b[:, 1].min(), b[:, 0].min()], [b[:, 3].max(), b[:, 2].max()]])
    folium.LayerControl(collapsed=False).add_to(m)
    note = "Schematic layers, not official boundaries."
    if simplify_m:
        note += f" Display geometries simplified to {simplify_m:g} m."
    add_legend(m, legend, title=title, note=note)
    return m


def save_map(m: folium.Map, path: str | os.PathLike[str]) -> str:
    """Save a map to one self-contained HTML file, atomically; return the path."""
    with atomic_path(path) as tmp:
        m.save(str(tmp))
    return str(path)

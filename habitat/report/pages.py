"""Territory report pages and figures (presentation layer).

Pages are rendered from Jinja2 templates in ``habitat/templates/report`` with
**autoescaping on**: every string that comes from data (individual ids, layer
attributes, error messages) is HTML-escaped, so an id like
``<script>alert(1)</script>`` shows as text. Pages need no network: styles and
the small table-sorting script are inline; maps are separate Folium files
embedded with an ``<iframe>`` (see :mod:`habitat.maps.build` for what those need).

The batch that decides which animals, files and folders there are lives in
:mod:`habitat.batch.runner`; this module only turns tables into HTML and PNG.
"""

from __future__ import annotations

import datetime as _dt
import functools
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from habitat.core.version import __version__
from habitat.homerange import DEFAULT_EXPECTED_AREA_SQ_MI
from habitat.io.raster import Raster

__all__ = [
    "figure_png",
    "fmt_number",
    "fmt_share",
    "plot_summary_by_sex",
    "plot_ud",
    "render_index_page",
    "render_individual_page",
]

SEX_LABELS = {"F": "Female", "M": "Male"}
SEX_COLOURS = {"F": "#d6604d", "M": "#4393c3"}
METHOD_LABELS = {"mcp": "MCP", "kde": "KDE", "locoh": "LoCoH", "bbmm": "BBMM", "given": "Given"}


@functools.cache
def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("habitat.report", "templates/report"),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def _common(title: str) -> dict[str, Any]:
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return {"title": title, "version": __version__, "generated": now}


def _finite(v: Any) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def fmt_number(value: Any, digits: int = 1) -> str:
    """A number with thousands separators and ``digits`` decimals; '–' if missing."""
    if not _finite(value):
        return "–"
    return f"{float(value):,.{digits}f}"


def fmt_share(value: Any, digits: int = 1) -> str:
    """A 0-1 share as a percentage string (``0.256 -> '25.6'``); '–' if missing."""
    return fmt_number(100.0 * float(value), digits) if _finite(value) else "–"


def figure_png(fig: Any, *, dpi: int = 80) -> bytes:
    """Encode a matplotlib Figure as PNG bytes (no pyplot state is used).

    The figure is drawn once with the margins its plotting function set
    (``tight_layout`` or ``bbox_inches="tight"`` would draw it once more,
    which doubles the time of a batch of hundreds of figures).
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def plot_ud(
    ud: Raster,
    *,
    individual: str,
    ranges: Any | None = None,
    levels: Sequence[float] = (0.5, 0.95),
) -> Any:
    """Image of one utilisation distribution with its isopleths.

    Parameters
    ----------
    ud : Raster
        UD in 1/m² on a metric grid (:func:`habitat.homerange.ud.utilization_distribution`).
    individual : str
        Animal named in the title.
    ranges : GeoDataFrame, optional
        Isopleth polygons (e.g. the KDE ranges of this animal) to outline; reprojected
        to the UD's CRS.
    levels : sequence of float
        Only used in the caption of the outlines.

    Returns
    -------
    matplotlib.figure.Figure
        Axes in km of the UD's CRS; colour = UD per km².
    """
    from matplotlib.figure import Figure

    from habitat.core import crs as hcrs

    fig = Figure(figsize=(5.6, 4.6))
    ax = fig.add_subplot()
    left, bottom, right, top = ud.bounds
    km = 1000.0
    img = ax.imshow(
        np.asarray(ud.array) * 1e6,
        extent=(left / km, right / km, bottom / km, top / km),
        origin="upper",
        cmap="magma_r",
    )
    fig.colorbar(img, ax=ax, label="utilisation per km²")
    if ranges is not None and len(ranges):
        shapes = hcrs.align(ranges, ud.crs, name="ranges")
        for geom in shapes.geometry:
            polys = getattr(geom, "geoms", [geom])
            for p in polys:
                x, y = p.exterior.xy
                ax.plot(np.asarray(x) / km, np.asarray(y) / km, color="#1a9850", lw=1.2)
    ax.set_xlabel("easting (km)")
    ax.set_ylabel("northing (km)")
    pct = ", ".join(f"{100 * lv:g} %" for lv in levels)
    # an explicit y turns off matplotlib's title placement, which measures every
    # tick label and costs as much as the rest of the drawing
    ax.set_title(f"{individual}: kernel UD, isopleths {pct}", fontsize=10, y=1.01)
    ax.set_aspect("equal")
    ax.locator_params(nbins=5)  # fewer tick labels to lay out
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.11, top=0.93)
    return fig


def plot_summary_by_sex(
    metrics: pd.DataFrame,
    *,
    expected_area_sq_mi: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> Any:
    """Range area and share protected by sex, one dot per animal.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Territory table (:func:`habitat.overlap.territory.territory_table`) with ``sex``,
        ``area_sq_mi`` and optionally ``share_protected``.
    expected_area_sq_mi : mapping, optional
        Published range of sizes per sex, shaded (default
        :data:`habitat.homerange.DEFAULT_EXPECTED_AREA_SQ_MI`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    expected = expected_area_sq_mi or DEFAULT_EXPECTED_AREA_SQ_MI
    panels = [("area_sq_mi", "range area (sq mi)")]
    if "share_protected" in metrics.columns:
        panels.append(("share_protected", "share protected (%)"))
    fig = Figure(figsize=(4.2 * len(panels), 3.8))
    sexes = sorted(metrics["sex"].astype(str).unique()) if len(metrics) else []
    rng = np.random.default_rng(0)
    for k, (col, label) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), k + 1)
        for x, sex in enumerate(sexes):
            v = metrics.loc[metrics["sex"].astype(str) == sex, col].to_numpy(dtype=float)
            v = v * 100.0 if col.startswith("share") else v
            jitter = rng.uniform(-0.12, 0.12, len(v))
            colour = SEX_COLOURS.get(sex, "#777777")
            ax.scatter(x + jitter, v, color=colour, s=22, alpha=0.85, zorder=3)
            if len(v):
                ax.hlines(np.nanmedian(v), x - 0.25, x + 0.25, color="k", lw=1.5, zorder=4)
            lo, hi = expected.get(sex, (None, None)) if col == "area_sq_mi" else (None, None)
            if lo is not None or hi is not None:
                ax.fill_between(
                    [x - 0.35, x + 0.35],
                    lo or 0.0,
                    hi or np.nanmax(v, initial=0.0),
                    color=colour,
                    alpha=0.12,
                    zorder=1,
                    lw=0,
                )
        ax.set_xticks(range(len(sexes)), [SEX_LABELS.get(s, s) for s in sexes])
        ax.set_xlim(-0.6, max(len(sexes) - 0.4, 0.6))
        ax.set_ylabel(label)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle("By sex (bar: median; shading: published range sizes)", fontsize=10)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.1, top=0.88, wspace=0.3)
    return fig


def render_individual_page(
    *,
    individual: str,
    title: str,
    territory: Mapping[str, Any],
    ranges: pd.DataFrame,
    neighbours: pd.DataFrame,
    map_href: str,
    landscape: Mapping[str, Any] | None = None,
    corridors: Sequence[Mapping[str, str]] | None = None,
    figures: Sequence[tuple[str, str]] = (),
    neighbour_pages: Mapping[str, str] | None = None,
) -> str:
    """HTML of one animal's report page.

    Parameters
    ----------
    individual : str
        The animal (shown as text, escaped).
    title : str
        Report title.
    territory : mapping
        The animal's row of :func:`habitat.overlap.territory.territory_table`.
    ranges : pandas.DataFrame
        Its home-range rows (``method``, ``level``, ``area_km2``, ``area_sq_mi``, ``n_fixes``).
    neighbours : pandas.DataFrame
        ``individual``, ``sex``, ``area_km2``, ``area_sq_mi``, ``share_self``,
        ``share_other`` per overlapping neighbour.
    map_href : str
        Relative link of the animal's map.
    landscape : mapping, optional
        Composition and road columns of :mod:`habitat.landscape.composition` for this range.
    corridors : sequence of mapping, optional
        ``label``, ``href``, ``detail`` of corridors to neighbours; an empty
        sequence when corridors were computed but none touches this animal,
        ``None`` when they were not computed.
    figures : sequence of (href, caption)
        Images to show.
    neighbour_pages : mapping, optional
        Neighbour id -> relative link of its page.

    Returns
    -------
    str
        The page (UTF-8 text).
    """
    pages = neighbour_pages or {}
    t = dict(territory)
    sex = str(t.get("sex", "unknown"))
    facts: list[tuple[str, str]] = [
        ("Sex", SEX_LABELS.get(sex, sex)),
        (
            "Range area",
            f"{fmt_number(t.get('area_km2'))} km² ({fmt_number(t.get('area_sq_mi'))} sq mi)",
        ),
    ]
    for key, label in (
        ("share_protected", "Protected (park or reserve)"),
        ("share_park", "Land of the Leopard NP"),
        ("share_reserve", "Kedrovaya Pad reserve"),
        ("share_china_np", "NE China Tiger & Leopard NP"),
        ("exclusive_share", "Used by no other animal of the same sex"),
    ):
        if key in t:
            facts.append((label, f"{fmt_share(t[key])} %"))
    for key in sorted(k for k in t if k.startswith(("share_zone_", "share_country_"))):
        kind, _, name = key.removeprefix("share_").partition("_")
        facts.append(
            (
                f"{'Zone' if kind == 'zone' else 'Country'}: {name.replace('_', ' ').title()}",
                f"{fmt_share(t[key])} %",
            )
        )
    for key, label in (
        ("n_same_sex_neighbours", "Same-sex neighbours"),
        ("n_opposite_sex_neighbours", "Opposite-sex neighbours"),
    ):
        if key in t:
            facts.append((label, str(int(t[key]))))
    range_rows = [
        {
            "method": METHOD_LABELS.get(str(r["method"]), str(r["method"])),
            "level_pct": fmt_number(100 * float(r["level"]), 0),
            "area_km2": fmt_number(r.get("area_km2")),
            "area_sq_mi": fmt_number(r.get("area_sq_mi")),
            "n_fixes": str(int(r["n_fixes"])) if _finite(r.get("n_fixes")) else "–",
        }
        for _, r in ranges.sort_values(["method", "level"]).iterrows()
    ]
    neighbour_rows = [
        {
            "individual": str(r["individual"]),
            "href": pages.get(str(r["individual"])),
            "sex": SEX_LABELS.get(str(r["sex"]), str(r["sex"])),
            "area_km2": fmt_number(r["area_km2"], 2),
            "area_sq_mi": fmt_number(r["area_sq_mi"], 2),
            "share_self": fmt_share(r["share_self"]),
            "share_other": fmt_share(r["share_other"]),
        }
        for _, r in neighbours.sort_values("area_km2", ascending=False).iterrows()
    ]
    land_rows: list[tuple[str, str]] = []
    for key, value in (landscape or {}).items():
        if key.startswith("share_") and _finite(value):
            land_rows.append(
                (f"{key.removeprefix('share_').replace('_', ' ')} (%)", fmt_share(value))
            )
        elif key.endswith("_length_km"):
            land_rows.append(
                (f"{key.removesuffix('_length_km')} inside (km)", fmt_number(value, 2))
            )
        elif key.endswith("_density_km_per_km2"):
            name = key.removesuffix("_density_km_per_km2")
            land_rows.append((f"{name} density (km per km²)", fmt_number(value, 3)))
    return (
        _env()
        .get_template("individual.html.j2")
        .render(
            **_common(title),
            individual=individual,
            sex_label=SEX_LABELS.get(sex, sex),
            method_label=METHOD_LABELS.get(str(t.get("method")), str(t.get("method"))),
            level_pct=fmt_number(100 * float(t.get("level", np.nan)), 0),
            map_href=map_href,
            facts=facts,
            plausible=bool(t.get("plausible", True)),
            plausibility=str(t.get("plausibility", "") or ""),
            ranges=range_rows,
            neighbours=neighbour_rows,
            landscape=land_rows,
            corridors=None if corridors is None else list(corridors),
            figures=[{"href": h, "caption": c} for h, c in figures],
        )
    )


#: columns of the index table: (column, heading, kind) with kind "text", "num" or "share"
INDEX_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("individual", "Animal", "text"),
    ("sex", "Sex", "text"),
    ("n_fixes", "Fixes", "num0"),
    ("area_km2", "Area (km²)", "num"),
    ("area_sq_mi", "Area (sq mi)", "num"),
    ("plausible", "Plausible size", "text"),
    ("share_protected", "Protected (%)", "share"),
    ("exclusive_share", "Exclusive (%)", "share"),
    ("n_same_sex_neighbours", "Same-sex neighbours", "num0"),
    ("n_opposite_sex_neighbours", "Opposite-sex neighbours", "num0"),
    ("status", "Status", "text"),
)


def render_index_page(
    *,
    title: str,
    metrics: pd.DataFrame,
    pages: Mapping[str, str],
    failures: pd.DataFrame,
    method_label: str,
    level: float,
    figures: Sequence[tuple[str, str]] = (),
    files: Sequence[tuple[str, str]] = (),
) -> str:
    """HTML of the report's index page: a sortable table of all animals.

    Parameters
    ----------
    title : str
        Report title.
    metrics : pandas.DataFrame
        One row per reported animal (territory table plus ``n_fixes``).
    pages : mapping
        Individual -> relative link of its page.
    failures : pandas.DataFrame
        ``individual``, ``stage``, ``error``, ``message`` of animals that failed;
        they are listed first and also get a row in the table.
    method_label : str
        Estimator shown in the heading.
    level : float
        Reported range level (fraction).
    figures : sequence of (href, caption)
        Summary images.
    files : sequence of (href, description)
        Machine-readable outputs to list.

    Returns
    -------
    str
        The page.
    """
    cols = [c for c in INDEX_COLUMNS if c[0] in metrics.columns or c[0] == "status"]
    failed = set(failures["individual"].astype(str)) if len(failures) else set()
    rows = []
    for _, r in metrics.iterrows():
        ind = str(r["individual"])
        cells = []
        for col, _, kind in cols:
            if col == "status":
                cells.append({"text": "ok", "num": False, "href": None, "sort": ""})
                continue
            v = r.get(col)
            if kind == "share":
                cells.append(
                    {
                        "text": fmt_share(v),
                        "num": True,
                        "href": None,
                        "sort": repr(float(v)) if _finite(v) else "",
                    }
                )
            elif kind.startswith("num"):
                digits = 0 if kind == "num0" else 1
                cells.append(
                    {
                        "text": fmt_number(v, digits),
                        "num": True,
                        "href": None,
                        "sort": repr(float(v)) if _finite(v) else "",
                    }
                )
            elif col == "plausible":
                cells.append(
                    {"text": "yes" if bool(v) else "no", "num": False, "href": None, "sort": ""}
                )
            else:
                text = str(v) if col != "sex" else SEX_LABELS.get(str(v), str(v))
                href = pages.get(ind) if col == "individual" else None
                cells.append({"text": text, "num": False, "href": href, "sort": ""})
        rows.append({"failed": False, "cells": cells})
    for _, f in failures.iterrows():
        cells = []
        for col, _, kind in cols:
            text = ""
            if col == "individual":
                text = str(f["individual"])
            elif col == "status":
                text = f"failed: {f['error']}"
            cells.append({"text": text, "num": kind != "text", "href": None, "sort": ""})
        rows.append({"failed": True, "cells": cells})
    n_failed = len(failed)
    return (
        _env()
        .get_template("index.html.j2")
        .render(
            **_common(title),
            n_ok=len(metrics),
            n_total=len(metrics) + n_failed,
            n_failed=n_failed,
            method_label=method_label,
            level_pct=fmt_number(100 * level, 0),
            failures=failures.to_dict("records"),
            columns=[h for _, h, _ in cols],
            rows=rows,
            figures=[{"href": h, "caption": c} for h, c in figures],
            files=[{"href": h, "what": w} for h, w in files],
        )
    )

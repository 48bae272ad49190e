"""Territory report pages (presentation layer); figures are in :mod:`habitat.report.figures`.

Pages are rendered from Jinja2 templates in ``habitat/report/templates/report`` with
**autoescaping on**: every string that comes from data (individual ids, layer
attributes, error messages) is HTML-escaped, so an id like
``<script>alert(1)</script>`` shows as text. Pages need no network: styles and
the small table-sorting script are inline; maps are separate Folium files
embedded with an ``<iframe>`` (see :mod:`habitat.maps` for what those need).

The batch that decides which animals, files and folders there are lives in
:mod:`habitat.batch.runner`; this module only turns tables into HTML and PNG.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from habitat.core import units
from habitat.core.tables import LANDSCAPE_METRICS
from habitat.core.version import __version__
from habitat.movement.model import MovementModel
from habitat.report.akde import duration_text, model_rows, variogram_table
from habitat.report.style import METHOD_LABELS, SEX_LABELS

__all__ = [
    "FRAGMENTATION_CLASS_METRICS",
    "FRAGMENTATION_LANDSCAPE_METRICS",
    "VARIOGRAM_PAGE_ROWS",
    "akde_section",
    "area_groups",
    "barrier_rows",
    "fmt_number",
    "fmt_share",
    "fragmentation_index_tables",
    "fragmentation_rows",
    "fragmentation_tables",
    "metric_heading",
    "page_fingerprint",
    "render_index_page",
    "render_individual_page",
]


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


def _common(title: str, *, schematic: bool = False) -> dict[str, Any]:
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return {"title": title, "version": __version__, "generated": now, "schematic": schematic}


#: the head of a page holds the fingerprint of the input it was rendered from
_FINGERPRINT_META = re.compile(r'<meta name="habitat-input-sha256" content="([0-9a-f]{64})">')


def page_fingerprint(html: str) -> str | None:
    """The input fingerprint a page was rendered from (``fingerprint=`` of the renderer).

    Parameters
    ----------
    html : str
        The page, or at least its head.

    Returns
    -------
    str or None
        64 hex digits, or None for a page rendered without one.

    Examples
    --------
    >>> page_fingerprint('<head><meta name="habitat-input-sha256" content="' + "ab" * 32 + '">')
    'abababababababababababababababababababababababababababababababab'
    >>> page_fingerprint("<head></head>") is None
    True
    """
    match = _FINGERPRINT_META.search(html)
    return match.group(1) if match else None


def _finite(v: Any) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def fragmentation_rows(metrics: pd.DataFrame | None) -> list[tuple[str, str]]:
    """(label, value) rows of landscape metrics, labelled and united by the contract.

    Landscape-level rows come first; class-level rows are labelled with their
    class (``class_name`` or ``class_value``). Identifier columns are not shown.

    Examples
    --------
    >>> import pandas as pd
    >>> fragmentation_rows(pd.DataFrame({
    ...     "zone_id": ["Leo 1F"], "level": ["landscape"], "number_of_patches": [12],
    ...     "edge_density": [31.25]}))
    [('number of patches', '12.0'), ('edge density (m/ha)', '31.2')]
    """
    if metrics is None or not len(metrics):
        return []
    ids = {"zone_id", "level", "class_value", "class_name"}
    shown = [c for c in LANDSCAPE_METRICS.present(metrics) if c not in ids]
    order = metrics["level"].map({"landscape": 0, "class": 1}).fillna(2)
    rows = []
    for _, r in metrics.assign(_order=order).sort_values("_order", kind="stable").iterrows():
        where = ""
        if r["level"] != "landscape":
            cls = r.get("class_name") if _present(r.get("class_name")) else r.get("class_value")
            where = f"{cls}: " if _present(cls) else ""
        for c in shown:
            if _finite(r[c]):
                col = LANDSCAPE_METRICS.column(c)
                unit = f" ({col.unit})" if col.unit else ""
                rows.append((f"{where}{col.description}{unit}", fmt_number(r[c])))
    return rows


#: landscape-level metrics of the compact fragmentation tables (pages and index)
FRAGMENTATION_LANDSCAPE_METRICS: tuple[str, ...] = (
    "number_of_patches",
    "edge_density",
    "effective_mesh_size",
    "largest_patch_index",
    "contagion",
    "shannon_diversity_index",
    "euclidean_nearest_neighbor_mn",
    "total_core_area",
)
#: class-level metrics of a page's fragmentation table (one row per land-cover class)
FRAGMENTATION_CLASS_METRICS: tuple[str, ...] = (
    "proportion_of_landscape",
    "number_of_patches",
    "effective_mesh_size",
    "core_area_index",
)
#: decimals shown per metric (others: 1)
_METRIC_DIGITS = {"number_of_patches": 0, "shannon_diversity_index": 3}


def metric_heading(column: str) -> str:
    """A metric's heading: the contract's description and unit (``"edge density (m/ha)"``).

    Examples
    --------
    >>> metric_heading("effective_mesh_size"), metric_heading("contagion")
    ('effective mesh size (ha)', 'contagion (%)')
    >>> metric_heading("number_of_patches")
    'number of patches'
    """
    col = LANDSCAPE_METRICS.column(column)
    return f"{col.description} ({col.unit})" if col.unit else col.description


def _metric_cell(column: str, value: Any) -> dict[str, str]:
    """``{"text", "sort"}`` of one metric value (``"–"`` and no sort key when missing)."""
    return {"text": fmt_number(value, _METRIC_DIGITS.get(column, 1)), "sort": _sort_key(value)}


def _class_label(row: Mapping[Any, Any]) -> str:
    name, value = row.get("class_name"), row.get("class_value")
    if _present(name) and str(name):
        return str(name)
    if value is not None and _finite(value):
        return f"class {int(float(value))}"
    return "class"


def _notes(metrics: pd.DataFrame) -> list[str]:
    """The distinct non-empty notes of a zone's rows, class notes prefixed by their class."""
    if "note" not in metrics.columns:
        return []
    out: list[str] = []
    for r in metrics.to_dict("records"):
        note = r.get("note")
        if not _present(note) or not str(note).strip():
            continue
        text = str(note).strip()
        if r.get("level") == "class":
            text = f"{_class_label(r)}: {text}"
        if text not in out:
            out.append(text)
    return out


def _provenance(metrics: pd.DataFrame) -> str:
    """How the metrics were measured, from the provenance columns the table has."""
    first = metrics.iloc[0]
    parts = []
    if _finite(first.get("area_ha")):
        km2 = units.convert_area(float(first["area_ha"]), "ha", "km2")
        parts.append(f"{fmt_number(km2)} km² measured")
    if _finite(first.get("nodata_share")) and float(first["nodata_share"]) > 0:
        parts.append(f"{fmt_share(first['nodata_share'])} % of the zone without land cover")
    if _finite(first.get("cell_size_m")):
        parts.append(f"{fmt_number(first['cell_size_m'], 0)} m cells")
    if _finite(first.get("neighbours")):
        parts.append(f"{int(float(first['neighbours']))}-neighbour patches")
    if _finite(first.get("edge_depth_m")):
        parts.append(f"core areas {fmt_number(first['edge_depth_m'], 0)} m from an edge")
    return "; ".join(parts)


def fragmentation_tables(metrics: pd.DataFrame | None) -> dict[str, Any] | None:
    """A zone's compact fragmentation tables: key landscape metrics, one row per class, notes.

    Parameters
    ----------
    metrics : pandas.DataFrame or None
        One zone's rows of a :data:`habitat.core.tables.LANDSCAPE_METRICS`
        table (landscape and class levels). Metrics the table lacks are
        left out; a missing value shows as ``–``.

    Returns
    -------
    dict or None
        ``landscape``: (heading with unit, value) of
        :data:`FRAGMENTATION_LANDSCAPE_METRICS`; ``class_columns``: headings of
        :data:`FRAGMENTATION_CLASS_METRICS`; ``classes``: (class name, values)
        rows; ``notes``: why values cannot be trusted (the ``note`` column);
        ``provenance``: cells, neighbour rule and edge depth. None without rows.

    Examples
    --------
    >>> import pandas as pd
    >>> t = fragmentation_tables(pd.DataFrame({
    ...     "zone_id": ["Leo 1F"] * 2, "level": ["landscape", "class"],
    ...     "class_name": [None, "forest"], "number_of_patches": [3, 2],
    ...     "edge_density": [31.25, None], "proportion_of_landscape": [None, 62.5],
    ...     "note": ["", "one patch only"]}))
    >>> t["landscape"]
    [('number of patches', '3'), ('edge density (m/ha)', '31.2')]
    >>> t["class_columns"], t["classes"]
    (['proportion of landscape (%)', 'number of patches'], [('forest', ['62.5', '2'])])
    >>> t["notes"]
    ['forest: one patch only']
    """
    if metrics is None or not len(metrics) or "level" not in metrics.columns:
        return None
    level = metrics["level"].astype(str)
    land = metrics[level == "landscape"]
    classes = metrics[level == "class"]
    land_cols = [c for c in FRAGMENTATION_LANDSCAPE_METRICS if c in metrics.columns]
    class_cols = [c for c in FRAGMENTATION_CLASS_METRICS if c in metrics.columns]
    land_rows: list[tuple[str, str]] = []
    if len(land):
        first = land.iloc[0]
        land_rows = [(metric_heading(c), _metric_cell(c, first[c])["text"]) for c in land_cols]
    class_rows = []
    if len(classes) and class_cols:
        order = classes.sort_values(
            "class_value" if "class_value" in classes.columns else "level", kind="stable"
        )
        for r in order.to_dict("records"):
            class_rows.append(
                (_class_label(r), [_metric_cell(c, r.get(c))["text"] for c in class_cols])
            )
    notes = _notes(metrics)
    if not land_rows and not class_rows and not notes:
        return None
    return {
        "landscape": land_rows,
        "class_columns": [metric_heading(c) for c in class_cols] if class_rows else [],
        "classes": class_rows,
        "notes": notes,  # shown also without a metric (a zone that could not be measured)
        "provenance": _provenance(metrics),
    }


def fragmentation_index_tables(
    metrics: pd.DataFrame | None, *, pages: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The index's fragmentation tables: one per kind of zone (ranges, protected areas, zones).

    Parameters
    ----------
    metrics : pandas.DataFrame or None
        A :data:`habitat.core.tables.LANDSCAPE_METRICS` table of many zones
        with a ``zone_kind`` column (``"range"``, ``"protected_area"``,
        ``"zone"``; without it every zone is a range). Only the landscape
        level is shown.
    pages : mapping, optional
        Zone id (individual) -> relative link of its page.

    Returns
    -------
    list of dict
        ``{"id", "title", "first", "columns", "rows"}`` with each row
        ``{"cells": [{"text", "sort", "href"}...], "note"}``.

    Examples
    --------
    >>> import pandas as pd
    >>> tables = fragmentation_index_tables(pd.DataFrame({
    ...     "zone_id": ["Leo 1F", "Park"], "zone_kind": ["range", "protected_area"],
    ...     "level": ["landscape", "landscape"], "edge_density": [31.25, 12.0]}),
    ...     pages={"Leo 1F": "pages/Leo_1F.html"})
    >>> [(t["id"], t["columns"]) for t in tables]
    [('fragmentation-ranges', ['Animal', 'edge density (m/ha)']), \
('fragmentation-areas', ['Protected area or zone', 'edge density (m/ha)'])]
    >>> tables[0]["rows"][0]["cells"][0]["href"], tables[1]["rows"][0]["cells"][1]["text"]
    ('pages/Leo_1F.html', '12.0')
    """
    if metrics is None or not len(metrics) or "level" not in metrics.columns:
        return []
    land = metrics[metrics["level"].astype(str) == "landscape"]
    kind = (
        land["zone_kind"].astype(str)
        if "zone_kind" in land.columns
        else pd.Series("range", index=land.index)
    )
    cols = [c for c in FRAGMENTATION_LANDSCAPE_METRICS if c in land.columns]
    links = pages or {}
    out = []
    for table_id, title, first, kinds in (
        ("fragmentation-ranges", "Inside each animal's range", "Animal", ("range",)),
        (
            "fragmentation-areas",
            "Inside each protected area and zone of the study area",
            "Protected area or zone",
            ("protected_area", "zone"),
        ),
    ):
        part = land[kind.isin(kinds).to_numpy()]
        if not len(part):
            continue
        rows = []
        for r in part.to_dict("records"):
            zone = str(r["zone_id"])
            cells = [
                {"text": zone, "sort": "", "href": links.get(zone) if first == "Animal" else None}
            ]
            cells += [{**_metric_cell(c, r.get(c)), "href": None} for c in cols]
            note = r.get("note")
            rows.append({"cells": cells, "note": str(note) if _present(note) else ""})
        out.append(
            {
                "id": table_id,
                "title": title,
                "columns": [first, *(metric_heading(c) for c in cols)],
                "rows": rows,
                "notes": any(r["note"] for r in rows),
            }
        )
    return out


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _sort_key(value: Any) -> str:
    """The ``data-sort`` key of a numeric cell: the exact float, or empty when missing."""
    return repr(float(value)) if _finite(value) else ""


def fmt_number(value: Any, digits: int = 1) -> str:
    """A number with thousands separators and ``digits`` decimals; '–' if missing.

    Examples
    --------
    >>> fmt_number(17703.68), fmt_number(2.589988110336, 3), fmt_number(12, 0)
    ('17,703.7', '2.590', '12')
    >>> fmt_number(float("nan")), fmt_number(None)
    ('–', '–')
    """
    if not _finite(value):
        return "–"
    return f"{float(value):,.{digits}f}"


def fmt_share(value: Any, digits: int = 1) -> str:
    """A 0-1 share as a percentage string (``0.256 -> '25.6'``); '–' if missing.

    Examples
    --------
    >>> fmt_share(0.256), fmt_share(1.0), fmt_share(0.5, 0), fmt_share(float("nan"))
    ('25.6', '100.0', '50', '–')
    """
    return fmt_number(100.0 * float(value), digits) if _finite(value) else "–"


def _fix_counts(territory: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Facts on the fixes used and left out (when the row has the counts)."""
    if not _finite(territory.get("n_fixes")):
        return []
    facts = [("Fixes used", fmt_number(territory["n_fixes"], 0))]
    flagged = territory.get("n_fixes_flagged")
    excluded = territory.get("n_fixes_excluded")
    if _finite(flagged) or _finite(excluded):
        n_flag = int(float(flagged)) if _finite(flagged) else 0  # type: ignore[arg-type]
        n_out = int(float(excluded)) if _finite(excluded) else n_flag  # type: ignore[arg-type]
        parts = []
        if n_flag:
            parts.append(f"{fmt_number(n_flag, 0)} flagged (see flag_reason in the data)")
        if n_out > n_flag:
            parts.append(f"{fmt_number(n_out - n_flag, 0)} without a usable position")
        facts.append(("Fixes left out", ", ".join(parts) if parts else "none"))
    return facts


#: groups of :func:`area_groups`, in page order
AREA_GROUPS = ("Protected areas", "Zones", "Administrative units")


def _shown(value: Any) -> bool:
    """A share worth a row: finite and not 0.0 % once printed."""
    return _finite(value) and float(value) > 0 and fmt_share(value) != fmt_share(0.0)


def _protected_note(has_layer: bool, share: Any) -> str | None:
    if not has_layer:
        return "No protected-area layer in this study area."
    if _finite(share) and float(share) == 0.0:
        return "Outside every protected area."
    if _finite(share) and not _shown(share):
        return "Less than 0.1 % inside protected areas."
    return None


def area_groups(
    areas: pd.DataFrame | None, territory: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], str | None]:
    """Rows of the protected areas, zones and admin units a range lies in, and a note.

    Parameters
    ----------
    areas : pandas.DataFrame or None
        The animal's rows of :func:`habitat.overlap.territory.area_shares`
        (labelled with the user's names, escaped by the page). ``None``: the
        ``share_pa_`` / ``share_zone_`` / ``share_admin_`` columns of
        ``territory`` are shown, labelled from their column names.
    territory : mapping
        The animal's territory row (``share_protected`` decides the note).

    Returns
    -------
    groups : list of dict
        ``{"title": ..., "rows": [(label, share %, area km²), ...]}`` for
        :data:`AREA_GROUPS` that have a row; rows with a share of 0 (0.0 %
        once printed) are left out.
    note : str or None
        ``"No protected-area layer in this study area."`` or
        ``"Outside every protected area."`` when that is the case.

    Examples
    --------
    >>> import pandas as pd
    >>> areas = pd.DataFrame({
    ...     "role": ["protected_areas", "protected_areas", "admin_units", "admin_units"],
    ...     "name": ["Catskill Park", "Catskill Park", "Ulster", "Greene"],
    ...     "zone": [None, "wild forest", None, None],
    ...     "category": ["V", None, None, None],
    ...     "area_km2": [50.0, 25.0, 100.0, 0.0], "share": [0.5, 0.25, 1.0, 0.0]})
    >>> groups, note = area_groups(areas, {"share_protected": 0.5})
    >>> for g in groups:
    ...     print(g["title"], g["rows"])
    Protected areas [('Catskill Park (V)', '50.0', '50.0')]
    Zones [('Catskill Park: wild forest', '25.0', '25.0')]
    Administrative units [('Ulster', '100.0', '100.0')]
    >>> note is None
    True
    >>> area_groups(areas.iloc[2:], {})[1]
    'No protected-area layer in this study area.'
    """
    t = dict(territory)
    rows: dict[str, list[tuple[str, str, str]]] = {g: [] for g in AREA_GROUPS}
    if areas is not None:
        has_layer = "share_protected" in t or bool((areas["role"] == "protected_areas").any())
        for r in areas.to_dict("records"):
            if not _shown(r["share"]):
                continue
            name = str(r["name"])
            zone = r.get("zone")
            category = r.get("category")
            if r["role"] == "admin_units":
                group, label = "Administrative units", name
            elif _present(zone):
                group, label = "Zones", f"{name}: {zone}"
            else:
                group = "Protected areas"
                label = f"{name} ({category})" if _present(category) else name
            rows[group].append((label, fmt_share(r["share"]), fmt_number(r.get("area_km2"))))
    else:
        has_layer = "share_protected" in t
        prefixes = (
            ("share_pa_", "Protected areas"),
            ("share_zone_", "Zones"),
            ("share_admin_", "Administrative units"),
        )
        for key in t:
            for prefix, group in prefixes:
                if key.startswith(prefix) and _shown(t[key]):
                    label = key.removeprefix(prefix).replace("__", ": ").replace("_", " ")
                    rows[group].append((label, fmt_share(t[key]), "–"))
    note = _protected_note(has_layer, t.get("share_protected"))
    return [{"title": g, "rows": rows[g]} for g in AREA_GROUPS if rows[g]], note


def barrier_rows(barriers: pd.DataFrame | None) -> list[tuple[str, str]]:
    """(label, value) rows of the barriers inside a range, one set per barrier layer.

    Parameters
    ----------
    barriers : pandas.DataFrame or None
        The animal's rows of :func:`habitat.landscape.barrier_lengths`; only
        the layers of the study area appear (a layer with no barrier inside
        the range shows 0).

    Examples
    --------
    >>> import pandas as pd
    >>> barrier_rows(pd.DataFrame({"label": ["Roads"], "length_km": [10.0],
    ...     "density_km_per_km2": [0.1], "area_km2": [float("nan")], "share": [float("nan")]}))
    [('Roads inside (km)', '10.00'), ('Roads density (km per km²)', '0.100')]
    """
    out: list[tuple[str, str]] = []
    if barriers is None:
        return out
    for r in barriers.to_dict("records"):
        label = str(r["label"])
        if _finite(r.get("length_km")):
            out.append((f"{label} inside (km)", fmt_number(r["length_km"], 2)))
            out.append((f"{label} density (km per km²)", fmt_number(r["density_km_per_km2"], 3)))
        if _finite(r.get("area_km2")):
            out.append((f"{label} inside (km²)", fmt_number(r["area_km2"], 2)))
            out.append((f"{label} (% of the range)", fmt_share(r["share"])))
    return out


#: most lags of a variogram listed on a page (spread evenly over the lags the figure shows)
VARIOGRAM_PAGE_ROWS = 24


def _interval_cell(low: Any, high: Any) -> str:
    """``"80.0–125.0"`` (km²), ``"80.0–∞"`` or ``""`` without an interval."""
    if not _finite(low) or high is None or (isinstance(high, float) and math.isnan(high)):
        return ""
    hi = float(high)
    return f"{fmt_number(low)}–{'∞' if math.isinf(hi) else fmt_number(hi)}"


def _interval_fact(row: Mapping[str, Any], level: float) -> tuple[str, str] | None:
    """("Range area, 95 % interval", "80.0–125.0 km² (30.9–48.3 sq mi)") of an AKDE row."""
    low, high = row.get("area_low_km2"), row.get("area_high_km2")
    km2 = _interval_cell(low, high)
    if not km2:
        return None
    hi = float(high)  # type: ignore[arg-type]
    sq_low = units.km2_to_sq_mi(float(low))  # type: ignore[arg-type]
    sq_high = "∞" if math.isinf(hi) else fmt_number(units.km2_to_sq_mi(hi))
    ci = row.get("ci_level", level)
    pct = fmt_number(100 * float(ci if _finite(ci) else level), 0)
    return (f"Range area, {pct} % interval", f"{km2} km² ({fmt_number(sq_low)}–{sq_high} sq mi)")


def _interval_rule_rows(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """How the interval was built (ctmm's, or widened for the KDE's shape) and the model's notes.

    Examples
    --------
    >>> _interval_rule_rows({"interval": "corrected", "kde_shape_ratio": 0.9634})
    [('Interval rule', "ctmm's, widened for the kernel density's shape (ratio 0.963)")]
    >>> _interval_rule_rows({"interval": "ctmm", "model_notes": "does not settle"})[1]
    ('Movement-model notes', 'does not settle')
    """
    out: list[tuple[str, str]] = []
    rule = str(row.get("interval", "")) if _present(row.get("interval")) else ""
    if rule == "corrected" and _finite(row.get("kde_shape_ratio")):
        ratio = fmt_number(row["kde_shape_ratio"], 3)
        out.append(
            ("Interval rule", f"ctmm's, widened for the kernel density's shape (ratio {ratio})")
        )
    elif rule == "ctmm":
        out.append(("Interval rule", "ctmm's chi-square interval"))
    notes = row.get("model_notes")
    if _present(notes) and str(notes):
        out.append(("Movement-model notes", str(notes)))
    return out


def _model_rows_from_range(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The model's rows from an AKDE result row, when the fitted model itself is not given."""
    out = []
    if _present(row.get("model")) and str(row.get("model")):
        out.append(("Movement model", str(row["model"])))
    for key, label in (
        ("tau_position_s", "τ position (range crossing time)"),
        ("tau_velocity_s", "τ velocity (directional persistence)"),
    ):
        if _finite(row.get(key)) and float(row[key]) > 0:
            out.append((label, duration_text(float(row[key]))))
    if _finite(row.get("dof_area")):
        out.append(("Effective sample size of the area (DOF)", fmt_number(row["dof_area"])))
    return out


def _spread_lags(n: int, k: int) -> np.ndarray:
    """Up to ``k`` of ``n`` row numbers, log-spaced: the short lags, where a variogram rises.

    Always the first and the last row.

    Examples
    --------
    >>> _spread_lags(5, 24).tolist(), _spread_lags(1000, 6).tolist()
    ([0, 1, 2, 3, 4], [0, 1, 6, 32, 178, 999])
    """
    if n <= k:
        return np.arange(n)
    for num in range(k - 1, 20 * k):
        pick = np.unique(np.concatenate([[0], np.geomspace(1, n - 1, num).round()])).astype(int)
        if len(pick) >= k:
            return pick[:k] if len(pick) == k else np.append(pick[: k - 1], n - 1)
    return pick


def akde_section(
    *,
    ranges: pd.DataFrame,
    territory: Mapping[str, Any],
    model: MovementModel | None = None,
    variogram: pd.DataFrame | None = None,
    variogram_href: str | None = None,
    level: float = 0.95,
    fraction: float = 0.5,
) -> dict[str, Any] | None:
    """What a page shows of an autocorrelated range: interval, model, variogram figure and table.

    Parameters
    ----------
    ranges : pandas.DataFrame
        The animal's home-range rows; the AKDE row at the territory's level
        gives the area's interval (``area_low_km2``, ``area_high_km2``,
        ``dof_area``), and the model's name and timescales when ``model`` is
        not given.
    territory : mapping
        The animal's territory row (``method``, ``level``).
    model : MovementModel, optional
        The fitted model: its timescales with their intervals
        (:func:`habitat.report.akde.model_rows`).
    variogram : pandas.DataFrame, optional
        :func:`habitat.movement.variogram` of the animal's fixes: listed at
        up to :data:`VARIOGRAM_PAGE_ROWS` lags (log-spaced, so the short lags
        where the variogram rises are seen) of the first ``fraction`` of the
        longest lag (what the figure shows), with the model's semivariance.
    variogram_href : str, optional
        Relative link of the variogram figure
        (:func:`habitat.report.figures.plot_variogram`).
    level : float
        Confidence level of the intervals.
    fraction : float
        Share of the longest lag listed (ctmm plots half).

    Returns
    -------
    dict or None
        ``facts`` (label, value), ``figure`` ({href, caption} or None),
        ``columns`` and ``rows`` of the variogram table, ``note``; None for an
        animal without an AKDE range, model or variogram.

    Examples
    --------
    >>> ranges = pd.DataFrame({"method": ["akde"], "level": [0.95], "area_km2": [100.0],
    ...     "area_low_km2": [80.0], "area_high_km2": [125.0], "dof_area": [30.2],
    ...     "model": ["OUF anisotropic"], "tau_position_s": [2.5 * 86400],
    ...     "tau_velocity_s": [1500.0]})
    >>> section = akde_section(ranges=ranges, territory={"method": "akde", "level": 0.95})
    >>> for label, value in section["facts"]:
    ...     print(f"{label}: {value}")
    Range area, 95 % interval: 80.0–125.0 km² (30.9–48.3 sq mi)
    Movement model: OUF anisotropic
    τ position (range crossing time): 2.5 days
    τ velocity (directional persistence): 25 min
    Effective sample size of the area (DOF): 30.2
    """
    akde_rows = ranges[ranges["method"].astype(str) == "akde"] if "method" in ranges else ranges[:0]
    row: dict[str, Any] = {}
    if len(akde_rows):
        at = akde_rows["level"].astype(float).to_numpy() == float(territory.get("level", np.nan))
        chosen = akde_rows[at] if at.any() else akde_rows.iloc[[-1]]
        row = {str(k): v for k, v in chosen.iloc[0].items()}
    if not row and model is None and variogram is None:
        return None
    facts: list[tuple[str, str]] = []
    fact = _interval_fact(row, level) if row else None
    if fact is not None:
        facts.append(fact)
    facts += _interval_rule_rows(row)
    if model is not None:
        facts += model_rows(model, level=level)
    elif row:
        facts += _model_rows_from_range(row)
    columns: list[str] = []
    rows: list[list[str]] = []
    note = ""
    if variogram is not None and len(variogram):
        table = variogram_table(variogram, model, level=level)
        lag = table["lag_s"].to_numpy(dtype=float)
        shown = table[lag <= fraction * lag.max()] if len(lag) else table
        pick = _spread_lags(len(shown), VARIOGRAM_PAGE_ROWS)
        pct = fmt_number(100 * level, 0)
        columns = ["Lag", "Semivariance (km²)", f"{pct} % CI (km²)", "DOF", "Pairs"]
        has_model = "model_semivariance_km2" in shown.columns
        if has_model:
            columns.insert(3, "Model (km²)")
        for r in shown.iloc[pick].to_dict("records"):
            cells = [
                str(r["lag"]),
                fmt_number(r["semivariance_km2"], 3),
                f"{fmt_number(r['semivariance_low_km2'], 3)}–"
                f"{fmt_number(r['semivariance_high_km2'], 3)}",
                fmt_number(r["dof"], 0),
                fmt_number(r.get("n_pairs"), 0),
            ]
            if has_model:
                cells.insert(3, fmt_number(r["model_semivariance_km2"], 3))
            rows.append(cells)
        longest = shown["lag"].iloc[-1] if len(shown) else "–"
        note = (
            f"{len(pick)} of the {len(shown)} lags (log-spaced) up to "
            f"{fmt_number(100 * fraction, 0)} % of the longest ({longest}); intervals: "
            "chi-square with the lag's degrees of freedom, as ctmm draws them."
        )
    figure = None
    if variogram_href:
        what = f"the fitted {model.label} model" if model is not None else "no model"
        figure = {
            "href": variogram_href,
            "caption": f"Variogram: semivariance against time lag with {fmt_number(100 * level, 0)}"
            f" % intervals, and {what} (red). A range-resident animal's variogram levels off.",
        }
    return {"facts": facts, "figure": figure, "columns": columns, "rows": rows, "note": note}


def render_individual_page(
    *,
    individual: str,
    title: str,
    territory: Mapping[str, Any],
    ranges: pd.DataFrame,
    neighbours: pd.DataFrame,
    map_href: str,
    landscape: Mapping[str, Any] | None = None,
    corridors: Sequence[Mapping[str, str | None]] | None = None,
    fragmentation: pd.DataFrame | None = None,
    figures: Sequence[tuple[str, str]] = (),
    neighbour_pages: Mapping[str, str] | None = None,
    fingerprint: str | None = None,
    areas: pd.DataFrame | None = None,
    barriers: pd.DataFrame | None = None,
    schematic: bool = False,
    land_cover_names: Mapping[str, str] | None = None,
    model: MovementModel | None = None,
    variogram: pd.DataFrame | None = None,
    variogram_href: str | None = None,
    ci_level: float = 0.95,
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
        Land-cover columns of :func:`habitat.landscape.landscape_in_ranges` for
        this range (``share_<class>`` rows); without ``barriers``, its
        ``<key>_length_km`` and ``<key>_density_km_per_km2`` columns are shown too.
    fragmentation : pandas.DataFrame, optional
        This range's rows of a :data:`habitat.core.tables.LANDSCAPE_METRICS`
        table (landscape and class levels), shown as compact tables
        (:func:`fragmentation_tables`): the key landscape-level metrics, one
        row per land-cover class, the contract's labels and units, and the
        table's notes.
    corridors : sequence of mapping, optional
        ``label``, ``href``, ``detail`` of corridors to neighbours; an empty
        sequence when corridors were computed but none touches this animal,
        ``None`` when they were not computed.
    figures : sequence of (href, caption)
        Images to show.
    neighbour_pages : mapping, optional
        Neighbour id -> relative link of its page.
    fingerprint : str, optional
        SHA-256 (64 hex digits) of everything the page shows, stored in its
        head (:func:`page_fingerprint`) so a re-run redraws only pages whose
        input changed.
    areas : pandas.DataFrame, optional
        This range's rows of :func:`habitat.overlap.territory.area_shares`:
        the protected areas, zones and admin units it lies in, labelled with
        the study area's own names (:func:`area_groups`). Without it, the
        ``share_pa_`` / ``share_zone_`` / ``share_admin_`` columns of
        ``territory`` are shown under their column names.
    barriers : pandas.DataFrame, optional
        This range's rows of :func:`habitat.landscape.barrier_lengths`, shown
        labelled with the layers' labels (:func:`barrier_rows`).
    schematic : bool
        Whether the study area's layers are schematic drawings (the bundled
        set): the footer then says they are not official boundaries.
    land_cover_names : mapping, optional
        Share column -> the land cover's own class name (``"share_pasture_hay"``
        -> ``"Pasture/hay"``), for the land-cover rows' labels; without it the
        labels come from the column names.
    model : MovementModel, optional
        The animal's fitted movement model (AKDE): its name, timescales with
        their intervals and the area's effective sample size are shown.
    variogram : pandas.DataFrame, optional
        :func:`habitat.movement.variogram` of its fixes, listed as a table
        (:func:`akde_section`).
    variogram_href : str, optional
        Relative link of its variogram figure
        (:func:`habitat.report.figures.plot_variogram`).
    ci_level : float
        Confidence level of the intervals shown (the ranges' ``ci_level``
        column wins).

    Returns
    -------
    str
        The page (UTF-8 text). An animal with an AKDE range (``ranges`` rows
        with ``area_low_km2`` / ``area_high_km2``), a ``model`` or a
        ``variogram`` gets a section "Movement model and autocorrelated
        range" (:func:`akde_section`); the ranges table gets an interval
        column when a range has one. Other pages are unchanged.

    Notes
    -----
    When ``territory`` holds ``n_fixes`` (fixes used) the page says how many
    fixes were left out: ``n_fixes_flagged`` (flagged by a cleaning rule, see
    the data's ``flag_reason``) and ``n_fixes_excluded`` (all left out,
    flagged or without a usable position).

    Examples
    --------
    >>> import pandas as pd
    >>> html = render_individual_page(
    ...     individual="Leo 1F", title="T", map_href="Leo_1F/map.html",
    ...     territory={"sex": "F", "method": "mcp", "level": 0.95, "area_km2": 80.0,
    ...                "n_fixes": 1970, "n_fixes_flagged": 12, "n_fixes_excluded": 12},
    ...     ranges=pd.DataFrame(columns=["method", "level"]), neighbours=pd.DataFrame(columns=[
    ...         "individual", "sex", "area_km2", "area_sq_mi", "share_self", "share_other"]),
    ...     fingerprint="0" * 64,
    ... )
    >>> "<dt>Fixes used</dt><dd>1,970</dd>" in html
    True
    >>> "<dt>Fixes left out</dt><dd>12 flagged (see flag_reason in the data)</dd>" in html
    True
    >>> page_fingerprint(html) == "0" * 64
    True
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
        *_fix_counts(t),
    ]
    for key, label in (
        ("share_protected", "Inside any protected area"),
        ("exclusive_share", "Used by no other animal of the same sex"),
    ):
        if key in t:
            facts.append((label, f"{fmt_share(t[key])} %"))
    groups, area_note = area_groups(areas, t)
    for key, label in (
        ("n_same_sex_neighbours", "Same-sex neighbours"),
        ("n_opposite_sex_neighbours", "Opposite-sex neighbours"),
        ("n_unknown_sex_neighbours", "Neighbours where either sex is unknown"),
    ):
        if key in t:
            facts.append((label, str(int(t[key]))))
    range_rows = [
        {
            "method": METHOD_LABELS.get(str(r["method"]), str(r["method"])),
            "level_pct": fmt_number(100 * float(r["level"]), 0),
            "area_km2": fmt_number(r.get("area_km2")),
            "area_sq_mi": fmt_number(r.get("area_sq_mi")),
            "interval": _interval_cell(r.get("area_low_km2"), r.get("area_high_km2")),
            "n_fixes": str(int(r["n_fixes"])) if _finite(r.get("n_fixes")) else "–",
        }
        for _, r in ranges.sort_values(["method", "level"]).iterrows()
    ]
    akde = akde_section(
        ranges=ranges,
        territory=t,
        model=model,
        variogram=variogram,
        variogram_href=variogram_href,
        level=ci_level,
    )
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
            name = (land_cover_names or {}).get(key) or key.removeprefix("share_").replace("_", " ")
            land_rows.append((f"{name} (%)", fmt_share(value)))
        elif barriers is not None:
            continue  # barriers are shown from their own rows, with their labels
        elif key.endswith("_length_km"):
            land_rows.append(
                (f"{key.removesuffix('_length_km')} inside (km)", fmt_number(value, 2))
            )
        elif key.endswith("_density_km_per_km2"):
            name = key.removesuffix("_density_km_per_km2")
            land_rows.append((f"{name} density (km per km²)", fmt_number(value, 3)))
    land_rows += barrier_rows(barriers)
    return (
        _env()
        .get_template("individual.html.j2")
        .render(
            **_common(title, schematic=schematic),
            individual=individual,
            sex_label=SEX_LABELS.get(sex, sex),
            method_label=METHOD_LABELS.get(str(t.get("method")), str(t.get("method"))),
            level_pct=fmt_number(100 * float(t.get("level", np.nan)), 0),
            map_href=map_href,
            facts=facts,
            area_groups=groups,
            area_note=area_note,
            plausible=bool(t.get("plausible", True)),
            plausibility=str(t.get("plausibility", "") or ""),
            fingerprint=fingerprint,
            ranges=range_rows,
            range_intervals=any(r["interval"] for r in range_rows),
            interval_level=fmt_number(100 * ci_level, 0),
            akde=akde,
            neighbours=neighbour_rows,
            landscape=land_rows,
            fragmentation=fragmentation_tables(fragmentation),
            corridors=None if corridors is None else list(corridors),
            figures=[{"href": h, "caption": c} for h, c in figures],
        )
    )


#: columns of the index table: (column, heading, kind) with kind "text", "num" or "share"
INDEX_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("individual", "Animal", "text"),
    ("sex", "Sex", "text"),
    ("n_fixes", "Fixes", "num0"),
    ("n_fixes_flagged", "Flagged fixes left out", "num0"),
    ("area_km2", "Area (km²)", "num"),
    ("area_sq_mi", "Area (sq mi)", "num"),
    ("area_low_km2", "Area low (km²)", "num"),
    ("area_high_km2", "Area high (km²)", "num"),
    ("dof_area", "DOF of the area", "num"),
    ("model", "Movement model", "text"),
    ("plausible", "Plausible size", "text"),
    ("share_protected", "In protected areas (%)", "share"),
    ("exclusive_share", "Exclusive (%)", "share"),
    ("n_same_sex_neighbours", "Same-sex neighbours", "num0"),
    ("n_opposite_sex_neighbours", "Opposite-sex neighbours", "num0"),
    ("n_unknown_sex_neighbours", "Neighbours of unknown sex", "num0"),
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
    notes: Sequence[str] = (),
    schematic: bool = False,
    fragmentation: pd.DataFrame | None = None,
    fragmentation_figures: Sequence[tuple[str, str]] = (),
    fragmentation_note: str = "",
    connectivity_lines: Sequence[str] = (),
    connectivity_figures: Sequence[tuple[str, str]] = (),
    interval_figures: Sequence[tuple[str, str]] = (),
) -> str:
    """HTML of the report's index page: a sortable table of all animals.

    Parameters
    ----------
    title : str
        Report title.
    metrics : pandas.DataFrame
        One row per reported animal (territory table plus ``n_fixes``). For
        AKDE ranges, the columns ``area_low_km2``, ``area_high_km2`` (the
        area's interval), ``dof_area`` and ``model`` of the reported range are
        shown when present; a missing value (another method) reads ``–``.
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
    notes : sequence of str
        Lines shown under the heading (escaped), e.g. the study area and the
        species profile the report used.
    schematic : bool
        Whether the study area's layers are schematic (said in the footer).
    fragmentation : pandas.DataFrame, optional
        Landscape metrics of every range and protected area / zone (a
        :data:`habitat.core.tables.LANDSCAPE_METRICS` table with ``zone_kind``):
        a sortable table of the key landscape-level metrics per animal and one
        per protected area / zone (:func:`fragmentation_index_tables`).
    fragmentation_figures : sequence of (href, caption)
        Figures comparing the animals' metrics.
    fragmentation_note : str
        A line on how the metrics were measured (escaped).
    connectivity_lines : sequence of str
        Lines of the "Corridors and connectivity" section (escaped): PC, ECA,
        how the corridors were computed, what was left out.
    connectivity_figures : sequence of (href, caption)
        The connectivity graph.
    interval_figures : sequence of (href, caption)
        Animals compared with their areas' intervals
        (:func:`habitat.report.figures.plot_area_intervals`), in a section
        "Range areas with their intervals".

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
                        "sort": _sort_key(v),
                    }
                )
            elif kind.startswith("num"):
                digits = 0 if kind == "num0" else 1
                cells.append(
                    {
                        "text": fmt_number(v, digits),
                        "num": True,
                        "href": None,
                        "sort": _sort_key(v),
                    }
                )
            elif col == "plausible":
                cells.append(
                    {"text": "yes" if bool(v) else "no", "num": False, "href": None, "sort": ""}
                )
            elif col == "model":
                text = str(v) if _present(v) and str(v) else "–"
                cells.append({"text": text, "num": False, "href": None, "sort": ""})
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
            **_common(title, schematic=schematic),
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
            notes=list(notes),
            fragmentation_tables=fragmentation_index_tables(fragmentation, pages=pages),
            fragmentation_figures=[{"href": h, "caption": c} for h, c in fragmentation_figures],
            fragmentation_note=fragmentation_note,
            connectivity_lines=list(connectivity_lines),
            connectivity_figures=[{"href": h, "caption": c} for h, c in connectivity_figures],
            interval_figures=[{"href": h, "caption": c} for h, c in interval_figures],
        )
    )

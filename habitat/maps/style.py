"""Colours, layer styles and the readable text of values in tooltips and popups.

Everything a map shows is styled here: the palette of each bundled layer
(:data:`LAYER_STYLES`), of land-cover classes, sexes and individuals; the check
that a colour is a CSS colour before it reaches a page (:func:`check_colour`);
and the text of numbers in popups, in the units their column names declare
(:func:`readable_values`: areas in km² and sq mi, lengths in km and mi, shares
in %). Every string that comes from data is HTML-escaped here.

Examples
--------
>>> format_number(1234.5)
'1,234.5'
>>> length_text(np.array([10_000.0]))
['10 km (6.21 mi)']
>>> check_colour("#e6550d", what="corridor")
'#e6550d'
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from habitat.core import units
from habitat.core.errors import InputError

__all__ = [
    "CORRIDOR_COLOUR",
    "PINCH_POINT_COLOUR",
    "CURRENT_COLOURS",
    "DEFAULT_COLOUR",
    "INDIVIDUAL_COLOURS",
    "LAND_COVER_COLOURS",
    "BARRIER_STYLES",
    "LAYER_STYLES",
    "OTHER_CLASS_COLOURS",
    "ROLE_STYLES",
    "SEX_COLOURS",
    "SEX_NAMES",
    "TUNNEL_COLOUR",
    "UNKNOWN_SEX_COLOUR",
    "ZONE_COLOURS",
    "area_text",
    "barrier_class",
    "check_colour",
    "column_label",
    "duration_text",
    "escaped_strings",
    "format_number",
    "format_value",
    "individual_palette",
    "interval_text",
    "is_missing",
    "length_text",
    "readable_values",
    "sex_colours",
]

#: Display name, style and group of each bundled layer, in drawing order. The
#: Leaflet path options keep Leaflet's spelling (``color``, ``fillOpacity``).
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
#: legend label of each sex code
SEX_NAMES: dict[str, str] = {"F": "Female (F)", "M": "Male (M)"}
#: colour of animals whose sex is not F or M
UNKNOWN_SEX_COLOUR = "#757575"
#: Leaflet's default path colour, for layers without a style
DEFAULT_COLOUR = "#3388ff"
#: road tunnels and wildlife crossings
TUNNEL_COLOUR = "#ff7f00"
#: corridor lines and polygons
CORRIDOR_COLOUR = "#e6550d"
#: pinch points of the current in the corridors
PINCH_POINT_COLOUR = "#d7191c"
#: colour scale of current density, low to high (viridis)
CURRENT_COLOURS: tuple[str, ...] = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
#: land-cover classes without a colour of their own, in the order they are met
#: (16, so that a classified image such as NLCD's 16 classes gets one each)
OTHER_CLASS_COLOURS: tuple[str, ...] = (
    "#8dd3c7",
    "#bebada",
    "#fb8072",
    "#80b1d3",
    "#fdb462",
    "#b3de69",
    "#fccde5",
    "#bc80bd",
    "#ccebc5",
    "#ffed6f",
    "#a6cee3",
    "#b15928",
    "#cab2d6",
    "#6a3d9a",
    "#d9d9d9",
    "#33a02c",
)
#: park zones, in the order they appear
ZONE_COLOURS: tuple[str, ...] = ("#1b7837", "#a6dba0", "#fee08b", "#f4a582", "#92c5de", "#c2a5cf")
#: one colour per individual, repeating after 16
INDIVIDUAL_COLOURS: tuple[str, ...] = (
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
)

#: Style and group of a study-area layer by its role (:data:`habitat.io.study_area.ROLES`),
#: for layers without a style of their own in :data:`LAYER_STYLES`
ROLE_STYLES: dict[str, dict[str, Any]] = {
    "admin_units": {
        "color": "#6b6b6b",
        "fillOpacity": 0.0,
        "weight": 1.5,
        "dashArray": "6 4",
        "group": "Context",
        "show": True,
    },
    "context": {"color": DEFAULT_COLOUR, "group": "Other layers", "show": True},
    "protected_areas": {
        "color": "#1b7837",
        "fillOpacity": 0.15,
        "weight": 2.0,
        "group": "Protected areas",
        "show": True,
    },
    "barriers": {
        "color": "#4d4d4d",
        "weight": 2.0,
        "group": "Infrastructure & borders",
        "show": True,
    },
    "settlements": {"color": "#2166ac", "group": "Infrastructure & borders", "show": True},
    "crossings": {
        "color": TUNNEL_COLOUR,
        "weight": 6.0,
        "opacity": 0.9,
        "radius": 8.0,
        "group": "Infrastructure & borders",
        "show": True,
    },
}

#: Line style of each class of barrier (:func:`barrier_class`)
BARRIER_STYLES: dict[str, dict[str, Any]] = {
    "road": {"color": "#4d4d4d", "weight": 2.0},
    "railway": {"color": "#762a83", "weight": 2.0, "dashArray": "2 4"},
    "river": {"color": "#4393c3", "weight": 1.5},
    "fence": {"color": "#8c510a", "weight": 2.0, "dashArray": "6 3"},
    "other": {"color": "#636363", "weight": 2.0, "dashArray": "1 3"},
}

#: words of a barrier's kind that give its class, tried in this order
_BARRIER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("railway", ("rail", "train", "tram")),
    ("river", ("river", "stream", "creek", "canal", "brook", "water")),
    ("fence", ("fence", "wall")),
    (
        "road",
        (
            "road",
            "highway",
            "motorway",
            "street",
            "track",
            "federal",
            "regional",
            "local",
            "primary",
            "secondary",
            "tertiary",
            "trunk",
            "route",
        ),
    ),
)

_COLOUR_RE = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(rgba?|hsla?)\([\d\s.,%]+\))$")


# ------------------------------------------------------------------------ colours
def check_colour(colour: str, *, what: str) -> str:
    """Return ``colour`` if it is a CSS colour, else raise :class:`InputError`.

    Colours go into style dicts and, for marker clusters, into JavaScript; only
    a colour name, ``#rgb``/``#rrggbb(aa)`` hex code or ``rgb()``/``hsl()``
    value passes, so no data string can reach the page's code this way.

    Parameters
    ----------
    colour : str
        The colour to check.
    what : str
        What it colours, for the message (``"corridor"``, ``"class 'forest'"``).

    Examples
    --------
    >>> check_colour("darkgreen", what="park")
    'darkgreen'
    >>> check_colour("red; background: url(x)", what="park")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: park colour 'red; background: url(x)' is not a CSS colour ...
    """
    if not isinstance(colour, str) or not _COLOUR_RE.match(colour):
        raise InputError(
            f"{what} colour {colour!r} is not a CSS colour name, #rrggbb hex code or "
            "rgb()/hsl() value; pass e.g. '#e6550d' or 'darkgreen'."
        )
    return colour


def individual_palette(
    names: Iterable[str], given: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Colour of each individual: ``given`` ones (checked), then :data:`INDIVIDUAL_COLOURS`.

    Parameters
    ----------
    names : iterable of str
        Individual ids; the palette is assigned in sorted order, so the same
        animals get the same colours on every map.
    given : mapping of str to str, optional
        Colours to keep (e.g. returned by :func:`habitat.maps.add_home_ranges`).

    Examples
    --------
    Colours follow the sorted ids, so a map and its report agree:

    >>> individual_palette(["Leo 2M", "Leo 1F"])
    {'Leo 1F': '#e41a1c', 'Leo 2M': '#377eb8'}
    >>> individual_palette(["Leo 2M", "Leo 1F"], given={"Leo 2M": "black"})
    {'Leo 2M': 'black', 'Leo 1F': '#e41a1c'}
    """
    palette = {str(k): check_colour(v, what=f"individual {k!r}") for k, v in (given or {}).items()}
    for i, n in enumerate(sorted({str(n) for n in names})):
        palette.setdefault(n, INDIVIDUAL_COLOURS[i % len(INDIVIDUAL_COLOURS)])
    return palette


def sex_colours(sex: pd.Series) -> np.ndarray:
    """Colour of each sex value (first letter, F or M; :data:`UNKNOWN_SEX_COLOUR` otherwise).

    Examples
    --------
    >>> sex_colours(pd.Series(["F", "male", None])).tolist()
    ['#c2185b', '#1565c0', '#757575']
    """
    codes = sex.astype(str).str.strip().str.upper().str[:1]
    return codes.map(SEX_COLOURS).fillna(UNKNOWN_SEX_COLOUR).to_numpy()


def barrier_class(kind: object) -> str | None:
    """Class of a barrier's kind for its line style: road, railway, river, fence, or None.

    The kind is the user's value (``"Interstate highway"``, ``"rail"``,
    ``"deer fence"``); words in it give the class (:data:`BARRIER_STYLES`).
    ``None`` for a missing kind or one without such a word.

    Examples
    --------
    >>> [barrier_class(k) for k in ["Interstate highway", "railway", "Stream", "deer fence"]]
    ['road', 'railway', 'river', 'fence']
    >>> barrier_class("bridge") is None, barrier_class(None) is None
    (True, True)
    """
    if is_missing(kind):
        return None
    text = str(kind).strip().lower()
    for cls, words in _BARRIER_WORDS:
        if any(w in text for w in words):
            return cls
    return None


# --------------------------------------------------------------------- value text
def is_missing(value: Any) -> bool:
    """Whether a scalar is missing (None, NaN, NaT, pd.NA); arrays and lists are not.

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NaT), is_missing([1, 2])
    (True, True, True, False)
    """
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # arrays, lists
        return False


def format_value(value: Any) -> str:
    """Text of a scalar (not escaped): yes/no, 1,234, 1,234.50, a date or a timestamp.

    Examples
    --------
    >>> format_value(True), format_value(12345), format_value(0.5)
    ('yes', '12,345', '0.50')
    >>> format_value(pd.Timestamp("2024-05-01")), format_value(pd.Timestamp("2024-05-01 06:30"))
    ('2024-05-01', '2024-05-01 06:30:00')
    """
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return f"{float(value):,.2f}"
    if isinstance(value, pd.Timestamp):
        if value == value.normalize():
            return value.strftime("%Y-%m-%d")
        return value.isoformat(sep=" ")
    return str(value)


def format_number(value: float, decimals: int = 2) -> str:
    """A number with thousands separators and no trailing zeros: 100, 38.61, 1,234.5.

    Examples
    --------
    >>> format_number(100.0), format_number(38.6102), format_number(1234.5)
    ('100', '38.61', '1,234.5')
    """
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def area_text(area_km2: np.ndarray, area_sq_mi: np.ndarray) -> list[str]:
    """``"100 km² (38.61 sq mi)"`` for each area; ``""`` where either is not finite.

    Examples
    --------
    >>> area_text(np.array([100.0, np.nan]), np.array([38.61, np.nan]))
    ['100 km² (38.61 sq mi)', '']
    """
    return [
        ""
        if not (np.isfinite(a) and np.isfinite(b))
        else f"{format_number(a)} km² ({format_number(b)} sq mi)"
        for a, b in zip(area_km2, area_sq_mi, strict=True)
    ]


def interval_text(low_km2: np.ndarray, high_km2: np.ndarray) -> list[str]:
    """``"100–145 km² (38.61–55.98 sq mi)"`` for each interval; ``""`` where it is missing.

    An unbounded upper limit reads ``∞``.

    Examples
    --------
    >>> interval_text(np.array([100.0, np.nan, 5.0]), np.array([145.0, 1.0, np.inf]))
    ['100–145 km² (38.61–55.98 sq mi)', '', '5–∞ km² (1.93–∞ sq mi)']
    """
    low = np.asarray(low_km2, dtype=float)
    high = np.asarray(high_km2, dtype=float)
    out = []
    for a, b in zip(low, high, strict=True):
        if not np.isfinite(a) or np.isnan(b):
            out.append("")
            continue
        km2 = "∞" if np.isinf(b) else format_number(b)
        sq_mi = "∞" if np.isinf(b) else format_number(float(units.km2_to_sq_mi(b)))
        out.append(
            f"{format_number(a)}–{km2} km² "
            f"({format_number(float(units.km2_to_sq_mi(a)))}–{sq_mi} sq mi)"
        )
    return out


#: (name, seconds) of the units durations are shown in, smallest first
_TIME_UNITS = (("s", 1.0), ("min", 60.0), ("h", 3600.0), ("days", 86400.0), ("years", 31_557_600.0))


def duration_text(seconds: np.ndarray) -> list[str]:
    """Each duration in the largest unit it holds twice (s, min, h, days, years).

    Three significant figures; ``""`` where not finite; 0 reads ``"0 s"``.

    Examples
    --------
    >>> duration_text(np.array([90.0, 5400.0, 2.345 * 86400, np.nan]))
    ['90 s', '90 min', '2.35 days', '']
    """
    out = []
    for v in np.asarray(seconds, dtype=float):
        if not np.isfinite(v):
            out.append("")
            continue
        name, size = _TIME_UNITS[0]
        for unit, length in _TIME_UNITS:
            if abs(v) >= 2.0 * length:
                name, size = unit, length
        value = v / size
        digits = 0 if value == 0 else max(0, 2 - int(np.floor(np.log10(abs(value)))))
        out.append(f"{format_number(value, digits)} {name}")
    return out


def length_text(length_m: np.ndarray) -> list[str]:
    """``"10 km (6.21 mi)"`` for each length in metres; ``""`` where not finite.

    Examples
    --------
    >>> length_text(np.array([1609.344, np.inf]))
    ['1.61 km (1 mi)', '']
    """
    km = units.convert_length(length_m, "m", "km")
    mi = units.convert_length(length_m, "m", "mi")
    return [
        "" if not np.isfinite(a) else f"{format_number(a)} km ({format_number(b)} mi)"
        for a, b in zip(km, mi, strict=True)
    ]


def readable_values(column: str, values: pd.Series) -> list[str]:
    """Display text (HTML-escaped) of a column's values, in the units its name declares.

    Shares (``share*``, ``*_share``, ``plausibility``; 0-1) in %, areas
    (``*_km2``) in km² and sq mi, lengths (``*_m``) in km and mi, durations
    (``*_s``) in min, h or days (:func:`duration_text`); other values as
    :func:`format_value` writes them.

    Examples
    --------
    The unit comes from the column name:

    >>> readable_values("share_protected", pd.Series([1.0, 0.5]))
    ['100 %', '50 %']
    >>> readable_values("area_km2", pd.Series([100.0]))
    ['100 km² (38.61 sq mi)']
    >>> readable_values("tau_position_s", pd.Series([172800.0]))
    ['2 days']
    >>> readable_values("name", pd.Series(["<b>Leo</b>"]))
    ['&lt;b&gt;Leo&lt;/b&gt;']
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        arr = values.to_numpy(dtype=float, na_value=np.nan)
        if column.startswith("share") or column.endswith("_share") or column == "plausibility":
            return ["" if not np.isfinite(v) else f"{format_number(100 * v, 1)} %" for v in arr]
        if column.endswith("_km2"):
            return area_text(arr, units.km2_to_sq_mi(arr))
        if column.endswith("_m"):
            return length_text(arr)
        if column.endswith("_s"):
            return duration_text(arr)
    return escaped_strings(values.to_numpy())


def column_label(column: str) -> str:
    """Human label (HTML-escaped) of a column name: unit suffix dropped, ``_`` as spaces.

    Examples
    --------
    >>> column_label("distance_to_boundary_m"), column_label("area_km2")
    ('distance to boundary', 'area km2')
    >>> column_label("tau_position_s")
    'tau position'
    """
    text = column
    for suffix in ("_km2", "_m", "_sq_mi", "_s"):
        if text.endswith(suffix) and text not in {"area_km2", "area_sq_mi"}:
            text = text[: -len(suffix)]
    return html.escape(text.replace("_", " "))


def escaped_strings(values: Iterable[Any]) -> list[str]:
    """Each value as escaped display text (:func:`format_value`; ``""`` if missing).

    Examples
    --------
    >>> escaped_strings(["Kedrovaya Pad & co", None, 1500])
    ['Kedrovaya Pad &amp; co', '', '1,500']
    """
    return [html.escape("" if is_missing(v) else format_value(v)) for v in values]

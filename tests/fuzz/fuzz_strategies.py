"""Hypothesis strategies for hostile inputs, and the oracles the fuzz properties use.

Strategies
----------
:func:`ids`
    Animal ids as text cells: ints, strings with spaces, unicode (composed and
    decomposed), words pandas reads as missing (``NA``, ``None``, ``nan``),
    path-like and formula-like text, control and invisible characters.
:func:`relocation_tables`
    A relocations CSV (``id,x,y,date``) with its CRS and read options:
    coordinates in lon/lat (in and out of range), projected metres, degrees
    declared as metres, ``1e400`` and other unreadable text, NaN, blanks;
    timestamps as ISO text with and without a zone, naive, duplicated, out of
    order, decades away, unparseable; CRSs 4326, UTM zones, a LAEA, and a few
    invalid or non-surface ones.
:func:`polygon_tables`
    Range polygons with an ``individual`` column: valid, self-intersecting,
    NaN vertices, empty, across the antimeridian, degenerate.
:func:`config_texts`
    TOML text of a report config with random known and unknown keys and values
    of random types (and now and then text that is not TOML at all).
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from hypothesis import settings
from hypothesis import strategies as st

#: the fuzz profile registered in tests/fuzz/conftest.py
FUZZ = settings.get_profile("habitat-fuzz")


@contextmanager
def scratch() -> Iterator[Path]:
    """A fresh folder for one hypothesis example (function fixtures are shared by examples)."""
    with tempfile.TemporaryDirectory(prefix="habitat-fuzz-") as folder:
        yield Path(folder)


# ----------------------------------------------------------------------------- oracles

#: Unicode categories an id may not hold (the documented rule of habitat.core.ids)
REFUSED_ID_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _is_blank(char: str) -> bool:
    return char == "\t" or unicodedata.category(char) == "Zs"


def expected_id(raw: str) -> str:
    """The id the documented rule makes of a raw text cell (strip blanks, NFC)."""
    start, end = 0, len(raw)
    while start < end and _is_blank(raw[start]):
        start += 1
    while end > start and _is_blank(raw[end - 1]):
        end -= 1
    return unicodedata.normalize("NFC", raw[start:end])


def refused_id(raw: str) -> bool:
    """True when the rule refuses the id (empty after stripping, or an invisible character)."""
    text = expected_id(raw)
    return not text or any(unicodedata.category(c) in REFUSED_ID_CATEGORIES for c in text)


# ----------------------------------------------------------------------------- ids

HOSTILE_ID_WORDS = [
    "NA",
    "N/A",
    "None",
    "nan",
    "NaN",
    "null",
    "NULL",
    "-",
    "0",
    "1",
    " 1",
    "1 ",
    "01",
    "1.0",
    "Leo 1F",
    "Leo  1F",
    "leo 1f",
    "Léo",
    "Le\u0301o",
    "豹 1",
    "леопард 2",
    "a/b",
    "../up",
    "..",
    ".",
    "CON",
    "a,b",
    'a"b',
    "=1+1",
    "<b>x</b>",
    "a\u00a0b",
    "\u00a0x\u3000",
    "a\x00b",
    "a\nb",
    "a\tb",
    "a\u200bb",
    "a\u202eb",
    "\x1b[31m",
    "a" * 300,
]


def ids(*, hostile: bool = True) -> st.SearchStrategy[str]:
    """One id cell as text (what is written to the CSV).

    Mostly ids a file could well hold (numbers, names with blanks, unicode,
    NA-like words); with ``hostile`` also any text (control characters...).
    """
    printable = st.characters(exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp"))
    usual = st.one_of(
        st.integers(-3, 10**6).map(str),
        st.sampled_from([w for w in HOSTILE_ID_WORDS if not refused_id(w)]),
        st.text(alphabet=printable, min_size=1, max_size=6).filter(lambda s: s.strip()),
    )
    if not hostile:
        return usual
    anything = st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=6)
    return st.one_of(
        usual,
        usual,
        usual,
        st.sampled_from([w for w in HOSTILE_ID_WORDS if refused_id(w)]),
        anything.filter(lambda s: "\r" not in s),
    )


# ----------------------------------------------------------------------------- CRSs

PROJECTED_CRSS: list[Any] = [
    "EPSG:32652",  # UTM 52N (Primorsky Krai)
    32631,  # UTM 31N (the adehabitat data sets)
    "EPSG:32752",  # UTM 52S
    "+proj=laea +lat_0=43 +lon_0=131 +datum=WGS84 +units=m",
]
INVALID_CRSS: list[Any] = [
    "EPSG:999999",
    "not a crs",
    "EPSG:4978",  # geocentric
    "EPSG:5703",  # vertical
    "",
]


def crss() -> st.SearchStrategy[Any]:
    """A CRS argument: geographic, projected, missing, or invalid/non-surface."""
    return st.one_of(
        st.just("EPSG:4326"),
        st.just(4326),
        st.sampled_from(PROJECTED_CRSS),
        st.sampled_from(INVALID_CRSS),
        st.none(),
    )


# ----------------------------------------------------------------------------- tables


@dataclass
class RelocationTable:
    """A relocations CSV and how to read it."""

    text: str
    crs: Any
    raw_ids: list[str]
    read_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.raw_ids)


#: per-fix corruptions of a coordinate pair (x, y) written as text
_COORD_FAULTS = [
    "nan",
    "1e400",
    "-1e400",
    "blank",
    "text",
    "lat95",
    "lon200",
    "far",
    "swap",
    "inf",
]
_TIME_FAULTS = ["duplicate", "far_past", "far_future", "garbage", "blank", "other_zone"]


def _fmt(v: float) -> str:
    return repr(float(v))


@st.composite
def relocation_tables(
    draw: st.DrawFn,
    *,
    max_animals: int = 3,
    max_fixes: int = 14,
    clean: bool = False,
    allow_bad_ids: bool = True,
    movebank: bool = False,
) -> RelocationTable:
    """A relocations CSV ``id,x,y,date`` with hostile content.

    Parameters
    ----------
    clean : bool
        Only valid ids, projected coordinates in their declared CRS and zoned
        timestamps, with a few per-fix faults (for report runs, which need
        some animals to get through).
    movebank : bool
        Lon/lat fixes under Movebank's column names (a file the CLI reads
        without being told the CRS).
    """
    # one table in four may hold anything (fatal faults: unreadable text, refused
    # ids, invalid CRSs, zone-less times); the others only faults that must be
    # flagged, so that most tables get through to the estimators
    wild = not clean and not movebank and draw(st.integers(0, 3)) == 0
    mode = (
        "lonlat"
        if movebank
        else "projected"
        if clean
        else draw(st.sampled_from(["projected", "projected", "lonlat", "lonlat", "deg_as_m"]))
    )
    bad_crs = wild and draw(st.integers(0, 2)) == 0
    if mode == "projected":
        crs = draw(
            st.sampled_from(
                INVALID_CRSS if bad_crs else PROJECTED_CRSS[:1] if clean else PROJECTED_CRSS
            )
        )
        cx, cy, spread = 500_000.0, 4_800_000.0, 8_000.0
        if crs == "+proj=laea +lat_0=43 +lon_0=131 +datum=WGS84 +units=m":
            cx, cy = 0.0, 0.0
    elif mode == "lonlat":
        crs = draw(st.sampled_from([None, *INVALID_CRSS] if bad_crs else ["EPSG:4326", 4326]))
        cx = 131.2 if movebank else draw(st.sampled_from([131.2, 179.95, -179.95, 0.0, 2.0]))
        cy = 43.1 if movebank else draw(st.sampled_from([43.1, 89.9, -43.0, 0.0]))
        spread = 0.08
    else:  # degree values declared as metres
        crs = draw(st.sampled_from(PROJECTED_CRSS[:2]))
        cx, cy, spread = 131.2, 43.1, 0.08
    tz_style = (
        "Z" if clean else draw(st.sampled_from(["Z", "Z", "offset", "space", "naive", "mixed"]))
    )
    tz = (
        None
        if tz_style != "naive"
        else draw(
            st.sampled_from(
                [None, "Asia/Vladivostok", "UTC"] if wild else ["UTC", "Asia/Vladivostok"]
            )
        )
    )
    animals = draw(
        st.lists(
            ids(hostile=allow_bad_ids and wild),
            min_size=1 if wild else min(2, max_animals),
            max_size=max_animals,
        )
    )
    start = draw(
        st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2030, 1, 1))
    ).replace(tzinfo=UTC)
    fault_p = 0.08 if clean else draw(st.sampled_from([0.0, 0.05, 0.15, 0.3]))
    rows: list[list[str]] = []
    raw_ids: list[str] = []
    for raw in animals:
        few = not clean and draw(st.integers(0, 9)) == 0
        n = draw(st.integers(0, 5) if few else st.integers(6, max_fixes))
        offsets = draw(
            st.lists(
                st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.floats(0.2, 6.0)),
                min_size=n,
                max_size=n,
            )
        )
        t = start
        for dx, dy, step_h in offsets:
            t = t + timedelta(hours=step_h)
            x, y = cx + dx * spread, cy + dy * spread
            xs, ys = _fmt(x), _fmt(y)
            if draw(st.floats(0, 1)) < fault_p:
                faults = _COORD_FAULTS if wild else [f for f in _COORD_FAULTS if f != "text"]
                fault = draw(st.sampled_from(_COORD_FAULTS[:4] if clean else faults))
                xs, ys = {
                    "nan": ("nan", ys),
                    "1e400": ("1e400", ys),
                    "-1e400": (xs, "-1e400"),
                    "blank": ("", ""),
                    "text": ("12,5", ys),
                    "lat95": (xs, "95.0"),
                    "lon200": ("200.0", ys),
                    "far": (_fmt(x + 5e6), ys),
                    "swap": (ys, xs),
                    "inf": ("inf", ys),
                }[fault]
            ts = _timestamp(t, tz_style)
            if draw(st.floats(0, 1)) < fault_p:
                fault = draw(st.sampled_from(_TIME_FAULTS))
                if fault == "duplicate" and rows:
                    ts = rows[-1][3]
                elif fault == "far_past":
                    ts = _timestamp(t.replace(year=1901), tz_style)
                elif fault == "far_future":
                    ts = _timestamp(t.replace(year=2199), tz_style)
                elif fault == "garbage" and wild:
                    ts = "yesterday"
                elif fault == "blank" and wild:
                    ts = ""
                elif fault == "other_zone":
                    ts = t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "-05:00"
            rows.append([raw, xs, ys, ts])
            raw_ids.append(raw)
    order = draw(st.permutations(range(len(rows)))) if rows else []
    rows = [rows[i] for i in order]
    raw_ids = [raw_ids[i] for i in order]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    if movebank:
        writer.writerow(
            ["individual-local-identifier", "location-long", "location-lat", "timestamp"]
        )
    else:
        writer.writerow(["id", "x", "y", "date"])
    writer.writerows(rows)
    kwargs: dict[str, Any] = {"crs": crs}
    if tz is not None:
        kwargs["tz"] = tz
    if movebank:  # what the CLI reads a report input with
        return RelocationTable(buf.getvalue(), crs, raw_ids, {"max_speed_kmh": 20.0})
    if draw(st.booleans()):
        kwargs.update(x="x", y="y", individual="id", timestamp="date")
    if not clean:
        kwargs["invalid_coords"] = draw(st.sampled_from(["flag", "raise"] if wild else ["flag"]))
    else:
        kwargs["invalid_coords"] = "flag"
    kwargs["max_speed_kmh"] = draw(st.sampled_from([None, 20.0]))
    return RelocationTable(buf.getvalue(), crs, raw_ids, kwargs)


def _timestamp(t: datetime, style: str) -> str:
    if style == "Z":
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "offset":
        local = t.astimezone(timezone(timedelta(hours=10)))
        return local.strftime("%Y-%m-%dT%H:%M:%S+10:00")
    if style == "naive":
        return t.strftime("%Y-%m-%dT%H:%M:%S")
    if style == "space":
        return t.strftime("%Y-%m-%d %H:%M:%S+00:00")
    # mixed: some with zone, some without
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if t.hour % 2 else "")


# ----------------------------------------------------------------------------- polygons

POLYGON_KINDS = [
    "valid",
    "bowtie",
    "nan_vertex",
    "inf_vertex",
    "empty",
    "antimeridian",
    "sliver",
    "point_like",
    "hole_outside",
    "multipolygon",
    "none",
]


def _polygon(kind: str, x: float, y: float, r: float) -> Any:
    if kind == "valid":
        return shapely.box(x - r, y - r, x + r, y + r)
    if kind == "bowtie":
        return shapely.Polygon([(x - r, y - r), (x + r, y + r), (x + r, y - r), (x - r, y + r)])
    if kind == "nan_vertex":
        return shapely.Polygon([(x - r, y - r), (x + r, y - r), (math.nan, y + r), (x - r, y + r)])
    if kind == "inf_vertex":
        return shapely.Polygon([(x - r, y - r), (x + r, y - r), (math.inf, y + r), (x - r, y + r)])
    if kind == "empty":
        return shapely.Polygon()
    if kind == "antimeridian":  # lon/lat: a ring from 179.5 to -179.5 (1 degree wide)
        return shapely.Polygon([(179.5, 60), (-179.5, 60), (-179.5, 61), (179.5, 61)])
    if kind == "sliver":
        return shapely.Polygon([(x, y), (x + r, y), (x + 2 * r, y + 1e-12)])
    if kind == "point_like":
        return shapely.Polygon([(x, y), (x, y), (x, y), (x, y)])
    if kind == "hole_outside":
        return shapely.Polygon(
            shapely.box(x - r, y - r, x + r, y + r).exterior.coords,
            [shapely.box(x + 3 * r, y, x + 4 * r, y + r).exterior.coords],
        )
    if kind == "multipolygon":
        return shapely.MultiPolygon(
            [shapely.box(x - r, y - r, x, y), shapely.box(x + r, y + r, x + 2 * r, y + 2 * r)]
        )
    return None


@st.composite
def polygon_tables(draw: st.DrawFn, *, max_rows: int = 4) -> gpd.GeoDataFrame:
    """Range polygons with ``individual`` (and sometimes ``sex``) in a random CRS."""
    crs = draw(st.sampled_from(["EPSG:4326", "EPSG:32652", "EPSG:3857", None]))
    geographic = crs in ("EPSG:4326", None)
    n = draw(st.integers(1, max_rows))
    geoms, names = [], []
    for _ in range(n):
        kind = draw(st.sampled_from(POLYGON_KINDS))
        if geographic:
            x, y, r = (
                draw(st.sampled_from([131.2, 179.9, -179.9])),
                43.0,
                draw(st.sampled_from([0.01, 0.2, 5.0])),
            )
        else:
            x, y = 500_000.0, 4_800_000.0
            r = draw(st.sampled_from([5.0, 2_000.0, 50_000.0]))
        geoms.append(_polygon(kind, x, y, r))
        names.append(draw(ids(hostile=False)))
    table = gpd.GeoDataFrame(
        {"individual": names, "level": 0.95}, geometry=gpd.GeoSeries(geoms), crs=crs
    )
    if draw(st.booleans()):
        table["sex"] = draw(
            st.lists(st.sampled_from(["F", "M", "f", "x", None]), min_size=n, max_size=n)
        )
    return table


def layer_tables() -> st.SearchStrategy[gpd.GeoDataFrame]:
    """A study-area layer: polygons, or an empty layer."""
    return st.one_of(
        polygon_tables(max_rows=3),
        st.just(gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:32652"))),
    )


# ----------------------------------------------------------------------------- configs

REPORT_KEYS = [
    "methods",
    "levels",
    "level",
    "method_options",
    "area_curve",
    "area_curve_replicates",
    "ud_cell_size_m",
    "max_fixes_on_map",
    "max_speed_kmh",
    "title",
    "method",
    "bandwith",
]
METHOD_OPTION_KEYS = ["bandwidth", "grid", "extent", "bandwith", "k", "a", "sig2", "h", "x"]


def toml_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.text(max_size=8),
        st.sampled_from(["kde", "mcp", "locoh", "bbmm", "none", "href", "0.95", "fast"]),
        st.sampled_from([0.5, 0.95, 1.0, 0.0, -5, 200, 1e308]),
    )


def toml_values() -> st.SearchStrategy[Any]:
    return st.recursive(
        toml_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(
                st.sampled_from([*METHOD_OPTION_KEYS, "kde", "mcp"]), inner, max_size=3
            ),
        ),
        max_leaves=6,
    )


def _toml_key(key: str) -> str:
    if key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key):
        return key
    return _toml_string(key)


def _toml_string(text: str) -> str:
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        elif 0xD800 <= ord(c) <= 0xDFFF:
            out.append("?")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    """An inline TOML value (lists and inline tables for nesting)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


@st.composite
def config_texts(draw: st.DrawFn) -> str:
    """TOML text of a report config: known and unknown tables, keys and value types."""
    if draw(st.integers(0, 9)) == 0:  # not TOML at all
        return draw(st.sampled_from(["[report", "levels = ", "\x00", "a = 1\na = 2", "ü = ]"]))
    lines: list[str] = []
    tables = draw(
        st.lists(
            st.sampled_from(
                [
                    "report",
                    "input",
                    "layers",
                    "reprot",
                    "report.method_options.kde",
                    "report.method_options.kdee",
                    "report.method_options.mcp",
                ]
            ),
            unique=True,
            max_size=4,
        )
    )
    for table in tables:
        lines.append(f"[{table}]")
        if table == "input":
            keys = st.sampled_from(["relocations", "ranges", "reference", "relocation"])
        elif table == "layers":
            keys = st.sampled_from(["roads", "land_cover", "bad name", "../x", "park"])
        elif table.startswith("report.method_options"):
            keys = st.sampled_from(METHOD_OPTION_KEYS)
        elif table == "report":
            keys = st.sampled_from(REPORT_KEYS)
        else:
            keys = st.text(min_size=1, max_size=5)
        entries = draw(st.dictionaries(keys, toml_values(), max_size=4))
        if (
            table == "report"
            and "method_options" in entries
            and any(t.startswith("report.method_options") for t in tables)
        ):
            del entries["method_options"]  # TOML forbids defining the table twice
        lines.extend(f"{_toml_key(k)} = {toml_value(v)}" for k, v in entries.items())
    return "\n".join(lines) + "\n"

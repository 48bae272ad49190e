"""Read animal relocations (GPS/VHF fixes, camera-trap detections) into one schema.

Every reader returns a :class:`geopandas.GeoDataFrame` with one row per fix:

=================  ==========================================================
column             content
=================  ==========================================================
``individual``     animal identifier (``str``, see "Individual ids" below)
``timestamp``      instant of the fix, ``datetime64[ns, UTC]``
``sex``            ``'F'``, ``'M'`` or ``'unknown'``
``station``        camera-trap station (``str``; camera-trap data only)
``source``         ``'telemetry'`` or ``'camera_trap'``
``source_row``     1-based number of the record among the data rows of the
                   file (the header line is not counted: ``source_row`` 1 is
                   the first data line; for a DataFrame, its position + 1)
*all other input*  every column of the input, unchanged
``flag_*``         quality flags from :func:`habitat.io.cleaning.flag_relocations`
``flag_reason``    why a row is flagged (``""`` if it is not)
``speed_kmh``      geodesic speed from the previous valid fix (km/h)
``geometry``       points in the **source CRS** (never reprojected); ``None``
                   where a coordinate is missing
=================  ==========================================================

Rows are sorted by ``individual``, then ``timestamp``, then ``source_row``,
with a fresh ``RangeIndex``. Input columns used for ``individual``,
``timestamp`` and ``sex`` stay under their original names when those differ
(e.g. Movebank's ``individual-local-identifier``, or a ``date`` column as text);
an input column already *named* ``individual``, ``timestamp``, ``sex`` or
``station`` and used for it is replaced by the parsed version. Any other input
column that clashes with an output name is renamed ``<name>_original``; input
``flag_*``/``flag_reason``/``speed_kmh`` columns are recomputed.

Individual ids
--------------
One rule, applied here (see :mod:`habitat.core.ids`): an id is the text of the
value exactly as in the file (``str(value)`` for a number in a DataFrame);
``NA``, ``None``, ``nan`` and the like are ids, not missing values (id and
station columns are read as text); surrounding blanks are stripped and the text
put in Unicode NFC form, and raw values that differ only that way (or only in
type, ``1`` and ``"1"``) become one animal with a :class:`DataQualityWarning`
listing them; an empty id, or one holding a control or invisible character
(NUL, line break, zero-width space...), is refused naming the rows. Station
names follow the same rule.

Nothing is dropped: missing coordinates, duplicates and implausible speeds are
flagged (see :mod:`habitat.io.cleaning`), and a :class:`DataQualityWarning`
summarises the flags. Everything that makes the data unusable raises a
:mod:`habitat.core.errors` exception naming the file, rows and individual, and how
to fix it.
"""

from __future__ import annotations

import inspect
import lzma
import os
import re
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from habitat.core.crs import WGS84, describe_crs
from habitat.core.errors import (
    ColumnError,
    CoordinateError,
    CRSError,
    CRSMismatchError,
    DataFileError,
    DataQualityWarning,
    EmptyDataError,
    InputError,
    MissingCRSError,
    MissingDependencyError,
    TimestampError,
    where,
)
from habitat.core.fs import gdal_read_path
from habitat.core.ids import describe_merged_ids, id_text, normalise_ids
from habitat.core.sex import SEX_CODES
from habitat.core.validation import look_like_degrees, require_geometry_type
from habitat.io.cleaning import FLAG_COLUMNS, SpeciesArg, flag_relocations, speed_limit

__all__ = [
    "FORMATS",
    "MOVEBANK_COLUMNS",
    "read_camera_traps",
    "read_relocations",
]

#: Accepted values of ``format=`` (aliases map to these).
FORMATS: tuple[str, ...] = ("movebank", "csv", "gpkg", "geojson", "parquet", "shapefile")
_FORMAT_ALIASES = {
    "movebank": "movebank",
    "csv": "csv",
    "gpkg": "gpkg",
    "geopackage": "gpkg",
    "geojson": "geojson",
    "json": "geojson",
    "parquet": "parquet",
    "geoparquet": "parquet",
    "shapefile": "shapefile",
    "shp": "shapefile",
}
_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "geojson",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".pq": "parquet",
    ".shp": "shapefile",
}
_COMPRESSION = {".gz", ".bz2", ".xz", ".zip", ".zst"}
_COMPRESSION_NAMES = {
    ".gz": "gzip",
    ".bz2": "bzip2",
    ".xz": "xz",
    ".zip": "zip",
    ".zst": "Zstandard",
}
#: The words pandas reads as missing by default (its documented ``na_values``). habitat
#: keeps them as text in id columns, where ``NA`` or ``None`` can be an animal's name.
_NA_WORDS = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)

#: The Movebank columns read_relocations uses (individual, x, y, timestamp).
MOVEBANK_COLUMNS = {
    "individual": "individual-local-identifier",
    "x": "location-long",
    "y": "location-lat",
    "timestamp": "timestamp",
}

_INDIVIDUAL_NAMES = (
    "individual",
    "individual-local-identifier",
    "individual_id",
    "animal",
    "animal_id",
    "animal-id",
    "id",
)
_TIMESTAMP_NAMES = ("timestamp", "datetime", "date_time", "datetimeoriginal", "date", "time")
_XY_NAMES = (
    ("x", "y"),
    ("location-long", "location-lat"),
    ("lon", "lat"),
    ("long", "lat"),
    ("lng", "lat"),
    ("longitude", "latitude"),
    ("easting", "northing"),
)
_SEX_NAMES = ("sex", "animal-sex", "gender")
_STATION_NAMES = (
    "station",
    "station_id",
    "camera",
    "camera_id",
    "trap",
    "trap_id",
    "site",
    "location_id",
)

#: the sex codes every part of habitat reads alike (habitat.core.sex)
_SEX_CODES: dict[str, str] = dict(SEX_CODES)

# a time followed by Z, UTC/GMT or a numeric offset: "...10:00Z", "...10:00:00+10:00"
_TZ_SUFFIX = re.compile(r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)$")

_OWN_COLUMNS = ("individual", "timestamp", "sex", "station", "source", "source_row", "geometry")
_RECOMPUTED = (*FLAG_COLUMNS, "flag_any", "flag_reason", "speed_kmh")
_IO_DIR = os.path.dirname(os.path.abspath(__file__))


# ----------------------------------------------------------------------------- helpers
def _loc(label: str | None, *, rows: Any = None, individuals: Any = None) -> str:
    """Location text: file (or 'the input DataFrame'), rows, individual(s)."""
    text = where(file=label, rows=rows) if label is not None else "in the input DataFrame"
    if label is None and rows is not None:
        text += ", " + where(rows=rows)
    if individuals is not None:
        ids = list(dict.fromkeys(str(i) for i in individuals))
        if len(ids) == 1:
            text += f", individual '{ids[0]}'"
        elif ids:
            shown = ", ".join(f"'{i}'" for i in ids[:5])
            more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
            text += f", individuals {shown}{more}"
    return text


def _norm(name: object) -> str:
    return re.sub(r"[\s\-_.]", "", str(name)).lower()


def _present(columns: Iterable[object]) -> str:
    cols = [str(c) for c in columns]
    shown = ", ".join(repr(c) for c in cols[:30])
    return (shown + (f" and {len(cols) - 30} more" if len(cols) > 30 else "")) or "no columns"


def _find_column(
    columns: Iterable[object],
    given: str | None,
    candidates: Sequence[str],
    *,
    what: str,
    param: str,
    label: str | None,
    required: bool = True,
) -> str | None:
    """Resolve a column given by the caller, or auto-detect it (case-insensitively)."""
    cols = [str(c) for c in columns]
    if given is not None:
        if given not in cols:
            raise ColumnError(
                f"the {what} column {given!r} given as `{param}=` does not exist "
                f"({_loc(label)}); columns present: {_present(cols)}. Pass the exact "
                "(case-sensitive) column name."
            )
        return given
    by_norm: dict[str, list[str]] = {}
    for c in cols:
        by_norm.setdefault(_norm(c), []).append(c)
    for cand in candidates:
        hits = by_norm.get(_norm(cand))
        if hits:
            if len(hits) > 1:
                raise ColumnError(
                    f"several columns could be the {what} column ({_loc(label)}): "
                    f"{', '.join(map(repr, hits))}; name the right one with `{param}=...`."
                )
            return hits[0]
    if required:
        raise ColumnError(
            f"no {what} column found ({_loc(label)}); expected one of "
            f"{', '.join(map(repr, candidates))} (case-insensitive), but the columns present "
            f"are: {_present(cols)}. Name it with `{param}='your_column'`."
        )
    return None


def _find_xy(
    columns: Iterable[object], x: str | None, y: str | None, label: str | None
) -> tuple[str, str]:
    cols = [str(c) for c in columns]
    if (x is None) != (y is None):
        raise ColumnError(
            "give both `x=` and `y=` (the easting/longitude and northing/latitude columns), "
            f"not just one ({_loc(label)})."
        )
    if x is not None and y is not None:
        xc = _find_column(cols, x, (), what="x", param="x", label=label)
        yc = _find_column(cols, y, (), what="y", param="y", label=label)
        return str(xc), str(yc)
    by_norm = {_norm(c): c for c in cols}
    for cx, cy in _XY_NAMES:
        if _norm(cx) in by_norm and _norm(cy) in by_norm:
            return by_norm[_norm(cx)], by_norm[_norm(cy)]
    pairs = ", ".join(f"{a}/{b}" for a, b in _XY_NAMES)
    raise ColumnError(
        f"no coordinate columns found ({_loc(label)}); expected one of the pairs {pairs} "
        f"(case-insensitive), but the columns present are: {_present(cols)}. Name them with "
        "`x='easting_or_longitude_column', y='northing_or_latitude_column'`."
    )


def _parse_crs(crs: Any) -> CRS:
    try:
        return CRS.from_user_input(crs)
    except PyprojCRSError as exc:
        raise CRSError(
            f"crs={crs!r} is not a CRS pyproj understands ({exc}). Pass an EPSG code such as "
            "'EPSG:4326' (longitude/latitude in degrees) or 'EPSG:32652' (UTM 52N metres)."
        ) from exc


def _warn_quality(message: str) -> None:
    """Warn with :class:`DataQualityWarning`, pointing at the first caller outside habitat.io."""
    frame = inspect.currentframe()
    level = 1
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == _IO_DIR:
        frame = frame.f_back
        level += 1
    warnings.warn(message, DataQualityWarning, stacklevel=level)


# ----------------------------------------------------------------------------- loading
def _format_option(format: str | None) -> str | None:
    """The canonical name of ``format=`` (``None``: detect it)."""
    if format is None:
        return None
    key = str(format).lower()
    if key not in _FORMAT_ALIASES:
        raise InputError(
            f"unknown format={format!r}; use one of {', '.join(map(repr, FORMATS))} "
            "(or None to detect it from the file extension)."
        )
    return _FORMAT_ALIASES[key]


def _source_path(source: object) -> Path:
    """``source`` as the path of an existing file."""
    if not isinstance(source, (str, PathLike)):
        raise InputError(
            f"source must be a file path, a pandas DataFrame or a GeoDataFrame, not "
            f"{type(source).__name__}."
        )
    path = Path(source)
    if not path.exists():
        raise DataFileError(
            f"relocation file '{path}' does not exist (current directory: '{Path.cwd()}'). "
            "Check the path and its spelling, or pass an absolute path."
        )
    return path


def _require_file(path: Path, fmt: str, what: str = "relocation file") -> None:
    """Refuse a folder where a file is expected (a GeoParquet dataset may be a folder)."""
    if path.is_dir() and fmt != "parquet":
        raise DataFileError(
            f"{what} '{path}' is a folder, not a file. Pass the path of the file inside it "
            "(e.g. 'folder/fixes.csv')."
        )


def _format_from_extension(path: Path) -> str:
    """The format of ``path`` from its extension (ignoring a compression suffix)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSION and len(suffixes) > 1:
        suffixes = suffixes[:-1]
    ext = suffixes[-1] if suffixes else ""
    if ext not in _EXTENSIONS:
        raise DataFileError(
            f"cannot tell the format of '{path}' from its extension {ext or '(none)'!r}; "
            f"pass format= one of {', '.join(map(repr, FORMATS))}."
        )
    return _EXTENSIONS[ext]


@dataclass(frozen=True)
class _ColumnNames:
    """The column names given to read_relocations (``None``: detect the column)."""

    x: str | None = None
    y: str | None = None
    individual: str | None = None
    timestamp: str | None = None
    sex: str | None = None
    station: str | None = None


def _looks_like_movebank(columns: Iterable[object], names: _ColumnNames) -> bool:
    """Movebank's location-long/location-lat/timestamp columns, and no ``x=``/``y=``."""
    norm = {_norm(c) for c in columns}
    return {"locationlong", "locationlat", "timestamp"} <= norm and (
        names.x is None and names.y is None
    )


def _text_columns(head: list[str], names: _ColumnNames, label: str | None) -> list[str]:
    """Columns to read as text (ids, times, sex, station), so that '007' stays '007'."""
    found = [
        _find_column(head, given, cands, what="", param="", label=label, required=False)
        if given is None or given in head
        else None
        for given, cands in (
            (names.individual, _INDIVIDUAL_NAMES),
            (names.timestamp, _TIMESTAMP_NAMES),
            (names.sex, _SEX_NAMES),
            (names.station, _STATION_NAMES),
        )
    ]
    return [c for c in found if c is not None] + [
        c for c in ("date", "time", "Date", "Time") if c in head
    ]


def _load_csv(
    path: Path, *, fmt: str, detect: bool, names: _ColumnNames
) -> tuple[pd.DataFrame, bool]:
    """A CSV file's table, and whether it is Movebank (given, or detected when ``detect``)."""
    head = [str(c) for c in _read_csv(path, header_only=True).columns]
    movebank = fmt == "movebank" or (detect and _looks_like_movebank(head, names))
    text_cols = _text_columns(head, names, str(path))
    id_cols = _id_columns(head, names, str(path), movebank=movebank)
    table = _read_csv(path, header_only=False, text_cols=text_cols, id_cols=id_cols)
    return table, movebank


def _id_columns(
    head: list[str], names: _ColumnNames, label: str | None, *, movebank: bool
) -> list[str]:
    """The individual and station columns: read with ``NA``, ``None``... kept as text."""
    ind_cands: Sequence[str] = _INDIVIDUAL_NAMES
    if movebank and names.individual is None:
        ind_cands = (MOVEBANK_COLUMNS["individual"], *_INDIVIDUAL_NAMES)
    found = []
    for given, cands in ((names.individual, ind_cands), (names.station, _STATION_NAMES)):
        if given is not None:
            found.append(given if given in head else None)
            continue
        try:
            found.append(_find_column(head, None, cands, what="", param="", label=label))
        except ColumnError:  # missing or ambiguous: reported when the column is used
            found.append(None)
    return [c for c in found if c is not None]


def _load_frame(
    frame: pd.DataFrame, *, fmt: str | None, names: _ColumnNames
) -> tuple[pd.DataFrame, bool]:
    """A copy of an in-memory table, and whether it is Movebank (given, or detected)."""
    table = frame.copy().reset_index(drop=True)
    if fmt == "movebank":
        return table, True
    detect = fmt is None and not isinstance(table, gpd.GeoDataFrame)
    return table, detect and _looks_like_movebank(table.columns, names)


@dataclass(frozen=True)
class _Loaded:
    """The table as read, before any column is interpreted."""

    table: pd.DataFrame  # a GeoDataFrame for spatial files and GeoDataFrame input
    movebank: bool
    label: str | None  # the file, or None for an in-memory table
    rows: np.ndarray  # source_row: 1, 2, ... n


def _load_table(
    source: object, *, format: str | None, layer: str | None, tz: str | None, names: _ColumnNames
) -> _Loaded:
    """Step 1: read the file or copy the DataFrame; refuse it if it has no rows."""
    fmt = _format_option(format)
    label: str | None = None
    if isinstance(source, pd.DataFrame):
        table, movebank = _load_frame(source, fmt=fmt, names=names)
    else:
        path = _source_path(source)
        label = str(path)
        fmt = fmt or _format_from_extension(path)
        _require_file(path, fmt)
        if fmt in ("csv", "movebank"):
            table, movebank = _load_csv(path, fmt=fmt, detect=format is None, names=names)
        else:
            table, movebank = _read_geo(path, fmt, layer), False
    if len(table) == 0:
        if label is not None:
            raise EmptyDataError(
                f"relocation file '{label}' has a header but no data rows; nothing to read. "
                "Check that the export contains the fixes."
            )
        raise EmptyDataError("the input DataFrame holds no rows; there are no fixes to read.")
    if movebank and tz is not None:
        raise TimestampError(
            f"Movebank timestamps are UTC by definition, so tz={tz!r} does not apply "
            f"({_loc(label)}). If this file's times are really local, read it with "
            "format='csv' and tz=..."
        )
    return _Loaded(table, movebank, label, np.arange(1, len(table) + 1, dtype=np.int64))


def _csv_sep(path: Path) -> str:
    return "\t" if ".tsv" in [s.lower() for s in path.suffixes] else ","


def _read_csv(
    path: Path,
    *,
    header_only: bool,
    text_cols: Sequence[str] = (),
    id_cols: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a CSV (or compressed CSV); ``id_cols`` keep ``NA``, ``None``, ``nan``... as text."""
    label = str(path)
    sep = _csv_sep(path)
    try:
        head = pd.read_csv(path, nrows=0, sep=sep)
        if len(head.columns) == 1 and ";" in str(head.columns[0]):
            sep = ";"
            head = pd.read_csv(path, nrows=0, sep=sep)
        if header_only:
            return head
        dtype = {c: "str" for c in (*text_cols, *id_cols)}
        keep = set(id_cols)
        na_values = {c: list(_NA_WORDS) for c in map(str, head.columns) if c not in keep}
        return pd.read_csv(
            path,
            sep=sep,
            dtype=dtype,
            # each column's type from the whole column, not per block of rows: a column
            # mixing numbers and text is text throughout, never half int, half str
            # (and no DtypeWarning)
            low_memory=False,
            skipinitialspace=False,
            keep_default_na=False,
            na_values=na_values,
        )
    except pd.errors.EmptyDataError as exc:
        raise EmptyDataError(
            f"relocation file '{label}' is empty (not even a header line); export the data "
            "again with a header line and one row per fix."
        ) from exc
    except pd.errors.ParserError as exc:
        raise DataFileError(
            f"'{label}' is not a valid CSV file: {str(exc).strip()}. Check the delimiter and "
            "quoting around that line, or re-export it as comma-separated values."
        ) from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(
            f"'{label}' is not a text CSV file (cannot decode byte {exc.start}: {exc.reason}); "
            "is it a spreadsheet or a binary file? Export it as UTF-8 CSV, or pass the right "
            "format=."
        ) from exc
    except ImportError as exc:  # pandas needs zstandard for .zst
        raise MissingDependencyError(f"cannot read the compressed file '{label}': {exc}") from exc
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, lzma.LZMAError) as exc:
        raise DataFileError(_unreadable_csv(path, exc)) from exc


def _unreadable_csv(path: Path, exc: BaseException) -> str:
    """Why a CSV file (maybe compressed) cannot be read, and what to do."""
    suffix = path.suffix.lower()
    if suffix in _COMPRESSION:
        kind = _COMPRESSION_NAMES[suffix]
        return (
            f"cannot read '{path}' as a {kind}-compressed CSV file ({type(exc).__name__}: "
            f"{exc}): its extension says {suffix} but its content is not complete {kind} "
            f"data. Rename it without '{suffix}' if it is plain text, or compress it again."
        )
    return (
        f"cannot read '{path}' as a CSV file ({type(exc).__name__}: {exc}). Check that it "
        "is a complete, readable text file."
    )


def _read_geo(path: Path, fmt: str, layer: str | None) -> pd.DataFrame:
    label = str(path)
    try:
        if fmt == "parquet":
            try:
                return gpd.read_parquet(path)
            except ValueError as exc:
                if "geo" not in str(exc).lower():
                    raise
                return pd.read_parquet(path)  # a plain table with x/y columns
        import pyogrio

        # GDAL drops control characters from paths: reach such a file by its folder
        with gdal_read_path(path) as readable:
            if fmt == "gpkg" and layer is None:
                layers = pyogrio.list_layers(readable)
                if len(layers) > 1:
                    names = ", ".join(repr(str(n)) for n in layers[:, 0])
                    raise DataFileError(
                        f"GeoPackage '{label}' holds several layers ({names}); choose one "
                        "with `layer='name'`."
                    )
            return gpd.read_file(readable, layer=layer)
    except DataFileError:
        raise
    except Exception as exc:  # pyogrio/pyarrow raise many types for unreadable files
        kind = {"gpkg": "GeoPackage", "geojson": "GeoJSON", "parquet": "GeoParquet"}.get(
            fmt, "Shapefile"
        )
        hint = " Is it valid JSON?" if fmt == "geojson" else ""
        raise DataFileError(
            f"cannot read '{label}' as a {kind} file: {exc}.{hint} Check that the file is "
            "complete and of that format, or pass the right format=."
        ) from exc


# ----------------------------------------------------------------------------- parsing
def _parse_coordinates(
    table: pd.DataFrame, xcol: str, ycol: str, rows: np.ndarray, label: str | None
) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for col in (xcol, ycol):
        raw = table[col]
        if pd.api.types.is_numeric_dtype(raw.dtype):
            out.append(raw.to_numpy(dtype=float, na_value=np.nan))
            continue
        num = pd.to_numeric(raw, errors="coerce")
        text = raw.astype("str").str.strip()
        bad = (num.isna() & raw.notna() & (text != "")).to_numpy()
        if bad.any():
            examples = ", ".join(repr(v) for v in text[bad].unique()[:3])
            raise CoordinateError(
                f"coordinate column '{col}' holds values that are not numbers "
                f"({_loc(label, rows=rows[bad])}; e.g. {examples}). Use a dot as the decimal "
                "separator and decimal degrees or metres (not degrees-minutes-seconds); leave "
                "missing coordinates empty."
            )
        out.append(num.to_numpy(dtype=float, na_value=np.nan))
    return out[0], out[1]


def _check_coordinates(
    x: np.ndarray,
    y: np.ndarray,
    crs: CRS,
    *,
    rows: np.ndarray,
    individuals: _Ids,
    label: str | None,
    cols: tuple[str, str] | None,
    invalid_coords: str,
) -> None:
    """Refuse coordinates that cannot be in ``crs`` (or warn when they look like degrees)."""
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return
    if crs.is_geographic:
        _check_degrees(
            x,
            y,
            crs,
            ok=ok,
            rows=rows,
            individuals=individuals,
            label=label,
            cols=cols,
            invalid_coords=invalid_coords,
        )
        return
    if np.isclose(float(crs.axis_info[0].unit_conversion_factor), 1.0) and bool(
        look_like_degrees(x[ok], y[ok], crs).all()
    ):
        _warn_quality(
            f"the coordinates ({_loc(label)}) all lie within ±180/±90 and look like degrees, "
            f"but the CRS is {describe_crs(crs)} in metres; if they are longitude/latitude pass "
            "crs='EPSG:4326'."
        )


def _check_degrees(
    x: np.ndarray,
    y: np.ndarray,
    crs: CRS,
    *,
    ok: np.ndarray,
    rows: np.ndarray,
    individuals: _Ids,
    label: str | None,
    cols: tuple[str, str] | None,
    invalid_coords: str,
) -> None:
    """Refuse metres, swapped axes and (unless flagged) out-of-range degrees (finite ``ok``)."""
    ax, ay = np.abs(x[ok]), np.abs(y[ok])
    crs_txt = describe_crs(crs)
    bad_lat, bad_lon = ay > 90, ax > 180
    bad = bad_lat | bad_lon
    if not bad.any():
        return
    sel = np.flatnonzero(ok)[bad]
    where_txt = _loc(label, rows=rows[sel], individuals=individuals[sel])
    if np.mean(np.maximum(ax, ay) > 1000) > 0.5:
        raise CoordinateError(
            f"coordinates look like projected metres, not degrees, yet the CRS is "
            f"{crs_txt} (x from {x[ok].min():.6g} to {x[ok].max():.6g}, y from "
            f"{y[ok].min():.6g} to {y[ok].max():.6g}; {where_txt}). Declare the CRS the "
            "coordinates were recorded in, e.g. crs='EPSG:32652' for UTM zone 52N "
            "(the Amur leopard range)."
        )
    if bad_lat.mean() > 0.5 and not bad_lon.any() and (ax <= 90).all():
        fix = (
            f"x='{cols[1]}', y='{cols[0]}'"
            if cols
            else "gdf.set_geometry(gpd.points_from_xy(gdf.geometry.y, gdf.geometry.x), crs=gdf.crs)"
        )
        raise CoordinateError(
            f"latitude and longitude look swapped: the latitudes (y) lie outside ±90° but "
            f"the longitudes (x) within ±90° ({where_txt}). Swap them, e.g. {fix}."
        )
    if invalid_coords == "flag":
        return
    raise CoordinateError(
        f"coordinates out of range for {crs_txt} (|latitude| > 90 or |longitude| > 180; "
        f"{where_txt}). Fix or blank those coordinates, or pass invalid_coords='flag' to "
        "read them and flag them in flag_impossible_coords."
    )


def _check_tz(tz: str | None) -> None:
    if tz is None:
        return
    try:
        pd.Timestamp("2000-01-01").tz_localize(tz)
    except Exception as exc:
        raise TimestampError(
            f"unknown time zone tz={tz!r}; use an IANA name such as 'Asia/Vladivostok' or "
            "'UTC', or a fixed offset such as 'Etc/GMT-10' (UTC+10)."
        ) from exc


def _parse_timestamp_text(
    values: pd.Series,
    *,
    col: str,
    timestamp_format: str | None,
    rows: np.ndarray,
    individuals: _Ids,
    label: str | None,
) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """Parse text timestamps: (parsed, which were written without a zone, stripped text)."""
    text = values.astype("str").str.strip()
    missing = (values.isna() | (text == "")).to_numpy()
    if missing.any():
        raise TimestampError(
            f"timestamps are missing in column '{col}' "
            f"({_loc(label, rows=rows[missing], individuals=individuals[missing])}); "
            "every fix needs a time. Fill them in or drop those rows."
        )
    fmt = timestamp_format or "ISO8601"
    try:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        naive = np.full(len(text), parsed.dt.tz is None)
    except ValueError as exc:
        if "mixed" not in str(exc).lower() and "tz" not in str(exc).lower():
            raise TimestampError(
                f"cannot parse timestamps in column '{col}' ({_loc(label)}): {exc}. Pass "
                "timestamp_format= (a strftime pattern such as '%d.%m.%Y %H:%M')."
            ) from exc
        # a mix of offsets (or of naive and offset) values
        parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
        naive = ~text.str.contains(_TZ_SUFFIX).to_numpy()
    bad = parsed.isna().to_numpy()
    if bad.any():
        examples = ", ".join(repr(v) for v in text[bad].unique()[:3])
        raise TimestampError(
            f"cannot parse {int(bad.sum())} timestamp(s) in column '{col}' "
            f"({_loc(label, rows=rows[bad], individuals=individuals[bad])}), e.g. "
            f"{examples}. habitat expects ISO 8601 ('2024-01-01T10:00:00+10:00'); for "
            "other layouts pass timestamp_format= (a strftime pattern, e.g. "
            "timestamp_format='%d.%m.%Y %H:%M'), or clean the column."
        )
    return parsed, naive, text


def _naive_time_zone(
    text: pd.Series,
    naive: np.ndarray,
    *,
    col: str,
    tz: str | None,
    utc_default: bool,
    rows: np.ndarray,
    individuals: _Ids,
    label: str | None,
) -> str:
    """The zone of timestamps written without one: UTC for Movebank, else ``tz``, else refuse."""
    if utc_default:
        return "UTC"
    if tz is not None:
        return tz
    fix_tz = (
        "pass tz= the time zone the clock was set to (e.g. tz='Asia/Vladivostok', or "
        "tz='UTC'), or export the timestamps with an offset (2024-01-01T10:00:00+10:00)"
    )
    examples = ", ".join(repr(str(v)) for v in pd.Series(text)[naive].unique()[:2])
    raise TimestampError(
        f"timestamps in column '{col}' have no time zone "
        f"({_loc(label, rows=rows[naive], individuals=individuals[naive])}; e.g. "
        f"{examples}), and habitat never guesses one: {fix_tz}."
    )


def _localise_naive(
    parsed: pd.Series,
    naive: np.ndarray,
    text: pd.Series,
    *,
    tz: str,
    timestamp_format: str | None,
    rows: np.ndarray,
    individuals: _Ids,
    label: str | None,
) -> pd.Series:
    """``parsed`` with the ``naive`` timestamps read in zone ``tz`` and converted to UTC."""
    if naive.all():
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # utc=True was used
            parsed = parsed.dt.tz_localize(None)
        local = parsed
    else:
        local = pd.to_datetime(text[naive], format=timestamp_format or "ISO8601", errors="coerce")
    try:
        localised = local.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    except Exception as exc:  # pragma: no cover - defensive
        raise TimestampError(f"cannot apply tz={tz!r}: {exc}") from exc
    amb = localised.isna().to_numpy() & local.notna().to_numpy()
    if amb.any():
        sel = np.flatnonzero(naive)[amb] if not naive.all() else np.flatnonzero(amb)
        loc = _loc(label, rows=rows[sel], individuals=individuals[sel])
        raise TimestampError(
            f"timestamps do not exist or are ambiguous in time zone {tz!r} (a "
            f"daylight-saving change; {loc}). Export them in UTC or with an offset."
        )
    localised = localised.dt.tz_convert("UTC")
    if naive.all():
        return localised
    parsed = parsed.copy()
    parsed[naive] = localised
    return parsed


def _parse_timestamps(
    values: pd.Series,
    *,
    col: str,
    tz: str | None,
    utc_default: bool,
    timestamp_format: str | None,
    rows: np.ndarray,
    individuals: _Ids,
    label: str | None,
) -> pd.Series:
    """Parse to datetime64[ns, UTC]; naive values need ``tz`` unless ``utc_default``."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        parsed, naive, text = values.dt.tz_convert("UTC"), np.zeros(len(values), bool), values
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        parsed, naive, text = values, np.ones(len(values), dtype=bool), values
    else:
        parsed, naive, text = _parse_timestamp_text(
            values,
            col=col,
            timestamp_format=timestamp_format,
            rows=rows,
            individuals=individuals,
            label=label,
        )
    if naive.any():
        tz_naive = _naive_time_zone(
            text,
            naive,
            col=col,
            tz=tz,
            utc_default=utc_default,
            rows=rows,
            individuals=individuals,
            label=label,
        )
        parsed = _localise_naive(
            parsed,
            naive,
            text,
            tz=tz_naive,
            timestamp_format=timestamp_format,
            rows=rows,
            individuals=individuals,
            label=label,
        )
    try:
        return parsed.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    except (OverflowError, pd.errors.OutOfBoundsDatetime) as exc:
        raise TimestampError(
            f"timestamps in column '{col}' are outside 1677-2262 ({_loc(label)}): {exc}."
        ) from exc


_SEX_LABELS = ("unknown", "F", "M")  # integer sex codes 0, 1, 2


class _Ids:
    """Individual ids stored as factor codes; indexing returns the ids (for messages)."""

    def __init__(self, codes: np.ndarray, uniques: Any) -> None:
        self.codes = codes
        self.uniques = np.asarray(uniques, dtype=object)

    def __getitem__(self, sel: Any) -> np.ndarray:
        return self.uniques[self.codes[sel]]


def _normalise_sex(
    codes: pd.Series,
    *,
    sex_codes: Mapping[str, str] | None,
    what: str,
    rows: np.ndarray | None,
    individuals: _Ids | None,
    label: str | None,
) -> np.ndarray:
    """Sex codes to integers 0 (unknown), 1 (F), 2 (M); unknown codes raise ColumnError."""
    mapping = dict(_SEX_CODES)
    if sex_codes:
        for k, v in sex_codes.items():
            if v not in _SEX_LABELS:
                raise InputError(
                    f"sex_codes must map to 'F', 'M' or 'unknown', not {v!r} (for {k!r})."
                )
            mapping[str(k).strip().lower()] = v
    fcodes, funiq = pd.factorize(codes.astype("str"), use_na_sentinel=True)
    labels = [mapping.get(str(u).strip().lower()) for u in funiq]  # few distinct codes
    unknown_codes = [str(u) for u, lab in zip(funiq, labels, strict=True) if lab is None]
    if unknown_codes:
        bad_pos = [i for i, lab in enumerate(labels) if lab is None]
        bad = np.isin(fcodes, bad_pos)
        found = ", ".join(repr(v) for v in unknown_codes[:10])
        where_txt = (
            _loc(label, rows=rows[bad], individuals=individuals[bad])
            if rows is not None and individuals is not None
            else _loc(label)
        )
        raise ColumnError(
            f"unknown sex code(s) {found} in {what} ({where_txt}); habitat understands "
            "f/female, m/male and u/unknown (any case). Map the others with sex_codes=, e.g. "
            "sex_codes={'1': 'M', '2': 'F'}."
        )
    ints = np.array([_SEX_LABELS.index(lab) for lab in labels] + [0], dtype=np.int8)
    return ints[fcodes]  # code -1 (missing) picks the trailing 0 (unknown)


def _read_reference(reference: Any, label_data: str | None) -> pd.DataFrame:
    if isinstance(reference, pd.DataFrame):
        ref, ref_label = reference, None
    else:
        path = Path(reference)
        if not path.exists():
            raise DataFileError(
                f"Movebank reference table '{path}' does not exist; pass the path of the "
                "reference-data CSV downloaded with the study (or a DataFrame)."
            )
        ref_label = str(path)
        _require_file(path, "csv", "Movebank reference table")
        ref = _read_csv(path, header_only=False, text_cols=("animal-sex",), id_cols=("animal-id",))
    missing = [c for c in ("animal-id", "animal-sex") if c not in ref.columns]
    if missing:
        src = f"in file '{ref_label}'" if ref_label else "in the reference DataFrame"
        raise ColumnError(
            f"the reference table ({src}) lacks the column(s) {', '.join(map(repr, missing))}; "
            f"it has: {_present(list(ref.columns))}. A Movebank reference table has "
            "'animal-id' (matching 'individual-local-identifier') and 'animal-sex'."
        )
    return ref


def _deployments(reference: Any, label: str | None) -> pd.DataFrame | None:
    """Deployment windows from a Movebank reference table (UTC), if it has them."""
    ref = _read_reference(reference, label)
    if "deploy-on-date" not in ref.columns and "deploy-off-date" not in ref.columns:
        return None
    ref_label = (
        "the reference DataFrame"
        if isinstance(reference, pd.DataFrame)
        else (f"file '{reference}'")
    )
    out = pd.DataFrame({"individual": id_text(ref["animal-id"])})
    for src, dst in (("deploy-on-date", "deploy_on"), ("deploy-off-date", "deploy_off")):
        raw = ref[src] if src in ref.columns else pd.Series([None] * len(ref))
        parsed = pd.to_datetime(raw, utc=True, errors="coerce", format="mixed")
        bad = (
            parsed.isna().to_numpy()
            & raw.notna().to_numpy()
            & (raw.astype("str").str.strip() != "").to_numpy()
        )
        if bad.any():
            rows = np.flatnonzero(bad) + 1
            raise TimestampError(
                f"unparseable '{src}' in {ref_label} (rows {', '.join(map(str, rows[:5]))}, "
                f"e.g. {raw[bad].iloc[0]!r}); Movebank writes 'yyyy-MM-dd HH:mm:ss.SSS' in "
                "UTC. Fix or blank those cells."
            )
        out[dst] = parsed.to_numpy()
        out[dst] = pd.to_datetime(out[dst], utc=True)
    return out


def _sex_from_column(
    table: pd.DataFrame,
    sex_col: str,
    *,
    sex_codes: Mapping[str, str] | None,
    ids: _Ids,
    rows: np.ndarray,
    label: str | None,
) -> np.ndarray:
    """Sex code per individual (0 unknown, 1 F, 2 M) from a column; both sexes are refused."""
    k = len(ids.uniques)
    row_sex = _normalise_sex(
        table[sex_col],
        sex_codes=sex_codes,
        what=f"column '{sex_col}'",
        rows=rows,
        individuals=ids,
        label=label,
    )
    has_f = np.bincount(ids.codes, weights=row_sex == 1, minlength=k) > 0
    has_m = np.bincount(ids.codes, weights=row_sex == 2, minlength=k) > 0
    if (has_f & has_m).any():
        sel = (has_f & has_m)[ids.codes] & (row_sex > 0)
        raise ColumnError(
            f"individual(s) recorded with both sexes in column '{sex_col}' "
            f"({_loc(label, rows=rows[sel], individuals=ids[sel])}); an individual has "
            "one sex. Correct the column."
        )
    # rows with an unknown code take the individual's known sex
    return np.where(has_f, 1, np.where(has_m, 2, 0)).astype(np.int8)


def _sex_from_reference(
    ind_sex: np.ndarray,
    reference: Any,
    *,
    sex_codes: Mapping[str, str] | None,
    ids: _Ids,
    label: str | None,
) -> np.ndarray:
    """``ind_sex`` completed from a Movebank reference table (the data win, with a warning)."""
    ref = _read_reference(reference, label)
    ref_ids = id_text(ref["animal-id"]).to_numpy(dtype=object)
    ref_sex = _normalise_sex(
        ref["animal-sex"],
        sex_codes=sex_codes,
        what="the reference table's 'animal-sex'",
        rows=None,
        individuals=None,
        label=None if isinstance(reference, pd.DataFrame) else str(reference),
    )
    lookup: dict[str, int] = {}
    for rid, rs in zip(ref_ids, ref_sex, strict=True):  # one row per deployment
        if rs > 0:
            lookup.setdefault(rid, int(rs))
    from_ref = np.array([lookup.get(i, 0) for i in ids.uniques], dtype=np.int8)
    differ = (ind_sex > 0) & (from_ref > 0) & (ind_sex != from_ref)
    if differ.any():
        names = ", ".join(repr(str(i)) for i in ids.uniques[differ][:5])
        _warn_quality(
            f"the sex in the data and in the reference table differ for individual(s) "
            f"{names} ({_loc(label)}); the data's value is kept."
        )
    return np.where(ind_sex > 0, ind_sex, from_ref)


def _resolve_sex(
    table: pd.DataFrame,
    sex_col: str | None,
    reference: Any,
    sex_codes: Mapping[str, str] | None,
    ids: _Ids,
    rows: np.ndarray,
    label: str | None,
) -> pd.api.extensions.ExtensionArray:
    """One sex per individual ('F', 'M', 'unknown'), from the data and/or a reference table."""
    ind_sex = np.zeros(len(ids.uniques), dtype=np.int8)
    if sex_col is not None:
        ind_sex = _sex_from_column(
            table, sex_col, sex_codes=sex_codes, ids=ids, rows=rows, label=label
        )
    if reference is not None:
        ind_sex = _sex_from_reference(ind_sex, reference, sex_codes=sex_codes, ids=ids, label=label)
    return pd.array(list(_SEX_LABELS), dtype="str").take(ind_sex[ids.codes].astype(np.intp))


def _require_movebank(
    columns: Iterable[object],
    x: str | None,
    y: str | None,
    individual: str | None,
    timestamp: str | None,
    label: str | None,
) -> None:
    cols = [str(c) for c in columns]
    wanted = [
        individual or MOVEBANK_COLUMNS["individual"],
        x or MOVEBANK_COLUMNS["x"],
        y or MOVEBANK_COLUMNS["y"],
        timestamp or MOVEBANK_COLUMNS["timestamp"],
    ]
    missing = [c for c in wanted if c not in cols]
    if missing:
        raise ColumnError(
            f"a Movebank file needs the columns {', '.join(map(repr, wanted))}, but "
            f"{', '.join(map(repr, missing))} {'is' if len(missing) == 1 else 'are'} missing "
            f"({_loc(label)}); columns present: {_present(cols)}. Name the columns with "
            "individual=, x=, y=, timestamp=, or read a non-Movebank file with format='csv'."
        )


# ----------------------------------------------------------------------------- steps
@dataclass(frozen=True)
class _Located:
    """Where each fix is: coordinates, point geometries and their CRS."""

    table: pd.DataFrame  # the attribute table (without a geometry column)
    geoms: np.ndarray  # shapely points; None where a coordinate is missing
    xs: np.ndarray
    ys: np.ndarray
    crs: CRS
    xy_columns: tuple[str, str] | None  # the coordinate columns, for a table


def _locate_geometries(gdf: gpd.GeoDataFrame, loaded: _Loaded, *, crs: Any) -> _Located:
    """Step 2 for spatial data: points and the CRS stored with them (``crs=`` must agree)."""
    label = loaded.label
    geoms_s = gpd.GeoSeries(gdf.geometry.to_numpy(), index=loaded.rows)
    require_geometry_type(geoms_s, ("Point",), name="relocations", source=label, allow_empty=True)
    file_crs = gdf.crs
    if file_crs is None and crs is None:
        raise MissingCRSError(
            f"relocations ({_loc(label)}) have no coordinate reference system, and habitat "
            "never guesses one. Pass crs=..., e.g. crs='EPSG:4326' for longitude/latitude "
            "or crs='EPSG:32652' for UTM 52N metres (or `gdf.set_crs(...)` first)."
        )
    if file_crs is not None and crs is not None and not _parse_crs(crs).equals(file_crs):
        raise CRSMismatchError(
            f"crs={crs!r} differs from the CRS stored with the data ({describe_crs(file_crs)}"
            f"; {_loc(label)}). habitat does not reproject on reading: omit crs=, or "
            "reproject the data first."
        )
    the_crs = CRS.from_user_input(file_crs) if file_crs is not None else _parse_crs(crs)
    geoms = geoms_s.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    xs = np.full(len(geoms), np.nan)
    ys = np.full(len(geoms), np.nan)
    xs[~empty] = shapely.get_x(geoms[~empty])
    ys[~empty] = shapely.get_y(geoms[~empty])
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    return _Located(table, geoms, xs, ys, the_crs, None)


def _movebank_xy(
    columns: Iterable[object], *, crs: Any, names: _ColumnNames, label: str | None
) -> tuple[str, str]:
    """Movebank's coordinate columns; ``crs=``, if given, must be WGS 84."""
    _require_movebank(columns, names.x, names.y, names.individual, names.timestamp, label)
    if crs is not None and not _parse_crs(crs).equals(WGS84):
        raise CRSError(
            f"Movebank locations are longitude/latitude on WGS 84 by definition, so "
            f"crs={crs!r} does not apply ({_loc(label)}); omit crs=, or read the file "
            "with format='csv' if its coordinates are something else."
        )
    return names.x or MOVEBANK_COLUMNS["x"], names.y or MOVEBANK_COLUMNS["y"]


def _declared_crs(
    crs: Any, xs: np.ndarray, ys: np.ndarray, *, cols: tuple[str, str], label: str | None
) -> CRS:
    """``crs=`` parsed; refused when missing, with a hint from the coordinates' range."""
    if crs is not None:
        return _parse_crs(crs)
    finite = np.isfinite(xs) & np.isfinite(ys)
    looks_deg = finite.any() and bool(
        (np.abs(xs[finite]) <= 180).all() and (np.abs(ys[finite]) <= 90).all()
    )
    guess = (
        "they look like degrees, so probably crs='EPSG:4326'"
        if looks_deg
        else "they look like metres, e.g. crs='EPSG:32652' for UTM 52N (the Amur leopard range)"
    )
    raise MissingCRSError(
        f"no CRS given for the coordinates in columns '{cols[0]}'/'{cols[1]}' "
        f"({_loc(label)}); a CSV or DataFrame does not record one and habitat never "
        f"guesses. Pass crs=...: {guess}."
    )


def _locate_columns(loaded: _Loaded, *, crs: Any, names: _ColumnNames) -> _Located:
    """Step 2 for tables: points from the coordinate columns, in the declared CRS."""
    table, label = loaded.table, loaded.label
    if loaded.movebank:
        cols = _movebank_xy(table.columns, crs=crs, names=names, label=label)
    else:
        cols = _find_xy(table.columns, names.x, names.y, label)
    xs, ys = _parse_coordinates(table, cols[0], cols[1], loaded.rows, label)
    the_crs = WGS84 if loaded.movebank else _declared_crs(crs, xs, ys, cols=cols, label=label)
    missing_xy = np.isnan(xs) | np.isnan(ys)
    geoms = shapely.points(np.where(missing_xy, 0.0, xs), np.where(missing_xy, 0.0, ys))
    geoms[missing_xy] = None
    return _Located(table, geoms, xs, ys, the_crs, cols)


def _locate_fixes(loaded: _Loaded, *, crs: Any, names: _ColumnNames) -> _Located:
    """Step 2: build the point geometries and find their CRS (never guessed)."""
    table = loaded.table
    if isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table.columns:
        return _locate_geometries(table, loaded, crs=crs)
    return _locate_columns(loaded, crs=crs, names=names)


@dataclass(frozen=True)
class _Fields:
    """The parsed individual, timestamp, sex and station of each fix, and their columns."""

    individual_column: str
    individuals: pd.Series  # the ids as stripped text
    ids: _Ids
    timestamp_column: str
    timestamps: pd.Series  # datetime64[ns, UTC]
    sex_column: str | None
    sexes: pd.api.extensions.ExtensionArray
    station_column: str | None
    stations: pd.api.extensions.ExtensionArray | None

    def used(self) -> dict[str, str | None]:
        """Output column -> the input column it was parsed from."""
        return {
            "individual": self.individual_column,
            "timestamp": self.timestamp_column,
            "sex": self.sex_column,
            "station": self.station_column,
        }


def _individual_ids(
    table: pd.DataFrame, given: str | None, *, loaded: _Loaded
) -> tuple[str, pd.Series, _Ids]:
    """The individual column, its ids as text (none may be missing), and their codes."""
    cands: Sequence[str] = _INDIVIDUAL_NAMES
    if loaded.movebank and given is None:
        cands = (MOVEBANK_COLUMNS["individual"], *_INDIVIDUAL_NAMES)
    col = str(
        _find_column(
            table.columns, given, cands, what="individual", param="individual", label=loaded.label
        )
    )
    text = _checked_ids(
        table[col], col=col, what="individual id", param="individual", loaded=loaded
    )
    return col, text, _Ids(*pd.factorize(text))


def _checked_ids(
    values: pd.Series, *, col: str, what: str, param: str, loaded: _Loaded
) -> pd.Series:
    """Ids under the rule of :mod:`habitat.core.ids`; warn when different raw ids merged."""
    ids = normalise_ids(
        values, column=col, what=what, source=loaded.label, rows=loaded.rows, param=param
    )
    if ids.merged:
        _warn_quality(
            f"{what}s in column '{col}' that differ only in surrounding blanks, Unicode form "
            f"or type were merged into one ({_loc(loaded.label)}): "
            f"{describe_merged_ids(ids.merged)}. If they are different animals, give them "
            "different ids."
        )
    return ids.text


def _timestamp_values(
    table: pd.DataFrame, given: str | None, *, label: str | None
) -> tuple[str, pd.Series]:
    """The timestamp column (or ``date+time`` for separate columns) and its raw values."""
    col = str(
        _find_column(
            table.columns, given, _TIMESTAMP_NAMES, what="timestamp", param="timestamp", label=label
        )
    )
    if given is None and _norm(col) == "date":
        time_col = _find_column(
            table.columns,
            None,
            ("time",),
            what="time",
            param="timestamp",
            label=label,
            required=False,
        )
        if time_col is not None:  # separate date and time columns
            values = table[col].astype("str") + " " + table[time_col].astype("str")
            return f"{col}+{time_col}", values
    return col, table[col]


def _stations(
    table: pd.DataFrame, given: str | None, *, loaded: _Loaded
) -> tuple[str, pd.api.extensions.ExtensionArray]:
    """The camera-trap station column and its values as text (none may be missing)."""
    col = str(
        _find_column(
            table.columns,
            given,
            _STATION_NAMES,
            what="camera-trap station",
            param="station",
            label=loaded.label,
        )
    )
    text = _checked_ids(table[col], col=col, what="station", param="station", loaded=loaded)
    return col, text.array


def _parse_fields(
    loaded: _Loaded,
    located: _Located,
    *,
    names: _ColumnNames,
    kind: str,
    tz: str | None,
    timestamp_format: str | None,
    sex_codes: Mapping[str, str] | None,
    reference: Any,
    invalid_coords: str,
) -> _Fields:
    """Step 3: find and check the columns; parse ids, coordinates' range, times, sex, station."""
    table, rows, label = located.table, loaded.rows, loaded.label
    ind_col, ind_text, ids = _individual_ids(table, names.individual, loaded=loaded)
    _check_coordinates(
        located.xs,
        located.ys,
        located.crs,
        rows=rows,
        individuals=ids,
        label=label,
        cols=located.xy_columns,
        invalid_coords=invalid_coords,
    )
    ts_col, ts_values = _timestamp_values(table, names.timestamp, label=label)
    stamps = _parse_timestamps(
        ts_values,
        col=ts_col,
        tz=tz,
        utc_default=loaded.movebank,
        timestamp_format=timestamp_format,
        rows=rows,
        individuals=ids,
        label=label,
    )
    sex_col = _find_column(
        table.columns, names.sex, _SEX_NAMES, what="sex", param="sex", label=label, required=False
    )
    sexes = _resolve_sex(table, sex_col, reference, sex_codes, ids, rows, label)
    st_col, stations = (
        _stations(table, names.station, loaded=loaded) if kind == "camera_trap" else (None, None)
    )
    return _Fields(ind_col, ind_text, ids, ts_col, stamps, sex_col, sexes, st_col, stations)


def _input_columns(table: pd.DataFrame, used: Mapping[str, str | None]) -> pd.DataFrame:
    """The input columns to keep, with clashing names renamed.

    Recomputed columns and those parsed in place are dropped; others named like
    an output column are renamed ``<name>_original``.
    """
    rename: dict[str, str] = {}
    drop: list[str] = []
    for c in map(str, table.columns):
        if c in _RECOMPUTED:
            drop.append(c)
        elif c in _OWN_COLUMNS:
            if used.get(c) == c:
                drop.append(c)
            else:
                rename[c] = f"{c}_original"
    return table.drop(columns=drop).rename(columns=rename)


def _fix_order(fields: _Fields, rows: np.ndarray) -> np.ndarray:
    """Positions sorting by individual (alphabetically), timestamp, then file order."""
    ids = fields.ids
    rank = np.empty(len(ids.uniques), dtype=np.int64)
    rank[np.argsort(ids.uniques.astype(str), kind="stable")] = np.arange(len(rank))
    t_ns = fields.timestamps.dt.tz_localize(None).to_numpy().view("int64")
    return np.lexsort((rows, t_ns, rank[ids.codes]))


def _assemble(
    loaded: _Loaded, located: _Located, fields: _Fields, *, kind: str
) -> gpd.GeoDataFrame:
    """Step 4: the output columns in front of the kept input columns, sorted by track."""
    n = len(loaded.rows)
    front: dict[str, Any] = {
        "individual": fields.individuals.array,
        "timestamp": fields.timestamps.array,
        "sex": fields.sexes,
    }
    if fields.stations is not None:
        front["station"] = fields.stations
    front["source"] = pd.array([kind], dtype="str").take(np.zeros(n, dtype=np.intp))
    front["source_row"] = loaded.rows
    rest = _input_columns(located.table, fields.used())
    df = pd.concat([pd.DataFrame(front), rest.reset_index(drop=True)], axis=1)
    order = _fix_order(fields, loaded.rows)
    df = df.take(order).reset_index(drop=True)
    geometry = gpd.GeoSeries(located.geoms[order], crs=located.crs)
    return gpd.GeoDataFrame(df, geometry=geometry, crs=located.crs)


def _flag_fixes(
    fixes: gpd.GeoDataFrame,
    *,
    reference: Any,
    max_speed_kmh: float | None,
    label: str | None,
    species: SpeciesArg = None,
) -> gpd.GeoDataFrame:
    """Step 5: flag the fixes (with the deployments of a reference table) and warn if any."""
    deployments = None if reference is None else _deployments(reference, label)
    out = flag_relocations(
        fixes, max_speed_kmh=max_speed_kmh, deployments=deployments, species=species
    )
    flagged = int(out["flag_any"].sum())
    if flagged:
        counts = ", ".join(
            f"{int(out[c].sum())} {c.removeprefix('flag_').replace('_', ' ')}"
            for c in FLAG_COLUMNS
            if out[c].any()
        )
        _warn_quality(
            f"{flagged} of {len(out)} fixes flagged ({counts}; {_loc(label)}); they stay in "
            "the table (flag_any, flag_reason) and home ranges, overlaps and reports leave "
            "them out (exclude_flagged=False uses them)."
        )
    return out[[c for c in out.columns if c != "geometry"] + ["geometry"]]


# ----------------------------------------------------------------------------- public
def _check_options(*, kind: str, invalid_coords: str, tz: str | None) -> None:
    """Refuse unknown ``kind=``, ``invalid_coords=`` and time zones before reading anything."""
    if kind not in ("telemetry", "camera_trap"):
        raise InputError(f"kind must be 'telemetry' or 'camera_trap', not {kind!r}.")
    if invalid_coords not in ("raise", "flag"):
        raise InputError(f"invalid_coords must be 'raise' or 'flag', not {invalid_coords!r}.")
    _check_tz(tz)


def read_relocations(
    source: str | PathLike[str] | pd.DataFrame,
    *,
    format: str | None = None,
    kind: Literal["telemetry", "camera_trap"] = "telemetry",
    crs: Any | None = None,
    x: str | None = None,
    y: str | None = None,
    individual: str | None = None,
    timestamp: str | None = None,
    timestamp_format: str | None = None,
    tz: str | None = None,
    sex: str | None = None,
    sex_codes: Mapping[str, str] | None = None,
    reference: str | PathLike[str] | pd.DataFrame | None = None,
    station: str | None = None,
    layer: str | None = None,
    invalid_coords: Literal["raise", "flag"] = "raise",
    max_speed_kmh: float | None = None,
    species: SpeciesArg = None,
) -> gpd.GeoDataFrame:
    """Read relocations (fixes) of tracked animals into habitat's standard schema.

    Parameters
    ----------
    source : path or pandas.DataFrame or geopandas.GeoDataFrame
        A file (Movebank CSV, generic CSV/TSV, GeoPackage, GeoParquet, GeoJSON,
        Shapefile; ``.gz``/``.zip`` compressed CSVs too), a DataFrame with
        coordinate columns, or a GeoDataFrame of points.
    format : {"movebank", "csv", "gpkg", "geojson", "parquet", "shapefile"}, optional
        File format (aliases: ``geopackage``, ``geoparquet``, ``json``, ``shp``).
        By default it is taken from the extension, and a CSV whose columns
        include ``location-long``, ``location-lat`` and ``timestamp`` is read
        as Movebank. **Movebank** data are longitude/latitude on WGS 84
        (EPSG:4326) and their ``timestamp`` is **UTC by definition**, so naive
        Movebank timestamps such as ``2024-01-01 00:00:00.000`` are read as UTC
        and ``tz=`` is refused; use ``format="csv"`` for a non-conforming file.
        Ignored for DataFrame input.
    kind : {"telemetry", "camera_trap"}
        ``"camera_trap"`` reads detections: a ``station`` column is required
        and ``source`` is ``"camera_trap"`` (see :func:`read_camera_traps`).
    crs : CRS-like, optional
        The CRS of the coordinates (``"EPSG:4326"``, ``"EPSG:32652"``...).
        Required for generic CSVs and DataFrames (habitat never guesses one);
        for files and GeoDataFrames with a CRS it must match it or be omitted;
        for Movebank it defaults to EPSG:4326. Coordinates are never reprojected.
    x, y : str, optional
        Coordinate columns (easting/longitude, northing/latitude). Detected
        by default from the pairs x/y, location-long/location-lat, lon/lat,
        long/lat, lng/lat, longitude/latitude, easting/northing (any case).
        Not used for spatial files, which carry geometries.
    individual : str, optional
        Column identifying the animal; detected from ``individual``,
        ``individual-local-identifier``, ``individual_id``, ``animal``,
        ``animal_id``, ``animal-id``, ``id``. Ids are the text in the file
        (``NA`` or ``None`` included) without surrounding blanks; ids that
        differ only in blanks, Unicode form or type merge with a warning;
        empty ids and ids with control or invisible characters are refused
        (see "Individual ids" in :mod:`habitat.io.relocations`).
    timestamp : str, optional
        Column with the time of each fix; detected from ``timestamp``,
        ``datetime``, ``date_time``, ``DateTimeOriginal``, ``date``, ``time``.
    timestamp_format : str, optional
        A :func:`~datetime.datetime.strptime` pattern (``"%d.%m.%Y %H:%M"``)
        for non-ISO-8601 timestamps. By default ISO 8601 is required, so that
        day and month are never guessed.
    tz : str, optional
        IANA time zone (``"Asia/Vladivostok"``, ``"UTC"``) of timestamps written
        without an offset. Without it such timestamps are refused (except in
        Movebank files). Timestamps with an offset or ``Z`` keep it. All
        timestamps are returned in UTC.
    sex : str, optional
        Column with the animal's sex; detected from ``sex``, ``animal-sex``,
        ``gender``. Codes f/female, m/male, u/unknown/empty (any case) are
        understood; other codes raise :class:`ColumnError` unless mapped with
        ``sex_codes``. An individual's rows with an unknown code take its
        known sex; an individual with both sexes is refused.
    sex_codes : mapping, optional
        Extra codes, e.g. ``{"1": "M", "2": "F"}``; values must be ``"F"``,
        ``"M"`` or ``"unknown"``.
    reference : path or pandas.DataFrame, optional
        A Movebank reference table with ``animal-id`` and ``animal-sex``; it
        supplies the sex of individuals whose sex the data do not give (the
        data win on disagreement, with a :class:`DataQualityWarning`).
        Individuals in neither get ``'unknown'``.
    station : str, optional
        Camera-trap station column (``kind="camera_trap"``); detected from
        ``station``, ``station_id``, ``camera``, ``camera_id``, ``trap``,
        ``trap_id``, ``site``, ``location_id``.
    layer : str, optional
        Layer of a multi-layer GeoPackage.
    invalid_coords : {"raise", "flag"}
        What to do with longitudes/latitudes outside ±180°/±90° in a
        geographic CRS: raise :class:`CoordinateError` (default) or keep them
        with ``flag_impossible_coords``. Files whose coordinates are all
        metres, or whose latitude and longitude are swapped, always raise.
    max_speed_kmh : float, optional
        Speed limit (km/h) for ``flag_speed``, passed to
        :func:`habitat.io.cleaning.flag_relocations` (spike rule). ``None`` (the
        default) takes the limit of ``species``, else flags no speeds, since
        the limit depends on species and fix interval;
        :data:`habitat.io.cleaning.LEOPARD_MAX_SPEED_KMH` (20 km/h) is a
        suggestion for Amur leopards.
    species : SpeciesProfile, str, path, mapping or None
        A species profile whose ``max_speed_kmh`` is the speed limit when
        ``max_speed_kmh`` is not given (a bundled name such as
        ``"amur_leopard"``, a TOML file or a mapping; see
        :func:`habitat.io.cleaning.speed_limit`). Giving both with different
        limits is an error. ``None`` (default): no profile.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in the source CRS with ``individual``, ``timestamp`` (UTC),
        ``sex``, ``source``, ``source_row``, the input columns, and the flag
        columns; sorted by individual and time (see :mod:`habitat.io.relocations`).

    Raises
    ------
    DataFileError
        Missing file, a folder instead of a file, unknown extension, unreadable
        or invalid file (also a ``.gz``/``.bz2``/``.xz``/``.zip`` file whose
        content is not compressed that way, or is truncated).
    EmptyDataError
        Empty file, header only, or an empty layer.
    ColumnError
        Missing or ambiguous columns, missing individual ids or ids with control
        or invisible characters, unknown sex codes.
    MissingCRSError
        No CRS declared for coordinates.
    CRSMismatchError
        ``crs=`` differs from the CRS stored in the file.
    CoordinateError
        Non-numeric, out-of-range, swapped, or metre coordinates in degrees.
    TimestampError
        Missing, unparseable, or zone-less timestamps (without ``tz=``).
    GeometryTypeError
        Non-point geometries.

    Warns
    -----
    DataQualityWarning
        When rows are flagged, with the counts per flag; when different raw ids
        merged into one (listing them).

    Examples
    --------
    The bundled demo file is a Movebank CSV (longitude/latitude, UTC); its
    reference table gives each leopard's sex. The planted problems are flagged,
    not dropped:

    >>> import warnings
    >>> from habitat.datasets import data_path
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     fixes = read_relocations(
    ...         data_path("relocations", "demo_leopards.csv"),
    ...         reference=data_path("relocations", "demo_leopards_reference.csv"),
    ...         max_speed_kmh=20,
    ...     )
    >>> print(caught[0].message)
    14 of 23659 fixes flagged (3 missing coords, 5 duplicate, 1 not visible, \
2 outside deployment, 3 speed; in file '...demo_leopards.csv'); they stay in the table ...
    >>> fixes.crs.to_epsg(), len(fixes), fixes["individual"].nunique()
    (4326, 23659, 12)
    >>> fixes[["individual", "sex", "timestamp", "source_row"]].head(2)
      individual sex                 timestamp  source_row
    0     Leo 1F   F 2025-01-01 00:00:00+00:00           1
    1     Leo 1F   F 2025-01-01 04:00:00+00:00           2

    A generic table needs its CRS, and local times their zone (here UTC+10):

    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "animal_id": ["Leo 9M", "Leo 9M"],
    ...     "easting": [650_000.0, 651_000.0],
    ...     "northing": [4_750_000.0, 4_750_000.0],
    ...     "date_time": ["2024-05-01 08:00", "2024-05-01 12:00"],
    ... })
    >>> collar = read_relocations(table, crs="EPSG:32652", tz="Asia/Vladivostok")
    >>> collar[["individual", "timestamp", "sex", "speed_kmh"]]
      individual                 timestamp      sex  speed_kmh
    0     Leo 9M 2024-04-30 22:00:00+00:00  unknown        NaN
    1     Leo 9M 2024-05-01 02:00:00+00:00  unknown       0.25
    """
    _check_options(kind=kind, invalid_coords=invalid_coords, tz=tz)
    max_speed_kmh, profile = speed_limit(max_speed_kmh, species)  # before reading anything
    names = _ColumnNames(x, y, individual, timestamp, sex, station)
    loaded = _load_table(source, format=format, layer=layer, tz=tz, names=names)
    located = _locate_fixes(loaded, crs=crs, names=names)
    fields = _parse_fields(
        loaded,
        located,
        names=names,
        kind=kind,
        tz=tz,
        timestamp_format=timestamp_format,
        sex_codes=sex_codes,
        reference=reference,
        invalid_coords=invalid_coords,
    )
    fixes = _assemble(loaded, located, fields, kind=kind)
    return _flag_fixes(
        fixes,
        reference=reference,
        max_speed_kmh=max_speed_kmh,
        label=loaded.label,
        species=profile,
    )


def read_camera_traps(
    source: str | PathLike[str] | pd.DataFrame,
    *,
    station: str | None = None,
    format: str | None = None,
    crs: Any | None = None,
    x: str | None = None,
    y: str | None = None,
    individual: str | None = None,
    timestamp: str | None = None,
    timestamp_format: str | None = None,
    tz: str | None = None,
    sex: str | None = None,
    sex_codes: Mapping[str, str] | None = None,
    reference: str | PathLike[str] | pd.DataFrame | None = None,
    layer: str | None = None,
    invalid_coords: Literal["raise", "flag"] = "raise",
    max_speed_kmh: float | None = None,
    species: SpeciesArg = None,
) -> gpd.GeoDataFrame:
    """Read camera-trap detections of identified individuals as relocations.

    One row per detection, with the station, its coordinates, the time and the
    identified individual (e.g. a camtrapR record table joined with its
    station coordinates). Equivalent to
    ``read_relocations(source, kind="camera_trap", station=station, ...)``.

    Parameters
    ----------
    source : path or pandas.DataFrame or geopandas.GeoDataFrame
        The detection table.
    station : str, optional
        Station column; detected from ``station``, ``station_id``, ``camera``,
        ``camera_id``, ``trap``, ``trap_id``, ``site``, ``location_id`` (any case).
    format, crs, x, y, individual, timestamp, timestamp_format, tz : optional
        As in :func:`read_relocations`.
    sex, sex_codes, reference, layer, invalid_coords, max_speed_kmh, species : optional
        As in :func:`read_relocations`. Camera clocks usually run on local
        time, so ``tz=`` is normally needed (e.g. ``tz="Asia/Vladivostok"``).
        Detections of the same individual at the same time (photo bursts) are
        flagged as duplicates.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`read_relocations`, plus a ``station`` column (str) and
        ``source == "camera_trap"``.

    Examples
    --------
    Three detections with camera-clock times in Vladivostok time (UTC+10); the
    second is a burst of the first:

    >>> import warnings
    >>> import pandas as pd
    >>> detections = pd.DataFrame({
    ...     "station": ["KP-01", "KP-01", "KP-07"],
    ...     "lon": [131.10, 131.10, 131.16],
    ...     "lat": [43.10, 43.10, 43.13],
    ...     "individual": ["Leo 5M", "Leo 5M", "Leo 1F"],
    ...     "DateTimeOriginal": ["2024-03-01 21:14:05", "2024-03-01 21:14:05",
    ...                          "2024-03-02 06:30:00"],
    ... })
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # the DataQualityWarning about the burst
    ...     traps = read_camera_traps(detections, crs="EPSG:4326", tz="Asia/Vladivostok")
    >>> traps[["individual", "station", "timestamp", "source"]]
      individual station                 timestamp       source
    0     Leo 1F   KP-07 2024-03-01 20:30:00+00:00  camera_trap
    1     Leo 5M   KP-01 2024-03-01 11:14:05+00:00  camera_trap
    2     Leo 5M   KP-01 2024-03-01 11:14:05+00:00  camera_trap
    >>> traps["flag_reason"].tolist()
    ['', '', 'duplicate of row 1 (same individual and timestamp)']
    """
    return read_relocations(
        source,
        format=format,
        kind="camera_trap",
        crs=crs,
        x=x,
        y=y,
        individual=individual,
        timestamp=timestamp,
        timestamp_format=timestamp_format,
        tz=tz,
        sex=sex,
        sex_codes=sex_codes,
        reference=reference,
        station=station,
        layer=layer,
        invalid_coords=invalid_coords,
        max_speed_kmh=max_speed_kmh,
        species=species,
    )

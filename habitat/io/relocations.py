"""Read animal relocations (GPS/VHF fixes, camera-trap detections) into one schema.

Every reader returns a :class:`geopandas.GeoDataFrame` with one row per fix:

=================  ==========================================================
column             content
=================  ==========================================================
``individual``     animal identifier (``str``, surrounding blanks stripped)
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

Nothing is dropped: missing coordinates, duplicates and implausible speeds are
flagged (see :mod:`habitat.io.cleaning`), and a :class:`DataQualityWarning`
summarises the flags. Everything that makes the data unusable raises a
:mod:`habitat.core.errors` exception naming the file, rows and individual, and how
to fix it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
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
    TimestampError,
    where,
)
from habitat.core.validation import require_geometry_type
from habitat.io.cleaning import FLAG_COLUMNS, flag_relocations

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

_SEX_CODES: dict[str, str] = {
    "f": "F",
    "female": "F",
    "m": "M",
    "male": "M",
    "u": "unknown",
    "unknown": "unknown",
    "unk": "unknown",
    "?": "unknown",
    "na": "unknown",
    "nan": "unknown",
    "none": "unknown",
    "": "unknown",
}

# a time followed by Z, UTC/GMT or a numeric offset: "...10:00Z", "...10:00:00+10:00"
_TZ_SUFFIX = re.compile(r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)$")

_OWN_COLUMNS = ("individual", "timestamp", "sex", "station", "source", "source_row", "geometry")
_RECOMPUTED = (*FLAG_COLUMNS, "flag_any", "flag_reason", "speed_kmh")


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


def _present(columns: Sequence[object]) -> str:
    cols = [str(c) for c in columns]
    shown = ", ".join(repr(c) for c in cols[:30])
    return (shown + (f" and {len(cols) - 30} more" if len(cols) > 30 else "")) or "no columns"


def _find_column(
    columns: Sequence[object],
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
    columns: Sequence[object], x: str | None, y: str | None, label: str | None
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


# ----------------------------------------------------------------------------- loading
def _detect_format(source: Any, format: str | None) -> tuple[str, Path | None]:
    """Return (format, path); format is 'frame' for in-memory tables."""
    if format is not None:
        key = str(format).lower()
        if key not in _FORMAT_ALIASES:
            raise InputError(
                f"unknown format={format!r}; use one of {', '.join(map(repr, FORMATS))} "
                "(or None to detect it from the file extension)."
            )
        fmt: str | None = _FORMAT_ALIASES[key]
    else:
        fmt = None
    if isinstance(source, pd.DataFrame):
        return "frame", None
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
    if fmt is not None:
        return fmt, path
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSION and len(suffixes) > 1:
        suffixes = suffixes[:-1]
    ext = suffixes[-1] if suffixes else ""
    if ext not in _EXTENSIONS:
        raise DataFileError(
            f"cannot tell the format of '{path}' from its extension {ext or '(none)'!r}; "
            f"pass format= one of {', '.join(map(repr, FORMATS))}."
        )
    return _EXTENSIONS[ext], path


def _csv_sep(path: Path) -> str:
    return "\t" if ".tsv" in [s.lower() for s in path.suffixes] else ","


def _read_csv(path: Path, *, header_only: bool, text_cols: Sequence[str] = ()) -> pd.DataFrame:
    label = str(path)
    sep = _csv_sep(path)
    try:
        head = pd.read_csv(path, nrows=0, sep=sep)
        if len(head.columns) == 1 and ";" in str(head.columns[0]):
            sep = ";"
            head = pd.read_csv(path, nrows=0, sep=sep)
        if header_only:
            return head
        dtype = {c: "str" for c in text_cols}
        return pd.read_csv(path, sep=sep, dtype=dtype, skipinitialspace=False)
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

        if fmt == "gpkg" and layer is None:
            layers = pyogrio.list_layers(path)
            if len(layers) > 1:
                names = ", ".join(repr(str(n)) for n in layers[:, 0])
                raise DataFileError(
                    f"GeoPackage '{label}' holds several layers ({names}); choose one with "
                    "`layer='name'`."
                )
        return gpd.read_file(path, layer=layer)
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
    individuals: np.ndarray,
    label: str | None,
    cols: tuple[str, str] | None,
    invalid_coords: str,
) -> None:
    """Refuse coordinates that cannot be in ``crs`` (or warn when they look like degrees)."""
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return
    ax, ay = np.abs(x[ok]), np.abs(y[ok])
    crs_txt = describe_crs(crs)
    if crs.is_geographic:
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
                else "gdf.set_geometry(gpd.points_from_xy(gdf.geometry.y, gdf.geometry.x), "
                "crs=gdf.crs)"
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
    if np.isclose(float(crs.axis_info[0].unit_conversion_factor), 1.0) and (
        (ax <= 180).all() and (ay <= 90).all()
    ):
        warnings.warn(
            f"the coordinates ({_loc(label)}) all lie within ±180/±90 and look like degrees, "
            f"but the CRS is {crs_txt} in metres; if they are longitude/latitude pass "
            "crs='EPSG:4326'.",
            DataQualityWarning,
            stacklevel=4,
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


def _parse_timestamps(
    values: pd.Series,
    *,
    col: str,
    tz: str | None,
    utc_default: bool,
    timestamp_format: str | None,
    rows: np.ndarray,
    individuals: np.ndarray,
    label: str | None,
) -> pd.Series:
    """Parse to datetime64[ns, UTC]; naive values need ``tz`` unless ``utc_default``."""
    fix_tz = (
        "pass tz= the time zone the clock was set to (e.g. tz='Asia/Vladivostok', or "
        "tz='UTC'), or export the timestamps with an offset (2024-01-01T10:00:00+10:00)"
    )
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        parsed = values.dt.tz_convert("UTC")
        naive = np.zeros(len(values), dtype=bool)
        text = values  # formatted only for messages
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        parsed = values
        naive = np.ones(len(values), dtype=bool)
        text = values
    else:
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
            naive_all = parsed.dt.tz is None
            naive = np.full(len(text), naive_all)
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
    if naive.any():
        if utc_default:
            tz_naive = "UTC"
        elif tz is not None:
            tz_naive = tz
        else:
            examples = ", ".join(repr(str(v)) for v in pd.Series(text)[naive].unique()[:2])
            raise TimestampError(
                f"timestamps in column '{col}' have no time zone "
                f"({_loc(label, rows=rows[naive], individuals=individuals[naive])}; e.g. "
                f"{examples}), and habitat never guesses one: {fix_tz}."
            )
        if naive.all():
            if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # utc=True was used
                parsed = parsed.dt.tz_localize(None)
            local = parsed
        else:
            local = pd.to_datetime(
                text[naive], format=timestamp_format or "ISO8601", errors="coerce"
            )
        try:
            localised = local.dt.tz_localize(tz_naive, ambiguous="NaT", nonexistent="NaT")
        except Exception as exc:  # pragma: no cover - defensive
            raise TimestampError(f"cannot apply tz={tz_naive!r}: {exc}") from exc
        amb = localised.isna().to_numpy() & local.notna().to_numpy()
        if amb.any():
            sel = np.flatnonzero(naive)[amb] if not naive.all() else np.flatnonzero(amb)
            loc = _loc(label, rows=rows[sel], individuals=individuals[sel])
            raise TimestampError(
                f"timestamps do not exist or are ambiguous in time zone {tz_naive!r} (a "
                f"daylight-saving change; {loc}). Export them in UTC or with an offset."
            )
        localised = localised.dt.tz_convert("UTC")
        if naive.all():
            parsed = localised
        else:
            parsed = parsed.copy()
            parsed[naive] = localised
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
        ref = _read_csv(path, header_only=False, text_cols=("animal-id", "animal-sex"))
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
    out = pd.DataFrame({"individual": ref["animal-id"].astype("str").str.strip()})
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
    k = len(ids.uniques)
    ind_sex = np.zeros(k, dtype=np.int8)
    if sex_col is not None:
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
        ind_sex = np.where(has_f, 1, np.where(has_m, 2, 0)).astype(np.int8)
    if reference is not None:
        ref = _read_reference(reference, label)
        ref_ids = ref["animal-id"].astype("str").str.strip().to_numpy(dtype=object)
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
            warnings.warn(
                f"the sex in the data and in the reference table differ for individual(s) "
                f"{names} ({_loc(label)}); the data's value is kept.",
                DataQualityWarning,
                stacklevel=4,
            )
        ind_sex = np.where(ind_sex > 0, ind_sex, from_ref)
    return pd.array(list(_SEX_LABELS), dtype="str").take(ind_sex[ids.codes].astype(np.intp))


def _require_movebank(
    columns: Sequence[object],
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


def _rows_not_missing(
    values: pd.Series, what: str, param: str, col: str, rows: np.ndarray, label: str | None
) -> pd.Series:
    text = values.astype("str").str.strip()
    missing = (text.isna() | (text == "")).to_numpy()
    if missing.any():
        raise ColumnError(
            f"the {what} is missing in column '{col}' ({_loc(label, rows=rows[missing])}); "
            f"every fix needs one. Fill it in, drop those rows, or choose another column "
            f"with `{param}=`."
        )
    return text


# ----------------------------------------------------------------------------- public
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
        ``animal_id``, ``animal-id``, ``id``.
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
        default) flags no speeds, since the limit depends on species and fix
        interval; :data:`habitat.io.cleaning.LEOPARD_MAX_SPEED_KMH` (20 km/h) is
        a suggestion for Amur leopards.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in the source CRS with ``individual``, ``timestamp`` (UTC),
        ``sex``, ``source``, ``source_row``, the input columns, and the flag
        columns; sorted by individual and time (see :mod:`habitat.io.relocations`).

    Raises
    ------
    DataFileError
        Missing file, unknown extension, unreadable or invalid file.
    EmptyDataError
        Empty file, header only, or an empty layer.
    ColumnError
        Missing or ambiguous columns, missing individual ids, unknown sex codes.
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
        When rows are flagged, with the counts per flag.

    Examples
    --------
    >>> fixes = read_relocations("leopards.csv")  # doctest: +SKIP
    >>> fixes = read_relocations(  # doctest: +SKIP
    ...     "collars.csv", crs="EPSG:32652", tz="Asia/Vladivostok", max_speed_kmh=20
    ... )
    """
    if kind not in ("telemetry", "camera_trap"):
        raise InputError(f"kind must be 'telemetry' or 'camera_trap', not {kind!r}.")
    if invalid_coords not in ("raise", "flag"):
        raise InputError(f"invalid_coords must be 'raise' or 'flag', not {invalid_coords!r}.")
    _check_tz(tz)
    fmt, path = _detect_format(source, format)
    label = str(path) if path is not None else None

    # ---- load the table -------------------------------------------------------
    if fmt in ("csv", "movebank"):
        assert path is not None
        head = list(_read_csv(path, header_only=True).columns)
        if fmt == "csv" and format is None:
            norm = {_norm(c) for c in head}
            if {"locationlong", "locationlat", "timestamp"} <= norm and x is None and y is None:
                fmt = "movebank"
        text_cols = [
            c
            for c, cands in (
                (individual, _INDIVIDUAL_NAMES),
                (timestamp, _TIMESTAMP_NAMES),
                (sex, _SEX_NAMES),
                (station, _STATION_NAMES),
            )
            for c in [
                _find_column(head, c, cands, what="", param="", label=label, required=False)
                if c is None or c in head
                else None
            ]
            if c is not None
        ]
        text_cols += [c for c in ("date", "time", "Date", "Time") if c in head]
        table: pd.DataFrame = _read_csv(path, header_only=False, text_cols=text_cols)
    elif fmt == "frame":
        table = source.copy()  # type: ignore[union-attr]
        table = table.reset_index(drop=True)
        if format is not None and _FORMAT_ALIASES[str(format).lower()] == "movebank":
            fmt = "movebank"
        elif format is None and not isinstance(table, gpd.GeoDataFrame):
            norm = {_norm(c) for c in table.columns}
            if {"locationlong", "locationlat", "timestamp"} <= norm and x is None and y is None:
                fmt = "movebank"
    else:
        assert path is not None
        table = _read_geo(path, fmt, layer)

    n = len(table)
    if n == 0:
        if label is not None:
            raise EmptyDataError(
                f"relocation file '{label}' has a header but no data rows; nothing to read. "
                "Check that the export contains the fixes."
            )
        raise EmptyDataError("the input DataFrame holds no rows; there are no fixes to read.")
    rows = np.arange(1, n + 1, dtype=np.int64)
    movebank = fmt == "movebank"
    if movebank and tz is not None:
        raise TimestampError(
            f"Movebank timestamps are UTC by definition, so tz={tz!r} does not apply "
            f"({_loc(label)}). If this file's times are really local, read it with "
            "format='csv' and tz=..."
        )

    # ---- geometry and CRS ------------------------------------------------------
    is_geo = isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table.columns
    cols_xy: tuple[str, str] | None = None
    if is_geo:
        assert isinstance(table, gpd.GeoDataFrame)
        geoms_s = gpd.GeoSeries(table.geometry.to_numpy(), index=rows)
        require_geometry_type(
            geoms_s, ("Point",), name="relocations", source=label, allow_empty=True
        )
        file_crs = table.crs
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
        xs = np.full(n, np.nan)
        ys = np.full(n, np.nan)
        xs[~empty] = shapely.get_x(geoms[~empty])
        ys[~empty] = shapely.get_y(geoms[~empty])
        table = pd.DataFrame(table.drop(columns=table.geometry.name))
    else:
        if movebank:
            _require_movebank(table.columns, x, y, individual, timestamp, label)
            xcol = x if x is not None else MOVEBANK_COLUMNS["x"]
            ycol = y if y is not None else MOVEBANK_COLUMNS["y"]
            if crs is not None and not _parse_crs(crs).equals(WGS84):
                raise CRSError(
                    f"Movebank locations are longitude/latitude on WGS 84 by definition, so "
                    f"crs={crs!r} does not apply ({_loc(label)}); omit crs=, or read the file "
                    "with format='csv' if its coordinates are something else."
                )
            the_crs = WGS84
        else:
            xcol, ycol = _find_xy(table.columns, x, y, label)
        cols_xy = (xcol, ycol)
        xs, ys = _parse_coordinates(table, xcol, ycol, rows, label)
        if not movebank:
            if crs is None:
                finite = np.isfinite(xs) & np.isfinite(ys)
                looks_deg = finite.any() and bool(
                    (np.abs(xs[finite]) <= 180).all() and (np.abs(ys[finite]) <= 90).all()
                )
                guess = (
                    "they look like degrees, so probably crs='EPSG:4326'"
                    if looks_deg
                    else "they look like metres, e.g. crs='EPSG:32652' for UTM 52N (the "
                    "Amur leopard range)"
                )
                raise MissingCRSError(
                    f"no CRS given for the coordinates in columns '{xcol}'/'{ycol}' "
                    f"({_loc(label)}); a CSV or DataFrame does not record one and habitat never "
                    f"guesses. Pass crs=...: {guess}."
                )
            the_crs = _parse_crs(crs)
        missing_xy = np.isnan(xs) | np.isnan(ys)
        geoms = shapely.points(np.where(missing_xy, 0.0, xs), np.where(missing_xy, 0.0, ys))
        geoms[missing_xy] = None

    # ---- individual ------------------------------------------------------------
    if movebank and individual is None:
        ind_cands: Sequence[str] = (MOVEBANK_COLUMNS["individual"], *_INDIVIDUAL_NAMES)
    else:
        ind_cands = _INDIVIDUAL_NAMES
    ind_col = str(
        _find_column(
            table.columns, individual, ind_cands, what="individual", param="individual", label=label
        )
    )
    ind_text = _rows_not_missing(
        table[ind_col], "individual id", "individual", ind_col, rows, label
    )
    individuals = _Ids(*pd.factorize(ind_text))

    _check_coordinates(
        xs,
        ys,
        the_crs,
        rows=rows,
        individuals=individuals,
        label=label,
        cols=cols_xy,
        invalid_coords=invalid_coords,
    )

    # ---- timestamp -------------------------------------------------------------
    ts_col = _find_column(
        table.columns,
        timestamp,
        _TIMESTAMP_NAMES,
        what="timestamp",
        param="timestamp",
        label=label,
    )
    assert ts_col is not None
    ts_values = table[ts_col]
    if timestamp is None and _norm(ts_col) == "date":
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
            ts_values = table[ts_col].astype("str") + " " + table[time_col].astype("str")
            ts_col = f"{ts_col}+{time_col}"
    stamps = _parse_timestamps(
        ts_values,
        col=ts_col,
        tz=tz,
        utc_default=movebank,
        timestamp_format=timestamp_format,
        rows=rows,
        individuals=individuals,
        label=label,
    )

    # ---- sex, station ----------------------------------------------------------
    sex_col = _find_column(
        table.columns, sex, _SEX_NAMES, what="sex", param="sex", label=label, required=False
    )
    sexes = _resolve_sex(table, sex_col, reference, sex_codes, individuals, rows, label)
    st_col = None
    if kind == "camera_trap":
        st_col = _find_column(
            table.columns,
            station,
            _STATION_NAMES,
            what="camera-trap station",
            param="station",
            label=label,
        )
        stations = _rows_not_missing(
            table[str(st_col)], "station", "station", str(st_col), rows, label
        ).array

    # ---- assemble --------------------------------------------------------------
    used = {"individual": ind_col, "timestamp": ts_col, "sex": sex_col, "station": st_col}
    rename: dict[str, str] = {}
    drop: list[str] = []
    for c in table.columns:
        c = str(c)
        if c in _RECOMPUTED:
            drop.append(c)
        elif c in _OWN_COLUMNS:
            if used.get(c) == c:
                drop.append(c)
            else:
                rename[c] = f"{c}_original"
    rest = table.drop(columns=drop).rename(columns=rename)
    front: dict[str, Any] = {
        "individual": ind_text.array,
        "timestamp": stamps.array,
        "sex": sexes,
    }
    if kind == "camera_trap":
        front["station"] = stations
    front["source"] = pd.array([kind], dtype="str").take(np.zeros(n, dtype=np.intp))
    front["source_row"] = rows
    df = pd.concat([pd.DataFrame(front), rest.reset_index(drop=True)], axis=1)
    # sort by individual (alphabetically), timestamp, then file order
    rank = np.empty(len(individuals.uniques), dtype=np.int64)
    rank[np.argsort(individuals.uniques.astype(str), kind="stable")] = np.arange(len(rank))
    t_ns = stamps.dt.tz_localize(None).to_numpy().view("int64")
    order = np.lexsort((rows, t_ns, rank[individuals.codes]))
    df = df.take(order).reset_index(drop=True)
    out = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms[order], crs=the_crs), crs=the_crs)

    deployments = None if reference is None else _deployments(reference, label)
    out = flag_relocations(out, max_speed_kmh=max_speed_kmh, deployments=deployments)
    flagged = int(out["flag_any"].sum())
    if flagged:
        counts = ", ".join(
            f"{int(out[c].sum())} {c.removeprefix('flag_').replace('_', ' ')}"
            for c in FLAG_COLUMNS
            if out[c].any()
        )
        warnings.warn(
            f"{flagged} of {n} fixes flagged ({counts}; {_loc(label)}); they are kept. See the "
            "columns flag_reason and flag_any, e.g. `fixes[~fixes['flag_any']]` to drop them.",
            DataQualityWarning,
            stacklevel=2,
        )
    return out[[c for c in out.columns if c != "geometry"] + ["geometry"]]


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
    sex, sex_codes, reference, layer, invalid_coords, max_speed_kmh : optional
        As in :func:`read_relocations`. Camera clocks usually run on local
        time, so ``tz=`` is normally needed (e.g. ``tz="Asia/Vladivostok"``).
        Detections of the same individual at the same time (photo bursts) are
        flagged as duplicates.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`read_relocations`, plus a ``station`` column (str) and
        ``source == "camera_trap"``.
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
    )

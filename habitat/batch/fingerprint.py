"""Fingerprints (SHA-256) of tables and values, so a report re-run notices changed input.

A fingerprint is the hex SHA-256 of a canonical byte form of the data, the
same on every machine and in every process:

* :func:`table_sha256`: chosen columns of a (Geo)DataFrame, in row order, with
  each column's name and kind. Numbers and booleans are hashed as their
  bytes, datetimes as UTC nanoseconds (the instant, not its time zone),
  geometries as WKB and the CRS as WKT, any other value as its ``repr``
  (so the integer ``1`` and the text ``"1"`` differ, and a missing value
  differs from the text ``"None"``).
* :func:`value_sha256`: JSON-like values (options, a table row) as canonical
  JSON (sorted keys; floats exactly, via their shortest round-trip text).
* :func:`fixes_fingerprint`: the parts of an animal's relocations that its
  results depend on (positions and CRS, times, flags, sex and id), each with
  its own fingerprint, so a re-run can say *what* changed.

Examples
--------
>>> import pandas as pd
>>> a = pd.DataFrame({"x": [1.0, 2.0], "id": ["A", "B"]})
>>> table_sha256(a) == table_sha256(a.copy())
True
>>> table_sha256(a) == table_sha256(a.assign(x=[1.0, 2.5]))
False
>>> len(value_sha256({"levels": (0.5, 0.95)}))
64
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import shapely

__all__ = [
    "FIXES_PARTS",
    "canonical_json",
    "fixes_fingerprint",
    "table_sha256",
    "value_sha256",
]

_VERSION = b"habitat-fingerprint-1\0"

#: The parts of relocations a home range depends on, and their columns
#: (``flag_*`` stands for every flag column). ``source_row`` and other
#: columns that only name rows in messages are left out on purpose: adding a
#: row for another animal must not change this animal's fingerprint.
FIXES_PARTS: dict[str, tuple[str, ...]] = {
    "positions": ("geometry",),
    "times": ("timestamp",),
    "flags": ("flag_*",),
    "sex": ("sex",),
    "id": ("individual",),
}


def _column_bytes(values: pd.Series) -> tuple[bytes, bytes]:
    """(kind, data) of one column: a canonical byte form of its values in order."""
    dtype = values.dtype
    if getattr(dtype, "name", "") == "geometry":
        geoms = np.asarray(values.array, dtype=object)
        missing = shapely.is_missing(geoms)
        present = geoms.copy()
        present[missing] = None
        wkb = np.asarray(shapely.to_wkb(present), dtype=object)
        wkb[missing] = b""
        parts = wkb.tolist()
        lengths = np.fromiter(map(len, parts), dtype="<i8", count=len(parts))
        lengths[missing] = -1
        return b"wkb", lengths.tobytes() + b"".join(parts)
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        kind = b"utc_ns" if isinstance(dtype, pd.DatetimeTZDtype) else b"naive_ns"
        return kind, pd.DatetimeIndex(values).as_unit("ns").asi8.astype("<i8").tobytes()
    if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        fixed = {"b": "|b1", "i": "<i8", "u": "<u8", "f": "<f8"}[dtype.kind]
        array = np.ascontiguousarray(values.to_numpy(dtype=fixed))
        if dtype.kind == "f":  # one NaN: 0/0 and a NaN read from a file differ in their bits
            array = np.where(np.isnan(array), np.nan, array).astype(fixed)
        return fixed.encode(), array.tobytes()
    missing = values.isna().to_numpy(dtype=bool)
    texts = np.array(values.astype(object).map(repr).to_numpy(dtype=object), dtype=object)
    texts[missing] = "\0NA"
    return b"repr", "\x1f".join(texts.tolist()).encode("utf-8", "surrogatepass")


def _columns(table: pd.DataFrame, columns: Iterable[str] | None) -> list[tuple[str, int]]:
    """(name, position) of the columns to hash, by name; ``"flag_*"``: every ``flag_`` column."""
    names = [str(c) for c in table.columns]
    wanted = None if columns is None else list(columns)

    def chosen(name: str) -> bool:
        if wanted is None:
            return True
        return any(name.startswith(c[:-1]) if c.endswith("*") else name == c for c in wanted)

    return sorted((n, i) for i, n in enumerate(names) if chosen(n))


def table_sha256(table: pd.DataFrame, columns: Iterable[str] | None = None) -> str:
    """Fingerprint of a table's columns, in row order (the index is left out).

    Parameters
    ----------
    table : pandas.DataFrame or geopandas.GeoDataFrame
        The data; a GeoDataFrame's CRS is part of the fingerprint when its
        geometry column is hashed.
    columns : iterable of str, optional
        Columns to hash (absent ones are skipped; ``"flag_*"`` means every
        column starting with ``flag_``); all columns by default.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import shapely
    >>> pts = gpd.GeoDataFrame(
    ...     {"individual": ["A", "A"]}, geometry=shapely.points([0, 1], [0, 1]), crs="EPSG:32652"
    ... )
    >>> same = table_sha256(pts) == table_sha256(pts.set_index(pd.Index([7, 8])))
    >>> moved = pts.set_crs("EPSG:32653", allow_override=True)
    >>> other_crs = table_sha256(pts) == table_sha256(moved)
    >>> same, other_crs
    (True, False)
    >>> table_sha256(pd.DataFrame({"id": [1]})) == table_sha256(pd.DataFrame({"id": ["1"]}))
    False
    """
    h = hashlib.sha256(_VERSION)
    names = _columns(table, columns)
    h.update(f"rows={len(table)};columns={len(names)}\0".encode())
    for name, position in names:
        kind, data = _column_bytes(table.iloc[:, position])
        h.update(name.encode("utf-8", "surrogatepass") + b"\0" + kind + b"\0")
        h.update(f"{len(data)}\0".encode() + data)
    geometry = getattr(table, "_geometry_column_name", None)
    if geometry in {n for n, _ in names}:
        crs = getattr(table, "crs", None)
        h.update(b"crs\0" + (crs.to_wkt() if crs is not None else "").encode())
    return h.hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, pd.DataFrame):
        return {"table_sha256": table_sha256(value)}
    if isinstance(value, np.ndarray):
        return value.tolist()
    return repr(value)


def _plain(value: Any) -> Any:
    """Tuples as lists, NaN and infinities as text (JSON has neither), recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return _plain(value.item())
    return value


def canonical_json(value: Any) -> str:
    """The canonical JSON text :func:`value_sha256` hashes (sorted keys, tuples as lists).

    Examples
    --------
    >>> canonical_json({"b": (1, float("nan")), "a": {"x": 0.1}})
    '{"a": {"x": 0.1}, "b": [1, "nan"]}'
    """
    return json.dumps(
        _plain(value), sort_keys=True, default=_json_default, ensure_ascii=False, allow_nan=False
    )


def value_sha256(value: Any) -> str:
    """Fingerprint of a JSON-like value (dicts, lists, numbers, text, tables).

    Keys are sorted, tuples equal lists, NumPy scalars equal Python ones, a
    table inside is replaced by its :func:`table_sha256`.

    Examples
    --------
    >>> import numpy as np
    >>> a = value_sha256({"b": (1, 2.5), "a": "x"})
    >>> a == value_sha256({"a": "x", "b": [1, np.float64(2.5)]})
    True
    >>> value_sha256({"level": 0.95}) == value_sha256({"level": 0.9500000000000001})
    False
    """
    text = canonical_json(value)
    return hashlib.sha256(_VERSION + text.encode("utf-8", "surrogatepass")).hexdigest()


def fixes_fingerprint(fixes: pd.DataFrame) -> dict[str, str]:
    """Fingerprints of the parts of relocations a home range depends on.

    Parameters
    ----------
    fixes : geopandas.GeoDataFrame
        One animal's relocations (or several animals').

    Returns
    -------
    dict of str to str
        ``"fixes"`` (all parts together) and one entry per part of
        :data:`FIXES_PARTS`: positions (with the CRS), times, flags, sex, id.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import shapely
    >>> fixes = gpd.GeoDataFrame(
    ...     {"individual": ["F1"] * 3, "flag_any": [False, True, False], "source_row": [1, 2, 3]},
    ...     geometry=shapely.points([0, 5, 9], [0, 5, 9]),
    ...     crs="EPSG:32652",
    ... )
    >>> before = fixes_fingerprint(fixes)
    >>> after = fixes_fingerprint(fixes.assign(flag_any=[False] * 3, source_row=[4, 5, 6]))
    >>> sorted(k for k in before if before[k] != after[k])  # source_row does not count
    ['fixes', 'flags']
    """
    parts = {part: table_sha256(fixes, cols) for part, cols in FIXES_PARTS.items()}
    return {"fixes": value_sha256(parts), **parts}

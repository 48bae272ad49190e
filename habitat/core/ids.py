"""Identifiers taken from data (animals, camera-trap stations): one rule for every input.

The rule, applied once where the data enter habitat
(:func:`habitat.io.read_relocations`, and :func:`habitat.homerange.prepare_fixes`
for tables built by hand), so that every output of a run names the same
animals:

* An id is the **text of the value exactly as in the input** (a text file's
  cell; ``str(value)`` for a number in a DataFrame, so the int ``1`` is
  ``"1"``). Case, inner blanks and punctuation are kept: ``"Leo 1"`` and
  ``"leo 1"`` are two animals. Words such as ``NA``, ``None`` or ``nan`` are
  ids like any other (files are read with those words kept as text).
* **Surrounding blanks** (spaces, tabs, no-break and other Unicode spaces) are
  stripped, and the text is put in Unicode **NFC** form (``"é"`` typed as one
  character or as ``e`` + combining accent is the same text). Values that then
  read the same become **one** id; when two or more *different* raw values merge
  (``1``, ``"1"`` and ``"1 "``), the caller warns and lists them
  (:attr:`IdText.merged`).
* A **missing** id (an empty cell, blanks only, or ``None``/NaN/NA in a
  DataFrame) is refused, naming the rows.
* **Control and invisible characters** (Unicode categories Cc, Cf, Cs, Zl and
  Zp: NUL, line breaks, escape, zero-width spaces, bidirectional overrides...)
  anywhere in an id are refused, naming the rows and the character: some output
  formats drop or cut them and others keep them, and two ids that differ only
  by an invisible character look the same everywhere.

Examples
--------
>>> ids = normalise_ids(pd.Series([1, "1", "1 ", "Leo 2"], dtype=object), column="id")
>>> ids.text.tolist()
['1', '1', '1', 'Leo 2']
>>> ids.merged
{'1': ['1', "'1'", "'1 '"]}
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from habitat.core.errors import ColumnError, DataQualityWarning, where

__all__ = ["IdText", "describe_merged_ids", "id_text", "normalise_ids"]

#: Unicode categories refused anywhere in an id: control, format and surrogate
#: characters, line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

_CATEGORY_WORDS = {
    "Cc": "control character",
    "Cf": "format character",
    "Cs": "surrogate",
    "Zl": "line separator",
    "Zp": "paragraph separator",
}

# tab and the Unicode space separators (category Zs): the blanks stripped around an id
_BLANKS = "\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_SURROUNDING_BLANKS = re.compile(f"^[{_BLANKS}]+|[{_BLANKS}]+$")


class IdText(NamedTuple):
    """Ids of one column under the rule of :mod:`habitat.core.ids`.

    Attributes
    ----------
    text : pandas.Series
        The id of each value (``str`` dtype, same index as the input).
    merged : dict
        id -> the ``repr`` of each different raw value that became that id, for
        ids that two or more different raw values merged into (empty when none).
    """

    text: pd.Series
    merged: dict[str, list[str]]


def _strip_nfc(raw: pd.Series) -> pd.Series:
    """``raw`` (text) without surrounding blanks, in Unicode NFC form."""
    stripped = raw.str.replace(_SURROUNDING_BLANKS, "", regex=True)
    return stripped.map(lambda s: unicodedata.normalize("NFC", s))


def _factorize(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes and distinct raw values of ``series``, telling apart values of different types.

    ``pd.factorize`` treats ``1``, ``True`` and ``1.0`` (and ``0``, ``False``,
    ``0.0``) as one value, which would merge ``'1'`` and ``'True'`` before any text
    is made; in an object column the type is part of the value here.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if series.dtype != object or len(uniques) == 0:
        return codes, pd.Series(uniques, dtype=object)
    kinds = pd.factorize(series.map(type))[0].astype(np.int64)
    valid = codes >= 0
    key = codes[valid].astype(np.int64) * (int(kinds.max()) + 1) + kinds[valid]
    key_codes, _ = pd.factorize(key)
    out = np.full(len(series), -1, dtype=np.intp)
    out[valid] = key_codes
    _, first = np.unique(key_codes, return_index=True)  # first row of each distinct value
    raw = series.to_numpy(dtype=object)[np.flatnonzero(valid)[first]]
    return out, pd.Series(raw, dtype=object)


def id_text(values: Any) -> pd.Series:
    """The id text of ``values`` without any check (for matching ids, e.g. a reference table).

    Surrounding blanks are stripped and the text put in NFC form, as in
    :func:`normalise_ids`; missing values give ``""``.

    Examples
    --------
    >>> id_text(["Leo 1 ", 7, None]).tolist()
    ['Leo 1', '7', '']
    """
    series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    codes, uniques = _factorize(series)
    text = _strip_nfc(uniques.astype(str))
    out = np.append(text.to_numpy(dtype=object), "")[codes]
    return pd.Series(out, index=series.index, dtype="str")


def _first_refused(text: str) -> str | None:
    """The first refused character of ``text`` (as ``U+XXXX NAME``), or ``None``."""
    for char in text:
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            name = unicodedata.name(char, _CATEGORY_WORDS[unicodedata.category(char)])
            return f"U+{ord(char):04X} {name}"
    return None


def normalise_ids(
    values: Any,
    *,
    column: str,
    what: str = "individual id",
    source: str | None = None,
    rows: Any = None,
    param: str = "individual",
) -> IdText:
    r"""Apply the id rule of :mod:`habitat.core.ids` to one column of ids.

    The work is done once per distinct value (not per fix).

    Parameters
    ----------
    values : pandas.Series or array_like
        The raw ids, one per row (text, numbers, or a mix in a DataFrame).
    column : str
        The column they come from (for messages).
    what : str
        What they identify, for messages (``"individual id"``, ``"station"``).
    source : str, optional
        The file they come from (for messages); ``None`` for an in-memory table.
    rows : array_like of int, optional
        Row number of each value (for messages); by default 1, 2, ...
    param : str
        The keyword that chooses the column, named in the hint.

    Returns
    -------
    IdText
        The id of each value, and which different raw values merged.

    Raises
    ------
    ColumnError
        For missing ids and for ids holding a control or invisible character,
        naming the rows.

    Examples
    --------
    >>> normalise_ids(["Leo 1", "Leo\n2"], column="id", source="fixes.csv")
    Traceback (most recent call last):
    ...
    habitat.core.errors.ColumnError: individual id 'Leo\n2' holds a control ... (U+000A ...) ...
    """
    series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    n = len(series)
    row_numbers = np.arange(1, n + 1) if rows is None else np.asarray(rows)
    codes, uniques = _factorize(series)
    raw = uniques.astype(str)
    text = _strip_nfc(raw)

    def place(sel: np.ndarray) -> str:
        located = where(file=source, rows=row_numbers[sel])
        if source is None:
            located = "in the input table, " + located
        return f"in column '{column}' ({located})"

    # missing: NA in memory (code -1), or nothing but blanks
    blank_u = (text == "").to_numpy()
    missing = (codes < 0) | np.append(blank_u, False)[codes]
    if missing.any():
        raise ColumnError(
            f"the {what} is missing {place(missing)}; every row "
            f"needs one. Fill it in, drop those rows, or choose another column with "
            f"`{param}=`."
        )
    refused = text.map(_first_refused)  # after stripping surrounding blanks (tabs too)
    bad_u = refused.notna().to_numpy()
    if bad_u.any():
        first = int(np.flatnonzero(bad_u)[0])
        bad = np.isin(codes, np.flatnonzero(bad_u))
        raise ColumnError(
            f"{what} {raw.iloc[first]!r} holds a control or invisible character "
            f"({refused.iloc[first]}) {place(bad)}; such characters are "
            "dropped by some output formats and kept by others, so habitat refuses them. "
            "Remove them from the ids (e.g. `df[col] = df[col].str.replace(r'[\\x00-\\x1f]', "
            "'', regex=True)`) and read the data again."
        )
    merged = _merged(uniques, text)
    out = text.to_numpy(dtype=object)[codes]
    return IdText(pd.Series(out, index=series.index, dtype="str"), merged)


def _merged(uniques: Any, text: pd.Series) -> dict[str, list[str]]:
    """Map each id that several different raw values became to their reprs."""
    dup = text.duplicated(keep=False).to_numpy()
    merged: dict[str, list[str]] = {}
    for k in np.flatnonzero(dup):  # only the merged ids, usually none
        merged.setdefault(str(text.iloc[k]), []).append(repr(uniques[k]))
    for key, reprs in merged.items():
        if len({unicodedata.normalize("NFC", r) for r in reprs}) < len(reprs):  # print alike
            merged[key] = [ascii(uniques[k]) for k in np.flatnonzero(dup & (text == key))]
    return merged


def warn_merged_ids(merged: dict[str, list[str]], *, stacklevel: int = 2) -> None:
    """Warn (:class:`DataQualityWarning`) that raw ids merged into one; nothing if none did.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_merged_ids(normalise_ids([1, "1 "], column="id").merged)
    >>> "'1' <- 1, '1 '" in str(caught[0].message)
    True
    """
    if merged:
        warnings.warn(
            "individual ids that differ only in surrounding blanks, Unicode form or type "
            f"were merged into one: {describe_merged_ids(merged)}. If they are different "
            "animals, give them different ids.",
            DataQualityWarning,
            stacklevel=stacklevel + 1,
        )


def describe_merged_ids(merged: dict[str, list[str]], *, limit: int = 5) -> str:
    """``merged`` of :class:`IdText` as text for a warning.

    Examples
    --------
    >>> describe_merged_ids({"1": ["1", "'1'", "'1 '"]})
    "'1' <- 1, '1', '1 '"
    """
    items = list(merged.items())
    parts = [f"{k!r} <- {', '.join(v)}" for k, v in items[:limit]]
    more = f"; and {len(items) - limit} more" if len(items) > limit else ""
    return "; ".join(parts) + more

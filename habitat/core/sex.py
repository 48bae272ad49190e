"""The one reading of a sex value: female, male or unknown.

Every comparison of sexes (same-sex and opposite-sex neighbours, exclusivity
among animals of the same sex, overlap by sex pair) goes through
:func:`sex_labels` and :func:`sex_relation`, so an animal of unknown sex is
never counted as "same sex" as another animal of unknown sex, nor as "opposite
sex" to anyone: two animals both coded ``"U"`` are not known to be of the same
sex.

Codes are read as :func:`habitat.read_relocations` reads them: ``f``/``female``
and ``m``/``male`` in any case and with surrounding blanks; everything else
(``U``, ``unknown``, blank, ``None``, NaN, other codes) is unknown.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from habitat.core.errors import InputError

__all__ = ["SEX_CODES", "UNKNOWN_SEX", "known_sex", "sex_labels", "sex_relation"]

#: the label of a sex that is not known
UNKNOWN_SEX = "unknown"

#: sex codes (lower case, stripped) and the label each one stands for
SEX_CODES: dict[str, str] = {
    "f": "F",
    "female": "F",
    "m": "M",
    "male": "M",
    "u": UNKNOWN_SEX,
    "unknown": UNKNOWN_SEX,
    "unk": UNKNOWN_SEX,
    "?": UNKNOWN_SEX,
    "na": UNKNOWN_SEX,
    "nan": UNKNOWN_SEX,
    "none": UNKNOWN_SEX,
    "": UNKNOWN_SEX,
}


def sex_labels(values: Any) -> np.ndarray:
    """``"F"``, ``"M"`` or ``"unknown"`` for each sex value (vectorised over few codes).

    Parameters
    ----------
    values : array-like
        Sex values as found in a table (text, None, NaN...).

    Returns
    -------
    numpy.ndarray of object
        One label per value.

    Examples
    --------
    >>> sex_labels(["F", " male", "U", None, float("nan"), "unknown", "x"]).tolist()
    ['F', 'M', 'unknown', 'unknown', 'unknown', 'unknown', 'unknown']
    """
    series = pd.Series(np.asarray(values, dtype=object).ravel(), dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = [SEX_CODES.get(str(u).strip().lower(), UNKNOWN_SEX) for u in uniques]
    table = np.array([*labels, UNKNOWN_SEX], dtype=object)  # code -1 (missing): unknown
    return table[codes]


def known_sex(values: Any) -> np.ndarray:
    """Whether each sex value is known (female or male).

    Examples
    --------
    >>> known_sex(["F", "m", "U", None, "unknown"]).tolist()
    [True, True, False, False, False]
    """
    return sex_labels(values) != UNKNOWN_SEX


def sex_relation(sex_a: Any, sex_b: Any) -> np.ndarray:
    """``"same"``, ``"opposite"`` or ``"unknown"`` for each pair of sex values.

    A pair is ``"unknown"`` whenever either sex is unknown: two animals of
    unknown sex are not "same sex", and an unknown and a female are not
    "opposite sex".

    Examples
    --------
    >>> sex_relation(["F", "F", "U", "F", None], ["F", "M", "U", "U", "M"]).tolist()
    ['same', 'opposite', 'unknown', 'unknown', 'unknown']
    """
    a, b = sex_labels(sex_a), sex_labels(sex_b)
    if len(a) != len(b):
        raise InputError(
            f"sex_relation needs as many values on each side, not {len(a)} and {len(b)}."
        )
    known = (a != UNKNOWN_SEX) & (b != UNKNOWN_SEX)
    out = np.full(len(a), "unknown", dtype=object)
    out[known & (a == b)] = "same"
    out[known & (a != b)] = "opposite"
    return out

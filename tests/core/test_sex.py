"""core.sex: the one reading of a sex value; unknown is never the same sex as anything."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from habitat.core.errors import InputError
from habitat.core.sex import UNKNOWN_SEX, known_sex, sex_labels, sex_relation

UNKNOWNS = ["U", "u", "unknown", "Unknown", " ", "", None, math.nan, pd.NA, "?", "x", "NA"]


def test_codes_of_females_and_males_in_any_spelling():
    got = sex_labels(["F", "f", " female ", "FEMALE", "M", "m", "Male", " MALE"])
    assert got.tolist() == ["F"] * 4 + ["M"] * 4
    assert known_sex(["F", "male"]).tolist() == [True, True]


@pytest.mark.parametrize("value", UNKNOWNS, ids=repr)
def test_everything_else_is_unknown(value):
    assert sex_labels([value]).tolist() == [UNKNOWN_SEX]
    assert known_sex([value]).tolist() == [False]


@pytest.mark.parametrize("value", UNKNOWNS, ids=repr)
def test_an_unknown_sex_is_never_same_nor_opposite(value):
    for other in ["F", "M", value, "U", None]:
        assert sex_relation([value], [other]).tolist() == ["unknown"]
        assert sex_relation([other], [value]).tolist() == ["unknown"]


def test_relation_of_known_sexes_is_symmetric():
    a = np.array(["F", "F", "M", "M", "female", "m"], dtype=object)
    b = np.array(["F", "M", "F", "M", "F", "Male"], dtype=object)
    expected = ["same", "opposite", "opposite", "same", "same", "same"]
    assert sex_relation(a, b).tolist() == expected
    assert sex_relation(b, a).tolist() == expected


def test_series_and_categoricals_are_read_alike():
    s = pd.Series(["F", None, "M"], dtype="category")
    assert sex_labels(s).tolist() == ["F", UNKNOWN_SEX, "M"]
    assert sex_labels(pd.Series(["F", None], dtype="string")).tolist() == ["F", UNKNOWN_SEX]


def test_sides_of_different_lengths_are_refused():
    with pytest.raises(InputError, match="as many values"):
        sex_relation(["F"], ["F", "M"])

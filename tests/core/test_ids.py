"""The one id rule (habitat.core.ids): what merges, what is kept apart, what is refused."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest

from habitat.core.errors import ColumnError, HabitatError
from habitat.core.ids import REFUSED_CATEGORIES, describe_merged_ids, id_text, normalise_ids


def test_text_exactly_as_given_except_surrounding_blanks() -> None:
    raw = ["Leo 1", "leo 1", "Leo  1", "LEO-1", "Барс", "豹", "NA", "None", "nan", "0"]
    ids = normalise_ids(raw, column="id")
    assert ids.text.tolist() == raw  # case, inner blanks, words pandas reads as missing: kept
    assert ids.merged == {}
    assert ids.text.nunique() == len(raw)


def test_numbers_become_their_text_and_merge_with_the_same_text() -> None:
    values = pd.Series([1, "1", "1 ", "\t1\u00a0", 2, 2], dtype=object)
    ids = normalise_ids(values, column="id")
    assert ids.text.tolist() == ["1", "1", "1", "1", "2", "2"]
    # every different raw value that merged is listed, once; 2 and 2 are the same value
    assert ids.merged == {"1": ["1", "'1'", "'1 '", "'\\t1\\xa0'"]}
    assert describe_merged_ids(ids.merged).startswith("'1' <- 1, '1', '1 '")


def test_canonically_equivalent_unicode_is_one_id() -> None:
    composed, decomposed = "Andr\u00e9", "Andre\u0301"
    assert composed != decomposed and unicodedata.normalize("NFC", decomposed) == composed
    ids = normalise_ids([composed, decomposed], column="id")
    assert ids.text.tolist() == [composed, composed]
    assert list(ids.merged) == [composed]
    assert ids.merged[composed] == ["'Andr\\xe9'", "'Andre\\u0301'"]  # told apart in the list


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, "", "   ", "\t"])
def test_missing_ids_are_refused_naming_the_row(missing: object) -> None:
    values = pd.Series(["A", missing, "B"], dtype=object)
    with pytest.raises(
        ColumnError, match=r"id is missing in column 'id' \(in file 'f\.csv', rows 12\)"
    ):
        normalise_ids(values, column="id", source="f.csv", rows=[11, 12, 13])


@pytest.mark.parametrize(
    "char", ["\x00", "\n", "\r", "\x1b", "\x7f", "\x85", "\u200b", "\u202e", "\u2028", "\ufeff"]
)
def test_control_and_invisible_characters_are_refused(char: str) -> None:
    assert unicodedata.category(char) in REFUSED_CATEGORIES
    values = ["ok", f"Leo{char}1", "ok"]
    with pytest.raises(ColumnError, match=rf"U\+{ord(char):04X}.*rows 2\)") as info:
        normalise_ids(values, column="animal")
    assert isinstance(info.value, HabitatError)
    assert "column 'animal'" in str(info.value)


def test_refused_character_at_the_edge_is_not_silently_stripped() -> None:
    """str.strip() would remove '\\x1f' (it counts as whitespace); the rule refuses it."""
    assert "\x1f".isspace()
    with pytest.raises(ColumnError, match=r"U\+001F"):
        normalise_ids(["Leo 1\x1f"], column="id")


def test_id_text_for_matching_has_no_checks() -> None:
    assert id_text(pd.Series([" Leo 1", None, 7, "Andre\u0301"])).tolist() == [
        "Leo 1",
        "",
        "7",
        "Andr\u00e9",
    ]


def test_index_is_kept() -> None:
    values = pd.Series(["a", "b "], index=[10, 20])
    assert normalise_ids(values, column="id").text.index.tolist() == [10, 20]


def test_values_pandas_hashes_alike_are_not_merged_silently():
    """``pd.factorize`` holds 1 == True == 1.0; as ids they are the texts '1', 'True', '1.0'."""
    got = normalise_ids([1, True, 1.0, 0, False, "1", " 1"], column="id")
    assert got.text.tolist() == ["1", "True", "1.0", "0", "False", "1", "1"]
    assert set(got.merged) == {"1"}  # only the texts that are the same after stripping
    assert len(got.merged["1"]) == 3
    assert id_text([1, True, None]).tolist() == ["1", "True", ""]

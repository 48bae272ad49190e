"""Unknown sex is never "same sex" nor "opposite sex" (issue 11, item 2).

Two animals both coded ``U`` (or blank, or missing) are not known to be of
the same sex; a female and an animal of unknown sex are not known to be of
opposite sexes. Every comparison of sexes (neighbour counts of the territory
table, exclusivity, overlap by sex pair) must agree on that.
"""

from __future__ import annotations

import itertools
import math
import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from habitat.core.errors import ColumnError, DataQualityWarning
from habitat.overlap.territory import territory_table
from habitat.overlap.vector import exclusivity, pairwise_overlap, sex_pair_summary

X, Y = 500_000, 4_800_000
COUNTS = ["n_same_sex_neighbours", "n_opposite_sex_neighbours", "n_unknown_sex_neighbours"]


def _pair(sex_a, sex_b) -> gpd.GeoDataFrame:
    """Two 10 km squares overlapping by half."""
    return gpd.GeoDataFrame(
        {"individual": ["A", "B"], "sex": [sex_a, sex_b], "method": "given", "level": 0.95},
        geometry=[box(X, Y, X + 10_000, Y + 10_000), box(X + 5_000, Y, X + 15_000, Y + 10_000)],
        crs=32652,
    )


def _counts(ranges: gpd.GeoDataFrame) -> list[list[int]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        table = territory_table(ranges, {})
    return table.set_index("individual").loc[["A", "B"], COUNTS].to_numpy().tolist()


@pytest.mark.parametrize(
    ("sex_a", "sex_b", "expected"),
    [
        ("U", "U", [0, 0, 1]),
        ("unknown", "unknown", [0, 0, 1]),
        ("u", "?", [0, 0, 1]),
        ("", " ", [0, 0, 1]),
        ("F", "U", [0, 0, 1]),
        ("U", "M", [0, 0, 1]),
        ("F", "unknown", [0, 0, 1]),
        ("F", "F", [1, 0, 0]),
        ("M", "male", [1, 0, 0]),
        ("F", "M", [0, 1, 0]),
        ("female", "M", [0, 1, 0]),
    ],
)
def test_neighbour_counts_by_sex(sex_a, sex_b, expected):
    assert _counts(_pair(sex_a, sex_b)) == [expected, expected]


def test_a_missing_sex_is_refused_naming_the_row():
    """A missing value is not silently a sex: fill it with 'U' (then it is unknown)."""
    with pytest.raises(ColumnError, match=r"'sex' has missing values \(rows \[1\]\)"):
        territory_table(_pair("F", None), {})


def test_the_issue_example_unknown_f1_and_unknown_m2():
    """'An unknown F1 and an unknown M2' (ids that look like sexes) are not same-sex."""
    ranges = _pair("unknown", "unknown").assign(individual=["F1", "M2"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        table = territory_table(ranges, {})
    assert table[COUNTS].to_numpy().tolist() == [[0, 0, 1], [0, 0, 1]]


def test_counts_add_up_to_an_independent_count_of_neighbours():
    """Random squares and sexes; the oracle: a loop over pairs with shapely and a sex table."""
    rng = np.random.default_rng(11)
    n = 24
    x = rng.uniform(0, 60_000, n)
    y = rng.uniform(0, 60_000, n)
    size = rng.uniform(5_000, 20_000, n)
    codes = ["F", "M", "U", "?", "female", "Male", "unknown", ""]
    sexes = [codes[k] for k in rng.integers(0, len(codes), n)]
    geoms = [box(X + a, Y + b, X + a + s, Y + b + s) for a, b, s in zip(x, y, size, strict=True)]
    ranges = gpd.GeoDataFrame(
        {"individual": [f"A{k}" for k in range(n)], "sex": sexes, "level": 0.95},
        geometry=geoms,
        crs=32652,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        table = territory_table(ranges, {}).set_index("individual")
    known = {"F": "F", "female": "F", "M": "M", "Male": "M"}
    expected = {f"A{k}": [0, 0, 0] for k in range(n)}
    for i, j in itertools.combinations(range(n), 2):
        if shapely.intersection(geoms[i], geoms[j]).area <= 0:
            continue
        a, b = known.get(sexes[i]), known.get(sexes[j])
        kind = 2 if a is None or b is None else (0 if a == b else 1)
        expected[f"A{i}"][kind] += 1
        expected[f"A{j}"][kind] += 1
    got = {ind: table.loc[ind, COUNTS].astype(int).tolist() for ind in expected}
    assert got == expected
    assert sum(v[2] for v in expected.values()) > 0  # the case is exercised


def test_exclusivity_of_unknown_sex_is_not_a_number():
    """Two unknowns sharing half their ranges: neither is 'exclusive among its sex'."""
    with pytest.warns(DataQualityWarning, match="unknown sex"):
        table = exclusivity(_pair("U", "U"), level=None)
    assert table["exclusive_share"].isna().all()
    assert table["n_neighbours"].tolist() == [0, 0]


def test_exclusivity_ignores_unknown_neighbours_of_a_female():
    """F and U overlap by half: the female has no known same-sex neighbour (share 1)."""
    with pytest.warns(DataQualityWarning, match="B"):
        table = exclusivity(_pair("F", "U"), level=None).set_index("individual")
    assert table.loc["A", "exclusive_share"] == 1.0
    assert math.isnan(table.loc["B", "exclusive_share"])


def test_exclusivity_of_two_females_is_unchanged():
    """Half of each square is shared ("F" and "female" are one sex); measured in an
    equal-area CRS, so the UTM halves are equal to 1e-6, not exactly."""
    table = exclusivity(_pair("F", "female"), level=None)
    np.testing.assert_allclose(table["exclusive_share"], [0.5, 0.5], rtol=1e-5)


def test_sex_pair_summary_never_pairs_unknowns_as_same_sex():
    ranges = gpd.GeoDataFrame(
        {
            "individual": ["U1", "U2", "F1", "F2", "M1"],
            "sex": ["U", "U", "F", "female", "male"],
        },
        geometry=[
            box(X, Y, X + 10_000, Y + 10_000),
            box(X + 5_000, Y, X + 15_000, Y + 10_000),  # U1-U2
            box(X + 100_000, Y, X + 110_000, Y + 10_000),
            box(X + 105_000, Y, X + 115_000, Y + 10_000),  # F1-F2
            box(X + 100_000, Y + 5_000, X + 110_000, Y + 15_000),  # F1-M1, F2-M1
        ],
        crs=32652,
    )
    pairs = pairwise_overlap(ranges)
    summary = sex_pair_summary(pairs)
    by = summary.by_pair.set_index("sex_pair")["n_pairs"].to_dict()
    # U1-U2 is one pair of unknown sexes; F1-F2 ("F" and "female") the only same-sex pair
    assert by == {"F–F": 1, "F–M": 2, "unknown": 1}
    assert sorted(summary.females["individual"]) == ["F1", "F2"]
    assert set(summary.females["best_male"]) == {"M1"}


def test_a_female_and_an_unknown_are_not_a_sex_pair():
    summary = sex_pair_summary(pairwise_overlap(_pair("F", "U")))
    assert summary.by_pair["sex_pair"].tolist() == ["unknown"]
    assert summary.females.empty  # an unknown is no "best male"

"""Regression tests, one per fuzz finding (see the fuzz suite in this folder).

Each is the minimal case the property tests shrank to, written out so that it
runs without hypothesis and names the defect. Numbering follows the findings
report (F1, F2, ...).
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import pytest
import shapely

import habitat
from habitat.core.errors import HabitatError

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.mark.parametrize("bad", [math.nan, math.inf], ids=["nan", "inf"])
def test_f1_polygon_with_a_non_finite_vertex_is_a_habitat_error(bad: float) -> None:
    """F1: make_valid met a NaN/inf vertex and leaked shapely's GEOSException."""
    poly = shapely.Polygon([(0, 0), (1000, 0), (bad, 1000), (0, 1000)])
    ranges = gpd.GeoDataFrame({"individual": ["A"]}, geometry=[poly], crs="EPSG:32652")
    with pytest.raises(HabitatError, match=r"NaN or infinite coordinates \(rows 0\)"):
        habitat.home_ranges_from_polygons(ranges)


@pytest.mark.parametrize("n_animals", [1, 2])
@pytest.mark.parametrize("with_layer", [False, True])
def test_f2_territory_table_without_a_sex_column(n_animals: int, with_layer: bool) -> None:
    """F2: ranges with no ``sex`` column gave KeyError 'sex_a' (sex is optional elsewhere)."""
    box = shapely.box(500_000, 4_800_000, 501_000, 4_801_000)
    ranges = gpd.GeoDataFrame(
        {"individual": ["A", "B"][:n_animals], "level": 0.95},
        geometry=[box] * n_animals,
        crs="EPSG:32652",
    )
    layers = {"park": gpd.GeoDataFrame(geometry=[box.buffer(500)], crs="EPSG:32652")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            table = habitat.territory_table(ranges, layers if with_layer else {})
        except HabitatError:
            return  # refusing, naming the missing column, is acceptable too
    assert sorted(table["individual"].astype(str)) == ["A", "B"][:n_animals]
    if n_animals == 2:  # the two share the whole box: each has one neighbour, sex unknown
        counts = table[["n_same_sex_neighbours", "n_opposite_sex_neighbours"]].to_numpy()
        assert counts.sum(axis=1).tolist() in ([1, 1], [0, 0])


@pytest.mark.parametrize("sex", [None, math.nan], ids=["None", "nan"])
def test_f3_exclusivity_with_a_missing_sex_value(sex: object) -> None:
    """F3: a missing sex value made pandas string concatenation raise TypeError."""
    box = shapely.box(500_000, 4_800_000, 501_000, 4_801_000)
    ranges = gpd.GeoDataFrame(
        {"individual": ["A", "B"], "level": 0.95, "sex": [sex, sex]},  # every sex missing
        geometry=[box, box.buffer(-100)],
        crs="EPSG:32652",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            table = habitat.exclusivity(ranges, level=None)
        except HabitatError:
            return  # refusing, naming the rows, is acceptable too
    assert sorted(table["individual"].astype(str)) == ["A", "B"]

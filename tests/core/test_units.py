import numpy as np
import pandas as pd
import pytest

from habitat import units
from habitat.core.errors import HabitatError, UnitError


def test_square_mile_is_exact():
    # 1 mile = 1609.344 m exactly, so 1 sq mi = 2.589988110336 km2 exactly
    assert units.KM2_PER_SQ_MI == pytest.approx(2.589988110336, rel=1e-15)
    assert units.convert_area(1.0, "sq_mi", "km2") == pytest.approx(2.589988110336, rel=1e-15)


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (1.0, "km", "m", 1000.0),
        (1.0, "mi", "km", 1.609344),
        (5000.0, "m", "mi", 5000.0 / 1609.344),
        (1.0, "km2", "ha", 100.0),
        (1.0, "ha", "m2", 10_000.0),
        (100.0, "km2", "sq_mi", 100.0 / 2.589988110336),
        (38.0, "sq_mi", "km2", 98.419548192768),  # upper female range in facts.md (~98 km2)
        (155.0, "sq_mi", "km2", 401.44815710208),  # male maximum (~400 km2)
    ],
)
def test_conversions(value, src, dst, expected):
    kind = units.convert_length if src in units.LENGTH_UNITS else units.convert_area
    assert kind(value, src, dst) == pytest.approx(expected, rel=1e-12)


def test_round_trip_arrays_and_series_keep_index():
    s = pd.Series([1.0, 2.5, 1e6], index=["a", "b", "c"])
    out = units.convert_area(units.convert_area(s, "km2", "sq_mi"), "sq_mi", "km2")
    pd.testing.assert_series_equal(out, s)
    arr = np.array([1.0, 2.0])
    np.testing.assert_allclose(units.convert_length(arr, "km", "mi"), arr / 1.609344)


def test_area_columns_from_m2():
    cols = units.area_columns(np.array([1e8]))  # a 10 km x 10 km square
    assert cols["area_km2"][0] == pytest.approx(100.0)
    assert cols["area_sq_mi"][0] == pytest.approx(100.0 / 2.589988110336)


def test_unknown_unit_is_a_clear_error():
    with pytest.raises(UnitError, match=r"unknown area unit 'acre'.*'sq_mi'"):
        units.convert_area(1.0, "acre", "km2")
    with pytest.raises(HabitatError):
        units.convert_length(1.0, "m", "ft")
    # a length unit is not an area unit
    with pytest.raises(ValueError, match="unknown area unit 'km'"):
        units.convert_area(1.0, "km", "m2")

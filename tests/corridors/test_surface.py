"""resistance_cells / conductance_cells: the one check of resistance rasters."""

from __future__ import annotations

import numpy as np
import pytest

from habitat.core.errors import (
    EmptyDataError,
    HabitatError,
    InputError,
    ProjectedCRSRequiredError,
)
from habitat.corridors.surface import conductance_cells, resistance_cells
from habitat.io.raster import Raster

UTM = "EPSG:32652"


def raster(array, *, cell=30.0, crs=UTM, nodata=None, transform=None):
    t = transform or (cell, 0.0, 600_000.0, 0.0, -cell, 4_800_000.0)
    return Raster(np.asarray(array), t, crs, nodata=nodata)


def test_values_float64_nan_where_impassable_and_cell_size():
    r = raster([[1, 5, -9999], [2, 100, 7]], cell=25.0, nodata=-9999)
    values, cell = resistance_cells(r)
    assert values.dtype == np.float64
    assert cell == 25.0
    np.testing.assert_array_equal(values, [[1, 5, np.nan], [2, 100, 7]])


def test_nan_and_plus_inf_are_impassable_whatever_nodata_says():
    r = raster([[1.0, np.nan], [np.inf, 3.0]], nodata=-1.0)
    values, _ = resistance_cells(r)
    assert np.isnan(values).tolist() == [[False, True], [True, False]]
    assert values[1, 1] == 3.0


def test_result_is_a_copy_not_a_view():
    array = np.array([[1.0, 2.0]])
    values, _ = resistance_cells(raster(array))
    values[0, 0] = 99.0
    assert array[0, 0] == 1.0


def test_integer_nodata_zero_is_nodata_not_a_zero_resistance():
    values, _ = resistance_cells(raster(np.array([[0, 3]], dtype="uint8"), nodata=0))
    assert np.isnan(values[0, 0]) and values[0, 1] == 3.0


@pytest.mark.parametrize("bad", [0.0, -2.5, -np.inf])
def test_zero_negative_or_minus_inf_named_with_count_and_first_cell(bad):
    array = np.ones((3, 4))
    array[1, 2] = bad
    array[2, 3] = bad
    with pytest.raises(InputError) as info:
        resistance_cells(raster(array), name="leopard surface")
    text = str(info.value)
    assert "leopard surface" in text
    assert "2 cell(s)" in text
    assert "row 1, col 2" in text
    assert f"{bad:g}" in text
    assert "> 0" in text


def test_negative_nodata_value_is_not_an_error():
    values, _ = resistance_cells(raster([[-9999.0, 1.0]], nodata=-9999.0))
    assert np.isnan(values[0, 0])


def test_all_nodata_is_empty_data():
    with pytest.raises(EmptyDataError, match="no data"):
        resistance_cells(raster([[np.nan, np.inf]]))


def test_degrees_refused_with_how_to_reproject():
    r = raster([[1.0, 2.0]], crs="EPSG:4326", transform=(0.01, 0, 131.0, 0, -0.01, 43.0))
    with pytest.raises(ProjectedCRSRequiredError) as info:
        resistance_cells(r)
    assert "degrees" in str(info.value)
    assert "reproject" in str(info.value)


def test_non_square_cells_refused():
    r = raster([[1.0, 2.0]], transform=(30.0, 0, 0.0, 0, -20.0, 0.0))
    with pytest.raises(InputError, match="square"):
        resistance_cells(r)


def test_booleans_and_non_rasters_refused():
    with pytest.raises(InputError, match="booleans"):
        resistance_cells(raster(np.ones((2, 2), dtype=bool)))
    with pytest.raises(InputError, match="Raster"):
        resistance_cells(np.ones((2, 2)))  # type: ignore[arg-type]


def test_errors_are_habitat_errors_and_value_errors():
    with pytest.raises(HabitatError):
        resistance_cells(raster([[0.0]]))
    with pytest.raises(ValueError):
        resistance_cells(raster([[0.0]]))


def test_conductance_is_the_reciprocal():
    values, cell = conductance_cells(raster([[1.0, 4.0, np.nan, 0.5]], cell=10.0))
    np.testing.assert_array_equal(values, [[1.0, 0.25, np.nan, 2.0]])
    assert cell == 10.0

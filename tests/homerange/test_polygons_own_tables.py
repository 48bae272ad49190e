"""home_ranges_from_polygons reads habitat's own range tables back: methods, levels, areas."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely

from habitat.core.errors import ColumnError, DataQualityWarning
from habitat.homerange.polygons import AREA_KEPT_RTOL, home_ranges_from_polygons

X, Y = 600_000, 4_750_000


def _table(**columns) -> gpd.GeoDataFrame:
    geoms = [shapely.box(X, Y, X + 10_000, Y + 10_000), shapely.box(X, Y, X + 20_000, Y + 10_000)]
    return gpd.GeoDataFrame(
        {"individual": ["F1", "F1"], "sex": ["F", "F"], **columns}, geometry=geoms, crs=32652
    )


def _read(table: gpd.GeoDataFrame, **kw) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return home_ranges_from_polygons(table, **kw)


def test_methods_and_levels_are_kept_and_missing_methods_are_given():
    table = _table(method=["kde", None], level=[0.5, 0.95])
    out = _read(table, level="level", method="method")
    assert out["method"].tolist() == ["kde", "given"]
    assert out["level"].tolist() == [0.5, 0.95]
    assert out.index.tolist() == table.index.tolist()
    plain = _read(table)  # without method=: every polygon is given, as before
    assert plain["method"].tolist() == ["given", "given"]


def test_blank_method_text_is_given():
    out = _read(_table(method=["  ", "mcp"]), method="method")
    assert out["method"].tolist() == ["given", "mcp"]


def test_a_method_column_that_is_not_there_is_named():
    with pytest.raises(ColumnError, match="method"):
        _read(_table(), method="method")


def test_estimator_areas_are_kept_when_they_agree_with_the_polygons():
    measured = _read(_table())["area_km2"].to_numpy()
    # a KDE's cell-counted area: 0.3 % off its isopleth polygon
    own = measured * np.array([1.003, 0.999])
    out = _read(_table(area_km2=own), area_km2="area_km2")
    np.testing.assert_allclose(out["area_km2"], own, rtol=1e-12)
    np.testing.assert_allclose(out["area_sq_mi"], own / 2.589988110336, rtol=1e-12)


def test_an_area_that_disagrees_with_its_polygon_is_measured_and_warned():
    measured = _read(_table())["area_km2"].to_numpy()
    edited = measured * np.array([1.0, 1.0 + 2 * AREA_KEPT_RTOL])  # the second was redrawn
    with pytest.warns(DataQualityWarning, match=r"area_km2.*rows? 1\b"):
        out = _read(_table(area_km2=edited), area_km2="area_km2")
    np.testing.assert_allclose(out["area_km2"], [edited[0], measured[1]], rtol=1e-12)
    assert out["repaired"].tolist()[0] == ""  # flagged in the table too, not only warned
    assert out["repaired"].tolist()[1] == "area measured: 'area_km2' was 10.0 % off the polygon's"


@pytest.mark.parametrize("bad", [np.nan, 0.0, -5.0, "n/a"])
def test_a_missing_or_impossible_area_is_measured(bad):
    measured = _read(_table())["area_km2"].to_numpy()
    out = _read(_table(area_km2=[bad, measured[1]]), area_km2="area_km2")
    np.testing.assert_allclose(out["area_km2"], measured, rtol=1e-12)

"""Fuzz: range polygons and layers through the overlap and territory functions.

Polygons come valid, self-intersecting, with NaN or infinite vertices, empty,
missing, across the antimeridian, degenerate, in lon/lat, UTM, Web Mercator or
no CRS. Invariants: nothing but a :class:`~habitat.core.errors.HabitatError`
escapes; where a result comes back, shares are fractions (0..1), areas finite
and non-negative, and every animal of the input is in it.
"""

from __future__ import annotations

import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
from fuzz_strategies import FUZZ, layer_tables, polygon_tables
from hypothesis import given
from hypothesis import strategies as st

import habitat
from habitat.core.errors import HabitatError

pytestmark = pytest.mark.filterwarnings("ignore")


def call(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a public function; None if it raised a habitat error, fail on any other."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return func(*args, **kwargs)
        except HabitatError:
            return None
        except Exception as exc:
            pytest.fail(f"{func.__name__} let a foreign {type(exc).__name__} escape: {exc!r}")


@FUZZ
@given(polygons=polygon_tables(), level=st.sampled_from([0.95, 0.5, "level", "high", 2.0]))
def test_home_ranges_from_polygons(polygons: gpd.GeoDataFrame, level: Any) -> None:
    table = call(habitat.home_ranges_from_polygons, polygons, level=level)
    if table is None:
        return
    assert len(table) == len(polygons)
    area = table["area_km2"].to_numpy(dtype=float)
    assert (np.isfinite(area) & (area >= 0)).all(), area
    assert set(table["individual"].astype(str)) == set(polygons["individual"].astype(str))


@FUZZ
@given(polygons=polygon_tables())
def test_pairwise_overlap_and_exclusivity(polygons: gpd.GeoDataFrame) -> None:
    pairs = call(habitat.pairwise_overlap, polygons)
    if pairs is not None and len(pairs):
        for col in ("share_a", "share_b"):
            if col in pairs.columns:
                v = pairs[col].to_numpy(dtype=float)
                v = v[np.isfinite(v)]
                assert ((v >= -1e-9) & (v <= 1 + 1e-9)).all(), (col, v)
    excl = call(habitat.exclusivity, polygons, level=None)
    if excl is not None and len(excl):
        shares = [
            c
            for c in excl.columns
            if ("share" in c or "exclusiv" in c) and not c.endswith(("_km2", "_m2", "_sq_mi"))
        ]
        for col in shares:
            v = excl[col].to_numpy(dtype=float)
            v = v[np.isfinite(v)]
            assert ((v >= -1e-9) & (v <= 1 + 1e-9)).all(), (col, v)


@FUZZ
@given(polygons=polygon_tables(), layer=layer_tables(), name=st.sampled_from(["park", "", "a b"]))
def test_overlap_with_a_layer(
    polygons: gpd.GeoDataFrame, layer: gpd.GeoDataFrame, name: str
) -> None:
    table = call(habitat.overlap_with, polygons, layer, layer_name=name)
    if table is None or not len(table):
        return
    for col in table.columns:
        if col.endswith("_km2"):
            v = table[col].to_numpy(dtype=float)
            assert (v[np.isfinite(v)] >= -1e-9).all(), col


@FUZZ
@given(
    polygons=polygon_tables(),
    layer=layer_tables(),
    level=st.sampled_from([0.95, None, 0.5]),
)
def test_territory_table(polygons: gpd.GeoDataFrame, layer: gpd.GeoDataFrame, level: Any) -> None:
    call(habitat.territory_table, polygons, {"park": layer}, level=level)

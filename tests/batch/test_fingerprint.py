"""Fingerprints of relocations and options: what counts as the same input."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat.batch.fingerprint import (
    canonical_json,
    fixes_fingerprint,
    table_sha256,
    value_sha256,
)


@pytest.fixture
def fixes() -> gpd.GeoDataFrame:
    n = 6
    return gpd.GeoDataFrame(
        {
            "individual": ["F1"] * n,
            "sex": ["F"] * n,
            "timestamp": pd.date_range("2024-03-01", periods=n, freq="h", tz="UTC"),
            "flag_any": [False, True, False, False, False, False],
            "flag_reason": ["", "speed", "", "", "", ""],
            "source_row": np.arange(1, n + 1),
            "comment": ["a"] * n,
        },
        geometry=shapely.points(np.arange(n) * 100.0, np.arange(n) * 50.0),
        crs="EPSG:32652",
    )


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before if before[k] != after[k])


def test_the_same_fixes_give_the_same_fingerprint(fixes):
    fp = fixes_fingerprint(fixes)
    assert fp == fixes_fingerprint(fixes.copy())
    assert fp == fixes_fingerprint(fixes.set_index(np.arange(10, 16)))  # index does not count
    assert all(len(v) == 64 and set(v) <= set("0123456789abcdef") for v in fp.values())
    # the same instants in another time zone, and columns that only name rows
    other = fixes.assign(
        timestamp=fixes["timestamp"].dt.tz_convert("Asia/Vladivostok"),
        source_row=np.arange(100, 106),
        comment="b",
    )
    assert fixes_fingerprint(other) == fp


@pytest.mark.parametrize(
    ("change", "parts"),
    [
        (
            lambda f: f.set_geometry(
                shapely.points([0, 100, 200, 300, 400, 501], [0, 50, 100, 150, 200, 250]), crs=f.crs
            ),
            ["positions"],
        ),
        (lambda f: f.set_crs("EPSG:32653", allow_override=True), ["positions"]),
        (lambda f: f.assign(timestamp=f["timestamp"] + pd.Timedelta(seconds=1)), ["times"]),
        (lambda f: f.assign(flag_any=False), ["flags"]),
        (lambda f: f.assign(flag_reason=["", "duplicate", "", "", "", ""]), ["flags"]),
        (lambda f: f.assign(flag_speed=False), ["flags"]),
        (lambda f: f.assign(sex="M"), ["sex"]),
        (lambda f: f.assign(individual="F2"), ["id"]),
        (lambda f: f.iloc[::-1], ["flags", "positions", "times"]),  # order matters (bootstrap)
        (lambda f: f.iloc[:5], ["flags", "id", "positions", "sex", "times"]),
    ],
)
def test_each_change_is_named_by_its_part(fixes, change, parts):
    before = fixes_fingerprint(fixes)
    after = fixes_fingerprint(change(fixes))
    assert _changed(before, after) == sorted(["fixes", *parts])


def test_values_that_print_alike_differ():
    one = pd.DataFrame({"id": [1]})
    assert table_sha256(one) != table_sha256(pd.DataFrame({"id": ["1"]}))
    assert table_sha256(pd.DataFrame({"id": [None]})) != table_sha256(
        pd.DataFrame({"id": ["None"]})
    )
    assert table_sha256(pd.DataFrame({"x": [0.1]})) != table_sha256(
        pd.DataFrame({"x": [np.nextafter(0.1, 1)]})
    )
    missing = gpd.GeoDataFrame(geometry=[None, shapely.Point(0, 0)], crs="EPSG:32652")
    empty = gpd.GeoDataFrame(geometry=[shapely.Point(), shapely.Point(0, 0)], crs="EPSG:32652")
    assert table_sha256(missing) != table_sha256(empty)
    # one column's end is not the next one's start
    a = pd.DataFrame({"a": ["x\x1fy"], "b": ["z"]})
    b = pd.DataFrame({"a": ["x"], "b": ["y\x1fz"]})
    assert table_sha256(a) != table_sha256(b)


def test_options_are_compared_by_value():
    a = {"methods": ("mcp", "kde"), "levels": [0.5, 0.95], "method_options": {"kde": {"grid": 200}}}
    b = {
        "method_options": {"kde": {"grid": np.int64(200)}},
        "levels": (0.5, 0.95),
        "methods": ["mcp", "kde"],
    }
    assert value_sha256(a) == value_sha256(b)
    assert value_sha256(a) != value_sha256(
        {**a, "methods": ("kde", "mcp")}
    )  # the first is reported
    assert value_sha256({"x": float("nan")}) == value_sha256({"x": np.nan})
    assert canonical_json({"max_speed_kmh": None}) == '{"max_speed_kmh": null}'


def test_every_nan_is_the_same_missing_value():
    """0/0 gives a NaN with its sign bit set (x86); a NaN read from a file has none: the same."""
    computed = np.array([np.copysign(np.nan, -1.0), 1.0])
    plain = np.array([np.nan, 1.0])
    assert computed.tobytes() != plain.tobytes()  # the bits differ
    a, b = pd.DataFrame({"enn_m": computed}), pd.DataFrame({"enn_m": plain})
    assert table_sha256(a) == table_sha256(b)
    assert table_sha256(a) != table_sha256(pd.DataFrame({"enn_m": [2.0, 1.0]}))

"""Each flag rule of habitat.io.cleaning on small hand-made tables with known answers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat.core.errors import ColumnError, InputError, TimestampError
from habitat.io.cleaning import (
    FLAG_COLUMNS,
    FlagResult,
    flag_duplicate,
    flag_impossible_coords,
    flag_missing_coords,
    flag_not_visible,
    flag_outside_deployment,
    flag_relocations,
    flag_speed,
)

NS_PER_H = 3_600_000_000_000
T0_NS = pd.Timestamp("2024-05-01", tz="UTC").value  # times in ns, as the rules take them
NAN, INF = np.nan, np.inf

# a straight track in UTM 52N, 1 km per hour, with one fix 30 km off at hour 3
X_M = np.array([500_000, 501_000, 502_000, 530_000, 504_000, 505_000], dtype=float)
Y_M = np.full(6, 4_800_000.0)
T_NS = T0_NS + np.arange(6, dtype=np.int64) * NS_PER_H
LEO = ["Leo"] * 6


def test_missing_coords_flags_any_nan_coordinate() -> None:
    result = flag_missing_coords([1.0, NAN, 3.0, NAN], [1.0, 2.0, NAN, NAN])
    assert isinstance(result, FlagResult)
    assert result.flagged.tolist() == [False, True, True, True]
    assert result.reason.tolist() == ["", "missing coordinates"] + ["missing coordinates"] * 2


def test_impossible_coords_in_degrees_and_in_metres() -> None:
    lon = [131.0, 200.0, 131.0, INF, NAN, -180.0]
    lat = [43.0, 43.0, -91.0, 43.0, 43.0, 90.0]
    geo = flag_impossible_coords(lon, lat, geographic=True)
    # out of range or infinite is impossible; missing (NaN) is not; ±180/±90 is allowed
    assert geo.flagged.tolist() == [False, True, True, True, False, False]
    assert geo.reason[1].startswith("coordinates out of range (|lat| > 90 or |lon| > 180)")
    projected = flag_impossible_coords(
        [500_000.0, INF, NAN, 200.0], [4_800_000.0, 0.0, 0.0, 95.0], geographic=False
    )
    assert projected.flagged.tolist() == [False, True, False, False]
    assert projected.reason[1] == "infinite coordinates"


def test_duplicate_keeps_the_first_in_input_order_per_individual() -> None:
    result = flag_duplicate(
        ["A", "A", "B", "A", "A"],
        T0_NS + np.array([0, 0, 0, 5, 0]) * NS_PER_H,
        rows=[10, 11, 12, 13, 14],
    )
    assert result.flagged.tolist() == [False, True, False, False, True]
    assert result.reason[1] == "duplicate of row 10 (same individual and timestamp)"
    assert result.reason[4] == "duplicate of row 10 (same individual and timestamp)"
    # row numbers do not decide which one is kept: input order does
    later = flag_duplicate(["A", "A"], [0, 0], rows=[5, 3])
    assert later.flagged.tolist() == [False, True]
    assert later.reason[1] == "duplicate of row 5 (same individual and timestamp)"


def test_not_visible_reads_movebank_false_words_and_booleans() -> None:
    text = flag_not_visible(["true", " False ", "0", "no", "N", "yes", None, "TRUE"])
    assert text.flagged.tolist() == [False, True, True, True, True, False, False, False]
    assert text.reason[1] == "marked as an outlier (visible = false)"
    booleans = flag_not_visible(pd.Series([True, False, pd.NA], dtype="boolean"))
    assert booleans.flagged.tolist() == [False, True, False]  # a missing mark is not false


def _deployments(individuals, on_h, off_h) -> pd.DataFrame:
    def stamps(hours):
        return pd.to_datetime(
            [None if h is None else T0_NS + h * NS_PER_H for h in hours], unit="ns", utc=True
        )

    return pd.DataFrame(
        {"individual": individuals, "deploy_on": stamps(on_h), "deploy_off": stamps(off_h)}
    )


def test_outside_deployment_with_several_windows_open_ends_and_unlisted_animals() -> None:
    deps = _deployments(["A", "A", "B"], [2, 9, None], [8, None, None])
    t = T0_NS + np.array([0, 5, 10, 8, 0, 0]) * NS_PER_H
    result = flag_outside_deployment(["A", "A", "A", "A", "B", "C"], t, deployments=deps)
    # A: before the first window; inside it; inside the open second one; at the end (kept)
    # B: open at both ends; C: not listed, not checked
    assert result.flagged.tolist() == [True, False, False, False, False, False]
    assert result.reason[0].startswith(
        "outside the deployment (tag on the animal from 2024-05-01 02:00 to "
    )
    assert not flag_outside_deployment(["A"], [0], deployments=None).flagged.any()
    assert not flag_outside_deployment(["A"], [0], deployments=deps.iloc[:0]).flagged.any()


def test_outside_deployment_refuses_bad_deployment_tables() -> None:
    deps = _deployments(["A"], [2], [8])
    with pytest.raises(ColumnError, match=r"deployments.*'deploy_off'.*deploy-off-date"):
        flag_outside_deployment(["A"], [0], deployments=deps.drop(columns="deploy_off"))
    naive = deps.assign(deploy_on=deps["deploy_on"].dt.tz_localize(None))
    with pytest.raises(TimestampError, match=r"'deploy_on' must hold time-zone-aware"):
        flag_outside_deployment(["A"], [0], deployments=naive)


def test_speed_spike_and_in_rules() -> None:
    spike, speed_kmh = flag_speed(
        X_M, Y_M, LEO, T_NS, crs="EPSG:32652", max_speed_kmh=20, rows=np.arange(11, 17)
    )
    assert spike.flagged.tolist() == [False, False, False, True, False, False]
    assert spike.reason[3] == (
        "speed 28.0 km/h from row 13 and 26.0 km/h to row 15 both exceed 20 km/h (spike)"
    )
    assert np.isnan(speed_kmh[0])
    assert speed_kmh[1] == pytest.approx(1.0, rel=1e-3)
    fast_in, _ = flag_speed(
        X_M, Y_M, LEO, T_NS, crs="EPSG:32652", max_speed_kmh=20, speed_rule="in"
    )
    assert fast_in.flagged.tolist() == [False, False, False, True, True, False]
    assert fast_in.reason[4] == "speed 26.0 km/h from row 4 exceeds 20 km/h"


def test_speed_endpoints_and_no_limit() -> None:
    x = np.array([560_000, 501_000, 502_000, 503_000, 540_000], dtype=float)
    ends, _ = flag_speed(x, Y_M[:5], LEO[:5], T_NS[:5], crs="EPSG:32652", max_speed_kmh=20)
    assert ends.flagged.tolist() == [True, False, False, False, True]
    assert ends.reason[0].endswith("to row 2 exceeds 20 km/h (first fix of the individual)")
    assert ends.reason[4].endswith("from row 4 exceeds 20 km/h (last fix of the individual)")
    none, speed_kmh = flag_speed(X_M, Y_M, LEO, T_NS, crs="EPSG:32652", max_speed_kmh=None)
    assert not none.flagged.any()
    assert speed_kmh[3] == pytest.approx(28.0, rel=1e-3)


def test_speed_skips_invalid_and_unlocated_fixes() -> None:
    valid = np.array([True, True, True, False, True, True])
    result, speed_kmh = flag_speed(
        X_M, Y_M, LEO, T_NS, crs="EPSG:32652", max_speed_kmh=20, valid=valid
    )
    assert not result.flagged.any()  # the outlier is not part of the track
    assert np.isnan(speed_kmh[3])
    assert speed_kmh[4] == pytest.approx(1.0, rel=1e-3)  # 2 km in 2 h from hour 2
    x = X_M.copy()
    x[3] = NAN  # without coordinates a fix is never measured, even if called valid
    _, speed_kmh = flag_speed(x, Y_M, LEO, T_NS, crs="EPSG:32652", max_speed_kmh=20)
    assert np.isnan(speed_kmh[3]) and speed_kmh[4] == pytest.approx(1.0, rel=1e-3)


def test_speed_is_per_individual() -> None:
    ids = ["A", "B", "A", "B"]
    x = np.array([500_000, 600_000, 501_000, 601_000], dtype=float)
    t = T0_NS + np.array([0, 0, 1, 1]) * NS_PER_H
    _, speed_kmh = flag_speed(x, Y_M[:4], ids, t, crs="EPSG:32652", max_speed_kmh=None)
    assert np.isnan(speed_kmh[:2]).all()
    assert speed_kmh[2:] == pytest.approx([1.0, 1.0], rel=1e-3)


def test_speed_refuses_bad_options() -> None:
    with pytest.raises(InputError, match=r"positive number of km/h"):
        flag_speed(X_M, Y_M, LEO, T_NS, crs="EPSG:32652", max_speed_kmh=-5)
    with pytest.raises(InputError, match=r"speed_rule must be 'spike' or 'in'"):
        flag_speed(X_M, Y_M, LEO, T_NS, crs="EPSG:32652", max_speed_kmh=5, speed_rule="x")  # type: ignore[arg-type]


def test_flag_relocations_combines_the_rules_and_their_reasons() -> None:
    gdf = gpd.GeoDataFrame(
        {
            "individual": ["A", "A", "A", "A"],
            "timestamp": pd.to_datetime(
                ["2024-01-01 00:00"] * 2 + ["2024-01-01 01:00"] * 2, utc=True
            ),
            "visible": ["true", "false", "true", "true"],
        },
        geometry=[shapely.Point(500_000, 4_800_000)] * 3 + [None],
        crs="EPSG:32652",
    )
    out = flag_relocations(gdf)
    assert out["flag_duplicate"].tolist() == [False, True, False, True]
    assert out["flag_not_visible"].tolist() == [False, True, False, False]
    assert out["flag_missing_coords"].tolist() == [False, False, False, True]
    assert out["flag_reason"].tolist() == [
        "",
        "duplicate of row 1 (same individual and timestamp); "
        "marked as an outlier (visible = false)",
        "",
        "missing coordinates; duplicate of row 3 (same individual and timestamp)",
    ]
    assert out["flag_any"].tolist() == [False, True, False, True]
    assert list(out.columns[-len(FLAG_COLUMNS) - 3 :]) == [
        *FLAG_COLUMNS,
        "flag_any",
        "flag_reason",
        "speed_kmh",
    ]


def test_flag_relocations_wants_a_geodataframe() -> None:
    with pytest.raises(
        InputError,
        match=r"^relocations must be a GeoDataFrame of points, not DataFrame; read them with "
        r"habitat\.io\.read_relocations\.$",
    ):
        flag_relocations(pd.DataFrame({"individual": ["A"]}))  # type: ignore[arg-type]


def test_rules_take_datetimes_of_any_unit_and_refuse_integers_in_another_unit() -> None:
    """pandas 3 datetimes are µs: ``.asi8`` of them must not give speeds 1000x too high."""
    times = pd.Series(pd.to_datetime(T_NS, unit="ns", utc=True)).dt.as_unit("us")
    by_datetime, speed_kmh = flag_speed(X_M, Y_M, LEO, times, crs="EPSG:32652", max_speed_kmh=20)
    assert speed_kmh[1] == pytest.approx(1.0, rel=1e-3)
    assert by_datetime.flagged.tolist() == [False, False, False, True, False, False]
    naive = times.dt.tz_localize(None).to_numpy()  # datetime64[us], taken as UTC
    _, naive_kmh = flag_speed(X_M, Y_M, LEO, naive, crs="EPSG:32652", max_speed_kmh=None)
    assert naive_kmh[1] == pytest.approx(1.0, rel=1e-3)
    microseconds = times.dt.as_unit("us").astype("int64").to_numpy()
    with pytest.raises(InputError, match="microseconds"):
        flag_speed(X_M, Y_M, LEO, microseconds, crs="EPSG:32652", max_speed_kmh=20)
    with pytest.raises(InputError, match="microseconds"):
        flag_outside_deployment(["A"], microseconds[:1], deployments=None)

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
    flag_time_outlier,
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
    assert (
        geo.reason[2]
        == "coordinates out of range (|lat| > 90 or |lon| > 180): lon 131.0, lat -91.0"
    )
    assert geo.reason[3] == "infinite coordinates"  # e.g. 1e400 in a CSV, read as inf
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


# ----------------------------------------------------------------------------- time outliers
NS_PER_DAY = 24 * NS_PER_H


def _time_outliers_oracle(ids, t_ns) -> np.ndarray:
    """A literal transcription of the documented rule, one individual at a time."""
    ids, t_ns = np.asarray(ids, dtype=object), np.asarray(t_ns, dtype=np.int64)
    out = np.zeros(len(t_ns), dtype=bool)
    for ind in set(ids):
        sel = np.flatnonzero(ids == ind)
        if len(sel) < 5:
            continue
        t = t_ns[sel].astype(float)
        q1, q3 = np.quantile(t, [0.25, 0.75])
        steps = np.diff(np.sort(t))
        allowance = max(10 * (q3 - q1), 100 * np.median(steps[steps > 0]))
        early, late = q1 - t > allowance, t - q3 > allowance
        limit = max(3, 0.05 * len(sel))  # more on one side are a deployment of their own
        out[sel] = (early & (early.sum() <= limit)) | (late & (late.sum() <= limit))
    return out


def test_time_outlier_a_date_decades_away_is_flagged_with_a_reason() -> None:
    t = T0_NS + np.arange(60) * 4 * NS_PER_H  # every 4 h from 1 May 2024
    typo = pd.Timestamp("2042-05-03 08:00", tz="UTC").value  # 2024 typed as 2042
    result = flag_time_outlier(["Leo"] * 61, np.append(t, typo))
    assert result.flagged.tolist() == [False] * 60 + [True]
    assert result.reason[60] == (
        "time 2042-05-03 08:00 UTC is 18.0 years after the middle half of the individual's "
        "fixes (2024-05-03 12:00 to 2024-05-08 12:00 UTC), more than 10x its length and 100x "
        "the median interval (4.0 h)"
    )
    assert (result.reason[:60] == "").all()


def test_time_outlier_catches_a_cluster_of_clock_resets() -> None:
    """Three fixes dated 1970 (a GPS clock reset) among 100: a gap rule between neighbours
    would let the cluster vouch for itself; the quartiles do not."""
    t = T0_NS + np.arange(100) * NS_PER_H
    reset = np.array([0, 3600, 7200], dtype=np.int64) * 10**9  # 1970-01-01 00:00, 01:00, 02:00
    result = flag_time_outlier(["Leo"] * 103, np.concatenate([reset, t]))
    assert result.flagged.tolist() == [True] * 3 + [False] * 100
    assert "before the middle half" in result.reason[0]
    assert result.reason[0].startswith("time 1970-01-01 00:00 UTC is 54.3 years before")


@pytest.mark.parametrize(
    "blocks",
    [
        # two deployments 6 years apart, 300 fixes each
        [(0, 300, 4), (6 * 365, 300, 4)],
        # a collar silent for half a year, then 20 % of the fixes
        [(0, 400, 4), (180 + 67, 100, 4)],
        # two tracking week-ends three months apart (the mouflon data)
        [(0, 140, 1 / 3), (90, 140, 1 / 3)],
        # monthly VHF fixes over 5 years
        [(0, 60, 30 * 24)],
    ],
)
def test_time_outlier_leaves_real_gaps_alone(blocks) -> None:
    """Blocks are (start day, number of fixes, interval in hours)."""
    t = np.concatenate(
        [
            T0_NS + int(start * NS_PER_DAY) + (np.arange(n) * step_h * NS_PER_H).astype(np.int64)
            for start, n, step_h in blocks
        ]
    )
    assert not flag_time_outlier(["Leo"] * len(t), t).flagged.any()


def test_time_outlier_is_per_individual_and_needs_five_fixes() -> None:
    # A tracked in 2024, B in 2054: each is judged against its own fixes only
    t_a = T0_NS + np.arange(10) * NS_PER_H
    t_b = pd.Timestamp("2054-01-01", tz="UTC").value + np.arange(10) * NS_PER_H
    assert not flag_time_outlier(["A"] * 10 + ["B"] * 10, np.concatenate([t_a, t_b])).flagged.any()
    # four fixes close together and one 30 years later: too few to judge (four)...
    four = np.append(t_a[:3], t_b[0])
    assert not flag_time_outlier(["A"] * 4, four).flagged.any()
    # ...but with five the far one is flagged
    five = np.append(t_a[:4], t_b[0])
    assert flag_time_outlier(["A"] * 5, five).flagged.tolist() == [False] * 4 + [True]


def test_time_outlier_skips_fixes_not_valid_and_matches_an_oracle() -> None:
    rng = np.random.default_rng(7)
    ids, times = [], []
    for k, name in enumerate(["A", "B", "C", "D", "E"]):
        n = int(rng.integers(4, 80))  # A may have too few fixes to be judged
        track = T0_NS + k * 400 * NS_PER_DAY + np.sort(rng.integers(0, 90 * NS_PER_DAY, n))
        far = T0_NS - rng.integers(1, 40, int(rng.integers(0, 3))) * 365 * NS_PER_DAY
        near = track[-1] + rng.integers(1, 20, 2) * NS_PER_DAY  # a few weeks later: kept
        t = np.concatenate([track, far, near])
        ids += [name] * len(t)
        times.append(t)
    t_all = np.concatenate(times)
    result = flag_time_outlier(ids, t_all)
    expected = _time_outliers_oracle(ids, t_all)
    assert result.flagged.tolist() == expected.tolist()
    assert 0 < expected.sum() < 10
    # fixes not valid are neither judged nor used for the quartiles
    valid = ~result.flagged
    assert not flag_time_outlier(ids, t_all, valid=valid).flagged[~valid].any()


def test_flag_relocations_flags_time_outliers_and_keeps_them_out_of_speeds() -> None:
    hours = np.arange(12)
    x = 500_000.0 + 1000.0 * hours
    t = pd.to_datetime(T0_NS + hours * NS_PER_H, unit="ns", utc=True).tolist()
    t[-1] = pd.Timestamp("2054-05-01", tz="UTC")  # the last fix was dated 30 years late
    gdf = gpd.GeoDataFrame(
        {"individual": "Leo", "timestamp": t},
        geometry=gpd.points_from_xy(x, np.full(12, 4_800_000.0)),
        crs="EPSG:32652",
    )
    out = flag_relocations(gdf, max_speed_kmh=20)
    assert out["flag_time_outlier"].tolist() == [False] * 11 + [True]
    assert out["flag_any"].tolist() == [False] * 11 + [True]
    assert out["flag_reason"].iloc[-1].startswith("time 2054-05-01 00:00 UTC is 30.0 years after")
    assert np.isnan(out["speed_kmh"].iloc[-1])  # not part of the track
    assert "flag_time_outlier" in FLAG_COLUMNS


def test_impossible_projected_coordinates_beyond_any_place_on_earth() -> None:
    # 1e8 m is 2.5 Earth circumferences; Gauss-Krüger easting with zone prefix 60 is fine
    x = [500_000.0, 60_500_000.0, 1.5e8, 500_000.0, 1e300]
    y = [4_800_000.0, 4_800_000.0, 0.0, -2e8, 0.0]
    result = flag_impossible_coords(x, y, geographic=False)
    assert result.flagged.tolist() == [False, False, True, True, True]
    assert (
        result.reason[2]
        == "coordinates more than 100000 km from the CRS origin: x 150000000.0, y 0.0"
    )
    # in feet the limit is the same distance: 1e8 m = 328 million ft
    feet = flag_impossible_coords(
        [3.0e8, 3.4e8], [0.0, 0.0], geographic=False, metres_per_unit=0.3048
    )
    assert feet.flagged.tolist() == [False, True]


def test_time_outlier_spares_a_short_deployment_and_skips_missing_times():
    """10 fixes in 2020 and 50 in 2024 are two deployments; three 1970 resets are typos."""
    from habitat.io.cleaning import flag_time_outlier

    two = pd.date_range("2020-05-01", periods=10, freq="4h", tz="UTC").append(
        pd.date_range("2024-05-01", periods=50, freq="4h", tz="UTC")
    )
    assert not flag_time_outlier(["a"] * 60, two.as_unit("ns").asi8).flagged.any()
    resets = pd.date_range("2024-05-01", periods=100, freq="4h", tz="UTC").append(
        pd.DatetimeIndex(["1970-01-01", "1970-01-01 00:05", "1970-01-01 00:10"], tz="UTC")
    )
    got = flag_time_outlier(["a"] * 103, resets.as_unit("ns").asi8).flagged
    assert got[-3:].all() and not got[:-3].any()
    t = resets.as_unit("ns").asi8.copy()
    t[5] = np.iinfo(np.int64).min  # NaT
    got = flag_time_outlier(["a"] * 103, t).flagged
    assert got[-3:].all() and not got[5]

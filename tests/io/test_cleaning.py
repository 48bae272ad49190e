"""Flagging relocations (duplicates, impossible coordinates, speed spikes) and summaries."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat.core.errors import DataQualityWarning, InputError, MissingCRSError, TimestampError
from habitat.io import read_relocations
from habitat.io.cleaning import (
    FLAG_COLUMNS,
    flag_relocations,
    summarise_relocations,
)

T0 = pd.Timestamp("2024-03-01", tz="UTC")


def track(xs, ys, hours, individual="Leo", crs="EPSG:32652") -> gpd.GeoDataFrame:
    """A GeoDataFrame of fixes at ``hours`` after T0 (None coordinates -> missing)."""
    geoms = [None if x is None else shapely.Point(x, y) for x, y in zip(xs, ys, strict=True)]
    return gpd.GeoDataFrame(
        {
            "individual": [individual] * len(xs),
            "timestamp": [T0 + pd.Timedelta(hours=h) for h in hours],
        },
        geometry=geoms,
        crs=crs,
    )


# a straight track in UTM 52N, 1 km per hour, with one fix 30 km off at hour 3
X = [500_000, 501_000, 502_000, 530_000, 504_000, 505_000]
Y = [4_800_000] * 6
H = [0, 1, 2, 3, 4, 5]


def test_spike_rule_flags_only_the_outlier() -> None:
    out = flag_relocations(track(X, Y, H), max_speed_kmh=20)
    assert out["flag_speed"].tolist() == [False, False, False, True, False, False]
    # speed in: 28 km in 1 h; speed out: 26 km in 1 h (UTM scale factor ~0.9996 near 129E)
    assert out["speed_kmh"].iloc[3] == pytest.approx(28.0, rel=1e-3)
    assert out["speed_kmh"].iloc[4] == pytest.approx(26.0, rel=1e-3)
    assert out["flag_reason"].iloc[3] == (
        "speed 28.0 km/h from row 3 and 26.0 km/h to row 5 both exceed 20 km/h (spike)"
    )
    assert out["flag_reason"].iloc[4] == ""
    assert out["flag_any"].tolist() == out["flag_speed"].tolist()


def test_speed_in_rule_also_flags_the_return_fix() -> None:
    out = flag_relocations(track(X, Y, H), max_speed_kmh=20, speed_rule="in")
    assert out["flag_speed"].tolist() == [False, False, False, True, True, False]
    assert out["flag_reason"].iloc[4] == "speed 26.0 km/h from row 4 exceeds 20 km/h"


def test_spike_rule_at_the_ends_of_a_track() -> None:
    xs = [560_000, 501_000, 502_000, 503_000, 540_000]  # first and last fix are outliers
    out = flag_relocations(track(xs, Y[:5], H[:5]), max_speed_kmh=20)
    assert out["flag_speed"].tolist() == [True, False, False, False, True]
    assert (
        out["flag_reason"]
        .iloc[0]
        .endswith("to row 2 exceeds 20 km/h (first fix of the individual)")
    )
    assert out["flag_reason"].iloc[4].startswith("speed 37.0 km/h from row 4")


def test_no_speed_limit_flags_nothing_but_reports_speeds() -> None:
    out = flag_relocations(track(X, Y, H))
    assert not out["flag_speed"].any()
    assert np.isnan(out["speed_kmh"].iloc[0])
    assert out["speed_kmh"].iloc[1] == pytest.approx(1.0, rel=1e-3)
    assert out.attrs["habitat_flags"] == {"max_speed_kmh": None, "speed_rule": "spike"}


def test_duplicates_keep_the_first_and_are_skipped_for_speed() -> None:
    xs = [500_000, 500_500, 590_000, 501_000]
    out = flag_relocations(track(xs, Y[:4], [0, 1, 1, 2]), max_speed_kmh=20)
    assert out["flag_duplicate"].tolist() == [False, False, True, False]
    assert out["flag_reason"].iloc[2] == "duplicate of row 2 (same individual and timestamp)"
    assert not out["flag_speed"].any()  # the far duplicate is not used for speeds


def test_duplicates_are_per_individual_and_input_order_is_irrelevant() -> None:
    a = track([500_000, 501_000], Y[:2], [1, 0], individual="A")
    b = track([500_000], Y[:1], [0], individual="B")
    df = pd.concat([a, b], ignore_index=True)
    df["source_row"] = [10, 11, 12]
    out = flag_relocations(df, max_speed_kmh=20)
    assert not out["flag_duplicate"].any()  # A at 0 h and B at 0 h are different animals
    assert out["speed_kmh"].iloc[0] == pytest.approx(1.0, rel=1e-3)  # row 10 follows row 11
    assert out.index.tolist() == [0, 1, 2]  # order kept


def test_missing_and_impossible_coordinates() -> None:
    gdf = track(
        [131.0, None, 131.1, 200.0], [43.0, None, 95.0, 43.0], [0, 1, 2, 3], crs="EPSG:4326"
    )
    out = flag_relocations(gdf, max_speed_kmh=20)
    assert out["flag_missing_coords"].tolist() == [False, True, False, False]
    assert out["flag_impossible_coords"].tolist() == [False, False, True, True]
    assert out["flag_reason"].iloc[1] == "missing coordinates"
    assert out["flag_reason"].iloc[2].startswith("coordinates out of range")
    assert out["speed_kmh"].isna().all()  # one valid fix only
    assert set(FLAG_COLUMNS) < set(out.columns)


def test_flag_relocations_refuses_bad_input() -> None:
    gdf = track(X, Y, H)
    with pytest.raises(MissingCRSError, match=r"set_crs"):
        flag_relocations(gdf.set_crs(None, allow_override=True))
    naive = gdf.assign(timestamp=gdf["timestamp"].dt.tz_localize(None))
    with pytest.raises(TimestampError, match=r"time-zone-aware.*tz_localize"):
        flag_relocations(naive)
    with pytest.raises(InputError, match=r"positive number of km/h"):
        flag_relocations(gdf, max_speed_kmh=0)
    with pytest.raises(InputError, match=r"speed_rule"):
        flag_relocations(gdf, speed_rule="out")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- summary
def test_summary_against_hand_computation(write_text) -> None:
    # steps of 300 m (1 h), 400 m (2 h), 1200 m (1 h): median step 400 m, interval 1 h
    path = write_text(
        "track.csv",
        "id,x,y,timestamp,sex\n"
        "A,500000,4800000,2024-03-01T00:00:00Z,f\n"
        "A,500300,4800000,2024-03-01T01:00:00Z,f\n"
        "A,500300,4800400,2024-03-01T03:00:00Z,f\n"
        "A,501500,4800400,2024-03-01T04:00:00Z,f\n"
        "A,,,2024-03-01T05:00:00Z,f\n"
        "B,600000,4900000,2024-03-02T12:00:00Z,M\n",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        fixes = read_relocations(path, crs="EPSG:32652")
    s = summarise_relocations(fixes)
    assert s.index.tolist() == ["A", "B"]
    assert s.loc["A", "sex"] == "F"
    assert s.loc["B", "sex"] == "M"
    assert s["n_fixes"].tolist() == [5, 1]
    assert s["n_flagged"].tolist() == [1, 0]
    assert s["n_missing_coords"].tolist() == [1, 0]
    assert s.loc["A", "first_timestamp"] == pd.Timestamp("2024-03-01 00:00", tz="UTC")
    assert s.loc["A", "last_timestamp"] == pd.Timestamp("2024-03-01 05:00", tz="UTC")
    assert s.loc["A", "duration_days"] == pytest.approx(5 / 24)
    assert s.loc["A", "median_interval_h"] == pytest.approx(1.0)
    # geodesic metres; UTM grid metres near the central meridian differ by ~0.04 %
    assert s.loc["A", "median_step_m"] == pytest.approx(400.0, rel=1e-3)
    assert s.loc["B", "duration_days"] == 0.0
    assert np.isnan(s.loc["B", "median_step_m"])


def test_summary_flags_data_without_flags() -> None:
    s = summarise_relocations(track(X, Y, H))
    assert s.loc["Leo", "n_flagged"] == 0
    assert s.loc["Leo", "sex"] == "unknown"
    assert s.loc["Leo", "median_interval_h"] == 1.0


# ----------------------------------------------------------------------------- scale
@pytest.mark.slow
def test_a_million_fixes_in_seconds(tmp_path: Path) -> None:
    n = 1_000_000
    rng = np.random.default_rng(42)
    x = 500_000 + np.cumsum(rng.normal(0, 50, n))  # ~60 m per 15 min
    y = 4_800_000 + np.cumsum(rng.normal(0, 50, n))
    planted = rng.choice(np.arange(10, n - 10, 5), size=250, replace=False)  # never adjacent
    x[planted] += 50_000  # 50 km away and back within 15 min each way: 200 km/h
    dup = planted[:40] + 2  # 40 duplicate timestamps, never next to a planted spike
    t_ns = pd.date_range("2000-01-01", periods=n, freq="15min").as_unit("ns").asi8.copy()
    t_ns[dup] = t_ns[dup - 1]
    t = pd.to_datetime(t_ns, unit="ns").tz_localize("UTC")
    df = pd.DataFrame({"id": "Leo 1F", "x": x, "y": y, "timestamp": t})
    df.loc[planted[40:70] + 3, ["x", "y"]] = np.nan  # 30 fixes without coordinates

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        fixes = read_relocations(df, crs="EPSG:32652", max_speed_kmh=20)
    summary = summarise_relocations(fixes)
    elapsed = time.perf_counter() - start

    assert len(fixes) == n
    assert fixes["flag_speed"].sum() == 250
    assert set(fixes.loc[fixes["flag_speed"], "source_row"]) == set(planted + 1)
    assert fixes["flag_duplicate"].sum() == 40
    assert fixes["flag_missing_coords"].sum() == 30
    assert summary.loc["Leo 1F", "n_flagged"] == 320
    assert elapsed < 20, f"took {elapsed:.1f} s"  # about 4 s on a laptop
    print(f"read, flag and summarise {n} fixes: {elapsed:.1f} s")


def test_deployment_window_flags_fixes_before_and_after_and_skips_them_for_speed() -> None:
    # hours 0 and 1 are before the collar went on; hour 5 after it came off
    fixes = track(X, Y, H)
    fixes.loc[0, "geometry"] = shapely.Point(700_000, 4_800_000)  # in the office, 200 km away
    deps = pd.DataFrame(
        {
            "individual": ["Leo", "Other"],
            "deploy_on": [T0 + pd.Timedelta(hours=1.5), pd.NaT],
            "deploy_off": [T0 + pd.Timedelta(hours=4.5), pd.NaT],
        }
    )
    deps["deploy_on"] = pd.to_datetime(deps["deploy_on"], utc=True)
    deps["deploy_off"] = pd.to_datetime(deps["deploy_off"], utc=True)
    out = flag_relocations(fixes, max_speed_kmh=20, deployments=deps)
    assert out["flag_outside_deployment"].tolist() == [True, True, False, False, False, True]
    assert out["flag_reason"].iloc[0] == (
        "outside the deployment (tag on the animal from 2024-03-01 01:30 to 2024-03-01 04:30 UTC)"
    )
    # the office fix is not a speed spike: it is not part of the track
    assert not out["flag_speed"].iloc[0] and np.isnan(out["speed_kmh"].iloc[0])
    assert np.isnan(out["speed_kmh"].iloc[2])  # first fix of the deployment


def test_movebank_visible_false_is_flagged() -> None:
    fixes = track(X, Y, H).assign(visible=["true", "true", "true", "false", "true", "TRUE"])
    out = flag_relocations(fixes, max_speed_kmh=20)
    assert out["flag_not_visible"].tolist() == [False, False, False, True, False, False]
    assert out["flag_reason"].iloc[3] == "marked as an outlier (visible = false)"
    # excluded from speeds, so the fix after it is measured from hour 2: 2 km in 2 h
    assert out["speed_kmh"].iloc[4] == pytest.approx(1.0, rel=1e-3)
    assert not out["flag_speed"].any()


def test_demo_data_flags_exactly_the_planted_problems() -> None:
    """The demo README lists the planted problems by event-id; all and only those are flagged."""
    import re

    from habitat import datasets
    from habitat.batch.demo import load_demo_relocations

    readme = datasets.data_path("relocations", "README.md").read_text(encoding="utf-8")
    section = readme.split("## Planted problems", 1)[1]
    planted = {int(m) for m in re.findall(r"^\| (\d+) \|", section, flags=re.M)}
    assert len(planted) == 14
    fixes = load_demo_relocations()
    flagged = set(fixes.loc[fixes["flag_any"], "event-id"].astype(int))
    assert flagged == planted


def test_summary_counts_time_outliers_and_the_counts_add_up() -> None:
    """A fix dated 30 years late is flagged, counted per flag, and left out of the intervals."""
    hours = list(range(10)) + [30 * 365 * 24]
    fixes = track([500_000 + 100 * h for h in range(11)], [4_800_000] * 11, hours)
    s = summarise_relocations(flag_relocations(fixes))
    assert s.loc["Leo", "n_time_outlier"] == 1
    assert s.loc["Leo", "n_flagged"] == 1
    assert s.loc["Leo", "median_interval_h"] == pytest.approx(1.0)
    per_flag = s[["n_" + c.removeprefix("flag_") for c in FLAG_COLUMNS]].sum(axis=1)
    assert (per_flag >= s["n_flagged"]).all()  # a fix may carry several flags, never none

"""Benchmark: reading, validating and flagging a season of collar data.

Compares, in one run on the same files, habitat's
``read_relocations(..., max_speed_kmh=20)`` (parse + validate + flags for missing
coordinates, duplicates and speed spikes, with geodesic speeds) with the peer a
Python user would otherwise pick: pandas + geopandas + MovingPandas
(``TrajectoryCollection.add_speed``) plus pandas ``duplicated`` for duplicates.
Reports times and the ratio, and checks that both give the same speeds.

Usage::

    .venv/bin/pip install movingpandas   # the peer; not a habitat dependency
    .venv/bin/python benchmarks/bench_relocations.py [--animals 100] [--days 365]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from habitat import read_relocations, simulate_relocations  # noqa: E402
from habitat.core.errors import DataQualityWarning  # noqa: E402


def make_movebank_csv(path: Path, n_animals: int, days: int, seed: int) -> int:
    fixes, _ = simulate_relocations(
        n_females=n_animals // 2,
        n_males=n_animals - n_animals // 2,
        days=days,
        fix_interval_h=4.0,
        seed=seed,
    )
    df = pd.DataFrame(
        {
            "event-id": np.arange(1, len(fixes) + 1),
            "timestamp": fixes["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S.000"),
            "location-long": fixes.geometry.x.round(6),
            "location-lat": fixes.geometry.y.round(6),
            "individual-local-identifier": fixes["individual"],
            "sensor-type": "gps",
        }
    )
    df.to_csv(path, index=False)
    return len(df)


def run_habitat(path: Path) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return read_relocations(path, max_speed_kmh=20.0)


def run_movingpandas(path: Path) -> pd.DataFrame:
    import movingpandas as mpd

    df = pd.read_csv(path)
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True).dt.tz_localize(None)
    gdf = gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(df["location-long"], df["location-lat"]), crs=4326
    )
    dup = gdf.duplicated(["individual-local-identifier", "timestamp"])
    tc = mpd.TrajectoryCollection(gdf[~dup], "individual-local-identifier", t="timestamp")
    tc.add_speed(units=("km", "h"), overwrite=True)
    out = tc.to_point_gdf()
    out["flag_speed_in"] = out["speed"] > 20.0
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--animals", type=int, default=100)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fixes.csv"
        n = make_movebank_csv(path, args.animals, args.days, args.seed)
        print(f"{args.animals} animals x {args.days} days of 4-hourly fixes = {n:,} fixes")
        run_habitat(path)  # warm-up (imports, PROJ database)
        t0 = time.perf_counter()
        ours = run_habitat(path)
        t_ours = time.perf_counter() - t0
        print(f"habitat.read_relocations + flags : {t_ours:8.2f} s")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                import movingpandas  # noqa: F401  (imported before timing)
            except ImportError:
                print("movingpandas not installed: `pip install movingpandas` for the ratio")
                return 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            peer = run_movingpandas(path)
            t_peer = time.perf_counter() - t0
        print(f"pandas + MovingPandas add_speed   : {t_peer:8.2f} s")
        print(f"ratio (peer / habitat)            : {t_peer / t_ours:8.1f}x")
        # same speeds (both geodesic on WGS 84), fix by fix
        a = ours.set_index(["individual", ours["timestamp"].dt.tz_localize(None)])["speed_kmh"]
        b = peer.reset_index().set_index(["individual-local-identifier", "timestamp"])["speed"]
        a, b = a.dropna(), b.reindex(a.dropna().index)
        both = b.notna()
        err = np.abs(a[both].to_numpy() - b[both].to_numpy()) / np.maximum(b[both], 1e-9)
        print(f"speeds compared: {int(both.sum()):,}; max relative difference {err.max():.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

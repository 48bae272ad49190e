"""Benchmark: range x layer overlap and pairwise overlap vs geopandas.overlay (issue 4).

Same run, same data, identical areas checked to 1e-9 relative:
  * 10,000 circular ranges (radius 3-10 km, random centres in the study area)
    against the bundled park zones and countries: ``habitat.overlap_with`` vs
    ``geopandas.overlay(ranges, layer, how="intersection")``;
  * pairwise overlap of 2,000 such ranges: ``habitat.pairwise_overlap`` vs
    ``geopandas.overlay(ranges, ranges, how="intersection")``.

Each workload is timed twice:
  * "equal-area input": both sides get the same GeoDataFrames, already in the
    equal-area CRS the areas are measured in (habitat reprojects nothing);
  * "raw input": the ranges in UTM 52N and the layer in WGS 84; habitat
    reprojects internally, the overlay side is timed with its ``to_crs`` calls.

The machine is shared and noisy, so both sides run ``--repeats`` times,
interleaved, and the best time of each is reported.

Usage::

    .venv/bin/python benchmarks/bench_overlap.py [--repeats 5] [--n-jobs N] [--only layer]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from habitat import crs as hcrs  # noqa: E402
from habitat import datasets, overlap_with, pairwise_overlap  # noqa: E402


def make_ranges(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    """``n`` circular ranges (radius 3-10 km, 64-gons) in UTM 52N around the leopard range."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(560_000, 700_000, n)  # UTM 52N, the leopard range
    y = rng.uniform(4_700_000, 4_880_000, n)
    r = rng.uniform(3000, 10_000, n)
    geoms = shapely.buffer(shapely.points(x, y), r, quad_segs=16)
    return gpd.GeoDataFrame(
        {"individual": [f"R{i:05d}" for i in range(n)], "method": "given", "level": 0.95},
        geometry=geoms,
        crs=32652,
    )


def make_layer() -> gpd.GeoDataFrame:
    """The bundled park zones and countries as one layer with a ``feature`` column (WGS 84)."""
    layers = datasets.layers()
    zones = layers["park_zones"][["zone", "geometry"]].rename(columns={"zone": "feature"})
    countries = layers["countries"][["name", "geometry"]].rename(columns={"name": "feature"})
    return gpd.GeoDataFrame(
        {"feature": [*zones["feature"], *countries["feature"]]},
        geometry=[*zones.geometry, *countries.geometry],
        crs=4326,
    )


def best_of(
    repeats: int, ours: Callable[[], Any], peer: Callable[[], Any]
) -> tuple[Any, float, Any, float]:
    """Run both ``repeats`` times, interleaved; return each one's last result and best time (s)."""
    t_ours, t_peer = np.inf, np.inf
    out_ours = out_peer = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(repeats):
            t0 = time.perf_counter()
            out_ours = ours()
            t_ours = min(t_ours, time.perf_counter() - t0)
            t0 = time.perf_counter()
            out_peer = peer()
            t_peer = min(t_peer, time.perf_counter() - t0)
    return out_ours, t_ours, out_peer, t_peer


def layer_rel_diff(ours: pd.DataFrame, peer: gpd.GeoDataFrame) -> float:
    """Max relative difference of range x feature areas; raises if the pair sets differ."""
    a = ours[ours["feature"] != "(outside)"]
    a = a[a["area_km2"] > 0].groupby(["individual", "feature"])["area_km2"].sum()
    b = (peer.area / 1e6).groupby([peer["individual"], peer["feature"]]).sum()
    b = b[b > 0]
    if not a.index.sort_values().equals(b.index.sort_values()):
        raise SystemExit(f"pair sets differ: {len(a)} habitat vs {len(b)} overlay")
    return float(np.abs(a.reindex(b.index) / b - 1).max())


def pairwise_rel_diff(ours: pd.DataFrame, peer: gpd.GeoDataFrame) -> float:
    """Max relative difference of pair areas; raises if the pair sets differ."""
    peer = peer[peer["individual_1"] < peer["individual_2"]]
    b = (peer.area / 1e6).groupby([peer["individual_1"], peer["individual_2"]]).sum()
    b = b[b > 0]
    a = ours.set_index(["individual_a", "individual_b"])["area_km2"]
    a = a[a > 0]
    if not a.index.sort_values().equals(b.index.sort_values()):
        raise SystemExit(f"pair sets differ: {len(a)} habitat vs {len(b)} overlay")
    return float(np.abs(a.reindex(b.index) / b - 1).max())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per side (best is kept)")
    parser.add_argument("--n-jobs", type=int, default=None, help="habitat threads (default: auto)")
    parser.add_argument(
        "--only",
        choices=("layer", "pairwise"),
        default=None,
        help="run only the range x layer or only the pairwise workloads",
    )
    args = parser.parse_args(argv)
    reps, jobs = args.repeats, args.n_jobs

    layer = make_layer()
    ranges = make_ranges(10_000)
    ea = hcrs.equal_area_crs(ranges)
    r_ea, l_ea = ranges.to_crs(ea), layer.to_crs(ea)
    r2 = make_ranges(2000, seed=2)
    r2_ea = r2.to_crs(ea)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        overlap_with(ranges.iloc[:10], layer)  # warm-up (imports, PROJ database)

    def overlay_raw(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
        a2 = a.to_crs(ea)
        b2 = a2 if b is None else b.to_crs(ea)
        return gpd.overlay(a2, b2, how="intersection", keep_geom_type=True)

    rows = []
    cases = [
        (
            "10,000 ranges x 7 zones/countries, equal-area input",
            lambda: overlap_with(r_ea, l_ea, by="feature", crs=ea, n_jobs=jobs),
            lambda: gpd.overlay(r_ea, l_ea, how="intersection", keep_geom_type=True),
            layer_rel_diff,
        ),
        (
            "10,000 ranges x 7 zones/countries, raw input",
            lambda: overlap_with(ranges, layer, by="feature", crs=ea, n_jobs=jobs),
            lambda: overlay_raw(ranges, layer),
            layer_rel_diff,
        ),
        (
            "pairwise 2,000 ranges, equal-area input",
            lambda: pairwise_overlap(r2_ea, crs=ea, n_jobs=jobs),
            lambda: gpd.overlay(r2_ea, r2_ea, how="intersection", keep_geom_type=True),
            pairwise_rel_diff,
        ),
        (
            "pairwise 2,000 ranges, raw input",
            lambda: pairwise_overlap(r2, crs=ea, n_jobs=jobs),
            lambda: overlay_raw(r2, None),
            pairwise_rel_diff,
        ),
    ]
    if args.only is not None:
        cases = [c for c in cases if c[0].startswith("pairwise") == (args.only == "pairwise")]
    for name, ours_fn, peer_fn, diff in cases:
        ours, t_ours, peer, t_peer = best_of(reps, ours_fn, peer_fn)
        rows.append((name, t_ours, t_peer, t_peer / t_ours, diff(ours, peer)))
        print(f"  done: {name}", file=sys.stderr)

    width = max(len(r[0]) for r in rows)
    print(f"best of {reps} runs each, n_jobs={jobs or 'auto'}")
    print(f"{'workload':<{width}}  habitat  overlay  ratio  max rel diff")
    for name, t_ours, t_peer, ratio, rel in rows:
        print(f"{name:<{width}}  {t_ours:6.2f}s  {t_peer:6.2f}s  {ratio:4.1f}x  {rel:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

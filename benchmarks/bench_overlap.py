"""Benchmark: range x layer overlap and pairwise overlap vs geopandas.overlay (issue 4).

Same run, same data, identical areas checked to 1e-9 relative:
  * 10,000 circular ranges (radius 3-10 km, random centres in the study area)
    against the bundled park zones and countries: ``habitat.overlap_with`` vs
    ``geopandas.overlay(ranges, layer, how="intersection")``;
  * pairwise overlap of 2,000 such ranges: ``habitat.pairwise_overlap`` vs
    ``geopandas.overlay(ranges, ranges, how="intersection")``.

Usage::

    .venv/bin/python benchmarks/bench_overlap.py
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from habitat import crs as hcrs  # noqa: E402
from habitat import datasets, overlap_with, pairwise_overlap  # noqa: E402


def make_ranges(n: int, seed: int = 1) -> gpd.GeoDataFrame:
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


def timed(fn, *a, **k):
    t0 = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t0


def main() -> int:
    layers = datasets.layers()
    zones = layers["park_zones"][["zone", "geometry"]].rename(columns={"zone": "feature"})
    countries = layers["countries"][["name", "geometry"]].rename(columns={"name": "feature"})
    layer = gpd.GeoDataFrame(
        {"feature": [*zones["feature"], *countries["feature"]]},
        geometry=[*zones.geometry, *countries.geometry],
        crs=4326,
    )
    ranges = make_ranges(10_000)
    ea = hcrs.equal_area_crs(ranges)
    r_ea, l_ea = ranges.to_crs(ea), layer.to_crs(ea)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        overlap_with(ranges.iloc[:10], layer)  # warm-up
        ours, t_ours = timed(overlap_with, ranges, layer, by="feature", crs=ea)
        peer, t_peer = timed(gpd.overlay, r_ea, l_ea, how="intersection", keep_geom_type=True)
    a = ours[ours["feature"] != "(outside)"]
    a = a[a["area_km2"] > 0].groupby(["individual", "feature"])["area_km2"].sum()
    b = (peer.area / 1e6).groupby([peer["individual"], peer["feature"]]).sum()
    b = b[b > 0]
    missing = int(a.reindex(b.index).isna().sum())
    rel = np.abs(a.reindex(b.index) / b - 1).max()
    print(
        f"pairs overlay has and habitat lacks: {missing}; extra in habitat: "
        f"{len(a.index.difference(b.index))}"
    )
    print(
        f"10,000 ranges x {len(layer)} zones/countries: habitat {t_ours:.2f} s, "
        f"overlay {t_peer:.2f} s, ratio {t_peer / t_ours:.2f}x, max rel diff {rel:.1e}"
    )

    r2 = make_ranges(2000, seed=2)
    r2_ea = r2.to_crs(ea)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, t_ours = timed(pairwise_overlap, r2, crs=ea)
        peer, t_peer = timed(gpd.overlay, r2_ea, r2_ea, how="intersection", keep_geom_type=True)
    peer = peer[peer["individual_1"] < peer["individual_2"]]
    pa = (peer.area / 1e6).groupby([peer["individual_1"], peer["individual_2"]]).sum()
    pa = pa[pa > 0]
    oa = ours.set_index(["individual_a", "individual_b"])["area_km2"]
    oa = oa[oa > 0]
    rel = np.abs(oa.reindex(pa.index) / pa - 1).max()
    print(
        f"pairwise 2,000 ranges ({len(oa):,} pairs): habitat {t_ours:.2f} s, "
        f"overlay {t_peer:.2f} s, ratio {t_peer / t_ours:.1f}x, max rel diff {rel:.1e}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

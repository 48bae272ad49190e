"""Benchmark: full territory reports for 100 animals x 2,000 fixes, 1 worker vs 2.

Data: 50 female and 50 male simulated leopards (habitat.datasets.simulate, exact
Ornstein-Uhlenbeck, seed 7), 2,000 fixes each (4-hourly for 333 days), in the
bundled study area. Work: ``habitat.batch.run_report`` with its defaults (MCP and
KDE href grid 200 at 50 % and 95 %, UD and area-curve figures, territory table,
pairwise overlap, land cover and road density, one map and page per animal,
index page, GeoPackage/CSV/GeoParquet). It runs once in this process
(``workers=1``) and once on two local processes (``workers=2``), each into a
fresh folder, and checks that both wrote identical metrics. Target (issue 5):
at most 60 s on 2 cores.

Usage::

    .venv/bin/python benchmarks/bench_report.py [--animals 100] [--fixes 2000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from habitat.batch.runner import run_report  # noqa: E402
from habitat.datasets.simulate import simulate_relocations  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--animals", type=int, default=100)
    ap.add_argument("--fixes", type=int, default=2000)
    args = ap.parse_args()
    days = args.fixes * 4 / 24
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = simulate_relocations(
            n_females=args.animals // 2,
            n_males=args.animals - args.animals // 2,
            days=days,
            fix_interval_h=4.0,
            seed=7,
        )
    fixes = sim.fixes
    print(f"{fixes['individual'].nunique()} animals, {len(fixes):,} fixes")
    times: dict[int, float] = {}
    metrics: dict[int, pd.DataFrame] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            out = Path(tmp) / f"w{workers}"
            t0 = time.perf_counter()
            result = run_report(fixes, out, workers=workers, progress=False)
            times[workers] = time.perf_counter() - t0
            metrics[workers] = pd.read_csv(result.files["metrics_csv"])
            size_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
            print(
                f"workers={workers}: {times[workers]:6.1f} s, {len(result.pages)} pages, "
                f"{len(result.failures)} failures, {size_mb:.0f} MB written"
            )
    pd.testing.assert_frame_equal(metrics[1], metrics[2])
    print("metrics identical with 1 and 2 workers")
    print()
    print("| animals x fixes | 1 worker | 2 workers | speed-up | target |")
    print("|---|---:|---:|---:|---|")
    print(
        f"| {args.animals} x {args.fixes:,} | {times[1]:.1f} s | {times[2]:.1f} s | "
        f"**{times[1] / times[2]:.2f}x** | <= 60 s on 2 cores: "
        f"{'met' if times[2] <= 60 else 'NOT met'} |"
    )


if __name__ == "__main__":
    main()

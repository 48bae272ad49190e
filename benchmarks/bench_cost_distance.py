"""Benchmark: accumulated cost distance, habitat vs scikit-image's MCP_Geometric.

Data: a seeded land cover from ``habitat.datasets.simulate.simulate_land_cover``
(four classes in equal shares, ``correlation_cells=8``, 30 m cells, UTM 52N),
``--sizes`` cells a side (2,000 = 4 M cells and 8,000 = 64 M cells by default),
classes mapped to resistances 1 / 5 / 20 / 100, float64, and ``--sources``
seeded source cells (5 by default). The parent builds the surface once and
saves it to a temporary ``.npy``; every case runs in a fresh child process that
loads it:

* **habitat**: ``habitat.corridors.cost.cost_distance(Raster(r, ...), points)``,
  the whole call (the surface's checks, the padded copy, the compiled Dijkstra
  search, the output raster). The child first runs a 64 x 64 surface (numba
  loading its cached kernels, or compiling them), timed apart as the warm-up.
* **skimage**: ``MCP_Geometric(r, sampling=(30, 30)).find_costs(cells)``, as a
  plain user would call it (the constructor included).

Both results are compared in the parent: largest absolute and relative
difference on the cells both reach, and whether the unreachable cells agree.
Peak memory of a case = the child's largest resident set during the case
(``VmHWM`` reset with ``/proc/self/clear_refs`` once the surface is loaded and
the warm-up is done) minus its resident set at that moment, also as a multiple
of the surface's float64 size (8 bytes a cell). Times and the ratio come from
the same run.

Usage::

    .venv/bin/python benchmarks/bench_cost_distance.py            # 4 M and 64 M cells (~5-8 min)
    .venv/bin/python benchmarks/bench_cost_distance.py --quick    # 500 and 1,000 a side
    .venv/bin/python benchmarks/bench_cost_distance.py --sizes 2000 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from peak_memory import peak_mb, reset_peak, status_mb  # noqa: E402

SEED = 13
CELL_M = 30.0
RESISTANCES = (1.0, 5.0, 20.0, 100.0)  # classes 1..4
CORRELATION_CELLS = 8.0
WARMUP_CELLS = 64
X0, Y0 = 500_000.0, 4_900_000.0
CASES = ("habitat", "skimage")


def build_surface(size: int, n_sources: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded resistance (float64) and source cells (n, 2) of a size x size grid."""
    from habitat.datasets.simulate import simulate_land_cover

    cover = simulate_land_cover(
        (size, size), correlation_cells=CORRELATION_CELLS, seed=SEED, cell_size_m=CELL_M
    )
    lookup = np.array((np.nan, *RESISTANCES))
    resistance = lookup[cover.array]
    rng = np.random.default_rng(SEED)
    cells = rng.integers(0, size, size=(n_sources, 2))
    return resistance, np.unique(cells, axis=0)


def _habitat(resistance: np.ndarray, cells: np.ndarray) -> np.ndarray:
    import geopandas as gpd

    from habitat.corridors.cost import cost_distance
    from habitat.io.raster import Raster

    surface = Raster(resistance, (CELL_M, 0.0, X0, 0.0, -CELL_M, Y0), "EPSG:32652")
    x = X0 + (cells[:, 1] + 0.5) * CELL_M
    y = Y0 - (cells[:, 0] + 0.5) * CELL_M
    sources = gpd.GeoSeries.from_xy(x, y, crs="EPSG:32652")
    return cost_distance(surface, sources).array


def _skimage(resistance: np.ndarray, cells: np.ndarray) -> np.ndarray:
    from skimage.graph import MCP_Geometric

    mcp = MCP_Geometric(resistance, sampling=(CELL_M, CELL_M))
    costs, _ = mcp.find_costs([tuple(c) for c in cells.tolist()])
    return np.asarray(costs)


def child(case: str, folder: Path) -> dict[str, Any]:
    """Run one case on the saved surface; save its result; return time and memory."""
    resistance = np.load(folder / "resistance.npy")
    cells = np.load(folder / "cells.npy")
    run = _habitat if case == "habitat" else _skimage
    t0 = time.perf_counter()
    tiny, _ = build_surface(WARMUP_CELLS, 2)
    run(tiny, np.array([[3, 3], [40, 50]]))
    warm_up_s = time.perf_counter() - t0
    rss = status_mb("VmRSS")
    reset = reset_peak()
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    out = run(resistance, cells)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    peak = peak_mb(reset) - (rss if reset else 0.0)
    np.save(folder / f"{case}.npy", out)
    return {
        "case": case,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "warm_up_s": warm_up_s,
        "peak_mb": peak,
        "peak_over_surface": peak / (resistance.nbytes / 2**20),
    }


def _run_child(case: str, folder: Path) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", case, "--folder", str(folder)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"case {case} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(folder: Path) -> dict[str, Any]:
    ours = np.load(folder / "habitat.npy")
    ref = np.load(folder / "skimage.npy")
    both = np.isfinite(ours) & np.isfinite(ref)
    diff = np.abs(ours[both] - ref[both])
    scale = np.maximum(np.abs(ref[both]), 1e-300)
    return {
        "max_abs_diff": float(diff.max()) if diff.size else 0.0,
        "max_rel_diff": float((diff / scale).max()) if diff.size else 0.0,
        "identical_share": float(np.mean(ours[both] == ref[both])) if diff.size else 1.0,
        "same_unreachable": bool(np.array_equal(np.isfinite(ours), np.isfinite(ref))),
    }


def bench(size: int, n_sources: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench_cost_") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        resistance, cells = build_surface(size, n_sources)
        np.save(folder / "resistance.npy", resistance)
        np.save(folder / "cells.npy", cells)
        build_s = time.perf_counter() - t0
        del resistance
        load = os.getloadavg()[0]
        results = {case: _run_child(case, folder) for case in CASES}
        row: dict[str, Any] = {
            "size": size,
            "cells": size * size,
            "sources": len(cells),
            "build_s": build_s,
            "load_before": load,
            "load_after": os.getloadavg()[0],
        }
        for case, res in results.items():
            for key, value in res.items():
                if key != "case":
                    row[f"{case}_{key}"] = value
        row["speedup"] = row["skimage_seconds"] / row["habitat_seconds"]
        row["cpu_speedup"] = row["skimage_cpu_seconds"] / row["habitat_cpu_seconds"]
        row.update(compare(folder))
        return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=None, help="cells a side, comma-separated")
    parser.add_argument("--sources", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="500 and 1,000 cells a side")
    parser.add_argument("--json", default=None, help="write the rows to this file")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, Path(args.folder))))
        return 0
    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else ([500, 1000] if args.quick else [2000, 8000])
    )
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}"
    )
    rows = []
    for size in sizes:
        row = bench(size, args.sources)
        rows.append(row)
        print(
            f"{size:>6}^2 = {row['cells'] / 1e6:5.1f} M cells, {row['sources']} sources: "
            f"habitat {row['habitat_seconds']:7.2f} s (cpu {row['habitat_cpu_seconds']:.2f}, "
            f"warm-up {row['habitat_warm_up_s']:.1f} s, peak {row['habitat_peak_mb']:,.0f} MB = "
            f"{row['habitat_peak_over_surface']:.1f}x the surface) | skimage "
            f"{row['skimage_seconds']:7.2f} s (cpu {row['skimage_cpu_seconds']:.2f}, peak "
            f"{row['skimage_peak_mb']:,.0f} MB = {row['skimage_peak_over_surface']:.1f}x) | "
            f"{row['speedup']:.2f}x faster (cpu {row['cpu_speedup']:.2f}x) | max abs diff "
            f"{row['max_abs_diff']:.3g}, max rel diff {row['max_rel_diff']:.3g}, identical "
            f"{row['identical_share']:.4%}, same unreachable {row['same_unreachable']} | load "
            f"{row['load_before']:.1f} -> {row['load_after']:.1f}",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

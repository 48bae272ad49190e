"""Benchmark: least-cost corridors between 20 cores, habitat vs a plain scikit-image script.

Data: a seeded land cover from ``habitat.datasets.simulate.simulate_land_cover``
(four classes in equal shares, ``correlation_cells=8``, 30 m cells, UTM 52N),
``--size`` cells a side (2,000 = 4 M cells by default), classes mapped to
resistances 1 / 5 / 20 / 100, float64, and ``--cores`` square cores of 20 x 20
cells (600 m) on a jittered lattice (seeded). Each case runs in a fresh child
process that loads the surface saved by the parent:

* **habitat**: ``habitat.corridors.corridors(Raster(r, ...), cores,
  cutoff=...)`` with the default ``pairs="adjacent"``: the whole call (cost
  allocation, one cost distance per core, normalised corridors and their
  mosaic, least-cost paths, widths along every path, corridor polygons). The
  child first runs a 64 x 64 case (numba loading its cached kernels), timed
  apart as the warm-up.
* **skimage**: what a user would write without habitat, and less than habitat
  does (no widths, no polygons): ``MCP_Geometric(r, sampling=(30, 30))
  .find_costs`` from each core, the allocation as the argmin of the 20 cost
  rasters, adjacent pairs from touching allocation zones, per pair the LCD,
  ``CWD_A + CWD_B - LCD`` truncated at the cutoff and mosaicked by minimum,
  and the path by ``traceback``.

The parent compares the pairs, the least-cost distances (largest relative
difference) and the corridor surfaces (largest absolute difference where both
keep a cell, and whether they keep the same cells). Peak memory of a case = the
child's largest resident set during the case (``VmHWM`` reset once the surface
is loaded) minus its resident set then, also as a multiple of the surface's
float64 size.

Usage::

    .venv/bin/python benchmarks/bench_corridors.py            # 4 M cells, 20 cores (~3 min)
    .venv/bin/python benchmarks/bench_corridors.py --quick    # 500 a side, 8 cores
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
import warnings
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from peak_memory import reset_peak, status_mb  # noqa: E402

SEED = 13
CELL_M = 30.0
RESISTANCES = (1.0, 5.0, 20.0, 100.0)  # classes 1..4
CORRELATION_CELLS = 8.0
CORE_CELLS = 20
X0, Y0 = 500_000.0, 4_900_000.0
CASES = ("habitat", "skimage")


def build(size: int, n_cores: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded resistance (float64) and core boxes (n, 4: row0, col0, row1, col1)."""
    from habitat.datasets.simulate import simulate_land_cover

    cover = simulate_land_cover(
        (size, size), correlation_cells=CORRELATION_CELLS, seed=SEED, cell_size_m=CELL_M
    )
    resistance = np.array((np.nan, *RESISTANCES))[cover.array]
    nx = int(np.ceil(np.sqrt(n_cores * 5 / 4)))
    ny = int(np.ceil(n_cores / nx))
    rng = np.random.default_rng(SEED)
    gx, gy = np.meshgrid((np.arange(nx) + 0.5) / nx, (np.arange(ny) + 0.5) / ny)
    centres = np.c_[gy.ravel(), gx.ravel()][:n_cores]
    centres += rng.uniform(-0.25, 0.25, size=centres.shape) / np.array([ny, nx])
    r0 = np.clip((centres * size).astype(int) - CORE_CELLS // 2, 0, size - CORE_CELLS)
    boxes = np.c_[r0, r0 + CORE_CELLS]
    return resistance, boxes[:, [0, 1, 2, 3]]


def _habitat(resistance: np.ndarray, boxes: np.ndarray, cutoff: float) -> dict[str, Any]:
    import geopandas as gpd
    import shapely

    from habitat.corridors.linkage import corridors
    from habitat.io.raster import Raster

    surface = Raster(resistance, (CELL_M, 0.0, X0, 0.0, -CELL_M, Y0), "EPSG:32652")
    geoms = [
        shapely.box(X0 + c0 * CELL_M, Y0 - r1 * CELL_M, X0 + c1 * CELL_M, Y0 - r0 * CELL_M)
        for r0, c0, r1, c1 in boxes.tolist()
    ]
    cores = gpd.GeoDataFrame({"core": range(1, len(geoms) + 1)}, geometry=geoms, crs=32652)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = corridors(surface, cores, id_column="core", cutoff=cutoff)
    links = result.links
    return {
        "pairs": [[int(a), int(b)] for a, b in zip(links.from_id, links.to_id, strict=True)],
        "lcd": links.cost_weighted_distance.tolist(),
        "surface": result.surface.array,
        "median_width_m": float(links.width_m.median()),
        "min_width_m": float(links.min_width_m.min()),
    }


def _skimage(resistance: np.ndarray, boxes: np.ndarray, cutoff: float) -> dict[str, Any]:
    from skimage.graph import MCP_Geometric

    costs, mcps = [], []
    for r0, c0, r1, c1 in boxes.tolist():
        mcp = MCP_Geometric(resistance, sampling=(CELL_M, CELL_M))
        starts = [(r, c) for r in range(r0, r1) for c in range(c0, c1)]
        costs.append(mcp.find_costs(starts)[0])
        mcps.append(mcp)
    stack = np.stack(costs)
    alloc = np.argmin(stack, axis=0) + 1
    alloc[~np.isfinite(stack.min(axis=0))] = 0
    del stack
    pairs = set()
    for a, b in (
        (alloc[:, :-1], alloc[:, 1:]),
        (alloc[:-1, :], alloc[1:, :]),
        (alloc[:-1, :-1], alloc[1:, 1:]),
        (alloc[:-1, 1:], alloc[1:, :-1]),
    ):
        touch = (a != b) & (a > 0) & (b > 0)
        for i, j in zip(a[touch].tolist(), b[touch].tolist(), strict=True):
            pairs.add((min(i, j), max(i, j)))
    mosaic = np.full(resistance.shape, np.inf)
    out_pairs, lcds = [], []
    for i, j in sorted(pairs):
        r0, c0, r1, c1 = boxes[j - 1]
        block = costs[i - 1][r0:r1, c0:c1]
        lcd = float(block.min())
        end = np.unravel_index(np.argmin(block), block.shape)
        mcps[i - 1].traceback((r0 + end[0], c0 + end[1]))
        nlcc = costs[i - 1] + costs[j - 1]
        nlcc -= nlcc.min()
        np.minimum(mosaic, nlcc, out=mosaic)
        out_pairs.append([i, j])
        lcds.append(lcd)
    mosaic[mosaic > cutoff] = np.nan
    mosaic[np.isnan(resistance)] = np.nan
    return {"pairs": out_pairs, "lcd": lcds, "surface": mosaic}


def child(case: str, folder: Path, cutoff: float) -> dict[str, Any]:
    resistance = np.load(folder / "resistance.npy")
    boxes = np.load(folder / "boxes.npy")
    run = _habitat if case == "habitat" else _skimage
    t0 = time.perf_counter()
    tiny, tiny_boxes = build(64, 2)
    run(tiny, tiny_boxes, cutoff)
    warm_up_s = time.perf_counter() - t0
    rss = status_mb("VmRSS")
    reset = reset_peak()
    t0 = time.perf_counter()
    out = run(resistance, boxes, cutoff)
    seconds = time.perf_counter() - t0
    peak = (status_mb("VmHWM") - rss) if reset else float("nan")
    np.save(folder / f"{case}_surface.npy", out.pop("surface"))
    return {
        "case": case,
        "seconds": seconds,
        "warm_up_s": warm_up_s,
        "peak_mb": peak,
        "peak_over_surface": peak / (resistance.nbytes / 2**20),
        **out,
    }


def _run_child(case: str, folder: Path, cutoff: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", case, "--folder", str(folder)]
    cmd += ["--cutoff", str(cutoff)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"case {case} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench(size: int, n_cores: int, cutoff: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench_corridors_") as tmp:
        folder = Path(tmp)
        resistance, boxes = build(size, n_cores)
        np.save(folder / "resistance.npy", resistance)
        np.save(folder / "boxes.npy", boxes)
        del resistance
        load = os.getloadavg()[0]
        res = {case: _run_child(case, folder, cutoff) for case in CASES}
        ours = np.load(folder / "habitat_surface.npy")
        ref = np.load(folder / "skimage_surface.npy")
        both = np.isfinite(ours) & np.isfinite(ref)
        same_pairs = res["habitat"]["pairs"] == res["skimage"]["pairs"]
        lcd_rel = (
            float(
                np.max(
                    np.abs(np.subtract(res["habitat"]["lcd"], res["skimage"]["lcd"]))
                    / np.asarray(res["skimage"]["lcd"])
                )
            )
            if same_pairs
            else float("nan")
        )
        return {
            "size": size,
            "cells": size * size,
            "cores": n_cores,
            "cutoff": cutoff,
            "links": len(res["habitat"]["pairs"]),
            "load_before": load,
            "load_after": os.getloadavg()[0],
            "habitat_s": res["habitat"]["seconds"],
            "skimage_s": res["skimage"]["seconds"],
            "speedup": res["skimage"]["seconds"] / res["habitat"]["seconds"],
            "habitat_warm_up_s": res["habitat"]["warm_up_s"],
            "habitat_peak_mb": res["habitat"]["peak_mb"],
            "habitat_peak_over_surface": res["habitat"]["peak_over_surface"],
            "skimage_peak_mb": res["skimage"]["peak_mb"],
            "same_pairs": same_pairs,
            "lcd_max_rel_diff": lcd_rel,
            "surface_max_abs_diff": float(np.max(np.abs(ours[both] - ref[both])))
            if both.any()
            else 0.0,
            "same_corridor_cells": bool(np.array_equal(np.isfinite(ours), np.isfinite(ref))),
            "median_width_m": res["habitat"]["median_width_m"],
            "min_width_m": res["habitat"]["min_width_m"],
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="cells a side (default 2,000)")
    parser.add_argument("--cores", type=int, default=20, help="number of cores (default 20)")
    parser.add_argument(
        "--cutoff", type=float, default=20_000.0, help="corridor cutoff, resistance x m"
    )
    parser.add_argument("--quick", action="store_true", help="500 cells a side, 8 cores")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.folder, args.cutoff)))
        return 0
    size, n_cores = (500, 8) if args.quick else (args.size, args.cores)
    row = bench(size, n_cores, args.cutoff)
    row["machine"] = f"{platform.machine()}, {os.cpu_count()} cores"
    for key, value in row.items():
        print(f"{key:>28}: {value:,.4g}" if isinstance(value, float) else f"{key:>28}: {value}")
    if args.json:
        args.json.write_text(json.dumps(row, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

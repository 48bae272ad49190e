"""Benchmark: circuit solves (Circuitscape's current flow), habitat vs plain pyamg and spsolve.

Data: seeded land cover from ``habitat.datasets.simulate.simulate_land_cover``
(four classes in equal shares, 30 m cells, UTM 52N) mapped to resistances
1 / 5 / 20 / 100, no nodata. Focal nodes: seeded points inside the raster.

Cases, all in one run (one process, one after the other, so that they share
the machine's state):

* **one solve, 4 M cells** (``--size``, 2,000 a side): ``habitat.corridors.
  circuit.current_flow`` with two focal nodes (one pair = one solve, plus the
  current map), wall time of the whole call; then the same reduced Laplacian
  (the sink grounded) solved by **pyamg as a plain user calls it**:
  ``ml = pyamg.smoothed_aggregation_solver(A); x = ml.solve(b, tol=1e-6,
  accel="cg")`` (defaults otherwise), timed from the matrix to the answer.
  Reported: seconds, the ratio, and the relative difference of the two
  effective resistances.
* **one solve, 1 M cells** (``--size-small``, 1,000 a side): habitat as above
  and ``scipy.sparse.linalg.spsolve(A.tocsc(), b)`` (SuperLU, its default
  COLAMD ordering) on the same matrix.
* **pairwise, 10 nodes, 1 M cells** (``--nodes``): habitat's pairwise run (9
  solves sharing one hierarchy by superposition, 45 pair current maps summed)
  vs a plain ``spsolve(A, B)`` of the same 9 right-hand sides at once (one
  factorisation; a user calling spsolve once per pair would need 45 of them).

habitat's first call in the process pays for loading its compiled kernels:
a 50 x 50 warm-up run is done and timed apart. Peak memory is the process's
largest resident set (``ru_maxrss``) at the end.

**Memory of one solve** (``--memory SIDE [SIDE ...]``, instead of the cases
above): ``current_flow`` pairwise, two point nodes near opposite corners,
8 neighbours, ``solver="amg"``, on a seeded lognormal resistance surface
(``exp(N(0, 1))``, no nodata), each size in its own child process. Reported:
the process's resident set before the call (libraries, warm-up and the
float64 input raster), its peak during the call (``VmHWM`` reset just before,
:mod:`peak_memory`), both per cell, the wall and CPU seconds; with two sizes or
more, a straight line through the peaks extrapolated to ``--extrapolate``
cells (64 M by default). ``MALLOC_MMAP_THRESHOLD_`` unset: glibc's defaults, as
a user runs it (below about 16 M cells its heap keeps some freed arrays, which
adds to the peak; above, every large array is mapped and unmapped).

Usage::

    .venv/bin/python benchmarks/bench_circuit.py            # 4 M and 1 M cells: minutes
    .venv/bin/python benchmarks/bench_circuit.py --quick    # 500 and 250 a side
    .venv/bin/python benchmarks/bench_circuit.py --json out.json
    .venv/bin/python benchmarks/bench_circuit.py --memory 2000 4000   # 4 M and 16 M cells
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from peak_memory import reset_peak, status_mb  # noqa: E402

from habitat.corridors.circuit import current_flow  # noqa: E402
from habitat.corridors.circuit_kernels import laplacian  # noqa: E402
from habitat.datasets.simulate import simulate_land_cover  # noqa: E402
from habitat.io.raster import Raster  # noqa: E402

CELL = 30.0
CRS = "EPSG:32652"
RESISTANCE = np.array([np.nan, 1.0, 5.0, 20.0, 100.0])


def surface(side: int, seed: int) -> Raster:
    """Seeded resistance raster, ``side`` × ``side`` cells of 30 m."""
    land = simulate_land_cover((side, side), seed=seed, cell_size_m=CELL, crs=CRS)
    return Raster(RESISTANCE[land.array], land.transform, land.crs, nodata=float("nan"))


def focal_cells(side: int, n: int, seed: int) -> np.ndarray:
    """``n`` distinct (row, col) cells, at least 5 % of the side from the edges."""
    rng = np.random.default_rng(seed)
    margin = max(1, side // 20)
    cells: set[tuple[int, int]] = set()
    while len(cells) < n:
        row, col = rng.integers(margin, side - margin, size=2)
        cells.add((int(row), int(col)))
    return np.array(sorted(cells))


def nodes_at(raster: Raster, cells: np.ndarray) -> gpd.GeoSeries:
    x, y = raster.xy(cells[:, 0], cells[:, 1])
    return gpd.GeoSeries(shapely.points(x, y), index=range(1, len(cells) + 1), crs=raster.crs)


def reduced_laplacian(raster: Raster, ground: tuple[int, int]) -> tuple[Any, np.ndarray]:
    """The plain user's matrix: conductances (mean of the two cells), 8 neighbours, √2 on
    diagonals, the ground cell removed (assembled by habitat's kernel: the same matrix
    a user would build with scipy, faster)."""
    from scipy import sparse

    cond = 1.0 / raster.array
    index = np.arange(cond.size, dtype=np.int64).reshape(cond.shape)
    g = ground[0] * cond.shape[1] + ground[1]
    flat = index.reshape(-1)
    flat[g] = -2
    flat[g + 1 :] -= 1
    n = cond.size - 1
    indptr, indices, data, _rhs = laplacian(cond, index, True, False, n)
    return sparse.csr_matrix((data, indices, indptr), shape=(n, n)), index


def timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def one_solve(side: int, seed: int, peer: str) -> dict[str, Any]:
    raster = surface(side, seed)
    cells = focal_cells(side, 2, seed)
    nodes = nodes_at(raster, cells)
    flow, t_habitat = timed(lambda: current_flow(raster, nodes))
    r_habitat = float(flow.resistances.iloc[0, 1])
    a, index = reduced_laplacian(raster, tuple(cells[0]))
    b = np.zeros(a.shape[0])
    b[index[tuple(cells[1])]] = 1.0
    if peer == "pyamg":
        import pyamg

        def run() -> np.ndarray:
            ml = pyamg.smoothed_aggregation_solver(a)
            return np.asarray(ml.solve(b, tol=1e-6, accel="cg"))

    else:
        from scipy.sparse.linalg import spsolve

        def run() -> np.ndarray:
            return np.asarray(spsolve(a.tocsc(), b))

    x, t_peer = timed(run)
    r_peer = float(x[index[tuple(cells[1])]])
    return {
        "case": f"one solve, {side * side / 1e6:g} M cells",
        "habitat_s": round(t_habitat, 2),
        "habitat_solver": flow.solver,
        "peer": "pyamg SA + CG, defaults" if peer == "pyamg" else "scipy spsolve",
        "peer_s": round(t_peer, 2),
        "speed_up": round(t_peer / t_habitat, 2),
        "effective_resistance": r_habitat,
        "rel_difference": abs(r_habitat - r_peer) / abs(r_peer),
        "max_residual": flow.max_residual,
    }


def pairwise(side: int, n_nodes: int, seed: int) -> dict[str, Any]:
    from scipy.sparse.linalg import spsolve

    raster = surface(side, seed)
    cells = focal_cells(side, n_nodes, seed)
    nodes = nodes_at(raster, cells)
    flow, t_habitat = timed(lambda: current_flow(raster, nodes))
    a, index = reduced_laplacian(raster, tuple(cells[0]))
    rows = np.array([index[tuple(c)] for c in cells[1:]])
    b = np.zeros((a.shape[0], n_nodes - 1))
    b[rows, np.arange(n_nodes - 1)] = 1.0
    x, t_peer = timed(lambda: np.asarray(spsolve(a.tocsc(), b)))
    q = np.zeros((n_nodes, n_nodes))
    q[1:, 1:] = x[rows, :]
    d = np.diag(q)
    r_peer = d[:, None] + d[None, :] - q - q.T
    r_habitat = flow.resistances.to_numpy()
    off = ~np.eye(n_nodes, dtype=bool)
    return {
        "case": f"pairwise, {n_nodes} nodes, {side * side / 1e6:g} M cells",
        "habitat_s": round(t_habitat, 2),
        "habitat_solver": flow.solver,
        "habitat_solves": flow.n_solves,
        "peer": f"scipy spsolve, {n_nodes - 1} right-hand sides at once",
        "peer_s": round(t_peer, 2),
        "speed_up": round(t_peer / t_habitat, 2),
        "max_rel_difference": float(np.max(np.abs(r_habitat - r_peer)[off] / r_peer[off])),
        "max_residual": flow.max_residual,
    }


def lognormal_surface(side: int, seed: int) -> Raster:
    """Seeded resistance ``exp(N(0, 1))``, ``side`` × ``side`` cells of 30 m, no nodata."""
    values = np.exp(np.random.default_rng(seed).normal(0.0, 1.0, (side, side)))
    return Raster(values, (CELL, 0.0, 500_000.0, 0.0, -CELL, 6_000_000.0), pyproj.CRS(CRS))


def corner_nodes(raster: Raster, side: int) -> gpd.GeoSeries:
    """Two point nodes 2 cells in from opposite corners."""
    return nodes_at(raster, np.array([[2, 2], [side - 3, side - 3]]))


def memory_child(side: int, seed: int) -> dict[str, Any]:
    """Peak resident set of one pairwise solve on ``side`` × ``side`` cells (this process)."""
    warm = lognormal_surface(60, seed)
    current_flow(warm, corner_nodes(warm, 60), solver="amg")
    raster = lognormal_surface(side, seed)
    nodes = corner_nodes(raster, side)
    before = status_mb("VmRSS")
    reset = reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    flow = current_flow(raster, nodes, solver="amg", neighbours=8)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = (
        status_mb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    cells = side * side
    mb = 2**20 / cells
    return {
        "side": side,
        "cells": cells,
        "rss_before_mb": round(before, 1),
        "peak_mb": round(peak, 1),
        "peak_b_per_cell": round(peak * mb, 1),
        "call_b_per_cell": round((peak - before) * mb, 1),
        "input_b_per_cell": raster.array.nbytes / cells,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "effective_resistance": float(flow.resistances.to_numpy()[0, 1]),
        "max_residual": flow.max_residual,
        "peak_reset": reset,
    }


def memory_runs(sides: list[int], seed: int, target_cells: float) -> dict[str, Any]:
    """:func:`memory_child` for each size in its own process, and the line through the peaks."""
    rows = []
    for side in sides:
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(side), "--seed", str(seed)],
            check=True,
            capture_output=True,
            text=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), flush=True)
    result: dict[str, Any] = {"runs": rows}
    if len(rows) >= 2:
        cells = np.array([r["cells"] for r in rows], float)
        peak = np.array([r["peak_mb"] for r in rows]) * 2**20
        slope, intercept = np.polyfit(cells, peak, 1)
        at = intercept + slope * target_cells
        result["extrapolation"] = {
            "bytes_per_cell_slope": round(float(slope), 1),
            "intercept_mb": round(float(intercept) / 2**20, 1),
            "target_cells": target_cells,
            "peak_gb_at_target": round(float(at) / 1e9, 2),
            "peak_b_per_cell_at_target": round(float(at) / target_cells, 1),
        }
        print(json.dumps(result["extrapolation"]), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=2000, help="cells a side, one solve vs pyamg")
    parser.add_argument("--size-small", type=int, default=1000, help="cells a side, vs spsolve")
    parser.add_argument("--nodes", type=int, default=10, help="focal nodes of the pairwise case")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--quick", action="store_true", help="500 and 250 cells a side")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument(
        "--memory", type=int, nargs="+", metavar="SIDE", help="peak memory of one solve per size"
    )
    parser.add_argument("--extrapolate", type=float, default=64e6, help="cells (with --memory)")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child, args.seed)), flush=True)
        return 0
    if args.memory:
        print(
            f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        out = memory_runs(args.memory, args.seed, args.extrapolate)
        if args.json:
            args.json.write_text(json.dumps(out, indent=2))
        return 0
    if args.quick:
        args.size, args.size_small = 500, 250
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    warm = surface(50, 0)
    _flow, t_warm = timed(lambda: current_flow(warm, nodes_at(warm, focal_cells(50, 2, 0))))
    print(f"warm-up (kernels loaded or compiled): {t_warm:.2f} s", flush=True)
    results = []
    for case in (
        lambda: one_solve(args.size, args.seed, "pyamg"),
        lambda: one_solve(args.size_small, args.seed, "spsolve"),
        lambda: pairwise(args.size_small, args.nodes, args.seed),
    ):
        row = case()
        results.append(row)
        print(json.dumps(row), flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident set: {peak_mb:,.0f} MB; load {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "peak_mb": peak_mb}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

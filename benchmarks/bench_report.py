"""Benchmark: full territory reports, leopards (1 worker vs 2) and far-ranging seabirds.

Two data sets, each report run in a fresh child process (so that its peak
memory is its own):

* **leopards**: 50 female and 50 male simulated leopards (habitat.datasets.simulate,
  exact Ornstein-Uhlenbeck, seed 7), 2,000 fixes each (4-hourly for 333 days),
  in the bundled study area. Work: ``habitat.batch.run_report`` with its
  defaults (MCP and KDE href grid 200 at 50 % and 95 %, UD and area-curve
  figures, territory table, pairwise overlap, land cover and road density, one
  map and page per animal, index page, GeoPackage/CSV/GeoParquet), once in
  the child's own process (``workers=1``) and once on two local processes
  (``workers=2``); both must write identical metrics. Target (issue 5): at
  most 60 s on 2 cores.
* **far**: 10 albatross-like birds x 1,000 hourly fixes = 10,000 fixes off
  Ecuador and the Galapagos (centres lon -88..-82, lat -4..-1; exact OU tracks
  whose 95 % ranges are 1e5-1e6 km², log-uniform, seed 11), no study area, no
  species profile, no land cover. Run with the default UD cells (from each
  bird's bandwidth) and, in the same run, with ``ud_cell_size_m=200`` (the
  fixed default before issue 11; now coarsened to at most 1e7 cells per bird).
  ``--uncapped`` also measures one bird's UD figure at 200 m cells without
  that cap (what every bird cost before: several GB).

Peak memory: the largest resident set of any one process (the child's own
``resource.getrusage`` ``ru_maxrss``, or a worker's, sampled every 0.2 s from
/proc), and the largest sum over the child and its workers (sampled). Target
(issue 11): both reports within the figures above, below 1 GB.

Usage::

    .venv/bin/python benchmarks/bench_report.py [--animals 100] [--fixes 2000] [--only far|leopards]
    .venv/bin/python benchmarks/bench_report.py --only far --uncapped
"""

from __future__ import annotations

import argparse
import inspect
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from habitat.batch.runner import ReportOptions, run_report  # noqa: E402
from habitat.datasets.simulate import (  # noqa: E402
    ou_deviations,
    sigma_for_area_m,
    simulate_relocations,
)

FAR_BIRDS = 10
FAR_FIXES = 1000


def leopards(animals: int, fixes: int) -> gpd.GeoDataFrame:
    """The issue-5 set: simulated leopards in the bundled study area."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = simulate_relocations(
            n_females=animals // 2,
            n_males=animals - animals // 2,
            days=fixes * 4 / 24,
            fix_interval_h=4.0,
            seed=7,
        )
    return sim.fixes


def albatrosses(birds: int = FAR_BIRDS, fixes: int = FAR_FIXES, seed: int = 11) -> gpd.GeoDataFrame:
    """Far-ranging seabirds off Ecuador: OU tracks with 95 % ranges of 1e5-1e6 km²."""
    from pyproj import Transformer

    rng = np.random.default_rng(seed)
    area_km2 = np.exp(rng.uniform(np.log(1e5), np.log(1e6), birds))
    dev = ou_deviations(
        fixes, sigma_m=sigma_for_area_m(area_km2), tau_days=2.0, step_days=1 / 24, rng=rng
    )
    lon0 = rng.uniform(-88.0, -82.0, birds)
    lat0 = rng.uniform(-4.0, -1.0, birds)
    parts = []
    times = pd.date_range("2025-01-01", periods=fixes, freq="h", tz="UTC")
    for i in range(birds):
        laea = f"+proj=laea +lon_0={lon0[i]:.4f} +lat_0={lat0[i]:.4f} +units=m"
        lon, lat = Transformer.from_crs(laea, "EPSG:4326", always_xy=True).transform(
            dev[i, :, 0], dev[i, :, 1]
        )
        parts.append(
            gpd.GeoDataFrame(
                {"individual": f"Albatross {i + 1:02d}", "timestamp": times},
                geometry=gpd.points_from_xy(lon, lat),
                crs="EPSG:4326",
            )
        )
    return pd.concat(parts, ignore_index=True)


def _no_study_area() -> dict[str, Any]:
    """Keywords for a report without bundled layers, species profile or land cover."""
    params = inspect.signature(run_report).parameters
    if "study_area" in params:
        return {"study_area": "none", "species": None, "land_cover": None}
    return {"layers": {}, "land_cover": None}  # habitat before issue 11


def _peak_mb() -> float:
    """Largest resident set (MB) of this process and of any child it waited for (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def child(case: str, args: argparse.Namespace) -> None:
    """Run one report and print its seconds, peak memory and metrics as JSON (last line)."""
    out: dict[str, Any] = {"case": case}
    with tempfile.TemporaryDirectory() as tmp:
        if case.startswith("leopards"):
            data = leopards(args.animals, args.fixes)
            workers = 2 if case.endswith("w2") else 1
            kw: dict[str, Any] = {"workers": workers}
        elif case == "uncapped":
            _uncapped(out)
            print(json.dumps(out))
            return
        else:
            data = albatrosses()
            cell = None if case == "far" else 200.0
            kw = {"options": ReportOptions(ud_cell_size_m=cell), **_no_study_area()}
        out["fixes"] = len(data)
        t0 = time.perf_counter()
        result = run_report(data, Path(tmp) / "r", progress=False, **kw)
        out["seconds"] = time.perf_counter() - t0
        out["peak_mb"] = _peak_mb()
        own = resource.getrusage(resource.RUSAGE_SELF)
        out["cpu_s"] = own.ru_utime + own.ru_stime
        out["failures"] = len(result.failures)
        out["pages"] = len(result.pages)
        metrics = pd.read_csv(result.files["metrics_csv"])
        out["metrics"] = metrics.to_json(orient="split", double_precision=15)
        if not case.startswith("leopards"):
            out["cells"] = _ud_cells(result)
    print(json.dumps(out))


def _ud_cells(result: Any) -> list[str]:
    """The UD cell sizes the pages state (their captions)."""
    import re

    pat = re.compile(r"href bandwidth; ([\d.]+ k?m) cells")
    cells = []
    for page in result.pages.values():
        m = pat.search(Path(page).read_text(encoding="utf-8"))
        cells.append(m.group(1) if m else "?")
    return cells


def _uncapped(out: dict[str, Any]) -> None:
    """The widest bird's UD figure at 200 m cells, no cap on cells: its cost before issue 11."""
    from habitat.homerange import estimation_crs
    from habitat.homerange.ud import utilization_distribution
    from habitat.report.figures import figure_png, plot_ud

    data = albatrosses()
    # the bird whose fixes spread widest (the 1e6 km² case)
    xy = data.get_coordinates()
    spread = xy["x"].groupby(data["individual"]).std() * xy["y"].groupby(data["individual"]).std()
    name = str(spread.idxmax())
    bird = data[data["individual"] == name]
    fixes = bird.to_crs(estimation_crs(bird))
    t0 = time.perf_counter()
    ud = utilization_distribution(fixes, cell_size_m=200.0, max_cells=10**12)[name]
    figure_png(plot_ud(ud, individual=name))
    out.update(
        seconds=time.perf_counter() - t0,
        peak_mb=_peak_mb(),
        cpu_s=resource.getrusage(resource.RUSAGE_SELF).ru_utime,
        cells=ud.shape[0] * ud.shape[1],
        individual=name,
    )


def _tree_usage(root: int) -> tuple[dict[int, float], dict[int, float]]:
    """Resident set (MB) and CPU seconds (user + system) of ``root`` and its descendants.

    Read from Linux /proc; a process's CPU seconds include those of the children
    it has waited for.
    """
    parents: dict[int, int] = {}
    rss: dict[int, float] = {}
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        parents[pid] = int(fields.get("PPid", "0").strip() or 0)
        rss[pid] = float(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        after = stat.rsplit(")", 1)[1].split()  # fields from the 3rd on
        cpu[pid] = (int(after[11]) + int(after[12])) / tick  # utime, stime
    tree, grew = {root}, True
    while grew:
        new = {p for p, pp in parents.items() if pp in tree and p not in tree}
        tree |= new
        grew = bool(new)
    return {p: rss.get(p, 0.0) for p in tree}, {p: cpu.get(p, 0.0) for p in tree}


def run_child(case: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one case in a child process, sampling the memory of its process tree."""
    import threading

    cmd = [sys.executable, __file__, "--child", case, "--animals", str(args.animals)]
    cmd += ["--fixes", str(args.fixes)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = {"largest": 0.0, "sum": 0.0}
    cpu_seen: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            rss, cpu = _tree_usage(proc.pid)
            peak["largest"] = max([peak["largest"], *rss.values()])
            peak["sum"] = max(peak["sum"], sum(rss.values()))
            for p, sec in cpu.items():
                if p != proc.pid:  # the child reports its own
                    cpu_seen[p] = max(cpu_seen.get(p, 0.0), sec)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{case} failed:\n{stderr[-4000:]}")
    out = json.loads(stdout.strip().splitlines()[-1])
    # the child's own exact peak, or a worker's sampled one if larger
    out["peak_mb"] = max(out["peak_mb"], peak["largest"])
    out["tree_peak_mb"] = peak["sum"]
    out["cpu_s"] = out["cpu_s"] + sum(cpu_seen.values())  # the workers' as last sampled
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--animals", type=int, default=100)
    ap.add_argument("--fixes", type=int, default=2000)
    ap.add_argument("--only", choices=["far", "leopards"])
    ap.add_argument("--uncapped", action="store_true", help="also one bird at 200 m, no cap")
    ap.add_argument(
        "--leopard-workers",
        type=int,
        nargs="+",
        choices=[1, 2],
        default=[1, 2],
        help="leopard runs to do (both by default; 2 alone: the figure of merit)",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args)
        return
    rows: list[str] = []

    def row(data: str, run: str, r: dict[str, Any], note: str, bold: bool = False) -> None:
        b = "**" if bold else ""
        rows.append(
            f"| {data} | {run} | {b}{r['seconds']:.1f} s{b} | {r['cpu_s']:.1f} s | "
            f"{b}{r['peak_mb']:.0f} MB{b} ({r['tree_peak_mb']:.0f} MB) | {note} |"
        )

    def line(name: str, r: dict[str, Any]) -> None:
        print(
            f"{name}: {r.get('fixes', 0):,} fixes, {r['seconds']:.1f} s, CPU {r['cpu_s']:.1f} s, "
            f"peak {r['peak_mb']:.0f} MB (all processes {r['tree_peak_mb']:.0f} MB), "
            f"{r.get('pages', '-')} pages, {r.get('failures', '-')} failures",
            flush=True,
        )

    far = f"far: {FAR_BIRDS} birds x {FAR_FIXES:,}"
    if args.only in (None, "far"):
        cases = ["far", "far200"] + (["uncapped"] if args.uncapped else [])
        res = {}
        for c in cases:
            res[c] = run_child(c, args)
            line(c, res[c])
            if "cells" in res[c] and c != "uncapped":
                print(f"  UD cells: {', '.join(res[c]['cells'])}")
        new, old = res["far"], res["far200"]
        row(
            far,
            "cells from the bandwidth (default)",
            new,
            f"{old['seconds'] / new['seconds']:.1f}x less time, "
            f"{old['cpu_s'] / new['cpu_s']:.1f}x less CPU, "
            f"{old['peak_mb'] / new['peak_mb']:.1f}x less memory than 200 m cells",
            bold=True,
        )
        row(far, "`ud_cell_size_m=200` (capped at 1e7 cells a bird)", old, "the fixed 200 m before")
        if "uncapped" in res:
            u = res["uncapped"]
            print(f"  uncapped: {u['individual']}, {u['cells']:,} cells at 200 m")
            row(
                f"far: {u['individual']}, UD + figure only",
                f"200 m, no cap ({u['cells']:.2g} cells)",
                u,
                "one bird's UD figure before issue 11",
            )
    if args.only in (None, "leopards"):
        runs = {}
        for w in args.leopard_workers:
            runs[w] = run_child(f"leopards_w{w}", args)
            line(f"leopards workers={w}", runs[w])
        if len(runs) == 2:
            pd.testing.assert_frame_equal(
                pd.read_json(io.StringIO(runs[1]["metrics"]), orient="split"),
                pd.read_json(io.StringIO(runs[2]["metrics"]), orient="split"),
            )
            print("leopards: metrics identical with 1 and 2 workers")
        leo = f"leopards: {args.animals} x {args.fixes:,}"
        if 1 in runs:
            row(leo, "1 worker", runs[1], "before: 109.7 s")
        if 2 in runs:
            speedup = (
                f"{runs[1]['seconds'] / runs[2]['seconds']:.2f}x over 1 worker; "
                if 1 in runs
                else ""
            )
            row(
                leo,
                "2 workers",
                runs[2],
                f"before: 53.6 s; {speedup}"
                f"<= 60 s: {'met' if runs[2]['seconds'] <= 60 else 'NOT met'}",
                bold=True,
            )
    print()
    print("| data | run | wall time | CPU time | peak memory (all processes) | note |")
    print("|---|---|---:|---:|---:|---|")
    for r in rows:
        print(r)


if __name__ == "__main__":
    main()

"""Benchmark: FRAGSTATS landscape metrics, habitat vs pylandstats vs one labelling pass.

Data: seeded categorical rasters from ``habitat.datasets.simulate.simulate_land_cover``
(four classes in equal shares, Gaussian-filtered noise with
``correlation_cells=8``, 30 m cells, UTM 52N, nodata 0 declared but absent),
``--sizes`` cells a side (2,000 and 8,000 by default), written as deflated,
tiled GeoTIFFs (``habitat.io.raster.write_geotiff``) to a temporary folder.
Every case reads that file, in a fresh child process of its own:

* **floor**: ``rasterio`` reads the band, then ``scipy.ndimage.label`` labels
  each class once (8-neighbour rule). No metric is computed: it is the least
  any exact method has to do.
* **pylandstats** 3.1: ``Landscape(path)`` then ``compute_class_metrics_df``
  and ``compute_landscape_metrics_df`` over :data:`PLS_CLASS_METRICS` and
  :data:`PLS_LANDSCAPE_METRICS`: the issue's metric set that pylandstats
  defines, **without** ``euclidean_nearest_neighbor`` (its ENN did not finish
  in 45 minutes on 4 M cells). Killed after ``--pls-timeout`` seconds.
* **habitat**: ``habitat.landscape.landscape_metrics(path, level=("landscape",
  "class"))``: every metric, ENN included. The child first computes the
  metrics of a 64 x 64 raster (numba loading or compiling its kernels), timed
  apart as the warm-up; a separate child with an empty numba cache gives the
  cold compile time.
* **zones** (largest size only): ``--zones`` home ranges (ellipses of
  39-98 km² for half of them, 155-401 km² for the other half: females 15-38
  sq mi, males 60-155 sq mi, log-uniform; axis ratio 1-2; random orientation;
  seeded, wholly inside the raster) measured with ``landscape_metrics(path,
  level=("landscape", "class"), zones=zones, zone_id="zone")``; its floor reads
  each zone's window, masks the cells outside the ellipse
  (``rasterio.features.geometry_mask``) and labels each class once.

Peak memory of a case = the child's largest resident set during the case
(``VmHWM`` of /proc, reset with ``/proc/self/clear_refs`` once the imports, the
zones and the warm-up are done; ``ru_maxrss`` where that is not possible) minus
its resident set at that moment, over the raster's in-memory size (1 byte a
cell). Ratios come from one run.

Usage::

    .venv/bin/python benchmarks/bench_landscape.py                 # 2,000 and 8,000; minutes
    .venv/bin/python benchmarks/bench_landscape.py --quick         # 500 and 1,000, 10 zones
    .venv/bin/python benchmarks/bench_landscape.py --only floor,pylandstats --json out.json
    .venv/bin/python benchmarks/bench_landscape.py --profile       # cProfile of habitat's case
"""

from __future__ import annotations

import argparse
import json
import math
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

SEED = 12
CORRELATION_CELLS = 8.0
CELL_M = 30.0
WARMUP_CELLS = 64
CASES = ("floor", "pylandstats", "engine", "habitat", "zones_floor", "zones")

#: The issue's metric set as pylandstats defines it, without euclidean_nearest_neighbor.
PLS_CLASS_METRICS = [
    "total_area",
    "proportion_of_landscape",
    "number_of_patches",
    "patch_density",
    "largest_patch_index",
    "total_edge",
    "edge_density",
    "total_core_area",
    "landscape_shape_index",
    "effective_mesh_size",
    "area_mn",
    "area_am",
    "perimeter_area_ratio_mn",
    "shape_index_mn",
    "fractal_dimension_mn",
]
PLS_LANDSCAPE_METRICS = [m for m in PLS_CLASS_METRICS if m != "proportion_of_landscape"] + [
    "contagion",
    "shannon_diversity_index",
]


# ----------------------------------------------------------------------------- data


def make_raster(size: int, path: Path) -> int:
    """Write the seeded ``size`` x ``size`` land cover to ``path``; return its bytes in memory."""
    from habitat.datasets.simulate import simulate_land_cover
    from habitat.io.raster import write_geotiff

    cover = simulate_land_cover(
        (size, size), correlation_cells=CORRELATION_CELLS, seed=SEED, cell_size_m=CELL_M, nodata=0
    )
    write_geotiff(cover, path)
    return int(cover.array.nbytes)


def make_zones(path: Path, n: int, seed: int = SEED) -> Any:
    """``n`` seeded elliptic home ranges wholly inside the raster at ``path`` (GeoDataFrame)."""
    import geopandas as gpd
    import rasterio
    import shapely

    from habitat.core.units import sq_mi_to_km2
    from habitat.datasets.simulate import FEMALE_AREA_SQ_MI, MALE_AREA_SQ_MI

    with rasterio.open(path) as src:
        left, bottom, right, top = src.bounds
        crs = src.crs.to_wkt()
    rng = np.random.default_rng(seed)
    n_f = n // 2
    lo = np.r_[np.full(n_f, FEMALE_AREA_SQ_MI[0]), np.full(n - n_f, MALE_AREA_SQ_MI[0])]
    hi = np.r_[np.full(n_f, FEMALE_AREA_SQ_MI[1]), np.full(n - n_f, MALE_AREA_SQ_MI[1])]
    area_m2 = sq_mi_to_km2(np.exp(rng.uniform(np.log(lo), np.log(hi)))) * 1e6
    ratio = rng.uniform(1.0, 2.0, n)  # major / minor axis
    a = np.sqrt(area_m2 * ratio / np.pi)  # semi-major axis, m
    b = a / ratio
    theta = rng.uniform(0.0, np.pi, n)
    mid_x, mid_y = (left + right) / 2, (bottom + top) / 2  # (a raster smaller than a range:
    cx = rng.uniform(np.minimum(left + a, mid_x), np.maximum(right - a, mid_x))  # its centre)
    cy = rng.uniform(np.minimum(bottom + a, mid_y), np.maximum(top - a, mid_y))
    t = np.linspace(0.0, 2.0 * np.pi, 129)[:-1]
    ex = a[:, None] * np.cos(t)
    ey = b[:, None] * np.sin(t)
    x = cx[:, None] + ex * np.cos(theta)[:, None] - ey * np.sin(theta)[:, None]
    y = cy[:, None] + ex * np.sin(theta)[:, None] + ey * np.cos(theta)[:, None]
    ring = np.stack([x, y], axis=-1)
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    sex = np.r_[np.full(n_f, "F"), np.full(n - n_f, "M")]
    zone = [f"{s}{i + 1:03d}" for i, s in enumerate(sex)]
    return gpd.GeoDataFrame(
        {"zone": zone, "sex": sex, "area_km2": area_m2 / 1e6},
        geometry=shapely.polygons(ring),
        crs=crs,
    )


# ---------------------------------------------------------------------------- child


def _landscape_metrics() -> Any:
    from habitat.landscape import landscape_metrics

    return landscape_metrics


def _warm_up(landscape_metrics: Any) -> None:
    from habitat.datasets.simulate import simulate_land_cover

    tiny = simulate_land_cover((WARMUP_CELLS, WARMUP_CELLS), correlation_cells=2.0, seed=1)
    landscape_metrics(tiny, level=("landscape", "class"))
    zones = make_zones_for_raster(tiny, 2)
    landscape_metrics(tiny, level=("landscape", "class"), zones=zones, zone_id="zone")


def make_zones_for_raster(raster: Any, n: int) -> Any:
    """Two small circles inside an in-memory raster (warm-up of the zone path)."""
    import geopandas as gpd
    import shapely

    left, bottom, right, top = raster.bounds
    r = min(right - left, top - bottom) / 5
    pts = shapely.points([left + 2 * r, right - 2 * r], [bottom + 2 * r, top - 2 * r])
    return gpd.GeoDataFrame(
        {"zone": [f"w{i}" for i in range(n)]}, geometry=shapely.buffer(pts, r)[:n], crs=raster.crs
    )


def _floor(path: Path) -> dict[str, Any]:
    import rasterio
    from scipy import ndimage

    eight = np.ones((3, 3), dtype=bool)
    t0 = time.perf_counter()
    with rasterio.open(path) as src:
        arr = src.read(1)
        nodata = src.nodata
    t_read = time.perf_counter() - t0
    patches = 0
    for k in np.unique(arr):  # np.unique sorts a copy: part of the floor (finding the classes)
        if nodata is not None and k == nodata:
            continue
        patches += ndimage.label(arr == k, structure=eight)[1]
    return {"read_s": t_read, "patches": int(patches)}


def _zones_floor(path: Path, n_zones: int) -> dict[str, Any]:
    import rasterio
    from rasterio.features import geometry_mask
    from rasterio.windows import Window, from_bounds
    from scipy import ndimage

    zones = make_zones(path, n_zones)
    eight = np.ones((3, 3), dtype=bool)
    t0 = time.perf_counter()
    patches = 0
    with rasterio.open(path) as src:
        whole = Window(0, 0, src.width, src.height)
        pad = abs(src.transform.a)  # one cell: rounding the window must not cut the zone
        for geom in zones.geometry:
            x0, y0, x1, y1 = geom.bounds
            win = from_bounds(x0 - pad, y0 - pad, x1 + pad, y1 + pad, transform=src.transform)
            win = win.round_offsets().round_lengths().intersection(whole)
            arr = src.read(1, window=win)
            inside = ~geometry_mask(
                [geom], out_shape=arr.shape, transform=src.window_transform(win)
            )
            for k in np.unique(arr[inside]):
                patches += ndimage.label((arr == k) & inside, structure=eight)[1]
    return {"zones_s": time.perf_counter() - t0, "patches": int(patches)}


def _pylandstats(path: Path, out_csv: Path | None) -> dict[str, Any]:
    import warnings

    import pandas as pd
    import pylandstats as pls  # type: ignore[import-untyped]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        ls = pls.Landscape(str(path))
        t_read = time.perf_counter() - t0
        cls = ls.compute_class_metrics_df(metrics=PLS_CLASS_METRICS)
        land = ls.compute_landscape_metrics_df(metrics=PLS_LANDSCAPE_METRICS)
    if out_csv is not None:
        cls = cls.copy()
        cls.index.name = "class_value"
        land = land.copy()
        land.index = pd.Index(["landscape"], name="class_value")
        pd.concat([land, cls.reset_index().set_index("class_value")]).to_csv(out_csv)
    return {"read_s": t_read, "patches": int(land["number_of_patches"].iloc[0])}


def _pylandstats_warm_up() -> None:
    import warnings

    import pylandstats as pls

    from habitat.datasets.simulate import simulate_land_cover

    tiny = simulate_land_cover((WARMUP_CELLS, WARMUP_CELLS), correlation_cells=2.0, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ls = pls.Landscape(tiny.array, res=(CELL_M, CELL_M), nodata=0)
        ls.compute_class_metrics_df(metrics=PLS_CLASS_METRICS)
        ls.compute_landscape_metrics_df(metrics=PLS_LANDSCAPE_METRICS)


def _engine(path: Path) -> dict[str, Any]:
    """The lead's engine alone: windowed reads + one labelling pass + ENN (no formulas)."""
    from habitat.landscape.patches import patch_stats
    from habitat.landscape.sources import open_raster_source

    with open_raster_source(path) as src:
        n_rows, n_cols = src.shape

        def read(r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
            return src.read(r0, r1, 0, n_cols)

        t0 = time.perf_counter()
        stats = patch_stats(read, src.shape, cell_size_m=src.cell_size_m, enn=False)
        t_no_enn = time.perf_counter() - t0
        t0 = time.perf_counter()
        stats = patch_stats(read, src.shape, cell_size_m=src.cell_size_m, enn=True)
        t_enn = time.perf_counter() - t0
    return {
        "patches": len(stats.patch_class),
        "no_enn_s": t_no_enn,
        "with_enn_s": t_enn,
        "enn_s": t_enn - t_no_enn,
    }


def _engine_warm_up() -> None:
    from habitat.datasets.simulate import simulate_land_cover
    from habitat.landscape.patches import patch_stats_array

    tiny = simulate_land_cover((WARMUP_CELLS, WARMUP_CELLS), correlation_cells=2.0, seed=1)
    patch_stats_array(tiny.array, cell_size_m=CELL_M, enn=True)


def _habitat(path: Path, out_csv: Path | None, zones: Any | None = None) -> dict[str, Any]:
    landscape_metrics = _landscape_metrics()
    kw: dict[str, Any] = {"level": ("landscape", "class")}
    if zones is not None:
        kw.update(zones=zones, zone_id="zone")
    table = landscape_metrics(path, **kw)
    if out_csv is not None:
        table.to_csv(out_csv, index=False)
    land = table[table["level"] == "landscape"]
    return {"patches": int(land["number_of_patches"].sum()), "rows": len(table)}


def child(args: argparse.Namespace) -> None:
    """Run one case on ``args.raster`` and print one JSON line."""
    case, path = args.child, Path(args.raster)
    out: dict[str, Any] = {"case": case}
    out_csv = Path(args.csv) if args.csv else None
    zones = None
    try:
        import geopandas  # noqa: F401  (imports are not timed: only what each case does)
        import rasterio  # noqa: F401
        from scipy import ndimage  # noqa: F401

        import habitat.datasets  # noqa: F401

        if case == "pylandstats":
            import pylandstats  # noqa: F401
        if case == "engine":
            t0 = time.perf_counter()
            try:
                _engine_warm_up()
            except ImportError as exc:
                print(json.dumps({"case": case, "status": "pending", "error": str(exc)}))
                return
            out["warmup_s"] = time.perf_counter() - t0
        if case in ("habitat", "zones", "compile"):
            t0 = time.perf_counter()
            try:
                landscape_metrics = _landscape_metrics()
            except ImportError as exc:
                print(json.dumps({"case": case, "status": "pending", "error": str(exc)}))
                return
            out["import_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            _warm_up(landscape_metrics)
            out["warmup_s"] = time.perf_counter() - t0
            if case == "compile":
                out.update(status="ok", seconds=out["warmup_s"])
                print(json.dumps(out))
                return
        if case == "pylandstats":  # its first call costs ~1 s (lazy imports): warm it up too
            t0 = time.perf_counter()
            _pylandstats_warm_up()
            out["warmup_s"] = time.perf_counter() - t0
        if case in ("zones", "zones_floor"):
            zones = make_zones(path, args.zones)
        base_rss = status_mb("VmRSS")
        reset = reset_peak()
        profiler = None
        if args.profile and case in ("engine", "habitat", "zones"):
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        t0 = time.perf_counter()
        if case == "floor":
            out.update(_floor(path))
        elif case == "zones_floor":
            out.update(_zones_floor(path, args.zones))
        elif case == "pylandstats":
            out.update(_pylandstats(path, out_csv))
        elif case == "engine":
            out.update(_engine(path))
        elif case in ("habitat", "zones"):
            out.update(_habitat(path, out_csv, zones))
        else:
            raise SystemExit(f"unknown case {case!r}")
        out["seconds"] = time.perf_counter() - t0
        if case == "engine":  # two passes were timed: the figure is the pass with ENN
            out["seconds"] = out["with_enn_s"]
        if profiler is not None:
            import io
            import pstats

            profiler.disable()
            buf = io.StringIO()
            pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(30)
            out["profile"] = buf.getvalue()
        peak = peak_mb(reset)
        out.update(status="ok", baseline_mb=base_rss, peak_mb=peak, extra_mb=peak - base_rss)
    except Exception as exc:  # reported, not raised: the other cases still run
        import traceback

        out.update(status="error", error=f"{type(exc).__name__}: {exc}")
        out["traceback"] = traceback.format_exc()[-3000:]
    print(json.dumps(out))


# ----------------------------------------------------------------------------- main


def run_child(
    case: str,
    raster: Path,
    args: argparse.Namespace,
    *,
    csv: Path | None = None,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", case, "--raster", str(raster)]
    cmd += ["--zones", str(args.zones)]
    if csv is not None:
        cmd += ["--csv", str(csv)]
    if args.profile:
        cmd += ["--profile"]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return {"case": case, "status": "timeout", "seconds": timeout}
    wall = time.perf_counter() - t0
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {
            "case": case,
            "status": "error",
            "error": (proc.stderr or proc.stdout)[-3000:],
        }
    out: dict[str, Any] = json.loads(lines[-1])
    out["child_wall_s"] = wall
    out["load_average_1min"] = round(os.getloadavg()[0], 2)  # other jobs on the machine
    return out


def versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("habitat", "numpy", "scipy", "rasterio", "numba", "pylandstats", "pandas"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "-"
    try:
        out["commit"] = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "habitat"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if changed:  # the run measured uncommitted work too
            out["commit"] += f" + {len(changed.splitlines())} uncommitted file(s) in habitat/"
    except OSError:
        out["commit"] = "-"
    return out


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "system": platform.platform(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }


def _num(value: Any) -> float:
    return float(value)


def compare(ours_csv: Path, pls_csv: Path) -> dict[str, Any]:
    """Largest relative difference per metric between habitat's and pylandstats' tables."""
    import pandas as pd

    ours = pd.read_csv(ours_csv)
    pls_t = pd.read_csv(pls_csv, index_col="class_value")
    worst: dict[str, float] = {}
    land = ours[ours["level"] == "landscape"].iloc[0]
    cls = ours[ours["level"] == "class"].set_index("class_value")
    for metric in pls_t.columns:
        if metric not in ours.columns:
            continue
        pairs = [(_num(land[metric]), _num(pls_t.loc["landscape", metric]))]
        pairs += [
            (_num(cls.loc[int(k), metric]), _num(pls_t.loc[k, metric]))
            for k in pls_t.index
            if k != "landscape" and int(k) in cls.index
        ]
        rel = [
            abs(a - b) / abs(b) if b else abs(a)
            for a, b in pairs
            if not (math.isnan(a) or math.isnan(b))  # a metric of the other level only
        ]
        if rel:
            worst[metric] = max(rel)
    return worst


def fmt_s(r: dict[str, Any] | None) -> str:
    if not r:
        return "—"
    if r.get("status") == "ok":
        return f"{r['seconds']:.2f} s"
    if r.get("status") == "timeout":
        return f"> {r['seconds']:.0f} s (killed)"
    return str(r.get("status", "—"))


def fmt_mem(r: dict[str, Any] | None, nbytes: int) -> str:
    if not r or r.get("status") != "ok":
        return "—"
    extra = r["extra_mb"] * 2**20
    return f"{r['extra_mb']:.0f} MB ({extra / nbytes:.1f}×)"


def ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> float | None:
    if a and b and a.get("status") == "ok" and b.get("status") == "ok":
        return float(a["seconds"]) / float(b["seconds"])
    return None


def markdown(summary: dict[str, Any]) -> str:
    rows = [
        "| cells | case | time | peak memory above baseline (× raster) | patches | note |",
        "|---|---|---:|---:|---:|---|",
    ]
    for size in summary["sizes"]:
        s = summary["results"][str(size)]
        nbytes = s["nbytes"]
        label = f"{size:,} × {size:,}"
        for case in CASES:
            r = s.get(case)
            if r is None:
                continue
            note = ""
            if case in ("habitat", "zones") and r.get("status") == "ok":
                note = f"warm-up (numba load) {r['warmup_s']:.2f} s"
            if case == "engine" and r.get("status") == "ok":
                note = (
                    f"read + label + ENN, no formulas; without ENN {r['no_enn_s']:.2f} s; "
                    f"warm-up {r['warmup_s']:.2f} s"
                )
            if case == "pylandstats" and r.get("status") == "ok":
                note = f"read {r['read_s']:.2f} s; warm-up {r['warmup_s']:.2f} s"
            if case == "floor" and r.get("status") == "ok":
                note = f"read {r['read_s']:.2f} s"
            if r.get("status") in ("error", "pending"):
                note = (r.get("error") or "").splitlines()[-1][:120] if r.get("error") else ""
            if "load_average_1min" in r:
                note += f"{'; ' if note else ''}load {r['load_average_1min']:.1f}"
            rows.append(
                f"| {label} | {case} | {fmt_s(r)} | {fmt_mem(r, nbytes)} | "
                f"{r.get('patches', '—') if r.get('status') == 'ok' else '—'} | {note} |"
            )
    rows += [
        "",
        "| cells | habitat / floor (target ≤ 5×) | pylandstats / habitat (target ≥ 5×) "
        "| zones / zones floor | habitat memory (target < 4×) | max relative difference "
        "vs pylandstats |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for size in summary["sizes"]:
        s = summary["results"][str(size)]
        f = ratio(s.get("habitat"), s.get("floor"))
        p = ratio(s.get("pylandstats"), s.get("habitat"))
        z = ratio(s.get("zones"), s.get("zones_floor"))
        h = s.get("habitat")
        mem = (
            f"{h['extra_mb'] * 2**20 / s['nbytes']:.1f}×" if h and h.get("status") == "ok" else "—"
        )
        diff = s.get("difference")
        worst = f"{max(diff.values()):.1e} ({max(diff, key=diff.get)})" if diff else "—"
        rows.append(
            f"| {size:,} × {size:,} | {f'{f:.1f}×' if f else '—'} | {f'{p:.1f}×' if p else '—'} "
            f"| {f'{z:.1f}×' if z else '—'} | {mem} | {worst} |"
        )
    if summary.get("compile"):
        c = summary["compile"]
        rows += ["", f"numba cold compile (empty cache, 64 × 64 warm-up): {fmt_s(c)}"]
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", help="cells a side (default 2000 8000)")
    ap.add_argument("--zones", type=int, help="home-range zones on the largest raster (100)")
    ap.add_argument("--quick", action="store_true", help="sizes 500 1000 and 10 zones")
    ap.add_argument("--only", help=f"comma-separated cases of {','.join(CASES)},compile")
    ap.add_argument("--pls-timeout", type=float, default=600.0, help="seconds (default 600)")
    ap.add_argument("--pls-max-size", type=int, default=8000, help="skip pylandstats above")
    ap.add_argument("--workdir", help="folder for the rasters (default: a temporary one)")
    ap.add_argument("--json", help="write the summary as JSON here")
    ap.add_argument("--markdown", help="write the tables as markdown here")
    ap.add_argument("--profile", action="store_true", help="cProfile habitat's cases")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--raster", help=argparse.SUPPRESS)
    ap.add_argument("--csv", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.zones is None:
        args.zones = 10 if args.quick else 100
    if args.child:
        child(args)
        return
    sizes = args.sizes or ([500, 1000] if args.quick else [2000, 8000])
    only = set(args.only.split(",")) if args.only else {*CASES, "compile"}
    tmp = tempfile.TemporaryDirectory(prefix="bench_landscape_")
    work = Path(args.workdir) if args.workdir else Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "versions": versions(),
        "sizes": sizes,
        "zones": args.zones,
        "pls_class_metrics": PLS_CLASS_METRICS,
        "pls_landscape_metrics": PLS_LANDSCAPE_METRICS,
        "results": {},
    }
    print(json.dumps({k: summary[k] for k in ("date", "machine", "versions")}, indent=1))
    if "compile" in only:
        with tempfile.TemporaryDirectory(prefix="numba_cache_") as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache}
            tiny = work / "tiny.tif"
            make_raster(WARMUP_CELLS, tiny)
            summary["compile"] = run_child("compile", tiny, args, env=env)
            print(f"numba cold compile: {fmt_s(summary['compile'])}", flush=True)
    for size in sizes:
        path = work / f"land_cover_{size}.tif"
        t0 = time.perf_counter()
        nbytes = make_raster(size, path)
        res: dict[str, Any] = {"nbytes": nbytes, "simulate_and_write_s": time.perf_counter() - t0}
        summary["results"][str(size)] = res
        print(
            f"\n{size:,} x {size:,}: simulated and written in {res['simulate_and_write_s']:.1f} s "
            f"({path.stat().st_size / 2**20:.2f} MB on disk)",
            flush=True,
        )
        for case in CASES:
            if case not in only:
                continue
            if case.startswith("zones") and size != max(sizes):
                continue
            if case == "pylandstats" and size > args.pls_max_size:
                res[case] = {
                    "case": case,
                    "status": f"skipped (> {args.pls_max_size} cells a side)",
                }
                continue
            csv = work / f"{case}_{size}.csv" if case in ("habitat", "pylandstats") else None
            timeout = args.pls_timeout if case == "pylandstats" else None
            r = run_child(case, path, args, csv=csv, timeout=timeout)
            res[case] = r
            print(
                f"  {case:12s} {fmt_s(r):>22s}  {fmt_mem(r, nbytes)}  "
                f"{r.get('error', '')[-400:] if r.get('status') != 'ok' else ''}",
                flush=True,
            )
            if "profile" in r:
                print(r.pop("profile"))
        ours, theirs = work / f"habitat_{size}.csv", work / f"pylandstats_{size}.csv"
        if ours.is_file() and theirs.is_file():
            res["difference"] = compare(ours, theirs)
            print("  max relative difference vs pylandstats:", json.dumps(res["difference"]))
    table = markdown(summary)
    print("\n" + table)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1, default=str))
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")
    tmp.cleanup()


if __name__ == "__main__":
    main()

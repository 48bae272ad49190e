"""Benchmark (issue 14, item 4): movement-model selection and AKDE, one animal and a hundred.

Work per animal, as ctmm's ``ctmm.guess`` + ``ctmm.select`` + ``akde``:
``habitat.movement.fit_movement`` (all six candidates, IID / OU / OUF,
isotropic and anisotropic, pHREML, smallest AICc) then
``habitat.homerange.akde.estimate`` at 95 % with the fitted model (equal
weights, debiased, area interval). ``n_likelihood_evaluations`` is the fitted
model's count of exact likelihood evaluations (Kalman filter passes over the
fixes) for the whole selection.

Cases:

1. **One animal, 10,000 fixes**: an exact OU track
   (``habitat.datasets.simulate.simulate_relocations``, tau 1.5 d, 95 % area
   drawn from the female range, hourly schedule with each fix kept with
   probability 0.5, so intervals 1 h, 2 h, 3 h, ... (geometric, mean 2 h),
   plus three collar outages of 3, 6 and 10 days). One warm-up call (loads or
   compiles the numba kernels; reported separately), then ``--repeats`` warm
   calls: fit, AKDE and total, wall and CPU seconds (medians). ``--cold`` also
   times the first call in a fresh process with an empty numba cache (what a
   first use after installation costs). Target: under 1 s warm.
2. **A hundred animals on two cores**: 50 female and 50 male simulated
   leopards, 4-hourly for 406 days with 90 % fix success (about 2,190 fixes
   each, irregular), on ``concurrent.futures.ProcessPoolExecutor(2)`` (BLAS
   pinned to one thread before numpy is imported), wall time including the
   pool's start; then the same animals through
   ``habitat.home_range(fixes, method="akde", levels=0.95)`` (in chunks of 10
   animals over the same two workers) when ``akde`` is registered. Target:
   under 60 s wall.
3. **Real tracks** (``/work/shared/data/relocations``; skipped when absent):
   CPU seconds per animal (guess, selection and AKDE) on every time-stamped
   animal with at least 50 fixes: albatross (6 birds, Argos), bear, buffalo,
   roe deer ``capreochiz`` (cleaned: 3-D fixes with DOP <= 10 within 5 km of
   the median position) and ``capreotf``, hooded seal, mouflon, porpoises,
   wild boar ``puechcirc``. ctmm cannot run here (no R); the issue gives ctmm
   1.3.0's CPU seconds per animal on this machine class: 15-335 s for
   129-5,766 fixes. The ratio printed is 15 s over habitat's slowest animal,
   a lower bound on the speed-up if the issue's animals cost habitat no more
   than these.

Usage::

    .venv/bin/python benchmarks/bench_akde.py [--case 1 2 3] [--repeats 5] [--cold]
        [--animals 100] [--workers 2] [--json out.json]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy is imported, here and in the workers

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from habitat.datasets.simulate import simulate_relocations  # noqa: E402
from habitat.homerange import akde  # noqa: E402
from habitat.movement import fit_movement  # noqa: E402

RELOCATIONS = Path("/work/shared/data/relocations")
#: ctmm 1.3.0 on this machine class, from the issue: CPU s per animal and the fixes
CTMM_CPU_S = (15.0, 335.0)
CTMM_FIXES = (129, 5766)
HOUR_NS = 3_600_000_000_000


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head


def _versions() -> dict[str, str]:
    import numba

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "cpus": str(os.cpu_count()),
    }


def _times_ns(ts: pd.Series) -> np.ndarray:
    return np.asarray(
        pd.to_datetime(ts, utc=True).dt.tz_convert(None).to_numpy().astype("datetime64[ns]"),
        dtype=np.int64,
    )


def _arrays(fixes: Any) -> tuple[np.ndarray, np.ndarray]:
    xy = np.column_stack([fixes.geometry.x.to_numpy(), fixes.geometry.y.to_numpy()])
    return xy, _times_ns(fixes["timestamp"])


def one_animal(xy: np.ndarray, t_ns: np.ndarray) -> dict[str, Any]:
    """Fit (model selection) and AKDE 95 % of one animal, timed (wall and CPU)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w0, c0 = time.perf_counter(), time.process_time()
        model = fit_movement((t_ns - t_ns[0]) / 1e9, xy)
        w1, c1 = time.perf_counter(), time.process_time()
        (est,) = akde.estimate(xy, levels=[0.95], timestamps_ns=t_ns, model=model)
        w2, c2 = time.perf_counter(), time.process_time()
    return {
        "n_fixes": int(len(xy)),
        "model": model.label,
        "n_likelihood_evaluations": int(model.n_likelihood_evaluations),
        "fit_s": w1 - w0,
        "akde_s": w2 - w1,
        "total_s": w2 - w0,
        "fit_cpu_s": c1 - c0,
        "akde_cpu_s": c2 - c1,
        "cpu_s": c2 - c0,
        "area_km2": est.area_m2 / 1e6,
        "area_low_km2": float(est.params["area_low_km2"]),
        "area_high_km2": float(est.params["area_high_km2"]),
        "dof_area": float(est.params["dof_area"]),
        "notes": len(model.notes),
    }


# --- case 1 --------------------------------------------------------------------------------


def track_10k(n: int = 10_000, seed: int = 14) -> tuple[np.ndarray, np.ndarray, float]:
    """An exact OU track of ``n`` irregular fixes with three outages; and its true 95 % area."""
    days = (n / 24.0 / 0.5) * 1.15 + 19.0
    sim = simulate_relocations(
        n_females=1,
        n_males=0,
        days=days,
        fix_interval_h=1.0,
        fix_success=0.5,
        seed=seed,
        crs="EPSG:32652",
    )
    xy, t_ns = _arrays(sim.fixes)
    day_ns = 24 * HOUR_NS
    keep = np.ones(t_ns.size, dtype=bool)
    for start_day, length_days in ((60, 3), (150, 6), (300, 10)):
        a = t_ns[0] + start_day * day_ns
        keep &= ~((t_ns >= a) & (t_ns < a + length_days * day_ns))
    xy, t_ns = xy[keep][:n], t_ns[keep][:n]
    return xy, t_ns, float(sim.truth["true_area_95_km2"].iloc[0])


def _first_call() -> None:
    """In a fresh process (``--_first-call``): import, build the track, one fit + AKDE."""
    w0 = time.perf_counter()
    xy, t_ns, _ = track_10k()
    out = one_animal(xy, t_ns)
    out["process_s"] = time.perf_counter() - w0
    print(json.dumps(out))


def case1(repeats: int, cold: bool) -> dict[str, Any]:
    xy, t_ns, true_area = track_10k()
    dt_h = np.diff(t_ns) / HOUR_NS
    sampling = {
        "n_fixes": int(xy.shape[0]),
        "interval_h_median": float(np.median(dt_h)),
        "share_1_to_4h": float(np.mean(dt_h <= 4.0)),
        "longest_gap_d": float(dt_h.max() / 24.0),
        "span_d": float((t_ns[-1] - t_ns[0]) / (24 * HOUR_NS)),
        "true_area_95_km2": true_area,
    }
    out: dict[str, Any] = {"sampling": sampling}
    if cold:
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, NUMBA_CACHE_DIR=cache)
            w0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, __file__, "--_first-call"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            cold_run = json.loads(proc.stdout.strip().splitlines()[-1])
            cold_run["subprocess_s"] = time.perf_counter() - w0
        out["cold"] = cold_run
    out["warm_up"] = one_animal(xy, t_ns)
    runs = [one_animal(xy, t_ns) for _ in range(repeats)]
    out["runs"] = runs
    out["median"] = {
        key: float(np.median([r[key] for r in runs]))
        for key in ("fit_s", "akde_s", "total_s", "fit_cpu_s", "akde_cpu_s", "cpu_s")
    }
    out["min_total_s"] = float(min(r["total_s"] for r in runs))
    return out


# --- case 2 --------------------------------------------------------------------------------


def _hundred(n_animals: int, seed: int = 7) -> Any:
    half = n_animals // 2
    sim = simulate_relocations(
        n_females=n_animals - half,
        n_males=half,
        days=406.0,
        fix_interval_h=4.0,
        fix_success=0.9,
        seed=seed,
        crs="EPSG:32652",
    )
    return sim


def _worker_animal(args: tuple[np.ndarray, np.ndarray]) -> dict[str, Any]:
    return one_animal(*args)


def _worker_home_range(fixes: Any) -> tuple[Any, float]:
    from habitat import home_range

    c0 = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = home_range(fixes, method="akde", levels=0.95)
    return result, time.process_time() - c0


def case2(n_animals: int, workers: int) -> dict[str, Any]:
    sim = _hundred(n_animals)
    fixes = sim.fixes
    groups = [g for _, g in fixes.groupby("individual", sort=True)]
    tasks = [_arrays(g) for g in groups]
    n_fixes = np.array([len(g) for g in groups])
    w0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        rows = list(pool.map(_worker_animal, tasks, chunksize=2))
    wall = time.perf_counter() - w0
    table = pd.DataFrame(rows)
    truth = sim.truth["true_area_95_km2"].to_numpy()
    covered = (table["area_low_km2"] <= truth) & (truth <= table["area_high_km2"])
    out: dict[str, Any] = {
        "n_animals": len(groups),
        "fixes_min": int(n_fixes.min()),
        "fixes_median": float(np.median(n_fixes)),
        "fixes_max": int(n_fixes.max()),
        "workers": workers,
        "wall_s": wall,
        "cpu_s_sum": float(table["cpu_s"].sum()),
        "cpu_s_per_animal_median": float(table["cpu_s"].median()),
        "cpu_s_per_animal_max": float(table["cpu_s"].max()),
        "evaluations_median": float(table["n_likelihood_evaluations"].median()),
        "evaluations_max": int(table["n_likelihood_evaluations"].max()),
        "models": table["model"].value_counts().to_dict(),
        "interval_covers_truth": int(covered.sum()),
        "truth_below_interval": int((truth < table["area_low_km2"]).sum()),
        "truth_above_interval": int((truth > table["area_high_km2"]).sum()),
        "area_over_truth_median": float(np.median(table["area_km2"] / truth)),
    }
    from habitat.homerange.estimate import ESTIMATORS

    if "akde" in ESTIMATORS:
        chunks = [
            fixes[fixes["individual"].isin([g["individual"].iloc[0] for g in groups[i : i + 10]])]
            for i in range(0, len(groups), 10)
        ]
        w0 = time.perf_counter()
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(_worker_home_range, chunks))
        hr_wall = time.perf_counter() - w0
        result = pd.concat([p[0] for p in parts])
        out["home_range"] = {
            "wall_s": hr_wall,
            "cpu_s_sum": float(sum(p[1] for p in parts)),
            "rows": len(result),
            "area_km2_vs_direct_max_rel": float(
                np.max(
                    np.abs(
                        result.sort_values("individual")["area_km2"].to_numpy()
                        / table["area_km2"].to_numpy()
                        - 1.0
                    )
                )
            ),
        }
    else:
        out["home_range"] = "akde not registered in habitat.homerange.estimate.ESTIMATORS"
    return out


# --- case 3 --------------------------------------------------------------------------------

REAL_SETS = (
    "albatross",
    "bear",
    "buffalo",
    "capreochiz",
    "capreotf",
    "hseal",
    "mouflon",
    "porpoise",
    "puechcirc",
)


def _real_tracks(min_fixes: int = 50) -> list[tuple[str, np.ndarray, np.ndarray, str]]:
    tracks = []
    for name in REAL_SETS:
        path = RELOCATIONS / f"{name}.csv"
        if not path.is_file():
            continue
        data = pd.read_csv(path)
        note = ""
        if name == "capreochiz":
            raw = len(data)
            good = data["status"].str.startswith("3D") & (data["dop"] <= 10.0)
            data = data[good]
            centre = data[["x", "y"]].median().to_numpy()
            near = np.hypot(data["x"] - centre[0], data["y"] - centre[1]) < 5000.0
            data = data[near]
            note = f"cleaned {raw} -> {len(data)}"
        for ident, g in data.groupby("id", sort=True):
            if len(g) < min_fixes:
                continue
            g = g.sort_values("date")
            xy = g[["x", "y"]].to_numpy(dtype=float)
            tracks.append((f"{name}/{ident}", xy, _times_ns(g["date"]), note))
    return tracks


def case3() -> dict[str, Any]:
    tracks = _real_tracks()
    if not tracks:
        return {"skipped": f"{RELOCATIONS} absent"}
    w0, c0 = time.perf_counter(), time.process_time()
    one_animal(tracks[0][1], tracks[0][2])  # warm-up: loads (or compiles) the numba kernels
    warm_up = {"wall_s": time.perf_counter() - w0, "cpu_s": time.process_time() - c0}
    rows = []
    for label, xy, t_ns, note in tracks:
        try:
            r = one_animal(xy, t_ns)
        except Exception as exc:  # a refused track is a result too
            r = {"n_fixes": len(xy), "error": f"{type(exc).__name__}: {exc}"[:120]}
        r["animal"] = label
        r["note"] = note
        rows.append(r)
    ok = [r for r in rows if "error" not in r]
    slowest = max(r["cpu_s"] for r in ok)
    in_range = [r for r in ok if CTMM_FIXES[0] <= r["n_fixes"] <= CTMM_FIXES[1]]
    return {
        "warm_up": warm_up,
        "animals": rows,
        "cpu_s_max": slowest,
        "cpu_s_median": float(np.median([r["cpu_s"] for r in ok])),
        "ratio_lower_bound": CTMM_CPU_S[0] / slowest,
        "in_ctmm_fix_range": len(in_range),
        "ctmm": "not run here; 15-335 CPU s per animal for 129-5,766 fixes, from the issue",
    }


# --- report --------------------------------------------------------------------------------


def _print(results: dict[str, Any]) -> None:
    env = results["environment"]
    print(
        f"commit {env['commit']}  python {env['python']}  numpy {env['numpy']}  "
        f"numba {env['numba']}  cpus {env['cpus']}  load before {env['load_before']} "
        f"after {env['load_after']}"
    )
    if "case1" in results:
        c = results["case1"]
        s = c["sampling"]
        print(
            f"\nCase 1: one animal, {s['n_fixes']:,} fixes (median step "
            f"{s['interval_h_median']:.0f} h, {100 * s['share_1_to_4h']:.0f} % of steps 1-4 h, "
            f"longest gap {s['longest_gap_d']:.1f} d, span {s['span_d']:.0f} d)"
        )
        print(f"{'run':<10}{'fit s':>8}{'akde s':>8}{'total s':>9}{'cpu s':>8}  evals  model")
        if "cold" in c:
            r = c["cold"]
            print(
                f"{'cold':<10}{r['fit_s']:8.3f}{r['akde_s']:8.3f}{r['total_s']:9.3f}{r['cpu_s']:8.3f}"
                f"  {r['n_likelihood_evaluations']:5d}  {r['model']} "
                f"(whole process {r['process_s']:.1f} s)"
            )
        for label, r in [("warm-up", c["warm_up"])] + [
            (f"warm {i + 1}", x) for i, x in enumerate(c["runs"])
        ]:
            print(
                f"{label:<10}{r['fit_s']:8.3f}{r['akde_s']:8.3f}{r['total_s']:9.3f}{r['cpu_s']:8.3f}"
                f"  {r['n_likelihood_evaluations']:5d}  {r['model']}"
            )
        m = c["median"]
        r = c["warm_up"]
        print(
            f"{'median':<10}{m['fit_s']:8.3f}{m['akde_s']:8.3f}{m['total_s']:9.3f}{m['cpu_s']:8.3f}"
            f"  target < 1 s; area {r['area_km2']:.1f} km2 [{r['area_low_km2']:.1f}, "
            f"{r['area_high_km2']:.1f}], true {s['true_area_95_km2']:.1f}"
        )
    if "case2" in results:
        c = results["case2"]
        print(
            f"\nCase 2: {c['n_animals']} animals, {c['fixes_min']}-{c['fixes_max']} fixes "
            f"(median {c['fixes_median']:.0f}), {c['workers']} workers"
        )
        print(
            f"  direct (fit_movement + akde.estimate): wall {c['wall_s']:.1f} s (target < 60 s), "
            f"CPU {c['cpu_s_sum']:.1f} s summed ({c['cpu_s_sum'] / c['wall_s']:.2f} cores busy), "
            f"per animal median {c['cpu_s_per_animal_median']:.2f} "
            f"max {c['cpu_s_per_animal_max']:.2f} s; evaluations median "
            f"{c['evaluations_median']:.0f} max {c['evaluations_max']}"
        )
        print(
            f"  models {c['models']}; 95 % interval covers the true area for "
            f"{c['interval_covers_truth']}/{c['n_animals']} "
            f"(truth below {c['truth_below_interval']}, "
            f"above {c['truth_above_interval']}; median area / truth "
            f"{c['area_over_truth_median']:.3f})"
        )
        hr = c["home_range"]
        if isinstance(hr, dict):
            print(
                f"  home_range(method='akde'), chunks of 10: wall {hr['wall_s']:.1f} s, "
                f"CPU {hr['cpu_s_sum']:.1f} s, {hr['rows']} rows, areas vs direct max "
                f"{100 * hr['area_km2_vs_direct_max_rel']:.2g} %"
            )
        else:
            print(f"  home_range: {hr}")
    if "case3" in results:
        c = results["case3"]
        print("\nCase 3: real tracks, CPU s per animal (guess, selection, AKDE)")
        if "skipped" in c:
            print(f"  skipped: {c['skipped']}")
            return
        w = c["warm_up"]
        print(f"  warm-up on the first track: {w['wall_s']:.2f} s wall, {w['cpu_s']:.2f} CPU s")
        print(f"{'animal':<24}{'fixes':>6}{'fit s':>8}{'akde s':>8}{'cpu s':>8}  evals  model")
        for r in c["animals"]:
            if "error" in r:
                print(f"{r['animal']:<24}{r['n_fixes']:>6}  refused: {r['error']}")
                continue
            print(
                f"{r['animal']:<24}{r['n_fixes']:>6}{r['fit_cpu_s']:8.3f}{r['akde_cpu_s']:8.3f}"
                f"{r['cpu_s']:8.3f}  {r['n_likelihood_evaluations']:5d}  {r['model']}"
                + (f"  ({r['note']})" if r["note"] else "")
            )
        print(
            f"  slowest {c['cpu_s_max']:.2f} CPU s, median {c['cpu_s_median']:.2f}; ctmm "
            f"{CTMM_CPU_S[0]:.0f}-{CTMM_CPU_S[1]:.0f} CPU s ({c['ctmm']}): at least "
            f"{c['ratio_lower_bound']:.0f}x less"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", type=int, nargs="+", default=[1, 2, 3], choices=[1, 2, 3])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--animals", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cold", action="store_true", help="time a first call, empty numba cache")
    parser.add_argument("--json", type=Path, help="write all figures to this file")
    parser.add_argument("--_first-call", dest="first_call", action="store_true", help="internal")
    args = parser.parse_args()
    if args.first_call:
        _first_call()
        return
    results: dict[str, Any] = {
        "environment": {
            **_versions(),
            "commit": _commit(),
            "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "load_before": _load(),
        }
    }
    if 1 in args.case:
        results["case1"] = case1(args.repeats, args.cold)
    if 2 in args.case:
        results["case2"] = case2(args.animals, args.workers)
    if 3 in args.case:
        results["case3"] = case3()
    results["environment"]["load_after"] = _load()
    _print(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()

"""Benchmark: UD overlap of many animals, habitat's default vs adehabitatHR's grid.

Data: simulated leopards in the bundled study area (habitat.datasets.simulate,
seed 7), ``--animals`` of them (half female) with ``--days`` of 4-hourly fixes.

habitat: ``ud_overlap(fixes)`` with its defaults (href bandwidths; one lattice
of cells a sixth of the smallest bandwidth, each UD stored only within 4
bandwidths of its fixes).

The peer: adehabitatHR's ``kerneloverlap``, which puts every UD on one dense
grid over all the animals (``kernelUD(same4all = TRUE)``). adehabitatHR cannot
run here (no R), so its grid is computed with ``ud_overlap(grid=..., extent=1)``,
which reproduces ``kerneloverlap`` to 1e-8 (tests/overlap/test_overlap_ud.py):

* at adehabitatHR's default ``grid=60``, the way most users call it, with the
  errors of the diagonal it gives (BA(i,i) and VI(i,i) should be 1, HR(i,i) 1);
* at the number of grid nodes that gives the same cell size as habitat's default
  (capped at ``--max-nodes`` per side), i.e. what a user would need to get the
  same accuracy: the ratio of the two times is the figure of merit.

Usage::

    .venv/bin/python benchmarks/bench_ud_overlap.py [--animals 40] [--days 180]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from habitat.datasets.simulate import simulate_relocations  # noqa: E402
from habitat.overlap.ud import ud_overlap  # noqa: E402


def diagonal_errors(mats: dict) -> dict[str, float]:
    """Largest distance of the diagonal from its definition (NaN counts as 1)."""
    out = {}
    for name, target in (("BA", 1.0), ("VI", 1.0), ("HR", 1.0), ("HD", 0.0)):
        d = np.diag(mats[name].to_numpy())
        out[name] = float(np.nanmax(np.where(np.isfinite(d), np.abs(d - target), 1.0)))
    return out


def timed(fixes, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        table, mats = ud_overlap(fixes, **kw)
        seconds = time.perf_counter() - t0
    return seconds, table, mats, len(caught)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--animals", type=int, default=40)
    ap.add_argument("--days", type=int, default=180)
    ap.add_argument("--max-nodes", type=int, default=1500)
    args = ap.parse_args()
    n_f = args.animals // 2
    fixes, _ = simulate_relocations(
        n_females=n_f, n_males=args.animals - n_f, days=args.days, seed=7
    )
    print(f"{args.animals} animals, {len(fixes):,} fixes")

    t_ours, table, ours, w_ours = timed(fixes)
    ours_cell = float(table.attrs["cell_size_m"])
    print(
        f"habitat default     : {t_ours:7.2f} s  diagonal errors {diagonal_errors(ours)}  "
        f"warnings {w_ours}"
    )

    t_60, _, m60, w60 = timed(fixes, grid=60, extent=1.0)
    print(
        f"adehabitatHR grid 60: {t_60:7.2f} s  diagonal errors {diagonal_errors(m60)}  "
        f"warnings {w60}"
    )

    # nodes for the same cell size over adehabitatHR's extent (the fixes' box grown by
    # extent=1 times its size on each side: three times the box)
    xy = fixes.to_crs(fixes.estimate_utm_crs()).geometry.get_coordinates().to_numpy()
    span = float((xy.max(axis=0) - xy.min(axis=0)).max()) * 3.0
    nodes = int(min(args.max_nodes, np.ceil(span / ours_cell)))
    t_fine, _, fine, w_fine = timed(fixes, grid=nodes, extent=1.0)
    print(
        f"adehabitatHR grid {nodes}: {t_fine:7.2f} s  diagonal errors "
        f"{diagonal_errors(fine)}  warnings {w_fine}  (cells {span / nodes:.0f} m vs "
        f"habitat's {ours_cell:.0f} m)"
    )
    diff = max(
        float(np.nanmax(np.abs(ours[k].to_numpy() - fine[k].to_numpy()))) for k in ("BA", "VI")
    )
    print(
        f"ratio (adehabitatHR's grid, {nodes} nodes / habitat): {t_fine / t_ours:.1f}x; "
        f"max |BA, VI difference| {diff:.2e}"
    )


if __name__ == "__main__":
    main()

"""Benchmark: MCP 95 % and KDE (href, grid 200, 95 % area) on the issue's two seeded sets.

Sets (bivariate normal fixes, sigma = 3 km, UTM 52N metres):
  * 10 animals x 10,000 fixes
  * 100 animals x 1,000 fixes

For each set it times habitat (``home_range(method="mcp")`` and
``home_range(method="kde", bandwidth="href", grid=200)``, adehabitatHR-compatible
mode) and, in the same run, a straightforward numpy/scipy implementation of the
same definitions (per-animal loop, ``np.quantile`` + ``scipy.spatial.ConvexHull``;
direct kernel sums over the grid), checks that both give the same areas, and
prints the ratio. adehabitatHR 0.4.22 itself cannot run here (no R); the issue
gives its times on this machine class: 13.0 s (1.6 s MCP + 11.4 s KDE) and
23.7 s (1.7 s + 22.0 s).

Usage::

    .venv/bin/python benchmarks/bench_homerange.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
from scipy.spatial import ConvexHull

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from habitat import home_range  # noqa: E402

ADEHABITAT_S = {(10, 10_000): (1.6, 11.4), (100, 1_000): (1.7, 22.0)}


def make_set(n_animals: int, n_fixes: int, seed: int = 42) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    xy = rng.normal(0.0, 3000.0, (n_animals * n_fixes, 2)) + [500_000.0, 4_800_000.0]
    ids = np.repeat([f"A{i:03d}" for i in range(n_animals)], n_fixes)
    return gpd.GeoDataFrame(
        {"individual": ids}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=32652
    )


def naive_mcp(xy_by_animal: list[np.ndarray], p: float) -> np.ndarray:
    out = []
    for xy in xy_by_animal:
        r = np.hypot(*(xy - xy.mean(axis=0)).T)
        keep = xy[r <= np.quantile(r, p)]
        out.append(ConvexHull(keep).volume)
    return np.array(out)


def naive_kde_area(
    xy: np.ndarray, *, grid: int = 200, extent: float = 1.0, p: float = 0.95
) -> float:
    """adehabitatHR's definitions, written plainly (kernel truncated to a 4h box)."""
    n = len(xy)
    h = np.sqrt(0.5 * (xy[:, 0].var(ddof=1) + xy[:, 1].var(ddof=1))) * n ** (-1 / 6)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    rx, ry = hi - lo
    lo = lo - extent * np.array([rx, ry])
    hi = hi + extent * np.array([rx, ry])
    longer = int(np.argmax(hi - lo))
    cell = (hi[longer] - lo[longer]) / (grid - 1)
    gx = np.arange(lo[0], hi[0] + cell / 2, cell)
    gy = np.arange(lo[1], hi[1] + cell / 2, cell)
    ud = np.zeros((len(gy), len(gx)))
    gxx, gyy = np.meshgrid(gx, gy)
    for i0 in range(0, n, 50):
        c = xy[i0 : i0 + 50]
        dx = gxx[None] - c[:, 0, None, None]
        dy = gyy[None] - c[:, 1, None, None]
        k = np.exp(-(dx**2 + dy**2) / (2 * h * h)) / (2 * np.pi)
        k[(np.abs(dx) >= 4 * h) | (np.abs(dy) >= 4 * h)] = 0.0
        ud += k.sum(axis=0)
    ud /= n * h * h
    v = np.sort((ud * cell * cell).ravel())[::-1]
    v /= v.sum()
    return float((np.cumsum(v) <= p).sum() * cell * cell)


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def main() -> int:
    home_range(make_set(2, 100), method="mcp")  # warm-up (imports, PROJ)
    try:
        home_range(make_set(2, 100), method="kde", bandwidth="href", grid=50)
        have_kde = True
    except Exception as exc:  # noqa: BLE001 - report and carry on with MCP
        print(f"KDE not available: {exc}")
        have_kde = False
    for (n_animals, n_fixes), (ade_mcp, ade_kde) in ADEHABITAT_S.items():
        data = make_set(n_animals, n_fixes)
        xy_by = [
            np.column_stack([g.geometry.x, g.geometry.y]) for _, g in data.groupby("individual")
        ]
        print(f"\n== {n_animals} animals x {n_fixes:,} fixes")
        ours, t_mcp = timed(home_range, data, method="mcp", levels=[0.95])
        ref, t_mcp_ref = timed(naive_mcp, xy_by, 0.95)
        assert np.allclose(ours["area_km2"].to_numpy() * 1e6, ref, rtol=1e-12)
        print(
            f"MCP 95 %  habitat {t_mcp:7.3f} s | numpy/scipy {t_mcp_ref:7.3f} s "
            f"({t_mcp_ref / t_mcp:5.1f}x) | adehabitatHR ~{ade_mcp} s "
            f"({ade_mcp / t_mcp:5.1f}x)"
        )
        if not have_kde:
            continue
        ours, t_kde = timed(
            home_range, data, method="kde", bandwidth="href", grid=200, levels=[0.95]
        )
        ref = []
        t0 = time.perf_counter()
        for xy in xy_by:
            ref.append(naive_kde_area(xy))
        t_kde_ref = time.perf_counter() - t0
        rel = np.abs(ours["area_km2"].to_numpy() * 1e6 / np.array(ref) - 1).max()
        print(
            f"KDE 95 %  habitat {t_kde:7.3f} s | numpy/scipy {t_kde_ref:7.3f} s "
            f"({t_kde_ref / t_kde:5.1f}x) | adehabitatHR ~{ade_kde} s "
            f"({ade_kde / t_kde:5.1f}x) | max area difference {rel:.1e}"
        )
        total = t_mcp + t_kde
        print(
            f"MCP + KDE habitat {total:7.3f} s vs adehabitatHR ~{ade_mcp + ade_kde} s "
            f"({(ade_mcp + ade_kde) / total:5.1f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

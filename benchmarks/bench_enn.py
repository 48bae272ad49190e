"""Benchmark: exact ENN (``habitat.landscape.enn``) on a large realistic land-cover raster.

Data: seeded Gaussian-filtered noise thresholded at its quantiles (``--classes`` classes,
correlation length ``--sigma`` cells), patches by the 8-neighbour rule (scipy.ndimage.label
per class), boundary cells = a rook neighbour of another patch or outside. Times the numba
compile (or cache load) separately from the search, then checks ``--check`` random patches
against a KD tree built on ALL cells of the other patches of their class.

``--peer`` also times pylandstats' ``euclidean_nearest_neighbor`` (only sensible for small
sizes: it did not finish in 45 min on 2,000 x 2,000) and compares per class.

Usage::

    .venv/bin/python benchmarks/bench_enn.py [--size 8000] [--sigma 8] [--classes 4]
        [--seed 0] [--check 20] [--peer]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree


def landscape(size: int, sigma: float, n_classes: int, seed: int) -> np.ndarray:
    """Seeded clumped classes 1..n_classes (int32)."""
    rng = np.random.default_rng(seed)
    field = ndimage.gaussian_filter(rng.standard_normal((size, size), np.float32), sigma)
    edges = np.quantile(
        field[:: max(1, size // 1000), :: max(1, size // 1000)],
        np.linspace(0, 1, n_classes + 1)[1:-1],
    )
    return (np.digitize(field, edges) + 1).astype(np.int32)


def boundary_cells(a: np.ndarray) -> tuple[np.ndarray, ...]:
    """Patch labels (8-neighbour) and boundary cells in raster order."""
    label = np.zeros(a.shape, np.int64)
    patch_class: list[int] = []
    for k in np.unique(a):
        lab, n = ndimage.label(a == k, structure=np.ones((3, 3), bool))
        label[lab > 0] = lab[lab > 0] - 1 + len(patch_class)
        patch_class.extend([int(k)] * n)
    p = np.pad(label, 1, constant_values=-1)
    c = p[1:-1, 1:-1]
    b = (p[:-2, 1:-1] != c) | (p[2:, 1:-1] != c) | (p[1:-1, :-2] != c) | (p[1:-1, 2:] != c)
    rows, cols = np.nonzero(b)
    return label, np.array(patch_class, np.int64), rows, cols, label[rows, cols]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=8000)
    ap.add_argument("--sigma", type=float, default=8.0)
    ap.add_argument("--classes", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check", type=int, default=20)
    ap.add_argument("--peer", action="store_true")
    args = ap.parse_args()

    from habitat.landscape.enn import nearest_neighbour_cells

    t0 = time.perf_counter()
    z = np.array([0, 0])
    nearest_neighbour_cells(z, np.array([0, 2]), np.array([0, 1]), np.array([1, 1]))
    t_compile = time.perf_counter() - t0

    t0 = time.perf_counter()
    a = landscape(args.size, args.sigma, args.classes, args.seed)
    label, patch_class, rows, cols, patch = boundary_cells(a)
    t_data = time.perf_counter() - t0
    print(
        f"{args.size} x {args.size}, sigma {args.sigma}, {args.classes} classes: "
        f"{patch_class.size:,} patches, {rows.size:,} boundary cells (inputs in {t_data:.1f} s)"
    )
    print(f"numba compile (or cache load) on the first call: {t_compile:.2f} s")
    t0, c0 = time.perf_counter(), time.process_time()
    enn = nearest_neighbour_cells(rows, cols, patch, patch_class)
    t_enn, c_enn = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"nearest_neighbour_cells: {t_enn:.2f} s wall, {c_enn:.2f} s CPU (all threads); "
        f"ENN max {np.nanmax(enn):.2f} cells, median {np.nanmedian(enn):.2f}"
    )

    rng = np.random.default_rng(1)
    by_class = {k: label[a == k] for k in np.unique(a)}
    coords = {k: np.argwhere(a == k) for k in np.unique(a)}
    for p in rng.choice(patch_class.size, min(args.check, patch_class.size), replace=False):
        k = patch_class[p]
        other = by_class[k] != p
        if not other.any():
            assert np.isnan(enn[p])
            continue
        d, _ = cKDTree(coords[k][other]).query(coords[k][~other])
        assert enn[p] == d.min(), (p, enn[p], d.min())
    print(f"{min(args.check, patch_class.size)} random patches agree with a KD tree on all cells")

    if args.peer:
        import warnings

        import pylandstats as pls

        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ref = pls.Landscape(a, res=(1, 1), neighborhood_rule="8").euclidean_nearest_neighbor()
        t_peer = time.perf_counter() - t0
        for k in np.unique(a):
            np.testing.assert_allclose(
                np.sort(enn[patch_class == k]),
                np.sort(ref.loc[ref["class_val"] == k, "euclidean_nearest_neighbor"].to_numpy()),
                rtol=1e-12,
                equal_nan=True,
            )
        print(f"pylandstats: {t_peer:.2f} s (agrees per class); ratio {t_peer / t_enn:.0f}x")


if __name__ == "__main__":
    main()

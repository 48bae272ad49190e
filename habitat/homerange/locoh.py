"""Local convex hull (LoCoH) home ranges (Getz et al. 2007).

For every fix, a *local hull* is the convex hull of the fix and a set of its
nearest neighbours:

``kind="k"`` (k-LoCoH)
    the fix and its ``k - 1`` nearest neighbours (``k`` points in all, the fix
    itself included, as in Getz et al. 2007 and adehabitatHR ``LoCoH.k``);
``kind="a"`` (a-LoCoH, adaptive)
    neighbours ordered by distance, the fix itself first at distance 0, are
    included while the cumulative sum of their distances to the fix is
    ``<= a`` (adehabitatHR ``LoCoH.a``);
``kind="r"`` (r-LoCoH, fixed radius)
    all fixes within distance ``r`` of the fix (adehabitatHR ``LoCoH.r``).

The hulls are sorted — by area ascending for k-LoCoH; by number of fixes
descending, then area ascending for a- and r-LoCoH (Getz et al. 2007;
adehabitatHR sorts the same way) — and merged progressively. The isopleth at
level ``p`` is the union of the first ``r + 1`` hulls in that order, where
``r`` is the smallest rank at which the hulls ``0..r`` together contain at least
``p * n`` *distinct* fixes. As in adehabitatHR, a hull is taken to contain
exactly the fixes it was built from (no point-in-polygon test), so the
covered-fix count is computed from the neighbour index arrays alone.

References
----------
Getz, W. M., Fortmann-Roe, S., Cross, P. C., Lyons, A. J., Ryan, S. J. &
Wilmers, C. C. (2007). LoCoH: nonparameteric kernel methods for constructing
home ranges and utilization distributions. *PLoS ONE* 2(2): e207.

Calenge, C. (2006). The package adehabitat for the R software: a tool for the
analysis of space and habitat use by animals. *Ecological Modelling* 197:
516-519.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import shapely
from scipy.spatial import cKDTree

from habitat.core.deprecation import renamed_parameter
from habitat.core.errors import DataQualityWarning, InputError
from habitat.homerange.base import (
    MIN_FIXES,
    Estimate,
    check_levels,
    check_xy,
    refuse_unknown_options,
)

__all__ = ["MIN_FIXES", "estimate"]

#: Relative tolerance when comparing covered-fix counts with ``p * n``.
_LEVEL_RTOL = 1e-9


def _neighbourhoods_k(tree: cKDTree, xy: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat neighbour indices and owning hull of each, for k-LoCoH."""
    n = xy.shape[0]
    _, idx = tree.query(xy, k=k)
    idx = np.asarray(idx, dtype=np.intp).reshape(n, k)
    # The fix itself must be in its own hull even when duplicates tie at distance 0.
    has_self = (idx == np.arange(n)[:, None]).any(axis=1)
    idx[~has_self, -1] = np.flatnonzero(~has_self)
    owner = np.repeat(np.arange(n), k)
    return idx.ravel(), owner


def _prune_interior(pts: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Mask of the neighbours that may be hull vertices, for an (n, k) index array.

    Akl-Toussaint heuristic: the extreme points of each neighbourhood in eight
    directions span an octagon inside its convex hull; points strictly inside
    that octagon cannot be hull vertices and are dropped before the (GEOS)
    convex hull. Repeated extreme points are skipped; with fewer than three distinct ones
    everything is kept, so the hulls are exact.
    """
    p = pts[idx]  # (n, k, 2)
    ang = np.arange(8) * (np.pi / 4)
    proj = p @ np.stack([np.cos(ang), np.sin(ang)])  # (n, k, 8)
    ext = np.take_along_axis(p, proj.argmax(axis=1)[:, :, None], axis=1)  # (n, 8, 2), CCW
    edge = np.roll(ext, -1, axis=1) - ext
    # cross(edge, p - ext) = ex * py - ey * px - (ex * ext_y - ey * ext_x), (n, k, 8)
    ex, ey = edge[:, None, :, 0], edge[:, None, :, 1]
    offset = (edge[..., 0] * ext[..., 1] - edge[..., 1] * ext[..., 0])[:, None, :]
    cross = ex * p[:, :, 1:2]
    cross -= ey * p[:, :, 0:1]
    cross -= offset
    scale = np.abs(p).max() + 1.0
    tol = 1e-9 * scale * scale
    # A repeated extreme point gives a zero-length edge, which constrains nothing.
    null_edge = (np.abs(edge) <= 1e-12 * scale).all(axis=2)[:, None, :]
    inside = ((cross > tol) | null_edge).all(axis=2)
    # Fewer than three distinct extreme points: no interior; keep everything.
    inside &= (~null_edge).sum(axis=2) >= 3
    return ~inside


def _neighbourhoods_cum(
    tree: cKDTree, xy: np.ndarray, threshold: float, cumulative: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Flat neighbour indices and owning hull of each, for a-LoCoH / r-LoCoH.

    A neighbour (in distance order, the fix itself first) is kept while the
    cumulative sum of distances (``cumulative=True``, a-LoCoH) or the distance
    itself (r-LoCoH) is ``<= threshold``. The number of neighbours queried is
    doubled until no row is truncated.
    """
    n = xy.shape[0]
    q = min(n, 16)
    while True:
        dist, idx = tree.query(xy, k=q)
        dist = np.asarray(dist, dtype=float).reshape(n, q)
        idx = np.asarray(idx, dtype=np.intp).reshape(n, q)
        crit = np.cumsum(dist, axis=1) if cumulative else dist
        keep = crit <= threshold
        if q == n or not keep[:, -1].any():
            break
        q = min(n, 2 * q)
    # The fix itself (distance 0, cumulative sum 0) is always kept: zero-distance
    # ties come first, and a query that cuts them off is widened above.
    return idx[keep], np.nonzero(keep)[0]


@refuse_unknown_options
def estimate(
    xy: Any,
    *,
    levels: Sequence[float],
    timestamps_ns: Any = None,
    kind: Literal["k", "a", "r"] = "k",
    k: int | None = None,
    a_m: float | None = None,
    r_m: float | None = None,
    a: float | None = None,
    r: float | None = None,
) -> list[Estimate]:
    """LoCoH isopleths of one animal.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Planar coordinates of the fixes, in metres.
    levels : sequence of float
        Isopleth levels as fractions in (0, 1]: the isopleth at ``p`` is the
        union of the smallest hulls (in the sort order of the method) that
        together contain at least ``p * n`` distinct fixes.
    timestamps_ns : array_like of int64, optional
        Ignored (LoCoH does not use time); accepted for the common contract.
    kind : {"k", "a", "r"}
        Neighbourhood rule (see the module docstring).
    k : int, optional
        Number of fixes per hull for k-LoCoH, the fix itself included,
        ``3 <= k <= n``. Default ``round(sqrt(n))`` (Getz et al. 2007's rule of
        thumb), raised to 3 if smaller.
    a_m : float, optional
        a-LoCoH threshold on the cumulative sum of neighbour distances, in
        metres. Default: the largest distance between any two fixes (Getz et
        al. 2007).
    r_m : float, optional
        r-LoCoH radius in metres; required for ``kind="r"`` (no default rule is
        assumed).
    a, r : float, optional
        Deprecated names of ``a_m`` and ``r_m``.

    Returns
    -------
    list of Estimate
        One per level, in the order given. ``area_m2`` is the area of the
        union polygon; ``params`` holds ``k`` (k-LoCoH), ``a_m`` or ``r_m``,
        ``n_hulls`` (hulls merged into the isopleth), ``n_hulls_total`` and
        ``fraction_fixes_covered`` (distinct fixes in those hulls / n).

    Raises
    ------
    InsufficientDataError
        Fewer than 5 fixes.
    InputError
        Malformed ``xy`` or ``levels``, unknown ``kind``, ``k`` outside
        ``[3, n]``, non-positive ``a``/``r``, or ``r`` missing for r-LoCoH.

    Warns
    -----
    DataQualityWarning
        A level cannot be reached because some fixes lie only in degenerate
        (zero-area) hulls, e.g. isolated fixes in r-LoCoH or collinear
        neighbourhoods; the union of all hulls is returned for that level.

    Notes
    -----
    Hulls with zero area (fewer than three distinct, non-collinear points) are
    dropped, as in adehabitatHR: they add no area, and the fixes that only they
    contain count as not covered. Duplicate fixes are kept as they are (no
    jitter, unlike adehabitatHR's ``duplicates="random"``); fixes at identical
    coordinates count as covered once any merged hull holds one of them.

    References
    ----------
    Getz et al. (2007) PLoS ONE 2: e207. Calenge (2006) Ecol. Model. 197: 516.

    Examples
    --------
    Fixes on every node of a 1 km lattice filling a 10 km × 10 km square
    (121 fixes). LoCoH ranges are unions of local hulls, so they stay within
    the MCP (the square, 100 km²):

    >>> g = np.arange(0.0, 10_001.0, 1000.0)
    >>> lattice = np.array([(x, y) for x in g for y in g])
    >>> core, outer = estimate(lattice, levels=[0.5, 1.0], k=9)
    >>> round(core.area_m2 / 1e6, 2), round(outer.area_m2 / 1e6, 2)
    (44.0, 99.5)
    >>> outer.params["n_hulls"], outer.params["n_hulls_total"]
    (106, 121)
    >>> outer.params["fraction_fixes_covered"]
    1.0

    Without ``k``, Getz et al.'s rule of thumb ``k = round(sqrt(n))``; r-LoCoH
    needs its radius:

    >>> estimate(lattice, levels=[0.5])[0].params["k"]
    11
    >>> round(estimate(lattice, levels=[0.5], kind="r", r_m=1000.0)[0].area_m2 / 1e6, 2)
    42.5
    """
    a_m = renamed_parameter("a", "a_m", a, a_m, where="habitat.homerange.locoh.estimate")
    r_m = renamed_parameter("r", "r_m", r, r_m, where="habitat.homerange.locoh.estimate")
    pts = check_xy(xy, method="LoCoH")
    levs = check_levels(levels)
    n = pts.shape[0]
    tree = cKDTree(pts)
    params: dict[str, Any] = {}

    if kind == "k":
        if k is None:
            k = max(3, round(math.sqrt(n)))
        if isinstance(k, bool) or not isinstance(k, int | np.integer):
            raise InputError(f"LoCoH: k must be an integer number of fixes, got {k!r}.")
        k = int(k)
        if k < 3 or k > n:
            raise InputError(
                f"LoCoH: k must be between 3 and the number of fixes ({n}), got {k}; "
                f"a common choice is round(sqrt(n)) = {round(math.sqrt(n))}."
            )
        flat, owner = _neighbourhoods_k(tree, pts, k)
        params["k"] = k
    elif kind in ("a", "r"):
        value = a_m if kind == "a" else r_m
        if value is None:
            if kind == "r":
                raise InputError(
                    "LoCoH: r-LoCoH needs a radius r_m in metres, e.g. r_m=500.0; "
                    "or use kind='k' or kind='a'."
                )
            # Largest pairwise distance: attained between two vertices of the hull.
            hull_pts = shapely.get_coordinates(shapely.convex_hull(shapely.multipoints(pts)))
            diff = hull_pts[:, None, :] - hull_pts[None, :, :]
            value = float(np.sqrt((diff**2).sum(axis=-1)).max())
        value = float(value)
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"LoCoH: {kind}_m must be a positive distance in metres, got {value}.")
        flat, owner = _neighbourhoods_cum(tree, pts, value, cumulative=kind == "a")
        params[f"{kind}_m"] = value
    else:
        raise InputError(f"LoCoH: kind must be 'k', 'a' or 'r', got {kind!r}.")

    counts = np.bincount(owner, minlength=n)
    if kind == "k":
        rows = flat.reshape(n, -1)
        step = max(1, 2_000_000 // (8 * rows.shape[1]))  # bound the (rows, k, 8) temporaries
        keep = np.concatenate(
            [_prune_interior(pts, rows[i : i + step]).ravel() for i in range(0, n, step)]
        )
    else:
        keep = np.ones(flat.size, dtype=bool)
    hulls = shapely.convex_hull(shapely.multipoints(pts[flat[keep]], indices=owner[keep]))
    areas = shapely.area(hulls)
    valid = areas > 0
    # Sort order: k-LoCoH by area; a/r-LoCoH by number of fixes (desc) then area.
    order = np.lexsort((areas,)) if kind == "k" else np.lexsort((areas, -counts))
    order = order[valid[order]]
    n_valid = order.size
    rank = np.full(n, n, dtype=np.intp)  # rank of each hull; n = never used
    rank[order] = np.arange(n_valid)
    # First rank (in merge order) of a hull containing each fix.
    # Identical coordinates are one location: a duplicate fix is covered as soon
    # as any hull holding a fix at its location is merged.
    _, loc = np.unique(pts, axis=0, return_inverse=True)
    loc = loc.ravel()
    first_loc = np.full(int(loc.max()) + 1, n, dtype=np.intp)
    np.minimum.at(first_loc, loc[flat], rank[owner])
    first = first_loc[loc]
    first_sorted = np.sort(first)
    covered_max = int(np.count_nonzero(first < n))

    results: list[Estimate] = []
    cache: dict[int, shapely.Geometry] = {}
    done_rank = -1
    done_geom: shapely.Geometry = shapely.Polygon()
    for p in sorted(set(levs)):
        need = max(1, math.ceil(p * n * (1 - _LEVEL_RTOL)))
        if need > covered_max:
            warnings.warn(
                f"LoCoH: only {covered_max} of {n} fixes lie in non-degenerate hulls, "
                f"so the {p:g} isopleth cannot be reached; returning the union of all "
                f"hulls ({covered_max / n:.3f} of the fixes). Increase "
                f"{'k' if kind == 'k' else kind} to include isolated fixes.",
                DataQualityWarning,
                stacklevel=2,
            )
            last = n_valid - 1
        else:
            last = int(first_sorted[need - 1])
        if last not in cache:
            if last > done_rank:
                new = hulls[order[done_rank + 1 : last + 1]]
                done_geom = shapely.union_all(np.append(new, done_geom))
                done_rank = last
            cache[last] = done_geom
    for p in levs:
        need = max(1, math.ceil(p * n * (1 - _LEVEL_RTOL)))
        last = n_valid - 1 if need > covered_max else int(first_sorted[need - 1])
        geom = cache[last]
        covered = int(np.count_nonzero(first <= last))
        results.append(
            Estimate(
                level=p,
                geometry=geom,
                area_m2=float(shapely.area(geom)),
                params={
                    **params,
                    "n_hulls": last + 1,
                    "n_hulls_total": n_valid,
                    "fraction_fixes_covered": covered / n,
                },
            )
        )
    return results

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

Repeated locations (several fixes at identical coordinates, common with
rounded GPS positions or a resting animal) are handled by one of two rules:

``duplicates="once"`` (default)
    the fixes are kept as they are; a location counts as covered, for all its
    fixes, as soon as a merged hull holds any of them; hulls made only of
    copies of one location have no area and are dropped.
``duplicates="jitter"``
    adehabitatHR 0.4.22's rule (``LoCoH.k/a/r(duplicates="random")``,
    Calenge 2006): every fix of a repeated location is moved by uniform noise
    in ``(-amount, amount)`` on each axis, so that the copies become distinct
    fixes, each with its own hull and each counted on its own. ``amount`` is R's
    ``jitter(x, 1)`` default computed from the x coordinates (a fifth of the
    smallest gap between the distinct x values once rounded to
    ``3 - floor(log10(x range))`` decimals: 0.2 m for fixes in whole metres
    spread over 1-10 km, 2 m over 10-100 km), used for
    both axes as adehabitatHR does. The noise comes from numpy's generator
    seeded with ``jitter_seed`` (R's ``runif`` stream cannot be reproduced),
    so results are reproducible but not the same draws as an R session.

With ``duplicates="jitter"``, ties (neighbours at equal distances, hulls of
equal areas, common with coordinates in whole metres) are also broken as in
adehabitatHR: its duplicates step puts the fixes in the order of their printed
coordinates (``"x y"``, 15 significant digits; byte order here, as R's
``factor`` in the C locale), each location's fixes in their original order,
and R's stable ``order`` then breaks ties by that order. With the default
rule, neighbours at equal distances come in the KD-tree's order.

On adehabitatLT's bear (24 of 1,000 fixes repeated) and puechcirc, the two
rules differ by 0 to 2.4 % in area (k-LoCoH, k = 5 or 10, levels 0.5-1),
mostly by less than 0.1 %.

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

__all__ = ["DUPLICATE_RULES", "MIN_FIXES", "estimate"]

#: Rules for repeated locations: ``"once"`` (habitat) and ``"jitter"`` (adehabitatHR).
DUPLICATE_RULES = ("once", "jitter")

#: Relative tolerance when comparing covered-fix counts with ``p * n``.
_LEVEL_RTOL = 1e-9


def _r_jitter_amount(x: np.ndarray, amount: float | None) -> float:
    """Half-width of R's ``jitter(x, factor = 1, amount)`` noise (R ``base::jitter``)."""
    z = float(x.max() - x.min())
    if z == 0:
        z = abs(float(x.min()))
    if z == 0:
        z = 1.0
    if amount is None:
        xx = np.unique(np.round(x, 3 - math.floor(math.log10(z))))
        d = np.diff(xx)
        if d.size:
            gap = float(d.min())
        else:
            gap = float(xx[0]) / 10 if xx[0] != 0 else z / 10
        return abs(gap) / 5
    if amount == 0:
        return z / 50
    return amount


def _jitter_repeats(pts: np.ndarray, amount_m: Any, seed: Any) -> tuple[np.ndarray, int, float]:
    """Move every fix of a repeated location, as adehabitatHR's ``duplicates = "random"``.

    Returns the new coordinates, the number of fixes moved and the noise
    half-width used (m; NaN when nothing was moved).
    """
    if amount_m is not None:
        if isinstance(amount_m, bool) or not isinstance(
            amount_m, int | float | np.integer | np.floating
        ):
            raise InputError(
                f"LoCoH: jitter_amount_m must be a distance in metres (>= 0) or None, "
                f"got {amount_m!r}."
            )
        amount_m = float(amount_m)
        if not (math.isfinite(amount_m) and amount_m >= 0):
            raise InputError(
                f"LoCoH: jitter_amount_m must be a distance in metres (>= 0) or None, "
                f"got {amount_m!r}."
            )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"LoCoH: jitter_seed must be an integer >= 0, got {seed!r}.")
    _, loc, counts = np.unique(pts, axis=0, return_inverse=True, return_counts=True)
    repeated = counts[loc.ravel()] > 1
    n_moved = int(np.count_nonzero(repeated))
    if not n_moved:
        return pts, 0, math.nan
    x = pts[:, 0]
    amount = _r_jitter_amount(x, amount_m)
    rng = np.random.default_rng(int(seed))
    # adehabitatHR: sam1 <- xy[,1] - jitter(xy[,1], 1, amount); sam2 likewise, from x too.
    sam1 = x - (x + rng.uniform(-amount, amount, x.size))
    sam2 = x - (x + rng.uniform(-amount, amount, x.size))
    out = pts.copy()
    out[repeated, 0] += sam1[repeated]
    out[repeated, 1] += sam2[repeated]
    return out, n_moved, amount


def _adehabitat_row_order(pts: np.ndarray) -> np.ndarray:
    """The order adehabitatHR puts the fixes in: by their printed coordinates.

    Its duplicates step splits the fixes by ``factor(paste(x, y))`` and binds
    the groups back in the order of the factor's levels (sorted strings, 15
    significant digits; byte order here, as R in the C locale), each group in
    its original order. Only ties in distance or area depend on it.
    """
    keys = np.char.add(
        np.char.add(np.char.mod("%.15g", pts[:, 0]), " "), np.char.mod("%.15g", pts[:, 1])
    )
    return np.argsort(keys, kind="stable")


def _by_distance_then_index(dist: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's neighbours sorted by distance, ties by fix index (as R's stable ``order``)."""
    o = np.lexsort((idx, dist), axis=1)
    return np.take_along_axis(dist, o, axis=1), np.take_along_axis(idx, o, axis=1)


def _neighbourhoods_k(
    tree: cKDTree, xy: np.ndarray, k: int, ties_by_index: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Flat neighbour indices and owning hull of each, for k-LoCoH.

    With ``ties_by_index``, neighbours at the same distance as the k-th are
    taken in fix order (R's stable ``order`` in adehabitatHR), not in the
    KD-tree's order: the query is widened until it holds every fix tied with
    the k-th.
    """
    n = xy.shape[0]
    q = min(n, k + 4) if ties_by_index else k
    while True:
        dist, idx = tree.query(xy, k=q)
        dist = np.asarray(dist, dtype=float).reshape(n, q)
        idx = np.asarray(idx, dtype=np.intp).reshape(n, q)
        if not ties_by_index or q == n or not (dist[:, q - 1] == dist[:, k - 1]).any():
            break
        q = min(n, 2 * q)
    if ties_by_index:
        idx = _by_distance_then_index(dist, idx)[1]
    idx = np.ascontiguousarray(idx[:, :k])
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
    tree: cKDTree, xy: np.ndarray, threshold: float, cumulative: bool, ties_by_index: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Flat neighbour indices and owning hull of each, for a-LoCoH / r-LoCoH.

    A neighbour (in distance order, the fix itself first) is kept while the
    cumulative sum of distances (``cumulative=True``, a-LoCoH) or the distance
    itself (r-LoCoH) is ``<= threshold``; with ``ties_by_index``, neighbours
    at equal distances are taken in fix order. The number of neighbours
    queried is doubled until no row is truncated.
    """
    n = xy.shape[0]
    q = min(n, 16)
    while True:
        dist, idx = tree.query(xy, k=q)
        dist = np.asarray(dist, dtype=float).reshape(n, q)
        idx = np.asarray(idx, dtype=np.intp).reshape(n, q)
        if ties_by_index:
            dist, idx = _by_distance_then_index(dist, idx)
        crit = np.cumsum(dist, axis=1) if cumulative else dist
        keep = crit <= threshold
        # Widen while a row may be cut off (or, with ties_by_index, may have
        # fixes beyond the query tied with its last kept one).
        if ties_by_index:
            last = np.take_along_axis(dist, keep.sum(axis=1)[:, None] - 1, axis=1)[:, 0]
            cut = (dist[:, q - 1] == last).any()
        else:
            cut = keep[:, -1].any()
        if q == n or not cut:
            break
        q = min(n, 2 * q)
    # The fix itself (distance 0, cumulative sum 0) is always kept: zero-distance
    # ties come first, and a query that cuts them off is widened above.
    return idx[keep], np.nonzero(keep)[0]


def _check_duplicates_rule(duplicates: Any) -> None:
    """Refuse a ``duplicates`` rule other than those of :data:`DUPLICATE_RULES`."""
    if duplicates not in DUPLICATE_RULES:
        raise InputError(
            f"LoCoH: duplicates must be 'once' (a repeated location counts once) or "
            f"'jitter' (copies moved apart, as adehabitatHR), got {duplicates!r}."
        )


def _handle_repeats(
    pts: np.ndarray, duplicates: str, amount_m: Any, seed: Any
) -> tuple[np.ndarray, int, dict[str, Any]]:
    """Apply the ``duplicates`` rule to repeated locations.

    Returns the fixes to build hulls from (with ``"jitter"``, moved apart and
    in adehabitatHR's order), the number of fixes sharing their location with
    another fix and the params the rule adds (``jitter_amount_m``).
    """
    if duplicates == "jitter":
        pts, n_repeated, amount = _jitter_repeats(pts, amount_m, seed)
        # adehabitatHR's order of the fixes, and its tie-breaking by that order
        pts = pts[_adehabitat_row_order(pts)]
        return pts, n_repeated, {"jitter_amount_m": amount}
    _, counts_loc = np.unique(pts, axis=0, return_counts=True)
    return pts, int(counts_loc[counts_loc > 1].sum()), {}


def _neighbourhoods(
    pts: np.ndarray,
    kind: Any,
    k: Any,
    a_m: float | None,
    r_m: float | None,
    ties_by_index: bool,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Check the neighbourhood option of ``kind`` and find each hull's fixes.

    Returns the flat neighbour indices, the owning hull of each and the
    params of the rule (``k``, ``a_m`` or ``r_m``, as used).
    """
    n = pts.shape[0]
    tree = cKDTree(pts)
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
        flat, owner = _neighbourhoods_k(tree, pts, k, ties_by_index)
        return flat, owner, {"k": k}
    if kind in ("a", "r"):
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
        flat, owner = _neighbourhoods_cum(
            tree, pts, value, cumulative=kind == "a", ties_by_index=ties_by_index
        )
        return flat, owner, {f"{kind}_m": value}
    raise InputError(f"LoCoH: kind must be 'k', 'a' or 'r', got {kind!r}.")


def _sorted_hulls(
    pts: np.ndarray, flat: np.ndarray, owner: np.ndarray, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    """The local hulls (one per fix) and the merge order of the non-degenerate ones."""
    n = pts.shape[0]
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
    return hulls, order[valid[order]]


def _first_cover_rank(
    pts: np.ndarray, flat: np.ndarray, owner: np.ndarray, order: np.ndarray
) -> np.ndarray:
    """First rank (in merge order) of a hull containing each fix; n = never covered.

    Identical coordinates are one location: a duplicate fix is covered as soon
    as any hull holding a fix at its location is merged.
    """
    n = pts.shape[0]
    rank = np.full(n, n, dtype=np.intp)  # rank of each hull; n = never used
    rank[order] = np.arange(order.size)
    _, loc = np.unique(pts, axis=0, return_inverse=True)
    loc = loc.ravel()
    first_loc = np.full(int(loc.max()) + 1, n, dtype=np.intp)
    np.minimum.at(first_loc, loc[flat], rank[owner])
    return first_loc[loc]


def _last_rank(p: float, n: int, first_sorted: np.ndarray, n_valid: int) -> int:
    """Rank of the last hull merged into the isopleth at level ``p``.

    When ``p`` cannot be reached (too few fixes in non-degenerate hulls), the
    last rank of all: the union of all hulls.
    """
    need = max(1, math.ceil(p * n * (1 - _LEVEL_RTOL)))
    covered_max = int(np.count_nonzero(first_sorted < n))
    return n_valid - 1 if need > covered_max else int(first_sorted[need - 1])


def _unions_per_level(
    levs: list[float], hulls: np.ndarray, order: np.ndarray, first: np.ndarray, kind: str
) -> dict[int, shapely.Geometry]:
    """Union of the hulls up to each level's last rank, merged progressively.

    Warns (DataQualityWarning, pointing at the caller of :func:`estimate`)
    for each level that cannot be reached.
    """
    n = first.size
    first_sorted = np.sort(first)
    covered_max = int(np.count_nonzero(first < n))
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
                stacklevel=3,  # the caller of estimate, as the warnings in estimate
            )
        last = _last_rank(p, n, first_sorted, order.size)
        if last not in cache:
            if last > done_rank:
                new = hulls[order[done_rank + 1 : last + 1]]
                done_geom = shapely.union_all(np.append(new, done_geom))
                done_rank = last
            cache[last] = done_geom
    return cache


def _estimates(
    levs: list[float],
    unions: dict[int, shapely.Geometry],
    first: np.ndarray,
    n_valid: int,
    head: dict[str, Any],
    tail: dict[str, Any],
) -> list[Estimate]:
    """One Estimate per level, in the order given.

    Its params are ``head``, the hull counts and fraction of fixes covered,
    then ``tail``.
    """
    n = first.size
    first_sorted = np.sort(first)
    results: list[Estimate] = []
    for p in levs:
        last = _last_rank(p, n, first_sorted, n_valid)
        geom = unions[last]
        covered = int(np.count_nonzero(first <= last))
        results.append(
            Estimate(
                level=p,
                geometry=geom,
                area_m2=float(shapely.area(geom)),
                params={
                    **head,
                    "n_hulls": last + 1,
                    "n_hulls_total": n_valid,
                    "fraction_fixes_covered": covered / n,
                    **tail,
                },
            )
        )
    return results


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
    duplicates: Literal["once", "jitter"] = "once",
    jitter_amount_m: float | None = None,
    jitter_seed: int = 0,
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
    duplicates : {"once", "jitter"}
        Rule for repeated locations (see the module docstring): ``"once"``
        (default) keeps the fixes and counts a location once it is covered;
        ``"jitter"`` moves the fixes of repeated locations apart with uniform
        noise, as adehabitatHR 0.4.22 does by default (``duplicates =
        "random"``, Calenge 2006), so each copy is a fix of its own, and
        breaks ties in distance and area in adehabitatHR's order of the
        fixes.
    jitter_amount_m : float, optional
        Half-width of the uniform noise for ``duplicates="jitter"``, m.
        Default (None): R's ``jitter`` rule on the x coordinates, as
        adehabitatHR (its ``amount = NULL``); ``0`` is R's ``amount = 0``
        rule (a fiftieth of the x range).
    jitter_seed : int
        Seed of the noise for ``duplicates="jitter"`` (numpy's generator), so
        that the result is reproducible. Default 0.

    Returns
    -------
    list of Estimate
        One per level, in the order given. ``area_m2`` is the area of the
        union polygon; ``params`` holds ``k`` (k-LoCoH), ``a_m`` or ``r_m``,
        ``n_hulls`` (hulls merged into the isopleth), ``n_hulls_total``,
        ``fraction_fixes_covered`` (distinct fixes in those hulls / n),
        ``duplicates`` (the rule used, ``"once"`` or ``"jitter"``),
        ``n_repeated_fixes`` (fixes sharing their location with another fix)
        and, with ``duplicates="jitter"``, ``jitter_amount_m`` (the noise
        half-width used, m; NaN when no location repeats, so nothing moved).

    Raises
    ------
    InsufficientDataError
        Fewer than 5 fixes.
    InputError
        Malformed ``xy`` or ``levels``, unknown ``kind``, ``k`` outside
        ``[3, n]``, non-positive ``a``/``r``, ``r`` missing for r-LoCoH, an
        unknown ``duplicates`` rule, a negative ``jitter_amount_m`` or
        ``jitter_seed``.

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
    contain count as not covered. By default duplicate fixes are kept as
    they are (no jitter, unlike adehabitatHR's ``duplicates="random"``);
    fixes at identical coordinates count as covered once any merged hull
    holds one of them. ``duplicates="jitter"`` follows adehabitatHR instead
    (module docstring), with two differences: adehabitatHR groups fixes by
    their printed coordinates (15 significant digits), habitat by exact
    equality; and the noise comes from numpy's generator, not R's.

    References
    ----------
    Getz, W. M., Fortmann-Roe, S., Cross, P. C., Lyons, A. J., Ryan, S. J. &
    Wilmers, C. C. (2007). LoCoH: nonparameteric kernel methods for
    constructing home ranges and utilization distributions. *PLoS ONE* 2(2):
    e207.

    Calenge, C. (2006). The package adehabitat for the R software: a tool for
    the analysis of space and habitat use by animals. *Ecological Modelling*
    197: 516-519 (adehabitatHR 0.4.22, ``LoCoH.k``, ``LoCoH.a``,
    ``LoCoH.r``).

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

    Repeated locations: 150 fixes in whole metres, three of them repeated
    8 more times. Counted once (the default), or jittered apart as
    adehabitatHR does (copies moved by up to a fifth of the 1 m resolution):

    >>> rng = np.random.default_rng(0)
    >>> xy = np.round(rng.normal(0.0, 1000.0, (150, 2)))
    >>> repeats = np.vstack([xy, np.repeat(xy[:3], 8, axis=0)])
    >>> once = estimate(repeats, levels=[0.5], k=10)[0]
    >>> jitter = estimate(repeats, levels=[0.5], k=10, duplicates="jitter")[0]
    >>> once.params["duplicates"], jitter.params["duplicates"], jitter.params["n_repeated_fixes"]
    ('once', 'jitter', 27)
    >>> jitter.params["jitter_amount_m"]
    0.2
    >>> round(once.area_m2 / 1e6, 4), round(jitter.area_m2 / 1e6, 4)
    (1.3654, 1.3657)
    """
    a_m = renamed_parameter("a", "a_m", a, a_m, where="habitat.homerange.locoh.estimate")
    r_m = renamed_parameter("r", "r_m", r, r_m, where="habitat.homerange.locoh.estimate")
    pts = check_xy(xy, method="LoCoH")
    levs = check_levels(levels)
    _check_duplicates_rule(duplicates)
    pts, n_repeated, jitter_params = _handle_repeats(pts, duplicates, jitter_amount_m, jitter_seed)
    flat, owner, rule_params = _neighbourhoods(
        pts, kind, k, a_m, r_m, ties_by_index=duplicates == "jitter"
    )
    hulls, order = _sorted_hulls(pts, flat, owner, kind)
    first = _first_cover_rank(pts, flat, owner, order)
    unions = _unions_per_level(levs, hulls, order, first, kind)
    tail = {"duplicates": duplicates, "n_repeated_fixes": n_repeated, **jitter_params}
    return _estimates(levs, unions, first, order.size, rule_params, tail)

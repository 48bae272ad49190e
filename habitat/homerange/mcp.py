"""Minimum convex polygons with adehabitatHR's published semantics.

Definition (Calenge 2006, adehabitatHR ``mcp``): the centre is the arithmetic
mean of the animal's fixes; the fixes kept at level p are those whose distance
to the centre is at most the p-quantile of all the distances (linear
interpolation between order statistics, R's ``quantile`` type 7); the range is
the convex hull of the kept fixes. Areas are planar areas in the estimation CRS
(metres), so they equal adehabitatHR's ``mcp.area`` on the same coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from scipy.spatial import ConvexHull, QhullError

from habitat.homerange.base import Estimate, refuse_unknown_options

__all__ = ["estimate", "estimate_many"]


def _quantile_type7(
    sorted_d: np.ndarray, starts: np.ndarray, counts: np.ndarray, p: float
) -> np.ndarray:
    """R type-7 quantile of each group of an array sorted within groups."""
    h = (counts - 1) * p
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, counts - 1)
    frac = h - lo
    return sorted_d[starts + lo] + frac * (sorted_d[starts + hi] - sorted_d[starts + lo])


def estimate_many(
    xy: np.ndarray, groups: np.ndarray, *, levels: Sequence[float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MCPs of many animals at many levels in one vectorised pass.

    Parameters
    ----------
    xy : numpy.ndarray, shape (n, 2)
        Planar coordinates in metres.
    groups : numpy.ndarray of int, shape (n,)
        Animal codes 0..g-1 (every code present).
    levels : sequence of float
        Fractions in (0, 1].

    Returns
    -------
    geometries : numpy.ndarray of shapely geometries, shape (g, len(levels))
    area_m2 : numpy.ndarray, shape (g, len(levels))
    n_kept : numpy.ndarray of int, shape (g, len(levels))
        Fixes kept at each level.

    Examples
    --------
    Two animals: the corners, edge midpoints and centre of a 10 km square, and
    of a 20 km one. At 50 % only the fixes no farther from the mean than the
    median distance are kept (centre and midpoints: a diamond, half the square):

    >>> nine = np.array([(x, y) for x in (0, 5e3, 10e3) for y in (0, 5e3, 10e3)])
    >>> xy = np.vstack([nine, 2 * nine])
    >>> geoms, area_m2, n_kept = estimate_many(xy, np.repeat([0, 1], 9), levels=[0.5, 0.95])
    >>> area_m2 / 1e6  # km²
    array([[ 50., 100.],
           [200., 400.]])
    >>> n_kept
    array([[5, 9],
           [5, 9]])
    """
    g = int(groups.max()) + 1
    counts = np.bincount(groups, minlength=g)
    cx = np.bincount(groups, weights=xy[:, 0], minlength=g) / counts
    cy = np.bincount(groups, weights=xy[:, 1], minlength=g) / counts
    d = np.hypot(xy[:, 0] - cx[groups], xy[:, 1] - cy[groups])
    order = np.lexsort((d, groups))
    sorted_d = d[order]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    geoms = np.empty((g, len(levels)), dtype=object)
    n_kept = np.zeros((g, len(levels)), dtype=np.int64)
    by_group = np.argsort(groups, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    for j, p in enumerate(levels):  # a handful of levels
        q = _quantile_type7(sorted_d, starts, counts, float(p))
        keep = d <= q[groups]
        n_kept[:, j] = np.bincount(groups[keep], minlength=g)
        for i in range(g):  # one Qhull call per animal, not a loop over fixes
            idx = by_group[bounds[i] : bounds[i + 1]]
            geoms[i, j] = _hull(xy[idx[keep[idx]]])
    return geoms, shapely.area(geoms), n_kept


def _hull(pts: np.ndarray) -> shapely.Geometry:
    """Convex hull polygon of points (Qhull); degenerate sets fall back to GEOS."""
    try:
        hull = ConvexHull(pts)
    except QhullError:  # fewer than 3 points, or all collinear: zero area
        return shapely.convex_hull(shapely.multipoints(pts))
    return shapely.polygons(pts[hull.vertices])


@refuse_unknown_options
def estimate(
    xy: np.ndarray, *, levels: Sequence[float], timestamps_ns: Any = None
) -> list[Estimate]:
    """MCP of one animal at each level (see the module docstring for the definition).

    The MCP takes no options: a misspelt keyword (``level=`` for ``levels=``)
    is refused with a :class:`~habitat.core.errors.InputError`, not ignored.

    Parameters
    ----------
    xy : numpy.ndarray, shape (n, 2)
        Fixes in metres.
    levels : sequence of float
        Fractions in (0, 1].
    timestamps_ns : ignored
        Part of the estimator contract; the MCP ignores time.

    Returns
    -------
    list of Estimate
        ``area_m2`` is the hull's planar area; ``params`` holds ``n_fixes_kept``.

    Examples
    --------
    The MCP of a 10 km square's corners (and its centre) is the square, 100 km²:

    >>> corners = np.array([(0, 0), (10e3, 0), (10e3, 10e3), (0, 10e3), (5e3, 5e3)])
    >>> [(e.level, e.area_m2 / 1e6, e.params["n_fixes_kept"])
    ...  for e in estimate(corners, levels=[0.5, 1.0])]
    [(0.5, 100.0, 5), (1.0, 100.0, 5)]
    >>> estimate(corners, level=0.9)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: habitat.homerange.mcp.estimate() got an unknown option \
'level'; valid options: xy, levels, timestamps_ns; did you mean 'levels'?
    """
    geoms, areas, kept = estimate_many(xy, np.zeros(len(xy), dtype=np.int64), levels=levels)
    return [
        Estimate(float(p), geoms[0, j], float(areas[0, j]), {"n_fixes_kept": int(kept[0, j])})
        for j, p in enumerate(levels)
    ]

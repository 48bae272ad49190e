"""Home ranges: one entry point, :func:`home_range`, for every estimator.

Every method returns the same table, one row per individual and level, so that
estimators (``mcp``, ``kde``, ``locoh``, ``bbmm``, ``akde``) can be compared
row by row:

``individual``, ``sex``, ``method``, ``level`` (fraction), ``n_fixes``,
``area_km2``, ``area_sq_mi``, the method's unit-named parameters
(``bandwidth_m``, ``cell_size_m``, ``k``...), ``crs_used`` (where the estimate
was computed), ``plausible`` and ``plausibility`` (why not), and the polygon in
the relocations' CRS. AKDE rows add the area's confidence interval
(``area_low_km2``, ``area_high_km2``, ``area_low_sq_mi``, ``area_high_sq_mi``,
``dof_area``), the movement model and its timescales, and the bounds' polygons
as two more GeoSeries (``geometry_low``, ``geometry_high``).

Estimation CRS (as adehabitatHR and amt do): relocations already in a projected
CRS in metres are estimated in that CRS, so areas are planar areas in it;
relocations in degrees are first projected to the local equal-area CRS of
:func:`habitat.core.crs.equal_area_crs`. Web Mercator is refused.

This package module only re-exports; the modules import one way only::

    base                      Estimate, check_levels, check_xy (no habitat.homerange imports)
    bandwidth, grid           kernel bandwidth rules; the KDE grid and kernel sum
    mcp, kde, locoh, bbmm     the estimators (one animal's xy in, Estimate out)
    akde_grid, akde_weights   AKDE's kernel sums on a grid; optimal weights
    akde                      the AKDE estimator (uses habitat.movement's fitted models)
    fixes, plausibility       relocations checked and projected; plausibility flags
    estimate                  home_range, METHODS, split_bounds, ranges_to_crs
    polygons, ud, curve       given/synthetic ranges; UD rasters; area curves
"""

from __future__ import annotations

from habitat.homerange.base import MIN_FIXES, Estimate, check_levels
from habitat.homerange.estimate import (
    BOUND_GEOMETRIES,
    ESTIMATORS,
    METHODS,
    home_range,
    ranges_to_crs,
    split_bounds,
)
from habitat.homerange.fixes import PreparedFixes, estimation_crs, prepare_fixes
from habitat.homerange.plausibility import (
    DEFAULT_EXPECTED_AREA_SQ_MI,
    RECOMMENDED_MIN_FIXES,
    plausibility,
    resolve_species,
)
from habitat.homerange.polygons import home_ranges_from_polygons, synthetic_ranges
from habitat.homerange.ud import utilization_distribution

__all__ = [
    "BOUND_GEOMETRIES",
    "DEFAULT_EXPECTED_AREA_SQ_MI",
    "ESTIMATORS",
    "METHODS",
    "MIN_FIXES",
    "RECOMMENDED_MIN_FIXES",
    "Estimate",
    "PreparedFixes",
    "check_levels",
    "estimation_crs",
    "home_range",
    "home_ranges_from_polygons",
    "plausibility",
    "prepare_fixes",
    "ranges_to_crs",
    "resolve_species",
    "split_bounds",
    "synthetic_ranges",
    "utilization_distribution",
]

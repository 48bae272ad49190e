"""The contract between :func:`habitat.home_range` and each estimator.

Every estimator module exposes ``estimate(xy, *, levels, timestamps_ns=None, **options)``
taking one animal's fixes as an ``(n, 2)`` float array of planar coordinates **in
metres** (the entry point has already chosen and projected to the CRS), the
levels as fractions in (0, 1], and returning one :class:`Estimate` per level in
the order given. The entry point turns these into the common result table
(``individual``, ``sex``, ``method``, ``level``, ``n_fixes``, ``area_km2``,
``area_sq_mi``, parameters, geometry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import shapely

__all__ = ["Estimate"]


@dataclass
class Estimate:
    """One animal's home range at one level.

    Attributes
    ----------
    level : float
        Fraction in (0, 1], e.g. 0.95.
    geometry : shapely.Geometry
        (Multi)Polygon in the estimation CRS (metres).
    area_m2 : float
        The method's area in m² (for KDE in adehabitatHR-compatible mode, the
        cell-count area; otherwise the polygon's area).
    params : dict
        Unit-named parameters and diagnostics to report as columns, e.g.
        ``{"bandwidth_m": 812.3, "cell_size_m": 150.0, "contour_area_km2": 48.1,
        "grid_warning": False}``.
    """

    level: float
    geometry: shapely.Geometry
    area_m2: float
    params: dict[str, Any] = field(default_factory=dict)

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

import numpy as np
import shapely

from habitat.core.errors import InputError

__all__ = ["Estimate", "check_levels"]


def check_levels(levels: Any) -> list[float]:
    """Levels as a list of fractions in (0, 1]; the one check every estimator uses.

    Raises
    ------
    InputError
        For a missing or empty value, or values outside (0, 1] (e.g. 95).
    """
    if levels is None:
        raise InputError("levels are required, e.g. levels=(0.5, 0.95).")
    try:
        values = np.atleast_1d(np.asarray(levels, dtype=float))
    except (TypeError, ValueError):
        raise InputError(f"levels must be numbers (fractions), got {levels!r}.") from None
    if values.ndim != 1 or values.size == 0:
        raise InputError("levels must be a non-empty sequence of fractions, e.g. (0.5, 0.95).")
    if not (np.isfinite(values) & (values > 0) & (values <= 1)).all():
        raise InputError(
            f"levels must be fractions in (0, 1] (0.95, not 95); got {values.tolist()}."
        )
    return [float(v) for v in values]


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

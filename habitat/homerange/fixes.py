"""Relocations made ready for the estimators: checked, filtered and projected once.

:func:`prepare_fixes` is shared by :func:`habitat.homerange.home_range`,
:func:`habitat.homerange.ud.utilization_distribution`,
:func:`habitat.homerange.curve.area_curve` and
:func:`habitat.overlap.ud.ud_overlap`; :func:`estimation_crs` says where they
estimate (as adehabitatHR and amt do): relocations already in a projected CRS
in metres are estimated in that CRS; relocations in degrees are first
projected to the local equal-area CRS of :func:`habitat.core.crs.equal_area_crs`.
Web Mercator is refused.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from habitat.core import crs as hcrs
from habitat.core.errors import InputError, InsufficientDataError
from habitat.core.validation import require_columns, require_geodataframe, require_geometry_type
from habitat.homerange.base import MIN_FIXES

__all__ = ["MIN_FIXES", "PreparedFixes", "estimation_crs", "prepare_fixes"]


class PreparedFixes(NamedTuple):
    """Usable fixes of many animals, projected once to the estimation CRS."""

    data: gpd.GeoDataFrame  #: the usable rows, sorted by individual then time
    xy: np.ndarray  #: (n, 2) coordinates in metres in ``crs``
    codes: np.ndarray  #: individual code of each row, 0..k-1 (sorted names)
    names: pd.Index  #: the individuals, sorted
    counts: np.ndarray  #: fixes per individual
    crs: CRS  #: the estimation CRS
    timestamps_ns: np.ndarray | None  #: epoch ns of each row, if timestamps are known


def prepare_fixes(
    relocations: gpd.GeoDataFrame,
    *,
    crs: Any = None,
    exclude_flagged: bool = True,
    purpose: str = "home ranges",
) -> PreparedFixes:
    """Validate relocations and project the usable fixes once (shared by estimators).

    Missing or empty geometries are left out, and flagged fixes when
    ``exclude_flagged``; every individual needs :data:`MIN_FIXES` usable fixes.

    Raises
    ------
    InputError, ColumnError, GeometryTypeError, MissingCRSError, InsufficientDataError
    """
    require_geodataframe(
        relocations,
        name="relocations",
        what="of points",
        hint="read them with habitat.read_relocations.",
    )
    require_columns(
        relocations, ["individual"], name="relocations", hint="habitat.read_relocations creates it."
    )
    require_geometry_type(relocations, ("Point",), name="relocations", allow_empty=True)
    est_crs = estimation_crs(relocations, crs)
    geoms = relocations.geometry
    usable = ~(geoms.isna() | geoms.is_empty).to_numpy()
    if exclude_flagged and "flag_any" in relocations.columns:
        usable &= ~relocations["flag_any"].fillna(False).to_numpy(dtype=bool)
    data = relocations[usable]
    if "timestamp" in data.columns:
        data = data.sort_values(["individual", "timestamp"], kind="stable")
    projected = hcrs.align(data, est_crs, name="relocations")
    xy = shapely.get_coordinates(projected.geometry.to_numpy())
    if not np.isfinite(xy).all():
        raise InputError("relocations have non-finite coordinates; flag or drop them first.")
    codes, names = pd.factorize(data["individual"].astype(str), sort=True)
    if len(names) == 0:
        raise InsufficientDataError("relocations hold no usable fixes (all missing or flagged).")
    counts = np.bincount(codes, minlength=len(names))
    few = np.flatnonzero(counts < MIN_FIXES)
    if len(few):
        detail = ", ".join(f"'{names[i]}' ({counts[i]})" for i in few[:10])
        raise InsufficientDataError(
            f"{purpose} need at least {MIN_FIXES} usable fixes per individual; too few for "
            f"{detail}. Drop those individuals (e.g. `fixes[fixes.individual != ...]`) or "
            "collect more fixes; flagged fixes are not counted (exclude_flagged=False keeps them)."
        )
    t_ns = None
    if "timestamp" in data.columns:
        t_ns = (
            data["timestamp"]
            .dt.tz_convert("UTC")
            .dt.as_unit("ns")
            .dt.tz_localize(None)
            .to_numpy()
            .view("int64")
        )
    return PreparedFixes(data, xy, codes, names, counts, est_crs, t_ns)


def estimation_crs(relocations: gpd.GeoDataFrame, crs: Any | None = None) -> CRS:
    """The CRS in which home ranges of ``relocations`` are estimated.

    ``crs`` if given (validated: projected, metres, not Web Mercator); else the
    relocations' own CRS if it is projected in metres; else the local
    equal-area CRS of :func:`habitat.core.crs.equal_area_crs`.
    """
    own = hcrs.require_crs(relocations, name="relocations")
    if crs is not None:
        return hcrs.require_measurement_crs(crs, purpose="distances", name="crs")
    if own.is_projected:
        return hcrs.require_measurement_crs(own, purpose="distances", name="relocations' CRS")
    return hcrs.equal_area_crs(relocations)

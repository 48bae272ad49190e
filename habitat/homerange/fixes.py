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
    """Usable fixes of many animals, projected once to the estimation CRS.

    Examples
    --------
    Returned by :func:`prepare_fixes`; the fields are plain arrays ready for the
    estimators:

    >>> import geopandas as gpd
    >>> fixes = gpd.GeoDataFrame(
    ...     {"individual": ["F1"] * 5},
    ...     geometry=gpd.points_from_xy([0, 10_000, 10_000, 0, 5_000],
    ...                                 [0, 0, 10_000, 10_000, 5_000]),
    ...     crs="EPSG:32652",
    ... )
    >>> prep = prepare_fixes(fixes)
    >>> prep.xy.shape, prep.names.tolist(), prep.counts.tolist(), prep.crs.to_epsg()
    ((5, 2), ['F1'], [5], 32652)
    >>> prep.timestamps_ns is None  # no timestamp column
    True
    """

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

    Examples
    --------
    >>> import habitat
    >>> fixes, _ = habitat.simulate_relocations(n_females=1, n_males=1, days=30, seed=1)
    >>> prep = prepare_fixes(fixes)  # fixes in degrees: projected to a local equal-area CRS
    >>> prep.names.tolist(), prep.counts.tolist(), prep.xy.shape
    (['F01', 'M01'], [180, 180], (360, 2))
    >>> prep.crs.coordinate_operation.method_name
    'Lambert Azimuthal Equal Area'

    Each animal needs :data:`MIN_FIXES` (5) usable fixes:

    >>> prepare_fixes(fixes.iloc[176:])
    Traceback (most recent call last):
    ...
    habitat.core.errors.InsufficientDataError: home ranges need at least 5 usable fixes per \
individual; too few for 'F01' (4). ...
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

    Examples
    --------
    >>> import geopandas as gpd
    >>> fixes = gpd.GeoDataFrame(
    ...     {"individual": ["F1"] * 2},
    ...     geometry=gpd.points_from_xy([600_000, 610_000], [4_750_000, 4_760_000]),
    ...     crs="EPSG:32652",
    ... )
    >>> estimation_crs(fixes).to_epsg()  # projected in metres: used as it is
    32652
    >>> local = estimation_crs(fixes.to_crs(4326))  # degrees: local equal-area CRS
    >>> local.coordinate_operation.method_name
    'Lambert Azimuthal Equal Area'
    >>> [p.value for p in local.coordinate_operation.params[:2]]  # its centre, lat and lon
    [43.0, 130.5]
    >>> estimation_crs(fixes.to_crs(4326), "EPSG:32652").name
    'WGS 84 / UTM zone 52N'
    >>> estimation_crs(fixes.to_crs(3857))
    Traceback (most recent call last):
    ...
    habitat.core.errors.ProjectedCRSRequiredError: relocations' CRS=EPSG:3857 \
(WGS 84 / Pseudo-Mercator) is Web Mercator, which inflates areas about 1.87x ...
    """
    own = hcrs.require_crs(relocations, name="relocations")
    if crs is not None:
        return hcrs.require_measurement_crs(crs, purpose="distances", name="crs")
    if own.is_projected:
        return hcrs.require_measurement_crs(own, purpose="distances", name="relocations' CRS")
    return hcrs.equal_area_crs(relocations)

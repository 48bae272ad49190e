"""Relocations made ready for the estimators: checked, filtered and projected once.

:func:`prepare_fixes` is shared by :func:`habitat.homerange.home_range`,
:func:`habitat.homerange.ud.utilization_distribution`,
:func:`habitat.homerange.curve.area_curve` and
:func:`habitat.overlap.ud.ud_overlap`; :func:`estimation_crs` says where they
estimate (as adehabitatHR and amt do): relocations already in a projected CRS
in metres are estimated in that CRS; relocations in degrees are first
projected to the local equal-area CRS of :func:`habitat.core.crs.equal_area_crs`,
centred on the fixes that will be **used** (flagged and missing fixes never move
the centre). Web Mercator is refused.

:func:`prepare_fixes` is also where a table built by hand is checked: individual
ids follow the rule of :mod:`habitat.core.ids` (as in
:func:`habitat.io.read_relocations`), a ``timestamp`` column must hold
time-zone-aware datetimes, and every fix left out is either flagged (with a
reason in ``flag_reason``) or reported in a :class:`DataQualityWarning`.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from habitat.core import crs as hcrs
from habitat.core.errors import (
    CoordinateError,
    DataQualityWarning,
    InsufficientDataError,
    TimestampError,
    where,
)
from habitat.core.ids import normalise_ids, warn_merged_ids
from habitat.core.validation import (
    require_bool,
    require_columns,
    require_geodataframe,
    require_geometry_type,
)
from habitat.homerange.base import MIN_FIXES

__all__ = ["MIN_FIXES", "PreparedFixes", "estimation_crs", "prepare_fixes", "usable_fixes"]


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

    Missing or empty geometries and non-finite coordinates are left out, and
    flagged fixes when ``exclude_flagged`` (:func:`usable_fixes`); every
    individual needs :data:`MIN_FIXES` usable fixes. The estimation CRS is
    chosen from the usable fixes only (:func:`estimation_crs`).

    Parameters
    ----------
    relocations : geopandas.GeoDataFrame
        Point fixes with an ``individual`` column, e.g. from
        :func:`habitat.read_relocations`. Ids follow the rule of
        :mod:`habitat.core.ids`. An optional ``timestamp`` column must hold
        time-zone-aware datetimes (``datetime64[ns, UTC]``), none missing among
        the usable fixes.
    crs : CRS-like, optional
        Projected metric CRS to estimate in.
    exclude_flagged : bool
        Leave out fixes with ``flag_any``.
    purpose : str
        What the fixes are for, in messages.

    Returns
    -------
    PreparedFixes

    Raises
    ------
    InputError
        Not a GeoDataFrame.
    ColumnError
        No ``individual`` column; missing ids, or ids with control characters.
    TimestampError
        A ``timestamp`` column of text or naive datetimes, or missing times.
    CoordinateError
        Usable fixes that cannot be projected to the estimation CRS.
    GeometryTypeError, MissingCRSError, InsufficientDataError
        Non-point geometries; no CRS; fewer than :data:`MIN_FIXES` usable fixes.

    Warns
    -----
    DataQualityWarning
        When different raw ids merged into one (``1``, ``"1"``, ``"1 "``), and
        when fixes without a position are left out with no flag saying so.

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
    rows = _row_numbers(relocations)
    ids = normalise_ids(relocations["individual"], column="individual", rows=rows)
    warn_merged_ids(ids.merged, stacklevel=3)
    _check_timestamp_dtype(relocations)
    usable = usable_fixes(relocations, exclude_flagged=exclude_flagged)
    _warn_unflagged_left_out(relocations, usable, rows)
    if not usable.any():
        raise InsufficientDataError(
            f"relocations hold no usable fixes for {purpose} (all {len(relocations)} are "
            "missing or flagged; see flag_reason)."
        )
    data = relocations[usable].assign(individual=ids.text[usable].to_numpy())
    t_ns = _timestamps_ns(data, rows[usable])
    codes, names = pd.factorize(data["individual"], sort=True)
    if t_ns is not None:  # by individual, then time (ties in table order)
        order = np.lexsort((t_ns, codes))
        data, codes, t_ns = data.iloc[order], codes[order], t_ns[order]
    else:
        order = np.arange(len(data))
    est_crs = estimation_crs(data, crs, exclude_flagged=False)
    projected = hcrs.align(data, est_crs, name="relocations")
    xy = shapely.get_coordinates(projected.geometry.to_numpy())
    _require_finite_xy(xy, data, rows[usable][order], est_crs)
    counts = np.bincount(codes, minlength=len(names))
    # an individual whose every fix is flagged or missing has 0 usable fixes: named too
    gone = sorted(set(ids.text.astype(str).tolist()) - set(names.astype(str).tolist()))
    few = [(g, 0) for g in gone] + [
        (names[i], counts[i]) for i in np.flatnonzero(counts < MIN_FIXES)
    ]
    if few:
        detail = ", ".join(f"'{name}' ({n})" for name, n in few[:10])
        raise InsufficientDataError(
            f"{purpose} need at least {MIN_FIXES} usable fixes per individual; too few for "
            f"{detail}. Drop those individuals (e.g. `fixes[fixes.individual != ...]`) or "
            "collect more fixes; flagged fixes are not counted (exclude_flagged=False keeps them)."
        )
    return PreparedFixes(data, xy, codes, pd.Index(names), counts, est_crs, t_ns)


_TRUE_WORDS = {"true", "t", "1", "yes", "y"}


def _row_numbers(relocations: pd.DataFrame) -> np.ndarray:
    """``source_row`` if the table has it, else 1, 2, ... in table order (for messages)."""
    if "source_row" in relocations.columns:
        rows = pd.to_numeric(relocations["source_row"], errors="coerce")
        if rows.notna().all():
            return rows.to_numpy(dtype=np.int64)
    return np.arange(1, len(relocations) + 1, dtype=np.int64)


def _flag_any(relocations: pd.DataFrame) -> np.ndarray:
    """``flag_any`` as booleans (text ``"True"``/``"False"`` from a CSV is understood)."""
    col = relocations["flag_any"]
    if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
        return col.fillna(False).to_numpy(dtype=bool)
    words = col.astype("str").str.strip().str.lower()
    return words.isin(_TRUE_WORDS).to_numpy(dtype=bool)


def usable_fixes(relocations: gpd.GeoDataFrame, *, exclude_flagged: bool = True) -> np.ndarray:
    """Which fixes the estimators use: a position, finite coordinates, and not flagged.

    Parameters
    ----------
    relocations : geopandas.GeoDataFrame
        Point fixes (optionally with ``flag_any``).
    exclude_flagged : bool
        Leave out fixes with ``flag_any``.

    Returns
    -------
    numpy.ndarray of bool
        One value per row.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import shapely
    >>> points = [shapely.Point(0, 0), None, shapely.Point(1, 1), shapely.Point(2, float("inf"))]
    >>> fixes = gpd.GeoDataFrame(
    ...     {"individual": ["F1"] * 4, "flag_any": [False, False, True, False]},
    ...     geometry=points,
    ...     crs="EPSG:32652",
    ... )
    >>> usable_fixes(fixes).tolist()
    [True, False, False, False]
    >>> usable_fixes(fixes, exclude_flagged=False).tolist()
    [True, False, True, False]
    """
    exclude_flagged = require_bool(exclude_flagged, name="exclude_flagged")
    geoms = relocations.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    usable = present.copy()
    if present.any():  # bounds: one row per geometry, whatever its type
        usable[present] = np.isfinite(shapely.bounds(geoms[present])).all(axis=1)
    if exclude_flagged and "flag_any" in relocations.columns:
        usable &= ~_flag_any(relocations)
    return usable


def _warn_unflagged_left_out(
    relocations: gpd.GeoDataFrame, usable: np.ndarray, rows: np.ndarray
) -> None:
    """Warn about fixes left out without a flag saying why (tables not from read_relocations)."""
    flagged = (
        _flag_any(relocations)
        if "flag_any" in relocations.columns
        else np.zeros(len(relocations), dtype=bool)
    )
    silent = ~usable & ~flagged
    if not silent.any():
        return
    warnings.warn(
        f"{int(silent.sum())} of {len(relocations)} fixes have no position or a non-finite "
        f"coordinate and are left out ({where(rows=rows[silent])}), but no flag says so. "
        "Read the data with habitat.read_relocations (or run habitat.flag_relocations), "
        "which flags them with a reason.",
        DataQualityWarning,
        stacklevel=4,
    )


def _check_timestamp_dtype(relocations: pd.DataFrame) -> None:
    """A ``timestamp`` column must hold time-zone-aware datetimes."""
    if "timestamp" not in relocations.columns:
        return
    ts = relocations["timestamp"]
    if isinstance(ts.dtype, pd.DatetimeTZDtype):
        return
    if pd.api.types.is_datetime64_dtype(ts.dtype):
        raise TimestampError(
            "relocations column 'timestamp' holds datetimes without a time zone, and habitat "
            "never guesses one. Localise them to the zone the clocks were set to, e.g. "
            "`fixes['timestamp'] = fixes['timestamp'].dt.tz_localize('UTC')` (or "
            "'Asia/Vladivostok'), or read the data with habitat.read_relocations(..., tz=...)."
        )
    if pd.api.types.is_numeric_dtype(ts.dtype):
        raise TimestampError(
            f"relocations column 'timestamp' holds numbers ({ts.dtype}), not time-zone-aware "
            "datetimes. Convert them, e.g. `fixes['timestamp'] = "
            "pd.to_datetime(fixes['timestamp'], unit='s', utc=True)` for seconds since "
            "1970-01-01 UTC, or drop the column if the times are not needed."
        )
    raise TimestampError(
        f"relocations column 'timestamp' must hold time-zone-aware datetimes, not {ts.dtype} "
        "values (text?). Convert it, e.g. `fixes['timestamp'] = "
        "pd.to_datetime(fixes['timestamp'], utc=True)` for times in UTC or with an offset, or "
        "`pd.to_datetime(fixes['timestamp']).dt.tz_localize('Asia/Vladivostok')` for local "
        "clock times; or read the data with habitat.read_relocations. Drop the column if the "
        "times are not needed."
    )


def _timestamps_ns(data: pd.DataFrame, rows: np.ndarray) -> np.ndarray | None:
    """Epoch ns of each usable fix, or ``None`` without a ``timestamp`` column."""
    if "timestamp" not in data.columns:
        return None
    ts = data["timestamp"]
    nat = ts.isna().to_numpy()
    if nat.any():
        ids = data["individual"].to_numpy()[nat]
        who = ", ".join(f"'{i}'" for i in dict.fromkeys(map(str, ids[:50])))
        raise TimestampError(
            f"relocations have missing timestamps (NaT; {where(rows=rows[nat])}, individual(s) "
            f"{who}). Fill them in, drop those rows, or flag them (flag_any=True)."
        )
    return ts.dt.tz_convert("UTC").dt.as_unit("ns").dt.tz_localize(None).to_numpy().view("int64")


def _require_finite_xy(xy: np.ndarray, data: pd.DataFrame, rows: np.ndarray, crs: CRS) -> None:
    """Coordinates that cannot be projected (latitude 95...) are refused, naming them."""
    bad = ~np.isfinite(xy).all(axis=1)
    if not bad.any():
        return
    ids = ", ".join(f"'{i}'" for i in dict.fromkeys(map(str, data["individual"].to_numpy()[bad])))
    raise CoordinateError(
        f"{int(bad.sum())} fixes cannot be projected to {hcrs.describe_crs(crs)} "
        f"({where(rows=rows[bad])}, individual(s) {ids}): their coordinates lie outside "
        "the CRS's valid range (a latitude beyond ±90°, a wrong declared CRS). Flag them "
        "(habitat.read_relocations(..., invalid_coords='flag') or flag_any=True) or fix them."
    )


def estimation_crs(
    relocations: gpd.GeoDataFrame, crs: Any | None = None, *, exclude_flagged: bool = True
) -> CRS:
    """The CRS in which home ranges of ``relocations`` are estimated.

    ``crs`` if given (validated: projected, metres, not Web Mercator); else the
    relocations' own CRS if it is projected in metres; else the local
    equal-area CRS of :func:`habitat.core.crs.equal_area_crs`, centred on the
    fixes that will be used (:func:`usable_fixes`): a flagged fix (a latitude
    of 95°, a GPS outlier on another continent) or a missing one never moves
    the centre, so results are the same with or without it.

    Parameters
    ----------
    relocations : geopandas.GeoDataFrame
        Point fixes with a CRS.
    crs : CRS-like, optional
        A projected metric CRS to use instead.
    exclude_flagged : bool
        Whether fixes with ``flag_any`` are left out (as in
        :func:`prepare_fixes`), and so do not decide the centre.

    Raises
    ------
    InsufficientDataError
        When no fix is usable (all missing, non-finite or flagged) and a centre
        must be chosen.

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
    usable = usable_fixes(relocations, exclude_flagged=exclude_flagged)
    if not usable.any():
        raise InsufficientDataError(
            f"cannot choose a CRS for relocations: none of the {len(relocations)} fixes is "
            "usable (all missing, non-finite or flagged; see flag_reason)."
        )
    return hcrs.equal_area_crs(relocations.geometry[usable])

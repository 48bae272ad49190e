"""Flag suspicious relocations and summarise tracks per individual.

:func:`flag_relocations` never drops a row: it adds boolean ``flag_*`` columns,
a ``flag_any`` column, a human-readable ``flag_reason`` and the ``speed_kmh``
of each fix, so that filtering stays an explicit, visible step::

    fixes = read_relocations("collars.csv", max_speed_kmh=20)
    clean = fixes[~fixes["flag_any"]]

Flags
-----
``flag_missing_coords``
    The geometry is missing (``None``), empty, or has a NaN coordinate.
``flag_impossible_coords``
    In a geographic CRS: latitude outside ±90° or longitude outside ±180°.
    In any CRS: an infinite coordinate (e.g. ``1e400`` in a CSV, a number too
    large to store). In a projected CRS: a coordinate more than 100 000 km
    from the CRS's origin. (Projected coordinates are not checked against the
    CRS's area of use.)
``flag_duplicate``
    Same individual and same timestamp as an earlier fix. The first fix of
    each such group (in ``individual``, ``timestamp``, then input order; for
    :func:`~habitat.io.read_relocations` output that is file order) is kept
    unflagged, the later ones are flagged.
``flag_not_visible``
    Marked as an outlier in Movebank (``visible`` is false).
``flag_outside_deployment``
    Taken while the tag was not on the animal (from a reference table).
``flag_time_outlier``
    The timestamp lies far outside the rest of the individual's track (a
    date decades away, a clock reset to 1970): see :func:`flag_time_outlier`.
``flag_speed``
    The fix implies an implausible speed (see :func:`flag_relocations`): faster
    than ``max_speed_kmh``, or than the ``max_speed_kmh`` of a species profile
    (``species=``, :class:`habitat.io.species.SpeciesProfile`). Without either
    no speed is flagged: a sensible limit depends on the species.

Each flag has a function of the same name (:func:`flag_missing_coords`,
:func:`flag_impossible_coords`, :func:`flag_duplicate`, :func:`flag_not_visible`,
:func:`flag_outside_deployment`, :func:`flag_time_outlier`, :func:`flag_speed`)
that works on plain arrays and returns a :class:`FlagResult`;
:func:`flag_relocations` runs them all. Every fix a flag rule leaves out of
an estimate carries the rule's reason in ``flag_reason``.

Speeds and step lengths are **geodesic** distances on the WGS 84 ellipsoid
(points are transformed from their CRS to longitude/latitude with pyproj, then
:meth:`pyproj.Geod.inv`), so they are in true metres whatever the input CRS.
Everything is vectorised with numpy; a million fixes take about a second.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from pyproj import CRS, Geod, Transformer
from pyproj.exceptions import ProjError

from habitat.core.crs import WGS84, describe_crs, require_crs
from habitat.core.errors import CRSError, InputError, TimestampError, where
from habitat.core.validation import (
    require_columns,
    require_geodataframe,
    require_geometry_type,
)
from habitat.io.species import SpeciesProfile

__all__ = [
    "FLAG_COLUMNS",
    "LEOPARD_MAX_SPEED_KMH",
    "MAX_PROJECTED_M",
    "FlagResult",
    "flag_duplicate",
    "flag_impossible_coords",
    "flag_missing_coords",
    "flag_not_visible",
    "flag_outside_deployment",
    "flag_relocations",
    "flag_speed",
    "flag_time_outlier",
    "register_species_resolver",
    "speed_limit",
    "summarise_relocations",
]

#: The individual flag columns, in the order their reasons appear in ``flag_reason``.
FLAG_COLUMNS: tuple[str, ...] = (
    "flag_missing_coords",
    "flag_impossible_coords",
    "flag_duplicate",
    "flag_not_visible",
    "flag_outside_deployment",
    "flag_time_outlier",
    "flag_speed",
)

#: A suggested ``max_speed_kmh`` for Amur leopard GPS fixes (km/h). Leopards sprint
#: at up to ~58 km/h for seconds only; over fix intervals of 15 min or more a
#: sustained 20 km/h is implausible. It is a suggestion, not a default: pass it
#: explicitly (``max_speed_kmh=LEOPARD_MAX_SPEED_KMH``) or pass the bundled
#: profile (``species="amur_leopard"``, whose ``max_speed_kmh`` it equals; a test
#: checks they agree).
LEOPARD_MAX_SPEED_KMH = 20.0

SpeciesArg = SpeciesProfile | str | os.PathLike[str] | Mapping[str, Any] | None

#: how ``species=`` values other than a profile or None become one: registered by
#: :mod:`habitat.datasets` (``species_profile``: bundled names, TOML files,
#: mappings), which this layer cannot import
_SPECIES_RESOLVERS: list[Callable[[Any], SpeciesProfile | None]] = []

#: :func:`flag_impossible_coords`: projected coordinates farther than this from the CRS's
#: origin (m) are no place on Earth (2.5 Earth circumferences; the largest false eastings,
#: Gauss-Krüger zone prefixes, stay below 61 000 km).
MAX_PROJECTED_M = 1e8

#: :func:`flag_time_outlier`: a fix is flagged when its time lies farther from the
#: middle half of its individual's track (the interquartile range of its times) than
#: this many times that range...
TIME_OUTLIER_IQR_FACTOR = 10.0
#: ...and farther than this many times the individual's median interval between fixes.
TIME_OUTLIER_INTERVAL_FACTOR = 100.0
#: :func:`flag_time_outlier` judges only individuals with at least this many fixes.
TIME_OUTLIER_MIN_FIXES = 5
#: :func:`flag_time_outlier`: more fixes than this (or than 5 % of the individual's
#: fixes, whichever is larger) far out on one side are a deployment, not an outlier.
TIME_OUTLIER_MAX_CLUSTER = 3

_GEOD = Geod(ellps="WGS84")
_NS_PER_HOUR = 3_600_000_000_000
_FALSE_WORDS = {"false", "f", "0", "no", "n"}


class FlagResult(NamedTuple):
    """What one flag rule found: which fixes it flags, and why.

    Attributes
    ----------
    flagged : numpy.ndarray
        Boolean, one value per fix (in input order): ``True`` where the rule
        flags the fix.
    reason : numpy.ndarray
        Object array of ``str``, one per fix: why the fix is flagged, ``""``
        where it is not.

    Examples
    --------
    Every ``flag_*`` function returns one; it unpacks as ``flagged, reason``:

    >>> flagged, reason = flag_missing_coords([131.0, np.nan], [43.0, 43.1])
    >>> flagged.tolist(), reason.tolist()
    ([False, True], ['', 'missing coordinates'])
    """

    flagged: np.ndarray
    reason: np.ndarray


# ----------------------------------------------------------------------------- helpers
def _result(flagged: np.ndarray, text: Any) -> FlagResult:
    """A FlagResult: ``text`` (one str, or one per flagged fix) where ``flagged``."""
    reason = np.full(len(flagged), "", dtype=object)
    if flagged.any():
        reason[flagged] = text if isinstance(text, str) else np.asarray(text, dtype=object)
    return FlagResult(flagged, reason)


def _no_flags(n: int) -> FlagResult:
    return FlagResult(np.zeros(n, dtype=bool), np.full(n, "", dtype=object))


def _rows_or_default(rows: ArrayLike | None, n: int) -> np.ndarray:
    """Row numbers used in reasons: ``rows`` if given, else 1, 2, ... n."""
    if rows is None:
        return np.arange(1, n + 1, dtype=np.int64)
    return np.asarray(rows, dtype=np.int64)


def _as_series(values: ArrayLike) -> pd.Series:
    """``values`` as a pandas Series (a Series is returned as is)."""
    if isinstance(values, pd.Series):
        return values
    return pd.Series(np.asarray(values, dtype=object))


def _individual_codes(individuals: ArrayLike) -> np.ndarray:
    """Integer code per fix, one per individual (-1 for a missing id)."""
    return pd.factorize(_as_series(individuals), use_na_sentinel=True)[0]


def _xy(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of point geometries; NaN where missing or empty."""
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    if ok.any():
        x[ok] = shapely.get_x(geoms[ok])
        y[ok] = shapely.get_y(geoms[ok])
    return x, y


def _to_lonlat(x: np.ndarray, y: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinates to WGS 84 longitude/latitude (degrees)."""
    if crs.equals(WGS84) or len(x) == 0:
        return x, y
    try:
        lon, lat = Transformer.from_crs(crs, WGS84, always_xy=True).transform(x, y)
    except ProjError as exc:  # pragma: no cover - depends on the CRS
        raise CRSError(
            f"cannot transform coordinates from {describe_crs(crs)} to longitude/latitude to "
            f"measure distances ({exc}). Declare a CRS with a known datum."
        ) from exc
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _steps(
    codes: np.ndarray, t_ns: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic step length (m) and time step (h) from the previous fix of the same group.

    All arrays are in track order (sorted by group, then time). The first fix of
    each group gets NaN.
    """
    m = len(codes)
    dist = np.full(m, np.nan)
    dt_h = np.full(m, np.nan)
    if m < 2:
        return dist, dt_h
    same = codes[1:] == codes[:-1]
    _, _, d = _GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    dist[1:] = np.where(same, d, np.nan)
    dt_h[1:] = np.where(same, (t_ns[1:] - t_ns[:-1]) / _NS_PER_HOUR, np.nan)
    return dist, dt_h


def _speed_kmh(dist_m: np.ndarray, dt_h: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return dist_m / 1000.0 / dt_h


#: 1973-03-03 in ns since 1970: integer times below this are taken for s, ms or µs
_MIN_PLAUSIBLE_NS = 10**17


def epoch_ns(timestamps: ArrayLike, *, name: str = "timestamps_ns") -> np.ndarray:
    """Times as int64 nanoseconds since 1970-01-01 UTC, whatever unit they came in.

    Datetimes (numpy ``datetime64`` of any unit, pandas Series/Index, naive
    taken as UTC, aware converted to UTC) are converted exactly. Integers are
    taken as nanoseconds; integers that are not all zero and all below
    10**17 (before March 1973 in ns) are refused, because they are almost
    certainly seconds, milliseconds or microseconds (pandas 3 datetimes are
    microseconds by default, so ``.asi8`` of one gives µs).

    Raises
    ------
    InputError
        For integer times that look like another unit.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.to_datetime(["2024-05-01 00:00", "2024-05-01 01:00"], utc=True)
    >>> int(epoch_ns(t)[1] - epoch_ns(t)[0])  # one hour
    3600000000000
    >>> epoch_ns(t.as_unit("us").asi8)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: timestamps_ns: integer times ... look like ...
    """
    series = pd.Series(timestamps) if isinstance(timestamps, pd.Index) else timestamps
    if isinstance(series, pd.Series) and not pd.api.types.is_numeric_dtype(series.dtype):
        values = pd.to_datetime(series, utc=True)
        if values.isna().any():
            raise InputError(f"{name}: {int(values.isna().sum())} missing times (NaT).")
        return values.dt.as_unit("ns").astype("int64").to_numpy()
    t = np.asarray(timestamps)
    if np.issubdtype(t.dtype, np.datetime64):
        return epoch_ns(pd.Series(t), name=name)
    t = t.astype(np.int64)
    if t.size and np.any(t != 0) and np.all(np.abs(t) < _MIN_PLAUSIBLE_NS):
        raise InputError(
            f"{name}: integer times up to {int(np.abs(t).max())} look like seconds, "
            "milliseconds or microseconds since 1970, not nanoseconds (they would all fall "
            "before March 1973). Pass datetimes, or `series.dt.as_unit('ns').astype('int64')`."
        )
    return t


def _timestamps_ns(relocations: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    ts = relocations["timestamp"]
    if not isinstance(ts.dtype, pd.DatetimeTZDtype):
        raise TimestampError(
            f"relocations column 'timestamp' must hold time-zone-aware datetimes, but has "
            f"dtype {ts.dtype}. Read the data with habitat.io.read_relocations (which "
            "converts to UTC), or localise it, e.g. `df['timestamp'] = "
            "pd.to_datetime(df['timestamp']).dt.tz_localize('Asia/Vladivostok')`."
        )
    nat = ts.isna().to_numpy()
    if nat.any():
        raise TimestampError(
            f"relocations have missing timestamps ({where(rows=rows[nat])}); drop or fix "
            "those rows before flagging."
        )
    return ts.dt.tz_convert("UTC").dt.as_unit("ns").dt.tz_localize(None).to_numpy().view("int64")


def _text(values: np.ndarray, *, decimals: int | None = None) -> np.ndarray:
    """Numbers as str (object array), rounded to ``decimals`` first if given."""
    s = pd.Series(values)
    if decimals is not None:
        s = s.round(decimals)
    return s.astype("str").to_numpy(dtype=object)


def _join_reasons(n: int, parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Join per-flag reason texts with ``"; "`` (only flagged rows are touched)."""
    reason = np.full(n, "", dtype=object)
    for idx, text in parts:
        if len(idx) == 0:
            continue
        cur = reason[idx]
        sep = np.where(cur == "", "", "; ").astype(object)
        reason[idx] = cur + sep + np.asarray(text, dtype=object)
    return reason


# ----------------------------------------------------------------------------- flag rules
def flag_missing_coords(x: ArrayLike, y: ArrayLike) -> FlagResult:
    """Flag fixes without a position (the ``flag_missing_coords`` rule).

    Parameters
    ----------
    x, y : array_like of float
        Coordinates of the fixes in the units of their CRS (metres or
        degrees); NaN where missing (as for a missing or empty geometry).

    Returns
    -------
    FlagResult
        Flags the fixes where ``x`` or ``y`` is NaN, with the reason
        ``"missing coordinates"``.

    Examples
    --------
    >>> flag_missing_coords([131.0, np.nan], [43.0, 43.1]).flagged.tolist()
    [False, True]
    """
    x_arr, y_arr = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return _result(np.isnan(x_arr) | np.isnan(y_arr), "missing coordinates")


def flag_impossible_coords(
    x: ArrayLike, y: ArrayLike, *, geographic: bool, metres_per_unit: float = 1.0
) -> FlagResult:
    """Flag coordinates that no place on Earth has (the ``flag_impossible_coords`` rule).

    Parameters
    ----------
    x, y : array_like of float
        Coordinates in the units of their CRS: longitude and latitude in
        degrees when ``geographic``, else e.g. metres. NaN (missing) is not
        impossible: :func:`flag_missing_coords` flags it.
    geographic : bool
        Whether the CRS is geographic (``CRS.is_geographic``). Then a latitude
        outside ±90° or a longitude outside ±180° is flagged too; otherwise
        infinite coordinates and coordinates more than
        :data:`MAX_PROJECTED_M` (100 000 km, well beyond any false easting) from
        the CRS's origin are (projected coordinates are not checked against the
        CRS's area of use).
    metres_per_unit : float
        Metres per unit of a projected CRS (``axis_info[0].unit_conversion_factor``;
        1 for metres, 0.3048 for feet).

    Returns
    -------
    FlagResult
        The impossible fixes and why: ``"infinite coordinates"`` (a value too
        large to store, such as ``1e400`` in a CSV), ``"coordinates out of
        range (|lat| > 90 or |lon| > 180): lon <x>, lat <y>"``, or
        ``"coordinates more than 100000 km from the CRS origin: x <x>, y <y>"``.

    Examples
    --------
    >>> flag_impossible_coords([131.0, 200.0], [43.0, 43.0], geographic=True).flagged.tolist()
    [False, True]
    """
    x_arr, y_arr = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    missing = np.isnan(x_arr) | np.isnan(y_arr)
    infinite = ~missing & ~(np.isfinite(x_arr) & np.isfinite(y_arr))
    reason = np.full(len(x_arr), "", dtype=object)
    reason[infinite] = "infinite coordinates"
    if geographic:
        with np.errstate(invalid="ignore"):
            out = ~missing & ~infinite & ((np.abs(y_arr) > 90) | (np.abs(x_arr) > 180))
        reason[out] = (
            "coordinates out of range (|lat| > 90 or |lon| > 180): lon "
            + _text(x_arr[out])
            + ", lat "
            + _text(y_arr[out])
        )
        infinite |= out
        return FlagResult(infinite, reason)
    limit = MAX_PROJECTED_M / float(metres_per_unit)
    with np.errstate(invalid="ignore"):
        far = ~missing & ~infinite & ((np.abs(x_arr) > limit) | (np.abs(y_arr) > limit))
    reason[far] = (
        f"coordinates more than {MAX_PROJECTED_M / 1000:.0f} km from the CRS origin: x "
        + _text(x_arr[far])
        + ", y "
        + _text(y_arr[far])
    )
    return FlagResult(infinite | far, reason)


def flag_duplicate(
    individuals: ArrayLike, timestamps_ns: ArrayLike, *, rows: ArrayLike | None = None
) -> FlagResult:
    """Flag repeated fixes of an individual at the same instant (the ``flag_duplicate`` rule).

    The first fix of each group with the same individual and timestamp (in
    input order) is kept unflagged; the later ones are flagged.

    Parameters
    ----------
    individuals : array_like
        Individual id of each fix.
    timestamps_ns : array_like of int
        Time of each fix in nanoseconds since 1970-01-01 UTC.
    rows : array_like of int, optional
        Row number of each fix for the reasons (e.g. ``source_row``); by
        default 1, 2, ... in input order.

    Returns
    -------
    FlagResult
        The duplicates, each with the reason ``"duplicate of row <first row>
        (same individual and timestamp)"``.

    Examples
    --------
    >>> result = flag_duplicate(["A", "A", "B"], [0, 0, 0])
    >>> result.flagged.tolist(), result.reason[1]
    ([False, True, False], 'duplicate of row 1 (same individual and timestamp)')
    """
    t_ns = epoch_ns(timestamps_ns)
    n = len(t_ns)
    row_numbers = _rows_or_default(rows, n)
    codes = _individual_codes(individuals)
    order = np.lexsort((np.arange(n), t_ns, codes))
    cs, ts = codes[order], t_ns[order]
    dup_s = np.zeros(n, dtype=bool)
    if n > 1:
        dup_s[1:] = (cs[1:] == cs[:-1]) & (ts[1:] == ts[:-1])
    run_start = np.maximum.accumulate(np.where(dup_s, 0, np.arange(n)))
    duplicate = np.empty(n, dtype=bool)
    duplicate[order] = dup_s
    dup_of = np.empty(n, dtype=np.int64)
    dup_of[order] = row_numbers[order][run_start]
    text = "duplicate of row " + _text(dup_of[duplicate]) + " (same individual and timestamp)"
    return _result(duplicate, text)


def flag_not_visible(visible: ArrayLike) -> FlagResult:
    """Flag fixes marked as outliers in Movebank (the ``flag_not_visible`` rule).

    Parameters
    ----------
    visible : array_like
        Movebank's ``visible`` column: booleans, or text where ``false``,
        ``f``, ``0``, ``no`` and ``n`` (any case, surrounding blanks ignored)
        mean the fix was marked as an outlier. Missing values are not flagged.

    Returns
    -------
    FlagResult
        The fixes whose ``visible`` is false, with the reason ``"marked as an
        outlier (visible = false)"``.

    Examples
    --------
    >>> flag_not_visible(["true", "FALSE", None]).flagged.tolist()
    [False, True, False]
    """
    col = _as_series(visible)
    if pd.api.types.is_bool_dtype(col.dtype):
        hidden = ~col.fillna(True).to_numpy(dtype=bool)
    else:
        hidden = col.astype("str").str.strip().str.lower().isin(_FALSE_WORDS).to_numpy(dtype=bool)
    return _result(hidden, "marked as an outlier (visible = false)")


def _deployment_windows_ns(deployments: pd.DataFrame) -> pd.DataFrame:
    """``individual`` (str), ``deploy_on``/``deploy_off`` (UTC, naive) and ``lo``/``hi`` (ns)."""
    require_columns(
        deployments,
        ["individual", "deploy_on", "deploy_off"],
        name="deployments",
        hint="Movebank reference tables give them as 'animal-id', 'deploy-on-date' and "
        "'deploy-off-date'; read_relocations(reference=...) converts them.",
    )
    dep = deployments[["individual", "deploy_on", "deploy_off"]].copy()
    for c in ("deploy_on", "deploy_off"):
        if not isinstance(dep[c].dtype, pd.DatetimeTZDtype):
            raise TimestampError(
                f"deployments column '{c}' must hold time-zone-aware datetimes, not "
                f"{dep[c].dtype}; e.g. `pd.to_datetime(col, utc=True)`."
            )
        dep[c] = dep[c].dt.tz_convert("UTC").dt.as_unit("ns").dt.tz_localize(None)
    nat = np.iinfo(np.int64).min
    lo = dep["deploy_on"].to_numpy().view("int64")
    hi = dep["deploy_off"].to_numpy().view("int64")
    dep["lo"] = np.where(lo == nat, np.iinfo(np.int64).min, lo)  # open start
    dep["hi"] = np.where(hi == nat, np.iinfo(np.int64).max, hi)  # open end
    dep["individual"] = dep["individual"].astype("str").to_numpy(dtype=object)
    return dep


def _deployment_reasons(ids: np.ndarray, dep: pd.DataFrame) -> np.ndarray:
    """'outside the deployment (tag on the animal from ... to ... UTC)' for each id."""
    first = dep.groupby("individual", sort=False)["deploy_on"].min()
    last = dep.groupby("individual", sort=False)["deploy_off"].max()
    on = first.reindex(ids).dt.strftime("%Y-%m-%d %H:%M").fillna("open")
    off = last.reindex(ids).dt.strftime("%Y-%m-%d %H:%M").fillna("open")
    return (
        "outside the deployment (tag on the animal from "
        + on.to_numpy(dtype=object)
        + " to "
        + off.to_numpy(dtype=object)
        + " UTC)"
    )


def flag_outside_deployment(
    individuals: ArrayLike,
    timestamps_ns: ArrayLike,
    *,
    deployments: pd.DataFrame | None,
) -> FlagResult:
    """Flag fixes taken while the tag was not on the animal (``flag_outside_deployment``).

    Parameters
    ----------
    individuals : array_like
        Individual id of each fix (compared with ``deployments`` as text).
    timestamps_ns : array_like of int
        Time of each fix in nanoseconds since 1970-01-01 UTC.
    deployments : pandas.DataFrame or None
        One row per deployment with ``individual``, ``deploy_on`` and
        ``deploy_off`` (time-zone-aware; NaT for an open end), as
        :func:`habitat.io.read_relocations` derives from a Movebank reference
        table. ``None`` or an empty table flags nothing.

    Returns
    -------
    FlagResult
        Fixes of an individual listed in ``deployments`` that fall outside all
        of its deployment windows (ends included); individuals not listed are
        not checked.

    Raises
    ------
    ColumnError
        If ``deployments`` lacks one of its three columns.
    TimestampError
        If ``deploy_on`` or ``deploy_off`` is not time-zone aware.

    Examples
    --------
    Collar F1 went on the animal at 06:00 on 1 May; M2 is not listed, so not checked:

    >>> import pandas as pd
    >>> deployments = pd.DataFrame({
    ...     "individual": ["F1"],
    ...     "deploy_on": pd.to_datetime(["2024-05-01 06:00"], utc=True),
    ...     "deploy_off": pd.to_datetime(["2024-06-01 00:00"], utc=True),
    ... })
    >>> times = pd.to_datetime(["2024-05-01 00:00", "2024-05-01 06:00", "2024-04-01 00:00"],
    ...                        utc=True)
    >>> result = flag_outside_deployment(["F1", "F1", "M2"], times.as_unit("ns").asi8,
    ...                                  deployments=deployments)
    >>> result.flagged.tolist()  # the deploy-on instant itself is inside
    [True, False, False]
    >>> result.reason[0]
    'outside the deployment (tag on the animal from 2024-05-01 06:00 to 2024-06-01 00:00 UTC)'
    """
    t_ns = epoch_ns(timestamps_ns)
    n = len(t_ns)
    if deployments is None or len(deployments) == 0:
        return _no_flags(n)
    dep = _deployment_windows_ns(deployments)
    ids = _as_series(individuals).astype("str").to_numpy(dtype=object)
    listed = np.isin(ids, dep["individual"].to_numpy())
    # one (fix, deployment) pair per deployment of the fix's individual: a merge,
    # not a loop; individuals have a handful of deployments
    pairs = pd.DataFrame({"row": np.arange(n), "individual": ids}).merge(
        dep[["individual", "lo", "hi"]], on="individual"
    )
    t = t_ns[pairs["row"].to_numpy()]
    inside_pair = (t >= pairs["lo"].to_numpy()) & (t <= pairs["hi"].to_numpy())
    inside = np.zeros(n, dtype=bool)
    np.logical_or.at(inside, pairs["row"].to_numpy(), inside_pair)
    outside = listed & ~inside
    if not outside.any():
        return _no_flags(n)
    return _result(outside, _deployment_reasons(ids[outside], dep))


def _duration_text(ns: np.ndarray) -> np.ndarray:
    """Durations in ns as text: ``"30.0 years"``, ``"12.5 days"`` or ``"3.0 h"``."""
    hours = np.asarray(ns, dtype=float) / _NS_PER_HOUR
    days = hours / 24
    return np.where(
        days >= 365.25,
        _text(days / 365.25, decimals=1) + " years",
        np.where(days >= 1, _text(days, decimals=1) + " days", _text(hours, decimals=1) + " h"),
    )


def _utc_text(t_ns: np.ndarray) -> np.ndarray:
    """Epoch nanoseconds as ``"2024-05-01 10:00"`` (UTC)."""
    return pd.to_datetime(t_ns, unit="ns", utc=True).strftime("%Y-%m-%d %H:%M").to_numpy(object)


def _group_quantile(
    rel: np.ndarray, starts: np.ndarray, counts: np.ndarray, q: float
) -> np.ndarray:
    """Quantile ``q`` (linear interpolation) of each group of the sorted values ``rel``."""
    pos = q * (counts - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, counts - 1)
    a, b = rel[starts + lo], rel[starts + hi]
    return a + (pos - lo) * (b - a)


def _few_on_their_side(
    out: np.ndarray, late: np.ndarray, group: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """Whether the outliers of each fix's individual and side are few (not a deployment)."""
    side = group * 2 + late.astype(np.int64)
    n_out = np.bincount(side[out], minlength=2 * len(counts))[side]
    limit = np.maximum(TIME_OUTLIER_MAX_CLUSTER, 0.05 * counts[group])
    return n_out <= limit


def flag_time_outlier(
    individuals: ArrayLike,
    timestamps_ns: ArrayLike,
    *,
    valid: ArrayLike | None = None,
) -> FlagResult:
    """Flag fixes whose time lies far outside the individual's track (``flag_time_outlier``).

    A date typed decades wrong, or a GPS clock reset to 1970, puts a fix far
    from every other fix of the animal in time. The rule is robust (quartiles,
    a median) so that a cluster of such fixes is caught too, and generous so
    that real gaps (a collar silent for a season, two deployments years apart
    with many fixes each) are not. For each individual with at least
    :data:`TIME_OUTLIER_MIN_FIXES` fixes, let Q1 and Q3 be the first and third
    quartiles of its times (the middle half of its fixes), IQR = Q3 - Q1, and
    ``m`` its median interval between consecutive distinct times. A fix is
    flagged when its time lies before Q1 or after Q3 by more than **both**
    :data:`TIME_OUTLIER_IQR_FACTOR` (10) x IQR **and**
    :data:`TIME_OUTLIER_INTERVAL_FACTOR` (100) x ``m``, unless more than
    :data:`TIME_OUTLIER_MAX_CLUSTER` (3) fixes, and more than 5 % of the
    individual's fixes, lie that far out on the same side: those are a
    deployment of their own (10 fixes in 2020 and 50 in 2024), not a typo.
    Missing times (NaT) are not judged.

    Parameters
    ----------
    individuals : array_like
        Individual id of each fix (missing ids are not judged).
    timestamps_ns : array_like of int
        Time of each fix in nanoseconds since 1970-01-01 UTC.
    valid : array_like of bool, optional
        Fixes to judge and to take the quartiles from (e.g. not duplicates);
        by default all.

    Returns
    -------
    FlagResult
        The time outliers, with the reason, e.g. ``"time 2054-05-01 00:00 UTC
        is 30.0 years after the middle half of the individual's fixes
        (2024-05-03 12:00 to 2024-05-08 12:00 UTC), more than 10x its length
        and 100x the median interval (4.0 h)"``.

    Examples
    --------
    Sixty fixes every 4 h in May 2024, and one dated 2054 (a typo):

    >>> import pandas as pd
    >>> t = pd.date_range("2024-05-01", periods=60, freq="4h", tz="UTC").append(
    ...     pd.DatetimeIndex([pd.Timestamp("2054-05-01", tz="UTC")]))
    >>> result = flag_time_outlier(["F1"] * 61, t.as_unit("ns").asi8)
    >>> int(result.flagged.sum()), bool(result.flagged[-1])
    (1, True)
    >>> result.reason[-1]
    "time 2054-05-01 00:00 UTC is 30.0 years after the middle half of the individual's \
fixes (2024-05-03 12:00 to 2024-05-08 12:00 UTC), more than 10x its length and 100x the \
median interval (4.0 h)"
    """
    t_ns = epoch_ns(timestamps_ns)
    n = len(t_ns)
    codes = _individual_codes(individuals)
    use = (codes >= 0) & (t_ns != np.iinfo(np.int64).min)  # NaT is not a time
    if valid is not None:
        use &= np.asarray(valid, dtype=bool)
    idx = np.flatnonzero(use)
    idx = idx[np.lexsort((t_ns[idx], codes[idx]))]
    if len(idx) == 0:
        return _no_flags(n)
    c, t = codes[idx], t_ns[idx]
    new_group = np.ones(len(idx), dtype=bool)
    new_group[1:] = c[1:] != c[:-1]
    starts = np.flatnonzero(new_group)
    counts = np.diff(np.append(starts, len(idx)))
    group = np.repeat(np.arange(len(starts)), counts)
    rel = (t - t[starts][group]).astype(float)  # ns since the group's first fix
    q1 = _group_quantile(rel, starts, counts, 0.25)
    q3 = _group_quantile(rel, starts, counts, 0.75)
    step = np.diff(rel)
    real = (group[1:] == group[:-1]) & (step > 0)
    median_step = (
        pd.Series(step[real]).groupby(group[1:][real]).median().reindex(np.arange(len(starts)))
    ).to_numpy(dtype=float)
    allowance = np.maximum(
        TIME_OUTLIER_IQR_FACTOR * (q3 - q1), TIME_OUTLIER_INTERVAL_FACTOR * median_step
    )
    judged = (counts >= TIME_OUTLIER_MIN_FIXES) & (allowance > 0)
    before, after = q1[group] - rel, rel - q3[group]
    with np.errstate(invalid="ignore"):
        out = judged[group] & (np.maximum(before, after) > allowance[group])
    out &= _few_on_their_side(out, after > before, group, counts)
    if not out.any():
        return _no_flags(n)
    g = group[out]
    first = t[starts][g]
    text = (
        "time "
        + _utc_text(t[out])
        + " UTC is "
        + _duration_text(np.maximum(before, after)[out])
        + np.where(after[out] > 0, " after", " before")
        + " the middle half of the individual's fixes ("
        + _utc_text(first + q1[g].astype(np.int64))
        + " to "
        + _utc_text(first + q3[g].astype(np.int64))
        + f" UTC), more than {TIME_OUTLIER_IQR_FACTOR:g}x its length and "
        + f"{TIME_OUTLIER_INTERVAL_FACTOR:g}x the median interval ("
        + _duration_text(median_step[g])
        + ")"
    )
    flagged = np.zeros(n, dtype=bool)
    flagged[idx[out]] = True
    reason = np.full(n, "", dtype=object)
    reason[idx[out]] = text
    return FlagResult(flagged, reason)


class _Track(NamedTuple):
    """The valid fixes in track order (by individual, then time, then input order)."""

    positions: np.ndarray  # of the valid fixes in the input
    codes: np.ndarray  # individual codes
    t_ns: np.ndarray
    lon_deg: np.ndarray
    lat_deg: np.ndarray
    rows: np.ndarray  # row numbers for the reasons
    speed_in_kmh: np.ndarray  # from the previous valid fix of the individual (NaN if none)


def _valid_track(
    x: np.ndarray,
    y: np.ndarray,
    codes: np.ndarray,
    t_ns: np.ndarray,
    *,
    crs: CRS,
    valid: np.ndarray,
    rows: np.ndarray,
) -> _Track:
    candidates = np.flatnonzero(valid)
    index = candidates[np.lexsort((candidates, t_ns[candidates], codes[candidates]))]
    lon, lat = _to_lonlat(x[index], y[index], crs)
    dist_m, dt_h = _steps(codes[index], t_ns[index], lon, lat)
    return _Track(index, codes[index], t_ns[index], lon, lat, rows[index], _speed_kmh(dist_m, dt_h))


def _neighbour_rows(track: _Track) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Speed out (km/h) to the next valid fix, and the rows of the previous and next fix."""
    m = len(track.positions)
    speed_out = np.full(m, np.nan)
    speed_out[:-1] = track.speed_in_kmh[1:]
    prev_row = np.full(m, -1, dtype=np.int64)
    prev_row[1:] = track.rows[:-1]
    next_row = np.full(m, -1, dtype=np.int64)
    next_row[:-1] = track.rows[1:]
    return speed_out, prev_row, next_row


def _speed_in_rule(track: _Track, limit_kmh: float) -> tuple[np.ndarray, np.ndarray]:
    """Track positions whose speed in exceeds the limit, and their reasons."""
    _, prev_row, _ = _neighbour_rows(track)
    with np.errstate(invalid="ignore"):
        k = np.flatnonzero(track.speed_in_kmh > limit_kmh)
    text = (
        "speed "
        + _text(track.speed_in_kmh[k], decimals=1)
        + " km/h from row "
        + _text(prev_row[k])
        + f" exceeds {limit_kmh:g} km/h"
    )
    return k, text


def _speed_spike_rule(track: _Track, limit_kmh: float) -> tuple[np.ndarray, np.ndarray]:
    """Track positions that are spikes (fast in and out), and their reasons."""
    speed_out, prev_row, next_row = _neighbour_rows(track)
    with np.errstate(invalid="ignore"):
        spike = (track.speed_in_kmh > limit_kmh) & (speed_out > limit_kmh)
    k = np.flatnonzero(spike)
    text = (
        "speed "
        + _text(track.speed_in_kmh[k], decimals=1)
        + " km/h from row "
        + _text(prev_row[k])
        + " and "
        + _text(speed_out[k], decimals=1)
        + " km/h to row "
        + _text(next_row[k])
        + f" both exceed {limit_kmh:g} km/h (spike)"
    )
    k_end, text_end = _speed_endpoint_rule(track, limit_kmh, spike=spike)
    return np.concatenate([k, k_end]), np.concatenate([text, text_end])


def _speed_endpoint_rule(
    track: _Track, limit_kmh: float, *, spike: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """First and last fixes too fast to their nearest neighbour that is not a spike."""
    keep = np.flatnonzero(~spike)
    kc = track.codes[keep]
    is_first = np.ones(len(keep), dtype=bool)
    is_last = np.ones(len(keep), dtype=bool)
    is_first[1:] = kc[1:] != kc[:-1]
    is_last[:-1] = kc[1:] != kc[:-1]
    kf = np.flatnonzero(is_first & ~is_last)  # first fix, with a successor
    kl = np.flatnonzero(is_last & ~is_first)  # last fix, with a predecessor
    ia = keep[np.concatenate([kf, kl - 1])]
    ib = keep[np.concatenate([kf + 1, kl])]
    lon, lat, vt = track.lon_deg, track.lat_deg, track.t_ns
    _, _, d_end = _GEOD.inv(lon[ia], lat[ia], lon[ib], lat[ib])
    s_end = _speed_kmh(np.asarray(d_end, dtype=float), (vt[ib] - vt[ia]) / _NS_PER_HOUR)
    s_first, s_last = s_end[: len(kf)], s_end[len(kf) :]
    with np.errstate(invalid="ignore"):
        hit_f, hit_l = s_first > limit_kmh, s_last > limit_kmh
    kf_hit, kl_hit = kf[hit_f], kl[hit_l]
    text_first = (
        "speed "
        + _text(s_first[hit_f], decimals=1)
        + " km/h to row "
        + _text(track.rows[keep[kf_hit + 1]])
        + f" exceeds {limit_kmh:g} km/h (first fix of the individual)"
    )
    text_last = (
        "speed "
        + _text(s_last[hit_l], decimals=1)
        + " km/h from row "
        + _text(track.rows[keep[kl_hit - 1]])
        + f" exceeds {limit_kmh:g} km/h (last fix of the individual)"
    )
    return keep[np.concatenate([kf_hit, kl_hit])], np.concatenate([text_first, text_last])


def register_species_resolver(resolver: Callable[[Any], SpeciesProfile | None]) -> None:
    """Let ``species=`` take names, files and mappings (called by :mod:`habitat.datasets`).

    Parameters
    ----------
    resolver : callable
        ``resolver(value) -> SpeciesProfile | None`` for a profile name, a TOML
        path or a mapping (e.g. :func:`habitat.datasets.species_profile`).
    """
    if resolver not in _SPECIES_RESOLVERS:
        _SPECIES_RESOLVERS.append(resolver)


def _species_profile(species: SpeciesArg) -> SpeciesProfile | None:
    """``species=`` as a profile (or None)."""
    if species is None or isinstance(species, SpeciesProfile):
        return species
    if isinstance(species, str) and species.strip().lower() == "auto":
        raise InputError(
            "species='auto' needs a study area, which relocations alone do not have: pass a "
            "profile (e.g. species='amur_leopard', a TOML file) or None; "
            "habitat.datasets.species_for(habitat.datasets.study_area_for(fixes)) picks the "
            "default of the data's study area."
        )
    if not isinstance(species, str | os.PathLike | Mapping):
        raise InputError(
            "species must be a SpeciesProfile, a profile name, a TOML file, a mapping or "
            f"None, not {species!r}."
        )
    if not _SPECIES_RESOLVERS:  # pragma: no cover - habitat.datasets registers one on import
        raise InputError(
            f"species={species!r}: import habitat.datasets (or habitat) to read profile "
            "names and files, or pass a habitat.io.species.SpeciesProfile."
        )
    return _SPECIES_RESOLVERS[-1](species)


def speed_limit(
    max_speed_kmh: float | None = None, species: SpeciesArg = None
) -> tuple[float | None, SpeciesProfile | None]:
    """The speed limit (km/h) for ``flag_speed``: given, or the species profile's.

    Parameters
    ----------
    max_speed_kmh : float, optional
        An explicit limit (km/h).
    species : SpeciesProfile, str, path, mapping or None
        A species profile (or a bundled name such as ``"amur_leopard"``, a
        TOML file, a mapping; see :func:`habitat.datasets.species_profile`)
        whose ``max_speed_kmh`` is the limit when ``max_speed_kmh`` is not given.

    Returns
    -------
    limit : float or None
        ``None``: no speed flag.
    profile : SpeciesProfile or None

    Raises
    ------
    InputError
        For a limit that is not a positive number, or a limit that differs
        from the profile's (a profile without a limit takes the given one).

    Examples
    --------
    >>> speed_limit(None, "amur_leopard")[0]
    20.0
    >>> speed_limit(20, "amur_leopard")[0], speed_limit(35)[0], speed_limit()[0]
    (20.0, 35.0, None)
    >>> speed_limit(35, "amur_leopard")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: max_speed_kmh=35 differs from the 20 km/h of the species \
profile 'amur_leopard'; give one of them (max_speed_kmh=None uses the profile's).
    """
    _check_speed_options(max_speed_kmh, "spike")
    profile = _species_profile(species)
    own = None if profile is None else profile.max_speed_kmh
    if max_speed_kmh is None:
        return own, profile
    if own is not None and not math.isclose(float(max_speed_kmh), own, rel_tol=1e-12):
        raise InputError(
            f"max_speed_kmh={max_speed_kmh:g} differs from the {own:g} km/h of the species "
            f"profile '{profile.name if profile else ''}'; give one of them "
            "(max_speed_kmh=None uses the profile's)."
        )
    return float(max_speed_kmh), profile


def _check_speed_options(max_speed_kmh: float | None, speed_rule: str) -> None:
    if max_speed_kmh is not None and not (np.isfinite(max_speed_kmh) and max_speed_kmh > 0):
        raise InputError(
            f"max_speed_kmh must be a positive number of km/h (e.g. 20), not {max_speed_kmh!r}; "
            "pass None to skip the speed flag."
        )
    if speed_rule not in ("spike", "in"):
        raise InputError(f"speed_rule must be 'spike' or 'in', not {speed_rule!r}.")


def flag_speed(
    x: ArrayLike,
    y: ArrayLike,
    individuals: ArrayLike,
    timestamps_ns: ArrayLike,
    *,
    crs: Any,
    max_speed_kmh: float | None,
    speed_rule: Literal["spike", "in"] = "spike",
    valid: ArrayLike | None = None,
    rows: ArrayLike | None = None,
) -> tuple[FlagResult, np.ndarray]:
    """Flag fixes that imply an implausible speed (the ``flag_speed`` rule).

    Speeds are geodesic (WGS 84 ellipsoid) between consecutive *valid* fixes
    of an individual in time order (ties in input order). See
    :func:`flag_relocations` for the ``"spike"`` and ``"in"`` rules.

    Parameters
    ----------
    x, y : array_like of float
        Coordinates of the fixes in ``crs`` (metres or degrees).
    individuals : array_like
        Individual id of each fix.
    timestamps_ns : array_like of int
        Time of each fix in nanoseconds since 1970-01-01 UTC.
    crs : CRS-like
        The CRS of ``x`` and ``y``.
    max_speed_kmh : float or None
        Speed limit in km/h; ``None`` flags nothing (speeds are still measured).
    speed_rule : {"spike", "in"}
        How a fast fix is flagged.
    valid : array_like of bool, optional
        Fixes to use; the others are neither measured nor flagged. Fixes
        without finite coordinates are never used. By default all others are.
    rows : array_like of int, optional
        Row number of each fix for the reasons; by default 1, 2, ...

    Returns
    -------
    FlagResult
        The fast fixes and why.
    numpy.ndarray
        ``speed_kmh`` of each fix (km/h) from the previous valid fix of the
        same individual; NaN for the first one and for fixes not ``valid``.

    Raises
    ------
    InputError
        For a non-positive ``max_speed_kmh`` or an unknown ``speed_rule``.

    Examples
    --------
    Hourly fixes 1 km apart in UTM 52N, with a GPS outlier 49 km away at 02:00:

    >>> import pandas as pd
    >>> x = [650_000, 651_000, 700_000, 652_000, 653_000]
    >>> y = [4_750_000] * 5
    >>> hours = pd.date_range("2024-05-01", periods=5, freq="h", tz="UTC")
    >>> result, speed_kmh = flag_speed(x, y, ["F1"] * 5, hours.as_unit("ns").asi8,
    ...                                crs="EPSG:32652", max_speed_kmh=20)
    >>> speed_kmh.round(1).tolist()
    [nan, 1.0, 49.0, 48.0, 1.0]

    Only the outlier is flagged (fast in *and* out); the fix after it is not:

    >>> result.flagged.tolist()
    [False, False, True, False, False]
    >>> result.reason[2]
    'speed 49.0 km/h from row 2 and 48.0 km/h to row 4 both exceed 20 km/h (spike)'
    """
    _check_speed_options(max_speed_kmh, speed_rule)
    x_arr, y_arr = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    t_ns = epoch_ns(timestamps_ns)
    n = len(t_ns)
    ok = np.isfinite(x_arr) & np.isfinite(y_arr)
    if valid is not None:
        ok &= np.asarray(valid, dtype=bool)
    codes = _individual_codes(individuals)
    track = _valid_track(
        x_arr,
        y_arr,
        codes,
        t_ns,
        crs=CRS.from_user_input(crs),
        valid=ok,
        rows=_rows_or_default(rows, n),
    )
    speed_kmh = np.full(n, np.nan)
    speed_kmh[track.positions] = track.speed_in_kmh
    if max_speed_kmh is None or len(track.positions) == 0:
        return _no_flags(n), speed_kmh
    rule = _speed_in_rule if speed_rule == "in" else _speed_spike_rule
    k, text = rule(track, float(max_speed_kmh))
    fast = np.zeros(n, dtype=bool)
    fast[track.positions[k]] = True
    reason = np.full(n, "", dtype=object)
    reason[track.positions[k]] = text
    return FlagResult(fast, reason), speed_kmh


# ----------------------------------------------------------------------------- all flags
def _check_flag_input(
    relocations: object, *, max_speed_kmh: float | None, speed_rule: str
) -> tuple[gpd.GeoDataFrame, CRS]:
    """The relocations and their CRS, if they and the options can be flagged."""
    gdf = require_geodataframe(
        relocations,
        name="relocations",
        what="of points",
        hint="read them with habitat.io.read_relocations.",
    )
    crs = require_crs(gdf, name="relocations")
    require_columns(
        gdf,
        ["individual", "timestamp"],
        name="relocations",
        hint="habitat.io.read_relocations creates them.",
    )
    require_geometry_type(gdf, ("Point",), name="relocations", allow_empty=True)
    _check_speed_options(max_speed_kmh, speed_rule)
    return gdf, crs


def _source_rows(relocations: pd.DataFrame) -> np.ndarray:
    """``source_row`` if present, else 1, 2, ... in input order."""
    if "source_row" in relocations.columns:
        return relocations["source_row"].to_numpy(dtype=np.int64)
    return np.arange(1, len(relocations) + 1, dtype=np.int64)


def _visible(relocations: pd.DataFrame) -> pd.Series:
    """The ``visible`` column, or all true when there is none."""
    if "visible" in relocations.columns:
        return relocations["visible"]
    return pd.Series(np.ones(len(relocations), dtype=bool))


def _with_flags(
    relocations: gpd.GeoDataFrame,
    flags: dict[str, FlagResult],
    *,
    speed_kmh: np.ndarray,
    settings: dict[str, Any],
) -> gpd.GeoDataFrame:
    """A copy of ``relocations`` with the flag columns, ``flag_any``, reasons and speeds."""
    out = relocations.copy()
    reason = _join_reasons(
        len(out), [(np.flatnonzero(f.flagged), f.reason[f.flagged]) for f in flags.values()]
    )
    for name, result in flags.items():
        out[name] = result.flagged
    out["flag_any"] = np.logical_or.reduce([f.flagged for f in flags.values()])
    out["flag_reason"] = pd.array(reason, dtype="str")
    out["speed_kmh"] = speed_kmh
    out.attrs["habitat_flags"] = settings
    return out


def flag_relocations(
    relocations: gpd.GeoDataFrame,
    *,
    max_speed_kmh: float | None = None,
    speed_rule: Literal["spike", "in"] = "spike",
    deployments: pd.DataFrame | None = None,
    species: SpeciesArg = None,
) -> gpd.GeoDataFrame:
    """Add quality flags to relocations, without dropping any row.

    Each flag is computed by the function of the same name
    (:func:`flag_missing_coords`, :func:`flag_impossible_coords`,
    :func:`flag_duplicate`, :func:`flag_not_visible`,
    :func:`flag_outside_deployment`, :func:`flag_time_outlier`,
    :func:`flag_speed`).

    Parameters
    ----------
    relocations : geopandas.GeoDataFrame
        Point fixes with a CRS and the columns ``individual`` and ``timestamp``
        (time-zone aware), as returned by :func:`habitat.io.read_relocations`.
        A ``source_row`` column, if present, is used to name rows in
        ``flag_reason``; otherwise rows are numbered 1, 2, ... in input order.
    max_speed_kmh : float, optional
        Speed limit in km/h for ``flag_speed``. ``None`` (the default) takes
        the limit of ``species``; without one, ``speed_kmh`` is computed but
        nothing is flagged, because a sensible limit depends on the species
        and the fix interval (see :data:`LEOPARD_MAX_SPEED_KMH`).
    speed_rule : {"spike", "in"}
        How a fast fix is flagged. Speeds are measured between consecutive
        *valid* fixes of an individual (not flagged by any other rule), in
        time order.

        ``"spike"`` (default)
            Flag a fix when both the speed *in* (from the previous valid fix)
            and the speed *out* (to the next one) exceed the limit: the
            signature of a single GPS outlier, where the fix after the outlier
            (fast in, normal out) is **not** flagged. The first and last valid
            fix of an individual have one neighbour only; they are flagged when
            the speed to their nearest fix that is not itself a spike exceeds
            the limit (so with only two fixes, both are flagged). A run of two
            or more outliers in a row is not caught by this rule.
        ``"in"``
            Flag every fix whose speed in exceeds the limit. Catches runs of
            outliers and real jumps, but also flags the good fix after an
            outlier.
    deployments : pandas.DataFrame, optional
        When each tag was on the animal, as in a Movebank reference table: one
        row per deployment with ``individual``, ``deploy_on`` and ``deploy_off``
        (time-zone-aware; NaT for an open end). Fixes of an individual listed
        there that fall outside all of its deployments get
        ``flag_outside_deployment`` (e.g. a collar switched on in the office).
        Individuals not listed are not checked.
    species : SpeciesProfile, str, path, mapping or None
        A species profile whose ``max_speed_kmh`` is the speed limit when
        ``max_speed_kmh`` is not given (see :func:`speed_limit`): a
        :class:`~habitat.io.species.SpeciesProfile`, a bundled name such as
        ``"amur_leopard"`` (20 km/h), a TOML file or a mapping. ``None``
        (default): no profile.

    Notes
    -----
    A boolean-like ``visible`` column (Movebank's own outlier mark: ``false``
    means the fix was marked as an outlier in Movebank) sets
    ``flag_not_visible``. Fixes flagged as missing, impossible, duplicate, not
    visible, outside the deployment or time outliers are left out of the speed
    computation. Time outliers are judged among the fixes that are not
    duplicates.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with the columns ``flag_missing_coords``,
        ``flag_impossible_coords``, ``flag_duplicate``, ``flag_not_visible``,
        ``flag_outside_deployment``, ``flag_time_outlier``, ``flag_speed``,
        ``flag_any`` (bool), ``flag_reason`` (str, ``""`` when not flagged; one
        reason per flag joined with ``"; "``) and ``speed_kmh`` (float, km/h:
        geodesic speed from the previous valid fix of the same individual, NaN
        for the first fix and for invalid fixes). Existing columns of those
        names are replaced. Row order and index are unchanged.
        ``attrs["habitat_flags"]`` holds the settings (the ``max_speed_kmh``
        used, ``speed_rule``) and ``attrs["species"]`` the profile's name (or
        ``None``).

    Raises
    ------
    InputError
        If ``relocations`` is not a GeoDataFrame, for a non-positive
        ``max_speed_kmh``, one that differs from the species profile's, or an
        unknown ``speed_rule``.
    DatasetNotFoundError
        For an unknown species profile name.
    MissingCRSError
        If the data declares no CRS.
    ColumnError
        If ``individual`` or ``timestamp`` is missing.
    TimestampError
        If timestamps are not time-zone aware or are missing.
    GeometryTypeError
        For non-point geometries.

    Examples
    --------
    Hourly fixes 1 km apart in UTM 52N, with a GPS outlier 49 km away at 02:00
    and the 04:00 fix sent twice:

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> fixes = gpd.GeoDataFrame(
    ...     {"individual": "F1",
    ...      "timestamp": pd.to_datetime(["2024-05-01 00:00", "2024-05-01 01:00",
    ...                                   "2024-05-01 02:00", "2024-05-01 03:00",
    ...                                   "2024-05-01 04:00", "2024-05-01 04:00"], utc=True)},
    ...     geometry=gpd.points_from_xy([650_000, 651_000, 700_000, 652_000, 653_000, 653_000],
    ...                                 [4_750_000] * 6),
    ...     crs="EPSG:32652",
    ... )
    >>> flagged = flag_relocations(fixes, max_speed_kmh=20)
    >>> flagged[["flag_duplicate", "flag_speed", "flag_any", "speed_kmh"]].round(1)
       flag_duplicate  flag_speed  flag_any  speed_kmh
    0           False       False     False        NaN
    1           False       False     False        1.0
    2           False        True      True       49.0
    3           False       False     False       48.0
    4           False       False     False        1.0
    5            True       False      True        NaN
    >>> flagged["flag_reason"][5]
    'duplicate of row 5 (same individual and timestamp)'
    >>> len(flagged[~flagged["flag_any"]])  # dropping them is up to you
    4

    The bundled Amur leopard profile's limit (20 km/h) flags the same fix:

    >>> by_species = flag_relocations(fixes, species="amur_leopard")
    >>> by_species["flag_speed"].tolist() == flagged["flag_speed"].tolist()
    True
    >>> by_species.attrs["habitat_flags"]["max_speed_kmh"], by_species.attrs["species"]
    (20.0, 'amur_leopard')
    """
    gdf, crs = _check_flag_input(relocations, max_speed_kmh=max_speed_kmh, speed_rule=speed_rule)
    max_speed_kmh, profile = speed_limit(max_speed_kmh, species)
    rows = _source_rows(gdf)
    t_ns = _timestamps_ns(gdf, rows)
    x, y = _xy(gdf.geometry.to_numpy())
    ids = gdf["individual"]

    flags = {
        "flag_missing_coords": flag_missing_coords(x, y),
        "flag_impossible_coords": flag_impossible_coords(
            x,
            y,
            geographic=crs.is_geographic,
            metres_per_unit=float(crs.axis_info[0].unit_conversion_factor)
            if crs.axis_info
            else 1.0,
        ),
        "flag_duplicate": flag_duplicate(ids, t_ns, rows=rows),
        "flag_not_visible": flag_not_visible(_visible(gdf)),
        "flag_outside_deployment": flag_outside_deployment(ids, t_ns, deployments=deployments),
    }
    flags["flag_time_outlier"] = flag_time_outlier(
        ids, t_ns, valid=~flags["flag_duplicate"].flagged
    )
    valid = ~np.logical_or.reduce([f.flagged for f in flags.values()])
    flags["flag_speed"], speed_kmh = flag_speed(
        x,
        y,
        ids,
        t_ns,
        crs=crs,
        max_speed_kmh=max_speed_kmh,
        speed_rule=speed_rule,
        valid=valid,
        rows=rows,
    )

    settings = {"max_speed_kmh": max_speed_kmh, "speed_rule": speed_rule}
    out = _with_flags(gdf, flags, speed_kmh=speed_kmh, settings=settings)
    out.attrs["species"] = None if profile is None else profile.name
    return out


# ----------------------------------------------------------------------------- summary
def _sex_per_individual(relocations: pd.DataFrame, codes: np.ndarray, k: int) -> np.ndarray:
    """The ``sex`` of each individual's first row, or ``'unknown'`` without that column."""
    if "sex" not in relocations.columns:
        return np.full(k, "unknown", dtype=object)
    first_pos = np.full(k, len(relocations), dtype=np.int64)
    np.minimum.at(first_pos, codes, np.arange(len(relocations)))
    return relocations["sex"].to_numpy(dtype=object)[first_pos]


def _flag_counts(relocations: pd.DataFrame, codes: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """``n_flagged`` and ``n_<flag>`` per individual (a missing flag column counts 0)."""

    def per_individual(values: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=values, minlength=k).astype(np.int64)

    n = len(relocations)
    counts = {"n_flagged": per_individual(relocations["flag_any"].to_numpy(dtype=bool))}
    for name in FLAG_COLUMNS:
        values = (
            relocations[name].to_numpy(dtype=bool)
            if name in relocations.columns
            else np.zeros(n, dtype=bool)
        )
        counts["n_" + name.removeprefix("flag_")] = per_individual(values)
    return counts


def _time_span(t_ns: np.ndarray, codes: np.ndarray, k: int) -> dict[str, Any]:
    """First and last timestamp (UTC) and the duration in days per individual."""
    t_min = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
    t_max = np.full(k, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(t_min, codes, t_ns)
    np.maximum.at(t_max, codes, t_ns)
    return {
        "first_timestamp": pd.to_datetime(t_min, unit="ns", utc=True),
        "last_timestamp": pd.to_datetime(t_max, unit="ns", utc=True),
        "duration_days": (t_max - t_min) / (24 * _NS_PER_HOUR),
    }


def _step_medians(
    relocations: gpd.GeoDataFrame, t_ns: np.ndarray, codes: np.ndarray, k: int, *, crs: CRS
) -> dict[str, np.ndarray]:
    """Median interval (h) and geodesic step (m) between consecutive unflagged fixes."""
    good = np.flatnonzero(~relocations["flag_any"].to_numpy(dtype=bool))
    order = good[np.lexsort((t_ns[good], codes[good]))]
    x, y = _xy(relocations.geometry.to_numpy()[order])
    lon, lat = _to_lonlat(x, y, crs)
    dist, dt_h = _steps(codes[order], t_ns[order], lon, lat)
    steps = pd.DataFrame({"code": codes[order], "dist": dist, "dt": dt_h})
    med = steps.groupby("code")[["dt", "dist"]].median().reindex(np.arange(k))
    return {"median_interval_h": med["dt"].to_numpy(), "median_step_m": med["dist"].to_numpy()}


def summarise_relocations(relocations: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per-individual summary of relocations.

    Parameters
    ----------
    relocations : geopandas.GeoDataFrame
        Output of :func:`habitat.io.read_relocations` (or any point
        GeoDataFrame with ``individual`` and time-zone-aware ``timestamp``).
        If it carries no ``flag_any`` column, :func:`flag_relocations` is run
        first with its defaults (no speed limit).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``individual`` (sorted), with columns

        * ``sex`` -- ``'F'``, ``'M'`` or ``'unknown'``;
        * ``n_fixes`` -- all rows, flagged or not;
        * ``n_flagged`` -- rows with ``flag_any``; and ``n_missing_coords``,
          ``n_impossible_coords``, ``n_duplicate``, ``n_not_visible``,
          ``n_outside_deployment``, ``n_time_outlier``, ``n_speed`` per flag;
        * ``first_timestamp``, ``last_timestamp`` -- over all rows (UTC);
        * ``duration_days`` -- their difference in days (float);
        * ``median_interval_h`` -- median time between consecutive
          **unflagged** fixes, in hours (NaN with fewer than two);
        * ``median_step_m`` -- median geodesic distance between consecutive
          unflagged fixes, in metres (NaN with fewer than two).

    Examples
    --------
    Five hourly fixes 1 km apart in UTM 52N (grid metres; the geodesic steps
    are 0.012 % longer), one of them a 49 km outlier:

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> fixes = gpd.GeoDataFrame(
    ...     {"individual": "F1",
    ...      "timestamp": pd.date_range("2024-05-01", periods=5, freq="h", tz="UTC")},
    ...     geometry=gpd.points_from_xy([650_000, 651_000, 700_000, 652_000, 653_000],
    ...                                 [4_750_000] * 5),
    ...     crs="EPSG:32652",
    ... )
    >>> summary = summarise_relocations(flag_relocations(fixes, max_speed_kmh=20))
    >>> summary.loc["F1", ["n_fixes", "n_flagged", "n_speed"]].tolist()
    [5, 1, 1]
    >>> float(summary.loc["F1", "duration_days"] * 24)  # hours
    4.0

    Intervals and steps are measured between the unflagged fixes (00:00, 01:00,
    03:00, 04:00: 1, 2 and 1 h apart, 1 km each):

    >>> float(summary.loc["F1", "median_interval_h"]), round(summary.loc["F1", "median_step_m"])
    (1.0, 1000)
    """
    if "flag_any" not in relocations.columns:
        relocations = flag_relocations(relocations)
    crs = require_crs(relocations, name="relocations")
    t_ns = _timestamps_ns(relocations, np.arange(1, len(relocations) + 1))
    codes, uniques = pd.factorize(relocations["individual"], sort=True)
    k = len(uniques)
    sex = _sex_per_individual(relocations, codes, k)
    summary = pd.DataFrame(
        {"sex": pd.array(sex, dtype="str")}, index=pd.Index(uniques, name="individual")
    )
    summary["n_fixes"] = np.bincount(codes, minlength=k).astype(np.int64)
    for name, values in {
        **_flag_counts(relocations, codes, k),
        **_time_span(t_ns, codes, k),
        **_step_medians(relocations, t_ns, codes, k, crs=crs),
    }.items():
        summary[name] = values
    return summary

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
    In any CRS: an infinite coordinate. (Projected coordinates are not checked
    against the CRS's area of use.)
``flag_duplicate``
    Same individual and same timestamp as an earlier fix. The first fix of
    each such group (in ``individual``, ``timestamp``, then input order; for
    :func:`~habitat.io.read_relocations` output that is file order) is kept
    unflagged, the later ones are flagged.
``flag_speed``
    The fix implies an implausible speed (see :func:`flag_relocations`).

Speeds and step lengths are **geodesic** distances on the WGS 84 ellipsoid
(points are transformed from their CRS to longitude/latitude with pyproj, then
:meth:`pyproj.Geod.inv`), so they are in true metres whatever the input CRS.
Everything is vectorised with numpy; a million fixes take about a second.
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod, Transformer
from pyproj.exceptions import ProjError

from habitat.core.crs import WGS84, describe_crs, require_crs
from habitat.core.errors import CRSError, InputError, TimestampError, where
from habitat.core.validation import require_columns, require_geometry_type

__all__ = [
    "FLAG_COLUMNS",
    "LEOPARD_MAX_SPEED_KMH",
    "flag_relocations",
    "summarise_relocations",
]

#: The individual flag columns, in the order their reasons appear in ``flag_reason``.
FLAG_COLUMNS: tuple[str, ...] = (
    "flag_missing_coords",
    "flag_impossible_coords",
    "flag_duplicate",
    "flag_not_visible",
    "flag_outside_deployment",
    "flag_speed",
)

#: A suggested ``max_speed_kmh`` for Amur leopard GPS fixes (km/h). Leopards sprint
#: at up to ~58 km/h for seconds only; over fix intervals of 15 min or more a
#: sustained 20 km/h is implausible. It is a suggestion, not a default: pass it
#: explicitly (``max_speed_kmh=LEOPARD_MAX_SPEED_KMH``).
LEOPARD_MAX_SPEED_KMH = 20.0

_GEOD = Geod(ellps="WGS84")
_NS_PER_HOUR = 3_600_000_000_000


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


def _text(values: np.ndarray, *, decimals: int | None = None) -> pd.Series:
    s = pd.Series(values)
    if decimals is not None:
        s = s.round(decimals)
    return s.astype("str")


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


def flag_relocations(
    relocations: gpd.GeoDataFrame,
    *,
    max_speed_kmh: float | None = None,
    speed_rule: Literal["spike", "in"] = "spike",
    deployments: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Add quality flags to relocations, without dropping any row.

    Parameters
    ----------
    relocations : geopandas.GeoDataFrame
        Point fixes with a CRS and the columns ``individual`` and ``timestamp``
        (time-zone aware), as returned by :func:`habitat.io.read_relocations`.
        A ``source_row`` column, if present, is used to name rows in
        ``flag_reason``; otherwise rows are numbered 1, 2, ... in input order.
    max_speed_kmh : float, optional
        Speed limit in km/h for ``flag_speed``. ``None`` (the default) computes
        ``speed_kmh`` but flags nothing, because a sensible limit depends on the
        species and the fix interval (see :data:`LEOPARD_MAX_SPEED_KMH`).
    speed_rule : {"spike", "in"}
        How a fast fix is flagged. Speeds are measured between consecutive
        *valid* fixes of an individual (not missing, not impossible, not
        duplicate), in time order.

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

    Notes
    -----
    A boolean-like ``visible`` column (Movebank's own outlier mark: ``false``
    means the fix was marked as an outlier in Movebank) sets
    ``flag_not_visible``. Fixes flagged as missing, impossible, duplicate, not
    visible or outside the deployment are left out of the speed computation.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with the columns ``flag_missing_coords``,
        ``flag_impossible_coords``, ``flag_duplicate``, ``flag_not_visible``,
        ``flag_outside_deployment``, ``flag_speed``,
        ``flag_any`` (bool), ``flag_reason`` (str, ``""`` when not flagged; one
        reason per flag joined with ``"; "``) and ``speed_kmh`` (float, km/h:
        geodesic speed from the previous valid fix of the same individual, NaN
        for the first fix and for invalid fixes). Existing columns of those
        names are replaced. Row order and index are unchanged.

    Raises
    ------
    MissingCRSError
        If the data declares no CRS.
    ColumnError
        If ``individual`` or ``timestamp`` is missing.
    TimestampError
        If timestamps are not time-zone aware or are missing.
    GeometryTypeError
        For non-point geometries.
    InputError
        For a non-positive ``max_speed_kmh`` or an unknown ``speed_rule``.
    """
    if not isinstance(relocations, gpd.GeoDataFrame):
        raise InputError(
            f"relocations must be a GeoDataFrame of points, not {type(relocations).__name__}; "
            "read them with habitat.io.read_relocations."
        )
    crs = require_crs(relocations, name="relocations")
    require_columns(
        relocations,
        ["individual", "timestamp"],
        name="relocations",
        hint="habitat.io.read_relocations creates them.",
    )
    require_geometry_type(relocations, ("Point",), name="relocations", allow_empty=True)
    if max_speed_kmh is not None and not (np.isfinite(max_speed_kmh) and max_speed_kmh > 0):
        raise InputError(
            f"max_speed_kmh must be a positive number of km/h (e.g. 20), not {max_speed_kmh!r}; "
            "pass None to skip the speed flag."
        )
    if speed_rule not in ("spike", "in"):
        raise InputError(f"speed_rule must be 'spike' or 'in', not {speed_rule!r}.")

    n = len(relocations)
    out = relocations.copy()
    if "source_row" in out.columns:
        rows = out["source_row"].to_numpy(dtype=np.int64)
    else:
        rows = np.arange(1, n + 1, dtype=np.int64)
    t_ns = _timestamps_ns(out, rows)
    x, y = _xy(out.geometry.to_numpy())

    # --- per-row flags --------------------------------------------------------
    missing = np.isnan(x) | np.isnan(y)
    impossible = ~missing & ~(np.isfinite(x) & np.isfinite(y))
    if crs.is_geographic:
        with np.errstate(invalid="ignore"):
            impossible |= ~missing & ((np.abs(y) > 90) | (np.abs(x) > 180))

    # --- duplicates, in track order ---------------------------------------------
    codes = pd.factorize(out["individual"], use_na_sentinel=True)[0]
    order = np.lexsort((np.arange(n), t_ns, codes))
    cs, ts = codes[order], t_ns[order]
    dup_s = np.zeros(n, dtype=bool)
    if n > 1:
        dup_s[1:] = (cs[1:] == cs[:-1]) & (ts[1:] == ts[:-1])
    run_start = np.maximum.accumulate(np.where(dup_s, 0, np.arange(n)))
    dup_of_s = rows[order][run_start]
    duplicate = np.empty(n, dtype=bool)
    duplicate[order] = dup_s
    dup_of = np.empty(n, dtype=np.int64)
    dup_of[order] = dup_of_s

    # --- Movebank outlier mark and deployment windows ---------------------------
    not_visible = _not_visible(out)
    outside, window_txt = _outside_deployment(out, t_ns, deployments)

    # --- speeds between consecutive valid fixes ---------------------------------
    valid = ~missing & ~impossible & ~duplicate & ~not_visible & ~outside
    v_idx = order[valid[order]]  # valid rows, in track order
    lon, lat = _to_lonlat(x[v_idx], y[v_idx], crs)
    vc, vt, vrows = codes[v_idx], t_ns[v_idx], rows[v_idx]
    dist, dt_h = _steps(vc, vt, lon, lat)
    speed_in = _speed_kmh(dist, dt_h)
    speed_out = np.full(len(v_idx), np.nan)
    speed_out[:-1] = speed_in[1:]
    prev_row = np.full(len(v_idx), -1, dtype=np.int64)
    prev_row[1:] = vrows[:-1]
    next_row = np.full(len(v_idx), -1, dtype=np.int64)
    next_row[:-1] = vrows[1:]

    speed = np.zeros(n, dtype=bool)
    speed_parts: list[tuple[np.ndarray, np.ndarray]] = []
    if max_speed_kmh is not None and len(v_idx):
        lim = float(max_speed_kmh)
        lim_txt = f"{lim:g} km/h"
        with np.errstate(invalid="ignore"):
            fast_in = speed_in > lim
            fast_out = speed_out > lim
        if speed_rule == "in":
            k = np.flatnonzero(fast_in)
            speed[v_idx[k]] = True
            speed_parts.append(
                (
                    v_idx[k],
                    "speed "
                    + _text(speed_in[k], decimals=1)
                    + " km/h from row "
                    + _text(prev_row[k])
                    + f" exceeds {lim_txt}",
                )
            )
        else:
            spike = fast_in & fast_out
            k = np.flatnonzero(spike)
            speed_parts.append(
                (
                    v_idx[k],
                    "speed "
                    + _text(speed_in[k], decimals=1)
                    + " km/h from row "
                    + _text(prev_row[k])
                    + " and "
                    + _text(speed_out[k], decimals=1)
                    + " km/h to row "
                    + _text(next_row[k])
                    + f" both exceed {lim_txt} (spike)",
                )
            )
            # endpoints: compare with the nearest neighbour that is not a spike
            keep = np.flatnonzero(~spike)
            kc = vc[keep]
            is_first = np.ones(len(keep), dtype=bool)
            is_last = np.ones(len(keep), dtype=bool)
            is_first[1:] = kc[1:] != kc[:-1]
            is_last[:-1] = kc[1:] != kc[:-1]
            kf = np.flatnonzero(is_first & ~is_last)  # first fix, with a successor
            kl = np.flatnonzero(is_last & ~is_first)  # last fix, with a predecessor
            ia = keep[np.concatenate([kf, kl - 1])]
            ib = keep[np.concatenate([kf + 1, kl])]
            _, _, d_end = _GEOD.inv(lon[ia], lat[ia], lon[ib], lat[ib])
            s_end = _speed_kmh(np.asarray(d_end, dtype=float), (vt[ib] - vt[ia]) / _NS_PER_HOUR)
            s_first, s_last = s_end[: len(kf)], s_end[len(kf) :]
            with np.errstate(invalid="ignore"):
                hit_f, hit_l = s_first > lim, s_last > lim
            kf_hit, kl_hit = kf[hit_f], kl[hit_l]
            speed_parts.append(
                (
                    v_idx[keep[kf_hit]],
                    "speed "
                    + _text(s_first[hit_f], decimals=1)
                    + " km/h to row "
                    + _text(vrows[keep[kf_hit + 1]])
                    + f" exceeds {lim_txt} (first fix of the individual)",
                )
            )
            speed_parts.append(
                (
                    v_idx[keep[kl_hit]],
                    "speed "
                    + _text(s_last[hit_l], decimals=1)
                    + " km/h from row "
                    + _text(vrows[keep[kl_hit - 1]])
                    + f" exceeds {lim_txt} (last fix of the individual)",
                )
            )
            speed[v_idx[k]] = True
            speed[v_idx[keep[kf_hit]]] = True
            speed[v_idx[keep[kl_hit]]] = True

    speed_col = np.full(n, np.nan)
    speed_col[v_idx] = speed_in

    # --- reasons ----------------------------------------------------------------
    k_dup = np.flatnonzero(duplicate)
    impossible_txt = (
        "coordinates out of range (|lat| > 90 or |lon| > 180) or infinite"
        if crs.is_geographic
        else "infinite coordinates"
    )
    parts: list[tuple[np.ndarray, np.ndarray]] = [
        (np.flatnonzero(missing), np.full(int(missing.sum()), "missing coordinates", dtype=object)),
        (np.flatnonzero(impossible), np.full(int(impossible.sum()), impossible_txt, dtype=object)),
        (
            k_dup,
            "duplicate of row " + _text(dup_of[k_dup]) + " (same individual and timestamp)",
        ),
        (
            np.flatnonzero(not_visible),
            np.full(int(not_visible.sum()), "marked as an outlier (visible = false)", dtype=object),
        ),
        (np.flatnonzero(outside), window_txt[outside]),
        *speed_parts,
    ]
    reason = _join_reasons(n, parts)

    flags = {
        "flag_missing_coords": missing,
        "flag_impossible_coords": impossible,
        "flag_duplicate": duplicate,
        "flag_not_visible": not_visible,
        "flag_outside_deployment": outside,
        "flag_speed": speed,
    }
    for name, values in flags.items():
        out[name] = values
    out["flag_any"] = np.logical_or.reduce(list(flags.values()))
    out["flag_reason"] = pd.array(reason, dtype="str")
    out["speed_kmh"] = speed_col
    out.attrs["habitat_flags"] = {"max_speed_kmh": max_speed_kmh, "speed_rule": speed_rule}
    return out


_FALSE_WORDS = {"false", "f", "0", "no", "n"}


def _not_visible(relocations: pd.DataFrame) -> np.ndarray:
    """Movebank's ``visible`` column: True where a fix is marked as an outlier."""
    if "visible" not in relocations.columns:
        return np.zeros(len(relocations), dtype=bool)
    col = relocations["visible"]
    if pd.api.types.is_bool_dtype(col.dtype):
        return ~col.fillna(True).to_numpy(dtype=bool)
    text = col.astype("str").str.strip().str.lower()
    return text.isin(_FALSE_WORDS).to_numpy(dtype=bool)


def _outside_deployment(
    relocations: pd.DataFrame, t_ns: np.ndarray, deployments: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray]:
    """Fixes outside every deployment window of their individual, and the reason text."""
    n = len(relocations)
    outside = np.zeros(n, dtype=bool)
    reason = np.full(n, "", dtype=object)
    if deployments is None or len(deployments) == 0:
        return outside, reason
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
    lo = dep["deploy_on"].to_numpy().view("int64")
    hi = dep["deploy_off"].to_numpy().view("int64")
    nat = np.iinfo(np.int64).min
    lo = np.where(lo == nat, np.iinfo(np.int64).min, lo)
    hi = np.where(hi == nat, np.iinfo(np.int64).max, hi)
    ids = relocations["individual"].astype("str").to_numpy(dtype=object)
    dep_ids = dep["individual"].astype("str").to_numpy(dtype=object)
    listed = np.isin(ids, dep_ids)
    # one (fix, deployment) pair per deployment of the fix's individual: a merge,
    # not a loop; individuals have a handful of deployments
    pairs = pd.DataFrame({"row": np.arange(n), "individual": ids}).merge(
        pd.DataFrame({"individual": dep_ids, "lo": lo, "hi": hi}), on="individual"
    )
    t = t_ns[pairs["row"].to_numpy()]
    inside_pair = (t >= pairs["lo"].to_numpy()) & (t <= pairs["hi"].to_numpy())
    inside = np.zeros(n, dtype=bool)
    np.logical_or.at(inside, pairs["row"].to_numpy(), inside_pair)
    outside = listed & ~inside
    if outside.any():
        first = dep.groupby("individual", sort=False)["deploy_on"].min()
        last = dep.groupby("individual", sort=False)["deploy_off"].max()
        k = np.flatnonzero(outside)
        on = first.reindex(ids[k]).dt.strftime("%Y-%m-%d %H:%M").fillna("open")
        off = last.reindex(ids[k]).dt.strftime("%Y-%m-%d %H:%M").fillna("open")
        reason[k] = (
            "outside the deployment (tag on the animal from "
            + on.to_numpy(dtype=object)
            + " to "
            + off.to_numpy(dtype=object)
            + " UTC)"
        )
    return outside, reason


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
          ``n_outside_deployment``, ``n_speed`` per flag;
        * ``first_timestamp``, ``last_timestamp`` -- over all rows (UTC);
        * ``duration_days`` -- their difference in days (float);
        * ``median_interval_h`` -- median time between consecutive
          **unflagged** fixes, in hours (NaN with fewer than two);
        * ``median_step_m`` -- median geodesic distance between consecutive
          unflagged fixes, in metres (NaN with fewer than two).
    """
    if "flag_any" not in relocations.columns:
        relocations = flag_relocations(relocations)
    crs = require_crs(relocations, name="relocations")
    n = len(relocations)
    t_all = _timestamps_ns(relocations, np.arange(1, n + 1))
    codes, uniques = pd.factorize(relocations["individual"], sort=True)
    k = len(uniques)
    index = pd.Index(uniques, name="individual")

    def per_individual(values: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=values, minlength=k).astype(np.int64)

    if "sex" in relocations.columns:
        first_pos = np.full(k, n, dtype=np.int64)
        np.minimum.at(first_pos, codes, np.arange(n))
        sex = relocations["sex"].to_numpy(dtype=object)[first_pos]
    else:
        sex = np.full(k, "unknown", dtype=object)
    summary = pd.DataFrame({"sex": pd.array(sex, dtype="str")}, index=index)
    summary["n_fixes"] = np.bincount(codes, minlength=k).astype(np.int64)
    flag_any = relocations["flag_any"].to_numpy(dtype=bool)
    summary["n_flagged"] = per_individual(flag_any)
    for name in FLAG_COLUMNS:
        values = (
            relocations[name].to_numpy(dtype=bool)
            if name in relocations.columns
            else np.zeros(n, dtype=bool)
        )
        summary["n_" + name.removeprefix("flag_")] = per_individual(values)
    t_min = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
    t_max = np.full(k, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(t_min, codes, t_all)
    np.maximum.at(t_max, codes, t_all)
    summary["first_timestamp"] = pd.to_datetime(t_min, unit="ns", utc=True)
    summary["last_timestamp"] = pd.to_datetime(t_max, unit="ns", utc=True)
    summary["duration_days"] = (t_max - t_min) / (24 * _NS_PER_HOUR)

    # steps between consecutive unflagged fixes, in time order
    good = np.flatnonzero(~flag_any)
    order = good[np.lexsort((t_all[good], codes[good]))]
    x, y = _xy(relocations.geometry.to_numpy()[order])
    lon, lat = _to_lonlat(x, y, crs)
    dist, dt_h = _steps(codes[order], t_all[order], lon, lat)
    steps = pd.DataFrame({"code": codes[order], "dist": dist, "dt": dt_h})
    med = steps.groupby("code")[["dt", "dist"]].median().reindex(np.arange(k))
    summary["median_interval_h"] = med["dt"].to_numpy()
    summary["median_step_m"] = med["dist"].to_numpy()
    return summary

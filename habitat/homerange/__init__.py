"""Home ranges: one entry point, :func:`home_range`, for every estimator.

Every method returns the same table, one row per individual and level, so that
estimators can be compared row by row:

``individual``, ``sex``, ``method``, ``level`` (fraction), ``n_fixes``,
``area_km2``, ``area_sq_mi``, the method's unit-named parameters
(``bandwidth_m``, ``cell_size_m``, ``k``...), ``crs_used`` (where the estimate
was computed), ``plausible`` and ``plausibility`` (why not), and the polygon in
the relocations' CRS.

Estimation CRS (as adehabitatHR and amt do): relocations already in a projected
CRS in metres are estimated in that CRS, so areas are planar areas in it;
relocations in degrees are first projected to the local equal-area CRS of
:func:`habitat.core.crs.equal_area_crs`. Web Mercator is refused.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from habitat.core import crs as hcrs
from habitat.core import units
from habitat.core.errors import InputError, InsufficientDataError, where
from habitat.core.validation import require_columns, require_geometry_type
from habitat.homerange._core import Estimate, check_levels

__all__ = [
    "DEFAULT_EXPECTED_AREA_SQ_MI",
    "METHODS",
    "PreparedFixes",
    "Estimate",
    "estimation_crs",
    "home_range",
    "home_ranges_from_polygons",
    "prepare_fixes",
    "synthetic_ranges",
    "utilization_distribution",
]

#: method name -> module implementing ``estimate(xy, *, levels, ...)``
METHODS: dict[str, str] = {
    "mcp": "habitat.homerange.mcp",
    "kde": "habitat.homerange.kde",
    "locoh": "habitat.homerange.locoh",
    "bbmm": "habitat.homerange.bbmm",
}

#: Expected home-range size (sq mi) of the outer range (level >= 0.9) by sex:
#: Amur leopard females 15-38 sq mi, males up to 155 sq mi (WCS/WWF species
#: pages, see facts.md). ``None`` means no bound on that side.
DEFAULT_EXPECTED_AREA_SQ_MI: dict[str, tuple[float | None, float | None]] = {
    "F": (15.0, 38.0),
    "M": (None, 155.0),
}
#: Fewer fixes than this are flagged as too few for a reliable range
#: (Seaman et al. 1999 recommend at least 30, preferably 50 or more).
RECOMMENDED_MIN_FIXES = 30
#: Fewer fixes than this are refused.
MIN_FIXES = 5


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
    if not isinstance(relocations, gpd.GeoDataFrame):
        raise InputError(
            f"relocations must be a GeoDataFrame of points, not {type(relocations).__name__}; "
            "read them with habitat.read_relocations."
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


def _plausibility(
    table: pd.DataFrame, expected: Mapping[str, tuple[float | None, float | None]]
) -> tuple[np.ndarray, np.ndarray]:
    reasons: list[list[str]] = [[] for _ in range(len(table))]
    few = table["n_fixes"].to_numpy() < RECOMMENDED_MIN_FIXES
    for i in np.flatnonzero(few):
        reasons[i].append(f"few fixes ({table['n_fixes'].iat[i]} < {RECOMMENDED_MIN_FIXES})")
    if "grid_warning" in table.columns:
        for i in np.flatnonzero(table["grid_warning"].fillna(False).to_numpy(dtype=bool)):
            reasons[i].append("grid too small for this level (see grid_warning)")
    outer = table["level"].to_numpy() >= 0.9
    area = table["area_sq_mi"].to_numpy()
    sex = table["sex"].astype(str).to_numpy()
    for s, (lo, hi) in expected.items():
        sel = outer & (sex == s)
        lo_v = -np.inf if lo is None else lo
        hi_v = np.inf if hi is None else hi
        out = sel & ((area < lo_v) | (area > hi_v))
        rng = f"{'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'}"
        for i in np.flatnonzero(out):
            reasons[i].append(
                f"area {area[i]:.1f} sq mi outside the expected {rng} sq mi for sex {s}"
            )
    text = np.array(["; ".join(r) for r in reasons], dtype=object)
    return text == "", text


def home_range(
    relocations: gpd.GeoDataFrame,
    *,
    method: str = "mcp",
    levels: Sequence[float] | float = (0.5, 0.95),
    crs: Any | None = None,
    exclude_flagged: bool = True,
    expected_area_sq_mi: Mapping[str, tuple[float | None, float | None]] | None = None,
    **options: Any,
) -> gpd.GeoDataFrame:
    """Home ranges of every individual at every level, with one estimator.

    Parameters
    ----------
    relocations : GeoDataFrame
        Point fixes with an ``individual`` column (optionally ``sex``,
        ``timestamp``, ``flag_any``), e.g. from :func:`habitat.read_relocations`.
    method : {"mcp", "kde", "locoh", "bbmm"}
        The estimator; its options are passed through ``options``.
    levels : float or sequence of float
        Fractions in (0, 1], e.g. ``(0.5, 0.95)``.
    crs : CRS-like, optional
        Projected metric CRS to estimate in; see :func:`estimation_crs`.
    exclude_flagged : bool
        Leave out fixes with ``flag_any`` (see :func:`habitat.flag_relocations`).
    expected_area_sq_mi : mapping, optional
        Expected outer-range size by sex, ``{"F": (15, 38), "M": (None, 155)}``
        by default (:data:`DEFAULT_EXPECTED_AREA_SQ_MI`).
    **options
        Estimator options (``bandwidth``, ``grid``, ``extent``, ``cell_size_m``,
        ``k``...).

    Returns
    -------
    GeoDataFrame
        One row per individual and level (see the module docstring), geometry
        in the relocations' CRS.

    Raises
    ------
    InsufficientDataError
        For an individual with fewer than 5 usable fixes, or all fixes identical.
    """
    if not isinstance(relocations, gpd.GeoDataFrame):
        raise InputError(
            f"relocations must be a GeoDataFrame of points, not {type(relocations).__name__}; "
            "read them with habitat.read_relocations."
        )
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; use one of {', '.join(METHODS)}.")
    lv = check_levels(levels)
    prep = prepare_fixes(
        relocations, crs=crs, exclude_flagged=exclude_flagged, purpose="home ranges"
    )
    data, xy, codes, names, counts = prep.data, prep.xy, prep.codes, prep.names, prep.counts
    est_crs, t_ns = prep.crs, prep.timestamps_ns
    spread = (
        np.bincount(codes, weights=xy[:, 0] ** 2, minlength=len(names)) / counts
        - (np.bincount(codes, weights=xy[:, 0], minlength=len(names)) / counts) ** 2
        + np.bincount(codes, weights=xy[:, 1] ** 2, minlength=len(names)) / counts
        - (np.bincount(codes, weights=xy[:, 1], minlength=len(names)) / counts) ** 2
    )
    scale = np.maximum(np.abs(xy).max(), 1.0)
    same = np.flatnonzero(spread <= (1e-9 * scale) ** 2)
    if len(same):
        raise InsufficientDataError(
            f"all fixes of individual(s) {', '.join(repr(names[i]) for i in same[:10])} "
            "are at one place, so no range can be estimated; check the coordinates "
            f"({where(individual=names[same[0]])})."
        )
    sexes = (
        data.groupby(codes)["sex"].first().astype(str).to_numpy()
        if "sex" in data.columns
        else np.full(len(names), "unknown", dtype=object)
    )

    rows: list[dict[str, Any]] = []
    geoms_out: list[Any] = []
    if method == "mcp":
        from habitat.homerange import mcp

        g, a, kept = mcp.estimate_many(xy, codes, levels=lv)
        for i in range(len(names)):
            for j, p in enumerate(lv):
                rows.append(
                    {"_i": i, "level": p, "area_m2": a[i, j], "n_fixes_kept": int(kept[i, j])}
                )
                geoms_out.append(g[i, j])
    else:
        try:
            module = importlib.import_module(METHODS[method])
        except ModuleNotFoundError as exc:  # pragma: no cover - only while a method is missing
            if exc.name != METHODS[method]:
                raise
            raise InputError(
                f"method {method!r} is not available in this version of habitat; use method='mcp'."
            ) from exc
        starts = np.concatenate([[0], np.cumsum(counts)])
        order = np.argsort(codes, kind="stable")
        for i in range(len(names)):  # one estimator call per animal
            idx = order[starts[i] : starts[i + 1]]
            ests = module.estimate(
                xy[idx], levels=lv, timestamps_ns=None if t_ns is None else t_ns[idx], **options
            )
            for e in ests:
                rows.append({"_i": i, "level": e.level, "area_m2": e.area_m2, **e.params})
                geoms_out.append(e.geometry)
    table = pd.DataFrame(rows)
    i = table.pop("_i").to_numpy()
    area_m2 = table.pop("area_m2").to_numpy(dtype=float)
    front = pd.DataFrame(
        {
            "individual": np.asarray(names)[i],
            "sex": sexes[i],
            "method": method,
            "level": table.pop("level").to_numpy(dtype=float),
            "n_fixes": counts[i],
            **units.area_columns(area_m2),
        }
    )
    out = pd.concat([front, table.reset_index(drop=True)], axis=1)
    out["crs_used"] = hcrs.describe_crs(est_crs)
    ok, why = _plausibility(out, expected_area_sq_mi or DEFAULT_EXPECTED_AREA_SQ_MI)
    out["plausible"] = ok
    out["plausibility"] = why
    result = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms_out, crs=est_crs))
    return hcrs.align(result, relocations.crs, name="home ranges")


from habitat.homerange.polygons import home_ranges_from_polygons, synthetic_ranges  # noqa: E402
from habitat.homerange.ud import utilization_distribution  # noqa: E402

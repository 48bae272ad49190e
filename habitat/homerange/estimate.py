"""Home ranges: :func:`home_range`, the one entry point for every estimator.

Every method returns the same table, one row per individual and level, so that
estimators can be compared row by row:

``individual``, ``sex``, ``method``, ``level`` (fraction), ``n_fixes``,
``area_km2``, ``area_sq_mi``, the method's unit-named parameters
(``bandwidth_m``, ``cell_size_m``, ``k``...), ``crs_used`` (where the estimate
was computed, see :func:`habitat.homerange.fixes.estimation_crs`),
``plausible`` and ``plausibility`` (why not, see
:func:`habitat.homerange.plausibility.plausibility`), and the polygon in the
relocations' CRS. ``attrs["species"]`` names the species profile the sizes
were judged by (``None``: no profile, no size check).

AKDE (``method="akde"``, :mod:`habitat.homerange.akde`) adds the area's
confidence interval: ``area_low_km2``, ``area_high_km2``, ``area_low_sq_mi``,
``area_high_sq_mi``, the interval's level ``ci_level`` (default 0.95),
``dof_area``, the movement ``model`` (e.g. ``"OUF anisotropic"``) with ``tau_position_s`` and
``tau_velocity_s``, the location error of the kernels, ``location_error_m``
(mean SD per coordinate of the animal's used fixes, m; 0 without one) and
``location_error`` (where it came from: ``"none"``, ``"given"``,
``"column <name>"``, ``"fitted"``, ``"from model"`` or ``"gps default (...)"``),
and two more polygon columns, ``geometry_low`` and
``geometry_high`` (:data:`BOUND_GEOMETRIES`: the isopleths of the interval's
bounds, GeoSeries in the CRS of ``geometry``). Files with one geometry per
layer take them as layers of their own (:func:`split_bounds`).
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from habitat.core import crs as hcrs
from habitat.core import units
from habitat.core.errors import (
    DataQualityWarning,
    InputError,
    InsufficientDataError,
    TimestampError,
    where,
)
from habitat.core.validation import require_geodataframe
from habitat.homerange import akde, bbmm, kde, locoh, mcp
from habitat.homerange.base import check_levels, check_options
from habitat.homerange.fixes import PreparedFixes, prepare_fixes
from habitat.homerange.plausibility import (
    AUTO,
    SpeciesArg,
    fix_problems,
    max_area_km2,
    physical_problems,
    plausibility,
    resolve_species,
)
from habitat.io.species import SpeciesProfile
from habitat.movement.model import MovementModel

__all__ = [
    "BOUND_GEOMETRIES",
    "ESTIMATORS",
    "HDOP_COLUMNS",
    "HOME_RANGE_KEYWORDS",
    "METHODS",
    "LocationErrors",
    "akde_fixes",
    "home_range",
    "method_options",
    "ranges_to_crs",
    "split_bounds",
]

#: method name -> module implementing ``estimate(xy, *, levels, ...)``
ESTIMATORS: dict[str, ModuleType] = {
    "mcp": mcp,
    "kde": kde,
    "locoh": locoh,
    "bbmm": bbmm,
    "akde": akde,
}
#: method name -> name of the module implementing it
METHODS: dict[str, str] = {name: module.__name__ for name, module in ESTIMATORS.items()}
#: keywords of :func:`home_range` itself (the rest are estimator options)
HOME_RANGE_KEYWORDS = (
    "method",
    "levels",
    "crs",
    "exclude_flagged",
    "species",
    "expected_area_sq_mi",
)
#: arguments of every ``estimate`` that :func:`home_range` fills in itself
_FILLED = ("xy", "levels", "timestamps_ns")
#: extra polygon columns of methods with an area interval (AKDE): the isopleths
#: of the interval's lower and upper bounds, in the CRS of ``geometry``
BOUND_GEOMETRIES = ("geometry_low", "geometry_high")


def method_options(method: str) -> tuple[str, ...]:
    """The estimator options a method takes: the one list, read from its ``estimate`` signature.

    Parameters
    ----------
    method : {"mcp", "kde", "locoh", "bbmm", "akde"}

    Returns
    -------
    tuple of str
        Keyword options of ``habitat.homerange.<method>.estimate`` that
        :func:`home_range` passes through (not ``xy``, ``levels``,
        ``timestamps_ns``, which it fills in).

    Raises
    ------
    InputError
        For an unknown method.

    Examples
    --------
    >>> method_options("mcp")
    ()
    >>> "bandwidth_m" in method_options("kde"), "location_error_m" in method_options("bbmm")
    (True, True)
    """
    if method not in ESTIMATORS:
        raise InputError(f"unknown method {method!r}; use one of {', '.join(METHODS)}.")
    params = inspect.signature(ESTIMATORS[method].estimate).parameters
    named = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(n for n, p in params.items() if p.kind in named and n not in _FILLED)


def _check_method_options(method: str, options: Mapping[str, Any]) -> None:
    """Refuse options the method's estimator does not take, before any work."""
    check_options(
        options,
        method_options(method),
        where=f"home_range(method={method!r})",
        also=HOME_RANGE_KEYWORDS,
        note=f"(home_range itself takes {', '.join(HOME_RANGE_KEYWORDS)})",
    )


def home_range(
    relocations: gpd.GeoDataFrame,
    *,
    method: str = "mcp",
    levels: Sequence[float] | float = (0.5, 0.95),
    crs: Any | None = None,
    exclude_flagged: bool = True,
    species: SpeciesArg = AUTO,
    expected_area_sq_mi: Mapping[str, tuple[float | None, float | None]] | None = None,
    **options: Any,
) -> gpd.GeoDataFrame:
    """Home ranges of every individual at every level, with one estimator.

    Parameters
    ----------
    relocations : GeoDataFrame
        Point fixes with an ``individual`` column (optionally ``sex``,
        ``timestamp``, ``flag_any``), e.g. from :func:`habitat.read_relocations`.
    method : {"mcp", "kde", "locoh", "bbmm", "akde"}
        The estimator; its options are passed through ``options``.
    levels : float or sequence of float
        Fractions in (0, 1], e.g. ``(0.5, 0.95)``.
    crs : CRS-like, optional
        Projected metric CRS to estimate in; see :func:`habitat.homerange.fixes.estimation_crs`.
    exclude_flagged : bool
        Leave out fixes with ``flag_any`` (see :func:`habitat.flag_relocations`).
    species : SpeciesProfile, str, path, mapping or None
        The species profile whose expected outer-range sizes (by sex, or
        ``any``) the ranges are checked against
        (:func:`habitat.homerange.plausibility.plausibility`). ``"auto"``
        (default): the bundled ``amur_leopard`` where the (used) fixes overlap
        the bundled Primorsky study area, else no profile and no size check,
        said once in the log (:func:`habitat.homerange.plausibility.resolve_species`).
        A profile, a bundled name, a TOML file or a mapping
        (:func:`habitat.datasets.species_profile`); ``None``: no size check.
        The result's ``attrs["species"]`` is the profile's name (or ``None``).
    expected_area_sq_mi : mapping, optional
        Or the bounds themselves: outer-range size (sq mi) by sex (``F``,
        ``M``, ``any``), e.g. ``{"F": (15, 38), "M": (None, 155)}``; then no
        profile is looked up. Not with ``species`` (other than ``"auto"``).
    **options
        Estimator options, unit-named (``bandwidth`` for a rule or
        ``bandwidth_m``, ``grid``, ``extent``, ``cell_size_m`` for KDE;
        ``k``, ``a_m``, ``r_m`` for LoCoH; ``location_error_m`` for BBMM;
        ``models``, ``weights``, ``error_m``, ``cell_size_m``, ``fast``,
        ``debias``, ``ci_level``, ``summation`` for AKDE, see
        :func:`habitat.homerange.akde.estimate`...); :func:`method_options`
        lists them. Anything else (``level=`` for ``levels=``, ``bandwith=``)
        is refused before any work. AKDE fits each animal's movement model
        (:func:`habitat.fit_movement`); its ``model=`` is a mapping individual
        -> :class:`habitat.MovementModel` fitted in the estimation CRS (the
        animals it leaves out are fitted as usual), never one model for all
        (for one animal, call :func:`habitat.homerange.akde.estimate`).
        AKDE's ``error_m``, the location-error SD per coordinate (m), is one of:
        None (none; a given model's own error); a number for every fix; the
        name of a column of ``relocations`` holding each fix's SD in metres
        (finite, >= 0); ``"fit"`` (estimated with each animal's model); or
        ``"gps"``, the collar default
        :data:`habitat.homerange.akde.GPS_RMS_UERE_M` (10 m) × HDOP / √2, with
        each fix's HDOP from a column ``hdop``, ``gps_hdop`` or ``gps:hdop``
        (Movebank's; any case) when there is one, else HDOP 1. The keywords
        come before column names; the rows say which in ``location_error``.

    Returns
    -------
    GeoDataFrame
        One row per individual and level (see the module docstring), geometry
        in the relocations' CRS.

    Raises
    ------
    InputError
        For an unknown method or option (naming the valid ones and a close match),
        or both ``species`` and ``expected_area_sq_mi``; for AKDE's ``model=``
        given as one model, naming unknown individuals, or fitted in another CRS;
        for AKDE's ``error_m`` of another form, or per-fix errors (or HDOP)
        missing, infinite or negative, naming the individuals and rows.
    DatasetNotFoundError
        For an unknown species profile name.
    InsufficientDataError
        For an individual with fewer than 5 usable fixes, or all fixes identical.
    TimestampError
        For AKDE, fixes of an individual at one instant without a location
        error (``error_m`` > 0 for both, ``"fit"`` or ``"gps"``): every such
        individual is named, with the rows (``source_row``, else 1, 2, ... in
        table order) and index labels.

    Warns
    -----
    GridTooSmallWarning
        For KDE and BBMM rows whose grid cannot hold the level (``grid_warning``;
        ``grid_volume`` is the UD volume on the grid), naming the individual.
    DataQualityWarning
        For rows whose numbers cannot be trusted whatever the species: areas
        outside the bounds of any terrestrial animal, slivers, too few distinct
        positions, coordinates that look like degrees (see
        :mod:`habitat.homerange.plausibility`). Such rows, and every row with
        ``grid_warning``, have ``plausible`` False and the reason in ``plausibility``.

    Examples
    --------
    The MCP of the corners (and centre) of a 10 km × 10 km square in UTM 52N is
    the square: 100 km², 38.61 sq mi. Five fixes are too few to trust, and
    38.61 sq mi is above the 15–38 sq mi expected of an Amur leopard female
    (the default profile of fixes in the bundled Primorsky study area):

    >>> import geopandas as gpd
    >>> square = gpd.GeoDataFrame(
    ...     {"individual": "F1", "sex": "F"},
    ...     index=range(5),
    ...     geometry=gpd.points_from_xy([600_000, 610_000, 610_000, 600_000, 605_000],
    ...                                 [4_750_000, 4_750_000, 4_760_000, 4_760_000, 4_755_000]),
    ...     crs="EPSG:32652",
    ... )
    >>> mcp = home_range(square, method="mcp", levels=1.0)
    >>> mcp[["individual", "method", "level", "n_fixes", "area_km2", "area_sq_mi"]].round(2)
      individual method  level  n_fixes  area_km2  area_sq_mi
    0         F1    mcp    1.0        5     100.0       38.61
    >>> print(mcp.loc[0, "plausibility"])
    few fixes (5 < 30); area 38.6 sq mi outside the expected 15–38 sq mi for Amur leopard females
    >>> mcp.loc[0, "crs_used"]
    'EPSG:32652 (WGS 84 / UTM zone 52N)'
    >>> mcp.attrs["species"]
    'amur_leopard'

    Another species' profile (a mapping, a TOML file or a bundled name), or
    none:

    >>> fisher = {"name": "fisher", "area_sq_mi": {"F": [1, 10], "M": [3, 50]}}
    >>> print(home_range(square, levels=1.0, species=fisher).loc[0, "plausibility"])
    few fixes (5 < 30); area 38.6 sq mi outside the expected 1–10 sq mi for Fisher females
    >>> home_range(square, levels=1.0, species=None).attrs["species"] is None
    True

    On simulated leopards whose true 95 % ranges are known (62.5 and 383.0 km²),
    half a year of 4-hourly fixes:

    >>> import habitat
    >>> fixes, truth = habitat.simulate_relocations(n_females=1, n_males=1, days=180, seed=1)
    >>> truth["true_area_95_km2"].round(1).tolist()
    [62.5, 383.0]
    >>> kde = home_range(fixes, method="kde", levels=0.95)
    >>> kde[["individual", "sex", "n_fixes", "area_km2", "bandwidth_m", "plausible"]].round(1)
      individual sex  n_fixes  area_km2  bandwidth_m  plausible
    0        F01   F     1080      65.1        559.8       True
    1        M01   M     1080     389.4       1387.4       True
    >>> kde.crs.to_epsg()  # polygons come back in the relocations' CRS
    4326

    AKDE on the same leopards: the 95 % areas with their 95 % confidence
    intervals (the true areas, 62.5 and 383.0 km², lie inside), the movement
    model fitted to each, and polygons for both bounds, in the relocations' CRS:

    >>> akde = home_range(fixes, method="akde", levels=0.95)
    >>> akde[["individual", "area_km2", "area_low_km2", "area_high_km2", "model"]].round(1)
      individual  area_km2  area_low_km2  area_high_km2         model
    0        F01      61.1          50.7           74.9  OU isotropic
    1        M01     365.9         301.9          451.1  OU isotropic
    >>> akde["geometry_low"].crs.to_epsg(), akde["geometry_high"].crs.to_epsg()
    (4326, 4326)
    """
    require_geodataframe(
        relocations,
        name="relocations",
        what="of points",
        hint="read them with habitat.read_relocations.",
    )
    _check_method(method, options)
    lv = check_levels(levels)
    # prepare_fixes warns at its caller's caller: called here, that is home_range's caller
    prep = prepare_fixes(
        relocations, crs=crs, exclude_flagged=exclude_flagged, purpose="home ranges"
    )
    # once per call (not per animal): where the used fixes are says which species
    profile = resolve_species(
        prep.data, species, expected_area_sq_mi=expected_area_sq_mi, where="home_range"
    )
    _check_spread(prep)
    per_animal = _per_animal_models(options.pop("model", None), prep.names, prep.crs, method)
    errors = None
    if method == "akde":  # before any fit: every animal at fault, as the user's table has it
        errors = akde_fixes(prep, relocations, options.pop("error_m", None), models=per_animal)
        options["error_m"] = errors.value
    if method == "mcp":
        runs = _run_mcp(prep, lv)
    else:
        per_row = None if errors is None else errors.per_row
        runs = _run_per_animal(prep, method, lv, options, per_animal, per_row)
        if errors is not None and errors.label is not None:
            for row in runs.rows:
                row["location_error"] = errors.label
    out, geoms, animal = _assemble_table(runs, prep, method, options)
    fixes_why, impossible = _judge(
        out, geoms, animal, prep, relocations.crs, profile, expected_area_sq_mi
    )
    _warn_impossible(out, impossible, fixes_why)
    return _in_input_crs(out, geoms, runs.bounds, prep.crs, relocations.crs, profile)


class _Runs(NamedTuple):
    """What the estimator gave: one entry per row of the table, animal by animal, level by level."""

    rows: list[dict[str, Any]]  #: ``_i`` (animal code), ``level``, ``area_m2`` and the parameters
    geometries: list[Any]  #: the range polygons, in the estimation CRS
    bounds: dict[str, list[Any]]  #: :data:`BOUND_GEOMETRIES` -> polygons (or None) of each row


def _check_method(method: str, options: Mapping[str, Any]) -> None:
    """Refuse an unknown method, then options its estimator does not take."""
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; use one of {', '.join(METHODS)}.")
    _check_method_options(method, options)


def _check_spread(prep: PreparedFixes) -> None:
    """Refuse individuals whose fixes are all at one place (no range to estimate)."""
    xy, codes, names, counts = prep.xy, prep.codes, prep.names, prep.counts
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


def _run_mcp(prep: PreparedFixes, lv: list[float]) -> _Runs:
    """MCPs of every animal at every level, in one vectorised call."""
    g, a, kept = mcp.estimate_many(prep.xy, prep.codes, levels=lv)
    rows: list[dict[str, Any]] = []
    geoms_out: list[Any] = []
    for i in range(len(prep.names)):
        for j, p in enumerate(lv):
            rows.append({"_i": i, "level": p, "area_m2": a[i, j], "n_fixes_kept": int(kept[i, j])})
            geoms_out.append(g[i, j])
    return _Runs(rows, geoms_out, {name: [] for name in BOUND_GEOMETRIES})


def _run_per_animal(
    prep: PreparedFixes,
    method: str,
    lv: list[float],
    options: Mapping[str, Any],
    per_animal: dict[Any, MovementModel] | None,
    per_row_error_m: np.ndarray | None = None,
) -> _Runs:
    """One estimator call per animal; its warnings are warned again, naming the animal.

    ``per_row_error_m`` (AKDE): one location-error SD per row of ``prep``,
    passed as ``error_m`` for the animal's rows in the order of its fixes.
    Called by :func:`home_range` only: the warnings point at home_range's caller.
    """
    xy, codes, names, t_ns = prep.xy, prep.codes, prep.names, prep.timestamps_ns
    module = ESTIMATORS[method]
    starts = np.concatenate([[0], np.cumsum(prep.counts)])
    order = np.argsort(codes, kind="stable")
    runs = _Runs([], [], {name: [] for name in BOUND_GEOMETRIES})
    for i in range(len(names)):  # one estimator call per animal
        idx = order[starts[i] : starts[i + 1]]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                own = dict(options)
                if per_animal is not None:
                    own["model"] = per_animal.get(names[i])
                if per_row_error_m is not None:
                    own["error_m"] = per_row_error_m[idx]
                ests = module.estimate(
                    xy[idx],
                    levels=lv,
                    timestamps_ns=None if t_ns is None else t_ns[idx],
                    **own,
                )
            except (TimestampError, InsufficientDataError) as exc:  # the animal's data: name it
                raise type(exc)(f"{where(individual=names[i])}: {exc}") from exc
        for w in caught:  # say which animal each warning is about
            warnings.warn(f"{where(individual=names[i])}: {w.message}", w.category, stacklevel=3)
        for e in ests:
            params = dict(e.params)
            for name in BOUND_GEOMETRIES:  # polygons, not table values
                runs.bounds[name].append(params.pop(name, None))
            runs.rows.append({"_i": i, "level": e.level, "area_m2": e.area_m2, **params})
            runs.geometries.append(e.geometry)
    return runs


#: column names (case-insensitive) read as each fix's HDOP by ``error_m="gps"``:
#: Movebank's ``gps:hdop`` (kept as is by :func:`habitat.read_relocations`) and
#: its usual spellings
HDOP_COLUMNS = ("hdop", "gps_hdop", "gps:hdop")


class LocationErrors(NamedTuple):
    """AKDE's ``error_m`` of :func:`home_range`, resolved against the table (:func:`akde_fixes`)."""

    value: Any  #: what every animal's estimator gets (None, a number, "fit", "gps")
    per_row: np.ndarray | None  #: or one SD (m) per row of ``prep``, sliced per animal
    label: str | None  #: ``location_error`` of the rows, when not the estimator's own
    positive: np.ndarray  #: per row of ``prep``: may this fix share an instant with another


def akde_fixes(
    prep: PreparedFixes,
    relocations: pd.DataFrame,
    error_m: Any,
    *,
    models: Mapping[Any, MovementModel] | None = None,
) -> LocationErrors:
    """Check prepared fixes for AKDE before any fit: their location errors and their instants.

    Resolves ``error_m`` (None, a number in metres, the name of a column of
    per-fix errors, ``"fit"`` or ``"gps"``) against the relocations, then
    refuses simultaneous fixes without a location error, naming every
    individual at fault with its rows. :func:`home_range` and the batch
    report's movement fits (:func:`habitat.batch.akde.fit_for_report`) call it.

    Parameters
    ----------
    prep : PreparedFixes
        :func:`~habitat.homerange.fixes.prepare_fixes` of ``relocations``.
    relocations : pandas.DataFrame
        The table the fixes came from (its columns and row numbers).
    error_m : Any
        The AKDE option.
    models : mapping, optional
        Individual -> given movement model (not fitted, so not checked for
        simultaneous fixes; their location error must be usable).

    Returns
    -------
    LocationErrors
        ``value`` for every animal's estimator, or ``per_row`` SDs (m) aligned
        with ``prep``'s rows; ``label`` for the result rows.

    Raises
    ------
    InputError
        For an ``error_m`` that is none of the forms, or bad per-fix values.
    TimestampError
        For simultaneous fixes of an animal without a location error.
    """
    errors = _location_errors(prep, relocations, error_m, models)
    _refuse_simultaneous_fixes(prep, relocations, errors.positive, models or {})
    return errors


def _location_errors(
    prep: PreparedFixes,
    relocations: pd.DataFrame,
    error_m: Any,
    given: Mapping[Any, MovementModel] | None,
) -> LocationErrors:
    """Resolve ``home_range(method="akde", error_m=...)``: a number, a column, "fit" or "gps".

    The keywords ``"fit"`` and ``"gps"`` (any case) come before column names.
    Per-fix values (a column, or GPS HDOP) are checked finite (and >= 0,
    HDOP > 0) naming the individuals and rows. Given models (``model=``) must
    carry the error that ``"fit"`` or None would take from them.
    """
    n = len(prep.data)
    forms = (
        "None (no location error), a number (the SD per coordinate in metres), the name of a "
        "column of the relocations holding each fix's SD in metres, 'fit' (estimated with each "
        "animal's movement model) or 'gps' (the collar default: UERE "
        f"{akde.GPS_RMS_UERE_M:g} m × HDOP / sqrt 2, HDOP per fix from a column "
        f"{' or '.join(repr(c) for c in HDOP_COLUMNS)} if present, else 1)"
    )
    if error_m is None:
        _check_given_errors(given, "error_m=None takes each given model's location error")
        return LocationErrors(None, None, None, np.zeros(n, dtype=bool))
    if isinstance(error_m, str):
        key = error_m.strip().lower()
        if key == "fit":
            _check_given_errors(given, "error_m='fit' takes each given model's fitted error")
            return LocationErrors("fit", None, None, np.ones(n, dtype=bool))
        if key == "gps":
            return _gps_errors(prep, relocations)
        if error_m in relocations.columns:
            values = _per_fix_values(prep, relocations, error_m, what="location-error SD (m)")
            return LocationErrors(None, values, f"column {error_m}", values > 0)
        raise InputError(
            f"home_range(method='akde'): error_m={error_m!r} is neither a keyword nor a column "
            f"of the relocations; give {forms}."
        )
    if isinstance(error_m, bool | np.bool_) or np.ndim(error_m) != 0:
        raise InputError(
            f"home_range(method='akde'): error_m={error_m!r} is not accepted (for per-fix "
            f"errors, name a column of the relocations); give {forms}."
        )
    try:
        e = float(error_m)
    except (TypeError, ValueError) as exc:
        raise InputError(f"home_range(method='akde'): error_m={error_m!r}; give {forms}.") from exc
    if not (np.isfinite(e) and e >= 0):
        raise InputError(
            f"home_range(method='akde'): error_m must be finite and >= 0 m, got {error_m!r}."
        )
    return LocationErrors(e, None, None, np.full(n, e > 0))


def _check_given_errors(given: Mapping[Any, MovementModel] | None, asked: str) -> None:
    """Refuse given models whose location error cannot be used, naming the individuals."""
    bad = [
        k for k, m in (given or {}).items() if m.error_m is not None and not np.isfinite(m.error_m)
    ]
    if asked.startswith("error_m='fit'"):
        bad += [k for k, m in (given or {}).items() if m.error_m is None]
    if bad:
        raise InputError(
            f"home_range(method='akde'): {asked}, but the model(s) of "
            f"{', '.join(where(individual=k) for k in bad[:5])} have none usable (fitted "
            "without an error model, or with per-fix errors, which a model does not keep); "
            "name a column of per-fix errors as error_m, or fit with error_m='fit'."
        )


def _per_fix_values(
    prep: PreparedFixes,
    relocations: pd.DataFrame,
    column: str,
    *,
    what: str,
    positive: bool = False,
) -> np.ndarray:
    """One number per row of ``prep`` from ``column``, refused where missing, infinite or < 0."""
    values = pd.to_numeric(prep.data[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | ((values <= 0) if positive else (values < 0))
    if not bad.any():
        return values
    numbers = _row_numbers(prep, relocations)
    clauses = []
    animals = np.unique(prep.codes[bad])
    for k in animals[:5]:
        rows = np.flatnonzero(bad & (prep.codes == k))
        if numbers is not None:
            at = where(individual=prep.names[k], column=column, rows=sorted(numbers[rows]))
        else:
            at = f"{where(individual=prep.names[k], column=column)}, index labels " + _listed(
                prep.data.index[rows].tolist()
            )
        clauses.append(f"{at} ({_listed(prep.data[column].iloc[rows].tolist())})")
    more = f"; and {animals.size - 5} more individuals" if animals.size > 5 else ""
    need = "positive" if positive else ">= 0"
    raise InputError(
        f"home_range(method='akde'): the {what} must be finite and {need} for every used fix: "
        + "; ".join(clauses)
        + more
        + ". Fill them in, or flag those fixes (flag_any) so home_range leaves them out."
    )


def _gps_errors(prep: PreparedFixes, relocations: pd.DataFrame) -> LocationErrors:
    """``error_m="gps"``: UERE × HDOP / sqrt 2 per fix, HDOP from its column or 1."""
    n = len(prep.data)
    found = [c for c in relocations.columns if str(c).strip().lower() in HDOP_COLUMNS]
    if not found:
        label = f"gps default (UERE {akde.GPS_RMS_UERE_M:g} m × HDOP 1: no HDOP column)"
        return LocationErrors("gps", None, label, np.ones(n, dtype=bool))
    column = found[0]
    hdop = _per_fix_values(prep, relocations, column, what="HDOP", positive=True)
    label = f"gps default (UERE {akde.GPS_RMS_UERE_M:g} m × HDOP from column {column})"
    return LocationErrors(None, akde.gps_error_m(hdop), label, np.ones(n, dtype=bool))


def _listed(values: Sequence[Any]) -> str:
    """At most five values, then how many more (as :func:`habitat.core.errors.where` lists rows)."""
    more = f" and {len(values) - 5} more" if len(values) > 5 else ""
    return ", ".join(str(v) for v in values[:5]) + more


def _row_numbers(prep: PreparedFixes, relocations: pd.DataFrame) -> np.ndarray | None:
    """Row numbers of ``prep.data``'s rows as messages give them: ``source_row``, else 1, 2, ...

    The 1-based position in ``relocations`` needs unique index labels (else None).
    """
    if "source_row" in relocations.columns:
        source = pd.to_numeric(relocations["source_row"], errors="coerce")
        if source.notna().all():
            return pd.to_numeric(prep.data["source_row"]).to_numpy(dtype=np.int64)
    if not relocations.index.is_unique:
        return None
    return relocations.index.get_indexer(prep.data.index) + 1


def _refuse_simultaneous_fixes(
    prep: PreparedFixes,
    relocations: pd.DataFrame,
    positive: np.ndarray,
    given: Mapping[Any, MovementModel],
) -> None:
    """AKDE: refuse fixes of an animal at one instant, naming the animals and the table's rows.

    The movement fit (:func:`habitat.fit_movement`) needs a location error
    for simultaneous fixes (both > 0, or ``"fit"``) and would refuse them
    itself, but naming positions among one animal's fixes in time order; here,
    before any fit, every animal at fault is named with its rows as
    :func:`~habitat.homerange.fixes.prepare_fixes` names rows (``source_row``,
    else 1, 2, ... in table order) and their index labels. ``positive`` says
    per row of ``prep`` whether its fix has such an error. Animals whose model
    is given (``model=``) are not fitted, so not checked.
    """
    t = prep.timestamps_ns
    if t is None or positive.all():
        return
    order = np.lexsort((t, prep.codes))  # by animal, then time: duplicates are neighbours
    codes, ts, pos = prep.codes[order], t[order], positive[order]
    same = np.flatnonzero((codes[1:] == codes[:-1]) & (ts[1:] == ts[:-1]) & ~(pos[1:] & pos[:-1]))
    fitted = ~np.isin(np.asarray(prep.names, dtype=object), list(given))
    same = same[fitted[codes[same]]]
    if not same.size:
        return
    numbers = _row_numbers(prep, relocations)
    clauses = []
    animals = np.unique(codes[same])
    for k in animals[:5]:
        pairs = same[codes[same] == k]
        rows = np.unique(np.concatenate([order[pairs], order[pairs + 1]]))  # prep.data positions
        if numbers is not None:
            rows = rows[np.argsort(numbers[rows], kind="stable")]
        at = f"index labels {_listed(prep.data.index[rows].tolist())}"
        if numbers is not None:
            at = f"{where(rows=numbers[rows].tolist())} ({at})"
        when = pd.Timestamp(int(ts[pairs[0]]), tz="UTC")
        clauses.append(
            f"{where(individual=prep.names[k])}: {pairs.size} duplicate timestamp(s) "
            f"(first at {when}) at {at}"
        )
    more = f"; and {animals.size - 5} more individuals" if animals.size > 5 else ""
    raise TimestampError(
        "; ".join(clauses) + more + ". AKDE's movement models need a location error for "
        "fixes at one instant: drop the duplicates (habitat.flag_relocations flags all but "
        "the first as flag_duplicate, and home_range leaves flagged fixes out), or, if they "
        "are noisy fixes of one place, give the location error as error_m > 0 (metres; per "
        "fix, a column of errors > 0), or error_m='fit' or 'gps'."
    )


def _assemble_table(
    runs: _Runs, prep: PreparedFixes, method: str, options: Mapping[str, Any]
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The table (without the verdict), the polygons as an array, and each row's animal code.

    Areas in km² and sq mi (an interval's bounds too, with its ``ci_level``) and
    the CRS the ranges were estimated in.
    """
    data, codes, names = prep.data, prep.codes, prep.names
    sexes = (
        data.groupby(codes)["sex"].first().astype(str).to_numpy()
        if "sex" in data.columns
        else np.full(len(names), "unknown", dtype=object)
    )
    table = pd.DataFrame(runs.rows)
    animal = table.pop("_i").to_numpy()  # animal code of each row
    area_m2 = table.pop("area_m2").to_numpy(dtype=float)
    front = pd.DataFrame(
        {
            "individual": np.asarray(names)[animal],
            "sex": sexes[animal],
            "method": method,
            "level": table.pop("level").to_numpy(dtype=float),
            "n_fixes": prep.counts[animal],
            **units.area_columns(area_m2),
        }
    )
    table = table.reset_index(drop=True)
    if "area_high_km2" in table.columns:  # an interval (AKDE): in sq mi too, after its km²
        at = list(table.columns).index("area_high_km2") + 1
        for k, side in enumerate(("low", "high")):
            sq_mi = units.convert_area(table[f"area_{side}_km2"].to_numpy(float), "km2", "sq_mi")
            table.insert(at + k, f"area_{side}_sq_mi", sq_mi)
        # the interval's level, so maps and pages can name it
        ci_default = inspect.signature(ESTIMATORS[method].estimate).parameters.get("ci_level")
        ci = options.get("ci_level", None if ci_default is None else ci_default.default)
        table.insert(at + 2, "ci_level", np.nan if ci is None else float(ci))
    out = pd.concat([front, table], axis=1)
    out["crs_used"] = hcrs.describe_crs(prep.crs)
    geoms = np.empty(len(runs.geometries), dtype=object)
    geoms[:] = runs.geometries
    return out, geoms, animal


def _judge(
    out: pd.DataFrame,
    geoms: np.ndarray,
    animal: np.ndarray,
    prep: PreparedFixes,
    input_crs: Any,
    profile: SpeciesProfile | None,
    expected_area_sq_mi: Mapping[str, tuple[float | None, float | None]] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Add ``plausible`` and ``plausibility`` to ``out``; the fixes' and physical problems per row.

    The two arrays of reasons (``""``: none) are what :func:`_warn_impossible` warns about.
    """
    own_xy = shapely.get_coordinates(prep.data.geometry.to_numpy())
    fixes_why = fix_problems(own_xy, prep.codes, crs=input_crs)[animal]
    ok, why = plausibility(
        out,
        species=profile,
        expected_area_sq_mi=expected_area_sq_mi,
        geometry=geoms,
        fix_reasons=fixes_why,
    )
    out["plausible"] = ok
    out["plausibility"] = why
    largest = max_area_km2(profile.expected_area_sq_mi if profile else expected_area_sq_mi)
    impossible = physical_problems(out["area_km2"].to_numpy(), geoms, max_area_km2=largest)
    return fixes_why, impossible


def _in_input_crs(
    out: pd.DataFrame,
    geoms: np.ndarray,
    bounds: Mapping[str, list[Any]],
    est_crs: Any,
    input_crs: Any,
    profile: SpeciesProfile | None,
) -> gpd.GeoDataFrame:
    """The table in the relocations' CRS: bound polygons as GeoSeries, ``attrs["species"]``."""
    result = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs=est_crs))
    aligned = hcrs.align(result, input_crs, name="home ranges")
    for name, polys in bounds.items():
        if any(g is not None for g in polys):  # align moves the active geometry only
            bound = gpd.GeoSeries(polys, index=result.index, crs=est_crs)
            aligned[name] = hcrs.align(bound, input_crs, name=f"home-range {name}")
    aligned.attrs["species"] = None if profile is None else profile.name
    return aligned


def _per_animal_models(
    model: Any, names: pd.Index, est_crs: Any, method: str
) -> dict[Any, MovementModel] | None:
    """``model=`` of ``home_range(method="akde")``: a mapping individual -> fitted model, checked.

    One :class:`~habitat.movement.model.MovementModel` describes one animal, so a
    single model is refused; individuals missing from the mapping are fitted as
    usual. The models must be fitted in the estimation CRS (their ``crs``).
    """
    if model is None:
        return None
    if isinstance(model, MovementModel):
        raise InputError(
            f"home_range(method={method!r}) estimates every individual, but model= is one "
            "MovementModel, which describes one animal; give a mapping individual -> model, "
            'e.g. model={"F01": fit_f01}, or for one animal call '
            "habitat.homerange.akde.estimate(xy, levels=..., timestamps_ns=..., model=fit)."
        )
    if not isinstance(model, Mapping):
        raise InputError(
            f"home_range(method={method!r}): model= must be a mapping individual -> "
            f"MovementModel (from habitat.fit_movement), got {type(model).__name__}."
        )
    by_text = {str(n): n for n in names}
    unknown = [k for k in model if str(k) not in by_text]
    if unknown:
        raise InputError(
            f"home_range(method={method!r}): model= names individual(s) "
            f"{', '.join(repr(k) for k in unknown[:5])} not among the relocations' "
            f"({', '.join(list(by_text)[:10])}); check the keys."
        )
    out: dict[Any, MovementModel] = {}
    for key, fit in model.items():
        if not isinstance(fit, MovementModel):
            raise InputError(
                f"home_range(method={method!r}): model[{key!r}] must be a MovementModel "
                f"(from habitat.fit_movement), got {type(fit).__name__}."
            )
        if fit.crs is not None and not hcrs.as_crs(fit.crs).equals(est_crs):
            raise InputError(
                f"home_range(method={method!r}): the model of {where(individual=key)} was fitted "
                f"in {hcrs.describe_crs(fit.crs)}, but the ranges are estimated in "
                f"{hcrs.describe_crs(est_crs)}; pass crs= of the fit, or fit the fixes "
                "projected to the estimation CRS (habitat.homerange.estimation_crs)."
            )
        out[by_text[str(key)]] = fit
    return out


def ranges_to_crs(ranges: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame:
    """A home-range table in another CRS, with its interval polygons (:data:`BOUND_GEOMETRIES`).

    ``GeoDataFrame.to_crs`` moves the active geometry only; this moves the
    bounds' polygons with it (logged as :func:`habitat.core.crs.align` does).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> ranges = gpd.GeoDataFrame(
    ...     {"individual": ["F1"]}, geometry=[shapely.box(600_000, 4_750_000, 610_000, 4_760_000)],
    ...     crs="EPSG:32652")
    >>> ranges["geometry_low"] = gpd.GeoSeries([shapely.box(602_000, 4_752_000, 608_000,
    ...                                         4_758_000)], crs="EPSG:32652")
    >>> moved = ranges_to_crs(ranges, "EPSG:4326")
    >>> moved.crs.to_epsg(), moved["geometry_low"].crs.to_epsg()
    (4326, 4326)
    >>> bool(moved["geometry_low"].within(moved.geometry).all())
    True
    """
    out = hcrs.align(ranges, crs, name="home ranges")
    present = [c for c in BOUND_GEOMETRIES if c in ranges.columns]
    if present and out is ranges:  # already there: the bounds too, unless set apart
        out = ranges.copy()
    for col in present:
        # a GeoSeries keeps its own CRS; plain shapely objects are in the table's
        col_crs = getattr(ranges[col], "crs", None) or ranges.crs
        bound = gpd.GeoSeries(ranges[col], crs=col_crs)
        out[col] = hcrs.align(bound, crs, name=f"home-range {col}")
    return out


def split_bounds(
    ranges: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, dict[str, gpd.GeoDataFrame]]:
    """A home-range table as single-geometry tables: the ranges, and each interval bound's polygons.

    GeoPackages, shapefiles and GeoJSON hold one geometry column per layer, so
    the bounds' isopleths of an AKDE table (:data:`BOUND_GEOMETRIES`) are
    written as layers of their own.

    Parameters
    ----------
    ranges : GeoDataFrame
        From :func:`home_range` (any method, or several concatenated).

    Returns
    -------
    main : GeoDataFrame
        ``ranges`` without the bound columns (the same object when it has none).
    bounds : dict of str to GeoDataFrame
        ``"low"`` and ``"high"`` (only those present): the rows with a bound
        polygon, with ``individual``, ``sex``, ``method``, ``level`` and the
        bound's area columns (``area_low_km2``...), the polygon as
        ``geometry``, in the CRS of ``ranges``. Empty for tables without an
        interval.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> ranges = gpd.GeoDataFrame(
    ...     {"individual": ["F1", "F1"], "method": ["mcp", "akde"], "level": [0.95, 0.95],
    ...      "area_low_km2": [None, 0.5]},
    ...     geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(0, 0, 1100, 1100)],
    ...     crs="EPSG:32652")
    >>> ranges["geometry_low"] = gpd.GeoSeries([None, shapely.box(0, 0, 700, 700)], crs=32652)
    >>> main, bounds = split_bounds(ranges)
    >>> list(main.columns), list(bounds)
    (['individual', 'method', 'level', 'area_low_km2', 'geometry'], ['low'])
    >>> bounds["low"][["individual", "method", "area_low_km2"]]
      individual method  area_low_km2
    1         F1   akde           0.5
    >>> bounds["low"].area.tolist(), bounds["low"].crs.to_epsg()
    ([490000.0], 32652)
    """
    present = [c for c in BOUND_GEOMETRIES if c in ranges.columns]
    if not present:
        return ranges, {}
    main = ranges.drop(columns=present)
    keys = [c for c in ("individual", "sex", "method", "level") if c in ranges.columns]
    bounds: dict[str, gpd.GeoDataFrame] = {}
    for col in present:
        side = col.removeprefix("geometry_")
        series = gpd.GeoSeries(ranges[col], crs=ranges.crs)
        has = series.notna().to_numpy() & ~series.is_empty.to_numpy()
        extra = [c for c in ranges.columns if c.startswith(f"area_{side}_")]
        bounds[side] = gpd.GeoDataFrame(
            ranges.loc[has, keys + extra], geometry=series[has], crs=ranges.crs
        )
    return main, bounds


def _warn_impossible(table: pd.DataFrame, physical: np.ndarray, fixes: np.ndarray) -> None:
    """One DataQualityWarning naming the rows whose numbers cannot be trusted, and why."""
    bad = np.flatnonzero((physical != "") | (fixes != ""))
    if not len(bad):
        return
    shown = "; ".join(
        f"{where(individual=table['individual'].iat[i])} at level {table['level'].iat[i]:g}: "
        + "; ".join(t for t in (fixes[i], physical[i]) if t)
        for i in bad[:5]
    )
    more = f" (and {len(bad) - 5} more rows)" if len(bad) > 5 else ""
    warnings.warn(
        f"{len(bad)} home range(s) cannot be trusted: {shown}{more}; they are marked "
        "plausible=False with the reason in 'plausibility'.",
        DataQualityWarning,
        stacklevel=3,
    )

r"""Simulated GPS relocations with known ground truth.

Each animal moves as an isotropic two-dimensional **Ornstein–Uhlenbeck (OU)**
process around a fixed range centre :math:`c`: a random walk pulled back to
the centre, the simplest range-resident movement model (the "OU" model of
``ctmm``; Fleming et al. 2014, *Am. Nat.* 183:E154). Per axis,

.. math::

    dX_t = -\frac{1}{\tau}(X_t - c)\,dt + \sigma\sqrt{2/\tau}\,dW_t ,

whose stationary distribution is :math:`N(c, \sigma^2)` per axis, and whose
autocorrelation at lag :math:`\Delta t` is :math:`e^{-\Delta t/\tau}`;
:math:`\tau` is the *home-range crossing time*.

The simulation is **exact** (no Euler discretisation error): the OU transition
over a step :math:`\Delta t` is Gaussian,

.. math::

    X_{t+\Delta t} \mid X_t \sim
    N\!\left(c + (X_t - c)\,\rho,\; \sigma^2 (1 - \rho^2)\right),
    \qquad \rho = e^{-\Delta t/\tau},

and every track starts from the stationary distribution, so the whole track is
stationary and the true range is known exactly: the stationary distribution is
a circular bivariate normal, and the area of its ``p`` highest-density region
(a disc) is

.. math::

    A_p = -2 \ln(1 - p)\, \pi \sigma^2 ,
    \qquad A_{95} = 2 \pi \sigma^2 \ln 20 \approx 18.82\, \sigma^2 ,

because the squared distance from the centre over :math:`\sigma^2` is
:math:`\chi^2_2`, an exponential distribution with mean 2
(:func:`true_area_km2`). Given a true 95 % area, :func:`sigma_for_area_m`
inverts it.

Everything is simulated in metres in WGS 84 / UTM zone 52N (EPSG:32652, which
covers the whole Amur leopard range) and returned in the requested CRS.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from habitat.core.crs import UTM_52N, WGS84, require_crs
from habitat.core.errors import (
    CRSError,
    EmptyDataError,
    GeometryTypeError,
    InputError,
    MissingCRSError,
    TimestampError,
)
from habitat.core.units import convert_area

if TYPE_CHECKING:
    from habitat.io.raster import Raster

__all__ = [
    "DEFAULT_TAU_DAYS",
    "FEMALE_AREA_SQ_MI",
    "LAND_COVER_CORRELATION_CELLS",
    "LAND_COVER_ORIGIN",
    "MALE_AREA_SQ_MI",
    "Simulation",
    "ou_deviations",
    "sigma_for_area_m",
    "simulate_land_cover",
    "simulate_relocations",
    "true_area_km2",
]

#: Range of true 95 % home-range areas of adult females, in square miles.
FEMALE_AREA_SQ_MI: tuple[float, float] = (15.0, 38.0)
#: Range of true 95 % home-range areas of adult males, in square miles.
MALE_AREA_SQ_MI: tuple[float, float] = (60.0, 155.0)
#: Default home-range crossing time (OU position autocorrelation timescale), in days.
DEFAULT_TAU_DAYS: float = 1.5

_AreaDistribution = Literal["log-uniform", "uniform"]


class Simulation(NamedTuple):
    """Result of :func:`simulate_relocations` (unpacks as ``fixes, truth``).

    Attributes
    ----------
    fixes : geopandas.GeoDataFrame
        One row per successful fix, sorted by ``individual`` then ``timestamp``,
        with columns ``individual`` (str), ``sex`` (``"F"``/``"M"``),
        ``timestamp`` (tz-aware UTC) and point ``geometry`` in the requested CRS.
    truth : pandas.DataFrame
        One row per animal, indexed by ``individual``: ``sex``,
        ``centre_x_m``/``centre_y_m`` (EPSG:32652 metres),
        ``centre_lon``/``centre_lat`` (degrees), ``sigma_m`` (per-axis standard
        deviation of the stationary distribution, m), ``tau_days``,
        ``true_area_95_km2``, ``true_area_95_sq_mi``, ``true_area_50_km2``,
        ``true_area_50_sq_mi``, ``n_fixes``.

    Examples
    --------
    >>> sim = simulate_relocations(n_females=1, n_males=1, days=30, seed=1)
    >>> fixes, truth = sim
    >>> fixes.columns.tolist(), len(fixes)  # 30 days of 4-hourly fixes, two animals
    (['individual', 'sex', 'timestamp', 'geometry'], 360)
    >>> truth[["sex", "sigma_m", "true_area_95_km2", "true_area_95_sq_mi", "n_fixes"]].round(1)
               sex  sigma_m  true_area_95_km2  true_area_95_sq_mi  n_fixes
    individual
    F01          F   1822.5              62.5                24.1      180
    M01          M   4510.9             383.0               147.9      180
    """

    fixes: gpd.GeoDataFrame
    truth: pd.DataFrame


# --------------------------------------------------------------------------- truth


def _check_level(level: Any) -> np.ndarray:
    lv = np.asarray(level, dtype=float)
    if not np.all((lv > 0) & (lv < 1)):
        raise InputError(
            f"level={level!r} is not a probability strictly between 0 and 1; use e.g. "
            "0.95 for the 95 % range or 0.5 for the core area."
        )
    return lv


def true_area_km2(sigma_m: Any, level: Any = 0.95) -> Any:
    r"""True area of the ``level`` range of a circular bivariate normal, in km².

    The ``level`` highest-density region of :math:`N(c, \sigma^2 I_2)` is a disc
    of area :math:`-2 \ln(1 - p)\, \pi \sigma^2`; for ``level=0.95`` that is
    :math:`2 \pi \sigma^2 \ln 20`.

    Parameters
    ----------
    sigma_m : float or array-like
        Per-axis standard deviation of the stationary distribution, in metres.
    level : float or array-like, default 0.95
        Probability mass of the range, strictly between 0 and 1 (0.95 = 95 %).

    Returns
    -------
    float or numpy.ndarray
        Area in square kilometres.

    Examples
    --------
    >>> round(float(true_area_km2(1000.0, 0.95)), 4)
    18.8227
    """
    lv = _check_level(level)
    sigma = np.asarray(sigma_m, dtype=float)
    area_m2 = -2.0 * np.log1p(-lv) * np.pi * sigma**2
    out = convert_area(area_m2, "m2", "km2")
    return float(out) if np.ndim(out) == 0 else out


def sigma_for_area_m(area_km2: Any, level: Any = 0.95) -> Any:
    """Per-axis standard deviation whose ``level`` range has area ``area_km2``, in m.

    Inverse of :func:`true_area_km2`.

    Parameters
    ----------
    area_km2 : float or array-like
        Area of the range, in square kilometres (positive).
    level : float or array-like, default 0.95
        Probability mass of the range, strictly between 0 and 1.

    Returns
    -------
    float or numpy.ndarray
        Standard deviation per axis, in metres.

    Examples
    --------
    A 95 % range of 18.8227 km² (2π ln 20 km²) has a 1 km standard deviation:

    >>> round(sigma_for_area_m(18.8227))
    1000

    The largest default female range, 38 sq mi (98.42 km²), and back:

    >>> from habitat.core.units import sq_mi_to_km2
    >>> sigma = sigma_for_area_m(sq_mi_to_km2(38.0))
    >>> round(sigma, 1), round(true_area_km2(sigma), 2)
    (2286.6, 98.42)

    The 50 % core of a 100 km² range has a larger sigma than its 95 % range:

    >>> [round(v) for v in sigma_for_area_m([100.0, 100.0], level=[0.95, 0.5])]
    [2305, 4792]
    """
    lv = _check_level(level)
    area_m2 = convert_area(np.asarray(area_km2, dtype=float), "km2", "m2")
    if not np.all(area_m2 > 0):
        raise InputError(f"area_km2={area_km2!r} must be positive.")
    out = np.sqrt(area_m2 / (-2.0 * np.log1p(-lv) * np.pi))
    return float(out) if np.ndim(out) == 0 else out


# ----------------------------------------------------------------------- movement


def ou_deviations(
    n_steps: int,
    *,
    sigma_m: Any,
    tau_days: Any,
    step_days: float,
    rng: np.random.Generator,
) -> np.ndarray:
    r"""Exact stationary OU deviations from the range centre, for many animals at once.

    Parameters
    ----------
    n_steps : int
        Number of fixes per animal (regularly spaced, ``step_days`` apart).
    sigma_m : float or array-like of shape (n_animals,)
        Per-axis stationary standard deviation of each animal, in metres.
    tau_days : float or array-like of shape (n_animals,)
        Home-range crossing time (position autocorrelation timescale), in days.
    step_days : float
        Time between fixes, in days.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    numpy.ndarray of shape (n_animals, n_steps, 2)
        x and y deviations from the centre, in metres.

    Notes
    -----
    With :math:`\rho = e^{-\Delta t/\tau}` the recursion
    :math:`u_0 = z_0`, :math:`u_k = \rho u_{k-1} + \sqrt{1-\rho^2}\, z_k`
    (:math:`z_k` i.i.d. standard normal) is the exact OU transition with unit
    variance; it is run by :func:`scipy.signal.lfilter` along time for all
    animals that share a :math:`\rho` at once, then scaled by ``sigma_m``.

    Examples
    --------
    100,000 animals with :math:`\sigma` = 1 km and 4-hourly fixes: every fix,
    the first included, has the stationary spread, and consecutive fixes are
    correlated by :math:`\rho = e^{-(4/24)/1.5} = 0.895`:

    >>> rng = np.random.default_rng(1)
    >>> dev = ou_deviations(2, sigma_m=np.full(100_000, 1000.0), tau_days=1.5,
    ...                     step_days=4 / 24, rng=rng)
    >>> dev.shape  # (animals, fixes, x/y)
    (100000, 2, 2)
    >>> (dev.std(axis=0) / 1000).round(2)  # km, per fix and axis
    array([[1., 1.],
           [1., 1.]])
    >>> round(float(np.corrcoef(dev[:, 0, 0], dev[:, 1, 0])[0, 1]), 2)
    0.89
    """
    from scipy.signal import lfilter  # imported here: scipy.signal takes ~1 s to import

    sigma = np.atleast_1d(np.asarray(sigma_m, dtype=float))
    tau = np.broadcast_to(np.asarray(tau_days, dtype=float), sigma.shape)
    n = sigma.shape[0]
    z = rng.standard_normal((n, 2, n_steps))
    rho = np.exp(-step_days / tau)
    out = np.empty_like(z)
    for r in np.unique(rho):
        sel = rho == r
        e = z[sel]
        e[..., 1:] *= math.sqrt(1.0 - r * r)
        out[sel] = lfilter([1.0], [1.0, -r], e, axis=-1)
    out *= sigma[:, None, None]
    return np.moveaxis(out, 1, 2)


# ------------------------------------------------------------------------ habitat


def _raster_crs(raster: Any) -> CRS:
    if raster.crs is None:
        raise MissingCRSError(
            "the habitat raster has no CRS, and habitat never guesses one; give it one "
            "(e.g. EPSG:32652 for UTM 52N metres)."
        )
    return CRS.from_user_input(raster.crs)


def _forest_cells(raster: Any, forest_class: int, clip: Any | None) -> np.ndarray:
    """(row, col) indices of forest cells, optionally with centres inside ``clip``."""
    arr = np.asarray(raster.array)
    if arr.ndim != 2:
        raise InputError(f"the habitat raster must be 2-D; its array has shape {arr.shape}.")
    mask = arr == forest_class
    if raster.nodata is not None:
        mask &= arr != raster.nodata
    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        present = ", ".join(str(v) for v in np.unique(arr)[:20])
        raise EmptyDataError(
            f"the habitat raster has no cells of forest_class={forest_class} (it holds "
            f"classes {present}); pass the class code of forest as forest_class, or a "
            "raster or polygon that contains forest."
        )
    if clip is not None:
        a, b, c, d, e, f = raster.transform
        xc = a * (cols + 0.5) + b * (rows + 0.5) + c
        yc = d * (cols + 0.5) + e * (rows + 0.5) + f
        inside = shapely.contains_xy(clip, xc, yc)
        rows, cols = rows[inside], cols[inside]
        if rows.size == 0:
            raise EmptyDataError(
                "no forest cell of the land cover lies inside the study area; enlarge "
                "park_buffer_km or pass a habitat raster or polygon."
            )
    return np.column_stack([rows, cols])


class _Sampler:
    """Draws candidate centres (UTM 52N metres) uniformly in the habitat."""

    def __init__(self, habitat: Any, *, forest_class: int, park_buffer_km: float) -> None:
        self._to_utm: Transformer | None = None
        self._cells: np.ndarray | None = None
        self._polygon: Any = None
        if habitat is None:
            from habitat import datasets  # deferred: loads bundled data

            raster = datasets.land_cover()
            park = datasets.layers()["land_of_the_leopard"]
            rcrs = _raster_crs(raster)
            park_m = park.to_crs(UTM_52N).buffer(park_buffer_km * 1000.0).union_all()
            clip = gpd.GeoSeries([park_m], crs=UTM_52N).to_crs(rcrs).iloc[0]
            self._init_raster(raster, forest_class, clip)
        elif isinstance(habitat, gpd.GeoDataFrame | gpd.GeoSeries):
            require_crs(habitat, name="habitat")
            geoms = habitat.geometry if isinstance(habitat, gpd.GeoDataFrame) else habitat
            geoms = geoms[~(geoms.isna() | geoms.is_empty)]
            if len(geoms) == 0:
                raise EmptyDataError("the habitat layer holds no non-empty geometry.")
            bad = sorted(set(geoms.geom_type) - {"Polygon", "MultiPolygon"})
            if bad:
                raise GeometryTypeError(
                    f"the habitat layer must hold polygons; it holds {', '.join(bad)}. Pass "
                    "the polygon(s) where range centres may lie, or a land-cover Raster."
                )
            poly = geoms.to_crs(UTM_52N).union_all()
            if poly.area <= 0:
                raise EmptyDataError("the habitat polygons have zero area.")
            shapely.prepare(poly)
            self._polygon = poly
        elif hasattr(habitat, "array") and hasattr(habitat, "transform"):
            self._init_raster(habitat, forest_class, None)
        else:
            raise InputError(
                f"habitat must be None (bundled land cover), a habitat.io.raster.Raster or a "
                f"polygon GeoDataFrame/GeoSeries; got {type(habitat).__name__}."
            )

    def _init_raster(self, raster: Raster, forest_class: int, clip: Any | None) -> None:
        rcrs = _raster_crs(raster)
        if clip is not None:
            shapely.prepare(clip)
        self._raster = raster
        self._cells = _forest_cells(raster, forest_class, clip)
        if not rcrs.equals(UTM_52N):
            self._to_utm = Transformer.from_crs(rcrs, UTM_52N, always_xy=True)

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` points uniformly in the habitat, shape (n, 2), UTM 52N metres."""
        if self._polygon is not None:
            x0, y0, x1, y1 = self._polygon.bounds
            out = np.empty((0, 2))
            while len(out) < n:
                pts = rng.uniform([x0, y0], [x1, y1], size=(max(4 * n, 64), 2))
                pts = pts[shapely.contains_xy(self._polygon, pts[:, 0], pts[:, 1])]
                out = np.vstack([out, pts])
            return out[:n]
        cells = cast(np.ndarray, self._cells)  # set in __init__ when there is no polygon
        pick = cells[rng.integers(0, len(cells), size=n)]
        # uniform inside the cell, kept 1 % away from its edges so that the
        # point maps back to the same cell despite floating-point rounding
        frac = rng.uniform(0.01, 0.99, size=(n, 2))
        col = pick[:, 1] + frac[:, 0]
        row = pick[:, 0] + frac[:, 1]
        a, b, c, d, e, f = self._raster.transform
        x = a * col + b * row + c
        y = d * col + e * row + f
        if self._to_utm is not None:
            x, y = self._to_utm.transform(x, y)
        return np.column_stack([x, y])


def _spread_centres(
    sampler: _Sampler, n: int, n_candidates: int, rng: np.random.Generator
) -> np.ndarray:
    """Mitchell's best-candidate sampling: each new centre is the farthest of k candidates."""
    centres = np.empty((n, 2))
    for i in range(n):
        cand = sampler.draw(n_candidates, rng)
        if i == 0 or n_candidates == 1:
            centres[i] = cand[0]
            continue
        d2 = ((cand[:, None, :] - centres[None, :i, :]) ** 2).sum(-1).min(axis=1)
        centres[i] = cand[np.argmax(d2)]
    return centres


# ---------------------------------------------------------------------- validation


def _check_count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise InputError(f"{name}={value!r} must be a whole number ≥ 0 (the number of animals).")
    return int(value)


def _check_positive(name: str, value: Any, unit: str, hint: str = "") -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not (math.isfinite(v) and v > 0):
        raise InputError(f"{name}={value!r} must be a positive number of {unit}.{hint}")
    return v


def _check_bounds(name: str, value: Any) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InputError(
            f"{name}={value!r} must be a pair (smallest, largest) of areas in square miles, "
            "e.g. (15, 38)."
        ) from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo > 0):
        raise InputError(f"{name}={value!r}: both areas must be positive, finite square miles.")
    if lo > hi:
        raise InputError(
            f"{name}={value!r} is reversed: the smallest area comes first; use ({hi:g}, {lo:g})."
        )
    return lo, hi


def _draw_areas(lo: float, hi: float, n: int, dist: str, rng: np.random.Generator) -> np.ndarray:
    u = rng.uniform(size=n)
    if dist == "uniform":
        return lo + (hi - lo) * u
    return np.exp(np.log(lo) + (np.log(hi) - np.log(lo)) * u)


# --------------------------------------------------------------------------- main


def _points(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Shapely points from coordinate arrays, with the cyclic GC paused.

    Creating ~10⁵ geometry objects triggers repeated full garbage collections
    that cost more than the creation itself; points hold no reference cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return shapely.points(np.column_stack([x, y]))
    finally:
        if was_enabled:
            gc.enable()


class _Options(NamedTuple):
    """The checked parameters of :func:`simulate_relocations`."""

    n_females: int
    n_males: int
    step_h: float
    tau_days: float
    female_bounds: tuple[float, float]
    male_bounds: tuple[float, float]
    success: float
    error_m: float
    buffer_km: float
    crs: CRS
    start: pd.Timestamp
    n_steps: int


def _checked_options(
    *,
    n_females: int,
    n_males: int,
    days: float,
    fix_interval_h: float,
    female_area_sq_mi: Sequence[float],
    male_area_sq_mi: Sequence[float],
    area_distribution: str,
    tau_days: float,
    forest_class: int,
    park_buffer_km: float,
    n_candidates: int,
    crs: Any,
    start: Any,
    fix_success: float,
    location_error_m: float,
) -> _Options:
    """Check every parameter of :func:`simulate_relocations`, saying how to fix a bad one."""
    n_f = _check_count("n_females", n_females)
    n_m = _check_count("n_males", n_males)
    if n_f + n_m == 0:
        raise InputError("n_females and n_males are both 0; simulate at least one animal.")
    days = _check_positive("days", days, "days")
    step_h = _check_positive(
        "fix_interval_h", fix_interval_h, "hours", " Use e.g. 4 for 4-hourly fixes."
    )
    tau = _check_positive("tau_days", tau_days, "days", " Leopards cross their range in ~1–2 days.")
    f_lo, f_hi = _check_bounds("female_area_sq_mi", female_area_sq_mi)
    m_lo, m_hi = _check_bounds("male_area_sq_mi", male_area_sq_mi)
    if area_distribution not in ("log-uniform", "uniform"):
        raise InputError(
            f"area_distribution={area_distribution!r}; use 'log-uniform' or 'uniform'."
        )
    try:
        success = float(fix_success)
    except (TypeError, ValueError):
        success = float("nan")
    if not (0 < success <= 1):
        raise InputError(
            f"fix_success={fix_success!r} must be a probability in (0, 1] (1 = every "
            "scheduled fix succeeds; GPS collars in forest typically reach 0.8–0.95)."
        )
    try:
        err_m = float(location_error_m)
    except (TypeError, ValueError):
        err_m = float("nan")
    if not (math.isfinite(err_m) and err_m >= 0):
        raise InputError(f"location_error_m={location_error_m!r} must be ≥ 0 metres.")
    if isinstance(forest_class, bool) or not isinstance(forest_class, int | np.integer):
        raise InputError(
            f"forest_class={forest_class!r} must be the integer land-cover code of forest "
            "(1 in the bundled land cover)."
        )
    if isinstance(n_candidates, bool) or not isinstance(n_candidates, int | np.integer):
        raise InputError(f"n_candidates={n_candidates!r} must be a whole number ≥ 1.")
    if n_candidates < 1:
        raise InputError(f"n_candidates={n_candidates!r} must be ≥ 1 (1 = uniform centres).")
    try:
        buffer_km = float(park_buffer_km)
    except (TypeError, ValueError):
        buffer_km = float("nan")
    if not (math.isfinite(buffer_km) and buffer_km >= 0):
        raise InputError(f"park_buffer_km={park_buffer_km!r} must be ≥ 0 kilometres.")
    try:
        out_crs = CRS.from_user_input(crs)
    except PyprojCRSError as exc:
        raise CRSError(
            f"crs={crs!r} is not a CRS pyproj understands; use e.g. 'EPSG:4326' "
            "(degrees) or 'EPSG:32652' (UTM 52N metres)."
        ) from exc
    try:
        t0 = pd.Timestamp(start)
    except (TypeError, ValueError) as exc:
        raise TimestampError(
            f"start={start!r} is not a timestamp; use e.g. '2025-01-01T00:00Z'."
        ) from exc
    if t0.tzinfo is None:
        raise TimestampError(
            f"start={start!r} has no time zone; habitat never guesses one. Add it, e.g. "
            f"'{t0.isoformat()}Z' for UTC."
        )
    t0 = t0.tz_convert("UTC")
    n_steps = math.floor(days * 24.0 / step_h + 1e-9)
    if n_steps < 1:
        raise InputError(
            f"days={days:g} is shorter than one fix interval ({step_h:g} h); lengthen days."
        )
    return _Options(
        n_f,
        n_m,
        step_h,
        tau,
        (f_lo, f_hi),
        (m_lo, m_hi),
        success,
        err_m,
        buffer_km,
        out_crs,
        t0,
        n_steps,
    )


def simulate_relocations(
    *,
    n_females: int = 6,
    n_males: int = 6,
    days: float = 365.0,
    fix_interval_h: float = 4.0,
    seed: int | None = 0,
    female_area_sq_mi: Sequence[float] = FEMALE_AREA_SQ_MI,
    male_area_sq_mi: Sequence[float] = MALE_AREA_SQ_MI,
    area_distribution: _AreaDistribution = "log-uniform",
    tau_days: float = DEFAULT_TAU_DAYS,
    habitat: Raster | gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    forest_class: int = 1,
    park_buffer_km: float = 5.0,
    n_candidates: int = 10,
    crs: Any = "EPSG:4326",
    start: Any = "2025-01-01T00:00Z",
    fix_success: float = 1.0,
    location_error_m: float = 0.0,
) -> Simulation:
    r"""Simulate GPS relocations of range-resident leopards with known true ranges.

    Each animal follows an exact, stationary isotropic Ornstein–Uhlenbeck
    process around its own range centre (see the module docstring), sampled
    every ``fix_interval_h`` hours for ``days`` days. True 95 % range areas are
    drawn per sex, centres are placed in forest and spread apart, and the true
    parameters are returned alongside the fixes.

    Parameters
    ----------
    n_females, n_males : int, default 6
        Number of female and male animals (≥ 0, at least one in total).
        Individuals are named ``F01, F02, ...`` and ``M01, M02, ...``.
    days : float, default 365
        Duration of each track, in days. Each animal gets
        ``floor(days * 24 / fix_interval_h)`` scheduled fixes (2,190 for a
        year of 4-hourly fixes), the first at ``start``.
    fix_interval_h : float, default 4
        Time between scheduled fixes, in hours.
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed (and
        parameters) gives identical output. ``None`` draws fresh entropy.
    female_area_sq_mi, male_area_sq_mi : (float, float)
        Smallest and largest true 95 % range area of each sex, in square miles
        (defaults 15–38 and 60–155 sq mi, ≈ 39–98 and 155–401 km²).
    area_distribution : {"log-uniform", "uniform"}, default "log-uniform"
        How each animal's true 95 % area is drawn between its sex's bounds.
        Log-uniform (uniform in log area) treats area as a scale parameter:
        a 20–40 sq mi range is as likely as 40–80 sq mi when both fit the
        bounds, so small ranges are not under-represented.
    tau_days : float, default 1.5
        Home-range crossing time :math:`\tau` (position autocorrelation
        timescale), in days, the same for every animal. Lag-``Δt``
        autocorrelation of positions is :math:`e^{-Δt/τ}`.
    habitat : None, habitat.io.raster.Raster, GeoDataFrame or GeoSeries
        Where range centres may lie. ``None`` uses the bundled land cover
        (:func:`habitat.datasets.land_cover`): its ``forest_class`` cells whose
        centres lie inside the Land of the Leopard National Park polygon
        buffered by ``park_buffer_km``. A ``Raster`` uses all its
        ``forest_class`` cells. Polygons (any declared CRS) allow anywhere
        inside them. Centres are uniform within the chosen cells/polygons.
    forest_class : int, default 1
        Land-cover class code of forest in a habitat raster.
    park_buffer_km : float, default 5
        Buffer around the park polygon, in kilometres; used only when
        ``habitat`` is None.
    n_candidates : int, default 10
        Centres are spread by best-candidate sampling: for each animal this
        many candidate points are drawn in the habitat and the one farthest
        from the centres already placed *for the same sex* is kept (so males
        are spaced apart, females are spaced apart, and females may sit inside
        male ranges, as in leopards). ``1`` gives independent uniform centres.
    crs : CRS-like, default "EPSG:4326"
        CRS of the returned fixes. Simulation is done in EPSG:32652 metres.
    start : str or pandas.Timestamp, default "2025-01-01T00:00Z"
        Time of the first scheduled fix; must carry a time zone (converted to
        UTC).
    fix_success : float, default 1.0
        Probability that a scheduled fix succeeds, in (0, 1]. Failed fixes
        (GPS failures) are dropped independently at random; the movement
        itself is simulated on the full schedule.
    location_error_m : float, default 0
        Standard deviation of Gaussian GPS location error per axis, in
        metres, added to the returned fixes (not to the movement or truth).

    Returns
    -------
    Simulation
        Named tuple ``(fixes, truth)``; see :class:`Simulation`.

    Raises
    ------
    InputError
        For a bad parameter (negative counts, reversed area bounds,
        non-positive interval...), with the fix in the message.
    EmptyDataError
        If the habitat has no forest cells (or no area).
    GeometryTypeError
        If a habitat layer holds non-polygons.
    CRSError, TimestampError
        For an unknown ``crs`` or a ``start`` without a time zone.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> box = gpd.GeoSeries([shapely.box(131.0, 43.0, 131.5, 43.3)], crs="EPSG:4326")
    >>> fixes, truth = simulate_relocations(n_females=2, n_males=1, days=10, habitat=box)
    >>> len(fixes), list(truth.index)
    (180, ['F01', 'F02', 'M01'])
    """
    o = _checked_options(
        n_females=n_females,
        n_males=n_males,
        days=days,
        fix_interval_h=fix_interval_h,
        female_area_sq_mi=female_area_sq_mi,
        male_area_sq_mi=male_area_sq_mi,
        area_distribution=area_distribution,
        tau_days=tau_days,
        forest_class=forest_class,
        park_buffer_km=park_buffer_km,
        n_candidates=n_candidates,
        crs=crs,
        start=start,
        fix_success=fix_success,
        location_error_m=location_error_m,
    )
    n_f, n_m, step_h, tau = o.n_females, o.n_males, o.step_h, o.tau_days
    f_lo, f_hi, m_lo, m_hi = o.female_bounds + o.male_bounds
    success, err_m, buffer_km, out_crs, t0, n_steps = (
        o.success,
        o.error_m,
        o.buffer_km,
        o.crs,
        o.start,
        o.n_steps,
    )

    rng = np.random.default_rng(seed)
    sampler = _Sampler(habitat, forest_class=forest_class, park_buffer_km=buffer_km)

    # --- per-animal truth (females first, then males)
    names = [f"F{i + 1:02d}" for i in range(n_f)] + [f"M{i + 1:02d}" for i in range(n_m)]
    sex = np.array(["F"] * n_f + ["M"] * n_m)
    area_sq_mi = np.concatenate(
        [
            _draw_areas(f_lo, f_hi, n_f, area_distribution, rng),
            _draw_areas(m_lo, m_hi, n_m, area_distribution, rng),
        ]
    )
    area_km2 = convert_area(area_sq_mi, "sq_mi", "km2")
    sigma = np.asarray(sigma_for_area_m(area_km2, 0.95), dtype=float).reshape(-1)
    centres = np.vstack(
        [
            _spread_centres(sampler, n_f, n_candidates, rng),
            _spread_centres(sampler, n_m, n_candidates, rng),
        ]
    )

    # --- movement: exact OU, all animals at once
    dev = ou_deviations(n_steps, sigma_m=sigma, tau_days=tau, step_days=step_h / 24.0, rng=rng)
    xy = centres[:, None, :] + dev  # (n, T, 2)
    if err_m > 0:
        xy = xy + rng.normal(0.0, err_m, size=xy.shape)
    keep = rng.uniform(size=xy.shape[:2]) < success if success < 1 else None

    n = len(names)
    times = pd.date_range(t0, periods=n_steps, freq=pd.Timedelta(hours=step_h))
    animal = np.repeat(np.arange(n), n_steps)
    step = np.tile(np.arange(n_steps), n)
    flat = xy.reshape(-1, 2)
    if keep is not None:
        k = keep.reshape(-1)
        animal, step, flat = animal[k], step[k], flat[k]

    to_wgs = Transformer.from_crs(UTM_52N, WGS84, always_xy=True)
    if out_crs.equals(UTM_52N):
        px, py = flat[:, 0], flat[:, 1]
    else:
        px, py = Transformer.from_crs(UTM_52N, out_crs, always_xy=True).transform(
            flat[:, 0], flat[:, 1]
        )
    fixes = gpd.GeoDataFrame(
        {
            "individual": pd.array(np.asarray(names, dtype=object)[animal], dtype="str"),
            "sex": pd.array(sex[animal].astype(object), dtype="str"),
            "timestamp": times[step],
        },
        geometry=_points(px, py),
        crs=out_crs,
    )

    lon, lat = to_wgs.transform(centres[:, 0], centres[:, 1])
    a95 = true_area_km2(sigma, 0.95)
    a50 = true_area_km2(sigma, 0.5)
    truth = pd.DataFrame(
        {
            "sex": pd.array(sex.astype(object), dtype="str"),
            "centre_x_m": centres[:, 0],
            "centre_y_m": centres[:, 1],
            "centre_lon": lon,
            "centre_lat": lat,
            "sigma_m": sigma,
            "tau_days": np.full(n, tau),
            "true_area_95_km2": a95,
            "true_area_95_sq_mi": convert_area(a95, "km2", "sq_mi"),
            "true_area_50_km2": a50,
            "true_area_50_sq_mi": convert_area(a50, "km2", "sq_mi"),
            "n_fixes": np.bincount(animal, minlength=n),
        },
        index=pd.Index(names, name="individual", dtype="str"),
    )
    return Simulation(fixes, truth)


# --------------------------------------------------------------------- land cover

#: Default origin (top-left corner, EPSG:32652 metres) of a simulated land cover: SW Primorsky.
LAND_COVER_ORIGIN: tuple[float, float] = (640_000.0, 4_820_000.0)
#: Default autocorrelation scale of a simulated land cover, in cells (Gaussian kernel σ).
LAND_COVER_CORRELATION_CELLS: float = 8.0
_STRIP_CELLS = 1 << 18  # cells per strip of the thresholding passes (2 MB of int64)
_HIST_BINS = 1 << 16


def _check_shape(shape: Any) -> tuple[int, int]:
    try:
        rows, cols = (int(v) for v in shape)
        ok = all(float(v) == int(v) for v in shape)
    except (TypeError, ValueError):
        ok = False
    if not ok or rows < 1 or cols < 1:
        raise InputError(
            f"shape={shape!r} is not a (rows, cols) pair of positive whole numbers; give e.g. "
            "shape=(2000, 2000)."
        )
    return rows, cols


def _check_proportions(proportions: Any, n_classes: int) -> np.ndarray:
    if proportions is None:
        return np.full(n_classes, 1.0 / n_classes)
    try:
        p = np.asarray(proportions, dtype=float).ravel()
    except (TypeError, ValueError):
        p = np.array([np.nan])
    if p.size != n_classes or not np.all(np.isfinite(p)) or np.any(p < 0):
        raise InputError(
            f"proportions={proportions!r} must be {n_classes} non-negative shares, one per "
            f"class 1..{n_classes} (n_classes={n_classes}); e.g. proportions="
            f"{[round(1 / n_classes, 3)] * n_classes}."
        )
    if not math.isclose(float(p.sum()), 1.0, abs_tol=1e-6):
        raise InputError(
            f"proportions={proportions!r} sum to {float(p.sum()):.6g}, not 1; give shares "
            "of the landscape that sum to 1 (divide by their sum if they are counts)."
        )
    return p


def _strips(n_rows: int, n_cols: int) -> range:
    return range(0, n_rows, max(1, _STRIP_CELLS // n_cols))


def _rank_thresholds(field: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Values ``t_k`` of ``field`` with exactly ``ranks[k]`` cells ``<= t_k`` (ties aside).

    One histogram of ``2**16`` bins over the field finds the bin of each rank;
    the values in that bin alone are then partitioned. Memory: a strip of the
    field and the values of one bin, never a copy of the field.
    """
    n = field.size
    lo, hi = float(field.min()), float(field.max())
    out = np.empty(ranks.size, dtype=field.dtype)
    if lo == hi:  # a constant field (one cell, or no variation): the ranks cannot be met
        out[:] = np.where(ranks >= n, np.inf, -np.inf)
        return out
    # float64 edges (float32 ones would collide on a narrow range)
    counts, edges = np.histogram(field, bins=_HIST_BINS, range=(np.float64(lo), np.float64(hi)))
    cum = np.cumsum(counts)
    rows, cols = field.shape
    for k, rank in enumerate(ranks):
        if rank <= 0:
            out[k] = -np.inf
            continue
        if rank >= n:
            out[k] = np.inf
            continue
        b = int(np.searchsorted(cum, rank))  # first bin whose cumulative count reaches rank
        before = int(cum[b - 1]) if b else 0
        e0, e1 = edges[b], edges[b + 1]
        last = b == _HIST_BINS - 1  # numpy's last bin is closed on the right
        parts = []
        for r0 in _strips(rows, cols):
            s = field[r0 : r0 + max(1, _STRIP_CELLS // cols)]
            m = (s >= e0) & ((s <= e1) if last else (s < e1))
            parts.append(s[m])
        vals = np.concatenate(parts)
        j = int(rank - before) - 1
        out[k] = np.partition(vals, j)[j]
    return out


def simulate_land_cover(
    shape: tuple[int, int],
    *,
    n_classes: int = 4,
    correlation_cells: float = LAND_COVER_CORRELATION_CELLS,
    proportions: Sequence[float] | np.ndarray | None = None,
    seed: int | None = 0,
    cell_size_m: float = 30.0,
    crs: Any = "EPSG:32652",
    origin: tuple[float, float] | None = None,
    nodata: int | None = None,
    class_names: Sequence[str] | None = None,
) -> Raster:
    r"""Simulate a categorical land-cover raster with autocorrelated patches.

    White Gaussian noise, one value per cell, is smoothed with a Gaussian
    kernel of standard deviation ``correlation_cells`` cells
    (:func:`scipy.ndimage.gaussian_filter`, periodic boundaries, so the field
    is stationary up to the raster's edges) and cut at its own quantiles: the
    cells of the lowest ``proportions[0]`` share of values are class 1, the
    next ``proportions[1]`` class 2, and so on. The classes therefore get the
    requested shares exactly (to one cell: counts are
    ``round(cumsum(proportions) * n_cells)``), and form blobs whose width
    grows with ``correlation_cells`` (neighbouring cells share a class far
    more often than independent cells would). This is the usual "Gaussian
    random field" neutral landscape model (e.g. Gardner 1999, *RULE*; the
    ``nlmpy`` package's ``randomClusterNN`` is a relative). It is meant for
    tests and benchmarks of landscape metrics, not as a model of any real
    land cover.

    Memory: the field is float32 and filtered in place, and the thresholds
    come from a histogram, so the peak is about 5 bytes a cell plus ~50 MB
    (the float32 field and the uint8 result): about 0.37 GB for
    8,000 × 8,000 cells (64 M), which take about 10 s on one core (mostly the
    filter, whose time grows with ``correlation_cells``).

    Parameters
    ----------
    shape : (int, int)
        Number of (rows, cols).
    n_classes : int, default 4
        Number of classes, 1 to 254; cells hold the values ``1..n_classes``.
    correlation_cells : float, default 8
        Standard deviation of the Gaussian smoothing kernel, in cells (≥ 0; 0
        gives independent cells). Patches are a few times this wide.
    proportions : sequence of float, optional
        Share of the cells of each class ``1..n_classes`` (non-negative, sum 1);
        equal shares by default.
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed and parameters
        give the same raster. ``None`` draws fresh entropy.
    cell_size_m : float, default 30
        Side of the square cells, in metres (30 m: Landsat-derived land cover).
    crs : CRS-like, default "EPSG:32652"
        A projected CRS in metres (WGS 84 / UTM 52N by default).
    origin : (float, float), optional
        Map coordinates (x, y) of the raster's top-left corner, in ``crs``
        units; default :data:`LAND_COVER_ORIGIN` (SW Primorsky in UTM 52N).
    nodata : int, optional
        Nodata value to declare on the raster (no cell holds it: set cells to
        it afterwards to simulate gaps). Must lie in 0..255 outside
        ``1..n_classes``.
    class_names : sequence of str, optional
        Names of classes ``1..n_classes``; default ``"class 1"``, ``"class 2"``...

    Returns
    -------
    habitat.io.raster.Raster
        uint8 values ``1..n_classes``, north-up with square ``cell_size_m``
        cells, ``classes`` naming each value, ``nodata`` as given.

    Raises
    ------
    InputError
        For a bad shape, class count, correlation, proportions, cell size,
        origin, nodata value or names, saying which and how to fix it.
    ProjectedCRSRequiredError, CRSError
        For a CRS in degrees or not in metres, or an unknown CRS.

    Examples
    --------
    >>> cover = simulate_land_cover((200, 300), proportions=[0.5, 0.2, 0.2, 0.1], seed=1)
    >>> cover.shape, cover.array.dtype.name, cover.cell_size_m, cover.crs.to_epsg()
    ((200, 300), 'uint8', 30.0, 32652)
    >>> cover.classes
    {1: 'class 1', 2: 'class 2', 3: 'class 3', 4: 'class 4'}
    >>> np.bincount(cover.array.ravel()).tolist()  # exactly the shares of 60,000 cells
    [0, 30000, 12000, 12000, 6000]

    Neighbours share a class far more often than the 34 % of independent cells:

    >>> a = cover.array
    >>> round(float((a[:, 1:] == a[:, :-1]).mean()), 2)
    0.93
    """
    from scipy import ndimage  # imported here: only this function needs scipy.ndimage

    from habitat.core.crs import require_measurement_crs
    from habitat.io.raster import Raster

    rows, cols = _check_shape(shape)
    if isinstance(n_classes, bool) or not isinstance(n_classes, int | np.integer):
        raise InputError(f"n_classes must be a whole number from 1 to 254, not {n_classes!r}.")
    n = int(n_classes)
    if not 1 <= n <= 254:
        raise InputError(
            f"n_classes={n} is outside 1..254: the classes are uint8 values 1..n_classes."
        )
    sigma = _check_nonnegative("correlation_cells", correlation_cells, "cells")
    p = _check_proportions(proportions, n)
    cell = _check_positive("cell_size_m", cell_size_m, "metres", " E.g. 30 for Landsat cells.")
    out_crs = require_measurement_crs(crs, purpose="distances", name="crs")
    x0, y0 = LAND_COVER_ORIGIN if origin is None else _check_origin(origin)
    if nodata is not None and (
        isinstance(nodata, bool)
        or not isinstance(nodata, int | np.integer)
        or not 0 <= int(nodata) <= 255
        or 1 <= int(nodata) <= n
    ):
        raise InputError(
            f"nodata={nodata!r} must be a whole number in 0..255 that is not a class "
            f"(classes are 1..{n}); e.g. nodata=0."
        )
    if class_names is None:
        names = [f"class {k}" for k in range(1, n + 1)]
    else:
        names = [str(v) for v in class_names] if not isinstance(class_names, str) else []
        if len(names) != n:
            raise InputError(
                f"class_names={class_names!r} must name each of the {n} classes 1..{n}."
            )

    rng = np.random.default_rng(seed)
    field = rng.standard_normal((rows, cols), dtype=np.float32)
    if sigma > 0:
        ndimage.gaussian_filter(field, sigma, output=field, mode="wrap")
    ranks = np.rint(np.cumsum(p[:-1]) * field.size).astype(np.int64)
    thresholds = _rank_thresholds(field, ranks)
    array = np.empty((rows, cols), dtype=np.uint8)
    step = max(1, _STRIP_CELLS // cols)
    for r0 in _strips(rows, cols):
        idx = np.searchsorted(thresholds, field[r0 : r0 + step], side="left")
        array[r0 : r0 + step] = idx + 1  # class k + 1 above k thresholds
    del field
    return Raster(
        array,
        (cell, 0.0, x0, 0.0, -cell, y0),
        out_crs,
        nodata=None if nodata is None else int(nodata),
        classes={k + 1: name for k, name in enumerate(names)},
    )


def _check_nonnegative(name: str, value: Any, unit: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if isinstance(value, bool) or not math.isfinite(v) or v < 0:
        raise InputError(f"{name}={value!r} must be a finite number >= 0 ({unit}).")
    return v


def _check_origin(origin: Any) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in origin)
    except (TypeError, ValueError):
        x = y = float("nan")
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InputError(
            f"origin={origin!r} must be the (x, y) map coordinates of the top-left corner, "
            "in the CRS's metres; e.g. origin=(640000, 4820000) in UTM 52N."
        )
    return x, y

"""Brownian bridge movement model (BBMM) home ranges (Horne et al. 2007).

Between two successive fixes ``a`` (time ``t_a``) and ``b`` (``t_b``), with
``T = t_b - t_a`` and ``alpha = (t - t_a) / T``, the animal's position at time
``t`` is modelled as bivariate normal, isotropic, with

* mean ``mu(alpha) = x_a + alpha * (x_b - x_a)``,
* variance per axis
  ``sigma2(alpha) = T * alpha * (1 - alpha) * sigma2_m
  + (1 - alpha)**2 * delta_a**2 + alpha**2 * delta_b**2``,

where ``sigma2_m`` is the Brownian motion variance (m² per hour here) and
``delta`` the standard deviation of the location error (m). The utilisation
distribution is the time average of these densities over the whole track,
``UD(z) = sum_i integral_0^{T_i} phi(z; mu_i(t), sigma2_i(t)) dt / sum_i T_i``,
i.e. each leg weighted by its duration (Horne et al. 2007, eq. 3).

Numerics: each leg's time integral uses the midpoint rule with
``steps_per_leg`` values of ``alpha`` (adehabitatHR ``kernelbb`` uses a fixed
number of ``alpha`` steps per leg too, ``nalpha = 25``). Each normal density is
integrated *exactly over each grid cell* (differences of the normal CDF, which
are separable in x and y), instead of being sampled at the cell centre, so
that bridges narrower than a cell keep their mass; the grid is then the matrix
product of the per-sample x and y cell probabilities. The UD is normalised to
volume 1 over the grid.

Motion variance: by default Horne et al.'s (2007) maximum likelihood, which
treats every other fix (``1, 3, 5, ...``) as the middle of an independent
bridge between its neighbours. adehabitatHR 0.4.22's ``liker`` (Calenge 2006)
uses *every* interior fix as a bridge's middle (its C routine ``CVL`` resets
its every-other-fix counter inside the loop, so no fix is skipped after the
first). On adehabitatLT's puechcirc and bear, Horne's rule gives motion
variances 12 % lower to 11 % higher than ``liker``'s.
``motion_variance_rule="adehabitatHR"`` selects ``liker``'s rule; the
result's ``motion_variance_rule`` column says which rule gave the variance
(``"given"`` when it was passed in).

Isopleths follow the adehabitatHR / KDE rule: cells are ranked by UD
(descending), their cumulative volume ``V`` is computed, the area at level
``p`` is (number of cells with ``V <= p``) × cell area, and the polygon is the
``p`` contour of the ``V`` surface.

References
----------
Horne, J. S., Garton, E. O., Krone, S. M. & Lewis, J. S. (2007). Analyzing
animal movements using Brownian bridges. *Ecology* 88(9): 2354-2363.

Calenge, C. (2006). The package adehabitat for the R software: a tool for the
analysis of space and habitat use by animals. *Ecological Modelling* 197:
516-519.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import shapely
from scipy.optimize import minimize_scalar
from scipy.special import ndtr

from habitat.core.errors import DataQualityWarning, InputError
from habitat.homerange.base import (
    MIN_FIXES,
    Estimate,
    GridTooSmallWarning,
    check_levels,
    check_xy,
    grid_problems,
    refuse_unknown_options,
)
from habitat.homerange.grid import filled_region

__all__ = [
    "MOTION_VARIANCE_RULES",
    "UDGrid",
    "bridge_ud",
    "estimate",
    "motion_variance_ml",
    "utilization_distribution",
]

#: Default standard deviation of the location error, m (a typical GPS collar).
DEFAULT_LOCATION_ERROR_M = 30.0

#: Default number of cells on the longer side of the grid.
DEFAULT_CELLS_LONG_SIDE = 200

#: Largest grid accepted (cells), to keep memory bounded.
MAX_CELLS = 25_000_000

_NS_PER_HOUR = 3.6e12

#: Rules for choosing the fixes that the motion-variance likelihood treats as
#: bridge middles: ``"horne"`` every other fix (Horne et al. 2007),
#: ``"adehabitatHR"`` every interior fix (adehabitatHR ``liker``).
MOTION_VARIANCE_RULES = ("horne", "adehabitatHR")

MotionVarianceRule = Literal["horne", "adehabitatHR"]


@dataclass
class UDGrid:
    """A utilisation distribution on a regular grid.

    Attributes
    ----------
    density : numpy.ndarray, shape (ny, nx)
        UD in 1/m² at each cell; ``density.sum() * cell_size_m**2 == 1``.
        Row ``j`` is at ``y[j]``, column ``i`` at ``x[i]``.
    x, y : numpy.ndarray
        Cell-centre coordinates in metres, ascending.
    cell_size_m : float
        Cell side in metres.
    motion_variance_m2_per_h : float
        Brownian motion variance used, m² per hour.
    mass_in_grid : float
        Fraction of the bridges' probability mass that fell inside the grid
        before normalisation (close to 1 unless ``margin_m`` was too small).
    motion_variance_rule : str
        Which rule estimated the motion variance: ``"horne"``,
        ``"adehabitatHR"`` (see :func:`motion_variance_ml`), or ``"given"``
        when it was passed in.

    Examples
    --------
    Returned by :func:`bridge_ud`; five hourly fixes 1 km apart on a line:

    >>> line = np.column_stack([np.arange(5) * 1000.0, np.zeros(5)])
    >>> hours_ns = np.arange(5) * 3_600_000_000_000
    >>> ud = bridge_ud(line, timestamps_ns=hours_ns, motion_variance_m2_per_h=10_000.0,
    ...                cell_size_m=50.0)
    >>> ud.density.shape, ud.cell_size_m, ud.motion_variance_m2_per_h
    ((9, 89), 50.0, 10000.0)
    >>> ud.motion_variance_rule
    'given'
    >>> round(float(ud.density.sum()) * ud.cell_size_m**2, 6)  # volume 1
    1.0
    """

    density: np.ndarray
    x: np.ndarray
    y: np.ndarray
    cell_size_m: float
    motion_variance_m2_per_h: float
    mass_in_grid: float
    motion_variance_rule: str = "given"


# ----------------------------------------------------------------- validation


def _check_track(
    xy: Any, timestamps_ns: Any, min_fixes: int = MIN_FIXES
) -> tuple[np.ndarray, np.ndarray]:
    """Validate coordinates and times; return xy (m) and times in hours from the first fix."""
    pts = check_xy(xy, method="BBMM", min_fixes=min_fixes)
    if timestamps_ns is None:
        raise InputError(
            "BBMM needs the time of every fix (timestamps_ns): the Brownian bridges "
            "are built between successive fixes in time. Pass the fixes' timestamps, "
            "or use a method that ignores time (kde, mcp, locoh)."
        )
    t = np.asarray(timestamps_ns)
    if np.issubdtype(t.dtype, np.datetime64):
        t = t.astype("datetime64[ns]").view(np.int64)
    if not np.issubdtype(t.dtype, np.integer):
        raise InputError(
            f"BBMM: timestamps_ns must be int64 epoch nanoseconds, got dtype {t.dtype}."
        )
    t = t.astype(np.int64)
    if t.ndim != 1 or t.shape[0] != pts.shape[0]:
        raise InputError(
            f"BBMM: timestamps_ns must hold one time per fix ({pts.shape[0]}), got shape {t.shape}."
        )
    dt = np.diff(t)
    if (dt <= 0).any():
        bad = np.flatnonzero(dt <= 0) + 1
        shown = ", ".join(str(i) for i in bad[:5])
        kind = "duplicate" if (dt == 0).any() else "out-of-order"
        raise InputError(
            f"BBMM: timestamps must be strictly increasing, found {kind} times at fixes "
            f"{shown}; sort the fixes by time and drop duplicates "
            "(habitat.io.cleaning) before estimating."
        )
    hours = (t - t[0]).astype(float) / _NS_PER_HOUR
    return pts, hours


def _check_location_error(location_error_m: Any, n: int) -> np.ndarray:
    err = np.asarray(location_error_m, dtype=float)
    if err.ndim == 0:
        err = np.full(n, float(err))
    if err.shape != (n,):
        raise InputError(
            f"BBMM: location_error_m must be one number or one per fix ({n}), "
            f"got shape {err.shape}."
        )
    if not (np.isfinite(err).all() and (err >= 0).all()):
        raise InputError(
            "BBMM: location_error_m (standard deviation of the location error, m) "
            "must be finite and >= 0."
        )
    return err


def _positive(name: str, value: Any, unit: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"BBMM: {name} must be a number in {unit}, got {value!r}.") from exc
    if not (math.isfinite(v) and v > 0):
        raise InputError(f"BBMM: {name} must be a positive number in {unit}, got {value!r}.")
    return v


# ---------------------------------------------------------- motion variance


def _check_rule(rule: Any) -> MotionVarianceRule:
    if rule not in MOTION_VARIANCE_RULES:
        raise InputError(
            f"BBMM: motion_variance_rule must be 'horne' (Horne et al. 2007, every other "
            f"fix) or 'adehabitatHR' (adehabitatHR liker, every interior fix), got {rule!r}."
        )
    return cast("MotionVarianceRule", rule)


def motion_variance_ml(
    xy: Any,
    timestamps_ns: Any,
    location_error_m: Any,
    *,
    middle_fix_error: bool = False,
    motion_variance_rule: MotionVarianceRule = "horne",
) -> float:
    """Maximum-likelihood Brownian motion variance (Horne et al. 2007).

    With the default ``motion_variance_rule="horne"``, the odd fixes
    ``i = 1, 3, 5, ...`` (0-based) are treated as independent
    observations of the bridges between fixes ``i - 1`` and ``i + 1``: with
    ``T = t_{i+1} - t_{i-1}`` and ``alpha = (t_i - t_{i-1}) / T``, fix ``i`` is
    bivariate normal, isotropic, with mean
    ``x_{i-1} + alpha (x_{i+1} - x_{i-1})`` and variance per axis
    ``T alpha (1 - alpha) sigma2_m + (1 - alpha)² delta_{i-1}² + alpha² delta_{i+1}²``.
    The likelihood is maximised over ``log sigma2_m`` (grid search, then
    bounded Brent), as adehabitatHR ``liker`` does.

    With ``motion_variance_rule="adehabitatHR"`` every interior fix
    ``i = 1, 2, ..., n - 2`` is such a middle, as in adehabitatHR 0.4.22's
    ``liker`` (C routine ``CVL``: its "indices of odd locations" counter is
    reset inside the loop, so after the first fix every fix is used). The
    bridges then share fixes and are not independent, so this is a
    composite likelihood; it is offered to reproduce adehabitatHR. ``liker``
    takes the maximum over a grid of ``le = 1000`` values of ``sig1`` (m per
    root second) that the user bounds; here the maximum is located to about
    1e-8 relative, so the two agree up to ``liker``'s grid step. ``liker``
    has one location error ``sig2`` for all fixes; a per-fix
    ``location_error_m`` generalises it in the same way as for Horne's rule.

    Horne et al.'s variance describes the *true* position on the bridge, but
    the middle fix is itself observed with error, so their estimate absorbs
    about ``delta_i² / (T alpha (1 - alpha))`` of spurious motion variance
    (Pozdnyakov et al. 2014, Ecology 95: 2227). ``middle_fix_error=True`` adds
    ``delta_i²`` to the variance, which removes that bias; the default keeps
    Horne et al.'s (and adehabitatHR's, and move's) definition.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres, in time order.
    timestamps_ns : array_like of int64, shape (n,)
        Epoch nanoseconds, strictly increasing.
    location_error_m : float or array_like, shape (n,)
        Standard deviation of the location error per axis, m.
    middle_fix_error : bool
        Also count the location error of the middle fix (see above).
    motion_variance_rule : {"horne", "adehabitatHR"}
        Which fixes are bridge middles: every other fix (``"horne"``, Horne et
        al. 2007, the default) or every interior fix (``"adehabitatHR"``,
        adehabitatHR ``liker``).

    Returns
    -------
    float
        ``sigma2_m`` in **m² per hour** (the variance per axis that the animal's
        position gains per hour of Brownian motion).

    Raises
    ------
    InputError
        Missing, unsorted or duplicate times; malformed coordinates or errors;
        an unknown ``motion_variance_rule``.
    InsufficientDataError
        Fewer than 3 fixes.

    Warns
    -----
    DataQualityWarning
        The maximum lies at the lower search bound: the location error alone
        explains the scatter of the fixes, and ``sigma2_m`` is effectively 0.

    Examples
    --------
    A Brownian track with hourly steps of 500 m standard deviation per axis,
    i.e. a true motion variance of 500² = 250,000 m² per hour:

    >>> rng = np.random.default_rng(1)
    >>> xy = np.cumsum(rng.normal(0, 500.0, (2001, 2)), axis=0)
    >>> hours_ns = np.arange(2001) * 3_600_000_000_000
    >>> round(motion_variance_ml(xy, hours_ns, 0.0), -3)
    261000.0

    A 30 m location error explains a little of the scatter:

    >>> round(motion_variance_ml(xy, hours_ns, 30.0), -3)
    260000.0

    adehabitatHR's rule uses every interior fix (twice as many bridges, but
    overlapping):

    >>> round(motion_variance_ml(xy, hours_ns, 0.0, motion_variance_rule="adehabitatHR"), -3)
    253000.0

    References
    ----------
    Horne, J. S., Garton, E. O., Krone, S. M. & Lewis, J. S. (2007). Analyzing
    animal movements using Brownian bridges. *Ecology* 88: 2354-2363.

    Calenge, C. (2006). The package adehabitat for the R software: a tool for
    the analysis of space and habitat use by animals. *Ecological Modelling*
    197: 516-519 (adehabitatHR 0.4.22, ``liker``).
    """
    rule = _check_rule(motion_variance_rule)
    pts, hours = _check_track(xy, timestamps_ns, min_fixes=3)
    err = _check_location_error(location_error_m, pts.shape[0])
    mid = np.arange(1, pts.shape[0] - 1, 1 if rule == "adehabitatHR" else 2)
    before, after = mid - 1, mid + 1
    T = hours[after] - hours[before]
    alpha = (hours[mid] - hours[before]) / T
    mu = pts[before] + alpha[:, None] * (pts[after] - pts[before])
    d2 = ((pts[mid] - mu) ** 2).sum(axis=1)
    bridge = T * alpha * (1 - alpha)
    noise = (1 - alpha) ** 2 * err[before] ** 2 + alpha**2 * err[after] ** 2
    if middle_fix_error:
        noise = noise + err[mid] ** 2

    def nll(log_s: float | np.ndarray) -> np.ndarray:
        var = bridge * np.exp(np.asarray(log_s))[..., None] + noise
        return (np.log(2 * np.pi * var) + d2 / (2 * var)).sum(axis=-1)

    scale = d2 / bridge
    hi = float(max(scale.max(), 1e-12)) * 100.0
    lo = hi * 1e-14
    grid = np.linspace(np.log(lo), np.log(hi), 141)
    values = nll(grid)
    j = int(np.argmin(values))
    if j == 0:
        warnings.warn(
            "BBMM: the location error alone explains the scatter of the fixes; the "
            "maximum-likelihood motion variance is effectively 0 m²/h. Check "
            "location_error_m, or give motion_variance_m2_per_h.",
            DataQualityWarning,
            stacklevel=2,
        )
        return float(lo)
    left, right = grid[max(j - 1, 0)], grid[min(j + 1, grid.size - 1)]
    res = minimize_scalar(
        lambda v: float(nll(v)), bounds=(left, right), method="bounded", options={"xatol": 1e-8}
    )
    return float(np.exp(res.x))


# ------------------------------------------------------------------- the UD

#: Bridge densities are truncated at this many standard deviations from the mean.
TRUNCATE_SD = 5.0


def _cell_mass(
    mu: np.ndarray, sd: np.ndarray, weight: np.ndarray, xe: np.ndarray, ye: np.ndarray
) -> np.ndarray:
    """Sum over samples of ``weight * P(cell)`` for isotropic normals, shape (ny, nx).

    ``P(cell)`` is the exact normal probability of each cell (CDF differences,
    separable in x and y), truncated to a window of ``TRUNCATE_SD`` standard
    deviations. Samples whose window is narrow are scattered into the grid with
    one ``bincount`` per window-size class; wide ones use a dense matrix product.
    """
    nx, ny = xe.size - 1, ye.size - 1
    cs = xe[1] - xe[0]
    flat = np.zeros(nx * ny)
    dense = np.zeros((ny, nx))
    width = 2 * np.ceil(TRUNCATE_SD * sd / cs).astype(np.int64) + 2
    klass = np.ceil(np.log2(np.maximum(width, 2))).astype(np.int64)
    for c in np.unique(klass):
        sel = np.flatnonzero(klass == c)
        w_cells = 1 << int(c)
        if w_cells > 64 or w_cells > nx or w_cells > ny:
            # Wide bridges: the whole grid, as a matrix product per batch.
            chunk = max(1, int(4_000_000 // (nx + ny + 2)))
            for start in range(0, sel.size, chunk):
                b = sel[start : start + chunk]
                s = sd[b, None]
                px = np.diff(ndtr((xe[None, :] - mu[b, 0:1]) / s), axis=1)
                py = np.diff(ndtr((ye[None, :] - mu[b, 1:2]) / s), axis=1)
                dense += (py * weight[b, None]).T @ px
            continue
        offs = np.arange(w_cells)
        edges = np.arange(w_cells + 1)
        chunk = max(1, int(4_000_000 // (w_cells * w_cells)))
        for start in range(0, sel.size, chunk):
            b = sel[start : start + chunk]
            s = sd[b, None]
            ix0 = np.floor((mu[b, 0] - xe[0]) / cs).astype(np.int64) - w_cells // 2 + 1
            iy0 = np.floor((mu[b, 1] - ye[0]) / cs).astype(np.int64) - w_cells // 2 + 1
            ix0 = np.clip(ix0, 0, nx - w_cells)
            iy0 = np.clip(iy0, 0, ny - w_cells)
            px = np.diff(ndtr((xe[ix0[:, None] + edges] - mu[b, 0:1]) / s), axis=1)
            py = np.diff(ndtr((ye[iy0[:, None] + edges] - mu[b, 1:2]) / s), axis=1)
            vals = (py * weight[b, None])[:, :, None] * px[:, None, :]
            idx = (iy0[:, None, None] + offs[None, :, None]) * nx + (ix0[:, None, None] + offs)
            flat += np.bincount(idx.ravel(), weights=vals.ravel(), minlength=nx * ny)
    return dense + flat.reshape(ny, nx)


@refuse_unknown_options
def bridge_ud(
    xy: Any,
    *,
    timestamps_ns: Any,
    location_error_m: Any = DEFAULT_LOCATION_ERROR_M,
    motion_variance_m2_per_h: float | None = None,
    cell_size_m: float | None = None,
    margin_m: float | None = None,
    steps_per_leg: int = 25,
    middle_fix_error: bool = False,
    motion_variance_rule: MotionVarianceRule = "horne",
) -> UDGrid:
    """The Brownian bridge UD of one animal on a regular grid (arrays in, :class:`UDGrid` out).

    Called ``utilization_distribution`` before habitat 0.2; that name now
    belongs to :func:`habitat.homerange.ud.utilization_distribution` (fixes of
    many animals in, rasters out).

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres, in time order.
    timestamps_ns : array_like of int64, shape (n,)
        Epoch nanoseconds, strictly increasing.
    location_error_m : float or array_like, shape (n,)
        Standard deviation of the location error per axis, m. Default 30 m.
    motion_variance_m2_per_h : float, optional
        Brownian motion variance, m² per hour; ``None`` estimates it with
        :func:`motion_variance_ml`. ``0`` is allowed when the location error is
        positive.
    cell_size_m : float, optional
        Grid cell side, m. Default: the grid's longer side has about 200 cells.
    margin_m : float, optional
        Margin added around the fixes' bounding box, m. Default: 4 times the
        largest bridge standard deviation (mid-leg of the longest leg).
    steps_per_leg : int
        Number of ``alpha`` values (midpoint rule) per leg. Default 25.
    middle_fix_error : bool
        Passed to :func:`motion_variance_ml` when the motion variance is
        estimated.
    motion_variance_rule : {"horne", "adehabitatHR"}
        Passed to :func:`motion_variance_ml` when the motion variance is
        estimated: every other fix (Horne et al. 2007, default) or every
        interior fix (adehabitatHR ``liker``) as a bridge's middle.

    Returns
    -------
    UDGrid

    Examples
    --------
    Five hourly fixes 1 km apart on a line: the bridges are symmetric, so the
    UD's centre of mass is the middle fix:

    >>> line = np.column_stack([np.arange(5) * 1000.0, np.zeros(5)])
    >>> hours_ns = np.arange(5) * 3_600_000_000_000
    >>> ud = bridge_ud(line, timestamps_ns=hours_ns, location_error_m=30.0,
    ...                motion_variance_m2_per_h=10_000.0, cell_size_m=50.0)
    >>> cell_m2 = ud.cell_size_m**2
    >>> round(float((ud.density.sum(axis=0) * ud.x).sum() * cell_m2), 6)  # mean x, m
    2000.0
    >>> round(float((ud.density.sum(axis=1) * ud.y).sum() * cell_m2), 6)  # mean y, m
    0.0
    >>> round(ud.mass_in_grid, 4)
    1.0
    """
    pts, hours = _check_track(xy, timestamps_ns)
    n = pts.shape[0]
    err = _check_location_error(location_error_m, n)
    if isinstance(steps_per_leg, bool) or not isinstance(steps_per_leg, int | np.integer):
        raise InputError(f"BBMM: steps_per_leg must be an integer >= 1, got {steps_per_leg!r}.")
    m = int(steps_per_leg)
    if m < 1:
        raise InputError(f"BBMM: steps_per_leg must be an integer >= 1, got {m}.")
    rule: str = _check_rule(motion_variance_rule)
    if motion_variance_m2_per_h is None:
        s2 = motion_variance_ml(
            pts,
            timestamps_ns,
            err,
            middle_fix_error=middle_fix_error,
            motion_variance_rule=motion_variance_rule,
        )
    else:
        rule = "given"
        s2 = float(motion_variance_m2_per_h)
        if not (math.isfinite(s2) and s2 >= 0):
            raise InputError(
                f"BBMM: motion_variance_m2_per_h must be >= 0 (m² per hour), got {s2!r}."
            )

    # Bridge samples: (legs, steps) flattened.
    T = np.diff(hours)
    alpha = (np.arange(m) + 0.5) / m
    a = alpha[None, :]
    mu = pts[:-1, None, :] + a[..., None] * (pts[1:, None, :] - pts[:-1, None, :])
    var = (
        T[:, None] * a * (1 - a) * s2
        + (1 - a) ** 2 * err[:-1, None] ** 2
        + a**2 * err[1:, None] ** 2
    )
    if (var <= 0).any():
        raise InputError(
            "BBMM: a bridge has zero variance: with motion_variance_m2_per_h = 0 the "
            "location error must be > 0 for every fix."
        )
    weight = np.broadcast_to(T[:, None] / m / T.sum(), var.shape).ravel()
    mu = mu.reshape(-1, 2)
    sd = np.sqrt(var).ravel()

    # Grid.
    if margin_m is None:
        margin = 4.0 * float(sd.max())
    else:
        margin = float(margin_m)
        if not (math.isfinite(margin) and margin >= 0):
            raise InputError(f"BBMM: margin_m must be >= 0 (m), got {margin_m!r}.")
    lo = pts.min(axis=0) - margin
    hi = pts.max(axis=0) + margin
    span = hi - lo
    if cell_size_m is None:
        cs = float(span.max()) / DEFAULT_CELLS_LONG_SIDE
    else:
        cs = _positive("cell_size_m", cell_size_m, "metres")
    nx, ny = (int(v) for v in np.maximum(np.ceil(span / cs - 1e-9), 1))
    if nx * ny > MAX_CELLS:
        raise InputError(
            f"BBMM: the grid would have {nx} x {ny} cells (cell_size_m={cs:g}); "
            f"at most {MAX_CELLS} are allowed. Increase cell_size_m."
        )
    centre = (lo + hi) / 2
    x0 = centre[0] - nx * cs / 2
    y0 = centre[1] - ny * cs / 2
    xe = x0 + cs * np.arange(nx + 1)
    ye = y0 + cs * np.arange(ny + 1)

    mass = _cell_mass(mu, sd, weight, xe, ye)
    total = float(mass.sum())
    if not total > 0:
        raise InputError("BBMM: the UD has no mass on the grid; check cell_size_m and margin_m.")
    density = mass / total / (cs * cs)
    return UDGrid(
        density=density,
        x=x0 + cs * (np.arange(nx) + 0.5),
        y=y0 + cs * (np.arange(ny) + 0.5),
        cell_size_m=cs,
        motion_variance_m2_per_h=s2,
        mass_in_grid=min(total, 1.0),
        motion_variance_rule=rule,
    )


def utilization_distribution(xy: Any, **options: Any) -> UDGrid:
    """Deprecated name of :func:`bridge_ud` (same arguments, same result).

    .. deprecated:: 0.2
        ``habitat.homerange.bbmm.utilization_distribution`` is
        :func:`bridge_ud`; :func:`habitat.homerange.ud.utilization_distribution`
        is the UD rasters of many animals.

    Examples
    --------
    >>> import warnings
    >>> line = np.column_stack([np.arange(5) * 1000.0, np.zeros(5)])
    >>> hours_ns = np.arange(5) * 3_600_000_000_000
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     old = utilization_distribution(line, timestamps_ns=hours_ns,
    ...                                    motion_variance_m2_per_h=10_000.0)
    >>> caught[0].category.__name__
    'DeprecationWarning'
    >>> new = bridge_ud(line, timestamps_ns=hours_ns, motion_variance_m2_per_h=10_000.0)
    >>> np.array_equal(old.density, new.density)
    True
    """
    warnings.warn(
        "habitat.homerange.bbmm.utilization_distribution is renamed bridge_ud "
        "(habitat.homerange.ud.utilization_distribution is the UD rasters of many animals); "
        "call habitat.homerange.bbmm.bridge_ud instead",
        DeprecationWarning,
        stacklevel=2,
    )
    return bridge_ud(xy, **options)


# ----------------------------------------------------------------- isopleths


def _cumulative_volume(density: np.ndarray, cell_area: float) -> np.ndarray:
    """Volume of the UD above each cell's value (cells ranked descending), same shape."""
    flat = density.ravel() * cell_area
    order = np.argsort(-flat, kind="stable")
    cum = np.empty_like(flat)
    cum[order] = np.cumsum(flat[order])
    return cum.reshape(density.shape)


def _contour_polygon(x: np.ndarray, y: np.ndarray, cs: float, volume: np.ndarray, p: float) -> Any:
    """The region ``volume <= p`` as a shapely (Multi)Polygon, via contourpy.

    ``contourpy`` filled contours come as outer rings each followed by its
    holes (``FillType.OuterOffset``), so holes need no even-odd pass.
    """
    # Pad with a border above every level so that all contours close.
    z = np.pad(volume, 1, constant_values=2.0)
    xp = np.concatenate([[x[0] - cs], x, [x[-1] + cs]])
    yp = np.concatenate([[y[0] - cs], y, [y[-1] + cs]])
    return filled_region(z, xp, yp, p)


@refuse_unknown_options
def estimate(
    xy: Any,
    *,
    levels: Sequence[float],
    timestamps_ns: Any = None,
    location_error_m: Any = DEFAULT_LOCATION_ERROR_M,
    cell_size_m: float | None = None,
    motion_variance_m2_per_h: float | None = None,
    margin_m: float | None = None,
    steps_per_leg: int = 25,
    middle_fix_error: bool = False,
    motion_variance_rule: MotionVarianceRule = "horne",
) -> list[Estimate]:
    """BBMM isopleths of one animal (Horne et al. 2007).

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres, in time order.
    levels : sequence of float
        Isopleth levels as fractions in (0, 1]. Level 1 is the whole grid, as
        in adehabitatHR; use at most 0.99.
    timestamps_ns : array_like of int64, shape (n,)
        Epoch nanoseconds, strictly increasing. Required.
    location_error_m : float or array_like, shape (n,)
        Standard deviation of the location error per axis, m. Default 30 m
        (a typical GPS collar); give your collar's value.
    cell_size_m : float, optional
        Grid cell side, m. Default: the grid's longer side has about 200 cells.
    motion_variance_m2_per_h : float, optional
        Brownian motion variance, m² per hour. Default: maximum likelihood
        (:func:`motion_variance_ml`).
    margin_m : float, optional
        Margin around the fixes' bounding box, m. Default: 4 times the largest
        bridge standard deviation.
    steps_per_leg : int
        Time steps (midpoint rule) per leg. Default 25.
    middle_fix_error : bool
        Bias-corrected likelihood for the motion variance (see
        :func:`motion_variance_ml`). Default ``False`` (Horne et al. 2007).
    motion_variance_rule : {"horne", "adehabitatHR"}
        Which fixes the motion-variance likelihood treats as bridge middles:
        every other fix (``"horne"``, Horne et al. 2007, default) or every
        interior fix (``"adehabitatHR"``, as adehabitatHR 0.4.22 ``liker``;
        see :func:`motion_variance_ml`). Ignored when
        ``motion_variance_m2_per_h`` is given.

    Returns
    -------
    list of Estimate
        One per level, in the order given. ``area_m2`` is the cell-count area
        (cells with cumulative volume ``<= p`` times the cell area); the
        geometry is the ``p`` contour of the cumulative-volume surface.
        ``params``: ``motion_variance_m2_per_h``, ``motion_variance_rule``
        (``"horne"``, ``"adehabitatHR"``, or ``"given"`` when the variance
        was passed in), ``location_error_m`` (the
        mean if per-fix), ``cell_size_m``, ``contour_area_km2``,
        ``grid_volume`` (UD mass on the grid before normalising, as KDE) and
        ``grid_warning`` (the isopleth reaches the grid edge, or the level is
        above the UD mass on the grid, see
        :func:`habitat.homerange.base.grid_problems`).

    Warns
    -----
    GridTooSmallWarning
        For the levels whose ``grid_warning`` is True.

    Raises
    ------
    InputError
        Missing, unsorted or duplicate timestamps; malformed inputs; a grid that
        is too large.
    InsufficientDataError
        Fewer than 5 fixes.

    Examples
    --------
    200 hourly steps of a Brownian track (true motion variance 250,000 m²/h);
    the motion variance is estimated from the fixes:

    >>> rng = np.random.default_rng(1)
    >>> xy = np.cumsum(rng.normal(0, 500.0, (201, 2)), axis=0)
    >>> hours_ns = np.arange(201) * 3_600_000_000_000
    >>> core, outer = estimate(xy, levels=[0.5, 0.95], timestamps_ns=hours_ns)
    >>> round(core.area_m2 / 1e6, 2), round(outer.area_m2 / 1e6, 2)
    (9.16, 32.74)
    >>> round(outer.params["motion_variance_m2_per_h"], -3), outer.params["grid_warning"]
    (252000.0, False)
    >>> outer.params["motion_variance_rule"]
    'horne'

    adehabitatHR's rule for the motion variance (every interior fix):

    >>> ade = estimate(xy, levels=[0.95], timestamps_ns=hours_ns,
    ...                motion_variance_rule="adehabitatHR")[0]
    >>> ade.params["motion_variance_rule"], round(ade.params["motion_variance_m2_per_h"], -3)
    ('adehabitatHR', 233000.0)
    >>> round(ade.area_m2 / 1e6, 2)
    32.03

    Time is required:

    >>> estimate(xy, levels=[0.95])
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: BBMM needs the time of every fix (timestamps_ns): ...
    """
    levs = check_levels(levels)
    ud = bridge_ud(
        xy,
        timestamps_ns=timestamps_ns,
        location_error_m=location_error_m,
        motion_variance_m2_per_h=motion_variance_m2_per_h,
        cell_size_m=cell_size_m,
        margin_m=margin_m,
        steps_per_leg=steps_per_leg,
        middle_fix_error=middle_fix_error,
        motion_variance_rule=motion_variance_rule,
    )
    cell_area = ud.cell_size_m**2
    volume = _cumulative_volume(ud.density, cell_area)
    edge = np.concatenate([volume[0], volume[-1], volume[:, 0], volume[:, -1]])
    err = np.asarray(location_error_m, dtype=float)
    problems = grid_problems(levs, ud.mass_in_grid)
    out: list[Estimate] = []
    warned: list[float] = []
    for p, problem in zip(levs, problems, strict=True):
        thr = p + 1e-9
        n_cells = int(np.count_nonzero(volume <= thr))
        geom = _contour_polygon(ud.x, ud.y, ud.cell_size_m, volume, thr)
        flag = bool((p < 1 and (edge <= thr).any()) or problem)
        if flag:
            warned.append(p)
        out.append(
            Estimate(
                level=p,
                geometry=geom,
                area_m2=n_cells * cell_area,
                params={
                    "motion_variance_m2_per_h": ud.motion_variance_m2_per_h,
                    "motion_variance_rule": ud.motion_variance_rule,
                    "location_error_m": float(err.mean()),
                    "cell_size_m": ud.cell_size_m,
                    "contour_area_km2": float(shapely.area(geom)) / 1e6,
                    "grid_volume": ud.mass_in_grid,
                    "grid_warning": flag,
                },
            )
        )
    if warned:
        detail = "; ".join(sorted({str(t) for t in problems if t}))
        warnings.warn(
            f"the BBMM grid is too small for level(s) {warned}: the UD volume on the grid is "
            f"{ud.mass_in_grid:.3f} and/or the isopleth reaches the grid edge"
            + (f" ({detail})" if detail else "")
            + ", so areas cannot be trusted (grid_warning is True); leave margin_m at its "
            "default (4 bridge standard deviations) or give a larger one.",
            GridTooSmallWarning,
            stacklevel=2,
        )
    return out

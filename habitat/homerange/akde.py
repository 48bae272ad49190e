r"""Autocorrelated kernel density estimation (AKDE): home ranges with intervals, as ctmm's ``akde``.

Positions of a range-resident animal are a stationary Gaussian process with
mean :math:`\mu`, covariance :math:`\Sigma` and position autocorrelation
:math:`\rho(\tau)` (a fitted :class:`habitat.movement.model.MovementModel`:
IID, OU or OUF). The AKDE is the weighted Gaussian kernel density

.. math::

    \hat f(x) = \sum_{i=1}^n w_i\, N(x;\, x_i,\, H), \qquad H = h^2 \Sigma,
    \qquad \sum_i w_i = 1,

whose scalar bandwidth factor :math:`h` minimises the mean integrated square
error (MISE) of :math:`\hat f` against the Gaussian reference function
:math:`f = N(\mu, \Sigma)` *under the model*, i.e. given the autocorrelation
of the sampled positions (Fleming et al. 2015; ctmm ``bandwidth.R``). With the
standardised semivariance :math:`g(\tau) = 1 - \rho(\tau)` and
:math:`g_{ij} = g(|t_i - t_j|)`, the pair difference is
:math:`x_i - x_j \sim N(0, 2 g_{ij} \Sigma)`, so in two dimensions

.. math::

    2\pi\sqrt{|\Sigma|}\;\mathrm{MISE}(h) =
    \sum_{i,j} \frac{w_i w_j}{2 (g_{ij} + h^2)} - \frac{2}{2 + h^2} + \frac12

(the three terms are :math:`E\!\int\hat f^2`, :math:`-2E\!\int\hat f f` and
:math:`\int f^2`). For IID fixes (:math:`g_{ij} = 1` off the diagonal) it is
:math:`\frac{\sum w^2}{2h^2} + \frac{1 - \sum w^2}{2 + 2h^2} - \frac{2}{2+h^2} + \frac12`,
whose minimiser for :math:`n` equal weights tends to Silverman's
:math:`h = n^{-1/6}`. :math:`h` is searched between the IID optimum for the same
times (autocorrelation can only widen the kernels) and :math:`\sqrt 2` (the
optimum for one fix). The bandwidth's own effective sample size (ctmm's
``DOF.H``) is the :math:`n` whose IID optimum is :math:`h`:

.. math::

    n_H = \frac{(2H)^{-2} - (2+2H)^{-2}}{(2+H)^{-2} - (2+2H)^{-2}}, \qquad H = h^2 .

**Exact and fast sums.** The pair sum is exact over all :math:`n(n-1)/2` pairs
for up to :data:`EXACT_MAX_FIXES` fixes; beyond, ctmm's ``lag.DOF``: the weights
are spread linearly onto a regular time grid of step
:math:`\delta t = \mathrm{median}(\Delta t) / \lceil \mathrm{median}(\Delta t) /
\min(\Delta t) \rceil`, the weighted pair count per lag :math:`k\,\delta t` is their
autocorrelation by FFT, and the off-diagonal counts are rescaled to sum to
:math:`1 - \sum w^2`; the MISE is then a sum over lags.

**Small-sample debiasing** (Fleming & Calabrese 2017; ctmm ``akde.bias`` and
``debias.volume``). The expected covariance of :math:`\hat f` is
:math:`(1 - \bar\rho)\Sigma + H` with :math:`\bar\rho = \sum_{ij} w_i w_j \rho_{ij}`
(the sample variance's deficit plus the kernel), against :math:`\Sigma`; the
variance inflation factor per axis is

.. math::

    b = \left(\frac{|(1 - \bar\rho)\Sigma + H|}{|\Sigma|}\right)^{1/2}
      = 1 - \bar\rho + h^2 ,

and the debiased UD keeps the ranking of the cells but its cumulative mass at
area :math:`a` is the raw one at :math:`b\,a`: every isopleth's area is divided
by :math:`b` (for :math:`n` IID fixes :math:`b = 1 - 1/n + h^2`).

This corrects the covariance only, as ctmm does (its ``summary.UD`` area is
the cell count of this debiased UD). A finite sample's kernel density is not
Gaussian, and its 95 % isopleth encloses less than the Gaussian of the same
covariance: about 5 % less for 100 IID fixes at :math:`h = 0.5`, nothing for
20,000. On simulated OU tracks of known area (4-hourly fixes, 90-365 days,
DOF[area] 50-235) the debiased 95 % area is 0.956-0.977 of the fitted model's
Gaussian area, and ctmm's 95 % interval covers the true area on 91 % of tracks
(the Gaussian area's on 95 %): ``tests/homerange/test_homerange_akde_coverage.py``.
The default interval (``interval="corrected"``) therefore also holds the
interval of the shape-corrected area, the shortfall measured per animal by a
parametric bootstrap under its fitted model (:mod:`habitat.homerange.akde_shape`);
it covers 95.7 % of the same tracks. The point estimate stays ctmm's.

**Area interval** (Fleming et al. 2019 for the chi-square form; ctmm
``CI.UD`` and ``chisq.ci``): with :math:`\nu = 2\,\mathrm{DOF}_{\rm area}` from the
fitted model,

.. math::

    \hat A\,\frac{\chi^2_{\nu}(\alpha/2)}{\nu} \le A \le
    \hat A\,\frac{\chi^2_{\nu}(1-\alpha/2)}{\nu},

the upper bound never below the normal one :math:`\hat A(1 + z_{1-\alpha/2}\sqrt{2/\nu})`.
The bounds' polygons are isopleths of the same debiased UD enclosing the
bound's area (ctmm draws the interval as those contours, ``CI.UD(P=TRUE)``).

**Where this differs from ctmm 1.3.1.** (i) The fast lag sums remove each
fix's own products from the gridded autocorrelation (ctmm's ``lag.DOF`` keeps
the one-step part and rescales, which biases :math:`\bar\rho` by about
:math:`\sum w^2/6` however fine the grid); here they converge to the exact sums.
(ii) Location error (``error_m``: known per fix, fitted with the model, or
the GPS collar default :data:`GPS_RMS_UERE_M`) widens each kernel to
:math:`H + e_i^2 I`; ctmm instead replaces the fixes by their Kalman-smoothed
positions under the error model. (iii) Optimal weights use an active-set QP (exact) or equal
weights within runs of one time step (fast), not ctmm's projected
conjugate-gradient ``PQP.solve``; the MISE optimum agrees to 1e-4. (iv) The
kernels are summed at cell centres (ctmm's midpoint rule, cells a tenth of the
smallest kernel SD) directly, or for many fixes by linear binning and FFT.

References
----------
Fleming, C. H., Fagan, W. F., Mueller, T., Olson, K. A., Leimgruber, P. &
Calabrese, J. M. (2015). Rigorous home range estimation with movement data: a
new autocorrelated kernel density estimator. *Ecology* 96(5), 1182-1188.

Fleming, C. H. & Calabrese, J. M. (2017). A new kernel density estimator for
accurate home-range and species-range area estimation. *Methods in Ecology and
Evolution* 8, 571-579.

Fleming, C. H., Sheldon, D., Fagan, W. F., Leimgruber, P., Mueller, T.,
Nandintsetseg, D., Noonan, M. J., Olson, K. A., Setyawan, E., Sianipar, A. &
Calabrese, J. M. (2018). Correcting for missing and irregular data in
home-range estimation. *Ecological Applications* 28(4), 1003-1010.

Fleming, C. H., Noonan, M. J., Medici, E. P. & Calabrese, J. M. (2019).
Overcoming the challenge of small effective sample sizes in home-range
estimation. *Methods in Ecology and Evolution* 10, 1679-1689.

Noonan, M. J., Tucker, M. A., Fleming, C. H. et al. (2019). A comprehensive
analysis of autocorrelation and bias in home range estimation. *Ecological
Monographs* 89(2), e01344.

ctmm 1.3.1 (``R/bandwidth.R``: ``bandwidth``, ``lag.DOF``; ``R/kde.R``:
``akde``, ``akde.bias``, ``kde``, ``debias.volume``, ``CI.UD``;
``R/stats.R``: ``chisq.ci``).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import shapely
from scipy import stats
from scipy.optimize import minimize_scalar

from habitat.core.errors import InputError, InsufficientDataError
from habitat.homerange.akde_grid import (
    KERNEL_REACH,
    area_at_level,
    cumulative_surface,
    gaussian_mass,
    isopleth,
    level_at_area,
    ranked_cumulative,
)
from habitat.homerange.akde_shape import kde_shape_ratio
from habitat.homerange.akde_weights import fast_optimal_weights, simplex_weights
from habitat.homerange.base import (
    Estimate,
    GridTooSmallWarning,
    check_levels,
    check_xy,
    refuse_unknown_options,
)
from habitat.homerange.grid import (
    UD_MAX_CELLS,
    GridCoarsenedWarning,
    capped_cell_size_m,
    default_cell_size_m,
)
from habitat.io.raster import Raster
from habitat.movement.fit import fit_movement
from habitat.movement.model import MovementModel, chisq_ci

__all__ = [
    "CELLS_PER_BANDWIDTH",
    "EXACT_MAX_FIXES",
    "FAST_MAX_LAGS",
    "GPS_RMS_UERE_M",
    "AKDEBandwidth",
    "akde_bandwidth",
    "akde_bandwidth_details",
    "akde_ud",
    "area_ci",
    "bandwidth_dof",
    "estimate",
    "gps_error_m",
    "lag_weights",
]

#: Largest number of fixes whose pair sums are exact (ctmm: 1000 for its
#: default ``fast=NULL``); more use the lag grid of :func:`lag_weights`.
EXACT_MAX_FIXES = 1000

#: Largest time grid of the fast algorithm (lags); a finer step is coarsened.
FAST_MAX_LAGS = 1 << 22

#: Cells per kernel standard deviation (minor axis) of the default grid: ctmm's
#: ``res = 10``, cells rounded down to a readable size.
CELLS_PER_BANDWIDTH = 10.0

#: The collar default of ``error_m="gps"``: the RMS user-equivalent range error
#: (UERE, m) of a GPS fix, the 2-D RMS location error at HDOP 1. ctmm's
#: "error" vignette (ctmm 1.3.1, ``vignettes/error.Rmd``): "For GPS data, the
#: RMS UERE will typically be 10-15 meters"; the lower end is taken. The
#: per-coordinate SD of a fix is ``UERE * HDOP / sqrt(2)`` (:func:`gps_error_m`).
GPS_RMS_UERE_M = 10.0

_LOG_TINY = 1e-12


class AKDEBandwidth(NamedTuple):
    """The optimal AKDE bandwidth under a movement model, and what the estimator needs from it.

    Returned by :func:`akde_bandwidth_details`.

    Examples
    --------
    >>> bw = akde_bandwidth_details(np.arange(10.0), None)
    >>> bw.algorithm, round(bw.h, 3), float(bw.weights.sum())
    ('iid', 0.804, 1.0)
    """

    H_m2: np.ndarray  #: (2, 2) kernel covariance ``h**2 * sigma`` (m²)
    dof_h: float  #: ctmm's ``DOF.H``: the IID sample size whose optimum is ``h``
    h: float  #: bandwidth factor (dimensionless), ``H = h**2 Sigma``
    bias: float  #: variance inflation factor ``1 - rho_bar + h**2`` (areas are divided by it)
    rho_bar: float  #: weighted mean autocorrelation over all pairs (``sum w_i w_j rho_ij``)
    weights: np.ndarray  #: (n,) weights in the order of the times given, summing to 1
    mise: float  #: MISE at the optimum (1/m²)
    algorithm: str  #: ``"iid"``, ``"exact"`` or ``"fast"``
    dt_s: float  #: time step of the fast algorithm's lag grid (s); nan otherwise


def bandwidth_dof(h: float) -> float:
    r"""The number of IID fixes whose MISE-optimal bandwidth factor is ``h`` (ctmm's ``DOF.H``).

    :math:`n_H = ((2H)^{-2} - (2+2H)^{-2}) / ((2+H)^{-2} - (2+2H)^{-2})`,
    :math:`H = h^2` (the IID optimality condition solved for :math:`n`).

    Examples
    --------
    >>> round(bandwidth_dof(akde_bandwidth_details(np.arange(100.0), None).h), 3)
    100.0
    """
    H = float(h) ** 2
    num = (2.0 * H) ** -2 - (2.0 + 2.0 * H) ** -2
    den = (2.0 + H) ** -2 - (2.0 + 2.0 * H) ** -2
    return float(num / den)


def _times(times_s: Any) -> np.ndarray:
    try:
        t = np.asarray(times_s, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise InputError(f"AKDE: times_s must be numbers of seconds ({exc}).") from exc
    if not np.isfinite(t).all():
        raise InputError("AKDE: times_s has missing (NaN) or infinite values; drop those fixes.")
    return t - (t.min() if len(t) else 0.0)


def _check_weights(weights: Any, n: int) -> tuple[np.ndarray | None, bool]:
    """(fixed weights or None for uniform, optimise?)."""
    if weights is None or weights is False:
        return None, False
    if weights is True:
        return None, True
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape != (n,) or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise InputError(
            f"AKDE: weights must be True (optimal), False/None (equal) or {n} non-negative "
            f"numbers, one per fix; got shape {w.shape}."
        )
    return w / w.sum(), False


def _fast_dt(t_sorted: np.ndarray) -> float:
    dt = np.diff(t_sorted)
    dt = dt[dt > 0]
    if not len(dt):
        return 1.0
    med = float(np.median(dt))
    div = max(math.ceil(med / float(dt.min())), 1)
    step = med / div
    span = float(t_sorted[-1] - t_sorted[0])
    if span / step > FAST_MAX_LAGS - 2:
        step = span / (FAST_MAX_LAGS - 2)
    return step


def lag_weights(
    times_s: Any, weights: Any = None, *, dt_s: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Weighted pair counts per time lag on a regular grid (ctmm's ``lag.DOF``).

    Each fix's weight is spread linearly onto the two grid times around it;
    the autocorrelation of the gridded weights (by FFT), less each fix's
    products with itself, doubled for both orders, is the weight of each lag;
    lag 0 adds :math:`\sum w^2` (the fixes themselves), and all sum to 1.
    Unlike ctmm's ``lag.DOF`` (which keeps a fix's own product at one step
    and rescales), the sums converge to the exact pair sums as the step
    shrinks.

    Parameters
    ----------
    times_s : array_like, shape (n,)
        Fix times in seconds (any origin, any order).
    weights : array_like, optional
        Weights per fix (default equal); normalised to sum 1.
    dt_s : float, optional
        Grid step (s); default the median interval divided by
        ``ceil(median / shortest)`` (ctmm), coarsened so the grid has at most
        :data:`FAST_MAX_LAGS` steps.

    Returns
    -------
    lags_s : numpy.ndarray
        Lags ``k * dt`` with a positive weight (lag 0 first).
    dof : numpy.ndarray
        Their weights, summing to 1.

    Examples
    --------
    Five equally weighted hourly fixes: the lags 1-4 h hold the 20 ordered
    pairs in proportion 4:3:2:1:

    >>> lags, dof = lag_weights(np.arange(5) * 3600.0)
    >>> (lags / 3600).tolist(), (dof * 25).round(6).tolist()
    ([0.0, 1.0, 2.0, 3.0, 4.0], [5.0, 8.0, 6.0, 4.0, 2.0])
    """
    t = _times(times_s)
    n = len(t)
    w = (
        np.full(n, 1.0 / n)
        if weights is None
        else np.asarray(weights, dtype=float) / np.sum(weights)
    )
    order = np.argsort(t, kind="stable")
    t, w = t[order], w[order]
    step = _fast_dt(t) if dt_s is None else float(dt_s)
    idx = (t - t[0]) / step
    lo = np.floor(idx).astype(np.int64)
    p = 1.0 - (idx - lo)
    size = int(lo[-1]) + 2
    grid = np.bincount(lo, weights=w * p, minlength=size) + np.bincount(
        lo + 1, weights=w * (1.0 - p), minlength=size
    )
    nfft = 1 << int(math.ceil(math.log2(2 * size)))
    spec = np.fft.rfft(grid, nfft)
    acf = np.fft.irfft(spec * np.conj(spec), nfft)[:size]
    w2 = float(np.sum(w * w))
    # each fix's own products (lag 0 and one step): not pairs, removed (ctmm keeps the
    # one-step part, which biases rho_bar by about sum(w^2) / 6 however fine the grid)
    acf[0] -= float(np.sum(w * w * (p * p + (1.0 - p) ** 2)))
    if size > 1:
        acf[1] -= float(np.sum(w * w * p * (1.0 - p)))
    dof = np.clip(acf, 0.0, None)
    dof[dof < 1e-14 * max(float(dof.max()), 1e-300)] = 0.0
    dof[1:] *= 2.0  # both orders of each pair
    dof[0] += w2  # the fixes themselves; dof[0] also holds distinct fixes on one grid time
    dof *= 1.0 / float(dof.sum())  # FFT round-off
    keep = np.flatnonzero(dof > 0)
    keep = keep if len(keep) and keep[0] == 0 else np.concatenate([[0], keep])
    return keep * step, dof[keep]


def _iid_mise(h: float, w2: float) -> float:
    H = h * h
    return w2 / (2 * H) + (1 - w2) / (2 + 2 * H) - 2 / (2 + H) + 0.5


def _minimise(func: Any, lo: float, hi: float) -> float:
    res = minimize_scalar(
        lambda lh: func(math.exp(lh)),
        bounds=(math.log(lo), math.log(hi)),
        method="bounded",
        options={"xatol": 1e-9},
    )
    return float(math.exp(res.x))


def _iid_h(w2: float, n: int) -> float:
    """The IID optimum, searched from half Silverman's ``n**(-1/6)`` to sqrt(2) as ctmm."""
    lo = 0.5 * n ** (-1.0 / 6.0)
    return _minimise(lambda h: _iid_mise(h, w2), lo, math.sqrt(2.0))


def _fixed_weight_bandwidth(
    t: np.ndarray,
    w: np.ndarray,
    model: MovementModel,
    h_iid: float,
    *,
    use_fast: bool,
    dt_s: float | None,
) -> tuple[float, float, float, float, str]:
    """(h, rho_bar, mise, dt_s, algorithm) for fixed weights: exact pair sums or the lag grid."""
    w2 = float(np.sum(w * w))
    if use_fast:
        lags, dof = lag_weights(t, w, dt_s=dt_s)
        step = float(dt_s) if dt_s is not None else _fast_dt(np.sort(t))
        rho = np.asarray(model.autocorrelation(lags), dtype=float)
        g = 1.0 - rho
        g[0] = 0.0

        def mise_fn(hh: float) -> float:
            return float(np.sum(dof / (2.0 * (g + hh * hh)))) - 2 / (2 + hh * hh) + 0.5

        h = _minimise(mise_fn, h_iid, math.sqrt(2.0))
        return h, float(np.sum(dof * rho)), mise_fn(h), step, "fast"
    iu, ju = np.triu_indices(len(t), k=1)
    rho = np.asarray(model.autocorrelation(np.abs(t[ju] - t[iu])), dtype=float)
    pw = 2.0 * w[iu] * w[ju]  # both orders of each pair
    g = 1.0 - rho

    def mise_exact(hh: float) -> float:
        H = hh * hh
        return w2 / (2.0 * H) + float(np.sum(pw / (2.0 * (g + H)))) - 2 / (2 + H) + 0.5

    h = _minimise(mise_exact, h_iid, math.sqrt(2.0))
    return h, w2 + float(np.sum(pw * rho)), mise_exact(h), math.nan, "exact"


def akde_bandwidth_details(
    times_s: Any,
    model: MovementModel | None,
    *,
    weights: Any = None,
    fast: bool | None = None,
    dt_s: float | None = None,
) -> AKDEBandwidth:
    r"""The MISE-optimal AKDE bandwidth under a movement model, with its debiasing factor.

    Minimises the MISE of the module docstring over :math:`h` (ctmm
    ``bandwidth``), then computes :math:`n_H` (:func:`bandwidth_dof`) and the
    variance inflation factor :math:`b = 1 - \bar\rho + h^2` (ctmm ``akde.bias``).

    Parameters
    ----------
    times_s : array_like, shape (n,)
        Fix times in seconds.
    model : MovementModel or None
        The fitted model (its ``sigma_m2`` and ``autocorrelation``); ``None``
        means IID with unit covariance (``H_m2`` is then ``h**2 I``).
    weights : None, False, True or array_like
        ``None``/``False``: equal weights; an array: those weights (fixed);
        ``True``: optimal weights (Fleming et al. 2018, see
        :mod:`habitat.homerange.akde_weights`), minimising the MISE jointly
        with :math:`h` (equal weights for an IID model, as ctmm).
    fast : bool, optional
        Force the lag-grid (True) or exact (False) pair sums; default exact up
        to :data:`EXACT_MAX_FIXES` fixes.
    dt_s : float, optional
        Time step of the lag grid (s) when fast (see :func:`lag_weights`).

    Returns
    -------
    AKDEBandwidth

    Raises
    ------
    InputError
        For bad times or weights.
    InsufficientDataError
        For fewer than 2 fixes.

    Examples
    --------
    100 IID fixes: the IID optimum (:math:`n_H = n`), and the debiasing factor
    :math:`1 - 1/n + h^2`:

    >>> bw = akde_bandwidth_details(np.arange(100.0), None)
    >>> round(bw.h, 4), round(bw.dof_h, 3), bw.algorithm
    (0.5022, 100.0, 'iid')
    >>> bool(np.isclose(bw.bias, 1 - 1 / 100 + bw.h**2))
    True
    """
    t = _times(times_s)
    n = len(t)
    if n < 2:
        raise InsufficientDataError(f"AKDE needs at least 2 fixes for a bandwidth, got {n}.")
    fixed, optimise = _check_weights(weights, n)
    w = np.full(n, 1.0 / n) if fixed is None else fixed
    w2 = float(np.sum(w * w))
    sigma = np.eye(2) if model is None else np.asarray(model.sigma_m2, dtype=float)
    iid = model is None or float(model.tau_position_s) <= 0.0

    if iid:
        h = _iid_h(w2, n)
        rho_bar = w2
        mise = _iid_mise(h, w2)
        algorithm, step = "iid", math.nan
    else:
        acf_model: MovementModel = model  # type: ignore[assignment]  # not None: iid above
        use_fast = n > EXACT_MAX_FIXES if fast is None else bool(fast)
        h_iid = _iid_h(float(np.sum(np.full(n, 1.0 / n) ** 2)), n)
        if optimise and use_fast:
            step = float(dt_s) if dt_s is not None else _fast_dt(np.sort(t))
            h, w, rho_bar, mise = fast_optimal_weights(
                t, acf_model.autocorrelation, (h_iid, math.sqrt(2.0)), step
            )
            algorithm = "fast"
        elif optimise:
            lag = np.abs(t[:, None] - t[None, :])
            rho_full = np.asarray(acf_model.autocorrelation(lag), dtype=float)
            g_full = 1.0 - rho_full
            np.fill_diagonal(g_full, 0.0)
            found: dict[float, np.ndarray] = {}
            free = np.ones(n, dtype=bool)  # warm start of the active set from h to h

            def mise_w(hh: float) -> float:
                w_h, quad = simplex_weights(0.5 / (g_full + hh * hh), free=free)
                found[hh] = w_h
                return quad - 2 / (2 + hh * hh) + 0.5

            h = _minimise(mise_w, h_iid, math.sqrt(2.0))
            mise = mise_w(h)
            w = found[h]
            rho_bar = float(w @ rho_full @ w)
            algorithm, step = "exact", math.nan
        else:
            h, rho_bar, mise, step, algorithm = _fixed_weight_bandwidth(
                t, w, acf_model, h_iid, use_fast=use_fast, dt_s=dt_s
            )
    det = float(np.linalg.det(sigma))
    return AKDEBandwidth(
        H_m2=h * h * sigma,
        dof_h=bandwidth_dof(h),
        h=h,
        bias=1.0 - rho_bar + h * h,
        rho_bar=rho_bar,
        weights=w,
        mise=mise / (2.0 * math.pi * math.sqrt(det)) if det > 0 else math.nan,
        algorithm=algorithm,
        dt_s=step,
    )


def akde_bandwidth(
    times_s: Any, model: MovementModel | None, *, weights: Any = None
) -> tuple[np.ndarray, float]:
    r"""The optimal AKDE bandwidth matrix :math:`H = h^2\Sigma` (m²) and its DOF (ctmm ``DOF.H``).

    See :func:`akde_bandwidth_details` for the options and the rest.

    Examples
    --------
    An OU model with :math:`\tau_p` = 1 day and 1 km² per axis, 20 days of
    hourly fixes: the kernels are as wide as for about 31 IID fixes, not 480:

    >>> from habitat.movement.model import MovementModel
    >>> ou = MovementModel.from_parameters(
    ...     "OU", sigma_m2=1e6, tau_position_s=86400.0, dof_area=20.0)
    >>> H, dof = akde_bandwidth(np.arange(480) * 3600.0, ou)
    >>> round(float(np.sqrt(H[0, 0]))), round(dof, 1)
    (635, 30.7)
    """
    bw = akde_bandwidth_details(times_s, model, weights=weights)
    return bw.H_m2, bw.dof_h


def area_ci(area_m2: float, dof_area: float, *, level: float = 0.95) -> tuple[float, float]:
    r"""Confidence interval of a home-range area from its DOF (ctmm ``CI.UD`` / ``chisq.ci``).

    :math:`[\hat A\,\chi^2_\nu(\alpha/2)/\nu,\; \hat A\,\chi^2_\nu(1-\alpha/2)/\nu]`
    with :math:`\nu = 2\,\mathrm{DOF}_{\rm area}` and :math:`\alpha = 1 - \mathrm{level}`;
    the upper bound is raised to the normal bound
    :math:`\hat A (1 + z_{1-\alpha/2}\sqrt{2/\nu})` when that is larger (ctmm: the
    chi-square upper tail is too small for :math:`\nu \ll 1`). DOF 0 gives
    ``(0, inf)``, an infinite DOF the estimate twice.

    Parameters
    ----------
    area_m2 : float
        Point estimate (any unit; the bounds come in the same unit).
    dof_area : float
        Effective sample size of the area (ctmm's ``DOF.area``,
        :attr:`habitat.movement.model.MovementModel.dof_area`).
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    (low, high)

    Examples
    --------
    >>> low, high = area_ci(100.0, 10.0)
    >>> round(low, 2), round(high, 2)
    (47.95, 170.85)
    >>> area_ci(100.0, 0.0)
    (0.0, inf)
    """
    if not 0.0 < level < 1.0:
        raise InputError(f"AKDE: the interval level must be in (0, 1), got {level!r}.")
    return chisq_ci(float(area_m2), dof=2.0 * float(dof_area), level=level)


def _timestamps_s(timestamps_ns: Any, n: int) -> np.ndarray:
    if timestamps_ns is None:
        raise InputError(
            "AKDE needs the time of every fix (timestamps_ns): the bandwidth depends on how "
            "far apart in time the fixes are. Pass the fixes' timestamps, or use kde."
        )
    t = np.asarray(timestamps_ns)
    if np.issubdtype(t.dtype, np.datetime64):
        t = t.astype("datetime64[ns]").view(np.int64)
    if t.shape != (n,):
        raise InputError(f"AKDE: timestamps_ns must have one time per fix ({n}), got {t.shape}.")
    ti = t.astype(np.int64) if np.issubdtype(t.dtype, np.integer) else t.astype(float)
    return (ti - ti.min()).astype(float) / 1e9


def gps_error_m(hdop: Any = 1.0) -> Any:
    r"""The collar-default location-error SD per coordinate of GPS fixes (m): UERE × HDOP / √2.

    ctmm's user-equivalent range error (UERE) is the 2-D RMS error of a fix
    at HDOP 1, so each coordinate's SD is
    :math:`\mathrm{UERE}\cdot\mathrm{HDOP}/\sqrt 2`, with the default
    :data:`GPS_RMS_UERE_M` = 10 m (ctmm's error vignette: "For GPS data, the RMS
    UERE will typically be 10-15 meters").

    Parameters
    ----------
    hdop : float or array_like
        Horizontal dilution of precision of each fix (dimensionless; 1 when
        the collar does not record it).

    Returns
    -------
    float or numpy.ndarray
        SD per coordinate (m), the shape of ``hdop``.

    Raises
    ------
    InputError
        For HDOP values that are not finite and positive.

    Examples
    --------
    >>> round(gps_error_m(), 3), gps_error_m([1.0, 2.0]).round(3).tolist()
    (7.071, [7.071, 14.142])
    """
    d = np.asarray(hdop, dtype=float)
    if not (np.isfinite(d).all() and (d > 0).all()):
        raise InputError(
            "AKDE: HDOP values must be finite and positive (0 or empty usually means not "
            "recorded); drop or flag those fixes, or give error_m per fix."
        )
    e = GPS_RMS_UERE_M * d / math.sqrt(2.0)
    return float(e) if e.ndim == 0 else e


#: ``location_error`` of :func:`estimate` for ``error_m="gps"`` (HDOP 1 for every fix)
GPS_LABEL = f"gps default (UERE {GPS_RMS_UERE_M:g} m, HDOP 1)"
#: the forms ``error_m`` takes, for messages
ERROR_FORMS = (
    "None (no location error; a given model's own error if it has one), a number "
    "(the SD per coordinate in metres), one such number per fix, 'fit' (estimated with "
    "the movement model) or 'gps' (the collar default, UERE 10 m × HDOP 1 / sqrt 2)"
)


def _error_var(error_m: Any, n: int) -> np.ndarray:
    if error_m is None:
        return np.zeros(n)
    if isinstance(error_m, bool | np.bool_):
        raise InputError(f"AKDE: error_m={error_m!r} is not a location error; give {ERROR_FORMS}.")
    try:
        arr = np.asarray(error_m, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"AKDE: error_m={error_m!r} is not one of {ERROR_FORMS}.") from exc
    e = np.broadcast_to(arr, (n,)) if arr.ndim == 0 else arr.ravel()
    if e.shape != (n,) or not np.isfinite(e).all() or (e < 0).any():
        raise InputError(
            f"AKDE: error_m must be one non-negative SD in metres or one per fix ({n})."
        )
    return np.asarray(e, dtype=float) ** 2


def _model_error_m(model: MovementModel, *, asked: str) -> float:
    """The location-error SD (m) of a given model, refused when it has none to give."""
    e = model.error_m
    if e is None or not math.isfinite(float(e)):
        what = (
            "no location error"
            if e is None
            else "per-fix location errors (its error_m is nan), which it does not keep"
        )
        raise InputError(
            f"AKDE: {asked}, but the given model was fitted with {what}; pass the errors as "
            "error_m (one SD in metres or one per fix), or fit the model with "
            "habitat.fit_movement(..., error_m='fit')."
        )
    return float(e)


def _kernel_errors(
    error_m: Any,
    model: MovementModel | None,
    n: int,
) -> tuple[Any, np.ndarray | None, str]:
    """Resolve ``error_m``: (what the fit gets, error variance per fix or None if fitted, label).

    The variance is in the order of the fixes given; None means "the fitted
    model's error" (``error_m="fit"`` without a model).
    """
    if isinstance(error_m, str):
        key = error_m.strip().lower()
        if key == "fit":
            if model is None:
                return "fit", None, "fitted"
            e = _model_error_m(model, asked="error_m='fit' takes the model's fitted error")
            return None, np.full(n, e * e), "from model"
        if key == "gps":
            e = float(gps_error_m())
            return np.full(n, e), np.full(n, e * e), GPS_LABEL
        raise InputError(f"AKDE: error_m={error_m!r} is not one of {ERROR_FORMS}.")
    if error_m is None:
        if model is None or model.error_m is None:
            return None, np.zeros(n), "none"
        e = _model_error_m(model, asked="error_m=None takes the given model's location error")
        return None, np.full(n, e * e), "from model"
    evar = _error_var(error_m, n)
    return np.sqrt(evar), evar, "given"


def _weights_rule(weights: Any) -> str:
    if weights is True:
        return "optimal"
    return "equal" if weights is None or weights is False else "given"


#: the advice of the enormous-gap note of :mod:`habitat.movement.fit` (its wording)
_WEIGHTS_ADVICE = re.compile(r"\buse AKDE's optimal weights \(weights=True\b[^()]*\)")


def _model_notes(notes: Iterable[str], weights: Any) -> str:
    """``model_notes``: the model's notes joined by ``"; "``, the advice taken saying so.

    With the optimal weights (``weights=True``) the enormous-gap note's advice
    to use them reads "AKDE's optimal weights (weights=True) were used"; a
    note not in the fit's wording is left as it is.
    """
    text = "; ".join(notes)
    if _weights_rule(weights) != "optimal":
        return text
    return _WEIGHTS_ADVICE.sub("AKDE's optimal weights (weights=True) were used", text)


def _ci_radius(levels: Sequence[float], dof_area: float, ci_level: float) -> float:
    """Gaussian radius (in SDs) whose ellipse holds the largest upper-bound area."""
    top = max(levels)
    nu = 2.0 * max(dof_area, 1e-3)
    factor = max(float(stats.chi2.isf((1 - ci_level) / 2, nu)) / nu, 1.0)
    factor = max(factor, 1.0 + float(stats.norm.isf((1 - ci_level) / 2)) * math.sqrt(2 / nu))
    r2 = -2.0 * math.log(max(1.0 - top, 1e-12)) * factor * 1.2
    return math.sqrt(min(max(r2, -2.0 * math.log(1e-3)), 100.0))


class _Grid(NamedTuple):
    model: MovementModel
    bandwidth: AKDEBandwidth
    bias: float
    dof_area: float
    mass: np.ndarray
    xg: np.ndarray
    yg: np.ndarray
    cell_size_m: float
    grid_volume: float
    times_s: np.ndarray  # sorted
    error_var_m2: np.ndarray  # in time order
    error_label: str  # where the location error came from (``location_error``)


def _akde_grid(
    arr: np.ndarray,
    timestamps_ns: Any,
    *,
    model: MovementModel | None,
    models: Iterable[str] | None,
    weights: Any,
    error_m: Any,
    cell_size_m: float | None,
    fast: bool | None,
    debias: bool,
    summation: str,
    radius: Callable[[float], float],
) -> _Grid:
    """The model (fitted if None), the bandwidth and the raw AKDE mass on its grid."""
    n = len(arr)
    t = _timestamps_s(timestamps_ns, n)
    order = np.argsort(t, kind="stable")
    arr, t = arr[order], t[order]
    fit_error, evar_given, error_label = _kernel_errors(error_m, model, n)
    if isinstance(weights, np.ndarray | list | tuple):
        weights = np.asarray(weights, dtype=float).ravel()
        if weights.shape == (n,):
            weights = weights[order]
    if model is None:
        err = fit_error if isinstance(fit_error, str) or fit_error is None else fit_error[order]
        model = fit_movement(t, arr, models=models, error_m=err)
    if evar_given is None:  # error_m="fit": the fitted model's error for every kernel
        evar = np.full(n, _model_error_m(model, asked="error_m='fit'") ** 2)
    else:
        evar = evar_given[order]
    dof_area = float(model.dof_area)
    if not dof_area >= 1e-3:
        raise InsufficientDataError(
            f"AKDE: the movement model's area has {dof_area:.3g} effective degrees of freedom "
            "(ctmm refuses below 0.001): the track does not sample the range; collect a longer "
            "track or report the movement model instead."
        )
    bw = akde_bandwidth_details(t, model, weights=weights, fast=fast)
    sigma = np.asarray(model.sigma_m2, dtype=float)
    H = bw.H_m2
    bias = bw.bias if debias else 1.0
    kernel = H[None, :, :] + evar[:, None, None] * np.eye(2)[None, :, :]

    # grid: the fixes plus the kernels' reach, and the Gaussian ellipse of the widest bound
    sd = np.sqrt(np.diagonal(kernel, axis1=1, axis2=2))  # (n, 2)
    minor = float(np.sqrt(np.linalg.eigvalsh(H)[0] + evar.min()))
    cell = (
        default_cell_size_m(minor * 6.0 / CELLS_PER_BANDWIDTH)
        if cell_size_m is None
        else float(cell_size_m)
    )
    if not (math.isfinite(cell) and cell > 0):
        raise InputError(f"AKDE: cell_size_m must be a positive number of metres; got {cell!r}.")
    if summation not in ("auto", "direct", "binned"):
        raise InputError(
            f"AKDE: summation must be 'auto', 'direct' or 'binned', got {summation!r}."
        )
    r = radius(dof_area)
    spread = np.sqrt(np.diag(sigma) * max(bias, 1.0 + bw.h**2))
    mu = np.asarray(model.mean_m, dtype=float)
    lo = np.minimum((arr - KERNEL_REACH * sd).min(axis=0), mu - r * spread)
    hi = np.maximum((arr + KERNEL_REACH * sd).max(axis=0), mu + r * spread)
    bounds = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
    used = capped_cell_size_m(cell, bounds=bounds, max_cells=UD_MAX_CELLS)
    if used != cell:
        warnings.warn(
            f"AKDE grid: {cell:g} m cells would need more than {UD_MAX_CELLS:,} cells; "
            f"using {used:g} m cells.",
            GridCoarsenedWarning,
            stacklevel=4,
        )
        cell = used
    x0, y0 = math.floor(lo[0] / cell) * cell, math.floor(lo[1] / cell) * cell
    nx = int(math.ceil((hi[0] - x0) / cell))
    ny = int(math.ceil((hi[1] - y0) / cell))
    xg = x0 + (np.arange(nx) + 0.5) * cell
    yg = y0 + (np.arange(ny) + 0.5) * cell
    same = bool(np.all(evar == evar[0]))
    mass = gaussian_mass(arr, bw.weights, kernel[0] if same else kernel, xg, yg, method=summation)
    return _Grid(
        model, bw, bias, dof_area, mass, xg, yg, cell, float(mass.sum()), t, evar, error_label
    )


INTERVALS = ("corrected", "ctmm")


def _shape_ratios(
    g: _Grid, levels: Sequence[float], *, interval: str, summation: str
) -> list[float]:
    """The KDE shape ratio per level for ``interval="corrected"``; nan for ctmm's interval."""
    if interval not in INTERVALS:
        raise InputError(
            f"AKDE: interval must be one of {INTERVALS} (the shape-corrected interval or "
            f"ctmm's), got {interval!r}."
        )
    if interval == "ctmm":
        return [math.nan] * len(levels)
    ratio = kde_shape_ratio(
        g.times_s,
        g.model,
        weights=g.bandwidth.weights,
        kernel_m2=g.bandwidth.H_m2,
        error_var_m2=g.error_var_m2,
        cell_size_m=g.cell_size_m,
        levels=levels,
        summation=summation,
    )
    return [float(r) for r in ratio.ratio]


def _interval(area: float, dof_area: float, ci_level: float, ratio: float) -> tuple[float, float]:
    """Ctmm's interval, widened to hold the shape-corrected one (``area / ratio``'s)."""
    low, high = area_ci(area, dof_area, level=ci_level)
    if math.isfinite(ratio) and ratio > 0:
        low, high = min(low, low / ratio), max(high, high / ratio)
    return low, high


@refuse_unknown_options
def estimate(
    xy: Any,
    *,
    levels: Sequence[float] | float,
    timestamps_ns: Any = None,
    model: MovementModel | None = None,
    models: Iterable[str] | None = None,
    weights: Any = False,
    error_m: Any = None,
    cell_size_m: float | None = None,
    fast: bool | None = None,
    debias: bool = True,
    ci_level: float = 0.95,
    interval: str = "corrected",
    summation: str = "auto",
) -> list[Estimate]:
    r"""AKDE home ranges of one animal at each level, with the area interval (ctmm ``akde``).

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        Fixes in metres, in the CRS of the model.
    levels : float or sequence of float
        Fractions in (0, 1) (1 is refused: the UD has unbounded support).
    timestamps_ns : array_like of int64 ns or datetime64, shape (n,)
        Time of each fix (required).
    model : MovementModel, optional
        The fitted movement model, in the CRS of ``xy``. Default: fitted here
        by :func:`habitat.movement.fit_movement` (the candidates ``models``,
        the location error ``error_m``), the smallest AICc.
    models : iterable of str, optional
        Candidates for the fit when ``model`` is None (``"OUF anisotropic"``,
        ...; default all of IID, OU, OUF, isotropic or not).
    weights : bool or array_like
        False (equal weights, default), fixed weights per fix, or ``True``:
        optimal weights for irregular or gappy sampling (Fleming et al. 2018;
        exact up to :data:`EXACT_MAX_FIXES` fixes, then on a time grid, see
        :mod:`habitat.homerange.akde_weights`).
    error_m : None, float, array_like, "fit" or "gps"
        Location-error SD per coordinate (m) of the fixes: each kernel's
        covariance becomes :math:`H + e_i^2 I`, and a model fitted here
        includes the error. (ctmm instead smooths the fixes with the error
        model's Kalman smoother before the KDE; here the scatter of the fixes
        keeps the error, so an area grows by about :math:`2e^2/\sigma^2`
        relative to the error-free one, negligible while :math:`e \ll \sigma`.)

        - ``None`` (default): no error, unless ``model`` is given with a
          location error (its ``error_m``, a number): then that one, as
          ctmm's ``akde`` uses the model's error model. A model fitted with
          per-fix errors (``error_m`` nan) is refused: pass the errors again.
        - a number, or one per fix: known errors (m, >= 0).
        - ``"fit"``: one error SD estimated with the movement model (ctmm's
          ``error=TRUE``, :func:`habitat.movement.fit_movement`), used for
          every kernel; with ``model`` given, its fitted ``error_m`` (refused
          when it has none).
        - ``"gps"``: the collar default, :data:`GPS_RMS_UERE_M` × HDOP / √2
          with HDOP 1 for every fix (:func:`gps_error_m`; per-fix HDOP through
          :func:`habitat.homerange.home_range`).

        An explicit error (number, array, ``"gps"``) overrides a given model's.
    cell_size_m : float, optional
        Grid cell side (m); default a tenth of the smallest kernel SD, rounded
        down to a readable size (ctmm's ``res = 10``).
    fast : bool, optional
        Force the lag-grid (True) or exact (False) bandwidth sums.
    debias : bool
        Apply the small-sample area debiasing (default, as ctmm).
    ci_level : float
        Confidence level of the area interval.
    interval : {"corrected", "ctmm"}
        ``"ctmm"``: ctmm's interval, the chi-square interval on
        ``2 DOF[area]`` around the debiased area. ``"corrected"`` (default):
        the union of that interval and the same interval divided by the
        kernel density's shape ratio :math:`s_p` at the level, measured by a
        parametric bootstrap under the fitted model
        (:mod:`habitat.homerange.akde_shape`): ctmm's debiasing corrects the
        covariance only, and a KDE isopleth of a finite track encloses less
        than its Gaussian (2-5 % at 95 %), which costs ctmm's interval its
        coverage (about 91 % for a nominal 95 % on simulated leopards; the
        corrected interval covers about 95 %). The point estimate is ctmm's
        either way.
    summation : {"auto", "direct", "binned"}
        How the kernels are summed on the grid
        (:func:`habitat.homerange.akde_grid.gaussian_mass`): every kernel, or
        the fixes binned linearly onto the grid and convolved by FFT (one
        kernel for all fixes; default when cheaper).

    Returns
    -------
    list of Estimate
        One per level: ``area_m2`` the debiased area, ``geometry`` its isopleth;
        ``params``: ``area_low_km2``, ``area_high_km2``, ``dof_area``,
        ``model``, ``tau_position_s``, ``tau_velocity_s``, ``model_notes``
        (the fit's data-quality findings, "" when none), ``bandwidth_m``
        (geometric mean kernel SD, :math:`|H|^{1/4}`), ``bandwidth_major_m``,
        ``bandwidth_minor_m``, ``bandwidth_factor`` (:math:`h`), ``dof_bandwidth``
        (:math:`n_H`), ``bias_factor`` (:math:`b`), ``bandwidth_algorithm``,
        ``weights`` (``"equal"``, ``"given"`` or ``"optimal"``),
        ``cell_size_m``, ``level_low``, ``level_high`` (the UD levels of the
        bounds' isopleths), ``grid_volume``, ``grid_warning``,
        ``geometry_low``, ``geometry_high`` (shapely polygons of the bounds),
        ``location_error_m`` (the mean per-coordinate error SD of the
        kernels, m; 0 without error) and ``location_error`` (where it came
        from: ``"none"``, ``"given"``, ``"fitted"``, ``"from model"`` or
        ``"gps default (UERE 10 m, HDOP 1)"``).

    Raises
    ------
    InputError
        Without ``timestamps_ns``, or for bad options (an ``error_m`` of none
        of the forms above; ``"fit"`` or None with a given model whose error
        cannot be used), and the errors of
        :func:`habitat.movement.fit_movement` when it fits the model.
    InsufficientDataError
        For too few fixes or a model with no area DOF.

    Warns
    -----
    GridTooSmallWarning
        When the grid cannot hold an upper bound's isopleth.

    Examples
    --------
    500 IID fixes of a normal distribution with SD 1 km, and the IID model
    with the true covariance: the 95 % area is close to the true
    :math:`-2\ln(0.05)\,\pi\,\sigma^2` = 18.8 km² (this sample's covariance gives 18.6;
    a KDE's 95 % isopleth of a sample falls a few % short of the Gaussian's), with the
    interval from 500 DOF:

    >>> from habitat.movement.model import MovementModel
    >>> iid = MovementModel.from_parameters("IID", sigma_m2=1e6, dof_area=500.0)
    >>> rng = np.random.default_rng(1)
    >>> xy = rng.normal(0, 1000, (500, 2))
    >>> t_ns = np.arange(500) * 3_600_000_000_000
    >>> (est,) = estimate(xy, levels=0.95, timestamps_ns=t_ns, model=iid, interval="ctmm")
    >>> low, high = est.params["area_low_km2"], est.params["area_high_km2"]
    >>> round(est.area_m2 / 1e6, 1), round(low, 1), round(high, 1)
    (17.9, 16.4, 19.5)

    The default interval also holds the shape-corrected one: this KDE's 95 %
    isopleth is 2.4 % short of its Gaussian's, so the upper bound moves up:

    >>> (est,) = estimate(xy, levels=0.95, timestamps_ns=t_ns, model=iid)
    >>> p = est.params
    >>> round(p["kde_shape_ratio"], 3), round(p["area_low_km2"], 1), round(p["area_high_km2"], 1)
    (0.976, 16.4, 20.0)

    A location error widens every kernel: 300 m per coordinate, or the GPS
    collar default of 7.1 m (UERE 10 m at HDOP 1), which hardly shows at this scale:

    >>> for err in (None, 300.0, "gps"):
    ...     (e,) = estimate(xy, levels=0.95, timestamps_ns=t_ns, model=iid, error_m=err,
    ...                     interval="ctmm")
    ...     print(round(e.area_m2 / 1e6, 2), round(e.params["location_error_m"], 1),
    ...           e.params["location_error"])
    17.91 0.0 none
    19.61 300.0 given
    17.91 7.1 gps default (UERE 10 m, HDOP 1)
    """
    arr = check_xy(xy, method="AKDE")
    lv = check_levels(levels)
    if max(lv) >= 1.0:
        raise InputError(
            f"AKDE levels must be below 1 (got {max(lv):g}): the Gaussian kernels reach "
            "everywhere, so the 100 % range is unbounded; use e.g. levels=(0.5, 0.95, 0.99)."
        )
    g = _akde_grid(
        arr,
        timestamps_ns,
        model=model,
        models=models,
        weights=weights,
        error_m=error_m,
        cell_size_m=cell_size_m,
        fast=fast,
        debias=debias,
        summation=summation,
        radius=lambda dof: _ci_radius(lv, dof, ci_level),
    )
    model, bw, bias, H, dof_area = g.model, g.bandwidth, g.bias, g.bandwidth.H_m2, g.dof_area
    mass, xg, yg, cell, grid_volume = g.mass, g.xg, g.yg, g.cell_size_m, g.grid_volume
    shape = _shape_ratios(g, lv, interval=interval, summation=summation)
    _, cum = ranked_cumulative(mass)
    surface = cumulative_surface(mass)
    ca = cell * cell

    eig = np.linalg.eigvalsh(H)
    common: dict[str, Any] = {
        "dof_area": dof_area,
        "model": str(getattr(model, "label", model.name)),
        "tau_position_s": float(model.tau_position_s),
        "tau_velocity_s": float(model.tau_velocity_s),
        "model_notes": _model_notes(getattr(model, "notes", ()) or (), weights),
        "bandwidth_m": float(np.linalg.det(H) ** 0.25),
        "bandwidth_major_m": float(math.sqrt(eig[1])),
        "bandwidth_minor_m": float(math.sqrt(eig[0])),
        "bandwidth_factor": bw.h,
        "dof_bandwidth": bw.dof_h,
        "bias_factor": bias,
        "bandwidth_algorithm": bw.algorithm,
        "weights": _weights_rule(weights),
        "cell_size_m": cell,
        "grid_volume": grid_volume,
        "interval": interval,
    }
    error = {  # last: the columns' order in tables from before they existed stays
        "location_error_m": float(np.mean(np.sqrt(g.error_var_m2))),
        "location_error": g.error_label,
    }
    out: list[Estimate] = []
    warned: list[float] = []
    for p, ratio in zip(lv, shape, strict=True):
        area = area_at_level(cum, p, ca) / bias
        low, high = _interval(area, dof_area, ci_level, ratio)
        # isopleths of the debiased UD: the raw top cells of each area (ranking unchanged)
        geoms = [
            isopleth(surface, xg, yg, level_at_area(cum, a, ca)) if math.isfinite(a) else None
            for a in (area, low, high)
        ]
        level_low = level_at_area(cum, low * bias, ca)
        level_high = level_at_area(cum, high * bias, ca) if math.isfinite(high) else 1.0
        flag = bool(p > grid_volume or level_high >= grid_volume - 1e-9)
        if flag:
            warned.append(p)
        out.append(
            Estimate(
                level=p,
                geometry=geoms[0],
                area_m2=area,
                params={
                    "area_low_km2": low / 1e6,
                    "area_high_km2": high / 1e6,
                    **common,
                    "kde_shape_ratio": ratio,
                    "level_low": level_low,
                    "level_high": level_high,
                    **error,
                    "contour_area_km2": float(shapely.area(geoms[0])) / 1e6,
                    "grid_warning": flag,
                    "geometry_low": geoms[1],
                    "geometry_high": geoms[2] if geoms[2] is not None else shapely.Polygon(),
                },
            )
        )
    if warned:
        warnings.warn(
            f"the AKDE grid cannot hold the upper bound of level(s) {warned} (grid volume "
            f"{grid_volume:.6f}): the outer contour extends beyond the grid; grid_warning is True.",
            GridTooSmallWarning,
            stacklevel=2,
        )
    return out


@refuse_unknown_options
def akde_ud(
    xy: Any,
    *,
    timestamps_ns: Any,
    crs: Any,
    model: MovementModel | None = None,
    models: Iterable[str] | None = None,
    weights: Any = False,
    error_m: Any = None,
    cell_size_m: float | None = None,
    fast: bool | None = None,
    debias: bool = True,
    summation: str = "auto",
) -> Raster:
    r"""The AKDE utilisation distribution of one animal as a north-up raster (ctmm ``akde``'s UD).

    The debiased UD of ctmm's ``debias.volume``: the cells keep the raw
    AKDE's ranking, and the cumulative mass of the :math:`k` busiest cells is
    the raw one of :math:`b\,k` cells (linear between cells), so every
    isopleth's area is the raw one divided by :math:`b`. The grid covers the
    fixes plus 6 kernel SDs and the model's 99.9 % Gaussian ellipse.

    Parameters
    ----------
    xy, timestamps_ns, model, models, weights, error_m, cell_size_m, fast, debias, summation
        As in :func:`estimate`.
    crs : CRS-like
        The projected CRS of ``xy`` (the raster's).

    Returns
    -------
    Raster
        UD in 1/m² at the cell centres (row 0 north); its volume is the mass
        on the grid (about 1).

    Examples
    --------
    >>> from habitat.homerange.grid import kernel_area, volume_percent
    >>> from habitat.movement.model import MovementModel
    >>> iid = MovementModel.from_parameters("IID", sigma_m2=1e6, dof_area=500.0)
    >>> xy = np.random.default_rng(1).normal(0, 1000, (500, 2))
    >>> t_ns = np.arange(500) * 3_600_000_000_000
    >>> ud = akde_ud(xy, timestamps_ns=t_ns, crs="EPSG:32652", model=iid)
    >>> ud.cell_size_m, round(float(ud.array.sum()) * ud.cell_area_m2, 6)
    (30.0, 1.0)
    >>> round(kernel_area(volume_percent(ud.array, 30.0), 30.0, 0.95) / 1e6, 1)  # as estimate()
    17.9
    """
    arr = check_xy(xy, method="AKDE")
    g = _akde_grid(
        arr,
        timestamps_ns,
        model=model,
        models=models,
        weights=weights,
        error_m=error_m,
        cell_size_m=cell_size_m,
        fast=fast,
        debias=debias,
        summation=summation,
        radius=lambda dof: math.sqrt(-2.0 * math.log(1e-3)),
    )
    order, cum = ranked_cumulative(g.mass)
    cells = np.arange(len(cum) + 1, dtype=float)
    debiased = np.interp(cells[1:] * g.bias, cells, np.concatenate([[0.0], cum]))
    pmf = np.empty(len(cum))
    pmf[order] = np.diff(np.concatenate([[0.0], debiased]))
    c = g.cell_size_m
    density = pmf.reshape(g.mass.shape)[::-1] / (c * c)
    transform = (c, 0.0, float(g.xg[0]) - c / 2, 0.0, -c, float(g.yg[-1]) + c / 2)
    return Raster(density, transform, crs)

r"""Fit and select continuous-time movement models (IID, OU, OUF; isotropic or not), as ctmm.

:func:`fit_movement` fits every candidate and returns the one with the
smallest AICc; :func:`select_movement_model` returns the table of candidates.

Each candidate is fitted as ctmm's ``ctmm.fit(method="pHREML")`` (``fit.R``):

1. **Maximum likelihood.** The exact likelihood of :mod:`habitat.movement.kalman`
   is maximised over the log-timescales (scipy); without location error the
   mean and the covariance :math:`\Sigma` are profiled analytically (ctmm's
   ``PROFILE == 2``), so only the timescales are searched numerically; with a
   known error, :math:`\Sigma` (log variances and angle) is searched too, and with
   ``error_m="fit"`` also one error SD (ctmm's ``error=TRUE`` without calibration).
2. **Perturbative REML (pREML).** One Newton step from the ML estimate
   :math:`\hat\theta` towards the REML optimum using the ML information,
   :math:`\theta_{\rm pREML} = \hat\theta
   + \mathrm{COV}_{\rm ML}\,\nabla\ell_{\rm REML}(\hat\theta)`,
   applied to :math:`\Sigma` in its linear (matrix) representation and to
   the timescales, with the inverse-Hessian contribution clamped to one
   degree of freedom and the step kept inside the parameter domain
   (Fleming et al. 2019, "Overcoming the challenge of small effective sample
   sizes"; ctmm's ``pREML`` block in ``fit.R``). If the ML Hessian is not positive
   definite the step is skipped (ctmm then falls back to HREML).
3. **HREML.** With the pREML timescales fixed, :math:`\Sigma` is re-estimated by
   REML (profiled: :math:`n/(n-1)` times the ML residual covariance; with
   error: numerically).
4. **Uncertainty.** ``covariance`` is the inverse Hessian of
   :math:`-\ell_{\rm REML}` (numerical, central differences) at the final
   estimate, in the natural parameters ``parameter_names``;
   :math:`\mathrm{DOF}_{\rm area} = A^2/\mathrm{VAR}[A]`, :math:`A = \sqrt{\det\Sigma}`
   (ctmm's ``DOF.area``).
5. **Selection.** ``log_likelihood`` is the ML log-likelihood at the final
   estimate (not REML), and (ctmm's ``ic.ctmm``, :math:`q = 2` axes,
   :math:`k_\mu = 2` mean parameters, :math:`\nu` autocovariance parameters,
   :math:`k = \nu + k_\mu`)

   .. math::

       \mathrm{AICc} = -2\ell + (qn - k_\mu)\frac{2k}{qn - k - \nu}
       \quad(\text{pHREML}),\qquad
       -2\ell + qn\frac{2k}{qn - k - \nu}\quad(\text{ML}).

IID with no error needs no optimisation: :math:`\Sigma` is the REML (or ML)
sample covariance (ctmm's exact branch).

Data-quality notes
------------------
Bad input that can still be fitted is not refused but reported: each finding
is a sentence in the fitted models' ``notes`` (for AKDE, the result rows'
``model_notes``), and the selected model's findings are warned
(``DataQualityWarning``). A note that starts with :data:`ADVISORY_PREFIX` is
advice: the fit and its area stand. Any other note says the area cannot be
trusted, and :func:`habitat.homerange.plausibility.plausibility` marks the
range ``plausible=False`` with the note as the reason. No note contains
``"; "``, so ``model_notes`` (the notes joined by ``"; "``) splits back into them.

* **A track that does not settle** (dispersal, a range shift, a track shorter
  than the range-crossing time): the variogram does not level off, and the
  fitted :math:`\tau_{\rm position}` exceeds half the tracking span
  (:data:`UNSETTLED_SPAN_SHARE`). Not advisory. ctmm returns a range with very
  wide intervals in this case, and so does habitat, flagged, rather than
  refusing: above the whole span the same holds, more so, and a user may still
  want the movement model (e.g. its diffusion) or the interval's lower bound.
* **Enormous gaps**: an interval between consecutive fixes at least
  :data:`GAP_MEDIAN_MULTIPLE` (30) times the median sampling interval *and* at
  least :data:`GAP_SPAN_SHARE` (20 %) of the tracking span. Both are needed:
  the multiple alone would note ordinary outages of long tracks (5 days in a
  year of 4-hourly fixes), the share alone every interval of a short track
  (each interval of 5 daily fixes is 25 % of the span).
  A year of 4-hourly fixes with 10 % random failures has longest gaps of a day
  or so, and even a 3-day collar outage is 18 times the interval and 0.8 % of
  the year: no note. The note gives the gap's length in days, where it is (days
  after the first fix and the two fixes around it), its share of the span, and
  advises AKDE's optimal weights (``weights=True``; ctmm's ``weights=TRUE`` for
  gappy or irregular sampling, Fleming et al. 2018). It is advisory while such
  gaps together cover at most two thirds of the span (:data:`GAP_FLAG_SHARE`):
  the fit of a stationary model and the AKDE area remain valid across a gap
  (the interval's DOF reflects the information left; optimal weights correct
  the over-weighting of densely sampled stretches). Beyond that the gaps are
  more than twice the time observed: the "range" joins short bursts of fixes
  and rests on the assumption, which the bursts are too short to support, that
  the animal used the same area in between; the note is then not advisory
  (flagged). Half the span was the other candidate: it would split the common
  "half the track lost" case by rounding (a 60-day gap in a 120-day track of
  4-hourly fixes is 50.2 % of the span between its first and last fixes), and
  the evidence does not change at one half.
* **Coordinates that look like degrees** (no CRS given, every coordinate
  within ±180/±90 and a spread below 5 units): warned before fitting, and
  noted (not advisory): squared degrees are not m².

Too few fixes for every candidate (:func:`min_fixes`) raise
:class:`~habitat.core.errors.InsufficientDataError`; duplicate timestamps raise
:class:`~habitat.core.errors.TimestampError` naming the rows, unless a location
error (``error_m`` > 0 or ``"fit"``) makes simultaneous fixes meaningful.

References
----------
Fleming, C. H. et al. (2014). From fine-scale foraging to home ranges.
*The American Naturalist* 183(5), E154-E167.

Fleming, C. H., Noonan, M. J., Medici, E. P. & Calabrese, J. M. (2019).
Overcoming the challenge of small effective sample sizes in home-range
estimation. *Methods in Ecology and Evolution* 10, 1679-1689.

Fleming, C. H., Sheldon, D., Fagan, W. F., Leimgruber, P., Mueller, T., Nandintsetseg, D.,
Noonan, M. J., Olson, K. A., Setyawan, E., Sianipar, A. & Calabrese, J. M. (2018).
Correcting for missing and irregular data in home-range estimation.
*Ecological Applications* 28(4), 1003-1010.

Calabrese, J. M., Fleming, C. H. & Gurarie, E. (2016). ctmm: an R package for
analyzing animal relocation data as a continuous-time stochastic process.
*Methods in Ecology and Evolution* 7, 1124-1132.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from habitat.core.crs import require_measurement_crs
from habitat.core.errors import (
    ConvergenceError,
    CoordinateError,
    DataQualityWarning,
    InputError,
    InsufficientDataError,
    TimestampError,
    where,
)
from habitat.movement.kalman import UnitFilter, log_likelihood, profiled_likelihood, unit_filter
from habitat.movement.model import (
    MODEL_NAMES,
    MovementModel,
    chisq_ci,
    parameter_names,
    sigma_parameters,
)

__all__ = [
    "ADVISORY_PREFIX",
    "CANDIDATES",
    "GAP_FLAG_SHARE",
    "GAP_MEDIAN_MULTIPLE",
    "GAP_SPAN_SHARE",
    "UNSETTLED_SPAN_SHARE",
    "fit_movement",
    "min_fixes",
    "select_movement_model",
]

#: the six candidates (name, isotropic), simplest first
CANDIDATES: tuple[tuple[str, bool], ...] = tuple(
    (name, iso) for name in MODEL_NAMES for iso in (True, False)
)

#: A note starting with this is advice; any other note says the area cannot be trusted
ADVISORY_PREFIX = "advisory: "
#: tau_position above this share of the tracking span: the track does not settle (flagged)
UNSETTLED_SPAN_SHARE = 0.5
#: an enormous gap is at least this many median sampling intervals ...
GAP_MEDIAN_MULTIPLE = 30.0
#: ... and at least this share of the tracking span (advisory note)
GAP_SPAN_SHARE = 0.2
#: enormous gaps covering more than this share of the span together (twice the time
#: observed): flagged, not advisory
GAP_FLAG_SHARE = 2.0 / 3.0

#: -2 log(0.05): the Gaussian 95 % area is this times pi sqrt(det Sigma)
_CHI2_95 = -2.0 * float(np.log(0.05))


@dataclass(frozen=True)
class _Data:
    t: np.ndarray  # (n,) sorted times, s
    xy: np.ndarray  # (n, 2) metres
    error_m: np.ndarray | None  # (n,) SD per coordinate, or None
    scale_m: float  # RMS distance from the centroid (ctmm's SCALE)
    tscale_s: float  # median positive time step (ctmm's TSCALE)
    span_s: float
    #: estimate one location-error SD with the movement parameters (ctmm's error=TRUE)
    fit_error: bool = False
    #: unit-variance filters by timescales (error-free likelihoods for any Sigma)
    cache: dict[tuple[float, float], UnitFilter] = field(default_factory=dict, compare=False)
    #: likelihood evaluations that ran the Kalman filter over the fixes, shared by the
    #: candidates of one selection (one-element counter)
    evaluations: list[int] = field(default_factory=lambda: [0], compare=False)

    @property
    def n(self) -> int:
        return int(self.t.size)


def min_fixes(name: str, isotropic: bool, *, fit_error: bool = False) -> int:
    r"""Fewest fixes for which the candidate's AICc is defined (:math:`2n > k + \\nu`).

    Examples
    --------
    >>> min_fixes("IID", True), min_fixes("OUF", False)
    (3, 7)
    """
    nu = len(parameter_names(name, isotropic, fit_error))
    return nu + 2


def _sigma_matrix(theta: np.ndarray, isotropic: bool) -> np.ndarray:
    if isotropic:
        return np.eye(2) * theta[0]
    major, minor, angle = theta[0], theta[1], theta[2]
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    return rot @ np.diag([major, minor]) @ rot.T


def _n_sigma(isotropic: bool) -> int:
    return 1 if isotropic else 3


def _to_log(theta: np.ndarray, isotropic: bool) -> np.ndarray:
    """Natural -> optimisation coordinates: log of variances and timescales, angle as is."""
    out = np.log(np.clip(theta, 1e-300, None))
    if not isotropic:
        out[2] = theta[2]
    return out


def _from_log(u: np.ndarray, isotropic: bool) -> np.ndarray:
    out = np.exp(u)
    if not isotropic:
        out[2] = u[2]
    return out


def _log_jacobian(theta: np.ndarray, isotropic: bool) -> np.ndarray:
    """Jacobian d natural / d log-coordinates (diagonal)."""
    jac = theta.astype(float).copy()
    if not isotropic:
        jac[2] = 1.0
    return np.diag(jac)


def _taus(theta: np.ndarray, name: str, isotropic: bool) -> tuple[float, float]:
    k = _n_sigma(isotropic)
    if name == "IID":
        return 0.0, 0.0
    if name == "OU":
        return float(theta[k]), 0.0
    a, b = float(theta[k]), float(theta[k + 1])
    return max(a, b), min(a, b)


def _unit(data: _Data, tp: float, tv: float) -> UnitFilter:
    """The unit-variance filter at these timescales, computed once per data set."""
    key = (tp, tv)
    unit = data.cache.get(key)
    if unit is None:
        if len(data.cache) > 4096:
            data.cache.clear()
        data.evaluations[0] += 1
        unit = unit_filter(data.t, data.xy, tau_position_s=tp, tau_velocity_s=tv)
        data.cache[key] = unit
    return unit


def _full_ll(data: _Data, theta: np.ndarray, name: str, isotropic: bool, reml: bool) -> float:
    if not np.all(np.isfinite(theta)):
        return -np.inf
    sigma = _sigma_matrix(theta, isotropic)
    tp, tv = _taus(theta, name, isotropic)
    if np.linalg.eigvalsh(sigma).min() <= 0.0 or (name != "IID" and tv <= 0.0 and name == "OUF"):
        return -np.inf
    if name != "IID" and tp <= 0.0:
        return -np.inf
    if data.fit_error:
        if not theta[-1] > 0.0:
            return -np.inf
        data.evaluations[0] += 1
        return log_likelihood(
            data.t,
            data.xy,
            sigma_m2=sigma,
            tau_position_s=tp,
            tau_velocity_s=tv,
            error_m=float(theta[-1]),
            reml=reml,
        ).log_likelihood
    if data.error_m is None:
        return _unit(data, tp, tv).log_likelihood(sigma, reml=reml)
    data.evaluations[0] += 1
    return log_likelihood(
        data.t,
        data.xy,
        sigma_m2=sigma,
        tau_position_s=tp,
        tau_velocity_s=tv,
        error_m=data.error_m,
        reml=reml,
    ).log_likelihood


def _derivatives(
    fun: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-3
) -> tuple[np.ndarray, np.ndarray]:
    """Central-difference gradient and Hessian of ``fun`` at ``x`` (coordinates of order 1)."""
    p = x.size
    f0 = fun(x)
    grad = np.zeros(p)
    hess = np.zeros((p, p))
    eye = np.eye(p) * step
    for i in range(p):
        fp, fm = fun(x + eye[i]), fun(x - eye[i])
        grad[i] = (fp - fm) / (2.0 * step)
        hess[i, i] = (fp - 2.0 * f0 + fm) / step**2
        for j in range(i):
            hess[i, j] = hess[j, i] = (
                fun(x + eye[i] + eye[j])
                - fun(x + eye[i] - eye[j])
                - fun(x - eye[i] + eye[j])
                + fun(x - eye[i] - eye[j])
            ) / (4.0 * step**2)
    return grad, hess


def _newton(
    fun: Callable[[np.ndarray], float], u: np.ndarray, *, max_iter: int = 10, tol: float = 1e-7
) -> np.ndarray:
    """Minimise ``fun`` from a nearby start by Newton steps on finite-difference derivatives.

    A Hessian that is not positive definite is shifted (Levenberg) until it is;
    each step is halved until ``fun`` decreases; stops at a step below ``tol``
    (log coordinates) or when no decrease is found.
    """
    u = np.asarray(u, dtype=float).copy()
    f0 = fun(u)
    for _ in range(max_iter):
        grad, hess = _derivatives(fun, u)
        if not (np.all(np.isfinite(grad)) and np.all(np.isfinite(hess))):
            break
        hess = 0.5 * (hess + hess.T)
        least = float(np.linalg.eigvalsh(hess).min())
        if least <= 0.0:
            hess = hess + (1e-3 * float(np.abs(np.diag(hess)).max()) - least + 1e-12) * np.eye(
                u.size
            )
        step = -np.linalg.solve(hess, grad)
        alpha = 1.0
        while alpha > 1e-6:
            trial = u + alpha * step
            f1 = fun(trial)
            if f1 <= f0:
                break
            alpha *= 0.5
        else:
            break
        u, f0 = trial, f1
        if np.max(np.abs(alpha * step)) < tol:
            break
    return u


def _natural_derivatives(
    data: _Data, theta: np.ndarray, name: str, isotropic: bool, reml: bool
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient and Hessian of -loglike in the natural parameters (``parameter_names``).

    Differences are taken in log coordinates (log variances, log timescales) and
    transformed exactly: for :math:`f(\theta) = F(\log\theta)`,
    :math:`f' = F'/\theta` and :math:`f'' = (F'' - F')/\theta^2`.
    """
    u = _to_log(theta, isotropic)
    g_log, h_log = _derivatives(
        lambda uu: -_full_ll(data, _from_log(uu, isotropic), name, isotropic, reml), u
    )
    d = np.diag(_log_jacobian(theta, isotropic))
    is_log = np.ones(theta.size, dtype=bool)
    if not isotropic:
        is_log[2] = False
    with np.errstate(divide="ignore", invalid="ignore"):  # a variance at 0: degenerate
        grad = g_log / d
        hess = (h_log - np.diag(np.where(is_log, g_log, 0.0))) / np.outer(d, d)
    return grad, hess


def _cov_loglike(hess: np.ndarray, grad: np.ndarray, tol: float = 2.2e-16) -> np.ndarray:
    r"""Covariance from -loglike derivatives (ctmm's ``cov.loglike``, ``stats.R``).

    The inverse Hessian when it is positive definite; otherwise (a boundary, e.g.
    :math:`\tau_v \to 0`) per eigen-direction the squared change that lowers the
    log-likelihood by 1/2 given the curvature and the gradient (a Wald-like formula
    with a zero-curvature limit :math:`1/(2g)^2`).
    """
    grad = np.where(np.isnan(grad), np.inf, grad)
    hess = np.where(np.isnan(hess), 0.0, hess)
    hess = 0.5 * (hess + hess.T)
    if np.all(np.diag(hess) > 0):
        try:
            inv = np.linalg.inv(np.linalg.cholesky(hess))
            cov = inv.T @ inv
            if np.all(np.diag(cov) > 0):
                return cov
        except np.linalg.LinAlgError:
            pass
    v = np.maximum(np.sqrt(np.abs(np.diag(hess))), np.abs(grad))
    v[v <= tol] = 1.0
    w = np.outer(v, v)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.nan_to_num(grad / v, nan=1.0, posinf=np.inf, neginf=-np.inf)
        h = np.nan_to_num(hess / w, nan=1.0)
    bound = np.sqrt(np.abs(np.diag(h)))
    bound = np.outer(bound, bound)
    h = np.clip(h, -bound, bound)
    values, vectors = np.linalg.eigh(h)
    values = np.clip(values, 0.0, np.inf)
    g = vectors.T @ g
    out = np.empty_like(values)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for i in range(values.size):
            det = values[i] + g[i] ** 2
            if values[i] == 0.0 or det < 0.0:
                out[i] = 1.0 / (2.0 * g[i]) ** 2
            else:
                out[i] = ((np.sqrt(det) - g[i]) / values[i]) ** 2
    out = np.nan_to_num(out, nan=0.0, posinf=np.inf)
    cov = np.zeros_like(h)
    for i in range(out.size):
        vec = vectors[:, i]
        if np.isfinite(out[i]):
            cov += out[i] * np.outer(vec, vec)
        else:
            cov += np.diag(np.where(vec**2 > 0, np.inf, 0.0))
    return cov / w


def _at_boundary(data: _Data, theta: np.ndarray, name: str, isotropic: bool) -> bool:
    """OUF whose tau_velocity collapsed far below the sampling interval: OU in effect.

    ctmm's optimiser reaches tau_velocity = 0 there, where its pREML guard fails
    (zero curvature); the log-scale search here stops at a tiny positive value.
    """
    k = _n_sigma(isotropic)
    return name == "OUF" and float(theta[k + 1]) < 1e-3 * data.tscale_s


def _positive_definite(hess: np.ndarray, data: _Data, names: tuple[str, ...]) -> bool:
    """Guard of ctmm's pREML step: the standardised ML Hessian's least eigenvalue > eps p."""
    unit = _standardiser(data, names)
    h = hess * np.outer(unit, unit)
    if not np.all(np.isfinite(h)):
        return False
    return bool(np.linalg.eigvalsh(0.5 * (h + h.T)).min() > 2.2e-16 * len(names))


def _gradient(fun: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-4) -> np.ndarray:
    grad = np.zeros(x.size)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = step
        grad[i] = (fun(x + e) - fun(x - e)) / (2.0 * step)
    return grad


def _bounds(data: _Data) -> tuple[float, float]:
    """Log-timescale search bounds (s)."""
    lo = np.log(data.tscale_s * 1e-4)
    hi = np.log(max(data.span_s, data.tscale_s) * 1e3)
    return float(lo), float(hi)


def _fit_profiled_taus(data: _Data, name: str, isotropic: bool) -> np.ndarray:
    """ML log-timescales with mean and Sigma profiled (no location error)."""
    lo, hi = _bounds(data)

    def nll(u: np.ndarray) -> float:
        taus = np.sort(np.exp(u))[::-1]
        tv = float(taus[1]) if taus.size > 1 else 0.0
        unit = _unit(data, float(taus[0]), tv)
        sigma = unit.residual / unit.n
        if isotropic:
            sigma = np.eye(2) * (0.5 * np.trace(sigma))
        ll = unit.log_likelihood(sigma)
        return -ll if np.isfinite(ll) else 1e300

    grid = np.linspace(lo, hi, 17)
    vals = np.array([nll(np.array([g])) for g in grid])
    best = int(np.argmin(vals))
    a, b = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    res = optimize.minimize_scalar(
        lambda u: nll(np.array([u])), bounds=(a, b), method="bounded", options={"xatol": 1e-5}
    )
    u_ou = float(res.x)
    if name == "OU":
        return np.array([u_ou])
    # OUF: scan tau_velocity below the OU tau_position, then refine both
    grid_v = np.linspace(lo, u_ou, 9)
    starts = [(nll(np.array([u_ou, gv])), u_ou, gv) for gv in grid_v]
    starts.sort()
    best_u = np.array(starts[0][1:])
    res2 = optimize.minimize(
        nll,
        best_u,
        method="Nelder-Mead",
        options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 2000},
    )
    u = np.sort(np.clip(res2.x, lo, hi))[::-1]
    if np.exp(u[1]) > 1e-3 * data.tscale_s:  # interior: polish (Nelder-Mead can stall)
        polished = np.sort(np.clip(_newton(nll, u), lo, hi))[::-1]
        if nll(polished) <= nll(u):
            u = polished
    return u


def _fit_ml(data: _Data, name: str, isotropic: bool) -> np.ndarray:
    """ML estimate in natural coordinates (``parameter_names`` order)."""
    if data.error_m is None and not data.fit_error:
        data.evaluations[0] += 1  # the profiled likelihood at the estimate
        if name == "IID":
            tau_u = np.zeros(0)
            prof = profiled_likelihood(
                data.t, data.xy, tau_position_s=0.0, tau_velocity_s=0.0, isotropic=isotropic
            )
        else:
            tau_u = _fit_profiled_taus(data, name, isotropic)
            taus = np.exp(tau_u)
            prof = profiled_likelihood(
                data.t,
                data.xy,
                tau_position_s=float(taus[0]),
                tau_velocity_s=float(taus[1]) if taus.size > 1 else 0.0,
                isotropic=isotropic,
            )
        return np.concatenate([sigma_parameters(prof.sigma_m2, isotropic), np.exp(tau_u)])
    # known location error: start from the error-free fit with the error variance removed
    first = np.concatenate([[True], np.diff(data.t) > 0])  # error-free start: unique times
    free = _Data(
        data.t[first],
        data.xy[first],
        None,
        data.scale_m,
        data.tscale_s,
        data.span_s,
        evaluations=data.evaluations,
    )
    free_fit = _fit_ml(free, name, isotropic)
    k = _n_sigma(isotropic)

    def start_for(err_var: float) -> np.ndarray:
        start = free_fit.copy()
        start[0] = max(start[0] - err_var, 0.1 * start[0])
        if not isotropic:
            start[1] = max(start[1] - err_var, 0.1 * start[1])
        if data.fit_error:
            start = np.append(start, np.sqrt(err_var))
        return _to_log(start, isotropic)

    def nll(u: np.ndarray) -> float:
        ll = _full_ll(data, _from_log(u, isotropic), name, isotropic, False)
        return -ll if np.isfinite(ll) else 1e300

    if data.fit_error:
        # scan the error SD from 0.1 % to 30 % of the (error-inflated) position SD
        sd = float(np.sqrt(free_fit[0]))
        u0 = min((start_for((f * sd) ** 2) for f in (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)), key=nll)
    else:
        known = np.zeros(1) if data.error_m is None else data.error_m
        u0 = start_for(float(np.mean(known**2)))

    def fun_jac(u: np.ndarray) -> tuple[float, np.ndarray]:
        """Value and forward-difference gradient (the Newton steps below polish)."""
        f0 = nll(u)
        step = 1e-6
        grad = np.array([(nll(u + step * e) - f0) / step for e in np.eye(u.size)])
        return f0, grad

    lo, hi = _bounds(data)
    log_var = float(np.log(data.scale_m**2))
    box = [(log_var - 25.0, log_var + 10.0)] * (1 if isotropic else 2)
    if not isotropic:
        box.append((-np.pi, np.pi))
    box += [(lo, hi)] * (u0.size - len(box) - int(data.fit_error))
    if data.fit_error:
        box.append((float(np.log(data.scale_m * 1e-6)), float(np.log(data.scale_m))))
    start = u0
    if name == "OUF":
        # error masks the smoothness of the track, so the error-free tau_velocity can be far
        # off (even collapsed to 0): start from the best of a scan of tau_velocity
        scan = [u0]
        for log_tv in np.linspace(np.log(data.tscale_s / 10.0), u0[k] - 0.1, 6):
            other = u0.copy()
            other[k + 1] = log_tv
            scan.append(other)
        start = min(scan, key=nll)
    start = np.clip(start, [b[0] for b in box], [b[1] for b in box])
    res = optimize.minimize(fun_jac, start, jac=True, method="L-BFGS-B", bounds=box)
    theta = _from_log(_newton(nll, np.asarray(res.x)), isotropic)
    if name == "OUF" and theta[k] < theta[k + 1]:
        theta[k], theta[k + 1] = theta[k + 1], theta[k]
    return theta


def _standardiser(data: _Data, names: tuple[str, ...]) -> np.ndarray:
    """Units of ctmm's pREML clamp: variances / SCALE², timescales / TSCALE."""
    out = np.ones(len(names))
    for i, nm in enumerate(names):
        if nm.startswith("sigma"):
            out[i] = data.scale_m**2
        elif nm.startswith("error"):
            out[i] = data.scale_m
        elif nm.startswith("tau"):
            out[i] = data.tscale_s
    return out


def _valid(theta: np.ndarray, name: str, isotropic: bool) -> bool:
    sigma = _sigma_matrix(theta, isotropic)
    k = _n_sigma(isotropic)
    return bool(np.linalg.eigvalsh(sigma).min() > 0.0 and np.all(theta[k:] > 0.0))


def _preml_step(
    data: _Data, theta: np.ndarray, cov_ml: np.ndarray, name: str, isotropic: bool
) -> np.ndarray | None:
    """The pREML correction (ctmm's) from the ML estimate; None when it fails."""
    names = parameter_names(name, isotropic, data.fit_error)
    u = _to_log(theta, isotropic)

    def reml_ll(uu: np.ndarray) -> float:
        return _full_ll(data, _from_log(uu, isotropic), name, isotropic, True)

    grad_log = _gradient(reml_ll, u)
    jac = np.diag(_log_jacobian(theta, isotropic))
    grad = grad_log / jac  # d l_REML / d natural
    if not np.all(np.isfinite(grad)) or not np.all(np.isfinite(cov_ml)):
        return None
    # clamp the inverse-Hessian contribution to one degree of freedom, literally as ctmm:
    # in its standardised units, the parameters taken in the linear representation
    # (xx, yy, xy of Sigma, scaled by SCALE²) against the eigenvectors of COV[major, minor, angle]
    unit = _standardiser(data, names)
    cov_std = cov_ml / np.outer(unit, unit)
    pars_std = theta / unit
    if not isotropic:
        sigma_lin = _sigma_matrix(theta, isotropic)
        pars_std[:3] = np.array([sigma_lin[0, 0], sigma_lin[1, 1], sigma_lin[0, 1]]) / unit[0]
    if data.fit_error:  # the error is linear in its mean square
        pars_std[-1] = (theta[-1] / unit[-1]) ** 2
    values, vectors = np.linalg.eigh(0.5 * (cov_std + cov_std.T))
    values = np.minimum(values, 2.0 * (vectors.T @ pars_std) ** 2)
    cov_std = (vectors * values) @ vectors.T
    step = (cov_std @ (grad * unit)) * unit  # natural units
    if not np.all(np.isfinite(step)):
        return None
    k = _n_sigma(isotropic)
    # Sigma is incremented in its linear representation: d Sigma = (d Sigma / d par) step
    sigma0 = _sigma_matrix(theta, isotropic)
    eps = 1e-6
    d_sigma = np.zeros((2, 2))
    for i in range(k):
        e = np.zeros(theta.size)
        h = eps * (abs(theta[i]) if i < 2 else 1.0)
        e[i] = h
        d_sigma += (
            (_sigma_matrix(theta + e, isotropic) - _sigma_matrix(theta - e, isotropic)) / (2 * h)
        ) * step[i]
    alpha = 1.0
    for _ in range(60):
        sigma_new = sigma0 + alpha * d_sigma
        taus_new = theta[k:] + alpha * step[k:]
        if data.fit_error:  # incremented in its mean square, as ctmm (J: RMS -> MS)
            ms = theta[-1] ** 2 + 2.0 * theta[-1] * alpha * step[-1]
            taus_new[-1] = np.sqrt(ms) if ms > 0 else -1.0
        new = np.concatenate([sigma_parameters(sigma_new, isotropic), taus_new])
        if (
            np.linalg.eigvalsh(0.5 * (sigma_new + sigma_new.T)).min() > 0
            and np.all(taus_new > 0)
            and _valid(new, name, isotropic)
            and np.isfinite(_full_ll(data, new, name, isotropic, False))
        ):
            if name == "OUF" and new[k] < new[k + 1]:
                new[k], new[k + 1] = new[k + 1], new[k]
            return new
        alpha *= 0.5
    return None


def _hreml_sigma(data: _Data, theta: np.ndarray, name: str, isotropic: bool) -> np.ndarray:
    """Re-estimate Sigma by REML with the timescales fixed (HREML)."""
    k = _n_sigma(isotropic)
    tp, tv = _taus(theta, name, isotropic)
    if data.error_m is None and not data.fit_error:
        data.evaluations[0] += 1
        prof = profiled_likelihood(
            data.t, data.xy, tau_position_s=tp, tau_velocity_s=tv, isotropic=isotropic, reml=True
        )
        return np.concatenate([sigma_parameters(prof.sigma_m2, isotropic), theta[k:]])
    u0 = _to_log(theta, isotropic)
    # the linear parameters: Sigma (and a fitted error)
    linear = list(range(k)) + ([u0.size - 1] if data.fit_error else [])

    def nll(us: np.ndarray) -> float:
        uu = u0.copy()
        uu[linear] = us
        ll = _full_ll(data, _from_log(uu, isotropic), name, isotropic, True)
        return -ll if np.isfinite(ll) else 1e300

    uu = u0.copy()
    uu[linear] = _newton(nll, u0[linear])
    return _from_log(uu, isotropic)


def _aicc(ll: float, n: int, nu: int, reml: bool) -> float:
    q, k_mean = 2, 2
    k = nu + k_mean
    if q * n <= k + nu:
        return float(np.inf)
    factor = (q * n - k_mean) if reml else q * n
    return float(-2.0 * ll + factor * 2.0 * k / (q * n - k - nu))


def _dof_area(theta: np.ndarray, cov: np.ndarray, isotropic: bool) -> float:
    if isotropic:
        area = float(theta[0])
        var = float(cov[0, 0])
    else:
        area = float(np.sqrt(theta[0] * theta[1]))
        if not area > 0.0:
            return 0.0
        grad = np.array([area / theta[0] / 2.0, area / theta[1] / 2.0])
        sub = cov[:2, :2]
        if not np.all(np.isfinite(sub)):
            return 0.0
        var = float(grad @ sub @ grad)
    if not np.isfinite(var) or var == 0.0:
        return 0.0 if not np.isfinite(var) else float(np.inf)
    return float(area**2 / abs(var))


def _fit_one(
    data: _Data, name: str, isotropic: bool, *, reml: bool, crs: Any
) -> tuple[MovementModel, list[str]]:
    names = parameter_names(name, isotropic, data.fit_error)
    notes: list[str] = []
    theta = _fit_ml(data, name, isotropic)
    exact = name == "IID" and data.error_m is None and not data.fit_error
    applied = False
    if reml and exact:
        data.evaluations[0] += 1
        prof = profiled_likelihood(
            data.t, data.xy, tau_position_s=0.0, tau_velocity_s=0.0, isotropic=isotropic, reml=True
        )
        theta = sigma_parameters(prof.sigma_m2, isotropic)
        applied = True
    grad_ml = np.zeros(len(names))
    if reml and not exact:
        grad_ml, hess_ml = _natural_derivatives(data, theta, name, isotropic, False)
        new = None
        if _positive_definite(hess_ml, data, names) and not _at_boundary(
            data, theta, name, isotropic
        ):
            cov_ml = _cov_loglike(hess_ml, grad_ml)
            new = _preml_step(data, theta, cov_ml, name, isotropic)
        if new is not None:  # else ctmm falls back to HREML, silently under ctmm.select
            theta = new
        theta = _hreml_sigma(data, theta, name, isotropic)
        applied = True
    grad, hess = _natural_derivatives(data, theta, name, isotropic, reml)
    # ctmm: the final (REML) Hessian with the ML gradient, "which should be zero off boundary"
    cov = _cov_loglike(hess, grad_ml if reml else grad)
    sigma = _sigma_matrix(theta, isotropic)
    tp, tv = _taus(theta, name, isotropic)
    data.evaluations[0] += 1
    final = log_likelihood(
        data.t,
        data.xy,
        sigma_m2=sigma,
        tau_position_s=tp,
        tau_velocity_s=tv,
        error_m=float(theta[-1]) if data.fit_error else data.error_m,
        reml=False,
    )
    ll = final.log_likelihood
    error_m: float | None
    if data.fit_error:
        error_m = float(theta[-1])
    elif data.error_m is None:
        error_m = None
    elif np.all(data.error_m == data.error_m[0]):
        error_m = float(data.error_m[0])
    else:
        error_m = float("nan")
    if name != "IID" and tp > UNSETTLED_SPAN_SHARE * data.span_s:
        notes.append(_unsettled_note(tp, data.span_s))
    model = MovementModel(
        name=name,
        isotropic=isotropic,
        mean_m=final.mean_m,
        sigma_m2=sigma,
        tau_position_s=tp,
        tau_velocity_s=tv,
        error_m=error_m,
        log_likelihood=float(ll),
        aicc=_aicc(ll, data.n, len(names), reml),
        n_fixes=data.n,
        n_parameters=len(names) + 2,
        parameter_names=names,
        estimates=theta,
        covariance=cov,
        dof_area=_dof_area(theta, cov, isotropic),
        reml=applied,
        crs=crs,
        mean_covariance_m2=final.mean_covariance_m2,
        notes=tuple(notes),
    )
    return model, notes


def _unsettled_note(tau_position_s: float, span_s: float) -> str:
    """The note for a track whose tau_position exceeds half its span (see the module notes)."""
    return (
        "the track does not settle (the variogram does not level off): tau_position "
        f"({tau_position_s / 86400:.3g} d) is {tau_position_s / span_s:.2g} times the tracking "
        f"span ({span_s / 86400:.3g} d), more than {UNSETTLED_SPAN_SHARE:.0%} of it, so the fixes "
        "do not sample a home range (dispersal, a range shift or too short a track) and the "
        "area, with its very wide interval, is unreliable"
    )


def _days(seconds: float) -> str:
    return f"{seconds / 86400:.3g}"


def _gap_notes(data: _Data) -> list[str]:
    """Enormous gaps between consecutive fixes (see the module notes): zero or one note.

    A gap is at least :data:`GAP_MEDIAN_MULTIPLE` median sampling intervals and
    :data:`GAP_SPAN_SHARE` of the span; the note is advisory unless such gaps
    cover more than :data:`GAP_FLAG_SHARE` of the span together. Fix numbers
    count the fixes in time order from 0.
    """
    if data.n < 3 or not data.span_s > 0:
        return []
    dts = np.diff(data.t)
    big = np.flatnonzero(
        (dts >= GAP_MEDIAN_MULTIPLE * data.tscale_s) & (dts >= GAP_SPAN_SHARE * data.span_s)
    )
    if not big.size:
        return []
    span, start = data.span_s, float(data.t[0])
    share = float(dts[big].sum() / span)
    parts = [
        f"a {_days(dts[i])}-day gap without fixes (days {_days(data.t[i] - start)} to "
        f"{_days(data.t[i + 1] - start)} after the first fix, between fixes {i} and {i + 1} in "
        f"time order) is {dts[i] / span:.0%} of the {_days(span)}-day tracking span and "
        f"{dts[i] / data.tscale_s:.0f} times the median sampling interval "
        f"({data.tscale_s / 3600:.3g} h)"
        for i in big
    ]
    what = " and ".join(parts)
    weights = (
        "AKDE's optimal weights (weights=True, as ctmm's weights=TRUE for gappy or irregular "
        "sampling, Fleming et al. 2018)"
    )
    if share <= GAP_FLAG_SHARE:
        return [
            f"{ADVISORY_PREFIX}{what}: the model does not see the animal across it and the "
            f"fixes beside it stand for more time than the others, so use {weights}"
        ]
    return [
        f"{what}: with {share:.0%} of the span in such gaps (more than two thirds), the range "
        "joins short bursts of fixes and assumes the animal used the same area in between, "
        f"which the data cannot show (if it did, use {weights})"
    ]


def _check_units(xy: np.ndarray, crs: Any) -> tuple[Any, list[str]]:
    """A given CRS must measure distances in metres; bare degree-like coordinates warn.

    Returns the checked CRS and the notes for the fitted models (the degrees
    finding, not advisory; it is warned here, before fitting, not again).
    """
    if crs is not None:
        return require_measurement_crs(crs, purpose="distances"), []
    finite = xy[np.isfinite(xy).all(axis=1)]
    if finite.size and (
        np.abs(finite[:, 0]).max() <= 180.0
        and np.abs(finite[:, 1]).max() <= 90.0
        and np.ptp(finite, axis=0).max() < 5.0
    ):
        warnings.warn(
            "the coordinates span less than 5 units and lie within +-180 / +-90: they look "
            "like longitude/latitude degrees, but xy_m must be projected metres; project "
            "them first (e.g. habitat.core.crs.metric_crs)",
            DataQualityWarning,
            stacklevel=4,
        )
        return None, [
            "the coordinates look like longitude/latitude degrees (a spread below 5 units, "
            "within +-180 / +-90), not projected metres, so the fitted variances and areas "
            "are in squared degrees, not m²: project the fixes first"
        ]
    return None, []


def _prepare(times_s: Any, xy_m: Any, error_m: Any) -> tuple[_Data, np.ndarray]:
    t = np.asarray(times_s, dtype=float)
    xy = np.asarray(xy_m, dtype=float)
    if t.ndim != 1:
        raise InputError(f"times_s must be one-dimensional (seconds), got shape {t.shape}")
    if xy.ndim != 2 or xy.shape[1] != 2 or xy.shape[0] != t.size:
        raise InputError(
            f"xy_m must have shape (n, 2) with n = len(times_s) = {t.size}, got {xy.shape}; "
            "pass projected x, y coordinates in metres"
        )
    bad = np.flatnonzero(~np.isfinite(t))
    if bad.size:
        raise TimestampError(
            f"{bad.size} non-finite time(s) {where(column='times_s', rows=bad.tolist())}; "
            "drop or fill those fixes"
        )
    bad = np.flatnonzero(~np.isfinite(xy).all(axis=1))
    if bad.size:
        at = where(column="xy_m", rows=bad.tolist())
        raise CoordinateError(
            f"{bad.size} fix(es) with non-finite coordinates {at}; drop those fixes before fitting"
        )
    err: np.ndarray | None = None
    fit_error = isinstance(error_m, str) and error_m == "fit"
    if error_m is not None and not fit_error:
        try:
            err = np.broadcast_to(np.asarray(error_m, dtype=float), t.shape).astype(float)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"error_m must be the location-error SD in metres (one value or one per fix), "
                f"got {error_m!r}; or 'fit' to estimate it"
            ) from exc
        badm = np.flatnonzero(~np.isfinite(err) | (err < 0))
        if badm.size:
            at = where(column="error_m", rows=badm.tolist())
            raise InputError(f"location error must be finite and >= 0 m {at}")
        if not np.any(err > 0):
            err = None
    order = np.argsort(t, kind="stable")
    ts, xys = t[order], xy[order]
    errs = None if err is None else err[order]
    dup = np.flatnonzero(np.diff(ts) == 0.0)
    if dup.size:
        ok = fit_error or (
            errs is not None and bool(np.all(errs[dup] > 0) and np.all(errs[dup + 1] > 0))
        )
        if not ok:
            rows = sorted({int(order[i]) for i in dup} | {int(order[i + 1]) for i in dup})
            raise TimestampError(
                f"{dup.size} duplicate timestamp(s) (first at t = {ts[dup[0]]:g} s) "
                f"{where(column='times_s', rows=rows)}: the movement models need an error model "
                "for simultaneous fixes; drop duplicates (habitat.flag_relocations flags all but "
                "the first as flag_duplicate) or pass error_m > 0 (the location error, metres)"
            )
    centre = xys.mean(axis=0)
    scale = float(np.sqrt(np.mean((xys - centre) ** 2)))
    if ts.size > 1 and scale == 0.0:
        raise InsufficientDataError(
            f"all {ts.size} fixes are at one location ({centre[0]:.1f}, {centre[1]:.1f}): "
            "there is no "
            "movement to model; check the coordinates"
        )
    dts = np.diff(ts)
    dts = dts[dts > 0]
    tscale = float(np.median(dts)) if dts.size else 1.0
    span = float(ts[-1] - ts[0]) if ts.size else 0.0
    data = _Data(ts, xys, errs, scale if scale > 0 else 1.0, tscale, span, fit_error=fit_error)
    return data, order


def _parse_models(models: Iterable[str] | None) -> list[tuple[str, bool]]:
    if models is None:
        return list(CANDIDATES)
    if isinstance(models, str):
        models = [models]
    out: list[tuple[str, bool]] = []
    for spec in models:
        parts = str(spec).split()
        name = parts[0].upper() if parts else ""
        if name not in MODEL_NAMES or len(parts) > 2:
            raise InputError(
                f"unknown movement model {spec!r}; use one of {', '.join(MODEL_NAMES)}, "
                "optionally followed by 'isotropic' or 'anisotropic'"
            )
        if len(parts) == 2:
            if parts[1].lower() not in ("isotropic", "anisotropic"):
                raise InputError(f"unknown isotropy {parts[1]!r} in {spec!r}")
            isos = [parts[1].lower() == "isotropic"]
        else:
            isos = [True, False]
        for iso in isos:
            if (name, iso) not in out:
                out.append((name, iso))
    return out


def _fit_candidates(
    times_s: Any,
    xy_m: Any,
    *,
    models: Iterable[str] | None,
    error_m: Any,
    reml: bool,
    crs: Any,
) -> list[MovementModel]:
    data, _ = _prepare(times_s, xy_m, error_m)
    crs, unit_notes = _check_units(data.xy, crs)
    candidates = _parse_models(models)
    fe = data.fit_error
    usable = [(nm, iso) for nm, iso in candidates if data.n >= min_fixes(nm, iso, fit_error=fe)]
    if not usable:
        nm, iso = min(candidates, key=lambda c: min_fixes(*c, fit_error=fe))
        label = f"{nm} {'isotropic' if iso else 'anisotropic'}"
        raise InsufficientDataError(
            f"{data.n} fix(es) are too few for the {label} movement model, which needs at "
            f"least {min_fixes(nm, iso, fit_error=fe)}; collect more fixes"
        )
    fitted: list[tuple[MovementModel, list[str]]] = [
        _fit_one(data, nm, iso, reml=reml, crs=crs) for nm, iso in usable
    ]
    if not any(np.isfinite(model.log_likelihood) for model, _ in fitted):
        raise ConvergenceError(
            f"no movement model has a finite likelihood for these {data.n} fixes "
            "(degenerate spread, e.g. all on one line); check the coordinates"
        )
    best, notes = min(fitted, key=lambda fit: fit[0].aicc)
    gaps = _gap_notes(data)  # about the data: every candidate carries them
    for note in notes + gaps:  # the selected model's (the units were warned already)
        warnings.warn(f"{best.label}: {note}", DataQualityWarning, stacklevel=3)
    count = data.evaluations[0]
    return [
        replace(
            model,
            notes=(*unit_notes, *model.notes, *gaps),
            n_likelihood_evaluations=count,
        )
        for model, _ in fitted
    ]


def select_movement_model(
    times_s: Any,
    xy_m: Any,
    *,
    models: Iterable[str] | None = None,
    error_m: Any = None,
    reml: bool = True,
    crs: Any = None,
) -> pd.DataFrame:
    r"""Fit the candidate movement models and rank them by AICc (ctmm's ``ctmm.select``).

    Parameters
    ----------
    times_s
        (n,) fix times in seconds (any origin; sorted here).
    xy_m
        (n, 2) projected coordinates in metres.
    models
        Candidates, e.g. ``["OU", "OUF anisotropic"]``; a bare name means both
        isotropies. Default: IID, OU and OUF, each isotropic and anisotropic.
        Candidates with fewer fixes than :func:`min_fixes` are skipped.
    error_m
        Known location-error SD per coordinate (m): one value or one per fix;
        or ``"fit"`` to estimate one error SD with the movement parameters
        (ctmm's ``error=TRUE`` without calibration data; parameter ``error_m``).
    reml
        ctmm's pHREML (default) instead of plain maximum likelihood.
    crs
        CRS of ``xy_m``, recorded on the fitted models (coordinates are not
        transformed); it must be projected in metres (degrees raise
        :class:`~habitat.core.errors.ProjectedCRSRequiredError`). Without a CRS,
        coordinates that look like degrees warn (``DataQualityWarning``).

    Returns
    -------
    pandas.DataFrame
        One row per candidate, best first: ``model``, ``isotropic``, ``label``,
        ``n_parameters``, ``log_likelihood``, ``aicc``, ``delta_aicc``,
        ``tau_position_s``, ``tau_velocity_s``, ``sigma_area_m2``
        (:math:`\sqrt{\det\Sigma}`), ``gaussian_area_95_km2``
        (:math:`-2\ln 0.05\,\pi\sqrt{\det\Sigma}`, ctmm's ``summary`` area) with
        ``gaussian_area_95_low_km2`` and ``gaussian_area_95_high_km2`` (chi-square,
        ``2 dof_area`` degrees of freedom), ``dof_area``, ``model_notes``
        (the model's data-quality notes joined by ``"; "``, ``""`` when none; see
        the module notes). ``attrs["models"]`` maps each label to its
        :class:`MovementModel`.

    Raises
    ------
    InsufficientDataError
        Too few fixes for every candidate (:func:`min_fixes`), or all at one place.
    TimestampError
        Duplicate (without a location error) or non-finite times, naming the rows.

    Warns
    -----
    DataQualityWarning
        For the selected model's data-quality notes (``MovementModel.notes``;
        see the module notes): a track that does not settle (its
        :math:`\tau_{\rm position}` exceeds half the span), enormous gaps, and
        coordinates that look like degrees.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(200) * 3600.0
    >>> xy = rng.normal(scale=1000.0, size=(200, 2))
    >>> table = select_movement_model(t, xy, models=["IID", "OU isotropic"])
    >>> table["model"].iloc[0]
    'IID'
    """
    fitted = _fit_candidates(times_s, xy_m, models=models, error_m=error_m, reml=reml, crs=crs)
    rows = []
    for m in fitted:
        area = m.area_scale_m2
        low, high = chisq_ci(area, dof=2.0 * m.dof_area)
        rows.append(
            {
                "model": m.name,
                "isotropic": m.isotropic,
                "label": m.label,
                "n_parameters": m.n_parameters,
                "log_likelihood": m.log_likelihood,
                "aicc": m.aicc,
                "tau_position_s": m.tau_position_s,
                "tau_velocity_s": m.tau_velocity_s,
                "sigma_area_m2": area,
                "gaussian_area_95_km2": _CHI2_95 * np.pi * area / 1e6,
                "gaussian_area_95_low_km2": _CHI2_95 * np.pi * low / 1e6,
                "gaussian_area_95_high_km2": _CHI2_95 * np.pi * high / 1e6,
                "dof_area": m.dof_area,
                "model_notes": "; ".join(m.notes),
            }
        )
    table = pd.DataFrame(rows)
    table["delta_aicc"] = table["aicc"] - table["aicc"].min()
    columns = list(table.columns[:-1])
    columns.insert(columns.index("aicc") + 1, "delta_aicc")
    table = table[columns]
    order = np.argsort(table["aicc"].to_numpy(), kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    table.attrs["models"] = {m.label: m for m in fitted}
    return table


def fit_movement(
    times_s: Any,
    xy_m: Any,
    *,
    models: Iterable[str] | None = None,
    error_m: Any = None,
    reml: bool = True,
    crs: Any = None,
) -> MovementModel:
    """The candidate movement model with the smallest AICc (see :func:`select_movement_model`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(300) * 3600.0
    >>> x = np.zeros((300, 2))
    >>> for i in range(1, 300):  # an OU track, tau = 1 day, sigma = 1 km²
    ...     rho = np.exp(-3600.0 / 86400.0)
    ...     x[i] = rho * x[i - 1] + np.sqrt(1 - rho**2) * 1000.0 * rng.normal(size=2)
    >>> model = fit_movement(t, x, models=["IID isotropic", "OU isotropic"])
    >>> model.name
    'OU'
    """
    fitted = _fit_candidates(times_s, xy_m, models=models, error_m=error_m, reml=reml, crs=crs)
    return min(fitted, key=lambda m: m.aicc)

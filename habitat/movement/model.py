r"""The fitted continuous-time movement model (ctmm's IID, OU and OUF families) and its intervals.

A range-resident animal's positions are modelled as a stationary Gaussian
process with mean ``mean_m`` and covariance ``sigma_m2`` (Fleming et al. 2014);
the models differ by the autocorrelation function (ACF) of positions at time
lag :math:`\tau`:

* IID: :math:`\rho(\tau) = \delta_{\tau 0}` (independent fixes);
* OU (Ornstein-Uhlenbeck, position autocorrelation only):
  :math:`\rho(\tau) = e^{-\tau/\tau_p}`;
* OUF (OU with foraging / velocity autocorrelation, :math:`\tau_p > \tau_v`):
  :math:`\rho(\tau) = (\tau_p e^{-\tau/\tau_p} - \tau_v e^{-\tau/\tau_v}) / (\tau_p - \tau_v)`,
  whose limit at :math:`\tau_p = \tau_v = \tau_0` is
  :math:`(1 + \tau/\tau_0) e^{-\tau/\tau_0}`
  (Fleming et al. 2014; ctmm's ``svf.func``).

The semivariance (variogram) is :math:`\gamma(\tau) = \bar\sigma (1 - \rho(\tau))`
with :math:`\bar\sigma` the mean of the two axes' variances, as ctmm plots it
(Fleming et al. 2014).

Confidence intervals follow ctmm's ``confint.ctmm`` (``summary.ctmm.R``):
variances and the area scale by the chi-square approximation with
:math:`\nu = 2\hat\theta^2/\mathrm{VAR}[\hat\theta]` degrees of freedom
(``chisq.ci`` in ``stats.R``; Fleming et al. 2019 for the area), and
timescales by ctmm's ``ci.tau``: the most conservative of the chi-square
interval of :math:`\tau` and the inverted chi-square interval of :math:`1/\tau`.

References
----------
Fleming, C. H., Calabrese, J. M., Mueller, T., Olson, K. A., Leimgruber, P. &
Fagan, W. F. (2014). From fine-scale foraging to home ranges: a semivariance
approach to identifying movement modes across spatiotemporal scales.
*The American Naturalist* 183(5), E154-E167.

Fleming, C. H., Noonan, M. J., Medici, E. P. & Calabrese, J. M. (2019).
Overcoming the challenge of small effective sample sizes in home-range
estimation. *Methods in Ecology and Evolution* 10, 1679-1689.

Fleming, C. H. et al. (2021). A comprehensive framework for handling location
error in animal tracking data. *bioRxiv* 2020.06.12.130195.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from habitat.core.errors import InputError

__all__ = [
    "MODEL_NAMES",
    "MovementModel",
    "acf",
    "chisq_ci",
    "parameter_names",
    "sigma_parameters",
    "tau_ci",
]

#: the model family, in order of complexity (ctmm's names)
MODEL_NAMES: tuple[str, ...] = ("IID", "OU", "OUF")


def parameter_names(name: str, isotropic: bool, fit_error: bool = False) -> tuple[str, ...]:
    """The fitted parameters of a model, in the order of ``estimates``.

    Examples
    --------
    >>> parameter_names("OUF", False)
    ('sigma_major_m2', 'sigma_minor_m2', 'angle_rad', 'tau_position_s', 'tau_velocity_s')
    """
    sigma = ("sigma_m2",) if isotropic else ("sigma_major_m2", "sigma_minor_m2", "angle_rad")
    taus = {"IID": (), "OU": ("tau_position_s",), "OUF": ("tau_position_s", "tau_velocity_s")}
    return sigma + taus[name] + (("error_m",) if fit_error else ())


def sigma_parameters(sigma: np.ndarray, isotropic: bool) -> np.ndarray:
    """The covariance as parameters: the mean variance, or major, minor and angle (rad).

    The angle of the major axis from the x axis is in (-pi/2, pi/2].

    Examples
    --------
    >>> sigma_parameters(np.array([[1.0, 0.0], [0.0, 4.0]]), False).round(4).tolist()
    [4.0, 1.0, 1.5708]
    """
    if isotropic:
        return np.array([0.5 * np.trace(sigma)])
    values, vectors = np.linalg.eigh(sigma)
    major, minor = values[1], values[0]
    vx, vy = vectors[:, 1]
    angle = float(np.arctan2(vy, vx))
    if angle > np.pi / 2:
        angle -= np.pi
    elif angle <= -np.pi / 2:
        angle += np.pi
    return np.array([major, minor, angle])


def _checked_sigma(sigma_m2: Any) -> tuple[np.ndarray, bool]:
    arr = np.asarray(sigma_m2, dtype=float)
    if arr.ndim == 0:
        arr, isotropic = np.eye(2) * float(arr), True
    elif arr.shape == (2, 2):
        isotropic = bool(arr[0, 0] == arr[1, 1] and arr[0, 1] == 0.0 and arr[1, 0] == 0.0)
    else:
        raise InputError(
            f"sigma_m2 must be one variance per axis (m²) or a 2 x 2 covariance, got shape "
            f"{arr.shape}"
        )
    if not (np.all(np.isfinite(arr)) and arr[0, 1] == arr[1, 0] and np.linalg.eigvalsh(arr)[0] > 0):
        raise InputError(
            f"sigma_m2 must be a finite, symmetric, positive definite covariance (m²); "
            f"got {arr.tolist()}"
        )
    return arr, isotropic


def _checked_taus(name: str, tau_position_s: float, tau_velocity_s: float) -> tuple[float, float]:
    if name not in MODEL_NAMES:
        raise InputError(f"model name must be one of {MODEL_NAMES}, got {name!r}")
    tp, tv = float(tau_position_s), float(tau_velocity_s)
    need = {"IID": (False, False), "OU": (True, False), "OUF": (True, True)}[name]
    for given, needed, label in ((tp, need[0], "tau_position_s"), (tv, need[1], "tau_velocity_s")):
        if needed and not (math.isfinite(given) and given > 0):
            raise InputError(f"{name} needs a positive, finite {label} (s); got {given!r}")
        if not needed and given != 0.0:
            raise InputError(f"{name} has no {label}; got {given!r} (leave it 0)")
    return tp, tv


def chisq_ci(
    estimate: float,
    variance: float | None = None,
    *,
    dof: float | None = None,
    level: float = 0.95,
) -> tuple[float, float]:
    r"""Chi-square confidence interval of a positive scale parameter (ctmm's ``chisq.ci``).

    ctmm's interval (``stats.R``: ``CI.lower``/``CI.upper``) with
    :math:`\nu = 2\hat\theta^2/\mathrm{VAR}[\hat\theta]` degrees of freedom
    (Fleming et al. 2019) is
    :math:`[\hat\theta\,\chi^2_{\nu,\alpha/2}/\nu,\;\hat\theta\,\chi^2_{\nu,1-\alpha/2}/\nu]`
    (quantiles of :math:`\chi^2_\nu/\nu` scaled by the estimate). As in ctmm the
    upper bound is never below the normal one,
    :math:`\hat\theta + z_{1-\alpha/2}\sqrt{\mathrm{VAR}}`.

    Parameters
    ----------
    estimate
        The point estimate (same units as the interval).
    variance
        Its sampling variance (units squared); ignored when ``dof`` is given.
    dof
        Degrees of freedom :math:`\nu` (``inf``: no uncertainty; 0: none known).
    level
        Confidence level in (0, 1).

    Returns
    -------
    (low, high)

    Examples
    --------
    >>> low, high = chisq_ci(10.0, dof=20.0)
    >>> round(low, 3), round(high, 3)
    (4.795, 17.085)
    >>> chisq_ci(10.0, dof=0.0)
    (0.0, inf)
    """
    alpha = 1.0 - level
    if dof is None:
        if variance is None or not np.isfinite(variance):
            dof = 0.0
        elif variance == 0.0:
            dof = np.inf
        else:
            dof = 2.0 * estimate**2 / abs(variance)
    if not np.isfinite(estimate):
        return (np.inf, np.inf)
    if np.isnan(dof) or dof <= 0.0:
        return (0.0, np.inf)
    if np.isinf(dof):
        return (float(estimate), float(estimate))
    if estimate == 0.0:
        return (0.0, 0.0)
    q_low, q_high = stats.chi2.ppf([alpha / 2.0, 1.0 - alpha / 2.0], dof)
    low = estimate * q_low / dof
    high = estimate * q_high / dof
    var = 2.0 * estimate**2 / dof
    normal_high = estimate + stats.norm.ppf(1.0 - alpha / 2.0) * np.sqrt(var)
    if not np.isfinite(high) or high < normal_high:
        high = normal_high
    return (float(low), float(high))


def tau_ci(tau: float, variance: float, *, level: float = 0.95) -> tuple[float, float]:
    r"""Confidence interval of a timescale (ctmm's ``ci.tau``): can reach 0 and infinity.

    The most conservative of the chi-square interval of :math:`\tau` and of the
    inverted chi-square interval of the rate :math:`1/\tau` (whose variance is
    :math:`\mathrm{VAR}[\tau]/\tau^4` by the delta method).

    Examples
    --------
    >>> low, high = tau_ci(3600.0, 3600.0**2 / 50)
    >>> 2600 < low < 3600 < high < 5000
    True
    """
    if not np.isfinite(variance):
        return (0.0, np.inf)
    if tau <= 0.0:
        return (0.0, 0.0)
    lo1, hi1 = chisq_ci(tau, variance, level=level)
    lo2, hi2 = chisq_ci(1.0 / tau, variance / tau**4, level=level)
    with np.errstate(divide="ignore"):
        bounds = [lo1, hi1, 1.0 / lo2 if lo2 > 0 else np.inf, 1.0 / hi2 if hi2 > 0 else np.inf]
    return (float(max(min(bounds), 0.0)), float(max(bounds)))


def _is_variance(name: str) -> bool:
    return name.startswith("sigma") or name.startswith("error")


@dataclass(frozen=True)
class MovementModel:
    r"""A fitted continuous-time movement model (ctmm's ``ctmm`` object, for IID, OU and OUF).

    Attributes
    ----------
    name
        ``"IID"``, ``"OU"`` or ``"OUF"``.
    isotropic
        True when the covariance is :math:`s I` (one variance for both axes).
    mean_m
        (2,) stationary mean, metres in the estimation CRS.
    sigma_m2
        (2, 2) stationary covariance of positions (m²).
    tau_position_s, tau_velocity_s
        :math:`\tau_p` (0 for IID) and :math:`\tau_v` (0 for IID and OU), seconds.
    error_m
        Location-error SD per coordinate used in the fit (m); None without an
        error model; ``nan`` when per-fix errors were given.
    log_likelihood, aicc
        Maximised (or pREML) log-likelihood and the small-sample AIC.
    n_fixes, n_parameters
        Number of fixes and number of fitted parameters ``k`` (mean included).
    parameter_names, estimates, covariance
        Parameter names (``sigma_m2`` or ``sigma_major_m2``, ``sigma_minor_m2``,
        ``angle_rad``, then ``tau_position_s``, ``tau_velocity_s``), their values
        and their covariance matrix (inverse Fisher information).
    dof_area
        ctmm's ``DOF.area``: :math:`\hat A^2/\mathrm{VAR}[\hat A]` with
        :math:`A = \sqrt{\det\Sigma}` (``summary.ctmm.R``).
    reml
        True when the perturbative REML correction was applied.
    crs
        CRS of ``mean_m``/``sigma_m2`` (pyproj CRS, or None for bare metres).
    mean_covariance_m2
        (2, 2) covariance of the estimated mean (GLS), m²; nan when unknown.
    notes
        Data-quality findings about this fit (e.g. a track that does not settle
        into a range), also issued as ``DataQualityWarning`` for the selected model.
    n_likelihood_evaluations
        Exact likelihood evaluations (Kalman filter passes over all fixes) made
        by the call that fitted this model: by ``fit_movement`` or
        ``select_movement_model``, all candidates together (they share filter
        runs, so a candidate's own share depends on the order); evaluations
        reusing a cached unit-variance filter (a new :math:`\Sigma` at the same
        timescales) cost no pass and are not counted. 0 when unknown.

    Examples
    --------
    Models come from :func:`habitat.movement.fit_movement`, or from
    :meth:`from_parameters`:

    >>> m = MovementModel.from_parameters("OUF", sigma_m2=[[4e6, 1e6], [1e6, 2e6]],
    ...                                   tau_position_s=86400.0, tau_velocity_s=3600.0)
    >>> m.label, round(m.area_scale_m2 / 1e6, 3)
    ('OUF anisotropic', 2.646)
    >>> m.parameters().loc["tau_position_s"].tolist()  # exact: no uncertainty
    [86400.0, 86400.0, 86400.0]
    """

    name: str
    isotropic: bool
    mean_m: np.ndarray
    sigma_m2: np.ndarray
    tau_position_s: float
    tau_velocity_s: float
    error_m: float | None
    log_likelihood: float
    aicc: float
    n_fixes: int
    n_parameters: int
    parameter_names: tuple[str, ...]
    estimates: np.ndarray
    covariance: np.ndarray
    dof_area: float
    reml: bool
    crs: Any
    mean_covariance_m2: np.ndarray = field(default_factory=lambda: np.full((2, 2), np.nan))
    notes: tuple[str, ...] = ()
    n_likelihood_evaluations: int = 0

    @classmethod
    def from_parameters(
        cls,
        name: str,
        *,
        sigma_m2: Any,
        tau_position_s: float = 0.0,
        tau_velocity_s: float = 0.0,
        mean_m: Any = (0.0, 0.0),
        error_m: float | None = None,
        dof_area: float = math.inf,
        crs: Any = None,
    ) -> MovementModel:
        r"""A model given by its parameters (ctmm's ``ctmm(tau=, sigma=)``), not fitted.

        For simulation (:func:`habitat.movement.simulate.simulate_movement`),
        for AKDE under a model known from elsewhere, and for checks against
        known truth. The parameters are exact: their covariance is zero and
        ``dof_area`` infinite unless given (then AKDE's area interval comes
        from ``dof_area``); there is no likelihood (``log_likelihood`` and
        ``aicc`` are nan).

        Parameters
        ----------
        name : {"IID", "OU", "OUF"}
            The model.
        sigma_m2 : float or array_like, shape (2, 2)
            Variance per axis (isotropic) or the covariance of positions (m²);
            a matrix :math:`s I` is isotropic.
        tau_position_s, tau_velocity_s : float
            Timescales (s): OU needs ``tau_position_s``, OUF both; 0 otherwise.
        mean_m : array_like, shape (2,)
            Stationary mean (m).
        error_m : float, optional
            Location-error SD per coordinate (m).
        dof_area : float
            Effective sample size of the area (infinite: known exactly).
        crs : optional
            CRS of the mean and covariance.

        Raises
        ------
        InputError
            For an unknown name, timescales the model does not have or lacks,
            or a covariance that is not positive definite.

        Examples
        --------
        >>> m = MovementModel.from_parameters("OU", sigma_m2=1e6, tau_position_s=86400.0)
        >>> m.label, m.parameter_names, float(m.autocorrelation(np.array([86400.0]))[0])
        ('OU isotropic', ('sigma_m2', 'tau_position_s'), 0.36787944117144233)
        >>> float(m.semivariance_m2(np.array([1e9]))[0])  # levels off at sigma
        1000000.0
        """
        sigma, isotropic = _checked_sigma(sigma_m2)
        tp, tv = _checked_taus(name, tau_position_s, tau_velocity_s)
        names = parameter_names(name, isotropic)
        taus = {"tau_position_s": tp, "tau_velocity_s": tv}
        estimates = np.concatenate(
            [sigma_parameters(sigma, isotropic), [taus[n] for n in names if n in taus]]
        )
        mean = np.asarray(mean_m, dtype=float).reshape(2)
        return cls(
            name=name,
            isotropic=isotropic,
            mean_m=mean,
            sigma_m2=sigma,
            tau_position_s=tp,
            tau_velocity_s=tv,
            error_m=error_m,
            log_likelihood=math.nan,
            aicc=math.nan,
            n_fixes=0,
            n_parameters=len(names) + 2,
            parameter_names=names,
            estimates=estimates,
            covariance=np.zeros((len(names), len(names))),
            dof_area=float(dof_area),
            reml=False,
            crs=crs,
            mean_covariance_m2=np.zeros((2, 2)),
        )

    @property
    def label(self) -> str:
        """e.g. ``"OUF anisotropic"``."""
        return f"{self.name} {'isotropic' if self.isotropic else 'anisotropic'}"

    @property
    def area_scale_m2(self) -> float:
        r""":math:`\sqrt{\det\Sigma}` (m²): ctmm's ``area.covm``, the Gaussian area scale."""
        return float(np.sqrt(max(np.linalg.det(self.sigma_m2), 0.0)))

    def autocorrelation(self, lags_s: np.ndarray) -> np.ndarray:
        r"""Autocorrelation of positions at the given lags (1 at lag 0).

        Fleming et al. 2014: IID :math:`\delta_{\tau0}`; OU
        :math:`e^{-|\tau|/\tau_p}`; OUF
        :math:`(\tau_p e^{-|\tau|/\tau_p} - \tau_v e^{-|\tau|/\tau_v})/(\tau_p-\tau_v)`,
        with the :math:`\tau_p=\tau_v` limit :math:`(1+|\tau|/\tau_0)e^{-|\tau|/\tau_0}`.
        """
        return acf(
            np.abs(np.asarray(lags_s, dtype=float)), self.tau_position_s, self.tau_velocity_s
        )

    def semivariance_m2(self, lags_s: np.ndarray, *, include_error: bool = False) -> np.ndarray:
        r"""Model semivariance (m²) at the lags: mean of the two axes, :math:`\bar\sigma(1-\rho)`.

        With ``include_error`` the constant location-error variance
        ``error_m**2`` is added at non-zero lags, as for a variogram of
        error-laden fixes (Fleming et al. 2021, location-error framework).
        """
        lags = np.abs(np.asarray(lags_s, dtype=float))
        svf = (
            0.5
            * float(np.trace(self.sigma_m2))
            * (1.0 - acf(lags, self.tau_position_s, self.tau_velocity_s))
        )
        if include_error and self.error_m is not None and np.isfinite(self.error_m):
            svf = svf + np.where(lags > 0, self.error_m**2, 0.0)
        return svf

    def parameters(self, level: float = 0.95) -> pd.DataFrame:
        r"""Estimates with confidence intervals, as ctmm's ``summary``/``confint``.

        Rows: ``area_scale_m2`` (:math:`\sqrt{\det\Sigma}`, chi-square with
        ``2 * dof_area`` degrees of freedom), then each of ``parameter_names``:
        variances by ``chisq_ci``, timescales by ``tau_ci``, a fitted error SD
        by ``chisq_ci`` on its square (as ctmm), the angle by a normal interval;
        last ``mean_x_m`` and ``mean_y_m``, the stationary mean with normal
        intervals from its GLS covariance.

        Returns
        -------
        pandas.DataFrame
            index ``parameter``; columns ``estimate``, ``low``, ``high``.
        """
        rows: list[tuple[str, float, float, float]] = []
        area = self.area_scale_m2
        lo, hi = chisq_ci(area, dof=2.0 * self.dof_area, level=level)
        rows.append(("area_scale_m2", area, lo, hi))
        z = float(stats.norm.ppf(0.5 + level / 2.0))
        for i, name in enumerate(self.parameter_names):
            est = float(self.estimates[i])
            var = float(self.covariance[i, i])
            if name.startswith("tau"):
                lo, hi = tau_ci(est, var, level=level)
            elif name.startswith("error"):
                # ctmm: chi-square on the mean square, VAR[e²] = (2e)² VAR[e], then sqrt
                lo, hi = chisq_ci(est**2, (2.0 * est) ** 2 * var, level=level)
                lo, hi = float(np.sqrt(lo)), float(np.sqrt(hi))
            elif _is_variance(name):
                lo, hi = chisq_ci(est, var, level=level)
            else:
                sd = np.sqrt(var) if np.isfinite(var) and var >= 0 else np.inf
                lo, hi = est - z * sd, est + z * sd
            rows.append((name, est, lo, hi))
        for axis, label in enumerate(("mean_x_m", "mean_y_m")):
            var = float(self.mean_covariance_m2[axis, axis])
            sd = np.sqrt(var) if np.isfinite(var) and var >= 0 else np.inf
            est = float(self.mean_m[axis])
            rows.append((label, est, est - z * sd, est + z * sd))
        out = pd.DataFrame(rows, columns=["parameter", "estimate", "low", "high"])
        return out.set_index("parameter")


def acf(lags: np.ndarray, tau_position: float, tau_velocity: float) -> np.ndarray:
    """Position autocorrelation at non-negative lags (s) for IID/OU/OUF timescales (s).

    ``tau_position == 0``: IID; ``tau_velocity == 0``: OU; else OUF (Fleming et al. 2014).

    Examples
    --------
    >>> acf(np.array([0.0, 1.0]), 1.0, 1.0).round(6).tolist()  # (1 + t) e^-t
    [1.0, 0.735759]
    """
    lags = np.asarray(lags, dtype=float)
    if tau_position <= 0.0:
        return np.where(lags == 0.0, 1.0, 0.0)
    if tau_velocity <= 0.0:
        return np.exp(-lags / tau_position)
    tp, tv = float(tau_position), float(tau_velocity)
    if abs(tp - tv) <= 1e-8 * tp:
        t0 = 0.5 * (tp + tv)
        return (1.0 + lags / t0) * np.exp(-lags / t0)
    return (tp * np.exp(-lags / tp) - tv * np.exp(-lags / tv)) / (tp - tv)

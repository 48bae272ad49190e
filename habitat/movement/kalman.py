r"""Exact Gaussian likelihood of irregularly timed fixes under IID, OU and OUF models (Kalman).

The positions :math:`z_i = \mu + x(t_i) + \epsilon_i` of a stationary
process :math:`x` with covariance :math:`\Sigma\,\rho(t_i - t_j)` and
independent location errors :math:`\epsilon_i \sim N(0, e_i I)` have the
log-likelihood

.. math::

    \ell = -\tfrac12 \log\det V - \tfrac12 (z - \mu)^\top V^{-1} (z - \mu)
           - n \log 2\pi ,

evaluated in :math:`O(n)` by a Kalman filter over the time steps
(Fleming et al. 2014, Appendix; ctmm's ``ctmm.loglike`` in ``likelihood.R`` and
``kalman`` in ``kalman.R``): :math:`\log\det V = \sum_i \log S_i` and the
quadratic form is :math:`\sum_i r_i^2/S_i` with :math:`r_i` and :math:`S_i`
the innovations and their variances. As in ctmm:

* the stationary mean :math:`\mu` is profiled by generalised least squares
  (the column of ones is filtered with the data: :math:`\hat\mu = D/W`,
  :math:`W = \sum_i u_i^2/S_i`, :math:`\mathrm{COV}[\hat\mu] = \Sigma/W`);
* without location error the whole covariance :math:`\Sigma` is profiled
  (unit-variance filter, :math:`\hat\Sigma = \hat R` the whitened residual
  covariance, ctmm's ``PROFILE == 2``); with REML :math:`\hat\Sigma` is
  multiplied by :math:`n/(n-1)`;
* an anisotropic :math:`\Sigma` with isotropic errors is handled by rotating
  the data to the principal axes of :math:`\Sigma` and running two independent
  1D filters (ctmm's ``DIM == 1.5``);
* the REML log-likelihood adds :math:`-\tfrac12\log\det(X^\top V^{-1} X)
  = -\tfrac12 \sum_{\rm axes} \log W_a` (ctmm's ``logdetcov``; Fleming et al.
  2019, "A comprehensive framework for handling location error", Appendix),
  without the constant :math:`\log 2\pi` terms, as ctmm.

References
----------
Fleming, C. H. et al. (2014). From fine-scale foraging to home ranges.
*The American Naturalist* 183(5), E154-E167.

Fleming, C. H. et al. (2021). A comprehensive framework for handling location
error in animal tracking data. *bioRxiv* 2020.06.12.130195.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "Likelihood",
    "UnitFilter",
    "filter_axis",
    "log_likelihood",
    "profiled_likelihood",
    "unit_filter",
]

_LOG2PI = float(np.log(2.0 * np.pi))


class Likelihood(NamedTuple):
    """One likelihood evaluation: value and the profiled quantities."""

    log_likelihood: float
    mean_m: np.ndarray
    mean_covariance_m2: np.ndarray
    sigma_m2: np.ndarray


def filter_axis(
    times_s: np.ndarray,
    columns: np.ndarray,
    *,
    tau_position_s: float,
    tau_velocity_s: float,
    sigma_m2: float,
    error_var_m2: np.ndarray,
) -> tuple[float, np.ndarray]:
    """Run the 1D filter of the model over ``columns`` (n, m).

    Returns ``(sum_i log S_i, C)``, ``C`` the (m, m) whitened innovation cross products.

    Examples
    --------
    >>> t = np.array([0.0, 1.0, 3.0])
    >>> s, c = filter_axis(t, np.ones((3, 1)), tau_position_s=0.0, tau_velocity_s=0.0,
    ...                    sigma_m2=2.0, error_var_m2=np.zeros(3))
    >>> round(s, 6), float(c[0, 0])  # IID: 3 log 2 and 3 / 2
    (2.079442, 1.5)
    """
    from habitat.movement import kalman_kernels as kk

    t = np.ascontiguousarray(times_s, dtype=np.float64)
    z = np.ascontiguousarray(columns, dtype=np.float64)
    err = np.ascontiguousarray(error_var_m2, dtype=np.float64)
    if tau_position_s > 0.0 and tau_velocity_s > 0.0:
        tp, tv = max(tau_position_s, tau_velocity_s), min(tau_position_s, tau_velocity_s)
        return kk.filter_ouf(t, z, float(tp), float(tv), float(sigma_m2), err)
    return kk.filter_ou(t, z, float(max(tau_position_s, 0.0)), float(sigma_m2), err)


def profiled_likelihood(
    times_s: np.ndarray,
    xy_m: np.ndarray,
    *,
    tau_position_s: float,
    tau_velocity_s: float,
    isotropic: bool,
    reml: bool = False,
) -> Likelihood:
    r"""Log-likelihood with :math:`\Sigma` and :math:`\mu` profiled (no location error).

    ctmm's ``PROFILE == 2`` (``likelihood.R``): one unit-variance filter of the
    columns ``(x, y, 1)``; :math:`\hat\Sigma` is the whitened residual
    covariance (its mean eigenvalue times :math:`I` when isotropic), times
    :math:`n/(n-1)` for REML. Then
    :math:`\ell = -\sum_i\log S_i - \tfrac n2\log\det\hat\Sigma
    - \tfrac12\mathrm{tr}(\hat\Sigma^{-1}Q) - n\log 2\pi`
    (:math:`-\log W + \tfrac12\log\det\hat\Sigma` more for REML).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> xy = rng.normal(size=(50, 2))
    >>> lik = profiled_likelihood(np.arange(50.0), xy, tau_position_s=0.0,
    ...                           tau_velocity_s=0.0, isotropic=False)
    >>> bool(np.allclose(lik.sigma_m2, np.cov(xy.T, bias=True)))
    True
    """
    unit = unit_filter(times_s, xy_m, tau_position_s=tau_position_s, tau_velocity_s=tau_velocity_s)
    n = unit.n
    sigma = unit.residual / n
    if reml:
        sigma = sigma * n / (n - 1.0)
    if isotropic:
        sigma = np.eye(2) * (0.5 * np.trace(sigma))
    ll = unit.log_likelihood(sigma, reml=reml)
    return Likelihood(ll, unit.mean_m, sigma / unit.weight, sigma)


class UnitFilter(NamedTuple):
    r"""Sufficient statistics of one unit-variance filter (no location error).

    With :math:`V = \Sigma \otimes C(\tau)`, the filter of :math:`C` alone gives
    :math:`\sum_i\log S_i`, the GLS-detrended whitened residual cross products
    :math:`Q` (2, 2) and :math:`W = \sum_i u_i^2/S_i`, from which the
    likelihood of any :math:`\Sigma` follows without filtering again:
    :math:`\ell = -\sum_i\log S_i - \tfrac n2\log\det\Sigma
    - \tfrac12\mathrm{tr}(\Sigma^{-1}Q) - n\log 2\pi`, plus
    :math:`-\log W + \tfrac12\log\det\Sigma` for REML.
    """

    sumlog: float
    residual: np.ndarray
    weight: float
    mean_m: np.ndarray
    n: int

    def log_likelihood(self, sigma_m2: np.ndarray, *, reml: bool = False) -> float:
        """Log-likelihood at covariance ``sigma_m2`` (2, 2), mean profiled."""
        det = float(np.linalg.det(sigma_m2))
        if not np.isfinite(det) or det <= 0.0 or not np.isfinite(self.sumlog):
            return -np.inf
        logdet = float(np.log(det))
        quad = float(np.trace(np.linalg.solve(sigma_m2, self.residual)))
        ll = -self.sumlog - 0.5 * self.n * logdet - 0.5 * quad - self.n * _LOG2PI
        if reml:
            ll += -float(np.log(self.weight)) + 0.5 * logdet
        return float(ll)


def unit_filter(
    times_s: np.ndarray, xy_m: np.ndarray, *, tau_position_s: float, tau_velocity_s: float
) -> UnitFilter:
    """Run the unit-variance filter of the columns (x, y, 1); see :class:`UnitFilter`."""
    xy = np.asarray(xy_m, dtype=float)
    n = xy.shape[0]
    centre = xy.mean(axis=0)
    cols = np.column_stack([xy - centre, np.ones(n)])
    sumlog, c = filter_axis(
        times_s,
        cols,
        tau_position_s=tau_position_s,
        tau_velocity_s=tau_velocity_s,
        sigma_m2=1.0,
        error_var_m2=np.zeros(n),
    )
    w = float(c[2, 2])
    d = c[:2, 2]
    q = c[:2, :2] - np.outer(d, d) / w
    return UnitFilter(float(sumlog), q, w, d / w + centre, n)


def log_likelihood(
    times_s: np.ndarray,
    xy_m: np.ndarray,
    *,
    sigma_m2: np.ndarray | float,
    tau_position_s: float = 0.0,
    tau_velocity_s: float = 0.0,
    error_m: float | np.ndarray | None = None,
    mean_m: np.ndarray | None = None,
    reml: bool = False,
) -> Likelihood:
    r"""Exact log-likelihood of fixes under an IID/OU/OUF model with given covariance.

    Parameters
    ----------
    times_s
        (n,) increasing times, seconds (any origin).
    xy_m
        (n, 2) projected coordinates, metres.
    sigma_m2
        (2, 2) covariance :math:`\Sigma` of positions (m²), or a scalar for :math:`sI`.
    tau_position_s, tau_velocity_s
        Timescales (s): both 0 for IID, ``tau_velocity_s = 0`` for OU.
    error_m
        Location-error SD per coordinate (m): scalar or (n,) per fix; None = no error.
    mean_m
        Known stationary mean (2,); None profiles it by GLS (as ctmm).
    reml
        Add the REML term :math:`-\tfrac12\sum_a\log W_a` (profiled mean only).

    Returns
    -------
    Likelihood
        ``log_likelihood``, the (estimated) mean, its covariance and ``sigma_m2``.

    Examples
    --------
    >>> from scipy import stats
    >>> t = np.array([0.0, 1.0, 2.5])
    >>> xy = np.array([[0.0, 1.0], [0.5, 0.2], [1.0, -0.3]])
    >>> cov = np.exp(-np.abs(t[:, None] - t[None, :]) / 2.0)
    >>> dense = sum(stats.multivariate_normal(np.zeros(3), cov).logpdf(xy[:, k]) for k in range(2))
    >>> lik = log_likelihood(t, xy, sigma_m2=1.0, tau_position_s=2.0, mean_m=np.zeros(2))
    >>> bool(np.isclose(lik.log_likelihood, dense))
    True
    """
    t = np.asarray(times_s, dtype=float)
    xy = np.asarray(xy_m, dtype=float)
    n = xy.shape[0]
    sigma = np.asarray(sigma_m2, dtype=float)
    if sigma.ndim == 0:
        sigma = np.eye(2) * float(sigma)
    if error_m is None:
        err = np.zeros(n)
    else:
        err = np.broadcast_to(np.asarray(error_m, dtype=float) ** 2, (n,)).copy()
    values, vectors = np.linalg.eigh(sigma)
    if values.min() < 0.0 or not np.all(np.isfinite(values)):
        return Likelihood(-np.inf, np.full(2, np.nan), np.full((2, 2), np.nan), sigma)
    centre = xy.mean(axis=0) if mean_m is None else np.asarray(mean_m, dtype=float)
    if values[1] - values[0] <= 1e-14 * values[1]:
        return _isotropic(
            t,
            xy - centre,
            centre,
            float(values.mean()),
            err,
            tau_position_s,
            tau_velocity_s,
            profile_mean=mean_m is None,
            reml=reml,
            sigma=sigma,
        )
    rotated = (xy - centre) @ vectors
    ll = -n * _LOG2PI
    mean_rot = np.zeros(2)
    inv_w = np.zeros(2)
    for a in range(2):
        cols = rotated[:, a : a + 1]
        if mean_m is None:
            cols = np.column_stack([cols, np.ones(n)])
        sumlog, c = filter_axis(
            t,
            cols,
            tau_position_s=tau_position_s,
            tau_velocity_s=tau_velocity_s,
            sigma_m2=float(values[a]),
            error_var_m2=err,
        )
        if not np.isfinite(sumlog):
            return Likelihood(-np.inf, centre, np.full((2, 2), np.nan), sigma)
        quad = c[0, 0]
        if mean_m is None:
            w = c[1, 1]
            mean_rot[a] = c[0, 1] / w
            quad = quad - c[0, 1] ** 2 / w
            inv_w[a] = 1.0 / w
            if reml:
                ll -= 0.5 * float(np.log(w))
        ll += -0.5 * sumlog - 0.5 * quad
    mean = centre + vectors @ mean_rot
    mean_cov = vectors @ np.diag(inv_w) @ vectors.T
    return Likelihood(float(ll), mean, mean_cov, sigma)


def _isotropic(
    t: np.ndarray,
    z: np.ndarray,
    centre: np.ndarray,
    s: float,
    err: np.ndarray,
    tau_position_s: float,
    tau_velocity_s: float,
    *,
    profile_mean: bool,
    reml: bool,
    sigma: np.ndarray,
) -> Likelihood:
    """Isotropic Sigma = s I: one filter of the columns (x, y[, 1])."""
    n = z.shape[0]
    cols = np.column_stack([z, np.ones(n)]) if profile_mean else z
    sumlog, c = filter_axis(
        t,
        cols,
        tau_position_s=tau_position_s,
        tau_velocity_s=tau_velocity_s,
        sigma_m2=s,
        error_var_m2=err,
    )
    if not np.isfinite(sumlog):
        return Likelihood(-np.inf, centre, np.full((2, 2), np.nan), sigma)
    quad = c[0, 0] + c[1, 1]
    ll = -n * _LOG2PI - sumlog
    mean = centre.copy()
    mean_cov = np.zeros((2, 2))
    if profile_mean:
        w = c[2, 2]
        mean = centre + c[:2, 2] / w
        quad -= (c[0, 2] ** 2 + c[1, 2] ** 2) / w
        mean_cov = np.eye(2) / w
        if reml:
            ll -= float(np.log(w))
    ll -= 0.5 * quad
    return Likelihood(float(ll), mean, mean_cov, sigma)

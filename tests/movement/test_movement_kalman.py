"""The Kalman-filter likelihood against the dense multivariate normal density (small n)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from habitat.movement.kalman import log_likelihood, profiled_likelihood
from habitat.movement.model import acf

MODELS = [(0.0, 0.0), (2.0, 0.0), (3.0, 0.7), (1.5, 1.5), (0.7, 3.0)]


def _track(
    n: int = 30, seed: int = 0, shortest: float = 1e-4
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    # irregular steps, including very short ones (down to `shortest` timescales)
    t = np.cumsum(np.concatenate([rng.exponential(1.0, n - 3), [shortest, 5e-3, 0.3]]))
    xy = rng.normal(size=(n, 2)) * 3 + [10.0, -5.0]
    err = rng.uniform(0.1, 1.0, n)
    return t, xy, err


def _dense(t, xy, sigma, tp, tv, err):
    """Covariance of the stacked (x..., y...) vector: Sigma (x) ACF + error on the diagonal."""
    n = t.size
    corr = acf(np.abs(t[:, None] - t[None, :]), tp, tv)
    cov = np.kron(sigma, corr) + np.kron(np.eye(2), np.diag(err**2))
    z = np.concatenate([xy[:, 0], xy[:, 1]])
    x = np.zeros((2 * n, 2))
    x[:n, 0] = 1.0
    x[n:, 1] = 1.0
    return cov, z, x


def _logpdf_extended(z: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> float:
    """Dense MVN log-density by a Cholesky factorisation in extended (long double) precision.

    Without location error, OUF fixes a few hundredths of a timescale apart make
    the dense covariance ill-conditioned enough that float64 densities (scipy)
    are off by ~1e-8; this oracle is not.
    """
    c = cov.astype(np.longdouble)
    r = (z - mean).astype(np.longdouble)
    n = r.size
    low = np.zeros_like(c)
    for j in range(n):
        low[j, j] = np.sqrt(c[j, j] - (low[j, :j] ** 2).sum())
        low[j + 1 :, j] = (c[j + 1 :, j] - low[j + 1 :, :j] @ low[j, :j]) / low[j, j]
    y = np.zeros(n, dtype=np.longdouble)
    for i in range(n):
        y[i] = (r[i] - (low[i, :i] * y[:i]).sum()) / low[i, i]
    logdet = np.log(np.diag(low)).sum()
    return float(-0.5 * (y**2).sum() - logdet - 0.5 * n * np.log(2 * np.pi))


@pytest.mark.parametrize(("tp", "tv"), MODELS)
@pytest.mark.parametrize("with_error", [False, True])
def test_known_mean_equals_dense_mvn(tp, tv, with_error):
    # without error an OUF pair 1e-4 apart makes the dense covariance singular (cond ~ 1e16)
    t, _, err = _track(shortest=1e-4 if with_error else 1e-2)
    err = err if with_error else np.zeros_like(err)
    sigma = np.array([[4.0, 1.0], [1.0, 2.0]])
    mu = np.array([9.0, -4.0])
    cov, _, x = _dense(t, np.zeros((t.size, 2)), sigma, tp, tv, err)
    # a draw from the model itself, so that the quadratic form is of order n
    values, vectors = np.linalg.eigh(cov)
    rng = np.random.default_rng(5)
    z = x @ mu + vectors @ (np.sqrt(np.clip(values, 0, None)) * rng.normal(size=values.size))
    xy = np.column_stack([z[: t.size], z[t.size :]])
    expected = _logpdf_extended(z, x @ mu, cov)
    assert stats.multivariate_normal(x @ mu, cov).logpdf(z) == pytest.approx(expected, abs=1e-6)
    got = log_likelihood(
        t,
        xy,
        sigma_m2=sigma,
        tau_position_s=tp,
        tau_velocity_s=tv,
        error_m=err if with_error else None,
        mean_m=mu,
    )
    assert got.log_likelihood == pytest.approx(expected, abs=1e-8)


@pytest.mark.parametrize(("tp", "tv"), MODELS)
def test_profiled_mean_is_gls_and_reml_term(tp, tv):
    t, xy, err = _track(seed=1)
    sigma = np.array([[3.0, -0.5], [-0.5, 1.0]])
    cov, z, x = _dense(t, xy, sigma, tp, tv, err)
    vi = np.linalg.inv(cov)
    info = x.T @ vi @ x
    beta = np.linalg.solve(info, x.T @ vi @ z)
    ml = stats.multivariate_normal(x @ beta, cov).logpdf(z)
    lik = log_likelihood(t, xy, sigma_m2=sigma, tau_position_s=tp, tau_velocity_s=tv, error_m=err)
    assert lik.log_likelihood == pytest.approx(ml, abs=1e-9)
    np.testing.assert_allclose(lik.mean_m, beta, atol=1e-10)
    np.testing.assert_allclose(lik.mean_covariance_m2, np.linalg.inv(info), atol=1e-12)
    # REML (ctmm's convention: no 2 pi constant for the mean): -1/2 log det X'V^-1 X
    reml = log_likelihood(
        t, xy, sigma_m2=sigma, tau_position_s=tp, tau_velocity_s=tv, error_m=err, reml=True
    )
    assert reml.log_likelihood == pytest.approx(ml - 0.5 * np.linalg.slogdet(info)[1], abs=1e-9)


def test_iid_equals_scipy_iid_density():
    rng = np.random.default_rng(3)
    xy = rng.normal(size=(40, 2)) @ np.array([[2.0, 0.0], [0.7, 1.0]])
    sigma = np.array([[4.0, 1.4], [1.4, 1.49]])
    mu = np.array([0.1, -0.2])
    expected = stats.multivariate_normal(mu, sigma).logpdf(xy).sum()
    got = log_likelihood(np.arange(40.0), xy, sigma_m2=sigma, mean_m=mu)
    assert got.log_likelihood == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(("tp", "tv"), MODELS)
@pytest.mark.parametrize("isotropic", [False, True])
@pytest.mark.parametrize("reml", [False, True])
def test_profiled_sigma_is_the_maximum(tp, tv, isotropic, reml):
    """Profiled = full likelihood at the profiled Sigma, and no other Sigma does better."""
    t, xy, _ = _track(seed=2)
    n = t.size
    prof = profiled_likelihood(
        t, xy, tau_position_s=tp, tau_velocity_s=tv, isotropic=isotropic, reml=reml
    )
    full = log_likelihood(
        t, xy, sigma_m2=prof.sigma_m2, tau_position_s=tp, tau_velocity_s=tv, reml=reml
    )
    assert prof.log_likelihood == pytest.approx(full.log_likelihood, abs=1e-9)
    np.testing.assert_allclose(prof.mean_m, full.mean_m, atol=1e-10)
    if isotropic:
        assert prof.sigma_m2[0, 1] == 0.0
        assert prof.sigma_m2[0, 0] == prof.sigma_m2[1, 1]
    for factor in (0.9, 1.1):
        for bump in (np.eye(2), np.array([[1.0, 0.0], [0.0, 1.05]])):
            other = prof.sigma_m2 * factor @ (bump if not isotropic else np.eye(2))
            worse = log_likelihood(
                t, xy, sigma_m2=other, tau_position_s=tp, tau_velocity_s=tv, reml=reml
            )
            assert worse.log_likelihood < prof.log_likelihood
    assert n == 30


def test_scale_of_profiled_reml_sigma():
    t, xy, _ = _track(seed=4)
    n = t.size
    ml = profiled_likelihood(t, xy, tau_position_s=2.0, tau_velocity_s=0.0, isotropic=False)
    reml = profiled_likelihood(
        t, xy, tau_position_s=2.0, tau_velocity_s=0.0, isotropic=False, reml=True
    )
    np.testing.assert_allclose(reml.sigma_m2, ml.sigma_m2 * n / (n - 1), rtol=1e-12)

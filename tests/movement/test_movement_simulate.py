"""simulate_movement: exact stationary IID / OU / OUF tracks of a fitted model at given times."""

from __future__ import annotations

import numpy as np
import pytest

from habitat.core.errors import InputError
from habitat.movement import simulate_movement
from habitat.movement.model import MovementModel, acf

DAY = 86400.0


def model(name: str, sigma: np.ndarray, tau_p: float = 0.0, tau_v: float = 0.0) -> MovementModel:
    return MovementModel.from_parameters(
        name, sigma_m2=sigma, tau_position_s=tau_p, tau_velocity_s=tau_v, mean_m=(500.0, -300.0)
    )


SIGMA = np.array([[4e6, 1.5e6], [1.5e6, 2e6]])
#: irregular times: 0, 1 min, 1 h, 5 h, 1 d, 3 d, 20 d
TIMES = np.array([0.0, 60.0, 3600.0, 5 * 3600.0, DAY, 3 * DAY, 20 * DAY])


@pytest.mark.parametrize(
    ("name", "tau_p", "tau_v"),
    [("IID", 0.0, 0.0), ("OU", DAY, 0.0), ("OUF", DAY, 2 * 3600.0), ("OUF", DAY, DAY)],
)
def test_moments_are_the_model_covariance_and_autocorrelation(name, tau_p, tau_v):
    # 40,000 tracks: each fix is N(mean, Sigma) (stationary start and transitions), and
    # the cross covariance between fixes at lag l is acf(l) Sigma (Fleming et al. 2014),
    # the same function the Kalman likelihood and the variogram use
    m = model(name, SIGMA, tau_p, tau_v)
    xy = simulate_movement(m, TIMES, n_tracks=40_000, seed=3)
    assert xy.shape == (40_000, TIMES.size, 2)
    dev = xy - m.mean_m
    se = np.sqrt(2.0 / 40_000)  # relative SE of a variance, ~0.7 %
    for i in (0, 3, 6):
        cov = dev[:, i].T @ dev[:, i] / len(dev)
        np.testing.assert_allclose(cov, SIGMA, rtol=5 * se, atol=5 * se * 4e6)
    for i in range(1, TIMES.size):
        lag = TIMES[i] - TIMES[0]
        cross = dev[:, 0].T @ dev[:, i] / len(dev)
        expect = acf(np.array([lag]), tau_p, tau_v)[0] * SIGMA
        np.testing.assert_allclose(cross, expect, atol=5 * se * 4e6)


def test_ouf_velocity_makes_short_lags_smoother_than_ou():
    # OUF semivariance rises as lag^2 at short lags, OU's linearly: at 1 min the OU
    # difference variance is 2 sigma (1 - e^{-60/tau}); OUF's is far smaller
    ou = simulate_movement(model("OU", SIGMA, DAY), TIMES[:2], n_tracks=20_000, seed=1)
    ouf = simulate_movement(model("OUF", SIGMA, DAY, 3600.0), TIMES[:2], n_tracks=20_000, seed=1)
    d_ou = np.var(ou[:, 1, 0] - ou[:, 0, 0])
    d_ouf = np.var(ouf[:, 1, 0] - ouf[:, 0, 0])
    assert d_ou == pytest.approx(2 * 4e6 * (1 - np.exp(-60.0 / DAY)), rel=0.05)
    expect = 2 * 4e6 * (1 - acf(np.array([60.0]), DAY, 3600.0)[0])
    assert d_ouf == pytest.approx(expect, rel=0.05)
    assert d_ouf < d_ou / 50


def test_location_error_adds_its_variance_and_seeds_reproduce():
    m = model("OU", SIGMA, DAY)
    a = simulate_movement(m, TIMES, n_tracks=20_000, error_m=100.0, seed=7)
    b = simulate_movement(m, TIMES, n_tracks=20_000, error_m=100.0, seed=7)
    np.testing.assert_array_equal(a, b)
    var = a[:, 2, 1].var()
    assert var == pytest.approx(2e6 + 100.0**2, rel=0.03)
    # per-fix errors: a fix with 1 km error is that much noisier
    err = np.full(TIMES.size, 10.0)
    err[4] = 1000.0
    c = simulate_movement(m, TIMES, n_tracks=20_000, error_m=err, seed=7)
    assert c[:, 4, 0].var() == pytest.approx(4e6 + 1e6, rel=0.03)


def test_bad_times_and_counts_are_refused():
    m = model("OU", SIGMA, DAY)
    with pytest.raises(InputError, match="sorted"):
        simulate_movement(m, [0.0, 10.0, 5.0])
    with pytest.raises(InputError, match="finite"):
        simulate_movement(m, [0.0, np.nan])
    with pytest.raises(InputError, match="n_tracks"):
        simulate_movement(m, [0.0, 1.0], n_tracks=0)

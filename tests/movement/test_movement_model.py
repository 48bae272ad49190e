"""MovementModel: autocorrelation and semivariance closed forms, ctmm's interval formulas."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from habitat.movement.model import MovementModel, acf, chisq_ci, tau_ci


def _model(name: str, tp: float, tv: float, cov: np.ndarray, names: tuple[str, ...], est):
    return MovementModel(
        name=name,
        isotropic=False,
        mean_m=np.zeros(2),
        sigma_m2=np.array([[3.0, 1.0], [1.0, 2.0]]),
        tau_position_s=tp,
        tau_velocity_s=tv,
        error_m=2.0,
        log_likelihood=0.0,
        aicc=0.0,
        n_fixes=100,
        n_parameters=len(names) + 2,
        parameter_names=names,
        estimates=np.asarray(est, dtype=float),
        covariance=cov,
        dof_area=12.0,
        reml=True,
        crs=None,
    )


def test_acf_closed_forms_and_their_derivatives():
    lags = np.linspace(0, 10, 101)
    np.testing.assert_array_equal(acf(lags, 0.0, 0.0), np.r_[1.0, np.zeros(100)])
    np.testing.assert_allclose(acf(lags, 2.0, 0.0), np.exp(-lags / 2.0))
    tp, tv = 3.0, 0.5
    rho = acf(lags, tp, tv)
    assert rho[0] == pytest.approx(1.0)
    # OUF positions are smooth: rho'(0) = 0 and rho''(0) = -1 / (tp tv)
    h = 1e-4
    d1 = (acf(np.array([h]), tp, tv)[0] - 1.0) / h
    d2 = 2 * (acf(np.array([h]), tp, tv)[0] - 1.0) / h**2
    assert abs(d1) < 1e-3
    assert d2 == pytest.approx(-1 / (tp * tv), rel=1e-3)
    # the tp = tv limit is continuous: (1 + t/tau) exp(-t/tau)
    np.testing.assert_allclose(acf(lags, 1.5, 1.5), (1 + lags / 1.5) * np.exp(-lags / 1.5))
    np.testing.assert_allclose(acf(lags, 1.5, 1.5 * (1 + 1e-6)), acf(lags, 1.5, 1.5), atol=1e-6)
    # symmetric in the two timescales
    np.testing.assert_allclose(acf(lags, tv, tp), rho)


def test_semivariance_is_mean_axis_variance_times_one_minus_acf():
    names = ("sigma_major_m2", "sigma_minor_m2", "angle_rad", "tau_position_s")
    m = _model("OU", 5.0, 0.0, np.eye(4) * 0.01, names, [3.6, 1.4, 0.5, 5.0])
    lags = np.array([0.0, 1.0, 5.0, 1e6])
    np.testing.assert_allclose(m.semivariance_m2(lags), 2.5 * (1 - np.exp(-lags / 5.0)))
    with_error = m.semivariance_m2(lags, include_error=True)
    np.testing.assert_allclose(with_error, 2.5 * (1 - np.exp(-lags / 5.0)) + np.r_[0, 4, 4, 4])
    assert m.label == "OU anisotropic"
    assert m.area_scale_m2 == pytest.approx(np.sqrt(5.0))


def test_parameter_intervals_follow_ctmm():
    names = ("sigma_major_m2", "sigma_minor_m2", "angle_rad", "tau_position_s", "tau_velocity_s")
    est = np.array([3.6, 1.4, 0.5, 5.0, 0.8])
    var = np.array([0.5, 0.1, 0.01, 4.0, 0.02])
    m = _model("OUF", 5.0, 0.8, np.diag(var), names, est)
    table = m.parameters(level=0.9)
    assert list(table.index) == ["area_scale_m2", *names, "mean_x_m", "mean_y_m"]
    # the mean: normal intervals from its covariance (nan here: unknown -> unbounded)
    assert table.loc["mean_x_m", "low"] == -np.inf
    z = stats.norm.ppf(0.95)
    # area scale: chi-square with 2 DOF[area] degrees of freedom (ctmm's confint.ctmm), and
    # ctmm's orientation (stats.R CI.lower / CI.upper): estimate * chi2 quantile / DOF
    nu = 24.0
    area = np.sqrt(5.0)
    assert table.loc["area_scale_m2", "low"] == pytest.approx(area * stats.chi2.ppf(0.05, nu) / nu)
    assert table.loc["area_scale_m2", "high"] == pytest.approx(area * stats.chi2.ppf(0.95, nu) / nu)
    # variances: chi-square with 2 est² / VAR degrees of freedom
    nu = 2 * 3.6**2 / 0.5
    assert table.loc["sigma_major_m2", "low"] == pytest.approx(3.6 * stats.chi2.ppf(0.05, nu) / nu)
    # angle: normal
    assert table.loc["angle_rad", "high"] == pytest.approx(0.5 + z * 0.1)
    # timescales: ctmm's ci.tau, the widest of chi-square on tau and on 1 / tau
    for name, tau, v in (("tau_position_s", 5.0, 4.0), ("tau_velocity_s", 0.8, 0.02)):
        nu = 2 * tau**2 / v  # the same for 1 / tau: the delta method keeps the CoV
        f = 1 / tau
        bounds = [
            tau * stats.chi2.ppf(0.05, nu) / nu,
            max(tau * stats.chi2.ppf(0.95, nu) / nu, tau + z * np.sqrt(v)),
            1 / (f * stats.chi2.ppf(0.05, nu) / nu),
            1 / max(f * stats.chi2.ppf(0.95, nu) / nu, f + z * np.sqrt(v / tau**4)),
        ]
        assert table.loc[name, "low"] == pytest.approx(min(bounds))
        assert table.loc[name, "high"] == pytest.approx(max(bounds))


def test_chisq_ci_edge_cases():
    assert chisq_ci(5.0, dof=np.inf) == (5.0, 5.0)
    assert chisq_ci(5.0, dof=0.0) == (0.0, np.inf)
    assert chisq_ci(5.0, variance=np.inf) == (0.0, np.inf)
    assert chisq_ci(0.0, dof=3.0) == (0.0, 0.0)
    low, high = chisq_ci(5.0, dof=1e-300)
    assert low == 0.0 and high > 1e100
    # the upper bound is never below the normal one (ctmm's backup for DOF << 1)
    low, high = chisq_ci(1.0, variance=50.0)
    assert high >= 1.0 + stats.norm.ppf(0.975) * np.sqrt(50.0)
    assert tau_ci(5.0, np.inf) == (0.0, np.inf)


def test_from_parameters_builds_an_exact_model_with_the_fit_conventions():
    from habitat.core.errors import InputError
    from habitat.movement import fit_movement, simulate_movement

    sigma = np.array([[4e6, 1.5e6], [1.5e6, 2e6]])
    m = MovementModel.from_parameters(
        "OUF", sigma_m2=sigma, tau_position_s=86400.0, tau_velocity_s=3600.0, mean_m=(5.0, 7.0)
    )
    assert m.label == "OUF anisotropic" and m.n_parameters == 7
    assert m.area_scale_m2 == pytest.approx(np.sqrt(np.linalg.det(sigma)))
    assert np.isinf(m.dof_area) and np.isnan(m.aicc)
    # the same parameters, in the same order and convention, as a fit of the model
    t = np.arange(3000) * 3600.0
    (xy,) = simulate_movement(m, t, seed=4)
    fit = fit_movement(t, xy, models=["OUF anisotropic"])
    assert fit.parameter_names == m.parameter_names
    np.testing.assert_allclose(fit.estimates, m.estimates, rtol=0.35)
    # major, minor, angle of the major axis
    lam, vec = np.linalg.eigh(sigma)
    angle = np.arctan2(vec[1, 1], vec[0, 1])
    angle = angle - np.pi if angle > np.pi / 2 else angle + np.pi if angle <= -np.pi / 2 else angle
    np.testing.assert_allclose(m.estimates[:3], [lam[1], lam[0], angle])
    iso = MovementModel.from_parameters("IID", sigma_m2=np.eye(2) * 3.0)
    assert iso.isotropic and iso.parameter_names == ("sigma_m2",)
    for bad, match in (
        (dict(name="OUX", sigma_m2=1.0), "one of"),
        (dict(name="OU", sigma_m2=1.0), "tau_position_s"),
        (dict(name="IID", sigma_m2=1.0, tau_position_s=5.0), "no tau_position_s"),
        (dict(name="OU", sigma_m2=[[1.0, 2.0], [2.0, 1.0]], tau_position_s=5.0), "positive"),
        (dict(name="OU", sigma_m2=[1.0, 2.0, 3.0], tau_position_s=5.0), "2 x 2"),
    ):
        name = bad.pop("name")
        with pytest.raises(InputError, match=match):
            MovementModel.from_parameters(name, **bad)

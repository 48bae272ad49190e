"""Fitting and selecting IID/OU/OUF models: analytic truths, simulated truth, bad input."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import simulate_track
from scipy import optimize, stats

from habitat.core.errors import (
    ConvergenceError,
    CoordinateError,
    DataQualityWarning,
    InputError,
    InsufficientDataError,
    ProjectedCRSRequiredError,
    TimestampError,
)
from habitat.movement.fit import (
    ADVISORY_PREFIX,
    GAP_MEDIAN_MULTIPLE,
    GAP_SPAN_SHARE,
    fit_movement,
    min_fixes,
    select_movement_model,
)
from habitat.movement.kalman import log_likelihood, profiled_likelihood

HOUR = 3600.0
DAY = 86400.0
SIGMA = np.array([[4e6, 1e6], [1e6, 2e6]])  # m²: major 4.41e6, minor 1.59e6, angle 0.3927


def _irregular_times(n: int, step_s: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.uniform(0.5, 1.5, n)) * step_s


def _truth(name: str) -> dict[str, float]:
    values, vectors = np.linalg.eigh(SIGMA)
    return {
        "sigma_major_m2": values[1],
        "sigma_minor_m2": values[0],
        "angle_rad": float(np.arctan2(vectors[1, 1], vectors[0, 1]) % np.pi),
        "tau_position_s": 2 * DAY,
        "tau_velocity_s": 3 * HOUR if name == "OUF" else 0.0,
    }


def test_iid_reml_is_the_sample_covariance_and_dof_is_n_minus_1():
    rng = np.random.default_rng(0)
    n = 150
    xy = rng.normal(size=(n, 2)) @ np.linalg.cholesky(SIGMA).T
    t = np.arange(n) * HOUR
    table = select_movement_model(t, xy, models=["IID"])
    iso = table.attrs["models"]["IID isotropic"]
    aniso = table.attrs["models"]["IID anisotropic"]
    sample = np.cov(xy.T)  # n - 1 denominator: REML
    np.testing.assert_allclose(aniso.sigma_m2, sample, rtol=1e-10)
    np.testing.assert_allclose(iso.sigma_m2, np.eye(2) * np.trace(sample) / 2, rtol=1e-10)
    np.testing.assert_allclose(aniso.mean_m, xy.mean(axis=0), atol=1e-9)
    # ctmm's COV.covm: VAR[sigma] = sigma² / (n - 1) for isotropic REML, so DOF[area] = n - 1
    assert iso.dof_area == pytest.approx(n - 1, rel=1e-4)
    # the reported log-likelihood is the ML one (scipy) at the REML estimate
    expected = stats.multivariate_normal(xy.mean(axis=0), sample).logpdf(xy).sum()
    assert aniso.log_likelihood == pytest.approx(expected, abs=1e-8)
    # ctmm's pHREML AICc: -2 l + (q n - k_mean) 2 k / (q n - k - nu), q = 2, k_mean = 2
    k, nu = 5, 3
    aicc = -2 * expected + (2 * n - 2) * 2 * k / (2 * n - k - nu)
    assert aniso.aicc == pytest.approx(aicc, abs=1e-8)
    assert aniso.reml and aniso.n_parameters == 5
    assert aniso.parameter_names == ("sigma_major_m2", "sigma_minor_m2", "angle_rad")


def test_ml_option_gives_the_ml_covariance_and_aicc():
    rng = np.random.default_rng(1)
    n = 80
    xy = rng.normal(size=(n, 2)) * 30.0
    m = fit_movement(np.arange(n) * HOUR, xy, models=["IID anisotropic"], reml=False)
    np.testing.assert_allclose(m.sigma_m2, np.cov(xy.T, bias=True), rtol=1e-10)
    assert not m.reml
    k, nu = 5, 3
    assert m.aicc == pytest.approx(-2 * m.log_likelihood + 2 * n * 2 * k / (2 * n - k - nu))


@pytest.mark.parametrize("name", ["OU", "OUF"])
def test_recovers_simulated_parameters_within_their_intervals(name):
    t = _irregular_times(1500, HOUR)
    truth = _truth(name)
    xy = simulate_track(
        t,
        sigma_m2=SIGMA,
        tau_position_s=truth["tau_position_s"],
        tau_velocity_s=truth["tau_velocity_s"],
        mean_m=(5e5, 3e6),
        seed=11,
    )
    model = fit_movement(t, xy, models=[f"{name} anisotropic"])
    table = model.parameters()
    for param in model.parameter_names:
        low, high = table.loc[param, "low"], table.loc[param, "high"]
        value = truth[param]
        if param == "angle_rad":  # angles are defined modulo pi
            est = table.loc[param, "estimate"]
            value = est + ((value - est + np.pi / 2) % np.pi - np.pi / 2)
        assert low <= value <= high, (param, low, value, high)
    area = np.sqrt(np.linalg.det(SIGMA))
    assert table.loc["area_scale_m2", "low"] <= area <= table.loc["area_scale_m2", "high"]
    # the mean is in its GLS interval too (chi-square, 2 dof, 99 %)
    d = model.mean_m - np.array([5e5, 3e6])
    assert d @ np.linalg.solve(model.mean_covariance_m2, d) < stats.chi2.ppf(0.99, 2)
    assert 0 < model.dof_area < t.size
    # the covariance is a covariance: symmetric, positive definite
    np.testing.assert_allclose(model.covariance, model.covariance.T, rtol=1e-10, atol=0)
    assert np.linalg.eigvalsh(model.covariance).min() > 0
    # a bare model name selects both isotropies; a string is one candidate
    assert set(select_movement_model(t[:300], xy[:300], models=name)["label"]) == {
        f"{name} isotropic",
        f"{name} anisotropic",
    }


@pytest.mark.parametrize(("name", "tau_v", "seeds"), [("OU", 0.0, 10), ("OUF", 3 * HOUR, 3)])
def test_aicc_selects_the_true_model(name, tau_v, seeds):
    """Half-hourly fixes: AICc picks the true model (OU: at least 8 of 10 tracks; OUF: all)."""
    t = _irregular_times(1200, HOUR / 2, seed=4)
    picks = []
    for seed in range(seeds):
        xy = simulate_track(
            t, sigma_m2=SIGMA, tau_position_s=DAY, tau_velocity_s=tau_v, seed=100 + seed
        )
        table = select_movement_model(
            t, xy, models=None if seed == 0 else ["OU anisotropic", "OUF anisotropic"]
        )
        picks.append(table.loc[0, "model"])
        if seed == 0:
            assert len(table) == 6
            assert not table.loc[0, "isotropic"]  # SIGMA is clearly anisotropic
            assert table.loc[0, "delta_aicc"] == 0.0
            assert (table["delta_aicc"].iloc[1:] > 0).all()
            assert list(table.columns[:7]) == [
                "model",
                "isotropic",
                "label",
                "n_parameters",
                "log_likelihood",
                "aicc",
                "delta_aicc",
            ]
    # OUF nests OU: by chance (likelihood-ratio > 2 at a boundary) OUF wins ~5-10 % of OU tracks
    assert picks.count(name) >= (8 if name == "OU" else seeds), picks


def _dense_ll(t: np.ndarray, xy: np.ndarray, s: float, tau: float, reml: bool) -> float:
    """Isotropic OU log-likelihood from the dense covariance, GLS mean, ctmm's REML term."""
    corr = np.exp(-np.abs(t[:, None] - t[None, :]) / tau)
    chol = np.linalg.cholesky(s * corr)
    ones = np.linalg.solve(chol, np.ones(t.size))
    w = ones @ ones
    ll = -2 * np.log(np.diag(chol)).sum() - t.size * np.log(2 * np.pi)
    for a in range(2):
        z = np.linalg.solve(chol, xy[:, a])
        ll -= 0.5 * (z @ z - (ones @ z) ** 2 / w)
    return float(ll - (np.log(w) if reml else 0.0))


def test_preml_is_ctmms_newton_step_from_ml_to_reml():
    """pREML (Fleming et al. 2019; ctmm's fit.R) recomputed from the dense likelihood.

    theta_pREML = theta_ML + COV_ML grad l_REML(theta_ML), COV_ML the inverse Hessian of
    -l_ML, its eigenvalues clamped to 2 (v . theta)^2 in ctmm's units (variances / SCALE²,
    timescales / median step); then HREML: Sigma = the REML profile at the pREML timescale.
    """
    t = np.arange(60) * HOUR
    xy = simulate_track(t, sigma_m2=np.eye(2) * 1e6, tau_position_s=DAY / 2, seed=3)

    def neg_ml(u: np.ndarray) -> float:
        return -_dense_ll(t, xy, float(np.exp(u[0])), float(np.exp(u[1])), False)

    res = optimize.minimize(
        neg_ml,
        np.log([1e6, DAY / 2]),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000},
    )
    theta = np.exp(res.x)
    steps = theta * 1e-4

    def f(th: np.ndarray, reml: bool) -> float:
        return _dense_ll(t, xy, float(th[0]), float(th[1]), reml)

    hess = np.zeros((2, 2))
    grad = np.zeros(2)
    for i in range(2):
        ei = np.eye(2)[i] * steps[i]
        grad[i] = (f(theta + ei, True) - f(theta - ei, True)) / (2 * steps[i])
        for j in range(2):
            ej = np.eye(2)[j] * steps[j]
            hess[i, j] = -(
                f(theta + ei + ej, False)
                - f(theta + ei - ej, False)
                - f(theta - ei + ej, False)
                + f(theta - ei - ej, False)
            ) / (4 * steps[i] * steps[j])
    cov = np.linalg.inv(hess)
    unit = np.array([np.mean((xy - xy.mean(axis=0)) ** 2), HOUR])
    values, vectors = np.linalg.eigh(cov / np.outer(unit, unit))
    values = np.minimum(values, 2 * (vectors.T @ (theta / unit)) ** 2)
    cov = (vectors * values) @ vectors.T * np.outer(unit, unit)
    tau_preml = (theta + cov @ grad)[1]

    ml = fit_movement(t, xy, models=["OU isotropic"], reml=False)
    pre = fit_movement(t, xy, models=["OU isotropic"])
    assert ml.tau_position_s == pytest.approx(theta[1], rel=1e-3)
    assert ml.sigma_m2[0, 0] == pytest.approx(theta[0], rel=1e-3)
    assert pre.tau_position_s > ml.tau_position_s * 1.05  # a short track: a real correction
    assert pre.tau_position_s == pytest.approx(tau_preml, rel=2e-3)
    prof = profiled_likelihood(
        t, xy, tau_position_s=pre.tau_position_s, tau_velocity_s=0.0, isotropic=True, reml=True
    )
    np.testing.assert_allclose(pre.sigma_m2, prof.sigma_m2, rtol=1e-10)
    assert pre.reml and not ml.reml


def test_known_location_error_is_accounted_for():
    t = _irregular_times(1500, HOUR, seed=6)
    clean = simulate_track(t, sigma_m2=np.eye(2) * 1e4, tau_position_s=DAY, seed=7)
    rng = np.random.default_rng(8)
    error = 40.0  # m per coordinate: variance 1600 m² vs sigma 1e4 m²
    xy = clean + rng.normal(scale=error, size=clean.shape)
    with_error = fit_movement(t, xy, models=["OU isotropic"], error_m=error)
    without = fit_movement(t, xy, models=["OU isotropic"])
    table = with_error.parameters()
    assert table.loc["sigma_m2", "low"] <= 1e4 <= table.loc["sigma_m2", "high"]
    assert table.loc["tau_position_s", "low"] <= DAY <= table.loc["tau_position_s", "high"]
    assert with_error.error_m == error
    # ignoring the error inflates sigma by about the error variance and shortens tau
    assert without.sigma_m2[0, 0] > with_error.sigma_m2[0, 0] + 0.5 * error**2
    assert without.tau_position_s < with_error.tau_position_s
    # per-fix errors equal to the constant give the same fit
    per_fix = fit_movement(t, xy, models=["OU isotropic"], error_m=np.full(t.size, error))
    assert per_fix.tau_position_s == pytest.approx(with_error.tau_position_s, rel=1e-4)
    assert np.isnan(
        fit_movement(t, xy, models=["IID isotropic"], error_m=np.linspace(30, 50, t.size)).error_m
    )


def test_input_order_does_not_matter():
    t = _irregular_times(300, HOUR, seed=9)
    xy = simulate_track(t, sigma_m2=SIGMA, tau_position_s=DAY, seed=10)
    perm = np.random.default_rng(0).permutation(t.size)
    a = fit_movement(t, xy, models=["OU anisotropic"])
    b = fit_movement(t[perm], xy[perm], models=["OU anisotropic"])
    assert a.log_likelihood == pytest.approx(b.log_likelihood, abs=1e-8)
    np.testing.assert_allclose(a.estimates, b.estimates, rtol=1e-8)


def test_too_few_fixes_names_the_count_and_the_model():
    t = np.arange(6) * HOUR
    xy = np.random.default_rng(0).normal(size=(6, 2)) * 100.0
    with pytest.raises(InsufficientDataError, match=r"6 fix\(es\).*OUF anisotropic.*at least 7"):
        fit_movement(t, xy, models=["OUF anisotropic"])
    # models that fit are used, the others skipped
    assert min_fixes("OUF", True) == 5
    table = select_movement_model(t, xy)
    assert "OUF anisotropic" not in set(table["label"])
    assert "OUF isotropic" in set(table["label"])
    with pytest.raises(InsufficientDataError, match=r"2 fix\(es\).*IID isotropic.*at least 3"):
        fit_movement(t[:2], xy[:2])


def test_duplicate_timestamps_name_rows_and_time():
    t = np.array([0.0, 3600.0, 7200.0, 7200.0, 10800.0, 14400.0, 18000.0, 21600.0])
    xy = np.random.default_rng(0).normal(size=(8, 2)) * 100
    with pytest.raises(TimestampError, match=r"duplicate.*t = 7200 s.*rows 2, 3"):
        fit_movement(t, xy)
    # with a location-error model simultaneous fixes are legitimate (as in ctmm)
    model = fit_movement(t, xy, models=["OU isotropic"], error_m=5.0)
    assert np.isfinite(model.log_likelihood)
    model = fit_movement(t, xy, models=["OU isotropic"], error_m="fit")
    assert np.isfinite(model.log_likelihood) and model.error_m > 0


def test_degenerate_tracks_are_refused():
    t = np.arange(20) * HOUR
    with pytest.raises(InsufficientDataError, match="all 20 fixes are at one location"):
        fit_movement(t, np.full((20, 2), 1e3))
    line = np.column_stack([np.arange(20) * 100.0, np.full(20, 5e5)])
    with pytest.raises(ConvergenceError, match="no movement model has a finite likelihood"):
        fit_movement(t, line, models=["OU anisotropic"])


def test_non_finite_input_is_refused():
    t = np.arange(10) * HOUR
    xy = np.random.default_rng(0).normal(size=(10, 2))
    xy[4, 1] = np.nan
    with pytest.raises(CoordinateError, match="non-finite coordinates.*rows? 4"):
        fit_movement(t, xy)
    t2 = t.copy()
    t2[2] = np.inf
    with pytest.raises(TimestampError, match="non-finite time"):
        fit_movement(t2, np.random.default_rng(1).normal(size=(10, 2)) * 1e3)
    with pytest.raises(InputError, match="shape"):
        fit_movement(t, xy[:5])
    ok = np.random.default_rng(1).normal(size=(10, 2)) * 1e3
    with pytest.raises(InputError, match="unknown movement model"):
        fit_movement(t, ok, models=["BM"])
    with pytest.raises(InputError, match="location error"):
        fit_movement(t, ok, error_m=-1.0)
    with pytest.raises(InputError, match="metres"):
        fit_movement(t, ok, error_m=np.ones(3))


def test_a_dispersing_track_is_flagged():
    """A random walk never settles: tau_position runs to the search bound and a warning says so."""
    rng = np.random.default_rng(2)
    t = np.arange(400) * HOUR
    xy = np.cumsum(rng.normal(scale=200.0, size=(400, 2)), axis=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit_movement(t, xy, models=["OU isotropic"])
    assert model.tau_position_s > t[-1] / 2
    settle = "the track does not settle (the variogram does not level off)"
    messages = [str(w.message) for w in caught]
    assert [m for m in messages if settle in m] == [m for m in messages if "settle" in m]
    assert len([m for m in messages if settle in m]) == 1, messages
    (note,) = [n for n in model.notes if settle in n]
    assert not note.startswith(ADVISORY_PREFIX)  # the area cannot be trusted: flagged
    # the note says by how much: tau_position and the span in days, and their ratio
    span_d, tau_d = (t[-1] - t[0]) / DAY, model.tau_position_s / DAY
    assert f"tau_position ({tau_d:.3g} d)" in note and f"span ({span_d:.3g} d)" in note
    assert f"{tau_d / span_d:.2g} times the tracking span" in note
    assert "; " not in note  # model_notes joins notes with "; ": they split back


def test_a_resident_track_has_no_notes():
    """The same length of an OU track that crosses its range in a day: nothing to say."""
    t = np.arange(400) * HOUR
    xy = simulate_track(t, sigma_m2=SIGMA, tau_position_s=DAY, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        model = fit_movement(t, xy)
    assert model.notes == ()


def _four_hourly(days: float, *, gap_days: tuple[float, float] | None = None) -> np.ndarray:
    t = np.arange(0.0, days * DAY, 4 * HOUR)
    if gap_days is not None:
        t = t[(t < gap_days[0] * DAY) | (t >= gap_days[1] * DAY)]
    return t


def test_an_enormous_gap_is_noted_with_its_length_place_share_and_weights():
    """A 60-day gap in a 120-day track (days 30-90 lost): advice with the numbers, once."""
    t = _four_hourly(120, gap_days=(30, 90))
    xy = simulate_track(t, sigma_m2=SIGMA, tau_position_s=DAY, seed=6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = select_movement_model(t, xy, models=["IID", "OU"])
    best = table.attrs["models"][table["label"].iloc[0]]
    gap_notes = [n for n in best.notes if "gap" in n]
    assert len(gap_notes) == 1, best.notes
    note = gap_notes[0]
    # the last fix before the gap is at day 30 - 4 h, the next at day 90: 60.17 days, of a
    # span of 120 days - 4 h (50.2 %), 361 four-hour intervals; 180 fixes come before it
    gap, span = 60 * DAY + 4 * HOUR, 120 * DAY - 4 * HOUR
    assert f"{gap / DAY:.3g}" == "60.2"
    assert "a 60.2-day gap without fixes" in note
    assert f"days {(30 * DAY - 4 * HOUR) / DAY:.3g} to 90 after the first fix" in note
    assert "between fixes 179 and 180 in time order" in note
    assert f"is {gap / span:.0%} of the {span / DAY:.3g}-day tracking span" in note
    assert f"{gap / (4 * HOUR):.0f} times the median sampling interval (4 h)" in note
    assert "weights=True" in note and "Fleming et al. 2018" in note
    # half the span lost is advice (the range stands), and "; " never splits a note
    assert note.startswith(ADVISORY_PREFIX) and "; " not in note
    # a finding about the data: every candidate carries it; warned once, for the selected
    for model in table.attrs["models"].values():
        assert note in model.notes
    assert table["model_notes"].str.contains(note, regex=False).all()
    gap_warnings = [str(w.message) for w in caught if "gap" in str(w.message)]
    assert gap_warnings == [f"{best.label}: {note}"]
    assert all(w.category is DataQualityWarning for w in caught if "gap" in str(w.message))


def test_gaps_covering_most_of_the_span_are_flagged():
    """Days 15-105 of 120 lost: two short bursts, no longer advice."""
    t = _four_hourly(120, gap_days=(15, 105))
    xy = simulate_track(t, sigma_m2=SIGMA, tau_position_s=DAY, seed=7)
    with pytest.warns(DataQualityWarning, match=r"90\.2-day gap.*more than two thirds"):
        model = fit_movement(t, xy, models=["OU isotropic"])
    (note,) = [n for n in model.notes if "gap" in n]
    assert not note.startswith(ADVISORY_PREFIX)
    assert "75% of the span in such gaps" in note and "weights=True" in note


def test_ordinary_collar_failures_give_no_gap_note():
    """A year of 4-hourly fixes, 10 % lost at random and outages of 1, 2 and 3 days."""
    rng = np.random.default_rng(8)
    t = _four_hourly(365)
    keep = rng.random(t.size) > 0.1
    for start, length in ((50, 1), (150, 2), (300, 3)):
        keep &= ~((t >= start * DAY) & (t < (start + length) * DAY))
    t = t[keep]
    assert 3 * DAY < np.diff(t).max() < 4 * DAY  # the 3-day outage is the longest gap
    xy = simulate_track(t, sigma_m2=SIGMA, tau_position_s=DAY, seed=9)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        model = fit_movement(t, xy, models=["OU isotropic"])
    assert model.notes == ()


@pytest.mark.parametrize(
    ("step_h", "gap_h", "noted"),
    [
        (1.0, 19.0, False),  # 19 % of a 100-h span, 19 intervals: neither
        (1.0, 21.0, False),  # 21 % of the span but 21 < 30 intervals
        (0.5, 21.0, True),  # 21 % of the span and 42 intervals: both
        (0.5, 19.0, False),  # 38 intervals but 19 % of the span
    ],
)
def test_the_gap_rule_needs_both_the_multiple_and_the_share(step_h, gap_h, noted):
    """An enormous gap is >= 30 median intervals AND >= 20 % of the span."""
    assert (GAP_MEDIAN_MULTIPLE, GAP_SPAN_SHARE) == (30.0, 0.2)
    before = np.arange(0.0, 40.0, step_h)
    after = np.arange(40.0 - step_h + gap_h, 100.0 + 1e-9, step_h)
    t = np.concatenate([before, after]) * HOUR
    assert t[-1] - t[0] == pytest.approx(100 * HOUR)
    assert np.diff(t).max() == pytest.approx(gap_h * HOUR)
    xy = simulate_track(t, sigma_m2=SIGMA, tau_position_s=5 * HOUR, seed=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        model = fit_movement(t, xy, models=["OU isotropic"])
    assert any("gap" in n for n in model.notes) is noted, model.notes


def test_degrees_are_refused_or_flagged():
    t = np.arange(50) * HOUR
    lonlat = np.column_stack([131.5 + 0.01 * np.sin(t / DAY), 43.1 + 0.01 * np.cos(t / DAY)])
    with pytest.raises(ProjectedCRSRequiredError, match="degrees"):
        fit_movement(t, lonlat, models=["IID isotropic"], crs="EPSG:4326")
    with pytest.warns(DataQualityWarning, match="longitude/latitude") as record:
        model = fit_movement(t, lonlat, models=["IID isotropic"])
    assert len(record) == 1  # warned before fitting, not again with the notes
    # the reason stays with the result, and is not advice
    (note,) = model.notes
    assert "longitude/latitude degrees" in note and "squared degrees" in note
    assert not note.startswith(ADVISORY_PREFIX)
    model = fit_movement(t, lonlat * 1e5, models=["IID isotropic"], crs="EPSG:32652")
    assert model.crs.to_epsg() == 32652 and model.notes == ()


@pytest.mark.parametrize("error_m", [None, 300.0])
def test_maximum_likelihood_beats_the_truth(error_m):
    """The ML estimate's likelihood is at least that of the true parameters (and of nearby ones)."""
    t = _irregular_times(1500, HOUR, seed=12)
    truth = _truth("OUF")
    xy = simulate_track(t, sigma_m2=SIGMA, tau_position_s=2 * DAY, tau_velocity_s=3 * HOUR, seed=13)
    if error_m is not None:
        xy = xy + np.random.default_rng(14).normal(scale=error_m, size=xy.shape)
    ml = fit_movement(t, xy, models=["OUF anisotropic"], error_m=error_m, reml=False)
    true_ll = log_likelihood(
        t,
        xy,
        sigma_m2=SIGMA,
        tau_position_s=truth["tau_position_s"],
        tau_velocity_s=truth["tau_velocity_s"],
        error_m=error_m,
    ).log_likelihood
    assert ml.log_likelihood >= true_ll
    for factor in (0.97, 1.03):
        for k, name in enumerate(ml.parameter_names):
            if name == "angle_rad":
                continue
            theta = ml.estimates.copy()
            theta[k] *= factor
            tp, tv = (theta[3], theta[4])
            values = theta[:2]
            c, s = np.cos(theta[2]), np.sin(theta[2])
            rot = np.array([[c, -s], [s, c]])
            sigma = rot @ np.diag(values) @ rot.T
            other = log_likelihood(
                t, xy, sigma_m2=sigma, tau_position_s=tp, tau_velocity_s=tv, error_m=error_m
            ).log_likelihood
            assert other < ml.log_likelihood, (name, factor)


@pytest.mark.slow
def test_interval_coverage_on_the_simulator():
    """habitat.datasets' exact OU leopards (4-hourly, a year, known sigma and tau): the 95 %
    intervals of sigma² and tau_position cover the truth 95 % ± 3 % of the time, and pHREML
    is less biased than ML (Fleming et al. 2019)."""
    from habitat.datasets.simulate import simulate_relocations

    fixes, truth = simulate_relocations(
        n_females=150, n_males=150, days=365, crs="EPSG:32652", seed=11
    )
    hits = {"sigma_m2": 0, "tau_position_s": 0}
    ratio = {True: [], False: []}
    for ind, g in fixes.groupby("individual"):
        t = (g["timestamp"] - g["timestamp"].iloc[0]).dt.total_seconds().to_numpy()
        xy = np.column_stack([g.geometry.x, g.geometry.y])
        true = {
            "sigma_m2": truth.loc[ind, "sigma_m"] ** 2,
            "tau_position_s": truth.loc[ind, "tau_days"] * DAY,
        }
        for reml in (True, False):
            model = fit_movement(t, xy, models=["OU isotropic"], reml=reml)
            ratio[reml].append(model.estimates[0] / true["sigma_m2"])
            if reml:
                table = model.parameters()
                for name in hits:
                    hits[name] += table.loc[name, "low"] <= true[name] <= table.loc[name, "high"]
    n = len(ratio[True])
    assert n == 300
    for name, count in hits.items():
        assert 0.92 <= count / n <= 0.98, (name, count / n)
    assert abs(np.mean(ratio[True]) - 1) < abs(np.mean(ratio[False]) - 1)


def test_location_error_can_be_estimated():
    t = _irregular_times(1500, HOUR, seed=6)
    xy = simulate_track(t, sigma_m2=np.eye(2) * 1e4, tau_position_s=DAY, seed=7)
    xy = xy + np.random.default_rng(8).normal(scale=40.0, size=xy.shape)
    model = fit_movement(t, xy, models=["OU isotropic"], error_m="fit")
    table = model.parameters()
    assert table.loc["error_m", "low"] <= 40.0 <= table.loc["error_m", "high"]
    assert table.loc["sigma_m2", "low"] <= 1e4 <= table.loc["sigma_m2", "high"]
    assert table.loc["tau_position_s", "low"] <= DAY <= table.loc["tau_position_s", "high"]
    assert model.error_m == table.loc["error_m", "estimate"]
    # one more parameter than with the error known, counted in AICc (nu and k)
    known = fit_movement(t, xy, models=["OU isotropic"], error_m=40.0)
    assert model.parameter_names == (*known.parameter_names, "error_m")
    assert model.n_parameters == known.n_parameters + 1
    n, k, nu = t.size, model.n_parameters, len(model.parameter_names)
    aicc = -2 * model.log_likelihood + (2 * n - 2) * 2 * k / (2 * n - k - nu)
    assert model.aicc == pytest.approx(aicc)
    # ML with the error free is at least as likely as ML with the error fixed at the truth
    ml_free = fit_movement(t, xy, models=["OU isotropic"], error_m="fit", reml=False)
    ml_known = fit_movement(t, xy, models=["OU isotropic"], error_m=40.0, reml=False)
    assert ml_free.log_likelihood >= ml_known.log_likelihood
    # ctmm's interval for an error: chi-square on its square
    var = model.covariance[-1, -1]
    nu_e = 2 * model.error_m**4 / ((2 * model.error_m) ** 2 * var)
    expected = model.error_m * np.sqrt(stats.chi2.ppf(0.025, nu_e) / nu_e)
    assert table.loc["error_m", "low"] == pytest.approx(expected)


@pytest.mark.parametrize("error_m", [None, 20.0])
def test_likelihood_evaluations_count_every_filter_pass(monkeypatch, error_m):
    """n_likelihood_evaluations equals the calls that ran the Kalman filter over the fixes."""
    import habitat.movement.fit as fit_module

    calls = [0]
    for fn in ("unit_filter", "log_likelihood", "profiled_likelihood"):
        original = getattr(fit_module, fn)

        def counted(*args, _original=original, **kwargs):
            calls[0] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(fit_module, fn, counted)
    t = _irregular_times(200, HOUR, seed=3)
    xy = simulate_track(t, sigma_m2=SIGMA, tau_position_s=DAY, seed=4)
    table = select_movement_model(t, xy, models=["IID", "OU"], error_m=error_m)
    counts = {m.n_likelihood_evaluations for m in table.attrs["models"].values()}
    assert counts == {calls[0]}  # the whole selection's, on every candidate
    before = calls[0]
    best = fit_movement(t, xy, models=["IID", "OU"], error_m=error_m)
    assert best.n_likelihood_evaluations == calls[0] - before == before  # deterministic
    # IID isotropic without error: ML and REML profiles, one unit filter for the Hessian
    # (cached for any Sigma), and the final ML likelihood
    iid = fit_movement(t, xy, models=["IID isotropic"])
    assert iid.n_likelihood_evaluations == 4


SHARED_RELOCATIONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "relocations"


@pytest.mark.skipif(not SHARED_RELOCATIONS.is_dir(), reason="shared relocation data not present")
def test_gap_notes_on_real_tracks_follow_the_rule():
    """Real tracks (adehabitat's and others'): a note exactly where the rule says, computed here.

    Regular collars (bear, buffalo, roe deer chiz, ibex, porpoises) get none; the mouflon's
    two bursts 89 days apart, the boar Chou's two seasons (308 days apart) and the boar
    CH93's two nights (2.6 days apart) are flagged.
    """
    expected_flagged = {("mouflon", "A391"), ("puechabonsp", "Chou"), ("puechcirc", "CH93")}
    seen: dict[tuple[str, str], tuple[bool, bool]] = {}
    for path in sorted(SHARED_RELOCATIONS.glob("*.csv")):
        df = pd.read_csv(path)
        if not {"id", "x", "y", "date"} <= set(df.columns):
            continue
        df["t"] = pd.to_datetime(df["date"], utc=True, errors="coerce")
        df = df.dropna(subset=["t", "x", "y"]).drop_duplicates(["id", "t"])
        for animal, track in df.groupby("id"):
            track = track.sort_values("t")
            t = (track["t"] - track["t"].min()).dt.total_seconds().to_numpy()
            dt = np.diff(t)
            rule = bool(np.any((dt >= 30 * np.median(dt[dt > 0])) & (dt >= 0.2 * (t[-1] - t[0]))))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataQualityWarning)
                model = fit_movement(t, track[["x", "y"]].to_numpy(float), models=["IID isotropic"])
            gaps = [n for n in model.notes if "gap" in n]
            assert bool(gaps) is rule, (path.stem, animal, gaps)
            seen[(path.stem, str(animal))] = (
                rule,
                bool(gaps) and not gaps[0].startswith(ADVISORY_PREFIX),
            )
    for key in (("bear", "W0208"), ("buffalo", "buf"), ("capreochiz", "chiz")):
        assert seen[key] == (False, False), key
    assert {key for key, (_, flagged) in seen.items() if flagged} == expected_flagged

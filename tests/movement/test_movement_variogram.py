"""The empirical variogram: brute-force pair sums, ctmm's gridding transcribed, model overlay."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import simulate_track

from habitat.core.errors import InputError, InsufficientDataError
from habitat.movement.fit import fit_movement
from habitat.movement.variogram import variogram

HOUR = 3600.0
DAY = 86400.0


def test_regular_sampling_with_gaps_equals_brute_force_pairs():
    rng = np.random.default_rng(0)
    k = np.sort(rng.choice(400, size=250, replace=False))  # hourly schedule, 150 missed fixes
    t = (250_000 + k) * HOUR  # epoch-like seconds, on the hour (the grid is aligned to 0)
    xy = rng.normal(size=(250, 2)) * [300.0, 100.0]
    v = variogram(t, xy).set_index("lag_s")
    span = t[-1] - t[0]
    for lag_k in (1, 2, 7, 50, 200):
        dz = [xy[j] - xy[i] for i in range(250) for j in range(i + 1, 250) if k[j] - k[i] == lag_k]
        dz = np.asarray(dz)
        lag = lag_k * HOUR
        row = v.loc[lag]
        assert row["n_pairs"] == len(dz)
        # semivariance: half the mean squared difference, averaged over the two axes
        assert row["semivariance_m2"] == pytest.approx(0.25 * (dz**2).sum(axis=1).mean(), rel=1e-9)
        # weights are 1 (gaps >= dt): DOF = 2 pairs, capped by ctmm's Markov count 2 span / lag
        assert row["dof"] == pytest.approx(min(2 * len(dz), 2 * span / lag), rel=1e-9)
    assert v.index[0] == 0.0 and v.iloc[0]["semivariance_m2"] == 0.0
    assert v.iloc[0]["dof"] == pytest.approx(2 * 250)


def _ctmm_gridder_literal(t, z, dt):
    """ctmm's gridder (res=1) and variogram.fast pair sums, transcribed with loops (1-based)."""
    n_fix = len(t)
    dts = np.diff(t)
    w_in = np.clip(dts / dt, 0, 1)
    w = (np.concatenate([[1.0], w_in]) + np.concatenate([w_in, [1.0]])) / 2
    index = t / dt  # grid.init returns a multiple of dt: alignment to the time origin
    index = index - round(index[0])
    while index[0] < 1:
        index = index + 1
    while index[0] >= 2:
        index = index - 1
    floor = np.floor(index).astype(int)
    p = 1 - (index - floor)
    n = int(np.ceil(index[-1])) + 1
    wg = np.zeros(n + 2)
    zg = np.zeros((n + 2, 2))
    for i in range(n_fix):
        wg[floor[i]] += p[i] * w[i]
        zg[floor[i]] += p[i] * w[i] * z[i]
        wg[floor[i] + 1] += (1 - p[i]) * w[i]
        zg[floor[i] + 1] += (1 - p[i]) * w[i] * z[i]
    for j in range(n + 2):
        if wg[j] > 0:
            zg[j] /= wg[j]
    wg = np.clip(wg[1 : n + 1], 0, 1)
    zg = zg[1 : n + 1]
    svf = np.zeros(n)
    pairs = np.zeros(n)
    dof = np.zeros(n)
    for a in range(n):
        for b in range(a, n):
            lag = b - a
            dof[lag] += wg[a] * wg[b]
            if wg[a] > 0 and wg[b] > 0:
                pairs[lag] += 1
                svf[lag] += 0.5 * ((zg[a] - zg[b]) ** 2).sum()
    with np.errstate(invalid="ignore"):
        svf = svf / (2 * pairs)
    lags = np.arange(n) * dt
    markov = np.where(lags > 0, 2 * (t[-1] - t[0]) / np.maximum(lags, 1e-300), 2 * n_fix)
    return lags, svf, pairs, np.minimum(2 * dof, markov)


def test_irregular_sampling_matches_ctmm_gridding_transcription():
    rng = np.random.default_rng(1)
    t = 1.7e9 + np.cumsum(rng.choice([0.4, 0.9, 1.0, 1.0, 1.1, 3.5], size=120) * HOUR)
    z = rng.normal(size=(120, 2)) * 50
    v = variogram(t, z)
    lags, svf, pairs, dof = _ctmm_gridder_literal(
        t, z - z.mean(axis=0), float(np.median(np.diff(t)))
    )
    keep = (pairs > 0) & (dof > 0)
    np.testing.assert_allclose(v["lag_s"], lags[keep], rtol=1e-12)
    np.testing.assert_allclose(v["n_pairs"], pairs[keep])
    np.testing.assert_allclose(v["semivariance_m2"].iloc[1:], svf[keep][1:], rtol=1e-8)
    np.testing.assert_allclose(v["dof"], dof[keep], rtol=1e-8)


@pytest.mark.parametrize("factor", [0.5, 2.0, 3.0])
def test_explicit_lag_bins_match_the_transcription(factor):
    """ctmm's variogram(data, dt=...): fixes spread over a grid of another step."""
    rng = np.random.default_rng(3)
    t = 1.7e9 + np.cumsum(rng.choice([0.9, 1.0, 1.0, 1.2, 2.5], size=90) * HOUR)
    z = rng.normal(size=(90, 2)) * 80
    dt = factor * HOUR
    v = variogram(t, z, dt_s=dt)
    lags, svf, pairs, dof = _ctmm_gridder_literal(t, z - z.mean(axis=0), dt)
    keep = (pairs > 0) & (dof > 0)
    np.testing.assert_allclose(v["lag_s"], lags[keep], rtol=1e-12)
    np.testing.assert_allclose(v["n_pairs"], pairs[keep])
    np.testing.assert_allclose(v["semivariance_m2"].iloc[1:], svf[keep][1:], rtol=1e-8)
    np.testing.assert_allclose(v["dof"], dof[keep], rtol=1e-8)


def test_model_overlay_and_asymptote():
    t = np.arange(24 * 300) * HOUR
    xy = simulate_track(t, sigma_m2=np.eye(2) * 1e6, tau_position_s=DAY, seed=2)
    model = fit_movement(t, xy, models=["OU isotropic"])
    v = variogram(t, xy, model=model)
    np.testing.assert_allclose(
        v["model_semivariance_m2"], model.semivariance_m2(v["lag_s"].to_numpy())
    )
    assert v["model_semivariance_m2"].iloc[0] == 0.0
    # the empirical semivariance levels off at sigma (1e6 m²) beyond a few tau
    far = v[(v["lag_s"] > 5 * DAY) & (v["lag_s"] < 20 * DAY)]
    assert far["semivariance_m2"].mean() == pytest.approx(1e6, rel=0.15)
    # and rises as 1 - exp(-lag/tau) at short lags: within its chi-square spread at 1 h
    first = v.iloc[1]
    expected = 1e6 * (1 - np.exp(-HOUR / DAY))
    assert abs(first["semivariance_m2"] / expected - 1) < 4 * np.sqrt(2 / first["dof"])


def test_repeated_times_are_averaged_and_bad_input_refused():
    t = np.array([0.0, 3600.0, 3600.0, 7200.0])
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [0.0, 0.0]])
    v = variogram(t, xy)
    # the two fixes at 3600 s merge into x = 2: lag-1 pairs (0 -> 2, 2 -> 0): 0.25 * 4 = 1
    assert v.loc[1, "semivariance_m2"] == pytest.approx(1.0)
    assert v.loc[1, "n_pairs"] == 2
    with pytest.raises(InsufficientDataError, match="two or more distinct times"):
        variogram(np.zeros(3), np.zeros((3, 2)))
    with pytest.raises(InputError, match="finite"):
        variogram(np.arange(3.0), np.array([[0.0, 0.0], [np.nan, 1.0], [0.0, 1.0]]))
    with pytest.raises(InputError, match="dt_s"):
        variogram(np.arange(3.0), np.zeros((3, 2)), dt_s=0.0)

"""Tests of habitat.homerange.bbmm (Horne et al. 2007 Brownian bridges)."""

from __future__ import annotations

import time

import numpy as np
import pytest
import shapely
from scipy.integrate import quad
from scipy.optimize import brentq

from habitat.core.errors import DataQualityWarning, InputError, InsufficientDataError
from habitat.homerange import bbmm
from habitat.homerange.base import Estimate

HOUR_NS = 3_600_000_000_000
T0_NS = 1_700_000_000 * 1_000_000_000


def brownian_track(
    n: int, s2_m2_per_h: float, delta_m: float, seed: int, irregular: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Brownian motion (variance s2 * dt per axis per step) observed with N(0, delta²) error."""
    rng = np.random.default_rng(seed)
    dt_h = rng.uniform(0.5, 2.0, size=n - 1) if irregular else np.ones(n - 1)
    t_h = np.concatenate([[0.0], np.cumsum(dt_h)])
    steps = rng.normal(size=(n - 1, 2)) * np.sqrt(s2_m2_per_h * dt_h)[:, None]
    true = np.vstack([[0.0, 0.0], np.cumsum(steps, axis=0)])
    obs = true + rng.normal(scale=delta_m, size=true.shape) + 5e5
    return obs, T0_NS + np.round(t_h * HOUR_NS).astype(np.int64)


def stationary(n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    xy = np.tile([[500_000.0, 4_800_000.0]], (n, 1))
    return xy, T0_NS + np.arange(n, dtype=np.int64) * HOUR_NS


# ------------------------------------------------------------ motion variance


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ml_motion_variance_recovers_diffusion_small_error(seed: int) -> None:
    # 2,000 fixes -> ~1,000 independent bridges, 2 axes each: the relative
    # standard error of the ML variance is about sqrt(2 / 2000) = 3 %, so 10 %
    # is > 3 standard errors. With delta = 5 m Horne's bias is < 1 %.
    xy, t = brownian_track(2000, 10_000.0, 5.0, seed)
    s2 = bbmm.motion_variance_ml(xy, t, 5.0)
    assert s2 == pytest.approx(10_000.0, rel=0.10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ml_motion_variance_adehabitat_rule_recovers_diffusion(seed: int) -> None:
    # adehabitatHR's rule (every interior fix a bridge middle) uses overlapping
    # bridges, each with the right marginal distribution: a composite
    # likelihood, still consistent. 2,000 fixes, delta = 5 m: within 10 %.
    xy, t = brownian_track(2000, 10_000.0, 5.0, seed)
    s2 = bbmm.motion_variance_ml(xy, t, 5.0, motion_variance_rule="adehabitatHR")
    assert s2 == pytest.approx(10_000.0, rel=0.10)
    assert s2 != bbmm.motion_variance_ml(xy, t, 5.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ml_motion_variance_with_middle_fix_error(seed: int) -> None:
    # With delta = 30 m, Horne et al.'s likelihood overestimates by about
    # delta² / (T alpha (1 - alpha)) ~ 15 %; counting the middle fix's error
    # removes that bias.
    xy, t = brownian_track(2000, 10_000.0, 30.0, seed)
    horne = bbmm.motion_variance_ml(xy, t, 30.0)
    corrected = bbmm.motion_variance_ml(xy, t, 30.0, middle_fix_error=True)
    assert corrected == pytest.approx(10_000.0, rel=0.10)
    assert horne > corrected


def test_ml_per_fix_location_error_and_datetime64() -> None:
    xy, t = brownian_track(500, 2_000.0, 10.0, 7)
    err = np.full(xy.shape[0], 10.0)
    a = bbmm.motion_variance_ml(xy, t, err)
    b = bbmm.motion_variance_ml(xy, t.astype("datetime64[ns]"), 10.0)
    assert a == pytest.approx(b)


def test_ml_stationary_warns_zero() -> None:
    xy, t = stationary(50)
    with pytest.warns(DataQualityWarning, match="effectively 0"):
        s2 = bbmm.motion_variance_ml(xy, t, 10.0)
    assert s2 < 1e-6


# ------------------------------------------------------------------- the UD


def test_ud_volume_is_one() -> None:
    xy, t = brownian_track(300, 5_000.0, 20.0, 3)
    ud = bbmm.bridge_ud(xy, timestamps_ns=t, location_error_m=20.0)
    assert ud.density.shape == (ud.y.size, ud.x.size)
    assert max(ud.density.shape) == 200
    assert (ud.density >= 0).all()
    assert ud.density.sum() * ud.cell_size_m**2 == pytest.approx(1.0, abs=1e-12)
    assert ud.mass_in_grid == pytest.approx(1.0, abs=1e-4)
    # The grid covers the fixes plus a margin.
    assert ud.x[0] < xy[:, 0].min() and ud.x[-1] > xy[:, 0].max()


def _mixture_hpd_area(p: float, delta: float) -> float:
    """Exact p-area of the UD of a stationary animal with zero motion variance.

    The bridge variance is ((1 - a)² + a²) delta² for a uniform on (0, 1), so the
    UD is a scale mixture of isotropic normals; its highest-density region is a
    disc of radius R with mean_a P(|Z| < R) = p.
    """

    def covered(radius: float) -> float:
        def integrand(a: float) -> float:
            v = ((1 - a) ** 2 + a**2) * delta**2
            return 1 - np.exp(-(radius**2) / (2 * v))

        return quad(integrand, 0, 1)[0] - p

    radius = brentq(covered, 1e-6 * delta, 10 * delta)
    return float(np.pi * radius**2)


def test_stationary_animal_zero_motion_variance() -> None:
    # Note: the Horne et al. bridge variance with sigma2_m = 0 is
    # ((1 - a)² + a²) delta², between delta²/2 and delta², so the UD is NOT
    # N(0, delta²) (whose 95 % area pi (-2 ln 0.05) delta² is ~45 % larger);
    # the oracle is the exact scale mixture.
    delta = 50.0
    xy, t = stationary()
    res = bbmm.estimate(
        xy, levels=[0.5, 0.95], timestamps_ns=t, location_error_m=delta, motion_variance_m2_per_h=0
    )
    for e in res:
        expected = _mixture_hpd_area(e.level, delta)
        assert e.area_m2 == pytest.approx(expected, rel=0.01)
        assert e.geometry.area == pytest.approx(expected, rel=0.01)
        assert e.geometry.centroid.distance(shapely.Point(xy[0])) < 1.0
        assert not e.params["grid_warning"]
    normal_95 = np.pi * (-2 * np.log(0.05)) * delta**2
    assert res[1].area_m2 < normal_95


def test_estimate_contract_and_params() -> None:
    xy, t = brownian_track(400, 5_000.0, 20.0, 4)
    res = bbmm.estimate(xy, levels=[0.95, 0.5, 0.75], timestamps_ns=t, location_error_m=20.0)
    assert [e.level for e in res] == [0.95, 0.5, 0.75]
    assert all(isinstance(e, Estimate) for e in res)
    areas = {e.level: e.area_m2 for e in res}
    assert areas[0.5] < areas[0.75] < areas[0.95]
    for e in res:
        assert set(e.params) >= {"motion_variance_m2_per_h", "location_error_m", "cell_size_m"}
        assert e.params["location_error_m"] == 20.0
        assert e.params["motion_variance_rule"] == "horne"
        assert e.geometry.is_valid
        # contour area close to the cell-count area at this resolution
        assert e.geometry.area == pytest.approx(e.area_m2, rel=0.05)
    big = next(e for e in res if e.level == 0.95).geometry
    small = next(e for e in res if e.level == 0.5).geometry
    assert big.buffer(1e-6).covers(small)


def test_given_motion_variance_and_cell_size_are_used() -> None:
    xy, t = brownian_track(100, 5_000.0, 20.0, 5)
    (e,) = bbmm.estimate(
        xy, levels=[0.95], timestamps_ns=t, motion_variance_m2_per_h=1234.0, cell_size_m=50.0
    )
    assert e.params["motion_variance_m2_per_h"] == 1234.0
    assert e.params["motion_variance_rule"] == "given"
    assert e.params["cell_size_m"] == 50.0
    assert e.area_m2 % 2500.0 == pytest.approx(0.0, abs=1e-6)


def test_legs_weighted_by_duration_irregular_steps() -> None:
    # At A for 9 h, a 1 h jump to B 100 km away, at B for 1 h: ~9/11 of the
    # time (hence of the UD) is at A, ~1/11 at B, ~1/11 spread along the jump.
    a, b = np.array([0.0, 0.0]), np.array([100_000.0, 0.0])
    xy = np.array([a, a, b, b]) + 5e5
    xy = np.vstack([xy[:1], xy])  # 5 fixes: A at 0 h, 4.5 h, 9 h; B at 10 h, 11 h
    t = T0_NS + np.array([0, 4.5, 9, 10, 11]) * HOUR_NS
    ud = bbmm.bridge_ud(
        xy,
        timestamps_ns=t.astype(np.int64),
        location_error_m=50.0,
        motion_variance_m2_per_h=0.0,
        cell_size_m=100.0,
    )
    cx, cy = np.meshgrid(ud.x, ud.y)
    cell = ud.cell_size_m**2
    near_a = np.hypot(cx - xy[0, 0], cy - xy[0, 1]) < 1000.0
    near_b = np.hypot(cx - xy[-1, 0], cy - xy[-1, 1]) < 1000.0
    assert ud.density[near_a].sum() * cell == pytest.approx(9 / 11, abs=2e-3)
    assert ud.density[near_b].sum() * cell == pytest.approx(1 / 11, abs=2e-3)


# ------------------------------------------------------------------- errors


def test_missing_timestamps() -> None:
    xy, _ = stationary()
    with pytest.raises(InputError, match="BBMM needs the time"):
        bbmm.estimate(xy, levels=[0.95])
    with pytest.raises(InputError, match="BBMM needs the time"):
        bbmm.motion_variance_ml(xy, None, 10.0)


@pytest.mark.parametrize("kind", ["duplicate", "out-of-order"])
def test_bad_timestamps(kind: str) -> None:
    xy, t = brownian_track(20, 1000.0, 10.0, 0)
    t = t.copy()
    if kind == "duplicate":
        t[5] = t[4]
    else:
        t[5], t[6] = t[6], t[5]
    with pytest.raises(InputError, match=kind):
        bbmm.estimate(xy, levels=[0.95], timestamps_ns=t)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"levels": [95]}, r"\(0, 1\]"),
        ({"levels": [0.95], "timestamps_ns": np.arange(3)}, "one time per fix"),
        ({"levels": [0.95], "timestamps_ns": np.arange(20.0)}, "int64"),
        ({"levels": [0.95], "location_error_m": -1.0}, ">= 0"),
        ({"levels": [0.95], "cell_size_m": 0.0}, "positive"),
        ({"levels": [0.95], "cell_size_m": 1e-3}, "Increase cell_size_m"),
        ({"levels": [0.95], "motion_variance_m2_per_h": -1.0}, ">= 0"),
        ({"levels": [0.95], "steps_per_leg": 0}, "steps_per_leg"),
    ],
)
def test_invalid_input(kwargs: dict, match: str) -> None:
    xy, t = brownian_track(20, 1000.0, 10.0, 0)
    kwargs = {"timestamps_ns": t, "location_error_m": 10.0, **kwargs}
    with pytest.raises(InputError, match=match):
        bbmm.estimate(xy, **kwargs)


def test_zero_variance_bridge_rejected() -> None:
    xy, t = stationary()
    with pytest.raises(InputError, match="zero variance"):
        bbmm.estimate(
            xy, levels=[0.95], timestamps_ns=t, location_error_m=0.0, motion_variance_m2_per_h=0.0
        )


def test_too_few_fixes() -> None:
    xy, t = stationary(4)
    with pytest.raises(InsufficientDataError, match="at least 5"):
        bbmm.estimate(xy, levels=[0.95], timestamps_ns=t)


@pytest.mark.slow
def test_speed_10000_fixes() -> None:
    xy, t = brownian_track(10_000, 10_000.0, 30.0, 8, irregular=False)
    t0 = time.perf_counter()
    res = bbmm.estimate(xy, levels=[0.5, 0.95], timestamps_ns=t, location_error_m=30.0)
    elapsed = time.perf_counter() - t0
    assert res[0].params["cell_size_m"] > 0
    assert elapsed < 10.0

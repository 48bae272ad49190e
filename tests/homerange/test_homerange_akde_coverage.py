"""Coverage of the AKDE area interval on simulated animals of known area (issue 14, item 3a).

300 leopards from :func:`habitat.datasets.simulate_relocations` (exact,
stationary isotropic OU tracks, tau 1.5 days, true 95 % area
:math:`-2\\ln(0.05)\\,\\pi\\sigma^2`), a third each followed for 90, 180 and 365
days with 4-hourly fixes, 10 % of fixes failing at random and 0-3 gaps of 1-10
days per track. Each track is fitted (:func:`habitat.movement.fit_movement`, the
smallest AICc) and estimated with :func:`habitat.homerange.akde.estimate`
(ctmm's ``akde`` with ``debias=TRUE``, and the default ``interval="corrected"``),
and with KDE href for comparison.

Measured at this commit (300 tracks, seeds 0-29; DOF[area] 54, 113 and 235 on
average for 90, 180 and 365 days):

* the fitted model's Gaussian 95 % area with the chi-square interval on
  ``2 DOF[area]`` covers the truth on 284/300 = 94.7 % of the tracks
  (Clopper-Pearson 91.5-96.9 %): the simulator, the fits and DOF[area] are right;
* ctmm's AKDE interval (the same chi-square interval around the debiased AKDE
  area) covers 274/300 = 91.3 % (87.6-94.3 %): the AKDE area is 0.956, 0.964
  and 0.977 of the fitted Gaussian area for 90, 180 and 365 days. The shortfall
  is the kernel density's shape, not the grid or the simulator: the 95 %
  isopleth of a sample's KDE encloses less than the Gaussian of the same
  covariance (about -5 % for 100 IID fixes at h = 0.5, nothing at 20,000), and
  ctmm's debiasing (``akde.bias`` / ``debias.volume`` in ``R/kde.R``, read at
  ctmm-initiative/ctmm c4d29f1) rescales areas by the covariance inflation
  :math:`1 - \\bar\\rho + h^2` only;
* the parametric bootstrap of that shape ratio under each track's fitted model
  (:mod:`habitat.homerange.akde_shape`) predicts 0.964, 0.966 and 0.984, and the
  default interval (ctmm's, widened to hold the shape-corrected one) covers
  287/300 = 95.7 % (92.7-97.7 %), 95 %, 98 % and 94 % by duration.

KDE href gives no interval; the fair comparison is the interval an analyst
gets by taking its fixes as independent (the IID chi-square interval on
``2 n`` DOF, ctmm's IID ``DOF[area]``), and its bias: href's areas are
1.03-1.04 times the truth on average, and that interval covers 156/300 = 52 %
of the tracks.

Everything here is ``slow`` but the grid/shape test; the simulation runs on a
pool of 2 processes with BLAS pinned to one thread (about 1 minute on 2 cores).
"""

from __future__ import annotations

import math
import multiprocessing
import warnings
from concurrent.futures import ProcessPoolExecutor

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy import stats

from habitat.datasets.simulate import simulate_relocations
from habitat.homerange import akde, kde
from habitat.homerange.akde_grid import area_at_level, gaussian_mass, ranked_cumulative
from habitat.movement import fit_movement

CHI2_95 = -2.0 * math.log(0.05)  # the 95 % ellipse of a bivariate normal
#: Track durations (days), one per batch in turn; 10 animals a batch.
DURATIONS_DAYS = (90.0, 180.0, 365.0)
N_BATCHES = 30
#: Centres anywhere in this box (no land-cover raster needed).
BOX = shapely.box(131.0, 43.0, 133.0, 44.0)


def _gappy(n: int, rng: np.random.Generator) -> np.ndarray:
    """Keep-mask with 0-3 runs of 1-10 days (6-60 fixes) of failed fixes."""
    keep = np.ones(n, dtype=bool)
    for _ in range(int(rng.integers(0, 4))):
        start, length = int(rng.integers(0, n)), int(rng.integers(6, 61))
        keep[start : start + length] = False
    return keep


def _batch(seed: int) -> list[tuple[float, ...]]:
    """Ten simulated animals: (days, n, truth, akde, low, high, gauss, dof, href, shape ratio,
    ctmm low, ctmm high), areas in km²."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    days = DURATIONS_DAYS[seed % len(DURATIONS_DAYS)]
    box = gpd.GeoSeries([BOX], crs="EPSG:4326")
    fixes, truth = simulate_relocations(
        n_females=5,
        n_males=5,
        days=days,
        seed=seed,
        habitat=box,
        crs="EPSG:32652",
        fix_success=0.9,
    )
    rng = np.random.default_rng(10_000 + seed)
    rows: list[tuple[float, ...]] = []
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ind, g in fixes.groupby("individual", sort=True):
            t_ns = g["timestamp"].to_numpy().astype("datetime64[ns]").astype(np.int64)
            xy = np.column_stack([g.geometry.x, g.geometry.y])
            keep = _gappy(len(t_ns), rng)
            t_ns, xy = t_ns[keep], xy[keep]
            fit = fit_movement(t_ns / 1e9, xy)
            (e,) = akde.estimate(xy, levels=0.95, timestamps_ns=t_ns, model=fit)
            (h,) = kde.estimate(xy, levels=0.95, grid=200, grow_grid=True)
            gauss = CHI2_95 * math.pi * math.sqrt(np.linalg.det(fit.sigma_m2))
            rows.append(
                (
                    days,
                    float(len(t_ns)),
                    float(truth.loc[ind, "true_area_95_km2"]),
                    e.area_m2 / 1e6,
                    float(e.params["area_low_km2"]),
                    float(e.params["area_high_km2"]),
                    gauss / 1e6,
                    float(fit.dof_area),
                    h.area_m2 / 1e6,
                    float(e.params["kde_shape_ratio"]),
                    *(b / 1e6 for b in akde.area_ci(e.area_m2, fit.dof_area)),
                )
            )
    return rows


def simulate_and_estimate(n_batches: int = N_BATCHES) -> np.ndarray:
    """All animals' rows (see :func:`_batch`), on 2 processes, BLAS on one thread each."""
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        rows = [r for batch in pool.map(_batch, range(n_batches)) for r in batch]
    return np.array(rows)


def coverage_band(n: int, level: float = 0.95, tolerance: float = 0.03) -> tuple[float, float]:
    """The issue's acceptance band for a coverage out of n tracks: level +- tolerance."""
    return (level - tolerance) * n, (level + tolerance) * n


@pytest.fixture(scope="module")
def tracks() -> np.ndarray:
    return simulate_and_estimate()


def _covered(low: np.ndarray, high: np.ndarray, truth: np.ndarray) -> int:
    return int(np.sum((low <= truth) & (truth <= high)))


@pytest.mark.slow
def test_simulated_truth_and_fitted_gaussian_interval(tracks):
    # the simulator's truth, the fits and DOF[area] are right: the fitted model's Gaussian
    # area is unbiased (SE ~ 0.6 %) and ctmm's chi-square interval on it covers 95 +- 3 %
    truth, gauss, dof = tracks[:, 2], tracks[:, 6], tracks[:, 7]
    ratio = gauss / truth
    assert abs(ratio.mean() - 1.0) < 3 * ratio.std(ddof=1) / math.sqrt(len(ratio))
    bounds = np.array([akde.area_ci(g, d) for g, d in zip(gauss, dof, strict=True)])
    lo, hi = coverage_band(len(truth))
    assert lo <= _covered(bounds[:, 0], bounds[:, 1], truth) <= hi


@pytest.mark.slow
def test_akde_area_falls_short_of_the_fitted_gaussian_by_the_kde_shape(tracks):
    # the cause of the undercoverage below: the debiased AKDE area is 1-5 % below the
    # fitted Gaussian area of the same track (the KDE-shape shortfall pinned by
    # test_kde_isopleth_shortfall_is_the_sample_shape), on tracks of every duration
    ratio = tracks[:, 3] / tracks[:, 6]
    for days in DURATIONS_DAYS:
        r = ratio[tracks[:, 0] == days]
        assert 0.94 < r.mean() < 0.99
    # shorter tracks (fewer effective fixes), larger shortfall
    by_days = [ratio[tracks[:, 0] == d].mean() for d in DURATIONS_DAYS]
    assert by_days == sorted(by_days)


@pytest.mark.slow
def test_akde_area_interval_covers_the_true_area(tracks):
    # the default interval (ctmm's, widened to hold the shape-corrected one)
    truth, low, high = tracks[:, 2], tracks[:, 4], tracks[:, 5]
    lo, hi = coverage_band(len(truth))
    assert lo <= _covered(low, high, truth) <= hi
    # and on every duration, within the binomial spread of 100 tracks
    for days in DURATIONS_DAYS:
        s = tracks[:, 0] == days
        assert _covered(low[s], high[s], truth[s]) >= 0.9 * s.sum()


@pytest.mark.slow
def test_ctmm_interval_alone_falls_short(tracks):
    # ctmm's chi-square interval around the same (ctmm) point estimate: below the
    # issue's band, the shortfall the correction repairs
    truth, c_low, c_high = tracks[:, 2], tracks[:, 10], tracks[:, 11]
    ctmm = _covered(c_low, c_high, truth)
    assert ctmm < coverage_band(len(truth))[0]
    assert ctmm < _covered(tracks[:, 4], tracks[:, 5], truth)
    # the two intervals share the lower bound (the shape ratio is below 1 at 95 %)
    assert np.all(tracks[:, 9] < 1.0)
    np.testing.assert_array_equal(tracks[:, 4], c_low)


@pytest.mark.slow
def test_bootstrapped_shape_ratio_predicts_the_shortfall(tracks):
    # the parametric bootstrap (under each track's fitted model, at its own times) predicts
    # the measured ratio of the AKDE area to the fitted Gaussian area, duration by duration
    measured = tracks[:, 3] / tracks[:, 6]
    for days in DURATIONS_DAYS:
        s = tracks[:, 0] == days
        assert tracks[s, 9].mean() == pytest.approx(measured[s].mean(), abs=0.01)


@pytest.mark.slow
def test_kde_href_visibly_fails(tracks):
    # KDE href treats n autocorrelated fixes as independent: its area is biased high
    # (href's kernel inflation 1 + h^2 is not debiased; SE of the mean ratio ~1 %), and
    # the interval of n independent fixes (chi-square on 2n DOF) covers about half
    n, truth, href = tracks[:, 1], tracks[:, 2], tracks[:, 8]
    assert (href / truth).mean() > 1.0
    bounds = np.array([akde.area_ci(a, k) for a, k in zip(href, n, strict=True)])
    assert _covered(bounds[:, 0], bounds[:, 1], truth) < 0.7 * len(truth)
    # while the AKDE interval, even short of 95 %, covers most tracks
    assert _covered(tracks[:, 4], tracks[:, 5], truth) > 0.85 * len(truth)


def _raw_area(xy: np.ndarray, h: float, cell: float) -> float:
    """95 % area of the equal-weight KDE with kernel SD h km (m²), grid +- 7 km."""
    g = np.arange(-7000.0, 7000.0 + cell, cell)
    m = gaussian_mass(xy, np.full(len(xy), 1.0 / len(xy)), np.eye(2) * (h * 1000.0) ** 2, g, g)
    return area_at_level(ranked_cumulative(m)[1], 0.95, cell * cell)


@pytest.mark.parametrize(
    ("n", "n_samples", "low", "high"),
    [(100, 20, 0.92, 0.975), (20_000, 2, 0.995, 1.002)],
)
def test_kde_isopleth_shortfall_is_the_sample_shape(n, n_samples, low, high):
    # a KDE of n IID N(0, 1 km²) fixes with kernel SD 0.5 km: its 95 % area against the
    # Gaussian of its own covariance (sample covariance + kernel), whose area ctmm's
    # debiasing assumes. 100 fixes: ~5 % short; 20,000 fixes: the grid and the isopleth
    # extraction are exact (the same with cells half as wide), so the shortfall is the
    # finite sample's non-Gaussian shape, which no covariance correction removes.
    rng = np.random.default_rng(n)
    ratios = []
    for _ in range(n_samples):
        xy = rng.normal(0.0, 1000.0, (n, 2))
        centred = xy - xy.mean(axis=0)
        own = (
            CHI2_95
            * math.pi
            * math.sqrt(np.linalg.det(centred.T @ centred / n + 0.25e6 * np.eye(2)))
        )
        a50, a25 = _raw_area(xy, 0.5, 50.0), _raw_area(xy, 0.5, 25.0)
        assert a25 == pytest.approx(a50, rel=0.004)
        ratios.append(a50 / own)
    assert low < float(np.mean(ratios)) < high


def binomial_note(covered: int, n: int) -> str:
    """Coverage with its 95 % Clopper-Pearson interval, for reports."""
    lo = stats.beta.ppf(0.025, covered, n - covered + 1) if covered else 0.0
    hi = stats.beta.ppf(0.975, covered + 1, n - covered) if covered < n else 1.0
    return f"{covered}/{n} = {covered / n:.3f} [{lo:.3f}, {hi:.3f}]"


if __name__ == "__main__":  # pragma: no cover - prints the figures quoted above
    rows = simulate_and_estimate()
    truth = rows[:, 2]
    print("AKDE", binomial_note(_covered(rows[:, 4], rows[:, 5], truth), len(rows)))
    print("ctmm", binomial_note(_covered(rows[:, 10], rows[:, 11], truth), len(rows)))
    g = np.array([akde.area_ci(a, d) for a, d in zip(rows[:, 6], rows[:, 7], strict=True)])
    print("Gaussian", binomial_note(_covered(g[:, 0], g[:, 1], truth), len(rows)))
    k = np.array([akde.area_ci(a, d) for a, d in zip(rows[:, 8], rows[:, 1], strict=True)])
    print("href IID", binomial_note(_covered(k[:, 0], k[:, 1], truth), len(rows)))
    for days in DURATIONS_DAYS:
        s = rows[:, 0] == days
        t = truth[s]
        print(
            f"{days:.0f} d: dof {rows[s, 7].mean():.0f},",
            f"akde/truth {np.mean(rows[s, 3] / t):.3f},",
            f"gauss/truth {np.mean(rows[s, 6] / t):.3f},",
            f"akde/gauss {np.mean(rows[s, 3] / rows[s, 6]):.3f},",
            f"href/truth {np.mean(rows[s, 8] / t):.3f},",
            f"shape ratio {rows[s, 9].mean():.3f},",
            f"akde cov {_covered(rows[s, 4], rows[s, 5], t) / s.sum():.3f}",
            f"ctmm cov {_covered(rows[s, 10], rows[s, 11], t) / s.sum():.3f}",
        )

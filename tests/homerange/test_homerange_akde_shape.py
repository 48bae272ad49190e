"""The KDE shape ratio by parametric bootstrap (habitat.homerange.akde_shape)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from habitat.homerange.akde_shape import kde_shape_ratio
from habitat.movement.model import MovementModel

CHI2_95 = -2.0 * math.log(0.05)
DAY = 86400.0


def model(name: str = "IID", sigma: np.ndarray | None = None, tau_p: float = 0.0) -> MovementModel:
    return MovementModel.from_parameters(
        name, sigma_m2=1e6 if sigma is None else sigma, tau_position_s=tau_p
    )


def ratio(n: int, kernel: np.ndarray, m: MovementModel, *, dt: float = 1.0, seed: int = 20150601):
    return kde_shape_ratio(
        np.arange(n) * dt,
        m,
        weights=np.full(n, 1.0 / n),
        kernel_m2=kernel,
        error_var_m2=np.zeros(n),
        cell_size_m=25.0,
        levels=[0.5, 0.95],
        seed=seed,
    )


def direct_ratio(xy: np.ndarray, h_m: float, level: float = 0.95) -> float:
    """Independent oracle: the KDE evaluated point by point on a fine grid with numpy,
    its isopleth area from the sorted densities, over its own Gaussian's area."""
    g = np.arange(-6000.0, 6000.0, 40.0)
    gx, gy = np.meshgrid(g, g)
    dens = np.zeros_like(gx)
    for x, y in xy:  # 100 kernels, each a full-grid numpy expression
        dens += np.exp(-((gx - x) ** 2 + (gy - y) ** 2) / (2 * h_m**2))
    mass = np.sort(dens.ravel())[::-1]
    cum = np.cumsum(mass) / mass.sum()
    area = np.searchsorted(cum, level) * 40.0**2
    c = np.cov(xy.T, bias=True) + h_m**2 * np.eye(2)
    return area / (CHI2_95 * math.pi * math.sqrt(np.linalg.det(c)))


def test_bootstrap_agrees_with_an_independent_direct_kde():
    # 100 IID N(0, 1 km^2) fixes, kernels of SD 0.5 km: the mean shortfall of the 95 %
    # isopleth under its own Gaussian, by the module and by a plain numpy KDE on other
    # samples, agree within three combined standard errors (~0.7 % each)
    s = ratio(100, np.eye(2) * 0.25e6, model())
    rng = np.random.default_rng(5)
    direct = [direct_ratio(rng.normal(0, 1000, (100, 2)), 500.0) for _ in range(12)]
    se = math.hypot(float(s.standard_error[1]), np.std(direct, ddof=1) / math.sqrt(12))
    assert s.ratio[1] == pytest.approx(np.mean(direct), abs=3 * se)
    assert 0.92 < s.ratio[1] < 0.975  # a few % short at 95 %
    assert s.ratio[0] == pytest.approx(1.0, abs=0.03)  # the 50 % core: no shortfall to speak of
    assert s.n_replicates == 16


def test_ratio_is_affine_invariant():
    # an anisotropic, rotated Sigma with H = h^2 Sigma is the isotropic case in other
    # coordinates: same ratio (same seed, so the same unit draws) up to the grid
    sigma = np.array([[9e6, 2.4e6], [2.4e6, 1e6]])
    iso = ratio(200, np.eye(2) * 0.2e6, model())
    aniso = ratio(200, sigma * 0.2, model("IID", sigma))
    np.testing.assert_allclose(aniso.ratio, iso.ratio, atol=0.004)


def test_ratio_tends_to_one_with_many_effective_fixes():
    # Silverman-like bandwidths n^(-1/6): the shortfall shrinks as the sample grows
    small = ratio(100, np.eye(2) * 1e6 * 100 ** (-1 / 3), model())
    large = ratio(4000, np.eye(2) * 1e6 * 4000 ** (-1 / 3), model())
    assert small.ratio[1] < large.ratio[1] < 1.0
    assert large.ratio[1] > 0.975


def test_autocorrelated_track_is_lumpier_than_iid_of_the_same_count():
    # 1,000 fixes 4 h apart of an OU with a 5-day timescale hold about 1000 / 30 effective
    # fixes: with the same kernel, their KDE falls further short than 1,000 IID fixes'
    kernel = np.eye(2) * 0.1e6
    ou = ratio(1000, kernel, model("OU", tau_p=5 * DAY), dt=4 * 3600.0)
    iid = ratio(1000, kernel, model())
    assert ou.ratio[1] < iid.ratio[1] - 0.01


def test_location_error_enters_the_replicates_and_kernels():
    n = 200
    base = dict(weights=np.full(n, 1 / n), kernel_m2=np.eye(2) * 0.2e6, cell_size_m=25.0)
    plain = kde_shape_ratio(np.arange(n), model(), error_var_m2=np.zeros(n), levels=[0.95], **base)
    noisy = kde_shape_ratio(
        np.arange(n), model(), error_var_m2=np.full(n, 0.3e6), levels=[0.95], **base
    )
    # wider kernels (H + error) smooth the mixture towards its Gaussian
    assert plain.ratio[0] < noisy.ratio[0] < 1.0

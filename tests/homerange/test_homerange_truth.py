"""Estimators against the simulator's known truth (issue 3, item 7).

A long Ornstein-Uhlenbeck track has a bivariate normal stationary distribution
with per-axis variance sigma^2, whose true p-range is a disc of area
-2 ln(1 - p) pi sigma^2. Tolerances come from the effective sample size of an
autocorrelated track: about T / (2 tau) independent positions.
"""

import numpy as np
import pytest

from habitat import home_range, simulate_relocations


@pytest.fixture(scope="module")
def long_track():
    # 2 animals x 8 years of 4-hourly fixes, tau = 1.5 d: ~970 effective fixes each
    return simulate_relocations(n_females=1, n_males=1, days=8 * 365, seed=11, crs="EPSG:32652")


@pytest.mark.parametrize("level", [0.5, 0.95])
def test_kde_converges_to_the_true_area(long_track, level):
    fixes, truth = long_track
    out = home_range(fixes, method="kde", bandwidth="href", grid=200, levels=[level])
    out = out.set_index("individual")
    for ind, row in truth.iterrows():
        sigma = row["sigma_m"]
        h = out.loc[ind, "bandwidth_m"]
        true_km2 = -2 * np.log(1 - level) * np.pi * sigma**2 / 1e6
        smoothed_km2 = -2 * np.log(1 - level) * np.pi * (sigma**2 + h**2) / 1e6
        est = out.loc[ind, "contour_area_km2"]
        # the KDE estimates the smoothed density (variance sigma^2 + h^2) ...
        assert est == pytest.approx(smoothed_km2, rel=0.08), ind
        # ... which is within 2 x (h/sigma)^2 + 8 % of the truth; h/sigma ~ 0.2 here
        assert est == pytest.approx(true_km2, rel=0.08 + 2 * (h / sigma) ** 2), ind


def test_mcp_95_of_a_long_track_brackets_the_true_area(long_track):
    fixes, truth = long_track
    out = home_range(fixes, method="mcp", levels=[0.95]).set_index("individual")
    for ind, row in truth.iterrows():
        # the MCP of the fixes inside the 95 % distance quantile is the hull of a disc
        # of points; sampling error of ~970 effective fixes is a few per cent
        ratio = out.loc[ind, "area_km2"] / row["true_area_95_km2"]
        assert 0.9 < ratio < 1.1, (ind, ratio)

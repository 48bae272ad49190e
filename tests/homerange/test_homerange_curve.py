"""Area–sample-size curves (Harris et al. 1990; Laver & Kelly 2008)."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from habitat.core.errors import InputError
from habitat.homerange import home_range
from habitat.homerange.curve import area_curve, area_curve_verdict, default_sample_sizes


def fixes(xy, individual="A", crs=32652):
    xy = np.asarray(xy, dtype=float) + [500_000, 4_800_000]
    return gpd.GeoDataFrame(
        {"individual": [individual] * len(xy)},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=crs,
    )


@pytest.fixture(scope="module")
def square():
    rng = np.random.default_rng(42)
    return fixes(rng.uniform(0, 10_000, (2000, 2)), "sq")


@pytest.fixture(scope="module")
def square_curve(square):
    return area_curve(square, level=1.0, n_boot=50, seed=0)


@pytest.fixture(scope="module")
def settled_and_dispersing():
    rng = np.random.default_rng(7)
    settled = fixes(rng.normal(0, 3000, (2000, 2)), "settled")
    walk = fixes(np.cumsum(rng.normal(0, 300, (2000, 2)), axis=0), "disperser")
    return pd.concat([settled, walk], ignore_index=True)


def test_default_sample_sizes_are_geometric_from_10_to_n():
    s = default_sample_sizes(2000)
    assert s[0] == 10 and s[-1] == 2000
    assert 12 <= len(s) <= 15
    assert {1600, 1800} <= set(s.tolist())  # the verdict's tail (last 25 % of fixes)
    assert np.all(np.diff(s) > 0)
    assert default_sample_sizes(7).tolist() == [6, 7]  # 0.8 * 7 rounds to 6; 10 > n


def test_square_mcp100_rises_to_the_full_area(square, square_curve):
    c = square_curve
    assert list(c["n_fixes"]) == default_sample_sizes(2000).tolist()
    last = c.iloc[-1]
    assert last["n_fixes"] == 2000
    assert last["share_of_full"] == 1.0  # all fixes: the exact full-data area
    assert last["area_km2_sd"] == 0.0
    # the full-data hull of 2000 uniform points fills the 10 km square to ~1 %
    assert 97.0 < last["area_km2_mean"] < 100.0
    full_hr = home_range(square, levels=[1.0])["area_km2"].iloc[0]
    assert last["area_km2_mean"] == pytest.approx(full_hr, rel=1e-12)
    # 10 random fixes span far less than the square
    assert c["share_of_full"].iloc[0] < 0.6


def test_half_the_fixes_give_less_area(square):
    c = area_curve(square, level=1.0, sample_sizes=[1000], n_boot=20)
    half = c[c["n_fixes"] == 1000].iloc[0]
    assert half["area_km2_mean"] < half["full_area_km2"]
    assert half["area_km2_q95"] <= half["full_area_km2"]  # a subset's hull is inside the hull
    assert list(c["n_fixes"]) == [1000, 2000]  # n is always added


def test_mcp100_means_are_monotone_within_noise(square_curve):
    c = square_curve
    mean = c["area_km2_mean"].to_numpy()
    se = c["area_km2_sd"].to_numpy() / np.sqrt(50)
    drops = mean[:-1] - mean[1:]
    assert np.all(drops <= 3 * np.hypot(se[:-1], se[1:]) + 1e-12)
    assert np.all(c["area_km2_q05"] <= c["area_km2_mean"] + 1e-12)
    assert np.all(c["area_km2_mean"] <= c["area_km2_q95"] + 1e-12)


def test_settled_levels_off_and_dispersing_keeps_rising(settled_and_dispersing):
    c = area_curve(settled_and_dispersing, level=0.95, order="time", n_boot=30, seed=1)
    v = area_curve_verdict(c)
    assert bool(v.loc["settled", "levelled_off"]) is True
    assert v.loc["settled", "verdict"].startswith("levelled off")
    assert bool(v.loc["disperser", "levelled_off"]) is False
    assert v.loc["disperser", "verdict"].startswith("still rising: 50 % more fixes")
    assert v.loc["disperser", "projected_change_50pct"] > 0.15
    assert v.loc["settled", "tail_sizes"] == [1600, 1800]


def test_random_order_cannot_see_dispersal(settled_and_dispersing):
    # documented limitation: random subsets of a fixed track converge to it
    c = area_curve(settled_and_dispersing, level=0.95, order="random", n_boot=30)
    v = area_curve_verdict(c)
    assert bool(v.loc["disperser", "levelled_off"]) is True


def test_verdict_rule_on_a_hand_made_curve():
    def curve(share_1600, share_1800, share_1000=0.5):
        m = [10, 1000, 1600, 1800, 2000]
        share = [0.1, share_1000, share_1600, share_1800, 1.0]
        return pd.DataFrame(
            {"individual": "A", "n_fixes": m, "area_km2_mean": 100 * np.array(share)}
        )

    ok = area_curve_verdict(curve(0.951, 0.99))
    assert bool(ok.loc["A", "levelled_off"]) is True
    assert ok.loc["A", "max_tail_deviation"] == pytest.approx(0.049)
    assert "within 5 % of the full-data area" in ok.loc["A", "verdict"]
    bad = area_curve_verdict(curve(0.949, 0.99))
    assert bool(bad.loc["A", "levelled_off"]) is False
    b = np.log(1 / 0.949) / np.log(2000 / 1600)
    assert bad.loc["A", "projected_change_50pct"] == pytest.approx(1.5**b - 1)
    # a looser tolerance accepts it
    assert bool(
        area_curve_verdict(curve(0.949, 0.99), plateau_tolerance=0.1)["levelled_off"].iat[0]
    )


def test_same_seed_same_result_other_seed_differs(square):
    a = area_curve(square, level=0.95, sample_sizes=[20, 200], n_boot=10, seed=3)
    b = area_curve(square, level=0.95, sample_sizes=[20, 200], n_boot=10, seed=3)
    c = area_curve(square, level=0.95, sample_sizes=[20, 200], n_boot=10, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["area_km2_mean"].iloc[:2], c["area_km2_mean"].iloc[:2])
    assert a["area_km2_mean"].iloc[-1] == c["area_km2_mean"].iloc[-1]  # full data: no sampling


def test_kde_curve_ends_at_the_home_range_area():
    rng = np.random.default_rng(5)
    f = fixes(rng.normal(0, 2000, (200, 2)), "K")
    c = area_curve(f, method="kde", level=0.95, sample_sizes=[50, 100], n_boot=3, grid=40)
    hr = home_range(f, method="kde", levels=[0.95], grid=40)["area_km2"].iloc[0]
    assert c["area_km2_mean"].iloc[-1] == pytest.approx(hr, rel=1e-12)
    assert c.attrs["method"] == "kde" and c.attrs["n_boot"] == 3


@pytest.mark.parametrize(
    ("kwargs", "hint"),
    [
        ({"n_boot": 1}, "n_boot=50"),
        ({"sample_sizes": [3, 50]}, "at least 5"),
        ({"sample_sizes": [50, 5000]}, "sample_sizes=None"),
        ({"level": 95}, "0.95, not 95"),
        ({"method": "mvp"}, "use one of"),
        ({"order": "sorted"}, "'random' or 'time'"),
    ],
)
def test_bad_input_says_how_to_fix(square, kwargs, hint):
    with pytest.raises(InputError, match=hint):
        area_curve(square.iloc[:100], **kwargs)

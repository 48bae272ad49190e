"""Unknown keyword options are refused by name, before any work, for every method."""

from __future__ import annotations

import inspect

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from habitat.core.errors import HabitatError, InputError, InsufficientDataError
from habitat.homerange import akde, bbmm, home_range, kde, locoh, mcp
from habitat.homerange.estimate import ESTIMATORS, HOME_RANGE_KEYWORDS, METHODS, method_options
from habitat.homerange.ud import utilization_distribution


def _fixes(n: int = 40) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(4)
    xy = rng.normal(0, 2_000, (n, 2)) + [640_000, 4_770_000]
    t = pd.date_range("2024-01-01", periods=n, freq="4h", tz="UTC")
    return gpd.GeoDataFrame(
        {"individual": "A", "timestamp": t},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs="EPSG:32652",
    )


def test_level_for_levels_is_an_error_not_ignored():
    with pytest.raises(InputError, match=r"unknown option 'level'") as info:
        home_range(_fixes(), method="mcp", level=0.9)
    msg = str(info.value)
    assert "did you mean 'levels'?" in msg
    assert "home_range(method='mcp')" in msg
    for keyword in HOME_RANGE_KEYWORDS:
        assert keyword in msg


def test_bandwith_for_kde():
    with pytest.raises(InputError, match=r"'bandwith'.*did you mean 'bandwidth'\?") as info:
        home_range(_fixes(), method="kde", bandwith=500)
    for option in ("bandwidth", "bandwidth_m", "grid", "extent", "cell_size_m"):
        assert option in str(info.value)


@pytest.mark.parametrize("method", list(METHODS))
def test_every_method_refuses_an_unknown_option_before_any_work(method):
    too_few = _fixes(3)  # estimating would fail: the option error must come first
    with pytest.raises(InputError, match=r"unknown option 'nonsense_m'") as info:
        home_range(too_few, method=method, nonsense_m=1.0)
    assert not isinstance(info.value, InsufficientDataError)
    assert isinstance(info.value, HabitatError)
    for option in method_options(method):
        assert option in str(info.value)


@pytest.mark.parametrize("method", list(METHODS))
def test_method_options_are_the_estimator_signature(method):
    params = inspect.signature(ESTIMATORS[method].estimate).parameters
    assert set(method_options(method)) == set(params) - {"xy", "levels", "timestamps_ns"}
    assert "levels" in params and "timestamps_ns" in params  # the estimator contract


def test_valid_options_still_work():
    out = home_range(_fixes(), method="kde", levels=0.95, bandwidth_m=800.0, cell_size_m=200.0)
    assert out.loc[0, "bandwidth_m"] == 800.0 and out.loc[0, "cell_size_m"] == 200.0
    lo = home_range(_fixes(), method="locoh", levels=0.95, k=10)
    assert lo.loc[0, "k"] == 10


@pytest.mark.parametrize(
    ("call", "typo", "suggestion"),
    [
        (lambda xy, t, **kw: mcp.estimate(xy, **kw), {"level": 0.9}, "levels"),
        (lambda xy, t, **kw: kde.estimate(xy, levels=0.95, **kw), {"bandwith": 5.0}, "bandwidth"),
        (lambda xy, t, **kw: kde.kde_ud(xy, **kw), {"cellsize_m": 50.0}, "cell_size_m"),
        (lambda xy, t, **kw: locoh.estimate(xy, levels=0.95, **kw), {"kk": 5}, "k"),
        (
            lambda xy, t, **kw: bbmm.estimate(xy, levels=[0.95], timestamps_ns=t, **kw),
            {"location_error": 20.0},
            "location_error_m",
        ),
        (
            lambda xy, t, **kw: bbmm.bridge_ud(xy, timestamps_ns=t, **kw),
            {"margin": 10.0},
            "margin_m",
        ),
    ],
)
def test_estimators_called_directly_refuse_typos(call, typo, suggestion):
    xy = np.random.default_rng(1).normal(0, 1_000, (30, 2))
    t = np.arange(30) * 3_600_000_000_000
    with pytest.raises(InputError, match=f"did you mean '{suggestion}'") as info:
        call(xy, t, **typo)
    assert repr(next(iter(typo))) in str(info.value)


def test_utilization_distribution_refuses_typos():
    with pytest.raises(InputError, match="did you mean 'cell_size_m'"):
        utilization_distribution(_fixes(), cellsize_m=100.0)


def test_decorated_estimators_keep_signature_and_docstring():
    for func in (mcp.estimate, kde.estimate, locoh.estimate, bbmm.estimate, akde.estimate):
        assert "levels" in inspect.signature(func).parameters
        assert func.__doc__ and "Examples" in func.__doc__


@pytest.mark.parametrize(
    "kw", [{"levels": "0.9"}, {"levels": True}, {"levels": ["0.5", 0.9]}, {"exclude_flagged": "no"}]
)
def test_values_that_numpy_would_coerce_are_refused(kw):
    """'0.9' and True are not levels, and 'no' is not False (it would be truthy)."""
    from habitat.datasets.simulate import simulate_relocations

    fixes, _ = simulate_relocations(n_females=1, n_males=0, days=10, seed=1)
    with pytest.raises(InputError, match=next(iter(kw))):
        home_range(fixes, method="mcp", **kw)


def test_akde_options_pass_through_home_range():
    """The AKDE author's options are home_range options, and a typo among them is refused."""
    assert set(method_options("akde")) == {
        "model", "models", "weights", "error_m", "cell_size_m", "fast", "debias", "ci_level",
        "interval", "summation",
    }  # fmt: skip
    with pytest.raises(InputError, match=r"did you mean 'ci_level'"):
        home_range(_fixes(), method="akde", levels=0.95, ci_levl=0.9)

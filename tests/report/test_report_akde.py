"""Report of autocorrelated home ranges: variogram table and figure, model rows, area intervals."""

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from habitat.core.errors import ColumnError, InputError
from habitat.movement import fit_movement, variogram
from habitat.report.akde import (
    duration_text,
    interval_text,
    model_rows,
    semivariance_ci,
    time_unit,
    variogram_table,
)
from habitat.report.figures import figure_png, plot_area_intervals, plot_variogram

DAY = 86400.0


@pytest.fixture(scope="module")
def ou_track():
    """An exact OU track: 4-hourly fixes for 120 days, tau 2 days, sigma 4 km² per axis."""
    rng = np.random.default_rng(14)
    t = np.arange(0, 120 * DAY, 4 * 3600.0)
    rho = np.exp(-4 * 3600.0 / (2 * DAY))
    xy = np.zeros((t.size, 2))
    xy[0] = rng.normal(0, 2000.0, 2)
    for i in range(1, t.size):
        xy[i] = rho * xy[i - 1] + np.sqrt(1 - rho**2) * 2000.0 * rng.normal(size=2)
    model = fit_movement(t, xy, models=["OU isotropic", "IID isotropic"])
    return t, xy, model


def _png_image(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return imread(io.BytesIO(png), format="png")


def test_semivariance_ci_is_the_chi_square_quantile_over_dof():
    # chi-square with 2 DOF is exponential: quantile p = -2 ln(1 - p), so /2 = -ln(1 - p)
    low, high = semivariance_ci([3.0], [2.0], level=0.95)
    assert low[0] == pytest.approx(-3.0 * np.log(1 - 0.025), rel=1e-12)
    assert high[0] == pytest.approx(-3.0 * np.log(0.025), rel=1e-12)
    # no uncertainty at infinite dof; unknown (nan) at none
    low, high = semivariance_ci([3.0, 3.0], [np.inf, 0.0])
    assert low[0] == high[0] == 3.0
    assert np.isnan(low[1]) and np.isnan(high[1])
    with pytest.raises(InputError, match="level"):
        semivariance_ci([1.0], [1.0], level=95)


def test_durations_read_in_the_largest_unit_with_two_of_it():
    assert time_unit(119.0) == ("s", 1.0)
    assert time_unit(3 * DAY) == ("days", DAY)
    assert duration_text(2.345 * DAY) == "2.35 days"
    assert duration_text(36 * 3600.0) == "36 h"
    assert duration_text(3 * 365.25 * DAY) == "3 years"
    assert duration_text(float("nan")) == "–"


def test_interval_text_gives_km2_and_sq_mi():
    # 1 sq mi = 2.589988110336 km² exactly
    text = interval_text(
        2.589988110336 * 100, 2.589988110336 * 50, 2.589988110336 * 200, level=0.95
    )
    assert text == "259 km² (95 % CI 129–518) = 100 sq mi (50–200)"
    assert interval_text(10.0, 5.0, float("inf")) == "10 km² (interval 5–∞) = 3.86 sq mi (1.93–∞)"


def test_variogram_table_keeps_lags_with_a_degree_of_freedom_and_adds_the_model(ou_track):
    t, xy, model = ou_track
    v = variogram(t, xy)
    table = variogram_table(v, model)
    assert (table["dof"] >= 1).all()
    assert len(table) == int((v["dof"] >= 1).sum())
    np.testing.assert_allclose(
        table["semivariance_km2"], v.loc[v["dof"] >= 1, "semivariance_m2"] / 1e6
    )
    assert (table["semivariance_low_km2"] <= table["semivariance_km2"]).all()
    assert (table["semivariance_high_km2"] >= table["semivariance_km2"]).all()
    # the OU model's semivariance: sigma (1 - exp(-lag / tau)), in km²
    sigma = np.trace(model.sigma_m2) / 2 / 1e6
    expected = sigma * (1 - np.exp(-table["lag_s"] / model.tau_position_s))
    np.testing.assert_allclose(table["model_semivariance_km2"], expected, rtol=1e-12)
    assert table.attrs["lag_unit"] == ("days", DAY)
    with pytest.raises(ColumnError, match="variogram"):
        variogram_table(v.drop(columns="dof"))


def test_variogram_figure_is_a_png_whose_axes_hold_the_points_intervals_and_model(ou_track):
    t, xy, model = ou_track
    v = variogram(t, xy)
    fig = plot_variogram(v, model, individual="Leo <1F> $x$")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "lag (days)"
    assert ax.get_ylabel() == "semivariance (km²)"
    assert "OU isotropic" in ax.get_title()
    assert ax.get_title().startswith(r"Leo <1F> \$x\$")
    # ctmm's default: half of the longest lag, lags in days
    shown = variogram_table(v)
    shown = shown[shown["lag_s"] <= 0.5 * shown["lag_s"].max()]
    assert ax.get_xlim() == pytest.approx((0.0, 0.5 * v["lag_s"].max() / DAY))
    top = max(shown["semivariance_high_km2"].max(), np.trace(model.sigma_m2) / 2e6)
    assert ax.get_ylim()[0] == 0.0
    assert ax.get_ylim()[1] >= top
    # the red model curve is the model's semivariance
    (curve,) = [line for line in ax.lines if line.get_color() == "#d62728"]
    x, y = curve.get_data()
    np.testing.assert_allclose(y, model.semivariance_m2(np.asarray(x) * DAY) / 1e6, rtol=1e-12)
    # the variogram levels off at the fitted variance (4 km² per axis simulated)
    assert shown["semivariance_km2"].iloc[-20:].mean() == pytest.approx(4.0, rel=0.35)
    png = figure_png(fig)
    image = _png_image(png)
    assert image.shape[:2] == (336, 512)  # 6.4 x 4.2 in at 80 dpi
    assert len(png) > 15_000
    assert image[..., :3].std() > 0.05  # not a blank canvas


def test_variogram_figure_draws_a_band_beyond_a_hundred_lags_and_refuses_bad_input():
    lag = np.arange(400) * 3600.0
    v = pd.DataFrame({"lag_s": lag, "semivariance_m2": 1e6 * (1 - np.exp(-lag / DAY)), "dof": 50.0})
    fig = plot_variogram(v, fraction=1.0)
    ax = fig.axes[0]
    assert ax.get_title() == "variogram"
    assert len(ax.collections) == 1  # the interval band
    assert ax.get_xlim()[1] == pytest.approx(399 / 24)
    with pytest.raises(InputError, match="fraction"):
        plot_variogram(v, fraction=0.0)
    with pytest.raises(InputError, match="degree of freedom"):
        plot_variogram(v.assign(dof=0.5))


def test_model_rows_give_the_timescales_with_their_intervals(ou_track):
    *_, model = ou_track
    rows = dict(model_rows(model))
    params = model.parameters()
    tau = rows["τ position (range crossing time)"]
    lo, hi = params.loc["tau_position_s", ["low", "high"]] / DAY
    assert tau.startswith(duration_text(model.tau_position_s))
    assert f"95 % CI {lo:.3g}–{hi:.3g} days" in tau
    assert "τ velocity (directional persistence)" not in rows  # OU has none
    assert rows["Movement model"] == "OU isotropic"
    assert rows["Fixes"] == f"{t_size(ou_track):,}"


def t_size(track):
    return track[0].size


def test_area_interval_figure_sorts_animals_and_covers_every_bound():
    metrics = pd.DataFrame(
        {
            "individual": ["Leo 1F", "Leo 2M", "Leo 3M", "Leo 4F"],
            "sex": ["F", "M", "M", "F"],
            "area_km2": [120.0, 300.0, 80.0, 200.0],
            "area_low_km2": [100.0, 240.0, np.nan, 150.0],
            "area_high_km2": [150.0, 380.0, np.nan, np.inf],
        }
    )
    fig = plot_area_intervals(metrics, level=0.95)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Leo 3M", "Leo 1F", "Leo 4F", "Leo 2M"]  # smallest at the bottom
    assert ax.get_xlim()[0] == 0.0 and ax.get_xlim()[1] >= 380.0
    assert "95 % intervals" in fig.texts[0].get_text()
    # Leo 2M's bar spans its interval in the male colour
    bars = [ln for ln in ax.lines if len(ln.get_xdata()) == 2]
    spans = sorted(tuple(ln.get_xdata()) for ln in bars)
    assert (240.0, 380.0) in spans and (100.0, 150.0) in spans
    # an unbounded upper limit runs to the edge with an arrow head
    assert any(ln.get_marker() == ">" for ln in ax.lines)
    png = figure_png(fig)
    assert _png_image(png).shape[1] == 512 and len(png) > 8_000
    with pytest.raises(ColumnError, match="area_km2"):
        plot_area_intervals(metrics.drop(columns="area_km2"))

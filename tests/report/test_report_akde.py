"""Report of autocorrelated home ranges: variogram table and figure, model rows, area intervals."""

import io
import re

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


# ------------------------------------------------------------------------------ pages
EVIL = "<script>x</script>"
NEIGHBOURS = pd.DataFrame(
    columns=["individual", "sex", "area_km2", "area_sq_mi", "share_self", "share_other"]
)


def _akde_ranges():
    return pd.DataFrame(
        {
            "method": ["akde", "akde", "mcp"],
            "level": [0.5, 0.95, 0.95],
            "area_km2": [20.0, 100.0, 90.0],
            "area_sq_mi": [7.72, 38.61, 34.75],
            "area_low_km2": [15.0, 80.0, np.nan],
            "area_high_km2": [26.0, 125.0, np.nan],
            "dof_area": [30.2, 30.2, np.nan],
            "model": ["OU <i>isotropic</i>", "OU <i>isotropic</i>", None],
            "tau_position_s": [2 * DAY, 2 * DAY, np.nan],
            "tau_velocity_s": [0.0, 0.0, np.nan],
            "n_fixes": [720, 720, 720],
        }
    )


def _page(**kwargs):
    from habitat.report.pages import render_individual_page

    base = {
        "individual": EVIL,
        "title": "T",
        "territory": {"sex": "F", "method": "akde", "level": 0.95, "area_km2": 100.0},
        "ranges": _akde_ranges(),
        "neighbours": NEIGHBOURS,
        "map_href": "x/map.html",
    }
    base.update(kwargs)
    return render_individual_page(**base)


def test_akde_page_shows_the_model_its_timescales_the_interval_and_the_variogram(ou_track):
    t, xy, model = ou_track
    v = variogram(t, xy, model=model)
    html = _page(model=model, variogram=v, variogram_href="x/variogram.png")
    assert EVIL not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "Movement model and autocorrelated range (AKDE)" in html
    assert "<dt>Movement model</dt><dd>OU isotropic</dd>" in html
    params = model.parameters()
    est, lo, hi = params.loc["tau_position_s", ["estimate", "low", "high"]] / DAY
    assert f"{est:.3g} days (95 % CI {lo:.3g}–{hi:.3g} days)" in html
    assert f"<dd>{model.dof_area:.3g}</dd>" in html
    # the area's interval: facts and ranges table (km² and sq mi; 125 km² = 48.26 sq mi)
    assert "<dt>Range area, 95 % interval</dt><dd>80.0–125.0 km² (30.9–48.3 sq mi)</dd>" in html
    assert "<th>95 % interval (km²)</th>" in html and ">15.0–26.0<" in html
    # the figure and the variogram table: model column, at most 24 lags of the first half
    assert '<img src="x/variogram.png"' in html
    table = re.search(r'<table id="variogram">(.*?)</table>', html, re.S).group(1)
    assert "<th>Model (km²)</th>" in table
    assert table.count("<tr>") == 1 + 24
    shown = variogram_table(v, model)
    shown = shown[shown["lag_s"] <= 0.5 * shown["lag_s"].max()]
    last = shown.iloc[-1]  # the longest lag shown is listed, with its model value
    assert (
        f'<td>{last["lag"]}</td><td class="num">{last["semivariance_km2"]:.3f}</td>'
        f'<td class="num">{last["semivariance_low_km2"]:.3f}–{last["semivariance_high_km2"]:.3f}'
        f'</td><td class="num">{last["model_semivariance_km2"]:.3f}</td>'
    ) in table
    assert (
        f"24 of the {len(shown)} lags (log-spaced) up to 50 % of the longest ({last['lag']})"
        in html
    )
    # log-spaced: the first lags, where the variogram rises, are all listed
    for lag in shown["lag"].iloc[:4]:
        assert f"<tr><td>{lag}</td>" in table


def test_akde_page_without_a_fitted_model_uses_the_result_columns_escaped():
    html = _page()
    assert "<dt>Movement model</dt><dd>OU &lt;i&gt;isotropic&lt;/i&gt;</dd>" in html
    assert "<dd>2 days</dd>" in html and "<dd>30.2</dd>" in html
    assert "τ velocity" not in html  # OU: none
    assert 'id="variogram"' not in html


def test_akde_page_says_how_the_interval_was_built_and_the_model_notes_escaped():
    ranges = _akde_ranges().assign(
        interval=["corrected", "corrected", None],
        kde_shape_ratio=[0.998, 0.9634, np.nan],
        model_notes=["", "gap <b>60 d</b>", None],
    )
    html = _page(ranges=ranges)
    assert (
        "<dt>Interval rule</dt><dd>ctmm&#39;s, widened for the kernel density&#39;s shape "
        "(ratio 0.963)</dd>"
    ) in html
    assert "<dt>Movement-model notes</dt><dd>gap &lt;b&gt;60 d&lt;/b&gt;</dd>" in html
    ctmm = _page(ranges=ranges.assign(interval="ctmm", model_notes=""))
    assert "<dt>Interval rule</dt><dd>ctmm&#39;s chi-square interval</dd>" in ctmm
    assert "Movement-model notes" not in ctmm


def test_pages_of_other_methods_are_unchanged():
    ranges = _akde_ranges().iloc[2:][["method", "level", "area_km2", "area_sq_mi", "n_fixes"]]
    html = _page(ranges=ranges, territory={"sex": "F", "method": "mcp", "level": 0.95})
    assert "AKDE" not in html and "interval" not in html
    assert (
        "<thead><tr><th>Method</th><th>Level (%)</th><th>Area (km²)</th><th>Area (sq mi)</th>"
        "<th>Fixes used</th></tr></thead>"
    ) in html


def test_index_compares_animals_with_intervals():
    from habitat.report.pages import render_index_page

    metrics = pd.DataFrame(
        {
            "individual": ["Leo 1F", EVIL],
            "sex": ["F", "M"],
            "method": ["akde", "akde"],
            "level": [0.95, 0.95],
            "area_km2": [100.0, 300.0],
            "area_sq_mi": [38.61, 115.83],
            "area_low_km2": [80.0, 240.0],
            "area_high_km2": [125.0, np.inf],
            "dof_area": [30.2, 4.1],
            "model": ["OUF anisotropic", None],
        }
    )
    empty = pd.DataFrame(columns=["individual", "stage", "error", "message"])
    html = render_index_page(
        title="R",
        metrics=metrics,
        pages={},
        failures=empty,
        method_label="AKDE",
        level=0.95,
        interval_figures=[("area_intervals.png", "Areas <with> intervals")],
    )
    assert EVIL not in html
    for heading in ("Area low (km²)", "Area high (km²)", "DOF of the area", "Movement model"):
        assert f"<th>{heading}</th>" in html
    assert 'data-value="80.0">80.0<' in html and 'data-value="240.0">240.0<' in html
    assert "<h2>Range areas with their intervals</h2>" in html
    assert '<img src="area_intervals.png" alt="Areas &lt;with&gt; intervals">' in html
    plain = render_index_page(
        title="R",
        metrics=metrics[["individual", "sex", "area_km2"]],
        pages={},
        failures=empty,
        method_label="MCP",
        level=0.95,
    )
    assert "Area low" not in plain and "with their intervals" not in plain


def test_with_intervals_copies_the_reported_ranges_interval_to_the_territory_table():
    import geopandas as gpd
    from shapely.geometry import box

    from habitat.report.akde import with_intervals

    metrics = pd.DataFrame(
        {
            "individual": ["Leo 2M", "Leo 1F"],
            "method": ["mcp", "akde"],
            "level": [0.95, 0.95],
            "area_km2": [90.0, 100.0],
        },
        index=[7, 3],
    )
    ranges = gpd.GeoDataFrame(
        {
            "individual": ["Leo 1F", "Leo 1F", "Leo 2M"],
            "method": ["akde", "akde", "mcp"],
            "level": [0.5, 0.95, 0.95],
            "area_low_km2": [15.0, 80.0, np.nan],
            "area_high_km2": [26.0, 125.0, np.nan],
            "dof_area": [30.2, 30.2, np.nan],
            "model": ["OU isotropic", "OU isotropic", None],
        },
        geometry=[box(0, 0, 1, 1)] * 3,
        crs=32652,
    )
    out = with_intervals(metrics, ranges)
    assert out.index.tolist() == [7, 3]
    assert out.loc[3, ["area_low_km2", "area_high_km2", "dof_area"]].tolist() == [80.0, 125.0, 30.2]
    assert out.loc[3, "model"] == "OU isotropic"
    assert np.isnan(out.loc[7, "area_low_km2"]) and not isinstance(out.loc[7, "model"], str)
    # ranges of methods without intervals: the table as it was
    plain = ranges.drop(columns=["area_low_km2", "area_high_km2", "dof_area", "model"])
    assert with_intervals(metrics, plain) is metrics
    with pytest.raises(ColumnError, match="level"):
        with_intervals(metrics.drop(columns="level"), ranges)

"""Report figures: PNG encoding, the UD, the summary by sex, the area curve."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import habitat.report
from habitat.core.crs import UTM_52N
from habitat.core.errors import InputError
from habitat.homerange.curve import area_curve
from habitat.io.raster import Raster
from habitat.report.figures import figure_png, plot_area_curve, plot_summary_by_sex, plot_ud


def fixes(xy, individual="A", crs=32652):
    xy = np.asarray(xy, dtype=float) + [500_000, 4_800_000]
    return gpd.GeoDataFrame(
        {"individual": [individual] * len(xy)},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=crs,
    )


@pytest.fixture(scope="module")
def settled_and_dispersing():
    rng = np.random.default_rng(7)
    settled = fixes(rng.normal(0, 3000, (2000, 2)), "settled")
    walk = fixes(np.cumsum(rng.normal(0, 300, (2000, 2)), axis=0), "disperser")
    return pd.concat([settled, walk], ignore_index=True)


def test_figures_encode_as_png():
    ud = Raster(
        np.full((20, 30), 1.0 / (600 * 100.0**2)),
        (100.0, 0.0, 500_000.0, 0.0, -100.0, 4_800_000.0),
        UTM_52N,
    )
    png = figure_png(plot_ud(ud, individual="a"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = pd.DataFrame(
        {
            "sex": ["F", "F", "M"],
            "area_sq_mi": [20.0, 30.0, 100.0],
            "share_protected": [0.1, 0.5, 0.9],
        }
    )
    fig = plot_summary_by_sex(metrics)
    assert len(fig.axes) == 2
    ys = fig.axes[0].collections[0].get_offsets()[:, 1]
    assert sorted(ys) == pytest.approx([20.0, 30.0])
    assert figure_png(fig)[:4] == b"\x89PNG"


def test_plot_has_one_line_per_individual_plus_reference(settled_and_dispersing):
    c = area_curve(settled_and_dispersing, sample_sizes=[10, 100, 1000], n_boot=5)
    fig = plot_area_curve(c)
    lines = fig.axes[0].lines
    solid = [ln for ln in lines if ln.get_linestyle() == "-"]
    dashed = [ln for ln in lines if ln.get_linestyle() == "--"]
    assert len(solid) == 2 and len(dashed) == 2
    assert sorted(ln.get_label() for ln in solid) == ["disperser", "settled"]
    full = c.groupby("individual")["full_area_km2"].first()
    assert sorted(ln.get_ydata()[0] for ln in dashed) == pytest.approx(sorted(full))
    assert fig.axes[0].get_xlabel() == "number of fixes"
    one = plot_area_curve(c, individuals=["settled"])
    assert len(one.axes[0].lines) == 2
    assert one.axes[0].get_title().startswith("settled (MCP 95 %): ")


def test_plot_area_curve_refuses_unknown_individuals_and_empty_curves(settled_and_dispersing):
    c = area_curve(settled_and_dispersing, sample_sizes=[10, 100], n_boot=2)
    with pytest.raises(InputError, match="not in the curve"):
        plot_area_curve(c, individuals=["nobody"])
    with pytest.raises(InputError, match="empty"):
        plot_area_curve(c.iloc[:0])


def test_the_report_package_exports_every_figure_function():
    for name in ("figure_png", "plot_area_curve", "plot_summary_by_sex", "plot_ud"):
        assert getattr(habitat.report, name) is getattr(habitat.report.figures, name)


def test_analysis_modules_do_not_draw():
    """curve.py defines no plotting; its 0.1 name is a warning stand-in (habitat._legacy)."""
    import inspect

    import habitat.homerange.curve as curve

    assert "matplotlib" not in inspect.getsource(curve)
    assert curve.plot_area_curve.__module__ == "habitat._legacy"

"""The report's UD figure: cells from the bandwidth; an explicit size wins; captions say so.

Oracles: the cell rule applied to href written out (sqrt of the mean axis
variance times n^(-1/6), in the report's own estimation CRS), the option the
user set, and a report of the same data written from scratch.
"""

from __future__ import annotations

import math
import re
import shutil
import time
import tracemalloc
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from habitat.batch.runner import ReportOptions, run_report
from habitat.datasets.simulate import ou_deviations, sigma_for_area_m
from habitat.homerange import estimation_crs
from habitat.homerange.grid import UD_MAX_CELLS, default_cell_size_m
from habitat.homerange.ud import utilization_distribution
from habitat.report.figures import figure_png, plot_ud

pytestmark = pytest.mark.filterwarnings("ignore")

FAST = ReportOptions(area_curve=False)
CAPTION = re.compile(
    r"Kernel utilisation distribution \(href bandwidth; ([\d.]+) (m|km) cells, ([^)]*)\)"
)


def _ocean_animal(name: str, area_km2: float, n: int, seed: int, lon0=-85.0, lat0=-2.5):
    """An OU track off Ecuador (lon -90..-80, lat -5..0) whose 95 % range is ``area_km2``."""
    rng = np.random.default_rng(seed)
    dev = ou_deviations(
        n, sigma_m=[sigma_for_area_m(area_km2)], tau_days=2.0, step_days=1 / 24, rng=rng
    )[0]
    to_lonlat = Transformer.from_crs(
        f"+proj=laea +lon_0={lon0} +lat_0={lat0} +units=m", "EPSG:4326", always_xy=True
    )
    lon, lat = to_lonlat.transform(dev[:, 0], dev[:, 1])
    return gpd.GeoDataFrame(
        {
            "individual": name,
            "timestamp": pd.date_range("2025-01-01", periods=n, freq="h", tz="UTC"),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def _href_m(fixes: gpd.GeoDataFrame) -> float:
    xy = fixes.to_crs(estimation_crs(fixes)).get_coordinates().to_numpy()
    var = 0.5 * (xy[:, 0].var(ddof=1) + xy[:, 1].var(ddof=1))
    return math.sqrt(var) * len(xy) ** (-1 / 6)


def _captions(result) -> dict[str, tuple[float, str]]:
    out = {}
    for ind, page in result.pages.items():
        m = CAPTION.search(Path(page).read_text(encoding="utf-8"))
        assert m, f"no UD caption on {ind}'s page"
        value = float(m.group(1)) * (1000.0 if m.group(2) == "km" else 1.0)
        out[ind] = (value, m.group(3))
    return out


@pytest.fixture(scope="module")
def animals() -> gpd.GeoDataFrame:
    leopard = _ocean_animal("leopard-sized", 60.0, 2000, seed=1, lon0=-80.5, lat0=-1.0)
    albatross = _ocean_animal("albatross", 5e5, 2000, seed=2)
    return pd.concat([leopard, albatross], ignore_index=True)


def _report(data, out, options=FAST):
    """No study area and no species profile: the cells come from the options and the data."""
    return run_report(
        data,
        out,
        options=options,
        study_area="none",
        species=None,
        land_cover=None,
        progress=False,
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory, animals):
    out = tmp_path_factory.mktemp("ud_cell") / "report"
    t0 = time.perf_counter()
    result = _report(animals, out)
    assert result.ok, result.failures
    return out, result, time.perf_counter() - t0


def test_each_animal_gets_cells_from_its_own_bandwidth(report, animals):
    _, result, _ = report
    captions = _captions(result)
    for ind, g in animals.groupby("individual"):
        cell, how = captions[ind]
        assert how == "from the bandwidth"
        assert cell == default_cell_size_m(_href_m(g)), ind
    assert 50.0 <= captions["leopard-sized"][0] <= 250.0  # as the 200 m of habitat <= 0.2
    assert captions["albatross"][0] >= 2000.0  # km, not 200 m


def test_a_far_ranging_report_runs_in_seconds(report):
    _, _, seconds = report
    assert seconds < 60  # 2 animals x 2,000 fixes; 200 m cells took minutes and GB


def test_a_rerun_reuses_the_figures_and_keeps_their_captions(report, animals):
    out, first, _ = report
    again = _report(animals, out)
    assert sorted(again.reused) == sorted(animals["individual"].unique())
    assert _captions(again) == _captions(first)


def test_an_explicit_cell_size_wins_and_recomputes(report, animals, tmp_path):
    out, _, _ = report
    opts = ReportOptions(area_curve=False, ud_cell_size_m=500.0)
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    result = _report(animals, copy, options=opts)
    assert result.reused == []  # the cell size is part of the fingerprint
    captions = _captions(result)
    for ind in animals["individual"].unique():
        assert captions[ind] == (500.0, "as set by ud_cell_size_m")


def test_an_explicit_cell_too_fine_for_the_range_is_coarsened_and_said(tmp_path):
    bird = _ocean_animal("wanderer", 1e6, 500, seed=5)
    opts = ReportOptions(area_curve=False, methods=("mcp",), ud_cell_size_m=50.0)
    result = _report(bird, tmp_path / "r", options=opts)
    assert result.ok, result.failures
    cell, how = _captions(result)["wanderer"]
    assert cell > 50.0
    assert how == (
        "coarsened from the 50 m set by ud_cell_size_m, which would need more than "
        f"{UD_MAX_CELLS:,} cells"
    )


def test_the_albatross_figure_step_is_fast_and_small():
    """2,000 fixes over ~1e6 km2: UD and figure in well under 10 s and 100 MB."""
    bird = _ocean_animal("A", 1e6, 2000, seed=3)
    fixes = bird.to_crs(estimation_crs(bird))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        ud = utilization_distribution(fixes)["A"]
        png = figure_png(plot_ud(ud, individual="A"))
        seconds = time.perf_counter() - t0
        tracemalloc.start()
        try:
            ud = utilization_distribution(fixes)["A"]
            figure_png(plot_ud(ud, individual="A"))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert png[:4] == b"\x89PNG"
    assert seconds < 10.0
    assert peak < 100e6
    assert ud.cell_size_m >= 5000.0

"""Tests of habitat.datasets.simulate: the OU movement simulator with known ground truth.

Statistical tests use fixed seeds (so they are deterministic) and tolerances of
four standard errors computed from the OU autocorrelation, so a correct
simulator passes with a wide margin and a simulator off by a few per cent
fails.
"""

from __future__ import annotations

import math
import runpy
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS, Transformer
from scipy import stats

from habitat.core.errors import (
    CRSError,
    EmptyDataError,
    GeometryTypeError,
    InputError,
    ProjectedCRSRequiredError,
    TimestampError,
)
from habitat.core.units import KM2_PER_SQ_MI
from habitat.datasets.simulate import (
    DEFAULT_TAU_DAYS,
    ou_deviations,
    sigma_for_area_m,
    simulate_relocations,
    true_area_km2,
)
from habitat.io.raster import Raster

CELL_M = 200.0
X0, Y0 = 640_000.0, 4_820_000.0  # top-left corner, EPSG:32652 (SW Primorsky)


def make_raster(*, forest: bool = True) -> Raster:
    """120 x 150 cells of 200 m: forest (1) only in two blocks, otherwise 2/5."""
    arr = np.full((120, 150), 2, dtype=np.uint8)
    if forest:
        arr[10:50, 20:60] = 1
        arr[70:110, 90:140] = 1
    arr[0:5, :] = 5  # water
    return Raster(
        array=arr,
        transform=(CELL_M, 0.0, X0, 0.0, -CELL_M, Y0),
        crs="EPSG:32652",
        nodata=0,
        classes={1: "forest", 2: "grassland", 5: "water"},
    )


BOX_4326 = gpd.GeoSeries([shapely.box(130.9, 42.9, 131.6, 43.5)], crs="EPSG:4326")


# ------------------------------------------------------------------ true areas


def test_a95_formula_is_2_pi_sigma2_ln20() -> None:
    sigma = 2_000.0
    expected_km2 = 2 * math.pi * sigma**2 * math.log(20) / 1e6
    assert true_area_km2(sigma, 0.95) == pytest.approx(expected_km2, rel=1e-12)
    assert expected_km2 == pytest.approx(75.29, abs=0.01)
    # chi-square with 2 degrees of freedom: P(r^2 / sigma^2 <= q) = level
    q95 = stats.chi2.ppf(0.95, df=2)
    assert true_area_km2(sigma, 0.95) == pytest.approx(q95 * math.pi * sigma**2 / 1e6, rel=1e-9)
    # any level: the core area holds half the mass
    assert true_area_km2(sigma, 0.5) == pytest.approx(
        2 * math.log(2) * math.pi * sigma**2 / 1e6, rel=1e-12
    )


def test_a95_disc_holds_95_percent_monte_carlo() -> None:
    rng = np.random.default_rng(42)
    n = 400_000
    sigma = 3_000.0
    xy = rng.normal(0.0, sigma, size=(n, 2))
    radius_m = math.sqrt(true_area_km2(sigma, 0.95) * 1e6 / math.pi)
    inside = np.mean(np.hypot(xy[:, 0], xy[:, 1]) <= radius_m)
    se = math.sqrt(0.95 * 0.05 / n)  # 0.00034
    assert abs(inside - 0.95) < 4 * se
    # and the 50 % disc
    r50 = math.sqrt(true_area_km2(sigma, 0.5) * 1e6 / math.pi)
    assert abs(np.mean(np.hypot(xy[:, 0], xy[:, 1]) <= r50) - 0.5) < 4 * math.sqrt(0.25 / n)


def test_sigma_for_area_inverts_true_area() -> None:
    area_km2 = 38.0 * KM2_PER_SQ_MI  # 98.42 km2
    sigma = sigma_for_area_m(area_km2, 0.95)
    assert sigma == pytest.approx(math.sqrt(area_km2 * 1e6 / (2 * math.pi * math.log(20))))
    assert sigma == pytest.approx(2286.6, abs=0.1)
    assert true_area_km2(sigma, 0.95) == pytest.approx(area_km2, rel=1e-12)
    arr = sigma_for_area_m(np.array([10.0, 40.0]), 0.5)
    assert arr[1] / arr[0] == pytest.approx(2.0)


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5, -0.1])
def test_true_area_rejects_bad_level(level: float) -> None:
    with pytest.raises(InputError, match="between 0 and 1"):
        true_area_km2(1000.0, level)


# ------------------------------------------------------------ OU statistics

STEP_H = 4.0
TAU = DEFAULT_TAU_DAYS
RHO = math.exp(-(STEP_H / 24) / TAU)  # 0.8948


@pytest.fixture(scope="module")
def long_run() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """20 + 20 animals, 5 years of 4-hourly fixes each, in UTM metres."""
    return simulate_relocations(
        n_females=20,
        n_males=20,
        days=5 * 365,
        fix_interval_h=STEP_H,
        seed=7,
        habitat=BOX_4326,
        crs="EPSG:32652",
    )


def _deviations(fixes: gpd.GeoDataFrame, truth: pd.DataFrame) -> np.ndarray:
    """(n_animals, n_steps, 2) deviations from the true centre, divided by sigma."""
    t = truth.loc[fixes["individual"]]
    dx = (fixes.geometry.x.to_numpy() - t["centre_x_m"].to_numpy()) / t["sigma_m"].to_numpy()
    dy = (fixes.geometry.y.to_numpy() - t["centre_y_m"].to_numpy()) / t["sigma_m"].to_numpy()
    return np.stack([dx, dy], axis=-1).reshape(len(truth), -1, 2)


def test_long_track_variance_is_sigma2(long_run) -> None:
    fixes, truth = long_run
    u = _deviations(fixes, truth)
    n_animals, n = u.shape[:2]
    assert n == 5 * 365 * 6
    # mean of squared standardized deviations, per animal and axis: E = 1.
    # For an AR(1) with coefficient rho, Var(mean(u^2)) ~ (2/n)(1 + rho^2)/(1 - rho^2).
    per_series = (u**2).mean(axis=1)
    se_one = math.sqrt(2 / n * (1 + RHO**2) / (1 - RHO**2))  # 0.041
    se_pooled = se_one / math.sqrt(2 * n_animals)  # 0.0046
    assert abs(per_series.mean() - 1.0) < 4 * se_pooled
    # the x and y axes separately (isotropy)
    for axis in (0, 1):
        assert abs(per_series[:, axis].mean() - 1.0) < 4 * se_one / math.sqrt(n_animals)


def test_lag1_autocorrelation_is_exp_minus_dt_over_tau(long_run) -> None:
    fixes, truth = long_run
    u = _deviations(fixes, truth)
    n_animals, n = u.shape[:2]
    r1 = (u[:, 1:] * u[:, :-1]).sum(axis=1) / (u[:, :-1] ** 2).sum(axis=1)
    se_one = math.sqrt((1 - RHO**2) / n)  # Bartlett, AR(1): 0.0043
    se_pooled = se_one / math.sqrt(2 * n_animals)
    assert abs(r1.mean() - RHO) < 4 * se_pooled
    assert RHO == pytest.approx(0.8948, abs=1e-4)
    # lag 6 (one day): rho^6
    r6 = (u[:, 6:] * u[:, :-6]).sum(axis=1) / (u[:, :-6] ** 2).sum(axis=1)
    assert abs(r6.mean() - RHO**6) < 4 * math.sqrt((1 + RHO**12) / n / (2 * n_animals)) * 1.5


def test_95_percent_of_fixes_inside_true_range(long_run) -> None:
    fixes, truth = long_run
    u = _deviations(fixes, truth)
    n_animals, n = u.shape[:2]
    r95 = math.sqrt(-2 * math.log(0.05))  # radius of the 95 % disc in sigma units
    inside = (np.hypot(u[..., 0], u[..., 1]) <= r95).mean()
    # the OU spectral gap 1/tau bounds the autocorrelation of any function of the
    # position by rho^k, so Var(p_hat) <= p(1-p)/n * (1+rho)/(1-rho) per animal
    se = math.sqrt(0.95 * 0.05 / (n * n_animals) * (1 + RHO) / (1 - RHO))  # 0.0014
    assert abs(inside - 0.95) < 4 * se
    r50 = math.sqrt(-2 * math.log(0.5))
    core = (np.hypot(u[..., 0], u[..., 1]) <= r50).mean()
    assert abs(core - 0.5) < 4 * math.sqrt(0.25 / (n * n_animals) * (1 + RHO) / (1 - RHO))


def test_ou_deviations_start_stationary_and_respect_per_animal_tau() -> None:
    rng = np.random.default_rng(3)
    n_animals = 20_000
    tau = np.where(np.arange(n_animals) % 2 == 0, 0.5, 3.0)
    sigma = np.full(n_animals, 100.0)
    dev = ou_deviations(3, sigma_m=sigma, tau_days=tau, step_days=1 / 6, rng=rng)
    assert dev.shape == (n_animals, 3, 2)
    # first fix drawn from the stationary distribution: sd = sigma, not 0
    sd0 = dev[:, 0, :].std()
    assert abs(sd0 - 100.0) < 4 * 100.0 / math.sqrt(2 * 2 * n_animals)
    # lag-1 correlation across animals, per tau group
    for t, sel in ((0.5, tau == 0.5), (3.0, tau == 3.0)):
        a, b = dev[sel, 0, 0], dev[sel, 1, 0]
        r = np.corrcoef(a, b)[0, 1]
        rho = math.exp(-(1 / 6) / t)
        assert abs(r - rho) < 4 * (1 - rho**2) / math.sqrt(sel.sum())


# ------------------------------------------------------------------ truth table


def test_true_areas_within_sex_bounds_and_consistent() -> None:
    _, truth = simulate_relocations(n_females=40, n_males=40, days=1, habitat=BOX_4326, seed=1)
    f = truth[truth["sex"] == "F"]
    m = truth[truth["sex"] == "M"]
    assert len(f) == 40 and len(m) == 40
    assert f["true_area_95_sq_mi"].between(15, 38).all()
    assert m["true_area_95_sq_mi"].between(60, 155).all()
    np.testing.assert_allclose(
        truth["true_area_95_km2"], truth["true_area_95_sq_mi"] * KM2_PER_SQ_MI, rtol=1e-12
    )
    np.testing.assert_allclose(
        truth["true_area_95_km2"],
        2 * np.pi * truth["sigma_m"] ** 2 * np.log(20) / 1e6,
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        truth["true_area_50_km2"] / truth["true_area_95_km2"], np.log(2) / np.log(20)
    )
    assert (truth["tau_days"] == DEFAULT_TAU_DAYS).all()
    assert list(truth.index[:2]) == ["F01", "F02"] and truth.index[40] == "M01"
    assert truth.index.name == "individual"


@pytest.mark.parametrize(
    ("dist", "median_pos"),
    [("log-uniform", 0.5), ("uniform", (math.log(26.5) - math.log(15)) / math.log(38 / 15))],
)
def test_area_distribution_median(dist: str, median_pos: float) -> None:
    n = 1000
    _, truth = simulate_relocations(
        n_females=n, n_males=0, days=1, habitat=BOX_4326, area_distribution=dist, n_candidates=1
    )
    pos = (np.log(truth["true_area_95_sq_mi"]) - math.log(15)) / math.log(38 / 15)
    # sampling sd of the median of n uniforms ~ 0.5 / sqrt(n) = 0.016 in these units;
    # the two choices differ by 0.11
    assert abs(pos.median() - median_pos) < 4 * 0.5 / math.sqrt(n)


def test_centre_lonlat_matches_utm() -> None:
    _, truth = simulate_relocations(n_females=3, n_males=3, days=1, habitat=BOX_4326)
    t = Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)
    lon, lat = t.transform(truth["centre_x_m"].to_numpy(), truth["centre_y_m"].to_numpy())
    np.testing.assert_allclose(truth["centre_lon"], lon, atol=1e-9)
    np.testing.assert_allclose(truth["centre_lat"], lat, atol=1e-9)
    # inside the habitat polygon
    assert shapely.contains_xy(BOX_4326.iloc[0], lon, lat).all()


# ---------------------------------------------------------------------- habitat


def test_centres_lie_in_forest_cells_of_raster() -> None:
    raster = make_raster()
    _, truth = simulate_relocations(n_females=30, n_males=30, days=1, habitat=raster, seed=5)
    pts = gpd.GeoSeries(
        gpd.points_from_xy(truth["centre_x_m"], truth["centre_y_m"]), crs="EPSG:32652"
    )
    assert (raster.sample(pts).to_numpy() == 1).all()
    # both forest blocks are used (spread, not clumped in one block)
    rows, _ = raster.index(truth["centre_x_m"], truth["centre_y_m"])
    assert (rows < 60).any() and (rows >= 60).any()


def test_other_forest_class_code() -> None:
    raster = make_raster()
    _, truth = simulate_relocations(n_females=10, n_males=0, days=1, habitat=raster, forest_class=2)
    rows, cols = raster.index(truth["centre_x_m"], truth["centre_y_m"])
    assert (raster.array[rows, cols] == 2).all()


def test_males_spread_apart() -> None:
    """Best-candidate sampling increases the nearest-neighbour distance between males."""

    def mean_nn_km(n_candidates: int) -> float:
        out = []
        for seed in range(5):
            _, t = simulate_relocations(
                n_females=0,
                n_males=8,
                days=1,
                habitat=BOX_4326,
                seed=seed,
                n_candidates=n_candidates,
            )
            xy = t[["centre_x_m", "centre_y_m"]].to_numpy()
            d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
            np.fill_diagonal(d, np.inf)
            out.append(d.min(axis=1).mean() / 1000)
        return float(np.mean(out))

    spread, uniform = mean_nn_km(10), mean_nn_km(1)
    assert spread > 1.2 * uniform


def test_default_habitat_is_park_forest() -> None:
    datasets = pytest.importorskip("habitat.datasets")
    raster = datasets.land_cover()
    _, truth = simulate_relocations(n_females=6, n_males=6, days=1)
    pts = gpd.GeoSeries(
        gpd.points_from_xy(truth["centre_x_m"], truth["centre_y_m"]), crs="EPSG:32652"
    )
    assert (np.asarray(raster.sample(pts.to_crs(raster.crs))) == 1).all()
    park = datasets.layers()["land_of_the_leopard"].to_crs("EPSG:32652").union_all()
    assert (pts.distance(park) <= 5_000 + 300).all()  # 5 km buffer (+ a cell diagonal)


# -------------------------------------------------------- output and schedule


def test_same_seed_identical_other_seed_differs() -> None:
    kw: dict[str, Any] = {"n_females": 2, "n_males": 2, "days": 20, "habitat": BOX_4326}
    a = simulate_relocations(seed=11, fix_success=0.7, location_error_m=15, **kw)
    b = simulate_relocations(seed=11, fix_success=0.7, location_error_m=15, **kw)
    pd.testing.assert_frame_equal(a.fixes, b.fixes)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    c = simulate_relocations(seed=12, fix_success=0.7, location_error_m=15, **kw)
    assert not np.allclose(a.truth["centre_x_m"], c.truth["centre_x_m"])


def test_columns_dtypes_and_crs() -> None:
    fixes, truth = simulate_relocations(n_females=1, n_males=1, days=2, habitat=BOX_4326)
    assert list(fixes.columns) == ["individual", "sex", "timestamp", "geometry"]
    assert CRS.from_user_input(fixes.crs).equals(CRS.from_epsg(4326))
    assert str(fixes["timestamp"].dt.tz) == "UTC"
    assert set(fixes["sex"]) == {"F", "M"}
    assert fixes.groupby("individual")["sex"].first().to_dict() == {"F01": "F", "M01": "M"}
    assert (fixes.geometry.geom_type == "Point").all()
    # degrees in SW Primorsky
    assert fixes.geometry.x.between(129, 134).all() and fixes.geometry.y.between(41, 46).all()
    assert truth.loc["M01", "sex"] == "M"


def test_output_crs_is_a_reprojection_of_the_same_track() -> None:
    kw: dict[str, Any] = {"n_females": 1, "n_males": 1, "days": 5, "habitat": BOX_4326}
    deg = simulate_relocations(**kw).fixes
    utm = simulate_relocations(crs="EPSG:32652", **kw).fixes
    assert CRS.from_user_input(utm.crs).to_epsg() == 32652
    back = deg.to_crs("EPSG:32652")
    np.testing.assert_allclose(back.geometry.x, utm.geometry.x, atol=1e-3)
    np.testing.assert_allclose(back.geometry.y, utm.geometry.y, atol=1e-3)


@pytest.mark.parametrize("interval_h", [4.0, 1.5])
def test_timestamps_on_schedule(interval_h: float) -> None:
    fixes, truth = simulate_relocations(
        n_females=1, n_males=1, days=10, fix_interval_h=interval_h, habitat=BOX_4326
    )
    n = round(10 * 24 / interval_h)
    assert (truth["n_fixes"] == n).all()
    for _, g in fixes.groupby("individual"):
        assert len(g) == n
        assert g["timestamp"].iloc[0] == pd.Timestamp("2025-01-01T00:00Z")
        steps = g["timestamp"].diff().dropna().unique()
        assert list(steps) == [pd.Timedelta(hours=interval_h)]


def test_start_in_other_time_zone_converted_to_utc() -> None:
    fixes, _ = simulate_relocations(
        n_females=1, n_males=0, days=1, habitat=BOX_4326, start="2025-06-01T10:00+10:00"
    )
    assert fixes["timestamp"].iloc[0] == pd.Timestamp("2025-06-01T00:00Z")
    assert str(fixes["timestamp"].dt.tz) == "UTC"


def test_fix_success_drops_fixes_at_random() -> None:
    fixes, truth = simulate_relocations(
        n_females=5, n_males=5, days=365, habitat=BOX_4326, fix_success=0.8, seed=2
    )
    scheduled = 10 * 365 * 6
    kept = len(fixes) / scheduled
    assert abs(kept - 0.8) < 4 * math.sqrt(0.8 * 0.2 / scheduled)  # 0.011
    assert truth["n_fixes"].sum() == len(fixes)
    # surviving fixes stay on the 4-hour grid
    offset_h = (fixes["timestamp"] - pd.Timestamp("2025-01-01T00:00Z")).dt.total_seconds() / 3600
    assert (offset_h % 4 == 0).all()
    assert fixes.groupby("individual")["timestamp"].is_monotonic_increasing.all()


def test_location_error_adds_variance() -> None:
    kw: dict[str, Any] = {
        "n_females": 2,
        "n_males": 0,
        "days": 30,
        "habitat": BOX_4326,
        "crs": "EPSG:32652",
    }
    clean = simulate_relocations(**kw).fixes
    noisy = simulate_relocations(location_error_m=30.0, **kw).fixes
    diff = np.concatenate(
        [noisy.geometry.x - clean.geometry.x, noisy.geometry.y - clean.geometry.y]
    )
    assert abs(diff.std() - 30.0) < 4 * 30.0 / math.sqrt(2 * len(diff))


def test_hundred_animals_one_year_under_a_second() -> None:
    simulate_relocations(n_females=1, n_males=1, days=1, habitat=BOX_4326)  # warm up
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        fixes, _ = simulate_relocations(
            n_females=50, n_males=50, days=365, habitat=BOX_4326, fix_success=0.9
        )
        best = min(best, time.perf_counter() - t0)
    assert 0.85 * 219_000 < len(fixes) < 0.95 * 219_000
    assert best < 1.0


# ------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_females": -1}, InputError, "n_females=-1 must be a whole number"),
        ({"n_males": 2.5}, InputError, "n_males=2.5"),
        ({"n_females": 0, "n_males": 0}, InputError, "at least one"),
        ({"days": 0}, InputError, "days=0 must be a positive number of days"),
        ({"fix_interval_h": 0}, InputError, "fix_interval_h=0 must be a positive"),
        ({"fix_interval_h": -4}, InputError, "fix_interval_h=-4"),
        ({"fix_interval_h": float("nan")}, InputError, "fix_interval_h=nan"),
        ({"days": 0.1, "fix_interval_h": 4}, InputError, "shorter than one fix interval"),
        ({"female_area_sq_mi": (38, 15)}, InputError, r"reversed.*use \(15, 38\)"),
        ({"male_area_sq_mi": (0, 100)}, InputError, "positive"),
        ({"male_area_sq_mi": 100}, InputError, "pair"),
        ({"tau_days": 0}, InputError, "tau_days=0"),
        ({"fix_success": 0}, InputError, r"fix_success=0 must be a probability in \(0, 1\]"),
        ({"fix_success": 1.2}, InputError, "fix_success=1.2"),
        ({"location_error_m": -1}, InputError, "location_error_m=-1"),
        ({"area_distribution": "normal"}, InputError, "'log-uniform' or 'uniform'"),
        ({"n_candidates": 0}, InputError, "n_candidates=0"),
        ({"forest_class": "forest"}, InputError, "integer land-cover code"),
        ({"park_buffer_km": -1}, InputError, "park_buffer_km=-1"),
        ({"start": "2025-01-01 00:00"}, TimestampError, "no time zone"),
        ({"crs": "EPSG:999999"}, CRSError, "not a CRS"),
        ({"habitat": "forest"}, InputError, "habitat must be None"),
    ],
)
def test_bad_parameters(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    kwargs = {"habitat": BOX_4326, "days": 1, **kwargs}
    with pytest.raises(error, match=match):
        simulate_relocations(**kwargs)


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        simulate_relocations(n_females=-1, habitat=BOX_4326)


def test_habitat_without_forest_is_refused() -> None:
    with pytest.raises(EmptyDataError, match="no cells of forest_class=1"):
        simulate_relocations(habitat=make_raster(forest=False), days=1)


def test_habitat_of_points_is_refused() -> None:
    pts = gpd.GeoSeries(gpd.points_from_xy([131.0], [43.0]), crs="EPSG:4326")
    with pytest.raises(GeometryTypeError, match="must hold polygons"):
        simulate_relocations(habitat=pts, days=1)


def test_habitat_without_crs_is_refused() -> None:
    from habitat.core.errors import MissingCRSError

    with pytest.raises(MissingCRSError):
        simulate_relocations(habitat=gpd.GeoSeries([shapely.box(0, 0, 1, 1)]), days=1)


# ------------------------------------------------------------ bundled demo data

ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = ROOT / "data" / "relocations"
needs_demo = pytest.mark.skipif(
    not (DEMO_DIR / "demo_leopards.csv").is_file(),
    reason="bundled demo data not generated yet (tools/make_demo_data.py)",
)


@needs_demo
def test_demo_data_tables_agree() -> None:
    raw = pd.read_csv(DEMO_DIR / "demo_leopards.csv", dtype=str, keep_default_na=False)
    ref = pd.read_csv(DEMO_DIR / "demo_leopards_reference.csv", dtype=str)
    truth = pd.read_csv(DEMO_DIR / "demo_leopards_truth.csv", index_col="individual")
    assert list(raw.columns) == [
        "event-id",
        "visible",
        "timestamp",
        "location-long",
        "location-lat",
        "individual-local-identifier",
        "tag-local-identifier",
        "sensor-type",
        "individual-taxon-canonical-name",
        "study-name",
    ]
    assert raw["event-id"].is_unique
    assert raw["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000").all()
    # 6 F + 6 M, one year of 4-hourly fixes at 90 % success, plus 10 added planted rows
    assert sorted(ref["animal-sex"]) == ["f"] * 6 + ["m"] * 6
    assert len(raw) == truth["n_fixes"].sum() + 10
    assert truth["n_fixes"].between(0.85 * 2190, 0.95 * 2190).all()
    assert dict(zip(ref["animal-id"], ref["animal-sex"].str.upper(), strict=True)) == (
        truth["sex"].to_dict()
    )
    assert truth.loc[truth["sex"] == "F", "true_area_95_sq_mi"].between(15, 38).all()
    assert truth.loc[truth["sex"] == "M", "true_area_95_sq_mi"].between(60, 155).all()
    assert (DEMO_DIR / "demo_leopards.csv").stat().st_size < 3_000_000


@needs_demo
def test_demo_data_planted_problems_are_flagged() -> None:
    from habitat.io.relocations import read_relocations

    with pytest.warns(UserWarning):
        fixes = read_relocations(
            DEMO_DIR / "demo_leopards.csv",
            reference=DEMO_DIR / "demo_leopards_reference.csv",
            max_speed_kmh=20,
        )
    cols = [
        "flag_missing_coords",
        "flag_duplicate",
        "flag_speed",
        "flag_not_visible",
        "flag_outside_deployment",
    ]
    counts = fixes[cols].sum().to_dict()
    assert counts == {
        "flag_missing_coords": 3,
        "flag_duplicate": 5,
        "flag_speed": 3,
        "flag_not_visible": 1,
        "flag_outside_deployment": 2,
    }
    assert fixes["flag_any"].sum() == 14
    # unflagged fast fixes are only the 3 fixes right after a speed spike (fast in,
    # normal out); the simulated movement itself never approaches the speed limit
    speeds = fixes.loc[~fixes["flag_any"], "speed_kmh"].dropna().sort_values()
    assert (speeds > 20).sum() == 3
    assert speeds.iloc[-4] < 15


@pytest.mark.slow
@needs_demo
def test_demo_data_regenerates_identically(tmp_path: Path) -> None:
    pytest.importorskip("habitat.datasets")
    tool = runpy.run_path(str(ROOT / "tools" / "make_demo_data.py"))
    assert tool["main"](["--out-dir", str(tmp_path)]) == 0
    for name in ("demo_leopards.csv", "demo_leopards_reference.csv", "demo_leopards_truth.csv"):
        assert (tmp_path / name).read_bytes() == (DEMO_DIR / name).read_bytes(), name


# ------------------------------------------------------------------ simulated land cover


def _neighbour_agreement(a: np.ndarray) -> tuple[float, float]:
    """Share of horizontal and of vertical rook neighbours holding the same class."""
    return float((a[:, 1:] == a[:, :-1]).mean()), float((a[1:, :] == a[:-1, :]).mean())


def test_land_cover_same_seed_identical_other_seed_differs() -> None:
    from habitat.datasets.simulate import simulate_land_cover

    a = simulate_land_cover((150, 170), seed=3).array
    assert np.array_equal(a, simulate_land_cover((150, 170), seed=3).array)
    assert not np.array_equal(a, simulate_land_cover((150, 170), seed=4).array)


@pytest.mark.parametrize(
    ("shape", "proportions"),
    [
        ((300, 400), [0.6, 0.25, 0.1, 0.05]),
        ((257, 311), None),  # equal shares of an odd number of cells
        ((1000, 700), [0.7, 0.05, 0.2, 0.05]),
    ],
)
def test_land_cover_classes_get_their_proportions(shape, proportions) -> None:
    from habitat.datasets.simulate import simulate_land_cover

    cover = simulate_land_cover(shape, proportions=proportions, correlation_cells=5, seed=2)
    n = shape[0] * shape[1]
    p = np.full(4, 0.25) if proportions is None else np.asarray(proportions)
    counts = np.bincount(cover.array.ravel(), minlength=5)
    assert counts[0] == 0 and counts.sum() == n
    assert np.all(np.abs(counts[1:] / n - p) < 0.01)  # the brief: within 1 %
    # in fact exact to one cell: class k holds round(cumsum(p)[k] * n) - round(cumsum(p)[k-1] * n)
    expected = np.diff(np.concatenate([[0], np.rint(np.cumsum(p[:-1]) * n), [n]]))
    assert np.abs(counts[1:] - expected).max() <= 1


def _gaussian_kernel_lag1_correlation(sigma: float) -> float:
    """Correlation of adjacent cells of white noise filtered like the simulator (1-D kernel).

    The 2-D kernel is separable: along a row the other axis' factor cancels, so the
    correlation at lag 1 is sum(w_i w_{i+1}) / sum(w_i^2) of the 1-D weights, read off
    the filter's response to an impulse.
    """
    from scipy import ndimage

    impulse = np.zeros(401)
    impulse[200] = 1.0
    w = ndimage.gaussian_filter1d(impulse, sigma, mode="constant")
    return float((w[1:] * w[:-1]).sum() / (w * w).sum())


@pytest.mark.parametrize("sigma", [1.0, 2.0, 4.0])
def test_land_cover_neighbour_agreement_is_that_of_the_gaussian_field(sigma: float) -> None:
    """Two classes cut at the median: P(same class) = 1/2 + arcsin(rho)/pi (bivariate normal).

    rho is the lag-1 correlation of the filtered noise, so a simulator that
    smooths one axis only, takes sigma as a FWHM or a variance, or thresholds
    anything but the field, is off by far more than the tolerance (the
    standard error of the mean agreement over 10^6 pairs is below 0.005).
    """
    from habitat.datasets.simulate import simulate_land_cover

    a = simulate_land_cover((1000, 1000), n_classes=2, correlation_cells=sigma, seed=5).array
    rho = _gaussian_kernel_lag1_correlation(sigma)
    expected = 0.5 + math.asin(rho) / math.pi
    horizontal, vertical = _neighbour_agreement(a)
    assert horizontal == pytest.approx(expected, abs=0.015)
    assert vertical == pytest.approx(expected, abs=0.015)


def test_land_cover_autocorrelated_far_above_independent_cells() -> None:
    from scipy import ndimage

    from habitat.datasets.simulate import simulate_land_cover

    p = np.array([0.4, 0.3, 0.2, 0.1])
    independent = float((p**2).sum())  # P(two independent cells share a class) = 0.30
    default = simulate_land_cover((600, 600), proportions=p, seed=1).array
    white = simulate_land_cover((600, 600), proportions=p, correlation_cells=0, seed=1).array
    assert min(_neighbour_agreement(default)) > 0.9 > 2.5 * independent
    # no smoothing: cells are independent draws, agreement = sum p^2 (SE ~ 0.0008)
    for share in _neighbour_agreement(white):
        assert share == pytest.approx(independent, abs=0.005)
    # wider kernels make fewer, larger patches
    patches = []
    for sigma in (2.0, 4.0, 8.0):
        a = simulate_land_cover((600, 600), correlation_cells=sigma, seed=1).array
        patches.append(sum(ndimage.label(a == k)[1] for k in range(1, 5)))
    assert patches[0] > patches[1] > patches[2]


def test_land_cover_grid_dtype_crs_and_names() -> None:
    from habitat.datasets.simulate import LAND_COVER_ORIGIN, simulate_land_cover

    cover = simulate_land_cover((40, 60), n_classes=3, cell_size_m=25.0, crs=32653)
    assert cover.shape == (40, 60)
    assert cover.array.dtype == np.uint8
    assert set(np.unique(cover.array)) == {1, 2, 3}
    assert cover.crs.to_epsg() == 32653
    assert cover.cell_size_m == 25.0
    assert cover.transform == (25.0, 0.0, LAND_COVER_ORIGIN[0], 0.0, -25.0, LAND_COVER_ORIGIN[1])
    assert cover.bounds == (
        LAND_COVER_ORIGIN[0],
        LAND_COVER_ORIGIN[1] - 40 * 25.0,
        LAND_COVER_ORIGIN[0] + 60 * 25.0,
        LAND_COVER_ORIGIN[1],
    )
    assert cover.classes == {1: "class 1", 2: "class 2", 3: "class 3"}
    assert cover.nodata is None
    named = simulate_land_cover(
        (20, 20), n_classes=2, origin=(500_000, 5_000_000), nodata=0, class_names=["forest", "open"]
    )
    assert named.classes == {1: "forest", 2: "open"}
    assert named.nodata == 0
    assert named.transform[2] == 500_000.0 and named.transform[5] == 5_000_000.0


def test_land_cover_peak_memory_is_about_five_bytes_a_cell() -> None:
    """The float32 field filtered in place + the uint8 result: no float64 or extra copies."""
    import tracemalloc

    from habitat.datasets.simulate import simulate_land_cover

    simulate_land_cover((20, 20))  # imports and caches first
    n = 2000 * 2000
    tracemalloc.start()
    try:
        simulate_land_cover((2000, 2000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * n + 8e6


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"shape": (0, 10)}, InputError, "shape="),
        ({"shape": (10.5, 10)}, InputError, "shape="),
        ({"shape": (10,)}, InputError, "shape="),
        ({"n_classes": 0}, InputError, "n_classes"),
        ({"n_classes": 255}, InputError, "n_classes"),
        ({"n_classes": 2.0}, InputError, "n_classes"),
        ({"proportions": [0.5, 0.5]}, InputError, "4 non-negative shares"),
        ({"proportions": [0.5, 0.5, 0.5, -0.5]}, InputError, "non-negative"),
        ({"proportions": [40, 30, 20, 10]}, InputError, "sum to 100"),
        ({"correlation_cells": -1}, InputError, "correlation_cells"),
        ({"correlation_cells": float("nan")}, InputError, "correlation_cells"),
        ({"cell_size_m": 0}, InputError, "cell_size_m"),
        ({"crs": "EPSG:4326"}, ProjectedCRSRequiredError, "degrees"),
        ({"crs": "EPSG:3857"}, ProjectedCRSRequiredError, "Web Mercator"),
        ({"origin": (1.0,)}, InputError, "origin"),
        ({"nodata": 2}, InputError, "nodata=2"),
        ({"nodata": 256}, InputError, "nodata=256"),
        ({"class_names": ["a", "b"]}, InputError, "class_names"),
    ],
)
def test_land_cover_bad_parameters(kwargs: dict[str, Any], error: type[Exception], match) -> None:
    from habitat.datasets.simulate import simulate_land_cover

    shape = kwargs.pop("shape", (10, 10))
    with pytest.raises(error, match=match):
        simulate_land_cover(shape, **kwargs)

"""AKDE location error: known per fix (a column), fitted with the model, or the GPS collar default.

``habitat.homerange.akde.estimate(error_m=...)`` and its pass-through
``home_range(method="akde", error_m=...)``: the per-fix values reach each
animal in the order of its fixes (checked against direct calls of the
estimator), the GPS default is ctmm's RMS UERE of 10 m × HDOP / sqrt 2 per
coordinate, a fitted error recovers the noise added to a simulated track, and
bad values are refused naming the individual and rows.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import habitat
from habitat.core.errors import InputError, TimestampError
from habitat.homerange import akde, home_range
from habitat.movement import fit_movement
from habitat.movement.model import MovementModel
from habitat.movement.simulate import simulate_movement

DAY = 86400.0
HOUR_NS = 3_600_000_000_000
UTM52 = "EPSG:32652"
E0, N0 = 600_000.0, 4_800_000.0


def _ou(t_s: np.ndarray, *, sd_m: float, seed: int, tau_s: float = DAY) -> np.ndarray:
    m = MovementModel.from_parameters("OU", sigma_m2=sd_m**2, tau_position_s=tau_s)
    return simulate_movement(m, t_s, seed=seed)[0] + [E0, N0]


def _fixes(individual: str, t_s: np.ndarray, xy: np.ndarray, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "individual": individual,
            "timestamp": pd.to_datetime(np.round(t_s * 1e9).astype(np.int64), utc=True),
            **columns,
        },
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=UTM52,
    )


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def _akde(fixes: gpd.GeoDataFrame, **options) -> gpd.GeoDataFrame:
    return _quiet(home_range, fixes, method="akde", levels=(0.5, 0.95), species=None, **options)


@pytest.fixture(scope="module")
def two_animals() -> tuple[gpd.GeoDataFrame, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Two animals, errors per fix that differ per animal, the table shuffled.

    Returns the table and, per animal, its fixes in time order (xy, t_ns, error).
    """
    rng = np.random.default_rng(5)
    parts, truth = [], {}
    for k, (name, lo, hi) in enumerate((("A", 10.0, 60.0), ("B", 150.0, 400.0))):
        t = np.arange(240) * 4 * 3600.0
        xy = _ou(t, sd_m=1500.0, seed=20 + k)
        err = rng.uniform(lo, hi, t.size)
        parts.append(_fixes(name, t, xy, err_sd=err))
        truth[name] = (xy, (t * 1e9).astype(np.int64), err)
    table = pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=3)
    return table, truth


def test_a_column_of_errors_reaches_each_animal_in_the_order_of_its_fixes(two_animals):
    table, truth = two_animals
    ranges = _akde(table, error_m="err_sd")
    assert (ranges["location_error"] == "column err_sd").all()
    for name, (xy, t_ns, err) in truth.items():
        rows = ranges[ranges["individual"] == name]
        # the mean SD of the animal's own fixes, not the other's nor the table's
        assert rows["location_error_m"].to_numpy() == pytest.approx(err.mean(), rel=1e-12)
        direct = _quiet(akde.estimate, xy, levels=(0.5, 0.95), timestamps_ns=t_ns, error_m=err)
        assert rows["area_km2"].to_numpy() == pytest.approx(
            [e.area_m2 / 1e6 for e in direct], rel=1e-9
        )
        assert rows["model"].tolist() == [e.params["model"] for e in direct]
    # the oracle can tell: the same errors on the wrong fixes give another area
    xy, t_ns, err = truth["B"]
    model = fit_movement(t_ns / 1e9, xy, error_m=err)
    right = akde.estimate(xy, levels=0.95, timestamps_ns=t_ns, model=model, error_m=err)
    wrong = akde.estimate(xy, levels=0.95, timestamps_ns=t_ns, model=model, error_m=err[::-1])
    assert abs(wrong[0].area_m2 / right[0].area_m2 - 1) > 1e-4


def test_gps_default_without_an_hdop_column_is_10_m_uere_per_coordinate(two_animals):
    table, truth = two_animals
    ranges = _akde(table, error_m="gps")
    sd = 10.0 / math.sqrt(2.0)  # ctmm's UERE is the 2-D RMS error: per coordinate / sqrt 2
    assert akde.GPS_RMS_UERE_M == 10.0
    assert ranges["location_error_m"].to_numpy() == pytest.approx(sd, rel=1e-12)
    assert ranges["location_error"].str.contains("HDOP 1: no HDOP column").all()
    xy, t_ns, _ = truth["A"]
    direct = _quiet(akde.estimate, xy, levels=(0.5, 0.95), timestamps_ns=t_ns, error_m=sd)
    rows = ranges[ranges["individual"] == "A"]
    assert rows["area_km2"].to_numpy() == pytest.approx([e.area_m2 / 1e6 for e in direct])
    # the estimator's own "gps" is the same default
    (own,) = _quiet(akde.estimate, xy, levels=0.95, timestamps_ns=t_ns, error_m="gps")
    assert own.params["location_error_m"] == pytest.approx(sd, rel=1e-12)
    assert own.area_m2 == pytest.approx(direct[1].area_m2, rel=1e-12)


@pytest.mark.parametrize("column", ["hdop", "GPS_HDOP", "gps:hdop"])
def test_gps_default_takes_each_fixes_hdop(two_animals, column):
    table, truth = two_animals
    hdop = np.random.default_rng(7).uniform(0.8, 4.0, len(table))
    ranges = _akde(table.assign(**{column: hdop}), error_m="GPS")
    assert (
        ranges["location_error"] == f"gps default (UERE 10 m × HDOP from column {column})"
    ).all()
    for name, (xy, t_ns, _) in truth.items():
        mine = (table["individual"] == name).to_numpy()
        sd = 10.0 * hdop[mine] / math.sqrt(2.0)
        rows = ranges[ranges["individual"] == name]
        assert rows["location_error_m"].to_numpy() == pytest.approx(sd.mean(), rel=1e-12)
        if column == "hdop":  # in time order, as the estimator is given them
            order = np.argsort(table.loc[mine, "timestamp"].to_numpy(), kind="stable")
            direct = _quiet(
                akde.estimate, xy, levels=(0.5, 0.95), timestamps_ns=t_ns, error_m=sd[order]
            )
            assert rows["area_km2"].to_numpy() == pytest.approx(
                [e.area_m2 / 1e6 for e in direct], rel=1e-9
            )


def test_movebank_hdop_column_as_read_relocations_keeps_it(tmp_path: Path):
    """Movebank's ``gps:hdop`` keeps its name through read_relocations, and "gps" finds it."""
    t = np.arange(120) * 4 * 3600.0
    xy = _ou(t, sd_m=1500.0, seed=31)
    lonlat = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=UTM52).to_crs(4326)
    hdop = np.random.default_rng(8).uniform(0.9, 3.0, t.size)
    frame = pd.DataFrame(
        {
            "event-id": np.arange(t.size) + 1,
            "timestamp": (pd.Timestamp("2020-01-01") + pd.to_timedelta(t, unit="s")).strftime(
                "%Y-%m-%d %H:%M:%S.000"
            ),
            "location-long": lonlat.x,
            "location-lat": lonlat.y,
            "gps:hdop": hdop,
            "individual-local-identifier": "L1",
        }
    )
    path = tmp_path / "movebank.csv"
    frame.to_csv(path, index=False)
    fixes = _quiet(habitat.read_relocations, path)
    assert "gps:hdop" in fixes.columns
    used = ~fixes["flag_any"].to_numpy(dtype=bool)
    ranges = _akde(fixes, error_m="gps")
    expected = (10.0 * fixes["gps:hdop"].to_numpy()[used] / math.sqrt(2.0)).mean()
    assert ranges["location_error_m"].to_numpy() == pytest.approx(expected, rel=1e-12)
    assert (ranges["location_error"].str.endswith("column gps:hdop)")).all()


@pytest.fixture(scope="module")
def noisy_track() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """30 days of 15-min fixes of an OU range (SD 500 m, tau 1 day), clean and with N(0, 30 m)."""
    t = np.arange(0.0, 30 * DAY, 900.0)
    clean = _ou(t, sd_m=500.0, seed=3)
    noisy = clean + np.random.default_rng(4).normal(0.0, 30.0, clean.shape)
    return _fixes("N1", t, clean), _fixes("N1", t, noisy)


def test_fitted_error_recovers_the_added_noise_and_the_clean_area(noisy_track):
    clean, noisy = noisy_track
    base = _akde(clean)
    fitted = _akde(noisy, error_m="fit")
    assert (fitted["location_error"] == "fitted").all()
    assert (base["location_error"] == "none").all() and (base["location_error_m"] == 0).all()
    assert 20.0 <= fitted["location_error_m"].iloc[0] <= 40.0
    # the kernels carry the error the fixes' scatter already holds: about 2 e²/sigma²
    # (0.7 %) more area than the clean track's, plus the fit's own noise
    ratio = fitted["area_km2"].to_numpy() / base["area_km2"].to_numpy()
    assert ratio == pytest.approx(1.0, abs=0.03)
    # the model's error is what the kernels used (the estimator given the fit)
    xy = np.column_stack([noisy.geometry.x, noisy.geometry.y])
    t_ns = noisy["timestamp"].dt.tz_convert(None).to_numpy().astype("datetime64[ns]").view(np.int64)
    model = fit_movement(t_ns / 1e9, xy, error_m="fit")
    assert model.error_m == pytest.approx(fitted["location_error_m"].iloc[0], rel=1e-9)
    (from_model,) = _quiet(akde.estimate, xy, levels=0.95, timestamps_ns=t_ns, model=model)
    (fit_given,) = _quiet(
        akde.estimate, xy, levels=0.95, timestamps_ns=t_ns, model=model, error_m="fit"
    )
    (explicit,) = _quiet(
        akde.estimate, xy, levels=0.95, timestamps_ns=t_ns, model=model, error_m=model.error_m
    )
    assert from_model.params["location_error"] == fit_given.params["location_error"] == "from model"
    assert from_model.area_m2 == fit_given.area_m2 == explicit.area_m2
    assert from_model.area_m2 == pytest.approx(fitted["area_km2"].iloc[1] * 1e6, rel=1e-9)


def test_a_larger_error_widens_the_kernels_and_the_area():
    n = 300
    xy = np.random.default_rng(1).normal(0, 1000, (n, 2))
    iid = MovementModel.from_parameters("IID", sigma_m2=1e6, dof_area=float(n))
    t = np.arange(n) * HOUR_NS
    errors = (0.0, 50.0, 100.0, 200.0, 400.0, 800.0)
    ests = [
        akde.estimate(xy, levels=0.95, timestamps_ns=t, model=iid, error_m=e, interval="ctmm")[0]
        for e in errors
    ]
    areas = np.array([e.area_m2 for e in ests])
    assert np.all(np.diff(areas) > 0)
    assert [e.params["location_error_m"] for e in ests] == list(errors)
    # the kernel variance grows by e² per axis: the 95 % area by about that share of the
    # UD's variance (1 - 1/n) sigma² + H + e² (a Gaussian's area goes with its variance)
    h2 = ests[0].params["bandwidth_factor"] ** 2
    var = (1 - 1 / n + h2) * 1e6
    assert areas[-1] / areas[0] == pytest.approx((var + 800.0**2) / var, rel=0.05)


def test_a_given_model_without_a_fitted_error_is_refused_for_fit():
    n = 60
    xy = np.random.default_rng(2).normal(0, 1000, (n, 2))
    t = np.arange(n) * HOUR_NS
    plain = MovementModel.from_parameters("IID", sigma_m2=1e6, dof_area=float(n))
    with pytest.raises(InputError, match="no location error.*error_m='fit'"):
        akde.estimate(xy, levels=0.95, timestamps_ns=t, model=plain, error_m="fit")
    # without error_m, a model without error gives kernels without error
    (none,) = akde.estimate(xy, levels=0.95, timestamps_ns=t, model=plain)
    assert none.params["location_error"] == "none" and none.params["location_error_m"] == 0.0
    per_fix = fit_movement(t / 1e9, xy, models=["IID isotropic"], error_m=np.linspace(5, 50, n))
    assert per_fix.error_m is not None and math.isnan(per_fix.error_m)
    with pytest.raises(InputError, match="per-fix location errors"):
        akde.estimate(xy, levels=0.95, timestamps_ns=t, model=per_fix)
    with pytest.raises(InputError, match="'fit'.*'gps'"):
        akde.estimate(xy, levels=0.95, timestamps_ns=t, model=plain, error_m="gsp")


@pytest.mark.parametrize("bad", [-5.0, np.nan])
def test_bad_values_in_the_error_column_name_the_individual_and_rows(two_animals, bad):
    table, _ = two_animals
    table = table.copy()
    b_rows = np.flatnonzero((table["individual"] == "B").to_numpy())
    at = b_rows[[3, 17]]
    table.iloc[at, table.columns.get_loc("err_sd")] = bad
    rows = ", ".join(str(r) for r in sorted(at + 1))  # 1, 2, ... in table order
    with pytest.raises(
        InputError, match=rf"finite and >= 0 .*column 'err_sd', rows {rows}, individual 'B' \("
    ) as info:
        _akde(table, error_m="err_sd")
    assert "individual 'A'" not in str(info.value)


def test_missing_hdop_is_refused_naming_rows(two_animals):
    table, _ = two_animals
    hdop = np.ones(len(table))
    hdop[4] = np.nan
    with pytest.raises(
        InputError, match=r"HDOP must be finite and positive.*column 'hdop', rows 5, individual"
    ):
        _akde(table.assign(hdop=hdop), error_m="gps")


@pytest.mark.parametrize(
    ("error_m", "match"),
    [
        ("no_such_column", r"neither a keyword nor a column.*'fit'.*'gps'"),
        ([10.0, 20.0], "name a column"),
        (-1.0, "finite and >= 0"),
        (True, "not accepted"),
    ],
)
def test_other_forms_are_refused_listing_the_accepted_ones(two_animals, error_m, match):
    table, _ = two_animals
    with pytest.raises(InputError, match=match):
        home_range(table, method="akde", levels=0.95, species=None, error_m=error_m)


def test_simultaneous_fixes_need_an_error_on_both(two_animals):
    table, _ = two_animals
    table = table.sort_values(["individual", "timestamp"], ignore_index=True)
    table.loc[11, "timestamp"] = table.loc[10, "timestamp"]  # A's 11th and 12th fixes
    assert _akde(table, error_m="err_sd")["area_km2"].notna().all()  # both errors > 0
    assert _akde(table, error_m="gps")["area_km2"].notna().all()
    table.loc[10, "err_sd"] = 0.0
    with pytest.raises(TimestampError, match=r"individual 'A': 1 duplicate.*rows 11, 12"):
        _akde(table, error_m="err_sd")


def test_given_models_must_carry_the_error_fit_takes(two_animals):
    table, truth = two_animals
    xy, t_ns, _ = truth["A"]
    plain = fit_movement(t_ns / 1e9, xy, crs=UTM52)
    with pytest.raises(InputError, match=r"individual 'A'.*none usable"):
        _akde(table, error_m="fit", model={"A": plain})


def test_a_given_models_fitted_error_is_used_without_error_m(two_animals):
    """As ctmm's akde uses the model's error model: the kernels take the given fit's error."""
    table, truth = two_animals
    xy, t_ns, _ = truth["A"]
    noisy = xy + np.random.default_rng(9).normal(0.0, 40.0, xy.shape)
    fit = fit_movement(t_ns / 1e9, noisy, crs=UTM52, error_m="fit")
    assert fit.error_m is not None and fit.error_m > 0
    ranges = _akde(table, model={"A": fit})
    a, b = ranges[ranges["individual"] == "A"], ranges[ranges["individual"] == "B"]
    assert (a["location_error"] == "from model").all() and (b["location_error"] == "none").all()
    assert a["location_error_m"].to_numpy() == pytest.approx(fit.error_m, rel=1e-12)
    assert (b["location_error_m"] == 0.0).all()
    direct = _quiet(
        akde.estimate, xy, levels=(0.5, 0.95), timestamps_ns=t_ns, model=fit, error_m=fit.error_m
    )
    assert a["area_km2"].to_numpy() == pytest.approx([e.area_m2 / 1e6 for e in direct], rel=1e-12)
    # an explicit error overrides the model's
    given = _akde(table, model={"A": fit}, error_m=5.0)
    assert (given["location_error"] == "given").all() and (given["location_error_m"] == 5.0).all()

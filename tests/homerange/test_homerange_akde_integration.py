"""AKDE through home_range: the result contract, model=, plausibility by interval, writing."""

from __future__ import annotations

import dataclasses
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import habitat
from habitat.batch.demo import write_ranges
from habitat.core import units
from habitat.core.errors import InputError
from habitat.homerange import akde, estimation_crs, home_range, prepare_fixes
from habitat.homerange.estimate import BOUND_GEOMETRIES, split_bounds
from habitat.movement import MovementModel, fit_movement

LEVELS = (0.5, 0.95)


@pytest.fixture(scope="module")
def leopards() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Two simulated leopards, 90 days of 4-hourly fixes, in WGS 84 (degrees)."""
    return habitat.simulate_relocations(n_females=1, n_males=1, days=90, seed=5)


@pytest.fixture(scope="module")
def ranges(leopards) -> gpd.GeoDataFrame:
    fixes, _ = leopards
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return home_range(fixes, method="akde", levels=LEVELS, species=None)


def test_akde_columns_carry_units(ranges):
    for col in (
        "area_km2", "area_sq_mi", "area_low_km2", "area_high_km2", "area_low_sq_mi",
        "area_high_sq_mi", "dof_area", "model", "tau_position_s", "tau_velocity_s",
        "bandwidth_m", "cell_size_m", "plausible", "plausibility", *BOUND_GEOMETRIES,
    ):  # fmt: skip
        assert col in ranges.columns, col
    assert (ranges["method"] == "akde").all()
    assert len(ranges) == 2 * len(LEVELS)
    # sq mi from km² by the exact definition (1 sq mi = 2.589988110336 km²)
    for side in ("low", "high"):
        np.testing.assert_allclose(
            ranges[f"area_{side}_sq_mi"], ranges[f"area_{side}_km2"] / 2.589988110336, rtol=1e-12
        )
    np.testing.assert_allclose(
        ranges["area_high_sq_mi"], units.km2_to_sq_mi(ranges["area_high_km2"]), rtol=1e-12
    )
    # simulated OU tracks: an OU-family model with a position timescale in seconds
    assert ranges["model"].str.startswith(("OU", "OUF")).all()
    assert (ranges["tau_position_s"] > 3600).all()
    assert (ranges["dof_area"] > 1).all()


def test_interval_brackets_the_estimate(ranges):
    low, est, high = (ranges[c].to_numpy() for c in ("area_low_km2", "area_km2", "area_high_km2"))
    assert (low < est).all() and (est < high).all()


def test_bound_polygons_nest_and_have_the_bounds_areas(ranges, leopards):
    fixes, _ = leopards
    # areas are planar in the estimation CRS: compare there
    est = ranges.to_crs(estimation_crs(fixes))
    low = ranges["geometry_low"].to_crs(est.crs)
    high = ranges["geometry_high"].to_crs(est.crs)
    for g_lo, g, g_hi in zip(low, est.geometry, high, strict=True):
        # isopleths of one UD at nested levels: contained up to the reprojection round-off
        assert shapely.area(shapely.difference(g_lo, g)) < 1e-6 * shapely.area(g)
        assert shapely.area(shapely.difference(g, g_hi)) < 1e-6 * shapely.area(g_hi)
    # each bound's polygon encloses the bound's area (as the estimate's does, to a cell)
    np.testing.assert_allclose(low.area / 1e6, ranges["area_low_km2"], rtol=0.02)
    np.testing.assert_allclose(high.area / 1e6, ranges["area_high_km2"], rtol=0.02)
    np.testing.assert_allclose(est.area / 1e6, ranges["area_km2"], rtol=0.02)


def test_all_three_geometries_are_in_the_input_crs(ranges, leopards):
    fixes, _ = leopards
    assert ranges.crs.equals(fixes.crs)
    for col in BOUND_GEOMETRIES:
        assert isinstance(ranges[col], gpd.GeoSeries)
        assert ranges[col].crs.equals(fixes.crs)
        # degrees, not the estimation CRS's metres
        x, y = shapely.get_coordinates(ranges[col].to_numpy()).T
        assert (np.abs(x) <= 180).all() and (np.abs(y) <= 90).all()


def test_projected_input_keeps_its_crs(leopards):
    fixes, _ = leopards
    utm = fixes.to_crs("EPSG:32652")
    one = utm[utm["individual"] == utm["individual"].iloc[0]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = home_range(one, method="akde", levels=0.95, species=None)
    for col in ("geometry", *BOUND_GEOMETRIES):
        assert out[col].crs.to_epsg() == 32652


def test_other_methods_have_no_bound_columns(leopards):
    fixes, _ = leopards
    out = home_range(fixes, method="mcp", levels=0.95, species=None)
    assert not set(BOUND_GEOMETRIES) & set(out.columns)
    assert "area_low_km2" not in out.columns
    assert "ci_level" not in out.columns


def test_ci_level_column_names_the_intervals_level(leopards, ranges):
    """Default 0.95 (akde.estimate's); another level is the column and a nested interval."""
    assert (ranges["ci_level"] == 0.95).all()
    cols = list(ranges.columns)
    assert cols.index("ci_level") == cols.index("area_high_sq_mi") + 1
    fixes, _ = leopards
    est = fixes.to_crs(estimation_crs(fixes))
    xy = shapely.get_coordinates(est.geometry.to_numpy())
    t = est["timestamp"].dt.tz_convert("UTC").dt.as_unit("ns").dt.tz_localize(None)
    ind = est["individual"].to_numpy()
    models = {
        i: fit_movement(
            (t[ind == i] - t[ind == i].min()).dt.total_seconds().to_numpy(),
            xy[ind == i],
            crs=est.crs,
        )
        for i in np.unique(ind)
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wide = home_range(est, method="akde", levels=LEVELS, model=models, species=None)
        narrow = home_range(
            est, method="akde", levels=LEVELS, model=models, ci_level=0.8, species=None
        )
    assert (narrow["ci_level"] == 0.8).all()
    np.testing.assert_allclose(narrow["area_km2"], wide["area_km2"], rtol=1e-12)
    assert (narrow["area_low_km2"] > wide["area_low_km2"]).all()
    assert (narrow["area_high_km2"] < wide["area_high_km2"]).all()


def test_home_range_row_is_the_estimator_on_that_animal(ranges, leopards):
    """home_range adds bookkeeping only: its areas are akde.estimate's on the projected fixes."""
    fixes, _ = leopards
    name = sorted(fixes["individual"].unique())[0]
    prep = prepare_fixes(fixes[fixes["individual"] == name], crs=estimation_crs(fixes))
    ests = akde.estimate(prep.xy, levels=LEVELS, timestamps_ns=prep.timestamps_ns)
    rows = ranges[ranges["individual"] == name]
    np.testing.assert_allclose(rows["area_km2"], [e.area_m2 / 1e6 for e in ests], rtol=1e-9)
    np.testing.assert_allclose(
        rows["area_high_km2"], [e.params["area_high_km2"] for e in ests], rtol=1e-9
    )


# ----------------------------------------------------------------------- model=


def _fit(fixes: gpd.GeoDataFrame, name: str) -> MovementModel:
    crs = estimation_crs(fixes)
    prep = prepare_fixes(fixes[fixes["individual"] == name], crs=crs)
    fit = fit_movement(prep.timestamps_ns / 1e9, prep.xy)
    return fit if fit.crs is not None else dataclasses.replace(fit, crs=crs)


def test_one_model_for_every_animal_is_refused(leopards):
    fixes, _ = leopards
    fit = _fit(fixes, "F01")
    with pytest.raises(InputError, match=r"one MovementModel.*mapping individual.*akde\.estimate"):
        home_range(fixes, method="akde", levels=0.95, model=fit)
    with pytest.raises(InputError, match=r"not among the relocations"):
        home_range(fixes, method="akde", levels=0.95, model={"F99": fit})
    with pytest.raises(InputError, match=r"must be a MovementModel"):
        home_range(fixes, method="akde", levels=0.95, model={"F01": "OU"})


def test_a_mapping_of_models_is_used_for_its_animals(leopards, ranges):
    fixes, _ = leopards
    fit = _fit(fixes, "F01")
    # an IID model for F01 (no autocorrelation) changes F01's range, not M01's
    iid = dataclasses.replace(
        fit, name="IID", tau_position_s=0.0, tau_velocity_s=0.0, dof_area=float(fit.n_fixes)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = home_range(fixes, method="akde", levels=LEVELS, species=None, model={"F01": iid})
    f = out["individual"] == "F01"
    assert (out.loc[f, "tau_position_s"] == 0.0).all()
    assert (out.loc[f, "dof_area"] == fit.n_fixes).all()
    # M01 was fitted as before
    np.testing.assert_allclose(out.loc[~f, "area_km2"], ranges.loc[~f, "area_km2"], rtol=1e-9)
    # the same fitted model given back gives the same F01 range as fitting it inside
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = home_range(fixes, method="akde", levels=LEVELS, species=None, model={"F01": fit})
    np.testing.assert_allclose(again["area_km2"], ranges["area_km2"], rtol=1e-9)


def test_a_model_fitted_in_another_crs_is_refused(leopards):
    fixes, _ = leopards
    fit = dataclasses.replace(_fit(fixes, "F01"), crs="EPSG:32652")
    with pytest.raises(InputError, match=r"fitted in .*estimated in"):
        home_range(fixes, method="akde", levels=0.95, model={"F01": fit})


# ----------------------------------------------------------------------- plausibility


def test_plausibility_judges_the_interval(ranges):
    """A female's 95 % range is implausible only if its whole interval is outside the bounds."""
    f = ranges[(ranges["individual"] == "F01") & (ranges["level"] == 0.95)].iloc[0]
    est, low, high = f["area_sq_mi"], f["area_low_sq_mi"], f["area_high_sq_mi"]
    table = pd.DataFrame([f.drop(labels=["geometry", *BOUND_GEOMETRIES])] * 3).reset_index()
    # bounds (a) containing the estimate, (b) excluding the estimate but reached by the
    # interval's upper end, (c) entirely above the interval
    bounds = [(0.5 * est, 2 * est), ((est + high) / 2, 10 * est), (1.5 * high, 10 * high)]
    verdicts = []
    for lo, hi in bounds:
        ok, why = habitat.homerange.plausibility(
            table.iloc[:1], expected_area_sq_mi={"F": (lo, hi)}
        )
        verdicts.append((bool(ok[0]), why[0]))
    assert verdicts[0] == (True, "")
    assert verdicts[1] == (True, "")  # the point estimate alone would have been flagged
    assert verdicts[2][0] is False
    assert "interval" in verdicts[2][1] and "all of it" in verdicts[2][1]
    assert f"{low:.1f}–{high:.1f} sq mi" in verdicts[2][1]
    # the same row without an interval is judged by its estimate (as KDE rows are)
    point = table.iloc[:1].drop(columns=["area_low_sq_mi", "area_high_sq_mi"])
    ok, why = habitat.homerange.plausibility(point, expected_area_sq_mi={"F": bounds[1]})
    assert not ok[0] and "interval" not in why[0]


def test_home_range_flags_by_the_interval(leopards, ranges):
    fixes, _ = leopards
    f = ranges[(ranges["individual"] == "F01") & (ranges["level"] == 0.95)].iloc[0]
    between = (f["area_sq_mi"] + f["area_high_sq_mi"]) / 2  # estimate below, interval reaches
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reached = home_range(
            fixes, method="akde", levels=0.95, expected_area_sq_mi={"F": (between, None)}
        )
        above = home_range(
            fixes,
            method="akde",
            levels=0.95,
            expected_area_sq_mi={"F": (1.01 * f["area_high_sq_mi"], None)},
        )
    assert reached.loc[reached["individual"] == "F01", "plausible"].item()
    why = above.loc[above["individual"] == "F01", "plausibility"].item()
    assert "all of it" in why


# ----------------------------------------------------------------------- writing


def test_split_bounds_and_the_batch_writer_round_trip(ranges, tmp_path):
    import pyogrio

    main, bounds = split_bounds(ranges)
    assert set(bounds) == {"low", "high"}
    assert not set(BOUND_GEOMETRIES) & set(main.columns)
    path = write_ranges(ranges, tmp_path / "ranges.gpkg")
    layers = set(pyogrio.list_layers(path)[:, 0])
    assert layers == {"home_ranges", "home_ranges_low", "home_ranges_high"}
    back = gpd.read_file(path, layer="home_ranges")
    assert back.crs.equals(ranges.crs)
    np.testing.assert_allclose(back["area_high_km2"], ranges["area_high_km2"])
    for side in ("low", "high"):
        layer = gpd.read_file(path, layer=f"home_ranges_{side}")
        assert layer.crs.equals(ranges.crs)
        assert list(layer["individual"]) == list(ranges["individual"])
        np.testing.assert_allclose(layer["level"], ranges["level"])
        np.testing.assert_allclose(layer[f"area_{side}_km2"], ranges[f"area_{side}_km2"])
        same = shapely.equals_exact(
            layer.geometry.to_numpy(), ranges[f"geometry_{side}"].to_numpy(), tolerance=1e-9
        )
        assert same.all()


def test_writer_takes_akde_rows_among_other_methods(leopards, ranges, tmp_path):
    import pyogrio

    fixes, _ = leopards
    mcp = home_range(fixes, method="mcp", levels=LEVELS, species=None)
    mixed = gpd.GeoDataFrame(pd.concat([mcp, ranges], ignore_index=True), crs=ranges.crs)
    main, bounds = split_bounds(mixed)
    assert len(main) == len(mixed)
    assert (bounds["low"]["method"] == "akde").all() and len(bounds["low"]) == len(ranges)
    path = write_ranges(mixed, tmp_path / "mixed.gpkg")
    assert len(gpd.read_file(path, layer="home_ranges")) == len(mixed)
    assert pyogrio.read_info(path, layer="home_ranges_high")["features"] == len(ranges)


def test_batch_report_writes_akde_ranges_with_their_bounds(leopards, tmp_path):
    """run_report estimates each animal in its own CRS: the bounds come back with the ranges."""
    import pyogrio

    from habitat.batch import ReportOptions, run_report

    fixes, _ = leopards
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_report(
            fixes,
            tmp_path / "rep",
            options=ReportOptions(methods=("akde", "mcp"), area_curve=False),
            workers=1,
            progress=False,
        )
    assert result.failures.empty
    path = tmp_path / "rep" / "ranges.gpkg"
    assert set(pyogrio.list_layers(path)[:, 0]) >= {"ranges", "ranges_low", "ranges_high"}
    main = gpd.read_file(path, layer="ranges")
    akde_rows = main[main["method"] == "akde"].reset_index(drop=True)
    for side in ("low", "high"):
        layer = gpd.read_file(path, layer=f"ranges_{side}")
        assert layer.crs.equals(fixes.crs) and len(layer) == len(akde_rows)
        merged = akde_rows.merge(
            layer.drop(columns="geometry").assign(g=layer.geometry.to_numpy()),
            on=["individual", "method", "level"],
        )
        # the bound's polygon is the same animal's, in the same CRS: it nests with the range
        inner, outer = (
            (merged["g"], merged.geometry) if side == "low" else (merged.geometry, merged["g"])
        )
        slack = shapely.area(shapely.difference(inner.to_numpy(), outer.to_numpy()))
        assert (slack < 1e-6 * shapely.area(outer.to_numpy())).all()

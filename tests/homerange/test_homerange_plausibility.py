"""Plausibility for every row: physical bounds, degenerate fixes, degree-like coordinates, grids."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat.core.errors import DataQualityWarning, HabitatWarning
from habitat.homerange import home_range
from habitat.homerange.base import GRID_VOLUME_TOLERANCE, MAX_CELL_PER_BANDWIDTH
from habitat.homerange.kde import GridTooSmallWarning
from habitat.homerange.plausibility import (
    MAX_PLAUSIBLE_AREA_KM2,
    MIN_PLAUSIBLE_AREA_KM2,
    MIN_ROUNDNESS,
    fix_problems,
    model_problems,
    physical_problems,
    plausibility,
)
from habitat.movement.fit import ADVISORY_PREFIX

SHARED_RELOCATIONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "relocations"
needs_shared = pytest.mark.skipif(
    not SHARED_RELOCATIONS.is_dir(), reason="shared relocation data not present"
)

DATASETS = sorted(p.stem for p in SHARED_RELOCATIONS.glob("*.csv"))

UTM52 = "EPSG:32652"
E0, N0 = 640_000.0, 4_770_000.0  # near the Land of the Leopard, UTM 52N


def _fixes(x, y, *, crs=UTM52, individual="A", sex=None) -> gpd.GeoDataFrame:
    data = {"individual": individual}
    if sex is not None:
        data["sex"] = sex
    return gpd.GeoDataFrame(data, index=range(len(x)), geometry=gpd.points_from_xy(x, y), crs=crs)


def _run(fixes: gpd.GeoDataFrame, **kw) -> tuple[gpd.GeoDataFrame, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = home_range(fixes, **kw)
    return out, list(caught)


def _spread(n: int = 60, seed: int = 3, sd: float = 2_000.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return E0 + rng.normal(0, sd, n), N0 + rng.normal(0, sd, n)


# --- physical bounds hold for every row, whatever the sex ------------------------------


def test_bounds_are_a_10_m_square_and_a_tenth_of_europe():
    assert MIN_PLAUSIBLE_AREA_KM2 == pytest.approx(10.0 * 10.0 / 1e6)
    assert MAX_PLAUSIBLE_AREA_KM2 == 1e6
    # the largest male Amur leopard range (155 sq mi = 401 km²) is far inside
    assert 155 * 2.589988110336 < MAX_PLAUSIBLE_AREA_KM2 / 100


@pytest.mark.parametrize("sex", [None, "unknown", "F", "M", "X"])
def test_a_plain_range_is_plausible_whatever_the_sex(sex):
    x, y = _spread()
    out, caught = _run(_fixes(x, y, sex=sex), method="mcp", levels=0.5)
    assert out["plausible"].all(), out["plausibility"].tolist()
    assert not [w for w in caught if issubclass(w.category, DataQualityWarning)]


@pytest.mark.parametrize("sex", [None, "unknown", "F"])
def test_collinear_fixes_are_not_a_range(sex):
    # 40 fixes on a 5 km line: the MCP is a line (0 km²); with 1 cm of noise a sliver
    t = np.linspace(0.0, 5_000.0, 40)
    for noise in (0.0, 0.01):
        jitter = np.random.default_rng(1).normal(0, noise, 40) if noise else 0.0
        out, caught = _run(
            _fixes(E0 + t, N0 + 0.5 * t + jitter, sex=sex), method="mcp", levels=(0.5, 0.95)
        )
        assert (out["area_km2"] < 1e-3).all()  # < 1000 m² for a range 5.6 km long
        assert not out["plausible"].any()
        assert all("a sliver" in why and "collinear" in why for why in out["plausibility"])
        if noise == 0.0:
            assert all("below 0.0001 km²" in why for why in out["plausibility"])
        dq = [w for w in caught if issubclass(w.category, DataQualityWarning)]
        assert dq and "cannot be trusted" in str(dq[0].message)
        assert "individual 'A'" in str(dq[0].message)


def test_a_sliver_above_the_area_bound_is_still_degenerate():
    # 100 km long and 2 m wide: 0.2 km², above the area bound, but a line of fixes
    t = np.linspace(0.0, 100_000.0, 40)
    side = np.where(np.arange(40) % 2 == 0, 0.0, 2.0)
    out, _ = _run(_fixes(E0 + t, N0 + side), method="mcp", levels=1.0)
    assert out.loc[0, "area_km2"] > MIN_PLAUSIBLE_AREA_KM2
    assert not out.loc[0, "plausible"]
    assert "degenerate range: a sliver" in out.loc[0, "plausibility"]


def test_roundness_bound_is_a_width_below_gps_error():
    # isoperimetric quotient 4 pi A / P² of a w x L rectangle is pi w L / (w + L)²
    w, length = 3.0, 10_000.0
    q = 4 * np.pi * w * length / (2 * (w + length)) ** 2
    assert q == pytest.approx(np.pi * w / length, rel=1e-3)
    assert q < MIN_ROUNDNESS * 1.0  # 3 m by 10 km is flagged
    disc = shapely.Point(0, 0).buffer(1000, quad_segs=64)
    square = shapely.box(0, 0, 1_000, 1_000)
    assert physical_problems([3.14, 1.0], [disc, square]).tolist() == ["", ""]


def test_39_identical_fixes_and_one_other():
    x = np.r_[np.full(39, E0), E0 + 800.0]
    y = np.r_[np.full(39, N0), N0 + 300.0]
    for method in ("mcp", "kde"):
        out, caught = _run(_fixes(x, y), method=method, levels=(0.5, 0.95))
        assert not out["plausible"].any(), method
        assert all(
            "only 2 distinct positions among 40 fixes" in why for why in out["plausibility"]
        ), method
        assert any(issubclass(w.category, DataQualityWarning) for w in caught)
    mcp, _ = _run(_fixes(x, y), method="mcp", levels=0.95)
    assert mcp.loc[0, "area_km2"] == 0.0


def test_degrees_declared_as_metres():
    # leopard fixes in longitude/latitude, declared as UTM metres: areas of ~1e-9 km²
    rng = np.random.default_rng(5)
    lon, lat = 131.3 + rng.normal(0, 0.05, 60), 43.1 + rng.normal(0, 0.05, 60)
    out, caught = _run(_fixes(lon, lat), method="mcp", levels=0.95)
    assert out.loc[0, "area_km2"] < 1e-7
    assert not out.loc[0, "plausible"]
    why = out.loc[0, "plausibility"]
    assert "look like degrees" in why and "crs='EPSG:4326'" in why
    assert any("look like degrees" in str(w.message) for w in caught)
    # the same fixes declared as degrees are a plausible range of about 100 km²
    right, _ = _run(_fixes(lon, lat, crs="EPSG:4326"), method="mcp", levels=0.95)
    assert right.loc[0, "plausible"] and 10 < right.loc[0, "area_km2"] < 1000


def test_fix_problems_per_animal():
    a = np.vstack([np.zeros((39, 2)), [[500.0, 0.0]]]) + [E0, N0]
    b = np.column_stack([131.2 + np.arange(6) / 100, 43.1 + np.arange(6) % 2 / 100])
    c = np.column_stack([E0 + np.arange(6) * 900.0, N0 + np.arange(6) % 3 * 700.0])
    groups = np.repeat([0, 1, 2], [40, 6, 6])
    why = fix_problems(np.vstack([a, b, c]), groups, crs=UTM52)
    assert "only 2 distinct positions" in why[0] and "degrees" not in why[0]
    assert "look like degrees" in why[1] and "distinct" not in why[1]
    assert why[2] == ""
    # in a geographic CRS the same degrees are expected
    assert fix_problems(b, np.zeros(6, dtype=int), crs="EPSG:4326").tolist() == [""]


def test_huge_range_from_outliers_is_impossible():
    x, y = _spread()
    x[:3] += [4e6, -3e6, 2e6]  # GPS outliers thousands of km away
    y[:3] += [1e6, 3e6, -2e6]
    out, caught = _run(_fixes(x, y), method="mcp", levels=1.0)
    assert out.loc[0, "area_km2"] > MAX_PLAUSIBLE_AREA_KM2
    assert not out.loc[0, "plausible"]
    assert "above 1e+06 km², larger than any terrestrial home range" in out.loc[0, "plausibility"]
    assert any(issubclass(w.category, DataQualityWarning) for w in caught)


def test_plausibility_table_without_sex_bounds_still_has_physical_bounds():
    table = pd.DataFrame(
        {
            "sex": ["unknown", "unknown", "unknown"],
            "level": [0.95, 0.95, 0.5],
            "n_fixes": [100, 100, 100],
            "area_sq_mi": [1.9e-9 / 2.589988110336, 2.19e8 / 2.589988110336, 3.0],
        }
    )
    ok, why = plausibility(table)
    assert ok.tolist() == [False, False, True]
    assert "below 0.0001 km²" in why[0] and "above 1e+06 km²" in why[1]


def test_species_bounds_keep_working():
    # issue 11: the leopard bounds are the bundled profile's, no longer a hidden default
    table = pd.DataFrame(
        {"sex": ["F", "F", "M"], "level": 0.95, "n_fixes": 500, "area_sq_mi": [10, 20, 160]}
    )
    ok, why = plausibility(table, species="amur_leopard")
    assert ok.tolist() == [False, True, False]
    assert why[0] == "area 10.0 sq mi outside the expected 15–38 sq mi for Amur leopard females"
    assert why[2] == "area 160.0 sq mi outside the expected –155 sq mi for Amur leopard males"
    ok, why = plausibility(table, expected_area_sq_mi={"F": (15, 38), "M": (None, 155)})
    assert ok.tolist() == [False, True, False]
    assert why[0] == "area 10.0 sq mi outside the expected 15–38 sq mi for sex F"
    assert why[2] == "area 160.0 sq mi outside the expected –155 sq mi for sex M"
    assert plausibility(table)[0].all()  # no profile: no size check


# --- a level the grid cannot hold is flagged, warned and never plausible --------------


def test_grid_volume_column_and_flag_for_a_half_grid():
    # fixes symmetric about x = 0 and a grid covering only x >= 0: by symmetry the
    # grid holds half the UD, so 95 % can never be reached
    rng = np.random.default_rng(2)
    half = rng.normal(0, 1_000, (150, 2))
    xy = np.vstack([half, half * [-1, 1]]) + [E0, N0]
    bounds = (E0, N0 - 8_000, E0 + 8_000, N0 + 8_000)
    with pytest.warns(GridTooSmallWarning, match="level 0.95 above the UD volume on the grid"):
        out = home_range(
            _fixes(xy[:, 0], xy[:, 1]),
            method="kde",
            levels=(0.3, 0.95),
            bandwidth_m=300.0,
            cell_size_m=50.0,
            bounds=bounds,
        )
    assert out["grid_volume"].to_numpy() == pytest.approx(0.5, abs=2e-3)
    assert out["grid_warning"].all() and not out["plausible"].any()
    hi = out.set_index("level").loc[0.95, "plausibility"]
    lo = out.set_index("level").loc[0.3, "plausibility"]
    assert "grid too small for this level" in hi and "above the UD volume" in hi
    assert "above the UD volume" not in lo  # 30 % is reachable; it only meets the border


def test_riemann_error_behind_the_cell_size_bound():
    # one kernel sampled at nodes: its grid volume is off by about
    # 2 exp(-2 pi² (h/c)²) per axis (Poisson summation); at 1.5 h that is below 1e-3
    from habitat.homerange.grid import ud_on_grid

    h = 100.0

    def worst(cell: float) -> float:
        nodes = np.arange(-2_000.0, 2_000.0 + cell / 2, cell)
        errs = []
        for frac in np.linspace(0, 0.5, 6):
            ud = ud_on_grid(np.array([[frac * cell, frac * cell]]), nodes, nodes, bandwidth_m=h)
            errs.append(abs(ud.sum() * cell * cell - 1.0))
        return max(errs)

    at_bound = worst(MAX_CELL_PER_BANDWIDTH * h)
    assert at_bound < GRID_VOLUME_TOLERANCE
    truncation = 1 - (1 - 2 * 3.167124e-5) ** 2  # kernel mass beyond 4 h: 1.3e-4
    assert at_bound == pytest.approx(4 * np.exp(-2 * np.pi**2 / 1.5**2) + truncation, rel=0.1)
    assert worst(2.0 * h) > 0.02  # 2 bandwidths: off by 3 %


@pytest.mark.parametrize(("cell_per_h", "flagged"), [(1.0, False), (1.4, False), (2.0, True)])
def test_coarse_cells_are_flagged(cell_per_h, flagged):
    x, y = _spread(n=300, sd=3_000.0)
    h = 600.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = home_range(
            _fixes(x, y), method="kde", levels=0.5, bandwidth_m=h, cell_size_m=cell_per_h * h
        )
    assert bool(out.loc[0, "grid_warning"]) is flagged
    assert bool(out.loc[0, "plausible"]) is not flagged
    assert ("coarser than 1.5 bandwidths" in out.loc[0, "plausibility"]) is flagged
    assert any(issubclass(w.category, GridTooSmallWarning) for w in caught) is flagged


def test_plausibility_reads_the_grid_columns_of_any_table():
    table = pd.DataFrame(
        {
            "sex": "unknown",
            "level": [0.95, 0.95, 1.0],
            "n_fixes": 500,
            "area_sq_mi": 30.0,
            "grid_volume": [0.917, 0.99987, 0.99987],
            "grid_warning": [False, False, False],
        }
    )
    ok, why = plausibility(table)
    assert ok.tolist() == [False, True, True]
    assert "level 0.95 above the UD volume on the grid (0.917)" in why[0]


@needs_shared
def test_capreochiz_kde_grid_200_is_flagged():
    df = pd.read_csv(SHARED_RELOCATIONS / "capreochiz.csv")
    fixes = _fixes(df["x"], df["y"], crs="EPSG:2154", individual=df["id"].to_numpy())
    out, caught = _run(fixes, method="kde", grid=200, levels=(0.5, 0.95))
    grid_warnings = [str(w.message) for w in caught if w.category is GridTooSmallWarning]
    assert grid_warnings and grid_warnings[0].startswith("individual 'chiz': ")
    assert "level 0.95 above the UD volume on the grid (0.917)" in grid_warnings[0]
    quality = [str(w.message) for w in caught if w.category is DataQualityWarning]
    assert quality and "above 1e+06 km²" in quality[0]
    row = out.set_index("level").loc[0.95]
    assert row["grid_volume"] == pytest.approx(0.917, abs=0.002)
    assert row["bandwidth_m"] == pytest.approx(29_900, rel=0.01)
    assert row["cell_size_m"] > MAX_CELL_PER_BANDWIDTH * row["bandwidth_m"]
    assert bool(row["grid_warning"]) and not bool(row["plausible"])
    assert "level 0.95 above the UD volume on the grid (0.917)" in row["plausibility"]
    assert "above 1e+06 km²" in row["plausibility"]
    assert out["grid_warning"].all() and not out["plausible"].any()


@needs_shared
@pytest.mark.parametrize("name", DATASETS)
def test_every_flag_rule_holds_on_real_data(name):
    """On every real data set: a row the grid cannot hold is flagged, warned and implausible."""
    df = pd.read_csv(SHARED_RELOCATIONS / f"{name}.csv")
    counts = df["id"].value_counts()
    df = df[df["id"].isin(counts[counts >= 5].index)]
    fixes = _fixes(df["x"], df["y"], crs="EPSG:2154", individual=df["id"].astype(str).to_numpy())
    for grid in (60, 200):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = home_range(fixes, method="kde", grid=grid, levels=(0.5, 0.95, 0.99))
        unreachable = out["level"] > out["grid_volume"] + GRID_VOLUME_TOLERANCE
        coarse = out["cell_size_m"] > MAX_CELL_PER_BANDWIDTH * out["bandwidth_m"]
        impossible = (out["area_km2"] < MIN_PLAUSIBLE_AREA_KM2) | (
            out["area_km2"] > MAX_PLAUSIBLE_AREA_KM2
        )
        bad = unreachable | coarse
        assert out.loc[bad, "grid_warning"].all()
        assert not out.loc[bad | impossible | out["grid_warning"], "plausible"].any()
        assert (out["plausibility"] != "").eq(~out["plausible"]).all()
        if out["grid_warning"].any():
            assert any(issubclass(w.category, GridTooSmallWarning) for w in caught)
        assert all(issubclass(w.category, HabitatWarning) for w in caught)


def test_an_interval_is_judged_as_a_whole_row_by_row():
    """Rows with an interval (AKDE) are flagged only when all of it is outside; others by area.

    Bounds F 15-38 and M up to 155 sq mi (Amur leopard). Row by row: a female interval
    straddling 38 (plausible), a female interval above 38 (flagged), one below 15 (flagged),
    a male interval straddling 155 (plausible), a KDE row with no interval at 40 (flagged),
    a row of a mixed table whose interval is missing (NaN: judged by its 40), an interval
    with an unbounded top (no area DOF) starting above 38 (flagged), a core area (not judged).
    """
    nan, inf = float("nan"), float("inf")
    table = pd.DataFrame(
        {
            "sex": ["F", "F", "F", "M", "F", "F", "F", "F"],
            "level": [0.95] * 7 + [0.5],
            "n_fixes": [500] * 8,
            "area_sq_mi": [40.0, 45.0, 12.0, 160.0, 40.0, 40.0, 45.0, 90.0],
            "area_low_sq_mi": [30.0, 39.0, 8.0, 120.0, nan, nan, 39.0, 80.0],
            "area_high_sq_mi": [52.0, 60.0, 14.9, 200.0, nan, nan, inf, 100.0],
        }
    )
    ok, why = plausibility(table, species="amur_leopard")
    assert ok.tolist() == [True, False, False, True, False, False, False, True]
    assert "(interval 39.0–60.0 sq mi, all of it) outside the expected 15–38" in why[1]
    assert "(interval 8.0–14.9 sq mi, all of it)" in why[2]
    assert (
        why[4]
        == why[5]
        == "area 40.0 sq mi outside the expected 15–38 sq mi for Amur leopard females"
    )
    assert "interval 39.0–inf sq mi" in why[6]


UNSETTLED = (
    "the track does not settle (the variogram does not level off): tau_position (115 d) is "
    "1.9 times the tracking span (59.8 d), more than 50% of it, so ..."
)
GAP = f"{ADVISORY_PREFIX}a 60.2-day gap without fixes ... so use AKDE's optimal weights"


def test_model_notes_flag_a_row_unless_they_are_advice():
    """``model_notes`` (AKDE): a finding flags its row with the note; advice leaves it alone.

    Row by row: no notes, the track does not settle, only a gap's advice, both (the
    advice is not a reason), a missing value (a table mixing methods), two findings.
    """
    degrees = "the coordinates look like longitude/latitude degrees ..."
    notes = ["", UNSETTLED, GAP, f"{UNSETTLED}; {GAP}", None, f"{degrees}; {UNSETTLED}"]
    table = pd.DataFrame(
        {
            "sex": "unknown",
            "level": 0.95,
            "n_fixes": 500,
            "area_sq_mi": 30.0,
            "model_notes": pd.Series(notes, dtype=object),
        }
    )
    ok, why = plausibility(table)
    assert ok.tolist() == [True, False, True, False, True, False]
    assert why[1] == why[3] == f"movement model: {UNSETTLED}"
    assert why[5] == f"movement model: {degrees}; {UNSETTLED}"
    assert why[0] == why[2] == why[4] == ""
    assert model_problems(notes).tolist() == why.tolist()
    # other reasons stay: after those about the fixes, before the count of fixes
    ok, why = plausibility(table.assign(n_fixes=12), fix_reasons=["odd fixes"] * 6)
    assert not ok.any()
    assert why[1] == f"odd fixes; movement model: {UNSETTLED}; few fixes (12 < 30)"
    assert why[2] == "odd fixes; few fixes (12 < 30)"
    # a table without the column is judged as before
    assert plausibility(table.drop(columns="model_notes"))[0].all()

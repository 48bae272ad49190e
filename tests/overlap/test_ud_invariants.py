"""UD overlap invariants on real data, analytic overlaps, and the grid checks.

Invariants (Fieberg & Kochanny 2005, as adehabitatHR ``kerneloverlap`` defines
the indices): an animal with itself has BA = VI = its UD volume (1 within
1e-3), HR = 1 and HD = 0; BA, VI, HR, PHR lie in [0, 1], HD in [0, sqrt 2],
UDOI >= 0; BA, VI, UDOI and HD are symmetric.
"""

from __future__ import annotations

import math
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from habitat.batch.demo import load_demo_relocations
from habitat.core.errors import HabitatError, InputError, TooLargeError
from habitat.homerange.base import GridTooSmallWarning
from habitat.homerange.grid import LATTICE_MAX_CELLS
from habitat.overlap.ud import UD_VOLUME_TOLERANCE, ud_overlap

SHARED_RELOCATIONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "relocations"
SHARED_SETS = sorted(p.stem for p in SHARED_RELOCATIONS.glob("*.csv"))
#: any metric CRS will do: the indices are ratios of areas and volumes on one plane
LOCAL_METRIC = "+proj=tmerc +lat_0=0 +lon_0=0 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
TOL = 1e-3
RANGES = {
    "HR": (0.0, 1.0),
    "PHR": (0.0, 1.0),
    "VI": (0.0, 1.0),
    "BA": (0.0, 1.0),
    "UDOI": (0.0, math.inf),
    "HD": (0.0, math.sqrt(2.0)),
}
SYMMETRIC = ("BA", "VI", "UDOI", "HD")


@pytest.fixture(scope="module")
def demo():
    return load_demo_relocations()


def assert_invariants(matrices, *, only=None):
    """The invariants, for every animal (or those in ``only``)."""
    names = list(matrices["BA"].index)
    keep = [n for n in names if only is None or n in only]
    for m, (lo, hi) in RANGES.items():
        a = matrices[m].loc[keep, keep].to_numpy()
        assert np.isfinite(a).all(), m
        assert a.min() >= lo - 1e-12 and a.max() <= hi + 1e-12, (m, a.min(), a.max())
    for m in SYMMETRIC:
        a = matrices[m].loc[keep, keep].to_numpy()
        np.testing.assert_allclose(a, a.T, rtol=1e-12, atol=1e-15, err_msg=m)
    for n in keep:
        assert matrices["BA"].loc[n, n] == pytest.approx(1.0, abs=TOL), n
        assert matrices["VI"].loc[n, n] == pytest.approx(1.0, abs=TOL), n
        assert matrices["HR"].loc[n, n] == 1.0, n
        assert matrices["HD"].loc[n, n] == pytest.approx(0.0, abs=TOL), n
        assert matrices["PHR"].loc[n, n] <= 1.0, n


def shared_set(name):
    """One shared set as a GeoDataFrame; a one-animal set as its two halves in time."""
    df = pd.read_csv(SHARED_RELOCATIONS / f"{name}.csv")
    ids = df["id"].astype(str)
    if ids.nunique() < 2:
        half = np.arange(len(df)) >= len(df) // 2
        ids = ids + np.where(half, " (2nd half)", " (1st half)")
    return gpd.GeoDataFrame(
        {"individual": ids}, geometry=gpd.points_from_xy(df["x"], df["y"]), crs=LOCAL_METRIC
    )


def two(xy_a, xy_b):
    return gpd.GeoDataFrame(
        {"individual": ["A"] * len(xy_a) + ["B"] * len(xy_b)},
        geometry=gpd.points_from_xy(*np.vstack([xy_a, xy_b]).T),
        crs=32652,
    )


# ------------------------------------------------------------ the defaults
def test_demo_defaults_hold_every_invariant_without_a_warning(demo):
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridTooSmallWarning)
        table, matrices = ud_overlap(demo)
    assert_invariants(matrices)
    attrs = table.attrs
    assert attrs["grid"] == "bandwidth" and all(attrs["grid_ok"].values())
    assert set(attrs["grid_problem"].values()) == {""}
    assert attrs["cell_size_m"] == pytest.approx(min(attrs["bandwidth_m"].values()) / 6)
    for vol in attrs["ud_volume"].values():
        assert abs(vol - 1.0) <= UD_VOLUME_TOLERANCE
    assert table["grid_ok"].all()
    # BA and VI of an animal with itself ARE its UD volume on the grid
    for n, vol in attrs["ud_volume"].items():
        assert matrices["BA"].loc[n, n] == pytest.approx(vol, rel=1e-12)


@pytest.mark.skipif(not SHARED_RELOCATIONS.is_dir(), reason="shared relocation data not present")
@pytest.mark.parametrize("name", SHARED_SETS)
def test_every_shared_data_set_holds_every_invariant(name):
    fixes = shared_set(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridTooSmallWarning)
        table, matrices = ud_overlap(fixes)
    assert_invariants(matrices)
    assert all(table.attrs["grid_ok"].values())
    # the conditional UDs and other levels keep them too
    _, cond = ud_overlap(fixes, conditional=True, level=0.5)
    for n in cond["HR"].index:
        assert cond["HR"].loc[n, n] == 1.0 and cond["HD"].loc[n, n] == 0.0
        # conditional: the UD inside the 50 % range holds 50 % of the volume
        assert cond["BA"].loc[n, n] == pytest.approx(0.5, abs=2e-2)


@pytest.mark.slow
def test_the_default_grid_has_converged(demo):
    """Cells of h/6: every index within 1e-3 of the same on cells of h/12."""
    table, fine = ud_overlap(demo)
    h = min(table.attrs["bandwidth_m"].values())
    _, finer = ud_overlap(demo, cell_size_m=h / 12)
    for m in fine:
        np.testing.assert_allclose(fine[m], finer[m], atol=1e-3, rtol=0, err_msg=m)


# ------------------------------------------------------- analytic truths
def _phi(z):
    """Standard normal distribution function."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


@pytest.mark.parametrize("d_over_h", [0.0, 0.5, 1.0, 2.5, 6.0])
def test_shifted_kernels_give_the_normal_overlaps(d_over_h):
    """Fixes 100 km apart, one fixed h: each UD is 5 separate normal kernels.

    Two animals whose fixes differ by a shift d (along x) overlap as two normals
    of sd h whose means are d apart, each cut at 4 h per axis as adehabitatHR's
    kernel: without the cut BA = exp(-d²/8h²) and VI = erfc(d / (2 sqrt2 h))
    (Fieberg & Kochanny 2005); with it, sqrt(f g) = exp(-d²/8h²) times a normal
    about d/2 kept within 4h - d/2 of it, min(f, g) is each normal beyond d/2
    up to 4 h, and on y both are the same normal kept within 4 h.
    """
    h, d = 1000.0, d_over_h * 1000.0
    base = np.array([[0, 0], [100e3, 0], [0, 100e3], [100e3, 100e3], [50e3, 50e3]]) + 5e5
    fixes = two(base, base + [d, 0.0])
    table, m = ud_overlap(fixes, bandwidth_m=h)
    kept_y = 2 * _phi(4.0) - 1  # mass within 4 h on y (0.99994)
    ba = math.exp(-(d**2) / (8 * h * h)) * (2 * _phi(4.0 - d / (2 * h)) - 1) * kept_y
    vi = 2 * (_phi(4.0) - _phi(d / (2 * h))) * kept_y
    vol = kept_y**2
    assert m["BA"].loc["A", "B"] == pytest.approx(ba, abs=TOL)
    # min(f, g) has a kink at d/2: the cell centred on it overestimates by up to
    # |f'| c² / 4 (midpoint rule), |f'| <= phi(1) / h²; for c = h/6, 1.7e-3
    kink = (table.attrs["cell_size_m"] / h) ** 2 * math.exp(-0.5) / math.sqrt(2 * math.pi) / 4
    assert m["VI"].loc["A", "B"] == pytest.approx(vi, abs=TOL + kink)
    assert m["HD"].loc["A", "B"] == pytest.approx(math.sqrt(2 * vol - 2 * ba), abs=2 * TOL)
    # and the uncut normals' values, to the mass the cut removes
    assert m["BA"].loc["A", "B"] == pytest.approx(math.exp(-(d**2) / (8 * h * h)), abs=0.004)
    uncut = math.erfc(d / (2 * math.sqrt(2) * h))
    assert m["VI"].loc["A", "B"] == pytest.approx(uncut, abs=TOL + kink)
    assert all(table.attrs["grid_ok"].values())
    # five kernels 100 km apart: five small blocks, not a 100 km raster
    assert table.attrs["n_cells"] < 10 * (8 * 6 + 2) ** 2


def test_animals_1000_km_apart_need_no_1000_km_raster():
    rng = np.random.default_rng(3)
    a = rng.normal(0, 2000, (400, 2)) + [5e5, 4.8e6]
    table, m = ud_overlap(two(a, a + [1e6, 0.0]))
    assert m["BA"].loc["A", "B"] == 0.0 and m["VI"].loc["A", "B"] == 0.0
    assert m["HR"].loc["A", "B"] == 0.0 and m["PHR"].loc["A", "B"] == 0.0
    assert m["UDOI"].loc["A", "B"] == 0.0
    assert m["HD"].loc["A", "B"] == pytest.approx(math.sqrt(2), abs=TOL)
    assert_invariants(m)
    cell = table.attrs["cell_size_m"]
    # the cells each range needs, not (1000 km / cell)²
    assert table.attrs["n_cells"] < 2 * ((np.ptp(a, axis=0) / cell + 60).prod())
    assert table.attrs["n_cells"] < 1e6 < (1e6 / cell) ** 2


def test_indices_do_not_depend_on_where_the_animals_are():
    rng = np.random.default_rng(5)
    a = rng.normal(0, 1500, (300, 2)) + [5e5, 4.8e6]
    b = rng.normal(0, 2500, (300, 2)) + [5e5 + 2000, 4.8e6 + 500]
    _, here = ud_overlap(two(a, b))
    _, there = ud_overlap(two(a + [123_456.7, -98_765.4], b + [123_456.7, -98_765.4]))
    for k in here:
        np.testing.assert_allclose(here[k], there[k], atol=TOL, rtol=0, err_msg=k)


# ------------------------------------------- adehabitatHR's grid, checked
@pytest.mark.parametrize(
    "options",
    [{"grid": 60}, {"grid": 20}, {"grid": 200}, {"grid": 120, "extent": 0.0}, {"extent": 0.1}],
)
def test_an_explicit_grid_is_flagged_exactly_where_it_breaks_the_invariants(demo, options):
    """grid_ok True => the invariants hold for that animal; broken => flagged and warned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table, m = ud_overlap(demo, **options)
    ok = table.attrs["grid_ok"]
    good = [n for n, v in ok.items() if v]
    if good:
        assert_invariants(m, only=good)
    for n, v in ok.items():
        broken = (
            abs(m["BA"].loc[n, n] - 1) > TOL
            or m["HR"].loc[n, n] != 1.0  # NaN too
            # PHR(i, j) is j's UD summed over i's range: at most j's volume
            or m["PHR"].loc[:, n].max() > 1
        )
        if broken:
            assert not v and table.attrs["grid_problem"][n], n
    bad = [n for n, v in ok.items() if not v]
    warned = [w for w in caught if issubclass(w.category, GridTooSmallWarning)]
    assert bool(warned) == bool(bad)
    for n in bad:
        assert f"'{n}'" in str(warned[0].message)
    pairs = table.set_index(["individual_a", "individual_b"])["grid_ok"]
    for (a, b), v in pairs.items():
        assert v == (ok[a] and ok[b])


def test_the_old_default_grid_is_flagged_on_the_demo(demo):
    """adehabitatHR's grid=60 over the study area: ~10 km cells for ~1 km bandwidths."""
    with pytest.warns(GridTooSmallWarning, match="coarser than 1.5 bandwidths"):
        table, _ = ud_overlap(demo, grid=60)
    assert not any(table.attrs["grid_ok"].values())
    assert table.attrs["cell_size_m"] > 5 * max(table.attrs["bandwidth_m"].values())


def test_cells_coarsened_to_fit_memory_are_flagged(monkeypatch):
    """A 10 m bandwidth next to a continent-wide one: cells coarsened, the small one flagged."""
    monkeypatch.setattr("habitat.overlap.ud.LATTICE_MAX_CELLS", 200_000)
    rng = np.random.default_rng(2)
    small = rng.normal(0, 20, (60, 2)) + [5e5, 4.8e6]
    wide = rng.normal(0, 5e5, (60, 2)) + [5e5, 4.8e6]
    with pytest.warns(GridTooSmallWarning, match="'A'.*coarsened"):
        table, m = ud_overlap(two(small, wide))
    assert table.attrs["grid_ok"] == {"A": False, "B": True}
    assert table.attrs["n_cells"] <= 200_000 < LATTICE_MAX_CELLS
    assert_invariants(m, only=["B"])
    with pytest.raises(TooLargeError, match="cell_size_m"):
        ud_overlap(two(small, wide), cell_size_m=1.0)


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "level", ["high", 0, 0.0, 1.5, 95, -0.5, float("nan"), math.inf, None, True]
)
def test_level_must_be_a_fraction(demo, level):
    with pytest.raises(InputError, match=r"level must be a fraction in \(0, 1\]"):
        ud_overlap(demo, level=level)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"methods": []}, "methods must be"),
        ({"methods": [1]}, "methods must be"),
        ({"methods": None}, "methods must be"),
        ({"methods": ["BA", "XX"]}, "unknown UD overlap method"),
        ({"grid": 2.5}, "grid must be"),
        ({"grid": 1}, "grid must be"),
        ({"grid": True}, "grid must be"),
        ({"grid": "fine"}, "grid must be"),
        ({"extent": -1}, "extent must be"),
        ({"extent": float("nan")}, "extent must be"),
        ({"extent": "big"}, "extent must be"),
        ({"cell_size_m": 0}, "cell_size_m must be"),
        ({"cell_size_m": -5.0}, "cell_size_m must be"),
        ({"cell_size_m": float("inf")}, "cell_size_m must be"),
        ({"cell_size_m": "100"}, "cell_size_m must be"),
        ({"cell_size_m": 100.0, "grid": 60}, "not both"),
        ({"conditional": "yes"}, "conditional must be True or False"),
        ({"exclude_flagged": None}, "exclude_flagged must be True or False"),
        ({"bandwidth": "silverman"}, "unknown bandwidth"),
        ({"bandwidth_m": -100.0}, "positive"),
        ({"levels": 0.9}, "unknown option 'levels'.*'level'"),
        ({"cellsize": 100}, "unknown option 'cellsize'"),
    ],
)
def test_every_option_is_checked(demo, options, message):
    with pytest.raises(HabitatError, match=message):
        ud_overlap(demo, **options)


def test_one_method_name_is_a_method(demo):
    _, m = ud_overlap(demo, methods="BA")
    assert list(m) == ["BA"]


@pytest.mark.slow
def test_a_hundred_animals_by_default_stay_fast():
    rng = np.random.default_rng(0)
    xy = rng.normal(0, 3000, (100, 1000, 2))
    xy += np.stack(np.meshgrid(np.arange(10) * 5000.0, np.arange(10) * 5000.0), -1).reshape(
        100, 1, 2
    ) + [5e5, 4.8e6]
    fixes = gpd.GeoDataFrame(
        {"individual": np.repeat([f"A{i:03d}" for i in range(100)], 1000)},
        geometry=gpd.points_from_xy(*xy.reshape(-1, 2).T),
        crs=32652,
    )
    t0 = time.perf_counter()
    table, m = ud_overlap(fixes)
    elapsed = time.perf_counter() - t0
    assert_invariants(m)
    assert elapsed < 20, elapsed  # about 4 s on one core

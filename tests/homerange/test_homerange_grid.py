"""The public KDE grid and bandwidth API, and the renamed parameters that still work."""

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from habitat.core.errors import InputError
from habitat.homerange import bandwidth, bbmm, grid, home_range, kde, locoh
from habitat.homerange.ud import utilization_distribution
from habitat.overlap.ud import ud_overlap


@pytest.fixture(scope="module")
def xy():
    return np.random.default_rng(1).normal(size=(200, 2)) * 1000


def relocations(n_animals=3, n=150, seed=4):
    rng = np.random.default_rng(seed)
    parts = [
        gpd.GeoDataFrame(
            {"individual": [f"L{k}"] * n},
            geometry=gpd.points_from_xy(
                *(rng.normal(0, 2500, (n, 2)) + [500_000 + 4000 * k, 4.8e6]).T
            ),
            crs=32652,
        )
        for k in range(n_animals)
    ]
    return pd.concat(parts, ignore_index=True)


# ------------------------------------------------- same numbers as habitat 0.1
@pytest.mark.parametrize(
    ("choice", "h_m"),
    [
        ("href", 376.5878317830616),
        ("lscv", 453.0465733875013),
        ("plugin", 372.64421306800654),
        ("pi", 372.64421306800654),
        (700.0, 700.0),
    ],
)
def test_resolve_bandwidth_m_gives_the_numbers_of_the_previous_release(xy, choice, h_m):
    assert bandwidth.resolve_bandwidth_m(xy, choice) == pytest.approx(h_m, rel=1e-12)


def test_kde_ud_gives_the_numbers_of_the_previous_release(xy):
    ud, transform, h = kde.kde_ud(xy, grid=80)
    assert h == pytest.approx(376.5878317830616, rel=1e-12)
    assert transform == pytest.approx(
        (220.68333176010128, 0.0, -8080.564439295114, 0.0, -220.68333176010128, 9021.711701143993),
        rel=1e-12,
    )
    assert ud.shape == (80, 72)
    assert ud.max() == pytest.approx(1.8021291552977333e-07, rel=1e-12)
    ud, transform, _ = kde.kde_ud(xy, cell_size_m=100.0)
    assert transform == (100.0, 0.0, -4400.0, 0.0, -100.0, 4800.0) and ud.shape == (92, 87)
    assert ud[10, 17] == pytest.approx(1.1106527541325463e-09, rel=1e-12)


def test_kde_ud_is_the_public_pieces_put_together(xy):
    for options in ({"grid": 80}, {"cell_size_m": 150.0}, {"grid": 60, "extent": 0.5}):
        ud, transform, h = kde.kde_ud(xy, bandwidth="lscv", **options)
        h_m = bandwidth.resolve_bandwidth_m(xy, "lscv")
        xg, yg, cs = grid.ud_grid(xy, bandwidth_m=h_m, **options)
        raw = grid.ud_on_grid(xy, xg, yg, bandwidth_m=h_m)
        assert h == h_m and transform[0] == cs
        np.testing.assert_array_equal(ud, (raw / (raw.sum() * cs * cs))[::-1])


def test_ud_grid_modes(xy):
    xg, yg, cs = grid.ud_grid(xy, grid=31, extent=1.0)
    ax, ay = grid.adehabitat_grid(xy, grid=31, extent=1.0)
    np.testing.assert_array_equal(xg, ax)
    np.testing.assert_array_equal(yg, ay)
    assert cs == xg[1] - xg[0]
    xg, yg, cs = grid.ud_grid(xy, cell_size_m=500.0, bounds=(-2000, -1000, 3000, 1000))
    assert cs == 500.0 and len(xg) == 10 and len(yg) == 4 and xg[0] == -1750.0
    with pytest.raises(InputError, match="bandwidth_m"):
        grid.ud_grid(xy, cell_size_m=500.0)
    with pytest.raises(InputError, match="grid must be"):
        grid.ud_grid(xy, grid=2.5)


def test_the_old_kde_names_are_the_new_ones():
    assert kde.href is bandwidth.href and kde.lscv_score is bandwidth.lscv_score
    assert kde.volume_percent is grid.volume_percent and kde.kernel_area is grid.kernel_area
    assert kde.adehabitat_grid is grid.adehabitat_grid
    assert kde.LSCVBoundaryWarning is bandwidth.LSCVBoundaryWarning


def test_unknown_or_bad_bandwidths_say_how_to_fix(xy):
    with pytest.raises(InputError, match="href, lscv, plugin, pi"):
        bandwidth.resolve_bandwidth_m(xy, "silverman")
    with pytest.raises(InputError, match="positive number"):
        bandwidth.resolve_bandwidth_m(xy, -1.0)
    with pytest.raises(InputError, match="not both"):
        kde.estimate(xy, levels=0.95, bandwidth="lscv", bandwidth_m=500.0)


# ------------------------------------------------------- renamed parameters
def _silent(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        return call()


def test_the_readme_call_does_not_warn():
    out = _silent(lambda: home_range(relocations(1), method="kde", bandwidth="href", grid=200))
    assert len(out) == 2


def test_a_number_as_bandwidth_warns_and_gives_the_same_ranges(xy):
    new = _silent(lambda: kde.estimate(xy, levels=(0.5, 0.95), bandwidth_m=750.0))
    with pytest.warns(DeprecationWarning, match="bandwidth_m=750"):
        old = kde.estimate(xy, levels=(0.5, 0.95), bandwidth=750.0)
    assert [e.area_m2 for e in old] == [e.area_m2 for e in new]
    assert [e.params for e in old] == [e.params for e in new]
    with pytest.warns(DeprecationWarning, match="bandwidth_m"):
        old_ud = kde.kde_ud(xy, bandwidth=750.0)
    new_ud = _silent(lambda: kde.kde_ud(xy, bandwidth_m=750.0))
    np.testing.assert_array_equal(old_ud[0], new_ud[0])
    fixes = relocations(1)
    with pytest.warns(DeprecationWarning, match="bandwidth_m"):
        old_hr = home_range(fixes, method="kde", bandwidth=900)
    new_hr = _silent(lambda: home_range(fixes, method="kde", bandwidth_m=900))
    pd.testing.assert_frame_equal(old_hr, new_hr)
    assert (new_hr["bandwidth_m"] == 900.0).all()


def test_utilization_distribution_and_ud_overlap_take_bandwidth_m():
    fixes = relocations()
    new = _silent(lambda: utilization_distribution(fixes, cell_size_m=400, bandwidth_m=1200.0))
    with pytest.warns(DeprecationWarning, match="bandwidth_m"):
        old = utilization_distribution(fixes, cell_size_m=400, bandwidth=1200.0)
    for k in new:
        np.testing.assert_array_equal(old[k].array, new[k].array)
    new_t, _ = _silent(lambda: ud_overlap(fixes, bandwidth_m=1200.0))
    with pytest.warns(DeprecationWarning, match="bandwidth_m"):
        old_t, _ = ud_overlap(fixes, bandwidth=1200.0)
    pd.testing.assert_frame_equal(old_t, new_t)


def test_cell_size_and_h_are_renamed_with_units(xy):
    ud, transform, h = kde.kde_ud(xy, grid=40)
    cs = transform[0]
    vol = grid.volume_percent(ud, cs)
    with pytest.warns(DeprecationWarning, match="cell_size_m"):
        np.testing.assert_array_equal(grid.volume_percent(ud, cell_size=cs), vol)
    area = grid.kernel_area(vol, cs, 0.95)
    assert _silent(lambda: grid.kernel_area(vol, cell_size_m=cs, level=0.95)) == area
    with pytest.warns(DeprecationWarning, match="cell_size_m"):
        assert grid.kernel_area(vol, cell_size=cs, level=0.95) == area
    with pytest.raises(InputError, match="not both"):
        grid.volume_percent(ud, cs, cell_size=cs)
    hs = np.array([200.0, 400.0])
    with pytest.warns(DeprecationWarning, match="bandwidth_m"):
        old = bandwidth.lscv_score(xy, h=hs)
    np.testing.assert_array_equal(old, bandwidth.lscv_score(xy, hs))
    np.testing.assert_array_equal(old, bandwidth.lscv_score(xy, bandwidth_m=hs))


def test_locoh_a_and_r_are_renamed_with_units(xy):
    new = _silent(lambda: locoh.estimate(xy, levels=[0.9], kind="r", r_m=600.0))
    with pytest.warns(DeprecationWarning, match="r_m"):
        old = locoh.estimate(xy, levels=[0.9], kind="r", r=600.0)
    assert old[0].area_m2 == new[0].area_m2 and old[0].params == new[0].params
    new = _silent(lambda: locoh.estimate(xy, levels=[0.9], kind="a", a_m=3000.0))
    with pytest.warns(DeprecationWarning, match="a_m"):
        old = locoh.estimate(xy, levels=[0.9], kind="a", a=3000.0)
    assert old[0].area_m2 == new[0].area_m2


def test_the_bbmm_ud_is_bridge_ud_and_the_old_name_warns(xy):
    t = (np.arange(len(xy)) * 3600e9).astype(np.int64)
    new = _silent(lambda: bbmm.bridge_ud(xy, timestamps_ns=t, location_error_m=20.0))
    with pytest.warns(DeprecationWarning, match="bridge_ud"):
        old = bbmm.utilization_distribution(xy, timestamps_ns=t, location_error_m=20.0)
    np.testing.assert_array_equal(old.density, new.density)
    assert old.cell_size_m == new.cell_size_m


# ------------------------------------------- the lattice of the UD overlap
def _dense_oracle(xy, h, c, lud):
    """ud_on_grid on a grid of the same cells covering every stored cell."""
    cols = np.arange(lud.cols.min() - 2, lud.cols.max() + 3)
    rows = np.arange(lud.rows.min() - 2, lud.rows.max() + 3)
    dense = grid.ud_on_grid(xy, (cols + 0.5) * c, (rows + 0.5) * c, bandwidth_m=h)
    return dense, rows[0], cols[0]


@pytest.mark.parametrize(
    ("spread_m", "n"),
    [(2000.0, 300), (300_000.0, 40)],  # a compact range (dense block); fixes far apart (sparse)
)
def test_ud_on_lattice_is_ud_on_grid_on_the_same_cells(spread_m, n):
    xy = np.random.default_rng(7).normal(0, spread_m, (n, 2)) + [512_345.6, 4_801_234.5]
    h, c = 800.0, 800.0 / 6
    lud = grid.ud_on_lattice(xy, cell_size_m=c, bandwidth_m=h)
    dense, r0, c0 = _dense_oracle(xy, h, c, lud)
    assert (lud.values > 0).all() and lud.cell_size_m == c
    assert np.count_nonzero(dense) == len(lud.values)  # every cell the kernel reaches
    np.testing.assert_allclose(lud.values, dense[lud.rows - r0, lud.cols - c0], rtol=1e-12, atol=0)
    # cells sorted by row then column, each once
    key = lud.rows * 10**9 + lud.cols
    assert (np.diff(key) > 0).all()
    assert len(lud.values) <= grid.lattice_cell_estimate(xy, cell_size_m=c, bandwidth_m=h)
    # the volume is the truncated kernel's mass, wherever the fixes are
    assert lud.values.sum() * c * c == pytest.approx(0.9998, abs=1.5e-4)


def test_lattice_cells_align_whatever_the_fixes():
    """Cell corners on multiples of the cell size: two animals' cells coincide."""
    a = grid.ud_on_lattice([(1234.5, 987.6), (1500.0, 1000.0)], cell_size_m=50.0, bandwidth_m=100.0)
    b = grid.ud_on_lattice([(1260.0, 960.0), (1400.0, 900.0)], cell_size_m=50.0, bandwidth_m=150.0)
    cells_a = set(zip(a.rows.tolist(), a.cols.tolist(), strict=True))
    common = cells_a & set(zip(b.rows.tolist(), b.cols.tolist(), strict=True))
    assert len(common) > 0.5 * len(a.values)
    # cell (row, col) has its centre at ((col + 0.5) c, (row + 0.5) c): the first
    # cells are the first centres within 4 h = 400 m of the fixes
    first_row = math.ceil((987.6 - 400) / 50 - 0.5)
    first_col = math.ceil((1234.5 - 400) / 50 - 0.5)
    assert (int(a.rows.min()), int(a.cols.min())) == (first_row, first_col) == (12, 17)
    # the peak is in the cell holding the fix (1234.5, 987.6), 16 m from that
    # cell's centre (1225, 975): row 19, column 24
    peak = int(np.argmax(a.values))
    assert (int(a.rows[peak]), int(a.cols[peak])) == (19, 24)


def test_ud_on_lattice_and_ud_on_grid_refuse_bad_sizes():
    with pytest.raises(InputError, match="cell_size_m"):
        grid.ud_on_lattice([(0, 0)], cell_size_m=0.0, bandwidth_m=100.0)
    with pytest.raises(InputError, match="bandwidth_m"):
        grid.ud_on_lattice([(0, 0)], cell_size_m=10.0, bandwidth_m=float("nan"))


def test_ud_on_grid_in_chunks_is_the_same(monkeypatch):
    """Wide kernels on a fine grid are summed in chunks of fixes, to bound memory."""
    xy = np.random.default_rng(8).normal(0, 1000, (500, 2))
    g = np.linspace(-5000, 5000, 201)
    whole = grid.ud_on_grid(xy, g, g, bandwidth_m=1500.0)
    monkeypatch.setattr(grid, "_CHUNK_VALUES", 5_000)
    chunked = grid.ud_on_grid(xy, g, g, bandwidth_m=1500.0)
    np.testing.assert_allclose(chunked, whole, rtol=1e-12, atol=1e-25)
    lud = grid.ud_on_lattice(
        xy + [0.0, 300_000.0] * (np.arange(500)[:, None] % 2), cell_size_m=250.0, bandwidth_m=1000.0
    )
    monkeypatch.setattr(grid, "_CHUNK_VALUES", 4_000_000)
    again = grid.ud_on_lattice(
        xy + [0.0, 300_000.0] * (np.arange(500)[:, None] % 2), cell_size_m=250.0, bandwidth_m=1000.0
    )
    np.testing.assert_array_equal(lud.rows, again.rows)
    np.testing.assert_allclose(lud.values, again.values, rtol=1e-12)

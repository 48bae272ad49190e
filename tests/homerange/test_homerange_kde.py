"""Kernel (KDE) home ranges with adehabitatHR 0.4.22 semantics."""

import math
import time
import warnings

import numpy as np
import pytest
import shapely

from habitat.core.errors import InputError, InsufficientDataError
from habitat.homerange import grid, kde
from habitat.io.raster import Raster

SQUARE = 1000.0 * np.array([(0, 0), (2, 0), (0, 2), (2, 2), (1, 1)], dtype=float)


def brute_force_ud(xy, h, xg, yg):
    """Literal transcription of adehabitatHR's C ``epa``: a double loop, box |d| < 4h."""
    ud = np.zeros((len(yg), len(xg)))
    for r, gy in enumerate(yg):
        for c, gx in enumerate(xg):
            total = 0.0
            for x, y in xy:
                if gx - 4 * h < x < gx + 4 * h and gy - 4 * h < y < gy + 4 * h:
                    total += math.exp(-((x - gx) ** 2 + (y - gy) ** 2) / (2 * h * h))
            ud[r, c] = total / (len(xy) * h * h * 2 * math.pi)
    return ud


def slow_cv(xy, h, exact=False):
    """LSCV from its definition: ∫f̂² (normal convolution) − (2/n) Σ f̂_{−i}(x_i).

    Full n x n distance matrix, no pair halving; with ``exact=False`` the
    leave-one-out density uses 1/n instead of 1/(n−1), as adehabitatHR.
    """
    n = len(xy)
    d2 = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)

    def phi(var):
        return np.exp(-d2 / (2 * var)) / (2 * math.pi * var)

    int_f2 = phi(2 * h * h).sum() / n**2
    off = phi(h * h)
    np.fill_diagonal(off, 0.0)
    loo = off.sum(axis=1) / ((n - 1) if exact else n)
    return int_f2 - 2.0 / n * loo.sum()


# ---------------------------------------------------------------- bandwidth
def test_href_on_a_hand_computable_set():
    # var x = var y = (1 + 1 + 1 + 1 + 0) / 4 km² = 1 km², so sigma = 1000 m
    assert kde.href(SQUARE) == pytest.approx(1000.0 * 5 ** (-1 / 6), rel=1e-12)
    # anisotropic: var x = 4 km², var y = 1 km² -> sigma = sqrt(2.5) km
    xy = SQUARE * [2.0, 1.0]
    assert kde.href(xy) == pytest.approx(1000.0 * math.sqrt(2.5) * 5 ** (-1 / 6), rel=1e-12)


def test_number_bandwidth_is_used_as_metres():
    out = kde.estimate(SQUARE, levels=0.95, bandwidth_m=750)
    assert out[0].params["bandwidth_m"] == 750.0


def test_lscv_score_matches_the_definition_and_adehabitat():
    rng = np.random.default_rng(1)
    xy = rng.normal(0, 500, (25, 2))
    hs = np.array([80.0, 150.0, 400.0])
    fast = kde.lscv_score(xy, hs, exact=False)
    exact = kde.lscv_score(xy, hs, exact=True)
    assert fast == pytest.approx([slow_cv(xy, h) for h in hs], rel=1e-10)
    assert exact == pytest.approx([slow_cv(xy, h, exact=True) for h in hs], rel=1e-10)
    # adehabitatHR's closed form (C routine `L`) over pairs i < j
    d = [math.dist(xy[i], xy[j]) for i in range(25) for j in range(i + 1, 25)]
    h = 150.0
    s = sum(math.exp(-(v**2) / (4 * h * h)) - 4 * math.exp(-(v**2) / (2 * h * h)) for v in d)
    ade = 1 / (math.pi * h * h * 25) + (2 * s - 3 * 25) / (math.pi * 4 * h * h * 25**2)
    assert fast[1] == pytest.approx(ade, rel=1e-10)


def test_lscv_is_the_grid_minimiser_and_below_href_for_clusters():
    rng = np.random.default_rng(2)
    centres = rng.uniform(0, 20_000, (6, 2))
    xy = np.repeat(centres, 30, axis=0) + rng.normal(0, 700, (180, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # converged: no boundary warning
        h, hv, cv = kde.lscv_bandwidth(xy)
    h_ref = kde.href(xy)
    assert hv[0] == pytest.approx(0.1 * h_ref) and hv[-1] == pytest.approx(1.5 * h_ref)
    assert len(hv) == 100
    slow = np.array([slow_cv(xy, v) for v in hv])
    assert h == hv[int(np.argmin(slow))]
    assert hv[0] < h < 0.7 * h_ref
    assert cv == pytest.approx(slow, rel=1e-9)
    est = kde.estimate(xy, levels=0.95, bandwidth="lscv", grid=80)
    assert est[0].params["bandwidth_m"] == h


def test_lscv_warns_when_the_minimum_is_at_the_boundary():
    # 10 places each visited 5 times: CV(h) -> -inf as h -> 0
    rng = np.random.default_rng(3)
    xy = np.repeat(rng.uniform(0, 10_000, (10, 2)), 5, axis=0)
    with pytest.warns(kde.LSCVBoundaryWarning, match="did not converge"):
        h, hv, _ = kde.lscv_bandwidth(xy)
    assert h == hv[0]


def test_plugin_is_close_to_the_amise_optimum_for_normal_data():
    rng = np.random.default_rng(4)
    sigma = 3000.0
    for n in (500, 3000):
        xy = rng.normal(0, sigma, (n, 2))
        target = sigma * n ** (-1 / 6)  # AMISE-optimal scalar h for N(0, sigma² I)
        assert kde.plugin_bandwidth(xy) == pytest.approx(target, rel=0.12)
    assert kde.estimate(xy, levels=0.5, bandwidth="pi")[0].params[
        "bandwidth_m"
    ] == kde.plugin_bandwidth(xy)


def test_plugin_is_smaller_than_href_for_bimodal_data():
    rng = np.random.default_rng(5)
    xy = np.concatenate([rng.normal(0, 500, (400, 2)), rng.normal(8000, 500, (400, 2))])
    assert kde.plugin_bandwidth(xy) < 0.6 * kde.href(xy)


# --------------------------------------------------------------------- grid
def test_adehabitat_grid_geometry_x_longer():
    # x range 10 km, y range 4.5 km; extent 1 -> x in [-10, 20] km, y in [-4.5, 9] km
    xy = np.array([(0, 0), (10_000, 0), (0, 4500), (10_000, 4500), (5000, 2000)], float)
    xg, yg = kde.adehabitat_grid(xy, grid=31, extent=1.0)
    assert len(xg) == 31
    assert xg[0] == -10_000 and xg[-1] == pytest.approx(20_000)
    assert np.diff(xg) == pytest.approx(np.full(30, 1000.0))
    # seq(-4500, 9000, by = 1000): 14 nodes, the last at 8500 (< 9000)
    assert len(yg) == 14
    assert yg[0] == -4500 and yg[-1] == pytest.approx(8500)
    assert np.diff(yg) == pytest.approx(np.full(13, 1000.0))


def test_adehabitat_grid_geometry_y_longer():
    xy = np.array([(0, 0), (3000, 0), (0, 9000), (3000, 9000), (1000, 1000)], float)
    xg, yg = kde.adehabitat_grid(xy, grid=10, extent=0.5)
    # y in [-4500, 13500] -> 10 nodes every 2000 m; x in [-1500, 4500] -> 4 nodes
    assert len(yg) == 10 and yg[0] == -4500 and yg[-1] == pytest.approx(13_500)
    assert xg == pytest.approx([-1500, 500, 2500, 4500])
    with pytest.warns(kde.GridTooSmallWarning):  # a coarse, tight grid
        est = kde.estimate(xy, levels=0.95, grid=10, extent=0.5)[0]
    assert (est.params["grid_nodes_x"], est.params["grid_nodes_y"]) == (4, 10)
    assert est.params["cell_size_m"] == pytest.approx(2000.0)


# ----------------------------------------------------------------------- UD
def test_ud_matches_a_brute_force_double_loop_with_truncation():
    xy = np.array([(0, 0), (900, 300), (2500, 2600), (400, 3100), (3000, 200)], float)
    h = 200.0
    xg = np.linspace(-500, 3500, 10)
    yg = np.linspace(-600, 3600, 10)
    got = grid.ud_on_grid(xy, xg, yg, bandwidth_m=h)
    want = brute_force_ud(xy, h, xg, yg)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-300)
    # the truncation matters here: without the 4h box some cells would differ
    untrunc = np.zeros_like(want)
    for x, y in xy:
        untrunc += np.exp(-((xg[None, :] - x) ** 2 + (yg[:, None] - y) ** 2) / (2 * h * h))
    untrunc /= len(xy) * h * h * 2 * math.pi
    assert np.count_nonzero(want == 0) > 0
    assert not np.allclose(untrunc, want, rtol=1e-9, atol=0)


def test_kde_ud_is_north_up_and_normalised():
    rng = np.random.default_rng(6)
    xy = np.concatenate([rng.normal((0, 20_000), 800, (300, 2)), rng.normal(0, 800, (30, 2))])
    ud, transform, h = kde.kde_ud(xy, grid=50)
    cs = transform[0]
    assert ud.sum() * cs * cs == pytest.approx(1.0, rel=1e-12)
    assert transform[4] == -cs and transform[1] == transform[3] == 0
    xg, yg = kde.adehabitat_grid(xy, 50, 1.0)
    assert transform[2] == pytest.approx(xg[0] - cs / 2)
    assert transform[5] == pytest.approx(yg[-1] + cs / 2)
    assert ud.shape == (len(yg), len(xg))
    # most fixes are in the north: the top half holds most of the mass
    top = ud[: ud.shape[0] // 2].sum() / ud.sum()
    assert top > 0.8
    # same UD as the raw node evaluation, flipped and scaled
    raw = grid.ud_on_grid(xy, xg, yg, bandwidth_m=h)
    assert ud[::-1] == pytest.approx(raw / (raw.sum() * cs * cs), rel=1e-12)
    r = Raster(ud, transform, crs=32652)
    assert r.shape == ud.shape


def test_volume_and_kernel_area_on_a_hand_built_ud():
    ud = np.array([[0.125, 0.5], [0.25, 0.125]])  # cell size 1 -> volume 1
    vol = kde.volume_percent(ud, 1.0)
    # ranked 0.5, 0.25, then the two ties in array order
    assert vol == pytest.approx(np.array([[87.5, 50.0], [75.0, 100.0]]))
    assert kde.kernel_area(vol, 1.0, 0.75) == 2.0  # inclusive: 75 <= 75
    assert kde.kernel_area(vol, 1.0, 0.74) == 1.0
    assert kde.kernel_area(vol, 10.0, 1.0) == 400.0  # 4 cells of 100 m²


def test_normal_data_give_the_analytic_isopleth_areas():
    rng = np.random.default_rng(7)
    sigma = 3000.0
    xy = rng.normal(0, sigma, (20_000, 2))
    out = kde.estimate(xy, levels=(0.5, 0.95), grid=200)
    h = out[0].params["bandwidth_m"]
    assert h == pytest.approx(kde.href(xy))
    for est, p in zip(out, (0.5, 0.95), strict=True):
        # the KDE is the data convolved with the kernel: N(0, (sigma² + h²) I)
        analytic = math.pi * (-2 * math.log(1 - p)) * (sigma**2 + h**2)
        assert est.params["contour_area_km2"] * 1e6 == pytest.approx(analytic, rel=0.03)
        assert est.area_m2 == pytest.approx(analytic, rel=0.03)
        assert est.params["grid_warning"] is False
        assert est.geometry.is_valid and est.geometry.geom_type == "Polygon"
        assert est.geometry.contains(shapely.Point(0, 0))
        assert est.params["grid_volume"] == pytest.approx(1.0, abs=1e-3)


def test_contour_has_holes_and_islands_with_even_odd_nesting():
    # a ring of fixes: the 50 % isopleth is an annulus (a polygon with a hole)
    rng = np.random.default_rng(8)
    a = rng.uniform(0, 2 * np.pi, 3000)
    xy = np.c_[10_000 * np.cos(a), 10_000 * np.sin(a)] + rng.normal(0, 500, (3000, 2))
    est = kde.estimate(xy, levels=0.5, grid=150)[0]
    g = est.geometry
    assert g.is_valid and g.geom_type == "Polygon"
    assert len(g.interiors) == 1
    assert not g.contains(shapely.Point(0, 0))
    assert g.contains(shapely.Point(10_000, 0))
    # two separate clusters: a MultiPolygon of two parts
    xy2 = np.concatenate([rng.normal(0, 300, (500, 2)), rng.normal(20_000, 300, (500, 2))])
    g2 = kde.estimate(xy2, levels=0.9, grid=150)[0].geometry
    assert g2.geom_type == "MultiPolygon" and len(g2.geoms) == 2


def test_grid_warning_and_growing_the_grid():
    rng = np.random.default_rng(9)
    xy = rng.normal(0, 2000, (500, 2))
    with pytest.warns(kde.GridTooSmallWarning, match="too small"):
        small = kde.estimate(xy, levels=0.95, extent=0.01, standardize=True)[0]
    assert small.params["grid_warning"] is True
    # adehabitatHR's default (standardize=FALSE) ranks raw volumes: the volume
    # missing from the small grid makes more cells count, not fewer
    with pytest.warns(kde.GridTooSmallWarning, match="too small"):
        raw = kde.estimate(xy, levels=0.95, extent=0.01)[0]
    assert raw.area_m2 > small.area_m2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grown = kde.estimate(xy, levels=0.95, extent=0.01, grow_grid=True)[0]
        ref = kde.estimate(xy, levels=0.95, grid=60, extent=1.0)[0]
    assert grown.params["grid_warning"] is False
    # the 100 % range of a grid that holds the whole truncated UD is not flagged
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        full = kde.estimate(xy, levels=1.0, extent=1.0)[0]
    assert full.params["grid_warning"] is False
    assert grown.area_m2 > small.area_m2
    assert grown.area_m2 == pytest.approx(ref.area_m2, rel=0.1)


def test_cell_size_mode_and_shared_grids():
    rng = np.random.default_rng(10)
    a = rng.normal(0, 1500, (300, 2)) + 500_000
    b = rng.normal(3000, 1500, (300, 2)) + 500_000
    ud_a, t_a, h_a = kde.kde_ud(a, cell_size_m=250)
    assert t_a[0] == 250 and t_a[2] % 250 == 0 and t_a[5] % 250 == 0
    pad = 4 * h_a * 1.1
    assert t_a[2] <= a[:, 0].min() - pad and t_a[5] >= a[:, 1].max() + pad
    assert ud_a.sum() * 250**2 == pytest.approx(1.0)
    # a Raster template puts another animal on exactly the same grid
    template = Raster(ud_a, t_a, crs=32652)
    ud_b, t_b, _ = kde.kde_ud(b, grid=template)
    assert t_b == pytest.approx(t_a) and ud_b.shape == ud_a.shape
    # bounds (cell corners) likewise
    bounds = (490_000.0, 490_000.0, 510_000.0, 512_000.0)
    u1, t1, _ = kde.kde_ud(a, cell_size_m=500, bounds=bounds)
    u2, t2, _ = kde.kde_ud(b, cell_size_m=500, bounds=bounds)
    assert t1 == t2 == (500.0, 0.0, 490_000.0, 0.0, -500.0, 512_000.0)
    assert u1.shape == u2.shape == (44, 40)
    est = kde.estimate(a, levels=0.95, cell_size_m=250)[0]
    assert est.params["cell_size_m"] == 250 and est.params["grid_warning"] is False


# ------------------------------------------------------------------- errors
def test_bad_inputs_raise_habitat_errors():
    with pytest.raises(InsufficientDataError, match="at least 5 fixes"):
        kde.estimate(SQUARE[:4], levels=0.95)
    with pytest.raises(InsufficientDataError, match="same place"):
        kde.estimate(np.full((10, 2), 1000.0), levels=0.95)
    bad = SQUARE.copy()
    bad[2, 1] = np.nan
    with pytest.raises(InputError, match="NaN"):
        kde.estimate(bad, levels=0.95)
    with pytest.raises(InputError, match=r"fractions in \(0, 1\]"):
        kde.estimate(SQUARE, levels=95)
    with pytest.raises(InputError, match=r"fractions in \(0, 1\]"):
        kde.estimate(SQUARE, levels=(0.5, 0.0))
    with pytest.raises(InputError, match="href, lscv, plugin, pi"):
        kde.estimate(SQUARE, levels=0.95, bandwidth="silverman")
    with pytest.raises(InputError, match="positive number"):
        kde.estimate(SQUARE, levels=0.95, bandwidth_m=-5)
    with pytest.raises(InputError, match="grid must be"):
        kde.estimate(SQUARE, levels=0.95, grid=1)


@pytest.mark.slow
def test_speed_ten_animals_of_ten_thousand_fixes():
    rng = np.random.default_rng(11)
    animals = [rng.normal(0, 3000, (10_000, 2)) for _ in range(10)]
    kde.estimate(animals[0], levels=0.95, grid=200)  # warm-up
    t = time.perf_counter()
    for xy in animals:
        kde.estimate(xy, levels=0.95, grid=200)
    assert time.perf_counter() - t < 1.5


def test_standardize_false_ranks_raw_volumes():
    rng = np.random.default_rng(12)
    xy = rng.normal(0, 2000, (400, 2))
    # an adequate grid holds ~all of the UD: both ways give the same cells (within one)
    a = kde.estimate(xy, levels=0.95, standardize=True)[0]
    b = kde.estimate(xy, levels=0.95)[0]  # default: standardize=False, as adehabitatHR
    assert abs(a.area_m2 - b.area_m2) <= a.params["cell_size_m"] ** 2 + 1e-6
    # a grid over the core only misses volume: raw percentages are lower, so
    # more cells count (here all of them)
    core = {"cell_size_m": 100.0, "bounds": (-2000.0, -2000.0, 2000.0, 2000.0)}
    with pytest.warns(kde.GridTooSmallWarning):
        c = kde.estimate(xy, levels=0.5, standardize=True, **core)[0]
    with pytest.warns(kde.GridTooSmallWarning):
        d = kde.estimate(xy, levels=0.5, standardize=False, **core)[0]
    assert c.params["grid_volume"] < 0.6
    assert d.area_m2 > c.area_m2
    assert d.area_m2 == pytest.approx(4000.0**2)

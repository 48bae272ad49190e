"""The UD grid's cell size from the bandwidth, and the cap on cells (homerange.grid, homerange.ud).

Oracles: the rule's own definition (h/6 rounded down to 1, 1.2, 1.5, 2, 2.5, 3,
4, 5, 6, 8 x 10^k), href written out (sqrt of the mean axis variance times
n^(-1/6)), the shape of the grid actually built, and the KDE area on a much
finer grid.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from habitat.core.errors import InputError
from habitat.datasets.simulate import sigma_for_area_m
from habitat.homerange.grid import (
    CELL_PER_BANDWIDTH,
    READABLE_CELL_STEPS,
    UD_MAX_CELLS,
    GridCoarsenedWarning,
    capped_cell_size_m,
    default_cell_size_m,
    grid_cell_count,
    kernel_area,
    volume_percent,
)
from habitat.homerange.ud import ud_cell_size_m, utilization_distribution

UTM = 32652  # metres; the fixes below are placed around (500 km, 4800 km)


def _mantissa_is_readable(value: float) -> bool:
    k = math.floor(math.log10(value))
    m = value / 10.0**k
    return any(math.isclose(m, s, rel_tol=1e-9) for s in (*READABLE_CELL_STEPS, 10.0))


def _href(xy: np.ndarray) -> float:
    """Worton's reference bandwidth, written out."""
    return math.sqrt(0.5 * (xy[:, 0].var(ddof=1) + xy[:, 1].var(ddof=1))) * len(xy) ** (-1 / 6)


def _animal(sigma_m: float, n: int, name: str, seed: int, centre=(500_000.0, 4_800_000.0)):
    xy = np.random.default_rng(seed).normal(0.0, sigma_m, (n, 2)) + centre
    return gpd.GeoDataFrame(
        {"individual": [name] * n}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=UTM
    )


# ----------------------------------------------------------------------------- the rule


def test_cells_are_a_sixth_of_the_bandwidth_rounded_down_to_a_readable_size():
    hs = np.exp(np.random.default_rng(0).uniform(np.log(0.05), np.log(5e6), 2000))
    for h in hs:
        c = default_cell_size_m(float(h))
        assert c <= CELL_PER_BANDWIDTH * h * (1 + 1e-12)  # never coarser than h/6
        assert c > h / 8 * (1 - 1e-12)  # the readable steps are at most 4/3 apart
        assert _mantissa_is_readable(c), c
    assert CELL_PER_BANDWIDTH == pytest.approx(1 / 6)


@pytest.mark.parametrize(
    ("h", "cell"),
    [(600.0, 100.0), (1000.0, 150.0), (1200.0, 200.0), (1199.0, 150.0), (50_000.0, 8000.0)],
)
def test_cell_examples(h, cell):
    assert default_cell_size_m(h) == cell


@pytest.mark.parametrize("bad", [0.0, -5.0, math.nan, math.inf, "1000", None, True])
def test_cell_rule_refuses_bad_bandwidths(bad):
    with pytest.raises(InputError, match="bandwidth_m"):
        default_cell_size_m(bad)


def test_leopard_scale_animals_get_cells_of_about_200_m():
    """Published leopard ranges (F 15-38 sq mi, M up to 155 sq mi), 2,000 fixes each."""
    for sq_mi in (15.0, 38.0, 155.0):
        sigma = sigma_for_area_m(sq_mi * 2.589988110336)
        fixes = _animal(sigma, 2000, "leo", seed=int(sq_mi))
        cell = ud_cell_size_m(fixes)
        xy = fixes.get_coordinates().to_numpy()
        assert cell == default_cell_size_m(_href(xy))
        assert 50.0 <= cell <= 250.0, (sq_mi, cell)


def test_albatross_scale_animal_gets_km_cells():
    """A 1e5-1e6 km2 ocean range: href of tens of km, cells of km."""
    sigma = sigma_for_area_m(3e5)  # 126 km
    fixes = _animal(sigma, 2000, "alba", seed=3)
    xy = fixes.get_coordinates().to_numpy()
    h = _href(xy)
    assert 30_000 < h < 50_000
    cell = ud_cell_size_m(fixes)
    assert cell == default_cell_size_m(h) and 4000 <= cell <= 10_000
    ud = utilization_distribution(fixes)["alba"]
    assert ud.cell_size_m == cell
    assert ud.shape[0] * ud.shape[1] < 100_000  # not 1e8 cells of 200 m


def test_default_cells_give_the_area_of_a_fine_grid():
    """Cells of h/6 (rounded down): the 95 % KDE area within 1 % of that on h/24 cells."""
    fixes = _animal(3000.0, 1500, "a", seed=11)
    coarse = utilization_distribution(fixes)["a"]
    fine = utilization_distribution(fixes, cell_size_m=coarse.cell_size_m / 4)["a"]
    areas = [
        kernel_area(volume_percent(u.array, u.cell_size_m), u.cell_size_m, 0.95)
        for u in (coarse, fine)
    ]
    assert areas[0] == pytest.approx(areas[1], rel=0.01)


def test_shared_grid_takes_the_smallest_bandwidth():
    both = pd.concat(
        [_animal(1000.0, 800, "small", 1), _animal(4000.0, 800, "large", 2)], ignore_index=True
    )
    h_small = _href(both[both["individual"] == "small"].get_coordinates().to_numpy())
    uds = utilization_distribution(both)
    assert {u.cell_size_m for u in uds.values()} == {default_cell_size_m(h_small)}


# ----------------------------------------------------------------------------- the cap


def test_grid_cell_count_is_the_shape_of_the_grid_built():
    fixes = _animal(5000.0, 500, "a", seed=5)
    ud = utilization_distribution(fixes, cell_size_m=300.0)["a"]
    assert grid_cell_count(ud.bounds, 300.0) == ud.shape[0] * ud.shape[1]


def test_capped_cell_is_the_finest_readable_cell_that_fits():
    rng = np.random.default_rng(4)
    for _ in range(300):
        w, hgt = np.exp(rng.uniform(np.log(1e3), np.log(5e6), 2))
        x0, y0 = rng.uniform(-1e6, 1e6, 2)
        box = (x0, y0, x0 + w, y0 + hgt)
        asked = float(np.exp(rng.uniform(np.log(1.0), np.log(5000.0))))
        cap = int(rng.integers(1, 10**7))
        c = capped_cell_size_m(asked, bounds=box, max_cells=cap)
        assert grid_cell_count(box, c) <= cap
        if grid_cell_count(box, asked) <= cap:
            assert c == asked
            continue
        assert c > asked and _mantissa_is_readable(c)
        # the next readable size below would not fit (or would be finer than asked)
        below = default_cell_size_m(6 * c * (1 - 1e-9))
        assert below < c
        assert below < asked or grid_cell_count(box, below) > cap


def test_an_explicit_fine_cell_on_an_ocean_range_is_coarsened_with_a_warning():
    fixes = _animal(sigma_for_area_m(1e6), 2000, "Albatross 7", seed=8)
    with pytest.warns(GridCoarsenedWarning) as caught:
        uds = utilization_distribution(fixes, cell_size_m=200.0, max_cells=1_000_000)
    ud = uds["Albatross 7"]
    message = str(caught[0].message)
    assert caught[0].filename == __file__  # points at the caller's line
    assert "'Albatross 7'" in message and "200 m cells (given)" in message
    assert f"using {ud.cell_size_m:g} m cells" in message
    assert 1000.0 < ud.cell_size_m < 10_000.0 and _mantissa_is_readable(ud.cell_size_m)
    assert ud.shape[0] * ud.shape[1] <= 1_000_000
    assert float(ud.array.sum()) * ud.cell_area_m2 == pytest.approx(1.0)
    # the cheap function agrees, and does not warn
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ud_cell_size_m(fixes, cell_size_m=200.0, max_cells=1_000_000) == ud.cell_size_m


def test_an_explicit_cell_that_fits_is_used_as_given():
    fixes = _animal(2000.0, 500, "a", seed=9)
    assert utilization_distribution(fixes, cell_size_m=333.0)["a"].cell_size_m == 333.0
    assert ud_cell_size_m(fixes, cell_size_m=333.0) == 333.0


def test_default_cap_is_ten_million_cells():
    assert UD_MAX_CELLS == 10_000_000


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf, "200", True])
def test_bad_cell_sizes_are_refused(bad):
    fixes = _animal(2000.0, 50, "a", seed=9)
    with pytest.raises(InputError, match="cell_size_m"):
        utilization_distribution(fixes, cell_size_m=bad)
    with pytest.raises(InputError, match="cell_size_m"):
        ud_cell_size_m(fixes, cell_size_m=bad)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_max_cells_are_refused(bad):
    with pytest.raises(InputError, match="max_cells"):
        capped_cell_size_m(100.0, bounds=(0, 0, 1e6, 1e6), max_cells=bad)

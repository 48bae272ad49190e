"""Cost distance, allocation and least-cost paths.

Oracles: scikit-image's ``MCP_Geometric`` run independently on the same
surfaces (same step convention: length x mean of the two resistances), closed
forms on uniform surfaces (octile distance x resistance), and the path's own
cells re-summed from the surface.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from skimage.graph import MCP_Geometric

from habitat.core.errors import InputError, ProjectedCRSRequiredError
from habitat.corridors.cost import cost_allocation, cost_distance, least_cost_path
from habitat.io.raster import Raster

UTM = "EPSG:32652"
X0, Y0 = 600_000.0, 4_800_000.0


def surface(values: np.ndarray, cs: float = 30.0, nodata: float | None = None) -> Raster:
    return Raster(values, (cs, 0.0, X0, 0.0, -cs, Y0), UTM, nodata=nodata)


def centre(row: int, col: int, cs: float = 30.0) -> shapely.Point:
    return shapely.Point(X0 + (col + 0.5) * cs, Y0 - (row + 0.5) * cs)


def points(
    cells: list[tuple[int, int]], cs: float = 30.0, ids: list | None = None
) -> gpd.GeoSeries:
    return gpd.GeoSeries([centre(r, c, cs) for r, c in cells], index=ids, crs=UTM)


def random_surface(seed: int, shape: tuple[int, int], holes: float = 0.1) -> np.ndarray:
    """Resistances 1/5/20/100 and a few continuous ones, with NaN holes."""
    rng = np.random.default_rng(seed)
    r = rng.choice([1.0, 5.0, 20.0, 100.0], size=shape)
    smooth = rng.random(shape) < 0.3
    r[smooth] = rng.uniform(0.5, 250.0, smooth.sum())
    r[rng.random(shape) < holes] = np.nan
    return r


def mcp(r: np.ndarray, cells: list[tuple[int, int]], cs: float) -> np.ndarray:
    """The oracle: MCP_Geometric, nodata as inf (impassable), NaN where no data."""
    costs = np.where(np.isnan(r), np.inf, r)
    out, _ = MCP_Geometric(costs, sampling=(cs, cs)).find_costs(cells)
    return np.where(np.isnan(r), np.nan, out)


# ----------------------------------------------------------------- against skimage


@pytest.mark.parametrize(
    ("seed", "shape", "cs", "holes"),
    [
        (0, (60, 80), 30.0, 0.0),
        (1, (97, 53), 25.5, 0.1),
        (2, (120, 120), 92.6, 0.25),  # holes cut off pockets: inf there
        (3, (1, 40), 200.0, 0.0),  # a single row
        (4, (45, 1), 7.0, 0.0),  # a single column
    ],
)
def test_equal_to_mcp_geometric(seed: int, shape: tuple[int, int], cs: float, holes: float) -> None:
    r = random_surface(seed, shape, holes)
    rng = np.random.default_rng(seed + 100)
    cells: list[tuple[int, int]] = []
    while len(cells) < 3:
        cell = (int(rng.integers(shape[0])), int(rng.integers(shape[1])))
        if not np.isnan(r[cell]) and cell not in cells:
            cells.append(cell)
    expected = mcp(r, cells, cs)
    got = cost_distance(surface(r, cs), points(cells, cs))
    assert got.array.dtype == np.float64 and got.shape == r.shape
    assert got.transform == (cs, 0.0, X0, 0.0, -cs, Y0) and got.crs.equals(UTM)
    assert math.isnan(got.nodata)
    # same floating-point numbers (same arithmetic), same inf, NaN on no data
    np.testing.assert_array_equal(got.array, expected)
    if holes >= 0.25:
        assert np.isinf(got.array).any()  # the case of unreachable pockets is exercised


def test_equal_to_mcp_with_a_polygon_source_and_a_nodata_value() -> None:
    r = random_surface(7, (80, 90), holes=0.05)
    r = np.where(np.isnan(r), -9999.0, r)  # nodata as a value
    r[10:20, 30:36] = 3.0  # the source polygon's cells have data
    core = shapely.box(X0 + 30 * 30.0, Y0 - 20 * 30.0, X0 + 36 * 30.0, Y0 - 10 * 30.0)
    got = cost_distance(surface(r, 30.0, nodata=-9999.0), gpd.GeoSeries([core], crs=UTM))
    cells = [(i, j) for i in range(10, 20) for j in range(30, 36)]
    expected = mcp(np.where(r == -9999.0, np.nan, r), cells, 30.0)
    np.testing.assert_array_equal(got.array, expected)
    assert (got.array[10:20, 30:36] == 0).all()


def test_inf_resistance_is_impassable_like_nodata() -> None:
    r = random_surface(8, (40, 40), holes=0.0)
    r[:, 20] = np.inf
    r[5, 20] = 1.0  # one gap
    got = cost_distance(surface(r), points([(30, 2)])).array
    assert np.isnan(got[:, 20][np.arange(40) != 5]).all()
    expected = mcp(np.where(np.isinf(r), np.nan, r), [(30, 2)], 30.0)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("contrast", [3.0, 1e3, 1e6])
def test_equal_to_mcp_at_any_contrast(contrast: float) -> None:
    # resistances 1..contrast: the bucket search (up to a few thousand to one) and the
    # heap search (beyond) give the same numbers, with and without max_cost
    rng = np.random.default_rng(int(contrast))
    r = np.exp(rng.uniform(0.0, np.log(contrast), size=(70, 90)))
    r[rng.random(r.shape) < 0.1] = np.nan
    r[[3, 60], [4, 80]] = 1.0
    cells = [(3, 4), (60, 80)]
    expected = mcp(r, cells, 30.0)
    got = cost_distance(surface(r), points(cells)).array
    np.testing.assert_array_equal(got, expected)
    limit = float(np.nanmedian(expected[np.isfinite(expected)]))
    cut = cost_distance(surface(r), points(cells), max_cost=limit).array
    np.testing.assert_array_equal(cut, np.where(expected > limit, np.inf, expected))
    # the allocation of the same search: the source whose own cost is least
    given = r.copy()
    cost, alloc = cost_allocation(surface(given), points(cells))
    np.testing.assert_array_equal(given, r)  # the input is not modified
    np.testing.assert_array_equal(cost.array, expected)
    each = np.stack([np.nan_to_num(mcp(r, [c], 30.0), nan=np.inf) for c in cells])
    with np.errstate(invalid="ignore"):  # inf - inf where neither source reaches
        gap = np.abs(each[0] - each[1])
    clear = np.isfinite(expected) & (gap > 1e-9 * np.abs(expected))
    np.testing.assert_array_equal(alloc.array[clear], np.argmin(each, axis=0)[clear] + 1)


# ----------------------------------------------------------------- closed forms


@pytest.mark.parametrize(("r_value", "cs"), [(1.0, 30.0), (7.5, 100.0), (250.0, 12.5)])
def test_uniform_surface_is_octile_distance_times_resistance(r_value: float, cs: float) -> None:
    shape = (31, 45)
    src = (12, 17)
    got = cost_distance(surface(np.full(shape, r_value), cs), points([src], cs)).array
    dr = np.abs(np.arange(shape[0])[:, None] - src[0])
    dc = np.abs(np.arange(shape[1])[None, :] - src[1])
    diag, straight = np.minimum(dr, dc), np.abs(dr - dc)
    expected = r_value * cs * (straight + math.sqrt(2.0) * diag)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    # straight line: r x distance; diagonal: r x sqrt(2) x distance
    assert got[12, 17 + 10] == pytest.approx(r_value * cs * 10, rel=1e-14)
    assert got[12 + 9, 17 - 9] == pytest.approx(r_value * cs * 9 * math.sqrt(2), rel=1e-13)


def test_step_cost_is_length_times_mean_resistance() -> None:
    r = np.array([[1.0, 3.0, 11.0], [5.0, 2.0, 1.0]])
    got = cost_distance(surface(r, 10.0), points([(0, 0)], 10.0)).array
    assert got[0, 1] == pytest.approx(10.0 * (1 + 3) / 2)
    assert got[1, 1] == pytest.approx(10.0 * math.sqrt(2) * (1 + 2) / 2)  # diagonal
    # (0, 2): via (1, 1) then diagonally up: 21.21 + 14.14 x 1.5 = 42.43 < 20 + 70
    via_centre = 10.0 * math.sqrt(2) * 1.5 + 10.0 * math.sqrt(2) * (2 + 11) / 2
    assert got[0, 2] == pytest.approx(min(via_centre, 20.0 + 10.0 * (3 + 11) / 2))
    assert got[0, 0] == 0.0


def test_unreachable_cells_are_inf_and_nodata_nan() -> None:
    r = np.ones((5, 7))
    r[:, 3] = np.nan
    got = cost_distance(surface(r), points([(2, 0)])).array
    assert np.isnan(got[:, 3]).all()
    assert np.isinf(got[:, 4:]).all() and (got[:, 4:] > 0).all()
    assert np.isfinite(got[:, :3]).all()


def test_diagonal_steps_pass_between_two_nodata_cells() -> None:
    # the convention of MCP_Geometric, Circuitscape and Linkage Mapper (8 neighbours)
    r = np.ones((2, 2))
    r[0, 1] = r[1, 0] = np.nan
    got = cost_distance(surface(r, 10.0), points([(0, 0)], 10.0)).array
    assert got[1, 1] == pytest.approx(10.0 * math.sqrt(2))


def test_max_cost_cuts_off_costlier_cells() -> None:
    r = random_surface(11, (50, 60), holes=0.05)
    src = points([(25, 30)])
    full = cost_distance(surface(r), src).array
    limit = float(np.nanpercentile(full[np.isfinite(full)], 40))
    cut = cost_distance(surface(r), src, max_cost=limit).array
    within = full <= limit
    np.testing.assert_array_equal(cut[within], full[within])
    assert np.isinf(cut[np.isfinite(full) & ~within]).all()
    assert np.array_equal(np.isnan(cut), np.isnan(r))
    for bad in (-1.0, "far", float("nan"), True):
        with pytest.raises(InputError, match="max_cost must be a number >= 0"):
            cost_distance(surface(r), src, max_cost=bad)  # type: ignore[arg-type]


def test_cost_is_symmetric_and_obeys_the_triangle_inequality() -> None:
    # steps cost the same both ways, so A -> B costs what B -> A costs (summed in the
    # other order: equal to rounding), and going through C is never cheaper
    r = random_surface(61, (60, 70), holes=0.1)
    a, b, c = (4, 5), (50, 60), (30, 10)
    for cell in (a, b, c):
        r[cell] = 2.0
    from_a = cost_distance(surface(r), points([a])).array
    from_b = cost_distance(surface(r), points([b])).array
    from_c = cost_distance(surface(r), points([c])).array
    assert np.isfinite([from_a[b], from_a[c], from_c[b]]).all()
    assert from_a[b] == pytest.approx(from_b[a], rel=1e-12)
    assert from_a[b] <= from_a[c] + from_c[b] * (1 + 1e-12)
    both = np.isfinite(from_a) & np.isfinite(from_b)
    assert (from_a[both] + from_b[both] >= from_a[b] * (1 - 1e-12)).all()


# ----------------------------------------------------------------- allocation


def test_allocation_is_the_cheapest_source_and_cost_the_minimum() -> None:
    r = random_surface(21, (70, 70), holes=0.1)
    rng = np.random.default_rng(5)
    cells: list[tuple[int, int]] = []
    while len(cells) < 4:
        cell = (int(rng.integers(70)), int(rng.integers(70)))
        if not np.isnan(r[cell]) and cell not in cells:
            cells.append(cell)
    ids = ["north", "east", "south", "west"]
    cost, alloc = cost_allocation(surface(r), points(cells, ids=ids))
    each = np.stack([mcp(r, [c], 30.0) for c in cells])
    np.testing.assert_array_equal(cost.array, np.fmin.reduce(each, axis=0))
    reached = np.isfinite(cost.array)
    nearest = np.argmin(np.where(np.isnan(each), np.inf, each), axis=0) + 1
    # ties (equal cost from two sources) are allowed either way
    second = np.sort(np.where(np.isnan(each), np.inf, each), axis=0)
    clear = reached & (second[0] < second[1])
    assert clear.sum() > 0.9 * reached.sum()
    np.testing.assert_array_equal(alloc.array[clear], nearest[clear])
    assert (alloc.array[~reached] == 0).all()
    assert alloc.array.dtype == np.int32 and alloc.nodata == 0
    assert alloc.classes == {1: "north", 2: "east", 3: "south", 4: "west"}


def test_allocation_with_shared_ids_and_id_column() -> None:
    r = np.ones((3, 11))
    gdf = gpd.GeoDataFrame(  # 5 cells apart: no cell is as near to two sources
        {"park": ["LL", "KP", "LL"]},
        geometry=[centre(1, 0), centre(1, 5), centre(1, 10)],
        crs=UTM,
    )
    _, alloc = cost_allocation(surface(r), gdf, id_column="park")
    assert alloc.classes == {1: "LL", 2: "KP"}
    assert alloc.array[1].tolist() == [1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1]


# ----------------------------------------------------------------- least-cost paths


def step_costs(r: np.ndarray, rows: np.ndarray, cols: np.ndarray, cs: float) -> float:
    """Sum of length x mean resistance over the path's steps, recomputed independently."""
    total = 0.0
    for i in range(len(rows) - 1):
        a, b = (rows[i], cols[i]), (rows[i + 1], cols[i + 1])
        length = cs * math.hypot(b[0] - a[0], b[1] - a[1])
        total += length * (r[a] + r[b]) / 2
    return total


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_path_cost_and_length_consistent_with_the_surface(seed: int) -> None:
    cs = 30.0
    r = random_surface(seed, (80, 100), holes=0.08)
    r[5, 5] = r[70, 90] = 1.0
    src, tgt = centre(5, 5), centre(70, 90)
    path = least_cost_path(surface(r, cs), src, tgt)
    assert len(path) == 1 and path.crs.equals(UTM)
    row = path.iloc[0]
    line = row.geometry
    xy = np.asarray(line.coords)
    cols = np.round((xy[:, 0] - X0) / cs - 0.5).astype(int)
    rows = np.round((Y0 - xy[:, 1]) / cs - 0.5).astype(int)
    assert (rows[0], cols[0]) == (5, 5) and (rows[-1], cols[-1]) == (70, 90)
    assert (np.maximum(np.abs(np.diff(rows)), np.abs(np.diff(cols))) == 1).all()  # 8 neighbours
    assert not np.isnan(r[rows, cols]).any()  # never through nodata
    expected = mcp(r, [(5, 5)], cs)[70, 90]
    assert row.cost_weighted_distance == expected
    assert step_costs(r, rows, cols, cs) == pytest.approx(expected, rel=1e-12)
    assert row.length_m == pytest.approx(line.length, rel=1e-12)
    assert row.n_cells == len(rows)
    assert row.euclidean_distance_m == pytest.approx(math.hypot(85 * cs, 65 * cs))
    assert row.euclidean_distance_m <= row.length_m
    # a cost raster computed earlier gives the same path
    cost = cost_distance(surface(r, cs), src)
    again = least_cost_path(surface(r, cs), src, tgt, cost=cost)
    assert again.geometry.iloc[0].equals(line)
    assert again.cost_weighted_distance.iloc[0] == row.cost_weighted_distance


def test_straight_path_on_a_uniform_surface() -> None:
    cs, r_value = 100.0, 4.0
    path = least_cost_path(
        surface(np.full((5, 12), r_value), cs), centre(2, 1, cs), centre(2, 10, cs)
    )
    row = path.iloc[0]
    assert row.cost_weighted_distance == pytest.approx(r_value * 9 * cs)
    assert row.length_m == pytest.approx(9 * cs) and row.euclidean_distance_m == pytest.approx(
        9 * cs
    )
    assert row.n_cells == 10
    diag = least_cost_path(
        surface(np.full((8, 8), r_value), cs), centre(0, 0, cs), centre(7, 7, cs)
    )
    assert diag.length_m.iloc[0] == pytest.approx(7 * cs * math.sqrt(2))
    assert diag.cost_weighted_distance.iloc[0] == pytest.approx(r_value * 7 * cs * math.sqrt(2))


def test_several_targets_polygons_and_ids() -> None:
    cs = 30.0
    r = random_surface(41, (60, 60), holes=0.0)
    sources = gpd.GeoDataFrame(
        {"name": ["A", "B"]},
        geometry=[
            shapely.box(X0, Y0 - 5 * cs, X0 + 5 * cs, Y0),  # cells rows 0-4, cols 0-4
            centre(55, 5),
        ],
        crs=UTM,
    )
    target_poly = shapely.box(X0 + 40 * cs, Y0 - 30 * cs, X0 + 50 * cs, Y0 - 20 * cs)
    targets = gpd.GeoDataFrame(
        {"name": ["T1", "T2"]}, geometry=[target_poly, centre(58, 20)], crs=UTM
    )
    paths = least_cost_path(surface(r, cs), sources, targets, id_column="name")
    assert paths.index.tolist() == ["T1", "T2"] and paths.to_id.tolist() == ["T1", "T2"]
    cost, alloc = cost_allocation(surface(r, cs), sources, id_column="name")
    # the path enters the target polygon at its cheapest cell, from the nearest source
    inside = cost.array[20:30, 40:50]
    assert paths.cost_weighted_distance.iloc[0] == inside.min()
    assert paths.cost_weighted_distance.iloc[1] == cost.array[58, 20]
    assert paths.from_id.iloc[1] == alloc.classes[int(alloc.array[58, 20])]
    end = np.unravel_index(np.argmin(inside), inside.shape)
    from_t1 = alloc.classes[int(alloc.array[20 + end[0], 40 + end[1]])]
    assert paths.from_id.iloc[0] == from_t1
    first = shapely.Point(np.asarray(paths.geometry.iloc[0].coords)[0])
    assert sources.set_index("name").geometry[from_t1].buffer(cs).contains(first)


def test_target_on_a_source_cell_gives_a_zero_path() -> None:
    path = least_cost_path(surface(np.ones((4, 4))), centre(1, 1), centre(1, 1))
    assert path.cost_weighted_distance.iloc[0] == 0.0 and path.length_m.iloc[0] == 0.0


def test_unreachable_target_is_a_clear_error() -> None:
    r = np.ones((6, 9))
    r[:, 4] = np.nan
    targets = points([(3, 7), (1, 2)], ids=["Leo 5M", "near"])
    with pytest.raises(InputError, match=r"no path: target\(s\) 'Leo 5M' cannot be reached"):
        least_cost_path(surface(r), centre(3, 1), targets)


def test_cost_of_another_grid_or_sources_is_refused() -> None:
    r = random_surface(51, (20, 20), holes=0.0)
    other = cost_distance(surface(r[:10]), centre(1, 1))
    with pytest.raises(InputError, match="cost is on another grid"):
        least_cost_path(surface(r), centre(1, 1), centre(15, 15), cost=other)
    foreign = cost_distance(surface(r), centre(18, 18))
    with pytest.raises(InputError, match="cost does not belong to these sources"):
        least_cost_path(surface(r), centre(1, 1), centre(15, 15), cost=foreign)
    with pytest.raises(InputError, match="cost must be the Raster"):
        least_cost_path(surface(r), centre(1, 1), centre(15, 15), cost=np.zeros((20, 20)))  # type: ignore[arg-type]


# ----------------------------------------------------------------- bad input


def test_bad_surfaces_and_sources() -> None:
    degrees = Raster(np.ones((5, 5)), (0.01, 0.0, 131.0, 0.0, -0.01, 43.5), "EPSG:4326")
    with pytest.raises(ProjectedCRSRequiredError):
        cost_distance(degrees, (131.02, 43.48))
    zero = np.ones((5, 5))
    zero[2, 3] = 0.0
    with pytest.raises(InputError, match="zero or negative resistance"):
        cost_distance(surface(zero), centre(0, 0))
    holes = np.ones((5, 5))
    holes[0, 0] = np.nan
    with pytest.raises(InputError, match="lie only on nodata cells"):
        cost_distance(surface(holes), centre(0, 0))
    with pytest.raises(InputError, match="lie outside the raster"):
        cost_distance(surface(np.ones((5, 5))), (X0 - 10.0, Y0 - 10.0))
    with pytest.raises(InputError, match="sources must be a GeoDataFrame"):
        cost_distance(surface(np.ones((5, 5))), "den")


def test_sources_as_a_grid_of_ids_equal_mcp_geometric():
    # sources given as Circuitscape-style grids (a 0/1 mask, or ids) are the cells MCP starts at
    rng = np.random.default_rng(11)
    r = rng.uniform(1.0, 50.0, (35, 28))
    surface = Raster(r, (25.0, 0.0, 0.0, 0.0, -25.0, 875.0), 32652)
    mask = np.zeros(r.shape, int)
    mask[3, 4] = mask[30, 20] = mask[31, 20] = 1
    want, _ = MCP_Geometric(r, sampling=(25.0, 25.0)).find_costs([(3, 4), (30, 20), (31, 20)])
    np.testing.assert_array_equal(cost_distance(surface, mask).array, want)
    ids = mask * np.where(np.arange(35)[:, None] < 10, 5, 9)
    cost, alloc = cost_allocation(surface, ids)
    np.testing.assert_array_equal(cost.array, want)
    assert alloc.array[0, 0] == 1 and alloc.array[34, 27] == 2  # 1-based: id 5, then id 9
    assert alloc.classes == {1: "5", 2: "9"}

"""Least-cost corridors (habitat.corridors.linkage) against analytic truths and skimage.

Oracles:
* on a uniform surface, the accumulated cost of the 8-neighbour grid is the
  octile distance (max + (√2 - 1) min of the row and column offsets) times the
  cell size and resistance: the corridor surface CWD_A + CWD_B - LCD is known in
  closed form;
* a channel of k cells through a block of high resistance is k cells wide;
* scikit-image's MCP_Geometric (run independently) gives the accumulated costs
  of any surface;
* adjacency of three cores in a row, and distances between boxes, by hand.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat.core.errors import (
    DataQualityWarning,
    HabitatError,
    InputError,
    InsufficientDataError,
    ProjectedCRSRequiredError,
)
from habitat.core.tables import CORRIDORS
from habitat.corridors.linkage import DEFAULT_CUTOFF, Corridors, corridors
from habitat.io.raster import Raster

ROOT2 = np.sqrt(2.0)
CRS = 32652


def grid(values: np.ndarray, cell: float = 100.0, *, nodata: float | None = None) -> Raster:
    rows = values.shape[0]
    return Raster(values, (cell, 0.0, 0.0, 0.0, -cell, rows * cell), CRS, nodata=nodata)


def cell_box(r0: int, c0: int, r1: int, c1: int, raster: Raster) -> shapely.Polygon:
    """Polygon covering the cells r0..r1-1, c0..c1-1 of ``raster``."""
    a, _, c, _, e, f = raster.transform
    return shapely.box(c + a * c0, f + e * r1, c + a * c1, f + e * r0)


def octile_to(cells: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Octile distance (in cell sides) from every cell to the nearest of ``cells``."""
    rr, cc = np.indices(shape)
    dr = np.abs(rr[..., None] - cells[:, 0])
    dc = np.abs(cc[..., None] - cells[:, 1])
    d = np.maximum(dr, dc) + (ROOT2 - 1.0) * np.minimum(dr, dc)
    return d.min(axis=-1)


def pairs_of(result: Corridors) -> list[tuple[object, object]]:
    """The (from_id, to_id) of each link."""
    return list(zip(result.links.from_id, result.links.to_id, strict=True))


def quiet(*args, **kwargs) -> Corridors:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        return corridors(*args, **kwargs)


# --------------------------------------------------------------------------- uniform surface


@pytest.fixture
def two_squares() -> tuple[Raster, gpd.GeoDataFrame]:
    """25 x 40 cells of 100 m, resistance 1; 5 x 5 cell cores at cols 5-9 and 30-34."""
    surface = grid(np.ones((25, 40)))
    cores = gpd.GeoDataFrame(
        {"park": ["west", "east"]},
        geometry=[cell_box(10, 5, 15, 10, surface), cell_box(10, 30, 15, 35, surface)],
        crs=CRS,
    )
    return surface, cores


def test_uniform_surface_between_two_squares(two_squares):
    surface, cores = two_squares
    cutoff = 300.0
    result = quiet(surface, cores, id_column="park", cutoff=cutoff)
    links = result.links
    assert CORRIDORS.validate(links) is links
    assert len(links) == 1
    link = links.iloc[0]
    assert (link.from_id, link.to_id) == ("west", "east")
    # edge cells of the cores are 21 columns apart (cols 9 and 30): 21 steps of 100 m
    assert link.cost_weighted_distance == pytest.approx(2100.0, rel=1e-12)
    assert link.length_m == pytest.approx(2100.0, rel=1e-12)
    assert link.euclidean_distance_m == pytest.approx(2000.0, rel=1e-12)  # edge to edge
    assert link.cwd_to_path_length_ratio == pytest.approx(1.0, rel=1e-12)
    assert link.note == ""
    # the path runs from west to east
    start, end = shapely.get_coordinates(link.geometry)[[0, -1]]
    assert cores.geometry[0].contains(shapely.Point(start))
    assert cores.geometry[1].contains(shapely.Point(end))

    # the surface in closed form: octile distances to each core, minus the LCD
    rr, cc = np.indices(surface.shape)
    west = np.argwhere((rr >= 10) & (rr < 15) & (cc >= 5) & (cc < 10))
    east = np.argwhere((rr >= 10) & (rr < 15) & (cc >= 30) & (cc < 35))
    nlcc = (octile_to(west, surface.shape) + octile_to(east, surface.shape) - 21.0) * 100.0
    expected = np.where(nlcc <= cutoff + 1e-9, nlcc, np.nan)
    np.testing.assert_allclose(result.surface.array, expected, atol=1e-9)
    assert result.surface.transform == surface.transform

    # widths: the path is a row, each cross-section a column of corridor cells
    in_cores = np.zeros(surface.shape, bool)
    in_cores[10:15, 5:10] = in_cores[10:15, 30:35] = True
    region = (nlcc <= cutoff + 1e-9) & ~in_cores
    profile = result.widths
    assert len(profile) == 20  # the 20 gap cells between the cores
    for x, y, w in profile[["x", "y", "width_m"]].itertuples(index=False):
        r, c = (int(v) for v in surface.index(x, y))
        column = region[:, c]
        top, bottom = r, r
        while top > 0 and column[top - 1]:
            top -= 1
        while bottom < 24 and column[bottom + 1]:
            bottom += 1
        assert w == pytest.approx((bottom - top + 1) * 100.0, rel=1e-12)
    # 500 m frontage + 3 cells each side mid-gap (2 x 3 x (√2-1) x 100 = 249 <= 300)
    assert link.width_m == pytest.approx(1100.0, rel=1e-12)
    # next to the cores the ellipse narrows: 2 cells each side
    assert link.min_width_m == pytest.approx(900.0, rel=1e-12)
    area = np.count_nonzero(region) * 0.01
    assert link.corridor_area_km2 == pytest.approx(area, rel=1e-12)
    assert result.polygons.geometry.iloc[0].area == pytest.approx(area * 1e6, rel=1e-12)


def test_cutoff_zero_keeps_the_band_of_least_cost_paths(two_squares):
    surface, cores = two_squares
    result = quiet(surface, cores, id_column="park", cutoff=0.0)
    link = result.links.iloc[0]
    # every row between the cores' faces holds a least-cost path: 5 cells wide
    assert link.width_m == pytest.approx(500.0, rel=1e-12)
    assert link.min_width_m == pytest.approx(500.0, rel=1e-12)
    assert np.nanmax(result.surface.array) == pytest.approx(0.0, abs=1e-9)


def test_widths_scale_with_cell_size_and_resistance(two_squares):
    surface, cores = two_squares
    # resistance 4 and cutoff 4 x 300: the same corridor, the same widths in metres
    heavy = grid(np.full((25, 40), 4.0))
    result = quiet(heavy, cores, id_column="park", cutoff=1200.0)
    link = result.links.iloc[0]
    assert link.cost_weighted_distance == pytest.approx(8400.0, rel=1e-12)
    assert link.cwd_to_path_length_ratio == pytest.approx(4.0, rel=1e-12)
    assert (link.min_width_m, link.width_m) == pytest.approx((900.0, 1100.0), rel=1e-12)
    # 30 m cells: the same grid in cells, widths in metres scale with the cell
    small = grid(np.ones((25, 40)), cell=30.0)
    cores30 = gpd.GeoDataFrame(
        {"park": ["west", "east"]},
        geometry=[cell_box(10, 5, 15, 10, small), cell_box(10, 30, 15, 35, small)],
        crs=CRS,
    )
    link = quiet(small, cores30, id_column="park", cutoff=90.0).links.iloc[0]
    assert link.length_m == pytest.approx(630.0, rel=1e-12)
    assert (link.min_width_m, link.width_m) == pytest.approx((270.0, 330.0), rel=1e-12)


# --------------------------------------------------------------------------- channels


def channel_case(width: int, *, vertical: bool = False, cell: float = 30.0):
    """Cores left and right of a block of resistance 1000 with a channel ``width`` cells wide."""
    n_rows, n_cols = 31, 40
    values = np.full((n_rows, n_cols), 1000.0)
    values[:, :6] = 1.0
    values[:, 34:] = 1.0
    top = 15 - width // 2
    values[top : top + width, :] = 1.0
    if vertical:
        values = values.T.copy()
    surface = grid(values, cell=cell)
    boxes = [(0, 0, n_rows, 6), (0, 34, n_rows, 40)]
    if vertical:
        boxes = [(c0, r0, c1, r1) for r0, c0, r1, c1 in boxes]
    cores = gpd.GeoDataFrame(
        {"name": ["A", "B"]},
        geometry=[cell_box(*b, surface) for b in boxes],
        crs=CRS,
    )
    return surface, cores


@pytest.mark.parametrize("vertical", [False, True])
@pytest.mark.parametrize("width", [1, 4, 7])
def test_channel_through_a_block_has_its_width_in_metres(width, vertical):
    surface, cores = channel_case(width, vertical=vertical)
    # a detour inside the channel costs < 2 x 7 x (√2-1) x 30 < 200; a block cell >= 15,000
    result = quiet(surface, cores, id_column="name", cutoff=1000.0)
    link = result.links.iloc[0]
    assert link.min_width_m == pytest.approx(width * 30.0, rel=1e-12)
    assert link.width_m == pytest.approx(width * 30.0, rel=1e-12)
    # the path crosses the 28 block columns in the channel: 29 steps of 30 m at resistance 1
    assert link.length_m == pytest.approx(29 * 30.0, rel=1e-12)
    assert link.cost_weighted_distance == pytest.approx(29 * 30.0, rel=1e-12)
    assert link.euclidean_distance_m == pytest.approx(28 * 30.0, rel=1e-12)
    assert link.corridor_area_km2 == pytest.approx(28 * width * 900e-6, rel=1e-12)


def test_narrowing_channel_minimum_and_median():
    surface, cores = channel_case(7)
    values = surface.array.copy()
    values[12:19, 18:22] = 1000.0  # cols 18-21: a 1-cell pinch (row 15 only)
    values[15, 18:22] = 1.0
    pinched = grid(values, cell=30.0)
    result = quiet(pinched, cores, id_column="name", cutoff=1000.0)
    link = result.links.iloc[0]
    assert link.min_width_m == pytest.approx(30.0, rel=1e-12)
    assert link.width_m == pytest.approx(210.0, rel=1e-12)
    pinch = result.widths[result.widths.width_m == 30.0]
    cols = surface.index(pinch.x.to_numpy(), pinch.y.to_numpy())[1]
    assert sorted(cols.tolist()) == [18, 19, 20, 21]


@pytest.mark.parametrize("degrees", [10.0, 26.565, 45.0, 60.0, 135.0])
@pytest.mark.parametrize("width", [3, 10])
def test_oblique_channel_within_one_cell_of_its_width(degrees, width):
    # a straight band of cells (centres within width / 2 cells of a line at `degrees`)
    # through resistance 1000; its true width is its area per unit length
    n, cell = 120, 10.0
    theta = np.radians(degrees)
    rr, cc = np.indices((n, n)) + 0.5
    x, y = cc - n / 2, n / 2 - rr
    across = np.abs(-np.sin(theta) * x + np.cos(theta) * y)
    along = np.cos(theta) * x + np.sin(theta) * y
    band = across <= width / 2
    surface = grid(np.where(band, 1.0, 1000.0), cell=cell)
    ends = [
        n / 2 * cell + s * 45 * cell * np.array([np.cos(theta), np.sin(theta)]) for s in (-1, 1)
    ]
    cores = gpd.GeoDataFrame(
        {"name": ["A", "B"]}, geometry=[shapely.Point(*e).buffer(1.0) for e in ends], crs=CRS
    )
    with pytest.warns(DataQualityWarning, match="area is a lower bound"):  # band to the edges
        link = corridors(surface, cores, id_column="name", cutoff=2000.0).links.iloc[0]
    assert "widths" not in link.note  # but no cross-section reaches the edge
    true_width = np.count_nonzero(band & (np.abs(along) <= 30)) / 60 * cell
    assert abs(link.width_m - true_width) <= cell
    assert link.min_width_m <= link.width_m


# --------------------------------------------------------------------------- pairs


@pytest.fixture
def three_in_a_row() -> tuple[Raster, gpd.GeoDataFrame]:
    """Cores A, B, C of 3 x 3 cells on a row, gaps of 10 cells (1 km)."""
    surface = grid(np.ones((21, 50)))
    cores = gpd.GeoDataFrame(
        {"name": ["A", "B", "C"]},
        geometry=[
            cell_box(9, 5, 12, 8, surface),
            cell_box(9, 18, 12, 21, surface),
            cell_box(9, 31, 12, 34, surface),
        ],
        crs=CRS,
    ).set_index("name")
    return surface, cores


def test_adjacent_pairs_by_cost_allocation(three_in_a_row):
    surface, cores = three_in_a_row
    result = quiet(surface, cores, cutoff=100.0)
    assert pairs_of(result) == [("A", "B"), ("B", "C")]
    np.testing.assert_allclose(result.links.euclidean_distance_m, [1000.0, 1000.0], rtol=1e-12)
    np.testing.assert_allclose(result.links.cost_weighted_distance, [1100.0, 1100.0], rtol=1e-12)


def test_adjacency_follows_cost_not_straight_lines():
    # A and C are 500 m apart across an impassable wall; its only gap is held by B, far
    # away: their allocation zones never touch, so A-C is not a link though A-C is shortest
    values = np.ones((21, 41))
    values[3:, 20] = np.nan
    surface = grid(values)
    cores = gpd.GeoDataFrame(
        {"name": ["A", "B", "C"]},
        geometry=[
            cell_box(9, 15, 12, 18, surface),
            cell_box(0, 19, 3, 22, surface),
            cell_box(9, 23, 12, 26, surface),
        ],
        crs=CRS,
    )
    result = quiet(surface, cores, id_column="name", cutoff=100.0)
    assert pairs_of(result) == [("A", "B"), ("B", "C")]
    assert result.links.euclidean_distance_m.max() > 500.0
    with pytest.warns(DataQualityWarning, match="crosses core"):  # round the wall, through B
        within = corridors(
            surface, cores, id_column="name", pairs="within", max_distance_m=500.0, cutoff=100.0
        )
    assert pairs_of(within) == [("A", "C")]
    assert "'B'" in within.links.note.iloc[0]


def test_all_pairs_and_a_path_through_a_third_core(three_in_a_row):
    surface, cores = three_in_a_row
    with pytest.warns(DataQualityWarning, match="crosses core"):
        result = corridors(surface, cores, pairs="all", cutoff=100.0)
    assert pairs_of(result) == [
        ("A", "B"),
        ("A", "C"),
        ("B", "C"),
    ]
    notes = dict(zip(pairs_of(result), result.links.note, strict=True))
    assert "'B'" in notes[("A", "C")]
    assert notes[("A", "B")] == notes[("B", "C")] == ""
    # surface: the minimum of the links' normalised corridors; 0 along the row of cores
    assert np.nanmin(result.surface.array) == 0.0


def test_pairs_within_a_distance(three_in_a_row):
    surface, cores = three_in_a_row
    near = quiet(surface, cores, pairs="within", max_distance_m=1500.0, cutoff=100.0)
    assert pairs_of(near) == [("A", "B"), ("B", "C")]
    with pytest.warns(DataQualityWarning):
        far = corridors(surface, cores, pairs="within", max_distance_m=2300.0, cutoff=100.0)
    assert len(far.links) == 3
    assert far.links.euclidean_distance_m.tolist() == pytest.approx([1000.0, 2300.0, 1000.0])
    with pytest.warns(DataQualityWarning, match="no pair"):
        none = corridors(surface, cores, pairs="within", max_distance_m=999.0, cutoff=100.0)
    assert len(none.links) == 0 and list(none.links.columns)[:2] == ["from_id", "to_id"]
    assert np.isnan(none.surface.array).all()
    with pytest.raises(InputError, match="max_distance_m"):
        corridors(surface, cores, pairs="within")
    # max_distance_m filters adjacent pairs too
    with pytest.warns(DataQualityWarning, match="no pair"):
        assert len(corridors(surface, cores, max_distance_m=500.0, cutoff=100.0).links) == 0


def test_explicit_pairs(three_in_a_row):
    surface, cores = three_in_a_row
    result = quiet(surface, cores, pairs=[("C", "B")], cutoff=100.0)
    assert pairs_of(result) == [("B", "C")]
    with pytest.raises(InputError, match="'Z'"):
        corridors(surface, cores, pairs=[("A", "Z")])
    with pytest.raises(InputError, match="itself"):
        corridors(surface, cores, pairs=[("A", "A")])


# --------------------------------------------------------------------------- oracle


def test_costs_and_surface_match_skimage():
    from skimage.graph import MCP_Geometric

    rng = np.random.default_rng(13)
    values = rng.choice([1.0, 5.0, 20.0, 100.0], size=(60, 70), p=[0.5, 0.3, 0.15, 0.05])
    surface = grid(values, cell=50.0)
    cores = gpd.GeoDataFrame(
        {"name": ["A", "B", "C"]},
        geometry=[
            cell_box(5, 5, 10, 12, surface),
            cell_box(45, 10, 52, 15, surface),
            cell_box(25, 55, 31, 62, surface),
        ],
        crs=CRS,
    )
    cutoff = 600.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # corridors on the edges
        result = corridors(surface, cores, id_column="name", pairs="all", cutoff=cutoff)
    rr, cc = np.indices(values.shape)
    boxes = [(5, 5, 10, 12), (45, 10, 52, 15), (25, 55, 31, 62)]
    cost = []
    for r0, c0, r1, c1 in boxes:
        mcp = MCP_Geometric(values, sampling=(50.0, 50.0))
        starts = np.argwhere((rr >= r0) & (rr < r1) & (cc >= c0) & (cc < c1))
        cost.append(mcp.find_costs(starts)[0])
    expected = np.full(values.shape, np.inf)
    for k, (i, j) in enumerate([(0, 1), (0, 2), (1, 2)]):
        r0, c0, r1, c1 = boxes[j]
        lcd = cost[i][r0:r1, c0:c1].min()
        assert result.links.cost_weighted_distance.iloc[k] == pytest.approx(lcd, rel=1e-9)
        nlcc = cost[i] + cost[j]
        nlcc = nlcc - nlcc.min()
        expected = np.minimum(expected, nlcc)
        # the path's cost is its length weighted by the mean resistance of each step
        line = result.links.geometry.iloc[k]
        xy = shapely.get_coordinates(line)
        pr, pc = surface.index(xy[:, 0], xy[:, 1])
        step = np.hypot(np.diff(pr), np.diff(pc)) * 50.0
        along = np.sum((values[pr[1:], pc[1:]] + values[pr[:-1], pc[:-1]]) / 2 * step)
        assert along == pytest.approx(lcd, rel=1e-9)
        assert result.links.length_m.iloc[k] == pytest.approx(step.sum(), rel=1e-12)
    expected = np.where(expected <= cutoff, expected, np.nan)
    np.testing.assert_allclose(result.surface.array, expected, rtol=1e-9, atol=1e-6)


# --------------------------------------------------------------------------- flags and errors


def test_unreachable_pair_is_flagged_not_measured():
    values = np.ones((10, 30))
    values[:, 15] = np.nan  # an impassable wall
    surface = grid(values)
    cores = gpd.GeoDataFrame(
        {"name": ["A", "B"]},
        geometry=[cell_box(4, 2, 6, 4, surface), cell_box(4, 26, 6, 28, surface)],
        crs=CRS,
    )
    with pytest.warns(DataQualityWarning, match="no path joins"):
        result = corridors(surface, cores, id_column="name", pairs="all", cutoff=100.0)
    link = result.links.iloc[0]
    assert np.isinf(link.cost_weighted_distance)
    assert np.isnan(link.length_m) and np.isnan(link.width_m)
    assert link.geometry is None
    # adjacency by cost allocation does not link them
    with pytest.warns(DataQualityWarning, match="no pair"):
        assert len(corridors(surface, cores, id_column="name", cutoff=100.0).links) == 0


def test_corridor_cut_by_the_raster_edge_is_flagged(two_squares):
    surface, cores = two_squares
    with pytest.warns(DataQualityWarning, match="edge"):
        result = corridors(surface, cores, id_column="park")  # default cutoff: 200 km
    link = result.links.iloc[0]
    assert "area is a lower bound" in link.note
    assert "widths are lower bounds" in link.note
    assert link.width_m == pytest.approx(2500.0)  # the whole raster's height: a lower bound
    assert result.widths.at_edge.all()
    assert result.cutoff == DEFAULT_CUTOFF


def test_bad_input(two_squares):
    surface, cores = two_squares
    with pytest.raises(InsufficientDataError, match="at least two"):
        corridors(surface, cores.iloc[:1])
    for bad in (-1.0, float("nan"), float("inf"), "wide", True):
        with pytest.raises(InputError, match="cutoff"):
            corridors(surface, cores, cutoff=bad)
    with pytest.raises(InputError, match="max_distance_m"):
        corridors(surface, cores, max_distance_m=-5.0)
    with pytest.raises(InputError, match="pairs"):
        corridors(surface, cores, pairs="nearest")
    degrees = Raster(np.ones((25, 40)), (0.001, 0.0, 131.0, 0.0, -0.001, 43.5), 4326)
    with pytest.raises(ProjectedCRSRequiredError):
        corridors(degrees, cores.to_crs(4326))
    zero = surface.array.copy()
    zero[0, 0] = 0.0
    with pytest.raises(InputError, match="zero or negative"):
        corridors(grid(zero), cores)
    outside = cores.copy()
    outside.loc[1, "geometry"] = shapely.box(90_000, 90_000, 91_000, 91_000)
    with pytest.raises(HabitatError, match="outside"):
        corridors(surface, outside, id_column="park")


def test_cores_in_another_crs_and_multipart_ids(two_squares):
    surface, cores = two_squares
    # east split into two rows with the same id: still one core
    parts = gpd.GeoDataFrame(
        {"park": ["west", "east", "east"]},
        geometry=[
            cores.geometry[0],
            cell_box(10, 30, 12, 35, surface),
            cell_box(12, 30, 15, 35, surface),
        ],
        crs=CRS,
    ).to_crs(4326)
    result = quiet(surface, parts, id_column="park", cutoff=300.0)
    assert len(result.links) == 1
    assert result.links.cost_weighted_distance.iloc[0] == pytest.approx(2100.0, rel=1e-9)
    assert result.links.euclidean_distance_m.iloc[0] == pytest.approx(2000.0, rel=1e-6)


def test_bounded_searches_of_adjacent_pairs_change_nothing():
    # adjacent pairs stop each core's search at (an upper bound of its LCDs) + cutoff;
    # the same pairs listed explicitly search the whole raster: equal results
    rng = np.random.default_rng(7)
    values = rng.choice([1.0, 3.0, 10.0, 50.0], size=(80, 90), p=[0.55, 0.25, 0.15, 0.05])
    surface = grid(values, cell=25.0)
    boxes = [(5, 5, 10, 10), (5, 70, 12, 78), (40, 40, 44, 46), (70, 8, 76, 14), (68, 75, 75, 85)]
    cores = gpd.GeoDataFrame(
        {"name": list("ABCDE")}, geometry=[cell_box(*b, surface) for b in boxes], crs=CRS
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        adjacent = corridors(surface, cores, id_column="name", cutoff=400.0)
        listed = corridors(surface, cores, id_column="name", pairs=pairs_of(adjacent), cutoff=400.0)
    assert len(adjacent.links) >= 4
    cols = ["cost_weighted_distance", "length_m", "min_width_m", "width_m", "corridor_area_km2"]
    np.testing.assert_array_equal(adjacent.links[cols], listed.links[cols])
    np.testing.assert_array_equal(adjacent.surface.array, listed.surface.array)
    assert adjacent.links.geometry.geom_equals(listed.links.geometry).all()


def test_point_cores_and_a_single_path_one_cell_wide():
    surface = grid(np.ones((21, 31)))
    x, y = surface.xy([10, 10], [5, 25])
    cores = gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=gpd.points_from_xy(x, y), crs=CRS)
    result = quiet(surface, cores, id_column="name", cutoff=0.0)
    link = result.links.iloc[0]
    assert link.cost_weighted_distance == pytest.approx(2000.0, rel=1e-12)
    assert link.euclidean_distance_m == pytest.approx(2000.0, rel=1e-12)
    # off the row, a route costs 2 x (√2 - 1) x 100 more per cell: only the row has NLCC 0
    assert (link.min_width_m, link.width_m) == pytest.approx((100.0, 100.0), rel=1e-12)
    assert np.count_nonzero(np.isfinite(result.surface.array)) == 21
    assert link.corridor_area_km2 == pytest.approx(19 * 0.01, rel=1e-12)


def test_touching_cores_have_no_width():
    surface = grid(np.ones((10, 10)))
    cores = gpd.GeoDataFrame(
        {"name": ["A", "B"]},
        geometry=[cell_box(3, 2, 6, 5, surface), cell_box(3, 5, 6, 8, surface)],
        crs=CRS,
    )
    with pytest.warns(DataQualityWarning, match="touch"):
        result = corridors(surface, cores, id_column="name", cutoff=100.0)
    link = result.links.iloc[0]
    assert link.cost_weighted_distance == pytest.approx(100.0, rel=1e-12)
    assert link.euclidean_distance_m == 0.0
    assert link.length_m == pytest.approx(100.0, rel=1e-12)
    assert np.isnan(link.width_m) and np.isnan(link.min_width_m)
    assert "touch" in link.note


def test_cross_sections_cut_by_a_core_are_left_out(two_squares):
    surface, cores = two_squares
    # a third core lies along the gap, inside the west-east corridor (rows 16-17)
    third = gpd.GeoDataFrame(
        {"park": ["south"]}, geometry=[cell_box(16, 15, 18, 25, surface)], crs=CRS
    )
    everything = gpd.GeoDataFrame(pd.concat([cores, third], ignore_index=True), crs=CRS)
    result = quiet(surface, everything, id_column="park", pairs=[("west", "east")], cutoff=300.0)
    profile = result.widths
    cols = surface.index(profile.x.to_numpy(), profile.y.to_numpy())[1]
    # the cross-sections over the third core stop on it ...
    np.testing.assert_array_equal(profile.at_core, (cols >= 15) & (cols < 25))
    assert (profile.width_m[profile.at_core] < 1100.0).all()
    # ... and are left out: 4 cells of 900 m next to the cores, 6 of 1,100 m
    link = result.links.iloc[0]
    assert (link.min_width_m, link.width_m) == pytest.approx((900.0, 1100.0), rel=1e-12)

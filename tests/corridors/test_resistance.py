"""resistance_surface: class tables, barriers at their real widths, crossings, grids.

The barrier tests are topological: a barrier burned onto a uniform surface must
leave no 8-neighbour move across it (the passable cells on its two sides fall in
different components of scipy.ndimage.label with a 3 x 3 structure), at any
angle and any width, and a crossing must join them again.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import ndimage

from habitat import datasets
from habitat.core.errors import (
    ColumnError,
    DataQualityWarning,
    GeometryTypeError,
    InputError,
    ProjectedCRSRequiredError,
)
from habitat.corridors.resistance import resistance_surface
from habitat.corridors.surface import resistance_cells
from habitat.corridors.tables import leopard_barrier_table, leopard_resistance_table
from habitat.io.raster import Raster, reproject

UTM = "EPSG:32652"
CELL = 30.0
N = 60  # cells per side: 1.8 km
X0, Y0 = 600_000.0, 4_800_000.0  # lower-left corner
EIGHT = np.ones((3, 3), dtype=bool)
ROAD = 1000.0


def forest(n: int = N, cell: float = CELL) -> Raster:
    return Raster(
        np.ones((n, n), dtype="uint8"),
        (cell, 0.0, X0, 0.0, -cell, Y0 + n * cell),
        UTM,
        nodata=0,
        classes={1: "forest"},
    )


def centres(n: int = N, cell: float = CELL) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.indices((n, n))
    return X0 + (cols + 0.5) * cell, Y0 + n * cell - (rows + 0.5) * cell


def through(angle_deg: float, cx: float, cy: float, length: float = 10_000.0) -> shapely.LineString:
    dx = math.cos(math.radians(angle_deg)) * length / 2
    dy = math.sin(math.radians(angle_deg)) * length / 2
    return shapely.LineString([(cx - dx, cy - dy), (cx + dx, cy + dy)])


def layer(geom, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({k: [v] for k, v in columns.items()}, geometry=[geom], crs=UTM)


def sides_joined(surface: np.ndarray, line: shapely.LineString, margin: float) -> bool:
    """Whether a passable cell far on one side of ``line`` is 8-connected to one on the other."""
    passable = ~np.isnan(surface) & (surface < ROAD)
    labels, _ = ndimage.label(passable, structure=EIGHT)
    x, y = centres(surface.shape[0])
    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    side = (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0)
    far = shapely.distance(line, shapely.points(x, y)) > margin
    left = set(labels[(side > 0) & far & passable].tolist())
    right = set(labels[(side < 0) & far & passable].tolist())
    assert left and right, "the test line must cut the grid in two"
    return bool(left & right)


# ------------------------------------------------------------------ class tables
def classes_raster() -> Raster:
    array = np.array([[1, 2, 3], [4, 5, 6], [0, 1, 2]], dtype="uint8")
    return Raster(
        array,
        (200.0, 0.0, X0, 0.0, -200.0, Y0),
        UTM,
        nodata=0,
        classes=datasets.LAND_COVER_CLASSES,
    )


def test_each_cell_gets_its_class_resistance_and_nodata_stays_nan():
    table = leopard_resistance_table()
    out = resistance_surface(classes_raster(), table=table)
    expected = np.array([[1.0, 30.0, 50.0], [100.0, 200.0, 20.0], [np.nan, 1.0, 30.0]], dtype=float)
    np.testing.assert_array_equal(out.array, expected)
    assert math.isnan(out.nodata)
    assert out.transform == classes_raster().transform and out.crs == classes_raster().crs
    assert out.array.dtype == np.float64


@pytest.mark.parametrize(
    "table",
    [
        {1: 1.0, 2: 30.0, 3: 50.0, 4: 100.0, 5: 200.0, 6: 20.0},
        {
            "forest": 1.0,
            "grassland/burnt": 30.0,
            "Agriculture": 50.0,
            "settlement": 100,
            "water": 200,
            "wetland": 20,
        },
        {"1": 1.0, 2: 30.0, "agriculture": 50.0, 4: 100.0, 5: 200.0, 6: 20.0},
        pd.Series({1: 1.0, 2: 30.0, 3: 50.0, 4: 100.0, 5: 200.0, 6: 20.0}),
        pd.DataFrame(
            {
                "name": list(datasets.LAND_COVER_CLASSES.values()),
                "resistance": [1.0, 30.0, 50.0, 100.0, 200.0, 20.0],
            }
        ),
    ],
    ids=["codes", "names", "mixed", "series", "frame-of-names"],
)
def test_table_keyed_by_codes_names_or_frames_gives_the_same_surface(table):
    reference = resistance_surface(classes_raster(), table=leopard_resistance_table())
    out = resistance_surface(classes_raster(), table=table)
    np.testing.assert_array_equal(out.array, reference.array)


def test_the_leopard_table_is_read_by_class_code_not_by_name():
    cover = Raster(
        np.array([[1, 2], [5, 6]], dtype="uint8"),
        (30.0, 0, X0, 0, -30.0, Y0),
        UTM,
        classes={1: "class 1", 2: "class 2", 5: "class 5", 6: "class 6"},
    )
    out = resistance_surface(cover, table=leopard_resistance_table())
    np.testing.assert_array_equal(out.array, [[1.0, 30.0], [200.0, 20.0]])


def test_float32_output():
    out = resistance_surface(classes_raster(), table=leopard_resistance_table(), dtype="float32")
    assert out.array.dtype == np.float32


def test_unknown_class_in_the_raster_is_named_with_its_name_and_count():
    table = {1: 1.0, 2: 30.0, 3: 50.0, 4: 100.0, 6: 20.0}  # no water
    with pytest.raises(InputError) as info:
        resistance_surface(classes_raster(), table=table)
    text = str(info.value)
    assert "5 ('water'): 1 cells" in text
    assert "Add them to the table" in text


def test_unknown_class_of_a_wide_integer_raster_is_named():
    cover = Raster(
        np.array([[1, 70_000]], dtype="int32"), (30.0, 0, X0, 0, -30.0, Y0), UTM, nodata=-1
    )
    with pytest.raises(InputError, match="70000: 1 cells"):
        resistance_surface(cover, table={1: 1.0})


def test_unknown_class_name_in_the_table_suggests_the_closest():
    with pytest.raises(InputError) as info:
        resistance_surface(classes_raster(), table={"forrest": 1.0})
    assert "'forrest'" in str(info.value) and "Did you mean 'forest'" in str(info.value)


@pytest.mark.parametrize("bad", [0.0, -1.0, "high"])
def test_non_positive_table_resistance_is_refused(bad):
    table = {**leopard_resistance_table()["resistance"].to_dict(), 3: bad}
    with pytest.raises(InputError, match="class 3"):
        resistance_surface(classes_raster(), table=table)


def test_nan_or_inf_in_the_table_is_impassable():
    table = {**leopard_resistance_table()["resistance"].to_dict(), 5: np.inf, 4: np.nan}
    out = resistance_surface(classes_raster(), table=table)
    assert np.isnan(out.array[1, 0]) and np.isnan(out.array[1, 1])


def test_land_cover_with_fractional_values_is_refused():
    cover = Raster(np.array([[1.0, 2.5]]), (30.0, 0, X0, 0, -30.0, Y0), UTM)
    with pytest.raises(InputError, match="not integer class codes"):
        resistance_surface(cover, table={1: 1.0, 2: 2.0})


def test_table_frame_without_resistance_column():
    with pytest.raises(ColumnError, match="resistance"):
        resistance_surface(classes_raster(), table=pd.DataFrame({"cost": [1.0]}))


# ------------------------------------------------------------------ barriers: topology
ANGLES = [0.0, 17.3, 30.0, 45.0, 60.0, 90.0, 112.0, 135.0, 163.0]


@pytest.mark.parametrize("width", [1.0, 12.0, 29.0, 31.0, 45.0, 100.0])
@pytest.mark.parametrize("angle", ANGLES)
def test_a_road_of_any_width_and_angle_blocks_every_eight_neighbour_move(angle, width):
    cx, cy = X0 + 0.43 * N * CELL, Y0 + 0.57 * N * CELL
    road = through(angle, cx, cy)
    out = resistance_surface(
        forest(), table={1: 1.0}, barriers=layer(road, width_m=width, resistance=ROAD)
    )
    assert not sides_joined(out.array, road, margin=width / 2 + 2 * CELL)


CORNER_LINES = {
    "45 degrees through corners": ((X0 - 300.0, Y0 - 300.0), (X0 + 2100.0, Y0 + 2100.0)),
    "135 degrees through corners": ((X0 - 300.0, Y0 + 2100.0), (X0 + 2100.0, Y0 - 300.0)),
    "slope 1:2 through corners": ((X0 - 600.0, Y0 - 300.0), (X0 + 3600.0, Y0 + 1800.0)),
    "slope 3:1 through corners": ((X0 + 600.0, Y0 - 90.0), (X0 + 1260.0, Y0 + 1890.0)),
    "on a row boundary": ((X0 - 300.0, Y0 + 900.0), (X0 + 2100.0, Y0 + 900.0)),
    "on a column boundary": ((X0 + 900.0, Y0 - 300.0), (X0 + 900.0, Y0 + 2100.0)),
}


@pytest.mark.parametrize("width", [0.5, 12.0])
@pytest.mark.parametrize("case", list(CORNER_LINES))
def test_lines_through_cell_corners_or_along_cell_edges_still_block(case, width):
    """GDAL's 'all touched' alone misses cells a line meets only at a corner."""
    road = shapely.LineString(CORNER_LINES[case])
    out = resistance_surface(
        forest(), table={1: 1.0}, barriers=layer(road, width_m=width, resistance=ROAD)
    )
    assert not sides_joined(out.array, road, margin=2 * CELL)
    if "boundary" in case:  # one row (or column) of cells, not the two it runs between
        assert (out.array == ROAD).sum() == N


@pytest.mark.parametrize("width", [8.0, 20.0, 29.0])
@pytest.mark.parametrize("angle", [10.0, 45.0, 71.0, 135.0])
def test_a_thin_polygon_barrier_blocks_too(angle, width):
    cx, cy = X0 + 0.51 * N * CELL, Y0 + 0.49 * N * CELL
    river = through(angle, cx, cy).buffer(width / 2, cap_style="flat")
    axis = through(angle, cx, cy)
    out = resistance_surface(forest(), table={1: 1.0}, barriers=layer(river, resistance=ROAD))
    assert not sides_joined(out.array, axis, margin=width / 2 + 2 * CELL)


def test_a_wiggly_road_blocks():
    rng = np.random.default_rng(7)
    xs = np.linspace(X0 - 100, X0 + N * CELL + 100, 80)
    ys = Y0 + N * CELL / 2 + np.cumsum(rng.normal(0.0, 25.0, xs.size))
    road = shapely.LineString(np.column_stack([xs, ys]))
    out = resistance_surface(
        forest(), table={1: 1.0}, barriers=layer(road, width_m=10.0, resistance=ROAD)
    )
    passable = out.array < ROAD
    labels, _ = ndimage.label(passable, structure=EIGHT)
    top, bottom = set(labels[0][passable[0]]), set(labels[-1][passable[-1]])
    assert top and bottom and not (top & bottom)


# ------------------------------------------------------------------ crossings
@pytest.mark.parametrize("width", [12.0, 45.0, 100.0])
@pytest.mark.parametrize("angle", [0.0, 30.0, 45.0, 117.0])
@pytest.mark.parametrize("kind", ["point", "along", "across"])
def test_a_crossing_on_the_road_reopens_it(angle, width, kind):
    cx, cy = X0 + 0.43 * N * CELL, Y0 + 0.57 * N * CELL
    road = through(angle, cx, cy)
    barriers = layer(road, width_m=width, resistance=ROAD)
    if kind == "point":
        crossing = gpd.GeoSeries([shapely.Point(cx, cy)], crs=UTM)
    elif kind == "along":  # a 60 m tunnel drawn on the road
        crossing = gpd.GeoSeries([through(angle, cx, cy, length=60.0)], crs=UTM)
    else:  # a 5 m wide overpass drawn across the road
        crossing = layer(through(angle + 90.0, cx, cy, length=width + 4 * CELL), width_m=5.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a crossing on the road is not "idle"
        out = resistance_surface(forest(), table={1: 1.0}, barriers=barriers, crossings=crossing)
    assert sides_joined(out.array, road, margin=width / 2 + 2 * CELL)
    # ... and only near the crossing: the rest of the road is intact
    x, y = centres()
    far = shapely.distance(shapely.Point(cx, cy), shapely.points(x, y)) > width + 6 * CELL
    closed = resistance_surface(forest(), table={1: 1.0}, barriers=barriers).array
    np.testing.assert_array_equal(out.array[far], closed[far])


def test_crossing_with_a_resistance_takes_the_lower_value_and_restoring_gives_the_cover():
    cover = forest()
    cover.array[:, : N // 2] = 2  # west half: class 2
    road = through(90.0, X0 + N * CELL / 2, Y0 + N * CELL / 2)  # north-south on the boundary
    barriers = layer(road, width_m=60.0, resistance=ROAD)
    table = {1: 1.0, 2: 7.0}
    closed = resistance_surface(cover, table=table, barriers=barriers).array
    band = closed == ROAD
    assert band.sum() == 2 * N  # 60 m on 30 m cells: exactly two columns
    tunnel = gpd.GeoSeries([through(90.0, X0 + N * CELL / 2, Y0 + N * CELL / 2, 290.0)], crs=UTM)
    lifted = resistance_surface(cover, table=table, barriers=barriers, crossings=tunnel).array
    under = band & (lifted < ROAD)
    assert under.sum() == 2 * 10  # 290 m of road, ends mid-cell: ten rows of the two columns
    base = resistance_surface(cover, table=table).array
    np.testing.assert_array_equal(lifted[under], base[under])  # 7 west, 1 east
    given = resistance_surface(
        cover,
        table=table,
        barriers=barriers,
        crossings=tunnel,
        crossing_resistance=3.0,
    ).array
    # min(current, 3): 3 on the road, the cover's own value where it is lower
    assert set(np.unique(given[under]).tolist()) == {3.0}
    footprint = (given != closed) | under
    assert np.all(given[footprint] == np.minimum(closed[footprint], 3.0))


def test_a_crossing_that_meets_no_barrier_is_named_in_a_warning():
    road = through(0.0, X0 + 900.0, Y0 + 900.0)
    crossings = gpd.GeoSeries(
        [shapely.Point(X0 + 900.0, Y0 + 905.0), shapely.Point(X0 + 900.0, Y0 + 1500.0)],
        index=["on the road", "far away"],
        crs=UTM,
    )
    barriers = layer(road, width_m=12.0, resistance=ROAD)
    with pytest.warns(DataQualityWarning, match=r"\['far away'\] meet no burned barrier"):
        resistance_surface(forest(), table={1: 1.0}, barriers=barriers, crossings=crossings)
    with pytest.warns(DataQualityWarning, match="no barriers were given"):
        resistance_surface(forest(), table={1: 1.0}, crossings=crossings)


def test_crossing_never_makes_nodata_passable():
    cover = forest()
    cover.array[:10, :] = 0  # nodata strip
    point = gpd.GeoSeries([shapely.Point(X0 + 900.0, Y0 + N * CELL - 150.0)], crs=UTM)
    out = resistance_surface(
        cover, table={1: 1.0}, crossings=point, crossing_resistance=2.0, crossing_width_m=400.0
    )
    assert np.isnan(out.array[:10]).all()
    assert (out.array[10:] <= 2.0).all()


# ------------------------------------------------------------------ areas and values
@pytest.mark.parametrize("width", [90.0, 150.0])
def test_road_along_a_cell_row_burns_exactly_its_buffer(width):
    cy = Y0 + N * CELL / 2 + CELL / 2  # a row of cell centres
    road = shapely.LineString([(X0 - 500.0, cy), (X0 + N * CELL + 500.0, cy)])
    out = resistance_surface(
        forest(), table={1: 1.0}, barriers=layer(road, width_m=width, resistance=ROAD)
    )
    burned_m2 = float((out.array == ROAD).sum()) * CELL**2
    assert burned_m2 == pytest.approx(width * N * CELL, rel=1e-12)


def test_road_narrower_than_a_cell_along_a_row_is_one_cell_wide():
    cy = Y0 + N * CELL / 2 + CELL / 2
    road = shapely.LineString([(X0 - 500.0, cy), (X0 + N * CELL + 500.0, cy)])
    out = resistance_surface(
        forest(), table={1: 1.0}, barriers=layer(road, width_m=12.0, resistance=ROAD)
    )
    assert (out.array == ROAD).sum() == N
    scaled = resistance_surface(
        forest(),
        table={1: 1.0},
        barriers=layer(road, width_m=12.0, resistance=ROAD),
        scale_narrow=True,
    )
    # a straight crossing costs resistance x real width: 1000 x 12 m = 400 x 30 m
    assert set(np.unique(scaled.array).tolist()) == {1.0, ROAD * 12.0 / CELL}


@pytest.mark.parametrize("geometry", ["line", "polygon"])
def test_wide_barriers_burn_the_cells_whose_centres_are_in_the_buffer(geometry):
    """Wider than a cell diagonal, a barrier is its buffer by the cell-centre rule, exactly
    (oracle: shapely.contains_xy of the cell centres), and its area the buffer's on average."""
    rng = np.random.default_rng(11)
    grid_box = shapely.box(X0, Y0, X0 + N * CELL, Y0 + N * CELL)
    x, y = centres()
    burned_m2, buffer_m2 = 0.0, 0.0
    for angle, dx, dy in zip(
        rng.uniform(0.0, 180.0, 16), rng.uniform(-3, 3, 16), rng.uniform(-3, 3, 16), strict=True
    ):
        road = through(angle, X0 + (0.5 * N + dx) * CELL, Y0 + (0.5 * N + dy) * CELL)
        width = float(rng.uniform(45.0, 150.0))
        band = road.buffer(width / 2, cap_style="flat")
        barriers = (
            layer(road, width_m=width, resistance=ROAD)
            if geometry == "line"
            else layer(band, resistance=ROAD)
        )
        out = resistance_surface(forest(), table={1: 1.0}, barriers=barriers)
        burned = out.array == ROAD
        np.testing.assert_array_equal(burned, shapely.contains_xy(band, x, y))
        burned_m2 += float(burned.sum()) * CELL**2
        buffer_m2 += band.intersection(grid_box).area
    assert burned_m2 / buffer_m2 == pytest.approx(1.0, abs=0.02)


def test_barriers_take_the_max_never_lower_and_overlaps_keep_the_largest():
    cover = forest()
    cover.array[:, :5] = 2  # class 2: resistance 5000, above any barrier
    road_a = through(0.0, X0 + 900.0, Y0 + 900.0 + CELL / 2)
    road_b = through(90.0, X0 + 900.0 + CELL / 2, Y0 + 900.0)
    barriers = gpd.GeoDataFrame(
        {"width_m": [30.0, 30.0], "resistance": [100.0, 300.0]},
        geometry=[road_a, road_b],
        crs=UTM,
    )
    out = resistance_surface(cover, table={1: 1.0, 2: 5000.0}, barriers=barriers).array
    row, col = N // 2 - 1, N // 2
    assert out[row, col] == 300.0  # the junction: the larger of the two roads
    assert out[row, 10] == 100.0 and out[10, col] == 300.0
    assert (out[:, :5] == 5000.0).all()  # a road never lowers a cell


def test_barrier_over_nodata_stays_nodata_and_infinite_barriers_are_impassable():
    cover = forest()
    cover.array[:, :3] = 0
    road = through(0.0, X0 + 900.0, Y0 + 900.0 + CELL / 2)
    out = resistance_surface(
        cover, table={1: 1.0}, barriers=layer(road, width_m=30.0, resistance=np.inf)
    ).array
    assert np.isnan(out[:, :3]).all()
    assert np.isnan(out[N // 2 - 1, 3:]).all()
    assert (out[N // 2 - 1 + 1 :, 3:] == 1.0).all()


def test_impassable_class_stays_impassable_under_a_barrier():
    cover = forest()
    cover.array[: N // 2, :] = 2  # north half impassable (NaN in the table)
    road = through(90.0, X0 + 900.0 + CELL / 2, Y0 + 900.0)  # north-south through both
    out = resistance_surface(
        cover, table={1: 1.0, 2: np.nan}, barriers=layer(road, width_m=30.0, resistance=ROAD)
    ).array
    assert np.isnan(out[: N // 2]).all()
    assert (out[N // 2 :, N // 2] == ROAD).all()


def test_barriers_in_another_crs_burn_the_same_cells():
    road = through(33.0, X0 + 900.0, Y0 + 900.0, length=1500.0)
    barriers = layer(road, width_m=20.0, resistance=ROAD)
    a = resistance_surface(forest(), table={1: 1.0}, barriers=barriers).array
    b = resistance_surface(forest(), table={1: 1.0}, barriers=barriers.to_crs(4326)).array
    np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ barrier tables and errors
def test_barrier_table_kinds_widths_and_unburned_tunnels():
    table = leopard_barrier_table()
    road = through(0.0, X0 + 900.0, Y0 + 900.0 + CELL / 2)
    tunnel = through(90.0, X0 + 900.0 + CELL / 2, Y0 + 900.0)
    barriers = gpd.GeoDataFrame(
        {"kind": ["regional", "tunnel"], "width_m": [np.nan, np.nan]},
        geometry=[road, tunnel],
        crs=UTM,
    )
    out = resistance_surface(forest(), table={1: 1.0}, barriers=barriers, barrier_table=table)
    values, counts = np.unique(out.array, return_counts=True)
    assert values.tolist() == [1.0, 500.0]  # the tunnel burns nothing
    assert counts[1] == N  # a 15 m regional road along a row: one row


def test_unknown_kind_is_named_with_the_known_ones():
    road = layer(through(0.0, X0 + 900.0, Y0 + 900.0), kind="motorway")
    with pytest.raises(InputError) as info:
        resistance_surface(
            forest(), table={1: 1.0}, barriers=road, barrier_table=leopard_barrier_table()
        )
    assert "motorway" in str(info.value) and "regional" in str(info.value)


def test_line_without_width_is_refused_naming_the_row():
    roads = gpd.GeoDataFrame(
        {"resistance": [ROAD]}, geometry=[through(0.0, X0 + 900, Y0 + 900)], crs=UTM
    ).set_axis(["A189"])
    with pytest.raises(InputError, match=r"\['A189'\].*no width"):
        resistance_surface(forest(), table={1: 1.0}, barriers=roads)


def test_defaults_for_a_plain_geoseries():
    roads = gpd.GeoSeries([through(0.0, X0 + 900.0, Y0 + 900.0 + CELL / 2)], crs=UTM)
    out = resistance_surface(
        forest(), table={1: 1.0}, barriers=roads, barrier_resistance=50.0, barrier_width_m=30.0
    )
    assert (out.array == 50.0).sum() == N


@pytest.mark.parametrize("bad", [0.0, -3.0])
def test_non_positive_barrier_resistance_or_width_refused(bad):
    road = through(0.0, X0 + 900.0, Y0 + 900.0)
    with pytest.raises(InputError, match="> 0"):
        resistance_surface(
            forest(), table={1: 1.0}, barriers=layer(road, width_m=10.0, resistance=bad)
        )
    with pytest.raises(InputError, match="positive metres"):
        resistance_surface(
            forest(), table={1: 1.0}, barriers=layer(road, width_m=bad, resistance=10.0)
        )


def test_point_barriers_are_refused():
    points = gpd.GeoSeries([shapely.Point(X0 + 100, Y0 + 100)], crs=UTM)
    with pytest.raises(GeometryTypeError, match="Point"):
        resistance_surface(forest(), table={1: 1.0}, barriers=points, barrier_resistance=9.0)


def test_text_in_a_width_column_is_refused():
    road = layer(through(0.0, X0 + 900, Y0 + 900), width_m="wide", resistance=ROAD)
    with pytest.raises(ColumnError, match="width_m"):
        resistance_surface(forest(), table={1: 1.0}, barriers=road)


# ------------------------------------------------------------------ CRS and cell size
def test_land_cover_in_degrees_is_warped_to_utm_with_a_warning_naming_the_cell_size():
    geo = reproject(datasets.land_cover(), "EPSG:4326")
    with pytest.warns(DataQualityWarning, match=r"in degrees.*EPSG:32652.*200 m"):
        out = resistance_surface(geo, table=leopard_resistance_table())
    assert out.crs.to_epsg() == 32652 and out.cell_size_m == 200.0
    values, cell = resistance_cells(out)
    assert cell == 200.0 and np.nanmin(values) == 1.0


def test_land_cover_in_web_mercator_is_warped_with_a_warning():
    mercator = reproject(classes_raster(), "EPSG:3857")
    with pytest.warns(DataQualityWarning, match=r"EPSG:3857.*not for distances.*EPSG:32652"):
        out = resistance_surface(mercator, table=leopard_resistance_table())
    assert out.crs.to_epsg() == 32652


def test_a_crs_in_degrees_is_refused():
    with pytest.raises(ProjectedCRSRequiredError, match="degrees"):
        resistance_surface(classes_raster(), table=leopard_resistance_table(), crs="EPSG:4326")


def test_coarser_cells_take_the_majority_class():
    array = np.ones((4, 4), dtype="uint8")
    array[0, 0] = 2  # one cell of four in the top-left 2 x 2 block
    array[2:, 2:] = 2
    array[3, 3] = 1  # three of four
    cover = Raster(array, (30.0, 0, X0, 0, -30.0, Y0), UTM, nodata=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an explicit cell size is not warned about
        out = resistance_surface(cover, table={1: 1.0, 2: 9.0}, cell_size_m=60.0)
    assert out.cell_size_m == 60.0
    np.testing.assert_array_equal(out.array, [[1.0, 1.0], [1.0, 9.0]])


def test_finer_cells_keep_the_classes():
    out = resistance_surface(classes_raster(), table=leopard_resistance_table(), cell_size_m=100)
    assert out.shape == (6, 6)
    assert out.array[0, 0] == out.array[1, 1] == 1.0 and out.array[0, 2] == 30.0


@pytest.mark.parametrize("bad", [0, -5.0, "big", float("nan")])
def test_bad_cell_size(bad):
    with pytest.raises(InputError, match="cell_size_m"):
        resistance_surface(classes_raster(), table=leopard_resistance_table(), cell_size_m=bad)


def test_not_a_raster():
    with pytest.raises(InputError, match="Raster"):
        resistance_surface(np.ones((3, 3)), table={1: 1.0})  # type: ignore[arg-type]


# ------------------------------------------------------------------ the bundled study area
def test_bundled_leopard_surface_with_and_without_the_narvinsky_tunnel():
    area = datasets.primorsky()
    barriers = area.features("barriers")
    crossings = area.features("crossings")
    cover = datasets.land_cover()
    tables = {"table": leopard_resistance_table(), "barrier_table": leopard_barrier_table()}
    with_tunnel = resistance_surface(cover, barriers=barriers, crossings=crossings, **tables)
    before = barriers.copy()
    before.loc[before["kind"] == "tunnel", "kind"] = "regional"  # the A189 before 2016
    without = resistance_surface(cover, barriers=before, **tables)
    tunnel = crossings.to_crs(UTM).geometry.iloc[0]
    rows, cols = np.nonzero(~np.isnan(with_tunnel.array))
    cx, cy = with_tunnel.xy(rows, cols)
    near = shapely.distance(tunnel, shapely.points(cx, cy)) < 100.0
    assert near.sum() > 0
    assert (without.array[rows[near], cols[near]] >= 500.0).all()
    assert (with_tunnel.array[rows[near], cols[near]] < 500.0).all()
    assert with_tunnel.shape == cover.shape and with_tunnel.transform == cover.transform

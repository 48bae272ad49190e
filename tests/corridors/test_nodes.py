"""Focal nodes on a grid: cell-centre rule, small shapes kept, ids, errors naming the nodes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat.core.errors import CRSError, GeometryTypeError, InputError
from habitat.corridors.nodes import node_cells
from habitat.io.raster import Grid, Raster

UTM = "EPSG:32652"
X0, Y0 = 600_000.0, 4_800_000.0  # top-left corner
CS = 100.0


def grid(rows: int = 10, cols: int = 12) -> Raster:
    return Raster(np.ones((rows, cols)), (CS, 0.0, X0, 0.0, -CS, Y0), UTM)


def cell_box(row: int, col: int, n_rows: int = 1, n_cols: int = 1) -> shapely.Polygon:
    """The polygon of cells [row, row + n_rows) x [col, col + n_cols)."""
    return shapely.box(
        X0 + col * CS, Y0 - (row + n_rows) * CS, X0 + (col + n_cols) * CS, Y0 - row * CS
    )


def centre(row: int, col: int) -> shapely.Point:
    return shapely.Point(X0 + (col + 0.5) * CS, Y0 - (row + 0.5) * CS)


def series(geoms: list, index: list | None = None, crs: str = UTM) -> gpd.GeoSeries:
    return gpd.GeoSeries(geoms, index=index, crs=crs)


def test_polygon_covers_the_cells_whose_centre_it_holds() -> None:
    # x from 3.5 to 7.6 cells, y from 2.6 to 5.6 cells below the top: centres (col + 0.5,
    # row + 0.5) strictly inside are cols 4-7 (col 3's centre lies on the boundary:
    # outside) and rows 3-5
    poly = shapely.box(X0 + 3.5 * CS, Y0 - 5.6 * CS, X0 + 7.6 * CS, Y0 - 2.6 * CS)
    labels, ids = node_cells(series([poly]), grid())
    rows, cols = np.nonzero(labels)
    assert set(zip(rows.tolist(), cols.tolist(), strict=True)) == {
        (r, c) for r in (3, 4, 5) for c in (4, 5, 6, 7)
    }
    assert labels.dtype == np.int32 and labels.shape == (10, 12)
    assert list(ids) == [0]


def test_point_takes_its_cell_and_edge_goes_right_and_down() -> None:
    inside = shapely.Point(X0 + 2.3 * CS, Y0 - 4.7 * CS)  # row 4, col 2
    on_edge = shapely.Point(X0 + 6 * CS, Y0 - 8 * CS)  # corner of 4 cells: row 8, col 6
    labels, ids = node_cells(series([inside, on_edge], index=["a", "b"]), grid())
    assert labels[4, 2] == 1 and labels[8, 6] == 2
    assert np.count_nonzero(labels) == 2
    assert list(ids) == ["a", "b"]


def test_small_and_thin_polygons_are_never_lost() -> None:
    tiny = shapely.box(X0 + 5.1 * CS, Y0 - 1.9 * CS, X0 + 5.3 * CS, Y0 - 1.7 * CS)  # in (1, 5)
    # a thin sliver along row 7 between centres: holds no centre, takes one cell of row 7
    sliver = shapely.box(X0 + 1 * CS, Y0 - 7.2 * CS, X0 + 9 * CS, Y0 - 7.1 * CS)
    labels, ids = node_cells(series([tiny, sliver], index=["tiny", "sliver"]), grid())
    assert labels[1, 5] == 1 and np.count_nonzero(labels == 1) == 1
    rows, cols = np.nonzero(labels == 2)
    assert rows.tolist() == [7] and 1 <= cols[0] <= 8


def test_shared_ids_make_one_node_and_order_is_first_appearance() -> None:
    gdf = gpd.GeoDataFrame(
        {"park": ["B", "A", "B"]},
        geometry=[cell_box(0, 0, 2, 2), cell_box(5, 5), centre(9, 11)],
        crs=UTM,
    )
    labels, ids = node_cells(gdf, grid(), id_column="park")
    assert list(ids) == ["B", "A"] and ids.name == "park"
    assert np.count_nonzero(labels == 1) == 5  # 4 cells + the point
    assert labels[9, 11] == 1 and labels[5, 5] == 2


def test_any_crs_is_reprojected_to_the_grids() -> None:
    block = cell_box(2, 2, 3, 4)
    lonlat = series([block]).to_crs(4326)
    labels, _ = node_cells(lonlat, grid())
    assert np.count_nonzero(labels) == 12
    assert labels[2:5, 2:6].all()


def test_polygon_partly_outside_keeps_its_cells_on_the_grid() -> None:
    big = shapely.box(X0 - 500, Y0 - 2 * CS, X0 + 2 * CS, Y0 + 500)
    labels, _ = node_cells(series([big]), grid())
    assert np.count_nonzero(labels) == 4 and labels[:2, :2].all()


def test_grid_can_be_a_grid() -> None:
    g = Grid((10, 12), (CS, 0.0, X0, 0.0, -CS, Y0), grid().crs)
    labels, _ = node_cells(series([centre(3, 3)]), g)
    assert labels[3, 3] == 1


@pytest.mark.parametrize(
    "geom",
    [
        shapely.Point(X0 - 1.0, Y0 - 50.0),
        shapely.Point(X0 + 12 * CS, Y0 - 50.0),  # on the right edge: outside
        shapely.box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000),
        shapely.MultiPoint([(X0 + 50, Y0 - 50), (X0 - 50, Y0 - 50)]),  # one point off
    ],
)
def test_nodes_outside_are_named(geom: shapely.Geometry) -> None:
    nodes = series([centre(1, 1), geom], index=["in", "Leo 7F"])
    with pytest.raises(InputError, match=r"'Leo 7F' lie outside the raster"):
        node_cells(nodes, grid())


def test_nodata_cells_are_left_out_and_nodes_only_on_nodata_named() -> None:
    valid = np.ones((10, 12), bool)
    valid[0:2, 0:2] = False
    valid[0, 3] = False
    part = cell_box(0, 0, 3, 3)  # 9 cells, 4 of them nodata
    labels, _ = node_cells(series([part]), grid(), valid=valid)
    assert np.count_nonzero(labels) == 5 and not labels[~valid].any()
    on_hole = series([part, centre(0, 3)], index=["core", "den"])
    with pytest.raises(InputError, match=r"ids 'den' lie only on nodata cells"):
        node_cells(on_hole, grid(), valid=valid)
    with pytest.raises(InputError, match=r"valid must have the grid's shape"):
        node_cells(on_hole, grid(), valid=valid[:5])


def test_overlapping_nodes_are_named_with_their_shared_cells() -> None:
    nodes = series(
        [cell_box(0, 0, 3, 3), cell_box(2, 2, 3, 3), centre(9, 9)], index=["A", "B", "C"]
    )
    with pytest.raises(
        InputError, match=r"overlap: ids 'A' and 'B' share 1 cell\(s\) \(first at row 2, col 2\)"
    ):
        node_cells(nodes, grid())
    # a point inside a polygon of another node overlaps too
    with pytest.raises(InputError, match=r"ids 'A' and 'C'"):
        node_cells(series([cell_box(0, 0, 3, 3), centre(1, 1)], index=["A", "C"]), grid())


@pytest.mark.parametrize(
    ("nodes", "error", "match"),
    [
        (
            series([shapely.LineString([(X0, Y0 - 50), (X0 + 500, Y0 - 50)])]),
            GeometryTypeError,
            "Point",
        ),
        (series([shapely.Point()]), GeometryTypeError, "missing or empty"),
        (gpd.GeoSeries([centre(1, 1)]), CRSError, "no coordinate reference system"),
        (pd.DataFrame({"x": [1]}), InputError, "GeoDataFrame or GeoSeries"),
        (series([]), InputError, "no rows"),
    ],
)
def test_bad_nodes(nodes: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        node_cells(nodes, grid())  # type: ignore[arg-type]


def test_bad_id_column_and_missing_ids() -> None:
    gdf = gpd.GeoDataFrame({"name": ["a", None]}, geometry=[centre(1, 1), centre(2, 2)], crs=UTM)
    with pytest.raises(InputError, match=r"id_column='nom' is not a column"):
        node_cells(gdf, grid(), id_column="nom")
    with pytest.raises(InputError, match=r"missing ids"):
        node_cells(gdf, grid(), id_column="name")


# nodes as a grid of ids (Circuitscape's focal node raster) -------------------------------------


def _grid_surface():
    return Raster(np.ones((4, 5)), (100.0, 0.0, 0.0, 0.0, -100.0, 400.0), 32652)


def test_a_grid_of_ids_gives_one_node_per_positive_id():
    ids = np.array([[0, 7, 7, 0, -9], [0, 0, 0, 0, 0], [3, 0, 0, 0, 0], [0, 0, 0, 0, 3]])
    labels, got = node_cells(ids, _grid_surface())
    assert got.tolist() == [3, 7]  # sorted ids; 0 and -9 (Circuitscape's "ignore") are none
    assert labels.tolist() == [[0, 2, 2, 0, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 1]]
    # the same ids as a Raster on the grid, with a nodata value that is not a node
    as_raster = Raster(np.where(ids == -9, 255, ids), _grid_surface().transform, 32652, nodata=255)
    labels2, got2 = node_cells(as_raster, _grid_surface())
    np.testing.assert_array_equal(labels2, labels)
    assert got2.tolist() == [3, 7]


def test_a_grid_of_ids_is_checked():
    surface = _grid_surface()
    with pytest.raises(InputError, match="shape"):
        node_cells(np.zeros((3, 5), int), surface)
    with pytest.raises(InputError, match="whole-number"):
        node_cells(np.full((4, 5), 1.5), surface)
    with pytest.raises(InputError, match="no cell with an id > 0"):
        node_cells(np.zeros((4, 5), int), surface)
    shifted = Raster(np.ones((4, 5), int), (100.0, 0.0, 50.0, 0.0, -100.0, 400.0), 32652)
    with pytest.raises(InputError, match="surface's grid"):
        node_cells(shifted, surface)
    ids = np.zeros((4, 5), int)
    ids[0, 0], ids[3, 4] = 1, 2
    valid = np.ones((4, 5), bool)
    valid[0, 0] = False
    with pytest.raises(InputError, match="ids 1 lie only on nodata"):
        node_cells(ids, surface, valid=valid)

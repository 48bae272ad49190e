"""The shared input checks of habitat.core.validation: each bad input class gets a named error."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from habitat.core.errors import (
    CoordinateError,
    EmptyDataError,
    GeometryTypeError,
    InputError,
)
from habitat.core.validation import (
    repair_polygons,
    require_finite_coordinates,
    require_fraction,
    require_layer_mapping,
    require_polygons,
)

SQUARE = shapely.box(0, 0, 10, 10)


def _with_bad_vertex(value):
    return shapely.Polygon([(0, 0), (value, 0), (10, 10), (0, 10)])


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_vertices_are_refused_naming_layer_file_and_rows(value):
    with np.errstate(invalid="ignore"):
        layer = gpd.GeoDataFrame(
            geometry=[SQUARE, _with_bad_vertex(value), SQUARE, _with_bad_vertex(value)],
            index=["a", "b", "c", "d"],
            crs=32652,
        )
    with pytest.raises(CoordinateError, match=r"park_zones .*zones\.gpkg.*rows b, d"):
        require_polygons(layer, name="park_zones", source="zones.gpkg")


def test_a_nan_hole_is_found_too():
    with np.errstate(invalid="ignore"):
        holed = shapely.Polygon(SQUARE.exterior.coords, [[(2, 2), (np.nan, 2), (3, 3), (2, 3)]])
    with pytest.raises(CoordinateError, match="rows 0"):
        require_finite_coordinates(gpd.GeoSeries([holed]), name="ranges")


def test_multipolygons_with_one_bad_part_are_found():
    with np.errstate(invalid="ignore"):
        multi = shapely.MultiPolygon([SQUARE, _with_bad_vertex(np.nan)])
    with pytest.raises(CoordinateError, match="rows 0"):
        require_polygons(gpd.GeoSeries([multi], crs=32652), name="ranges")


def test_empty_layer_is_named():
    empty = gpd.GeoDataFrame(geometry=[], crs=32652)
    with pytest.raises(EmptyDataError, match="^countries holds no rows"):
        require_polygons(empty, name="countries")
    assert require_polygons(empty, name="countries", allow_no_rows=True) is empty


@pytest.mark.parametrize(
    ("geoms", "error", "match"),
    [
        ([shapely.Point(0, 0)], GeometryTypeError, "Point"),
        ([shapely.LineString([(0, 0), (1, 1)])], GeometryTypeError, "LineString"),
        ([None], GeometryTypeError, "missing or empty"),
        ([shapely.Polygon()], GeometryTypeError, "missing or empty"),
    ],
)
def test_wrong_geometries_are_refused(geoms, error, match):
    with pytest.raises(error, match=match):
        require_polygons(gpd.GeoSeries(geoms, crs=32652), name="ranges")


@pytest.mark.parametrize("data", [None, [SQUARE], {"geometry": [SQUARE]}, 5, "ranges.gpkg"])
def test_not_geodata_is_an_input_error(data):
    with pytest.raises(InputError, match="ranges must be a GeoDataFrame or GeoSeries"):
        require_polygons(data, name="ranges")


def test_self_intersecting_polygons_pass_the_check_and_are_repaired_with_a_warning():
    bow_tie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    require_polygons(gpd.GeoSeries([bow_tie], crs=32652), name="ranges")  # no error
    with pytest.warns(UserWarning, match="repaired"):
        fixed, reasons = repair_polygons(np.array([bow_tie]))
    assert fixed[0].area == 50.0 and reasons[0].startswith("Self-intersection")
    with pytest.raises(InputError, match="numpy array"):
        repair_polygons([bow_tie])


def test_after_reprojection_message_blames_the_crs_range():
    with np.errstate(invalid="ignore"):
        projected = gpd.GeoSeries([_with_bad_vertex(np.inf)], crs=6933)
    with pytest.raises(CoordinateError, match="after reprojection to EPSG:6933.*valid range"):
        require_finite_coordinates(projected, name="ranges", after="reprojection to EPSG:6933")


@pytest.mark.parametrize("good", [0.5, 1, 1.0, np.float32(0.95), np.int64(1)])
def test_fractions(good):
    assert require_fraction(good) == pytest.approx(float(good))


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ("high", "not 'high'"),
        ("0.95", "not '0.95'"),
        (None, "not None"),
        (True, "not True"),
        (0, "not 0"),
        (-0.5, "not -0.5"),
        (np.nan, "not nan"),
        (95, "for a percentage write 0.95"),
        ([0.5, 0.95], "not \\[0.5, 0.95\\]"),
    ],
)
def test_bad_fractions(bad, match):
    with pytest.raises(InputError, match=f"level must be a fraction in \\(0, 1\\].*{match}"):
        require_fraction(bad)


def test_layer_mappings():
    assert require_layer_mapping({}) == {}
    for bad in (None, [1], "roads"):
        with pytest.raises(InputError, match="mapping of layer names"):
            require_layer_mapping(bad)
    with pytest.raises(InputError, match="keyed by layer names"):
        require_layer_mapping({1: None})

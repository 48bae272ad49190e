"""Hostile inputs to habitat.landscape: habitat errors naming the layer, never GEOS tracebacks."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from habitat.core.errors import (
    CoordinateError,
    CRSError,
    EmptyDataError,
    InputError,
)
from habitat.io.raster import Raster
from habitat.landscape import composition_in_ranges, line_density_in_ranges, summarise_layers

UTM = "EPSG:32652"
COVER = Raster(
    np.ones((10, 10), np.uint8), (1000.0, 0, 600_000, 0, -1000.0, 4_760_000), UTM, nodata=0
)
RANGES = gpd.GeoSeries([shapely.box(602_000, 4_752_000, 606_000, 4_756_000)], crs=UTM)
ROAD = gpd.GeoSeries([shapely.LineString([(600_000, 4_754_000), (620_000, 4_754_000)])], crs=UTM)


def _nan_square():
    with np.errstate(invalid="ignore"):
        return shapely.Polygon([(602_000, 4_752_000), (np.nan, 4_752_000), (606_000, 4_756_000)])


def test_nan_vertices_in_ranges_are_refused_naming_the_row():
    ranges = gpd.GeoSeries([RANGES.iloc[0], _nan_square()], index=["F1", "M1"], crs=UTM)
    with pytest.raises(CoordinateError, match="ranges .*rows M1"):
        composition_in_ranges(ranges, COVER)
    with pytest.raises(CoordinateError, match="ranges .*rows M1"):
        line_density_in_ranges(ranges, ROAD)


def test_nan_vertices_in_lines_are_refused_naming_the_layer():
    road = gpd.GeoSeries(
        [ROAD.iloc[0], shapely.LineString([(600_000, 4_754_000), (np.nan, 4_754_000)])], crs=UTM
    )
    with pytest.raises(CoordinateError, match="roads .*rows 1"):
        line_density_in_ranges(RANGES, road, lines_name="roads")


def test_empty_layers_are_named():
    with pytest.raises(EmptyDataError, match="^ranges holds no rows"):
        composition_in_ranges(RANGES.iloc[:0], COVER)
    with pytest.raises(EmptyDataError, match="^roads holds no rows"):
        line_density_in_ranges(RANGES, ROAD.iloc[:0], lines_name="roads")
    with pytest.raises(EmptyDataError, match="^ranges holds no rows"):
        line_density_in_ranges(RANGES.iloc[:0], ROAD)


@pytest.mark.parametrize("bad", [None, 5, [shapely.box(0, 0, 1, 1)]])
def test_not_geodata_is_an_input_error(bad):
    with pytest.raises(InputError, match="ranges must be a GeoDataFrame or GeoSeries"):
        composition_in_ranges(bad, COVER)
    with pytest.raises(InputError, match="lines must be a GeoDataFrame or GeoSeries"):
        line_density_in_ranges(RANGES, bad)


def test_non_surface_and_unknown_crs_are_refused():
    with pytest.raises(CRSError, match="Geocentric"):
        composition_in_ranges(RANGES.set_crs(4978, allow_override=True), COVER)
    with pytest.raises(CRSError, match="Geocentric"):
        line_density_in_ranges(RANGES, ROAD.set_crs(4978, allow_override=True))
    with pytest.raises(CRSError, match="not a CRS"):
        line_density_in_ranges(RANGES, ROAD, crs="UTM 52")


def test_classes_must_be_a_dict():
    with pytest.raises(InputError, match="classes must be a dict"):
        composition_in_ranges(RANGES, COVER, classes=[1])


def test_summarise_layers_arguments():
    with pytest.raises(InputError, match="mapping of layer names"):
        summarise_layers(None)
    with pytest.raises(EmptyDataError, match="layers is empty"):
        summarise_layers({})
    with pytest.raises(InputError, match="park must be a GeoDataFrame"):
        summarise_layers({"park": 3})
    bad = gpd.GeoDataFrame(geometry=[_nan_square()], crs=UTM)
    with pytest.raises(CoordinateError, match="park .*rows 0"):
        summarise_layers({"roads": gpd.GeoDataFrame(geometry=ROAD), "park": bad})
    # a layer without rows is summarised, not refused: 0 features
    table = summarise_layers({"park": gpd.GeoDataFrame(geometry=[], crs=UTM)})
    assert table.loc["park", "n_features"] == 0


def test_self_intersecting_ranges_are_repaired_with_a_warning():
    """A bow tie over a 4 km square becomes its two triangles (make_valid), with a warning."""
    from habitat.core.errors import DataQualityWarning

    x0, y0 = 602_000, 4_752_000
    bow_tie = shapely.Polygon([(x0, y0), (x0 + 4000, y0 + 4000), (x0 + 4000, y0), (x0, y0 + 4000)])
    ranges = gpd.GeoSeries([bow_tie], index=["F1"], crs=UTM)
    with pytest.warns(DataQualityWarning, match="row F1: Self-intersection"):
        comp = composition_in_ranges(ranges, COVER)
    # centres (km from the corner) strictly inside a triangle: (0.5, 1.5), (0.5, 2.5) on the
    # left, (3.5, 1.5), (3.5, 2.5) on the right
    assert comp["n_cells"].iloc[0] == 4
    with pytest.warns(DataQualityWarning, match="Self-intersection"):
        dens = line_density_in_ranges(ranges, ROAD)  # the road runs through the crossing
    # 2 km in each triangle; the triangles hold 8 km² (planar UTM)
    assert dens["length_km"].iloc[0] == pytest.approx(4.0)
    assert dens["density_km_per_km2"].iloc[0] == pytest.approx(0.5)

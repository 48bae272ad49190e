"""habitat.maps.overlays: rasters warped to Leaflet's Web Mercator image grid."""

import numpy as np
import pytest
from pyproj import Transformer

from habitat.io.raster import Raster
from habitat.maps.overlays import raster_lonlat_bounds, warp_to_web_map, web_mercator_bounds

#: GDAL's approximate transformer may move a pixel centre by up to 1/8 source cell
EDGE_MARGIN_CELLS = 0.125 + 0.01


def _source_cell(raster, shape, lonlat):
    """Fractional (row, col) of the source cell under each pixel centre, by pyproj alone."""
    height, width = shape
    to_merc = Transformer.from_crs(4326, 3857, always_xy=True)
    w, s, e, n = lonlat
    xmin, ymin = to_merc.transform(w, s)
    xmax, ymax = to_merc.transform(e, n)
    x = xmin + (np.arange(width) + 0.5) * (xmax - xmin) / width
    y = ymax - (np.arange(height) + 0.5) * (ymax - ymin) / height
    xx, yy = np.meshgrid(x, y)
    to_src = Transformer.from_crs(3857, raster.crs, always_xy=True)
    sx, sy = to_src.transform(xx, yy)
    a, _, c, _, e_, f = raster.transform
    return (sy - f) / e_, (sx - c) / a


def _random_classes(rng, shape, *, with_nodata):
    arr = rng.integers(1, 7, size=shape).astype(np.uint8)
    if with_nodata:
        arr[rng.random(shape) < 0.1] = 0
    return arr


@pytest.mark.parametrize(
    "transform, crs",
    [
        ((250.0, 0.0, 650_000.0, 0.0, -250.0, 4_800_000.0), 32652),  # UTM 52N, rotated vs north
        ((0.01, 0.0, 130.5, 0.0, -0.01, 43.5), 4326),  # degrees
    ],
)
def test_warp_matches_an_independent_nearest_cell_lookup(transform, crs):
    rng = np.random.default_rng(7)
    arr = _random_classes(rng, (60, 80), with_nodata=True)
    r = Raster(arr, transform, crs, nodata=0)
    values, valid, lonlat = warp_to_web_map(r, max_size_px=200)  # capped at 80 (raster size)
    assert lonlat == pytest.approx(raster_lonlat_bounds(r))
    assert values.dtype == arr.dtype and max(values.shape) == 80
    fr, fc = _source_cell(r, values.shape, lonlat)
    rows, cols = np.floor(fr).astype(int), np.floor(fc).astype(int)
    inside = (fr >= 0) & (fr < arr.shape[0]) & (fc >= 0) & (fc < arr.shape[1])
    # pixel centres clear of every cell edge: the cell is unambiguous
    clear = (
        (np.abs(fr - np.round(fr)) > EDGE_MARGIN_CELLS)
        & (np.abs(fc - np.round(fc)) > EDGE_MARGIN_CELLS)
        & (fr > EDGE_MARGIN_CELLS)
        & (fc > EDGE_MARGIN_CELLS)
    )
    safe = inside & clear
    assert safe.mean() > 0.3
    expected = arr[rows[safe], cols[safe]]
    np.testing.assert_array_equal(values[safe], expected)
    np.testing.assert_array_equal(valid[safe], expected != 0)
    # pixels clearly outside the grid are invalid and hold the nodata value
    outside = ~inside & (
        (fr < -EDGE_MARGIN_CELLS)
        | (fr > arr.shape[0] + EDGE_MARGIN_CELLS)
        | (fc < -EDGE_MARGIN_CELLS)
        | (fc > arr.shape[1] + EDGE_MARGIN_CELLS)
    )
    assert not valid[outside].any() and (values[outside] == 0).all()
    assert not valid[values == 0].any()


def test_warp_without_nodata_keeps_zero_valued_cells_valid():
    rng = np.random.default_rng(3)
    arr = rng.integers(0, 256, size=(40, 40)).astype(np.uint8)  # every uint8 value may occur
    arr[:, :20] = 0
    r = Raster(arr, (250.0, 0.0, 650_000.0, 0.0, -250.0, 4_800_000.0), 32652)
    values, valid, _ = warp_to_web_map(r, max_size_px=40)
    assert values.dtype == np.uint8
    # the west half (value 0) is data, not nodata
    assert (valid & (values == 0)).sum() > 0.3 * values.size
    assert (values[~valid] == 0).all()


def test_warp_float_raster_marks_nan_invalid():
    arr = np.linspace(0.0, 1.0, 400).reshape(20, 20)
    arr[5:10, 5:10] = np.nan
    r = Raster(arr, (500.0, 0.0, 700_000.0, 0.0, -500.0, 4_810_000.0), 32652)
    values, valid, _ = warp_to_web_map(r, max_size_px=40)
    assert np.isnan(values[~valid]).all() and np.isfinite(values[valid]).all()
    assert valid.mean() > 0.8
    assert np.nanmin(values) >= 0.0 and np.nanmax(values) <= 1.0


def test_web_mercator_bounds_of_a_lonlat_box():
    xmin, ymin, xmax, ymax = web_mercator_bounds((0.0, 0.0, 1.0, 1.0))
    assert (xmin, ymin) == pytest.approx((0.0, 0.0), abs=1e-6)
    assert xmax == pytest.approx(111_319.49, abs=0.01)
    assert ymax == pytest.approx(111_325.14, abs=0.01)


def test_current_density_scale_takes_explicit_zero_limits():
    """vmin/vmax given as 0 are used, not replaced by a default (0 is falsy)."""
    import folium

    from habitat.maps.overlays import add_current_density

    arr = np.linspace(-3.0, 0.0, 400).reshape(20, 20)
    r = Raster(arr, (500.0, 0.0, 700_000.0, 0.0, -500.0, 4_810_000.0), 32652)
    scale = add_current_density(folium.Map(tiles=None), r, vmin=-2.0, vmax=0.0)
    assert (scale.vmin, scale.vmax) == (-2.0, 0.0)
    auto = add_current_density(folium.Map(tiles=None), r)
    assert auto.vmin == pytest.approx(-3.0, abs=0.02) and auto.vmax < 0.0

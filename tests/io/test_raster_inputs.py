"""Hostile raster inputs: every one is handled correctly or refused with a habitat error.

Files are made by rasterio (GDAL) and then damaged by byte surgery on the TIFF
structure itself (the GeoKey directory, tag 34735, is located by parsing the
TIFF header and first image file directory here, independently of the code
under test). Oracles: cell counts and areas computed by hand, GDAL's own
``index`` for where a value lies, and the number of cells a limit allows.
"""

import math
import struct

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import rasterio.features
import shapely
from pyproj import CRS
from rasterio.transform import Affine

from habitat.core.errors import (
    CRSError,
    DataFileError,
    HabitatError,
    InputError,
    TooLargeError,
)
from habitat.io.raster import (
    MAX_WINDOW_CELLS,
    Grid,
    Raster,
    cells_in_shapes,
    lonlat_bounds,
    rasterize,
    read_geotiff,
    reproject,
    write_geotiff,
)
from habitat.landscape.composition import composition_in_ranges

UTM = "EPSG:32652"
T = (200.0, 0.0, 600_000.0, 0.0, -200.0, 4_800_000.0)


def _write(path, arr, transform=T, *, crs=UTM, nodata=None, **extra):
    arr = np.asarray(arr)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=arr.shape[0],
        width=arr.shape[1],
        count=1,
        dtype=arr.dtype.name,
        crs=crs,
        transform=Affine(*transform),
        nodata=nodata,
        **extra,
    ) as dst:
        dst.write(arr, 1)
    return path


def _geokeys(blob):
    """(offset, count) of the GeoKey directory's SHORT values in a little-endian classic TIFF."""
    assert blob[:4] == b"II*\x00"
    ifd = struct.unpack_from("<I", blob, 4)[0]
    for k in range(struct.unpack_from("<H", blob, ifd)[0]):
        entry = ifd + 2 + 12 * k
        tag, typ, count, value = struct.unpack_from("<HHII", blob, entry)
        if tag == 34735:
            assert typ == 3
            return (value if count * 2 > 4 else entry + 8), count
    raise AssertionError("no GeoKey directory")


# ---------------------------------------------------------------- NaN nodata
def test_nan_nodata_cells_are_masked_everywhere(tmp_path):
    arr = np.array([[1, np.nan, 2], [1, 1, np.nan]], dtype="float32")
    path = _write(tmp_path / "nan.tif", arr, nodata=float("nan"))
    r = read_geotiff(path)
    assert math.isnan(r.nodata)
    assert r.nodata_mask().tolist() == [[False, True, False], [False, False, True]]
    areas = r.class_areas()
    # 4 cells with data of 0.04 km² each: three 1s and one 2; NaN is no class
    assert areas.index.tolist() == [1.0, 2.0]
    assert areas["cell_count"].tolist() == [3, 1]
    assert areas["area_km2"].sum() == pytest.approx(0.16)
    whole = gpd.GeoSeries([shapely.box(*r.bounds)], crs=UTM)
    comp = composition_in_ranges(whole, r)
    assert comp["n_cells"].iloc[0] == 4
    assert comp["share_1"].iloc[0] == pytest.approx(0.75)
    assert comp["share_nodata"].iloc[0] == pytest.approx(2 / 6)


def test_nan_cells_are_nodata_even_when_another_nodata_is_declared():
    r = Raster(np.array([[1.0, np.nan], [-9.0, 2.0]]), T, UTM, nodata=-9.0)
    assert r.nodata_mask().sum() == 2
    assert r.class_areas()["cell_count"].sum() == 2


def test_composition_refuses_continuous_values():
    r = Raster(np.array([[0.5, 1.0], [2.0, 3.0]]), T, UTM)
    ranges = gpd.GeoSeries([shapely.box(*r.bounds)], crs=UTM)
    with pytest.raises(InputError, match="not integer class codes"):
        composition_in_ranges(ranges, r)


# ---------------------------------------------------------------- south-up
def test_south_up_values_land_in_the_right_cells_for_composition(tmp_path):
    arr = np.array([[1, 1, 1], [2, 2, 2]], dtype=np.uint8)  # row 0 is the SOUTH row
    path = _write(tmp_path / "south.tif", arr, (200.0, 0.0, 600_000.0, 0.0, 200.0, 4_799_600.0))
    r = read_geotiff(path)
    south_half = gpd.GeoSeries([shapely.box(600_000, 4_799_600, 600_600, 4_799_800)], crs=UTM)
    comp = composition_in_ranges(south_half, r)
    with rasterio.open(path) as src:  # GDAL's own answer for the centre of that strip
        row, col = src.index(600_300.0, 4_799_700.0)
    assert arr[row, col] == 1
    assert comp["share_1"].iloc[0] == 1.0 and comp["n_cells"].iloc[0] == 3


# ---------------------------------------------------------------- damaged files
def test_truncated_file_is_a_data_file_error_for_every_read(tmp_path):
    data = np.random.default_rng(1).integers(1, 9, (600, 600), dtype=np.uint8)
    good = write_geotiff(Raster(data, T, UTM, nodata=0), tmp_path / "good.tif")
    blob = good.read_bytes()
    for cut in (len(blob) // 2, len(blob) - 1000, 100, 9):
        bad = tmp_path / f"cut{cut}.tif"
        bad.write_bytes(blob[:cut])
        with pytest.raises(DataFileError, match=rf"cut{cut}\.tif"):
            read_geotiff(bad)


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        ("version", "version 9, not 1"),
        ("too_many_keys", "announces 5000 keys"),
        ("zeros", "version 0"),
        ("key_locations", "cannot make a CRS"),
    ],
)
def test_broken_geokey_directory_is_named(tmp_path, damage, why):
    good = _write(tmp_path / "good.tif", np.ones((4, 4), np.uint8))
    blob = bytearray(good.read_bytes())
    off, count = _geokeys(blob)
    keys = list(struct.unpack_from(f"<{count}H", blob, off))
    if damage == "version":
        keys[0] = 9
    elif damage == "too_many_keys":
        keys[3] = 5000
    elif damage == "zeros":
        keys = [0] * count
    else:  # every key points at a tag that is not there
        for k in range(4, count, 4):
            keys[k + 1], keys[k + 3] = 34737, 60000
    struct.pack_into(f"<{count}H", blob, off, *keys)
    bad = tmp_path / f"{damage}.tif"
    bad.write_bytes(bytes(blob))
    with pytest.raises(DataFileError, match=rf"{damage}\.tif.*GeoKey directory.*{why}"):
        read_geotiff(bad)


def test_a_geotiff_declaring_a_geocentric_model_is_refused(tmp_path):
    good = _write(tmp_path / "good.tif", np.ones((4, 4), np.uint8))
    blob = bytearray(good.read_bytes())
    off, count = _geokeys(blob)
    keys = list(struct.unpack_from(f"<{count}H", blob, off))
    for k in range(4, count, 4):
        if keys[k] == 1024:  # GTModelTypeGeoKey -> 3, geocentric
            keys[k + 3] = 3
    struct.pack_into(f"<{count}H", blob, off, *keys)
    bad = tmp_path / "geocentric.tif"
    bad.write_bytes(bytes(blob))
    with pytest.raises(CRSError, match=r"geocentric\.tif.*Geocentric CRS"):
        read_geotiff(bad)


def test_paths_that_are_not_files(tmp_path):
    with pytest.raises(DataFileError, match="is a folder"):
        read_geotiff(tmp_path)
    with pytest.raises(InputError, match="file path"):
        read_geotiff(None)
    r = Raster(np.ones((2, 2), np.uint8), T, UTM)
    with pytest.raises(DataFileError, match="is a folder"):
        write_geotiff(r, tmp_path)
    with pytest.raises(InputError, match="file path"):
        write_geotiff(r, None)
    with pytest.raises(InputError, match="habitat Raster"):
        write_geotiff(np.ones((2, 2)), tmp_path / "x.tif")
    assert list(tmp_path.iterdir()) == []  # nothing half-written


# ---------------------------------------------------------------- Raster arguments
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"transform": None}, InputError, "6 finite numbers"),
        ({"transform": "abcdef"}, InputError, "6 finite numbers"),
        ({"transform": (1, 0, 0, 0, -1, float("inf"))}, InputError, "6 finite numbers"),
        ({"crs": None}, CRSError, "missing"),
        ({"crs": "UTM 52"}, CRSError, "not a CRS"),
        ({"crs": 4978}, CRSError, "Geocentric"),
        ({"crs": 5773}, CRSError, "Vertical"),
        ({"classes": [1, 2]}, InputError, "dict"),
        ({"classes": {"forest": 1}}, InputError, "integer class codes"),
        ({"classes": {1.5: "x"}}, InputError, "integer class codes"),
        ({"nodata": "none"}, InputError, "nodata must be a number"),
        ({"array": np.array([["a", "b"]])}, InputError, "numbers"),
        ({"array": np.ones((0, 3))}, InputError, "at least one cell"),
    ],
)
def test_bad_raster_arguments(kwargs, error, match):
    args = {"array": np.ones((2, 2)), "transform": T, "crs": UTM, **kwargs}
    with pytest.raises(error, match=match):
        Raster(**args)


def test_non_surface_crs_refused_by_every_raster_function():
    r = Raster(np.ones((2, 2), np.uint8), T, UTM)
    with pytest.raises(CRSError, match="4978"):
        reproject(r, "EPSG:4978")
    with pytest.raises(CRSError, match="Vertical"):
        reproject(r, 5773)
    with pytest.raises(CRSError, match="Geocentric"):
        rasterize(gpd.GeoSeries([shapely.box(0, 0, 1, 1)], crs=4978), r)
    with pytest.raises(CRSError, match="Geocentric"):
        r.sample(gpd.GeoSeries([shapely.Point(0, 0)], crs=4978))
    fake = type("Like", (), {"shape": (2, 2), "transform": T, "crs": "EPSG:4978"})()
    with pytest.raises(CRSError, match="Geocentric"):
        lonlat_bounds(fake)


# ---------------------------------------------------------------- work clipped to the raster
def test_a_range_over_a_raster_of_1_mm_cells_touches_only_the_raster():
    """Before: a 10 km range over 1 mm cells asked for a 10^14-cell window (91 TiB)."""
    tiny = Raster(np.ones((100, 100), np.uint8), (0.001, 0, 600_000, 0, -0.001, 4_760_000), UTM)
    big = shapely.box(595_000, 4_755_000, 605_000, 4_765_000)  # holds the whole raster
    owner, rows, cols = cells_in_shapes(gpd.GeoSeries([big], crs=UTM), tiny)
    assert len(owner) == 100 * 100 and tiny.contains_index(rows, cols).all()
    comp = composition_in_ranges(gpd.GeoSeries([big], crs=UTM), tiny)
    assert comp["n_cells"].iloc[0] == 10_000
    # 10,000 of the 10^14 cells of the range hold data
    assert comp["share_nodata"].iloc[0] == pytest.approx(1 - 1e4 / 1e14, abs=1e-15)


def test_share_nodata_counts_the_part_beyond_the_grid_as_cells():
    cover = Raster(np.ones((10, 10), np.uint8), (1000.0, 0, 600_000, 0, -1000.0, 4_760_000), UTM)
    # 3 km x 4 km, a third beyond the east edge (x 610-611 km): 8 cells on the grid,
    # 4 km² = 4 cells beyond it
    r = gpd.GeoSeries([shapely.box(608_000, 4_752_000, 611_000, 4_756_000)], crs=UTM)
    comp = composition_in_ranges(r, cover)
    assert comp["n_cells"].iloc[0] == 8
    assert comp["share_nodata"].iloc[0] == pytest.approx(4 / 12)
    # wholly beyond the grid: no cells, everything is nodata
    far = gpd.GeoSeries([shapely.box(700_000, 4_752_000, 703_000, 4_756_000)], crs=UTM)
    comp = composition_in_ranges(far, cover)
    assert comp["n_cells"].iloc[0] == 0 and comp["share_nodata"].iloc[0] == 1.0


def test_windows_and_grids_beyond_the_limit_are_refused_with_the_cell_count():
    huge = Grid((10**7, 10**7), (0.001, 0, 600_000, 0, -0.001, 4_760_000), CRS.from_epsg(32652))
    square = gpd.GeoSeries([shapely.box(600_000, 4_759_000, 601_000, 4_760_000)], crs=UTM)
    with pytest.raises(
        TooLargeError, match=r"shape 0 .* 1,000,001 x 1,000,001 = 1,000,002,000,001 cells.*coarser"
    ):
        cells_in_shapes(square, huge)
    with pytest.raises(TooLargeError, match="100,000,000,000,000 cells"):
        rasterize(square, huge)
    # a small raise of the limit is honoured; a window just under it passes
    owner, _, _ = cells_in_shapes(
        square,
        Grid((100, 100), (10.0, 0, 600_000, 0, -10.0, 4_760_000), huge.crs),
        max_cells=10_000,
    )
    assert len(owner) == 10_000
    with pytest.raises(TooLargeError):
        cells_in_shapes(
            square,
            Grid((100, 100), (10.0, 0, 600_000, 0, -10.0, 4_760_000), huge.crs),
            max_cells=9_999,
        )
    r = Raster(np.ones((2, 2), np.uint8), T, UTM)
    with pytest.raises(TooLargeError, match="reprojected raster"):
        reproject(r, UTM, cell_size=0.001)
    assert MAX_WINDOW_CELLS == 100_000_000


# ---------------------------------------------------------------- rasterize arguments
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dtype": "foo"}, "not a numpy dtype"),
        ({"values": "zone"}, "must be numbers"),
        ({"fill": None}, "fill must be a number"),
        ({"fill": float("nan"), "dtype": "uint8"}, "do not fit dtype uint8"),
        ({"values": 300, "dtype": "uint8"}, "do not fit dtype uint8"),
        ({"values": 1.5, "dtype": "int16"}, "do not fit dtype int16"),
    ],
)
def test_bad_rasterize_arguments(kwargs, match):
    grid = Raster(np.ones((5, 5), np.uint8), T, UTM)
    zones = gpd.GeoDataFrame(
        {"zone": ["core"]}, geometry=[shapely.box(600_000, 4_799_000, 600_500, 4_800_000)], crs=UTM
    )
    with pytest.raises(InputError, match=match):
        rasterize(zones, grid, **kwargs)


def test_nan_vertices_in_shapes_are_refused_naming_the_row():
    grid = Raster(np.ones((5, 5), np.uint8), T, UTM)
    nan_poly = shapely.Polygon([(600_000, 4_799_000), (np.nan, 4_799_000), (600_500, 4_800_000)])
    shapes = gpd.GeoSeries(
        [shapely.box(600_000, 4_799_000, 600_500, 4_800_000), nan_poly],
        index=["ok", "broken"],
        crs=UTM,
    )
    for call in (lambda: rasterize(shapes, grid), lambda: cells_in_shapes(shapes, grid)):
        with pytest.raises(HabitatError, match="rows broken"):
            call()


def test_self_intersecting_shapes_are_rasterised_as_their_repair():
    from habitat.core.errors import DataQualityWarning

    grid = Grid((10, 10), (1000.0, 0, 600_000, 0, -1000.0, 4_760_000), CRS.from_epsg(32652))
    x0, y0 = 602_000, 4_752_000
    bow_tie = shapely.Polygon([(x0, y0), (x0 + 4000, y0 + 4000), (x0 + 4000, y0), (x0, y0 + 4000)])
    shapes = gpd.GeoSeries([bow_tie], crs=UTM)
    with pytest.warns(DataQualityWarning, match="Self-intersection"):
        owner, rows, cols = cells_in_shapes(shapes, grid)
    valid = shapely.make_valid(bow_tie)
    xs, ys = Raster(np.zeros(grid.shape), grid.transform, grid.crs).xy(rows, cols)
    assert len(owner) == 4 and shapely.contains_xy(valid, xs, ys).all()
    with pytest.warns(DataQualityWarning):
        burnt = rasterize(shapes, grid)
    direct = rasterio.features.rasterize(
        [(valid, 1)], out_shape=grid.shape, transform=Affine(*grid.transform), dtype=np.uint8
    )  # GDAL on the repaired polygon (its scanline rule also takes centres on edges)
    np.testing.assert_array_equal(burnt.array, direct)
    assert burnt.array[rows, cols].all()


def test_a_file_too_large_to_read_whole_is_refused_but_its_windows_are_read(tmp_path):
    """A sparse 20,000 x 20,000 file (400 million cells) is a few kB on disk."""
    path = tmp_path / "huge.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=20_000,
        width=20_000,
        count=1,
        dtype="uint8",
        crs=UTM,
        transform=Affine(*T),
        nodata=0,
        tiled=True,
        sparse_ok=True,
    ):
        pass
    assert path.stat().st_size < 10_000_000
    with pytest.raises(TooLargeError, match=r"huge\.tif.*400,000,000 cells.*window="):
        read_geotiff(path)
    part = read_geotiff(path, window=(0, 0, 100, 100))
    assert part.shape == (100, 100) and part.nodata_mask().all()
    assert read_geotiff(path, window=(0, 0, 100, 100), max_cells=10_000).shape == (100, 100)

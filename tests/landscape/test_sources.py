"""habitat.landscape.sources: every raster input kind, windowed reads and the checks."""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import Affine

from habitat.core.crs import geodesic_area_m2, is_equal_area
from habitat.core.errors import (
    ColumnError,
    DataFileError,
    DataQualityWarning,
    EmptyDataError,
    InputError,
    ProjectedCRSRequiredError,
)
from habitat.io.raster import Raster, cells_in_shapes, read_geotiff, write_geotiff
from habitat.landscape.sources import (
    NOT_GIVEN,
    RasterSource,
    open_raster_source,
    rasterize_land_cover,
)

UTM = "EPSG:32652"
T100 = (100.0, 0.0, 600_000.0, 0.0, -100.0, 4_800_000.0)


def _cover(shape=(300, 400), seed=0, nodata=0):
    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 5, shape).astype("uint8")
    return Raster(arr, T100, UTM, nodata=nodata, classes={1: "forest", 2: "burnt", 3: "field"})


@pytest.fixture
def tif(tmp_path):
    cover = _cover()
    return write_geotiff(cover, tmp_path / "cover.tif"), cover


# ------------------------------------------------------------------ windows
def test_windows_equal_the_whole_array_and_pad_beyond_the_raster(tif):
    path, cover = tif
    arr = cover.array
    with open_raster_source(path) as src:
        assert src.shape == (300, 400) and src.cell_size_m == 100.0
        assert src.transform == T100 and src.crs.to_epsg() == 32652
        assert src.nodata == 0 and src.classes == {1: "forest", 2: "burnt", 3: "field"}
        assert src.name == "cover.tif" and not src.in_memory
        whole, ok = src.read(0, 300, 0, 400)
        np.testing.assert_array_equal(whole, arr)
        np.testing.assert_array_equal(ok, arr != 0)
        # windows at random places, some reaching beyond every edge
        rng = np.random.default_rng(1)
        for _ in range(40):
            r0, c0 = rng.integers(-50, 320), rng.integers(-50, 420)
            r1, c1 = r0 + rng.integers(0, 80), c0 + rng.integers(0, 80)
            values, valid = src.read(r0, r1, c0, c1)
            assert values.shape == valid.shape == (r1 - r0, c1 - c0)
            padded = np.zeros((300 + 200, 400 + 200), dtype=arr.dtype)
            padded[100:400, 100:500] = arr
            inside = np.zeros(padded.shape, dtype=bool)
            inside[100:400, 100:500] = True
            exp = padded[r0 + 100 : r1 + 100, c0 + 100 : c1 + 100]
            exp_ok = inside[r0 + 100 : r1 + 100, c0 + 100 : c1 + 100] & (exp != 0)
            np.testing.assert_array_equal(valid, exp_ok)
            np.testing.assert_array_equal(values[valid], exp[exp_ok])
            assert not values[~inside[r0 + 100 : r1 + 100, c0 + 100 : c1 + 100]].any()


def test_file_reads_only_the_window_asked(tif, monkeypatch):
    """A window of a file is read as a rasterio window, never the whole band."""
    path, cover = tif
    calls = []
    with open_raster_source(path) as src:
        real = src._dataset.read

        def spy(*args, **kwargs):
            calls.append(kwargs.get("window"))
            return real(*args, **kwargs)

        monkeypatch.setattr(src._dataset, "read", spy)
        values, _ = src.read(10, 20, -5, 30)
    assert len(calls) == 1
    window = calls[0]
    assert (window.row_off, window.col_off, window.height, window.width) == (10, 0, 10, 30)
    np.testing.assert_array_equal(values[:, 5:], cover.array[10:20, 0:30])


def test_every_input_kind_gives_the_same_cells(tif):
    path, cover = tif
    with rasterio.open(path) as ds:  # rasterio's own transform and CRS objects
        rio_transform, rio_crs = ds.transform, ds.crs
    sources = {
        "affine": open_raster_source(cover.array, transform=rio_transform, crs=rio_crs, nodata=0),
        "path": open_raster_source(path),
        "str": open_raster_source(str(path)),
        "raster": open_raster_source(cover),
        "array": open_raster_source(cover.array, transform=T100, crs=UTM, nodata=0),
    }
    with rasterio.open(path) as ds:
        sources["dataset"] = open_raster_source(ds)
        ref = sources["raster"].read(-2, 302, -3, 405)
        for kind, src in sources.items():
            assert src.shape == (300, 400), kind
            assert src.transform == T100, kind
            assert src.crs.equals(cover.crs), kind
            assert src.cell_size_m == 100.0, kind
            assert src.bounds == cover.bounds == (600_000, 4_770_000, 640_000, 4_800_000), kind
            assert src.nodata == 0, kind
            values, valid = src.read(-2, 302, -3, 405)
            np.testing.assert_array_equal(valid, ref[1], err_msg=kind)
            np.testing.assert_array_equal(values, ref[0], err_msg=kind)
        assert sources["dataset"].name == "cover.tif"
        sources["dataset"].close()
        assert not ds.closed  # a caller's dataset stays open
    for src in sources.values():
        src.close()
    assert sources["path"]._dataset.closed


def test_south_up_files_and_arrays_are_read_north_up(tmp_path):
    arr = np.arange(1, 13, dtype="int16").reshape(3, 4)
    south_up = (100.0, 0.0, 600_000.0, 0.0, 100.0, 4_799_700.0)  # row 0 is the south
    path = tmp_path / "south.tif"
    with rasterio.open(
        path, "w", driver="GTiff", height=3, width=4, count=1, dtype="int16",
        crs="EPSG:32652", transform=Affine(*south_up),
    ) as dst:  # fmt: skip
        dst.write(arr, 1)
    for src in (open_raster_source(path), open_raster_source(arr, transform=south_up, crs=UTM)):
        assert src.transform == (100.0, 0.0, 600_000.0, 0.0, -100.0, 4_800_000.0)
        np.testing.assert_array_equal(src.read_all()[0], arr[::-1])
        np.testing.assert_array_equal(src.read(1, 3, 2, 4)[0], arr[::-1][1:3, 2:4])
        src.close()


# ------------------------------------------------------------------ nodata
def test_nodata_is_explicit(tif):
    path, cover = tif
    arr = cover.array
    # the file's nodata, unless told otherwise
    assert int(open_raster_source(path).read_all()[1].sum()) == int((arr != 0).sum())
    none = open_raster_source(path, nodata=None)
    assert none.nodata is None and none.read_all()[1].all()
    three = open_raster_source(path, nodata=3)
    np.testing.assert_array_equal(three.read_all()[1], arr != 3)
    # an array without nodata: every value is a class (0 too)
    bare = open_raster_source(arr, transform=T100, crs=UTM)
    assert bare.nodata is None and bare.read_all()[1].all()
    assert open_raster_source(arr, transform=T100, crs=UTM, nodata=NOT_GIVEN).nodata is None
    with pytest.raises(InputError, match="can never match"):
        open_raster_source(arr, transform=T100, crs=UTM, nodata=0.5)
    with pytest.raises(InputError, match="nodata must be a number"):
        open_raster_source(arr, transform=T100, crs=UTM, nodata="0")


def test_float_land_cover_must_be_whole_numbers(tmp_path):
    arr = np.array([[1.0, 2.0, np.nan], [3.0, -9999.0, 2.0]], dtype="float32")
    src = open_raster_source(arr, transform=T100, crs=UTM, nodata=-9999.0)
    values, valid = src.read_all()
    assert values.dtype.kind == "i" and src.dtype == np.int64
    assert valid.tolist() == [[True, True, False], [True, False, True]]
    assert values[valid].tolist() == [1, 2, 3, 2]
    bad = arr.copy()
    bad[0, 1] = 2.5
    with pytest.raises(InputError, match=r"'array' holds float values .*2\.5.*row 0, column 1"):
        open_raster_source(bad, transform=T100, crs=UTM)
    # a file is checked window by window, as it is read; the error names the file
    path = write_geotiff(Raster(bad, T100, UTM), tmp_path / "continuous.tif")
    with open_raster_source(path) as src:
        assert src.read(1, 2, 0, 3)[1].tolist() == [[True, True, True]]
        with pytest.raises(InputError, match="'continuous.tif' holds float values"):
            src.read(0, 1, 0, 3)


# ------------------------------------------------------------------ CRS and cells
def test_degrees_and_web_mercator_are_refused_with_the_fix(tmp_path):
    arr = np.ones((20, 20), dtype="uint8")
    geo = (0.01, 0.0, 131.0, 0.0, -0.01, 43.5)
    with pytest.raises(ProjectedCRSRequiredError, match="'array' is in EPSG:4326.*reproject=True"):
        open_raster_source(arr, transform=geo, crs=4326)
    path = write_geotiff(Raster(arr, geo, "EPSG:4326"), tmp_path / "lonlat.tif")
    with pytest.raises(ProjectedCRSRequiredError, match=r"lonlat\.tif.*degrees.*gdalwarp"):
        open_raster_source(path)
    merc = (100.0, 0.0, 14_580_000.0, 0.0, -100.0, 5_390_000.0)
    with pytest.raises(ProjectedCRSRequiredError, match="Web Mercator.*not true metres"):
        open_raster_source(arr, transform=merc, crs=3857)
    feet = "+proj=tmerc +lon_0=131 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=us-ft"
    with pytest.raises(ProjectedCRSRequiredError, match="not metres"):
        open_raster_source(arr, transform=T100, crs=feet)


def test_degrees_reprojected_on_request_conserve_area():
    """0.01° cells at 43°N: warped to the local LAEA at the geodesic cell size.

    The cell size is the smaller side of the centre cell on the ellipsoid (0.01° of
    longitude at 43.5°N: 808.6 m, rounded to 809 m); a block of forest keeps its
    geodesic area to within half a cell along its outline (nearest neighbour).
    """
    rows, cols = 100, 120
    arr = np.full((rows, cols), 2, dtype="uint8")
    arr[20:80, 30:100] = 1  # 0.6° x 0.7° of forest
    geo = (0.01, 0.0, 130.4, 0.0, -0.01, 44.0)
    with pytest.warns(DataQualityWarning) as caught:
        src = open_raster_source(arr, transform=geo, crs=4326, reproject=True)
    message = str(caught[0].message)
    # the CRS, the cell size and how it was chosen are all in the warning
    lat_c = 44.0 - 0.5
    width = 0.01 * math.radians(1) / math.radians(1) * 111_412.8 * math.cos(math.radians(lat_c))
    assert src.cell_size_m == 809.0 and abs(width - 809) < 2
    assert "+proj=laea +lat_0=43.5 +lon_0=131" in message
    assert "809 m" in message and "geodesic size of a cell" in message
    assert "nearest neighbour" in message and "3 significant digits" in message
    assert is_equal_area(src.crs) and src.note.startswith("reprojected from EPSG:4326")
    # the raster had no nodata: cells beyond its warped edges get an unused value
    assert src.nodata == 255 and "are nodata (value 255" in message
    values, valid = src.read_all()
    forest_m2 = int(((values == 1) & valid).sum()) * src.cell_size_m**2
    block = shapely.segmentize(shapely.box(130.7, 43.2, 131.4, 43.8), 0.001)
    truth = float(geodesic_area_m2(gpd.GeoSeries([block], crs=4326)).iloc[0])
    perimeter_m = 2 * (0.7 * 80_800 + 0.6 * 111_100)
    assert abs(forest_m2 - truth) <= 0.5 * perimeter_m * src.cell_size_m
    assert abs(forest_m2 / truth - 1) < 0.01
    # the whole raster's data cells too (cells outside the warped extent are nodata)
    extent = shapely.segmentize(shapely.box(130.4, 43.0, 131.6, 44.0), 0.001)
    total = float(geodesic_area_m2(gpd.GeoSeries([extent], crs=4326)).iloc[0])
    assert abs(int(valid.sum()) * src.cell_size_m**2 / total - 1) < 0.01


def test_reproject_true_leaves_metric_rasters_alone(tif):
    path, cover = tif
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        src = open_raster_source(path, reproject=True)
    assert src.transform == T100 and src.note == "" and not src.in_memory
    src.close()


def test_non_square_rotated_and_missing_crs_name_the_file(tmp_path):
    arr = np.ones((10, 10), dtype="uint8")
    rect = (100.0, 0.0, 600_000.0, 0.0, -50.0, 4_800_000.0)
    with pytest.raises(InputError, match="'array' are not square.*gdalwarp -tr 50 50"):
        open_raster_source(arr, transform=rect, crs=UTM)
    path = write_geotiff(Raster(arr, rect, UTM), tmp_path / "rect.tif")
    with pytest.raises(InputError, match=r"rect\.tif' are not square"):
        open_raster_source(path)
    # square within 1e-9 relative is square
    nearly = (100.0, 0.0, 600_000.0, 0.0, -100.0 * (1 + 1e-12), 4_800_000.0)
    assert open_raster_source(arr, transform=nearly, crs=UTM).cell_size_m == 100.0
    rotated = (70.0, 70.0, 600_000.0, 70.0, -70.0, 4_800_000.0)
    with pytest.raises(InputError, match="'array' is rotated"):
        open_raster_source(arr, transform=rotated, crs=UTM)
    rot_path = tmp_path / "rotated.tif"
    with rasterio.open(
        rot_path, "w", driver="GTiff", height=10, width=10, count=1, dtype="uint8",
        crs="EPSG:32652", transform=Affine(*rotated),
    ) as dst:  # fmt: skip
        dst.write(arr, 1)
    with pytest.raises(InputError, match=r"rotated\.tif' is rotated"):
        open_raster_source(rot_path)
    bare = tmp_path / "nocrs.tif"
    with rasterio.open(
        bare, "w", driver="GTiff", height=10, width=10, count=1, dtype="uint8",
        transform=Affine(*T100),
    ) as dst:  # fmt: skip
        dst.write(arr, 1)
    with pytest.raises(DataFileError, match=r"nocrs\.tif' declares no CRS"):
        open_raster_source(bare)
    with pytest.raises(InputError, match="needs crs="):
        open_raster_source(arr, transform=T100)
    with pytest.raises(InputError, match="needs transform= and crs="):
        open_raster_source(arr)
    with pytest.raises(EmptyDataError, match="no cells"):
        open_raster_source(np.zeros((0, 5), dtype="uint8"), transform=T100, crs=UTM)
    with pytest.raises(DataFileError, match="no such raster file"):
        open_raster_source(tmp_path / "missing.tif")
    with pytest.raises(InputError, match="must be a GeoTIFF path"):
        open_raster_source([[1, 2]])
    with pytest.raises(InputError, match="for arrays only"):
        open_raster_source(Raster(arr, T100, UTM), crs=UTM)


def test_a_source_passes_through_and_closes(tif):
    path, _ = tif
    src = open_raster_source(path)
    assert open_raster_source(src) is src
    assert isinstance(src, RasterSource)
    src.close()
    with pytest.raises(InputError, match="closed"):
        src.read(0, 1, 0, 1)


# ------------------------------------------------------------------ rasterising
def test_rasterize_land_cover_names_codes_and_cell_centres():
    cover = gpd.GeoDataFrame(
        {"cover": ["forest", "burnt", "forest"]},
        geometry=[
            shapely.box(600_000, 4_800_000, 602_000, 4_801_000),
            shapely.box(602_000, 4_800_000, 603_000, 4_801_000),
            shapely.Point(601_000, 4_802_000).buffer(500, quad_segs=64),
        ],
        crs=UTM,
    )
    r = rasterize_land_cover(cover, column="cover", cell_size_m=100, crs=UTM)
    assert r.classes == {1: "burnt", 2: "forest"} and r.nodata == 0
    assert r.cell_size_m == 100.0 and r.crs.to_epsg() == 32652
    # the grid snaps to multiples of the cell size around the polygons
    assert r.bounds == (600_000.0, 4_800_000.0, 603_000.0, 4_802_500.0)
    codes, counts = np.unique(r.array, return_counts=True)
    # burnt: 10 x 10 cells; forest: 20 x 10 cells + the disc's cell centres
    disc = gpd.GeoSeries([cover.geometry.iloc[2]], crs=UTM)
    n_disc = len(cells_in_shapes(disc, r)[0])
    assert dict(zip(codes.tolist(), counts.tolist(), strict=True))[1] == 100
    assert dict(zip(codes.tolist(), counts.tolist(), strict=True))[2] == 200 + n_disc
    assert abs(n_disc - math.pi * 25) < 4  # ~ pi r² / cell² cells
    # integer codes keep their values, with names on request
    cover["code"] = [10, 20, 10]
    r2 = rasterize_land_cover(
        cover, column="code", cell_size_m=100, crs=UTM, class_names={10: "forest", 20: "burnt"}
    )
    np.testing.assert_array_equal(r2.array, np.select([r.array == 2, r.array == 1], [10, 20], 0))
    assert r2.classes == {10: "forest", 20: "burnt"}


def test_rasterize_land_cover_default_crs_overlaps_and_errors():
    cover = gpd.GeoDataFrame(
        {"cover": [1, 2]},
        geometry=[
            shapely.box(600_000, 4_800_000, 602_000, 4_802_000),
            shapely.box(601_000, 4_801_000, 603_000, 4_803_000),
        ],
        crs=UTM,
    )
    with pytest.warns(DataQualityWarning, match="overlap.*later row's class wins"):
        r = rasterize_land_cover(cover.to_crs(4326), column="cover", cell_size_m=200)
    assert is_equal_area(r.crs) and r.cell_size_m == 200.0
    # area of each class ~ polygons' area (later row wins the overlap)
    areas = r.class_areas()["area_km2"]
    assert abs(areas.loc[2] - 4.0) < 0.3 and abs(areas.loc[1] - 3.0) < 0.3
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same class: no ambiguity, no warning
        rasterize_land_cover(cover.assign(cover=1), column="cover", cell_size_m=200, crs=UTM)
    with pytest.raises(ColumnError, match="'kind' is not a column"):
        rasterize_land_cover(cover, column="kind", cell_size_m=100)
    with pytest.raises(InputError, match="code 0"):
        rasterize_land_cover(cover.assign(cover=[0, 1]), column="cover", cell_size_m=100)
    with pytest.raises(InputError, match="non-integer"):
        rasterize_land_cover(cover.assign(cover=[1.5, 1]), column="cover", cell_size_m=100)
    with pytest.raises(InputError, match="cell_size_m must be a positive"):
        rasterize_land_cover(cover, column="cover", cell_size_m=0)
    with pytest.raises(ProjectedCRSRequiredError):
        rasterize_land_cover(cover, column="cover", cell_size_m=100, crs=4326)


def test_rasterized_land_cover_round_trips_through_a_source(tmp_path):
    cover = gpd.GeoDataFrame(
        {"cover": ["a", "b"]},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 500)],
        crs=UTM,
    )
    r = rasterize_land_cover(cover, column="cover", cell_size_m=50, crs=UTM)
    path = write_geotiff(r, tmp_path / "lc.tif")
    with open_raster_source(path) as src:
        assert src.classes == {1: "a", 2: "b"} and src.nodata == 0
        values, valid = src.read_all()
    assert int(valid.sum()) == 400 + 200
    np.testing.assert_array_equal(values, read_geotiff(path).array)


# ------------------------------------------------------------------ more inputs
def test_bands_of_a_multiband_file(tmp_path):
    arr = np.stack([np.full((5, 6), k, dtype="uint8") for k in (1, 2, 3)])
    path = tmp_path / "three.tif"
    with rasterio.open(
        path, "w", driver="GTiff", height=5, width=6, count=3, dtype="uint8",
        crs="EPSG:32652", transform=Affine(*T100),
    ) as dst:  # fmt: skip
        dst.write(arr)
    for band in (1, 2, 3):
        with open_raster_source(path, band=band) as src:
            assert (src.read_all()[0] == band).all()
    with pytest.raises(InputError, match="band=4 is not a band of"):
        open_raster_source(path, band=4)
    with pytest.raises(InputError, match="band=2 is for files"):
        open_raster_source(arr[0], transform=T100, crs=UTM, band=2)


def test_explicit_nodata_must_fit_the_cells():
    arr = np.array([[0, 1], [255, 3]], dtype="uint8")
    with pytest.raises(InputError, match=r"nodata=-1 can never match the uint8 cells .*0 to 255"):
        open_raster_source(arr, transform=T100, crs=UTM, nodata=-1)
    src = open_raster_source(arr, transform=T100, crs=UTM, nodata=255.0)
    assert src.nodata == 255 and src.read_all()[1].tolist() == [[True, True], [False, True]]
    nan = open_raster_source(arr.astype("float32"), transform=T100, crs=UTM, nodata=np.nan)
    assert nan.read_all()[1].all()


def test_web_mercator_and_degree_files_are_warped_on_request(tmp_path):
    """Web Mercator's 100 m cells at 43.6°N are about 100 cos(43.6°) = 72 m on the ground.

    EPSG:3857 is spherical Mercator applied to WGS 84 latitudes, so on the ellipsoid
    a cell is 100 cos(phi) N/a wide and 100 cos(phi) M/a high (N, M the radii of
    curvature in the prime vertical and the meridian): the height is the smaller.
    """
    arr = np.ones((40, 40), dtype="uint8")
    y_top = 5_390_000.0
    merc = (100.0, 0.0, 14_580_000.0, 0.0, -100.0, y_top)
    with pytest.warns(DataQualityWarning, match="EPSG:3857.*laea.*72.4 m cells") as caught:
        src = open_raster_source(arr, transform=merc, crs=3857, reproject=True)
    phi = 2 * math.atan(math.exp((y_top - 2_000) / 6_378_137)) - math.pi / 2
    e2 = 0.00669437999014  # WGS 84 first eccentricity squared
    w = 1 - e2 * math.sin(phi) ** 2
    width = 100 * math.cos(phi) / math.sqrt(w)  # N / a
    height = 100 * math.cos(phi) * (1 - e2) / w**1.5  # M / a
    assert f"({width:.1f} m wide x {height:.1f} m high)" in str(caught[0].message)
    assert src.cell_size_m == float(f"{min(width, height):.3g}") == 72.4
    assert is_equal_area(src.crs)
    # a file in degrees is read whole, warped, and closed
    geo = (0.01, 0.0, 131.0, 0.0, -0.01, 43.5)
    path = write_geotiff(Raster(arr, geo, "EPSG:4326", nodata=0), tmp_path / "deg.tif")
    with pytest.warns(DataQualityWarning, match=r"'.*deg\.tif': reprojected from EPSG:4326"):
        warped = open_raster_source(path, reproject=True)
    assert warped.in_memory and warped.name == "deg.tif" and warped.nodata == 0
    # 0.01° of longitude at the centre, 43.3°N: N cos(phi) x 0.01 x pi / 180 = 811.4 m
    phi = math.radians(43.3)
    lon_m = (
        6_378_137 / math.sqrt(1 - e2 * math.sin(phi) ** 2) * math.cos(phi) * 1e-2 * math.pi / 180
    )
    assert warped.cell_size_m == round(lon_m) == 811
    assert "811 m cells" in warped.note


def test_polygons_that_tile_an_area_fill_every_cell_once():
    """A Voronoi tiling with edges through many cell centres: no gaps, no overlaps."""
    rng = np.random.default_rng(11)
    seeds = shapely.MultiPoint(np.round(rng.uniform(0, 5_000, (40, 2)) / 50) * 50)
    frame = shapely.box(0, 0, 5_000, 5_000)
    cells = shapely.intersection(
        np.asarray(shapely.voronoi_polygons(seeds, extend_to=frame).geoms), frame
    )
    tiles = gpd.GeoDataFrame({"code": np.arange(1, 41)}, geometry=cells, crs=UTM)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # shared edges are no overlap
        r = rasterize_land_cover(tiles, column="code", cell_size_m=100, crs=UTM)
    assert r.shape == (50, 50) and (r.array > 0).all()
    # each tile holds about its area in cells (its outline's cells go either way)
    counts = np.bincount(r.array.ravel(), minlength=41)[1:]
    outline_cells = shapely.length(cells) / 100
    assert (np.abs(counts - shapely.area(cells) / 1e4) <= outline_cells).all()


def test_datasets_in_memory():
    from rasterio.io import MemoryFile

    arr = np.arange(12, dtype="uint8").reshape(3, 4)
    profile = {"driver": "GTiff", "height": 3, "width": 4, "count": 1, "dtype": "uint8"}
    with MemoryFile() as mem:
        with mem.open(**profile, crs="EPSG:32652", transform=Affine(*T100)) as dst:
            dst.write(arr, 1)
        with mem.open() as ds:
            np.testing.assert_array_equal(open_raster_source(ds).read_all()[0], arr)
        with open_raster_source(mem.name) as src:  # a /vsimem/ path
            np.testing.assert_array_equal(src.read(1, 3, 2, 4)[0], arr[1:3, 2:4])
    with MemoryFile() as mem:
        with mem.open(**profile, transform=Affine(*T100)) as dst:
            dst.write(arr, 1)
        with mem.open() as ds, pytest.raises(DataFileError, match="declares no CRS"):
            open_raster_source(ds)


def test_block_cache_holds_two_rows_of_blocks_and_reads_stay_exact(tmp_path):
    """Reading a file strip by strip, GDAL's block cache is bounded by two rows of the file's
    blocks (at least 16 MB), not GDAL's default of 5 % of the RAM; values are unchanged."""
    rng = np.random.default_rng(3)
    wide = rng.integers(1, 5, size=(600, 9000)).astype("uint16")
    path = tmp_path / "wide.tif"
    profile = dict(driver="GTiff", width=9000, height=600, count=1, dtype="uint16",
                   crs="EPSG:32652", transform=Affine(30, 0, 500_000, 0, -30, 4_800_000),
                   tiled=True, blockxsize=512, blockysize=512)  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(wide, 1)
    with open_raster_source(path) as src:
        # two rows of 512-row blocks of 9,000 two-byte cells: 17.6 MiB, rounded up
        assert src.block_cache_mb == math.ceil(2 * 512 * 9000 * 2 / 2**20) == 18
        values, valid = src.read(100, 400, -3, 9000)
    np.testing.assert_array_equal(values[:, 3:], wide[100:400])
    assert valid[:, 3:].all() and not valid[:, :3].any()
    with open_raster_source(Raster(wide[:10], (30, 0, 0, 0, -30, 0), "EPSG:32652")) as src:
        assert src.block_cache_mb == 0  # in memory: no GDAL cache
    small = tmp_path / "small.tif"
    write_geotiff(Raster(wide[:64, :64], (30, 0, 0, 0, -30, 0), "EPSG:32652"), small)
    with open_raster_source(small) as src:
        assert src.block_cache_mb == 16  # the floor

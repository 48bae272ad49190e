"""Raster, GeoTIFF I/O, warping and rasterising (rasterio/GDAL underneath).

Oracles independent of the code under test: exact round trips of values,
transform, CRS, nodata and classes; files written by rasterio directly (and the
bundled land cover, written by habitat 0.1's own tifffile writer); a pyproj
point-by-point nearest-cell lookup for ``reproject``; ``shapely.contains_xy``
for rasterising.
"""

import math
import os
import tracemalloc

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from pyproj import CRS, Transformer
from rasterio.transform import Affine
from rasterio.windows import Window

from habitat import datasets
from habitat.core.errors import CRSError, DataFileError, InputError, ProjectedCRSRequiredError
from habitat.io.raster import (
    Grid,
    Raster,
    cells_in_shapes,
    lonlat_bounds,
    rasterize,
    read_geotiff,
    reproject,
    write_geotiff,
)


@pytest.fixture
def small():
    arr = np.array([[1, 1, 2], [3, 0, 5]], dtype=np.uint8)
    return Raster(
        arr,
        (200.0, 0.0, 600_000.0, 0.0, -200.0, 4_800_000.0),
        "EPSG:32652",
        nodata=0,
        classes={1: "forest", 2: "grass", 3: "farm", 5: "water"},
    )


def test_geometry_of_a_north_up_grid(small):
    assert small.shape == (2, 3)
    assert small.cell_size_m == 200.0 and small.cell_area_m2 == 40_000.0
    assert small.bounds == (600_000.0, 4_799_600.0, 600_600.0, 4_800_000.0)
    x, y = small.xy([0, 1], [0, 2])
    np.testing.assert_allclose(x, [600_100.0, 600_500.0])
    np.testing.assert_allclose(y, [4_799_900.0, 4_799_700.0])
    rows, cols = small.index(x, y)
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 2]


def test_xy_and_index_are_inverse_on_the_land_cover():
    lc = datasets.land_cover()
    rng = np.random.default_rng(0)
    r = rng.integers(0, lc.shape[0], 1000)
    c = rng.integers(0, lc.shape[1], 1000)
    r2, c2 = lc.index(*lc.xy(r, c))
    assert (r2 == r).all() and (c2 == c).all()


def test_class_areas(small):
    t = small.class_areas()
    assert t.index.tolist() == [1, 2, 3, 5]  # nodata (0) left out
    assert t.loc[1, "cell_count"] == 2 and t.loc[1, "name"] == "forest"
    assert t.loc[1, "area_km2"] == pytest.approx(0.08)
    assert t.loc[1, "area_sq_mi"] == pytest.approx(0.08 / 2.589988110336)
    assert t["share"].sum() == pytest.approx(1.0) and t.loc[5, "share"] == pytest.approx(0.2)


def test_sample_reprojects_points_and_handles_outside(small):
    x, y = small.xy([0, 1], [2, 0])
    pts = gpd.GeoSeries.from_xy([*x, 0.0], [*y, 0.0], crs=32652, index=["a", "b", "out"])
    vals = small.sample(pts.to_crs(4326))  # any CRS: reprojected explicitly
    assert vals.to_dict() == {"a": 2, "b": 3, "out": 0}


def test_geotiff_round_trip(tmp_path, small):
    path = write_geotiff(small, tmp_path / "lc.tif")
    assert path == tmp_path / "lc.tif"
    back = read_geotiff(path)
    np.testing.assert_array_equal(back.array, small.array)
    assert back.array.dtype == np.uint8
    assert back.transform == small.transform
    assert back.crs == CRS.from_epsg(32652) and back.nodata == 0
    assert isinstance(back.nodata, int)  # an integer raster keeps an integer nodata
    assert back.classes == small.classes
    assert sorted(os.listdir(tmp_path)) == ["lc.tif"]  # no temporary or .aux.xml files left


def test_geotiff_is_deflate_compressed_and_stores_classes_as_gdal_metadata(tmp_path, small):
    path = write_geotiff(small, tmp_path / "lc.tif")
    with rasterio.open(path) as src:
        assert src.compression.name == "deflate" and src.count == 1
        assert src.tags()["CLASS_5"] == "water" and src.tags()["CLASS_1"] == "forest"


def test_written_file_mode_follows_the_umask(tmp_path, small):
    path = write_geotiff(small, tmp_path / "lc.tif")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask  # not a temporary file's 0600


@pytest.mark.parametrize(
    ("dtype", "nodata"),
    [("int16", -9999), ("uint16", None), ("int32", -1), ("float32", np.nan), ("float64", -1.5)],
)
def test_round_trip_of_dtypes_and_nodata(tmp_path, dtype, nodata):
    arr = (np.arange(12).reshape(3, 4) * 7 - 20).astype(dtype)
    r = Raster(arr, (30.0, 0.0, 400_000.0, 0.0, -30.0, 4_700_000.0), 32652, nodata=nodata)
    back = read_geotiff(write_geotiff(r, tmp_path / "r.tif"))
    assert back.array.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back.array, arr)
    if nodata is None:
        assert back.nodata is None
    elif isinstance(nodata, float) and math.isnan(nodata):
        assert math.isnan(back.nodata)
    else:
        assert back.nodata == nodata


def test_class_names_with_markup_round_trip(tmp_path, small):
    r = Raster(small.array, small.transform, small.crs, 0, {1: 'a<b & c>"d"', 2: "grassland/burnt"})
    assert read_geotiff(write_geotiff(r, tmp_path / "c.tif")).classes == r.classes


def test_non_epsg_crs_round_trips(tmp_path, small):
    laea = CRS.from_proj4("+proj=laea +lat_0=43 +lon_0=131 +x_0=0 +y_0=0 +datum=WGS84 +units=m")
    assert laea.to_epsg() is None
    r = Raster(small.array, (250.0, 0.0, -1000.0, 0.0, -250.0, 2000.0), laea, nodata=0)
    back = read_geotiff(write_geotiff(r, tmp_path / "laea.tif"))
    assert back.crs.equals(laea, ignore_axis_order=True)
    assert back.transform == r.transform
    # same coordinates: a point goes to the same place through either CRS
    x, y = Transformer.from_crs(4326, back.crs, always_xy=True).transform(131.2, 43.1)
    x0, y0 = Transformer.from_crs(4326, laea, always_xy=True).transform(131.2, 43.1)
    assert (x, y) == pytest.approx((x0, y0), abs=1e-6)


def test_geographic_raster_round_trips(tmp_path):
    r = Raster(np.arange(6, dtype=np.uint8).reshape(2, 3), (0.5, 0, 130.0, 0, -0.5, 44.0), 4326)
    back = read_geotiff(write_geotiff(r, tmp_path / "g.tif"))
    assert back.crs == CRS.from_epsg(4326) and back.transform == r.transform
    assert back.nodata is None


def test_bundled_land_cover():
    lc = datasets.land_cover()
    assert lc.crs.to_epsg() == 32652 and lc.cell_size_m == 200.0
    assert set(datasets.LAND_COVER_CLASSES) <= set(np.unique(lc.array).tolist())
    shares = lc.class_areas()["share"]
    assert 0.4 < shares[1] < 0.7  # forest dominates, as in SW Primorye (~57 %)
    towns = datasets.layer("settlements").set_index("name")
    vals = lc.sample(towns.loc[["Vladivostok", "Ussuriysk", "Slavyanka"]])
    assert (vals == 4).all()  # settlement class at the settlement points
    bay = gpd.GeoSeries.from_xy([131.75], [43.2], crs=4326)  # Amur Bay
    assert lc.sample(bay).iloc[0] == 5
    park = datasets.layer("kedrovaya_pad")
    inside = gpd.GeoSeries(park.sample_points(200, rng=1).explode(), crs=4326)
    assert (lc.sample(inside) == 1).mean() > 0.5  # the reserve is mostly forest


def test_geographic_raster_has_no_metric_cell_size():
    r = Raster(np.zeros((2, 2)), (0.01, 0, 130, 0, -0.01, 44), "EPSG:4326")
    with pytest.raises(ProjectedCRSRequiredError):
        _ = r.cell_size_m


def test_bad_rasters_and_files(tmp_path):
    with pytest.raises(InputError, match="2-D"):
        Raster(np.zeros(3), (1, 0, 0, 0, -1, 0), "EPSG:32652")
    with pytest.raises(InputError, match="singular"):
        Raster(np.zeros((2, 2)), (0, 0, 0, 0, 0, 0), "EPSG:32652")
    bad = tmp_path / "not.tif"
    bad.write_text("hello")
    with pytest.raises(DataFileError, match="not.tif"):
        read_geotiff(bad)
    with pytest.raises(DataFileError, match="missing.tif"):
        read_geotiff(tmp_path / "missing.tif")
    rotated = Raster(np.zeros((2, 2)), (1, 0.5, 0, 0, -1, 0), "EPSG:32652")
    with pytest.raises(InputError, match="rotated"):
        write_geotiff(rotated, tmp_path / "rot.tif")
    with pytest.raises(InputError, match="nodata"):
        write_geotiff(
            Raster(np.zeros((2, 2), np.uint8), (1, 0, 0, 0, -1, 0), 32652, -1), tmp_path / "n.tif"
        )
    assert not (tmp_path / "rot.tif").exists() and not (tmp_path / "n.tif").exists()


def _gdal_write(path, arr, transform, *, crs="EPSG:32652", nodata=None, **extra):
    """A GeoTIFF written by rasterio (GDAL) directly, not by habitat."""
    arr = np.asarray(arr)
    bands = arr if arr.ndim == 3 else arr[None]
    profile = {
        "driver": "GTiff",
        "height": bands.shape[1],
        "width": bands.shape[2],
        "count": bands.shape[0],
        "dtype": bands.dtype.name,
        "crs": crs,
        "transform": Affine(*transform),
        "nodata": nodata,
        **extra,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(bands)
    return path


T_SMALL = (200.0, 0.0, 600_000.0, 0.0, -200.0, 4_800_000.0)


def test_tiff_without_georeferencing_is_refused(tmp_path):
    plain = tmp_path / "plain.tif"
    with (
        pytest.warns(rasterio.errors.NotGeoreferencedWarning),
        rasterio.open(plain, "w", driver="GTiff", height=4, width=4, count=1, dtype="uint8") as dst,
    ):
        dst.write(np.zeros((1, 4, 4), np.uint8))
    with pytest.raises(DataFileError, match=r"plain\.tif.*without georeferencing"):
        read_geotiff(plain)
    no_crs = _gdal_write(tmp_path / "nocrs.tif", np.zeros((4, 4), np.uint8), T_SMALL, crs=None)
    with pytest.raises(DataFileError, match=r"nocrs\.tif.*no CRS"):
        read_geotiff(no_crs)


def test_bundled_land_cover_read_as_written_by_habitat_0_1():
    """data/land_cover.tif was written by 0.1's own (tifffile) writer: an independent writer."""
    lc = datasets.land_cover()
    assert lc.shape == (1075, 758) and lc.array.dtype == np.uint8
    assert lc.transform == (200.0, 0.0, 595_800.0, 0.0, -200.0, 4_898_600.0)
    assert lc.crs == CRS.from_epsg(32652) and lc.nodata == 0
    assert lc.classes == datasets.LAND_COVER_CLASSES


def test_we_read_gdal_written_files(tmp_path, small):
    path = _gdal_write(tmp_path / "gdal.tif", small.array, T_SMALL, nodata=0, compress="deflate")
    back = read_geotiff(path)
    np.testing.assert_array_equal(back.array, small.array)
    assert back.transform == small.transform and back.crs == CRS.from_epsg(32652)
    assert back.nodata == 0 and back.classes is None


def test_nodata_is_as_declared_never_guessed(tmp_path):
    arr = np.array([[0, 1], [255, 3]], np.uint8)
    none = read_geotiff(_gdal_write(tmp_path / "none.tif", arr, T_SMALL))
    assert none.nodata is None  # 0 and 255 present, but the file declares no nodata
    declared = read_geotiff(_gdal_write(tmp_path / "255.tif", arr, T_SMALL, nodata=255))
    assert declared.nodata == 255 and isinstance(declared.nodata, int)
    f = read_geotiff(_gdal_write(tmp_path / "f.tif", arr.astype("float32"), T_SMALL, nodata=-3.5))
    assert f.nodata == -3.5


def test_multi_band_files_need_a_band(tmp_path):
    bands = np.stack([np.full((3, 4), k, np.int16) for k in (10, 20, 30)])
    path = _gdal_write(tmp_path / "rgb.tif", bands, T_SMALL)
    with pytest.raises(DataFileError, match=r"rgb\.tif' has 3 bands.*band=N \(1-based"):
        read_geotiff(path)
    two = read_geotiff(path, band=2)
    assert (two.array == 20).all() and two.shape == (3, 4) and two.transform == T_SMALL
    for bad in (0, 4, "2", True):
        with pytest.raises(InputError, match="band"):
            read_geotiff(path, band=bad)


def test_window_and_bounds_reads_equal_slices_of_a_full_read(tmp_path):
    arr = np.arange(40 * 30, dtype=np.int32).reshape(40, 30)
    path = _gdal_write(tmp_path / "w.tif", arr, T_SMALL, nodata=-1)
    full = read_geotiff(path)
    win = read_geotiff(path, window=(5, 7, 10, 4))
    np.testing.assert_array_equal(win.array, full.array[5:15, 7:11])
    assert win.xy(0, 0) == full.xy(5, 7) and win.nodata == -1
    same = read_geotiff(path, window=Window(col_off=7, row_off=5, width=4, height=10))
    np.testing.assert_array_equal(same.array, win.array)
    # bounds: every cell overlapping them (cell edges at multiples of 200 m)
    b = read_geotiff(
        path,
        bounds=(600_000 + 7 * 200 + 50, 4_800_000 - 15 * 200 + 1, 601_000 + 1200 - 1, 4_799_000),
    )
    np.testing.assert_array_equal(b.array, full.array[5:15, 7:11])
    assert b.transform == win.transform
    # bounds reaching past the grid are clipped to it
    clipped = read_geotiff(path, bounds=(590_000, 4_799_000, 600_500, 4_900_000))
    np.testing.assert_array_equal(clipped.array, full.array[0:5, 0:3])
    with pytest.raises(InputError, match="do not overlap"):
        read_geotiff(path, bounds=(0, 0, 10, 10))
    with pytest.raises(InputError, match="not inside"):
        read_geotiff(path, window=(35, 0, 10, 5))
    with pytest.raises(InputError, match="not both"):
        read_geotiff(path, window=(0, 0, 1, 1), bounds=full.bounds)


def test_a_window_of_a_64_million_cell_file_is_read_alone(tmp_path):
    n = 8000
    path = tmp_path / "big.tif"
    profile = {
        "driver": "GTiff",
        "height": n,
        "width": n,
        "count": 1,
        "dtype": "uint8",
        "crs": "EPSG:32652",
        "transform": Affine(10.0, 0, 500_000, 0, -10.0, 4_800_000),
        "nodata": 0,
        "compress": "deflate",
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
    }
    with rasterio.open(path, "w", **profile) as dst:
        for r0 in range(0, n, 1000):
            block = ((np.arange(r0, r0 + 1000)[:, None] + np.arange(n)[None, :]) % 200 + 1).astype(
                np.uint8
            )
            dst.write(block, 1, window=Window(0, r0, n, 1000))
    tracemalloc.start()
    try:
        w = read_geotiff(path, window=(6000, 7000, 50, 20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    expected = (np.arange(6000, 6050)[:, None] + np.arange(7000, 7020)[None, :]) % 200 + 1
    np.testing.assert_array_equal(w.array, expected)
    assert peak < 2_000_000  # the whole band would be 64 MB
    assert w.transform == (10.0, 0.0, 570_000.0, 0.0, -10.0, 4_740_000.0)


def test_south_up_files_are_flipped_to_north_up(tmp_path):
    arr = np.arange(12, dtype=np.uint8).reshape(3, 4)  # row 0 is the SOUTH edge here
    south_up = (200.0, 0.0, 600_000.0, 0.0, 200.0, 4_799_400.0)
    path = _gdal_write(tmp_path / "south.tif", arr, south_up)
    r = read_geotiff(path)
    np.testing.assert_array_equal(r.array, arr[::-1])
    assert r.transform == (200.0, 0.0, 600_000.0, 0.0, -200.0, 4_800_000.0)
    # the value at a point is where GDAL says it is
    with rasterio.open(path) as src:
        for x, y in [(600_100.0, 4_799_500.0), (600_700.0, 4_799_900.0)]:
            row, col = src.index(x, y)
            pts = gpd.GeoSeries.from_xy([x], [y], crs=32652)
            assert r.sample(pts).iloc[0] == arr[row, col]
    win = read_geotiff(path, window=(1, 1, 2, 2))
    np.testing.assert_array_equal(win.array, r.array[1:3, 1:3])
    assert win.transform == (200.0, 0.0, 600_200.0, 0.0, -200.0, 4_799_800.0)


def test_rotated_files_are_refused(tmp_path):
    rotated = Affine(200.0, 20.0, 600_000.0, 20.0, -200.0, 4_800_000.0)
    path = _gdal_write(tmp_path / "rot.tif", np.zeros((3, 3), np.uint8), tuple(rotated)[:6])
    with pytest.raises(DataFileError, match=r"rot\.tif.*rotated or sheared"):
        read_geotiff(path)


def test_corrupt_files_raise_a_data_file_error_naming_the_file(tmp_path):
    data = np.random.default_rng(0).integers(0, 255, (300, 300), dtype=np.uint8)
    good = _gdal_write(tmp_path / "good.tif", data, T_SMALL, compress="deflate")
    blob = good.read_bytes()
    truncated = tmp_path / "truncated.tif"
    truncated.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DataFileError, match=r"truncated\.tif"):
        read_geotiff(truncated)
    garbage = tmp_path / "garbage.tif"
    garbage.write_bytes(blob[:8] + bytes(200))
    with pytest.raises(DataFileError, match=r"garbage\.tif"):
        read_geotiff(garbage)
    empty = tmp_path / "empty.tif"
    empty.write_bytes(b"")
    with pytest.raises(DataFileError, match=r"empty\.tif"):
        read_geotiff(empty)


# ----------------------------------------------------------------- reproject
def _nearest_lookup(raster, out):
    """Oracle: each output cell centre transformed by pyproj, value of the source cell there."""
    rows, cols = np.indices(out.shape)
    x, y = out.xy(rows, cols)
    sx, sy = Transformer.from_crs(out.crs, raster.crs, always_xy=True).transform(x, y)
    a, _, c, _, e, f = raster.transform
    frac_r, frac_c = (sy - f) / e, (sx - c) / a
    r, cc = np.floor(frac_r).astype(int), np.floor(frac_c).astype(int)
    ok = raster.contains_index(r, cc)
    ref = np.full(out.shape, out.nodata, dtype=out.array.dtype)
    ref[ok] = raster.array[r[ok], cc[ok]]
    edge = np.minimum(
        np.abs(frac_r - np.round(frac_r)), np.abs(frac_c - np.round(frac_c))
    )  # distance to the nearest cell edge, in source cells
    return ref, edge


def test_reproject_to_web_mercator_matches_a_pyproj_nearest_cell_lookup():
    lc = datasets.land_cover()
    w, s, e, n = lonlat_bounds(lc)
    to_merc = Transformer.from_crs(4326, 3857, always_xy=True)
    (x0, x1), (y0, y1) = to_merc.transform([w, e], [s, n])
    out = reproject(lc, "EPSG:3857", bounds=(x0, y0, x1, y1), shape=(1024, 700))
    assert out.shape == (1024, 700) and out.crs == CRS.from_epsg(3857)
    assert out.bounds == pytest.approx((x0, y0, x1, y1), rel=0, abs=1e-6)
    assert out.array.dtype == np.uint8 and out.nodata == 0 and out.classes == lc.classes
    ref, edge = _nearest_lookup(lc, out)
    differ = out.array != ref
    # GDAL's warper uses its approximate transformer (at most 1/8 source cell off):
    # only cells whose centres fall that close to a source cell edge may differ
    assert differ.mean() < 0.002
    assert (edge[differ] <= 0.125).all()


def test_reproject_keeps_classes_and_their_shares():
    lc = datasets.land_cover()
    merc = reproject(lc, "EPSG:3857", cell_size=250.0)
    assert set(np.unique(merc.array)) == set(np.unique(lc.array)) | {0}  # 0: nodata outside
    before = lc.class_areas()["share"]
    after = merc.class_areas()["share"]  # Mercator cells: shares, not areas, are comparable
    np.testing.assert_allclose(
        after.reindex(before.index).to_numpy(), before.to_numpy(), atol=0.005
    )
    # areas: Mercator inflates areas by 1/cos(lat)^2 (about 1.9 at 43.3 N)
    scale = merc.class_areas()["area_km2"].sum() / lc.class_areas()["area_km2"].sum()
    lat = 0.5 * (lonlat_bounds(lc)[1] + lonlat_bounds(lc)[3])
    assert scale == pytest.approx(1 / math.cos(math.radians(lat)) ** 2, rel=0.03)
    # and back to UTM: shares within a fraction of a percent
    back = reproject(merc, lc.crs, bounds=lc.bounds, shape=lc.shape)
    np.testing.assert_allclose(
        back.class_areas()["share"].reindex(before.index).to_numpy(), before.to_numpy(), atol=0.005
    )


def test_reproject_grid_options_and_fill():
    arr = np.arange(1, 101, dtype=np.uint8).reshape(10, 10)  # no nodata, 255 unused
    r = Raster(arr, (1000.0, 0, 500_000.0, 0, -1000.0, 4_800_000.0), 32652)
    out = reproject(
        r, 32652, bounds=(495_000.0, 4_785_000.0, 515_000.0, 4_805_000.0), cell_size=500.0
    )
    assert out.shape == (40, 40) and out.transform == (500.0, 0, 495_000.0, 0, -500.0, 4_805_000.0)
    assert out.nodata == 255 and out.array[0, 0] == 255  # chosen fill, declared as nodata
    np.testing.assert_array_equal(out.array[10:30:2, 10:30:2], arr)
    full = np.full((2, 2), 0, np.uint8)
    full[0, 0], full[0, 1] = 255, 7  # both 255 and 0 used: widened to int16
    w = reproject(Raster(full, r.transform, 32652), 32652, shape=(2, 2))
    assert w.array.dtype == np.int16 and w.nodata == 32767
    np.testing.assert_array_equal(w.array, full)
    f = reproject(Raster(arr.astype(float), r.transform, 32652), 4326)
    assert np.isnan(f.nodata) and np.isnan(f.array).any()  # corners outside the source
    ll = reproject(r, 4326)
    assert ll.crs == CRS.from_epsg(4326) and abs(ll.transform[0]) == pytest.approx(
        abs(ll.transform[4])
    )
    assert ll.bounds == pytest.approx(lonlat_bounds(r), abs=abs(ll.transform[0]))
    with pytest.raises(InputError, match="resampling"):
        reproject(r, 3857, resampling="closest")
    with pytest.raises(InputError, match="not both"):
        reproject(r, 3857, shape=(5, 5), cell_size=100.0)
    with pytest.raises(InputError, match="shape"):
        reproject(r, 3857, shape=(0, 5))
    with pytest.raises(InputError, match="bounds"):
        reproject(r, 3857, bounds=(1, 1, 0, 0), shape=(5, 5))
    with pytest.raises(CRSError):
        reproject(r, "EPSG:999999")


def test_reproject_mode_and_bilinear():
    arr = np.zeros((20, 20), np.uint8)
    arr[:, 10:] = 3
    r = Raster(arr, (100.0, 0, 500_000.0, 0, -100.0, 4_800_000.0), 32652, nodata=255)
    coarse = reproject(r, 32652, cell_size=500.0, resampling="mode")
    np.testing.assert_array_equal(coarse.array, np.repeat([[0, 0, 3, 3]], 4, axis=0))
    smooth = reproject(
        Raster(arr.astype("float32"), r.transform, 32652, nodata=-1.0),
        32652,
        cell_size=100.0,
        bounds=(500_000.0, 4_798_000.0, 502_000.0, 4_800_000.0),
        resampling="bilinear",
    )
    assert smooth.array.min() == 0.0 and smooth.array.max() == 3.0


def test_lonlat_bounds_cover_the_raster():
    lc = datasets.land_cover()
    w, s, e, n = lonlat_bounds(lc)
    t = Transformer.from_crs(lc.crs, 4326, always_xy=True)
    assert (w, s, e, n) == pytest.approx(t.transform_bounds(*lc.bounds, densify_pts=21), abs=1e-9)
    assert 129 < w < e < 133 and 42 < s < n < 45


# -------------------------------------------------------------------- rasterize
GRID = Raster(np.zeros((100, 100), np.uint8), (100.0, 0, 500_000.0, 0, -100.0, 4_800_000.0), 32652)


def test_rasterize_uses_the_cell_centre_rule():
    circle = shapely.Point(505_230, 4_795_410).buffer(1_700)
    out = rasterize(gpd.GeoSeries([circle], crs=32652).to_crs(4326), like=GRID)
    rows, cols = np.indices(GRID.shape)
    expected = shapely.contains_xy(circle, *GRID.xy(rows, cols))
    # reprojected to the grid's CRS and back: compare away from the boundary only
    x, y = GRID.xy(rows, cols)
    near = shapely.distance(circle.boundary, shapely.points(x, y)) < 1.0
    np.testing.assert_array_equal(out.array.astype(bool)[~near], expected[~near])
    assert out.transform == GRID.transform and out.crs == GRID.crs and out.nodata is None
    touched = rasterize(gpd.GeoSeries([circle], crs=32652), like=GRID.grid, all_touched=True)
    assert touched.array.sum() > out.array.sum()
    assert (touched.array >= out.array).all()


def test_rasterize_values_overlaps_and_fill():
    a = shapely.box(500_000, 4_799_000, 501_000, 4_800_000)  # 10 x 10 cells top-left
    b = shapely.box(500_500, 4_798_500, 501_500, 4_799_500)  # overlaps a
    gdf = gpd.GeoDataFrame({"code": [3, 7]}, geometry=[a, b], crs=32652)
    out = rasterize(gdf, like=GRID, values="code", fill=0)
    assert out.array.dtype == np.uint8
    assert out.array[0, 0] == 3 and out.array[7, 7] == 7  # later shape wins
    assert (out.array == 7).sum() == 100 and (out.array == 3).sum() == 100 - 25
    per = rasterize(gdf, like=GRID, values=[1000, -5], fill=-1)
    assert per.array.dtype == np.int16 and per.array[99, 99] == -1
    with pytest.raises(InputError, match="column"):
        rasterize(gdf, like=GRID, values="nope")
    with pytest.raises(InputError, match="like"):
        rasterize(gdf, like=np.zeros((3, 3)))
    empty = rasterize(gdf.iloc[:0], like=GRID)
    assert (empty.array == 0).all()


def test_cells_in_shapes_handles_overlaps_and_stays_on_the_grid():
    a = shapely.box(500_000, 4_799_000, 501_000, 4_800_000)
    b = shapely.box(499_500, 4_798_500, 501_500, 4_799_500)  # overlaps a, reaches west of the grid
    owner, rows, cols = cells_in_shapes(gpd.GeoSeries([a, None, b], crs=32652), GRID)
    # b covers 20 x 10 cells of the lattice, 5 x 10 of them west of the grid: only the
    # grid's own 15 x 10 are listed (work is clipped to the raster's extent)
    assert np.bincount(owner, minlength=3).tolist() == [100, 0, 15 * 10]
    assert cols[owner == 2].min() == 0 and GRID.contains_index(rows, cols).all()
    # a centre exactly on an edge is outside, on every side
    c = GRID.xy(50, 30)
    on_centres = shapely.box(float(c[0]), float(c[1]) - 1000, float(c[0]) + 1000, float(c[1]))
    o, r, cc = cells_in_shapes(gpd.GeoSeries([on_centres], crs=32652), GRID)
    assert len(o) == 9 * 9 and (r.min(), r.max(), cc.min(), cc.max()) == (51, 59, 31, 39)
    assert isinstance(GRID.grid, Grid) and GRID.grid.window(2, 3, 4, 5).transform[2] == 500_300.0

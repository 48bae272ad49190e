import geopandas as gpd
import numpy as np
import pytest

from habitat import datasets
from habitat.core.errors import DataFileError, InputError, ProjectedCRSRequiredError
from habitat.io.raster import Raster, read_geotiff, write_geotiff


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
    back = read_geotiff(path)
    np.testing.assert_array_equal(back.array, small.array)
    assert back.transform == small.transform
    assert back.crs.to_epsg() == 32652 and back.nodata == 0
    assert back.classes == small.classes


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


def test_tiff_without_georeferencing_is_refused(tmp_path):
    import tifffile

    plain = tmp_path / "plain.tif"
    tifffile.imwrite(plain, np.zeros((4, 4), np.uint8))
    with pytest.raises(DataFileError, match=r"plain\.tif"):
        read_geotiff(plain)


def test_gdal_reads_our_geotiff_and_we_read_gdals(tmp_path, small):
    """rasterio (GDAL) as an independent oracle for the GeoTIFF georeferencing, both ways."""
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import Affine

    lc = datasets.land_cover()
    with rasterio.open(datasets.get_path("land_cover")) as src:
        np.testing.assert_array_equal(src.read(1), lc.array)
        assert tuple(src.transform)[:6] == lc.transform
        assert src.crs.to_epsg() == 32652 and src.nodata == 0
    path = tmp_path / "gdal.tif"
    profile = {
        "driver": "GTiff",
        "height": 2,
        "width": 3,
        "count": 1,
        "dtype": "uint8",
        "crs": "EPSG:32652",
        "transform": Affine(*small.transform),
        "nodata": 0,
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(small.array, 1)
    back = read_geotiff(path)
    np.testing.assert_array_equal(back.array, small.array)
    assert back.transform == small.transform and back.crs.to_epsg() == 32652

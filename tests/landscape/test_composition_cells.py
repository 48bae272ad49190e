"""composition_in_ranges on rasterio.features gives what a brute-force centre test gives."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from habitat import datasets
from habitat.landscape.composition import composition_in_ranges


def _brute_force(geom, lc):
    """n_cells and share_nodata from testing every cell centre near the range."""
    rows, cols = np.indices(lc.shape)
    x, y = lc.xy(rows.ravel(), cols.ravel())
    inside = shapely.contains_xy(geom, x, y)
    v = lc.array.ravel()[inside]
    return int(np.count_nonzero(v != lc.nodata)), v


def test_random_ranges_on_the_land_cover_match_a_brute_force_count():
    lc = datasets.land_cover()
    rng = np.random.default_rng(7)
    left, bottom, right, top = lc.bounds
    geoms = []
    for _ in range(25):
        cx, cy = rng.uniform(left + 5_000, right - 5_000), rng.uniform(bottom + 5_000, top - 5_000)
        ang = np.sort(rng.uniform(0, 2 * np.pi, 12))
        rad = rng.uniform(1_000, 6_000, 12)
        geoms.append(shapely.Polygon(np.c_[cx + rad * np.cos(ang), cy + rad * np.sin(ang)]))
    ranges = gpd.GeoDataFrame(geometry=geoms, crs=lc.crs)
    out = composition_in_ranges(ranges, lc)
    for k, g in enumerate(geoms):
        n, v = _brute_force(g, lc)
        assert out["n_cells"].iloc[k] == n
        with_data = v[v != lc.nodata]
        assert out["share_forest"].iloc[k] == pytest.approx(np.mean(with_data == 1), abs=1e-12)


def test_edges_through_cell_centres_leave_those_cells_out():
    lc = datasets.land_cover()
    x0, y0 = (float(v) for v in lc.xy(500, 300))  # a cell centre
    box = shapely.box(x0, y0 - 2_000, x0 + 2_000, y0)  # every edge runs through centres
    tri = shapely.Polygon([(x0, y0), (x0 + 2_000, y0 + 1_000), (x0 + 400, y0 + 2_000)])
    out = composition_in_ranges(gpd.GeoSeries([box, tri], crs=lc.crs), lc)
    assert out["n_cells"].iloc[0] == 9 * 9  # 11 x 11 centres on or in, the 40 on edges out
    assert out["n_cells"].iloc[1] == _brute_force(tri, lc)[0]

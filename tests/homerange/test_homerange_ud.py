import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from habitat.homerange.ud import utilization_distribution


def test_uds_share_one_grid_have_unit_volume_and_peak_at_the_centre():
    rng = np.random.default_rng(2)
    parts = []
    for k, (cx, s) in enumerate([(500_000, 2000), (520_000, 4000)]):
        xy = rng.normal(0, s, (3000, 2)) + [cx, 4_800_000]
        parts.append(
            gpd.GeoDataFrame(
                {"individual": [f"L{k}"] * 3000}, geometry=gpd.points_from_xy(*xy.T), crs=32652
            )
        )
    uds = utilization_distribution(pd.concat(parts, ignore_index=True), cell_size_m=200)
    a, b = uds["L0"], uds["L1"]
    assert a.transform == b.transform and a.shape == b.shape and a.cell_size_m == 200
    for r in (a, b):
        assert r.array.sum() * r.cell_area_m2 == pytest.approx(1.0, rel=1e-12)
    row, col = np.unravel_index(np.argmax(a.array), a.shape)
    x, y = a.xy(row, col)
    assert abs(x - 500_000) < 600 and abs(y - 4_800_000) < 600
    # the density at the peak of a N(0, s^2 + h^2) is 1 / (2 pi (s^2 + h^2))
    h = 2000 * (0.5 * 2) ** 0.5 * 3000 ** (-1 / 6)  # href for sigma ~2 km
    assert a.array.max() == pytest.approx(1 / (2 * np.pi * (2000**2 + h**2)), rel=0.1)


def test_bad_cell_size():
    g = gpd.GeoDataFrame(
        {"individual": ["A"] * 10},
        geometry=gpd.points_from_xy(np.arange(10.0), np.arange(10.0)),
        crs=32652,
    )
    from habitat.core.errors import InputError

    with pytest.raises(InputError, match="cell_size_m"):
        utilization_distribution(g, cell_size_m=0)

"""habitat.corridors: callable as its ``corridors`` function, names stay reachable."""

from __future__ import annotations

import inspect
import warnings

import geopandas as gpd
import numpy as np
import shapely

import habitat
from habitat.corridors import linkage
from habitat.io.raster import Raster


def test_the_package_is_the_corridors_function_and_a_namespace():
    surface = Raster(np.ones((20, 20)), (100.0, 0.0, 0.0, 0.0, -100.0, 2000.0), 32652)
    cores = gpd.GeoDataFrame(
        {"n": ["a", "b"]},
        geometry=[shapely.box(0, 0, 300, 2000), shapely.box(1700, 0, 2000, 2000)],
        crs=32652,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        via_package = habitat.corridors(surface, cores, id_column="n")
    # resistance 1, 100 m cells: from the cell centre at x = 250 m to 1,750 m, 15 steps of 100
    assert via_package.links["cost_weighted_distance"].tolist() == [1500.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = linkage.corridors(surface, cores, id_column="n")
    assert via_package.links.drop(columns="geometry").equals(direct.links.drop(columns="geometry"))
    # warnings (here: the corridor reaches the raster's edge) point at the caller's line
    assert caught and all(w.filename == __file__ for w in caught)
    assert inspect.signature(habitat.corridors) == inspect.signature(linkage.corridors)
    assert habitat.corridors.cost_distance is habitat.cost_distance
    assert habitat.corridors.corridors is linkage.corridors

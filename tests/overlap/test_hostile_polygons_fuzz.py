"""Fuzz: polygons and CRSs of any kind give a result or a habitat error, never a foreign one.

Invariant (hypothesis, fixed example budget): for random polygons whose
vertices may be NaN, infinite, huge or degenerate, declared in random CRSs
(surface or not), every public overlap, landscape, raster and measurement
function either returns, with shares within [0, 1] (or NaN for a range of
zero area), or raises a :class:`~habitat.core.errors.HabitatError`.
"""

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habitat.core import crs as hcrs
from habitat.core.errors import HabitatError
from habitat.io.raster import Raster, cells_in_shapes, rasterize
from habitat.landscape import composition_in_ranges, line_density_in_ranges
from habitat.overlap.vector import distance_to_layer, exclusivity, overlap_with, pairwise_overlap

UTM = "EPSG:32652"
COVER = Raster(
    np.arange(100, dtype=np.uint8).reshape(10, 10) % 3 + 1,
    (1000.0, 0, 600_000, 0, -1000.0, 4_760_000),
    UTM,
    nodata=0,
)
ROAD = gpd.GeoSeries([shapely.LineString([(600_000, 4_754_000), (620_000, 4_754_000)])], crs=UTM)
LAYER = gpd.GeoDataFrame(
    {"zone": ["a", "b"]},
    geometry=[
        shapely.box(600_000, 4_750_000, 605_000, 4_760_000),
        shapely.box(604_000, 4_750_000, 612_000, 4_755_000),
    ],
    crs=UTM,
)

coordinate = st.one_of(
    st.floats(600_000, 612_000),  # on the cover, in metres
    st.floats(4_748_000, 4_762_000),
    st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -1e300, 0.0, 131.0, 95.0]),
)
vertex = st.tuples(coordinate, coordinate)


def _polygon(vertices):
    """A polygon through a finite anchor and these vertices, NaN and inf included.

    GEOS checks that a ring closes on its first vertex, which a NaN never does:
    the ring starts at a finite anchor, the hostile vertices follow.
    """
    with np.errstate(invalid="ignore"):
        return shapely.Polygon([(605_000.0, 4_755_000.0), *vertices])


polygon = st.lists(vertex, min_size=3, max_size=7).map(_polygon)
crs = st.sampled_from(
    [UTM, "EPSG:4326", "EPSG:3857", "EPSG:6933", "EPSG:32652+5773", "EPSG:4978", "EPSG:5773"]
)


def _ranges(geoms, crs):
    n = len(geoms)
    return gpd.GeoDataFrame(
        {
            "individual": [f"i{k}" for k in range(n)],
            "sex": ["F", "M"] * (n // 2) + ["F"] * (n % 2),
            "level": 0.95,
        },
        geometry=geoms,
        crs=crs,
    )


CALLS = {
    "overlap_with": lambda r: overlap_with(r, LAYER, by="zone", n_jobs=1)["share"],
    "distance_to_layer": lambda r: distance_to_layer(r, LAYER)["distance_to_boundary_m"] * 0,
    "pairwise_overlap": lambda r: pairwise_overlap(r, n_jobs=1)["share_a"],
    "exclusivity": lambda r: exclusivity(r)["exclusive_share"],
    "composition_in_ranges": lambda r: composition_in_ranges(r, COVER)["share_nodata"],
    "line_density_in_ranges": lambda r: line_density_in_ranges(r, ROAD)["length_km"] * 0,
    "area_m2": lambda r: hcrs.area_m2(r) * 0,
    "rasterize": lambda r: rasterize(r, COVER).array.ravel() * 0,
    "cells_in_shapes": lambda r: cells_in_shapes(r, COVER)[0] * 0,
}


@pytest.mark.parametrize("fn", sorted(CALLS))
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(geoms=st.lists(polygon, min_size=1, max_size=3), declared=crs)
def test_hostile_polygons_give_a_result_or_a_habitat_error(fn, geoms, declared):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ranges = _ranges(geoms, declared)
        except HabitatError:
            return
        try:
            values = np.asarray(CALLS[fn](ranges), dtype=float)
        except HabitatError:
            return
    finite = values[~np.isnan(values)]
    assert ((finite >= 0) & (finite <= 1)).all(), (fn, values)

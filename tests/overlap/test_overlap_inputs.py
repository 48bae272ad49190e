"""Hostile inputs to overlap.vector and overlap.territory: habitat errors that name the input.

Every public function that takes polygons refuses NaN/inf vertices (GEOS raised
``GEOSException`` before), empty layers by name, non-surface CRSs, levels that
are not fractions and arguments of the wrong type.
"""

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from habitat.core.errors import (
    ColumnError,
    CoordinateError,
    CRSError,
    DataFileError,
    DataQualityWarning,
    EmptyDataError,
    InputError,
)
from habitat.overlap.territory import territory_table, write_territory_table
from habitat.overlap.vector import (
    distance_to_layer,
    exclusivity,
    overlap_matrix,
    overlap_with,
    pairwise_overlap,
    sex_pair_summary,
)

UTM = "EPSG:32652"
X0, Y0 = 600_000.0, 4_750_000.0


def _nan_square():
    with np.errstate(invalid="ignore"):
        return shapely.Polygon(
            [(X0, Y0), (np.nan, Y0), (X0 + 10_000, Y0 + 10_000), (X0, Y0 + 10_000)]
        )


def _ranges(geoms, index=None):
    n = len(geoms)
    return gpd.GeoDataFrame(
        {
            "individual": [f"Leo {k}" for k in range(n)],
            "sex": ["F", "M"] * (n // 2) + ["F"] * (n % 2),
            "method": "mcp",
            "level": 0.95,
        },
        geometry=geoms,
        index=index,
        crs=UTM,
    )


GOOD = _ranges(
    [box(X0, Y0, X0 + 10_000, Y0 + 10_000), box(X0 + 5_000, Y0, X0 + 15_000, Y0 + 10_000)]
)
LAYER = gpd.GeoDataFrame(
    {"zone": ["core"]}, geometry=[box(X0, Y0, X0 + 8_000, Y0 + 8_000)], crs=UTM
)


def _calls(ranges, layer):
    return {
        "overlap_with": lambda: overlap_with(ranges, layer, layer_name="park_zones"),
        "distance_to_layer": lambda: distance_to_layer(ranges, layer, layer_name="park_zones"),
        "pairwise_overlap": lambda: pairwise_overlap(ranges),
        "exclusivity": lambda: exclusivity(ranges),
        "territory_table": lambda: territory_table(ranges, {"park_zones": layer}),
    }


@pytest.mark.parametrize("fn", sorted(_calls(GOOD, LAYER)))
def test_nan_vertices_in_ranges_name_the_row(fn):
    ranges = _ranges([GOOD.geometry.iloc[0], _nan_square()], index=["F1", "M1"])
    with pytest.raises(CoordinateError, match=r"ranges has NaN or infinite coordinates.*rows M1"):
        _calls(ranges, LAYER)[fn]()


@pytest.mark.parametrize("fn", ["overlap_with", "distance_to_layer", "territory_table"])
def test_nan_vertices_in_a_layer_name_the_layer_and_row(fn):
    layer = gpd.GeoDataFrame(
        {"zone": ["core", "buffer"]}, geometry=[LAYER.geometry.iloc[0], _nan_square()], crs=UTM
    )
    with pytest.raises(CoordinateError, match=r"park_zones has NaN .*rows 1"):
        _calls(GOOD, layer)[fn]()


@pytest.mark.parametrize("fn", ["overlap_with", "distance_to_layer", "territory_table"])
def test_an_empty_layer_is_named(fn):
    with pytest.raises(EmptyDataError, match="^park_zones holds no rows"):
        _calls(GOOD, LAYER.iloc[:0])[fn]()


@pytest.mark.parametrize("fn", sorted(_calls(GOOD, LAYER)))
def test_empty_ranges_are_named(fn):
    with pytest.raises(EmptyDataError, match="^ranges holds no rows"):
        _calls(GOOD.iloc[:0], LAYER)[fn]()


@pytest.mark.parametrize("crs", ["EPSG:4978", "EPSG:5773"])
@pytest.mark.parametrize("fn", sorted(_calls(GOOD, LAYER)))
def test_non_surface_crs_on_the_ranges_is_refused(fn, crs):
    with pytest.raises(CRSError, match=crs):
        _calls(GOOD.set_crs(crs, allow_override=True), LAYER)[fn]()


@pytest.mark.parametrize("crs", ["EPSG:4978", "nonsense", "EPSG:5773"])
def test_measurement_crs_that_is_not_a_crs_or_not_a_surface_is_refused(crs):
    with pytest.raises(CRSError):
        overlap_with(GOOD, LAYER, crs=crs)
    with pytest.raises(CRSError):
        distance_to_layer(GOOD, LAYER, crs=crs)
    with pytest.raises(CRSError):
        pairwise_overlap(GOOD, crs=crs)


def test_polygons_beyond_the_pole_are_refused_not_measured_as_zero():
    """Before: a range reaching latitude 95° overlapped nothing (share NaN), silently."""
    beyond = gpd.GeoDataFrame({"individual": ["x"]}, geometry=[box(130, 80, 131, 95)], crs=4326)
    with pytest.raises(CoordinateError, match="95"):
        overlap_with(beyond, LAYER)
    with pytest.raises(CoordinateError, match="reprojection"):  # a given measurement CRS
        overlap_with(beyond, LAYER, crs="EPSG:6933")


@pytest.mark.parametrize("level", ["high", "0.95", 95, -1, float("nan"), [0.95]])
def test_levels_that_are_not_fractions(level):
    for call in (
        lambda: pairwise_overlap(GOOD, level=level),
        lambda: exclusivity(GOOD, level=level),
        lambda: overlap_matrix(pairwise_overlap(GOOD), level=level),
        lambda: territory_table(GOOD, {}, level=level),
    ):
        with pytest.raises(InputError, match="level must be a fraction"):
            call()


def test_level_column_that_is_not_numbers_is_named():
    bad = GOOD.assign(level=["0.95", "high"])
    with pytest.raises(ColumnError, match="'level'.*high"):
        pairwise_overlap(bad, level=0.95)


def test_by_that_is_not_a_column_name():
    with pytest.raises(InputError, match="by must be the name of one column of park_zones"):
        overlap_with(GOOD, LAYER, by=["zone"], layer_name="park_zones")
    with pytest.raises(ColumnError, match="park_zones"):
        overlap_with(GOOD, LAYER, by="zonee", layer_name="park_zones")
    holes = LAYER.assign(zone=[None])
    with pytest.raises(ColumnError, match="missing values"):
        distance_to_layer(GOOD, holes, by="zone")


def test_pairs_that_are_not_a_frame():
    for call in (lambda: overlap_matrix(None, level=0.95), lambda: sex_pair_summary([1, 2])):
        with pytest.raises(InputError, match="pairwise_overlap"):
            call()


@pytest.mark.parametrize(
    ("ranges", "layers", "match"),
    [
        (None, {}, "ranges must be a GeoDataFrame"),
        (GOOD, None, "mapping of layer names"),
        (GOOD, [LAYER], "mapping of layer names"),
        (GOOD.drop(columns="level"), {}, "'level'"),
        (GOOD, {"countries": 5}, "countries must be a GeoDataFrame"),
        (GOOD, {"countries": LAYER}, "countries .*missing the column.*'name'"),
    ],
)
def test_territory_table_arguments(ranges, layers, match):
    with pytest.raises(InputError, match=match):
        territory_table(ranges, layers)


def test_territory_table_level_absent_lists_levels():
    with pytest.raises(InputError, match=r"no ranges at level 0.5; levels present: \[0.95\]"):
        territory_table(GOOD, {}, level=0.5)


def test_write_territory_table_paths(tmp_path):
    table = territory_table(GOOD, {})
    with pytest.raises(DataFileError, match="is a folder"):
        write_territory_table(table, tmp_path)
    (tmp_path / "t.csv").mkdir()
    with pytest.raises(DataFileError, match="is a folder"):
        write_territory_table(table, tmp_path / "t.csv")
    with pytest.raises(InputError, match="path must be"):
        write_territory_table(table, None)
    with pytest.raises(InputError, match="table must be a GeoDataFrame"):
        write_territory_table(pd.DataFrame(), tmp_path / "x.csv")


def test_self_intersecting_ranges_are_repaired_with_a_warning_and_flagged():
    """The documented choice: repair with make_valid, warn, and say why in 'repaired'."""
    bow_tie = shapely.Polygon(
        [(X0, Y0), (X0 + 10_000, Y0 + 10_000), (X0 + 10_000, Y0), (X0, Y0 + 10_000)]
    )
    ranges = _ranges([bow_tie])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = overlap_with(ranges, LAYER)
    assert any(issubclass(w.category, DataQualityWarning) for w in caught)
    assert table["repaired"].iloc[0].startswith("Self-intersection")
    # the two triangles of the bow tie: half of the square over the same corners
    square = overlap_with(_ranges([box(X0, Y0, X0 + 10_000, Y0 + 10_000)]), LAYER)
    assert table["area_km2"].sum() == pytest.approx(square["area_km2"].sum() / 2, rel=1e-9)


def test_same_sex_measures_need_a_sex_for_every_range():
    with pytest.raises(ColumnError, match="'sex'.*'U' for unknown"):
        territory_table(GOOD.drop(columns="sex"), {})
    with pytest.raises(ColumnError, match=r"'sex' has missing values \(rows \[1\]\)"):
        exclusivity(GOOD.assign(sex=["F", None]), level=None)


def test_repair_refuses_non_finite_vertices_by_label():
    from habitat.core.validation import repair_polygons

    with pytest.raises(CoordinateError, match="rows M1"):
        repair_polygons(np.array([GOOD.geometry.iloc[0], _nan_square()]), labels=["F1", "M1"])

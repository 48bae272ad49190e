import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box

from habitat import crs as hcrs
from habitat.core.errors import (
    ColumnError,
    DataQualityWarning,
    GeometryTypeError,
    MissingCRSError,
)
from habitat.overlap.vector import (
    OUTSIDE,
    distance_to_layer,
    exclusivity,
    overlap_matrix,
    overlap_with,
    pairwise_overlap,
    sex_pair_summary,
)

UTM = "EPSG:32652"
X0, Y0 = 500_000.0, 4_800_000.0  # UTM 52N, about 131.0 E 43.3 N


def sq(x: float, y: float, side: float) -> Polygon:
    """Square with lower-left corner at (X0 + x, Y0 + y) metres, side in metres."""
    return box(X0 + x, Y0 + y, X0 + x + side, Y0 + y + side)


def ranges_of(geoms, individuals=None, sex=None, level=0.95, crs=UTM) -> gpd.GeoDataFrame:
    n = len(geoms)
    return gpd.GeoDataFrame(
        {
            "individual": individuals or [f"L{i}" for i in range(n)],
            "sex": sex or ["F"] * n,
            "method": ["mcp"] * n,
            "level": [level] * n,
        },
        geometry=list(geoms),
        crs=crs,
    )


def direct_overlap(ranges: gpd.GeoDataFrame, layer: gpd.GeoDataFrame) -> np.ndarray:
    """Feature-by-feature reference: shapely.intersection + area in the same equal-area CRS."""
    ea = hcrs.equal_area_crs(
        tuple(
            f(v)
            for f, v in zip(
                (min, min, max, max),
                zip(hcrs.lonlat_bounds(ranges), hcrs.lonlat_bounds(layer), strict=True),
                strict=True,
            )
        )
    )
    r = ranges.to_crs(ea).geometry.to_numpy()
    f = layer.to_crs(ea).geometry.to_numpy()
    out = np.zeros((len(r), len(f)))
    for a in range(len(r)):
        for b in range(len(f)):
            out[a, b] = shapely.intersection(r[a], f[b]).area / r[a].area
    return out


def feature_shares(result: pd.DataFrame) -> pd.DataFrame:
    inner = result[result["feature"] != OUTSIDE]
    return inner.pivot(index="range_id", columns="feature", values="share")


# --------------------------------------------------------------------------- overlap_with


def test_two_offset_squares_overlap_in_50_km2():
    ranges = ranges_of([sq(0, 0, 10_000)])
    layer = gpd.GeoDataFrame({"zone": ["z"]}, geometry=[sq(5_000, 0, 10_000)], crs=UTM)
    res = overlap_with(ranges, layer, by="zone")
    row = res[res["feature"] == "z"].iloc[0]
    inter = gpd.GeoSeries([box(X0 + 5_000, Y0, X0 + 10_000, Y0 + 10_000)], crs=UTM)
    ea = hcrs.area_m2(inter).iloc[0] / 1e6
    geodesic = hcrs.geodesic_area_m2(inter).iloc[0] / 1e6
    assert row["area_km2"] == pytest.approx(ea, rel=1e-6)
    assert row["area_km2"] == pytest.approx(geodesic, rel=1e-4)
    # the UTM planar area is 50 km2, which is 0.9996**2 times the true area
    assert row["area_km2"] == pytest.approx(50.0, rel=2e-3)
    assert row["area_km2"] != pytest.approx(50.0, rel=1e-4)
    assert row["area_sq_mi"] == pytest.approx(row["area_km2"] / 2.589988110336, rel=1e-12)
    assert row["share"] == pytest.approx(0.5, rel=1e-6)
    out = res[res["feature"] == OUTSIDE].iloc[0]
    assert out["share"] == pytest.approx(0.5, rel=1e-6)


def test_partition_shares_sum_to_one_and_outside_is_zero():
    ranges = ranges_of([sq(1_000, 2_000, 7_000)])
    layer = gpd.GeoDataFrame(
        {"zone": ["west", "east"]},
        geometry=[box(X0 - 50_000, Y0 - 50_000, X0 + 4_321, Y0 + 50_000),
                  box(X0 + 4_321, Y0 - 50_000, X0 + 50_000, Y0 + 50_000)],
        crs=UTM,
    )  # fmt: skip
    res = overlap_with(ranges, layer, by="zone")
    assert list(res["feature"]) == ["west", "east", OUTSIDE]
    assert res["share"].iloc[:2].sum() == pytest.approx(1.0, abs=1e-12)
    assert res["share"].iloc[2] == pytest.approx(0.0, abs=1e-12)
    assert res["share"].iloc[0] == pytest.approx(3_321 / 7_000, rel=1e-3)


def test_disjoint_range_gets_zero_rows_and_outside_one():
    ranges = ranges_of([sq(0, 0, 1_000), sq(100_000, 0, 1_000)])
    layer = gpd.GeoDataFrame(
        {"zone": ["a", "b"]}, geometry=[sq(0, 0, 5_000), sq(5_000, 0, 5_000)], crs=UTM
    )
    res = overlap_with(ranges, layer)
    assert len(res) == 2 * 3  # explicit rows, never missing
    far = res[res["range_id"] == 1]
    assert list(far["feature"]) == [0, 1, OUTSIDE]
    assert list(far["area_km2"].iloc[:2]) == [0.0, 0.0]
    assert list(far["share"].iloc[:2]) == [0.0, 0.0]
    assert far["share"].iloc[2] == 1.0
    assert set(res.columns) >= {"range_id", "individual", "method", "level", "area_km2"}


def test_range_inside_feature_takes_shortcut_and_equals_direct(monkeypatch):
    inside = sq(1_000, 1_000, 2_000)
    ranges = ranges_of([inside])
    layer = gpd.GeoDataFrame(geometry=[sq(0, 0, 10_000), sq(20_000, 0, 5_000)], crs=UTM)
    calls = []
    real = shapely.intersection

    def spy(a, b, *args, **kw):
        calls.append(np.size(a))
        return real(a, b, *args, **kw)

    monkeypatch.setattr(shapely, "intersection", spy)
    res = overlap_with(ranges, layer)
    monkeypatch.undo()
    assert calls == []  # within -> whole area, no intersection computed
    assert res["share"].iloc[0] == 1.0
    ea = hcrs.area_m2(gpd.GeoSeries([inside], crs=UTM)).iloc[0]
    assert res["area_km2"].iloc[0] * 1e6 == pytest.approx(ea, rel=1e-12)
    np.testing.assert_allclose(
        feature_shares(res).to_numpy(), direct_overlap(ranges, layer), rtol=1e-9, atol=0
    )


def test_many_ranges_equal_feature_by_feature_reference():
    rng = np.random.default_rng(1)
    centres = rng.uniform(-30_000, 30_000, size=(60, 2))
    radii = rng.uniform(3_000, 10_000, size=60)
    geoms = [Point(X0 + x, Y0 + y).buffer(r) for (x, y), r in zip(centres, radii, strict=True)]
    ranges = ranges_of(geoms)
    layer = gpd.GeoDataFrame(
        {"zone": ["a", "b", "c", "d", "a"]},
        geometry=[
            sq(-40_000, -40_000, 40_000),
            sq(0, -40_000, 40_000),
            sq(-40_000, 0, 40_000),
            Point(X0 + 20_000, Y0 + 20_000).buffer(15_000),
            sq(-5_000, -5_000, 3_000),  # inside a range: contains_properly shortcut
        ],
        crs=UTM,
    )
    res = overlap_with(ranges, layer)
    np.testing.assert_allclose(
        feature_shares(res).to_numpy(), direct_overlap(ranges, layer), rtol=1e-9, atol=1e-15
    )
    assert ((res["share"] >= 0) & (res["share"] <= 1)).all()
    # dissolved: overlapping features are not double counted in the outside share
    union = shapely.union_all(layer.geometry.to_numpy())
    ref = direct_overlap(ranges, gpd.GeoDataFrame(geometry=[union], crs=UTM))[:, 0]
    outside = res[res["feature"] == OUTSIDE]["share"].to_numpy()
    np.testing.assert_allclose(outside, 1 - ref, atol=1e-12)


def test_overlap_with_itself_is_whole_area():
    g = Point(X0, Y0).buffer(6_000)
    ranges = ranges_of([g])
    res = overlap_with(ranges, gpd.GeoDataFrame(geometry=[g], crs=UTM))
    assert res["share"].iloc[0] == pytest.approx(1.0, abs=1e-12)
    ea = hcrs.area_m2(gpd.GeoSeries([g], crs=UTM)).iloc[0]
    assert res["area_km2"].iloc[0] * 1e6 == pytest.approx(ea, rel=1e-12)


def test_layer_without_crs_refused():
    ranges = ranges_of([sq(0, 0, 1_000)])
    with pytest.raises(MissingCRSError, match="layer"):
        overlap_with(ranges, gpd.GeoDataFrame(geometry=[sq(0, 0, 1_000)]))
    with pytest.raises(MissingCRSError, match="layer"):
        distance_to_layer(ranges, gpd.GeoDataFrame(geometry=[sq(0, 0, 1_000)]))


def test_points_or_lines_as_layer_refused():
    ranges = ranges_of([sq(0, 0, 1_000)])
    points = gpd.GeoDataFrame(geometry=[Point(X0, Y0)], crs=UTM)
    with pytest.raises(GeometryTypeError, match="Point"):
        overlap_with(ranges, points)
    lines = gpd.GeoDataFrame(geometry=[LineString([(X0, Y0), (X0 + 1, Y0)])], crs=UTM)
    with pytest.raises(GeometryTypeError, match="LineString"):
        overlap_with(lines, ranges)


def test_unknown_by_column_refused():
    ranges = ranges_of([sq(0, 0, 1_000)])
    with pytest.raises(ColumnError, match="zone"):
        overlap_with(ranges, ranges, by="zone")


def test_bow_tie_repaired_and_reported():
    bow = Polygon([(X0, Y0), (X0 + 4_000, Y0 + 4_000), (X0 + 4_000, Y0), (X0, Y0 + 4_000)])
    assert not bow.is_valid
    ranges = ranges_of([bow])
    layer = gpd.GeoDataFrame(geometry=[sq(-10_000, -10_000, 30_000)], crs=UTM)
    with pytest.warns(DataQualityWarning, match="Self-intersection"):
        res = overlap_with(ranges, layer)
    assert res["repaired"].str.startswith("Self-intersection").all()
    assert res["feature_repaired"].eq("").all()
    # two triangles of 4 km2 each (UTM planar), all inside the layer
    assert res["area_km2"].iloc[0] == pytest.approx(8.0, rel=2e-3)
    assert res["share"].iloc[0] == pytest.approx(1.0, abs=1e-12)
    with pytest.warns(DataQualityWarning):
        res2 = overlap_with(layer, ranges)
    assert res2["feature_repaired"].iloc[0].startswith("Self-intersection")


def test_mixed_crs_equals_single_crs():
    rng = np.random.default_rng(7)
    geoms = [Point(X0 + x, Y0 + y).buffer(5_000) for x, y in rng.uniform(-20e3, 20e3, (8, 2))]
    ranges = ranges_of(geoms)
    layer = gpd.GeoDataFrame(
        {"zone": ["a", "b"]}, geometry=[sq(-30_000, -30_000, 30_000), sq(0, -30_000, 30_000)]
    ).set_crs(UTM)
    ranges_ll = ranges.to_crs("EPSG:4326")
    a = overlap_with(ranges_ll, layer, by="zone")
    b = overlap_with(ranges_ll, layer.to_crs("EPSG:4326"), by="zone")
    c = overlap_with(ranges, layer, by="zone")
    np.testing.assert_allclose(a["area_km2"], b["area_km2"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(a["share"], c["share"], rtol=1e-6, atol=1e-6)
    pd.testing.assert_series_equal(a["feature"], c["feature"])


# --------------------------------------------------------------------------- distances


def test_distance_to_layer_boundaries():
    layer = gpd.GeoDataFrame(
        {"zone": ["west", "east"]},
        geometry=[sq(-50_000, -50_000, 50_000) | sq(-50_000, 0, 50_000), sq(0, -50_000, 100_000)],
        crs=UTM,
    )
    crossing = sq(-1_000, 0, 2_000)  # straddles x = 0
    inside = sq(-20_000, -3_000, 6_000)  # 14 km from x = 0, centroid 17 km
    ranges = ranges_of([crossing, inside])
    res = distance_to_layer(ranges, layer)
    assert list(res["range_id"]) == [0, 1]
    assert res["distance_to_boundary_m"].iloc[0] == 0.0
    assert res["centroid_distance_to_boundary_m"].iloc[0] == pytest.approx(0.0, abs=1e-6)
    assert res["distance_to_boundary_m"].iloc[1] == pytest.approx(14_000, rel=1e-9)
    assert res["centroid_distance_to_boundary_m"].iloc[1] == pytest.approx(17_000, rel=1e-9)
    # dissolving both zones into one removes the internal boundary at x = 0
    one = distance_to_layer(ranges, layer.assign(all="x"), by="all")
    assert one["distance_to_boundary_m"].iloc[1] == pytest.approx(30_000, rel=1e-9)  # to x = -50 km


# --------------------------------------------------------------------------- pairwise


def test_pairwise_two_offset_squares_symmetric_50_km2():
    ranges = ranges_of([sq(0, 0, 10_000), sq(5_000, 0, 10_000)], ["A", "B"], ["F", "M"])
    pairs = pairwise_overlap(ranges)
    assert len(pairs) == 1
    row = pairs.iloc[0]
    assert (row["individual_a"], row["individual_b"], row["sex_a"], row["sex_b"]) == (
        "A",
        "B",
        "F",
        "M",
    )
    assert row["area_km2"] == pytest.approx(50.0, rel=2e-3)
    inter = gpd.GeoSeries([sq(5_000, 0, 5_000) | sq(5_000, 5_000, 5_000)], crs=UTM)
    assert row["area_km2"] * 1e6 == pytest.approx(hcrs.geodesic_area_m2(inter).iloc[0], rel=1e-4)
    # equal squares in UTM are not exactly equal in area: UTM scale varies with easting
    assert row["share_a"] == pytest.approx(0.5, rel=1e-5)
    assert row["share_b"] == pytest.approx(0.5, rel=1e-5)
    swapped = pairwise_overlap(ranges.iloc[::-1])
    assert swapped["area_km2"].iloc[0] == pytest.approx(row["area_km2"], rel=1e-12)


def test_pairwise_only_same_level_and_method_each_pair_once():
    g = [sq(0, 0, 10_000), sq(5_000, 0, 10_000), sq(2_000, 2_000, 1_000), sq(90_000, 0, 1_000)]
    r95 = ranges_of(g, ["A", "B", "C", "D"])
    r50 = ranges_of(g, ["A", "B", "C", "D"], level=0.5)
    pairs = pairwise_overlap(pd.concat([r95, r50], ignore_index=True))
    assert len(pairs) == 2 * 2  # A-B, A-C per level; D overlaps no one; no cross-level pairs
    assert (pairs["level"].isin([0.5, 0.95])).all()
    ac = pairs[(pairs["individual_a"] == "A") & (pairs["individual_b"] == "C")].iloc[0]
    assert ac["share_b"] == 1.0  # C within A: exact shortcut
    assert ac["share_a"] == pytest.approx(0.01, rel=1e-3)
    only = pairwise_overlap(pd.concat([r95, r50]), level=0.5)
    assert set(only["level"]) == {0.5}


def test_overlap_matrix_diagonal_and_directions():
    g = [sq(0, 0, 10_000), sq(5_000, 0, 10_000), sq(2_000, 2_000, 1_000), sq(90_000, 0, 1_000)]
    ranges = ranges_of(g, ["A", "B", "C", "D"])
    pairs = pairwise_overlap(ranges)
    m = overlap_matrix(pairs, level=0.95, individuals=["A", "B", "C", "D"])
    assert m.shape == (4, 4)
    np.testing.assert_array_equal(np.diag(m.to_numpy()), 1.0)
    assert m.loc["C", "A"] == 1.0  # all of C's range is used by A
    assert m.loc["A", "C"] == pytest.approx(0.01, rel=1e-3)
    assert m.loc["A", "D"] == 0.0 and m.loc["D", "B"] == 0.0
    assert m.loc["A", "B"] == pytest.approx(0.5, rel=1e-6)
    area = overlap_matrix(pairs, level=0.95, value="area_km2")
    assert area.loc["A", "B"] == area.loc["B", "A"]


def test_exclusivity_three_females_known_overlaps():
    # A overlaps B by a quarter of A; C overlaps A by another disjoint quarter; B and C
    # overlap each other where they both cover A -> union not double counted.
    a = sq(0, 0, 10_000)
    b = sq(7_500, 0, 10_000)  # covers x in 7.5-10 km of A: 25 %
    c = sq(0, 7_500, 10_000)  # covers y in 7.5-10 km of A: 25 %, corner shared with B
    male = sq(0, 0, 10_000)  # other sex: ignored
    ranges = ranges_of([a, b, c, male], ["A", "B", "C", "M1"], ["F", "F", "F", "M"])
    res = exclusivity(ranges).set_index("individual")
    # A: 1 - (25 % + 25 % - 6.25 % corner) = 0.5625
    assert res.loc["A", "exclusive_share"] == pytest.approx(0.5625, rel=1e-4)
    assert res.loc["A", "n_neighbours"] == 2
    # B overlaps A by 25 % of B and C by 2.5 x 2.5 km corner within that strip
    assert res.loc["B", "exclusive_share"] == pytest.approx(0.75, rel=1e-4)
    assert res.loc["M1", "exclusive_share"] == 1.0
    assert res.loc["M1", "n_neighbours"] == 0


def test_sex_pair_summary_best_male():
    f = sq(0, 0, 10_000)
    m1 = sq(8_000, 0, 10_000)  # 20 % of F
    m2 = sq(0, 4_000, 10_000)  # 60 % of F
    f2 = sq(1_000, 0, 10_000)
    ranges = ranges_of([f, m1, m2, f2], ["F1", "M1", "M2", "F2"], ["F", "M", "M", "F"])
    summary = sex_pair_summary(pairwise_overlap(ranges))
    assert set(summary.by_pair["sex_pair"]) == {"F–F", "F–M", "M–M"}
    best = summary.females.set_index("individual")
    assert best.loc["F1", "best_male"] == "M2"
    assert best.loc["F1", "share_in_best_male"] == pytest.approx(0.6, rel=1e-3)
    ff = summary.by_pair.set_index("sex_pair").loc["F–F"]
    assert ff["n_pairs"] == 1
    assert ff["max_share"] == pytest.approx(0.9, rel=1e-3)


# --------------------------------------------------------------------------- properties

coord = st.floats(-20_000, 20_000, allow_nan=False)
size = st.floats(100, 15_000, allow_nan=False)


@st.composite
def boxes(draw):
    x, y, w, h = draw(coord), draw(coord), draw(size), draw(size)
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


@settings(max_examples=40, deadline=None)
@given(st.lists(boxes(), min_size=1, max_size=6), st.lists(boxes(), min_size=1, max_size=4))
def test_property_shares_between_zero_and_one(rboxes, lboxes):
    res = overlap_with(ranges_of(rboxes), gpd.GeoDataFrame(geometry=lboxes, crs=UTM))
    assert ((res["share"] >= 0) & (res["share"] <= 1)).all()
    assert len(res) == len(rboxes) * (len(lboxes) + 1)


@settings(max_examples=40, deadline=None)
@given(boxes(), st.floats(0.05, 0.95), st.floats(0.05, 0.95))
def test_property_partition_shares_sum_to_one(r, fx, fy):
    minx, miny, maxx, maxy = r.bounds
    cx, cy = minx + fx * (maxx - minx), miny + fy * (maxy - miny)
    big = 100_000
    quads = [
        box(minx - big, miny - big, cx, cy),
        box(cx, miny - big, maxx + big, cy),
        box(minx - big, cy, cx, maxy + big),
        box(cx, cy, maxx + big, maxy + big),
    ]
    res = overlap_with(ranges_of([r]), gpd.GeoDataFrame(geometry=quads, crs=UTM))
    assert res["share"].sum() == pytest.approx(1.0, abs=1e-9)
    assert res["share"].iloc[-1] == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(boxes(), boxes())
def test_property_pairwise_symmetric(a, b):
    ab = pairwise_overlap(ranges_of([a, b]))
    ba = pairwise_overlap(ranges_of([b, a]))
    assert len(ab) == len(ba)
    if len(ab):
        assert ab["area_km2"].iloc[0] == pytest.approx(ba["area_km2"].iloc[0], rel=1e-9)
        assert ab["share_a"].iloc[0] == pytest.approx(ba["share_b"].iloc[0], rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(boxes())
def test_property_self_overlap_is_whole_area(a):
    ranges = ranges_of([a])
    res = overlap_with(ranges, gpd.GeoDataFrame(geometry=[a], crs=UTM))
    ea = hcrs.area_m2(ranges).iloc[0]
    assert res["area_km2"].iloc[0] * 1e6 == pytest.approx(ea, rel=1e-9)
    assert res["share"].iloc[0] == pytest.approx(1.0, abs=1e-12)
    assert res["share"].iloc[1] == pytest.approx(0.0, abs=1e-12)


def test_no_warning_for_valid_input():
    ranges = ranges_of([sq(0, 0, 1_000)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        overlap_with(ranges, ranges)


def test_pairwise_equals_brute_force_all_pairs():
    rng = np.random.default_rng(3)
    xy = rng.uniform(-25_000, 25_000, size=(40, 2))
    geoms = [
        Point(X0 + x, Y0 + y).buffer(r)
        for (x, y), r in zip(xy, rng.uniform(3e3, 1e4, 40), strict=True)
    ]
    geoms[5] = Point(X0 + xy[4, 0], Y0 + xy[4, 1]).buffer(500)  # inside range 4: shortcut
    ranges = ranges_of(geoms)
    pairs = pairwise_overlap(ranges)
    ea = ranges.to_crs(hcrs.equal_area_crs(ranges)).geometry.to_numpy()
    expected = {}
    for a in range(len(ea)):
        for b in range(a + 1, len(ea)):
            if ea[a].intersects(ea[b]):
                expected[(a, b)] = shapely.intersection(ea[a], ea[b]).area / 1e6
    keys = zip(pairs["range_id_a"], pairs["range_id_b"], strict=True)
    got = dict(zip(keys, pairs["area_km2"], strict=True))
    assert got.keys() == expected.keys()
    for k, v in expected.items():
        assert got[k] == pytest.approx(v, rel=1e-9, abs=1e-12)


def test_exclusivity_single_neighbour_and_same_individual_ignored():
    a, b = sq(0, 0, 10_000), sq(6_000, 0, 10_000)  # B covers 40 % of A
    ranges = ranges_of([a, b], ["A", "B"], ["M", "M"])
    res = exclusivity(ranges).set_index("individual")
    assert res.loc["A", "exclusive_share"] == pytest.approx(0.6, rel=1e-4)
    assert res.loc["A", "shared_km2"] == pytest.approx(40.0, rel=2e-3)
    same = exclusivity(ranges_of([a, b], ["A", "A"], ["M", "M"]))
    assert (same["exclusive_share"] == 1.0).all()


# --------------------------------------------------------------------------- fast paths


def _star(cx: float, cy: float, r: float, n: int, rng: np.random.Generator) -> Polygon:
    """Non-convex star-shaped polygon around (X0 + cx, Y0 + cy), radii up to r metres."""
    ang = np.sort(rng.uniform(0, 2 * np.pi, n))
    rad = r * rng.uniform(0.3, 1.0, n)
    return Polygon(np.column_stack([X0 + cx + rad * np.cos(ang), Y0 + cy + rad * np.sin(ang)]))


def _circles(rng: np.random.Generator, n: int, spread: float = 35_000) -> list:
    """n circular ranges (64-gons, radius 2-9 km) with centres within +-spread metres."""
    centres = rng.uniform(-spread, spread, size=(n, 2))
    radii = rng.uniform(2e3, 9e3, n)
    return [Point(X0 + x, Y0 + y).buffer(r) for (x, y), r in zip(centres, radii, strict=True)]


def _awkward_layer(rng: np.random.Generator) -> list:
    """Non-convex polygons, one with a hole, a multipolygon, and boxes sharing edges."""
    holed = Polygon(
        [(X0 - 30_000, Y0 - 30_000), (X0, Y0 - 30_000), (X0, Y0), (X0 - 30_000, Y0)],
        holes=[[(X0 - 20_000, Y0 - 20_000), (X0 - 10_000, Y0 - 20_000),
                (X0 - 10_000, Y0 - 10_000), (X0 - 20_000, Y0 - 10_000)]],
    )  # fmt: skip
    multi = shapely.MultiPolygon(
        [_star(15_000, 15_000, 12_000, 40, rng), sq(25_000, -25_000, 8_000)]
    )
    return [
        holed,
        multi,
        _star(-15_000, 15_000, 15_000, 60, rng),
        sq(0, 0, 10_000),
        sq(10_000, 0, 10_000),  # shares an edge with the previous one
    ]


def test_crossing_areas_equal_geos_or_defer():
    from habitat.overlap.vector import _crossing_areas

    rng = np.random.default_rng(11)
    centres = rng.uniform(-35_000, 35_000, size=(50, 2))
    ranges = np.array(
        _circles(rng, 300)
        + [_star(x, y, 6_000, 30, rng) for x, y in centres]
        + [sq(2_000, 2_000, 4_000), sq(10_000, 5_000, 3_000)],  # corner/edge on other edges
        dtype=object,
    )
    layer = np.array(_awkward_layer(rng), dtype=object)
    i, j = shapely.STRtree(layer).query(ranges, predicate="intersects")
    area, ok, _ = _crossing_areas(ranges, layer, i, j)
    ref = shapely.area(shapely.intersection(ranges[i], layer[j]))
    # most pairs need no GEOS overlay (fewer here than in an equal-area CRS centred on
    # the data: UTM northings of 4.8e6 m make the rounding bound 40x larger)
    assert ok.mean() > 0.5
    assert not ok[-4:].all()  # degenerate boxes are left to GEOS
    np.testing.assert_allclose(area[ok], ref[ok], rtol=1e-9, atol=0)
    # the ranges against each other, as pairwise_overlap does
    a, b = shapely.STRtree(ranges).query(ranges, predicate="intersects")
    keep = a < b
    area, ok, _ = _crossing_areas(ranges, ranges, a[keep], b[keep])
    ref = shapely.area(shapely.intersection(ranges[a[keep]], ranges[b[keep]]))
    assert ok.mean() > 0.5
    np.testing.assert_allclose(area[ok], ref[ok], rtol=1e-9, atol=0)


def test_awkward_layer_equals_feature_by_feature_reference():
    rng = np.random.default_rng(5)
    ranges = ranges_of(_circles(rng, 80))
    layer = gpd.GeoDataFrame(geometry=_awkward_layer(rng), crs=UTM)
    res = overlap_with(ranges, layer, n_jobs=1)
    np.testing.assert_allclose(
        feature_shares(res).to_numpy(), direct_overlap(ranges, layer), rtol=1e-9, atol=1e-15
    )


def test_n_jobs_one_and_two_give_identical_results(monkeypatch):
    import habitat.overlap.vector as ov

    # small thresholds, so that 2 threads and several chunks are really used
    monkeypatch.setattr(ov, "_PARALLEL_MIN_PAIRS", 1)
    monkeypatch.setattr(ov, "_CHUNK_VERTICES", 2_000)
    rng = np.random.default_rng(2)
    ranges = ranges_of(_circles(rng, 200))
    layer = gpd.GeoDataFrame(geometry=_awkward_layer(rng), crs=UTM)
    one = overlap_with(ranges, layer, n_jobs=1)
    two = overlap_with(ranges, layer, n_jobs=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    pd.testing.assert_frame_equal(
        pairwise_overlap(ranges, n_jobs=1), pairwise_overlap(ranges, n_jobs=2), check_exact=True
    )
    auto = overlap_with(ranges, layer)  # n_jobs=None: CPU count, capped
    pd.testing.assert_frame_equal(one, auto, check_exact=True)


@pytest.mark.parametrize("n_jobs", [0, -1, 1.5, True, "2"])
def test_invalid_n_jobs_refused(n_jobs):
    from habitat.core.errors import InputError

    ranges = ranges_of([sq(0, 0, 1_000)])
    with pytest.raises(InputError, match="n_jobs"):
        overlap_with(ranges, ranges, n_jobs=n_jobs)
    with pytest.raises(InputError, match="n_jobs"):
        pairwise_overlap(ranges, n_jobs=n_jobs)


def _outside_reference(ranges: gpd.GeoDataFrame, layer: gpd.GeoDataFrame) -> np.ndarray:
    """1 - area(range ∩ union of the layer) / area(range), the union taken in the equal-area CRS."""
    bounds = zip(hcrs.lonlat_bounds(ranges), hcrs.lonlat_bounds(layer), strict=True)
    ea = hcrs.equal_area_crs(tuple(f(v) for f, v in zip((min, min, max, max), bounds, strict=True)))
    r = ranges.to_crs(ea).geometry.to_numpy()
    union = shapely.union_all(layer.to_crs(ea).geometry.to_numpy())
    return 1 - shapely.area(shapely.intersection(r, union)) / shapely.area(r)


@pytest.mark.parametrize(
    ("kind", "union_needed"),
    [("disjoint", False), ("nested", False), ("overlapping", True)],
)
def test_outside_share_fast_path_and_general_path(monkeypatch, kind, union_needed):
    rng = np.random.default_rng(4)
    ranges = ranges_of(_circles(rng, 60, spread=30_000))
    features = {
        # a partition with a gap: outside = range - sum of overlaps, no union
        "disjoint": [sq(-40_000, -40_000, 40_000), sq(0, -40_000, 40_000),
                     sq(-40_000, 5_000, 80_000)],
        # zones inside a country: each zone is covered by the country, no union either
        "nested": [sq(-40_000, -40_000, 70_000), sq(-20_000, -20_000, 15_000),
                   _star(10_000, 10_000, 12_000, 40, rng)],
        # partly overlapping features: the dissolved layer is needed
        "overlapping": [sq(-40_000, -40_000, 40_000), Point(X0, Y0).buffer(15_000),
                        sq(-10_000, -30_000, 40_000)],
    }[kind]  # fmt: skip
    layer = gpd.GeoDataFrame(geometry=features, crs=UTM)
    calls = []
    real = shapely.union_all

    def spy(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(shapely, "union_all", spy)
    res = overlap_with(ranges, layer)
    monkeypatch.undo()
    assert bool(calls) == union_needed
    outside = res[res["feature"] == OUTSIDE]["share"].to_numpy()
    np.testing.assert_allclose(outside, _outside_reference(ranges, layer), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        feature_shares(res).to_numpy(), direct_overlap(ranges, layer), rtol=1e-9, atol=1e-15
    )
    if kind == "disjoint":
        shares = res.groupby("range_id")["share"].sum().to_numpy()
        np.testing.assert_allclose(shares, 1.0, rtol=0, atol=1e-12)


def test_projected_layer_reused_but_a_mutated_layer_is_reprojected(monkeypatch):
    from habitat.core import crs as core_crs

    projected = []
    original = core_crs._transform_chunk
    monkeypatch.setattr(
        core_crs, "_transform_chunk", lambda g, *a: projected.append(len(g)) or original(g, *a)
    )
    hcrs.clear_projection_cache()
    rng = np.random.default_rng(11)
    ranges = ranges_of(_circles(rng, 30))
    layer = gpd.GeoDataFrame(
        {"zone": ["a", "b", "c"]},
        geometry=[sq(-30_000, -30_000, 30_000), sq(0, -30_000, 30_000), sq(-30_000, 0, 60_000)],
        crs=UTM,
    ).to_crs("EPSG:4326")  # ranges in UTM, layer in WGS 84: both are reprojected
    first = overlap_with(ranges, layer, by="zone", n_jobs=1)
    assert sorted(projected) == [3, 30]
    again = overlap_with(ranges, layer, by="zone", n_jobs=1)
    assert sorted(projected) == [3, 30, 30]  # the layer's projection was reused
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    dist = distance_to_layer(ranges, layer, by="zone")
    assert len(projected) == 4  # distances in UTM: the layer only, to another CRS

    # mutate the layer in place: zone "a" moves 10 km east
    moved = shapely.affinity.translate(layer.to_crs(UTM).geometry.iloc[0], 10_000)
    layer.loc[layer.index[0], "geometry"] = gpd.GeoSeries([moved], crs=UTM).to_crs(4326).iloc[0]
    after = overlap_with(ranges, layer, by="zone", n_jobs=1)
    assert sorted(projected[4:]) == [3, 30]  # the layer was projected anew
    hcrs.clear_projection_cache()
    fresh = overlap_with(ranges, layer.copy(), by="zone", n_jobs=1)
    pd.testing.assert_frame_equal(after, fresh, check_exact=True)
    assert not np.allclose(after["area_km2"], first["area_km2"])
    np.testing.assert_allclose(
        feature_shares(after).to_numpy(), direct_overlap(ranges, layer), rtol=1e-9, atol=1e-12
    )
    dist_after = distance_to_layer(ranges, layer, by="zone")
    assert not np.allclose(dist_after["distance_to_boundary_m"], dist["distance_to_boundary_m"])

"""Effective mesh size on vectors (Moser et al. 2007 CBC): analytic truths and invariants."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from habitat import datasets
from habitat.core import units as hunits
from habitat.core.errors import (
    ColumnError,
    ConfigError,
    DataQualityWarning,
    GeometryTypeError,
    InputError,
    MissingCRSError,
)
from habitat.landscape.mesh import (
    BARRIER_WIDTHS_M,
    MESH_COLUMNS,
    UNKNOWN_BARRIER_WIDTH_M,
    effective_mesh_size,
    habitat_pieces,
    mesh_change,
)

# an equal-area CRS that habitat itself would choose for these boxes: areas are exact
LAEA = "+proj=laea +lat_0=43.5 +lon_0=131 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
KM = 1_000.0


def unit(x0: float = 0, y0: float = 0, x1: float = 10 * KM, y1: float = 10 * KM) -> gpd.GeoSeries:
    return gpd.GeoSeries([shapely.box(x0, y0, x1, y1)], crs=LAEA)


def lines(coords: list[list[tuple[float, float]]], **columns: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=[shapely.LineString(c) for c in coords], crs=LAEA)


def middle_road(kind: str | None = "regional", **extra: list) -> gpd.GeoDataFrame:
    return lines([[(0, 5 * KM), (10 * KM, 5 * KM)]], kind=[kind], name=["A1"], **extra)


def points(xy: list[tuple[float, float]], **columns: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=shapely.points(xy), crs=LAEA)


def one(frame: gpd.GeoDataFrame, column: str) -> float:
    return float(frame[column].iloc[0])


# ---------------------------------------------------------------------------- analytic truths


def test_unit_without_barrier_is_one_piece_of_its_area() -> None:
    out = effective_mesh_size(unit())
    assert list(out.columns) == [*MESH_COLUMNS[1:], "geometry"]
    assert one(out, "area_km2") == pytest.approx(100.0, rel=1e-12)
    assert one(out, "effective_mesh_size_km2") == pytest.approx(100.0, rel=1e-12)
    assert one(out, "effective_mesh_size_sq_mi") == pytest.approx(38.6102, abs=5e-5)
    assert one(out, "effective_mesh_size_sq_mi") == pytest.approx(100.0 / 2.589988110336, rel=1e-12)
    assert one(out, "effective_mesh_size_cut_km2") == pytest.approx(100.0, rel=1e-12)
    assert int(out["n_pieces"].iloc[0]) == 1
    assert one(out, "barrier_area_km2") == 0.0
    assert out["note"].iloc[0] == ""


def test_road_through_the_middle_halves_the_unit() -> None:
    out = effective_mesh_size(unit(), barriers=middle_road("regional"))  # regional: 20 m
    assert BARRIER_WIDTHS_M["regional"] == 20.0
    assert int(out["n_pieces"].iloc[0]) == 2
    assert one(out, "effective_mesh_size_km2") == pytest.approx(2 * 49.9**2 / 100, rel=1e-9)
    assert one(out, "effective_mesh_size_cut_km2") == pytest.approx(2 * 49.9**2 / 100, rel=1e-9)
    assert one(out, "habitat_area_km2") == pytest.approx(99.8, rel=1e-9)
    assert one(out, "barrier_area_km2") == pytest.approx(0.2, rel=1e-9)


def test_width_column_wins_over_the_kind_default() -> None:
    road = middle_road("federal", width_m=[40.0])  # federal would be 30 m
    out = effective_mesh_size(unit(), barriers=road)
    assert one(out, "effective_mesh_size_km2") == pytest.approx(2 * 49.8**2 / 100, rel=1e-9)
    assert one(out, "barrier_area_km2") == pytest.approx(0.4, rel=1e-9)
    by_kind = effective_mesh_size(unit(), barriers=middle_road("federal"))
    assert one(by_kind, "barrier_area_km2") == pytest.approx(0.3, rel=1e-9)
    mapping = effective_mesh_size(unit(), barriers=middle_road("federal"), width_m={"Federal": 10})
    assert one(mapping, "barrier_area_km2") == pytest.approx(0.1, rel=1e-9)


def test_crossing_gap_reconnects_and_severs_the_whole_width() -> None:
    gap = points([(5 * KM, 5 * KM)], width_m=[10.0], name=["underpass 1"])
    out = effective_mesh_size(unit(), barriers=middle_road("regional"), crossings=gap)
    assert int(out["n_pieces"].iloc[0]) == 1
    # the gap removes the full 20 m width over exactly its 10 m: nothing of the buffer is left
    road_km2 = (10 * KM - 10.0) * 20.0 / 1e6
    assert one(out, "barrier_area_km2") == pytest.approx(road_km2, rel=1e-9)
    assert one(out, "habitat_area_km2") == pytest.approx(100 - road_km2, rel=1e-9)
    assert one(out, "effective_mesh_size_km2") == pytest.approx((100 - road_km2) ** 2 / 100, 1e-9)


@pytest.mark.parametrize(
    ("road_width", "crossing_width", "offset"),
    [(30.0, 5.0, 0.0), (20.0, 10.0, 30.0), (60.0, 2.0, 12.5)],
)
def test_narrow_or_offset_crossings_sever_bent_roads(
    road_width: float, crossing_width: float, offset: float
) -> None:
    # an L-shaped road cuts off the lower-left corner; the crossing sits on the bend's leg
    road = lines([[(0, 4 * KM), (6 * KM, 4 * KM), (6 * KM, 0)]], width_m=[road_width])
    before = effective_mesh_size(unit(), barriers=road)
    assert int(before["n_pieces"].iloc[0]) == 2
    gap = points([(3 * KM, 4 * KM + offset)], width_m=[crossing_width])  # snapped when offset
    out = effective_mesh_size(unit(), barriers=road, crossings=gap)
    assert int(out["n_pieces"].iloc[0]) == 1
    length = 10 * KM - crossing_width
    assert one(out, "barrier_area_km2") == pytest.approx(
        (length * road_width + (np.pi / 4 - 1) * (road_width / 2) ** 2) / 1e6, rel=1e-3
    )


def test_line_crossing_across_the_road_reconnects() -> None:
    bridge = lines([[(5 * KM, 4.9 * KM), (5 * KM, 5.1 * KM)]], kind=["overpass"])  # 50 m wide
    out = effective_mesh_size(unit(), barriers=middle_road("federal"), crossings=bridge)
    assert int(out["n_pieces"].iloc[0]) == 1
    assert one(out, "barrier_area_km2") == pytest.approx((10 * KM - 50.0) * 30 / 1e6, rel=1e-9)


def test_crossing_far_from_any_barrier_warns_and_cuts_nothing() -> None:
    gap = points([(5 * KM, 5.2 * KM)], width_m=[10.0], name=["lost culvert"])
    with pytest.warns(DataQualityWarning, match="lost culvert"):
        out = effective_mesh_size(unit(), barriers=middle_road(), crossings=gap)
    assert int(out["n_pieces"].iloc[0]) == 2


def test_crossing_on_a_tunnel_segment_is_open_without_a_warning() -> None:
    # the road dips into a tunnel between 4 and 6 km; a crossing marked on the tunnel is
    # already open (no barrier there to cut), so it must not be reported as misplaced
    road = lines(
        [[(0, 5 * KM), (4 * KM, 5 * KM)], [(4 * KM, 5 * KM), (6 * KM, 5 * KM)],
         [(6 * KM, 5 * KM), (10 * KM, 5 * KM)]],
        kind=["regional", "tunnel", "regional"],
    )  # fmt: skip
    on_tunnel = points([(5 * KM, 5 * KM)], width_m=[20.0], name=["tunnel crossing"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        out = effective_mesh_size(unit(), barriers=road, crossings=on_tunnel)
    assert int(out["n_pieces"].iloc[0]) == 1


def test_gap_opens_only_the_barriers_it_reaches() -> None:
    # a railway 30 m north of the road; a 10 m crossing on the road alone leaves the railway
    road_rail = lines(
        [[(0, 5 * KM), (10 * KM, 5 * KM)], [(0, 5.03 * KM), (10 * KM, 5.03 * KM)]],
        kind=["regional", "railway"],
    )
    assert int(effective_mesh_size(unit(), barriers=road_rail)["n_pieces"].iloc[0]) == 3
    gap = points([(5 * KM, 5 * KM)], width_m=[10.0])
    out = effective_mesh_size(unit(), barriers=road_rail, crossings=gap)
    assert int(out["n_pieces"].iloc[0]) == 2  # south joined to the strip; north still apart
    north = (10 * KM - 5037.5) * 10 * KM / 1e6
    assert one(out, "effective_mesh_size_km2") == pytest.approx(
        (north**2 + (one(out, "habitat_area_km2") - north) ** 2) / 100, rel=1e-9
    )


def test_cbc_counts_the_piece_beyond_the_unit_and_cut_does_not() -> None:
    habitat = gpd.GeoSeries([shapely.box(0, 0, 20 * KM, 10 * KM)], crs=LAEA)  # 200 km2
    out = effective_mesh_size(unit(), habitat=habitat)
    a_i, a_cmpl, a_unit = 100.0, 200.0, 100.0
    assert one(out, "effective_mesh_size_km2") == pytest.approx(a_i * a_cmpl / a_unit, 1e-12)
    assert one(out, "effective_mesh_size_cut_km2") == pytest.approx(a_i**2 / a_unit, 1e-12)


def test_cbc_is_additive_over_a_partition() -> None:
    # Moser et al. 2007: sum_u A_u * m_CBC(u) equals A_region * m(region)
    road = lines([[(0, 3 * KM), (20 * KM, 7 * KM)], [(12 * KM, 0), (12 * KM, 10 * KM)]])
    road["width_m"] = [25.0, 10.0]
    halves = gpd.GeoSeries(
        [shapely.box(0, 0, 7 * KM, 10 * KM), shapely.box(7 * KM, 0, 20 * KM, 10 * KM)], crs=LAEA
    )
    region = gpd.GeoSeries([shapely.box(0, 0, 20 * KM, 10 * KM)], crs=LAEA)
    parts = effective_mesh_size(halves, barriers=road)
    whole = effective_mesh_size(region, barriers=road)
    weighted = (parts["area_km2"] * parts["effective_mesh_size_km2"]).sum() / 200.0
    assert weighted == pytest.approx(one(whole, "effective_mesh_size_km2"), rel=1e-9)
    # CUT is not additive: the boundary between the halves cuts pieces
    cut = (parts["area_km2"] * parts["effective_mesh_size_cut_km2"]).sum() / 200.0
    assert cut < one(whole, "effective_mesh_size_km2") * (1 - 1e-3)


def test_settlement_polygon_removed_points_ignored_with_a_note() -> None:
    town = gpd.GeoSeries([shapely.box(4 * KM, 4 * KM, 6 * KM, 6 * KM)], crs=LAEA)
    out = effective_mesh_size(unit(), settlements=town)
    assert one(out, "habitat_area_km2") == pytest.approx(96.0, rel=1e-12)
    assert one(out, "effective_mesh_size_km2") == pytest.approx(96.0**2 / 100, rel=1e-12)
    assert one(out, "barrier_area_km2") == pytest.approx(4.0, rel=1e-12)
    village = points([(5 * KM, 5 * KM)], name=["Barabash"])
    with pytest.warns(DataQualityWarning, match="Barabash"):
        out = effective_mesh_size(unit(), settlements=village)
    assert one(out, "effective_mesh_size_km2") == pytest.approx(100.0, rel=1e-12)
    assert "settlement point" in out["note"].iloc[0]


def test_barrier_polygon_removed_as_it_is() -> None:
    lake = gpd.GeoDataFrame(
        {"kind": ["reservoir"]}, geometry=[shapely.box(0, 4 * KM, 10 * KM, 6 * KM)], crs=LAEA
    )
    out = effective_mesh_size(unit(), barriers=lake)
    assert int(out["n_pieces"].iloc[0]) == 2
    assert one(out, "effective_mesh_size_km2") == pytest.approx(2 * 40.0**2 / 100, rel=1e-12)


@pytest.mark.parametrize("kind", ["tunnel", "bridge", "Tunnel"])
def test_passable_kinds_are_not_barriers(kind: str) -> None:
    out = effective_mesh_size(unit(), barriers=middle_road(kind))
    assert one(out, "effective_mesh_size_km2") == pytest.approx(100.0, rel=1e-12)


def test_rivers_count_only_when_chosen() -> None:
    river = middle_road("river")
    assert one(effective_mesh_size(unit(), barriers=river), "effective_mesh_size_km2") == 100.0
    chosen = effective_mesh_size(unit(), barriers=river, barrier_kinds=["river"])
    half = (100 - 10 * KM * BARRIER_WIDTHS_M["river"] / 1e6) / 2
    assert one(chosen, "effective_mesh_size_km2") == pytest.approx(2 * half**2 / 100, rel=1e-9)
    with pytest.warns(DataQualityWarning, match="roads"):
        effective_mesh_size(unit(), barriers=river, barrier_kinds=["roads"])


def test_unknown_kind_gets_the_default_width_with_a_warning_and_a_note() -> None:
    road = middle_road("forest_track")
    road["layer"] = ["Logging roads"]
    with pytest.warns(DataQualityWarning, match=r"Logging roads \(kind 'forest_track'\)"):
        out = effective_mesh_size(unit(), barriers=road)
    w = UNKNOWN_BARRIER_WIDTH_M
    assert one(out, "barrier_area_km2") == pytest.approx(10 * KM * w / 1e6, rel=1e-9)
    assert "default width" in out["note"].iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one width for all: the analyst's choice, no warning
        effective_mesh_size(unit(), barriers=road, width_m=12.0)


# ---------------------------------------------------------------------------- what-if


def test_mesh_change_is_the_exact_difference() -> None:
    road = middle_road("federal")
    change = mesh_change(unit(), add_barriers=road)
    before = effective_mesh_size(unit())
    after = effective_mesh_size(unit(), barriers=road)
    b, a = one(before, "effective_mesh_size_km2"), one(after, "effective_mesh_size_km2")
    assert one(change, "effective_mesh_size_km2_before") == b
    assert one(change, "effective_mesh_size_km2_after") == a
    assert one(change, "change_km2") == a - b
    assert one(change, "change_pct") == pytest.approx(100 * (a - b) / b, rel=1e-12)
    assert one(change, "change_sq_mi") == pytest.approx(hunits.km2_to_sq_mi(a - b), rel=1e-12)
    back = mesh_change(unit(), barriers=road, remove_barriers="A1")
    assert one(back, "change_km2") == pytest.approx(b - a, rel=1e-12)
    gap = points([(5 * KM, 5 * KM)], width_m=[10.0])
    crossing = mesh_change(unit(), barriers=road, add_crossings=gap)
    assert one(crossing, "change_km2") > 40.0
    with pytest.raises(ConfigError, match="A2"):
        mesh_change(unit(), barriers=road, remove_barriers=["A2"])


# ---------------------------------------------------------------------------- CRS, index, input


def test_units_in_degrees_measure_like_utm() -> None:
    utm = gpd.GeoDataFrame(
        {"name": ["R1", "R2"]},
        geometry=shapely.segmentize(
            [shapely.box(600e3, 4750e3, 612e3, 4760e3), shapely.box(615e3, 4745e3, 620e3, 4762e3)],
            100.0,
        ),
        crs="EPSG:32652",
        index=["b", "a"],
    )
    road = gpd.GeoSeries(
        [shapely.LineString([(590e3, 4755e3), (630e3, 4752e3)])], crs="EPSG:32652"
    ).segmentize(100.0)
    in_utm = effective_mesh_size(utm, barriers=road, width_m=20.0, unit_id="name")
    in_deg = effective_mesh_size(utm.to_crs(4326), barriers=road.to_crs(4326), width_m=20.0)
    assert list(in_utm.index) == ["b", "a"] and list(in_utm["unit_id"]) == ["R1", "R2"]
    in_merc = effective_mesh_size(utm.to_crs(3857), barriers=road, width_m=20.0)  # any CRS
    for col in ("area_km2", "habitat_area_km2", "effective_mesh_size_km2", "barrier_area_km2"):
        np.testing.assert_allclose(in_deg[col], in_utm[col], rtol=1e-6)
        np.testing.assert_allclose(in_merc[col], in_utm[col], rtol=1e-6)
    assert in_utm.crs.to_epsg() == 32652  # the units as given
    # an independent oracle: the geodesic area on the WGS 84 ellipsoid (not UTM's planar 120)
    geod = pyproj.Geod(ellps="WGS84")
    true_km2 = [abs(geod.geometry_area_perimeter(g)[0]) / 1e6 for g in utm.to_crs(4326).geometry]
    np.testing.assert_allclose(in_utm["area_km2"], true_km2, rtol=1e-5)
    assert abs(one(in_utm, "area_km2") - 120.0) > 0.05


def test_bad_input_is_named() -> None:
    with pytest.raises(ColumnError, match="park"):
        effective_mesh_size(unit(), unit_id="park")
    with pytest.raises(GeometryTypeError):
        effective_mesh_size(gpd.GeoSeries([shapely.Point(0, 0)], crs=LAEA))
    with pytest.raises(MissingCRSError):
        effective_mesh_size(gpd.GeoSeries([shapely.box(0, 0, 1, 1)]))
    with pytest.raises(ConfigError, match="width_m"):
        effective_mesh_size(unit(), barriers=middle_road(), width_m=-5)
    with pytest.raises(InputError, match="width_m"):
        effective_mesh_size(unit(), barriers=middle_road(width_m=[-1.0]))
    with pytest.raises(InputError, match="StudyArea"):
        effective_mesh_size(unit(), study_area="primorsky")  # type: ignore[arg-type]
    with pytest.raises(GeometryTypeError):
        effective_mesh_size(unit(), crossings=unit())
    with pytest.raises(GeometryTypeError, match="empty"):
        effective_mesh_size(gpd.GeoSeries([shapely.box(0, 0, 1, 1), shapely.Polygon()], crs=LAEA))


def test_crossing_at_a_junction_opens_every_barrier_it_reaches() -> None:
    cross = lines([[(0, 5 * KM), (10 * KM, 5 * KM)], [(5 * KM, 0), (5 * KM, 10 * KM)]])
    cross["kind"] = ["local", "railway"]
    assert int(effective_mesh_size(unit(), barriers=cross)["n_pieces"].iloc[0]) == 4
    gap = points([(5 * KM, 5 * KM)], kind=["overpass"])  # 50 m
    out = effective_mesh_size(unit(), barriers=cross, crossings=gap)
    assert int(out["n_pieces"].iloc[0]) == 1


def test_unit_without_habitat_is_flagged() -> None:
    habitat = gpd.GeoSeries([shapely.box(50 * KM, 0, 60 * KM, 10 * KM)], crs=LAEA)
    out = effective_mesh_size(unit(), habitat=habitat)
    assert one(out, "effective_mesh_size_km2") == 0.0
    assert "no habitat" in out["note"].iloc[0]


def test_habitat_pieces_sum_to_the_free_habitat() -> None:
    pieces = habitat_pieces(unit(), barriers=lines([[(0, 4 * KM), (10 * KM, 4 * KM)]]), width_m=20)
    assert list(pieces["piece_id"]) == [0, 1]
    np.testing.assert_allclose(pieces["area_km2"], [59.9, 39.9], rtol=1e-9)
    np.testing.assert_allclose(pieces["area_in_units_km2"], [59.9, 39.9], rtol=1e-9)


# ---------------------------------------------------------------------------- the bundled park


def test_bundled_park_with_and_without_the_narvinsky_tunnel() -> None:
    area = datasets.primorsky()
    parks = area.features("protected_areas")
    park = parks[parks["layer"] == "Land of the Leopard NP"]
    tunnel = area.features("barriers").query("kind == 'tunnel'").assign(kind="regional")
    with pytest.warns(DataQualityWarning, match="settlements"):  # bundled settlements: points
        with_tunnel = effective_mesh_size(park, study_area=area)
        closed = mesh_change(
            park, study_area=area, add_barriers=tunnel, remove_crossings="Narvinsky tunnel"
        )
    m = one(with_tunnel, "effective_mesh_size_km2")
    assert one(closed, "effective_mesh_size_km2_before") == m
    # closing the tunnel (an open road over it) separates habitat: mesh size drops
    assert one(closed, "effective_mesh_size_km2_after") < m - 100.0
    assert one(with_tunnel, "area_km2") == pytest.approx(2620.0, rel=1e-3)
    assert one(with_tunnel, "effective_mesh_size_km2") > one(
        with_tunnel, "effective_mesh_size_cut_km2"
    )


def test_each_unit_measures_the_same_alone_or_with_others() -> None:
    area = datasets.primorsky()
    parks = area.features("protected_areas")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # bundled settlements are points
        together = effective_mesh_size(parks, study_area=area)
        for i in (1, 3, 6):  # the park, its core zone, Kedrovaya Pad (other CRS centres)
            alone = effective_mesh_size(parks.iloc[[i]], study_area=area)
            assert one(alone, "effective_mesh_size_km2") == pytest.approx(
                together["effective_mesh_size_km2"].iloc[i], rel=1e-6
            )


def test_adding_a_passable_barrier_is_refused() -> None:
    tunnel = middle_road("tunnel")
    with pytest.raises(ConfigError, match="tunnel"):
        mesh_change(unit(), add_barriers=tunnel)


def test_far_layers_do_not_stretch_the_habitat() -> None:
    far = lines([[(3000 * KM, 0), (3010 * KM, 0)]], kind=["federal"])
    out = effective_mesh_size(unit(), barriers=far)
    assert one(out, "effective_mesh_size_km2") == pytest.approx(100.0, rel=1e-12)


def test_default_habitat_extends_to_the_mapped_box() -> None:
    # a road mapped from (-10, 0) to (20, 5) km: its box reaches 10 km beyond the unit
    road = lines([[(-10 * KM, 0), (20 * KM, 5 * KM)]], width_m=[0.0])  # no area, only extent
    with pytest.warns(DataQualityWarning, match="width_m 0"):
        out = effective_mesh_size(unit(), barriers=road)
    # the mapped box: x -10..20 km, y 0..5 km (150 km2) plus the unit above it (50 km2)
    assert one(out, "effective_mesh_size_km2") == pytest.approx(100 * 200 / 100, rel=1e-9)

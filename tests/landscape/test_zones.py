"""habitat.landscape.zones: windows and cell-centre masks of zones laid over a raster."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely

from habitat.core.errors import DataQualityWarning, GeometryTypeError, InputError, MissingCRSError
from habitat.io.raster import Grid, Raster, cells_in_shapes, write_geotiff
from habitat.landscape.sources import open_raster_source
from habitat.landscape.zones import Zone, zone_mask, zone_readers

UTM = "EPSG:32652"
LEFT, TOP = 600_000.0, 4_800_000.0
T100 = (100.0, 0.0, LEFT, 0.0, -100.0, TOP)


def _source(shape=(600, 500), nodata=None, seed=0):
    rng = np.random.default_rng(seed)
    arr = rng.integers(1, 5, shape).astype("uint8")
    return open_raster_source(arr, transform=T100, crs=UTM, nodata=nodata), arr


def _zone_cells(zone: Zone) -> set[tuple[int, int]]:
    """(row, col) of the raster of every valid cell the zone's reader returns."""
    r0, c0, n_rows, _ = zone.window
    _, valid = zone.read(0, n_rows)
    rr, cc = np.nonzero(valid)
    return set(zip((rr + r0).tolist(), (cc + c0).tolist(), strict=True))


def _polygons(lattice=True):
    """Shapes of every kind, some with edges through cell centres or along cell edges."""
    rng = np.random.default_rng(7)
    shapes = [
        shapely.Point(615_000, 4_785_000).buffer(4_321.0),  # a disc
        shapely.box(620_050, 4_770_050, 630_050, 4_780_050),  # edges through centres
        shapely.box(603_000, 4_790_000, 604_000, 4_791_000),  # edges on cell edges
        shapely.Polygon([(605_000, 4_770_000), (612_345, 4_778_901), (601_234, 4_775_555)]),
        shapely.Point(640_000, 4_770_000)
        .buffer(6_000)
        .difference(shapely.Point(640_000, 4_770_000).buffer(2_500)),  # a ring (hole)
        shapely.MultiPolygon(
            [
                shapely.box(601_010, 4_761_010, 603_990, 4_763_990),
                shapely.Point(610_000, 4_762_000).buffer(1_500),
            ]
        ),
    ]
    # random star polygons (concave), vertices on a 10 m lattice: many centres meet edges
    for k in range(6):
        cx, cy = 610_000 + 6_000 * k, 4_746_000 + 1_500 * k
        angles = np.sort(rng.uniform(0, 2 * np.pi, 12))
        radii = rng.uniform(800, 4_000, 12)
        xs, ys = cx + radii * np.cos(angles), cy + radii * np.sin(angles)
        if lattice:
            xs, ys = np.round(xs / 10) * 10, np.round(ys / 10) * 10
        shapes.append(shapely.Polygon(np.c_[xs, ys]))
    return gpd.GeoSeries(shapes, index=[f"z{k}" for k in range(len(shapes))], crs=UTM)


def test_zone_cells_are_exactly_those_of_cells_in_shapes():
    src, _ = _source()
    zones = _polygons()
    assert zones.is_valid.all()
    owner, rows, cols = cells_in_shapes(zones, src.grid)
    got = list(zone_readers(src, zones))
    assert [z.id for z in got] == list(zones.index)
    for k, zone in enumerate(got):
        expected = set(zip(rows[owner == k].tolist(), cols[owner == k].tolist(), strict=True))
        assert _zone_cells(zone) == expected, zone.id
        assert zone.n_zone_cells == zone.n_cells_in_raster == len(expected), zone.id
        assert not zone.outside and zone.note == ""
        # the window is the bounding box of the zone's cells
        r0, c0, n_rows, n_cols = zone.window
        rr = [r for r, _ in expected]
        cc = [c for _, c in expected]
        assert (r0, c0, n_rows, n_cols) == (
            min(rr),
            min(cc),
            max(rr) - min(rr) + 1,
            max(cc) - min(cc) + 1,
        )


def test_edges_through_cell_centres_leave_those_cells_out():
    """The strict cell-centre rule: a centre on the zone's boundary is outside."""
    src, _ = _source((10, 10))
    box = gpd.GeoSeries([shapely.box(LEFT + 150, TOP - 850, LEFT + 650, TOP - 250)], crs=UTM)
    zone = next(zone_readers(src, box))
    # centres at 50, 150, ... m: x in (150, 650) -> cols 2..5, y in (250, 850) -> rows 3..7
    assert zone.window == (3, 2, 5, 4) and zone.n_zone_cells == 20
    assert zone.read(0, 5)[1].all()


def test_a_10_km_square_on_100_m_cells_has_10000_cells():
    src, _ = _source()
    square = gpd.GeoSeries([shapely.box(610_000, 4_770_000, 620_000, 4_780_000)], crs=UTM)
    zone = next(zone_readers(src, square))
    assert zone.n_zone_cells == 10_000 and zone.window == (200, 100, 100, 100)
    values, valid = zone.read(0, 100)
    assert int(valid.sum()) == 10_000 and values.shape == (100, 100)
    # the same square in degrees: the same cells
    lonlat = next(zone_readers(src, square.to_crs(4326)))
    assert lonlat.n_zone_cells == 10_000 and lonlat.window == zone.window
    assert _zone_cells(lonlat) == _zone_cells(zone)


def test_zones_in_another_crs_give_the_cells_of_the_raster_crs():
    src, _ = _source()
    # no centre exactly on an edge (z1, stars on a 10 m lattice): a round trip through
    # degrees moves vertices by ~1e-9 m, which may flip such a centre
    zones = _polygons(lattice=False).drop(index="z1")
    in_utm = [_zone_cells(z) for z in zone_readers(src, zones)]
    in_degrees = [_zone_cells(z) for z in zone_readers(src, zones.to_crs(4326))]
    assert in_degrees == in_utm


def test_strips_of_a_zone_reader_equal_one_read_and_pad_beyond_the_window():
    src, arr = _source(nodata=3)
    zone = next(zone_readers(src, _polygons().iloc[[0]]))
    r0, c0, n_rows, n_cols = zone.window
    values, valid = zone.read(0, n_rows)
    parts = [zone.read(s, min(s + 7, n_rows)) for s in range(0, n_rows, 7)]
    np.testing.assert_array_equal(np.vstack([p[0] for p in parts]), values)
    np.testing.assert_array_equal(np.vstack([p[1] for p in parts]), valid)
    np.testing.assert_array_equal(values[valid], arr[r0 : r0 + n_rows, c0 : c0 + n_cols][valid])
    assert not (values[valid] == 3).any()  # nodata cells are not valid
    padded_values, padded = zone.read(-2, n_rows + 3)
    assert padded.shape == (n_rows + 5, n_cols)
    assert not padded[:2].any() and not padded[-3:].any()
    np.testing.assert_array_equal(padded[2:-3], valid)
    np.testing.assert_array_equal(padded_values[2:-3][valid], values[valid])


def test_a_zone_half_outside_the_raster():
    src, arr = _source((100, 100))  # 10 km x 10 km
    # 6 km x 4 km, its west half beyond the raster's west edge
    half = gpd.GeoSeries(
        [shapely.box(LEFT - 3_000, TOP - 6_000, LEFT + 3_000, TOP - 2_000)], index=["H"], crs=UTM
    )
    with pytest.warns(DataQualityWarning, match=r"zone 'H' reaches beyond the raster: 1,200 of"):
        zone = next(zone_readers(src, half))
    assert zone.n_zone_cells == 60 * 40 and zone.n_cells_in_raster == 30 * 40
    assert not zone.outside and "50.0% of the zone's cells lie beyond the raster" in zone.note
    assert zone.window == (20, 0, 40, 30)
    values, valid = zone.read(0, 40)
    assert valid.all()
    np.testing.assert_array_equal(values, arr[20:60, 0:30])


def test_zones_outside_or_smaller_than_a_cell_are_flagged_not_dropped():
    src, _ = _source((100, 100))
    zones = gpd.GeoDataFrame(
        {"name": ["far", "speck", "sliver", "ok"]},
        geometry=[
            shapely.box(LEFT + 50_000, TOP - 5_000, LEFT + 60_000, TOP),  # east of the raster
            shapely.box(LEFT + 1_010, TOP - 1_040, LEFT + 1_040, TOP - 1_010),  # 30 m x 30 m
            shapely.box(LEFT + 1_000, TOP - 5_000, LEFT + 1_040, TOP),  # 40 m wide, on no centre
            shapely.box(LEFT, TOP - 1_000, LEFT + 1_000, TOP),
        ],
        crs=UTM,
    )
    with pytest.warns(DataQualityWarning) as caught:
        got = {z.id: z for z in zone_readers(src, zones, zone_id="name")}
    messages = " | ".join(str(w.message) for w in caught)
    assert "zone 'far' lies outside the raster" in messages
    assert "zone 'speck'" in messages and "smaller or thinner than a cell" in messages
    far, speck, sliver, ok = got["far"], got["speck"], got["sliver"], got["ok"]
    assert far.outside and not far.too_small and far.n_zone_cells == 50 * 100
    assert far.n_cells_in_raster == 0 and far.window[2:] == (0, 0)
    for tiny in (speck, sliver):
        assert tiny.outside and tiny.too_small and tiny.n_zone_cells == 0
        assert "smaller or thinner than a cell" in tiny.note
    values, valid = far.read(0, 5)
    assert values.shape == valid.shape == (5, 0)
    assert not ok.outside and ok.n_zone_cells == 100 and ok.note == ""


def test_zone_ids_and_bad_zones():
    src, _ = _source((100, 100))
    square = shapely.box(LEFT, TOP - 1_000, LEFT + 1_000, TOP)
    zones = gpd.GeoDataFrame({"park": ["A", "A"]}, geometry=[square, square], crs=UTM)
    assert [z.id for z in zone_readers(src, zones)] == [0, 1]
    with pytest.raises(InputError, match=r"not unique \(\['A'\]"):
        list(zone_readers(src, zones, zone_id="park"))
    with pytest.raises(InputError, match="'zone' is not a column"):
        list(zone_readers(src, zones, zone_id="zone"))
    with pytest.raises(InputError, match="have no id"):
        list(zone_readers(src, zones.assign(park=["A", None]), zone_id="park"))
    with pytest.raises(MissingCRSError):
        list(zone_readers(src, zones.set_crs(None, allow_override=True)))
    with pytest.raises(GeometryTypeError):
        list(zone_readers(src, gpd.GeoSeries([shapely.Point(LEFT, TOP)], crs=UTM)))


def test_invalid_zones_are_repaired_with_a_warning_naming_them():
    src, _ = _source((100, 100))
    bow_tie = shapely.Polygon(
        [(LEFT, TOP - 4_000), (LEFT + 4_000, TOP), (LEFT + 4_000, TOP - 4_000), (LEFT, TOP)]
    )
    zones = gpd.GeoSeries([bow_tie], index=["Leo 3M"], crs=UTM)
    with pytest.warns(DataQualityWarning, match="zones: 1 invalid polygon.*row Leo 3M"):
        zone = next(zone_readers(src, zones))
    assert "repaired" in zone.note
    # the two triangles: the cells of make_valid's repair
    owner, _, _ = cells_in_shapes(gpd.GeoSeries([shapely.make_valid(bow_tie)], crs=UTM), src.grid)
    assert zone.n_zone_cells == len(owner) > 0


def test_file_zones_read_only_their_window(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    arr = rng.integers(1, 4, (1_000, 1_200)).astype("uint8")
    path = write_geotiff(Raster(arr, T100, UTM), tmp_path / "big.tif")
    zones = gpd.GeoSeries([shapely.Point(650_000, 4_750_000).buffer(2_000)], crs=UTM)
    with open_raster_source(path) as src:
        real = src._dataset.read
        windows = []

        def spy(*args, **kwargs):
            windows.append(kwargs["window"])
            return real(*args, **kwargs)

        monkeypatch.setattr(src._dataset, "read", spy)
        zone = next(zone_readers(src, zones))
        values, valid = zone.read(0, zone.window[2])
    assert zone.window == (480, 480, 40, 40)
    assert [(w.row_off, w.col_off, w.height, w.width) for w in windows] == [(480, 480, 40, 40)]
    np.testing.assert_array_equal(values[valid], arr[480:520, 480:520][valid])
    assert abs(int(valid.sum()) - np.pi * 20**2) < 20


def test_zone_mask_reaches_beyond_the_grid():
    grid = Grid((4, 4), (1.0, 0.0, 0.0, 0.0, -1.0, 4.0), open_raster_source(
        np.ones((1, 1), "uint8"), transform=T100, crs=UTM).crs)  # fmt: skip
    square = shapely.box(-2, -2, 2, 2)  # 4 x 4 cells around the grid's south-west corner
    mask = zone_mask(square, grid, 2, 6, -2, 2)
    assert mask.all() and mask.shape == (4, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not zone_mask(shapely.Polygon(), grid, 0, 4, 0, 4).any()


def test_a_zone_far_larger_than_the_raster_estimates_its_outer_cells(monkeypatch):
    """Beyond habitat's window limit, cells beyond the raster come from the zone's area."""
    import habitat.landscape.zones as zones_module

    src, _ = _source((100, 100))
    disc = gpd.GeoSeries([shapely.Point(LEFT + 5_000, TOP - 5_000).buffer(20_000)], crs=UTM)
    with pytest.warns(DataQualityWarning, match="reaches beyond the raster"):
        exact = next(zone_readers(src, disc))
    monkeypatch.setattr(zones_module, "_COUNT_LIMIT", 1_000)
    with pytest.warns(DataQualityWarning, match="estimated"):
        rough = next(zone_readers(src, disc))
    assert exact.n_cells_in_raster == rough.n_cells_in_raster == 10_000
    assert _zone_cells(exact) == _zone_cells(rough)
    assert "estimated from its area" in rough.note and "estimated" not in exact.note
    # pi r² / cell² cells either way, to within the outline's cells
    assert abs(rough.n_zone_cells - exact.n_zone_cells) < 2 * np.pi * 200
    assert abs(exact.n_zone_cells - np.pi * 200**2) < 2 * np.pi * 200


@pytest.mark.parametrize("strip_cells", [4_000_000, 3_000])
def test_random_polygons_on_the_half_cell_lattice_match_cells_in_shapes(monkeypatch, strip_cells):
    """Vertices on a 5 m lattice over 10 m cells put many centres exactly on edges.

    Whatever the strips the mask is computed in, the cells are those of the
    independent per-shape cell-centre test of cells_in_shapes.
    """
    import habitat.landscape.zones as zones_module

    monkeypatch.setattr(zones_module, "_STRIP_CELLS", strip_cells)
    src = open_raster_source(
        np.ones((120, 130), np.uint8), transform=(10.0, 0, 0, 0, -10.0, 1200.0), crs=UTM
    )
    rng = np.random.default_rng(5)
    shapes = []
    for _ in range(40):
        pts = rng.integers(0, 260, (rng.integers(3, 12), 2)) * 5.0
        parts = [
            p
            for p in shapely.get_parts(shapely.make_valid(shapely.Polygon(pts)))
            if p.geom_type == "Polygon" and p.area > 0
        ]
        if parts:
            shapes.append(shapely.MultiPolygon(parts))
    zones = gpd.GeoSeries(shapes, crs=UTM)
    owner, rows, cols = cells_in_shapes(zones, src.grid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # zones reaching beyond
        got = list(zone_readers(src, zones))
    for k, zone in enumerate(got):
        expected = set(zip(rows[owner == k].tolist(), cols[owner == k].tolist(), strict=True))
        assert (_zone_cells(zone) if not zone.outside else set()) == expected, k

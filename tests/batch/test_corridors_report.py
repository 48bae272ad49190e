"""The corridors of a report (habitat.batch.corridors): ranges as cores, current, connectivity."""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat.batch.corridors import (
    disjoint_ranges,
    links_by_individual,
    report_corridors,
    species_tables,
)
from habitat.core.errors import DataQualityWarning, InputError
from habitat.datasets import species_profile
from habitat.io.raster import Raster
from habitat.io.species import SpeciesProfile
from habitat.io.study_area import StudyArea

CRS = 32652
CELL = 100.0


def _area(shape=(25, 40), classes=None) -> StudyArea:
    land = Raster(
        np.ones(shape, dtype="uint8"),
        (CELL, 0.0, 0.0, 0.0, -CELL, shape[0] * CELL),
        CRS,
        classes=classes or {1: "forest"},
    )
    return StudyArea(land_cover=land, name="synthetic")


def _ranges(*boxes, ids=None) -> gpd.GeoDataFrame:
    ids = ids or [f"Leo {k}" for k in range(len(boxes))]
    geoms = [shapely.box(*b) for b in boxes]
    return gpd.GeoDataFrame(
        {"individual": ids, "area_km2": [g.area / 1e6 for g in geoms]}, geometry=geoms, crs=CRS
    )


def _run(ranges, area=None, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return report_corridors(
            ranges, area or _area(), margin_m=kw.pop("margin_m", 5000.0), cell_size_m=None, **kw
        )


# ------------------------------------------------------------------ disjoint ranges


def test_disjoint_ranges_split_overlaps_by_nearest_centroid():
    r = _ranges((0, 0, 10_000, 10_000), (6_000, 2_000, 16_000, 12_000), (30_000, 0, 31_000, 1_000))
    d = disjoint_ranges(r)
    g = list(d.geometry)
    # pairwise disjoint, union unchanged, the lone range untouched
    assert g[0].intersection(g[1]).area == pytest.approx(0.0, abs=1e-6)
    assert shapely.union_all(g).symmetric_difference(shapely.union_all(r.geometry)).area < 1e-3
    assert g[2].equals(r.geometry.iloc[2])
    # every point of the overlap belongs to the range whose centroid is nearer
    rng = np.random.default_rng(3)
    pts = shapely.points(rng.uniform(6_000, 10_000, 400), rng.uniform(2_000, 10_000, 400))
    c0, c1 = r.geometry.iloc[0].centroid, r.geometry.iloc[1].centroid
    nearer0 = shapely.distance(pts, c0) < shapely.distance(pts, c1)
    clear = np.abs(shapely.distance(pts, c0) - shapely.distance(pts, c1)) > 1.0
    assert np.array_equal(shapely.contains(g[0], pts)[clear], nearer0[clear])
    assert np.array_equal(shapely.contains(g[1], pts)[clear], ~nearer0[clear])


def test_disjoint_ranges_nested_and_same_centroid():
    # a range inside another with the same centroid: the earlier row keeps the overlap
    r = _ranges((0, 0, 10_000, 10_000), (4_000, 4_000, 6_000, 6_000))
    g = list(disjoint_ranges(r).geometry)
    assert g[0].area == pytest.approx(1e8) and g[1].is_empty


# ------------------------------------------------------------------ tables


def test_species_tables_only_for_known_classes():
    assert species_tables(_area().land_cover, None) is not None
    assert species_tables(_area(classes={1: "tundra"}).land_cover, None) is None


def test_species_tables_come_from_the_profile_not_its_name():
    """The profile names its example tables; a profile's name chooses nothing."""
    land = _area().land_cover
    leopard = species_profile("amur_leopard")
    assert leopard.resistance_tables == "leopard"
    table, barriers = species_tables(land, leopard)
    assert table["resistance"].to_dict()[1] == 1.0 and len(barriers)
    # another species using the example tables gets them; one naming none gets none
    cat = SpeciesProfile(name="snow_cat", resistance_tables="leopard")
    assert species_tables(land, cat)[0].equals(table)
    assert species_tables(land, SpeciesProfile(name="amur_leopard_own_tables")) is None
    with pytest.raises(InputError, match=r"'lynx' names no example tables.*\['leopard'\]"):
        species_tables(land, SpeciesProfile(name="lynx_cat", resistance_tables="lynx"))


def test_profile_files_name_their_resistance_tables():
    profile = SpeciesProfile.from_mapping({"name": "fisher", "resistance_tables": "leopard"})
    assert profile.resistance_tables == "leopard"
    assert SpeciesProfile.from_mapping({"name": "fisher"}).resistance_tables is None
    with pytest.raises(Exception, match="resistance_tables: expected text"):
        SpeciesProfile.from_mapping({"name": "fisher", "resistance_tables": 3})


# ------------------------------------------------------------------ links


def _grid_resistance_distance(shape, labels_a, labels_b) -> float:
    """Circuitscape's graph (conductance 1 orthogonal, 1/sqrt(2) diagonal on a uniform
    surface), the two cores each shorted into one node, solved by networkx."""
    n_rows, n_cols = shape
    g = nx.Graph()
    node = np.arange(n_rows * n_cols).reshape(shape).astype(object)
    node[labels_a] = "A"
    node[labels_b] = "B"
    for dr, dc, w in (
        (0, 1, 1.0),
        (1, 0, 1.0),
        (1, 1, 1 / math.sqrt(2)),
        (1, -1, 1 / math.sqrt(2)),
    ):
        for r in range(n_rows - dr):
            for c in range(max(0, -dc), n_cols - max(0, dc)):
                u, v = node[r, c], node[r + dr, c + dc]
                if u == v:
                    continue
                old = g.get_edge_data(u, v, {"weight": 0.0})["weight"]
                g.add_edge(u, v, weight=old + w)
    return float(nx.resistance_distance(g, "A", "B", weight="weight", invert_weight=False))


def test_median_dispersal_comes_from_the_species_profile():
    ranges = _ranges((500, 1000, 1000, 1500), (3000, 1000, 3500, 1500), ids=["west", "east"])
    # metres through the least resistant habitat (forest, resistance 1) -> resistance x m
    own = SpeciesProfile(name="my_leopard", median_dispersal_m=5000.0, resistance_tables="leopard")
    result = _run(ranges, margin_m=0.0, profile=own, current=False)
    assert result.median_dispersal == 5000.0
    p = 0.5 ** (result.links["cost_weighted_distance"].iloc[0] / 5000.0)
    eca = result.connectivity.summary["ECA_km2"].iloc[0]
    assert eca == pytest.approx(math.sqrt(2 * 0.25**2 + 2 * 0.25**2 * p))
    # a profile without one: the links stay, PC/ECA are left out with a note
    silent = SpeciesProfile(name="my_leopard", resistance_tables="leopard")
    result = _run(ranges, margin_m=0.0, profile=silent, current=False)
    assert result.connectivity is None and len(result.links) == 1
    assert any("no median dispersal distance" in n for n in result.notes)


def test_two_ranges_cost_current_and_connectivity():
    ranges = _ranges((500, 1000, 1000, 1500), (3000, 1000, 3500, 1500), ids=["west", "east"])
    result = _run(ranges, margin_m=0.0)
    assert result.ok  # the 10 km cutoff reaches the small grid's edge: noted, not fatal
    link = result.links.iloc[0]
    assert (link.from_id, link.to_id) == ("west", "east")
    # 21 steps of 100 m at resistance 1 from edge cell centre to edge cell centre
    assert link.cost_weighted_distance == pytest.approx(2100.0)
    assert link.length_m == pytest.approx(2100.0)
    # effective resistance: networkx on the same graph, the ranges shorted
    shape = result.surface.shape
    rows, cols = np.indices(shape)
    x, y = result.surface.xy(rows.ravel(), cols.ravel())
    a = shapely.contains_xy(ranges.geometry.iloc[0], x, y).reshape(shape)
    b = shapely.contains_xy(ranges.geometry.iloc[1], x, y).reshape(shape)
    expected = _grid_resistance_distance(shape, a, b)
    assert link.effective_resistance == pytest.approx(expected, rel=1e-6)
    # PC / ECA of two patches (Saura & Pascual-Hortal 2007): ECA = sqrt(a1² + a2² + 2 a1 a2 p)
    # the bundled leopard profile's median dispersal, 20 km through forest (resistance 1)
    assert result.median_dispersal == species_profile("amur_leopard").median_dispersal_m == 20_000
    p = 0.5 ** (link.cost_weighted_distance / 20_000)
    a1 = a2 = 0.25
    summary = result.connectivity.summary.iloc[0]
    assert summary["ECA_km2"] == pytest.approx(math.sqrt(a1**2 + a2**2 + 2 * a1 * a2 * p))
    assert summary["PC"] == pytest.approx((a1**2 + a2**2 + 2 * a1 * a2 * p) / (a1 + a2) ** 2)


def test_pinch_points_counted_inside_each_corridor():
    ranges = _ranges(
        (500, 1000, 1000, 1500), (3000, 1000, 3500, 1500), (1500, 200, 2500, 500), ids=list("abc")
    )
    result = _run(ranges, margin_m=0.0)
    pinch = result.pinch
    assert pinch is not None and (pinch.array == 1).sum() > 0
    rows, cols = np.nonzero(pinch.array == 1)
    x, y = pinch.xy(rows, cols)
    by_pair = {
        frozenset((p.from_id, p.to_id)): int(shapely.contains_xy(p.geometry, x, y).sum())
        for p in result.polygons.itertuples()
    }
    for link in result.links.itertuples():
        assert link.n_pinch_points == by_pair.get(frozenset((link.from_id, link.to_id)), 0)
    assert result.links["n_pinch_points"].sum() > 0
    # no pinch point inside a range (the current crowds at a shorted range's edge)
    inside = shapely.contains_xy(shapely.union_all(ranges.geometry), x, y)
    assert not inside.any()


def test_an_animal_outside_the_land_cover_is_left_out_with_a_note():
    ranges = _ranges(
        (500, 1000, 1000, 1500),
        (3000, 1000, 3500, 1500),
        (90_000, 90_000, 91_000, 91_000),
        ids=["west", "east", "far"],
    )
    with pytest.warns(DataQualityWarning, match="far"):
        result = report_corridors(ranges, _area(), margin_m=0.0, cell_size_m=None)
    assert result.ok
    assert set(result.links["from_id"]) | set(result.links["to_id"]) == {"west", "east"}
    assert any("far" in n and "left out" in n for n in result.notes)


@pytest.mark.parametrize(
    ("area", "ranges", "message"),
    [
        (StudyArea(name="no land cover"), None, "no land cover"),
        (_area(classes={1: "tundra"}), None, "no resistance table"),
        (None, "one", "at least two"),
    ],
    ids=["no-land-cover", "unknown-classes", "one-animal"],
)
def test_whole_failure_is_a_note_never_an_exception(area, ranges, message):
    r = _ranges((500, 1000, 1000, 1500), (3000, 1000, 3500, 1500))
    if ranges == "one":
        r = r.iloc[:1]
    with pytest.warns(DataQualityWarning, match=message):
        result = report_corridors(r, area or _area(), cell_size_m=None)
    assert not result.ok and result.links is None
    assert message in result.notes[-1] and "none" in result.summary()


def test_links_by_individual_both_directions():
    ranges = _ranges(
        (500, 1000, 1000, 1500), (3000, 1000, 3500, 1500), (1500, 200, 2500, 500), ids=list("abc")
    )
    result = _run(ranges, margin_m=0.0)
    by = links_by_individual(result.links)
    n = sum(len(v) for v in by.values())
    assert n == 2 * len(result.links)
    for ind, table in by.items():
        assert ind not in set(table["other"])


# ------------------------------------------------------------------ in a report


def _report(tmp_path, ranges, area, **kw):
    from habitat.batch.config import ReportOptions
    from habitat.batch.runner import run_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return run_report(
            ranges.drop(columns="area_km2"),
            tmp_path / "r",
            study_area=area,
            species=None,
            options=ReportOptions(area_curve=False),
            fragmentation=False,
            progress=False,
            **kw,
        )


def _page(result, ind) -> str:
    return result.pages[ind].read_text(encoding="utf-8")


def test_report_pages_list_links_and_index_shows_pc_eca(tmp_path):
    from habitat.batch import runner

    ranges = _ranges(
        (500, 1000, 1000, 1500),
        (3000, 1000, 3500, 1500),
        (90_000, 90_000, 91_000, 91_000),
        ids=["west", "east", "far"],
    )
    area = _area(shape=(25, 40))
    result = _report(tmp_path, ranges, area, corridors=True)
    assert result.ok and not len(result.failures)
    west = _page(result, "west")
    # the page shows the numbers of report_corridors on the same ranges (the 100 m land
    # cover coarsened to the report's 600 m cells), labelled with their units
    expected = report_corridors(ranges.iloc[:2], area, margin_m=runner_margin())
    link = expected.links.iloc[0]
    assert 'href="east.html">Corridor to east</a>' in west
    assert f"cost-weighted distance {link.cost_weighted_distance:,.1f} resistance × m" in west
    assert f"path length {link.length_m / 1000:,.1f} km" in west
    assert "pinch point cell" in west and "effective resistance (circuit)" in west
    assert "Corridor to west" in _page(result, "east")
    # the animal's map draws its links; the one without links has none
    west_map = (result.out_dir / "pages" / "west" / "map.html").read_text(encoding="utf-8")
    far_map = (result.out_dir / "pages" / "far" / "map.html").read_text(encoding="utf-8")
    assert "Corridors" in west_map and "Corridors" not in far_map
    # the animal off the land cover: a note on its page, never a failure
    far = _page(result, "far")
    assert "No corridor computed" in far and "cannot be a core" in far
    # the index: PC and ECA of the two ranges, the graph, the table
    index = result.index.read_text(encoding="utf-8")
    summary = expected.connectivity.summary.iloc[0]
    assert f"PC {summary['PC']:.3f}" in index and f"ECA {summary['ECA_km2']:,.1f} km²" in index
    assert (result.out_dir / runner.CONNECTIVITY_FIGURE).is_file()
    table = pd.read_csv(result.out_dir / runner.CONNECTIVITY_FILE)
    assert sorted(table["individual"]) == ["east", "west"]
    layer = gpd.read_file(result.files["ranges"], layer="corridors")
    assert {"effective_resistance", "n_pinch_points", "min_width_m"} <= set(layer.columns)


def runner_margin() -> float:
    from habitat.batch.corridors import CORRIDOR_MARGIN_M

    return CORRIDOR_MARGIN_M


def test_report_without_land_cover_finishes_with_a_note(tmp_path):
    ranges = _ranges((500, 1000, 1000, 1500), (3000, 1000, 3500, 1500), ids=["west", "east"])
    result = _report(tmp_path, ranges, StudyArea(name="empty"), corridors=True)
    assert result.ok
    assert "Corridors were not computed" in _page(result, "west")
    assert "corridors not computed" in result.index.read_text(encoding="utf-8")


def test_report_corridors_option_is_checked_before_any_work(tmp_path):
    from habitat.batch.runner import run_report

    ranges = _ranges((500, 1000, 1000, 1500), (3000, 1000, 3500, 1500))
    with pytest.raises(InputError, match="corridors="):
        run_report(ranges, tmp_path / "r", corridors="yes", progress=False)
    assert not (tmp_path / "r").exists()


# ------------------------------------------------------------------ the demo


def test_demo_corridor_files_and_pinch_points(tmp_path):
    from habitat.batch.demo import pinch_point_cells, write_corridors

    ranges = _ranges(
        (500, 1000, 1000, 1500), (3000, 1000, 3500, 1500), (1500, 200, 2500, 500), ids=list("abc")
    )
    result = _run(ranges, margin_m=0.0)
    written = write_corridors(result, tmp_path)
    links = gpd.read_file(written["corridors_gpkg"], layer="links")
    polygons = gpd.read_file(written["corridors_gpkg"], layer="corridors")
    assert len(links) == len(result.links) and len(polygons) == len(result.polygons)
    table = pd.read_csv(written["corridors_csv"])
    assert np.allclose(table["cost_weighted_distance"], result.links["cost_weighted_distance"])
    # the map's pinch points: one per pinch cell, at its centre, with its current
    points = pinch_point_cells(result)
    assert len(points) == int((result.pinch.array == 1).sum())
    rows, cols = result.current.index(points.geometry.x, points.geometry.y)
    assert np.array_equal(result.pinch.array[rows, cols], np.ones(len(points)))
    assert np.allclose(points["current_A"], result.current.array[rows, cols])
    # nothing computed: nothing written
    with pytest.warns(DataQualityWarning, match="at least two"):
        alone = report_corridors(ranges.iloc[:1], _area())
    assert write_corridors(alone, tmp_path / "x") == {}


@pytest.mark.slow
def test_demo_map_and_report_show_corridors(tmp_path):
    from habitat.batch.demo import run_demo

    written = run_demo(tmp_path / "demo")
    html = written["map"].read_text(encoding="utf-8")
    assert "Corridors" in html and "Current density" in html
    # the pinch points are a layer of the control's corridors group, not only popup text
    assert '"Pinch points" : feature_group_' in html
    links = gpd.read_file(written["corridors_gpkg"], layer="links")
    assert len(links) >= 11  # twelve leopards, every one linked
    assert set(links["from_id"]) | set(links["to_id"]) == {
        f"Leo {k}{s}" for k in range(1, 7) for s in "FM"
    }
    index = written["report"].read_text(encoding="utf-8")
    assert "Corridors and connectivity" in index and "ECA" in index
    assert (written["report"].parent / "connectivity.png").is_file()


def test_many_ranges_keep_their_corridors_and_say_the_current_was_left_out(monkeypatch):
    from habitat.batch import corridors as module

    monkeypatch.setattr(module, "MAX_CURRENT_RANGES", 2)
    ranges = _ranges(
        (500, 1000, 1000, 1500), (3000, 1000, 3500, 1500), (1500, 200, 2500, 500), ids=list("abc")
    )
    with pytest.warns(DataQualityWarning, match="current flow and pinch points not computed"):
        result = report_corridors(ranges, _area(), margin_m=0.0, cell_size_m=None)
    assert result.ok and result.current is None and result.pinch is None
    assert result.links["effective_resistance"].isna().all()
    assert (result.links["n_pinch_points"] == 0).all()
    assert result.connectivity is not None


def test_a_range_inside_another_with_the_same_centre_is_left_out_with_a_note():
    ranges = _ranges(
        (500, 500, 1500, 1500), (900, 900, 1100, 1100), (3000, 1000, 3500, 1500), ids=list("abc")
    )
    with pytest.warns(DataQualityWarning, match="b left out"):
        result = report_corridors(ranges, _area(), margin_m=0.0, cell_size_m=None)
    assert result.ok and "b" in result.left_out()
    assert set(result.links["from_id"]) | set(result.links["to_id"]) == {"a", "c"}


def test_a_rerun_without_corridors_leaves_no_connectivity_file(tmp_path):
    from habitat.batch import runner

    ranges = _ranges((500, 1000, 1000, 1500), (3000, 1000, 3500, 1500), ids=["west", "east"])
    first = _report(tmp_path, ranges, _area(), corridors=True)
    assert (first.out_dir / runner.CONNECTIVITY_FILE).is_file()
    assert "Corridor to east" in _page(first, "west")
    again = _report(tmp_path, ranges, _area())
    assert not (again.out_dir / runner.CONNECTIVITY_FILE).exists()
    assert not (again.out_dir / runner.CONNECTIVITY_FIGURE).exists()
    # the page changed with its corridors: redrawn, not kept from the first run
    assert "Corridors were not computed" in _page(again, "west")
    assert "Corridors and connectivity" not in again.index.read_text(encoding="utf-8")

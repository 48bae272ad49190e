"""Tests of habitat.corridors.circuit (Circuitscape's current flow).

Oracles: networkx.resistance_distance on graphs built here cell by cell from
Circuitscape's published rules (independent of habitat's matrix assembly);
Kirchhoff's current law checked in numpy from the returned voltages; and
Circuitscape 4's own verification grids and baseline outputs (skipped when the
shared data folder is absent).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from habitat.core.errors import (
    ConvergenceError,
    DataQualityWarning,
    InputError,
    InsufficientDataError,
    ProjectedCRSRequiredError,
)
from habitat.corridors import solver as solver_module
from habitat.corridors.circuit import CurrentFlow, current_flow, pinch_points
from habitat.io.raster import Raster

CELL = 100.0
CRS = "EPSG:32652"
VERIFY = Path(__file__).resolve().parents[3] / "shared" / "data" / "circuitscape_verify"


def _raster(values: np.ndarray, cell: float = CELL) -> Raster:
    n_rows = values.shape[0]
    return Raster(values.astype(float), (cell, 0.0, 0.0, 0.0, -cell, n_rows * cell), CRS)


def _points(cells: dict[object, list[tuple[int, int]]], n_rows: int, cell: float = CELL):
    """Nodes at cell centres: a list of cells per id (several = a focal region)."""
    ids, geoms = [], []
    for key, rc in cells.items():
        pts = [shapely.Point((c + 0.5) * cell, (n_rows - r - 0.5) * cell) for r, c in rc]
        ids.append(key)
        geoms.append(pts[0] if len(pts) == 1 else shapely.MultiPoint(pts))
    return gpd.GeoDataFrame({"name": ids}, geometry=geoms, crs=CRS)


def _oracle_graph(res: np.ndarray, eight: bool, avg_res: bool, merge: dict) -> nx.Graph:
    """Circuitscape's cell graph, written out edge by edge; ``merge`` maps a cell to a node name."""
    g = nx.Graph()
    n_rows, n_cols = res.shape
    steps = [(0, 1, 1.0), (1, 0, 1.0)]
    if eight:
        steps += [(1, 1, math.sqrt(2.0)), (1, -1, math.sqrt(2.0))]
    for r in range(n_rows):
        for c in range(n_cols):
            if not np.isfinite(res[r, c]):
                continue
            a = merge.get((r, c), (r, c))
            g.add_node(a)
            for dr, dc, length in steps:
                rr, cc = r + dr, c + dc
                if not (0 <= rr < n_rows and 0 <= cc < n_cols) or not np.isfinite(res[rr, cc]):
                    continue
                b = merge.get((rr, cc), (rr, cc))
                if a == b:
                    continue
                if avg_res:
                    cond = 1.0 / ((res[r, c] + res[rr, cc]) / 2.0)
                else:
                    cond = (1.0 / res[r, c] + 1.0 / res[rr, cc]) / 2.0
                cond /= length
                old = g.get_edge_data(a, b, {"g": 0.0})["g"]
                g.add_edge(a, b, g=old + cond)
    return g


def _oracle_resistance(res, eight, avg_res, merge, a, b) -> float:
    g = _oracle_graph(res, eight, avg_res, merge)
    comp = nx.node_connected_component(g, a)
    if b not in comp:
        return math.inf
    return float(nx.resistance_distance(g.subgraph(comp), a, b, weight="g", invert_weight=False))


def _surface(seed: int, shape=(7, 8), holes: int = 6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    res = rng.choice([1.0, 3.0, 10.0, 50.0], size=shape)
    flat = rng.choice(res.size, size=holes, replace=False)
    res.flat[flat] = np.nan
    return res


NODE_CELLS = {"a": [(0, 0)], "b": [(6, 7)], "c": [(0, 7)], "d": [(3, 3)]}


@pytest.mark.parametrize("neighbours", [4, 8])
@pytest.mark.parametrize("connection", ["conductance", "resistance"])
@pytest.mark.parametrize("seed", [1, 2])
def test_pairwise_points_equal_networkx(neighbours, connection, seed):
    res = _surface(seed)
    for cells in NODE_CELLS.values():
        res[cells[0]] = 1.0
    nodes = _points(NODE_CELLS, res.shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # a node may be cut off: inf
        flow = current_flow(
            _raster(res), nodes, id_column="name", neighbours=neighbours, connection=connection
        )
    assert isinstance(flow, CurrentFlow)
    names = list(NODE_CELLS)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            want = _oracle_resistance(
                res,
                neighbours == 8,
                connection == "resistance",
                {},
                NODE_CELLS[a][0],
                NODE_CELLS[b][0],
            )
            got = flow.resistances.loc[a, b]
            assert got == pytest.approx(want, rel=1e-6)
            assert flow.resistances.loc[b, a] == got
    assert (np.diag(flow.resistances.to_numpy()) == 0).all()
    assert list(flow.pairs.columns[:3]) == ["from_id", "to_id", "effective_resistance"]
    assert len(flow.pairs) == 6


def test_amg_equals_networkx_on_a_larger_grid():
    rng = np.random.default_rng(5)
    res = rng.choice([1.0, 5.0, 20.0, 100.0], size=(30, 36))
    cells = {1: [(2, 3)], 2: [(27, 29)], 3: [(15, 5)]}
    nodes = _points(cells, 30)
    flow = current_flow(_raster(res), nodes, id_column="name", solver="amg", tol=1e-10)
    assert flow.solver == "amg"
    assert flow.max_residual <= 1e-10
    for a, b in [(1, 2), (1, 3), (2, 3)]:
        want = _oracle_resistance(res, True, False, {}, cells[a][0], cells[b][0])
        assert flow.resistances.loc[a, b] == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize("neighbours", [4, 8])
def test_focal_regions_shorted_only_for_their_pair(neighbours):
    res = _surface(3, holes=4)
    regions = {
        "west": [(2, 0), (3, 0), (4, 1)],
        "east": [(1, 7), (2, 7)],
        "mid": [(5, 4), (5, 5), (6, 4)],
    }
    for cells in regions.values():
        for rc in cells:
            res[rc] = 2.0
    nodes = _points(regions, res.shape[0])
    flow = current_flow(_raster(res), nodes, id_column="name", neighbours=neighbours)
    names = list(regions)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            merge = {rc: a for rc in regions[a]} | {rc: b for rc in regions[b]}
            want = _oracle_resistance(res, neighbours == 8, False, merge, a, b)
            assert flow.resistances.loc[a, b] == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize("neighbours", [4, 8])
def test_focal_nodes_as_a_grid_of_ids_equal_networkx(neighbours):
    # Circuitscape's focal node raster: ids > 0 on the node cells (two cells of id 4: a region)
    res = _surface(5, holes=3)
    cells = {2: [(0, 1)], 4: [(6, 6), (6, 7)], 9: [(3, 4)]}
    ids = np.zeros(res.shape, int)
    for key, rc in cells.items():
        for cell in rc:
            res[cell] = 1.0
            ids[cell] = key
    flow = current_flow(_raster(res), ids, neighbours=neighbours)
    assert flow.resistances.index.tolist() == [2, 4, 9]
    for a, b in ((2, 4), (2, 9), (4, 9)):
        merge = {rc: a for rc in cells[a]} | {rc: b for rc in cells[b]}
        want = _oracle_resistance(res, neighbours == 8, False, merge, a, b)
        assert flow.resistances.loc[a, b] == pytest.approx(want, rel=1e-6)


def test_one_to_all_equals_networkx_with_the_others_grounded():
    res = _surface(4, holes=3)
    cells = {"a": [(0, 0), (0, 1)], "b": [(6, 7)], "c": [(3, 4)]}
    for rc_list in cells.values():
        for rc in rc_list:
            res[rc] = 1.0
    nodes = _points(cells, res.shape[0])
    flow = current_flow(_raster(res), nodes, id_column="name", mode="one_to_all")
    assert flow.pairs is None
    for k in cells:
        merge = {rc: k for rc in cells[k]}
        merge |= {rc: "ground" for other in cells if other != k for rc in cells[other]}
        want = _oracle_resistance(res, True, False, merge, k, "ground")
        assert flow.resistances.loc[k, "effective_resistance"] == pytest.approx(want, rel=1e-6)


def _branch_currents(res: np.ndarray, volt: np.ndarray, eight: bool):
    """Net current out of each cell and the larger of in/out flows, from voltages (numpy)."""
    g = 1.0 / res
    net = np.zeros(res.shape)
    inflow = np.zeros(res.shape)
    outflow = np.zeros(res.shape)
    n_rows, n_cols = res.shape
    steps = [(0, 1, 1.0), (1, 0, 1.0)]
    if eight:
        steps += [(1, 1, math.sqrt(2)), (1, -1, math.sqrt(2))]
    for r in range(n_rows):
        for c in range(n_cols):
            for dr, dc, length in steps:
                rr, cc = r + dr, c + dc
                if not (0 <= rr < n_rows and 0 <= cc < n_cols):
                    continue
                if np.isnan(volt[r, c]) or np.isnan(volt[rr, cc]):
                    continue
                cur = (g[r, c] + g[rr, cc]) / 2 / length * (volt[r, c] - volt[rr, cc])
                net[r, c] += cur
                net[rr, cc] -= cur
                if cur > 0:
                    outflow[r, c] += cur
                    inflow[rr, cc] += cur
                else:
                    inflow[r, c] -= cur
                    outflow[rr, cc] -= cur
    return net, np.maximum(inflow, outflow)


@pytest.mark.parametrize("neighbours", [4, 8])
def test_kirchhoff_current_conservation_at_every_cell(neighbours):
    res = _surface(6, shape=(9, 10), holes=8)
    cells = {"sink": [(0, 0)], "source": [(8, 9)]}
    for rc in (cells["sink"][0], cells["source"][0]):
        res[rc] = 1.0
    flow = current_flow(_raster(res), _points(cells, 9), id_column="name", neighbours=neighbours)
    volt = flow.voltage.array
    r_eff = flow.resistances.loc["sink", "source"]
    assert volt[0, 0] == 0.0
    assert volt[8, 9] == pytest.approx(r_eff, rel=1e-12)
    net, node_current = _branch_currents(res, volt, neighbours == 8)
    expected = np.zeros(res.shape)
    expected[8, 9], expected[0, 0] = 1.0, -1.0  # 1 A in at the source, out at the sink
    np.testing.assert_allclose(net, expected, atol=1e-9)
    cur = flow.current.array
    np.testing.assert_allclose(np.nan_to_num(cur), node_current, atol=1e-9)
    assert cur[0, 0] == pytest.approx(1.0) and cur[8, 9] == pytest.approx(1.0)
    assert np.isnan(cur[np.isnan(res)]).all()


def test_cumulative_map_sums_the_pairs_and_cell_size_does_not_matter():
    res = _surface(7, holes=2)
    cells = {"a": [(0, 0)], "b": [(6, 7)], "c": [(0, 7)]}
    for rc_list in cells.values():
        res[rc_list[0]] = 1.0
    total = np.zeros(res.shape)
    for a, b in [("a", "b"), ("a", "c"), ("b", "c")]:
        pair = current_flow(_raster(res), _points({a: cells[a], b: cells[b]}, 7), id_column="name")
        total += np.nan_to_num(pair.current.array)
    flow = current_flow(_raster(res), _points(cells, 7), id_column="name")
    np.testing.assert_allclose(np.nan_to_num(flow.current.array), total, rtol=1e-9, atol=1e-12)
    small = current_flow(_raster(res, cell=30.0), _points(cells, 7, cell=30.0), id_column="name")
    np.testing.assert_allclose(small.resistances, flow.resistances, rtol=1e-12)


def test_disconnected_pairs_are_inf_flagged_and_named():
    res = np.ones((5, 7))
    res[:, 3] = np.nan  # a nodata column splits the grid
    cells = {"w1": [(0, 0)], "w2": [(4, 1)], "e1": [(2, 6)]}
    nodes = _points(cells, 5)
    with pytest.warns(DataQualityWarning, match=r"2 of 3 pair.*'w1'-'e1'"):
        flow = current_flow(_raster(res), nodes, id_column="name")
    assert math.isinf(flow.resistances.loc["w1", "e1"])
    assert math.isfinite(flow.resistances.loc["w1", "w2"])
    assert flow.pairs["connected"].tolist() == [True, False, False]
    assert (flow.current.array[:, 4:] == 0).all()  # no current east of the gap
    with pytest.raises(InputError, match="'w2'-'e1'"):
        current_flow(_raster(res), nodes, id_column="name", disconnected="raise")
    with pytest.warns(DataQualityWarning, match="'e1'"):
        one = current_flow(_raster(res), nodes, id_column="name", mode="one_to_all")
    assert math.isinf(one.resistances.loc["e1", "effective_resistance"])


def test_extreme_contrast_converges_or_says_so():
    rng = np.random.default_rng(11)
    res = 10.0 ** rng.integers(0, 7, size=(40, 40)).astype(float)  # 1 .. 1e6
    cells = {1: [(0, 0)], 2: [(39, 39)], 3: [(5, 30)]}
    for rc in cells.values():
        res[rc[0]] = 1.0
    nodes = _points(cells, 40)
    amg = current_flow(_raster(res), nodes, id_column="name", solver="amg")
    lu = current_flow(_raster(res), nodes, id_column="name", solver="cholesky")
    assert lu.solver == "direct"
    direct = current_flow(_raster(res), nodes, id_column="name", solver="direct")
    assert amg.max_residual <= 1e-6 and direct.max_residual <= 1e-6
    np.testing.assert_allclose(amg.resistances, direct.resistances, rtol=1e-6)
    want = _oracle_resistance(res, True, False, {}, (0, 0), (39, 39))
    assert direct.resistances.loc[1, 2] == pytest.approx(want, rel=1e-6)
    with pytest.raises(ConvergenceError, match=r"residual .* above the tolerance tol=1e-12"):
        current_flow(
            _raster(res), nodes, id_column="name", solver="amg", tol=1e-12, max_iterations=2
        )


def test_bad_input():
    res = np.ones((4, 4))
    nodes = _points({"a": [(0, 0)], "b": [(3, 3)]}, 4)
    with pytest.raises(InsufficientDataError, match="at least two"):
        current_flow(_raster(res), nodes.iloc[:1], id_column="name")
    hole = res.copy()
    hole[3, 3] = np.nan
    with pytest.raises(InputError, match="'b'"):
        current_flow(_raster(hole), nodes, id_column="name")
    outside = _points({"a": [(0, 0)], "far": [(0, 9)]}, 4)
    with pytest.raises(InputError, match="'far'"):
        current_flow(_raster(res), outside, id_column="name")
    zero = res.copy()
    zero[1, 1] = 0.0
    with pytest.raises(InputError, match="zero or negative"):
        current_flow(_raster(zero), nodes, id_column="name")
    degrees = Raster(res, (0.01, 0.0, 131.0, 0.0, -0.01, 43.0), "EPSG:4326")
    with pytest.raises(ProjectedCRSRequiredError):
        current_flow(degrees, nodes.to_crs("EPSG:4326"), id_column="name")
    for key, value in [
        ("mode", "all"),
        ("mode", "all_to_one"),
        ("neighbours", 6),
        ("connection", "x"),
        ("solver", "lu"),
        ("tol", 0.0),
        ("max_iterations", 0),
    ]:
        with pytest.raises(InputError, match=key):
            current_flow(_raster(res), nodes, id_column="name", **{key: value})


# --- Circuitscape 4 verification grids -------------------------------------------------


def _read_asc(path: Path) -> tuple[np.ndarray, float]:
    header = {}
    lines = path.read_text().split("\n")
    body = []
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if parts[0].lower() in {
            "ncols",
            "nrows",
            "xllcorner",
            "yllcorner",
            "cellsize",
            "nodata_value",
        }:
            header[parts[0].lower()] = float(parts[1])
        else:
            body.append([float(p) for p in parts])
    array = np.array(body)
    nodata = header.get("nodata_value", -9999.0)
    array[array == nodata] = np.nan
    return array, nodata


def _focal(points: np.ndarray) -> dict[int, list[tuple[int, int]]]:
    out: dict[int, list[tuple[int, int]]] = {}
    for r, c in zip(*np.nonzero(np.nan_to_num(points, nan=0) > 0), strict=True):
        out.setdefault(int(points[r, c]), []).append((int(r), int(c)))
    return dict(sorted(out.items()))


def _baseline_matrix(path: Path):
    table = np.loadtxt(path)
    ids = table[0, 1:].astype(int)
    values = table[1:, 1:]
    values[values == -1] = np.inf
    return ids, values


needs_verify = pytest.mark.skipif(
    not VERIFY.is_dir(), reason="Circuitscape verification data (shared folder) absent"
)


def _nodes_on_data(focal: dict, habitat: np.ndarray) -> dict:
    """Circuitscape skips focal cells on nodata (a node without data gets -1); habitat refuses
    them (node_cells names them), so they are dropped here and checked to be refused."""
    kept = {k: [rc for rc in v if np.isfinite(habitat[rc])] for k, v in focal.items()}
    return {k: v for k, v in kept.items() if v}


@needs_verify
def test_circuitscape_sgverify4_pairwise_four_neighbours_average_resistance():
    res, _ = _read_asc(VERIFY / "inputs" / "1" / "cellmap.asc")
    points, _ = _read_asc(VERIFY / "inputs" / "1" / "points.asc")
    everything = _focal(points)
    focal = _nodes_on_data(everything, res)
    assert sorted(set(everything) - set(focal)) == [3, 6, 11, 51]  # on nodata: -1 in Circuitscape
    n_rows = res.shape[0]
    with pytest.raises(InputError, match="51"):
        current_flow(_raster(res), _points(everything, n_rows), id_column="name")
    flow = current_flow(
        _raster(res),
        _points(focal, n_rows),
        id_column="name",
        neighbours=4,
        connection="resistance",
    )
    ids, want = _baseline_matrix(VERIFY / "baseline_results" / "sgVerify4_resistances.txt")
    keep = [i for i, k in enumerate(ids) if k in focal]
    assert np.isinf(np.delete(want[keep], keep, axis=1)).all()
    got = flow.resistances.loc[list(ids[keep]), list(ids[keep])].to_numpy()
    np.testing.assert_allclose(got, want[np.ix_(keep, keep)], rtol=1e-9)
    pair = current_flow(
        _raster(res),
        _points({1: focal[1], 2: focal[2]}, n_rows),
        id_column="name",
        neighbours=4,
        connection="resistance",
    )
    cur, _ = _read_asc(VERIFY / "baseline_results" / "sgVerify4_curmap_1_2.asc")
    volt, _ = _read_asc(VERIFY / "baseline_results" / "sgVerify4_voltmap_1_2.asc")
    data = np.isfinite(res)
    np.testing.assert_allclose(pair.current.array[data], cur[data], atol=6e-7)
    reached = np.isfinite(pair.voltage.array)  # NaN off the pair's component; Circuitscape: 0
    assert (reached <= data).all() and (volt[data & ~reached] == 0).all()
    np.testing.assert_allclose(pair.voltage.array[reached], volt[reached], atol=6e-7)


@needs_verify
def test_circuitscape_sgverify10_regions_eight_neighbours_conductance_map():
    conductance, _ = _read_asc(VERIFY / "inputs" / "7" / "cellmap7.asc")
    points, _ = _read_asc(VERIFY / "inputs" / "7" / "points_polys7.asc")
    res = 1.0 / conductance
    focal = _nodes_on_data(_focal(points), res)
    flow = current_flow(
        _raster(res), _points(focal, 5), id_column="name", neighbours=8, connection="resistance"
    )
    ids, want = _baseline_matrix(VERIFY / "baseline_results" / "sgVerify10_resistances.txt")
    got = flow.resistances.loc[list(ids), list(ids)].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-9)
    pair = current_flow(
        _raster(res),
        _points({1: focal[1], 2: focal[2]}, 5),
        id_column="name",
        neighbours=8,
        connection="resistance",
    )
    cur, _ = _read_asc(VERIFY / "baseline_results" / "sgVerify10_curmap_1_2.asc")
    volt, _ = _read_asc(VERIFY / "baseline_results" / "sgVerify10_voltmap_1_2.asc")
    data = np.isfinite(res)
    np.testing.assert_allclose(pair.current.array[data], cur[data], atol=6e-7)
    reached = np.isfinite(pair.voltage.array)  # NaN off the pair's component; Circuitscape: 0
    assert (reached <= data).all() and (volt[data & ~reached] == 0).all()
    np.testing.assert_allclose(pair.voltage.array[reached], volt[reached], atol=6e-7)


@pytest.mark.parametrize("neighbours", [4, 8])
def test_a_one_cell_gap_in_a_wall_carries_the_whole_amp_and_is_the_pinch_point(neighbours):
    res = np.full((15, 15), 2.0)
    res[:, 7] = np.nan
    res[7, 7] = 2.0  # the only way through the wall
    cells = {"w": [(7, 0)], "e": [(7, 14)]}
    flow = current_flow(_raster(res), _points(cells, 15), id_column="name", neighbours=neighbours)
    cur = flow.current.array
    assert cur[7, 7] == pytest.approx(1.0, rel=1e-9)  # every path crosses this cell
    assert np.nanmax(cur) == pytest.approx(1.0, rel=1e-9)  # nothing carries more than 1 A
    pinch = pinch_points(flow, percentile=99.0)
    assert pinch.array[7, 7] == 1
    assert (pinch.array[:, 7][np.isnan(res[:, 7])] == 255).all()  # nodata stays nodata
    top = np.nanpercentile(cur, 99.0)
    assert (pinch.array == 1).sum() == (cur >= top).sum()
    corridor = np.zeros(res.shape, bool)
    corridor[5:10, 3:12] = True
    inside = pinch_points(flow.current, within=corridor, percentile=90.0)
    assert inside.array[~corridor & np.isfinite(res)].max() == 0
    assert inside.array[7, 7] == 1


def test_pinch_points_bad_input():
    cur = _raster(np.ones((3, 3)))
    with pytest.raises(InputError, match="percentile"):
        pinch_points(cur, percentile=101)
    with pytest.raises(InputError, match="shape"):
        pinch_points(cur, within=np.ones((2, 2), bool))
    with pytest.raises(InputError, match="overlap"):
        pinch_points(cur, within=np.zeros((3, 3), bool))


@pytest.mark.parametrize(
    "cells",
    [
        {"a": [(0, 0)], "b": [(6, 7)]},
        {"a": [(0, 0), (1, 0), (1, 1)], "b": [(5, 7), (6, 7)]},  # focal regions
    ],
)
def test_one_to_all_with_two_nodes_is_the_pair_solved_both_ways(cells):
    res = _surface(8, holes=3)
    for rc_list in cells.values():
        for rc in rc_list:
            res[rc] = 1.0
    nodes = _points(cells, res.shape[0])
    pair = current_flow(_raster(res), nodes, id_column="name")
    both = current_flow(_raster(res), nodes, id_column="name", mode="one_to_all")
    r_pair = pair.resistances.loc["a", "b"]
    np.testing.assert_allclose(both.resistances["effective_resistance"], [r_pair, r_pair])
    np.testing.assert_allclose(
        np.nan_to_num(both.current.array), 2 * np.nan_to_num(pair.current.array), atol=1e-12
    )
    for rc in cells["a"]:  # a shorted region carries its node current on every cell
        assert pair.current.array[rc] == pytest.approx(1.0)
        assert pair.voltage.array[rc] == 0.0
    for rc in cells["b"]:
        assert pair.voltage.array[rc] == pytest.approx(r_pair)


def test_a_region_across_a_gap_joins_it_only_for_its_own_pairs():
    res = np.full((5, 7), 3.0)
    res[:, 3] = np.nan  # a nodata column splits the grid; region "both" sits on each side
    cells = {"both": [(0, 2), (0, 4)], "west": [(4, 0)], "east": [(4, 6)]}
    nodes = _points(cells, 5)
    with pytest.warns(DataQualityWarning, match="'west'-'east'"):
        flow = current_flow(_raster(res), nodes, id_column="name")
    assert math.isinf(flow.resistances.loc["west", "east"])  # "both" is not shorted for them
    for other in ("west", "east"):
        merge = {rc: "both" for rc in cells["both"]}
        want = _oracle_resistance(res, True, False, merge, "both", cells[other][0])
        assert flow.resistances.loc["both", other] == pytest.approx(want, rel=1e-6)


# --- advanced mode (sources and grounds per cell) --------------------------------------


def _advanced(res: np.ndarray, sources: np.ndarray, grounds: np.ndarray, **kwargs) -> CurrentFlow:
    return current_flow(_raster(res), mode="advanced", sources=sources, grounds=grounds, **kwargs)


def _none(shape) -> np.ndarray:
    return np.full(shape, np.nan)


def _oracle_voltages(res, eight, avg_res, merge, sources, ground_g, direct):
    """Voltages from a dense solve of Kirchhoff's laws on the networkx graph of the cells.

    ``merge`` maps cells to a region name (one node); ``sources`` (A) and ``ground_g`` (S) are
    per cell and summed over a node; ``direct`` lists the cells held at 0 V (their node too).
    """
    g = _oracle_graph(res, eight, avg_res, merge)
    names = list(g.nodes)
    at = {name: k for k, name in enumerate(names)}
    lap = nx.laplacian_matrix(g, nodelist=names, weight="g").toarray()
    b = np.zeros(len(names))
    for (r, c), amps in sources.items():
        b[at[merge.get((r, c), (r, c))]] += amps
    for (r, c), cond in ground_g.items():
        k = at[merge.get((r, c), (r, c))]
        lap[k, k] += cond
    held = {at[merge.get(cell, cell)] for cell in direct}
    free = [k for k in range(len(names)) if k not in held]
    v = np.zeros(len(names))
    v[free] = np.linalg.solve(lap[np.ix_(free, free)], b[free])
    out = np.full(res.shape, np.nan)
    for r in range(res.shape[0]):
        for c in range(res.shape[1]):
            if np.isfinite(res[r, c]):
                out[r, c] = v[at[merge.get((r, c), (r, c))]]
    return out, g, at


@pytest.mark.parametrize("connection", ["resistance", "conductance"])
def test_advanced_chain_voltage_is_the_resistance_to_the_direct_ground(connection):
    res = np.array([[2.0, 5.0, 1.0, 8.0, 3.0]])
    sources = _none(res.shape)
    sources[0, 0] = 1.0
    grounds = _none(res.shape)
    grounds[0, 4] = 0.0  # 0 ohm: a direct ground
    flow = _advanced(res, sources, grounds, neighbours=4, connection=connection)
    if connection == "resistance":
        branch = (res[0, :-1] + res[0, 1:]) / 2.0  # 1 / mean of the resistances
    else:
        branch = 1.0 / ((1.0 / res[0, :-1] + 1.0 / res[0, 1:]) / 2.0)
    want = np.append(np.cumsum(branch[::-1])[::-1], 0.0)
    assert flow.mode == "advanced" and flow.pairs is None and flow.n_solves == 1
    assert flow.resistances.empty and list(flow.resistances.columns) == ["effective_resistance"]
    np.testing.assert_allclose(flow.voltage.array[0], want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(flow.current.array[0], 1.0, rtol=1e-12)


def test_advanced_ground_resistance_in_series_adds_to_every_voltage():
    res = np.array([[2.0, 5.0, 1.0, 8.0]])
    sources = _none(res.shape)
    sources[0, 0] = 2.0
    grounds = _none(res.shape)
    grounds[0, 3] = 0.0
    direct = _advanced(res, sources, grounds, neighbours=4).voltage.array
    grounds[0, 3] = 7.5  # ohm to ground: 2 A through it adds 15 V everywhere
    series = _advanced(res, sources, grounds, neighbours=4)
    np.testing.assert_allclose(series.voltage.array, direct + 2.0 * 7.5, rtol=1e-12)
    np.testing.assert_allclose(series.current.array, 2.0, rtol=1e-12)  # the ground sinks 2 A
    as_conductance = _advanced(
        res,
        sources,
        np.where(np.isnan(grounds), np.nan, 1.0 / grounds),
        neighbours=4,
        grounds_as="conductance",
    )
    np.testing.assert_allclose(as_conductance.voltage.array, series.voltage.array, rtol=1e-12)
    forced = _advanced(res, sources, grounds, neighbours=4, direct_grounds=True)
    np.testing.assert_allclose(forced.voltage.array, direct, rtol=1e-12, atol=1e-12)
    unit = _advanced(res, sources, grounds, neighbours=4, unit_currents=True)
    np.testing.assert_allclose(unit.voltage.array, series.voltage.array / 2.0, rtol=1e-12)


@pytest.mark.parametrize("neighbours", [4, 8])
@pytest.mark.parametrize("connection", ["conductance", "resistance"])
def test_advanced_equals_kirchhoff_on_the_networkx_graph_and_conserves_current(
    neighbours, connection
):
    res = _surface(3, shape=(8, 9), holes=7)
    src_cells = {(1, 1): 2.0, (6, 7): -0.5, (4, 4): 1.25}
    gnd_res = {(0, 8): 0.0, (7, 0): 4.0, (3, 6): 20.0}  # ohm to ground; 0 = direct
    for cell in [*src_cells, *gnd_res]:
        res[cell] = 3.0
    sources, grounds = _none(res.shape), _none(res.shape)
    for cell, amps in src_cells.items():
        sources[cell] = amps
    for cell, ohm in gnd_res.items():
        grounds[cell] = ohm
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)  # every part holds a ground here?
        try:
            flow = _advanced(res, sources, grounds, neighbours=neighbours, connection=connection)
        except DataQualityWarning:
            pytest.skip("a source is cut off from every ground on this surface")
    eight, avg_res = neighbours == 8, connection == "resistance"
    ground_g = {cell: 1.0 / ohm for cell, ohm in gnd_res.items() if ohm > 0}
    direct = [cell for cell, ohm in gnd_res.items() if ohm == 0]
    want, g, at = _oracle_voltages(res, eight, avg_res, {}, src_cells, ground_g, direct)
    got = flow.voltage.array
    solved = np.isfinite(got)
    # cells of components without source or ground: 0 V in the oracle only if grounded
    comp_of = {n: k for k, comp in enumerate(nx.connected_components(g)) for n in comp}
    live = {comp_of[cell] for cell in src_cells} & {comp_of[cell] for cell in gnd_res}
    for r, c in zip(*np.nonzero(np.isfinite(res)), strict=True):
        if comp_of[(r, c)] in live:
            assert got[r, c] == pytest.approx(want[r, c], rel=1e-9, abs=1e-12)
        else:
            assert flow.current.array[r, c] == 0.0
    assert (solved <= np.isfinite(res)).all()
    # conservation: what the sources inject leaves through the grounds
    into_ground = sum(got[cell] / ohm for cell, ohm in gnd_res.items() if ohm > 0)
    for cell in direct:
        into_ground += sum(d["g"] * got[nb] for nb, d in g[cell].items())
    assert into_ground == pytest.approx(sum(src_cells.values()), rel=1e-9)
    # node current: the larger of inflow and outflow, branches and ground together
    for r, c in at:
        v = got[r, c]
        flows = [d["g"] * (v - got[nb]) for nb, d in g[(r, c)].items()]
        flows.append(v / gnd_res[(r, c)] if gnd_res.get((r, c), 0.0) > 0 else 0.0)
        out = sum(f for f in flows if f > 0)
        inn = -sum(f for f in flows if f < 0)
        if comp_of[(r, c)] in live:
            assert flow.current.array[r, c] == pytest.approx(max(out, inn), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("neighbours", [4, 8])
def test_advanced_unit_source_and_direct_ground_is_the_pairwise_solve(neighbours):
    res = _surface(7, shape=(7, 8), holes=4)
    res[0, 1] = res[6, 6] = 1.0
    pair = current_flow(
        _raster(res),
        _points({"a": [(0, 1)], "b": [(6, 6)]}, 7),
        id_column="name",
        neighbours=neighbours,
    )
    sources, grounds = _none(res.shape), _none(res.shape)
    sources[6, 6] = 1.0  # the pair's maps: 1 A in at the second node, the first grounded
    grounds[0, 1] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        adv = _advanced(res, sources, grounds, neighbours=neighbours)
    assert adv.voltage.array[6, 6] == pytest.approx(pair.resistances.loc["a", "b"], rel=1e-9)
    reached = np.isfinite(pair.voltage.array)
    np.testing.assert_allclose(adv.voltage.array[reached], pair.voltage.array[reached], rtol=1e-9)
    np.testing.assert_allclose(adv.current.array, pair.current.array, rtol=1e-9, atol=1e-12)


def test_advanced_two_sources_superpose():
    res = _surface(4, shape=(6, 7), holes=0)
    s1, s2, grounds = _none(res.shape), _none(res.shape), _none(res.shape)
    s1[0, 0] = 1.0
    s2[5, 2] = 3.0
    grounds[2, 6] = 0.0
    grounds[5, 6] = 12.0
    both = np.where(np.isnan(s1), s2, s1)
    v1 = _advanced(res, s1, grounds).voltage.array
    v2 = _advanced(res, s2, grounds).voltage.array
    v12 = _advanced(res, both, grounds).voltage.array
    np.testing.assert_allclose(v12, v1 + v2, rtol=1e-10, atol=1e-12)


def test_advanced_short_circuit_region_removes_its_internal_resistance():
    res = np.array([[1.0, 2.0, 4.0, 6.0, 3.0, 1.0]])
    sources, grounds = _none(res.shape), _none(res.shape)
    sources[0, 0] = 1.0
    grounds[0, 5] = 0.0
    plain = _advanced(res, sources, grounds, neighbours=4, connection="resistance")
    regions = np.zeros(res.shape, int)
    regions[0, 2:4] = 7  # cells 2 and 3 merged: the branch between them ((4 + 6) / 2 ohm) goes
    short = _advanced(
        res, sources, grounds, neighbours=4, connection="resistance", short_circuit=regions
    )
    assert short.voltage.array[0, 0] == pytest.approx(plain.voltage.array[0, 0] - 5.0, rel=1e-12)
    assert short.voltage.array[0, 2] == short.voltage.array[0, 3]
    np.testing.assert_allclose(short.current.array, 1.0, rtol=1e-12)
    # a region across a nodata gap joins the two sides: current flows through it
    gap = res.copy()
    gap[0, 3] = np.nan
    across = np.zeros(res.shape, int)
    across[0, 2] = across[0, 4] = 1
    with pytest.warns(DataQualityWarning, match="no ground"):
        cut = _advanced(gap, sources, grounds, neighbours=4, connection="resistance")
    assert np.isnan(cut.voltage.array[0, :3]).all() and (cut.current.array[0, :3] == 0).all()
    joined = _advanced(
        gap, sources, grounds, neighbours=4, connection="resistance", short_circuit=across
    )
    branches = (1 + 2) / 2 + (2 + 4) / 2 + (3 + 1) / 2  # 0-1, 1-2, then 4-5 (2 = 4 shorted)
    assert joined.voltage.array[0, 0] == pytest.approx(branches, rel=1e-12)
    assert np.isnan(joined.current.array[0, 3])


@pytest.mark.parametrize("neighbours", [4, 8])
def test_advanced_short_circuit_regions_equal_the_merged_networkx_graph(neighbours):
    res = _surface(6, shape=(7, 8), holes=5)
    region_cells = {"r1": [(1, 1), (1, 2), (2, 1), (5, 6)], "r2": [(3, 4), (3, 5)]}
    src_cells = {(1, 2): 1.0, (0, 7): 2.0, (5, 6): -1.0, (6, 0): 0.5}
    gnd_res = {(6, 7): 0.0, (3, 5): 3.0}
    for cell in [*src_cells, *gnd_res, *(c for cells in region_cells.values() for c in cells)]:
        res[cell] = 2.0
    regions = np.zeros(res.shape)
    merge = {}
    for k, (name, cells) in enumerate(region_cells.items(), start=1):
        for cell in cells:
            regions[cell] = k
            merge[cell] = name
    sources, grounds = _none(res.shape), _none(res.shape)
    for cell, amps in src_cells.items():
        sources[cell] = amps
    for cell, ohm in gnd_res.items():
        grounds[cell] = ohm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        flow = _advanced(res, sources, grounds, neighbours=neighbours, short_circuit=regions)
    ground_g = {cell: 1.0 / ohm for cell, ohm in gnd_res.items() if ohm > 0}
    want, g, _at = _oracle_voltages(
        res, neighbours == 8, False, merge, src_cells, ground_g, [(6, 7)]
    )
    got = flow.voltage.array
    comp_of = {n: k for k, comp in enumerate(nx.connected_components(g)) for n in comp}
    grounded = {comp_of[merge.get(cell, cell)] for cell in gnd_res}
    for r, c in zip(*np.nonzero(np.isfinite(res)), strict=True):
        if comp_of[merge.get((r, c), (r, c))] in grounded:
            assert got[r, c] == pytest.approx(want[r, c], rel=1e-9, abs=1e-12)
        else:
            assert np.isnan(got[r, c])
    for cells in region_cells.values():
        assert len({got[cell] for cell in cells}) == 1
        assert len({flow.current.array[cell] for cell in cells}) == 1


def test_advanced_component_without_ground_is_skipped_with_a_warning():
    res = np.ones((3, 5))
    res[:, 2] = np.nan  # two parts
    sources, grounds = _none(res.shape), _none(res.shape)
    sources[1, 0] = 1.0  # west: a source, no ground
    sources[1, 4] = 1.0  # east: a source and a ground
    grounds[0, 4] = 0.0
    with pytest.warns(DataQualityWarning, match=r"no ground.*row 1, col 0"):
        flow = _advanced(res, sources, grounds)
    assert np.isnan(flow.voltage.array[:, :2]).all()
    assert (flow.current.array[:, :2] == 0).all()
    assert np.isnan(flow.current.array[:, 2]).all()
    assert flow.current.array[1, 4] == pytest.approx(1.0)
    sources[1, 0] = np.nan
    grounds[2, 0] = 5.0  # west: a ground, no source: 0 V, no current, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        flow = _advanced(res, sources, grounds)
    assert (flow.voltage.array[:, :2] == 0).all() and (flow.current.array[:, :2] == 0).all()


def test_advanced_source_on_a_ground_follows_the_chosen_rule():
    res = np.ones((1, 4))
    sources, grounds = _none(res.shape), _none(res.shape)
    sources[0, 0] = 1.0
    grounds[0, 0] = 0.0  # a direct ground under the source
    grounds[0, 3] = 0.0
    kept = _advanced(res, sources, grounds, neighbours=4)  # the direct ground under it goes
    np.testing.assert_allclose(kept.voltage.array[0], [3.0, 2.0, 1.0, 0.0], rtol=1e-12)
    with pytest.raises(InputError, match="Every source .* removed .*remove_source"):
        _advanced(res, sources, grounds, neighbours=4, source_on_ground="remove_source")
    grounds[0, 0] = 2.0  # a finite ground under the source: kept with keep_both
    kept = _advanced(res, sources, grounds, neighbours=4)
    # 2 ohm to ground in parallel with the 3 ohm row: 1 A splits 3/5 to 2/5
    assert kept.voltage.array[0, 0] == pytest.approx(6.0 / 5.0, rel=1e-12)
    no_ground = _advanced(res, sources, grounds, neighbours=4, source_on_ground="remove_ground")
    assert no_ground.voltage.array[0, 0] == pytest.approx(3.0, rel=1e-12)
    grounds[0, 3] = np.nan  # the only ground left is a direct one under the source
    grounds[0, 0] = 0.0
    with pytest.raises(InputError, match="none is left: a direct ground under a source"):
        _advanced(res, sources, grounds, neighbours=4)
    grounds[0, 0], grounds[0, 3] = 2.0, 0.0
    sources[0, 1] = 1.0
    both = _advanced(res, sources, grounds, neighbours=4, source_on_ground="remove_both")
    np.testing.assert_allclose(both.voltage.array[0], [2.0, 2.0, 1.0, 0.0], rtol=1e-12)
    assert both.current.array[0, 0] == 0.0


def test_advanced_sources_and_grounds_off_the_data_are_ignored_with_a_warning():
    res = np.ones((2, 3))
    res[0, 0] = np.nan
    sources, grounds = _none(res.shape), _none(res.shape)
    sources[0, 0] = 5.0
    sources[1, 0] = 1.0
    grounds[1, 2] = 0.0
    with pytest.warns(DataQualityWarning, match=r"1 source cell.*ignored"):
        flow = _advanced(res, sources, grounds)
    assert np.nanmax(flow.current.array) == pytest.approx(1.0)


def test_advanced_bad_input():
    res = np.ones((3, 4))
    sources, grounds = _none(res.shape), _none(res.shape)
    sources[0, 0] = 1.0
    grounds[2, 3] = 0.0
    surface = _raster(res)
    with pytest.raises(
        InputError, match=r"grounds has shape \(3, 3\), the resistance raster \(3, 4\)"
    ):
        current_flow(surface, mode="advanced", sources=sources, grounds=grounds[:, :3])
    moved = Raster(sources, (CELL, 0.0, 50.0, 0.0, -CELL, 3 * CELL), CRS)
    with pytest.raises(InputError, match="sources is not on the resistance raster's grid"):
        current_flow(surface, mode="advanced", sources=moved, grounds=grounds)
    negative = grounds.copy()
    negative[1, 1] = -2.0
    with pytest.raises(InputError, match=r"negative resistance.*row 1, col 1: -2"):
        current_flow(surface, mode="advanced", sources=sources, grounds=negative)
    with pytest.raises(InputError, match="no ground"):
        current_flow(surface, mode="advanced", sources=sources, grounds=_none(res.shape))
    with pytest.raises(InputError, match="no current"):
        current_flow(surface, mode="advanced", sources=np.zeros(res.shape), grounds=grounds)
    infinite = sources.copy()
    infinite[1, 1] = np.inf
    with pytest.raises(InputError, match="infinite"):
        current_flow(surface, mode="advanced", sources=infinite, grounds=grounds)
    nodes = _points({"a": [(0, 0)], "b": [(2, 3)]}, 3)
    with pytest.raises(InputError, match="nodes must be None"):
        current_flow(surface, nodes, mode="advanced", sources=sources, grounds=grounds)
    with pytest.raises(InputError, match="needs grounds"):
        current_flow(surface, mode="advanced", sources=sources)
    with pytest.raises(InputError, match="needs sources and grounds"):
        current_flow(surface, mode="advanced")
    with pytest.raises(InputError, match="only apply to mode='advanced'"):
        current_flow(surface, nodes, id_column="name", sources=sources)
    with pytest.raises(InputError, match="needs focal nodes"):
        current_flow(surface)
    with pytest.raises(InputError, match="integer region ids"):
        current_flow(
            surface,
            mode="advanced",
            sources=sources,
            grounds=grounds,
            short_circuit=np.full(res.shape, 1.5),
        )
    for key, value in [
        ("grounds_as", "ohm"),
        ("source_on_ground", "rmvsrc"),
        ("direct_grounds", 1),
        ("unit_currents", "yes"),
    ]:
        with pytest.raises(InputError, match=key):
            current_flow(surface, mode="advanced", sources=sources, grounds=grounds, **{key: value})


def test_advanced_amg_equals_the_factorisation_with_regions_on_a_larger_grid():
    rng = np.random.default_rng(11)
    res = rng.choice([1.0, 4.0, 30.0, 200.0], size=(48, 52))
    res[rng.random(res.shape) < 0.05] = np.nan
    sources, grounds = _none(res.shape), _none(res.shape)
    regions = np.zeros(res.shape, int)
    regions[10:14, 5:30] = 1
    regions[30:33, 20:24] = regions[40:42, 45:50] = 2  # one region in two pieces
    res[regions > 0] = 1.0
    for (r, c), amps in {(2, 2): 3.0, (45, 3): -1.0, (20, 40): 2.0, (11, 7): 0.5}.items():
        res[r, c] = 1.0
        sources[r, c] = amps
    for (r, c), ohm in {(47, 51): 0.0, (0, 51): 25.0, (31, 21): 3.0}.items():
        res[r, c] = 1.0
        grounds[r, c] = ohm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # a cut-off source may warn
        direct = _advanced(res, sources, grounds, short_circuit=regions, solver="direct")
        amg = _advanced(res, sources, grounds, short_circuit=regions, solver="amg", tol=1e-10)
    assert (direct.solver, amg.solver) == ("direct", "amg")
    assert amg.max_residual <= 1e-10
    np.testing.assert_allclose(amg.voltage.array, direct.voltage.array, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(amg.current.array, direct.current.array, rtol=1e-6, atol=1e-8)
    assert np.ptp(direct.voltage.array[regions == 2]) == 0.0


def _mg_inputs():
    folder = VERIFY / "inputs" / "5"
    return [
        _read_asc(folder / name)[0]
        for name in ("cellmap10x10.asc", "sources10x10.asc", "grounds10x10.asc", "regions_grid.asc")
    ]


@needs_verify
@pytest.mark.parametrize("solver", ["direct", "amg"])
@pytest.mark.parametrize(
    ("run", "options"),
    [
        ("mgVerify2", {"neighbours": 4, "connection": "resistance"}),
        ("mgVerify3", {"neighbours": 8, "connection": "conductance", "regions": True}),
    ],
)
def test_circuitscape_mgverify_advanced_mode_maps(run, options, solver):
    res, sources, grounds, regions = _mg_inputs()
    options = dict(options)
    short = regions if options.pop("regions", False) else None
    flow = current_flow(
        _raster(res),
        mode="advanced",
        sources=sources,
        grounds=grounds,
        short_circuit=short,
        solver=solver,
        tol=1e-10,
        **options,
    )
    assert flow.solver == solver
    cur, _ = _read_asc(VERIFY / "baseline_results" / f"{run}_curmap.asc")
    volt, _ = _read_asc(VERIFY / "baseline_results" / f"{run}_voltmap.asc")
    data = np.isfinite(res)
    assert (cur[~data] == 0).all() and (volt[~data] == 0).all()  # Circuitscape's 0 off the data
    assert np.isnan(flow.current.array[~data]).all() and np.isnan(flow.voltage.array[~data]).all()
    np.testing.assert_allclose(flow.current.array[data], cur[data], rtol=0, atol=6e-7)
    np.testing.assert_allclose(flow.voltage.array[data], volt[data], rtol=0, atol=6e-7)


def test_advanced_sources_that_cancel_are_solved():
    # +1 A and -1 A in one component with a ground between them (Circuitscape 4 solves it;
    # Circuitscape.jl's sum-of-sources test would skip it): 1 A flows end to end, none to ground
    res = np.ones((1, 5))
    sources, grounds = _none(res.shape), _none(res.shape)
    sources[0, 0], sources[0, 4] = 1.0, -1.0
    grounds[0, 2] = 5.0
    flow = _advanced(res, sources, grounds, neighbours=4)
    np.testing.assert_allclose(flow.voltage.array[0], [2.0, 1.0, 0.0, -1.0, -2.0], atol=1e-12)
    np.testing.assert_allclose(flow.current.array[0], 1.0, rtol=1e-12)


def test_advanced_warnings_point_at_the_caller_of_current_flow():
    # stacklevel: the warning names the line calling current_flow, not a frame inside habitat
    res = np.ones((3, 5))
    res[:, 2] = np.nan  # two parts
    res[0, 4] = np.nan
    sources, grounds = _none(res.shape), _none(res.shape)
    sources[1, 0] = 1.0  # west: a source and no ground
    sources[1, 4] = 1.0
    sources[0, 4] = 1.0  # on a cell without data
    grounds[2, 4] = 0.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        current_flow(_raster(res), mode="advanced", sources=sources, grounds=grounds)
    messages = [str(w.message) for w in caught]
    assert len(caught) == 2, messages
    assert "without resistance data" in messages[0] and "no ground" in messages[1]
    assert all(w.category is DataQualityWarning for w in caught)
    assert [w.filename for w in caught] == [__file__, __file__]


@pytest.mark.parametrize("mode", ["pairwise", "one_to_all"])
def test_disconnected_warning_points_at_the_caller_of_current_flow(mode):
    res = np.ones((3, 5))
    res[:, 2] = np.nan  # a nodata column between the two nodes
    nodes = _points({"w": [(1, 0)], "e": [(1, 4)]}, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        current_flow(_raster(res), nodes, id_column="name", mode=mode)
    assert [w.category for w in caught] == [DataQualityWarning], [str(w.message) for w in caught]
    assert caught[0].filename == __file__


@pytest.mark.parametrize("mode", ["pairwise", "advanced"])
def test_a_solve_that_would_not_fit_in_memory_is_refused_before_the_matrix(mode, monkeypatch):
    from habitat.core.errors import TooLargeError

    monkeypatch.setattr(solver_module, "available_memory_bytes", lambda: 1_000)  # 1 kB free
    res = np.ones((20, 20))
    with pytest.raises(TooLargeError, match=r"(400|399) unknown cells.*one circuit solve.*Coarsen"):
        if mode == "pairwise":
            current_flow(
                _raster(res), _points({"a": [(0, 0)], "b": [(19, 19)]}, 20), id_column="name"
            )
        else:
            src = np.zeros((20, 20))
            src[0, 0] = 1.0
            gnd = np.full((20, 20), np.nan)
            gnd[19, 19] = 0.0
            current_flow(_raster(res), mode="advanced", sources=src, grounds=gnd)

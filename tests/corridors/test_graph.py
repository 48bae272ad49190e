"""Graph connectivity (habitat.corridors.graph): hand-worked graphs and networkx as the oracle.

Notation in the comments: a = node attribute (km²), p = direct dispersal
probability of a link, p* = best (maximum-product) path probability,
PCnum = sum_i sum_j a_i a_j p*_ij (both orders, i = j included), IICnum the
same with 1 / (1 + nl_ij).
"""

from __future__ import annotations

import itertools
import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely import Point, box

from habitat.core import crs as hcrs
from habitat.core.errors import (
    ColumnError,
    DataQualityWarning,
    InputError,
    InsufficientDataError,
)
from habitat.corridors.graph import connectivity, connectivity_change

DIST = "cost_weighted_distance"


def make(areas: dict[str, float], links: list[tuple[str, str, float]]):
    nodes = pd.DataFrame({"area_km2": list(areas.values())}, index=list(areas))
    table = pd.DataFrame(links, columns=["from_id", "to_id", DIST])
    return nodes, table


def chain():
    # A - B - C, 1 km² each, links of 1000 (p = 0.5 at a median of 1000)
    return make({"A": 1.0, "B": 1.0, "C": 1.0}, [("A", "B", 1000.0), ("B", "C", 1000.0)])


# ----------------------------------------------------------------------------- by hand


def test_two_nodes_by_hand():
    nodes, links = make({"A": 2.0, "B": 3.0}, [("A", "B", 1000.0)])
    res = connectivity(nodes, links, median_dispersal=2000.0)
    # p = 0.5 ** (1000 / 2000) = 0.70711; PCnum = 2² + 3² + 2·2·3·0.70711 = 21.48528
    p = math.sqrt(0.5)
    num = 13 + 12 * p
    s = res.summary.iloc[0]
    assert s["ECA_km2"] == pytest.approx(math.sqrt(num), rel=1e-12)  # 4.63522 km²
    assert s["landscape_area_km2"] == 5.0  # default A_L: the summed areas
    assert s["PC"] == pytest.approx(num / 25, rel=1e-12)  # 0.85941
    # IIC: nl_AB = 1 -> IICnum = 13 + 2·6/2 = 19, / 25
    assert s["IIC"] == pytest.approx(19 / 25, rel=1e-12)
    assert (s["n_nodes"], s["n_links"], s["n_components"]) == (2, 1, 1)
    assert s["decay_per_unit"] == pytest.approx(math.log(2) / 2000, rel=1e-12)
    # dPC of A: without A, PCnum = 9 -> (21.48528 - 9) / 21.48528 = 58.110 %
    a = res.nodes.loc["A"]
    assert a["dPC"] == pytest.approx(100 * (num - 9) / num, rel=1e-12)
    assert a["dPC_intra"] == pytest.approx(100 * 4 / num, rel=1e-12)  # 18.617 %
    assert a["dPC_flux"] == pytest.approx(100 * 12 * p / num, rel=1e-12)  # 39.493 %
    assert a["dPC_connector"] == 0.0
    # removing the only link leaves 13: the link's dPC equals the flux of either node
    link = res.links.iloc[0]
    assert link["p_ij"] == pytest.approx(p, rel=1e-12)
    assert link["dPC"] == pytest.approx(100 * 12 * p / num, rel=1e-12)
    # an explicit landscape of 100 km² scales PC only
    wide = connectivity(nodes, links, median_dispersal=2000.0, landscape_area_km2=100.0)
    assert wide.summary["PC"].iloc[0] == pytest.approx(num / 100**2, rel=1e-12)
    assert wide.summary["ECA_km2"].iloc[0] == pytest.approx(math.sqrt(num), rel=1e-12)
    pd.testing.assert_frame_equal(wide.nodes, res.nodes)


def test_median_dispersal_in_metres_uses_metre_distances():
    # the chain A - B - C with 1 km Euclidean links and a median of 1 km (p = 0.5 a link):
    # PCnum = 3 + 2 (0.5 + 0.5 + 0.25) = 5.5 whichever way the median is given
    nodes = pd.DataFrame({"area_km2": [1.0, 1.0, 1.0]}, index=["A", "B", "C"])
    links = pd.DataFrame(
        {"from_id": ["A", "B"], "to_id": ["B", "C"], "euclidean_distance_m": [1000.0, 1000.0],
         DIST: [9e9, 9e9]}
    )  # fmt: skip
    in_m = connectivity(nodes, links, median_dispersal_m=1000.0).summary.iloc[0]
    assert in_m["ECA_km2"] == pytest.approx(math.sqrt(5.5), rel=1e-12)
    same = connectivity(
        nodes, links, median_dispersal=1000.0, distance="euclidean_distance_m"
    ).summary.iloc[0]
    assert same["PC"] == in_m["PC"] == pytest.approx(5.5 / 9, rel=1e-12)
    change = connectivity_change(nodes, links, median_dispersal_m=1000.0, cut=[("B", "C")])
    assert change.loc["ECA_km2", "after"] == pytest.approx(2.0, rel=1e-12)
    with pytest.raises(InputError, match="exactly one of median_dispersal_m"):
        connectivity(nodes, links)
    with pytest.raises(InputError, match="exactly one of median_dispersal_m"):
        connectivity(nodes, links, median_dispersal=1.0, median_dispersal_m=1.0)
    with pytest.raises(InputError, match="not in metres|does not end in _m"):
        connectivity(nodes, links, median_dispersal_m=1000.0, distance=DIST)


def test_chain_connector_by_hand():
    nodes, links = chain()
    res = connectivity(nodes, links, median_dispersal=1000.0)
    # p_AB = p_BC = 0.5, p*_AC = 0.25 through B: PCnum = 3 + 2 (0.5 + 0.5 + 0.25) = 5.5
    s = res.summary.iloc[0]
    assert s["ECA_km2"] == pytest.approx(math.sqrt(5.5), rel=1e-12)
    assert s["PC"] == pytest.approx(5.5 / 9, rel=1e-12)
    b = res.nodes.loc["B"]
    # without B: A and C alone, PCnum = 2 -> dPC = 3.5 / 5.5 = 63.636 %
    assert b["dPC"] == pytest.approx(100 * 3.5 / 5.5, rel=1e-12)
    assert b["dPC_intra"] == pytest.approx(100 * 1 / 5.5, rel=1e-12)  # 18.18 %
    assert b["dPC_flux"] == pytest.approx(100 * 2 * (0.5 + 0.5) / 5.5, rel=1e-12)  # 36.36 %
    assert b["dPC_connector"] == pytest.approx(100 * 2 * 0.25 / 5.5, rel=1e-12)  # 9.09 %
    a = res.nodes.loc["A"]
    # without A: PCnum = 2 + 2·0.5 = 3 -> 45.45 %, all intra + flux
    assert a["dPC"] == pytest.approx(100 * 2.5 / 5.5, rel=1e-12)
    assert a["dPC_flux"] == pytest.approx(100 * 2 * (0.5 + 0.25) / 5.5, rel=1e-12)
    assert a["dPC_connector"] == 0.0
    # IIC: nl = 1, 1, 2 -> IICnum = 3 + 2 (1/2 + 1/2 + 1/3) = 17/3; without B: 2
    iic_num = 17 / 3
    assert s["IIC"] == pytest.approx(iic_num / 9, rel=1e-12)
    assert b["dIIC"] == pytest.approx(100 * (iic_num - 2) / iic_num, rel=1e-12)  # 64.71 %
    assert b["dIIC_intra"] == pytest.approx(100 * 1 / iic_num, rel=1e-12)
    assert b["dIIC_flux"] == pytest.approx(100 * 2 * 1.0 / iic_num, rel=1e-12)
    assert b["dIIC_connector"] == pytest.approx(100 * 2 / 3 / iic_num, rel=1e-12)  # 11.76 %
    # B is the only node in between: the pair A-C (once), BC_PC over both orders
    assert res.nodes["betweenness"].tolist() == [0.0, 1.0, 0.0]
    assert res.nodes["BC_PC"].tolist() == pytest.approx([0.0, 2 * 0.25, 0.0], rel=1e-12)
    assert res.nodes["BC_IIC"].tolist() == pytest.approx([0.0, 2 / 3, 0.0], rel=1e-12)
    # removing A-B: PCnum = 3 + 2·0.5 = 4 -> 1.5 / 5.5 = 27.27 %
    assert res.links["dPC"].tolist() == pytest.approx([100 * 1.5 / 5.5] * 2, rel=1e-12)
    assert res.nodes["component"].tolist() == [0, 0, 0]


def test_star_by_hand():
    nodes, links = make(
        {"C": 1.0, "L1": 1.0, "L2": 1.0, "L3": 1.0},
        [("C", "L1", 1000.0), ("C", "L2", 1000.0), ("L3", "C", 1000.0)],
    )
    res = connectivity(nodes, links, median_dispersal=1000.0)
    # p centre-leaf = 0.5, leaf-leaf 0.25: PCnum = 4 + 2 (3·0.5 + 3·0.25) = 8.5
    num = 8.5
    assert res.summary["ECA_km2"].iloc[0] == pytest.approx(math.sqrt(num), rel=1e-12)
    c = res.nodes.loc["C"]
    assert c["dPC"] == pytest.approx(100 * (num - 3) / num, rel=1e-12)  # 64.71 %
    assert c["dPC_intra"] == pytest.approx(100 / num, rel=1e-12)  # 11.76 %
    assert c["dPC_flux"] == pytest.approx(100 * 2 * 1.5 / num, rel=1e-12)  # 35.29 %
    assert c["dPC_connector"] == pytest.approx(100 * 6 * 0.25 / num, rel=1e-12)  # 17.65 %
    leaf = res.nodes.loc["L1"]
    # without L1: 3 + 2 (2·0.5 + 0.25) = 5.5 -> 3 / 8.5 = 35.29 %: intra + flux, no connector
    assert leaf["dPC"] == pytest.approx(100 * 3 / num, rel=1e-12)
    assert leaf["dPC_flux"] == pytest.approx(100 * 2 * (0.5 + 0.25 + 0.25) / num, rel=1e-12)
    assert leaf["dPC_connector"] == 0.0
    # the centre is between the three leaf pairs; BC_PC: 6 ordered pairs × 0.25
    assert res.nodes["betweenness"].tolist() == [3.0, 0.0, 0.0, 0.0]
    assert res.nodes.loc["C", "BC_PC"] == pytest.approx(1.5, rel=1e-12)
    # IICnum = 4 + 2 (3/2 + 3/3) = 9; BC_IIC of the centre: 6 ordered pairs × 1/3
    assert res.summary["IIC"].iloc[0] == pytest.approx(9 / 16, rel=1e-12)
    assert res.nodes.loc["C", "BC_IIC"] == pytest.approx(2.0, rel=1e-12)


def test_probability_at_the_median_sets_the_kernel():
    # p = 0.25 at 2000 -> k = ln 4 / 2000: a 1000 link has p = 0.5 and one of 3000, 0.125
    nodes, links = make({"A": 1.0, "B": 1.0, "C": 1.0}, [("A", "B", 1000.0), ("B", "C", 3000.0)])
    res = connectivity(nodes, links, median_dispersal=2000.0, probability=0.25)
    assert res.links["p_ij"].tolist() == pytest.approx([0.5, 0.125], rel=1e-12)
    # PCnum = 3 + 2 (0.5 + 0.125 + 0.0625)
    assert res.summary["ECA_km2"].iloc[0] ** 2 == pytest.approx(4.375, rel=1e-12)
    assert res.summary["decay_per_unit"].iloc[0] == pytest.approx(math.log(4) / 2000, rel=1e-12)


def test_links_as_a_corridor_layer_and_nodes_in_degrees():
    # a GeoDataFrame of links (geometry and other corridor columns ride along) and core
    # areas in lon/lat: their areas are measured in an equal-area CRS, not in degrees
    cores = gpd.GeoDataFrame(
        {"park": ["Kedrovaya Pad", "Land of the Leopard"]},
        geometry=[box(131.0, 43.0, 131.1, 43.1), box(131.3, 43.0, 131.4, 43.1)],
        crs="EPSG:4326",
    )
    links = gpd.GeoDataFrame(
        {
            "from_id": ["Kedrovaya Pad"],
            "to_id": ["Land of the Leopard"],
            DIST: [12_000.0],
            "length_m": [16_000.0],
        },
        geometry=[box(0, 0, 1, 1).boundary],
        crs="EPSG:32652",
    )
    res = connectivity(cores, links, id_column="park", median_dispersal=12_000.0)
    # the outputs keep the geometries, for maps of dPC
    assert isinstance(res.nodes, gpd.GeoDataFrame) and res.nodes.crs == cores.crs
    assert res.nodes.geometry.equals(
        gpd.GeoSeries(cores.geometry.to_numpy(), index=res.nodes.index)
    )
    assert isinstance(res.links, gpd.GeoDataFrame) and res.links.crs == links.crs
    assert not isinstance(connectivity(*chain(), median_dispersal=1e3).links, gpd.GeoDataFrame)
    area = hcrs.area_m2(cores).to_numpy() / 1e6  # ≈ 8.1 × 11.1 km ≈ 90 km² each
    assert 85 < area[0] < 95
    np.testing.assert_allclose(res.nodes["area_km2"], area, rtol=1e-12)
    num = (area**2).sum() + 2 * area[0] * area[1] * 0.5
    assert res.summary["ECA_km2"].iloc[0] == pytest.approx(math.sqrt(num), rel=1e-12)


def test_best_path_can_avoid_the_direct_link():
    # triangle: A-B 3000 (p = 0.125), A-C and C-B 1000 (p = 0.5): p*_AB = 0.25 through C
    nodes, links = make(
        {"A": 1.0, "B": 1.0, "C": 1.0},
        [("A", "B", 3000.0), ("A", "C", 1000.0), ("C", "B", 1000.0)],
    )
    res = connectivity(nodes, links, median_dispersal=1000.0)
    # PCnum = 3 + 2 (0.5 + 0.5 + 0.25) = 5.5, as the chain A - C - B
    assert res.summary["ECA_km2"].iloc[0] == pytest.approx(math.sqrt(5.5), rel=1e-12)
    assert res.links["p_ij"].tolist() == pytest.approx([0.125, 0.5, 0.5], rel=1e-12)
    assert res.links["dPC"].iloc[0] == 0.0  # no best path uses the long link
    assert res.links["dPC"].iloc[1] > 0
    assert res.nodes.loc["C", "betweenness"] == 1.0
    # without C, A-B falls back on the direct link: connector = 2 (0.25 - 0.125) / 5.5
    assert res.nodes.loc["C", "dPC_connector"] == pytest.approx(100 * 0.25 / 5.5, rel=1e-12)
    # IIC counts links, not probabilities: every pair is one link apart, IICnum = 3 + 3 = 6;
    # without A-B, nl_AB = 2: IICnum = 3 + 2 (1/2 + 1/2 + 1/3) = 17/3 -> dIIC = 5.56 %
    assert res.summary["IIC"].iloc[0] == pytest.approx(6 / 9, rel=1e-12)
    assert res.links["dIIC"].iloc[0] == pytest.approx(100 * (6 - 17 / 3) / 6, rel=1e-12)
    assert res.nodes.loc["C", "betweenness"] == 1.0
    assert res.nodes.loc["C", "BC_IIC"] == 0.0


def test_threshold_limits_the_iic_graph_only():
    nodes, links = make(
        {"A": 1.0, "B": 1.0, "C": 1.0},
        [("A", "B", 3000.0), ("A", "C", 1000.0), ("C", "B", 1000.0)],
    )
    res = connectivity(nodes, links, median_dispersal=1000.0, threshold=2000.0)
    # the IIC graph is the chain A - C - B: IICnum = 17/3; PC keeps every link
    s = res.summary.iloc[0]
    assert s["IIC"] == pytest.approx(17 / 3 / 9, rel=1e-12)
    assert (s["n_links"], s["n_links_iic"], s["threshold"]) == (3, 2, 2000.0)
    assert res.links["in_iic"].tolist() == [False, True, True]
    assert res.links["dIIC"].iloc[0] == 0.0
    assert res.nodes.loc["C", "dIIC_connector"] == pytest.approx(100 * (2 / 3) / (17 / 3))


def test_removing_an_isolated_node_changes_only_intra():
    nodes, links = make(
        {"A": 1.0, "B": 1.0, "C": 1.0, "D": 2.0}, [("A", "B", 1000.0), ("B", "C", 1000.0)]
    )
    res = connectivity(nodes, links, median_dispersal=1000.0)
    num = 5.5 + 2.0**2  # the chain, plus D's own pair (D, D)
    d = res.nodes.loc["D"]
    assert d["dPC"] == pytest.approx(100 * 4 / num, rel=1e-12)
    assert d["dPC_intra"] == pytest.approx(d["dPC"], rel=1e-12)
    assert d["dPC_flux"] == 0.0
    assert d["dPC_connector"] == 0.0
    assert d["dIIC"] == pytest.approx(d["dIIC_intra"], rel=1e-12)
    assert res.summary["n_components"].iloc[0] == 2
    assert res.nodes["component"].tolist() == [0, 0, 0, 1]
    # the what-if loses exactly a_D² of PCnum, at the same A_L (5 km²)
    change = connectivity_change(nodes, links, remove_nodes=["D"], median_dispersal=1000.0)
    assert change.loc["ECA_km2", "after"] ** 2 == pytest.approx(num - 4, rel=1e-12)
    assert change.loc["PC", "after"] == pytest.approx((num - 4) / 25, rel=1e-12)
    assert change.loc["PC", "change_pct"] == pytest.approx(-d["dPC"], rel=1e-12)
    assert change.loc["n_nodes"].tolist()[:2] == [4, 3]


def test_a_stepping_stone_without_area_is_all_connector():
    # A (1) - B (0 km²) - C (1): PCnum = 1 + 1 + 2·1·1·0.25 = 2.5; B has no pairs of its own
    nodes, links = make({"A": 1.0, "B": 0.0, "C": 1.0}, [("A", "B", 1000.0), ("B", "C", 1000.0)])
    res = connectivity(nodes, links, median_dispersal=1000.0)
    b = res.nodes.loc["B"]
    assert (b["dPC_intra"], b["dPC_flux"]) == (0.0, 0.0)
    assert b["dPC_connector"] == pytest.approx(100 * 0.5 / 2.5, rel=1e-12)  # 20 %
    assert b["dPC"] == pytest.approx(b["dPC_connector"], rel=1e-12)
    assert b["BC_PC"] == pytest.approx(0.5, rel=1e-12)


def test_duplicate_links_the_shortest_counts():
    nodes, links = make({"A": 1.0, "B": 1.0}, [("A", "B", 2000.0), ("B", "A", 1000.0)])
    res = connectivity(nodes, links, median_dispersal=1000.0)
    # p = 0.5 (the 1000 link): PCnum = 2 + 2·0.5 = 3
    assert res.summary["ECA_km2"].iloc[0] == pytest.approx(math.sqrt(3), rel=1e-12)
    assert res.summary["n_links"].iloc[0] == 1
    # without the 2000 link nothing changes; without the 1000 one, p = 0.25: 2.5
    assert res.links["dPC"].tolist() == pytest.approx([0.0, 100 * 0.5 / 3], rel=1e-12)
    # two equal links: removing either changes nothing
    twin = connectivity(
        *make({"A": 1.0, "B": 1.0}, [("A", "B", 1000.0), ("A", "B", 1000.0)]),
        median_dispersal=1000.0,
    )
    assert twin.links["dPC"].tolist() == [0.0, 0.0]
    assert twin.links["dIIC"].tolist() == [0.0, 0.0]


def test_zero_distance_links_touching_patches():
    nodes, links = make({"A": 1.0, "B": 1.0, "C": 1.0}, [("A", "B", 0.0), ("B", "C", 1000.0)])
    res = connectivity(nodes, links, median_dispersal=1000.0)
    # p_AB = 1, p_BC = p*_AC = 0.5: PCnum = 3 + 2 (1 + 0.5 + 0.5) = 7
    assert res.summary["ECA_km2"].iloc[0] == pytest.approx(math.sqrt(7), rel=1e-12)
    assert res.nodes["betweenness"].tolist() == [0.0, 1.0, 0.0]
    assert res.nodes.loc["B", "dPC_connector"] == pytest.approx(100 * 2 * 0.5 / 7, rel=1e-12)


def test_zero_length_links_in_a_row_keep_every_best_path():
    # S -1- X -0- Y -0- Z, and a long S-Z link (5) no best path uses; nodes listed Z first
    # so that an order by node number alone would visit Y and Z before X
    nodes, links = make(
        {"Z": 1.0, "Y": 1.0, "X": 1.0, "S": 1.0},
        [("S", "X", 1.0), ("X", "Y", 0.0), ("Y", "Z", 0.0), ("S", "Z", 5.0)],
    )
    res = connectivity(nodes, links, median_dispersal=math.log(2))  # -ln p = the distance
    # a path graph S - X - Y - Z: X is between (S, Y) and (S, Z); Y between (S, Z) and (X, Z)
    assert res.nodes["betweenness"].to_dict() == {"Z": 0.0, "Y": 2.0, "X": 2.0, "S": 0.0}
    # BC_PC of Y: (S, Z) both ways at e^-1, (X, Z) both ways at 1
    assert res.nodes.loc["Y", "BC_PC"] == pytest.approx(2 * math.exp(-1) + 2, rel=1e-12)
    # PCnum: the X-Y-Z cluster at p* = 1 (9) + S alone (1) + 2·3·e^-1 for S to the cluster
    num = 10 + 6 * math.exp(-1)
    assert res.summary["ECA_km2"].iloc[0] == pytest.approx(math.sqrt(num), rel=1e-12)


def test_infinite_distance_is_no_link():
    nodes, links = make({"A": 1.0, "B": 1.0}, [("A", "B", math.inf)])
    res = connectivity(nodes, links, median_dispersal=1000.0)
    s = res.summary.iloc[0]
    assert (s["n_links"], s["n_components"], s["ECA_km2"]) == (0, 2, pytest.approx(math.sqrt(2)))
    assert res.links["p_ij"].tolist() == [0.0]
    assert res.links["in_iic"].tolist() == [False]


@pytest.mark.parametrize("median", [5.0, 1e10])  # km against metres; far too wide
def test_kernel_in_another_unit_is_flagged(median):
    nodes, links = chain()
    with pytest.warns(DataQualityWarning, match="unit of 'cost_weighted_distance'"):
        res = connectivity(nodes, links, median_dispersal=median)
    assert "median_dispersal" in res.summary["note"].iloc[0]
    with pytest.warns(DataQualityWarning, match="dispersal probability"):
        connectivity_change(nodes, links, cut=[("A", "B")], median_dispersal=median)


def test_a_plausible_kernel_has_no_note(recwarn):
    res = connectivity(*chain(), median_dispersal=1000.0)
    assert res.summary["note"].iloc[0] == ""
    assert not [w for w in recwarn if issubclass(w.category, DataQualityWarning)]


# ----------------------------------------------------------------------------- networkx oracle


def random_network(n: int, seed: int, radius: float = 0.35):
    rng = np.random.default_rng(seed)
    graph = nx.random_geometric_graph(n, radius, seed=seed)
    names = [f"p{i}" for i in range(n)]
    edges = list(graph.edges())
    nodes = pd.DataFrame({"area_km2": rng.uniform(0.2, 5.0, n)}, index=names)
    links = pd.DataFrame(
        {
            "from_id": [names[u] for u, _ in edges],
            "to_id": [names[v] for _, v in edges],
            DIST: rng.uniform(300.0, 6000.0, len(edges)),
        },
        index=pd.Index([f"link{i}" for i in range(len(edges))]),
    )
    return nodes, links


def nx_graph(nodes, links, k, column=DIST):
    graph = nx.Graph()
    graph.add_nodes_from(nodes.index)
    for f, t, d in zip(links["from_id"], links["to_id"], links[column], strict=True):
        if not graph.has_edge(f, t) or graph[f][t]["w"] > k * d:
            graph.add_edge(f, t, w=k * d)
    return graph


def nx_pcnum(graph, a):
    dist = dict(nx.all_pairs_dijkstra_path_length(graph, weight="w"))
    return sum(a[i] * a[j] * math.exp(-dist[i].get(j, math.inf)) for i in graph for j in graph)


def nx_bc(graph, a, *, weight, value):
    """Brute-force weighted betweenness: each ordered pair spreads value over its best paths."""
    out = dict.fromkeys(graph, 0.0)
    for s, t in itertools.permutations(graph, 2):
        if not nx.has_path(graph, s, t):
            continue
        paths = list(nx.all_shortest_paths(graph, s, t, weight=weight))
        length = nx.path_weight(graph, paths[0], weight) if weight else len(paths[0]) - 1
        c = a[s] * a[t] * value(length)
        for path in paths:
            for x in path[1:-1]:
                out[x] += c / len(paths)
    return out


@pytest.fixture(scope="module")
def random_case():
    nodes, links = random_network(36, seed=7)
    res = connectivity(nodes, links, median_dispersal=2500.0)
    k = math.log(2) / 2500.0
    return nodes, links, res, nx_graph(nodes, links, k), k


def test_random_graph_pc_and_paths_match_networkx(random_case):
    nodes, links, res, graph, _ = random_case
    a = nodes["area_km2"]
    num = nx_pcnum(graph, a)
    assert res.summary["ECA_km2"].iloc[0] == pytest.approx(math.sqrt(num), rel=1e-12)
    hops = dict(nx.all_pairs_shortest_path_length(graph))
    iic = sum(a[i] * a[j] / (1 + hops[i].get(j, math.inf)) for i in graph for j in graph)
    assert res.summary["IIC"].iloc[0] == pytest.approx(iic / a.sum() ** 2, rel=1e-12)
    assert res.summary["n_components"].iloc[0] == nx.number_connected_components(graph)


def test_random_graph_dpc_matches_removal_in_networkx(random_case):
    nodes, _links, res, graph, _ = random_case
    a = nodes["area_km2"]
    num = nx_pcnum(graph, a)
    for node in nodes.index:
        without = graph.copy()
        without.remove_node(node)
        expected = 100 * (num - nx_pcnum(without, a)) / num
        assert res.nodes.loc[node, "dPC"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    parts = res.nodes[["dPC_intra", "dPC_flux", "dPC_connector"]].sum(axis=1)
    np.testing.assert_allclose(parts, res.nodes["dPC"], rtol=1e-12, atol=1e-12)
    parts = res.nodes[["dIIC_intra", "dIIC_flux", "dIIC_connector"]].sum(axis=1)
    np.testing.assert_allclose(parts, res.nodes["dIIC"], rtol=1e-12, atol=1e-12)
    assert (res.nodes["dPC_connector"] > 0).any()  # the case exercises connectors
    assert (res.nodes["dPC_connector"] >= 0).all()


def test_random_graph_link_dpc_matches_removal_in_networkx(random_case):
    nodes, links, res, graph, _ = random_case
    a = nodes["area_km2"]
    num = nx_pcnum(graph, a)
    for label, (f, t) in links[["from_id", "to_id"]].iterrows():
        without = graph.copy()
        without.remove_edge(f, t)
        expected = 100 * (num - nx_pcnum(without, a)) / num
        assert res.links.loc[label, "dPC"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert 0 < (res.links["dPC"] > 0).sum() < len(links)  # some links no best path uses


def test_random_graph_betweenness_matches_networkx(random_case):
    nodes, _links, res, graph, _ = random_case
    a = nodes["area_km2"]
    expected = nx.betweenness_centrality(graph, weight="w", normalized=False)
    np.testing.assert_allclose(res.nodes["betweenness"], pd.Series(expected)[nodes.index])
    bc_pc = nx_bc(graph, a, weight="w", value=lambda d: math.exp(-d))
    np.testing.assert_allclose(res.nodes["BC_PC"], pd.Series(bc_pc)[nodes.index], rtol=1e-12)
    # topological shortest paths tie often: BC_IIC shares each pair among them
    bc_iic = nx_bc(graph, a, weight=None, value=lambda nl: 1 / (1 + nl))
    np.testing.assert_allclose(res.nodes["BC_IIC"], pd.Series(bc_iic)[nodes.index], rtol=1e-12)


def test_tied_best_paths_share_betweenness_and_have_no_connector():
    # a square A-B-C-D-A of equal links: A-C goes through B or D with the same p*
    # (median ln 2 with p = 0.5 gives k = 1 exactly, so -ln p = the distance: exact ties)
    nodes, links = make(
        {"A": 1.0, "B": 2.0, "C": 1.0, "D": 3.0},
        [("A", "B", 1.0), ("B", "C", 1.0), ("C", "D", 1.0), ("D", "A", 1.0)],
    )
    res = connectivity(nodes, links, median_dispersal=math.log(2))
    assert res.summary["decay_per_unit"].iloc[0] == 1.0
    graph = nx_graph(nodes, links, 1.0)
    expected = nx.betweenness_centrality(graph, weight="w", normalized=False)
    assert res.nodes["betweenness"].tolist() == [expected[x] for x in "ABCD"] == [0.5] * 4
    # BC_PC of B: the pairs (A, C) and (C, A) each give it half of 1·1·e^-2
    assert res.nodes.loc["B", "BC_PC"] == pytest.approx(math.exp(-2), rel=1e-12)
    # B is between A and C, but D carries the same probability: no connector role
    assert res.nodes["dPC_connector"].tolist() == [0.0] * 4


def test_grid_with_many_ties_matches_networkx():
    grid = nx.grid_2d_graph(4, 4)
    names = {node: f"{node[0]}-{node[1]}" for node in grid}
    nodes = pd.DataFrame({"area_km2": np.arange(1.0, 17.0)}, index=[names[x] for x in grid])
    links = pd.DataFrame(
        [(names[u], names[v], 2.0) for u, v in grid.edges()], columns=["from_id", "to_id", DIST]
    )
    res = connectivity(nodes, links, median_dispersal=2 * math.log(2))  # k = 0.5, -ln p = 1
    graph = nx_graph(nodes, links, 0.5)
    expected = nx.betweenness_centrality(graph, weight="w", normalized=False)
    np.testing.assert_allclose(res.nodes["betweenness"], pd.Series(expected)[nodes.index])
    a = nodes["area_km2"]
    bc_pc = nx_bc(graph, a, weight="w", value=lambda d: math.exp(-d))
    np.testing.assert_allclose(res.nodes["BC_PC"], pd.Series(bc_pc)[nodes.index], rtol=1e-12)


def test_complete_graph_link_removal_matches_networkx():
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 10_000, (14, 2))
    names = [f"n{i}" for i in range(14)]
    pairs = list(itertools.combinations(range(14), 2))
    nodes = pd.DataFrame({"area_km2": rng.uniform(1, 4, 14)}, index=names)
    links = pd.DataFrame(
        {
            "from_id": [names[i] for i, _ in pairs],
            "to_id": [names[j] for _, j in pairs],
            "euclidean_distance_m": [float(np.hypot(*(xy[i] - xy[j]))) for i, j in pairs],
        }
    )
    res = connectivity(
        nodes, links, median_dispersal=3000.0, distance="euclidean_distance_m", threshold=4000.0
    )
    k = math.log(2) / 3000.0
    graph = nx_graph(nodes, links, k, column="euclidean_distance_m")
    a = nodes["area_km2"]
    num = nx_pcnum(graph, a)
    for label, (f, t) in links[["from_id", "to_id"]].iterrows():
        without = graph.copy()
        without.remove_edge(f, t)
        expected = 100 * (num - nx_pcnum(without, a)) / num
        assert res.links.loc[label, "dPC"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    # IIC on the links within 4 km
    near = links[links["euclidean_distance_m"] <= 4000.0]
    iic_graph = nx_graph(nodes, near, 1.0, column="euclidean_distance_m")
    hops = dict(nx.all_pairs_shortest_path_length(iic_graph))
    iic = sum(a[i] * a[j] / (1 + hops[i].get(j, math.inf)) for i in names for j in names)
    assert res.summary["IIC"].iloc[0] == pytest.approx(iic / a.sum() ** 2, rel=1e-12)
    for label, (f, t) in near[["from_id", "to_id"]].iterrows():
        without = iic_graph.copy()
        without.remove_edge(f, t)
        h = dict(nx.all_pairs_shortest_path_length(without))
        after = sum(a[i] * a[j] / (1 + h[i].get(j, math.inf)) for i in names for j in names)
        assert res.links.loc[label, "dIIC"] == pytest.approx(100 * (iic - after) / iic, rel=1e-9)


# ----------------------------------------------------------------------------- what if


def test_connectivity_change_cut_add_remove_by_hand():
    nodes, links = chain()
    # cut B-C (given as C, B): PCnum = 3 + 2·0.5 = 4
    cut = connectivity_change(nodes, links, cut=[("C", "B")], median_dispersal=1000.0)
    assert list(cut.columns) == ["before", "after", "change", "change_pct"]
    assert cut.loc["ECA_km2", "before"] == pytest.approx(math.sqrt(5.5), rel=1e-12)
    assert cut.loc["ECA_km2", "after"] == pytest.approx(2.0, rel=1e-12)
    assert cut.loc["PC", "change_pct"] == pytest.approx(100 * (4 - 5.5) / 5.5, rel=1e-12)
    assert cut.loc["n_components", "after"] == 2
    # add A-C (1000): all pairs at p = 0.5, PCnum = 3 + 2·1.5 = 6; IICnum = 3 + 3 = 6
    added = connectivity_change(
        nodes,
        links,
        add=pd.DataFrame({"from_id": ["A"], "to_id": ["C"], DIST: [1000.0]}),
        median_dispersal=1000.0,
    )
    assert added.loc["PC", "after"] == pytest.approx(6 / 9, rel=1e-12)
    assert added.loc["IIC", "after"] == pytest.approx(6 / 9, rel=1e-12)
    assert added.loc["n_links", "change"] == 1
    # remove B: A and C alone, PCnum = 2, at the same A_L = 3 km²
    gone = connectivity_change(nodes, links, remove_nodes=["B"], median_dispersal=1000.0)
    assert gone.loc["PC", "after"] == pytest.approx(2 / 9, rel=1e-12)
    assert gone.loc["IIC", "after"] == pytest.approx(2 / 9, rel=1e-12)
    assert gone.loc[["n_nodes", "n_links", "n_components"], "after"].tolist() == [2, 0, 2]
    # a crossing shortens B-C from 3000 to 1000: cut the old link, add the new one
    slow = make({"A": 1.0, "B": 1.0, "C": 1.0}, [("A", "B", 1000.0), ("B", "C", 3000.0)])
    fix = connectivity_change(
        *slow,
        cut=[("B", "C")],
        add=pd.DataFrame({"from_id": ["B"], "to_id": ["C"], DIST: [1000.0]}),
        median_dispersal=1000.0,
    )
    # before: p_BC = 0.125, p*_AC = 0.0625: PCnum = 3 + 2 (0.5 + 0.125 + 0.0625) = 4.375
    assert fix.loc["ECA_km2", "before"] ** 2 == pytest.approx(4.375, rel=1e-12)
    assert fix.loc["ECA_km2", "after"] ** 2 == pytest.approx(5.5, rel=1e-12)


def test_connectivity_change_agrees_with_dpc(random_case):
    nodes, links, res, _, _ = random_case
    for node in ["p0", "p5", "p17"]:
        change = connectivity_change(nodes, links, remove_nodes=[node], median_dispersal=2500.0)
        assert change.loc["PC", "change_pct"] == pytest.approx(-res.nodes.loc[node, "dPC"])
        assert change.loc["IIC", "change_pct"] == pytest.approx(-res.nodes.loc[node, "dIIC"])
    for label in links.index[:6]:
        f, t = links.loc[label, ["from_id", "to_id"]]
        change = connectivity_change(nodes, links, cut=[(f, t)], median_dispersal=2500.0)
        assert change.loc["PC", "change_pct"] == pytest.approx(
            -res.links.loc[label, "dPC"], abs=1e-9
        )


def test_connectivity_change_errors():
    nodes, links = chain()
    with pytest.raises(InputError, match="no link between 'A' and 'C'"):
        connectivity_change(nodes, links, cut=[("A", "C")], median_dispersal=1000.0)
    with pytest.raises(InputError, match=r"remove_nodes names node\(s\) \['Z'\]"):
        connectivity_change(nodes, links, remove_nodes=["Z"], median_dispersal=1000.0)
    with pytest.raises(InputError, match="remove_nodes removes"):
        connectivity_change(
            nodes,
            links,
            remove_nodes=["C"],
            add=pd.DataFrame({"from_id": ["A"], "to_id": ["C"], DIST: [10.0]}),
            median_dispersal=1000.0,
        )
    with pytest.raises(InputError, match="pairs"):
        connectivity_change(nodes, links, cut=[("A", "B", "C")], median_dispersal=1000.0)
    with pytest.raises(InputError, match=r"pairs, e\.g\."):
        connectivity_change(nodes, links, cut=("A", "B"), median_dispersal=1000.0)


def test_connectivity_change_single_id_and_everything_removed():
    nodes, links = chain()
    one = connectivity_change(nodes, links, remove_nodes="B", median_dispersal=1000.0)
    assert one.loc["PC", "after"] == pytest.approx(2 / 9, rel=1e-12)
    none = connectivity_change(nodes, links, remove_nodes=list("ABC"), median_dispersal=1000.0)
    assert none["after"].tolist() == [0.0] * 6
    assert none.loc["PC", "change_pct"] == -100.0
    same = connectivity_change(nodes, links, median_dispersal=1000.0)
    assert same["change"].tolist() == [0.0] * 6


# ----------------------------------------------------------------------------- inputs


def test_geodataframe_nodes_get_their_areas_measured():
    squares = gpd.GeoDataFrame(
        {"name": ["west", "east"]},
        geometry=[
            box(500_000, 4_800_000, 501_000, 4_801_000),
            box(503_000, 4_800_000, 504_000, 4_801_000),
        ],
        crs="EPSG:32652",
    )
    links = pd.DataFrame({"from_id": ["west"], "to_id": ["east"], "euclidean_distance_m": [2000.0]})
    res = connectivity(
        squares,
        links,
        id_column="name",
        distance="euclidean_distance_m",
        median_dispersal=2000.0,
    )
    area = hcrs.area_m2(squares).to_numpy() / 1e6  # ≈ 1.0008 km² each (UTM scale 0.9996)
    np.testing.assert_allclose(res.nodes["area_km2"], area, rtol=1e-12)
    assert list(res.nodes.index) == ["west", "east"]
    num = area[0] ** 2 + area[1] ** 2 + 2 * area[0] * area[1] * 0.5
    assert res.summary["ECA_km2"].iloc[0] == pytest.approx(math.sqrt(num), rel=1e-12)
    # in hectares: ECA_ha, 100 times larger
    ha = connectivity(
        squares,
        links,
        id_column="name",
        attribute="area_ha",
        distance="euclidean_distance_m",
        median_dispersal=2000.0,
        landscape_area_km2=10.0,
    )
    assert ha.summary["ECA_ha"].iloc[0] == pytest.approx(100 * math.sqrt(num), rel=1e-12)
    assert ha.summary["landscape_area_ha"].iloc[0] == pytest.approx(1000.0)
    points = squares.set_geometry([squares.geometry.iloc[0], Point(1, 1)])
    with pytest.raises(ColumnError, match="not polygons"):
        connectivity(
            points,
            links,
            id_column="name",
            distance="euclidean_distance_m",
            median_dispersal=2000.0,
        )


def test_ids_are_matched_as_text_and_outputs_keep_input_order():
    nodes = pd.DataFrame({"area_km2": [2.0, 1.0, 1.0]}, index=[20, 3, 7])
    links = pd.DataFrame(
        {"from_id": ["3 ", "20"], "to_id": [20, "7"], DIST: [1000.0, 1000.0]},
        index=["x", "y"],
    )
    res = connectivity(nodes, links, median_dispersal=1000.0)
    assert list(res.nodes.index) == [20, 3, 7]
    assert list(res.links.index) == ["x", "y"]
    assert res.nodes.loc[20, "betweenness"] == 1.0  # 20 is between 3 and 7


def test_non_area_attribute_gives_plain_eca():
    nodes = pd.DataFrame({"quality": [1.0, 3.0]}, index=["A", "B"])
    links = pd.DataFrame({"from_id": ["A"], "to_id": ["B"], DIST: [1000.0]})
    res = connectivity(nodes, links, attribute="quality", median_dispersal=1000.0)
    assert res.summary["ECA"].iloc[0] == pytest.approx(math.sqrt(1 + 9 + 2 * 3 * 0.5))
    with pytest.raises(InputError, match="no area"):
        connectivity(
            nodes, links, attribute="quality", median_dispersal=1000.0, landscape_area_km2=5.0
        )


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda n, lk: (n, lk.assign(to_id=["B", "Q"])), InputError, r"\['Q'\]"),
        (lambda n, lk: (n, lk.assign(to_id=["A", "C"])), InputError, "itself"),
        (lambda n, lk: (n, lk.assign(**{DIST: [-1.0, 5.0]})), InputError, ">= 0"),
        (lambda n, lk: (n, lk.assign(**{DIST: [np.nan, 5.0]})), InputError, ">= 0"),
        (lambda n, lk: (n, lk.drop(columns=DIST)), ColumnError, "distance column"),
        (lambda n, lk: (n, lk.drop(columns="to_id")), ColumnError, "to_id"),
        (lambda n, lk: (n.rename(index={"C": "A"}), lk), InputError, "several rows"),
        (lambda n, lk: (n.assign(area_km2=[1.0, -1.0, 1.0]), lk), InputError, "'B'"),
        (lambda n, lk: (n.assign(area_km2=[1.0, np.nan, 1.0]), lk), InputError, "finite"),
        (lambda n, lk: (n.drop(columns="area_km2"), lk), ColumnError, "area_km2"),
        (lambda n, lk: (n.assign(area_km2=0.0), lk), InsufficientDataError, "= 0"),
        (lambda n, lk: (n.iloc[:0], lk), InputError, "no rows"),
        (lambda n, lk: (n.rename(index={"C": None}), lk), ColumnError, "node id is missing"),
    ],
)
def test_bad_input_is_refused(change, error, match):
    nodes, links = change(*chain())
    with pytest.raises(error, match=match):
        connectivity(nodes, links, median_dispersal=1000.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"median_dispersal": 0.0}, "median_dispersal"),
        ({"median_dispersal": -5.0}, "median_dispersal"),
        ({"median_dispersal": 1000.0, "probability": 1.0}, "between 0 and 1"),
        ({"median_dispersal": 1000.0, "probability": 0.0}, "between 0 and 1"),
        ({"median_dispersal": 1000.0, "landscape_area_km2": 2.0}, "smaller than"),
        ({"median_dispersal": 1000.0, "threshold": -1.0}, "threshold"),
        ({"median_dispersal": 1000.0, "threshold": "far"}, "threshold"),
        ({"median_dispersal": 1000.0, "landscape_area_km2": "big"}, "area > 0"),
        ({"median_dispersal": "1 km"}, "numbers"),
    ],
)
def test_bad_options_are_refused(kwargs, match):
    with pytest.raises(InputError, match=match):
        connectivity(*chain(), **kwargs)


def test_link_removal_can_be_skipped():
    nodes, links = chain()
    full = connectivity(nodes, links, median_dispersal=1000.0)
    quick = connectivity(nodes, links, median_dispersal=1000.0, link_removal=False)
    assert quick.links[["dPC", "dIIC"]].isna().all().all()
    pd.testing.assert_frame_equal(quick.nodes, full.nodes)
    pd.testing.assert_frame_equal(quick.summary, full.summary)
    with pytest.raises(InputError):
        connectivity(nodes, links, median_dispersal=1000.0, link_removal="no")


def test_hundreds_of_nodes_keep_the_identities():
    nodes, links = random_network(150, seed=11, radius=0.15)
    res = connectivity(nodes, links, median_dispersal=2000.0)
    parts = res.nodes[["dPC_intra", "dPC_flux", "dPC_connector"]].sum(axis=1)
    np.testing.assert_allclose(parts, res.nodes["dPC"], rtol=1e-10, atol=1e-12)
    assert (res.nodes["dPC"] >= res.nodes["dPC_intra"] - 1e-12).all()
    # PCnum = sum of every node's intra + half its flux (each pair once per end)
    a = res.nodes["area_km2"]
    num = res.summary["ECA_km2"].iloc[0] ** 2
    assert float((a**2).sum() + (res.nodes["dPC_flux"] * num / 100).sum() / 2) == pytest.approx(
        num, rel=1e-12
    )

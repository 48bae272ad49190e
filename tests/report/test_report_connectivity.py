"""The index's corridors section: the connectivity graph figure and its escaped lines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from habitat.core.errors import ColumnError
from habitat.report.figures import plot_connectivity_graph
from habitat.report.pages import render_index_page


def _graph():
    nodes = pd.DataFrame(
        {
            "x_m": [0.0, 10_000.0, 20_000.0],
            "y_m": [0.0, 5_000.0, 0.0],
            "area_km2": [10.0, 40.0, 20.0],
            "dPC": [20.0, 60.0, 30.0],
        },
        index=["a", "b", "c"],
    )
    links = pd.DataFrame(
        {"from_id": ["a", "b", "a"], "to_id": ["b", "c", "c"], "dPC": [12.0, 3.0, 0.0]}
    )
    return nodes, links


def test_graph_draws_one_edge_per_link_width_by_dpc():
    nodes, links = _graph()
    fig = plot_connectivity_graph(nodes, links, pc=0.4567, eca_km2=1234.5)
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    widths = [line.get_linewidth() for line in ax.lines]
    # width 0.8 + 6 dPC / max dPC: the link no best path uses stays thin
    assert widths == pytest.approx([6.8, 0.8 + 6.0 * 3.0 / 12.0, 0.8])
    # edges join the node positions, in km
    assert list(ax.lines[0].get_xdata()) == [0.0, 10.0]
    assert list(ax.lines[0].get_ydata()) == [0.0, 5.0]
    assert ax.get_title() == "PC 0.457 · ECA 1,234.5 km²"
    # node colours are the dPC of the ranges
    dots = ax.collections[0]
    assert np.allclose(dots.get_array(), [20.0, 60.0, 30.0])


def test_graph_without_any_link_and_with_missing_columns():
    nodes, links = _graph()
    fig = plot_connectivity_graph(nodes, links.iloc[:0])
    assert len(fig.axes[0].lines) == 0 and fig.axes[0].get_title() == ""
    with pytest.raises(ColumnError, match="dPC"):
        plot_connectivity_graph(nodes.drop(columns="dPC"), links)
    with pytest.raises(ColumnError, match="to_id"):
        plot_connectivity_graph(nodes, links.drop(columns="to_id"))


def test_index_shows_connectivity_lines_escaped_and_the_figure():
    metrics = pd.DataFrame(
        {"individual": ["Leo 1F"], "sex": ["F"], "method": ["mcp"], "level": [0.95]}
    )
    failures = pd.DataFrame(columns=["individual", "stage", "error", "message"])
    common = {
        "title": "R",
        "metrics": metrics,
        "pages": {"Leo 1F": "pages/Leo_1F.html"},
        "failures": failures,
        "method_label": "MCP",
        "level": 0.95,
    }
    html = render_index_page(
        **common,
        connectivity_lines=["PC 0.323, ECA 992.1 km²", "corridors: <script>x</script> left out"],
        connectivity_figures=[("connectivity.png", "Connectivity graph")],
    )
    assert "Corridors and connectivity" in html and "PC 0.323, ECA 992.1 km²" in html
    assert "<script>x" not in html and "&lt;script&gt;x" in html
    assert 'src="connectivity.png"' in html
    # no corridors: no section
    assert "Corridors and connectivity" not in render_index_page(**common)

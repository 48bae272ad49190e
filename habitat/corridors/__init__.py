"""Corridors and connectivity (analysis layer), on resistance surfaces.

* :mod:`habitat.corridors.surface` and :mod:`habitat.corridors.resistance` -
  resistance rasters: checks, and surfaces from land cover with barriers and
  crossing structures burned in at their real widths; example leopard tables
  in :mod:`habitat.corridors.tables`.
* :mod:`habitat.corridors.nodes` - focal nodes, sources and core areas on a grid.
* :mod:`habitat.corridors.cost` - accumulated cost distance, allocation and
  least-cost paths (8 neighbours, Circuitscape / Linkage Mapper step costs;
  compiled searches in :mod:`habitat.corridors.cost_kernels`).
* :mod:`habitat.corridors.linkage` - least-cost corridors between core areas as
  Linkage Mapper defines them, with their widths in metres.
* :mod:`habitat.corridors.circuit` - circuit theory (Circuitscape): effective
  resistances, current density and pinch points.
* :mod:`habitat.corridors.graph` - graph connectivity indices (IIC, PC, dPC,
  ECA, betweenness) and what-if changes of links and nodes.

The package itself is callable: ``habitat.corridors(resistance, cores, ...)`` is
:func:`habitat.corridors.linkage.corridors`, while ``habitat.corridors.cost_distance``
and the other names stay reachable as attributes.
"""

from __future__ import annotations

import inspect
import sys
import types

from habitat.corridors.circuit import CurrentFlow, current_flow, pinch_points
from habitat.corridors.cost import cost_allocation, cost_distance, least_cost_path
from habitat.corridors.graph import Connectivity, connectivity, connectivity_change
from habitat.corridors.linkage import DEFAULT_CUTOFF, Corridors, corridors
from habitat.corridors.nodes import node_cells
from habitat.corridors.resistance import resistance_surface
from habitat.corridors.surface import conductance_cells, resistance_cells
from habitat.corridors.tables import leopard_barrier_table, leopard_resistance_table

__all__ = [
    "DEFAULT_CUTOFF",
    "Connectivity",
    "Corridors",
    "CurrentFlow",
    "conductance_cells",
    "connectivity",
    "connectivity_change",
    "corridors",
    "cost_allocation",
    "cost_distance",
    "current_flow",
    "least_cost_path",
    "leopard_barrier_table",
    "leopard_resistance_table",
    "node_cells",
    "pinch_points",
    "resistance_cells",
    "resistance_surface",
]


class _CallablePackage(types.ModuleType):
    """The package, callable as :func:`habitat.corridors.linkage.corridors`.

    The function itself is the call (no wrapper frame), so its warnings point
    at the caller's line.
    """

    __call__ = staticmethod(corridors)


sys.modules[__name__].__class__ = _CallablePackage
__signature__ = inspect.signature(corridors)

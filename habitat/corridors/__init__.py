"""Corridors and connectivity (analysis layer), on resistance surfaces.

* :mod:`habitat.corridors.surface` and :mod:`habitat.corridors.resistance` -
  resistance rasters: checks, and surfaces from land cover with barriers and
  crossing structures burned in at their real widths.
* :mod:`habitat.corridors.nodes` - focal nodes, sources and core areas on a grid.
* :mod:`habitat.corridors.cost` - accumulated cost distance, allocation and
  least-cost paths (8 neighbours, Circuitscape / Linkage Mapper step costs).
* :mod:`habitat.corridors.linkage` - least-cost corridors between core areas as
  Linkage Mapper defines them, with their widths in metres.
* :mod:`habitat.corridors.circuit` - circuit theory (Circuitscape): effective
  resistances and current density.
* :mod:`habitat.corridors.graph` - graph connectivity indices (IIC, PC, dPC,
  ECA, betweenness) and what-if changes of links and nodes.
"""

"""Landscape measures inside ranges and zones (analysis layer).

* :mod:`habitat.landscape.composition` - land-cover composition and barriers
  (roads, railways, rivers, fences... of a study area) inside ranges.
* :mod:`habitat.landscape.layers` - areas and lengths of study-area layers.

The FRAGSTATS fragmentation metrics will join this package; their result table
is defined in :mod:`habitat.core.tables`.
"""

from habitat.landscape.composition import (
    barrier_density_in_ranges,
    barrier_lengths,
    composition_in_ranges,
    landscape_in_ranges,
    line_density_in_ranges,
)
from habitat.landscape.layers import summarise_layers

__all__ = [
    "barrier_density_in_ranges",
    "barrier_lengths",
    "composition_in_ranges",
    "landscape_in_ranges",
    "line_density_in_ranges",
    "summarise_layers",
]

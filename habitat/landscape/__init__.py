"""Landscape measures inside ranges and zones (analysis layer).

* :mod:`habitat.landscape.composition` - land-cover composition and barriers
  (roads, railways, rivers, fences... of a study area) inside ranges.
* :mod:`habitat.landscape.layers` - areas and lengths of study-area layers.
* :mod:`habitat.landscape.metrics` - FRAGSTATS landscape metrics of a
  categorical raster, per zone (:func:`landscape_metrics`; the table is
  :data:`habitat.core.tables.LANDSCAPE_METRICS`), from the patch engine
  :mod:`habitat.landscape.patches` (one streaming labelling pass, compiled
  kernels in :mod:`habitat.landscape.kernels`, exact nearest-neighbour
  distances in :mod:`habitat.landscape.enn`).
* :mod:`habitat.landscape.sources` and :mod:`habitat.landscape.zones` - raster
  input (paths, datasets, arrays, windows) and per-zone windows and masks.
* :mod:`habitat.landscape.mesh` - effective mesh size on vectors (Moser et al.
  2007 cross-boundary connections) and what-if changes of roads and crossings.
"""

from habitat.landscape.composition import (
    barrier_density_in_ranges,
    barrier_lengths,
    composition_in_ranges,
    landscape_in_ranges,
    line_density_in_ranges,
)
from habitat.landscape.layers import summarise_layers
from habitat.landscape.mesh import effective_mesh_size, habitat_pieces, mesh_change
from habitat.landscape.metrics import landscape_metrics, metrics_from_stats
from habitat.landscape.patches import PatchStats, patch_stats, patch_stats_array
from habitat.landscape.sources import RasterSource, open_raster_source, rasterize_land_cover
from habitat.landscape.zones import zone_readers

__all__ = [
    "PatchStats",
    "RasterSource",
    "barrier_density_in_ranges",
    "barrier_lengths",
    "composition_in_ranges",
    "landscape_in_ranges",
    "effective_mesh_size",
    "habitat_pieces",
    "landscape_metrics",
    "line_density_in_ranges",
    "mesh_change",
    "metrics_from_stats",
    "open_raster_source",
    "patch_stats",
    "patch_stats_array",
    "rasterize_land_cover",
    "summarise_layers",
    "zone_readers",
]

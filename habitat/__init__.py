"""habitat: geospatial habitat and territory analysis.

Home ranges, overlap, fragmentation and corridor metrics computed in a CRS the
library chooses, with units in every name, rendered as Folium maps. Built for
the Amur leopard range (SW Primorsky Krai, Russia, and NE China).

Importing habitat has no side effects (no warnings filters, no global settings).
"""

from __future__ import annotations

__version__ = "0.1.0"

from habitat import crs, datasets, errors, units  # noqa: E402
from habitat.cleaning import flag_relocations, summarise_relocations  # noqa: E402
from habitat.errors import HabitatError  # noqa: E402
from habitat.homerange import (  # noqa: E402
    home_range,
    home_ranges_from_polygons,
    synthetic_ranges,
)
from habitat.io.relocations import read_camera_traps, read_relocations  # noqa: E402
from habitat.layers import summarise_layers  # noqa: E402
from habitat.overlap import (  # noqa: E402
    distance_to_layer,
    exclusivity,
    overlap_matrix,
    overlap_with,
    pairwise_overlap,
    sex_pair_summary,
)
from habitat.overlap_ud import ud_overlap  # noqa: E402
from habitat.raster import Raster, read_geotiff, write_geotiff  # noqa: E402
from habitat.simulate import simulate_relocations  # noqa: E402
from habitat.territory import territory_table, write_territory_table  # noqa: E402

__all__ = [
    "HabitatError",
    "Raster",
    "__version__",
    "crs",
    "distance_to_layer",
    "exclusivity",
    "datasets",
    "errors",
    "flag_relocations",
    "home_range",
    "home_ranges_from_polygons",
    "overlap_matrix",
    "overlap_with",
    "pairwise_overlap",
    "read_camera_traps",
    "read_geotiff",
    "read_relocations",
    "sex_pair_summary",
    "simulate_relocations",
    "summarise_layers",
    "summarise_relocations",
    "synthetic_ranges",
    "territory_table",
    "ud_overlap",
    "units",
    "write_geotiff",
    "write_territory_table",
]

"""habitat: geospatial habitat and territory analysis.

Home ranges, overlap, fragmentation and corridor metrics computed in a CRS the
library chooses, with units in every name, rendered as Folium maps. Built for
the Amur leopard range (SW Primorsky Krai, Russia, and NE China).

The package is layered; imports go one way only (enforced by the import
contract in ``pyproject.toml``)::

    core          errors, units, crs, validation, fs, compat, tables
    io, datasets  relocations, cleaning flags, rasters; bundled layers, simulator
    analysis      movement, homerange, overlap, landscape, corridors
    presentation  maps, report
    orchestration batch, cli

Importing habitat has no side effects beyond registering the old (0.1) module
paths as aliases of their new homes (see :mod:`habitat._legacy`); no warnings
filters, no global settings.
"""

from __future__ import annotations

from typing import Any

from habitat import _legacy
from habitat.core import crs, errors, units
from habitat.core.errors import HabitatError
from habitat.core.version import __version__

_legacy.install()

from habitat import corridors, datasets  # noqa: E402
from habitat.corridors import (  # noqa: E402
    connectivity,
    connectivity_change,
    cost_allocation,
    cost_distance,
    current_flow,
    least_cost_path,
    pinch_points,
    resistance_surface,
)
from habitat.datasets.simulate import simulate_relocations  # noqa: E402
from habitat.homerange import (  # noqa: E402
    home_range,
    home_ranges_from_polygons,
    synthetic_ranges,
)
from habitat.io.cleaning import flag_relocations, summarise_relocations  # noqa: E402
from habitat.io.raster import Raster, read_geotiff, write_geotiff  # noqa: E402
from habitat.io.relocations import read_camera_traps, read_relocations  # noqa: E402
from habitat.io.species import SpeciesProfile, read_species_profile  # noqa: E402
from habitat.io.study_area import StudyArea, read_study_area, study_layer  # noqa: E402
from habitat.landscape.layers import summarise_layers  # noqa: E402
from habitat.landscape.mesh import effective_mesh_size, mesh_change  # noqa: E402
from habitat.landscape.metrics import landscape_metrics  # noqa: E402
from habitat.movement import (  # noqa: E402
    MovementModel,
    fit_movement,
    select_movement_model,
    simulate_movement,
    variogram,
)
from habitat.overlap.territory import (  # noqa: E402
    area_shares,
    territory_table,
    write_territory_table,
)
from habitat.overlap.ud import ud_overlap  # noqa: E402
from habitat.overlap.vector import (  # noqa: E402
    distance_to_layer,
    exclusivity,
    overlap_matrix,
    overlap_with,
    pairwise_overlap,
    sex_pair_summary,
)

_legacy.install_moved_functions()

__all__ = [
    "HabitatError",
    "MovementModel",
    "Raster",
    "SpeciesProfile",
    "StudyArea",
    "__version__",
    "area_shares",
    "connectivity",
    "connectivity_change",
    "corridors",
    "cost_allocation",
    "cost_distance",
    "crs",
    "current_flow",
    "distance_to_layer",
    "effective_mesh_size",
    "exclusivity",
    "datasets",
    "errors",
    "fit_movement",
    "flag_relocations",
    "home_range",
    "home_ranges_from_polygons",
    "landscape_metrics",
    "least_cost_path",
    "mesh_change",
    "overlap_matrix",
    "overlap_with",
    "pairwise_overlap",
    "pinch_points",
    "read_camera_traps",
    "read_geotiff",
    "read_relocations",
    "read_species_profile",
    "read_study_area",
    "resistance_surface",
    "select_movement_model",
    "sex_pair_summary",
    "simulate_movement",
    "simulate_relocations",
    "study_layer",
    "summarise_layers",
    "summarise_relocations",
    "synthetic_ranges",
    "territory_table",
    "ud_overlap",
    "units",
    "variogram",
    "write_geotiff",
    "write_territory_table",
]


def __getattr__(name: str) -> Any:
    """``habitat.<old module>`` (e.g. ``habitat.overlap_ud``) still resolves, with a warning."""
    return _legacy.module_attribute(name)

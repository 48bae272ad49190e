"""Folium maps of the study area, home ranges, fixes, land cover and corridors (presentation layer).

* :mod:`habitat.maps.build` - :func:`study_area_map` and the ``add_*`` layer
  functions, legend, popups in readable units, size budget, :func:`save_map`.
* :mod:`habitat.maps.assets` - the CDN assets folium loads, fetched once and
  inlined for offline maps (``python -m habitat.maps.assets fetch FOLDER``).
"""

from habitat.maps.build import (
    LAND_COVER_COLOURS,
    LAYER_STYLES,
    SEX_COLOURS,
    add_corridors,
    add_current_density,
    add_home_ranges,
    add_land_cover,
    add_legend,
    add_relocations,
    add_vector_layer,
    prepare_layers,
    raster_lonlat_bounds,
    save_map,
    study_area_map,
    warp_to_web_map,
)

__all__ = [
    "LAND_COVER_COLOURS",
    "LAYER_STYLES",
    "SEX_COLOURS",
    "add_corridors",
    "add_current_density",
    "add_home_ranges",
    "add_land_cover",
    "add_legend",
    "add_relocations",
    "add_vector_layer",
    "prepare_layers",
    "raster_lonlat_bounds",
    "save_map",
    "study_area_map",
    "warp_to_web_map",
]

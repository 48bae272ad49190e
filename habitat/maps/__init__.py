"""Folium maps of the study area, home ranges, fixes, land cover and corridors (presentation layer).

Modules, by concern (each imports only the ones above it):

* :mod:`habitat.maps.style` - palettes (:data:`LAYER_STYLES`,
  :data:`LAND_COVER_COLOURS`, :data:`SEX_COLOURS`), colour checks, the text
  of values in popups (areas in km² and sq mi, lengths in km and mi).
* :mod:`habitat.maps.display` - :func:`prepare_layers`: layers (a mapping or a
  :class:`~habitat.io.study_area.StudyArea`) measured, simplified in metres,
  reprojected to EPSG:4326 and rounded (the size budget).
* :mod:`habitat.maps.roles` - what a map draws of a study area: a StudyArea,
  ``None``, or a mapping of layer names given roles from their names.
* :mod:`habitat.maps.layers` - :func:`add_vector_layer`,
  :func:`add_home_ranges`, :func:`add_relocations`, :func:`add_corridors`.
* :mod:`habitat.maps.overlays` - :func:`add_land_cover`,
  :func:`add_current_density`, :func:`warp_to_web_map`.
* :mod:`habitat.maps.legend` - :func:`add_legend`.
* :mod:`habitat.maps.study_area` - :func:`study_area_map`, the whole map: layers
  styled by role (:data:`habitat.maps.style.ROLE_STYLES`) or by bundled key
  (:data:`LAYER_STYLES`), fitted to the data, titled from the study area or the data.
* :mod:`habitat.maps.save` - :func:`save_map`.
* :mod:`habitat.maps.assets` - the CDN assets folium loads, fetched once and
  inlined for offline maps (``python -m habitat.maps.assets fetch FOLDER``).

Renamed keywords (``color=`` -> ``colour=``, ``coordinate_precision=`` ->
``coordinate_decimals=``) still work with a warning (:mod:`habitat.core.deprecation`).
"""

from habitat.maps.display import prepare_layers
from habitat.maps.layers import add_corridors, add_home_ranges, add_relocations, add_vector_layer
from habitat.maps.legend import add_legend
from habitat.maps.overlays import (
    add_current_density,
    add_land_cover,
    raster_lonlat_bounds,
    warp_to_web_map,
)
from habitat.maps.save import save_map
from habitat.maps.study_area import study_area_map
from habitat.maps.style import LAND_COVER_COLOURS, LAYER_STYLES, SEX_COLOURS

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

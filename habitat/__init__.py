"""habitat: geospatial habitat and territory analysis.

Home ranges, overlap, fragmentation and corridor metrics computed in a CRS the
library chooses, with units in every name, rendered as Folium maps. Built for
the Amur leopard range (SW Primorsky Krai, Russia, and NE China).
"""

from __future__ import annotations

__version__ = "0.1.0"

from habitat import crs, errors, units  # noqa: E402
from habitat.errors import HabitatError  # noqa: E402

__all__ = ["HabitatError", "__version__", "crs", "errors", "units"]

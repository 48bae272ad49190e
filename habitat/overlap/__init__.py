"""Overlap of ranges with layers and with each other (analysis layer).

* :mod:`habitat.overlap.vector` - range × layer overlap, pairwise overlap,
  exclusivity, distances to a layer (polygons, exact areas).
* :mod:`habitat.overlap.ud` - Fieberg & Kochanny's utilisation-distribution
  overlap indices (HR, PHR, VI, BA, UDOI, HD).
* :mod:`habitat.overlap.territory` - the territory report table.
"""

from habitat.overlap.territory import area_shares, territory_table, write_territory_table
from habitat.overlap.ud import UD_OVERLAP_METHODS, ud_overlap, ud_overlap_from_arrays
from habitat.overlap.vector import (
    OUTSIDE,
    SexPairSummary,
    distance_to_layer,
    exclusivity,
    overlap_matrix,
    overlap_with,
    pairwise_overlap,
    sex_pair_summary,
)

__all__ = [
    "OUTSIDE",
    "UD_OVERLAP_METHODS",
    "SexPairSummary",
    "area_shares",
    "distance_to_layer",
    "exclusivity",
    "overlap_matrix",
    "overlap_with",
    "pairwise_overlap",
    "sex_pair_summary",
    "territory_table",
    "ud_overlap",
    "ud_overlap_from_arrays",
    "write_territory_table",
]

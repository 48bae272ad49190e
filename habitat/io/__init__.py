"""Readers that bring external data into habitat's standard schemas."""

from __future__ import annotations

from habitat.io.relocations import FORMATS, read_camera_traps, read_relocations
from habitat.io.species import SpeciesProfile, read_species_profile
from habitat.io.study_area import StudyArea, StudyLayer, read_study_area, study_layer

__all__ = [
    "FORMATS",
    "SpeciesProfile",
    "StudyArea",
    "StudyLayer",
    "read_camera_traps",
    "read_relocations",
    "read_species_profile",
    "read_study_area",
    "study_layer",
]

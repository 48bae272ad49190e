"""Readers that bring external data into habitat's standard schemas."""

from __future__ import annotations

from habitat.io.relocations import FORMATS, read_camera_traps, read_relocations

__all__ = ["FORMATS", "read_camera_traps", "read_relocations"]

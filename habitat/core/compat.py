"""Optional dependencies, imported where they are used, with an install hint."""

from __future__ import annotations

import importlib
from types import ModuleType

from habitat.core.errors import MissingDependencyError

__all__ = ["import_optional"]


def import_optional(name: str, *, extra: str, purpose: str) -> ModuleType:
    """Import an optional dependency or raise :class:`MissingDependencyError`.

    Parameters
    ----------
    name : str
        Module name, e.g. ``"rasterio"``.
    extra : str
        The habitat extra that installs it, e.g. ``"raster"``.
    purpose : str
        What it is needed for, for the message.
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{purpose} needs the optional package '{name}', which is not installed. "
            f"Install it with `pip install 'habitat[{extra}]'` (or `pip install {name}`)."
        ) from exc

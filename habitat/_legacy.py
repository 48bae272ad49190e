"""Module paths of habitat 0.1 that moved in the re-layout, kept importable.

``import habitat.overlap_ud`` (and every other path listed in
:data:`MOVED`) still works: the old name is bound to the new module object
(so ``monkeypatch`` and ``isinstance`` see one module), with a
:class:`DeprecationWarning` naming the new path. ``habitat.crs``,
``habitat.units`` and ``habitat.errors`` are public, stable names of
:mod:`habitat.core` modules and do not warn.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

#: old module path -> new module path (deprecated: importing the old one warns)
MOVED: dict[str, str] = {
    "habitat.assets": "habitat.maps.assets",
    "habitat.cleaning": "habitat.io.cleaning",
    "habitat.demo": "habitat.batch.demo",
    "habitat.layers": "habitat.landscape.layers",
    "habitat.overlap_ud": "habitat.overlap.ud",
    "habitat.raster": "habitat.io.raster",
    "habitat.simulate": "habitat.datasets.simulate",
    "habitat.territory": "habitat.overlap.territory",
    "habitat.validation": "habitat.core.validation",
}

#: functions that left a module for a layer that module may not import
#: (plotting left analysis): (old module, name) -> new module
MOVED_FUNCTIONS: dict[tuple[str, str], str] = {
    ("habitat.homerange.curve", "plot_area_curve"): "habitat.report.figures",
}

#: public short names of foundation modules (no warning)
STABLE: dict[str, str] = {
    "habitat.crs": "habitat.core.crs",
    "habitat.errors": "habitat.core.errors",
    "habitat.units": "habitat.core.units",
}


def _warn(old: str, new: str, stacklevel: int) -> None:
    warnings.warn(
        f"{old} moved to {new} in habitat 0.2; import {new} instead "
        f"(the old path will be removed in a later release)",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


class _AliasLoader(importlib.abc.Loader):
    """Load an old module path as the module object at its new path."""

    def __init__(self, new: str, *, deprecated: bool) -> None:
        self.new = new
        self.deprecated = deprecated

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        if self.deprecated:
            _warn(spec.name, self.new, stacklevel=6)
        return importlib.import_module(self.new)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to execute: the module at the new path is already loaded."""


class AliasFinder(importlib.abc.MetaPathFinder):
    """Finds the old module paths of :data:`MOVED` and :data:`STABLE`."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname) or STABLE.get(fullname)
        if new is None:
            return None
        loader = _AliasLoader(new, deprecated=fullname in MOVED)
        return importlib.machinery.ModuleSpec(fullname, loader)


def install() -> None:
    """Register :class:`AliasFinder` once (idempotent)."""
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())


def _moved_function(old_module: str, name: str, new_module: str) -> Callable[..., Any]:
    """A stand-in at the old place that warns, then calls the function at its new home."""

    def moved(*args: Any, **kwargs: Any) -> Any:
        _warn(f"{old_module}.{name}", f"{new_module}.{name}", stacklevel=3)
        return getattr(importlib.import_module(new_module), name)(*args, **kwargs)

    moved.__name__ = moved.__qualname__ = name
    moved.__doc__ = f"Deprecated: moved to :func:`{new_module}.{name}`."
    return moved


def install_moved_functions() -> None:
    """Put a warning stand-in for each of :data:`MOVED_FUNCTIONS` at its old place.

    The new home is imported only when the stand-in is called, so importing
    the old module still loads no presentation code.
    """
    for (old_module, name), new_module in MOVED_FUNCTIONS.items():
        module = importlib.import_module(old_module)
        if not hasattr(module, name):
            setattr(module, name, _moved_function(old_module, name, new_module))


def module_attribute(name: str) -> ModuleType:
    """``habitat.<name>`` attribute access for an old module path (warns if deprecated)."""
    old = f"habitat.{name}"
    new = MOVED.get(old)
    if new is None:
        raise AttributeError(f"module 'habitat' has no attribute {name!r}")
    _warn(old, new, stacklevel=4)
    return importlib.import_module(new)

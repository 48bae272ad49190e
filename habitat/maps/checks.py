"""Checks of the options and layers the public map functions take.

Every bad value is an :class:`~habitat.core.errors.InputError` naming the
parameter, the value given and the values accepted; a map never fails later
with a foreign traceback (``folium``'s "Custom tiles must have an
attribution", a shapely error for a negative tolerance, ...).

An empty layer handed to a map is drawn as nothing, with a
:class:`~habitat.core.errors.DataQualityWarning` naming it: a map of the other
layers is what a user asking for a map expects, and the warning says which one
has nothing to show.
"""

from __future__ import annotations

import difflib
import math
import numbers
import warnings
from typing import Any

import folium
import geopandas as gpd

from habitat.core.errors import DataQualityWarning, InputError
from habitat.core.validation import require_geodataframe, require_layer_mapping
from habitat.io.raster import Raster

__all__ = [
    "check_bool",
    "check_coordinate_decimals",
    "check_map",
    "check_max_fixes",
    "check_opacity",
    "check_raster",
    "check_scale_limits",
    "check_simplify_m",
    "check_text",
    "check_tiles",
    "map_layers",
    "warn_if_empty",
]

#: largest ``coordinate_decimals`` accepted (1e-15 degree is far below a float's resolution)
MAX_COORDINATE_DECIMALS = 15
#: basemap names given as examples in messages
TILE_EXAMPLES = ("OpenStreetMap", "CartoDB positron", "Esri.WorldImagery")


def _number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_simplify_m(value: object, *, name: str = "simplify_m") -> float | None:
    """A simplification tolerance in metres: ``None``, 0 (none) or a finite number ≥ 0.

    Examples
    --------
    >>> check_simplify_m(50), check_simplify_m(None), check_simplify_m(0)
    (50.0, None, 0.0)
    >>> check_simplify_m(-5)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: simplify_m=-5 is not a tolerance in metres: use a finite \
number >= 0 (e.g. 50; 0 or None: no simplification).
    """
    if value is None:
        return None
    if not _number(value) or not math.isfinite(float(value)) or float(value) < 0:  # type: ignore[arg-type]
        raise InputError(
            f"{name}={value!r} is not a tolerance in metres: use a finite number >= 0 "
            "(e.g. 50; 0 or None: no simplification)."
        )
    return float(value)  # type: ignore[arg-type]


def check_coordinate_decimals(value: object, *, name: str = "coordinate_decimals") -> int | None:
    """Decimal places of a degree: ``None`` (full precision) or an integer 0..15.

    Examples
    --------
    >>> check_coordinate_decimals(5), check_coordinate_decimals(None)
    (5, None)
    >>> check_coordinate_decimals(2.5)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: coordinate_decimals=2.5 is not a number of decimal places: \
use an integer from 0 to 15 (5 is about 1 m) or None for full precision.
    """
    if value is None:
        return None
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or not 0 <= int(value) <= MAX_COORDINATE_DECIMALS:  # type: ignore[call-overload]
        raise InputError(
            f"{name}={value!r} is not a number of decimal places: use an integer from 0 to "
            f"{MAX_COORDINATE_DECIMALS} (5 is about 1 m) or None for full precision."
        )
    return int(value)  # type: ignore[call-overload]


def check_max_fixes(value: object, *, name: str = "max_fixes_per_individual") -> int | None:
    """A cap on fixes drawn per animal: ``None`` (all) or a positive integer.

    Examples
    --------
    >>> check_max_fixes(5000), check_max_fixes(None)
    (5000, None)
    >>> check_max_fixes(0)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: max_fixes_per_individual=0 is not a number of fixes: use a \
positive integer (e.g. 5000) or None to draw every fix.
    """
    if value is None:
        return None
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or int(value) < 1:  # type: ignore[call-overload]
        raise InputError(
            f"{name}={value!r} is not a number of fixes: use a positive integer "
            "(e.g. 5000) or None to draw every fix."
        )
    return int(value)  # type: ignore[call-overload]


def check_bool(value: object, *, name: str) -> bool:
    """``True`` or ``False`` (numpy booleans too), else :class:`InputError`.

    Examples
    --------
    >>> check_bool("yes", name="controls")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: controls='yes' must be True or False.
    """
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise InputError(f"{name}={value!r} must be True or False.")


def check_text(value: object, *, name: str) -> str:
    """A string (a title, a layer name), else :class:`InputError`.

    Examples
    --------
    >>> check_text(None, name="title")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: title=None must be a string.
    """
    if not isinstance(value, str):
        raise InputError(f"{name}={value!r} must be a string.")
    return value


def _provider_names() -> list[str]:
    import xyzservices  # type: ignore[import-untyped]

    return sorted(xyzservices.providers.flatten())


def check_tiles(value: object, *, name: str = "tiles") -> str | None:
    """A basemap folium knows by name, or ``None`` for a map without basemap.

    Names are those of :mod:`xyzservices` providers (``"OpenStreetMap"``,
    ``"CartoDB positron"``, ``"Esri.WorldImagery"``...), as folium reads them.

    Examples
    --------
    >>> check_tiles("OpenStreetMap"), check_tiles(None)
    ('OpenStreetMap', None)
    >>> check_tiles("nonsense")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: tiles='nonsense' is not a basemap folium knows: use a tile \
provider name such as 'OpenStreetMap', 'CartoDB positron' or 'Esri.WorldImagery' (any xyzservices \
provider), or None for a map without basemap...
    """
    if value is None:
        return None
    examples = f"'{TILE_EXAMPLES[0]}', '{TILE_EXAMPLES[1]}' or '{TILE_EXAMPLES[2]}'"
    if not isinstance(value, str):
        raise InputError(
            f"{name}={value!r} must be a tile provider name such as {examples}, or None for a "
            f"map without basemap; not {type(value).__name__}."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. providers that want an API key
            folium.TileLayer(tiles=value)
    except (ValueError, KeyError, TypeError) as exc:
        close = difflib.get_close_matches(value, _provider_names(), n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise InputError(
            f"{name}={value!r} is not a basemap folium knows: use a tile provider name such as "
            f"{examples} (any xyzservices provider), or None for a map without basemap.{hint}"
        ) from exc
    return value


def check_map(m: object, *, name: str = "m") -> folium.Map:
    """A :class:`folium.Map`, else :class:`InputError`.

    Examples
    --------
    >>> check_map(None)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: m must be a folium.Map (e.g. folium.Map(tiles=None) or \
habitat.maps.study_area_map(...)), not NoneType.
    """
    if not isinstance(m, folium.Map):
        raise InputError(
            f"{name} must be a folium.Map (e.g. folium.Map(tiles=None) or "
            f"habitat.maps.study_area_map(...)), not {type(m).__name__}."
        )
    return m


def warn_if_empty(gdf: gpd.GeoDataFrame, *, name: str) -> bool:
    """Warn (naming the layer) and return ``True`` when a layer has nothing to draw.

    Examples
    --------
    >>> import warnings
    >>> import geopandas as gpd
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_if_empty(gpd.GeoDataFrame(geometry=[], crs=4326), name="roads")
    True
    >>> print(caught[0].message)
    layer 'roads' is empty (no non-empty geometry): nothing drawn for it.
    """
    geoms = gdf.geometry
    if len(gdf) and bool((geoms.notna() & ~geoms.is_empty).any()):
        return False
    warnings.warn(
        f"layer {name!r} is empty (no non-empty geometry): nothing drawn for it.",
        DataQualityWarning,
        stacklevel=3,
    )
    return True


def map_layers(layers: object, *, name: str = "layers") -> dict[str, Any]:
    """Check the layers of a map: a mapping of names to GeoDataFrames.

    Raises
    ------
    InputError
        For ``None`` or another non-mapping, a key that is not a string, or a
        value that is not a GeoDataFrame (naming the layer).

    Examples
    --------
    >>> map_layers(None)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: layers must be a mapping of layer names to GeoDataFrames \
(e.g. habitat.datasets.layers()), not NoneType.
    >>> map_layers({"roads": None})
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: layer 'roads' of layers must be a GeoDataFrame, not NoneType; \
pass {} for a map without context layers, or leave 'roads' out.
    """
    checked = require_layer_mapping(layers, name=name)
    for key, gdf in checked.items():
        require_geodataframe(
            gdf,
            name=f"layer {key!r} of {name}",
            hint=f"pass {{}} for a map without context layers, or leave {key!r} out.",
        )
    return checked


def check_opacity(value: object, *, name: str = "opacity") -> float:
    """An opacity from 0 (transparent) to 1 (opaque), else :class:`InputError`.

    Examples
    --------
    >>> check_opacity(0.6)
    0.6
    >>> check_opacity(2)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: opacity=2 must be a number from 0 (transparent) to 1 (opaque).
    """
    if not _number(value) or not 0.0 <= float(value) <= 1.0:  # type: ignore[arg-type]
        raise InputError(f"{name}={value!r} must be a number from 0 (transparent) to 1 (opaque).")
    return float(value)  # type: ignore[arg-type]


def check_raster(value: object, *, name: str = "raster") -> Raster:
    """A habitat :class:`~habitat.io.raster.Raster`, else :class:`InputError`.

    Examples
    --------
    >>> check_raster(None, name="land_cover")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: land_cover must be a habitat Raster (e.g. \
habitat.read_geotiff(path) or habitat.datasets.land_cover()), not NoneType.
    """
    if not isinstance(value, Raster):
        raise InputError(
            f"{name} must be a habitat Raster (e.g. habitat.read_geotiff(path) or "
            f"habitat.datasets.land_cover()), not {type(value).__name__}."
        )
    return value


def check_scale_limits(vmin: object, vmax: object) -> tuple[float | None, float | None]:
    """Colour-scale limits: each ``None`` or finite, and ``vmin < vmax`` when both are given.

    Examples
    --------
    >>> check_scale_limits(0, 2.5), check_scale_limits(None, 0)
    ((0.0, 2.5), (None, 0.0))
    >>> check_scale_limits(5, 1)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: vmin=5 must be below vmax=1 (the colour scale runs from vmin \
to vmax); swap them or leave one out (None: from the data).
    """
    out: list[float | None] = []
    for label, value in (("vmin", vmin), ("vmax", vmax)):
        if value is None:
            out.append(None)
            continue
        if not _number(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
            raise InputError(
                f"{label}={value!r} must be a finite number in the raster's unit, or None "
                "(from the data)."
            )
        out.append(float(value))  # type: ignore[arg-type]
    lo, hi = out
    if lo is not None and hi is not None and not lo < hi:
        raise InputError(
            f"vmin={vmin!r} must be below vmax={vmax!r} (the colour scale runs from vmin to "
            "vmax); swap them or leave one out (None: from the data)."
        )
    return lo, hi

"""Shared input checks: each check lives here once and raises a habitat error.

CRS checks live in :mod:`habitat.core.crs`; unit conversions in :mod:`habitat.core.units`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from habitat.core.errors import (
    ColumnError,
    CoordinateError,
    DataQualityWarning,
    EmptyDataError,
    GeometryTypeError,
    InputError,
    where,
)

__all__ = [
    "look_like_degrees",
    "repair_polygons",
    "require_columns",
    "require_finite_coordinates",
    "require_fraction",
    "require_geodata",
    "require_geodataframe",
    "require_geometry_type",
    "require_layer_mapping",
    "require_not_empty",
    "require_polygons",
]

#: shapely/GEOS type ids by name, and names by id
_TYPE_NAMES = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
)
_TYPE_IDS = {name: i for i, name in enumerate(_TYPE_NAMES)}


def look_like_degrees(x: Any, y: Any, crs: Any) -> np.ndarray:
    """Which points of a projected CRS lie within ±180/±90, as longitude/latitude would.

    The one "these coordinates look like degrees" check: degrees declared as
    metres put every fix within 180 m × 90 m of the CRS's false origin, so
    ranges of a few m² (1e-9 km²) come out. Used when relocations are read and
    when home ranges are judged.

    Parameters
    ----------
    x, y : array_like
        Coordinates in ``crs``.
    crs : CRS-like or None
        Their CRS; geographic CRSs (degrees) and ``None`` give all False.

    Returns
    -------
    numpy.ndarray of bool
        Per point; ``.all()`` for "these coordinates look like degrees".

    Examples
    --------
    Leopard fixes in longitude/latitude declared as UTM 52N metres, and the
    same fixes in true UTM metres:

    >>> look_like_degrees([131.2, 131.3], [43.1, 43.2], "EPSG:32652").tolist()
    [True, True]
    >>> look_like_degrees([640_000.0], [4_773_000.0], "EPSG:32652").tolist()
    [False]
    >>> look_like_degrees([131.2], [43.1], "EPSG:4326").tolist()  # degrees where expected
    [False]
    """
    from pyproj import CRS  # here, not at the top: only this check needs it

    ax = np.abs(np.asarray(x, dtype=float))
    ay = np.abs(np.asarray(y, dtype=float))
    if crs is None or CRS.from_user_input(crs).is_geographic:
        return np.zeros(np.broadcast(ax, ay).shape, dtype=bool)
    return (ax <= 180.0) & (ay <= 90.0)


def require_geodataframe(
    data: object, *, name: str = "data", what: str = "", hint: str = ""
) -> gpd.GeoDataFrame:
    """Return ``data`` if it is a GeoDataFrame, else raise :class:`InputError` saying how to fix it.

    Parameters
    ----------
    data : object
        The value to check.
    name : str
        What the value is called in the message (``"relocations"``).
    what : str
        What it should hold (``"of points"``), appended to "a GeoDataFrame".
    hint : str
        How to make one (``"read them with habitat.read_relocations."``).

    Examples
    --------
    >>> require_geodataframe([1, 2], name="relocations", what="of points",
    ...                      hint="read them with habitat.read_relocations.")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: relocations must be a GeoDataFrame of points, not list; \
read them with habitat.read_relocations.
    """
    if not isinstance(data, gpd.GeoDataFrame):
        kind = f"a GeoDataFrame {what}".rstrip()
        raise InputError(
            f"{name} must be {kind}, not {type(data).__name__}" + (f"; {hint}" if hint else ".")
        )
    return data


def require_geodata(
    data: object, *, name: str = "data", hint: str = ""
) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Return ``data`` if it is a GeoDataFrame or GeoSeries, else raise :class:`InputError`.

    Parameters
    ----------
    data : object
        The value to check.
    name : str
        What the value is called in the message (``"layer"``).
    hint : str
        How to make one.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> s = gpd.GeoSeries([Point(0, 0)], crs="EPSG:32652")
    >>> require_geodata(s) is s
    True
    >>> require_geodata({"a": 1}, name="layer")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: layer must be a GeoDataFrame or GeoSeries, not dict.
    """
    if not isinstance(data, gpd.GeoDataFrame | gpd.GeoSeries):
        raise InputError(
            f"{name} must be a GeoDataFrame or GeoSeries, not {type(data).__name__}"
            + (f"; {hint}" if hint else ".")
        )
    return data


def require_columns(
    df: pd.DataFrame,
    columns: Iterable[str],
    *,
    name: str = "data",
    source: object | None = None,
    hint: str = "",
) -> None:
    """Raise :class:`ColumnError` listing every missing column and the columns present.

    Examples
    --------
    >>> import pandas as pd
    >>> fixes = pd.DataFrame({"individual": ["F1"], "lon": [131.3]})
    >>> require_columns(fixes, ["individual", "lon"])  # all present: returns None
    >>> require_columns(fixes, ["individual", "timestamp", "lat"], name="relocations",
    ...                 source="fixes.csv")
    Traceback (most recent call last):
    ...
    habitat.core.errors.ColumnError: relocations in file 'fixes.csv' is missing the column(s) \
'timestamp', 'lat'; it has: 'individual', 'lon'.
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        loc = where(file=source) if source is not None else ""
        present = ", ".join(map(repr, list(df.columns)[:20]))
        raise ColumnError(
            f"{name} {loc + ' ' if loc else ''}is missing the column(s) "
            f"{', '.join(map(repr, missing))}; it has: {present or 'no columns'}."
            + (f" {hint}" if hint else "")
        )


def require_not_empty(
    df: pd.DataFrame, *, name: str = "data", source: object | None = None
) -> None:
    """Raise :class:`EmptyDataError` if ``df`` has no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> require_not_empty(pd.DataFrame({"x": []}), name="relocations", source="fixes.csv")
    Traceback (most recent call last):
    ...
    habitat.core.errors.EmptyDataError: relocations (in file 'fixes.csv') holds no rows; \
there is nothing to analyse.
    """
    if len(df) == 0:
        loc = f" ({where(file=source)})" if source is not None else ""
        raise EmptyDataError(f"{name}{loc} holds no rows; there is nothing to analyse.")


def require_geometry_type(
    data: gpd.GeoDataFrame | gpd.GeoSeries,
    allowed: Sequence[str],
    *,
    name: str = "data",
    source: object | None = None,
    allow_empty: bool = False,
) -> None:
    """Raise :class:`GeometryTypeError` if any geometry is not of an ``allowed`` type.

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
    allowed : sequence of str
        Geometry type names, e.g. ``("Point",)`` or ``("Polygon", "MultiPolygon")``.
    name, source : str
        For the message.
    allow_empty : bool
        Whether missing or empty geometries are acceptable.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import shapely
    >>> fixes = gpd.GeoSeries([shapely.Point(0, 0), shapely.box(0, 0, 1, 1)], index=["a", "b"])
    >>> require_geometry_type(fixes.iloc[:1], ("Point",))  # only points: returns None
    >>> require_geometry_type(fixes, ("Point",), name="relocations")
    Traceback (most recent call last):
    ...
    habitat.core.errors.GeometryTypeError: relocations must hold Point geometries but has \
Polygon (rows b). For relocations, convert to points first, ...
    """
    data = require_geodata(data, name=name)
    geoms = data.geometry if isinstance(data, gpd.GeoDataFrame) else data
    arr = geoms.to_numpy()
    type_ids = shapely.get_type_id(arr)  # vectorised; -1 for missing
    missing = pd.Series(type_ids < 0, index=geoms.index)
    empty = pd.Series(shapely.is_empty(arr), index=geoms.index) & ~missing
    allowed_ids = [_TYPE_IDS[t] for t in allowed]
    names = pd.Series(
        np.asarray(_TYPE_NAMES, dtype=object)[np.maximum(type_ids, 0)], index=geoms.index
    )
    if not allow_empty and (missing | empty).any():
        bad = list(geoms.index[missing | empty])
        raise GeometryTypeError(
            f"{name} has missing or empty geometries ({where(file=source, rows=bad)}); "
            "drop them (e.g. `gdf[~gdf.geometry.is_empty & gdf.geometry.notna()]`) or fix "
            "their coordinates."
        )
    wrong = pd.Series(~np.isin(type_ids, allowed_ids), index=geoms.index) & ~missing & ~empty
    if wrong.any():
        bad = list(geoms.index[wrong])
        found = ", ".join(sorted(set(names[wrong])))
        raise GeometryTypeError(
            f"{name} must hold {' or '.join(allowed)} geometries but has {found} "
            f"({where(file=source, rows=bad)}). "
            + (
                "For relocations, convert to points first, e.g. `gdf.geometry.centroid` or "
                "`gdf.explode()` for MultiPoints."
                if "Point" in allowed
                else "Pass polygons (e.g. buffer points or lines first)."
            )
        )


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep the polygonal parts of a repaired geometry (drop collapsed lines/points)."""
    if shapely.get_type_id(geom) in (3, 6):
        return geom
    parts = shapely.get_parts(geom)
    polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
    return shapely.union_all(polys) if len(polys) else shapely.Polygon()


def repair_polygons(
    geoms: np.ndarray, *, name: str = "polygons", labels: Sequence[object] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Repair invalid polygons with :func:`shapely.make_valid`, recording why.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        (Multi)Polygons.
    name : str
        What they are, for the warning.
    labels : sequence, optional
        Row labels for the warning (the positions by default).

    Returns
    -------
    fixed : numpy.ndarray
        The geometries, invalid ones replaced by their polygonal repair.
    reasons : numpy.ndarray of str
        GEOS's reason (:func:`shapely.is_valid_reason`) for repaired rows, ``""``
        for valid ones.

    Warns
    -----
    DataQualityWarning
        When anything was repaired, naming the rows and reasons.

    Examples
    --------
    A valid 10 × 10 square and a self-intersecting "bow tie" drawn over the same corners:

    >>> import warnings
    >>> import numpy as np
    >>> import shapely
    >>> square = shapely.box(0, 0, 10, 10)
    >>> bow_tie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     fixed, reasons = repair_polygons(np.array([square, bow_tie]), labels=["A", "B"])
    >>> print(caught[0].message)
    polygons: 1 invalid polygon(s) repaired with shapely.make_valid \
(row B: Self-intersection[5 5]); see the 'repaired' column.
    >>> list(reasons)
    ['', 'Self-intersection[5 5]']

    The bow tie becomes its two triangles (half the square); the valid square is unchanged:

    >>> fixed[1].geom_type, fixed[1].area, fixed[0] is square
    ('MultiPolygon', 50.0, True)
    """
    if not isinstance(geoms, np.ndarray):
        raise InputError(
            f"{name}: repair_polygons takes a numpy array of shapely geometries, not "
            f"{type(geoms).__name__}; pass `gdf.geometry.to_numpy()`."
        )
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    non_finite = np.unique(owner[~np.isfinite(coords).all(axis=1)])
    if len(non_finite):  # GEOS cannot repair (or test) these: refuse, naming the rows
        lab = list(labels) if labels is not None else list(range(len(geoms)))
        raise CoordinateError(
            f"{name} has NaN or infinite coordinates ({where(rows=[lab[i] for i in non_finite])}); "
            "geometry cannot be computed with them. Fix those vertices or drop those rows, then "
            "try again."
        )
    reasons = np.full(len(geoms), "", dtype=object)
    bad = np.flatnonzero(~shapely.is_valid(geoms))
    if len(bad) == 0:
        return geoms, reasons
    reasons[bad] = shapely.is_valid_reason(geoms[bad])
    out = geoms.copy()
    out[bad] = [_polygonal(g) for g in shapely.make_valid(geoms[bad])]  # invalid ones only
    lab = list(labels) if labels is not None else list(range(len(geoms)))
    shown = "; ".join(f"row {lab[i]}: {reasons[i]}" for i in bad[:5])
    warnings.warn(
        f"{name}: {len(bad)} invalid polygon(s) repaired with shapely.make_valid ({shown}"
        f"{'; ...' if len(bad) > 5 else ''}); see the 'repaired' column.",
        DataQualityWarning,
        stacklevel=3,
    )
    return out, reasons


def require_finite_coordinates(
    data: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    name: str = "data",
    source: object | None = None,
    after: str = "",
) -> None:
    """Raise :class:`CoordinateError` naming the rows with NaN or infinite vertices.

    GEOS cannot compute with such vertices (``GEOSException: ... encountered
    NaN/Inf numbers``) and areas of them come out NaN; habitat refuses them
    up front. Vectorised over all vertices (:func:`shapely.get_coordinates`).

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
    name, source : str
        For the message (layer name, file).
    after : str
        What produced the coordinates, e.g. ``"reprojection to EPSG:6933"``: the
        message then says the vertices cannot be represented in that CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import shapely
    >>> park = gpd.GeoSeries([shapely.box(0, 0, 1, 1),
    ...                       shapely.Polygon([(0, 0), (float("nan"), 0), (1, 1)])],
    ...                      index=["core", "buffer"])
    >>> require_finite_coordinates(park.iloc[:1], name="park")  # finite: returns None
    >>> require_finite_coordinates(park, name="park", source="park.gpkg")
    Traceback (most recent call last):
    ...
    habitat.core.errors.CoordinateError: park has NaN or infinite coordinates (in file \
'park.gpkg', rows buffer); ...
    """
    data = require_geodata(data, name=name)
    geoms = data.geometry if isinstance(data, gpd.GeoDataFrame) else data
    coords, idx = shapely.get_coordinates(geoms.to_numpy(), include_z=False, return_index=True)
    bad_vertex = ~np.isfinite(coords).all(axis=1)
    if not bad_vertex.any():
        return
    bad = list(geoms.index[np.unique(idx[bad_vertex])])
    loc = where(file=source, rows=bad)
    if after:
        raise CoordinateError(
            f"{name} cannot be represented after {after}: vertices become NaN or infinite "
            f"({loc}). The coordinates are probably outside the CRS's valid range (latitudes "
            "beyond ±90°, metres given as degrees, a wrong declared CRS); fix the coordinates "
            "or the declared CRS of those rows."
        )
    raise CoordinateError(
        f"{name} has NaN or infinite coordinates ({loc}); geometry cannot be computed with "
        "them. Fix those vertices or drop those rows, then try again."
    )


def require_polygons(
    data: object,
    *,
    name: str = "polygons",
    source: object | None = None,
    allow_empty: bool = False,
    allow_no_rows: bool = False,
) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """The one check of a polygon layer: type, rows, geometry types and finite vertices.

    Parameters
    ----------
    data : object
        Should be a GeoDataFrame or GeoSeries of (Multi)Polygons.
    name : str
        The layer's name for every message (``"ranges"``, ``"zones"``).
    source : str or path, optional
        The file it came from, if any.
    allow_empty : bool
        Whether missing or empty geometries are acceptable.
    allow_no_rows : bool
        Whether a layer without rows is acceptable.

    Returns
    -------
    GeoDataFrame or GeoSeries
        ``data`` itself.

    Raises
    ------
    InputError
        If ``data`` is not a GeoDataFrame or GeoSeries.
    EmptyDataError
        If it has no rows (naming the layer).
    GeometryTypeError
        For non-polygons or (unless allowed) missing/empty geometries, naming the rows.
    CoordinateError
        For NaN or infinite vertices, naming the rows.

    Notes
    -----
    Invalid (e.g. self-intersecting) polygons pass this check: functions that
    measure them repair them with :func:`repair_polygons` (a warning and a
    ``repaired`` column), see :mod:`habitat.overlap.vector`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import shapely
    >>> zones = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=32652)
    >>> require_polygons(zones, name="zones") is zones
    True
    >>> require_polygons(zones.iloc[:0], name="zones")
    Traceback (most recent call last):
    ...
    habitat.core.errors.EmptyDataError: zones holds no rows; ...
    """
    geodata = require_geodata(data, name=name, hint="give polygons with a declared CRS.")
    if len(geodata) == 0 and not allow_no_rows:
        loc = f" ({where(file=source)})" if source is not None else ""
        raise EmptyDataError(
            f"{name}{loc} holds no rows; there are no polygons to work with. Check that the "
            f"layer was read from the right file and not filtered away."
        )
    require_geometry_type(
        geodata, ("Polygon", "MultiPolygon"), name=name, source=source, allow_empty=allow_empty
    )
    require_finite_coordinates(geodata, name=name, source=source)
    return geodata


def require_fraction(value: object, *, name: str = "level") -> float:
    """A fraction in (0, 1], such as a home-range level; else :class:`InputError` saying so.

    Examples
    --------
    >>> require_fraction(0.95)
    0.95
    >>> require_fraction("high")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: level must be a fraction in (0, 1] such as 0.95, not 'high'.
    >>> require_fraction(95)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: level must be a fraction in (0, 1] such as 0.95, not 95; \
for a percentage write 0.95.
    """
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    number = float(value) if ok else float("nan")  # type: ignore[arg-type]
    if not (ok and np.isfinite(number) and 0 < number <= 1):
        hint = (
            f"; for a percentage write {number / 100:g}."
            if ok and np.isfinite(number) and 1 < number <= 100
            else "."
        )
        raise InputError(f"{name} must be a fraction in (0, 1] such as 0.95, not {value!r}" + hint)
    return number


def require_bool(value: object, *, name: str) -> bool:
    """``True`` or ``False`` (numpy's too), else :class:`InputError`: ``"no"`` is not False.

    Examples
    --------
    >>> require_bool(np.True_, name="exclude_flagged")
    True
    >>> require_bool("no", name="exclude_flagged")
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: exclude_flagged must be True or False, not 'no'.
    """
    if not isinstance(value, bool | np.bool_):
        raise InputError(f"{name} must be True or False, not {value!r}.")
    return bool(value)


def require_layer_mapping(layers: object, *, name: str = "layers") -> dict[str, Any]:
    """A mapping of layer names to layers, else :class:`InputError` saying how to make one.

    Examples
    --------
    >>> require_layer_mapping({"roads": None})
    {'roads': None}
    >>> require_layer_mapping(None)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: layers must be a mapping of layer names to GeoDataFrames \
(e.g. habitat.datasets.layers()), not NoneType.
    """
    if not isinstance(layers, Mapping):
        raise InputError(
            f"{name} must be a mapping of layer names to GeoDataFrames "
            f"(e.g. habitat.datasets.layers()), not {type(layers).__name__}."
        )
    bad = [k for k in layers if not isinstance(k, str)]
    if bad:
        raise InputError(f"{name} must be keyed by layer names (str); got keys {bad[:5]!r}.")
    return dict(layers)

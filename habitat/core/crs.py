"""CRS policy: the one place that decides in which CRS things are measured.

Rules
-----
* Data must declare its CRS. Data without one is refused with
  :class:`~habitat.core.errors.MissingCRSError`; habitat never guesses.
* Areas are computed in an **equal-area** CRS chosen for the data's extent:
  a local Lambert azimuthal equal-area projection centred on the extent
  (:func:`equal_area_crs`). For the Amur leopard range this is
  ``+proj=laea +lat_0=43.5 +lon_0=131``.
* Distances are computed in a **metric conformal** CRS chosen for the extent:
  the UTM zone of the extent's centre (:func:`metric_crs`); the whole leopard
  range lies in UTM 52N (EPSG:32652).
* Degrees (geographic CRSs) and Web Mercator (EPSG:3857, which inflates areas
  by about 1/cos²(43°) ≈ 1.87 at the study area) are never used for
  measurement; a caller-supplied measurement CRS of that kind is refused with
  :class:`~habitat.core.errors.ProjectedCRSRequiredError`.
* Only CRSs that place data on the Earth's surface are accepted: geographic
  (longitude/latitude) and projected CRSs, also as the horizontal part of a
  compound or bound CRS. Geocentric (EPSG:4978), vertical (EPSG:5773),
  engineering (local) and temporal CRSs are refused with
  :class:`~habitat.core.errors.CRSError` naming the CRS (:func:`as_crs`, the one
  place every CRS a caller gives goes through).
* Two layers in different CRSs are never combined silently: callers either
  :func:`align` them explicitly (which logs what was done) or
  :func:`check_same_crs` refuses them.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from habitat.core.errors import (
    CoordinateError,
    CRSError,
    CRSMismatchError,
    EmptyDataError,
    InputError,
    MissingCRSError,
    ProjectedCRSRequiredError,
)
from habitat.core.validation import require_finite_coordinates

__all__ = [
    "LARGE_FEATURE_DEG",
    "UTM_52N",
    "WGS84",
    "align",
    "area_m2",
    "as_crs",
    "check_same_crs",
    "clear_projection_cache",
    "describe_crs",
    "equal_area_crs",
    "geodesic_area_m2",
    "is_equal_area",
    "is_web_mercator",
    "length_m",
    "lonlat_bounds",
    "metric_crs",
    "require_crs",
    "require_measurement_crs",
    "require_surface_crs",
    "to_crs_threaded",
    "to_equal_area",
    "to_metric",
]

log = logging.getLogger(__name__)

#: WGS 84 longitude/latitude, the exchange CRS of bundled layers and maps.
WGS84 = CRS.from_epsg(4326)
#: WGS 84 / UTM zone 52N, which covers the whole Amur leopard range.
UTM_52N = CRS.from_epsg(32652)

_WEB_MERCATOR_METHODS = {"Popular Visualisation Pseudo Mercator"}
_EQUAL_AREA_WORDS = ("Equal Area", "Mollweide", "Sinusoidal", "Equal Earth", "Eckert IV")

GeoData: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries


#: a feature wider or taller than this (degrees: a country or continent of a world
#: layer, anything across the antimeridian) is measured only near the data analysed:
#: it must neither move the projection centre nor be projected whole into a local CRS
LARGE_FEATURE_DEG = 10.0


def describe_crs(crs: Any) -> str:
    """Short human-readable name of a CRS for messages (``EPSG:4326``, a PROJ string...).

    Examples
    --------
    >>> describe_crs("EPSG:32652")
    'EPSG:32652 (WGS 84 / UTM zone 52N)'
    >>> describe_crs(None)
    'no CRS'
    """
    if crs is None:
        return "no CRS"
    try:
        crs = CRS.from_user_input(crs)
    except (PyprojCRSError, TypeError, ValueError):
        return repr(crs)
    auth = crs.to_authority(min_confidence=90)
    if auth is not None:
        return f"{auth[0]}:{auth[1]} ({crs.name})"
    return crs.srs if crs.srs.startswith("+") else crs.name


def require_surface_crs(crs: CRS, *, name: str = "crs", source: object | None = None) -> CRS:
    """Refuse a CRS that does not place data on the Earth's surface.

    Geographic and projected CRSs are accepted, also as the horizontal part of
    a compound (e.g. ``EPSG:32652+5773``) or bound CRS. Geocentric (Earth-centred
    X/Y/Z, EPSG:4978), vertical (heights only, EPSG:5773), engineering (local
    grids with no link to the Earth) and temporal CRSs are refused: areas,
    distances and maps of them would be meaningless.

    Parameters
    ----------
    crs : pyproj.CRS
    name : str
        What the CRS belongs to, for the message (``"ranges"``, ``"crs"``).
    source : str or path, optional
        The file it came from, if any.

    Returns
    -------
    pyproj.CRS
        ``crs`` itself.

    Raises
    ------
    CRSError
        Naming the CRS and its kind.

    Examples
    --------
    >>> require_surface_crs(CRS.from_epsg(32652)).to_epsg()
    32652
    >>> require_surface_crs(CRS.from_epsg(4978), name="ranges")
    Traceback (most recent call last):
    ...
    habitat.core.errors.CRSError: ranges is in EPSG:4978 (WGS 84), a Geocentric CRS, ...
    """
    if crs.is_geographic or crs.is_projected:
        return crs
    origin = f" (read from '{source}')" if source is not None else ""
    raise CRSError(
        f"{name}{origin} is in {describe_crs(crs)}, {_article(crs.type_name)} {crs.type_name}, "
        "which does not place "
        "data on the Earth's surface; habitat needs longitude/latitude or a projected CRS. "
        "Declare the CRS the coordinates are really in (e.g. 'EPSG:4326' for degrees, "
        "'EPSG:32652' for UTM 52N metres), or convert them first (geocentric X/Y/Z to "
        "longitude/latitude with pyproj: `Transformer.from_crs(4978, 4326)`)."
    )


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def as_crs(value: Any, *, name: str = "crs", source: object | None = None) -> CRS:
    """Parse a CRS given by a caller (or read from a file), the one place that accepts CRSs.

    Parameters
    ----------
    value : anything :meth:`pyproj.CRS.from_user_input` accepts
        An EPSG code (``32652``, ``"EPSG:32652"``), a PROJ string, WKT, a
        :class:`pyproj.CRS`...
    name : str
        What the CRS is for, for the message.
    source : str or path, optional
        The file it came from, if any.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    CRSError
        If ``value`` is missing or not a CRS pyproj knows, or is not a surface
        CRS (:func:`require_surface_crs`).

    Examples
    --------
    >>> as_crs("EPSG:32652").name
    'WGS 84 / UTM zone 52N'
    >>> as_crs("UTM 52", name="crs")
    Traceback (most recent call last):
    ...
    habitat.core.errors.CRSError: crs='UTM 52' is not a CRS pyproj understands ...
    """
    if isinstance(value, CRS):
        crs = value
    else:
        if value is None or isinstance(value, bool) or (isinstance(value, str) and not value):
            raise CRSError(
                f"{name} is missing ({value!r}); give a CRS, e.g. 'EPSG:32652' (UTM 52N, "
                "metres) or 'EPSG:4326' (longitude/latitude)."
            )
        try:
            crs = CRS.from_user_input(value)
        except (PyprojCRSError, TypeError, ValueError) as exc:
            origin = f" (read from '{source}')" if source is not None else ""
            raise CRSError(
                f"{name}={value!r}{origin} is not a CRS pyproj understands ({exc}); give an "
                "EPSG code such as 'EPSG:32652' (UTM 52N, metres) or 'EPSG:4326', a PROJ "
                "string or WKT."
            ) from exc
    return require_surface_crs(crs, name=name, source=source)


def require_crs(data: GeoData, *, name: str = "data", source: object | None = None) -> CRS:
    """Return the CRS of ``data``, or raise if it declares none.

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
        The layer to check.
    name : str
        What the data is called in the message (``"relocations"``, a layer name).
    source : str or path, optional
        The file it came from, if any.

    Raises
    ------
    MissingCRSError
        With instructions to declare the CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> park = gpd.GeoSeries([box(500_000, 4_800_000, 510_000, 4_810_000)], crs="EPSG:32652")
    >>> require_crs(park).to_epsg()
    32652
    >>> require_crs(park.set_crs(None, allow_override=True), name="park")
    Traceback (most recent call last):
    ...
    habitat.core.errors.MissingCRSError: park has no coordinate reference system, ...
    """
    if not isinstance(data, gpd.GeoDataFrame | gpd.GeoSeries):
        raise InputError(
            f"{name} must be a GeoDataFrame or GeoSeries with a CRS, not {type(data).__name__}."
        )
    if data.crs is None:
        origin = f" (read from '{source}')" if source is not None else ""
        raise MissingCRSError(
            f"{name}{origin} has no coordinate reference system, and habitat never guesses "
            "one. Declare it: for longitude/latitude in degrees use "
            "`gdf.set_crs('EPSG:4326')`; for UTM 52N metres use `gdf.set_crs('EPSG:32652')`; "
            "when reading a CSV pass `crs=...` (e.g. `read_relocations(path, x='x', y='y', "
            "crs='EPSG:32652')`)."
        )
    return as_crs(data.crs, name=name, source=source)


def is_web_mercator(crs: Any) -> bool:
    """True for Web/Pseudo Mercator (EPSG:3857 and its aliases).

    Examples
    --------
    >>> is_web_mercator("EPSG:3857"), is_web_mercator("EPSG:32652")
    (True, False)
    """
    crs = as_crs(crs)
    op = crs.coordinate_operation
    if op is not None and op.method_name in _WEB_MERCATOR_METHODS:
        return True
    if not crs.is_projected or (op is not None and "mercator" not in op.method_name.lower()):
        return False  # only a Mercator can be an alias of 3857: skip the database lookup
    return crs.to_epsg() in {3857, 3785, 900913, 102100, 102113}


def is_equal_area(crs: Any) -> bool:
    """True if ``crs`` is a projected CRS whose projection preserves area.

    Examples
    --------
    >>> is_equal_area("EPSG:6933"), is_equal_area("EPSG:32652"), is_equal_area("EPSG:4326")
    (True, False, False)
    """
    crs = as_crs(crs)
    op = crs.coordinate_operation
    return bool(
        crs.is_projected
        and op is not None
        and any(w.lower() in op.method_name.lower() for w in _EQUAL_AREA_WORDS)
    )


def _metres_per_unit(crs: CRS) -> float:
    return float(crs.axis_info[0].unit_conversion_factor) if crs.axis_info else float("nan")


def require_measurement_crs(crs: Any, *, purpose: str = "areas", name: str = "crs") -> CRS:
    """Validate a caller-supplied CRS for measuring ``purpose``.

    Parameters
    ----------
    crs : anything :meth:`pyproj.CRS.from_user_input` accepts
        The proposed CRS.
    purpose : {"areas", "distances"}
        Areas need an equal-area projection; distances a projected CRS in metres.
    name : str
        Parameter name used in messages.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    ProjectedCRSRequiredError
        For geographic CRSs, Web Mercator, non-metre units or (for areas) a
        projection that is not equal-area.

    Examples
    --------
    UTM measures distances, but not areas; Web Mercator neither:

    >>> require_measurement_crs("EPSG:32652", purpose="distances").to_epsg()
    32652
    >>> require_measurement_crs("EPSG:32652")
    Traceback (most recent call last):
    ...
    habitat.core.errors.ProjectedCRSRequiredError: crs=EPSG:32652 (WGS 84 / UTM ...) does not ...
    >>> require_measurement_crs("EPSG:3857", purpose="distances")
    Traceback (most recent call last):
    ...
    habitat.core.errors.ProjectedCRSRequiredError: crs=EPSG:3857 (WGS 84 / Pseudo-Mercator) is ...
    """
    crs = as_crs(crs, name=name)
    hint = (
        "Leave it unset and habitat chooses a local equal-area CRS for areas "
        "(`habitat.core.crs.equal_area_crs(data)`) and the UTM zone for distances "
        "(`habitat.core.crs.metric_crs(data)`; EPSG:32652 for the leopard range)."
    )
    if not crs.is_projected:
        raise ProjectedCRSRequiredError(
            f"{name}={describe_crs(crs)} is in degrees; {purpose} cannot be measured in "
            f"degrees. {hint}"
        )
    if is_web_mercator(crs):
        raise ProjectedCRSRequiredError(
            f"{name}={describe_crs(crs)} is Web Mercator, which inflates areas about 1.87x "
            f"and distances about 1.37x at 43°N; it is for web tiles, not for {purpose}. {hint}"
        )
    if not np.isclose(_metres_per_unit(crs), 1.0):
        raise ProjectedCRSRequiredError(
            f"{name}={describe_crs(crs)} is not in metres "
            f"({crs.axis_info[0].unit_name}); habitat measures in metres. {hint}"
        )
    if purpose == "areas" and not is_equal_area(crs):
        raise ProjectedCRSRequiredError(
            f"{name}={describe_crs(crs)} does not preserve area; areas need an equal-area "
            f"projection (Lambert azimuthal equal-area, Albers, EPSG:6933...). {hint}"
        )
    return crs


def lonlat_bounds(data: GeoData) -> tuple[float, float, float, float]:
    """Bounds of ``data`` in degrees (west, south, east, north), densified for accuracy.

    Examples
    --------
    A 10 km square on the central meridian of UTM 52N (129°E):

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> square = gpd.GeoSeries([box(500_000, 4_800_000, 510_000, 4_810_000)], crs="EPSG:32652")
    >>> [round(v, 3) for v in lonlat_bounds(square)]
    [129.0, 43.353, 129.124, 43.443]
    """
    crs = require_crs(data)
    minx, miny, maxx, maxy = data.total_bounds
    if np.isinf([minx, miny, maxx, maxy]).any():
        require_finite_coordinates(data)  # names the rows
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        raise EmptyDataError(
            "cannot choose a CRS for data with no non-empty geometry; give at least one "
            "geometry with coordinates."
        )
    if crs.equals(WGS84):
        return float(minx), float(miny), float(maxx), float(maxy)
    t = Transformer.from_crs(crs, WGS84, always_xy=True)
    w, s, e, n = t.transform_bounds(minx, miny, maxx, maxy, densify_pts=21)
    return float(w), float(s), float(e), float(n)


def _extent(data: GeoData | tuple[float, float, float, float]) -> tuple[float, ...]:
    """(west, south, east, north) in degrees of data, or a checked extent tuple."""
    if not isinstance(data, tuple):
        return lonlat_bounds(data)
    try:
        w, s, e, n = (float(v) for v in data)
    except (TypeError, ValueError):
        raise InputError(
            f"an extent must be (west, south, east, north) in degrees; got {data!r}."
        ) from None
    if not (np.isfinite([w, s, e, n]).all() and -90 <= s <= n <= 90):
        raise CoordinateError(
            f"the extent {data!r} is not (west, south, east, north) in degrees with finite "
            "values and -90 <= south <= north <= 90; check the coordinates and their CRS."
        )
    return w, s, e, n


def equal_area_crs(data: GeoData | tuple[float, float, float, float]) -> CRS:
    """The local equal-area CRS habitat uses for areas of ``data``.

    A Lambert azimuthal equal-area projection (WGS 84 datum, metres) centred on
    the extent's centre, rounded to 0.5° so that data sets over the same study
    area share one CRS. It is exactly equal-area; shape distortion stays small
    over a few hundred kilometres.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or (west, south, east, north) in degrees
        The data whose extent decides the centre.

    Returns
    -------
    pyproj.CRS
        e.g. ``+proj=laea +lat_0=43.5 +lon_0=131 +datum=WGS84 +units=m`` for the
        Amur leopard range.

    Examples
    --------
    The centre is rounded to half a degree:

    >>> ea = equal_area_crs((130.4, 42.6, 131.6, 44.3))
    >>> ea.srs
    '+proj=laea +lat_0=43.5 +lon_0=131 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs +type=crs'
    >>> is_equal_area(ea)
    True
    """
    w, s, e, n = _extent(data)
    # round half up to 0.5 degree, so that nearby data sets share one CRS
    lat0 = float(np.clip(np.floor((s + n) + 0.5) / 2, -90, 90))
    lon0 = float(np.floor((w + e) + 0.5) / 2)
    return CRS.from_proj4(
        f"+proj=laea +lat_0={lat0:g} +lon_0={lon0:g} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )


def metric_crs(data: GeoData | tuple[float, float, float, float]) -> CRS:
    """The metric (conformal) CRS habitat uses for distances of ``data``.

    The WGS 84 UTM zone containing the centre of the data's extent, as an EPSG
    CRS (EPSG:326xx north, 327xx south). The leopard range gives EPSG:32652.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or (west, south, east, north) in degrees

    Returns
    -------
    pyproj.CRS

    Examples
    --------
    >>> metric_crs((130.4, 42.6, 131.6, 44.3)).to_epsg()
    32652
    >>> metric_crs((-74.1, 40.6, -73.8, 40.9)).to_epsg()  # New York: UTM 18N
    32618
    """
    w, s, e, n = _extent(data)
    lon = (w + e) / 2
    lat = (s + n) / 2
    zone = int(np.floor((lon + 180) / 6) % 60) + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def to_equal_area(data: GeoData, *, crs: Any | None = None, name: str = "data") -> GeoData:
    """Reproject ``data`` to the equal-area CRS (chosen, or a validated ``crs``).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> square = gpd.GeoSeries([box(500_000, 4_800_000, 510_000, 4_810_000)], crs="EPSG:32652")
    >>> projected = to_equal_area(square)
    >>> is_equal_area(projected.crs), projected.crs.srs.split()[:3]
    (True, ['+proj=laea', '+lat_0=43.5', '+lon_0=129'])
    """
    require_crs(data, name=name)
    target = equal_area_crs(data) if crs is None else require_measurement_crs(crs)
    return data.to_crs(target)


def to_metric(data: GeoData, *, crs: Any | None = None, name: str = "data") -> GeoData:
    """Reproject ``data`` to the metric CRS for distances (chosen, or a validated ``crs``).

    Examples
    --------
    Degrees in, the UTM zone (metres) out:

    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> fix = gpd.GeoSeries([Point(131.2, 43.1)], crs="EPSG:4326")
    >>> to_metric(fix).crs.to_epsg()
    32652
    """
    require_crs(data, name=name)
    if crs is None:
        target = metric_crs(data)
    else:
        target = require_measurement_crs(crs, purpose="distances")
    return data.to_crs(target)


def area_m2(data: GeoData, *, crs: Any | None = None, name: str = "data") -> pd.Series:
    """Area of each geometry in square metres, measured in an equal-area CRS.

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
        Polygons in any declared CRS.
    crs : optional
        Equal-area CRS to measure in; by default :func:`equal_area_crs`.
    name : str
        Name used in error messages.

    Returns
    -------
    pandas.Series
        ``area_m2``, aligned to ``data.index``.

    Examples
    --------
    A 10 km × 10 km square of UTM 52N on the zone's central meridian, where
    UTM shrinks lengths by the scale factor 0.9996: its planar area is 1e8 m²,
    its true area 1e8 / 0.9996² ≈ 1.0008e8 m²:

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> square = gpd.GeoSeries([box(500_000, 4_800_000, 510_000, 4_810_000)], crs="EPSG:32652")
    >>> float(square.area.iloc[0])  # planar UTM area
    100000000.0
    >>> round(float(area_m2(square).iloc[0]) / 1e6, 2)  # km²
    100.08
    >>> round(1e8 / 0.9996**2 / 1e6, 2)
    100.08
    """
    require_crs(data, name=name)
    require_finite_coordinates(data, name=name)
    if _all_empty(data):  # nothing to place a CRS on; empty geometries have no area
        return _empty_measure(data, "area_m2")
    projected = to_equal_area(data, crs=crs, name=name)
    require_finite_coordinates(
        projected, name=name, after=f"reprojection to {describe_crs(projected.crs)}"
    )
    geoms = projected.geometry if isinstance(projected, gpd.GeoDataFrame) else projected
    return pd.Series(geoms.area.to_numpy(), index=data.index, name="area_m2")


def _all_empty(data: GeoData) -> bool:
    geoms = data.geometry if isinstance(data, gpd.GeoDataFrame) else data
    return bool((geoms.isna() | geoms.is_empty).all())


def _empty_measure(data: GeoData, name: str) -> pd.Series:
    """0 for empty geometries, NaN for missing ones."""
    geoms = data.geometry if isinstance(data, gpd.GeoDataFrame) else data
    values = np.where(geoms.isna().to_numpy(), np.nan, 0.0)
    return pd.Series(values, index=data.index, name=name)


def length_m(data: GeoData, *, crs: Any | None = None, name: str = "data") -> pd.Series:
    """Length (lines) or perimeter (polygons) of each geometry in metres.

    Measured in the metric CRS of :func:`metric_crs` (UTM; scale error below
    0.1 % inside a zone) or a validated ``crs``. Aligned to ``data.index``.

    Examples
    --------
    The perimeter of a 10 km square, and of the same square given in degrees:

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> square = gpd.GeoSeries([box(500_000, 4_800_000, 510_000, 4_810_000)], crs="EPSG:32652")
    >>> length_m(square).tolist()
    [40000.0]
    >>> round(float(length_m(square.to_crs("EPSG:4326")).iloc[0]))
    40000
    """
    require_crs(data, name=name)
    require_finite_coordinates(data, name=name)
    if _all_empty(data):
        return _empty_measure(data, "length_m")
    projected = to_metric(data, crs=crs, name=name)
    require_finite_coordinates(
        projected, name=name, after=f"reprojection to {describe_crs(projected.crs)}"
    )
    geoms = projected.geometry if isinstance(projected, gpd.GeoDataFrame) else projected
    return pd.Series(geoms.length.to_numpy(), index=data.index, name="length_m")


def geodesic_area_m2(data: GeoData, *, name: str = "data") -> pd.Series:
    """Area on the WGS 84 ellipsoid (geodesic edges), in m², for checking.

    Uses :meth:`pyproj.Geod.geometry_area_perimeter`; slow for large layers, meant
    as an independent reference.

    Examples
    --------
    The ellipsoidal reference agrees with :func:`area_m2` to well under 0.01 %:

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> square = gpd.GeoSeries([box(500_000, 4_800_000, 510_000, 4_810_000)], crs="EPSG:32652")
    >>> geodesic = float(geodesic_area_m2(square).iloc[0])
    >>> round(geodesic / 1e6, 2)
    100.08
    >>> abs(geodesic / float(area_m2(square).iloc[0]) - 1) < 1e-4
    True
    """
    require_crs(data, name=name)
    require_finite_coordinates(data, name=name)
    geod = Geod(ellps="WGS84")
    geoms = data.to_crs(WGS84)
    geoms = geoms.geometry if isinstance(geoms, gpd.GeoDataFrame) else geoms
    vals = [abs(geod.geometry_area_perimeter(g)[0]) if g is not None else np.nan for g in geoms]
    return pd.Series(np.asarray(vals, dtype=float), index=data.index, name="area_m2")


def check_same_crs(a: GeoData, b: GeoData, *, names: tuple[str, str] = ("left", "right")) -> CRS:
    """Refuse two inputs in different CRSs; return their common CRS.

    Raises
    ------
    MissingCRSError
        If either has no CRS.
    CRSMismatchError
        If they differ, with the reprojection that would fix it.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> ranges = gpd.GeoSeries([box(500_000, 4_800_000, 510_000, 4_810_000)], crs="EPSG:32652")
    >>> check_same_crs(ranges, ranges).to_epsg()
    32652
    >>> check_same_crs(ranges, ranges.to_crs("EPSG:4326"), names=("ranges", "parks"))
    Traceback (most recent call last):
    ...
    habitat.core.errors.CRSMismatchError: CRS mismatch between 'ranges' (EPSG:32652 ...) and ...
    """
    ca = require_crs(a, name=names[0])
    cb = require_crs(b, name=names[1])
    if not ca.equals(cb):
        raise CRSMismatchError(
            f"CRS mismatch between '{names[0]}' ({describe_crs(ca)}) and '{names[1]}' "
            f"({describe_crs(cb)}). Reproject one to match the other, e.g. "
            f"`{names[1]}.to_crs({names[0]}.crs)`, or pass both to a habitat function that "
            "aligns them."
        )
    return ca


def align(data: GeoData, target_crs: Any, *, name: str = "data") -> GeoData:
    """Explicitly reproject ``data`` to ``target_crs`` (logged, never silent).

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
    target_crs : CRS-like
    name : str
        Layer name for the log message.

    Returns
    -------
    The same object if already in ``target_crs``, else a reprojected copy.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> ranges = gpd.GeoSeries([box(500_000, 4_800_000, 510_000, 4_810_000)], crs="EPSG:32652")
    >>> align(ranges, "EPSG:32652") is ranges  # already there: no copy
    True
    >>> align(ranges, "EPSG:4326").crs.to_epsg()
    4326
    """
    src = require_crs(data, name=name)
    target = as_crs(target_crs, name=f"the CRS to reproject {name} to")
    if src.equals(target):
        return data
    if log.isEnabledFor(logging.DEBUG):  # describing a CRS costs a PROJ lookup
        log.debug("reprojecting %s from %s to %s", name, describe_crs(src), describe_crs(target))
    return data.to_crs(target)


# --------------------------------------------------------------------------- threaded projection

#: default upper bound on projection threads (``n_jobs=None``)
_MAX_PROJECTION_JOBS = 4
#: fewer vertices than this are reprojected in the calling thread
_THREADED_MIN_VERTICES = 40_000
#: chunks per thread (small chunks keep both cores busy on a loaded machine)
_CHUNKS_PER_JOB = 4
#: transformers kept per thread (one per source/target CRS pair)
_TRANSFORMERS_PER_THREAD = 8
#: projections kept by ``to_crs_threaded(..., cache=True)``: entries and vertices in all
_CACHE_MAX_ENTRIES = 8
_CACHE_MAX_VERTICES = 5_000_000


class _Pool(NamedTuple):
    pid: int
    size: int
    executor: ThreadPoolExecutor


class _CacheEntry(NamedTuple):
    source: np.ndarray  # the source geometry objects: keeps their ids from being reused
    projected: np.ndarray
    n_vertices: int


_pool: _Pool | None = None
_pool_lock = threading.Lock()
_local = threading.local()
_cache: OrderedDict[tuple[str, str, bytes], _CacheEntry] = OrderedDict()
_cache_lock = threading.Lock()


def _executor(n_jobs: int) -> ThreadPoolExecutor:
    """A process-wide thread pool with at least ``n_jobs`` threads.

    The threads outlive a call, so each keeps its transformers (creating one
    costs about 10 ms). A forked child cannot use its parent's threads and gets
    its own pool.
    """
    global _pool
    with _pool_lock:
        pid = os.getpid()
        if _pool is None or _pool.pid != pid or _pool.size < n_jobs:
            # a replaced pool's threads finish their work and exit once it is collected
            executor = ThreadPoolExecutor(max_workers=n_jobs, thread_name_prefix="habitat-crs")
            _pool = _Pool(pid, n_jobs, executor)
        return _pool.executor


def _thread_transformer(source: CRS, target: CRS, key: tuple[str, str]) -> Transformer:
    """The calling thread's own transformer from ``source`` to ``target`` (never shared)."""
    transformers: dict[tuple[str, str], Transformer] | None = getattr(_local, "transformers", None)
    if transformers is None:
        transformers = _local.transformers = {}
    transformer = transformers.get(key)
    if transformer is None:
        if len(transformers) >= _TRANSFORMERS_PER_THREAD:
            transformers.clear()
        # the call GeoSeries.to_crs makes, hence the same coordinate operation
        transformer = Transformer.from_crs(source, target, always_xy=True)
        transformers[key] = transformer
    return transformer


def _transform_chunk(
    geoms: np.ndarray, source: CRS, target: CRS, key: tuple[str, str]
) -> np.ndarray:
    """Reproject ``geoms`` as ``GeoSeries.to_crs`` does, with the calling thread's transformer."""
    transformer = _thread_transformer(source, target, key)
    has_z = shapely.has_z(geoms)
    out = np.empty_like(geoms)
    for z, rows in ((False, ~has_z), (True, has_z)):
        if not rows.any():
            continue
        part = geoms[rows]  # a copy: set_coordinates replaces its elements
        coords = shapely.get_coordinates(part, include_z=z)
        new = transformer.transform(*coords.T)
        out[rows] = shapely.set_coordinates(part, np.array(new).T)
    return out


def _identity_key(geoms: np.ndarray) -> bytes:
    """The identities of the geometry objects (immutable in shapely 2), as bytes."""
    return np.fromiter(map(id, geoms), dtype=np.uint64, count=len(geoms)).tobytes()


def clear_projection_cache() -> None:
    """Forget every projection kept by :func:`to_crs_threaded` with ``cache=True``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> ranges = gpd.GeoSeries([box(500_000, 4_800_000, 510_000, 4_810_000)], crs="EPSG:32652")
    >>> _ = to_crs_threaded(ranges, "EPSG:4326", cache=True)
    >>> clear_projection_cache()
    """
    with _cache_lock:
        _cache.clear()


def _project_geoms(
    geoms: np.ndarray, source: CRS, target: CRS, *, n_jobs: int, cache: bool
) -> np.ndarray:
    key = (source.to_wkt(), target.to_wkt())
    cache_key = (*key, _identity_key(geoms)) if cache else None
    if cache_key is not None:
        with _cache_lock:
            hit = _cache.get(cache_key)
            if hit is not None:
                _cache.move_to_end(cache_key)
                return hit.projected.copy()
    counts = shapely.get_num_coordinates(geoms)
    total = int(counts.sum())
    if n_jobs <= 1 or total < _THREADED_MIN_VERTICES:
        projected = _transform_chunk(geoms, source, target, key)
    else:
        n_chunks = min(_CHUNKS_PER_JOB * n_jobs, max(1, total // 10_000))
        cuts = np.searchsorted(np.cumsum(counts), np.arange(1, n_chunks) * (total / n_chunks))
        chunks = [c for c in np.split(geoms, np.unique(cuts)) if len(c)]
        todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for k in range(len(chunks)):
            todo.put(k)
        results: list[np.ndarray] = [geoms[:0]] * len(chunks)

        def drain() -> None:  # n_jobs of these share the chunks, even in a larger pool
            while True:
                try:
                    k = todo.get_nowait()
                except queue.Empty:
                    return
                results[k] = _transform_chunk(chunks[k], source, target, key)

        pool = _executor(n_jobs)
        for future in [pool.submit(drain) for _ in range(min(n_jobs, len(chunks)))]:
            future.result()
        projected = np.concatenate(results)
    if cache_key is not None and total <= _CACHE_MAX_VERTICES:
        with _cache_lock:
            _cache[cache_key] = _CacheEntry(geoms.copy(), projected.copy(), total)
            _cache.move_to_end(cache_key)
            while len(_cache) > _CACHE_MAX_ENTRIES or (
                sum(e.n_vertices for e in _cache.values()) > _CACHE_MAX_VERTICES
            ):
                _cache.popitem(last=False)
    return projected


def to_crs_threaded(
    data: GeoData,
    crs: Any,
    *,
    n_jobs: int | None = None,
    cache: bool = False,
    name: str = "data",
) -> GeoData:
    """Reproject ``data`` to ``crs`` in threads; the same coordinates as ``data.to_crs(crs)``.

    Like :func:`align` (the same object back when ``data`` is already in
    ``crs``, a logged reprojection otherwise), but the vertices are split into
    chunks transformed on ``n_jobs`` threads: pyproj releases the GIL while
    transforming, so they run on separate cores. Each thread uses its own
    :class:`pyproj.Transformer` (``Transformer.from_crs(data.crs, crs,
    always_xy=True)``, the call :meth:`geopandas.GeoSeries.to_crs` makes), so
    every vertex goes through the same coordinate operation and the result
    equals ``data.to_crs(crs)`` exactly, whatever ``n_jobs``.

    Parameters
    ----------
    data : GeoDataFrame or GeoSeries
        Geometries with a CRS.
    crs : CRS-like
        Target CRS.
    n_jobs : int, optional
        Threads. ``None``: the number of CPUs, at most 4; ``1``: the calling
        thread. Inputs under 40,000 vertices are always transformed in the
        calling thread.
    cache : bool
        Keep the result and reuse it when the same geometries are reprojected
        again to the same CRS (a layer measured against several sets of
        ranges). The key is the identity of every geometry object, the source
        and the target CRS. Shapely geometries are immutable, so any change to
        the data's geometries (a row replaced, a column reassigned, the CRS
        overridden) makes a new key and a new projection: a stale projection
        is never served. At most 8 projections and 5,000,000 vertices are
        kept (least recently used first out); :func:`clear_projection_cache`
        empties the cache.
    name : str
        What the data is called in the log message.

    Returns
    -------
    GeoDataFrame or GeoSeries
        The same type as ``data``, with its index, columns and name.

    Raises
    ------
    MissingCRSError
        If ``data`` has no CRS.
    InputError
        If ``n_jobs`` is not a positive integer or None.

    Examples
    --------
    The coordinates are exactly those of ``to_crs``:

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> squares = gpd.GeoSeries(
    ...     [box(x, 4_800_000, x + 10_000, 4_810_000) for x in (500_000, 520_000, 540_000)],
    ...     crs="EPSG:32652",
    ... )
    >>> lonlat = to_crs_threaded(squares, "EPSG:4326", n_jobs=2)
    >>> lonlat.crs.to_epsg(), bool(lonlat.geom_equals_exact(squares.to_crs("EPSG:4326"), 0).all())
    (4326, True)
    >>> to_crs_threaded(squares, "EPSG:32652") is squares
    True
    """
    src = require_crs(data, name=name)
    target = as_crs(crs, name=f"the CRS to reproject {name} to")
    if n_jobs is None:
        jobs = max(1, min(os.cpu_count() or 1, _MAX_PROJECTION_JOBS))
    elif isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise InputError(f"n_jobs must be a positive integer or None, not {n_jobs!r}.")
    else:
        jobs = int(n_jobs)
    if src.equals(target):
        return data
    if log.isEnabledFor(logging.DEBUG):  # describe_crs queries the PROJ database
        log.debug("reprojecting %s from %s to %s", name, describe_crs(src), describe_crs(target))
    series = data.geometry if isinstance(data, gpd.GeoDataFrame) else data
    geoms = np.asarray(series.array, dtype=object)
    projected = _project_geoms(geoms, src, target, n_jobs=jobs, cache=cache)
    new = gpd.GeoSeries(projected, index=series.index, name=series.name, crs=target)
    if isinstance(data, gpd.GeoSeries):
        return new
    frame = data.copy()
    frame.geometry = new
    return frame

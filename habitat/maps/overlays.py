"""Rasters on a map: land cover and current density as coloured image overlays.

Leaflet draws an image between two corner latitudes and longitudes, stretched
linearly in Web Mercator. :func:`warp_to_web_map` therefore resamples a raster
(nearest cell) to a pixel grid that is regular in Web Mercator over the
raster's lon/lat extent; :func:`add_land_cover` and :func:`add_current_density`
colour those pixels and embed them as a PNG, in a map pane under the vector
layers.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import numpy as np
from branca.colormap import LinearColormap
from pyproj import Transformer

from habitat.core import crs as hcrs
from habitat.core.errors import InputError
from habitat.io.raster import Raster, lonlat_bounds, reproject
from habitat.maps.checks import check_map, check_opacity, check_raster, check_scale_limits
from habitat.maps.display import CENTRAL_LONGITUDE_ATTR
from habitat.maps.style import (
    CURRENT_COLOURS,
    LAND_COVER_COLOURS,
    OTHER_CLASS_COLOURS,
    check_colour,
)

__all__ = [
    "RASTER_PANE",
    "WEB_MERCATOR",
    "add_current_density",
    "add_image_overlay",
    "add_land_cover",
    "raster_lonlat_bounds",
    "warp_to_web_map",
    "web_mercator_bounds",
]

#: the CRS of Leaflet's image overlays
WEB_MERCATOR = "EPSG:3857"
#: sphere radius of Web Mercator (EPSG:3857), metres: x = radius × longitude in radians
WEB_MERCATOR_RADIUS_M = 6_378_137.0
#: name of the map pane the rasters are drawn in, under the vector layers
RASTER_PANE = "habitatRasters"


# ------------------------------------------------------------------------ warping
def raster_lonlat_bounds(raster: Raster) -> tuple[float, float, float, float]:
    """Extent of a raster in WGS 84 degrees, (west, south, east, north).

    The raster's bounds are transformed with 21 points per edge
    (:func:`habitat.io.raster.lonlat_bounds`), so that curved edges (a UTM
    grid is not a lon/lat rectangle) are enclosed. A raster across the
    antimeridian gets an east edge beyond 180 (e.g. 179.8 to 180.1), so that
    west < east always holds.

    Examples
    --------
    Six 200 m cells of UTM 52N near Vladivostok:

    >>> import numpy as np
    >>> from habitat.io.raster import Raster
    >>> cover = Raster(
    ...     np.array([[1, 1, 2], [1, 5, 0]], dtype="uint8"),
    ...     (200.0, 0.0, 600_000.0, 0.0, -200.0, 4_800_000.0),
    ...     "EPSG:32652",
    ...     nodata=0,
    ... )
    >>> [round(v, 4) for v in raster_lonlat_bounds(cover)]
    [130.2337, 43.3425, 130.2412, 43.3462]
    """
    w, south, e, north = lonlat_bounds(raster)
    if e < w:  # across the antimeridian: one continuous range, east beyond 180
        e += 360.0
    return w, south, e, north


def web_mercator_bounds(
    lonlat: tuple[float, float, float, float],
) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) in Web Mercator metres of a (west, south, east, north) box.

    Web Mercator maps meridians and parallels to straight lines, so the
    corners of a lon/lat box are the corners of its Mercator box.

    Examples
    --------
    One degree of longitude at the equator is 6378137 m × π / 180:

    >>> [round(v, 2) for v in web_mercator_bounds((0.0, 0.0, 1.0, 1.0))]
    [0.0, 0.0, 111319.49, 111325.14]

    Across the antimeridian the box stays continuous (x beyond 20037508 m):

    >>> [round(v) for v in web_mercator_bounds((179.0, 0.0, 181.0, 1.0))][::2]
    [19926189, 20148828]
    """
    w, s, e, n = lonlat
    to_mercator = Transformer.from_crs(hcrs.WGS84, WEB_MERCATOR, always_xy=True)
    xmin, ymin = to_mercator.transform(w, s)
    xmax, ymax = to_mercator.transform(e, n)
    if not -180.0 <= w <= e <= 180.0:
        # beyond ±180 (a box across the antimeridian): x is linear in longitude, no wrapping
        xmin, xmax = (WEB_MERCATOR_RADIUS_M * np.radians(v) for v in (w, e))
    return float(xmin), float(ymin), float(xmax), float(ymax)


def warp_to_web_map(
    raster: Raster, *, max_size_px: int = 1024
) -> tuple[np.ndarray, np.ndarray, tuple[float, float, float, float]]:
    """Resample a raster (nearest cell) to the pixel grid of a Leaflet image overlay.

    Leaflet stretches an image linearly between its corner latitudes in Web
    Mercator, so the output pixels are a regular grid in Web Mercator
    (EPSG:3857) over :func:`raster_lonlat_bounds`. The raster is warped onto
    that grid with :func:`habitat.io.raster.reproject` (rasterio, nearest
    cell): each pixel takes the value of the cell that contains its centre
    (to within GDAL's transformer error of 1/8 cell).

    Parameters
    ----------
    raster : Raster
        Any declared CRS (the bundled land cover is UTM 52N).
    max_size_px : int
        Longest side of the output in pixels; the raster's own size if smaller.

    Returns
    -------
    values : numpy.ndarray
        (height, width) cell values, row 0 at the north; invalid pixels hold
        the raster's nodata (or 0 / NaN when it has none).
    valid : numpy.ndarray of bool
        Pixels that fall inside the raster and are not nodata.
    bounds : tuple of float
        (west, south, east, north) in degrees.

    Examples
    --------
    A raster smaller than ``max_size_px`` keeps its cells; the nodata cell is
    not valid:

    >>> import numpy as np
    >>> from habitat.io.raster import Raster
    >>> cover = Raster(
    ...     np.array([[1, 1, 2], [1, 5, 0]], dtype="uint8"),
    ...     (200.0, 0.0, 600_000.0, 0.0, -200.0, 4_800_000.0),
    ...     "EPSG:32652",
    ...     nodata=0,
    ... )
    >>> values, valid, bounds = warp_to_web_map(cover)
    >>> values.tolist(), valid.tolist()
    ([[1, 1, 2], [1, 5, 0]], [[True, True, True], [True, True, False]])
    """
    if max_size_px < 1:
        raise InputError(f"max_size_px must be at least 1; got {max_size_px}.")
    lonlat = raster_lonlat_bounds(raster)
    xmin, ymin, xmax, ymax = web_mercator_bounds(lonlat)
    x_span_m, y_span_m = xmax - xmin, ymax - ymin
    longest = int(min(max_size_px, max(raster.shape)))
    if x_span_m >= y_span_m:
        width, height = longest, max(1, round(longest * y_span_m / x_span_m))
    else:
        width, height = max(1, round(longest * x_span_m / y_span_m)), longest
    warped = reproject(raster, WEB_MERCATOR, bounds=(xmin, ymin, xmax, ymax), shape=(height, width))
    out = np.asarray(warped.array)
    valid = np.ones(out.shape, dtype=bool)
    if warped.nodata is not None:
        valid &= ~(out == warped.nodata)
    if np.issubdtype(out.dtype, np.floating):
        valid &= np.isfinite(out)
    arr = raster.array
    if raster.nodata is not None:
        fill: Any = raster.nodata
        valid &= ~(out == raster.nodata)
    else:
        fill = np.nan if np.issubdtype(arr.dtype, np.floating) else 0
    dtype = np.result_type(arr.dtype, np.min_scalar_type(fill))
    values = np.full(out.shape, fill, dtype=dtype)
    values[valid] = out[valid]
    return values, valid, lonlat


# ------------------------------------------------------------------------- images
def _rgb_array(colours: Sequence[str]) -> np.ndarray:
    """(n, 3) uint8 RGB of colour names or hex codes (for raster images)."""
    from matplotlib.colors import to_rgba_array

    try:
        rgba = to_rgba_array(list(colours))
    except ValueError as exc:
        raise InputError(f"cannot colour a raster with {list(colours)!r}: {exc}") from None
    return np.round(rgba[:, :3] * 255).astype(np.uint8).reshape(-1, 3)


def _png_data_url(rgba: np.ndarray) -> str:
    from matplotlib import image as mpimg

    buf = io.BytesIO()
    mpimg.imsave(buf, rgba, format="png")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _raster_pane(m: folium.Map) -> str:
    """A map pane under the vector layers (Leaflet's overlay pane is at z-index 400)."""
    if not any(
        isinstance(c, folium.map.CustomPane) and c.name == RASTER_PANE for c in m._children.values()
    ):
        folium.map.CustomPane(RASTER_PANE, z_index=350, pointer_events=False).add_to(m)
    return RASTER_PANE


def add_image_overlay(
    m: folium.Map,
    rgba: np.ndarray,
    bounds: tuple[float, float, float, float],
    *,
    name: str,
    opacity: float,
    show: bool,
) -> folium.FeatureGroup:
    """Add an RGBA image over (west, south, east, north) degrees, in its own layer.

    Parameters
    ----------
    m : folium.Map
    rgba : numpy.ndarray
        (height, width, 4) uint8 pixels, row 0 at the north, regular in Web
        Mercator (as :func:`warp_to_web_map` makes them).
    bounds : tuple of float
        (west, south, east, north) in degrees.
    name : str
        Layer name (escaped).
    opacity : float
        Overlay opacity, 0-1.
    show : bool
        Whether the layer starts visible.

    Examples
    --------
    A 2 × 2 green square over a tenth of a degree:

    >>> import folium
    >>> import numpy as np
    >>> rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    >>> rgba[..., 1] = rgba[..., 3] = 255
    >>> m = folium.Map(tiles=None)
    >>> group = add_image_overlay(
    ...     m, rgba, (131.0, 43.0, 131.1, 43.1), name="Green", opacity=0.5, show=True
    ... )
    >>> group.layer_name, RASTER_PANE in m.get_root().render()
    ('Green', True)
    """
    w, s, e, n = bounds
    central = getattr(m, CENTRAL_LONGITUDE_ATTR, None)
    if central is None:
        central = ((w + e) / 2.0 + 180.0) % 360.0 - 180.0
        setattr(m, CENTRAL_LONGITUDE_ATTR, central)
    # in the map's longitude range, as every vector layer (habitat.maps.display)
    turn = 360.0 * round(((w + e) / 2.0 - float(central)) / 360.0)
    w, e = w - turn, e - turn
    group = folium.FeatureGroup(name=html.escape(name), show=show)
    folium.raster_layers.ImageOverlay(
        _png_data_url(rgba),
        bounds=[[s, w], [n, e]],
        opacity=opacity,
        pixelated=True,
        pane=_raster_pane(m),
    ).add_to(group)
    group.add_to(m)
    return group


# --------------------------------------------------------------------- land cover
def _class_colours(raster: Raster, colours: Mapping[Any, str] | None) -> dict[int, tuple[str, str]]:
    """Class value -> (name, colour) of the classes present."""
    given = dict(colours or {})
    names = dict(raster.classes or {})
    present = np.unique(raster.array)
    out: dict[int, tuple[str, str]] = {}
    extra = 0
    for v in present.tolist():
        if raster.nodata is not None and v == raster.nodata:
            continue
        name = names.get(int(v), str(v))
        colour = given.get(int(v), given.get(name, LAND_COVER_COLOURS.get(name)))
        if colour is None:
            colour = OTHER_CLASS_COLOURS[extra % len(OTHER_CLASS_COLOURS)]
            extra += 1
        out[int(v)] = (name, check_colour(colour, what=f"class {name!r}"))
    return out


def add_land_cover(
    m: folium.Map,
    raster: Raster,
    *,
    name: str = "Land cover",
    colours: Mapping[Any, str] | None = None,
    opacity: float = 0.6,
    show: bool = False,
    max_size_px: int = 1024,
) -> list[tuple[str, str]]:
    """Add a categorical raster (land cover) as a coloured image overlay.

    The classes are resampled (nearest cell) to the overlay's Web Mercator
    pixel grid with :func:`warp_to_web_map`, coloured, and embedded as a PNG.

    Parameters
    ----------
    m : folium.Map
    raster : Raster
        Integer classes, e.g. :func:`habitat.datasets.land_cover`; nodata
        cells are transparent.
    name : str
        Layer name (escaped).
    colours : mapping, optional
        Class value or class name -> colour; :data:`habitat.maps.LAND_COVER_COLOURS`
        and a fallback palette otherwise.
    opacity : float
        Overlay opacity, 0-1.
    show : bool
        Whether the layer starts visible.
    max_size_px : int
        Longest side of the embedded image in pixels (about 1 px per 200 m
        cell for the bundled land cover).

    Returns
    -------
    list of (str, str)
        (class name, colour) legend entries.

    Examples
    --------
    The legend entries are the classes present (nodata left out):

    >>> import folium
    >>> import numpy as np
    >>> from habitat.io.raster import Raster
    >>> cover = Raster(
    ...     np.array([[1, 1, 2], [1, 5, 0]], dtype="uint8"),
    ...     (200.0, 0.0, 600_000.0, 0.0, -200.0, 4_800_000.0),
    ...     "EPSG:32652",
    ...     nodata=0,
    ...     classes={1: "forest", 2: "grassland/burnt", 5: "water"},
    ... )
    >>> m = folium.Map(tiles=None)
    >>> add_land_cover(m, cover)
    [('forest', '#2e7d32'), ('grassland/burnt', '#d4b86a'), ('water', '#1f78b4')]
    """
    check_map(m)
    raster = check_raster(raster, name="raster")
    opacity = check_opacity(opacity)
    if not np.issubdtype(raster.array.dtype, np.integer):
        raise InputError(
            f"land cover must hold integer classes; got dtype {raster.array.dtype}. "
            "Use add_current_density for continuous values."
        )
    classes = _class_colours(raster, colours)
    values, valid, bounds = warp_to_web_map(raster, max_size_px=max_size_px)
    keys = np.array(sorted(classes), dtype=np.int64)
    rgb = _rgb_array([classes[k][1] for k in keys])
    pos = np.clip(np.searchsorted(keys, values.astype(np.int64)), 0, len(keys) - 1)
    known = valid & (keys[pos] == values) if len(keys) else np.zeros_like(valid)
    rgba = np.zeros(values.shape + (4,), dtype=np.uint8)
    if len(keys):
        rgba[..., :3] = rgb[pos]
    rgba[..., 3] = np.where(known, 255, 0)
    add_image_overlay(m, rgba, bounds, name=name, opacity=opacity, show=show)
    return [(cls_name, colour) for cls_name, colour in (classes[k] for k in keys)]


# ---------------------------------------------------------------- current density
def add_current_density(
    m: folium.Map,
    raster: Raster,
    *,
    name: str = "Current density",
    caption: str | None = None,
    colours: Sequence[str] = CURRENT_COLOURS,
    vmin: float | None = None,
    vmax: float | None = None,
    opacity: float = 0.7,
    show: bool = True,
    max_size_px: int = 768,
    steps: int = 64,
) -> LinearColormap:
    """Add a continuous raster (e.g. circuit-theory current density) as a coloured overlay.

    Parameters
    ----------
    m : folium.Map
    raster : Raster
        Float values in any declared CRS; nodata and NaN cells are transparent.
    name : str
        Layer name (escaped).
    caption : str, optional
        Colour-scale caption (escaped); ``name`` by default. State the unit
        here (e.g. ``"Current density (A per cell)"``).
    colours : sequence of str
        Colours of the scale from low to high (viridis by default).
    vmin, vmax : float, optional
        Scale limits in the raster's unit; the minimum and the 99th
        percentile of the valid values by default (values beyond are clipped).
    opacity : float
        Overlay opacity, 0-1.
    show : bool
        Whether the layer starts visible.
    max_size_px : int
        Longest side of the embedded image in pixels.
    steps : int
        Number of distinct colours the values are quantised to (at least 2).

    Returns
    -------
    branca.colormap.LinearColormap
        The colour scale, already added to the map as a legend.

    Examples
    --------
    >>> import folium
    >>> import numpy as np
    >>> from habitat.io.raster import Raster
    >>> current = Raster(
    ...     np.array([[0.0, 1.0], [2.0, np.nan]]),
    ...     (200.0, 0.0, 600_000.0, 0.0, -200.0, 4_800_000.0),
    ...     "EPSG:32652",
    ... )
    >>> m = folium.Map(tiles=None)
    >>> scale = add_current_density(m, current, caption="Current density (A)", vmax=2.0)
    >>> scale.vmin, scale.vmax, scale.caption
    (0.0, 2.0, 'Current density (A)')
    """
    check_map(m)
    raster = check_raster(raster, name="raster")
    opacity = check_opacity(opacity)
    vmin, vmax = check_scale_limits(vmin, vmax)
    cols = [check_colour(c, what="current-density") for c in colours]
    if steps < 2:
        raise InputError(f"steps must be at least 2; got {steps}.")
    values, valid, bounds = warp_to_web_map(raster, max_size_px=max_size_px)
    vals = values.astype(float)
    data = vals[valid]
    # an explicit vmin/vmax is used as given, 0 included; without data the scale is 0-1
    lo = float(vmin) if vmin is not None else float(np.min(data)) if data.size else 0.0
    hi = float(vmax) if vmax is not None else float(np.percentile(data, 99)) if data.size else 1.0
    if not hi > lo:
        hi = lo + 1.0
    t = np.clip((np.where(valid, vals, lo) - lo) / (hi - lo), 0.0, 1.0)
    # quantise to `steps` colours: indistinguishable on screen, and the PNG compresses
    t = np.round(t * (steps - 1)) / (steps - 1)
    anchors = _rgb_array(cols).astype(float)
    xs = np.linspace(0.0, 1.0, len(anchors))
    rgba = np.zeros(values.shape + (4,), dtype=np.uint8)
    for k in range(3):
        rgba[..., k] = np.round(np.interp(t, xs, anchors[:, k])).astype(np.uint8)
    rgba[..., 3] = np.where(valid, 255, 0)
    add_image_overlay(m, rgba, bounds, name=name, opacity=opacity, show=show)
    scale = LinearColormap(cols, vmin=lo, vmax=hi, caption=html.escape(caption or name))
    scale.add_to(m)
    return scale

"""A minimal north-up raster (e.g. the land-cover grid), GeoTIFF I/O, warping and rasterising.

:class:`Raster` holds a 2-D array, an affine transform, a CRS, a nodata value
and optional class names. :mod:`rasterio` (GDAL, a core dependency) is the
engine underneath:

* :func:`read_geotiff` / :func:`write_geotiff` read and write single-band
  GeoTIFFs in any CRS GDAL understands, with windowed reads
  (``window=`` / ``bounds=``) that read only the cells asked for;
* :func:`reproject` warps a raster to another CRS and grid
  (:func:`rasterio.warp.reproject`), :func:`lonlat_bounds` gives its extent in
  WGS 84 degrees;
* :func:`rasterize` burns vector shapes into a grid and :func:`cells_in_shapes`
  lists the cells whose centres fall in each shape (:mod:`rasterio.features`).

Work on a raster only touches the raster's own cells: a shape's window is
clipped to the grid, and any grid or window of more than
:data:`MAX_WINDOW_CELLS` cells is refused with
:class:`~habitat.core.errors.TooLargeError` (a range of a few km laid over a
raster of 1 mm cells would otherwise ask for terabytes of memory).

Every problem with an input raises a :class:`~habitat.core.errors.HabitatError`
naming the file or argument: unreadable, truncated or corrupt files, a broken
GeoKey directory, a CRS that is not a surface CRS (:func:`habitat.core.crs.as_crs`).
NaN cells of float rasters are nodata wherever nodata counts
(:meth:`Raster.nodata_mask`).

The transform uses the affine order of :mod:`affine` and rasterio,
``(a, b, c, d, e, f)``, mapping the *corner* of cell (row, col) to map
coordinates::

    x = a * col + b * row + c
    y = d * col + e * row + f
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.features
import rasterio.warp
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError
from rasterio.crs import CRS as RioCRS  # noqa: N811 (pyproj's CRS is the habitat one)
from rasterio.enums import Resampling
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.transform import Affine
from rasterio.windows import Window

from habitat.core.crs import align, as_crs, describe_crs, require_crs
from habitat.core.errors import (
    CRSError,
    DataFileError,
    InputError,
    ProjectedCRSRequiredError,
    TooLargeError,
)
from habitat.core.fs import atomic_path
from habitat.core.units import area_columns
from habitat.core.validation import (
    repair_polygons,
    require_finite_coordinates,
    require_geodata,
    require_geometry_type,
    require_polygons,
)

__all__ = [
    "MAX_WINDOW_CELLS",
    "RESAMPLING_METHODS",
    "Grid",
    "Raster",
    "cells_in_shapes",
    "lonlat_bounds",
    "rasterize",
    "read_dataset",
    "read_geotiff",
    "reproject",
    "shapes_on_grid",
    "write_geotiff",
]

Transform = tuple[float, float, float, float, float, float]

#: resampling names accepted by :func:`reproject` (GDAL's warp kernels)
RESAMPLING_METHODS: tuple[str, ...] = (
    "nearest",
    "bilinear",
    "cubic",
    "cubic_spline",
    "lanczos",
    "average",
    "mode",
    "max",
    "min",
    "med",
    "q1",
    "q3",
    "sum",
    "rms",
)

#: Largest number of cells a grid, or one shape's window of a grid, may have in
#: :func:`rasterize`, :func:`cells_in_shapes`, :func:`reproject` and
#: :func:`habitat.landscape.composition_in_ranges` (about 100 MB per byte of cell
#: value): 10,000 x 10,000 cells, e.g. 2,000 km x 2,000 km at 200 m. More is refused
#: with :class:`~habitat.core.errors.TooLargeError`; resample the raster to coarser
#: cells, or pass a larger ``max_cells=`` where memory allows.
MAX_WINDOW_CELLS = 100_000_000

#: TIFF tag of the GeoKey directory (GeoTIFF 1.1, section 7.1.2)
_GEOKEY_DIRECTORY_TAG = 34735

#: metadata items holding class names, ``CLASS_<code>=<name>`` (GDAL metadata)
_CLASS_TAG = "CLASS_"


def _check_cells(n_rows: int, n_cols: int, max_cells: Any, what: str, cell: str) -> None:
    """Refuse a grid or window of more than ``max_cells`` cells (TooLargeError with a hint)."""
    if isinstance(max_cells, bool) or not isinstance(max_cells, int | np.integer) or max_cells < 1:
        raise InputError(f"max_cells must be a positive integer, not {max_cells!r}.")
    n = int(n_rows) * int(n_cols)
    if n > max_cells:
        raise TooLargeError(
            f"{what} would span {n_rows:,} x {n_cols:,} = {n:,} cells of {cell}, more than "
            f"the limit of {int(max_cells):,} (habitat.io.raster.MAX_WINDOW_CELLS). The cells "
            "are far too small for the area: resample the raster to coarser cells first "
            "(`habitat.io.raster.reproject(raster, raster.crs, cell_size=...)`), check that "
            "the raster's CRS and cell size are right, or pass a larger max_cells= where "
            "memory allows."
        )


class Grid(NamedTuple):
    """A grid without values: shape, transform and CRS (a template for rasterising).

    Parameters
    ----------
    shape : tuple of int
        Number of (rows, cols).
    transform : tuple of 6 float
        Affine transform ``(a, b, c, d, e, f)`` of the cell corners (module docstring).
    crs : pyproj.CRS
        CRS of the map coordinates.

    Examples
    --------
    A 20 km × 20 km lattice of 1 km cells in UTM 52N, and its top-left 5 × 5 cells:

    >>> from pyproj import CRS
    >>> grid = Grid((20, 20), (1000.0, 0.0, 600_000.0, 0.0, -1000.0, 4_800_000.0),
    ...             CRS.from_epsg(32652))
    >>> grid.window(0, 0, 5, 5).shape
    (5, 5)
    >>> grid.window(-2, 3, 5, 5).transform  # may reach past the edges: same lattice
    (1000.0, 0.0, 603000.0, 0.0, -1000.0, 4802000.0)
    """

    shape: tuple[int, int]
    transform: Transform
    crs: CRS

    def window(self, row_off: int, col_off: int, n_rows: int, n_cols: int) -> Grid:
        """The sub-grid of ``n_rows`` x ``n_cols`` cells starting at (row_off, col_off).

        Offsets may be negative and the window may reach past the grid's edges:
        the result is the same lattice of cells, extended as needed.
        """
        a, b, c, d, e, f = self.transform
        t = (a, b, a * col_off + b * row_off + c, d, e, d * col_off + e * row_off + f)
        return Grid((int(n_rows), int(n_cols)), t, self.crs)


def _as_transform(transform: Any) -> Transform:
    """Six finite floats (a, b, c, d, e, f), else InputError."""
    try:
        t = tuple(float(v) for v in transform)
    except (TypeError, ValueError):
        t = ()
    if len(t) != 6 or not np.all(np.isfinite(t)):
        raise InputError(
            f"transform must be 6 finite numbers (a, b, c, d, e, f); got {transform!r}."
        )
    return (t[0], t[1], t[2], t[3], t[4], t[5])


def _as_classes(classes: Any) -> dict[int, str]:
    """Class names keyed by integer codes, else InputError."""
    if not isinstance(classes, dict):
        raise InputError(
            f"classes must be a dict of integer class codes to names, e.g. "
            f"{{1: 'forest'}}, not {type(classes).__name__}."
        )
    out: dict[int, str] = {}
    for k, v in classes.items():
        try:
            code = int(k)
            ok = not isinstance(k, bool) and float(k) == code
        except (TypeError, ValueError, OverflowError):
            ok = False
        if not ok:
            raise InputError(
                f"classes must be keyed by integer class codes; got the key {k!r} (for {v!r})."
            )
        out[code] = str(v)
    return out


def _cell_index(transform: Transform, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Fractional (row, col) of map coordinates under an affine transform."""
    a, b, c, d, e, f = transform
    det = a * e - b * d
    dx = np.asarray(x, dtype=float) - c
    dy = np.asarray(y, dtype=float) - f
    return (-d * dx + a * dy) / det, (e * dx - b * dy) / det


@dataclass(frozen=True, eq=False)
class Raster:
    """A north-up grid of values with its georeferencing.

    Parameters
    ----------
    array : numpy.ndarray
        2-D array of cell values, shape (rows, cols); row 0 is the top (north).
    transform : tuple of 6 float
        Affine transform ``(a, b, c, d, e, f)`` from (col, row) of a cell
        *corner* to map coordinates (see the module docstring). For a north-up
        grid with 200 m cells: ``(200, 0, left, 0, -200, top)``.
    crs : pyproj.CRS or anything :meth:`pyproj.CRS.from_user_input` accepts
        CRS of the map coordinates.
    nodata : int or float, optional
        Value marking cells without data (0 for the bundled land cover).
    classes : dict of int to str, optional
        Names of categorical values, e.g. ``{1: "forest", 5: "water"}``.

    Examples
    --------
    Six 200 m cells of land cover in UTM 52N, one of them nodata:

    >>> import numpy as np
    >>> cover = Raster(
    ...     np.array([[1, 1, 2], [1, 5, 0]], dtype="uint8"),
    ...     (200.0, 0.0, 600_000.0, 0.0, -200.0, 4_800_000.0),
    ...     "EPSG:32652",
    ...     nodata=0,
    ...     classes={1: "forest", 2: "grassland/burnt", 5: "water"},
    ... )
    >>> cover
    Raster(shape=(2, 3), dtype=uint8, crs=EPSG:32652 (WGS 84 / UTM zone 52N), \
transform=(200.0, 0.0, 600000.0, 0.0, -200.0, 4800000.0), nodata=0)
    >>> cover.bounds, cover.cell_size_m, cover.cell_area_m2
    ((600000.0, 4799600.0, 600600.0, 4800000.0), 200.0, 40000.0)

    Cell centres and the cell holding a point:

    >>> [float(v) for v in cover.xy(0, 0)]
    [600100.0, 4799900.0]
    >>> [int(v) for v in cover.index(600_250.0, 4_799_750.0)]
    [1, 1]

    Areas per class leave the nodata cell out (each cell is 0.04 km²):

    >>> cover.class_areas()[["name", "cell_count", "area_km2", "share"]]
                      name  cell_count  area_km2  share
    class
    1               forest           3      0.12    0.6
    2      grassland/burnt           1      0.04    0.2
    5                water           1      0.04    0.2

    Values at points in any CRS (here longitude/latitude; the second is off the grid):

    >>> import geopandas as gpd
    >>> pts = gpd.GeoSeries.from_xy([600_300.0, 0.0], [4_799_700.0, 0.0], crs=32652)
    >>> cover.sample(pts.to_crs(4326)).tolist()
    [5, 0]
    """

    array: np.ndarray
    transform: Transform
    crs: CRS
    nodata: int | float | None = None
    classes: dict[int, str] | None = field(default=None)

    def __post_init__(self) -> None:
        arr = np.asarray(self.array)
        if arr.ndim != 2:
            raise InputError(
                f"a Raster needs a 2-D array (rows, cols); got {arr.ndim} dimension(s) "
                f"with shape {arr.shape}."
            )
        if arr.dtype.kind not in "biuf":
            raise InputError(
                f"a Raster holds numbers (bool, integer or float cells), not {arr.dtype} "
                "values; convert the array, e.g. `array.astype('float32')`, or code "
                "categories as integers with names in classes=."
            )
        if arr.size == 0:
            raise InputError(f"a Raster needs at least one cell; the array's shape is {arr.shape}.")
        t = _as_transform(self.transform)
        if np.isclose(t[0] * t[4] - t[1] * t[3], 0.0):
            raise InputError(f"transform {t} is singular (zero cell area).")
        nodata = self.nodata
        if nodata is not None and (
            isinstance(nodata, bool) or not isinstance(nodata, int | float | np.number)
        ):
            raise InputError(
                f"nodata must be a number (or None), not {nodata!r}; e.g. nodata=0 for the "
                "bundled land cover, float('nan') for float rasters."
            )
        object.__setattr__(self, "array", arr)
        object.__setattr__(self, "transform", t)
        object.__setattr__(self, "crs", as_crs(self.crs, name="the raster's crs"))
        if self.classes is not None:
            object.__setattr__(self, "classes", _as_classes(self.classes))

    def __repr__(self) -> str:
        return (
            f"Raster(shape={self.shape}, dtype={self.array.dtype}, crs={describe_crs(self.crs)}, "
            f"transform={self.transform}, nodata={self.nodata!r})"
        )

    # ------------------------------------------------------------------ geometry
    @property
    def shape(self) -> tuple[int, int]:
        """Number of (rows, cols)."""
        return (int(self.array.shape[0]), int(self.array.shape[1]))

    def _require_metric(self, what: str) -> None:
        if not self.crs.is_projected:
            raise ProjectedCRSRequiredError(
                f"{what} is asked in metres, but the raster's CRS {describe_crs(self.crs)} is "
                "in degrees. Warp the raster to a projected CRS first (for the leopard range "
                "UTM 52N, EPSG:32652)."
            )
        factor = self.crs.axis_info[0].unit_conversion_factor if self.crs.axis_info else 1.0
        if not np.isclose(factor, 1.0):
            raise ProjectedCRSRequiredError(
                f"{what} is asked in metres, but the raster's CRS {describe_crs(self.crs)} "
                f"uses {self.crs.axis_info[0].unit_name}."
            )

    @property
    def cell_size_m(self) -> float:
        """Side of a (square) cell in metres.

        Raises
        ------
        ProjectedCRSRequiredError
            If the CRS is geographic (degrees) or not in metres.
        InputError
            If the cells are not square or the grid is rotated.
        """
        self._require_metric("cell_size_m")
        a, b, _, d, e, _ = self.transform
        if b != 0 or d != 0 or not np.isclose(abs(a), abs(e)):
            raise InputError(
                f"cells are not square and north-up (transform {self.transform}); use "
                "`cell_area_m2` or the transform itself."
            )
        return abs(a)

    @property
    def cell_area_m2(self) -> float:
        """Area of one cell in m² (the raster's CRS must be projected, in metres)."""
        self._require_metric("cell_area_m2")
        a, b, _, d, e, _ = self.transform
        return abs(a * e - b * d)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Extent of the grid as (left, bottom, right, top), in CRS units."""
        rows, cols = self.shape
        corner_cols = np.array([0, cols, 0, cols], dtype=float)
        corner_rows = np.array([0, 0, rows, rows], dtype=float)
        a, b, c, d, e, f = self.transform
        xs = a * corner_cols + b * corner_rows + c
        ys = d * corner_cols + e * corner_rows + f
        return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))

    @property
    def grid(self) -> Grid:
        """The raster's :class:`Grid` (shape, transform, CRS), without the values."""
        return Grid(self.shape, self.transform, self.crs)

    def xy(self, rows: Any, cols: Any) -> tuple[np.ndarray, np.ndarray]:
        """Map coordinates of cell centres.

        Parameters
        ----------
        rows, cols : int or array-like of int
            Cell indices (broadcast together).

        Returns
        -------
        x, y : numpy.ndarray of float
            Centre coordinates in the raster's CRS units (metres for UTM).
        """
        r = np.asarray(rows, dtype=float) + 0.5
        c_ = np.asarray(cols, dtype=float) + 0.5
        a, b, c, d, e, f = self.transform
        return a * c_ + b * r + c, d * c_ + e * r + f

    def index(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cells containing map coordinates.

        Parameters
        ----------
        x, y : float or array-like of float
            Coordinates in the raster's CRS units.

        Returns
        -------
        rows, cols : numpy.ndarray of int64
            Indices; points outside the grid give indices outside
            ``0 <= row < shape[0]``, ``0 <= col < shape[1]`` (check with
            :meth:`contains_index`).
        """
        row, col = _cell_index(self.transform, x, y)
        return np.floor(row).astype(np.int64), np.floor(col).astype(np.int64)

    def contains_index(self, rows: Any, cols: Any) -> np.ndarray:
        """Boolean mask of indices that fall inside the grid."""
        r = np.asarray(rows)
        c = np.asarray(cols)
        return (r >= 0) & (r < self.shape[0]) & (c >= 0) & (c < self.shape[1])

    # ------------------------------------------------------------------ values
    def sample(self, points: gpd.GeoSeries | gpd.GeoDataFrame) -> pd.Series:
        """Raster values at points.

        Points are reprojected explicitly to the raster's CRS
        (:func:`habitat.core.crs.align`). Points outside the grid, or with empty
        geometry, get ``nodata`` (NaN, as float, when the raster has none).

        Parameters
        ----------
        points : GeoSeries or GeoDataFrame of Point
            Locations in any declared CRS.

        Returns
        -------
        pandas.Series
            Values aligned to ``points.index``, named ``"value"``.
        """
        require_geodata(points, name="points", hint="give points with a declared CRS.")
        require_crs(points, name="points")
        require_geometry_type(points, ("Point",), name="points", allow_empty=True)
        geoms = align(points, self.crs, name="points")
        geoms = geoms.geometry if isinstance(geoms, gpd.GeoDataFrame) else geoms
        empty = geoms.isna().to_numpy() | geoms.is_empty.to_numpy()
        x = np.where(empty, np.nan, geoms.x.to_numpy(dtype=float, na_value=np.nan))
        y = np.where(empty, np.nan, geoms.y.to_numpy(dtype=float, na_value=np.nan))
        finite = np.isfinite(x) & np.isfinite(y)
        rows, cols = self.index(np.where(finite, x, 0.0), np.where(finite, y, 0.0))
        inside = finite & self.contains_index(rows, cols)
        if self.nodata is None:
            out = np.full(len(x), np.nan)
        else:
            out = np.full(len(x), self.nodata, dtype=np.result_type(self.array, self.nodata))
        out[inside] = self.array[rows[inside], cols[inside]]
        return pd.Series(out, index=points.index, name="value")

    def nodata_mask(self) -> np.ndarray:
        """Boolean array, True where a cell holds no data.

        A cell holds no data when it equals :attr:`nodata` or, in a float
        raster, when it is NaN (whatever :attr:`nodata` says: NaN is never a
        value, and a NaN ``nodata`` never equals anything).

        Examples
        --------
        >>> import numpy as np
        >>> r = Raster(np.array([[1.0, np.nan], [0.0, 2.0]]), (1.0, 0, 0, 0, -1.0, 2.0),
        ...            "EPSG:32652", nodata=0.0)
        >>> r.nodata_mask().tolist()
        [[False, True], [True, False]]
        """
        values = self.array
        mask = np.isnan(values) if values.dtype.kind == "f" else np.zeros(values.shape, bool)
        nd = self.nodata
        if nd is not None and not (isinstance(nd, float) and math.isnan(nd)):
            mask |= values == nd
        return mask

    def class_areas(self) -> pd.DataFrame:
        """Cell count, area and share of each value (class) in the grid.

        Nodata cells (:meth:`nodata_mask`: the nodata value, and NaN) are left
        out; shares are of the cells with data.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``class`` (the cell value), with columns ``name``
            (from :attr:`classes`, else the value as text), ``cell_count``,
            ``area_km2``, ``area_sq_mi`` and ``share`` (0–1, summing to 1).
        """
        cell_m2 = self.cell_area_m2
        values = self.array[~self.nodata_mask()]
        codes, counts = np.unique(values, return_counts=True)
        names = [
            (self.classes or {}).get(int(c), str(c)) if float(c).is_integer() else str(c)
            for c in codes
        ]
        total = counts.sum()
        df = pd.DataFrame(
            {"name": names, "cell_count": counts.astype(np.int64)},
            index=pd.Index(codes, name="class"),
        )
        df = df.assign(**area_columns(counts * cell_m2))
        df["share"] = counts / total if total else np.nan
        return df

    def copy(self) -> Raster:
        """A copy whose array and class table can be changed safely."""
        return replace(
            self,
            array=self.array.copy(),
            classes=dict(self.classes) if self.classes is not None else None,
        )


# -------------------------------------------------------------------------- CRS
def _to_rio_crs(crs: Any) -> RioCRS:
    """A rasterio CRS for a pyproj CRS (by EPSG code when it is exactly one, else WKT)."""
    crs = as_crs(crs)
    auth = crs.to_authority(min_confidence=100)
    try:
        if auth is not None and auth[0] == "EPSG":
            return RioCRS.from_epsg(int(auth[1]))
        return RioCRS.from_wkt(crs.to_wkt())
    except RasterioError as exc:
        raise CRSError(f"GDAL cannot use the CRS {describe_crs(crs)}: {exc}") from exc


def _from_rio_crs(crs: RioCRS, source: Path) -> CRS:
    """The pyproj CRS of a file's CRS (the EPSG definition when the file names one)."""
    try:
        out = CRS.from_wkt(crs.to_wkt(version="WKT2_2019"))
    except PyprojCRSError as exc:
        raise DataFileError(f"'{source}': its CRS cannot be read by pyproj ({exc}).") from exc
    as_crs(out, name="the raster", source=source)  # a surface CRS, or CRSError naming the file
    auth = out.to_authority(min_confidence=100)
    if auth is not None and auth[0] == "EPSG":
        return CRS.from_epsg(int(auth[1]))
    return out


@contextmanager
def _gdal_env() -> Iterator[None]:
    """GDAL settings for habitat's I/O.

    No ``.aux.xml`` side files; no warnings about files without georeferencing
    (habitat checks and reports those itself).
    """
    with warnings.catch_warnings(), rasterio.Env(GDAL_PAM_ENABLED="NO"):
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        yield


def _describe_rasterio_error(exc: BaseException) -> str:
    """The message of a rasterio error and of the GDAL error behind it."""
    parts = [str(exc)]
    cause = exc.__cause__ or exc.__context__
    if cause is not None and str(cause) and str(cause) not in parts[0]:
        parts.append(str(cause))
    return "; ".join(p for p in parts if p)


# ---------------------------------------------------------------------- GeoTIFF
def write_geotiff(raster: Raster, path: str | os.PathLike[str]) -> Path:
    """Write a raster as a deflate-compressed GeoTIFF, atomically.

    The file is written with :mod:`rasterio` under a temporary name in the
    destination folder and moved into place (:func:`habitat.core.fs.atomic_path`),
    so readers never see a partial file; its permissions follow the umask like
    every other habitat output. Class names are stored as GDAL metadata items
    ``CLASS_<code>=<name>``; rasters larger than 256 x 256 cells are tiled
    (256 x 256 blocks), so windows of them can be read on their own.

    Parameters
    ----------
    raster : Raster
        A north-up raster (no rotation), in any CRS GDAL can write (EPSG codes,
        PROJ strings, WKT).
    path : str or path-like
        Destination ``.tif``.

    Returns
    -------
    pathlib.Path
        The written path.

    Raises
    ------
    InputError
        If the grid is rotated, the array's dtype cannot be stored in a GeoTIFF
        or the nodata value does not fit the dtype.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> cover = Raster(np.array([[1, 1, 2], [1, 5, 0]], dtype="uint8"),
    ...                (200.0, 0.0, 600_000.0, 0.0, -200.0, 4_800_000.0), "EPSG:32652",
    ...                nodata=0, classes={1: "forest", 2: "grassland/burnt", 5: "water"})
    >>> path = write_geotiff(cover, Path(tempfile.mkdtemp()) / "cover.tif")
    >>> path.name
    'cover.tif'

    Values, grid, nodata and class names all come back:

    >>> back = read_geotiff(path)
    >>> np.array_equal(back.array, cover.array), back.transform == cover.transform
    (True, True)
    >>> back.crs.to_epsg(), back.nodata, back.classes
    (32652, 0, {1: 'forest', 2: 'grassland/burnt', 5: 'water'})
    """
    if not isinstance(raster, Raster):
        raise InputError(f"write_geotiff needs a habitat Raster, not {type(raster).__name__}.")
    path = _file_path(path, "write_geotiff")
    if path.is_dir():
        raise DataFileError(
            f"'{path}' is a folder; give a file name inside it, e.g. '{path / 'raster.tif'}'."
        )
    a, b, c, d, e, f = raster.transform
    if b != 0 or d != 0:
        raise InputError(
            f"write_geotiff writes north-up rasters only; transform {raster.transform} is rotated."
        )
    array = np.asarray(raster.array)
    if array.dtype == np.bool_:
        array = array.astype(np.uint8)
    if not rasterio.dtypes.check_dtype(array.dtype):
        raise InputError(
            f"a GeoTIFF cannot hold {array.dtype} values (raster for '{path}'); convert the "
            "array, e.g. `raster.array.astype('float32')`."
        )
    if raster.nodata is not None and not rasterio.dtypes.in_dtype_range(raster.nodata, array.dtype):
        raise InputError(
            f"nodata {raster.nodata!r} does not fit the raster's {array.dtype} values "
            f"(writing '{path}'); choose a nodata value inside the dtype's range."
        )
    rows, cols = raster.shape
    profile: dict[str, Any] = {
        "driver": "GTiff",
        "height": rows,
        "width": cols,
        "count": 1,
        "dtype": array.dtype.name,
        "crs": _to_rio_crs(raster.crs),
        "transform": Affine(a, b, c, d, e, f),
        "nodata": raster.nodata,
        "compress": "deflate",
    }
    if rows > 256 and cols > 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    tags = {f"{_CLASS_TAG}{k}": v for k, v in sorted((raster.classes or {}).items())}
    try:
        with atomic_path(path) as tmp, _gdal_env(), rasterio.open(tmp, "w", **profile) as dst:
            dst.write(array, 1)
            if tags:
                dst.update_tags(**tags)
    except RasterioError as exc:
        raise DataFileError(
            f"cannot write the GeoTIFF '{path}': {_describe_rasterio_error(exc)}"
        ) from exc
    return path


def _as_window(window: Any) -> tuple[int, int, int, int]:
    """(row_off, col_off, n_rows, n_cols) of a ``window=`` argument."""
    vals: tuple[Any, ...]
    if isinstance(window, Window):
        vals = (window.row_off, window.col_off, window.height, window.width)
    else:
        try:
            vals = tuple(window)
        except TypeError:
            vals = ()
    try:
        whole = len(vals) == 4 and all(float(v).is_integer() for v in vals)
    except (TypeError, ValueError):
        whole = False
    if not whole:
        raise InputError(
            f"window must be (row_off, col_off, n_rows, n_cols) in whole cells or a "
            f"rasterio Window; got {window!r}."
        )
    r0, c0, nr, nc = (int(v) for v in vals)
    return r0, c0, nr, nc


def _check_bounds(bounds: Any, crs_words: str, *, hint: str = "") -> tuple[float, ...]:
    """(left, bottom, right, top) as finite floats with left < right and bottom < top."""
    try:
        left, bottom, right, top = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise InputError(
            f"bounds must be (left, bottom, right, top) {crs_words}; got {bounds!r}."
        ) from None
    if not (np.isfinite([left, bottom, right, top]).all() and left < right and bottom < top):
        raise InputError(
            f"bounds must be finite with left < right and bottom < top; got {bounds!r}{hint}."
        )
    return left, bottom, right, top


def _bounds_window(
    bounds: Any, transform: Transform, shape: tuple[int, int], source: Path
) -> tuple[int, int, int, int]:
    """Cells of a north-up grid that overlap ``bounds``, as (row_off, col_off, n_rows, n_cols)."""
    left, bottom, right, top = _check_bounds(bounds, "in the raster's CRS")
    a, _, c, _, e, f = transform
    eps = 1e-9  # cells a rounding error wide are not "overlapped"
    c0 = max(math.floor((left - c) / a + eps), 0)
    c1 = min(math.ceil((right - c) / a - eps), shape[1])
    r0 = max(math.floor((f - top) / -e + eps), 0)
    r1 = min(math.ceil((f - bottom) / -e - eps), shape[0])
    if c1 <= c0 or r1 <= r0:
        rows, cols = shape
        ext = (c, f + e * rows, c + a * cols, f)
        raise InputError(
            f"bounds {tuple(bounds)} do not overlap the raster '{source}' (its bounds are "
            f"{ext}, in its CRS); give bounds in the raster's CRS."
        )
    return r0, c0, r1 - r0, c1 - c0


def read_geotiff(
    path: str | os.PathLike[str],
    *,
    band: int | None = None,
    window: Any | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    max_cells: int = MAX_WINDOW_CELLS,
) -> Raster:
    """Read one band of a GeoTIFF (or any raster GDAL reads) into a :class:`Raster`.

    Parameters
    ----------
    path : str or path-like
        A georeferenced raster file in any CRS GDAL understands.
    band : int, optional
        Band to read, 1-based as in GDAL. Required for multi-band files.
    window : tuple of 4 int or rasterio.windows.Window, optional
        Read only ``(row_off, col_off, n_rows, n_cols)`` cells, counted in the
        returned north-up grid (row 0 is the northern edge), i.e.
        ``read_geotiff(p, window=(r, c, h, w)).array`` equals
        ``read_geotiff(p).array[r:r + h, c:c + w]``; the window must lie inside
        the grid.
    bounds : tuple of 4 float, optional
        Read only the cells overlapping ``(left, bottom, right, top)``, in the
        raster's CRS units; clipped to the grid. Not together with ``window``.
    max_cells : int
        Largest number of cells read at once (default :data:`MAX_WINDOW_CELLS`);
        more raises :class:`~habitat.core.errors.TooLargeError`: read a window
        or bounds, or pass a larger limit where memory allows.

    Returns
    -------
    Raster
        North-up: a south-up file (positive y cell size) is flipped to north-up
        when read. ``nodata`` is the band's declared nodata value, or None when
        the file declares none (never guessed); ``classes`` come from
        ``CLASS_<code>`` metadata items (band, else dataset level).

    Raises
    ------
    DataFileError
        If the file is missing, not a readable raster, corrupt, has several bands
        and no ``band=``, has no georeferencing or CRS, or a rotated/sheared
        grid; the message names the file and says what is wrong.
    InputError
        If ``band``, ``window`` or ``bounds`` are invalid for the file.

    Examples
    --------
    Read only a 10 km × 10 km block of the bundled 200 m land cover: 50 × 50
    cells, 100 km² in all:

    >>> from habitat.datasets import get_path
    >>> block = read_geotiff(get_path("land_cover"),
    ...                      bounds=(640_000, 4_740_000, 650_000, 4_750_000))
    >>> block.shape, block.bounds
    ((50, 50), (640000.0, 4740000.0, 650000.0, 4750000.0))
    >>> areas = block.class_areas()
    >>> round(float(areas["area_km2"].sum()), 6)
    100.0
    >>> areas[["name", "area_km2"]]
                      name  area_km2
    class
    1               forest     79.48
    2      grassland/burnt     20.08
    3          agriculture      0.44

    A window counts cells from the north-west corner:

    >>> corner = read_geotiff(get_path("land_cover"), window=(0, 0, 10, 20))
    >>> corner.shape, corner.bounds
    ((10, 20), (595800.0, 4896600.0, 599800.0, 4898600.0))
    """
    source = _file_path(path, "read_geotiff")
    if source.is_dir():
        raise DataFileError(
            f"'{source}' is a folder, not a GeoTIFF file; give the path of the .tif inside it."
        )
    if not source.is_file():
        raise DataFileError(f"'{source}': no such GeoTIFF file.")
    if window is not None and bounds is not None:
        raise InputError("give read_geotiff either window= or bounds=, not both.")
    try:
        with _gdal_env(), rasterio.open(source) as src:
            return _read_band(
                src, source, band=band, window=window, bounds=bounds, max_cells=max_cells
            )
    except RasterioError as exc:
        raise DataFileError(
            f"'{source}' is not a readable raster file ({_describe_rasterio_error(exc)})."
        ) from exc


def read_dataset(
    dataset: Any,
    *,
    band: int | None = None,
    window: Any | None = None,
    name: str | os.PathLike[str] | None = None,
    max_cells: int = MAX_WINDOW_CELLS,
) -> Raster:
    """Read one band of an already open :mod:`rasterio` dataset, as :func:`read_geotiff` does.

    The same checks and conventions as :func:`read_geotiff` (CRS present,
    gridded, not rotated, north-up result, declared nodata, ``CLASS_<code>``
    names); the dataset is left open.

    Parameters
    ----------
    dataset : rasterio.io.DatasetReader
        An open dataset (from :func:`rasterio.open`, a ``MemoryFile``...).
    band : int, optional
        1-based band; required for multi-band datasets.
    window : tuple of 4 int or rasterio.windows.Window, optional
        ``(row_off, col_off, n_rows, n_cols)`` of the north-up grid, inside it.
    name : str or path-like, optional
        What to call the dataset in messages; default its ``name``.
    max_cells : int
        Largest number of cells read at once (default :data:`MAX_WINDOW_CELLS`).

    Returns
    -------
    Raster

    Examples
    --------
    >>> import rasterio
    >>> from habitat.datasets import get_path
    >>> with rasterio.open(get_path("land_cover")) as src:
    ...     corner = read_dataset(src, window=(0, 0, 10, 20))
    >>> corner.shape, corner.bounds
    ((10, 20), (595800.0, 4896600.0, 599800.0, 4898600.0))
    """
    if not hasattr(dataset, "read") or not hasattr(dataset, "transform"):
        raise InputError(
            f"read_dataset needs an open rasterio dataset, not {type(dataset).__name__}."
        )
    source = Path(os.fspath(name) if name is not None else str(dataset.name))
    try:
        with _gdal_env():
            return _read_band(
                dataset, source, band=band, window=window, bounds=None, max_cells=max_cells
            )
    except RasterioError as exc:
        raise DataFileError(
            f"'{source}' is not a readable raster ({_describe_rasterio_error(exc)})."
        ) from exc


def _file_path(path: Any, what: str) -> Path:
    """``path`` as a Path, else InputError (None, numbers, empty strings)."""
    if not isinstance(path, str | os.PathLike) or not str(os.fspath(path)):
        raise InputError(f"{what} needs a file path (str or pathlib.Path), not {path!r}.")
    return Path(path)


def _geokey_directory(source: Path) -> tuple[int, ...] | None:
    """The GeoKey directory (TIFF tag 34735) of the first image of a TIFF, or None if absent.

    Reads the TIFF header and first image file directory only (classic and
    BigTIFF, either byte order); returns None for files that are not TIFFs.
    An unreadable directory is returned as ``()``.
    """
    import struct

    if not source.is_file():  # e.g. a dataset in memory (/vsimem/...): nothing to inspect
        return None
    try:
        with open(source, "rb") as fh:
            head = fh.read(16)
            if len(head) < 8 or head[:2] not in (b"II", b"MM"):
                return None
            e = "<" if head[:2] == b"II" else ">"
            version = struct.unpack(e + "H", head[2:4])[0]
            if version == 42:
                ifd, count_fmt, entry_fmt, entry_size, inline = (
                    struct.unpack(e + "I", head[4:8])[0],
                    "H",
                    "HHII",
                    12,
                    4,
                )
            elif version == 43 and len(head) >= 16:
                ifd, count_fmt, entry_fmt, entry_size, inline = (
                    struct.unpack(e + "Q", head[8:16])[0],
                    "Q",
                    "HHQQ",
                    20,
                    8,
                )
            else:
                return None
            fh.seek(ifd)
            raw = fh.read(struct.calcsize(e + count_fmt))
            (n,) = struct.unpack(e + count_fmt, raw)
            entries = fh.read(n * entry_size)
            for k in range(min(n, len(entries) // entry_size)):
                tag, typ, cnt, val = struct.unpack_from(e + entry_fmt, entries, k * entry_size)
                if tag != _GEOKEY_DIRECTORY_TAG:
                    continue
                if typ != 3 or cnt > 65536:  # SHORT values
                    return ()
                if cnt * 2 <= inline:
                    data = entries[k * entry_size + entry_size - inline :][: cnt * 2]
                else:
                    fh.seek(val)
                    data = fh.read(cnt * 2)
                if len(data) < cnt * 2:
                    return ()
                return tuple(struct.unpack(e + f"{cnt}H", data))
    except (OSError, struct.error):
        return ()
    return None


def _geokey_problem(keys: tuple[int, ...] | None) -> str:
    """What is wrong with a GeoKey directory ('' if it looks well formed, or is absent)."""
    if keys is None:
        return ""
    if len(keys) < 4:
        return "its GeoKey directory (TIFF tag 34735) is truncated or unreadable"
    version, _, _, n_keys = keys[:4]
    if version != 1:
        return f"its GeoKey directory (TIFF tag 34735) has version {version}, not 1"
    if 4 + 4 * n_keys > len(keys):
        return (
            f"its GeoKey directory (TIFF tag 34735) announces {n_keys} keys but holds room "
            f"for {(len(keys) - 4) // 4}"
        )
    return ""


def _read_band(
    src: Any, source: Path, *, band: int | None, window: Any, bounds: Any, max_cells: int
) -> Raster:
    """The body of :func:`read_geotiff` on an open rasterio dataset."""
    if band is None:
        if src.count != 1:
            raise DataFileError(
                f"'{source}' has {src.count} bands; habitat reads one band at a time. Pass "
                f"band=N (1-based, as in GDAL: 1 to {src.count}) to choose one."
            )
        band = 1
    if (
        isinstance(band, bool)
        or not isinstance(band, int | np.integer)
        or not (1 <= band <= src.count)
    ):
        raise InputError(
            f"band={band!r} is not a band of '{source}'; it has {src.count} band(s), "
            f"numbered 1 to {src.count} (as in GDAL)."
        )
    t = src.transform
    if src.crs is None:
        keys = _geokey_directory(source)
        if keys is not None:
            problem = _geokey_problem(keys) or (
                "its GeoKey directory (TIFF tag 34735) is present but GDAL cannot make a CRS "
                "of it (broken or contradictory keys)"
            )
            raise DataFileError(
                f"'{source}': {problem}, so its CRS is lost. Re-export the raster from its "
                "source, or assign the CRS you know it is in, e.g. `gdal_edit.py -a_srs "
                "EPSG:32652 file.tif`."
            )
        if t.is_identity and not src.gcps[0] and not src.rpcs:
            raise DataFileError(
                f"'{source}' is a raster without georeferencing (no geotransform and no CRS); "
                "it is not a GeoTIFF. Georeference it first, e.g. `gdal_translate -a_srs "
                "EPSG:32652 -a_ullr ...`."
            )
        raise DataFileError(
            f"'{source}' declares no CRS, and habitat never guesses one; assign it, e.g. "
            "`gdal_edit.py -a_srs EPSG:32652 file.tif`."
        )
    if t.is_identity:
        raise DataFileError(
            f"'{source}' has no geotransform (it is georeferenced by ground control points "
            "or RPCs, if at all); habitat reads gridded rasters only. Warp it first "
            "(`gdalwarp -t_srs EPSG:32652 in.tif out.tif`)."
        )
    if t.b != 0 or t.d != 0:
        raise DataFileError(
            f"'{source}': the grid is rotated or sheared (transform {tuple(t)[:6]}); habitat "
            "supports north-up rasters only. Warp it first (`gdalwarp in.tif out.tif`)."
        )
    crs = _from_rio_crs(src.crs, source)
    rows, cols = src.height, src.width
    flip_rows, flip_cols = t.e > 0, t.a < 0
    # the north-up grid returned: origin at the north-west corner
    left = t.c + (t.a * cols if flip_cols else 0.0)
    top = t.f + (t.e * rows if flip_rows else 0.0)
    north_up: Transform = (abs(t.a), 0.0, left, 0.0, -abs(t.e), top)
    if bounds is not None:
        r0, c0, nr, nc = _bounds_window(bounds, north_up, (rows, cols), source)
    elif window is not None:
        r0, c0, nr, nc = _as_window(window)
        if nr <= 0 or nc <= 0 or r0 < 0 or c0 < 0 or r0 + nr > rows or c0 + nc > cols:
            raise InputError(
                f"window (row_off={r0}, col_off={c0}, n_rows={nr}, n_cols={nc}) is not inside "
                f"the {rows} x {cols} cells of '{source}'."
            )
    else:
        r0, c0, nr, nc = 0, 0, rows, cols
    _check_cells(
        nr,
        nc,
        max_cells,
        f"reading '{source}'",
        "the file (read a part of it with window= or bounds=)",
    )
    # the same cells in the file's own row/column order
    file_r0 = rows - r0 - nr if flip_rows else r0
    file_c0 = cols - c0 - nc if flip_cols else c0
    whole = (nr, nc) == (rows, cols)
    array = src.read(band, window=None if whole else Window(file_c0, file_r0, nc, nr))
    if flip_rows:
        array = array[::-1, :]
    if flip_cols:
        array = array[:, ::-1]
    array = np.ascontiguousarray(array)
    nodata: int | float | None = src.nodatavals[band - 1]
    if nodata is not None:
        val = float(nodata)
        nodata = int(val) if val.is_integer() and array.dtype.kind in "iu" else val
    classes = _class_tags(src.tags(band)) or _class_tags(src.tags())
    grid = Grid((rows, cols), north_up, crs).window(r0, c0, nr, nc)
    return Raster(array=array, transform=grid.transform, crs=crs, nodata=nodata, classes=classes)


def _class_tags(tags: dict[str, str]) -> dict[int, str] | None:
    """Class names from ``CLASS_<code>`` metadata items, or None."""
    out: dict[int, str] = {}
    for key, value in tags.items():
        code = key[len(_CLASS_TAG) :]
        if key.startswith(_CLASS_TAG) and code.lstrip("-").isdigit():
            out[int(code)] = value
    return dict(sorted(out.items())) or None


# --------------------------------------------------------------------- warping
def _resampling(name: str) -> Resampling:
    if not isinstance(name, str) or name not in RESAMPLING_METHODS:
        raise InputError(
            f"unknown resampling {name!r}; use one of {', '.join(RESAMPLING_METHODS)} "
            "('nearest' or 'mode' for classes, 'bilinear' for continuous values)."
        )
    return Resampling[name]


def _fill_value(array: np.ndarray) -> tuple[np.ndarray, int | float]:
    """A nodata value for a raster that declares none.

    NaN for floats; for integers the dtype's largest (else smallest) value when
    the data do not use it, else the array is widened to make room.
    """
    if array.dtype.kind == "f":
        return array, float("nan")
    candidates = [np.iinfo(array.dtype).max, np.iinfo(array.dtype).min]
    for value in candidates:
        if not (array == value).any():
            return array, int(value)
    wider = {1: np.int16, 2: np.int32, 4: np.int64}.get(array.dtype.itemsize)
    if wider is None:
        raise InputError(
            f"the raster has no nodata and uses every value of {array.dtype}; give it a "
            "nodata value (Raster(..., nodata=...)) before reprojecting."
        )
    return _fill_value(array.astype(wider))


def _target_grid(
    raster: Raster,
    dst_crs: RioCRS,
    bounds: Any,
    shape: Any,
    cell_size: Any,
) -> tuple[Affine, int, int]:
    """Transform and (rows, cols) of the output grid of :func:`reproject`."""
    src_crs = _to_rio_crs(raster.crs)
    if shape is not None and cell_size is not None:
        raise InputError("give reproject either shape= or cell_size=, not both.")
    if bounds is None:
        bounds = rasterio.warp.transform_bounds(src_crs, dst_crs, *raster.bounds, densify_pts=21)
    left, bottom, right, top = _check_bounds(
        bounds, "in the target CRS", hint=" (the raster may not be representable in it)"
    )
    if shape is not None:
        try:
            n_rows, n_cols = (int(v) for v in shape)
            ok = all(float(v).is_integer() for v in shape) and n_rows > 0 and n_cols > 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise InputError(f"shape must be (rows, cols), two positive integers; got {shape!r}.")
        # cells spanning the bounds exactly (rasterio.transform.from_bounds, without
        # its deprecated operator)
        _check_cells(n_rows, n_cols, MAX_WINDOW_CELLS, "the reprojected raster", "the shape asked")
        width, height = (right - left) / n_cols, (top - bottom) / n_rows
        return Affine(width, 0.0, left, 0.0, -height, top), n_rows, n_cols
    if cell_size is None:  # GDAL's suggestion: about as many cells as the source
        with warnings.catch_warnings():  # rasterio's own use of a deprecated operator
            warnings.filterwarnings("ignore", "Use `@` matmul", PendingDeprecationWarning)
            suggested, _, _ = rasterio.warp.calculate_default_transform(
                src_crs, dst_crs, raster.shape[1], raster.shape[0], *raster.bounds
            )
        cell_size = abs(suggested.a)
    try:
        size = float(cell_size)
    except (TypeError, ValueError):
        size = float("nan")
    if not (math.isfinite(size) and size > 0):
        raise InputError(
            f"cell_size must be a positive number of target-CRS units; got {cell_size!r}."
        )
    n_cols = max(1, math.ceil((right - left) / size - 1e-9))
    n_rows = max(1, math.ceil((top - bottom) / size - 1e-9))
    _check_cells(n_rows, n_cols, MAX_WINDOW_CELLS, "the reprojected raster", f"{size:g} units")
    return Affine(size, 0.0, left, 0.0, -size, top), n_rows, n_cols


def reproject(
    raster: Raster,
    crs: Any,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    shape: tuple[int, int] | None = None,
    cell_size: float | None = None,
    resampling: str = "nearest",
) -> Raster:
    """Warp a raster to another CRS and grid (:func:`rasterio.warp.reproject`).

    Parameters
    ----------
    raster : Raster
        The source grid.
    crs : CRS-like
        Target CRS (anything :meth:`pyproj.CRS.from_user_input` accepts, e.g.
        ``"EPSG:3857"``).
    bounds : tuple of 4 float, optional
        Output extent ``(left, bottom, right, top)`` in target-CRS units; default
        the raster's extent transformed to the target CRS (21 points per edge).
    shape : tuple of 2 int, optional
        Output (rows, cols); the cells then span ``bounds`` exactly (they need not
        be square). Not together with ``cell_size``.
    cell_size : float, optional
        Side of the (square) output cells in target-CRS units (metres for UTM,
        degrees for EPSG:4326); the grid starts at the top-left of ``bounds`` and
        covers them with whole cells. Default (neither ``shape`` nor
        ``cell_size``): GDAL's suggested resolution, about as many cells as the
        source.
    resampling : str
        One of :data:`RESAMPLING_METHODS`; ``"nearest"`` (default) or ``"mode"``
        for classes, ``"bilinear"`` for continuous values.

    Returns
    -------
    Raster
        In the target CRS, same dtype and class table. Cells outside the source
        (or on its nodata) hold the nodata value: the raster's own, or, if it has
        none, NaN for floats and the largest (else smallest) integer of the dtype
        not used by the data, declared as the result's ``nodata``.

    Notes
    -----
    GDAL's warper maps output cells to the source with its approximate
    transformer (error at most 1/8 source cell, as ``gdalwarp``); with
    ``"nearest"``, an output cell whose centre falls within that distance of a
    source cell edge may take the neighbouring cell's value.

    Examples
    --------
    >>> import numpy as np
    >>> cover = Raster(np.array([[1, 1, 2], [1, 5, 0]], dtype="uint8"),
    ...                (200.0, 0.0, 600_000.0, 0.0, -200.0, 4_800_000.0), "EPSG:32652",
    ...                nodata=0, classes={1: "forest", 2: "grassland/burnt", 5: "water"})

    Halving the cell size in the same CRS splits each cell into four:

    >>> fine = reproject(cover, "EPSG:32652", cell_size=100)
    >>> fine.shape, fine.cell_size_m
    ((4, 6), 100.0)
    >>> fine.array
    array([[1, 1, 1, 1, 2, 2],
           [1, 1, 1, 1, 2, 2],
           [1, 1, 5, 5, 0, 0],
           [1, 1, 5, 5, 0, 0]], dtype=uint8)

    To longitude/latitude, keeping the nodata value and the class names:

    >>> geo = reproject(cover, "EPSG:4326")
    >>> geo.crs.to_epsg(), geo.shape, geo.nodata, geo.classes[5]
    (4326, (2, 4), 0, 'water')
    """
    if not isinstance(raster, Raster):
        raise InputError(f"reproject needs a habitat Raster, not {type(raster).__name__}.")
    method = _resampling(resampling)
    target = as_crs(crs, name="reproject's target crs")
    dst_crs = _to_rio_crs(target)
    transform, n_rows, n_cols = _target_grid(raster, dst_crs, bounds, shape, cell_size)
    source = np.asarray(raster.array)
    if source.dtype == np.bool_:
        source = source.astype(np.uint8)
    if source.dtype == np.float16:
        source = source.astype(np.float32)
    if raster.nodata is None:
        source, fill = _fill_value(source)
        src_nodata = None
    else:
        fill = src_nodata = raster.nodata
        if not rasterio.dtypes.in_dtype_range(fill, source.dtype):
            raise InputError(
                f"the raster's nodata {fill!r} does not fit its {source.dtype} values; fix "
                "Raster.nodata before reprojecting."
            )
    out = np.full((n_rows, n_cols), fill, dtype=source.dtype)
    try:
        rasterio.warp.reproject(
            source,
            out,
            src_transform=Affine(*raster.transform),
            src_crs=_to_rio_crs(raster.crs),
            src_nodata=src_nodata,
            dst_transform=transform,
            dst_crs=dst_crs,
            dst_nodata=fill,
            resampling=method,
        )
    except RasterioError as exc:
        raise InputError(
            f"cannot reproject the raster from {describe_crs(raster.crs)} to "
            f"{describe_crs(target)}: {_describe_rasterio_error(exc)}"
        ) from exc
    classes = dict(raster.classes) if raster.classes is not None else None
    return Raster(out, tuple(transform)[:6], target, nodata=fill, classes=classes)


def lonlat_bounds(raster: Raster | Grid) -> tuple[float, float, float, float]:
    """Extent of a raster in WGS 84 degrees, (west, south, east, north).

    The raster's bounds are transformed with 21 points per edge
    (:func:`rasterio.warp.transform_bounds`), so curved edges are covered.

    Examples
    --------
    The bundled land cover spans about 130.2-132.1 °E and 42.3-44.2 °N:

    >>> from habitat.datasets import land_cover
    >>> [round(v, 2) for v in lonlat_bounds(land_cover())]
    [130.16, 42.27, 132.1, 44.23]
    """
    raster = _grid_of(raster)
    rows, cols = raster.shape
    a, b, c, d, e, f = raster.transform
    xs = np.array([c, c + a * cols + b * 0, c + b * rows, c + a * cols + b * rows])
    ys = np.array([f, f + d * cols, f + e * rows, f + d * cols + e * rows])
    w, s, e_, n = rasterio.warp.transform_bounds(
        _to_rio_crs(raster.crs),
        RioCRS.from_epsg(4326),
        float(xs.min()),
        float(ys.min()),
        float(xs.max()),
        float(ys.max()),
        densify_pts=21,
    )
    return (float(w), float(s), float(e_), float(n))


# ------------------------------------------------------------------ rasterising
def _grid_of(like: Any) -> Grid:
    if isinstance(like, Raster):
        return like.grid
    if isinstance(like, Grid):
        return like
    if all(hasattr(like, k) for k in ("shape", "transform", "crs")):
        try:
            shape = tuple(int(v) for v in like.shape)[-2:]
            t = _as_transform(tuple(like.transform)[:6])
        except (TypeError, ValueError):
            shape = ()
        if len(shape) != 2 or min(shape) < 1:
            raise InputError(
                f"like's shape must be (rows, cols), two positive integers; got {like.shape!r}."
            )
        return Grid((shape[0], shape[1]), t, as_crs(like.crs, name="like's crs"))
    raise InputError(
        f"like must be a habitat Raster or Grid (shape, transform, crs); got {type(like).__name__}."
    )


def _shape_geoms(shapes: Any, grid: Grid, name: str) -> tuple[np.ndarray, pd.Index]:
    """Polygon geometries of a layer in the grid's CRS, as an object array."""
    require_polygons(shapes, name=name, allow_empty=True, allow_no_rows=True)
    require_crs(shapes, name=name)
    geoms = align(shapes, grid.crs, name=name)
    require_finite_coordinates(
        geoms, name=name, after=f"reprojection to the grid's CRS {describe_crs(grid.crs)}"
    )
    series = geoms.geometry if isinstance(geoms, gpd.GeoDataFrame) else geoms
    arr = np.asarray(series.to_numpy(), dtype=object)
    # invalid (self-intersecting) polygons: repaired with make_valid and a warning
    usable = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    if (usable & ~shapely.is_valid(arr)).any():
        fixed, _ = repair_polygons(arr[usable], name=name, labels=shapes.index[usable])
        arr = arr.copy()
        arr[usable] = fixed
    return arr, shapes.index


def shapes_on_grid(
    shapes: gpd.GeoDataFrame | gpd.GeoSeries, like: Any, *, name: str = "shapes"
) -> np.ndarray:
    """Polygons checked and reprojected to a grid's CRS, as :func:`rasterize` takes them.

    The one place that prepares polygons for a grid: (Multi)Polygons with a
    declared surface CRS, reprojected explicitly to the grid's CRS, finite
    coordinates, invalid polygons repaired with a
    :class:`~habitat.core.errors.DataQualityWarning` naming their index labels.

    Parameters
    ----------
    shapes : GeoDataFrame or GeoSeries of (Multi)Polygons
    like : Raster, Grid or anything with ``shape``, ``transform`` and ``crs``
    name : str
        What the shapes are called in messages.

    Returns
    -------
    numpy.ndarray of shapely geometries
        One per row of ``shapes``, in the grid's CRS (missing/empty kept as they are).

    Examples
    --------
    >>> import geopandas as gpd
    >>> import shapely
    >>> from pyproj import CRS
    >>> grid = Grid((20, 20), (1000.0, 0.0, 600_000.0, 0.0, -1000.0, 4_800_000.0),
    ...             CRS.from_epsg(32652))
    >>> square = gpd.GeoSeries([shapely.box(605_000, 4_785_000, 615_000, 4_795_000)], crs=32652)
    >>> [round(v) for v in shapes_on_grid(square.to_crs(4326), grid)[0].bounds]
    [605000, 4785000, 615000, 4795000]
    """
    geoms, _ = _shape_geoms(shapes, _grid_of(like), name)
    return geoms


def _clipped(geoms: np.ndarray, grid: Grid) -> np.ndarray:
    """Shapes cut to the grid's extent plus one cell on every side (:func:`shapely.clip_by_rect`).

    The cells of the grid get the same values (the cut runs a cell beyond
    them), while GDAL's scanlines never meet vertices far away: a shape with
    vertices at 1e300 m would otherwise keep it busy for minutes.
    """
    rows, cols = grid.shape
    a, b, c, d, e, f = grid.transform
    cr = np.array([-1, -1, rows + 1, rows + 1], dtype=float)
    cc = np.array([-1, cols + 1, -1, cols + 1], dtype=float)
    xs, ys = a * cc + b * cr + c, d * cc + e * cr + f
    return np.asarray(
        shapely.clip_by_rect(geoms, xs.min(), ys.min(), xs.max(), ys.max()), dtype=object
    )


def rasterize(
    shapes: gpd.GeoDataFrame | gpd.GeoSeries,
    like: Raster | Grid,
    *,
    values: Any = 1,
    all_touched: bool = False,
    fill: int | float = 0,
    dtype: Any | None = None,
    max_cells: int = MAX_WINDOW_CELLS,
) -> Raster:
    """Burn polygons into a grid (:func:`rasterio.features.rasterize`).

    Parameters
    ----------
    shapes : GeoDataFrame or GeoSeries of (Multi)Polygons
        In any declared CRS; reprojected to the grid's CRS explicitly. Missing
        and empty geometries are skipped; invalid (self-intersecting) ones are
        repaired with :func:`shapely.make_valid` and a
        :class:`~habitat.core.errors.DataQualityWarning` naming the rows.
    like : Raster or Grid
        The output grid (shape, transform, CRS).
    values : scalar, str or array-like
        Value burnt for every shape (default 1), the name of a column of
        ``shapes``, or one value per shape. Where shapes overlap, the later
        shape's value wins.
    all_touched : bool
        False (default): a cell is burnt when its *centre* lies inside a shape
        (the cell-centre rule of GDAL, FRAGSTATS and ``raster::rasterize``).
        True: every cell the shape touches.
    fill : int or float
        Value of the cells no shape covers.
    dtype : numpy dtype-like, optional
        Of the output; default the smallest dtype holding ``values`` and ``fill``.
    max_cells : int
        Largest grid accepted (default :data:`MAX_WINDOW_CELLS`); a larger
        ``like`` raises :class:`~habitat.core.errors.TooLargeError`.

    Returns
    -------
    Raster
        On ``like``'s grid, with ``nodata`` None (``fill`` is a value like any other).

    Raises
    ------
    InputError
        For values that are not numbers (or not one per shape), a ``fill`` or
        values that do not fit ``dtype``, or a ``like`` that is not a grid.
    TooLargeError
        If ``like`` has more than ``max_cells`` cells.
    EmptyDataError, GeometryTypeError, CoordinateError, CRSError
        For shapes that are not polygons, have NaN vertices or no surface CRS.

    Examples
    --------
    A 10 km × 10 km square on a grid of 1 km cells covers 100 cells, 100 km²:

    >>> import geopandas as gpd
    >>> import shapely
    >>> from pyproj import CRS
    >>> grid = Grid((20, 20), (1000.0, 0.0, 600_000.0, 0.0, -1000.0, 4_800_000.0),
    ...             CRS.from_epsg(32652))
    >>> square = gpd.GeoSeries([shapely.box(605_000, 4_785_000, 615_000, 4_795_000)],
    ...                        crs=32652)
    >>> burnt = rasterize(square, grid)
    >>> int(burnt.array.sum()), burnt.array.dtype.name
    (100, 'uint8')
    >>> float(burnt.array.sum() * burnt.cell_area_m2 / 1e6)  # km²
    100.0

    Values from a column; where shapes overlap the later one wins:

    >>> zones = gpd.GeoDataFrame(
    ...     {"code": [1, 2]},
    ...     geometry=[shapely.box(600_000, 4_790_000, 610_000, 4_800_000),
    ...               shapely.box(605_000, 4_790_000, 615_000, 4_800_000)],
    ...     crs=32652,
    ... )
    >>> values, counts = np.unique(rasterize(zones, grid, values="code").array,
    ...                            return_counts=True)
    >>> values.tolist(), counts.tolist()
    ([0, 1, 2], [250, 50, 100])
    """
    grid = _grid_of(like)
    _check_cells(*grid.shape, max_cells, "rasterize's output grid", "the grid")
    geoms, index = _shape_geoms(shapes, grid, "shapes")
    if isinstance(values, str):
        if not isinstance(shapes, gpd.GeoDataFrame) or values not in shapes.columns:
            raise InputError(
                f"values={values!r} is not a column of shapes; columns: "
                f"{list(getattr(shapes, 'columns', []))}."
            )
        vals = shapes[values].to_numpy()
    else:
        vals = (
            np.broadcast_to(np.asarray(values), (len(geoms),))
            if np.ndim(values) == 0
            else (np.asarray(values))
        )
    if len(vals) != len(geoms):
        raise InputError(
            f"values has {len(vals)} entries for {len(geoms)} shapes; give one per shape."
        )
    if len(vals) and pd.isna(vals).any():
        raise InputError("values hold missing values; fill them or drop those shapes first.")
    vals = np.asarray(vals)
    if vals.dtype.kind not in "biuf":
        raise InputError(
            f"values must be numbers (one per shape, or a column of numbers); got "
            f"{vals.dtype} values such as {vals[:1].tolist()}. Code categories as integers."
        )
    if isinstance(fill, bool) or not isinstance(fill, int | float | np.number):
        raise InputError(f"fill must be a number, not {fill!r}.")
    if dtype is None:
        dtype = rasterio.dtypes.get_minimum_dtype(np.append(vals, fill))
    try:
        out_dtype = np.dtype(dtype)
    except TypeError as exc:
        raise InputError(f"dtype={dtype!r} is not a numpy dtype ({exc}).") from None
    if not rasterio.dtypes.check_dtype(out_dtype):
        raise InputError(f"dtype={dtype!r} cannot be rasterised; use e.g. 'uint8' or 'float32'.")
    for what, v in (("fill", np.asarray(fill)), ("values", vals)):
        if not _fits(v, out_dtype):
            raise InputError(
                f"{what} {v.ravel()[:3].tolist()} do not fit dtype {out_dtype}; choose a "
                "wider dtype (e.g. 'float32' for NaN) or other values."
            )
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    out = np.full(grid.shape, fill, dtype=out_dtype)
    if ok.any():
        pairs = [
            (g, v.item() if hasattr(v, "item") else v)
            for g, v in zip(_clipped(geoms[ok], grid), vals[ok], strict=True)
        ]
        out = rasterio.features.rasterize(
            pairs,
            out=out,
            transform=Affine(*grid.transform),
            all_touched=bool(all_touched),
        )
    return Raster(out, grid.transform, grid.crs, nodata=None)


def _fits(values: np.ndarray, dtype: np.dtype) -> bool:
    """Whether every value can be stored in ``dtype`` unchanged (NaN/inf only in floats)."""
    v = np.asarray(values, dtype=float).ravel()
    if dtype.kind == "f":
        finite = v[np.isfinite(v)]
        return bool(np.all(np.abs(finite) <= np.finfo(dtype).max))
    if dtype.kind == "b":
        return bool(np.all(np.isin(v, (0.0, 1.0))))
    info = np.iinfo(dtype)
    return bool(
        np.all(np.isfinite(v))
        and np.all(v == np.round(v))
        and np.all((v >= info.min) & (v <= info.max))
    )


def cells_in_shapes(
    shapes: gpd.GeoDataFrame | gpd.GeoSeries,
    like: Raster | Grid,
    *,
    all_touched: bool = False,
    max_cells: int = MAX_WINDOW_CELLS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells of a grid in each shape, for overlapping shapes (zonal statistics).

    Each shape is rasterised on its own (:func:`rasterio.features.rasterize` over
    the window of its bounding box, clipped to the grid), so overlaps are no
    problem and only the grid's own cells are visited, however far a shape
    reaches beyond them. With the
    cell-centre rule (``all_touched=False``) the cells the shape touches are then
    tested exactly (:func:`shapely.contains_xy` of their centres): a centre lying
    exactly on the boundary is outside, whichever side of the shape it is on
    (GDAL's scanline rule, used by :func:`rasterize`, takes some of those in).

    Parameters
    ----------
    shapes : GeoDataFrame or GeoSeries of (Multi)Polygons
        In any declared CRS; reprojected to the grid's CRS explicitly; invalid
        polygons are repaired as in :func:`rasterize` (with a warning).
    like : Raster or Grid
        The cell lattice.
    all_touched : bool
        False (default): cells whose centres lie inside the shape (the cell-centre
        rule of FRAGSTATS and ``raster::extract``); True: every cell the shape
        touches.
    max_cells : int
        Largest window (cells of the grid under one shape's bounding box)
        accepted; default :data:`MAX_WINDOW_CELLS`.

    Returns
    -------
    owner, rows, cols : numpy.ndarray of int64
        For every (shape, cell) pair: the shape's position in ``shapes`` (0-based)
        and the cell's row and column in ``like``. Only cells of the grid are
        listed (the parts of shapes beyond its edges have none); missing and
        empty shapes have no cells.

    Raises
    ------
    TooLargeError
        If one shape's window spans more than ``max_cells`` cells of the grid.

    Examples
    --------
    Two 10 km × 10 km squares overlapping by half, on a grid of 1 km cells: each
    gets all of its 100 cells, and 50 of them are shared:

    >>> import geopandas as gpd
    >>> import shapely
    >>> from pyproj import CRS
    >>> grid = Grid((20, 20), (1000.0, 0.0, 600_000.0, 0.0, -1000.0, 4_800_000.0),
    ...             CRS.from_epsg(32652))
    >>> squares = gpd.GeoSeries(
    ...     [shapely.box(600_000, 4_790_000, 610_000, 4_800_000),
    ...      shapely.box(605_000, 4_790_000, 615_000, 4_800_000)],
    ...     crs=32652,
    ... )
    >>> owner, rows, cols = cells_in_shapes(squares, grid)
    >>> np.bincount(owner).tolist()
    [100, 100]
    >>> cells = [set(zip(rows[owner == k], cols[owner == k])) for k in (0, 1)]
    >>> len(cells[0] & cells[1])
    50
    """
    grid = _grid_of(like)
    geoms, labels = _shape_geoms(shapes, grid, "shapes")
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    owners: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    box = shapely.bounds(geoms)
    g_rows, g_cols = grid.shape
    # each shape's window, clipped to the grid (vectorised over shapes)
    x0, y0, x1, y1 = box[:, 0], box[:, 1], box[:, 2], box[:, 3]
    fr, fc = _cell_index(grid.transform, np.stack([x0, x0, x1, x1]), np.stack([y0, y1, y0, y1]))
    with np.errstate(invalid="ignore"):
        r_lo = np.clip(np.floor(fr.min(axis=0)), 0, g_rows)
        r_hi = np.clip(np.floor(fr.max(axis=0)) + 1, 0, g_rows)
        c_lo = np.clip(np.floor(fc.min(axis=0)), 0, g_cols)
        c_hi = np.clip(np.floor(fc.max(axis=0)) + 1, 0, g_cols)
    ok &= (r_hi > r_lo) & (c_hi > c_lo)
    for k in np.flatnonzero(ok):
        r0, c0 = int(r_lo[k]), int(c_lo[k])
        n_r, n_c = int(r_hi[k]) - r0, int(c_hi[k]) - c0
        _check_cells(
            n_r,
            n_c,
            max_cells,
            f"the window of shape {labels[int(k)]!r} (position {k})",
            "the grid",
        )
        win = grid.window(r0, c0, n_r, n_c)
        mask = rasterio.features.rasterize(
            [(_clipped(geoms[k : k + 1], win)[0], 1)],
            out_shape=win.shape,
            transform=Affine(*win.transform),
            all_touched=True,
            fill=0,
            dtype=np.uint8,
        )
        rr, cc = np.nonzero(mask)
        rr, cc = rr.astype(np.int64) + r0, cc.astype(np.int64) + c0
        if not all_touched:
            # centres as Raster.xy computes them, on the whole grid's indices
            a, b, c, d, e, f = grid.transform
            rc, cc_ = rr.astype(float) + 0.5, cc.astype(float) + 0.5
            x, y = a * cc_ + b * rc + c, d * cc_ + e * rc + f
            inside = shapely.contains_xy(geoms[k], x, y)
            rr, cc = rr[inside], cc[inside]
        owners.append(np.full(rr.size, k, dtype=np.int64))
        rows.append(rr)
        cols.append(cc)
    if not owners:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
    return np.concatenate(owners), np.concatenate(rows), np.concatenate(cols)

"""Raster input of the landscape metrics: one :class:`RasterSource` for every kind of raster.

:func:`open_raster_source` takes a GeoTIFF (or any raster GDAL reads) by path,
an open :mod:`rasterio` dataset, a :class:`habitat.io.raster.Raster`, or a 2-D
integer array with its transform and CRS, checks that its cells can be
measured as FRAGSTATS measures them, and returns a :class:`RasterSource` whose
:meth:`~RasterSource.read` returns any window of cells with a validity mask.
Files are read window by window (never whole), so a raster larger than memory
can be measured strip by strip, and a zone reads only its own window.

Checks (each raises a :class:`~habitat.core.errors.HabitatError` naming the
raster and saying how to fix it):

* the raster must declare a CRS (files: :func:`habitat.io.raster.read_dataset`;
  arrays: ``crs=``);
* its cells must be true metres: a CRS in degrees, Web Mercator (whose "metres"
  are 1/cos(latitude) too long) or another unit is refused with
  :class:`~habitat.core.errors.ProjectedCRSRequiredError`, unless
  ``reproject=True``: the raster is then warped (nearest neighbour) to the
  local equal-area CRS of :func:`habitat.core.crs.equal_area_crs`, at the
  geodesic size of a cell at the raster's centre (the smaller of its width and
  height, rounded to 3 significant digits), with a
  :class:`~habitat.core.errors.DataQualityWarning` saying so and
  :attr:`RasterSource.note` recording it;
* cells must be square (FRAGSTATS counts cell sides) and the grid north-up
  (not rotated), else :class:`~habitat.core.errors.InputError`;
* land cover is categorical: float cells must hold whole numbers (NaN is
  nodata), else :class:`~habitat.core.errors.InputError`;
* a raster without cells raises :class:`~habitat.core.errors.EmptyDataError`.

Nodata is explicit: the nodata value the file or Raster declares, else none
(every value is a class), unless ``nodata=`` says otherwise (``None``: no
nodata). NaN cells of float rasters are always nodata.

:func:`rasterize_land_cover` turns vector land cover (polygons with a class
column) into a categorical :class:`~habitat.io.raster.Raster` at a chosen cell
size.
"""

from __future__ import annotations

import enum
import math
import os
import warnings
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from pyproj import CRS, Transformer
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.transform import Affine
from rasterio.windows import Window

from habitat.core.crs import (
    align,
    as_crs,
    describe_crs,
    equal_area_crs,
    is_web_mercator,
    require_crs,
    require_measurement_crs,
)
from habitat.core.errors import (
    ColumnError,
    DataFileError,
    DataQualityWarning,
    EmptyDataError,
    InputError,
    ProjectedCRSRequiredError,
)
from habitat.core.validation import require_polygons
from habitat.io.raster import Grid, Raster, lonlat_bounds, rasterize, read_dataset
from habitat.io.raster import reproject as reproject_raster

__all__ = [
    "NOT_GIVEN",
    "NotGiven",
    "RasterSource",
    "open_raster_source",
    "rasterize_land_cover",
]


class NotGiven(enum.Enum):
    """Type of :data:`NOT_GIVEN`, the default of arguments where ``None`` has a meaning."""

    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: default of ``nodata=``: use the nodata the raster declares (``None`` means "no nodata")
NOT_GIVEN = NotGiven.NOT_GIVEN

#: relative tolerance between the width and height of a "square" cell
SQUARE_TOLERANCE = 1e-9

#: largest whole number a float64 holds exactly (float cells beyond it are refused)
_MAX_EXACT_FLOAT = 2.0**53

Transform = tuple[float, float, float, float, float, float]


# ----------------------------------------------------------------------------- source
class RasterSource:
    """A categorical raster read window by window (use :func:`open_raster_source`).

    Attributes
    ----------
    shape : tuple of int
        Number of (rows, cols).
    transform : tuple of 6 float
        North-up affine transform ``(a, 0, c, 0, e, f)`` of the cell corners, ``a > 0``,
        ``e < 0`` (rasters stored south-up are read north-up).
    crs : pyproj.CRS
        A projected CRS in metres.
    nodata : int, float or None
        The value that marks cells without data (None: every value is a class; NaN
        cells of float rasters are always nodata).
    classes : dict of int to str or None
        Class names (``CLASS_<code>`` GeoTIFF metadata, or the Raster's classes).
    cell_size_m : float
        Side of a (square) cell, in metres.
    name : str
        The file's name, ``"array"``, ``"Raster"`` or the dataset's name, for messages.
    dtype : numpy.dtype
        Integer dtype of the values :meth:`read` returns (int64 for float rasters).
    note : str
        Why values from this source may not be trusted as they are (e.g. it was
        reprojected); empty otherwise.
    block_cache_mb : int
        GDAL's block cache while a file is read (two rows of its blocks, at
        least :data:`MIN_BLOCK_CACHE_MB`; GDAL's default would keep up to the
        whole decompressed raster); 0 for arrays.
    """

    def __init__(
        self,
        *,
        shape: tuple[int, int],
        transform: Transform,
        crs: CRS,
        nodata: int | float | None,
        classes: dict[int, str] | None,
        name: str,
        array: np.ndarray | None = None,
        dataset: Any = None,
        band: int = 1,
        flip_rows: bool = False,
        flip_cols: bool = False,
        owns_dataset: bool = False,
        note: str = "",
    ) -> None:
        if (array is None) == (dataset is None):
            raise InputError(
                "a RasterSource reads either an array or a dataset; use open_raster_source."
            )
        self.shape = (int(shape[0]), int(shape[1]))
        self.transform = transform
        self.crs = crs
        self.nodata = nodata
        self.classes = classes
        self.name = name
        self.note = note
        self.cell_size_m = float(abs(transform[0]))
        self._array = array
        self._dataset: Any = dataset
        self._band = int(band)
        self._flip_rows = bool(flip_rows)
        self._flip_cols = bool(flip_cols)
        self._owns = bool(owns_dataset)
        raw: np.dtype[Any] = np.dtype(
            array.dtype if array is not None else self._dataset.dtypes[self._band - 1]
        )
        self._raw_dtype = raw
        self.block_cache_mb = 0 if dataset is None else _block_cache_mb(dataset, self._band, raw)
        self.dtype: np.dtype[Any] = raw
        if raw.kind == "b":
            self.dtype = np.dtype(np.uint8)
        elif raw.kind == "f":
            self.dtype = np.dtype(np.int64)

    # ------------------------------------------------------------------ basics
    def __repr__(self) -> str:
        where_ = "in memory" if self._array is not None else "windowed reads"
        return (
            f"RasterSource(name={self.name!r}, shape={self.shape}, "
            f"cell_size_m={self.cell_size_m:g}, crs={describe_crs(self.crs)}, "
            f"nodata={self.nodata!r}, {where_})"
        )

    @property
    def grid(self) -> Grid:
        """The cell lattice (shape, transform, CRS) as a :class:`habitat.io.raster.Grid`."""
        return Grid(self.shape, self.transform, self.crs)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Extent ``(left, bottom, right, top)`` in the CRS's metres."""
        a, _, c, _, e, f = self.transform
        rows, cols = self.shape
        return (c, f + e * rows, c + a * cols, f)

    @property
    def in_memory(self) -> bool:
        """True when the cells are held in memory (arrays, Rasters, reprojected rasters)."""
        return self._array is not None

    def close(self) -> None:
        """Close the file opened by :func:`open_raster_source` (a caller's dataset stays open)."""
        if self._dataset is not None and self._owns and not self._dataset.closed:
            self._dataset.close()

    def __enter__(self) -> RasterSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ reading
    def read(self, r0: int, r1: int, c0: int, c1: int) -> tuple[np.ndarray, np.ndarray]:
        """Values and validity of rows ``r0..r1-1`` and columns ``c0..c1-1``.

        The window may reach beyond the raster on any side (negative offsets,
        ends past the last row/column): those cells come back ``valid=False``
        with value 0. Only the part of the window inside the raster is read
        from a file.

        Parameters
        ----------
        r0, r1, c0, c1 : int
            Half-open row and column ranges, ``r0 <= r1``, ``c0 <= c1``.

        Returns
        -------
        values : numpy.ndarray, shape (r1 - r0, c1 - c0)
            Cell values (:attr:`dtype`); 0 outside the raster.
        valid : numpy.ndarray of bool, same shape
            False for nodata (and NaN) cells and for cells outside the raster.

        Raises
        ------
        InputError
            For a reversed window, or float cells that are not whole numbers.
        DataFileError
            If the file cannot be read (truncated, corrupt).
        """
        try:
            r0, r1, c0, c1 = (_whole(v) for v in (r0, r1, c0, c1))
        except (TypeError, ValueError):
            raise InputError(
                f"read needs whole row/column bounds r0, r1, c0, c1; got {(r0, r1, c0, c1)!r}."
            ) from None
        if r1 < r0 or c1 < c0:
            raise InputError(
                f"read(r0={r0}, r1={r1}, c0={c0}, c1={c1}) of '{self.name}': the ends must not "
                "come before the starts."
            )
        rows, cols = self.shape
        a0, a1, b0, b1 = max(r0, 0), min(r1, rows), max(c0, 0), min(c1, cols)
        if a1 <= a0 or b1 <= b0:
            return (
                np.zeros((r1 - r0, c1 - c0), dtype=self.dtype),
                np.zeros((r1 - r0, c1 - c0), dtype=bool),
            )
        vals, ok = self._classify(self._block(a0, a1, b0, b1), (a0, a1, b0, b1))
        if (a0, a1, b0, b1) == (r0, r1, c0, c1):
            return vals, ok
        values = np.zeros((r1 - r0, c1 - c0), dtype=self.dtype)
        valid = np.zeros((r1 - r0, c1 - c0), dtype=bool)
        values[a0 - r0 : a1 - r0, b0 - c0 : b1 - c0] = vals
        valid[a0 - r0 : a1 - r0, b0 - c0 : b1 - c0] = ok
        return values, valid

    def read_all(self) -> tuple[np.ndarray, np.ndarray]:
        """Values and validity of the whole raster (:meth:`read` of every cell)."""
        return self.read(0, self.shape[0], 0, self.shape[1])

    def _block(self, a0: int, a1: int, b0: int, b1: int) -> np.ndarray:
        """Raw cells of a window inside the raster, north-up."""
        if self._array is not None:
            return np.array(self._array[a0:a1, b0:b1])  # a copy: callers may write to it
        rows, cols = self.shape
        fr0 = rows - a1 if self._flip_rows else a0
        fc0 = cols - b1 if self._flip_cols else b0
        if self._dataset.closed:
            raise InputError(
                f"the raster '{self.name}' is closed; read it inside its `with` block, or "
                "before closing the dataset."
            )
        try:
            with rasterio.Env(GDAL_CACHEMAX=self.block_cache_mb):
                block = self._dataset.read(self._band, window=Window(fc0, fr0, b1 - b0, a1 - a0))
        except RasterioError as exc:
            raise DataFileError(
                f"cannot read rows {a0}-{a1 - 1}, columns {b0}-{b1 - 1} of '{self.name}' "
                f"({exc}); the file may be truncated or corrupt. Re-export it "
                "(e.g. `gdal_translate in.tif out.tif`)."
            ) from exc
        if self._flip_rows:
            block = block[::-1, :]
        if self._flip_cols:
            block = block[:, ::-1]
        return block

    def _classify(
        self, block: np.ndarray, window: tuple[int, int, int, int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(values, valid) of raw cells: nodata and NaN invalid, floats checked to be whole."""
        nd = _comparable_nodata(self.nodata)
        if block.dtype.kind == "f":
            valid = ~np.isnan(block)
            if nd is not None:
                valid &= block != nd
            _require_whole(block, valid, self.name, window)
            values = np.where(valid, block, 0).astype(np.int64)
            return values, valid
        if block.dtype.kind == "b":
            block = block.astype(np.uint8)
        valid = block != nd if nd is not None else np.ones(block.shape, dtype=bool)
        return np.ascontiguousarray(block), valid


#: least GDAL block cache while a file is read window by window, in MB
MIN_BLOCK_CACHE_MB = 16


def _block_cache_mb(dataset: Any, band: int, dtype: np.dtype[Any]) -> int:
    """GDAL's block cache while reading: two rows of the file's blocks, at least 16 MB.

    Strips of rows are read once each, top to bottom, so two rows of blocks
    (a strip may end inside one) are all a cache can reuse. Left at GDAL's
    default (5 % of the RAM) the cache would keep up to the whole
    decompressed raster while it is scanned.
    """
    try:
        block_rows = int(dataset.block_shapes[band - 1][0])
    except (AttributeError, IndexError, TypeError, ValueError):
        block_rows = 512
    row_bytes = 2 * max(block_rows, 1) * int(dataset.width) * dtype.itemsize
    return max(MIN_BLOCK_CACHE_MB, -(-row_bytes // 2**20))


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not float(value).is_integer():
        raise ValueError(value)
    return int(value)


def _comparable_nodata(nodata: int | float | None) -> int | float | None:
    """The nodata value cells are compared with (None for none or NaN: NaN is handled apart)."""
    if nodata is None or (isinstance(nodata, float) and math.isnan(nodata)):
        return None
    return nodata


def _require_whole(
    block: np.ndarray, valid: np.ndarray, name: str, window: tuple[int, int, int, int]
) -> None:
    """Refuse float land cover whose valid cells are not whole numbers (categories)."""
    vals = block[valid]
    bad = (vals != np.floor(vals)) | (np.abs(vals) > _MAX_EXACT_FLOAT)
    if bad.any():
        where_rows = np.nonzero(valid)
        k = int(np.flatnonzero(bad)[0])
        row, col = int(where_rows[0][k]) + window[0], int(where_rows[1][k]) + window[2]
        raise InputError(
            f"'{name}' holds float values that are not whole numbers (e.g. {vals[bad][0]!r} at "
            f"row {row}, column {col}); landscape metrics need categorical land cover coded "
            "as integer classes. Classify the raster first (e.g. `np.digitize`, or "
            "`gdal_calc.py`), or give its nodata value with nodata=."
        )


# ----------------------------------------------------------------------------- opening
def open_raster_source(
    raster: Any,
    *,
    transform: Any | None = None,
    crs: Any | None = None,
    nodata: int | float | None | NotGiven = NOT_GIVEN,
    reproject: bool = False,
    band: int = 1,
) -> RasterSource:
    """Open a categorical raster for landscape metrics, with its checks.

    Parameters
    ----------
    raster : path, rasterio dataset, Raster, numpy.ndarray or RasterSource
        A GeoTIFF or any raster GDAL reads (``str`` or path-like; opened here and
        read in windows: close the source, or use it as a context manager), an
        open :mod:`rasterio` dataset (read in windows, left open), a
        :class:`habitat.io.raster.Raster`, or a 2-D integer array with
        ``transform`` and ``crs``. A :class:`RasterSource` is returned as is.
    transform : tuple of 6 float or affine.Affine, optional
        Affine transform ``(a, b, c, d, e, f)`` of an array's cell corners (as
        rasterio's ``dataset.transform``); only for arrays (required there).
    crs : CRS-like, optional
        The array's CRS; only for arrays (required there).
    nodata : int, float or None, optional
        The value marking cells without data. Default: the value the file or
        Raster declares, else none (every value is a class). ``None``: no
        nodata, even if the file declares one.
    reproject : bool
        Warp a raster whose cells are not metres (degrees, Web Mercator, feet)
        to the local equal-area CRS (nearest neighbour) instead of refusing it;
        the cell size is the geodesic size of a cell at the raster's centre (the
        smaller of its width and height, 3 significant digits). Warns with a
        :class:`~habitat.core.errors.DataQualityWarning` and records it in
        :attr:`RasterSource.note`. The warped raster is held in memory.
    band : int
        1-based band of a file or dataset.

    Returns
    -------
    RasterSource

    Raises
    ------
    ProjectedCRSRequiredError
        For a CRS in degrees, Web Mercator or a unit other than metres, without
        ``reproject=True``.
    InputError
        For non-square cells, a rotated grid, float cells that are not whole
        numbers, a missing transform or CRS for an array, an unknown input kind.
    EmptyDataError
        For an array without cells.
    DataFileError
        For a missing, unreadable or ungeoreferenced file.

    Examples
    --------
    A 3 x 4 array of classes on 100 m cells of UTM 52N, 0 is nodata here:

    >>> import numpy as np
    >>> cells = np.array([[1, 1, 2, 0], [1, 2, 2, 0], [3, 3, 2, 0]], dtype="uint8")
    >>> src = open_raster_source(cells, transform=(100.0, 0, 600_000, 0, -100.0, 4_800_000),
    ...                          crs="EPSG:32652", nodata=0)
    >>> src.shape, src.cell_size_m, src.nodata
    ((3, 4), 100.0, 0)

    Any window, also beyond the raster (those cells are not valid):

    >>> values, valid = src.read(-1, 1, 2, 5)
    >>> values.tolist(), valid.tolist()
    ([[0, 0, 0], [2, 0, 0]], [[False, False, False], [True, False, False]])

    Degrees are refused, or warped to metres on request:

    >>> geo = np.ones((10, 10), dtype="uint8")
    >>> open_raster_source(geo, transform=(0.01, 0, 131.0, 0, -0.01, 43.5), crs=4326)
    Traceback (most recent call last):
    ...
    habitat.core.errors.ProjectedCRSRequiredError: 'array' is in EPSG:4326 (WGS 84): degrees, ...
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     warped = open_raster_source(geo, transform=(0.01, 0, 131.0, 0, -0.01, 43.5),
    ...                                 crs=4326, reproject=True)
    >>> warped.cell_size_m, warped.crs.srs.split()[:3]
    (809.0, ['+proj=laea', '+lat_0=43.5', '+lon_0=131'])
    """
    if isinstance(raster, RasterSource):
        if transform is not None or crs is not None or nodata is not NOT_GIVEN or band != 1:
            raise InputError(
                "raster is already a RasterSource; open it again from its file or array to "
                "change its transform, crs, nodata or band."
            )
        return raster
    if not isinstance(reproject, bool | np.bool_):
        raise InputError(f"reproject must be True or False, not {reproject!r}.")
    if isinstance(band, bool) or not isinstance(band, int | np.integer) or band < 1:
        raise InputError(f"band must be a positive integer (1-based, as in GDAL), not {band!r}.")
    is_array = isinstance(raster, np.ndarray)
    if not is_array and (transform is not None or crs is not None):
        raise InputError(
            "transform= and crs= are for arrays only; a file, dataset or Raster carries its "
            "own georeferencing (fix a file's CRS with `gdal_edit.py -a_srs EPSG:... file.tif`)."
        )
    if isinstance(raster, str | os.PathLike):
        return _open_path(raster, nodata=nodata, reproject=bool(reproject), band=int(band))
    if _is_dataset(raster):
        return _open_dataset(
            raster,
            name=Path(str(raster.name)).name,
            owns=False,
            path=Path(str(raster.name)),
            nodata=nodata,
            reproject=bool(reproject),
            band=int(band),
        )
    if (isinstance(raster, Raster) or is_array) and band != 1:
        raise InputError(
            f"band={band!r} is for files and datasets; a {type(raster).__name__} has one band."
        )
    if isinstance(raster, Raster):
        return _from_raster(raster, "Raster", nodata=nodata, reproject=bool(reproject))
    if is_array:
        if raster.ndim == 2 and raster.size == 0:
            raise EmptyDataError(
                f"the array has no cells (shape {raster.shape}); give a land-cover grid with "
                "at least one cell."
            )
        missing = [k for k, v in (("transform", transform), ("crs", crs)) if v is None]
        if missing:
            raise InputError(
                f"an array needs {' and '.join(m + '=' for m in missing)} to place its cells: e.g. "
                "transform=(100.0, 0, left, 0, -100.0, top) for 100 m cells and "
                "crs='EPSG:32652' (UTM 52N), or pass a habitat Raster or a GeoTIFF path."
            )
        if raster.dtype.kind not in "biuf":
            raise InputError(
                f"the array holds {raster.dtype} values; land cover must be integer class "
                "codes (with names kept apart, e.g. in a habitat Raster's classes)."
            )
        if isinstance(transform, Affine):  # rasterio's Affine iterates over 9 numbers
            transform = tuple(transform)[:6]
        return _from_raster(
            Raster(raster, cast(Transform, transform), as_crs(crs, name="crs")),
            "array",
            nodata=nodata,
            reproject=bool(reproject),
        )
    raise InputError(
        f"raster must be a GeoTIFF path, a rasterio dataset, a habitat Raster or a 2-D array "
        f"(with transform= and crs=), not {type(raster).__name__}."
    )


def _is_dataset(obj: Any) -> bool:
    return isinstance(obj, rasterio.io.DatasetReaderBase)


def _open_path(path: Any, *, nodata: Any, reproject: bool, band: int) -> RasterSource:
    text = os.fspath(path)
    if not str(text):
        raise InputError("raster is an empty path; give the path of a GeoTIFF.")
    source = Path(text)
    if not str(text).startswith("/vsi"):
        if source.is_dir():
            raise DataFileError(
                f"'{source}' is a folder, not a raster file; give the path of the .tif inside it."
            )
        if not source.is_file():
            raise DataFileError(f"'{source}': no such raster file.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            dataset = rasterio.open(source)
    except RasterioError as exc:
        raise DataFileError(f"'{source}' is not a readable raster file ({exc}).") from exc
    try:
        out = _open_dataset(
            dataset,
            name=source.name,
            owns=True,
            nodata=nodata,
            reproject=reproject,
            band=band,
            path=source,
        )
    except BaseException:
        dataset.close()
        raise
    if out.in_memory:  # reprojected into memory: the file is no longer needed
        dataset.close()
    return out


def _open_dataset(
    dataset: Any,
    *,
    name: str,
    owns: bool,
    nodata: Any,
    reproject: bool,
    band: int,
    path: Path | None = None,
) -> RasterSource:
    if dataset.closed:
        raise InputError(f"the rasterio dataset '{name}' is closed; open it again.")
    label = str(path) if path is not None else name
    t = dataset.transform
    if t.b != 0 or t.d != 0:
        raise InputError(_rotated_message(label, tuple(t)[:6]))
    # read_dataset's checks (band, CRS, georeferencing), on one cell
    first = read_dataset(dataset, band=band, window=(0, 0, 1, 1), name=label)
    rows, cols = int(dataset.height), int(dataset.width)
    declared = first.nodata
    use_nodata = _resolve_nodata(declared, nodata, first.array.dtype, label)
    if not _metric(first.crs):
        if not reproject:
            _refuse_units(first.crs, label)
        whole = read_dataset(dataset, band=band, name=label)
        return _from_raster(whole, name, nodata=use_nodata, reproject=True, label=label)
    a, _, c, _, e, f = first.transform
    transform: Transform = (a, 0.0, c, 0.0, e, f)
    _require_square(transform, label)
    return RasterSource(
        shape=(rows, cols),
        transform=transform,
        crs=first.crs,
        nodata=use_nodata,
        classes=first.classes,
        name=name,
        dataset=dataset,
        band=band,
        flip_rows=t.e > 0,
        flip_cols=t.a < 0,
        owns_dataset=owns,
    )


def _from_raster(
    raster: Raster, name: str, *, nodata: Any, reproject: bool, label: str | None = None
) -> RasterSource:
    label = label or name
    a, b, c, d, e, f = raster.transform
    if b != 0 or d != 0:
        raise InputError(_rotated_message(label, raster.transform))
    array = np.asarray(raster.array)
    rows, cols = array.shape
    # north-up: flip rows/columns of south-up or east-to-west grids (views, no copies)
    if e > 0:
        array, f, e = array[::-1, :], f + e * rows, -e
    if a < 0:
        array, c, a = array[:, ::-1], c + a * cols, -a
    use_nodata = _resolve_nodata(raster.nodata, nodata, array.dtype, label)
    grid = Raster(
        array, (a, 0.0, c, 0.0, e, f), raster.crs, nodata=use_nodata, classes=raster.classes
    )
    note = ""
    if not _metric(grid.crs):
        if not reproject:
            _refuse_units(grid.crs, label)
        grid, note = _warp_to_metres(grid, label)
    _require_square(grid.transform, label)
    src = RasterSource(
        shape=grid.shape,
        transform=grid.transform,
        crs=grid.crs,
        nodata=grid.nodata,
        classes=grid.classes,
        name=name,
        array=grid.array,
        note=note,
    )
    if src._raw_dtype.kind == "f":  # in memory: check every cell now, strip by strip
        step = max(1, 4_000_000 // max(src.shape[1], 1))
        for r0 in range(0, src.shape[0], step):
            src.read(r0, r0 + step, 0, src.shape[1])
    return src


def _resolve_nodata(declared: Any, given: Any, dtype: np.dtype, label: str) -> int | float | None:
    """The nodata value used: the declared one unless ``nodata=`` was given (None = none)."""
    if given is NOT_GIVEN:
        return declared
    if given is None:
        return None
    if isinstance(given, bool) or not isinstance(given, int | float | np.number):
        raise InputError(
            f"nodata must be a number or None (no nodata), not {given!r} (raster '{label}')."
        )
    value = given.item() if isinstance(given, np.generic) else given
    if np.dtype(dtype).kind in "iub" and not (isinstance(value, float) and math.isnan(value)):
        kind = np.dtype(dtype)
        info = np.iinfo(np.uint8 if kind.kind == "b" else kind)
        if not float(value).is_integer() or not info.min <= value <= info.max:
            raise InputError(
                f"nodata={value!r} can never match the {kind} cells of '{label}' (whole "
                f"numbers from {info.min} to {info.max}); give one of those (or None for no "
                "nodata)."
            )
        value = int(value)
    return value


def _metric(crs: CRS) -> bool:
    """Whether the CRS's cells are true metres (projected, metres, not Web Mercator)."""
    try:
        require_measurement_crs(crs, purpose="distances")
    except ProjectedCRSRequiredError:
        return False
    return True


def _refuse_units(crs: CRS, label: str) -> None:
    """ProjectedCRSRequiredError for a raster whose cells are not true metres (:func:`_metric`)."""
    if not crs.is_projected:
        why = "degrees, and cells in degrees have no fixed size in metres"
    elif is_web_mercator(crs):
        why = (
            "Web Mercator, whose cells are not true metres (a cell is 1/cos(latitude) times "
            "its true size: 1.37x at 43°N)"
        )
    else:
        unit = crs.axis_info[0].unit_name if crs.axis_info else "unknown units"
        why = f"{unit}, not metres"
    raise ProjectedCRSRequiredError(
        f"'{label}' is in {describe_crs(crs)}: {why}. Landscape metrics count cells of "
        "known size in metres. Reproject the raster to a projected CRS in metres first "
        "(e.g. `gdalwarp -t_srs EPSG:32652 -r near in.tif out.tif` for UTM 52N), or pass "
        "reproject=True to let habitat warp it (nearest neighbour) to a local equal-area "
        "CRS, with a warning."
    )


def _rotated_message(label: str, transform: Any) -> str:
    return (
        f"the grid of '{label}' is rotated or sheared (transform {tuple(transform)}); "
        "landscape metrics need a north-up grid of square cells. Warp it first, e.g. "
        "`gdalwarp -t_srs EPSG:32652 -tr 100 100 -r near in.tif out.tif`."
    )


def _require_square(transform: Any, label: str) -> None:
    """InputError unless the cells are square (width == height within SQUARE_TOLERANCE)."""
    a, e = abs(float(transform[0])), abs(float(transform[4]))
    if abs(a - e) > SQUARE_TOLERANCE * max(a, e):
        size = min(a, e)
        raise InputError(
            f"the cells of '{label}' are not square ({a:g} x {e:g} CRS units); FRAGSTATS "
            "metrics count cell sides and need square cells. Resample the raster to square "
            f"cells first, e.g. `gdalwarp -tr {size:g} {size:g} -r near in.tif out.tif`, or "
            f"`habitat.io.raster.reproject(raster, raster.crs, cell_size={size:g})`."
        )


def _geodesic_cell_size_m(raster: Raster) -> tuple[float, float]:
    """Width and height in metres (on the CRS's ellipsoid) of a cell at the raster's centre."""
    rows, cols = raster.shape
    a, _, c, _, e, f = raster.transform
    x, y = c + a * cols / 2.0, f + e * rows / 2.0
    to_lonlat = Transformer.from_crs(raster.crs, raster.crs.geodetic_crs, always_xy=True)
    xs = np.array([x - a / 2, x + a / 2, x, x])
    ys = np.array([y, y, y + e / 2, y - e / 2])
    lon, lat = to_lonlat.transform(xs, ys)
    geod = raster.crs.get_geod()
    if geod is None:  # pragma: no cover - every surface CRS has an ellipsoid
        raise InputError(f"the CRS {describe_crs(raster.crs)} has no ellipsoid.")
    _, _, dist = geod.inv(lon[[0, 2]], lat[[0, 2]], lon[[1, 3]], lat[[1, 3]])
    return float(dist[0]), float(dist[1])


def _warp_to_metres(raster: Raster, label: str) -> tuple[Raster, str]:
    """Warp to the local equal-area CRS at the geodesic cell size; warn and say how."""
    width, height = _geodesic_cell_size_m(raster)
    size = float(f"{min(width, height):.3g}")
    if not (math.isfinite(size) and size > 0):
        raise InputError(f"cannot derive a cell size in metres for '{label}' (got {size!r}).")
    target = equal_area_crs(lonlat_bounds(raster))
    warped = reproject_raster(raster, target, cell_size=size, resampling="nearest")
    note = (
        f"reprojected from {describe_crs(raster.crs)} to {describe_crs(target)} (the local "
        f"equal-area CRS of habitat.core.crs.equal_area_crs) by nearest neighbour, at "
        f"{size:g} m cells: the geodesic size of a cell at the raster's centre "
        f"({width:.1f} m wide x {height:.1f} m high), the smaller side rounded to 3 "
        "significant digits"
    )
    if raster.nodata is None:
        note += (
            f"; cells beyond the original raster's edges are nodata (value {warped.nodata!r}, "
            "unused by the raster)"
        )
    warnings.warn(
        f"'{label}': {note}. Class areas change by up to half a cell along every class "
        "edge; reproject the raster yourself (e.g. `gdalwarp -t_srs EPSG:32652 -tr 100 100 "
        "-r near`) to choose the CRS and cell size.",
        DataQualityWarning,
        stacklevel=4,
    )
    return warped, note


# ----------------------------------------------------------------------------- rasterising
def rasterize_land_cover(
    polygons: gpd.GeoDataFrame,
    *,
    column: str,
    cell_size_m: float,
    crs: Any | None = None,
    class_names: dict[int, str] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    all_touched: bool = False,
) -> Raster:
    """Rasterise vector land cover into categorical cells of a chosen size.

    Parameters
    ----------
    polygons : GeoDataFrame of (Multi)Polygons
        Land-cover polygons in any declared CRS.
    column : str
        The class of each polygon: integer codes (not 0, which is nodata), or
        names (strings), which get codes 1..n in sorted order, with the names in
        the result's ``classes``.
    cell_size_m : float
        Side of the square cells, in metres.
    crs : CRS-like, optional
        The output CRS: projected, in metres (not Web Mercator). Default: the local
        equal-area CRS of the polygons' extent
        (:func:`habitat.core.crs.equal_area_crs`).
    class_names : dict of int to str, optional
        Names of integer codes (for an integer ``column``).
    bounds : tuple of 4 float, optional
        Output extent ``(left, bottom, right, top)`` in the output CRS; the grid
        starts at its top-left corner. Default: the polygons' extent, snapped
        outwards to multiples of ``cell_size_m``.
    all_touched : bool
        False (default): a cell takes a polygon's class when its centre lies in
        the polygon (the cell-centre rule of FRAGSTATS, GDAL); a centre exactly
        on an edge shared by two polygons goes to one of them (GDAL's scanline
        rule), so polygons that tile an area fill its cells without gaps. True:
        every cell the polygon touches (the later row wins shared cells).

    Returns
    -------
    habitat.io.raster.Raster
        Class codes (smallest integer dtype), ``nodata=0`` outside every polygon,
        ``classes`` the names when known.

    Warns
    -----
    DataQualityWarning
        When polygons of different classes overlap: the later row wins in the
        overlap, as in :func:`habitat.io.raster.rasterize`.

    Examples
    --------
    Forest and a burnt patch, 2 km x 1 km, on 100 m cells:

    >>> import geopandas as gpd
    >>> import shapely
    >>> cover = gpd.GeoDataFrame(
    ...     {"cover": ["forest", "burnt"]},
    ...     geometry=[shapely.box(600_000, 4_800_000, 601_000, 4_801_000),
    ...               shapely.box(601_000, 4_800_000, 602_000, 4_801_000)],
    ...     crs=32652,
    ... )
    >>> r = rasterize_land_cover(cover, column="cover", cell_size_m=100, crs=32652)
    >>> r.shape, r.classes, r.nodata
    ((10, 20), {1: 'burnt', 2: 'forest'}, 0)
    >>> np.unique(r.array, return_counts=True)[1].tolist()
    [100, 100]
    """
    require_polygons(polygons, name="polygons")
    if not isinstance(polygons, gpd.GeoDataFrame):
        raise InputError(
            "polygons must be a GeoDataFrame with a class column (column=...), not "
            f"{type(polygons).__name__}."
        )
    if not isinstance(column, str) or column not in polygons.columns:
        raise ColumnError(
            f"column={column!r} is not a column of polygons; columns: "
            f"{[c for c in polygons.columns if c != polygons.geometry.name]}."
        )
    require_crs(polygons, name="polygons")
    try:
        size = float(cell_size_m)
    except (TypeError, ValueError):
        size = float("nan")
    if isinstance(cell_size_m, bool) or not (math.isfinite(size) and size > 0):
        raise InputError(f"cell_size_m must be a positive number of metres, not {cell_size_m!r}.")
    if crs is None:
        target = equal_area_crs(polygons)
    else:
        target = require_measurement_crs(crs, purpose="distances", name="crs")
    codes, classes = _class_codes(polygons[column], column, class_names)
    projected = align(polygons, target, name="polygons")
    if bounds is None:
        minx, miny, maxx, maxy = (float(v) for v in projected.total_bounds)
        left, top = math.floor(minx / size) * size, math.ceil(maxy / size) * size
        right, bottom = math.ceil(maxx / size) * size, math.floor(miny / size) * size
    else:
        try:
            left, bottom, right, top = (float(v) for v in bounds)
        except (TypeError, ValueError):
            left = bottom = right = top = float("nan")
        if not (np.isfinite([left, bottom, right, top]).all() and left < right and bottom < top):
            raise InputError(
                f"bounds must be (left, bottom, right, top) in the output CRS with left < "
                f"right and bottom < top; got {bounds!r}."
            )
    n_cols = max(1, math.ceil((right - left) / size - 1e-9))
    n_rows = max(1, math.ceil((top - bottom) / size - 1e-9))
    grid = Grid((n_rows, n_cols), (size, 0.0, left, 0.0, -size, top), target)
    _warn_overlaps(projected, codes, column)
    burnt = rasterize(projected, grid, values=codes, all_touched=all_touched, fill=0)
    return Raster(burnt.array, burnt.transform, burnt.crs, nodata=0, classes=classes)


def _class_codes(
    values: pd.Series, column: str, class_names: dict[int, str] | None
) -> tuple[np.ndarray, dict[int, str] | None]:
    """Integer codes (never 0) of a class column, and the class names."""
    missing = values.isna().to_numpy()
    if missing.any():
        rows = list(values.index[missing][:5])
        raise InputError(
            f"column {column!r} has no class for rows {rows}; fill them or drop those polygons."
        )
    arr = values.to_numpy()
    if arr.dtype.kind in "OUS":
        if not all(isinstance(v, str) for v in arr):
            raise InputError(
                f"column {column!r} mixes names and other values; give all classes as names "
                "or all as integer codes."
            )
        if class_names is not None:
            raise InputError(
                "class_names= names integer codes; the column already holds names (they "
                "become the classes)."
            )
        names = sorted(set(arr.tolist()))
        lookup = {n: k + 1 for k, n in enumerate(names)}
        codes = np.array([lookup[v] for v in arr], dtype=np.int64)
        return codes, {k + 1: n for k, n in enumerate(names)}
    if arr.dtype.kind not in "biuf":
        raise InputError(
            f"column {column!r} holds {arr.dtype} values; give integer codes or names."
        )
    as_float = arr.astype(float)
    if not np.all(as_float == np.round(as_float)):
        raise InputError(
            f"column {column!r} holds non-integer values (e.g. "
            f"{arr[as_float != np.round(as_float)][0]!r}); "
            "land-cover classes are integer codes or names."
        )
    codes = arr.astype(np.int64)
    if (codes == 0).any():
        raise InputError(
            f"column {column!r} uses the code 0, which marks cells outside every polygon "
            "(nodata); recode that class (e.g. `polygons[column].replace(0, 99)`)."
        )
    classes = None
    if class_names is not None:
        if not isinstance(class_names, dict):
            raise InputError(f"class_names must be a dict of codes to names, not {class_names!r}.")
        classes = {int(k): str(v) for k, v in class_names.items()}
    return codes, classes


def _warn_overlaps(projected: gpd.GeoDataFrame, codes: np.ndarray, column: str) -> None:
    """DataQualityWarning when polygons of different classes overlap (by area)."""
    geoms = np.asarray(projected.geometry.to_numpy(), dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    idx = np.flatnonzero(ok)
    if len(idx) < 2:
        return
    tree = shapely.STRtree(geoms[idx])
    left, right = tree.query(geoms[idx], predicate="intersects")
    keep = (left < right) & (codes[idx][left] != codes[idx][right])
    left, right = idx[left[keep]], idx[right[keep]]
    if not len(left):
        return
    inter = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    smaller = np.minimum(shapely.area(geoms[left]), shapely.area(geoms[right]))
    real = inter > 1e-9 * np.maximum(smaller, 1.0)
    if not real.any():
        return
    labels = projected.index
    pairs = [
        f"{labels[i]!r}/{labels[j]!r}" for i, j in zip(left[real][:5], right[real][:5], strict=True)
    ]
    more = f" and {int(real.sum()) - 5} more" if real.sum() > 5 else ""
    warnings.warn(
        f"land-cover polygons of different {column!r} classes overlap (rows {', '.join(pairs)}"
        f"{more}; {float(inter[real].sum()) / 1e6:.4g} km² in all): in each overlap the later "
        "row's class wins. Dissolve or clip the polygons so that each place has one class.",
        DataQualityWarning,
        stacklevel=3,
    )

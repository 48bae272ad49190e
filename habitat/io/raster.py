"""A minimal north-up raster (e.g. the land-cover grid) and GeoTIFF input/output.

:class:`Raster` holds a 2-D array, an affine transform, a CRS, a nodata value
and optional class names. GeoTIFFs are read and written with :mod:`tifffile`
(a core dependency), so GDAL/rasterio are not needed; files written here carry
the standard GeoTIFF tags (ModelPixelScale, ModelTiepoint, GeoKeyDirectory,
GDAL_NODATA) and open in QGIS and GDAL.

The transform uses the affine order of :mod:`affine` and rasterio,
``(a, b, c, d, e, f)``, mapping the *corner* of cell (row, col) to map
coordinates::

    x = a * col + b * row + c
    y = d * col + e * row + f
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from habitat.core.crs import align, describe_crs, require_crs
from habitat.core.errors import DataFileError, InputError, ProjectedCRSRequiredError
from habitat.core.units import area_columns
from habitat.core.validation import require_geometry_type

__all__ = ["Raster", "read_geotiff", "write_geotiff"]

# GeoTIFF / GDAL tag numbers
_TAG_PIXEL_SCALE = 33550
_TAG_TIEPOINT = 33922
_TAG_TRANSFORMATION = 34264
_TAG_GEOKEYS = 34735
_TAG_GDAL_METADATA = 42112
_TAG_GDAL_NODATA = 42113

# GeoKey ids
_KEY_MODEL_TYPE = 1024
_KEY_RASTER_TYPE = 1025
_KEY_CITATION = 1026
_KEY_GEOGRAPHIC_TYPE = 2048
_KEY_PROJECTED_TYPE = 3072
_KEY_LINEAR_UNITS = 3076
_MODEL_PROJECTED = 1
_MODEL_GEOGRAPHIC = 2
_RASTER_PIXEL_IS_AREA = 1
_RASTER_PIXEL_IS_POINT = 2
_USER_DEFINED = 32767
_METRE = 9001

_CLASS_ITEM = re.compile(r'<Item name="CLASS_(\d+)"[^>]*>([^<]*)</Item>')


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
    """

    array: np.ndarray
    transform: tuple[float, float, float, float, float, float]
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
        t = tuple(float(v) for v in self.transform)
        if len(t) != 6 or not np.all(np.isfinite(t)):
            raise InputError(
                f"transform must be 6 finite numbers (a, b, c, d, e, f); got {self.transform!r}."
            )
        if np.isclose(t[0] * t[4] - t[1] * t[3], 0.0):
            raise InputError(f"transform {t} is singular (zero cell area).")
        object.__setattr__(self, "array", arr)
        object.__setattr__(self, "transform", t)
        object.__setattr__(self, "crs", CRS.from_user_input(self.crs))
        if self.classes is not None:
            object.__setattr__(self, "classes", {int(k): str(v) for k, v in self.classes.items()})

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
        a, b, c, d, e, f = self.transform
        det = a * e - b * d
        dx = np.asarray(x, dtype=float) - c
        dy = np.asarray(y, dtype=float) - f
        col = (e * dx - b * dy) / det
        row = (-d * dx + a * dy) / det
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

    def class_areas(self) -> pd.DataFrame:
        """Cell count, area and share of each value (class) in the grid.

        Nodata cells are left out; shares are of the cells with data.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``class`` (the cell value), with columns ``name``
            (from :attr:`classes`, else the value as text), ``cell_count``,
            ``area_km2``, ``area_sq_mi`` and ``share`` (0–1, summing to 1).
        """
        cell_m2 = self.cell_area_m2
        values = self.array.ravel()
        if self.nodata is not None:
            values = values[values != self.nodata]
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


# ---------------------------------------------------------------------- GeoTIFF
def _epsg_of(crs: CRS) -> int:
    epsg = crs.to_epsg(min_confidence=90)
    if epsg is None:
        raise InputError(
            f"GeoTIFFs written by habitat need a CRS with an EPSG code; "
            f"{describe_crs(crs)} has none. Reproject to an EPSG CRS (e.g. EPSG:32652)."
        )
    return int(epsg)


def _geokeys(crs: CRS) -> tuple[int, ...]:
    epsg = _epsg_of(crs)
    keys: list[tuple[int, int, int, int]]
    if crs.is_projected:
        keys = [
            (_KEY_MODEL_TYPE, 0, 1, _MODEL_PROJECTED),
            (_KEY_RASTER_TYPE, 0, 1, _RASTER_PIXEL_IS_AREA),
            (_KEY_PROJECTED_TYPE, 0, 1, epsg),
            (_KEY_LINEAR_UNITS, 0, 1, _METRE),
        ]
    else:
        keys = [
            (_KEY_MODEL_TYPE, 0, 1, _MODEL_GEOGRAPHIC),
            (_KEY_RASTER_TYPE, 0, 1, _RASTER_PIXEL_IS_AREA),
            (_KEY_GEOGRAPHIC_TYPE, 0, 1, epsg),
        ]
    header = (1, 1, 0, len(keys))
    return header + tuple(v for k in keys for v in k)


def _gdal_metadata(classes: dict[int, str] | None) -> str | None:
    if not classes:
        return None
    items = "".join(
        f'<Item name="CLASS_{code}">{escape(name)}</Item>' for code, name in sorted(classes.items())
    )
    return f"<GDALMetadata>{items}</GDALMetadata>"


def write_geotiff(raster: Raster, path: str | os.PathLike[str]) -> Path:
    """Write a raster as a deflate-compressed GeoTIFF, atomically.

    The file is written to a temporary file in the destination folder and then
    moved into place with :func:`os.replace`, so readers never see a partial
    file. Class names are stored as GDAL metadata items ``CLASS_<code>``.

    Parameters
    ----------
    raster : Raster
        A north-up raster (no rotation) in a CRS with an EPSG code.
    path : str or path-like
        Destination ``.tif``.

    Returns
    -------
    pathlib.Path
        The written path.
    """
    import tifffile

    path = Path(path)
    a, b, c, d, e, f = raster.transform
    if b != 0 or d != 0:
        raise InputError(
            f"write_geotiff writes north-up rasters only; transform {raster.transform} is rotated."
        )
    extratags: list[tuple[int, str, int, Any, bool]] = [
        (_TAG_PIXEL_SCALE, "d", 3, (a, -e, 0.0), True),
        (_TAG_TIEPOINT, "d", 6, (0.0, 0.0, 0.0, c, f, 0.0), True),
    ]
    keys = _geokeys(raster.crs)
    extratags.append((_TAG_GEOKEYS, "H", len(keys), keys, True))
    meta = _gdal_metadata(raster.classes)
    if meta is not None:
        extratags.append((_TAG_GDAL_METADATA, "s", 0, meta, True))
    if raster.nodata is not None:
        extratags.append((_TAG_GDAL_NODATA, "s", 0, f"{raster.nodata:g}", True))
    rows = raster.shape[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        tifffile.imwrite(
            tmp,
            np.ascontiguousarray(raster.array),
            compression="zlib",
            compressionargs={"level": 9},
            rowsperstrip=min(rows, 64),
            metadata=None,
            software=False,
            extratags=extratags,
        )
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _tag(page: Any, code: int) -> Any:
    tag = page.tags.get(code)
    return None if tag is None else tag.value


def _parse_geokeys(values: Any, source: Path) -> dict[int, int]:
    vals = [int(v) for v in np.asarray(values).ravel()]
    if len(vals) < 4:
        raise DataFileError(f"'{source}': the GeoKeyDirectory tag is truncated.")
    n = vals[3]
    keys: dict[int, int] = {}
    for i in range(n):
        key, loc, _count, value = vals[4 + 4 * i : 8 + 4 * i]
        if loc == 0:  # value stored inline; others (citations, doubles) are not needed
            keys[key] = value
    return keys


def _crs_from_geokeys(keys: dict[int, int], source: Path) -> CRS:
    model = keys.get(_KEY_MODEL_TYPE)
    code = keys.get(_KEY_PROJECTED_TYPE) if model != _MODEL_GEOGRAPHIC else None
    if code is None:
        code = keys.get(_KEY_GEOGRAPHIC_TYPE)
    if code is None or code == _USER_DEFINED:
        raise DataFileError(
            f"'{source}': the GeoTIFF does not name its CRS by an EPSG code "
            "(ProjectedCSTypeGeoKey/GeographicTypeGeoKey missing or user-defined); habitat "
            "reads EPSG-coded GeoTIFFs only. Re-export it, e.g. `gdalwarp -t_srs EPSG:32652`."
        )
    try:
        return CRS.from_epsg(code)
    except PyprojCRSError as exc:
        raise DataFileError(f"'{source}': unknown EPSG code {code} in the GeoTIFF keys.") from exc


def read_geotiff(path: str | os.PathLike[str]) -> Raster:
    """Read a single-band, north-up GeoTIFF into a :class:`Raster`.

    Parameters
    ----------
    path : str or path-like
        A GeoTIFF with ModelPixelScale + ModelTiepoint (or a rotation-free
        ModelTransformation) and an EPSG-coded GeoKeyDirectory.

    Returns
    -------
    Raster
        With ``nodata`` from the GDAL_NODATA tag and ``classes`` from
        ``CLASS_<code>`` GDAL metadata items, when present.

    Raises
    ------
    DataFileError
        If the file is missing, not a TIFF, has no georeferencing, is rotated,
        or names no EPSG CRS; the message says which file and what is wrong.
    """
    import tifffile

    source = Path(path)
    if not source.is_file():
        raise DataFileError(f"'{source}': no such GeoTIFF file.")
    try:
        with tifffile.TiffFile(source) as tif:
            page = tif.pages[0]
            array = page.asarray()
            scale = _tag(page, _TAG_PIXEL_SCALE)
            tie = _tag(page, _TAG_TIEPOINT)
            matrix = _tag(page, _TAG_TRANSFORMATION)
            geokeys = _tag(page, _TAG_GEOKEYS)
            gdal_meta = _tag(page, _TAG_GDAL_METADATA)
            nodata_txt = _tag(page, _TAG_GDAL_NODATA)
    except tifffile.TiffFileError as exc:
        raise DataFileError(f"'{source}' is not a readable TIFF file ({exc}).") from exc
    if array.ndim != 2:
        raise DataFileError(
            f"'{source}': expected a single-band image, got an array of shape {array.shape}."
        )
    if geokeys is None or (matrix is None and (scale is None or tie is None)):
        raise DataFileError(
            f"'{source}' is a TIFF without georeferencing (no GeoKeyDirectory and "
            "ModelPixelScale/ModelTiepoint or ModelTransformation tags); it is not a GeoTIFF."
        )
    if matrix is not None:
        m = np.asarray(matrix, dtype=float).ravel()
        if m.size != 16:
            raise DataFileError(f"'{source}': malformed ModelTransformation tag.")
        if m[1] != 0 or m[4] != 0:
            raise DataFileError(
                f"'{source}': the grid is rotated or sheared (ModelTransformation {m[:8]}); "
                "habitat supports north-up rasters only. Warp it first (gdalwarp)."
            )
        transform = (m[0], m[1], m[3], m[4], m[5], m[7])
    else:
        sc = np.asarray(scale, dtype=float).ravel()
        tp = np.asarray(tie, dtype=float).ravel()
        if sc.size < 2 or tp.size < 6:
            raise DataFileError(f"'{source}': malformed ModelPixelScale/ModelTiepoint tags.")
        if tp.size > 6:
            raise DataFileError(
                f"'{source}': {tp.size // 6} tie points (a warped, unrectified grid); habitat "
                "supports a single tie point with a pixel scale only."
            )
        i, j = tp[0], tp[1]
        transform = (sc[0], 0.0, tp[3] - i * sc[0], 0.0, -sc[1], tp[4] + j * sc[1])
    keys = _parse_geokeys(geokeys, source)
    crs = _crs_from_geokeys(keys, source)
    if keys.get(_KEY_RASTER_TYPE) == _RASTER_PIXEL_IS_POINT:
        a, b, c, d, e, f = transform
        transform = (a, b, c - a / 2, d, e, f - e / 2)
    nodata: int | float | None = None
    if nodata_txt is not None:
        txt = str(nodata_txt).strip().strip("\x00")
        try:
            val = float(txt)
        except ValueError as exc:
            raise DataFileError(f"'{source}': unreadable GDAL_NODATA value {txt!r}.") from exc
        nodata = int(val) if val.is_integer() and array.dtype.kind in "iu" else val
    classes = None
    if gdal_meta is not None:
        found = _CLASS_ITEM.findall(str(gdal_meta))
        if found:
            from xml.sax.saxutils import unescape

            classes = {int(code): unescape(name) for code, name in found}
    return Raster(array=array, transform=transform, crs=crs, nodata=nodata, classes=classes)

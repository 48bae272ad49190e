"""Zones (home ranges, park zones, the park) as windows of a raster with a cell mask.

:func:`zone_readers` turns polygons into one :class:`Zone` each: the window of
raster cells around the zone and a reader of that window (the
:data:`~habitat.landscape.patches.Reader` of the landscape engine) whose cells
outside the zone come back not valid. The zones are reprojected to the
raster's CRS; the raster is never resampled for them.

A cell belongs to a zone when its **centre** lies strictly inside the zone's
polygon (the cell-centre rule of FRAGSTATS and of
:func:`habitat.io.raster.cells_in_shapes`, whose cells these are exactly). The
mask is computed strip by strip (at most 4 million cells at a time) on each
strip's own transform: :func:`rasterio.features.geometry_mask` of the polygon
(GDAL's scanline centre rule) everywhere, and an exact point-in-polygon test
(:func:`shapely.contains_xy`) of the few centres lying on the polygon's boundary,
found from the crossings of its segments with the rows of centres: there GDAL's
rule and the strict one may differ. Each zone's mask is kept packed (one bit per
cell) for its reader, and its cells are counted beyond the raster's edges too.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
from rasterio.transform import Affine

from habitat.core.crs import require_crs
from habitat.core.errors import DataQualityWarning, InputError
from habitat.core.validation import require_polygons
from habitat.io.raster import MAX_WINDOW_CELLS, Grid, shapes_on_grid
from habitat.landscape.sources import RasterSource, open_raster_source

__all__ = ["Reader", "Zone", "zone_mask", "zone_readers"]

#: read(r0, r1) -> (values, valid) for rows r0..r1-1 of a window, all its columns
Reader = Callable[[int, int], tuple[np.ndarray, np.ndarray]]

#: cells per strip when a zone's mask is computed
_STRIP_CELLS = 4_000_000

#: cells of a zone's window beyond which the zone's cells beyond the raster are
#: estimated from its area instead of counted (a country laid over a small raster)
_COUNT_LIMIT = MAX_WINDOW_CELLS


@dataclass(frozen=True)
class Zone:
    """One zone laid over a raster.

    Attributes
    ----------
    id : hashable
        The zone's id (``zone_id`` column, else the index label).
    window : tuple of 4 int
        ``(row_off, col_off, n_rows, n_cols)``: the raster cells around the
        cells of the zone, clipped to the raster (0 rows and columns when no
        cell of the zone is in the raster).
    read : Reader
        ``read(r0, r1) -> (values, valid)`` for rows ``r0..r1-1`` of the window
        (relative to it; beyond it allowed), all its columns; cells whose centre
        is outside the zone, nodata cells and cells beyond the raster are
        ``valid=False``.
    n_zone_cells : int
        Cells of the raster's lattice whose centre lies in the zone, including
        cells beyond the raster's edges (the denominator of a nodata share).
    n_cells_in_raster : int
        Of those, the cells inside the raster (valid or nodata).
    outside : bool
        True when no cell of the zone is in the raster.
    too_small : bool
        True when the zone contains no cell centre at all (smaller or thinner
        than a cell); then also ``outside``.
    note : str
        What limits the zone's numbers (half outside the raster, repaired,
        too small...); empty when nothing does.
    """

    id: Hashable
    window: tuple[int, int, int, int]
    read: Reader
    n_zone_cells: int
    n_cells_in_raster: int
    outside: bool
    too_small: bool = False
    note: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        """(n_rows, n_cols) of the window."""
        return (self.window[2], self.window[3])


def zone_mask(geom: Any, grid: Grid, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
    """Cells of rows ``r0..r1-1``, columns ``c0..c1-1`` of a grid whose centre is in ``geom``.

    The window may reach beyond the grid (the same lattice, extended). The rule
    is that of :func:`habitat.io.raster.cells_in_shapes`: a centre exactly on the
    boundary is outside.

    Parameters
    ----------
    geom : shapely (Multi)Polygon
        In the grid's CRS.
    grid : Grid
        A north-up grid.
    r0, r1, c0, c1 : int
        Half-open row and column ranges.

    Returns
    -------
    numpy.ndarray of bool, shape (r1 - r0, c1 - c0)

    Examples
    --------
    A square whose edges pass through cell centres: those centres are outside.

    >>> import shapely
    >>> from pyproj import CRS
    >>> grid = Grid((4, 4), (1.0, 0.0, 0.0, 0.0, -1.0, 4.0), CRS.from_epsg(32652))
    >>> zone_mask(shapely.box(0.5, 0.5, 2.5, 3.5), grid, 0, 4, 0, 4).astype(int)
    array([[0, 0, 0, 0],
           [0, 1, 0, 0],
           [0, 1, 0, 0],
           [0, 0, 0, 0]])
    """
    n_r, n_c = r1 - r0, c1 - c0
    out = np.zeros((max(n_r, 0), max(n_c, 0)), dtype=bool)
    if n_r <= 0 or n_c <= 0 or geom is None or shapely.is_empty(geom):
        return out
    win = grid.window(r0, c0, n_r, n_c)
    a, _, c, _, e, f = win.transform
    # cut the polygon a cell beyond the strip: GDAL never meets far vertices
    xs, ys = (c - a, c + a * (n_c + 1)), (f - e, f + e * (n_r + 1))
    part = shapely.clip_by_rect(geom, min(xs), min(ys), max(xs), max(ys))
    if part.is_empty:
        return out
    out = rasterio.features.geometry_mask(
        [part], out_shape=(n_r, n_c), transform=Affine(*win.transform), invert=True
    )
    # centres on (or within float noise of) the boundary: where GDAL's scanline rule
    # and the strict one may differ, decide exactly
    rr, cc = _centres_near_boundary(part, win.transform, n_r, n_c)
    if rr.size:
        # centres as cells_in_shapes computes them, on the whole grid's indices
        ga, gb, gc, gd, ge, gf = grid.transform
        rc, cc_ = (rr + r0).astype(float) + 0.5, (cc + c0).astype(float) + 0.5
        x, y = ga * cc_ + gb * rc + gc, gd * cc_ + ge * rc + gf
        out[rr, cc] = shapely.contains_xy(geom, x, y)
    return out


#: a centre closer than this (in cells) to a boundary crossing is decided exactly
_NEAR = 1e-6


def _centres_near_boundary(
    geom: Any, transform: tuple[float, ...], n_r: int, n_c: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row, col) of the cells of a window whose centre lies on ``geom``'s boundary.

    Along every row of centres, the crossings of the boundary's segments with
    the row (vectorised over segments and rows); a centre within :data:`_NEAR`
    cells of a crossing, or on a horizontal segment, is listed. Elsewhere a centre
    is at least that far from the boundary along its row, and GDAL's scanline
    decision is the exact one.
    """
    rings = shapely.get_rings(shapely.get_parts(geom))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    a, _, c, _, e, f = transform
    col = (coords[:, 0] - c) / a - 0.5  # centre of column k at k
    row = (coords[:, 1] - f) / e - 0.5
    px, py, qx, qy = col[:-1][same], row[:-1][same], col[1:][same], row[1:][same]
    lo, hi = np.minimum(py, qy), np.maximum(py, qy)
    r_lo = np.maximum(np.ceil(lo - _NEAR), 0)
    r_hi = np.minimum(np.floor(hi + _NEAR), n_r - 1)
    n = np.maximum(r_hi - r_lo + 1, 0).astype(np.int64)
    total = int(n.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    seg = np.repeat(np.arange(len(n)), n)
    start = np.cumsum(n) - n
    rows = r_lo[seg] + (np.arange(total) - start[seg])
    dy = (qy - py)[seg]
    flat = np.abs(dy) < _NEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        x = px[seg] + (rows - py[seg]) * (qx - px)[seg] / dy
    cols = np.round(x)
    near = ~flat & (np.abs(x - cols) < _NEAR)
    out_r, out_c = [rows[near]], [cols[near]]
    if flat.any():  # a segment along a row of centres: every centre on it
        fs = seg[flat]
        c_lo = np.maximum(np.ceil(np.minimum(px, qx)[fs] - _NEAR), 0)
        c_hi = np.minimum(np.floor(np.maximum(px, qx)[fs] + _NEAR), n_c - 1)
        m = np.maximum(c_hi - c_lo + 1, 0).astype(np.int64)
        k = np.repeat(np.arange(len(m)), m)
        first = np.cumsum(m) - m
        out_r.append(rows[flat][k])
        out_c.append(c_lo[k] + (np.arange(int(m.sum())) - first[k]))
    rr = np.concatenate(out_r).astype(np.int64)
    cc = np.concatenate(out_c).astype(np.int64)
    keep = (cc >= 0) & (cc < n_c)
    key = np.unique(rr[keep] * n_c + cc[keep])
    return key // n_c, key % n_c


def _centre_window(geom: Any, grid: Grid) -> tuple[int, int, int, int]:
    """Rows r_lo..r_hi-1 and columns c_lo..c_hi-1 holding every centre inside ``geom``.

    On the grid's lattice, unclipped; a tiny margin (1e-6 cell) keeps centres
    on the bounding box's edge (the mask decides them).
    """
    minx, miny, maxx, maxy = shapely.bounds(geom)
    a, _, c, _, e, f = grid.transform
    rows = sorted(((maxy - f) / e, (miny - f) / e))
    cols = sorted(((minx - c) / a, (maxx - c) / a))
    eps = 1e-6
    r_lo = math.floor(rows[0] - 0.5 - eps) + 1
    r_hi = math.ceil(rows[1] - 0.5 + eps)
    c_lo = math.floor(cols[0] - 0.5 - eps) + 1
    c_hi = math.ceil(cols[1] - 0.5 + eps)
    return r_lo, r_hi, c_lo, c_hi


def _zone_ids(zones: gpd.GeoDataFrame | gpd.GeoSeries, zone_id: str | None) -> pd.Index:
    if zone_id is None:
        ids = pd.Index(zones.index)
        what = "the index"
    else:
        if not isinstance(zones, gpd.GeoDataFrame) or zone_id not in zones.columns:
            raise InputError(
                f"zone_id={zone_id!r} is not a column of zones; columns: "
                f"{list(getattr(zones, 'columns', []))}."
            )
        ids = pd.Index(zones[zone_id])
        what = f"column {zone_id!r}"
    if ids.isna().any():
        rows = list(zones.index[np.asarray(ids.isna())][:5])
        raise InputError(
            f"zones have no id in {what} (rows {rows}); give every zone an id "
            "(zone_id= names the id column)."
        )
    if ids.has_duplicates:
        dups = list(ids[ids.duplicated()].unique()[:5])
        raise InputError(
            f"zone ids in {what} are not unique ({dups} occur more than once); each zone "
            "needs its own id: dissolve zones that belong together (`zones.dissolve(by=...)`) "
            "or pick another id column with zone_id=."
        )
    return ids


def zone_readers(
    source: Any,
    zones: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    zone_id: str | None = None,
) -> Iterator[Zone]:
    """One :class:`Zone` per polygon: its window of the raster and a masked reader.

    Parameters
    ----------
    source : RasterSource, or anything :func:`~habitat.landscape.sources.open_raster_source` takes
        The raster (a path is opened, and closed when the iterator ends).
    zones : GeoDataFrame or GeoSeries of (Multi)Polygons
        In any declared CRS; reprojected to the raster's CRS (the raster is never
        resampled for zones). Invalid polygons are repaired with
        :func:`shapely.make_valid` and a
        :class:`~habitat.core.errors.DataQualityWarning` naming the zones.
    zone_id : str, optional
        Column of zone ids; default the index. Ids must be unique.

    Yields
    ------
    Zone
        In the order of ``zones``. A zone whose cells are not (all) in the raster,
        or that holds no cell centre, is flagged (``outside``, ``too_small``,
        ``note``) and warned about; it is never dropped.

    Raises
    ------
    InputError
        For duplicated or missing ids, an unknown ``zone_id`` column.
    EmptyDataError, GeometryTypeError, MissingCRSError
        For zones without rows, that are not polygons, or without a CRS.

    Examples
    --------
    A 1 km x 1 km zone on 100 m cells covers 100 cells; its window is 10 x 10:

    >>> import geopandas as gpd
    >>> import numpy as np
    >>> import shapely
    >>> src = open_raster_source(np.ones((50, 50), dtype="uint8"),
    ...                          transform=(100.0, 0, 600_000, 0, -100.0, 4_805_000),
    ...                          crs="EPSG:32652")
    >>> zones = gpd.GeoSeries([shapely.box(601_000, 4_801_000, 602_000, 4_802_000)],
    ...                       index=["F1"], crs=32652)
    >>> zone = next(zone_readers(src, zones))
    >>> zone.id, zone.window, zone.n_zone_cells, zone.outside
    ('F1', (30, 10, 10, 10), 100, False)
    >>> values, valid = zone.read(0, 10)
    >>> int(valid.sum())
    100
    """
    own = not isinstance(source, RasterSource)
    src = open_raster_source(source) if own else source
    try:
        require_polygons(zones, name="zones", allow_empty=True)
        require_crs(zones, name="zones")
        ids = _zone_ids(zones, zone_id)
        series = zones.geometry if isinstance(zones, gpd.GeoDataFrame) else zones
        labelled = gpd.GeoSeries(series.to_numpy(), index=ids, crs=series.crs)
        original = np.asarray(labelled.to_numpy(), dtype=object)
        usable = ~(shapely.is_missing(original) | shapely.is_empty(original))
        repaired = usable & ~shapely.is_valid(original)
        geoms = shapes_on_grid(labelled, src.grid, name="zones")
        for k, zid in enumerate(ids):
            yield _zone(src, zid, geoms[k], bool(repaired[k]))
    finally:
        if own:
            src.close()


def _zone(src: RasterSource, zid: Hashable, geom: Any, repaired: bool) -> Zone:
    grid = src.grid
    rows, cols = src.shape
    notes = ["invalid polygon repaired with shapely.make_valid"] if repaired else []
    if geom is None or shapely.is_empty(geom):
        notes.append("the zone has no geometry")
        _warn(zid, "has no geometry; it has no cells")
        return Zone(zid, (0, 0, 0, 0), _empty_reader(src, 0), 0, 0, True, False, "; ".join(notes))
    shapely.prepare(geom)
    r_lo, r_hi, c_lo, c_hi = _centre_window(geom, grid)
    # the window clipped to the raster
    w_r0, w_r1 = min(max(r_lo, 0), rows), max(min(r_hi, rows), 0)
    w_c0, w_c1 = min(max(c_lo, 0), cols), max(min(c_hi, cols), 0)
    n_rows, n_cols = max(w_r1 - w_r0, 0), max(w_c1 - w_c0, 0)
    if n_rows == 0 or n_cols == 0:
        n_rows = n_cols = 0
    full = max(r_hi - r_lo, 0) * max(c_hi - c_lo, 0)
    packed = np.zeros((n_rows, (n_cols + 7) // 8), dtype=np.uint8)
    n_in = 0
    n_zone = 0
    estimated = False
    if full <= _COUNT_LIMIT:
        # every strip of the zone's full window: count all its cells, keep the raster's
        step = max(1, _STRIP_CELLS // max(c_hi - c_lo, 1))
        for s0 in range(r_lo, r_hi, step):
            s1 = min(s0 + step, r_hi)
            mask = zone_mask(geom, grid, s0, s1, c_lo, c_hi)
            n_zone += int(np.count_nonzero(mask))
            a0, a1 = max(s0, w_r0), min(s1, w_r1)
            if n_rows and a1 > a0:
                part = mask[a0 - s0 : a1 - s0, w_c0 - c_lo : w_c1 - c_lo]
                n_in += int(np.count_nonzero(part))
                packed[a0 - w_r0 : a1 - w_r0] = np.packbits(part, axis=1)
    else:
        # a zone far larger than the raster: its cells beyond the raster from its area
        step = max(1, _STRIP_CELLS // max(n_cols, 1))
        for s0 in range(w_r0, w_r1, step):
            s1 = min(s0 + step, w_r1)
            mask = zone_mask(geom, grid, s0, s1, w_c0, w_c1)
            n_in += int(np.count_nonzero(mask))
            packed[s0 - w_r0 : s1 - w_r0] = np.packbits(mask, axis=1)
        a, _, c, _, e, f = src.transform
        extent = shapely.box(c, f + e * rows, c + a * cols, f)
        beyond = float(shapely.area(shapely.difference(geom, extent)))
        n_zone = n_in + int(round(beyond / abs(a * e)))
        estimated = True
        notes.append("its cells beyond the raster are estimated from its area")
    if n_in:  # the window: the bounding box of the zone's cells in the raster
        packed, (w_r0, w_c0, n_rows, n_cols) = _cropped(packed, (w_r0, w_c0, n_rows, n_cols))
    too_small = n_zone == 0
    outside = n_in == 0
    if too_small:
        area = float(shapely.area(geom))
        notes.append(
            f"the zone ({area:.4g} m²) holds no cell centre of the raster's "
            f"{src.cell_size_m:g} m cells: it is smaller or thinner than a cell"
        )
        _warn(zid, notes[-1] + "; it has no cells (use finer cells to measure it)")
    elif outside:
        notes.append("the zone lies outside the raster")
        _warn(zid, "lies outside the raster; it has no cells with data")
    elif n_in < n_zone:
        share = 1 - n_in / n_zone
        notes.append(f"{share:.1%} of the zone's cells lie beyond the raster")
        _warn(
            zid,
            f"reaches beyond the raster: {n_zone - n_in:,} of its {n_zone:,} cells "
            f"({share:.1%}{', estimated' if estimated else ''}) have no data",
        )
    if outside:
        window = (w_r0, w_c0, 0, 0)
        return Zone(
            zid, window, _empty_reader(src, 0), n_zone, 0, True, too_small, "; ".join(notes)
        )
    window = (w_r0, w_c0, n_rows, n_cols)
    return Zone(
        zid,
        window,
        _masked_reader(src, window, packed),
        n_zone,
        n_in,
        False,
        False,
        "; ".join(notes),
    )


def _cropped(
    packed: np.ndarray, window: tuple[int, int, int, int]
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A packed mask and its window cut to the bounding box of its set cells."""
    row_off, col_off, n_rows, n_cols = window
    rows = np.flatnonzero(packed.any(axis=1))
    r0, r1 = int(rows[0]), int(rows[-1]) + 1
    # columns: OR of the rows' bytes, unpacked once
    cols = np.flatnonzero(np.unpackbits(np.bitwise_or.reduce(packed[r0:r1], axis=0), count=n_cols))
    c0, c1 = int(cols[0]), int(cols[-1]) + 1
    if (r0, r1, c0, c1) == (0, n_rows, 0, n_cols):
        return packed, window
    out = np.zeros((r1 - r0, (c1 - c0 + 7) // 8), dtype=np.uint8)
    step = max(1, _STRIP_CELLS // max(n_cols, 1))
    for s0 in range(r0, r1, step):
        s1 = min(s0 + step, r1)
        mask = np.unpackbits(packed[s0:s1], axis=1, count=n_cols)[:, c0:c1]
        out[s0 - r0 : s1 - r0] = np.packbits(mask, axis=1)
    return out, (row_off + r0, col_off + c0, r1 - r0, c1 - c0)


def _warn(zid: Hashable, what: str) -> None:
    warnings.warn(f"zone {zid!r} {what}.", DataQualityWarning, stacklevel=4)


def _empty_reader(src: RasterSource, n_cols: int) -> Reader:
    def read(r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
        n = max(int(r1) - int(r0), 0)
        return np.zeros((n, n_cols), dtype=src.dtype), np.zeros((n, n_cols), dtype=bool)

    return read


def _masked_reader(
    src: RasterSource, window: tuple[int, int, int, int], packed: np.ndarray
) -> Reader:
    row_off, col_off, n_rows, n_cols = window

    def read(r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
        r0, r1 = int(r0), int(r1)
        values, valid = src.read(row_off + r0, row_off + r1, col_off, col_off + n_cols)
        lo, hi = max(r0, 0), min(r1, n_rows)
        inside = np.zeros(valid.shape, dtype=bool)
        if hi > lo:
            inside[lo - r0 : hi - r0] = np.unpackbits(packed[lo:hi], axis=1, count=n_cols).astype(
                bool
            )
        valid &= inside
        return values, valid

    return read

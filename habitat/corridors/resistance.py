"""Resistance surfaces from land cover, with barriers and crossing structures burned in.

:func:`resistance_surface` maps a categorical land-cover raster to resistance
with a class → resistance table, burns barrier lines and polygons (roads,
railways, rivers, fences, settlements) at their real widths, and lowers the
resistance where crossing structures (tunnels, over- and underpasses) let
animals across. The result is the resistance surface every corridor analysis
reads (:func:`habitat.corridors.surface.resistance_cells`): float, > 0 where
there is data, NaN where there is none (impassable), in a projected CRS in
metres with square cells.

Which cells a feature covers
----------------------------
A barrier must stay a barrier on the grid: an 8-neighbour move (the graph of
cost distance and of Circuitscape) may cut a corner between two cells that
only touch diagonally, so a barrier has to be an unbroken chain of cells that
share *edges* (4-connected), however narrow it is and at whatever angle it
runs. The rule, for barriers and crossings alike:

* a **line** of width ``w`` covers the cells whose centre lies within
  ``w / 2`` of it (the line buffered by ``w / 2`` with flat ends, cell-centre
  rule), **plus every cell the line itself passes through** (GDAL's
  "all touched" rule, with the line moved by less than 1/1000 of a cell off
  cell corners and edges, where GDAL would skip a cell). The second part makes
  any line, even a 12 m road across 30 m cells at 45°, a 4-connected band;
  once ``w`` exceeds a cell's diagonal it adds nothing, and the burned cells
  are exactly those whose centre lies in the buffer.
* a **polygon** covers the cells whose centre lies inside it, plus every cell
  touched by its *thin parts* (the parts a disk of radius
  ``cell_size_m / √2`` cannot sweep: what :func:`shapely.buffer` by ``-r``
  then ``+r`` removes), so a 20 m river polygon on 30 m cells is unbroken too,
  while a wide settlement polygon keeps its area.
* a **point** (crossings only) of width ``w`` covers every cell touched by
  the disk of diameter ``w`` around it.

A cell covered by several barriers takes the largest resistance, and a barrier
never lowers a cell: the burned value is ``max(land-cover resistance, barrier
resistance)``. A crossing sets its cells to ``min(current, crossing
resistance)``, by default the land cover's own resistance there (the barrier
is gone, the habitat is what it was). Cells without land-cover data stay
without data under barriers and crossings.

A barrier narrower than a cell is burned as a band at least one cell wide, so
crossing it costs about ``resistance × cell_size_m``, not ``resistance ×
width``; ``scale_narrow=True`` divides such a barrier's resistance by
``cell_size_m / width`` (never below the cell's land-cover resistance) so that
a straight crossing costs about its real width.
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
from rasterio.transform import Affine

from habitat.core.crs import align, describe_crs, metric_crs, require_crs, require_measurement_crs
from habitat.core.errors import (
    ColumnError,
    DataQualityWarning,
    EmptyDataError,
    GeometryTypeError,
    InputError,
    ProjectedCRSRequiredError,
)
from habitat.core.validation import (
    repair_polygons,
    require_finite_coordinates,
    require_geodata,
)
from habitat.io.raster import Grid, Raster, lonlat_bounds, reproject

__all__ = ["resistance_surface"]

_LINES = ("LineString", "MultiLineString", "LinearRing")
_POLYGONS = ("Polygon", "MultiPolygon")
_POINTS = ("Point", "MultiPoint")
#: shift (in cells) of the "all touched" footprints off cell corners and edges
_NUDGE = (0.000731, 0.000419)


# ---------------------------------------------------------------- the class table
def _table_entries(table: Any) -> list[tuple[Any, Any]]:
    """(key, resistance) pairs of a mapping, Series or DataFrame class table."""
    if isinstance(table, pd.DataFrame):
        if "resistance" not in table.columns:
            raise ColumnError(
                f"the class table has no 'resistance' column (columns: {list(table.columns)}); "
                "give a DataFrame indexed by class code (or name) with a 'resistance' column, "
                "like habitat.corridors.tables.leopard_resistance_table(), or a mapping "
                "{class: resistance}."
            )
        # class codes first: a 'class' / 'code' column, an index named so, or the
        # index unless it is the default 0..n-1 and a 'name' column is there
        keys: Any = table.index
        if "class" in table.columns or "code" in table.columns:
            keys = table["class" if "class" in table.columns else "code"]
        elif (
            table.index.name not in ("class", "code")
            and isinstance(table.index, pd.RangeIndex)
            and "name" in table.columns
        ):
            keys = table["name"]
        return list(zip(keys, table["resistance"], strict=True))
    if isinstance(table, pd.Series):
        return list(table.items())
    if isinstance(table, Mapping):
        return list(table.items())
    raise InputError(
        f"table must map land-cover classes to resistance (a dict such as "
        f"{{1: 1.0, 'water': 200.0}}, a Series, or a DataFrame with a 'resistance' column), "
        f"not {type(table).__name__}. Example: habitat.corridors.tables.leopard_resistance_table()."
    )


def _class_table(table: Any, classes: dict[int, str] | None) -> dict[int, float]:
    """Class code → resistance (NaN = impassable), resolving class names."""
    by_name = {name: code for code, name in (classes or {}).items()}
    by_folded = {name.casefold(): code for name, code in by_name.items()}
    out: dict[int, float] = {}
    for key, value in _table_entries(table):
        code: int | None = None
        if isinstance(key, str):
            if key in by_name:
                code = by_name[key]
            elif key.strip().casefold() in by_folded:
                code = by_folded[key.strip().casefold()]
            elif key.strip().lstrip("-").isdigit():
                code = int(key)
            else:
                close = difflib.get_close_matches(key, list(by_name), n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                known = ", ".join(f"{c}: {n!r}" for c, n in sorted((classes or {}).items()))
                raise InputError(
                    f"the class table names {key!r}, which is not a class of the land cover."
                    f"{hint} The land cover's classes are {{{known or 'none named'}}}; key the "
                    "table by these names or by the integer class codes."
                )
        elif isinstance(key, bool) or not isinstance(key, int | float | np.integer | np.floating):
            raise InputError(
                f"the class table has the key {key!r}; keys are integer class codes or class names."
            )
        elif float(key) != int(key):
            raise InputError(f"the class table has the key {key!r}; class codes are integers.")
        else:
            code = int(key)
        try:
            r = float(value)
        except (TypeError, ValueError):
            r = float("-inf")
            if value is None or pd.isna(value):
                r = float("nan")
        if r <= 0 or r == float("-inf"):
            raise InputError(
                f"the class table gives class {key!r} the resistance {value!r}; resistance "
                "must be a number > 0 (1 for the easiest cover), or NaN / inf for cover "
                "nothing crosses."
            )
        if code in out and not (out[code] == r or (math.isnan(out[code]) and math.isnan(r))):
            raise InputError(
                f"the class table gives class {code} two resistances ({out[code]:g} and {r:g}), "
                "by code and by name; keep one."
            )
        out[code] = r
    return out


def _unknown_classes(
    unknown: list[int], counts: list[int], classes: dict[int, str] | None
) -> InputError:
    listed = ", ".join(
        f"{c}" + (f" ({classes[c]!r})" if classes and c in classes else "") + f": {n:,} cells"
        for c, n in zip(unknown[:10], counts[:10], strict=True)
    )
    more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
    return InputError(
        f"land_cover has class(es) the table gives no resistance for: {listed}{more}. Add "
        "them to the table (NaN or inf for impassable), or declare them nodata "
        "(Raster(..., nodata=...))."
    )


def _base_resistance(land_cover: Raster, lookup: dict[int, float]) -> np.ndarray:
    """Resistance per cell from the class table: float64, NaN where no data, inf impassable.

    A class present in the raster without an entry is an error naming it.
    """
    arr = land_cover.array
    classes = land_cover.classes
    lookup = {code: (math.inf if math.isnan(r) else r) for code, r in lookup.items()}
    if arr.dtype.kind in "iu" and arr.dtype.itemsize <= 2 or arr.dtype.kind == "b":
        # a lookup table over every value of the dtype, indexed by the cells themselves
        offset = -int(np.iinfo(arr.dtype).min) if arr.dtype.kind == "i" else 0
        size = 2 if arr.dtype.kind == "b" else 1 << (8 * arr.dtype.itemsize)
        index = arr.astype(np.intp) + offset if offset or arr.dtype.kind == "b" else arr
        counts = np.bincount(np.asarray(index).ravel(), minlength=size)
        lut = np.full(size, np.nan)
        for code, r in lookup.items():
            if 0 <= code + offset < size:
                lut[code + offset] = r
        nodata = land_cover.nodata
        if nodata is not None and float(nodata).is_integer() and 0 <= nodata + offset < size:
            counts[int(nodata) + offset] = 0  # no data: no class
            lut[int(nodata) + offset] = np.nan
        present = np.flatnonzero(counts) - offset
        unknown = [int(c) for c in present if int(c) not in lookup]
        if unknown:
            raise _unknown_classes(unknown, [int(counts[c + offset]) for c in unknown], classes)
        return lut[index]
    missing = land_cover.nodata_mask()
    data = arr[~missing]
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(data) | (data != np.round(data))
        if bad.any():
            rows, cols = np.nonzero(~missing)
            k = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"land_cover holds {int(bad.sum()):,} cell(s) that are not integer class codes "
                f"(first at row {rows[k]}, col {cols[k]}: {data[k]!r}). A land cover holds "
                "classes (1 = forest, ...); if this raster is already a resistance surface, "
                "use it directly (habitat.corridors.surface.resistance_cells checks it)."
            )
    present, inverse, counts = np.unique(data, return_inverse=True, return_counts=True)
    unknown = [int(c) for c in present if int(c) not in lookup]
    if unknown:
        n = {int(c): int(k) for c, k in zip(present, counts, strict=True)}
        raise _unknown_classes(unknown, [n[c] for c in unknown], classes)
    base = np.full(arr.shape, np.nan)
    base[~missing] = np.array([lookup[int(c)] for c in present])[inverse.ravel()]
    return base


# ---------------------------------------------------------------- the grid
def _nice(size: float) -> float:
    """A cell size rounded to two significant digits (187.3 m -> 190 m)."""
    exponent = math.floor(math.log10(size)) - 1
    return round(size / 10**exponent) * 10**exponent


def _on_metric_grid(land_cover: Raster, crs: Any, cell_size_m: Any) -> Raster:
    """The land cover on a projected, square grid in metres (reprojected with a warning)."""
    if cell_size_m is not None:
        try:
            size = float(cell_size_m)
        except (TypeError, ValueError):
            size = float("nan")
        if isinstance(cell_size_m, bool) or not (math.isfinite(size) and size > 0):
            raise InputError(
                f"cell_size_m must be a positive number of metres, not {cell_size_m!r}."
            )
    target = None
    if crs is not None:
        target = require_measurement_crs(crs, purpose="distances", name="crs")
    reason = ""
    if target is None:
        try:
            target = require_measurement_crs(
                land_cover.crs, purpose="distances", name="land_cover's crs"
            )
        except ProjectedCRSRequiredError:  # degrees, Web Mercator, feet: its UTM zone
            target = metric_crs(lonlat_bounds(land_cover))
            what = "in degrees" if not land_cover.crs.is_projected else "not for distances"
            reason = f"land_cover's CRS {describe_crs(land_cover.crs)} is {what}"
    same_crs = target == land_cover.crs
    a, b, _, d, e, _ = land_cover.transform
    square = same_crs and b == 0 and d == 0 and math.isclose(abs(a), abs(e))
    if same_crs and square and (cell_size_m is None or math.isclose(abs(a), float(cell_size_m))):
        return land_cover
    if cell_size_m is not None:
        size = float(cell_size_m)
    elif same_crs:
        size = min(abs(a), abs(e))
        reason = reason or f"land_cover's cells are not square (transform {land_cover.transform})"
    else:
        probe = reproject(land_cover, target)
        size = _nice(min(abs(probe.transform[0]), abs(probe.transform[4])))
    # categories: nearest for finer or equal cells, the majority (mode) for coarser ones
    source_size = math.sqrt(abs(a * e - b * d)) if same_crs else None
    coarser = source_size is not None and size > source_size * (1 + 1e-9)
    out = reproject(land_cover, target, cell_size=size, resampling="mode" if coarser else "nearest")
    if reason or cell_size_m is None:
        warnings.warn(
            f"{reason or 'land_cover was reprojected'}: it was warped to "
            f"{describe_crs(target)} with square cells of {size:g} m "
            f"({'majority' if coarser else 'nearest-neighbour'} resampling of the classes). "
            "Pass crs= and cell_size_m= to choose them, or warp it yourself with "
            "habitat.io.raster.reproject.",
            DataQualityWarning,
            stacklevel=3,
        )
    return out


# ---------------------------------------------------------------- burning features
def _layer(
    data: Any, grid: Grid, *, name: str, allowed: tuple[str, ...]
) -> tuple[np.ndarray, pd.Index, gpd.GeoDataFrame]:
    """Geometries of a layer in the grid's CRS (object array), its index and its table."""
    data = require_geodata(data, name=name)
    require_crs(data, name=name)
    frame = data if isinstance(data, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=data)
    frame = align(frame, grid.crs, name=name)
    require_finite_coordinates(
        frame, name=name, after=f"reprojection to the grid's CRS {describe_crs(grid.crs)}"
    )
    geoms = np.asarray(frame.geometry.to_numpy(), dtype=object)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    type_names = pd.Series(
        np.asarray(frame.geometry.geom_type.fillna("missing"), dtype=object), index=frame.index
    )
    wrong = usable & ~type_names.isin(allowed).to_numpy()
    if wrong.any():
        labels = list(frame.index[wrong][:5])
        raise GeometryTypeError(
            f"{name} must hold {', '.join(allowed)} geometries; rows {labels} hold "
            f"{sorted(set(type_names[wrong]))}. Explode geometry collections "
            "(GeoDataFrame.explode) and drop other geometry types."
        )
    polygons = usable & type_names.isin(_POLYGONS).to_numpy()
    if (polygons & ~shapely.is_valid(geoms)).any():
        fixed, _ = repair_polygons(geoms[polygons], name=name, labels=frame.index[polygons])
        geoms = geoms.copy()
        geoms[polygons] = fixed
    return geoms, frame.index, frame


def _per_feature(
    frame: gpd.GeoDataFrame,
    column: str,
    *,
    name: str,
    kinds: pd.Series | None,
    kind_values: pd.Series | None,
    default: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """One number per feature and whether anything gave one.

    The feature's column, else its kind's table entry, else the default.
    """
    n = len(frame)
    out = np.full(n, np.nan)
    given = np.zeros(n, dtype=bool)
    if column in frame.columns:
        raw = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        bad = frame[column].notna().to_numpy() & np.isnan(raw)
        if bad.any():
            raise ColumnError(
                f"{name} column {column!r} holds values that are not numbers (rows "
                f"{list(frame.index[bad][:5])}: {frame[column][bad].tolist()[:5]})."
            )
        given = ~np.isnan(raw)
        out[given] = raw[given]
    if kinds is not None and kind_values is not None:
        from_kind = kinds.map(kind_values).to_numpy(dtype=float)
        take = ~given & kinds.isin(kind_values.index).to_numpy()
        out[take] = from_kind[take]
        given |= take
    if default is not None:
        out[~given] = float(default)
        given[:] = True
    return out, given


def _barrier_table(barrier_table: Any) -> pd.DataFrame | None:
    if barrier_table is None:
        return None
    if isinstance(barrier_table, pd.DataFrame):
        table = barrier_table
        if "kind" in table.columns:
            table = table.set_index("kind")
        if "resistance" not in table.columns:
            raise ColumnError(
                f"barrier_table has no 'resistance' column (columns: {list(table.columns)}); "
                "see habitat.corridors.tables.leopard_barrier_table()."
            )
        return table
    if isinstance(barrier_table, Mapping):
        return pd.DataFrame({"resistance": pd.Series(dict(barrier_table), dtype=float)})
    raise InputError(
        f"barrier_table must be a DataFrame indexed by kind with 'resistance' and 'width_m' "
        f"columns, or a mapping kind -> resistance; not {type(barrier_table).__name__}."
    )


def _burn(shapes: list[tuple[Any, int]], grid: Grid, *, all_touched: bool) -> np.ndarray:
    """Burn (geometry, rank) pairs in order (the last wins) into an int32 grid (0 = none)."""
    out = np.zeros(grid.shape, dtype=np.int32)
    if not shapes:
        return out
    return rasterio.features.rasterize(
        shapes, out=out, transform=Affine(*grid.transform), all_touched=all_touched
    )


def _clip_box(grid: Grid, margin: float) -> tuple[float, float, float, float]:
    rows, cols = grid.shape
    a, b, c, d, e, f = grid.transform
    xs = np.array([c, c + a * cols])
    ys = np.array([f, f + e * rows])
    return (xs.min() - margin, ys.min() - margin, xs.max() + margin, ys.max() + margin)


def _footprints(
    geoms: np.ndarray, widths: np.ndarray, grid: Grid, cell: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per feature: the area burned by the cell-centre rule and the part burned 'all touched'.

    Lines: (buffer by width/2 with flat ends, the line); polygons: (the polygon,
    its thin parts); points: (empty, the disk of diameter width).
    """
    margin = 2 * cell + float(np.nanmax(widths, initial=0.0))
    box = _clip_box(grid, margin)
    geoms = np.asarray(shapely.clip_by_rect(geoms, *box), dtype=object)
    type_id = shapely.get_type_id(geoms)
    is_line = np.isin(type_id, (1, 2, 5))
    is_poly = np.isin(type_id, (3, 6))
    is_point = np.isin(type_id, (0, 4))
    half = np.where(np.isfinite(widths), widths / 2, 0.0)
    centre = np.full(len(geoms), None, dtype=object)
    touched = np.full(len(geoms), None, dtype=object)
    if is_line.any():
        centre[is_line] = shapely.buffer(geoms[is_line], half[is_line], cap_style="flat")
        touched[is_line] = geoms[is_line]
    if is_poly.any():
        r = cell / math.sqrt(2.0)
        polys = geoms[is_poly]
        # grown by 1e-4 cell so that the rounding slivers along straight edges go
        opened = shapely.buffer(shapely.buffer(polys, -r), r + 1e-4 * cell)
        centre[is_poly] = polys
        touched[is_poly] = shapely.difference(polys, opened)
    if is_point.any():
        touched[is_point] = shapely.buffer(geoms[is_point], half[is_point])
    # GDAL's "all touched" skips cells a line meets only at their corner (a line at
    # 45 degrees through cell corners would leave diagonal gaps): the footprints are
    # moved by less than 1/1000 of a cell in a direction no drawn line follows
    # (slope 0.573), which takes every line off the corners and off the cell edges.
    has = np.array([g is not None for g in touched], dtype=bool)
    shift = np.array([_NUDGE[0] * cell, _NUDGE[1] * cell])
    touched[has] = shapely.transform(touched[has], lambda xy: xy + shift)
    return centre, touched


def _pairs(geoms: np.ndarray, order: np.ndarray) -> list[tuple[Any, int]]:
    """(geometry, rank) pairs, rank 1.. in ``order``, leaving out missing/empty footprints."""
    return [
        (geoms[k], rank)
        for rank, k in enumerate(order, start=1)
        if geoms[k] is not None and not shapely.is_empty(geoms[k])
    ]


def _burn_max(
    geoms: np.ndarray, widths: np.ndarray, values: np.ndarray, grid: Grid, cell: float
) -> tuple[np.ndarray, np.ndarray]:
    """The cells the features cover (flat indices) and the largest value covering each.

    The features are burned as ranks in ascending order of value (GDAL burns in
    order, the last wins), both footprints; the larger rank is the larger value.
    """
    centre, touched = _footprints(geoms, widths, grid, cell)
    order = np.argsort(values, kind="stable")
    rank = _burn(_pairs(centre, order), grid, all_touched=False)
    np.maximum(rank, _burn(_pairs(touched, order), grid, all_touched=True), out=rank)
    flat = np.flatnonzero(rank)
    return flat, values[order][rank.reshape(-1)[flat] - 1]


def _barriers(
    barriers: Any,
    grid: Grid,
    cell: float,
    *,
    barrier_table: pd.DataFrame | None,
    barrier_resistance: float | None,
    barrier_width_m: float | None,
    scale_narrow: bool,
) -> tuple[tuple[np.ndarray, np.ndarray], float, np.ndarray]:
    """Barrier cells (flat indices, burned resistance), widest line (m), reach of each.

    The reach (the area within half its width plus a cell of each burned
    feature) is where a crossing can meet it.
    """
    geoms, index, frame = _layer(barriers, grid, name="barriers", allowed=_LINES + _POLYGONS)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    kinds = frame["kind"] if "kind" in frame.columns else None
    table = barrier_table
    res, res_known = _per_feature(
        frame,
        "resistance",
        name="barriers",
        kinds=kinds,
        kind_values=None if table is None else table["resistance"].astype(float),
        default=barrier_resistance,
    )
    width, width_known = _per_feature(
        frame,
        "width_m",
        name="barriers",
        kinds=kinds,
        kind_values=None
        if table is None or "width_m" not in table.columns
        else table["width_m"].astype(float),
        default=barrier_width_m,
    )
    unknown = usable & ~res_known
    if unknown.any():
        rows = list(index[unknown][:5])
        kind_text = ""
        if kinds is not None:
            missing_kinds = sorted({str(k) for k in kinds[unknown]})
            known = [] if table is None else [str(k) for k in table.index]
            kind_text = (
                f" (kind {', '.join(missing_kinds)}; known kinds: {', '.join(known) or 'none'})"
            )
        raise InputError(
            f"barriers rows {rows}{kind_text} have no resistance: give a 'resistance' column, "
            "a barrier_table with their kind (e.g. "
            "habitat.corridors.tables.leopard_barrier_table()), or barrier_resistance=."
        )
    burned = usable & ~np.isnan(res)  # NaN from a table (tunnel, bridge): not burned
    bad = burned & (res <= 0)
    if bad.any():
        raise InputError(
            f"barriers rows {list(index[bad][:5])} have resistance {res[bad][:5].tolist()}; a "
            "barrier's resistance must be > 0 (inf for impassable)."
        )
    type_id = shapely.get_type_id(geoms)
    lines = burned & np.isin(type_id, (1, 2, 5))
    no_width = lines & (~width_known | np.isnan(width))
    if no_width.any():
        raise InputError(
            f"barrier lines at rows {list(index[no_width][:5])} have no width: give a "
            "'width_m' column (metres), a barrier_table with a width_m per kind, or "
            "barrier_width_m=."
        )
    bad_width = lines & ~(np.isfinite(width) & (width > 0))
    if bad_width.any():
        raise InputError(
            f"barrier lines at rows {list(index[bad_width][:5])} have width_m "
            f"{width[bad_width][:5].tolist()}; widths are positive metres."
        )
    width = np.where(lines, width, np.nan)
    if scale_narrow:
        narrow = lines & (width < cell)
        res = np.where(narrow, res * width / cell, res)
    keep = np.flatnonzero(burned)
    widest = float(np.nanmax(width[keep], initial=0.0)) if keep.size else 0.0
    # where the burned cells can be: within half the width plus a cell of each feature
    reach = shapely.buffer(geoms[keep], np.nan_to_num(width[keep] / 2) + cell, quad_segs=4)
    return _burn_max(geoms[keep], width[keep], res[keep], grid, cell), widest, reach


def _crossings(
    crossings: Any,
    grid: Grid,
    cell: float,
    *,
    crossing_resistance: float | None,
    crossing_width_m: float | None,
    default_width: float,
    reach: np.ndarray,
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """Cells of crossings: (flat indices, lowest given resistance), and the lifted cells.

    Crossings without a resistance lift the barriers on the second set of cells
    (flat indices): the land cover's own resistance comes back there.
    """
    geoms, index, frame = _layer(
        crossings, grid, name="crossings", allowed=_LINES + _POLYGONS + _POINTS
    )
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    res, res_known = _per_feature(
        frame,
        "resistance",
        name="crossings",
        kinds=None,
        kind_values=None,
        default=crossing_resistance,
    )
    width, _ = _per_feature(
        frame, "width_m", name="crossings", kinds=None, kind_values=None, default=crossing_width_m
    )
    width = np.where(np.isnan(width), default_width, width)
    bad = usable & res_known & ~(res > 0)
    if bad.any():
        raise InputError(
            f"crossings rows {list(index[bad][:5])} have resistance {res[bad][:5].tolist()}; a "
            "crossing's resistance must be > 0 (leave it missing to restore the land cover's)."
        )
    bad_width = usable & ~(np.isfinite(width) & (width > 0))
    if bad_width.any():
        raise InputError(
            f"crossings rows {list(index[bad_width][:5])} have width_m "
            f"{width[bad_width][:5].tolist()}; widths are positive metres."
        )
    restore = usable & ~res_known
    given = usable & ~restore
    if restore.any():
        # a crossing that only lifts barriers, and meets none, changes nothing: say so
        k = np.flatnonzero(restore)
        footprint = shapely.buffer(geoms[k], width[k] / 2, quad_segs=4)
        hits = shapely.STRtree(reach).query(footprint, predicate="intersects")[0]
        idle = np.setdiff1d(np.arange(k.size), hits)
        if idle.size:
            warnings.warn(
                f"crossings rows {list(index[k[idle]][:5])} meet no burned barrier "
                f"({'no barriers were given' if reach.size == 0 else 'none within reach'}), so "
                "they change nothing. Check their position and CRS, draw them on the "
                "barrier they cross, or give them a resistance to lower the cover there.",
                DataQualityWarning,
                stacklevel=3,
            )
    none = np.zeros(0, dtype=np.intp)
    low: tuple[np.ndarray, np.ndarray] = (none, np.zeros(0))
    if given.any():
        k = np.flatnonzero(given)
        # the lowest value wins: the largest of the negated values
        flat, negated = _burn_max(geoms[k], width[k], -res[k], grid, cell)
        low = (flat, -negated)
    back = none
    if restore.any():
        k = np.flatnonzero(restore)
        back, _ = _burn_max(geoms[k], width[k], np.ones(k.size), grid, cell)
    return low, back


# ---------------------------------------------------------------- the public function
def resistance_surface(
    land_cover: Raster,
    *,
    table: Mapping[Any, float] | pd.Series | pd.DataFrame,
    barriers: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    crossings: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    barrier_table: pd.DataFrame | Mapping[str, float] | None = None,
    barrier_resistance: float | None = None,
    barrier_width_m: float | None = None,
    crossing_resistance: float | None = None,
    crossing_width_m: float | None = None,
    scale_narrow: bool = False,
    cell_size_m: float | None = None,
    crs: Any = None,
    dtype: str = "float64",
) -> Raster:
    """A resistance surface from land cover, barriers and crossing structures.

    Parameters
    ----------
    land_cover : habitat.io.raster.Raster
        Integer class codes (e.g. :func:`habitat.datasets.land_cover`), nodata
        cells allowed (they stay without data: impassable). In degrees, or with
        non-square cells, it is warped to a projected grid (with a
        :class:`~habitat.core.errors.DataQualityWarning` saying which).
    table : mapping, Series or DataFrame
        Resistance of each class, keyed by class code or by class name
        (``land_cover.classes``), e.g. ``{1: 1.0, "water": 200.0}``; a DataFrame
        with a ``resistance`` column, indexed (or with a ``class`` / ``name``
        column) by class, such as
        :func:`habitat.corridors.tables.leopard_resistance_table`. NaN or inf
        = impassable. A class present in the raster without an entry is an
        error naming it.
    barriers : GeoDataFrame or GeoSeries of lines and polygons, optional
        Roads, railways, rivers, fences, settlements, in any declared CRS. Each
        feature's resistance comes from its ``resistance`` column, else from
        ``barrier_table`` by its ``kind``, else ``barrier_resistance``; a line's
        width likewise from ``width_m``, the table's ``width_m``, or
        ``barrier_width_m``. A kind whose table resistance is NaN (tunnel,
        bridge) is not burned. Polygons are burned as drawn (no width).
    crossings : GeoDataFrame or GeoSeries of points, lines or polygons, optional
        Crossing structures. Their cells get ``min(current, resistance)``
        where the resistance comes from a ``resistance`` column or
        ``crossing_resistance``; if neither is given, the land cover's own
        resistance (the barrier is lifted). Width (lines: across the line;
        points: diameter of the disk) from a ``width_m`` column, else
        ``crossing_width_m``, else the widest burned barrier line plus two
        cells, so that a crossing drawn along a barrier lifts all of it there.
        A crossing without a resistance that meets no burned barrier changes
        nothing and is named in a :class:`~habitat.core.errors.DataQualityWarning`;
        one with a resistance also opens cells the table makes impassable (a
        bridge over water), never cells without land-cover data.
    barrier_table : DataFrame or mapping, optional
        Per ``kind``: ``resistance`` and ``width_m`` (DataFrame indexed by
        kind, like :func:`habitat.corridors.tables.leopard_barrier_table`), or
        a mapping kind → resistance.
    barrier_resistance, barrier_width_m : float, optional
        Defaults for barrier features nothing else gives a value.
    crossing_resistance, crossing_width_m : float, optional
        Defaults for crossings (see ``crossings``).
    scale_narrow : bool
        If True, a barrier line narrower than a cell gets its resistance ×
        ``width / cell_size_m``, so a straight crossing of its one-cell band
        costs about ``resistance × width`` (module docstring).
    cell_size_m : float, optional
        Side of the output cells in metres; default the land cover's (warped
        to it if different: majority of the classes when coarser, nearest
        neighbour when finer).
    crs : CRS-like, optional
        Projected CRS in metres of the output; default the land cover's, or
        for a land cover in degrees its UTM zone
        (:func:`habitat.core.crs.metric_crs`).
    dtype : {"float64", "float32"}
        Of the output array.

    Returns
    -------
    habitat.io.raster.Raster
        Resistance (unitless; cost = resistance × m), ``nodata`` NaN where
        the land cover has no data or the table / a barrier says impassable
        (NaN or inf). Same grid as ``land_cover`` unless warped.

    Raises
    ------
    habitat.core.errors.InputError
        Unknown class in the raster or unknown class name in the table (named),
        resistance ≤ 0, barriers without resistance or width (rows named),
        bad widths.
    habitat.core.errors.ProjectedCRSRequiredError
        If ``crs`` is in degrees or not in metres.
    habitat.core.errors.GeometryTypeError
        For barriers that are points, or other geometry types.
    habitat.core.errors.EmptyDataError
        If no cell of the result has data.

    Examples
    --------
    A 12 m road running diagonally across a 10 × 10 forest of 30 m cells
    becomes an unbroken band: no 8-neighbour move crosses it.

    >>> import geopandas as gpd, numpy as np, shapely
    >>> from scipy import ndimage
    >>> from habitat.io.raster import Raster
    >>> cover = Raster(np.ones((10, 10), "uint8"), (30.0, 0.0, 0.0, 0.0, -30.0, 300.0),
    ...                "EPSG:32652", classes={1: "forest"})
    >>> road = gpd.GeoDataFrame({"kind": ["road"], "width_m": [12.0]},
    ...                         geometry=[shapely.LineString([(0, 0), (300, 300)])],
    ...                         crs="EPSG:32652")
    >>> surface = resistance_surface(cover, table={"forest": 1.0}, barriers=road,
    ...                              barrier_table={"road": 500.0})
    >>> sorted(np.unique(surface.array).tolist())
    [1.0, 500.0]
    >>> eight = np.ones((3, 3), bool)
    >>> int(ndimage.label(surface.array < 500, structure=eight)[1])  # two sides
    2

    A crossing drawn on the road over 60 m reopens it:

    >>> tunnel = gpd.GeoSeries([shapely.LineString([(120, 120), (180, 180)])], crs=32652)
    >>> opened = resistance_surface(cover, table={"forest": 1.0}, barriers=road,
    ...                             barrier_table={"road": 500.0}, crossings=tunnel)
    >>> int(ndimage.label(opened.array < 500, structure=eight)[1])
    1
    """
    if not isinstance(land_cover, Raster):
        raise InputError(
            f"land_cover must be a habitat.io.raster.Raster of class codes, not "
            f"{type(land_cover).__name__}; e.g. habitat.datasets.land_cover() or "
            "habitat.io.raster.read_geotiff(path)."
        )
    if dtype not in ("float64", "float32"):
        raise InputError(f"dtype must be 'float64' or 'float32', not {dtype!r}.")
    for name, value in (
        ("barrier_resistance", barrier_resistance),
        ("crossing_resistance", crossing_resistance),
    ):
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float | np.integer | np.floating)
            or not value > 0
        ):
            raise InputError(f"{name} must be a number > 0 (inf for impassable), not {value!r}.")
    for name, value in (
        ("barrier_width_m", barrier_width_m),
        ("crossing_width_m", crossing_width_m),
    ):
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float | np.integer | np.floating)
            or not (math.isfinite(value) and value > 0)
        ):
            raise InputError(f"{name} must be a positive number of metres, not {value!r}.")
    lookup = _class_table(table, land_cover.classes)
    cover = _on_metric_grid(land_cover, crs, cell_size_m)
    grid = cover.grid
    cell = cover.cell_size_m
    base = _base_resistance(cover, lookup)  # NaN: no data; inf: impassable
    out = base.copy()
    flat_out = out.reshape(-1)  # a view: updates of the covered cells only
    widest = 0.0
    reach = np.zeros(0, dtype=object)
    if barriers is not None:
        burned, widest, reach = _barriers(
            barriers,
            grid,
            cell,
            barrier_table=_barrier_table(barrier_table),
            barrier_resistance=barrier_resistance,
            barrier_width_m=barrier_width_m,
            scale_narrow=bool(scale_narrow),
        )
        flat, values = burned  # np.maximum keeps NaN: no data stays no data
        flat_out[flat] = np.maximum(flat_out[flat], values)
    if crossings is not None:
        low, back = _crossings(
            crossings,
            grid,
            cell,
            crossing_resistance=crossing_resistance,
            crossing_width_m=crossing_width_m,
            default_width=(widest if widest > 0 else cell) + 2 * cell,
            reach=reach,
        )
        flat_out[back] = base.reshape(-1)[back]
        flat, values = low
        flat_out[flat] = np.minimum(flat_out[flat], values)
    out[np.isinf(out)] = np.nan  # impassable
    if np.isnan(out).all():
        raise EmptyDataError(
            "the resistance surface holds no data: every cell is nodata in the land cover, "
            "impassable in the class table (NaN / inf) or under an impassable barrier. Check "
            "the land cover's nodata value and the tables."
        )
    return Raster(out.astype(dtype, copy=False), grid.transform, grid.crs, nodata=float("nan"))

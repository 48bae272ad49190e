"""Utilisation distributions as rasters, on one grid shared by all animals.

* :func:`utilization_distribution` - every animal's kernel UD on one grid;
* :func:`ud_cell_size_m` - the cell size it would use, without computing the UDs
  (cells from the bandwidth by :func:`habitat.homerange.grid.default_cell_size_m`
  unless given, coarsened by :func:`habitat.homerange.grid.capped_cell_size_m`
  when the grid would not fit in memory).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np

from habitat.core.errors import InputError
from habitat.homerange.bandwidth import DEFAULT_HLIM, bandwidth_choice, resolve_bandwidth_m
from habitat.homerange.base import refuse_unknown_options
from habitat.homerange.fixes import prepare_fixes
from habitat.homerange.grid import (
    UD_MAX_CELLS,
    GridCoarsenedWarning,
    capped_cell_size_m,
    default_cell_size_m,
    grid_cell_count,
)
from habitat.homerange.kde import kde_ud
from habitat.io.raster import Raster

__all__ = ["ud_cell_size_m", "utilization_distribution"]

_WHERE = "habitat.homerange.ud.utilization_distribution"


class _Grid(NamedTuple):
    crs: Any
    groups: dict[str, np.ndarray]
    bandwidths_m: dict[str, float]
    cell_size_m: float
    bounds: tuple[float, float, float, float]


def _check_cell(cell_size_m: Any) -> float | None:
    if cell_size_m is None:
        return None
    ok = not isinstance(cell_size_m, bool) and isinstance(
        cell_size_m, int | float | np.integer | np.floating
    )
    v = float(cell_size_m) if ok else math.nan
    if not (math.isfinite(v) and v > 0):
        raise InputError(
            f"{_WHERE}: cell_size_m must be a positive number of metres, or None for cells "
            f"from the bandwidth; got {cell_size_m!r}."
        )
    return v


def _shared_grid(
    relocations: gpd.GeoDataFrame,
    *,
    cell_size_m: Any,
    bandwidth: Any,
    bandwidth_m: float | None,
    crs: Any,
    exclude_flagged: bool,
    margin: float,
    max_cells: int,
    warn: bool,
) -> _Grid:
    """The fixes per animal, their bandwidths, and the cell and bounds of the shared grid."""
    choice = bandwidth_choice(bandwidth, bandwidth_m, where=_WHERE)
    asked = _check_cell(cell_size_m)
    prep = prepare_fixes(
        relocations, crs=crs, exclude_flagged=exclude_flagged, purpose="utilisation distributions"
    )
    xy_all = prep.xy
    order = np.argsort(prep.codes, kind="stable")
    cuts = np.concatenate([[0], np.cumsum(prep.counts)])
    groups = {str(ind): xy_all[order[cuts[i] : cuts[i + 1]]] for i, ind in enumerate(prep.names)}
    hs = {ind: resolve_bandwidth_m(xy, choice, hlim=DEFAULT_HLIM) for ind, xy in groups.items()}
    cell = default_cell_size_m(min(hs.values())) if asked is None else asked
    pad = 4 * max(hs.values()) * (1 + margin)
    lo, hi = xy_all.min(axis=0) - pad, xy_all.max(axis=0) + pad
    cover = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
    used = capped_cell_size_m(cell, bounds=cover, max_cells=max_cells)
    if used != cell and warn:
        names = list(groups)
        who = ", ".join(repr(n) for n in names[:5]) + (
            f" and {len(names) - 5} more" if len(names) > 5 else ""
        )
        source = "given" if asked is not None else "from the bandwidth"
        warnings.warn(
            f"UD grid of {who}: {cell:g} m cells ({source}) would need "
            f"{grid_cell_count(cover, cell):,} cells, more than max_cells={max_cells:,}; "
            f"using {used:g} m cells instead. Pass a coarser cell_size_m (or a larger "
            "max_cells, with the memory for it) to choose yourself.",
            GridCoarsenedWarning,
            stacklevel=4,  # the caller of utilization_distribution (through its wrapper)
        )
    lo = np.floor(lo / used) * used
    hi = np.ceil(hi / used) * used
    bounds = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
    return _Grid(prep.crs, groups, hs, used, bounds)


@refuse_unknown_options
def ud_cell_size_m(
    relocations: gpd.GeoDataFrame,
    *,
    cell_size_m: float | None = None,
    bandwidth: Any = "href",
    bandwidth_m: float | None = None,
    crs: Any | None = None,
    exclude_flagged: bool = True,
    margin: float = 0.1,
    max_cells: int = UD_MAX_CELLS,
) -> float:
    """The cell size (m) :func:`utilization_distribution` uses for these fixes and options.

    Cheap (bandwidths only, no UD): for captions and records of a UD drawn
    earlier. Takes the options of :func:`utilization_distribution`; never warns.

    Returns
    -------
    float
        Cell side in metres: ``cell_size_m`` if given, else
        :func:`habitat.homerange.grid.default_cell_size_m` of the smallest
        bandwidth; coarsened (:func:`habitat.homerange.grid.capped_cell_size_m`)
        if the grid would have more than ``max_cells`` cells.

    Examples
    --------
    >>> import habitat
    >>> fixes, _ = habitat.simulate_relocations(n_females=1, n_males=1, days=180, seed=1)
    >>> ud_cell_size_m(fixes), ud_cell_size_m(fixes, cell_size_m=250.0)  # h of F01: 560 m
    (80.0, 250.0)
    >>> ud_cell_size_m(fixes[fixes["individual"] == "M01"])  # h = 1.39 km
    200.0
    """
    grid = _shared_grid(
        relocations,
        cell_size_m=cell_size_m,
        bandwidth=bandwidth,
        bandwidth_m=bandwidth_m,
        crs=crs,
        exclude_flagged=exclude_flagged,
        margin=margin,
        max_cells=max_cells,
        warn=False,
    )
    return grid.cell_size_m


@refuse_unknown_options
def utilization_distribution(
    relocations: gpd.GeoDataFrame,
    *,
    cell_size_m: float | None = None,
    bandwidth: Any = "href",
    bandwidth_m: float | None = None,
    crs: Any | None = None,
    exclude_flagged: bool = True,
    margin: float = 0.1,
    max_cells: int = UD_MAX_CELLS,
) -> dict[str, Raster]:
    """Kernel utilisation distribution of every individual, on one shared grid.

    The UD of each animal is the fixed-bandwidth bivariate normal kernel
    density of :mod:`habitat.homerange.kde` (kernel truncated to a 4h box),
    evaluated at the centres of one grid of ``cell_size_m`` cells that covers
    all animals' fixes plus ``4 h_max (1 + margin)``, and normalised to volume
    1 on that grid. Sharing the grid is what overlap indices (Fieberg &
    Kochanny 2005) need.

    Parameters
    ----------
    relocations : GeoDataFrame
        Point fixes with an ``individual`` column (see :func:`habitat.home_range`).
    cell_size_m : float, optional
        Cell side in metres. Default (None): from the bandwidth, a sixth of the
        smallest animal's ``h`` rounded down to a readable size
        (:func:`habitat.homerange.grid.default_cell_size_m`), so that the grid
        follows the animals' scale (about 100 m for a leopard, km for an
        albatross). Before habitat 0.3 the default was 100 m whatever the animal.
    bandwidth : {"href", "lscv", "plugin"}
        Bandwidth rule, applied per animal. A number still works as ``h`` in
        metres but is deprecated: pass ``bandwidth_m``.
    bandwidth_m : float, optional
        One bandwidth ``h`` in metres for all animals, instead of a rule.
    crs : CRS-like, optional
        Projected metric CRS; see :func:`habitat.homerange.fixes.estimation_crs`.
    exclude_flagged : bool
        Leave out fixes with ``flag_any``.
    margin : float
        Extra border as a fraction of ``4 h_max``.
    max_cells : int
        Most cells the grid may have (default
        :data:`habitat.homerange.grid.UD_MAX_CELLS`, 1e7: 80 MB per animal).
        A finer ``cell_size_m`` (given or from the bandwidth) is coarsened to
        the finest readable size that fits, with a
        :class:`~habitat.homerange.grid.GridCoarsenedWarning` naming the
        animals and the cells used; the rasters' ``cell_size_m`` is the one used.

    Returns
    -------
    dict of str to Raster
        individual -> UD raster (values in 1/m², ``sum * cell_area_m2 == 1``),
        all with the same transform and CRS; ``nodata`` is None.

    Raises
    ------
    InputError
        For a cell size that is not a positive number of metres, and the
        errors of :func:`habitat.homerange.fixes.prepare_fixes`.

    Examples
    --------
    >>> import habitat
    >>> from habitat.homerange.grid import kernel_area, volume_percent
    >>> fixes, truth = habitat.simulate_relocations(n_females=1, n_males=1, days=180, seed=1)
    >>> uds = utilization_distribution(fixes, cell_size_m=250)
    >>> sorted(uds), uds["F01"].shape, uds["F01"].transform == uds["M01"].transform
    (['F01', 'M01'], (680, 381), True)
    >>> ud = uds["F01"]
    >>> round(float(ud.array.sum() * ud.cell_area_m2), 6)  # volume 1
    1.0

    The 95 % area of the female's UD, against her true 95 % range:

    >>> vol = volume_percent(ud.array, ud.cell_size_m)
    >>> round(kernel_area(vol, ud.cell_size_m, 0.95) / 1e6, 1)
    65.2
    >>> round(float(truth.loc["F01", "true_area_95_km2"]), 1)
    62.5

    Without ``cell_size_m`` the cells follow the smallest bandwidth (560 m, the
    female's href; cells of h/6 = 93 m rounded down):

    >>> utilization_distribution(fixes)["F01"].cell_size_m
    80.0
    """
    grid = _shared_grid(
        relocations,
        cell_size_m=cell_size_m,
        bandwidth=bandwidth,
        bandwidth_m=bandwidth_m,
        crs=crs,
        exclude_flagged=exclude_flagged,
        margin=margin,
        max_cells=max_cells,
        warn=True,
    )
    out: dict[str, Raster] = {}
    for ind, xy in grid.groups.items():  # one dense product per animal
        ud, transform, _ = kde_ud(
            xy, bandwidth_m=grid.bandwidths_m[ind], cell_size_m=grid.cell_size_m, bounds=grid.bounds
        )
        out[ind] = Raster(ud, transform, grid.crs)
    return out

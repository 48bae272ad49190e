"""Utilisation distributions as rasters, on one grid shared by all animals."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np

from habitat.core.errors import InputError
from habitat.homerange.bandwidth import DEFAULT_HLIM, bandwidth_choice, resolve_bandwidth_m
from habitat.homerange.base import refuse_unknown_options
from habitat.homerange.fixes import prepare_fixes
from habitat.homerange.kde import kde_ud
from habitat.io.raster import Raster

__all__ = ["utilization_distribution"]


@refuse_unknown_options
def utilization_distribution(
    relocations: gpd.GeoDataFrame,
    *,
    cell_size_m: float = 100.0,
    bandwidth: Any = "href",
    bandwidth_m: float | None = None,
    crs: Any | None = None,
    exclude_flagged: bool = True,
    margin: float = 0.1,
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
    cell_size_m : float
        Cell side in metres.
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

    Returns
    -------
    dict of str to Raster
        individual -> UD raster (values in 1/m², ``sum * cell_area_m2 == 1``),
        all with the same transform and CRS; ``nodata`` is None.

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
    """
    choice = bandwidth_choice(
        bandwidth, bandwidth_m, where="habitat.homerange.ud.utilization_distribution"
    )
    if not cell_size_m or cell_size_m <= 0:
        raise InputError(f"cell_size_m must be a positive number of metres, not {cell_size_m!r}.")
    prep = prepare_fixes(
        relocations, crs=crs, exclude_flagged=exclude_flagged, purpose="utilisation distributions"
    )
    est_crs, xy_all = prep.crs, prep.xy
    order = np.argsort(prep.codes, kind="stable")
    cuts = np.concatenate([[0], np.cumsum(prep.counts)])
    groups = {str(ind): xy_all[order[cuts[i] : cuts[i + 1]]] for i, ind in enumerate(prep.names)}
    hs = {ind: resolve_bandwidth_m(xy, choice, hlim=DEFAULT_HLIM) for ind, xy in groups.items()}
    pad = 4 * max(hs.values()) * (1 + margin)
    lo = np.floor((xy_all.min(axis=0) - pad) / cell_size_m) * cell_size_m
    hi = np.ceil((xy_all.max(axis=0) + pad) / cell_size_m) * cell_size_m
    bounds = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
    out: dict[str, Raster] = {}
    for ind, xy in groups.items():  # one dense product per animal
        ud, transform, _ = kde_ud(xy, bandwidth_m=hs[ind], cell_size_m=cell_size_m, bounds=bounds)
        out[ind] = Raster(ud, transform, est_crs)
    return out

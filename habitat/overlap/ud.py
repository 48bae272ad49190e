"""Utilisation-distribution overlap: the six indices of Fieberg & Kochanny (2005).

Computed as adehabitatHR's ``kerneloverlap`` defines them: one grid built from
all animals' fixes pooled (``kernelUD(same4all = TRUE)``, adehabitatHR's
``grid``/``extent`` rule), a kernel UD per animal with its own bandwidth, raw
UD values as ``kernelUD`` returns them (not renormalised), and the animal's
range at ``level`` = cells whose cumulative volume (``getvolumeUD``) is at most
``100 * level``. With ``c`` the cell area (m²), ``UD_i`` animal i's UD (1/m²)
and ``A_i`` the indicator of its range:

======  ==============================================================
HR      ``sum(A_i A_j) / sum(A_i)``: share of i's range also in j's range
PHR     ``c sum(A_i UD_j)``: probability of j being in i's range
VI      ``c sum(min(UD_i, UD_j))``: volume of intersection
BA      ``c sum(sqrt(UD_i UD_j))``: Bhattacharyya's affinity
UDOI    ``c sum(A_i A_j) * c sum(UD_i UD_j)``: UD overlap index
HD      ``sqrt(c sum((sqrt UD_i - sqrt UD_j)^2))``: Hellinger distance
======  ==============================================================

HR and PHR are asymmetric (row i, column j as above); the others are
symmetric. With ``conditional=True`` the UDs are first set to 0 outside each
animal's range (adehabitatHR ``conditional = TRUE``).

References
----------
Fieberg, J. & Kochanny, C. O. (2005). Quantifying home-range overlap: the
importance of the utilization distribution. Journal of Wildlife Management
69(4), 1346-1359. Calenge, C. (2006), adehabitatHR ``kerneloverlap``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from habitat.core import crs as hcrs
from habitat.core.errors import InputError, InsufficientDataError
from habitat.homerange.bandwidth import DEFAULT_HLIM, bandwidth_choice, resolve_bandwidth_m
from habitat.homerange.fixes import prepare_fixes
from habitat.homerange.grid import ud_grid, ud_on_grid, volume_percent

__all__ = ["UD_OVERLAP_METHODS", "ud_overlap", "ud_overlap_from_arrays"]

#: the six indices, in Fieberg & Kochanny's order
UD_OVERLAP_METHODS: tuple[str, ...] = ("HR", "PHR", "VI", "BA", "UDOI", "HD")


def ud_overlap_from_arrays(
    ud: np.ndarray,
    inside: np.ndarray,
    cell_area_m2: float,
    *,
    methods: Sequence[str] = UD_OVERLAP_METHODS,
    conditional: bool = False,
) -> dict[str, np.ndarray]:
    """The overlap matrices from UDs and range masks on one grid.

    Parameters
    ----------
    ud : numpy.ndarray, shape (n_animals, n_cells)
        UD values (1/m²) at the cell centres.
    inside : numpy.ndarray of bool, shape (n_animals, n_cells)
        Whether each cell is inside each animal's range.
    cell_area_m2 : float
        Area of one cell (m²).
    methods : sequence of str
        Any of :data:`UD_OVERLAP_METHODS`.
    conditional : bool
        Set each UD to 0 outside its range first.

    Returns
    -------
    dict
        method -> (n_animals, n_animals) matrix; entry [i, j] as in the module
        docstring.

    Examples
    --------
    Four 1 km² cells; animal A uses cells 0 and 1 evenly, B cells 1 and 2, so
    they share one cell and half of each one's use:

    >>> ud = np.array([[0.5, 0.5, 0.0, 0.0],
    ...                [0.0, 0.5, 0.5, 0.0]]) / 1e6  # 1/m²
    >>> m = ud_overlap_from_arrays(ud, ud > 0, 1e6)
    >>> {name: float(v[0, 1]) for name, v in m.items()}
    {'HR': 0.5, 'PHR': 0.5, 'VI': 0.5, 'BA': 0.5, 'UDOI': 0.25, 'HD': 1.0}
    >>> m["BA"].diagonal().tolist(), m["HD"].diagonal().tolist()  # each with itself
    ([1.0, 1.0], [0.0, 0.0])
    """
    a = inside.astype(float)
    u = ud * a if conditional else ud
    c = float(cell_area_m2)
    out: dict[str, np.ndarray] = {}
    for m in methods:
        if m == "HR":
            shared = a @ a.T
            with np.errstate(invalid="ignore", divide="ignore"):
                out[m] = shared / a.sum(axis=1)[:, None]
        elif m == "PHR":
            out[m] = c * (a @ u.T)
        elif m == "VI":
            # min(u_i, u_j) is 0 outside i's support, and for animals whose
            # supports do not meet: per animal, only its support cells and the
            # animals that share some of them (one vectorised row per animal)
            support = u > 0
            meets = (support.astype(np.float32) @ support.T.astype(np.float32)) > 0
            vi = np.zeros((len(u), len(u)))
            for i in range(len(u)):
                cells = np.flatnonzero(support[i])
                others = np.flatnonzero(meets[i])
                vi[i, others] = np.minimum(u[i, cells], u[np.ix_(others, cells)]).sum(axis=1)
            out[m] = c * vi
        elif m == "BA":
            s = np.sqrt(u)
            out[m] = c * (s @ s.T)
        elif m == "UDOI":
            out[m] = (c * (a @ a.T)) * (c * (u @ u.T))
        elif m == "HD":
            s = np.sqrt(u)
            tot = c * (u.sum(axis=1))
            ba = c * (s @ s.T)
            out[m] = np.sqrt(np.clip(tot[:, None] + tot[None, :] - 2 * ba, 0.0, None))
        else:
            raise InputError(
                f"unknown UD overlap method {m!r}; use any of {', '.join(UD_OVERLAP_METHODS)}."
            )
    return out


def ud_overlap(
    relocations: gpd.GeoDataFrame,
    *,
    methods: Sequence[str] = UD_OVERLAP_METHODS,
    level: float = 0.95,
    bandwidth: Any = "href",
    bandwidth_m: float | None = None,
    grid: int = 60,
    extent: float = 1.0,
    conditional: bool = False,
    crs: Any | None = None,
    exclude_flagged: bool = True,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Fieberg & Kochanny's UD overlap indices for every pair of animals.

    Parameters
    ----------
    relocations : GeoDataFrame
        Point fixes with ``individual`` (see :func:`habitat.read_relocations`).
    methods : sequence of str
        Any of ``"HR", "PHR", "VI", "BA", "UDOI", "HD"`` (all by default).
    level : float
        Range level (fraction) for HR, PHR, UDOI and ``conditional``.
    bandwidth : {"href", "lscv", "plugin"}
        Per-animal bandwidth rule. A number still works as ``h`` in metres but
        is deprecated: pass ``bandwidth_m``.
    bandwidth_m : float, optional
        One bandwidth ``h`` in metres for every animal, instead of a rule.
    grid, extent : int, float
        adehabitatHR grid: ``grid`` nodes on the longer side of the pooled
        fixes' extent enlarged by ``extent`` times its range on each side.
    conditional : bool
        adehabitatHR ``conditional``.
    crs : CRS-like, optional
        Projected metric CRS; see :func:`habitat.homerange.fixes.estimation_crs`.
    exclude_flagged : bool
        Leave out fixes with ``flag_any``.

    Returns
    -------
    table : pandas.DataFrame
        Tidy: ``individual_a``, ``individual_b``, ``method``, ``value``, one
        row per ordered pair (a, b) including a == b.
    matrices : dict of str to pandas.DataFrame
        method -> square matrix indexed by individual (row a, column b).

    Examples
    --------
    A simulated female and the same track moved 3 km east:

    >>> import habitat
    >>> import pandas as pd
    >>> fixes, _ = habitat.simulate_relocations(n_females=1, n_males=0, days=30, seed=1,
    ...                                         crs="EPSG:32652")
    >>> moved = fixes.assign(individual="F01 +3 km", geometry=fixes.translate(xoff=3000))
    >>> table, matrices = ud_overlap(pd.concat([fixes, moved], ignore_index=True))
    >>> matrices["BA"].round(2)
                F01  F01 +3 km
    F01        1.00       0.43
    F01 +3 km  0.43       1.00
    >>> {name: round(float(m.iloc[0, 1]), 2) for name, m in matrices.items()}
    {'HR': 0.38, 'PHR': 0.44, 'VI': 0.2, 'BA': 0.43, 'UDOI': 0.11, 'HD': 1.06}
    >>> table.columns.tolist(), len(table)  # 6 indices x 4 ordered pairs
    (['individual_a', 'individual_b', 'method', 'value'], 24)

    An animal compared with an exact copy of itself overlaps completely:

    >>> copy = fixes.assign(individual="F01 again")
    >>> _, same = ud_overlap(pd.concat([fixes, copy], ignore_index=True), methods=("BA", "HD"))
    >>> round(float(same["BA"].iloc[0, 1]), 3), round(float(same["HD"].iloc[0, 1]), 3)
    (1.0, 0.0)
    """
    choice = bandwidth_choice(bandwidth, bandwidth_m, where="habitat.overlap.ud.ud_overlap")
    unknown = [m for m in methods if m not in UD_OVERLAP_METHODS]
    if unknown:
        raise InputError(
            f"unknown UD overlap method(s) {unknown}; use any of {', '.join(UD_OVERLAP_METHODS)}."
        )
    if not 0 < float(level) <= 1:
        raise InputError(f"level must be a fraction in (0, 1], e.g. 0.95; got {level!r}.")
    prep = prepare_fixes(
        relocations, crs=crs, exclude_flagged=exclude_flagged, purpose="UD overlap indices"
    )
    xy, est_crs, names = prep.xy, prep.crs, list(prep.names)
    if len(names) < 2:
        raise InsufficientDataError("UD overlap needs at least two individuals.")
    order = np.argsort(prep.codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(prep.counts)])
    # one grid from all fixes pooled (kernelUD(same4all = TRUE))
    xg, yg, cs = ud_grid(xy, grid=grid, extent=extent)
    uds = []
    for i in range(len(names)):  # one banded matrix product per animal
        pts = xy[order[bounds[i] : bounds[i + 1]]]
        h = resolve_bandwidth_m(pts, choice, hlim=DEFAULT_HLIM)
        uds.append(ud_on_grid(pts, xg, yg, bandwidth_m=h).ravel())
    ud = np.vstack(uds)
    vol = np.vstack([volume_percent(u, cs) for u in ud])
    inside = vol <= 100.0 * float(level)
    mats = ud_overlap_from_arrays(ud, inside, cs * cs, methods=methods, conditional=conditional)
    matrices = {m: pd.DataFrame(v, index=names, columns=names) for m, v in mats.items()}
    rows = [
        pd.DataFrame(
            {
                "individual_a": np.repeat(names, len(names)),
                "individual_b": np.tile(names, len(names)),
                "method": m,
                "value": v.to_numpy().ravel(),
            }
        )
        for m, v in matrices.items()
    ]
    table = pd.concat(rows, ignore_index=True)
    table.attrs.update(
        {
            "level": float(level),
            "cell_size_m": cs,
            "grid": grid,
            "crs_used": hcrs.describe_crs(est_crs),
        }
    )
    return table, matrices

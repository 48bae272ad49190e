"""Compiled kernel of :mod:`habitat.corridors.linkage`: cross-sections of a corridor.

:func:`chords` measures, for each cell of a least-cost path, how far a straight
line through the cell's centre runs inside the corridor in each of two opposite
directions, by walking the grid cells the line crosses (Amanatides & Woo's
voxel traversal, exact for square cells). Loops over cells: numba compiles them
once per machine (``cache=True``); numba is imported with this module only.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["chords"]


@numba.njit(cache=True, nogil=True)
def _exit(
    mask: np.ndarray, r0: int, c0: int, dr: float, dc: float
) -> tuple[float, int]:  # pragma: no cover - numba
    """Distance (cell sides) from the centre of (r0, c0) to where the ray leaves the corridor.

    The ray starts at the cell's centre with unit direction (dr, dc) in (row,
    col) units and walks the cells it crosses; it stops at the first cell not
    in the corridor (``mask != 1``), returning the distance at which it entered
    that cell and what it met: the cell's mask value (0 outside, 2 a core), or
    -1 off the grid. A ray through a cell corner steps diagonally: cells
    touched at a single point are not crossed.
    """
    n_rows, n_cols = mask.shape
    r, c = r0, c0
    inf = np.inf
    if dr > 0:
        step_r, t_r, d_r = 1, 0.5 / dr, 1.0 / dr
    elif dr < 0:
        step_r, t_r, d_r = -1, -0.5 / dr, -1.0 / dr
    else:
        step_r, t_r, d_r = 0, inf, inf
    if dc > 0:
        step_c, t_c, d_c = 1, 0.5 / dc, 1.0 / dc
    elif dc < 0:
        step_c, t_c, d_c = -1, -0.5 / dc, -1.0 / dc
    else:
        step_c, t_c, d_c = 0, inf, inf
    while True:
        if t_r < inf and t_c < inf and abs(t_r - t_c) <= 1e-12 * max(t_r, 1.0):
            t = t_r
            r += step_r
            c += step_c
            t_r += d_r
            t_c += d_c
        elif t_r < t_c:
            t = t_r
            r += step_r
            t_r += d_r
        else:
            t = t_c
            c += step_c
            t_c += d_c
        if r < 0 or r >= n_rows or c < 0 or c >= n_cols:
            return t, -1
        if mask[r, c] != 1:
            return t, int(mask[r, c])


@numba.njit(cache=True, nogil=True)
def chords(
    mask: np.ndarray, rows: np.ndarray, cols: np.ndarray, dr: np.ndarray, dc: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - numba
    """Length (cell sides) of the corridor's cross-section through each cell, along ±(dr, dc).

    Parameters
    ----------
    mask : 2-D uint8 array
        1 on the corridor's cells, 2 on core cells, 0 elsewhere.
    rows, cols : int64 arrays
        Cells (on the mask) where the cross-section is measured.
    dr, dc : float64 arrays
        Unit direction of each cross-section in (row, col) units.

    Returns
    -------
    length : float64 array
        Distance between the two points where the line through the cell's
        centre leaves the mask, in cell sides.
    at_edge : bool array
        True where the line reached the edge of the grid (the length is then
        a lower bound).
    at_core : bool array
        True where the line ended on a core cell on either side (the
        cross-section is cut by a core, not by the corridor's edge).
    """
    n = rows.size
    length = np.empty(n, dtype=np.float64)
    at_edge = np.zeros(n, dtype=np.bool_)
    at_core = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        t1, e1 = _exit(mask, rows[i], cols[i], dr[i], dc[i])
        t2, e2 = _exit(mask, rows[i], cols[i], -dr[i], -dc[i])
        length[i] = t1 + t2
        at_edge[i] = e1 == -1 or e2 == -1
        at_core[i] = e1 == 2 or e2 == 2
    return length, at_edge, at_core

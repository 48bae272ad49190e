"""Compiled kernels of the circuit solver (:mod:`habitat.corridors.circuit`).

Two loops over the cells of a grid, compiled by numba (``cache=True``: the
compilation, a few seconds, happens once per machine):

* :func:`laplacian` assembles the conductance (Laplacian) matrix of the cell
  graph straight into CSR arrays, rows in raster order, columns sorted, with
  the cells held at a fixed voltage (Dirichlet cells) eliminated;
* :func:`branch_sums` sums, for every cell, the current flowing in from and out
  to its neighbours for given voltages (Circuitscape's node current is the
  larger of the two).

Cell codes in the ``index`` grid: ``>= 0`` the unknown's number, ``-1`` not in
the circuit (no data, or another component), ``-2`` held at 0 V (ground),
``-3`` held at the voltage ``v_high`` (a source region at a fixed voltage).

Conductance of the branch between neighbouring cells with conductances
``g1``, ``g2`` (Circuitscape): ``(g1 + g2) / 2`` ("average conductance"), or
``2 / (1/g1 + 1/g2)`` ("average resistance"); divided by √2 on diagonals.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["branch_sums", "laplacian"]

_DR = np.array([-1, -1, -1, 0, 0, 1, 1, 1], dtype=np.int64)
_DC = np.array([-1, 0, 1, -1, 1, -1, 0, 1], dtype=np.int64)
_DIAGONAL = np.array([True, False, True, False, False, True, False, True])


@numba.njit(cache=True, nogil=True)
def _branch(gi: float, gj: float, diagonal: bool, avg_res: bool) -> float:  # pragma: no cover
    g = 2.0 / (1.0 / gi + 1.0 / gj) if avg_res else 0.5 * (gi + gj)
    if diagonal:
        g /= np.sqrt(2.0)
    return g


@numba.njit(cache=True, nogil=True)
def laplacian(
    cond: np.ndarray, index: np.ndarray, eight: bool, avg_res: bool, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - numba
    """CSR arrays (indptr, indices, data) of the reduced Laplacian and its right-hand side.

    ``n`` is the number of unknowns (cells with ``index >= 0``, numbered in
    raster order). The right-hand side holds, per unknown, the conductance to
    neighbours held at 1 V (code ``-3``).
    """
    nr, nc = cond.shape
    dr, dc, diag = _DR, _DC, _DIAGONAL
    indptr = np.zeros(n + 1, np.int64)
    for r in range(nr):
        for c in range(nc):
            i = index[r, c]
            if i < 0:
                continue
            k = 1
            for q in range(8):
                if not eight and diag[q]:
                    continue
                rr = r + dr[q]
                cc = c + dc[q]
                if 0 <= rr < nr and 0 <= cc < nc and index[rr, cc] >= 0:
                    k += 1
            indptr[i + 1] = k
    for i in range(n):
        indptr[i + 1] += indptr[i]
    indices = np.empty(indptr[n], np.int32)
    data = np.empty(indptr[n], np.float64)
    rhs = np.zeros(n, np.float64)
    for r in range(nr):
        for c in range(nc):
            i = index[r, c]
            if i < 0:
                continue
            p = indptr[i]
            slot = -1
            total = 0.0
            gi = cond[r, c]
            for q in range(8):
                if not eight and diag[q]:
                    continue
                rr = r + dr[q]
                cc = c + dc[q]
                if rr < 0 or rr >= nr or cc < 0 or cc >= nc:
                    continue
                j = index[rr, cc]
                if j == -1:
                    continue
                g = _branch(gi, cond[rr, cc], diag[q], avg_res)
                total += g
                if j == -3:
                    rhs[i] += g
                elif j >= 0:
                    if slot < 0 and j > i:  # the diagonal entry goes before the first larger column
                        slot = p
                        p += 1
                    indices[p] = j
                    data[p] = -g
                    p += 1
            if slot < 0:
                slot = p
            indices[slot] = i
            data[slot] = total
    return indptr, indices, data, rhs


@numba.njit(cache=True, nogil=True)
def branch_sums(
    cond: np.ndarray,
    index: np.ndarray,
    v: np.ndarray,
    v_high: float,
    eight: bool,
    avg_res: bool,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - numba
    """Current flowing into and out of every cell through its branches (A).

    Voltages: ``v[index]`` for unknowns, 0 for code ``-2``, ``v_high`` for
    ``-3``; cells coded ``-1`` carry nothing.
    """
    nr, nc = cond.shape
    dr, dc, diag = _DR, _DC, _DIAGONAL
    inflow = np.zeros((nr, nc), np.float64)
    outflow = np.zeros((nr, nc), np.float64)
    for r in range(nr):
        for c in range(nc):
            i = index[r, c]
            if i == -1:
                continue
            vi = v[i] if i >= 0 else (0.0 if i == -2 else v_high)
            gi = cond[r, c]
            for q in range(4, 8):  # each branch once: E, SW, S, SE
                if not eight and diag[q]:
                    continue
                rr = r + dr[q]
                cc = c + dc[q]
                if rr >= nr or cc < 0 or cc >= nc:
                    continue
                j = index[rr, cc]
                if j == -1:
                    continue
                vj = v[j] if j >= 0 else (0.0 if j == -2 else v_high)
                current = _branch(gi, cond[rr, cc], diag[q], avg_res) * (vi - vj)
                if current > 0:
                    outflow[r, c] += current
                    inflow[rr, cc] += current
                elif current < 0:
                    inflow[r, c] -= current
                    outflow[rr, cc] -= current
    return inflow, outflow

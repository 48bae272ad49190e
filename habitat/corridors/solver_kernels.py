"""Compiled kernels of the AMG solver (:mod:`habitat.corridors.solver`).

Loops compiled by numba (``cache=True``) that build and apply the first level
of the multigrid hierarchy without the large temporaries of scipy's sparse
products and vector expressions:

* :func:`prolongator_rows` / :func:`prolongator_fill`: the Jacobi-smoothed
  prolongator ``P = (I - ω D⁻¹ A) T`` of an aggregation ``T`` straight into
  CSR arrays (two passes: the row lengths, then the entries), without the
  products ``A T`` and ``D⁻¹ (A T)``;
* :func:`galerkin`: the coarse matrix ``Pᵀ A P`` row by row, without storing
  ``R = Pᵀ`` or ``A P``;
* :func:`residual_restrict`, :func:`prolong_add`, :func:`cg_step`,
  :func:`cg_direction`: ``Pᵀ (b - A x)``, ``x += P y`` and the
  conjugate-gradient vector updates, written into existing arrays.

Index arrays may be given as uint32 views of int32 ones (faster: no check for
negative indices).

The sums run in the order of scipy's CSR kernels (row entries in their stored
order, restriction over fine rows in ascending order): ``P`` equals scipy's
product to the last bit, ``Pᵀ A P`` (summed as ``(Pᵀ A) P``) to rounding.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "cg_direction",
    "cg_step",
    "galerkin",
    "group_members",
    "prolong_add",
    "prolongator_fill",
    "prolongator_rows",
    "residual_restrict",
]


@numba.njit(cache=True, nogil=True)
def _max_row_length(indptr: np.ndarray) -> int:  # pragma: no cover - numba
    """The most entries in one row of a CSR matrix (at least 1)."""
    width = 1
    for i in range(indptr.size - 1):
        d = np.int64(indptr[i + 1]) - np.int64(indptr[i])
        if d > width:
            width = int(d)
    return width


@numba.njit(cache=True, nogil=True)
def _row_sums(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    agg: np.ndarray,
    i: int,
    keys: np.ndarray,
    sums: np.ndarray,
) -> tuple[int, float, float]:  # pragma: no cover - numba
    """Row ``i`` of ``A T`` (aggregates ``keys[:m]``, sums ``sums[:m]``), ``a_ii``, ``Σ|a_ij|``."""
    m = 0
    diag = 0.0
    total = 0.0
    for jj in range(indptr[i], indptr[i + 1]):
        j = indices[jj]
        total += abs(data[jj])
        if j == i:
            diag += data[jj]
        k = agg[j]
        slot = -1
        for s in range(m):
            if keys[s] == k:
                slot = s
                break
        if slot < 0:
            keys[m] = k
            sums[m] = 0.0
            slot = m
            m += 1
        sums[slot] += data[jj]
    # sort by aggregate (insertion sort: a handful of entries)
    for s in range(1, m):
        k = keys[s]
        v = sums[s]
        t = s - 1
        while t >= 0 and keys[t] > k:
            keys[t + 1] = keys[t]
            sums[t + 1] = sums[t]
            t -= 1
        keys[t + 1] = k
        sums[t + 1] = v
    return m, diag, total


@numba.njit(cache=True, nogil=True)
def prolongator_rows(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    agg: np.ndarray,
    omega: float,
    local: bool,
    out_indptr: np.ndarray,
) -> None:  # pragma: no cover - numba
    """Row pointers of ``P = (I - ω D⁻¹ A) T`` into ``out_indptr`` (length n + 1).

    ``agg[i]`` is the aggregate (coarse unknown) of fine unknown ``i``; entries
    that come out exactly zero are left out, as scipy does. ``D`` is the
    diagonal of ``A``, or with ``local`` its absolute row sums (pyamg's
    "local" weighting).
    """
    n = indptr.size - 1
    width = _max_row_length(indptr)
    keys = np.empty(width + 1, np.int64)
    sums = np.empty(width + 1, np.float64)
    out_indptr[0] = 0
    for i in range(n):
        m, diag, total = _row_sums(indptr, indices, data, agg, i, keys, sums)
        scale = (1.0 / (total if local else diag)) * omega
        own = agg[i]
        count = 0
        found = False
        for s in range(m):
            e = 1.0 if keys[s] == own else 0.0
            found = found or keys[s] == own
            if e - scale * sums[s] != 0.0:
                count += 1
        if not found:
            count += 1  # T's entry alone: 1 - 0
        out_indptr[i + 1] = out_indptr[i] + count


@numba.njit(cache=True, nogil=True)
def prolongator_fill(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    agg: np.ndarray,
    omega: float,
    local: bool,
    p_indptr: np.ndarray,
    p_indices: np.ndarray,
    p_data: np.ndarray,
) -> None:  # pragma: no cover - numba
    """Column indices (sorted) and values of ``P`` for the row pointers of :func:`prolongator_rows`.

    ``P[i, K] = [agg(i) = K] - (ω / a_ii) Σ_{j: agg(j) = K} a_ij``, the sum in
    the row's stored order.
    """
    n = indptr.size - 1
    width = _max_row_length(indptr)
    keys = np.empty(width + 1, np.int64)
    sums = np.empty(width + 1, np.float64)
    for i in range(n):
        m, diag, total = _row_sums(indptr, indices, data, agg, i, keys, sums)
        scale = (1.0 / (total if local else diag)) * omega
        own = agg[i]
        p = p_indptr[i]
        placed = False
        for s in range(m):
            k = keys[s]
            if not placed and k > own:
                p_indices[p] = own
                p_data[p] = 1.0
                p += 1
                placed = True
            e = 1.0 if k == own else 0.0
            placed = placed or k == own
            v = e - scale * sums[s]
            if v != 0.0:
                p_indices[p] = k
                p_data[p] = v
                p += 1
        if not placed:
            p_indices[p] = own
            p_data[p] = 1.0


@numba.njit(cache=True, nogil=True)
def galerkin(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    p_indptr: np.ndarray,
    p_indices: np.ndarray,
    p_data: np.ndarray,
    members_ptr: np.ndarray,
    members: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - numba
    """CSR arrays (int64 indptr, int32 sorted indices, values) of ``Pᵀ A P``, ``A`` symmetric.

    ``members[members_ptr[k]:members_ptr[k + 1]]`` are the fine unknowns of
    aggregate ``k``. Coarse row ``I`` is ``u P`` with ``u = Σ_j P[j, I] A[j, :]``
    (row ``I`` of ``Pᵀ A``);
    ``P[j, I] != 0`` needs ``j`` in ``I`` or next to it in ``A`` (``A``
    symmetric), so only those rows are visited. Exact zeros are left out, as
    scipy does.
    """
    n = indptr.size - 1
    n_agg = members_ptr.size - 1
    # buffer sizes from the widest rows and the largest aggregate (no growth in the loop)
    width = _max_row_length(indptr)
    p_width = _max_row_length(p_indptr)
    biggest = 1
    for k in range(n_agg):
        biggest = max(biggest, members_ptr[k + 1] - members_ptr[k])
    n_cand = min(n, biggest * width)
    n_u = min(n, n_cand * width)
    slot = np.full(n, -1, np.int32)
    c_sum = np.zeros(n_agg, np.float64)
    c_seen = np.zeros(n_agg, np.bool_)
    cand = np.empty(n_cand, np.int64)
    u_idx = np.empty(n_u, np.int64)
    u_val = np.empty(n_u, np.float64)
    c_keys = np.empty(min(n_agg, n_u * p_width), np.int64)
    cap = 10 * n_agg + 16
    c_indptr = np.zeros(n_agg + 1, np.int64)
    c_indices = np.empty(cap, np.int32)
    c_data = np.empty(cap, np.float64)
    nnz = 0
    for big in range(n_agg):
        # fine rows j with P[j, big] possibly nonzero
        nc = 0
        for mm in range(members_ptr[big], members_ptr[big + 1]):
            k = members[mm]
            for jj in range(indptr[k], indptr[k + 1]):
                j = indices[jj]
                if slot[j] < 0:
                    slot[j] = 0
                    cand[nc] = j
                    nc += 1
        for t in range(nc):
            slot[cand[t]] = -1
        # u = row big of P^T A
        nu = 0
        for t in range(nc):
            j = cand[t]
            v = 0.0
            for pp in range(p_indptr[j], p_indptr[j + 1]):
                if p_indices[pp] == big:
                    v = p_data[pp]
                    break
            if v == 0.0:
                continue
            for ii in range(indptr[j], indptr[j + 1]):
                i = indices[ii]
                s = slot[i]
                if s < 0:
                    s = nu
                    slot[i] = s
                    u_idx[s] = i
                    u_val[s] = 0.0
                    nu += 1
                u_val[s] += v * data[ii]
        # row big of C = u P
        n_c = 0
        for t in range(nu):
            i = u_idx[t]
            slot[i] = -1
            w = u_val[t]
            for pp in range(p_indptr[i], p_indptr[i + 1]):
                kk = p_indices[pp]
                if not c_seen[kk]:
                    c_seen[kk] = True
                    c_sum[kk] = 0.0
                    c_keys[n_c] = kk
                    n_c += 1
                c_sum[kk] += w * p_data[pp]
        for t in range(1, n_c):  # insertion sort: a handful of entries
            kk = c_keys[t]
            q = t - 1
            while q >= 0 and c_keys[q] > kk:
                c_keys[q + 1] = c_keys[q]
                q -= 1
            c_keys[q + 1] = kk
        if nnz + n_c > c_indices.size:
            cap = max(2 * c_indices.size, nnz + n_c)
            grown_i = np.empty(cap, np.int32)
            grown_i[:nnz] = c_indices[:nnz]
            c_indices = grown_i
            grown_d = np.empty(cap, np.float64)
            grown_d[:nnz] = c_data[:nnz]
            c_data = grown_d
        for s in range(n_c):
            kk = c_keys[s]
            c_seen[kk] = False
            if c_sum[kk] != 0.0:
                c_indices[nnz] = kk
                c_data[nnz] = c_sum[kk]
                nnz += 1
        c_indptr[big + 1] = nnz
    return c_indptr, c_indices[:nnz].copy(), c_data[:nnz].copy()


@numba.njit(cache=True, nogil=True)
def residual_restrict(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    p_indptr: np.ndarray,
    p_indices: np.ndarray,
    p_data: np.ndarray,
    b: np.ndarray,
    x: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover - numba
    """``out = Pᵀ (b - A x)`` in one pass, without the fine residual vector."""
    out[:] = 0.0
    for i in range(indptr.size - 1):
        s = 0.0
        for jj in range(indptr[i], indptr[i + 1]):
            s += data[jj] * x[indices[jj]]
        res = b[i] - s
        for pp in range(p_indptr[i], p_indptr[i + 1]):
            out[p_indices[pp]] += p_data[pp] * res


@numba.njit(cache=True, nogil=True)
def prolong_add(
    p_indptr: np.ndarray, p_indices: np.ndarray, p_data: np.ndarray, y: np.ndarray, x: np.ndarray
) -> None:  # pragma: no cover - numba
    """``x += P y`` without the fine vector ``P y``."""
    for i in range(p_indptr.size - 1):
        s = 0.0
        for pp in range(p_indptr[i], p_indptr[i + 1]):
            s += p_data[pp] * y[p_indices[pp]]
        x[i] += s


@numba.njit(cache=True, nogil=True)
def cg_step(
    alpha: float, d: np.ndarray, q: np.ndarray, x: np.ndarray, r: np.ndarray
) -> None:  # pragma: no cover - numba
    """``x += α d`` and ``r -= α q`` in place."""
    for i in range(x.size):
        x[i] += alpha * d[i]
        r[i] -= alpha * q[i]


@numba.njit(cache=True, nogil=True)
def cg_direction(beta: float, z: np.ndarray, d: np.ndarray) -> None:  # pragma: no cover - numba
    """``d = β d + z`` in place."""
    for i in range(d.size):
        d[i] = d[i] * beta + z[i]


@numba.njit(cache=True, nogil=True)
def group_members(agg: np.ndarray, members_ptr: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Fine unknowns grouped by aggregate (int32, ascending within each), for :func:`galerkin`."""
    fill = members_ptr[:-1].copy()
    out = np.empty(agg.size, np.int32)
    for i in range(agg.size):
        k = agg[i]
        out[fill[k]] = i
        fill[k] += 1
    return out

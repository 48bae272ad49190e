"""Sparse solvers of the circuit Laplacian (:mod:`habitat.corridors.circuit`).

The grid's unknowns (:func:`grid_index`), the reduced Laplacian assembled by
the compiled kernels (:func:`laplacian_matrix`), and the two ways to solve it
for many right-hand sides: a sparse factorisation (SuperLU, symmetric mode) or
conjugate gradients preconditioned by a smoothed-aggregation multigrid cycle
whose first level comes from the grid's 3 x 3 blocks (:class:`AMGPreconditioner`).
:func:`make_solver` picks between them (``solver="auto"``) and retries a stalled
AMG solve with the factorisation. See :mod:`habitat.corridors.circuit` for the
definitions and conventions.

Memory (one AMG solve, 8 neighbours, measured by ``benchmarks/bench_circuit.py
--memory``): the matrix takes 112 bytes an unknown (9 entries of 8 + 4 bytes,
int32 indices and row pointers), the multigrid levels about 55 (the first
prolongator 37, the first coarse matrix 12), conjugate gradients four vectors
(32). No level allocates a temporary of the fine size: the prolongators and
Galerkin matrices come from compiled kernels
(:mod:`habitat.corridors.solver_kernels`), the restriction is never stored,
and the cycle and CG update their vectors in place. :class:`Solver` refuses
(:class:`~habitat.core.errors.TooLargeError`) a hierarchy that would not fit
in the memory available.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse
from scipy.sparse import linalg as splinalg

from habitat.core.errors import ConvergenceError, DataQualityWarning, TooLargeError

if TYPE_CHECKING:  # pragma: no cover
    from types import ModuleType

__all__ = [
    "AMG_BYTES_PER_UNKNOWN",
    "DIRECT_MANY_MAX_CELLS",
    "DIRECT_MAX_CELLS",
    "FALLBACK_MAX_CELLS",
    "MANY_RIGHT_HAND_SIDES",
    "OUTSIDE",
    "AMGPreconditioner",
    "NotConvergedError",
    "Solver",
    "available_memory_bytes",
    "block_aggregates",
    "check_memory",
    "compact_aggregates",
    "galerkin_level",
    "grid_index",
    "kernels",
    "kernels_amg",
    "laplacian_matrix",
    "make_solver",
    "unsigned",
]

#: ``solver="auto"`` factorises systems up to this many unknowns, AMG above ...
DIRECT_MAX_CELLS = 20_000
#: ... and up to this many when there are at least :data:`MANY_RIGHT_HAND_SIDES` to solve
#: with one matrix (one factorisation, then cheap back-substitutions; measured here:
#: 150,000 cells factorise in 2 s and back-substitute in 0.04 s, against 0.2 s a solve
#: for AMG-CG).
DIRECT_MANY_MAX_CELLS = 250_000
#: see :data:`DIRECT_MANY_MAX_CELLS`
MANY_RIGHT_HAND_SIDES = 10
#: ``solver="auto"`` retries a stalled AMG solve with the factorisation up to this size.
FALLBACK_MAX_CELLS = 1_000_000

#: code of a cell outside the circuit in the ``index`` grid
OUTSIDE = -1

#: memory an AMG solve allocates per unknown once the matrix exists (bytes): the
#: prolongator and coarse levels (about 55) and four CG vectors (32), rounded up; measured
#: in benchmarks/bench_circuit.py --memory. The guard of :class:`Solver` compares it with
#: the memory available.
AMG_BYTES_PER_UNKNOWN = 100.0


def kernels() -> ModuleType:
    """The compiled kernels, imported on first use (numba is not loaded by ``import habitat``)."""
    from habitat.corridors import circuit_kernels

    return circuit_kernels


def kernels_amg() -> ModuleType:
    """The AMG kernels (:mod:`habitat.corridors.solver_kernels`), imported on first use."""
    from habitat.corridors import solver_kernels

    return solver_kernels


def unsigned(index: np.ndarray) -> np.ndarray:
    """An int32 index array seen as uint32 (compiled loops then skip negative-index checks)."""
    return index.view(np.uint32) if index.dtype == np.int32 else index


def available_memory_bytes() -> int | None:
    """Memory the system can still give (``MemAvailable`` of /proc/meminfo), None if unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory(n: int, bytes_per_unknown: float, what: str) -> None:
    """Raise :class:`~habitat.core.errors.TooLargeError` when ``n`` unknowns would not fit.

    The need is ``n × bytes_per_unknown``; it is compared with the memory the
    system can still give (nothing is checked where that is unknown).

    Examples
    --------
    >>> check_memory(1_000, 100.0, "a test")  # 100 kB: fits
    """
    free = available_memory_bytes()
    need = n * bytes_per_unknown
    if free is not None and need > free:
        raise TooLargeError(
            f"The circuit has {n:,} unknown cells; {what} need about "
            f"{need / 2**30:.1f} GiB ({bytes_per_unknown:.0f} bytes a cell) on top of the "
            f"memory in use, and only {free / 2**30:.1f} GiB is available. Coarsen the "
            "resistance raster (a cell size twice as large has 4 times fewer cells), clip it "
            "to the study area, or run on a machine with more memory."
        )


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    return float(np.einsum("i,i->", u, v))


class Solver:
    """Solves ``A x = b`` for one SPD matrix and many right-hand sides, checking convergence."""

    def __init__(
        self,
        a: sparse.csr_matrix,
        kind: str,
        tol: float,
        max_iterations: int,
        aggregates: np.ndarray | None = None,
    ) -> None:
        self.a = a
        self.kind = kind
        self.tol = tol
        self.max_iterations = max_iterations
        self.max_residual = 0.0
        self.n_solves = 0
        self._lu: Any = None
        self._precond: Any = None
        if kind == "direct":
            self._factorise()
        else:
            check_memory(a.shape[0], AMG_BYTES_PER_UNKNOWN, "the AMG hierarchy and CG vectors")
            self._precond = AMGPreconditioner(a, aggregates)

    def _factorise(self) -> None:
        self._lu = splinalg.splu(
            self.a.tocsc(),
            permc_spec="MMD_AT_PLUS_A",
            diag_pivot_thresh=0.0,
            options={"SymmetricMode": True},
        )

    def _residual(self, x: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``||b - A x|| / ||b||`` per column, one column at a time (one vector of scratch)."""
        out = np.empty(b.shape[1])
        for k in range(b.shape[1]):
            bk = b[:, k]
            norm_b = float(np.sqrt(_dot(bk, bk)))
            r = np.asarray(self.a @ x[:, k])
            r -= bk  # A x - b: the same norm as b - A x
            out[k] = np.sqrt(_dot(r, r)) / (norm_b if norm_b != 0.0 else 1.0)
        return out

    def _pcg(self, b: np.ndarray, x: np.ndarray) -> None:
        """Preconditioned conjugate gradients from zero into ``x``, stopping at ``tol`` (relative).

        Four vectors of the system's size at a time: ``x``, the residual ``r``, the
        direction ``d`` and either ``A d`` or the preconditioned residual ``z``
        (each freed before the other is made). Dot products are numpy loops
        (``einsum``), not threaded BLAS calls, which spin for nothing on a busy
        two-core machine.
        """
        amg = self._precond
        a = amg.a
        k = kernels_amg()
        x[:] = 0.0
        norm_b = float(np.sqrt(_dot(b, b)))
        if norm_b == 0.0:
            return
        r = b.copy()
        z = amg.apply(r)
        d = z.copy()
        rz = _dot(r, z)
        del z
        for _ in range(self.max_iterations):
            q = a @ d
            alpha = rz / _dot(d, q)
            k.cg_step(alpha, d, q, x, r)
            del q
            if np.sqrt(_dot(r, r)) <= self.tol * norm_b:
                break
            z = amg.apply(r)
            rz_new = _dot(r, z)
            k.cg_direction(rz_new / rz, z, d)
            rz = rz_new
            del z

    def solve(self, b: np.ndarray) -> np.ndarray:
        """Solutions of ``A x = b`` for the columns of ``b`` (n × k)."""
        if self.kind == "direct":
            x = np.asarray(self._lu.solve(b))
            res = self._residual(x, b)
            if np.any(res > self.tol):
                # one step of iterative refinement (pivoting is off for speed)
                x = x + np.asarray(self._lu.solve(b - self.a @ x))
                res = self._residual(x, b)
        else:
            x = np.empty(b.shape, order="F")  # columns contiguous: CG writes into them
            for k in range(b.shape[1]):
                self._pcg(np.ascontiguousarray(b[:, k], dtype=np.float64), x[:, k])
            res = self._residual(x, b)
        self.n_solves += b.shape[1]
        worst = float(np.max(res)) if res.size else 0.0
        self.max_residual = max(self.max_residual, worst)
        if not worst <= self.tol:
            raise NotConvergedError(
                worst, self.tol, self.kind, self.a.shape[0], self.max_iterations
            )
        return x


class AMGPreconditioner:
    """Smoothed-aggregation multigrid V-cycle, the preconditioner of CG.

    Level 0 (the cells) is built from the grid: aggregates of 3 × 3 cells
    (``aggregates``, one number per unknown), the tentative prolongator ``T``
    (piecewise constant, the Laplacian's near-null space), smoothed once by
    damped Jacobi, ``P = (I - ω D⁻¹ A) T`` with ``ω = 2/3`` (the spectral
    radius of ``D⁻¹ A`` is at most 2 for a diagonally dominant Laplacian, so
    no eigenvalue estimate is needed), and the Galerkin coarse matrix
    ``Pᵀ A P``. The coarser levels are pyamg's smoothed aggregation as set
    up here before (pyamg's standard aggregation of each matrix, all
    connections strong, Jacobi smoothing ``ω = 4/3`` with "local" weighting
    ``D = Σ_j |a_ij|``) down to at most 500 unknowns, factorised (SuperLU).
    Every ``P`` and ``Pᵀ A P`` is built by compiled kernels
    (:func:`galerkin_level`) straight into CSR arrays, without the
    temporaries of scipy's (or pyamg's) sparse products; the restriction
    ``Pᵀ`` is never stored (the residual is restricted row by row). Without
    ``aggregates`` (or up to 1,000 unknowns) level 0 is aggregated like the
    others. Smoothing: one forward Gauss-Seidel sweep before, one backward
    after (a symmetric cycle, as CG needs).

    ``A`` must be symmetric (CSR, no duplicate entries).
    """

    #: largest system factorised at the bottom of the hierarchy
    MAX_COARSE = 500
    #: most levels (the matrices with a prolongator; the factorised one comes on top)
    MAX_LEVELS = 10

    def __init__(self, a: sparse.csr_matrix, aggregates: np.ndarray | None) -> None:
        import pyamg

        self._core = pyamg.amg_core
        n = a.shape[0]
        self.a = a
        #: (matrix, prolongator) per level, finest first
        self.levels: list[tuple[sparse.csr_matrix, sparse.csr_matrix]] = []
        current = a
        first = aggregates is not None and n > 1000
        while current.shape[0] > self.MAX_COARSE and len(self.levels) < self.MAX_LEVELS:
            if first and aggregates is not None:
                agg: np.ndarray = aggregates
                omega, local = 2.0 / 3.0, False
            else:
                agg = self._standard_aggregation(current)
                omega, local = 4.0 / 3.0, True
            first = False
            p, coarse = galerkin_level(current, agg, omega=omega, local=local)
            if coarse.shape[0] >= current.shape[0]:
                break  # no coarsening left
            self.levels.append((current, p))
            current = coarse
        self._lu = splinalg.splu(sparse.csc_matrix(current))

    def _standard_aggregation(self, a: sparse.csr_matrix) -> np.ndarray:
        """Aggregates of ``a``'s graph by pyamg's standard aggregation (a lone node: its own)."""
        n = a.shape[0]
        agg = np.empty(n, dtype=a.indptr.dtype)
        cpts = np.empty(n, dtype=a.indptr.dtype)
        n_agg = int(self._core.standard_aggregation(n, a.indptr, a.indices, agg, cpts))
        alone = agg < 0
        if alone.any():
            agg[alone] = n_agg + np.arange(int(alone.sum()), dtype=agg.dtype)
        return agg

    @property
    def p(self) -> sparse.csr_matrix | None:
        """The first level's prolongator ``P`` (None without levels)."""
        return self.levels[0][1] if self.levels else None

    @property
    def r(self) -> Any:
        """The first level's restriction ``Pᵀ`` as a transposed view of ``P`` (nothing stored)."""
        return None if not self.levels else self.levels[0][1].T

    def _gs(self, a: sparse.csr_matrix, x: np.ndarray, b: np.ndarray, forward: bool) -> None:
        n = a.shape[0]
        start, stop, step = (0, n, 1) if forward else (n - 1, -1, -1)
        self._core.gauss_seidel(a.indptr, a.indices, a.data, x, b, start, stop, step)

    def _cycle(self, level: int, b: np.ndarray, x: np.ndarray) -> None:
        """One V-cycle from zero for ``A_level x = b`` into ``x``.

        No vector of this level's size is allocated: the residual is restricted
        row by row and the correction added in place.
        """
        if level == len(self.levels):
            x[:] = self._lu.solve(b)
            return
        a, p = self.levels[level]
        k = kernels_amg()
        x[:] = 0.0
        self._gs(a, x, b, True)
        pi, pj = unsigned(p.indptr), unsigned(p.indices)
        coarse_b = np.empty(p.shape[1])
        k.residual_restrict(
            unsigned(a.indptr), unsigned(a.indices), a.data, pi, pj, p.data, b, x, coarse_b
        )
        coarse_x = np.empty_like(coarse_b)
        self._cycle(level + 1, coarse_b, coarse_x)
        k.prolong_add(pi, pj, p.data, coarse_x, x)
        self._gs(a, x, b, False)

    def apply(self, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """One V-cycle from zero for ``A x = b``, written into ``out`` when given."""
        b = np.ascontiguousarray(b, dtype=np.float64).reshape(-1)
        x = np.empty_like(b) if out is None else out
        self._cycle(0, b, x)
        return x

    def as_operator(self) -> splinalg.LinearOperator:
        """The V-cycle as a scipy ``LinearOperator`` (for scipy's Krylov solvers)."""
        return splinalg.LinearOperator(self.a.shape, matvec=self.apply, dtype=np.float64)


def compact_aggregates(aggregates: np.ndarray) -> tuple[np.ndarray, int]:
    """Aggregate numbers renumbered ``0 .. n_agg - 1`` in ascending order (int32), and ``n_agg``.

    The same numbers as ``np.unique(aggregates, return_inverse=True)[1]``,
    without the sort when the numbers are non-negative and not much larger
    than their count. Negative numbers are kept as numbers like the others.

    Examples
    --------
    >>> import numpy as np
    >>> compact_aggregates(np.array([7, 3, 7, 0]))
    (array([2, 1, 2, 0], dtype=int32), 3)
    """
    agg = np.asarray(aggregates).reshape(-1)
    if agg.size == 0:
        return np.zeros(0, np.int32), 0
    lo, hi = int(agg.min()), int(agg.max())
    if lo >= 0 and hi < 4 * agg.size + 1024:
        present = np.zeros(hi + 1, bool)
        present[agg] = True
        rank = np.cumsum(present, dtype=np.int32)
        rank -= 1
        return rank[agg], int(rank[-1]) + 1
    _u, inverse = np.unique(agg, return_inverse=True)
    return inverse.reshape(-1).astype(np.int32), int(_u.size)


def galerkin_level(
    a: sparse.csr_matrix,
    aggregates: np.ndarray,
    *,
    omega: float = 2.0 / 3.0,
    local: bool = False,
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """The smoothed prolongator ``P = (I - ω D⁻¹ A) T`` and the coarse matrix ``Pᵀ A P`` (CSR).

    ``D`` is the diagonal of ``A`` or, with ``local``, its absolute row sums
    ``Σ_j |a_ij|`` (pyamg's "local" weighting). ``T`` is the aggregation
    (``T[i, K] = 1`` when unknown ``i`` is in aggregate ``K``, aggregates
    numbered as :func:`compact_aggregates`); ``A`` symmetric CSR without
    duplicate entries. Built by compiled kernels with int32
    indices: the memory is that of ``P`` and ``Pᵀ A P`` themselves, plus two
    int32 numbers per unknown while building. ``P`` equals scipy's
    ``T - (D⁻¹ ω) (A T)`` (zeros eliminated) to the last bit, ``Pᵀ A P`` its
    ``Pᵀ (A P)`` to rounding (it is summed as ``(Pᵀ A) P``).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> a = sparse.csr_matrix(np.array([[2.0, -1, 0], [-1, 2, -1], [0, -1, 2]]))
    >>> p, c = galerkin_level(a, np.array([0, 0, 1]))
    >>> p.toarray().round(4)
    array([[0.6667, 0.    ],
           [0.6667, 0.3333],
           [0.3333, 0.3333]])
    >>> bool(np.allclose(c.toarray(), p.T @ a.toarray() @ p.toarray()))
    True
    """
    k = kernels_amg()
    n = a.shape[0]
    agg, n_agg = compact_aggregates(aggregates)
    a_indptr, a_indices = unsigned(a.indptr), unsigned(a.indices)
    idx = np.int32 if a.nnz < np.iinfo(np.int32).max else np.int64
    p_indptr = np.empty(n + 1, idx)
    k.prolongator_rows(a_indptr, a_indices, a.data, agg, omega, local, unsigned(p_indptr))
    nnz = int(p_indptr[-1])
    p_indices = np.empty(nnz, np.int32)
    p_data = np.empty(nnz, np.float64)
    k.prolongator_fill(
        a_indptr, a_indices, a.data, agg, omega, local, unsigned(p_indptr), p_indices, p_data
    )
    p = sparse.csr_matrix((p_data, p_indices, p_indptr), shape=(n, n_agg))
    p.has_sorted_indices = True
    members_ptr = np.zeros(n_agg + 1, np.int64)
    np.cumsum(np.bincount(agg, minlength=n_agg), out=members_ptr[1:])
    members = k.group_members(agg, members_ptr)
    del agg
    c_indptr, c_indices, c_data = k.galerkin(
        a_indptr,
        a_indices,
        a.data,
        unsigned(p.indptr),
        unsigned(p.indices),
        p.data,
        members_ptr,
        unsigned(members),
    )
    coarse = sparse.csr_matrix((c_data, c_indices, c_indptr), shape=(n_agg, n_agg))
    coarse.has_sorted_indices = True
    return p, coarse


class NotConvergedError(Exception):
    """A solve above ``tol``; :func:`make_solver` turns it into a ``ConvergenceError``."""

    def __init__(self, residual: float, tol: float, kind: str, n: int, max_iterations: int) -> None:
        self.residual, self.tol, self.kind, self.n = residual, tol, kind, n
        self.max_iterations = max_iterations
        super().__init__(residual)

    def message(self) -> str:
        """What was solved, the residual against the tolerance, and what to do."""
        if self.kind == "amg":
            how = (
                f"conjugate gradients with an AMG preconditioner stopped after at most "
                f"{self.max_iterations} iterations"
            )
            fix = (
                "Raise max_iterations, use solver='direct' (a factorisation; memory grows "
                "with the cells), or reduce the contrast of the resistance surface (values "
                "spanning more than about 1e6 stall iterative solvers)."
            )
        else:
            how = "the sparse factorisation (with one refinement step)"
            fix = "Reduce the contrast of the resistance surface, or loosen tol."
        return (
            f"The circuit solve did not converge: {how} left a relative residual "
            f"||b - Ax|| / ||b|| = {self.residual:.3g} above the tolerance tol={self.tol:g} "
            f"({self.n:,} unknowns). No current map or resistance is returned rather than "
            f"untrusted numbers. {fix}"
        )


def make_solver(
    a: sparse.csr_matrix,
    solver: str,
    tol: float,
    max_iterations: int,
    aggregates: np.ndarray | None = None,
    n_rhs: int = 1,
) -> Callable[[np.ndarray], tuple[np.ndarray, Solver]]:
    """A function solving columns of right-hand sides, with the fallback of ``solver="auto"``."""
    n = a.shape[0]
    kind = solver
    if solver == "auto":
        many = n_rhs >= MANY_RIGHT_HAND_SIDES and n <= DIRECT_MANY_MAX_CELLS
        kind = "direct" if n <= DIRECT_MAX_CELLS or many else "amg"
    state = {"solver": Solver(a, kind, tol, max_iterations, aggregates)}

    def run(b: np.ndarray) -> tuple[np.ndarray, Solver]:
        current = state["solver"]
        try:
            return current.solve(b), current
        except NotConvergedError as exc:
            if solver == "auto" and current.kind == "amg" and n <= FALLBACK_MAX_CELLS:
                warnings.warn(
                    f"The AMG-preconditioned CG solve stalled (relative residual "
                    f"{exc.residual:.3g} > tol={tol:g}, {n:,} unknowns): solved again with the "
                    "sparse factorisation.",
                    DataQualityWarning,
                    stacklevel=5,
                )
                replacement = Solver(a, "direct", tol, max_iterations)
                replacement.max_residual = current.max_residual
                replacement.n_solves = current.n_solves
                state["solver"] = replacement
                try:
                    return replacement.solve(b), replacement
                except NotConvergedError as exc2:
                    raise ConvergenceError(exc2.message()) from None
            raise ConvergenceError(exc.message()) from None

    return run


def grid_index(domain: np.ndarray) -> tuple[np.ndarray, int]:
    """Unknown numbers in raster order on ``domain`` cells, ``-1`` elsewhere.

    int32 (4 bytes a cell) below 2³¹ cells, int64 above.

    Examples
    --------
    >>> import numpy as np
    >>> index, n = grid_index(np.array([[True, False], [True, True]]))
    >>> index, n
    (array([[ 0, -1],
           [ 1,  2]], dtype=int32), 3)
    """
    dtype = np.int32 if domain.size < np.iinfo(np.int32).max else np.int64
    index = np.full(domain.shape, OUTSIDE, dtype=dtype)
    n = int(np.count_nonzero(domain))
    index[domain] = np.arange(n, dtype=dtype)
    return index, n


def block_aggregates(index: np.ndarray) -> np.ndarray:
    """3 × 3 blocks of cells, one number per unknown (in the unknowns' raster order).

    Block number ``(row // 3) * ceil(n_cols / 3) + col // 3``; int32 below 2³¹
    cells.

    Examples
    --------
    >>> import numpy as np
    >>> index, _n = grid_index(np.ones((4, 4), bool))
    >>> block_aggregates(index).reshape(4, 4)
    array([[0, 0, 0, 1],
           [0, 0, 0, 1],
           [0, 0, 0, 1],
           [2, 2, 2, 3]], dtype=int32)
    """
    n_rows, n_cols = index.shape
    dtype = np.int32 if index.size < np.iinfo(np.int32).max else np.int64
    inside = index >= 0
    rows = (np.arange(n_rows, dtype=dtype) // 3) * ((n_cols + 2) // 3)
    cols = np.arange(n_cols, dtype=dtype) // 3
    out = np.empty(int(np.count_nonzero(inside)), dtype)
    start = 0
    for r in range(n_rows):  # row by row: no cell-sized temporaries
        row = inside[r]
        stop = start + int(np.count_nonzero(row))
        out[start:stop] = rows[r] + cols[row]
        start = stop
    return out


def laplacian_matrix(
    cond: np.ndarray, index: np.ndarray, n: int, eight: bool, avg_res: bool
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The reduced Laplacian (CSR, SPD) of the cells with ``index >= 0`` and its right-hand side.

    The right-hand side holds each unknown's conductance to cells held at the
    high voltage (code ``-3``), see :func:`habitat.corridors.circuit_kernels.laplacian`.
    """
    indptr, indices, data, rhs = kernels().laplacian(cond, index, eight, avg_res, n)
    a = sparse.csr_matrix((data, indices, indptr), shape=(n, n))
    a.has_sorted_indices = True
    if not rhs.any():  # no cell held at the high voltage: untouched zero pages cost no memory
        rhs = np.zeros(n)
    return a, rhs

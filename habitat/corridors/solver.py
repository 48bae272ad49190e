"""Sparse solvers of the circuit Laplacian (:mod:`habitat.corridors.circuit`).

The grid's unknowns (:func:`grid_index`), the reduced Laplacian assembled by
the compiled kernels (:func:`laplacian_matrix`), and the two ways to solve it
for many right-hand sides: a sparse factorisation (SuperLU, symmetric mode) or
conjugate gradients preconditioned by a smoothed-aggregation multigrid cycle
whose first level comes from the grid's 3 x 3 blocks (:class:`AMGPreconditioner`).
:func:`make_solver` picks between them (``solver="auto"``) and retries a stalled
AMG solve with the factorisation. See :mod:`habitat.corridors.circuit` for the
definitions and conventions.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse
from scipy.sparse import linalg as splinalg

from habitat.core.errors import ConvergenceError, DataQualityWarning

if TYPE_CHECKING:  # pragma: no cover
    from types import ModuleType

__all__ = [
    "DIRECT_MANY_MAX_CELLS",
    "DIRECT_MAX_CELLS",
    "FALLBACK_MAX_CELLS",
    "MANY_RIGHT_HAND_SIDES",
    "OUTSIDE",
    "AMGPreconditioner",
    "NotConvergedError",
    "Solver",
    "block_aggregates",
    "grid_index",
    "kernels",
    "laplacian_matrix",
    "make_solver",
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


def kernels() -> ModuleType:
    """The compiled kernels, imported on first use (numba is not loaded by ``import habitat``)."""
    from habitat.corridors import circuit_kernels

    return circuit_kernels


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
            self._precond = AMGPreconditioner(a, aggregates)

    def _factorise(self) -> None:
        self._lu = splinalg.splu(
            self.a.tocsc(),
            permc_spec="MMD_AT_PLUS_A",
            diag_pivot_thresh=0.0,
            options={"SymmetricMode": True},
        )

    def _residual(self, x: np.ndarray, b: np.ndarray) -> np.ndarray:
        norm_b = np.sqrt(np.einsum("ij,ij->j", b, b))
        norm_b[norm_b == 0] = 1.0
        r = b - self.a @ x
        out: np.ndarray = np.sqrt(np.einsum("ij,ij->j", r, r)) / norm_b
        return out

    def _pcg(self, b: np.ndarray) -> np.ndarray:
        """Preconditioned conjugate gradients from zero, stopping at ``tol`` (relative).

        Dot products are numpy loops (``einsum``), not threaded BLAS calls, which
        spin for nothing on a busy two-core machine.
        """
        amg = self._precond
        x = np.zeros_like(b)
        r = b.copy()
        norm_b = float(np.sqrt(_dot(b, b)))
        if norm_b == 0.0:
            return x
        z = amg.apply(r)
        d = z.copy()
        rz = _dot(r, z)
        for _ in range(self.max_iterations):
            q = amg.a @ d
            alpha = rz / _dot(d, q)
            x += alpha * d
            r -= alpha * q
            if np.sqrt(_dot(r, r)) <= self.tol * norm_b:
                break
            z = amg.apply(r)
            rz_new = _dot(r, z)
            d *= rz_new / rz
            d += z
            rz = rz_new
        return x

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
            x = np.empty_like(b)
            for k in range(b.shape[1]):
                x[:, k] = self._pcg(np.ascontiguousarray(b[:, k]))
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

    Level 0 (the cells) is built here from the grid: aggregates of 3 × 3
    cells (``aggregates``, one number per unknown), the tentative
    prolongator ``T`` (piecewise constant, the Laplacian's near-null space),
    smoothed once by damped Jacobi, ``P = (I - ω D⁻¹ A) T`` with
    ``ω = 2/3`` (the spectral radius of ``D⁻¹ A`` is at most 2 for a
    diagonally dominant Laplacian, so no eigenvalue estimate is needed), and
    the Galerkin coarse matrix ``Pᵀ A P`` in CSR products. The coarser levels
    are pyamg's smoothed aggregation of that matrix. Smoothing: one forward
    Gauss-Seidel sweep before, one backward after (a symmetric cycle, as CG
    needs). Without ``aggregates``, pyamg builds every level.
    """

    def __init__(self, a: sparse.csr_matrix, aggregates: np.ndarray | None) -> None:
        import pyamg

        self._core = pyamg.amg_core
        options: dict[str, Any] = {
            "symmetry": "hermitian",
            "strength": ("symmetric", {"theta": 0.0}),
            "smooth": ("jacobi", {"omega": 4.0 / 3.0, "weighting": "local"}),
            "improve_candidates": None,
            "presmoother": ("gauss_seidel", {"sweep": "forward"}),
            "postsmoother": ("gauss_seidel", {"sweep": "backward"}),
            "max_coarse": 500,
            "coarse_solver": "splu",
            "keep": False,
        }
        n = a.shape[0]
        self.a = a
        self.p: sparse.csr_matrix | None = None
        self.r: sparse.csr_matrix | None = None
        coarse = a
        if aggregates is not None and n > 1000:
            _u, agg = np.unique(aggregates, return_inverse=True)
            n_agg = int(agg.max()) + 1
            t = sparse.csr_matrix(
                (np.ones(n), agg.astype(np.int64), np.arange(n + 1)), shape=(n, n_agg)
            )
            d_inv = 1.0 / a.diagonal()
            at = (a @ t).tocsr()
            at = sparse.csr_matrix(sparse.diags(d_inv * (2.0 / 3.0)) @ at)
            p = (t - at).tocsr()
            p.eliminate_zeros()
            r = p.T.tocsr()
            coarse = (r @ (a @ p)).tocsr()
            coarse.sum_duplicates()
            self.p, self.r = p, r
        self.ml = pyamg.smoothed_aggregation_solver(coarse, **options)

    def _gs(self, a: sparse.csr_matrix, x: np.ndarray, b: np.ndarray, forward: bool) -> None:
        n = a.shape[0]
        start, stop, step = (0, n, 1) if forward else (n - 1, -1, -1)
        self._core.gauss_seidel(a.indptr, a.indices, a.data, x, b, start, stop, step)

    def _cycle(self, level: int, b: np.ndarray) -> np.ndarray:
        levels = self.ml.levels
        lvl = levels[level]
        if level == len(levels) - 1:
            out: np.ndarray = np.asarray(self.ml.coarse_solver(lvl.A, b)).reshape(-1)
            return out
        x = np.zeros_like(b)
        self._gs(lvl.A, x, b, True)
        x += lvl.P @ self._cycle(level + 1, lvl.R @ (b - lvl.A @ x))
        self._gs(lvl.A, x, b, False)
        return x

    def apply(self, b: np.ndarray) -> np.ndarray:
        """One V-cycle from zero for ``A x = b``."""
        b = np.ascontiguousarray(b, dtype=np.float64).reshape(-1)
        if self.p is None or self.r is None:
            return self._cycle(0, b)
        x = np.zeros_like(b)
        self._gs(self.a, x, b, True)
        x += self.p @ self._cycle(0, self.r @ (b - self.a @ x))
        self._gs(self.a, x, b, False)
        return x

    def as_operator(self) -> splinalg.LinearOperator:
        """The V-cycle as a scipy ``LinearOperator`` (for scipy's Krylov solvers)."""
        return splinalg.LinearOperator(self.a.shape, matvec=self.apply, dtype=np.float64)


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
    """Unknown numbers in raster order on ``domain`` cells, ``-1`` elsewhere."""
    index = np.full(domain.shape, OUTSIDE, dtype=np.int64)
    n = int(np.count_nonzero(domain))
    index[domain] = np.arange(n, dtype=np.int64)
    return index, n


def block_aggregates(index: np.ndarray) -> np.ndarray:
    """3 × 3 blocks of cells, one number per unknown (in the unknowns' raster order)."""
    n_cols = index.shape[1]
    rows, cols = np.divmod(np.flatnonzero(index.reshape(-1) >= 0), n_cols)
    out: np.ndarray = (rows // 3) * ((n_cols + 2) // 3) + cols // 3
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
    return a, rhs

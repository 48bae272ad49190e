"""Tests of habitat.corridors.solver (the circuit's sparse solvers).

Oracles: scipy's sparse products for the smoothed prolongator and the Galerkin
coarse matrix (the definitions ``P = T - ω D⁻¹ A T`` and ``Pᵀ A P`` written
out with scipy), pyamg's own Jacobi prolongation smoother for the "local"
weighting of the coarser levels, ``np.unique`` for the aggregate numbering and
``scipy.sparse.linalg.spsolve`` for the solutions.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage, sparse
from scipy.sparse import linalg as splinalg

from habitat.core.errors import TooLargeError
from habitat.corridors import solver as solver_module
from habitat.corridors.solver import (
    AMGPreconditioner,
    Solver,
    block_aggregates,
    check_memory,
    compact_aggregates,
    galerkin_level,
    grid_index,
    laplacian_matrix,
    make_solver,
)

GROUND, HIGH = -2, -3


def _grid(
    shape: tuple[int, int], eight: bool, seed: int = 0, holes: float = 0.1
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Reduced Laplacian of a lognormal surface with nodata holes, a ground and a 1 V cell."""
    rng = np.random.default_rng(seed)
    cond = np.exp(rng.normal(0.0, 1.0, shape))
    domain = rng.random(shape) >= holes
    domain[0, :] = domain[:, -1] = True  # the ground (0, 0) reaches the 1 V cell (-1, -1)
    structure = np.ones((3, 3), bool) if eight else ndimage.generate_binary_structure(2, 1)
    labels, _count = ndimage.label(domain, structure=structure)
    domain = labels == labels[0, 0]  # one connected circuit, as current_flow solves
    index, _n = grid_index(domain)
    flat = index.reshape(-1)
    flat[0] = GROUND
    flat[-1] = HIGH
    inside = flat >= 0
    flat[inside] = np.arange(int(inside.sum()), dtype=flat.dtype)
    n = int(inside.sum())
    a, rhs = laplacian_matrix(cond, index, n, eight, False)
    return a, rhs, index


def _scipy_level(
    a: sparse.csr_matrix, aggregates: np.ndarray
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """``P = T - (ω D⁻¹)(A T)`` and ``Pᵀ (A P)`` in scipy products (the former implementation)."""
    n = a.shape[0]
    _u, agg = np.unique(aggregates, return_inverse=True)
    n_agg = int(agg.max()) + 1
    t = sparse.csr_matrix((np.ones(n), agg.astype(np.int64), np.arange(n + 1)), shape=(n, n_agg))
    at = (a @ t).tocsr()
    at = sparse.csr_matrix(sparse.diags((1.0 / a.diagonal()) * (2.0 / 3.0)) @ at)
    p = (t - at).tocsr()
    p.eliminate_zeros()
    p.sort_indices()
    coarse = (p.T.tocsr() @ (a @ p)).tocsr()
    coarse.sum_duplicates()
    coarse.sort_indices()
    return p, coarse


def test_index_and_matrix_dtypes_are_int32() -> None:
    a, _rhs, index = _grid((30, 40), eight=True)
    assert index.dtype == np.int32
    assert a.indices.dtype == np.int32
    assert a.indptr.dtype == np.int32
    assert block_aggregates(index).dtype == np.int32
    p, coarse = galerkin_level(a, block_aggregates(index))
    for m in (p, coarse):
        assert m.indices.dtype == np.int32
        assert m.indptr.dtype == np.int32


def test_block_aggregates_are_the_3x3_blocks() -> None:
    _a, _rhs, index = _grid((17, 23), eight=True)
    rows, cols = np.divmod(np.flatnonzero(index.reshape(-1) >= 0), 23)
    expected = (rows // 3) * 8 + cols // 3
    np.testing.assert_array_equal(block_aggregates(index), expected)


def test_compact_aggregates_equal_np_unique() -> None:
    rng = np.random.default_rng(3)
    for values in (rng.integers(0, 50, 200), rng.integers(-5, 10**9, 200), np.array([4])):
        agg, n_agg = compact_aggregates(values)
        _u, inverse = np.unique(values, return_inverse=True)
        np.testing.assert_array_equal(agg, inverse)
        assert n_agg == _u.size


@pytest.mark.parametrize("eight", [False, True])
@pytest.mark.parametrize("shape", [(9, 9), (40, 31)])
def test_kernel_level_equals_scipy_products(eight: bool, shape: tuple[int, int]) -> None:
    a, rhs, index = _grid(shape, eight=eight, holes=0.15)
    assert rhs.any()  # the 1 V cell is there: Dirichlet rows are in the matrix
    aggregates = block_aggregates(index)
    p, coarse = galerkin_level(a, aggregates)
    p_ref, coarse_ref = _scipy_level(a, aggregates)
    # P: the same sums in the same order, so the same bits
    np.testing.assert_array_equal(p.indptr, p_ref.indptr)
    np.testing.assert_array_equal(p.indices, p_ref.indices)
    np.testing.assert_array_equal(p.data, p_ref.data)
    # P^T A P: (P^T A) P here, P^T (A P) in scipy: rounding apart
    np.testing.assert_array_equal(coarse.indptr, coarse_ref.indptr)
    np.testing.assert_array_equal(coarse.indices, coarse_ref.indices)
    np.testing.assert_allclose(coarse.data, coarse_ref.data, rtol=1e-12, atol=1e-14)
    # the coarse matrix of a symmetric matrix is symmetric
    assert abs(coarse - coarse.T).max() <= 1e-12 * abs(coarse).max()


def test_local_weighting_equals_pyamg_jacobi_smoother() -> None:
    """The coarser levels' prolongator is pyamg's, up to pyamg's column scaling of T."""
    from pyamg.aggregation.aggregate import standard_aggregation
    from pyamg.aggregation.smooth import jacobi_prolongation_smoother
    from pyamg.aggregation.tentative import fit_candidates

    a, _rhs, _index = _grid((30, 30), eight=True)
    agg_op, _cpts = standard_aggregation(sparse.csr_array(a))
    aggregates = agg_op.indices
    t, _coarse_b = fit_candidates(agg_op, np.ones((a.shape[0], 1)))
    p_pyamg = jacobi_prolongation_smoother(
        sparse.csr_array(a), t, sparse.csr_array(a), np.ones((a.shape[0], 1)),
        omega=4.0 / 3.0, weighting="local",
    )  # fmt: skip
    p, coarse = galerkin_level(a, aggregates, omega=4.0 / 3.0, local=True)
    scale = np.sqrt(np.bincount(aggregates))  # pyamg's T columns have norm 1
    np.testing.assert_allclose(
        p.toarray(), p_pyamg.toarray() * scale[None, :], rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(coarse.toarray(), (p.T @ a @ p).toarray(), rtol=1e-12, atol=1e-12)


def _rhs_pair(a: sparse.csr_matrix, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    b = np.zeros((a.shape[0], 2))
    b[rng.integers(0, a.shape[0]), 0] = 1.0
    b[:, 1] = rng.random(a.shape[0])
    return b


def test_amg_cg_equals_spsolve() -> None:
    a, _rhs, index = _grid((60, 50), eight=True)
    assert a.shape[0] > 1000  # the grid's block level is used
    b = _rhs_pair(a, 1)
    solver = Solver(a, "amg", 1e-10, 500, block_aggregates(index))
    assert solver._precond.p is not None
    x = solver.solve(b)
    ref = splinalg.spsolve(a.tocsc(), b)
    assert solver.max_residual <= 1e-10
    for k in range(2):
        assert np.linalg.norm(x[:, k] - ref[:, k]) <= 1e-7 * np.linalg.norm(ref[:, k])


def test_amg_without_aggregates_and_small_systems() -> None:
    for shape in ((60, 50), (12, 12)):
        a, _rhs, _index = _grid(shape, eight=False)
        b = _rhs_pair(a, 2)
        x = Solver(a, "amg", 1e-10, 500).solve(b)
        ref = splinalg.spsolve(a.tocsc(), b)
        np.testing.assert_allclose(x, ref, rtol=1e-6, atol=1e-9 * np.abs(ref).max())


def test_direct_equals_spsolve() -> None:
    a, _rhs, _index = _grid((40, 40), eight=True)
    b = _rhs_pair(a, 4)
    x = Solver(a, "direct", 1e-10, 10).solve(b)
    np.testing.assert_allclose(x, splinalg.spsolve(a.tocsc(), b), rtol=1e-9)


def test_apply_into_out_equals_a_new_vector() -> None:
    a, _rhs, index = _grid((50, 50), eight=True)
    amg = AMGPreconditioner(a, block_aggregates(index))
    r = np.random.default_rng(5).random(a.shape[0])
    out = np.full(a.shape[0], np.nan)
    got = amg.apply(r, out=out)
    assert got is out
    np.testing.assert_array_equal(out, amg.apply(r))
    # a symmetric cycle: the preconditioner is a symmetric operator
    s = np.random.default_rng(6).random(a.shape[0])
    assert abs(s @ amg.apply(r) - r @ amg.apply(s)) <= 1e-10 * abs(s @ amg.apply(r))
    # the restriction is P's transpose, a view
    assert amg.p is not None and amg.r is not None
    assert amg.r.shape == amg.p.T.shape


def test_memory_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    check_memory(10**6, 100.0, "a test")  # 100 MB: fits here
    monkeypatch.setattr(solver_module, "available_memory_bytes", lambda: 50 * 10**6)
    with pytest.raises(TooLargeError, match=r"1,000,000 unknown cells.*Coarsen"):
        check_memory(10**6, 100.0, "the AMG hierarchy")
    a, _rhs, index = _grid((60, 50), eight=True)
    monkeypatch.setattr(solver_module, "available_memory_bytes", lambda: 1000)
    with pytest.raises(TooLargeError, match="cells"):
        make_solver(a, "amg", 1e-6, 100, block_aggregates(index))
    # the factorisation is not guarded
    make_solver(a, "direct", 1e-6, 100)
    monkeypatch.setattr(solver_module, "available_memory_bytes", lambda: None)
    check_memory(10**12, 100.0, "unknown memory: no check")

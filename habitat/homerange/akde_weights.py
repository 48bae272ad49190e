r"""Optimal AKDE weights for irregular and gappy sampling (Fleming et al. 2018).

For a bandwidth factor :math:`h`, the weights minimise the MISE of the
weighted AKDE against the Gaussian reference function under the movement
model (:mod:`habitat.homerange.akde`), i.e. the quadratic form

.. math::

    \min_{w \ge 0,\ \sum w = 1} w^\top G w, \qquad
    G_{ij} = \frac{1}{2\,(g(|t_i - t_j|) + h^2)},

with :math:`g = 1 - \rho` the model's standardised semivariance (Fleming et al.
2018, the MISE of their weighted estimator; ctmm ``bandwidth(weights=TRUE)``,
which solves it with its own projected conjugate-gradient QP, ``PQP.solve``).
Fixes crowded in time (a burst, a fast schedule) share weight; fixes
isolated by gaps gain it.

The simplex constraint is removed by scaling: if :math:`z \ge 0` minimises
:math:`\tfrac12 z^\top G z - \mathbf 1^\top z`, then :math:`w = z / \sum z` solves the
problem above (the Karush-Kuhn-Tucker conditions of the two coincide, with
multiplier :math:`1/\sum z`) and :math:`w^\top G w = 1 / \sum z`. The
bound-constrained problem is solved by :func:`nonnegative_quadratic`, an
active-set method on the free variables (scipy's NNLS as the fallback).

**Fast approximation** (:func:`fast_optimal_weights`, for many fixes): the
fixes are grouped into runs of one time-grid step (ctmm's step of
``bandwidth(fast=TRUE)``, coarsened to at most :data:`MAX_NODES` occupied
steps); the fixes of a run share its weight equally, the run's own block of
:math:`G` is averaged exactly over its pairs, and two runs interact through
the lag between their mean times. The reduced problem (one unknown per run)
is then solved exactly as above. The approximation is the equal sharing
within a run, good when a step is short against the position timescale.

References
----------
Fleming, C. H. et al. (2018). Correcting for missing and irregular data in
home-range estimation. *Ecological Applications* 28(4), 1003-1010.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import scipy.linalg
from scipy.optimize import minimize_scalar, nnls

__all__ = ["MAX_NODES", "fast_optimal_weights", "nonnegative_quadratic", "simplex_weights"]

#: Most runs (weight groups) of the fast optimal weights.
MAX_NODES = 1000


def _solve(G: np.ndarray, free: np.ndarray) -> np.ndarray:
    sub = G[np.ix_(free, free)]
    try:
        c = scipy.linalg.cho_factor(sub, check_finite=False)
        return np.asarray(scipy.linalg.cho_solve(c, np.ones(len(free)), check_finite=False))
    except np.linalg.LinAlgError:
        return np.asarray(scipy.linalg.lstsq(sub, np.ones(len(free)))[0])


def nonnegative_quadratic(
    G: np.ndarray, *, free: np.ndarray | None = None, max_iter: int = 200
) -> np.ndarray:
    r""":math:`\arg\min_{z \ge 0} \tfrac12 z^\top G z - \mathbf 1^\top z` for a positive-definite G.

    Active set: solve :math:`G_{FF} z_F = \mathbf 1` on the free set :math:`F`,
    move the free variables that come out non-positive to the bound, and free
    again the bound variables whose gradient :math:`(Gz - \mathbf 1)_i` is
    negative (the most negative first), until the KKT conditions hold;
    scipy's Lawson-Hanson NNLS on the Cholesky factor if that does not settle.
    ``free`` (boolean, updated in place) starts from a previous solution's
    free set, e.g. at a neighbouring bandwidth.

    Examples
    --------
    Two nearly identical fixes and an independent one: the pair shares the
    weight of about one fix.

    >>> G = np.array([[1.0, 0.99, 0.1], [0.99, 1.0, 0.1], [0.1, 0.1, 1.0]])
    >>> z = nonnegative_quadratic(G)
    >>> (z / z.sum()).round(3).tolist()
    [0.251, 0.251, 0.499]
    """
    n = len(G)
    if free is None or len(free) != n:
        free = np.ones(n, dtype=bool)
    z = np.zeros(n)
    for _ in range(max_iter):
        idx = np.flatnonzero(free)
        sol = _solve(G, idx) if len(idx) else np.zeros(0)
        if (sol <= 0).any():
            free[idx[sol <= 0]] = False
            continue
        z = np.zeros(n)
        z[idx] = sol
        grad = G @ z - 1.0
        bound = np.flatnonzero(~free)
        if not len(bound):
            return z
        worst = bound[np.argmin(grad[bound])]
        if grad[worst] >= -1e-10 * max(1.0, float(np.abs(grad).max())):
            return z
        free[worst] = True
    lower = np.linalg.cholesky(G)
    b = scipy.linalg.solve_triangular(lower, np.ones(n), lower=True)
    return np.asarray(nnls(lower.T, b, maxiter=50 * n)[0])


def simplex_weights(G: np.ndarray, *, free: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    r"""Weights :math:`w \ge 0`, :math:`\sum w = 1` minimising :math:`w^\top G w`, and that minimum.

    Examples
    --------
    Equal weights for exchangeable fixes: the minimum is the mean of ``G``.

    >>> G = np.full((4, 4), 0.2) + np.eye(4) * 0.8
    >>> w, q = simplex_weights(G)
    >>> w.tolist(), round(q, 6)
    ([0.25, 0.25, 0.25, 0.25], 0.4)
    """
    z = nonnegative_quadratic(G, free=free)
    s = float(z.sum())
    w = z / s
    return w, float(w @ G @ w)


def fast_optimal_weights(
    times_s: np.ndarray,
    acf: Callable[[np.ndarray], np.ndarray],
    h_bounds: tuple[float, float],
    step_s: float,
    *,
    max_nodes: int = MAX_NODES,
) -> tuple[float, np.ndarray, float, float]:
    r"""Optimal bandwidth factor and weights with equal weights within runs (see above).

    Parameters
    ----------
    times_s : numpy.ndarray, shape (n,)
        Fix times (s).
    acf : callable
        The model's position autocorrelation at lags (s).
    h_bounds : (float, float)
        Search range of :math:`h`.
    step_s : float
        Time grid step (s), coarsened to at most ``max_nodes`` occupied steps.
    max_nodes : int
        Most runs.

    Returns
    -------
    h : float
        The MISE-optimal bandwidth factor.
    weights : numpy.ndarray, shape (n,)
        Per fix, in the order given, summing to 1.
    rho_bar : float
        :math:`\sum_{ij} w_i w_j \rho_{ij}` (run blocks exact, cross terms by mean times).
    mise : float
        The standardised MISE at the optimum (times :math:`2\pi\sqrt{|\Sigma|}`).

    Examples
    --------
    Hourly fixes and a burst of 60 fixes a minute apart, OU with a 1-day
    timescale: the burst's 60 fixes together weigh less than two hours' fixes.

    >>> t = np.sort(np.r_[np.arange(300) * 3600.0, 150.2 * 3600 + np.arange(60) * 60.0])
    >>> h, w, rho_bar, mise = fast_optimal_weights(
    ...     t, lambda lag: np.exp(-np.abs(lag) / 86400.0), (0.2, 1.4), 3600.0)
    >>> burst = (t > 150.1 * 3600) & (t < 151.2 * 3600)
    >>> round(float(w[burst].sum() / w[~burst].mean()), 1)
    1.7
    """
    t = np.asarray(times_s, dtype=float)
    t0 = float(t.min())
    span = float(t.max()) - t0
    step = max(float(step_s), span / max(max_nodes - 1, 1), 1e-300)
    idx = np.floor((t - t0) / step).astype(np.int64)
    _, inverse, counts = np.unique(idx, return_inverse=True, return_counts=True)
    k = len(counts)
    centre = np.bincount(inverse, weights=t, minlength=k) / counts
    # each run's own pair lags (all ordered pairs, itself included)
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)])
    own_lags = [
        np.abs(t[order[starts[j] : starts[j + 1]]][:, None] - t[order[starts[j] : starts[j + 1]]])
        for j in range(k)
    ]
    own_g = [1.0 - np.asarray(acf(lag), dtype=float) for lag in own_lags]
    for j, lag in enumerate(own_lags):
        own_g[j][lag == 0] = 0.0
    cross_lag = np.abs(centre[:, None] - centre[None, :])
    rho_cross = np.asarray(acf(cross_lag), dtype=float)
    g_cross = 1.0 - rho_cross
    found: dict[float, np.ndarray] = {}

    def reduced(h: float) -> np.ndarray:
        G = 0.5 / (g_cross + h * h)
        G[np.diag_indices(k)] = [float(np.mean(0.5 / (g + h * h))) for g in own_g]
        return G

    free = np.ones(k, dtype=bool)

    def mise(h: float) -> float:
        w_run, quad = simplex_weights(reduced(h), free=free)
        found[h] = w_run
        return quad - 2.0 / (2.0 + h * h) + 0.5

    lo, hi = h_bounds
    res = minimize_scalar(
        lambda lh: mise(math.exp(lh)),
        bounds=(math.log(lo), math.log(hi)),
        method="bounded",
        options={"xatol": 1e-7},
    )
    h = float(math.exp(res.x))
    value = mise(h)
    w_run = found[h]
    R = rho_cross.copy()
    R[np.diag_indices(k)] = [float(np.mean(1.0 - g)) for g in own_g]
    weights = w_run[inverse] / counts[inverse]
    return h, weights, float(w_run @ R @ w_run), value

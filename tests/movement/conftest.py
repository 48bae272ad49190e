"""Exact simulation of OU / OUF tracks for the movement-model tests."""

from __future__ import annotations

import numpy as np


def simulate_track(
    times_s: np.ndarray,
    *,
    sigma_m2: np.ndarray,
    tau_position_s: float,
    tau_velocity_s: float = 0.0,
    mean_m: tuple[float, float] = (0.0, 0.0),
    seed: int = 0,
) -> np.ndarray:
    """Positions (n, 2) of a stationary OU (``tau_velocity_s == 0``) or OUF process.

    Exact state-space transitions (the AR(1) recursion for OU; the OUF
    position-velocity propagator G and Q = P - G P G' per step), started from
    the stationary distribution; axes are independent unit processes coloured
    by the Cholesky factor of ``sigma_m2``.
    """
    rng = np.random.default_rng(seed)
    t = np.asarray(times_s, dtype=float)
    n = t.size
    unit = np.zeros((n, 2))
    tp, tv = float(tau_position_s), float(tau_velocity_s)
    for a in range(2):
        if tv == 0.0:
            x = np.empty(n)
            x[0] = rng.normal()
            for i in range(1, n):
                g = np.exp(-(t[i] - t[i - 1]) / tp)
                x[i] = g * x[i - 1] + np.sqrt(1.0 - g * g) * rng.normal()
        else:
            p_stat = np.diag([1.0, 1.0 / (tp * tv)])
            state = np.sqrt(np.diag(p_stat)) * rng.normal(size=2)
            x = np.empty(n)
            x[0] = state[0]
            for i in range(1, n):
                dt = t[i] - t[i - 1]
                e1, e2 = np.exp(-dt / tp), np.exp(-dt / tv)
                g = np.array(
                    [
                        [(tp * e1 - tv * e2) / (tp - tv), tp * tv * (e1 - e2) / (tp - tv)],
                        [-(e1 - e2) / (tp - tv), (tp * e2 - tv * e1) / (tp - tv)],
                    ]
                )
                q = p_stat - g @ p_stat @ g.T
                w, v = np.linalg.eigh(0.5 * (q + q.T))
                state = g @ state + v @ (np.sqrt(np.clip(w, 0.0, None)) * rng.normal(size=2))
                x[i] = state[0]
        unit[:, a] = x
    return unit @ np.linalg.cholesky(sigma_m2).T + np.asarray(mean_m)

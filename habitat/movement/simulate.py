r"""Tracks simulated from a fitted movement model at given times (ctmm's unconditional simulate).

Each axis of the model's covariance :math:`\Sigma = V \mathrm{diag}(\lambda) V^\top`
is an independent stationary process with the model's timescales (IID, OU or
OUF share them between axes, as in ctmm), simulated exactly at irregular times
by the transition of :mod:`habitat.movement.kalman_kernels`, scaled by
:math:`\sqrt{\lambda_k}`, rotated by :math:`V` and shifted to the mean. With
``error_m``, each position gets an independent normal error of that SD per
coordinate (as the fixes of a collar with that error).

Used by :mod:`habitat.homerange.akde_shape` (the parametric bootstrap of the
kernel density's shape) and for checks against known truth.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from habitat.core.errors import InputError
from habitat.movement.kalman_kernels import simulate_unit
from habitat.movement.model import MovementModel

__all__ = ["simulate_movement"]


def _times(times_s: Any) -> np.ndarray:
    t = np.asarray(times_s, dtype=float).ravel()
    if t.size == 0 or not np.all(np.isfinite(t)):
        raise InputError("simulate_movement: times_s must be finite seconds, at least one")
    if np.any(np.diff(t) < 0):
        raise InputError("simulate_movement: times_s must be sorted in increasing order")
    return t


def simulate_movement(
    model: MovementModel,
    times_s: Any,
    *,
    n_tracks: int = 1,
    error_m: Any = None,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    r"""Positions of ``n_tracks`` independent stationary tracks of ``model`` at ``times_s``.

    Parameters
    ----------
    model : MovementModel
        Fitted model (its mean, covariance :math:`\Sigma` in m² and timescales).
    times_s : array_like, shape (n,)
        Sorted times in seconds.
    n_tracks : int
        Number of independent tracks.
    error_m : float or array_like, optional
        Location-error SD per coordinate (m), one or per time; none by default.
    seed : int or numpy.random.Generator, optional
        Random seed or generator.

    Returns
    -------
    numpy.ndarray, shape (n_tracks, n, 2)
        Positions in metres, in the model's CRS.

    Examples
    --------
    An OU model with SD 1 km per axis and a one-day timescale: 2,000 tracks of
    two fixes a day apart have per-axis variance 1 km² and correlation
    :math:`e^{-1}` = 0.368 between the two fixes (to sampling error, about 0.006
    for 20,000 tracks):

    >>> ou = MovementModel.from_parameters("OU", sigma_m2=1e6, tau_position_s=86400.0)
    >>> xy = simulate_movement(ou, [0.0, 86400.0], n_tracks=20_000, seed=1)
    >>> xy.shape
    (20000, 2, 2)
    >>> r = np.corrcoef(xy[:, 0, 0], xy[:, 1, 0])[0, 1]
    >>> bool(abs(r - np.exp(-1.0)) < 0.02), bool(abs(xy.var() / 1e6 - 1.0) < 0.02)
    (True, True)
    """
    t = _times(times_s)
    if int(n_tracks) < 1:
        raise InputError(f"simulate_movement: n_tracks must be at least 1, got {n_tracks!r}")
    rng = np.random.default_rng(seed)
    lam, vec = np.linalg.eigh(np.asarray(model.sigma_m2, dtype=float))
    noise = rng.standard_normal((t.size, 2 * int(n_tracks), 2))
    unit = simulate_unit(t, float(model.tau_position_s), float(model.tau_velocity_s), noise)
    # columns: track k's two axes are 2k and 2k + 1
    axes = unit.reshape(t.size, int(n_tracks), 2) * np.sqrt(np.clip(lam, 0.0, None))
    xy = axes @ vec.T + np.asarray(model.mean_m, dtype=float)
    if error_m is not None:
        err = np.broadcast_to(np.asarray(error_m, dtype=float), t.shape)
        xy = xy + rng.standard_normal(xy.shape) * err[:, None, None]
    return np.ascontiguousarray(np.moveaxis(xy, 1, 0))

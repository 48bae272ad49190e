r"""Empirical variogram (semivariance against time lag) of irregularly timed fixes, as ctmm's.

The semivariance at lag :math:`\tau` is
:math:`\gamma(\tau) = \tfrac12 E|z(t+\tau) - z(t)|^2 / 2` (mean of the two
axes; Fleming et al. 2014), estimated as ctmm's default
``variogram(data, fast=TRUE, res=1, CI="Markov")`` (``variogram.R``,
``variogram.fast`` and ``gridder``):

1. fixes at repeated times are averaged;
2. each fix is spread linearly onto the two nearest nodes of a uniform time
   grid of step ``dt`` (default: the median sampling interval), with a gap weight
   :math:`w_i = (\min(1, \Delta t_{i-1}/dt) + \min(1, \Delta t_i/dt))/2`
   (1 at both ends) that keeps coarse gaps from being over-counted; node
   positions are weighted means and node weights are clamped to [0, 1]. The
   grid is aligned to multiples of ``dt`` from the time origin (ctmm's times
   are seconds since 1970, so pass epoch seconds to reproduce its bins);
3. for every lag :math:`k\,dt` the squared differences of all pairs of
   occupied nodes :math:`k` apart are averaged (``n_pairs`` pairs), by FFT;
4. degrees of freedom: the weighted pair count
   :math:`2\sum_j w_j w_{j+k}`, capped by ctmm's "Markov" count of
   non-overlapping lags :math:`2 (t_n - t_1)/\tau` (:math:`2n` at lag 0).

The fitted model's semivariance :math:`\bar\sigma(1 - \rho(\tau))` is added as
``model_semivariance_m2`` for overlay when a :class:`~habitat.movement.model.MovementModel`
is given.

References
----------
Fleming, C. H. et al. (2014). From fine-scale foraging to home ranges: a
semivariance approach to identifying movement modes across spatiotemporal
scales. *The American Naturalist* 183(5), E154-E167.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from habitat.core.errors import InputError, InsufficientDataError
from habitat.movement.model import MovementModel

__all__ = ["variogram"]


def _merge_repeats(t: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average the positions of fixes at the same time (ctmm, without error weights)."""
    unique, inverse, counts = np.unique(t, return_inverse=True, return_counts=True)
    if unique.size == t.size:
        return t, xy
    sums = np.zeros((unique.size, 2))
    np.add.at(sums, inverse, xy)
    return unique, sums / counts[:, None]


def _grid(t: np.ndarray, xy: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid the fixes as ctmm's ``gridder`` (res = 1): node weights, positions, lags."""
    gaps = np.clip(np.diff(t) / dt, 0.0, 1.0)
    w = (np.concatenate([[1.0], gaps]) + np.concatenate([gaps, [1.0]])) / 2.0
    index = t / dt
    index = index - np.round(index[0])
    while index[0] < 1.0:
        index = index + 1.0
    while index[0] >= 2.0:
        index = index - 1.0
    floor = np.floor(index).astype(np.int64)
    p = 1.0 - (index - floor)
    n_grid = int(np.ceil(index[-1])) + 2  # nodes 0 .. ceil(last) (+1 spare for the ceiling)
    weight = np.zeros(n_grid)
    z = np.zeros((n_grid, 2))
    np.add.at(weight, floor, p * w)
    np.add.at(z, floor, (p * w)[:, None] * xy)
    np.add.at(weight, floor + 1, (1.0 - p) * w)
    np.add.at(z, floor + 1, ((1.0 - p) * w)[:, None] * xy)
    pos = weight > 0
    z[pos] /= weight[pos][:, None]
    # ctmm indexes from 1 and its grid has ceiling(last index) + 1 nodes: drop node 0 (empty)
    weight, z = weight[1:], z[1:]
    n_lag = int(np.ceil(index[-1])) + 1
    weight, z = weight[:n_lag], z[:n_lag]
    return np.clip(weight, 0.0, 1.0), z, np.arange(n_lag) * dt


def _correlate(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """sum_j a_j b_{j+k} for k = 0 .. n-1 (linear, by FFT)."""
    size = 1 << int(np.ceil(np.log2(max(2 * n, 2))))
    fa = np.fft.rfft(a, size)
    fb = np.fft.rfft(b, size)
    return np.fft.irfft(np.conj(fa) * fb, size)[:n]


def variogram(
    times_s: Any,
    xy_m: Any,
    *,
    dt_s: float | None = None,
    model: MovementModel | None = None,
) -> pd.DataFrame:
    """Empirical semivariance of fixes against time lag (ctmm's ``variogram``).

    Parameters
    ----------
    times_s
        (n,) fix times, seconds (any origin; the lag grid is aligned to it).
    xy_m
        (n, 2) projected coordinates, metres.
    dt_s
        Lag bin width (s); default the median sampling interval (ctmm's ``dt``).
    model
        A fitted model whose semivariance is added as ``model_semivariance_m2``.

    Returns
    -------
    pandas.DataFrame
        ``lag_s``, ``semivariance_m2`` (mean of the two axes), ``dof`` (degrees
        of freedom of the estimate, for chi-square intervals), ``n_pairs``;
        lags without pairs are omitted; the first row is lag 0 (semivariance 0).

    Examples
    --------
    >>> t = np.arange(5) * 3600.0
    >>> xy = np.array([[0, 0], [2, 0], [0, 0], [2, 0], [0, 0]], dtype=float)
    >>> v = variogram(t, xy)
    >>> v[["lag_s", "semivariance_m2", "n_pairs"]].to_numpy().tolist()
    [[0.0, 0.0, 5.0], [3600.0, 1.0, 4.0], [7200.0, 0.0, 3.0],
     [10800.0, 1.0, 2.0], [14400.0, 0.0, 1.0]]
    """
    t = np.asarray(times_s, dtype=float)
    xy = np.asarray(xy_m, dtype=float)
    if t.ndim != 1 or xy.shape != (t.size, 2):
        raise InputError(f"need times_s (n,) and xy_m (n, 2); got {t.shape} and {xy.shape}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(xy))):
        raise InputError("times and coordinates must be finite; drop the incomplete fixes")
    order = np.argsort(t, kind="stable")
    t, xy = _merge_repeats(t[order], xy[order])
    if t.size < 2:
        raise InsufficientDataError(
            f"a variogram needs fixes at two or more distinct times, got {t.size}"
        )
    if dt_s is None:
        dt = float(np.median(np.diff(t)))
    else:
        dt = float(dt_s)
        if not np.isfinite(dt) or dt <= 0:
            raise InputError(f"dt_s must be a positive number of seconds, got {dt_s!r}")
    centre = xy.mean(axis=0)
    weight, z, lag = _grid(t, xy - centre, dt)
    n = lag.size
    occupied = np.sign(weight)
    pairs = np.round(_correlate(occupied, occupied, n))
    zz = (z**2).sum(axis=1)
    cross = _correlate(z[:, 0], z[:, 0], n) + _correlate(z[:, 1], z[:, 1], n)
    # 1/2 sum_j o_j o_{j+k} (zz_j + zz_{j+k}) - sum_j z_j z_{j+k}  (z = 0 off the data)
    sym = 0.5 * (_correlate(occupied, zz, n) + _correlate(zz, occupied, n))
    raw = sym - cross
    with np.errstate(invalid="ignore", divide="ignore"):
        svf = np.where(pairs > 0, raw / (2.0 * pairs), 0.0)
        dof = 2.0 * _correlate(weight, weight, n)
        markov = np.where(lag > 0, 2.0 * (t[-1] - t[0]) / np.where(lag > 0, lag, 1.0), 2.0 * t.size)
    dof = np.minimum(dof, markov)
    svf[0] = 0.0
    keep = (dof > 0) & (pairs > 0)
    out = pd.DataFrame(
        {
            "lag_s": lag[keep],
            "semivariance_m2": svf[keep],
            "dof": dof[keep],
            "n_pairs": pairs[keep],
        }
    )
    if model is not None:
        out["model_semivariance_m2"] = model.semivariance_m2(out["lag_s"].to_numpy())
    return out

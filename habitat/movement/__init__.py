"""Continuous-time movement models of animal tracks (ctmm's family), for autocorrelated home ranges.

Analysis layer, below :mod:`habitat.homerange` (whose AKDE estimator uses the
fitted models) and above :mod:`habitat.datasets`.

* :func:`fit_movement` / :func:`select_movement_model`: IID, OU and OUF models,
  isotropic or anisotropic, fitted to irregularly timed fixes by the exact
  (Kalman-filter) likelihood with ctmm's perturbative REML, selected by AICc;
* :class:`MovementModel`: the fitted model, its autocorrelation, semivariance
  and parameter intervals;
* :func:`variogram`: the empirical semivariance against time lag (ctmm's
  binning), with the model's for overlay;
* :func:`simulate_movement`: tracks simulated from a fitted model at given
  times (for parametric bootstraps and checks against known truth).
"""

from __future__ import annotations

from habitat.movement.fit import fit_movement, select_movement_model
from habitat.movement.model import MovementModel
from habitat.movement.simulate import simulate_movement
from habitat.movement.variogram import variogram

__all__ = [
    "MovementModel",
    "fit_movement",
    "select_movement_model",
    "simulate_movement",
    "variogram",
]

"""Continuous-time movement models of animal tracks (ctmm's family), for autocorrelated home ranges.

Analysis layer, below :mod:`habitat.homerange` (whose AKDE estimator uses the
fitted models) and above :mod:`habitat.datasets`.

* :func:`fit_movement` / :func:`select_movement_model`: IID, OU and OUF models,
  isotropic or anisotropic, fitted to irregularly timed fixes by the exact
  (Kalman-filter) likelihood with ctmm's perturbative REML, selected by AICc;
* :class:`MovementModel`: the fitted model, its autocorrelation, semivariance
  and parameter intervals;
* :func:`variogram`: the empirical semivariance against time lag (ctmm's
  binning), with the model's for overlay.
"""

from __future__ import annotations

from habitat.movement.fit import fit_movement, select_movement_model
from habitat.movement.model import MovementModel
from habitat.movement.variogram import variogram

__all__ = ["MovementModel", "fit_movement", "select_movement_model", "variogram"]

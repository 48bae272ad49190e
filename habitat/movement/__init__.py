"""Continuous-time movement models of animal tracks (ctmm's family), for autocorrelated home ranges.

Analysis layer, below :mod:`habitat.homerange` (whose AKDE estimator uses the
fitted models) and above :mod:`habitat.datasets`.
"""

from __future__ import annotations

__all__: list[str] = []

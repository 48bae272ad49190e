"""Hypothesis profile of the fuzz suite (tests/fuzz).

One profile, ``habitat-fuzz``: a fixed example budget, derandomised (the same
examples on every run, so CI is reproducible), no deadline (the first call of
an estimator imports and compiles), and no ``too_slow`` health check. The
budget can be raised for a long local hunt with ``HABITAT_FUZZ_EXAMPLES=500``.
Failing examples are not shrunk by default (shrinking a report run can take
minutes, and CI needs the verdict, not the minimal case); set
``HABITAT_FUZZ_SHRINK=1`` to get the minimal failing example.

The profile is *registered* here and applied by the fuzz tests themselves
(``@FUZZ`` from :mod:`fuzz_strategies`), never loaded globally, so other
hypothesis tests of the project keep their own settings.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

#: examples per property test (the slow report property uses a fraction of it)
FUZZ_EXAMPLES = int(os.environ.get("HABITAT_FUZZ_EXAMPLES", "25"))
#: shrink failing examples to a minimal one (slow)
FUZZ_SHRINK = os.environ.get("HABITAT_FUZZ_SHRINK", "") not in ("", "0")

settings.register_profile(
    "habitat-fuzz",
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    phases=list(Phase) if FUZZ_SHRINK else [p for p in Phase if p is not Phase.shrink],
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

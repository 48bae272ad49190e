"""plot_summary_by_sex shades a species profile's sizes, and nothing without one (issue 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from habitat.core.errors import InputError
from habitat.io.species import SpeciesProfile
from habitat.report.figures import plot_summary_by_sex

METRICS = pd.DataFrame({"sex": ["F", "F", "M", "unknown"], "area_sq_mi": [2.0, 3.0, 8.0, 5.0]})


def bands(fig) -> list[tuple[float, float, float]]:
    """(x centre, low, high) of each shaded band in the area panel."""
    out = []
    for c in fig.axes[0].collections:
        if not isinstance(c, PolyCollection):  # the dots, the median bars
            continue
        v = np.vstack([p.vertices for p in c.get_paths()])
        x = (v[:, 0].min() + v[:, 0].max()) / 2
        out.append((round(float(x), 6), float(v[:, 1].min()), float(v[:, 1].max())))
    return sorted(out)


def test_no_profile_no_band():
    fig = plot_summary_by_sex(METRICS)
    assert bands(fig) == []
    assert "shading" not in fig._suptitle.get_text()


def test_the_leopard_profile_shades_15_to_38_for_females():
    fig = plot_summary_by_sex(METRICS, species="amur_leopard")
    # sexes sorted: F at x=0, M at x=1, unknown at x=2 (the leopard has no "any" bound)
    assert bands(fig) == [(0.0, 15.0, 38.0), (1.0, 0.0, 155.0)]
    assert "Amur leopard" in fig._suptitle.get_text()


def test_any_bounds_shade_an_unknown_sex():
    fisher = SpeciesProfile(name="fisher", expected_area_sq_mi={"F": (1, 10), "any": (0.5, 40)})
    assert bands(plot_summary_by_sex(METRICS, species=fisher)) == [
        (0.0, 1.0, 10.0),
        (1.0, 0.5, 40.0),
        (2.0, 0.5, 40.0),
    ]
    explicit = plot_summary_by_sex(METRICS, expected_area_sq_mi={"M": (3, 9)})
    assert bands(explicit) == [(1.0, 3.0, 9.0)]
    with pytest.raises(InputError, match="not both"):
        plot_summary_by_sex(METRICS, species=fisher, expected_area_sq_mi={"M": (3, 9)})

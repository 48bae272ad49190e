"""Agreement with ctmm's published results for the buffalo Cilla (ctmm's "Variograms and Model
Selection" vignette, ctmm 1.2.0, summary() of ctmm.fit / ctmm.select on data(buffalo)$Cilla).

The track is ctmm's example data (GPL), not part of this project: export it once from R with
``write.csv(data.frame(t=Cilla$t, x=Cilla$x, y=Cilla$y), "Cilla.csv", row.names=FALSE)`` into
``../shared/data/ctmm/``; the test is skipped when the file is absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from habitat.movement import select_movement_model

CILLA = Path(__file__).resolve().parents[3] / "shared" / "data" / "ctmm" / "Cilla.csv"

#: summary() in the vignette: 95 % Gaussian area (km²) low/est/high, tau (d / min), DOF[area]
CTMM = {
    "OUF anisotropic": {
        "area": (239.647394, 403.458812, 609.241202),
        "tau_position_d": (4.438956, 7.505367, 12.690041),
        "tau_velocity_min": (39.607116, 42.069009, 44.683928),
        "dof_area": 18.13597,
    },
    "OU anisotropic": {
        "area": (181.703274, 414.867231, 742.630124),
        "tau_position_d": (7.242335, 16.556147, 37.847739),
        "dof_area": 8.231787,
    },
    "IID anisotropic": {"area": (356.9248, 369.0051, 381.2837), "dof_area": 3526.0},
}
DELTA_AICC = {
    "OUF anisotropic": 0.0,
    "OUF isotropic": 67.7508,
    "OU anisotropic": 1565.291,
    "IID anisotropic": 38112.149,
}


@pytest.mark.skipif(not CILLA.is_file(), reason=f"ctmm's buffalo Cilla not exported to {CILLA}")
def test_cilla_matches_ctmm_vignette():
    data = pd.read_csv(CILLA)
    table = select_movement_model(data["t"].to_numpy(), data[["x", "y"]].to_numpy())
    assert table.loc[0, "label"] == "OUF anisotropic"
    by_label = table.set_index("label")
    ouf = by_label.loc["OUF anisotropic"]
    np.testing.assert_allclose(
        ouf[
            ["gaussian_area_95_low_km2", "gaussian_area_95_km2", "gaussian_area_95_high_km2"]
        ].to_numpy(dtype=float),
        CTMM["OUF anisotropic"]["area"],
        rtol=1e-3,
    )
    delta = by_label["delta_aicc"]
    for label, value in DELTA_AICC.items():
        assert delta[label] == pytest.approx(value, abs=0.01)
    scale = -2 * np.log(0.05) * np.pi / 1e6
    for label, ref in CTMM.items():
        model = table.attrs["models"][label]
        p = model.parameters()
        area = p.loc["area_scale_m2", ["low", "estimate", "high"]].to_numpy() * scale
        np.testing.assert_allclose(area, ref["area"], rtol=1e-3)
        assert model.dof_area == pytest.approx(ref["dof_area"], rel=1e-3)
        if "tau_position_d" in ref:
            tau = p.loc["tau_position_s", ["low", "estimate", "high"]].to_numpy() / 86400
            np.testing.assert_allclose(tau, ref["tau_position_d"], rtol=1e-3)
        if "tau_velocity_min" in ref:
            tau = p.loc["tau_velocity_s", ["low", "estimate", "high"]].to_numpy() / 60
            np.testing.assert_allclose(tau, ref["tau_velocity_min"], rtol=1e-3)

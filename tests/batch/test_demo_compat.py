"""No loss: the demo writes the same numbers as release 0.1.0 did before the re-layout.

``tests/data/demo_v0_1_0`` holds the demo's ``territories.csv``,
``home_ranges.csv`` and the report's ``metrics.csv`` and ``overlaps.csv`` as
written by habitat 0.1.0 (commit f075c6d). Every row, column and string must be
the same, every number equal to 1e-12 (relative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from habitat.batch.demo import run_demo

BEFORE = Path(__file__).resolve().parents[1] / "data" / "demo_v0_1_0"


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    run_demo(out, overwrite=True)
    return out


def assert_same_table(before: pd.DataFrame, after: pd.DataFrame, *, rtol: float = 1e-12) -> None:
    assert list(after.columns) == list(before.columns)
    assert len(after) == len(before)
    for col in before.columns:
        b, a = before[col], after[col]
        if pd.api.types.is_numeric_dtype(b) and pd.api.types.is_numeric_dtype(a):
            np.testing.assert_allclose(
                a.to_numpy(float), b.to_numpy(float), rtol=rtol, atol=0, err_msg=col
            )
        else:
            assert a.fillna("").astype(str).tolist() == b.fillna("").astype(str).tolist(), col


@pytest.mark.parametrize(
    "name",
    ["territories.csv", "home_ranges.csv", "report/metrics.csv", "report/overlaps.csv"],
)
def test_demo_numbers_unchanged(demo_out: Path, name: str) -> None:
    before = pd.read_csv(BEFORE / Path(name).name)
    after = pd.read_csv(demo_out / name)
    assert_same_table(before, after)


def test_comparison_detects_a_change() -> None:
    """The comparison fails on a change in the 13th significant digit of an area."""
    before = pd.read_csv(BEFORE / "home_ranges.csv")
    after = before.copy()
    after.loc[3, "area_km2"] *= 1 + 1e-11
    with pytest.raises(AssertionError, match="area_km2"):
        assert_same_table(before, after)
    after = before.copy()
    after.loc[0, "plausibility"] = "changed"
    with pytest.raises(AssertionError, match="plausibility"):
        assert_same_table(before, after)

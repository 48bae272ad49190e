"""Big CSVs whose extra columns mix numbers and text are read whole, without DtypeWarning.

pandas' default parser infers types per block of rows (``low_memory``): a column
whose first blocks hold numbers and a later block text comes back half ``int``,
half ``str`` and raises ``DtypeWarning``. ``read_relocations`` reads each column's
type from the whole column: text throughout, the same value for the same cell
whatever its row number.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import habitat

N = 200_000
FIRST_TEXT = 150_000  # far past pandas' first parsing block (2**17 rows)


def _mixed_csv(path: Path) -> Path:
    rng = np.random.default_rng(7)
    tag = np.arange(N).astype(object)
    tag[FIRST_TEXT:] = [f"T{i}" for i in range(N - FIRST_TEXT)]
    pd.DataFrame(
        {
            "individual": np.repeat(["A", "B"], N // 2),
            "timestamp": pd.date_range("2025-01-01", periods=N, freq="min").strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
            "x": rng.normal(640_000, 1_000, N).round(1),
            "y": rng.normal(4_750_000, 1_000, N).round(1),
            "tag": tag,  # numbers for 150,000 rows, then text
            "temperature_c": rng.normal(5, 3, N).round(2),  # numbers throughout
        }
    ).to_csv(path, index=False)
    return path


def test_mixed_type_column_no_dtype_warning_and_one_type(tmp_path: Path) -> None:
    path = _mixed_csv(tmp_path / "mixed.csv")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fixes = habitat.read_relocations(path, x="x", y="y", crs="EPSG:32652", tz="UTC")
    dtype_warnings = [w for w in caught if issubclass(w.category, pd.errors.DtypeWarning)]
    assert not dtype_warnings, [str(w.message) for w in dtype_warnings]
    assert len(fixes) == N
    # one type for the whole column: per-block inference gave 131,072 ints then strings
    assert set(fixes["tag"].map(type)) == {str}
    by_row = fixes.set_index("source_row")["tag"]
    assert by_row[1] == "0"
    assert by_row[FIRST_TEXT] == str(FIRST_TEXT - 1)  # a number-looking cell before the text
    assert by_row[FIRST_TEXT + 1] == "T0"
    # a numeric extra column stays numeric
    assert pd.api.types.is_float_dtype(fixes["temperature_c"])

"""Fuzz: report configs (TOML text) and ReportOptions with random keys and value types.

Invariants: :func:`habitat.batch.load_config` and ``ReportOptions(...)`` raise
nothing but :class:`~habitat.core.errors.HabitatError` (a ``ConfigError`` for a
bad key or value, a ``DataFileError`` for text that is not TOML); options they
accept are typed as documented (the checks happen up front, so nothing
downstream meets a wrong type).
"""

from __future__ import annotations

import math
import tomllib
from typing import Any

import pytest
from fuzz_strategies import FUZZ, config_texts, scratch, toml_values
from hypothesis import given
from hypothesis import strategies as st

from habitat.batch.config import ReportOptions, load_config
from habitat.core.errors import ConfigError, DataFileError, HabitatError

pytestmark = pytest.mark.filterwarnings("ignore")


def check_options(options: ReportOptions) -> None:
    """What every accepted ReportOptions holds, whatever the config said."""
    assert isinstance(options.methods, tuple) and options.methods
    assert all(isinstance(m, str) for m in options.methods)
    assert isinstance(options.levels, tuple) and options.levels
    assert all(isinstance(v, float) and 0 < v <= 1 for v in options.levels)
    assert any(math.isclose(options.level, v) for v in options.levels)
    assert isinstance(options.area_curve, bool)
    assert isinstance(options.area_curve_replicates, int) and options.area_curve_replicates >= 2
    cell = options.ud_cell_size_m  # None: cells from the bandwidth
    assert cell is None or (isinstance(cell, float) and math.isfinite(cell) and cell > 0)
    assert isinstance(options.max_fixes_on_map, int) and options.max_fixes_on_map >= 1
    speed = options.max_speed_kmh
    assert (
        speed is None
        or speed == "species"
        or (isinstance(speed, float) and math.isfinite(speed) and speed > 0)
    )  # "species": the species profile's limit
    assert options.title is None or isinstance(options.title, str)  # None: from the study area
    assert isinstance(options.method_options, dict)
    assert set(options.method_options) <= {"mcp", "kde", "locoh", "bbmm"}


@FUZZ
@given(text=config_texts())
def test_load_config_raises_only_habitat_errors(text: str) -> None:
    with scratch() as folder:
        path = folder / "report.toml"
        path.write_text(text, encoding="utf-8")
        try:
            options, inputs = load_config(path)
        except (ConfigError, DataFileError) as exc:
            assert str(path) in str(exc), f"the message does not name the file: {exc}"
            return
        except HabitatError:
            return
        except Exception as exc:
            pytest.fail(f"load_config let a foreign {type(exc).__name__} escape: {exc!r}\n{text}")
    check_options(options)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        pytest.fail(f"load_config accepted text that is not TOML:\n{text}")


OPTION_NAMES = [
    "methods",
    "levels",
    "level",
    "method_options",
    "area_curve",
    "area_curve_replicates",
    "ud_cell_size_m",
    "max_fixes_on_map",
    "max_speed_kmh",
    "title",
    "metod",
]


@FUZZ
@given(
    kwargs=st.dictionaries(
        st.sampled_from(OPTION_NAMES),
        st.one_of(toml_values(), st.none(), st.just(("kde",)), st.just(object())),
        max_size=4,
    )
)
def test_report_options_raise_only_config_errors(kwargs: dict[str, Any]) -> None:
    try:
        options = ReportOptions(**kwargs)
    except HabitatError:
        return
    except Exception as exc:
        pytest.fail(f"ReportOptions let a foreign {type(exc).__name__} escape: {exc!r}")
    check_options(options)

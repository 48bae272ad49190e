"""Fuzz: relocation tables through reading, home ranges and UD overlap.

Invariants (for any table the strategies make, not examples):

* no foreign exception escapes a public function: anything raised is a
  :class:`habitat.core.errors.HabitatError`;
* reading drops nothing: one output row per data row (``source_row`` 1..n),
  a reason for every flagged fix and none for an unflagged one;
* ids follow the documented rule (strip blanks, NFC; refused when empty or
  holding an invisible character), and merged raw ids are warned about;
* every input fix is either used or flagged with a reason: per animal, the
  ``n_fixes`` a home range was estimated from plus the flagged fixes equals
  the animal's rows;
* UD overlap of an animal with itself: HR = 1, BA and VI within 1e-3 of 1,
  HD within 1e-3 of 0, PHR <= 1, symmetric BA/VI/UDOI/HD, wherever the grid
  holds the UDs (``grid_ok``); a row whose grid does not hold a UD is flagged.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from fuzz_strategies import (
    FUZZ,
    RelocationTable,
    expected_id,
    refused_id,
    relocation_tables,
    scratch,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import habitat
from habitat.core.errors import DataQualityWarning, HabitatError

pytestmark = pytest.mark.filterwarnings("ignore")


def _write(table: RelocationTable, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fixes.csv"
    path.write_text(table.text, encoding="utf-8", newline="")
    return path


def read(table: RelocationTable) -> tuple[gpd.GeoDataFrame, list[Any]]:
    """Read the table; a foreign exception fails the test, a habitat one propagates."""
    with scratch() as folder:
        return _read(_write(table, folder), table)


def _read(path: Path, table: RelocationTable) -> tuple[gpd.GeoDataFrame, list[Any]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fixes = habitat.read_relocations(path, **table.read_kwargs)
        except HabitatError:
            raise
        except Exception as exc:  # the property under test
            pytest.fail(f"read_relocations let a foreign {type(exc).__name__} escape: {exc!r}")
    return fixes, list(caught)


def call(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a public function; None if it raised a habitat error, fail on any other."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return func(*args, **kwargs)
        except HabitatError:
            return None
        except Exception as exc:
            name = getattr(func, "__name__", repr(func))
            pytest.fail(f"{name} let a foreign {type(exc).__name__} escape: {exc!r}")


# ----------------------------------------------------------------------------- reading


@FUZZ
@given(table=relocation_tables())
def test_read_relocations_raises_only_habitat_errors_and_drops_nothing(
    table: RelocationTable,
) -> None:
    try:
        fixes, caught = read(table)
    except HabitatError:
        return
    assert not any(refused_id(r) for r in table.raw_ids), (
        "an empty id or one with an invisible character was accepted"
    )
    assert len(fixes) == table.n_rows
    assert sorted(fixes["source_row"].tolist()) == list(range(1, table.n_rows + 1))
    flagged = fixes["flag_any"].to_numpy(dtype=bool)
    reasons = fixes["flag_reason"].astype(str).str.len().to_numpy() > 0
    np.testing.assert_array_equal(flagged, reasons, err_msg="flag_any and flag_reason disagree")
    # a fix with no usable position is never used unflagged
    geoms = fixes.geometry
    unusable = geoms.isna().to_numpy() | geoms.is_empty.to_numpy()
    assert not (unusable & ~flagged).any(), "a fix without a position is not flagged"
    # ids: the documented rule, row by row
    by_row = fixes.set_index("source_row")["individual"]
    expected = pd.Series([expected_id(r) for r in table.raw_ids], index=range(1, table.n_rows + 1))
    pd.testing.assert_series_equal(
        by_row.sort_index().astype(str), expected, check_names=False, check_index_type=False
    )
    merged = {e: {r for r in table.raw_ids if expected_id(r) == e} for e in set(expected.tolist())}
    if any(len(raws) > 1 for raws in merged.values()):
        assert any(issubclass(w.category, DataQualityWarning) for w in caught), (
            f"raw ids merged without a warning: {merged}"
        )


# ----------------------------------------------------------------------------- home ranges


@FUZZ
@given(table=relocation_tables(), method=st.sampled_from(["mcp", "kde"]))
def test_home_range_uses_or_flags_every_fix(table: RelocationTable, method: str) -> None:
    try:
        fixes, _ = read(table)
    except HabitatError:
        return
    levels = (0.5, 0.95)
    hr = call(habitat.home_range, fixes, method=method, levels=levels)
    if hr is None:
        return
    rows = fixes.groupby("individual")["flag_any"].agg(["size", "sum"])
    assert set(hr["individual"].astype(str)) == set(rows.index.astype(str)), "an animal vanished"
    per = hr.groupby("individual")["n_fixes"].first()
    for animal, (size, n_flagged) in rows.iterrows():
        assert per[animal] + n_flagged == size, (
            f"{animal!r}: {per[animal]} used + {n_flagged} flagged != {size} fixes"
        )
    # a row is plausible only with a positive, finite area
    area = hr["area_km2"].to_numpy(dtype=float)
    bad = ~np.isfinite(area) | (area <= 0)
    assert not (bad & hr["plausible"].to_numpy(dtype=bool)).any()
    # nested levels: the 50 % range is never larger than the 95 % one (same method)
    wide = hr.pivot_table(index="individual", columns="level", values="area_km2")
    assert (wide[0.5] <= wide[0.95] * (1 + 1e-9)).all()


def _hand_built(fixes: gpd.GeoDataFrame, how: str) -> gpd.GeoDataFrame:
    out = fixes.copy()
    if how == "text_times":
        out["timestamp"] = out["timestamp"].astype(str)
    elif how == "naive_times":
        out["timestamp"] = out["timestamp"].dt.tz_localize(None)
    elif how == "int_ids":
        out["individual"] = np.arange(len(out)) % 2
    elif how == "mixed_ids":
        out["individual"] = [1 if i % 2 else "1" for i in range(len(out))]
    elif how == "nan_ids":
        out.loc[out.index[:1], "individual"] = np.nan
    elif how == "no_crs":
        out = out.set_crs(None, allow_override=True)
    elif how == "object_flags":
        out["flag_any"] = out["flag_any"].astype(str)
    elif how == "no_flags":
        out = out.drop(columns=[c for c in out.columns if c.startswith("flag_")])
    return out


@settings(FUZZ, max_examples=max(5, FUZZ.max_examples // 2))
@given(
    table=relocation_tables(max_animals=2),
    how=st.sampled_from(
        [
            "text_times",
            "naive_times",
            "int_ids",
            "mixed_ids",
            "nan_ids",
            "no_crs",
            "object_flags",
            "no_flags",
        ]
    ),
    method=st.sampled_from(["mcp", "kde", "locoh", "bbmm"]),
)
def test_home_range_on_hand_built_tables_raises_only_habitat_errors(
    table: RelocationTable, how: str, method: str
) -> None:
    try:
        fixes, _ = read(table)
    except HabitatError:
        return
    call(habitat.home_range, _hand_built(fixes, how), method=method)


# ----------------------------------------------------------------------------- UD overlap


@settings(FUZZ, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    table=relocation_tables(max_animals=3, max_fixes=20),
    level=st.sampled_from([0.95, 0.5, 1.0, "high", 0.0, 1.5]),
    conditional=st.booleans(),
)
def test_ud_overlap_self_overlap_and_ranges(
    table: RelocationTable, level: Any, conditional: bool
) -> None:
    try:
        fixes, _ = read(table)
    except HabitatError:
        return
    out = call(habitat.ud_overlap, fixes, level=level, conditional=conditional)
    if out is None:
        return
    tidy, matrices = out
    ok = tidy.attrs.get("grid_ok", {})
    for name, m in matrices.items():
        held = np.array([bool(ok.get(i, True)) for i in m.index])
        both = held[:, None] & held[None, :]
        v = m.to_numpy(dtype=float)
        d = np.diag(v)[held]
        if name == "HR":
            np.testing.assert_allclose(d, 1.0, atol=1e-12, err_msg="HR(i,i)")
        elif name in ("BA", "VI") and not conditional:
            np.testing.assert_allclose(d, 1.0, atol=1e-3, err_msg=f"{name}(i,i)")
        elif name == "HD" and not conditional:
            np.testing.assert_allclose(d, 0.0, atol=1e-3, err_msg="HD(i,i)")
        if name in ("BA", "VI", "UDOI", "HD"):
            np.testing.assert_allclose(v[both], v.T[both], rtol=1e-9, atol=1e-12)
        if name in ("HR", "PHR", "VI", "BA"):
            assert (v[both] <= 1 + 1e-9).all() and (v[both] >= -1e-12).all(), name
        if name == "HD":
            assert (v[both] >= -1e-12).all() and (v[both] <= np.sqrt(2) + 1e-9).all()
    # every pair whose grid cannot hold a UD is flagged in the tidy table
    if "grid_ok" in tidy.columns and ok:
        not_held = {i for i, g in ok.items() if not g}
        rows = tidy["individual_a"].isin(not_held) | tidy["individual_b"].isin(not_held)
        assert not tidy.loc[rows, "grid_ok"].any()


# ----------------------------------------------------------------------------- options

OPTION_VALUES = st.one_of(
    st.sampled_from([0.9, 0.95, 1.0, 0.0, -1, 1.5, 200, 10**9, "href", "lscv", "a", "", None]),
    st.lists(st.sampled_from([0.5, 0.95, 1.0, 0.0, 1.2, "a"]), max_size=3),
    st.floats(allow_nan=True, allow_infinity=True),
)


@settings(FUZZ, max_examples=max(5, FUZZ.max_examples // 2))
@given(
    table=relocation_tables(max_animals=2),
    method=st.sampled_from(["mcp", "kde", "locoh", "bbmm", "KDE", "kdee"]),
    options=st.dictionaries(
        st.sampled_from(
            [
                "levels",
                "level",
                "bandwidth",
                "bandwith",
                "grid",
                "extent",
                "k",
                "a",
                "crs",
                "exclude_flagged",
                "sig2",
                "cell_size_m",
            ]
        ),
        OPTION_VALUES,
        max_size=3,
    ),
)
def test_home_range_options_raise_only_habitat_errors(
    table: RelocationTable, method: str, options: dict[str, Any]
) -> None:
    try:
        fixes, _ = read(table)
    except HabitatError:
        return
    hr = call(habitat.home_range, fixes, method=method, **options)
    if hr is not None:
        assert "level" not in options, "home_range ignored the keyword 'level' (a typo of levels)"
        assert "bandwith" not in options, "home_range ignored the misspelt keyword 'bandwith'"
        assert ((hr["level"] > 0) & (hr["level"] <= 1)).all()


@settings(FUZZ, max_examples=max(5, FUZZ.max_examples // 2))
@given(table=relocation_tables(max_animals=3))
def test_cleaning_functions_on_read_fixes(table: RelocationTable) -> None:
    try:
        fixes, _ = read(table)
    except HabitatError:
        return
    flagged = call(habitat.flag_relocations, fixes, max_speed_kmh=20.0)
    if flagged is not None:
        assert len(flagged) == len(fixes)
    summary = call(habitat.summarise_relocations, fixes)
    if summary is not None and "n_fixes" in summary.columns:
        assert int(summary["n_fixes"].sum()) == len(fixes)


@settings(FUZZ, max_examples=max(5, FUZZ.max_examples // 2))
@given(table=relocation_tables(max_animals=3), as_int=st.booleans(), data=st.data())
def test_read_relocations_from_a_dataframe_keeps_the_id_rule(
    table: RelocationTable, as_int: bool, data: st.DataObject
) -> None:
    """A DataFrame source: ids of mixed types (1 and "1") follow the same rule as a file."""
    import io

    frame = pd.read_csv(io.StringIO(table.text), dtype=str, keep_default_na=False)
    ids = frame.columns[0]
    values: list[Any] = frame[ids].tolist()
    if as_int:  # numbers as ints, now and then
        flips = data.draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values)))
        values = [
            int(v) if f and v.strip().lstrip("-").isdigit() and v == v.strip() else v
            for v, f in zip(values, flips, strict=True)
        ]
    frame[ids] = pd.Series(values, dtype=object)
    kwargs = {k: v for k, v in table.read_kwargs.items() if k != "tz"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fixes = habitat.read_relocations(frame, **kwargs)
        except HabitatError:
            return
        except Exception as exc:
            pytest.fail(f"read_relocations let a foreign {type(exc).__name__} escape: {exc!r}")
    assert len(fixes) == len(frame)
    assert set(fixes["individual"].astype(str)) == {expected_id(str(v)) for v in values}


@settings(FUZZ, max_examples=max(5, FUZZ.max_examples // 2))
@given(
    table=relocation_tables(max_animals=3, max_fixes=16),
    options=st.dictionaries(
        st.sampled_from(
            [
                "methods",
                "bandwidth",
                "bandwidth_m",
                "grid",
                "extent",
                "cell_size_m",
                "crs",
                "exclude_flagged",
                "level",
            ]
        ),
        st.one_of(
            OPTION_VALUES,
            st.sampled_from([("BA",), ("ba",), ["HR", "XX"], "BA", 1e-3, 1e12, 3, 10_000]),
        ),
        max_size=3,
    ),
)
def test_ud_overlap_options_raise_only_habitat_errors(
    table: RelocationTable, options: dict[str, Any]
) -> None:
    try:
        fixes, _ = read(table)
    except HabitatError:
        return
    out = call(habitat.ud_overlap, fixes, **options)
    if out is None:
        return
    tidy, _ = out
    v = tidy["value"].to_numpy(dtype=float)
    flagged = ~tidy["grid_ok"].to_numpy(dtype=bool)
    assert (np.isfinite(v) | flagged).all(), "a non-finite overlap index is not flagged"

"""prepare_fixes, estimation_crs: flagged fixes never steer a result; bad tables, habitat errors.

The oracle throughout is the same data without the offending fix: a fix that is
flagged must give exactly the result of a file that never held it, and every
input fix is either used or flagged with a reason.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat.core.crs import equal_area_crs
from habitat.core.errors import (
    ColumnError,
    DataQualityWarning,
    HabitatError,
    InsufficientDataError,
    TimestampError,
)
from habitat.homerange import estimation_crs, home_range, prepare_fixes
from habitat.io import read_relocations

#: Real relocation data sets, outside the repository (optional; tests skip without them).
SHARED_RELOCATIONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "relocations"

T0 = pd.Timestamp("2024-05-01", tz="UTC")


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return func(*args, **kwargs)


def _leopard_table(n: int = 60, seed: int = 1) -> pd.DataFrame:
    """One leopard's fixes every 4 h in longitude/latitude around Kedrovaya Pad."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "individual": "Leo 1F",
            "lon": 131.2 + rng.normal(0, 0.05, n),
            "lat": 43.1 + rng.normal(0, 0.04, n),
            "timestamp": pd.date_range(T0, periods=n, freq="4h").strftime("%Y-%m-%dT%H:%MZ"),
            "visible": "true",
        }
    )


# each absurd fix is flagged by a different rule, and would move the centre north
ABSURD = {
    "latitude 95": {"lon": 131.2, "lat": 95.0, "timestamp": "2024-05-05T02:00Z"},
    "GPS fix in Yakutia (speed spike)": {
        "lon": 129.7,
        "lat": 62.0,
        "timestamp": "2024-05-05T02:00Z",
    },
    "dated 2054 (time outlier)": {"lon": 131.2, "lat": 69.0, "timestamp": "2054-05-05T02:00Z"},
    "marked invisible in Movebank": {
        "lon": 131.2,
        "lat": 69.0,
        "timestamp": "2024-05-05T02:00Z",
        "visible": "false",
    },
    "infinite longitude": {"lon": np.inf, "lat": 69.0, "timestamp": "2024-05-05T02:00Z"},
}


@pytest.mark.parametrize("case", list(ABSURD))
@pytest.mark.parametrize("method", ["mcp", "kde"])
def test_a_flagged_absurd_fix_gives_the_result_without_it(case: str, method: str) -> None:
    clean = _leopard_table()
    extra = {**clean.iloc[30].to_dict(), **ABSURD[case]}
    dirty = pd.concat([clean, pd.DataFrame([extra])], ignore_index=True)
    options = {"crs": "EPSG:4326", "invalid_coords": "flag", "max_speed_kmh": 20}
    with_fix = _quiet(read_relocations, dirty, **options)
    without = _quiet(read_relocations, clean, **options)
    assert with_fix["flag_any"].sum() - without["flag_any"].sum() == 1
    assert with_fix.loc[with_fix["source_row"] == 61, "flag_reason"].item() != ""

    if np.isfinite(ABSURD[case]["lon"]):
        # the fix would steer the centre were it not left out (the bug this guards against);
        # an infinite one is never usable (it used to fail the whole animal instead)
        assert estimation_crs(with_fix, exclude_flagged=False) != estimation_crs(without)
    assert estimation_crs(with_fix) == estimation_crs(without)
    assert estimation_crs(without) == equal_area_crs(without[~without["flag_any"]])

    a = _quiet(home_range, with_fix, method=method, levels=[0.5, 0.95])
    b = _quiet(home_range, without, method=method, levels=[0.5, 0.95])
    assert a["crs_used"].tolist() == b["crs_used"].tolist()
    assert a["n_fixes"].tolist() == b["n_fixes"].tolist()
    assert a["area_km2"].tolist() == b["area_km2"].tolist()  # identical, not just close
    assert all(shapely.equals_exact(a.geometry.to_numpy(), b.geometry.to_numpy(), 0.0))


def test_an_unreadable_coordinate_costs_one_fix_not_the_animal(write_text) -> None:
    table = _leopard_table(n=40)
    path = write_text("leo.csv", table.to_csv(index=False))
    text = path.read_text().splitlines()
    cells = text[8].split(",")
    cells[1] = "1e400"  # overflows a float: read as infinity
    text[8] = ",".join(cells)
    broken = write_text("leo_1e400.csv", "\n".join(text) + "\n")
    fixes = _quiet(read_relocations, broken, crs="EPSG:4326")
    assert fixes.loc[fixes["flag_any"], "source_row"].tolist() == [8]
    assert fixes.loc[fixes["flag_any"], "flag_reason"].tolist() == ["infinite coordinates"]
    ranges = _quiet(home_range, fixes, method="mcp", levels=[0.95])
    oracle = _quiet(home_range, _quiet(read_relocations, table.drop(index=7), crs="EPSG:4326"))
    assert ranges["n_fixes"].tolist() == [39]
    assert ranges["area_km2"].item() == oracle.loc[oracle["level"] == 0.95, "area_km2"].item()


def test_no_usable_fix_left_is_a_habitat_error() -> None:
    fixes = _quiet(read_relocations, _leopard_table(n=6), crs="EPSG:4326")
    fixes["flag_any"] = True
    with pytest.raises(InsufficientDataError, match=r"no usable fixes.*flag_reason"):
        prepare_fixes(fixes)
    with pytest.raises(InsufficientDataError, match=r"cannot choose a CRS.*none of the 6"):
        estimation_crs(fixes)


def test_an_animal_with_every_fix_flagged_is_named_not_dropped() -> None:
    # Leo 1F has usable fixes, Leo 2M none: the estimate must not silently lose Leo 2M
    # (found by tests/fuzz: an animal whose fixes were all flagged vanished from the table)
    one = _leopard_table(n=40)
    two = _leopard_table(n=6, seed=2).assign(individual="Leo 2M")
    fixes = _quiet(read_relocations, pd.concat([one, two], ignore_index=True), crs="EPSG:4326")
    fixes.loc[fixes["individual"] == "Leo 2M", "flag_any"] = True
    with pytest.raises(InsufficientDataError, match=r"too few for 'Leo 2M' \(0\)"):
        _quiet(home_range, fixes, method="mcp")
    kept = fixes[fixes["individual"] == "Leo 1F"]
    assert _quiet(home_range, kept, method="mcp")["individual"].unique().tolist() == ["Leo 1F"]


# ----------------------------------------------------------------------------- every fix counted
def _messy_file(write_text) -> Path:
    """Two leopards with one fix of every flag kind, and a clean third one."""
    rows = []
    for k, ident in enumerate(["Leo 1F", "Leo 2M", "Leo 3F"]):
        t = _leopard_table(n=30, seed=k)
        t["individual"] = ident
        rows.append(t)
    table = pd.concat(rows, ignore_index=True)
    table.loc[3, ["lon", "lat"]] = np.nan  # missing
    table.loc[4, "lat"] = 95.0  # impossible
    table.loc[5, "timestamp"] = table.loc[6, "timestamp"]  # duplicate
    table.loc[10, "lon"] = 140.0  # speed spike
    table.loc[33, "visible"] = "false"  # not visible
    table.loc[40, "timestamp"] = "1970-01-01T00:00Z"  # clock reset: time outlier
    return write_text("messy.csv", table.to_csv(index=False))


@pytest.mark.parametrize("method", ["mcp", "kde", "locoh"])
def test_every_input_fix_is_used_or_flagged_with_a_reason(write_text, method: str) -> None:
    fixes = _quiet(
        read_relocations, _messy_file(write_text), crs="EPSG:4326", invalid_coords="flag",
        max_speed_kmh=20,
    )  # fmt: skip
    per_animal = fixes.groupby("individual").agg(
        n_input=("source_row", "size"), n_flagged=("flag_any", "sum")
    )
    assert per_animal["n_flagged"].to_dict() == {"Leo 1F": 4, "Leo 2M": 2, "Leo 3F": 0}
    flagged = fixes[fixes["flag_any"]]
    assert (flagged["flag_reason"] != "").all()  # every flagged fix says why
    assert (fixes.loc[~fixes["flag_any"], "flag_reason"] == "").all()
    ranges = _quiet(home_range, fixes, method=method, levels=[0.95]).set_index("individual")
    used = ranges["n_fixes"]
    assert (used + per_animal["n_flagged"] == per_animal["n_input"]).all()


def test_fixes_left_out_without_a_flag_are_reported() -> None:
    """A table built by hand has no flags: a fix without a position is not dropped silently."""
    points = [shapely.Point(500_000 + 1000 * i, 4_800_000 + 700 * (i % 3)) for i in range(6)]
    gdf = gpd.GeoDataFrame({"individual": ["A"] * 7}, geometry=[*points, None], crs="EPSG:32652")
    with pytest.warns(DataQualityWarning, match=r"1 of 7 fixes .* left out \(rows 7\)"):
        prep = prepare_fixes(gdf)
    assert prep.counts.tolist() == [6]


# ----------------------------------------------------------------------------- timestamps
def _hand_built(timestamps) -> gpd.GeoDataFrame:
    n = len(timestamps)
    return gpd.GeoDataFrame(
        {"individual": ["A"] * n, "timestamp": timestamps},
        geometry=gpd.points_from_xy(
            500_000 + 1000.0 * np.arange(n), 4_800_000 + 700.0 * (np.arange(n) % 3)
        ),
        crs="EPSG:32652",
    )


@pytest.mark.parametrize("method", ["mcp", "bbmm"])
def test_text_timestamps_are_a_timestamp_error_saying_how_to_convert(method: str) -> None:
    gdf = _hand_built([f"2024-05-01 {h:02d}:00" for h in range(6)])
    with pytest.raises(TimestampError, match=r"time-zone-aware.*pd\.to_datetime") as info:
        home_range(gdf, method=method)
    assert isinstance(info.value, HabitatError)


@pytest.mark.parametrize("method", ["mcp", "bbmm"])
def test_naive_datetimes_are_a_timestamp_error_saying_how_to_localise(method: str) -> None:
    gdf = _hand_built(pd.date_range("2024-05-01", periods=6, freq="h"))
    with pytest.raises(TimestampError, match=r"without a time zone.*dt\.tz_localize\('UTC'\)"):
        home_range(gdf, method=method)
    gdf["timestamp"] = gdf["timestamp"].dt.tz_localize("UTC")  # the advice works
    assert len(home_range(gdf, method="mcp", levels=[1.0])) == 1


def test_missing_times_of_used_fixes_are_named_flagged_ones_are_not_checked() -> None:
    times = list(pd.date_range(T0, periods=7, freq="h"))
    times[2] = pd.NaT
    gdf = _hand_built(pd.DatetimeIndex(times))
    with pytest.raises(TimestampError, match=r"missing timestamps \(NaT; rows 3, individual"):
        prepare_fixes(gdf)
    gdf["flag_any"] = [False, False, True, False, False, False, False]
    assert prepare_fixes(gdf).counts.tolist() == [6]


def test_fixes_are_ordered_by_time_within_each_individual() -> None:
    times = pd.DatetimeIndex([T0 + pd.Timedelta(hours=h) for h in [3, 1, 2, 0, 5, 4]])
    gdf = _hand_built(times)
    gdf["individual"] = ["B", "A", "B", "A", "A", "B"]
    prep = prepare_fixes(gdf.iloc[[0, 1, 2, 3, 4, 5] * 2].reset_index(drop=True), crs=None)
    assert prep.names.tolist() == ["A", "B"]
    assert (np.diff(prep.timestamps_ns[prep.codes == 0]) >= 0).all()
    assert (np.diff(prep.timestamps_ns[prep.codes == 1]) >= 0).all()


# ----------------------------------------------------------------------------- ids
def _ids_table(ids: list[object]) -> gpd.GeoDataFrame:
    n = len(ids)
    return gpd.GeoDataFrame(
        {"individual": pd.Series(ids, dtype=object)},
        geometry=gpd.points_from_xy(
            500_000 + 1000.0 * np.arange(n), 4_800_000 + 700.0 * (np.arange(n) % 3)
        ),
        crs="EPSG:32652",
    )


def test_hand_built_ids_follow_the_read_time_rule() -> None:
    gdf = _ids_table([1] * 5 + ["1 "] * 5 + ["NA"] * 5)
    with pytest.warns(DataQualityWarning, match=r"merged into one: '1' <- 1, '1 '"):
        prep = prepare_fixes(gdf)
    assert prep.names.tolist() == ["1", "NA"]
    assert prep.counts.tolist() == [10, 5]
    with pytest.raises(ColumnError, match=r"individual id is missing.*rows 6"):
        prepare_fixes(_ids_table(["A"] * 5 + [None] + ["A"] * 4))
    with pytest.raises(ColumnError, match=r"control or invisible.*U\+000A"):
        prepare_fixes(_ids_table(["A"] * 5 + ["B\nC"] * 5))


# ----------------------------------------------------------------------------- real data
@pytest.mark.skipif(not SHARED_RELOCATIONS.is_dir(), reason="shared relocation data not present")
def test_real_data_a_flagged_far_fix_leaves_the_range_unchanged() -> None:
    """Wild boar CH93/JE93 (puechcirc, Lambert II metres), taken to degrees; one fix copied
    to latitude 60° with a date 40 years later is flagged and changes nothing."""
    fixes = _quiet(read_relocations, SHARED_RELOCATIONS / "puechcirc.csv", crs="EPSG:27572")
    degrees = fixes.to_crs(4326)
    table = pd.DataFrame(
        {
            "id": degrees["individual"],
            "lon": degrees.geometry.x,
            "lat": degrees.geometry.y,
            "date": degrees["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )
    far = table.iloc[[0]].assign(lat=60.0, date="2033-08-24T15:00:00Z")
    a = _quiet(read_relocations, pd.concat([table, far]), crs="EPSG:4326", max_speed_kmh=30)
    b = _quiet(read_relocations, table, crs="EPSG:4326", max_speed_kmh=30)
    assert a["flag_time_outlier"].sum() == 1
    ra = _quiet(home_range, a, method="mcp", levels=[0.95])
    rb = _quiet(home_range, b, method="mcp", levels=[0.95])
    assert ra["area_km2"].tolist() == rb["area_km2"].tolist()
    assert ra["crs_used"].tolist() == rb["crs_used"].tolist()


@pytest.mark.skipif(not SHARED_RELOCATIONS.is_dir(), reason="shared relocation data not present")
@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in SHARED_RELOCATIONS.glob("*.csv")) if SHARED_RELOCATIONS.is_dir() else [],
)
def test_real_data_every_fix_is_used_or_flagged(name: str) -> None:
    fixes = _quiet(
        read_relocations,
        SHARED_RELOCATIONS / name,
        crs="EPSG:27572",  # planar metres; the counts do not depend on the CRS
        tz="UTC",
        sex_codes={"1": "unknown", "2": "unknown"},
        max_speed_kmh=50,
    )
    per_animal = fixes.groupby("individual").agg(
        n_input=("source_row", "size"), n_flagged=("flag_any", "sum")
    )
    assert (fixes.loc[fixes["flag_any"], "flag_reason"] != "").all()
    ranges = _quiet(home_range, fixes, method="mcp", levels=[0.95]).set_index("individual")
    assert sorted(ranges.index) == sorted(per_animal.index)
    assert (ranges["n_fixes"] + per_animal["n_flagged"] == per_animal["n_input"]).all()

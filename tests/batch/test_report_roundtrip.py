"""A report's own outputs round-trip (issue 11, item 5).

``habitat report`` on the ``ranges.gpkg`` (or ``metrics.parquet``) of an
earlier report must give that report again: the same methods, levels and
areas per animal, the same overlapping pairs and neighbour counts; an animal
never overlaps itself, its own other polygons (other levels and methods) are
never its neighbours, and nothing is "already done" in a fresh folder. The
oracle is the first report, made from the fixes.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat import datasets
from habitat.batch.demo import load_demo_relocations
from habitat.batch.runner import ReportOptions, read_report_input, run_report

#: two pairs of demo animals whose ranges overlap (Leo 2F-Leo 6M, Leo 2M-Leo 6F)
ANIMALS = ["Leo 2F", "Leo 2M", "Leo 6F", "Leo 6M"]
OPTIONS = ReportOptions(area_curve=False, methods=("mcp", "kde"), levels=(0.5, 0.95))
LAYERS = {k: v for k, v in datasets.layers().items() if k == "land_of_the_leopard"}
COUNTS = ["n_same_sex_neighbours", "n_opposite_sex_neighbours"]
KEYS = ["individual", "method", "level"]


def _report(data: gpd.GeoDataFrame, out: Path, options: ReportOptions = OPTIONS):
    lines: list[str] = []
    result = run_report(
        data, out, options=options, layers=LAYERS, land_cover=None, progress=lines.append
    )
    return result, "\n".join(lines)


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    demo = load_demo_relocations()
    fixes = demo[demo["individual"].isin(ANIMALS)].iloc[::2].copy()
    out = tmp_path_factory.mktemp("roundtrip") / "first"
    result, _ = _report(fixes, out)
    assert result.ok
    return out


def _metrics(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "metrics.csv").set_index("individual").sort_index()


def _pairs(out: Path) -> pd.DataFrame:
    pairs = pd.read_csv(out / "overlaps.csv")
    a, b = pairs["individual_a"].astype(str), pairs["individual_b"].astype(str)
    pairs["pair"] = [" & ".join(sorted(p)) for p in zip(a, b, strict=True)]
    return pairs.set_index("pair").sort_index()


def _nothing_already_done(result, text: str) -> None:
    assert result.skipped == []
    assert "(0 already done)" in text
    assert not [line for line in text.splitlines() if line.endswith("already done")]


@pytest.mark.parametrize("output", ["ranges.gpkg", "metrics.parquet"])
def test_a_report_of_its_own_output_is_the_same_report(first, tmp_path, output):
    data = read_report_input(first / output)
    result, text = _report(data, tmp_path / "fresh")
    assert result.ok
    _nothing_already_done(result, text)
    # one page per animal, no more
    assert sorted(result.pages) == ANIMALS
    assert len(list((tmp_path / "fresh" / "pages").glob("*.html"))) == len(ANIMALS)

    before, after = _metrics(first), _metrics(tmp_path / "fresh")
    assert after.index.tolist() == ANIMALS  # one row per animal
    assert (after["method"] == "mcp").all() and np.allclose(after["level"], 0.95)
    np.testing.assert_allclose(after["area_km2"], before["area_km2"], rtol=1e-9)
    np.testing.assert_allclose(after["area_sq_mi"], before["area_sq_mi"], rtol=1e-9)
    assert after[COUNTS].equals(before[COUNTS])
    assert (after["n_unknown_sex_neighbours"] == 0).all()  # every demo animal has a sex
    np.testing.assert_allclose(after["exclusive_share"], before["exclusive_share"], rtol=1e-9)
    assert after["plausible"].tolist() == before["plausible"].tolist()

    pairs_before, pairs_after = _pairs(first), _pairs(tmp_path / "fresh")
    assert len(pairs_before) == 2  # the case is exercised: two overlapping pairs
    assert (pairs_after["individual_a"] != pairs_after["individual_b"]).all()
    assert pairs_after.index.tolist() == pairs_before.index.tolist()
    np.testing.assert_allclose(pairs_after["area_km2"], pairs_before["area_km2"], rtol=1e-9)


def test_every_method_and_level_of_ranges_gpkg_is_kept(first, tmp_path):
    _report(read_report_input(first / "ranges.gpkg"), tmp_path / "fresh")
    before = gpd.read_file(first / "ranges.gpkg").set_index(KEYS).sort_index()
    after = gpd.read_file(tmp_path / "fresh" / "ranges.gpkg").set_index(KEYS).sort_index()
    assert after.index.tolist() == before.index.tolist()  # no "given"
    # a KDE's area is counted in grid cells, not measured on its polygon: kept as it was
    np.testing.assert_allclose(after["area_km2"], before["area_km2"], rtol=1e-9)
    kde = before.xs("kde", level="method")
    assert not np.allclose(kde["area_km2"], kde["contour_area_km2"], rtol=1e-6)


def test_another_reported_method_is_taken_from_the_file(first, tmp_path):
    options = ReportOptions(area_curve=False, methods=("kde", "mcp"), levels=(0.5, 0.95))
    result, _ = _report(read_report_input(first / "ranges.gpkg"), tmp_path / "kde", options)
    got = _metrics(tmp_path / "kde")
    assert (got["method"] == "kde").all()
    ranges = gpd.read_file(first / "ranges.gpkg")
    kde95 = ranges[(ranges["method"] == "kde") & np.isclose(ranges["level"], 0.95)]
    np.testing.assert_allclose(
        got["area_km2"], kde95.set_index("individual")["area_km2"].loc[got.index], rtol=1e-9
    )
    pairs = pd.read_csv(tmp_path / "kde" / "overlaps.csv")
    assert set(pairs["method"]) <= {"kde"}
    assert (pairs["individual_a"] != pairs["individual_b"]).all()


def test_a_method_or_level_not_in_the_file_is_replaced_and_said(first, tmp_path, caplog):
    options = ReportOptions(area_curve=False, methods=("locoh",), levels=(0.9,), level=0.9)
    with caplog.at_level(logging.WARNING, logger="habitat"):
        _report(read_report_input(first / "ranges.gpkg"), tmp_path / "other", options)
    got = _metrics(tmp_path / "other")
    assert (got["method"] == "mcp").all()  # the file's first method
    assert np.allclose(got["level"], 0.95)  # its highest level
    said = caplog.text
    assert "no locoh ranges" in said and "reporting mcp" in said
    assert "no level 0.9" in said and "reporting level 0.95" in said


def test_polygons_without_method_and_level_stay_given(first, tmp_path):
    ranges = gpd.read_file(first / "ranges.gpkg")
    mcp = ranges[(ranges["method"] == "mcp") & np.isclose(ranges["level"], 0.95)]
    plain = mcp[["individual", "sex", "geometry"]].reset_index(drop=True)
    options = ReportOptions(area_curve=False, levels=(0.5, 0.9), level=0.9)
    result, text = _report(plain, tmp_path / "plain", options)
    _nothing_already_done(result, text)
    got = _metrics(tmp_path / "plain")
    assert (got["method"] == "given").all() and np.allclose(got["level"], 0.9)
    # measured on the polygons: the MCP's own area (an MCP is its polygon)
    np.testing.assert_allclose(
        got["area_km2"], mcp.set_index("individual")["area_km2"].loc[got.index], rtol=1e-6
    )
    assert got[COUNTS].equals(_metrics(first)[COUNTS])


def test_several_polygons_of_one_animal_are_one_range(first, tmp_path):
    """Two polygons of an animal at the same method and level: their union, one page."""
    ranges = gpd.read_file(first / "ranges.gpkg")
    mcp = ranges[(ranges["method"] == "mcp") & np.isclose(ranges["level"], 0.95)]
    plain = mcp[["individual", "sex", "geometry"]].reset_index(drop=True)
    # split each range in two overlapping halves (west and east, sharing a strip)
    parts = []
    for _, row in plain.iterrows():
        x0, y0, x1, y1 = row.geometry.bounds
        mid = (x0 + x1) / 2
        for a, b in ((x0 - 1, mid + 0.01), (mid - 0.01, x1 + 1)):
            cut = shapely.intersection(row.geometry, shapely.box(a, y0 - 1, b, y1 + 1))
            parts.append({"individual": row["individual"], "sex": row["sex"], "geometry": cut})
    split = gpd.GeoDataFrame(parts, geometry="geometry", crs=plain.crs)
    result, text = _report(split, tmp_path / "split", ReportOptions(area_curve=False))
    _nothing_already_done(result, text)
    assert sorted(result.pages) == ANIMALS
    got = _metrics(tmp_path / "split")
    assert got.index.tolist() == ANIMALS  # one row per animal, not one per polygon
    # the union is the range again; the cuts added vertices along straight lines of
    # longitude, which the equal-area projection bends: areas agree to a few 1e-6
    np.testing.assert_allclose(
        got["area_km2"], mcp.set_index("individual")["area_km2"].loc[got.index], rtol=1e-4
    )
    assert got[COUNTS].equals(_metrics(first)[COUNTS])  # not its own other half
    pairs = pd.read_csv(tmp_path / "split" / "overlaps.csv")
    assert (pairs["individual_a"] != pairs["individual_b"]).all()
    written = gpd.read_file(tmp_path / "split" / "ranges.gpkg")
    assert written["repaired"].str.contains("union of 2 polygons").all()


def test_a_second_run_into_the_same_folder_is_already_done(first, tmp_path):
    """The other side: 'already done' is said when, and only when, it is true."""
    data = read_report_input(first / "ranges.gpkg")
    _report(data, tmp_path / "twice")
    result, text = _report(data, tmp_path / "twice")
    assert result.skipped == ANIMALS
    assert f"({len(ANIMALS)} already done)" in text


def test_given_polygons_without_fix_counts_are_already_done_on_a_rerun(first, tmp_path):
    """Their cached ranges have n_fixes NaN: a re-run reused them, not failed every animal."""
    ranges = gpd.read_file(first / "ranges.gpkg")
    plain = ranges.loc[ranges["method"] == "mcp", ["individual", "sex", "level", "geometry"]]
    _report(plain, tmp_path / "plain")
    result, text = _report(plain, tmp_path / "plain")
    assert result.ok, result.failures
    assert result.reused == ANIMALS and result.skipped == ANIMALS
    assert f"({len(ANIMALS)} already done)" in text


def test_the_ranges_layer_is_read_whatever_layer_comes_first(first, tmp_path):
    """A GeoPackage with a 'corridors' layer before 'ranges' is read as the ranges."""
    ranges = gpd.read_file(first / "ranges.gpkg")
    path = tmp_path / "both.gpkg"
    line = shapely.LineString(shapely.centroid(ranges.geometry.iloc[:2].to_numpy()).tolist())
    corridors = gpd.GeoDataFrame(
        {"from_id": ["Leo 2F"], "to_id": ["Leo 6M"]}, geometry=[line], crs=ranges.crs
    )
    corridors.to_file(path, layer="corridors", driver="GPKG")
    ranges.to_file(path, layer="ranges", driver="GPKG")
    got = read_report_input(path)
    assert len(got) == len(ranges) and set(got.geom_type) <= {"Polygon", "MultiPolygon"}


def test_a_territory_table_round_trips_too(first, tmp_path):
    from habitat.overlap.territory import write_territory_table

    path = write_territory_table(gpd.read_parquet(first / "metrics.parquet"), tmp_path / "t.gpkg")
    result, text = _report(read_report_input(path), tmp_path / "fresh")
    _nothing_already_done(result, text)
    before, after = _metrics(first), _metrics(tmp_path / "fresh")
    assert (after["method"] == "mcp").all()
    np.testing.assert_allclose(after["area_km2"], before["area_km2"], rtol=1e-9)
    assert after[COUNTS].equals(before[COUNTS])

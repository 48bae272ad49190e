"""A report's fragmentation: which zones are measured, per-zone caches, one zone's failure.

The metrics themselves are checked in tests/landscape; here a stand-in
metrics function records what it is asked, so the tests say exactly which
zones a run measures, reuses and notes (the runner's cache rules), without
the cost of the real metrics. The real function runs in
``test_report_fragmentation_pages.py`` on demo animals.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat import datasets
from habitat.batch.fragmentation import (
    FRAGMENTATION_PARAMETERS,
    ZONE_KIND,
    area_zones,
    report_fragmentation,
)
from habitat.core.errors import DataQualityWarning, InputError
from habitat.core.tables import LANDSCAPE_METRICS
from habitat.io.raster import Raster
from habitat.io.study_area import StudyArea, study_layer

CRS = "EPSG:32652"


class FakeMetrics:
    """Stands in for habitat.landscape.landscape_metrics: records the zones of each call."""

    def __init__(self, fail: set[str] | None = None) -> None:
        self.calls: list[list[str]] = []
        self.keywords: list[dict[str, Any]] = []
        self.fail = fail or set()

    def __call__(self, raster: Raster, *, zones: gpd.GeoDataFrame, zone_id: str, **kw: Any):
        ids = zones[zone_id].astype(str).tolist()
        self.calls.append(ids)
        self.keywords.append(kw)
        bad = self.fail & set(ids)
        if bad:
            raise InputError(f"zone {sorted(bad)[0]} lies outside the raster")
        area_ha = zones.to_crs(CRS).area.to_numpy() / 1e4
        return pd.DataFrame(
            {
                "zone_id": ids * 2,
                "level": ["landscape"] * len(ids) + ["class"] * len(ids),
                "class_value": [np.nan] * len(ids) + [1.0] * len(ids),
                "class_name": [None] * len(ids) + ["forest"] * len(ids),
                "area_ha": np.r_[area_ha, area_ha],
                "effective_mesh_size": np.r_[area_ha, area_ha],
                "note": "",
            }
        )

    @property
    def measured(self) -> list[str]:
        return [z for call in self.calls for z in call]


def _square(x: float, y: float, side: float = 2000.0) -> shapely.Polygon:
    return shapely.box(x, y, x + side, y + side)


@pytest.fixture
def area() -> StudyArea:
    cover = Raster(
        np.ones((50, 50), dtype="uint8"),
        (200.0, 0.0, 600_000.0, 0.0, -200.0, 4_810_000.0),
        CRS,
        nodata=0,
        classes={1: "forest"},
    )
    parks = gpd.GeoDataFrame(
        {
            "NAME": ["Park", "Park", "Park", "Reserve"],
            "ZONE": [None, "core", "core", None],
        },
        geometry=[
            _square(600_000, 4_800_000, 6000),
            _square(600_000, 4_800_000),
            _square(602_000, 4_800_000),  # the core zone in two parts: one zone
            _square(604_000, 4_804_000),
        ],
        crs=CRS,
    )
    layer = study_layer(parks, "protected_areas", name_column="NAME", zone_column="ZONE")
    return StudyArea([layer], land_cover=cover, name="test")


@pytest.fixture
def ranges() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"individual": ["A", "B", "C"]},
        geometry=[
            _square(600_500, 4_800_500),
            _square(601_500, 4_801_500),
            _square(603_000, 4_803_000),
        ],
        crs=CRS,
    ).to_crs(4326)


def test_area_zones_are_named_as_the_pages_name_them_and_united_by_name(area) -> None:
    zones = area_zones(area)
    assert zones["zone_id"].tolist() == ["Park", "Reserve", "Park: core"]
    assert zones[ZONE_KIND].tolist() == ["protected_area", "protected_area", "zone"]
    core = zones.to_crs(CRS).area.iloc[2]
    assert core == pytest.approx(2 * 2000.0**2, rel=1e-6)  # both parts, as one zone


def test_bundled_zones_are_every_park_and_park_zone() -> None:
    zones = area_zones(datasets.primorsky())
    assert zones["zone_id"].is_unique
    assert (zones[ZONE_KIND] == "zone").sum() == 4
    assert "Land of the Leopard National Park: core" in set(zones["zone_id"])


def test_every_range_and_area_is_measured_once_with_the_report_parameters(
    area, ranges, tmp_path
) -> None:
    fake = FakeMetrics()
    result = report_fragmentation(ranges, area, cache_dir=tmp_path, metrics_fn=fake)
    assert fake.calls == [["A", "B", "C"], ["Park", "Reserve", "Park: core"]]  # a call per kind
    assert all(kw["neighbours"] == FRAGMENTATION_PARAMETERS["neighbours"] for kw in fake.keywords)
    assert fake.keywords[0]["level"] == ["landscape", "class"]
    table = result.table
    LANDSCAPE_METRICS.validate(table)
    assert list(table.columns[:2]) == [ZONE_KIND, "zone_id"]
    land = table[table["level"] == "landscape"]
    assert land["zone_id"].tolist() == ["A", "B", "C", "Park", "Reserve", "Park: core"]
    assert land[ZONE_KIND].tolist() == ["range"] * 3 + ["protected_area"] * 2 + ["zone"]
    # each range measured in its own polygon: 2 km x 2 km = 400 ha
    np.testing.assert_allclose(land["area_ha"].iloc[:3], 400.0, rtol=1e-6)
    assert (result.reused, result.computed, result.failed) == (0, 6, [])
    assert len(list(tmp_path.glob("*.parquet"))) == 6


def test_a_rerun_measures_only_the_zones_that_changed(area, ranges, tmp_path) -> None:
    first = report_fragmentation(ranges, area, cache_dir=tmp_path, metrics_fn=FakeMetrics())
    again = FakeMetrics()
    same = report_fragmentation(ranges, area, cache_dir=tmp_path, metrics_fn=again)
    assert again.calls == [] and same.reused == 6
    pd.testing.assert_frame_equal(same.table, first.table)

    moved = ranges.copy()
    moved.loc[1, "geometry"] = shapely.affinity.translate(moved.geometry.iloc[1], 0.001)
    fake = FakeMetrics()
    result = report_fragmentation(moved, area, cache_dir=tmp_path, metrics_fn=fake)
    assert fake.measured == ["B"] and result.reused == 5
    assert result.fingerprints["range:A"] == first.fingerprints["range:A"]
    assert result.fingerprints["range:B"] != first.fingerprints["range:B"]
    assert len(list(tmp_path.glob("*.parquet"))) == 6  # B's old cache removed


def test_changed_parameters_or_land_cover_measure_every_zone_again(area, ranges, tmp_path) -> None:
    report_fragmentation(ranges, area, cache_dir=tmp_path, metrics_fn=FakeMetrics())
    fake = FakeMetrics()
    four = {**FRAGMENTATION_PARAMETERS, "neighbours": 4}
    report_fragmentation(ranges, area, cache_dir=tmp_path, parameters=four, metrics_fn=fake)
    assert len(fake.measured) == 6 and fake.keywords[0]["neighbours"] == 4

    cover = area.land_cover
    burnt = cover.array.copy()
    burnt[10, 10] = 2
    other = StudyArea(
        area.layers,
        land_cover=Raster(burnt, cover.transform, cover.crs, nodata=0, classes=cover.classes),
        name="test",
    )
    fake = FakeMetrics()
    report_fragmentation(ranges, other, cache_dir=tmp_path, parameters=four, metrics_fn=fake)
    assert len(fake.measured) == 6


def test_one_zone_that_fails_gets_a_note_and_the_others_their_metrics(
    area, ranges, tmp_path
) -> None:
    fake = FakeMetrics(fail={"B"})
    with pytest.warns(DataQualityWarning, match=r"1 zone\(s\) \(B\)"):
        result = report_fragmentation(ranges, area, cache_dir=tmp_path, metrics_fn=fake)
    assert result.failed == ["B"]
    table = result.table
    b = table[table["zone_id"] == "B"]
    assert len(b) == 1 and b["level"].iloc[0] == "landscape"
    assert "InputError: zone B lies outside the raster" in b["note"].iloc[0]
    assert np.isnan(b["effective_mesh_size"].iloc[0])
    others = table[(table["zone_id"] != "B") & (table["level"] == "landscape")]
    assert others["effective_mesh_size"].notna().all() and len(others) == 5
    # the failure is not cached: the next run tries B again, and only B
    fake = FakeMetrics()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = report_fragmentation(ranges, area, cache_dir=tmp_path, metrics_fn=fake)
    assert fake.measured == ["B"] and again.failed == []


def test_no_land_cover_is_an_error_naming_the_fix(area, ranges) -> None:
    bare = StudyArea(area.layers, name="test")
    with pytest.raises(InputError, match="land_cover"):
        report_fragmentation(ranges, bare, metrics_fn=FakeMetrics())


def test_a_study_area_without_protected_areas_measures_the_ranges_only(area, ranges) -> None:
    bare = StudyArea([], land_cover=area.land_cover, name="test")
    fake = FakeMetrics()
    result = report_fragmentation(ranges, bare, metrics_fn=fake)
    assert fake.calls == [["A", "B", "C"]]
    assert set(result.table[ZONE_KIND]) == {"range"}


def test_without_a_cache_folder_nothing_is_written(area, ranges, tmp_path: Path) -> None:
    report_fragmentation(ranges, area, metrics_fn=FakeMetrics())
    assert list(tmp_path.iterdir()) == []


def test_reports_of_one_session_measure_a_zone_once(area, ranges) -> None:
    """The real metrics' rows are remembered by fingerprint; a stand-in's never are."""
    from habitat.landscape.metrics import landscape_metrics

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = report_fragmentation(ranges, area)
        again = report_fragmentation(ranges, area)
        assert (again.reused, again.computed) == (first.reused + first.computed, 0)
        pd.testing.assert_frame_equal(again.table, first.table)
        direct = landscape_metrics(
            area.land_cover,
            zones=ranges.rename(columns={"individual": "zone_id"}),
            zone_id="zone_id",
            level=("landscape", "class"),
        )
        mine = first.table[first.table[ZONE_KIND] == "range"].drop(columns=ZONE_KIND)
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), direct[mine.columns])
        assert report_fragmentation(ranges, area, overwrite=True).computed == 6
    fake = FakeMetrics()
    report_fragmentation(ranges, area, metrics_fn=fake)
    assert len(fake.measured) == 6

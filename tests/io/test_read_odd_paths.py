"""Vector files are read from the path given, whatever characters it holds.

GDAL/OGR drop control characters from paths, so ``"a\\nb/fixes.gpkg"`` would
be read from ``"ab/fixes.gpkg"``: another file (a silently wrong answer) or
none. A decoy at the mangled path must never be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

import habitat
from habitat.batch.runner import read_report_input
from habitat.core.fs import atomic_path

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reaches files via /proc")


def _write(gdf: gpd.GeoDataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        gdf.to_file(tmp, driver="GPKG")


@pytest.mark.parametrize("odd", ["a\nb", "a\tb", "a\rb"])
def test_relocations_and_report_input_come_from_the_odd_path_not_a_decoy(
    tmp_path: Path, odd: str
) -> None:
    fixes, _ = habitat.simulate_relocations(n_females=1, n_males=1, days=10, seed=1)
    decoy = fixes.iloc[:7]
    _write(fixes, tmp_path / odd / "fixes.gpkg")
    _write(decoy, tmp_path / "ab" / "fixes.gpkg")  # where GDAL would look
    assert len(habitat.read_relocations(tmp_path / odd / "fixes.gpkg")) == len(fixes) == 120
    assert len(read_report_input(tmp_path / odd / "fixes.gpkg")) == 120


def test_given_ranges_from_an_odd_path(tmp_path: Path) -> None:
    ranges = gpd.GeoDataFrame(
        {"individual": ["A", "B"], "sex": ["F", "M"]},
        geometry=[shapely.box(0, 0, 1e4, 1e4), shapely.box(2e4, 0, 3e4, 1e4)],
        crs="EPSG:32652",
    )
    _write(ranges, tmp_path / "r\nx" / "ranges.gpkg")
    _write(ranges.iloc[:1], tmp_path / "rx" / "ranges.gpkg")
    got = read_report_input(tmp_path / "r\nx" / "ranges.gpkg")
    assert sorted(got["individual"]) == ["A", "B"]

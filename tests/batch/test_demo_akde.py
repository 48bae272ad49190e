"""AKDE in the demo (issue 14): the ranges with their intervals in the tables, the
GeoPackage and the study-area map.

Oracles: the demo's own MCP rows (the same fixes are used), the published
meaning of an interval (lower bound < estimate < upper bound, nested
isopleths), polygon areas measured independently (shapely in an equal-area
CRS) against the areas in the table, shares of the protected areas computed
with shapely from the bundled layers, and the interval text of each range as
:func:`habitat.maps.style.interval_text` writes it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from habitat import datasets
from habitat.batch.demo import DEMO_METHODS, interval_ranges
from habitat.maps.style import interval_text

#: the twelve demo leopards
LEOPARDS = [f"Leo {k}{s}" for k in range(1, 7) for s in "FM"]
#: an equal-area CRS centred on the demo study area (areas measured independently)
LAEA = "+proj=laea +lat_0=43 +lon_0=131 +datum=WGS84 +units=m +no_defs"


@pytest.fixture(scope="module")
def demo_out(demo_output: Path) -> Path:
    return demo_output


@pytest.fixture(scope="module")
def csv(demo_out: Path) -> pd.DataFrame:
    return pd.read_csv(demo_out / "home_ranges.csv")


def test_the_demo_runs_akde() -> None:
    assert DEMO_METHODS == ("mcp", "kde", "akde")


def test_akde_rows_for_every_leopard_and_level(csv: pd.DataFrame) -> None:
    akde = csv[csv["method"] == "akde"]
    assert sorted(zip(akde["individual"], akde["level"], strict=True)) == sorted(
        (i, lv) for i in LEOPARDS for lv in (0.5, 0.95)
    )
    # an interval around each estimate, in km² and sq mi, at the stated 95 %
    assert (akde["area_low_km2"] < akde["area_km2"]).all()
    assert (akde["area_km2"] < akde["area_high_km2"]).all()
    assert (akde["area_low_sq_mi"] < akde["area_sq_mi"]).all()
    assert (akde["area_sq_mi"] < akde["area_high_sq_mi"]).all()
    np.testing.assert_allclose(akde["area_high_sq_mi"] * 2.589988110336, akde["area_high_km2"])
    assert (akde["ci_level"] == 0.95).all()
    assert (akde["dof_area"] > 1).all() and akde["model"].str.startswith("O").all()
    # the core is inside the range: smaller, whatever the bounds
    wide = akde.pivot(index="individual", columns="level", values="area_km2")
    assert (wide[0.5] < wide[0.95]).all()
    # estimated from the fixes the MCP used (flagged fixes left out), sexes kept
    mcp = csv[csv["method"] == "mcp"].set_index(["individual", "level"])
    keyed = akde.set_index(["individual", "level"])
    assert keyed["n_fixes"].tolist() == mcp.loc[keyed.index, "n_fixes"].tolist()
    assert keyed["sex"].tolist() == mcp.loc[keyed.index, "sex"].tolist()


def test_mcp_and_kde_rows_carry_no_interval(csv: pd.DataFrame) -> None:
    other = csv[csv["method"] != "akde"]
    assert sorted(set(other["method"])) == ["kde", "mcp"] and len(other) == 48
    assert other[["area_low_km2", "area_high_km2", "dof_area", "model"]].isna().all().all()


def test_geopackage_holds_the_bounds_in_their_own_layers(demo_out: Path, csv: pd.DataFrame) -> None:
    path = demo_out / "home_ranges.gpkg"
    assert [name for name, _ in pyogrio.list_layers(path)] == [
        "home_ranges",
        "home_ranges_low",
        "home_ranges_high",
    ]
    main = gpd.read_file(path, layer="home_ranges")
    assert len(main) == len(csv) == 12 * 2 * 3
    assert main["method"].tolist() == csv["method"].tolist()
    akde = main[main["method"] == "akde"].reset_index(drop=True)
    shapes = {"range": akde.to_crs(LAEA).geometry.to_numpy()}
    for side in ("low", "high"):
        bound = gpd.read_file(path, layer=f"home_ranges_{side}")
        assert bound.crs.to_epsg() == 4326 and set(bound["method"]) == {"akde"}
        assert bound[["individual", "level"]].equals(akde[["individual", "level"]])
        # each bound's polygon has the area the table gives it (contoured on a grid: 1e-3)
        measured = bound.to_crs(LAEA).area.to_numpy() / 1e6
        np.testing.assert_allclose(measured, bound[f"area_{side}_km2"], rtol=1e-3)
        np.testing.assert_allclose(bound[f"area_{side}_km2"], akde[f"area_{side}_km2"])
        shapes[side] = bound.to_crs(LAEA).geometry.to_numpy()
    np.testing.assert_allclose(shapely.area(shapes["range"]) / 1e6, akde["area_km2"], rtol=1e-3)
    # nested isopleths: lower bound inside the range inside the upper bound (1 m² slack)
    assert (shapely.area(shapely.difference(shapes["low"], shapes["range"])) < 1).all()
    assert (shapely.area(shapely.difference(shapes["range"], shapes["high"])) < 1).all()


def _control_groups(page: str) -> dict[str, list[str]]:
    """The grouped layer control's headings and layer names, from the page's script."""
    start = page.index("L.control.groupedLayers(")
    body = page[start : page.index("},\n                {", start)]
    groups: dict[str, list[str]] = {}
    heading = ""
    for line in body.splitlines():
        if m := re.match(r'\s*"(.+)" : \{$', line):
            heading = m.group(1)
            groups[heading] = []
        elif m := re.match(r'\s*"(.+)" : feature_group_\w+,$', line):
            groups[heading].append(m.group(1))
    return groups


def test_map_draws_akde_ranges_and_interval_bands(demo_out: Path, csv: pd.DataFrame) -> None:
    page = (demo_out / "study_area_map.html").read_text(encoding="utf-8")
    # each in a layer of its own that can be switched off; the territories as before
    assert _control_groups(page)["Home ranges"] == [
        "Home ranges (mcp)",
        "Home-range intervals (akde)",
        "Home ranges (akde)",
    ]
    assert "share protected (0-1)" in page
    assert "dashed band: the area&#x27;s interval (lower to upper isopleth)" in page
    # every leopard's 95 % interval is shown twice: on its band and on its isopleth
    akde = csv[(csv["method"] == "akde") & (csv["level"] == 0.95)]
    texts = interval_text(akde["area_low_km2"].to_numpy(), akde["area_high_km2"].to_numpy())
    shown = re.findall(r'"interval": ("[^"]*")', page)
    said = [json.loads(s) for s in shown]
    for text in texts:
        assert said.count(text) == 2, text
    assert len([s for s in said if s]) == 2 * len(LEOPARDS)  # no 50 % AKDE rows on the map


def test_interval_ranges_are_territory_rows_with_intervals(csv: pd.DataFrame) -> None:
    """The map's AKDE rows: 95 % ranges with share protected (shapely oracle) and both bounds."""
    from habitat.batch.demo import load_demo_relocations
    from habitat.homerange import home_range

    area = datasets.primorsky()
    fixes = load_demo_relocations()
    ranges = home_range(
        fixes, method="akde", levels=(0.5, 0.95), species=datasets.species_profile("amur_leopard")
    )
    shown = interval_ranges(ranges, area)
    assert shown["individual"].tolist() == LEOPARDS
    assert set(shown["method"]) == {"akde"} and set(shown["level"]) == {0.95}
    expected = csv[(csv["method"] == "akde") & (csv["level"] == 0.95)].set_index("individual")
    for col in ("area_km2", "area_low_km2", "area_high_km2", "dof_area"):
        np.testing.assert_allclose(shown[col], expected.loc[LEOPARDS, col], rtol=1e-12)
    assert shown["model"].tolist() == expected.loc[LEOPARDS, "model"].tolist()
    # the share protected, measured with shapely: range ∩ union of the protected areas
    protected = shapely.union_all(area.features("protected_areas").to_crs(LAEA).geometry.to_numpy())
    geoms = shown.to_crs(LAEA).geometry.to_numpy()
    share = shapely.area(shapely.intersection(geoms, protected)) / shapely.area(geoms)
    np.testing.assert_allclose(shown["share_protected"], share, rtol=0, atol=1e-4)
    assert 0 < share.min() and share.max() <= 1
    # the bounds' polygons travel with the rows (by individual, not by position)
    shuffled = interval_ranges(ranges.sample(frac=1.0, random_state=3), area)
    assert shuffled["individual"].tolist() != LEOPARDS
    for table in (shown, shuffled):
        for side in ("low", "high"):
            bound = gpd.GeoSeries(table[f"geometry_{side}"]).to_crs(LAEA)
            np.testing.assert_allclose(bound.area / 1e6, table[f"area_{side}_km2"], rtol=1e-3)
    # no rows of that method: an empty table, nothing to draw
    assert len(interval_ranges(ranges.assign(method="kde"), area)) == 0

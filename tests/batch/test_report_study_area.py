"""run_report and its input on any study area and species (habitat.batch.study).

Generated data only: fishers in New York (UTM 18N), albatross-like birds near
the Galapagos (40-60 km/h between hourly fixes), and the bundled demo leopards.
The study area and the species profile follow from where the data are unless
given; the speed limit of the profile is the one fixes are flagged with; a
changed layer or profile is never hidden by a cache.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat import datasets
from habitat.batch import study
from habitat.batch.config import ReportOptions, check_input_paths, load_config
from habitat.batch.runner import prepare_report_input, read_report_input, run_report
from habitat.core.errors import ConfigError, DataFileError, DataQualityWarning
from habitat.io.species import SpeciesProfile
from habitat.io.study_area import StudyArea, study_layer

BUNDLED = re.compile(r"Leopard|leopard|Primorsky|China|Border Security|Kedrovaya|Russia")
UTM18 = "EPSG:32618"
CENTRES = {"F1": (540_000, 4_870_000), "F2": (560_000, 4_875_000), "M1": (550_000, 4_860_000)}
SEXES = {"F1": "F", "F2": "F", "M1": "M"}
FAST = ReportOptions(methods=("mcp",), levels=(0.95,), level=0.95, area_curve=False)
FISHER = SpeciesProfile.from_mapping(
    {"name": "fisher", "common_name": "Fisher", "max_speed_kmh": 10,
     "area_km2": {"F": [1, 85], "M": ["none", 230]}}
)  # fmt: skip
DEMO_CSV = datasets.data_path("relocations", "demo_leopards.csv")
DEMO_REF = datasets.data_path("relocations", "demo_leopards_reference.csv")


@pytest.fixture(scope="module")
def fishers() -> gpd.GeoDataFrame:
    """300 fixes of each fisher, within 2.8 km of its centre, every 7 h."""
    rng = np.random.default_rng(11)
    parts = []
    times = pd.date_range("2025-01-06", periods=300, freq="7h", tz="UTC")
    for ind, (cx, cy) in CENTRES.items():
        dx, dy = np.clip(rng.normal(0, 800, (2, 300)), -2800, 2800)
        parts.append(
            gpd.GeoDataFrame(
                {"individual": ind, "sex": SEXES[ind], "timestamp": times},
                geometry=gpd.points_from_xy(cx + dx, cy + dy),
                crs=UTM18,
            )
        )
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=UTM18)


@pytest.fixture(scope="module")
def albatross_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two birds east of the Galapagos: 100 hourly steps each of 40-60 km/h."""
    rng = np.random.default_rng(2)
    rows = []
    for b in range(2):
        step_km = rng.uniform(40, 60, 100)
        # due east along the equator: 1 degree of longitude is 111.32 km
        lon = -89.0 + np.concatenate([[0], np.cumsum(step_km / 111.32)])
        rows.append(
            pd.DataFrame(
                {
                    "timestamp": pd.date_range(
                        "2025-06-01", periods=101, freq="h", tz="UTC"
                    ).strftime("%Y-%m-%d %H:%M:%S"),
                    "location-long": lon,
                    "location-lat": -0.5 - 0.2 * b,
                    "individual-local-identifier": f"Albatross {b + 1}",
                }
            )
        )
    path = tmp_path_factory.mktemp("birds") / "albatrosses.csv"
    pd.concat(rows).to_csv(path, index=False)
    return path


def _parks(name: str = "Hemlock Ridge State Forest") -> StudyArea:
    parks = gpd.GeoDataFrame(
        {"NAME": [name]}, geometry=[shapely.box(534_000, 4_864_000, 546_000, 4_876_000)], crs=UTM18
    )
    return StudyArea([study_layer(parks, "parks", name_column="NAME")], name="Adirondack fishers")


# ------------------------------------------------------------------ speed limits from the species


def test_albatrosses_get_no_speed_flag_without_a_profile(albatross_csv):
    read = prepare_report_input(albatross_csv)
    assert read.species is None and read.max_speed_kmh is None and read.study_area.is_empty
    assert not read.data["flag_speed"].any()
    # the speeds are measured anyway: 40-60 km/h (geodesic, near the equator)
    speeds = read.data["speed_kmh"].dropna()
    assert speeds.min() > 39.5 and speeds.max() < 60.5
    # read_report_input's default is the same rule
    assert not read_report_input(albatross_csv)["flag_speed"].any()


def test_albatrosses_are_flagged_by_the_profile_asked_for(albatross_csv):
    read = prepare_report_input(albatross_csv, species="amur_leopard")
    assert read.species.name == "amur_leopard" and read.max_speed_kmh == 20
    # every fix is a spike at 20 km/h: in and out both faster
    assert read.data.groupby("individual")["flag_speed"].sum().min() >= 99
    # an explicit limit wins over the profile's; None turns the check off
    loose = prepare_report_input(albatross_csv, species="amur_leopard", max_speed_kmh=100)
    assert loose.max_speed_kmh == 100 and not loose.data["flag_speed"].any()
    off = prepare_report_input(albatross_csv, species="amur_leopard", max_speed_kmh=None)
    assert off.max_speed_kmh is None and not off.data["flag_speed"].any()


def test_demo_leopards_keep_their_leopard_speed_flags_and_lose_them_with_no_profile():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read = prepare_report_input(DEMO_CSV, reference=DEMO_REF)
    assert read.study_area.name == "SW Primorsky Krai (schematic)"
    assert read.species.name == "amur_leopard" and read.max_speed_kmh == 20
    assert int(read.data["flag_speed"].sum()) == 3  # the planted spikes
    assert int(read.data["flag_any"].sum()) == 14
    # the file is read twice (first without a speed limit): its warning is shown once
    flagged = [w for w in caught if issubclass(w.category, DataQualityWarning)]
    assert len(flagged) == 1 and "3 speed" in str(flagged[0].message)
    none = prepare_report_input(DEMO_CSV, reference=DEMO_REF, species="none")
    assert none.species is None and int(none.data["flag_speed"].sum()) == 0
    assert int(none.data["flag_any"].sum()) == 14 - 3  # every other flag stays
    assert none.study_area.name == "SW Primorsky Krai (schematic)"


def test_a_spike_to_the_other_side_of_the_world_does_not_place_the_data(tmp_path):
    """A fix at (0, 0) among New York fixes: the extent is that of the unflagged fixes."""
    data = gpd.GeoDataFrame(
        {"individual": "F1", "flag_any": [False, False, True]},
        geometry=shapely.points([(-74.5, 44.0), (-74.4, 44.1), (131.2, 43.1)]),
        crs=4326,
    )
    assert study.extent_basis(data).geometry.x.max() < -74
    assert study.resolve_study_area(data).is_empty  # the spike is in Primorsky: ignored


# ------------------------------------------------------------------ reports


def test_fishers_report_names_nothing_bundled_and_says_no_profile(fishers, tmp_path, caplog):
    caplog.set_level("INFO", logger="habitat")
    lines: list[str] = []
    result = run_report(fishers, tmp_path / "r", options=FAST, progress=lines.append)
    assert result.ok
    texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "r").rglob("*.html")]
    texts.append((tmp_path / "r" / "metrics.csv").read_text(encoding="utf-8"))
    assert not [t for t in texts if BUNDLED.search(t)]
    assert sum("no species profile: no range-size check, no speed flag" in x for x in lines) == 1
    bundled_lines = [
        r.getMessage() for r in caplog.records if "no bundled layers" in r.getMessage()
    ]
    assert len(bundled_lines) == 1
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Territory report</h1>" in index
    assert "No species profile: no range-size check, no speed flag" in index


def test_titles_come_from_the_study_area_then_the_species(fishers, tmp_path):
    run_report(fishers, tmp_path / "a", options=FAST, study_area=_parks(), species=FISHER,
               progress=False)  # fmt: skip
    index = (tmp_path / "a" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Territory report: Adirondack fishers</h1>" in index
    run_report(fishers, tmp_path / "b", options=FAST, species=FISHER, progress=False)
    index = (tmp_path / "b" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Territory report: Fisher</h1>" in index
    assert "Species profile fisher: Fisher" in index
    given = ReportOptions(methods=("mcp",), levels=(0.95,), area_curve=False, title="Season 1")
    run_report(fishers, tmp_path / "c", options=given, species=FISHER, progress=False)
    assert "<h1>Season 1</h1>" in (tmp_path / "c" / "index.html").read_text(encoding="utf-8")


def test_demo_leopards_report_as_before_under_the_bundled_area(tmp_path):
    demo = read_report_input(DEMO_CSV, reference=DEMO_REF)
    two = demo[demo["individual"].isin(["Leo 1F", "Leo 2F"])]
    run_report(two, tmp_path / "r", options=FAST, progress=False)
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Territory report: SW Primorsky Krai (schematic)</h1>" in index
    assert "Species profile amur_leopard" in index
    metrics = pd.read_csv(tmp_path / "r" / "metrics.csv")
    assert metrics["share_protected"].gt(0).all()  # both ranges lie in the park
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["options"]["max_speed_kmh"] == 20  # what the fixes were flagged with
    assert manifest["options"]["ud_cell_size_m"] == 200  # the profile's UD cells
    assert manifest["options"]["species"]["name"] == "amur_leopard"
    page = (tmp_path / "r" / "pages" / "Leo_1F.html").read_text(encoding="utf-8")
    assert "200 m cells, as set by the amur_leopard profile" in page


def test_a_changed_layer_redraws_pages_and_a_changed_profile_recomputes(fishers, tmp_path):
    out = tmp_path / "r"
    first = run_report(fishers, out, options=FAST, study_area=_parks(), species=FISHER,
                       progress=False)  # fmt: skip
    assert first.ok and sorted(first.recomputed) == ["F1", "F2", "M1"]
    before = json.loads((out / "manifest.json").read_text())
    # the park renamed: the estimates are reused, every page is redrawn
    renamed = _parks("Cold Brook Preserve")
    again = run_report(fishers, out, options=FAST, study_area=renamed, species=FISHER,
                       progress=False)  # fmt: skip
    assert sorted(again.reused) == ["F1", "F2", "M1"] and again.skipped == []
    after = json.loads((out / "manifest.json").read_text())
    assert after["study_area_sha256"] != before["study_area_sha256"]
    assert "Cold Brook Preserve" in (out / "pages" / "F1.html").read_text(encoding="utf-8") or any(
        "cold_brook" in c for c in pd.read_csv(out / "metrics.csv").columns
    )
    # the same again: nothing to do
    same = run_report(fishers, out, options=FAST, study_area=renamed, species=FISHER,
                      progress=False)  # fmt: skip
    assert sorted(same.skipped) == ["F1", "F2", "M1"]
    # another profile judges the sizes differently: the estimates are recomputed
    other = run_report(fishers, out, options=FAST, study_area=renamed, species="amur_leopard",
                       progress=False)  # fmt: skip
    assert sorted(other.recomputed) == ["F1", "F2", "M1"]
    assert all("species" in why for why in other.recomputed.values())
    metrics = pd.read_csv(out / "metrics.csv").set_index("individual")
    assert not metrics.loc[["F1", "F2"], "plausible"].any()  # ~2-8 km² is no leopard female


def test_legacy_layers_mapping_keeps_bundled_roles_and_refuses_both_forms(fishers):
    bundled = datasets.layers()
    area = study.legacy_study_area({"land_of_the_leopard": bundled["land_of_the_leopard"]},
                                   land_cover=None)  # fmt: skip
    assert [lyr.role for lyr in area.layers] == ["protected_areas"]
    assert area.species == "amur_leopard"
    with pytest.raises(ConfigError, match="not both"):
        study.resolve_study_area(fishers, _parks(), layers={"x": bundled["roads"]})


# ------------------------------------------------------------------ options and configs


def test_report_options_speed_and_title_defaults():
    assert ReportOptions().max_speed_kmh == "species" and ReportOptions().title is None
    assert ReportOptions(max_speed_kmh="none").max_speed_kmh is None
    assert ReportOptions(max_speed_kmh=35).max_speed_kmh == 35
    with pytest.raises(ConfigError, match="max_speed_kmh"):
        ReportOptions(max_speed_kmh="fast")
    leopard = datasets.species_profile("amur_leopard")
    resolved = study.resolved_options(ReportOptions(), datasets.primorsky(), leopard)
    assert (resolved.max_speed_kmh, resolved.ud_cell_size_m) == (20, 200)
    # values given win over the profile's
    mine = study.resolved_options(ReportOptions(ud_cell_size_m=50, max_speed_kmh=90), None, leopard)
    assert (mine.max_speed_kmh, mine.ud_cell_size_m) == (90, 50)
    # no profile: no speed check, cells from the bandwidth
    bare = study.resolved_options(ReportOptions(), StudyArea(), None)
    assert (bare.max_speed_kmh, bare.ud_cell_size_m, bare.title) == (None, None, "Territory report")


def test_config_study_area_and_species(tmp_path):
    parks = gpd.GeoDataFrame(
        {"NAME": ["Hemlock Ridge State Forest"]},
        geometry=[shapely.box(534_000, 4_864_000, 546_000, 4_876_000)],
        crs=UTM18,
    )
    parks.to_file(tmp_path / "parks.gpkg")
    (tmp_path / "area.toml").write_text(
        'name = "Adirondacks"\n[[layers]]\nrole = "parks"\npath = "parks.gpkg"\n'
        'name_column = "NAME"\n'
    )
    (tmp_path / "fisher.toml").write_text('name = "fisher"\nmax_speed_kmh = 10\n')
    (tmp_path / "a.toml").write_text('species = "fisher.toml"\n[study_area]\npath = "area.toml"\n')
    options, inputs = load_config(tmp_path / "a.toml")
    check_input_paths(inputs)
    assert inputs["species"] == str(tmp_path / "fisher.toml")
    area = study.config_study_area(inputs)
    assert area.name == "Adirondacks"
    assert area.features("protected_areas")["name"].tolist() == ["Hemlock Ridge State Forest"]
    # inline, with the species in [report]
    (tmp_path / "b.toml").write_text(
        '[study_area]\nname = "Inline"\n[[study_area.layers]]\nrole = "parks"\n'
        'path = "parks.gpkg"\nname_column = "NAME"\n[report]\nspecies = "none"\n'
    )
    _, inputs = load_config(tmp_path / "b.toml")
    assert inputs["species"] == "none" and study.config_study_area(inputs).name == "Inline"
    (tmp_path / "c.toml").write_text('species = "none"\n[report]\nspecies = "amur_leopard"\n')
    with pytest.raises(ConfigError, match="species is given twice"):
        load_config(tmp_path / "c.toml")
    (tmp_path / "d.toml").write_text('[study_area]\npath = "missing.toml"\n')
    _, inputs = load_config(tmp_path / "d.toml")
    with pytest.raises(DataFileError, match="study_area.path"):
        check_input_paths(inputs)
    (tmp_path / "e.toml").write_text('[study_area]\npath = "area.toml"\nname = "x"\n')
    with pytest.raises(ConfigError, match="not both"):
        load_config(tmp_path / "e.toml")
    (tmp_path / "g.toml").write_text('[study_area]\npath = "area.toml"\n[layers]\nroads = "none"\n')
    with pytest.raises(ConfigError, match="not both"):
        load_config(tmp_path / "g.toml")
    # the legacy [layers] table: bundled layers by name, with their roles
    (tmp_path / "f.toml").write_text('[layers]\nroads = "none"\nland_cover = "none"\n')
    _, inputs = load_config(tmp_path / "f.toml")
    legacy = study.config_study_area(inputs)
    assert "roads" not in {lyr.key for lyr in legacy.layers} and legacy.land_cover is None
    assert {lyr.key: lyr.role for lyr in legacy.layers}["park_zones"] == "protected_areas"


def test_land_cover_classes_from_a_csv(tmp_path):
    (tmp_path / "classes.csv").write_text("value,label\n41,Deciduous forest\n11,Open water\n")
    assert study.read_land_cover_classes(tmp_path / "classes.csv") == {
        41: "Deciduous forest",
        11: "Open water",
    }
    (tmp_path / "bad.csv").write_text("value,name\nforest,Forest\n")
    with pytest.raises(DataFileError, match="row 2"):
        study.read_land_cover_classes(tmp_path / "bad.csv")


def test_a_land_cover_too_fine_for_the_ranges_is_left_out_not_the_whole_report(
    fishers, tmp_path, monkeypatch, caplog
):
    """Composition refusing ranges too large for its cells (TooLargeError) costs the report
    its land-cover columns, said in the log, not every animal's page."""
    from habitat.core.errors import TooLargeError
    from habitat.io.raster import Raster
    from habitat.landscape import composition

    def too_large(*args, **kwargs):
        raise TooLargeError("ranges span 4e9 cells of the land cover (limit 1e8)")

    monkeypatch.setattr(composition, "composition_in_ranges", too_large)
    cover = Raster(
        np.ones((40, 40), dtype="uint8"),
        (500.0, 0.0, 530_000.0, 0.0, -500.0, 4_880_000.0),
        UTM18,
        nodata=0,
        classes={1: "Deciduous forest"},
    )
    parks = _parks()
    area = StudyArea(parks.layers, land_cover=cover, name=parks.name)
    with caplog.at_level("WARNING", logger="habitat"):
        result = run_report(
            fishers,
            tmp_path / "r",
            study_area=area,
            species=None,
            progress=False,
            options=ReportOptions(area_curve=False),
        )
    assert result.ok and len(result.pages) == 3
    metrics = pd.read_csv(result.files["metrics_csv"])
    assert "share_deciduous_forest" not in metrics.columns
    assert "share_pa_hemlock_ridge_state_forest" in metrics.columns
    assert any("land-cover composition left out" in r.getMessage() for r in caplog.records)

"""The analyst's workflow through the Python API: own layers, own species, own place.

What is asserted, and against what:

* territory shares of ranges drawn as boxes on the UTM 18N grid of the layers
  (``own_area.GEOMETRY``): exact fractions (0.5 of a range in each of two
  zones, 0.625 / 0.375 across a county line...), up to the difference between
  the local equal-area CRS and the grid (< 1e-3);
* plausibility: a female fisher of 2.0 sq mi (5.18 km² true 95 % area) is
  plausible for the fisher profile (Weir et al.: females 1-85 km²) and not for
  the Amur leopard's 15-38 sq mi; without a profile, no size check at all;
* speed flags: seabirds flying 30-70 km/h are flagged by the leopard's
  20 km/h limit and by nothing else;
* CRS: whatever CRS is chosen for New York or Galapagos data, its scale at the
  data is 1 within 1 % and its angular distortion below 1° (a CRS centred in
  Africa or in Primorsky fails this by orders of magnitude).
"""

from __future__ import annotations

import math
import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import CRS, Proj

import habitat
from habitat import datasets
from habitat.homerange import estimation_crs

from .conftest import BUNDLED_WORDS, bundled_words_in, visible_text
from .own_area import CRS_UTM, local_box

# --------------------------------------------------------------------------- helpers


def assert_local_crs(crs: object, data: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
    """``crs`` measures the data's extent without distortion: scale 1 ± 1 %, angles < 1°."""
    crs = CRS.from_user_input(crs)
    assert crs.is_projected, crs
    w, s, e, n = data.to_crs(4326).total_bounds
    lon = np.array([w, e, w, e, (w + e) / 2])
    lat = np.array([s, s, n, n, (s + n) / 2])
    factors = Proj(crs).get_factors(lon, lat)
    assert np.all(np.abs(np.asarray(factors.areal_scale) - 1) < 0.01), (crs.name, factors)
    assert np.all(np.asarray(factors.angular_distortion) < 1.0), (crs.name, factors)


def crs_from_text(text: str) -> CRS:
    """A ``crs_used`` value ("EPSG:32618 (WGS 84 / UTM zone 18N)" or a PROJ string) as a CRS."""
    try:
        return CRS.from_user_input(text)
    except Exception:
        return CRS.from_user_input(text.split(" (")[0])


def test_the_local_crs_check_refuses_a_crs_centred_elsewhere(fishers):
    africa = "+proj=laea +lat_0=0 +lon_0=20 +datum=WGS84 +units=m"
    with pytest.raises(AssertionError):
        assert_local_crs(africa, fishers)
    with pytest.raises(AssertionError):
        assert_local_crs("EPSG:32652", fishers)  # UTM 52N: Primorsky's zone
    assert_local_crs(CRS_UTM, fishers)


def ranges_drawn_on_the_grid() -> gpd.GeoDataFrame:
    """Four ranges drawn in local km on the layers' own grid (see ``own_area.GEOMETRY``).

    A (F) 2 x 2 km straddling the Wilderness / Intensive Use line of Hemlock Ridge;
    B (M) 4 x 2 km across the county line at x = 15 (2.5 km west, 1.5 km east),
    crossed by NY 30 (4 km inside) and County Road 8 (2 km inside), outside every park;
    C (F) 2 x 2 km inside Cold Brook Preserve;
    D (M) 2 x 2 km with its south-west quarter in Otter Lake WMA.
    """
    boxes = {
        "A": ("F", (7, 9, 9, 11)),
        "B": ("M", (12.5, 15, 16.5, 17)),
        "C": ("F", (18, 13, 20, 15)),
        "D": ("M", (25, 6, 27, 8)),
    }
    table = gpd.GeoDataFrame(
        {"individual": list(boxes), "sex": [v[0] for v in boxes.values()]},
        geometry=[local_box(*v[1]) for v in boxes.values()],
        crs=CRS_UTM,
    )
    return habitat.home_ranges_from_polygons(table, level=0.95)


@pytest.fixture(scope="module")
def area(own):
    return habitat.read_study_area(own["study_area"])


@pytest.fixture(scope="module")
def fisher(own):
    return datasets.species_profile(own["fisher_profile"])


# --------------------------------------------------------------------------- territory table


#: expected shares of the ranges A, B, C, D drawn on the grid, by (role, name, zone)
EXPECTED_SHARES = {
    ("protected_areas", "Hemlock Ridge State Forest", None): [1.0, 0.0, 0.0, 0.0],
    ("protected_areas", "Hemlock Ridge State Forest", "Wilderness"): [0.5, 0.0, 0.0, 0.0],
    ("protected_areas", "Hemlock Ridge State Forest", "Intensive Use"): [0.5, 0.0, 0.0, 0.0],
    ("protected_areas", "Cold Brook Preserve", None): [0.0, 0.0, 1.0, 0.0],
    ("protected_areas", "Otter Lake Wildlife Management Area", None): [0.0, 0.0, 0.0, 0.25],
    ("admin_units", "Tamarack County", None): [1.0, 0.625, 0.0, 0.0],
    ("admin_units", "Black River County", None): [0.0, 0.375, 1.0, 1.0],
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def test_territory_table_names_the_users_parks_zones_and_counties(area):
    from habitat.overlap.territory import area_shares

    ranges = ranges_drawn_on_the_grid()
    table = habitat.territory_table(ranges, area, level=0.95)
    assert table["individual"].tolist() == ["A", "B", "C", "D"]
    # which column holds which of the user's areas: the long table says
    long = area_shares(ranges, area, level=0.95)
    where = {
        (r.role, r.name, None if pd.isna(r.zone) else r.zone): r.column
        for r in long.drop_duplicates("column").itertuples()
    }
    assert set(where) == set(EXPECTED_SHARES)  # one column per park, zone and county: no more
    for key, expected in EXPECTED_SHARES.items():
        column = where[key]
        # named from the user's own names (PARK_NAME, ZONE_TYPE, COUNTY)
        assert column.startswith("share_") and _slug(key[1]) in column, column
        assert key[2] is None or _slug(key[2]) in column, column
        np.testing.assert_allclose(
            table[column].to_numpy(float), expected, atol=1e-3, err_msg=column
        )
    np.testing.assert_allclose(table["share_protected"], [1.0, 0.0, 1.0, 0.25], atol=1e-3)
    # nothing of the bundled study area: no legacy park/reserve/country columns
    shares = [c for c in table.columns if c.startswith("share_")]
    assert sorted(shares) == sorted([*where.values(), "share_protected"])
    assert not [c for c in shares if re.search(r"leopard|kedrov|china|russia|country", c)]
    assert table[["n_same_sex_neighbours", "n_opposite_sex_neighbours"]].to_numpy().sum() == 0


def test_area_shares_keep_the_users_own_names(area):
    from habitat.overlap.territory import area_shares

    long = area_shares(ranges_drawn_on_the_grid(), area, level=0.95)
    names = set(long["name"].dropna())
    assert names == {
        "Hemlock Ridge State Forest",
        "Cold Brook Preserve",
        "Otter Lake Wildlife Management Area",
        "Tamarack County",
        "Black River County",
    }
    assert set(long["zone"].dropna()) == {"Wilderness", "Intensive Use"}
    a = long[(long["individual"] == "A") & (long["zone"] == "Wilderness")]
    assert a["share"].to_numpy(float) == pytest.approx([0.5], abs=1e-3)
    assert a["category"].tolist() == ["Ib"]  # from IUCN_CAT
    # half of a 2 km x 2 km grid square; on the ground 1/k² ≈ 1.0007 times the grid's
    assert a["area_km2"].to_numpy(float) == pytest.approx([2.0], rel=2e-3)


def test_land_cover_and_roads_inside_ranges_drawn_on_the_grid(area):
    from habitat.landscape.composition import barrier_lengths, landscape_in_ranges

    # B: 4 x 2 km crossed by NY 30 (4 km inside) and County Road 8 (2 km inside);
    # E: 2 x 1 km over the lake's east shore, cells of 50 m aligned with its edges:
    #    1.5 km² of open water, 0.5 km² of evergreen forest
    ranges = pd.concat(
        [
            ranges_drawn_on_the_grid().iloc[[1]],
            habitat.home_ranges_from_polygons(
                gpd.GeoDataFrame(
                    {"individual": ["E"], "sex": ["F"]},
                    geometry=[local_box(10.5, 18.5, 12.5, 19.5)],
                    crs=CRS_UTM,
                ),
                level=0.95,
            ),
        ],
        ignore_index=True,
    )
    table = landscape_in_ranges(ranges, area)
    share = {c: table[c].to_numpy(float) for c in table.columns if c.startswith("share_")}
    by_name = {k.lower(): v for k, v in share.items()}
    assert by_name["share_open_water"] == pytest.approx([0.0, 0.75], abs=1e-12)
    assert by_name["share_evergreen_forest"] == pytest.approx([0.0, 0.25], abs=1e-12)
    assert by_name["share_deciduous_forest"] == pytest.approx([1.0, 0.0], abs=1e-12)
    assert table["n_cells"].tolist() == [3200, 800]  # 8 km² and 2 km² of 50 m cells
    # roads: 6 km of road in B (in its UTM zone, the layers' own grid), none in E
    assert table["roads_length_km"].to_numpy(float) == pytest.approx([6.0, 0.0], rel=1e-6)
    assert table["roads_density_km_per_km2"].to_numpy(float) == pytest.approx(
        [6.0 / 8.0, 0.0], rel=2e-3
    )
    long = barrier_lengths(ranges, area)
    assert long["kind"].iloc[0] == "County Road; Forest Road; State Route"  # from RD_CLASS


# --------------------------------------------------------------------------- species


def test_fisher_profile_makes_a_two_square_mile_female_plausible(fishers, fisher):
    own = habitat.home_range(fishers, method="kde", levels=(0.95,), species=fisher)
    assert own.attrs["species"] == "fisher"
    f01 = own.set_index("individual").loc["F01"]
    assert 1.5 < f01["area_sq_mi"] < 2.5  # true 95 % area 2.0 sq mi; href KDE within 25 %
    assert own["plausible"].all(), own[["individual", "plausibility"]]

    leopard = habitat.home_range(fishers, method="kde", levels=(0.95,), species="amur_leopard")
    by = leopard.set_index("individual")
    assert not by.loc["F01", "plausible"] and not by.loc["F02", "plausible"]
    assert "15" in by.loc["F01", "plausibility"] and "38" in by.loc["F01", "plausibility"]
    assert by.loc["M01", "plausible"]  # males: no lower bound, up to 155 sq mi


def test_without_a_profile_ranges_get_no_size_check(fishers):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no profile is a choice, not a data problem
        ranges = habitat.home_range(fishers, method="kde", levels=(0.95,))
    assert ranges.attrs["species"] is None
    assert ranges["plausible"].all()
    tiny = fishers.assign(sex="F")
    none = habitat.home_range(tiny, method="mcp", levels=(0.95,), species=None)
    assert none["plausible"].all() and none.attrs["species"] is None


def test_the_profile_and_its_bounds_give_the_same_verdicts(fishers, fisher):
    by_profile = habitat.home_range(fishers, method="mcp", levels=(0.95,), species="amur_leopard")
    leopard = datasets.species_profile("amur_leopard")
    by_bounds = habitat.home_range(
        fishers, method="mcp", levels=(0.95,), expected_area_sq_mi=leopard.expected_area_sq_mi
    )
    assert (
        by_profile["plausible"].tolist()
        == by_bounds["plausible"].tolist()
        == [
            False,
            False,
            True,
        ]
    )


def test_speed_flags_follow_the_species_profile(albatrosses, own):
    assert not albatrosses["flag_speed"].any()  # no profile: no speed flag
    leopard = datasets.species_profile("amur_leopard")
    bird = datasets.species_profile(own["albatross_profile"])
    fast = habitat.flag_relocations(albatrosses, max_speed_kmh=leopard.max_speed_kmh)
    assert fast["flag_speed"].sum() > 0.2 * len(fast)
    ok = habitat.flag_relocations(albatrosses, max_speed_kmh=bird.max_speed_kmh)
    assert not ok["flag_speed"].any()
    # the measured speeds are the drawn ones (30-70 km/h), whatever the limit
    speeds = ok["speed_kmh"].dropna()
    assert speeds.between(29, 72).all()


def test_seabird_ranges_are_measured_and_judged_by_their_own_profile(albatrosses, own):
    ranges = habitat.home_range(
        albatrosses, method="mcp", levels=(0.95,), species=own["albatross_profile"]
    )
    assert ranges.attrs["species"] == "waved_albatross"
    assert ranges["area_km2"].between(1e4, 2e6).all(), ranges["area_km2"].tolist()
    assert ranges["plausible"].all()


# --------------------------------------------------------------------------- CRS


def test_ranges_are_estimated_in_a_crs_local_to_the_data(fishers, albatrosses):
    for fixes in (fishers, albatrosses):
        assert_local_crs(estimation_crs(fixes), fixes)
    ranges = habitat.home_range(fishers, method="mcp", levels=(0.95,), species=None)
    assert_local_crs(crs_from_text(ranges["crs_used"].iloc[0]), fishers)
    assert_local_crs(crs_from_text("EPSG:32618 (WGS 84 / UTM zone 18N)"), fishers)


def test_study_area_near_the_fixes_keeps_every_own_layer(area, fishers):
    near = area.near(fishers)
    assert [lyr.key for lyr in near.layers] == [lyr.key for lyr in area.layers]
    assert near.land_cover is not None
    far = area.near(gpd.GeoSeries.from_xy([-89.6], [-1.4], crs=4326))  # Galapagos
    assert far.is_empty


# --------------------------------------------------------------------------- map


def _fit_bounds(html: str) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the map's first fitBounds call."""
    m = re.search(
        r"fitBounds\(\s*\[\s*\[\s*([-\d.e]+)\s*,\s*([-\d.e]+)\s*\]\s*,\s*\[\s*([-\d.e]+)\s*,"
        r"\s*([-\d.e]+)\s*\]",
        html,
    )
    assert m, "no fitBounds in the map"
    return tuple(float(v) for v in m.groups())  # type: ignore[return-value]


def test_map_of_the_own_study_area(area, fishers, fisher, tmp_path):
    from habitat.maps import save_map, study_area_map

    ranges = habitat.home_range(fishers, method="kde", levels=(0.5, 0.95), species=fisher)
    m = study_area_map(area, relocations=fishers, ranges=ranges, land_cover=area.land_cover)
    html = save_map(m, tmp_path / "map.html").read_text(encoding="utf-8")
    for name in ("Hemlock Ridge State Forest", "Cold Brook Preserve", "Tamarack County", "NY 30"):
        assert name in html, name
    assert not BUNDLED_WORDS.findall(html), sorted(set(BUNDLED_WORDS.findall(html)))
    assert "Hemlock Ridge fishers" in html  # the title comes from the study area
    south, west, north, east = _fit_bounds(html)
    # the view is the fixes and the layers near them: about 44 N, 74.5 W, a few tens of km
    assert 43.5 < south < north < 44.5 and -75.0 < west < east < -74.0, (south, west, north, east)


def test_map_of_data_far_from_any_layer_fits_the_data(albatrosses, fishers, tmp_path):
    from habitat.maps import save_map, study_area_map

    # seabirds with the defaults a new user gets: no layers near them
    area = datasets.study_area_for(albatrosses)
    html = save_map(study_area_map(area, relocations=albatrosses), tmp_path / "a.html").read_text(
        encoding="utf-8"
    )
    south, west, north, east = _fit_bounds(html)
    assert -6.0 <= south < north <= 2.0 and -92.0 <= west < east <= -80.0
    assert not BUNDLED_WORDS.findall(html)
    assert "Fixes of 2 animals" in html  # a title from the data
    # the bundled layers given on purpose to New York data: all far, all left out
    html = save_map(
        study_area_map(datasets.primorsky(), relocations=fishers), tmp_path / "f.html"
    ).read_text(encoding="utf-8")
    south, west, north, east = _fit_bounds(html)
    assert 43.5 < south < north < 44.5 and -75.0 < west < east < -74.0
    assert not BUNDLED_WORDS.findall(html), sorted(set(BUNDLED_WORDS.findall(html)))


# --------------------------------------------------------------------------- report


@pytest.fixture(scope="module")
def report(area, fishers, fisher, tmp_path_factory):
    """The fishers' report folder, written by run_report with the own study area and profile."""
    from habitat.batch import ReportOptions, run_report

    folder = tmp_path_factory.mktemp("api_report") / "report"
    options = ReportOptions(methods=("kde", "mcp"), area_curve=False)
    result = run_report(
        fishers, folder, study_area=area, species=fisher, options=options, progress=False
    )
    assert not len(result.failures)
    return folder


def test_report_of_the_own_study_area_names_only_the_users_areas(report):
    assert bundled_words_in(report) == {}
    assert "Hemlock Ridge fishers" in visible_text(report / "index.html")
    metrics = pd.read_csv(report / "metrics.csv")
    assert set(metrics["individual"]) == {"F01", "F02", "M01"}
    assert {"share_pa_hemlock_ridge_state_forest", "share_admin_tamarack_county"} <= set(
        metrics.columns
    )
    assert metrics["plausible"].all()  # judged as fishers, not as leopards
    # every range was estimated in a CRS local to the fishers (crs_used of ranges.gpkg)
    ranges = gpd.read_file(report / "ranges.gpkg", layer="ranges")
    used = ranges["crs_used"].dropna().unique()
    assert len(used) >= 1
    for text in used:
        assert_local_crs(crs_from_text(text), ranges)


#: a territory row of F01's page: the user's area by its own name, then F01's share (100 %)
F01_ROWS = ("Hemlock Ridge State Forest", "Tamarack County")


def test_report_pages_have_a_row_for_each_users_area(report):
    page = visible_text(report / "pages" / "F01.html")
    for name in F01_ROWS:  # F01's range lies wholly in the forest and in the county
        assert re.search(rf"{name}( \([^)]*\))?:? 100(\.0)? ?%?", page), (name, page[:2000])
    assert "Wilderness" in page and "Intensive Use" in page  # the zones F01 straddles


def test_report_does_not_call_the_users_layers_schematic(report):
    for page in (report / "index.html", report / "pages" / "F01.html"):
        assert "schematic" not in visible_text(page), page.name


def test_report_without_a_profile_keeps_every_fast_fix(albatrosses, tmp_path):
    from habitat.batch import ReportOptions, run_report

    options = ReportOptions(methods=("mcp",), area_curve=False)
    result = run_report(albatrosses, tmp_path / "birds", options=options, progress=False)
    assert not len(result.failures)
    metrics = pd.read_csv(tmp_path / "birds" / "metrics.csv")
    assert bundled_words_in(tmp_path / "birds") == {}
    n_fixes = metrics.set_index("individual")["n_fixes"]
    expected = albatrosses.groupby("individual").size()
    assert (n_fixes.loc[expected.index] == expected).all()  # no fix dropped as "speed"
    assert math.isfinite(float(metrics["area_km2"].max()))
    # two birds of unknown sex whose ranges overlap: neighbours of unknown sex, never same-sex
    by = metrics.set_index("individual")
    assert (by["n_unknown_sex_neighbours"] == 1).all()
    assert (by[["n_same_sex_neighbours", "n_opposite_sex_neighbours"]] == 0).all().all()
    # estimated near the Galapagos, not in a projection centred in Africa (issue 11)
    ranges = gpd.read_file(tmp_path / "birds" / "ranges.gpkg", layer="ranges")
    for text in ranges["crs_used"].dropna().unique():
        assert_local_crs(crs_from_text(text), albatrosses)

"""``habitat report`` / ``habitat layers`` on a study area and species of the user's own.

Generated files (nothing of ``../shared``): three fishers in New York (UTM 18N,
300 fixes each) with a park of the user's own around one of them and a road
through another, and two albatross-like birds near the Galapagos flying
40-60 km/h. The report must name the user's areas and none of the bundled
ones, judge sizes and speeds by the profile given (or none), and refuse a bad
``--layer`` with one clear line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Transformer

from habitat import datasets
from habitat.cli import cli

#: words of the bundled Primorsky study area and leopard profile
BUNDLED = re.compile(r"Leopard|leopard|Primorsky|China|Border Security|Kedrovaya|Russia")
UTM18 = "EPSG:32618"
#: range centres (UTM 18N metres) and sexes of the fishers
FISHERS = {"F1": ((540_000, 4_870_000), "f"), "F2": ((560_000, 4_875_000), "f"),
           "M1": ((550_000, 4_860_000), "m")}  # fmt: skip
#: the user's park: a 12 km square around F1 (its fixes lie within 4 km of the centre)
PARK = shapely.box(534_000, 4_864_000, 546_000, 4_876_000)
#: a second park far from every fisher
FAR_PARK = shapely.box(600_000, 4_900_000, 605_000, 4_905_000)
#: a road crossing M1's range from west to east through its centre
ROAD = shapely.LineString([(530_000, 4_860_000), (570_000, 4_860_000)])
FAST = ["--method", "mcp", "--level", "0.95", "--no-area-curve"]


def _fishers(folder: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(7)
    to_lonlat = Transformer.from_crs(UTM18, 4326, always_xy=True)
    rows = []
    times = pd.date_range("2025-01-06", periods=300, freq="7h", tz="UTC")
    for ind, ((cx, cy), _) in FISHERS.items():
        # fixes within 4 km of the centre (a clipped normal, sd 800 m)
        dx, dy = np.clip(rng.normal(0, 800, (2, 300)), -2800, 2800)
        lon, lat = to_lonlat.transform(cx + dx, cy + dy)
        rows.append(
            pd.DataFrame(
                {
                    "timestamp": times.strftime("%Y-%m-%d %H:%M:%S.000"),
                    "location-long": np.round(lon, 7),
                    "location-lat": np.round(lat, 7),
                    "individual-local-identifier": ind,
                    "tag-local-identifier": f"T{ind}",
                }
            )
        )
    fixes = folder / "fishers.csv"
    pd.concat(rows).to_csv(fixes, index=False)
    reference = folder / "fishers_reference.csv"
    pd.DataFrame(
        {
            "tag-id": [f"T{i}" for i in FISHERS],
            "animal-id": list(FISHERS),
            "animal-sex": [s for _, s in FISHERS.values()],
        }
    ).to_csv(reference, index=False)
    return fixes, reference


def _albatrosses(folder: Path) -> Path:
    """Two birds near the Galapagos, 100 hourly fixes each at 40-60 km/h (east, then back)."""
    rng = np.random.default_rng(3)
    rows = []
    to_lonlat = Transformer.from_crs("EPSG:32715", 4326, always_xy=True)  # UTM 15S
    for b in range(2):
        speed = rng.uniform(40, 60, 100)  # km/h, one per hourly step
        heading = np.where(np.arange(100) < 50, 0.0, np.pi) + rng.normal(0, 0.2, 100)
        x = 800_000 + np.concatenate([[0], np.cumsum(1000 * speed * np.cos(heading))])
        y = (
            9_880_000
            + 20_000 * b
            + np.concatenate([[0], np.cumsum(1000 * speed * np.sin(heading))])
        )
        lon, lat = to_lonlat.transform(x, y)
        rows.append(
            pd.DataFrame(
                {
                    "timestamp": pd.date_range(
                        "2025-06-01", periods=101, freq="h", tz="UTC"
                    ).strftime("%Y-%m-%d %H:%M:%S.000"),
                    "location-long": np.round(lon, 6),
                    "location-lat": np.round(lat, 6),
                    "individual-local-identifier": f"Albatross {b + 1}",
                }
            )
        )
    path = folder / "albatrosses.csv"
    pd.concat(rows).to_csv(path, index=False)
    return path


FISHER_TOML = """\
name = "fisher"
common_name = "Fisher"
max_speed_kmh = 10
[area_km2]
F = [1, 85]
M = ["none", 230]
"""


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("own")
    fixes, reference = _fishers(folder)
    parks = gpd.GeoDataFrame(
        {"NAME": ["Hemlock Ridge State Forest", "Cold Brook Preserve"], "ACRES": [35_583, 6_178]},
        geometry=[PARK, FAR_PARK],
        crs=UTM18,
    )
    parks.to_file(folder / "parks.gpkg", driver="GPKG")
    gpd.GeoDataFrame({"RD_NAME": ["NY 30"]}, geometry=[ROAD], crs=UTM18).to_file(
        folder / "roads.gpkg", driver="GPKG"
    )
    (folder / "fisher.toml").write_text(FISHER_TOML, encoding="utf-8")
    return {
        "folder": folder,
        "fishers": fixes,
        "reference": reference,
        "albatrosses": _albatrosses(folder),
        "parks": folder / "parks.gpkg",
        "roads": folder / "roads.gpkg",
        "fisher": folder / "fisher.toml",
    }


def _report(own: dict[str, Path], out: Path, *args: str, data: str = "fishers"):
    argv = ["report", str(own[data]), "--out", str(out), *FAST, *args]
    if data == "fishers":
        argv += ["--reference", str(own["reference"])]
    return CliRunner().invoke(cli, argv)


def _texts(out: Path) -> dict[str, str]:
    files = [out / "index.html", out / "metrics.csv", *sorted((out / "pages").glob("*.html"))]
    return {p.name: p.read_text(encoding="utf-8") for p in files}


@pytest.fixture(scope="module")
def plain(own, tmp_path_factory) -> tuple[Path, str]:
    """The fishers reported with no layers and no options: what a new user gets."""
    out = tmp_path_factory.mktemp("plain") / "report"
    r = _report(own, out)
    assert r.exit_code == 0, r.output
    return out, r.stderr


def test_fishers_without_layers_get_no_bundled_names_anywhere(plain):
    out, stderr = plain
    texts = _texts(out)
    assert len(texts) == 2 + 3  # index, metrics and one page per fisher
    found = {name: BUNDLED.findall(text) for name, text in texts.items()}
    assert not any(found.values()), found
    metrics = pd.read_csv(out / "metrics.csv")
    # no protected-area, admin, zone, land-cover or road columns at all
    assert not [c for c in metrics.columns if c.startswith(("share_", "roads_", "railways_"))]
    assert "<title>Territory report" in texts["index.html"]
    assert not [name for name, text in texts.items() if "schematic" in text]


def test_the_log_and_index_say_no_bundled_layers_and_no_profile_once(plain):
    out, stderr = plain
    assert stderr.count("no bundled layers") == 1
    assert "outside the bundled Primorsky study area" in stderr  # the one allowed mention
    assert stderr.count("no species profile: no range-size check, no speed flag") == 1
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "No species profile: no range-size check, no speed flag" in index
    # no size check: a 2 sq mi female is not judged by leopard sizes
    metrics = pd.read_csv(out / "metrics.csv").set_index("individual")
    assert metrics["plausible"].all()
    assert (metrics["n_fixes_flagged"] == 0).all()


def test_own_layers_name_the_users_parks_and_measure_their_road(own, tmp_path):
    out = tmp_path / "report"
    r = _report(
        own,
        out,
        "--layer",
        f"protected_areas={own['parks']}:NAME",
        "--layer",
        f"roads={own['roads']}",
    )
    assert r.exit_code == 0, r.output
    assert "no bundled layers" not in r.stderr  # the user's layers replace them
    texts = _texts(out)
    assert not any(BUNDLED.findall(t) for t in texts.values())
    metrics = pd.read_csv(out / "metrics.csv").set_index("individual")
    park = [c for c in metrics.columns if "hemlock_ridge" in c.lower()]
    assert park, list(metrics.columns)
    # F1's range lies inside the park, F2's and M1's entirely outside it
    assert metrics.loc["F1", park[0]] == pytest.approx(1.0, abs=1e-9)
    assert metrics.loc["F2", park[0]] == 0 and metrics.loc["M1", park[0]] == 0
    assert metrics.loc["F1", "share_protected"] == pytest.approx(1.0, abs=1e-9)
    # the road crosses M1's range only; inside a convex range a straight road through
    # the centre is at most the range's diameter and at least a positive length
    assert metrics.loc["M1", "roads_length_km"] > 1
    assert metrics.loc["M1", "roads_length_km"] < 2 * np.sqrt(metrics.loc["M1", "area_km2"])
    assert metrics.loc["F1", "roads_length_km"] == 0 and metrics.loc["F2", "roads_length_km"] == 0
    # F1's page has a row for the park, named from the user's NAME column
    assert "Hemlock Ridge State Forest" in texts["F1.html"]


def test_a_species_profile_changes_plausibility_and_title(own, tmp_path):
    leopard = _report(own, tmp_path / "leopard", "--species", "amur_leopard")
    fisher = _report(own, tmp_path / "fisher", "--species", str(own["fisher"]))
    assert leopard.exit_code == 0 and fisher.exit_code == 0, leopard.output + fisher.output
    as_leopard = pd.read_csv(tmp_path / "leopard" / "metrics.csv").set_index("individual")
    as_fisher = pd.read_csv(tmp_path / "fisher" / "metrics.csv").set_index("individual")
    # the females' ~2-8 km² ranges: far below a leopard's 15-38 sq mi, inside a fisher's 1-85 km²
    assert (as_leopard.loc[["F1", "F2"], "area_sq_mi"] < 15).all()
    assert not as_leopard.loc[["F1", "F2"], "plausible"].any()
    assert as_fisher["plausible"].all()
    index = (tmp_path / "fisher" / "index.html").read_text(encoding="utf-8")
    assert "<title>Territory report: Fisher" in index
    assert "Species profile fisher" in index
    assert "species profile fisher" in fisher.stderr and "no species profile" not in fisher.stderr


def _flagged(out: Path) -> dict[str, int]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {i: a["n_fixes_flagged"] for i, a in manifest["animals"].items()}


def test_albatrosses_are_speed_flagged_only_with_a_profile_that_says_so(own, tmp_path):
    free = _report(own, tmp_path / "free", data="albatrosses")
    assert free.exit_code == 0, free.output
    assert _flagged(tmp_path / "free") == {"Albatross 1": 0, "Albatross 2": 0}
    assert not re.search(r"\d+ speed", free.stderr)  # no "N speed" in a flag warning
    # with the leopard's 20 km/h every 40-60 km/h step is too fast
    leopard = _report(own, tmp_path / "leopard", "--species", "amur_leopard", data="albatrosses")
    flagged = _flagged(tmp_path / "leopard")
    assert all(n >= 95 for n in flagged.values()), flagged
    assert leopard.exit_code in (0, 3)  # too few fixes left to estimate a range: a failure
    assert re.search(r"\d+ speed", leopard.stderr)


def test_no_bundled_layers_on_the_demo_leopards_gives_no_layer_rows(tmp_path):
    demo = pd.read_csv(datasets.data_path("relocations", "demo_leopards.csv"))
    two = demo[demo["individual-local-identifier"].isin(["Leo 1F", "Leo 2F"])]
    path = tmp_path / "two.csv"
    two.to_csv(path, index=False)
    runner = CliRunner()
    r = runner.invoke(cli, ["report", str(path), "--out", str(tmp_path / "off"), *FAST,
                            "--no-bundled-layers"])  # fmt: skip
    assert r.exit_code == 0, r.output
    metrics = pd.read_csv(tmp_path / "off" / "metrics.csv")
    assert not [c for c in metrics.columns if c.startswith(("share_", "roads_", "railways_"))]
    assert not any(BUNDLED.findall(t) for t in _texts(tmp_path / "off").values())
    # the same fixes with the bundled layers (they overlap them): park and zone rows
    on = runner.invoke(cli, ["report", str(path), "--out", str(tmp_path / "on"), *FAST])
    assert on.exit_code == 0, on.output
    with_layers = pd.read_csv(tmp_path / "on" / "metrics.csv")
    assert "share_protected" in with_layers.columns
    # the bundled layers are drawings: said on every page, never for no layers
    assert "Layers are schematic" in (tmp_path / "on" / "pages" / "Leo_1F.html").read_text()
    assert "schematic" not in (tmp_path / "off" / "pages" / "Leo_1F.html").read_text()
    assert "Land of the Leopard" in (tmp_path / "on" / "index.html").read_text() or any(
        "land_of_the_leopard" in c for c in with_layers.columns
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("parks.gpkg", "expected ROLE=PATH[:NAME_COLUMN]"),
        ("parcs=parks.gpkg", "unknown role 'parcs'; did you mean 'parks'?"),
        ("parks=missing.gpkg", "'missing.gpkg' does not exist"),
        ("parks=parks.gpkg:PARK", "no name column 'PARK'. Columns: NAME, ACRES."),
        ("roads=fishers.csv", "--layer 'roads=fishers.csv'"),
    ],
)
def test_a_bad_layer_value_is_one_clear_error_line(own, tmp_path, value, expected, monkeypatch):
    monkeypatch.chdir(own["folder"])
    out = tmp_path / "never"
    r = CliRunner().invoke(cli, ["report", "fishers.csv", "--out", str(out), "--layer", value])
    assert r.exit_code == 1, r.output
    errors = [line for line in r.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and expected in errors[0], r.output
    assert "Traceback" not in r.output
    assert not out.exists()  # refused before anything was read or written


def test_layers_lists_the_users_layers_with_roles(own):
    r = CliRunner().invoke(
        cli,
        ["layers", "--json", "--layer", f"parks={own['parks']}:NAME",
         "--layer", f"roads={own['roads']}"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    rows = {row["layer"]: row for row in json.loads(r.stdout)}
    assert rows["parks"]["role"] == "protected_areas" and rows["roads"]["role"] == "barriers"
    # the two parks: 12 km and 5 km squares in UTM 18N (scale factor ~0.9997 near 75 W)
    assert rows["parks"]["area_km2"] == pytest.approx(144 + 25, rel=2e-3)
    assert rows["roads"]["length_km"] == pytest.approx(40, rel=2e-3)
    bundled = {
        row["layer"]: row
        for row in json.loads(CliRunner().invoke(cli, ["layers", "--json"]).stdout)
    }
    assert bundled["land_of_the_leopard"]["role"] == "protected_areas"
    assert bundled["roads"]["role"] == "barriers"


def test_report_help_says_how_layers_and_species_work():
    text = " ".join(CliRunner().invoke(cli, ["report", "--help"]).output.split())
    for option in ("--layer", "--study-area", "--land-cover", "--no-bundled-layers", "--species"):
        assert option in text
    assert "replace the bundled" in text
    assert "no bundled layer is used" in text
    assert "turns the bundled layers off" in text

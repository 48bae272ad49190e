"""Batch reports: outputs, failure isolation, hostile ids, resume, workers and dask."""

import re
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from habitat.batch.demo import load_demo_relocations
from habitat.batch.runner import (
    MARKER,
    ReportOptions,
    individual_slugs,
    load_config,
    run_report,
)
from habitat.core.errors import ColumnError, DataFileError, InputError, OutputExistsError
from habitat.homerange import home_range

FAST = ReportOptions(area_curve=False, methods=("mcp", "kde"))
ANIMALS = ["Leo 1F", "Leo 3F", "Leo 6M"]
HOSTILE = ["<script>alert(1)</script>", "../../etc/passwd"]


@pytest.fixture(scope="module")
def demo_fixes():
    fixes = load_demo_relocations()
    return fixes[fixes["individual"].isin(ANIMALS)].copy()


def _broken(fixes):
    """Two broken animals: 3 fixes; and all fixes at one place."""
    few = fixes[fixes["individual"] == "Leo 1F"].iloc[:3].copy()
    few["individual"] = "Few fixes"
    same = fixes[fixes["individual"] == "Leo 3F"].iloc[:50].copy()
    same["individual"] = "One place"
    same["geometry"] = shapely.points(np.full(50, 131.1), np.full(50, 43.2))
    same["flag_any"] = False
    return pd.concat([fixes, few, same], ignore_index=True)


def _hostile(fixes):
    extra = []
    for k, name in enumerate(HOSTILE):
        part = fixes[fixes["individual"] == ANIMALS[k]].copy()
        part["individual"] = name
        extra.append(part)
    return pd.concat([fixes, *extra], ignore_index=True)


@pytest.fixture(scope="module")
def report(tmp_path_factory, demo_fixes):
    out = tmp_path_factory.mktemp("report") / "out"
    data = gpd.GeoDataFrame(_hostile(_broken(demo_fixes)), crs=demo_fixes.crs)
    result = run_report(data, out, options=FAST, progress=False)
    return result, data


def test_report_writes_every_output(report):
    result, _ = report
    out = result.out_dir
    for name in (
        "index.html",
        "ranges.gpkg",
        "metrics.csv",
        "metrics.parquet",
        "overlaps.csv",
        "failures.csv",
        "summary_by_sex.png",
        MARKER,
    ):
        assert (out / name).is_file(), name
    assert len(result.pages) == len(ANIMALS) + len(HOSTILE)
    for page in result.pages.values():
        text = page.read_text(encoding="utf-8")
        assert text.rstrip().endswith("</html>")
        slug = page.stem
        assert (out / "pages" / slug / "map.html").is_file()
        assert (out / "pages" / slug / "ud.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ranges = gpd.read_file(out / "ranges.gpkg", layer="ranges")
    assert set(ranges["method"]) == {"mcp", "kde"}
    parquet = gpd.read_parquet(out / "metrics.parquet")
    assert parquet.crs is not None and len(parquet) == len(result.pages)


def test_report_metrics_equal_the_library_functions(report, demo_fixes):
    result, _ = report
    metrics = pd.read_csv(result.out_dir / "metrics.csv")
    got = metrics.set_index("individual").loc[ANIMALS, "area_km2"].to_numpy()
    # each animal is estimated on its own, in the equal-area CRS of its own fixes
    alone = [
        home_range(demo_fixes[demo_fixes["individual"] == a], method="mcp", levels=[0.95])
        for a in ANIMALS
    ]
    np.testing.assert_allclose(got, [r["area_km2"].iloc[0] for r in alone], rtol=1e-12)
    # ... which differs from one CRS for all animals only by the projection (< 1e-6)
    direct = home_range(demo_fixes, method="mcp", levels=[0.95])
    want = direct.set_index("individual").loc[ANIMALS, "area_km2"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6)
    n = demo_fixes[~demo_fixes["flag_any"]].groupby("individual").size()
    np.testing.assert_array_equal(
        metrics.set_index("individual").loc[ANIMALS, "n_fixes"].to_numpy(), n.loc[ANIMALS]
    )
    # land cover shares of a range sum to 1
    shares = metrics.filter(regex="^share_(forest|grassland|agriculture|settlement|water|wetland)")
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, atol=1e-12)


def test_broken_animals_are_reported_and_the_others_finish(report):
    result, _ = report
    assert not result.ok
    fail = pd.read_csv(result.out_dir / "failures.csv")
    assert sorted(fail["individual"]) == ["Few fixes", "One place"]
    assert set(fail["stage"]) == {"estimate"}
    assert set(fail["error"]) == {"InsufficientDataError"}
    assert fail["message"].str.len().min() > 20
    index = (result.out_dir / "index.html").read_text(encoding="utf-8")
    assert "Few fixes" in index and "One place" in index and "InsufficientDataError" in index
    assert "2 failed" in index


def test_hostile_ids_are_escaped_and_stay_inside_the_folder(report):
    result, _ = report
    out = result.out_dir.resolve()
    for path in out.rglob("*"):
        assert out in path.resolve().parents
    assert not (out.parent / "etc").exists()
    for ind in HOSTILE:
        page = result.pages[ind]
        assert page.parent == out / "pages"
        assert re.fullmatch(r"[A-Za-z0-9._-]+\.html", page.name)
    index = (out / "index.html").read_text(encoding="utf-8")
    pages = "".join(p.read_text(encoding="utf-8") for p in result.pages.values())
    for text in (index, pages):
        assert "<script>alert(1)" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    maps = "".join((p.parent / p.stem / "map.html").read_text() for p in result.pages.values())
    assert "<script>alert(1)</script>" not in maps


def test_slugs_are_safe_unique_and_stable():
    ids = ["Leo 1", "leo_1", "../../etc/passwd", "", "<b>", "Leo-2"]
    slugs = individual_slugs(ids)
    assert len(set(slugs.values())) == len(ids)
    assert slugs["Leo-2"] == "Leo-2"
    assert slugs["../../etc/passwd"] == "etc_passwd"
    assert slugs["Leo 1"].startswith("Leo_1-") and slugs["leo_1"].startswith("leo_1-")
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", s) and ".." not in s for s in slugs.values())
    assert individual_slugs(ids) == slugs


def test_rerun_resumes_and_overwrite_recomputes(report, tmp_path):
    result, data = report
    out = tmp_path / "copy"
    shutil.copytree(result.out_dir, out)
    victim = out / "pages" / "Leo_3F.html"
    victim.unlink()
    (out / "pages" / ".Leo_1F.html.abc.tmp.html").write_text("partial")  # left by a kill
    lines = []
    again = run_report(data, out, options=FAST, progress=lines.append)
    assert sorted(again.skipped) == sorted(set(again.pages) - {"Leo 3F"})
    assert victim.is_file()
    assert not list(out.rglob(".*.tmp*"))
    assert any("already done" in ln for ln in lines)
    full = run_report(data, out, options=FAST, overwrite=True, progress=False)
    assert full.skipped == []


def test_refuses_a_folder_that_is_not_a_report(tmp_path, demo_fixes):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match="not a habitat report"):
        run_report(demo_fixes, tmp_path, options=FAST, progress=False)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_bad_batch_input_is_refused_clearly(tmp_path, demo_fixes):
    with pytest.raises(InputError, match="individual"):
        run_report(demo_fixes.drop(columns="individual"), tmp_path / "a", progress=False)
    with pytest.raises(InputError, match="workers"):
        run_report(demo_fixes, tmp_path / "b", workers=0, progress=False)
    with pytest.raises(InputError, match="reported level"):
        ReportOptions(levels=(0.5,), level=0.95)
    with pytest.raises(InputError, match="not home-range methods"):
        ReportOptions(methods=("convex",))


def test_given_ranges_are_reported(tmp_path):
    from habitat.homerange.polygons import synthetic_ranges

    centres = gpd.GeoDataFrame(
        {"individual": ["A", "B", "C", "D"], "sex": ["F", "F", "M", "M"]},
        geometry=shapely.points([131.05, 131.15, 131.1, 131.3], [43.1, 43.15, 43.2, 43.3]),
        crs="EPSG:4326",
    )
    ranges = synthetic_ranges(centres, seed=3)
    result = run_report(ranges, tmp_path / "given", options=FAST, progress=False)
    assert result.ok, result.failures
    metrics = pd.read_csv(tmp_path / "given" / "metrics.csv")
    assert len(metrics) == ranges["individual"].nunique()
    assert set(metrics["method"]) == {"given"}


def test_config_file(tmp_path):
    cfg = tmp_path / "report.toml"
    cfg.write_text(
        '[input]\nrelocations = "fixes.csv"\n[layers]\nroads = "none"\n'
        '[report]\nmethods = ["kde"]\nlevels = [0.5, 0.9]\nlevel = 0.9\ntitle = "T"\n'
        "[report.method_options.kde]\ngrid = 100\n"
    )
    options, inputs = load_config(cfg)
    assert options.methods == ("kde",) and options.level == 0.9 and options.title == "T"
    assert options.method_options == {"kde": {"grid": 100}}
    assert inputs["relocations"] == tmp_path / "fixes.csv"
    assert inputs["layers"] == {"roads": None}
    cfg.write_text("[report]\nlevle = 0.9\n")
    with pytest.raises(InputError, match=r"report\.toml.*levle"):
        load_config(cfg)
    cfg.write_text("[report\n")
    with pytest.raises(DataFileError, match="not valid TOML"):
        load_config(cfg)


def test_two_workers_give_the_same_tables(tmp_path, demo_fixes):
    one = run_report(demo_fixes, tmp_path / "one", options=FAST, progress=False)
    two = run_report(demo_fixes, tmp_path / "two", options=FAST, workers=2, progress=False)
    assert one.ok and two.ok
    a = pd.read_csv(one.files["metrics_csv"])
    b = pd.read_csv(two.files["metrics_csv"])
    pd.testing.assert_frame_equal(a, b)
    assert sorted(p.name for p in (tmp_path / "two" / "pages").glob("*.html")) == sorted(
        p.name for p in (tmp_path / "one" / "pages").glob("*.html")
    )


def test_dask_local_cluster_of_two_workers(tmp_path, demo_fixes):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
    ):
        result = run_report(
            _broken(demo_fixes),
            tmp_path / "dask",
            options=FAST,
            scheduler=cluster.scheduler_address,
            progress=False,
        )
    assert sorted(result.pages) == sorted(ANIMALS)
    assert sorted(result.failures["individual"]) == ["Few fixes", "One place"]
    serial = run_report(demo_fixes, tmp_path / "serial", options=FAST, progress=False)
    pd.testing.assert_frame_equal(
        pd.read_csv(result.files["metrics_csv"]), pd.read_csv(serial.files["metrics_csv"])
    )


def test_report_pages_show_the_territory_row(report):
    result, _ = report
    metrics = pd.read_csv(result.out_dir / "metrics.csv").set_index("individual")
    page = result.pages["Leo 3F"].read_text(encoding="utf-8")
    area = metrics.loc["Leo 3F", "area_km2"]
    assert f"{area:,.1f} km²" in page
    assert f"{100 * metrics.loc['Leo 3F', 'share_protected']:,.1f} %" in page
    assert 'src="Leo_3F/map.html"' in page
    assert "Corridors were not computed" in page
    assert Path(result.out_dir / "pages" / "Leo_3F" / "ud.png").is_file()


def test_config_layers_replace_and_drop_bundled_ones(tmp_path):
    from habitat.batch.runner import load_layers
    from habitat.datasets import layers as bundled

    park = bundled()["land_of_the_leopard"].copy()
    park["name"] = "Replaced park"
    park.to_file(tmp_path / "park.gpkg")
    (tmp_path / "r.toml").write_text(
        '[layers]\nland_of_the_leopard = "park.gpkg"\nroads = "none"\nland_cover = "none"\n'
    )
    _, inputs = load_config(tmp_path / "r.toml")
    layers, land_cover = load_layers(inputs["layers"])
    assert "roads" not in layers and land_cover is None
    assert list(layers["land_of_the_leopard"]["name"]) == ["Replaced park"]
    assert "railways" in layers  # the others stay bundled
    (tmp_path / "bad.toml").write_text('[layers]\nparks = "missing.gpkg"\n')
    _, inputs = load_config(tmp_path / "bad.toml")
    with pytest.raises(DataFileError, match="parks"):
        load_layers(inputs["layers"])


def test_corridors_when_given_are_written_and_linked(tmp_path, demo_fixes):
    line = shapely.LineString([(131.1, 43.2), (131.3, 43.5)])
    corridors = gpd.GeoDataFrame(
        {
            "from_id": ["Leo 1F"],
            "to_id": ["Leo 3F"],
            "cost_weighted_distance": [123_456.0],
            "length_m": [41_000.0],
        },
        geometry=[line],
        crs="EPSG:4326",
    )
    result = run_report(
        demo_fixes, tmp_path / "c", options=FAST, corridors=corridors, progress=False
    )
    written = gpd.read_file(result.files["ranges"], layer="corridors")
    assert list(written["to_id"]) == ["Leo 3F"]
    page = result.pages["Leo 1F"].read_text(encoding="utf-8")
    assert 'href="Leo_3F.html">Corridor to Leo 3F</a>' in page
    assert "cost-weighted distance 123,456.0 resistance × m, path length 41.0 km" in page
    assert "Corridor to Leo 1F" in result.pages["Leo 3F"].read_text(encoding="utf-8")
    assert "No corridor connects" in result.pages["Leo 6M"].read_text(encoding="utf-8")


def test_corridors_with_0_1_column_names_warn_and_still_link(tmp_path, demo_fixes):
    line = shapely.LineString([(131.1, 43.2), (131.3, 43.5)])
    old = gpd.GeoDataFrame(
        {"from_individual": ["Leo 1F"], "to_individual": ["Leo 3F"], "cost": [7.0]},
        geometry=[line],
        crs="EPSG:4326",
    )
    with pytest.warns(DeprecationWarning, match="from_id"):
        result = run_report(demo_fixes, tmp_path / "c", options=FAST, corridors=old, progress=False)
    page = result.pages["Leo 3F"].read_text(encoding="utf-8")
    assert "Corridor to Leo 1F" in page and "cost-weighted distance 7.0" in page


def test_corridors_without_ids_are_refused_before_any_work(tmp_path, demo_fixes):
    line = shapely.LineString([(131.1, 43.2), (131.3, 43.5)])
    bad = gpd.GeoDataFrame({"length_m": [1.0]}, geometry=[line], crs="EPSG:4326")
    with pytest.raises(ColumnError, match="from_id"):
        run_report(demo_fixes, tmp_path / "c", options=FAST, corridors=bad, progress=False)
    assert not (tmp_path / "c").exists()


def test_fragmentation_table_is_shown_with_contract_labels_and_escaped(tmp_path, demo_fixes):
    metrics = pd.DataFrame(
        {
            "zone_id": ["Leo 1F", "Leo 1F", "Leo 3F"],
            "level": ["landscape", "class", "landscape"],
            "class_name": [None, "<b>forest</b>", None],
            "edge_density": [31.25, np.nan, 7.5],
            "proportion_of_landscape": [np.nan, 62.5, np.nan],
        }
    )
    result = run_report(
        demo_fixes, tmp_path / "f", options=FAST, fragmentation=metrics, progress=False
    )
    page = result.pages["Leo 1F"].read_text(encoding="utf-8")
    assert '<td>edge density (m/ha)</td><td class="num">31.2</td>' in page
    # class rows: one per class (its name escaped), the metric and unit in the heading
    assert "<th>proportion of landscape (%)</th>" in page
    assert '<tr><td>&lt;b&gt;forest&lt;/b&gt;</td><td class="num">62.5</td></tr>' in page
    assert "<b>forest</b>" not in page
    # a caller's table is shown and written as given: nothing is measured
    written = pd.read_csv(result.files["fragmentation"])
    assert written["zone_id"].tolist() == ["Leo 1F", "Leo 1F", "Leo 3F"]
    assert written["edge_density"].tolist()[::2] == [31.25, 7.5]
    other = result.pages["Leo 3F"].read_text(encoding="utf-8")
    assert 'edge density (m/ha)</td><td class="num">7.5' in other
    assert 'id="fragmentation"' not in result.pages["Leo 6M"].read_text(encoding="utf-8")


def test_fragmentation_without_zone_ids_is_refused(tmp_path, demo_fixes):
    with pytest.raises(ColumnError, match="zone_id"):
        run_report(
            demo_fixes,
            tmp_path / "f",
            options=FAST,
            fragmentation=pd.DataFrame({"edge_density": [1.0]}),
            progress=False,
        )

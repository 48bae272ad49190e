"""habitat.maps.assets: CDN URL discovery and inlining (no npm, no browser needed)."""

from __future__ import annotations

import base64
import json
import re
import warnings
from pathlib import Path

import folium
import pytest
from branca.colormap import LinearColormap
from folium import plugins

from habitat.core.errors import DataFileError, HabitatWarning, InputError, MissingDependencyError
from habitat.maps import assets

ROOT = Path(__file__).resolve().parents[2]


def _plugin_map() -> folium.Map:
    """A map with every plugin habitat uses, so that every CDN URL is emitted."""
    m = folium.Map(location=[43.1, 131.0], zoom_start=8)
    a = folium.FeatureGroup("a").add_to(m)
    b = folium.FeatureGroup("b").add_to(m)
    folium.Marker([43.1, 131.0], icon=folium.Icon(icon="leaf", angle=30)).add_to(a)
    plugins.Fullscreen().add_to(m)
    plugins.MeasureControl().add_to(m)
    plugins.MiniMap().add_to(m)
    cluster = plugins.MarkerCluster().add_to(b)
    folium.Marker([43.2, 131.1]).add_to(cluster)
    plugins.HeatMap([[43.1, 131.0, 1.0]]).add_to(m)
    plugins.GroupedLayerControl({"g": [a, b]}, exclusive_groups=False).add_to(m)
    LinearColormap(["red", "green"], vmin=0, vmax=1, caption="share").add_to(m)
    return m


@pytest.fixture(scope="module")
def plugin_html() -> str:
    return _plugin_map().get_root().render()


@pytest.fixture
def fake_assets(tmp_path: Path) -> Path:
    """An assets folder with a small fake file at every table path."""
    for url, path in assets.local_asset_paths(tmp_path, include_missing=True).items():
        if assets.CDN_ASSETS[url].source in ("folium", "generated"):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if url.endswith(".css"):
            path.write_text(f"/* {url} */ .x{{color:red}}\n", encoding="utf-8")
        else:
            path.write_text(f"/* {url} */ var s = '</script><b>';\n", encoding="utf-8")
    return tmp_path


def test_every_cdn_url_of_folium_and_plugins_is_known(plugin_html: str) -> None:
    urls = assets.find_cdn_urls(plugin_html)
    assert len(urls) >= 20
    assert not [u for u in urls if u not in assets.CDN_ASSETS]
    # and the table has nothing the installed folium does not ask for
    assert set(assets.CDN_ASSETS) == set(urls)


def test_study_area_map_urls_are_known() -> None:
    from habitat import datasets, maps

    m = maps.study_area_map(datasets.layers())
    urls = assets.find_cdn_urls(m.get_root().render())
    assert urls
    assert [u for u in urls if u not in assets.CDN_ASSETS] == []


def test_find_cdn_urls_only_reports_loaded_assets() -> None:
    html = (
        '<link rel="stylesheet" href="https://a.test/x.css"/>'
        '<link rel="icon" href="https://a.test/favicon.ico">'
        "<script src='//b.test/y.js'></script>"
        '<script src="local.js"></script>'
        '<script>var u = "<script src=https://c.test/z.js></script>";</script>'
        '<!-- <script src="https://d.test/w.js"></script> -->'
        '<script src="https://a.test/x.js?v=1&amp;q=2"></script>'
        '<link rel="stylesheet" href="https://a.test/x.css">'
    )
    assert assets.find_cdn_urls(html) == [
        "https://a.test/x.css",
        "//b.test/y.js",
        "https://a.test/x.js?v=1&q=2",
    ]


def test_table_pins_exact_versions_and_matches_package_json() -> None:
    deps = assets.npm_dependencies()
    assert deps["leaflet"] == "1.9.3"
    assert deps["jquery"] == "3.7.1"
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in deps.values())
    for url, a in assets.CDN_ASSETS.items():
        if a.source == "npm" and a.note == "":
            # where npm has the version folium asks for, the pin is that version
            assert a.version in url, url
    checked_in = (ROOT / "tools" / "browser" / "package.json").read_text(encoding="utf-8")
    assert checked_in == assets.package_json_text()
    assert json.loads(checked_in)["dependencies"] == deps


def test_inline_replaces_every_tag_and_escapes_script_end(plugin_html, fake_assets) -> None:
    out = assets.inline_assets(plugin_html, fake_assets)
    assert assets.find_cdn_urls(out) == []
    for url in assets.CDN_ASSETS:
        assert f'data-inlined-from="{url}"' in out
    # the fake JS held '</script>': it must not end the inline script early
    assert "var s = '<\\/script><b>';" in out
    assert "var s = '</script>" not in out
    # the page still has all its own inline scripts
    assert out.count("L.map(") == plugin_html.count("L.map(")
    # folium's patched leaflet.heat comes from the folium package itself
    heat = (Path(folium.__file__).parent / "templates" / "leaflet_heat.min.js").read_text()
    assert heat[:200] in out
    # the generated rotate rules
    assert ".fa-rotate-30{" in out


def test_inline_css_embeds_images_and_keeps_woff2_only(tmp_path: Path) -> None:
    url = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css"
    css_path = assets.local_asset_paths(tmp_path, include_missing=True)[url]
    css_path.parent.mkdir(parents=True)
    fonts = css_path.parent.parent / "webfonts"
    fonts.mkdir()
    (fonts / "a.woff2").write_bytes(b"WOFF2DATA")
    (fonts / "a.ttf").write_bytes(b"TTFDATA")
    (fonts / "big.png").write_bytes(b"x" * 500)
    css_path.write_text(
        '@font-face{font-family:"A";src:url(../webfonts/a.woff2) format("woff2"),'
        'url(../webfonts/a.ttf) format("truetype")}'
        ".i{background:url('../webfonts/big.png')}"
        ".j{background:url(missing.png)}.k{behavior:url(#default#VML)}"
        '.l{background:url("data:image/png;base64,AA==")}</style>',
        encoding="utf-8",
    )
    html = f'<head><link rel="stylesheet" href="{url}"/></head>'
    out = assets.inline_assets(html, tmp_path, max_embed_bytes=100)
    woff2 = base64.b64encode(b"WOFF2DATA").decode()
    assert f'src:url("data:font/woff2;base64,{woff2}") format("woff2")' in out
    assert "TTFDATA" not in out and "a.ttf" not in out
    # too big to embed: pointed at the absolute CDN URL (works online)
    big = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/webfonts/big.png"
    assert f'url("{big}")' in out
    missing = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/missing.png"
    assert f'url("{missing}")' in out
    assert "url(#default#VML)" in out and 'url("data:image/png;base64,AA==")' in out
    assert "<\\/style>" in out and out.count("</style>") == 1
    out_big = assets.inline_assets(html, tmp_path, max_embed_bytes=10_000)
    assert "data:image/png;base64," + base64.b64encode(b"x" * 500).decode() in out_big


def test_inline_missing_local_file_names_the_url(plugin_html: str, tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"leaflet@1\.9\.3/dist/leaflet\.js.*fetch_assets"):
        assets.inline_assets(plugin_html, tmp_path)


def test_inline_unknown_url_strict_and_lenient(fake_assets: Path) -> None:
    unknown = "https://unknown.test/lib.js"
    known = next(iter(assets.CDN_ASSETS))
    html = f'<script src="{unknown}"></script><link rel="stylesheet" href="{known}">'
    with pytest.raises(InputError, match=re.escape(unknown)):
        assets.inline_assets(html, fake_assets)
    with pytest.warns(HabitatWarning, match=re.escape(unknown)):
        out = assets.inline_assets(html, fake_assets, strict=False)
    assert f'<script src="{unknown}"></script>' in out
    assert assets.find_cdn_urls(out) == [unknown]


def test_inline_leaves_local_and_inline_scripts_alone(fake_assets: Path) -> None:
    html = '<script src="local.js"></script><script>var a = 1;</script><p>x</p>'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert assets.inline_assets(html, fake_assets) == html


def test_resolve_url_follows_relative_references(fake_assets: Path) -> None:
    leaflet_css = assets.local_asset_paths(fake_assets)[
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
    ]
    img = leaflet_css.parent / "images" / "layers.png"
    img.parent.mkdir()
    img.write_bytes(b"png")
    base = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/"
    assert assets.resolve_url(base + "images/layers.png", fake_assets) == img
    assert assets.resolve_url(base + "images/nothing.png", fake_assets) is None
    # never outside the package
    assert assets.resolve_url(base + "../../bootstrap/package.json", fake_assets) is None
    assert assets.resolve_url("https://tile.openstreetmap.org/1/1/1.png", fake_assets) is None


def test_fetch_assets_without_npm_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(MissingDependencyError, match="npm"):
        assets.fetch_assets(tmp_path, npm="no-such-npm-executable")
    # the generated files are written even so
    assert (tmp_path / assets.GENERATED_DIR / "leaflet.awesome.rotate.min.css").is_file()


def test_protocol_relative_urls_are_known(fake_assets: Path) -> None:
    url = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
    html = f'<script src="{url[6:]}"></script>'
    out = assets.inline_assets(html, fake_assets)
    assert assets.find_cdn_urls(out) == [] and "<script data-inlined-from" in out


def test_inline_without_assets_dir_serves_folium_and_generated_files() -> None:
    by_source = {a.source: u for u, a in assets.CDN_ASSETS.items()}
    heat, rotate = by_source["folium"], by_source["generated"]
    html = f'<script src="{heat}"></script><link rel="stylesheet" href="{rotate}">'
    out = assets.inline_assets(html, None)
    assert assets.find_cdn_urls(out) == []
    with pytest.raises(DataFileError, match="needs an assets folder"):
        assets.inline_assets(f'<script src="{next(iter(assets.CDN_ASSETS))}"></script>', None)


def test_fetch_assets_timeout_has_its_unit_and_old_name_warns(tmp_path):
    from habitat.core.errors import MissingDependencyError

    with pytest.raises(MissingDependencyError, match="not found"):
        assets.fetch_assets(tmp_path / "a", npm="no-such-npm-here", timeout_s=5)
    with (
        pytest.warns(DeprecationWarning, match="timeout_s"),
        pytest.raises(MissingDependencyError),
    ):
        assets.fetch_assets(tmp_path / "b", npm="no-such-npm-here", timeout=5)
    # the generated files were written (atomically: no temporary left behind)
    written = sorted(p.name for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert written and not [n for n in written if n.startswith(".") and "tmp" in n]

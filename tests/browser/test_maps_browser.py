"""Maps opened in a real (headless) Chromium with no internet."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from habitat.maps import assets

pytestmark = pytest.mark.browser

LEGEND = ".habitat-legend"
HOSTILE_IDS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "../../etc/passwd",
)


def _layer_labels() -> list[str]:
    from habitat import maps

    styles = getattr(maps, "LAYER_STYLES", {})
    shown = [s["label"] for s in styles.values() if "label" in s]
    return shown or ["Land of the Leopard NP", "Roads"]


def _assert_map_rendered(res, *, min_paths: int = 20) -> None:  # noqa: ANN001
    page = res.frame
    assert res.count(".leaflet-container") >= 1
    n_paths = res.count(".leaflet-interactive")
    assert n_paths >= min_paths, f"only {n_paths} vector features drawn"
    legend = page.locator(LEGEND).first
    assert legend.is_visible()
    legend_text = legend.inner_text()
    control = page.locator(".leaflet-control-layers").first
    assert control.count() == 1
    control_text = control.inner_text()
    for label in ("Land of the Leopard NP", "Kedrovaya Pad reserve"):
        assert label in legend_text, f"{label!r} not in legend: {legend_text[:300]}"
        assert label in control_text, f"{label!r} not in layer control: {control_text[:300]}"
    # the map has a real size and tiles were asked for (answered with blanks)
    box = page.locator(".leaflet-container").first.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 300
    assert res.tiles > 0


def test_demo_map_renders_without_internet(open_page, demo_outputs: Path) -> None:
    path = demo_outputs / "study_area_map.html"
    res = open_page(path)
    _assert_map_rendered(res)
    res.assert_clean()
    # every script and style sheet of the page came from the local npm copies
    urls = assets.find_cdn_urls(path.read_text(encoding="utf-8"))
    assert set(urls) <= set(res.served), set(urls) - set(res.served)
    assert res.screenshot is not None and res.screenshot.stat().st_size > 10_000
    # the layer control works: unticking a layer removes its features
    before = res.count(".leaflet-interactive")
    label = res.frame.locator(".leaflet-control-layers label", has_text="Roads").first
    label.locator("input").click()
    res.page.wait_for_timeout(200)
    assert res.count(".leaflet-interactive") < before
    res.assert_clean()


@pytest.fixture(scope="module")
def hostile_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A map whose individual ids are HTML/JS and a path."""
    from habitat import datasets, maps
    from habitat.datasets.simulate import simulate_relocations
    from habitat.homerange import home_range

    sim = simulate_relocations(n_females=2, n_males=1, days=20, seed=3)
    fixes = sim.fixes
    old = sorted(fixes["individual"].astype(str).unique())
    rename = dict(zip(old, HOSTILE_IDS, strict=True))
    fixes = fixes.copy()
    fixes["individual"] = fixes["individual"].astype(str).map(rename)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ranges = home_range(fixes, method="mcp", levels=(0.5, 0.95))
    m = maps.study_area_map(datasets.layers(), relocations=fixes, ranges=ranges)
    out = tmp_path_factory.mktemp("hostile") / "hostile_map.html"
    maps.save_map(m, out)
    return out


def test_hostile_ids_render_as_text(open_page, hostile_map: Path) -> None:
    res = open_page(hostile_map)
    page = res.page
    assert res.dialogs == [], f"hostile id ran: {res.dialogs}"
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    visible = page.locator("body").inner_text()
    tooltips: list[str] = []
    for hostile in HOSTILE_IDS:
        if hostile in visible:
            continue
        # not in the legend or layer control: it must be in a tooltip's text
        tooltips = tooltips or _all_tooltip_texts(page)
        assert any(hostile in t for t in tooltips), f"{hostile!r} not shown as text"
    # and no markup made it into the DOM from the data
    assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0
    assert page.evaluate(
        "[...document.querySelectorAll('script')].every(s => s.textContent.trim() !== 'alert(1)')"
    )
    page.wait_for_timeout(300)
    assert res.dialogs == []
    res.assert_clean()


def _all_tooltip_texts(page) -> list[str]:  # noqa: ANN001
    """Hover every drawn feature and collect the tooltip texts."""
    return page.evaluate(
        """() => {
        const out = [];
        const maps = Object.values(window).filter(v => v instanceof L.Map);
        for (const map of maps) {
          map.eachLayer(l => {
            const t = l.getTooltip && l.getTooltip();
            if (t) { l.openTooltip && l.openTooltip();
                     const el = t.getElement && t.getElement();
                     if (el) out.push(el.innerText); }
          });
        }
        return out;
      }"""
    )


def test_inlined_demo_map_works_fully_offline(
    open_page, demo_outputs: Path, assets_dir: Path, tmp_path: Path
) -> None:
    src = demo_outputs / "study_area_map.html"
    html = assets.inline_assets(src.read_text(encoding="utf-8"), assets_dir)
    assert assets.find_cdn_urls(html) == []
    out = tmp_path / "offline_map.html"
    out.write_text(html, encoding="utf-8")
    res = open_page(out, offline=True)
    _assert_map_rendered(res)
    assert res.served == []
    res.assert_clean()
    # Font Awesome and glyphicon fonts are embedded, so icons do not ask the network
    fonts = res.page.evaluate("document.fonts.size")
    assert fonts >= 0


def test_harness_sees_dialogs_errors_and_network(open_page, tmp_path: Path) -> None:
    """The checks above would notice a script that ran or a request that escaped."""
    page = tmp_path / "canary.html"
    page.write_text(
        "<!doctype html><meta charset=utf-8><title>canary</title><body>"
        "<p id=t>text</p><img src=x onerror=alert(2)>"
        '<img src="https://example.invalid/track.png">'
        "<script>console.error('boom');"
        "setTimeout(() => { throw new Error('late'); }, 0);</script>",
        encoding="utf-8",
    )
    res = open_page(page, leaflet=False, wait_for="#t")
    assert res.dialogs == ["alert: 2"]
    assert res.blocked == ["https://example.invalid/track.png"]
    assert any("boom" in e for e in res.console_errors)
    assert any("late" in e for e in res.page_errors)
    with pytest.raises(AssertionError):
        res.assert_clean()


def test_map_in_an_iframe_is_found(open_page, hostile_map: Path, tmp_path: Path) -> None:
    """Report pages embed maps in iframes; open_page finds the map frame."""
    page = tmp_path / "report.html"
    page.write_text(
        "<!doctype html><meta charset=utf-8><title>report</title><h1>Report</h1>"
        f'<iframe id=map src="{hostile_map.as_uri()}" width=900 height=600></iframe>',
        encoding="utf-8",
    )
    res = open_page(page, wait_for="h1")
    assert res.frame is not res.page.main_frame
    assert len(res.leaflet_frames()) == 1
    assert res.count(".leaflet-interactive") > 10
    assert res.dialogs == []
    res.assert_clean()


def _plugin_map_html() -> str:
    """A map with a default marker, an awesome marker and every plugin habitat uses."""
    import folium
    from branca.colormap import LinearColormap
    from folium import plugins

    m = folium.Map(location=[43.1, 131.0], zoom_start=9)
    a = folium.FeatureGroup("Markers").add_to(m)
    b = folium.FeatureGroup("Clusters").add_to(m)
    folium.Marker([43.1, 131.0], tooltip="default").add_to(a)
    folium.Marker([43.15, 131.1], icon=folium.Icon(icon="leaf", color="green", angle=30)).add_to(a)
    folium.Marker([43.05, 130.9], icon=folium.Icon(icon="paw", prefix="fa")).add_to(a)
    folium.CircleMarker([43.12, 131.05], radius=8).add_to(a)
    cluster = plugins.MarkerCluster().add_to(b)
    for i in range(5):
        folium.Marker([43.0 + i * 0.001, 131.2]).add_to(cluster)
    plugins.HeatMap([[43.1 + i * 0.01, 131.0, 1.0] for i in range(10)]).add_to(m)
    plugins.Fullscreen().add_to(m)
    plugins.MeasureControl().add_to(m)
    plugins.MiniMap().add_to(m)
    plugins.GroupedLayerControl({"Groups": [a, b]}, exclusive_groups=False).add_to(m)
    LinearColormap(["red", "green"], vmin=0, vmax=1, caption="share").add_to(m)
    return m.get_root().render()


@pytest.mark.parametrize("offline", [False, True], ids=["cdn-served", "inlined"])
def test_every_plugin_asset_works(open_page, assets_dir: Path, tmp_path: Path, offline) -> None:
    html = _plugin_map_html()
    if offline:
        html = assets.inline_assets(html, assets_dir)
    path = tmp_path / "plugins.html"
    path.write_text(html, encoding="utf-8")
    res = open_page(path, offline=offline)
    f = res.frame
    for selector in (
        ".leaflet-marker-icon",  # default marker
        ".awesome-marker",  # Leaflet.awesome-markers
        ".glyphicon-leaf",  # bootstrap 3 glyphicons
        ".fa-paw",  # Font Awesome
        ".marker-cluster",  # MarkerCluster
        "canvas.leaflet-heatmap-layer",  # HeatMap
        ".leaflet-control-zoom-fullscreen",  # Fullscreen
        ".leaflet-control-measure",  # MeasureControl
        ".leaflet-control-minimap",  # MiniMap
        ".leaflet-control-layers-group",  # GroupedLayerControl
        "svg text",  # branca colour scale (d3)
    ):
        assert res.count(selector) >= 1, selector
    # the default marker image and the icon fonts really loaded
    assert f.evaluate(
        "() => [...document.querySelectorAll('img.leaflet-marker-icon')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    fonts = f.evaluate(
        "async () => { await document.fonts.ready; return [...document.fonts]"
        ".filter(x => x.status === 'loaded').map(x => x.family); }"
    )
    joined = " ".join(fonts)
    assert "Glyphicons Halflings" in joined and "Font Awesome 6 Free" in joined, fonts
    if offline:
        assert res.served == []
    res.assert_clean()

"""Fixtures for tests that open pages in headless Chromium (no internet).

Everything under tests/browser is marked ``browser`` (deselected by the default
run; ``.ci/run`` runs ``pytest -m browser``). The browser is Debian's Chromium
(``/usr/bin/chromium``, or ``$HABITAT_CHROMIUM``) driven by Playwright with
``executable_path``; Playwright's own browser builds are never downloaded.

Network policy of every page opened here (set on the browser context, so it
covers iframes too):

* ``file://`` and ``data:`` load normally;
* a CDN URL that :mod:`habitat.maps.assets` knows (and any image/font next to it) is
  served from ``tools/browser/node_modules`` (``$HABITAT_ASSETS_DIR``), unless
  the page is opened with ``offline=True``;
* basemap tile requests get a blank 256x256 PNG;
* every other request is aborted and recorded in ``PageResult.blocked``.

Use in a test::

    def test_report(open_page, tmp_path):
        path = write_report(tmp_path)              # any local HTML file
        res = open_page(path, wait_for="body", leaflet=False)
        res.assert_clean()                         # no console/page errors, dialogs, blocked
        assert res.page.locator("h1").is_visible()

Without Chromium or the npm assets the tests are skipped, or fail when
``HABITAT_REQUIRE_BROWSER=1`` (as in CI). Screenshots go to
``tests/browser/artifacts/`` (or ``$HABITAT_BROWSER_ARTIFACTS``).
"""

from __future__ import annotations

import os
import re
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from habitat.maps import assets

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM = Path(os.environ.get("HABITAT_CHROMIUM", "/usr/bin/chromium"))
ASSETS_DIR = Path(os.environ.get("HABITAT_ASSETS_DIR", ROOT / "tools" / "browser"))
ARTIFACTS = Path(os.environ.get("HABITAT_BROWSER_ARTIFACTS", HERE / "artifacts"))
REQUIRE = os.environ.get("HABITAT_REQUIRE_BROWSER", "") not in ("", "0")

#: a basemap tile request: .../{z}/{x}/{y}.png (also @2x, jpg, webp)
TILE_RE = re.compile(r"/\d+/\d+/\d+(@2x)?\.(png|jpe?g|webp)(\?.*)?$", re.IGNORECASE)


def _blank_png(size: int = 256) -> bytes:
    """A light-grey opaque PNG tile."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    row = b"\x00" + b"\xee\xee\xee" * size
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * size, 9))
        + chunk(b"IEND", b"")
    )


BLANK_TILE = _blank_png()
_CONTENT_TYPES = {".js": "application/javascript", ".css": "text/css"}


@pytest.hookimpl(tryfirst=True)  # add the marker before `-m` deselects by it
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"HABITAT_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _missing_requirements() -> str | None:
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} not found (run: bash tools/browser/setup.sh)"
    missing = [
        u
        for u, p in assets.local_asset_paths(ASSETS_DIR, include_missing=True).items()
        if not p.is_file()
    ]
    if missing:
        return (
            f"{len(missing)} offline assets missing in {ASSETS_DIR} "
            f"(first: {missing[0]}); run: bash tools/browser/setup.sh"
        )
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Debian Chromium launched through Playwright (one per session)."""
    reason = _missing_requirements()
    if reason:
        _unavailable(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield b
        finally:
            b.close()


@dataclass
class PageResult:
    """What happened while a page was open (lists keep filling while it stays open)."""

    page: Any
    path: Path
    offline: bool
    #: the frame in which Leaflet drew the map (the page's main frame, or an iframe
    #: of a report page); the main frame when ``leaflet=False``
    frame: Any = None
    screenshot: Path | None = None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    tiles: int = 0

    def assert_clean(self) -> None:
        """No console errors, page errors, dialogs or blocked requests."""
        problems = {
            "console errors": self.console_errors,
            "page errors": self.page_errors,
            "dialogs (alert/confirm/prompt)": self.dialogs,
            "blocked network requests": self.blocked,
        }
        bad = {k: v for k, v in problems.items() if v}
        assert not bad, f"{self.path.name}: {bad}"

    def count(self, selector: str) -> int:
        """Number of elements matching ``selector`` in :attr:`frame`."""
        return self.frame.locator(selector).count()

    def leaflet_frames(self) -> list[Any]:
        """Every frame (main or iframe) in which Leaflet has drawn vector layers."""
        return [f for f in self.page.frames if _leaflet_ready(f)]


_LEAFLET_READY = (
    "() => window.L !== undefined && !!document.querySelector('.leaflet-container')"
    " && document.querySelectorAll('.leaflet-interactive').length > 0"
)


def _leaflet_ready(frame: Any) -> bool:
    try:
        return bool(frame.evaluate(_LEAFLET_READY))
    except Exception:  # a frame that is navigating or detached
        return False


def _wait_for_leaflet(res: PageResult, timeout_ms: int) -> Any:
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        for frame in res.page.frames:
            if _leaflet_ready(frame):
                return frame
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{res.path.name}: Leaflet drew no map within {timeout_ms} ms; "
                f"page errors: {res.page_errors}; blocked: {res.blocked}"
            )
        res.page.wait_for_timeout(100)


def _router(res: PageResult) -> Callable[[Any], None]:
    def handle(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
            return
        if not res.offline:
            local = assets.resolve_url(url, ASSETS_DIR)
            if local is not None:
                res.served.append(url)
                ctype = _CONTENT_TYPES.get(local.suffix.lower()) or assets._mime(local)
                route.fulfill(status=200, path=str(local), content_type=ctype)
                return
        if TILE_RE.search(url):
            res.tiles += 1
            route.fulfill(status=200, body=BLANK_TILE, content_type="image/png")
            return
        res.blocked.append(url)
        route.abort("internetdisconnected")

    return handle


@pytest.fixture
def open_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., PageResult]]:
    """Open a local HTML file in Chromium with no internet; returns a :class:`PageResult`.

    ``open_page(path, *, offline=False, leaflet=True, wait_for=None, name=None,
    viewport=(1280, 860))``: with ``offline=True`` even the known CDN assets are
    not served (for pages with inlined assets). With ``leaflet=True`` it waits
    until Leaflet has drawn a map container and its vector layers, in the page
    or in one of its iframes (``res.frame`` is that frame). A full-page
    screenshot is saved as ``<artifacts>/<test name>[-name].png``.
    """
    contexts: list[Any] = []

    def _open(
        path: str | os.PathLike[str],
        *,
        offline: bool = False,
        leaflet: bool = True,
        wait_for: str | None = None,
        name: str | None = None,
        viewport: tuple[int, int] = (1280, 860),
        timeout_ms: int = 20_000,
    ) -> PageResult:
        path = Path(path).resolve()
        ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(timeout_ms)
        res = PageResult(page=page, path=path, offline=offline)
        ctx.route("**/*", _router(res))
        page.on("console", lambda m: m.type == "error" and res.console_errors.append(m.text))
        page.on("pageerror", lambda e: res.page_errors.append(str(e)))

        def on_dialog(d: Any) -> None:
            res.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", on_dialog)
        page.goto(path.as_uri(), wait_until="load")
        res.frame = _wait_for_leaflet(res, timeout_ms) if leaflet else page.main_frame
        if wait_for:
            page.wait_for_selector(wait_for, state="attached")
        page.wait_for_timeout(300)  # let late handlers (tiles, legends) settle
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.name)
        shot = ARTIFACTS / f"{stem}{'-' + name if name else ''}.png"
        page.screenshot(path=str(shot), full_page=True)
        res.screenshot = shot
        return res

    yield _open
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="session")
def assets_dir() -> Path:
    """The folder with the npm copies of the CDN assets (``tools/browser``)."""
    return ASSETS_DIR


@pytest.fixture(scope="session")
def demo_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's output folder (``habitat.batch.demo.run_demo``), made once per session."""
    from habitat.batch.demo import run_demo

    out = tmp_path_factory.mktemp("demo") / "demo"
    run_demo(out, overwrite=True)
    return out

"""Screenshots of the demo map and a report page for the README (docs/images/).

Runs the demo into a temporary folder (or uses ``--demo DIR``), opens the pages
in headless Debian Chromium with no internet (folium's CDN scripts served from
``tools/browser/node_modules``, see ``tools/browser/setup.sh``; basemap tiles
left blank), and saves PNGs::

    .venv/bin/python tools/screenshots.py [--demo demo-output]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from habitat.maps import assets  # noqa: E402

OUT = ROOT / "docs" / "images"


def _route(route) -> None:  # noqa: ANN001 - playwright Route
    url = route.request.url
    if url.startswith(("file:", "data:", "blob:", "about:")):
        route.continue_()
        return
    local = assets.resolve_url(url, ROOT / "tools" / "browser")
    if local is not None:
        route.fulfill(status=200, path=str(local))
    else:
        route.abort("internetdisconnected")


def main() -> None:
    """Run the demo if needed and save the screenshots."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path, help="an existing demo output folder")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        demo = args.demo
        if demo is None:
            from habitat.batch.demo import run_demo

            demo = Path(tmp) / "demo"
            run_demo(demo, overwrite=True)
        OUT.mkdir(parents=True, exist_ok=True)
        shots = [
            (demo / "study_area_map.html", OUT / "study_area_map.png", (1200, 800), False),
            (demo / "report" / "index.html", OUT / "report_index.png", (1200, 900), True),
            (
                demo / "report" / "pages" / "Leo_3F.html",
                OUT / "report_page.png",
                (1200, 1400),
                False,
            ),
        ]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
            for page_path, png, (w, h), full in shots:
                ctx = browser.new_context(viewport={"width": w, "height": h})
                ctx.route("**/*", _route)
                page = ctx.new_page()
                page.goto(page_path.resolve().as_uri(), wait_until="load")
                page.wait_for_timeout(1500)
                page.screenshot(path=str(png), full_page=full)
                ctx.close()
                print(png)
            browser.close()


if __name__ == "__main__":
    main()

"""Screenshots for the README (docs/screenshots/), from headless Chromium.

Skipped unless TSUNAGARI_SCREENSHOTS=1, so the test suite never rewrites committed files:
  TSUNAGARI_SCREENSHOTS=1 python3 -m pytest -q Tests/browser/test_screenshots.py
"""

import base64
import os
from pathlib import Path

import pytest

from conftest import REPO, emulate
from test_residents import open_page, page_types

OUT = REPO / "docs" / "screenshots"
# A fixed Japan-time clock, so that the open-now badges are the same in every shot.
NOW = "2025-01-08T17:00"


@pytest.mark.skipif(os.environ.get("TSUNAGARI_SCREENSHOTS") != "1", reason="set TSUNAGARI_SCREENSHOTS=1 to refresh")
@pytest.mark.parametrize("width,height", [(320, 640), (1280, 900)])
def test_screenshots(driver, site, width, height):
    OUT.mkdir(parents=True, exist_ok=True)
    shots = {"home": "/", "window": page_types(site)["window"], "term": page_types(site)["term"], "find": "/find/"}
    emulate(driver, width, height, 1, mobile=width < 600)
    for name, path in shots.items():
        open_page(driver, site, path, NOW)
        target = OUT / f"{name}-{width}.png"
        # The page from its top (quick exit, crisis block) into its own content, cut at a length.
        # On a small phone the crisis block fills the first screens, so past the home page the
        # 320 px shots start at the page's own content (<main>).
        full = driver.execute_script("return document.documentElement.scrollHeight")
        top = 0 if name == "home" or width >= 600 else driver.execute_script(
            "return Math.max(0, Math.round(document.getElementById('main').getBoundingClientRect().top + scrollY) - 24)")
        clip = {"x": 0, "y": top, "width": width, "height": min(full - top, height * 3 if width < 600 else height * 2), "scale": 1}
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
        target.write_bytes(base64.b64decode(shot["data"]))
        assert Path(target).stat().st_size > 1000

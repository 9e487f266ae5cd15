"""`tsunagari serve` for real: the binary serving a copy of the basic fixture, files edited
on disk, and the preview following — over HTTP (the long poll, the page, the error page) and
in Chromium (the open tab reloads itself)."""
import re
import shutil
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import FIXTURE, REPO, tsunagari_binary
from serving import Served

WINDOW = "content/windows/national-line.md"
WINDOW_PAGE = "/windows/national-line/"
OLD_NAME = "全国こそだてライン"
NEW_NAME = "全国こそだてほっとライン"


@pytest.fixture
def served(tmp_path):
    source = tmp_path / "site"
    shutil.copytree(FIXTURE, source)
    shutil.copytree(REPO / "themes" / "default", source / "themes" / "default")
    server = Served(tsunagari_binary(), source, tmp_path / "serve.log")
    try:
        yield server
    finally:
        server.stop()


def edit(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the TCP sockets listening on `port` (from /proc/net/tcp, tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_serve_listens_on_localhost_only_by_default(served):
    assert served.host == "127.0.0.1"
    # 0100007F is 127.0.0.1 as /proc/net/tcp writes it; 0.0.0.0 would be 00000000.
    assert listening_addresses(served.port) == {"0100007F"}


def test_an_edit_a_broken_file_and_its_fix_each_reach_the_page(served):
    status, page = served.get(WINDOW_PAGE)
    assert status == 200 and OLD_NAME in page
    version = served.version_of(page)
    file = served.source / WINDOW

    edit(file, f"name: {OLD_NAME}", f"name: {NEW_NAME}")
    version, seconds = served.wait_for_new_version(version, limit=10)
    assert seconds < 10
    status, page = served.get(WINDOW_PAGE)
    assert status == 200 and NEW_NAME in page and OLD_NAME not in page
    assert served.version_of(page) == version

    # Invalid YAML: the error page names the file, line and column, and still reloads itself.
    edit(file, "summary: 子育ての悩み", "summary: [子育ての悩み")
    version, _ = served.wait_for_new_version(version, limit=10)
    status, page = served.get(WINDOW_PAGE)
    assert status == 500
    assert re.search(r"content/windows/national-line\.md:\d+:\d+: error: ", page), page
    assert served.version_of(page) == version

    # Fixed: the page is back, with the edit.
    edit(file, "summary: [子育ての悩み", "summary: 子育ての悩み")
    served.wait_for_new_version(version, limit=10)
    status, page = served.get(WINDOW_PAGE)
    assert status == 200 and NEW_NAME in page


def test_an_open_tab_reloads_itself_after_an_edit(served, driver):
    driver.get(served.base + WINDOW_PAGE.lstrip("/"))
    assert OLD_NAME in driver.find_element(By.TAG_NAME, "h1").text
    # A mark on this page's window object: gone once the page has reloaded itself.
    driver.execute_script("window.__beforeEdit = true")

    edit(served.source / WINDOW, f"name: {OLD_NAME}", f"name: {NEW_NAME}")
    start = time.monotonic()
    # No refresh() here: only the injected live-reload script can bring the new name.
    WebDriverWait(driver, 10, poll_frequency=0.1).until(
        lambda d: NEW_NAME in d.execute_script("return document.querySelector('h1') ? document.querySelector('h1').textContent : ''"))
    assert time.monotonic() - start < 10
    assert driver.execute_script("return window.__beforeEdit === undefined")

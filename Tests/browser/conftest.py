"""Shared browser fixtures: build a site with the tsunagari binary, serve it on 127.0.0.1,
drive headless Chromium (Debian's chromium + chromium-driver) through Selenium 4, and check
that no request left the local server.

Sites (each a BuiltSite: .public, .url(path), .first(kind), .path_of(file), .html_files(),
.neutral_url, .get(path)):
- ``site``: the repository's own example (site.yml, content/, themes/), built once.
- ``example_site``: the same, skipped while content/windows/ is empty.
- ``search_site``: the core tests' ``basic`` fixture plus a few windows written here (DV,
  young carers, a children's line, money, ひきこもり, a municipal window in Osaka), so that
  the search assertions do not depend on the example content, which editors change.

Browsers: ``driver`` (Chromium, emulation reset after each test), ``nojs_driver`` (JavaScript
off), ``browser`` (the same Chromium; fails the test if a request left 127.0.0.1).

The binary is $TSUNAGARI_BIN, else .build/release/tsunagari, else .build/debug/tsunagari.
"""
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from serving import stop_process

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "Tests" / "TsunagariCoreTests" / "Fixtures" / "basic"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def tsunagari_binary():
    env = os.environ.get("TSUNAGARI_BIN")
    candidates = [Path(env)] if env else [REPO / ".build" / "release" / "tsunagari", REPO / ".build" / "debug" / "tsunagari"]
    for c in candidates:
        if c.exists():
            return c
    pytest.skip("no tsunagari binary: run `swift build -c release --product tsunagari`")


# Staleness and periods are judged against this date in the example build: 2026-01-15 UTC.
SOURCE_DATE_EPOCH = "1768435200"
NEUTRAL_PATH = "/_neutral/"
NEUTRAL_HTML = ('<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>neutral</title></head>\n'
                '<body><main><h1>neutral</h1><p>Stands in for the quick-exit site in tests.</p></main></body>\n</html>\n')


def build_site(source: Path, env: dict | None = None) -> Path:
    output = source.parent / (source.name + "-public")
    result = subprocess.run(
        [str(tsunagari_binary()), "build", "--source", str(source), "--output", str(output)],
        capture_output=True, text=True, env=dict(os.environ, **(env or {})))
    if result.returncode != 0:
        raise RuntimeError(f"build failed:\n{result.stdout}\n{result.stderr}")
    return output


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BuiltSite:
    """A built site served by `python3 -m http.server` on a free 127.0.0.1 port, in a
    background process."""

    def __init__(self, source: Path, public: Path, port: int | None = None):
        self.source = source
        self.public = public
        self.root = public
        self.port = port or free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1", "--directory", str(public)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}/"
        self.neutral_url = quick_exit_url(source / "site.yml")
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base, timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the local server did not start")

    def url(self, path: str = "/") -> str:
        return urllib.parse.urljoin(self.base, path.lstrip("/"))

    def get(self, path: str) -> str:
        return urllib.request.urlopen(self.url(path), timeout=5).read().decode("utf-8")

    def html_files(self):
        """Every page of the site (not the tests' own neutral page)."""
        neutral = self.public / NEUTRAL_PATH.strip("/")
        return sorted(p for p in self.public.rglob("*.html") if neutral not in p.parents)

    def path_of(self, file: Path) -> str:
        """The URL path of an output file: /windows/x/ for windows/x/index.html."""
        relative = file.relative_to(self.public).as_posix()
        if relative == "index.html" or relative.endswith("/index.html"):
            relative = relative[: -len("index.html")]
        return "/" + relative

    def first(self, kind: str) -> str:
        """The URL path of the first page (by folder name) under /kind/."""
        folder = self.public / kind
        names = sorted(p.name for p in folder.iterdir() if (p / "index.html").is_file()) if folder.is_dir() else []
        if not names:
            pytest.skip(f"the site has no /{kind}/ pages")
        return f"/{kind}/{names[0]}/"

    def stop(self):
        stop_process(self.process)


def quick_exit_url(site_yml: Path) -> str:
    for line in site_yml.read_text(encoding="utf-8").splitlines():
        if line.startswith("quick_exit_url:"):
            return line.split(":", 1)[1].strip().strip("\"'")
    return "https://www.google.co.jp/"


# ---- The search test site -------------------------------------------------------------

OVERLAY = {
    "content/taxonomies/categories.yml": """
- slug: kosodate
  label: 子育て
  reading: こそだて
  order: 1
  description: 子育ての悩み
  synonyms: [育児, 子ども, こども, 子供]
- slug: kodoku
  label: 孤独・孤立
  reading: こどくこりつ
  order: 2
  synonyms: [ひとりぼっち, さみしい]
- slug: kurashi
  label: 生活・お金
  reading: せいかつおかね
  order: 3
  synonyms: [生活, お金, 借金, 家賃]
- slug: dv
  label: DV・性暴力
  reading: でぃーぶいせいぼうりょく
  order: 4
  synonyms: [DV, ドメスティック・バイオレンス, 配偶者暴力]
- slug: young-carer
  label: ヤングケアラー
  reading: やんぐけあらー
  order: 5
  synonyms: [ケアラー, 家族の世話]
- slug: hikikomori
  label: ひきこもり
  reading: ひきこもり
  order: 6
  synonyms: [引きこもり, 外出できない]
""",
    "content/taxonomies/life-stages.yml": """
- slug: kodomo
  label: 子ども・18歳以下
  reading: こども
  order: 1
  synonyms: [子ども, こども, 18歳以下]
- slug: oya
  label: 子育て中の方
  reading: こそだてちゅうのかた
  order: 2
- slug: dare-demo
  label: どなたでも
  reading: どなたでも
  order: 3
""",
    "content/taxonomies/municipalities.yml": """
- code: "131083"
  label: 江東区
  reading: こうとうく
  prefecture: "13"
- code: "272108"
  label: 枚方市
  reading: ひらかたし
  prefecture: "27"
""",
    "content/windows/dv-navi.md": """---
name: DV相談ナビ
reading: でぃーぶいそうだんなび
summary: 配偶者やパートナーからの暴力に悩む方の電話相談
categories: [dv]
life_stages: [dare-demo]
regions: [national]
crisis: true
channels:
  - type: 電話
    number: "0120-111-111"
    hours: { always: true }
hours: { always: true }
sample: true
---
""",
    "content/windows/young-carer.md": """---
name: ヤングケアラーほっとライン
reading: やんぐけあらーほっとらいん
summary: 家族の世話をしている子ども・若者のチャット相談
categories: [young-carer]
life_stages: [kodomo]
regions: [national]
channels:
  - type: チャット
    url: https://example.test/chat
sample: true
---
""",
    "content/windows/kids-sos.md": """---
name: こどもSOSダイヤル
reading: こどもえすおーえすだいやる
summary: 18歳までの子どもが、いじめや家のことを話せる電話
categories: [kodoku]
life_stages: [kodomo]
regions: [national]
crisis: true
channels:
  - type: 電話
    number: "0120-222-222"
    hours: { always: true }
hours: { always: true }
sample: true
---
""",
    "content/windows/tokyo-money.md": """---
name: 東京くらしとお金の相談
reading: とうきょうくらしとおかねのそうだん
summary: 生活や家賃に困ったときの相談
categories: [kurashi]
life_stages: [dare-demo]
regions: ["13"]
channels:
  - type: 電話
    number: "03-0000-0001"
sample: true
---
""",
    "content/windows/osaka-hikikomori.md": """---
name: 大阪ひきこもり地域支援センター
reading: おおさかひきこもりちいきしえんせんたー
summary: 家から出にくい方と家族の相談
categories: [hikikomori]
life_stages: [dare-demo]
regions: ["27"]
channels:
  - type: 対面
  - type: メール
    url: https://example.test/mail
sample: true
---
""",
    "content/windows/hirakata-kosodate.md": """---
name: 枚方こそだてひろば
reading: ひらかたこそだてひろば
summary: 枚方市の子育て相談
categories: [kosodate]
life_stages: [oya]
regions: ["272108"]
channels:
  - type: 対面
sample: true
---
""",
}


def make_search_site(root: Path) -> Path:
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    shutil.copytree(REPO / "themes" / "default", root / "themes" / "default")
    for relative, text in OVERLAY.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def search_site():
    with tempfile.TemporaryDirectory(prefix="tsunagari-browser-") as tmp:
        source = make_search_site(Path(tmp) / "site")
        served = BuiltSite(source, build_site(source))
        try:
            yield served
        finally:
            served.stop()


def example_has_windows() -> bool:
    folder = REPO / "content" / "windows"
    return folder.is_dir() and any(folder.glob("*.md"))


@pytest.fixture(scope="session")
def site():
    """The repository's example site (a copy of site.yml, content/ and themes/), built with a
    fixed SOURCE_DATE_EPOCH and served. Its quick_exit_url is a neutral page on the same test
    server (/_neutral/), so that quick-exit tests never send a request to another host."""
    with tempfile.TemporaryDirectory(prefix="tsunagari-example-") as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        port = free_port()
        config = (REPO / "site.yml").read_text(encoding="utf-8")
        config = "\n".join(l for l in config.splitlines() if not l.startswith("quick_exit_url:"))
        (root / "site.yml").write_text(config + f"\nquick_exit_url: http://127.0.0.1:{port}{NEUTRAL_PATH}\n", encoding="utf-8")
        shutil.copytree(REPO / "content", root / "content")
        shutil.copytree(REPO / "themes", root / "themes")
        try:
            public = build_site(root, env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
        except RuntimeError as error:
            pytest.fail(f"the example site does not build: {error}", pytrace=False)
        (public / NEUTRAL_PATH.strip("/")).mkdir(parents=True, exist_ok=True)
        (public / NEUTRAL_PATH.strip("/") / "index.html").write_text(NEUTRAL_HTML, encoding="utf-8")
        served = BuiltSite(root, public, port=port)
        try:
            yield served
        finally:
            served.stop()


@pytest.fixture(scope="session")
def example_site(site):
    if not example_has_windows():
        pytest.skip("the example content has no windows yet")
    return site


# ---- The browser ----------------------------------------------------------------------

def start_chromium(javascript: bool = True):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=480,1000", "--lang=ja", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


@pytest.fixture(scope="session")
def chromium():
    driver = start_chromium()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def nojs_chromium():
    driver = start_chromium(javascript=False)
    try:
        yield driver
    finally:
        driver.quit()


def emulate(driver, width: int, height: int, scale: float = 1, mobile: bool = False):
    """A screen of width × height CSS pixels at a device scale (zoom) factor."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile})


def reset(driver):
    for command, params in (("Emulation.clearDeviceMetricsOverride", {}),
                            ("Emulation.setEmulatedMedia", {"media": "", "features": []}),
                            ("Emulation.setTimezoneOverride", {"timezoneId": ""})):
        try:
            driver.execute_cdp_cmd(command, params)
        except Exception:  # noqa: BLE001 - a reset that is not needed may fail
            pass


@pytest.fixture
def driver(chromium):
    """The shared Chromium, with its emulation (screen, media, time zone) reset after the test."""
    chromium.get("about:blank")
    yield chromium
    reset(chromium)


@pytest.fixture
def nojs_driver(nojs_chromium):
    nojs_chromium.get("about:blank")
    yield nojs_chromium


def network_events(driver):
    """The CDP Network events logged since the last call: (method, params)."""
    events = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method", "").startswith("Network."):
            events.append((message["method"], message.get("params", {})))
    return events


def requested_urls(events):
    return [p["request"]["url"] for m, p in events if m == "Network.requestWillBeSent"]


def transferred(events):
    """URL → bytes on the wire (encodedDataLength) of each finished request."""
    urls = {p["requestId"]: p["request"]["url"] for m, p in events if m == "Network.requestWillBeSent"}
    sizes = {}
    for m, p in events:
        if m == "Network.loadingFinished" and p["requestId"] in urls:
            sizes[urls[p["requestId"]]] = sizes.get(urls[p["requestId"]], 0) + int(p.get("encodedDataLength", 0))
    return sizes


def is_local(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme in ("data", "blob", "about", "chrome-error"):
        return True
    return parsed.hostname == "127.0.0.1"


@pytest.fixture
def browser(chromium):
    """The shared Chromium, its logs drained before the test; after it, every request the
    pages made must have gone to 127.0.0.1."""
    chromium.get("about:blank")
    network_events(chromium)
    yield chromium
    outside = [u for u in requested_urls(network_events(chromium)) if not is_local(u)]
    reset(chromium)
    assert not outside, f"requests left the local server: {outside}"

"""What residents see: the crisis block, open-now, quick exit, keyboard, small screens,
zoom, no JavaScript, privacy. Runs against the example site built by conftest.py."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import emulate


# ---------------------------------------------------------------------------------------------
# Page types, and a tiny static HTML reader


def page_types(site) -> dict[str, str]:
    """One URL path for each kind of page the resident can reach."""
    regions = sorted(p for p in (site.public / "regions").iterdir() if (p / "index.html").is_file())
    region_category = next(
        f"/regions/{r.name}/{c.name}/"
        for r in regions for c in sorted(r.iterdir()) if (c / "index.html").is_file())
    return {
        "home": "/",
        "window": "/windows/childline/" if (site.public / "windows/childline").is_dir() else site.first("windows"),
        "member": site.first("members"),
        "case": site.first("cases"),
        "symposium": site.first("symposia"),
        "page": site.first("pages"),
        "term": site.first("categories"),
        "terms index": "/categories/",
        "region": "/regions/13/" if (site.public / "regions/13").is_dir() else f"/regions/{regions[0].name}/",
        "region×category": region_category,
        "windows list": "/windows/",
        "search": "/search/",
        "find": "/find/",
        "404": "/404.html",
    }


class Page(HTMLParser):
    """Elements with their attributes, in document order, and the text of the crisis lines."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: (v or "") for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.scripts.append(data)

    def find(self, tag=None, **attrs):
        out = []
        for t, a in self.elements:
            if tag and t != tag:
                continue
            names = {k: k.rstrip("_").replace("_", "-") for k in attrs}
            if all(a.get(names[k]) is not None and (v is True or v in a[names[k]].split() or a[names[k]] == v)
                   for k, v in attrs.items()):
                out.append(a)
        return out


@pytest.fixture(scope="module")
def pages(site):
    return {site.path_of(f): Page(f.read_text(encoding="utf-8")) for f in site.html_files()}


def open_page(driver, site, path, now=None):
    url = site.url(path)
    if now:
        url += ("&" if "?" in url else "?") + "now=" + now
    driver.get(url)
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


# ---------------------------------------------------------------------------------------------
# Every page, read as built (no browser)


def test_every_page_has_the_safety_parts(pages):
    assert len(pages) > 20
    for path, page in pages.items():
        body_first = next(a for t, a in page.elements if t == "a")
        assert "skip-link" in body_first.get("class", ""), f"{path}: the first link is not the skip link"
        assert page.find("a", id="quick-exit"), f"{path}: no quick exit"
        assert page.find("aside", class_="crisis"), f"{path}: no crisis block"
        assert page.find("li", class_="crisis-line"), f"{path}: no crisis line"
        csp = page.find("meta", http_equiv="Content-Security-Policy")
        assert csp and "default-src 'self'" in csp[0]["content"] and "object-src 'none'" in csp[0]["content"], path
        assert page.find("meta", name="referrer", content="no-referrer"), path
        assert page.find("main", id="main"), path
        assert page.find("html")[0].get("lang") == "ja", path
        if path != "/404.html":
            assert page.find("link", rel="canonical"), path
            assert page.find("meta", property="og:title"), path
        assert page.find("link", rel="stylesheet", media="print"), path


def test_phone_numbers_are_tel_links(pages):
    for path, page in pages.items():
        for a in page.find("a", class_="tel"):  # (a number that is not dialable is plain text)
            assert re.fullmatch(r"tel:(%23)?\d{3,11}", a.get("href", "")), f"{path}: {a}"


def test_every_crisis_line_has_a_tel_link(site):
    html = (site.public / "index.html").read_text(encoding="utf-8")
    block = html[html.index('<aside class="crisis"'):html.index("</aside>")]
    lines = block.split('<li class="crisis-line')[1:]
    assert lines
    assert sum('href="tel:' in line for line in lines) >= len(lines) // 2
    for line in lines:
        text = re.sub(r"<[^>]+>", " ", line.split(">", 1)[1])
        if re.search(r"#\d{4}|0\d{1,4}-\d{1,4}-\d{3,4}|0120-\d{6}", text):
            assert 'href="tel:' in line, line[:300]
        if "data-always" in line:
            assert "24時間" in line


def test_no_third_party_requests_in_markup(site):
    """No src, stylesheet/script href or fetch( that names another host; plain links are fine."""
    external = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
    problems = []
    for file in site.html_files():
        page = Page(file.read_text(encoding="utf-8"))
        for tag, attrs in page.elements:
            for name in ("src", "srcset", "poster", "data", "action", "formaction"):
                if name in attrs and external.match(attrs[name]):
                    problems.append(f"{site.path_of(file)}: <{tag} {name}={attrs[name]}>")
            if tag == "link" and external.match(attrs.get("href", "")):
                rel = attrs.get("rel", "")
                if rel not in ("canonical", "alternate"):
                    problems.append(f"{site.path_of(file)}: <link rel={rel} href={attrs['href']}>")
            if "style" in attrs and "url(" in attrs["style"]:
                problems.append(f"{site.path_of(file)}: inline style with url()")
        for script in page.scripts:
            if re.search(r"\bfetch\s*\(\s*['\"](?:https?:)?//", script):
                problems.append(f"{site.path_of(file)}: inline fetch to another host")
    for js in site.public.rglob("*.js"):
        text = js.read_text(encoding="utf-8")
        for m in re.finditer(r"\b(?:fetch|importScripts|XMLHttpRequest|sendBeacon|WebSocket|EventSource)\s*\(\s*['\"`]([^'\"`]*)", text):
            if external.match(m.group(1)):
                problems.append(f"{js.name}: {m.group(0)}")
    for css in site.public.rglob("*.css"):
        for m in re.finditer(r"url\(\s*['\"]?([^)'\"]*)", css.read_text(encoding="utf-8")):
            if external.match(m.group(1)):
                problems.append(f"{css.name}: url({m.group(1)})")
        if "@import" in css.read_text(encoding="utf-8"):
            problems.append(f"{css.name}: @import")
    assert not problems, "\n".join(problems[:50])


def test_metadata_files(site):
    sitemap = (site.public / "sitemap.xml").read_text(encoding="utf-8")
    assert "<urlset" in sitemap and "<loc>" in sitemap
    robots = (site.public / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap:" in robots


# ---------------------------------------------------------------------------------------------
# Crisis block and open now, at fixed clock times (?now= is Japan time)


def crisis_lines(driver):
    return driver.execute_script("""
        return Array.from(document.querySelectorAll('.crisis-line')).map(li => ({
          text: li.textContent.replace(/\\s+/g, ' '), hidden: li.hidden, visible: li.offsetParent !== null,
          open: li.classList.contains('is-open'), always: li.hasAttribute('data-always'),
          badge: !!li.querySelector('[data-open-badge]:not([hidden])'),
          schedule: li.getAttribute('data-schedule') }));""")


def test_crisis_block_is_visible_near_the_top(driver, site):
    for path in ("/", page_types(site)["window"], "/404.html"):
        open_page(driver, site, path)
        block = driver.find_element(By.CSS_SELECTOR, "aside.crisis")
        assert block.is_displayed()
        assert block.rect["y"] < 600, f"{path}: crisis block starts at {block.rect['y']}px"
        assert any(l["visible"] for l in crisis_lines(driver))


def test_24_hour_lines_are_always_open(driver, site):
    for now in ("2025-01-08T03:00", "2025-01-11T12:30", "2025-01-12T23:59"):
        open_page(driver, site, "/", now)
        lines = [l for l in crisis_lines(driver) if l["always"] and not l["hidden"]]
        assert lines, "no 24-hour line in the crisis block"
        for l in lines:
            assert l["open"] and l["badge"], f"{now}: {l['text']}"
            assert "24時間" in l["text"]


def test_open_lines_come_first_and_are_counted(driver, site):
    open_page(driver, site, "/", "2025-01-08T03:00")
    lines = [l for l in crisis_lines(driver) if not l["hidden"]]
    opens = [l["open"] for l in lines]
    assert opens == sorted(opens, reverse=True)
    summary = driver.find_element(By.CSS_SELECTOR, "[data-open-summary]")
    assert summary.is_displayed() and str(sum(opens)) in summary.text


def card_state(driver, name):
    return driver.execute_script("""
        const a = Array.from(document.querySelectorAll('.card .card-title a')).find(a => a.textContent.trim() === arguments[0]);
        if (!a) return null;
        const card = a.closest('.card');
        return { open: card.classList.contains('is-open'), badge: !!card.querySelector('[data-open-badge]:not([hidden])') };""",
        name)


def test_daily_afternoon_line_opens_by_the_clock(driver, site):
    """チャイルドライン: every day 16:00–21:00."""
    for now, expected in (("2025-01-08T17:00", True), ("2025-01-08T10:00", False), ("2025-01-12T16:00", True),
                          ("2025-01-12T21:00", False), ("2025-01-11T20:59", True), ("2025-01-11T15:59", False)):
        open_page(driver, site, "/windows/", now)
        state = card_state(driver, "チャイルドライン")
        assert state is not None, "チャイルドライン is not in the list"
        assert state == {"open": expected, "badge": expected}, now
        open_page(driver, site, "/windows/childline/", now)
        badge = driver.find_element(By.CSS_SELECTOR, ".entry [data-open-badge]")
        assert badge.is_displayed() == expected, f"window page at {now}"


def test_is_open_rules(driver, site):
    open_page(driver, site, "/")
    check = lambda schedule, now: driver.execute_script(
        "const n = arguments[1].split(/[-T:]/).map(Number);"
        "const now = {date: arguments[1].slice(0, 10), day: new Date(Date.UTC(n[0], n[1]-1, n[2])).getUTCDay(), minutes: n[3]*60 + n[4]};"
        "return window.Tsunagari.isOpen(arguments[0], now);", schedule, now)
    weekdays = {"always": False, "weekly": [{"d": [0, 1, 2, 3, 4], "o": 9 * 60, "c": 17 * 60}]}
    assert check(weekdays, "2025-01-06T09:00")        # Monday
    assert not check(weekdays, "2025-01-06T17:00")
    assert not check(weekdays, "2025-01-11T10:00")    # Saturday
    overnight = {"always": False, "weekly": [{"d": [4], "o": 22 * 60, "c": 6 * 60}]}   # Friday 22:00–6:00
    assert check(overnight, "2025-01-10T23:00")
    assert check(overnight, "2025-01-11T05:59")       # Saturday early morning
    assert not check(overnight, "2025-01-11T06:00")
    assert not check(overnight, "2025-01-09T23:00")   # Thursday
    period = {"always": True, "from": "2025-05-02", "until": "2025-05-07"}
    assert check(period, "2025-05-02T00:00") and check(period, "2025-05-07T23:59")
    assert not check(period, "2025-05-01T23:59") and not check(period, "2025-05-08T00:00")


def test_clock_is_japan_time_whatever_the_device_says(driver, site):
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "America/Los_Angeles"})
    try:
        open_page(driver, site, "/")
        now = driver.execute_script("var n = window.Tsunagari.japanNow(); var t = new Date(Date.now() + 9*3600*1000);"
                                    "return [n.minutes, t.getUTCHours()*60 + t.getUTCMinutes(), n.date, t.toISOString().slice(0,10)];")
        assert abs(now[0] - now[1]) <= 1 and now[2] == now[3]
    finally:
        driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})


def period_lines(site):
    html = (site.public / "index.html").read_text(encoding="utf-8")
    block = Page(html[html.index('<aside class="crisis"'):html.index("</aside>") + 8])
    out = []
    for li in block.find("li", class_="crisis-line"):
        schedule = json.loads(li.get("data-schedule") or "{}")
        if schedule.get("from") and schedule.get("until"):
            out.append(schedule)
    return out


def test_period_limited_line_shows_only_within_its_period(driver, site):
    """#9999 (孤独・孤立相談ダイヤル) opens only for set periods."""
    schedules = period_lines(site)
    assert schedules, "no period-limited crisis line in the example"
    for schedule in schedules:
        start, end = schedule["from"], schedule["until"]
        def visible_period_lines(now):
            open_page(driver, site, "/", now)
            return driver.execute_script("""
                return Array.from(document.querySelectorAll('.crisis-line')).filter(li => {
                  const s = JSON.parse(li.getAttribute('data-schedule') || '{}');
                  return s.from === arguments[0] && s.until === arguments[1] && li.offsetParent !== null;
                }).map(li => li.textContent);""", start, end)
        inside = visible_period_lines(start + "T12:00")
        assert inside, f"hidden within its period {start}..{end}"
        if any("#9999" in t for t in inside):
            assert all("#9999" in t for t in inside)
        y, m, d = map(int, start.split("-"))
        before = f"{y - 1}-{m:02d}-{d:02d}T12:00"
        y, m, d = map(int, end.split("-"))
        after = f"{y + 1}-{m:02d}-{min(d, 28):02d}T12:00"
        assert not visible_period_lines(before), f"shown before its period ({before})"
        assert not visible_period_lines(after), f"shown after its period ({after})"


def test_tel_links_in_running_text(driver, site):
    if not (site.public / "windows/kodoku-koritsu-dial").is_dir():
        pytest.skip("no #9999 page in the example")
    open_page(driver, site, "/windows/kodoku-koritsu-dial/")
    hrefs = driver.execute_script("return Array.from(document.querySelectorAll('.prose a.tel')).map(a => a.getAttribute('href'));")
    assert "tel:0120494949" in hrefs and "tel:%239999" in hrefs


# ---------------------------------------------------------------------------------------------
# Quick exit


def assert_left_for_neutral(driver, site, left_from):
    WebDriverWait(driver, 10).until(lambda d: d.current_url == site.neutral_url)
    driver.back()
    WebDriverWait(driver, 10).until(lambda d: d.current_url != site.neutral_url)
    assert driver.current_url != site.url(left_from), "back returned to the page the resident left"


def test_quick_exit_button_replaces_history(driver, site):
    open_page(driver, site, "/")
    path = page_types(site)["window"]
    open_page(driver, site, path)
    length = driver.execute_script("return history.length")
    driver.find_element(By.ID, "quick-exit").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url == site.neutral_url)
    assert driver.execute_script("return history.length") == length
    assert_left_for_neutral(driver, site, path)
    assert driver.current_url == site.url("/")


def test_quick_exit_by_pressing_escape_twice(driver, site):
    open_page(driver, site, "/")
    open_page(driver, site, "/find/")
    ActionChains(driver).send_keys(Keys.ESCAPE).pause(0.1).send_keys(Keys.ESCAPE).perform()
    assert_left_for_neutral(driver, site, "/find/")


def test_one_escape_does_not_leave(driver, site):
    open_page(driver, site, "/")
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    ActionChains(driver).pause(2).send_keys(Keys.ESCAPE).perform()
    assert driver.current_url == site.url("/")


def test_quick_exit_from_a_search_field(driver, site):
    open_page(driver, site, "/search/")
    field = driver.find_element(By.CSS_SELECTOR, "input[type=search]")
    field.send_keys("こころ")
    field.send_keys(Keys.ESCAPE)
    field.send_keys(Keys.ESCAPE)
    WebDriverWait(driver, 10).until(lambda d: d.current_url == site.neutral_url)


# ---------------------------------------------------------------------------------------------
# Keyboard


def test_tab_reaches_skip_link_then_quick_exit_with_visible_focus(driver, site):
    for path in ("/", page_types(site)["term"]):
        open_page(driver, site, path)
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        first = driver.switch_to.active_element
        assert "skip-link" in first.get_attribute("class")
        assert first.is_displayed() and first.rect["y"] >= 0, "skip link not shown on focus"
        assert_focus_visible(driver)
        ActionChains(driver).send_keys(Keys.TAB).perform()
        second = driver.switch_to.active_element
        assert second.get_attribute("id") == "quick-exit"
        assert_focus_visible(driver)
        # The skip link moves focus into the main content.
        ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).send_keys(Keys.ENTER).perform()
        assert driver.execute_script("return document.activeElement.id") == "main"


def assert_focus_visible(driver):
    style = driver.execute_script("const s = getComputedStyle(document.activeElement);"
                                  "return [s.outlineStyle, s.outlineWidth, s.boxShadow];")
    assert (style[0] != "none" and style[1] not in ("0px", "")) or style[2] != "none", style


def test_keyboard_reaches_every_link_of_the_header(driver, site):
    open_page(driver, site, "/")
    seen = []
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(12):
        seen.append(driver.execute_script("return document.activeElement.getAttribute('href') || document.activeElement.id"))
        ActionChains(driver).send_keys(Keys.TAB).perform()
    assert "/find/" in seen and "/search/" in seen and any(s and s.startswith("tel:") for s in seen)


# ---------------------------------------------------------------------------------------------
# Small screens and zoom


@pytest.mark.parametrize("width,scale", [(320, 1), (640, 2)], ids=["320px", "1280px-at-200%"])
def test_no_horizontal_scrolling(driver, site, width, scale):
    emulate(driver, width, 800, scale, mobile=width == 320)
    problems = []
    for kind, path in page_types(site).items():
        open_page(driver, site, path)
        sizes = driver.execute_script("const e = document.documentElement; return [e.scrollWidth, e.clientWidth];")
        if sizes[0] > sizes[1]:
            wide = driver.execute_script("""
                const w = document.documentElement.clientWidth;
                return Array.from(document.querySelectorAll('body *')).filter(el => el.getBoundingClientRect().right > w + 0.5)
                  .slice(0, 3).map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right));""")
            problems.append(f"{kind} {path}: scrollWidth {sizes[0]} > {sizes[1]}: {wide}")
    assert not problems, "\n".join(problems)


def test_tap_targets_are_large(driver, site):
    emulate(driver, 320, 800, 1, mobile=True)
    open_page(driver, site, "/")
    small = driver.execute_script("""
        return Array.from(document.querySelectorAll('.quick-exit, .crisis a.tel, .site-nav a, .term-grid a, button'))
          .filter(el => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
          .map(el => el.textContent.trim().slice(0, 20) + ' ' + el.getBoundingClientRect().height);""")
    assert not small, small


def test_reduced_motion_is_respected(driver, site):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]})
    try:
        open_page(driver, site, "/")
        moving = driver.execute_script("""
            return Array.from(document.querySelectorAll('*')).filter(el => {
              const s = getComputedStyle(el);
              return (s.animationName !== 'none' && s.animationDuration !== '0s') || parseFloat(s.transitionDuration) > 0;
            }).length;""")
        assert moving == 0
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


# ---------------------------------------------------------------------------------------------
# Without JavaScript


def test_without_javascript(nojs_driver, site):
    d = nojs_driver
    d.get(site.url("/"))
    lines = d.find_elements(By.CSS_SELECTOR, ".crisis-line")
    assert any(l.is_displayed() for l in lines)
    shown = [l for l in lines if l.is_displayed()]
    assert sum(bool(l.find_elements(By.CSS_SELECTOR, "a[href^='tel:']")) for l in shown) >= len(shown) // 2
    assert all(l.find_elements(By.CSS_SELECTOR, "a.crisis-name") for l in shown)
    # Lines outside their period at build time stay hidden; no "open now" claims without the clock.
    assert not [b for b in d.find_elements(By.CSS_SELECTOR, "[data-open-badge]") if b.is_displayed()]
    quick = d.find_element(By.ID, "quick-exit")
    assert quick.get_attribute("href") == site.neutral_url
    d.get(site.url("/find/"))
    help_ = d.find_element(By.CSS_SELECTOR, "[data-no-script]")
    assert help_.is_displayed() and help_.find_elements(By.CSS_SELECTOR, "a[href*='/categories/']")
    d.get(site.url("/search/"))
    assert d.find_element(By.CSS_SELECTOR, "[data-no-script]").is_displayed()
    # Browsing by term, region and region × category needs no script.
    d.get(site.url(page_types(site)["region×category"]))
    assert d.find_elements(By.CSS_SELECTOR, ".card a")


# ---------------------------------------------------------------------------------------------
# Privacy in the browser


def test_no_request_leaves_the_site_and_nothing_is_stored(driver, site):
    for kind, path in page_types(site).items():
        open_page(driver, site, path + ("?q=こころ" if kind == "search" else ""))
        foreign = driver.execute_script("""
            return performance.getEntriesByType('resource').map(e => e.name)
              .filter(u => !u.startsWith(location.origin + '/'));""")
        assert not foreign, f"{kind}: {foreign}"
        stored = driver.execute_script("return [localStorage.length, sessionStorage.length, document.cookie];")
        assert stored == [0, 0, ""], f"{kind}: {stored}"

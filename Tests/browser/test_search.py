"""Search and the finder in Chromium: the resident types, filters, follows a result, answers
the finder's questions by keyboard; nothing leaves 127.0.0.1 (the ``browser`` fixture fails a
test otherwise). Most tests run on ``search_site`` (conftest.py), whose content is fixed here."""

from __future__ import annotations

import json
import time
import urllib.parse
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import REPO, network_events, transferred

RESULT_LINKS = "[data-search-results] .result-title a"


def wait(driver, condition, timeout=10):
    return WebDriverWait(driver, timeout).until(condition)


def slug_of(href: str) -> str:
    return urllib.parse.urlparse(href).path.strip("/").split("/")[-1]


def results(driver) -> list[str]:
    return [slug_of(a.get_attribute("href")) for a in driver.find_elements(By.CSS_SELECTOR, RESULT_LINKS)]


def wait_for_query(driver, query: str):
    """Until the results shown are those of `query` (search.js marks the list it rendered)."""
    wait(driver, lambda d: d.execute_script(
        "var r = document.querySelector('[data-search-results]'); return r && r.getAttribute('data-query');") == query)


def open_search(driver, site, query=None, **filters):
    params = {"q": query, **filters} if query is not None else filters
    driver.get(site.url("/search/") + ("?" + urllib.parse.urlencode(params) if params else ""))
    if query is not None:
        wait_for_query(driver, query)
    else:
        wait(driver, lambda d: d.execute_script("return !!(window.Tsunagari && window.Tsunagari.search)"))


def type_query(driver, text: str):
    field = driver.find_element(By.CSS_SELECTOR, "[data-search-input]")
    field.clear()
    field.send_keys(text)
    wait_for_query(driver, text)


def option_texts(driver, name: str) -> dict[str, str]:
    select = driver.find_element(By.CSS_SELECTOR, f"[data-filter={name}]")
    return {o.get_attribute("value"): o.text.strip() for o in select.find_elements(By.TAG_NAME, "option")}


# ---- The shared token table ---------------------------------------------------------------

def test_browser_tokenizer_matches_the_shared_table(browser, search_site):
    """search.js gives the same normalized text and tokens as the Swift indexer
    (SearchTextTests.testSharedTokenTable reads the same file)."""
    table = json.loads((REPO / "Tests" / "search-tokens.json").read_text(encoding="utf-8"))["cases"]
    open_search(browser, search_site)
    got = browser.execute_script(
        "return arguments[0].map(function (c) { return [Tsunagari.normalize(c.input), Tsunagari.queryTokens(c.input)]; });", table)
    problems = [f"{c['input']!r}: {g} != {[c['normalized'], c['tokens']]}" for c, g in zip(table, got)
                if g != [c["normalized"], c["tokens"]]]
    assert not problems, "\n".join(problems)


# ---- Typing -----------------------------------------------------------------------------

def test_search_opens_from_the_url_with_crisis_lines_marked(browser, search_site):
    open_search(browser, search_site, "子育て")
    assert browser.find_element(By.CSS_SELECTOR, "[data-search-input]").get_attribute("value") == "子育て"
    found = results(browser)
    assert found[0] == "national-line", found
    assert set(found) == {"national-line", "tokyo-line", "osaka-line", "hirakata-kosodate"}
    first = browser.find_element(By.CSS_SELECTOR, "[data-search-results] .result")
    assert "命に関わる相談" in first.text
    assert first.find_element(By.CSS_SELECTOR, "a[href^='tel:']").get_attribute("href") == "tel:0120000000"
    assert "子育て" in first.find_element(By.CSS_SELECTOR, ".card-meta").text
    assert "全国" in first.find_element(By.CSS_SELECTOR, ".card-meta").text
    status = browser.find_element(By.CSS_SELECTOR, "[data-search-status]")
    assert status.get_attribute("aria-live") == "polite" and "4件" in status.text
    assert not browser.find_element(By.CSS_SELECTOR, "[data-no-script]").is_displayed()


@pytest.mark.parametrize("query,first", [
    ("ＤＶ", "dv-navi"),                   # full width
    ("dv", "dv-navi"),
    ("ﾔﾝｸﾞｹｱﾗｰ", "young-carer"),           # half-width katakana
    ("やんぐけあら－", "young-carer"),       # hiragana, full-width hyphen for the long vowel
    ("ヒキコモリ", "osaka-hikikomori"),     # katakana for hiragana
    ("引きこもり", "osaka-hikikomori"),     # a synonym of ひきこもり in categories.yml
    ("育児", "national-line"),             # a synonym of 子育て; the crisis line first
    ("お金がない", "tokyo-money"),
    ("子ども 相談", "kids-sos"),
])
def test_typing_finds_the_right_window_first(browser, search_site, query, first):
    open_search(browser, search_site)
    type_query(browser, query)
    found = results(browser)
    assert found and found[0] == first, f"{query}: {found}"
    assert urllib.parse.parse_qs(urllib.parse.urlparse(browser.current_url).query)["q"] == [query.strip()]


def test_results_follow_each_keystroke_and_complete_the_last_word(browser, search_site):
    open_search(browser, search_site)
    field = browser.find_element(By.CSS_SELECTOR, "[data-search-input]")
    field.send_keys("d")
    wait_for_query(browser, "d")
    assert results(browser)[:1] == ["dv-navi"], "a prefix of the last word finds the word"
    field.send_keys(Keys.BACKSPACE)
    wait(browser, lambda d: results(d) == [])
    assert browser.current_url.endswith("/search/"), "an empty box clears the query from the URL"


# ---- Filters -----------------------------------------------------------------------------

def test_region_filter_counts_and_the_available_to_a_resident_rule(browser, search_site):
    open_search(browser, search_site, "子育て")
    assert "hirakata-kosodate" in results(browser)
    regions = option_texts(browser, "region")
    # national + the place + (for a municipality) its prefecture.
    assert regions["13"].endswith("（2）"), regions["13"]
    assert regions["27"].endswith("（2）"), regions["27"]
    assert regions["272108"].endswith("（3）"), regions["272108"]
    assert option_texts(browser, "category")["kosodate"].endswith("（4）")

    Select(browser.find_element(By.CSS_SELECTOR, "[data-filter=region]")).select_by_value("13")
    wait(browser, lambda d: "region=13" in d.current_url and set(results(d)) == {"national-line", "tokyo-line"})
    assert results(browser)[0] == "national-line"
    assert "hirakata-kosodate" not in results(browser), "a municipal window of another prefecture is gone"
    assert option_texts(browser, "category")["kosodate"].endswith("（2）"), "the counts follow the region"

    # The filtered search is a shareable URL.
    open_search(browser, search_site, "子育て", region="272108")
    assert set(results(browser)) == {"national-line", "osaka-line", "hirakata-kosodate"}
    assert Select(browser.find_element(By.CSS_SELECTOR, "[data-filter=region]")).first_selected_option.get_attribute("value") == "272108"


def test_category_and_stage_filters(browser, search_site):
    open_search(browser, search_site, "子ども", stage="kodomo")
    assert set(results(browser)) == {"kids-sos", "young-carer"}
    open_search(browser, search_site, "", category="hikikomori")
    wait(browser, lambda d: results(d) == ["osaka-hikikomori"])


def test_following_a_result_opens_the_window(browser, search_site):
    open_search(browser, search_site, "ＤＶ")
    browser.find_element(By.CSS_SELECTOR, RESULT_LINKS).click()
    wait(browser, lambda d: d.current_url.endswith("/windows/dv-navi/"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("DV相談ナビ")


# ---- The finder ------------------------------------------------------------------------------

def active(driver):
    return driver.switch_to.active_element


def tab_to(driver, css: str, limit=40):
    for _ in range(limit):
        if driver.execute_script("return document.activeElement.matches(arguments[0])", css):
            return active(driver)
        active(driver).send_keys(Keys.TAB)
    raise AssertionError(f"Tab never reached {css}")


def test_finder_by_keyboard_gives_crisis_lines_first_and_keeps_the_answers_in_the_url(browser, search_site):
    browser.get(search_site.url("/find/"))
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "[data-finder]").is_displayed())
    step1 = browser.find_element(By.CSS_SELECTOR, "[data-step='1']")
    assert step1.find_element(By.TAG_NAME, "legend").text.startswith("1.")
    assert not browser.find_element(By.CSS_SELECTOR, "[data-step='2']").is_displayed(), "one question at a time"

    # 1. worry: focus the radio group and choose 子育て with the keyboard.
    browser.find_element(By.CSS_SELECTOR, "input[name=worry][value=kosodate]").send_keys(Keys.SPACE)
    tab_to(browser, "[data-step='1'] [data-next]").send_keys(Keys.ENTER)
    # 2. situation: the first choice has the focus.
    wait(browser, lambda d: d.execute_script("return document.activeElement.name") == "stage")
    browser.find_element(By.CSS_SELECTOR, "input[name=stage][value=oya]").send_keys(Keys.SPACE)
    tab_to(browser, "[data-step='2'] [data-next]").send_keys(Keys.ENTER)
    # 3. where you live.
    wait(browser, lambda d: d.execute_script("return document.activeElement.name") == "region")
    Select(active(browser)).select_by_value("13")
    tab_to(browser, "[data-step='3'] [data-next]").send_keys(Keys.ENTER)
    # 4. how to reach out: 電話 and 会って話す.
    wait(browser, lambda d: d.execute_script("return document.activeElement.name") == "via")
    browser.find_element(By.CSS_SELECTOR, "input[name=via][value='電話']").send_keys(Keys.SPACE)
    browser.find_element(By.CSS_SELECTOR, "input[name=via][value='対面']").send_keys(Keys.SPACE)
    tab_to(browser, "[data-step='4'] button[type=submit]").send_keys(Keys.ENTER)

    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-finder-results] .result-title a"))
    links = browser.find_elements(By.CSS_SELECTOR, "[data-finder-results] .result-title a")
    assert [slug_of(a.get_attribute("href")) for a in links] == ["national-line", "tokyo-line"]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(browser.current_url).query)
    assert query == {"worry": ["kosodate"], "stage": ["oya"], "region": ["13"], "via": ["電話", "対面"]}
    results_box = browser.find_element(By.CSS_SELECTOR, "[data-finder-results]")
    assert results_box.get_attribute("aria-live") == "polite"
    assert browser.execute_script("return document.activeElement.id") == "finder-heading", "focus moves to the results"
    assert "2件" in browser.find_element(By.ID, "finder-heading").text

    # The same URL opened afresh gives the same answer.
    shared = browser.current_url
    browser.get("about:blank")
    browser.get(shared)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-finder-results] .result-title a"))
    assert [slug_of(a.get_attribute("href")) for a in browser.find_elements(By.CSS_SELECTOR, "[data-finder-results] .result-title a")] \
        == ["national-line", "tokyo-line"]
    assert browser.find_element(By.CSS_SELECTOR, "input[name=worry][value=kosodate]").is_selected()


def test_finder_counts_windows_for_anyone_and_prints_a_clean_list(browser, search_site):
    params = urllib.parse.urlencode([("worry", "kurashi"), ("stage", "kodomo"), ("region", "131083"), ("via", "電話")])
    browser.get(search_site.url("/find/?" + params))
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-finder-results] .result-title a"))
    # tokyo-money is for どなたでも and serves 東京都: it fits a child in 江東区.
    assert [slug_of(a.get_attribute("href")) for a in browser.find_elements(By.CSS_SELECTOR, "[data-finder-results] .result-title a")] == ["tokyo-money"]
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not browser.find_element(By.CSS_SELECTOR, "[data-finder]").is_displayed()
        assert not browser.find_element(By.CSS_SELECTOR, ".site-header").is_displayed()
        assert browser.find_element(By.CSS_SELECTOR, "[data-finder-results] .result").is_displayed()
        assert not browser.find_element(By.CSS_SELECTOR, ".finder-again").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_kids_page_lists_their_windows_crisis_first_without_script(nojs_driver, search_site):
    nojs_driver.get(search_site.url("/find/kids/"))
    links = [slug_of(a.get_attribute("href")) for a in nojs_driver.find_elements(By.CSS_SELECTOR, ".kids-list .result-title a")]
    assert links == ["kids-sos", "young-carer"]
    assert nojs_driver.find_element(By.CSS_SELECTOR, ".kids-list a[href='tel:0120222222']").is_displayed()
    for page in ("/", "/find/"):
        nojs_driver.get(search_site.url(page))
        assert nojs_driver.find_elements(By.CSS_SELECTOR, "a[href='/find/kids/']"), page


# ---- What a first query costs ---------------------------------------------------------------

def test_a_first_query_fetches_only_what_it_needs(browser, search_site):
    open_search(browser, search_site)
    network_events(browser)
    type_query(browser, "子育て")
    fetched = sorted(urllib.parse.urlparse(u).path for u in transferred(network_events(browser)) if "/search/" in u)
    manifest = next(p for p in fetched if "/manifest." in p)
    folder = manifest.rsplit("/", 1)[0] + "/" + json.loads(search_site.get(manifest))["d"]
    kinds = sorted({p[len(folder):].split("/")[0] for p in fetched if p.startswith(folder)})
    # Shards of its tokens, the filter groups for the counts, the chunk of the top results;
    # not the attribute groups (no word of 子育て names one).
    assert kinds == ["c.bin", "m", "r.bin", "s.bin", "t"], fetched


# ---- The example site ---------------------------------------------------------------------

SEARCH_EACH_WORRY = """
var done = arguments[arguments.length - 1];
var options = Array.from(document.querySelectorAll('[data-filter=category] option')).filter(o => o.value);
Promise.all(options.map(function (o) {
  var label = o.getAttribute('data-label').trim();
  return Promise.all([Tsunagari.search('', {category: o.value}), Tsunagari.search(label)]).then(function (r) {
    return Tsunagari.index.docs(r[1].ids.slice(0, 3)).then(function (docs) {
      return {slug: o.value, label: label, windows: r[0].ids.length,
              top: docs.map(function (d) { return {kind: d.kind, categories: d.categories, name: d.name}; })};
    });
  });
})).then(done, function (e) { done(String(e)); });
"""


def test_example_site_each_worry_finds_a_window_of_that_worry_first(browser, example_site):
    """On the real content: typing a worry's label puts a window first, and one of the
    worry's windows among the first three."""
    open_search(browser, example_site)
    found = browser.execute_async_script(SEARCH_EACH_WORRY)
    assert isinstance(found, list), found
    checked = [f for f in found if f["windows"]]
    assert checked, "the example has windows in some category"
    wrong = [f for f in checked if not f["top"] or f["top"][0]["kind"] != 0
             or not any(t["kind"] == 0 and f["slug"] in t["categories"] for t in f["top"])]
    assert not wrong, wrong


@pytest.mark.parametrize("query", ["お金がない", "子ども 相談", "ひきこもり", "ＤＶ", "ヤングケアラー", "東京 24時間"])
def test_example_site_answers_what_residents_type(browser, example_site, query):
    open_search(browser, example_site, query)
    assert browser.find_elements(By.CSS_SELECTOR, RESULT_LINKS), f"nothing for {query}"

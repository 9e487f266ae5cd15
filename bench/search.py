#!/usr/bin/env python3
"""Benchmark: Tsunagari's search beside Pagefind's, in headless Chromium, on one built site.

    python3 bench/search.py SITE [--repeat 5] [--queries お金がない,ＤＶ,...] [--json OUT.json]

SITE is a built output folder holding both indexes: ours (SITE/search/, written by
`tsunagari build`) and Pagefind's (SITE/pagefind/, from
`python3 -m pagefind_bin_extended --site SITE`). For example, the 10,000-window site:

    python3 bench/generate.py 10000 /tmp/sb/10000
    .build/release/tsunagari build --source /tmp/sb/10000/tsunagari --output /tmp/sb/10000/ts-out
    python3 -m pagefind_bin_extended --site /tmp/sb/10000/ts-out
    python3 bench/search.py /tmp/sb/10000/ts-out

The site is served on 127.0.0.1 by http.server (in a thread, `Cache-Control: no-store`, no
compression) and driven by Debian's /usr/bin/chromium and /usr/bin/chromedriver through
Selenium 4, as Tests/browser/conftest.py does. For each query and each engine, on a fresh page
load with the browser cache cleared:
- the engine's code is loaded first (ours: the /search/ page, which loads search.js; Pagefind:
  a blank page that imports /pagefind/pagefind.js and sets its options) — "code bytes";
- the timed first query: the ranked results and the display data of the top 10
  (ours: Tsunagari.search + Tsunagari.index.docs; Pagefind: pf.search + data() of the first 10);
  its bytes are the body bytes of every file the server sent meanwhile (for Pagefind these
  include its worker script and WASM, which its first search fetches);
- the same query `--repeat` more times on the same page: the warm time (median).
It prints Markdown: index size on disk, bytes and times (medians over the queries, and per
query), and relevance: whether the windows ranked first are the ones the query is about
(judged from the categories, life stages, regions and names in our result-list data).
This is a benchmark, not a test: it exits 0 whatever it finds.
"""
import argparse
import functools
import gzip
import http.server
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# A page of our own for Pagefind, so that its page load is only its own code.
BLANK = "/__bench__/blank.html"
BLANK_HTML = b'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>bench</title></head><body></body></html>\n'

# Typical resident queries, with the width, kana and synonym variants of several, each with
# what a right answer is: (description, test on a window's data). Windows only: a
# member group, case study or page never counts as right.
def _cat(*slugs):
    return lambda d: any(s in d["categories"] for s in slugs)


def _name(word):
    return lambda d: word in d["name"]


def _any(*tests):
    return lambda d: any(t(d) for t in tests)


def _tokyo_24h(d):
    return d["always"] and any(r == "national" or r[:2] == "13" for r in d["regions"])


def _children(d):
    # A こども食堂 in the name counts: a name match ranks first by design (GUIDE §5).
    return "kodomo" in d["stages"] or "kosodate" in d["categories"] or "こども" in d["name"] or "子ども" in d["name"]


EXPECT = {
    "お金がない": ("category kurashi (生活・お金)", _cat("kurashi")),
    "子ども 相談": ("stage kodomo, category kosodate or こども in the name", _children),
    "こども": ("stage kodomo, category kosodate or こども in the name", _children),
    "子供": ("stage kodomo, category kosodate or こども in the name", _children),
    "コドモ": ("stage kodomo, category kosodate or こども in the name", _children),
    "ひきこもり": ("category hikikomori or ひきこもり in the name", _any(_cat("hikikomori"), _name("ひきこもり"))),
    "ヒキコモリ": ("category hikikomori or ひきこもり in the name", _any(_cat("hikikomori"), _name("ひきこもり"))),
    "引きこもり": ("category hikikomori or ひきこもり in the name", _any(_cat("hikikomori"), _name("ひきこもり"))),
    "ＤＶ": ("category dv", _cat("dv")),
    "dv": ("category dv", _cat("dv")),
    "ヤングケアラー": ("category young-carer or ヤングケアラー in the name", _any(_cat("young-carer"), _name("ヤングケアラー"))),
    "ﾔﾝｸﾞｹｱﾗｰ": ("category young-carer or ヤングケアラー in the name", _any(_cat("young-carer"), _name("ヤングケアラー"))),
    "やんぐけあらー": ("category young-carer or ヤングケアラー in the name", _any(_cat("young-carer"), _name("ヤングケアラー"))),
    "東京 24時間": ("24-hour window serving 東京 (13…) or all Japan", _tokyo_24h),
    "子育て": ("category kosodate or 子育て in the name", _any(_cat("kosodate"), _name("子育て"))),
    "育児": ("category kosodate or 子育て in the name", _any(_cat("kosodate"), _name("子育て"))),
    "しにたい": ("category jisatsu (死にたい気持ち)", _cat("jisatsu")),
    "死にたい": ("category jisatsu (死にたい気持ち)", _cat("jisatsu")),
    "いじめ": ("category gakko (学校・いじめ)", _cat("gakko")),
    "イジメ": ("category gakko (学校・いじめ)", _cat("gakko")),
}
TOP = 10
# Seconds to wait after a page load or a query for requests still under way.
SETTLE = 0.3


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with no caching (every page load is cold) and HTTP/1.1 keep-alive. Every
    file served is logged with its size: Pagefind fetches from a Web Worker, whose requests the
    page's Resource Timing does not see, so the server is where both engines are counted alike."""
    protocol_version = "HTTP/1.1"
    served = []  # (URL path, body bytes), in order
    lock = threading.Lock()

    def send_head(self):
        f = super().send_head()
        if f is not None:
            with Handler.lock:
                Handler.served.append((urllib.parse.urlparse(self.path).path, os.fstat(f.fileno()).st_size))
        return f

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self):
        if urllib.parse.urlparse(self.path).path == BLANK:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(BLANK_HTML)))
            self.end_headers()
            self.wfile.write(BLANK_HTML)
            return
        super().do_GET()

    def log_message(self, *args):
        pass


def serve(folder):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://127.0.0.1:%d" % server.server_address[1]


def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=480,1000",
                "--lang=ja", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def tree_size(folder):
    """(bytes, files) of every file below folder."""
    total = files = 0
    for base, _, names in os.walk(folder):
        for n in names:
            total += os.path.getsize(os.path.join(base, n))
            files += 1
    return total, files


# ---- Our result-list data, for judging both engines' results --------------------------------

def our_documents(site):
    """URL path → document data (kind, name, categories, stages, regions, always), read from our
    index's manifest and result-list chunks (the same data the browser shows)."""
    folder = os.path.join(site, "search")
    manifest_name = next(n for n in sorted(os.listdir(folder)) if n.startswith("manifest.") and n.endswith(".json"))
    with open(os.path.join(folder, manifest_name), encoding="utf-8") as f:
        m = json.load(f)
    m["r"] = expand_region_codes(m["r"])
    chunks = os.path.join(folder, m["d"], "m")
    docs = {}
    for i in range(len(os.listdir(chunks))):
        with open(os.path.join(chunks, "%d.json" % i), encoding="utf-8") as f:
            for row in json.load(f):
                path = m["p"] + m["u"][row[0]] + urllib.parse.quote(row[1]) + "/"
                docs[path] = {"kind": row[0], "name": row[2], "categories": [m["c"][c] for c in row[4]],
                              "stages": [m["s"][s] for s in row[5]], "regions": [m["r"][r] for r in row[6]],
                              "crisis": bool(row[7] & 1), "always": bool(row[7] & 2)}
    return docs


def expand_region_codes(text):
    """The manifest's region codes (see SearchIndexer.compactRegionCodes)."""
    out, previous = [], ""
    for part in text.split():
        code = previous[:2] + part if len(part) == 4 else part
        if len(code) == 6:
            previous = code
        out.append(code)
    return out


# ---- The two engines in the page ---------------------------------------------------------

OURS_READY = "return !!(window.Tsunagari && window.Tsunagari.search && window.Tsunagari.index);"
OURS_QUERY = """
var q = arguments[0], done = arguments[arguments.length - 1], t0 = performance.now();
Tsunagari.search(q).then(function (r) {
  return Tsunagari.index.docs(r.ids.slice(0, %d)).then(function (docs) {
    done({ms: performance.now() - t0, count: r.ids.length, top: docs.map(function (d) { return d.url; })});
  });
}).catch(function (e) { done({error: String(e)}); });
""" % TOP

PAGEFIND_LOAD = """
var done = arguments[arguments.length - 1];
import('/pagefind/pagefind.js').then(function (pf) {
  window.__pf = pf;
  return pf.options({});
}).then(function () { done(true); }, function (e) { done(String(e)); });
"""
PAGEFIND_QUERY = """
var q = arguments[0], done = arguments[arguments.length - 1], t0 = performance.now();
window.__pf.search(q).then(function (r) {
  return Promise.all(r.results.slice(0, %d).map(function (x) { return x.data(); })).then(function (data) {
    done({ms: performance.now() - t0, count: r.results.length, top: data.map(function (d) { return d.url; })});
  });
}).catch(function (e) { done({error: String(e)}); });
""" % TOP



def served_since(mark):
    """[path, bytes] of the files served since len(Handler.served) was `mark`."""
    with Handler.lock:
        return [list(x) for x in Handler.served[mark:]]


def served_count():
    with Handler.lock:
        return len(Handler.served)


def wait_until(driver, script, timeout=30):
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script(script))


def fresh_page(driver, base, engine):
    """A cold page with the engine's code loaded; returns the code's resources."""
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    mark = served_count()
    if engine == "ours":
        driver.get(base + "/search/")
        wait_until(driver, OURS_READY)
    else:
        driver.get(base + BLANK)
        loaded = driver.execute_async_script(PAGEFIND_LOAD)
        if loaded is not True:
            sys.exit("pagefind did not load: %s" % loaded)
    time.sleep(SETTLE)
    return served_since(mark)


def run_query(driver, engine, query, repeat):
    mark = served_count()
    script = OURS_QUERY if engine == "ours" else PAGEFIND_QUERY
    cold = driver.execute_async_script(script, query)
    if "error" in cold:
        sys.exit("%s: %r failed: %s" % (engine, query, cold["error"]))
    # Requests the query started but did not wait for (prefetches) count too.
    time.sleep(SETTLE)
    fetched = served_since(mark)
    warm = [driver.execute_async_script(script, query)["ms"] for _ in range(repeat)]
    return {"cold_ms": cold["ms"], "warm_ms": statistics.median(warm) if warm else None, "count": cold["count"],
            "top": [urllib.parse.urlparse(u).path for u in cold["top"]], "fetched": fetched}


def gzipped(site, path):
    """Bytes of the file at URL path if the server gzipped it (or as is, if that is smaller):
    Pagefind's index files are gzipped on disk already, ours are not."""
    file = os.path.join(site, urllib.parse.unquote(path).lstrip("/"))
    if path.endswith("/"):
        file = os.path.join(file, "index.html")
    with open(file, "rb") as f:
        raw = f.read()
    return min(len(raw), len(gzip.compress(raw, compresslevel=6, mtime=0)))


def is_code(path):
    return path.endswith(".js") or "wasm" in path


# ---- Report ---------------------------------------------------------------------------------

def judge(top, docs, test):
    """Per result: 1 if it is a window the query is about, else 0."""
    return [1 if (docs.get(p) and docs[p]["kind"] == 0 and test(docs[p])) else 0 for p in top]


def fmt_bytes(n):
    return "{:,}".format(int(n))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site")
    parser.add_argument("--repeat", type=int, default=5, help="warm repeats of each query (default 5)")
    parser.add_argument("--queries", help="comma-separated queries (default: the built-in list)")
    parser.add_argument("--json", help="also write the raw figures here")
    args = parser.parse_args()
    site = os.path.abspath(args.site)
    for need in ("search", "pagefind"):
        if not os.path.isdir(os.path.join(site, need)):
            sys.exit("%s has no %s/ folder (see the usage above)" % (site, need))
    queries = args.queries.split(",") if args.queries else list(EXPECT)
    docs = our_documents(site)

    server, base = serve(site)
    driver = chromium()
    raw = {"ours": {}, "pagefind": {}}
    try:
        for engine in ("ours", "pagefind"):
            for q in queries:
                code = fresh_page(driver, base, engine)
                r = run_query(driver, engine, q, args.repeat)
                # Our page's code is search.js; Pagefind's is its module (the WASM comes with the query).
                r["code"] = [[p, b] for p, b in code if is_code(p) and ("search" in p or "pagefind" in p)]
                raw[engine][q] = r
                print("%-9s %-14s cold %7.1f ms  warm %6.1f ms  %9s B  %d results" % (
                    engine, q, r["cold_ms"], r["warm_ms"] or 0, fmt_bytes(sum(b for _, b in r["fetched"])), r["count"]),
                    file=sys.stderr)
    finally:
        driver.quit()
        server.shutdown()

    ours_disk, ours_files = tree_size(os.path.join(site, "search"))
    pf_disk, pf_files = tree_size(os.path.join(site, "pagefind"))
    out = []
    out.append("## Search on %s (%d documents in our index)\n" % (site, len(docs)))
    out.append("| | Tsunagari | Pagefind |")
    out.append("|---|---:|---:|")
    out.append("| index on disk, bytes (files) | %s (%d) | %s (%d) |" % (fmt_bytes(ours_disk), ours_files, fmt_bytes(pf_disk), pf_files))

    def med(engine, f):
        return statistics.median(f(raw[engine][q]) for q in queries)

    def code_bytes(r):
        return sum(b for _, b in r["code"])

    def query_bytes(r, code=None):
        return sum(b for p, b in r["fetched"] if code is None or is_code(p) == code)

    def query_gz(r):
        return sum(gzipped(site, p) for p, _ in r["fetched"])

    rows = [
        ("search code loaded with the page, bytes", lambda r: code_bytes(r), fmt_bytes),
        ("first query: all bytes (median)", lambda r: query_bytes(r), fmt_bytes),
        ("… of which code (WASM)", lambda r: query_bytes(r, True), fmt_bytes),
        ("… of which index data", lambda r: query_bytes(r, False), fmt_bytes),
        ("first query bytes if the server gzips (median)", query_gz, fmt_bytes),
        ("first query: requests (median)", lambda r: len(r["fetched"]), lambda x: "%g" % x),
        ("first query, cold: ms (median)", lambda r: r["cold_ms"], lambda x: "%.1f" % x),
        ("repeated query, warm: ms (median)", lambda r: r["warm_ms"], lambda x: "%.1f" % x),
    ]
    for label, f, show in rows:
        out.append("| %s | %s | %s |" % (label, show(med("ours", f)), show(med("pagefind", f))))
    out.append("\nFirst-query bytes and times are medians over %d queries; the worst first query transferred "
               "%s B (ours) and %s B (Pagefind)." % (len(queries), fmt_bytes(max(query_bytes(raw["ours"][q]) for q in queries)),
                                                      fmt_bytes(max(query_bytes(raw["pagefind"][q]) for q in queries))))

    out.append("\n### Per query\n")
    out.append("| query | ours: cold ms / warm ms / bytes | Pagefind: cold ms / warm ms / bytes | expected | windows that fit | ours: right first / right in top %d | Pagefind: right first / right in top %d |" % (TOP, TOP))
    out.append("|---|---:|---:|---|---:|---:|---:|")
    summary = {"ours": [0, 0], "pagefind": [0, 0]}
    judged = 0
    for q in queries:
        cells = []
        for engine in ("ours", "pagefind"):
            r = raw[engine][q]
            cells.append("%.1f / %.1f / %s" % (r["cold_ms"], r["warm_ms"] or 0, fmt_bytes(query_bytes(r))))
        expect = EXPECT.get(q)
        # How many windows of the site fit: a query nothing fits is not judged.
        fitting = sum(1 for d in docs.values() if d["kind"] == 0 and expect[1](d)) if expect else 0
        if fitting:
            judged += 1
            marks = []
            for engine in ("ours", "pagefind"):
                hits = judge(raw[engine][q]["top"], docs, expect[1])
                raw[engine][q]["right"] = hits
                summary[engine][0] += hits[0] if hits else 0
                summary[engine][1] += sum(hits)
                marks.append("%s / %d of %d" % ("yes" if hits and hits[0] else "no", sum(hits), min(TOP, fitting)))
            cells += [expect[0], str(fitting)] + marks
        else:
            cells += [expect[0] if expect else "–", "0", "–", "–"]
        out.append("| %s | %s |" % (q, " | ".join(cells)))
    if judged:
        possible = sum(min(TOP, sum(1 for d in docs.values() if d["kind"] == 0 and EXPECT[q][1](d))) for q in queries if q in EXPECT)
        out.append("\nRight window first: ours %d of %d judged queries, Pagefind %d of %d. Right windows in the top %d: "
                   "ours %d of %d possible, Pagefind %d of %d." % (summary["ours"][0], judged, summary["pagefind"][0], judged, TOP,
                                                                   summary["ours"][1], possible, summary["pagefind"][1], possible))
    print("\n".join(out))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"disk": {"ours": [ours_disk, ours_files], "pagefind": [pf_disk, pf_files]}, "queries": raw},
                      f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()

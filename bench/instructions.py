#!/usr/bin/env python3
"""Counts the instructions of a cold build, stage by stage, with Valgrind's callgrind.

    python3 bench/instructions.py [--windows 1000] [--binary .build/release/tsunagari] [--keep FILE]

Wall and CPU times on this machine move by a fifth or more from one minute to the next, so two
versions of the code are compared here by the instructions they execute, which are the same
from run to run (a build on one thread: the threads' share-out would otherwise change which
thread runs what, not the count). User space only: the kernel's work for the files is not in
these figures (see BENCHMARKS.md, "Where the time goes").

Generates the site with bench/generate.py when it is not there yet, builds it once under
callgrind into a fresh folder in /dev/shm, and prints a Markdown table: instructions of each
stage (inclusive, so a stage's row counts what it calls) and their share of the whole run.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Stage → a piece of the mangled Swift name of the function that does it.
STAGES = [
    ("load (read, YAML, fields, CommonMark)", "13ContentLoaderO4load_"),
    ("validate: content checks", "13ContentChecksO5check_"),
    ("validate: duplicate slugs", "14DuplicateSlugsO5check"),
    ("link", "6LinkerO4link_"),
    ("search index", "13SearchIndexerV5build16targetShardBytes"),
    ("… tokens and postings", "13SearchIndexerV14encodedEntries"),
    ("window cards for lists", "10ViewModelsC4site7threads"),
    ("render and write the pages", "12SiteRendererV11renderPages"),
    ("… each page's view model and templates", "12SiteRendererV10renderPage_"),
    ("… … templates", "18TsunagariTemplates11TemplateSetV6render__"),
    ("open data (JSON, CSV)", "8OpenDataC5write2to"),
    ("feeds", "5FeedsV5files"),
    ("sitemap", "12SiteRendererV7sitemap"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--windows", type=int, default=1000)
    ap.add_argument("--out", default="/tmp/tsunagari-bench")
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "tsunagari"))
    ap.add_argument("--keep", help="also keep callgrind's output file here (for callgrind_annotate)")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    if not os.path.exists(args.binary):
        subprocess.run(["swift", "build", "-c", "release", "--product", "tsunagari"], cwd=ROOT, check=True)
    site = os.path.join(args.out, str(args.windows), "tsunagari")
    if not os.path.isdir(site):
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "generate.py"), str(args.windows),
                        os.path.join(args.out, str(args.windows))], check=True)
    work = tempfile.mkdtemp(prefix="tsunagari-profile-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        data = os.path.join(work, "callgrind.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + data, args.binary, "build",
                        "--source", site, "--output", os.path.join(work, "out"), "--threads", "1",
                        "--no-spare", "--no-cache"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       # Swift seeds its hashing per process: dictionaries then probe and grow
                       # differently, which moved the count by a few tenths of a percent.
                       env=dict(os.environ, SWIFT_DETERMINISTIC_HASHING="1"))
        if args.keep:
            shutil.copyfile(data, args.keep)
        annotated = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", data],
                                   check=True, capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total, rows = stage_counts(annotated)
    print("Instructions of a cold build of %d windows on one thread (`python3 bench/instructions.py --windows %d`):\n"
          % (args.windows, args.windows))
    print("| stage | instructions | share |")
    print("| --- | ---: | ---: |")
    for name, count in rows:
        print("| %s | %s | %.1f %% |" % (name, format(count, ","), 100.0 * count / total))
    print("| whole run | %s | 100 %% |" % format(total, ","))


def stage_counts(annotated):
    """The program's total and each stage's inclusive count from `callgrind_annotate --inclusive=yes`
    output (a function listed under several files counts once: its largest line)."""
    total = None
    counts = {}
    for line in annotated.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$", line)
        if not m:
            continue
        count, name = int(m.group(1).replace(",", "")), m.group(2)
        if name.startswith("PROGRAM TOTALS"):
            total = count
        for stage, piece in STAGES:
            if piece in name:
                counts[stage] = max(counts.get(stage, 0), count)
    if total is None:
        sys.exit("callgrind_annotate printed no total")
    return total, [(stage, counts.get(stage, 0)) for stage, _ in STAGES]


if __name__ == "__main__":
    main()

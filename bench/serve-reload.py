#!/usr/bin/env python3
"""Edit-to-reload time of `tsunagari serve`: starts serve on a site folder, appends a character
to the name of one window in content/windows/, and times how long the long poll
/__tsunagari/wait takes to report the new version (what an open tab waits on). Restores the
file after each run. Prints each time and the median.

    python3 bench/serve-reload.py [--binary .build/release/tsunagari] [--source .] [--runs 5]
"""
import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Tests" / "browser"))
from serving import Served  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/tsunagari")
    parser.add_argument("--source", default=".")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    source = Path(args.source).resolve()
    window = sorted((source / "content" / "windows").glob("*.md"))[0]
    original = window.read_text(encoding="utf-8")
    server = Served(Path(args.binary), source, Path(tempfile.mkdtemp()) / "serve.log")
    times = []
    try:
        status, page = server.get("/")
        version = server.version_of(page)
        for run in range(args.runs):
            edited = re.sub(r"^name: (.*)$", r"name: \1＊", original, count=1, flags=re.M)
            start = time.monotonic()
            window.write_text(edited, encoding="utf-8")
            version, _ = server.wait_for_new_version(version, limit=60)
            times.append(time.monotonic() - start)
            window.write_text(original, encoding="utf-8")
            version, _ = server.wait_for_new_version(version, limit=60)
            print(f"run {run + 1}: {times[-1]:.3f} s ({window.relative_to(source)})")
    finally:
        window.write_text(original, encoding="utf-8")
        server.stop()
    print(f"median edit-to-reload: {statistics.median(times):.3f} s over {len(times)} runs")


if __name__ == "__main__":
    main()

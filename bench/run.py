#!/usr/bin/env python3
"""Benchmark: tsunagari beside Hugo (and Pagefind) on the same generated content.

    python3 bench/run.py [--sizes 1000,10000,100000] [--runs 3] [--large-runs 1] [--pagefind-max 10000]
                         [--out /tmp/tsunagari-bench]

For each size: generates the site (bench/generate.py), and then, for tsunagari and for Hugo:

- cold builds (the bar): each run into an output folder that does not exist, the previous
  output (and tsunagari's spare copy `.ts-out.spare`, parse cache `.ts-out.cache` and record
  of what each file was made from `.ts-out.record`) moved
  aside into a trash folder that is deleted only after every run of the script (as is a site
  an earlier run generated), so that no run is timed while the disk deletes a tree or
  allocates inodes it has just freed; before each size's runs, what is dirty is written out
  and the script waits until the disk has stopped discarding and writing, and until seven
  minutes have passed since the last run of the script deleted its trees (ext4 without a
  journal steps over inodes freed in the last 60–360 s: see RECENTLY_DELETED_SECONDS); the
  two tools' runs alternate;
- rebuilds with the previous output present: nothing changed, and one window's summary changed
  (tsunagari reads unchanged entries back from its parse cache, writes over its spare copy,
  keeps every file whose input its record shows unchanged and changes only the files whose
  bytes differ; Hugo writes over its `public/`);
- Pagefind over Hugo's output and over ours, and the one-file edit under `tsunagari serve`.

It prints Markdown tables: median wall time, CPU time, peak memory, pages, output bytes, index
bytes. The serve figure is the median of --edit-runs edits.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "tsunagari")


def timed(cmd, env=None, cwd=None):
    """Runs cmd under /usr/bin/time; returns (wall s, cpu s, peak MiB)."""
    fmt = "%e %U %S %M"
    p = subprocess.run(["/usr/bin/time", "-f", fmt] + cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
    wall, user, system, rss = p.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(system), int(rss) / 1024


def du(path):
    total = 0
    for base, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(base, f))
    return total


def count(path, suffix):
    return sum(1 for base, _, files in os.walk(path) for f in files if f.endswith(suffix))


def block_stat_file(folder):
    """The kernel's I/O counters of the block device that holds `folder`, or None (tmpfs, or
    no /sys)."""
    dev = os.stat(folder).st_dev
    path = "/sys/dev/block/%d:%d/stat" % (os.major(dev), os.minor(dev))
    return path if os.path.exists(path) else None


def disk_activity(stat_text):
    """(discards completed, sectors written) from a /sys/.../stat line (the kernel's
    Documentation/block/stat.rst: field 7 is sectors written, field 12 discards completed;
    kernels before 4.18 have no discard fields: 0)."""
    fields = [int(f) for f in stat_text.split()]
    return (fields[11] if len(fields) > 11 else 0), fields[6]


def wait_for_quiet_disk(read_stat, window=3.0, max_wait=600.0, clock=time.monotonic, sleep=time.sleep):
    """Waits until a `window` of seconds passes with no discard and under a megabyte written.
    ext4 mounted with online discard goes on discarding the blocks of a large deletion for
    minutes; a cold build timed then took 3.0 s instead of 1.0 s (and Hugo 3.9 s instead of
    2.4 s). Returns the seconds waited (at most about `max_wait`)."""
    start = clock()
    before = disk_activity(read_stat())
    while True:
        sleep(window)
        after = disk_activity(read_stat())
        if after[0] == before[0] and after[1] - before[1] < 2048:
            return clock() - start
        if clock() - start >= max_wait:
            return clock() - start
        before = after


# ext4 without a journal (as this machine's root) will not reuse an inode freed less than 60 s
# ago, or 360 s while its inode-table block is dirty (fs/ext4/ialloc.c, `recently_deleted`):
# after a large deletion, every new file first steps over the freed ones. Seven minutes after
# 20 GB were deleted a cold build of 10,000 windows was back to 1.0 s; after four it took
# 5.0 s, 7.3 s of it in the kernel (perf: `recently_deleted` and the buffer lookups it makes,
# two thirds of the samples).
RECENTLY_DELETED_SECONDS = 420
DELETION_STAMP = ".deleted-at"


def seconds_until_inodes_settle(stamp_text, now, window=RECENTLY_DELETED_SECONDS):
    """How long to wait, from the time a large deletion ended (a stamp file's text, the
    seconds since the epoch; None or unreadable: no deletion known), until the inodes it freed
    are old enough to be reused without a search."""
    try:
        ended = float(stamp_text)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, min(window, ended + window - now))


def wait_after_deletion(out, clock=time.time, sleep=time.sleep):
    """Waits out the last deletion this script made in `out` (the stamp it left), if recent."""
    path = os.path.join(out, DELETION_STAMP)
    text = read_text(path) if os.path.exists(path) else None
    wait = seconds_until_inodes_settle(text, clock())
    if wait > 0:
        print("waiting %.0f s more: an earlier run deleted its trees less than %d s ago" % (wait, RECENTLY_DELETED_SECONDS),
              file=sys.stderr, flush=True)
        sleep(wait)
    return wait


def delete_and_stamp(tree, out):
    """Deletes `tree`, then notes when in `out` (see wait_after_deletion)."""
    shutil.rmtree(tree, ignore_errors=True)
    with open(os.path.join(out, DELETION_STAMP), "w") as f:
        f.write("%.0f\n" % time.time())


def settle(folder, seconds=3):
    """Waits until the detached deletion of tsunagari's replaced output (a `.NAME.trash-*`
    folder) is done, writes out what is still dirty (a generated site), waits until the disk
    has stopped discarding and writing (see wait_for_quiet_disk), then a little longer, so that
    no run is timed while the disk is busy with what came before it."""
    while any(name.startswith(".") and ".trash-" in name for name in os.listdir(folder)):
        time.sleep(0.2)
    os.sync()
    stat = block_stat_file(folder)
    if not stat:
        time.sleep(seconds)
        return
    # The quiet window it ends on is the "little longer".
    waited = wait_for_quiet_disk(lambda: read_text(stat), window=seconds)
    if waited > 10:
        print("waited %.0f s for the disk to stop discarding and writing" % waited, file=sys.stderr, flush=True)


def read_text(path):
    with open(path) as f:
        return f.read()


def median_runs(runs, fn):
    results = [fn() for _ in range(runs)]
    return tuple(statistics.median(r[i] for r in results) for i in range(3))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def edit_rebuild_seconds(site):
    """Starts `serve`, edits one window, and measures until the served page shows the edit."""
    port = free_port()
    proc = subprocess.Popen([BIN, "serve", "--source", site, "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        proc.stdout.readline()  # "serving http://…" once the first build is done
        window = sorted(os.listdir(os.path.join(site, "content", "windows")))[0]
        path = os.path.join(site, "content", "windows", window)
        url = "http://127.0.0.1:%d/windows/%s/" % (port, window[:-3])
        text = open(path, encoding="utf-8").read()
        marker = "編集%d" % int(time.time())
        start = time.monotonic()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("summary: ", "summary: %s " % marker, 1))
        while time.monotonic() - start < 120:
            if marker in urllib.request.urlopen(url).read().decode("utf-8"):
                return time.monotonic() - start
            time.sleep(0.005)  # (the figure includes up to one poll interval)
        return float("nan")
    finally:
        proc.terminate()
        proc.wait()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def first_window(site):
    folder = os.path.join(site, "content", "windows")
    return os.path.join(folder, sorted(os.listdir(folder))[0])


def edit_and(site, build):
    """Changes the first window's summary (a new text each time), then times `build`."""
    path = first_window(site)
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("summary: "))
    lines[i] = "summary: 編集%d %s" % (time.monotonic_ns(), lines[i][len("summary: "):].split(" ", 1)[-1])
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    return build()


def changed_files(build, site):
    """One more edit and build: how many files tsunagari wrote (its summary line says)."""
    edit_and(site, lambda: None)
    p = subprocess.run(build, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    return int(re.search(r"(\d+) changed", p.stderr).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default="/tmp/tsunagari-bench")
    ap.add_argument("--no-pagefind", action="store_true")
    ap.add_argument("--pagefind-max", type=int, default=100000,
                    help="skip Pagefind above this many windows (it needs ~17 GiB per 100,000 pages)")
    ap.add_argument("--edit-runs", type=int, default=3)
    ap.add_argument("--large-runs", type=int, default=1, help="runs per tool at 100,000 windows and above")
    args = ap.parse_args()
    if not os.path.exists(BIN):
        subprocess.run(["swift", "build", "-c", "release", "--product", "tsunagari"], cwd=ROOT, check=True)
    rows = []
    # Trees to delete once every run is done: a site generated by an earlier run and each
    # size's replaced outputs. Deleting them between runs would time the next runs on a disk
    # still freeing the inodes (ext4 with online discard: a cold build of 10,000 windows took
    # 3.1 s instead of 2.1 s, Hugo 4.3 s instead of 3.8 s, a minute after 23 GB were deleted).
    leftovers = os.path.join(args.out, "leftovers-%d" % time.monotonic_ns())
    os.makedirs(leftovers, exist_ok=True)
    for n in [int(s) for s in args.sizes.split(",")]:
        runs = args.large_runs if n >= 100000 else args.runs
        gen = os.path.join(args.out, str(n))
        if os.path.exists(gen):
            os.rename(gen, os.path.join(leftovers, str(n)))
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "generate.py"), str(n), gen], check=True)
        site, hugo_site = os.path.join(gen, "tsunagari"), os.path.join(gen, "hugo")
        ts_out, hugo_out = os.path.join(gen, "ts-out"), os.path.join(gen, "hugo-out")
        ts_spare = os.path.join(gen, ".ts-out.spare")
        ts_cache = os.path.join(gen, ".ts-out.cache")
        ts_record = os.path.join(gen, ".ts-out.record")
        trash = os.path.join(gen, "trash")
        os.makedirs(trash, exist_ok=True)
        # (After generating the site, which takes part of the wait.)
        wait_after_deletion(args.out)
        settle(gen)

        def aside(*paths):
            for path in paths:
                if os.path.exists(path):
                    os.rename(path, os.path.join(trash, "%s-%d" % (os.path.basename(path), time.monotonic_ns())))

        ts_build = [BIN, "build", "--source", site, "--output", ts_out]
        hugo_build = ["hugo", "--quiet", "-d", hugo_out]

        def ts_cold():
            aside(ts_out, ts_spare, ts_cache, ts_record)
            result = timed(ts_build)
            time.sleep(3)
            return result

        def hugo_cold():
            aside(hugo_out)
            result = timed(hugo_build, cwd=hugo_site)
            time.sleep(3)
            return result
        # Interleaved, so that a change in the machine's speed during the runs (it varies by
        # half from hour to hour) moves both tools' medians alike.
        cold = [(ts_cold(), hugo_cold()) for _ in range(runs)]
        ts = tuple(statistics.median(r[0][k] for r in cold) for k in range(3))
        hg = tuple(statistics.median(r[1][k] for r in cold) for k in range(3))

        # Rebuilds with the previous output present (one untimed build first, so that
        # tsunagari has its spare copy to write over).
        subprocess.run(ts_build, check=True, stderr=subprocess.DEVNULL)
        ts_same = median_runs(runs, lambda: timed(ts_build))
        hg_same = median_runs(runs, lambda: timed(hugo_build, cwd=hugo_site))
        ts_edit = median_runs(runs, lambda: edit_and(site, lambda: timed(ts_build)))
        hg_edit = median_runs(runs, lambda: edit_and(hugo_site, lambda: timed(hugo_build, cwd=hugo_site)))
        changed = changed_files(ts_build, site)
        os.rename(trash, os.path.join(leftovers, "trash-%d" % n))

        row = {"n": n, "ts": ts, "hugo": hg, "ts_same": ts_same, "hugo_same": hg_same, "ts_edit": ts_edit,
               "hugo_edit": hg_edit, "ts_edit_changed": changed, "ts_pages": count(ts_out, ".html"), "hugo_pages": count(hugo_out, ".html"),
               "ts_bytes": du(ts_out), "hugo_bytes": du(hugo_out), "ts_index": du(os.path.join(ts_out, "search"))}
        if not args.no_pagefind and n <= args.pagefind_max:
            pf_cmd = [sys.executable, "-m", "pagefind_bin_extended", "--site"]
            row["pagefind"] = timed(pf_cmd + [hugo_out])
            row["pagefind_index"] = du(os.path.join(hugo_out, "pagefind"))
            row["pagefind_ours"] = timed(pf_cmd + [ts_out])
            row["pagefind_ours_index"] = du(os.path.join(ts_out, "pagefind"))
        row["edit"] = statistics.median(edit_rebuild_seconds(site) for _ in range(args.edit_runs))
        rows.append(row)
        print(json.dumps(row), flush=True)

    delete_and_stamp(leftovers, args.out)
    print()
    print("| windows | tool | wall s (median) | CPU s | peak MiB | pages | output MiB | search index MiB |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        mib = lambda b: "%.1f" % (b / 1048576)
        print("| %d | tsunagari (search index included) | %.2f | %.2f | %.0f | %d | %s | %s |" % (r["n"], *r["ts"], r["ts_pages"], mib(r["ts_bytes"]), mib(r["ts_index"])))
        print("| %d | Hugo | %.2f | %.2f | %.0f | %d | %s | — |" % (r["n"], *r["hugo"], r["hugo_pages"], mib(r["hugo_bytes"])))
        if "pagefind" in r:
            pf = r["pagefind"]
            print("| %d | Pagefind on Hugo's output | %.2f | %.2f | %.0f | — | — | %s |" % (r["n"], *pf, mib(r["pagefind_index"])))
            print("| %d | Hugo + Pagefind | %.2f | %.2f | %.0f | — | — | — |" % (r["n"], r["hugo"][0] + pf[0], r["hugo"][1] + pf[1], max(r["hugo"][2], pf[2])))
            print("| %d | Pagefind on our output | %.2f | %.2f | %.0f | — | — | %s |" % (r["n"], *r["pagefind_ours"], mib(r["pagefind_ours_index"])))
    print()
    print("| windows | rebuild | tsunagari wall s | CPU s | files changed | Hugo wall s | CPU s |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print("| %d | nothing changed | %.2f | %.2f | 0 | %.2f | %.2f |" % (r["n"], r["ts_same"][0], r["ts_same"][1], r["hugo_same"][0], r["hugo_same"][1]))
        print("| %d | one window's summary | %.2f | %.2f | %d | %.2f | %.2f |" % (r["n"], r["ts_edit"][0], r["ts_edit"][1], r["ts_edit_changed"], r["hugo_edit"][0], r["hugo_edit"][1]))
    print()
    print("| windows | tsunagari ÷ Hugo | tsunagari ÷ (Hugo + Pagefind) | one-file edit in serve | edit ÷ full build |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        ratio = r["hugo"][0] / r["ts"][0]
        both = "%.1f× faster" % ((r["hugo"][0] + r["pagefind"][0]) / r["ts"][0]) if "pagefind" in r else "— (Pagefind not run)"
        print("| %d | %.2f× faster | %s | %.3f s | %.1f %% |" % (r["n"], ratio, both, r["edit"], 100 * r["edit"] / r["ts"][0]))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What the disk alone costs: the output trees of a build written again, with nothing else.

For each output folder given, the script lists its folders and files with their sizes, then
writes the same tree (each file filled with its length of bytes) into a new folder beside it,
from two processes (the machine's two cores), and prints the wall time and the CPU the kernel
spent. That is the floor of any build that writes this tree on this disk: no generator that
writes these files can spend less. With --flat, every `X/index.html` is written as `X.html`
instead (URLs without a folder per page), to show what pretty URLs cost.

    python3 bench/write-floor.py [--runs 3] [--flat] OUTPUT...

The new trees are moved into a trash folder beside, not deleted: deleting a large tree on this
machine's ext4 (online discard) slows the next minutes' writes.
"""
import argparse
import os
import resource
import statistics
import sys
import time
from multiprocessing import Process


def tree(root, flat):
    files = []
    for path, dirs, names in os.walk(root):
        rel = os.path.relpath(path, root)
        dirs.sort()
        for n in sorted(names):
            size = os.lstat(os.path.join(path, n)).st_size
            if flat and n == "index.html" and rel != ".":
                files.append((rel + ".html", size))
            else:
                files.append((os.path.normpath(os.path.join(rel, n)), size))
    return files


def write_part(target, files, part, parts):
    # Each process makes the folders its files need (a page's folder by whoever writes the
    # page, as the build does), then writes its share of the files.
    data = b"x" * max((s for _, s in files), default=0)
    mine = files[part::parts]
    made = set()
    for rel, size in mine:
        d = os.path.dirname(rel)
        if d and d not in made:
            os.makedirs(os.path.join(target, d), exist_ok=True)
            made.add(d)
        fd = os.open(os.path.join(target, rel), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data[:size])
        os.close(fd)


def replay(target, files, parts=2):
    os.makedirs(target)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    procs = [Process(target=write_part, args=(target, files, i, parts)) for i in range(parts)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_stime - before.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outputs", nargs="+")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--flat", action="store_true")
    args = ap.parse_args()
    print("| tree | folders | files | MB | wall (median) | system CPU (median) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for out in args.outputs:
        out = os.path.abspath(out.rstrip("/"))
        files = tree(out, args.flat)
        trash = os.path.join(os.path.dirname(out), ".write-floor-trash")
        os.makedirs(trash, exist_ok=True)
        results = []
        for run in range(args.runs):
            target = os.path.join(os.path.dirname(out), ".write-floor-%s-%d-%d" % (os.path.basename(out), os.getpid(), run))
            results.append(replay(target, files))
            os.rename(target, os.path.join(trash, os.path.basename(target)))
        made = set()
        for f, _ in files:
            d = os.path.dirname(f)
            while d and d not in made:
                made.add(d)
                d = os.path.dirname(d)
        print("| %s%s | %d | %d | %.1f | %.2f s | %.2f s |" % (
            os.path.basename(out), " (flat)" if args.flat else "", len(made), len(files),
            sum(s for _, s in files) / 1e6,
            statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)))
        sys.stdout.flush()


if __name__ == "__main__":
    main()

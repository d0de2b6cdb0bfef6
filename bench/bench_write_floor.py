"""Time writing the kit-wide edit's bytes alone: the least the disk takes, whatever the build.

    .venv/bin/python bench/bench_write_floor.py [--files 750] [--mb 5.7] [--runs 2]

Replaces FILES files of MB megabytes each, as a build commits its kits (a new file beside
the old one, written, synced, renamed over it), on two processes, first synced and then not,
alternating, and prints each run's wall and CPU time. The defaults are the kit-wide edit of
`bench/bench_build.py`: 750 kits of about 5.7 MB, 4.3 GB. Nothing of salesplay runs here;
it says what the machine's disk asks of any build that writes those bytes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from pathlib import Path


def _replace(folder: Path, index: int, data: bytes, sync: bool) -> None:
    temp = folder / f".new-{index}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, folder / f"kit-{index}.zip")


def _share(folder: Path, first: int, step: int, count: int, size: int, sync: bool) -> None:
    data = os.urandom(size)
    for index in range(first, count, step):
        _replace(folder, index, data, sync)


def _round(folder: Path, count: int, size: int, sync: bool, procs: int = 2) -> tuple[float, float]:
    """Wall and CPU seconds (of the writing processes) of replacing every file once."""
    before = os.times()
    start = time.perf_counter()
    workers = [
        multiprocessing.Process(target=_share, args=(folder, k, procs, count, size, sync))
        for k in range(procs)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user + after.children_system) - (
        before.children_user + before.children_system
    )
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=750)
    parser.add_argument("--mb", type=float, default=5.7)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parent.parent) as tmp:
        folder = Path(tmp)
        _round(folder, args.files, size, sync=True)  # the files to replace
        os.sync()
        found: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        for _ in range(args.runs):
            for sync in (True, False):
                os.sync()
                time.sleep(2)
                found[sync].append(_round(folder, args.files, size, sync))
    total = args.files * size / 1e9
    print(f"{args.files} files of {args.mb} MB ({total:.1f} GB), replaced on two processes")
    for sync in (True, False):
        runs = found[sync]
        walls = ", ".join(f"{w:.2f}" for w, _ in runs)
        cpus = ", ".join(f"{c:.2f}" for _, c in runs)
        median = statistics.median(w for w, _ in runs)
        label = "synced" if sync else "not synced"
        print(f"  {label:10}: wall {walls} s (median {median:.2f} s); CPU {cpus} s")


if __name__ == "__main__":
    main()

"""Benchmark whole `salesplay build` commands: cold, no change, one edit, and --jobs scaling.

    .venv/bin/python bench/bench_build.py [--small] [--runs 3] [--keep DIR]

Generates the issue's catalog (the sample grown to 50 plays, 1,000 partners of every tier
with PNG, SVG or no logo; see catalog_gen.py), then times `salesplay build --jobs 2` as a
user runs it (a subprocess each, start-up included), with the peak RSS and the CPU time of
the build and its workers:

- cold: a fresh --out folder;
- no change: the same build again;
- `salesplay check` (whole command, on every CPU), reusing the logos that build decoded, and
  with no build folder, when it decodes all of them;
- one play's summary edited, once for a rep-only play and once for a play that is in the
  kits of every silver-or-better partner (its cards are re-stamped in those kits);
- one partner's contact edited (one kit);
- --jobs 1 vs --jobs 2, cold, on a smaller catalog (20 plays, 300 partners).

Before the first build and after the last, bench/machine.py measures how fast the machine
is that hour (memory copy, fresh pages, the interpreter's loop): on a shared machine the
same build's CPU time moves with them, and a run's rows are read against them.

Warm cases take the median of --runs runs, each a different edit; a case whose first run is
slow runs once. `--small` is a quick sanity run on a small catalog (10 plays, 100 partners;
--jobs on 10 plays, 40 partners): the targets are meant for the full one. Ratios come from
this run only: the machine may be shared, so compare them with figures measured in the same
run. Each row also prints its CPU bound: the CPU time the build used divided by the CPUs,
below which no schedule of that work can finish.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalog_gen  # noqa: E402  # bench/ is on sys.path when a script in it runs
import machine  # noqa: E402
import prepared  # noqa: E402

AS_OF = "2026-11-23"
SALESPLAY = Path(sys.executable).with_name("salesplay")
#: a play reps only see (no kit holds it) and one in every silver-or-better partner's kit.
REP_PLAY = "hybrid-consolidation"
KIT_PLAY = "backup-modernization"
#: a case whose first run takes longer than this runs once.
SLOW = 20.0


@dataclass(frozen=True)
class Run:
    """One build: wall seconds, peak RSS (MB, the build or any of its workers), last line,
    and the CPU seconds (user and system) of the build and every worker it waited for."""

    seconds: float
    rss_mb: float
    line: str
    cpu: float = 0.0

    def bound(self) -> float:
        """The least wall time this much CPU takes on this machine's CPUs, however the
        work is scheduled: what no better packing or less waiting for the disk goes below."""
        return self.cpu / (os.cpu_count() or 1)


def build(catalog: Path, out: Path, jobs: int = 2) -> Run:
    """`salesplay build` as a user runs it; exits on failure with the build's stderr."""
    return command(catalog, "build", "--out", str(out), "--jobs", str(jobs))


def check(catalog: Path, out: Path) -> Run:
    """`salesplay check` as a user runs it, reusing the decoded logos of a build into `out`."""
    return command(catalog, "check", "--out", str(out))


def command(catalog: Path, name: str, *options: str) -> Run:
    """`salesplay NAME --catalog CATALOG --as-of AS_OF OPTIONS`, timed; exits on failure."""
    # a user's Python keeps salesplay's compiled bytecode: a shell that forbids writing it
    # would add ~0.3 s of compiling to every build timed here
    unset = ("SOURCE_DATE_EPOCH", "SALESPLAY_DEBUG", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    args = [str(SALESPLAY), name, "--catalog", str(catalog), "--as-of", AS_OF, *options]
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=catalog.parent, env=env, stdout=err, stderr=err)
        # wait4: this build's own rusage; its maxrss covers the workers it waited for
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed ({proc.returncode}):\n{text[-3000:]}")
    lines = [ln for ln in text.splitlines() if ln.startswith("built ")] or text.splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, usage.ru_maxrss / 1024, lines[-1] if lines else "", cpu)


def changed(run: Run) -> str:
    """'N changed, M removed' from a build's closing line ('–' for another command)."""
    _, _, rest = run.line.partition("; ")
    return rest.split(";")[0] if run.line.startswith("built ") else "–"


def edit_summary(catalog: Path, play: str, n: int) -> str:
    """Give `play` a new summary (the n-th variant); the text to find in its card page."""
    path = catalog / "plays" / f"{play}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    marker = f"Edited summary number {n} for the benchmark."
    lines = [f"summary: {marker}\n" if ln.startswith("summary:") else ln for ln in lines]
    path.write_text("".join(lines), encoding="utf-8")
    return marker


def edit_contact(catalog: Path, n: int) -> str:
    """Give partner-0001 a new contact e-mail (the n-th variant)."""
    email = f"edited{n}@partner1.example"
    path = catalog / "partners" / "partner-0001.yaml"
    path.write_text(catalog_gen.partner_yaml(1, catalog_gen.TIERS[1], logo_of(path), email))
    return email


def logo_of(path: Path) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("logo: "):
            return line.removeprefix("logo: ")
    return None


def warm_case(runs: int, step: Callable[[int], Run]) -> tuple[float, Run, int]:
    """Median seconds of up to `runs` runs of `step(n)`, the last run, and the runs made."""
    times: list[float] = []
    last: Run | None = None
    for n in range(runs):
        last = step(n)
        times.append(last.seconds)
        if last.seconds > SLOW:
            break
    assert last is not None
    return statistics.median(times), last, len(times)


@dataclass(frozen=True)
class Row:
    what: str
    seconds: float
    target: float
    runs: int
    run: Run
    #: True when the target is a minimum (a speed-up), not a maximum.
    at_least: bool = False

    def ok(self) -> bool:
        return self.seconds >= self.target if self.at_least else self.seconds <= self.target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="a quick sanity run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each warm case")
    parser.add_argument("--keep", type=Path, help="generate into DIR and keep it (profiling)")
    args = parser.parse_args()
    prepared.ensure()  # as `make` would: else every build compiles the theme itself
    plays, partners = (10, 100) if args.small else (50, 1000)
    jplays, jpartners = (10, 40) if args.small else (20, 300)
    # the hour's speed, before and after: the same build's CPU time moves with it
    before = machine.measure()
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        catalog, out = base / "plays", base / "build"
        catalog_gen.generate(catalog, partners, plays=plays)
        print(f"generated {plays} plays, {partners} partners; cold build…", file=sys.stderr)
        rows: list[Row] = []
        cold = build(catalog, out)
        rows.append(Row("cold full build", cold.seconds, 45.0, 1, cold))
        median, last, n = warm_case(args.runs, lambda _n: build(catalog, out))
        rows.append(Row("no-change rebuild", median, 0.5, n, last))
        # check decodes every partner logo, unless a build into --out decoded them already
        median, last, n = warm_case(args.runs, lambda _n: check(catalog, out))
        rows.append(Row("`check`, reusing the build's decoded logos", median, 2.0, n, last))
        median, last, n = warm_case(args.runs, lambda _n: check(catalog, base / "no-build"))
        rows.append(Row("`check` with no build folder (every logo decoded)", median, 2.0, n, last))

        for label, play in (("rep-only", REP_PLAY), ("in silver+ kits", KIT_PLAY)):

            def play_step(n: int, play: str = play) -> Run:
                marker = edit_summary(catalog, play, n)
                run = build(catalog, out)
                page = (out / "site" / "battlecards" / f"{play}.html").read_text("utf-8")
                assert marker in page, f"{play}: the edit is not in its card page"
                return run

            median, last, n = warm_case(args.runs, play_step)
            rows.append(Row(f"one play's summary edited ({label})", median, 5.0, n, last))

        def contact_step(n: int) -> Run:
            edit_contact(catalog, n)
            return build(catalog, out)

        median, last, n = warm_case(args.runs, contact_step)
        rows.append(Row("one partner's contact edited", median, 1.0, n, last))

        print(f"--jobs 1 vs 2 on {jplays} plays, {jpartners} partners…", file=sys.stderr)
        small = base / "jobs"
        catalog_gen.generate(small / "plays", jpartners, plays=jplays)
        one = build(small / "plays", small / "out-1", jobs=1)
        two = build(small / "plays", small / "out-2", jobs=2)
        speedup = one.seconds / two.seconds
        rows.append(Row(f"--jobs 2 vs --jobs 1, cold ({jplays} plays, {jpartners} partners)",
                        speedup, 1.8, 1, two, at_least=True))  # fmt: skip
    after = machine.measure()

    print(f"\ncatalog: {plays} plays, {partners} partners; {os.cpu_count()} CPUs; as of {AS_OF}")
    # the interpreter's build shows in every row (README: The interpreter)
    print(f"Python {platform.python_version()} from {Path(sys.base_prefix) / 'bin'}")
    print(f"machine before: {before}\nmachine after:  {after}")
    print("| what | measured | target | ratio | runs | changed | CPU s | CPU bound s | peak RSS MB"
          " | ok |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---|")
    for row in rows:
        if row.at_least:
            figure, target = f"{row.seconds:.2f}×", f"≥ {row.target:.1f}×"
            ratio = row.seconds / row.target
            detail = f"{one.seconds:.1f} s vs {two.seconds:.1f} s"
        else:
            figure, target = f"{row.seconds:.2f} s", f"≤ {row.target:g} s"
            ratio = row.seconds / row.target
            detail = changed(row.run)
        print(f"| {row.what} | {figure} | {target} | {ratio:.2f} | {row.runs} | {detail} |"
              f" {row.run.cpu:.1f} | {row.run.bound():.2f} | {row.run.rss_mb:.0f} |"
              f" {'ok' if row.ok() else 'MISSED'} |")  # fmt: skip
    print("\n(ratio = measured / target: ≤ 1 meets a time target, ≥ 1 meets the speed-up;")
    print(" CPU s: user and system time of the last run, the build and its workers; CPU bound:")
    print(f" that divided by the {os.cpu_count()} CPUs, the least wall time any schedule of")
    print(" that work takes here: a row whose bound is above its target cannot meet it by")
    print(" scheduling better or waiting less for the disk, only by spending less CPU)")
    print(f"cold build said: {cold.line}")


if __name__ == "__main__":
    main()

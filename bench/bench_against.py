"""Benchmark this checkout's build against another revision's, alternating, in one run.

    .venv/bin/python bench/bench_against.py REV [--pairs 2] [--small]
        [--drop catalog:channel --drop competitors:quick_dismiss ...]

Times the two cases of bench_build.py that its targets miss, on the issue's catalog (the
sample grown to 50 plays and 1,000 partners, see catalog_gen.py), with `salesplay build
--jobs 2` run as a user runs it (a subprocess, start-up included):

- cold: a fresh --out folder;
- one play in every silver-or-better kit edited: its summary changed, then a build;
- one rep-only play edited (in no kit; its playbook, card and deck), the same way;
- one partner's contact edited (one kit), as bench_build does.

`--cases cold,kit,rep,contact` picks some of them (default: cold, kit and rep).

REV's code is taken from git (`git archive`) into a temporary folder and run from there
with this checkout's environment, on its own copy of the catalog: the two builds never
share a file. Each pair runs REV, then this checkout (A B A B…), so that a machine whose
speed drifts during the run moves both sides alike; the table gives the medians, the
ratio of the medians and the range of the ratios pair by pair. The issue's "today" column
is `bench_against.py efb887d --bare-tiers --drop catalog:channel --drop
catalog:source_locale --drop catalog:locales --drop competitors:quick_dismiss`: the code
before the engine knows neither these four fields nor named tiers, which its copy of the
catalog goes without.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalog_gen  # noqa: E402  # bench/ is on sys.path when a script in it runs
import prepared  # noqa: E402

AS_OF = "2026-11-23"
#: the play in every silver-or-better partner's kit (as bench_build.KIT_PLAY)
KIT_PLAY = "backup-modernization"
#: a play no partner edition holds (as bench_build.REP_PLAY)
REP_PLAY = "hybrid-consolidation"


@dataclass(frozen=True)
class Side:
    """One side of the comparison: where its code is, how it starts, its catalog."""

    name: str
    src: Path
    entry: str  # "module:function", as the revision's pyproject names its command
    catalog: Path
    out: Path

    def build(self) -> Run:
        """`salesplay build --jobs 2` of this side's code, timed as a whole process."""
        module, function = self.entry.split(":")
        argv = ["salesplay", "build", "--catalog", str(self.catalog), "--out", str(self.out)]
        argv += ["--as-of", AS_OF, "--jobs", "2"]
        code = f"import sys; sys.argv = {argv!r}; from {module} import {function}; {function}()"
        unset = ("SOURCE_DATE_EPOCH", "SALESPLAY_DEBUG", "PYTHONDONTWRITEBYTECODE")
        env = {k: v for k, v in os.environ.items() if k not in unset}
        env["PYTHONPATH"] = str(self.src)
        with tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-c", code], cwd=self.catalog.parent, env=env, stdout=err,
                stderr=err,
            )  # fmt: skip
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            err.seek(0)
            text = err.read().decode("utf-8", "replace")
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{self.name}: the build failed:\n{text[-3000:]}")
        lines = [ln for ln in text.splitlines() if ln.startswith("built ")]
        cpu = usage.ru_utime + usage.ru_stime
        return Run(seconds, cpu, usage.ru_maxrss / 1024, lines[-1] if lines else "")


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float
    rss_mb: float
    line: str


def checkout(rev: str, into: Path) -> tuple[Path, str]:
    """REV's `src` and `pyproject.toml` unpacked into `into`: its package folder and the
    entry point its `salesplay` command runs."""
    got = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src", "pyproject.toml"], capture_output=True
    )
    if got.returncode != 0:
        why = got.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SystemExit(f"bench_against: cannot take {rev!r} from git: {why[-1] if why else '?'}")
    data = got.stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(into, filter="data")
        else:
            # Debian's 3.11.2 (the venv's since 0f2e1cc) predates extraction filters (3.11.4);
            # git's own archive of REV holds nothing but its files
            tar.extractall(into)
    scripts = tomllib.loads((into / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    if (into / "src/salesplay/render/precompile.py").is_file():
        # its theme's templates compiled as `make` compiles this checkout's: else REV would
        # compile them in every build (0.2 s of a kit-wide edit) and lose for it
        prepared.make(into / "src")
    return into / "src", str(scripts["salesplay"])


def drop_fields(catalog: Path, drops: list[str], *, bare_tiers: bool = False) -> None:
    """Take the top-level `key` of every `folder:key` out of the catalog's YAML files
    (`catalog:key` is catalog.yaml's), and with `bare_tiers` write catalog.yaml's tiers as
    their ids: for a revision older than those fields (the copy loses its comments)."""
    changes: dict[Path, set[str]] = {}
    for drop in drops:
        folder, _, key = drop.partition(":")
        found = [catalog / "catalog.yaml"] if folder == "catalog" else (catalog / folder).glob(
            "*.yaml"
        )  # fmt: skip
        for path in found:
            changes.setdefault(path, set()).add(key)
    if bare_tiers:
        changes.setdefault(catalog / "catalog.yaml", set())
    for path, keys in sorted(changes.items()):
        data = yaml.safe_load(path.read_text("utf-8"))
        for key in keys:
            data.pop(key, None)
        if bare_tiers and path.name == "catalog.yaml" and path.parent == catalog:
            data["tiers"] = [t["id"] if isinstance(t, dict) else t for t in data["tiers"]]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def edit_summary(catalog: Path, n: int, play: str = KIT_PLAY) -> None:
    """Give `play` a new summary (the n-th variant), as bench_build does."""
    path = catalog / "plays" / f"{play}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    marker = f"Edited summary number {n} for the paired benchmark."
    path.write_text("".join(f"summary: {marker}\n" if ln.startswith("summary:") else ln
                            for ln in lines), encoding="utf-8")  # fmt: skip


def edit_contact(catalog: Path, n: int) -> None:
    """Give partner-0001 a new contact e-mail (the n-th variant), as bench_build does."""
    path = catalog / "partners" / "partner-0001.yaml"
    logo = next(
        (ln.removeprefix("logo: ") for ln in path.read_text("utf-8").splitlines()
         if ln.startswith("logo: ")),
        None,
    )  # fmt: skip
    email = f"edited{n}@partner1.example"
    path.write_text(catalog_gen.partner_yaml(1, catalog_gen.TIERS[1], logo, email))


def paired(
    sides: tuple[Side, Side], pairs: int, step: Callable[[Side, int], Run]
) -> tuple[list[Run], list[Run]]:
    """`pairs` runs of `step` on each side, in turn: REV, this, REV, this…"""
    runs: tuple[list[Run], list[Run]] = ([], [])
    for n in range(pairs):
        for i, side in enumerate(sides):
            runs[i].append(step(side, n))
            print(f"  {side.name}: {runs[i][-1].seconds:.1f} s", file=sys.stderr)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rev", help="the revision to compare with (a commit, tag or branch)")
    parser.add_argument("--pairs", type=int, default=2, help="runs of each side per case")
    parser.add_argument("--small", action="store_true", help="10 plays, 100 partners")
    parser.add_argument(
        "--cases",
        default="cold,kit,rep",
        help="which of cold, kit, rep, contact to run (comma-separated)",
    )
    parser.add_argument(
        "--drop", action="append", default=[], metavar="FOLDER:KEY",
        help="a top-level field REV does not know, taken out of its copy of the catalog",
    )  # fmt: skip
    parser.add_argument(
        "--bare-tiers", action="store_true",
        help="write the tiers of REV's copy as their ids (a revision before tier names)",
    )  # fmt: skip
    args = parser.parse_args()
    prepared.ensure()  # as `make` would: else every build compiles the theme itself
    plays, partners = (10, 100) if args.small else (50, 1000)
    with tempfile.TemporaryDirectory(prefix="bench-against-") as tmp:
        base = Path(tmp)
        src, entry = checkout(args.rev, base / "rev")
        catalog_gen.generate(base / "this" / "plays", partners, plays=plays)
        shutil.copytree(base / "this" / "plays", base / "other" / "plays")
        drop_fields(base / "other" / "plays", args.drop, bare_tiers=args.bare_tiers)
        here = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
        sides = (
            Side(args.rev, src, entry, base / "other" / "plays", base / "other" / "build"),
            Side("this", ROOT / "src", str(here["salesplay"]), base / "this" / "plays",
                 base / "this" / "build"),
        )  # fmt: skip

        def cold(side: Side, _n: int) -> Run:
            shutil.rmtree(side.out, ignore_errors=True)
            return side.build()

        def kit_edit(side: Side, n: int) -> Run:
            edit_summary(side.catalog, n)
            return side.build()

        def rep_edit(side: Side, n: int) -> Run:
            edit_summary(side.catalog, n, REP_PLAY)
            return side.build()

        def contact_edit(side: Side, n: int) -> Run:
            edit_contact(side.catalog, n)
            return side.build()

        cases = {
            "cold": ("cold full build", cold),
            "kit": ("one play in every silver+ kit edited", kit_edit),
            "rep": ("one rep-only play edited", rep_edit),
            "contact": ("one partner's contact edited", contact_edit),
        }
        wanted = [c.strip() for c in args.cases.split(",") if c.strip()]
        if not wanted or any(c not in cases for c in wanted):
            parser.error(f"--cases takes some of {', '.join(cases)}")
        if "cold" not in wanted:
            for side in sides:  # the edits start from a build
                side.build()
        rows = []
        for label, step in (cases[c] for c in wanted):
            print(f"{label}…", file=sys.stderr)
            rows.append((label, *paired(sides, args.pairs, step)))
    rev = args.rev
    print(f"\ncatalog: {plays} plays, {partners} partners; {os.cpu_count()} CPUs; as of {AS_OF};"
          f" {args.pairs} pairs, {rev} then this, in turn")  # fmt: skip
    print(f"| case | figure | {rev} | this | this/{rev} | pair by pair |")
    print("|---|---|---:|---:|---:|---|")
    for label, theirs, ours in rows:
        for figure, field in (("wall s", "seconds"), ("CPU s", "cpu"), ("peak RSS MB", "rss_mb")):
            get = attrgetter(field)
            a = statistics.median(get(r) for r in theirs)
            b = statistics.median(get(r) for r in ours)
            each = sorted(get(o) / get(t) for t, o in zip(theirs, ours, strict=True))
            print(f"| {label} | {figure} | {a:.1f} | {b:.1f} | {b / a:.2f} |"
                  f" {each[0]:.2f}–{each[-1]:.2f} |")  # fmt: skip
    for label, theirs, ours in rows:
        print(f"{label}, {rev} said: {theirs[-1].line}")
        print(f"{label}, this said: {ours[-1].line}")


if __name__ == "__main__":
    main()

"""What later stages need (the kits' cards and decks) is made with the first stage, on the
same workers; a fault there leaves build/ as it was, and the later stage gets the bytes."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import AS_OF, MINIMAL
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.diagnostics import Location
from salesplay.engine import executor as executor_module
from salesplay.engine.executor import InlineExecutor
from salesplay.engine.units import Made, Sink, Unit, Workshop
from salesplay.families import kits as kits_family
from salesplay.faults import BuildFault

DAY = dt.date.fromisoformat(AS_OF)


class _Recording:
    """An in-process executor that notes the output paths of each run it is given."""

    def __init__(self, runs: list[list[str]], fail: str | None) -> None:
        self.runs = runs
        self.fail = fail  # units whose path starts with it fail as a lost worker would

    def run(self, units: Sequence[Unit], sink: Sink | None = None) -> Iterator[tuple[int, Made]]:
        self.runs.append([u.rel for u in units])
        yield from InlineExecutor().run([self._maybe_failing(u) for u in units], sink)

    def _maybe_failing(self, unit: Unit) -> Unit:
        if self.fail is None or not unit.rel.startswith(self.fail):
            return unit

        def boom(_w: Workshop) -> Made:
            raise OSError("worker lost")

        return replace(unit, make=boom)


def _build(
    project: Path,
    only: list[str],
    runs: list[list[str]],
    mp: pytest.MonkeyPatch,
    fail: str | None = None,
) -> str:
    """run_build's exit code and stderr, its executor recording each run in `runs`."""
    mp.setattr(executor_module, "executor_for", lambda _jobs: _Recording(runs, fail))
    ctx = Context(catalog=project / "plays", as_of=DAY, out=project / "build", jobs=2)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run_build(ctx, only)
    return f"{code}\n{err.getvalue()}"


def _outputs(out: Path) -> list[tuple[Path, int]]:
    """Every output (the records and cache under .salesplay/ aside) with its mtime."""
    return sorted((p, p.stat().st_mtime_ns) for p in out.rglob("*") if ".salesplay" not in p.parts)


def _site_built(project: Path, mp: pytest.MonkeyPatch) -> list[tuple[Path, int]]:
    """The minimal catalog copied into `project` and its portal built: the outputs then."""
    shutil.copytree(MINIMAL, project / "plays")
    assert _build(project, ["site"], [], mp).startswith("0\n")
    return _outputs(project / "build")


def test_kit_members_are_made_in_the_run_of_the_first_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(MINIMAL, tmp_path / "plays")
    runs: list[list[str]] = []
    assert _build(tmp_path, ["battlecards", "kits"], runs, monkeypatch).startswith("0\n")
    first = runs[0]
    assert any(rel.startswith("battlecards/") for rel in first)
    members = [rel for rel in first if rel.startswith(("partner-cards/", "partner-decks/"))]
    assert members, first
    # next, on the same workers, the co-brand bases of the decks made with the cards (not
    # one after another in the parent while the workers wait)
    assert runs[1] and all(rel.startswith(f"{kits_family.CACHE}/") for rel in runs[1]), runs[1]
    decks = [rel for rel in members if rel.startswith("partner-decks/")]
    assert len(runs[1]) == len(set(decks)), (runs[1], decks)
    # the kits' own run (their zips) makes no member: they were made with the cards
    later = [rel for run in runs[2:] for rel in run]
    assert later and all(rel.startswith("kits/") for rel in later), later
    # and the members are cached for the next build, which makes none of them
    runs.clear()
    (tmp_path / "build" / "kits").rename(tmp_path / "gone")
    assert _build(tmp_path, ["battlecards", "kits"], runs, monkeypatch).startswith("0\n")
    made = [rel for run in runs for rel in run]
    assert made and all(rel.startswith("kits/") for rel in made), made


def test_a_fault_in_a_kit_member_leaves_build_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[list[str]] = []
    before = _site_built(tmp_path, monkeypatch)
    failed = _build(tmp_path, ["site", "battlecards", "kits"], runs, monkeypatch, fail="partner-")
    assert failed.startswith("1\n"), failed
    assert "partner-" in failed and "worker lost" in failed and "Traceback" not in failed
    assert failed.rstrip().endswith("build stopped: nothing was written")
    assert any(rel.startswith("battlecards/") for rel in runs[0])  # the same run
    assert _outputs(tmp_path / "build") == before


def test_a_fault_while_naming_what_comes_first_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[list[str]] = []
    before = _site_built(tmp_path, monkeypatch)

    def failing(_self: object, _stale: object) -> list[Unit]:
        raise BuildFault(Location(Path("kits"), 0, 0), "no member could be planned")

    monkeypatch.setattr(kits_family._Kits, "ahead", failing)
    failed = _build(tmp_path, ["site", "battlecards", "kits"], runs, monkeypatch)
    assert failed.startswith("1\n") and "no member could be planned" in failed, failed
    assert failed.rstrip().endswith("build stopped: nothing was written")
    assert _outputs(tmp_path / "build") == before


def test_the_kits_start_while_the_last_document_of_the_first_stage_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker with nothing left of the first stage takes the kits at once (their members
    are made), not once the slow playbook is; the outputs are those of `--jobs 1`."""
    from salesplay.engine import early as early_module

    shutil.copytree(MINIMAL, tmp_path / "plays")
    log = tmp_path / "made.log"
    real = executor_module.make_one

    def timed(unit: Unit, workshop: Workshop, sink: Sink | None = None) -> Made:
        start = time.monotonic()  # one clock for every process of the machine
        if unit.rel.startswith("playbooks/"):
            time.sleep(3)  # the long document of the stage
        made = real(unit, workshop, sink)
        with log.open("a", encoding="utf-8") as f:
            f.write(f"{unit.rel}\t{start}\t{time.monotonic()}\n")
        return made

    # forked workers and the early process inherit the patched function
    monkeypatch.setattr(executor_module, "make_one", timed)
    monkeypatch.setattr(early_module, "make_one", timed)
    only = ["playbooks", "kits"]
    for jobs, out in ((2, tmp_path / "build"), (1, tmp_path / "inline")):
        ctx = Context(catalog=tmp_path / "plays", as_of=DAY, out=out, jobs=jobs)
        with contextlib.redirect_stderr(io.StringIO()):
            assert run_build(ctx, only) == 0
        if jobs == 2:
            rows = [line.split("\t") for line in log.read_text("utf-8").splitlines()]
    playbook_end = max(float(end) for rel, _, end in rows if rel.startswith("playbooks/"))
    kit_starts = [float(start) for rel, start, _ in rows if rel.startswith("kits/")]
    assert kit_starts and min(kit_starts) < playbook_end - 1, rows
    made = {p.relative_to(tmp_path / "build") for p in (tmp_path / "build").rglob("*.zip")}
    assert made and all(
        (tmp_path / "build" / rel).read_bytes() == (tmp_path / "inline" / rel).read_bytes()
        for rel in made
    )


def test_a_fault_in_the_last_document_while_kits_are_made_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kits started beside the first stage's last document are only staged: when that
    document fails, none is committed and no staged file is left."""
    from salesplay.engine import early as early_module
    from salesplay.write import TEMP_PREFIX

    before = _site_built(tmp_path, monkeypatch)
    monkeypatch.undo()  # the real executor from here on
    real = executor_module.make_one

    def failing_late(unit: Unit, workshop: Workshop, sink: Sink | None = None) -> Made:
        if unit.rel.startswith("playbooks/"):
            time.sleep(2)  # the kits are made meanwhile
            raise OSError("the long document failed")
        return real(unit, workshop, sink)

    monkeypatch.setattr(executor_module, "make_one", failing_late)
    monkeypatch.setattr(early_module, "make_one", failing_late)
    ctx = Context(catalog=tmp_path / "plays", as_of=DAY, out=tmp_path / "build", jobs=2)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert run_build(ctx, ["site", "playbooks", "kits"]) == 1
    assert "the long document failed" in err.getvalue(), err.getvalue()
    assert err.getvalue().rstrip().endswith("build stopped: nothing was written")
    assert _outputs(tmp_path / "build") == before
    staged = [p for p in (tmp_path / "build").rglob(f"{TEMP_PREFIX}*")]
    assert staged == []

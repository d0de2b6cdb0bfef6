"""What later stages need (the kits' cards and decks) is made with the first stage, on the
same workers; a fault there leaves build/ as it was, and the later stage gets the bytes."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
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
from salesplay.engine.units import Made, Result, Sink, Unit, Workshop
from salesplay.families import kits as kits_family
from salesplay.faults import BuildFault

DAY = dt.date.fromisoformat(AS_OF)


class _Recording:
    """An in-process executor that notes the output paths of each run it is given."""

    def __init__(self, runs: list[list[str]], fail: str | None) -> None:
        self.runs = runs
        self.fail = fail  # units whose path starts with it fail as a lost worker would

    def run(self, units: Sequence[Unit], sink: Sink | None = None) -> Iterator[tuple[int, Result]]:
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

"""Long units start on a process of their own as soon as they are planned: same bytes,
faults reported the usual way, nothing left running."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import AS_OF, MINIMAL
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.engine import early as early_module
from salesplay.engine.early import EARLY_COST, EarlyStarts
from salesplay.engine.executor import InlineExecutor
from salesplay.engine.schedule import run_stage
from salesplay.engine.units import Made, Unit, Workshop
from salesplay.faults import BuildFault

DAY = dt.date.fromisoformat(AS_OF)


def _pid_unit(rel: str, cost: float = EARLY_COST) -> Unit:
    """A unit whose bytes name the process that made it."""

    def make(_w: Workshop) -> Made:
        return f"{rel} by {os.getpid()}".encode(), ()

    return Unit(rel, "test", rel, make=make, cost=cost)


def test_a_long_stale_unit_is_made_by_its_own_process() -> None:
    long, short = _pid_unit("playbook.pdf"), _pid_unit("card.pdf", EARLY_COST / 4)
    early = EarlyStarts(1, stale=lambda _u: True)
    try:
        early.offer([short, long])
        assert early.started(long) and not early.started(short)
        made = early.take(long)
        assert made is not None
        data, warnings = made
        assert (
            data.startswith(b"playbook.pdf by ")
            and data != f"playbook.pdf by {os.getpid()}".encode()
        )
        assert warnings == ()
        assert early.take(long) is None  # taken once
    finally:
        early.close()


def test_fresh_units_and_full_slots_start_nothing() -> None:
    units = [_pid_unit(f"{n}.pdf", EARLY_COST + n) for n in range(3)]
    early = EarlyStarts(1, stale=lambda u: u.rel != "2.pdf")
    try:
        early.offer(units)
        # the longest is fresh; of the stale ones the longest takes the one slot
        assert [u.rel for u in units if early.started(u)] == ["1.pdf"]
        assert EarlyStarts(0, stale=lambda _u: True).started(units[0]) is False
    finally:
        early.close()


def test_a_failed_early_make_is_made_again_and_reports_its_fault() -> None:
    def fail(_w: Workshop) -> Made:
        raise ValueError("broken page")

    unit = Unit("playbook.pdf", "test", "k", make=fail, cost=EARLY_COST)
    early = EarlyStarts(1, stale=lambda _u: True)
    try:
        early.offer([unit])
        assert early.started(unit)
        with pytest.raises(BuildFault, match="broken page") as caught:
            list(run_stage([unit], InlineExecutor(), early=early))
        assert caught.value.loc.file == Path("playbook.pdf")
    finally:
        early.close()


def test_close_stops_what_was_not_taken() -> None:
    def slow(_w: Workshop) -> Made:
        time.sleep(60)
        return b"", ()

    unit = Unit("playbook.pdf", "test", "k", make=slow, cost=EARLY_COST)
    early = EarlyStarts(1, stale=lambda _u: True)
    early.offer([unit])
    pid = early._started[(unit.rel, unit.key)].pid
    started = time.perf_counter()
    early.close()
    assert time.perf_counter() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie left


def _build(project: Path, jobs: int) -> None:
    ctx = Context(catalog=project / "plays", as_of=DAY, out=project / "build", jobs=jobs)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert run_build(ctx, ["playbooks", "site"]) == 0, err.getvalue()


def test_a_build_takes_its_playbook_from_the_early_start_with_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the minimal catalog's playbook is short: every PDF counts as long here (the site's
    # pages are made in the parent, never early)
    monkeypatch.setattr(early_module, "EARLY_COST", 0.0)
    taken: list[str] = []
    take = EarlyStarts.take

    def noting(self: EarlyStarts, unit: Unit) -> Made | None:
        made = take(self, unit)
        if made is not None:
            taken.append(unit.rel)
        return made

    monkeypatch.setattr(EarlyStarts, "take", noting)
    one, two = tmp_path / "one", tmp_path / "two"
    for project in (one, two):
        shutil.copytree(MINIMAL, project / "plays")
    _build(one, jobs=1)
    assert taken == []  # --jobs 1 starts nothing early
    _build(two, jobs=2)
    assert taken == ["playbooks/cyber-resilience.pdf"]  # in the one free slot
    outputs = sorted(p.relative_to(two / "build") for p in (two / "build").rglob("*.pdf"))
    assert outputs
    for rel in outputs:
        assert (two / "build" / rel).read_bytes() == (one / "build" / rel).read_bytes(), rel


def test_no_process_to_spare_leaves_the_unit_to_the_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    unit = _pid_unit("playbook.pdf")
    early = EarlyStarts(1, stale=lambda _u: True)
    early.offer([unit])
    assert not early.started(unit)
    made = [m.data for m in run_stage([unit], InlineExecutor(), early=early)]
    assert made == [f"playbook.pdf by {os.getpid()}".encode()]  # made here, by the stage

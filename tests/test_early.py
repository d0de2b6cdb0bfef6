"""Long units start on a process of their own as soon as they are planned: same bytes,
faults reported the usual way, nothing left running."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
import os
import pickle
import select
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from conftest import AS_OF, MINIMAL, SAMPLE
from salesplay import outputs as outputs_module
from salesplay.build import _standby, run_build
from salesplay.context import Context
from salesplay.diagnostics import Diagnostic, Location, Severity
from salesplay.edition import make_edition
from salesplay.engine import early as early_module
from salesplay.engine.early import EARLY_COST, EarlyStarts, Standby
from salesplay.engine.executor import ForkExecutor, InlineExecutor
from salesplay.engine.records import FileMemo, Records, tree_digest
from salesplay.engine.schedule import Made as MadeOutput
from salesplay.engine.schedule import collect, run_stage
from salesplay.engine.units import Made, Unit, Workshop
from salesplay.families import playbooks
from salesplay.families.base import PageBudget, PdfMake, Sources
from salesplay.families.decks import DeckMake
from salesplay.faults import BuildFault
from salesplay.memo import Memo
from salesplay.pipeline import check_catalog
from salesplay.render.pdf import RenderJob
from salesplay.render.templates import make_env

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
        data, warnings, kept = made
        assert (
            data.startswith(b"playbook.pdf by ")
            and data != f"playbook.pdf by {os.getpid()}".encode()
        )
        assert warnings == () and kept == ()
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


def _fail(_w: Workshop) -> Made:
    raise ValueError("broken page")


@pytest.mark.parametrize("on", ["fork", "standby"])
def test_a_failed_early_make_is_made_again_and_reports_its_fault(on: str) -> None:
    if on == "fork":  # a closure: it goes to a fork of its own
        unit = Unit("playbook.pdf", "test", "k", make=_fail, cost=EARLY_COST)
        early = EarlyStarts(1, stale=lambda _u: True)
    else:  # a make that pickles goes to the standby
        unit = _sent_unit("playbook.pdf", fail=True)
        early = EarlyStarts(1, stale=lambda _u: True, standby=Standby([]))
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
    sent: list[str] = []
    send = Standby.send

    def sending(self: Standby, unit: Unit, payload: bytes | None = None) -> object:
        started = send(self, unit, payload)
        if started is not None:
            sent.append(unit.rel)
        return started

    monkeypatch.setattr(Standby, "send", sending)
    forked: list[str] = []
    run = ForkExecutor.run

    def running(self: ForkExecutor, units: list[Unit], sink: object = None) -> object:
        forked.extend(u.rel for u in units)
        return run(self, units, sink)  # type: ignore[arg-type]

    monkeypatch.setattr(ForkExecutor, "run", running)
    one, two = tmp_path / "one", tmp_path / "two"
    for project in (one, two):
        shutil.copytree(MINIMAL, project / "plays")
    _build(one, jobs=1)
    assert taken == []  # --jobs 1 starts nothing early
    _build(two, jobs=2)
    # the first in the one free slot while planning; the others once it is done, on the
    # standby and its sibling, which had WeasyPrint imported: none on the build's workers
    assert sent[:1] == ["playbooks/cyber-resilience.pdf"]
    assert sorted(sent) == sorted(taken)
    outputs = sorted(p.relative_to(two / "build") for p in (two / "build").rglob("*.pdf"))
    assert outputs
    assert {str(rel) for rel in outputs} <= set(taken)
    assert not [rel for rel in forked if rel.endswith(".pdf")]
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


# --- the standby: a process forked before the check, importing what long units need ---

#: set in a standby's process by _warm (forked: the test's module is its module too).
_WARMED: list[str] = []


def _warm() -> None:
    _WARMED.append(f"warmed in {os.getpid()}")


@dataclass(frozen=True)
class _PidMake:
    """A make that pickles (data, as families.base.PdfMake): names its process and whether
    that process ran _warm; `fail` raises instead; `padding` makes it large; with a `gate`
    (a file) it is made only once the file exists."""

    rel: str
    fail: bool = False
    padding: str = ""
    gate: str = ""

    def __call__(self, _w: Workshop) -> Made:
        if self.gate:
            _wait_until(Path(self.gate).exists)
        if self.fail:
            raise ValueError("broken page")
        return f"{self.rel} by {os.getpid()}; {';'.join(_WARMED)}".encode(), ()


def _sent_unit(rel: str, **kw: object) -> Unit:
    return Unit(rel, "test", rel, make=_PidMake(rel, **kw), cost=EARLY_COST)  # type: ignore[arg-type]


def test_a_unit_whose_make_pickles_goes_to_the_standby_which_imported_first() -> None:
    standby = Standby([_warm])
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    try:
        unit = _sent_unit("playbook.pdf")
        early.offer([unit])
        assert early.started(unit)
        made = early.take(unit)
        assert made is not None
        assert made[0] == f"playbook.pdf by {standby.pid}; warmed in {standby.pid}".encode()
        assert _WARMED == []  # the build's own process imported nothing
    finally:
        early.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(standby.pid, os.WNOHANG)  # reaped


def _collecting() -> None:
    _WARMED.append(f"collecting {gc.isenabled()}")


def test_the_standby_collects_though_forked_with_the_collector_off() -> None:
    # the console script's build forks it before the check, the collector off (entry.main)
    gc.disable()
    try:
        standby = Standby([_collecting])
    finally:
        gc.enable()
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    unit = _sent_unit("playbook.pdf")
    try:
        early.offer([unit])
        made = early.take(unit)
        assert made is not None and made[0].endswith(b"collecting True")
    finally:
        early.close()


def test_a_closure_goes_to_a_fork_and_the_unused_standby_is_stopped() -> None:
    standby = Standby([_warm])
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    unit = _pid_unit("playbook.pdf")  # its make is a closure: it does not pickle
    try:
        early.offer([unit])
        made = early.take(unit)
        assert made is not None and not made[0].endswith(f"by {standby.pid}".encode())
    finally:
        early.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(standby.pid, os.WNOHANG)  # killed and reaped though never used


def _wait_until(ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not ready():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)


def _busy_standby(gate: Path) -> tuple[Standby, EarlyStarts, Unit, Unit]:
    """A standby and its early starts, with two units: the first made once `gate` exists."""
    standby = Standby([_warm])
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    return standby, early, _sent_unit("a.pdf", gate=str(gate)), _sent_unit("b.pdf")


def test_a_unit_planned_while_the_standby_is_busy_goes_to_it_once_it_is_free(
    tmp_path: Path,
) -> None:
    gate = tmp_path / "gate"
    standby, early, first, second = _busy_standby(gate)
    try:
        early.offer([first])
        early.offer([second])
        assert early.started(first) and not early.started(second)  # the one slot is taken
        gate.touch()  # the first is made; nothing more is offered (the build plans on)
        _wait_until(lambda: early.started(second))  # sent as soon as the first's answer came
        for unit in (second, first):  # either order: the first's answer was read already
            made = early.take(unit)
            assert made is not None
            assert made[0] == f"{unit.rel} by {standby.pid}; warmed in {standby.pid}".encode()
    finally:
        early.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(standby.pid, os.WNOHANG)  # reaped


def test_a_waiting_closure_starts_on_a_fork_once_the_first_is_done() -> None:
    first, second = _pid_unit("a.pdf", EARLY_COST + 1), _pid_unit("b.pdf")
    early = EarlyStarts(1, stale=lambda _u: True)
    try:
        early.offer([first, second])  # the longest first
        assert early.started(first) and not early.started(second)
        fd = early._started[(first.rel, first.key)].fd
        _wait_until(lambda: bool(select.select([fd], [], [], 0)[0]))
        early.offer([])
        assert early.started(second)
        pids = set()
        for unit in (first, second):
            made = early.take(unit)
            assert made is not None and made[0].startswith(f"{unit.rel} by ".encode())
            pids.add(made[0].split(b" by ")[1])
        assert len(pids) == 2 and str(os.getpid()).encode() not in pids  # a fork each
    finally:
        early.close()


def test_a_short_unit_starts_early_on_the_standby_only() -> None:
    # a card costs less than a fork saves, but nothing on the standby, which is running
    card = Unit("card.pdf", "test", "card.pdf", make=_PidMake("card.pdf"), cost=EARLY_COST / 4)
    closure = _pid_unit("other.pdf", EARLY_COST / 4)
    without = EarlyStarts(1, stale=lambda _u: True)
    without.offer([card])
    assert not without.started(card)  # no standby: the stage makes it
    standby = Standby([_warm])
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    try:
        early.offer([closure, card])
        assert early.started(card) and not early.started(closure)  # the closure does not pickle
        made = early.take(card)
        assert made is not None and made[0].startswith(f"card.pdf by {standby.pid}".encode())
    finally:
        early.close()


def test_a_standby_killed_while_making_leaves_its_unit_to_the_stage(tmp_path: Path) -> None:
    gate = tmp_path / "gate"  # never opened: the standby is killed while it waits
    standby, early, first, second = _busy_standby(gate)
    closure = _pid_unit("c.pdf", EARLY_COST + 1)
    try:
        early.offer([first])
        assert early.started(first)
        os.kill(standby.pid, signal.SIGKILL)
        _wait_until(lambda: standby.finished)  # the watcher saw its pipe end
        early.offer([second, closure])  # the slot is free again: a fork takes the long closure
        assert early.started(closure) and not early.started(second)
        assert early.take(first) is None  # made again by the stage, which reports a fault
        made = early.take(closure)
        assert made is not None and made[0].startswith(b"c.pdf by ")
    finally:
        early.close()


def test_once_planned_the_waiting_units_go_to_the_standby_and_it_leaves(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    standby, early, first, second = _busy_standby(gate)
    closure = _pid_unit("c.pdf", EARLY_COST / 4)
    try:
        early.offer([first, second])
        early.planned()
        assert early.started(first) and early.started(second)  # the second waits for it
        gate.touch()
        stage = [first, second, closure]
        made = [m.data for m in run_stage(stage, InlineExecutor(), early=early)]
        assert sorted(made) == sorted(
            [
                f"a.pdf by {standby.pid}; warmed in {standby.pid}".encode(),
                f"b.pdf by {standby.pid}; warmed in {standby.pid}".encode(),
                f"c.pdf by {os.getpid()}".encode(),  # a closure: made by the stage, here
            ]
        )
        # nothing more to make: the standby left by itself once it had answered
        _, status = os.waitpid(standby.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        early.close()


def test_the_standbys_siblings_make_what_planning_left_and_what_the_stage_hands_over(
    tmp_path: Path,
) -> None:
    gate = tmp_path / "gate"
    standby = Standby([_warm], siblings=2)
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    first, second = _sent_unit("a.pdf", gate=str(gate)), _sent_unit("b.pdf", gate=str(gate))
    handed = _sent_unit("c.pdf", gate=str(gate))
    try:
        early.offer([first, second])
        assert early.started(first) and not early.started(second)  # one slot while planning
        early.planned()  # at once, on a sibling: the standby is busy
        early.adopt([handed])  # as the first stage hands its units over (run_stage)
        _wait_until(lambda: standby.siblings[1].busy)  # the third on the other sibling
        assert all(s.busy for s in [standby, *standby.siblings])
        gate.touch()
        stage = run_stage([first, second, handed], InlineExecutor(), early=early)
        made = sorted(m.data for m in stage)
        pids = {line.split(b" by ")[1].split(b";")[0] for line in made}
        assert len(pids) == 3 and str(standby.pid).encode() in pids
        assert str(os.getpid()).encode() not in pids
        # each imported nothing of its own: forked from the standby once it had
        assert all(line.endswith(f"; warmed in {standby.pid}".encode()) for line in made)
        _, status = os.waitpid(standby.pid, 0)  # leaves once its siblings have
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        early.close()


def test_waiting_units_go_to_the_stage_when_every_standby_died(tmp_path: Path) -> None:
    gate = tmp_path / "gate"  # never opened: the standby is killed while it waits
    standby, early, first, second = _busy_standby(gate)
    try:
        early.offer([first, second])
        early.planned()
        assert early.started(second)
        os.kill(standby.pid, signal.SIGKILL)
        assert early.take(second) is None  # the stage makes it, once the death is seen
        assert early.take(first) is None
        assert not early.started(second)
    finally:
        early.close()


def test_closing_stops_the_standby_and_its_siblings(tmp_path: Path) -> None:
    gate = tmp_path / "gate"  # never opened
    standby = Standby([_warm], siblings=1)
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    first, second = _sent_unit("a.pdf", gate=str(gate)), _sent_unit("b.pdf", gate=str(gate))
    early.offer([first, second])
    early.planned()
    listed = Path(f"/proc/{standby.pid}/task/{standby.pid}/children")
    _wait_until(lambda: bool(listed.read_text().split()))  # forked once its imports are done
    children = listed.read_text().split()
    assert len(children) == 1
    started = time.perf_counter()
    early.close()
    assert time.perf_counter() - started < 5
    _wait_until(lambda: not Path(f"/proc/{children[0]}").exists())


def test_the_build_does_not_wait_for_the_standby_to_read_a_large_job(tmp_path: Path) -> None:
    gate = tmp_path / "gate"

    def held() -> None:
        # the standby reads its job only after this: until the test opens the gate
        deadline = time.monotonic() + 20
        while not gate.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        _WARMED.append("gate open" if gate.exists() else "gave up")

    early = EarlyStarts(1, stale=lambda _u: True, standby=Standby([held]))
    unit = _sent_unit("playbook.pdf", padding="x" * 4_000_000)  # far past a pipe's 64 KB
    try:
        early.offer([unit])  # returns with the job still on its way
        started = time.monotonic()
        early.planned()  # nor does the end of planning: the job is sent whole on a thread
        assert time.monotonic() - started < 5
        gate.touch()
        made = early.take(unit)
        assert made is not None and made[0].endswith(b"gate open")
    finally:
        early.close()


def test_a_whole_build_on_two_cpus_has_a_standby_and_others_do_not(tmp_path: Path) -> None:
    ctx = Context(catalog=MINIMAL, as_of=DAY, out=tmp_path / "build", jobs=2)
    standby = _standby(ctx, [], partial=False, files=FileMemo())
    assert standby is not None
    standby.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(standby.pid, os.WNOHANG)
    assert (
        _standby(ctx, ["site", "reports"], partial=False, files=FileMemo()) is None
    )  # nothing long wanted
    decks = _standby(ctx, ["decks"], partial=False, files=FileMemo())
    assert decks is not None  # python-pptx imported while the catalog is checked
    decks.close()
    assert (
        _standby(ctx, [], partial=True, files=FileMemo()) is None
    )  # `salesplay kit`, serve's first pass
    assert _standby(replace(ctx, jobs=1), [], partial=False, files=FileMemo()) is None
    assert (
        _standby(replace(ctx, memo=Memo()), [], partial=False, files=FileMemo()) is None
    )  # serve's builder


def test_no_standby_when_only_what_the_long_units_ignore_changed(tmp_path: Path) -> None:
    # a partner's contact changes no playbook: a standby importing WeasyPrint on the other
    # CPU would only slow down the one kit's build
    root = tmp_path / "plays"
    shutil.copytree(MINIMAL, root)
    ctx = Context(catalog=root, as_of=DAY, out=tmp_path / "build", jobs=2)
    with contextlib.redirect_stderr(io.StringIO()):
        assert run_build(ctx, []) == 0

    def standby_after(edit: Path | None = None) -> bool:
        if edit is not None:
            edit.write_text(edit.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        files = Records.load(ctx.out).files
        tree_digest([root], files)
        standby = _standby(ctx, [], False, files)
        if standby is not None:
            standby.close()
        return standby is not None

    partner = next((root / "partners").glob("*.yaml"))
    play = next((root / "plays").glob("*.yaml"))
    as_built = play.read_text(encoding="utf-8")
    assert standby_after(play)
    play.write_text(as_built, encoding="utf-8")  # the bytes the build saw: no change
    assert not standby_after(partner)
    (root / "partners" / "new.yaml").write_text(partner.read_text(encoding="utf-8"))
    assert not standby_after()  # a partner added
    partner.unlink()
    assert not standby_after()  # one removed
    (root / "catalog.yaml").write_text(
        (root / "catalog.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    assert standby_after()  # and the config too


def test_a_pdf_units_make_pickles_to_an_equal_make() -> None:
    loc = Location(Path("plays/plays/x.yaml"), 3, 1)
    budget = PageBudget(("play", "x"), loc, 2, "battlecard", "shorten it", "de")
    job = RenderJob("<p>x</p>", "file:///t/index.html", (Path("/t"),), DAY, "X")
    make = PdfMake(job, Location(Path("build/x.pdf"), 0, 0), ("play", "x"), budget)
    assert pickle.loads(pickle.dumps(make)) == make


def test_forked_workers_freeze_what_they_inherit() -> None:
    def frozen(_w: Workshop) -> Made:
        return str(gc.get_freeze_count()).encode(), ()

    gc.unfreeze()  # whatever an earlier test in this process froze
    units = [Unit(f"{n}.pdf", "test", str(n), make=frozen) for n in range(2)]
    counts = [int(made[0]) for _i, made in ForkExecutor(2).run(units)]
    assert all(count > 1000 for count in counts)  # the parent's objects, not collected


def test_no_process_for_a_standby_leaves_long_units_to_forks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    ctx = Context(catalog=MINIMAL, as_of=DAY, out=tmp_path / "build", jobs=2)
    with monkeypatch.context() as patched:
        patched.setattr(os, "fork", no_fork)
        assert _standby(ctx, [], partial=False, files=FileMemo()) is None
    descriptors = len(os.listdir("/proc/self/fd"))
    with monkeypatch.context() as patched:
        patched.setattr(os, "fork", no_fork)
        with contextlib.suppress(OSError):
            Standby([])
    assert len(os.listdir("/proc/self/fd")) == descriptors  # its pipes closed again


def test_the_playbook_of_the_play_saved_last_is_planned_first(tmp_path: Path) -> None:
    # a play edit's playbook is the edit's longest document: planned (hence started) first,
    # before the other destinations' playbooks are rendered to key them
    root = tmp_path / "plays"
    shutil.copytree(SAMPLE, root)
    ctx = Context(catalog=root, as_of=DAY)
    cat = check_catalog(ctx)
    assert cat is not None
    internal = make_edition(cat, "internal")
    src = Sources(cat, {"internal": internal}, None, make_env(None), (), tmp_path / "build")

    def planned_after_saving(play: str) -> list[str]:
        later = max(f.stat().st_mtime_ns for f in root.rglob("*.yaml")) + 10**9
        os.utime(root / "plays" / f"{play}.yaml", ns=(later, later))
        return [u.rel for u in playbooks.plan(src)]

    both = ["playbooks/cyber-resilience.pdf", "playbooks/unified-hybrid-cloud.pdf"]
    assert planned_after_saving("clean-recovery") == both  # a cyber-resilience play
    assert planned_after_saving("cloud-cost-control") == both[::-1]  # a unified-hybrid-cloud one


def test_the_stages_other_units_get_the_cpus_the_standbys_leave(tmp_path: Path) -> None:
    # on two CPUs, two standbys making PDFs leave none: a unit whose make is a closure is
    # made in the build's own process, not on two more forked workers
    gate = tmp_path / "gate"
    standby = Standby([_warm], siblings=1)
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    pdfs = [_sent_unit("a.pdf", gate=str(gate)), _sent_unit("b.pdf", gate=str(gate))]
    decks = [_pid_unit("c.pptx", 0.1), _pid_unit("d.pptx", 0.1)]
    try:
        early.offer(pdfs)
        early.planned()
        assert early.occupied() == 2
        gate.touch()
        stage = run_stage([*pdfs, *decks], ForkExecutor(2), early=early)
        made = {m.unit.rel: m.data for m in stage}
        assert made["c.pptx"] == made["d.pptx"].replace(b"d.pptx", b"c.pptx")
        assert made["c.pptx"] == f"c.pptx by {os.getpid()}".encode()
        assert early.occupied() == 0
    finally:
        early.close()
    # with no early unit to make, the stage forks its workers as before
    idle = EarlyStarts(1, stale=lambda _u: True)
    made = {m.unit.rel: m.data for m in run_stage(decks, ForkExecutor(2), early=idle)}
    assert made["c.pptx"] != f"c.pptx by {os.getpid()}".encode()


def test_a_longer_rest_than_the_standbys_work_is_made_on_every_cpu(tmp_path: Path) -> None:
    # a card on the standby, and many decks: the decks get forked workers beside it
    gate = tmp_path / "gate"
    standby = Standby([_warm])
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    card = _sent_unit("a.pdf", gate=str(gate))
    decks = [_pid_unit(f"{n}.pptx", EARLY_COST) for n in range(4)]
    try:
        early.offer([card])
        early.planned()
        assert early.occupied() == 1 and early.work_left() == EARLY_COST
        gate.touch()
        made = {m.unit.rel: m.data for m in run_stage([card, *decks], ForkExecutor(2), early=early)}
        makers = {made[d.rel].split(b" by ")[1] for d in decks}
        assert str(os.getpid()).encode() not in makers
    finally:
        early.close()


def _unloadable() -> None:
    raise RuntimeError("cannot be loaded here")


@dataclass(frozen=True)
class _Unloadable:
    """A make that pickles but does not unpickle: the standby's own loop fails on it."""

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return _unloadable, ()

    def __call__(self, _w: Workshop) -> Made:
        return b"", ()


def test_a_standby_that_fails_is_seen_gone_while_its_sibling_still_works(tmp_path: Path) -> None:
    gate = tmp_path / "gate"  # never opened: the sibling is busy till the end
    standby = Standby([_warm], siblings=1)
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    busy = _sent_unit("a.pdf", gate=str(gate))
    bad = Unit("b.pdf", "test", "b.pdf", make=_Unloadable(), cost=EARLY_COST)  # type: ignore[arg-type]
    try:
        early.offer([bad])  # on the standby, while planning
        early.planned()
        early.adopt([busy])  # on its sibling
        _wait_until(lambda: standby.siblings[0].busy)
        started = time.monotonic()
        assert early.take(bad) is None  # made again by the stage, which reports its fault
        assert time.monotonic() - started < 10
    finally:
        early.close()


def test_units_of_a_killed_standby_are_made_again_on_every_cpu(tmp_path: Path) -> None:
    # its siblings die with it: what they held is made on forked workers, not one at a
    # time in the build's own process
    gate = tmp_path / "gate"  # opened once the standby is dead
    standby = Standby([_warm], siblings=1)
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    units = [_sent_unit(f"{n}.pdf", gate=str(gate)) for n in range(4)]
    try:
        early.offer(units[:1])
        early.planned()
        early.adopt(units)
        _wait_until(lambda: standby.siblings[0].busy)
        os.kill(standby.pid, signal.SIGKILL)
        # the sibling dies with it, but not at once: opened before, the gate would let it
        # make the units left, and a single unit left is made here, as a stage makes one
        _wait_until(lambda: all(s.finished for s in (standby, *standby.siblings)))
        gate.touch()
        made = [m.data for m in run_stage(units, ForkExecutor(2), early=early)]
        makers = {line.split(b" by ")[1].split(b";")[0] for line in made}
        assert len(made) == 4  # by the stage's forked workers, not here nor on the standby
        assert not makers & {str(os.getpid()).encode(), str(standby.pid).encode()}
    finally:
        early.close()


@dataclass(frozen=True)
class _CountedFail:
    """A make that pickles, notes each attempt in a file, and fails."""

    tally: str

    def __call__(self, _w: Workshop) -> Made:
        with open(self.tally, "a", encoding="utf-8") as tally:
            tally.write("made\n")
        raise ValueError("broken page")


def test_a_fault_on_the_standby_is_reported_without_making_it_again(tmp_path: Path) -> None:
    tally = tmp_path / "tally"
    unit = Unit("x.pdf", "test", "x", make=_CountedFail(str(tally)), subject=("play", "x"))  # type: ignore[arg-type]
    early = EarlyStarts(1, stale=lambda _u: True, standby=Standby([_warm]))
    try:
        early.planned()
        with pytest.raises(BuildFault, match="broken page") as caught:
            list(run_stage([unit], InlineExecutor(), early=early))
        assert caught.value.loc.file == Path("x.pdf") and caught.value.subject == ("play", "x")
        assert tally.read_text(encoding="utf-8") == "made\n"  # once, on the standby
    finally:
        early.close()


def test_what_a_later_stage_needs_first_goes_to_the_standby_before_longer_units(
    tmp_path: Path,
) -> None:
    gate = tmp_path / "gate"
    _, early, busy, longer = _busy_standby(gate)
    second_gate = tmp_path / "second"
    needed = Unit(
        "card.pdf", "test", "card", make=_PidMake("card.pdf", gate=str(second_gate)), cost=0.3
    )  # type: ignore[arg-type]
    try:
        early.offer([busy])  # the one slot while planning
        early.offer([longer])
        early.offer([needed], first=True)  # as the kits' plan offers its new cards
        gate.touch()
        # the standby is free again: the short unit the kits wait for goes first
        _wait_until(lambda: early.started(needed))
        assert not early.started(longer)
        second_gate.touch()
        assert early.take(needed) is not None
        _wait_until(lambda: early.started(longer))  # then the longer one
    finally:
        early.close()


def test_units_no_later_stage_needs_are_left_on_the_standby_and_collected_after(
    tmp_path: Path,
) -> None:
    gate = tmp_path / "gate"  # opened only after the stage has handed back the rest
    standby = Standby([_warm], siblings=1)
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    rep_card = _sent_unit("battlecards/a.pdf", gate=str(gate))
    partner_card = _sent_unit("partner-cards/gold/a.pdf")
    try:
        early.planned()
        deferred: list[Unit] = []
        stage = run_stage(
            [rep_card, partner_card],
            InlineExecutor(),
            early=early,
            later=lambda u: u is rep_card,
            deferred=deferred,
        )
        made = [m.unit.rel for m in stage]  # returns while the rep's card is still made
        assert made == ["partner-cards/gold/a.pdf"]
        assert deferred == [rep_card]
        assert not early.answered(deferred)
        gate.touch()
        _wait_until(lambda: early.answered(deferred))
        late = list(collect(deferred, early, InlineExecutor()))
        assert [m.data.split(b" by ")[0] for m in late] == [b"battlecards/a.pdf"]
        assert str(os.getpid()).encode() not in late[0].data  # made on the standby
    finally:
        early.close()


def _slow_reps_cards(
    monkeypatch: pytest.MonkeyPatch, fail: bool = False, gate: Path | None = None
) -> None:
    """The rep's battlecards take two seconds more on the standby (which is forked after
    this), or fail there, as a document WeasyPrint cannot lay out would. With a `gate`, they
    wait until it exists instead (a minute at most): a fixed delay was too little on a
    loaded machine (CI with another test beside it), where the kits' partner cards and
    bases were not ready before the card was, and nothing overlapped."""
    make = PdfMake.__call__

    def slow(self: PdfMake, workshop: Workshop) -> Made:
        if self.where.file.parent.name == "battlecards":
            if gate is None:
                time.sleep(2.0)
            else:
                deadline = time.monotonic() + 60
                while not gate.exists() and time.monotonic() < deadline:
                    time.sleep(0.01)
            if fail:
                raise BuildFault(self.where, "cannot lay out this page", self.subject)
        return make(self, workshop)

    monkeypatch.setattr(PdfMake, "__call__", slow)


def _all(project: Path, out: str = "build", clean: bool = False) -> tuple[int, str]:
    ctx = Context(catalog=project / "plays", as_of=DAY, out=project / out, jobs=2)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run_build(ctx, [], clean=clean)
    return code, err.getvalue()


def _files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).as_posix().startswith(".salesplay/")
    }


def _built_then_edited(tmp_path: Path) -> Path:
    """The minimal catalog built on two CPUs, then a play in every kit edited: the project."""
    project = tmp_path / "p"
    shutil.copytree(MINIMAL, project / "plays")
    assert _all(project)[0] == 0
    play = project / "plays" / "plays" / "backup-modernization.yaml"
    play.write_text(play.read_text().replace("off-site copies", "off-site, tested copies"))
    return project


def test_a_play_edit_makes_the_kits_while_the_reps_card_is_made_and_commits_them_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _built_then_edited(tmp_path)
    gate = tmp_path / "gate"  # opened by the first kit made: the card is still made then
    _slow_reps_cards(monkeypatch, gate=gate)
    # the edited play's playbook and deck are not in a kit either: with the card, three units
    # on two standbys, so the build may look while one still waits for a standby and then
    # wait for them all (a queue). The look waits here until the card's standby is the only
    # one still busy, as it is on a machine that is not loaded.
    running = EarlyStarts.running

    def all_running(self: EarlyStarts, units: list[Unit]) -> bool:
        deadline = time.monotonic() + 30
        while not running(self, units) and time.monotonic() < deadline:
            time.sleep(0.01)
        return running(self, units)

    monkeypatch.setattr(EarlyStarts, "running", all_running)
    events: list[str] = []
    held_until = outputs_module.held_until

    def noting(
        out: Path,
        made: Iterator[MadeOutput],
        ready: Callable[[], bool],
        first: Callable[[], None],
    ) -> Iterator[MadeOutput]:
        def written_first() -> None:
            events.append("first stage written")
            first()

        def kits() -> Iterator[MadeOutput]:
            for item in made:
                events.append(item.unit.rel)
                gate.touch()
                yield item

        return held_until(out, kits(), ready, written_first)

    monkeypatch.setattr(outputs_module, "held_until", noting)
    code, err = _all(project)
    assert code == 0, err
    # the kits were made while the rep's card was on the standby, and committed after it
    assert events[0].startswith("kits/") and "first stage written" in events
    page = project / "build" / "site" / "battlecards" / "backup-modernization.html"
    assert "off-site, tested copies" in page.read_text()
    monkeypatch.undo()
    assert _all(project, "clean", clean=True)[0] == 0
    assert _files(project / "build") == _files(project / "clean")


def test_a_play_edits_decks_are_made_on_the_standbys_with_its_cards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a deck's make pickles: the standbys, which imported python-pptx while the build
    # planned, make the edited play's decks with its cards, not the build's own process nor
    # workers forked for them (the partner decks go before the rep's card, which no kit
    # holds: test_only_a_few_units_go_first)
    project = _built_then_edited(tmp_path)
    log = tmp_path / "made.log"
    pdf_make, deck_make = PdfMake.__call__, DeckMake.__call__

    def noted(rel: str) -> None:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {rel}\n")

    def pdf(self: PdfMake, workshop: Workshop) -> Made:
        noted(self.where.file.as_posix())
        return pdf_make(self, workshop)

    def deck(self: DeckMake) -> Made:
        noted(f"{self.subject[1]} {self.title}")
        return deck_make(self)

    monkeypatch.setattr(PdfMake, "__call__", pdf)
    monkeypatch.setattr(DeckMake, "__call__", deck)
    code, err = _all(project)
    assert code == 0, err
    made = [line.split(" ", 1) for line in log.read_text(encoding="utf-8").splitlines()]
    decks = [(pid, what) for pid, what in made if not what.endswith(".pdf")]
    standbys = {pid for pid, what in made if what.endswith(".pdf")}
    assert decks and {pid for pid, _ in decks} <= standbys
    assert str(os.getpid()) not in standbys
    assert any("partner enablement" in what for _, what in decks)


def test_a_fault_in_the_reps_card_made_beside_the_kits_leaves_build_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _built_then_edited(tmp_path)
    before = _files(project / "build")
    _slow_reps_cards(monkeypatch, fail=True)
    code, err = _all(project)
    assert code == 1
    assert "build/battlecards/backup-modernization.pdf: error: cannot lay out this page" in err
    assert err.strip().endswith("build stopped: nothing was written")
    assert _files(project / "build") == before  # no kit committed, none staged left
    leftovers = [p for p in (project / "build").rglob("*.tmp")]
    assert leftovers == []


def test_a_queue_of_units_no_later_stage_needs_is_waited_for(tmp_path: Path) -> None:
    # a cold build's hundreds of cards: the next stage would run beside all of them, and
    # hold every kit until the last is made
    standby = Standby([_warm])  # no sibling: one unit at a time
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    needed = _sent_unit("partner-cards/gold/a.pdf")
    gate = tmp_path / "gate"  # the first of the rest is still made when the kits could start
    rest = [_sent_unit("battlecards/a.pdf", gate=str(gate))]
    rest += [_sent_unit(f"battlecards/{n}.pdf") for n in "bc"]
    opener = threading.Timer(2.0, gate.touch)
    opener.start()
    try:
        early.planned()
        deferred: list[Unit] = []
        stage = run_stage(
            [*rest, needed],
            InlineExecutor(),
            early=early,
            later=lambda u: u is not needed,
            deferred=deferred,
        )
        made = sorted(m.unit.rel for m in stage)
        assert made == sorted(u.rel for u in [*rest, needed])
        assert deferred == []
    finally:
        opener.join()
        early.close()


def test_only_a_few_units_go_first() -> None:
    standby = Standby([_warm], siblings=1)
    early = EarlyStarts(1, stale=lambda _u: True, standby=standby)
    few = [_sent_unit(f"few/{n}.pdf") for n in range(8)]  # four a standby
    many = [_sent_unit(f"many/{n}.pdf") for n in range(9)]
    try:
        early.offer(many, first=True)  # a cold build's partner cards: by length, as the rest
        early.offer(few, first=True)
        order = sorted([*few, *many], key=early._order)
        assert [u.rel for u in order[:8]] == [u.rel for u in few]
        assert all(early._order(u)[0] for u in many)
    finally:
        early.close()


def test_under_strict_a_warning_of_the_reps_card_stops_the_build_before_any_kit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --strict stops on the first stage's warnings before anything is written: the kits do
    # not start beside a document whose warning would stop the build
    project = _built_then_edited(tmp_path)
    before = _files(project / "build")
    make = PdfMake.__call__

    def warning(self: PdfMake, workshop: Workshop) -> Made:
        data, warnings = make(self, workshop)
        if self.where.file.parent.name == "battlecards":
            time.sleep(1.0)
            long = Diagnostic(self.where, Severity.WARNING, "runs to 3 pages", "budget")
            warnings = (*warnings, long)
        return data, warnings

    monkeypatch.setattr(PdfMake, "__call__", warning)
    made: list[str] = []
    held_until = outputs_module.held_until
    monkeypatch.setattr(
        outputs_module, "held_until", lambda *a: made.append("held") or held_until(*a)
    )
    ctx = Context(catalog=project / "plays", as_of=DAY, out=project / "build", jobs=2, strict=True)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run_build(ctx, [])
    assert code == 1
    assert "runs to 3 pages" in err.getvalue()
    assert "build stopped: nothing was written" in err.getvalue()
    assert made == []  # no kit was held beside the card
    assert _files(project / "build") == before

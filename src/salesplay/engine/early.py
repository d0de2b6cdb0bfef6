"""Long units started on their own forked process as soon as they are planned."""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import struct
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from salesplay.diagnostics import Location
from salesplay.engine.executor import make_one
from salesplay.engine.fork import die_with_parent, fork
from salesplay.engine.units import Result, Unit, Workshop
from salesplay.faults import BuildFault

#: a unit whose estimated cost (Unit.cost, about seconds) reaches this starts early: a
#: playbook of a few dozen pages, not a one-page card (its fork would cost more than it saves).
EARLY_COST = 2.0
#: units a later stage needs first, at most, per standby, that go before the others: a few
#: (an edited play's partner cards and partner decks, one of each per tier), not a cold
#: build's hundreds, whose longest documents start first so that none runs alone at the end.
FIRST_PER_STANDBY = 4
#: a frame's length, before a job sent to the standby and before each of its answers.
_LENGTH = struct.Struct("<Q")


@dataclass
class _Started:
    pid: int
    #: the read end of the pipe its result comes back on (the standby's is its own).
    fd: int
    #: a standby's job on its way to it (see Standby.send), joined before its answer is read.
    sending: threading.Thread | None = field(default=None, compare=False)
    #: the standby that makes it (its answer is one frame on the standby's pipe); None for
    #: a fork of its own (its answer runs to the end of its pipe).
    standby: Standby | None = field(default=None, compare=False)
    #: its pickled answer, once read (see EarlyStarts.collect).
    answer: bytes | None = field(default=None, compare=False)
    #: its unit's estimated cost (Unit.cost)
    cost: float = field(default=0.0, compare=False)


class Standby:
    """A process forked when a build starts, before the catalog is checked, that imports
    what long units need (WeasyPrint: 0.4 s) while the build checks and plans; a unit whose
    make pickles (a PDF's is data, families.base.PdfMake) is sent to it instead of to a
    process forked after planning, which would have to import it first.

    With `siblings`, that many more processes serve the same way, forked by the standby
    once its imports are done (each a handle in `self.siblings`): the first stage's PDFs
    that planning leaves are made on them all, and the build's own process never imports
    WeasyPrint (EarlyStarts.adopt). They live and die with the standby.

    Each makes the units it is sent one after the other, answering each; once the build
    closes its end of the job pipe (`finish`), it exits. Unused, it is killed (`close`).
    """

    def __init__(self, warms: Sequence[Callable[[], None]], siblings: int = 0) -> None:
        """Fork the standby and let it run `warms` (module-level functions that import),
        then fork its `siblings`."""
        pipes: list[tuple[int, int, int, int]] = []  # job read, job write, read, answer write
        try:
            for _ in range(1 + siblings):
                pipes.append((*os.pipe(), *os.pipe()))
            parent = os.getpid()
            pid = fork()
        except OSError:
            for fds in pipes:
                for fd in fds:
                    os.close(fd)
            raise
        if pid == 0:  # the child: warm, fork the siblings, make each unit sent, leave
            code = 0
            try:
                for _job_read, job_write, read, _answer_write in pipes:
                    os.close(job_write)
                    os.close(read)
                die_with_parent(parent)
                _serve_all(warms, [(fds[0], fds[3]) for fds in pipes])
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        for job_read, _job_write, _read, answer_write in pipes:
            os.close(job_read)
            os.close(answer_write)
        self._start(pid, pipes[0][1], pipes[0][2], owner=True)
        #: the processes the standby forked, which serve as it does (see the class)
        self.siblings = [Standby._sibling(pid, fds[1], fds[2]) for fds in pipes[1:]]

    @classmethod
    def _sibling(cls, pid: int, job_write: int, read: int) -> Standby:
        sibling = cls.__new__(cls)
        sibling._start(pid, job_write, read, owner=False)
        sibling.siblings = []
        return sibling

    def _start(self, pid: int, job_write: int, read: int, *, owner: bool) -> None:
        #: the standby's process (a sibling's is its standby's: they are stopped together)
        self.pid = pid
        self._owner = owner
        self._job_write, self._read = job_write, read
        #: a unit is on it, its answer not read yet
        self.busy = False
        #: no job is sent any more (finish, close, or it died)
        self.finished = False
        self._sending: threading.Thread | None = None
        self._closed = False
        self._jobs_open = True  # the write end of the job pipe
        self._jobs_lock = threading.Lock()

    def send(self, unit: Unit, payload: bytes | None = None) -> _Started | None:
        """Hand `unit` to the standby (`payload`: the unit pickled already): its _Started,
        or None when its make does not pickle (a closure) or the standby is busy or
        finished."""
        if self.busy or self.finished:
            return None
        if payload is None:
            payload = portable(unit)
            if payload is None:
                return None
        self.busy = True
        if self._sending is not None:
            self._sending.join()  # read whole before the answer before this one was written
        # written from a thread: the standby reads it only once its imports are done, and a
        # pipe holds 64 KB, so the build would otherwise wait for them
        frame = _LENGTH.pack(len(payload)) + payload
        self._sending = threading.Thread(
            target=_write_all, args=(self._job_write, frame), daemon=True
        )
        self._sending.start()
        return _Started(self.pid, self._read, self._sending, self)

    def answer(self) -> bytes:
        """The answer to the unit sent last, waiting for it (b"" when the standby died: it
        then takes no more units)."""
        try:
            (size,) = _LENGTH.unpack(_read_exactly(self._read, _LENGTH.size))
            found = _read_exactly(self._read, size)
        except (EOFError, OSError):
            self.finished, found = True, b""
        self.busy = False
        return found

    @property
    def fd(self) -> int:
        """The pipe its answers come on (readable once the unit sent last is made)."""
        return self._read

    def finish(self) -> None:
        """Send no more: the standby leaves once it has answered the unit it is making. Never
        waits: a job still on its way (the standby reads it once its imports are done) is
        written whole first, on a thread."""
        if self.finished:
            return
        self.finished = True
        sending = self._sending
        if sending is None or not sending.is_alive():
            self._close_jobs()
            return

        def close_once_sent() -> None:
            sending.join()
            self._close_jobs()

        threading.Thread(target=close_once_sent, daemon=True).start()

    def _close_jobs(self) -> None:
        with self._jobs_lock:
            if self._jobs_open:
                self._jobs_open = False
                os.close(self._job_write)

    def close(self) -> None:
        """Stop the standby, whatever it is doing, and reap it (its siblings die with it)."""
        if self._closed:
            return
        self._closed = True
        if self._owner:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        else:
            self.finish()  # its job pipe ends: it leaves, if its standby has not died yet
        if self._sending is not None:
            self._sending.join()  # its write fails once the standby is gone
        self.finished = True
        self._close_jobs()
        os.close(self._read)
        if self._owner:
            _reap(self.pid)


def portable(unit: Unit) -> bytes | None:
    """`unit` pickled, for a standby; None when its make does not pickle (a closure)."""
    try:
        return pickle.dumps(unit)
    except (pickle.PicklingError, AttributeError, TypeError):
        return None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except OSError:
        pass  # the standby died: it gives no answer, and the unit is made again


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the pipe closed before the whole frame came")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_to_end(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _serve_all(warms: Sequence[Callable[[], None]], pipes: Sequence[tuple[int, int]]) -> None:
    """The standby: import, fork a sibling for each job and answer pipe after the first,
    serve the first, and leave once the siblings have (they die with it)."""
    for warm in warms:
        with contextlib.suppress(Exception):  # the unit's make imports it again, and says why
            warm()
    # what it imported lives as long as it does: as in a worker forked after the imports
    # (die_with_parent), no collection scans it again and again while PDFs are made
    gc.freeze()
    standby = os.getpid()
    siblings = []
    for at, (job_fd, answer_fd) in enumerate(pipes[1:], start=1):
        try:
            pid = fork()
        except OSError:
            pid = -1  # no process to spare: its pipes close, and the build sees it gone
        if pid == 0:
            code = 0
            try:
                for other in (pipes[0], *pipes[at + 1 :]):  # those not closed here yet
                    for fd in other:
                        os.close(fd)
                die_with_parent(standby)
                _serve(job_fd, answer_fd)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(job_fd)
        os.close(answer_fd)
        if pid > 0:
            siblings.append(pid)
    try:
        _serve(*pipes[0])
    finally:
        # its pipes end first: the build sees it gone while it waits for its siblings
        for fd in pipes[0]:
            with contextlib.suppress(OSError):
                os.close(fd)
        for pid in siblings:
            _reap(pid)


def _serve(job_fd: int, answer_fd: int) -> None:
    workshop = Workshop()
    try:
        while True:
            try:
                (size,) = _LENGTH.unpack(_read_exactly(job_fd, _LENGTH.size))
            except EOFError:
                return  # the build sends no more
            unit = pickle.loads(_read_exactly(job_fd, size))  # from our own parent, never a file
            answer = pickle.dumps(_made(unit, workshop))
            _write_all(answer_fd, _LENGTH.pack(len(answer)) + answer)
    finally:
        workshop.close()


class _Fault(NamedTuple):
    """A located fault of an early make, as it travels back (a BuildFault may not pickle)."""

    file: str
    line: int
    col: int
    message: str
    kind: str
    eid: str

    def fault(self) -> BuildFault:
        subject = (self.kind, self.eid) if self.kind else None
        return BuildFault(Location(Path(self.file), self.line, self.col), self.message, subject)


def _made(unit: Unit, workshop: Workshop) -> Result | _Fault | None:
    """Make `unit`: its Result; its located fault, which the build reports without making
    it again; None when it failed otherwise (the build makes it again, which reports why)."""
    try:
        return make_one(unit, workshop)
    except BuildFault as fault:
        kind, eid = fault.subject or ("", "")
        loc = fault.loc
        return _Fault(str(loc.file), loc.line, loc.col, str(fault), kind, eid)
    except Exception:
        return None


class EarlyStarts:
    """Stale units started while the build plans the rest, so that the longest document of
    an edit (a playbook) does not wait for every family to be planned: a long unit on a
    process of its own or the standby, a short one (a card) on the standby only. A unit
    planned while every slot is taken waits for a slot freed while the build still plans:
    a thread reads the standbys' answers as they come and sends the next waiting unit; a
    fork's slot is seen free when the next unit is offered (forks are made by the build's
    own thread only).

    Once planning is over (`planned`), the units still waiting go to the standby and its
    siblings, all at once, as does every unit of the first stage that pickles (`adopt`):
    the build's own process then imports nothing for them, and its forked workers make
    only the rest. The standbys leave once nothing waits.

    Their bytes wait in memory until the build asks for them (`take`): nothing is written
    before every unit is planned, and a fault later in planning only stops them (`close`).
    A unit whose early make failed is reported as the stage would (its located fault comes
    back); one whose process died is made again on the stage's executor.
    The bytes are those the executor would make: the same make, forked from the same state.
    """

    def __init__(
        self, slots: int, stale: Callable[[Unit], bool], standby: Standby | None = None
    ) -> None:
        """`slots`: units made at once at most while the build plans (0: none, e.g. --jobs
        1); `stale`: whether a unit needs making at all; `standby`: a process with the
        imports done, for the units whose make pickles (it counts as one of the slots), and
        its siblings, used once planning is over."""
        self.slots = slots
        self.stale = stale
        self._pool = [] if standby is None else [standby, *standby.siblings]
        self._started: dict[tuple[str, str], _Started] = {}
        #: stale units not started yet, longest first: planned while every slot was taken,
        #: or handed over once planning was over
        self._waiting: list[Unit] = []
        self._queued: set[tuple[str, str]] = set()  # every unit ever waiting, by (rel, key)
        #: the units a later stage needs first, by (rel, key): they start before the others
        self._first: set[tuple[str, str]] = set()
        #: the waiting units pickled already, by (rel, key): those planning left, and those
        #: adopted (all of them once planning is over)
        self._payloads: dict[tuple[str, str], bytes] = {}
        self._planning = True
        #: adopt ran: the standbys leave once nothing waits
        self._last = False
        #: guards the above between the build's thread and the watcher; take waits on it
        self._lock = threading.Condition()
        self._watcher: threading.Thread | None = None
        self._wake = (-1, -1)  # a pipe that stops the watcher

    def offer(self, units: Sequence[Unit], *, first: bool = False) -> None:
        """Start the stale units among `units` that may start early while slots are free,
        longest first; the others wait for a slot. A long unit may start on a fork or the
        standby; a short one (a card) only on the standby, which costs no fork. `first`:
        a later stage needs them first (Preparation.soon), so they go before the others."""
        if self.slots < 1:
            return
        with self._lock:
            if first:
                self._put_first(units)
            for unit in units:
                if unit.make is None or unit.stage != 0 or unit.prepare is not None:
                    continue
                if unit.cost < EARLY_COST and not self._pool:
                    continue
                key = (unit.rel, unit.key)
                if key not in self._started and key not in self._queued and self.stale(unit):
                    self._waiting.append(unit)
                    self._queued.add(key)
            self._waiting.sort(key=self._order)
            self._start_waiting(forks=True)

    def _put_first(self, units: Sequence[Unit]) -> None:
        """Mark `units` to go first, if they are few (FIRST_PER_STANDBY; the lock held)."""
        if len(units) <= FIRST_PER_STANDBY * max(1, len(self._pool)):
            self._first.update((u.rel, u.key) for u in units)

    def _order(self, unit: Unit) -> tuple[bool, float, str]:
        """The order waiting units start in: what a later stage needs first, then the
        longest (the lock held)."""
        return ((unit.rel, unit.key) not in self._first, -unit.cost, unit.rel)

    def _free(self) -> Standby | None:
        """A standby with nothing to make, if one is."""
        return next((s for s in self._pool if not s.busy and not s.finished), None)

    def _start_waiting(self, forks: bool) -> None:
        """Start waiting units on the free slots (the lock held); `forks`: on forks too, which
        only the build's own thread makes (a fork copies only the thread that makes it)."""
        self._waiting_done()
        if not self._waiting:
            return
        for started in self._running():
            if started.standby is None and select.select([started.fd], [], [], 0)[0]:
                started.answer = _read_to_end(started.fd)  # its make is done: it is answering
                os.close(started.fd)
                _reap(started.pid)
        at = 0
        while at < len(self._waiting):
            if self._planning and len(self._running()) >= self.slots:
                break
            unit = self._waiting[at]
            key = (unit.rel, unit.key)
            standby = self._free()
            if standby is not None:
                sent = standby.send(unit, self._payloads.pop(key, None))
                if sent is not None:
                    del self._waiting[at]
                    sent.cost = unit.cost
                    self._started[key] = sent
                    self._watch()
                    continue
                if unit.cost < EARLY_COST:
                    self._waiting.pop(at)  # it does not pickle: only the stage can make it
                    continue
            if not self._planning:
                break  # every standby is busy (or gone): the next answer sends the next
            if unit.cost < EARLY_COST or not forks:
                at += 1  # waits for the standby, or for the build's thread to fork
                continue
            self._waiting.pop(at)
            if unit.warm is not None:
                unit.warm()  # imported once, here: the workers forked later inherit it too
            try:
                self._started[key] = replace(_start(unit), cost=unit.cost)
            except OSError:
                self._waiting.clear()  # no process to spare: the stage makes them
                return
        self._waiting_done()

    def _waiting_done(self) -> None:
        """Once adopt ran and nothing waits, the standbys leave after their last answer."""
        if self._last and not self._waiting:
            for standby in self._pool:
                standby.finish()

    def _watch(self) -> None:
        """Start the thread that reads the standbys' answers as they come (once)."""
        if self._watcher is not None:
            return
        self._wake = os.pipe()
        self._watcher = threading.Thread(target=self._watching, daemon=True)
        self._watcher.start()

    def _watching(self) -> None:
        gone: set[int] = set()  # the pipes of standbys that left or died
        while True:
            fds = [s.fd for s in self._pool if s.fd not in gone]
            readable, _, _ = select.select([*fds, self._wake[0]], [], [])
            if self._wake[0] in readable:
                return
            with self._lock:
                for standby in self._pool:
                    if standby.fd not in readable:
                        continue
                    running = [s for s in self._running() if s.standby is standby]
                    if not running:
                        # its pipe ended with nothing on it: it left, or died, and takes no more
                        standby.finished = True
                        gone.add(standby.fd)
                        continue
                    # the standby's make is done: its answer comes whole, at once
                    running[0].answer = standby.answer()
                self._start_waiting(forks=False)
                self._lock.notify_all()

    def _stop_watching(self) -> None:
        """Stop the watcher (the build is stopping: nothing more is read)."""
        watcher = self._watcher
        if watcher is None:
            return
        os.write(self._wake[1], b"x")
        watcher.join()
        for fd in self._wake:
            os.close(fd)
        self._watcher, self._wake = None, (-1, -1)

    def planned(self) -> None:
        """Planning is over: no unit starts on a fork of its own any more; those waiting
        that pickle go to every standby as each is free, the others to the stage."""
        with self._lock:
            self._planning = False
            kept = []
            for unit in self._waiting:
                key = (unit.rel, unit.key)
                payload = self._payloads.get(key) or (portable(unit) if self._pool else None)
                if payload is not None:
                    self._payloads[key] = payload
                    kept.append(unit)
            self._waiting = kept
            self._start_waiting(forks=False)

    def adopt(self, units: Sequence[Unit], first: Callable[[Unit], bool] | None = None) -> None:
        """The last units handed over (the first stage's, `units` in the order to make
        them): those not started that pickle go to the standbys too, while they live; the
        standbys leave once they have made them all. Those `first` names (what the next
        stage needs) start before the others."""
        with self._lock:
            self._planning = False
            self._last = True
            if first is not None:
                self._put_first([u for u in units if first(u)])
            if any(not s.finished for s in self._pool):
                for unit in units:
                    key = (unit.rel, unit.key)
                    if unit.make is None or unit.prepare is not None:
                        continue
                    if key in self._started or key in self._queued:
                        continue
                    payload = portable(unit)
                    if payload is not None:
                        self._payloads[key] = payload
                        self._waiting.append(unit)
                        self._queued.add(key)
            self._waiting.sort(key=self._order)
            self._start_waiting(forks=False)

    def occupied(self) -> int:
        """How many processes make early units now, or are about to: the forks and standbys
        with a unit on them, and the free standbys that units wait for."""
        with self._lock:
            running = self._running()
            busy = sum(1 for s in running if s.standby is None) + sum(s.busy for s in self._pool)
            free = sum(1 for s in self._pool if not s.busy and not s.finished)
            return busy + min(free, len(self._waiting))

    def work_left(self) -> float:
        """The estimated work (Unit.cost) of the early units not made yet."""
        with self._lock:
            return sum(s.cost for s in self._running()) + sum(u.cost for u in self._waiting)

    def started(self, unit: Unit) -> bool:
        """Whether `unit` was started early, or waits for a standby once planning is over
        (its bytes come from `take`)."""
        key = (unit.rel, unit.key)
        with self._lock:
            return key in self._started or (not self._planning and key in self._payloads)

    def running(self, units: Sequence[Unit]) -> bool:
        """Whether each of `units` is on a process now or made already: none waits for a
        standby to be free (so all are done within about one unit's time)."""
        with self._lock:
            return all((u.rel, u.key) in self._started for u in units)

    def answered(self, units: Sequence[Unit]) -> bool:
        """Whether `take` would have the bytes of every one of `units` without waiting for
        a make (or would find its process gone at once)."""
        with self._lock:
            for unit in units:
                key = (unit.rel, unit.key)
                started = self._started.get(key)
                if started is None:
                    if key in self._payloads and any(not s.finished for s in self._pool):
                        return False  # waits for a standby
                    continue
                if started.answer is not None:
                    continue  # read by the watcher (b"" from a standby that died)
                if started.standby is not None:
                    return False
                if not select.select([started.fd], [], [], 0)[0]:
                    return False  # its own fork is still making it
            return True

    def take(self, unit: Unit) -> Result | None:
        """The made bytes of an early unit, waiting for them; its located fault raised as a
        BuildFault; None when its process died (make it again) or it was not started."""
        key = (unit.rel, unit.key)
        with self._lock:
            while True:
                started = self._started.get(key)
                if started is None:
                    if key in self._payloads and any(not s.finished for s in self._pool):
                        self._lock.wait()  # waits for a standby
                        continue
                    if key in self._payloads:  # every standby died: the stage makes it
                        del self._payloads[key]
                        self._waiting = [u for u in self._waiting if (u.rel, u.key) != key]
                    return None
                if started.standby is None or started.answer is not None:
                    break
                if self._watcher is None:
                    break  # nothing reads its answer but this thread
                self._lock.wait()
            del self._started[key]
        if started.sending is not None:
            started.sending.join()
        payload = started.answer
        if payload is None and started.standby is not None:
            payload = started.standby.answer()
        elif payload is None:
            with os.fdopen(started.fd, "rb") as pipe:
                payload = pipe.read()
            _reap(started.pid)
        try:
            made = pickle.loads(payload)  # from our own fork, never from a file
        except Exception:  # a child that died before answering left nothing to load
            return None
        if isinstance(made, _Fault):
            raise made.fault()  # as the stage would report it, without rendering it again
        return made if isinstance(made, tuple) else None

    def close(self) -> None:
        """Stop every early unit not taken (a fault, Ctrl-C, or a build that wanted none)."""
        self._stop_watching()
        for started in self._running():
            if started.standby is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(started.pid, signal.SIGKILL)
                os.close(started.fd)
                _reap(started.pid)
        self._started.clear()
        self._waiting.clear()
        self._payloads.clear()
        for standby in self._pool:  # the standby first: its siblings die with it
            standby.close()

    def _running(self) -> list[_Started]:
        """The units started whose answer is not read yet."""
        return [s for s in self._started.values() if s.answer is None]


def _start(unit: Unit) -> _Started:
    read, write = os.pipe()
    parent = os.getpid()
    try:
        pid = fork()
    except OSError:
        os.close(read)
        os.close(write)
        raise
    if pid == 0:  # the child: make, answer, and leave without running the parent's exits
        code = 0
        try:
            os.close(read)
            die_with_parent(parent)
            workshop = Workshop()
            try:
                answer = pickle.dumps(_made(unit, workshop))
            finally:
                workshop.close()
            with os.fdopen(write, "wb") as pipe:
                pipe.write(answer)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    return _Started(pid, read)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)

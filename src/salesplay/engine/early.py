"""Long units started on their own forked process as soon as they are planned."""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from salesplay.engine.executor import make_one
from salesplay.engine.fork import die_with_parent, fork
from salesplay.engine.units import Result, Unit, Workshop

#: a unit whose estimated cost (Unit.cost, about seconds) reaches this starts early: a
#: playbook of a few dozen pages, not a one-page card (its fork would cost more than it saves).
EARLY_COST = 2.0


@dataclass
class _Started:
    pid: int
    #: the read end of the pipe its result comes back on.
    fd: int
    #: a standby's job on its way to it (see Standby.send), joined before its answer is read.
    sending: threading.Thread | None = field(default=None, compare=False)


class Standby:
    """A process forked when a build starts, before the catalog is checked, that imports
    what long units need (WeasyPrint: 0.4 s) while the build checks and plans; the first
    long unit whose make pickles (a PDF's is data, families.base.PdfMake) is sent to it
    instead of to a fork made after planning, which would have to import it first.

    It makes one unit and exits; unused, it is killed with the early starts (`close`).
    """

    def __init__(self, warms: Sequence[Callable[[], None]]) -> None:
        """Fork the standby and let it run `warms` (module-level functions that import)."""
        job_read, self._job_write = os.pipe()
        self._read, answer_write = os.pipe()
        parent = os.getpid()
        try:
            self.pid = fork()
        except OSError:
            for fd in (job_read, self._job_write, self._read, answer_write):
                os.close(fd)
            raise
        if self.pid == 0:  # the child: warm, wait for one unit, make it, answer, leave
            code = 0
            try:
                os.close(self._job_write)
                os.close(self._read)
                die_with_parent(parent)
                _serve_one(warms, job_read, answer_write)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(job_read)
        os.close(answer_write)
        self.used = False

    def send(self, unit: Unit) -> _Started | None:
        """Hand `unit` to the standby: its _Started, or None when its make does not pickle (a
        closure) or the standby is taken."""
        if self.used:
            return None
        try:
            payload = pickle.dumps(unit)
        except (pickle.PicklingError, AttributeError, TypeError):
            return None
        self.used = True
        # written from a thread: the standby reads it only once its imports are done, and a
        # pipe holds 64 KB, so the build would otherwise wait for them
        fd = self._job_write
        sending = threading.Thread(
            target=_write_all, args=(fd, struct.pack("<Q", len(payload)) + payload), daemon=True
        )
        sending.start()
        return _Started(self.pid, self._read, sending)

    def close(self) -> None:
        """Stop the standby if no unit was sent to it (the unit's _Started stops it otherwise)."""
        if not self.used:
            self.used = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.close(self._job_write)
            os.close(self._read)
            _reap(self.pid)


def _write_all(fd: int, data: bytes) -> None:
    try:
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
    except OSError:
        pass  # the standby died: it gives no answer, and the unit is made again


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the build closed the standby's pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _serve_one(warms: Sequence[Callable[[], None]], job_fd: int, answer_fd: int) -> None:
    for warm in warms:
        with contextlib.suppress(Exception):  # the unit's make imports it again, and says why
            warm()
    (size,) = struct.unpack("<Q", _read_exactly(job_fd, 8))
    unit = pickle.loads(_read_exactly(job_fd, size))  # from our own parent, never a file
    _answer(unit, answer_fd)


def _answer(unit: Unit, answer_fd: int) -> None:
    """Make `unit` and write its pickled Result (None when it failed: the build makes it
    again, which reports the fault) to `answer_fd`."""
    workshop = Workshop()
    try:
        made: Result | None = make_one(unit, workshop)
    except Exception:
        made = None
    finally:
        workshop.close()
    with os.fdopen(answer_fd, "wb") as pipe:
        pipe.write(pickle.dumps(made))


class EarlyStarts:
    """Stale units with long makes (playbooks), each started on a forked process of its own
    while the build plans the rest, so that the longest document of an edit does not wait
    for every family to be planned.

    Their bytes wait in memory until the build asks for them (`take`): nothing is written
    before every unit is planned, and a fault later in planning only stops them (`close`).
    A unit whose early make failed is made again the usual way, which reports the fault.
    The bytes are those the executor would make: the same make, forked from the same state.
    """

    def __init__(
        self, slots: int, stale: Callable[[Unit], bool], standby: Standby | None = None
    ) -> None:
        """`slots`: processes started at most (0: none, e.g. --jobs 1); `stale`: whether a
        unit needs making at all; `standby`: a process with the imports done, for the first
        unit whose make pickles (it counts as one of the slots)."""
        self.slots = slots
        self.stale = stale
        self.standby = standby
        self._started: dict[tuple[str, str], _Started] = {}

    def offer(self, units: Sequence[Unit]) -> None:
        """Start the long stale units among `units` while slots are free, longest first."""
        long = [
            u
            for u in units
            if u.make is not None and u.stage == 0 and u.prepare is None and u.cost >= EARLY_COST
        ]
        for unit in sorted(long, key=lambda u: (-u.cost, u.rel)):
            if len(self._started) >= self.slots:
                return
            if (unit.rel, unit.key) not in self._started and self.stale(unit):
                sent = self.standby.send(unit) if self.standby is not None else None
                if sent is not None:
                    # the stage imports what the workers need, after the planning
                    self._started[(unit.rel, unit.key)] = sent
                    continue
                if unit.warm is not None:
                    unit.warm()  # imported once, here: the workers forked later inherit it too
                try:
                    self._started[(unit.rel, unit.key)] = _start(unit)
                except OSError:
                    return  # no process to spare (EAGAIN, ENOMEM): the stage makes it

    def started(self, unit: Unit) -> bool:
        """Whether `unit` was started early (its bytes come from `take`)."""
        return (unit.rel, unit.key) in self._started

    def take(self, unit: Unit) -> Result | None:
        """The made bytes of an early unit, waiting for them; None when it failed (make it
        again to report why) or was not started."""
        started = self._started.pop((unit.rel, unit.key), None)
        if started is None:
            return None
        if started.sending is not None:
            started.sending.join()
        with os.fdopen(started.fd, "rb") as pipe:
            payload = pipe.read()
        _reap(started.pid)
        try:
            made = pickle.loads(payload)  # from our own fork, never from a file
        except Exception:  # a child that died before answering left nothing to load
            return None
        return made if isinstance(made, tuple) else None

    def close(self) -> None:
        """Stop every early unit not taken (a fault, Ctrl-C, or a build that wanted none)."""
        for started in self._started.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(started.pid, signal.SIGKILL)
            if started.sending is not None:
                started.sending.join()  # its write fails once the standby is gone
            os.close(started.fd)
            _reap(started.pid)
        self._started.clear()
        if self.standby is not None:
            self.standby.close()


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
            _answer(unit, write)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    return _Started(pid, read)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)

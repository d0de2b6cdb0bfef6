"""Long units started on their own forked process as soon as they are planned."""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from salesplay.engine.executor import make_one
from salesplay.engine.fork import die_with_parent
from salesplay.engine.units import Made, Unit, Workshop

#: a unit whose estimated cost (Unit.cost, about seconds) reaches this starts early: a
#: playbook of a few dozen pages, not a one-page card (its fork would cost more than it saves).
EARLY_COST = 2.0


@dataclass
class _Started:
    pid: int
    #: the read end of the pipe its result comes back on.
    fd: int


class EarlyStarts:
    """Stale units with long makes (playbooks), each started on a forked process of its own
    while the build plans the rest, so that the longest document of an edit does not wait
    for every family to be planned.

    Their bytes wait in memory until the build asks for them (`take`): nothing is written
    before every unit is planned, and a fault later in planning only stops them (`close`).
    A unit whose early make failed is made again the usual way, which reports the fault.
    The bytes are those the executor would make: the same make, forked from the same state.
    """

    def __init__(self, slots: int, stale: Callable[[Unit], bool]) -> None:
        """`slots`: processes started at most (0: none, e.g. --jobs 1); `stale`: whether a
        unit needs making at all."""
        self.slots = slots
        self.stale = stale
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
                if unit.warm is not None:
                    unit.warm()  # imported once, here: the workers forked later inherit it too
                try:
                    self._started[(unit.rel, unit.key)] = _start(unit)
                except OSError:
                    return  # no process to spare (EAGAIN, ENOMEM): the stage makes it

    def started(self, unit: Unit) -> bool:
        """Whether `unit` was started early (its bytes come from `take`)."""
        return (unit.rel, unit.key) in self._started

    def take(self, unit: Unit) -> Made | None:
        """The made bytes of an early unit, waiting for them; None when it failed (make it
        again to report why) or was not started."""
        started = self._started.pop((unit.rel, unit.key), None)
        if started is None:
            return None
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
            os.close(started.fd)
            _reap(started.pid)
        self._started.clear()


def _start(unit: Unit) -> _Started:
    read, write = os.pipe()
    parent = os.getpid()
    try:
        pid = os.fork()
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
                made: Made | None = make_one(unit, workshop)
            except Exception:
                made = None  # made again by the build, which reports the fault
            finally:
                workshop.close()
            with os.fdopen(write, "wb") as pipe:
                pipe.write(pickle.dumps(made))
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    return _Started(pid, read)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)

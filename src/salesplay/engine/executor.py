"""Run units' make on forked workers or in-process, behind one small interface."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from pathlib import Path
from typing import Protocol

from salesplay.diagnostics import Location
from salesplay.engine.units import Result, Sink, Unit, Workshop
from salesplay.faults import BuildFault

#: a fault sent back from a worker: (file, line, col, message, subject kind, subject id).
_Failure = tuple[str, int, int, str, str, str]


class Executor(Protocol):
    """Makes units and yields (index, made) as each finishes, in any order.

    Faults come out as located BuildFaults. Output bytes never depend on the executor:
    the caller orders results by index. With a `sink`, each output's bytes go through it
    where the output was made, and what it answers comes back instead. A distributed
    engine can stand in for this (its sink writes to the build folder it shares).
    """

    def run(
        self, units: Sequence[Unit], sink: Sink | None = None
    ) -> Iterator[tuple[int, Result]]: ...


def make_one(unit: Unit, workshop: Workshop, sink: Sink | None = None) -> Result:
    """A unit's bytes (or the sink's answer), warnings and what its make keeps; any fault a
    BuildFault located at the unit's output."""
    try:
        workshop.take_kept()  # nothing a failed make asked for is kept with this one
        data, warnings = (unit.data or b"", ()) if unit.make is None else unit.make(workshop)
        return (data if sink is None else sink(unit, data)), warnings, workshop.take_kept()
    except BuildFault:
        raise
    except Exception as exc:
        raise BuildFault.of(exc, Path(unit.rel), unit.subject) from None


class InlineExecutor:
    """Everything in this process, in order (`--jobs 1`, or a single unit)."""

    def run(self, units: Sequence[Unit], sink: Sink | None = None) -> Iterator[tuple[int, Result]]:
        workshop = Workshop()
        try:
            for index, unit in enumerate(units):
                yield index, make_one(unit, workshop, sink)
        finally:
            workshop.close()


class ForkExecutor:
    """`jobs` forked workers sharing the parent's memory; only indexes and results travel.

    Workers die with the parent and never write: results come back as bytes (with the
    cache files a make keeps, which the build writes with the output).
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    def run(self, units: Sequence[Unit], sink: Sink | None = None) -> Iterator[tuple[int, Result]]:
        if self.jobs <= 1 or len(units) <= 1:
            yield from InlineExecutor().run(units, sink)
            return
        from salesplay.engine.fork import WorkerError, forked_map

        factory = _task_factory(units, sink)
        try:
            with closing(forked_map(factory, len(units), self.jobs)) as results:
                for index, (made, failure) in results:
                    if failure is not None:
                        file, line, col, message, kind, eid = failure
                        subject = (kind, eid) if kind else None
                        raise BuildFault(Location(Path(file), line, col), message, subject)
                    yield index, made
        except WorkerError as exc:
            where = units[exc.index].rel if exc.index is not None else "build"
            raise BuildFault(Location(Path(where), 0, 0), f"cannot make it: {exc}") from None


_Task = Callable[[int], tuple[Result, _Failure | None]]


def _task_factory(
    units: Sequence[Unit], sink: Sink | None
) -> Callable[[], AbstractContextManager[_Task]]:
    @contextmanager
    def factory() -> Iterator[_Task]:
        workshop = Workshop()

        def task(index: int) -> tuple[Result, _Failure | None]:
            try:
                return make_one(units[index], workshop, sink), None
            except BuildFault as fault:
                kind, eid = fault.subject or ("", "")
                loc = fault.loc
                return (b"", (), ()), (str(loc.file), loc.line, loc.col, str(fault), kind, eid)

        try:
            yield task
        finally:
            workshop.close()

    return factory


def executor_for(jobs: int) -> Executor:
    """The executor a build uses for `--jobs`."""
    return ForkExecutor(jobs) if jobs > 1 else InlineExecutor()

"""Decide which units are out of date, make them on the executor, and hand back their bytes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from salesplay.diagnostics import Diagnostic, Location
from salesplay.engine.early import EarlyStarts
from salesplay.engine.executor import Executor, ForkExecutor, executor_for
from salesplay.engine.records import Records
from salesplay.engine.units import Kept, Preparation, Sink, Unit, largest_first
from salesplay.faults import BuildFault


@dataclass
class Plan:
    """Every unit of a build, one per output path, split into fresh and stale."""

    units: list[Unit]
    stale: list[Unit] = field(default_factory=list)
    fresh: list[Unit] = field(default_factory=list)


def merge(units: Sequence[Unit]) -> list[Unit]:
    """One unit per output path: the same output planned twice (site assets that the site and
    the matrix both use) is made once; two different outputs for one path are a fault."""
    seen: dict[str, Unit] = {}
    for unit in units:
        first = seen.get(unit.rel)
        if first is None:
            seen[unit.rel] = unit
        elif first.key != unit.key:
            raise BuildFault(
                Location(Path(unit.rel), 0, 0),
                f"two different outputs for one path (families '{first.family}' and"
                f" '{unit.family}')",
            )
        elif not unit.planners <= first.planners:
            seen[unit.rel] = replace(first, planners=first.planners | unit.planners)
    return [seen[rel] for rel in sorted(seen)]


def split(units: Sequence[Unit], records: Records, out: Path, *, clean: bool) -> Plan:
    """Stale: never made, made from other inputs, or changed on disk since; fresh: the rest."""
    plan = Plan(list(units))
    for unit in plan.units:
        if not clean and records.fresh(out, unit.rel, unit.key):
            plan.fresh.append(unit)
        else:
            plan.stale.append(unit)
    return plan


def preparations(stale: Sequence[Unit]) -> dict[Preparation, list[Unit]]:
    """Each preparation of the stale units, with the units that share it, in plan order."""
    found: dict[Preparation, list[Unit]] = {}
    for unit in stale:
        if unit.prepare is not None:
            found.setdefault(unit.prepare, []).append(unit)
    return found


@dataclass(frozen=True)
class Made:
    """A made output: its unit, its bytes, its warnings and the cache files it keeps."""

    unit: Unit
    data: bytes
    warnings: tuple[Diagnostic, ...]
    kept: tuple[Kept, ...] = ()


def making_order(stale: Sequence[Unit]) -> list[Unit]:
    """The units of `stale` that are made (not data), in the order run_stage hands them to
    its executor."""
    return largest_first([u for u in stale if u.make is not None])


def _beside(executor: ForkExecutor, early: EarlyStarts, rest: Sequence[Unit]) -> Executor:
    """The executor for what `early` does not make: the CPUs its processes leave (this
    process when they take them all), while they are busy at least as long as the rest
    would take there; else all of them, beside the early ones."""
    busy = early.occupied()
    if not busy:
        return executor
    left = max(1, executor.jobs - busy)
    if sum(u.cost for u in rest) / left > early.work_left() / busy:
        return executor  # the rest (many decks) is the longer part: every CPU takes it
    return executor_for(left)


def run_stage(
    stale: Sequence[Unit],
    executor: Executor,
    on_done: Callable[[Unit], None] = lambda _u: None,
    early: EarlyStarts | None = None,
    sink: Sink | None = None,
    later: Callable[[Unit], bool] | None = None,
    deferred: list[Unit] | None = None,
) -> Iterator[Made]:
    """Make the stale units of one stage (and what later stages need made ahead, see
    Preparation); light ones first, heavy ones on the executor, and last the bytes of those
    `early` started while the build was planning or made on its standbys meanwhile (a
    located fault of theirs is raised as the executor's are; those whose process died are
    made again on the executor).

    Results come in completion order; callers that hold them sort by path, so the bytes of
    a build never depend on `--jobs`. With a `sink`, every output's bytes go through it
    where they were made (see Executor), and Made holds its answer.

    With `deferred`, the units on the standbys that `later` allows are not waited for once
    the others are in, if every one of them is being made already (none queued): they go
    on `deferred`, for `collect` once the next stage is under way (the rep's battlecard,
    which no kit holds, while the kits are made). The standbys take the others first.
    """
    for unit in stale:
        if unit.make is None:
            data = unit.data or b""
            on_done(unit)
            yield Made(unit, data if sink is None else sink(unit, data), ())
    heavy = making_order(stale)
    may_wait = later if later is not None and deferred is not None else None
    if early is not None:
        # what pickles goes to the standbys, which imported already; what the next stage
        # needs first goes first
        early.adopt(heavy, first=None if may_wait is None else lambda u: not may_wait(u))
    started = [u for u in heavy if early is not None and early.started(u)]
    taken = {id(u) for u in started}
    heavy = [u for u in heavy if id(u) not in taken]
    every = executor
    if early is not None and isinstance(executor, ForkExecutor):
        executor = _beside(executor, early, heavy)
    yield from _made_on(executor, heavy, on_done, sink)
    if early is None:
        return
    if may_wait is not None and deferred is not None:
        rest = [u for u in started if may_wait(u)]
        yield from collect([u for u in started if not may_wait(u)], early, every, on_done, sink)
        if early.running(rest):
            deferred += rest  # on the standbys already, none queued: the next stage starts
            return
        started = rest  # a queue (a cold build's cards): the next stage waits for it all
    yield from collect(started, early, every, on_done, sink)


def collect(
    started: Sequence[Unit],
    early: EarlyStarts,
    executor: Executor,
    on_done: Callable[[Unit], None] = lambda _u: None,
    sink: Sink | None = None,
) -> Iterator[Made]:
    """The bytes of units `early` made (run_stage), waiting for each; those whose process
    died are made again on `executor`."""
    again = []  # their process died (a standby killed): made again, on every CPU
    for unit in started:
        made = early.take(unit)
        if made is None:
            again.append(unit)
            continue
        if sink is not None:
            made = sink(unit, made[0]), made[1], made[2]
        on_done(unit)
        yield Made(unit, *made)
    if again:
        yield from _made_on(executor, again, on_done, sink)


def _made_on(
    executor: Executor, units: Sequence[Unit], on_done: Callable[[Unit], None], sink: Sink | None
) -> Iterator[Made]:
    for warm in dict.fromkeys(u.warm for u in units if u.warm is not None):
        warm()
    for index, (data, warnings, kept) in executor.run(units, sink):
        on_done(units[index])
        yield Made(units[index], data, warnings, kept)

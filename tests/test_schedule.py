"""The scheduler starts the largest work first; results never depend on the order of work."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from salesplay.engine.executor import ForkExecutor, InlineExecutor
from salesplay.engine.schedule import run_stage
from salesplay.engine.units import Made, Result, Sink, Unit, Workshop, largest_first


def _unit(rel: str, cost: float) -> Unit:
    def make(_w: Workshop) -> Made:
        return rel.encode(), ()

    return Unit(rel, "test", rel, make=make, cost=cost)


class _Recording:
    """An executor that notes the order it was given the units in."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def run(self, units: Sequence[Unit], sink: Sink | None = None) -> Iterator[tuple[int, Result]]:
        self.order = [u.rel for u in units]
        # finish in reverse, as a real pool may
        made = list(InlineExecutor().run(units, sink))
        yield from reversed(made)


def test_the_largest_unit_starts_first_and_equal_costs_go_by_path() -> None:
    units = [_unit("a.pdf", 0.5), _unit("playbook.pdf", 3.0), _unit("c.pdf", 0.5)]
    units.append(Unit("page.html", "test", "k", data=b"x"))
    executor = _Recording()
    made = sorted(run_stage(units, executor), key=lambda m: m.unit.rel)
    assert executor.order == ["playbook.pdf", "a.pdf", "c.pdf"]
    assert [(m.unit.rel, m.data) for m in made] == [
        ("a.pdf", b"a.pdf"),
        ("c.pdf", b"c.pdf"),
        ("page.html", b"x"),
        ("playbook.pdf", b"playbook.pdf"),
    ]


def test_largest_first_keeps_every_unit() -> None:
    units = [_unit(f"{n}.pdf", n % 3) for n in range(10)]
    ordered = largest_first(units)
    assert sorted(u.rel for u in ordered) == sorted(u.rel for u in units)
    assert [u.cost for u in ordered] == sorted((u.cost for u in units), reverse=True)


def test_a_sink_runs_where_each_unit_is_made_and_its_answer_travels_back() -> None:
    parent = os.getpid()
    units = [_unit(f"kits/{n}.zip", 1.0) for n in "abcd"]
    light = Unit("kits/light.zip", "test", "light", data=b"inline")

    def sink(unit: Unit, data: bytes) -> bytes:
        return f"{unit.rel}={len(data)}@{os.getpid()}".encode()

    for executor in (InlineExecutor(), ForkExecutor(2)):
        made = {
            m.unit.rel: m.data.decode() for m in run_stage([*units, light], executor, sink=sink)
        }
        assert sorted(made) == sorted(u.rel for u in [*units, light])
        for rel, answer in made.items():
            what, _, pid = answer.rpartition("@")
            size = len(b"inline") if rel == light.rel else len(rel.encode())
            assert what == f"{rel}={size}"
            # the forked workers answer for the heavy units; the parent for the light one
            forked = isinstance(executor, ForkExecutor) and rel != light.rel
            assert (int(pid) != parent) is forked, rel

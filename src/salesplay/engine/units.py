"""Work units: one output each, the key of what it is made from, and how to make it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from salesplay.diagnostics import Diagnostic
from salesplay.faults import Subject

if TYPE_CHECKING:
    from salesplay.engine.executor import Executor


class Workshop:
    """Per-process tools a unit's make may use, made on first use and closed at the end.

    A forked worker has its own; in-process runs share one. Tools are looked up by name
    with the factory that makes them, so the engine knows no format.
    """

    def __init__(self) -> None:
        self._tools: dict[str, Any] = {}

    def tool(self, name: str, factory: Callable[[], Any]) -> Any:
        """The process's tool `name`, made by `factory` the first time."""
        if name not in self._tools:
            self._tools[name] = factory()
        return self._tools[name]

    def close(self) -> None:
        for tool in reversed(list(self._tools.values())):
            close = getattr(tool, "close", None)
            if callable(close):
                close()
        self._tools.clear()


#: what a unit makes: the output's bytes and located warnings (e.g. a refused resource).
Made = tuple[bytes, tuple[Diagnostic, ...]]


@dataclass(frozen=True)
class Unit:
    """One output of one family.

    `key` names everything the output is made from (catalog data as rendered, templates,
    assets, fonts, the as-of date where used, salesplay's own code), so an output whose
    recorded key matches is not made again. Light units carry their bytes (`data`); heavy
    ones carry `make`, run on the executor.
    """

    rel: str
    family: str
    key: str
    data: bytes | None = None
    make: Callable[[Workshop], Made] | None = field(default=None, compare=False)
    #: the entity the output is about, for located diagnostics.
    subject: Subject | None = None
    #: run in the parent before forking (imports a heavy engine once for every worker).
    warm: Callable[[], None] | None = field(default=None, compare=False)
    #: units of a later stage run after every earlier one is made (kits after cards).
    stage: int = 0
    #: called in the parent, once, with the stale units that share it and the executor,
    #: before they are made (kits: the partner cards those kits need).
    prepare: Callable[[Sequence[Unit], Executor], None] | None = field(default=None, compare=False)
    #: a rough estimate of the work of `make` (about seconds); the scheduler starts the
    #: largest first so that one long document does not run alone at the end.
    cost: float = field(default=1.0, compare=False)


def largest_first(units: Sequence[Unit]) -> list[Unit]:
    """The units in the order to start them: largest estimated cost first, then by path.

    Only the order of work changes with it, never the bytes: results are sorted by path.
    """
    return sorted(units, key=lambda u: (-u.cost, u.rel))

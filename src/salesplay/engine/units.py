"""Work units: one output each, the key of what it is made from, and how to make it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from salesplay.diagnostics import Diagnostic
from salesplay.faults import Subject


class Workshop:
    """Per-process tools a unit's make may use, made on first use and closed at the end.

    A forked worker has its own; in-process runs share one. Tools are looked up by name
    with the factory that makes them, so the engine knows no format.
    """

    def __init__(self) -> None:
        self._tools: dict[str, Any] = {}
        self._kept: list[Kept] = []

    def tool(self, name: str, factory: Callable[[], Any]) -> Any:
        """The process's tool `name`, made by `factory` the first time."""
        if name not in self._tools:
            self._tools[name] = factory()
        return self._tools[name]

    def keep(self, kept: Kept) -> None:
        """Ask the build to keep `kept` with the output being made (see Kept)."""
        self._kept.append(kept)

    def take_kept(self) -> tuple[Kept, ...]:
        """What the make that just ran asked to keep; none is left for the next one."""
        kept, self._kept = tuple(self._kept), []
        return kept

    def close(self) -> None:
        for tool in reversed(list(self._tools.values())):
            close = getattr(tool, "close", None)
            if callable(close):
                close()
        self._tools.clear()


#: what a unit makes: the output's bytes and located warnings (e.g. a refused resource).
Made = tuple[bytes, tuple[Diagnostic, ...]]


@dataclass(frozen=True)
class Kept:
    """Cache files a make keeps between builds for its output (a playbook's rendered
    chapters): they travel back with the output's bytes (or, staged, their names) and the
    build writes them once every output is written for good, never the worker, so that a
    build that stops (a fault in any stage, a warning under --strict) leaves build/ as it
    was.

    Every cache file whose name starts with `prefix` is this output's: after `files` are
    written, those of them not in `used` are removed (none when `prefix` is empty)."""

    prefix: str
    #: (name under build/, bytes) of the files made anew
    files: tuple[tuple[str, bytes], ...]
    #: every file the make used: those it read and those it made
    used: frozenset[str]
    #: (name under build/, its temporary file beside it) of files the make staged where it
    #: ran (a kit's band file, on its worker: cachefiles.stage_blobs), renamed in place by
    #: the build; one it does not keep is swept as a killed write's
    staged: tuple[tuple[str, str], ...] = ()


#: what an executor hands back for a unit: what its make made, and what it keeps (Kept).
Result = tuple[bytes, tuple[Diagnostic, ...], tuple[Kept, ...]]

#: What a stage may have done with each output where it is made, before anything travels
#: back: given the unit and its bytes, it answers small bytes that travel instead (the kits
#: are staged beside their files by the worker that made them; see outputs.stage_file).
Sink = Callable[["Unit", bytes], bytes]


class Preparation(Protocol):
    """What the units of a later stage share and need made first (kits: their tier's
    partner cards and decks, and the partners' bands).

    `ahead` runs in the parent once every unit is planned and names the units to make
    first: they are made on the same workers as the first stage, so no core waits for the
    last document of one stage before the next starts. `prepare` runs in the parent
    before the later stage, with their bytes; what it finds it needs only once they are
    in (the co-brand bases of decks made ahead) it has made with `run`, on the same
    workers, rather than alone in the parent while they wait. `ahead` writes no output (a
    cache entry at most): a fault in the first stage leaves the outputs as they were.
    """

    def ahead(self, stale: Sequence[Unit]) -> Sequence[Unit]: ...

    def soon(self) -> Sequence[Unit]:
        """The units `ahead` will most likely name, known once this preparation's units are
        planned: offered to start early (engine.early) while the other families are
        planned, so that the later stage need not wait for them behind the first stage's
        other documents. `ahead` takes those it names from there; one it does not name is
        made for nothing and never used."""
        ...

    def warnings(self) -> Sequence[Diagnostic]:
        """Warnings of what the stale units will hold that `ahead` found made already (in a
        cache): with the first stage's own, they stop a --strict build before writing."""
        ...

    def prepare(
        self,
        stale: Sequence[Unit],
        made: Mapping[Unit, bytes],
        run: Callable[[Sequence[Unit]], Mapping[Unit, bytes]],
        warned: Mapping[Unit, tuple[Diagnostic, ...]],
    ) -> None: ...


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
    #: what the stale units of a later stage that share it need made first (see Preparation).
    prepare: Preparation | None = field(default=None, compare=False)
    #: a rough estimate of the work of `make` (about seconds); the scheduler starts the
    #: largest first so that one long document does not run alone at the end.
    cost: float = field(default=1.0, compare=False)
    #: the families whose plan holds this output (the site's assets: the site, the matrix
    #: and the competitor pages); empty: its own family's. A build that plans all of them
    #: and none makes it any more removes it (outputs.prune).
    planners: frozenset[str] = field(default=frozenset(), compare=False)


def largest_first(units: Sequence[Unit]) -> list[Unit]:
    """The units in the order to start them: largest estimated cost first, then by path.

    Only the order of work changes with it, never the bytes: results are sorted by path.
    """
    return sorted(units, key=lambda u: (-u.cost, u.rel))

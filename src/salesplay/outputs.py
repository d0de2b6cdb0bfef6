"""A build's outputs under --out: written as made, listed, removed once no family makes them."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from salesplay import families, interrupts, jsonfile

if TYPE_CHECKING:
    from salesplay.engine.schedule import Made
    from salesplay.engine.units import Unit


def kind_of(rel: str) -> str:
    """The name of the family that owns output path `rel` ("" when none does)."""
    fam = families.owner(rel)
    return fam.name if fam else ""


#: outputs written at once, and made outputs waiting for a writer (2 MB each for kits).
WRITERS = 3
WAITING = 6


class Journal:
    """What a build replaced under --out, kept until it has written everything: a fault in
    any stage (the 500th kit on a full disk, Ctrl-C) puts every output back as it was
    (`undo`), and once all is written the files replaced are let go (`release`).

    A replaced file is kept under a second name (a hard link: no byte copied), so keeping it
    costs a link. A large one a later stage replaces (a kit) is linked into the spares at
    once (spares.hold), as the spare it will be: letting go of it costs nothing, where
    moving 750 kits' there once all was written took 0.15 s at the end of a kit-wide edit.
    Any other is kept beside it; letting it go keeps a large one as its output's spare,
    removed just before the output's next version is written (spares), and removes a small
    one now, on the writer threads. A build killed meanwhile leaves the second names beside,
    which are temporary files the next build sweeps, and the spares, which a spare's
    output then has anyway."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._lock = threading.Lock()
        #: (output, its previous file's second name, or None: the output is new)
        self._done: list[tuple[str, str | None]] = []

    def commit(self, rel: str, temp: str) -> bool:
        """commit_file, the file it replaces kept (False: `rel` was unchanged)."""
        from salesplay.spares import drop
        from salesplay.write import SPARE, discard_staged, keep_previous, located_writes

        if not temp:
            return False
        try:
            with located_writes(self.out, rel):
                backup = keep_previous(self.out, rel, temp)
        except BaseException:
            discard_staged(self.out, rel, temp)
            raise
        try:
            commit_file(self.out, rel, temp)
        except BaseException:
            if backup == SPARE:
                drop(self.out, rel)  # the output is as it was: it needs no spare
            elif backup is not None:
                discard_staged(self.out, rel, backup)
            raise
        self.kept(rel, backup)
        return True

    def kept(self, rel: str, backup: str | None) -> None:
        """`rel` was committed; `backup` names the file it replaced (None: none)."""
        with self._lock:
            self._done.append((rel, backup))

    def undo(self) -> None:
        """Put back every output committed so far, newest first (best effort: it runs while
        the build stops on a fault)."""
        from salesplay.write import remove_empty_folders, restore_previous

        with self._lock:
            done, self._done = self._done, []
        for rel, backup in reversed(done):
            restore_previous(self.out, rel, backup)
        for rel, _ in done:
            remove_empty_folders(self.out, rel)  # a new output's new folders

    def release(self) -> None:
        """Let go of the files replaced: the build has written everything."""
        from concurrent.futures import ThreadPoolExecutor

        from salesplay.write import SPARE, retire_previous

        with self._lock:
            done, self._done = self._done, []
        # a spare held at commit is where it is to stay
        kept = [(rel, backup) for rel, backup in done if backup not in (None, SPARE)]
        if len(kept) < 8:
            for rel, backup in kept:
                retire_previous(self.out, rel, backup)
            return
        with ThreadPoolExecutor(WRITERS, thread_name_prefix="release") as pool:
            list(pool.map(lambda entry: retire_previous(self.out, *entry), kept))


class FreedAhead:
    """Removes the spares (see spares.py) of a stage's outputs on a thread of its own, a few
    outputs ahead of those made, in the order they are made: each new file then takes pages
    the kernel has just freed, and the worker that stages it does not wait for the removal
    (its own spares.drop finds none). Removing them at once would hand the pages back too
    early: pages freed a while before cost as much as fresh ones here."""

    #: outputs whose spares are removed before they are made
    AHEAD = 8

    def __init__(self, out: Path, rels: Sequence[str], ahead: int = AHEAD) -> None:
        self._out, self._rels, self._ahead = out, list(rels), ahead
        self._made = 0
        self._stopped = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="spares", daemon=True)
        self._thread.start()

    def made(self) -> None:
        """One more output of the stage is made: the spare of one more may go."""
        with self._cond:
            self._made += 1
            self._cond.notify()

    def stop(self) -> None:
        """Remove no more spares (the stage is over, or stopped on a fault)."""
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._thread.join()

    def _run(self) -> None:
        from salesplay.spares import drop

        for index, rel in enumerate(self._rels):
            with self._cond:
                while not self._stopped and index >= self._made + self._ahead:
                    self._cond.wait()
                if self._stopped:
                    return
            drop(self._out, rel)


def write_each(
    out: Path, made: Iterable[Made], *, staged: bool = False, journal: Journal | None = None
) -> Generator[tuple[Made, bool], None, None]:
    """Write each made output as it comes, yielding it with whether its bytes changed, in
    the order made. A write mostly waits for the disk (a 2 MB kit: 10-25 ms, most of it in
    fsync), so a few run at once on threads while the next outputs are received; the first
    fault stops the rest and is raised. `staged`: each Made holds the name stage_file gave
    its staged file (empty: unchanged), which is committed; those not committed when a
    fault stops the rest are removed. `journal` keeps what each commit replaces."""
    from concurrent.futures import Future, ThreadPoolExecutor

    def write(item: Made) -> bool:
        if not staged:
            return write_file(out, item.unit.rel, item.data)
        temp = item.data.decode("ascii")
        if journal is not None:
            return journal.commit(item.unit.rel, temp)
        return commit_file(out, item.unit.rel, temp)

    pending: deque[tuple[Made, Future[bool]]] = deque()
    with ThreadPoolExecutor(WRITERS, thread_name_prefix="write") as pool:
        try:
            for item in made:
                pending.append((item, pool.submit(write, item)))
                while pending and (len(pending) > WAITING or pending[0][1].done()):
                    first, done = pending.popleft()
                    yield first, done.result()
            while pending:
                first, done = pending.popleft()
                yield first, done.result()
        finally:
            # a fault (or a consumer that stopped) writes nothing more than what is running
            pool.shutdown(wait=True, cancel_futures=True)
            if staged:
                _discard(out, [item for item, done in pending if done.cancelled()])


def write_all(
    out: Path, made: Sequence[Made], journal: Journal | None = None
) -> list[tuple[Made, bool]]:
    """Write every output of `made` or none (each with whether its bytes changed): a fault
    leaves `out` as it was. Each changed output is first staged beside its file, and the
    file it replaces kept under a second name; only when all are staged are they put in
    place, and a fault then puts back what was replaced. A full disk, a folder that cannot
    be written or a file that cannot be replaced (immutable) is found while staging, before
    any output changes: stage 0's pages, PDFs and decks were renamed in as they came, and a
    fault at the tenth left nine new and the rest old. With a `journal`, what was replaced
    is handed to it once all are in place, for a later stage's fault to put back."""
    from concurrent.futures import ThreadPoolExecutor

    from salesplay.faults import BuildFault
    from salesplay.write import (
        discard_staged,
        keep_previous,
        located_writes,
        remove_empty_folders,
        restore_previous,
    )

    def stage(item: Made) -> tuple[str, str | None]:
        temp = stage_file(out, item.unit, item.data).decode("ascii")
        if not temp:
            return "", None
        try:
            with located_writes(out, item.unit.rel):
                return temp, keep_previous(out, item.unit.rel)
        except BaseException:
            discard_staged(out, item.unit.rel, temp)
            raise

    def commit(entry: tuple[Made, str, str | None]) -> BuildFault | None:
        item, temp, _ = entry
        try:
            commit_file(out, item.unit.rel, temp)
        except BuildFault as exc:
            return exc
        return None

    staged: list[tuple[Made, str, str | None]] = []
    fault: BuildFault | None = None
    held = False
    try:
        with ThreadPoolExecutor(WRITERS, thread_name_prefix="write") as pool:
            for item, future in [(item, pool.submit(stage, item)) for item in made]:
                try:
                    temp, backup = future.result()
                except BuildFault as exc:
                    fault = fault or exc
                    continue
                staged.append((item, temp, backup))
            changing = [entry for entry in staged if entry[1]]
            if fault is None:
                # Ctrl-C or SIGTERM waits while they are put in place and handed to the
                # journal, then is raised: the journal puts every one back (stopped
                # halfway, those put in place so far stayed new and the rest old)
                interrupts.hold()
                held = True
                results = list(pool.map(commit, changing))
                fault = next((f for f in results if f is not None), None)
                if fault is not None:
                    for entry, failed in zip(changing, results, strict=True):
                        if failed is None:  # put back what it replaced, or remove it
                            restore_previous(out, entry[0].unit.rel, entry[2])
        for item, temp, backup in staged:
            if fault is not None and temp:
                discard_staged(out, item.unit.rel, temp)  # those never committed
            if fault is None and temp and journal is not None:
                journal.kept(item.unit.rel, backup)
            elif backup is not None:
                discard_staged(out, item.unit.rel, backup)
        if fault is not None:
            for item in made:
                remove_empty_folders(out, item.unit.rel)  # a first build's new folders
            raise fault
        return [(item, bool(temp)) for item, temp, _ in staged]
    finally:
        if held:
            interrupts.unhold()  # an interrupt that came meanwhile is raised now


def held_until(
    out: Path, made: Iterable[Made], ready: Callable[[], bool], first: Callable[[], None]
) -> Generator[Made, None, None]:
    """The staged outputs of `made` (see write_each), held back until an earlier stage is
    written: as soon as `ready()` says its last outputs are in, `first()` writes it, and the
    held ones go on; at the end it is written whatever `ready` says. So a stage made while
    the one before finishes is committed after it, never before. A fault (in `first` too),
    or closing it, closes `made` and removes what was held and staged."""
    held: deque[Made] = deque()  # each leaves it as it is handed on
    written = False
    try:
        for item in made:
            held.append(item)
            if not written and ready():
                first()
                written = True
            while written and held:
                yield held.popleft()
        if not written:
            first()
        while held:
            yield held.popleft()
    finally:
        # the source first (a stage's workers are ended and waited for), so that nothing is
        # staged after what was held is removed
        if isinstance(made, Generator):
            made.close()
        _discard(out, held)


def _discard(out: Path, made: Iterable[Made]) -> None:
    from salesplay.write import discard_staged

    for item in made:
        if item.data:
            discard_staged(out, item.unit.rel, item.data.decode("ascii"))


def write_file(out: Path, rel: str, data: bytes) -> bool:
    """Write one output under `out` (see write.write_output); faults are located BuildFaults."""
    from salesplay.write import located_writes, write_output

    with located_writes(out, rel):
        return write_output(out, rel, data)


def stage_file(out: Path, unit: Unit, data: bytes) -> bytes:
    """The first half of write_file, where `unit` was made (see write.stage_output): the
    name of the file staged beside its output, b"" when the output holds `data` already."""
    from salesplay.write import located_writes, stage_output

    with located_writes(out, unit.rel):
        return (stage_output(out, unit.rel, data) or "").encode("ascii")


def commit_file(out: Path, rel: str, temp: str) -> bool:
    """The second half of write_file: the staged file `temp` put in place of `rel`; False
    (nothing to do) when staging found the output unchanged."""
    from salesplay.write import commit_output, located_writes

    if not temp:
        return False
    with located_writes(out, rel):
        commit_output(out, rel, temp)
    return True


#: where a build records the files it wrote, so the next one can remove what it no longer makes.
OUTPUT_LIST = ".salesplay/outputs.json"


def recorded_planners(out: Path, known: Iterable[str] = ()) -> dict[str, frozenset[str]]:
    """Each output the last build recorded with the families whose plans held it; its own
    family's where the record does not say (a list, as builds before planners were recorded
    wrote it) or names no family there is. Only names a build can make are kept: a hostile
    record (absolute names, '..', unknown kinds, links) means nothing to prune; it never
    fails. Where the list is missing or corrupt, the outputs `known` (the records' entries)
    stand for it, each with its own family: else a play renamed then would leave its old
    outputs for good, since the list written next no longer names them."""
    from salesplay.write import output_parts, read_output

    try:
        entries = jsonfile.loads(read_output(out, OUTPUT_LIST).decode("utf-8"))
    except (OSError, ValueError):
        entries = None
    if isinstance(entries, list):
        entries = {rel: [] for rel in entries if isinstance(rel, str)}
    if not isinstance(entries, dict):
        entries = {rel: [] for rel in known}
    kinds = set(families.KINDS)
    kept: dict[str, frozenset[str]] = {}
    for rel, planners in entries.items():
        if not isinstance(rel, str):
            continue
        try:
            output_parts(rel)  # relative, normalised, no ".." (ValueError otherwise)
        except ValueError:
            continue
        kind = kind_of(rel)
        if not kind:  # a path some family owns, nothing else
            continue
        named = (
            frozenset(p for p in planners if isinstance(p, str) and p in kinds)
            if isinstance(planners, list)
            else None
        )
        kept[rel] = named or frozenset({kind})
    return kept


def planners_of(units: Iterable[Unit]) -> dict[str, frozenset[str]]:
    """Each unit's output and the families whose plans hold it."""
    return {u.rel: u.planners or frozenset({u.family}) for u in units}


def unmade(
    recorded: dict[str, frozenset[str]],
    produced: dict[str, frozenset[str]],
    wants: Callable[[str], bool],
) -> set[str]:
    """The recorded outputs no family makes any more: every family whose plan held one was
    planned by this build (wanted), and none of them planned it again. An `--only` build
    leaves what another family's plan holds (a site asset the portal uses)."""
    return {
        rel
        for rel, planners in recorded.items()
        if rel not in produced and all(wants(p) for p in planners)
    }


def prune(
    out: Path,
    produced: dict[str, frozenset[str]],
    wants: Callable[[str], bool],
    recorded: dict[str, frozenset[str]] | None = None,
    gone: set[str] | None = None,
) -> int:
    """Delete outputs an earlier build wrote that no family makes any more (see unmade), and
    record what is left with the families whose plans hold it.

    Only regular files and links inside `out` are removed (a link itself, never what it
    points to), and the folders they leave empty; temporary files and folders a killed
    build left behind go too.
    """
    import json

    from salesplay.write import remove_empty_folders, remove_output

    recorded = recorded_planners(out) if recorded is None else recorded
    gone = unmade(recorded, produced, wants) if gone is None else gone
    removed = 0
    for rel in sorted(gone):
        if remove_output(out, rel):
            removed += 1
            # a folder the build made for outputs it no longer makes goes with them
            remove_empty_folders(out, rel)
    kept = dict(produced)
    for rel, planners in recorded.items():
        # a family this build did not plan still holds it: what it said stays said
        unplanned = frozenset(p for p in planners if not wants(p))
        if rel in kept:
            kept[rel] |= unplanned
        elif rel not in gone:
            kept[rel] = unplanned
    listed = {rel: sorted(kept[rel]) for rel in sorted(kept)}
    write_file(out, OUTPUT_LIST, (json.dumps(listed, indent=1) + "\n").encode())
    sweep_leftovers(out)
    return removed


def remove_outputs(
    out: Path,
    gone: Iterable[str],
    known: Iterable[str] = (),
    made: dict[str, frozenset[str]] | None = None,
) -> int:
    """Delete these outputs of an earlier build, and their lines of the output list, leaving
    every other output and line as it is: what a build of some partners' kits no longer
    makes (a kit in a language its partner no longer takes). The list, when it changes,
    gains what this build `made`. The count removed."""
    import json

    from salesplay.write import remove_empty_folders, remove_output

    recorded = recorded_planners(out, known)
    removed = 0
    doomed = sorted(set(gone) & set(recorded))
    for rel in doomed:
        if remove_output(out, rel):
            removed += 1
            remove_empty_folders(out, rel)
    if doomed:
        kept = {rel: planners for rel, planners in recorded.items() if rel not in doomed}
        kept.update(made or {})
        listed = {rel: sorted(kept[rel]) for rel in sorted(kept)}
        write_file(out, OUTPUT_LIST, (json.dumps(listed, indent=1) + "\n").encode())
    return removed


def sweep_leftovers(out: Path, mine: bool = False) -> None:
    """Remove the temporary files and scratch folders of processes no longer running: a
    killed build's, or a stopped build's workers' (a kit a worker staged whose name never
    came back, a release's catalog it was reading); with `mine`, this process's too (a
    stopped build's own, made in-process and never committed)."""
    from salesplay.locales import locale_folders
    from salesplay.write import sweep_scratch, sweep_temp_files

    kinds = [k for k in families.KINDS if k != "matrix"]
    sweep_temp_files(out, [*kinds, ".salesplay"], mine)
    # a language's outputs are the same folders under its own (de/battlecards/, de/matrix.*):
    # a build killed while it staged German cards left them there for good
    for language in locale_folders(out):
        sweep_temp_files(out / language, kinds, mine)
    sweep_scratch(out, mine)

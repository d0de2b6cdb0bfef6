"""The order of `serve`'s builds: pages first, then the rest in the background; a save cancels."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from salesplay.serve.httpd import Status
from salesplay.serve.kinds import is_served, quick_kinds, reading, source_roots, touched
from salesplay.serve.messages import described, error_lines
from salesplay.serve.process import BuildProcess, Outcome


def passes(slow: Sequence[str]) -> list[tuple[str, ...]]:
    """The background passes after the quick one: served kinds (what pages link to), then the
    others (playbooks, kits), each pass one build; empty passes are left out."""
    served = tuple(k for k in slow if is_served(k))
    rest = tuple(k for k in slow if not is_served(k))
    return [p for p in (served, rest) if p]


def status_errors(outcome: Outcome, templates: Path) -> tuple[str, ...]:
    """The lines the page and the status show for a build: its errors, read from its result."""
    if outcome.code == 0:
        return ()
    lines = described(outcome.errors, templates)
    if outcome.message:
        lines.append(outcome.message)
    if lines:
        return tuple(lines)
    # a process that died before answering: what it printed last is all there is
    return error_lines(list(outcome.tail), outcome.code)


class Builder:
    """Runs builds one at a time in a thread on one warm build process.

    A save starts a quick build of the source locale's pages (a page of that locale reloads
    when it succeeds), then the background passes: every locale's pages (the translated
    pages reload; left out when the catalog has one language, which the quick build then
    built), then the rest; a save during a background pass cancels it, since it is
    stale. Each pass builds only the families that may read what was saved since the last
    complete round (kinds.reading): a partner's file goes straight to the kits and the
    marketers' report, the pages and PDFs are left as they are, in one build and with no
    page to reload (neither is served).
    """

    def __init__(self, process: BuildProcess, slow: Sequence[str], status: Status) -> None:
        self.process, self.status = process, status
        self.quick = quick_kinds()
        self.passes = passes(slow)
        # what tells a page of the source locale from a translated one (Status)
        status.update(roots=source_roots())
        self.templates = process.templates
        self.wanted = threading.Event()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        #: the kinds of the background pass under way, else None.
        self.slow: tuple[str, ...] | None = None
        self.interrupted = 0  # background passes cut short by a newer save
        #: what was saved since the last round that ended without fault or interruption
        #: (None: anything, as at start); a round takes it, and gives it back unless done.
        self.saved: set[Path] | None = None
        #: the kinds each pass of the last round built (the quick one first, if any).
        self.rounds: list[tuple[str, ...]] = []
        self.thread = threading.Thread(target=self._loop, name="salesplay-build", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def request(self, saved: Iterable[Path] | None = None) -> None:
        """Rebuild soon, after a save of the files `saved` (None: anything may have
        changed); a running background pass is stale already, so it is interrupted."""
        with self.lock:
            if saved is None or self.saved is None:
                self.saved = None
            else:
                self.saved.update(saved)
            slow = self.slow is not None
        self.wanted.set()
        if slow:
            self.process.interrupt()

    def stop(self) -> None:
        self.stopping.set()
        self.wanted.set()
        self.process.stop()
        self.thread.join(timeout=15)

    def _quick(self, kinds: tuple[str, ...]) -> bool:
        """The source locale's pages; True when that was every locale's (one language)."""
        self.rounds.append(kinds)
        self.process.new_round()
        outcome = self.process.build(kinds, source_only=True)
        with self.status.lock:
            self.status.attempts += 1
            self.status.errors = status_errors(outcome, self.templates)
            if outcome.code == 0:
                self.status.build += 1  # the page polls this and reloads
                self.status.pages += outcome.complete  # every locale's pages are current
        return outcome.code == 0 and outcome.complete

    def _background(
        self,
        quick: tuple[str, ...],
        passes: list[tuple[str, ...]],
        again: bool = True,
    ) -> bool:
        """The background passes, after `quick` (if any, and `again`) in every locale; True
        when every one ran to its end without a newer save or a fault."""
        # the quick pass's errors stand; without one, this round's start with none
        errors = list(self.status.snapshot()["errors"]) if quick else []
        if not quick:
            self.process.new_round()
        first = [quick] if quick and again else []
        for index, kinds in enumerate([*first, *passes]):
            with self.lock:
                self.slow = kinds
            if self.wanted.is_set() or self.stopping.is_set():
                with self.lock:
                    self.slow = None
                return False  # a save came in between: the quick pass goes first
            self.rounds.append(kinds)
            # a round without a quick pass (a partner's save: the report and the kits, which no
            # served page shows): its first build is the one a user waits for
            outcome = self.process.build(kinds, first=not quick and index == 0)
            with self.lock:
                self.slow = None
            if self.wanted.is_set() or self.stopping.is_set():
                self.interrupted += outcome.code != 0
                return False  # superseded by a newer save: its result no longer matters
            # a fault every pass meets (a broken template) is said once
            errors += [e for e in status_errors(outcome, self.templates) if e not in errors]
            with self.status.lock:
                self.status.errors = tuple(errors)
                if first and index == 0 and outcome.code == 0:
                    self.status.pages += 1  # every locale's pages: translated pages reload
        return not errors

    def _round(self) -> bool:
        """One round of builds for what was saved; True when it ended without a fault and
        without being cut short."""
        with self.lock:
            saved, self.saved = self.saved, set()
        kinds = None if saved is None else touched(saved, self.process.catalog)
        quick = reading(self.quick, kinds)
        passes = [p for p in (reading(p, kinds) for p in self.passes) if p]
        self.rounds = []
        done = complete = False
        self.status.update(building=True)
        if quick:
            complete = self._quick(quick)
        ok = not quick or not self.status.snapshot()["errors"]
        if ok and not self.wanted.is_set() and not self.stopping.is_set():
            done = self._background(quick, passes, again=not complete)
        if not done:  # given back: the next round builds for it too
            with self.lock:
                if saved is None or self.saved is None:
                    self.saved = None
                else:
                    self.saved |= saved
        return done

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self.wanted.wait()
            if self.stopping.is_set():
                return
            self.wanted.clear()
            self._round()
            self.status.update(building=self.wanted.is_set())

"""The order of `serve`'s builds: pages first, then the rest in the background; a save cancels."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from salesplay.serve.httpd import Status
from salesplay.serve.kinds import is_served, quick_kinds, source_roots
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
    pages reload), then the rest; a save during a background pass cancels it, since it is
    stale.
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
        self.thread = threading.Thread(target=self._loop, name="salesplay-build", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def request(self) -> None:
        """Rebuild soon; a running background pass is stale already, so it is interrupted."""
        self.wanted.set()
        with self.lock:
            slow = self.slow is not None
        if slow:
            self.process.interrupt()

    def stop(self) -> None:
        self.stopping.set()
        self.wanted.set()
        self.process.stop()
        self.thread.join(timeout=15)

    def _quick(self) -> None:
        self.status.update(building=True)
        outcome = self.process.build(self.quick, source_only=True)
        with self.status.lock:
            self.status.attempts += 1
            self.status.errors = status_errors(outcome, self.templates)
            if outcome.code == 0:
                self.status.build += 1  # the page polls this and reloads

    def _background(self) -> None:
        errors = list(self.status.snapshot()["errors"])
        for index, kinds in enumerate([self.quick, *self.passes]):
            with self.lock:
                self.slow = kinds
            if self.wanted.is_set() or self.stopping.is_set():
                with self.lock:
                    self.slow = None
                return  # a save came in between: the quick pass goes first
            outcome = self.process.build(kinds)
            with self.lock:
                self.slow = None
            if self.wanted.is_set() or self.stopping.is_set():
                self.interrupted += outcome.code != 0
                return  # superseded by a newer save: its result no longer matters
            errors += status_errors(outcome, self.templates)
            with self.status.lock:
                self.status.errors = tuple(errors)
                if index == 0 and outcome.code == 0:
                    self.status.pages += 1  # every locale's pages: translated pages reload

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self.wanted.wait()
            if self.stopping.is_set():
                return
            self.wanted.clear()
            self._quick()
            ok = not self.status.snapshot()["errors"]
            if ok and not self.wanted.is_set() and not self.stopping.is_set():
                self._background()
            self.status.update(building=self.wanted.is_set())

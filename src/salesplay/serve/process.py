"""Process control for `serve`: one warm build process, its requests, results and signals.

Builds run in a child process, so that a fault in a build never stops the server and the
build's forked PDF workers never fork this threaded process. The child stays up between
builds (see serve.worker) and answers each with a JSON result; its stderr is only the
terminal's.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from salesplay.serve.messages import is_diagnostic, shown

# An interrupted build process exits quietly, even while still importing.
_CHILD = (
    "import sys\n"
    "try:\n"
    "    from salesplay.serve.worker import main\n"
    "    main()\n"
    "except KeyboardInterrupt:\n"
    "    sys.exit(130)\n"
)


@dataclass(frozen=True)
class Outcome:
    """What one build said, as data: exit code, diagnostics, and whether it was cut short."""

    code: int
    diagnostics: tuple[dict[str, Any], ...] = ()
    interrupted: bool = False
    #: a fault that is not a located diagnostic (usage, internal error, a dead process).
    message: str | None = None
    seconds: float = 0.0
    #: whether it built every locale's outputs of its kinds (a source-locale build of a
    #: catalog in one language did: the pass for every locale has nothing left to do).
    complete: bool = False
    #: the last lines the process printed, for a process that died without a result.
    tail: tuple[str, ...] = field(default=(), repr=False)

    @property
    def errors(self) -> tuple[dict[str, Any], ...]:
        return tuple(d for d in self.diagnostics if d.get("severity") == "error")


class BuildProcess:
    """The warm build process: started on first use, restarted if it dies."""

    def __init__(
        self,
        catalog: Path,
        templates: Path,
        out: Path,
        as_of: str | None,
        log: TextIO,
        waiting: Callable[[str], None] = lambda _message: None,
    ) -> None:
        self.catalog, self.templates, self.out, self.as_of = catalog, templates, out, as_of
        self.log = log
        #: told what a build waits for (another build into --out), and "" once it has ended
        self.waiting = waiting
        self.lock = threading.Lock()
        self.proc: subprocess.Popen[str] | None = None
        self.running = False  # a build is under way (SIGINT would stop it)
        self.tail: deque[str] = deque(maxlen=20)
        self.reader: threading.Thread | None = None
        #: the diagnostics shown on the terminal since the round's first build: a save's
        #: later passes (PDFs, kits) check the same catalog and would say each again
        self.said: set[str] = set()

    def _start(self) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            start_new_session=True,
        )
        self.reader = threading.Thread(
            target=self._forward, args=(proc,), name="salesplay-build-log", daemon=True
        )
        self.reader.start()
        return proc

    def _forward(self, proc: subprocess.Popen[str]) -> None:
        """The build's stderr to the terminal, install paths scrubbed."""
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = shown(raw.rstrip("\n"), self.templates)
            self.tail.append(line)
            if is_diagnostic(line):
                if line in self.said:
                    continue
                self.said.add(line)
            self.log.write(line + "\n")
            self.log.flush()

    def new_round(self) -> None:
        """A save's builds begin: what they say is shown again once."""
        self.said = set()

    def build(
        self, only: tuple[str, ...], *, source_only: bool = False, first: bool = False
    ) -> Outcome:
        """Run one build of `only` (of the source locale only, if `source_only`) and wait
        for its result; `first`: the round's first build, which a user waits for."""
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self.proc = self._start()
            proc = self.proc
            self.running = True
        request = {
            "catalog": str(self.catalog),
            "templates": str(self.templates),
            "out": str(self.out),
            "as_of": self.as_of,
            "only": list(only),
            "source_only": source_only,
            "first": first,
        }
        assert proc.stdin is not None and proc.stdout is not None
        self.tail.clear()
        waited = False
        raw: object = None
        try:
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
            answer = proc.stdout.readline()
            raw = _parsed(answer)
            while (message := _waiting(raw)) is not None:
                waited = True
                self.waiting(message)
                answer = proc.stdout.readline()
                raw = _parsed(answer)
        except (OSError, ValueError):  # the process died, or serve is stopping
            answer = ""
        finally:
            with self.lock:
                self.running = False
            if waited:
                self.waiting("")
        if not answer:
            return self._died(proc)
        said = answer.strip()[:80]
        unreadable = Outcome(1, message=f"salesplay serve: unreadable build result {said!r}")
        if not isinstance(raw, dict):
            return unreadable
        try:
            return Outcome(
                int(raw["code"]),
                tuple(raw.get("diagnostics") or ()),
                bool(raw.get("interrupted")),
                raw.get("message"),
                float(raw.get("seconds") or 0.0),
                complete=bool(raw.get("complete")),
            )
        except (ValueError, KeyError, TypeError):
            return unreadable

    def _died(self, proc: subprocess.Popen[str]) -> Outcome:
        code = proc.wait()
        if self.reader is not None:
            self.reader.join(timeout=5)
        interrupted = code in (-signal.SIGINT, 130, -signal.SIGKILL, -signal.SIGTERM)
        return Outcome(
            code or 1,
            interrupted=interrupted,
            message=f"the build process ended (exit code {code})",
            tail=tuple(self.tail),
        )

    def interrupt(self) -> bool:
        """Stop the running build (its process stays); whether one was running."""
        with self.lock:
            proc, running = self.proc, self.running
        if proc is None or not running or proc.poll() is not None:
            return False
        # SIGINT to the build process alone: it removes its temporary files and terminates
        # its PDF workers quietly (a signal to the whole group makes each print a traceback).
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGINT)
        return True

    def stop(self, timeout: float = 5.0) -> None:
        """End the process: the running build is interrupted, then stdin closes."""
        self.interrupt()
        with self.lock:
            proc = self.proc
        if proc is None:
            return
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        if self.reader is not None:
            self.reader.join(timeout=5)


def _parsed(line: str) -> object:
    """A line the build process wrote, parsed once; None if it is not JSON (or no line)."""
    try:
        return json.loads(line)
    except ValueError:
        return None


def _waiting(raw: object) -> str | None:
    """The message of a build's "waiting" event; None for its result (or no line)."""
    if not (isinstance(raw, dict) and raw.get("event") == "waiting"):
        return None
    return str(raw.get("message") or "")

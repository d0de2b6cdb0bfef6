"""The build process of `serve`: stays warm, builds on request, answers with JSON results.

Requests come one JSON line at a time on stdin ({"only": [...]}), each answer is one JSON
line on the protocol pipe: {"code", "interrupted", "diagnostics", "seconds"}, after any
events of the build, each a line of its own: {"event": "waiting", "message"} when it
waits for another build into its folder. Imports,
the image and PDF libraries and the renderers stay loaded between builds, which is
most of what a one-play rebuild costs in a fresh process. Progress and diagnostics still go
to stderr, for the terminal only. SIGINT stops the running build (a newer save), never
the process.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any

from salesplay.context import (
    CATALOG_FILES,
    Context,
    UsageError,
    check_folder,
    check_out,
    clamp_jobs,
    not_a_folder,
    resolve_as_of,
)
from salesplay.diagnostics import Diagnostic
from salesplay.interrupts import clear, deliver
from salesplay.memo import Memo


@dataclass
class _Interrupts:
    """SIGINT raises KeyboardInterrupt only while a build runs; between builds it is moot."""

    building: bool = False

    def handler(self, signum: int, frame: FrameType | None) -> None:
        if not self.building:
            return
        # as any command's: inside a C callback or an import it waits until that returns
        deliver(KeyboardInterrupt, frame)

    def install(self) -> None:
        signal.signal(signal.SIGINT, self.handler)
        signal.signal(signal.SIGALRM, self.handler)  # a deferred interrupt, tried again


@dataclass
class Request:
    """One build to run: its kinds and folders (from serve's options)."""

    catalog: Path
    templates: Path
    out: Path
    only: list[str]
    as_of: str | None = None
    #: the source locale's outputs only (the quick pass; the other locales' follow)
    source_only: bool = False
    #: the first build of a round (as a quick pass is): the one a user waits for, before
    #: which no garbage is collected
    first: bool = False


def as_json(d: Diagnostic) -> dict[str, Any]:
    """A diagnostic as data; the file absolute, so that serve can tell built-in templates."""
    subject = getattr(d, "subject", None)
    return {
        "file": str(d.loc.file.absolute()) if str(d.loc.file) else "",
        "line": d.loc.line,
        "column": d.loc.col,
        "severity": d.severity.value,
        "code": d.code,
        "message": d.message,
        "subject": None if subject is None else {"kind": subject[0], "id": subject[1]},
    }


def run(
    request: Request,
    interrupts: _Interrupts,
    memo: Memo | None = None,
    tell: Callable[[dict[str, Any]], None] = lambda _event: None,
) -> dict[str, Any]:
    """Build as `salesplay build --only …` would; the outcome as data, never an exception.

    `memo` is what the process keeps between its builds (parsed files, images, templates);
    `tell` sends an event of the build before its outcome.
    """
    from salesplay.build import run_build

    started = time.perf_counter()
    diagnostics: list[Diagnostic] = []
    message: str | None = None
    interrupted = False
    code = 1
    try:
        if not request.catalog.is_dir():
            raise not_a_folder(request.catalog, "--catalog", "catalog", CATALOG_FILES)
        ctx = Context(
            catalog=request.catalog,
            as_of=resolve_as_of(request.as_of),
            templates=request.templates,
            out=request.out,
            jobs=clamp_jobs(None),
            memo=memo,
        )
        check_folder(request.catalog, "catalog")
        check_folder(request.templates, "templates")
        check_out(request.out, request.catalog, request.templates)
        interrupts.building = True
        try:
            if not (request.source_only or request.first):
                # after a save's first pass, never before it: it is the one a user waits
                # for; done as part of a build, so that a newer save interrupts it too
                _collect()
            # a fault (template, deck, writer) joins ctx.reporter's diagnostics as data
            code = run_build(
                ctx,
                request.only,
                source_only=request.source_only,
                waiting=lambda message: tell({"event": "waiting", "message": message}),
            )
        finally:
            interrupts.building = False
            clear()  # one deferred past the build's end is moot, not the next build's
        diagnostics = ctx.reporter.sorted(ctx.strict)
    except UsageError as exc:
        code, message = 2, f"salesplay: error: {exc}"
    except KeyboardInterrupt:
        code, interrupted = 130, True
    except Exception as exc:  # a bug in salesplay must not end serve's build process
        if os.environ.get("SALESPLAY_DEBUG"):
            import traceback

            traceback.print_exc()
        code = 1
        message = (
            f"salesplay: internal error: {type(exc).__name__}: {exc} "
            "(a bug in salesplay; rerun with SALESPLAY_DEBUG=1 and report it)"
        )
    if message is not None:
        sys.stderr.write(message + "\n")
    sys.stderr.flush()
    return {
        "code": code,
        # a source-locale build of a catalog in one language built every locale's outputs
        "complete": code == 0 and (not request.source_only or _one_language(memo)),
        "interrupted": interrupted,
        "diagnostics": [as_json(d) for d in diagnostics],
        "message": message,
        "seconds": round(time.perf_counter() - started, 3),
    }


def _one_language(memo: Memo | None) -> bool:
    """Whether the catalog this process checked last is in its source language only."""
    checked = None if memo is None else memo.checked
    return checked is not None and checked.cat is not None and not checked.cat.config.translated


def _request(line: str) -> Request:
    raw = json.loads(line)
    return Request(
        Path(raw["catalog"]),
        Path(raw["templates"]),
        Path(raw["out"]),
        [str(k) for k in raw["only"]],
        raw.get("as_of"),
        raw.get("source_only") is True,
        raw.get("first") is True,
    )


def main() -> None:
    """Serve build requests until stdin closes."""
    # The protocol has its own pipe: anything a library prints to stdout goes to stderr.
    answers: IO[str] = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    interrupts = _Interrupts()
    interrupts.install()
    # SIGTERM (serve stopping): end now, as a build would, removing nothing half-written.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    memo = Memo()

    def send(message: dict[str, Any]) -> None:
        answers.write(json.dumps(message) + "\n")
        answers.flush()

    for line in sys.stdin:
        if not line.strip():
            continue
        send(run(_request(line), interrupts, memo, send))


def _collect() -> None:
    """Collect garbage, and set what lives on (the memo, the libraries) aside: a build's own
    collections then walk only what that build made, instead of pausing a save's pages for
    the hundreds of thousands of objects the memo holds."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


if __name__ == "__main__":
    main()

"""The `salesplay` command: a build is run at once, the other commands by the CLI."""

from __future__ import annotations

import gc
import os
import sys
import threading


def main() -> None:
    """Entry point (the console script): a plain `salesplay build` without typer, which
    costs 0.1 s of parsing (and would import pydantic before the fast no-change check),
    else salesplay.cli. The process leaves as soon as the command is over (`leave`)."""
    try:
        _run()
    except SystemExit as done:
        leave(done)
        raise


def _run() -> None:
    from salesplay.exits import run_command
    from salesplay.fastpath import build_command

    command = build_command(sys.argv[1:])
    if command is not None:
        # nothing to collect yet: what a build imports and checks lives until it exits, and
        # the check freezes it, then turns the collector on (pipeline._kept)
        gc.disable()
        run_command(command)
    from salesplay.cli import main as cli_main

    cli_main(once=True)


def leave(done: SystemExit) -> None:
    """End the process now with `done`'s exit code, once its output is flushed and nothing
    else of it runs (no other thread, no multiprocessing child); else return, for Python's
    own exit.

    Python's exit frees every object and module one by one: 30–40 ms after an edit's build
    (the catalog, its editions, the frozen check), 4% of a partner's contact edited. Nothing
    salesplay writes waits for it: outputs and records are written, synced and renamed
    before the command returns; font files are memory (render.fontfiles)."""
    code = done.code
    if not isinstance(code, int) and code is not None:
        return  # a message to print: Python's exit prints it
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # a closed or broken stream: Python's exit reports it as it always has
    processes = sys.modules.get("multiprocessing")
    if threading.active_count() > 1 or (processes is not None and processes.active_children()):
        return
    os._exit(code or 0)

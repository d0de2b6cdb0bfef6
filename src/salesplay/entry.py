"""The `salesplay` command: a build is run at once, the other commands by the CLI."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    """Entry point (the console script): a plain `salesplay build` without typer, which
    costs 0.1 s of parsing (and would import pydantic before the fast no-change check),
    else salesplay.cli."""
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

"""The `salesplay` command: a build with nothing to do is answered at once, the rest by the CLI."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point (the console script): the no-change fast path, else salesplay.cli."""
    try:
        # typer's parsing imports pydantic (~0.3 s): more than the whole no-change check
        from salesplay.fastpath import unchanged

        if unchanged(sys.argv[1:]):
            sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    from salesplay.cli import main as cli_main

    cli_main(once=True)

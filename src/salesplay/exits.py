"""How a command ends: exit codes for usage errors and interruptions, never a traceback."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import NoReturn

from salesplay import interrupts
from salesplay.context import UsageError
from salesplay.diagnostics import one_line
from salesplay.interrupts import Terminated

__all__ = ["Terminated", "run_command"]


def run_command(body: Callable[[], int]) -> NoReturn:
    """Run one command and exit with its code: a usage error exits 2 with one line, an
    interruption 130 (Ctrl-C) or 143 (SIGTERM), anything else is a bug said in one line
    (SALESPLAY_DEBUG=1 shows its traceback)."""
    # A parent that ignores SIGINT (a background job, a test runner's worker) passes that on;
    # Ctrl-C, and `salesplay serve` interrupting a stale build, must work all the same.
    # SIGTERM (timeout, CI cancellation) stops like Ctrl-C: workers terminated, temp files
    # removed, no traceback. Neither is raised inside a C callback, which would swallow it.
    previous = interrupts.install()
    try:
        code = body()
        interrupts.raise_pending()  # one an extension swallowed ends the command all the same
    except UsageError as exc:
        sys.stderr.write(f"salesplay: error: {one_line(str(exc))}\n")
        sys.exit(2)
    except Terminated:
        sys.exit(128 + signal.SIGTERM)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        stopped = interrupts.pending()
        if stopped is not None:  # the interrupt, dressed up by the extension it stopped
            sys.exit(128 + signal.SIGTERM if stopped is Terminated else 130)
        if os.environ.get("SALESPLAY_DEBUG"):
            raise
        sys.stderr.write(
            f"salesplay: internal error: {type(exc).__name__}: {exc} "
            "(a bug in salesplay; rerun with SALESPLAY_DEBUG=1 and report it)\n"
        )
        sys.exit(1)
    finally:
        # run in-process too (tests): leave the caller's handlers as they were
        interrupts.restore(previous)
    sys.exit(code)

"""How a command ends: exit codes for usage errors and interruptions, never a traceback."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import NoReturn

from salesplay.context import UsageError


class Terminated(BaseException):  # named like KeyboardInterrupt
    """SIGTERM, raised like Ctrl-C so that every cleanup on the way out runs.

    Not a KeyboardInterrupt: typer would turn that into exit code 130.
    """


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


def run_command(body: Callable[[], int]) -> NoReturn:
    """Run one command and exit with its code: a usage error exits 2 with one line, an
    interruption 130 (Ctrl-C) or 143 (SIGTERM), anything else is a bug said in one line
    (SALESPLAY_DEBUG=1 shows its traceback)."""
    # A parent that ignores SIGINT (a background job, a test runner's worker) passes that on;
    # Ctrl-C, and `salesplay serve` interrupting a stale build, must work all the same.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # SIGTERM (timeout, CI cancellation) stops like Ctrl-C: workers terminated, temp files
    # removed, no traceback.
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        code = body()
    except UsageError as exc:
        sys.stderr.write(f"salesplay: error: {exc}\n")
        sys.exit(2)
    except Terminated:
        sys.exit(128 + signal.SIGTERM)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("SALESPLAY_DEBUG"):
            raise
        sys.stderr.write(
            f"salesplay: internal error: {type(exc).__name__}: {exc} "
            "(a bug in salesplay; rerun with SALESPLAY_DEBUG=1 and report it)\n"
        )
        sys.exit(1)
    finally:
        # run in-process too (tests): leave the caller's SIGTERM as it was
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
    sys.exit(code)

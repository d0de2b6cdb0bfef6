"""Progress lines on stderr: a bar redrawn in a terminal, a line per step in a log."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Progress:
    """Progress lines on stderr: a bar redrawn in a terminal, a line per step in a log."""

    say: Callable[[str], None]

    def counter(self, label: str, total: int) -> Callable[[object], None]:
        """A progress bar for `total` items: call the result once per finished item."""
        done = [0]
        step = max(1, total // 50) if not sys.stderr.isatty() else 1

        def tick(_item: object) -> None:
            done[0] += 1
            if done[0] % step == 0 or done[0] == total:
                self.say(progress_bar(label, done[0], total))

        return tick


def progress_bar(label: str, done: int, total: int, width: int = 24) -> str:
    """'PDFs [#########···············]  6/16' — plain text, fine in any terminal or log."""
    filled = width * done // max(total, 1)
    return f"{label} [{'#' * filled}{'·' * (width - filled)}] {done:>{len(str(total))}}/{total}"


def printer() -> Callable[[str], None]:
    tty = sys.stderr.isatty()

    def say(message: str) -> None:
        if tty:
            sys.stderr.write(f"\r\033[K{message}")
        else:
            sys.stderr.write(message + "\n")
        sys.stderr.flush()

    return say

"""The run context passed through every stage: where things are and what day it is."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from salesplay.diagnostics import Reporter


class UsageError(Exception):
    """Wrong use of the command line (exit code 2)."""


def resolve_as_of(value: str | None) -> dt.date:
    """--as-of DATE, else SOURCE_DATE_EPOCH, else today's date (UTC)."""
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise UsageError(f"--as-of must be a date YYYY-MM-DD, got '{value}'") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH must be whole seconds, got '{epoch}'") from None
    return dt.datetime.now(tz=dt.UTC).date()


@dataclass
class Context:
    """Everything a run needs; no stage reads globals."""

    catalog: Path
    as_of: dt.date
    templates: Path | None = None
    out: Path = Path("build")
    strict: bool = False
    jobs: int = 2
    reporter: Reporter = field(default_factory=Reporter)

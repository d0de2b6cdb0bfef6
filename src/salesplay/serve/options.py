"""What `salesplay serve` was asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from salesplay.serve.kinds import slow_kinds


@dataclass(frozen=True)
class ServeOptions:
    """Folders, address and limits of one `salesplay serve`."""

    catalog: Path
    templates: Path
    out: Path
    port: int = 8000
    host: str = "127.0.0.1"
    as_of: str | None = None
    #: rebuilt in the background after the quick rebuild (default: every other family,
    #: served ones first); empty: nothing more.
    slow: tuple[str, ...] = field(default_factory=slow_kinds)
    #: seconds a client may stay idle before its connection (and thread) is dropped.
    timeout: float = 15.0
    #: connections answered at once; more get "503 busy" straight away.
    max_connections: int = 32

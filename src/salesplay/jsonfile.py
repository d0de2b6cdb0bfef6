"""JSON read back from a build folder or a kit: whatever cannot be read is a ValueError."""

from __future__ import annotations

import json
from typing import Any


def loads(data: bytes | str) -> Any:
    """`json.loads`, with JSON nested deeper than Python's stack (`[[[[…`, a damaged or
    planted file) a ValueError like any other unreadable file: it raised RecursionError,
    which each reader would have to know of, and every later build stopped on it as an
    "internal error"."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deep") from None

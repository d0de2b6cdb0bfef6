"""The built-in theme's templates compiled by `make`, kept beside the package's own bytecode."""

from __future__ import annotations

import functools
import json
import marshal
import sys
from collections.abc import Mapping
from pathlib import Path

import jinja2

from salesplay.engine.records import code_digest
from salesplay.render.theme import THEME_DIR

#: where `make` keeps the shelf: in a __pycache__ folder, as Python keeps the package's
#: compiled modules, which no digest of the package or the theme reads (records._walk)
SHELF = THEME_DIR.parent / "__pycache__" / "theme-templates.bytecode"
_MAGIC = b"salesplay-theme-bytecode-1\n"


def stamp() -> dict[str, str]:
    """What compiled templates are only good for: this salesplay (its code and theme, and
    so every setting its environments compile with), this Jinja and this Python."""
    return {
        "code": code_digest(),
        "jinja": jinja2.__version__,
        "python": sys.version.split()[0],
    }


@functools.cache
def installed() -> Mapping[str, bytes]:
    """The shelf's bytecode by the key templates._Bytecode looks it up with; empty when
    there is no shelf, or it was made for another code, Jinja or Python.

    Never read from a build folder or a project: it lies inside the installed package, as
    trusted as the package's code (Jinja loads bytecode with marshal, so whoever can write
    it can run code, as whoever can write the package's modules can)."""
    try:
        data = SHELF.read_bytes()
    except OSError:
        return {}
    head, _, body = data.removeprefix(_MAGIC).partition(b"\n")
    try:
        if not data.startswith(_MAGIC) or json.loads(head) != stamp():
            return {}
        found = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return {}
    if not isinstance(found, dict) or not all(
        isinstance(k, str) and isinstance(v, bytes) for k, v in found.items()
    ):
        return {}
    return found


def keep(store: Mapping[str, bytes], path: Path = SHELF) -> None:
    """Write `store` as the shelf at `path`, whole or not at all."""
    from salesplay.write import write_atomic

    data = _MAGIC + json.dumps(stamp(), sort_keys=True).encode() + b"\n"
    write_atomic(path, data + marshal.dumps(dict(sorted(store.items()))))

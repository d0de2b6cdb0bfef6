"""What `make` prepares from the built-in theme, kept beside the package's own bytecode."""

from __future__ import annotations

import functools
import json
import marshal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from salesplay.engine.records import code_digest, key_of
from salesplay.render.theme import THEME_DIR

#: where `make` keeps the shelf: in a __pycache__ folder, as Python keeps the package's
#: compiled modules, which no digest of the package or the theme reads (records._walk)
SHELF = THEME_DIR.parent / "__pycache__" / "theme-templates.bytecode"
_MAGIC = b"salesplay-theme-bytecode-1\n"
#: where `make` keeps the band fonts' cuts and common subsets (render.band.FontMemo), by
#: their memo key: cutting them cost every build into a new folder ~0.7 s of CPU
FONTS = THEME_DIR.parent / "__pycache__" / "band-fonts.blobs"
_FONTS_MAGIC = b"salesplay-band-fonts-1\n"


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
    found = _read(SHELF, _MAGIC)
    if not all(isinstance(k, str) and isinstance(v, bytes) for k, v in found.items()):
        return {}
    return found


@functools.cache
def band_fonts() -> Mapping[str, list[bytes]]:
    """The band fonts' blobs `make` prepared, by memo key; empty when there are none, or
    they were made for another code, Jinja or Python. Read from the installed package
    only, as the templates' shelf is (and each blob is checked as a font when used)."""
    found = _read(FONTS, _FONTS_MAGIC)
    if not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(b, bytes) for b in v)
        for k, v in found.items()
    ):
        return {}
    return found


def band_font(parts: tuple[object, ...]) -> list[bytes] | None:
    """The blobs `make` prepared for the band font a memo names by `parts`, if any."""
    return band_fonts().get(key_of(*parts))


def _read(path: Path, magic: bytes) -> dict[Any, Any]:
    """The dict a shelf file at `path` holds, if it starts with `magic` and was made for this
    code; else empty."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    head, _, body = data.removeprefix(magic).partition(b"\n")
    try:
        if not data.startswith(magic) or json.loads(head) != stamp():
            return {}
        found = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return {}
    return found if isinstance(found, dict) else {}


def keep(store: Mapping[str, bytes], path: Path = SHELF) -> None:
    """Write `store` as the shelf at `path`, whole or not at all."""
    _write(path, _MAGIC, store)


def keep_band_fonts(store: Mapping[str, list[bytes]], path: Path = FONTS) -> None:
    """Write the band fonts' blobs `store` at `path`, whole or not at all (and read them
    afresh from then on)."""
    # marshal's version 2 marks no shared object: the same fonts give the same bytes,
    # however many references to them the process held
    _write(path, _FONTS_MAGIC, store, version=2)
    band_fonts.cache_clear()


def _write(
    path: Path, magic: bytes, store: Mapping[str, Any], version: int = marshal.version
) -> None:
    from salesplay.write import write_atomic

    data = magic + json.dumps(stamp(), sort_keys=True).encode() + b"\n"
    write_atomic(path, data + marshal.dumps(dict(sorted(store.items())), version))

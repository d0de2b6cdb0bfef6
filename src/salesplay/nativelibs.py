"""Native libraries found from one ldconfig listing, never by running the compiler."""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import os
import re
import subprocess
import threading
from collections.abc import Iterator

#: `ldconfig -p`'s line of a library for this machine's ABI, as ctypes.util reads it
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}

#: one search at a time: each puts ctypes' own back when it ends
_LOCK = threading.RLock()


@contextlib.contextmanager
def searched_once() -> Iterator[None]:
    """Within: `ctypes.util.find_library` reads one `ldconfig -p` listing.

    cffi hands a library name that is not a file name (`libpango-1.0-0`, `cairo-2`) to
    `ctypes.util.find_library`, which on Linux runs `ldconfig -p`, then `gcc` (with a
    temporary file in the system's temp folder) and `ld` for a name it does not know. A
    library's import under this (WeasyPrint's, CairoSVG's) reads one listing instead; a
    name it does not list is not found, and the importer goes on to the next name it
    tries, which ends with the library's file name (`libcairo.so.2`). A machine without
    ldconfig searches as before.
    """
    if os.name != "posix":
        yield  # elsewhere the search runs no compiler
        return

    def find(name: str) -> str | None:
        listing = _ldconfig()  # read once a process: what the loader knows stays put
        return real(name) if listing is None else _soname(listing, name)

    with _LOCK:
        real = ctypes.util.find_library
        setattr(ctypes.util, "find_library", find)  # noqa: B010  # for the import's time only
        try:
            yield
        finally:
            setattr(ctypes.util, "find_library", real)  # noqa: B010


@functools.lru_cache(maxsize=1)
def _ldconfig() -> bytes | None:
    """`ldconfig -p`'s listing of the libraries the loader knows; None where it cannot run."""
    for command in ("/sbin/ldconfig", "ldconfig"):
        try:
            done = subprocess.run(
                [command, "-p"],
                capture_output=True,
                check=False,
                timeout=10,
                env={"LC_ALL": "C", "LANG": "C"},
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return done.stdout
    return None


def _soname(listing: bytes, name: str) -> str | None:
    """The file name `ctypes.util.find_library(name)` finds through ldconfig, from `listing`."""
    machine = f"{os.uname().machine}-{8 * ctypes.sizeof(ctypes.c_long)}"
    abi = _ABI.get(machine, "libc6")
    found = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({re.escape(abi)}".encode(), listing)
    return found.group(1).decode() if found else None

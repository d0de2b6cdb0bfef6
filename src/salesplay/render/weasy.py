"""Import WeasyPrint without the library search that runs gcc and ldconfig a score of times."""

from __future__ import annotations

import contextlib
import ctypes.util
import os
import re
import subprocess
from collections.abc import Iterator

#: `ldconfig -p`'s line of a library for this machine's ABI, as ctypes.util reads it
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


def load() -> None:
    """Import WeasyPrint, once a process (0.26 s, not 0.44 s).

    WeasyPrint 70 opens each of its seven libraries by trying several names, most of them
    not file names (`libpango-1.0-0`, `pango-1.0`), which cffi hands to
    `ctypes.util.find_library`; on Linux each of those runs `ldconfig -p`, and then `gcc`
    and `ld` for a name it does not know: 22 look-ups, 0.18 s of subprocesses each time a
    process imports WeasyPrint (a build, its early worker, `serve`'s builds). While the
    import runs, a look-up reads one `ldconfig -p` listing instead; a name it does not
    list is not found, and WeasyPrint goes on to the next name it tries, which ends with
    each library's file name (`libpango-1.0.so.0`). A machine without ldconfig searches as
    before.
    """
    with _searched_once():
        import weasyprint  # noqa: F401


@contextlib.contextmanager
def _searched_once() -> Iterator[None]:
    real = ctypes.util.find_library
    if os.name != "posix":
        yield  # elsewhere the search runs no compiler
        return
    listing: list[bytes | None] = []

    def find(name: str) -> str | None:
        if not listing:
            listing.append(_ldconfig())
        text = listing[0]
        if text is None:
            return real(name)
        return _soname(text, name)

    setattr(ctypes.util, "find_library", find)  # noqa: B010  # for the import's time only
    try:
        yield
    finally:
        setattr(ctypes.util, "find_library", real)  # noqa: B010


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

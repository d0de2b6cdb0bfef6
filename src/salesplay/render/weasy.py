"""Import WeasyPrint without the library search that runs gcc and ldconfig a score of times."""

from __future__ import annotations

from salesplay.nativelibs import searched_once


def load() -> None:
    """Import WeasyPrint, once a process (0.26 s, not 0.44 s).

    WeasyPrint 70 opens each of its seven libraries by trying several names, most of them
    not file names (`libpango-1.0-0`, `pango-1.0`): 22 look-ups, which without
    nativelibs.searched_once run 0.18 s of subprocesses (ldconfig, gcc, ld) each time a
    process imports WeasyPrint (a build, its early worker, `serve`'s builds).
    """
    with searched_once():
        import weasyprint  # noqa: F401

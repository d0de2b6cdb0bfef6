"""Live reload: the script every served page gets, and the watcher that notices a save."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from salesplay.render.templates import THEME_DIR

SCRIPT_PATH = "/__salesplay__/reload.js"
#: polls the status and reloads the page after each successful build.
RELOAD_JS = THEME_DIR / "portal" / "live-reload.js"

_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def inject(page: bytes, build: int, pages: int) -> bytes:
    """The page with the live-reload script before its last </body> (at the end if none),
    told the build counters it was served at (Status.build, Status.pages): a build that
    ends before the script's first look at the status reloads it too."""
    marks = f' data-build="{build}" data-pages="{pages}"'
    tag = f'<script src="{SCRIPT_PATH}"{marks}></script>\n'.encode()
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + tag
    at = ends[-1].start()
    return page[:at] + tag + page[at:]


def watch(
    folders: Callable[[], Sequence[Path]],
    out: Path,
    on_change: Callable[[list[Path]], None],
    stopping: threading.Event,
) -> None:
    """Call `on_change` with the paths of each save in `folders()` until `stopping` is set.

    An editor's save is one burst of events: it is yielded once 30 ms pass without another
    (150 ms at most), since every millisecond here is one before the page reloads. The
    folders are asked for again each second: one made after serve started (`templates/`,
    for a first override) is watched from then on, and its coming is a change.
    """
    import watchfiles

    built = str(out.resolve())
    default = watchfiles.DefaultFilter()

    def wanted(change: watchfiles.Change, path: str) -> bool:
        # Outputs written inside a watched folder must not trigger the next build.
        return default(change, path) and not (path == built or path.startswith(built + os.sep))

    previous: list[Path] | None = None  # the folders watched last (None: none yet)
    while not stopping.is_set():
        current = list(folders())
        if previous is not None and current != previous:
            # a folder that came back (the catalog moved away and back, with no templates/
            # beside it) is a change too, not only one that went away inside the loop below
            on_change(sorted(set(current) ^ set(previous)))
        previous = current
        if not current:  # the catalog folder gone: watched again once it is back
            stopping.wait(1)
            continue
        for changes in watchfiles.watch(
            *current,
            watch_filter=wanted,
            debounce=150,
            step=30,
            stop_event=stopping,
            raise_interrupt=False,
            rust_timeout=1000,
            yield_on_timeout=True,
        ):
            if changes:
                on_change(sorted(Path(path) for _change, path in changes))
            now = list(folders())
            if now != current:
                on_change(sorted(set(now) ^ set(current)))
                previous = now
                break

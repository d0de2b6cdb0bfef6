"""One build at a time into an --out folder: an advisory lock on the folder itself."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable
from pathlib import Path

from salesplay.write import FOLDER_MODE

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_PROC_LOCKS = Path("/proc/locks")


class OutLock:
    """Held from before a build reads the records of --out until it has written them.

    Two builds into one folder (`make` while `salesplay serve` rebuilds after a save)
    would each plan from records the other is rewriting, and could record an output as
    made from one catalog while the other's bytes sit in the file. The second build waits,
    saying so once, and plans after the first has finished.

    The lock is flock(2) on the folder's own descriptor: nothing is created or written for
    it (a build that fails its check leaves no build/ behind, a no-change build writes
    nothing), it is gone when the holder dies, and a forked worker cannot keep it after the
    build releases it. A folder that does not exist yet is locked when it is made, just
    before the first byte is written (`take`).
    """

    def __init__(self, out: Path, say: Callable[[str], None]) -> None:
        self.out = out
        self.say = say
        self._fd: int | None = None

    def __enter__(self) -> OutLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def take_existing(self) -> None:
        """Lock --out if it is a folder already (waiting for another build's end)."""
        if self._fd is None and self.out.is_dir():
            self._take(make=False)

    def take(self) -> None:
        """Lock --out, making it first if needed: the build is about to write."""
        if self._fd is None:
            self._take(make=True)

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            # LOCK_UN releases it for a forked worker that still holds the descriptor
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _take(self, *, make: bool) -> None:
        said = False
        while True:
            try:
                if make:
                    self.out.mkdir(FOLDER_MODE, parents=True, exist_ok=True)
                fd = os.open(self.out, _DIR_FLAGS)
            except OSError:
                # gone before it was locked (nothing to read; locked when made), or not to
                # be made or read: the build's own reads and writes say what is wrong
                return
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if not said:
                        said = True
                        self.say(self._waiting(fd))
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except OSError:
                    return  # a file system without locks (some network ones): build unlocked
                # the folder waited on may have been removed (or replaced) meanwhile
                if _same_folder(fd, self.out):
                    self._fd, fd = fd, -1
                    return
            finally:
                if fd >= 0:
                    os.close(fd)
            if not make and not self.out.is_dir():
                return

    def _waiting(self, fd: int) -> str:
        holder = _holder(os.fstat(fd))
        by = f" (process {holder})" if holder is not None else ""
        return f"waiting for another salesplay build into {self.out}/{by} to finish"


def _same_folder(fd: int, out: Path) -> bool:
    try:
        now, held = os.stat(out), os.fstat(fd)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _holder(info: os.stat_result) -> int | None:
    """The process holding a flock on the file `info` describes, as /proc/locks says
    (Linux); None where it cannot be told."""
    want = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for line in _PROC_LOCKS.read_text(encoding="ascii").splitlines():
            fields = line.split()
            # "1: FLOCK  ADVISORY  WRITE 1234 fd:00:5678 0 EOF"; a waiter's has "->" first
            if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == want:
                with contextlib.suppress(ValueError):
                    return int(fields[4])
    return None

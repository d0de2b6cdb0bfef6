"""The files of replaced outputs, kept to be written over by those outputs' next versions."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import stat
import threading

try:
    import fcntl
except ImportError:  # not on Windows: no spares there
    fcntl = None  # type: ignore[assignment]

#: the pool, under --out: one spare per output at most, named by the output (spare_name)
POOL = ".salesplay/spares"
#: outputs smaller than this are neither kept nor written over a spare: what a spare saves
#: grows with the bytes written (a kit's megabytes), its renames do not
MIN_BYTES = 128 * 1024
#: a lease tells whether anyone else has a file open (Linux); without it no file is reused
SUPPORTED = fcntl is not None and hasattr(fcntl, "F_SETLEASE")
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | os.O_NOFOLLOW


def spare_name(rel: str) -> str:
    """The name of the spare of output `rel` in the pool: a digest, so that no output name
    (a locale's folder, a partner id) is parsed back out of it."""
    return hashlib.sha256(rel.encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".spare"


def quiet_leases() -> None:
    """Ignore SIGIO, the signal a lease's holder gets when another process opens its file:
    its default ends the process, and `reuse` holds a lease for two system calls. Called
    from the main thread of a build, whose workers inherit it."""
    if SUPPORTED and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGIO, signal.SIG_IGN)


def keep(out: os.PathLike[str] | str, dir_fd: int, name: str, rel: str) -> bool:
    """Move `name`, a file in `dir_fd` (the folder of output `rel`) that held `rel` before
    it was replaced, into the pool as `rel`'s spare; False where it is not kept (small, not
    a plain file, linked elsewhere, or the pool cannot be had), and the caller removes it.
    A spare `rel` had already is replaced, and so freed."""
    if not SUPPORTED:
        return False
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        return False
    # another name for it (a hard link someone made to share a kit) must keep its bytes
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1 or info.st_size < MIN_BYTES:
        return False
    pool = _open_pool(out, make=True)
    if pool is None:
        return False
    try:
        os.rename(name, spare_name(rel), src_dir_fd=dir_fd, dst_dir_fd=pool)
    except OSError:
        return False  # e.g. the output's folder on another file system
    finally:
        os.close(pool)
    return True


def reuse(out: os.PathLike[str] | str, dir_fd: int, rel: str, temp: str, data: bytes) -> bool:
    """Write `data` into `rel`'s spare, first moved to the new name `temp` in `dir_fd` (the
    folder of `rel`), as stage_output writes a new temporary file; False where there is no
    spare it may write (none, a link, linked elsewhere, open in any other process), and
    `temp` is not there.

    Writing over a spare's pages costs about half the CPU of writing fresh ones here (the
    kernel neither hands out nor frees a page), and a kit is megabytes. A spare another
    process still reads (an old kit being downloaded, mapped) is never written: a write
    lease is refused while anyone else has the file open, so the reader keeps its bytes."""
    if not SUPPORTED or len(data) < MIN_BYTES:
        return False
    pool = _open_pool(out, make=False)
    if pool is None:
        return False
    try:
        os.rename(spare_name(rel), temp, src_dir_fd=pool, dst_dir_fd=dir_fd)
    except OSError:
        return False  # no spare (or another file system)
    finally:
        os.close(pool)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError:  # a link (never followed), a folder: not ours to write
        _unlink(dir_fd, temp)
        return False
    try:
        info = os.fstat(fd)
        if not (stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and _alone(fd)):
            _unlink(dir_fd, temp)  # the other names and readers keep its bytes
            return False
        os.fchmod(fd, 0o600)  # as a new temporary file is, until committed
        view = memoryview(data)
        done = 0
        while done < len(data):
            done += os.pwrite(fd, view[done:], done)
        os.ftruncate(fd, len(data))
    except BaseException:
        _unlink(dir_fd, temp)
        raise
    finally:
        os.close(fd)
    return True


def drop(out: os.PathLike[str] | str, rel: str) -> None:
    """Remove the spare of output `rel`, an output the build no longer makes."""
    pool = _open_pool(out, make=False)
    if pool is not None:
        try:
            _unlink(pool, spare_name(rel))
        finally:
            os.close(pool)


def _alone(fd: int) -> bool:
    """Whether no other open file description (this process's included) and no mapping
    holds the file of `fd`: a write lease is granted only then."""
    assert fcntl is not None
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
    except OSError:  # held elsewhere (EAGAIN), or no leases on this file system
        return False
    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    return True


def _open_pool(out: os.PathLike[str] | str, *, make: bool) -> int | None:
    """An fd of the pool folder, reached from `out` without following a link (made when
    `make`); None where there is none or the way is not a plain folder."""
    try:
        fd = os.open(out, _DIR_FLAGS)
    except OSError:
        return None
    try:
        for part in POOL.split("/"):
            if make:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o755, dir_fd=fd)
            sub = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = sub
    except OSError:
        os.close(fd)
        return None
    return fd


def _unlink(dir_fd: int, name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=dir_fd)

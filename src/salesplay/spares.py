"""The files of replaced outputs, kept until those outputs' next versions are written."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat

#: the pool, under --out: one spare per output at most, named by the output (spare_name)
POOL = ".salesplay/spares"
#: outputs smaller than this keep no spare: what freeing one just in time saves grows with
#: its pages (a kit's megabytes), its renames do not
MIN_BYTES = 128 * 1024
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | os.O_NOFOLLOW


def spare_name(rel: str) -> str:
    """The name of the spare of output `rel` in the pool: a digest, so that no output name
    (a locale's folder, a partner id) is parsed back out of it."""
    return hashlib.sha256(rel.encode("utf-8", "surrogateescape")).hexdigest()[:32] + ".spare"


def keep(out: os.PathLike[str] | str, dir_fd: int, name: str, rel: str) -> bool:
    """Move `name`, a file in `dir_fd` (the folder of output `rel`) that held `rel` before
    it was replaced, into the pool as `rel`'s spare; False where it is not kept (it or the
    output now small, not a plain file, or the pool cannot be had), and the caller removes
    it. A spare `rel` had already is replaced, and so removed.

    The spare is never written or read: it is removed just before `rel`'s next version is
    written (`drop`), whose file then takes the pages the kernel has just freed. On these
    machines a page freed a moment before costs a fraction of one the kernel hands out
    fresh, and a build must keep every file it replaces until it has written everything
    (outputs.Journal), so without spares all of a kit-wide edit's new kits went to fresh
    pages. A file removed is never changed: whoever still holds it (an open file, a hard
    link, a download the kernel is sending from its pages) keeps its bytes."""
    if os.rename not in os.supports_dir_fd:
        return False
    # the output as it is now: one that shrank below the line keeps no spare either
    if not _both_large(dir_fd, name, os.path.basename(rel)):
        return False
    pool = _open_pool(out, make=True)
    if pool is None:
        return False
    try:
        os.rename(name, spare_name(rel), src_dir_fd=dir_fd, dst_dir_fd=pool)
    except OSError:
        return False  # e.g. the output's folder on another file system, a folder there
    finally:
        os.close(pool)
    return True


def hold(out: os.PathLike[str] | str, dir_fd: int, name: str, staged: str, rel: str) -> bool:
    """Keep the file `name` (in `dir_fd`, the folder of output `rel`) as `rel`'s spare now,
    under a second name in the pool (a hard link), before `staged` replaces it: a build's
    backup of what it replaced and the spare it leaves are then one file, and letting go of
    it once all is written costs nothing (outputs.Journal). False where it is not kept so
    (either file small, not a plain file, the pool or a link not to be had): the caller
    keeps it beside, as before. A spare `rel` had already (the version before last) goes."""
    if not _both_large(dir_fd, name, staged):
        return False
    pool = _open_pool(out, make=True)
    if pool is None:
        return False
    spare = spare_name(rel)
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(spare, dir_fd=pool)
        os.link(name, spare, src_dir_fd=dir_fd, dst_dir_fd=pool, follow_symlinks=False)
    except OSError:
        return False  # e.g. the output's folder on another file system
    finally:
        os.close(pool)
    return True


def put_back(out: os.PathLike[str] | str, dir_fd: int, name: str, rel: str) -> bool:
    """Undo `hold` and the commit after it: `rel`'s spare renamed back to `name` in `dir_fd`,
    over the file that replaced it; False where there is none to put back."""
    pool = _open_pool(out, make=False)
    if pool is None:
        return False
    try:
        os.replace(spare_name(rel), name, src_dir_fd=pool, dst_dir_fd=dir_fd)
    except OSError:
        return False
    finally:
        os.close(pool)
    return True


def drop(out: os.PathLike[str] | str, rel: str) -> None:
    """Remove the spare of output `rel` (its name only: a link is not followed, a folder is
    left): before `rel` is written again, or when the build no longer makes it."""
    pool = _open_pool(out, make=False)
    if pool is not None:
        try:
            with contextlib.suppress(OSError):
                os.unlink(spare_name(rel), dir_fd=pool)
        finally:
            os.close(pool)


def _both_large(dir_fd: int, old: str, new: str) -> bool:
    """Whether `old` (in `dir_fd`) is a plain file and it and `new` both reach MIN_BYTES: a
    file worth keeping as a spare, for an output still large."""
    try:
        info = os.stat(old, dir_fd=dir_fd, follow_symlinks=False)
        now = os.stat(new, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and min(info.st_size, now.st_size) >= MIN_BYTES


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

"""Atomic output writing, checksums and kit manifests (zips: render/archive.py)."""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import mmap
import os
import re
import secrets
import stat
import subprocess
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO, cast

from salesplay import spares
from salesplay.diagnostics import Location
from salesplay.faults import BuildFault

OUTPUT_MODE = 0o644
#: what a folder of --out is made with, less what the umask takes (as mkdir does): never
#: writable by others, even under `umask 000`
FOLDER_MODE = 0o755


def _umask() -> int:
    """The process's umask, read without changing it (Linux: /proc/self/status)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and put back, once, at import (one thread)
    os.umask(mask)
    return mask


#: an output's mode: OUTPUT_MODE less what the umask takes (`umask 077`: private)
FILE_MODE = OUTPUT_MODE & ~_umask()


#: Temporary files of an atomic write: named so they are never taken for an output, and
#: so that a later build can remove those a killed one left behind.
TEMP_PREFIX = ".salesplay-tmp-"
TEMP_SUFFIX = ".tmp"
#: the writer's pid, then a random part: a later build removes only a dead writer's files.
_TEMP_RE = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-[0-9a-f]{16}" + re.escape(TEMP_SUFFIX))
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


class UnsafeTarget(ValueError):
    """An output that would be written outside --out, or through a link or a file."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(reason)
        self.path = path


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.parent, _DIR_FLAGS)
    try:
        _replace_at(fd, path.name, data)
    finally:
        os.close(fd)


def _replace_at(dir_fd: int, name: str, data: bytes, *, durable: bool = True) -> None:
    """Replace `name` in the open folder `dir_fd` atomically; a link there is replaced.
    `durable`: on disk before the call returns (fsync of the file, then of the folder)."""
    tmp = _temp_name()
    _write_new(dir_fd, tmp, data, durable=durable, mode=FILE_MODE)
    _rename_in(dir_fd, tmp, name, durable=durable)


def _rename_in(dir_fd: int, tmp: str, name: str, *, durable: bool) -> None:
    """The complete file `tmp` in `dir_fd` renamed to `name` (removed if that fails)."""
    try:
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise
    # Makes the rename itself durable.
    if durable:
        with contextlib.suppress(OSError):
            os.fsync(dir_fd)


def _temp_name() -> str:
    return f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(8)}{TEMP_SUFFIX}"


def _write_new(
    dir_fd: int,
    tmp: str,
    data: bytes,
    *,
    durable: bool = False,
    mode: int | None = None,
    synced_later: bool = False,
) -> None:
    """Write the new file `tmp` in `dir_fd` (0600 while incomplete; `mode` once written).
    `synced_later`: its fsync comes later (commit_output); a large file starts on its way
    to the disk now (start_writeback)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(tmp, flags, 0o600, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            if synced_later and len(data) >= EARLY_WRITEBACK:
                start_writeback(out.fileno())
            if durable:
                os.fsync(out.fileno())
            if mode is not None:
                # 0600 until complete; outputs are served and shared.
                os.fchmod(out.fileno(), mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise


#: the least bytes a staged file must hold for its writeback to start as it is staged (a
#: kit, a playbook); a page's few kilobytes are synced with the rest as before
EARLY_WRITEBACK = 1 << 20
#: sync_file_range's flag that starts writing a file's dirty pages without waiting for them
_SYNC_FILE_RANGE_WRITE = 2


def start_writeback(fd: int) -> None:
    """Start writing the dirty pages of the open file `fd` to the disk, without waiting
    (Linux `sync_file_range(SYNC_FILE_RANGE_WRITE)`; elsewhere nothing). Its fsync later
    then waits only for what is left: a kit-wide edit writes 2.5 GB, which this disk
    takes about 2.1 s to hold, and each kit's pages go to it while the next kits are made
    rather than when the build's writer commits it. A hint: it changes no byte and no
    promise of fsync's."""
    call = _sync_file_range()
    if call is not None:
        call(fd, 0, 0, _SYNC_FILE_RANGE_WRITE)  # a refusal leaves it to the fsync


@functools.cache
def _sync_file_range() -> Callable[[int, int, int, int], int] | None:
    """libc's sync_file_range, typed; None where there is none (not Linux). ctypes is
    imported here, by a build that stages a kit, not by every command that writes."""
    import ctypes

    try:
        func = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    func.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    func.restype = ctypes.c_int
    return cast("Callable[[int, int, int, int], int]", func)


def output_parts(rel: str) -> list[str]:
    """The components of an output name: relative, normalized, no '..'; else ValueError."""
    if not rel or "\\" in rel or "\x00" in rel or rel.startswith("/"):
        raise ValueError(f"output name {rel!r} is empty, absolute or holds a backslash or NUL")
    parts = rel.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"output name {rel!r} has an empty, '.' or '..' component")
    return parts


def check_target(out: Path, rel: str) -> Path:
    """`out/rel`, if writing it there stays inside `out`; else UnsafeTarget. Writes nothing.

    `rel` must be a plain relative name, and no folder on the way may be a symbolic link
    or a file. Folders that do not exist yet are fine (they will be made); a link at the
    target itself is replaced, never written through.
    """
    check_targets(out, [rel])
    return out / rel


def check_targets(out: Path, rels: Iterable[str]) -> None:
    """Check each of `rels` as check_target says, in order (the first unsafe one raises
    UnsafeTarget), looking at `out` and each folder on the way once: a thousand kits share
    `kits/`."""
    root, seen_out = os.fspath(out), False
    folders: dict[str, int | None] = {}  # a folder's lstat mode; None: it does not exist
    for rel in rels:
        try:
            parts = output_parts(rel)
        except ValueError as exc:
            raise UnsafeTarget(out, f"refusing to write outside --out: {exc}") from None
        target = out / rel
        if not seen_out:
            if out.exists() and not out.is_dir():
                raise UnsafeTarget(target, f"cannot write: --out '{out}' is not a folder")
            seen_out = True
        here = root
        for index, part in enumerate(parts):
            here = os.path.join(here, part)
            last = index == len(parts) - 1
            try:
                if last:
                    mode = _mode(here)
                elif here in folders:
                    mode = folders[here]
                else:
                    mode = folders[here] = _mode(here)
            except OSError as exc:
                raise UnsafeTarget(target, f"cannot write: {exc.strerror}") from None
            if mode is None:
                break  # made when written
            if last:
                if stat.S_ISDIR(mode):
                    raise UnsafeTarget(target, "cannot write: a folder is in the way")
            elif stat.S_ISLNK(mode):
                raise UnsafeTarget(
                    target, f"refusing to write through the symbolic link '{Path(here)}' (in --out)"
                )
            elif not stat.S_ISDIR(mode):
                raise UnsafeTarget(target, f"cannot write: '{Path(here)}' is not a folder")


def _mode(path: str) -> int | None:
    """The lstat mode of `path`; None when it does not exist."""
    try:
        return os.lstat(path).st_mode
    except FileNotFoundError:
        return None


def write_output(out: Path, rel: str, data: bytes, *, durable: bool = True) -> bool:
    """Write one output `rel` under `out` atomically; False when it already held `data`.

    Every write of a build goes through here (or through stage_output and commit_output,
    its two halves). Folders are opened one by one without following links, so a link
    planted in `out` (even during the build) cannot lead the write elsewhere:
    UnsafeTarget. OSError for an unwritable `out`. A cache entry checked when read need
    not wait for the disk (`durable=False`): one a power cut damaged is only made again.
    """
    fd = _open_target_folder(out, rel)
    try:
        name = Path(rel).name
        if _holds(fd, name, data):
            return False
        _replace_at(fd, name, data, durable=durable)
        return True
    finally:
        os.close(fd)


def stage_output(out: Path, rel: str, data: bytes) -> str | None:
    """The first half of write_output: `data` written to a new temporary file beside
    `rel` (not yet on disk for sure, not yet under its name), whose name is returned for
    commit_output; None when `rel` already holds `data`. A forked worker stages the kits it
    makes, so their megabytes never travel back to the parent, which commits them. The
    file `rel` held before its last replacement is removed first, for this one to take its
    pages (spares)."""
    return _stage(out, rel, data, cache=False)


def _stage(out: Path, rel: str, data: bytes, *, cache: bool) -> str | None:
    """`data` written to a new temporary file beside `rel`, its name returned; None when
    `rel` holds `data` already. An output takes the pages of its spare and is synced when
    committed; a cache file gets its mode now and is never synced (it is checked when read)."""
    fd = _open_target_folder(out, rel)
    try:
        if _holds(fd, Path(rel).name, data):
            return None
        tmp = _temp_name()
        if cache:
            _write_new(fd, tmp, data, mode=FILE_MODE)
        else:
            spares.drop(out, rel)
            _write_new(fd, tmp, data, synced_later=True)
        return tmp
    finally:
        os.close(fd)


def commit_output(out: Path, rel: str, temp: str) -> None:
    """The second half of write_output: the temporary file `temp` that stage_output made
    beside `rel` synced to disk and renamed to `rel`, which it replaces atomically."""
    if not _TEMP_RE.fullmatch(temp):
        raise ValueError(f"not a staged file: {temp!r}")
    fd = _open_target_folder(out, rel)
    try:
        try:
            staged = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            try:
                os.fsync(staged)
                os.fchmod(staged, FILE_MODE)
            finally:
                os.close(staged)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=fd)
            raise
        _rename_in(fd, temp, Path(rel).name, durable=True)
    finally:
        os.close(fd)


def stage_cache(out: Path, rel: str, data: bytes) -> str | None:
    """write_output's first half for a cache file made where a unit is made (a kit's band
    file, on its worker): `data` written whole, with its mode, to a new temporary file
    beside `rel`, whose name is returned for commit_cache; None when `rel` holds `data`
    already. The build renames it in once nothing can be put back, and a build that stops
    or is killed leaves it to the sweep of temporary files: `rel` stays as it was. Not
    synced: a cache file is checked when read."""
    return _stage(out, rel, data, cache=True)


def commit_cache(out: Path, rel: str, temp: str) -> None:
    """stage_cache's second half: the temporary file `temp` renamed to `rel` (not synced)."""
    if not _TEMP_RE.fullmatch(temp):
        raise ValueError(f"not a staged file: {temp!r}")
    fd = _open_target_folder(out, rel)
    try:
        _rename_in(fd, temp, Path(rel).name, durable=False)
    finally:
        os.close(fd)


#: what keep_previous answers when the file it kept is its output's spare already
SPARE = "<spare>"


def keep_previous(out: Path, rel: str, staged: str | None = None) -> str | None:
    """A second name (a hard link, no byte copied) for the file `rel` holds before it is
    replaced, so that a build that cannot write all its pages can put it back
    (restore_previous); None when `rel` holds no file. Raises OSError where the file could
    not be replaced either (a file marked immutable refuses a link as it refuses a rename).

    With `staged` (the file that is to replace it), a large one is linked into the spares
    instead, as the spare it will be once the build is over (spares.hold), and SPARE
    comes back: letting go of it then moves nothing."""
    fd = _open_target_folder(out, rel)
    try:
        name = Path(rel).name
        try:
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        if (
            staged is not None
            and _TEMP_RE.fullmatch(staged)
            and spares.hold(out, fd, name, staged, rel)
        ):
            return SPARE
        backup = _temp_name()
        os.link(name, backup, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
        return backup
    finally:
        os.close(fd)


def restore_previous(out: Path, rel: str, backup: str | None) -> None:
    """Undo a commit of `rel`: the file keep_previous kept put back (from the spares when it
    is SPARE), or the new file removed when there was none. Best effort: it runs while a
    build stops on another fault."""
    with contextlib.suppress(OSError, ValueError):
        fd = _open_target_folder(out, rel)
        try:
            name = Path(rel).name
            if backup == SPARE:
                spares.put_back(out, fd, name, rel)
            elif backup is not None and _TEMP_RE.fullmatch(backup):
                os.replace(backup, name, src_dir_fd=fd, dst_dir_fd=fd)
            else:
                os.unlink(name, dir_fd=fd)
            with contextlib.suppress(OSError):
                os.fsync(fd)
        finally:
            os.close(fd)


def retire_previous(out: Path, rel: str, backup: str) -> None:
    """Let go of the file keep_previous kept once `rel` is written for good: kept as
    `rel`'s spare, removed just before its next version is written (spares), or now."""
    _let_go(out, rel, backup, spare=True)


def discard_staged(out: Path, rel: str, temp: str) -> None:
    """Remove a file stage_output made for `rel` that will not be committed."""
    _let_go(out, rel, temp, spare=False)


def _let_go(out: Path, rel: str, temp: str, *, spare: bool) -> None:
    """Remove the temporary file `temp` beside `rel` (only a name of ours), or with
    `spare`, keep it as `rel`'s spare where spares.keep takes it."""
    if not _TEMP_RE.fullmatch(temp):
        return
    with contextlib.suppress(OSError, ValueError):
        fd = _open_target_folder(out, rel)
        try:
            if not (spare and spares.keep(out, fd, temp, rel)):
                os.unlink(temp, dir_fd=fd)
        finally:
            os.close(fd)


def _open_target_folder(out: Path, rel: str) -> int:
    """An fd of the folder `rel` goes in under `out`, made as needed and reached without
    following links; UnsafeTarget for a link or a file on the way."""
    parts = check_target(out, rel).relative_to(out).parts
    out.mkdir(FOLDER_MODE, parents=True, exist_ok=True)
    fd = os.open(out, _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, FOLDER_MODE, dir_fd=fd)
            try:
                sub = os.open(part, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafeTarget(
                        out / rel, f"refusing to write through '{part}': a link or a file"
                    ) from None
                raise
            os.close(fd)
            fd = sub
    except BaseException:
        os.close(fd)
        raise
    return fd


#: the bytes at an output's end compared first when it is as long as the new ones (_holds)
TAIL = 64 * 1024


def _holds(dir_fd: int, name: str, data: bytes) -> bool:
    # Unchanged files keep their mtime; a link is never read through.
    try:
        fd = os.open(
            name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=dir_fd
        )
    except OSError:
        return False
    with os.fdopen(fd, "rb") as src:
        info = os.fstat(src.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        # the end first: a kit's member keys and a PDF's /ID are there, so a changed output
        # of the same size is told apart without reading its megabytes
        tail = min(len(data), TAIL)
        if tail and os.pread(src.fileno(), tail, len(data) - tail) != data[len(data) - tail :]:
            return False
        return src.read(len(data) + 1) == data


def _open_parent(out: Path, parts: Sequence[str]) -> int:
    """An fd of the folder holding out/parts, reached without following links; else OSError."""
    fd = os.open(out, _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            sub = os.open(part, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = sub
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_output(out: Path, rel: str) -> BinaryIO:
    """A regular file `rel` under `out`, opened for reading without following links (to read
    part of it, e.g. one member of a zip); else OSError/ValueError."""
    parts = output_parts(rel)
    dir_fd = _open_parent(out, parts)
    try:
        fd = os.open(
            parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=dir_fd
        )
    finally:
        os.close(dir_fd)
    src = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
        src.close()
        raise ValueError(f"{rel} is not a regular file")
    return src


def map_output(out: Path, rel: str) -> tuple[mmap.mmap | bytes, os.stat_result]:
    """A regular file `rel` under `out`, mapped read-only rather than read (a kit's previous
    version, of which most members are copied as they are), with the stat of the file
    mapped; b"" for an empty file. The map stays valid when the file is replaced. Else
    OSError/ValueError."""
    with open_output(out, rel) as src:
        info = os.fstat(src.fileno())
        if info.st_size == 0:
            return b"", info
        return mmap.mmap(src.fileno(), 0, access=mmap.ACCESS_READ), info


def read_output(out: Path, rel: str, limit: int = 16 << 20) -> bytes:
    """A regular file `rel` under `out`, read without following links; else OSError/ValueError."""
    with open_output(out, rel) as src:
        size = os.fstat(src.fileno()).st_size
        if size > limit:
            raise ValueError(f"{rel} is larger than {limit} bytes")
        # read(limit + 1) would allocate the limit first: 2 ms for each 2 MB kit read
        data = src.read(size + 1)
    if len(data) > limit:
        raise ValueError(f"{rel} is larger than {limit} bytes")
    return data


class Unremovable(BuildFault):
    """An output of an earlier build that cannot be deleted (its folder not writable)."""


def removal_refused(out: Path, rel: str) -> str | None:
    """Why the output `rel` under `out` could not be deleted now, or None: asked for each
    output a build will delete before it writes its first, so that one it cannot delete
    stops it while build/ is as it was (a kit of a removed partner in a read-only folder
    stopped a build after it had rewritten the partners' page)."""
    try:
        parts = output_parts(rel)
    except ValueError:
        return None
    folder = out.joinpath(*parts[:-1])
    if not os.path.lexists(folder / parts[-1]) or os.access(folder, os.W_OK | os.X_OK):
        return None
    return _cannot_remove("its folder is not writable")


def _cannot_remove(why: str) -> str:
    return (
        f"cannot delete this output of an earlier build, which no output makes now: {why}"
        " (make its folder writable, or delete it)"
    )


def drop_cached(out: Path, rel: str) -> None:
    """Remove the cache file `rel` under `out` if it can be: one left only costs room."""
    with contextlib.suppress(OSError, ValueError, Unremovable):
        remove_output(out, rel)


def remove_output(out: Path, rel: str) -> bool:
    """Remove the file or link `rel` under `out` (never what a link points to, never a folder).

    False when there is nothing such to remove, or the way there leaves `out` (a link);
    Unremovable when it is there and cannot be removed.
    """
    try:
        parts = output_parts(rel)
    except ValueError:
        return False
    spares.drop(out, rel)  # its file or folder deleted already or not: its spare goes
    try:
        dir_fd = _open_parent(out, parts)
    except OSError:
        return False
    try:
        mode = os.stat(parts[-1], dir_fd=dir_fd, follow_symlinks=False).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
            return False
        os.unlink(parts[-1], dir_fd=dir_fd)
        return True
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise Unremovable(
            Location(out / rel, 0, 0), _cannot_remove(exc.strerror or str(exc))
        ) from None
    finally:
        os.close(dir_fd)


def remove_empty_folders(out: Path, rel: str) -> None:
    """Remove the folders on the way to `rel` under `out` that are empty now, deepest first:
    what a removed output leaves (a dropped locale's `de/` tree). Never `out` itself, never
    through a link, never a folder that holds anything."""
    try:
        parts = output_parts(rel)
    except ValueError:
        return
    for depth in range(len(parts) - 1, 0, -1):
        folder = parts[:depth]
        try:
            dir_fd = _open_parent(out, folder)
        except OSError:
            return
        try:
            os.rmdir(folder[-1], dir_fd=dir_fd)  # fails on a link, a file or a non-empty folder
        except OSError:
            return
        finally:
            os.close(dir_fd)


def remove_empty_folder(out: Path, rel: str) -> None:
    """Remove the folder `rel` under `out` if it is empty (a stopped build made it for what
    it then did not keep), reached without following a link; anything else is left."""
    try:
        parts = output_parts(rel)
        dir_fd = _open_parent(out, parts)
    except (OSError, ValueError):
        return
    try:
        with contextlib.suppress(OSError):  # a link, a file, a folder that holds anything
            os.rmdir(parts[-1], dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def is_temp_name(name: str) -> bool:
    """Whether `name` is a temporary file of write_atomic."""
    return _TEMP_RE.fullmatch(name) is not None


def sweep_temp_files(out: Path, folders: Iterable[str], mine: bool = False) -> int:
    """Remove the temporary files a killed write left in `out` and under `folders` of it.

    Links are not followed; a temp file of a process still running is left alone, this
    one's too unless `mine` (a stopped build, none of whose writes is under way any more).
    """
    removed = 0
    tops = [out, *(out / f for f in folders)]
    for index, top in enumerate(tops):
        if top.is_symlink() or not top.is_dir():
            continue
        for folder, dirs, files in os.walk(top, followlinks=False):
            if index == 0:
                dirs.clear()  # out itself: its top level only (matrix.*)
            for name in files:
                match = _TEMP_RE.fullmatch(name)
                if match and not _alive(int(match.group(1)), mine):
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(folder, name))
                        removed += 1
    return removed


#: where a build's temporary folders live (a catalog at an earlier revision, extracted to be
#: read): under --out, not the system's temp folder, so that a killed build leaves them where
#: the next one removes them (sweep_scratch)
SCRATCH = ".salesplay/tmp"
#: a scratch folder's name: its maker's pid after the prefix (temp_prefix)
_SCRATCH_RE = re.compile(r"salesplay-[a-z]+-(\d+)-.+")


@contextlib.contextmanager
def located_writes(out: Path, rel: str) -> Iterator[None]:
    """A write's faults as located BuildFaults: an unsafe target, or an unwritable or
    misplaced --out, which is the user's to fix, not a crash."""
    # imported here: the no-change build imports this module, and needs no diagnostics
    from salesplay.diagnostics import Location
    from salesplay.faults import BuildFault

    try:
        yield
    except UnsafeTarget as exc:
        raise BuildFault(Location(exc.path, 0, 0), str(exc)) from None
    except OSError as exc:
        raise BuildFault(Location(out / rel, 0, 0), f"cannot write: {exc.strerror}") from None


def scratch_folder(out: Path) -> Path:
    """The build's scratch folder under `out`, made if need be, with no link on the way."""
    os.close(_open_target_folder(out, f"{SCRATCH}/-"))
    return out / SCRATCH


def drop_scratch(out: Path, existed: Collection[Path] = ()) -> None:
    """Remove the scratch folder, `.salesplay` and `out` itself where each is empty and not
    one of `existed` (a build that stopped made them only to read history in)."""
    scratch = out / SCRATCH
    for folder in (scratch, scratch.parent, out):
        if folder in existed:
            return  # there before the build, and so is what holds it
        try:
            if folder.is_symlink():
                return
            folder.rmdir()  # only an empty folder
        except FileNotFoundError:
            continue  # never made (a build that stopped while writing its pages)
        except OSError:
            return


def temp_prefix(what: str) -> str:
    """The prefix of a temporary folder for `what`: this process's pid in it (sweep_scratch)."""
    return f"salesplay-{what}-{os.getpid()}-"


def sweep_scratch(out: Path, mine: bool = False) -> int:
    """Remove what killed builds left in the scratch folder: each folder of a process no
    longer running. The scratch folder is reached without following a link, and nothing in
    it is followed (a link itself is removed)."""
    import shutil  # here: the no-change build imports this module, and sweeps nothing

    try:
        fd = _open_parent(out, [*SCRATCH.split("/"), "-"])
    except OSError:
        return 0  # none, or a link on the way
    removed = 0
    try:
        for name in os.listdir(fd):
            found = _SCRATCH_RE.fullmatch(name)
            if found is None or _alive(int(found.group(1)), mine):
                continue
            with contextlib.suppress(OSError):
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(name, dir_fd=fd)  # by descriptors: no link inside followed
                else:
                    os.unlink(name, dir_fd=fd)
                removed += 1
    finally:
        os.close(fd)
    return removed


def _alive(pid: int, mine: bool = False) -> bool:
    """Whether process `pid` runs; this process counts as gone when `mine`."""
    if pid == os.getpid():
        return not mine
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def sha256_bytes(data: bytes | memoryview) -> str:
    """Hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Manifest:
    """What a kit or build holds: every file's sha256, the as-of date, the catalog revision."""

    as_of: str
    revision: str | None
    files: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls, members: Iterable[tuple[str, bytes]], *, as_of: date, revision: str | None
    ) -> Manifest:
        """A manifest listing (relative posix path, content) members."""
        return cls(as_of.isoformat(), revision, {name: sha256_bytes(d) for name, d in members})

    def to_json(self) -> bytes:
        """Stable JSON: sorted keys, 2-space indent, trailing newline."""
        # the fields by hand: asdict deep-copies every file's entry (a kit lists ~100)
        fields = {"as_of": self.as_of, "files": self.files, "revision": self.revision}
        return (json.dumps(fields, sort_keys=True, indent=2) + "\n").encode("utf-8")


#: what git itself clears when it works in another repository (`git rev-parse
#: --local-env-vars`): inherited from a hook (GIT_DIR, GIT_INDEX_FILE…), they would make git
#: read that repository, not the one holding the catalog
_GIT_LOCAL_ENV = frozenset(
    {"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS"}
    | {"GIT_CONFIG_COUNT", "GIT_OBJECT_DIRECTORY", "GIT_DIR", "GIT_WORK_TREE"}
    | {"GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE", "GIT_INDEX_FILE", "GIT_NO_REPLACE_OBJECTS"}
    | {"GIT_REPLACE_REF_BASE", "GIT_PREFIX", "GIT_INTERNAL_SUPER_PREFIX", "GIT_SHALLOW_FILE"}
    | {"GIT_COMMON_DIR"}
)
#: settings over any repository's own (GIT_CONFIG_COUNT, git 2.31). A folder of the catalog
#: holding files named HEAD, config, objects/ and refs/ is a repository to git's discovery,
#: and a pull request can add such files: `git status` would run that config's
#: core.fsmonitor. Only the repository of a `.git` is used (safe.bareRepository), and no
#: command of a config is run (core.fsmonitor; hooks, which read commands never run anyway).
_GIT_SETTINGS = (
    ("safe.bareRepository", "explicit"),
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
)


def git_env() -> dict[str, str]:
    """The environment of salesplay's git commands: they only read, so optional locks are off
    (never contending for a busy checkout's index.lock); no prompt; a path is never a pattern;
    and no network: a partial clone's missing objects are not fetched from its remote (a
    build reads no network), which git refuses twice over, for versions without either. The
    repository is the one holding the catalog, whatever a hook exported, read as its commits
    are (replace refs ignored, as the build's fingerprint reads only tags)."""
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCAL_ENV}
    env.update(
        {
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_LITERAL_PATHSPECS": "1",
            "GIT_NO_LAZY_FETCH": "1",
            # only the protocols listed are allowed: this names none (local reads use none)
            "GIT_ALLOW_PROTOCOL": "none",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_CONFIG_COUNT": str(len(_GIT_SETTINGS)),
        }
    )
    for index, (key, value) in enumerate(_GIT_SETTINGS):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


def run_git(directory: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[bytes]:
    """`git -C directory args…` with git_env, output captured; raises what subprocess raises."""
    cmd = ["git", "-C", str(directory), *args]
    return subprocess.run(cmd, capture_output=True, env=git_env(), timeout=timeout, check=False)


def _git(directory: Path, *args: str) -> str | None:
    """A read-only git query's output; None when git is missing or the query fails."""
    try:
        done = run_git(directory, *args)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else None


def git_tags(directory: Path) -> str | None:
    """Every tag of the repository holding `directory` with what it points at, whether it
    is a shallow clone, and in a partial clone what objects it holds (git_objects); None
    outside git. A shallow clone's What's new says its releases are not in this copy: a
    `git fetch --unshallow` that moved no tag kept that page ("0 changed") until one did."""
    tags = _git(directory, "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags")
    if tags is not None and git_shallow(directory):
        tags = f"{tags}\nshallow"
    held = git_objects(directory) if tags is not None else None
    return tags if held is None else f"{tags}\n{held}"


def git_objects(directory: Path) -> str | None:
    """In a partial clone, what objects it holds (`git count-objects -v`); None in a full
    clone or outside git. A release whose files were never fetched has no note, and a
    fetch that brings them changes this, so every key that names the releases holds it:
    else the notes stayed missing ("0 changed") until a tag moved."""
    promisor = r"^(remote\..*\.promisor|extensions\.partialclone)$"
    if not _git(directory, "config", "--get-regexp", promisor):
        return None
    return _git(directory, "count-objects", "-v")


def git_shallow(directory: Path) -> bool:
    """Whether the repository holding `directory` is a shallow clone (CI's `--depth 1`): it
    holds no commit before its tip's, so no earlier release."""
    return _git(directory, "rev-parse", "--is-shallow-repository") == "true"


def git_revision(directory: Path) -> str | None:
    """HEAD of the git repository holding `directory` (+ "-dirty" if it has changes under it).

    None when git is missing or `directory` is not in a work tree; never raises.
    """
    head = _git(directory, "rev-parse", "--verify", "--quiet", "HEAD")
    if not head:
        return None
    status = _git(directory, "status", "--porcelain", "--untracked-files=normal", "--", ".")
    return f"{head}-dirty" if status else head

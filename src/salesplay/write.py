"""Atomic output writing, checksums, kit manifests and reproducible zip archives."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

# Formats that are already compressed: deflating them costs ~30x the time for ~18 %
# (MEASURED.md), so they are stored.
STORED_SUFFIXES = frozenset(
    {".pdf", ".pptx", ".docx", ".xlsx", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".zip"}
    | {".gz", ".woff", ".woff2"}
)
OUTPUT_MODE = 0o644


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp creates 0600; outputs are served and shared.
        os.chmod(tmp, OUTPUT_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sha256_bytes(data: bytes) -> str:
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
        return (json.dumps(asdict(self), sort_keys=True, indent=2) + "\n").encode("utf-8")


def git_revision(directory: Path) -> str | None:
    """HEAD of the git repository holding `directory` (+ "-dirty" if it has changes under it).

    None when git is missing or `directory` is not in a work tree; never raises.
    """
    # Optional locks off: a read-only query must not contend for index.lock.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(directory), *args],
                capture_output=True,
                text=True,
                env=env,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    head = git("rev-parse", "--verify", "--quiet", "HEAD")
    if not head:
        return None
    status = git("status", "--porcelain", "--untracked-files=normal", "--", ".")
    return f"{head}-dirty" if status else head


def check_member_name(name: str) -> str:
    """Return `name` if it is a safe relative posix path for an archive; else ValueError."""
    if not name or "\\" in name or "\x00" in name:
        raise ValueError(f"unsafe archive path {name!r}: empty, backslash or NUL")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ValueError(f"unsafe archive path {name!r}: absolute")
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"unsafe archive path {name!r}: empty, '.' or '..' component")
    return str(PurePosixPath(name))


def deterministic_zip(members: Sequence[tuple[str, bytes]], *, date: date) -> bytes:
    """A zip whose bytes depend only on the members and the date.

    Entries sorted by name, timestamps at `date` midnight, mode 0644, Unix host;
    already-compressed formats stored, the rest deflated.
    """
    names = [check_member_name(name) for name, _ in members]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"duplicate archive paths: {', '.join(dupes)}")
    # The zip format cannot represent dates before 1980.
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(zip(names, (d for _, d in members), strict=True)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # Unix, so that external_attr means a file mode
            info.external_attr = (0o100000 | OUTPUT_MODE) << 16
            stored = PurePosixPath(name).suffix.lower() in STORED_SUFFIXES
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=None if stored else 6)
    return buffer.getvalue()

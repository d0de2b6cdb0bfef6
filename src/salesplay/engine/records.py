"""What each output was made from, kept in build/.salesplay/records.json between builds."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from salesplay import __version__
from salesplay.diagnostics import Diagnostic

RECORDS = ".salesplay/records.json"
#: bumped whenever the meaning of a key changes: an old record then means "rebuild".
FORMAT = 3


@dataclass(frozen=True)
class Record:
    """One output as the last build left it: the key of its inputs and the file it wrote."""

    key: str
    size: int
    mtime_ns: int
    #: warnings made with it (a refused resource, a card past its page budget), said again
    #: when the output is fresh.
    warnings: tuple[Diagnostic, ...] = ()


@dataclass
class Records:
    """Every output's record, plus what the fast no-change path needs."""

    entries: dict[str, Record] = field(default_factory=dict)
    #: fingerprint of every input of the last complete build (None: none recorded).
    fingerprint: str | None = None
    #: what that build printed (diagnostics and counts), to say again when nothing changed.
    report: dict[str, object] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path) -> Records:
        """The records under `out`; missing, corrupt, hostile or old-format ones are empty."""
        from salesplay.write import read_output

        try:
            raw = json.loads(read_output(out, RECORDS, limit=64 << 20).decode("utf-8"))
            if raw.get("format") != FORMAT or raw.get("salesplay") != __version__:
                return cls()
            entries = {
                str(rel): Record(
                    str(e["key"]),
                    int(e["size"]),
                    int(e["mtime_ns"]),
                    tuple(Diagnostic.from_record(w) for w in e.get("warnings", ())),
                )
                for rel, e in raw["entries"].items()
            }
            fingerprint = raw.get("fingerprint")
            report = raw.get("report") or {}
            if not isinstance(fingerprint, str | None) or not isinstance(report, dict):
                return cls()
            return cls(entries, fingerprint, report)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls()

    def to_json(self) -> bytes:
        body = {
            "format": FORMAT,
            "salesplay": __version__,
            "fingerprint": self.fingerprint,
            "report": self.report,
            "entries": {rel: _entry(r) for rel, r in sorted(self.entries.items())},
        }
        return (json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n").encode()

    def fresh(self, out: Path, rel: str, key: str) -> bool:
        """Whether `rel` was made from `key` and the file is still the one that build wrote."""
        record = self.entries.get(rel)
        return record is not None and record.key == key and _same_file(out / rel, record)

    def note(self, out: Path, rel: str, key: str, warnings: tuple[Diagnostic, ...] = ()) -> None:
        """Record that `rel` now holds what `key` makes (after writing or finding it so)."""
        info = (out / rel).lstat()
        self.entries[rel] = Record(key, info.st_size, info.st_mtime_ns, warnings)

    def forget(self, rels: Iterable[str]) -> None:
        """Drop the records of outputs that are no longer made (their files were removed)."""
        for rel in list(rels):
            self.entries.pop(rel, None)

    def warnings(self, rel: str) -> tuple[Diagnostic, ...]:
        """The warnings recorded with `rel`."""
        record = self.entries.get(rel)
        return record.warnings if record else ()

    def all_present(self, out: Path, rels: Iterable[str]) -> bool:
        """Every output in `rels` is recorded and still the file the build left."""
        return all(
            (r := self.entries.get(rel)) is not None and _same_file(out / rel, r) for rel in rels
        )


def _entry(record: Record) -> dict[str, object]:
    return asdict(record) | {"warnings": [w.to_record() for w in record.warnings]}


def _same_file(path: Path, record: Record) -> bool:
    # size and mtime, never the content: reading 2 GB of kits to hash them is the cost we avoid
    try:
        info = path.lstat()
    except OSError:
        return False
    return (
        stat.S_ISREG(info.st_mode)
        and info.st_size == record.size
        and info.st_mtime_ns == record.mtime_ns
    )


@functools.cache
def code_digest() -> str:
    """salesplay's own code and built-in theme: a changed renderer remakes what it made."""
    return tree_digest([Path(__file__).resolve().parents[1]])


def key_of(*parts: object) -> str:
    """A hex SHA-256 naming what an output is made from (bytes taken as they are)."""
    digest = hashlib.sha256(code_digest().encode())
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def tree_digest(roots: Iterable[Path]) -> str:
    """Content digest of every regular file under `roots` (names and bytes).

    Links are named by their target, not followed; a folder that cannot be read counts as
    its error, so that the digest changes when it does.
    """
    digest = hashlib.sha256()
    for root in roots:
        digest.update(f"\0root {root}\0".encode())
        for rel, kind, payload in _walk(root):
            digest.update(f"{kind} {rel}\0".encode("utf-8", "surrogateescape"))
            digest.update(payload)
    return digest.hexdigest()


def _walk(root: Path) -> Iterator[tuple[str, str, bytes]]:
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except FileNotFoundError:
        return
    except OSError as exc:
        yield "", "error", str(exc.errno).encode()
        return
    for entry in entries:
        if entry.name == "__pycache__":
            continue  # compiled copies of what is hashed anyway
        try:
            if entry.is_symlink():
                yield entry.name, "link", os.readlink(entry.path).encode("utf-8", "surrogateescape")
            elif entry.is_dir(follow_symlinks=False):
                for rel, kind, payload in _walk(Path(entry.path)):
                    yield f"{entry.name}/{rel}", kind, payload
            elif entry.is_file(follow_symlinks=False):
                yield entry.name, "file", _file_digest(Path(entry.path))
            else:
                yield entry.name, "special", b""
        except OSError as exc:
            yield entry.name, "error", str(exc.errno).encode()


def _file_digest(path: Path) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            digest.update(chunk)
    return digest.digest()

"""What each output was made from, kept in build/.salesplay/records.json between builds."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from salesplay import __version__, jsonfile
from salesplay.diagnostics import Diagnostic

RECORDS = ".salesplay/records.json"
#: what a records file's numbers raise where an int is made of them (1e400 is infinity),
#: and an index past a list's end, besides what an unreadable file raises
_OVER = (OverflowError, IndexError)
#: bumped whenever the meaning of a key changes: an old record then means "rebuild".
FORMAT = 6


#: a file modified this close to when its stat was taken may change again without its
#: mtime moving (timestamps are coarse): its memo entry is not trusted.
_RACY_NS = 2_000_000_000


@dataclass
class FileMemo:
    """File digests by path and stat from the last build, so that the no-change check reads
    only files whose stat moved (as git's index does); never trusted for a file modified
    within two seconds of when its stat was taken."""

    #: path → (size, mtime_ns, ctime_ns, inode, hex digest), as the last build saw them.
    known: dict[str, tuple[int, int, int, int, str]] = field(default_factory=dict)
    #: when the last build took those stats.
    taken_ns: int = 0
    #: what this run saw, to save for the next.
    seen: dict[str, tuple[int, int, int, int, str]] = field(default_factory=dict)
    now_ns: int = field(default_factory=time.time_ns)
    #: tree digests this run made, by roots and skipped names: a build asks for the
    #: catalog's, the templates' and the PDFs' folders' from several places
    trees: dict[tuple[tuple[str, ...], frozenset[str]], str] = field(default_factory=dict)

    def digest(self, entry: os.DirEntry[str]) -> bytes:
        return self.digest_at(entry.path, entry.stat(follow_symlinks=False))

    def digest_at(self, path: str, info: os.stat_result) -> bytes:
        """The digest of the file at `path`, whose stat is `info`."""
        stat_of = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        seen = self.seen.get(path)
        if seen is not None and seen[:4] == stat_of:
            return bytes.fromhex(seen[4])  # read already in this run (the plan keys walk again)
        known = self.known.get(path)
        if known is not None and known[:4] == stat_of and known[1] < self.taken_ns - _RACY_NS:
            hexdigest = known[4]
        else:
            hexdigest = _file_digest(Path(path)).hex()
        self.seen[path] = (*stat_of, hexdigest)
        return bytes.fromhex(hexdigest)

    def changed_under(self, root: Path) -> set[str]:
        """The files under `root` (walked this run) whose bytes differ from what the last
        build saw, or that one of the two runs did not see, relative to `root`."""
        prefix = os.path.join(str(root), "")
        paths = {p for p in (*self.seen, *self.known) if p.startswith(prefix)}
        return {
            p.removeprefix(prefix)
            for p in paths
            if p not in self.seen or p not in self.known or self.seen[p][4] != self.known[p][4]
        }


@dataclass(frozen=True)
class Record:
    """One output as the last build left it: the key of its inputs and the file it wrote."""

    key: str
    size: int
    mtime_ns: int
    #: warnings made with it (a refused resource, a card past its page budget), said again
    #: when the output is fresh.
    warnings: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class PlannedOutput:
    """One output of a recorded plan: enough to know it is fresh without planning again."""

    rel: str
    key: str
    stage: int = 0
    subject: tuple[str, str] | None = None
    #: where a part of a plan puts it, in that plan's own terms (a kit member:
    #: what, tier, id); empty for an output.
    slot: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanMemo:
    """What one family planned in one locale, and the key of every input of that plan."""

    key: str
    outputs: tuple[PlannedOutput, ...]


@dataclass(frozen=True)
class PageKey:
    """A PDF's page (or a portal's card page) as the last build rendered it: what it read of
    its edition, the key of those reads, and the key of the output that page made
    (engine.reads, families.base pdf_page, families.site card_pages). While the reads' key
    is the same, the output's key is known without rendering the page again."""

    #: the output the page made
    rel: str
    #: (table, id, what) of everything of its edition it read (engine.reads.Read)
    reads: frozenset[tuple[str, str, str]]
    #: the key of those reads and of everything else the page was made from
    key: str
    #: the output's key (Unit.key)
    unit: str
    #: the unit's estimated cost (Unit.cost)
    cost: float
    #: the files the page may load (render.loads.Loads.of_page), named by placeless(); a
    #: card page's: the theme files and assets it refers to ("theme:…", "asset:…")
    loads: tuple[str, ...] = ()


@dataclass
class Records:
    """Every output's record, plus what the fast no-change path needs."""

    entries: dict[str, Record] = field(default_factory=dict)
    #: fingerprint of every input of the last complete build (None: none recorded).
    fingerprint: str | None = None
    #: what that build printed (diagnostics and counts), to say again when nothing changed.
    report: dict[str, object] = field(default_factory=dict)
    #: the input files' digests by stat (see FileMemo).
    files: FileMemo = field(default_factory=FileMemo)
    #: "family@locale" → its last plan, reused while the plan's inputs are unchanged.
    plans: dict[str, PlanMemo] = field(default_factory=dict)
    #: "family:output@locale" → the page its PDF was last made from (PageKey).
    pages: dict[str, PageKey] = field(default_factory=dict)
    #: "catalog", "templates" → where that folder was (resolved) when the warnings were kept
    roots: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path) -> Records:
        """The records under `out`; missing, corrupt, hostile or old-format ones are empty."""
        from salesplay.write import read_output

        try:
            raw = jsonfile.loads(read_output(out, RECORDS, limit=64 << 20).decode("utf-8"))
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
            memo, plans, pages = _memo(raw.get("files")), _plans(raw), _pages(raw)
            roots = {str(k): str(v) for k, v in (raw.get("roots") or {}).items()}
            return cls(entries, fingerprint, report, memo, plans, pages, roots)
        except (OSError, ValueError, TypeError, KeyError, AttributeError, *_OVER):
            return cls()

    def to_json(self) -> bytes:
        body = {
            "format": FORMAT,
            "salesplay": __version__,
            "fingerprint": self.fingerprint,
            "report": self.report,
            "entries": {rel: _entry(r) for rel, r in sorted(self.entries.items())},
            "files": {
                "taken_ns": self.files.now_ns,
                "digests": {p: list(e) for p, e in sorted(self.files.seen.items())},
            },
            "plans": {name: _plan_memo(m) for name, m in sorted(self.plans.items())},
            "pages": {name: _page_key(p) for name, p in sorted(self.pages.items())},
            "roots": dict(sorted(self.roots.items())),
        }
        return (json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n").encode()

    def reanchor(self, roots: Mapping[str, Path]) -> None:
        """Name the folders in `roots` where they are now in every kept warning: an output's
        key names its folders by rank (placeless), so one made before the catalog folder
        was renamed (`plays` to `catalog`) is fresh, and its warnings, said again, named a
        file that is no longer there."""
        now = {name: str(path) for name, path in roots.items()}
        moves = [
            (Path(old), Path(now[name]))
            for name, old in self.roots.items()
            if name in now and old != now[name]
        ]
        self.roots = now
        if not moves:
            return
        for rel, record in self.entries.items():
            if record.warnings:
                moved = tuple(_moved(w, moves) for w in record.warnings)
                self.entries[rel] = dataclasses.replace(record, warnings=moved)

    def fresh(self, out: Path, rel: str, key: str) -> bool:
        """Whether `rel` was made from `key` and the file is still the one that build wrote."""
        record = self.entries.get(rel)
        return record is not None and record.key == key and _same_file(out / rel, record)

    def written(self, rel: str, info: os.stat_result) -> bool:
        """Whether the file whose stat is `info` is the `rel` the last build wrote (its size
        and mtime), whatever it was made from: trusted as the no-change path trusts it."""
        record = self.entries.get(rel)
        return record is not None and _as_recorded(info, record)

    def note(self, out: Path, rel: str, key: str, warnings: tuple[Diagnostic, ...] = ()) -> None:
        """Record that `rel` now holds what `key` makes (after writing or finding it so)."""
        info = (out / rel).lstat()
        self.entries[rel] = Record(key, info.st_size, info.st_mtime_ns, warnings)

    def planned(self, name: str, key: str, out: Path) -> tuple[PlannedOutput, ...] | None:
        """The outputs of plan `name` when it was made from `key` and every one of them is
        still the file that plan's build left; None otherwise (plan again)."""
        outputs = self.recalled(name, key)
        if outputs is None or not all(self.fresh(out, o.rel, o.key) for o in outputs):
            return None
        return outputs

    def recalled(self, name: str, key: str) -> tuple[PlannedOutput, ...] | None:
        """What plan `name` recorded when it was made from `key`; None otherwise."""
        memo = self.plans.get(name)
        return memo.outputs if memo is not None and memo.key == key else None

    def forget(self, rels: Iterable[str]) -> None:
        """Drop the records of outputs that are no longer made (their files were removed)."""
        gone = set(rels)
        for rel in gone:
            self.entries.pop(rel, None)
        for name in [n for n, page in self.pages.items() if page.rel in gone]:
            del self.pages[name]

    def warnings(self, rel: str) -> tuple[Diagnostic, ...]:
        """The warnings recorded with `rel`."""
        record = self.entries.get(rel)
        return record.warnings if record else ()

    def all_present(self, out: Path, rels: Iterable[str]) -> bool:
        """Every output in `rels` is recorded and still the file the build left."""
        return all(
            (r := self.entries.get(rel)) is not None and _same_file(out / rel, r) for rel in rels
        )


def _memo(raw: object) -> FileMemo:
    """The file memo of a records file; an unusable one is empty (every file is read)."""
    try:
        assert isinstance(raw, dict)
        known = {
            str(path): (int(e[0]), int(e[1]), int(e[2]), int(e[3]), bytes.fromhex(e[4]).hex())
            for path, e in raw["digests"].items()
        }
        return FileMemo(known, int(raw["taken_ns"]))
    except _UNUSABLE:
        return FileMemo()


T = TypeVar("T")

#: what a records file's unusable part raises while it is read back
_UNUSABLE = (AssertionError, ValueError, TypeError, KeyError, IndexError, AttributeError, *_OVER)


def _section(raw: dict[str, object], name: str, parse: Callable[[Any], T]) -> dict[str, T]:
    """The section `name` of a records file, each entry parsed; an unusable section is
    empty (what it would have spared is done again)."""
    try:
        found = raw.get(name) or {}
        assert isinstance(found, dict)
        return {str(key): parse(value) for key, value in found.items()}
    except _UNUSABLE:
        return {}


def _plans(raw: dict[str, object]) -> dict[str, PlanMemo]:
    """The plan memos of a records file; an unusable one is empty (every family plans)."""

    def memo(m: Any) -> PlanMemo:
        outputs = tuple(
            PlannedOutput(
                str(o["rel"]),
                str(o["key"]),
                int(o["stage"]),
                (str(o["subject"][0]), str(o["subject"][1])) if o["subject"] else None,
                tuple(str(part) for part in o.get("slot", ())),
            )
            for o in m["outputs"]
        )
        return PlanMemo(str(m["key"]), outputs)

    return _section(raw, "plans", memo)


def _pages(raw: dict[str, object]) -> dict[str, PageKey]:
    """The page keys of a records file; an unusable one is empty (every page is rendered)."""

    def page(p: Any) -> PageKey:
        read = frozenset((str(table), str(eid), str(what)) for table, eid, what in p["reads"])
        loads = tuple(str(path) for path in p["loads"])
        return PageKey(str(p["rel"]), read, str(p["key"]), str(p["unit"]), float(p["cost"]), loads)

    return _section(raw, "pages", page)


def _moved(warning: Diagnostic, moves: Sequence[tuple[Path, Path]]) -> Diagnostic:
    for old, new in moves:
        with contextlib.suppress(ValueError):
            rest = warning.loc.file.relative_to(old)
            return dataclasses.replace(
                warning, loc=dataclasses.replace(warning.loc, file=new / rest)
            )
    return warning


# By hand, not dataclasses.asdict: that deep-copies every field of thousands of records
# (a tenth of a second a build on a thousand kits, serve's passes included).
def _entry(record: Record) -> dict[str, object]:
    return {
        "key": record.key,
        "size": record.size,
        "mtime_ns": record.mtime_ns,
        "warnings": [w.to_record() for w in record.warnings],
    }


def _plan_memo(memo: PlanMemo) -> dict[str, object]:
    return {
        "key": memo.key,
        "outputs": [
            {"rel": o.rel, "key": o.key, "stage": o.stage, "subject": o.subject, "slot": o.slot}
            for o in memo.outputs
        ],
    }


def _page_key(page: PageKey) -> dict[str, object]:
    return {
        "rel": page.rel,
        "reads": sorted(page.reads),
        "key": page.key,
        "unit": page.unit,
        "cost": page.cost,
        "loads": list(page.loads),
    }


def _same_file(path: Path, record: Record) -> bool:
    # size and mtime, never the content: reading 2 GB of kits to hash them is the cost we avoid
    try:
        info = path.lstat()
    except OSError:
        return False
    return _as_recorded(info, record)


def _as_recorded(info: os.stat_result, record: Record) -> bool:
    return (
        stat.S_ISREG(info.st_mode)
        and info.st_size == record.size
        and info.st_mtime_ns == record.mtime_ns
    )


@functools.cache
def code_digest() -> str:
    """salesplay's own code and built-in theme: a changed renderer remakes what it made.

    Names no path: a key made of location-free parts (a kit's member keys, in an extra
    field of its zip) is the same wherever salesplay is installed."""
    digest = hashlib.sha256()
    for rel, kind, payload in _walk(Path(__file__).resolve().parents[1]):
        digest.update(f"{kind} {rel}\0".encode("utf-8", "surrogateescape"))
        digest.update(payload)
    return digest.hexdigest()


def key_of(*parts: object) -> str:
    """A hex SHA-256 naming what an output is made from (bytes taken as they are)."""
    digest = hashlib.sha256(code_digest().encode())
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def placeless(value: object, places: Iterable[Path]) -> str:
    """`value` as a key part in which each of `places` (folders) is named by its rank, not
    its path: the file URIs and paths a render job holds differ between checkouts of one
    project, the bytes it makes do not."""
    text = repr(value)
    named = sorted(
        ((p.resolve(), n) for n, p in enumerate(places)), key=lambda pn: -len(str(pn[0]))
    )
    for path, rank in named:
        text = text.replace(path.as_uri(), f"<place {rank}>").replace(str(path), f"<place {rank}>")
    return text


def tree_digest(
    roots: Iterable[Path], memo: FileMemo | None = None, skip: Iterable[str] = ()
) -> str:
    """Content digest of every regular file under `roots` (names and bytes).

    Links are named by their target, not followed; a folder that cannot be read counts as
    its error, so that the digest changes when it does. `memo` spares reading files whose
    stat has not moved since the last build. `skip` names files or folders left out, by
    their path under each root ("partners", "translations/de.po").
    """
    roots, skipped = list(roots), frozenset(skip)
    asked = (tuple(map(str, roots)), skipped)
    if memo is not None and asked in memo.trees:
        return memo.trees[asked]
    digest = hashlib.sha256()
    # roots by their place in the list, not their path: a moved project keeps its keys
    for index, root in enumerate(roots):
        digest.update(f"\0root {index}\0".encode())
        for rel, kind, payload in _walk(root, memo, skipped):
            digest.update(f"{kind} {rel}\0".encode("utf-8", "surrogateescape"))
            digest.update(payload)
    found = digest.hexdigest()
    if memo is not None:
        memo.trees[asked] = found
    return found


def _walk(
    root: Path, memo: FileMemo | None = None, skip: frozenset[str] = frozenset(), at: str = ""
) -> Iterator[tuple[str, str, bytes]]:
    try:
        entries = sorted(
            (e for e in os.scandir(root) if at + e.name not in skip), key=lambda e: e.name
        )
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
                inner = _walk(Path(entry.path), memo, skip, f"{at}{entry.name}/")
                for rel, kind, payload in inner:
                    yield f"{entry.name}/{rel}", kind, payload
            elif entry.is_file(follow_symlinks=False):
                digest = memo.digest(entry) if memo else _file_digest(Path(entry.path))
                yield entry.name, "file", digest
            else:
                yield entry.name, "special", b""
        except OSError as exc:
            yield entry.name, "error", str(exc.errno).encode()


def file_digest(path: Path, memo: FileMemo | None = None) -> bytes:
    """The digest of the file at `path` (links followed), from `memo` while its stat has
    not moved."""
    if memo is None:
        return _file_digest(path)
    return memo.digest_at(str(path), os.stat(path))


def _file_digest(path: Path) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            digest.update(chunk)
    return digest.digest()

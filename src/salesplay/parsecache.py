"""Parsed catalog files kept by content digest under build/.salesplay/: each parsed once."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesplay.load import Document, YamlPath

#: where a build keeps the files it parsed, relative to --out: a first line naming the
#: layout, then one line per document, its key, a tab and its entry as JSON. A build that
#: parsed one file writes the others' lines back as it read them, not encoded again
#: (re-encoding 1.4 MB of JSON for the 50-play catalog cost 30 ms of a partner edit).
FILE = ".salesplay/parsed.jsonl"
#: the layout of that file; another one is ignored (every file is parsed again).
FORMAT = 2
_HEADER = json.dumps({"format": FORMAT}).encode()
_KEY_RE = re.compile(rb"[0-9a-f]{64}")
#: the file is read whole: never more than this.
_LIMIT = 256 << 20
#: the mark a date or timestamp is written under: a catalog key never holds a NUL (load
#: refuses control characters), so no mapping of the catalog reads as one.
_DATE, _DATETIME = "\0date", "\0datetime"

#: one entry: the document's data, then its marks, key marks and styles as lists.
Entry = list[Any]
#: an entry as its line holds it (JSON).
Line = bytes


class _Bad(ValueError):
    """An entry salesplay could not have written."""


@dataclass
class ParseCache:
    """Parsed documents by the digest of their kind, id and bytes (and salesplay's code).

    Reads what an earlier build left under `out` (never following a link), once; a build
    saves the entries it used (`pending`) once it has written its outputs. A missing,
    corrupt or old-format file, or an entry whose shape salesplay could not have written,
    means parsing again: the cache can only save time. `out=None` reads nothing.
    Documents that failed to parse are not kept (their error is found again).
    """

    out: Path | None = None
    #: entries this run used, by key, as JSON: what a build saves.
    used: dict[str, Line] = field(default_factory=dict)
    #: whether this run parsed a file it did not find here.
    added: bool = False
    _stored: dict[str, Line] | None = field(default=None, init=False, repr=False)

    def get(self, path: Path, kind: str, doc_id: str, raw: bytes, text: str) -> Document | None:
        """The document kept for these bytes (`text` is them decoded), or None."""
        key = _key(kind, doc_id, raw)
        line = self._entries().get(key)
        if line is None:
            return None
        try:
            doc = _unpack(json.loads(line), path, kind, doc_id)
        except (_Bad, ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError):
            return None
        doc.lines = text.splitlines()
        self.used[key] = line
        return doc

    def put(self, raw: bytes, doc: Document) -> None:
        """Keep a document just parsed from `raw`."""
        entry = _pack(doc)
        if entry is not None:
            line = json.dumps(entry, separators=(",", ":"), allow_nan=False).encode()
            self.used[_key(doc.kind, doc.id, raw)] = line
            self.added = True

    def pending(self) -> bytes | None:
        """The file to save under FILE, or None when the stored one already says it all."""
        if not self.added and set(self.used) == set(self._entries()):
            return None
        lines = [_HEADER, *(key.encode() + b"\t" + line for key, line in sorted(self.used.items()))]
        return b"\n".join(lines) + b"\n"

    def _entries(self) -> dict[str, Line]:
        if self._stored is None:
            self._stored = self._read()
        return self._stored

    def _read(self) -> dict[str, Line]:
        """Each entry's line as stored (parsed when asked for); an entry that does not
        parse, or is of the wrong shape, is parsed from its file again."""
        if self.out is None:
            return {}
        from salesplay.write import read_output

        try:
            header, *lines = read_output(self.out, FILE, limit=_LIMIT).split(b"\n")
        except (OSError, ValueError):
            return {}
        if header != _HEADER:
            return {}
        entries = {}
        for line in lines:
            key, tab, entry = line.partition(b"\t")
            if tab and _KEY_RE.fullmatch(key):
                entries[key.decode()] = entry
        return entries


def _key(kind: str, doc_id: str, raw: bytes) -> str:
    from salesplay.engine.records import key_of

    # key_of names salesplay's code too: a changed loader parses every file again
    return key_of("parsed", kind, doc_id, raw)


def _pack(doc: Document) -> Entry | None:
    """The document as JSON-ready lists; None when it holds what JSON cannot carry."""
    try:
        data = _packed(doc.data)
    except _Bad:
        return None
    return [
        data,
        [[list(p), line, col] for p, (line, col) in doc.marks.items()],
        [[list(p), line, col] for p, (line, col) in doc.key_marks.items()],
        [[list(p), style, one] for p, (style, one) in doc.styles.items()],
    ]


def _packed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _packed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_packed(v) for v in value]
    if isinstance(value, dt.datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    if isinstance(value, float) and not math.isfinite(value):
        raise _Bad("not a finite number")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise _Bad(type(value).__name__)


def _unpack(entry: Entry, path: Path, kind: str, doc_id: str) -> Document:
    data, marks, key_marks, styles = entry
    if not isinstance(data, dict):
        raise _Bad("a document is a mapping")
    doc = Document(path=path, kind=kind, id=doc_id, data=_unpacked(data))
    doc.marks = _marks(marks)
    doc.key_marks = _marks(key_marks)
    doc.styles = {_path(p): (_style(style), _bool(one)) for p, style, one in styles}
    return doc


def _marks(rows: Any) -> dict[YamlPath, tuple[int, int]]:
    """[[path, line, col], …] as read back, each part checked (37,000 marks a build)."""
    marks: dict[YamlPath, tuple[int, int]] = {}
    for path, line, col in rows:
        if type(line) is not int or type(col) is not int or line < 0 or col < 0:
            raise _Bad("a line or column is a whole number")
        marks[_path(path)] = (line, col)
    return marks


def _unpacked(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and _DATE in value:
            return dt.date.fromisoformat(value[_DATE])
        if len(value) == 1 and _DATETIME in value:
            return dt.datetime.fromisoformat(value[_DATETIME])
        return {str(k): _unpacked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unpacked(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise _Bad(type(value).__name__)


def _path(parts: Any) -> YamlPath:
    # a loop of exact type checks, not all(isinstance…): every mark of every file passes here
    if type(parts) is not list:
        raise _Bad("a path is a list of keys and indexes")
    for part in parts:
        # exactly str or int: a bool is an int to isinstance, never a path part
        if type(part) is not str and type(part) is not int:
            raise _Bad("a path is a list of keys and indexes")
    return tuple(parts)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad("not true or false")
    return value


def _style(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _Bad("a style is a string")
    return value

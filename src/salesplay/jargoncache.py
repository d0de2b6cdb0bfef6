"""Jargon scans of card texts kept by digest under build/.salesplay/: each text scanned once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from salesplay.memo import Jargon, Scans

#: where a build keeps the scans it used, relative to --out.
FILE = ".salesplay/jargon.json"
#: the layout of that file; another one is ignored (every text is scanned again).
FORMAT = 1
#: the file is read whole: never more than this.
_LIMIT = 64 << 20

#: a text's digest → the glossary terms it uses.
Stored = dict[str, list[str]]


class StoredScans(Scans):
    """Scans by card text (edition.Decoders) that first look for the text's digest among
    those an earlier build stored for the same glossary, and note what this build used."""

    def __init__(self, stored: Stored, glossary: Mapping[str, str]) -> None:
        super().__init__()
        self._stored = stored
        self._glossary = glossary
        #: digest → terms of every text asked for or scanned in this build: what is saved.
        self.used: Stored = {}

    def get(  # type: ignore[override]
        self, text: str, default: tuple[tuple[str, str], ...] | None = None
    ) -> tuple[tuple[str, str], ...] | None:
        found = super().get(text)
        if found is not None:
            return found
        digest = _digest(text)
        terms = self._stored.get(digest)
        # a planted or damaged entry is no scan: only the glossary's own terms are taken,
        # and their meanings always come from the glossary
        if not isinstance(terms, list) or not all(
            isinstance(t, str) and t in self._glossary for t in terms
        ):
            return default
        found = tuple((t, self._glossary[t]) for t in terms)
        super().__setitem__(text, found)
        self.used[digest] = terms
        return found

    def __setitem__(self, text: str, found: tuple[tuple[str, str], ...]) -> None:
        super().__setitem__(text, found)
        self.used[_digest(text)] = [term for term, _ in found]


class JargonCache(Jargon):
    """The jargon scans of earlier builds into `out`, by glossary and card text.

    Reads what an earlier build left under `out` (never following a link), once; a build
    saves the scans it used (`pending`) once it has written its outputs. A missing,
    corrupt or old-format file (or one of another salesplay: the glossary's key names its
    code) means scanning again: the cache can only save time. `out=None` reads nothing.
    """

    def __init__(self, out: Path | None = None) -> None:
        super().__init__()
        self.out = out
        self._file: dict[str, Stored] | None = None
        self._live: dict[str, StoredScans] = {}

    def scans(self, glossary: Mapping[str, str]) -> Scans:
        key = _glossary_key(glossary)
        if key not in self._live:
            self._live[key] = StoredScans(self._entries().get(key, {}), glossary)
        return self._live[key]

    def pending(self) -> bytes | None:
        """The file to save under FILE, or None when the stored one already says it all.

        It keeps what was stored and adds this build's scans: a build that makes only some
        editions (a partner edit) must not forget the others' texts. Past LIMIT texts (old
        versions of edited cards, glossaries edited since) only this build's are kept.
        """
        if not self._live:
            return None
        stored = self._entries()
        merged = {key: dict(entries) for key, entries in stored.items()}
        for key, live in self._live.items():
            merged.setdefault(key, {}).update(live.used)
        if sum(len(entries) for entries in merged.values()) > self.LIMIT:
            merged = {key: dict(live.used) for key, live in self._live.items()}
        if merged == stored:
            return None
        body = {
            "format": FORMAT,
            "glossaries": {key: dict(sorted(e.items())) for key, e in sorted(merged.items())},
        }
        return json.dumps(body, separators=(",", ":")).encode()

    def _entries(self) -> dict[str, Stored]:
        if self._file is None:
            self._file = self._read()
        return self._file

    def _read(self) -> dict[str, Stored]:
        if self.out is None:
            return {}
        from salesplay.write import read_output

        try:
            raw = json.loads(read_output(self.out, FILE, limit=_LIMIT))
            if raw.get("format") != FORMAT or not isinstance(raw.get("glossaries"), dict):
                return {}
            return {str(k): v for k, v in raw["glossaries"].items() if isinstance(v, dict)}
        except (OSError, ValueError, AttributeError, RecursionError):
            return {}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _glossary_key(glossary: Mapping[str, str]) -> str:
    from salesplay.engine.records import key_of

    # key_of names salesplay's code too: a changed scanner scans every text again
    return key_of("jargon", sorted(glossary.items()))

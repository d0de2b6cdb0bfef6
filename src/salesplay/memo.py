"""What a long-lived process keeps between builds, by content: parsed files, images, templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesplay.diagnostics import Diagnostic
    from salesplay.engine.reads import Page
    from salesplay.images import Checked
    from salesplay.load import Document, LoadError
    from salesplay.resolve import Catalog

#: a card's text → the glossary terms it uses, as (term, meaning) pairs (edition.Decoders).
Scans = dict[str, tuple[tuple[str, str], ...]]


class Jargon:
    """The jargon scans of cards' texts (the slow part of an edition), kept while the
    glossary stays the same."""

    #: at most this many texts are kept (a long serve session saves many versions of a card).
    LIMIT = 20_000

    def __init__(self) -> None:
        self._glossary: tuple[tuple[str, str], ...] | None = None
        self._scans: Scans = {}

    def scans(self, glossary: Mapping[str, str]) -> Scans:
        """The scans made against this glossary (emptied when it changed)."""
        now = tuple(glossary.items())
        if now != self._glossary or len(self._scans) > self.LIMIT:
            self._glossary, self._scans = now, {}
        return self._scans


@dataclass(frozen=True)
class CheckedCatalog:
    """The catalog a process checked last, with what the check found and the images it
    used, under the key of every catalog file and the as-of date (build.check_key)."""

    key: str
    cat: Catalog | None
    diagnostics: tuple[Diagnostic, ...]
    images: frozenset[str]


@dataclass
class Memo:
    """Results a build may reuse because their inputs are byte-for-byte the same.

    `serve`'s builder keeps one for its life, so a save parses one file, decodes no image,
    compiles no template and renders only the pages that read what changed. Only this
    process's own results are kept, and only in memory: nothing here is read from `build/`
    (a compiled template is loaded with marshal, which a planted file would turn into
    code). A one-off command makes none.
    """

    #: (path, kind, id, file bytes) → the parsed document, or the error parsing reported;
    #: the files of the last build only (load_catalog keeps what it used).
    parsed: dict[tuple[str, str, str, bytes], Document | LoadError] = field(default_factory=dict)
    #: ImageCache entry name (a digest of suffix and bytes) → the checked image.
    images: dict[str, Checked] = field(default_factory=dict)
    #: Jinja bytecode by environment flavour and Jinja's bucket key; Jinja compares the
    #: source's checksum before using an entry, so an edited template is compiled again.
    templates: dict[str, bytes] = field(default_factory=dict)
    #: pages by family, output path and locale, with what each read of its edition
    #: (engine.reads): one is rendered again only when what it read changed.
    pages: dict[str, Page] = field(default_factory=dict)
    #: the last check: the builds of one round of `serve` (pages, PDFs, kits) check the
    #: catalog once while no file of it changes.
    checked: CheckedCatalog | None = None
    #: the glossary terms each card's text uses, while the glossary is unchanged.
    jargon: Jargon = field(default_factory=Jargon)

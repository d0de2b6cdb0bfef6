"""The jargon rule: acronyms in reader-facing text must be decoded or allowed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from salesplay.load import Document, YamlPath

#: a word of capitals and digits with at least two capitals; a plural s allowed.
ACRONYM_RE = re.compile(r"(?<![\w/.@-])(?=(?:[0-9]*[A-Z]){2})[A-Z0-9]+(?:s)?(?![\w@-])")
_URL_RE = re.compile(r"\]\([^)]*\)|<[^>]*>|https?://\S+|[\w.+-]+@[\w-]+\.[\w.]+")
#: fields that hold ids, codes, dates or addresses rather than prose.
NOT_PROSE = frozenset(
    {
        "id",
        "audience",
        "status",
        "type",
        "eta",
        "reviewed",
        "source",
        "website",
        "email",
        "phone",
        "logo",
        "play",
        "competitor",
        "destination",
        "min_tier",
        "tier",
        "tiers",
        "has",
        "backed_by",
        "why_us",
        "products",
        "regions",
        "primary",
        "accent",
        "allow",
        "confidence",
        "review",
    }
)


@dataclass(frozen=True)
class Acronym:
    """One acronym found in a text field."""

    word: str
    path: YamlPath
    offset: int


def acronyms(text: str) -> Iterator[tuple[str, int]]:
    """(acronym, offset) in text, ignoring link targets, URLs and e-mail addresses."""
    masked = _URL_RE.sub(lambda m: " " * len(m.group()), text)
    for m in ACRONYM_RE.finditer(masked):
        yield m.group(), m.start()


def is_defined(word: str, known: set[str]) -> bool:
    """Known as written, as a plural, or after a quantity ('30TB' is 'TB')."""
    for form in (word, word.lstrip("0123456789")):
        if form in known or (form.endswith("s") and form[:-1] in known):
            return True
    return False


def prose(data: Any, path: YamlPath = ()) -> Iterator[tuple[YamlPath, str]]:
    """Every prose string in a document with its path."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in NOT_PROSE:
                yield from prose(value, (*path, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from prose(item, (*path, i))
    elif isinstance(data, str):
        yield path, data


def column_of(doc: Document, path: YamlPath, offset: int) -> tuple[int, int]:
    """Exact line and column of a character in a one-line scalar; the scalar's start otherwise.

    The offset is in the decoded value; quoted scalars may hold escapes ('' or \\x), so the
    word is found again in the source line, counting earlier occurrences of it.
    """
    line, col = doc.marks.get(path, (1, 1))
    style, one_line = doc.styles.get(path, (None, False))
    if not one_line or style not in (None, "'", '"') or line > len(doc.lines):
        return line, col
    value = _value_at(doc, path)
    if not isinstance(value, str):
        return line, col
    word = ACRONYM_RE.match(value, offset)
    if word is None:
        return line, col
    nth = value.count(word.group(), 0, offset)
    source = doc.lines[line - 1]
    at = col - 1
    for _ in range(nth + 1):
        at = source.find(word.group(), at + (1 if _ else 0))
        if at < 0:
            return line, col
    return line, at + 1


def _value_at(doc: Document, path: YamlPath) -> Any:
    node: Any = doc.data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def glossary_terms_in(text: str, glossary: dict[str, str]) -> list[str]:
    """Glossary terms used in a text (acronyms by exact word, others case-insensitively)."""
    found = []
    for term in glossary:
        flags = 0 if term.isupper() else re.IGNORECASE
        if re.search(rf"(?<!\w){re.escape(term)}s?(?!\w)", text, flags):
            found.append(term)
    return found

"""The jargon rule: acronyms in reader-facing text must be decoded or allowed."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from salesplay.diagnostics import Location
from salesplay.load import Document, YamlPath, shown_path
from salesplay.richtext import UNSPACED_RE

#: the letters of scripts written without spaces (Thai, kana, Han, Hangul, full-width
#: forms), by code point: none of them ends or begins a word for _W
_UNSPACED_LETTERS = (
    (0x0E00, 0x0E7F),
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
)
#: a "word" character that is not of a script written without spaces: "RPOの目標" and
#: "パートナーSEが" hold the acronyms RPO and SE
_W = "[^\\W" + "".join(f"\\u{lo:04X}-\\u{hi:04X}" for lo, hi in _UNSPACED_LETTERS) + "]"
#: a word of capitals and digits with at least two capitals; a plural s allowed.
ACRONYM_RE = re.compile(
    rf"(?<![/.@-])(?<!{_W})(?=(?:[0-9]*[A-Z]){{2}})[A-Z0-9]+(?:s)?(?![@-])(?!{_W})"
)
#: what `acronyms` ignores is what this regex matches, left to right; it is not run as it
#: stands (a long word without '@' made its e-mail branch rescan to the end from every
#: position, quadratic time) but by `_hidden_spans`, which reads the text a bounded number of
#: times. The tests hold the two to the same results.
URL_PATTERN = r"\]\([^)]*\)|<[^>]*>|https?://\S+|[\w.+-]+@[\w-]+\.[\w.]+"
_URL_START_RE = re.compile(r"https?://\S")
_NON_SPACE_RE = re.compile(r"\S+")
_LOCAL_PART_RE = re.compile(r"[\w.+-]*")  # matched on the reversed text, from the '@' back
_DOMAIN_RE = re.compile(r"[\w-]+\.[\w.]+")
#: undefined acronyms reported per text field; one more warning counts the rest.
MAX_REPORTED_PER_FIELD = 20
#: a text field longer than this is a warning: no card holds it (the sample's longest is ~300).
MAX_FIELD_CHARS = 5_000
#: a text field longer than this is an error: ten cards' worth, and the renderers' time grows
#: with it (a 1.9 MB field held one battlecard's build past five minutes)
MAX_TEXT_CHARS = 50_000
#: the longest word a text may hold (a run without a space, links and addresses aside, in a
#: script written with spaces): WeasyPrint breaks a word no line holds one line at a time,
#: laying the rest out again each time (a 20,000-letter name held a build past five minutes)
MAX_WORD_CHARS = 1_000


def longest_word(text: str) -> str:
    """The longest run without a space of `text` that is not a link, a URL or an e-mail
    address, nor of a script written without spaces ("" when none)."""
    words = (w for w in mask_links(text).split() if UNSPACED_RE.search(w) is None)
    return max(words, key=len, default="")


#: fields that hold proper names, by the kind of file: the names of products, competitors,
#: partners, customers, contact people and the company stay as written (README: they are not
#: translated either), so "SAP Partner Co" or "JD Smith" is no jargon to explain. "*" stands
#: for any list index.
PROPER_NAMES: dict[str, frozenset[tuple[str, ...]]] = {
    "catalog": frozenset({("company", "name"), ("channel", "name")}),
    "product": frozenset({("name",)}),
    "competitor": frozenset({("name",)}),
    "partner": frozenset({("name",), ("contact", "name"), ("channel_contact", "name")}),
    "play": frozenset({("proof", "*", "customer")}),
}


def is_proper_name(kind: str, path: YamlPath) -> bool:
    """Whether the field at `path` of a `kind` file holds a proper name (PROPER_NAMES)."""
    shape = tuple("*" if isinstance(part, int) else str(part) for part in path)
    return shape in PROPER_NAMES.get(kind, frozenset())


@dataclass(frozen=True)
class Acronym:
    """One acronym found in a text field."""

    word: str
    path: YamlPath
    offset: int


class _Next:
    """Where something next occurs at or after a position, asked for positions that only grow.

    A search resumes past the last one instead of starting over, so all of them together read
    the text once.
    """

    def __init__(self, find: Callable[[int], int]) -> None:
        self._find = find
        self._asked = 0
        self._found = find(0)

    def at(self, pos: int) -> int:
        """The first occurrence at or after `pos`, or -1."""
        if pos < self._asked or (self._found != -1 and pos > self._found):
            self._asked, self._found = pos, self._find(pos)
        return self._found


class _Emails:
    """The leftmost e-mail address (URL_PATTERN's last branch) at or after a position.

    A match must put its '@' right after the run of local-part characters it starts in, so
    each '@' is looked at once: its local part backwards, its domain forwards. No '@' lies
    inside either, so those reads do not overlap.
    """

    def __init__(self, text: str) -> None:
        self._text, self._reversed = text, text[::-1]
        self._searched = 0  # every '@' before this has been looked at
        self._at = -1  # the '@' of the current candidate, -1 when there is none
        self._start = self._end = 0

    def first(self, pos: int) -> tuple[int, int] | None:
        while True:
            if self._at >= 0 and max(pos, self._start) < self._at:
                return max(pos, self._start), self._end
            at = self._text.find("@", max(self._searched, pos))
            if at < 0:
                self._searched, self._at = len(self._text), -1
                return None
            self._searched = at + 1
            domain = _DOMAIN_RE.match(self._text, at + 1)
            if domain is None:
                self._at = -1
                continue
            local = _LOCAL_PART_RE.match(self._reversed, len(self._text) - at)
            assert local is not None  # `*` always matches
            self._at, self._start, self._end = at, at - len(local.group()), domain.end()


def _hidden_spans(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) of each match of URL_PATTERN in text, in linear time."""

    def finder(needle: str) -> _Next:
        return _Next(lambda pos: text.find(needle, pos))

    def url_at(pos: int) -> int:
        found = _URL_START_RE.search(text, pos)
        return found.start() if found else -1

    link, link_end, tag, tag_end = finder("]("), finder(")"), finder("<"), finder(">")
    urls, emails = _Next(url_at), _Emails(text)
    pos = 0
    while pos < len(text):
        # (start, branch, end): the leftmost match wins, the earlier branch on a tie
        found: list[tuple[int, int, int]] = []
        start = link.at(pos)
        if start >= 0 and (end := link_end.at(start + 2)) >= 0:
            found.append((start, 0, end + 1))
        start = tag.at(pos)
        if start >= 0 and (end := tag_end.at(start + 1)) >= 0:
            found.append((start, 1, end + 1))
        start = urls.at(pos)
        if start >= 0:
            found.append((start, 2, -1))
        email = emails.first(pos)
        if email is not None:
            found.append((email[0], 3, email[1]))
        if not found:
            return
        start, branch, end = min(found)
        if branch == 2:
            url = _NON_SPACE_RE.match(text, start)
            assert url is not None  # url_at found a non-space there
            end = url.end()
        yield start, end
        pos = end


#: each branch of URL_PATTERN needs one of these; a text holding none has nothing to hide
#: (almost every catalog text: its finders need not be set up).
_HIDDEN_MARKS = ("](", "<", "://", "@")


def mask_links(text: str) -> str:
    """Text with link targets, URLs and e-mail addresses blanked, offsets kept."""
    if not any(mark in text for mark in _HIDDEN_MARKS):
        return text
    parts: list[str] = []
    done = 0
    for start, end in _hidden_spans(text):
        parts += [text[done:start], " " * (end - start)]
        done = end
    parts.append(text[done:])
    return "".join(parts)


def acronyms(text: str) -> Iterator[tuple[str, int]]:
    """(acronym, offset) in text, ignoring link targets, URLs and e-mail addresses."""
    for m in ACRONYM_RE.finditer(mask_links(text)):
        yield m.group(), m.start()


def is_defined(word: str, known: set[str], stems: tuple[str, ...] = ()) -> bool:
    """Known as written, as a plural, or after a quantity ('30TB' is 'TB'), or begun by the
    stem of a wildcard term (`SLA*` defines 'SLAs')."""
    for form in (word, word.lstrip("0123456789")):
        if form in known or (form.endswith("s") and form[:-1] in known):
            return True
        if form.startswith(stems):
            return True
    return False


def wildcard_stems(known: set[str]) -> tuple[str, ...]:
    """The stems of the wildcard terms among `known` (term_stem)."""
    return tuple(sorted(stem for term in known if (stem := term_stem(term)) is not None))


def undefined_jargon(
    doc: Document, path: YamlPath, text: str, known: set[str], stems: tuple[str, ...] = ()
) -> Iterator[tuple[Location, str, str, str | None]]:
    """(place, message, code, word) of the undefined acronyms of a field: each once, at its
    first use (word None: the count of the rest).

    At most MAX_REPORTED_PER_FIELD words are placed exactly (placing one reads the field), so
    a huge field full of acronyms costs little; one more warning counts the rest.
    """
    first: dict[str, int] = {}
    for word, offset in acronyms(text):
        if word not in first and not is_defined(word, known, stems):
            first[word] = offset
    message = "explain it in glossary.yaml or list it in catalog.yaml jargon.allow"
    for word, offset in list(first.items())[:MAX_REPORTED_PER_FIELD]:
        line, col = column_of(doc, path, offset)
        yield Location(doc.path, line, col), f"undefined jargon '{word}': {message}", "jargon", word
    if len(first) > MAX_REPORTED_PER_FIELD:
        line, col = doc.marks.get(path, (1, 1))
        count = len(first) - MAX_REPORTED_PER_FIELD
        more = f"{count} more undefined jargon words here: {message}"
        yield Location(doc.path, line, col), more, "jargon-more", None


def long_field(doc: Document, path: YamlPath, text: str) -> tuple[Location, str] | None:
    """A warning for a text field no battlecard or slide can hold, at the field."""
    if len(text) <= MAX_FIELD_CHARS:
        return None
    line, col = doc.marks.get(path, (1, 1))
    name = shown_path(path) or "text"
    return (
        Location(doc.path, line, col),
        f"'{name}' is {len(text):,} characters long (at most {MAX_FIELD_CHARS:,} fit a card):"
        " shorten it or link to a document",
    )


def column_of(doc: Document, path: YamlPath, offset: int) -> tuple[int, int]:
    """Line and column of the word at `offset` of the scalar at `path`, where the file writes
    it (a one-line scalar, quoted or not, or a `|` or `>` block); the scalar's start when the
    word is not found there."""
    value = _value_at(doc, path)
    word = ACRONYM_RE.match(value, offset) if isinstance(value, str) else None
    if word is None or not isinstance(value, str):
        return doc.marks.get(path, (1, 1))
    return doc.column(path, value, offset, word.group())


def _value_at(doc: Document, path: YamlPath) -> Any:
    node: Any = doc.data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


#: a glossary term ending in it matches every word that starts with what comes before it:
#: a translation's "unveränderlich*" explains "unveränderliche" and "unveränderlichen"
WILDCARD = "*"


def term_stem(term: str) -> str | None:
    """What a wildcard term's words start with (three characters at least: a shorter stem
    would match words that are not the term), else None."""
    stem = term.removesuffix(WILDCARD)
    return stem if stem != term and len(stem.strip()) >= 3 else None


def shown_term(term: str) -> str:
    """A term as a decoder shows it: a wildcard term without its `*`."""
    stem = term_stem(term)
    return term if stem is None else stem


def glossary_terms_in(text: str, glossary: dict[str, str]) -> list[str]:
    """Glossary terms used in a text (acronyms by exact word, others case-insensitively)."""
    found = []
    # an ASCII term absent from an ASCII text, even as a substring, cannot match: that is
    # most of a glossary for most texts (beyond ASCII, IGNORECASE equates letters that no
    # str method does, such as 'İ' and 'i': the pattern alone decides)
    lowered = text.lower() if text.isascii() else None
    for term in glossary:
        word = shown_term(term)
        acronym = word.isupper()
        absent = (
            lowered is not None
            and word.isascii()
            and ((word not in text) if acronym else (word.lower() not in lowered))
        )
        if absent:
            continue
        if _term_finder(term, acronym)(text):
            found.append(term)
    return found


def _in_word(char: str) -> bool:
    """Whether `char` is a _W character: \\w (as re has it: str.isalnum, or "_") outside
    the scripts written without spaces."""
    if not (char.isalnum() or char == "_"):
        return False
    code = ord(char)
    return not any(lo <= code <= hi for lo, hi in _UNSPACED_LETTERS)


@functools.lru_cache(maxsize=4096)
def _term_finder(term: str, acronym: bool) -> Callable[[str], bool]:
    """Whether a text holds `term` as a word (see glossary_terms_in)."""
    stem = term_stem(term)
    flags = 0 if acronym else re.IGNORECASE
    if UNSPACED_RE.search(term):
        # a script written without spaces (Japanese, Chinese, Thai) has no word ends to
        # look for: the term is looked for as it is written ("統合ハイブリッドクラウド")
        written = re.compile(re.escape(shown_term(term)), flags)
        return lambda text: written.search(text) is not None
    # the word's ends are judged here, not in the pattern: _W compiles in 4 to 15 ms (its
    # ranges are folded code point by code point), once per term in every process. A wildcard
    # term's word goes on with any letters; another may take a plural s, then ends.
    pattern = re.compile(
        re.escape(term if stem is None else stem) + ("s?" if stem is None else ""), flags
    )

    def found(text: str) -> bool:
        at = 0
        while at <= len(text) and (match := pattern.search(text, at)) is not None:
            start, end = match.span()
            if (start == 0 or not _in_word(text[start - 1])) and (
                stem is not None or end == len(text) or not _in_word(text[end])
            ):
                return True
            at = start + 1
        return False

    return found

"""Catalog translations: gettext PO files per locale, fingerprinted against their source text."""

from __future__ import annotations

import hashlib
import os
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from salesplay.diagnostics import Location, Reporter, did_you_mean
from salesplay.jargon import shown_term
from salesplay.load import (
    FORBIDDEN_RE,
    Document,
    LoadError,
    YamlPath,
    bidi_message,
    decode_text,
    forbidden_message,
    read_catalog_file,
    shown_path,
    unclosed_bidi,
    unreadable_entity,
)
from salesplay.models import (
    ENTITY_FOLDERS,
    MODELS,
    Audience,
    Capability,
    CatalogConfig,
    Destination,
    ItemText,
    Name,
    Phrase,
    Play,
    Text,
    has_visible,
)
from salesplay.models import Path as PathModel

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog as PoCatalog
    from babel.messages.catalog import Message


#: the folder of the catalog that holds one `<locale>.po` per declared locale.
TRANSLATIONS_DIR = "translations"
#: the extracted comment (`#.`) that records the fingerprint of the source text a
#: translation was made from; PO editors (Poedit, Weblate, Lokalize) keep extracted comments.
FINGERPRINT_NOTE = "source-fingerprint: "
#: kinds whose `name` is prose a translator should translate; other names (products,
#: competitors, partners, customers, the company) are proper names and stay as written.
TRANSLATED_NAMES: tuple[type[BaseModel], ...] = (Play, Destination, PathModel, Capability)
_FINGERPRINT_RE = re.compile(r"^[0-9a-f]{12}$")
_BABEL_LINE_RE = re.compile(r" on (\d+)$")

#: (kind, entity id, path of the text field) of one translatable text.
Key = tuple[str, str, YamlPath]


class Status(StrEnum):
    """What a text lookup returned: the translation, or the source text and why."""

    SOURCE = "source"  # the source locale: nothing to translate
    TRANSLATED = "translated"
    STALE = "stale"  # translated from a source text that has changed since: not used
    MISSING = "missing"


def fingerprint(text: str) -> str:
    """The short fingerprint of a source text (12 hex digits of its SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def message_context(key: Key) -> str:
    """The PO msgctxt of a text: 'play:backup-modernization:objections.1.response'."""
    kind, eid, path = key
    return f"{kind}:{eid}:{shown_path(path)}"


def parse_context(context: str) -> Key | None:
    """The key a msgctxt names, or None when it is not of the form kind:id:field.path."""
    parts = context.split(":")
    if parts[0] == GLOSSARY and len(parts) > 3:
        # a glossary term may hold a colon ("Note: RTO"): its field is the last part
        parts = [parts[0], ":".join(parts[1:-1]), parts[-1]]
    if len(parts) != 3 or not all(parts):
        return None
    kind, eid, shown = parts
    path: list[str | int] = []
    for part in shown.split("."):
        if part.isdigit():
            if int(part) < 1:
                return None
            path.append(int(part) - 1)
        elif part:
            path.append(part)
        else:
            return None
    return kind, eid, tuple(path)


# --- which fields are translatable: read from the models ------------------------------


@dataclass(frozen=True)
class Unit:
    """One translatable text of the catalog as it stands: where it is and what it says."""

    key: Key
    source: str
    loc: Location
    audience: Audience


def _shape(model: type[BaseModel], hint: Any) -> tuple[str, Any] | None:
    """('text', None), ('texts', None), ('model', M), ('models', M) or None (not translated)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _shape(model, args[0]) if len(args) == 1 else None
    texts = (Text, ItemText, Phrase)
    if any(hint is t for t in texts) or (hint is Name and issubclass(model, TRANSLATED_NAMES)):
        return "text", None
    if origin is list:
        (item,) = typing.get_args(hint)
        inner = _shape(model, item)
        if inner is None:
            return None
        return ("texts", None) if inner[0] == "text" else ("models", inner[1])
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return "model", hint
    return None


def _fields(model: type[BaseModel]) -> list[tuple[str, str, Any]]:
    """(field name, shape, nested model) of every field of `model` that holds translatable text."""
    hints = typing.get_type_hints(model, include_extras=True)
    found = []
    for name in model.model_fields:
        shape = _shape(model, hints[name])
        if shape is not None:
            found.append((name, *shape))
    return found


def untranslated_why(kind: str, path: YamlPath) -> str | None:
    """Why the field at `path` of a `kind` is never translated ('names stay as written'),
    or None when the models have no such field or it holds translatable text."""
    model = MODELS.get(kind)
    if model is None or not path:
        return None
    owner: type[BaseModel] = model
    hint: Any = model
    for part in path:
        bare = _optional_of(hint)
        if isinstance(part, int):
            if typing.get_origin(bare) is not list:
                return None
            (hint,) = typing.get_args(bare)
        elif isinstance(bare, type) and issubclass(bare, BaseModel) and part in bare.model_fields:
            owner, hint = bare, typing.get_type_hints(bare, include_extras=True)[part]
        else:
            return None
    if _shape(owner, hint) is not None:
        return None
    bare = _optional_of(hint)
    if bare is Name:
        return "names stay as written"
    if typing.get_origin(bare) is list:
        (bare,) = typing.get_args(bare)
    if typing.get_origin(bare) is typing.Annotated:
        bare = typing.get_args(bare)[0]
    return "its value stays as written" if bare is str else "it is not text"


def _optional_of(hint: Any) -> Any:
    """`X` of `X | None`, else `hint`."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


#: model → its translatable fields, read once per walk of the catalog
Specs = dict[type[BaseModel], list[tuple[str, str, Any]]]


def _texts(
    model: type[BaseModel], data: Any, path: YamlPath, specs: Specs
) -> Iterator[tuple[YamlPath, str]]:
    if not isinstance(data, dict):
        return
    if model not in specs:
        specs[model] = _fields(model)  # get_type_hints costs ~1 ms a model
    for name, shape, nested in specs[model]:
        value = data.get(name)
        here: YamlPath = (*path, name)
        if shape == "text" and isinstance(value, str) and value.strip():
            yield here, value
        elif shape == "texts" and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str) and item.strip():
                    yield (*here, i), item
        elif shape == "model":
            yield from _texts(nested, value, here, specs)
        elif shape == "models" and isinstance(value, list):
            for i, item in enumerate(value):
                yield from _texts(nested, item, (*here, i), specs)


def catalog_units(
    docs: Mapping[tuple[str, str], Document], audience_of: Callable[[str, str, YamlPath], Audience]
) -> list[Unit]:
    """Every translatable text of the catalog's entities, in catalog order."""
    config = docs.get(("catalog", "catalog"))
    units = [*_tier_units(config), *_tagline_unit(config)]
    specs: Specs = {}
    rank = {kind: n for n, kind in enumerate(ENTITY_FOLDERS)}  # catalog.yaml, glossary: none
    entities = sorted((k for k in docs if k[0] in rank), key=lambda k: (rank[k[0]], k[1]))
    for kind, eid in entities:
        doc = docs[(kind, eid)]
        for path, text in _texts(MODELS[kind], doc.data, (), specs):
            units.append(Unit((kind, eid, path), text, doc.loc(path), audience_of(kind, eid, path)))
    units += _glossary_units(docs.get(GLOSSARY_DOC))
    return units


#: the glossary's document, and the kind of its terms' translations
GLOSSARY_DOC = ("glossary", "glossary")
GLOSSARY = "glossary"


def glossary_key(term: str, part: str) -> Key:
    """The key of a glossary term's own translation (`part` 'term') or of its meaning's
    ('meaning'): msgctxt 'glossary:RPO:meaning'. Keyed by the term, not its place in the
    file, so a term added above keeps every translation where it is."""
    return GLOSSARY, term, (part,)


def _glossary_units(doc: Document | None) -> Iterator[Unit]:
    """Each glossary term and its meaning: the jargon decoder of every card, customers'
    briefs too. The term is translated so that a card in another language explains the
    word its translation writes ("unveränderlich"), an acronym mostly as it is."""
    if doc is None or not isinstance(doc.data, dict):
        return
    for term, meaning in doc.data.items():
        if isinstance(term, str) and isinstance(meaning, str) and has_visible(term + meaning):
            loc = doc.key_loc((term,))
            yield Unit(glossary_key(term, "term"), term, loc, "public")
            yield Unit(glossary_key(term, "meaning"), meaning, doc.loc((term,)), "public")


def entity_of(key: Key) -> tuple[str, str]:
    """The (kind, id) of the catalog file a translated text is in: a glossary term's is the
    glossary's."""
    return GLOSSARY_DOC if key[0] == GLOSSARY else key[:2]


Entity = tuple[str, str]

#: the fields of a kind whose text is the entity's id: a glossary term's own ("MSP" renamed
#: "MSPs" changes both), not counted when a rename is looked for (renamed)
NAMED_BY: dict[str, tuple[YamlPath, ...]] = {GLOSSARY: (("term",),)}


def renamed(
    orphaned: Mapping[Entity, Mapping[tuple[YamlPath, str], object]],
    wanting: Mapping[Key, str],
) -> dict[Entity, Entity]:
    """The entity each entity the catalog no longer has was most likely renamed to.

    `orphaned`: for each (kind, id) the catalog no longer has, its translated entries as
    (field path, fingerprint of the source they were made from) → entry; `wanting`: the
    catalog's texts with no entry of their own, key → fingerprint of their source. An orphan
    goes to the entity of its kind whose texts match most of its entries, field and source
    alike, if they match at least half of them (and two, where it has two or more); one to
    one, the most matches first, then by id. A deleted play's translations never move to a
    new play that shares a few short texts with it ("CIO", "retail"), whose translation may
    have been the old play's own wording. A text that is its entity's id (NAMED_BY: a
    glossary term) is not counted: renamed, it is always another text.
    """
    texts: dict[Entity, set[tuple[YamlPath, str]]] = {}
    for key, made in wanting.items():
        if key[2] not in NAMED_BY.get(key[0], ()):
            texts.setdefault(key[:2], set()).add((key[2], made))
    matched = {
        old: {entry for entry in entries if entry[0] not in NAMED_BY.get(old[0], ())}
        for old, entries in orphaned.items()
    }
    scores = sorted(
        (-len(found), old, new)
        for old, entries in matched.items()
        for new, have in texts.items()
        if new[0] == old[0]
        and entries
        and len(found := have & entries) * 2 >= len(entries)
        and len(found) >= min(2, len(entries))
    )
    moves: dict[Entity, Entity] = {}
    for _, old, new in scores:
        if old not in moves and new not in moves.values():
            moves[old] = new
    return moves


def giving(
    unused: Mapping[Entity, dict[tuple[YamlPath, str], Message]],
    kept: Mapping[Entity, int],
    live: Set[Entity],
) -> dict[Entity, dict[tuple[YamlPath, str], Message]]:
    """The entities whose translations no text of theirs takes (`unused`, as `renamed` reads
    them) that may give them to another: one the catalog no longer has, or one most of whose
    translations (two at least, against the `kept` count that still fit its texts) no
    longer fit: two plays whose ids were swapped. Never for one text edited, nor for a short
    text two plays share ("CIO")."""
    return {
        entity: found
        for entity, found in unused.items()
        if entity not in live or (len(found) >= 2 and len(found) >= kept.get(entity, 0))
    }


@dataclass(frozen=True)
class GlossaryClash:
    """A term whose translation another term's already is: a decoder explains it once."""

    term: str
    shown: str  # what both are in the locale
    first: str  # the term explained


def translated_glossary(
    translations: Translations, locale: str, glossary: Mapping[str, str]
) -> tuple[dict[str, str], list[GlossaryClash]]:
    """`glossary` in `locale`: each term and meaning by its current translation, else as
    written; and the terms left out because an earlier term is already shown so (in any
    case: a decoder would explain one word twice)."""
    shown: dict[str, str] = {}
    firsts: dict[str, tuple[str, bool]] = {}  # a shown term, casefolded → (term, translated)
    clashes = []
    for term, meaning in glossary.items():
        word, status = translations.text(locale, GLOSSARY, term, ("term",), term)
        text = translations.text(locale, GLOSSARY, term, ("meaning",), meaning)[0]
        # a wildcard term is shown without its `*` (jargon.shown_term): "unveränderlich*"
        # and "Unveränderlich" are one word on the card
        fold, translated = shown_term(word).casefold(), status is Status.TRANSLATED
        first = firsts.get(fold)
        if first is not None and (translated or first[1]):
            clashes.append(GlossaryClash(term, word, first[0]))
            continue
        firsts.setdefault(fold, (term, translated))
        shown[word] = text
    return shown, clashes


def tier_key(tier: str) -> Key:
    """The key of a tier's name: by the tier's id, not its place in `tiers` (a tier inserted
    before it would move its translation to another tier), e.g. msgctxt
    'catalog:catalog:tiers.gold.name'."""
    return "catalog", "catalog", ("tiers", tier, "name")


def _tier_units(doc: Document | None) -> Iterator[Unit]:
    """The names of the tiers written `{id: gold, name: Gold}`; a bare id is an identifier,
    shown as written, and has nothing to translate."""
    tiers = doc.data.get("tiers") if doc is not None else None
    if doc is None or not isinstance(tiers, list):
        return
    for i, tier in enumerate(tiers):
        if not isinstance(tier, dict):
            continue
        tid, name = tier.get("id"), tier.get("name")
        if isinstance(tid, str) and isinstance(name, str) and name.strip():
            # partners read it (their kit) and reps (a card's partner box), never customers
            yield Unit(tier_key(tid), name, doc.loc(("tiers", i, "name")), "partner")


#: the key of the company's tagline: msgctxt 'catalog:catalog:company.tagline'
TAGLINE_KEY: Key = ("catalog", "catalog", ("company", "tagline"))


def _tagline_unit(doc: Document | None) -> Iterator[Unit]:
    """The company's tagline (the closing slide of every deck, customers' pitch decks too)."""
    company = doc.data.get("company") if doc is not None else None
    tagline = company.get("tagline") if isinstance(company, dict) else None
    if doc is not None and isinstance(tagline, str) and tagline.strip():
        yield Unit(TAGLINE_KEY, tagline, doc.loc(("company", "tagline")), "public")


# --- loaded translations ----------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One translation as read from a PO file."""

    text: str
    #: fingerprint of the source text the translation was made from
    made_from: str
    #: marked fuzzy (needs review) by `i18n extract` or a translator's tool
    fuzzy: bool
    loc: Location


@dataclass(frozen=True)
class Coverage:
    """How many texts of one kind a locale has translated, stale and missing."""

    translated: int = 0
    stale: int = 0
    missing: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.stale + self.missing


@dataclass(frozen=True)
class Translations:
    """Every locale's translations of the catalog, and the source texts they answer to.

    Lookups go by key and the source text as it stands: a translation made from another
    source text is stale and never returned.
    """

    source_locale: str = "en"
    locales: tuple[str, ...] = ()
    entries: Mapping[str, Mapping[Key, Entry]] = field(default_factory=dict)
    #: the current source text of every translatable field
    sources: Mapping[Key, str] = field(default_factory=dict)

    def text(
        self, locale: str, kind: str, eid: str, path: YamlPath, source: str
    ) -> tuple[str, Status]:
        """The text to show for a field in `locale`: its translation, else `source` and why."""
        if locale == self.source_locale:
            return source, Status.SOURCE
        entry = self.entries.get(locale, {}).get((kind, eid, path))
        if entry is None or not entry.text:
            return source, Status.MISSING
        if entry.fuzzy or entry.made_from != fingerprint(source):
            return source, Status.STALE
        return entry.text, Status.TRANSLATED

    def current(self) -> Iterator[tuple[str, Key, Entry]]:
        """Every translation an output shows (locale, the field's key, its entry): the
        checks of catalog text read these as they read the source."""
        for locale in self.locales:
            for key, entry in self.entries.get(locale, {}).items():
                source = self.sources.get(key)
                if source is not None and self.text(locale, *key, source)[1] is Status.TRANSLATED:
                    yield locale, key, entry

    def status(self, locale: str, key: Key) -> Status:
        source = self.sources.get(key)
        return Status.MISSING if source is None else self.text(locale, *key, source)[1]

    def coverage(self) -> dict[str, dict[str, Coverage]]:
        """locale → kind → counts of translated, stale and missing texts."""
        found: dict[str, dict[str, Coverage]] = {}
        for locale in self.locales:
            counts: dict[str, list[int]] = {}
            for key in self.sources:
                row = counts.setdefault(key[0], [0, 0, 0])
                status = self.status(locale, key)
                row[(Status.TRANSLATED, Status.STALE, Status.MISSING).index(status)] += 1
            found[locale] = {kind: Coverage(*row) for kind, row in counts.items()}
        return found


# --- reading PO files ------------------------------------------------------------------------


def po_file(root: Path, locale: str) -> Path:
    return root / TRANSLATIONS_DIR / f"{locale}.po"


#: a PO keyword line: the keyword, then (after blanks) what should be its quoted text.
_PO_KEYWORD_RE = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)(?=\s|$|\")\s*(.*)")
_PO_WORD_RE = re.compile(r"[^\s\"]+")
#: the escapes Babel reads in a PO string (any other backslash would stay in the text).
PO_ESCAPES = '\\\\ \\" \\n \\t'
_PO_ESCAPED = frozenset('\\"nt')
#: what a line of a PO file may be, said when one is not.
_PO_LINE_HINT = (
    "a PO line is a #comment, a keyword (msgctxt, msgid, msgid_plural, msgstr, msgstr[N]) with"
    " its text in double quotes, or a quoted text continuing the line above"
)


def po_lines(text: str) -> list[str]:
    """A PO file's lines, each with its end: a PO line ends at a line feed only. A line or
    paragraph separator (U+2028, U+2029), which catalog text may hold and extract writes
    inside a quoted string, is no line break to gettext (str.splitlines broke the string
    there, and check refused the file extract had written)."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def check_po_syntax(lines: Sequence[str]) -> None:
    """Every line of a PO file is blank, a comment, a keyword with one quoted string, or a
    quoted continuation string; else LoadError at the line and column of the slip. A keyword
    given twice in one entry is a slip too: Babel kept the first `msgstr` and dropped the
    translator's correction on the line below, where msgfmt stops."""
    last: tuple[str, int] | None = None  # the entry's last keyword, and its line
    entry: dict[str, int] = {}  # the entry's keywords so far (msgstr[N] as msgstr[]), by line
    keyword_seen = False  # a continued text before any keyword continues nothing
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if number == 1:
            line = line.removeprefix("\ufeff")
        stripped = line.lstrip()
        if stripped.startswith("#~|"):
            continue  # an obsolete entry's previous msgid (msgmerge --previous): a comment
        if stripped.startswith("#~"):
            # an obsolete entry: Babel reads what follows as an entry's line
            line = line.replace("#~", "  ", 1)
            stripped = line.lstrip()
        if not stripped:
            _check_po_end(entry)
            last, entry = None, {}  # entries are apart
            continue
        if stripped.startswith("#"):
            continue  # a comment inside an entry does not end it ("# corrected" between msgstrs)
        indent = len(line) - len(stripped)
        keyword = _PO_KEYWORD_RE.match(stripped)
        starts = keyword is not None and keyword.group(1) in ("msgctxt", "msgid")
        if starts and last is not None and last[0].startswith("msgstr"):
            last, entry = None, {}  # the next entry begins
        if keyword is not None and last is not None and keyword.group(1) == last[0]:
            raise LoadError(
                f"a second {last[0]} in one entry (the first at line {last[1]}): write its text"
                f' as a continued line of the first ("…"), or delete the one out of date',
                number,
                indent + 1,
                "po",
            )
        if keyword is not None:
            keyword_seen = True
            last = (keyword.group(1), number)
            _check_po_order(keyword.group(1), entry, number, indent + 1)
        if keyword is None:
            if stripped.startswith('"'):
                if not keyword_seen:
                    # a stray text before the first entry: Babel's words for it name no fix
                    raise LoadError(
                        "a quoted text continues no keyword: it must follow a msgctxt,"
                        ' msgid or msgstr line (msgid "…")',
                        number,
                        indent + 1,
                        "po",
                    )
                _check_po_string(stripped, number, indent + 1, None)
                continue
            word = _PO_WORD_RE.match(stripped)
            name = word.group(0) if word else stripped[:1]
            known = ("msgctxt", "msgid", "msgid_plural", "msgstr")
            raise LoadError(
                f"unknown keyword '{name}'{did_you_mean(name, known)} ({_PO_LINE_HINT})",
                number,
                indent + 1,
                "po",
            )
        rest_col = indent + keyword.start(2) + 1
        _check_po_string(keyword.group(2), number, rest_col, keyword.group(1))
    _check_po_end(entry)


def _check_po_end(entry: dict[str, int]) -> None:
    """An entry that ends (a blank line, the end of the file) with a msgctxt and no msgid:
    Babel dropped the context without a word, where msgfmt refuses the file."""
    if "msgctxt" in entry and "msgid" not in entry:
        raise LoadError(
            'msgctxt with no msgid after it: an entry is msgctxt "…", then msgid "source'
            ' text" and msgstr "translation" (a blank line ends an entry)',
            entry["msgctxt"],
            1,
            "po",
        )


def _check_po_order(keyword: str, entry: dict[str, int], line: int, col: int) -> None:
    """An entry's keywords come in gettext's order: msgctxt, msgid, msgid_plural, then msgstr
    (msgstr[0], msgstr[1]… after a msgid_plural only). Babel read a msgstr with no msgid as
    the next entry's (whose translation was then lost) and one before its msgid as its own,
    where msgfmt, and so Poedit and Weblate, refuse the file."""
    kind = "msgstr[]" if keyword.startswith("msgstr[") else keyword

    def slip(message: str) -> LoadError:
        return LoadError(message, line, col, "po")

    if kind == "msgctxt" and "msgid" in entry:
        raise slip(
            f"msgctxt after the entry's msgid (line {entry['msgid']}): an entry's msgctxt"
            " comes first, then its msgid and msgstr"
        )
    if kind in ("msgid_plural", "msgstr", "msgstr[]") and "msgid" not in entry:
        raise slip(
            f'{keyword} with no msgid before it: an entry is msgid "source text", then'
            ' msgstr "translation" (a blank line ends an entry)'
        )
    if kind == "msgstr[]" and "msgid_plural" not in entry:
        raise slip(
            f'{keyword} in an entry with no msgid_plural: write msgstr "…" (the numbered'
            " forms are a plural's)"
        )
    if kind == "msgstr" and "msgid_plural" in entry:
        raise slip(
            f"msgstr in an entry with a msgid_plural (line {entry['msgid_plural']}): write"
            ' its forms as msgstr[0] "…", msgstr[1] "…"'
        )
    entry.setdefault(kind, line)


def _check_po_string(text: str, line: int, col: int, keyword: str | None) -> None:
    """`text` (from column `col`) is exactly one double-quoted string with valid escapes."""
    what = f"a {keyword}'s text" if keyword else "a continued text"
    hint = f"{what} must be in double quotes"
    if not text.strip():
        raise LoadError(f'{keyword} has no text ({hint}: {keyword} "…")', line, col, "po")
    if not text.startswith('"'):
        shown = text.strip()
        if len(shown) > 40:
            shown = shown[:39] + "…"
        fix = f'{keyword} "{shown}"' if '"' not in shown and "\\" not in shown else ""
        raise LoadError(
            f"{what} is not in double quotes: {shown} ({hint}" + (f": {fix})" if fix else ")"),
            line,
            col,
            "po",
        )
    at = 1
    while at < len(text):
        char = text[at]
        if FORBIDDEN_RE.match(char):
            # as in the catalog's YAML: a translation reaches the same outputs as its source
            raise LoadError(forbidden_message(char), line, col + at, "control-character")
        if char == "\\":
            escaped = text[at + 1 : at + 2]
            if escaped == "r":
                raise LoadError(forbidden_message("\r"), line, col + at, "control-character")
            if not escaped or escaped not in _PO_ESCAPED:
                shown = "\\" + escaped if escaped else "\\ at the end of the line"
                raise LoadError(
                    f"invalid escape {shown} in {what} (the escapes are {PO_ESCAPES}; write"
                    " \\\\ for a backslash)",
                    line,
                    col + at,
                    "po",
                )
            at += 2
            continue
        if char == '"':
            after = text[at + 1 :]
            if after.strip():
                raise LoadError(
                    f"text after the closing quote of {what}: {after.strip()} (put one quoted"
                    ' text on a line; write \\" for a quote inside the text)',
                    line,
                    col + at + 1 + (len(after) - len(after.lstrip())),
                    "po",
                )
            return
        at += 1
    raise LoadError(
        f'unterminated text: {what} has no closing double quote (end it with "; write \\"'
        " for a quote inside the text)",
        line,
        col,
        "po",
    )


def read_po_file(path: Path, root: Path) -> PoCatalog:
    """A PO file parsed by Babel; raises LoadError located at the offending line, an entry
    that repeats an earlier one's msgctxt and msgid included (msgfmt rejects the file)."""
    po, repeats = read_po_entries(path, root)
    if repeats:
        again = repeats[0]
        first = po.get(again.id, context=again.context)
        first_line = first.lineno if first is not None and first.lineno else 1
        name = again.context or (again.id if isinstance(again.id, str) else again.id[0])
        raise LoadError(translated_twice(name, first_line), again.lineno or 1, 1, "po")
    return po


def translated_twice(name: str, first_line: int) -> str:
    """What an entry that repeats the one at `first_line` is told."""
    return (
        f"'{name}' is translated twice (first at line {first_line}): delete the entry that is"
        " out of date (a PO file has one entry per msgctxt and msgid)"
    )


def read_po_entries(path: Path, root: Path) -> tuple[PoCatalog, list[Message]]:
    """A PO file parsed by Babel, and each entry that repeats an earlier entry's msgctxt and
    msgid, in file order; raises LoadError located at the offending line."""
    from babel.messages.pofile import PoFileError

    text = decode_text(read_catalog_file(path, os.path.realpath(root)))
    lines = po_lines(text)
    # Babel's reader is lenient: `msgstr Weiter` would read as "eite", an unterminated quote
    # as the rest of the line; a translator's slip must be an error at its place instead
    check_po_syntax(lines)
    # Babel refuses an obsolete entry's previous msgid, which msgfmt reads as a comment
    lines = ["#\n" if line.lstrip().startswith("#~|") else line for line in lines]
    try:
        return _parsed(lines)
    except PluralForms as exc:
        line = next((n for n, text in enumerate(lines, 1) if "nplurals" in text), 1)
        raise LoadError(str(exc), line, 1, "po") from None
    except PoFileError as exc:
        message = _BABEL_LINE_RE.sub("", str(exc))
        # Babel counts lines from 0; a fault it finds only when an entry ends (a msgid with
        # no msgstr) names no line's text, and its 0 there is the end of the file
        line = exc.lineno + 1 if exc.lineno or exc.line else len(lines)
        raise LoadError(f"could not be read: {message}", line, 1, "po") from None
    except (ValueError, TypeError) as exc:
        raise LoadError(f"could not be read: {exc}", 1, 1, "po") from None


#: the most plural forms a language has (CLDR's categories: zero, one, two, few, many, other)
MAX_PLURALS = 6


class PluralForms(Exception):
    """A header's `Plural-Forms: nplurals=N` that no language has: Babel makes N strings
    for every plural entry it reads, and nplurals=99999999999 took all of the machine's
    memory. Not a ValueError: Babel takes one raised while it reads a comment for the
    comment's fault, at the comment's line."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"Plural-Forms gives nplurals={count}: a language has 1 to {MAX_PLURALS} plural"
            " forms (copy the header of the language's PO file from msginit or CLDR)"
        )


def _parsed(lines: Sequence[str]) -> tuple[PoCatalog, list[Message]]:
    """Babel's read_po, keeping aside each entry that repeats an earlier one: Babel would
    merge it into the first, keeping the first's msgstr, so a later correction is lost."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import PoFileParser

    repeats: list[Message] = []
    reading = True

    class Reading(Catalog):
        def __setitem__(self, id: str | tuple[str, ...] | list[str], message: Message) -> None:
            # only while the file is read: labels merge catalogs by assignment afterwards
            if reading and id and self.get(id, context=message.context) is not None:
                repeats.append(message)
                return
            super().__setitem__(id, message)

        @property
        def num_plurals(self) -> int:
            # asked by Babel for each plural entry it reads, before it makes that many strings
            count: int = super().num_plurals
            if not 1 <= count <= MAX_PLURALS:
                raise PluralForms(count)
            return count

    po = Reading()
    PoFileParser(po, abort_invalid=True).parse(lines)
    reading = False
    for message in (*po, *po.obsolete.values(), *repeats):
        _previous_from_comments(message)
    for message in po.obsolete.values():
        _kept_notes_back(message)
    return po, repeats


#: what an obsolete entry keeps among its translator comments, which Babel writes for it
#: (it drops its flags and `#.` notes): the source it was made from, and whether it was fuzzy
OBSOLETE_FUZZY = "fuzzy (to review)"


def obsolete_kept(message: Message) -> Message:
    """`message`, to be written as an obsolete entry, with its fingerprint and fuzziness in
    translator comments: without them, a stale translation that went obsolete came back
    current when its text returned (the fingerprint of its msgid, the new text, was taken
    for what it was made from)."""
    ours = [f"{FINGERPRINT_NOTE}{made_from(message)}"]
    if message.fuzzy:
        ours.append(OBSOLETE_FUZZY)
    theirs = [c for c in message.user_comments if not _kept_note(c)]
    message.user_comments = [*theirs, *ours]
    return message


def _kept_note(comment: str) -> bool:
    return comment == OBSOLETE_FUZZY or comment.startswith(FINGERPRINT_NOTE)


def _kept_notes_back(message: Message) -> None:
    """An obsolete entry's kept fingerprint and fuzziness back where an entry has them."""
    for comment in message.user_comments:
        if comment == OBSOLETE_FUZZY:
            message.flags.add("fuzzy")
        elif comment.startswith(FINGERPRINT_NOTE):
            message.auto_comments = [*message.auto_comments, comment]
    message.user_comments = [c for c in message.user_comments if not _kept_note(c)]


def _previous_from_comments(message: Message) -> None:
    """A fuzzy entry's previous source (`#| msgid …`, as `i18n extract` and msgmerge write
    it), which Babel 2.18 reads as translator comments ("| msgid ..."): read as the
    previous msgid, so that the next extract writes it as it was, not as a comment."""
    from babel.messages.pofile import unescape

    told = [c[1:].strip() for c in message.user_comments if c.startswith("|")]
    if not told:
        return
    message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    parts: dict[str, list[str]] = {}
    key = ""
    for line in told:
        word, _, rest = line.partition(" ")
        if word in ("msgctxt", "msgid", "msgid_plural"):
            key, line = word, rest.strip()
        if key and line.startswith('"') and line.endswith('"') and len(line) > 1:
            parts.setdefault(key, []).append(unescape(line))
    if "msgid" in parts:
        previous = ["".join(parts["msgid"])]
        if "msgid_plural" in parts:
            previous.append("".join(parts["msgid_plural"]))
        message.previous_id = previous


def made_from(message: Any) -> str:
    """The recorded fingerprint of the source a translation was made from, else its msgid's."""
    for note in message.auto_comments:
        if note.startswith(FINGERPRINT_NOTE):
            value = str(note[len(FINGERPRINT_NOTE) :]).strip()
            if _FINGERPRINT_RE.match(value):
                return value
    return fingerprint(message.id if isinstance(message.id, str) else "")


def _check_locales(
    config: CatalogConfig, doc: Document | None, reporter: Reporter
) -> tuple[str, ...]:
    # every locale is in Babel's case (models._locale), so one spelling is one folder
    seen: dict[str, str] = {}
    for i, locale in enumerate(config.locales):
        loc = doc.loc(("locales", i)) if doc else Location(Path("catalog.yaml"))
        if locale == config.source_locale:
            reporter.error(
                loc,
                f"'{locale}' is the source locale (source_locale): list only the languages"
                " the catalog is translated into",
                "locale",
            )
        elif locale in seen:
            reporter.error(loc, f"locale '{locale}' is listed twice", "locale")
        else:
            seen[locale] = locale
    return tuple(seen.values())


def load_translations(
    root: Path,
    docs: Mapping[tuple[str, str], Document],
    config: CatalogConfig,
    audience_of: Callable[[str, str, YamlPath], Audience],
    reporter: Reporter,
    broken: Set[tuple[str, str]] = frozenset(),
) -> Translations:
    """Every declared locale's PO file, checked: faults and stale translations are located.

    Entries for an entity in `broken` (a file with errors of its own) are not reported.
    """
    locales = _check_locales(config, docs.get(("catalog", "catalog")), reporter)
    folder = root / TRANSLATIONS_DIR
    # the folder's fault, said once: not again for each locale's file, nor when the loader
    # said it could not list it
    said = any(d.loc.file == folder for d in reporter.errors)
    try:
        files = sorted(folder.glob("*.po")) if folder.is_dir() else []
    except OSError as exc:
        reporter.error(Location(folder), f"cannot list folder: {exc.strerror}", "load")
        files, said = [], True
    for file in files:
        if file.stem not in locales and file.stem != config.source_locale:
            reporter.warning(
                Location(file),  # the whole file: its first line, as an unknown file is
                f"'{file.stem}' is not in catalog.yaml locales{did_you_mean(file.stem, locales)}:"
                " these translations are not used",
                "translation",
            )
    if not locales:
        return Translations(config.source_locale)
    units = catalog_units(docs, audience_of)
    sources = {u.key: u.source for u in units}
    contexts = {message_context(k): k for k in sources}
    entries: dict[str, Mapping[Key, Entry]] = {}
    for locale in locales:
        path = po_file(root, locale)
        try:
            # anything at its place is read: a folder, a pipe or a link there is an error
            # (read_catalog_file), never a language silently without translations
            path.lstat()
            present = True
        except FileNotFoundError:
            present = False
        except OSError as exc:  # a translations folder that cannot be entered
            if not said:
                reporter.error(Location(folder), f"cannot read folder: {exc.strerror}", "load")
                said = True
            present = False
        if not present:
            entries[locale] = {}
            continue
        try:
            po, repeats = read_po_entries(path, root)
        except LoadError as exc:
            reporter.error(Location(path, exc.line, exc.col), str(exc), exc.code)
            entries[locale] = {}
            continue
        # in file order: a repeat finds its first entry already read, and is the error
        messages = sorted([*po, *repeats], key=lambda m: m.lineno or 0)
        entries[locale] = _entries(path, messages, sources, contexts, reporter, docs, broken)
    translations = Translations(config.source_locale, locales, entries, sources)
    glossary = docs.get(GLOSSARY_DOC)
    if glossary is not None and isinstance(glossary.data, dict):
        terms = {
            t: m for t, m in glossary.data.items() if isinstance(t, str) and isinstance(m, str)
        }
        for locale in locales:
            for clash in translated_glossary(translations, locale, terms)[1]:
                entry = entries[locale].get(glossary_key(clash.term, "term")) or entries[
                    locale
                ].get(glossary_key(clash.first, "term"))
                reporter.warning(
                    entry.loc if entry is not None else Location(po_file(root, locale)),
                    f"glossary terms '{clash.first}' and '{clash.term}' are both '{clash.shown}'"
                    f" in {locale}: a card's decoder explains '{clash.first}' only; translate"
                    " one of them otherwise",
                    "translation",
                    (GLOSSARY, clash.term),
                )
    return translations


def _entries(
    path: Path,
    messages: Sequence[Message],
    sources: Mapping[Key, str],
    contexts: Mapping[str, Key],
    reporter: Reporter,
    entities: Mapping[tuple[str, str], object],
    broken: Set[tuple[str, str]],
) -> dict[Key, Entry]:
    found: dict[Key, Entry] = {}
    #: the entries of entities the catalog does not have (a play renamed or removed): one
    #: warning for each, not one for each of its texts
    orphans: dict[Entity, list[tuple[Location, YamlPath, str, str]]] = {}
    #: entry msgctxt → the text `i18n extract` moves its translation to, and back
    moves, renames = _extract_moves(messages, sources, entities)
    # the catalog's files, and its glossary's terms (a term is an entity of its own)
    known = set(entities) | {key[:2] for key in sources}
    moved_into = {message_context(key): context for context, key in moves.items()}
    #: the entries a renamed entity of the catalog gives another (two plays' ids swapped):
    #: one warning for each such entity, not one for each of its texts
    given: dict[Entity, list[Location]] = {}
    for message in messages:
        if not message.id:
            continue  # the header
        loc = Location(path, message.lineno or 1, 1)
        context = message.context
        if message.pluralizable:
            reporter.error(loc, "plural forms are not used in catalog translations", "translation")
            continue
        if not context:
            reporter.error(
                loc,
                "entry without msgctxt: its msgctxt names the field it translates"
                " (kind:id:field), as `salesplay i18n extract` wrote it",
                "translation",
            )
            continue
        key = contexts.get(context)
        if key is None:
            parsed = parse_context(context)
            if parsed is not None and unreadable_entity(broken, *entity_of(parsed)):
                continue  # its file has an error of its own
            why = untranslated_why(parsed[0], parsed[2]) if parsed else None
            if parsed is not None and why is not None and parsed[:2] in entities:
                # the field is there: a did-you-mean to another field would mislead
                reporter.warning(
                    loc,
                    f"'{shown_path(parsed[2])}' of {parsed[0]} '{parsed[1]}' is not translated"
                    f" ({why}); this entry is not used",
                    "translation",
                    parsed[:2],
                )
                continue
            if not message.string:
                continue  # an empty entry for a text not there: nothing is lost, extract drops it
            if parsed is not None and parsed[:2] not in known:
                source = made_from(message)
                orphans.setdefault(parsed[:2], []).append((loc, parsed[2], source, context))
                continue
            if parsed is not None and parsed[:2] in renames and context in moves:
                given.setdefault(parsed[:2], []).append(loc)
                continue
            shape = "" if parsed else ": a msgctxt is kind:id:field, e.g. play:my-play:summary"
            hint = (
                f" (its text is now at '{message_context(moves[context])}':"
                " `salesplay i18n extract` moves the translation there)"
                if context in moves
                else did_you_mean(context, contexts)
            )
            reporter.warning(
                loc,
                f"translation of '{context}', which the catalog does not have"
                f"{hint}{shape}; it is not used",
                "translation",
                parsed[:2] if parsed else None,
            )
            continue
        if key in found:
            reporter.error(
                loc, translated_twice(context, found[key].loc.line), "translation", key[:2]
            )
            continue
        text = message.string if isinstance(message.string, str) else ""
        if text and not has_visible(text):
            # "   " or a lone zero-width space: a page would show a blank title
            codes = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(text))
            reporter.warning(
                loc,
                f"translation of {_field_named(key)} has no visible character (only {codes}):"
                " the source text is shown until it has one",
                "translation",
                key[:2],
            )
            text = ""
        unclosed = unclosed_bidi(text)
        if unclosed is not None:
            reporter.warning(
                loc,
                f"translation of {_field_named(key)}: {bidi_message(unclosed)}; the source"
                " text is shown until it is",
                "translation",
                key[:2],
            )
            text = ""
        entry = Entry(text, made_from(message), message.fuzzy, loc)
        found[key] = entry
        if text and (entry.fuzzy or entry.made_from != fingerprint(sources[key])):
            fix = "`salesplay i18n extract` marks it, then update it and clear 'fuzzy'"
            if key[:2] in renames and context in moves:
                given.setdefault(key[:2], []).append(loc)
                continue
            donor = parse_context(moved_into.get(context, ""))
            if donor is not None and donor[:2] != key[:2] and donor[:2] in renames:
                continue  # another entity's translation takes its place: told at that one
            if entry.made_from == fingerprint(sources[key]):
                why = "marked fuzzy (to review)"
            elif context in moves:
                why = f"its text is now at '{message_context(moves[context])}'"
                fix = "`salesplay i18n extract` moves this translation there"
                if context in moved_into:
                    fix += f", and that of '{moved_into[context]}', made from this text, here"
            elif context in moved_into:
                why = f"its text was at '{moved_into[context]}'"
                fix = "`salesplay i18n extract` moves that translation here"
            else:
                why = "its source text changed since it was translated"
            reporter.warning(
                loc,
                f"stale translation of {_field_named(key)}: {why};"
                f" the source text is shown until it is translated again ({fix})",
                "translation-stale",
                key[:2],
            )
    for (kind, eid), locs in given.items():
        count = f"{len(locs)} translations" if len(locs) > 1 else "a translation"
        reporter.warning(
            min(locs, key=lambda loc: loc.line),
            f"{count} of {kind} '{eid}' {'were' if len(locs) > 1 else 'was'} made from the"
            f" texts {kind}"
            f" '{renames[(kind, eid)][1]}' has now (ids swapped, or renamed?): the source"
            " texts are shown until `salesplay i18n extract` moves them there",
            "translation-stale",
            (kind, eid),
        )
    _orphans_said(orphans, renames, contexts, reporter)
    return found


def match_own_and_moved(
    messages: Sequence[Message],
    sources: Mapping[Key, str],
    chosen: dict[Key, Message],
    used: set[int],
) -> None:
    """The entries of `messages` texts take, as `i18n extract` and `check` both read them:
    a text's own entry made from its source (an empty one too), else the first unused entry
    of its entity made from it (a list item moved when one above it was inserted or removed,
    a tier's id renamed). `chosen` gains key → entry; `used` the ids of the entries taken."""
    by_context: dict[str, list[Message]] = {}
    same_source: dict[tuple[str, str, str], list[Message]] = {}
    for message in messages:
        key = parse_context(message.context) if message.id and message.context else None
        if key is None:
            continue
        by_context.setdefault(str(message.context), []).append(message)
        if message.string:
            same_source.setdefault((key[0], key[1], made_from(message)), []).append(message)
    for key, text in sources.items():
        made = fingerprint(text)
        own = [m for m in by_context.get(message_context(key), ()) if id(m) not in used]
        match = next((m for m in own if made_from(m) == made), None)
        if key not in chosen and match is not None:
            chosen[key] = match
            used.add(id(match))
    for key, text in sources.items():
        if key in chosen:
            continue
        free = [m for m in same_source.get((*key[:2], fingerprint(text)), ()) if id(m) not in used]
        if free:
            chosen[key] = free[0]
            used.add(id(free[0]))


def match_renames(
    messages: Sequence[Message],
    sources: Mapping[Key, str],
    entities: Set[Entity],
    chosen: dict[Key, Message],
    used: set[int],
) -> dict[Entity, Entity]:
    """The renames `i18n extract` follows (`giving`, `renamed`: a play's file renamed, two
    plays' ids swapped), each renamed entity's texts taking the entries of the one it was
    renamed from, made from the same source; after match_own_and_moved. `entities` are
    the catalog's. Returns old → new."""
    entries: dict[Entity, dict[tuple[YamlPath, str], Message]] = {}
    by_source: dict[Entity, dict[str, list[Message]]] = {}  # a moved list item's, by source
    kept: dict[Entity, int] = {}  # how many of an entity's translations fit its texts
    for message in messages:
        key = parse_context(message.context) if message.id and message.context else None
        if key is None or not message.string:
            continue
        if id(message) in used:
            kept[key[:2]] = kept.get(key[:2], 0) + 1
            continue
        entries.setdefault(key[:2], {}).setdefault((key[2], made_from(message)), message)
        by_source.setdefault(key[:2], {}).setdefault(made_from(message), []).append(message)
    wanting = {key: fingerprint(text) for key, text in sources.items() if key not in chosen}
    ranked = renamed(giving(entries, kept, entities), wanting)
    renames = {old: new for old, new in ranked.items() if old != new}
    for old, new in renames.items():
        for key, made in wanting.items():
            taken = entries[old].get((key[2], made)) if key[:2] == new else None
            if taken is not None and id(taken) not in used:
                chosen[key] = taken
                used.add(id(taken))
        # then, as match_own_and_moved does within one id: a list item of the renamed
        # entity that moved (an item inserted or removed above it) takes the first unused
        # entry of the old id made from its text, before match_renamed_fields offers the
        # entry at its old place, fuzzy
        for key, made in wanting.items():
            if key[:2] != new or key in chosen:
                continue
            free = [m for m in by_source.get(old, {}).get(made, ()) if id(m) not in used]
            if free:
                chosen[key] = free[0]
                used.add(id(free[0]))
    return renames


def match_renamed_fields(
    messages: Sequence[Message],
    sources: Mapping[Key, str],
    renames: Mapping[Entity, Entity],
    chosen: dict[Key, Message],
    used: set[int],
) -> None:
    """A renamed entity's text edited as well (a glossary term's own text, always: it is the
    term's id) takes the entry of the field it is, made from the old text, which `i18n
    extract` marks fuzzy, for review: "MSPs" is offered what "MSP" was translated to. After
    every other pass (match_renames's `renames`)."""
    news = {new: old for old, new in renames.items()}
    fields: dict[tuple[Entity, YamlPath], Message] = {}
    for message in messages:
        key = parse_context(message.context) if message.id and message.context else None
        if key is not None and key[:2] in renames and message.string and id(message) not in used:
            fields.setdefault((key[:2], key[2]), message)
    for key in sources:
        old = news.get(key[:2])
        taken = fields.get((old, key[2])) if old is not None and key not in chosen else None
        if taken is not None and id(taken) not in used:
            chosen[key] = taken
            used.add(id(taken))


def _extract_moves(
    messages: Sequence[Message],
    sources: Mapping[Key, str],
    entities: Mapping[tuple[str, str], object],
) -> tuple[dict[str, Key], dict[Entity, Entity]]:
    """Entry msgctxt → the text `i18n extract` gives its translation to, as its passes over
    the file's live entries do (match_own_and_moved, match_renames), and the renames among
    them: `check` says what extract will do."""
    chosen: dict[Key, Message] = {}
    used: set[int] = set()
    match_own_and_moved(messages, sources, chosen, used)
    catalog = set(entities) | {key[:2] for key in sources}
    renames = match_renames(messages, sources, catalog, chosen, used)
    match_renamed_fields(messages, sources, renames, chosen, used)
    moves = {
        str(message.context): key
        for key, message in chosen.items()
        if message.context != message_context(key)
    }
    return moves, renames


def _orphans_said(
    orphans: Mapping[Entity, list[tuple[Location, YamlPath, str, str]]],
    moves: Mapping[Entity, Entity],
    contexts: Mapping[str, Key],
    reporter: Reporter,
) -> None:
    """One warning for the entries of each entity the catalog does not have, at its first:
    a play renamed gave one for each of its 40 texts in each language, each with a
    did-you-mean (a removed play's named another play's texts). The entity it was renamed to
    (`moves`, as _extract_moves found it: what `i18n extract` does) is named."""
    for entity, entries in orphans.items():
        kind, eid = entity
        loc, _, _, context = entries[0]
        if len(entries) == 1 and entity not in moves:
            reporter.warning(
                loc,
                f"translation of '{context}', which the catalog does not have"
                f"{did_you_mean(context, contexts)}; it is not used",
                "translation",
                entity,
            )
            continue
        count = f"{len(entries)} translations" if len(entries) > 1 else "a translation"
        if entity in moves:
            fix = (
                f" (renamed '{moves[entity][1]}'? `salesplay i18n extract` moves them to it,"
                " as they were made from its texts)"
            )
        else:
            fix = (
                " (`salesplay i18n extract` keeps them as obsolete entries, for a text that"
                " comes back)"
            )
        reporter.warning(
            loc,
            f"{count} of {kind} '{eid}', which the catalog does not have{fix};"
            f" {'they are' if len(entries) > 1 else 'it is'} not used",
            "translation",
            entity,
        )


def _field_named(key: Key) -> str:
    """A text's field as a marketer names it: "play 'x' objections.1.response", "tier
    'silver' name" (a tier's name lives in catalog.yaml, keyed by the tier)."""
    kind, eid, path = key
    if (kind, eid) == ("catalog", "catalog") and len(path) == 3 and path[0] == "tiers":
        return f"tier '{path[1]}' {path[2]}"
    return f"{kind} '{eid}' {shown_path(path)}"


def format_status(translations: Translations) -> str:
    """The coverage table of `salesplay i18n status`."""
    if not translations.locales:
        return (
            f"no locales declared: the catalog is in {translations.source_locale} only"
            " (add e.g. `locales: [de, ja]` to catalog.yaml)\n"
        )
    rows = [("locale", "kind", "translated", "stale", "missing", "total")]
    coverage = translations.coverage()
    for locale, kinds in coverage.items():
        totals = [0, 0, 0]
        for kind in ("catalog", *ENTITY_FOLDERS, GLOSSARY):  # catalog.yaml: the tiers' names
            if kind not in kinds:
                continue
            c = kinds[kind]
            rows.append(
                (
                    locale,
                    kind,
                    _share(c.translated, c.total),
                    str(c.stale),
                    str(c.missing),
                    str(c.total),
                )
            )
            totals = [totals[0] + c.translated, totals[1] + c.stale, totals[2] + c.missing]
        total = sum(totals)
        rows.append(
            (locale, "all", _share(totals[0], total), str(totals[1]), str(totals[2]), str(total))
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]
    stale = sum(c.stale for kinds in coverage.values() for c in kinds.values())
    if stale:
        lines.append(f"{stale} stale: `salesplay check` shows each at its PO entry")
    return "\n".join(lines) + "\n"


def _share(part: int, whole: int) -> str:
    return f"{part} ({100 * part // whole if whole else 0} %)"

"""Stage 1, load: read every catalog YAML file into plain data, keeping line marks."""

from __future__ import annotations

import bisect
import codecs
import functools
import os
import re
import stat
import unicodedata
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

import yaml

from salesplay.diagnostics import Location, Reporter, closest, did_you_mean
from salesplay.models import DOCUMENT_KINDS
from salesplay.yamlerrors import LINE_BREAK_RE, explain

YamlPath = tuple[str | int, ...]

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
        "aliases",  # names to look for in prose (the roadmap lint), not prose themselves
        "confidence",
        "review",
        "locale",  # locale codes (EN, pt_BR) are neither prose nor jargon
        "locales",
        "source_locale",
    }
)


def shown_path(path: YamlPath) -> str:
    """A path as a marketer counts it: list items from 1 (`proof.1.result`)."""
    return ".".join(str(p + 1) if isinstance(p, int) else p for p in path)


def meant_id(stem: str) -> str:
    """The id a file name not in lower-case kebab-case stands for: the one its rename gives
    ("Recovery_Drills" is "recovery-drills", "müller-søn" is "muller-son")."""
    return "-".join(part for part in _kebab(stem).split("-") if part) or "my-id"


#: Latin letters that do not decompose into a base letter and an accent (NFKD).
_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                          "ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th",
                          "Þ": "TH", "ð": "d", "Ð": "D", "ı": "i"})  # fmt: skip


def _kebab(text: str) -> str:
    """`text` as an id's characters: accents dropped ("müller-søn" is "muller-son"), any
    other character a hyphen."""
    plain = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    out = []
    for ch in plain:
        if unicodedata.combining(ch):
            continue
        out.append(ch.lower() if ch.isalnum() and ch.isascii() else "-")
    return "".join(out)


#: folder name → kind; the folder decides the kind of every file in it.
KIND_DIRS: Mapping[str, str] = MappingProxyType(
    {k.folder: k.name for k in DOCUMENT_KINDS if k.folder is not None}
)
#: top-level file stem → kind
TOP_FILES: Mapping[str, str] = MappingProxyType(
    {k.name: k.name for k in DOCUMENT_KINDS if k.folder is None}
)
YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 2_000_000
#: nodes visited per document; bounds memory and time under alias bombs.
MAX_NODES = 100_000
#: nested lists and mappings per document; catalog files need about 6. libyaml's own composer
#: recurses on the C stack (30,000 levels crash it), so nesting is counted while composing.
MAX_DEPTH = 64
#: characters no text may hold: C0 controls but tab and newline, DEL, C1 controls, lone
#: surrogates and U+FFFE/U+FFFF. XML 1.0 (so PowerPoint and the portal) refuses most of them,
#: and the rest are invisible; raw ones are refused by the YAML reader already, these come
#: through escapes in double-quoted scalars ("\x0b", "\u0001").
FORBIDDEN_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: characters YAML 1.1 counts as line breaks where editors and grep see none (NEL, and the
#: line and paragraph separators that text pasted from a web page or word processor holds):
#: while a file is parsed they stand in as noncharacters, so that every line:column said is
#: the file's own, and values get them back.
_YAML_ONLY_BREAKS = "\x85\u2028\u2029"
_STAND_INS = "\ufdd0\ufdd1\ufdd2"
_TO_STAND_INS = str.maketrans(_YAML_ONLY_BREAKS, _STAND_INS)
_FROM_STAND_INS = str.maketrans(_STAND_INS, _YAML_ONLY_BREAKS)
#: the tag YAML gives the key `<<`: a merge of another mapping's keys
_MERGE_TAG = "tag:yaml.org,2002:merge"
#: an escape sequence of a double-quoted scalar, or a forbidden character written as is.
_ESCAPE_RE = re.compile(
    r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))|" + FORBIDDEN_RE.pattern,
    re.DOTALL,
)
#: the one-letter escapes that stand for a forbidden character.
_SIMPLE_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    "N": "\x85",
}
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
#: YAML 1.2's numbers (the core schema, as editors read the catalog): `060` is sixty, not
#: YAML 1.1's octal 48; `1:30` and `1_000` are text, not 90 and 1000; no timestamps
_INT_RE = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_RE = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_YAML11 = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith("0o"):
        value = int(text[2:], 8)
    elif text.startswith("0x"):
        value = int(text[2:], 16)
    else:
        return int(text, 10)  # past Python's 4,300 digits: ValueError, and kept as text
    # a hex or octal number Python cannot write in decimal (past 4,300 digits) could be
    # neither kept in the parse cache (JSON) nor quoted in a message: the ValueError this
    # raises keeps it as text, as a decimal one that long is
    str(value)
    return value


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    text = str(loader.construct_scalar(node)).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    return float("nan") if text == ".nan" else float(text)


@functools.cache
def _loader_class() -> type[yaml.SafeLoader]:
    """A safe loader (libyaml when present) that reads plain scalars as YAML 1.2 does: only
    true/false are booleans, numbers are written in decimal (or 0o, 0x), nothing is a date.

    YAML 1.1 would read `no`, `on` or `y` as booleans, turning a glossary term or a
    region code into `False` behind the author's back; `development: 060` as 48, shown as
    "48 % confidence"; `24:7` as the number 1447. The editor's schema reads YAML 1.2, so
    both now agree. A date field takes its ISO text (`reviewed: 2026-11-01`). Made once:
    the class holds no state of a document.
    """
    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolvers = {
        key: [r for r in rules if r[0] not in _YAML11]
        for key, rules in base.yaml_implicit_resolvers.items()
    }
    loader: Any = type("CatalogLoader", (base,), {"yaml_implicit_resolvers": resolvers})
    loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL_RE, list("tTfF"))
    loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT_RE, list("-+0123456789"))
    loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_RE, list("-+0123456789."))
    loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
    return loader  # type: ignore[no-any-return]


@dataclass
class Document:
    """One catalog file: its plain data and where every key and value stands."""

    path: Path
    kind: str
    id: str
    data: Any = None
    #: start of the value node at each path; () is the whole document.
    marks: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    #: start of the key node for each mapping entry path.
    key_marks: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    #: scalar style (None = plain, "'", '"', '|', '>') and whether it sits on one line.
    styles: dict[YamlPath, tuple[str | None, bool]] = field(default_factory=dict)
    #: the source text, line by line (for exact columns inside scalars).
    lines: list[str] = field(default_factory=list)

    def loc(self, path: YamlPath = ()) -> Location:
        """Where the value at `path` (or its nearest existing ancestor) starts."""
        for n in range(len(path), -1, -1):
            mark = self.marks.get(path[:n])
            if mark:
                return Location(self.path, *mark)
        return Location(self.path, 1, 1)

    def key_loc(self, path: YamlPath) -> Location:
        """Where the key of a mapping entry stands (falls back to its value)."""
        mark = self.key_marks.get(path)
        return Location(self.path, *mark) if mark else self.loc(path)

    def column(
        self, path: YamlPath, text: str, offset: int, found: str, fold: bool = False
    ) -> tuple[int, int]:
        """Line and column where the scalar at `path` writes `found`, which its value `text`
        has at `offset`: the source is searched from the scalar's start for that occurrence
        (the value's own count of it before `offset`), so a quoted scalar's escapes, a
        block's indentation (`|`) and its folded lines (`>`) are all placed where the file
        has them. `fold`: matched ignoring case. The scalar's start when it is not found."""
        line, col = self.marks.get(path, (1, 1))
        if not found or line > len(self.lines):
            return line, col

        def same(s: str) -> str:
            return s.casefold() if fold else s

        word, nth = same(found), same(text).count(same(found), 0, offset)
        row, at = line - 1, col - 2
        while row < len(self.lines):
            at = same(self.lines[row]).find(word, at + 1)
            if at < 0:
                row, at = row + 1, -1
                continue
            if nth == 0:
                return row + 1, at + 1
            nth -= 1
        return line, col

    @functools.cached_property
    def texts(self) -> tuple[tuple[YamlPath, str], ...]:
        """Every prose string with its path (prose), listed once: nothing changes a
        Document once parsed, and serve's builds check the same documents again."""
        return tuple(prose(self.data))


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


class ParseStore(Protocol):
    """Where documents parsed by earlier builds are kept by content (parsecache.ParseCache):
    load asks it before parsing a file, and hands it each file it parsed."""

    def get(self, path: Path, kind: str, doc_id: str, raw: bytes, text: str) -> Document | None:
        """The document kept for these bytes (`text` is them decoded), or None."""

    def put(self, raw: bytes, doc: Document) -> None:
        """Keep a document just parsed from `raw`."""


class LoadError(Exception):
    """A file that cannot be read as one plain YAML mapping."""

    def __init__(self, message: str, line: int = 1, col: int = 1, code: str = "yaml") -> None:
        super().__init__(message)
        self.line, self.col, self.code = line, col, code


#: the bidirectional embeddings, overrides and isolates, and what closes each
_BIDI_OPENERS = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c"}
_BIDI_OPENERS |= {"\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}
_BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BIDI_NAMES = {
    "\u202a": "left-to-right embedding",
    "\u202b": "right-to-left embedding",
    "\u202d": "left-to-right override",
    "\u202e": "right-to-left override",
    "\u2066": "left-to-right isolate",
    "\u2067": "right-to-left isolate",
    "\u2068": "first-strong isolate",
}


def unclosed_bidi(text: str) -> str | None:
    """The first bidirectional embedding, override or isolate `text` opens and never
    closes, else None. Left open in a partner's name, U+202E turned the rest of the kit's
    line ("…only, not for customers") backwards: a text must close what it opens."""
    if _BIDI_RE.search(text) is None:
        return None
    stack: list[str] = []
    for char in text:
        if char in _BIDI_OPENERS:
            stack.append(char)
        elif char == "\u202c" and stack and _BIDI_OPENERS[stack[-1]] == char:
            stack.pop()
        elif char == "\u2069" and "\u2069" in (_BIDI_OPENERS[c] for c in stack):
            # an isolate's end closes it and whatever it opened inside (Unicode's UBA)
            while _BIDI_OPENERS[stack.pop()] != char:
                pass
    return stack[0] if stack else None


def bidi_message(char: str) -> str:
    closer = _BIDI_OPENERS[char]
    return (
        f"{_BIDI_NAMES[char]} U+{ord(char):04X} is never closed (U+{ord(closer):04X}): the"
        ' text after it, on a kit\'s page the words "not for customers" too, would be set in'
        " its direction; close it or remove it"
    )


def forbidden_message(char: str) -> str:
    code = ord(char)
    why = "XML and PowerPoint refuse it"
    if 0xD800 <= code <= 0xDFFF:
        what = "lone surrogate"
    elif code in (0xFFFE, 0xFFFF):
        what = "non-character"
    else:
        what = "control character"
        if code >= 0x7F:  # DEL and C1: XML 1.0 only discourages them, but nothing shows them
            why = "it is invisible and XML discourages it"
    return f"{what} U+{code:04X} in text: remove it ({why})"


def _char_of(match: re.Match[str]) -> str:
    """The character an escape (or a raw character) of a double-quoted scalar stands for."""
    hex_digits = match.group(1) or match.group(2) or match.group(3)
    if hex_digits:
        code = int(hex_digits, 16)
        return chr(code) if code <= 0x10FFFF else ""
    letter = match.group(4)
    if letter is None:
        return match.group(0)
    return _SIMPLE_ESCAPES.get(letter, "")


class _Composer:
    """Builds the node tree from the parser's events, without recursion and with a depth cap.

    libyaml's own composer recurses on the C stack (a 30,000-deep `[[[…` kills the process)
    and its scanner slows down quadratically with depth, so nesting is refused as soon as it
    passes MAX_DEPTH, long before either can hurt.
    """

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.anchors: dict[str, yaml.Node] = {}
        self.count = 0

    def single_node(self) -> yaml.Node | None:
        loader = self.loader
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            loader.get_event()
            return None
        first = loader.get_event()  # document start
        node = self._document()
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                first.start_mark,
                "but found another document",
                loader.get_event().start_mark,
            )
        loader.get_event()
        return node

    def _document(self) -> yaml.Node:
        #: open collections, innermost last, each with its items so far.
        stack: list[tuple[yaml.CollectionNode, list[yaml.Node]]] = []
        while True:
            event = self.loader.get_event()
            start: Any = event.start_mark
            end: Any = event.end_mark
            node: yaml.Node
            if isinstance(event, yaml.AliasEvent):
                if event.anchor not in self.anchors:
                    problem = f"found undefined alias '{event.anchor}'"
                    raise yaml.composer.ComposerError(None, None, problem, start)
                node = self.anchors[event.anchor]
            elif isinstance(event, yaml.CollectionEndEvent):
                collection, items = stack.pop()
                collection.end_mark = end
                if isinstance(collection, yaml.MappingNode):
                    collection.value.extend(zip(items[::2], items[1::2], strict=True))
                else:
                    collection.value.extend(items)
                node = collection
            elif not isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                problem = f"unexpected {type(event).__name__}"  # the parser never does this
                raise yaml.composer.ComposerError(None, None, problem, start)
            else:
                # count values as the builder does (not mapping keys), to stop a huge
                # document before it is composed in full
                top = stack[-1] if stack else None
                is_key = top is not None and isinstance(top[0], yaml.MappingNode)
                self.count += not (is_key and top is not None and len(top[1]) % 2 == 0)
                if self.count > MAX_NODES:
                    raise LoadError(
                        f"document too large: more than {MAX_NODES} values",
                        start.line + 1,
                        start.column + 1,
                    )
                if isinstance(event, yaml.ScalarEvent):
                    tag = self._tag(event, yaml.ScalarNode, event.value, event.implicit)
                    node = yaml.ScalarNode(tag, event.value, start, end, style=event.style)
                    self._anchor(event, node)
                else:
                    if len(stack) >= MAX_DEPTH:
                        raise LoadError(
                            "invalid YAML: nested too deeply", start.line + 1, start.column + 1
                        )
                    cls: type[yaml.CollectionNode] = (
                        yaml.MappingNode
                        if isinstance(event, yaml.MappingStartEvent)
                        else yaml.SequenceNode
                    )
                    tag = self._tag(event, cls, None, getattr(event, "implicit", True))
                    flow = getattr(event, "flow_style", None)
                    opened = cls(tag, [], start, end, flow_style=flow)
                    self._anchor(event, opened)
                    stack.append((opened, []))
                    continue
            if not stack:
                return node
            stack[-1][1].append(node)

    def _tag(self, event: Any, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if event.tag is None or event.tag == "!":
            return str(self.loader.resolve(kind, value, implicit))
        return str(event.tag)

    def _anchor(self, event: Any, node: yaml.Node) -> None:
        if event.anchor is None:
            return
        if event.anchor in self.anchors:
            first = self.anchors[event.anchor].start_mark.line + 1
            raise yaml.composer.ComposerError(
                None,
                None,
                f"duplicate anchor '&{event.anchor}' (first defined at line {first})",
                event.start_mark,
            )
        self.anchors[event.anchor] = node


class _Builder:
    """Turns a composed node tree into plain data, recording marks on the way."""

    def __init__(self, doc: Document, constructor: Any, text: str, swapped: bool) -> None:
        """`swapped`: `text` holds stand-ins for YAML-only line breaks (_TO_STAND_INS)."""
        self.doc = doc
        self.constructor = constructor
        self.text = text
        self.swapped = swapped
        self.visited = 0
        #: a value holds only characters of the source, unless an escape ('\x0b') made one:
        #: a source with neither a backslash nor a forbidden character needs no check per value
        source = text.translate(_FROM_STAND_INS) if swapped else text
        self.clean = (
            "\\" not in text
            and FORBIDDEN_RE.search(source) is None
            and _BIDI_RE.search(source) is None
        )

    def _value(self, node: yaml.ScalarNode) -> str:
        """The node's text as the file holds it."""
        value = str(node.value)
        return value.translate(_FROM_STAND_INS) if self.swapped else value

    def build(self, node: yaml.Node, path: YamlPath, depth: int = 0) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise LoadError(
                f"document too large: more than {MAX_NODES} values (runaway aliases?)",
                node.start_mark.line + 1,
                node.start_mark.column + 1,
            )
        self.doc.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.CollectionNode):
            # aliases nest collections deeper than the composer saw; each level costs a frame
            if depth >= MAX_DEPTH:
                raise LoadError(
                    "invalid YAML: nested too deeply",
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                )
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path, depth + 1)
            if node.tag != "tag:yaml.org,2002:seq":
                raise self._tag_error(node)
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: YamlPath, depth: int) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            raise self._tag_error(node)
        out: dict[str, Any] = {}
        # what `<<:` keys bring in, first: the mapping's own keys then win, and their places
        # are the ones recorded
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                for key, value in self._merge(value_node, path, depth, at).items():
                    merged.setdefault(key, value)
        for key_node, value_node in node.value:
            line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key_node.tag == _MERGE_TAG:
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise LoadError(
                    "a mapping key must be a plain word, not a list or mapping", line, col
                )
            self._check_text(key_node)
            key = self._value(key_node)
            if key in out:
                first = self.doc.key_marks[(*path, key)]
                raise LoadError(
                    f"duplicate key '{key}' (first defined at line {first[0]})", line, col
                )
            self.doc.key_marks[(*path, key)] = (line, col)
            out[key] = self.build(value_node, (*path, key), depth)
        if not merged:
            return out
        return {**{k: v for k, v in merged.items() if k not in out}, **out}

    def _merge(
        self, node: yaml.Node, path: YamlPath, depth: int, at: tuple[int, int]
    ) -> dict[str, Any]:
        """What a merge key (`<<: *defaults`) brings into the mapping at `path`: the keys of
        one mapping, or of a list of them, the first holding a key giving its value (YAML's
        merge key). A merged value's place is where its anchor's mapping writes it."""
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode) and all(
            isinstance(item, yaml.MappingNode) for item in node.value
        ):
            found: dict[str, Any] = {}
            for item in node.value:
                for key, value in self._mapping(item, path, depth).items():
                    found.setdefault(key, value)
            return found
        raise LoadError(
            "a merge key '<<' takes a mapping (an alias such as *defaults) or a list of them",
            *at,  # the key: an alias's node is where its anchor is
        )

    def _scalar(self, node: yaml.ScalarNode, path: YamlPath) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise self._tag_error(node)
        self._check_text(node)
        # libyaml gives plain scalars the style '' where PyYAML gives None
        style = node.style or None
        self.doc.styles[path] = (style, node.start_mark.line == node.end_mark.line)
        if node.tag == "tag:yaml.org,2002:str":
            return self._value(node)
        try:
            return self.constructor.construct_object(node)
        except Exception:
            # e.g. 2026-13-45 looks like a date but is none: keep the text and let
            # validation report it with the field's own expectation.
            return node.value

    def _check_text(self, node: yaml.ScalarNode) -> None:
        """Refuse a forbidden character in a value or key, pointing at the character."""
        if self.clean:
            return
        value = self._value(node)
        found = FORBIDDEN_RE.search(value)
        if found is not None:
            char = found.group(0)
            line, col = self._locate(node, char.translate(_TO_STAND_INS) if self.swapped else char)
            raise LoadError(forbidden_message(char), line, col, "control-character")
        unclosed = unclosed_bidi(value)
        if unclosed is not None:
            line, col = self._locate(node, unclosed)
            raise LoadError(bidi_message(unclosed), line, col, "control-character")

    def _locate(self, node: yaml.ScalarNode, char: str) -> tuple[int, int]:
        """Line and column of `char` in the node's source (of its escape, when double-quoted)."""
        start = (node.start_mark.line + 1, node.start_mark.column + 1)
        starts = [0, *(m.end() for m in LINE_BREAK_RE.finditer(self.text))]
        if node.end_mark.line >= len(starts):
            return start
        begin = starts[node.start_mark.line] + node.start_mark.column
        end = starts[node.end_mark.line] + node.end_mark.column
        if node.style == '"':
            escapes = _ESCAPE_RE.finditer(self.text, begin, end)
            found = next((m.start() for m in escapes if _char_of(m) == char), -1)
        else:
            found = self.text.find(char, begin, end)  # as written (or its stand-in)
        if found < 0:
            return start
        line = bisect.bisect_right(starts, found)
        return line, found - starts[line - 1] + 1

    def _tag_error(self, node: yaml.Node) -> LoadError:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        return LoadError(
            f"unsupported YAML tag '{tag}': only plain YAML is allowed",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )


def decode_text(raw: bytes) -> str:
    """A catalog file's bytes (as read_catalog_file gives them) as text; else LoadError."""
    if len(raw) > MAX_FILE_BYTES:
        raise LoadError(f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Notepad's "Unicode": naming it tells a Windows user which setting to change
        raise LoadError("file is saved as UTF-16 (Notepad's 'Unicode'); save it as UTF-8", 1, 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # the decoder counts from after a byte order mark, the file from its first byte
        at = exc.start + (len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0)
        line = raw[:at].count(b"\n") + 1
        col = at - (raw.rfind(b"\n", 0, at) + 1) + 1
        raise LoadError(
            f"file is not valid UTF-8 (byte 0x{raw[at]:02x}); save it as UTF-8",
            line,
            col,
        ) from None


def parse_document(path: Path, kind: str, doc_id: str, raw: bytes) -> Document:
    """Parse one file's bytes; raises LoadError with a location."""
    doc = Document(path=path, kind=kind, id=doc_id)
    text = decode_text(raw)
    swapped = any(c in text for c in _YAML_ONLY_BREAKS) and not any(c in text for c in _STAND_INS)
    if swapped:
        text = text.translate(_TO_STAND_INS)
        doc.lines = [line.translate(_FROM_STAND_INS) for line in text.splitlines()]
    else:
        doc.lines = text.splitlines()
    loader = _loader_class()(text)
    try:
        node = _Composer(loader).single_node()
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
            # a glossary may be left out altogether; the other kinds' files define something
            unless = ", or delete the file" if kind == "glossary" else ""
            raise LoadError(f"empty file: expected {_expected(kind)}{unless}")
        doc.data = _Builder(doc, loader, text, swapped).build(node, ())
    except yaml.MarkedYAMLError as exc:
        explained = explain(exc, text)
        if explained is not None:
            message, line, col = explained
            raise LoadError(f"could not be read: {message}", line, col) from None
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if "expected a single document" in str(exc.context):
            problem = "more than one YAML document: one document per file"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise LoadError(f"invalid YAML: {problem}", line, col) from None
    except yaml.reader.ReaderError as exc:
        # libyaml reports a character position, not a mark: turn it into line:column
        pos = exc.position
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise LoadError(
            f"invalid YAML: unacceptable character #x{ord(char):04x}: {exc.reason}", line, col
        ) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "cannot parse"
        raise LoadError(f"invalid YAML: {first}") from None
    except RecursionError:
        raise LoadError("invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    if not isinstance(doc.data, dict):
        found = "a list" if isinstance(doc.data, list) else "a single value"
        line, col = doc.marks.get((), (1, 1))
        raise LoadError(f"expected {_expected(kind)}, found {found}", line, col)
    return doc


def _expected(kind: str) -> str:
    """What a file of `kind` holds at its top, in a marketer's words."""
    if kind == "glossary":
        # a glossary holds terms, not fields
        return "terms and their meanings (TERM: meaning)"
    return f"a mapping of {kind} fields"


def _kind_of(catalog: Path, file: Path) -> str | None:
    rel = file.relative_to(catalog)
    if len(rel.parts) == 1:
        return TOP_FILES.get(file.stem)
    if len(rel.parts) == 2:
        return KIND_DIRS.get(rel.parts[0])
    return None


#: what makes a folder a repository to git's discovery (a bare one): planted in the catalog
#: by a pull request, its config's commands ran (write.git_env now refuses such a folder)
_GIT_DIR_NAMES = frozenset({"HEAD", "objects", "refs"})
#: the id standing for every entity of a kind whose folder could not be listed
#: (`(kind, ANY_ID)` in Loaded.unreadable): no id is written so
ANY_ID = "*"


def _folder_kind(catalog: Path, folder: Path) -> str | None:
    """The kind whose entities `folder` holds (a kind's folder or one inside it)."""
    try:
        first = folder.relative_to(catalog).parts[:1]
    except ValueError:
        return None
    return KIND_DIRS.get(first[0]) if first else None


def unreadable_entity(broken: Set[tuple[str, str]], kind: str, eid: str) -> bool:
    """Whether `(kind, eid)` could not be read: its file, or its kind's folder."""
    return (kind, eid) in broken or (kind, ANY_ID) in broken


class Loaded(list[Document]):
    """The documents read, plus the (kind, id) of each catalog file that could not be read.

    A file that exists but cannot be read gets its one error here; later stages must not
    add "unknown play" or "used by no play" about the entity it defines.
    """

    def __init__(self) -> None:
        super().__init__()
        self.unreadable: set[tuple[str, str]] = set()
        #: files under an entity's folder that are not catalog files (`x.yaml.bak`, `x.txt`,
        #: in a subfolder), by the (kind, id) their name suggests; nothing reports them, but
        #: a reference that finds no entity names the one it may have meant
        self.skipped: dict[tuple[str, str], Path] = {}


#: parsed documents (or parse errors) by path, kind, id and file bytes (see memo.Memo).
Parsed = dict[tuple[str, str, str, bytes], "Document | LoadError"]


def load_catalog(
    catalog: Path,
    reporter: Reporter,
    memo: Parsed | None = None,
    stored: ParseStore | None = None,
) -> Loaded:
    """Every YAML file of the catalog, parsed; unreadable files become errors.

    `memo` holds what an earlier load of this process parsed: a file whose bytes are the
    same is not parsed again (nothing later changes a Document). It is left holding this
    load's files only. `stored` is what builds into --out parsed (parsecache), consulted
    after `memo`; what is parsed here is added to it.
    """
    docs = Loaded()
    root = os.path.realpath(catalog)
    used: Parsed = {}
    for file, real in _catalog_files(catalog, root, reporter, docs.unreadable, docs.skipped):
        kind = _kind_of(catalog, file)
        if kind is None:
            # its error says where it belongs: references to it are not "unknown" too
            meant = _meant_entity(catalog, file)
            if meant is not None:
                docs.unreadable.add(meant)
            message = _unknown_file_message(catalog, file)
            reporter.error(Location(file), message, "unknown-file", meant)
            continue
        try:
            raw = read_catalog_file(file, root, real)
        except LoadError as exc:
            parsed: Document | LoadError = exc
        else:
            key = (str(file), kind, file.stem, raw)
            parsed = (memo or {}).get(key) or _parsed(file, kind, raw, stored)
            used[key] = parsed
        if isinstance(parsed, LoadError):
            subject = (kind, file.stem)
            docs.unreadable.add(subject)
            reporter.error(
                Location(file, parsed.line, parsed.col), str(parsed), parsed.code, subject
            )
        else:
            docs.append(parsed)
    if memo is not None:
        memo.clear()
        memo.update(used)
    if (
        not (catalog / "catalog.yaml").is_file()
        and not (catalog / "catalog.yml").is_file()
        and ("catalog", "catalog") not in docs.unreadable  # its own error says why
    ):
        reporter.error(
            Location(catalog / "catalog.yaml"),
            "missing catalog.yaml: every catalog needs one (company, tiers)",
            "missing-file",
        )
    return docs


def _parsed(file: Path, kind: str, raw: bytes, stored: ParseStore | None) -> Document | LoadError:
    if stored is not None:
        try:
            found = stored.get(file, kind, file.stem, raw, decode_text(raw))
        except LoadError:
            found = None  # parse_document says why, below
        if found is not None:
            return found
    try:
        doc = parse_document(file, kind, file.stem, raw)
    except LoadError as exc:
        exc.__traceback__ = None  # kept in a memo: no frames held with it
        return exc
    if stored is not None:
        stored.put(raw, doc)
    return doc


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _catalog_files(
    catalog: Path,
    root: str,
    reporter: Reporter,
    unreadable: set[tuple[str, str]],
    skipped: dict[tuple[str, str], Path],
) -> list[tuple[Path, str]]:
    """The YAML files under the catalog (assets/ aside), sorted, each with its real path;
    nothing outside it.

    A YAML file or a folder that is a symlink leading outside the catalog is an error, and
    so is a folder that cannot be listed: skipping it would silently drop its entities
    (and let `build` prune their outputs). Symlinks that stay inside are followed. The
    real path of a file that is no symlink is its folder's and its name: one `realpath` a
    folder, not one a file (each walks every part of the path).
    """
    files: list[tuple[Path, str]] = []

    def refuse(path: Path, kind: str | None, message: str, code: str) -> None:
        # an entity whose file is refused is unreadable: nothing refers to it in vain, by
        # its file name or by the id its rename gives it
        if kind is not None:
            unreadable.update({(kind, path.stem), (kind, meant_id(path.stem))})
        reporter.error(Location(path), message, code, None if kind is None else (kind, path.stem))

    walked: set[str] = set()  # real folders already listed, so a symlink loop ends
    pending = [catalog]
    while pending:
        folder = pending.pop()
        real = os.path.realpath(folder)
        if real in walked:
            continue
        walked.add(real)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            reporter.error(Location(folder), f"cannot list folder: {exc.strerror}", "io")
            kind = _folder_kind(catalog, folder)
            if kind is not None:
                # every entity of the kind may be in it: none is "unknown" or "unused"
                unreadable.add((kind, ANY_ID))
            continue
        if _GIT_DIR_NAMES.issubset(e.name for e in entries):
            reporter.warning(
                Location(folder / "HEAD"),
                f"'{folder.relative_to(catalog.parent).as_posix()}' holds HEAD, objects/ and"
                " refs/, so git takes it for a repository: salesplay reads no revision or"
                " release through it (the catalog reads as outside git); remove those files",
                "git",
            )
        for entry in entries:
            path = folder / entry.name
            if folder == catalog and entry.name == "assets":
                continue  # assets are checked one by one where the YAML names them
            if entry.name.startswith("."):
                # hidden: an editor's lock (Emacs's `.#x.yaml`, a link to nowhere, stopped
                # every build while a buffer had unsaved edits), macOS's `._x.yaml`, .git
                continue
            is_yaml = path.suffix in YAML_SUFFIXES
            try:
                is_dir = entry.is_dir()
                is_link = entry.is_symlink()
            except OSError:
                is_dir = is_link = False
            if not is_yaml and not is_dir and path.suffix.lower() in YAML_SUFFIXES:
                # skipped, `upper.YAML` would silently drop its entity (and `build` prune its
                # outputs); read, the same catalog would mean something else on a case-
                # sensitive checkout than on macOS or Windows
                refuse(
                    path,
                    _kind_of(catalog, path),
                    f"'{path.relative_to(catalog).as_posix()}' is not read: catalog files end in"
                    " lower-case .yaml or .yml (rename it to"
                    f" '{meant_id(path.stem)}{path.suffix.lower()}')",
                    "file-name",
                )
                continue
            if is_link and (is_yaml or is_dir) and not _inside(os.path.realpath(path), root):
                what = "folder" if is_dir else "file"
                refuse(
                    path,
                    _kind_of(catalog, path) if is_yaml else None,
                    f"'{path.relative_to(catalog)}' is a symlink that leads outside the catalog:"
                    f" put the {what} itself in the catalog",
                    "symlink",
                )
                continue
            if is_yaml:
                real_file = os.path.realpath(path) if is_link else os.path.join(real, entry.name)
                files.append((path, real_file))
            elif not is_dir:
                _note_skipped(catalog, path, skipped)
            if is_dir:
                pending.append(path)
    return sorted(files)


def read_catalog_file(path: Path, root: str, real: str | None = None) -> bytes:
    """The bytes of a regular file inside the real folder `root`, at most MAX_FILE_BYTES + 1.

    Checked before opening, so a FIFO, a device or a symlink to one neither hangs nor
    floods; opened without following a last symlink and re-checked on the open descriptor,
    so a file swapped in between is refused too. `real` is the path's real path, when the
    caller knows it (resolved here otherwise).
    """
    real = os.path.realpath(path) if real is None else real
    if not _inside(real, root):
        raise LoadError(
            f"'{path.name}' is a symlink that leads outside the catalog", code="symlink"
        )
    try:
        info = os.stat(real)
        _check_regular(info)
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            opened = os.fstat(fd)
            _check_regular(opened)
            if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
                raise LoadError("cannot read file: it changed while being read", code="io")
            return read_at_most(fd, MAX_FILE_BYTES + 1, opened.st_size)
        finally:
            os.close(fd)
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror}", code="io") from None


def read_at_most(fd: int, limit: int, size: int) -> bytes:
    """At most `limit` bytes of an open file that fstat says holds `size`: that much is
    asked for first (asking for the limit would allocate megabytes for a 2 kB file), then
    what a growing file added, a megabyte at a time."""
    chunks: list[bytes] = []
    left, step = limit, size + 1
    while left > 0:
        chunk = os.read(fd, min(left, step))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
        step = 1 << 20
    return b"".join(chunks)


def _check_regular(info: os.stat_result) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise LoadError("cannot read file: Is a directory", code="io")
    if not stat.S_ISREG(mode):
        what = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a device"
        )
        raise LoadError(f"cannot read file: it is {what}, not a regular file", code="io")
    if info.st_size > MAX_FILE_BYTES:
        raise LoadError(f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB")


def _note_skipped(catalog: Path, path: Path, skipped: dict[tuple[str, str], Path]) -> None:
    """Keep a file under an entity's folder that is not read, by the id its name suggests
    (the name up to its first dot: `x.yaml.bak` is x), for the reference that misses it."""
    parts = path.relative_to(catalog).parts
    kind = KIND_DIRS.get(parts[0]) if len(parts) > 1 else None
    stem = path.name.split(".", 1)[0]
    if kind is not None and stem:  # `.DS_Store`, `.x.yaml.swp`: no one's file
        skipped.setdefault((kind, meant_id(stem)), path)


def _meant_entity(catalog: Path, file: Path) -> tuple[str, str] | None:
    """The entity a YAML file in the wrong place was meant to define, when its place says:
    `play/x.yaml` (did you mean 'plays'?) and `plays/old/x.yaml` are play x,
    `Glossary.yaml` is the glossary."""
    parts = file.relative_to(catalog).parts
    if len(parts) == 1:
        top = closest(file.stem, TOP_FILES)
        return None if top is None else (TOP_FILES[top], top)
    folder = parts[0] if parts[0] in KIND_DIRS else closest(parts[0], KIND_DIRS)
    if folder is None or (len(parts) == 2 and folder == parts[0]):
        return None
    return KIND_DIRS[folder], meant_id(file.stem)


def _unknown_file_message(catalog: Path, file: Path) -> str:
    parts = file.relative_to(catalog).parts
    if len(parts) == 1:
        hint = did_you_mean(file.stem, TOP_FILES)
        return f"unknown top-level file '{file.name}'{hint}; kinds live in folders"
    if len(parts) == 2:
        hint = did_you_mean(parts[0], KIND_DIRS)
        return f"unknown folder '{parts[0]}/'{hint}; expected one of {', '.join(KIND_DIRS)}"
    return f"'{file.relative_to(catalog)}' is nested too deeply: kinds are one folder deep"

"""Stage 1, load: read every catalog YAML file into plain data, keeping line marks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from salesplay.diagnostics import Location, Reporter, did_you_mean

YamlPath = tuple[str | int, ...]

#: folder name → kind; the folder decides the kind of every file in it.
KIND_DIRS: dict[str, str] = {
    "products": "product",
    "competitors": "competitor",
    "differentiators": "differentiator",
    "destinations": "destination",
    "paths": "path",
    "plays": "play",
    "partners": "partner",
}
TOP_FILES: dict[str, str] = {"catalog": "catalog", "glossary": "glossary"}
YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 2_000_000
#: nodes visited per document; bounds memory and time under alias bombs.
MAX_NODES = 100_000
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


def _loader_class() -> type[yaml.SafeLoader]:
    """A safe loader (libyaml when present) where only true/false are booleans (YAML 1.2).

    YAML 1.1 would read `no`, `on` or `y` as booleans, turning a glossary term or a
    region code into `False` behind the author's back.
    """
    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolvers = {
        key: [r for r in rules if r[0] != "tag:yaml.org,2002:bool"]
        for key, rules in base.yaml_implicit_resolvers.items()
    }
    loader: Any = type("CatalogLoader", (base,), {"yaml_implicit_resolvers": resolvers})
    loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL_RE, list("tTfF"))
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


class LoadError(Exception):
    """A file that cannot be read as one plain YAML mapping."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.line, self.col = line, col


class _Builder:
    """Turns a composed node tree into plain data, recording marks on the way."""

    def __init__(self, doc: Document, constructor: Any) -> None:
        self.doc = doc
        self.constructor = constructor
        self.visited = 0

    def build(self, node: yaml.Node, path: YamlPath) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise LoadError(
                f"document too large: more than {MAX_NODES} values (runaway aliases?)",
                node.start_mark.line + 1,
                node.start_mark.column + 1,
            )
        self.doc.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise self._tag_error(node)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: YamlPath) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            raise self._tag_error(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise LoadError(
                    "a mapping key must be a plain word, not a list or mapping", line, col
                )
            key = str(key_node.value)
            if key in out:
                first = self.doc.key_marks[(*path, key)]
                raise LoadError(
                    f"duplicate key '{key}' (first defined at line {first[0]})", line, col
                )
            self.doc.key_marks[(*path, key)] = (line, col)
            out[key] = self.build(value_node, (*path, key))
        return out

    def _scalar(self, node: yaml.ScalarNode, path: YamlPath) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise self._tag_error(node)
        # libyaml gives plain scalars the style '' where PyYAML gives None
        style = node.style or None
        self.doc.styles[path] = (style, node.start_mark.line == node.end_mark.line)
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        try:
            return self.constructor.construct_object(node)
        except Exception:
            # e.g. 2026-13-45 looks like a date but is none: keep the text and let
            # validation report it with the field's own expectation.
            return node.value

    def _tag_error(self, node: yaml.Node) -> LoadError:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        return LoadError(
            f"unsupported YAML tag '{tag}': only plain YAML is allowed",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )


def parse_document(path: Path, kind: str, doc_id: str, raw: bytes) -> Document:
    """Parse one file's bytes; raises LoadError with a location."""
    doc = Document(path=path, kind=kind, id=doc_id)
    if len(raw) > MAX_FILE_BYTES:
        raise LoadError(f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError(
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
            line,
            col,
        ) from None
    doc.lines = text.splitlines()
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
            raise LoadError(f"empty file: expected a mapping of {kind} fields")
        doc.data = _Builder(doc, loader).build(node, ())
    except yaml.MarkedYAMLError as exc:
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
        raise LoadError(f"expected a mapping of {kind} fields, found {found}", line, col)
    return doc


def _kind_of(catalog: Path, file: Path) -> str | None:
    rel = file.relative_to(catalog)
    if len(rel.parts) == 1:
        return TOP_FILES.get(file.stem)
    if len(rel.parts) == 2:
        return KIND_DIRS.get(rel.parts[0])
    return None


def load_catalog(catalog: Path, reporter: Reporter) -> list[Document]:
    """Every YAML file of the catalog, parsed; unreadable files become errors."""
    docs: list[Document] = []
    files = sorted(
        p
        for p in catalog.rglob("*")
        if p.suffix in YAML_SUFFIXES and "assets" not in p.relative_to(catalog).parts[:1]
    )
    for file in files:
        kind = _kind_of(catalog, file)
        if kind is None:
            reporter.error(Location(file), _unknown_file_message(catalog, file), "unknown-file")
            continue
        try:
            raw = file.read_bytes()
        except OSError as exc:
            reporter.error(Location(file), f"cannot read file: {exc.strerror}", "io")
            continue
        try:
            docs.append(parse_document(file, kind, file.stem, raw))
        except LoadError as exc:
            reporter.error(Location(file, exc.line, exc.col), str(exc), "yaml")
    if not (catalog / "catalog.yaml").is_file() and not (catalog / "catalog.yml").is_file():
        reporter.error(
            Location(catalog / "catalog.yaml"),
            "missing catalog.yaml: every catalog needs one (company, tiers)",
            "missing-file",
        )
    return docs


def _unknown_file_message(catalog: Path, file: Path) -> str:
    parts = file.relative_to(catalog).parts
    if len(parts) == 1:
        hint = did_you_mean(file.stem, TOP_FILES)
        return f"unknown top-level file '{file.name}'{hint}; kinds live in folders"
    if len(parts) == 2:
        hint = did_you_mean(parts[0], KIND_DIRS)
        return f"unknown folder '{parts[0]}/'{hint}; expected one of {', '.join(KIND_DIRS)}"
    return f"'{file.relative_to(catalog)}' is nested too deeply: kinds are one folder deep"

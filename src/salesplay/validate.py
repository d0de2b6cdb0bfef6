"""Stage 2, validate: typed models from loaded documents, every error located."""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from salesplay import images
from salesplay.diagnostics import (
    Location,
    Reporter,
    closest,
    did_you_mean,
    display_path,
    shortened,
)
from salesplay.imagecache import ImageCache
from salesplay.images import Checked
from salesplay.load import (
    Document,
    Loaded,
    YamlPath,
    meant_id,
    read_at_most,
    shown_path,
)
from salesplay.models import (
    AUDIENCES,
    COLOUR_RE,
    ENTITY_FOLDERS,
    ID_RE,
    MAX_ID_LENGTH,
    MODELS,
    WINDOWS_DEVICES,
)
from salesplay.yamlerrors import COMMENT_HINT

_EXPECTED = {
    "string_type": "a string",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "float_type": "a number",
}
MAX_ASSET_BYTES = 5 * 1024 * 1024
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1


@dataclass
class Entity:
    """A validated catalog entity with the document it came from."""

    kind: str
    id: str
    model: Any
    doc: Document


@dataclass
class Validated:
    """All entities that passed validation, by kind then id (ids sorted)."""

    entities: dict[str, dict[str, Entity]] = field(default_factory=dict)
    #: (kind, id) of files that exist but failed validation: references to them are not
    #: reported again as unknown.
    broken: set[tuple[str, str]] = field(default_factory=set)
    #: files under an entity folder that are not read, by the (kind, id) their name suggests
    skipped: dict[tuple[str, str], Path] = field(default_factory=dict)
    #: catalog.yaml had errors, and its entity is what is left without the values in error
    #: (see _salvaged): enough to check the other files' references, not to build
    salvaged: bool = False

    def of(self, kind: str) -> dict[str, Entity]:
        return self.entities.get(kind, {})


def describe(value: Any) -> str:
    """How a YAML author would name the type of a value."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dt.datetime):
        return f"the date and time {value.isoformat(sep=' ')}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    text = str(value)
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, directly, in a list or as an option (`Target | None`)."""
    pending = [annotation]
    while pending:
        ann = pending.pop(0)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            return ann
        pending.extend(getattr(ann, "__args__", ()))
    return None


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model of the mapping found at `loc`, or None where no mapping of fields belongs."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        fld = current.model_fields.get(part) if current else None
        if fld is None:
            return None
        current = _inner_model(fld.annotation)
    return current


def _field_names(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Allowed field names of the model found at `loc` (for did-you-mean), required first."""
    current = _model_at(model, loc)
    if current is None:
        return []
    names = {f.alias or n: f.is_required() for n, f in current.model_fields.items()}
    # required fields first; the `audience` and `id` every mapping may have come last
    return sorted(names, key=lambda n: (not names[n], n in ("audience", "id")))


def _homes(model: type[BaseModel], name: str) -> list[str]:
    """Where a field called `name` belongs in a kind's documents, as a marketer reads it."""
    found: list[str] = []
    #: (model, the path to it shown with 'an item of' for list items)
    pending: list[tuple[type[BaseModel], str, int]] = [(model, "", 0)]
    while pending:
        current, where, depth = pending.pop(0)
        fields = {f.alias or n: f for n, f in current.model_fields.items()}
        if name in fields:
            found.append(where)
        for key, fld in fields.items():
            inner = _inner_model(fld.annotation)
            if inner is None or depth > 4:
                continue
            in_list = "list" in str(fld.annotation)
            pending.append((inner, f"an item of '{key}:'" if in_list else f"'{key}:'", depth + 1))
    return found


def _misplaced(model: type[BaseModel], name: str) -> str | None:
    """`name` is a field elsewhere in this kind: say where it goes."""
    if name in ("audience", "id"):
        return None
    homes = _homes(model, name)
    if not homes:
        return None
    places = [
        "at the top level (not indented)" if not h else f"in {h}" if h[0] == "a" else f"under {h}"
        for h in homes
    ]
    return f"field '{name}' does not belong here: it goes {' or '.join(places)}"


def _string_hint(doc: Document | None, loc: YamlPath, value: Any) -> str:
    """Why a string field got something else, in the words of the likely slip."""
    start = doc.marks.get(loc) if doc is not None else None
    line = (
        doc.lines[start[0] - 1] if doc is not None and start and start[0] <= len(doc.lines) else ""
    )
    flow = start is not None and line[start[1] - 1 : start[1]] in ("[", "{")
    if isinstance(value, list) and not flow:
        # lines of `- ` under a text field: the author wanted bullets, not a list
        field_name = next((p for p in reversed(loc) if isinstance(p, str)), "text")
        return (
            f": to write bullets, start a text block with '{field_name}: |'"
            " and put one '- ' line per bullet, indented, under it"
        )
    if isinstance(value, dict) and "audience" in value and isinstance(loc[-1], int):
        # `- {text: …, audience: internal}` in a list of texts: quoting it, as the hint
        # below would say, would publish the text and its "audience: internal" to every
        # edition
        return (
            ": a text item cannot carry 'audience:' (an objection, a talk track or a proof"
            " can); move it out of this list, or narrow the audience of what holds it"
        )
    if (
        doc is not None
        and isinstance(value, dict)
        and len(value) == 1
        and not isinstance(next(iter(value.values())), (list, dict))
    ):
        first = doc.marks.get((*loc, next(iter(value))))
        if start and first and start[0] == first[0] and not flow:
            key, rest = next(iter(value.items()))
            written = f"{key}: {'' if rest is None else rest}".strip()
            prefix = "- " if isinstance(loc[-1], int) else f"{loc[-1]}: "
            return (
                ": a colon followed by a space inside text makes a field;"
                f' put the text in quotes, e.g. {prefix}"{shortened(written)}"'
            )
    if isinstance(value, list) and flow:
        # `tier: [gold]`: brackets made a list of what is one value; quoting would keep them
        field_name = next((p for p in reversed(loc) if isinstance(p, str)), "text")
        if len(value) == 1 and isinstance(value[0], (str, int, float)):
            return (
                f" (it takes one value: write {field_name}: {value[0]}, without brackets;"
                " quote it if the brackets are text)"
            )
        return " (it takes one value, not a list; quote it if the brackets are text)"
    if value is None and doc is not None:
        key = doc.key_marks.get(loc)
        text = doc.lines[key[0] - 1] if key and key[0] <= len(doc.lines) else ""
        if "#" in text.partition(":")[2]:
            return f": {COMMENT_HINT}"
    if value is None:
        # `tier:` with nothing after it: there is nothing to quote
        return ": write its value after the colon"
    return " (quote it to make it text)"


def _item_read_as_text(doc: Document | None, loc: YamlPath) -> tuple[str, int] | None:
    """(the value on the field's line, the line of the first '- ' item read as more of it).

    `next_steps: Run a pilot` with an indented `- Send the report` below is one text that
    goes on over both lines, not a list: plain text may continue on any deeper line.
    """
    if doc is None or doc.styles.get(loc) != (None, False):
        return None
    start, key = doc.marks.get(loc), doc.key_marks.get(loc)
    if start is None or key is None or start[0] > len(doc.lines):
        return None
    for n in range(start[0], len(doc.lines)):
        text = doc.lines[n]
        body = text.strip()
        if not body:
            continue
        if body.startswith("#") or len(text) - len(text.lstrip(" ")) < key[1]:
            # a comment or a line at the field's own column ends the text
            return None
        if body.startswith("- "):
            return doc.lines[start[0] - 1][start[1] - 1 :].strip(), n + 1
    return None


def _list_hint(text: str, doc: Document | None, loc: YamlPath) -> str:
    """How to write the list a marketer typed as one piece of text."""
    continued = _item_read_as_text(doc, loc)
    if continued is not None:
        first, line = continued
        field_name = next((p for p in reversed(loc) if isinstance(p, str)), "the field")
        return (
            f": the '- ' item on line {line} is read as more of this text; to make a list,"
            f" move '{shortened(first)}' to a '- ' line of its own under '{field_name}:'"
        )
    if text.startswith("-") and not text.startswith("- "):
        first = text.split(" -")[0][1:].strip()
        return f": a list item needs a space after the '-', e.g. '- {first[:40]}'"
    if len(text) > 60:
        return ": write one '- ' line per item under the field"
    return f": write [{text}], or one '- ' line per item under the field"


#: the basic CSS colour names, for `accent: orange`.
_COLOUR_NAMES = {
    "black": "#000000",
    "white": "#FFFFFF",
    "red": "#FF0000",
    "green": "#008000",
    "blue": "#0000FF",
    "yellow": "#FFFF00",
    "orange": "#FFA500",
    "purple": "#800080",
    "gray": "#808080",
    "grey": "#808080",
    "silver": "#C0C0C0",
    "maroon": "#800000",
    "olive": "#808000",
    "lime": "#00FF00",
    "teal": "#008080",
    "navy": "#000080",
    "aqua": "#00FFFF",
    "fuchsia": "#FF00FF",
}
_RGB_RE = re.compile(r"^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$", re.IGNORECASE)


def _colour_meant(text: str) -> str | None:
    """The '#RRGGBB' a colour written another way stands for, when only one can be meant."""
    written = text.strip()
    digits = re.sub(r"^(?:#|0x)", "", written, flags=re.IGNORECASE)
    if re.fullmatch(r"[0-9A-Fa-f]{6}", digits):
        return f"#{digits}"
    if re.fullmatch(r"[0-9A-Fa-f]{8}", digits):
        # '#RRGGBBAA': a brand colour is opaque, the last two digits are its transparency
        return f"#{digits[:6]}"
    if re.fullmatch(r"[0-9A-Fa-f]{3}", digits):
        # the CSS short form: each digit doubled
        return "#" + "".join(c * 2 for c in digits)
    rgb = _RGB_RE.match(written)
    if rgb and all(int(part) <= 255 for part in rgb.groups()):
        return "#" + "".join(f"{int(part):02X}" for part in rgb.groups())
    return _COLOUR_NAMES.get(written.lower())


def _colour_message(where: str, value: Any) -> str:
    """A colour not written '#RRGGBB': the form, and the colour meant when it is plain."""
    meant = _colour_meant(value) if isinstance(value, str) else None
    hint = f' (did you mean "{meant}"?)' if meant else ""
    return (
        f"'{where}' is not a colour, found {describe(value)}: a colour is written \"#RRGGBB\""
        f" in quotes, six hexadecimal digits{hint}"
    )


def _error_message(
    model: type[BaseModel], kind: str, err: Any, doc: Document | None = None
) -> tuple[str, bool]:
    """(message, point-at-key) for one pydantic error."""
    loc = tuple(err["loc"])
    typ = err["type"]
    name = str(loc[-1]) if loc else kind
    where = shown_path(loc)
    if typ == "missing":
        return f"missing required field '{name}'", False
    if typ == "extra_forbidden":
        # a field of this kind at the wrong level says where it goes; else a typo's match
        misplaced = _misplaced(model, name)
        hint = did_you_mean(name, _field_names(model, loc[:-1]))
        return misplaced or f"unknown field '{name}'{hint}", True
    found = describe(err.get("input"))
    if typ == "string_type":
        hint = _string_hint(doc, loc, err.get("input"))
        return f"'{where}' should be a string, found {found}{hint}", False
    if typ in ("model_type", "model_attributes_type"):
        fields = _field_names(model, loc)
        listed = f" (fields: {', '.join(fields)})" if fields else ""
        return f"'{where}' should be a mapping, found {found}{listed}", False
    if typ == "list_type" and isinstance(err.get("input"), str):
        hint = _list_hint(err["input"], doc, loc)
        return f"'{where}' should be a list, found {found}{hint}", False
    if typ in _EXPECTED:
        return f"'{where}' should be {_EXPECTED[typ]}, found {found}", False
    if typ == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",")]
        hint = (
            did_you_mean(str(err.get("input")), options)
            if isinstance(err.get("input"), str)
            else ""
        )
        return f"'{where}' must be one of {expected}, found {found}{hint}", False
    if typ == "too_short":
        return f"'{where}' needs at least {err['ctx']['min_length']} item(s)", False
    if typ == "string_too_long" and err["ctx"]["max_length"] == MAX_ID_LENGTH:
        length = len(err["input"]) if isinstance(err.get("input"), str) else 0
        return _long_id_message(f"id '{_short(str(err.get('input')))}'", length), False
    if typ == "string_pattern_mismatch" and err["ctx"]["pattern"] == ID_RE.pattern:
        given = err.get("input")
        fixed = meant_id(given) if isinstance(given, str) else ""
        example = (
            f"did you mean '{fixed}'?" if fixed and fixed != given else "e.g. 'immutable-backup'"
        )
        return f"bad id {found}: ids are lower-case kebab-case ({example})", False
    if typ == "string_pattern_mismatch" and err["ctx"]["pattern"] == COLOUR_RE.pattern:
        return _colour_message(where, err.get("input")), False
    if typ == "string_pattern_mismatch":
        return f"'{where}' is malformed: {found} does not match {err['ctx']['pattern']}", False
    if typ == "value_error":
        msg = str(err.get("ctx", {}).get("error", err["msg"]))
        if found in msg:
            # the message quotes the value already ('2026-13-01' is not a real date)
            return f"'{where}': {msg}", False
        return f"'{where}': {msg}, found {found}", False
    return f"'{where}': {err['msg'].lower()}, found {found}", False


def _one_branch(errors: list[Any], data: Any) -> list[Any]:
    """The errors of a field that takes one thing or a list of them (a partner's `locale:
    de` or `locale: [de, fr]`) from the branch the value is written as, their paths without
    pydantic's branch names: `locale: [ger]` got an error about a string beside its own,
    at 'locale.function-after[_locale(), str]'."""
    kept = []
    for err in errors:
        node, path, other = data, [], False
        for part in err["loc"]:
            if (
                isinstance(part, str)
                and "[" in part
                and not (isinstance(node, dict) and part in node)
            ):
                # a branch's name (field names hold no '['): the list branch for a list
                other = other or part.startswith("list[") != isinstance(node, list)
                continue
            path.append(part)
            node = _child(node, part)
        if not other:
            kept.append({**err, "loc": tuple(path)})
    return kept or errors


def _child(node: Any, part: Any) -> Any:
    """The value at `part` of a mapping or list; None when there is none."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _meant(model: type[BaseModel], errors: list[Any]) -> set[YamlPath]:
    """Where an unknown field's did-you-mean names a field: (`Name:` meant `name:`).

    A missing required field found there is the same slip, said already by the unknown
    field's error with its fix.
    """
    found: set[YamlPath] = set()
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] != "extra_forbidden" or not loc or _misplaced(model, str(loc[-1])):
            continue
        match = closest(str(loc[-1]), _field_names(model, loc[:-1]))
        if match is not None:
            found.add((*loc[:-1], match))
    return found


def _long_id_message(what: str, length: int) -> str:
    return (
        f"{what} is {length} characters long; an id is at most {MAX_ID_LENGTH}: it names files"
        " (a kit's `<play>-enablement.pptx`), and a file name has at most 255 bytes"
    )


def _short(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:37]}…"


def _check_id(doc: Document, reporter: Reporter) -> set[str]:
    """Report a wrong id; the ids the entity goes by while it is wrong (its file name, and
    the id its rename gives it, which references already use), none when it is right."""
    if doc.kind not in ENTITY_FOLDERS:  # catalog.yaml, glossary.yaml: no id of their own
        return set()
    wrong: set[str] = set()
    if not ID_RE.match(doc.id):
        fixed = meant_id(doc.id)
        reporter.error(
            Location(doc.path),
            f"bad id '{doc.id}': file names are lower-case kebab-case ids"
            f" (rename to '{fixed}{doc.path.suffix}')",
            "bad-id",
            (doc.kind, doc.id),
        )
        wrong |= {doc.id, fixed}
    elif len(doc.id) > MAX_ID_LENGTH:
        reporter.error(
            Location(doc.path),
            _long_id_message(f"the file name's id '{_short(doc.id)}'", len(doc.id)),
            "bad-id",
            (doc.kind, doc.id),
        )
        wrong.add(doc.id)
    elif doc.id in WINDOWS_DEVICES:
        reporter.error(
            Location(doc.path),
            f"id '{doc.id}' is a name Windows keeps for a device: a partner on Windows could"
            f" not unpack a kit's '{doc.id}.pdf' or '{doc.id}/' (rename to"
            f" '{doc.id}-{doc.kind}{doc.path.suffix}')",
            "bad-id",
            (doc.kind, doc.id),
        )
        wrong.add(doc.id)
    declared = doc.data.get("id")
    # a declared id that is no id at all is one error already, with its fix
    if isinstance(declared, str) and declared != doc.id and ID_RE.match(declared):
        reporter.error(
            doc.loc(("id",)),
            f"id '{declared}' does not match the file name '{doc.path.name}'",
            "bad-id",
            (doc.kind, doc.id),
        )
        wrong.add(doc.id)
    return wrong


def validate(docs: list[Document], reporter: Reporter) -> Validated:
    """Validate every document; entities with errors are left out of the result."""
    result = Validated()
    if isinstance(docs, Loaded):
        result.broken.update(docs.unreadable)
        result.skipped.update(docs.skipped)
    for doc in docs:
        model_cls = MODELS[doc.kind]
        wrong_ids = _check_id(doc, reporter)
        # references to it by its file name, or by the id it was meant to have, are right
        result.broken.update((doc.kind, eid) for eid in wrong_ids)
        try:
            model = model_cls.model_validate(doc.data)
        except ValidationError as exc:
            errors = _one_branch(list(exc.errors()), doc.data)
            elsewhere = _other_kind(doc, errors)
            if elsewhere is not None:
                reporter.error(doc.loc(()), elsewhere, "schema", (doc.kind, doc.id))
                result.broken.add((doc.kind, doc.id))
                continue
            meant = _meant(model_cls, errors)
            for err in errors:
                if err["type"] == "missing" and tuple(err["loc"]) in meant:
                    continue
                message, at_key = _error_message(model_cls, doc.kind, err, doc)
                loc: YamlPath = tuple(err["loc"])
                where = doc.key_loc(loc) if at_key else doc.loc(loc)
                reporter.error(where, message, "schema", (doc.kind, doc.id))
            salvaged = _salvaged(model_cls, doc, errors) if doc.kind == "catalog" else None
            if salvaged is not None:
                result.entities.setdefault(doc.kind, {})[doc.id] = Entity(
                    doc.kind, doc.id, salvaged, doc
                )
                result.salvaged = True
                continue
            result.broken.add((doc.kind, doc.id))
            continue
        _check_empty_audiences(doc, reporter)
        _check_items_run_on(doc, reporter)
        bucket = result.entities.setdefault(doc.kind, {})
        if doc.id in bucket:
            first = bucket[doc.id].doc.path.name
            # catalog.yaml and glossary.yaml have no id: two spellings of one file
            said = (
                f"duplicate {doc.kind} id '{doc.id}' (also {first})"
                if doc.kind in ENTITY_FOLDERS
                else f"{first} is read already: keep one of {first} and {doc.path.name}"
            )
            reporter.error(
                Location(doc.path),
                said,
                "duplicate-id",
                (doc.kind, doc.id),
            )
            continue
        if not wrong_ids:  # else its id error is the one finding
            bucket[doc.id] = Entity(doc.kind, doc.id, model, doc)
    for kind, bucket in result.entities.items():
        result.entities[kind] = dict(sorted(bucket.items()))
    return result


def _other_kind(doc: Document, errors: Sequence[Any]) -> str | None:
    """What a file of another kind's fields in this kind's folder is told, in one line: a
    play saved in competitors/ gave an error for each of its fields (16 lines) and none said
    where it belonged. A file whose top-level fields are three or more unknown here, all
    known to one other kind (whose required fields it has), belongs in that kind's folder."""
    if not isinstance(doc.data, dict) or doc.kind not in ENTITY_FOLDERS:
        return None
    unknown = [
        str(err["loc"][0])
        for err in errors
        if err["type"] == "extra_forbidden" and len(err["loc"]) == 1
    ]
    if len(unknown) < 3:
        return None
    keys = {str(k) for k in doc.data}
    for kind, folder in ENTITY_FOLDERS.items():
        if kind == doc.kind:
            continue
        fields = MODELS[kind].model_fields
        required = {name for name, f in fields.items() if f.is_required()}
        if keys <= set(fields) and required <= keys:
            named = ", ".join(unknown[:3]) + (", …" if len(unknown) > 3 else "")
            return (
                f"this file has a {kind}'s fields ({named}), not a {doc.kind}'s: move it to"
                f" {display_path(doc.path.parent.parent / folder)}/"
            )
    return None


def _check_items_run_on(doc: Document, reporter: Reporter) -> None:
    """A list item whose plain text runs on over a `- ` line is an error at that line: a
    `- ` indented one space too far is more of the item above to YAML, so two strengths
    were one bullet ("Slick onboarding. - Low entry price."), and nothing said so."""
    for loc, (style, one_line) in doc.styles.items():
        if style is not None or one_line or not loc or not isinstance(loc[-1], int):
            continue
        start = doc.marks.get(loc)
        if start is None or start[0] > len(doc.lines):
            continue
        first = doc.lines[start[0] - 1]
        dash = first.rfind("-", 0, start[1] - 1)  # the item's own '- ', before its text
        for n in range(start[0], len(doc.lines)):
            text = doc.lines[n]
            body = text.strip()
            indent = len(text) - len(text.lstrip(" "))
            if not body or body.startswith("#") or indent <= dash:
                break  # the item's text ends: a blank line, a comment, a line not deeper
            if body.startswith("- "):
                field_name = next((p for p in reversed(loc) if isinstance(p, str)), "the list")
                reporter.error(
                    Location(doc.path, n + 1, indent + 1),
                    f"this '- ' line is read as more of item {loc[-1] + 1} of '{field_name}'"
                    f" (line {start[0]}), not as an item of its own: put its '-' in column"
                    f" {dash + 1}, under the item's",
                    "schema",
                    (doc.kind, doc.id),
                )
                break


def _check_empty_audiences(doc: Document, reporter: Reporter) -> None:
    """An `audience:` written with no value below a file's top is an error: read as none, it
    gave the item the audience of what holds it, maybe wider than the value cleared (an
    internal objection went into a partner play's kits). At the top, read as the default
    'rep', it is said where it empties a card or kit (edition.audience_words)."""

    def walk(node: Any, path: YamlPath) -> None:
        if isinstance(node, dict):
            if path and "audience" in node and node["audience"] is None:
                reporter.error(
                    doc.key_loc((*path, "audience")),
                    f"empty `audience:`: write one of {', '.join(AUDIENCES)}, or leave the"
                    " field out to give the item the audience of what holds it",
                    "schema",
                    (doc.kind, doc.id),
                )
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, (*path, i))

    walk(doc.data, ())


#: catalog.yaml's sections whose errors still let the other files be checked: the others
#: (the company, the tiers, the locales) decide what those files may name
SALVAGEABLE = frozenset({"brand", "review", "confidence", "jargon", "releases", "channel"})


def _salvaged(model_cls: type[Any], doc: Document, errors: list[Any]) -> Any | None:
    """catalog.yaml without the values in error, validated: so that one slip there (an
    `accent: orange`) does not hide every unknown reference and missing asset in the other
    files, which were found only once it was fixed. None when an error is in a section the
    other files depend on, or the rest does not validate alone."""
    data = doc.data
    paths = [tuple(err["loc"]) for err in errors]
    if not isinstance(data, dict) or not all(p and p[0] in SALVAGEABLE for p in paths):
        return None
    # each section in error goes whole: its default stands for it
    dropped = {path[0] for path in paths}
    pruned = {key: value for key, value in data.items() if key not in dropped}
    try:
        return model_cls.model_validate(pruned)
    except ValidationError:
        return None


def check_asset(catalog: Path, value: str, loc: Location, reporter: Reporter) -> Path | None:
    """Resolve an asset path inside the catalog's assets/; report what is wrong with it."""
    found = check_image(catalog, value, loc, reporter)
    return found[0] if found else None


def check_image(
    catalog: Path,
    value: str,
    loc: Location,
    reporter: Reporter,
    cache: ImageCache | None = None,
) -> tuple[Path, Checked] | None:
    """The file an asset path names and its image decoded within bounds, or one error.

    The file is read as `read_image_file` reads it; `cache` decodes it (once per content).
    """
    found = read_image_file(catalog, value, loc, reporter)
    return None if found is None else check_read_image(found, value, loc, reporter, cache)


def check_read_image(
    found: tuple[Path, bytes],
    value: str,
    loc: Location,
    reporter: Reporter,
    cache: ImageCache | None = None,
    side: int = images.PUBLISH_SIDE,
) -> tuple[Path, Checked] | None:
    """check_image of a file read_image_file has read: its image decoded (its PNG at most
    `side` pixels long), or one error."""
    target, data = found
    try:
        checked = (cache or ImageCache()).check(data, target.suffix, side)
    except images.ImageError as exc:
        reporter.error(loc, f"asset '{value}' {exc}", "asset")
        return None
    return target, checked


#: a URL's scheme ("file:", "data:", "https:"); two letters at least, so that a Windows drive
#: ("C:") is taken for the absolute path it is
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")


def read_image_file(
    catalog: Path,
    value: str,
    loc: Location,
    reporter: Reporter,
    root: Path | None = None,
    folders: dict[str, str] | None = None,
) -> tuple[Path, bytes] | None:
    """The file an asset path names and its bytes (at most 5 MB), or one error.

    The path as written must be plain (`assets/` then names, no `..`, `.`, empty part,
    backslash or control character) and its resolved file must be inside the resolved
    assets/ folder, so neither `..` nor a symlink can lead out. `root` is the catalog
    resolved, for a caller reading many files (resolved here otherwise); so is `folders`,
    the real paths of the folders it has read from (see _plain_read).
    """
    if not value.strip():
        reporter.error(loc, "asset path is empty: name a file under assets/", "asset")
        return None
    if "://" in value or value.startswith("//") or _SCHEME.match(value):
        reporter.error(loc, f"asset '{value}' is a URL: put the file under assets/", "asset")
        return None
    shown = value[:80]
    if _CONTROL.search(value):
        reporter.error(loc, f"asset path {shown!r} has a control character", "asset")
        return None
    plain = posixpath.normpath(value.replace("\\", "/"))
    if value.startswith("/") or not plain.startswith("assets/"):
        meant = _meant_asset(catalog, plain)
        if meant is not None:
            reporter.error(
                loc, f"asset '{value}' must start with 'assets/' (did you mean '{meant}'?)", "asset"
            )
            return None
        reporter.error(loc, f"asset '{value}' is outside the catalog's assets/ folder", "asset")
        return None
    found = None
    if folders is not None and "\\" not in value and value.split("/") == plain.split("/"):
        root = root or catalog.resolve()
        found = _plain_read(str(catalog), plain, os.path.join(root, "assets"), folders)
    found = found or _resolved_read(catalog, value, plain, loc, reporter, root)
    if found is None:
        return None
    if len(found[1]) > MAX_ASSET_BYTES:
        reporter.error(loc, f"asset '{value}' is larger than 5 MB", "asset")
        return None
    return found


def _resolved_read(
    catalog: Path, value: str, plain: str, loc: Location, reporter: Reporter, root: Path | None
) -> tuple[Path, bytes] | None:
    """read_image_file the long way: the path resolved, and what is wrong with it said."""
    try:
        root = root or catalog.resolve()
        assets = root / "assets"
        target = (catalog / plain).resolve()
        if not target.is_relative_to(assets):
            reporter.error(loc, f"asset '{value}' is outside the catalog's assets/ folder", "asset")
            return None
        if "\\" in value or value.split("/") != plain.split("/"):
            what = "'\\'" if "\\" in value else "'..', '.' or an empty part"
            hint = f" (did you mean '{plain}'?)" if target.is_file() else ""
            reporter.error(
                loc,
                f"asset '{value}' is not a plain path under assets/: it has {what}{hint}",
                "asset",
            )
            return None
        if not target.is_file():
            known = [p.relative_to(root).as_posix() for p in assets.rglob("*") if p.is_file()]
            what = "is not a file" if target.exists() else "does not exist"
            reporter.error(loc, f"asset '{value}' {what}{_meant_file(value, known)}", "asset")
            return None
        with target.open("rb") as file:
            data = read_at_most(file.fileno(), MAX_ASSET_BYTES + 1, os.fstat(file.fileno()).st_size)
    except (OSError, ValueError, RuntimeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        reporter.error(loc, f"asset '{value[:80]}' cannot be read: {reason}", "asset")
        return None
    return target, data


def _plain_read(
    catalog: str, plain: str, assets: str, folders: dict[str, str]
) -> tuple[Path, bytes] | None:
    """The real path and bytes (at most MAX_ASSET_BYTES + 1) of `catalog`/`plain` when it is
    a regular file inside `assets` (real) and not itself a symlink, else None: the caller
    then takes the long way, which says what is wrong.

    What `Path.resolve` gives, for less: the real path of a name that is no symlink is its
    folder's real path and the name, so a thousand logos in one folder cost one
    `realpath` and a thousand `lstat`s. `folders` keeps the folders' real paths for one
    pass over the catalog; a folder swapped for a symlink later is resolved again then.
    The file is opened without following a symlink put there since it was looked at.
    """
    folder, name = os.path.split(os.path.join(catalog, plain))
    real = folders.get(folder)
    if real is None:
        real = folders[folder] = os.path.realpath(folder)
    path = os.path.join(real, name)
    if not path.startswith(assets + os.sep):
        return None
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        return Path(path), read_at_most(fd, MAX_ASSET_BYTES + 1, info.st_size)
    except OSError:
        return None
    finally:
        os.close(fd)


def _meant_file(value: str, known: list[str]) -> str:
    """' (did you mean …?)' for an asset path that names no file: the file spelt in another
    case (`assets/RED.PNG`), else one whose name, less its folder and suffix, is close (the
    `assets/` and the suffix every logo shares made `assets/missing.png` look like
    `assets/abs-in.png`)."""
    inside = sorted(k for k in known if k.startswith(value.rstrip("/") + "/"))
    same = [k for k in sorted(known) if k.lower() == value.lower()] or inside  # a folder's file
    if same:
        return f" (did you mean '{same[0]}'?)"

    def parts(path: str) -> tuple[str, str]:
        return posixpath.split(posixpath.splitext(path.removeprefix("assets/"))[0].lower())

    # by the file's own name: a folder they share made `partners/blue-river` close to
    # `partners/pena-sistemas`; of two files of that name, the one in its own folder
    folder, stem = parts(value)
    stems: dict[str, str] = {}
    for k in sorted(known, key=lambda k: (parts(k)[0] != folder, k)):
        stems.setdefault(parts(k)[1], k)
    match = closest(stem, stems)
    return f" (did you mean '{stems[match]}'?)" if match is not None else ""


def _meant_asset(catalog: Path, plain: str) -> str | None:
    """The spelling under assets/ of a path written without it (`logo.png`, `plays/assets/…`)."""
    parts = plain.strip("/").split("/")
    folded = [p.casefold() for p in parts]  # `Assets/x.png`: the folder in another case
    tails = [parts[folded.index("assets") + 1 :]] if "assets" in folded else []
    for tail in [*tails, parts]:
        if not tail or any(p in ("", ".", "..") for p in tail):
            continue
        try:
            assets = (catalog / "assets").resolve()
            target = assets.joinpath(*tail).resolve()
            if target.is_relative_to(assets) and target.is_file():
                return "assets/" + "/".join(tail)
        except (OSError, ValueError, RuntimeError):
            return None
    return None


def is_image(path: Path) -> bool:
    """Sniff the file's first bytes: raster signatures or an SVG root element."""
    return images.sniff(path.read_bytes()[:2048], path.suffix) is not None

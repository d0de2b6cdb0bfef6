"""`salesplay i18n extract`: each locale's PO file written from the checked catalog."""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesplay.diagnostics import Location, Reporter
from salesplay.i18n import (
    FINGERPRINT_NOTE,
    TRANSLATIONS_DIR,
    Coverage,
    Key,
    Unit,
    catalog_units,
    fingerprint,
    made_from,
    match_own_and_moved,
    match_renamed_fields,
    match_renames,
    message_context,
    obsolete_kept,
    po_file,
    read_po_file,
)
from salesplay.load import LoadError
from salesplay.resolve import Catalog

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog as PoCatalog


#: the width PO files are wrapped at (msgfmt's and Babel's default)
PO_WIDTH = 76


def po_bytes(po: PoCatalog) -> bytes:
    """`po` as a PO file, a fuzzy entry's previous source as gettext writes it: Babel 2.18
    wraps `#| msgid` as a comment, cutting its quoted lines in the middle, and msgfmt,
    Poedit and Weblate then cannot read the file. So the previous msgids are put in here,
    each quoted line of `normalize` behind `#| `, before the entry's msgctxt."""
    from babel.messages.pofile import normalize, write_po

    for message in po:
        # Babel flags a text holding "20 % in" as a Python format string; a catalog text
        # never is one, and msgfmt then refuses a translation with no such "% i"
        message.flags.discard("python-format")
    buffer = io.BytesIO()
    write_po(buffer, po, width=PO_WIDTH, include_previous=False)
    text = buffer.getvalue().decode("utf-8")
    for message in po:
        if not (message.previous_id and message.context and message.id):
            continue
        lines = normalize(message.previous_id[0], width=PO_WIDTH).split("\n")
        told = "".join(f"#| {'msgid ' if n == 0 else ''}{line}\n" for n, line in enumerate(lines))
        entry = f"\nmsgctxt {normalize(message.context, width=PO_WIDTH)}\n"
        at = text.find(entry)
        if at >= 0:
            text = f"{text[: at + 1]}{told}{text[at + 1 :]}"
    return text.encode("utf-8")


@dataclass(frozen=True)
class Extracted:
    """What `i18n extract` wrote for one locale."""

    locale: str
    path: Path
    changed: bool
    coverage: Coverage


def extract(cat: Catalog, locales: Sequence[str], reporter: Reporter) -> list[Extracted]:
    """Write or update translations/<locale>.po for each locale; existing translations kept.

    A file that cannot be read or written is one error in `reporter`, and left as it is.
    Files are written as a build writes its outputs (atomically, never through a link).

    A translation whose source text changed keeps its text, marked fuzzy with the old source
    as the previous msgid (translators' tools show the difference); until it is reviewed it
    is stale and not used. A translation follows its source text to another id of the same
    entity (a list item that moved when one was inserted above it). Translations of texts the
    catalog no longer has become obsolete entries (`#~`), kept for reuse.
    """
    from salesplay.write import UnsafeTarget, write_output

    # the widest audience each text reaches by the catalog, not the day: a PO file changed
    # with the date alone when a claim went stale ("#. audience: rep" for "partner")
    units = catalog_units(cat.docs, functools.partial(cat.reader, dated=False))
    done = []
    for locale in locales:
        path = po_file(cat.root, locale)
        try:
            old = read_po_file(path, cat.root) if path.is_file() else None
        except LoadError as exc:
            reporter.error(Location(path, exc.line, exc.col), str(exc), exc.code)
            continue
        po = _merged(cat, locale, units, old)
        try:
            changed = write_output(cat.root, f"{TRANSLATIONS_DIR}/{path.name}", po_bytes(po))
        except UnsafeTarget as exc:  # its message says why ("cannot write: a folder …")
            reporter.error(Location(path), str(exc), "io")
            continue
        except OSError as exc:
            reporter.error(Location(path), f"cannot write: {exc.strerror or exc}", "io")
            continue
        counts = [0, 0, 0]
        for unit in units:
            message = po.get(unit.source, context=message_context(unit.key))
            if message is None or not message.string:
                counts[2] += 1
            elif message.fuzzy:
                counts[1] += 1
            else:
                counts[0] += 1
        done.append(Extracted(locale, path, changed, Coverage(*counts)))
    return done


def _merged(cat: Catalog, locale: str, units: list[Unit], old: PoCatalog | None) -> PoCatalog:
    from babel.messages.catalog import Catalog as PoCatalog

    midnight = dt.datetime.combine(cat.as_of, dt.time(), dt.UTC)
    company = cat.config.company.name
    po = PoCatalog(
        locale=locale,
        header_comment=(
            f"# {company}: {locale} translations of the catalog"
            f" (source: {cat.config.source_locale}).\n"
            "# Made by `salesplay i18n extract`. Translate each msgstr;\n"
            "# keep msgctxt and the source-fingerprint comment.\n"
            "# An entry whose source changed is marked fuzzy:\n"
            "# update it, then clear 'fuzzy'."
        ),
        project=company,
        version="catalog",
        creation_date=old.creation_date if old else midnight,
        revision_date=old.revision_date if old else midnight,
        last_translator=old.last_translator if old else None,
        language_team=old.language_team if old else None,
        fuzzy=False,
    )
    live = [m for m in old if m.id and m.context] if old is not None else []
    gone = [m for m in old.obsolete.values() if m.id and m.context] if old is not None else []
    # Each text takes, in order: its own entry made from the same source; an entry of the
    # same entity made from the same source under another id (a list item that moved when
    # one was inserted above it); an entry of the entity it was renamed from, made from the
    # same source (i18n.match_renames); its own obsolete entry made from the same source, then
    # one of its entity's (a text that came back); its own entry made from an older source
    # (kept, fuzzy); the entry of the same field of the entity it was renamed from, made from
    # an older source (fuzzy: i18n.match_renamed_fields). The file's live entries first:
    # they are the translator's latest work, and what `check` reads. An entry is one
    # message, whatever its msgctxt: an obsolete entry may share a live one's (the item
    # that moved up into a removed one's place).
    used: set[int] = set()
    chosen: dict[Key, Any] = {}
    sources = {unit.key: unit.source for unit in units}
    match_own_and_moved(live, sources, chosen, used)
    entities = set(cat.docs) | {key[:2] for key in sources}
    renames = match_renames(live, sources, entities, chosen, used)
    match_own_and_moved(gone, sources, chosen, used)
    for messages in (live, gone):
        older: dict[str, list[Any]] = {}
        for message in messages:
            older.setdefault(str(message.context), []).append(message)
        for unit in units:
            own = [m for m in older.get(message_context(unit.key), ()) if id(m) not in used]
            if unit.key not in chosen and own:
                chosen[unit.key] = own[0]
                used.add(id(own[0]))
    match_renamed_fields(live, sources, renames, chosen, used)
    root_name = cat.root.name or "."
    for unit in units:
        context = message_context(unit.key)
        where = (f"{root_name}/{unit.loc.file.relative_to(cat.root).as_posix()}", unit.loc.line)
        notes = [f"{FINGERPRINT_NOTE}{fingerprint(unit.source)}", f"audience: {unit.audience}"]
        before = chosen.get(unit.key)
        string, flags, comments = "", set(), []
        previous_id: tuple[str, ...] | list[str] = ()
        if before is not None:
            string = before.string if isinstance(before.string, str) else ""
            comments = list(before.user_comments)
            if made_from(before) == fingerprint(unit.source):
                flags, previous_id = set(before.flags), list(before.previous_id)
            elif string:
                flags, previous_id = {"fuzzy"}, (before.id,)
        po.add(
            unit.source,
            string,
            [where],
            flags=flags,
            auto_comments=notes,
            user_comments=comments,
            previous_id=previous_id,
            context=context,
        )
    for message in (*live, *gone):
        if id(message) not in used and message.string:
            # one per msgid and msgctxt: a repeat of both would say the same twice
            slot = (str(message.id), str(message.context))
            po.obsolete.setdefault(slot, obsolete_kept(message))
    return po

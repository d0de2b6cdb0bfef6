"""Atom 1.0 feeds of release notes: one entry per release, its changes as HTML."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import escape

from salesplay.diff import SECTIONS, Change, by_kind

ATOM = "http://www.w3.org/2005/Atom"
#: what XML 1.0 cannot hold (a git tag may: U+FFFE, control characters): one such character
#: made every feed ill-formed, which feed readers refuse whole
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Entry:
    """One release in a feed: the commit that names its id, its title and day, its HTML;
    its tag names its id too when another entry of the feed is of the same commit."""

    commit: str
    title: str
    day: dt.date
    html: str
    tag: str = ""


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _urn(*parts: str) -> str:
    # stable across builds and machines: the same company, edition and commit give the same id
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'salesplay:' + ':'.join(parts))}"


def note_html(changes: Sequence[Change]) -> str:
    """A release's changes as HTML (escaped), grouped by section, for feed readers."""
    if not changes:
        return "<p>Nothing changed for this edition.</p>"
    parts = []
    for kind, mine in by_kind(changes).items():
        items = "".join(f"<li>{escape(c.message)}</li>" for c in mine)
        parts.append(f"<h3>{escape(SECTIONS[kind])}</h3><ul>{items}</ul>")
    return "".join(parts)


def atom_feed(company: str, edition_name: str, as_of: dt.date, entries: Sequence[Entry]) -> bytes:
    """An Atom 1.0 feed of an edition's releases, in the order given (newest first)."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        el.text = None if text is None else _NOT_XML.sub("\ufffd", text)
        return el

    root = ET.Element(f"{{{ATOM}}}feed")
    sub(root, "id", _urn(company, edition_name))
    sub(root, "title", f"{company} — what's new ({edition_name} edition)")
    updated = max((e.day for e in entries), default=as_of)
    sub(root, "updated", _stamp(updated))
    sub(sub(root, "author"), "name", company)
    sub(root, "generator", "salesplay")
    # two tags on one commit are two entries, which a reader merges when their ids are one:
    # an entry given its tag (not the oldest release of its commit, of every release, so that
    # no id moves to another release when the oldest leaves the feed) names its id with it
    for found in entries:
        entry = sub(root, "entry")
        own = (found.tag,) if found.tag else ()
        sub(entry, "id", _urn(company, edition_name, found.commit, *own))
        sub(entry, "title", found.title)
        sub(entry, "updated", _stamp(found.day))
        sub(entry, "content", found.html, type="html")
    ET.indent(root, space=" ")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"

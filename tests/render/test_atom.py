"""The Atom feed writer: one entry per release, well-formed whatever a tag's name holds."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from salesplay.render.atom import ATOM, Entry, atom_feed

DAY = dt.date(2026, 11, 1)


def _ids_and_titles(data: bytes) -> list[tuple[str, str]]:
    root = ET.fromstring(data)  # raises on a feed that is not well-formed
    return [
        (e.findtext(f"{{{ATOM}}}id") or "", e.findtext(f"{{{ATOM}}}title") or "")
        for e in root.iter(f"{{{ATOM}}}entry")
    ]


def test_two_tags_on_one_commit_are_two_entries_a_reader_keeps_apart() -> None:
    """v2.0 and v2.0-final on one commit had one <id>, and feed readers merged them."""
    entries = [
        Entry("c2", "v2.0-final: 0 changes since v2.0", DAY, "<p>x</p>", "v2.0-final"),
        Entry("c2", "v2.0: 1 change since v1", DAY, "<p>y</p>", "v2.0"),
        Entry("c1", "v1: 1 change since v0", DAY, "<p>z</p>", "v1"),
    ]
    found = _ids_and_titles(atom_feed("Northwind", "rep", DAY, entries))
    ids = [i for i, _ in found]
    assert len(set(ids)) == 3
    # the oldest entry of a commit keeps the id it had while it was the only one
    alone = _ids_and_titles(atom_feed("Northwind", "rep", DAY, entries[1:]))
    assert alone[0][0] == ids[1]


def test_a_character_xml_cannot_hold_is_replaced_not_written() -> None:
    """A tag named with U+FFFE (git allows it) made every feed ill-formed."""
    entry = Entry("c1", "v2\ufffe: 1 change since v1\x01", DAY, "<p>\ufffe</p>", "v2\ufffe")
    found = _ids_and_titles(atom_feed("North\x0bwind", "rep", DAY, [entry]))
    assert found[0][1] == "v2\ufffd: 1 change since v1\ufffd"

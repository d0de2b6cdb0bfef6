"""engine.reads: a page's reads of its edition are noted, whatever way it reads them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conftest import resolved
from salesplay.edition import make_edition
from salesplay.engine.reads import ALL, ENTRY, EXISTS, KEYS, Digests, Read, rendered, watched
from salesplay.views import Edition, PlayView


@pytest.fixture
def rep(tmp_path: Path) -> Edition:
    cat, _ctx = resolved(tmp_path)
    assert cat is not None
    return make_edition(cat, "rep")


def _reads(edition: Edition, read: object) -> set[Read]:
    reads: set[Read] = set()
    read(watched(edition, reads))  # type: ignore[operator]
    return reads


def test_every_way_of_reading_a_table_is_noted(rep: Edition) -> None:
    pid = next(iter(rep.plays))
    assert _reads(rep, lambda e: e.plays[pid]) == {("plays", pid, EXISTS)}
    assert _reads(rep, lambda e: "nope" in e.plays) == {("plays", "nope", EXISTS)}
    assert _reads(rep, lambda e: e.products.get("nope")) == {("products", "nope", EXISTS)}
    for ids in (list, len, lambda t: list(t.keys())):
        assert _reads(rep, lambda e, f=ids: f(e.plays)) == {("plays", ALL, KEYS)}
    for whole in (repr, lambda t: str(t.keys())):
        assert ("plays", ALL, ENTRY) in _reads(rep, lambda e, f=whole: f(e.plays))
    # the entries a whole-table read hands out note what is read of each
    names = _reads(rep, lambda e: [p.name for p in e.plays.values()])
    assert names == {("plays", ALL, KEYS)} | {
        (t, key, what) for key in rep.plays for t, what in (("plays", EXISTS), ("plays", "name"))
    }
    # the edition's own methods read through the same tables
    assert _reads(rep, lambda e: e.shows("competitor", "nope")) == {("competitors", "nope", EXISTS)}
    # the shell is not a table: reading it notes nothing
    assert _reads(rep, lambda e: (e.company, e.as_of, e.audience)) == set()
    # a value that is no view (a glossary's text) is read whole
    term = next(iter(rep.glossary))
    assert ("glossary", term, ENTRY) in _reads(rep, lambda e: e.glossary[term])


def test_an_entry_notes_each_field_read_and_reads_whole_for_anything_else(rep: Edition) -> None:
    pid = next(iter(rep.plays))
    assert _reads(rep, lambda e: e.plays[pid].summary) >= {("plays", pid, "summary")}
    assert ("plays", pid, "name") not in _reads(rep, lambda e: e.plays[pid].summary)
    # anything but a field (repr, a method or property of the view) reads the whole entry
    # or every field
    whole = _reads(rep, lambda e: repr(e.plays[pid]))
    fields = {f.name for f in dataclasses.fields(PlayView)}
    assert {what for _, key, what in whole if key == pid} >= fields
    # the entry handed out is the view to its readers: its class, equality, repr, replace
    reads: set[Read] = set()
    seen = watched(rep, reads).plays[pid]
    assert isinstance(seen, PlayView) and seen.__class__ is PlayView
    assert seen == rep.plays[pid] and rep.plays[pid] == seen and hash(seen) == hash(rep.plays[pid])
    assert repr(seen) == repr(rep.plays[pid])
    plain = dataclasses.replace(seen, name="Other")
    assert type(plain) is PlayView and plain.name == "Other"
    # and a mistake in a template names the view, as it would unwatched
    with pytest.raises(AttributeError, match="'PlayView' object has no attribute 'nmae'"):
        seen.nmae  # noqa: B018


def test_a_key_changes_with_what_was_read_and_only_with_that(rep: Edition) -> None:
    first, second, *_ = rep.plays
    read = frozenset({("plays", first, ENTRY)})
    key = Digests(rep).key(read, ())
    other = dataclasses.replace(rep.plays[second], summary="changed")
    unread = dataclasses.replace(rep, plays={**rep.plays, second: other})
    assert Digests(unread).key(read, ()) == key
    mine = dataclasses.replace(rep.plays[first], summary="changed")
    edited = dataclasses.replace(rep, plays={**rep.plays, first: mine})
    assert Digests(edited).key(read, ()) != key
    # an entry read as absent: its appearing changes the key
    absent = frozenset({("plays", "later", EXISTS)})
    added = dataclasses.replace(rep, plays={**rep.plays, "later": mine})
    assert Digests(added).key(absent, ()) != Digests(rep).key(absent, ())
    # the shell (here the as-of date) and the fixed inputs are always part of it
    later = dataclasses.replace(rep, as_of=rep.as_of.replace(year=rep.as_of.year + 1))
    assert Digests(later).key(read, ()) != key
    assert Digests(rep).key(read, ("other template",)) != key


def test_a_field_read_keys_the_page_by_that_field_alone(rep: Edition) -> None:
    pid = next(iter(rep.plays))
    read = frozenset({("plays", pid, EXISTS), ("plays", pid, "name")})
    key = Digests(rep).key(read, ())
    summary = dataclasses.replace(rep.plays[pid], summary="changed")
    assert Digests(dataclasses.replace(rep, plays={**rep.plays, pid: summary})).key(read, ()) == key
    name = dataclasses.replace(rep.plays[pid], name="Renamed")
    assert Digests(dataclasses.replace(rep, plays={**rep.plays, pid: name})).key(read, ()) != key
    gone = {k: v for k, v in rep.plays.items() if k != pid}
    assert Digests(dataclasses.replace(rep, plays=gone)).key(read, ()) != key
    # the ids of a table, in order: a play added changes them, a summary does not
    ids = frozenset({("plays", ALL, KEYS)})
    keyed = Digests(rep).key(ids, ())
    edited = dataclasses.replace(rep, plays={**rep.plays, pid: summary})
    assert Digests(edited).key(ids, ()) == keyed
    added = dataclasses.replace(rep, plays={**rep.plays, "later": summary})
    assert Digests(added).key(ids, ()) != keyed


def test_rendered_reuses_a_page_until_a_read_changes(rep: Edition) -> None:
    first, second, *_ = rep.plays
    pages: dict[str, object] = {}
    calls: list[str] = []

    def render(edition: Edition) -> tuple[str, frozenset[str], frozenset[str]]:
        calls.append("r")
        return edition.plays[first].name, frozenset({"style.css"}), frozenset()

    page = rendered(pages, "p", Digests(rep), (), render)  # type: ignore[arg-type]
    again = rendered(pages, "p", Digests(rep), (), render)  # type: ignore[arg-type]
    assert calls == ["r"] and again == page and page.theme == {"style.css"}
    other = dataclasses.replace(rep.plays[second], name="Other")
    rendered(
        pages,
        "p",
        Digests(dataclasses.replace(rep, plays={**rep.plays, second: other})),
        (),
        render,
    )  # type: ignore[arg-type]
    assert calls == ["r"]
    mine = dataclasses.replace(rep.plays[first], name="Renamed")
    renamed = dataclasses.replace(rep, plays={**rep.plays, first: mine})
    assert rendered(pages, "p", Digests(renamed), (), render).text == "Renamed"  # type: ignore[arg-type]
    assert calls == ["r", "r"]

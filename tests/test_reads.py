"""engine.reads: a page's reads of its edition are noted, whatever way it reads them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conftest import resolved
from salesplay.edition import make_edition
from salesplay.engine.reads import ALL, Digests, Read, rendered, watched
from salesplay.views import Edition


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
    assert _reads(rep, lambda e: e.plays[pid]) == {("plays", pid)}
    assert _reads(rep, lambda e: "nope" in e.plays) == {("plays", "nope")}
    assert _reads(rep, lambda e: e.products.get("nope")) == {("products", "nope")}
    for whole in (list, len, repr, lambda t: list(t.items()), lambda t: str(t.keys())):
        assert ("plays", ALL) in _reads(rep, lambda e, f=whole: f(e.plays))
    # the edition's own methods read through the same tables
    assert _reads(rep, lambda e: e.shows("competitor", "nope")) == {("competitors", "nope")}
    # the shell is not a table: reading it notes nothing
    assert _reads(rep, lambda e: (e.company, e.as_of, e.audience)) == set()


def test_a_key_changes_with_what_was_read_and_only_with_that(rep: Edition) -> None:
    first, second, *_ = rep.plays
    read = frozenset({("plays", first)})
    key = Digests(rep).key(read, ())
    other = dataclasses.replace(rep.plays[second], summary="changed")
    unread = dataclasses.replace(rep, plays={**rep.plays, second: other})
    assert Digests(unread).key(read, ()) == key
    mine = dataclasses.replace(rep.plays[first], summary="changed")
    edited = dataclasses.replace(rep, plays={**rep.plays, first: mine})
    assert Digests(edited).key(read, ()) != key
    # an entry read as absent: its appearing changes the key
    absent = frozenset({("plays", "later")})
    added = dataclasses.replace(rep, plays={**rep.plays, "later": mine})
    assert Digests(added).key(absent, ()) != Digests(rep).key(absent, ())
    # the shell (here the as-of date) and the fixed inputs are always part of it
    later = dataclasses.replace(rep, as_of=rep.as_of.replace(year=rep.as_of.year + 1))
    assert Digests(later).key(read, ()) != key
    assert Digests(rep).key(read, ("other template",)) != key


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

"""What a page read of its edition, so that it is rendered again only when that changed."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from salesplay.engine.records import key_of

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

#: a read of an edition's table: (table, id, what). `what` is a field of the entry
#: ("plays", "backup", "summary"), ENTRY for the whole entry (its repr, a method or property
#: of its view), EXISTS for whether the id is there at all; (table, ALL, KEYS) is the
#: table's ids in their order (iterated or counted), (table, ALL, ENTRY) the whole table.
Read = tuple[str, str, str]
ALL = "*"
ENTRY = "*"
EXISTS = "?"
KEYS = "#"
#: an edition (views.Edition): a dataclass whose dict and Mapping fields are its tables (id
#: → view), every other field its shell. The engine is told no more of it, so that it
#: imports nothing of the views above it.
E = TypeVar("E", bound="DataclassInstance")


def tables(edition: DataclassInstance) -> tuple[str, ...]:
    """The names of `edition`'s tables, in field order."""
    return tuple(
        f.name for f in dataclasses.fields(edition) if str(f.type).startswith(("dict[", "Mapping["))
    )


class _Watched(Mapping[str, Any]):
    """One table of an edition that notes every entry read, and any read of the whole.

    A Mapping, not a dict: `in`, `get`, `keys`, `items`, `values`, `==` and iteration all
    go through the three methods below, so no way of reading it goes unnoted. An entry that
    is a dataclass (a view) is handed out as a noting copy of itself (_noting), so that a
    page that reads a play's name is not rendered again when its summary changes.
    """

    def __init__(self, table: str, data: Mapping[str, Any], reads: set[Read]) -> None:
        self._table, self._data, self._reads = table, data, reads
        #: the noting copy of each entry handed out, made once (a playbook asks for each
        #: of its plays many times)
        self._copies: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        self._reads.add((self._table, str(key), EXISTS))
        value = self._data[key]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            copy = self._copies.get(key)
            if copy is None:
                copy = self._copies[key] = _noting(value, (self._reads, self._table, str(key)))
            return copy
        self._reads.add((self._table, str(key), ENTRY))
        return value

    def __iter__(self) -> Iterator[str]:
        self._reads.add((self._table, ALL, KEYS))
        return iter(self._data)

    def __len__(self) -> int:
        self._reads.add((self._table, ALL, KEYS))
        return len(self._data)

    def __repr__(self) -> str:
        self._reads.add((self._table, ALL, ENTRY))
        return repr(self._data)


#: where a noting copy keeps what it notes into: (reads, table, id)
_NOTE = "_salesplay_reads_note"
#: read without noting: the dataclass's field list (no content)
_UNNOTED = frozenset({"__dataclass_fields__", "__dataclass_params__", _NOTE})


def _noting_getattribute(self: Any, name: str) -> Any:
    """Note the field read (or the whole entry, for anything else: a method, a property, a
    dunder that may read every field), then read it as the view itself would. Its class is
    the view's: isinstance, ==, repr and dataclasses.replace see the view."""
    get = object.__getattribute__
    if name == "__class__":
        return get(self, "_salesplay_view")
    if name not in _UNNOTED:
        note = get(self, "__dict__").get(_NOTE)
        if note is not None:
            reads, table, key = note
            fields = get(self, "__dataclass_fields__")
            reads.add((table, key, name if name in fields else ENTRY))
    return get(self, name)


def _noting_class(kind: type) -> type:
    """A subclass of the view class `kind`, of the same name and module (messages name the
    view), whose instances note what is read of them."""
    found = _NOTING.get(kind)
    if found is None:
        attrs = {
            "__getattribute__": _noting_getattribute,
            "__module__": kind.__module__,
            "__qualname__": kind.__qualname__,
            "_salesplay_view": kind,
        }
        found = _NOTING[kind] = type(kind.__name__, (kind,), attrs)
    return found


#: the noting class of each view class, made once
_NOTING: dict[type, type] = {}


def _noting(view: Any, note: tuple[set[Read], str, str]) -> Any:
    """A copy of the frozen dataclass `view` (its attributes shared, not copied) that notes
    each field read into `note`. It is an instance of the view's class, equal to it, with
    the same repr; dataclasses.replace of it makes a plain, unnoting one."""
    copy: Any = object.__new__(_noting_class(type(view)))
    state = object.__getattribute__(copy, "__dict__")
    state.update(object.__getattribute__(view, "__dict__"))
    state[_NOTE] = note
    return copy


def watched(edition: E, reads: set[Read]) -> E:
    """The edition, its tables noting into `reads` what is read of them."""
    noting: dict[str, Any] = {
        name: _Watched(name, getattr(edition, name), reads) for name in tables(edition)
    }
    return dataclasses.replace(edition, **noting)


class Digests(Generic[E]):
    """Digests of one edition's entries, each computed once (a view's repr is its content)."""

    def __init__(self, edition: E) -> None:
        self.edition = edition
        self._of: dict[Read, str] = {}

    @functools.cached_property
    def shell(self) -> str:
        """Everything but the tables: audience, date, company, brand, labels, stale badges."""
        empty: dict[str, Any] = {table: {} for table in tables(self.edition)}
        return key_of("shell", repr(dataclasses.replace(self.edition, **empty)))

    def of(self, read: Read) -> str:
        if read not in self._of:
            table, key, what = read
            data: Mapping[str, Any] = getattr(self.edition, table)
            if key == ALL:
                whole = list(data) if what == KEYS else data
                self._of[read] = key_of("table", what, repr(whole))
            elif what == EXISTS:
                self._of[read] = key_of("exists", key in data)
            elif key not in data:
                self._of[read] = key_of("entry", None)
            elif what == ENTRY:
                self._of[read] = key_of("entry", repr(data[key]))
            else:
                self._of[read] = key_of("field", what, repr(getattr(data[key], what, None)))
        return self._of[read]

    def key(self, reads: frozenset[Read], fixed: tuple[object, ...]) -> str:
        """The key of a page made from `fixed` inputs and these reads of the edition."""
        return key_of("reads", fixed, self.shell, [(r, self.of(r)) for r in sorted(reads)])


@dataclass(frozen=True)
class Page:
    """A page as rendered, with what it read: reused while those reads are unchanged."""

    key: str
    reads: frozenset[Read]
    text: str
    #: theme files and catalog assets the page refers to (links it asked for)
    theme: frozenset[str] = frozenset()
    assets: frozenset[str] = frozenset()


#: rendered pages by name (output path and locale), kept between builds (memo.Memo.pages).
Pages = dict[str, Page]


def rendered(
    pages: Pages | None,
    name: str,
    digests: Digests[E],
    fixed: tuple[object, ...],
    render: Callable[[E], tuple[str, frozenset[str], frozenset[str]]],
) -> Page:
    """The page `name`: the kept one while its reads are unchanged, else rendered again.

    `render(edition)` renders from the edition it is given and returns the text with the
    theme files and assets it referred to; `fixed` is everything else it is made from
    (templates, locale, languages, options). Without `pages`, it is always rendered, from
    the edition itself (a one-off build keeps no page).
    """
    if pages is None:  # nothing to keep it for: neither watched nor keyed
        text, theme, assets = render(digests.edition)
        return Page("", frozenset(), text, theme, assets)
    kept = pages.get(name)
    if kept is not None and kept.key == digests.key(kept.reads, fixed):
        return kept
    reads: set[Read] = set()
    text, theme, assets = render(watched(digests.edition, reads))
    page = Page(digests.key(frozenset(reads), fixed), frozenset(reads), text, theme, assets)
    pages[name] = page
    return page

"""Linked stylesheets parsed once per renderer and reused by the documents that link them."""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

#: the WeasyPrint this reuse was written against and checked for byte-identical output
#: (tests/render/test_sheets.py); with another, every document parses its sheets itself
WEASYPRINT = "70."


class Fetcher(Protocol):
    """What a sheet cache needs of render.pdf.SafeFetcher."""

    fetched: list[Path]
    refused: list[str]
    linted: frozenset[Path]
    said: set[int]

    def allows(self, path: Path) -> bool: ...


@dataclass(frozen=True)
class _Sheet:
    """A linked sheet as parsed for one document: what the next ones reuse of it."""

    css: Any  # weasyprint.CSS: its matcher holds the parsed rules
    page_rules: tuple[Any, ...]  # the @page rules its parse added to the document's
    files: tuple[tuple[Path, int, int], ...]  # (path, size, mtime_ns) of what it read


@dataclass
class Sheets:
    """The plain `<link rel="stylesheet" href>` sheets (the theme's fonts.css, style.css and
    print.css) of the documents rendered with one font configuration.

    WeasyPrint parses every linked sheet for every document: 50 ms of a 300 ms battlecard.
    A sheet parsed once is reused while every file its parse read (the sheet, what it
    imports, its @font-face fonts) keeps its size and mtime and is one the document's
    fetcher allows. A sheet whose parse was refused something, or added layers, counter
    styles or colour profiles (document state this reuse does not replay), is parsed for
    every document, as is any other `<style>` or `<link>`.
    """

    font_config: Any
    entries: dict[tuple[str, str], _Sheet] = field(default_factory=dict)

    def linked(
        self, found: Iterator[Any], href: str, media: str, fetcher: Fetcher, state: _State
    ) -> Iterator[Any]:
        """The sheet at `href`: reused, or parsed by `found` (WeasyPrint's own) and kept."""
        from weasyprint import CSS

        entry = self.entries.get((href, media))
        if entry is not None and _current(entry, fetcher):
            state.page_rules.extend(entry.page_rules)
            # what StyleFor reads of a sheet; page_rules and layers are the document's
            view = object.__new__(CSS)
            view.base_url, view.matcher = entry.css.base_url, entry.css.matcher
            view.page_rules, view.layers = state.page_rules, state.layers
            yield view
            return
        before = state.mark(fetcher)
        parsed = list(found)
        after = state.mark(fetcher)
        if _path_of(href) in fetcher.linted:
            # what the project's print sheet was refused, the lint says once, at its line
            fetcher.said.update(range(before.refused, after.refused))
        if len(parsed) == 1 and after.keeps(before):
            read = [_stat(p) for p in fetcher.fetched[before.fetched :]]
            files = tuple(f for f in read if f is not None)
            if len(files) == len(read):  # each file it read is still there to compare
                added = tuple(state.page_rules[before.page_rules :])
                self.entries[(href, media)] = _Sheet(parsed[0], added, files)
        yield from parsed


@dataclass(frozen=True)
class _State:
    """The document-wide lists and maps a sheet's parse adds to."""

    page_rules: list[Any]
    layers: list[Any]
    counter_style: dict[str, Any]
    color_profiles: dict[str, Any]

    def mark(self, fetcher: Fetcher) -> _Mark:
        return _Mark(
            len(self.page_rules),
            tuple(self.layers),
            {name: id(style) for name, style in self.counter_style.items()},
            {name: id(profile) for name, profile in self.color_profiles.items()},
            len(fetcher.refused),
            len(fetcher.fetched),
        )


@dataclass(frozen=True)
class _Mark:
    """What a document's state and fetcher held at one point of its sheets' parse."""

    page_rules: int
    layers: tuple[Any, ...]
    counter_styles: dict[str, int]  # name → id of the style: a replaced one counts
    color_profiles: dict[str, int]
    refused: int
    fetched: int

    def keeps(self, before: _Mark) -> bool:
        """Whether a parse between `before` and this mark left only what a reuse replays
        (@page rules): nothing refused, no counter style or colour profile added or
        replaced, and no layer in the document at all (a layered rule's order is the
        document's list, which a later document may not share)."""
        return (
            self.refused == before.refused
            and not self.layers
            and not before.layers
            and self.counter_styles == before.counter_styles
            and self.color_profiles == before.color_profiles
        )


def _path_of(href: str) -> Path | None:
    """The resolved file a file: URL names (None for another scheme)."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(href)
    return Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None


def _stat(path: Path) -> tuple[Path, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return path, info.st_size, info.st_mtime_ns


def _current(entry: _Sheet, fetcher: Fetcher) -> bool:
    """Whether every file the sheet's parse read is unchanged and the document may read it."""
    return all(fetcher.allows(file[0]) and _stat(file[0]) == file for file in entry.files)


_ACTIVE: contextvars.ContextVar[tuple[Sheets, Fetcher] | None] = contextvars.ContextVar(
    "salesplay_sheets", default=None
)


@contextmanager
def reusing(sheets: Sheets, fetcher: Fetcher) -> Iterator[None]:
    """Within: the document rendered reuses `sheets` (fetching through `fetcher`)."""
    _install()
    token = _ACTIVE.set((sheets, fetcher))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


class _One:
    """A wrapper element whose query finds one given element (WeasyPrint's own lookup is
    then run for that element alone)."""

    def __init__(self, wrapper: Any) -> None:
        self.wrapper = wrapper

    def query_all(self, *_tags: str) -> list[Any]:
        return [self.wrapper]


_INSTALLED: list[Any] = []


def _install() -> None:
    from salesplay.render import weasy

    weasy.load()
    import weasyprint
    import weasyprint.css as css

    if _INSTALLED or not weasyprint.__version__.startswith(WEASYPRINT):
        return
    original = css.find_stylesheets

    def find_stylesheets(
        wrapper_element: Any,
        device_media_type: str,
        url_fetcher: Any,
        base_url: str,
        font_config: Any,
        counter_style: Any,
        color_profiles: Any,
        page_rules: Any,
        layers: Any,
    ) -> Iterator[Any]:
        from weasyprint.html import element_has_link_type, parse_url

        active = _ACTIVE.get()
        rest = (counter_style, color_profiles, page_rules, layers)
        if (
            active is None
            or active[1] is not url_fetcher
            or active[0].font_config is not font_config
        ):
            yield from original(
                wrapper_element, device_media_type, url_fetcher, base_url, font_config, *rest
            )
            return
        sheets, fetcher = active
        state = _State(page_rules, layers, counter_style, color_profiles)
        for wrapper in wrapper_element.query_all("style", "link"):
            element = wrapper.etree_element
            found = original(
                _One(wrapper), device_media_type, url_fetcher, base_url, font_config, *rest
            )
            plain = (
                element.tag == "link"
                and element.get("href")
                and element.get("type") is None
                and element.get("media") is None
                and element_has_link_type(element, "stylesheet")
                and not element_has_link_type(element, "alternate")
            )
            href = parse_url(element.get("href"), base_url) if plain else None
            if href is None:
                yield from found
            else:
                yield from sheets.linked(found, href, device_media_type, fetcher, state)

    css.find_stylesheets = find_stylesheets
    _INSTALLED.append(original)

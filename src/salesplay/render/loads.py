"""The files a printed page may load: what its HTML names, and what those sheets and SVGs name."""

from __future__ import annotations

import html as htmllib
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from salesplay.render.theme import builtin_for

#: attributes through which WeasyPrint fetches: an image, an object, a stylesheet or an
#: attachment (href), an SVG image (xlink:href); srcset and poster are not fetched by it
#: today and are named anyway, so that a version that does is no stale output
_ATTRIBUTE = re.compile(
    r"""(?<![\w:-])(?:src|href|data|poster|srcset|xlink:href)\s*=\s*"""
    r"""(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""",
    re.IGNORECASE,
)
#: a CSS url(), in a sheet, a <style> element or a style attribute
_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)""", re.IGNORECASE)
#: a CSS @import of a string (`@import url(…)` is a url() above)
_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
#: what is never a file: a place in the page, inline data (other schemes: see _target)
_NOT_A_FILE = re.compile(r"^\s*(?:#|data:)", re.IGNORECASE)
#: files whose text names more files the renderer fetches (a sheet's imports and fonts, an
#: SVG's images)
_NAMING = frozenset({".css", ".svg"})


class Loads:
    """The files that pages rendered from a base URL may ask the fetcher for, each named as
    asked (an absolute path, links not followed), whether or not it is there now: a missing
    file a page names is one whose arrival changes the page. What the fetcher serves for
    each, `served`, is asked again whenever a key is made of them, so that a link moved or
    an override added is seen. A superset of what WeasyPrint fetches, never less: a PDF's
    key made from them is never stale. One per plan; each sheet or SVG is read once."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = tuple(Path(r).resolve() for r in roots)
        self._named: dict[Path, frozenset[str]] = {}

    def of_page(self, page: str, base_url: str, sheets: Iterable[Path] = ()) -> frozenset[str]:
        """What the page `page` (rendered from `base_url`, with the user sheets `sheets`)
        may ask for, and what the sheets and SVGs served for those name in turn."""
        asked = set(self._asked(_references(page, html=True), base_url))
        asked.update(os.path.abspath(s) for s in sheets)
        done: set[str] = set()
        while asked:
            path = asked.pop()
            if path in done:
                continue
            done.add(path)
            served = self.served(path)
            if served is not None:
                asked.update(self._names(served) - done)
        return frozenset(done)

    def served(self, asked: str) -> Path | None:
        """The file the fetcher serves for the path `asked` now (render.pdf.SafeFetcher
        .check_path): links followed, `templates/default/X` the built-in X; None for one it
        refuses (outside the roots) or that is not there."""
        try:
            path = Path(asked).resolve()
            if not path.is_file():
                path = builtin_for(self.roots, path) or path
            if not path.is_file():
                return None
        except (OSError, ValueError):
            return None
        return path if any(path.is_relative_to(root) for root in self.roots) else None

    def _names(self, path: Path) -> frozenset[str]:
        """What the served file `path` names, if it is a sheet or an SVG."""
        if path.suffix.lower() not in _NAMING:
            return frozenset()
        if path not in self._named:
            try:
                text = path.read_text("utf-8", errors="replace")
            except OSError:
                text = ""
            html = path.suffix.lower() == ".svg"
            # relative to the file served: the fetcher answers with its URL
            self._named[path] = frozenset(self._asked(_references(text, html=html), path.as_uri()))
        return self._named[path]

    def _asked(self, references: Iterable[str], base_url: str) -> Iterator[str]:
        """The absolute paths `references` ask for from `base_url`: not those the fetcher
        refuses whatever the disk holds (another scheme or host, a `..` component)."""
        for reference in references:
            if not reference.strip() or _NOT_A_FILE.match(reference):
                continue
            parts = urlsplit(urljoin(base_url, reference.strip()))
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                continue
            raw = unquote(parts.path)
            if not raw or ".." in raw.replace("\\", "/").split("/"):
                continue
            yield os.path.normpath(raw)


def _references(text: str, *, html: bool) -> Iterator[str]:
    """Every URL `text` names: attribute values (HTML, SVG), url() and @import (CSS anywhere)."""
    if html:
        for match in _ATTRIBUTE.finditer(text):
            value = htmllib.unescape(next(g for g in match.groups() if g is not None))
            # a srcset's candidates, each a URL and a size ("a.png 1x, b.png 2x")
            for candidate in value.split(","):
                words = candidate.split()
                if words:
                    yield words[0]
            yield value
    # in a page, a <style> element's or a style attribute's CSS, its entities decoded
    css = htmllib.unescape(text) if html else text
    for pattern in (_URL, _IMPORT):
        for match in pattern.finditer(css):
            yield next(g for g in match.groups() if g is not None)

"""The files a printed page may load: what its HTML names, and what those sheets and SVGs name."""

from __future__ import annotations

import html as htmllib
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from salesplay.render.pdf import STYLE_ELEMENT, SafeFetcher

#: attributes through which WeasyPrint fetches: an image, an object, a stylesheet or an
#: attachment (href), an SVG image (xlink:href); srcset and poster are not fetched by it
#: today and are named anyway, so that a version that does is no stale output
_ATTRIBUTE = re.compile(
    r"""(?<![\w:-])(?:src|href|data|poster|srcset|xlink:href)\s*=\s*"""
    r"""(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""",
    re.IGNORECASE,
)
#: a page's CSS besides its <style> elements' (pdf.STYLE_ELEMENT): a style attribute's value
_STYLE_ATTRIBUTE = re.compile(r"""(?<![\w:-])style\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
#: any attribute whose value holds a url( (SVG paint: fill, stroke, mask, filter…), or a
#: character reference that may spell one
_URL_ATTRIBUTE = re.compile(
    r"""(?<![\w:-])[\w:-]+\s*=\s*(?:"([^"]*(?:url\(|&#)[^"]*)"|'([^']*(?:url\(|&#)[^']*)')""",
    re.IGNORECASE,
)
#: a page's first <base href>
_BASE = re.compile(
    r"""<base\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE
)
#: what is never a file: a place in the page (other schemes: see _asked; data: is read)
_NOT_A_FILE = re.compile(r"^\s*#", re.IGNORECASE)
#: the first bytes of files WeasyPrint reads as an image or a font, which name no file;
#: anything else served may be a sheet (a linked or imported one, whatever its name) or
#: an SVG (WeasyPrint tries one when Pillow cannot read the image), and is read for names
_BINARY = (
    b"\x89PNG", b"\xff\xd8", b"GIF8", b"RIFF", b"BM", b"II*\x00", b"MM\x00*",
    b"OTTO", b"\x00\x01\x00\x00", b"true", b"wOFF", b"wOF2", b"ttcf", b"\x00\x00\x01\x00",
)  # fmt: skip


#: the largest file read for the files it names (a sheet, an SVG)
MAX_NAMING_BYTES = 16 << 20


class Loads:
    """The files that pages rendered from a base URL may ask the fetcher for, each named as
    asked (an absolute path, links not followed), whether or not it is there now: a missing
    file a page names is one whose arrival changes the page. What the fetcher serves for
    each, `served`, is asked again whenever a key is made of them, so that a link moved or
    an override added is seen. A superset of what WeasyPrint fetches, never less: a PDF's
    key made from them is never stale. One per plan; each sheet or SVG is read once."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self._fetcher = SafeFetcher(roots)
        self._named: dict[Path, frozenset[str]] = {}

    def of_page(self, page: str, base_url: str, sheets: Iterable[Path] = ()) -> frozenset[str]:
        """What the page `page` (rendered from `base_url`, with the user sheets `sheets`)
        may ask for, and what the sheets and SVGs served for those name in turn."""
        base = _BASE.search(page)
        if base is not None:
            # WeasyPrint resolves the page against its first <base href> (_find_base_url)
            base_url = urljoin(base_url, htmllib.unescape(next(g for g in base.groups() if g)))
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
        """The file the fetcher serves for the path `asked` now (SafeFetcher.check_path,
        asked quietly): links followed, `templates/default/X` the built-in X; None for one
        it refuses (outside the roots, a link loop) or that is not there."""
        return self._fetcher.peek(Path(asked).as_uri())

    def _names(self, path: Path) -> frozenset[str]:
        """What the served file `path` names, read as WeasyPrint may read it: as a sheet
        (tinycss2, its @charset or BOM honoured) and as an SVG; nothing for an image or a
        font, by their first bytes, whatever their names."""
        if path not in self._named:
            try:
                # a sheet or an SVG past this is no theme's: a video named by a page is
                # not read whole to find that it names nothing
                data = path.read_bytes() if path.stat().st_size <= MAX_NAMING_BYTES else b""
            except OSError:
                data = b""
            # relative to the served file: the fetcher answers with its URL
            self._named[path] = frozenset(self._asked(_names_in(data), path.as_uri()))
        return self._named[path]

    def _asked(self, references: Iterable[str], base_url: str) -> Iterator[str]:
        """The absolute paths `references` ask for from `base_url`: not those the fetcher
        refuses whatever the disk holds (another scheme or host, a `..` component)."""
        for reference in references:
            if not reference.strip() or _NOT_A_FILE.match(reference):
                continue
            if reference.strip()[:5].lower() == "data:":
                # an inline SVG or sheet: WeasyPrint fetches the files it names
                yield from self._asked(_names_in(_data_bytes(reference.strip())), base_url)
                continue
            parts = urlsplit(urljoin(base_url, reference.strip()))
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                continue
            raw = unquote(parts.path)
            if not raw or ".." in raw.replace("\\", "/").split("/"):
                continue
            yield os.path.normpath(raw)


def _references(text: str, *, html: bool) -> Iterator[str]:
    """Every URL a page or an SVG names: its attributes' values, and what its CSS (its
    <style> elements and style attributes, entities decoded) names as tinycss2 reads it."""
    for match in _ATTRIBUTE.finditer(text):
        value = htmllib.unescape(next(g for g in match.groups() if g is not None))
        # a srcset's candidates, each a URL and a size ("a.png 1x, b.png 2x")
        for candidate in value.split(","):
            words = candidate.split()
            if words:
                yield words[0]
        yield value
    folded = text.lower()  # each pass below only where the page has what it looks for
    if "<style" in folded:
        for element in STYLE_ELEMENT.finditer(text):
            yield from _css_references(element.group(1))
    for attribute in _STYLE_ATTRIBUTE.finditer(text):
        value = next(g for g in attribute.groups() if g is not None)
        yield from _css_references(htmllib.unescape(value))
    if "url(" in folded or "&#" in folded:  # u&#114;l( is url( once the value is decoded
        # an SVG presentation attribute's url(): fill="url(pattern.svg#p)"
        for attribute in _URL_ATTRIBUTE.finditer(text):
            value = next(g for g in attribute.groups() if g is not None)
            yield from _css_references(htmllib.unescape(value))
    if not html:
        yield from _css_references(text)


def _names_in(data: bytes) -> Iterator[str]:
    """What a file's bytes name, read as a sheet (tinycss2: @charset, BOM) and as an SVG
    (its BOM or XML encoding declaration honoured); nothing for an image or a font."""
    if not data or data.startswith(_BINARY):
        return
    yield from _css_references_bytes(data)
    yield from _references(_xml_text(data), html=True)


def _xml_text(data: bytes) -> str:
    """An XML document's bytes as text, as an XML parser decodes them."""
    import codecs

    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):  # fmt: skip
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    declared = re.match(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""", data)
    if declared is not None:
        try:
            return data.decode(declared[1].decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("utf-8", errors="replace")


def _data_bytes(url: str) -> bytes:
    """The payload of a data: URL (base64 or percent-encoded); empty when it has none."""
    import base64
    from urllib.parse import unquote_to_bytes

    header, _, payload = url.partition(",")
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(unquote_to_bytes(payload), validate=False)
        return unquote_to_bytes(payload)
    except ValueError:
        return b""


def _css_references_bytes(data: bytes) -> Iterator[str]:
    """What a sheet's bytes name, decoded as WeasyPrint decodes them (@charset, BOM)."""
    import tinycss2

    rules, _encoding = tinycss2.parse_stylesheet_bytes(data)
    yield from _named_by(rules)


def _css_references(text: str) -> Iterator[str]:
    """What CSS text names: url() (escapes decoded, `u\\72l(` too) and @import."""
    import tinycss2

    yield from _named_by(tinycss2.parse_component_value_list(text))


def _named_by(nodes: Iterable[object]) -> Iterator[str]:
    """The URLs in tinycss2 nodes, at any depth: url tokens, url() functions, and the
    string or url after an @import keyword (in a rule, or as a token)."""
    todo = list(nodes)
    after_import = False
    while todo:
        node = todo.pop(0)
        kind = getattr(node, "type", "")
        if kind in ("whitespace", "comment"):
            continue
        if after_import and kind == "string":
            yield str(getattr(node, "value", ""))
        after_import = False
        if kind == "url":
            yield str(getattr(node, "value", ""))
        elif kind == "function" and getattr(node, "lower_name", "") == "url":
            for argument in getattr(node, "arguments", ()):
                if getattr(argument, "type", "") == "string":
                    yield str(getattr(argument, "value", ""))
        elif kind == "at-keyword" and getattr(node, "lower_value", "") == "import":
            after_import = True
        if kind == "at-rule" and getattr(node, "lower_at_keyword", "") == "import":
            todo[0:0] = [_Import(), *(getattr(node, "prelude", None) or ())]
            continue
        if isinstance(node, _Import):
            after_import = True
            continue
        for part in ("prelude", "content", "arguments"):
            inner = getattr(node, part, None)
            if isinstance(inner, list):
                todo[0:0] = inner


class _Import:
    """A marker before an @import rule's prelude: its first string is a URL."""

    type = "marker"

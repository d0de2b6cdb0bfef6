"""A long print page split into its chapters, each rendered alone, and the parts joined."""

from __future__ import annotations

import html as htmllib
import io
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Protocol
from urllib.parse import urljoin

from salesplay.render.crossrefs import crosses, target_rules
from salesplay.render.pdfjoin import PART_LINK, JoinError, join, named_destinations, page_of
from salesplay.render.theme import css_imports, css_text

#: every margin box of CSS Paged Media: a chapter is rendered without its page's chrome
#: (running header, footer, page number), which the front part draws for every page
_MARGIN_BOXES = (
    *("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner"),
    *("right-top", "right-middle", "right-bottom"),
    *("bottom-right-corner", "bottom-right", "bottom-center", "bottom-left"),
    *("bottom-left-corner", "left-bottom", "left-middle", "left-top"),
)
_NO_CHROME = (
    "<style>@page { "
    + " ".join(f"@{box} {{ content: none !important }}" for box in _MARGIN_BOXES)
    + " }</style>"
)
#: the body's running elements (base.html): laid out in the page margins, so every part
#: has them
_RUNNING = frozenset({"run-head", "run-foot"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)
_ID = re.compile(r'\sid="([^"]*)"')
_HREF = re.compile(r'(\shref=")#([^"]*)(")')

#: CSS a chapter rendered alone cannot honour: a named string or a counter carried from
#: one chapter into the next (the page counters are the front part's), or a chapter
#: chosen by its neighbours or place among them (each part holds one chapter)
_STATE = re.compile(r"(string-set|counter-(?:increment|reset|set))\s*:\s*([^;}\"]*)", re.I)
_IDENT = re.compile(r"(?<![\w-])-?[A-Za-z_][\w-]*")
_PAGE_COUNTERS = frozenset(
    {"none", "page", "pages", "inherit", "initial", "unset", "revert", "revert-layer"}
)
_PRELUDE = re.compile(r"([^{};]*)\{")
_NEIGHBOURS = re.compile(r"[+~]|:(?:first|last|nth|only)-(?:last-)?(?:child|of-type)", re.I)


@dataclass(frozen=True)
class Layout:
    """What the front part needs of a chapter rendered alone: its page count and the
    anchors on each of its pages."""

    pages: int
    anchors: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Split:
    """A print page cut where it breaks anyway: the front matter (cover, contents) and each
    section of its `<main>`, which starts on a page of its own (`.chapter`).

    Each part is a whole HTML document with the page's head and running elements. A chapter
    is rendered without page chrome and with links to other parts' anchors written
    `salesplay-part:NAME` (render.pdfjoin). The front part is the front matter followed by
    an empty stand-in for each chapter, as many pages long with the same anchors on the same
    pages: its contents page finds each chapter's page number, and its stand-in pages carry
    the chrome, page numbers included, of the chapters' pages.
    """

    head: str  # up to and with <body ...>
    running: str
    front: str
    main_open: str
    chapters: tuple[str, ...]
    tail: str  # from </body> on

    def chapter(self, index: int) -> str:
        """The HTML of chapter `index` alone."""
        text = self.chapters[index]
        own = {htmllib.unescape(i) for i in _ID.findall(text)}
        others = self._ids() - own

        def relink(match: re.Match[str]) -> str:
            name = htmllib.unescape(match[2])
            if name in own or name not in others:
                return match[0]  # WeasyPrint links it, or drops it as it would whole
            return f"{match[1]}{PART_LINK}{match[2]}{match[3]}"

        body = _HREF.sub(relink, text)
        head = self.head.replace("</head>", _NO_CHROME + "</head>", 1)
        return f"{head}{self.running}{self.main_open}{body}</main>{self.tail}"

    def front_part(self, layouts: Sequence[Layout]) -> str:
        """The HTML of the front matter, then the chapters' stand-ins."""
        stubs = "".join(
            _stand_in(text, layout) for text, layout in zip(self.chapters, layouts, strict=True)
        )
        return f"{self.head}{self.running}{self.front}{self.main_open}{stubs}</main>{self.tail}"

    def _ids(self) -> set[str]:
        texts = (self.front, *self.chapters)
        return {htmllib.unescape(i) for text in texts for i in _ID.findall(text)}


def _stand_in(text: str, layout: Layout) -> str:
    """An empty chapter as long as `layout`: its own opening tag (the same page name and
    break), then a forced break for each further page, its anchors on their pages."""
    opening = text[: text.index(">") + 1]
    own = {htmllib.unescape(i) for i in _ID.findall(opening)}
    out = [opening]
    for page in range(layout.pages):
        if page:
            out.append('<div style="break-before: page"></div>')
        out.extend(
            f'<span id="{htmllib.escape(name)}"></span>'
            for name in layout.anchors[page]
            if name not in own
        )
    out.append("</section>")
    return "".join(out)


def split(page: str) -> Split | None:
    """`page` cut at its chapters; None when it is not made that way (a project's template
    may not be): running elements, front matter and one `<main>` of chapter sections last
    in its body, and nothing but space between them."""
    parser = _Tops()
    try:
        parser.feed(page)
        parser.close()
    except (AssertionError, ValueError):
        return None
    if parser.body is None or parser.body_end is None or parser.bad:
        return None
    if "</head>" not in page[: parser.body]:
        return None  # nowhere to say that a chapter is rendered without page chrome
    body_children = [e for e in parser.elems if e.parent == "body"]
    if not body_children or body_children[-1].tag != "main":
        return None
    main = body_children[-1]
    chapters = [e for e in parser.elems if e.parent == "main"]
    if not chapters or any(e.tag != "section" or "chapter" not in e.classes for e in chapters):
        return None
    running: list[_Element] = []
    front: list[_Element] = []
    for element in body_children[:-1]:
        (running if _RUNNING & element.classes else front).append(element)
    if not front:
        return None
    # only space between the pieces, and between the body's children and main's
    pieces = sorted(body_children[:-1] + chapters, key=lambda e: e.start)
    gaps = [page[parser.body : pieces[0].start]]
    gaps += [page[a.end : b.start] for a, b in itertools.pairwise(pieces)]
    gaps.append(page[pieces[-1].end : parser.body_end])
    opened = page[main.start : main.inner]
    if any(g.strip() and g.strip() not in (opened, "</main>", opened + "</main>") for g in gaps):
        return None
    if any(r.start > f.start for r in running for f in front):
        return None
    return Split(
        head=page[: parser.body],
        running="".join(page[e.start : e.end] for e in running),
        front="".join(page[e.start : e.end] for e in front),
        main_open=opened,
        chapters=tuple(page[e.start : e.end] for e in chapters),
        tail=page[parser.body_end :],
    )


@dataclass(frozen=True)
class _Element:
    parent: str
    tag: str
    classes: frozenset[str]
    start: int
    end: int
    inner: int  # where its content starts


class _Tops(HTMLParser):
    """The body's children and those of its `<main>`, with their offsets in the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.text = ""
        self._lines: list[int] = [0]
        self._stack: list[tuple[str, frozenset[str], int, int]] = []
        self.body: int | None = None
        self.body_end: int | None = None
        self.elems: list[_Element] = []
        self.bad = False

    def feed(self, data: str) -> None:
        self.text += data
        self._lines = [0] + [m.end() for m in re.finditer("\n", self.text)]
        super().feed(data)

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._lines[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        end = start + len(self.get_starttag_text() or "")
        classes = frozenset((dict(attrs).get("class") or "").split())
        if tag == "body":
            if self.body is not None:
                self.bad = True
            self.body = end
            self._stack.append((tag, classes, start, end))
        elif tag in _VOID:
            self._leaf(tag, classes, start, end)
        else:
            self._stack.append((tag, classes, start, end))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        end = start + len(self.get_starttag_text() or "")
        self._leaf(tag, frozenset((dict(attrs).get("class") or "").split()), start, end)

    def _leaf(self, tag: str, classes: frozenset[str], start: int, end: int) -> None:
        if self._stack and self._stack[-1][0] in ("body", "main"):
            self.elems.append(_Element(self._stack[-1][0], tag, classes, start, end, end))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        start = self._offset()
        end = self.text.index(">", start) + 1
        if not any(open_tag == tag for open_tag, *_ in self._stack):
            return  # a stray end tag: the browser's parser ignores it too
        while True:
            open_tag, classes, begin, inner = self._stack.pop()
            if open_tag == tag:
                break
            if open_tag in ("body", "main", "section"):
                self.bad = True  # implied ends of what is cut: leave the page whole
        if tag == "body":
            self.body_end = start
            return
        parent = self._stack[-1][0] if self._stack else ""
        if parent in ("body", "main"):
            self.elems.append(_Element(parent, tag, classes, begin, end, inner))


class PartCache(Protocol):
    """Where rendered parts are kept between builds, each under a key naming its HTML and
    all else it is made of (fonts, sheets, assets, the date)."""

    def get(self, html: str) -> tuple[bytes, list[str]] | None:
        """The PDF and refused resources of the part `html`, if kept."""
        ...

    def put(self, html: str, pdf: bytes, refused: list[str]) -> None:
        """Keep the part `html` rendered."""
        ...


#: renders one part's HTML: its PDF and the resources refused to it
RenderPart = Callable[[str], tuple[bytes, list[str]]]

#: the text of the stylesheet at a URL (an absolute one, as the page or a sheet links it),
#: read as the renderer would be allowed to; None when it would not be, or is not there
ReadSheet = Callable[[str], str | None]


def render(
    page: str,
    render_part: RenderPart,
    cache: PartCache | None,
    read_sheet: ReadSheet = lambda _url: None,
) -> tuple[bytes, list[str]] | None:
    """`page` rendered chapter by chapter and joined, each part taken from `cache` when it
    is there; None when the page does not split (render it whole), or its CSS carries
    state from one chapter to the next (see carries_state) or has a target function read
    across the parts (see crossrefs.crosses); its linked and imported sheets are read with
    `read_sheet`.

    An edit of one chapter renders that chapter again, and the front part only when a
    chapter's page count or anchors moved."""
    import pikepdf

    cut = split(page)
    if cut is None:
        return None
    styles = _styles(page, read_sheet)
    if any(carries_state(css) for css in styles):
        return None
    rules = [rule for css in styles for rule in target_rules(css)]
    if crosses(page, len(cut.chapters), _RUNNING, rules):
        return None

    def part(html: str) -> tuple[bytes, list[str]]:
        kept = cache.get(html) if cache is not None else None
        if kept is None:
            kept = render_part(html)
            if cache is not None:
                cache.put(html, *kept)
        return kept

    refused: list[str] = []
    pdfs = []
    layouts = []
    # main's own anchors are in every part: the front part's stand-ins place them
    shared = {htmllib.unescape(i) for i in _ID.findall(cut.main_open + cut.running)}
    for index in range(len(cut.chapters)):
        pdf, theirs = part(cut.chapter(index))
        refused += [r for r in theirs if r not in refused]
        pdfs.append(pdf)
        layouts.append(_layout(pdf, shared))
    front, theirs = part(cut.front_part(layouts))
    refused += [r for r in theirs if r not in refused]
    with pikepdf.open(io.BytesIO(front)) as opened:
        keep = len(opened.pages) - sum(layout.pages for layout in layouts)
        if keep < 1 or not _stand_ins_hold(opened, keep, layouts):
            return None
    try:
        return join([front, *pdfs], keep=keep), refused
    except JoinError:
        return None


def _layout(pdf: bytes, shared: set[str]) -> Layout:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        on: list[list[str]] = [[] for _ in doc.pages]
        for name, page in _anchor_pages(doc).items():
            if name not in shared:
                on[page].append(name)
        return Layout(len(doc.pages), tuple(tuple(sorted(names)) for names in on))


def _stand_ins_hold(doc: Any, keep: int, layouts: Sequence[Layout]) -> bool:
    """Whether every chapter's anchors fall on its stand-in's pages in the front part: the
    stand-ins laid out as the chapters did (each chapter starts a page, so numbers hold)."""
    pages = _anchor_pages(doc)
    first = keep
    for layout in layouts:
        for offset, names in enumerate(layout.anchors):
            if any(pages.get(name) != first + offset for name in names):
                return False
        first += layout.pages
    return True


def _anchor_pages(doc: Any) -> dict[str, int]:
    """The page index of each named destination of an open document."""
    index = {page.objgen: n for n, page in enumerate(doc.pages)}
    found = {name: index.get(page_of(dest)) for name, dest in named_destinations(doc).items()}
    return {name: page for name, page in found.items() if page is not None}


def carries_state(css: str) -> bool:
    """Whether `css` sets a named string (`string-set`) or a counter other than the page
    counters, or selects a `.chapter` by its neighbours or its place among them (`+`, `~`,
    `:first-child`, `:nth-of-type(…)`…): a page styled so is rendered whole. It errs on the
    side of whole: a match inside a chapter's own structure costs time, never a page."""
    css = css_text(css)
    for prop, value in _STATE.findall(css):
        if prop.lower() == "string-set":
            return True
        if any(name.lower() not in _PAGE_COUNTERS for name in _IDENT.findall(value)):
            return True
    for prelude in _PRELUDE.findall(css):
        if any("chapter" in s and _NEIGHBOURS.search(s) for s in prelude.split(",")):
            return True
    return False


def _styles(page: str, read_sheet: ReadSheet) -> list[str]:
    """The CSS `page` uses: its <style> elements and style attributes, and the sheets it
    links, with what they import (read with `read_sheet`, each once)."""
    found = _Styles()
    found.feed(page)
    found.close()
    texts = [*found.inline]
    todo, seen = list(found.links), set[str]()
    while todo:
        url = todo.pop(0)
        if url in seen or len(seen) >= 64:
            continue
        seen.add(url)
        text = read_sheet(url)
        if text is not None:
            texts.append(text)
            todo.extend(urljoin(url, ref) for ref in css_imports(css_text(text)))
    return texts


class _Styles(HTMLParser):
    """A page's inline CSS (<style> elements, style attributes) and linked sheets' URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inline: list[str] = []
        self.links: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "style" in values:
            self.inline.append("x{" + values["style"] + "}")
        if tag == "style":
            self._in_style = True
            self.inline.append("")
        elif tag == "link" and values.get("href") and "stylesheet" in values.get("rel", ""):
            self.links.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.inline[-1] += data

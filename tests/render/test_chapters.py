"""A playbook rendered chapter by chapter and joined is the document rendered whole: its pages
look the same, its tag tree, links, outline and page numbers are the same; an edit of one
chapter renders that chapter alone."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest

from salesplay.context import Context
from salesplay.edition import make_edition
from salesplay.labels import labels_for
from salesplay.localize import localized
from salesplay.pipeline import check_catalog
from salesplay.render import chapters, crossrefs
from salesplay.render import html as html_pages
from salesplay.render.pdf import PdfRenderer, RenderJob, render_job, render_many
from salesplay.render.templates import THEME_DIR, make_env, template_dirs

SAMPLE = Path(__file__).resolve().parents[2] / "plays"
#: a catalog whose playbook has the sample's chapters, fewer plays: the tests that render a
#: playbook several times to compare two ways of making it (2 s a render, not 5)
MINIMAL = Path(__file__).resolve().parents[1] / "roots" / "minimal"
AS_OF = dt.date(2026, 11, 23)
PLAYBOOK = "cyber-resilience"


def _job(locale: str, catalog: Path = SAMPLE) -> RenderJob:
    """The catalog's playbook in `locale`, as the build's render job (chapters on)."""
    cat = check_catalog(Context(catalog=catalog, as_of=AS_OF))
    assert cat is not None
    dirs = template_dirs(None)
    labels = labels_for(locale, dirs)
    source = localized(cat, locale) if locale != "en" else cat
    edition = make_edition(source, "internal", labels=labels)
    links = html_pages.Links.for_pdf(catalog, dirs)
    page = html_pages.playbook(make_env(None, labels=labels), edition, PLAYBOOK, links)
    base = (THEME_DIR / "index.html").as_uri()
    roots = (catalog / "assets", *dirs)
    return RenderJob(page, base, roots, AS_OF, "Playbook", lang=locale, chapters=True)


class Memory:
    """A part cache in memory that counts the parts rendered."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[bytes, list[str]]] = {}
        self.rendered = 0

    def get(self, html: str) -> tuple[bytes, list[str]] | None:
        return self.kept.get(html)

    def put(self, html: str, pdf: bytes, refused: list[str]) -> None:
        self.rendered += 1
        self.kept[html] = (pdf, refused)


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[RenderJob, bytes, bytes]]:
    """The English and Arabic playbooks, each rendered whole and by chapters."""
    jobs = {locale: _job(locale) for locale in ("en", "ar")}
    order = [(locale, by) for locale in jobs for by in (False, True)]
    results = render_many([replace(jobs[loc], chapters=by) for loc, by in order], workers=2)
    pdfs = {key: pdf for key, (pdf, _) in zip(order, results, strict=True)}
    return {loc: (jobs[loc], pdfs[loc, False], pdfs[loc, True]) for loc in jobs}


@pytest.fixture(scope="module")
def small() -> RenderJob:
    """The minimal catalog's playbook: the sample's kinds of chapter, two plays."""
    job = _job("en", MINIMAL)
    cut = chapters.split(job.html)
    assert cut is not None and len(cut.chapters) == 5
    return job


def _open(data: bytes) -> Any:
    return pikepdf.open(io.BytesIO(data))


def _tree(data: bytes) -> list[tuple[int, str, int | None]]:
    """(depth, type, page) of every structure element, in order."""
    pdf = _open(data)
    pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
    out: list[tuple[int, str, int | None]] = []

    def walk(element: Any, depth: int) -> None:
        if not (isinstance(element, pikepdf.Dictionary) and element.get("/Type") == "/StructElem"):
            return
        page = element.get("/Pg")
        out.append((depth, str(element.S), pages.get(page.objgen) if page is not None else None))
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid, depth + 1)

    top = pdf.Root.StructTreeRoot.K
    walk(top[0] if isinstance(top, pikepdf.Array) else top, 0)
    return out


def _links(data: bytes) -> list[tuple[int, tuple[int, ...], int | str]]:
    """(page, box, target page or URI) of every link."""
    pdf = _open(data)
    pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
    names = {str(n): d for n, d in pikepdf.NameTree(pdf.Root.Names.Dests).items()}
    out: list[tuple[int, tuple[int, ...], int | str]] = []
    for number, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", ()):
            box = tuple(round(float(v)) for v in annot.Rect)
            if "/Dest" in annot:
                dest = names[str(annot.Dest)]
                out.append((number, box, pages[dest[0].objgen]))
            else:
                out.append((number, box, str(annot.A.URI)))
    return sorted(out)


def _texts(data: bytes) -> list[str]:
    """The text of each page, its spaces collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _pixels(data: bytes, tmp: Path, name: str) -> list[Any]:
    from PIL import Image

    pdf = tmp / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(pdf), str(tmp / name)], check=True)
    return [Image.open(png) for png in sorted(tmp.glob(f"{name}-*.pgm"))]


def test_the_sample_playbook_splits_at_its_chapters(rendered: dict[str, Any]) -> None:
    job, _, _ = rendered["en"]
    cut = chapters.split(job.html)
    assert cut is not None
    # the destination, its paths, each play, the matrix
    assert len(cut.chapters) >= 5
    assert 'class="cover"' in cut.front and 'class="toc"' in cut.front
    assert all(text.startswith("<section") for text in cut.chapters)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_joined_playbook_is_the_whole_one(
    rendered: dict[str, Any], locale: str, tmp_path: Path
) -> None:
    """Page for page the same look (a few pixels of antialiasing aside), text, tags,
    links and page numbers as the document rendered whole; and it was joined (the whole
    document's bytes are not)."""
    from PIL import ImageChops

    _, whole, joined = rendered[locale]
    assert joined != whole
    # the same words on each page; the chrome's come first (it is drawn under the page).
    # A glyph's text (an Arabic ligature, a mirrored bracket) is its first meeting's in
    # the document: one map per face, as whole, since the parts' fonts are merged
    words = [sorted(t.split()) for t in _texts(joined)]
    assert words == [sorted(t.split()) for t in _texts(whole)]
    assert _tree(joined) == _tree(whole)
    assert _links(joined) == _links(whole) and len(_links(whole)) > 10
    before, after = _pixels(whole, tmp_path, "whole"), _pixels(joined, tmp_path, "joined")
    assert len(before) == len(after) > 5
    for number, (a, b) in enumerate(zip(before, after, strict=True), 1):
        assert a.size == b.size, number
        diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 64 else 0)
        assert diff.histogram()[255] <= 40, f"page {number} differs in the joined playbook"
    texts = _texts(joined)
    total = len(texts)
    # every page but the cover has its number in the chrome drawn from the front part
    numbered = [n for n, text in enumerate(texts, 1) if f"{n}" in text and f"{total}" in text]
    assert numbered == list(range(2, total + 1)) or locale == "ar"
    if locale == "en":
        assert all(f"Page {n} of {total}" in texts[n - 1] for n in range(2, total + 1))


def test_the_outline_and_metadata_are_the_whole_documents(rendered: dict[str, Any]) -> None:
    _, whole, joined = rendered["en"]

    def outline(data: bytes) -> list[tuple[str, int]]:
        reader = pypdf.PdfReader(io.BytesIO(data))
        out: list[tuple[str, int]] = []

        def walk(items: Any) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item)
                else:
                    out.append((str(item.title), reader.get_destination_page_number(item)))

        walk(reader.outline)
        return out

    assert outline(joined) == outline(whole) and len(outline(whole)) > 5
    a, b = _open(whole), _open(joined)
    assert str(b.Root.Lang) == str(a.Root.Lang)
    assert b.open_metadata().get("dc:title") == a.open_metadata().get("dc:title")


def _faces(data: bytes) -> list[tuple[str, str]]:
    """(name, subtype) of every embedded font, each font dictionary once."""
    pdf = _open(data)
    return sorted(
        (str(obj.BaseFont), str(obj.Subtype))
        for obj in pdf.objects
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
    )


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_joined_playbook_embeds_each_face_once(rendered: dict[str, Any], locale: str) -> None:
    """The chapters' subsets of a face are one font, as in the whole document, and the
    joined playbook is about the whole one's size (it was twice as large unmerged)."""
    _, whole, joined = rendered[locale]
    assert _faces(joined) == _faces(whole)
    assert len(set(_faces(whole))) == len(_faces(whole)) >= 8
    assert len(joined) < 1.1 * len(whole)


def test_an_edit_of_one_chapter_renders_that_chapter_alone(small: RenderJob) -> None:
    job = small
    cut = chapters.split(job.html)
    assert cut is not None
    memory = Memory()
    with PdfRenderer() as renderer:
        first = render_job(renderer, job, memory)[0]
        parts = memory.rendered
        assert parts == len(cut.chapters) + 1  # and the front part
        assert render_job(renderer, job, memory)[0] == first and memory.rendered == parts
        # a word in the last play's chapter: that chapter again, its page count unchanged
        last_play = cut.chapters[-2]
        edited = job.html.replace(last_play, last_play.replace("</h1>", " edited</h1>", 1))
        assert edited != job.html
        again = render_job(renderer, replace(job, html=edited), memory)[0]
        assert memory.rendered == parts + 1
        fresh = render_job(renderer, replace(job, html=edited))[0]
    assert again == fresh != first


def test_a_page_that_does_not_split_is_rendered_whole(rendered: dict[str, Any]) -> None:
    job, _, _ = rendered["en"]
    page = "<!DOCTYPE html><html><head><title>t</title></head><body><p>Whole</p></body></html>"
    assert chapters.split(page) is None
    memory = Memory()
    with PdfRenderer() as renderer:
        by_chapters = render_job(renderer, replace(job, html=page), memory)[0]
        assert by_chapters == render_job(renderer, replace(job, html=page, chapters=False))[0]
    assert memory.rendered == 0


@pytest.mark.parametrize(
    "body",
    [
        "<p>loose text</p><main><section class='chapter'>x</section></main>",  # no front
        "<nav>front</nav><main><section class='chapter'>x</section>tail</main>",  # text in main
        "<nav>front</nav><main><section>x</section></main>",  # not a chapter
        "<nav>front</nav><main><section class='chapter'>x</section></main><p>after</p>",
        "<nav>front</nav><main><section class='chapter'>x</main>",  # a chapter not closed
        "<nav>no head</nav><main><section class='chapter'>x</section></main>",
    ],
)
def test_pages_not_made_of_chapters_do_not_split(body: str) -> None:
    page = f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"
    if "loose" in body:
        page = page.replace("<p>loose text</p>", "loose text")
    if "no head" in body:
        page = page.replace("<head><title>t</title></head>", "")
    assert chapters.split(page) is None


def test_links_between_chapters_are_marked_for_the_join() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>t</title></head><body>"
        '<div class="run-head">head</div><nav class="toc"><a href="#b">B</a></nav>'
        '<main id="main"><section class="chapter" id="a"><a href="#b">to b</a>'
        '<a href="#a">self</a><a href="#nowhere">x</a></section>'
        '<section class="chapter" id="b"><a href="#a">to a</a></section></main></body></html>'
    )
    cut = chapters.split(page)
    assert cut is not None
    first = cut.chapter(0)
    assert 'href="salesplay-part:b"' in first and 'href="#a"' in first
    assert 'href="#nowhere"' in first  # dropped by WeasyPrint, as in the whole page
    assert '<div class="run-head">head</div>' in first and "toc" not in first
    assert "@bottom-right { content: none !important }" in first
    front = cut.front_part([chapters.Layout(1, (("a",),)), chapters.Layout(2, ((), ("b2",)))])
    assert front.count('style="break-before: page"') == 1 and '<span id="b2">' in front
    assert "to b" not in front and "nav" in front


@pytest.mark.parametrize(
    ("css", "carries"),
    [
        (".chapter { counter-increment: play }", True),
        ("h1 { counter-reset: figure 0 }", True),
        ("h2 { string-set: title content() }", True),
        (".chapter + .chapter { margin-top: 0 }", True),
        ("section ~ .chapter { color: red }", True),
        ("main > .chapter:first-child { break-before: auto }", True),
        ("@media print { .chapter:nth-of-type(2n) h1 { color: red } }", True),
        ("@page { counter-reset: page 1 } @page :first { counter-increment: none }", False),
        (
            ".chapter > h1 { color: red } a::after { content: target-counter(attr(href), page) }",
            False,
        ),
        ("/* .chapter { counter-increment: play } */ p { color: red }", False),
        ("a[href~='x'] + p { color: red } li:first-child { margin: 0 }", False),
    ],
)
def test_css_that_carries_state_from_chapter_to_chapter_is_found(css: str, carries: bool) -> None:
    assert chapters.carries_state(css) is carries


def test_a_page_whose_css_numbers_its_chapters_is_rendered_whole(small: RenderJob) -> None:
    """Chapters numbered by a CSS counter (or titled by a named string) would each say 1
    rendered alone: such a page is rendered whole, its numbers right."""
    job = small
    style = (
        "<style>.chapter { counter-increment: play }"
        ' .chapter > h1::before { content: counter(play) ". " }</style>'
    )
    numbered = replace(job, html=job.html.replace("</head>", style + "</head>", 1))
    with PdfRenderer() as renderer:
        by_chapters = render_job(renderer, numbered)
        whole = render_job(renderer, replace(numbered, chapters=False))
    assert by_chapters == whole
    texts = _texts(by_chapters[0])
    # the last chapter (the matrix) counts every chapter before it: rendered alone, "1."
    cut = chapters.split(job.html)
    assert cut is not None
    assert any(text.startswith(f"{len(cut.chapters)}. Differentiator matrix") for text in texts)


@pytest.mark.parametrize(
    ("css", "found"),
    [
        (
            ".toc a::after { content: leader('.') target-counter(attr(href), page) }",
            [(".toc a::after", (("href", False),))],
        ),
        (
            "@media print { a.x::after { content: target-counters(attr(data-to), s, '.') } }",
            [("a.x::after", (("data-to", False),))],
        ),
        (
            "a::after { content: target-text(attr(HREF), before) target-counter(url(#x), page) }",
            [("a::after", (("href", True), (None, False)))],
        ),
        ("@page { @bottom-left { content: target-text(attr(href)) } }", [("*", ((None, True),))]),
        ("/* a::after { content: target-text(attr(href)) } */ p { color: red }", []),
        ("@media screen { p { color: red } } h1 { counter-increment: none }", []),
    ],
)
def test_rules_with_target_functions_are_found(
    css: str, found: list[tuple[str, tuple[tuple[str | None, bool], ...]]]
) -> None:
    assert [(r.selector, r.uses) for r in crossrefs.target_rules(css)] == found


_CROSS_PAGE = (
    "<!DOCTYPE html><html><head><title>t</title></head><body>"
    '<div class="run-head">{run}</div><nav class="toc" id="toc">{front}</nav><main>'
    '<section class="chapter" id="a"><h1 id="a-h">A</h1><a href="#a-h">self</a>{a}</section>'
    '<section class="chapter" id="b"><h1>B</h1></section></main></body></html>'
)
_TOC = ".toc a::after { content: target-counter(attr(href), page) }"
_TOC_TEXT = ".toc a::after { content: target-text(attr(href)) }"
_SEE = "a.see::after { content: target-counter(attr(href), page) }"


@pytest.mark.parametrize(
    ("front", "in_a", "run", "css", "crosses"),
    [
        ('<a href="#b">B</a>', '<a href="#b">B</a>', "", _TOC, False),  # the contents' numbers
        ('<a href="#b">B</a>', "", "", _TOC_TEXT, True),  # a stand-in holds no text
        (
            '<a href="#a-h">A</a>',
            "",
            "",
            ".toc a::after { content: target-text(attr(href)) }",
            True,
        ),
        ('<a href="#toc">top</a>', "", "", _TOC_TEXT, False),  # the front's own anchor
        ("", '<a class="see" href="#b">B</a>', "", _SEE, True),  # "see page N" in a chapter
        ("", '<a class="see" href="#a-h">A</a>', "", _SEE, False),  # within its chapter
        ("", '<a class="see" href="#nowhere">x</a>', "", _SEE, False),  # dropped, as whole
        ("", '<a href="#b">B</a>', "", _SEE, False),  # the rule is not on that link
        (
            "",
            '<a class="see" href="#b">B</a>',
            "",
            "main .see::after { content: target-text(attr(href)) }",
            True,
        ),
        (
            "",
            '<span class="see" data-to="#b">B</span>',
            "",
            _SEE.replace("href", "data-to").replace("a.see", ".see"),
            True,
        ),
        ("", "", '<a class="see" href="#b">B</a>', _SEE, True),  # running: in every part
        (
            "",
            '<a class="see" href="#b">B</a>',
            "",
            "a.see::after { content: target-counter(url(#b), page) }",
            True,
        ),
        (
            "",
            '<a class="see" href="#b">B</a>',
            "",
            "a.see:::after { content: target-text(attr(href)) }",
            False,
        ),
        ("", '<a class="see" href="#b">B</a>', "", "", False),  # no target function
        # a selector cssselect2 fails on (not a SelectorError): rendered whole, as WeasyPrint
        ("", "", "", "a:nth-of-type(2n+)::after { content: target-text(attr(href)) }", True),
    ],
)
def test_target_functions_that_read_across_parts_are_found(
    front: str, in_a: str, run: str, css: str, crosses: bool
) -> None:
    page = _CROSS_PAGE.format(front=front, a=in_a, run=run)
    assert chapters.split(page) is not None
    rules = crossrefs.target_rules(css)
    assert crossrefs.crosses(page, 2, frozenset({"run-head"}), rules) is crosses


def test_a_chapter_that_numbers_a_page_in_another_is_rendered_whole(small: RenderJob) -> None:
    """A "see page N" in one chapter pointing into another would find no page rendered
    alone: such a page is rendered whole, its number right; the contents' numbers alone
    (target-counter from the front matter) still split."""
    job = small
    cut = chapters.split(job.html)
    assert cut is not None
    last = cut.chapters[-2]
    see = '<p class="see"><a class="xref" href="#matrix">Matrix</a></p></section>'
    style = (
        "<style>.xref::after { content: ' (page ' target-counter(attr(href), page) ')' }</style>"
    )
    html = job.html.replace(last, last[: -len("</section>")] + see, 1)
    html = html.replace("</head>", style + "</head>", 1)
    assert html.count('class="xref"') == 1
    xref = replace(job, html=html)

    def never(_html: str) -> tuple[bytes, list[str]]:
        raise AssertionError("a page whose chapter numbers another's page was split")

    assert chapters.render(html, never, None) is None
    with PdfRenderer() as renderer:
        by_chapters = render_job(renderer, xref)
        whole = render_job(renderer, replace(xref, chapters=False))
    assert by_chapters == whole
    texts = _texts(by_chapters[0])
    matrix = next(n for n, text in enumerate(texts) if "Differentiator matrix" in text and n > 1)
    assert any(f"Matrix (page {matrix + 1})" in text for text in texts)


def test_linked_and_imported_sheets_are_read_for_it(tmp_path: Path) -> None:
    """The sheets a page links, and those they import, are read (within the renderer's
    roots) for CSS that carries state; a sheet outside the roots is not read at all."""
    from salesplay.render.pdf import _sheet_reader

    (tmp_path / "project.css").write_text('@import url("parts/numbers.css");\nh1 { color: red }')
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "numbers.css").write_text(".chapter { counter-increment: play }")
    page = (
        '<html><head><link rel="stylesheet" href="project.css"></head><body><main>'
        '<section class="chapter"><h1>A</h1></section><section class="chapter"><h1>B</h1>'
        "</section></main></body></html>"
    )

    def never(_html: str) -> tuple[bytes, list[str]]:
        raise AssertionError("a page that carries state was split")

    job = RenderJob(page, (tmp_path / "index.html").as_uri(), (tmp_path,), AS_OF, "T")
    assert chapters.render(page, never, None, _sheet_reader(job)) is None
    outside = replace(job, roots=(tmp_path / "parts",))  # project.css is not readable
    read = _sheet_reader(outside)
    assert read("project.css") is None and read("parts/numbers.css") is not None

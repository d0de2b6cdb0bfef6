"""Battlecard, playbook and matrix PDFs of the sample: length, text, band space, tags, layout."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdf
import pytest

from salesplay import richtext
from salesplay.context import Context
from salesplay.edition import make_edition
from salesplay.pipeline import check_catalog
from salesplay.render import html
from salesplay.render.pdf import RenderJob, SafeFetcher, render_many
from salesplay.render.templates import THEME_DIR, make_env, template_dirs
from salesplay.views import Edition

SAMPLE = Path(__file__).resolve().parents[2] / "plays"
AS_OF = dt.date(2026, 11, 23)
#: the partner band stamped over the bottom of each page needs at least this much free space.
BAND_FREE_PT = 64.0
PLAYBOOK = "cyber-resilience"


@dataclass(frozen=True)
class Extracted:
    pages: list[str]  # text of each page, whitespace collapsed
    lowest: float  # lowest text on any page, pt above the bottom, a generous descender included

    @property
    def text(self) -> str:
        return " ".join(self.pages)


@dataclass(frozen=True)
class Rendered:
    rep: Edition
    internal: Edition
    pdfs: dict[str, bytes]
    # text extraction costs about as much as rendering: once per PDF
    _extracted: dict[str, Extracted] = field(default_factory=dict)

    def reader(self, name: str) -> pypdf.PdfReader:
        return pypdf.PdfReader(io.BytesIO(self.pdfs[name]))

    def extract(self, name: str) -> Extracted:
        if name not in self._extracted:
            ys: list[float] = []

            def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
                if text.strip():
                    ys.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5] - 3)

            pages = [
                re.sub(r"\s+", " ", page.extract_text(visitor_text=visit))
                for page in self.reader(name).pages
            ]
            self._extracted[name] = Extracted(pages, min(ys))
        return self._extracted[name]


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    """Every sample battlecard (rep edition), one playbook and the matrix, rendered once."""
    cat = check_catalog(Context(catalog=SAMPLE, as_of=AS_OF))
    assert cat is not None
    rep, internal = make_edition(cat, "rep"), make_edition(cat, "internal")
    env, dirs = make_env(None), template_dirs(None)
    links = html.Links.for_pdf(SAMPLE, dirs)
    roots = (SAMPLE / "assets", *dirs)
    base = (THEME_DIR / "index.html").as_uri()
    pages = {
        f"card:{pid}": html.battlecard(env, rep, pid, links, medium="print") for pid in rep.plays
    }
    pages["playbook"] = html.playbook(env, internal, PLAYBOOK, links)
    pages["matrix"] = html.matrix(env, rep, links, medium="print")
    # the playbook as the build makes it: chapter by chapter, joined
    jobs = [
        RenderJob(page, base, roots, AS_OF, name, chapters=name == "playbook")
        for name, page in pages.items()
    ]
    results = render_many(jobs, workers=2)
    for name, (_, refused) in zip(pages, results, strict=True):
        assert refused == [], (name, refused)
    return Rendered(rep, internal, {n: pdf for n, (pdf, _) in zip(pages, results, strict=True)})


def _outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) of every bookmark, in order."""
    out: list[tuple[int, str, int]] = []

    def walk(items: Sequence[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                assert isinstance(item, pypdf.generic.Destination)
                page = reader.get_destination_page_number(item)
                assert page is not None and item.title is not None
                out.append((depth, item.title, page + 1))

    walk(reader.outline, 0)
    return out


def test_every_rep_play_has_a_card(rendered: Rendered) -> None:
    cards = {n.removeprefix("card:") for n in rendered.pdfs if n.startswith("card:")}
    assert cards == set(rendered.rep.plays) and len(cards) >= 9


def test_every_battlecard_fits_two_a4_pages(rendered: Rendered) -> None:
    counts = {pid: len(rendered.reader(f"card:{pid}").pages) for pid in rendered.rep.plays}
    assert {pid: n for pid, n in counts.items() if not 1 <= n <= 2} == {}
    for pid in rendered.rep.plays:
        for page in rendered.reader(f"card:{pid}").pages:
            size = (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
            assert size == (595, 842), pid  # A4 portrait, in points


def test_battlecard_text_has_name_sections_and_decoder(rendered: Rendered) -> None:
    for pid, play in rendered.rep.plays.items():
        text = rendered.extract(f"card:{pid}").text
        assert play.name in text, pid
        for heading in ("30-SECOND VERSION", "DISCOVERY QUESTIONS", "NEXT STEPS", "JARGON DECODER"):
            assert heading in text.upper(), (pid, heading)
        assert text.upper().rindex("JARGON DECODER") > text.upper().index("NEXT STEPS")
        pages = len(rendered.reader(f"card:{pid}").pages)
        assert f"Page {pages} of {pages}" in text and "As of 2026-11-23" in text, pid


def test_battlecard_leaves_the_partner_band_free(rendered: Rendered) -> None:
    """No text of ours (footer included) in the bottom strip the partner band is stamped on."""
    for pid in rendered.rep.plays:
        assert rendered.extract(f"card:{pid}").lowest >= BAND_FREE_PT, pid


def test_pdfs_are_tagged(rendered: Rendered) -> None:
    for name in rendered.pdfs:
        root = rendered.reader(name).root_object
        mark_info = root["/MarkInfo"].get_object()
        assert isinstance(mark_info, pypdf.generic.DictionaryObject)
        assert "/StructTreeRoot" in root and mark_info["/Marked"], name


def test_roadmap_and_stale_labels_reach_the_pdf(rendered: Rendered) -> None:
    text = rendered.extract("card:ransomware-detection").text
    assert "60 % confidence" in text and "do not commit" in text
    days = rendered.rep.differentiators["ten-times-faster-restores"].stale_days
    assert f"Last verified {days} days ago" in rendered.extract("card:backup-modernization").text


def test_playbook_contents_page_numbers_point_at_the_chapters(rendered: Rendered) -> None:
    pages = rendered.extract("playbook").pages
    dest = rendered.internal.destinations[PLAYBOOK]
    plays = [s.play for path in dest.paths for s in path.steps if s.play]
    contents = next(i for i, p in enumerate(pages) if p.lstrip().startswith("Contents"))
    for k, pid in enumerate(plays, start=1):
        name = rendered.internal.plays[pid].name
        match = re.search(re.escape(name) + r"[ .]*(\d+)", pages[contents])
        assert match, f"no page number for {name} in the contents"
        target = pages[int(match.group(1)) - 1]
        # card eyebrows are set in capitals by CSS, which text extraction keeps
        assert f"PLAY {k} OF {len(plays)}" in target.upper() and name in target, name
    matrix = re.search(r"Differentiator matrix[ .]*(\d+)", pages[contents])
    assert matrix and "Differentiator matrix" in pages[int(matrix.group(1)) - 1]


def test_playbook_bookmarks_cover_every_chapter(rendered: Rendered) -> None:
    reader = rendered.reader("playbook")
    marks = _outline(reader)
    top = [(title, page) for depth, title, page in marks if depth == 0]
    dest = rendered.internal.destinations[PLAYBOOK]
    titles = [t for t, _ in top]
    assert titles[:3] == ["Cover", "Contents", dest.name]
    assert all(p.name in titles for p in dest.paths) and titles[-1] == "Differentiator matrix"
    for path in dest.paths:
        for step in path.steps:
            name = rendered.internal.plays[step.play].name if step.play else None
            assert name in titles, name
    assert [page for _, page in top] == sorted(page for _, page in top)
    assert all(depth <= 1 for depth, _, _ in marks)  # card item headings stay out


def test_playbook_draws_the_path(rendered: Rendered) -> None:
    text = rendered.extract("playbook").text
    for step in rendered.internal.paths["resilience-journey"].steps:
        assert step.play_name and step.play_name in text


def test_matrix_pdf_is_landscape(rendered: Rendered) -> None:
    reader = rendered.reader("matrix")
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    text = rendered.extract("matrix").text
    assert "Differentiator matrix" in text and "Only Northwind Systems" in text


# --- print layout: nothing alone at a page edge, boxes as tall as their text -----------------


def _page_of(pages: list[str], text: str, after: int = 0) -> int:
    """The first page at or after `after` holding the start of `text` (lines may wrap)."""
    words = richtext.plain(text).split()[:5]
    pattern = re.compile(r"\s*".join(re.escape(w) for w in words), re.IGNORECASE)
    found = [i for i, page in enumerate(pages) if i >= after and pattern.search(page)]
    assert found, f"{text!r} is on no page"
    return found[0]


def test_no_list_leaves_one_item_alone_at_a_page_top_or_bottom(rendered: Rendered) -> None:
    split = 0
    for pid, play in rendered.rep.plays.items():
        pages = rendered.extract(f"card:{pid}").pages
        lists = {
            "DISCOVERY QUESTIONS": play.discovery,
            "QUALIFY BEFORE YOU INVEST": play.qualification,
            "NEXT STEPS": play.next_steps,
            "PROOF POINTS": tuple(p.result for p in play.proof),
        }
        for heading, items in lists.items():
            if not items:
                continue
            # a proof's text also backs a differentiator further up: look below the heading
            start = _page_of(pages, heading)
            on = [_page_of(pages, item, after=start) for item in items]
            counts = [on.count(page) for page in sorted(set(on))]
            split += len(counts) > 1
            assert len(counts) == 1 or min(counts) >= 2, (pid, heading, on)
    assert split  # some list does run over a page, so the rule was put to work


def test_section_headings_stay_with_their_first_item(rendered: Rendered) -> None:
    for pid, play in rendered.rep.plays.items():
        pages = [p.upper() for p in rendered.extract(f"card:{pid}").pages]
        first = {
            "DISCOVERY QUESTIONS": play.discovery[:1],
            "OBJECTIONS": tuple(o.objection for o in play.objections[:1]),
            "COMPETITORS: TALK TRACKS": tuple(m.competitor.name for m in play.competitors[:1]),
            "NEXT STEPS": play.next_steps[:1],
            "JARGON DECODER": tuple(t for t, _ in play.decoder[:1]),
        }
        for heading, items in first.items():
            if items:
                page = _page_of(pages, heading)
                assert _page_of(pages, items[0].upper(), after=page) == page, (pid, heading)


def test_no_empty_section_is_printed(rendered: Rendered) -> None:
    for name in rendered.pdfs:
        text = rendered.extract(name).text
        assert "No jargon on this card" not in text and "Not written yet" not in text, name


@pytest.fixture(scope="module")
def laid_out() -> dict[str, list[tuple[int, Any]]]:
    """(page index, box) of every box of a play card and a competitor card, as WeasyPrint
    lays them out (no PDF written: layout is what these tests measure)."""
    from weasyprint import HTML

    cat = check_catalog(Context(catalog=SAMPLE, as_of=AS_OF))
    assert cat is not None
    rep, env, dirs = make_edition(cat, "rep"), make_env(None), template_dirs(None)
    links = html.Links.for_pdf(SAMPLE, dirs)
    pages = {
        "card": html.battlecard(env, rep, "backup-modernization", links, medium="print"),
        "competitor": html.competitor_card(env, rep, "stratus", links, medium="print"),
    }
    fetcher = SafeFetcher((SAMPLE / "assets", *dirs))
    base = (THEME_DIR / "index.html").as_uri()

    def walk(box: Any) -> Iterator[Any]:
        yield box
        for child in getattr(box, "children", None) or ():
            yield from walk(child)

    out = {}
    for name, page in pages.items():
        doc = HTML(string=page, base_url=base, url_fetcher=fetcher).render()
        out[name] = [(i, box) for i, p in enumerate(doc.pages) for box in walk(p._page_box)]
    return out


def _boxes(laid_out: list[tuple[int, Any]], cls: str) -> list[tuple[int, Any]]:
    def classes(box: Any) -> list[str]:
        element = getattr(box, "element", None)
        return (element.get("class") or "").split() if element is not None else []

    # an element split over two pages, or wrapped in an anonymous box, counts once per page
    seen: set[tuple[int, int]] = set()
    out = []
    for page, box in laid_out:
        if cls in classes(box) and (page, id(box.element)) not in seen:
            seen.add((page, id(box.element)))
            out.append((page, box))
    return out


def test_boxes_side_by_side_are_as_tall_as_their_own_text(
    laid_out: dict[str, list[tuple[int, Any]]],
) -> None:
    for doc, cls in (("card", "why"), ("card", "matchup"), ("competitor", "track")):
        boxes = [box for _, box in _boxes(laid_out[doc], cls)]
        assert len(boxes) >= 3, cls
        for box in boxes:
            last = box.children[-1]
            content = last.position_y + last.margin_height() - box.content_box_y()
            # within half a line (a last paragraph's margin collapses through its parent);
            # a box stretched to its neighbour was taller by several lines
            assert box.height == pytest.approx(content, abs=6), (cls, box.element.get("class"))
        # side by side they differ: a short box does not stretch to its tall neighbour
        assert len({round(box.border_height()) for box in boxes}) > 1, cls


def test_jargon_decoder_reads_down_then_across(
    laid_out: dict[str, list[tuple[int, Any]]],
) -> None:
    terms = [box for _, box in _boxes(laid_out["card"], "decoder-term")]
    assert len(terms) >= 4
    xs = sorted({round(t.position_x) for t in terms})
    assert len(xs) == 2  # two columns
    half = (len(terms) + 1) // 2
    left, right = terms[:half], terms[half:]
    assert {round(t.position_x) for t in left} == {xs[0]}
    assert {round(t.position_x) for t in right} == {xs[1]}
    for column in (left, right):  # reading order runs down each column
        ys = [t.position_y for t in column]
        assert ys == sorted(ys)

"""Tests for the generic PowerPoint deck builder and the default deck master."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import io
import itertools
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pptx import Presentation
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.oxml.ns import qn
from pptx.util import Inches
from pypdf import PdfReader

from salesplay.context import Context
from salesplay.diagnostics import Location
from salesplay.edition import make_edition
from salesplay.families.decks import FitCheck
from salesplay.pipeline import check_catalog
from salesplay.render.decks import _heading, _labelled, big_number, enablement_slides
from salesplay.render.pptx_deck import LOGO_SHAPE, build_deck, check_master
from salesplay.render.pptx_fit import (
    TextBox,
    is_label,
    line_starts,
    longest_unbroken,
    paginate,
)
from salesplay.render.slides import DeckError, Logo, Overflow, PathStep, SlideSpec
from salesplay.richtext import Para, Run, parse
from salesplay.views import CustomerProof, Edition, Objection

ROOT = Path(__file__).resolve().parents[2]
MASTER = ROOT / "src/salesplay/themes/default/deck.pptx"
AS_OF = dt.date(2026, 10, 1)
LAYOUTS = ["Title", "Section", "Content", "Two Content", "Path", "Closing"]
#: the default master adds the optional layouts after the six every master needs
MASTER_LAYOUTS = [*LAYOUTS, "Statement", "Proof"]


def _build(slides: list[SlideSpec], **kw: Any) -> bytes:
    args: dict[str, Any] = {"title": "Pitch", "author": "Northwind", "as_of": AS_OF} | kw
    return build_deck(MASTER, slides, **args)


def _open(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


def _body_texts(slide: Any) -> list[str]:
    return [
        p.text
        for ph in slide.placeholders
        if ph.placeholder_format.idx != 0 and ph.placeholder_format.type != 4  # not subtitle
        for p in ph.text_frame.paragraphs
    ]


def _every_layout() -> list[SlideSpec]:
    return [
        SlideSpec("Title", "Cyber-resilient enterprise", subtitle="Recover in an hour"),
        SlideSpec("Section", "Why change", subtitle="Attacks target backups first"),
        SlideSpec("Content", "Why now", body=parse("Insurers ask for **immutable** copies."),
                  notes="Ask about the last restore."),
        SlideSpec("Two Content", "Us vs Acme", body=parse("- ours"), body2=parse("- theirs")),
        SlideSpec("Path", "The journey", steps=(PathStep("Modernize", "On tape"),
                                                PathStep("Drill", "No drills"))),
        SlideSpec("Closing", "Thank you", subtitle="Book a workshop"),
    ]  # fmt: skip


def test_master_has_exactly_the_named_layouts_and_is_small() -> None:
    prs = Presentation(str(MASTER))
    assert [layout.name for layout in prs.slide_layouts] == MASTER_LAYOUTS
    assert len(prs.slides) == 0
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)
    assert MASTER.stat().st_size < 100_000


def test_master_generator_reproduces_committed_file() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_deck_master", ROOT / "tools/make_deck_master.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == MASTER.read_bytes()


def test_each_layout_by_name_with_title_subtitle_and_notes() -> None:
    prs = _open(_build(_every_layout()))
    assert len(prs.slides) == 6
    assert [s.slide_layout.name for s in prs.slides] == LAYOUTS
    assert [s.shapes.title.text for s in prs.slides] == [s.title for s in _every_layout()]
    title_subtitle = [ph.text for ph in prs.slides[0].placeholders]
    assert title_subtitle == ["Cyber-resilient enterprise", "Recover in an hour"]
    assert prs.slides[2].notes_slide.notes_text_frame.text == "Ask about the last restore."
    assert not prs.slides[0].has_notes_slide
    assert _body_texts(prs.slides[3]) == ["ours", "theirs"]
    assert prs.core_properties.title == "Pitch" and prs.core_properties.author == "Northwind"
    assert prs.core_properties.created == dt.datetime(2026, 10, 1)
    assert prs.core_properties.revision == 1


def test_runs_keep_bold_italic_links_and_code() -> None:
    md = "We **restore** in *minutes*; see [the report](https://lab.example/r) and `vault-cli`."
    prs = _open(_build([SlideSpec("Content", "Proof", body=parse(md))]))
    runs = prs.slides[0].placeholders[1].text_frame.paragraphs[0].runs
    by_text = {r.text: r for r in runs}
    assert by_text["restore"].font.bold is True
    assert by_text["minutes"].font.italic is True
    assert by_text["the report"].hyperlink.address == "https://lab.example/r"
    assert by_text["vault-cli"].font.name == "Courier New"
    assert by_text["We "].font.bold is None and by_text["We "].hyperlink.address is None


def test_bullets_get_levels_and_plain_paragraphs_no_bullet() -> None:
    md = "Intro\n\n- top\n  - nested\n\n1. first\n2. second"
    prs = _open(_build([SlideSpec("Content", "Lists", body=parse(md))]))
    paras = prs.slides[0].placeholders[1].text_frame.paragraphs
    assert [(p.text, p.level) for p in paras] == [
        ("Intro", 0),
        ("top", 0),
        ("nested", 1),
        ("1.\tfirst", 0),
        ("2.\tsecond", 0),
    ]
    no_bullet = [bool(p._p.xpath("./a:pPr/a:buNone")) for p in paras]
    assert no_bullet == [True, False, False, True, True]


def _words(texts: list[str]) -> list[str]:
    return " ".join(texts).replace("\t", " ").split()


def test_overflowing_body_continues_on_cont_slides_without_losing_text() -> None:
    md = "\n".join(
        f"- Point {i}: immutable copies stop attackers deleting backups." for i in range(40)
    )
    prs = _open(_build([SlideSpec("Content", "Objections", body=parse(md), notes="n")]))
    slides = list(prs.slides)
    assert len(slides) > 2
    assert slides[0].shapes.title.text == "Objections"
    assert all(s.shapes.title.text == "Objections (cont.)" for s in slides[1:])
    assert all(s.slide_layout.name == "Content" for s in slides)
    texts = [t for s in slides for t in _body_texts(s)]
    assert _words(texts) == _words([p.text for p in parse(md)])
    # set a tenth smaller (16.2 pt): three slides, where the master's 18 pt took four
    assert len(slides) == 3
    assert {r.font.size.pt for s in slides for p in _paras(s) for r in p.runs} == {16.2}
    assert max(len(_body_texts(s)) for s in slides) <= 14
    for slide in slides:
        frame = slide.placeholders[1].text_frame
        assert frame.auto_size in (None, MSO_AUTO_SIZE.NONE)
        assert "normAutofit" not in slide.placeholders[1]._element.xml


def test_single_overlong_paragraph_splits_at_word_boundary() -> None:
    words = [f"word{i}" for i in range(900)]
    body = (Para((Run(" ".join(words[:450]), bold=True), Run(" " + " ".join(words[450:])))),)
    prs = _open(_build([SlideSpec("Content", "Long", body=body)]))
    assert len(prs.slides) >= 3
    texts = [t for s in prs.slides for t in _body_texts(s)]
    assert _words(texts) == words  # every word whole, in order
    second = prs.slides[1].placeholders[1].text_frame.paragraphs[0].runs
    assert second[0].font.bold is True


def test_two_columns_overflow_independently() -> None:
    long = tuple(
        Para((Run(f"Left point number {i} with some words"),), bullet=True) for i in range(40)
    )
    prs = _open(_build([SlideSpec("Two Content", "Compare", body=long, body2=parse("- short"))]))
    assert len(prs.slides) >= 2
    assert "short" in _body_texts(prs.slides[0])
    # an emptied column is removed rather than left showing "Click to add text"
    assert len(prs.slides[-1].placeholders) == 2


def test_continued_slides_take_the_title_they_are_given() -> None:
    """The engine imports no labels: the caller hands it the words of a continued slide."""
    steps = tuple(PathStep(f"Play {i}", f"Stage {i}") for i in range(1, 10))
    prs = _open(_build([SlideSpec("Path", "Weg", steps=steps)], continued="%(title)s (Forts.)"))
    assert [s.shapes.title.text for s in prs.slides] == ["Weg", "Weg (Forts.)"]


def test_path_steps_are_numbered_shapes_with_labels_and_captions() -> None:
    steps = tuple(
        PathStep(f"Play {i}", f"Stage {i}", f"https://x.example/{i}") for i in range(1, 10)
    )
    prs = _open(_build([SlideSpec("Path", "Journey", steps=steps)]))
    assert [s.shapes.title.text for s in prs.slides] == ["Journey", "Journey (cont.)"]
    shapes = {sh.name: sh for s in prs.slides for sh in s.shapes}
    for i in range(1, 10):
        assert shapes[f"Step {i}"].text_frame.text == f"Play {i}"
        assert shapes[f"Step {i} number"].text_frame.text == str(i)
        assert shapes[f"Step {i} caption"].text_frame.text == f"Stage {i}"
        assert shapes[f"Step {i}"].click_action.hyperlink.address == f"https://x.example/{i}"
    first = [sh for sh in prs.slides[0].shapes if sh.name.endswith("arrow")]
    assert len(first) == len([n for n in shapes if n.startswith("Step ") and n[5:].isdigit()
                              and int(n[5:]) <= 5]) - 1  # fmt: skip
    boxes = [shapes[f"Step {i}"] for i in range(1, 6)]
    assert [b.left for b in boxes] == sorted(b.left for b in boxes)  # left to right


def test_unsafe_step_link_is_dropped() -> None:
    prs = _open(_build([SlideSpec("Path", "J", steps=(PathStep("A", href="javascript:x()"),))]))
    step = next(sh for sh in prs.slides[0].shapes if sh.name == "Step 1")
    assert step.click_action.hyperlink.address is None


def test_double_build_is_byte_identical_and_zip_is_stable() -> None:
    first, second = _build(_every_layout()), _build(_every_layout())
    assert first == second
    assert first != _build(_every_layout(), as_of=dt.date(2026, 10, 2))
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in z.infolist()} == {(2026, 10, 1, 0, 0, 0)}


def test_missing_layout_and_missing_placeholder_are_clear_errors() -> None:
    with pytest.raises(DeckError, match=r"no layout named 'Agenda'.*Two Content"):
        _build([SlideSpec("Agenda", "x")])
    with pytest.raises(DeckError, match=r"'Path' has no placeholder for a body"):
        _build([SlideSpec("Path", "x", body=parse("text"))])
    with pytest.raises(DeckError, match="cannot open deck master"):
        build_deck(ROOT / "missing.pptx", [], title="t", author="a", as_of=AS_OF)


def test_existing_master_slides_are_removed(tmp_path: Path) -> None:
    master = tmp_path / "with-slides.pptx"
    master.write_bytes(_build(_every_layout()))
    prs = _open(
        build_deck(master, [SlideSpec("Section", "Only")], title="t", author="a", as_of=AS_OF)
    )
    assert [s.shapes.title.text for s in prs.slides] == ["Only"]


def test_a_deck_carries_none_of_the_masters_own_description() -> None:
    """The theme master says "Regenerate with tools/make_deck_master.py; restyle layouts
    freely." of itself: no deck made on it says so in its properties."""
    assert "make_deck_master" in Presentation(str(MASTER)).core_properties.comments
    props = _open(_build([SlideSpec("Title", "Hi")])).core_properties
    assert (props.title, props.author) == ("Pitch", "Northwind")
    assert (props.comments, props.subject, props.keywords, props.category) == ("", "", "", "")


def test_brand_color_recolours_theme() -> None:
    data = _build([SlideSpec("Title", "x")], brand_color="#FF6B00")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        theme = z.read("ppt/theme/theme1.xml").decode()
    assert '<a:accent1><a:srgbClr val="FF6B00"/>' in theme
    with pytest.raises(DeckError, match="not a #RRGGBB"):
        _build([SlideSpec("Title", "x")], brand_color="orange")


def test_line_starts_wraps_at_words_and_hard_breaks() -> None:
    assert line_starts("aaa bbb ccc", 7) == [0, 8]
    assert line_starts("aaa\nbbb", 80) == [0, 4]
    assert len(line_starts("x" * 25, 10)) == 3


def test_a_thai_line_breaks_between_letters_never_off_their_marks() -> None:
    """Thai is written without spaces: a Thai step name counted as one unbreakable word, so
    a three-step path took three slides with one small box each. Its lines break between
    letters, a vowel sign or tone mark staying with its letter, and the path fits one slide
    as the same path in English does."""
    from salesplay.render.pptx_path import Area, step_pages
    from salesplay.render.slides import PathStep

    name = "การสำรองข้อมูลที่ปลอดภัยทุกวัน"  # 29 characters, 6 of them marks
    assert longest_unbroken(name) == 1
    starts = line_starts(name, 8)
    assert len(starts) > 2
    assert all(unicodedata.category(name[s]) not in ("Mn", "Mc") for s in starts)
    area = Area(0, 0, Inches(12), Inches(4))
    thai = [PathStep(name[: 20 + i], caption="ขั้นตอน") for i in range(3)]
    english = [PathStep("Backup modernization step", caption="Stage") for _ in range(3)]
    assert len(step_pages(english, area)) == len(step_pages(thai, area)) == 1


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_converts_deck_to_pdf(tmp_path: Path) -> None:
    deck = tmp_path / "deck.pptx"
    deck.write_bytes(_build(_every_layout()))
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
        check=True,
        capture_output=True,
        timeout=240,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = PdfReader(tmp_path / "deck.pdf")
    assert len(pdf.pages) == 6
    assert "Cyber-resilient enterprise" in pdf.pages[0].extract_text()


def test_path_rows_are_balanced_centred_and_grow_for_long_labels() -> None:
    long = "Attacks are detected, but a restore might bring the attacker back"
    steps = tuple(PathStep(long if i == 3 else f"Step {i}") for i in range(1, 8))
    prs = _open(_build([SlideSpec("Path", "Journey", steps=steps)]))
    per_slide = [[sh for sh in s.shapes if sh.name.startswith("Step ") and sh.name[5:].isdigit()]
                 for s in prs.slides]  # fmt: skip
    assert [len(boxes) for boxes in per_slide] == [4, 3]
    assert per_slide[0][2].height > Inches(1.2)  # grew to hold the long label
    two = _open(_build([SlideSpec("Path", "Two", steps=(PathStep("A"), PathStep("B")))]))
    a, b = (sh for sh in two.slides[0].shapes if sh.name in ("Step 1", "Step 2"))
    assert a.width <= Inches(2.8)
    assert abs(a.left - (two.slide_width - (b.left + b.width))) < Inches(0.05)


_word = st.text(alphabet="abcdefghij", min_size=1, max_size=14)
_para = st.builds(
    lambda words, bullet, level: Para((Run(" ".join(words)),), bullet=bullet, level=level),
    st.lists(_word, min_size=1, max_size=120),
    st.booleans(),
    st.integers(min_value=0, max_value=3),
)


_label_para = st.builds(
    lambda words: Para((Run(" ".join(words), bold=True),)), st.lists(_word, min_size=1, max_size=8)
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_para | _label_para, max_size=12))
def test_paginate_keeps_every_word_and_fills_no_page_beyond_the_box(paras: list[Para]) -> None:
    box = TextBox(width=400.0, height=300.0, sizes=(18.0, 16.0) + (14.0,) * 7,
               margins=tuple(22.5 + 31.5 * i for i in range(9)))  # fmt: skip
    pages = paginate(paras, box)
    assert _words([p.text for page in pages for p in page]) == _words([p.text for p in paras])
    for page in pages:
        assert sum(box.height_of(p) for p in page) <= box.height
    # a label ends a page only where it is all the page holds; an item that fits a page and
    # no label heads is on one page whole
    for page in pages[:-1]:
        assert not is_label(page[-1]) or all(is_label(p) for p in page)
    placed = [p for page in pages for p in page]
    for i, para in enumerate(paras):
        if para.bullet and box.height_of(para) <= box.height and not (i and is_label(paras[i - 1])):
            assert para in placed, para


# --- decks a customer can be shown --------------------------------------------------------

SAMPLE = ROOT / "plays"
SAMPLE_ACCENT = "FF6B00"


@pytest.fixture(scope="module")
def rep() -> Edition:
    cat = check_catalog(Context(catalog=SAMPLE, as_of=dt.date(2026, 11, 23)))
    assert cat is not None
    return make_edition(cat, "rep")


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (11, 95, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def _paras(slide: Any, idx: int = 1) -> list[Any]:
    return list(slide.placeholders[idx].text_frame.paragraphs)


def _has_bullet(p: Any) -> bool:
    return not p._p.xpath("./a:pPr/a:buNone")


def test_a_list_under_a_label_stays_a_list_of_bullets(rep: Edition) -> None:
    pid = next(iter(rep.plays))
    play = rep.plays[pid]
    rep.plays[pid] = dataclasses.replace(
        play,
        why_now="- the renewal is due\n- the insurer asks",
        objections=(Objection("Too dear", "- one console\n- no second site"),),
    )
    try:
        slides = enablement_slides(rep, pid)
    finally:
        rep.plays[pid] = play
    prs = _open(_build(slides))
    why = next(s for s in prs.slides if s.shapes.title.text == "Why do anything? Why now?")
    right = _paras(why, 2)
    assert [p.text for p in right[:3]] == ["Why now", "the renewal is due", "the insurer asks"]
    assert [_has_bullet(p) for p in right[:3]] == [False, True, True]
    objections = next(s for s in prs.slides if s.shapes.title.text == "Objections")
    texts = [(p.text, p.level) for p in _paras(objections)]
    assert texts == [
        ("They say: Too dear", 0),
        ("You answer", 0),
        ("one console", 1),
        ("no second site", 1),
    ]


def test_no_note_ends_in_an_empty_label(rep: Edition) -> None:
    for pid, play in list(rep.plays.items()):
        rep.plays[pid] = dataclasses.replace(play, qualification=())
        try:
            slides = enablement_slides(rep, pid)
        finally:
            rep.plays[pid] = play
        for spec in slides:
            assert not re.search(r":\s*(\n|$)", spec.notes), (pid, spec.title, spec.notes)
        discovery = [s for s in slides if s.title == "Discovery questions"]
        assert all(not s.notes for s in discovery)


def test_one_sentence_is_a_statement_and_a_result_a_big_number(rep: Edition) -> None:
    pid = next(p for p, v in rep.plays.items() if v.proof)
    play = rep.plays[pid]
    rep.plays[pid] = dataclasses.replace(
        play,
        decoder=(("RTO", "How long a restore may take."),),
        proof=(
            CustomerProof("Contoso", "healthcare", "Restore time cut from 3 days to 40 minutes.",
                          None),
            CustomerProof("Fabrikam", None, "Audit preparation cut from three weeks to two days.",
                          None),
        ),
    )  # fmt: skip
    try:
        slides = enablement_slides(rep, pid)
    finally:
        rep.plays[pid] = play
    prs = _open(_build(slides))
    by_title: dict[str, list[Any]] = {}
    for slide in prs.slides:
        by_title.setdefault(slide.shapes.title.text, []).append(slide)
    decoder = by_title["Jargon decoder"][0]
    assert decoder.slide_layout.name == "Statement"
    assert [p.text for p in _paras(decoder)] == ["RTO: How long a restore may take."]
    number, quote = by_title["Proof"]
    assert number.slide_layout.name == "Proof"
    assert _paras(number, 1)[0].text == "40 minutes"
    assert _paras(number, 2)[0].text == "“Restore time cut from 3 days to 40 minutes.”"
    assert _paras(number, 3)[0].text == "Contoso, healthcare"
    assert quote.slide_layout.name == "Statement"  # no figure: the quote alone
    assert _paras(quote, 3)[0].text == "Fabrikam"


@pytest.mark.parametrize(
    ("result", "figure"),
    [
        ("Found 22 % stale; spend cut by 18 %.", "18 %"),
        ("Restore time cut from 3 days to 40 minutes.", "40 minutes"),
        ("Restored 1.2 million deleted files in four hours.", "1.2 million"),
        ("Fails over 300 VMs in under two hours.", "300 VMs"),
        ("Brought 62 SaaS apps under one policy in six weeks.", "62 SaaS apps"),
        ("Moved 2 TB in one night.", "2 TB"),
        ("Cut from three weeks to two days.", None),
    ],
)
def test_big_number_is_the_headline_figure(result: str, figure: str | None) -> None:
    assert big_number(result) == figure


@pytest.mark.parametrize(
    ("result", "language", "figure"),
    [
        # "auf" is German for "to": the figure it was cut from is no headline
        ("Wiederherstellung von 3 Tagen auf 40 Minuten verkürzt.", "de", None),
        ("Kosten um 18 % gesenkt.", "de", "18 %"),
        ("1,2 Millionen gelöschte Dateien wiederhergestellt.", "de", "1,2 Millionen"),
        ("復旧時間を3日から40分に短縮。", "ja", None),
        ("300台のVMを2時間未満でフェイルオーバー。", "ja", None),
        # the counter after the number, not the clause it begins (no spaces to stop at)
        ("14年分のテープカタログを取り込み", "ja", "14年"),
        ("復旧時間を40分に短縮。", "ja", "40分"),
        # a vowel mark ends no word: "14 عامًا", not "14 عام"
        ("استيراد كتالوجات 14 عامًا من الأشرطة", "ar", "14 عامًا"),
    ],
)
def test_big_number_in_another_language_never_guesses_between_figures(
    result: str, language: str, figure: str | None
) -> None:
    assert big_number(result, language) == figure


def test_the_path_marks_this_play_in_the_brand_accent(rep: Edition) -> None:
    pid, play = next((p, v) for p, v in rep.plays.items() if v.positions)
    step = play.positions[0].step.number
    prs = _open(
        build_deck(
            MASTER, enablement_slides(rep, pid), title="t", author="a", as_of=AS_OF,
            brand_color="#0B5FFF", accent_color=f"#{SAMPLE_ACCENT}",
        )
    )  # fmt: skip
    path = next(s for s in prs.slides if s.slide_layout.name == "Path")
    fills = {
        sh.name: sh._element.xpath("./p:spPr/a:solidFill/a:schemeClr/@val")[0]
        for sh in path.shapes
        if sh.name.startswith("Step ") and sh.name[5:].isdigit()
    }
    assert fills.pop(f"Step {step}") == "accent2"
    assert fills and set(fills.values()) == {"bg2"}
    arrows = [sh for sh in path.shapes if sh.name.endswith(" arrow")]
    assert arrows
    for arrow in arrows:  # solid brand colour, not a tint of it
        assert arrow._element.xpath("./p:spPr/a:solidFill/a:schemeClr/@val") == ["accent1"]
        assert not arrow._element.xpath("./p:spPr/a:solidFill//a:lumMod")
    with zipfile.ZipFile(io.BytesIO(_build(_every_layout(), accent_color="#123456"))) as z:
        assert '<a:accent2><a:srgbClr val="123456"/>' in z.read("ppt/theme/theme1.xml").decode()


def test_a_path_over_several_slides_keeps_one_style_on_each(tmp_path: Path) -> None:
    """A path of 20 steps, the 10th this play's: its slide showed the others pale beside the
    accent, and the "(cont.)" slides every step in full brand colour, as if all were marked.
    Whether a path has a current step is the path's, not one slide's."""
    steps = tuple(PathStep(f"Play {i}", f"Stage {i}", current=i == 10) for i in range(1, 21))
    prs = _open(_build([SlideSpec("Path", "Journey", steps=steps)]))
    fills: dict[str, str] = {}
    slides = [s for s in prs.slides if s.slide_layout.name == "Path"]
    assert len(slides) > 1
    for slide in slides:
        for sh in slide.shapes:
            if sh.name.startswith("Step ") and sh.name[5:].isdigit():
                fills[sh.name] = sh._element.xpath("./p:spPr/a:solidFill/a:schemeClr/@val")[0]
    assert len(fills) == 20
    assert fills.pop("Step 10") == "accent2"
    assert set(fills.values()) == {"bg2"}
    # a path with no current step (the playbook's) is drawn in brand colour throughout
    plain = tuple(PathStep(f"Play {i}", f"Stage {i}") for i in range(1, 21))
    prs = _open(_build([SlideSpec("Path", "Journey", steps=plain)]))
    colours = {
        sh._element.xpath("./p:spPr/a:solidFill/a:schemeClr/@val")[0]
        for slide in prs.slides
        for sh in slide.shapes
        if sh.name.startswith("Step ") and sh.name[5:].isdigit()
    }
    assert colours == {"accent1"}


def test_a_long_title_under_the_logo_is_shrunk_to_its_box() -> None:
    """The title slide's title is anchored at its foot: four lines of a long play name grew
    upward over the company logo. It is set smaller, so that its lines fit its box (by the
    estimate the bodies use), no smaller than 60 % of the master's size; a title that fits,
    and a long one on a slide with no logo above it, keep the master's size."""
    from salesplay.render.pptx_fit import GLYPH_EM, MIN_TITLE_SCALE, line_starts

    logo = Logo(_png(360, 80), (360, 80))
    long = (
        "Extraordinarily long play name for the enterprise hybrid multi-cloud immutable"
        " backup modernization and recovery readiness program"
    )
    specs = [SlideSpec("Title", long, subtitle="x"), SlideSpec("Title", "Backup refresh")]
    specs.append(SlideSpec("Content", long, body=parse("Body")))
    slides = list(_open(_build(specs, logo=logo)).slides)
    title = slides[0].shapes.title
    (run,) = title.text_frame.paragraphs[0].runs
    master = slides[0].slide_layout.slide_master
    full = int(master._element.xpath("./p:txStyles/p:titleStyle/a:lvl1pPr/a:defRPr/@sz")[0])
    size = run.font.size.pt
    assert MIN_TITLE_SCALE * full / 100 <= size < full / 100
    width, height = title.width / 12700 - 14.4, title.height / 12700 - 7.2
    lines = len(line_starts(long, int(width / (GLYPH_EM * size))))
    assert lines * 1.2 * size <= height
    assert slides[1].shapes.title.text_frame.paragraphs[0].runs[0].font.size is None
    # a content slide's title may grow into the room above its box, and is set smaller only
    # where that is not enough (test_a_long_title_on_a_content_slide_…)
    content = slides[2].shapes.title
    shrunk = content.text_frame.paragraphs[0].runs[0].font.size
    if shrunk is not None:
        room = content.top / 12700 + content.height / 12700 - 7.2 - 14.4
        wide = content.width / 12700 - 14.4
        count = len(line_starts(long, int(wide / (GLYPH_EM * shrunk.pt))))
        assert count * 1.2 * shrunk.pt <= room
    # no logo: the title may grow over the room above its box, where the logo would be
    alone = _open(_build(specs[:1])).slides[0].shapes.title
    grown = alone.text_frame.paragraphs[0].runs[0].font.size
    assert grown is None or grown.pt > size  # set larger than under the logo
    points = full / 100 if grown is None else grown.pt
    wide, room = alone.width / 12700 - 14.4, (alone.top + alone.height) / 12700 - 7.2 - 14.4
    assert len(line_starts(long, int(wide / (GLYPH_EM * points)))) * 1.2 * points <= room


def test_a_long_subtitle_is_shrunk_to_its_box_not_run_over_the_band() -> None:
    """An 826-character summary ran out of the title slide's subtitle box (the master's
    subtitle does not autofit), over the kit's "For the sellers of … — not for customers"
    band and off the slide. It is set smaller, its lines inside its box by the estimate the
    bodies use; a short one keeps the master's size."""
    from pptx.enum.shapes import PP_PLACEHOLDER

    from salesplay.render.pptx_fit import GLYPH_EM, MIN_SUBTITLE_SCALE, line_starts

    long = " ".join(["Replace tape with immutable, air-gapped, off-site copies."] * 14)
    specs = [SlideSpec("Title", "Backup refresh", subtitle=long)]
    specs.append(SlideSpec("Title", "Backup refresh", subtitle="Prove recovery."))
    slides = list(_open(_build(specs)).slides)
    (subtitle,) = [
        sh for sh in slides[0].placeholders if sh.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE
    ]
    sizes = {r.font.size.pt for p in subtitle.text_frame.paragraphs for r in p.runs if r.font.size}
    assert len(sizes) == 1
    (size,) = sizes
    layout = slides[0].slide_layout
    (layout_ph,) = [
        sh for sh in layout.placeholders if sh.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE
    ]
    width, height = layout_ph.width / 12700 - 14.4, layout_ph.height / 12700 - 7.2
    lines = len(line_starts(long, int(width / (GLYPH_EM * size))))
    assert lines * 1.2 * size <= height
    assert size >= 24 * MIN_SUBTITLE_SCALE - 0.1
    short = [
        sh for sh in slides[1].placeholders if sh.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE
    ]
    assert short[0].text_frame.paragraphs[0].runs[0].font.size is None


def test_logo_fills_the_placeholder_of_title_and_closing_without_distortion() -> None:
    logo = Logo(_png(360, 80), (360, 80))
    prs = _open(_build(_every_layout(), logo=logo))
    slides = list(prs.slides)
    for slide in slides:
        pictures = [sh for sh in slide.shapes if sh.name == LOGO_SHAPE]
        if slide.slide_layout.name not in ("Title", "Closing"):
            assert not pictures
            continue
        (pic,) = pictures
        assert pic.is_placeholder  # filled by placeholder: PowerPoint can swap it
        assert abs(pic.width / pic.height - 360 / 80) < 0.01
        assert (pic.crop_left, pic.crop_right, pic.crop_top, pic.crop_bottom) == (0, 0, 0, 0)
        holder = next(ph for ph in slide.slide_layout.placeholders if ph.name == "Logo")
        assert holder.left <= pic.left and pic.left + pic.width <= holder.left + holder.width
        assert holder.top <= pic.top and pic.top + pic.height <= holder.top + holder.height
    without = _open(_build(_every_layout()))
    for slide in without.slides:  # no logo: no empty picture placeholder left behind
        assert not [ph for ph in slide.placeholders if ph.placeholder_format.type == 18]


def test_the_master_says_how_long_a_logo_box_it_has(tmp_path: Path) -> None:
    """check_master answers the longest side, in inches, of the boxes the company logo is
    fitted into: the built-in master's is 2.6 inches wide; a taller box on one layout of a
    project master is what counts."""
    assert check_master(MASTER) == pytest.approx(2.6)
    prs = Presentation(str(MASTER))
    closing = next(layout for layout in prs.slide_layouts if layout.name == "Closing")
    holder = next(ph for ph in closing.placeholders if ph.placeholder_format.type == 18)
    holder.height = Inches(3.5)
    path = tmp_path / "tall-logo.pptx"
    prs.save(str(path))
    assert check_master(path) == pytest.approx(3.5)


def _master_without(tmp_path: Path, *names: str) -> Path:
    prs = Presentation(str(MASTER))
    for layout in list(prs.slide_layouts):
        if layout.name in names:
            prs.slide_layouts.remove(layout)
        elif layout.name in ("Title", "Closing"):
            for ph in list(layout.placeholders):
                if ph.placeholder_format.type == 18:  # a project master without a logo slot
                    ph._element.getparent().remove(ph._element)
    path = tmp_path / "project.pptx"
    prs.save(str(path))
    return path


def test_a_project_master_without_the_new_layouts_still_works(tmp_path: Path) -> None:
    master = _master_without(tmp_path, "Statement", "Proof")
    # the six layouts every master needs are still enough; its logo goes in the 2.6 × 0.9
    # inch box at the top right
    assert check_master(master) == pytest.approx(2.6)
    slides = [
        SlideSpec("Title", "Deck"),
        SlideSpec("Statement", "Why", body=parse("One sentence."), subtitle="A CISO"),
        SlideSpec("Proof", "Proof", body=parse("40 %"), body2=parse("Cost down 40 %."),
                  subtitle="Contoso"),
        SlideSpec("Closing", "Thanks"),
    ]  # fmt: skip
    logo = Logo(_png(200, 100), (200, 100))
    prs = build_deck(master, slides, title="t", author="a", as_of=AS_OF, logo=logo)
    opened = _open(prs)
    assert [s.slide_layout.name for s in opened.slides] == [
        "Title",
        "Content",
        "Content",
        "Closing",
    ]
    assert [p.text for p in _paras(opened.slides[2])] == ["40 %", "Cost down 40 %.", "Contoso"]
    pic = next(sh for sh in opened.slides[0].shapes if sh.name == LOGO_SHAPE)
    assert pic.left + pic.width <= opened.slide_width and pic.top < Inches(1.5)  # top right
    assert pic.left > opened.slide_width // 2


def test_short_text_is_set_larger_and_long_text_smaller_before_it_continues() -> None:
    short = _open(_build([SlideSpec("Content", "Short", body=parse("- one\n- two"))]))
    sizes = {r.font.size.pt for p in _paras(short.slides[0]) for r in p.runs}
    assert sizes and min(sizes) > 18
    md = "\n".join(f"- Point {i}: immutable copies stop attackers deleting." for i in range(14))
    long = _open(_build([SlideSpec("Content", "Long", body=parse(md))]))
    assert len(long.slides) == 1  # a little too long: smaller, not a "(cont.)" slide
    sizes = {r.font.size.pt for p in _paras(long.slides[0]) for r in p.runs}
    assert sizes and max(sizes) < 18


@pytest.mark.parametrize(
    ("locale", "second"),
    [("de", "Der Weg (Forts.)"), ("ja", "Der Weg（続き）"), ("en", "Der Weg (cont.)")],
)
def test_a_path_split_over_slides_says_continued_in_the_decks_language(
    rep: Edition, locale: str, second: str
) -> None:
    """A German kit's deck read "Der Weg (cont.)": the word was English in every language."""
    from salesplay.labels import labels_for
    from salesplay.render.decks import DeckLook, deck_bytes

    edition = dataclasses.replace(rep, labels=labels_for(locale))
    steps = tuple(PathStep(f"Play {i}", f"Stage {i}") for i in range(1, 10))
    data = deck_bytes(
        DeckLook.of(edition), [SlideSpec("Path", "Der Weg", steps=steps)], MASTER, "t"
    )
    assert [s.shapes.title.text for s in _open(data).slides] == ["Der Weg", second]


@pytest.mark.parametrize(
    ("labels", "slides"),
    [
        (
            (
                "Ransomware-Bereitschaftscheck",
                "Backup-Modernisierung",
                "Ransomware-Erkennung in Backups",
                "Wiederherstellung im Reinraum",
                "Nachgewiesene Wiederherstellung",
            ),
            [3, 2],  # "Bereitschaftscheck" needs a box of four to a slide, at 14 pt
        ),
        (
            (
                "ランサムウェア対策の準備状況チェック",
                "バックアップのモダナイゼーション",
                "バックアップ内のランサムウェア検知",
                "クリーンルームでの復旧",
                "四半期ごとの訓練で実証された復旧",
            ),
            [5],
        ),
    ],
    ids=["de", "ja"],
)
def test_a_german_or_japanese_path_breaks_where_powerpoint_does(
    labels: tuple[str, ...], slides: list[int]
) -> None:
    """A German compound counted as one unbreakable word, a Japanese label (no spaces) too:
    the decks split a five-step path over three slides, one box alone on one. PowerPoint
    breaks after a hyphen ("Ransomware-" / "Bereitschaftscheck"), Japanese anywhere."""
    steps = tuple(PathStep(label, "Stufe") for label in labels)
    prs = _open(_build([SlideSpec("Path", "Der Weg", steps=steps)]))
    boxes = [
        [sh.text_frame.text for sh in slide.shapes if re.fullmatch(r"Step \d+", sh.name)]
        for slide in prs.slides
    ]
    assert [len(b) for b in boxes] == slides
    assert [label for b in boxes for label in b] == list(labels)


def test_a_labelled_column_is_not_spread_but_a_plain_short_list_is() -> None:
    """Two landmines under their label were pulled 35 pt apart to fill the column while
    the labelled parts above stayed tight; a column that is one short list still fills."""
    labelled = (
        Para((Run("Landmines", bold=True),)),
        Para((Run("Ask how long a full restore takes."),), bullet=True),
        Para((Run("Ask who signs off a restore."),), bullet=True),
    )
    plain = tuple(Para((Run(t),), bullet=True) for t in ("One question.", "Another one."))

    def gaps(body: tuple[Para, ...]) -> list[int]:
        prs = _open(_build([SlideSpec("Content", "Against Acme", body=body)]))
        return [
            int(pts.get("val"))
            for pts in prs.slides[0]._element.iter(qn("a:spcPts"))
            if pts.getparent().tag == qn("a:spcBef")
        ]

    assert not any(gap > 600 for gap in gaps(labelled)), gaps(labelled)
    assert any(gap > 600 for gap in gaps(plain)), gaps(plain)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _first_piece(text: str) -> str:
    """What of `text` a line cannot break inside, as PowerPoint breaks: up to a space, up to
    and with a hyphen, or one CJK character."""
    if _wide(text[0]):
        return text[0]
    piece = re.match(r"[^ \-]*-?", text).group()  # type: ignore[union-attr]
    return next((piece[:i] for i, ch in enumerate(piece) if _wide(ch)), piece)


_piece = st.text(alphabet="abcdefghij", min_size=1, max_size=10) | st.text(
    alphabet="復旧訓練チェック", min_size=1, max_size=6
)
_label = st.lists(
    st.lists(_piece, min_size=1, max_size=5).map("-".join), min_size=1, max_size=4
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_label, st.integers(min_value=3, max_value=24))
def test_a_label_that_fits_wraps_where_powerpoint_breaks_it(label: str, cpl: int) -> None:
    """A step box's height counted the lines of its name wrapped inside a word
    ("Cloud-Disast" / "er-Recovery-" / "Test": three lines) where the row had taken the
    name to fit because PowerPoint breaks after a hyphen (it draws four): text ran out of
    its box. A name whose every unbroken stretch fits a line wraps only where PowerPoint
    breaks (at a space, after a hyphen, around a CJK character), each line as full as
    the next line's first piece allows."""
    if longest_unbroken(label) > cpl:
        return  # a piece is cut between characters: the row does not take such a name
    starts = line_starts(label, cpl)
    ends = [*starts[1:], len(label)]
    lines = [label[a:b] for a, b in zip(starts, ends, strict=True)]
    for start in starts[1:]:
        before, after = label[start - 1], label[start]
        assert before in " -" or _wide(before) or _wide(after), (label, lines)
    width = [sum(2 if _wide(ch) else 1 for ch in line.rstrip(" ")) for line in lines]
    assert max(width) <= cpl, (label, lines)
    for line, wide, following in zip(lines, width, lines[1:], strict=False):
        gap = 1 if line.endswith(" ") else 0
        more = sum(2 if _wide(ch) else 1 for ch in _first_piece(following))
        assert wide + gap + more > cpl, (label, lines)  # it would have fit on the line


def test_a_hyphenated_step_name_gets_a_box_for_the_lines_powerpoint_draws() -> None:
    """Five steps at 16 pt: "Cloud-Disaster-Recovery-Test" fit (no piece is cut), but its
    box was made for three lines; PowerPoint draws four, as it does with a space after
    each hyphen (a line breaks at either): its box is as tall as that name's."""
    names = ("Backup-Prüfung", "Daten-Analyse", "Wiederanlauf", "Nachweis")

    def box(label: str) -> Any:
        steps = tuple(PathStep(name, "Stufe") for name in (label, *names))
        prs = _open(_build([SlideSpec("Path", "Der Weg", steps=steps)], language="de"))
        found = [sh for s in prs.slides for sh in s.shapes if re.fullmatch(r"Step \d+", sh.name)]
        assert len(prs.slides) == 1 and len(found) == 5
        return found[0]

    joined, spaced = box("Cloud-Disaster-Recovery-Test"), box("Cloud- Disaster- Recovery- Test")
    sizes = {
        r.font.size for sh in (joined, spaced) for p in sh.text_frame.paragraphs for r in p.runs
    }
    assert len(sizes) == 1
    assert joined.height == spaced.height > Inches(1.2)


def test_an_arabic_path_runs_from_the_right_with_its_arrows_pointing_left() -> None:
    """An Arabic path was drawn left to right: step 1 on the left, chevrons pointing right.
    Right to left, step 1 is at the right, every arrow between its step and the next points
    left, and the slide a path continues on goes on from the right; an English row is not
    flipped."""
    steps = tuple(PathStep(f"خطوة {i}", f"مرحلة {i}") for i in range(1, 10))

    def drawn(language: str) -> list[dict[str, Any]]:
        prs = _open(_build([SlideSpec("Path", "المسار", steps=steps)], language=language))
        return [{sh.name: sh for sh in slide.shapes} for slide in prs.slides]

    rtl, ltr = drawn("ar"), drawn("en")
    assert [len([n for n in s if n.endswith("arrow")]) for s in rtl] == [4, 3]
    for slide, numbers in zip(rtl, ((1, 2, 3, 4, 5), (6, 7, 8, 9)), strict=True):
        boxes = [slide[f"Step {n}"] for n in numbers]
        assert [b.left for b in boxes] == sorted((b.left for b in boxes), reverse=True)
        for box, after in itertools.pairwise(boxes):
            arrow = slide[f"{box.name} arrow"]
            assert after.left + after.width <= arrow.left < arrow.left + arrow.width <= box.left
            assert arrow._element.spPr.xfrm.get("flipH") == "1"  # the chevron points left
        for n in numbers:  # the number above its box, the stage under it
            box = slide[f"Step {n}"]
            assert slide[f"Step {n} caption"].left == box.left
            badge = slide[f"Step {n} number"]
            assert badge.left + badge.width // 2 == pytest.approx(box.left + box.width // 2, abs=1)
    # the same row as the English one, mirrored on the slide
    width = _open(_build([])).slide_width
    for rtl_slide, ltr_slide in zip(rtl, ltr, strict=True):
        for name, shape in ltr_slide.items():
            if name.startswith("Step ") and not name.endswith("arrow"):
                mirrored = width - shape.left - shape.width
                assert rtl_slide[name].left == pytest.approx(mirrored, abs=2), name
        assert not any(
            sh._element.spPr.xfrm.get("flipH") for n, sh in ltr_slide.items() if "arrow" in n
        )


def test_a_path_step_s_markdown_is_plain_on_the_deck_s_path_slide(tmp_path: Path) -> None:
    """A step's stage and milestone are Markdown: the card set them plain, the decks'
    path slides showed "Backups on **tape**; see [the survey](https://…)"."""
    from conftest import base_text, make_catalog
    from salesplay.context import Context
    from salesplay.edition import make_edition
    from salesplay.pipeline import check_catalog
    from salesplay.render.decks import enablement_slides, pitch_slides

    path = "paths/resilience-journey.yaml"
    text = (
        base_text(path)
        .replace(
            "stage: Backups on tape, restores untested",
            "stage: Backups on **tape**; see [the survey](https://example.com/s)",
        )
        .replace(
            "milestone: All critical workloads immutable and off-site",
            "milestone: All workloads *immutable* and **off-site**",
        )
    )
    dest = "destinations/cyber-resilience.yaml"
    root = make_catalog(tmp_path, {path: text, dest: base_text(dest) + "audience: public\n"})
    ctx = Context(catalog=root, as_of=AS_OF)
    cat = check_catalog(ctx)
    assert cat is not None and not ctx.reporter.errors
    rep, public = make_edition(cat, "rep"), make_edition(cat, "public")
    steps = [
        step
        for slide in [
            *enablement_slides(rep, "backup-modernization"),
            *pitch_slides(public, "cyber-resilience"),
        ]
        for step in slide.steps
    ]
    words = {step.label for step in steps} | {step.caption for step in steps}
    assert "Backups on tape; see the survey" in words
    assert not [w for w in words if "**" in w or "](" in w or "*" in w], words


def test_a_title_or_author_past_255_characters_is_cut_in_the_properties_only() -> None:
    """python-pptx refuses a document property over 255 characters: a 250-character play
    name, with " — enablement", stopped the build with no place to fix it."""
    name = ("Backup refresh for regulated hospitals and clinics " * 6).strip()
    data = build_deck(
        MASTER, [SlideSpec("Title", name)], title=f"{name} — enablement", author=name, as_of=AS_OF
    )
    prs = Presentation(io.BytesIO(data))
    props = prs.core_properties
    assert 250 < len(props.title) <= 255 and 250 < len(props.author) <= 255
    assert props.title.endswith("…") and name.startswith(props.title[:-1].rstrip())
    shown = "".join(s.text_frame.text for s in prs.slides[0].shapes if s.has_text_frame)
    assert name in shown  # the slide keeps the name whole


def test_a_long_title_on_a_content_slide_is_shrunk_to_the_room_above_its_box() -> None:
    """Titles other than the title and closing slides' kept the master's size: a path named
    in 164 characters ("Where it fits: …") grew past the slide's top edge."""
    from salesplay.render.pptx_fit import GLYPH_EM, TOP_MARGIN, line_starts

    long = "Where it fits: " + "from nightly tape backups nobody tested to proven recovery " * 3
    slides = [SlideSpec("Content", long.strip(), body=parse("- one"))]
    data = build_deck(
        MASTER,
        [*slides, SlideSpec("Content", "Next steps")],
        title="t",
        author="a",
        as_of=AS_OF,
    )
    prs = Presentation(io.BytesIO(data))
    sizes = []
    for slide in prs.slides:
        title = slide.shapes.title
        runs = [r for p in title.text_frame.paragraphs for r in p.runs]
        sizes.append({r.font.size.pt if r.font.size else None for r in runs})
        if runs[0].font.size is None:
            continue
        points = runs[0].font.size.pt
        width = title.width / 12700 - 14.4
        lines = len(line_starts(title.text_frame.text, max(1, int(width / (GLYPH_EM * points)))))
        room = title.top / 12700 - TOP_MARGIN + title.height / 12700 - 7.2
        assert lines * 1.2 * points <= room, (lines, points, room)
    assert sizes[1] == {None} and None not in sizes[0]  # a short title keeps the master's


# --- what continues on a "(cont.)" slide -------------------------------------------------

_MSP_WIN = (
    "Deeply embedded in existing runbooks, change processes and the muscle memory of the"
    " operations team.",
    "Bundled into a wider outsourcing or licensing agreement, so the incremental price looks"
    " like zero.",
    "Long track record with auditors who have seen its reports many times before.",
    "Broad support matrix covering legacy operating systems, mainframe exports and tape formats.",
)
_MSP_WEAK = (
    "Immutability, off-site copies and malware scanning are each a separately licensed option.",
    "Every site runs its own management server, so policies drift and nobody sees the whole"
    " estate.",
    "Recovery testing is manual and rarely done, so restore times are unknown until the day"
    " they matter.",
    "Roadmap investment has slowed; cloud workloads need a second product with a second console.",
)
_MSP_TALK = (
    "A managed service moves the work, not the risk: ask what the contract says about restore"
    " time after ransomware, and whether the provider's own admin accounts could delete the"
    " backups. Offer Northwind as the platform the provider runs for them — many regional"
    " providers are Northwind partners — so the customer keeps the service and gains"
    " immutable, tested backups."
)
_ACME_TALK = (
    "Acme is solid on-premises, and many of its customers have run it for a decade, so do not"
    " attack the product or the team that runs it. Ask what happens when the backup server"
    " itself is encrypted, and what the immutability add-on costs per terabyte per year. Then"
    " ask how the off-site copy gets off-site; most Acme sites still rotate tapes or pay for a"
    " second data centre. Walk through the three-year total including the add-ons and the"
    " renewal discount that expires, and compare it with one Northwind subscription that"
    " includes immutability, the air-gapped copy and quarterly restore tests. Finish by"
    " offering the free restore-readiness workshop, which shows the customer's own restore"
    " time against ours."
)


def _bullets(*items: str) -> tuple[Para, ...]:
    return tuple(Para((Run(item),), bullet=True) for item in items)


def _columns(slide: Any) -> list[list[Any]]:
    """The paragraphs of each body column of ``slide`` that is on it."""
    return [
        list(ph.text_frame.paragraphs)
        for ph in slide.placeholders
        if ph.placeholder_format.idx in (1, 2)
    ]


def _column_texts(prs: Any, idx: int) -> list[str]:
    """The paragraphs of body ``idx`` on every slide of ``prs``, in order."""
    return [
        p.text
        for slide in prs.slides
        for ph in slide.placeholders
        if ph.placeholder_format.idx == idx
        for p in ph.text_frame.paragraphs
    ]


def _bold(p: Any) -> bool:
    return bool(p.runs) and all(r.font.bold for r in p.runs if r.text.strip())


def test_a_label_goes_to_the_next_slide_with_its_first_item() -> None:
    """The labels "Landmines" and "Where they are weak" ended a competitor slide alone, their
    items on the "(cont.)" slide (README: a column of labelled parts keeps its items
    together)."""
    left = (
        *_labelled("Quick dismiss", "It protects what you had five years ago; ask what it"
                   " costs to protect what you run today, in the cloud and at the edge, with"
                   " immutability on.", bullet=False),
        Para((Run(_MSP_TALK),)),
        _heading("Landmines"),
        *_bullets("Ask what the contract guarantees for restore time, in hours, and what the"
                  " penalty is if it is missed."),
    )  # fmt: skip
    right = (_heading("Where they win"), *_bullets(*_MSP_WIN),
             _heading("Where they are weak"), *_bullets(*_MSP_WEAK))  # fmt: skip
    prs = _open(_build([SlideSpec("Two Content", "Against MSP", body=left, body2=right)]))
    assert len(prs.slides) == 2
    for slide in prs.slides:
        for column in _columns(slide):
            assert not _bold(column[-1]), [p.text for p in column]
            for p, after in itertools.pairwise(column):
                if _bold(p):
                    assert _has_bullet(after) and not _bold(after), (p.text, after.text)
    for idx, column in ((1, left), (2, right)):
        assert _words(_column_texts(prs, idx)) == _words([p.text for p in column])


def test_an_item_that_fits_a_slide_moves_whole_and_prose_breaks_at_a_sentence() -> None:
    """An item ended a slide at "No automated recovery drills or", "evidence reports." began the
    next with no bullet; the talk track beside it broke off at "compare it with one
    Northwind". An objection's answer left only its last two lines on the "(cont.)"
    slide."""
    weak = (
        "Immutability is a paid add-on tier, so many customers run without it.",
        "A separate console per site and per cloud; policies drift apart.",
        "The off-site copy needs tapes or a second data centre.",
        "No automated recovery drills or evidence reports.",
    )
    left = (
        *_labelled("Quick dismiss", "Acme backs up what you had in 2015; ask what"
                   " immutability and the off-site copy cost on top.", bullet=False),
        Para((Run(_ACME_TALK),)),
        _heading("Landmines"),
        *_bullets("Ask Acme what immutability costs per TB, and whether it is on for every job"
                  " today.", "Ask how the off-site copy gets off-site without tapes.",
                  "Ask for the last restore test report and how long the full restore took."),
    )  # fmt: skip
    right = (
        _heading("Where they win"),
        *_bullets("Large installed base; backup admins know it well.",
                  "Broad support for older applications and tape libraries.",
                  "Deep discounts at renewal."),
        _heading("Where they are weak"), *_bullets(*weak),
    )  # fmt: skip
    answers = [
        "So did the last three hospitals hit in our region — ask how long their restore took."
        " Having copies is not the same as being able to recover, and the difference shows on"
        " the worst day of the year, in front of the board and the regulator.",
        "Northwind imports your old backup and tape catalogs, so 10-year-old data stays"
        " restorable after you switch, and the old media can be retired on your schedule.",
        "Ask what it costs and whether it is switched on for every job today. With Northwind it"
        " is on for every backup, at no extra cost, and nobody can switch it off by mistake.",
    ]
    objections = tuple(
        p
        for i in range(3)
        for answer in answers
        for p in (
            *_labelled("They say", f"Objection {i}: we already have backups."),
            *_labelled("You answer", answer),
        )
    )
    prs = _open(_build([
        SlideSpec("Two Content", "Against Acme", body=left, body2=right),
        SlideSpec("Content", "Objections", body=objections),
    ]))  # fmt: skip
    items = [p.text for p in (*left, *right, *objections) if p.bullet]
    shown = [p for s in prs.slides for column in _columns(s) for p in column]
    for p in shown:
        # every piece on a slide is a whole item with its bullet, or a paragraph of prose
        assert p.text in items or not _has_bullet(p), p.text
        assert not _has_bullet(p) or p.text in items, p.text
    assert {p.text for p in shown if _has_bullet(p)} == set(items)
    against = [s for s in prs.slides if s.shapes.title.text.startswith("Against Acme")]
    assert len(against) == 2
    # the talk track goes on at a sentence's start
    head = _columns(against[0])[0][-1].text
    tail = _columns(against[1])[0][0].text
    assert head.endswith("."), head
    assert tail[0].isupper() and f"{head} {tail}" in _ACME_TALK, tail
    for idx, column in ((1, (*left, *objections)), (2, right)):
        assert _words(_column_texts(prs, idx)) == _words([p.text for p in column])


_RESULT = (
    "Imported 14 years of tape catalogs in three weeks and retired its tape library, saving"
    " €1,250,000 over five years in hardware, courier and off-site storage contracts while"
    " keeping every old backup restorable."
)
_CUSTOMER = "Klinikum Lindenstraße, healthcare"


def _quote(text: str) -> tuple[Para, ...]:
    return (Para((Run(f"“{text}”"),)),)


def _sizes(slide: Any, idx: int) -> set[float | None]:
    return {r.font.size.pt if r.font.size else None for p in _paras(slide, idx) for r in p.runs}


def test_a_long_customer_quote_is_shrunk_to_stay_on_its_proof_slide() -> None:
    """A result of 210 characters went on to a "Proof (cont.)" slide that showed an empty
    figure panel and the quote's last words, without the customer; a short one keeps the
    master's size (no size of its own: the deck is as it was)."""
    figure = (Para((Run("14 years"),)),)
    short = SlideSpec("Proof", "Proof", _CUSTOMER, figure, _quote("Restore time cut to 40 min."))
    long = dataclasses.replace(short, body2=_quote(_RESULT))
    statement = SlideSpec("Statement", "Proof", _CUSTOMER, _quote(_RESULT + " " + _RESULT))
    prs = _open(_build([short, long, statement]))
    assert [s.shapes.title.text for s in prs.slides] == ["Proof"] * 3
    first, second, third = prs.slides
    assert _sizes(first, 2) == {None}
    assert [p.text for p in _paras(second, 2)] == [f"“{_RESULT}”"]
    assert _sizes(second, 1) == {None}  # the figure keeps its size
    (size,) = _sizes(second, 2)
    assert size is not None and 14 <= size < 28
    assert [p.text for p in _paras(third, 1)] == [f"“{_RESULT} {_RESULT}”"]
    (size,) = _sizes(third, 1)
    assert size is not None and 18 <= size < 36
    for slide in (first, second, third):
        assert _paras(slide, 3)[0].text == _CUSTOMER


def test_a_quote_too_long_even_shrunk_ends_with_its_customer_and_no_empty_panel() -> None:
    """What of a quote does not fit its Proof slide even at half size goes on to a Statement
    slide (no figure panel) with the customer; the figure's slide keeps the quote's start."""
    text = " ".join([_RESULT] * 5)
    figure = (Para((Run("14 years"),)),)
    proof = SlideSpec("Proof", "Proof", _CUSTOMER, figure, _quote(text), notes="Say it.")
    statement = SlideSpec("Statement", "Proof", _CUSTOMER, _quote(" ".join([_RESULT] * 9)))
    overflows: list[Overflow] = []
    prs = _open(_build([proof, statement], overflows=overflows))
    slides = list(prs.slides)
    layouts = [s.slide_layout.name for s in slides]
    titles = [s.shapes.title.text for s in slides]
    assert layouts[:2] == ["Proof", "Statement"] and set(layouts[2:]) == {"Statement"}
    assert titles[:2] == ["Proof", "Proof (cont.)"] and len(layouts) >= 4
    assert titles[2] == "Proof" and set(titles[3:]) == {"Proof (cont.)"}
    head, tail = slides[0], slides[1]
    assert _paras(head, 1)[0].text == "14 years"
    assert 3 not in {ph.placeholder_format.idx for ph in head.placeholders}
    assert _paras(tail, 3)[0].text == _CUSTOMER
    assert _words([_paras(head, 2)[0].text, _paras(tail, 1)[0].text]) == _words([f"“{text}”"])
    assert head.has_notes_slide and not tail.has_notes_slide
    # the quote's end is set no larger than its start (it grew from 14 pt to 22 pt)
    ((started,), (ended,)) = _sizes(head, 2), _sizes(tail, 1)
    assert started is not None and ended is not None and ended <= started, (started, ended)
    # a statement over slides of its own says who said it on its last
    said = [3 in {ph.placeholder_format.idx for ph in s.placeholders} for s in slides[2:]]
    assert said == [False] * (len(said) - 1) + [True]
    # each is a quote to shorten (a deck-fit warning), said at its first slide
    assert [(o.slide, o.part) for o in overflows] == [(1, "quote"), (3, "quote")]
    assert overflows[0].text == f"“{text}”"
    (said,) = FitCheck("pitch deck", Location(Path("p.yaml"), 1, 0)).judge(
        ("play", "x"), overflows[:1]
    )
    assert said.message.startswith("pitch deck 'x': the quote of slide 1 (1,046 characters")
    assert said.message.endswith(
        "goes on to the next slide even at the least size it is shrunk to: shorten it"
    )
    # one that fits its slide shrunk is none
    fits = dataclasses.replace(proof, body2=_quote(_RESULT))
    _build([fits], overflows=overflows)
    assert len(overflows) == 2


def test_an_objection_never_ends_a_slide_without_its_answer(rep: Edition) -> None:
    """ "They say: …" ended an Objections slide and its "You answer: …" began the "(cont.)"
    one: the rep read an objection with no answer under it. An objection goes on with its
    answer; so tried with objections of many lengths, whichever meets a slide's foot."""
    pid = next(iter(rep.plays))
    play = rep.plays[pid]
    answer = (
        "Ask how long the last restore took, and who signed off the test. Having copies is not"
        " the same as recovering them in time."
    )
    for n in range(6, 13):
        objections = tuple(
            Objection(f"Objection {i}: " + "we already have backups. " * (1 + i % 3), answer)
            for i in range(n)
        )
        rep.plays[pid] = dataclasses.replace(play, objections=objections)
        try:
            slides = enablement_slides(rep, pid)
        finally:
            rep.plays[pid] = play
        prs = _open(_build(slides))
        pages = [s for s in prs.slides if s.shapes.title.text.startswith("Objections")]
        assert len(pages) >= 2, n  # the objections run over slides
        for slide in pages:
            texts = [p.text for p in _paras(slide, 1) if p.text]
            assert not texts[-1].startswith("They say"), (n, texts[-2:])
        shown = [p.text for s in pages for p in _paras(s, 1) if p.text.startswith("They say")]
        assert len(shown) == n


def test_a_deck_units_make_pickles_and_makes_the_deck_its_edition_makes(rep: Edition) -> None:
    """A deck's make is data (families.decks.DeckMake): it travels to a standby, and what
    it carries of the edition (DeckLook) makes the bytes the edition makes."""
    import pickle

    from salesplay.engine.early import portable
    from salesplay.engine.units import Workshop
    from salesplay.families import decks as deck_family
    from salesplay.render.decks import DeckLook, deck_bytes
    from salesplay.render.slides import Logo

    pid = next(iter(rep.plays))
    slides = enablement_slides(rep, pid)
    logo = Logo(_png(40, 20), (40, 20))
    fit = FitCheck("enablement deck", Location(Path("plays/plays/x.yaml"), 1, 1), "de")
    rel = f"decks/{pid}-enablement.pptx"
    unit = deck_family.unit("decks", rel, rep, slides, MASTER, "m", "T", ("play", pid), logo, fit)
    payload = portable(unit)
    assert payload is not None  # a closure would not pickle: only the build could make it
    travelled = pickle.loads(payload)
    assert travelled.make == unit.make
    data, warnings = travelled.make(Workshop())
    assert data == deck_bytes(DeckLook.of(rep), slides, MASTER, "T", logo)
    assert warnings == unit.make(Workshop())[1]


def test_a_decks_key_changes_with_each_thing_it_reads_of_its_edition(rep: Edition) -> None:
    """The key is made of what the make reads (DeckLook): a new date, colour, language or
    "(cont.)" title makes the deck again, an equal look does not."""
    from salesplay.families.decks import deck_key
    from salesplay.render.decks import DeckLook

    slides = enablement_slides(rep, next(iter(rep.plays)))
    look = DeckLook.of(rep)
    key = deck_key(look, slides, "m", "T")
    assert deck_key(DeckLook.of(rep), slides, "m", "T") == key
    changed = {
        "author": "Other Co",
        "as_of": look.as_of + dt.timedelta(days=1),
        "brand_color": "#000000",
        "accent_color": "#FFFFFF",
        "language": "de",
        "continued": "%(title)s (Forts.)",
    }
    assert set(changed) == {f.name for f in dataclasses.fields(DeckLook)}
    for field, value in changed.items():
        assert deck_key(dataclasses.replace(look, **{field: value}), slides, "m", "T") != key

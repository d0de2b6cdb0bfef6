"""A catalog's own labels in a card's fact lists stay in their column in the PDF."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from conftest import Word, pdf_words
from salesplay.context import Context
from salesplay.edition import make_edition
from salesplay.pipeline import check_catalog
from salesplay.render import html
from salesplay.render.pdf import render_pdf
from salesplay.render.templates import THEME_DIR, make_env, template_dirs
from salesplay.scaffold import create_project

AS_OF = dt.date(2026, 11, 23)


def _rep_card(catalog: Path, tmp_path: Path) -> list[list[Word]]:
    """The words on each page of the rep card of the starter play, rendered for print."""
    cat = check_catalog(Context(catalog=catalog, as_of=AS_OF))
    assert cat is not None
    dirs = template_dirs(None)
    links = html.Links.for_pdf(catalog, dirs)
    page = html.battlecard(
        make_env(None), make_edition(cat, "rep"), "backup-refresh", links, medium="print"
    )
    pdf, refused = render_pdf(
        page,
        base_url=(THEME_DIR / "index.html").as_uri(),
        roots=(catalog / "assets", *dirs),
        as_of=AS_OF,
        title="card",
    )
    assert refused == []
    out = tmp_path / "card.pdf"
    out.write_bytes(pdf)
    return pdf_words(out)


def test_long_program_labels_break_inside_their_column(tmp_path: Path) -> None:
    """The starter project's play has "Deal registration" and "Certification needed" as its
    partner program's labels: set in capitals, each is wider than the label column, and was
    drawn over the text beside it. Every word of the labels ends before the text begins."""
    create_project(tmp_path / "p", today=AS_OF)
    words = _rep_card(tmp_path / "p/plays", tmp_path)[0]
    # the text of the two long facts, and where it starts
    register = next(w for w in words if w[4] == "Register")
    associate = next(w for w in words if w[4] == "Associate")
    text_x = register[0]
    top, bottom = register[1] - 2, associate[3] + 30
    labels = [w for w in words if w[0] < text_x - 1 and top <= w[1] <= bottom]
    joined = "".join(w[4] for w in labels).replace("\u2010", "").replace("-", "")
    assert "REGISTRATION" in joined and "CERTIFICATION" in joined, joined
    assert all(w[2] <= text_x for w in labels), [w for w in labels if w[2] > text_x]


def test_a_fact_never_splits_across_a_page_break(tmp_path: Path) -> None:
    """A long label is set on more lines than its text: a row at the foot of a page left
    "CERTIFICA-" there and "TION NEEDED" at the top of the next, away from its text. Rows
    at every height of a page (spacers of growing height between them): each row's label and
    text end on one page."""
    sheets = "".join(
        f'<link rel="stylesheet" href="{(THEME_DIR / name).as_uri()}">'
        for name in ("fonts.css", "style.css", "print.css")
    )
    rows = "".join(
        f'<div style="height: {12 + 7 * i}pt"></div><dl class="facts"><div>'
        f"<dt>Certification needed r{i}</dt><dd>Backup Associate row{i}</dd></div></dl>"
        for i in range(60)
    )
    pdf, refused = render_pdf(
        f'<!DOCTYPE html><html lang="en"><head>{sheets}</head>'
        f'<body class="page">{rows}</body></html>',
        base_url=(THEME_DIR / "index.html").as_uri(),
        roots=template_dirs(None),
        as_of=AS_OF,
        title="facts",
    )
    assert refused == []
    out = tmp_path / "facts.pdf"
    out.write_bytes(pdf)
    pages = pdf_words(out)
    assert len(pages) > 3  # rows met several page breaks
    for i in range(60):
        on = {n for n, words in enumerate(pages) for w in words if w[4] in (f"R{i}", f"row{i}")}
        assert len(on) == 1, (i, on)


def test_a_word_longer_than_its_line_breaks_inside_its_box(tmp_path: Path) -> None:
    """A token with no break in it (a 120-character part number) ran off the page in next
    steps and over the neighbouring box in the two-column competitor section: it now breaks
    where its box ends, and every piece of it stays on the page and in its column."""
    create_project(tmp_path / "p", today=AS_OF)
    catalog = tmp_path / "p/plays"
    token, other = "NwBkpEnterpriseImmutable" * 5, "QzSkuOffsiteCopies" * 7
    play = catalog / "plays" / "backup-refresh.yaml"
    text = play.read_text()
    steps = "next_steps: [Book a 30-minute restore-readiness workshop]"
    talk = 'talk_track: "Price one day of downtime against the project."'
    assert steps in text and talk in text
    text = text.replace(steps, f'next_steps: ["Order {token}"]')
    play.write_text(text.replace(talk, f'talk_track: "Quote {other} against the project."'))
    words = [w for page_words in _rep_card(catalog, tmp_path) for w in page_words]
    steps_pieces = [w for w in words if "NwBkp" in w[4] or "Immutable" in w[4]]
    talk_pieces = [w for w in words if "QzSku" in w[4] or "Copies" in w[4]]
    assert "".join(w[4] for w in steps_pieces) == token and len(steps_pieces) >= 2
    assert "".join(w[4] for w in talk_pieces) == other and len(talk_pieces) >= 3
    a4_width = 595.28
    assert all(w[2] <= a4_width - 30 for w in steps_pieces), max(w[2] for w in steps_pieces)
    # the talk track's box is one of two columns: each piece stays on one side of the middle
    middle = a4_width / 2
    assert all(w[0] >= middle for w in talk_pieces) or all(w[2] <= middle for w in talk_pieces)


def test_a_name_of_one_word_longer_than_the_page_breaks_at_its_edge(tmp_path: Path) -> None:
    """A play named by one 85-letter compound ran off the page in the card's title, and its
    running header past the left margin: each breaks at the edge of its box instead."""
    create_project(tmp_path / "p", today=AS_OF)
    play = tmp_path / "p/plays/plays/backup-refresh.yaml"
    long = "Backupmodernisierungsgesamtstrategieprogrammverantwortlichkeitsdokumentationsleitfaden"
    text = play.read_text("utf-8")
    play.write_text(re.sub(r"(?m)^name: .*$", f"name: {long}", text, count=1), "utf-8")
    words = _rep_card(tmp_path / "p/plays", tmp_path)[0]
    # A4 with 13 mm side margins: no word's box leaves them
    left, right = 13 / 25.4 * 72, (210 - 13) / 25.4 * 72
    pieces = [w for w in words if len(w[4]) > 10 and w[4] in long]
    # the running header holds it, and the title sets it in two lines
    assert len(pieces) == 3 and "".join(w[4] for w in pieces) == long * 2, pieces
    assert all(left - 0.5 <= w[0] and w[2] <= right + 0.5 for w in words), [
        w for w in words if w[0] < left - 0.5 or w[2] > right + 0.5
    ]


def test_a_right_to_left_question_on_an_english_card_ends_at_its_left(tmp_path: Path) -> None:
    """A Hebrew discovery question on an English card was laid out left to right: its "?"
    was drawn at the right, after its last word. A text mostly right to left is set apart
    right to left on a left-to-right page, as a Latin one is on a right-to-left page."""
    create_project(tmp_path / "p", today=AS_OF)
    play = tmp_path / "p/plays/plays/backup-refresh.yaml"
    hebrew = "מתי שחזרתם לאחרונה מערכת מלאה?"
    text = play.read_text("utf-8")
    play.write_text(text.replace("discovery:\n", f"discovery:\n  - {hebrew}\n", 1), "utf-8")
    words = _rep_card(tmp_path / "p/plays", tmp_path)[0]
    line = [w for w in words if any("\u0590" <= ch <= "\u05ff" for ch in w[4])]
    assert len(line) == 5, line
    leftmost = min(line, key=lambda w: w[0])
    assert leftmost[4].startswith("?"), line  # the question mark ends it, at its left
    assert all(not w[4].endswith("?") for w in line), line

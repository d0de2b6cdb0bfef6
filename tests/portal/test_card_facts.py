"""A web card's facts (label, text) in a real browser (Debian's chromium), on desk and phone."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from conftest import base_text, make_catalog
from salesplay.context import Context
from salesplay.edition import make_edition
from salesplay.pipeline import check_catalog
from salesplay.render import html
from salesplay.render.templates import THEME_DIR, make_env

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
BM = "plays/backup-modernization.yaml"
PROGRAM = (
    "partner: {role: Partner runs the proof of concept, min_tier: silver,"
    " deal_registration: Register in the partner portal before the first meeting.,"
    " certification: Northwind Certified Backup Engineer}"
)

#: each word of each label: the client rectangles of its text (two: broken inside the word)
WORDS = """() => [...document.querySelectorAll('.facts dt')].flatMap(dt => {
  const text = dt.firstChild, found = [];
  for (const m of text.data.matchAll(/\\S+/g)) {
    const r = document.createRange();
    r.setStart(text, m.index); r.setEnd(text, m.index + m[0].length);
    const dd = dt.nextElementSibling.getBoundingClientRect(), rects = r.getClientRects();
    found.push({word: m[0], lines: rects.length, right: rects[rects.length - 1].right,
                ddLeft: dd.left, ddTop: dd.top, dtTop: dt.getBoundingClientRect().top});
  }
  return found;
})"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason="`make test` installs Debian's chromium")
def test_a_facts_label_breaks_between_words_never_inside_one(tmp_path: Path) -> None:
    """ "Deal registration" and "Certification needed" broke inside the word on a web card
    ("REGISTRATI / ON"): the print card's 7em label column, and a browser with no
    hyphenation dictionary. On a desk each word of a label is on one line, beside its text;
    on a phone each label stands above its text."""
    text = base_text(BM)
    old = "partner: {role: Partner runs the proof of concept, min_tier: silver}"
    assert text.count(old) == 1
    catalog = make_catalog(tmp_path, {BM: text.replace(old, PROGRAM)})
    cat = check_catalog(Context(catalog=catalog, as_of=dt.date(2026, 11, 23)))
    assert cat is not None
    root = tmp_path / "site"
    (root / "battlecards").mkdir(parents=True)
    shutil.copytree(THEME_DIR / "fonts", root / "assets" / "fonts")
    for css in ("fonts.css", "style.css", "web.css"):
        shutil.copy(THEME_DIR / css, root / "assets" / css)
    page = html.battlecard(
        make_env(None),
        make_edition(cat, "rep"),
        "backup-modernization",
        html.Links.for_site(1),
        medium="web",
    )
    card = root / "battlecards" / "backup-modernization.html"
    card.write_text(page, encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            for width in (1280, 390):
                tab = browser.new_page(viewport={"width": width, "height": 900})
                tab.goto(card.as_uri())
                words = tab.evaluate(WORDS)
                assert {"REGISTRATION", "CERTIFICATION"} <= {w["word"].upper() for w in words}, (
                    words
                )
                for w in words:
                    assert w["lines"] == 1, (width, w)  # never broken inside the word
                    if width == 1280:  # beside its text, never over it
                        assert w["right"] <= w["ddLeft"] and w["ddTop"] == w["dtTop"], w
                    else:  # above its text
                        assert w["ddTop"] > w["dtTop"], w
                tab.close()
        finally:
            browser.close()

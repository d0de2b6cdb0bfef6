"""Every script renders: CJK, Arabic, Hebrew, Devanagari, Thai and Cyrillic in PDFs, decks and
partner bands, from the Noto fonts `make` installs; right-to-left pages mirror.

How a .notdef box is ruled out: the test reads the PDF itself. Every glyph shown on a page is
looked up in its font's ToUnicode map; each letter of a sample must be drawn by a glyph of the
Noto font of its script (the font that has it), and no glyph may be CID/GID 0 (.notdef). That
is exact where a picture is not: a notdef box and a real glyph are both ink. The text
pdftotext extracts must also read back as written, and the pages go to PNG (pdftoppm) under
tests/artifacts/scripts/ for a person to look at.

Cost: four WeasyPrint documents (all scripts; one battlecard in Arabic and in English; one
Arabic playbook), one LibreOffice conversion of one deck, and one small band per script
through the band's own path.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from conftest import Word, pdf_words
from salesplay.context import Context
from salesplay.edition import make_edition
from salesplay.labels import labels_for
from salesplay.localize import localized
from salesplay.pipeline import check_catalog
from salesplay.render import html as html_pages
from salesplay.render.band import BAND_HEIGHT_PT, LOGO_BOX_PT, BandMaker, Brand, first_strong
from salesplay.render.pdf import PdfRenderer
from salesplay.render.pptx_deck import build_deck
from salesplay.render.pptx_script import DeckLanguage, script_typefaces
from salesplay.render.slides import SlideSpec
from salesplay.render.templates import THEME_DIR, make_env, template_dirs
from salesplay.richtext import NO_LINE_START, Para, Run, parse, plain

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "plays"
MASTER = THEME_DIR / "deck.pptx"
ARTIFACTS = ROOT / "tests" / "artifacts" / "scripts"
AS_OF = dt.date(2026, 11, 23)
A4_WIDTH = 595.2756
#: print.css: 13 mm side margins
SIDE_MARGIN_PT = 13 / 25.4 * 72


@dataclass(frozen=True)
class Sample:
    """A line of one script, its language and the Noto family that must draw it."""

    script: str
    lang: str
    text: str
    family: str  # normalised font name: lower case, letters and digits only


SAMPLES = (
    Sample("Japanese", "ja", "営業チームの勝ち筋を三十秒で話す", "notosanscjkjp"),
    Sample("Chinese", "zh", "北京合作伙伴的备份方案", "notosanscjksc"),
    Sample("Arabic", "ar", "النسخ الاحتياطي الآمن لكل عميل", "notosansarabic"),
    Sample("Hebrew", "he", "גיבוי מאובטח לכל לקוח", "notosanshebrew"),
    Sample("Devanagari", "hi", "सुरक्षित बैकअप समाधान दुनिया", "notosansdevanagari"),
    Sample("Thai", "th", "การสำรองข้อมูลที่ปลอดภัย", "notosansthai"),
    Sample("Cyrillic", "ru", "Надёжное резервное копирование", "notosans"),
)
#: emoji, drawn by the colour emoji font `make` installs (no other font has them)
EMOJI = "🚀✅🥇"
#: Bidi controls pdftotext adds around right-to-left lines.
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def _norm_font(base_font: str) -> str:
    name = base_font.lstrip("/").split("+", 1)[-1]
    name = re.sub(r"[^a-z0-9]", "", name.lower())
    return re.sub(r"(regular|bold|italic|medium)+$", "", name)


def _base_letters(text: str) -> str:
    """The letters of `text` without their marks (NFKD): what every PDF maps back.

    A shaped glyph may stand for a letter and its mark, and its ToUnicode entry may leave
    the mark out: WeasyPrint maps a Devanagari vowel sign drawn before its consonant (ि)
    and Thai SARA AM's nikhahit to no text. Those glyphs are checked by font instead.
    """
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if unicodedata.category(ch)[0] == "L"
    )


def _letters(text: str) -> set[str]:
    return set(_base_letters(text))


def _readable(written: str, extracted: str) -> bool:
    """Whether `extracted` (pdftotext) holds `written`, letter for letter.

    WeasyPrint's ToUnicode entry of an Arabic lam-alef ligature, and of lam with alef
    maksura ('على'), gives its two letters in visual order (the alef first): either order
    is accepted for those pairs.
    """
    text = _base_letters(extracted.translate(_BIDI_CONTROLS))
    variants = {_base_letters(written)}
    for pair in ("(\u0644)(\u0627)", "(\u0644)(\u0649)"):
        variants |= {re.sub(pair, "\\2\\1", v) for v in variants}
    return any(v in text for v in variants)


# --- reading what a PDF draws --------------------------------------------------------------


def _cmap(font: Any) -> dict[int, str]:
    """A font's ToUnicode map: code -> text (bfchar and bfrange entries)."""
    if "/ToUnicode" not in font:
        return {}
    data = font.ToUnicode.read_bytes().decode("latin-1")
    out: dict[int, str] = {}

    def text(hexes: str) -> str:
        return bytes.fromhex(hexes).decode("utf-16-be") if hexes else ""

    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            out[int(src, 16)] = text(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, rest in re.findall(
            r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]*>)", block
        ):
            start, end = int(lo, 16), int(hi, 16)
            if rest.startswith("["):
                for i, dst in enumerate(re.findall(r"<([0-9a-fA-F]*)>", rest)):
                    out[start + i] = text(dst)
            else:
                first = bytes.fromhex(rest[1:-1])
                for i in range(end - start + 1):
                    last = int.from_bytes(first[-2:], "big") + i
                    out[start + i] = (first[:-2] + last.to_bytes(2, "big")).decode("utf-16-be")
    return out


@dataclass
class Drawn:
    """What a PDF's pages draw: each font's text (from its glyphs' ToUnicode) and problems."""

    by_font: dict[str, set[str]]  # normalised font name -> characters drawn with it
    notdef: list[str]  # fonts that drew glyph 0
    unmapped: list[str]  # fonts that drew a code without a ToUnicode entry
    #: base font name, without its subset tag ("Inter-Bold") -> the codes (glyph ids) drawn
    codes: dict[str, set[int]] = field(default_factory=dict)

    def font_of(self, ch: str) -> set[str]:
        return {font for font, chars in self.by_font.items() if ch in chars}

    def drew(self, ch: str, family: str) -> bool:
        """Whether a font of `family` drew `ch` ("notosans" is exactly Noto Sans; any other
        family also names its faces, e.g. LibreOffice's "NotoSansCJKjp-Regular-VKana")."""
        return any(
            f == family or (family != "notosans" and f.startswith(family)) for f in self.font_of(ch)
        )


def drawn(pdf: bytes) -> Drawn:
    """Walk every page's content (and forms in it) and collect what each font draws."""
    result = Drawn({}, [], [])
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            _walk(page.obj, page.Resources, result, depth=0)
    return result


def _walk(content: Any, resources: Any, result: Drawn, depth: int) -> None:
    fonts = resources.get("/Font", {}) if resources is not None else {}
    font: Any = None
    cmap: dict[int, str] = {}
    two_bytes = False
    for operands, operator in pikepdf.parse_content_stream(content):
        op = str(operator)
        if op == "Tf":
            font = fonts[operands[0]]
            cmap = _cmap(font)
            two_bytes = font.Subtype == "/Type0"
        elif op in ("Tj", "'", '"', "TJ") and font is not None:
            strings = operands[0] if op == "TJ" else [operands[-1]]
            name = _norm_font(str(font.BaseFont))
            chars = result.by_font.setdefault(name, set())
            for item in strings:
                if not isinstance(item, pikepdf.String):
                    continue
                raw = bytes(item)
                width = 2 if two_bytes else 1
                for i in range(0, len(raw) - width + 1, width):
                    code = int.from_bytes(raw[i : i + width], "big")
                    base = str(font.BaseFont).lstrip("/").split("+", 1)[-1]
                    result.codes.setdefault(base, set()).add(code)
                    if two_bytes and code == 0:
                        result.notdef.append(name)
                    if code not in cmap:
                        result.unmapped.append(f"{name}:{code}")
                    text = cmap.get(code, "")
                    chars.update(_base_letters(text))
                    chars.update(ch for ch in text if unicodedata.category(ch) == "So")  # emoji
        elif op == "Do" and depth < 5:
            xobject = resources.XObject[operands[0]]
            if xobject.get("/Subtype") == "/Form":
                _walk(xobject, xobject.get("/Resources"), result, depth + 1)


def pdftotext(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def to_png(pdf: Path, name: str, dpi: int = 60, page: int | None = None) -> list[Path]:
    """Each page of ``pdf`` (or its one ``page``) as PNG under tests/artifacts/scripts/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTIFACTS / name
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    subprocess.run(["pdftoppm", "-r", str(dpi), *pages, "-png", str(pdf), str(prefix)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def _ink(png: Path) -> float:
    from PIL import Image

    with Image.open(png) as image:
        grey = image.convert("L")
        dark = sum(grey.histogram()[:200])
        return dark / (grey.width * grey.height)


def assert_scripts_drawn(what: Drawn, samples: tuple[Sample, ...], families: Any = None) -> None:
    """Each letter of each sample drawn by its script's Noto font; no glyph 0 anywhere."""
    assert what.notdef == [], f".notdef glyphs drawn with {sorted(set(what.notdef))}"
    for sample in samples:
        wanted = families(sample) if families else {sample.family}
        for ch in sorted(_letters(sample.text)):
            fonts = what.font_of(ch)
            assert any(what.drew(ch, family) for family in wanted), (
                sample.script,
                ch,
                f"drawn with {sorted(fonts) or 'nothing'}",
            )


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils is installed by `make test`",
)

# --- one PDF with every script, through the theme's stylesheets -----------------------------


@pytest.fixture(scope="module")
def scripts_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ONE WeasyPrint PDF: a line of each script in the theme's own CSS (its font stacks)."""
    body = "".join(
        f'<h2>{s.script}</h2><p lang="{s.lang}" id="{s.lang}">{html.escape(s.text)}</p>'
        for s in SAMPLES
    )
    body += f"<h2>Emoji</h2><p>Launch {EMOJI} day</p>"
    body = f'<h1 class="card-title">Every script</h1>{body}'
    return _themed_pdf(tmp_path_factory.mktemp("scripts") / "scripts.pdf", body, "en", "ltr")


def _themed_pdf(out: Path, body: str, lang: str, direction: str) -> Path:
    """`body` as a page in the theme's print stylesheets, rendered by WeasyPrint to `out`."""
    sheets = "".join(
        f'<link rel="stylesheet" href="{(THEME_DIR / name).as_uri()}">'
        for name in ("fonts.css", "style.css", "print.css")
    )
    page = (
        f'<!doctype html><html lang="{lang}" dir="{direction}"><head><title>{lang}</title>'
        f"{sheets}</head><body>{body}</body></html>"
    )
    with PdfRenderer() as renderer:
        pdf, refused = renderer.render(
            page, base_url=THEME_DIR.as_uri() + "/", roots=[THEME_DIR], as_of=AS_OF, title=lang
        )
    assert refused == []
    out.write_bytes(pdf)
    return out


def test_every_script_in_a_pdf_is_drawn_by_its_noto_font(scripts_pdf: Path) -> None:
    what = drawn(scripts_pdf.read_bytes())
    assert_scripts_drawn(what, SAMPLES)
    assert what.unmapped == []
    assert "inter" in what.by_font and "E" in what.by_font["inter"]  # Latin stays in Inter
    assert set(EMOJI) <= what.by_font.get("notocoloremoji", set()), what.font_of(EMOJI[0])


@needs_poppler
def test_every_script_in_a_pdf_reads_back_and_renders_to_png(scripts_pdf: Path) -> None:
    text = pdftotext(scripts_pdf)
    for sample in SAMPLES:
        assert _readable(sample.text, text), sample.script
    pngs = to_png(scripts_pdf, "pdf-all-scripts")
    assert len(pngs) == 1 and _ink(pngs[0]) > 0.01


# --- right to left: one battlecard in Arabic and in English ---------------------------------


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The first sample play's battlecard rendered in Arabic (dir=rtl) and English."""
    cat = check_catalog(Context(catalog=SAMPLE, as_of=AS_OF))
    assert cat is not None
    dirs = template_dirs(None)
    links = html_pages.Links.for_pdf(SAMPLE, dirs)
    rep = make_edition(cat, "rep")
    play = sorted(rep.plays)[0]
    out = tmp_path_factory.mktemp("rtl")
    paths = {}
    with PdfRenderer() as renderer:
        for locale in ("ar", "en"):
            env = make_env(None, labels=labels_for(locale, dirs))
            page = html_pages.battlecard(env, rep, play, links, medium="print")
            assert f'dir="{"rtl" if locale == "ar" else "ltr"}"' in page.split(">", 2)[1]
            pdf, refused = renderer.render(
                page,
                base_url=(THEME_DIR / "index.html").as_uri(),
                roots=(SAMPLE / "assets", *dirs),
                as_of=AS_OF,
                title=locale,
            )
            assert refused == []
            paths[locale] = out / f"card-{locale}.pdf"
            paths[locale].write_bytes(pdf)
    return paths


def _title(words: list[Word]) -> list[Word]:
    """The words on the line of the largest type on the page."""
    tallest = max(words, key=lambda w: w[3] - w[1])
    return [w for w in words if abs(w[1] - tallest[1]) < 2]


def _word(words: list[Word], text: str) -> Word:
    """The first word that is ``text``, letter for letter (pdftotext -bbox gives
    right-to-left words in visual order: either order)."""
    wanted = _base_letters(text)
    return next(w for w in words if _base_letters(w[4]) in (wanted, wanted[::-1]))


def _line_of(words: list[Word], first: str) -> list[Word]:
    """The words on the line of the first word that is ``first``."""
    word = _word(words, first)
    return [w for w in words if abs(w[1] - word[1]) < 2]


@needs_poppler
def test_right_to_left_page_mirrors(cards: dict[str, Path]) -> None:
    rtl, ltr = pdf_words(cards["ar"])[0], pdf_words(cards["en"])[0]
    # the title, the play's name (the largest type): at the left margin in English, at the
    # right one in Arabic
    title_ltr = _title(ltr)
    title_rtl = _title(rtl)
    assert min(w[0] for w in title_ltr) == pytest.approx(SIDE_MARGIN_PT, abs=3)
    assert max(w[2] for w in title_rtl) == pytest.approx(A4_WIDTH - SIDE_MARGIN_PT, abs=3)
    # the Latin product name keeps its order inside the right-to-left line
    names = [w[4] for w in sorted(title_rtl, key=lambda w: w[0])]
    assert names == [w[4] for w in sorted(title_ltr, key=lambda w: w[0])]
    # the page number moves from the right of the footer to the left
    page_ltr, page_rtl = _line_of(ltr, "Page"), _line_of(rtl, "Page")
    assert max(w[2] for w in page_ltr) == pytest.approx(A4_WIDTH - SIDE_MARGIN_PT, abs=3)
    assert min(w[0] for w in page_rtl) == pytest.approx(SIDE_MARGIN_PT, abs=3)
    # a fact's label (float: inline-start) at the start of its row, its value after it
    where = labels_for("ar", template_dirs(None)).gettext("Where")
    for words, label, direction in ((ltr, "WHERE", "ltr"), (rtl, where, "rtl")):
        head = _word(words, label)
        values = [w for w in _line_of(words, label) if w != head]
        assert values, direction
        if direction == "ltr":
            assert head[0] == pytest.approx(SIDE_MARGIN_PT, abs=3)
            assert min(w[0] for w in values) > head[2] + 10
        else:
            assert head[2] == pytest.approx(A4_WIDTH - SIDE_MARGIN_PT, abs=3)
            assert max(w[2] for w in values) < head[0] - 10
    to_png(cards["ar"], "pdf-rtl-card")


# --- right to left: Latin words and numbers inside Arabic Markdown --------------------------

#: an e-mail address longer than richtext.LONG_WORD, given break chances (<wbr>) in its pieces
ADDRESS = "contractor@alpineskihouse.example"
#: Arabic Markdown texts as a card writes them (the `md` filter), by an id for their <div>
ARABIC_TEXTS = {
    "address": f"استعادة 1.2 مليون ملف في 4 ساعات بعد اختراق حساب المقاول {ADDRESS}.",
    "phones": "اتصلوا بمكتب الشركاء على +1 555 0199 أو **+971 4 555 0177** لأكثر من 5,000 مستخدم.",
    "products": "نسخ احتياطي لـ Microsoft 365 وGoogle Workspace عبر Northwind Vault v2.1 خلال 4h.",
}


@pytest.fixture(scope="module")
def arabic_texts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ONE WeasyPrint PDF: each of ARABIC_TEXTS through an Arabic page's `md` filter, in the
    theme's stylesheets, in a column as wide as a card's (the address on one line)."""
    md = make_env(None, labels=labels_for("ar", template_dirs(None))).filters["md"]
    body = "".join(
        f'<div id="{key}" style="width: 170mm">{md(text)}</div>'
        for key, text in ARABIC_TEXTS.items()
    )
    return _themed_pdf(tmp_path_factory.mktemp("rtl-texts") / "texts-ar.pdf", body, "ar", "rtl")


def _drawn_line(words: list[Word], first: str) -> list[str]:
    """The words on the line of the first word holding `first`, left to right as drawn."""
    word = next(w for w in words if first in w[4])
    middle = (word[1] + word[3]) / 2
    line = [w for w in words if abs((w[1] + w[3]) / 2 - middle) < 2]
    return [w[4] for w in sorted(line, key=lambda w: w[0])]


@needs_poppler
def test_a_long_address_in_an_arabic_pdf_keeps_its_pieces_in_order(arabic_texts: Path) -> None:
    """An address past LONG_WORD characters gets break chances (<wbr>): WeasyPrint set its
    pieces as separate right-to-left boxes, ".eeskihouse.examplcontractor@alpin". Its pieces
    now read left to right, the sentence's full stop at the sentence's end (the left)."""
    assert "<wbr>" in str(make_env(None, labels=labels_for("ar")).filters["md"](ADDRESS))
    line = _drawn_line(pdf_words(arabic_texts)[0], "contractor")
    joined = "".join(line)
    assert f".{ADDRESS}" in joined, line
    # the Arabic text at its right: "المقاول" (drawn, and read back, letter-reversed)
    assert joined.index(ADDRESS) < joined.index("لواقملا"), line
    to_png(arabic_texts, "pdf-rtl-latin-in-arabic", dpi=80)


@needs_poppler
def test_a_phone_number_in_arabic_markdown_keeps_its_groups_in_order(arabic_texts: Path) -> None:
    """The `md` filter's Arabic text drew "+1 555 0199" as "0199 555 1+" (the spaces between
    its groups take the paragraph's direction): each number is now set left to right."""
    line = _drawn_line(pdf_words(arabic_texts)[0], "0199")
    for number in ("+1 555 0199", "+971 4 555 0177"):
        first, *rest = number.split()
        at = line.index(first)
        assert line[at : at + len(rest) + 1] == number.split(), line
    assert "5,000" in line


@needs_poppler
def test_an_arabic_sentence_naming_latin_products_runs_right_to_left(arabic_texts: Path) -> None:
    """More Latin letters than Arabic ones: the sentence was laid out left to right, its
    first Arabic words at the left and "4h" torn apart. It now starts at the right, its
    product names each left to right in the order the Arabic reads them."""
    line = _drawn_line(pdf_words(arabic_texts)[0], "Workspace")
    assert line[-1] == "خسن"  # "نسخ", the first word, at the right (read back reversed)
    # (the conjunction و joins the name after it: "Workspaceو" is one word to pdftotext)
    latin = ("".join(ch for ch in w if ch.isascii()) for w in line)
    names = " ".join(w for w in latin if w)
    assert names == ". 4h Northwind Vault v2.1 Google Workspace Microsoft 365", line


# --- right to left: the path diagram of an Arabic playbook -----------------------------------


@dataclass(frozen=True)
class Diagram:
    """A playbook's first path diagram as laid out: its PDF, page and place on the page."""

    pdf: Path
    page: int  # 1-based, as pdftotext counts
    x: float  # its left edge, in points
    y: float
    scale: float  # points per unit of its SVG
    height: float  # in units
    path: Any  # the PathView it draws
    markup: str  # its SVG


def _svg_box(box: Any) -> Any:
    """The first box an inline <svg class="path-svg"> makes under `box`, or None."""
    element = getattr(box, "element", None)
    if element is not None and element.get("class") == "path-svg":
        return box
    for child in getattr(box, "children", ()):
        if (found := _svg_box(child)) is not None:
            return found
    return None


@pytest.fixture(scope="module")
def arabic_diagram(tmp_path_factory: pytest.TempPathFactory) -> Diagram:
    """The sample's cyber-resilience playbook in Arabic, as the build makes it (internal
    edition, the catalog's Arabic translations), laid out once: its first path diagram."""
    cat = check_catalog(Context(catalog=SAMPLE, as_of=AS_OF))
    assert cat is not None
    dirs = template_dirs(None)
    labels = labels_for("ar", dirs)
    edition = make_edition(localized(cat, "ar"), "internal", labels=labels)
    links = html_pages.Links.for_pdf(SAMPLE, dirs)
    page = html_pages.playbook(make_env(None, labels=labels), edition, "cyber-resilience", links)
    with PdfRenderer() as renderer:
        document = renderer.layout(
            page, base_url=(THEME_DIR / "index.html").as_uri(), roots=(SAMPLE / "assets", *dirs)
        )
        pdf = tmp_path_factory.mktemp("rtl-playbook") / "playbook-ar.pdf"
        pdf.write_bytes(document.write_pdf())
    number, svg = next(
        (n, found)
        for n, laid in enumerate(document.pages, 1)
        if (found := _svg_box(laid._page_box)) is not None
    )
    markup = re.search(r"<svg .*?</svg>", page, re.S)
    view = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', markup.group(0) if markup else "")
    assert markup is not None and view is not None
    width, height = float(view.group(1)), float(view.group(2))
    path = edition.destinations["cyber-resilience"].paths[0]
    px = 0.75  # points per CSS pixel
    x, y = svg.content_box_x() * px, svg.content_box_y() * px
    return Diagram(pdf, number, x, y, svg.width * px / width, height, path, markup.group(0))


def _crop_text(diagram: Diagram, left: float, top: float, width: float, height: float) -> str:
    """What pdftotext reads, in reading order, inside a rectangle of the diagram's units."""
    s = diagram.scale
    area = [diagram.x + left * s, diagram.y + top * s, width * s, height * s]
    flags = [f"-{k}" for k in "xyWH"]
    args = [str(v) for pair in zip(flags, (f"{a:.0f}" for a in area), strict=True) for v in pair]
    page = ["-f", str(diagram.page), "-l", str(diagram.page)]
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *page, *args, str(diagram.pdf), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


@needs_poppler
def test_an_arabic_playbook_s_path_diagram_sets_its_words_joined_and_right_to_left(
    arabic_diagram: Diagram,
) -> None:
    """WeasyPrint sets SVG text letter by letter, without shaping or bidi: an Arabic
    playbook's diagram drew its step names unjoined and back to front ('ةيزهاجلا صحف' for
    'فحص الجاهزية'). Each box's name, and the stage caption under it, now read back in
    order: the number and name inside the box, the caption under it; the PDF goes to PNG."""
    diagram = arabic_diagram
    steps = diagram.path.steps
    rect = r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"'
    boxes = [tuple(float(v) for v in box) for box in re.findall(rect, diagram.markup)]
    assert len(boxes) == len(steps) >= 5
    arabic = [step for step in steps if first_strong(step.label(str)) == "rtl"]
    assert len(arabic) >= 2  # the sample translates some plays' names, not all
    for step, (x, y, w, h) in zip(steps, boxes, strict=True):
        inside = _crop_text(diagram, x, y, w, h)
        assert _readable(step.label(str), inside), (step.number, inside)
        assert re.search(rf"(^|\D){step.number}(\D|$)", inside), (step.number, inside)
        # from the box's foot down to the diagram's: the caption, in the box's column
        under = _crop_text(diagram, x, y + h, w, diagram.height - y - h)
        assert step.stage and _readable(plain(step.stage), under), (step.number, under)
        assert not _readable(step.label(str), under)
    assert boxes[0][0] == max(b[0] for b in boxes)  # step 1 at the right
    pngs = to_png(diagram.pdf, "pdf-rtl-playbook-path", dpi=80, page=diagram.page)
    assert len(pngs) == 1 and _ink(pngs[0]) > 0.01


# --- decks ----------------------------------------------------------------------------------


def _deck(language: str | None, *more: SlideSpec) -> bytes:
    slides = [
        SlideSpec("Title", SAMPLES[2].text, subtitle="Northwind Vault"),
        SlideSpec(
            "Content",
            "Every script",
            body=tuple(p for s in SAMPLES for p in parse(f"- {s.text}")),
            notes=SAMPLES[3].text,
        ),
        SlideSpec("Closing", "Northwind", subtitle=SAMPLES[0].text),
        *more,
    ]
    return build_deck(MASTER, slides, title="t", author="a", as_of=AS_OF, language=language)


#: a slide of Arabic text with phone numbers, as a deck's next steps write them
PHONES = SlideSpec("Content", "الخطوات التالية", body=parse(ARABIC_TEXTS["phones"]))


def test_a_phone_number_in_an_arabic_deck_comes_after_a_left_to_right_mark() -> None:
    """A number in groups or with a sign inside an Arabic run read "0199 555 1 +" on the
    slide: a left-to-right mark before it makes its digits and spaces left to right. A lone
    number, and the Arabic text, are left as written."""
    data = build_deck(MASTER, [PHONES], title="t", author="a", as_of=AS_OF, language="ar")
    (found,) = (p for _, p in _paragraphs(data) if "0199" in _text(p))
    runs = ["".join(t.text for t in r.iter(qn("a:t"))) for r in found.iter(qn("a:r"))]
    lrm = "\u200e"
    assert runs == [
        f"اتصلوا بمكتب الشركاء على {lrm}+1 555 0199 أو ",
        f"{lrm}+971 4 555 0177",
        " لأكثر من 5,000 مستخدم.",
    ]


def _paragraphs(data: bytes) -> Iterator[tuple[str, Any]]:
    prs = Presentation(io.BytesIO(data))
    for slide in prs.slides:
        layout = slide.slide_layout.name
        for p in slide._element.iter(qn("a:p")):
            yield layout, p
        if slide.has_notes_slide:
            for p in slide.notes_slide._element.iter(qn("a:p")):
                yield "notes", p


def _text(p: Any) -> str:
    return "".join(t.text or "" for t in p.iter(qn("a:t")))


def test_deck_language_is_set_on_every_run_and_paragraph_end() -> None:
    for language, tag in (("de", "de-DE"), ("ar", "ar-EG"), ("pt-BR", "pt-BR"), ("ja", "ja-JP")):
        paras = list(_paragraphs(_deck(language)))
        assert paras
        for _, p in paras:
            for run in p.iterchildren(qn("a:r")):
                assert run.rPr.get("lang") == tag, (language, _text(p))
            assert p.find(qn("a:endParaRPr")).get("lang") == tag
            assert p[-1].tag == qn("a:endParaRPr")  # the last child, as the schema wants
    # without a language the runs carry none (the source-locale decks are unchanged)
    assert all(
        r.rPr is None or r.rPr.get("lang") is None
        for _, p in _paragraphs(_deck(None))
        for r in p.iterchildren(qn("a:r"))
    )


def test_deck_runs_name_the_noto_typeface_of_their_script() -> None:
    for _, p in _paragraphs(_deck("de")):
        for run in p.iterchildren(qn("a:r")):
            text = "".join(t.text or "" for t in run.iter(qn("a:t")))
            sample = next((s for s in SAMPLES if s.text in text), None)
            ea, cs = run.rPr.find(qn("a:ea")), run.rPr.find(qn("a:cs"))
            if sample is None or sample.script == "Cyrillic":
                assert ea is None and cs is None, text  # Latin and Cyrillic: the latin font
            elif sample.lang in ("ja", "zh"):
                assert ea is not None and ea.get("typeface") == "Noto Sans CJK JP"
                assert cs is None
            else:
                assert ea is None and cs is not None
                assert _norm_font(cs.get("typeface")) == sample.family
    # Han characters take the forms of the deck's language
    assert script_typefaces(SAMPLES[1].text, DeckLanguage.of("zh").east_asian) == (
        "Noto Sans CJK SC",
        None,
    )
    assert DeckLanguage.of("zh-TW").east_asian == "Noto Sans CJK TC"
    # an emoji's variation selector (U+FE0F) is no Arabic: "✔️ Done" took Noto Sans Arabic
    assert script_typefaces("\u2714\ufe0f Done") == (None, None)
    assert script_typefaces("\ufe8d\ufedf") == (None, "Noto Sans Arabic")  # forms B


@pytest.mark.parametrize(
    ("language", "text", "script"),
    [("he", "שחזור פי 10 מהיר", "Noto Sans Hebrew"), ("th", "เร็วขึ้น 10 เท่า", "Noto Sans Thai")],
)
def test_digits_in_hebrew_or_thai_deck_text_are_set_in_a_font_that_has_them(
    language: str, text: str, script: str
) -> None:
    """Noto Sans Hebrew and Noto Sans Thai have no digits, and a digit takes the script of
    the letters around it: a Hebrew slide read "שחזור פי ␣␣ מהיר", the "10" drawn as
    nothing. Its digits are a run of their own in Noto Sans; the run's other properties
    stay, and Arabic, whose Noto face has digits, is one run as before."""
    from lxml import etree
    from pptx.oxml import parse_xml
    from pptx.oxml.ns import qn

    from salesplay.render.pptx_script import mark_runs

    def marked(words: str, lang: str) -> list[tuple[str, str | None, str | None]]:
        p = parse_xml(
            '<a:p xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:r>'
            f'<a:rPr b="1"/><a:t>{words}</a:t></a:r></a:p>'
        )
        mark_runs([p], DeckLanguage.of(lang))
        etree.tostring(p)  # still a well-formed paragraph
        return [
            (
                "".join(t.text or "" for t in r.iter(qn("a:t"))),
                r.rPr.get("b"),
                r.rPr.find(qn("a:cs")).get("typeface")
                if r.rPr.find(qn("a:cs")) is not None
                else None,
            )
            for r in p.iter(qn("a:r"))
        ]

    runs = marked(text, language)
    assert "".join(r[0] for r in runs) == text
    assert [r for r in runs if r[0] == "10"] == [("10", "1", "Noto Sans")]
    assert all(r[2] == script for r in runs if r[0] != "10")
    assert len(marked("نسخ أسرع 10 مرات", "ar")) == 1


def test_arabic_deck_paragraphs_run_right_to_left_and_centred_layouts_stay_centred() -> None:
    for layout, p in _paragraphs(_deck("ar")):
        p_pr = p.find(qn("a:pPr"))
        # text with no right-to-left letter (Latin, Cyrillic, CJK) too: its bullet on the
        # right as the others'; marks keep its own ends (see the untranslated claim's test)
        assert p_pr is not None and p_pr.get("rtl") == "1", (layout, _text(p))
        if layout == "Closing":
            assert p_pr.get("algn") in (None, "ctr"), _text(p)  # its layout centres the text
        else:
            assert p_pr.get("algn") == "r", (layout, _text(p))
    assert not any(
        (p.find(qn("a:pPr")) is not None and p.find(qn("a:pPr")).get("rtl") == "1")
        for _, p in _paragraphs(_deck("de"))
    )


def test_deck_theme_falls_back_to_the_languages_noto_fonts() -> None:
    """Text added later without typefaces of its own (a kit's partner name) uses these."""

    def theme(data: bytes) -> str:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return package.read("ppt/theme/theme1.xml").decode()

    arabic, chinese, source = theme(_deck("ar")), theme(_deck("zh")), theme(_deck(None))
    assert arabic.count('<a:cs typeface="Noto Sans Arabic"/>') == 2  # major and minor fonts
    assert arabic.count('<a:ea typeface="Noto Sans CJK JP"/>') == 2
    assert chinese.count('<a:ea typeface="Noto Sans CJK SC"/>') == 2
    assert '<a:cs typeface=""/>' in chinese  # no complex script in Chinese
    assert '<a:ea typeface=""/>' in source  # a deck without a language keeps its master's


def _deck_families(sample: Sample) -> set[str]:
    # LibreOffice sets Latin and Cyrillic in the master's Calibri, i.e. its metric twin
    # Carlito (a test dependency); Noto Sans would do as well. Han characters take the forms
    # of the deck's language (Arabic here: the Japanese default).
    if sample.script == "Cyrillic":
        return {"carlito", "notosans"}
    return {"notosanscjkjp"} if sample.script == "Chinese" else {sample.family}


@needs_poppler
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by `make`")
def test_a_deck_with_every_script_renders_in_libreoffice(tmp_path: Path) -> None:
    deck = tmp_path / "scripts.pptx"
    deck.write_bytes(_deck("ar", PHONES))
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    pdf = tmp_path / "scripts.pdf"
    assert_scripts_drawn(drawn(pdf.read_bytes()), SAMPLES, _deck_families)
    text = pdftotext(pdf)
    for sample in SAMPLES:
        assert _readable(sample.text, text), sample.script
    # the phone numbers of the last slide: their groups left to right as drawn
    line = _drawn_line(pdf_words(pdf)[-1], "0199")
    for number in ("+1 555 0199", "+971 4 555 0177"):
        first, *rest = number.split()
        at = line.index(first)
        assert line[at : at + len(rest) + 1] == number.split(), line
    assert all(_ink(png) > 0.01 for png in to_png(pdf, "deck-all-scripts", dpi=40))


# --- partner bands --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def maker() -> Iterator[BandMaker]:
    with BandMaker(
        roots=[THEME_DIR], as_of=AS_OF, width_pt=A4_WIDTH, height_pt=BAND_HEIGHT_PT
    ) as m:
        yield m


@needs_poppler
@pytest.mark.parametrize("sample", SAMPLES, ids=[s.script for s in SAMPLES])
def test_partner_band_draws_every_script(maker: BandMaker, sample: Sample, tmp_path: Path) -> None:
    name = f"{sample.text.split()[0]} Partner"
    band = maker.band(Brand(name, None, (sample.text, "sales@partner.example"), lang=sample.lang))
    what = drawn(band)
    assert_scripts_drawn(what, (sample,))
    assert what.unmapped == []
    path = tmp_path / "band.pdf"
    path.write_bytes(band)
    text = pdftotext(path)
    # a mixed line comes back in pdftotext's own order: each of its parts, then the contact
    assert all(_readable(part, text) for part in ("Presented by", *name.split()))
    assert _readable(sample.text, text)


@needs_poppler
def test_right_to_left_band_is_mirrored_and_keeps_latin_names_in_order(
    maker: BandMaker, tmp_path: Path
) -> None:
    name = "شركة النور Northwind"
    assert first_strong(name) == "rtl" and first_strong("Northwind النور") == "ltr"
    brand = Brand(name, None, ("sales@alnoor.example",), lead="مقدم من ", direction="rtl")
    path = tmp_path / "band.pdf"
    path.write_bytes(maker.band(brand))
    assert_scripts_drawn(
        drawn(path.read_bytes()), (Sample("Arabic", "ar", "شركة النور", "notosansarabic"),)
    )
    words = pdf_words(path)[0]
    # the name set in the logo box: at the right margin, the text to its left
    margin = min(36.0, A4_WIDTH * 0.06)
    assert max(w[2] for w in words) == pytest.approx(A4_WIDTH - margin, abs=3)
    email = next(w for w in words if w[4] == "sales@alnoor.example")
    assert email[2] < A4_WIDTH - margin - 120  # left of the logo box
    # in the lead line, the Arabic reads from the right and "Northwind" stays one word at its end
    leftmost = min((w for w in words if w[4] == "Northwind"), key=lambda w: w[0])
    lead = [w for w in words if abs(w[1] - leftmost[1]) < 2]
    assert len(lead) > 1 and min(lead, key=lambda w: w[0]) == leftmost
    to_png(path, "band-rtl", dpi=100)


#: the sample team band of the Arabic kit: the vendor's channel contact, read right to left
GULF = "الخليج للحلول التقنية (Gulf Tech Solutions)"
CHANNEL = (
    "مسؤول القناة لديكم في Northwind Systems: Priya Raman, partner desk",
    "partners@northwind.example",
    "+1 555 0199",
    "اتصل على +971 4 555 0177 اليوم",
)


@needs_poppler
def test_right_to_left_band_keeps_numbers_addresses_and_latin_names_in_their_order(
    maker: BandMaker, tmp_path: Path
) -> None:
    brand = Brand(GULF, None, CHANNEL, "#0B5FFF", "لمندوبي مبيعات ", " — وليس للعملاء", "rtl", "ar")
    path = tmp_path / "band.pdf"
    path.write_bytes(maker.band(brand))
    text = pdftotext(path).translate(_BIDI_CONTROLS)
    # a phone number alone or inside an Arabic sentence: its groups not reversed ("0199 555 1+")
    assert "+1 555 0199" in text and "0199 555" not in text
    assert "+971 4 555 0177" in text
    assert "partners@northwind.example" in text
    assert "Northwind Systems: Priya Raman, partner desk" in text
    # and drawn so: the groups left to right on the page
    words = pdf_words(path)[0]
    for number in ("+1 555 0199", "+971 4 555 0177"):
        first, *rest = number.split()
        start = next(w for w in words if w[4] == first)
        line = sorted((w for w in words if abs(w[1] - start[1]) < 2), key=lambda w: w[0])
        texts = [w[4] for w in line]
        at = texts.index(first)
        assert texts[at : at + len(rest) + 1] == number.split(), texts
    to_png(path, "band-rtl-contacts", dpi=100)


def _mark_words(words: list[Word], rtl: bool) -> list[Word]:
    """The words set in the logo box (no logo: the name), by where they are."""
    margin, (box_w, _) = min(36.0, A4_WIDTH * 0.06), LOGO_BOX_PT
    if rtl:
        return [w for w in words if w[0] > A4_WIDTH - margin - box_w - 9]
    return [w for w in words if w[2] < margin + box_w + 9]


@needs_poppler
@pytest.mark.parametrize("direction", ["rtl", "ltr"])
def test_a_band_laid_out_in_html_fits_a_long_name_in_the_logo_box(
    maker: BandMaker, tmp_path: Path, direction: str
) -> None:
    name = GULF if direction == "rtl" else "Müller & Søn Consulting Partners International GmbH"
    # an Arabic contact: the LTR band too is laid out by WeasyPrint
    brand = Brand(name, None, CHANNEL, "#0B5FFF", direction=direction, lang="ar")
    assert not maker.drawable(brand)
    path = tmp_path / "band.pdf"
    path.write_bytes(maker.band(brand))
    words = pdf_words(path)[0]
    assert all(0 <= w[0] < w[2] <= A4_WIDTH and 0 <= w[1] < w[3] <= BAND_HEIGHT_PT for w in words)
    # every word of the name in the box, on at most two lines (none cut off below it)
    margin, (box_w, box_h) = min(36.0, A4_WIDTH * 0.06), LOGO_BOX_PT
    left = A4_WIDTH - margin - box_w if direction == "rtl" else margin
    top = (BAND_HEIGHT_PT - box_h) / 2
    mark = _mark_words(words, direction == "rtl")
    assert sorted("".join(w[4] for w in mark)) == sorted(name.replace(" ", "")), mark
    assert "…" not in pdftotext(path)
    for w in mark:
        assert left - 0.5 <= w[0] < w[2] <= left + box_w + 0.5, w
        assert top - 0.5 <= w[1] < w[3] <= top + box_h + 0.5, w
    assert len({round(w[1]) for w in mark}) <= 2
    to_png(path, f"band-{direction}-long-name", dpi=100)


def test_a_partner_s_two_bands_measure_its_name_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The team and customer bands of a kit set one name: its widths are one WeasyPrint
    layout, not one per band (each took 56-100 ms of a 130-180 ms band)."""
    with BandMaker(
        roots=[THEME_DIR], as_of=AS_OF, width_pt=A4_WIDTH, height_pt=BAND_HEIGHT_PT
    ) as m:
        layouts = []
        real = m.renderer.layout
        monkeypatch.setattr(
            m.renderer, "layout", lambda *a, **k: layouts.append(1) or real(*a, **k)
        )
        team = Brand(
            GULF, None, CHANNEL, "#0B5FFF", "For the sellers of", direction="rtl", lang="ar"
        )
        customer = Brand(GULF, None, ("sales@gulf.example",), "#0B5FFF", direction="rtl", lang="ar")
        assert not m.drawable(team) and not m.drawable(customer)
        first, second = m.band(team), m.band(customer)
        assert len(layouts) == 1
        assert first != second  # two bands, one measure
        m.band(Brand(GULF + " Co", None, CHANNEL, "#0B5FFF", direction="rtl", lang="ar"))
        assert len(layouts) == 2  # another name is measured


def _inter_ellipses(pdf: bytes) -> list[str]:
    """The Inter faces of `pdf` that draw Inter's ellipsis glyph: what WeasyPrint draws where
    `text-overflow: ellipsis` cuts a line (its ToUnicode entry names the letters it hides,
    so the text read back is whole). WeasyPrint keeps a subset's glyph ids."""
    from fontTools.ttLib import TTFont

    found = []
    for base, codes in drawn(pdf).codes.items():
        if base.startswith("Inter"):
            face = "Bold" if "Bold" in base else "Regular"
            font = TTFont(THEME_DIR / "fonts" / f"Inter-{face}.otf", lazy=True)
            if font.getGlyphID(font.getBestCmap()[ord("…")]) in codes:
                found.append(base)
    return found


#: names of the Arabic kit's probe (sweep r4) that fit the logo box on one line, in fonts
#: other than Inter for their Arabic or Japanese part: WeasyPrint laid each out a hair wider
#: than measured (120.0007 pt in 120) and cut it with an ellipsis ("Blue River IT — …ﻧ").
MIXED_NAMES = (
    ("Blue River IT — نور", "notosansarabic"),
    ("Nour I.T. Co. (W.L.L.) — نور", "notosansarabic"),
    ("Nour IT Co. — ノース", "notosanscjkjp"),
    ("Blue River IT — Nour", ""),
)


@needs_poppler
@pytest.mark.parametrize(("name", "family"), MIXED_NAMES, ids=[n for n, _ in MIXED_NAMES])
@pytest.mark.parametrize("direction", ["rtl", "ltr"])
def test_a_mixed_script_name_that_fits_the_logo_box_is_never_cut(
    maker: BandMaker, tmp_path: Path, name: str, family: str, direction: str
) -> None:
    brand = Brand(name, None, ("sales@nour-it.example",), direction=direction, lang="ar")
    band = maker.band(brand)
    path = tmp_path / "band.pdf"
    path.write_bytes(band)
    what = drawn(band)
    assert _inter_ellipses(band) == [], "the name is cut with an ellipsis"
    # every letter drawn by the font of its script (an ellipsis in Inter stood in for "ور")
    for ch in _letters(name):
        assert what.font_of(ch) <= ({"inter"} if ch.isascii() else {family}), ch
    # the whole name in the logo box, on one line or two
    mark = _mark_words(pdf_words(path)[0], direction == "rtl")
    assert sorted(_base_letters("".join(w[4] for w in mark))) == sorted(_base_letters(name))
    margin, (box_w, _) = min(36.0, A4_WIDTH * 0.06), LOGO_BOX_PT
    left = A4_WIDTH - margin - box_w if direction == "rtl" else margin
    assert all(left - 0.5 <= w[0] < w[2] <= left + box_w + 0.5 for w in mark), mark
    assert len({round(w[1]) for w in mark}) <= 2
    if direction == "rtl" and family:
        to_png(path, f"band-mixed-name-{family}", dpi=100)


@needs_poppler
def test_a_japanese_name_without_spaces_takes_two_lines_not_an_ellipsis(
    maker: BandMaker, tmp_path: Path
) -> None:
    """ "東京データプロテクション株式会社大阪第二支社" (no logo) was one word to the band, set
    on one line at 6 pt and cut with "…", though two lines held it: a name in a script
    written without spaces breaks between its characters, never before a small kana."""
    name = "東京データプロテクション株式会社大阪第二支社"
    band = maker.band(Brand(name, None, ("sales@tokyo-dp.example",), lang="ja"))
    path = tmp_path / "band.pdf"
    path.write_bytes(band)
    assert _inter_ellipses(band) == [], "the name is cut with an ellipsis"
    mark = _mark_words(pdf_words(path)[0], False)
    rows = sorted({round(w[1]) for w in mark})
    assert len(rows) == 2, mark
    lines = ["".join(w[4] for w in mark if round(w[1]) == y) for y in rows]
    assert "".join(lines) == name, lines
    assert lines[1][0] not in NO_LINE_START, lines


@needs_poppler
def test_the_html_band_sets_a_name_as_the_drawn_band_does(maker: BandMaker, tmp_path: Path) -> None:
    brand = Brand("Müller & Søn Consulting Partners International GmbH", None, ("k@ms.example",))
    sets = []
    for engine in ("draw", "weasyprint"):
        path = tmp_path / f"{engine}.pdf"
        path.write_bytes(maker.band(brand, engine=engine))
        mark = _mark_words(pdf_words(path)[0], rtl=False)
        rows = sorted({round(w[1]) for w in mark})
        sets.append([" ".join(w[4] for w in mark if round(w[1]) == y) for y in rows])
    assert sets[0] == sets[1] == ["Müller & Søn Consulting", "Partners International GmbH"]


def test_an_untranslated_claim_in_an_arabic_deck_keeps_its_ends_and_its_bullet_side() -> None:
    """The source text shown where a translation is missing reads left to right inside a
    right-to-left paragraph, its bullet on the right as the slide's others: marks keep its
    full stop at its end ("automatically." was ".automatically") and a bracket or number
    it starts with at its start ("(Beta) Cloud" read "Beta) Cloud(")."""
    claim, beta, faster = "Restores are tested automatically.", "(Beta) Cloud, fast.", "10x faster."
    slides = [
        SlideSpec(
            "Content",
            "الادعاءات",
            body=(
                *parse(f"- {SAMPLES[2].text}"),
                *parse(f"- {claim}"),
                *parse(f"- {beta}"),
                *parse(f"- {faster}"),
                *parse("- تتولاها Northwind Systems"),
            ),
        )
    ]
    data = build_deck(MASTER, slides, title="t", author="a", as_of=AS_OF, language="ar")
    marks = {_text(p): p.find(qn("a:pPr")) for _, p in _paragraphs(data)}
    lrm = "\u200e"
    for text in (claim + lrm, lrm + beta + lrm, lrm + faster + lrm):
        assert marks[text].get("rtl") == "1", text  # the bullet on the right
        assert marks[text].get("algn") == "r"  # aligned as the slide's Arabic text
    assert marks[SAMPLES[2].text].get("rtl") == "1"
    # an Arabic sentence with a long Latin name reads right to left, nothing added to it
    assert marks["تتولاها Northwind Systems"].get("rtl") == "1"


def test_an_english_fallback_after_an_arabic_label_keeps_its_full_stop_at_its_end() -> None:
    """ "فريدة: Every recovery drill … ask for." is one right-to-left paragraph (its label
    translated, its claim not): the claim's full stop was drawn at the line's start."""
    label, claim = "فريدة: ", "Every recovery drill produces a report auditors ask for."
    slides = [
        SlideSpec(
            "Content",
            "الادعاءات",
            body=(Para((Run(label, bold=True), Run(claim))), *parse("- تتولاها Northwind.")),
        )
    ]
    data = build_deck(MASTER, slides, title="t", author="a", as_of=AS_OF, language="ar")
    found = {_text(p): p for _, p in _paragraphs(data)}
    mixed = found[label + claim + "\u200e"]
    assert mixed.find(qn("a:pPr")).get("rtl") == "1"
    runs = ["".join(t.text for t in r.iter(qn("a:t"))) for r in mixed.iter(qn("a:r"))]
    assert runs == [label, claim + "\u200e"]  # the label is Arabic: nothing added to it
    # a run that is Arabic, or ends on a Latin letter, is left as written
    assert "تتولاها Northwind." in found


def test_a_latin_term_labelling_arabic_text_keeps_its_colon_on_the_arabic_side() -> None:
    """A glossary slide's "MSP: " before its Arabic meaning is one Arabic sentence: a mark
    after the colon bound it to "MSP", and the slide read ":MSP" from the right. A closing
    bracket or a name's full stop before Arabic text keeps its mark; a Latin sentence that
    ends its paragraph too."""
    meaning = "مزوّد خدمات مُدارة."
    slides = [
        SlideSpec(
            "Content",
            "شرح المصطلحات",
            body=(
                Para((Run("MSP: ", bold=True), Run(meaning))),
                Para((Run("Cloud (Beta)", bold=True), Run(" " + meaning))),
                Para((Run("Gulf Tech Co."), Run(" — " + meaning))),
                Para((Run("تتولاها: ", bold=True), Run("Restores are tested."))),
            ),
        )
    ]
    data = build_deck(MASTER, slides, title="t", author="a", as_of=AS_OF, language="ar")
    runs = [
        ["".join(t.text for t in r.iter(qn("a:t"))) for r in p.iter(qn("a:r"))]
        for _, p in _paragraphs(data)
    ]
    assert ["MSP: ", meaning] in runs
    assert ["Cloud (Beta)\u200e", " " + meaning] in runs
    assert ["Gulf Tech Co.\u200e", " — " + meaning] in runs  # the name's own full stop
    assert ["تتولاها: ", "Restores are tested.\u200e"] in runs


def test_a_right_to_left_deck_mirrors_its_master_and_layouts() -> None:
    """The accent rule stayed on the left under a right-aligned Arabic title, the proof's
    figure panel too: an Arabic deck's master and layouts are mirrored, a German one's not."""
    slides = [SlideSpec("Title", "العنوان", subtitle="وعد")]

    def rules(language: str) -> dict[str, tuple[int, int]]:
        data = build_deck(MASTER, slides, title="t", author="a", as_of=AS_OF, language=language)
        prs = Presentation(io.BytesIO(data))
        found = {f"master {sh.name}": (sh.left, sh.width) for sh in prs.slide_master.shapes}
        for layout in prs.slide_layouts:
            for sh in layout.shapes:
                if sh.name in ("Brand Rule", "Proof Panel"):
                    found[f"{layout.name} {sh.name}"] = (sh.left, sh.width)
        return found

    ltr, rtl = rules("de"), rules("ar")
    width = Presentation(str(MASTER)).slide_width
    assert set(ltr) == set(rtl) and "Proof Proof Panel" in ltr and "Title Brand Rule" in ltr
    for name, (left, size) in ltr.items():
        assert rtl[name] == (width - left - size, size), name
    assert rtl["Title Brand Rule"][0] > width // 2 > ltr["Title Brand Rule"][0]

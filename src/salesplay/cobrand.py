"""Co-brand decks for partners: prepare a deck once, then splice each partner into its XML.

A deck is prepared for one part of a kit. A customer deck (the destination pitch) reads
"Presented by <partner>" with the partner's contact and logo on its first and last slides; a
team deck (enablement, for the partner's own sellers) reads "For the sellers of <partner> — not
for customers" on every slide, with the vendor's channel contact on its first and last.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import re
import struct
import zlib
from dataclasses import dataclass
from html import escape, unescape  # XML character data (xml.sax.saxutils pulls in urllib)
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from salesplay import images, jsonfile
from salesplay.render.archive import (
    Deflated,
    SpliceBase,
    Summed,
    deflater,
    repack,
    splice,
)

if TYPE_CHECKING:
    from salesplay.render.pptx_script import DeckLanguage

NAME_TOKEN = "SALESPLAYPARTNERNAME"
CONTACT_TOKEN = "SALESPLAYPARTNERCONTACT"
LOGO_SHAPE = "salesplay-partner-logo"
CARD_SHAPE = "salesplay-partner-card"
FOOTER_SHAPE = "salesplay-team-footer"
_EMU_PER_INCH = 914400
#: which part of a kit a deck is for: its partner's own sellers, or their customers
Part = Literal["team", "customer"]


def _placeholder_png() -> bytes:
    """A 2×1 transparent PNG, replaced by each partner's logo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x00" * 8)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class PartnerMark:
    """What a deck shows of a partner: name, one contact line, a logo as PNG (or none).

    The contact is the partner's own on customer decks, the vendor's channel contact on
    team decks (kits.brand_of decides)."""

    name: str
    contact: str
    logo_png: bytes | None = None
    logo_size: tuple[int, int] = (0, 0)

    @functools.cached_property
    def logo_digest(self) -> str:
        """SHA-256 of the logo (of no bytes without one), hex: the kit names each deck it
        co-brands by it; hashed once for every deck of the kit."""
        return hashlib.sha256(self.logo_png or b"").hexdigest()

    @functools.cached_property
    def deflated_logo(self) -> Deflated | None:
        """The logo as a deck member, deflated once for every deck of the kit."""
        return Deflated.of(self.logo_png) if self.logo_png else None


@functools.lru_cache(maxsize=64)
def _deflated_tail(tail: bytes) -> bytes:
    """`tail` as a final raw deflate stream of its own, with no preset dictionary.

    Cached: a kit's decks end their slides in a handful of tails (a team deck's marking on
    every slide, the title and closing slides' words), the same bytes in every deck of one
    partner, so a kit deflates each once instead of once a slide (about 0.2 ms a deck).
    Referring back into the slide's unchanging part would make each tail its slide's own:
    that saves about 115 bytes a slide (some 1 % of a kit) for 19 µs of deflating each."""
    packer = deflater()
    deflated: bytes = packer.compress(tail) + packer.flush()
    return deflated


@dataclass(frozen=True)
class _Slide:
    """A co-branded slide split where a partner first changes it: what comes before is the
    same for every partner, so it is deflated (and checksummed) once per base, flushed to a
    byte boundary there, and a partner's slide deflates only the rest, as a deflate stream
    of its own (_deflated_tail)."""

    head: bytes  # the deflated output of the unchanging part, ending on a byte boundary
    crc: int  # CRC-32 of the unchanging part
    size: int  # its length
    tail: bytes  # the rest: the paragraphs with tokens and the logo slot
    paragraphs: tuple[bytes, ...] = ()  # the paragraphs in the tail that hold tokens

    @classmethod
    def of(cls, xml: bytes, cut: int, paragraphs: tuple[bytes, ...] = ()) -> _Slide:
        packer = deflater()
        # a sync flush ends the head's blocks on a byte boundary (not the stream): the
        # tail's own stream follows it as more blocks, the last of them final
        head = packer.compress(xml[:cut]) + packer.flush(zlib.Z_SYNC_FLUSH)
        return cls(head, zlib.crc32(xml[:cut]), cut, xml[cut:], paragraphs)

    @functools.cached_property
    def bare(self) -> bytes:
        """The tail without the logo and its card, for a partner without a logo: removed
        once a slide, not once a partner (the partner's words, escaped, can neither make
        nor break one of those shapes, so removing them first gives the same slide)."""
        return _CARD_RE.sub(b"", _PIC_RE.sub(b"", self.tail))

    def completed(self, tail: bytes) -> Deflated:
        """The slide with `tail` after its unchanging part, deflated."""
        payload = self.head + _deflated_tail(tail)
        return Deflated(payload, zlib.crc32(tail, self.crc), self.size + len(tail))


@dataclass(frozen=True)
class DeckBase:
    """A deck with co-brand slots on its title and closing slides, parsed for splicing."""

    archive: SpliceBase
    slides: dict[str, bytes]  # member name → XML with the tokens
    media: str  # member name of the placeholder logo
    box: tuple[int, int, int, int]  # logo box x, y, cx, cy in EMU
    #: the language (BCP 47) the deck's added text is marked in; None: the deck's own
    language: str | None = None
    #: the slides' width in EMU: what the partner's name is fitted to (_sized)
    width: int = 0

    @property
    def placeholder(self) -> bytes:
        """Where the placeholder logo sits in a slide's XML."""
        x, y, cx, cy = self.box
        return f'<a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/>'.encode()

    @functools.cached_property
    def split(self) -> dict[str, _Slide]:
        """Each slide split before the first thing a partner changes (a paragraph with a
        token, which cobrand() marks with the partner's words in it; the logo's place, the
        logo or its card, which a partner without a logo goes without)."""
        found = {}
        held: dict[bytes, bytes] = {}  # one object for a paragraph many slides hold
        for member, xml in self.slides.items():
            spans = list(_TOKEN_PARA_RE.finditer(xml))
            starts = [at for at in (xml.find(self.placeholder),) if at >= 0]
            starts += [m.start() for m in (_PIC_RE.search(xml), _CARD_RE.search(xml)) if m]
            starts += [m.start() for m in spans[:1]]
            paragraphs = dict.fromkeys(held.setdefault(m.group(), m.group()) for m in spans)
            cut = min(starts, default=len(xml))
            found[member] = _Slide.of(xml, cut, tuple(paragraphs))
        return found

    def dump(self) -> list[bytes]:
        """The base as blobs for a cache: the archive, then what load() needs besides."""
        about = {
            "slides": sorted(self.slides),
            "media": self.media,
            "box": list(self.box),
            "language": self.language,
            "width": self.width,
        }
        return [self.archive.data, json.dumps(about, sort_keys=True).encode()]

    @classmethod
    def load(cls, blobs: list[bytes]) -> DeckBase:
        """A base from what dump() made; ValueError for anything else (a damaged cache)."""
        try:
            data, about_json = blobs
            about = jsonfile.loads(about_json)
            names, media, box = about["slides"], about["media"], about["box"]
            language, width = about["language"], about["width"]
            if not (
                isinstance(names, list)
                and all(isinstance(n, str) for n in names)
                and isinstance(media, str)
                and isinstance(box, list)
                and len(box) == 4
                and all(type(v) is int for v in box)
                and (language is None or isinstance(language, str))
                and type(width) is int
            ):
                raise ValueError("unexpected shape")
            archive = SpliceBase.parse(data)
            held = {m.filename for m in archive.members}
            if media not in held:
                raise ValueError(f"no member {media}")
            slides = archive.read_all(names)
        except Exception as exc:  # zipfile and zlib raise many kinds on a damaged archive
            raise ValueError(f"not a deck base: {exc}") from None
        return cls(archive, slides, media, (box[0], box[1], box[2], box[3]), language, width)


class BaseParts(NamedTuple):
    """What prepare() makes a co-brand base with besides the deck (a kit names a co-branded
    member by them and its deck's bytes)."""

    as_of: dt.date
    part: Part
    wording: tuple[str, str]
    language: str | None = None


#: the partner's name on the title and closing slides: at this size, on at most
#: SLOT_NAME_LINES lines of the slot's text box (the slide's width less the logo box and
#: SLOT_MARGINS), else smaller, to SLOT_NAME_LEAST; in a team deck's footer on every other
#: slide, on one line of the slide less FOOTER_MARGINS, from FOOTER_PT to FOOTER_LEAST
SLOT_NAME_PT = 18
SLOT_NAME_LINES = 2
SLOT_NAME_LEAST = 10.0
SLOT_MARGINS = int(1.6 * _EMU_PER_INCH)
FOOTER_PT = 10
FOOTER_LEAST = 7.0
FOOTER_MARGINS = int(0.8 * _EMU_PER_INCH)
#: the logo box's width on the title and closing slides
SLOT_LOGO_W = int(2.8 * _EMU_PER_INCH)


def prepare(
    deck: bytes,
    as_of: dt.date,
    part: Part,
    wording: tuple[str, str],
    language: str | None = None,
) -> DeckBase:
    """Add the co-brand slots to the first and last slides, and for a team deck the team
    marking to every other slide (one python-pptx pass per deck).

    `wording` is what stands before and after the partner's name, in the kit's language
    (kits.wording); `language` (BCP 47) marks the added text like the deck's
    own runs (lang, right to left, the Noto typefaces of its script); the partner's words,
    spliced in by cobrand(), are marked there alike."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.oxml.ns import qn
    from pptx.util import Emu, Pt

    from salesplay.render.pptx_script import DeckLanguage, mark_runs

    prs = Presentation(io.BytesIO(deck))
    width, height = int(prs.slide_width or 0), int(prs.slide_height or 0)
    inch = _EMU_PER_INCH
    rtl = bool(language) and DeckLanguage.of(language or "").rtl
    box = (width - int(3.3 * inch), height - int(1.45 * inch), SLOT_LOGO_W, int(1.0 * inch))
    text_x, text_w = int(0.6 * inch), width - box[2] - SLOT_MARGINS
    if rtl:
        # mirrored, as the deck's layouts are: the logo at the left, the words at the right
        box = (width - box[0] - box[2], *box[1:])
        text_x = width - text_x - text_w
    targets = [prs.slides[0], prs.slides[-1]] if len(prs.slides) > 1 else [prs.slides[0]]
    png = _placeholder_png()
    media = ""
    added: list[Any] = []  # the text boxes added here: marked in the deck's language
    for slide in targets:
        text = slide.shapes.add_textbox(Emu(text_x), Emu(box[1]), Emu(text_w), Emu(box[3]))
        added.append(text)
        frame = text.text_frame
        frame.word_wrap = True
        first = frame.paragraphs[0]
        before, after = wording
        lead = first.add_run()
        lead.text = before
        name = first.add_run()
        name.text = NAME_TOKEN
        name.font.bold = True
        if after:
            first.add_run().text = after
        second = frame.add_paragraph()
        second.add_run().text = CONTACT_TOKEN
        for para, size in ((first, SLOT_NAME_PT), (second, 13)):
            for run in para.runs:
                run.font.size = Pt(size)
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)  # type: ignore[no-untyped-call]
        pad = int(0.1 * inch)
        card = slide.shapes.add_shape(
            MSO_SHAPE.ROUNDED_RECTANGLE,
            Emu(box[0] - pad),
            Emu(box[1] - pad),
            Emu(box[2] + 2 * pad),
            Emu(box[3] + 2 * pad),
        )
        card.name = CARD_SHAPE
        card.fill.solid()
        card.fill.fore_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)  # type: ignore[no-untyped-call]
        card.line.fill.background()
        card.shadow.inherit = False
        pic = slide.shapes.add_picture(
            io.BytesIO(png), Emu(box[0]), Emu(box[1]), Emu(box[2]), Emu(box[3])
        )
        pic.name = LOGO_SHAPE
        rid = pic._element.xpath(".//a:blip/@r:embed")[0]
        media = str(slide.part.related_part(rid).partname).lstrip("/")
    marked = list(prs.slides) if part == "team" else targets
    slotted = {slide.slide_id for slide in targets}
    if part == "team":
        for slide in prs.slides:
            if slide.slide_id in slotted:
                continue  # the co-brand slot already says it
            footer = slide.shapes.add_textbox(
                Emu(int(0.4 * inch)),
                Emu(height - int(0.42 * inch)),
                Emu(width - FOOTER_MARGINS),
                Emu(int(0.32 * inch)),
            )
            footer.name = FOOTER_SHAPE
            added.append(footer)
            para = footer.text_frame.paragraphs[0]
            before, after = wording
            para.add_run().text = before
            token = para.add_run()
            token.text = NAME_TOKEN
            token.font.bold = True
            para.add_run().text = after
            for run in para.runs:
                run.font.size = Pt(FOOTER_PT)
                run.font.color.rgb = RGBColor(0x4A, 0x55, 0x68)  # type: ignore[no-untyped-call]
    if language:
        marks = DeckLanguage.of(language)
        for shape in added:
            mark_runs(shape.text_frame._txBody.iterchildren(qn("a:p")), marks)
    out = io.BytesIO()
    prs.save(out)
    names = [str(s.part.partname).lstrip("/") for s in marked]
    # what cobrand() replaces comes last: the members before it are the same bytes in every
    # partner's deck, copied (and checksummed) as one piece
    archive = SpliceBase.parse(repack(out.getvalue(), as_of, last={*names, media}))
    slides = archive.read_all(names)
    return DeckBase(archive, slides, media, box, language, width)


def _fit(box: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest rectangle of the logo's aspect ratio centred in the box (no distortion)."""
    x, y, cx, cy = box
    w, h = size
    scale = min(cx / w, cy / h)
    fw, fh = int(w * scale), int(h * scale)
    return x + (cx - fw) // 2, y + (cy - fh) // 2, fw, fh


_PIC_RE = re.compile(
    rb"<p:pic>(?:(?!</p:pic>).)*?name=\"" + LOGO_SHAPE.encode() + rb"\".*?</p:pic>", re.S
)
_CARD_RE = re.compile(
    rb"<p:sp>(?:(?!</p:sp>).)*?name=\"" + CARD_SHAPE.encode() + rb"\".*?</p:sp>", re.S
)
#: a paragraph holding a token (python-pptx writes the a:p it adds without attributes)
_TOKEN_PARA_RE = re.compile(
    rb"<a:p>(?:(?!</a:p>).)*?(?:%b|%b).*?</a:p>" % (NAME_TOKEN.encode(), CONTACT_TOKEN.encode()),
    re.S,
)
_A_P = b"<a:p>"
_A_P_DECLARED = b'<a:p xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'


@functools.lru_cache(maxsize=8)
def _deck_language(language: str) -> DeckLanguage:
    from salesplay.render.pptx_script import DeckLanguage

    return DeckLanguage.of(language)


#: the first code point pptx_script.script_typefaces gives a typeface (Hebrew)
_FIRST_MARKED = 0x0590


@functools.lru_cache(maxsize=8)
def _right_to_left(language: str | None) -> bool:
    """Whether a deck in `language` runs right to left, asked of Babel alone (True for a
    language it does not know: the caller then marks the words, which says why)."""
    if not language:
        return False
    from babel import Locale, UnknownLocaleError

    try:
        return bool(Locale.parse(language.replace("-", "_")).character_order == "right-to-left")
    except (ValueError, UnknownLocaleError):
        return True


@functools.lru_cache(maxsize=256)
def _spliced(paragraph: bytes, name: str, contact: str, language: str | None) -> bytes:
    """A paragraph holding tokens with the partner's name and contact in their place,
    marked as the deck's own text is (pptx_script.mark_runs): a run in another script gets
    its typeface; right to left, the paragraph takes the direction of its words, and a
    Latin name or contact ending in a full stop a left-to-right mark after it, which keeps
    the full stop at its end (it was drawn ".Acme Co").

    Only these few paragraphs are parsed, and a partner's once for all its decks (cached:
    every deck of a kit holds the same ones); words that need no marking (Latin ones in a
    left-to-right deck) are put in as they are, without python-pptx (a kit made alone, for
    a partner's new contact, never imports it)."""
    xml = paragraph.replace(NAME_TOKEN.encode(), escape(name, quote=False).encode())
    xml = xml.replace(CONTACT_TOKEN.encode(), escape(contact, quote=False).encode())
    if not _right_to_left(language) and all(ord(c) < _FIRST_MARKED for c in name + contact):
        return xml  # (script_typefaces marks nothing below it)
    from salesplay.render.pptx_script import mark_runs, script_typefaces

    marks = _deck_language(language) if language else None
    plain = script_typefaces(name) == script_typefaces(contact) == (None, None)
    if plain and not (marks and marks.rtl):
        return xml  # as prepare() marked it: nothing in it depends on these words
    from lxml import etree
    from pptx.oxml import parse_xml

    p = parse_xml(_A_P_DECLARED + xml[len(_A_P) :])
    mark_runs([p], marks)
    marked: bytes = etree.tostring(p, encoding="UTF-8")
    assert marked.startswith(_A_P_DECLARED), marked[:80]
    return _A_P + marked[len(_A_P_DECLARED) :]


_TEXT_RE = re.compile(rb"<a:t>([^<]*)</a:t>")


@functools.lru_cache(maxsize=256)
def _sized(paragraph: bytes, slide_width: int) -> bytes:
    """A paragraph holding a partner's name at a size its box holds: the name on the title
    and closing slides in SLOT_NAME_LINES lines, a team deck's footer in one (estimated as
    the decks' own text is, pptx_fit.line_starts at GLYPH_EM). A 300-character name ran
    four lines down over the contact and off the slide, and the footer past both edges of
    it; a name of ordinary length keeps the design's size, byte for byte.

    Cached as _spliced is: every deck of a kit holds the same few paragraphs, and measuring
    the name's lines took about a quarter of co-branding a deck (under cProfile)."""
    from salesplay.render.pptx_fit import EMU_PER_PT, GLYPH_EM, line_starts

    slot, footer = f'sz="{SLOT_NAME_PT * 100}"'.encode(), f'sz="{FOOTER_PT * 100}"'.encode()
    if slot in paragraph:  # the slot's text box: the slide less the logo box and margins
        size, least, lines, was = SLOT_NAME_PT, SLOT_NAME_LEAST, SLOT_NAME_LINES, slot
        room = SLOT_LOGO_W + SLOT_MARGINS
    elif footer in paragraph:
        size, least, lines, room, was = FOOTER_PT, FOOTER_LEAST, 1, FOOTER_MARGINS, footer
    else:
        return paragraph  # the contact's: the band's check holds it
    text = unescape(b"".join(_TEXT_RE.findall(paragraph)).decode("utf-8"))
    width = (slide_width - room) / EMU_PER_PT - 14.4  # the text box's insets

    def fits(points: float) -> bool:
        return len(line_starts(text, max(1, int(width / (GLYPH_EM * points))))) <= lines

    if not slide_width or fits(size):
        return paragraph
    steps = [size * k / 20 for k in range(19, int(least / size * 20) - 1, -1)]
    chosen = next((s for s in steps if fits(s)), least)
    return paragraph.replace(was, f'sz="{round(chosen * 100)}"'.encode())


def cobrand(base: DeckBase, mark: PartnerMark) -> Summed:
    """The deck with the partner's name, contact and logo in the co-brand slots (and its
    name in a team deck's marking on every slide), with its CRC-32 and SHA-256 (a kit's zip
    and manifest need them; only what follows the members every partner's deck shares is
    checksummed, see archive.splice).

    Only what follows each slide's unchanging part (DeckBase.split) is edited and deflated
    per partner; each slide inflates to what editing the whole slide gives, the paragraphs
    holding the partner's words marked as the deck's own text is (_spliced)."""
    spliced: dict[bytes, bytes] = {}
    placeholder, fitted = base.placeholder, b""
    if mark.logo_png:
        fx, fy, fcx, fcy = _fit(base.box, mark.logo_size)
        fitted = f'<a:off x="{fx}" y="{fy}"/><a:ext cx="{fcx}" cy="{fcy}"/>'.encode()
    replacements: dict[str, bytes | Deflated] = {}
    for member, slide in base.split.items():
        xml = slide.tail if mark.logo_png else slide.bare
        for paragraph in slide.paragraphs:
            words = spliced.get(paragraph)
            if words is None:
                words = _spliced(paragraph, mark.name, mark.contact, base.language)
                words = _sized(words, base.width)
                spliced[paragraph] = words
            xml = xml.replace(paragraph, words)
        if mark.logo_png:
            xml = xml.replace(placeholder, fitted)
        replacements[member] = slide.completed(xml)
    logo = mark.deflated_logo
    if logo is not None:
        replacements[base.media] = logo
    return splice(base.archive, replacements)


def logo_png(path: Path) -> tuple[bytes, tuple[int, int]]:
    """A partner logo as PNG bytes and pixel size, decoded within the bounds `check` enforces.

    SVG is rasterised in CairoSVG's safe mode (nothing fetched); rasters are re-encoded.
    Raises images.ImageError for a file that `check` would have refused.
    """
    checked = images.check_image(
        path.read_bytes(), path.suffix, publish=True, side=images.PARTNER_SIDE
    )
    return checked.png, checked.png_size

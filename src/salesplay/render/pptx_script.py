"""A deck's languages and scripts: each run's lang, the Noto typefaces its text needs,
and right-to-left paragraphs and masters."""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn

from salesplay.render.fonts import noto_cjk
from salesplay.render.slides import DeckError
from salesplay.richtext import (
    dominant_direction,
    ltr_runs,
    reorders_in_rtl,
)

#: The Noto typefaces `make` installs (fonts-noto-core, fonts-noto-cjk): a run holding
#: complex-script text names one as its a:cs typeface, east-asian text as its a:ea one, so
#: that no viewer falls back to a font without those glyphs.
_CS_FONTS = (
    ((0x0590, 0x05FF), (0xFB1D, 0xFB4F), "Noto Sans Hebrew"),
    # presentation forms A and B, not what lies between (U+FE00–FE6F: variation selectors,
    # as in "✔️", CJK and small forms) nor U+FEFF: an emoji made an English run "Arabic"
    ((0x0600, 0x08FF), (0xFB50, 0xFDFF), "Noto Sans Arabic"),
    ((0xFE70, 0xFEFE), (0xFE70, 0xFEFE), "Noto Sans Arabic"),
    ((0x0900, 0x097F), (0xA8E0, 0xA8FF), "Noto Sans Devanagari"),
    ((0x0E00, 0x0E7F), (0x0E00, 0x0E7F), "Noto Sans Thai"),
)
_EA_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x31FF),  # CJK punctuation, kana, bopomofo, Hangul compatibility jamo
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)
_EA_DEFAULT = noto_cjk("")
#: complex-script typefaces without the ASCII digits (fonts-noto-core's Hebrew and Thai):
#: a digit in a run that names one as its a:cs is drawn in it (it takes the script of the
#: letters around it), and LibreOffice drew "שחזור פי 10" with a blank for the "10"
_NO_DIGITS = frozenset({"Noto Sans Hebrew", "Noto Sans Thai"})
#: what a run of such text sets apart: its digits, in Noto Sans
_DIGITS_FONT = "Noto Sans"
_DIGIT_RUN = re.compile(r"([0-9]+)")
#: the complex-script typeface of a language by its ISO 15924 script
_SCRIPT_FONTS = {
    "Arab": "Noto Sans Arabic",
    "Hebr": "Noto Sans Hebrew",
    "Deva": "Noto Sans Devanagari",
    "Thai": "Noto Sans Thai",
}
# a:rPr children that come after a:ea and a:cs (CT_TextCharacterProperties sequence)
_AFTER_CS = ("a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")
_AFTER_EA = ("a:cs", *_AFTER_CS)


@dataclass(frozen=True)
class DeckLanguage:
    """How a deck's runs are marked: `tag` for their lang attribute ("de-DE"), whether its
    paragraphs run right to left, the typeface of its Han characters and, for a language
    written in a complex script, that script's typeface."""

    tag: str
    rtl: bool
    east_asian: str
    complex_script: str | None = None

    @classmethod
    def of(cls, language: str) -> DeckLanguage:
        """From a BCP 47 tag: "de" gives "de-DE" (Office wants a region), "ar" right to left."""
        from babel import Locale, UnknownLocaleError
        from babel.core import get_global

        code = language.replace("-", "_")
        try:
            locale = Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            raise DeckError(f"unknown deck language {language!r}") from None
        # CLDR's likely subtags, e.g. "ar_Arab_EG" (Locale.parse drops a script it has no
        # data for, so the parts are read as they are)
        subtags = get_global("likely_subtags")
        likely = str(subtags.get(str(locale)) or subtags.get(locale.language) or locale.language)
        parts = likely.split("_")
        territory = locale.territory or next((x for x in parts[1:] if len(x) != 4), None)
        tag = locale.language + (f"-{territory}" if territory else "")
        # Han characters take the forms of the deck's language (Japanese unless it says)
        script = locale.script or next((x for x in parts[1:] if len(x) == 4), "")
        cjk = noto_cjk(f"{locale.language}-{script}" if script == "Hant" else language)
        return cls(tag, locale.character_order == "right-to-left", cjk, _SCRIPT_FONTS.get(script))


def script_typefaces(text: str, east_asian: str = _EA_DEFAULT) -> tuple[str | None, str | None]:
    """The (a:ea, a:cs) typefaces a run of ``text`` needs; None where it has no such text."""
    ea = cs = None
    for ch in text:
        cp = ord(ch)
        if cp < 0x0590:
            continue
        if ea is None and any(lo <= cp <= hi for lo, hi in _EA_RANGES):
            ea = east_asian
        if cs is None:
            cs = next(
                (f for a, b, f in _CS_FONTS if a[0] <= cp <= a[1] or b[0] <= cp <= b[1]), None
            )
        if ea is not None and cs is not None:
            break
    return ea, cs


def _split_digits(run: Any, east_asian: str) -> list[Any]:
    """A run whose complex-script typeface has no digits (Hebrew, Thai) split around its
    digits, each stretch of digits a run of its own with the same properties; returns those
    runs of digits, for Noto Sans."""
    texts = list(run.iterchildren(qn("a:t")))
    if len(texts) != 1 or not texts[0].text:
        return []
    text = texts[0].text
    if script_typefaces(text, east_asian)[1] not in _NO_DIGITS or not _DIGIT_RUN.search(text):
        return []
    pieces = [p for p in _DIGIT_RUN.split(text) if p]
    texts[0].text = pieces[0]
    digits = [run] if pieces[0].isdigit() else []
    at = run
    for piece in pieces[1:]:
        clone = copy.deepcopy(run)
        next(clone.iterchildren(qn("a:t"))).text = piece
        if piece.isdigit():
            digits.append(clone)
        at.addnext(clone)
        at = clone
    return digits


def _set_typeface(r_pr: Any, tag: str, typeface: str, after: tuple[str, ...]) -> None:
    found = r_pr.find(qn(tag))
    if found is None:
        found = r_pr.makeelement(qn(tag), {})
        r_pr.insert_element_before(found, *after)
    found.set("typeface", typeface)


def mark_runs(p_elements: Any, language: DeckLanguage | None, inherited: Any = None) -> None:
    """Set lang, the a:ea/a:cs typefaces the text needs and, right to left, rtl="1" and
    right alignment on each a:p of ``p_elements`` (rtl="0" on one with no right-to-left
    letter: it keeps its own direction, aligned as the others).

    ``inherited(p)`` is the alignment a paragraph inherits from its layout and master; a
    centred one stays centred.
    """
    east_asian = language.east_asian if language else _EA_DEFAULT
    for p in p_elements:
        # held here, so that lxml hands back these same elements below (`is`)
        digits = [
            d for run in list(p.iterchildren(qn("a:r"))) for d in _split_digits(run, east_asian)
        ]
        for run in p.iterchildren(qn("a:r"), qn("a:fld")):
            r_pr = run.get_or_add_rPr()
            if language is not None:
                r_pr.set("lang", language.tag)
            text = "".join(t.text or "" for t in run.iterchildren(qn("a:t")))
            ea, cs = script_typefaces(text, east_asian)
            if ea:
                _set_typeface(r_pr, "a:ea", ea, _AFTER_EA)
            if cs:
                _set_typeface(r_pr, "a:cs", cs, _AFTER_CS)
            elif any(run is d for d in digits):
                _set_typeface(r_pr, "a:cs", _DIGITS_FONT, _AFTER_CS)
        if language is None:
            continue
        for br in p.iterchildren(qn("a:br")):
            br.get_or_add_rPr().set("lang", language.tag)
        end = p.find(qn("a:endParaRPr"))
        if end is None:
            end = p.makeelement(qn("a:endParaRPr"), {})
            p.append(end)  # the last child of a:p
        end.set("lang", language.tag)
        if language.rtl:
            p_pr = p.get_or_add_pPr()
            # every paragraph runs right to left, its bullet on the right, a missing
            # translation's English source text too: its runs keep their full stops
            p_pr.set("rtl", "1")
            align = p_pr.get("algn") or (inherited(p) if inherited else None) or "l"
            if align == "l":
                p_pr.set("algn", "r")
            runs = list(p.iterchildren(qn("a:r")))
            for at, run in enumerate(runs):
                after = "".join(t.text or "" for r in runs[at + 1 :] for t in r.iter(qn("a:t")))
                _keep_left_to_right_ends(run, before_right_to_left=_has_right_to_left(after))
                _keep_numbers_left_to_right(run)


#: LEFT-TO-RIGHT MARK: a strong left-to-right character that draws nothing
_LRM = "\u200e"


#: what ends a Latin label inside a right-to-left sentence as the sentence's own punctuation
_SENTENCE_MARKS = frozenset(":,;،؛")


def _keep_left_to_right_ends(run: Any, *, before_right_to_left: bool = False) -> None:
    """A left-to-right run in a right-to-left paragraph (a missing translation's English
    source, alone or after an Arabic label) keeps the full stop or bracket it ends with at
    its end, and the bracket or number it starts with at its start: a left-to-right mark
    after or before it, as the bidi algorithm would otherwise move them to the paragraph's
    side (".automatically", "Beta) Cloud(").

    A run that right-to-left text follows in its paragraph (a Latin term as a label,
    "MSP: " before its Arabic meaning) is part of that sentence: the colon, comma or
    semicolon it ends with is the sentence's and goes on the paragraph's side, after the
    term as an Arabic reader reads it (a mark there drew ":MSP"). A full stop or bracket
    there is the words' own ("Gulf Tech Solutions Co." before " — وليس للعملاء") and keeps
    its mark.
    """
    texts = [t for t in run.iterchildren(qn("a:t")) if t.text]
    if not texts:
        return
    text = "".join(t.text for t in texts)
    body = text.strip()
    if not body or not _left_to_right(body):
        return
    words_own = not before_right_to_left or body[-1] not in _SENTENCE_MARKS
    if (
        words_own
        and not body.endswith(_LRM)
        and unicodedata.bidirectional(body[-1]) not in ("L", "EN", "AN")
    ):
        last = texts[-1]
        trailing = len(text) - len(text.rstrip())
        cut = len(last.text) - trailing
        last.text = last.text[:cut] + _LRM + last.text[cut:]
    if body[0] != _LRM and unicodedata.bidirectional(body[0]) != "L":
        first = next(t for t in texts if t.text.strip())
        leading = len(first.text) - len(first.text.lstrip())
        first.text = first.text[:leading] + _LRM + first.text[leading:]


def _keep_numbers_left_to_right(run: Any) -> None:
    """A number written in groups, or with a sign, in a right-to-left paragraph ("على +1 555
    0199 أو …", a stretch of richtext.ltr_runs that starts with a digit or a sign) comes
    after a left-to-right mark: its digits and the spaces between them then read left to
    right (UAX #9 rule W7), where the spaces took the paragraph's direction and the slide
    read "0199 555 1 +". A lone number ("5,000", "99.9%") reads as written already, and a
    stretch that starts with a Latin letter carries its digits with it."""
    for t in run.iterchildren(qn("a:t")):
        if not t.text:
            continue
        # and one after it where it ends on a sign: "18 %" alone (a proof's figure) read "% 18"
        pieces = [
            _LRM + part + (_LRM if unicodedata.bidirectional(part[-1]) != "EN" else "")
            if ltr and reorders_in_rtl(part)
            else part
            for part, ltr in ltr_runs(t.text)
        ]
        t.text = "".join(pieces)


def _has_right_to_left(text: str) -> bool:
    """Whether `text` holds a right-to-left letter."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def _left_to_right(text: str) -> bool:
    """Whether `text` has left-to-right letters and no right-to-left one."""
    return dominant_direction(text) == "ltr" and not _has_right_to_left(text)


def _inherited_align(slide: Any) -> Any:
    """A function: the alignment a paragraph of ``slide`` inherits from its placeholder on
    the layout (lstStyle), the master's placeholder and text styles; None if none says."""
    layout = slide.slide_layout
    master = layout.slide_master
    by_idx = {ph.placeholder_format.idx: ph for ph in layout.placeholders}
    by_type = {ph.placeholder_format.type: ph for ph in master.placeholders}

    def align(p: Any) -> str | None:
        level = int(p.pPr.get("lvl", "0")) + 1 if p.pPr is not None else 1
        sp = next((a for a in p.iterancestors(qn("p:sp"))), None)
        ph = sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}") if sp is not None else None
        if ph is None:
            return None
        kind = ph.get("type", "body")
        sources = []
        layout_ph = by_idx.get(int(ph.get("idx", "0")))
        if layout_ph is not None:
            sources.append(layout_ph._element)
            master_ph = by_type.get(layout_ph.placeholder_format.type)
            if master_ph is not None:
                sources.append(master_ph._element)
        for source in sources:
            found = source.xpath(f"./p:txBody/a:lstStyle/a:lvl{level}pPr/@algn")
            if found:
                return str(found[0])
        style = "titleStyle" if kind in ("title", "ctrTitle") else "bodyStyle"
        found = master._element.xpath(f"./p:txStyles/p:{style}/a:lvl{level}pPr/@algn")
        return str(found[0]) if found else None

    return align


def mirror(prs: Any) -> None:
    """A right-to-left deck's master and layouts, mirrored before any slide is made: the
    accent rule under a right-aligned title, a proof's figure panel, the first of two columns
    and the logo's place go to the right, as an Arabic reader starts there. A shape that
    takes its place from the master (no position of its own) follows it."""
    width = prs.slide_width
    for shapes in (prs.slide_master.shapes, *(layout.shapes for layout in prs.slide_layouts)):
        for shape in shapes:
            xfrm = shape._element.find(f".//{qn('a:xfrm')}")
            if xfrm is None or xfrm.find(qn("a:off")) is None:
                continue
            # a shape placed without a size of its own (an <a:xfrm> with <a:off> only, which
            # the schema allows) mirrors its left edge
            shape.left = width - shape.left - (shape.width or 0)


def localize(prs: Any, language: str | None) -> None:
    """Mark every run of the slides and their notes with ``language`` (see `mark_runs`);
    without a language, still give runs of other scripts their Noto typefaces."""
    lang = DeckLanguage.of(language) if language else None
    if lang is not None:
        _theme_fallbacks(prs, lang)
    for slide in prs.slides:
        mark_runs(slide._element.iter(qn("a:p")), lang, _inherited_align(slide))
        if slide.has_notes_slide:
            mark_runs(slide.notes_slide._element.iter(qn("a:p")), lang)


def _theme_fallbacks(prs: Any, language: DeckLanguage) -> None:
    """Fill the theme's empty east-asian and complex-script typefaces (the default master
    leaves them empty) with the language's Noto ones: text added to the deck later without
    typefaces of its own (a partner's name in a kit) falls back to them."""
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    blob = theme.blob.replace(
        b'<a:ea typeface=""/>', f'<a:ea typeface="{language.east_asian}"/>'.encode()
    )
    if language.complex_script:
        blob = blob.replace(
            b'<a:cs typeface=""/>', f'<a:cs typeface="{language.complex_script}"/>'.encode()
        )
    theme.blob = blob

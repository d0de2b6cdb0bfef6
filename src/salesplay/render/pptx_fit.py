"""Text fitting for slides: estimated line wrap, and pagination that never drops text."""

from __future__ import annotations

import bisect
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from salesplay.richtext import UNSPACED_SCRIPTS, Para, Run

EMU_PER_PT = 12700
# Average glyph width in em: Calibri is ~0.45, LibreOffice's usual fallback DejaVu Sans
# ~0.53, so 0.55 keeps text inside its box in both.
GLYPH_EM = 0.55


@dataclass(frozen=True)
class TextBox:
    """Text area of a placeholder in points, with per-level font size and left margin."""

    width: float
    height: float
    sizes: tuple[float, ...]
    margins: tuple[float, ...]
    scale: float = 1.0  # text set larger than the master's sizes, to fill the box

    def style(self, para: Para) -> tuple[int, float, float]:
        """(outline level, font size, left margin) a paragraph is rendered with."""
        if para.bullet or para.level == 0:
            lvl = min(para.level, 8)
            margin = self.margins[lvl] if para.bullet else 0.0
            return lvl, self.sizes[lvl] * self.scale, margin
        # A non-bullet paragraph inside a list aligns with its parent item's text.
        lvl = min(para.level - 1, 8)
        return lvl, self.sizes[lvl] * self.scale, self.margins[lvl]

    def chars_per_line(self, para: Para) -> int:
        _, size, margin = self.style(para)
        return max(1, int((self.width - margin) / (GLYPH_EM * size)))

    def height_of(self, para: Para) -> float:
        _, size, _ = self.style(para)
        lines = len(line_starts(_text(para), self.chars_per_line(para)))
        return lines * 1.2 * size + 0.4 * size


def _text(para: Para) -> str:
    prefix = f"{para.number}. " if para.number is not None and para.bullet else ""
    return prefix + "".join(r.text for r in para.runs)


def _cells(ch: str) -> int:
    """Width of a character in average glyphs: a CJK or full-width one is about two."""
    return 2 if ch >= "\u1100" and unicodedata.east_asian_width(ch) in "WF" else 1


#: hyphens a line breaks after inside a word, as PowerPoint does ("Ransomware-" /
#: "Bereitschaftscheck")
_HYPHENS = "-\u2010"


def _unspaced(ch: str) -> bool:
    """Whether `ch` is of a script written without spaces between words (Thai, Lao,
    Myanmar, Khmer), whose lines PowerPoint breaks between words it finds in a dictionary."""
    return any(first <= ch <= last for first, last in UNSPACED_SCRIPTS)


def _pieces(word: str) -> list[tuple[str, int]]:
    """`word` (no spaces) cut where a line may break inside it, each piece with its width in
    average glyphs: after a hyphen, on either side of a CJK character (CJK text breaks
    between any two characters), and between the letters of a script written without
    spaces (a letter with its marks: the words PowerPoint finds there are not known here,
    so a line is taken to break where it fills). A piece stays whole on its line unless it
    is wider."""
    if not any(h in word for h in _HYPHENS) and (not word or max(word) < "\u0e00"):
        return [(word, len(word))]  # no hyphen, CJK or unspaced letter (see _cells): whole
    pieces: list[tuple[str, int]] = []
    start = width = 0
    for i, ch in enumerate(word):
        if _unspaced(ch):
            if start < i:
                pieces.append((word[start:i], width))
            mark = unicodedata.category(ch) in ("Mn", "Mc")
            if mark and pieces and _unspaced(pieces[-1][0][-1]) and start == i:
                # a vowel sign or tone mark stays with its letter
                text, cells = pieces[-1]
                pieces[-1] = (text + ch, cells + (unicodedata.category(ch) == "Mc"))
            else:
                pieces.append((ch, 0 if unicodedata.category(ch) == "Mn" else 1))
            start, width = i + 1, 0
        elif _cells(ch) == 2:
            if start < i:
                pieces.append((word[start:i], width))
            pieces.append((ch, 2))
            start, width = i + 1, 0
        elif ch in _HYPHENS:
            pieces.append((word[start : i + 1], width + 1))
            start, width = i + 1, 0
        else:
            width += 1
    if start < len(word) or not pieces:
        pieces.append((word[start:], width))
    return pieces


def longest_unbroken(text: str) -> int:
    """The width, in average glyphs, of the widest stretch of `text` a line never breaks
    inside (see `_pieces`): a word, or the part of one up to and with a hyphen; a CJK
    character. `line_starts` wraps at the same places (a no-break space joins words)."""
    words = text.replace("\n", " ").split(" ")
    return max((width for word in words for _, width in _pieces(word)), default=0)


def _wide(text: str) -> bool:
    return any(_cells(ch) == 2 for ch in text)


def line_starts(text: str, cpl: int) -> list[int]:
    """Offsets where greedy wrap at ``cpl`` average glyphs starts each line.

    A line breaks at a space, or inside a word where PowerPoint breaks one (`_pieces`:
    after a hyphen, around a CJK character); a piece of a word longer than a line wraps
    between characters.
    """
    starts: list[int] = []
    pos = 0
    for segment in text.split("\n"):
        starts.append(pos)
        col = 0
        offset = pos
        for word in segment.split(" "):
            gap = 1 if col else 0  # the space before the word, unless it starts a line
            for piece, width in _pieces(word):
                if col and col + gap + width > cpl:
                    starts.append(offset)
                    col = gap = 0
                col += gap
                gap = 0
                if col + width > cpl:
                    for i, ch in enumerate(piece):
                        cells = _cells(ch)
                        if col and col + cells > cpl:
                            starts.append(offset + i)
                            col = 0
                        col += cells
                else:
                    col += width
                offset += len(piece)
            offset += 1
        pos += len(segment) + 1
    return starts


def _split_runs(runs: Sequence[Run], at: int) -> tuple[tuple[Run, ...], tuple[Run, ...]]:
    head: list[Run] = []
    tail: list[Run] = []
    pos = 0
    for run in runs:
        cut = min(max(at - pos, 0), len(run.text))
        if cut:
            head.append(replace(run, text=run.text[:cut]))
        if cut < len(run.text):
            tail.append(replace(run, text=run.text[cut:]))
        pos += len(run.text)
    if head:
        head[-1] = replace(head[-1], text=head[-1].text.rstrip())
    if tail:
        tail[0] = replace(tail[0], text=tail[0].text.lstrip())
    return tuple(r for r in head if r.text), tuple(r for r in tail if r.text)


#: what ends a sentence, and what may close it after that ("…costs.”", "(see above.)")
_SENTENCE_ENDS = ".!?…。！？؟۔"
_CLOSERS = "\"')]}”’»」』"


def _ends_sentence(text: str) -> bool:
    """Whether `text` ends with a sentence's end: a cut there reads as a new paragraph."""
    last = text.rstrip().rstrip(_CLOSERS)[-1:]
    return bool(last) and last in _SENTENCE_ENDS


def _split(
    para: Para, box: TextBox, lines: int, *, sentence: bool = False, least: int = 1
) -> tuple[Para, Para] | None:
    """Cut ``para`` so that its head takes ``least`` to ``lines`` lines, if it can be: at the
    last sentence's end there if that keeps half of them (only there if ``sentence``), else
    at the last word boundary; where it can, two lines or more go on to the next page."""
    text = _text(para)
    prefix = len(text) - len("".join(r.text for r in para.runs))
    cpl = box.chars_per_line(para)
    starts = line_starts(text, cpl)

    def breaks(at: int) -> bool:
        # between words, or between two characters where one is CJK, or two letters of a
        # script written without spaces (no spaces there; line_starts never parts a mark)
        return (
            text[at - 1] in " \n"
            or _wide(text[at - 1 : at + 1])
            or (_unspaced(text[at - 1]) and at < len(text) and _unspaced(text[at]))
        )

    def tail_lines(at: int) -> int:
        return len(line_starts(text[at:].lstrip(), cpl))

    def last(cuts: list[tuple[int, int]]) -> tuple[int, int] | None:
        fitting = [(n, at) for n, at in cuts if least <= n <= lines]
        # a last line alone at the top of the next page reads as a stray remark
        kept = next((c for c in reversed(fitting) if tail_lines(c[1]) >= 2), None)
        return kept or (fitting[-1] if fitting else None)

    words = [(n, at) for n, at in enumerate(starts[1:], start=1) if at > prefix and breaks(at)]
    # a sentence mostly ends inside a line: its head's lines are those up to that line
    ends = [
        (bisect.bisect_left(starts, at), at)
        for at in range(prefix + 1, len(text))
        if breaks(at) and _ends_sentence(text[max(0, at - 8) : at])
    ]
    at_end, at_word = last(ends), last(words)
    if at_end and (sentence or 2 * at_end[0] >= lines):
        cut = at_end[1]
    elif at_word and not sentence:
        cut = at_word[1]
    else:
        return None
    head, tail = _split_runs(para.runs, cut - prefix)
    level = para.level + 1 if para.bullet else para.level
    return replace(para, runs=head), Para(tail, bullet=False, level=level)


def is_label(para: Para) -> bool:
    """Whether ``para`` is a label that heads what follows it ("Landmines", "Where they
    win"): its text is all bold."""
    return bool(para.text.strip()) and all(r.bold for r in para.runs if r.text.strip())


def first_page(paras: Sequence[Para], box: TextBox) -> tuple[tuple[Para, ...], tuple[Para, ...]]:
    """What of ``paras`` goes on one page of ``box``, and what continues on the next.

    A paragraph that does not fit what is left of the page but fits a page of its own is
    moved whole to the next one: a list item, an objection's answer; prose is cut there only
    at a sentence's end. One longer than a page is cut between words where the page ends
    (at a sentence's end if one is near), leaving two lines or more on either side. Labels
    at the page's foot go with the paragraph they head ("Landmines" never ends a page
    alone), and so do paragraphs kept with the next (an objection with its answer), unless
    they are all the page holds.
    """
    page: list[Para] = []
    used = 0.0
    queue = list(paras)
    while queue:
        para = queue.pop(0)
        need = box.height_of(para)
        if used + need <= box.height or (not page and need <= box.height):
            page.append(para)
            used += need
            continue
        held = 0  # the labels that end the page, which head ``para``
        while held < len(page) and (is_label(page[-1 - held]) or page[-1 - held].keep_with_next):
            held += 1
        labels = page[len(page) - held :]
        movable = held < len(page)  # a page is never left holding nothing
        together = need + sum(box.height_of(p) for p in labels)
        if movable and together <= box.height and (held or para.bullet):
            return tuple(page[: len(page) - held]), (*labels, para, *queue)
        _, size, _ = box.style(para)
        room = math.floor((box.height - used - 0.4 * size) / (1.2 * size))
        least = 2 if page else 1  # no cut leaves one line at a page's foot
        parts = (
            _split(para, box, room, sentence=need <= box.height and not held, least=least)
            if room >= least
            else None
        )
        if parts is not None:
            page.append(parts[0])
            return tuple(page), (parts[1], *queue)
        if not page:
            page.append(para)  # one unbreakable word taller than the box: keep it whole
            return tuple(page), tuple(queue)
        if movable:
            return tuple(page[: len(page) - held]), (*labels, para, *queue)
        return tuple(page), (para, *queue)
    return tuple(page), ()


def paginate(paras: Sequence[Para], box: TextBox) -> list[tuple[Para, ...]]:
    """Paragraphs per page so that each page fits ``box``; never drops text (first_page)."""
    pages = []
    rest = tuple(paras)
    while True:
        page, rest = first_page(rest, box)
        pages.append(page)
        if not rest:
            return pages


#: the scales tried on a slide's text, largest first: short text is set up to 60 % larger
#: than the master's sizes (18 pt body text at 29 pt), and text a little too long for one
#: slide down to 20 % smaller (14.4 pt) rather than leaving a line on a "(cont.)" slide.
FIT_SCALES = (1.6, 1.4, 1.25, 1.1, 1.0, 0.9, 0.8)


def fitted(
    columns: Sequence[Sequence[Para]],
    boxes: Sequence[TextBox],
    scales: Sequence[float] = FIT_SCALES,
) -> list[TextBox]:
    """The boxes at the largest of ``scales`` that fits every column on one slide.

    Short text at the master's size leaves most of a slide white; set larger it reads from
    the back of the room. Text that needs more than one slide even at the smallest scale
    continues on "(cont.)" slides, at the largest scale up to the master's size that needs
    the fewest: an item moved whole to the next slide (see first_page) left a third slide
    holding one landmine where text a tenth smaller kept to two.
    """
    best: tuple[int, list[TextBox]] | None = None
    for scale in scales:
        scaled = [replace(box, scale=scale) for box in boxes]
        slides = max(
            (len(paginate(paras, box)) for paras, box in zip(columns, scaled, strict=False)),
            default=1,
        )
        if slides == 1:
            return scaled
        if scale <= 1.0 and (best is None or slides < best[0]):
            best = (slides, scaled)
    return best[1] if best else list(boxes)


#: the scales tried on a quote (a Statement's sentence, a Proof's customer result): never
#: larger than the master's size, which is the design, and down to half of it (a proof's
#: 28 pt quote at 14 pt, a statement's 36 pt at 18 pt) before it goes on to another slide
QUOTE_SCALES = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)


#: a list shorter than this share of its box is spread down it by space between its items
SPREAD = 0.75
#: at most this much space (in points) is added between two items
MAX_GAP = 30.0


def gap_before(paras: Sequence[Para], index: int) -> bool:
    """Whether a short list's spread goes before paragraph ``index``: a top-level item that
    follows another item (never the first item under a heading, nor a sub-item)."""
    para = paras[index]
    return index > 0 and para.bullet and para.level == 0 and paras[index - 1].bullet


def spread(paras: Sequence[Para], box: TextBox) -> float:
    """Space to add between the items of a short list so that it fills its box; none in a
    column of labelled parts ("Where they win", then "Landmines" and two items), where it
    pulled two items of one part 35 pt apart while the parts stayed tight."""
    if any(not p.bullet for p in paras):
        return 0.0
    used = sum(box.height_of(p) for p in paras)
    gaps = sum(1 for i in range(len(paras)) if gap_before(paras, i))
    if not gaps or used >= SPREAD * box.height:
        return 0.0
    return min((SPREAD * box.height - used) / gaps, MAX_GAP)


def _level_attr(
    layout_ph: Any,
    master: Any,
    lvl: int,
    attr: str,
    child: str | None,
    style: str = "bodyStyle",
) -> str | None:
    """An attribute of a placeholder's level as its layout sets it, else as the master's
    `style` (bodyStyle, titleStyle) does."""
    tag = f"a:lvl{lvl + 1}pPr" + (f"/{child}" if child else "")
    for root, path in (
        (layout_ph._element, f"./p:txBody/a:lstStyle/{tag}/@{attr}"),
        (master._element, f"./p:txStyles/p:{style}/{tag}/@{attr}"),
    ):
        found = root.xpath(path)
        if found:
            return str(found[0])
    return None


def text_box(layout_ph: Any, master: Any) -> TextBox:
    """The text area of a layout's body placeholder, sizes and margins as its levels set them."""
    sizes = []
    margins = []
    for lvl in range(9):
        size = _level_attr(layout_ph, master, lvl, "sz", "a:defRPr")
        margin = _level_attr(layout_ph, master, lvl, "marL", None)
        sizes.append(int(size) / 100 if size else 18.0)
        margins.append(int(margin) / EMU_PER_PT if margin else 0.0)
    # Default insets are 0.1in left/right and 0.05in top/bottom.
    return TextBox(
        width=layout_ph.width / EMU_PER_PT - 14.4,
        height=layout_ph.height / EMU_PER_PT - 7.2,
        sizes=tuple(sizes),
        margins=tuple(margins),
    )


#: the least a title is shrunk to, of its master's size, to stay in its box
MIN_TITLE_SCALE = 0.6
#: the room a title growing upward leaves at the slide's top edge, in points
TOP_MARGIN = 14.4
#: the least a title slide's subtitle (a play's summary, a destination's promise) is shrunk
#: to: a long one ran out of its box, over the kit's "not for customers" band
MIN_SUBTITLE_SCALE = 0.4


class Fitted(NamedTuple):
    """The font size a text is given (None: its master's own) and whether it fits its box
    there: False when even the least size it may be shrunk to overflows."""

    size: float | None
    fits: bool


def title_size(layout_ph: Any, master: Any, text: str, above: bool = False) -> Fitted:
    """The font size, in points, that keeps `text` in the title placeholder's box, if the
    master's own size does not (None): a title placeholder anchored at its bottom grows
    upward past its box, over a logo above it. Shrunk in twentieths, down to
    MIN_TITLE_SCALE of the master's size, where it is said not to fit. `above`: the title
    may also take the room above its box, less a margin (a slide with no logo there): a
    title of 160 characters grew past the slide's top edge."""
    room = max(0.0, layout_ph.top / EMU_PER_PT - TOP_MARGIN) if above else 0.0
    return _fitting_size(layout_ph, master, text, "titleStyle", MIN_TITLE_SCALE, room)


def subtitle_size(layout_ph: Any, master: Any, text: str) -> Fitted:
    """The font size that keeps a subtitle in its placeholder's box, if the master's does not
    (None), down to MIN_SUBTITLE_SCALE of it, where it is said not to fit (see title_size)."""
    return _fitting_size(layout_ph, master, text, "bodyStyle", MIN_SUBTITLE_SCALE)


def _fitting_size(
    layout_ph: Any, master: Any, text: str, style: str, least: float, room: float = 0.0
) -> Fitted:
    found = _level_attr(layout_ph, master, 0, "sz", "a:defRPr", style=style)
    if found is None:
        return Fitted(None, True)  # no size to start from: the viewer's autofit decides
    size = int(found) / 100
    width = layout_ph.width / EMU_PER_PT - 14.4
    height = layout_ph.height / EMU_PER_PT - 7.2 + room

    def fits(points: float) -> bool:
        lines = len(line_starts(text, max(1, int(width / (GLYPH_EM * points)))))
        return lines * 1.2 * points <= height or lines == 1

    if fits(size):
        return Fitted(None, True)
    steps = range(19, int(least * 20) - 1, -1)
    found_size = next((size * k / 20 for k in steps if fits(size * k / 20)), None)
    return Fitted(size * least, False) if found_size is None else Fitted(found_size, True)

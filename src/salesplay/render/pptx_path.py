"""Path diagrams on slides: numbered step boxes in balanced rows, arrows, captions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from salesplay.render.pptx_fit import EMU_PER_PT, GLYPH_EM, line_starts, longest_unbroken
from salesplay.render.slides import PathStep
from salesplay.richtext import safe_href

#: at most this many steps side by side on one slide.
MAX_STEPS = 6


@dataclass(frozen=True)
class Area:
    """Where a slide's diagram goes, in EMU."""

    left: int
    top: int
    width: int
    height: int


def diagram_area(prs: Any, title_ph: Any) -> Area:
    """Below the slide's title, as wide as it; the slide's margins when it has none."""
    margin = int(Inches(0.6))
    top = title_ph.top + title_ph.height + int(Inches(0.3)) if title_ph is not None else margin
    left = title_ph.left if title_ph is not None else margin
    width = title_ph.width if title_ph is not None else prs.slide_width - 2 * margin
    return Area(left, top, width, prs.slide_height - top - int(Inches(0.5)))


_GAP, _BADGE, _CAPTION_GAP = Inches(0.5), Inches(0.5), Inches(0.15)
_MAX_BOX_W, _MIN_BOX_H = Inches(2.8), Inches(1.2)
_LABEL_SIZES, _CAPTION_PT = (16, 14), 12  # 14 pt is the smallest label we consider readable


@dataclass(frozen=True)
class _Row:
    """Geometry of one slide's row of steps, in EMU, and the label size in points."""

    width: int
    box_h: int
    caption_h: int
    label_pt: int


def _cpl(width_emu: float, size: float, em: float = GLYPH_EM) -> int:
    return max(1, int(width_emu / EMU_PER_PT / (em * size)))


def _row(steps: Sequence[PathStep], area: Area, force: bool = False) -> _Row | None:
    """How ``steps`` fit side by side in ``area``; None if they do not (unless ``force``)."""
    width = min(int((area.width - (len(steps) - 1) * _GAP) / len(steps)), _MAX_BOX_W)
    captions = max(
        len(line_starts(s.caption, _cpl(width, _CAPTION_PT))) if s.caption else 0 for s in steps
    )
    caption_h = int((captions * 1.2 + 0.6) * _CAPTION_PT * EMU_PER_PT)
    for size in _LABEL_SIZES:
        # Bold glyphs run wider; the rounded corners and insets take ~0.35in of the width.
        cpl = _cpl(width - Inches(0.35), size, em=0.6)
        lines = max(len(line_starts(s.label, cpl)) for s in steps)
        box_h = max(_MIN_BOX_H, int(lines * 1.2 * size * EMU_PER_PT + Inches(0.4)))
        row = _Row(width, box_h, caption_h, size)
        # no word cut in two: a German compound breaks after its hyphen, Japanese anywhere
        words_fit = all(longest_unbroken(s.label) <= cpl for s in steps)
        if words_fit and _BADGE // 2 + box_h + _CAPTION_GAP + caption_h <= area.height:
            return row
    return row if force else None


def step_pages(
    steps: Sequence[PathStep], area: Area
) -> list[tuple[int, tuple[PathStep, ...], _Row]]:
    """(first step number, steps, geometry) per slide, as few and as balanced as fit."""
    pages: list[tuple[int, tuple[PathStep, ...], _Row]] = []
    done = 0
    while done < len(steps):
        left = len(steps) - done
        for count_pages in range(math.ceil(left / MAX_STEPS), left + 1):
            chunk = tuple(steps[done : done + math.ceil(left / count_pages)])
            row = _row(chunk, area, force=len(chunk) == 1)
            if row is not None:
                break
        assert row is not None  # a single step is always forced into a row
        pages.append((done + 1, chunk, row))
        done += len(chunk)
    return pages


def style_shape(shape: Any, fill: MSO_THEME_COLOR, line: MSO_THEME_COLOR | None) -> None:
    # The default shape style's effect reference draws a shadow in LibreOffice even with an
    # empty effect list, so drop the style and give fill and line explicitly.
    shape._element.remove(shape._element.find(qn("p:style")))
    shape.fill.solid()
    shape.fill.fore_color.theme_color = fill
    if line is None:
        shape.line.fill.background()
    else:
        shape.line.color.theme_color = line
        shape.line.width = Pt(2)


def _label(shape: Any, text: str, size: int, color: MSO_THEME_COLOR, bold: bool) -> None:
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE if bold else MSO_ANCHOR.TOP
    p = frame.paragraphs[0]
    p.alignment = PP_ALIGN.CENTER
    run = p.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.theme_color = color


def _colours(
    step: PathStep, marked: bool
) -> tuple[MSO_THEME_COLOR, MSO_THEME_COLOR, MSO_THEME_COLOR]:
    """(box fill, label colour, outline) of a step: on a path with a current step, the others
    are pale with a brand-coloured outline so that the accent-filled current step stands out."""
    if step.current:
        return MSO_THEME_COLOR.ACCENT_2, MSO_THEME_COLOR.BACKGROUND_1, MSO_THEME_COLOR.ACCENT_2
    if marked:
        return MSO_THEME_COLOR.BACKGROUND_2, MSO_THEME_COLOR.TEXT_2, MSO_THEME_COLOR.ACCENT_1
    return MSO_THEME_COLOR.ACCENT_1, MSO_THEME_COLOR.BACKGROUND_1, MSO_THEME_COLOR.ACCENT_1


def draw_steps(
    slide: Any,
    first: int,
    steps: Sequence[PathStep],
    row: _Row,
    area: Area,
    *,
    rtl: bool = False,
    marked: bool | None = None,
) -> None:
    """One slide's row of ``steps``, the first numbered ``first``: left to right, or, in a
    right-to-left deck (``rtl``), from the right with its arrows pointing left, as an Arabic
    reader follows it (the row is mirrored inside ``area``; the text in it is not)."""
    # the whole path's, not this slide's: a "(cont.)" slide without the current step
    # keeps the pale style of the others
    if marked is None:
        marked = any(s.current for s in steps)
    block = _BADGE // 2 + row.box_h + _CAPTION_GAP + row.caption_h
    top = area.top + max(0, (area.height - block) // 2) + _BADGE // 2
    start = area.left + (area.width - len(steps) * (row.width + _GAP) + _GAP) // 2
    shapes = slide.shapes
    for i, step in enumerate(steps):
        number = first + i
        left = start + i * (row.width + _GAP)
        if rtl:
            left = 2 * area.left + area.width - left - row.width
        box = shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, left, top, row.width, row.box_h)
        box.name = f"Step {number}"
        box.adjustments[0] = 0.1
        fill, ink, outline = _colours(step, marked)
        style_shape(box, fill, outline if fill == MSO_THEME_COLOR.BACKGROUND_2 else None)
        _label(box, step.label, row.label_pt, ink, True)
        href = safe_href(step.href)
        if href:
            box.click_action.hyperlink.address = href
        x = left + (row.width - _BADGE) // 2
        badge = shapes.add_shape(MSO_SHAPE.OVAL, x, top - _BADGE // 2, _BADGE, _BADGE)
        badge.name = f"Step {number} number"
        style_shape(badge, MSO_THEME_COLOR.BACKGROUND_1, outline)
        badge.text_frame.margin_left = badge.text_frame.margin_right = 0
        _label(badge, str(number), 14, outline, True)
        if step.caption:
            y = top + row.box_h + _CAPTION_GAP
            caption = shapes.add_textbox(left, y, row.width, row.caption_h)
            caption.name = f"Step {number} caption"
            _label(caption, step.caption, _CAPTION_PT, MSO_THEME_COLOR.TEXT_1, False)
        if i < len(steps) - 1:
            size = Inches(0.3)
            x, y = left + row.width + (_GAP - size) // 2, top + (row.box_h - size) // 2
            if rtl:  # in the gap on the box's left, where the next step is
                x = left - _GAP + (_GAP - size) // 2
            arrow = shapes.add_shape(MSO_SHAPE.CHEVRON, x, y, size, size)
            arrow.name = f"Step {number} arrow"
            if rtl:  # a chevron points right; flipped, it points to the next step
                arrow._element.spPr.get_or_add_xfrm().set("flipH", "1")
            style_shape(arrow, MSO_THEME_COLOR.ACCENT_1, None)

"""Generic PowerPoint deck builder: fills the named layouts of a master by placeholder."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.exc import PackageNotFoundError
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from salesplay.diagnostics import Location
from salesplay.render.templates import THEME_DIR
from salesplay.richtext import Para, Run, safe_href

_EMU_PER_PT = 12700
_TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
_BODIES = (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)
_MAX_STEPS = 6
_CODE_FONT = "Courier New"
# Average glyph width in em: Calibri is ~0.45, LibreOffice's usual fallback DejaVu Sans
# ~0.53, so 0.55 keeps text inside its box in both.
_GLYPH_EM = 0.55


#: the layouts a deck master must have (README: "Templates and themes").
LAYOUTS = ("Title", "Section", "Content", "Two Content", "Path", "Closing")
#: a deck master larger than this, packed or unpacked, is refused (the built-in one is 60 KB).
MAX_MASTER_BYTES = 50_000_000


class DeckError(Exception):
    """The master cannot hold the requested slides; `loc` when the master itself is at fault."""

    def __init__(self, message: str, loc: Location | None = None) -> None:
        super().__init__(message)
        self.loc = loc


def _master_fault(master: Path, message: str) -> DeckError:
    # a .pptx has no lines: the fault is the whole file, shown as its line 1
    return DeckError(message, Location(master, 1, 0))


def open_master(master: Path) -> Any:
    """The master as a python-pptx Presentation with a theme; a located DeckError otherwise.

    A brand team's file is untrusted input: its size is bounded before it is unpacked, and
    whatever python-pptx or lxml raise on a damaged package is reported at the file.
    """
    try:
        if master.stat().st_size > MAX_MASTER_BYTES or not master.is_file():
            raise _master_fault(
                master, f"deck master is not a file of at most {MAX_MASTER_BYTES:,} bytes"
            )
        with zipfile.ZipFile(master) as package:
            unpacked = sum(info.file_size for info in package.infolist())
        if unpacked > MAX_MASTER_BYTES:
            raise _master_fault(
                master, f"deck master unpacks to {unpacked:,} bytes (at most {MAX_MASTER_BYTES:,})"
            )
        prs = Presentation(str(master))
        prs.slide_master.part.part_related_by(RT.THEME)
    except DeckError:
        raise
    except KeyError as exc:
        raise _master_fault(
            master, f"deck master has no theme, or a part is missing ({exc})"
        ) from None
    except OSError as exc:
        raise _master_fault(master, f"cannot open deck master: {exc.strerror or exc}") from None
    except (zipfile.BadZipFile, PackageNotFoundError):
        raise _master_fault(
            master, "cannot open deck master: not a PowerPoint (.pptx) file"
        ) from None
    except Exception as exc:  # lxml's XMLSyntaxError, python-pptx's own checks, …
        raise _master_fault(
            master, f"cannot open deck master, it is damaged: {type(exc).__name__}: {exc}"
        ) from None
    return prs


def check_master(master: Path) -> None:
    """Open the master and confirm it has a theme and every layout the decks use."""
    prs = open_master(master)
    names = {layout.name for m in prs.slide_masters for layout in m.slide_layouts}
    missing = [name for name in LAYOUTS if name not in names]
    if missing:
        raise _master_fault(
            master,
            f"deck master has no layout named {missing[0]!r} (needs {', '.join(LAYOUTS)};"
            f" it has: {', '.join(sorted(names)) or 'none'})",
        )


@dataclass(frozen=True)
class PathStep:
    """One box of a path diagram."""

    label: str
    caption: str = ""
    href: str | None = None


@dataclass(frozen=True)
class SlideSpec:
    """What one logical slide shows; overflow adds "(cont.)" slides with the same layout."""

    layout: str
    title: str
    subtitle: str = ""
    body: tuple[Para, ...] = ()
    body2: tuple[Para, ...] = ()
    notes: str = ""
    steps: tuple[PathStep, ...] = ()


@dataclass(frozen=True)
class _Box:
    """Text area of a placeholder in points, with per-level font size and left margin."""

    width: float
    height: float
    sizes: tuple[float, ...]
    margins: tuple[float, ...]

    def style(self, para: Para) -> tuple[int, float, float]:
        """(outline level, font size, left margin) a paragraph is rendered with."""
        if para.bullet or para.level == 0:
            lvl = min(para.level, 8)
            return lvl, self.sizes[lvl], self.margins[lvl] if para.bullet else 0.0
        # A non-bullet paragraph inside a list aligns with its parent item's text.
        lvl = min(para.level - 1, 8)
        return lvl, self.sizes[lvl], self.margins[lvl]

    def chars_per_line(self, para: Para) -> int:
        _, size, margin = self.style(para)
        return max(1, int((self.width - margin) / (_GLYPH_EM * size)))

    def height_of(self, para: Para) -> float:
        _, size, _ = self.style(para)
        lines = len(line_starts(_text(para), self.chars_per_line(para)))
        return lines * 1.2 * size + 0.4 * size


def _text(para: Para) -> str:
    prefix = f"{para.number}. " if para.number is not None and para.bullet else ""
    return prefix + "".join(r.text for r in para.runs)


def line_starts(text: str, cpl: int) -> list[int]:
    """Offsets where greedy word wrap at ``cpl`` characters starts each line."""
    starts: list[int] = []
    pos = 0
    for segment in text.split("\n"):
        starts.append(pos)
        col = 0
        offset = pos
        for word in segment.split(" "):
            if col and col + 1 + len(word) > cpl:
                starts.append(offset)
                col = 0
            col = col + 1 + len(word) if col else len(word)
            while col > cpl:  # a word longer than a line wraps mid-word
                starts.append(offset + len(word) - col + cpl)
                col -= cpl
            offset += len(word) + 1
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


def _split(para: Para, box: _Box, lines: int) -> tuple[Para, Para] | None:
    """Cut ``para`` at the last word boundary within ``lines`` lines, if there is one."""
    text = _text(para)
    prefix = len(text) - len("".join(r.text for r in para.runs))
    starts = line_starts(text, box.chars_per_line(para))
    cuts = [s for s in starts[1 : lines + 1] if text[s - 1] in " \n" and s > prefix]
    if not cuts:
        return None
    head, tail = _split_runs(para.runs, cuts[-1] - prefix)
    level = para.level + 1 if para.bullet else para.level
    return replace(para, runs=head), Para(tail, bullet=False, level=level)


def paginate(paras: Sequence[Para], box: _Box) -> list[tuple[Para, ...]]:
    """Paragraphs per page so that each page fits ``box``; never drops text."""
    pages: list[list[Para]] = [[]]
    used = 0.0
    queue = list(paras)
    while queue:
        para = queue.pop(0)
        need = box.height_of(para)
        if used + need <= box.height or (not pages[-1] and need <= box.height):
            pages[-1].append(para)
            used += need
            continue
        _, size, _ = box.style(para)
        room = math.floor((box.height - used - 0.4 * size) / (1.2 * size))
        parts = _split(para, box, room) if room >= 1 else None
        if parts is None and not pages[-1]:
            pages[-1].append(para)  # one unbreakable word taller than the box: keep it whole
            used = box.height
            continue
        if parts is not None:
            pages[-1].append(parts[0])
            queue.insert(0, parts[1])
        else:
            queue.insert(0, para)
        pages.append([])
        used = 0.0
    return [tuple(page) for page in pages]


def _level_attr(layout_ph: Any, master: Any, lvl: int, attr: str, child: str | None) -> str | None:
    tag = f"a:lvl{lvl + 1}pPr" + (f"/{child}" if child else "")
    for root, path in (
        (layout_ph._element, f"./p:txBody/a:lstStyle/{tag}/@{attr}"),
        (master._element, f"./p:txStyles/p:bodyStyle/{tag}/@{attr}"),
    ):
        found = root.xpath(path)
        if found:
            return str(found[0])
    return None


def _box(layout_ph: Any, master: Any) -> _Box:
    sizes = []
    margins = []
    for lvl in range(9):
        size = _level_attr(layout_ph, master, lvl, "sz", "a:defRPr")
        margin = _level_attr(layout_ph, master, lvl, "marL", None)
        sizes.append(int(size) / 100 if size else 18.0)
        margins.append(int(margin) / _EMU_PER_PT if margin else 0.0)
    # Default insets are 0.1in left/right and 0.05in top/bottom.
    return _Box(
        width=layout_ph.width / _EMU_PER_PT - 14.4,
        height=layout_ph.height / _EMU_PER_PT - 7.2,
        sizes=tuple(sizes),
        margins=tuple(margins),
    )


def _write_paras(frame: Any, paras: Sequence[Para], box: _Box) -> None:
    for i, para in enumerate(paras):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        lvl, _, margin = box.style(para)
        p.level = lvl
        runs: tuple[Run, ...] = para.runs
        if not para.bullet or para.number is not None:
            p_pr = p._p.get_or_add_pPr()
            if para.number is not None:
                # Real autonumbering restarts unpredictably across slides; a literal number
                # before the hanging-indent tab stop looks the same and stays correct.
                runs = (Run(f"{para.number}.\t"), *runs)
            else:
                p_pr.set("marL", str(int(margin * _EMU_PER_PT)))
                p_pr.set("indent", "0")
            bullet_none = p_pr.makeelement(qn("a:buNone"), {})
            p_pr.insert_element_before(
                bullet_none, "a:buAutoNum", "a:buChar", "a:tabLst", "a:defRPr"
            )
        for run in runs:
            for j, part in enumerate(run.text.split("\n")):
                if j:
                    p.add_line_break()
                if part:
                    _add_run(p, run, part)


def _add_run(p: Any, run: Run, text: str) -> None:
    r = p.add_run()
    r.text = text
    if run.bold:
        r.font.bold = True
    if run.italic:
        r.font.italic = True
    if run.code:
        r.font.name = _CODE_FONT
    href = safe_href(run.href)
    if href:
        r.hyperlink.address = href


def _placeholders(layout: Any) -> tuple[Any, Any, list[Any]]:
    title = subtitle = None
    bodies = []
    for ph in layout.placeholders:
        kind = ph.placeholder_format.type
        if kind in _TITLES:
            title = ph
        elif kind == PP_PLACEHOLDER.SUBTITLE:
            subtitle = ph
        elif kind in _BODIES:
            bodies.append(ph)
    return title, subtitle, sorted(bodies, key=lambda ph: ph.placeholder_format.idx)


def _add_slides(prs: Any, layout: Any, spec: SlideSpec) -> None:
    title_ph, subtitle_ph, bodies = _placeholders(layout)
    wanted = [
        ("a title", bool(spec.title), title_ph is not None),
        ("a subtitle", bool(spec.subtitle), subtitle_ph is not None),
        ("a body", bool(spec.body), len(bodies) >= 1),
        ("a second body", bool(spec.body2), len(bodies) >= 2),
    ]
    for what, needed, present in wanted:
        if needed and not present:
            raise DeckError(
                f"layout {spec.layout!r} has no placeholder for {what} ({spec.title!r})"
            )
    boxes = [_box(ph, layout.slide_master) for ph in bodies[:2]]
    columns = [
        paginate(paras, box) for paras, box in zip((spec.body, spec.body2), boxes, strict=False)
    ]
    area = _diagram_area(prs, title_ph)
    step_pages = _step_pages(spec.steps, area)
    for page in range(max([len(c) for c in columns] + [len(step_pages), 1])):
        slide = prs.slides.add_slide(layout)
        filled: set[int] = set()
        if title_ph is not None:
            text = " ".join(spec.title.split())
            slide.placeholders[title_ph.placeholder_format.idx].text = (
                f"{text} (cont.)" if page else text
            )
            filled.add(title_ph.placeholder_format.idx)
        if subtitle_ph is not None and spec.subtitle and not page:
            slide.placeholders[subtitle_ph.placeholder_format.idx].text = spec.subtitle
            filled.add(subtitle_ph.placeholder_format.idx)
        for ph, box, pages in zip(bodies, boxes, columns, strict=False):
            if page < len(pages) and pages[page]:
                _write_paras(
                    slide.placeholders[ph.placeholder_format.idx].text_frame, pages[page], box
                )
                filled.add(ph.placeholder_format.idx)
        if page < len(step_pages):
            _draw_steps(slide, *step_pages[page], area)
        for ph in list(slide.placeholders):
            # An empty placeholder would show "Click to add text" in PowerPoint's editor.
            if ph.placeholder_format.idx not in filled:
                ph._element.getparent().remove(ph._element)
        if spec.notes and not page:
            slide.notes_slide.notes_text_frame.text = spec.notes


@dataclass(frozen=True)
class _Area:
    left: int
    top: int
    width: int
    height: int


def _diagram_area(prs: Any, title_ph: Any) -> _Area:
    margin = int(Inches(0.6))
    top = title_ph.top + title_ph.height + int(Inches(0.3)) if title_ph is not None else margin
    left = title_ph.left if title_ph is not None else margin
    width = title_ph.width if title_ph is not None else prs.slide_width - 2 * margin
    return _Area(left, top, width, prs.slide_height - top - int(Inches(0.5)))


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


def _cpl(width_emu: float, size: float, em: float = _GLYPH_EM) -> int:
    return max(1, int(width_emu / _EMU_PER_PT / (em * size)))


def _row(steps: Sequence[PathStep], area: _Area, force: bool = False) -> _Row | None:
    """How ``steps`` fit side by side in ``area``; None if they do not (unless ``force``)."""
    width = min(int((area.width - (len(steps) - 1) * _GAP) / len(steps)), _MAX_BOX_W)
    captions = max(
        len(line_starts(s.caption, _cpl(width, _CAPTION_PT))) if s.caption else 0 for s in steps
    )
    caption_h = int((captions * 1.2 + 0.6) * _CAPTION_PT * _EMU_PER_PT)
    for size in _LABEL_SIZES:
        # Bold glyphs run wider; the rounded corners and insets take ~0.35in of the width.
        cpl = _cpl(width - Inches(0.35), size, em=0.6)
        lines = max(len(line_starts(s.label, cpl)) for s in steps)
        box_h = max(_MIN_BOX_H, int(lines * 1.2 * size * _EMU_PER_PT + Inches(0.4)))
        row = _Row(width, box_h, caption_h, size)
        words_fit = all(len(w) <= cpl for s in steps for w in s.label.split())
        if words_fit and _BADGE // 2 + box_h + _CAPTION_GAP + caption_h <= area.height:
            return row
    return row if force else None


def _step_pages(
    steps: Sequence[PathStep], area: _Area
) -> list[tuple[int, tuple[PathStep, ...], _Row]]:
    """(first step number, steps, geometry) per slide, as few and as balanced as fit."""
    pages: list[tuple[int, tuple[PathStep, ...], _Row]] = []
    done = 0
    while done < len(steps):
        left = len(steps) - done
        for count_pages in range(math.ceil(left / _MAX_STEPS), left + 1):
            chunk = tuple(steps[done : done + math.ceil(left / count_pages)])
            row = _row(chunk, area, force=len(chunk) == 1)
            if row is not None:
                break
        assert row is not None  # a single step is always forced into a row
        pages.append((done + 1, chunk, row))
        done += len(chunk)
    return pages


def _style_shape(shape: Any, fill: MSO_THEME_COLOR, line: MSO_THEME_COLOR | None) -> None:
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


def _draw_steps(slide: Any, first: int, steps: Sequence[PathStep], row: _Row, area: _Area) -> None:
    block = _BADGE // 2 + row.box_h + _CAPTION_GAP + row.caption_h
    top = area.top + max(0, (area.height - block) // 2) + _BADGE // 2
    start = area.left + (area.width - len(steps) * (row.width + _GAP) + _GAP) // 2
    shapes = slide.shapes
    for i, step in enumerate(steps):
        number = first + i
        left = start + i * (row.width + _GAP)
        box = shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, left, top, row.width, row.box_h)
        box.name = f"Step {number}"
        box.adjustments[0] = 0.1
        _style_shape(box, MSO_THEME_COLOR.ACCENT_1, None)
        _label(box, step.label, row.label_pt, MSO_THEME_COLOR.BACKGROUND_1, True)
        href = safe_href(step.href)
        if href:
            box.click_action.hyperlink.address = href
        x = left + (row.width - _BADGE) // 2
        badge = shapes.add_shape(MSO_SHAPE.OVAL, x, top - _BADGE // 2, _BADGE, _BADGE)
        badge.name = f"Step {number} number"
        _style_shape(badge, MSO_THEME_COLOR.BACKGROUND_1, MSO_THEME_COLOR.ACCENT_1)
        badge.text_frame.margin_left = badge.text_frame.margin_right = 0
        _label(badge, str(number), 14, MSO_THEME_COLOR.ACCENT_1, True)
        if step.caption:
            y = top + row.box_h + _CAPTION_GAP
            caption = shapes.add_textbox(left, y, row.width, row.caption_h)
            caption.name = f"Step {number} caption"
            _label(caption, step.caption, _CAPTION_PT, MSO_THEME_COLOR.TEXT_1, False)
        if i < len(steps) - 1:
            size = Inches(0.3)
            x, y = left + row.width + (_GAP - size) // 2, top + (row.box_h - size) // 2
            arrow = shapes.add_shape(MSO_SHAPE.CHEVRON, x, y, size, size)
            arrow.name = f"Step {number} arrow"
            _style_shape(arrow, MSO_THEME_COLOR.ACCENT_1, None)
            arrow.fill.fore_color.brightness = 0.5


def repack(data: bytes, as_of: dt.date) -> bytes:
    """``data`` re-zipped with fixed timestamps and attributes, members in the same order."""
    stamp = (
        (as_of.year, as_of.month, as_of.day, 0, 0, 0)
        if 1980 <= as_of.year <= 2107
        else (1980, 1, 1, 0, 0, 0)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.create_system = 3  # the default depends on the OS building the deck
            member.external_attr = 0o644 << 16
            dst.writestr(member, src.read(info.filename), compresslevel=6)
    return out.getvalue()


def recolor(prs: Any, primary: str) -> None:
    """Set the theme's accent 1, which the master's brand shapes and path diagrams use."""
    if not re.fullmatch(r"#?[0-9A-Fa-f]{6}", primary):
        raise DeckError(f"brand colour {primary!r} is not a #RRGGBB colour")
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    pattern = rb"(<a:accent1>\s*<a:srgbClr val=\")[0-9A-Fa-f]{6}"
    theme.blob = re.sub(pattern, rb"\g<1>" + primary.lstrip("#").upper().encode(), theme.blob)


def build_deck(
    master: Path,
    slides: Sequence[SlideSpec],
    *,
    title: str,
    author: str,
    as_of: dt.date,
    brand_color: str | None = None,
) -> bytes:
    """The .pptx bytes of ``slides`` on ``master``; identical inputs give identical bytes."""
    prs = open_master(master)
    try:
        return _fill(prs, master, slides, title, author, as_of, brand_color)
    except DeckError:
        raise
    except Exception as exc:
        if master.resolve().is_relative_to(THEME_DIR):
            raise  # the built-in master is ours: a failure with it is salesplay's bug
        raise _master_fault(
            master, f"deck master cannot be filled: {type(exc).__name__}: {exc}"
        ) from None


def _fill(
    prs: Any,
    master: Path,
    slides: Sequence[SlideSpec],
    title: str,
    author: str,
    as_of: dt.date,
    brand_color: str | None,
) -> bytes:
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        prs.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)
    layouts: dict[str, Any] = {}
    for slide_master in prs.slide_masters:
        for layout in slide_master.slide_layouts:
            layouts.setdefault(layout.name, layout)
    for spec in slides:
        if spec.layout not in layouts:
            raise DeckError(
                f"deck master {master} has no layout named {spec.layout!r} "
                f"(it has: {', '.join(sorted(layouts))})"
            )
        _add_slides(prs, layouts[spec.layout], spec)
    if brand_color:
        recolor(prs, brand_color)
    props = prs.core_properties
    midnight = dt.datetime(as_of.year, as_of.month, as_of.day)
    props.title, props.author, props.last_modified_by = title, author, author
    props.created = props.modified = props.last_printed = midnight
    props.revision = 1
    buffer = io.BytesIO()
    prs.save(buffer)
    return repack(buffer.getvalue(), as_of)

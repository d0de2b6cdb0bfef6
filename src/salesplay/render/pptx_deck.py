"""PowerPoint deck assembly: fills the named layouts of a master by placeholder."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.exc import PackageNotFoundError
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from salesplay.diagnostics import Location
from salesplay.render import colour
from salesplay.render.archive import repack
from salesplay.render.pptx_fit import (
    EMU_PER_PT,
    TextBox,
    fitted,
    gap_before,
    paginate,
    spread,
    text_box,
)
from salesplay.render.pptx_path import (
    PathStep,
    diagram_area,
    draw_steps,
    step_pages,
    style_shape,
)
from salesplay.render.templates import THEME_DIR
from salesplay.richtext import Para, Run, safe_href

_TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
_BODIES = (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)
_CODE_FONT = "Courier New"


#: the layouts a deck master must have (README: "Templates and themes").
LAYOUTS = ("Title", "Section", "Content", "Two Content", "Path", "Closing")
#: layouts a master may add; a master without one gets its slides on the stand-in named here.
OPTIONAL_LAYOUTS = {"Statement": "Content", "Proof": "Content"}
#: layouts whose text is scaled to fill one slide (the others' sizes are the design).
FILL_LAYOUTS = ("Content", "Two Content")
#: the layouts that carry the company logo (cobrand adds the partner's to the same slides).
LOGO_LAYOUTS = ("Title", "Closing")
LOGO_SHAPE = "Company logo"
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
class SlideSpec:
    """What one logical slide shows; overflow adds "(cont.)" slides with the same layout."""

    layout: str
    title: str
    subtitle: str = ""  # on Statement and Proof slides: who said it
    body: tuple[Para, ...] = ()
    body2: tuple[Para, ...] = ()
    notes: str = ""
    steps: tuple[PathStep, ...] = ()


@dataclass(frozen=True)
class Logo:
    """The company logo as PNG bytes and its pixel size."""

    png: bytes
    size: tuple[int, int]


def _stand_in(spec: SlideSpec) -> SlideSpec:
    """``spec`` on the stand-in layout of a master without its optional layout: one body."""
    extra = (Para((Run(spec.subtitle, italic=True),)),) if spec.subtitle else ()
    return replace(
        spec,
        layout=OPTIONAL_LAYOUTS[spec.layout],
        subtitle="",
        body=spec.body + spec.body2 + extra,
        body2=(),
    )


def _fitted(box: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest rectangle of the image's aspect ratio centred in ``box`` (no distortion)."""
    x, y, cx, cy = box
    w, h = max(size[0], 1), max(size[1], 1)
    scale = min(cx / w, cy / h)
    fw, fh = int(w * scale), int(h * scale)
    return x + (cx - fw) // 2, y + (cy - fh) // 2, fw, fh


def _place_logo(prs: Any, slide: Any, layout: Any, logo: Logo) -> None:
    """The logo in the layout's picture placeholder (top right if it has none), on a card."""
    holder = next(
        (ph for ph in layout.placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.PICTURE),
        None,
    )
    if holder is not None:
        box = (holder.left, holder.top, holder.width, holder.height)
        pic = slide.placeholders[holder.placeholder_format.idx].insert_picture(io.BytesIO(logo.png))
        pic.crop_left = pic.crop_right = pic.crop_top = pic.crop_bottom = 0.0
    else:
        w, h = int(Inches(2.6)), int(Inches(0.9))
        box = (prs.slide_width - int(Inches(0.6)) - w, int(Inches(0.55)), w, h)
        pic = slide.shapes.add_picture(io.BytesIO(logo.png), 0, 0)
    x, y, cx, cy = _fitted(box, logo.size)
    pic.left, pic.top, pic.width, pic.height = Emu(x), Emu(y), Emu(cx), Emu(cy)
    pic.name = LOGO_SHAPE
    # a white card keeps a dark or coloured logo readable on a brand-coloured background
    pad = int(Inches(0.12))
    card = slide.shapes.add_shape(
        MSO_SHAPE.ROUNDED_RECTANGLE, x - pad, y - pad, cx + 2 * pad, cy + 2 * pad
    )
    card.name = f"{LOGO_SHAPE} card"
    style_shape(card, MSO_THEME_COLOR.BACKGROUND_1, None)
    pic._element.addprevious(card._element)


def _write_paras(frame: Any, paras: Sequence[Para], box: TextBox, gap: float = 0.0) -> None:
    for i, para in enumerate(paras):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if gap and gap_before(paras, i):
            # the master's own space before a paragraph is what the fit estimate allows for
            p.space_before = Pt(round(0.4 * box.style(para)[1] + gap, 1))
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
                p_pr.set("marL", str(int(margin * EMU_PER_PT)))
                p_pr.set("indent", "0")
            bullet_none = p_pr.makeelement(qn("a:buNone"), {})
            p_pr.insert_element_before(
                bullet_none, "a:buAutoNum", "a:buChar", "a:tabLst", "a:defRPr"
            )
        size = Pt(box.style(para)[1]) if box.scale != 1.0 else None
        for run in runs:
            for j, part in enumerate(run.text.split("\n")):
                if j:
                    p.add_line_break()
                if part:
                    _add_run(p, run, part, size)


def _add_run(p: Any, run: Run, text: str, size: Any = None) -> None:
    r = p.add_run()
    r.text = text
    if size is not None:
        r.font.size = size
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


def _add_slides(prs: Any, layout: Any, spec: SlideSpec, logo: Logo | None = None) -> None:
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
    boxes = [text_box(ph, layout.slide_master) for ph in bodies[:2]]
    if spec.layout in FILL_LAYOUTS:
        boxes = fitted((spec.body, spec.body2), boxes)
    columns = [
        paginate(paras, box) for paras, box in zip((spec.body, spec.body2), boxes, strict=False)
    ]
    area = diagram_area(prs, title_ph)
    steps = step_pages(spec.steps, area)
    for page in range(max([len(c) for c in columns] + [len(steps), 1])):
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
                gap = spread(pages[page], box) if len(pages) == 1 else 0.0
                frame = slide.placeholders[ph.placeholder_format.idx].text_frame
                _write_paras(frame, pages[page], box, gap)
                filled.add(ph.placeholder_format.idx)
        if page < len(steps):
            draw_steps(slide, *steps[page], area)
        if logo is not None and spec.layout in LOGO_LAYOUTS and not page:
            _place_logo(prs, slide, layout, logo)
            filled.update(
                ph.placeholder_format.idx
                for ph in slide.placeholders
                if ph.placeholder_format.type == PP_PLACEHOLDER.PICTURE
            )
        for ph in list(slide.placeholders):
            # An empty placeholder would show "Click to add text" in PowerPoint's editor.
            if ph.placeholder_format.idx not in filled:
                ph._element.getparent().remove(ph._element)
        if spec.notes and not page:
            slide.notes_slide.notes_text_frame.text = spec.notes


def recolor(prs: Any, primary: str, slot: str = "accent1") -> None:
    """Set a theme colour: accent 1 (the brand colour of the master's shapes and path
    diagrams) or accent 2 (the brand accent that highlights a path's current step)."""
    try:
        digits = colour.hex_digits(primary)
    except ValueError:
        raise DeckError(f"brand colour {primary!r} is not a #RRGGBB colour") from None
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    pattern = rb"(<a:" + slot.encode() + rb">\s*<a:srgbClr val=\")[0-9A-Fa-f]{6}"
    theme.blob = re.sub(pattern, rb"\g<1>" + digits.encode(), theme.blob)


def build_deck(
    master: Path,
    slides: Sequence[SlideSpec],
    *,
    title: str,
    author: str,
    as_of: dt.date,
    brand_color: str | None = None,
    accent_color: str | None = None,
    logo: Logo | None = None,
) -> bytes:
    """The .pptx bytes of ``slides`` on ``master``; identical inputs give identical bytes.

    ``logo`` goes on the Title and Closing slides; ``accent_color`` highlights the current
    step of a path.
    """
    prs = open_master(master)
    try:
        return _fill(prs, master, slides, title, author, as_of, (brand_color, accent_color), logo)
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
    colors: tuple[str | None, str | None],
    logo: Logo | None,
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
        if spec.layout not in layouts and spec.layout in OPTIONAL_LAYOUTS:
            spec = _stand_in(spec)
        if spec.layout not in layouts:
            raise DeckError(
                f"deck master {master} has no layout named {spec.layout!r} "
                f"(it has: {', '.join(sorted(layouts))})"
            )
        _add_slides(prs, layouts[spec.layout], spec, logo)
    for color, slot in zip(colors, ("accent1", "accent2"), strict=True):
        if color:
            recolor(prs, color, slot)
    props = prs.core_properties
    midnight = dt.datetime(as_of.year, as_of.month, as_of.day)
    props.title, props.author, props.last_modified_by = title, author, author
    props.created = props.modified = props.last_printed = midnight
    props.revision = 1
    buffer = io.BytesIO()
    prs.save(buffer)
    return repack(buffer.getvalue(), as_of)

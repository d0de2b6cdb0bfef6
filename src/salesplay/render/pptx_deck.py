"""PowerPoint deck assembly: fills the named layouts of a master by placeholder."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from salesplay.render import colour, oxml
from salesplay.render.archive import repack
from salesplay.render.pptx_fit import (
    EMU_PER_PT,
    QUOTE_SCALES,
    TextBox,
    first_page,
    fitted,
    gap_before,
    paginate,
    spread,
    subtitle_size,
    text_box,
    title_size,
)
from salesplay.render.pptx_master import (
    LAYOUTS,
    LOGO_LAYOUTS,
    NEEDS,
    OPTIONAL_LAYOUTS,
    built_in,
    check_parts,
    layouts_of,
    logo_box,
    logo_holder,
    master_fault,
    open_master,
    placeholders,
    present_in,
)
from salesplay.render.pptx_path import (
    diagram_area,
    draw_steps,
    step_pages,
    style_shape,
)
from salesplay.render.pptx_script import DeckLanguage, localize, mirror
from salesplay.render.slides import DeckError, Logo, Overflow, PathStep, SlideSpec
from salesplay.richtext import Para, Run, safe_href

oxml.install()  # python-pptx's XPath queries compiled once (a quarter of a deck's time)

_CODE_FONT = "Courier New"


#: layouts whose text is scaled to fill one slide (the others' sizes are the design).
FILL_LAYOUTS = ("Content", "Two Content")
#: layouts of a quote and who said it, shrunk to stay on one slide (QUOTE_SCALES); what still
#: does not fit ends, with its attribution, on slides of their own (see _quote_parts)
QUOTE_LAYOUTS = ("Statement", "Proof")


LOGO_SHAPE = "Company logo"


def check_master(master: Path) -> float:
    """Open the master and confirm it has a theme, every layout the decks use, and on each
    of those (and of the optional ones it has) the placeholders its slides fill; return the
    longest side, in inches, of its company logo's boxes (logo_inches).

    A project's master is checked further, so that what python-pptx opens but a deck
    cannot be made of, or PowerPoint would repair, is a fault of `check`: each XML part
    well-formed, each relationship's part present, a slide size PowerPoint allows, and one
    slide of each of its layouts filled as the decks fill them (_trial_fill).
    """
    inches = check_parts(master)
    if not built_in(master):
        _trial_fill(master)
    return inches


def _trial_fill(master: Path) -> None:
    """One slide on each layout the master has, filled as the decks fill them (a logo on the
    Title and Closing slides, a path diagram on the Path slide), so that a master that
    opens but cannot be filled is a fault found before any deck is made; the layout that
    fails is named."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (4, 2), (11, 95, 255, 255)).save(buffer, "PNG")
    logo = Logo(buffer.getvalue(), (4, 2))
    body = (Para((Run("One"),), bullet=True), Para((Run("Two"),), bullet=True))
    steps = (PathStep("One", "First", current=True), PathStep("Two", "Second"))

    def spec(name: str) -> SlideSpec:
        # what slides of the layout hold (NEEDS): a Title slide has no body, say
        needs = NEEDS[name]
        return SlideSpec(
            name,
            "Title",
            "Subtitle" if "a subtitle" in needs else "",
            body if "a body" in needs else (),
            body if "a second body" in needs else (),
            "Notes",
            steps if name == "Path" else (),
        )

    specs = [spec(name) for name in (*LAYOUTS, *OPTIONAL_LAYOUTS)]

    def fill(slides: list[SlideSpec], language: str | None) -> None:
        build_deck(
            master,
            slides,
            title="Check",
            author="salesplay",
            as_of=dt.date(2026, 1, 1),
            brand_color="#0B5FFF",
            accent_color="#FF6B00",
            logo=logo,
            language=language,
        )

    # as the decks fill it: left to right, and mirrored for a right-to-left language (an
    # Arabic deck mirrors every shape of the master first, pptx_script.mirror, which only
    # the build's Arabic decks found fault with)
    for language in (None, "ar"):
        try:
            fill(specs, language)
        except DeckError as whole:
            how = " for a right-to-left deck" if language else ""
            for one in specs:
                try:
                    fill([one], language)
                except DeckError as exc:
                    message = str(exc).removeprefix("deck master cannot be filled: ")
                    raise master_fault(
                        master,
                        f"deck master's {one.layout!r} layout cannot be filled{how}: {message}",
                    ) from None
            raise whole from None


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


def _quote_parts(
    spec: SlideSpec, layouts: dict[str, Any]
) -> list[tuple[SlideSpec, bool, float | None]]:
    """The slides ``spec`` is made on, each with whether it goes on from the one before and
    the largest size its quote may take: a Proof slide whose quote does not fit its box
    even at the least size it is shrunk to keeps the figure and the quote's start, and the
    rest goes on with the customer on a Statement slide (a "Proof (cont.)" on the Proof
    layout showed an empty figure panel and the quote's last words, the customer left under
    its first ones), in the same size as its start: the Statement's larger master size
    set its end at 22 pt after a start at 14 pt."""
    if spec.layout != "Proof" or spec.layout not in layouts:
        return [(spec, False, None)]
    layout = layouts[spec.layout]
    bodies = placeholders(layout)[2]
    if len(bodies) < 2:
        return [(spec, False, None)]  # _add_slides says what the layout lacks
    box = fitted((spec.body2,), (text_box(bodies[1], layout.slide_master),), QUOTE_SCALES)[0]
    head, rest = first_page(spec.body2, box)
    if not rest:
        return [(spec, False, None)]
    tail = SlideSpec("Statement", spec.title, subtitle=spec.subtitle, body=rest)
    if tail.layout not in layouts:
        tail = _stand_in(tail)
    size = box.style(head[0])[1]
    return [(replace(spec, body2=head, subtitle=""), False, None), (tail, True, size)]


def _quote_scales(box: TextBox, paras: Sequence[Para], most: float | None) -> tuple[float, ...]:
    """QUOTE_SCALES at which ``box`` sets ``paras`` no larger than ``most`` points (all of
    them without a bound), or the one scale that sets them at ``most`` if even the least is
    larger (a Statement's 36 pt at half size is 18 pt, after a Proof's quote at 14 pt)."""
    if most is None or not paras:
        return QUOTE_SCALES
    size = replace(box, scale=1.0).style(paras[0])[1]
    return tuple(scale for scale in QUOTE_SCALES if scale * size <= most + 0.01) or (most / size,)


def _fitted(box: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest rectangle of the image's aspect ratio centred in ``box`` (no distortion)."""
    x, y, cx, cy = box
    w, h = max(size[0], 1), max(size[1], 1)
    scale = min(cx / w, cy / h)
    fw, fh = int(w * scale), int(h * scale)
    return x + (cx - fw) // 2, y + (cy - fh) // 2, fw, fh


def _place_logo(prs: Any, slide: Any, layout: Any, logo: Logo) -> None:
    """The logo in the layout's picture placeholder (top right if it has none), on a card."""
    holder = logo_holder(layout)
    box = logo_box(prs, holder)
    if holder is not None:
        pic = slide.placeholders[holder.placeholder_format.idx].insert_picture(io.BytesIO(logo.png))
        pic.crop_left = pic.crop_right = pic.crop_top = pic.crop_bottom = 0.0
    else:
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


#: the title of a slide a logical slide overflows onto, in English ("%(title)s" is its title)
CONTINUED = "%(title)s (cont.)"


def _add_slides(
    prs: Any,
    layout: Any,
    spec: SlideSpec,
    logo: Logo | None = None,
    continued: str = CONTINUED,
    rtl: bool = False,
    overflows: list[Overflow] | None = None,
    goes_on: bool = False,
    most: float | None = None,
) -> None:
    """The slides of ``spec`` on ``layout``: one, and "(cont.)" slides for what does not fit
    it (all of them "(cont.)" if it ``goes_on`` from the slide before); a quote no larger
    than ``most`` points, if given."""
    title_ph, subtitle_ph, bodies = placeholders(layout)
    wanted = (bool(spec.title), bool(spec.subtitle), bool(spec.body), bool(spec.body2))
    for (what, present), needed in zip(present_in(layout), wanted, strict=True):
        if needed and not present:
            raise DeckError(
                f"layout {spec.layout!r} has no placeholder for {what} ({spec.title!r})"
            )
    boxes = [text_box(ph, layout.slide_master) for ph in bodies[:2]]
    if spec.layout in FILL_LAYOUTS:
        boxes = fitted((spec.body, spec.body2), boxes)
    elif spec.layout in QUOTE_LAYOUTS:
        # a proof's figure keeps its size beside a quote shrunk to fit
        boxes = [
            fitted((paras,), (box,), _quote_scales(box, paras, most))[0]
            for paras, box in zip((spec.body, spec.body2), boxes, strict=False)
        ]
    columns = [
        paginate(paras, box) for paras, box in zip((spec.body, spec.body2), boxes, strict=False)
    ]
    area = diagram_area(prs, title_ph)
    steps = step_pages(spec.steps, area)
    count = max([len(c) for c in columns] + [len(steps), 1])
    # who said a quote goes where the quote ends
    attributed = count - 1 if spec.layout in QUOTE_LAYOUTS else 0
    for page in range(count):
        slide = prs.slides.add_slide(layout)
        filled: set[int] = set()
        if title_ph is not None:
            text = " ".join(spec.title.split())
            shown = continued % {"title": text} if page or goes_on else text
            placeholder = slide.placeholders[title_ph.placeholder_format.idx]
            placeholder.text = shown
            # a long title on a slide with the logo above it is shrunk to its box, not grown
            # over the logo; elsewhere it grows into the room above, and is shrunk to it
            under_logo = logo is not None and spec.layout in LOGO_LAYOUTS and not page
            size, fits = title_size(title_ph, layout.slide_master, shown, above=not under_logo)
            if size is not None:
                for run in (r for p in placeholder.text_frame.paragraphs for r in p.runs):
                    run.font.size = Pt(round(size, 1))
            if not fits and overflows is not None:
                overflows.append(Overflow(len(prs.slides), "title", shown))
            filled.add(title_ph.placeholder_format.idx)
        if subtitle_ph is not None and spec.subtitle and page == attributed:
            placeholder = slide.placeholders[subtitle_ph.placeholder_format.idx]
            placeholder.text = spec.subtitle
            # a long summary is shrunk to its box, never run down over the slide's band
            size, fits = subtitle_size(subtitle_ph, layout.slide_master, spec.subtitle)
            if size is not None:
                for run in (r for p in placeholder.text_frame.paragraphs for r in p.runs):
                    run.font.size = Pt(round(size, 1))
            if not fits and overflows is not None:
                overflows.append(Overflow(len(prs.slides), "subtitle", spec.subtitle))
            filled.add(subtitle_ph.placeholder_format.idx)
        for ph, box, pages in zip(bodies, boxes, columns, strict=False):
            if page < len(pages) and pages[page]:
                gap = spread(pages[page], box) if len(pages) == 1 else 0.0
                frame = slide.placeholders[ph.placeholder_format.idx].text_frame
                _write_paras(frame, pages[page], box, gap)
                filled.add(ph.placeholder_format.idx)
        if page < len(steps):
            draw_steps(
                slide, *steps[page], area, rtl=rtl, marked=any(s.current for s in spec.steps)
            )
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
    language: str | None = None,
    continued: str = CONTINUED,
    overflows: list[Overflow] | None = None,
) -> bytes:
    """The .pptx bytes of ``slides`` on ``master``; identical inputs give identical bytes.

    ``logo`` goes on the Title and Closing slides; ``accent_color`` highlights the current
    step of a path. ``language`` (a BCP 47 tag such as "de", "pt-BR" or "ar") is set on
    every text run (see `localize`); None leaves the runs without one, as before.
    ``continued`` titles the slides a slide overflows onto, in the deck's language (the
    caller translates it: "%(title)s (Forts.)"); its only placeholder is %(title)s.
    ``overflows`` is given each title and subtitle that does not fit its box even shrunk,
    and each quote that goes on to another slide.
    """
    prs = open_master(master)
    try:
        return _fill(
            prs,
            master,
            slides,
            title,
            author,
            as_of,
            (brand_color, accent_color),
            logo,
            language,
            continued,
            overflows,
        )
    except DeckError:
        raise
    except Exception as exc:
        if built_in(master):
            raise  # the built-in master is ours: a failure with it is salesplay's bug
        raise master_fault(
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
    language: str | None,
    continued: str = CONTINUED,
    overflows: list[Overflow] | None = None,
) -> bytes:
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        prs.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)
    rtl = DeckLanguage.of(language).rtl if language else False
    if rtl:
        mirror(prs)
    layouts = layouts_of(prs)
    for spec in slides:
        if spec.layout not in layouts and spec.layout in OPTIONAL_LAYOUTS:
            spec = _stand_in(spec)
        if spec.layout not in layouts:
            raise DeckError(
                f"deck master {master} has no layout named {spec.layout!r} "
                f"(it has: {', '.join(sorted(layouts))})"
            )
        first = len(prs.slides) + 1
        for part, goes_on, most in _quote_parts(spec, layouts):
            layout = layouts[part.layout]
            _add_slides(prs, layout, part, logo, continued, rtl, overflows, goes_on, most)
        if spec.layout in QUOTE_LAYOUTS and len(prs.slides) >= first + 1 and overflows is not None:
            # a quote on two slides is one to shorten: the marketer is told, as of a title
            quote = spec.body2 if spec.layout == "Proof" else spec.body
            overflows.append(Overflow(first, "quote", " ".join(p.text for p in quote)))
    for color, slot in zip(colors, ("accent1", "accent2"), strict=True):
        if color:
            recolor(prs, color, slot)
    localize(prs, language)
    props = prs.core_properties
    midnight = dt.datetime(as_of.year, as_of.month, as_of.day)
    # a document property holds at most 255 characters (python-pptx refuses more, and the
    # build stopped on a 240-character play name): the slides show the name whole
    title, author = _property(title), _property(author)
    props.title, props.author, props.last_modified_by = title, author, author
    # what the master's file says about itself ("Regenerate with tools/make_deck_master.py…")
    # is not the deck's: a deck, and every partner deck co-branded from it, carries none of it
    props.comments = props.subject = props.keywords = props.category = ""
    props.created = props.modified = props.last_printed = midnight
    props.revision = 1
    buffer = io.BytesIO()
    prs.save(buffer)
    return repack(buffer.getvalue(), as_of)


#: the most characters a document property (title, author) holds
MAX_PROPERTY = 255


def _property(text: str) -> str:
    """`text` as a document property: cut with "…" past MAX_PROPERTY characters."""
    return text if len(text) <= MAX_PROPERTY else text[: MAX_PROPERTY - 1].rstrip() + "…"

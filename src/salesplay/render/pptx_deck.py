"""PowerPoint deck assembly: fills the named layouts of a master by placeholder."""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import unicodedata
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
from salesplay.render import colour, oxml
from salesplay.render.archive import repack
from salesplay.render.fonts import noto_cjk
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
from salesplay.render.pptx_path import (
    diagram_area,
    draw_steps,
    step_pages,
    style_shape,
)
from salesplay.render.slides import DeckError, Logo, Overflow, PathStep, SlideSpec
from salesplay.render.templates import THEME_DIR
from salesplay.richtext import (
    Para,
    Run,
    dominant_direction,
    ltr_runs,
    reorders_in_rtl,
    safe_href,
)

oxml.install()  # python-pptx's XPath queries compiled once (a quarter of a deck's time)

_TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
_BODIES = (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)
_CODE_FONT = "Courier New"
EMU_PER_INCH = 914400


#: the layouts a deck master must have (README: "Templates and themes").
LAYOUTS = ("Title", "Section", "Content", "Two Content", "Path", "Closing")
#: layouts a master may add; a master without one gets its slides on the stand-in named here.
OPTIONAL_LAYOUTS = {"Statement": "Content", "Proof": "Content"}
#: the placeholders each layout's slides may fill (see _add_slides), checked before any deck
#: is made: a brand team's master without one is a mistake `check` finds, not a build.
NEEDS: dict[str, tuple[str, ...]] = {
    "Title": ("a title", "a subtitle"),
    "Section": ("a title",),
    "Content": ("a title", "a body"),
    "Two Content": ("a title", "a body", "a second body"),
    "Path": ("a title",),
    "Closing": ("a title", "a subtitle"),
    "Statement": ("a title", "a body", "a subtitle"),
    "Proof": ("a title", "a body", "a second body", "a subtitle"),
}
#: layouts whose text is scaled to fill one slide (the others' sizes are the design).
FILL_LAYOUTS = ("Content", "Two Content")
#: layouts of a quote and who said it, shrunk to stay on one slide (QUOTE_SCALES); what still
#: does not fit ends, with its attribution, on slides of their own (see _quote_parts)
QUOTE_LAYOUTS = ("Statement", "Proof")
#: the layouts that carry the company logo (cobrand adds the partner's to the same slides).
LOGO_LAYOUTS = ("Title", "Closing")
LOGO_SHAPE = "Company logo"
#: a deck master larger than this, packed or unpacked, is refused (the built-in one is 60 KB).
MAX_MASTER_BYTES = 50_000_000


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
                    master,
                    f"deck master unpacks to {unpacked:,} bytes (at most {MAX_MASTER_BYTES:,})",
                )
            _check_kind(master, package)
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


#: the main part's content type of a presentation, what a .pptx must be
PRESENTATION = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
#: what another main part's content type makes the file, for the message
_OTHER_KINDS = {
    "presentation.macroenabled": "a macro-enabled presentation (.pptm)",
    "template.macroenabled": "a macro-enabled template (.potm)",
    "slideshow.macroenabled": "a macro-enabled slide show (.ppsm)",
    "template": "a PowerPoint template (.potx)",
    "slideshow": "a slide show (.ppsx)",
}
#: parts no deck may carry: a program PowerPoint would run or offer to (every deck made from
#: the master holds them, a customer's pitch deck in a partner kit too)
_PROGRAMS = (
    ("vbaproject", "macros (VBA)"),
    ("activex", "ActiveX controls"),
    ("oleobject", "an embedded OLE object"),
    # an embedded workbook or document with macros of its own (.xlsm, .docm): its content
    # type says so, and its name ends in "m"
    ("macroenabled", "an embedded macro-enabled document"),
    (".xlsm", "an embedded macro-enabled document"),
    (".docm", "an embedded macro-enabled document"),
    (".pptm", "an embedded macro-enabled document"),
    (".xlsb", "an embedded macro-enabled document"),
)


def _check_kind(master: Path, package: zipfile.ZipFile) -> None:
    """The master is a presentation (.pptx) holding no program: a macro-enabled file renamed
    .pptx passed, and its VBA project went into every deck (under a .pptx name, which
    PowerPoint then refuses to open); a template (.potx) was "damaged: ValueError"."""
    from lxml import etree

    try:
        types = etree.fromstring(
            package.read("[Content_Types].xml"),
            etree.XMLParser(resolve_entities=False, no_network=True),
        )
    except (KeyError, etree.XMLSyntaxError):
        return  # python-pptx says what is missing or damaged
    save = "save it as a PowerPoint Presentation (.pptx)"
    names = [name.lower() for name in package.namelist()]
    for item in types:
        kind = (item.get("ContentType") or "").lower()
        where = (item.get("PartName") or item.get("Extension") or "").lower()
        if item.get("Extension") is not None and not any(n.endswith(f".{where}") for n in names):
            continue  # a default for an extension no part has: nothing of that type is there
        if where == "/ppt/presentation.xml" and kind != PRESENTATION:
            # "…presentationml.template.main+xml", "…ms-powerpoint.presentation.macroenabled…"
            found = kind.removesuffix(".main+xml").rsplit("presentationml.", 1)[-1]
            found = found.removeprefix("application/vnd.ms-powerpoint.")
            what = _OTHER_KINDS.get(found, f"of content type '{kind}', not a presentation")
            raise _master_fault(master, f"deck master is {what}: {save}")
        for marker, what in _PROGRAMS:
            if marker in kind or marker in where:
                raise _master_fault(master, f"deck master holds {what}: remove it, then {save}")
    for name in names:
        for marker, what in _PROGRAMS:
            if marker in name:
                raise _master_fault(master, f"deck master holds {what}: remove it, then {save}")


def check_master(master: Path) -> float:
    """Open the master and confirm it has a theme, every layout the decks use, and on each
    of those (and of the optional ones it has) the placeholders its slides fill; return the
    longest side, in inches, of its company logo's boxes (logo_inches).

    A project's master is checked further, so that what python-pptx opens but a deck
    cannot be made of, or PowerPoint would repair, is a fault of `check`: each XML part
    well-formed, each relationship's part present, a slide size PowerPoint allows, and one
    slide of each of its layouts filled as the decks fill them (_trial_fill).
    """
    ours = master.resolve().is_relative_to(THEME_DIR)
    prs = open_master(master)
    if ours:
        return _checked_layouts(master, prs)
    _check_package(master)
    _check_size(master, prs)
    try:
        inches = _checked_layouts(master, prs)
    except DeckError:
        raise
    except Exception as exc:  # a part python-pptx reads lazily, damaged
        raise _master_fault(
            master, f"deck master is damaged: {type(exc).__name__}: {exc}"
        ) from None
    _trial_fill(master)
    return inches


#: what PowerPoint allows a slide's side to be, in EMU (1 to 56 inches)
SLIDE_SIDES = (914_400, 51_206_400)


def _check_size(master: Path, prs: Any) -> None:
    sides = (prs.slide_width, prs.slide_height)
    if None in sides:
        raise _master_fault(
            master, "deck master has no slide size (ppt/presentation.xml lacks <p:sldSz>)"
        )
    if not all(SLIDE_SIDES[0] <= side <= SLIDE_SIDES[1] for side in sides):
        inches = " × ".join(f"{side / EMU_PER_INCH:g}" for side in sides)
        raise _master_fault(
            master,
            f"deck master's slides are {inches} inches: PowerPoint allows 1 to 56 inches a side",
        )


def _check_package(master: Path) -> None:
    """Every XML part of the master well-formed, and every part a relationship names in it:
    python-pptx copies a part it does not read as it is, and drops a dangling relationship
    only when it reads it, so either would reach every deck, for PowerPoint to repair."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    with zipfile.ZipFile(master) as package:
        names = {info.filename for info in package.infolist()}
        for info in package.infolist():
            name = info.filename
            if not name.endswith((".xml", ".rels")):
                _check_picture(master, name, package)
                continue
            try:
                root = etree.fromstring(package.read(info), parser)
            except etree.XMLSyntaxError as exc:
                raise _master_fault(
                    master, f"deck master's part {name} is not well-formed XML: {exc.msg}"
                ) from None
            if not name.endswith(".rels"):
                rels = posixpath.join(
                    posixpath.dirname(name), "_rels", posixpath.basename(name) + ".rels"
                )
                if name.startswith("ppt/slideLayouts/") and rels not in names:
                    # a layout without its relationships has no master to draw on
                    raise _master_fault(
                        master,
                        f"deck master's layout part {name} has no {rels}: save it again from"
                        " PowerPoint",
                    )
                continue
            # "ppt/slides/_rels/slide1.xml.rels" speaks for "ppt/slides/slide1.xml"
            folder = posixpath.dirname(posixpath.dirname(name))
            source = posixpath.join(folder, posixpath.basename(name).removesuffix(".rels"))
            for rel in root:
                target = rel.get("Target")
                if rel.get("TargetMode") == "External":
                    _check_external(master, source.lstrip("/"), rel.get("Type") or "", target)
                    continue
                if not target:
                    continue
                part = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target))
                )
                if part not in names:
                    raise _master_fault(
                        master,
                        f"deck master's part {source.lstrip('/')} refers to {part}, which the"
                        " file lacks: save it again from PowerPoint",
                    )


def _check_picture(master: Path, name: str, package: zipfile.ZipFile) -> None:
    """A PNG, JPEG, GIF, WebP or SVG part of the master checked as a partner's logo is
    (images.check_image): decoded whole, within its pixels, an SVG without a reference out.
    python-pptx copies such a part as it is into every deck: a corrupt or 400-megapixel
    picture, or an SVG naming file:///etc/passwd, reached every deck. Other parts (EMF,
    WMF, TIFF, fonts, thumbnails PowerPoint draws) are PowerPoint's to read, as before."""
    from salesplay.images import ImageError, check_image, sniff

    suffix = posixpath.splitext(name)[1]
    with package.open(name) as part:  # its head tells a picture: a font is not read whole
        head = part.read(2048)
    if sniff(head, suffix) is None and suffix.lower() != ".svg":
        return
    try:
        check_image(package.read(name), suffix)
    except ImageError as exc:
        raise _master_fault(master, f"deck master's picture {name} {exc}") from None


#: the only outside target a master may name: a hyperlink a reader clicks, to the web or mail
_SAFE_LINK = re.compile(r"^(?:https?://[^\s\\]|mailto:)", re.IGNORECASE)


def _check_external(master: Path, part: str, kind: str, target: str | None) -> None:
    """A relationship of the master to something outside the file: every deck made from it
    carries it, the customers' pitch decks in partner kits too. A picture or media linked
    rather than embedded is fetched by PowerPoint when a deck opens (a tracking pixel, or a
    `file://host/share` path that hands a customer's Windows credentials to that host); a
    hyperlink to anything but the web or mail opens a file or program on a click. Only a
    hyperlink to an http(s) or mailto address is kept."""
    if kind.endswith("/hyperlink") and target and _SAFE_LINK.match(target):
        return
    what = "a hyperlink to" if kind.endswith("/hyperlink") else f"its {kind.rsplit('/', 1)[-1]} at"
    raise _master_fault(
        master,
        f"deck master's part {part} links {what} '{target}' outside the file: every deck would"
        " carry it, and a reader's PowerPoint would fetch or open it; embed the picture instead (a"
        " hyperlink may only be http(s) or mailto)",
    )


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

    def fill(slides: list[SlideSpec]) -> None:
        build_deck(
            master,
            slides,
            title="Check",
            author="salesplay",
            as_of=dt.date(2026, 1, 1),
            brand_color="#0B5FFF",
            accent_color="#FF6B00",
            logo=logo,
        )

    try:
        fill(specs)
    except DeckError as whole:
        for one in specs:
            try:
                fill([one])
            except DeckError as exc:
                message = str(exc).removeprefix("deck master cannot be filled: ")
                raise _master_fault(
                    master, f"deck master's {one.layout!r} layout cannot be filled: {message}"
                ) from None
        raise whole from None


def _checked_layouts(master: Path, prs: Any) -> float:
    layouts = _layouts(prs)
    missing = [name for name in LAYOUTS if name not in layouts]
    if missing:
        raise _master_fault(
            master,
            f"deck master has no layout named {missing[0]!r} (needs {', '.join(LAYOUTS)};"
            f" it has: {', '.join(sorted(layouts)) or 'none'})",
        )
    for name, needs in NEEDS.items():
        if name not in layouts:
            continue  # an optional layout: its slides go on its stand-in
        try:
            has = _present(layouts[name])
        except Exception as exc:  # a placeholder python-pptx cannot read (an unknown type…)
            raise _master_fault(
                master, f"deck master's layout {name!r} is damaged: {type(exc).__name__}: {exc}"
            ) from None
        lacking = [what for what, present in has if what in needs and not present]
        if lacking:
            raise _master_fault(
                master,
                f"deck master's layout {name!r} has no placeholder for {lacking[0]} (its"
                f" slides need {', '.join(needs)}); add one in PowerPoint's Slide Master view",
            )
    try:
        return logo_inches(prs)
    except Exception as exc:  # a picture placeholder python-pptx cannot read
        raise _master_fault(
            master, f"deck master's logo placeholder is damaged: {type(exc).__name__}: {exc}"
        ) from None


def optional_layout_slips(master: Path) -> list[tuple[str, str]]:
    """(optional layout, the master's layout of a close name) for each optional layout the
    master lacks while it has one named like it: a `Statment` layout was never used, its
    slides went on the stand-in without a word."""
    from salesplay.diagnostics import edit_distance

    try:
        names = sorted(_layouts(open_master(master)))
    except Exception:  # a master that cannot be opened is check_master's fault, said there
        return []
    slips = []
    for name in OPTIONAL_LAYOUTS:
        if name in names:
            continue
        # a slip is a letter or two: `Photo` or `Pros` beside `Proof` is a layout of its own
        most = 1 if len(name) <= 5 else 2
        near = sorted(
            (edit_distance(name.casefold(), n.casefold()), n) for n in names if n not in NEEDS
        )
        if near and near[0][0] <= most:
            slips.append((name, near[0][1]))
    return slips


def _layouts(prs: Any) -> dict[str, Any]:
    """The master's layouts by name; of two with one name, the first (the one decks use)."""
    layouts: dict[str, Any] = {}
    for slide_master in prs.slide_masters:
        for layout in slide_master.slide_layouts:
            layouts.setdefault(layout.name, layout)
    return layouts


def _present(layout: Any) -> list[tuple[str, bool]]:
    """Which of the placeholders slides fill the layout has (the names NEEDS uses)."""
    title, subtitle, bodies = _placeholders(layout)
    return [
        ("a title", title is not None),
        ("a subtitle", subtitle is not None),
        ("a body", len(bodies) >= 1),
        ("a second body", len(bodies) >= 2),
    ]


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
    bodies = _placeholders(layout)[2]
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


def _logo_holder(layout: Any) -> Any:
    """The layout's picture placeholder, which the company logo fills; None if it has none."""
    return next(
        (ph for ph in layout.placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.PICTURE),
        None,
    )


def _logo_box(prs: Any, holder: Any) -> tuple[int, int, int, int]:
    """The box (EMU) the company logo is fitted into: its placeholder's, else top right."""
    if holder is not None:
        return holder.left, holder.top, holder.width, holder.height
    w, h = int(Inches(2.6)), int(Inches(0.9))
    return prs.slide_width - int(Inches(0.6)) - w, int(Inches(0.55)), w, h


def logo_inches(prs: Any) -> float:
    """The longest side, in inches, of the boxes the master's logo layouts fit the company
    logo into: what sets the pixels its PNG needs (images.side_for)."""
    layouts = _layouts(prs)
    boxes = [_logo_box(prs, _logo_holder(layouts[n])) for n in LOGO_LAYOUTS if n in layouts]
    return max((max(box[2] or 0, box[3] or 0) / EMU_PER_INCH for box in boxes), default=0.0)


def _place_logo(prs: Any, slide: Any, layout: Any, logo: Logo) -> None:
    """The logo in the layout's picture placeholder (top right if it has none), on a card."""
    holder = _logo_holder(layout)
    box = _logo_box(prs, holder)
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
    title_ph, subtitle_ph, bodies = _placeholders(layout)
    wanted = (bool(spec.title), bool(spec.subtitle), bool(spec.body), bool(spec.body2))
    for (what, present), needed in zip(_present(layout), wanted, strict=True):
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
            draw_steps(slide, *steps[page], area, rtl=rtl)
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
        _mirror(prs)
    layouts = _layouts(prs)
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


# --- languages and scripts ---------------------------------------------------------------
#: The Noto typefaces `make` installs (fonts-noto-core, fonts-noto-cjk): a run holding
#: complex-script text names one as its a:cs typeface, east-asian text as its a:ea one, so
#: that no viewer falls back to a font without those glyphs.
_CS_FONTS = (
    ((0x0590, 0x05FF), (0xFB1D, 0xFB4F), "Noto Sans Hebrew"),
    ((0x0600, 0x08FF), (0xFB50, 0xFEFF), "Noto Sans Arabic"),
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


#: the most characters a document property (title, author) holds
MAX_PROPERTY = 255


def _property(text: str) -> str:
    """`text` as a document property: cut with "…" past MAX_PROPERTY characters."""
    return text if len(text) <= MAX_PROPERTY else text[: MAX_PROPERTY - 1].rstrip() + "…"


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


def _mirror(prs: Any) -> None:
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
            shape.left = width - shape.left - shape.width


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

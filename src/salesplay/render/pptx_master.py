"""Deck masters: a brand team's .pptx opened within bounds, and checked as it is before
any deck is made of it."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.exc import PackageNotFoundError
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Inches

from salesplay.diagnostics import Location
from salesplay.render.slides import DeckError
from salesplay.render.templates import THEME_DIR

_TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
_BODIES = (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)
EMU_PER_INCH = 914400


#: the layouts a deck master must have (README: "Templates and themes").
LAYOUTS = ("Title", "Section", "Content", "Two Content", "Path", "Closing")
#: layouts a master may add; a master without one gets its slides on the stand-in named here.
OPTIONAL_LAYOUTS = {"Statement": "Content", "Proof": "Content"}
#: the placeholders each layout's slides may fill (see pptx_deck._add_slides), checked
#: before any deck is made: a brand team's master without one is a mistake `check` finds,
#: not a build.
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


#: the layouts that carry the company logo (cobrand adds the partner's to the same slides).
LOGO_LAYOUTS = ("Title", "Closing")


#: a deck master larger than this, packed or unpacked, is refused (the built-in one is 60 KB).
MAX_MASTER_BYTES = 50_000_000


def master_fault(master: Path, message: str) -> DeckError:
    # a .pptx has no lines: the fault is the whole file, shown as its line 1
    return DeckError(message, Location(master, 1, 0))


def open_master(master: Path) -> Any:
    """The master as a python-pptx Presentation with a theme; a located DeckError otherwise.

    A brand team's file is untrusted input: its size is bounded before it is unpacked, and
    whatever python-pptx or lxml raise on a damaged package is reported at the file.
    """
    try:
        if master.stat().st_size > MAX_MASTER_BYTES or not master.is_file():
            raise master_fault(
                master, f"deck master is not a file of at most {MAX_MASTER_BYTES:,} bytes"
            )
        with zipfile.ZipFile(master) as package:
            unpacked = sum(info.file_size for info in package.infolist())
            if unpacked > MAX_MASTER_BYTES:
                raise master_fault(
                    master,
                    f"deck master unpacks to {unpacked:,} bytes (at most {MAX_MASTER_BYTES:,})",
                )
            _check_kind(master, package)
        prs = Presentation(str(master))
        prs.slide_master.part.part_related_by(RT.THEME)
    except DeckError:
        raise
    except KeyError as exc:
        raise master_fault(
            master, f"deck master has no theme, or a part is missing ({exc})"
        ) from None
    except OSError as exc:
        raise master_fault(master, f"cannot open deck master: {exc.strerror or exc}") from None
    except (zipfile.BadZipFile, PackageNotFoundError):
        raise master_fault(
            master, "cannot open deck master: not a PowerPoint (.pptx) file"
        ) from None
    except Exception as exc:  # lxml's XMLSyntaxError, python-pptx's own checks, …
        raise master_fault(
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
            raise master_fault(master, f"deck master is {what}: {save}")
        for marker, what in _PROGRAMS:
            if marker in kind or marker in where:
                raise master_fault(master, f"deck master holds {what}: remove it, then {save}")
    for name in names:
        for marker, what in _PROGRAMS:
            if marker in name:
                raise master_fault(master, f"deck master holds {what}: remove it, then {save}")


def built_in(master: Path) -> bool:
    """Whether `master` is the theme's own: ours, checked by the tests rather than by
    each build, and a failure with it is salesplay's bug, not the user's."""
    return master.resolve().is_relative_to(THEME_DIR)


def check_parts(master: Path) -> float:
    """The master opened and checked as it is, before anything is filled on it: a theme,
    every layout the decks use and, on each of those (and of the optional ones it has),
    the placeholders its slides fill; a project's master also each XML part well-formed,
    each relationship's part present, its pictures sound and a slide size PowerPoint
    allows. Returns logo_inches. (pptx_deck.check_master then fills one slide of each
    layout.)"""
    prs = open_master(master)
    if built_in(master):
        return _checked_layouts(master, prs)
    _check_package(master)
    _check_size(master, prs)
    try:
        return _checked_layouts(master, prs)
    except DeckError:
        raise
    except Exception as exc:  # a part python-pptx reads lazily, damaged
        raise master_fault(master, f"deck master is damaged: {type(exc).__name__}: {exc}") from None


#: what PowerPoint allows a slide's side to be, in EMU (1 to 56 inches)
SLIDE_SIDES = (914_400, 51_206_400)


def cobrand_sides() -> tuple[int, int]:
    """The least slide, in EMU, a partner kit's co-brand slot fits on (cobrand.prepare): the
    partner's logo box and an inch of its name beside it, between the slot's margins; the
    slot's card 1.55 inches high at the bottom edge."""
    from salesplay import cobrand

    return cobrand.SLOT_LOGO_W + cobrand.SLOT_MARGINS + EMU_PER_INCH, int(1.55 * EMU_PER_INCH)


def _check_size(master: Path, prs: Any) -> None:
    sides = (prs.slide_width, prs.slide_height)
    if None in sides:
        raise master_fault(
            master, "deck master has no slide size (ppt/presentation.xml lacks <p:sldSz>)"
        )
    inches = " × ".join(f"{side / EMU_PER_INCH:g}" for side in sides)
    if not all(SLIDE_SIDES[0] <= side <= SLIDE_SIDES[1] for side in sides):
        raise master_fault(
            master,
            f"deck master's slides are {inches} inches: PowerPoint allows 1 to 56 inches a side",
        )
    least = cobrand_sides()
    if any(side < need for side, need in zip(sides, least, strict=True)):
        # the slot was placed off the slide's left and top edges, its name's box given a
        # negative width (`<a:ext cx="-2194560">`), which PowerPoint offers to repair in
        # every co-branded deck of every kit; `check` passed it
        wide, high = (f"{need / EMU_PER_INCH:g}" for need in least)
        raise master_fault(
            master,
            f"deck master's slides are {inches} inches: the co-branded decks of partner kits"
            f" need at least {wide} × {high} inches for the partner's logo, name and contact"
            " (make the slides larger in PowerPoint's Slide Size)",
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
                raise master_fault(
                    master, f"deck master's part {name} is not well-formed XML: {exc.msg}"
                ) from None
            if not name.endswith(".rels"):
                rels = posixpath.join(
                    posixpath.dirname(name), "_rels", posixpath.basename(name) + ".rels"
                )
                if name.startswith("ppt/slideLayouts/") and rels not in names:
                    # a layout without its relationships has no master to draw on
                    raise master_fault(
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
                    raise master_fault(
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
        raise master_fault(master, f"deck master's picture {name} {exc}") from None


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
    raise master_fault(
        master,
        f"deck master's part {part} links {what} '{target}' outside the file: every deck would"
        " carry it, and a reader's PowerPoint would fetch or open it; embed the picture instead (a"
        " hyperlink may only be http(s) or mailto)",
    )


def _checked_layouts(master: Path, prs: Any) -> float:
    layouts = layouts_of(prs)
    missing = [name for name in LAYOUTS if name not in layouts]
    if missing:
        raise master_fault(
            master,
            f"deck master has no layout named {missing[0]!r} (needs {', '.join(LAYOUTS)};"
            f" it has: {', '.join(sorted(layouts)) or 'none'})",
        )
    for name, needs in NEEDS.items():
        if name not in layouts:
            continue  # an optional layout: its slides go on its stand-in
        try:
            has = present_in(layouts[name])
        except Exception as exc:  # a placeholder python-pptx cannot read (an unknown type…)
            raise master_fault(
                master, f"deck master's layout {name!r} is damaged: {type(exc).__name__}: {exc}"
            ) from None
        lacking = [what for what, present in has if what in needs and not present]
        if lacking:
            raise master_fault(
                master,
                f"deck master's layout {name!r} has no placeholder for {lacking[0]} (its"
                f" slides need {', '.join(needs)}); add one in PowerPoint's Slide Master view",
            )
    try:
        return logo_inches(prs)
    except Exception as exc:  # a picture placeholder python-pptx cannot read
        raise master_fault(
            master, f"deck master's logo placeholder is damaged: {type(exc).__name__}: {exc}"
        ) from None


def optional_layout_slips(master: Path) -> list[tuple[str, str]]:
    """(optional layout, the master's layout of a close name) for each optional layout the
    master lacks while it has one named like it: a `Statment` layout was never used, its
    slides went on the stand-in without a word."""
    from salesplay.diagnostics import edit_distance

    try:
        names = sorted(layouts_of(open_master(master)))
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


def layouts_of(prs: Any) -> dict[str, Any]:
    """The master's layouts by name; of two with one name, the first (the one decks use)."""
    layouts: dict[str, Any] = {}
    for slide_master in prs.slide_masters:
        for layout in slide_master.slide_layouts:
            layouts.setdefault(layout.name, layout)
    return layouts


def present_in(layout: Any) -> list[tuple[str, bool]]:
    """Which of the placeholders slides fill the layout has (the names NEEDS uses)."""
    title, subtitle, bodies = placeholders(layout)
    return [
        ("a title", title is not None),
        ("a subtitle", subtitle is not None),
        ("a body", len(bodies) >= 1),
        ("a second body", len(bodies) >= 2),
    ]


def logo_holder(layout: Any) -> Any:
    """The layout's picture placeholder, which the company logo fills; None if it has none."""
    return next(
        (ph for ph in layout.placeholders if ph.placeholder_format.type == PP_PLACEHOLDER.PICTURE),
        None,
    )


def logo_box(prs: Any, holder: Any) -> tuple[int, int, int, int]:
    """The box (EMU) the company logo is fitted into: its placeholder's, else top right."""
    if holder is not None:
        return holder.left, holder.top, holder.width, holder.height
    w, h = int(Inches(2.6)), int(Inches(0.9))
    return prs.slide_width - int(Inches(0.6)) - w, int(Inches(0.55)), w, h


def logo_inches(prs: Any) -> float:
    """The longest side, in inches, of the boxes the master's logo layouts fit the company
    logo into: what sets the pixels its PNG needs (images.side_for)."""
    layouts = layouts_of(prs)
    boxes = [logo_box(prs, logo_holder(layouts[n])) for n in LOGO_LAYOUTS if n in layouts]
    return max((max(box[2] or 0, box[3] or 0) / EMU_PER_INCH for box in boxes), default=0.0)


def placeholders(layout: Any) -> tuple[Any, Any, list[Any]]:
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

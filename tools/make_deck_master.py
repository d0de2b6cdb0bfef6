"""Regenerate the default PowerPoint master src/salesplay/themes/default/deck.pptx."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.util import Emu

from salesplay.render.pptx_deck import repack

OUT = Path(__file__).resolve().parent.parent / "src/salesplay/themes/default/deck.pptx"
STAMP = dt.date(2026, 1, 1)  # fixed, so regenerating gives the same bytes
W, H = 12192000, 6858000  # 13.333in x 7.5in
IN = 914400
M = int(0.6 * IN)  # side margin
CONTENT_W = W - 2 * M
COLORS = {"dk2": "1B2433", "lt2": "EEF2F7", "accent1": "0B5FFF", "accent2": "FF6B00"}

# name, sldLayout type, background colour or None, showMasterSp
LAYOUTS = [
    ("Title", "title", "accent1", False),
    ("Section", "secHead", "bg2", False),
    ("Content", "obj", None, True),
    ("Two Content", "twoObj", None, True),
    ("Path", "titleOnly", None, True),
    ("Closing", "cust", "accent1", False),
    ("Statement", "obj", None, True),
    ("Proof", "cust", None, True),
]
# where the company logo goes on the title and closing slides (a picture placeholder; the
# partner's co-brand slots of kits sit in the bottom band, clear of it)
LOGO_W, LOGO_H = int(2.6 * IN), int(0.9 * IN)


def _fill(color: str) -> str:
    return f'<a:solidFill><a:schemeClr val="{color}"/></a:solidFill>'


def _xfrm(x: float, y: float, cx: float, cy: float) -> str:
    off, ext = f'x="{int(x)}" y="{int(y)}"', f'cx="{int(cx)}" cy="{int(cy)}"'
    return f"<a:xfrm><a:off {off}/><a:ext {ext}/></a:xfrm>"


def _rect(sid: int, name: str, box: tuple[float, float, float, float], color: str) -> str:
    return (
        f'<p:sp {nsdecls("a", "p")}><p:nvSpPr><p:cNvPr id="{sid}" name="{name}"/><p:cNvSpPr/>'
        f'<p:nvPr userDrawn="1"/></p:nvSpPr><p:spPr>{_xfrm(*box)}'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>{_fill(color)}<a:ln><a:noFill/></a:ln>'
        "</p:spPr></p:sp>"
    )


def _ph(
    sid: int,
    name: str,
    ph: str,
    box: tuple[float, float, float, float],
    *,
    prompt: str,
    anchor: str = "t",
    lvl1: str = "",
) -> str:
    style = f"<a:lstStyle>{lvl1}</a:lstStyle>" if lvl1 else "<a:lstStyle/>"
    return (
        f'<p:sp {nsdecls("a", "p")}><p:nvSpPr><p:cNvPr id="{sid}" name="{name}"/>'
        f'<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr>{ph}</p:nvPr></p:nvSpPr>'
        f"<p:spPr>{_xfrm(*box)}</p:spPr><p:txBody>"
        f'<a:bodyPr anchor="{anchor}"><a:noAutofit/></a:bodyPr>{style}'
        f'<a:p><a:r><a:rPr lang="en-US"/><a:t>{prompt}</a:t></a:r></a:p></p:txBody></p:sp>'
    )


def _logo(sid: int, x: int) -> str:
    return (
        f'<p:sp {nsdecls("a", "p")}><p:nvSpPr><p:cNvPr id="{sid}" name="Logo"/>'
        '<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr>'
        '<p:nvPr><p:ph type="pic" idx="10"/></p:nvPr></p:nvSpPr>'
        f"<p:spPr>{_xfrm(x, int(0.55 * IN), LOGO_W, LOGO_H)}</p:spPr><p:txBody><a:bodyPr/>"
        '<a:lstStyle/><a:p><a:r><a:rPr lang="en-US"/><a:t>Logo</a:t></a:r></a:p></p:txBody></p:sp>'
    )


def _lvl1(size: int, color: str, *, bold: bool = False, align: str = "l") -> str:
    b = ' b="1"' if bold else ""
    return (
        f'<a:lvl1pPr marL="0" indent="0" algn="{align}"><a:buNone/>'
        f'<a:defRPr sz="{size}"{b}>{_fill(color)}</a:defRPr></a:lvl1pPr>'
    )


TITLE_BOX = (M, int(0.35 * IN), CONTENT_W, int(1.1 * IN))
BODY_Y = int(1.75 * IN)
BODY_H = H - BODY_Y - int(0.55 * IN)
HALF_W = (CONTENT_W - int(0.4 * IN)) // 2


def _title(sid: int = 2) -> str:
    return _ph(sid, "Title", '<p:ph type="title"/>', TITLE_BOX, prompt="Slide title", anchor="b")


def _body(sid: int, idx: int, box: tuple[float, float, float, float]) -> str:
    return _ph(sid, f"Body {idx}", f'<p:ph idx="{idx}"/>', box, prompt="Text")


def _shapes(name: str) -> list[str]:
    title_ph, subtitle_ph = '<p:ph type="title"/>', '<p:ph type="subTitle" idx="1"/>'
    if name in ("Title", "Closing"):
        align = "l" if name == "Title" else "ctr"
        x, w = (int(0.9 * IN), int(11 * IN)) if name == "Title" else (M, CONTENT_W)
        rule_x = x if name == "Title" else (W - int(1.2 * IN)) // 2
        title_box = (x, int(1.9 * IN), w, int(1.9 * IN))
        logo_x = x if name == "Title" else (W - LOGO_W) // 2
        return [
            _ph(2, "Title", '<p:ph type="ctrTitle"/>', title_box, prompt="Deck title",
                anchor="b", lvl1=_lvl1(4400, "bg1", bold=True, align=align)),
            _rect(3, "Brand Rule", (rule_x, int(3.95 * IN), int(1.2 * IN), int(0.07 * IN)), "bg1"),
            _ph(4, "Subtitle", subtitle_ph, (x, int(4.2 * IN), w, int(1.6 * IN)),
                prompt="Subtitle", lvl1=_lvl1(2000, "bg1", align=align)),
            _logo(5, logo_x),
        ]  # fmt: skip
    if name == "Section":
        x, w = int(1.0 * IN), int(11 * IN)
        return [
            _rect(2, "Brand Bar", (0, 0, int(0.35 * IN), H), "accent1"),
            _ph(3, "Title", title_ph, (x, int(1.9 * IN), w, int(1.9 * IN)),
                prompt="Section title", anchor="b", lvl1=_lvl1(4000, "tx2", bold=True)),
            _ph(4, "Subtitle", subtitle_ph, (x, int(4.05 * IN), w, int(1.6 * IN)),
                prompt="Subtitle", lvl1=_lvl1(2000, "accent1")),
        ]  # fmt: skip
    if name == "Content":
        return [_title(), _body(3, 1, (M, BODY_Y, CONTENT_W, BODY_H))]
    if name == "Two Content":
        right = M + HALF_W + int(0.4 * IN)
        return [
            _title(),
            _body(3, 1, (M, BODY_Y, HALF_W, BODY_H)),
            _body(4, 2, (right, BODY_Y, HALF_W, BODY_H)),
        ]
    attribution = '<p:ph type="subTitle" idx="3"/>'
    if name == "Statement":
        # one sentence, large, in the middle of the slide; an attribution line under it
        return [
            _title(),
            _ph(3, "Statement", '<p:ph idx="1"/>', (M, BODY_Y, CONTENT_W, int(4.0 * IN)),
                prompt="One sentence", anchor="ctr", lvl1=_lvl1(3600, "tx2")),
            _ph(4, "Attribution", attribution, (M, int(5.9 * IN), CONTENT_W, int(0.7 * IN)),
                prompt="Who said it", lvl1=_lvl1(1800, "accent1", bold=True)),
        ]  # fmt: skip
    if name == "Proof":
        # the customer's result: a big number on a brand panel, the quote and who said it
        panel_w = int(5.0 * IN)
        right = M + panel_w + int(0.5 * IN)
        right_w = CONTENT_W - panel_w - int(0.5 * IN)
        return [
            _title(),
            _rect(3, "Proof Panel", (M, BODY_Y, panel_w, BODY_H), "accent1"),
            _ph(4, "Big Number", '<p:ph idx="1"/>',
                (M + int(0.3 * IN), BODY_Y, panel_w - int(0.6 * IN), BODY_H),
                prompt="40 %", anchor="ctr", lvl1=_lvl1(6600, "bg1", bold=True, align="ctr")),
            _ph(5, "Result", '<p:ph idx="2"/>', (right, BODY_Y, right_w, int(3.4 * IN)),
                prompt="The result, in the customer's words", anchor="b",
                lvl1=_lvl1(2800, "tx2")),
            _ph(6, "Attribution", attribution, (right, BODY_Y + int(3.6 * IN), right_w,
                int(0.8 * IN)), prompt="Customer", lvl1=_lvl1(1800, "accent1", bold=True)),
        ]  # fmt: skip
    return [_title()]


def _a(xml: str) -> Any:
    return parse_xml(xml.format(ns=nsdecls("a")))


def _restyle_master(master: Any) -> None:
    tree = master._element.cSld.spTree
    for sp in tree.xpath("./p:sp"):
        tree.remove(sp)
    tree.append(parse_xml(_rect(2, "Brand Bar", (0, 0, W, int(0.12 * IN)), "accent1")))
    tree.append(parse_xml(_ph(3, "Title", '<p:ph type="title"/>', TITLE_BOX, prompt="Title")))
    body_box = (M, BODY_Y, CONTENT_W, BODY_H)
    tree.append(parse_xml(_ph(4, "Body", '<p:ph type="body" idx="1"/>', body_box, prompt="Text")))
    rule = (M, TITLE_BOX[1] + TITLE_BOX[3] + int(0.08 * IN), int(0.9 * IN), int(0.06 * IN))
    tree.append(parse_xml(_rect(5, "Brand Rule", rule, "accent1")))
    styles = master._element.find(qn("p:txStyles"))
    title = styles.find(qn("p:titleStyle")).find(qn("a:lvl1pPr"))
    title.set("algn", "l")
    rpr = title.find(qn("a:defRPr"))
    rpr.set("sz", "3200")
    rpr.set("b", "1")
    rpr.find(qn("a:solidFill")).find(qn("a:schemeClr")).set("val", "tx2")
    body = styles.find(qn("p:bodyStyle"))
    for lvl in range(1, 10):
        ppr = body.find(qn(f"a:lvl{lvl}pPr"))
        ppr.set("marL", str(285750 + (lvl - 1) * 400050))
        ppr.set("indent", "-285750")
        space = f'<a:spcPts val="{800 if lvl == 1 else 400}"/>'
        ppr.replace(ppr.find(qn("a:spcBef")), _a(f"<a:spcBef {{ns}}>{space}</a:spcBef>"))
        ppr.find(qn("a:buFont")).addprevious(
            _a('<a:buClr {ns}><a:schemeClr val="accent1"/></a:buClr>')
        )
        ppr.find(qn("a:buChar")).set("char", "•" if lvl % 2 else "–")
        ppr.find(qn("a:defRPr")).set("sz", str({1: 1800, 2: 1600}.get(lvl, 1400)))


def _restyle_layout(layout: Any, name: str, kind: str, bg: str | None, master_sp: bool) -> None:
    element = layout._element
    element.set("type", kind)
    element.set("preserve", "1")
    if not master_sp:
        element.set("showMasterSp", "0")
    layout.name = name
    c_sld = element.cSld
    for old in c_sld.xpath("./p:bg"):
        c_sld.remove(old)
    if bg:
        bg_xml = f"<p:bg {nsdecls('a', 'p')}><p:bgPr>{_fill(bg)}<a:effectLst/></p:bgPr></p:bg>"
        c_sld.insert(0, parse_xml(bg_xml))
    tree = c_sld.spTree
    for sp in tree.xpath("./p:sp"):
        tree.remove(sp)
    for xml in _shapes(name):
        tree.append(parse_xml(xml))


def _restyle_theme(prs: Any) -> None:
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    xml = theme.blob.decode("utf-8").replace('name="Office Theme"', 'name="salesplay"')
    for slot, rgb in COLORS.items():
        color = f'<a:{slot}><a:srgbClr val="{rgb}"/></a:{slot}>'
        xml = re.sub(rf"<a:{slot}>.*?</a:{slot}>", color, xml)
    theme.blob = xml.encode("utf-8")


def build() -> bytes:
    """The master's bytes; the same on every run."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(W), Emu(H)
    prs.part._element.find(qn("p:sldSz")).attrib.pop("type", None)
    layouts = list(prs.slide_layouts)
    for extra in layouts[len(LAYOUTS) :]:
        prs.slide_layouts.remove(extra)
    _restyle_master(prs.slide_master)
    for layout, spec in zip(layouts, LAYOUTS, strict=False):
        _restyle_layout(layout, *spec)
    _restyle_theme(prs)
    prs.notes_master  # noqa: B018 - creates the notes master so decks need not add one
    for rel in list(prs.part.rels.values()):
        if rel.reltype == RT.PRINTER_SETTINGS:
            prs.part.drop_rel(rel.rId)
    package = prs.part.package
    for rel in list(package._rels.values()):
        if rel.reltype == RT.THUMBNAIL:
            package.drop_rel(rel.rId)
    props = prs.core_properties
    when = dt.datetime(STAMP.year, STAMP.month, STAMP.day)
    props.title = "salesplay deck master"
    props.author = props.last_modified_by = "salesplay"
    props.comments = "Regenerate with tools/make_deck_master.py; restyle layouts freely."
    props.created = props.modified = props.last_printed = when
    props.revision = 1
    app = package.part_related_by(RT.EXTENDED_PROPERTIES)
    app.blob = app.blob.replace(b"On-screen Show (4:3)", b"Widescreen")
    buffer = io.BytesIO()
    prs.save(buffer)
    return repack(buffer.getvalue(), STAMP)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    data = build()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.out)
    print(f"wrote {args.out} ({len(data)} bytes)")


if __name__ == "__main__":
    main()

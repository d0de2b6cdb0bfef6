"""Embedded CFF subsets made CID-keyed, without the thousand glyph names: every glyph at
its id ("cid", as a playbook's parts merge them), or only the glyphs drawn, each answering
to its old id as its CID ("dense", a CIDFontType0C program); drawn and read the same; a
font it cannot take apart stays as it came."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pypdfium2 as pdfium
import pytest
from fontTools.misc.psCharStrings import T2CharString
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops, ImageStat
from test_fontmerge import render_page

from salesplay.render import cidfont
from salesplay.render.cff import CffError
from salesplay.render.pdf import FontForm, PdfRenderer

HTML = (
    '<!DOCTYPE html><html lang="en"><head><link rel="stylesheet" href="fonts.css">'
    "<style>@page { size: A6; margin: 1cm } body { font-family: Inter }"
    " .j { font-family: 'Noto Sans CJK JP' }</style></head><body>"
    "<h1>Backup modernization</h1><p>Replace tape with <b>immutable</b>, <i>off-site</i>"
    " copies — 40 % cheaper.</p><p class=j lang=ja>統合クラウド</p></body></html>"
)


def _render(fonts: FontForm) -> bytes:
    with PdfRenderer() as renderer:
        return render_page(renderer, HTML, fonts)


@pytest.fixture(scope="module")
def both() -> tuple[bytes, bytes]:
    """The page with its subsets as WeasyPrint writes them, and CID-keyed with every id."""
    return _render("as-made"), _render("cid")


@pytest.fixture(scope="module")
def dense_pdf() -> bytes:
    """The page as a build renders it: its subsets dense."""
    return _render("dense")


def _programs(pdf: bytes, kind: str | None = None) -> dict[str, bytes]:
    """Each embedded face's name -> its font program (of the Subtype `kind` only)."""
    found = {}
    opened = pikepdf.open(io.BytesIO(pdf))  # kept open while its objects are read
    for obj in opened.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0":
            descriptor = obj.DescendantFonts[0].FontDescriptor
            program = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
            if kind is None or program.get("/Subtype") == kind:
                found[str(obj.BaseFont).split("+", 1)[1]] = program.read_bytes()
    return found


def _glyphs(program: bytes) -> tuple[Any, list[bytes]]:
    """A font's CFF table and its glyph programs in glyph id order."""
    font = TTFont(io.BytesIO(program))
    cff = font["CFF "].cff
    top = cff[cff.fontNames[0]]
    programs = []
    for name in font.getGlyphOrder():
        glyph = top.CharStrings[name]
        glyph.compile()
        programs.append(bytes(glyph.bytecode))
    return top, programs


def _pixels(pdf: bytes, tmp: Path, name: str) -> list[bytes]:
    (tmp / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-gray", str(tmp / f"{name}.pdf"), str(tmp / name)],
                   check=True)  # fmt: skip
    return [png.read_bytes() for png in sorted(tmp.glob(f"{name}-*.pgm"))]


def test_the_same_glyphs_at_the_same_ids_without_their_names(both: tuple[bytes, bytes]) -> None:
    named, keyed = (_programs(pdf) for pdf in both)
    assert set(named) == set(keyed) and {"Inter", "Inter-Bold", "Inter-Italic"} <= set(named)
    for face in ("Inter", "Inter-Bold", "Inter-Italic"):
        was, now = TTFont(io.BytesIO(named[face])), TTFont(io.BytesIO(keyed[face]))
        (old_top, old_glyphs), (new_top, new_glyphs) = _glyphs(named[face]), _glyphs(keyed[face])
        assert not hasattr(old_top, "ROS")
        assert new_top.ROS == ("Adobe", "Identity", 0)
        assert new_glyphs == old_glyphs  # glyph i is glyph i, byte for byte
        assert new_top.charset == [".notdef"] + [f"cid{i:05d}" for i in range(1, len(old_glyphs))]
        assert new_top.FullName == old_top.FullName and new_top.Notice == old_top.Notice
        assert new_top.FDArray[0].Private.rawDict == old_top.Private.rawDict
        for tag in ("hmtx", "cmap", "maxp", "OS/2", "name", "post"):
            if tag in was:
                assert now.reader[tag] == was.reader[tag], tag
        head, old_head = now.reader["head"], was.reader["head"]
        assert head[:8] + head[12:] == old_head[:8] + old_head[12:]  # its checksum aside
        # the glyph names were most of the table: two in five of the file's bytes go
        assert len(keyed[face]) < 0.75 * len(named[face])
    # the CJK face is CID-keyed already, and stays as WeasyPrint made it
    assert keyed["Noto-Sans-CJK-JP"] == named["Noto-Sans-CJK-JP"]
    assert len(both[1]) < 0.9 * len(both[0])  # most of the rest is the Japanese face


def _widths(pdf: bytes) -> dict[str, list[Any]]:
    """Each face's name -> its W array, as numbers."""
    found = {}
    opened = pikepdf.open(io.BytesIO(pdf))
    for obj in opened.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0":
            w = obj.DescendantFonts[0].W
            found[str(obj.BaseFont).split("+", 1)[1]] = [
                [float(x) for x in item] if isinstance(item, pikepdf.Array) else int(item)
                for item in w
            ]
    return found


def test_a_dense_subset_holds_the_glyphs_drawn_each_at_its_old_id(
    both: tuple[bytes, bytes], dense_pdf: bytes
) -> None:
    """Glyph i of a dense program is CID (the old id) charset[i]: a reader that maps a CID
    through the charset finds the glyph the text names, byte for byte the one WeasyPrint
    subset; a Japanese face's 59,000 slots become the few glyphs the page draws."""
    from fontTools.cffLib import CFFFontSet

    named = _programs(both[0])
    dense = _programs(dense_pdf, "/CIDFontType0C")
    assert {"Inter", "Inter-Bold", "Inter-Italic", "Noto-Sans-CJK-JP"} <= set(dense)
    assert set(_programs(dense_pdf)) == set(named)  # DejaVu's TrueType as it was
    widths = _widths(dense_pdf)
    assert widths == _widths(both[0])  # every glyph's width and id as WeasyPrint wrote it
    for face, program in dense.items():
        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(program), None)
        top = fonts[fonts.fontNames[0]]
        assert top.ROS[:2] == ("Adobe", "Identity")
        ids = [0] + [int(name[3:]) for name in top.charset[1:]]
        drawn = set()
        w = widths[face]
        for at in range(0, len(w), 2):
            drawn.update(range(w[at], w[at] + len(w[at + 1])))
        assert set(ids) == drawn | {0}  # the glyphs drawn and .notdef, nothing else
        _, old_glyphs = _glyphs(named[face])
        for i, old in enumerate(ids):
            glyph = top.CharStrings.charStringsIndex[i]
            glyph.compile()
            assert bytes(glyph.bytecode) == old_glyphs[old], (face, old)
        assert len(program) < 0.5 * len(named[face])
    assert len(dense_pdf) < 0.4 * len(both[0])  # the Japanese face was most of the page


def test_pages_draw_and_read_the_same(
    both: tuple[bytes, bytes], dense_pdf: bytes, tmp_path: Path
) -> None:
    named, keyed = both
    pixels = _pixels(named, tmp_path, "named")
    assert _pixels(keyed, tmp_path, "keyed") == pixels
    assert _pixels(dense_pdf, tmp_path, "dense") == pixels
    texts = [
        [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
        for pdf in (named, keyed, dense_pdf)
    ]
    assert texts[0] == texts[1] == texts[2]
    assert "immutable" in texts[2][0] and "統合クラウド" in texts[2][0]


def _pdfium_pages(pdf: bytes) -> list[tuple[Image.Image, str]]:
    """Each page drawn by PDFium (the engine of Chrome's PDF viewer) in grey, with its text."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [
            (
                doc[i].render(scale=110 / 72, grayscale=True).to_pil().convert("L"),
                doc[i].get_textpage().get_text_range(),
            )
            for i in range(len(doc))
        ]
    finally:
        doc.close()


def test_pdfium_draws_and_reads_the_same(both: tuple[bytes, bytes], dense_pdf: bytes) -> None:
    """A second reader: PDFium finds each CID's glyph through a dense program's charset too.
    It smooths the edges of a bare CFF program's glyphs a little differently from those of
    the OpenType-wrapped one (up to 31 of 255 grey levels on edge pixels, 0.03 on average);
    a glyph taken for another differs by whole strokes (255, and 6 on average, when the
    charset is ignored)."""
    named, keyed = both
    pages = _pdfium_pages(named)
    assert "immutable" in pages[0][1] and "統合クラウド" in pages[0][1]
    for pdf, edges in ((keyed, 0), (dense_pdf, 64)):
        drawn = _pdfium_pages(pdf)
        assert [text for _, text in drawn] == [text for _, text in pages]
        for (was, _), (now, _) in zip(pages, drawn, strict=True):
            difference = ImageChops.difference(was, now)
            assert difference.getextrema()[1] <= edges
            assert ImageStat.Stat(difference).mean[0] < 0.5


def _compiled(program: list[Any]) -> bytes:
    glyph = T2CharString(program=program)
    glyph.compile()
    return bytes(glyph.bytecode)


def test_an_accented_glyph_drawn_with_seac_is_found() -> None:
    """seac finds its accent and base by their names: a font that has one stays name-keyed."""
    assert cidfont._seac(_compiled([0, 0, 65, 194, "endchar"]))
    assert cidfont._seac(_compiled([500, 0, 0, 65, 194, "endchar"]))  # with a width
    # hints first (two stems, and one vertical before the mask), then a hint mask whose
    # byte is endchar's
    hints = _compiled([500, 10, 20, 30, 40, "hstemhm"]) + bytes((139 + 5, 139 + 6, 19, 14))
    assert cidfont._seac(hints + _compiled([0, 0, 65, 194, "endchar"]))
    outline = [100, 0, "rmoveto", 50, 0, "rlineto", -25, 40, "rlineto", "endchar"]
    assert not cidfont._seac(_compiled(outline))
    assert not cidfont._seac(hints + _compiled(outline))
    assert not cidfont._seac(_compiled([500, "endchar"]))
    with pytest.raises(CffError, match="subroutine"):
        cidfont._seac(_compiled([0, "callsubr", "endchar"]))


def test_a_font_it_cannot_take_apart_stays_as_it_came(
    both: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    named = _programs(both[0])["Inter"]
    font = TTFont(io.BytesIO(named))
    top = font["CFF "].cff[font["CFF "].cff.fontNames[0]]
    name = font.getGlyphOrder()[-1]
    top.CharStrings[name] = T2CharString(
        program=[0, 0, 65, 194, "endchar"], private=top.Private, globalSubrs=top.GlobalSubrs
    )
    out = io.BytesIO()
    font.save(out)
    with pytest.raises(CffError, match="seac"):
        cidfont.cid_keyed(out.getvalue())
    with pytest.raises(CffError, match="CID-keyed already"):
        cidfont.cid_keyed(_programs(both[1])["Inter"])
    with pytest.raises(CffError, match="not a CFF-based"):
        cidfont.cid_keyed(b"\x00\x01\x00\x00" + bytes(8))  # TrueType outlines

    def refuse(otf: bytes, *args: Any) -> bytes:
        raise CffError("refused")

    monkeypatch.setattr(cidfont, "cid_keyed", refuse)
    monkeypatch.setattr(cidfont, "dense", refuse)
    for form in ("cid", "dense"):
        assert _programs(_render(form))["Inter"] == named, form  # as WeasyPrint wrote it


def test_a_damaged_subset_is_refused_not_a_crash(both: tuple[bytes, bytes]) -> None:
    """Each byte of the head of a subset's CFF table (header, name, Top DICT, strings)
    changed in turn: the conversion either reads it or refuses it (CffError, and the font
    is embedded as WeasyPrint made it). Byte 90 of Inter's, its Private DICT's size and
    offset made one operand, was a ValueError before."""
    named = _programs(both[0])["Inter"]
    start = named.index(cidfont._tables(named)[b"CFF "])  # where the CFF table starts
    refused = 0
    for at in range(start, start + 160):
        for flip in (0xFF, 0x01):
            damaged = named[:at] + bytes([named[at] ^ flip]) + named[at + 1 :]
            for convert in (cidfont.cid_keyed, lambda otf: cidfont.dense(otf, range(40))):
                try:
                    convert(damaged)
                except CffError:
                    refused += 1
    assert refused  # some damage is found; none of it raised anything else

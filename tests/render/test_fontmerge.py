"""Parts joined into one document embed each face once: the parts' subsets merged glyph by
glyph (CFF, CID-keyed CFF and TrueType), their widths and texts joined; a face whose subsets
disagree stays as it came."""

from __future__ import annotations

import io
import logging
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest

from salesplay.render import fontmerge
from salesplay.render.pdf import FontForm, PdfRenderer
from salesplay.render.pdfjoin import join
from salesplay.render.templates import THEME_DIR

AS_OF = date(2026, 11, 1)

# each part draws other glyphs of each face: Inter (CFF), Inter bold, DejaVu Sans
# (TrueType, its accented letters composite glyphs), Noto Sans CJK (CID-keyed CFF) and
# Noto Sans Arabic (TrueType, joined forms)
_PAGES = [
    ("Alpha brave", "Übergröße", "統合クラウド", "مرحبا بالعالم"),
    ("Quartz jumps", "café naïve", "ハイブリッド", "سلام عليكم"),
    ("Vexing wolf", "Ægir øre", "予測可能なコスト", "نسخة احتياطية"),
]
_STYLE = (
    '<link rel="stylesheet" href="fonts.css">'
    "<style>@page { size: A6; margin: 1cm } body { font-family: Inter }"
    " .d { font-family: 'DejaVu Sans' } .j { font-family: 'Noto Sans CJK JP' }"
    " .a { font-family: 'Noto Sans Arabic' } section + section { break-before: page }</style>"
)


def _section(latin: str, accents: str, japanese: str, arabic: str) -> str:
    return (
        f"<section><h1>{latin}</h1><p>{latin.lower()} text</p><p class=d>{accents}</p>"
        f"<p class=j lang=ja>{japanese}</p><p class=a lang=ar dir=rtl>{arabic}</p></section>"
    )


def _html(sections: list[str]) -> str:
    body = "".join(sections)
    return f'<!DOCTYPE html><html lang="en"><head>{_STYLE}</head><body>{body}</body></html>'


def render_page(renderer: PdfRenderer, html: str, fonts: FontForm) -> bytes:
    """`html` rendered in the built-in theme's folder, its CFF subsets written as `fonts`."""
    pdf: bytes = renderer.render(
        html,
        base_url=(THEME_DIR / "index.html").as_uri(),
        roots=[THEME_DIR],
        as_of=AS_OF,
        title="Fonts",
        fonts=fonts,
    )[0]
    return pdf


def _rendered(fonts: FontForm) -> tuple[list[bytes], bytes]:
    """Each page rendered alone (the parts), and all of them rendered as one document."""
    sections = [_section(*page) for page in _PAGES]
    with PdfRenderer() as renderer:
        parts = [render_page(renderer, _html([s]), fonts) for s in sections]
        return parts, render_page(renderer, _html(sections), fonts)


@pytest.fixture(scope="module")
def rendered() -> tuple[list[bytes], bytes]:
    """The parts and the whole, as a build renders a playbook's parts: CFF subsets
    CID-keyed, every glyph id kept, to merge."""
    return _rendered("cid")


@pytest.fixture(scope="module")
def rendered_named() -> tuple[list[bytes], bytes]:
    """The same with Inter's subsets name-keyed, as WeasyPrint writes them (and as a
    face render.cidfont refuses stays)."""
    return _rendered("as-made")


def _fonts(data: bytes) -> dict[str, int]:
    """Each embedded face's name -> its number of Type 0 font dictionaries."""
    pdf = pikepdf.open(io.BytesIO(data))
    found: dict[str, int] = {}
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0":
            name = str(obj.BaseFont).split("+", 1)[1]
            found[name] = found.get(name, 0) + 1
    return found


def _texts(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _pixels(data: bytes, tmp: Path, name: str) -> list[Any]:
    from PIL import Image

    (tmp / f"{name}.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-gray", str(tmp / f"{name}.pdf"), str(tmp / name)], check=True
    )
    return [Image.open(png) for png in sorted(tmp.glob(f"{name}-*.pgm"))]


def test_joined_parts_embed_each_face_once(
    rendered: tuple[list[bytes], bytes], tmp_path: Path
) -> None:
    from PIL import ImageChops

    parts, whole = rendered
    faces = _fonts(whole)
    # the five faces of the parts, in the three kinds of font program
    assert {"Inter", "Inter-Bold", "DejaVu-Sans", "Noto-Sans-CJK-JP", "Noto-Sans-Arabic"} <= set(
        faces
    )
    assert all(_fonts(part) == faces for part in parts)  # each part a subset of each face
    joined = join(parts)
    assert _fonts(joined) == faces == {name: 1 for name in faces}
    assert len(joined) < 1.15 * len(whole) < 0.7 * sum(len(part) for part in parts)
    assert _texts(joined) == _texts(whole)
    before, after = _pixels(whole, tmp_path, "whole"), _pixels(joined, tmp_path, "joined")
    assert len(before) == len(after) == 3
    for number, (a, b) in enumerate(zip(before, after, strict=True), 1):
        diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 64 else 0)
        assert diff.histogram()[255] <= 10, f"page {number} differs"
    assert join(parts) == joined


def _with_program(part: bytes, face: str, change: Callable[[bytes], bytes]) -> bytes:
    """The part with `face`'s embedded font program changed by `change`."""
    pdf = pikepdf.open(io.BytesIO(part))
    for obj in pdf.objects:
        if not (isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0"):
            continue
        if str(obj.BaseFont).endswith("+" + face):
            descriptor = obj.DescendantFonts[0].FontDescriptor
            key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
            descriptor[key].write(change(descriptor[key].read_bytes()))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _next_revision(program: bytes) -> bytes:
    """The font program marked as another revision of its face."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(program))
    font["head"].fontRevision += 1
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def test_a_face_whose_subsets_disagree_stays_as_it_came(
    rendered: tuple[list[bytes], bytes],
) -> None:
    parts, whole = rendered
    changed = [parts[0], _with_program(parts[1], "Inter", _next_revision), parts[2]]
    joined = join(changed)
    fonts = _fonts(joined)
    # Inter stays one subset per part, the other faces are merged
    assert fonts["Inter"] == 3
    assert all(count == 1 for name, count in fonts.items() if name != "Inter")
    assert _texts(joined) == _texts(whole)


@pytest.mark.parametrize("face", ["Inter", "DejaVu-Sans", "Noto-Sans-CJK-JP"])
def test_a_program_no_tool_can_read_is_left_as_it_came(
    rendered: tuple[list[bytes], bytes], face: str
) -> None:
    """A font program fontTools cannot read (a project's own font, damaged) does not stop
    the join: its face keeps one subset per part, the others are merged."""
    parts, _ = rendered
    # cut short: no font tool can read it
    joined = join([parts[0], _with_program(parts[1], face, lambda p: p[:300]), parts[2]])
    fonts = _fonts(joined)
    assert fonts[face] == 3
    assert all(count == 1 for name, count in fonts.items() if name != face)


def test_a_font_tool_failing_on_a_face_leaves_it_as_it_came(
    rendered: tuple[list[bytes], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """fontTools failing while it merges a face (as it may on a damaged or unusual program
    it could read: an IndexError, a struct error) leaves that face unmerged; it never fails
    the playbook."""
    import struct

    parts, _ = rendered

    def failing(base: Any, subsets: Any) -> None:
        raise struct.error("unpack requires a buffer of 4 bytes")

    monkeypatch.setattr(fontmerge, "_take_glyf", failing)
    fonts = _fonts(join(parts))
    # the TrueType faces keep their subsets, the CFF ones are merged
    assert fonts["DejaVu-Sans"] == fonts["Noto-Sans-Arabic"] == 3
    assert fonts["Inter"] == fonts["Noto-Sans-CJK-JP"] == 1


def test_a_damaged_subset_says_nothing_on_the_output(
    rendered: tuple[list[bytes], bytes], caplog: pytest.LogCaptureFixture
) -> None:
    """fontTools' complaints about a subset it reads (here, glyph data past the last glyph)
    stay out of the build's output, which says only what a user can act on; fontTools'
    log is as it was afterwards."""
    from fontTools.ttLib import TTFont

    made: list[bytes] = []

    def padded(program: bytes) -> bytes:
        font = TTFont(io.BytesIO(program), lazy=True)
        made.append(fontmerge._with_table(font, "glyf", font.reader["glyf"] + bytes(64)))
        return made[-1]

    parts, _ = rendered
    damaged = _with_program(parts[1], "DejaVu-Sans", padded)
    log = logging.getLogger("fontTools")
    before = (list(log.handlers), log.propagate)
    with caplog.at_level(logging.DEBUG):
        joined = join([parts[0], damaged, parts[2]])
        assert not [r for r in caplog.records if r.name.startswith("fontTools")]
        assert _fonts(joined)["DejaVu-Sans"] == 1  # read all the same, and merged
        TTFont(io.BytesIO(made[0]))["glyf"]  # outside a merge, it is logged
        assert any("too much 'glyf'" in r.getMessage() for r in caplog.records)
    assert (list(log.handlers), log.propagate) == before


def test_width_arrays_and_unicode_maps_read_both_forms() -> None:
    """W arrays list widths from a glyph id or give one width to a range; ToUnicode maps use
    bfchar entries and both bfrange forms: all read, and written back as runs."""
    widths = fontmerge._widths(pikepdf.Array([3, pikepdf.Array([500, 600]), 10, 12, 250]))
    assert widths == {3: 500.0, 4: 600.0, 10: 250.0, 11: 250.0, 12: 250.0}
    array = fontmerge._width_array({**widths, 5: 612.5}, pikepdf)
    assert fontmerge._widths(array) == {**widths, 5: 612.5}
    assert [int(v) for v in array[::2]] == [3, 10]
    cmap = (
        b"2 beginbfchar\n<0003> <0041>\n<0004> <00660069>\nendbfchar\n"
        b"2 beginbfrange\n<0010> <0012> <0061>\n<0020> <0021> [<0062> <0063>]\nendbfrange"
    )
    text = fontmerge._texts(cmap)
    assert text == {
        3: b"0041",
        4: b"00660069",
        16: b"0061",
        17: b"0062",
        18: b"0063",
        32: b"0062",
        33: b"0063",
    }
    assert fontmerge._texts(fontmerge._cmap(text)) == text


def test_a_face_a_part_lacks_a_character_of_keeps_each_parts_letters(tmp_path: Path) -> None:
    """A part that draws a character no font has (here one of the private use area) gets
    WeasyPrint's own encoding for that face, listing only the codes the part used: merged
    into it, the other parts' letters were drawn as .notdef boxes and read as other text.
    Such a face stays one subset per part; the document reads and looks as rendered whole."""
    from PIL import ImageChops

    pages = [("Quartz \ue000 jumps", "", "", ""), ("Alpha brave", "Replace tape", "", "")]
    pages.append(("Vexing wolf", "Head of infrastructure", "", ""))
    sections = [_section(*page) for page in pages]
    with PdfRenderer() as renderer:
        parts = [render_page(renderer, _html([s]), "cid") for s in sections]
        whole = render_page(renderer, _html(sections), "cid")
    joined = join(parts)
    assert _fonts(joined)["Inter"] == 3
    # read as poppler reads it: pypdf misreads a CID font's own encoding, even rendered whole
    assert _poppler_text(joined, tmp_path) == _poppler_text(whole, tmp_path)
    assert "Head of infrastructure" in _poppler_text(joined, tmp_path)
    before, after = _pixels(whole, tmp_path, "whole"), _pixels(joined, tmp_path, "joined")
    for number, (a, b) in enumerate(zip(before, after, strict=True), 1):
        diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 64 else 0)
        assert diff.histogram()[255] <= 10, f"page {number} differs"


def _poppler_text(data: bytes, tmp: Path) -> str:
    (tmp / "text.pdf").write_bytes(data)
    done = subprocess.run(
        ["pdftotext", str(tmp / "text.pdf"), "-"], check=True, capture_output=True, text=True
    )
    return " ".join(done.stdout.split())

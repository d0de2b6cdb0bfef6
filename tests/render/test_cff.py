"""A CFF table's glyph programs replaced by hand: the glyphs asked for are the other
table's, every other glyph, font dictionary and table stays; what it cannot do safely is
refused."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from test_fontmerge import rendered, rendered_named  # noqa: F401  # the parts, as fixtures

from salesplay.render import cff


def _programs(part: bytes, face: str) -> tuple[bytes, set[int]]:
    """The CFF table of `face` embedded in `part`, and the glyph ids the part uses of it."""
    pdf = pikepdf.open(io.BytesIO(part))
    for obj in pdf.objects:
        if not (isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0"):
            continue
        if str(obj.BaseFont).endswith("+" + face):
            descendant = obj.DescendantFonts[0]
            program = descendant.FontDescriptor.FontFile3.read_bytes()
            widths = list(descendant.W)
            used = set()
            for at in range(0, len(widths), 2):
                used.update(range(int(widths[at]), int(widths[at]) + len(widths[at + 1])))
            return TTFont(io.BytesIO(program)).reader["CFF "], used
    raise AssertionError(f"no {face} in the part")


def _font(table: bytes) -> Any:
    """A CFF table read by fontTools (as an OpenType font of that one table)."""
    from fontTools.cffLib import CFFFontSet

    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(table), None)
    return fonts[fonts.fontNames[0]]


@pytest.mark.parametrize(
    ("face", "named"),
    [("Inter", True), ("Inter", False), ("Noto-Sans-CJK-JP", False)],
    ids=["name-keyed", "made-cid-keyed", "cid-keyed"],
)
def test_the_glyphs_asked_for_are_the_other_tables(
    rendered: tuple[list[bytes], bytes],  # noqa: F811
    rendered_named: tuple[list[bytes], bytes],  # noqa: F811
    face: str,
    named: bool,
) -> None:
    parts, _ = rendered_named if named else rendered
    (base, used), (other, theirs) = _programs(parts[0], face), _programs(parts[1], face)
    moved = sorted(theirs - used)
    assert moved
    merged = _font(cff.with_glyphs(base, [(other, moved)]))
    was, source = _font(base), _font(other)
    order = was.charset
    assert merged.charset == order  # glyph names (and so ids) as they were
    for gid, name in enumerate(order):
        expected = source if gid in moved else was
        assert merged.CharStrings[name].bytecode == expected.CharStrings[name].bytecode, gid
    assert hasattr(was, "ROS") != named
    if hasattr(was, "ROS"):  # CID-keyed: each glyph keeps its font dictionary
        assert list(merged.FDSelect) == list(was.FDSelect)
        select = cff.read_table(base).select
        assert select is not None
        assert [cff.fd_of(base, select, gid) for gid in range(len(order))] == list(was.FDSelect)
        assert [fd.Private.rawDict for fd in merged.FDArray] == [
            fd.Private.rawDict for fd in was.FDArray
        ]
    else:
        assert merged.Private.rawDict == was.Private.rawDict
    # asked for nothing, the table reads the same
    assert _font(cff.with_glyphs(base, [])).CharStrings[order[1]].bytecode == (
        was.CharStrings[order[1]].bytecode
    )


def test_what_it_cannot_do_safely_is_refused(
    rendered_named: tuple[list[bytes], bytes],  # noqa: F811
) -> None:
    parts, _ = rendered_named
    base, used = _programs(parts[0], "Inter")
    other, theirs = _programs(parts[1], "Inter")
    moved = sorted(theirs - used)
    with pytest.raises(cff.CffError, match="not in both"):
        cff.with_glyphs(base, [(other, [70000])])
    with pytest.raises(cff.CffError):
        cff.with_glyphs(base[:200], [(other, moved)])
    # the other table's glyphs are read against another Private DICT: their widths and
    # hints would change meaning
    size, at = (operand.value for operand in cff.read_table(other).top[18][:2])
    assert size is not None and at is not None and other[at] == 28  # a 3-byte first operand
    changed = other[: at + 2] + bytes([other[at + 2] ^ 1]) + other[at + 3 :]
    with pytest.raises(cff.CffError, match="another font dictionary"):
        cff.with_glyphs(base, [(changed, moved)])
    with pytest.raises(cff.CffError, match="not a CFF 1"):
        cff.with_glyphs(b"\x02\x00\x05\x00", [])


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_offsets_pack_and_unpack_in_each_size(size: int) -> None:
    numbers = [0, 1, 255, (1 << (8 * size)) - 1, 1 << (8 * size - 1)]
    packed = cff._packed(numbers, size)
    assert packed == b"".join(n.to_bytes(size, "big") for n in numbers)
    assert cff._unpacked(packed, size) == numbers


def test_an_accented_glyph_drawn_from_two_others_is_found() -> None:
    """A seac glyph names its accent and base by standard codes: moved alone it would draw
    from glyphs the base table may lack, so it is refused."""
    from fontTools.misc.psCharStrings import T2CharString

    def compiled(program: list[Any]) -> bytes:
        glyph = T2CharString(program=program)
        glyph.compile()
        return bytes(glyph.bytecode)

    assert cff._accented(compiled([0, 0, 65, 194, "endchar"]))
    assert cff._accented(compiled([500, 0, 0, 65, 194, "endchar"]))  # with a width
    assert not cff._accented(compiled([100, 0, "rmoveto", 50, 0, "rlineto", "endchar"]))
    assert not cff._accented(compiled([500, "endchar"]))

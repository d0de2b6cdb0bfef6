"""WeasyPrint loaded once a process with its C types parsed, and its glyph arrays asked of
cffi under one type name: the same arrays, the same PDF bytes, no type parsed per count."""

from __future__ import annotations

from typing import Any

from test_fontmerge import render_page

from salesplay.render import weasy
from salesplay.render.pdf import PdfRenderer

HTML = (
    '<!DOCTYPE html><html lang="en"><head><link rel="stylesheet" href="fonts.css">'
    "<style>@page { size: A6; margin: 1cm } body { font-family: Inter }</style></head>"
    "<body><h1>Backup modernization</h1><p>Replace tape with <b>immutable</b>,"
    " <i>off-site</i> copies — 40 % cheaper.</p><p>{extra}</p></body></html>"
)


def _ffis() -> tuple[Any, Any]:
    """WeasyPrint's ffi, and what its font subsetter calls it by."""
    weasy.load()
    from weasyprint.pdf import fonts
    from weasyprint.text.ffi import ffi

    return ffi, fonts.ffi


def test_the_c_types_of_every_document_are_parsed_on_load() -> None:
    ffi, _ = _ffis()
    parsed = ffi._parsed_types
    assert set(weasy.TYPES) <= set(parsed)


def test_a_glyph_array_is_the_same_array_under_one_type_name() -> None:
    ffi, subsetter = _ffis()
    assert isinstance(subsetter, weasy.SizedByItems)
    weasy.load()  # again: wrapped once, not twice
    assert _ffis()[1] is subsetter
    parsed = ffi._parsed_types
    for count in (0, 1013, 4091):  # counts no document of the tests has
        ids = list(range(7, 7 + count))
        made = subsetter.new(f"hb_codepoint_t[{count}]", ids)
        # no type name parsed for its count (of one that no document of the tests has)
        assert not count or f"hb_codepoint_t[{count}]" not in parsed
        plain = ffi.new(f"hb_codepoint_t[{count}]", ids)
        assert ffi.typeof(made) is ffi.typeof("hb_codepoint_t[]")
        assert ffi.sizeof(made) == ffi.sizeof(plain)
        assert list(made) == list(plain) == ids
    # a size that is not the items' count, or no items, is asked for as written
    assert len(subsetter.new("hb_codepoint_t[5]", [1, 2])) == 5
    assert len(subsetter.new("hb_codepoint_t[4]")) == 4


def test_pages_are_the_same_bytes_with_the_subsetters_arrays_made_either_way() -> None:
    ffi, subsetter = _ffis()
    from weasyprint.pdf import fonts

    extra = "Glyphs: " + "".join(chr(c) for c in range(0x41, 0x5B))
    with PdfRenderer() as renderer:
        shimmed = render_page(renderer, HTML.replace("{extra}", extra), "dense")
    fonts.ffi = ffi  # as WeasyPrint has it: a type name per glyph count
    try:
        with PdfRenderer() as renderer:
            plain = render_page(renderer, HTML.replace("{extra}", extra), "dense")
    finally:
        fonts.ffi = subsetter
    assert shimmed == plain

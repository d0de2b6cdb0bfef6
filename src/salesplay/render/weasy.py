"""Import WeasyPrint without the library search that runs gcc and ldconfig a score of times."""

from __future__ import annotations

from collections.abc import Sized
from typing import Any

from salesplay.nativelibs import searched_once

#: the C types WeasyPrint asks cffi for in every document. cffi parses a type's name with
#: pycparser the first time a process asks for it (2-6 ms each): parsed when WeasyPrint is
#: imported, before the workers fork, each of which would otherwise parse them again
#: inside its first document.
TYPES = (
    "PangoRectangle *",
    "PangoLogAttr[]",
    "PangoFcFontMap *",
    "FcChar8 **",
    "char[]",
    "char[4]",
    "unsigned int *",
    "hb_tag_t[100]",
    "hb_codepoint_t[]",
)


def load() -> None:
    """Import WeasyPrint, once a process (0.26 s, not 0.44 s), with its C types parsed.

    WeasyPrint 70 opens each of its seven libraries by trying several names, most of them
    not file names (`libpango-1.0-0`, `pango-1.0`): 22 look-ups, which without
    nativelibs.searched_once run 0.18 s of subprocesses (ldconfig, gcc, ld) each time a
    process imports WeasyPrint (a build, its early worker, `serve`'s builds).
    """
    with searched_once():
        import weasyprint  # noqa: F401
        from weasyprint.pdf import fonts
    from weasyprint.text.ffi import ffi

    for name in TYPES:
        ffi.typeof(name)
    # once a process; a WeasyPrint whose subsetter reaches its ffi otherwise is left as it is
    if getattr(fonts, "ffi", None) is ffi:
        fonts.ffi = SizedByItems(ffi)


class SizedByItems:
    """WeasyPrint's ffi for its font subsetter (weasyprint.pdf.fonts), whose arrays of glyph
    ids are asked for as `hb_codepoint_t[N]`, N the number of glyphs: each count a process
    meets is a new type name for cffi to parse (3.5 ms), hundreds in a worker of a cold
    build. Such an array is made as `hb_codepoint_t[]`, sized by its items: the same array,
    one type parsed. Everything else goes to the ffi as it is."""

    def __init__(self, ffi: Any) -> None:
        self._ffi = ffi

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ffi, name)

    def new(self, cdecl: Any, init: Any = None) -> Any:
        if (
            isinstance(cdecl, str)
            and cdecl.startswith("hb_codepoint_t[")
            and isinstance(init, Sized)
            and cdecl == f"hb_codepoint_t[{len(init)}]"
        ):
            return self._ffi.new("hb_codepoint_t[]", init)
        return self._ffi.new(cdecl, init)

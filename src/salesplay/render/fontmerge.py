"""One embedded font per face in a PDF joined from parts: the parts' subsets of a face merged."""

from __future__ import annotations

import copy
import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from salesplay.render import cff

#: a ToUnicode CMap's entries: `<gid> <text>` (bfchar), `<first> <last> <text>` and
#: `<first> <last> [<text> ...]` (bfrange)
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")
_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])")

_CMAP_HEAD = b"\n".join(
    (
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo",
        b"<< /Registry (Adobe)",
        b"/Ordering (UCS)",
        b"/Supplement 0",
        b">> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    )
)
_CMAP_TAIL = b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"


class _Unmergeable(ValueError):
    """A face's subsets that cannot be merged safely: they are left as they are."""


@dataclass
class _Subset:
    """One part's subset of a face: its Type 0 font dictionary and what it holds."""

    font: Any  # the Type 0 font dictionary
    program: Any  # the embedded font file (a fontTools TTFont)
    widths: dict[int, float]
    text: dict[int, bytes]  # glyph id -> its text, UTF-16BE hex as the CMap writes it


def merge_faces(pdf: Any) -> None:
    """Merge, in place, the subsets of each face the parts of `pdf` embedded.

    WeasyPrint names a face's subset after the face (its tag is a digest of the face's
    description), keeps glyph ids (a subset's glyph i is the face's glyph i) and leaves no
    subroutines, so a face's subsets merge glyph by glyph: the one with the most glyph ids
    takes every other's used glyphs (those in its widths), the widths and the ToUnicode
    maps are joined, and every resource dictionary then names the merged font. A face whose
    subsets disagree (units, revision, CFF font dictionaries), or that fontTools or
    render.cff cannot read or write stays as it came, one subset per part: the document is
    right, only larger. So does a face any part drew a character with that it lacks: such a
    subset's encoding (not Identity-H) maps to .notdef every code it does not list, and
    would turn the other parts' letters into boxes.
    """
    with _quiet():
        _merge_faces(pdf)


def dense_faces(pdf: Any) -> None:
    """Make, in place, each CFF font program of `pdf` that keeps its face's glyph ids
    (an OpenType one, as the parts are rendered to merge) dense: only the glyphs its fonts'
    widths name, CID-keyed, as a CIDFontType0C program (render.cidfont.dense). One it does
    not take apart stays as it is."""
    import pikepdf

    from salesplay.render.cidfont import dense

    used: dict[tuple[int, int], set[int]] = {}
    descriptors: dict[tuple[int, int], list[Any]] = {}
    for obj in pdf.objects:
        if _face(obj, pikepdf) is None:
            continue
        descendant = obj.DescendantFonts[0]
        stream = descendant.FontDescriptor.get("/FontFile3")
        if stream is None or stream.get("/Subtype") != "/OpenType":
            continue
        used.setdefault(stream.objgen, set()).update(_widths(descendant.get("/W", ())))
        descriptors.setdefault(stream.objgen, []).append(descendant.FontDescriptor)
    for key, glyphs in used.items():
        if not glyphs:
            continue  # no widths to say which glyphs are drawn: kept whole
        stream = descriptors[key][0].FontFile3
        try:
            program = dense(stream.read_bytes(), glyphs)
        except cff.CffError:
            continue
        made = pikepdf.Stream(pdf, program)
        made.Subtype = pikepdf.Name.CIDFontType0C
        for descriptor in descriptors[key]:
            descriptor.FontFile3 = made


@contextmanager
def _quiet() -> Iterator[None]:
    """fontTools' log muted (on a damaged subset: "too much 'glyf' table data…", printed on
    the build's output with no place): a merge only saves bytes, and a face it cannot
    merge stays as it came; the user has nothing to do about it."""
    log = logging.getLogger("fontTools")
    handler, propagate = logging.NullHandler(), log.propagate
    log.addHandler(handler)
    log.propagate = False
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.propagate = propagate


def _merge_faces(pdf: Any) -> None:
    import pikepdf

    groups: dict[tuple[str, str], list[Any]] = {}
    for obj in pdf.objects:
        key = _face(obj, pikepdf)
        if key is not None:
            groups.setdefault(key, []).append(obj)
    remap: dict[tuple[int, int], Any] = {}
    for fonts in groups.values():
        if len(fonts) < 2:
            continue
        try:
            program, widths, text = _merged(fonts)
        except Exception:
            # _Unmergeable, or a program fontTools cannot take apart or put back together
            # (a project's own font): no reason to fail a playbook, merging only saves bytes
            continue
        merged = _install(pdf, fonts[0], program, widths, text, pikepdf)
        for font in fonts[1:]:
            remap[font.objgen] = merged
    if remap:
        for resources in _resources(pdf, pikepdf):
            fonts = resources.get("/Font")
            if not isinstance(fonts, pikepdf.Dictionary):
                continue
            for name in list(fonts.keys()):
                target = remap.get(fonts[name].objgen)
                if target is not None:
                    fonts[name] = target


def _face(obj: Any, pikepdf: Any) -> tuple[str, str] | None:
    """The face a Type 0 font dictionary with an embedded CID font is a subset of, or None."""
    if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font":
        return None
    if obj.get("/Subtype") != "/Type0" or "/DescendantFonts" not in obj:
        return None
    descendant = obj.DescendantFonts[0]
    descriptor = descendant.get("/FontDescriptor")
    if descriptor is None or not any(k in descriptor for k in ("/FontFile2", "/FontFile3")):
        return None
    return str(obj.get("/BaseFont", "")), str(descendant.get("/Subtype", ""))


def _merged(fonts: list[Any]) -> tuple[bytes, dict[int, float], dict[int, bytes]]:
    """The program, widths and texts of one font holding all of `fonts`' glyphs."""
    if any(font.get("/Encoding") != "/Identity-H" for font in fonts):
        # WeasyPrint's encoding for a face missing characters lists the codes its part used
        raise _Unmergeable("a subset with its own encoding")
    subsets = [_read(font) for font in fonts]
    base = max(subsets, key=lambda s: s.program["maxp"].numGlyphs)  # first of the longest
    head = base.program["head"]
    for subset in subsets:
        theirs = subset.program["head"]
        # glyph names are no test: fontTools names a glyph after its cmap entries, which
        # differ from subset to subset; glyph ids are the face's in all of them
        if (theirs.unitsPerEm, theirs.fontRevision) != (head.unitsPerEm, head.fontRevision):
            raise _Unmergeable("the subsets are of different faces")
    if "CFF " in base.program:
        data = _with_table(base.program, "CFF ", _take_cff(base, subsets))
    elif "glyf" in base.program:
        _take_glyf(base, subsets)
        buffer = io.BytesIO()
        base.program.save(buffer)
        data = buffer.getvalue()
    else:
        raise _Unmergeable("neither CFF nor TrueType outlines")
    widths: dict[int, float] = {}
    text: dict[int, bytes] = {}
    for subset in subsets:
        for gid, width in subset.widths.items():
            widths.setdefault(gid, width)
        for gid, chars in subset.text.items():
            text.setdefault(gid, chars)
    return data, widths, text


def _install(
    pdf: Any,
    first: Any,
    data: bytes,
    widths: dict[int, float],
    text: dict[int, bytes],
    pikepdf: Any,
) -> Any:
    """The font dictionary `first`, made to embed `data` with these widths and texts."""
    descendant = first.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
    stream = pikepdf.Stream(pdf, data)
    for name, value in descriptor[key].items():
        if name not in ("/Length", "/Filter", "/DecodeParms", "/Length1"):
            stream[name] = value
    if key == "/FontFile2":
        stream.Length1 = len(data)
    descriptor[key] = stream
    descendant.W = _width_array(widths, pikepdf)
    first.ToUnicode = pikepdf.Stream(pdf, _cmap(text))
    return first


def _read(font: Any) -> _Subset:
    """A Type 0 font dictionary's subset: its program, widths and ToUnicode map."""
    from fontTools.ttLib import TTFont

    descendant = font.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
    # recalcTimestamp off: the same parts give the same bytes; recalcBBoxes off: a TrueType
    # face's box is kept (the PDF reads its own) rather than measured again. Lazy: a table
    # is read when the merge needs it (an unreadable one fails the face's merge, see
    # merge_faces)
    program = TTFont(
        io.BytesIO(stream.read_bytes()), lazy=True, recalcTimestamp=False, recalcBBoxes=False
    )
    unicode = font.get("/ToUnicode")
    return _Subset(
        font=font,
        program=program,
        widths=_widths(descendant.get("/W", ())),
        text=_texts(unicode.read_bytes()) if unicode is not None else {},
    )


def _take_cff(base: _Subset, subsets: list[_Subset]) -> bytes:
    """The base's CFF table with the other subsets' used glyphs copied into it: its
    CharStrings INDEX rebuilt by hand (render.cff). fontTools' decompile and compile of a
    CJK face's 60,000 glyphs took 0.7 s and 70 MB a face."""
    others = [
        (subset.program.reader["CFF "], sorted(subset.widths.keys() - base.widths.keys()))
        for subset in subsets
        if subset is not base
    ]
    try:
        return cff.with_glyphs(base.program.reader["CFF "], others)
    except cff.CffError as exc:
        raise _Unmergeable(str(exc)) from None


def _with_table(program: Any, tag: str, data: bytes) -> bytes:
    """The font file of `program` with its table `tag` replaced by `data`, every other table
    copied as it is (none is decompiled)."""
    from fontTools.ttLib.sfnt import SFNTWriter

    reader = program.reader
    tags = sorted(reader.keys())
    buffer = io.BytesIO()
    writer = SFNTWriter(buffer, len(tags), reader.sfntVersion)
    for name in tags:
        writer[name] = data if name == tag else reader[name]
    writer.close()
    return buffer.getvalue()


def _take_glyf(base: _Subset, subsets: list[_Subset]) -> None:
    """The other subsets' used TrueType glyphs (and their components) copied into the base's."""
    glyf = base.program["glyf"]
    metrics = base.program["hmtx"].metrics
    order = base.program.getGlyphOrder()
    for subset in subsets:
        if subset is base:
            continue
        theirs = subset.program["glyf"]
        their_metrics = subset.program["hmtx"].metrics
        their_order = subset.program.getGlyphOrder()
        their_ids = {name: gid for gid, name in enumerate(their_order)}
        wanted = sorted(subset.widths.keys() - base.widths.keys())
        while wanted:
            gid = wanted.pop()
            if gid >= len(their_order):
                raise _Unmergeable("a width for a glyph the subset lacks")
            glyph = theirs[their_order[gid]]
            if glyph.isComposite():
                # a component is named after the subset's own glyph order: named anew
                glyph = copy.deepcopy(glyph)
                for component in glyph.components:
                    component_id = their_ids[component.glyphName]
                    component.glyphName = order[component_id]
                    wanted.append(component_id)
            glyf[order[gid]] = glyph
            metrics[order[gid]] = their_metrics[their_order[gid]]


def _widths(array: Any) -> dict[int, float]:
    """A CID font's W array as glyph id -> width."""
    import pikepdf

    widths: dict[int, float] = {}
    items = list(array)
    at = 0
    while at < len(items):
        first = int(items[at])
        following = items[at + 1]
        if isinstance(following, pikepdf.Array):
            for offset, width in enumerate(following):
                widths[first + offset] = float(width)
            at += 2
        else:
            for gid in range(first, int(following) + 1):
                widths[gid] = float(items[at + 2])
            at += 3
    return widths


def _width_array(widths: dict[int, float], pikepdf: Any) -> Any:
    """Glyph id -> width as a W array, one run of widths per run of glyph ids."""
    array: list[Any] = []
    for first, run in _runs(sorted(widths)):
        array.extend((first, pikepdf.Array([_number(widths[gid]) for gid in run])))
    return pikepdf.Array(array)


def _runs(gids: list[int]) -> Iterator[tuple[int, list[int]]]:
    """Sorted glyph ids in runs of consecutive ids."""
    run: list[int] = []
    for gid in gids:
        if run and gid != run[-1] + 1:
            yield run[0], run
            run = []
        run.append(gid)
    if run:
        yield run[0], run


def _number(width: float) -> int | float:
    return int(width) if width == int(width) else width


def _texts(cmap: bytes) -> dict[int, bytes]:
    """A ToUnicode CMap's map from glyph id to text (UTF-16BE, in hex)."""
    text: dict[int, bytes] = {}
    for block in _BFCHAR.findall(cmap):
        codes = _HEX.findall(block)
        if len(codes) % 2:
            raise _Unmergeable("a ToUnicode bfchar block this module cannot read")
        for at in range(0, len(codes), 2):
            text.setdefault(int(codes[at], 16), codes[at + 1].lower())
    for block in _BFRANGE.findall(cmap):
        for first, last, target in _RANGE.findall(block):
            start, end = int(first, 16), int(last, 16)
            if target.startswith(b"["):
                for offset, chars in enumerate(_HEX.findall(target)):
                    text.setdefault(start + offset, chars.lower())
            else:
                value = int(target[1:-1], 16)
                width = len(target) - 2
                for offset in range(end - start + 1):
                    text.setdefault(start + offset, b"%0*x" % (width, value + offset))
    return text


def _cmap(text: dict[int, bytes]) -> bytes:
    """A ToUnicode CMap for glyph id -> text, in blocks of a hundred entries as WeasyPrint's."""
    items = sorted(text.items())
    lines = [_CMAP_HEAD]
    for at in range(0, len(items), 100):
        batch = items[at : at + 100]
        lines.append(b"%d beginbfchar" % len(batch))
        lines.extend(b"<%04x> <%s>" % (gid, chars) for gid, chars in batch)
        lines.append(b"endbfchar")
    lines.append(_CMAP_TAIL)
    return b"\n".join(lines)


def _resources(pdf: Any, pikepdf: Any) -> Iterator[Any]:
    """Every resource dictionary of the document: its pages', forms', patterns', fonts'."""
    for obj in pdf.objects:
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        if "/Font" in obj and isinstance(obj.get("/Font"), pikepdf.Dictionary):
            yield obj  # an indirect resource dictionary
        resources = obj.get("/Resources")
        if isinstance(resources, pikepdf.Dictionary) and not resources.is_indirect:
            yield resources

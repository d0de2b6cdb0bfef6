"""An embedded font subset without glyph names: its CFF table made CID-keyed, in two forms.

WeasyPrint subsets a face keeping the face's glyph ids (a PDF's text names glyphs by id),
so a battlecard's subset of Inter Bold has a thousand glyph slots for the seventy it draws,
and its name-keyed CFF table names every slot: the names were 7.4 KB of its 22.7 KB, and
the font 11.7 KB compressed. A CID-keyed table names no glyph.

- `cid_keyed`: every slot kept, glyph i CID i, in its OpenType file (6.8 KB compressed):
  a reader that maps CIDs through the charset (ISO 32000-1, 9.7.4.2) and one that takes a
  CID for a glyph id draw the same glyph; the parts of a playbook stay mergeable by id.
- `dense`: only the glyphs drawn, each CID its old id, a bare CFF table for a
  CIDFontType0C program, whose reader maps a CID through the charset.

The glyph programs, and in the OpenType form every other table, are kept byte for byte.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from salesplay.render.cff import (
    CHARSET,
    CHARSTRINGS,
    ENCODING,
    FDARRAY,
    FDSELECT,
    PRIVATE,
    ROS,
    CffError,
    Dict,
    Operand,
    Table,
    build_index,
    fd_of,
    index_at,
    read_table,
)

#: Top DICT operators whose operand is a string id (SID): written again against the new
#: String INDEX, which keeps only the strings they name (no glyph names).
_SID_OPERATORS = {0, 1, 2, 3, 4, (12, 0), (12, 21), (12, 22), (12, 38)}
_CIDCOUNT = (12, 34)
#: what the CID-keyed Top DICT writes itself: the offsets it moves, a CID font's own
#: operators, and UniqueID and XUID, which would name the whole face
_REWRITTEN: set[int | tuple[int, int]] = {
    CHARSET, ENCODING, CHARSTRINGS, PRIVATE, 13, 14, ROS, _CIDCOUNT, FDARRAY, FDSELECT,
    (12, 31), (12, 32), (12, 33), (12, 35),
}  # fmt: skip
_STANDARD_STRINGS = 391
_ENDCHAR, _ESCAPE, _SHORTINT = 14, 12, 28
_STEMS, _MASKS, _SUBROUTINES = (1, 3, 18, 23), (19, 20), (10, 29)


def cid_keyed(otf: bytes) -> bytes:
    """The OpenType font `otf`, a name-keyed CFF subset without subroutines, with its CFF
    table CID-keyed: glyph i is CID i, no glyph has a name.

    Raises CffError for a font it does not take apart (TrueType outlines, CID-keyed
    already, subroutines, an accented glyph drawn with seac, which finds its parts by
    their names; a damaged table): the caller keeps that font as it is."""
    with _as_cff_error():
        tables, table = _cff_of(otf)
        if table.select is not None:
            raise CffError("CID-keyed already")
        return _sfnt({**tables, b"CFF ": _cid_table(table, None)})


def dense(otf: bytes, gids: Iterable[int]) -> bytes:
    """The CFF table of the OpenType font `otf` (a subset, name-keyed or CID-keyed, that
    kept its face's glyph ids, without subroutines) as a CID-keyed table of glyph 0 and
    `gids` only, each glyph CID its old id: for a PDF's CIDFontType0C font program, whose
    reader finds a CID's glyph through the charset. Raises CffError as cid_keyed does."""
    with _as_cff_error():
        _, table = _cff_of(otf)
        count = table.glyphs.count
        return _cid_table(table, sorted({0, *(g for g in gids if 0 <= g < count)}))


def _cff_of(otf: bytes) -> tuple[dict[bytes, bytes], Table]:
    """The tables of the OpenType font `otf`, and its CFF table read."""
    tables = _tables(otf)
    if otf[:4] != b"OTTO" or b"CFF " not in tables:
        raise CffError("not a CFF-based OpenType font")
    return tables, read_table(tables[b"CFF "])


@contextmanager
def _as_cff_error() -> Iterator[None]:
    """A damaged table read past its bounds is one it does not take apart (CffError): the
    font is then embedded as WeasyPrint made it, never a failed render."""
    try:
        yield
    except (IndexError, KeyError, ValueError, struct.error) as exc:
        if isinstance(exc, CffError):
            raise
        raise CffError(f"unreadable CFF table: {exc}") from None


def _tables(otf: bytes) -> dict[bytes, bytes]:
    try:
        (count,) = struct.unpack_from(">H", otf, 4)
        found = {}
        for i in range(count):
            tag, _sum, offset, length = struct.unpack_from(">4sIII", otf, 12 + 16 * i)
            if offset + length > len(otf):
                raise CffError("a table past the font's end")
            found[tag] = otf[offset : offset + length]
    except struct.error as exc:
        raise CffError(f"unreadable font: {exc}") from None
    return found


def _cid_table(table: Table, kept: list[int] | None) -> bytes:
    """The CID-keyed table of `table`'s glyphs `kept` (None: every glyph, CID = glyph id),
    glyph i of it CID kept[i]."""
    data = table.data
    names = index_at(data, data[2])
    strings = index_at(data, index_at(data, names.end).end)
    count = table.glyphs.count
    if count < 2:
        raise CffError("no glyph but .notdef")
    named = table.select is None
    if kept is None:
        glyphs = data[table.start : table.glyphs.end]  # the CharStrings INDEX as it is
        programs = table.glyphs.contents()
        charset = struct.pack(">BHH", 2, 1, count - 2)  # one range: glyphs 1 to count-1
        old_fds = (
            [0] * count if named else [fd_of(data, table.select or 0, g) for g in range(count)]
        )
    else:
        programs = [table.program(g) for g in kept]
        glyphs = build_index(programs)
        charset = b"\x00" + struct.pack(f">{len(kept) - 1}H", *kept[1:])
        old_fds = [0 if named else fd_of(data, table.select or 0, g) for g in kept]
    if named and any(len(program) > 1 and _seac(program) for program in programs):
        raise CffError("an accented glyph drawn with seac")
    used_fds = sorted(set(old_fds))
    new_fd = {fd: i for i, fd in enumerate(used_fds)}
    select = _fd_select([new_fd[fd] for fd in old_fds])
    kept_strings: list[bytes] = []

    def sid(value: int | None) -> int:
        """The new id of the string `value` names (a standard one keeps its id)."""
        if value is None:
            raise CffError("a string operator without its string")
        if value < _STANDARD_STRINGS:
            return value
        if value - _STANDARD_STRINGS >= strings.count:
            raise CffError(f"string {value} is not in the table")
        return _sid_of(kept_strings, data[slice(*strings.item(value - _STANDARD_STRINGS))])

    def copied(found: Dict, leave: set[int | tuple[int, int]]) -> bytes:
        out = b""
        for op, operands in found.items():
            if op in leave:
                continue
            if op in _SID_OPERATORS:
                out += _op(op, _int(sid(operands[0].value if len(operands) == 1 else None)))
            else:
                out += _op(op, *(_raw(data, o) for o in operands))
        return out

    if named:
        adobe, identity = (
            _sid_of(kept_strings, b"Adobe"),
            _sid_of(kept_strings, b"Identity"),
        )
        head = _op(ROS, _int(adobe), _int(identity), _int(0))
    else:
        ros = table.top[ROS]
        if len(ros) != 3 or ros[2].value is None:
            raise CffError("a ROS without its three operands")
        head = _op(ROS, _int(sid(ros[0].value)), _int(sid(ros[1].value)), _int(ros[2].value))
    head += _op(_CIDCOUNT, _int(max(count, _cid_count(table))))
    head += copied(table.top, _REWRITTEN)
    fd_dicts = [table.fds[fd] if not named else {} for fd in used_fds]
    privates = [table.fonts[fd][0] for fd in used_fds]
    fd_heads = [copied(fd_dict, {PRIVATE}) for fd_dict in fd_dicts]
    name_index = data[data[2] : names.end]
    string_index = build_index(kept_strings)

    def top_dict(charset_at: int, select_at: int, glyphs_at: int, fds_at: int) -> bytes:
        # offsets in five bytes each: the DICT's size does not depend on them
        return (
            head
            + _op(CHARSET, _five(charset_at))
            + _op(FDSELECT, _five(select_at))
            + _op(CHARSTRINGS, _five(glyphs_at))
            + _op(FDARRAY, _five(fds_at))
        )

    def fd_array(private_at: int) -> bytes:
        dicts, at = [], private_at
        for fd_head, private in zip(fd_heads, privates, strict=True):
            dicts.append(fd_head + _op(PRIVATE, _int(len(private)), _five(at)))
            at += len(private)
        return build_index(dicts)

    header = b"\x01\x00\x04\x04"
    charset_at = (
        len(header) + len(name_index) + len(build_index([top_dict(0, 0, 0, 0)]))
        + len(string_index) + 2
    )  # fmt: skip
    select_at = charset_at + len(charset)
    glyphs_at = select_at + len(select)
    fds_at = glyphs_at + len(glyphs)
    private_at = fds_at + len(fd_array(0))
    return b"".join(
        (
            header,
            name_index,
            build_index([top_dict(charset_at, select_at, glyphs_at, fds_at)]),
            string_index,
            b"\x00\x00",  # no global subroutines
            charset,
            select,
            glyphs,
            fd_array(private_at),
            *privates,
        )
    )


def _sid_of(kept: list[bytes], text: bytes) -> int:
    """The id of `text` in the String INDEX being made of `kept` (added when new)."""
    if text not in kept:
        kept.append(text)
    return _STANDARD_STRINGS + kept.index(text)


def _cid_count(table: Table) -> int:
    found = table.top.get(_CIDCOUNT)
    return found[0].value or 0 if found else 0


def _fd_select(fds: list[int]) -> bytes:
    """An FDSelect of format 3: one range per run of glyphs in one font dictionary."""
    ranges = [i for i, fd in enumerate(fds) if i == 0 or fd != fds[i - 1]]
    body = b"".join(struct.pack(">HB", i, fds[i]) for i in ranges)
    return struct.pack(">BH", 3, len(ranges)) + body + struct.pack(">H", len(fds))


def _seac(program: bytes) -> bool:
    """Whether a Type 2 glyph program ends in endchar's seac form (four operands, or five
    with a width): read operator by operator, hint masks skipped by the stems counted."""
    stack = stems = at = 0
    end = len(program)
    while at < end:
        b = program[at]
        if b >= 32:  # an operand: 32-246 one byte, 247-254 two, 255 five (16.16)
            at += 1 if b <= 246 else 2 if b <= 254 else 5
            stack += 1
        elif b == _SHORTINT:
            at += 3
            stack += 1
        elif b == _ENDCHAR:
            return stack >= 4
        elif b in _STEMS:
            stems += stack >> 1
            stack = 0
            at += 1
        elif b in _MASKS:  # operands before a mask are vertical stems
            stems += stack >> 1
            stack = 0
            at += 1 + ((stems + 7) >> 3)
        elif b in _SUBROUTINES:
            raise CffError("a glyph that calls a subroutine")
        else:
            stack = 0
            at += 2 if b == _ESCAPE else 1
    return False


def _op(op: int | tuple[int, int], *operands: bytes) -> bytes:
    code = bytes(op) if isinstance(op, tuple) else bytes((op,))
    return b"".join(operands) + code


def _int(value: int) -> bytes:
    """A DICT integer in as few bytes as it needs."""
    if -107 <= value <= 107:
        return bytes((value + 139,))
    if 108 <= value <= 1131:
        value -= 108
        return bytes((247 + (value >> 8), value & 0xFF))
    if -1131 <= value <= -108:
        value = -value - 108
        return bytes((251 + (value >> 8), value & 0xFF))
    if -32768 <= value <= 32767:
        return b"\x1c" + struct.pack(">h", value)
    return _five(value)


def _five(value: int) -> bytes:
    return b"\x1d" + struct.pack(">i", value)


def _raw(data: bytes, operand: Operand) -> bytes:
    return data[operand.at : operand.at + operand.size]


def _checksum(data: bytes) -> int:
    padded = data + b"\x00" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}I", padded)
    return sum(words) & 0xFFFFFFFF


def _sfnt(tables: dict[bytes, bytes]) -> bytes:
    """An OpenType file of `tables`: sorted by tag, 4-byte aligned, checksums set."""
    tags = sorted(tables)
    n = len(tags)
    search = 16 * (1 << (n.bit_length() - 1))
    head = struct.pack(">4sHHHH", b"OTTO", n, search, n.bit_length() - 1, 16 * n - search)
    if b"head" in tables:  # checkSumAdjustment is reckoned with itself zero
        old = tables[b"head"]
        tables = {**tables, b"head": old[:8] + bytes(4) + old[12:]}
    records, body, head_at = b"", b"", 0
    offset = 12 + 16 * n
    for tag in tags:
        data = tables[tag]
        if tag == b"head":
            head_at = offset + len(body)
        records += struct.pack(">4sIII", tag, _checksum(data), offset + len(body), len(data))
        body += data + bytes(-len(data) % 4)
    font = bytearray(head + records + body)
    if b"head" in tables:
        adjust = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
        font[head_at + 8 : head_at + 12] = struct.pack(">I", adjust)
    return bytes(font)

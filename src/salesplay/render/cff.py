"""A CFF table's glyph programs replaced by hand: its CharStrings INDEX rebuilt, offsets moved."""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: DICT operators whose operands are offsets from the table's start (charset and Encoding
#: only above 2: 0 to 2 name predefined ones), and Private's [size, offset]
CHARSET, ENCODING, CHARSTRINGS, PRIVATE = 15, 16, 17, 18
FDARRAY, FDSELECT, ROS, _FONTNAME = (12, 36), (12, 37), (12, 30), (12, 38)
_SUBRS = 19


class CffError(ValueError):
    """A CFF table this module does not take apart: the caller keeps the fonts as they are."""


@dataclass(frozen=True)
class Operand:
    value: int | None  # None for a real number
    at: int  # where its bytes start
    size: int


Dict = dict[int | tuple[int, int], list[Operand]]


@dataclass(frozen=True)
class Index:
    """An INDEX: its items found by their offsets when asked for, not all read at once."""

    data: bytes
    count: int
    size: int  # bytes of an offset
    offsets: int  # where the offsets start
    end: int

    def item(self, i: int) -> tuple[int, int]:
        """The (start, end) of item `i`."""
        at, size = self.offsets + i * self.size, self.size
        base = self.offsets + (self.count + 1) * size - 1
        first = int.from_bytes(self.data[at : at + size], "big")
        following = int.from_bytes(self.data[at + size : at + 2 * size], "big")
        if not 1 <= first <= following or base + following > self.end:
            raise CffError("an INDEX item out of its bounds")
        return base + first, base + following

    def items(self) -> list[tuple[int, int]]:
        return [self.item(i) for i in range(self.count)]

    def contents(self) -> list[bytes]:
        """Every item's bytes, the offsets read in one pass (a CJK face has 60,000)."""
        size, count = self.size, self.count
        raw = self.data[self.offsets : self.offsets + (count + 1) * size]
        offsets = _unpacked(raw, size)
        if offsets[0] != 1 or any(b < a for a, b in itertools.pairwise(offsets)):
            raise CffError("an INDEX whose offsets go back")
        base = self.offsets + (count + 1) * size - 1
        if base + offsets[-1] > self.end:
            raise CffError("an INDEX past its end")
        data = self.data
        return [data[base + a : base + b] for a, b in itertools.pairwise(offsets)]


@dataclass(frozen=True)
class Table:
    """What of a CFF table the glyph programs' replacement reads."""

    data: bytes
    top: Dict
    #: the font dictionaries of a CID-keyed font (none for a name-keyed one)
    fds: list[Dict]
    #: the CharStrings INDEX, and where it starts
    glyphs: Index
    start: int
    #: per font dictionary (CID-keyed), or the top one's alone: its Private DICT's bytes
    #: and font name
    fonts: list[tuple[bytes, bytes]]
    #: where the FDSelect is (CID-keyed), or None
    select: int | None

    def program(self, gid: int) -> bytes:
        start, end = self.glyphs.item(gid)
        return self.data[start:end]

    def font(self, gid: int) -> tuple[bytes, bytes]:
        """The font dictionary glyph `gid` is read against."""
        fd = 0 if self.select is None else fd_of(self.data, self.select, gid)
        if fd >= len(self.fonts):
            raise CffError("a glyph's font dictionary is missing")
        return self.fonts[fd]


def with_glyphs(base: bytes, others: Sequence[tuple[bytes, Iterable[int]]]) -> bytes:
    """The CFF table `base` holding, for each (table, glyph ids) of `others`, that table's
    programs of those glyphs instead of its own; every table is a subset of one face that
    kept the face's glyph ids and calls no subroutines.

    Only the CharStrings INDEX changes: the offsets to what follows it move, which needs
    every such offset written in five bytes (as HarfBuzz writes them), so that no DICT
    changes size. A glyph moves only to a font dictionary equal to its own (its Private
    DICT's bytes and its name), since its width and hints are read against it, and never
    when it is an accented glyph drawn from two others (endchar's seac form), which the
    base table may lack."""
    table = read_table(base)
    programs = table.glyphs.contents()
    for data, gids in others:
        other = read_table(data)
        for gid in gids:
            if gid >= min(len(programs), other.glyphs.count):
                raise CffError(f"glyph {gid} is not in both tables")
            if table.font(gid) != other.font(gid):
                raise CffError(f"glyph {gid} has another font dictionary")
            program = other.program(gid)
            # seac names glyphs by standard codes: only a name-keyed font can use it
            if table.select is None and _accented(program):
                raise CffError(f"glyph {gid} is drawn from two others (seac)")
            programs[gid] = program
    start, end = table.start, table.glyphs.end
    index = build_index(programs)
    delta = len(index) - (end - start)
    out = bytearray(table.data[:start] + index + table.data[end:])
    for operand in _offsets(table):
        if operand.value is None or operand.value < end:
            continue
        if operand.size != 5:
            raise CffError("an offset after the glyph programs is not written in five bytes")
        at = operand.at if operand.at < start else operand.at + delta
        out[at : at + 5] = b"\x1d" + struct.pack(">i", operand.value + delta)
    return bytes(out)


def _accented(program: bytes) -> bool:
    """Whether a Type 2 glyph program ends in endchar's seac form (an accent and a base
    glyph, named by their standard codes): four operands, five with a width."""
    from fontTools.misc.psCharStrings import T2CharString

    glyph = T2CharString(bytecode=program)
    try:
        glyph.decompile()
    except Exception as exc:  # fontTools raises what it meets in a damaged program
        raise CffError(f"an unreadable glyph program: {exc}") from None
    tokens = glyph.program
    if not tokens or tokens[-1] != "endchar":
        return False
    operands = 0
    for token in reversed(tokens[:-1]):
        if isinstance(token, str):
            break
        operands += 1
    return operands >= 4


def read_table(data: bytes) -> Table:
    try:
        return _parse(data)
    except (IndexError, KeyError, struct.error) as exc:
        raise CffError(f"unreadable CFF table: {exc}") from None


def _parse(data: bytes) -> Table:
    if len(data) < 4 or data[0] != 1:
        raise CffError("not a CFF 1 table")
    names = index_at(data, data[2])
    tops = index_at(data, names.end)
    strings = index_at(data, tops.end)
    if names.count != 1 or tops.count != 1:
        raise CffError("not a single font")
    if index_at(data, strings.end).count:
        raise CffError("global subroutines")
    top = _dict(data, *tops.item(0))
    start = _offset(top, CHARSTRINGS)
    glyphs = index_at(data, start)
    fds: list[Dict] = []
    select: int | None = None
    if ROS in top:
        fds = [_dict(data, *fd) for fd in index_at(data, _offset(top, FDARRAY)).items()]
        select = _offset(top, FDSELECT)
    fonts = [_font(data, fd, strings) for fd in fds or [top]]
    return Table(data, top, fds, glyphs, start, fonts, select)


def _offsets(table: Table) -> list[Operand]:
    """Every operand of the table that is an offset from its start."""
    found = [
        *table.top.get(CHARSET, [])[:1],
        *table.top.get(ENCODING, [])[:1],
        *table.top.get(CHARSTRINGS, [])[:1],
        *table.top.get(FDARRAY, [])[:1],
        *table.top.get(FDSELECT, [])[:1],
        *table.top.get(PRIVATE, [])[1:2],
    ]
    for fd in table.fds:
        found.extend(fd.get(PRIVATE, [])[1:2])
    # charset and Encoding 0 to 2 name predefined ones, not offsets
    predefined = [*table.top.get(CHARSET, [])[:1], *table.top.get(ENCODING, [])[:1]]
    return [o for o in found if not (o in predefined and o.value is not None and o.value <= 2)]


def _font(data: bytes, font: Dict, strings: Index) -> tuple[bytes, bytes]:
    """A font dictionary's Private DICT bytes and its name, as glyphs are read against."""
    size, offset = (o.value for o in font[PRIVATE][:2])
    if size is None or offset is None:
        raise CffError("a Private DICT without size or offset")
    private = data[offset : offset + size]
    if _SUBRS in _dict(data, offset, offset + size):
        raise CffError("local subroutines")
    name = font.get(_FONTNAME, [])
    sid = name[0].value if name else None
    # standard strings are 0 to 390; the table's own follow
    text = (
        b"" if sid is None else data[slice(*strings.item(sid - 391))] if sid >= 391 else b"%d" % sid
    )
    return private, text


def fd_of(data: bytes, at: int, gid: int) -> int:
    """Glyph `gid`'s font dictionary, from the FDSelect at `at` (format 0 or 3)."""
    fmt = data[at]
    if fmt == 0:
        return data[at + 1 + gid]
    if fmt != 3:
        raise CffError(f"FDSelect format {fmt}")
    (ranges,) = struct.unpack_from(">H", data, at + 1)
    low, high = 0, ranges - 1
    while low <= high:  # the range whose first glyph is the last one not after gid
        middle = (low + high) // 2
        first, fd = struct.unpack_from(">HB", data, at + 3 + 3 * middle)
        (following,) = struct.unpack_from(">H", data, at + 3 + 3 * (middle + 1))
        if gid < first:
            high = middle - 1
        elif gid >= following:
            low = middle + 1
        else:
            return int(fd)
    raise CffError(f"glyph {gid} is in no FDSelect range")


def _offset(top: Dict, op: int | tuple[int, int]) -> int:
    operands = top.get(op)
    if not operands or operands[0].value is None:
        raise CffError(f"no offset for operator {op}")
    return operands[0].value


def index_at(data: bytes, at: int) -> Index:
    """The INDEX at `at`."""
    (count,) = struct.unpack_from(">H", data, at)
    if count == 0:
        return Index(data, 0, 1, at + 2, at + 2)
    size = data[at + 2]
    if not 1 <= size <= 4:
        raise CffError(f"an INDEX with offsets of {size} bytes")
    offsets = at + 3
    last = offsets + count * size
    end = offsets + (count + 1) * size - 1 + int.from_bytes(data[last : last + size], "big")
    if end > len(data):
        raise CffError("an INDEX past the table's end")
    return Index(data, count, size, offsets, end)


def build_index(items: Sequence[bytes]) -> bytes:
    """An INDEX of `items`, its offsets in as few bytes as they need."""
    if not items:
        return b"\x00\x00"
    offsets = [1, *itertools.accumulate(len(item) for item in items)]
    offsets[1:] = [o + 1 for o in offsets[1:]]
    size = max(1, (offsets[-1].bit_length() + 7) // 8)
    head = struct.pack(">HB", len(items), size)
    return head + _packed(offsets, size) + b"".join(items)


def _packed(numbers: list[int], size: int) -> bytes:
    """Numbers big-endian in `size` bytes each, packed in C (three bytes from four)."""
    if size != 3:
        return struct.pack(f">{len(numbers)}{' BH I'[size]}", *numbers)
    four = struct.pack(f">{len(numbers)}I", *numbers)
    out = bytearray(3 * len(numbers))
    out[0::3], out[1::3], out[2::3] = four[1::4], four[2::4], four[3::4]
    return bytes(out)


def _unpacked(raw: bytes, size: int) -> list[int]:
    """The big-endian numbers of `size` bytes each in `raw` (see _packed)."""
    count = len(raw) // size
    if size != 3:
        return list(struct.unpack(f">{count}{' BH I'[size]}", raw))
    four = bytearray(4 * count)
    four[1::4], four[2::4], four[3::4] = raw[0::3], raw[1::3], raw[2::3]
    return list(struct.unpack(f">{count}I", four))


def _dict(data: bytes, start: int, end: int) -> Dict:
    """A DICT's operators and their operands (with where each operand is written)."""
    found: Dict = {}
    operands: list[Operand] = []
    at = start
    while at < end:
        b0 = data[at]
        if b0 <= 21:
            op: int | tuple[int, int] = (12, data[at + 1]) if b0 == 12 else b0
            at += 2 if b0 == 12 else 1
            found[op], operands = operands, []
        elif b0 == 28:
            operands.append(Operand(struct.unpack_from(">h", data, at + 1)[0], at, 3))
            at += 3
        elif b0 == 29:
            operands.append(Operand(struct.unpack_from(">i", data, at + 1)[0], at, 5))
            at += 5
        elif b0 == 30:
            first = at
            at += 1
            while data[at] & 0x0F != 0x0F and data[at] >> 4 != 0x0F:
                at += 1
            at += 1
            operands.append(Operand(None, first, at - first))
        elif 32 <= b0 <= 246:
            operands.append(Operand(b0 - 139, at, 1))
            at += 1
        elif 247 <= b0 <= 250:
            operands.append(Operand((b0 - 247) * 256 + data[at + 1] + 108, at, 2))
            at += 2
        elif 251 <= b0 <= 254:
            operands.append(Operand(-(b0 - 251) * 256 - data[at + 1] - 108, at, 2))
            at += 2
        else:
            raise CffError(f"a DICT byte {b0}")
    return found

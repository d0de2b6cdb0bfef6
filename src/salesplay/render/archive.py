"""Reproducible zip archives: kits, re-zipped .pptx packages and member splicing."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import mmap
import struct
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# Formats that are already compressed: deflating them costs ~30x the time for ~18 %
# (MEASURED.md), so kits store them.
STORED_SUFFIXES = frozenset(
    {".pdf", ".pptx", ".docx", ".xlsx", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".zip"}
    | {".gz", ".woff", ".woff2"}
)
#: A kit member's Unix mode: a regular file, rw-r--r--.
FILE_MODE = 0o100644
#: A .pptx member's mode: the permission bits alone, as decks have always been zipped (a
#: file type here would change every deck's bytes, and PowerPoint reads neither).
PACKAGE_MODE = 0o644
#: Deflate level of every compressed member (also of spliced ones).
LEVEL = 6
#: the longest archive comment the zip format holds.
MAX_COMMENT = 0xFFFF
#: the most bytes one entry's extra fields hold in all (APPNOTE 4.5: a 16-bit length), and
#: the most data one of them holds behind its header (id and size, 4 bytes).
MAX_EXTRA = 0xFFFF
MAX_EXTRA_DATA = MAX_EXTRA - 4

#: the zip version salesplay's members need (2.0: deflate) and the host that made them (Unix).
VERSION = 20
_UNIX = 3
_UTF8_NAME = 0x800
#: zipfile's limit past which a member or archive needs zip64 (not written here).
_ZIP64_LIMIT = (1 << 31) - 1

_LOCAL = struct.Struct("<IHHHHHIIIHH")
#: indexes into a central record's fields (_CENTRAL, less the offset)
_FLAGS, _METHOD, _CRC, _CSIZE, _USIZE, _NAME_LEN = 3, 4, 7, 8, 9, 10
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_EXTRA_HEAD = struct.Struct("<HH")

DateTime = tuple[int, int, int, int, int, int]
#: an earlier archive as KeptMembers reads it: its bytes, or a read-only map of its file
Archive = bytes | mmap.mmap


def _dos_stamp(stamp: DateTime) -> tuple[int, int]:
    """A zip timestamp as the format's (time, date) fields."""
    y, mo, d, h, mi, s = stamp
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def zip_date_time(date: dt.date) -> DateTime:
    """`date` at midnight as a zip timestamp; before 1980 (the format's epoch) is 1980-01-01."""
    # The zip format cannot represent dates before 1980 or after 2107.
    if date.year > 2107:
        raise ValueError(f"a zip cannot hold dates after 2107, got {date.isoformat()}")
    if date.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (date.year, date.month, date.day, 0, 0, 0)


@dataclass(frozen=True)
class Kept:
    """A stored member whose CRC-32 is known: copied from an earlier archive (checked when
    kept; its bytes may be a view into that archive, mapped, not read), or made with it (a
    stamped PDF's, carried on from its original's)."""

    data: bytes | memoryview
    crc: int


def _suffix(name: str) -> str:
    # PurePosixPath(name).suffix, without building a path per member
    base = name.rpartition("/")[2]
    dot = base.rfind(".")
    return base[dot:] if 0 < dot < len(base) - 1 else ""


def extra_field(header_id: int, data: bytes) -> bytes:
    """One extra field (APPNOTE 4.5.1: header id, data size, data); ValueError when `data`
    is more than an entry's extra fields hold."""
    if len(data) > MAX_EXTRA_DATA:
        raise ValueError(f"an extra field holds at most {MAX_EXTRA_DATA} bytes")
    return _EXTRA_HEAD.pack(header_id, len(data)) + data


def find_extra_field(extra: bytes, header_id: int) -> bytes | None:
    """The data of field `header_id` among an entry's `extra` fields; None when it has none,
    or when the fields do not add up (a damaged record is read as one without it)."""
    at = 0
    while at + _EXTRA_HEAD.size <= len(extra):
        found, size = _EXTRA_HEAD.unpack_from(extra, at)
        at += _EXTRA_HEAD.size
        if at + size > len(extra):
            return None
        if found == header_id:
            return extra[at : at + size]
        at += size
    return None


def deflater() -> Any:
    """A raw deflate compressor at LEVEL, as every deflated member here is written."""
    return zlib.compressobj(LEVEL, zlib.DEFLATED, -15)


def write_zip(
    members: Iterable[tuple[str, bytes | Kept]],
    *,
    date: dt.date,
    mode: int,
    stored: Callable[[str], bool],
    comment: bytes = b"",
    central_extra: Mapping[str, bytes] | None = None,
) -> bytes:
    """The one zip writer: members in the order given, fixed time, Unix host and `mode`.

    Its bytes are those `zipfile.ZipFile.writestr` writes for the same members (a test
    holds it to that); it is written here so that a Kept member is copied with its known
    CRC, not read and checksummed again (a play edit rewrites hundreds of 2 MB kits).

    `central_extra`: member name → extra fields (extra_field's) for its central-directory
    record alone; its local header has none, so the members' bytes are what they are
    without them (APPNOTE lets the two differ, as Info-ZIP's timestamps do).
    """
    if len(comment) > MAX_COMMENT:
        raise ValueError(f"a zip comment holds at most {MAX_COMMENT} bytes")
    extras = dict(central_extra or {})
    if any(len(extra) > MAX_EXTRA for extra in extras.values()):
        raise ValueError(f"an entry's extra fields hold at most {MAX_EXTRA} bytes")
    mtime, mdate = _dos_stamp(zip_date_time(date))
    made_by = (_UNIX << 8) | VERSION
    chunks: list[bytes | memoryview] = []
    central: list[bytes] = []
    offset = 0
    for name, member in members:
        name = name.partition("\x00")[0]  # as zipfile.ZipInfo cuts a name
        try:
            raw, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            raw, flags = name.encode("utf-8"), _UTF8_NAME
        if isinstance(member, Kept):
            data, crc, method = member.data, member.crc, zipfile.ZIP_STORED
            if not stored(name):
                raise ValueError(f"{name}: a kept member must be stored")
            payload, size = data, len(data)
        else:
            crc, size = zlib.crc32(member), len(member)
            if stored(name):
                method, payload = zipfile.ZIP_STORED, member
            else:
                method = zipfile.ZIP_DEFLATED
                packer = deflater()
                payload = packer.compress(member) + packer.flush()
        if size * 1.05 > _ZIP64_LIMIT or len(payload) > _ZIP64_LIMIT:
            raise ValueError(f"{name}: members of 2 GB or more are not supported")
        head = (VERSION, flags, method, mtime, mdate, crc, len(payload), size, len(raw))
        chunks += (_LOCAL.pack(0x04034B50, *head, 0), raw, payload)
        extra = extras.pop(name, b"")
        central.append(
            _CENTRAL.pack(0x02014B50, made_by, *head, len(extra), 0, 0, 0, mode << 16, offset)
            + raw
            + extra
        )
        offset += _LOCAL.size + len(raw) + len(payload)
    if extras:
        # fields for no member would be dropped unsaid (a kit's reuse keys among them)
        raise ValueError(f"extra fields for no member: {', '.join(sorted(extras))}")
    size = sum(map(len, central))
    if len(central) > 0xFFFF or offset + size > _ZIP64_LIMIT:
        raise ValueError("archives of 65,535 members or 2 GB or more are not supported")
    end = _END.pack(0x06054B50, 0, 0, len(central), len(central), size, offset, len(comment))
    return b"".join([*chunks, *central, end, comment])


def check_member_name(name: str) -> str:
    """Return `name` if it is a safe relative posix path for an archive; else ValueError."""
    if not name or "\\" in name or "\x00" in name:
        raise ValueError(f"unsafe archive path {name!r}: empty, backslash or NUL")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ValueError(f"unsafe archive path {name!r}: absolute")
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"unsafe archive path {name!r}: empty, '.' or '..' component")
    return name  # what passed is already a normal posix path


def compressed_already(name: str) -> bool:
    """Whether member `name` is of a format that is compressed already (STORED_SUFFIXES)."""
    return _suffix(name).lower() in STORED_SUFFIXES


def deterministic_zip(
    members: Sequence[tuple[str, bytes | Kept]],
    *,
    date: dt.date,
    comment: bytes = b"",
    stored: Callable[[str], bool] = compressed_already,
    central_extra: Mapping[str, bytes] | None = None,
) -> bytes:
    """A zip whose bytes depend only on the members, the date, the archive `comment` and
    the `central_extra` fields (see write_zip).

    Entries sorted by name, timestamps at `date` midnight, mode 0644, Unix host; the
    members `stored` names stored (by default the formats compressed already), the rest
    deflated. A Kept member (stored) is copied with its known CRC: the same bytes as its
    content would give. write_zip refuses a comment or extra fields past the format's limits.
    """
    names = [check_member_name(name) for name, _ in members]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"duplicate archive paths: {', '.join(dupes)}")
    return write_zip(
        sorted(zip(names, (d for _, d in members), strict=True), key=lambda m: m[0]),
        date=date,
        mode=FILE_MODE,
        stored=stored,
        comment=comment,
        central_extra=central_extra,
    )


def repack(data: bytes, as_of: dt.date, last: Collection[str] = ()) -> bytes:
    """A package (.pptx) re-zipped deterministically: members in the same order, all
    deflated; those named in `last` after the others, in their own order (the members a
    splice replaces: what comes before them is copied as one piece, see SpliceBase)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        infos = src.infolist()
        infos = [i for i in infos if i.filename not in last] + [
            i for i in infos if i.filename in last
        ]
        members = [(info.filename, src.read(info.filename)) for info in infos]
    return write_zip(members, date=as_of, mode=PACKAGE_MODE, stored=lambda _name: False)


@dataclass(frozen=True)
class _Member:
    filename: str
    start: int  # offset of the local header in the base archive
    length: int  # local header + data
    name: bytes  # its name as the archive holds it
    #: its central record's fields before the offset, as kept (a splice that replaces the
    #: member puts in its own method, CRC and sizes)
    central: tuple[int, ...]


@dataclass(frozen=True)
class SpliceBase:
    """A parsed archive ready to be spliced many times (parse once, splice per partner)."""

    data: bytes
    members: tuple[_Member, ...]
    #: the archive's reader (read_all)
    kept: KeptMembers = field(compare=False, repr=False)
    #: what each splice begins with, by the index of its first change (prefix)
    _prefixes: dict[int, _Prefix] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @classmethod
    def parse(cls, data: bytes) -> SpliceBase:
        """`data` (a zip write_zip wrote, as repack's) parsed for splicing; ValueError when
        it is no zip this module reads."""
        found = _directory(memoryview(data))
        if found is None:
            raise ValueError("not a zip archive written without zip64")
        kept = KeptMembers(data, *found)
        members = []
        for filename, entry in kept.entries.items():
            if entry.flags & 0x08:
                raise ValueError(f"{filename}: data descriptors not supported")
            at = kept.locate(filename)
            if at is None:
                raise ValueError(f"{filename}: its local header disagrees with the directory")
            name = filename.encode("utf-8")
            length = at + entry.csize - entry.offset  # local header and data
            r = entry.record
            central = (
                0x02014B50, r[1], 20, entry.flags, entry.method, r[5], r[6],
                entry.crc, entry.csize, entry.usize, len(name), 0, 0, 0, r[14], r[15],
            )  # fmt: skip
            members.append(_Member(filename, entry.offset, length, name, central))
        return cls(data, tuple(members), kept)

    def read_all(self, names: Iterable[str]) -> dict[str, bytes]:
        """Members `names`, decompressed and CRC-checked."""
        return {name: self.kept.read(name) for name in names}

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {member.filename: index for index, member in enumerate(self.members)}

    @functools.cached_property
    def _contiguous(self) -> bool:
        """Whether the members lie one after the other from the archive's start (as
        write_zip writes them): then those before a replaced one are copied as one piece."""
        at = 0
        for member in self.members:
            if member.start != at:
                return False
            at += member.length
        return True

    def _first(self, names: Iterable[str]) -> int:
        """The index of the first member a splice replacing `names` changes (0 when the
        members do not lie in order: then every member is copied one by one)."""
        if not self._contiguous:
            return 0
        index = self._index
        return min((index[n] for n in names if n in index), default=len(self.members))

    def prefix(self, first: int) -> _Prefix:
        """What every splice that changes no member before `first` begins with, kept."""
        found = self._prefixes.get(first)
        if found is None:
            pack = _CENTRAL.pack
            if first == 0:
                end = 0
            elif first < len(self.members):
                end = self.members[first].start
            else:
                end = _end_of(self)
            central = b"".join(pack(*m.central, m.start) + m.name for m in self.members[:first])
            found = self._prefixes[first] = _Prefix(self.data, end, central)
        return found


def _end_of(base: SpliceBase) -> int:
    last = base.members[-1] if base.members else None
    return last.start + last.length if last is not None else 0


class _Prefix:
    """The members before a splice's first change: their bytes (the base's own, where they
    are), their central records (their offsets unchanged), and the checksums of their bytes,
    found once for every splice of the base (a kit co-brands its decks from a handful)."""

    def __init__(self, data: bytes, end: int, central: bytes) -> None:
        self.data, self.end, self.central = data, end, central
        self._sums: tuple[Any, int] | None = None

    @property
    def view(self) -> memoryview:
        return memoryview(self.data)[: self.end]

    def sums(self) -> tuple[Any, int]:
        """The SHA-256 state and the CRC-32 of the prefix's bytes."""
        if self._sums is None:
            self._sums = hashlib.sha256(self.view), zlib.crc32(self.view)
        return self._sums


@dataclass(frozen=True)
class Summed:
    """A kit member made with its CRC-32 and hex SHA-256 (a kit's zip and manifest need
    both): a stamped PDF, a co-branded deck. Each is a shared original plus what one
    partner changed, so only the change is checksummed."""

    data: bytes
    crc: int
    sha256: str


@dataclass(frozen=True)
class Deflated:
    """A member's content already deflated (level LEVEL, raw): its compressed bytes, the
    CRC-32 and size of what they hold. A splice copies it instead of deflating again."""

    payload: bytes
    crc: int
    size: int

    @classmethod
    def of(cls, content: bytes) -> Deflated:
        packer = deflater()
        return cls(packer.compress(content) + packer.flush(), zlib.crc32(content), len(content))


def splice(base: SpliceBase, replacements: Mapping[str, bytes | Deflated]) -> Summed:
    """The base archive with `replacements` (name → new content), same order and dates,
    with its CRC-32 and SHA-256.

    Every other member's bytes are copied as they are: no decompressing, no deflating. A
    replacement is deflated here unless it comes Deflated. The members before the first
    one replaced are copied as one piece, with their central records as the base has them,
    and checksummed once for every splice of the base (SpliceBase.prefix); only the rest is
    checksummed here.
    """
    first = base._first(replacements)
    prefix = base.prefix(first)
    data = memoryview(base.data)
    chunks: list[bytes | memoryview] = []
    central: list[bytes] = [prefix.central]
    pack, local, offset = _CENTRAL.pack, _LOCAL.pack, prefix.end
    for member in base.members[first:]:
        new = replacements.get(member.filename)
        name = member.name
        if new is None:
            chunks.append(data[member.start : member.start + member.length])
            central += (pack(*member.central, offset), name)
            offset += member.length
            continue
        done = new if isinstance(new, Deflated) else Deflated.of(new)
        record = list(member.central)
        record[_METHOD] = zipfile.ZIP_DEFLATED
        record[_CRC], record[_CSIZE], record[_USIZE] = done.crc, len(done.payload), done.size
        # the local header holds the central record's fields from flags to the name's size
        chunks += (local(0x04034B50, 20, *record[_FLAGS : _NAME_LEN + 1], 0), name, done.payload)
        central += (pack(*record, offset), name)
        offset += _LOCAL.size + len(name) + len(done.payload)
    size = sum(map(len, central))
    count = len(base.members)
    end = _END.pack(0x06054B50, 0, 0, count, count, size, offset, 0)
    tail = b"".join([*chunks, *central, end])
    state, crc = prefix.sums()
    digest = state.copy()
    digest.update(tail)
    return Summed(b"".join((prefix.view, tail)), zlib.crc32(tail, crc), digest.hexdigest())


class _Entry(NamedTuple):
    """A member as the central directory gives it (a tuple: a kit's directory makes some
    seventy, and a play edit reads hundreds of kits)."""

    offset: int
    method: int
    flags: int
    crc: int
    csize: int
    usize: int
    #: its central record's fields, as struct unpacked them (_CENTRAL)
    record: tuple[int, ...]
    #: its central record's extra fields (b"" for nearly every member)
    extra: bytes = b""


def _directory(view: memoryview) -> tuple[dict[str, _Entry], bytes] | None:
    """The members of a zip without zip64 (write_zip writes none) by name, and its comment;
    None when `view` is no such zip. Read with struct alone: zipfile would make a ZipInfo of
    each member (0.5 ms a kit), and a play edit reads hundreds of kits."""
    size = len(view)
    tail_start = max(0, size - _END.size - MAX_COMMENT)
    tail = bytes(view[tail_start:])
    at = len(tail) - _END.size
    while at >= 0:
        at = tail.rfind(b"PK\x05\x06", 0, at + 4)
        if at < 0:
            return None
        fields = _END.unpack_from(tail, at)
        if at + _END.size + fields[7] == len(tail):
            break  # the end record whose comment runs to the archive's end
        at -= 1
    else:
        return None
    _sig, disk, first_disk, here, count, dir_size, dir_start, _comment = fields
    end_at = tail_start + at
    if disk or first_disk or here != count or dir_start + dir_size != end_at:
        return None
    entries: dict[str, _Entry] = {}
    pos = dir_start
    unpack, head = _CENTRAL.unpack_from, _CENTRAL.size
    for _ in range(count):
        if pos + head > end_at:
            return None
        record = unpack(view, pos)
        if record[0] != 0x02014B50:
            return None
        flags, method, crc, csize, usize = record[3], record[4], record[7], record[8], record[9]
        name_len, extra_len, comment = record[10], record[11], record[12]
        offset = record[16]
        if 0xFFFFFFFF in (csize, usize, offset):
            return None  # zip64
        raw = bytes(view[pos + head : pos + head + name_len])
        name = raw.decode("utf-8" if flags & _UTF8_NAME else "cp437")
        at = pos + head + name_len
        extra = bytes(view[at : at + extra_len]) if extra_len else b""
        entries[name] = _Entry(offset, method, flags, crc, csize, usize, record, extra)
        pos += head + name_len + extra_len + comment
    if pos != end_at:
        return None
    return entries, tail[at + _END.size :]


class KeptMembers:
    """An earlier archive whose stored members may be copied into a new one (a kit's
    previous version): each is viewed in place and its CRC checked (unless the archive is
    known as written, see `of`), never decompressed or copied until the new archive is
    joined. The archive may be bytes or a read-only map of its file (write.map_output),
    which nothing reads whole."""

    def __init__(
        self, data: Archive, entries: dict[str, _Entry], comment: bytes, *, checked: bool = True
    ) -> None:
        self.data, self.entries, self.comment = data, entries, comment
        self.view = memoryview(data)
        self.checked = checked

    @classmethod
    def of(cls, data: Archive, *, checked: bool = True) -> KeptMembers | None:
        """The archive `data`; None when it is no zip this module can read.

        `checked=False`: the caller knows the archive is the very file it wrote (a kit whose
        size and mtime are as recorded), and a member's CRC is taken from its headers, not
        computed again (2 ms a 3.7 MB kit); its headers are still checked."""
        try:
            found = _directory(memoryview(data))
        except (ValueError, struct.error):
            return None
        if found is None:
            return None
        return cls(data, *found, checked=checked)

    def extra_field(self, name: str, header_id: int) -> bytes | None:
        """The data of extra field `header_id` in member `name`'s central record; None when
        there is no such member or field, or its record's fields are damaged."""
        entry = self.entries.get(name)
        return find_extra_field(entry.extra, header_id) if entry is not None else None

    def locate(self, name: str) -> int | None:
        """Where member `name`'s bytes start, as stored, once its local header agrees with
        the central directory; None when it is missing, cut short or the headers disagree."""
        entry = self.entries.get(name)
        if entry is None:
            return None
        start = entry.offset
        if start + _LOCAL.size > len(self.view):
            return None
        # read in place: no copy of the header (a play edit checks hundreds of kits' members)
        head = _LOCAL.unpack_from(self.view, start)
        sig, _v, flags, method, _t, _d, crc, csize, usize, name_len, extra_len = head
        if sig != 0x04034B50 or method != entry.method or flags & 0x08:
            return None
        if crc != entry.crc or csize != entry.csize or usize != entry.usize:
            return None
        named = start + _LOCAL.size
        if self.view[named : named + name_len] != name.encode("utf-8"):
            return None
        body = named + name_len + extra_len
        return body if body + csize <= len(self.view) else None

    def _body(self, name: str) -> tuple[_Entry, memoryview] | None:
        """Member `name`'s entry and bytes as stored (see locate)."""
        at = self.locate(name)
        if at is None:
            return None
        entry = self.entries[name]
        return entry, self.view[at : at + entry.csize]

    def read(self, name: str) -> bytes:
        """Member `name`, decompressed and CRC-checked; KeyError, BadZipFile."""
        if name not in self.entries:
            raise KeyError(name)
        found = self._body(name)
        if found is None or found[0].flags & 0x01:
            raise zipfile.BadZipFile(f"{name}: damaged, encrypted or oddly written")
        entry, data = found
        if entry.method == zipfile.ZIP_STORED:
            content = bytes(data)
        elif entry.method == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-15)
            try:
                # never more than the size it claims (a damaged kit is no zip bomb)
                content = inflater.decompress(data, entry.usize + 1)
                if not inflater.unconsumed_tail:
                    content += inflater.flush()
            except zlib.error as exc:
                raise zipfile.BadZipFile(f"{name}: {exc}") from None
        else:
            raise zipfile.BadZipFile(f"{name}: compression method {entry.method}")
        if len(content) != entry.usize or zlib.crc32(content) != entry.crc:
            raise zipfile.BadZipFile(f"{name}: bad size or CRC")
        return content

    def get(self, name: str) -> Kept | None:
        """Stored member `name` as it may be copied; None when it is missing, deflated (its
        bytes would depend on the zlib that made them), damaged or oddly written."""
        entry = self.entries.get(name)
        if entry is None or entry.method != zipfile.ZIP_STORED or entry.flags & 0x09:
            return None  # encrypted, or sizes in a data descriptor
        found = self._body(name)
        if found is None:
            return None
        data = found[1]
        if len(data) != entry.usize or (self.checked and zlib.crc32(data) != entry.crc):
            return None
        return Kept(data, entry.crc)

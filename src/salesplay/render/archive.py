"""Reproducible zip archives: kits, re-zipped .pptx packages and member splicing."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

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

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")

DateTime = tuple[int, int, int, int, int, int]


def zip_date_time(date: dt.date) -> DateTime:
    """`date` at midnight as a zip timestamp; before 1980 (the format's epoch) is 1980-01-01."""
    # The zip format cannot represent dates before 1980 or after 2107.
    if date.year > 2107:
        raise ValueError(f"a zip cannot hold dates after 2107, got {date.isoformat()}")
    if date.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (date.year, date.month, date.day, 0, 0, 0)


def _write(
    members: Iterable[tuple[str, bytes]],
    *,
    date: dt.date,
    mode: int,
    stored: Callable[[str], bool],
    comment: bytes = b"",
) -> bytes:
    """The one zip writer: members in the order given, fixed time, Unix host and `mode`."""
    stamp = zip_date_time(date)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.comment = comment
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # Unix, so that external_attr means a file mode
            info.external_attr = mode << 16
            store = stored(name)
            info.compress_type = zipfile.ZIP_STORED if store else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=None if store else LEVEL)
    return buffer.getvalue()


def check_member_name(name: str) -> str:
    """Return `name` if it is a safe relative posix path for an archive; else ValueError."""
    if not name or "\\" in name or "\x00" in name:
        raise ValueError(f"unsafe archive path {name!r}: empty, backslash or NUL")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ValueError(f"unsafe archive path {name!r}: absolute")
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"unsafe archive path {name!r}: empty, '.' or '..' component")
    return str(PurePosixPath(name))


def deterministic_zip(
    members: Sequence[tuple[str, bytes]], *, date: dt.date, comment: bytes = b""
) -> bytes:
    """A zip whose bytes depend only on the members, the date and the archive `comment`.

    Entries sorted by name, timestamps at `date` midnight, mode 0644, Unix host;
    already-compressed formats stored, the rest deflated.
    """
    if len(comment) > MAX_COMMENT:
        raise ValueError(f"a zip comment holds at most {MAX_COMMENT} bytes")
    names = [check_member_name(name) for name, _ in members]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"duplicate archive paths: {', '.join(dupes)}")
    return _write(
        sorted(zip(names, (d for _, d in members), strict=True)),
        date=date,
        mode=FILE_MODE,
        stored=lambda name: PurePosixPath(name).suffix.lower() in STORED_SUFFIXES,
        comment=comment,
    )


def repack(data: bytes, as_of: dt.date) -> bytes:
    """A package (.pptx) re-zipped deterministically: members in the same order, all deflated."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    return _write(members, date=as_of, mode=PACKAGE_MODE, stored=lambda _name: False)


@dataclass(frozen=True)
class _Member:
    info: zipfile.ZipInfo
    start: int  # offset of the local header in the base archive
    length: int  # local header + data


@dataclass(frozen=True)
class SpliceBase:
    """A parsed archive ready to be spliced many times (parse once, splice per partner)."""

    data: bytes
    members: tuple[_Member, ...]

    @classmethod
    def parse(cls, data: bytes) -> SpliceBase:
        members = []
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                if info.flag_bits & 0x08 or info.file_size >= 0xFFFFFFFF:
                    raise ValueError(f"{info.filename}: data descriptors and zip64 not supported")
                head = data[info.header_offset : info.header_offset + _LOCAL.size]
                name_len, extra_len = struct.unpack("<HH", head[26:30])
                length = _LOCAL.size + name_len + extra_len + info.compress_size
                members.append(_Member(info, info.header_offset, length))
        return cls(data, tuple(members))

    def read(self, name: str) -> bytes:
        with zipfile.ZipFile(io.BytesIO(self.data)) as zf:
            return zf.read(name)


def _dos_time(info: zipfile.ZipInfo) -> tuple[int, int]:
    y, mo, d, h, mi, s = info.date_time
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def splice(base: SpliceBase, replacements: Mapping[str, bytes]) -> bytes:
    """The base archive with `replacements` (name → new content), same order and dates.

    Every other member's bytes are copied as they are: no decompressing, no deflating.
    """
    out = io.BytesIO()
    central = []
    for member in base.members:
        info = member.info
        offset = out.tell()
        name = info.filename.encode("utf-8")
        new = replacements.get(info.filename)
        mtime, mdate = _dos_time(info)
        if new is None:
            out.write(base.data[member.start : member.start + member.length])
            crc, csize, usize, method = (
                info.CRC,
                info.compress_size,
                info.file_size,
                info.compress_type,
            )
        else:
            method = zipfile.ZIP_DEFLATED
            packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
            payload = packer.compress(new) + packer.flush()
            crc, csize, usize = zlib.crc32(new), len(payload), len(new)
            head = (0x04034B50, 20, info.flag_bits, method, mtime, mdate, crc, csize, usize)
            out.write(_LOCAL.pack(*head, len(name), 0))
            out.write(name)
            out.write(payload)
        central.append(
            _CENTRAL.pack(
                0x02014B50,
                (info.create_system << 8) | info.create_version,
                20,
                info.flag_bits,
                method,
                mtime,
                mdate,
                crc,
                csize,
                usize,
                len(name),
                0,
                0,
                0,
                info.internal_attr,
                info.external_attr,
                offset,
            )
            + name
        )
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    count = len(central)
    out.write(_END.pack(0x06054B50, 0, 0, count, count, size, start, 0))
    return out.getvalue()

"""Replace a few members of a zip (a .pptx) by copying every other member's bytes as they are."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


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
        with zipfile.ZipFile(BytesIO(data)) as zf:
            for info in zf.infolist():
                if info.flag_bits & 0x08 or info.file_size >= 0xFFFFFFFF:
                    raise ValueError(f"{info.filename}: data descriptors and zip64 not supported")
                head = data[info.header_offset : info.header_offset + _LOCAL.size]
                name_len, extra_len = struct.unpack("<HH", head[26:30])
                length = _LOCAL.size + name_len + extra_len + info.compress_size
                members.append(_Member(info, info.header_offset, length))
        return cls(data, tuple(members))

    def read(self, name: str) -> bytes:
        with zipfile.ZipFile(BytesIO(self.data)) as zf:
            return zf.read(name)


def _dos_time(info: zipfile.ZipInfo) -> tuple[int, int]:
    y, mo, d, h, mi, s = info.date_time
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def splice(base: SpliceBase, replacements: Mapping[str, bytes]) -> bytes:
    """The base archive with `replacements` (name → new content), same order and dates."""
    out = BytesIO()
    central = []
    for member in base.members:
        info = member.info
        offset = out.tell()
        name = info.filename.encode("utf-8")
        new = replacements.get(info.filename)
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
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            payload = packer.compress(new) + packer.flush()
            crc, csize, usize = zlib.crc32(new), len(payload), len(new)
            mtime, mdate = _dos_time(info)
            out.write(
                _LOCAL.pack(
                    0x04034B50,
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
                )
            )
            out.write(name)
            out.write(payload)
        mtime, mdate = _dos_time(info)
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

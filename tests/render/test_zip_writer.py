"""The hand-written zip writer makes the bytes Python's zipfile made, and copies kept members."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesplay.render import archive
from salesplay.write import map_output, write_output

DATE = dt.date(2026, 11, 23)


def zipfile_reference(
    members: list[tuple[str, bytes]], *, date: dt.date, mode: int, store: set[str], comment: bytes
) -> bytes:
    """How salesplay wrote every zip before its own writer: zipfile.writestr, member by member."""
    stamp = archive.zip_date_time(date)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.comment = comment
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = mode << 16
            stored = name in store
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            out.writestr(info, data, compresslevel=None if stored else archive.LEVEL)
    return buffer.getvalue()


names = st.text(alphabet=st.sampled_from("abcXYZ09-_.é北/"), min_size=1, max_size=20).filter(
    lambda n: not n.startswith("/") and "//" not in n and not n.endswith("/")
)


@settings(max_examples=150, deadline=None)
@given(
    members=st.lists(
        st.tuples(names, st.binary(max_size=3000)), max_size=8, unique_by=lambda m: m[0]
    ),
    stored=st.sets(st.integers(0, 7)),
    comment=st.binary(max_size=300),
    mode=st.sampled_from([archive.FILE_MODE, archive.PACKAGE_MODE]),
)
def test_the_writer_makes_what_zipfile_made(
    members: list[tuple[str, bytes]], stored: set[int], comment: bytes, mode: int
) -> None:
    store = {name for i, (name, _) in enumerate(members) if i in stored}
    made = archive.write_zip(
        members, date=DATE, mode=mode, stored=lambda name: name in store, comment=comment
    )
    want = zipfile_reference(members, date=DATE, mode=mode, store=store, comment=comment)
    assert made == want


def test_kit_zips_and_packages_are_byte_for_byte_as_before() -> None:
    members = [("deck/ppt/slide1.xml", b"<x/>" * 500), ("a.pdf", b"%PDF-1.7 " * 100)]
    kit = archive.deterministic_zip(members, date=DATE, comment=b"{}")
    want = zipfile_reference(
        sorted(members), date=DATE, mode=archive.FILE_MODE, store={"a.pdf"}, comment=b"{}"
    )
    assert kit == want
    package = zipfile_reference(
        members, date=DATE, mode=archive.PACKAGE_MODE, store=set(), comment=b""
    )
    assert archive.repack(package, DATE) == package


def test_a_kept_member_is_copied_with_its_known_checksum() -> None:
    old = archive.deterministic_zip(
        [("kit/a.pdf", b"%PDF one"), ("kit/b.pdf", b"%PDF two"), ("kit/i.html", b"<p>")],
        date=DATE,
    )
    kept = archive.KeptMembers.of(old)
    assert kept is not None
    a = kept.get("kit/a.pdf")
    assert a is not None and bytes(a.data) == b"%PDF one" and a.crc == zlib.crc32(b"%PDF one")
    # a deflated member is not kept: its bytes would depend on the zlib that deflated them
    assert kept.get("kit/i.html") is None
    assert kept.get("kit/missing.pdf") is None
    new = archive.deterministic_zip(
        [("kit/a.pdf", a), ("kit/b.pdf", b"%PDF 2"), ("kit/i.html", b"<p>")], date=DATE
    )
    fresh = archive.deterministic_zip(
        [("kit/a.pdf", b"%PDF one"), ("kit/b.pdf", b"%PDF 2"), ("kit/i.html", b"<p>")],
        date=DATE,
    )
    assert new == fresh


def test_a_damaged_kept_member_is_refused() -> None:
    old = bytearray(archive.deterministic_zip([("kit/a.pdf", b"%PDF one two")], date=DATE))
    at = bytes(old).index(b"one")
    old[at] = ord("X")  # same length, wrong checksum
    kept = archive.KeptMembers.of(bytes(old))
    assert kept is not None and kept.get("kit/a.pdf") is None


@pytest.mark.parametrize("junk", [b"", b"not a zip", b"PK\x05\x06" + b"\x00" * 18])
def test_a_previous_archive_that_is_no_zip_keeps_nothing(junk: bytes) -> None:
    kept = archive.KeptMembers.of(junk)
    assert kept is None or kept.get("kit/a.pdf") is None


def test_the_directory_is_read_as_zipfile_reads_it() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("kit/a.pdf", b"%PDF one" * 50, compress_type=zipfile.ZIP_STORED)
        zf.writestr("kit/ü.html", b"<p>caf\xc3\xa9</p>" * 50, compress_type=zipfile.ZIP_DEFLATED)
        zf.comment = b"a comment"
    made = buffer.getvalue()
    kept = archive.KeptMembers.of(made)
    assert kept is not None and kept.comment == b"a comment"
    with zipfile.ZipFile(io.BytesIO(made)) as zf:
        for info in zf.infolist():
            assert kept.read(info.filename) == zf.read(info.filename)
    a = kept.get("kit/a.pdf")
    assert a is not None and bytes(a.data) == b"%PDF one" * 50
    with pytest.raises(KeyError):
        kept.read("kit/missing.pdf")
    # cut short, or its directory moved: no zip this module reads
    assert archive.KeptMembers.of(made[:-30]) is None
    assert archive.KeptMembers.of(b"x" + made) is None
    # a comment that holds the end record's signature (zipfile reads no such archive)
    odd = archive.deterministic_zip([("a.pdf", b"x")], date=DATE, comment=b"PK\x05\x06 here")
    kept = archive.KeptMembers.of(odd)
    assert kept is not None and kept.comment == b"PK\x05\x06 here" and kept.get("a.pdf")


def test_a_damaged_deflated_member_is_not_read() -> None:
    old = archive.deterministic_zip([("kit/i.html", b"<p>hello</p>" * 100)], date=DATE)
    kept = archive.KeptMembers.of(old)
    assert kept is not None and kept.read("kit/i.html") == b"<p>hello</p>" * 100
    damaged = bytearray(old)
    damaged[bytes(old).index(b"kit/i.html") + 12] ^= 0xFF  # the first deflated byte
    spoiled = archive.KeptMembers.of(bytes(damaged))
    assert spoiled is not None
    with pytest.raises(zipfile.BadZipFile):
        spoiled.read("kit/i.html")


def test_names_are_checked_as_before() -> None:
    for bad in ["/abs.pdf", "a/../b.pdf", "a//b", "", "c:x", "a\\b"]:
        with pytest.raises(ValueError):
            archive.deterministic_zip([(bad, b"x")], date=DATE)
    with pytest.raises(ValueError, match="duplicate"):
        archive.deterministic_zip([("a.pdf", b"x"), ("a.pdf", b"y")], date=DATE)


def test_a_mapped_previous_archive_keeps_members_as_bytes_do(tmp_path: Path) -> None:
    members = [("kit/a.pdf", b"%PDF one"), ("kit/b.pdf", b"%PDF two"), ("kit/i.html", b"<p>")]
    old = archive.deterministic_zip(members, date=DATE, comment=b'{"k": 1}')
    write_output(tmp_path, "kits/p.zip", old)
    mapped, info = map_output(tmp_path, "kits/p.zip")
    assert not isinstance(mapped, bytes)  # a map, not a read
    assert info.st_size == len(old)
    kept = archive.KeptMembers.of(mapped)
    assert kept is not None and kept.comment == b'{"k": 1}'
    assert kept.read("kit/i.html") == b"<p>"
    a = kept.get("kit/a.pdf")
    assert a is not None and isinstance(a.data, memoryview)
    # the kit is replaced while its map is in use (as a build does): the map still reads
    write_output(tmp_path, "kits/p.zip", b"replaced")
    new = archive.deterministic_zip([("kit/a.pdf", a), *members[1:]], date=DATE)
    assert new == archive.deterministic_zip(members, date=DATE)
    # a damaged member of a mapped archive is refused as one of bytes is
    damaged = bytearray(old)
    damaged[bytes(old).index(b"two")] = ord("X")
    write_output(tmp_path, "kits/q.zip", bytes(damaged))
    kept = archive.KeptMembers.of(map_output(tmp_path, "kits/q.zip")[0])
    assert kept is not None and kept.get("kit/b.pdf") is None
    assert kept.get("kit/a.pdf") is not None


def test_an_archive_known_as_written_is_kept_without_computing_crcs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """checked=False (a kit as the last build wrote it): the CRC comes from the headers,
    which are still checked; by default every kept member's CRC is computed."""
    members = [("kit/a.pdf", b"%PDF one" * 100), ("kit/b.pdf", b"%PDF two")]
    old = archive.deterministic_zip(members, date=DATE)
    summed: list[int] = []
    crc32 = zlib.crc32

    def counting(data: bytes, value: int = 0) -> int:
        summed.append(len(data))
        return crc32(data, value)

    monkeypatch.setattr(archive.zlib, "crc32", counting)
    trusted = archive.KeptMembers.of(old, checked=False)
    assert trusted is not None
    kept = trusted.get("kit/a.pdf")
    assert kept is not None and bytes(kept.data) == members[0][1]
    assert kept.crc == crc32(members[0][1])
    assert summed == []
    checked = archive.KeptMembers.of(old)
    assert checked is not None and checked.get("kit/a.pdf") is not None
    assert summed == [len(members[0][1])]
    # a header that disagrees with the central directory is refused either way
    damaged = bytearray(old)
    local = bytes(old).index(b"PK\x03\x04")
    damaged[local + 14] ^= 0xFF  # the local header's CRC
    spoiled = archive.KeptMembers.of(bytes(damaged), checked=False)
    assert spoiled is not None and spoiled.get("kit/a.pdf") is None


def test_a_central_extra_field_is_in_the_directory_alone() -> None:
    """An extra field given for a member's central record (a kit's member keys): zipfile and
    KeptMembers read it there, no local header holds it, and the members' bytes are those
    of the same zip without it."""
    members = [("kit/a.pdf", b"%PDF one"), ("kit/manifest.json", b"{}"), ("kit/z.pdf", b"%PDF")]
    field = archive.extra_field(0x5053, b'{"k":"v"}')
    made = archive.deterministic_zip(members, date=DATE, central_extra={"kit/manifest.json": field})
    plain = archive.deterministic_zip(members, date=DATE)
    assert made != plain and made == archive.deterministic_zip(
        list(reversed(members)), date=DATE, central_extra={"kit/manifest.json": field}
    )
    with zipfile.ZipFile(io.BytesIO(made)) as zf, zipfile.ZipFile(io.BytesIO(plain)) as pf:
        assert zf.testzip() is None and zf.comment == b""
        assert {i.filename: i.extra for i in zf.infolist()} == {
            "kit/a.pdf": b"", "kit/manifest.json": field, "kit/z.pdf": b""
        }  # fmt: skip
        assert made[: zf.start_dir] == plain[: pf.start_dir]  # local headers and data
        assert {n: zf.read(n) for n, _ in members} == dict(members)
    kept = archive.KeptMembers.of(made)
    assert kept is not None and kept.comment == b""
    assert kept.extra_field("kit/manifest.json", 0x5053) == b'{"k":"v"}'
    assert kept.extra_field("kit/manifest.json", 0x5054) is None
    assert kept.extra_field("kit/a.pdf", 0x5053) is None
    assert kept.extra_field("kit/missing.json", 0x5053) is None
    a = kept.get("kit/a.pdf")
    assert a is not None and bytes(a.data) == b"%PDF one"


def test_extra_fields_are_read_whole_or_not_at_all() -> None:
    first = archive.extra_field(0x5455, b"\x01" * 5)
    assert archive.find_extra_field(first + archive.extra_field(0x5053, b"ab"), 0x5053) == b"ab"
    assert archive.find_extra_field(first, 0x5053) is None
    assert archive.find_extra_field(b"", 0x5053) is None
    # a size past the fields' end, or a header cut short: read as no field
    assert archive.find_extra_field(archive.extra_field(0x5053, b"abcd")[:-1], 0x5053) is None
    assert archive.find_extra_field(b"\x53\x50\x02", 0x5053) is None


def test_extra_fields_past_the_formats_limits_are_refused() -> None:
    assert len(archive.extra_field(0x5053, b"x" * archive.MAX_EXTRA_DATA)) == archive.MAX_EXTRA
    with pytest.raises(ValueError, match="at most"):
        archive.extra_field(0x5053, b"x" * (archive.MAX_EXTRA_DATA + 1))
    with pytest.raises(ValueError, match="at most"):
        archive.deterministic_zip(
            [("a.pdf", b"x")], date=DATE, central_extra={"a.pdf": b"\0" * (archive.MAX_EXTRA + 1)}
        )
    # a field for no member would be dropped unsaid
    with pytest.raises(ValueError, match="no member"):
        archive.deterministic_zip(
            [("a.pdf", b"x")], date=DATE, central_extra={"b.json": archive.extra_field(0x5053, b"")}
        )


def test_a_comment_past_the_formats_limit_is_refused() -> None:
    longest = b"c" * archive.MAX_COMMENT
    made = archive.deterministic_zip([("a.pdf", b"x")], date=DATE, comment=longest)
    with zipfile.ZipFile(io.BytesIO(made)) as zf:
        assert zf.comment == longest
    with pytest.raises(ValueError, match="at most"):
        archive.deterministic_zip([("a.pdf", b"x")], date=DATE, comment=longest + b"c")

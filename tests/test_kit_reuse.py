"""A kit made again copies the members of its previous kit that are unchanged (named with
their keys in an extra field of its manifest's central record, never in the zip comment
archive tools show) and makes only the rest; the kit is the same as one made from nothing,
and a damaged previous kit, or --clean, means making every member."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import kit_standins as standins
from conftest import AS_OF, run_cli
from kit_standins import PARTNER, ZIP
from salesplay import cobrand, kits
from salesplay.render.archive import Archive, Summed, deterministic_zip, find_extra_field
from salesplay.render.stamp import Stamper

PLAY = "plays/backup-modernization.yaml"
MANIFEST = f"{PARTNER}/manifest.json"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The minimal catalog with blue-river's kit built once (member PDFs are stand-ins)."""
    with standins.built(tmp_path_factory, "reuse") as root:
        yield root


@pytest.fixture
def project(built: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    standins.stand_in(monkeypatch)
    standins.kit(built)  # the kit of the catalog as it is
    yield built
    standins.restore(built)


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One entry per member stamped ("pdf") or co-branded ("deck") from here on."""
    calls: list[str] = []
    stamp, brand = Stamper.stamp, cobrand.cobrand

    def stamping(self: Stamper, band: object) -> bytes:
        calls.append("pdf")
        return stamp(self, band)  # type: ignore[arg-type]

    def branding(deck: cobrand.DeckBase, mark: cobrand.PartnerMark) -> Summed:
        calls.append("deck")
        return brand(deck, mark)

    monkeypatch.setattr(Stamper, "stamp", stamping)
    monkeypatch.setattr(cobrand, "cobrand", branding)
    return calls


def _named(kit: bytes) -> dict[str, str]:
    """The members the kit's keys name, with their keys (the kit has no zip comment)."""
    with zipfile.ZipFile(io.BytesIO(kit)) as zf:
        assert zf.comment == b""
        (manifest,) = [
            n for n in zf.namelist() if n.endswith("/manifest.json") and n.count("/") == 1
        ]
        data = find_extra_field(zf.getinfo(manifest).extra, kits.KEYS_FIELD)
        assert data is not None
        found: dict[str, str] = json.loads(data)[kits.REUSE_FORMAT]
        assert set(found) <= set(zf.namelist())
    return found


def _field(data: bytes) -> bytes:
    return struct.pack("<HH", kits.KEYS_FIELD, len(data)) + data


def test_the_keys_are_in_the_manifests_central_record_not_the_comment(project: Path) -> None:
    """WinRAR, 7-Zip and Archive Utility show a zip's comment to whoever opens the kit: the
    keys are in an extra field of one central record, once, and no local header has one."""
    kit = (project / "build" / ZIP).read_bytes()
    members = _named(kit)
    assert members and all(len(key) == 32 for key in members.values())
    marker = kits.REUSE_FORMAT.encode()
    assert kit.count(marker) == 1
    with zipfile.ZipFile(io.BytesIO(kit)) as zf:
        assert zf.testzip() is None
        carrying = [i.filename for i in zf.infolist() if i.extra]
        assert carrying == [MANIFEST]
        for info in zf.infolist():
            head = kit[info.header_offset : info.header_offset + 30]
            assert struct.unpack("<H", head[28:30])[0] == 0  # no local extra field
        assert kit.index(marker) > zf.start_dir  # in the central directory


def test_an_edit_makes_only_the_members_it_changed(project: Path, made: list[str]) -> None:
    before = (project / "build" / ZIP).read_bytes()
    members = _named(before)
    path = project / "plays" / "competitors" / "acme.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Large installed base", "Largest installed base"))
    kit = standins.kit(project)
    assert kit != before
    changed = {n for n, k in _named(kit).items() if members.get(n) != k}
    # the competitor's card is made again; the deck and the rest are copied
    assert f"{PARTNER}/for-your-team/competitors/acme.pdf" in changed
    assert changed < set(members), changed
    assert len(made) == len(changed)
    # the kit made without a previous kit is the same
    made.clear()
    (project / "build" / ZIP).unlink()
    assert standins.kit(project) == kit
    assert len(made) == len(members)


def test_a_clean_build_copies_nothing_from_previous_kits(project: Path, made: list[str]) -> None:
    kit = (project / "build" / ZIP).read_bytes()
    done = run_cli("build", "--only", "kits", "--as-of", AS_OF, "--jobs", "1", "--clean",
                   cwd=project)  # fmt: skip
    assert done.code == 0, done.stderr
    assert (project / "build" / ZIP).read_bytes() == kit
    everything = sum(len(_named(z.read_bytes())) for z in (project / "build/kits").glob("*.zip"))
    assert len(made) == everything


DAMAGES = ["garbage", "truncated", "no-keys", "deep-keys", "cut-field", "not-json", "old-comment"]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_previous_kit_means_making_every_member(
    project: Path, made: list[str], damage: str
) -> None:
    """Never a crash: a kit without its keys field, with one cut short (its size past the
    record's fields), or keys nested deeper than Python's stack (RecursionError was an
    internal error), is a kit with no keys; so is a kit of an older salesplay, whose keys
    were in its zip comment (made by other code: none would match)."""
    target = project / "build" / ZIP
    kit = target.read_bytes()
    if damage == "garbage":
        target.write_bytes(b"PK not a zip")
    elif damage == "truncated":
        target.write_bytes(kit[: len(kit) // 2])
    else:
        keys = json.dumps({kits.REUSE_FORMAT: _named(kit)}).encode()
        extra, comment = {
            "no-keys": (b"", b""),
            "deep-keys": (_field(b"[" * 60_000), b""),
            "cut-field": (_field(keys)[:-10], b""),
            "not-json": (_field(b"\xff{"), b""),
            "old-comment": (b"", keys),
        }[damage]
        with zipfile.ZipFile(target, "a") as zf:
            zf.getinfo(MANIFEST).extra = extra
            zf.comment = comment  # (also has zipfile write the directory again)
        assert kits.KeptMembers.of(target.read_bytes()) is not None
    assert standins.kit(project) == kit
    assert len(made) == len(_named(kit))


def test_a_member_altered_in_the_previous_kit_is_made_again(project: Path, made: list[str]) -> None:
    """A member whose bytes no longer match the zip's CRC is not copied."""
    target = project / "build" / ZIP
    kit = target.read_bytes()
    with zipfile.ZipFile(io.BytesIO(kit)) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".pdf"))
        info = zf.getinfo(name)
        data = zf.read(name)
    assert info.compress_type == zipfile.ZIP_STORED
    start = kit.index(data)
    spoiled = bytearray(kit)
    spoiled[start + len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(spoiled))
    assert standins.kit(project) == kit
    assert made == ["pdf"]


def test_a_previous_kit_as_written_is_copied_from_without_computing_crcs(
    project: Path, made: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kit the last build wrote (size and mtime as recorded) is trusted as the no-change
    path trusts every output: its members' CRCs are taken from its headers. Once its mtime
    moves, every copied member's CRC is computed again."""
    checked_calls: list[bool] = []
    of = kits.KeptMembers.of

    def spying(data: Archive, checked: bool = True) -> kits.KeptMembers | None:
        checked_calls.append(checked)
        return of(data, checked=checked)

    monkeypatch.setattr(kits.KeptMembers, "of", spying)
    path = project / "plays" / "competitors" / "acme.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Large installed base", "Largest installed base"))
    target = project / "build" / ZIP
    kit = standins.kit(project)
    assert checked_calls == [False]
    assert 0 < len(made) < len(_named(kit))
    # the same kit, touched: its members are checked before they are copied
    checked_calls.clear()
    made.clear()
    path.write_text(text.replace("Large installed base", "Larger installed base"))
    info = target.stat()
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
    assert standins.kit(project) != kit
    assert checked_calls == [True]
    assert 0 < len(made) < len(_named(kit))


def _previous(extra: dict[str, bytes], comment: bytes = b"") -> kits.Previous:
    members = [(MANIFEST, b"{}"), (f"{PARTNER}/a.pdf", b"%PDF one")]
    return kits.Previous(
        deterministic_zip(members, date=dt.date(2026, 11, 23), comment=comment, central_extra=extra)
    )


def test_the_keys_are_read_from_the_manifests_field_alone() -> None:
    """Read from the manifest's record of the kit's own folder; the same keys in a zip
    comment (a kit of an older salesplay) or on another member's record are none."""
    keys = {f"{PARTNER}/a.pdf": "0" * 32}
    data = json.dumps({kits.REUSE_FORMAT: keys}).encode()
    reuse = kits._Reuse(_previous({MANIFEST: _field(data)}), PARTNER)
    assert reuse.old == keys and reuse.kept is not None
    assert kits._Reuse(_previous({MANIFEST: _field(data)}), "other").kept is None
    assert kits._Reuse(_previous({}, comment=data), PARTNER).kept is None
    assert kits._Reuse(_previous({f"{PARTNER}/a.pdf": _field(data)}), PARTNER).kept is None


def test_a_kit_too_large_to_name_its_members_has_no_keys() -> None:
    reuse = kits._Reuse(None, PARTNER)
    reuse.keys = {f"{PARTNER}/for-your-team/cards/{n:05}.pdf": "0" * 32 for n in range(10)}
    (field,) = reuse.central_extra().values()
    assert find_extra_field(field, kits.KEYS_FIELD) is not None
    reuse.keys = {f"{PARTNER}/for-your-team/cards/{n:05}.pdf": "0" * 32 for n in range(1500)}
    assert reuse.central_extra() == {}  # its members are made again next time

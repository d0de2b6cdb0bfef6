"""A replaced output's file is kept as its spare and written over by its next version, never
while another name or another process still holds it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from salesplay import spares
from salesplay.engine.units import Unit
from salesplay.outputs import Journal, commit_file, stage_file
from salesplay.write import remove_output

pytestmark = pytest.mark.skipif(not spares.SUPPORTED, reason="no file leases here")

REL = "kits/acme.zip"
BIG = spares.MIN_BYTES


def _bytes(seed: str, size: int) -> bytes:
    """`size` bytes, different for each seed."""
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def _build(out: Path, data: bytes, rel: str = REL) -> None:
    """What a build does with one output: stage it, commit it through the journal, release."""
    journal = Journal(out)
    journal.commit(rel, stage_file(out, Unit(rel, "kits", "key"), data).decode("ascii"))
    journal.release()


def _spare(out: Path, rel: str = REL) -> Path:
    return out / spares.POOL / spares.spare_name(rel)


def test_an_output_is_written_over_the_file_it_held_before_its_last_replacement(
    tmp_path: Path,
) -> None:
    out = tmp_path / "build"
    one, two = _bytes("one", BIG + 5000), _bytes("two", BIG + 7000)
    _build(out, one)
    first = (out / REL).stat().st_ino
    assert not _spare(out).exists()  # nothing replaced yet
    _build(out, two)
    second = (out / REL).stat().st_ino
    assert _spare(out).stat().st_ino == first
    assert _spare(out).read_bytes() == one
    # shorter than the spare, then longer: the bytes are the new ones exactly
    three, four = _bytes("three", BIG + 10), _bytes("four", 2 * BIG)
    _build(out, three)
    assert (out / REL).read_bytes() == three
    assert (out / REL).stat().st_ino == first
    assert oct((out / REL).stat().st_mode & 0o777) == oct(0o644 & ~_umask())
    _build(out, four)
    assert (out / REL).read_bytes() == four
    assert (out / REL).stat().st_ino == second
    assert _spare(out).read_bytes() == three
    # no temporary file left beside the output
    assert sorted(p.name for p in (out / "kits").iterdir()) == ["acme.zip"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_small_output_keeps_no_spare(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _build(out, _bytes("one", BIG - 1))
    _build(out, _bytes("two", BIG - 1))
    assert not _spare(out).exists()
    assert not any((out / spares.POOL).glob("*")) if (out / spares.POOL).exists() else True


def test_an_unchanged_output_is_neither_written_nor_its_spare_used(tmp_path: Path) -> None:
    out = tmp_path / "build"
    one, two = _bytes("one", BIG), _bytes("two", BIG)
    _build(out, one)
    _build(out, two)
    before = _spare(out).stat().st_ino
    _build(out, two)
    assert _spare(out).stat().st_ino == before
    assert _spare(out).read_bytes() == one


def test_a_file_linked_elsewhere_is_never_written_over(tmp_path: Path) -> None:
    """A hard link to a kit (shared from another folder) keeps the bytes it had."""
    out = tmp_path / "build"
    one, two, three = _bytes("one", BIG), _bytes("two", BIG), _bytes("three", BIG)
    _build(out, one)
    shared = tmp_path / "shared.zip"
    os.link(out / REL, shared)  # linked before the kit is replaced: never made a spare
    _build(out, two)
    assert not _spare(out).exists()
    assert shared.read_bytes() == one
    # linked once it is a spare: not written, the output gets a new file
    _build(out, three)
    other = tmp_path / "other.zip"
    os.link(_spare(out), other)
    _build(out, _bytes("four", BIG))
    assert other.read_bytes() == two
    assert (out / REL).read_bytes() == _bytes("four", BIG)
    assert (out / REL).stat().st_ino != other.stat().st_ino
    assert shared.read_bytes() == one


def test_a_file_another_process_has_open_is_never_written_over(tmp_path: Path) -> None:
    """An old kit still being read (downloaded, mapped) keeps its bytes for its reader."""
    out = tmp_path / "build"
    one, two, three = _bytes("one", BIG), _bytes("two", BIG), _bytes("three", BIG)
    _build(out, one)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import hashlib, sys\n"
            f"f = open({str(out / REL)!r}, 'rb')\n"
            "print('open', flush=True)\n"
            "sys.stdin.readline()\n"
            "print(hashlib.sha256(f.read()).hexdigest(), flush=True)\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None and reader.stdin is not None
    try:
        assert reader.stdout.readline().strip() == "open"
        _build(out, two)  # the file the reader has open is now the spare
        assert _spare(out).exists()
        _build(out, three)
        reader.stdin.write("\n")
        reader.stdin.flush()
        read = reader.stdout.readline().strip()
    finally:
        reader.kill()
        reader.wait()
    assert read == hashlib.sha256(one).hexdigest()
    assert (out / REL).read_bytes() == three


def test_a_link_in_the_pool_is_never_followed(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _build(out, _bytes("one", BIG))
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / spares.POOL).mkdir(parents=True)
    _spare(out).symlink_to(victim)
    _build(out, _bytes("two", BIG))
    assert victim.read_text() == "keep me"
    assert (out / REL).read_bytes() == _bytes("two", BIG)
    assert not (out / REL).is_symlink()


def test_a_linked_pool_folder_is_never_used(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _build(out, _bytes("one", BIG))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / ".salesplay").mkdir(exist_ok=True)
    (out / spares.POOL).symlink_to(elsewhere, target_is_directory=True)
    _build(out, _bytes("two", BIG))
    _build(out, _bytes("three", BIG))
    assert list(elsewhere.iterdir()) == []
    assert (out / REL).read_bytes() == _bytes("three", BIG)


def test_a_removed_output_takes_its_spare_with_it(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _build(out, _bytes("one", BIG))
    _build(out, _bytes("two", BIG))
    assert _spare(out).exists()
    assert remove_output(out, REL)
    assert not _spare(out).exists()


def test_a_staged_spare_that_is_never_committed_is_swept(tmp_path: Path) -> None:
    """A build stopped between staging and committing: the spare it wrote into is a
    temporary file beside the output, removed like any other."""
    out = tmp_path / "build"
    _build(out, _bytes("one", BIG))
    _build(out, _bytes("two", BIG))
    temp = stage_file(out, Unit(REL, "kits", "key"), _bytes("three", BIG)).decode("ascii")
    assert (out / "kits" / temp).exists() and not _spare(out).exists()
    from salesplay.write import discard_staged

    discard_staged(out, REL, temp)
    assert sorted(p.name for p in (out / "kits").iterdir()) == ["acme.zip"]
    assert (out / REL).read_bytes() == _bytes("two", BIG)
    assert not commit_file(out, REL, "")


def test_an_edited_partner_play_writes_each_kit_over_its_version_before_last(
    tmp_path: Path,
) -> None:
    """Three builds of a project whose kits change each time: the third writes each kit
    over the file the first made, and what it makes is what a clean build makes."""
    from conftest import MINIMAL
    from test_incremental import build, tree

    shutil.copytree(MINIMAL, tmp_path / "plays")
    out, play = tmp_path / "build", tmp_path / "plays/plays/backup-modernization.yaml"
    build(tmp_path, out)
    kit = out / "kits/blue-river.zip"
    assert kit.stat().st_size >= BIG  # else this test shows nothing
    first = kit.stat().st_ino
    play.write_text(play.read_text().replace("off-site copies.", "off-site copies, tested."))
    build(tmp_path, out)
    play.write_text(play.read_text().replace("copies, tested.", "copies, tested weekly."))
    build(tmp_path, out)
    assert kit.stat().st_ino == first
    clean = tmp_path / "clean"
    build(tmp_path, clean, clean=True)
    assert tree(out) == tree(clean)

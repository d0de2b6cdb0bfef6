"""A replaced output's file is kept as its spare until the output's next version is written,
then removed just before, never changed: whoever still holds it keeps its bytes."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL
from salesplay import spares
from salesplay.engine.units import Unit
from salesplay.outputs import Journal, prune, stage_file
from salesplay.write import remove_output
from test_incremental import build, tree

REL = "kits/acme.zip"
BIG = spares.MIN_BYTES


def _bytes(seed: str, size: int = BIG) -> bytes:
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


def _pool(out: Path) -> list[str]:
    folder = out / spares.POOL
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_the_file_an_output_replaced_is_kept_until_its_next_version_is_written(
    tmp_path: Path,
) -> None:
    out = tmp_path / "build"
    one, two, three = _bytes("one", BIG + 5000), _bytes("two", BIG + 7000), _bytes("three")
    _build(out, one)
    first = (out / REL).stat().st_ino
    assert _pool(out) == []  # nothing replaced yet
    _build(out, two)
    assert _spare(out).stat().st_ino == first
    assert _spare(out).read_bytes() == one
    assert _pool(out) == [spares.spare_name(REL)]
    # a link to the spare stands for whoever still holds the old file: it keeps its bytes
    held = tmp_path / "held.zip"
    os.link(_spare(out), held)
    _build(out, three)
    assert (out / REL).read_bytes() == three
    assert held.read_bytes() == one and held.stat().st_nlink == 1  # the spare's name went
    assert _spare(out).read_bytes() == two
    assert sorted(p.name for p in (out / "kits").iterdir()) == ["acme.zip"]


def test_a_spare_is_removed_before_its_output_is_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spare's pages are freed before the new file asks for pages, not after."""
    out = tmp_path / "build"
    _build(out, _bytes("one"))
    _build(out, _bytes("two"))
    seen: list[bool] = []
    import salesplay.write as write

    real = write._write_new

    def spy(dir_fd: int, tmp: str, data: bytes, **options: bool) -> None:
        seen.append(_spare(out).exists())
        real(dir_fd, tmp, data, **options)

    monkeypatch.setattr(write, "_write_new", spy)
    _build(out, _bytes("three"))
    assert seen == [False]
    assert _spare(out).read_bytes() == _bytes("two")


def test_a_small_output_keeps_no_spare(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _build(out, _bytes("one", BIG - 1))
    _build(out, _bytes("two", BIG - 1))
    assert _pool(out) == []
    # nor one that shrank below the line: its old large file goes (probe round 18)
    _build(out, _bytes("three", 2 * BIG))
    _build(out, _bytes("four", BIG - 1))
    assert _pool(out) == []


def test_an_unchanged_output_leaves_its_spare_as_it_is(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _build(out, _bytes("one"))
    _build(out, _bytes("two"))
    _build(out, _bytes("two"))
    assert _spare(out).read_bytes() == _bytes("one")


def test_an_old_file_another_process_reads_keeps_its_bytes(tmp_path: Path) -> None:
    """An old kit still being read (downloaded, mapped) is never changed under its reader."""
    out = tmp_path / "build"
    one = _bytes("one")
    _build(out, one)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import hashlib, mmap, sys\n"
            f"f = open({str(out / REL)!r}, 'rb')\n"
            "m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)\n"
            "print('open', flush=True)\n"
            "sys.stdin.readline()\n"
            "print(hashlib.sha256(f.read()).hexdigest(), hashlib.sha256(m[:]).hexdigest(),"
            " flush=True)\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None and reader.stdin is not None
    try:
        assert reader.stdout.readline().strip() == "open"
        _build(out, _bytes("two"))  # the file the reader has open is now the spare
        _build(out, _bytes("three"))  # and now gone
        reader.stdin.write("\n")
        reader.stdin.flush()
        read = reader.stdout.readline().split()
    finally:
        reader.kill()
        reader.wait()
    assert read == [hashlib.sha256(one).hexdigest()] * 2
    assert (out / REL).read_bytes() == _bytes("three")


def test_a_link_in_the_pool_is_removed_never_followed(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _build(out, _bytes("one"))
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / spares.POOL).mkdir(parents=True)
    _spare(out).symlink_to(victim)
    _build(out, _bytes("two"))
    assert victim.read_text() == "keep me"
    assert (out / REL).read_bytes() == _bytes("two")
    assert not _spare(out).is_symlink() and _spare(out).read_bytes() == _bytes("one")


def test_a_folder_or_fifo_in_the_pool_never_stops_a_build(tmp_path: Path) -> None:
    """Whatever sits at a spare's name is only ever unlinked: a FIFO is never opened (it
    would block), a folder is never moved beside the outputs."""
    out = tmp_path / "build"
    other = "kits/other.zip"
    _build(out, _bytes("one"))
    _build(out, _bytes("x1"), other)
    (out / spares.POOL).mkdir(parents=True)
    os.mkfifo(_spare(out))
    (_spare(out, other) / "inner").mkdir(parents=True)
    _build(out, _bytes("two"))
    _build(out, _bytes("x2"), other)
    assert (out / REL).read_bytes() == _bytes("two")
    assert (out / other).read_bytes() == _bytes("x2")
    assert sorted(p.name for p in (out / "kits").iterdir()) == ["acme.zip", "other.zip"]
    assert _spare(out).read_bytes() == _bytes("one")  # the FIFO's name taken by the spare


def test_a_linked_pool_folder_is_never_used(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _build(out, _bytes("one"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / ".salesplay").mkdir(exist_ok=True)
    (out / spares.POOL).symlink_to(elsewhere, target_is_directory=True)
    _build(out, _bytes("two"))
    _build(out, _bytes("three"))
    assert list(elsewhere.iterdir()) == []
    assert (out / REL).read_bytes() == _bytes("three")
    assert sorted(p.name for p in (out / "kits").iterdir()) == ["acme.zip"]


def test_a_removed_output_takes_its_spare_with_it(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _build(out, _bytes("one"))
    _build(out, _bytes("two"))
    assert remove_output(out, REL)
    assert _pool(out) == []
    # its file deleted by hand first: pruning it still takes the spare (probe round 17)
    _build(out, _bytes("one"))
    _build(out, _bytes("two"))
    (out / REL).unlink()
    prune(out, {}, lambda _family: True, {REL: frozenset({"kits"})})
    assert _pool(out) == []
    # its whole folder deleted by hand first (a dropped language's de/kits/): the same
    rel = "de/kits/acme.zip"
    _build(out, _bytes("one"), rel)
    _build(out, _bytes("two"), rel)
    assert _spare(out, rel).exists()
    shutil.rmtree(out / "de")
    prune(out, {}, lambda _family: True, {rel: frozenset({"kits"})})
    assert _pool(out) == []


def test_an_edited_partner_play_keeps_one_spare_per_kit_and_makes_what_a_clean_build_makes(
    tmp_path: Path,
) -> None:
    shutil.copytree(MINIMAL, tmp_path / "plays")
    out, play = tmp_path / "build", tmp_path / "plays/plays/backup-modernization.yaml"
    build(tmp_path, out)
    kit = out / "kits/blue-river.zip"
    assert kit.stat().st_size >= BIG  # else this test shows nothing
    first = kit.read_bytes()
    play.write_text(play.read_text().replace("off-site copies.", "off-site copies, tested."))
    build(tmp_path, out)
    spare = _spare(out, "kits/blue-river.zip")
    assert spare.read_bytes() == first
    play.write_text(play.read_text().replace("copies, tested.", "copies, tested weekly."))
    build(tmp_path, out)
    assert spare.read_bytes() != first  # the second version's file now
    big = [p for p in out.rglob("*") if p.is_file() and ".salesplay" not in p.parts]
    assert len(_pool(out)) <= sum(1 for p in big if p.stat().st_size >= BIG)
    clean = tmp_path / "clean"
    build(tmp_path, clean, clean=True)
    assert tree(out) == tree(clean)


def test_a_stages_spares_are_freed_a_few_outputs_ahead_of_those_made(tmp_path: Path) -> None:
    import time

    from salesplay.outputs import FreedAhead

    out = tmp_path / "build"
    rels = [f"kits/p{n}.zip" for n in range(6)]
    for rel in rels:
        _build(out, _bytes(rel), rel)
        _build(out, _bytes(rel + "2"), rel)
    assert len(_pool(out)) == 6

    def settled(left: int) -> bool:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(_pool(out)) != left:
            time.sleep(0.01)
        time.sleep(0.05)  # and no further
        return len(_pool(out)) == left

    freed = FreedAhead(out, rels, ahead=2)
    try:
        assert settled(4)
        assert not _spare(out, rels[0]).exists() and _spare(out, rels[2]).exists()
        freed.made()
        assert settled(3)
        assert not _spare(out, rels[2]).exists() and _spare(out, rels[3]).exists()
    finally:
        freed.stop()
    freed.made()  # stopped: nothing more goes
    assert settled(3)


def test_a_large_file_a_commit_replaces_is_its_spare_at_once_and_put_back_on_undo(
    tmp_path: Path,
) -> None:
    """The backup a build keeps of a kit it replaces is the spare it will leave: linked into
    the pool at the commit, so letting go of it moves nothing; a fault puts it back."""
    out = tmp_path / "build"
    _build(out, _bytes("one"))
    _build(out, _bytes("two"))
    assert _spare(out).read_bytes() == _bytes("one")
    journal = Journal(out)
    unit = Unit(REL, "kits", "key")
    journal.commit(REL, stage_file(out, unit, _bytes("three")).decode("ascii"))
    # committed, not released: the old kit is its spare already (the one before it gone)
    assert (out / REL).read_bytes() == _bytes("three")
    assert _spare(out).read_bytes() == _bytes("two")
    assert sorted(p.name for p in (out / "kits").iterdir()) == ["acme.zip"]  # none beside
    journal.undo()
    assert (out / REL).read_bytes() == _bytes("two")
    assert sorted(p.name for p in (out / "kits").iterdir()) == ["acme.zip"]
    journal = Journal(out)
    journal.commit(REL, stage_file(out, unit, _bytes("four")).decode("ascii"))
    journal.release()
    assert _spare(out).read_bytes() == _bytes("two")
    assert (out / REL).read_bytes() == _bytes("four")


def test_a_small_file_a_commit_replaces_is_kept_beside_and_put_back_on_undo(
    tmp_path: Path,
) -> None:
    out = tmp_path / "build"
    _build(out, _bytes("one", BIG - 1))
    journal = Journal(out)
    unit = Unit(REL, "kits", "key")
    journal.commit(REL, stage_file(out, unit, _bytes("two", BIG - 1)).decode("ascii"))
    assert _pool(out) == []
    assert len(list((out / "kits").iterdir())) == 2  # the old file under a second name
    journal.undo()
    assert (out / REL).read_bytes() == _bytes("one", BIG - 1)
    assert sorted(p.name for p in (out / "kits").iterdir()) == ["acme.zip"]

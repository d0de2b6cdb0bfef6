"""The kits' cache of band fonts and co-brand deck bases: used when sound, remade when not.

A kit remade from the cache is byte-identical to one made without it; a damaged cache file
costs time, never a crash or a different kit; the build's cache sweep keeps what is in use.
"""

from __future__ import annotations

import functools
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import run_cli
from salesplay import cachefiles, cobrand, kits
from salesplay.families import kits as family
from salesplay.render import fonts, stamp
from salesplay.render.band import BandFonts
from test_kits import AS_OF, one_kit  # noqa: F401  (one_kit: a session fixture)

PARTNER = "blue-river"
ZIP = f"kits/{PARTNER}.zip"


def _blobs(build: Path) -> dict[str, bytes]:
    """The blob cache files of a build: name → bytes."""
    folder = build / family.CACHE
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.blobs"))}


@pytest.fixture
def again(one_kit: Path, tmp_path: Path) -> Path:  # noqa: F811
    """A copy of the one-kit project (catalog and build) whose kit must be made again."""
    shutil.copytree(one_kit.parent, tmp_path / "p", symlinks=True)
    (tmp_path / "p" / "build" / ZIP).unlink()
    return tmp_path / "p"


def _kit(project: Path) -> bytes:
    done = run_cli("kit", PARTNER, "--as-of", AS_OF, "--jobs", "1", cwd=project)
    assert done.code == 0, done.stderr
    return (project / "build" / ZIP).read_bytes()


def test_a_kit_from_the_cache_is_the_kit_made_without_it(
    again: Path,
    one_kit: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cached = _blobs(again / "build")
    # two band fonts, and a base per deck of the kit: all kept by the first (clean) build
    assert len(cached) > 2
    stale = again / "build" / family.CACHE / ("0" * 64 + ".blobs")
    stale.write_bytes(b"from an older build")

    def refuse(*_args: object, **_kw: object) -> object:
        raise AssertionError("made again although it is cached")

    monkeypatch.setattr(fonts, "cut", refuse)
    monkeypatch.setattr(cobrand, "prepare", refuse)
    assert _kit(again) == (one_kit / ZIP).read_bytes()
    # the sweep keeps the entries in use and removes the others
    assert _blobs(again / "build") == cached
    assert not stale.exists()


def _files(build: Path) -> dict[str, bytes]:
    """Every cache file of a build: blobs, and the members the kits stamp (cards, briefs,
    competitor cards, decks), each kept with its digest too."""
    folder = build / family.CACHE
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix != ".pages"}


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "swapped"])
def test_a_damaged_cache_is_made_again_to_the_same_kit(
    again: Path,
    one_kit: Path,  # noqa: F811
    damage: str,
) -> None:
    """A truncated member (a card the kit stamps) stopped every later build with the PDF
    library's error; every cache file is checked now, the members too."""
    build = again / "build"
    cached = _files(build)
    assert {Path(n).suffix for n in cached} >= {".blobs", ".pdf", ".pptx"}
    names = sorted(cached)
    for i, name in enumerate(names):
        path = build / family.CACHE / name
        data = cached[name]
        path.write_bytes(
            {
                "truncated": data[: len(data) // 2],
                "flipped": data[:-1] + bytes([data[-1] ^ 1]),
                "garbage": b"\x80\x04\x95 not a pickle, not json",
                # a sound entry of another name: its digest names the file it was made for
                "swapped": cached[names[(i + 1) % len(names)]],
            }[damage]
        )
    assert _kit(again) == (one_kit / ZIP).read_bytes()
    assert _files(build) == cached  # remade, and kept again


def test_blobs_are_refused_unless_whole_and_for_their_name(tmp_path: Path) -> None:
    name = f"{family.CACHE}/{'a' * 64}.blobs"
    cachefiles.store_blobs(tmp_path, name, [b"one", b"", b"three"])
    assert family._cached_blobs(tmp_path, name) == [b"one", b"", b"three"]
    path = tmp_path / name
    data = path.read_bytes()
    other = f"{family.CACHE}/{'b' * 64}.blobs"
    (tmp_path / other).write_bytes(data)
    assert family._cached_blobs(tmp_path, other) is None
    for bad in (data[:-1], data + b"x", data.replace(b"three", b"thr3e"), b"", b"{}"):
        path.write_bytes(bad)
        assert family._cached_blobs(tmp_path, name) is None
    assert family._cached_blobs(tmp_path, f"{family.CACHE}/missing.blobs") is None


def test_font_memo_gives_the_fonts_a_fresh_load_gives() -> None:
    kept: dict[tuple[object, ...], list[bytes]] = {}

    def memo(parts: tuple[object, ...], make: object) -> list[bytes]:
        assert callable(make)
        return kept.setdefault(parts, make())

    first = BandFonts.load_warmed(memo)
    assert list(kept) == BandFonts.memo_parts()

    def never(parts: tuple[object, ...], _make: object) -> list[bytes]:
        return kept[parts]

    second = BandFonts.load_warmed(never)
    for a, b in ((first.regular, second.regular), (first.bold, second.bold)):
        assert (a.data, a.gids, a.advance, a.bbox, a.ps_name) == (
            b.data,
            b.gids,
            b.advance,
            b.bbox,
            b.ps_name,
        )
        assert a._subsets == b._subsets and a._subsets
    # a kept subset that is not of the expected glyphs is made again, not used
    subset = first.regular.warm()
    font = fonts.SubsetFont.of_cut(first.regular.data, "R", common=first.regular.common)
    assert font.warm(first.bold.warm()) == subset
    with pytest.raises(ValueError):
        fonts.SubsetFont.of_cut(b"OTTO not a font", "R", common="abc")


def test_deck_base_load_refuses_what_dump_did_not_make() -> None:
    with pytest.raises(ValueError):
        cobrand.DeckBase.load([b"PK not a zip", b'{"slides": [], "media": "m", "box": [0,0,0,0]}'])
    with pytest.raises(ValueError):
        cobrand.DeckBase.load([b"only one"])


def test_cache_memo_remakes_a_missing_entry(tmp_path: Path) -> None:
    made: list[int] = []

    def make() -> list[bytes]:
        made.append(1)
        return [b"x"]

    from salesplay.cachefiles import store_blobs

    unkept: list[tuple[str, list[bytes]]] = []
    memo = functools.partial(family._memo, tmp_path, unkept)
    name = family._memo_name(("p", 1))
    assert memo(("p", 1), make) == [b"x"] and len(made) == 1
    # what it made waits for the kits' prepare, after the first stage: nothing written yet
    assert unkept == [(name, [b"x"])] and not (tmp_path / name).exists()
    store_blobs(tmp_path, *unkept[0])
    assert memo(("p", 1), make) == [b"x"] and len(made) == 1
    (tmp_path / name).write_bytes(b"")
    assert memo(("p", 1), make) == [b"x"] and len(made) == 2


def test_a_partner_edit_parses_only_the_members_it_changes(
    one_kit: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the partner's contact is on what its customers get alone (here: its pitch decks, which
    # are co-branded again); every other member is copied from the previous kit, and its
    # card is not parsed for stamping nor its deck's co-brand base read
    shutil.copytree(one_kit.parent, tmp_path / "p", symlinks=True)
    project = tmp_path / "p"
    partner = project / "plays" / "partners" / f"{PARTNER}.yaml"
    partner.write_text(partner.read_text().replace("dana@", "dana.ruiz@"))
    parsed: list[str] = []
    stamper_init, load = stamp.Stamper.__init__, cobrand.DeckBase.load.__func__

    def noting_stamper(self: stamp.Stamper, data: bytes) -> None:
        parsed.append("pdf")
        stamper_init(self, data)

    def noting_load(cls: type[cobrand.DeckBase], blobs: list[bytes]) -> cobrand.DeckBase:
        parsed.append("pptx")
        return load(cls, blobs)

    monkeypatch.setattr(stamp.Stamper, "__init__", noting_stamper)
    monkeypatch.setattr(cobrand.DeckBase, "load", classmethod(noting_load))
    before = _members((one_kit / ZIP).read_bytes())
    after = _members(_kit(project))
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert "manifest.json" in changed and all(
        name.startswith(f"{kits.CUSTOMERS}/") or name == "manifest.json" for name in changed
    ), changed
    restamped = sorted(n.rpartition(".")[2] for n in changed if n.endswith((".pdf", ".pptx")))
    assert restamped and sorted(parsed) == restamped


def _members(kit: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(kit)) as zf:
        return {i.filename.partition("/")[2]: zf.read(i) for i in zf.infolist()}


def _tree(build: Path) -> dict[str, bytes | None]:
    """Every file and folder of a build, .salesplay/ included (a folder as None)."""
    return {
        str(p.relative_to(build)): None if p.is_dir() else p.read_bytes()
        for p in sorted(build.rglob("*"))
    }


def test_a_clean_build_that_stops_before_writing_keeps_the_cache(
    one_kit: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """`build --clean` emptied the kit cache before planning: one that then stopped on a
    template fault said "nothing was written" and had deleted every cached card, deck, base
    and band. It is set aside instead, put back when the build stops, and dropped once the
    build writes."""
    project = tmp_path / "p"
    shutil.copytree(one_kit.parent, project, symlinks=True)
    build = project / "build"
    assert _files(build)  # a cache to keep
    before = _tree(build)
    (project / "templates").mkdir()
    (project / "templates/kit_index.html").write_text("{{ 1 // 0 }}\n", encoding="utf-8")
    args = ("build", "--clean", "--only", "kits", "--as-of", AS_OF, "--jobs", "1")
    done = run_cli(*args, cwd=project)
    assert done.code == 1
    assert "templates/kit_index.html:1: error: ZeroDivisionError" in done.stderr
    assert "nothing was written" in done.stderr
    assert _tree(build) == before
    # that a --clean build that writes drops the cache it set aside is the full-disk test's


def test_a_stopped_clean_build_puts_the_cache_back_before_it_unlocks(
    one_kit: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The kit cache a stopped --clean build set aside was put back after --out was
    unlocked: a build waiting for the lock (serve's, a second `make`) then planned without
    it, made a cache of its own, and the put-back failed over it: the set-aside cache was
    swept."""
    import fcntl
    import os

    from salesplay import build as build_module

    project = tmp_path / "p"
    shutil.copytree(one_kit.parent, project, symlinks=True)
    build = project / "build"
    real = build_module._put_back_cache
    locked: list[bool] = []

    def noting(out: Path) -> None:
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            locked.append(True)
        else:
            locked.append(False)  # another build could have taken --out meanwhile
        finally:
            os.close(fd)
        real(out)

    monkeypatch.setattr(build_module, "_put_back_cache", noting)
    (project / "templates").mkdir()
    (project / "templates/kit_index.html").write_text("{{ 1 // 0 }}\n", encoding="utf-8")
    args = ("build", "--clean", "--only", "kits", "--as-of", AS_OF, "--jobs", "1")
    done = run_cli(*args, cwd=project)
    assert done.code == 1 and "nothing was written" in done.stderr, done.stderr
    assert locked == [True]
    assert _files(build)


def test_a_clean_build_that_cannot_write_its_pages_keeps_the_cache(
    one_kit: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full disk while stage 0 is staged stops the build with "nothing was written" and
    build/ as it was: a --clean build had dropped the kit cache it set aside (and kept what
    its plan keeps) just before staging, so that every cached card, deck and band was gone."""
    import errno
    import os

    from salesplay import write

    project = tmp_path / "p"
    shutil.copytree(one_kit.parent, project, symlinks=True)
    build = project / "build"
    assert _files(build)  # a cache to keep
    before = _tree(build)

    def full(*_args: object, **_kw: object) -> object:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(write, "stage_output", full)
    args = ("build", "--clean", "--only", "site", "--as-of", AS_OF, "--jobs", "1")
    done = run_cli(*args, cwd=project)
    assert done.code == 1
    assert "build stopped: nothing was written" in done.stderr, done.stderr
    assert _tree(build) == before
    monkeypatch.undo()
    # and one that writes drops it, a stale file with it: only what the build made is kept
    stale = build / family.CACHE / ("0" * 64 + ".blobs")
    stale.write_bytes(b"from an older build")
    assert run_cli(*args, cwd=project).code == 0
    assert not stale.exists()
    assert not (build / family.CACHE).exists() or not _files(build)
    assert not any((build / ".salesplay/tmp").iterdir())

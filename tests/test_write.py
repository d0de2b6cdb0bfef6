"""Atomic writes, checksums, manifests, git revision and reproducible zips."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesplay.render.archive import deterministic_zip
from salesplay.write import (
    Manifest,
    git_revision,
    read_output,
    sha256_bytes,
    sha256_file,
    write_atomic,
    write_output,
)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_write_atomic_creates_parents_and_file(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "card.pdf"
    write_atomic(target, b"%PDF-1.7 new")
    assert target.read_bytes() == b"%PDF-1.7 new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert leftovers(target.parent) == []


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_write_atomic_failure_keeps_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "card.pdf"
    target.write_bytes(b"old content")

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new content that never lands")
    monkeypatch.undo()
    assert target.read_bytes() == b"old content"
    assert leftovers(tmp_path) == []
    assert [p.name for p in tmp_path.iterdir()] == ["card.pdf"]


def test_write_atomic_interrupted_write_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "index.html"
    target.write_bytes(b"old")
    real_fdopen = os.fdopen

    class Exploding(io.BufferedWriter):
        def write(self, data: object) -> int:
            raise KeyboardInterrupt  # even a non-Exception interruption cleans up

    def fdopen(fd: int, mode: str = "r", *a: object, **k: object) -> object:
        real_fdopen(fd, mode).close()
        return Exploding(io.BytesIO())

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_sha256_helpers_agree(tmp_path: Path) -> None:
    data = b"x" * (3 << 20)  # more than one read chunk
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert sha256_bytes(data) == expected
    assert sha256_file(path) == expected
    assert sha256_file(str(path)) == expected


def test_manifest_json_is_stable_and_sorted() -> None:
    members = [("blue-river/index.html", b"<html>"), ("blue-river/battlecards/a.pdf", b"%PDF")]
    manifest = Manifest.of(members, as_of=date(2026, 11, 1), revision="abc123")
    text = manifest.to_json().decode()
    assert text.endswith("}\n") and not text.endswith("\n\n")
    data = json.loads(text)
    assert data == {
        "as_of": "2026-11-01",
        "revision": "abc123",
        "files": {
            "blue-river/battlecards/a.pdf": sha256_bytes(b"%PDF"),
            "blue-river/index.html": sha256_bytes(b"<html>"),
        },
    }
    assert text.index('"as_of"') < text.index('"files"') < text.index('"revision"')
    assert text.index("battlecards/a.pdf") < text.index("index.html")
    assert '\n  "as_of"' in text  # indent 2
    assert Manifest.of(reversed(members), as_of=date(2026, 11, 1), revision="abc123").to_json() == (
        manifest.to_json()
    )
    assert json.loads(Manifest("2026-11-01", None, {}).to_json())["revision"] is None
    # the bytes are json's of the whole dataclass, as kits have always held them
    for made in (manifest, Manifest("2026-11-01", None, {})):
        want = json.dumps(dataclasses.asdict(made), sort_keys=True, indent=2) + "\n"
        assert made.to_json() == want.encode()


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_revision_clean_dirty_and_not_a_repo(tmp_path: Path) -> None:
    assert git_revision(tmp_path) is None
    repo = tmp_path / "repo"
    catalog = repo / "plays"
    catalog.mkdir(parents=True)
    (catalog / "catalog.yaml").write_text("company: {name: X}\n")
    (repo / "README.md").write_text("readme\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "init")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert git_revision(catalog) == head
    (repo / "README.md").write_text("changed outside the catalog\n")
    assert git_revision(catalog) == head  # only the catalog's own changes count
    (catalog / "new-play.yaml").write_text("name: new\n")
    assert git_revision(catalog) == f"{head}-dirty"
    (catalog / "new-play.yaml").unlink()
    (catalog / "catalog.yaml").write_text("company: {name: Y}\n")
    assert git_revision(catalog) == f"{head}-dirty"


def test_git_revision_without_git_or_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert git_revision(tmp_path / "does-not-exist") is None
    monkeypatch.setenv("PATH", str(tmp_path))
    assert git_revision(tmp_path) is None


MEMBERS = [
    ("kit/index.html", b"<html>" + b"hello " * 200),
    ("kit/battlecards/b.pdf", b"%PDF-1.7" + bytes(range(256)) * 20),
    ("kit/battlecards/a.pdf", b"%PDF-1.7 a"),
    ("kit/decks/pitch.pptx", b"PK fake pptx"),
    ("kit/manifest.json", b"{}\n"),
]


def test_zip_is_deterministic_sorted_and_fixed() -> None:
    data = deterministic_zip(MEMBERS, date=date(2026, 11, 1))
    assert deterministic_zip(list(reversed(MEMBERS)), date=date(2026, 11, 1)) == data
    assert deterministic_zip(MEMBERS, date=date(2026, 11, 2)) != data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == sorted(name for name, _ in MEMBERS)
        for info in infos:
            assert info.date_time == (2026, 11, 1, 0, 0, 0)
            assert stat.S_IMODE(info.external_attr >> 16) == 0o644
            assert stat.S_ISREG(info.external_attr >> 16)
            assert archive.read(info) == dict(MEMBERS)[info.filename]
        kinds = {i.filename: i.compress_type for i in infos}
    assert kinds["kit/battlecards/a.pdf"] == zipfile.ZIP_STORED
    assert kinds["kit/decks/pitch.pptx"] == zipfile.ZIP_STORED
    assert kinds["kit/index.html"] == zipfile.ZIP_DEFLATED
    assert kinds["kit/manifest.json"] == zipfile.ZIP_DEFLATED


@pytest.mark.parametrize(
    "name",
    [
        "/etc/passwd",
        "../evil.pdf",
        "kit/../../evil.pdf",
        "kit/..",
        "kit\\evil.pdf",
        "C:/evil.pdf",
        "kit//a.pdf",
        "kit/./a.pdf",
        "",
        "kit/a\x00.pdf",
    ],
)
def test_zip_refuses_unsafe_paths(name: str) -> None:
    with pytest.raises(ValueError, match="unsafe archive path"):
        deterministic_zip([(name, b"x")], date=date(2026, 11, 1))


def test_zip_refuses_duplicates() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        deterministic_zip([("a.txt", b"1"), ("a.txt", b"2")], date=date(2026, 11, 1))


def test_zip_before_1980_is_clamped() -> None:
    data = deterministic_zip([("a.txt", b"1")], date=date(1970, 1, 1))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.infolist()[0].date_time[0] == 1980


SEGMENT = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=8
).filter(lambda s: s not in (".", ".."))


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.lists(SEGMENT, min_size=1, max_size=3).map("/".join),
        st.binary(max_size=64),
        max_size=6,
    )
)
def test_zip_round_trips_any_safe_members(files: dict[str, bytes]) -> None:
    data = deterministic_zip(list(files.items()), date=date(2026, 1, 31))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.filename: archive.read(i) for i in archive.infolist()} == files
    assert deterministic_zip(sorted(files.items(), reverse=True), date=date(2026, 1, 31)) == data


def test_read_output_reads_the_whole_file_up_to_its_limit(tmp_path: Path) -> None:
    (tmp_path / "kits").mkdir()
    (tmp_path / "kits" / "a.zip").write_bytes(b"x" * 1000)
    assert read_output(tmp_path, "kits/a.zip", limit=1000) == b"x" * 1000
    with pytest.raises(ValueError, match="larger than 999 bytes"):
        read_output(tmp_path, "kits/a.zip", limit=999)
    (tmp_path / "kits" / "b.zip").symlink_to(tmp_path / "kits" / "a.zip")
    with pytest.raises(OSError):
        read_output(tmp_path, "kits/b.zip")


@pytest.mark.parametrize("durable", [True, False])
def test_a_cache_write_need_not_wait_for_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool
) -> None:
    synced: list[int] = []
    real = os.fsync

    def noting(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", noting)
    assert write_output(tmp_path, "cache/x.blobs", b"one", durable=durable)
    # the file, then the folder holding its new name; nothing for a cache entry
    assert len(synced) == (2 if durable else 0)
    assert (tmp_path / "cache/x.blobs").read_bytes() == b"one"
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name != "x.blobs"]


def test_a_staged_output_appears_whole_when_committed(tmp_path: Path) -> None:
    from salesplay.write import commit_output, discard_staged, stage_output

    write_output(tmp_path, "kits/a.zip", b"old")
    assert stage_output(tmp_path, "kits/a.zip", b"old") is None  # unchanged: nothing staged
    temp = stage_output(tmp_path, "kits/a.zip", b"new")
    assert temp is not None
    # staged beside it, under a temporary name; the output is still the old file
    assert (tmp_path / "kits/a.zip").read_bytes() == b"old"
    assert stat.S_IMODE((tmp_path / "kits" / temp).stat().st_mode) == 0o600
    commit_output(tmp_path, "kits/a.zip", temp)
    assert (tmp_path / "kits/a.zip").read_bytes() == b"new"
    assert stat.S_IMODE((tmp_path / "kits/a.zip").stat().st_mode) == 0o644
    assert sorted(p.name for p in (tmp_path / "kits").iterdir()) == ["a.zip"]
    # a staged file that is not committed is removed; a name that is no staged file is refused
    other = stage_output(tmp_path, "kits/a.zip", b"newer")
    assert other is not None
    discard_staged(tmp_path, "kits/a.zip", other)
    assert sorted(p.name for p in (tmp_path / "kits").iterdir()) == ["a.zip"]
    with pytest.raises(ValueError, match="not a staged file"):
        commit_output(tmp_path, "kits/a.zip", "../a.zip")


def test_a_large_staged_output_starts_to_the_disk_when_staged_and_is_synced_when_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salesplay import write
    from salesplay.write import EARLY_WRITEBACK, commit_output, stage_output

    started: list[int] = []  # the inode of each file whose writeback was started
    synced: list[int] = []
    real_fsync = os.fsync

    def start(fd: int) -> None:
        started.append(os.fstat(fd).st_ino)

    def fsync(fd: int) -> None:
        synced.append(os.fstat(fd).st_ino)
        real_fsync(fd)

    monkeypatch.setattr(write, "start_writeback", start)
    monkeypatch.setattr(write.os, "fsync", fsync)
    large, small = b"k" * EARLY_WRITEBACK, b"page"
    temps = {rel: stage_output(tmp_path, rel, data) for rel, data in
             (("kits/a.zip", large), ("site/a.html", small))}  # fmt: skip
    inodes = {rel: (tmp_path / rel).parent.joinpath(str(t)).stat().st_ino
              for rel, t in temps.items()}  # fmt: skip
    # the kit's pages start on their way as it is staged; a page's few bytes wait for its sync
    assert started == [inodes["kits/a.zip"]]
    for rel, temp in temps.items():
        assert temp is not None
        commit_output(tmp_path, rel, temp)
    # the hint changes no promise: each file is still synced before it takes its name
    assert set(inodes.values()) <= set(synced)
    assert (tmp_path / "kits/a.zip").read_bytes() == large


def test_starting_a_writeback_is_a_hint_that_never_fails(tmp_path: Path) -> None:
    from salesplay.write import start_writeback

    path = tmp_path / "kit.zip"
    with path.open("wb") as out:
        out.write(b"x" * 100_000)
        out.flush()
        start_writeback(out.fileno())
    assert path.read_bytes() == b"x" * 100_000
    fd = os.open(tmp_path, os.O_RDONLY)
    os.close(fd)
    start_writeback(fd)  # a closed descriptor: refused by the kernel, and nothing said


def test_an_output_of_the_same_size_is_compared_end_first_then_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salesplay import write
    from salesplay.write import TAIL, stage_output

    old = bytes(range(256)) * (TAIL // 64)  # four times TAIL
    write_output(tmp_path, "kits/a.zip", old)
    reads: list[int] = []
    pread = os.pread

    def counting(fd: int, size: int, offset: int) -> bytes:
        reads.append(size)
        return pread(fd, size, offset)

    monkeypatch.setattr(write.os, "pread", counting)
    assert stage_output(tmp_path, "kits/a.zip", old) is None  # the same: nothing staged
    for at in (len(old) - 1, 10):  # a byte changed in the end, then before it
        changed = bytearray(old)
        changed[at] ^= 0xFF
        temp = stage_output(tmp_path, "kits/a.zip", bytes(changed))
        assert temp is not None
        write.discard_staged(tmp_path, "kits/a.zip", temp)
    assert reads == [TAIL] * 3  # only the end is read apart


def test_staging_through_a_link_is_refused(tmp_path: Path) -> None:
    from salesplay.write import UnsafeTarget, stage_output

    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "kits").symlink_to(outside)
    with pytest.raises(UnsafeTarget):
        stage_output(tmp_path / "out", "kits/a.zip", b"x")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(
    ("umask", "files", "folders"),
    [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700), (0o000, 0o644, 0o755)],
)
def test_outputs_follow_the_umask_and_no_folder_is_writable_by_others(
    tmp_path: Path, umask: int, files: int, folders: int
) -> None:
    """Outputs were 0644 whatever the umask (a `umask 077` project's internal playbooks
    readable by everyone in an existing 0755 build/), and folders 0777 under `umask 000`."""
    from conftest import AS_OF, MINIMAL
    from sessionbuild import SALESPLAY

    shutil.copytree(MINIMAL, tmp_path / "plays")
    done = subprocess.run(
        [str(SALESPLAY), "build", "--as-of", AS_OF, "--only", "site", "--jobs", "1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: os.umask(umask),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    build = tmp_path / "build"
    modes = {
        ("d" if p.is_dir() else "f", stat.S_IMODE(p.stat().st_mode))
        for p in [build, *build.rglob("*")]
        if not p.is_symlink()
    }
    assert modes == {("d", folders), ("f", files)}


def test_a_killed_builds_temporary_files_are_swept_in_every_languages_folders(
    tmp_path: Path,
) -> None:
    """A build killed while it staged German cards left `.salesplay-tmp-…` files in
    `de/battlecards/` (and `de/`'s top, where its matrix is staged) that no later build
    removed: only the source language's folders were swept. A running process's are kept."""
    import subprocess
    import sys

    from salesplay.outputs import sweep_leftovers
    from salesplay.write import TEMP_PREFIX, TEMP_SUFFIX

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(gone.stdout)
    planted = {
        f"{where}/{TEMP_PREFIX}{pid}-{'0123456789abcdef'}{TEMP_SUFFIX}": pid
        for where in ("battlecards", "de/battlecards", "de", "pt_BR/site/battlecards")
        for pid in (dead, os.getpid())
    }
    for rel in planted:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"half a card")
    sweep_leftovers(tmp_path)
    left = {rel for rel in planted if (tmp_path / rel).exists()}
    assert left == {rel for rel, pid in planted.items() if pid == os.getpid()}

"""Two builds into one --out folder: the second waits for the first, and says so."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import AS_OF, make_catalog
from salesplay.outlock import OutLock
from sessionbuild import SALESPLAY

ONLY = ("--only", "site")
PAGE = "site/battlecards/recovery-drills.html"


def _build(root: Path, err: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "SALESPLAY_DEBUG")}
    with err.open("wb") as sink:
        return subprocess.Popen(
            [str(SALESPLAY), "build", "--catalog", "plays", "--as-of", AS_OF, *ONLY],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )


@contextmanager
def _held(folder: Path) -> Iterator[None]:
    """`folder` locked by this process, as another build holds it."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _wait_for(err: Path, text: str, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        said = err.read_text(encoding="utf-8", errors="replace")
        if text in said:
            return said
        assert proc.poll() is None, f"the build ended without waiting:\n{said}"
        time.sleep(0.05)
    raise AssertionError(f"the build never said {text!r}")


def _summary(err: Path) -> str:
    return [ln for ln in err.read_text().splitlines() if ln.startswith("built ")][-1]


def test_a_build_waits_until_another_build_into_its_folder_has_finished(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    first = _build(tmp_path, tmp_path / "first.txt")
    assert first.wait(timeout=300) == 0, (tmp_path / "first.txt").read_text()
    play = tmp_path / "plays/plays/recovery-drills.yaml"
    play.write_text(play.read_text().replace("name: Recovery drills", "name: Drills that wait"))
    out = tmp_path / "build"
    with _held(out):
        second = _build(tmp_path, tmp_path / "second.txt")
        said = _wait_for(tmp_path / "second.txt", "waiting for another salesplay build", second)
        assert f"waiting for another salesplay build into build/ (process {os.getpid()})" in said
        time.sleep(1.0)
        assert second.poll() is None  # still waiting: nothing read, nothing written
        assert "Drills that wait" not in (out / PAGE).read_text()
    assert second.wait(timeout=300) == 0, (tmp_path / "second.txt").read_text()
    assert "Drills that wait" in (out / PAGE).read_text()
    assert "; 0 changed" not in _summary(tmp_path / "second.txt")
    assert (tmp_path / "second.txt").read_text().count("waiting for another") == 1
    # and once it is done, the folder is free: the next build does not wait
    third = _build(tmp_path, tmp_path / "third.txt")
    assert third.wait(timeout=300) == 0
    assert "waiting" not in (tmp_path / "third.txt").read_text()
    assert "; 0 changed, 0 removed;" in _summary(tmp_path / "third.txt")


def test_a_folder_removed_while_a_build_waits_for_it_is_built_again(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    first = _build(tmp_path, tmp_path / "first.txt")
    assert first.wait(timeout=300) == 0
    out = tmp_path / "build"
    with _held(out):
        second = _build(tmp_path, tmp_path / "second.txt")
        _wait_for(tmp_path / "second.txt", "waiting for another salesplay build", second)
        shutil.rmtree(out)  # the other "build" was `make clean`
    assert second.wait(timeout=300) == 0, (tmp_path / "second.txt").read_text()
    assert (out / PAGE).is_file()
    assert "Traceback" not in (tmp_path / "second.txt").read_text()


def _try_lock(folder: Path) -> bool:
    """Whether another process could lock `folder` now."""
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys\n"
            "fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)\n"
            "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
            "except BlockingIOError:\n    sys.exit(1)\n",
            str(folder),
        ],
        check=False,
    )
    return probe.returncode == 0


def test_a_released_lock_is_free_though_a_forked_worker_still_has_its_descriptor(
    tmp_path: Path,
) -> None:
    said: list[str] = []
    lock = OutLock(tmp_path / "out", said.append)
    lock.take_existing()  # no folder yet: nothing is made, nothing locked
    assert not (tmp_path / "out").exists() and not lock.held
    lock.take()
    assert lock.held and (tmp_path / "out").is_dir()
    assert not _try_lock(tmp_path / "out")
    child = os.fork()
    if child == 0:  # a worker forked during the build, alive after it
        time.sleep(3)
        os._exit(0)
    try:
        lock.release()
        assert _try_lock(tmp_path / "out")
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)
    assert said == []


def test_a_folder_that_cannot_be_made_is_left_to_the_writes_to_report(tmp_path: Path) -> None:
    """The lock never fails a build: the build's own write says what is wrong, located."""
    (tmp_path / "file").write_text("not a folder")
    lock = OutLock(tmp_path / "file" / "out", lambda _line: None)
    lock.take_existing()
    lock.take()
    assert not lock.held
    lock.release()

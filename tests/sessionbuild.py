"""Expensive builds shared by the test files of one session, across xdist workers."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SALESPLAY = Path(sys.executable).parent / "salesplay"
#: the sample catalog shipped at the top of the repository
SAMPLE = Path(__file__).resolve().parent.parent / "plays"
#: the as-of date of the session's full build of the sample
SAMPLE_AS_OF = "2026-11-23"


def shared(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A directory made once per test session, even across xdist workers (file lock)."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    target = base / f"shared-{name}"
    with open(base / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".done").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            make(target)
            (target / ".done").touch()
    return target


def salesplay(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """The installed `salesplay` command, without SOURCE_DATE_EPOCH or debug settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "SALESPLAY_DEBUG")}
    return subprocess.run(
        [str(SALESPLAY), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def sample_project(root: Path) -> Path:
    """A project folder at `root` holding a copy of the sample catalog as `plays/`."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SAMPLE, root / "plays")
    return root


def full_sample_build(dest: Path) -> None:
    """A full build of a copy of the sample at `dest` (outside git, so kits carry no
    revision that a concurrent commit could change), its stderr kept beside it."""
    sample_project(dest)
    done = salesplay("build", "--as-of", SAMPLE_AS_OF, cwd=dest)
    assert done.returncode == 0, done.stderr
    (dest / "stderr.txt").write_text(done.stderr)


def sample_build(factory: pytest.TempPathFactory) -> Path:
    """The session's full build of the sample: the project folder, its build in `build/`.
    Test modules that read it carry the `sample_build` mark (see `ahead`)."""
    return shared(factory, "sample-build-a", full_sample_build)


def ahead(session: pytest.Session, factory: pytest.TempPathFactory) -> Iterator[None]:
    """Make the session's full sample build on a thread while the tests run, when a test
    selected carries the `sample_build` mark.

    Modules on both workers read it: made on demand, the second worker to reach it waited
    on the first's lock for the whole build (about a minute of one CPU idle in every run of
    the suite). Made ahead, it is there when they come. A build that fails here is made
    again by the first test that needs it, which reports why."""
    if not any(item.get_closest_marker("sample_build") for item in session.items):
        yield
        return

    # the worker's temporary folder is made (and an old one of its name removed) on its first
    # use: here, before the thread, or the two made it at once and one removed the other's
    factory.getbasetemp()

    def make() -> None:
        with contextlib.suppress(BaseException):  # the test that needs it reports it
            sample_build(factory)

    thread = threading.Thread(target=make, name="sample-build", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()  # never leave its build running past the session

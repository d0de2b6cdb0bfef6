"""Expensive builds shared by the test files of one session, across xdist workers."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SALESPLAY = Path(sys.executable).parent / "salesplay"


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

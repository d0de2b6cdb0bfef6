"""Ctrl-C or SIGTERM while stage 0's pages are put in place (write_all's commits) puts back
every output, as a fault there does: it left the pages committed so far new and the rest
old, exit 130, and nothing said (found by a helper session, 2026-12-07)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from conftest import AS_OF, make_catalog, run_cli
from salesplay import write


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not str(p.relative_to(out)).startswith(".salesplay")
    }


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_while_the_pages_are_committed_puts_every_one_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int, code: int
) -> None:
    root = make_catalog(tmp_path)
    args = ("build", "--catalog", "plays", "--as-of", AS_OF, "--jobs", "1")
    only = ("--only", "battlecards", "--only", "site", "--only", "matrix")
    assert run_cli(*args, *only, cwd=tmp_path).code == 0
    for rel in ("plays/backup-modernization.yaml", "plays/recovery-drills.yaml"):
        play = root / rel
        play.write_text(play.read_text().replace("name: ", "name: New ", 1))
    before = _outputs(tmp_path / "build")
    real = write.commit_output
    calls = {"n": 0}

    def interrupted(*a: object, **k: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # the signal lands while the third page is put in place
            os.kill(os.getpid(), signum)
            time.sleep(0.05)
        real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(write, "commit_output", interrupted)
    stopped = run_cli(*args, *only, cwd=tmp_path)
    assert stopped.code == code, stopped.stderr
    assert calls["n"] >= 3
    after = _outputs(tmp_path / "build")
    assert [rel for rel in sorted(after) if after[rel] != before.get(rel)] == []
    monkeypatch.undo()
    assert run_cli(*args, *only, cwd=tmp_path).code == 0
    assert _outputs(tmp_path / "build") != before

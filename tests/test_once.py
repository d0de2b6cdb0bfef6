"""A process that runs one command and exits (the console script) freezes what the check
loaded out of the collector; a test's or serve's process, which runs many, does not."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import AS_OF, MINIMAL
from salesplay import cli
from salesplay.context import Context, resolve_as_of
from salesplay.pipeline import check_catalog


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # this test process runs many commands: leave it collectable


@pytest.mark.parametrize("once", [True, False])
def test_the_check_freezes_what_it_loaded_only_in_a_one_command_process(once: bool) -> None:
    ctx = Context(catalog=MINIMAL, as_of=resolve_as_of(AS_OF), once=once)
    assert check_catalog(ctx) is not None
    assert gc.isenabled()  # collecting again for what comes after the check
    assert (gc.get_freeze_count() > 1000) is once


@pytest.mark.parametrize("once", [True, False])
def test_the_console_script_marks_its_commands_once(
    once: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    def run_build(ctx: Context, **_kw: object) -> int:
        seen.append(ctx.once)
        return 0

    monkeypatch.setattr("salesplay.build.run_build", run_build)
    argv = ["salesplay", "build", "--catalog", str(MINIMAL), "--out", str(tmp_path / "b")]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exited:
        cli.main(once=once)
    assert exited.value.code == 0
    assert seen == [once]

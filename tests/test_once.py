"""A process that runs one command and exits (the console script) freezes what the check
loaded out of the collector; a test's or serve's process, which runs many, does not."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
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


def test_a_build_from_the_console_script_collects_nothing_until_the_check_froze_it(
    tmp_path: Path,
) -> None:
    """What a build imports and checks lives until it exits: the console script turns the
    collector off at its start; the check freezes what it loaded and turns it on again."""
    code = textwrap.dedent(
        f"""
        import gc, sys
        import salesplay.build as build
        seen = []
        git_reads, plan = build.git_reads, build._plan
        def reads(*a, **k):
            seen.append(("imports", gc.isenabled()))
            return git_reads(*a, **k)
        def planning(*a, **k):
            seen.append(("plan", gc.isenabled(), gc.get_freeze_count() > 1000))
            return plan(*a, **k)
        build.git_reads, build._plan = reads, planning
        from salesplay.entry import main
        sys.argv = ["salesplay", "build", "--catalog", {str(MINIMAL)!r},
                    "--out", {str(tmp_path / "build")!r}, "--as-of", {AS_OF!r},
                    "--only", "matrix"]
        try:
            main()
        except SystemExit as exc:
            print(exc.code, seen)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "0 [('imports', False), ('plan', True, True)]", done.stderr

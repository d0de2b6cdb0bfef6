"""A process that runs one command and exits (the console script) freezes what the check
loaded out of the collector; a test's or serve's process, which runs many, does not."""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import AS_OF, MINIMAL
from salesplay import cli, entry
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
        import salesplay.entry
        salesplay.entry.leave = lambda done: None  # look at the process after the command
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


def test_the_console_script_leaves_at_once_with_its_output_and_code(tmp_path: Path) -> None:
    """Once the command is over, the process ends without Python's exit (no atexit hook
    runs, no object is freed one by one), its output flushed and its exit code kept."""
    marker = tmp_path / "python-exit-ran"
    code = textwrap.dedent(
        f"""
        import atexit, pathlib, sys
        atexit.register(lambda: pathlib.Path({str(marker)!r}).write_text("ran"))
        from salesplay.entry import main
        sys.argv = ["salesplay", *sys.argv[1:]]
        main()
        """
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
        )

    out = tmp_path / "build"
    built = run("build", "--catalog", str(MINIMAL), "--out", str(out), "--as-of", AS_OF)
    assert built.returncode == 0, built.stderr
    assert built.stderr.rstrip().splitlines()[-1].startswith("built ")  # flushed before leaving
    assert not marker.exists()
    checked = run("check", "--catalog", str(MINIMAL), "--as-of", AS_OF, "--format", "json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout) == []  # stdout whole, through the end
    assert not marker.exists()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "plays").mkdir()
    (bad / "plays/x.yaml").write_text("name: [unclosed\n")
    failed = run("build", "--catalog", str(bad), "--out", str(tmp_path / "b2"), "--as-of", AS_OF)
    assert failed.returncode == 1 and "x.yaml:" in failed.stderr and "error" in failed.stderr
    assert not marker.exists()
    usage = run("build", "--jobs", "0", "--catalog", str(MINIMAL))
    assert usage.returncode == 2 and "salesplay: error:" in usage.stderr


def test_leaving_waits_for_what_still_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    left: list[int] = []
    monkeypatch.setattr(entry.os, "_exit", left.append)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    entry.leave(SystemExit(0))
    assert left == []  # another thread runs: Python's exit waits for it
    release.set()
    other.join()
    entry.leave(SystemExit(None))
    entry.leave(SystemExit(3))
    entry.leave(SystemExit("salesplay: a message Python's exit prints"))
    assert left == [0, 3]

    class Broken(io.StringIO):
        def flush(self) -> None:
            raise BrokenPipeError

    monkeypatch.setattr(sys, "stdout", Broken())
    entry.leave(SystemExit(0))
    assert left == [0, 3]  # a broken pipe is Python's exit's to report


def test_python_m_salesplay_is_the_command(tmp_path: Path) -> None:
    """`python -m salesplay` (an environment without the console script) did nothing: there
    was no __main__ module. It runs the same entry point, the build's fast path included."""
    run = [sys.executable, "-m", "salesplay"]
    out = tmp_path / "build"
    args = ("--catalog", str(MINIMAL), "--out", str(out), "--as-of", AS_OF, "--only", "reports")
    built = subprocess.run([*run, "build", *args], capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    assert built.stderr.splitlines()[-1].startswith("built 2 files"), built.stderr
    assert (out / "reports" / "check.json").is_file()
    usage = subprocess.run([*run, "build", "--jobs", "0"], capture_output=True, text=True)
    assert usage.returncode == 2
    assert usage.stderr.strip() == (
        "salesplay: error: Invalid value for '--jobs': it must be 1 or more"
        " (see 'python -m salesplay build --help')"
    )

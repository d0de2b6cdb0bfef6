"""Ctrl-C and SIGTERM end a command with 130 or 143 and no other line, wherever they land:
inside a C callback they wait until it returns; one an extension swallowed is raised again."""

from __future__ import annotations

import io
import os
import signal
import sys
import time
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from salesplay import interrupts
from salesplay.diagnostics import Diagnostic, Location, Severity, format_text
from salesplay.exits import run_command


def _exit(body: object) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        run_command(body)  # type: ignore[arg-type]
    return int(info.value.code or 0), err.getvalue()


def _in_cffi(seconds: float) -> list[str]:
    """Send this process SIGINT from code of a C-callback library (as cairocffi's write
    callback is), and stay there `seconds`: what happened inside."""
    seen: list[str] = []
    code = compile(
        "import os, signal, time\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "end = time.monotonic() + seconds\n"
        "while time.monotonic() < end:\n"
        "    time.sleep(0.005)\n"
        "seen.append('left the callback')\n",
        f"{os.sep}venv{os.sep}cffi{os.sep}callback.py",
        "exec",
    )
    exec(code, {"seconds": seconds, "seen": seen})
    return seen


def test_an_interrupt_in_a_c_callback_waits_until_it_returns() -> None:
    """cairocffi prints, then swallows, an exception raised in its write callback; the logo
    then "cannot be drawn" and a valid catalog failed `check` with a traceback on the way."""
    reached: list[str] = []

    def body() -> int:
        reached.extend(_in_cffi(0.1))  # the interrupt is not raised in there
        time.sleep(1)  # ...but as soon as the callback returns
        reached.append("after")
        return 0

    code, said = _exit(body)
    assert (code, said) == (130, "")
    assert reached == ["left the callback"]


def test_an_interrupt_an_extension_swallowed_ends_the_command_before_it_says_anything() -> None:
    """pydantic's core turned a SIGTERM raised in it into a validation error of the catalog
    ('does not match <unprintable str object>'): the interrupt wins over what it left."""

    def swallowed() -> int:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        except BaseException:
            pass
        where = Location(Path("x.yaml"), 1, 1)
        sys.stderr.write(format_text([Diagnostic(where, Severity.ERROR, "a false error", "yaml")]))
        return 1

    assert _exit(swallowed) == (143, "")

    def dressed_up() -> int:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except BaseException as exc:
            raise RuntimeError("SchemaError: Error building serializer") from exc
        return 0

    code, said = _exit(dressed_up)
    assert (code, said) == (130, "")
    assert "internal error" not in said


def test_handlers_are_put_back_after_a_command_run_in_process() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    assert _exit(lambda: 0) == (0, "")
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
    assert interrupts.pending() is None


def test_ctrl_c_after_the_outputs_are_committed_waits_for_their_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C once a build's outputs were committed (while it pruned, swept and saved its
    records) ended it with every output new beside the records of the build before: exit
    130, and the next build made everything again. Nothing can be put back there, so the
    interrupt waits until the records are saved, then ends the command: exit 130, and the
    next build has nothing to do."""
    import shutil

    from conftest import AS_OF, MINIMAL, run_cli
    from salesplay import build

    shutil.copytree(MINIMAL, tmp_path / "plays")
    args = ("build", "--as-of", AS_OF, "--only", "battlecards", "--only", "matrix")
    saved = build._save_images

    def interrupted(ctx: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C lands, after the commit
        time.sleep(0.05)
        saved(ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "_save_images", interrupted)
    stopped = run_cli(*args, cwd=tmp_path)
    assert stopped.code == 130, stopped.stderr
    assert (tmp_path / "build/matrix.pdf").is_file()
    monkeypatch.setattr(build, "_save_images", saved)
    again = run_cli(*args, cwd=tmp_path)
    assert again.code == 0 and "; 0 changed, 0 removed;" in again.lines[-1], again.stderr
    assert "battlecards" not in again.stderr.split("built")[0]  # nothing made: records held

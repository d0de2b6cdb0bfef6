"""`salesplay serve`: serves the portal, rebuilds on save, reports catalog errors, keeps serving."""

from __future__ import annotations

import io
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_sample
from salesplay.serve import SCRIPT_PATH, STATUS_PATH, ServeOptions, Server, error_lines, inject

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "plays"
AS_OF = "2026-11-23"
PLAY = "plays/clean-recovery.yaml"


def wait_for(what: str, check: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def get(url: str) -> tuple[int, str, str]:
    """Status, final URL and body of a GET (errors included, not raised)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, url, exc.read().decode("utf-8", "replace")


def status(base: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(get(base + STATUS_PATH)[2])
    return result


def project(tmp_path: Path) -> Path:
    root = tmp_path / "plays"
    copy_sample(root, locales=False)
    return root


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    root = project(tmp_path)
    options = ServeOptions(
        root, tmp_path / "templates", tmp_path / "build", port=0, as_of=AS_OF, slow=()
    )
    srv = Server(options, log=io.StringIO())
    srv.start()
    try:
        yield srv
    finally:
        started = time.monotonic()
        srv.stop()
        assert time.monotonic() - started < 10, "stopping took too long"


def test_inject_puts_the_script_before_the_last_body_end() -> None:
    page = b"<html><body><p>&lt;/body&gt;</p></BODY></html>"
    out = inject(page, 3, 2)
    assert out.index(SCRIPT_PATH.encode()) < out.index(b"</BODY>")
    # the counters the page was served at: a build ending before the script looks reloads it
    assert f'<script src="{SCRIPT_PATH}" data-build="3" data-pages="2">'.encode() in out
    assert inject(b"<p>no body</p>", 0, 0).endswith(b"</script>\n")


def test_a_catalog_folder_that_comes_back_is_a_change(tmp_path: Path) -> None:
    """The catalog folder moved away and back (no templates/ beside it): serve said it was
    gone and then never built again, as no folder was watched to see it come back."""
    import threading

    from salesplay.serve.reload import watch

    there: list[Path] = []
    changes: list[list[Path]] = []
    stopping = threading.Event()
    watcher = threading.Thread(
        target=watch, args=(lambda: list(there), tmp_path / "build", changes.append, stopping)
    )
    watcher.start()
    try:
        time.sleep(1.5)  # watched while gone
        assert changes == []
        there.append(tmp_path)
        deadline = time.monotonic() + 10
        while not changes:
            assert time.monotonic() < deadline, "the folder's coming back was no change"
            time.sleep(0.05)
        assert changes[0] == [tmp_path]
    finally:
        stopping.set()
        watcher.join(10)


def test_error_lines_keep_compiler_style_lines() -> None:
    output = [
        "plays/x.yaml:1:1: warning: stale claim",
        "plays/plays/a.yaml:3:5: error: unknown field 'nmae'",
        "build stopped: 1 error, 1 warning",
    ]
    assert error_lines(output, 1) == (output[1], output[2])
    assert error_lines(output, 0) == ()
    assert error_lines([], 1) == ("build failed with exit code 1",)


def test_serves_rebuilds_on_save_and_survives_a_catalog_error(server: Server) -> None:
    base = f"http://127.0.0.1:{server.port}"
    wait_for("the first build", lambda: status(base)["build"] >= 1)
    assert status(base)["errors"] == []

    code, final, body = get(base + "/")
    assert code == 200 and final.endswith("/site/index.html")
    build, pages = status(base)["build"], status(base)["pages"]
    assert f'<script src="{SCRIPT_PATH}" data-build="{build}" data-pages="{pages}">' in body
    assert "Clean-room recovery" in body
    assert get(base + "/site/search-index.js")[0] == 200
    assert get(base + "/site/battlecards/clean-recovery.html")[0] == 200
    # Only the portal and what it links to: no kits, no internal playbooks.
    assert get(base + "/playbooks/cyber-resilience.pdf")[0] == 404
    assert get(base + "/kits/blue-river.zip")[0] == 404

    play = server.options.catalog / PLAY
    original = play.read_text(encoding="utf-8")
    play.write_text(
        original.replace("name: Clean-room recovery", "name: Clean-room rescue"), "utf-8"
    )
    wait_for("the rebuild after a save", lambda: status(base)["build"] >= 2)
    assert "Clean-room rescue" in get(base + "/site/index.html")[2]

    attempts = status(base)["attempts"]
    play.write_text(original.replace("name: Clean-room recovery", "name: [Clean-room"), "utf-8")
    wait_for("the failed rebuild", lambda: status(base)["attempts"] > attempts)
    failed = status(base)
    assert failed["build"] == 2 and not failed["ok"]
    assert any(line.startswith(f"{play}:") and ": error: " in line for line in failed["errors"])
    assert isinstance(server.log, io.StringIO)
    assert failed["errors"][0] in server.log.getvalue()  # the terminal shows it too
    # Still serving the last good portal.
    code, _, body = get(base + "/site/index.html")
    assert code == 200 and "Clean-room rescue" in body

    play.write_text(original, "utf-8")
    wait_for("the rebuild after the fix", lambda: status(base)["build"] >= 3)
    assert status(base)["errors"] == []
    assert "Clean-room recovery" in get(base + "/site/index.html")[2]


def test_first_build_failing_serves_a_waiting_page(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / PLAY).write_text("name: [broken\n", "utf-8")
    options = ServeOptions(root, tmp_path / "templates", tmp_path / "build", port=0, slow=())
    with Server(options, log=io.StringIO()) as srv:
        base = f"http://127.0.0.1:{srv.port}"
        wait_for("the failed build", lambda: status(base)["attempts"] >= 1)
        code, _, body = get(base + "/")
        assert code == 503 and SCRIPT_PATH in body
        assert status(base)["build"] == 0 and status(base)["errors"]
        # a rep's card tab, reloaded after a restart, waits too (it got a bare "not found")
        code, _, body = get(base + "/site/battlecards/backup-modernization.html")
        assert code == 503 and SCRIPT_PATH in body


def test_a_templates_folder_made_after_serve_started_is_watched(tmp_path: Path) -> None:
    """The folders watched were fixed when serve started: a first override's `templates/`
    made later was seen only at the next save in `plays/`, and its fix not at all. Its
    fault is said once, and goes when the override is mended."""
    root = project(tmp_path)
    templates = tmp_path / "templates"
    options = ServeOptions(root, templates, tmp_path / "build", port=0, as_of=AS_OF, slow=())
    with Server(options, log=io.StringIO()) as srv:
        base = f"http://127.0.0.1:{srv.port}"
        wait_for("the first build", lambda: status(base)["build"] >= 1)
        made = tmp_path / "made" / "portal"
        made.mkdir(parents=True)
        (made / "header.html").write_text("{% if %}\n", "utf-8")
        made.parent.rename(templates)  # the folder comes with its file, at once
        wait_for("the override's fault", lambda: status(base)["errors"] != [], timeout=60)
        errors = status(base)["errors"]
        assert len(errors) == 1 and "portal/header.html:1" in errors[0], errors
        (templates / "portal" / "header.html").unlink()
        wait_for("the fault gone", lambda: status(base)["errors"] == [], timeout=60)


def test_a_save_interrupts_the_slow_build(tmp_path: Path) -> None:
    root = project(tmp_path)
    out = tmp_path / "build"
    # Battlecard PDFs only: slow enough to be interrupted, quicker than everything.
    options = ServeOptions(
        root, tmp_path / "templates", out, port=0, as_of=AS_OF, slow=("battlecards",)
    )
    with Server(options, log=io.StringIO()) as srv:
        base = f"http://127.0.0.1:{srv.port}"
        wait_for("the quick build", lambda: status(base)["build"] >= 1)
        wait_for("the slow build to start", lambda: srv.builder.slow is not None, timeout=60)
        play = root / PLAY
        play.write_text(play.read_text("utf-8").replace("Clean-room recovery", "Clean rooms"))
        # The quick rebuild does not wait for the PDFs of the stale build.
        wait_for("the rebuild", lambda: status(base)["build"] >= 2)
        wait_for("the slow build", lambda: not status(base)["building"], timeout=180)
        assert status(base)["errors"] == []
        assert srv.builder.interrupted == 1
    assert (out / "battlecards" / "clean-recovery.pdf").is_file()
    assert not [p for p in out.rglob(".*.tmp")], "an interrupted build left temporary files"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_cli_serve_starts_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    root = project(tmp_path)
    port = _free_port()
    cmd = [sys.executable, "-c", "from salesplay.cli import main; main()", "serve"]
    cmd += ["--catalog", str(root), "--out", str(tmp_path / "build"), "--port", str(port)]
    cmd += ["--as-of", AS_OF]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return int(status(base)["build"]) >= 1
            except (OSError, ValueError):
                return False

        wait_for("salesplay serve", up)
        assert get(base + "/")[0] == 200
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, err
    assert f"serving http://127.0.0.1:{port}/site/index.html" in err
    assert "Traceback" not in err


def test_cli_serve_port_in_use(tmp_path: Path) -> None:
    root = project(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        cmd = [sys.executable, "-c", "from salesplay.cli import main; main()", "serve"]
        cmd += ["--catalog", str(root), "--out", str(tmp_path / "build"), "--port", str(port)]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert f"port {port} is in use" in result.stderr
    assert "Traceback" not in result.stderr
    # nothing was served: the --out it made for it is not left behind
    assert not (tmp_path / "build").exists()


def test_cli_serve_an_out_it_cannot_make_is_one_line(tmp_path: Path) -> None:
    """`--out` a broken link (a ramdisk not mounted), or under a folder no one may make
    folders in: "internal error: FileExistsError" before; now one line, as build says it."""
    root = project(tmp_path)
    (tmp_path / "gone").symlink_to(tmp_path / "not-mounted")
    cmd = [sys.executable, "-c", "from salesplay.cli import main; main()", "serve"]
    cmd += ["--catalog", str(root), "--port", "0"]
    for out, said in (
        (tmp_path / "gone", "is a broken symbolic link"),
        (Path("/proc/nope/build"), "cannot be made"),
    ):
        result = subprocess.run(
            [*cmd, "--out", str(out)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and f"--out '{out}' {said}" in lines[0], lines

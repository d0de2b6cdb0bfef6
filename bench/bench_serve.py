"""Benchmark: `salesplay serve` on a copy of plays/: save a play, time until its card page changes."""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-23"
PLAY = "plays/clean-recovery.yaml"
NAME = "name: Clean-room recovery"
CARD = "/site/battlecards/clean-recovery.html"
PDF = "/battlecards/clean-recovery.pdf"
SAVES = 5
TARGET = 1.0


def get(base: str, path: str) -> bytes:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            body: bytes = response.read()
            return body
    except (urllib.error.URLError, OSError):
        return b""


def status(base: str) -> dict[str, object]:
    try:
        result: dict[str, object] = json.loads(get(base, "/__salesplay__/status") or b"{}")
        return result
    except ValueError:
        return {}


def wait(what: str, check: Callable[[], bool], timeout: float, step: float = 0.005) -> float:
    """Seconds until `check` holds, polling every `step`."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if check():
            return time.perf_counter() - started
        time.sleep(step)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cold_quick_build(root: Path) -> float:
    """What one save cost before: a fresh `salesplay build --only site --only reports`."""
    cmd = [sys.executable, "-c", "from salesplay.cli import main; main()", "build"]
    cmd += ["--catalog", str(root / "plays"), "--out", str(root / "cold"), "--as-of", AS_OF]
    cmd += ["--only", "site", "--only", "reports"]
    subprocess.run(cmd, check=True, capture_output=True)  # records made: the next is warm-ish
    play = root / "plays" / PLAY
    play.write_text(play.read_text("utf-8").replace(NAME, f"{NAME} cold"), "utf-8")
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - started


def quick_seconds(log: str) -> list[str]:
    """The seconds each quick build (site and reports: no PDF, deck or zip) said it took,
    after the first."""
    lines = re.findall(r"^built \d+ files \(([^)]*)\) in ([\d.]+) s", log, re.M)
    found = [secs for kinds, secs in lines if not re.search(r"\b(pdf|pptx|zip)\b", kinds)]
    return found[1:]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "plays", root / "plays")
        cold = cold_quick_build(root)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-c", "from salesplay.cli import main; main()", "serve"]
        cmd += ["--catalog", str(root / "plays"), "--out", str(root / "build")]
        cmd += ["--port", str(port), "--as-of", AS_OF]
        log = (root / "serve.log").open("w")
        proc = subprocess.Popen(cmd, cwd=root, stdout=log, stderr=log)
        try:
            first = wait("the first quick build", lambda: status(base).get("build") == 1, 300)
            rest = wait("the background passes", lambda: status(base).get("building") is False, 900)
            print(f"serve up: pages in {first:.1f} s, everything else {rest:.1f} s later")
            play = root / "plays" / PLAY
            original = play.read_text("utf-8")
            pages, pdfs = [], []
            for i in range(SAVES):
                marker = f"{NAME} {i}"
                pdf_before = get(base, PDF)
                play.write_text(original.replace(NAME, marker), "utf-8")
                saved = time.perf_counter()
                shown = marker.removeprefix("name: ").encode()
                wait("the card page", lambda m=shown: m in get(base, CARD), 60)  # type: ignore[misc]
                pages.append(time.perf_counter() - saved)
                wait("the card's PDF", lambda b=pdf_before: get(base, PDF) not in (b, b""), 300)  # type: ignore[misc]
                pdfs.append(time.perf_counter() - saved)
                wait("the background passes", lambda: status(base).get("building") is False, 900)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
            log.close()
        quick = quick_seconds((root / "serve.log").read_text("utf-8"))
    page = statistics.median(pages)
    print(f"save -> card page served: median {page:.2f} s, max {max(pages):.2f} s ({SAVES} saves)")
    print(f"save -> its PDF served:   median {statistics.median(pdfs):.2f} s")
    print(f"the quick builds themselves (as they report): {', '.join(quick)} s")
    print(f"a cold quick build (the child process serve used to start per save): {cold:.2f} s")
    print(f"ratios: page/target {page / TARGET:.2f}; cold build/page {cold / page:.1f}x")


if __name__ == "__main__":
    main()

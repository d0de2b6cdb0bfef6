"""Benchmark: `salesplay serve` on a copy of plays/: save a play, time until its card page changes.

    .venv/bin/python bench/bench_serve.py [--generated] [--saves 5]

`--generated` serves the issue's generated catalog instead (50 plays, 1,000 partners; see
catalog_gen.py) and saves a play only reps see, whose destination's playbook is rebuilt in
the background after each save. With `--generated`, each save of a play is followed by a
save of one partner's contact e-mail, timed until that partner's kit is rewritten.
"""

from __future__ import annotations

import argparse
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
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalog_gen  # noqa: E402  # bench/ is on sys.path when a script in it runs
import prepared  # noqa: E402

AS_OF = "2026-11-23"
TARGET = 1.0


@dataclass(frozen=True)
class Saved:
    """The play each save edits: its file, its name line, its card page and its PDF."""

    file: str
    name: str
    card: str
    pdf: str


#: on the sample (four locales), and on the generated catalog (a rep-only play).
SAMPLE_PLAY = Saved(
    "plays/clean-recovery.yaml",
    "name: Clean-room recovery",
    "/site/battlecards/clean-recovery.html",
    "/battlecards/clean-recovery.pdf",
)
#: the partner whose contact the generated catalog's partner saves edit, and its kit.
PARTNER_FILE = "partners/partner-0001.yaml"
PARTNER_KIT = "kits/partner-0001.zip"
GENERATED_PLAY = Saved(
    "plays/hybrid-consolidation.yaml",
    "name: Hybrid backup consolidation",
    "/site/battlecards/hybrid-consolidation.html",
    "/battlecards/hybrid-consolidation.pdf",
)


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


def cold_quick_build(root: Path, saved: Saved) -> float:
    """What one save cost before: a fresh `salesplay build --only site --only reports`."""
    cmd = [sys.executable, "-c", "from salesplay.cli import main; main()", "build"]
    cmd += ["--catalog", str(root / "plays"), "--out", str(root / "cold"), "--as-of", AS_OF]
    cmd += ["--only", "site", "--only", "reports"]
    subprocess.run(cmd, check=True, capture_output=True)  # records made: the next is warm-ish
    play = root / "plays" / saved.file
    original = play.read_text("utf-8")
    play.write_text(original.replace(saved.name, f"{saved.name} cold"), "utf-8")
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    play.write_text(original, "utf-8")
    return seconds


def save_partner(root: Path, base: str, i: int) -> float:
    """Seconds from a save of one partner's contact e-mail until its kit is rewritten."""
    partner = root / "plays" / PARTNER_FILE
    kit = root / "build" / PARTNER_KIT
    before = kit.read_bytes()
    text = partner.read_text("utf-8")
    edited = re.sub(r"email: [^,}\n]+", f"email: sales{i}@partner-0001.example", text, count=1)
    assert edited != text, "the partner has no contact e-mail to edit"
    partner.write_text(edited, "utf-8")
    at = time.perf_counter()
    wait("the partner's kit", lambda: kit.read_bytes() != before, 60)
    seconds = time.perf_counter() - at
    wait("the background passes", lambda: status(base).get("building") is False, 900)
    return seconds


def quick_seconds(log: str) -> list[str]:
    """The seconds each quick build (site and reports: no PDF, deck or zip) said it took,
    after the first."""
    lines = re.findall(r"^built \d+ files \(([^)]*)\) in ([\d.]+) s", log, re.M)
    found = [secs for kinds, secs in lines if not re.search(r"\b(pdf|pptx|zip)\b", kinds)]
    return found[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--generated", action="store_true", help="the generated 50-play, 1,000-partner catalog"
    )
    parser.add_argument("--saves", type=int, default=5, help="saves timed")
    args = parser.parse_args()
    prepared.ensure()  # as `make` would: else every build compiles the theme itself
    saved = GENERATED_PLAY if args.generated else SAMPLE_PLAY
    saves = args.saves
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.generated:
            catalog_gen.generate(root / "plays", 1000, plays=50)
        else:
            shutil.copytree(REPO / "plays", root / "plays")
        cold = cold_quick_build(root, saved)
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
            play = root / "plays" / saved.file
            original = play.read_text("utf-8")
            pages, pdfs, kits = [], [], []
            for i in range(saves):
                marker = f"{saved.name} {i}"
                pdf_before = get(base, saved.pdf)
                play.write_text(original.replace(saved.name, marker), "utf-8")
                at = time.perf_counter()
                shown = marker.removeprefix("name: ").encode()
                wait("the card page", lambda m=shown: m in get(base, saved.card), 60)  # type: ignore[misc]
                pages.append(time.perf_counter() - at)
                wait(
                    "the card's PDF", lambda b=pdf_before: get(base, saved.pdf) not in (b, b""), 300
                )  # type: ignore[misc]
                pdfs.append(time.perf_counter() - at)
                wait("the background passes", lambda: status(base).get("building") is False, 900)
                if args.generated:
                    kits.append(save_partner(root, base, i))
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
            log.close()
        quick = quick_seconds((root / "serve.log").read_text("utf-8"))
    page = statistics.median(pages)
    what = "generated catalog, 50 plays, 1,000 partners" if args.generated else "sample"
    print(f"catalog: {what}")
    print(f"save -> card page served: median {page:.2f} s, max {max(pages):.2f} s ({saves} saves)")
    print(f"save -> its PDF served:   median {statistics.median(pdfs):.2f} s")
    print(f"the quick builds themselves (as they report): {', '.join(quick)} s")
    if kits:
        kit = statistics.median(kits)
        print(f"save a partner -> its kit rewritten: median {kit:.2f} s, max {max(kits):.2f} s")
        print(f"ratio: partner's kit/target {kit / TARGET:.2f}")
    print(f"a cold quick build (the child process serve used to start per save): {cold:.2f} s")
    print(f"ratios: page/target {page / TARGET:.2f}; cold build/page {cold / page:.1f}x")


if __name__ == "__main__":
    main()

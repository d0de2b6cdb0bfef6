"""The shelf `make` prepares beside the package, made for this code before a benchmark times."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_FRESH = (
    "import sys\n"
    "from salesplay.render import shelf\n"
    "sys.exit(0 if shelf.installed() and shelf.band_fonts() else 1)\n"
)


def _env(src: Path | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


def make(src: Path | None = None) -> None:
    """Make the shelf as `make` does (`python -m salesplay.render.precompile`), with the
    venv's interpreter, for the package it imports: this checkout's, or the one in `src`
    (another revision's, bench_against)."""
    done = subprocess.run(
        [sys.executable, "-m", "salesplay.render.precompile"],
        env=_env(src),
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        # a line, as `make` would show it, not a CalledProcessError's traceback
        lines = done.stderr.strip().splitlines()
        raise SystemExit(f"bench: cannot make the shelf: {lines[-1] if lines else done.returncode}")


def ensure() -> bool:
    """Make this checkout's shelf (the theme's compiled templates, the band fonts' cuts) if
    it is missing or was made for other code, as `make` would; True if it was made now.

    A build uses the shelf only when it was made for the same code (render/shelf.py). A
    benchmark run straight after a file of the package changed, without `make`, timed every
    build compiling the theme's templates itself, which no user's build does: a kit-wide
    edit of the benchmark's catalog planned for 2.0 s instead of 1.4 s (2026-12-07, a slow
    hour)."""
    if subprocess.run([sys.executable, "-c", _FRESH], env=_env(None), check=False).returncode == 0:
        return False
    make()
    print(
        "bench: the theme's templates compiled and band fonts cut for this code first, as"
        " `make` does (the shelf was missing or made for other code)",
        file=sys.stderr,
    )
    return True

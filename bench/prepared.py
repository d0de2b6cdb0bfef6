"""The shelf `make` prepares beside the package, made for this code before a benchmark times."""

from __future__ import annotations

import os
import subprocess
import sys

_FRESH = (
    "import sys\n"
    "from salesplay.render import shelf\n"
    "sys.exit(0 if shelf.installed() and shelf.band_fonts() else 1)\n"
)


def ensure(python: str = sys.executable) -> bool:
    """Make the shelf (the theme's compiled templates, the band fonts' cuts) with `python`
    (the venv's) if it is missing or was made for other code, as `make` would; True if it
    was made now.

    A build uses the shelf only when it was made for the same code (render/shelf.py). A
    benchmark run straight after a file of the package changed, without `make`, timed every
    build compiling the theme's templates itself, which no user's build does: a kit-wide
    edit of the benchmark's catalog planned for 2.0 s instead of 1.4 s (2026-12-07, a slow
    hour)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if subprocess.run([python, "-c", _FRESH], env=env, check=False).returncode == 0:
        return False
    subprocess.run(
        [python, "-m", "salesplay.render.precompile"], env=env, check=True, capture_output=True
    )
    print(
        "bench: the theme's templates compiled and band fonts cut for this code first, as"
        " `make` does (the shelf was missing or made for other code)",
        file=sys.stderr,
    )
    return True

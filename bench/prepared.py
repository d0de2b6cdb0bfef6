"""The shelf `make` prepares (the theme's compiled templates, the band fonts' cuts), made for
this code before a benchmark times anything.

A build finds the shelf beside the installed package and uses it only when it was made for
the same code (render/shelf.py). Running a benchmark script straight after changing a file of
the package, without `make`, timed every build compiling the theme's templates itself: about
0.6 s of CPU in each build's own process in a slow hour (a kit-wide edit of the benchmark's
catalog: its plan 2.0 s instead of 1.4 s, 2026-12-07), which no user's build pays.
"""

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
    """Make the shelf with `python` (the venv's) if it is missing or was made for other code,
    as `make` would; True if it was made now."""
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

"""How a playbook's path chapter breaks across pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pypdf

from conftest import AS_OF, base_text, make_catalog, run_cli

PATH = "paths/resilience-journey.yaml"


def _path(signals_before: int) -> str:
    """The minimal catalog's path, its first step grown by `signals_before` entry signals and
    its second long enough to reach a page's foot for some of them."""
    first = "".join(
        f"\n      - Signal {n} of the first step, seen in the renewal"
        for n in range(signals_before)
    )
    second = "".join(
        f"\n      - Signal {n} of the second step, long enough to wrap" for n in range(14)
    )
    return (
        base_text(PATH)
        .replace(
            "entry_signals: [Backup renewal within 6 months]",
            f"entry_signals:{first}",
        )
        .replace(
            "    stage: Immutable backups, no drills\n",
            "    stage: STAGEMARK immutable backups, no drills, restores never tried end to end\n"
            f"    entry_signals:{second}\n      - SIGNALMARK\n",
        )
        .replace("milestone: Quarterly recovery drill", "milestone: MILESTONEMARK quarterly drill")
    )


def test_a_path_steps_row_is_never_torn_across_pages(tmp_path: Path) -> None:
    """A ten-step path's sixth row began at a page's foot with its number and play, and went
    on at the next page's top with its stage, signals and milestone beside nothing: a row
    moves whole. Tried with the first row grown so that the second meets the foot at
    several heights."""
    heights = (18, 24, 30, 36)
    for n in heights:
        root = tmp_path / str(n)
        make_catalog(root, {PATH: _path(n)})
        result = run_cli(
            "build", "--catalog", "plays", "--as-of", AS_OF, "--only", "playbooks", cwd=root
        )
        assert result.code == 0, result.stderr
        pdf = root / "build/playbooks/cyber-resilience.pdf"
        pages = [p.extract_text() for p in pypdf.PdfReader(pdf).pages]
        (last,) = [i + 1 for i, text in enumerate(pages) if "SIGNALMARK" in text]
        # the page the row's last signal is on holds its number, and its stage beside it
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(last), "-l", str(last), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows = [line for line in text.splitlines() if "STAGEMARK" in line]
        assert len(rows) == 1, (n, text)  # torn, the stage began on another page
        row = rows[0]
        assert row.split()[:3] == ["2", "Recovery", "drills"], (n, row)
        assert "MILESTONEMARK" in row

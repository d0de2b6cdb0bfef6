"""A build removes the outputs an earlier build made that it no longer makes — and nothing else."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import AS_OF, MINIMAL, run_cli


def test_outputs_of_a_removed_play_are_removed_and_user_files_kept(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "plays")
    (tmp_path / "build").mkdir()
    (tmp_path / "build/notes.txt").write_text("mine")
    args = ("build", "--as-of", AS_OF, "--only", "battlecards", "--only", "decks")
    first = run_cli(*args, cwd=tmp_path)
    assert first.code == 0, first.stderr
    cards = sorted(p.name for p in (tmp_path / "build/battlecards").iterdir())
    assert len(cards) >= 1
    gone = tmp_path / "plays/plays/recovery-drills.yaml"
    assert "recovery-drills.pdf" in cards
    # take the play out of the catalog (and off its path: the path's last step) and rebuild
    gone.unlink()
    path_file = tmp_path / "plays/paths/resilience-journey.yaml"
    text = path_file.read_text()
    path_file.write_text(text[: text.index("  - play: recovery-drills")])
    second = run_cli(*args, cwd=tmp_path)
    assert second.code == 0, second.stderr
    assert not (tmp_path / f"build/battlecards/{gone.stem}.pdf").exists()
    assert not (tmp_path / f"build/decks/{gone.stem}-enablement.pptx").exists()
    assert "removed" in second.stderr.splitlines()[-1]
    # and the build forgot them: its records name only what it made
    records = json.loads((tmp_path / "build/.salesplay/records.json").read_text())
    assert f"battlecards/{gone.stem}.pdf" not in records["entries"]
    assert f"decks/{gone.stem}-enablement.pptx" not in records["entries"]
    assert all(f"battlecards/{c}" in records["entries"] for c in cards if c != f"{gone.stem}.pdf")
    assert (tmp_path / "build/notes.txt").read_text() == "mine"
    # a build of other kinds leaves battlecards alone
    third = run_cli("build", "--as-of", AS_OF, "--only", "reports", cwd=tmp_path)
    assert third.code == 0, third.stderr
    assert sorted(p.name for p in (tmp_path / "build/battlecards").iterdir()) == sorted(
        c for c in cards if c != f"{gone.stem}.pdf"
    )


def test_an_unwritable_out_folder_is_one_error_line_not_a_crash(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "plays")
    (tmp_path / "taken").write_text("a file where the build folder should be")
    for args in (("build", "--only", "reports"), ("kit", "blue-river")):
        result = run_cli(*args, "--as-of", AS_OF, "--out", "taken", cwd=tmp_path)
        # a usage mistake, said before anything is read (tests/test_cli.py)
        assert (result.code, result.lines) == (
            2,
            ["salesplay: error: --out 'taken' is a file: name a folder, e.g. build"],
        ), result.stderr

"""A build removes the outputs an earlier build made that it no longer makes — and nothing else."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

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


def _remove_recovery_drills(plays: Path) -> None:
    """Take the play out of the catalog, and off its path (the path's last step)."""
    (plays / "plays/recovery-drills.yaml").unlink()
    path_file = plays / "paths/resilience-journey.yaml"
    text = path_file.read_text()
    path_file.write_text(text[: text.index("  - play: recovery-drills")])


@pytest.mark.parametrize("damage", ["deleted", "corrupt", "deep", "not-a-name"])
def test_a_lost_output_list_still_prunes_what_the_records_name(tmp_path: Path, damage: str) -> None:
    """The output list is what a build prunes by: lost or damaged, the records' entries stand
    for it (the list written next would no longer name a renamed play's old outputs, which
    would stay for good), and a build with nothing else to do writes it again."""
    shutil.copytree(MINIMAL, tmp_path / "plays")
    args = ("build", "--as-of", AS_OF, "--only", "battlecards", "--only", "decks")
    assert run_cli(*args, cwd=tmp_path).code == 0
    listed = tmp_path / "build/.salesplay/outputs.json"
    if damage == "deleted":
        listed.unlink()
        again = run_cli(*args, cwd=tmp_path)  # nothing changed but the list
        assert again.code == 0 and listed.is_file(), again.stderr
    elif damage == "corrupt":
        listed.write_text('{"x":')
    elif damage == "deep":  # read back, it raised RecursionError: "internal error", every build
        listed.write_text("[" * 100_000)
    else:  # a list where a family's name belongs: "TypeError: unhashable type: 'list'"
        entries = json.loads(listed.read_text())
        listed.write_text(json.dumps({rel: [[1]] for rel in entries}))
    _remove_recovery_drills(tmp_path / "plays")
    done = run_cli(*args, cwd=tmp_path)
    assert done.code == 0 and ", 2 removed;" in done.lines[-1], done.stderr
    assert not (tmp_path / "build/battlecards/recovery-drills.pdf").exists()
    assert not (tmp_path / "build/decks/recovery-drills-enablement.pptx").exists()
    assert "battlecards/recovery-drills.pdf" not in json.loads(listed.read_text())


def test_a_fifo_at_an_outputs_or_a_records_place_never_holds_the_build(tmp_path: Path) -> None:
    """A named pipe where an output or the build's own records were (`mkfifo`): the build
    opened it to compare its bytes, or to read the records, and waited for a writer for
    ever; one SIGTERM did not end it. It is no file the build made: read as missing, and
    replaced."""
    import os
    import subprocess
    import sys

    shutil.copytree(MINIMAL, tmp_path / "plays")
    args = ("build", "--as-of", AS_OF, "--only", "battlecards", "--only", "matrix")
    assert run_cli(*args, cwd=tmp_path).code == 0
    build = tmp_path / "build"
    pipes = [
        build / "battlecards/recovery-drills.pdf",
        build / "matrix.pdf",
        build / ".salesplay/records.json",
        build / ".salesplay/outputs.json",
    ]
    for pipe in pipes:
        pipe.unlink()
        os.mkfifo(pipe)
    salesplay = Path(sys.executable).with_name("salesplay")
    done = subprocess.run(
        [str(salesplay), *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert all(pipe.is_file() for pipe in pipes), [p for p in pipes if not p.is_file()]
    again = run_cli(*args, cwd=tmp_path)
    assert again.code == 0 and "; 0 changed, 0 removed;" in again.lines[-1], again.stderr


def test_a_folder_left_empty_by_pruning_goes_and_one_holding_a_file_stays(tmp_path: Path) -> None:
    """A dropped locale's outputs take their folders with them (a clean build makes no empty
    `de/`); a folder that still holds something, the user's file, stays."""
    shutil.copytree(MINIMAL, tmp_path / "plays")
    catalog = tmp_path / "plays/catalog.yaml"
    plain = catalog.read_text()
    catalog.write_text(plain + "locales: [de]\n")
    args = ("build", "--as-of", AS_OF, "--only", "battlecards", "--only", "decks")
    assert run_cli(*args, cwd=tmp_path).code == 0
    assert (tmp_path / "build/de/battlecards").is_dir() and (tmp_path / "build/de/decks").is_dir()
    (tmp_path / "build/de/decks/mine.txt").write_text("mine")
    catalog.write_text(plain)
    assert run_cli(*args, cwd=tmp_path).code == 0
    assert sorted(
        p.relative_to(tmp_path / "build").as_posix() for p in (tmp_path / "build/de").rglob("*")
    ) == [
        "de/decks",
        "de/decks/mine.txt",
    ]

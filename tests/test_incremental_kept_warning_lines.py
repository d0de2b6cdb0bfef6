"""A kept warning names where its entity is now, as a clean build's does (fixes/01)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import MINIMAL
from test_incremental import assert_same_tree, build


def _commented(project: Path, play_rel: str, only: tuple[str, ...], warned: str) -> str:
    """Build, add two comment lines at the top of `play_rel` (its warning `warned` moves from
    line 1 to 3), build again and clean: the incremental build's stderr, after asserting
    that the build folders are the same."""
    play = project / "plays" / play_rel
    said = build(project, project / "build", only)
    assert f"{play.name}:1:1: warning: {warned}" in said, said
    play.write_text("# reviewed by legal\n\n" + play.read_text())
    said = build(project, project / "build", only)
    clean = build(project, project / "clean", only, clean=True)
    assert f"{play.name}:3:1: warning: {warned}" in clean, clean
    assert f"{play.name}:3:1: warning: {warned}" in said, said
    assert_same_tree(project / "build", project / "clean")
    return said


def _past_its_page(project: Path, play_rel: str) -> None:
    """A copy of minimal whose play `play_rel` asks 150 discovery questions."""
    shutil.copytree(MINIMAL, project / "plays")
    play = project / "plays" / play_rel
    many = "".join(
        f"  - Question {n} about how it is proven to the auditors?\n" for n in range(150)
    )
    play.write_text(
        re.sub(r"(?m)^discovery:\n(  - .*\n)+", "discovery:\n" + many, play.read_text())
    )


def test_a_kept_page_budget_warning_follows_lines_moved_above_it(tmp_path: Path) -> None:
    """A card past its page budget warns at its play's first line. Comment lines added at
    the top of the play's file change no card: the card's record was reused and its kept
    warning said `:1:1`, where a clean build says `:3:1` (stderr and reports/check.json)."""
    project = tmp_path / "project"
    _past_its_page(project, "plays/recovery-drills.yaml")
    warned = "battlecard 'recovery-drills' runs to"
    _commented(project, "plays/recovery-drills.yaml", ("battlecards", "reports"), warned)
    report = json.loads((project / "build/reports/check.json").read_text())
    assert [(d["line"], d["column"]) for d in report if d["code"] == "card-length"] == [(3, 1)]


def test_a_kept_deck_fit_warning_follows_lines_moved_above_it(tmp_path: Path) -> None:
    """The same for a deck's title too long for its box (kept with the deck's record)."""
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project / "plays")
    play = project / "plays/plays/recovery-drills.yaml"
    long = " ".join(["Recovery drills with evidence for auditors"] * 12)
    play.write_text(play.read_text().replace("name: Recovery drills", f"name: {long}"))
    warned = "enablement deck 'recovery-drills'"
    _commented(project, "plays/recovery-drills.yaml", ("decks", "reports"), warned)


def test_a_kit_s_kept_member_warning_follows_lines_moved_above_it(tmp_path: Path) -> None:
    """The same for a partner card past its budget, kept with the records of the kits that
    hold it: the kits' members plan was reused (its key is the kit editions' content)."""
    project = tmp_path / "project"
    _past_its_page(project, "plays/backup-modernization.yaml")  # a partner play (silver up)
    warned = "partner battlecard"
    _commented(project, "plays/backup-modernization.yaml", ("kits", "reports"), warned)

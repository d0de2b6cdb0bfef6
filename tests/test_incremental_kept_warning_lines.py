"""A kept warning names where its entity is now, as a clean build's does (fixes/01)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import MINIMAL
from test_incremental import assert_same_tree, build


def test_a_kept_page_budget_warning_follows_lines_moved_above_it(tmp_path: Path) -> None:
    """A card past its page budget warns at its play's first line. Comment lines added at
    the top of the play's file change no card: the card's record was reused and its kept
    warning said `:1:1`, where a clean build says `:3:1` (stderr and reports/check.json)."""
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project / "plays")
    play = project / "plays/plays/recovery-drills.yaml"
    many = "".join(
        f"  - Question {n} about how recovery is proven to the auditors?\n" for n in range(150)
    )
    play.write_text(
        re.sub(r"(?m)^discovery:\n(  - .*\n)+", "discovery:\n" + many, play.read_text())
    )
    only = ("battlecards", "reports")
    said = build(project, project / "build", only)
    assert "recovery-drills.yaml:1:1: warning: battlecard 'recovery-drills' runs to" in said
    play.write_text("# reviewed by legal\n\n" + play.read_text())
    said = build(project, project / "build", only)
    clean = build(project, project / "clean", only, clean=True)
    assert "recovery-drills.yaml:3:1: warning: battlecard 'recovery-drills' runs to" in clean
    assert "recovery-drills.yaml:3:1: warning: battlecard" in said, said
    report = json.loads((project / "build/reports/check.json").read_text())
    assert [(d["line"], d["column"]) for d in report if d["code"] == "card-length"] == [(3, 1)]
    assert_same_tree(project / "build", project / "clean")


def test_a_kept_deck_fit_warning_follows_lines_moved_above_it(tmp_path: Path) -> None:
    """The same for a deck's title too long for its box (kept with the deck's record)."""
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project / "plays")
    play = project / "plays/plays/recovery-drills.yaml"
    long = " ".join(["Recovery drills with evidence for auditors"] * 12)
    play.write_text(play.read_text().replace("name: Recovery drills", f"name: {long}"))
    only = ("decks", "reports")
    said = build(project, project / "build", only)
    assert "recovery-drills.yaml:1:1: warning: enablement deck 'recovery-drills'" in said
    play.write_text("# reviewed by legal\n\n" + play.read_text())
    said = build(project, project / "build", only)
    build(project, project / "clean", only, clean=True)
    assert "recovery-drills.yaml:3:1: warning: enablement deck 'recovery-drills'" in said, said
    assert_same_tree(project / "build", project / "clean")


def test_a_kit_s_kept_member_warning_follows_lines_moved_above_it(tmp_path: Path) -> None:
    """The same for a partner card past its budget, kept with the records of the kits that
    hold it: the kits' members plan was reused (its key is the kit editions' content)."""
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project / "plays")
    play = project / "plays/plays/backup-modernization.yaml"  # a partner play (silver up)
    many = "".join(
        f"  - Question {n} about how backups are proven to the auditors?\n" for n in range(150)
    )
    play.write_text(
        re.sub(r"(?m)^discovery:\n(  - .*\n)+", "discovery:\n" + many, play.read_text())
    )
    only = ("kits", "reports")
    said = build(project, project / "build", only)
    assert "backup-modernization.yaml:1:1: warning: partner battlecard" in said
    play.write_text("# reviewed by legal\n\n" + play.read_text())
    said = build(project, project / "build", only)
    build(project, project / "clean", only, clean=True)
    assert "backup-modernization.yaml:3:1: warning: partner battlecard" in said, said
    assert_same_tree(project / "build", project / "clean")

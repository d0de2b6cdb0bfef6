"""`salesplay init` creates a project that checks clean and builds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import run_cli
from salesplay.scaffold import create_project


def test_init_creates_a_project_that_checks_clean_and_builds(tmp_path: Path) -> None:
    result = run_cli("init", "newproject", cwd=tmp_path)
    assert result.code == 0, result.stderr
    project = tmp_path / "newproject"
    for rel in ("Makefile", "README.md", ".gitignore", "plays/catalog.yaml", "templates/README.md"):
        assert (project / rel).is_file(), rel
    check = run_cli("check", "--strict", cwd=project)
    assert (check.code, check.stderr) == (0, "")
    build = run_cli("build", "--only", "battlecards", "--only", "decks", cwd=project)
    assert build.code == 0, build.stderr
    assert (project / "build/battlecards/backup-refresh.pdf").read_bytes().startswith(b"%PDF")
    assert (project / "build/decks/always-recoverable-pitch.pptx").is_file()


def test_init_stamps_today_into_review_dates(tmp_path: Path) -> None:
    create_project(tmp_path / "p", today=dt.date(2030, 1, 2))
    text = (tmp_path / "p/plays/competitors/status-quo.yaml").read_text()
    assert "reviewed: 2030-01-02" in text
    assert "{{AS_OF}}" not in text


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken/file.txt").write_text("mine")
    result = run_cli("init", "taken", cwd=tmp_path)
    assert result.code == 2
    assert "exists and is not empty" in result.stderr
    assert (tmp_path / "taken/file.txt").read_text() == "mine"

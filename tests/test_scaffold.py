"""`salesplay init` creates a project that checks clean and builds."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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
    # an empty file is a file: not "not empty"
    (tmp_path / "f.txt").touch()
    result = run_cli("init", "f.txt", cwd=tmp_path)
    assert (result.code, result.lines) == (
        2,
        ["salesplay: error: 'f.txt' is a file, not a folder; choose a new folder"],
    )


def test_inits_note_says_an_item_takes_its_files_audience(tmp_path: Path) -> None:
    """It said "an item without `audience:` is for reps only", though the scaffold's own
    partner play's objection, with none, reaches partners: it takes its file's."""
    result = run_cli("init", "p", cwd=tmp_path)
    assert result.code == 0
    assert "a file without `audience:` is for reps only" in result.stdout
    assert "an item in a file takes the file's unless it says its own" in result.stdout


@pytest.mark.parametrize("name", ["My Project", "-dash"])
def test_inits_next_line_can_be_pasted_for_a_folder_with_a_space(tmp_path: Path, name: str) -> None:
    """`init 'My Project'` said "next: cd My Project && make": pasted, "cd: too many
    arguments"; `init -- -dash` said "cd -dash", which cd takes for an option."""
    result = run_cli("init", "--", name, cwd=tmp_path)
    assert result.code == 0, result.stderr
    line = result.stdout.splitlines()[0]
    pasted = line.split("; next: ", 1)[1]
    cd = subprocess.run(
        ["bash", "-c", pasted.replace("&& make", "&& pwd")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert cd.returncode == 0 and cd.stdout.strip() == str(tmp_path / name), cd


#: the salesplay script of the interpreter running the tests (the project's .venv)
SCRIPT = Path(sys.executable).with_name("salesplay")
#: a PATH on which no salesplay is found
BARE_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def test_init_says_how_to_run_make_when_salesplay_is_not_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", BARE_PATH)
    result = run_cli("init", "p", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "salesplay is not on your PATH" in result.stdout
    assert f"make SALESPLAY={SCRIPT}" in result.stdout
    monkeypatch.setenv("PATH", f"{SCRIPT.parent}{os.pathsep}{BARE_PATH}")
    again = run_cli("init", "q", cwd=tmp_path)
    assert "not on your PATH" not in again.stdout


def _make(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": BARE_PATH}
    env.pop("SALESPLAY", None)
    env.pop("MAKEFLAGS", None)  # not pytest's make's flags, if run under make
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_projects_makefile_says_in_one_line_when_salesplay_is_missing(
    tmp_path: Path,
) -> None:
    create_project(tmp_path / "p")
    result = _make(tmp_path / "p", "check")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    # one line: make's own "*** [Makefile:17: salesplay] Error 1" came after it
    assert len(lines) == 1, result.stderr
    assert re.match(r"Makefile:\d+: \*\*\* salesplay is not installed here:", lines[0]), lines
    assert "make SALESPLAY=/path/to/salesplay" in lines[0]
    assert not (tmp_path / "p/build").exists()
    assert _make(tmp_path / "p", "clean").returncode == 0  # needs no salesplay


def test_the_projects_makefile_finds_salesplay_as_told_or_in_its_venv(tmp_path: Path) -> None:
    project = tmp_path / "p"
    create_project(project)
    told = _make(project, "check", f"SALESPLAY={SCRIPT}")
    assert told.returncode == 0, told.stderr
    # a project .venv holding salesplay is found without being told
    (project / ".venv/bin").mkdir(parents=True)
    (project / ".venv/bin/salesplay").symlink_to(SCRIPT)
    found = _make(project, "check")
    assert found.returncode == 0, found.stderr
    assert '".venv/bin/salesplay" check --templates templates' in found.stdout


def test_the_projects_makefile_runs_a_salesplay_whose_path_has_a_space(tmp_path: Path) -> None:
    """`make SALESPLAY="/home/me/My Projects/.venv/bin/salesplay"` (as init says to run it)
    ran "/home/me/My" ("No such file or directory"), and so did one found on PATH."""
    project = tmp_path / "p"
    create_project(project)
    spaced = tmp_path / "my tools ü"
    spaced.mkdir()
    (spaced / "salesplay").symlink_to(SCRIPT)
    told = _make(project, "check", f"SALESPLAY={spaced / 'salesplay'}")
    assert told.returncode == 0, told.stderr
    env = {**os.environ, "PATH": f"{spaced}{os.pathsep}{BARE_PATH}"}
    env.pop("SALESPLAY", None)
    env.pop("MAKEFLAGS", None)
    found = subprocess.run(
        ["make", "--no-print-directory", "check"], cwd=project, env=env, capture_output=True,
        text=True, timeout=300, check=False,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert f'"{spaced}/salesplay" check --templates templates' in found.stdout


def test_make_check_in_a_new_project_finds_a_template_override_fault(tmp_path: Path) -> None:
    """`make check` checks the project's template overrides too, before any build: a fault
    there is one located line of check, not a surprise of `make`."""
    project = tmp_path / "p"
    create_project(project)
    override = project / "templates/battlecard.html"
    override.write_text(
        '{% extends "default/battlecard.html" %}\n{% block body %}{{ play.nme }}{% endblock %}\n'
    )
    result = _make(project, "check", f"SALESPLAY={SCRIPT}")
    assert result.returncode != 0
    assert "templates/battlecard.html:2: error: undefined: 'PlayView' has no attribute 'nme'" in (
        result.stderr
    )
    assert "(did you mean 'name'?)" in result.stderr
    assert not (project / "build").exists()


def test_the_placeholder_logo_names_no_company_and_init_says_to_replace_it(
    tmp_path: Path,
) -> None:
    """The placeholder logo said "Example Co": a catalog renamed to its own company still
    printed "Example Co" on every PDF header, with no word about it."""
    result = run_cli("init", "p", cwd=tmp_path)
    assert result.code == 0
    logo = (tmp_path / "p/plays/assets/logo.svg").read_text()
    assert "<text" not in logo and "Example" not in logo
    assert "plays/assets/logo.svg is a placeholder mark" in result.stdout


def test_the_new_projects_playbook_matrix_has_the_competitor_its_play_faces(
    tmp_path: Path,
) -> None:
    """The playbook's matrix kept only competitors a claim names in its versus: the new
    project's claims name none, and its matrix had no competitor column under a legend of
    "competitors (columns)". The competitors the destination's plays face are columns too,
    and a unique claim wins against them."""
    from salesplay.context import Context
    from salesplay.edition import make_edition
    from salesplay.pipeline import check_catalog
    from salesplay.render import html
    from salesplay.render.templates import make_env

    create_project(tmp_path / "p", today=dt.date(2026, 11, 23))
    catalog = tmp_path / "p/plays"
    cat = check_catalog(Context(catalog=catalog, as_of=dt.date(2026, 11, 23)))
    assert cat is not None
    edition = make_edition(cat, "rep")
    links = html.Links.for_pdf(catalog, [])
    page = html.playbook(make_env(None), edition, "always-recoverable", links)
    matrix = page[page.index('id="matrix"') :]
    assert 'class="col-comp" data-competitor="status-quo"' in matrix
    assert "cell-unique" in matrix

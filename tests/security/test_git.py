"""git as the build runs it: no command of a repository's config, the catalog's own history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import AS_OF, git, make_catalog, run_cli


def _project(tmp_path: Path) -> tuple[Path, str]:
    """project/ in git with plays/ committed and tagged v1; its HEAD."""
    top = tmp_path / "project"
    top.mkdir()
    make_catalog(top)
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "v1", date="2026-10-15T12:00:00+00:00")
    git(top, "tag", "v1")
    return top, git(top, "rev-parse", "HEAD").strip()


def _revision(top: Path) -> object:
    done = run_cli("build", "--as-of", AS_OF, "--only", "feed", cwd=top)
    assert done.code == 0, done.stderr
    return json.loads((top / "build/feed/rep.json").read_text())["revision"]


def test_a_repository_planted_in_the_catalog_runs_no_command(tmp_path: Path) -> None:
    """SECURITY(exec): a pull request that adds HEAD, config, objects/ and refs/ to plays/
    makes plays/ a repository to git's discovery; `git status` ran its core.fsmonitor, a
    command of the author's choosing, on the machine that built the catalog."""
    top, head = _project(tmp_path)
    plays, mark = top / "plays", tmp_path / "ran"
    (plays / "HEAD").write_text(f"{head}\n")
    (plays / "objects").mkdir()
    (plays / "refs/heads").mkdir(parents=True)
    (plays / "refs/heads/.keep").write_text("")
    (plays / "config").write_text(
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n"
        f'\tfsmonitor = "echo ran >> {mark}; false"\n'
    )
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "a pull request", date="2026-10-16T12:00:00+00:00")
    checked = run_cli("check", "--as-of", AS_OF, cwd=top)
    assert checked.code == 0
    assert checked.lines[0].startswith(
        "plays/HEAD:1:1: warning: 'plays' holds HEAD, objects/ and refs/, so git takes it for a"
        " repository"
    ), checked.lines
    # no history is read from such a folder, and nothing it configures runs
    assert _revision(top) is None
    assert not mark.exists()


def test_a_hooks_git_variables_do_not_redirect_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pre-commit hook in a linked worktree runs with GIT_DIR (and GIT_INDEX_FILE) set:
    salesplay's `git -C plays` took plays/ for the work tree's top, so every file read as
    deleted ("<commit>-dirty" on a clean catalog) and no release held a catalog."""
    top, head = _project(tmp_path)
    assert _revision(top) == head
    monkeypatch.setenv("GIT_DIR", str(top / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(top / ".git/index"))
    assert _revision(top) == head
    monkeypatch.setenv("GIT_WORK_TREE", str(tmp_path))
    assert _revision(top) == head


def test_replace_refs_do_not_change_what_a_release_holds(tmp_path: Path) -> None:
    """`git replace` swapped a release's commit for what the build read, and `git replace -d`
    left an incremental build stale ("0 changed"): the build's fingerprint reads tags only.
    A release is what its tag points at."""
    top, _head = _project(tmp_path)
    drills = top / "plays/plays/recovery-drills.yaml"
    drills.write_text(drills.read_text().replace("name: Recovery drills", "name: Drills Two"))
    git(top, "commit", "-q", "-am", "v2", date="2026-10-20T12:00:00+00:00")
    git(top, "tag", "v2")
    drills.write_text(drills.read_text().replace("Drills Two", "Drills Replaced"))
    git(top, "commit", "-q", "-am", "other", date="2026-10-21T12:00:00+00:00")
    other = git(top, "rev-parse", "HEAD").strip()
    git(top, "reset", "-q", "--hard", "v2")
    git(top, "replace", "v2", other)
    args = ("build", "--as-of", AS_OF, "--only", "site")
    assert run_cli(*args, cwd=top).code == 0
    page = (top / "build/site/whats-new.html").read_text()
    assert "Drills Two" in page and "Drills Replaced" not in page

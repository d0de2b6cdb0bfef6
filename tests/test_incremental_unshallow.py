"""A shallow clone made whole is told as whole by the next build (fixes/04)."""

from __future__ import annotations

from pathlib import Path

from conftest import git
from test_incremental import _same_as_clean, _summary, _tagged, build


def test_an_unshallowed_clone_drops_the_shallow_note_of_what_s_new(tmp_path: Path) -> None:
    """A shallow clone's What's new says its earlier releases are not in this copy. After
    `git fetch --unshallow`, which moved no tag nor HEAD, the build said "0 changed" (the
    fingerprint and the site's plan key read HEAD and the tags, not the shallowness) and kept
    the note; a clean build has none."""
    origin = _tagged(tmp_path / "origin")
    project = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", origin.as_uri(), str(project))
    git(project, "fetch", "-q", "--depth", "1", "origin", "tag", "v1")
    assert git(project, "tag").split() == ["v1", "v2"]
    only = ("site",)
    build(project, project / "build", only)
    page = project / "build/site/whats-new.html"
    note = "Earlier releases are not in this copy of the catalog"
    assert note in page.read_text()
    git(project, "fetch", "-q", "--unshallow")
    assert git(project, "rev-parse", "--is-shallow-repository").strip() == "false"
    assert git(project, "tag").split() == ["v1", "v2"]
    said = _same_as_clean(project, only)
    assert note not in page.read_text()
    assert "; 1 changed, 0 removed;" in _summary(said), said

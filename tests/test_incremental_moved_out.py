"""A build folder moved or renamed names its outputs where they are now (fixes/03)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import MINIMAL
from salesplay.render.templates import THEME_DIR
from test_incremental import build, tree


def test_kept_warnings_at_outputs_name_the_moved_build_folder(tmp_path: Path) -> None:
    """A refused fetch is a warning at the output, kept with its record. After `mv build
    build2`, a build into build2 found every PDF fresh and said (and wrote into
    reports/check.json) `build/battlecards/….pdf`, a file that is no longer there; a clean
    build into build2 says `build2/battlecards/….pdf`."""
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project / "plays")
    base = (THEME_DIR / "base.html").read_text()
    body = base.index(">", base.index("<body")) + 1
    (project / "templates").mkdir()
    (project / "templates/base.html").write_text(
        base[:body] + '<img src="/srv/elsewhere/logo.png" alt="">' + base[body:]
    )
    only = ("battlecards", "reports")
    said = build(project, project / "build", only)
    assert f"{project / 'build'}/battlecards/recovery-drills.pdf: warning: refused" in said
    (project / "build").rename(project / "build2")
    said = build(project, project / "build2", only)
    assert f"{project / 'build'}/battlecards/" not in said, said
    assert f"{project / 'build2'}/battlecards/recovery-drills.pdf: warning: refused" in said
    clean = project / "clean" / "build2"  # the same folder name, so that check.json compares
    clean.parent.mkdir()
    build(project, clean, only, clean=True)
    got, want = tree(project / "build2"), tree(clean)
    assert got.keys() == want.keys()
    report = "reports/check.json"
    assert got[report].replace(b"build2/", b"") == want[report].replace(b"clean/build2/", b"")
    assert {k: v for k, v in got.items() if k != report} == {
        k: v for k, v in want.items() if k != report
    }

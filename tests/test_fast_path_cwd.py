"""The no-change answer names files from where it runs, as a build does (fixes/02)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import AS_OF, MINIMAL, run_cli


def test_the_no_change_answer_names_files_from_where_it_runs(tmp_path: Path) -> None:
    """The fast path said the last build's lines again as that build wrote them, relative to
    the folder it ran in: run from the project's parent, it named `plays/differentiators/…`
    where every other build there names `project/plays/differentiators/…`."""
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project / "plays")
    claim = project / "plays/differentiators/anomaly-alerts.yaml"
    claim.write_text(claim.read_text().replace("reviewed: 2026-11-01", "reviewed: 2025-01-01"))
    args = ("build", "--as-of", AS_OF, "--jobs", "1", "--only", "partners")
    first = run_cli(*args, cwd=project)
    assert first.code == 0, first.stderr
    assert "\nplays/differentiators/anomaly-alerts.yaml:" in "\n" + first.stderr
    where = ("--catalog", "project/plays", "--out", "project/build")
    again = run_cli(*args, *where, cwd=tmp_path)
    assert again.code == 0, again.stderr
    assert "; 0 changed, 0 removed;" in again.stderr
    said = [ln for ln in again.stderr.splitlines() if "anomaly-alerts.yaml" in ln]
    assert said and all(ln.startswith("project/plays/differentiators/") for ln in said), said
    # and from there, with nothing changed, the fast path again
    third = run_cli(*args, *where, cwd=tmp_path)
    assert "; 0 changed, 0 removed;" in third.stderr and "[" not in third.stderr, third.stderr
    assert [ln for ln in third.stderr.splitlines() if "anomaly-alerts.yaml" in ln] == said


def test_the_no_change_answer_names_files_as_the_options_spell_them(tmp_path: Path) -> None:
    """From the same folder, `--catalog ../plays` names `../plays/…` and `--catalog
    /abs/plays` names `/abs/plays/…`: the fast path, keyed on the working folder alone, said
    the first build's `../plays/…` lines to the second (its fingerprint resolves both)."""
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project / "plays")
    (project / "sub").mkdir()
    claim = project / "plays/differentiators/anomaly-alerts.yaml"
    claim.write_text(claim.read_text().replace("reviewed: 2026-11-01", "reviewed: 2025-01-01"))
    args = ("build", "--as-of", AS_OF, "--jobs", "1", "--only", "partners")
    first = run_cli(*args, "--catalog", "../plays", "--out", "../build", cwd=project / "sub")
    assert first.code == 0, first.stderr
    assert "\n../plays/differentiators/anomaly-alerts.yaml:" in "\n" + first.stderr
    where = ("--catalog", str(project / "plays"), "--out", str(project / "build"))
    again = run_cli(*args, *where, cwd=project / "sub")
    assert again.code == 0, again.stderr
    assert "; 0 changed, 0 removed;" in again.stderr
    said = [ln for ln in again.stderr.splitlines() if "anomaly-alerts.yaml" in ln]
    assert said and all(ln.startswith(f"{project}/plays/differentiators/") for ln in said), said
    # and spelt so again, the fast path again, saying the same
    third = run_cli(*args, *where, cwd=project / "sub")
    assert "; 0 changed, 0 removed;" in third.stderr and "[" not in third.stderr, third.stderr
    assert [ln for ln in third.stderr.splitlines() if "anomaly-alerts.yaml" in ln] == said

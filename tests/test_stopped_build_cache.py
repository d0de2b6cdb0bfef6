"""A build stopped after it wrote outputs leaves all of build/ as it was, .salesplay/ too.

A fault found only while the kits are made (a template that fails for one partner's
values) put every output back, but left .salesplay/ changed: the kit cache gained what the
build had made, playbook chapter parts were replaced (the old ones deleted), the kits'
workers rewrote band files in place, and a new spares/ folder stayed. The cache is now
kept only once the build is whole; what a worker stages is swept if it stops.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from conftest import AS_OF, Result, make_catalog, run_cli
from salesplay import spares
from salesplay.outputs import Journal
from salesplay.render.templates import THEME_DIR
from salesplay.write import TEMP_PREFIX

#: a kit index page that fails for one partner's name only, so `check --templates` (one
#: page per tier and shape) passes and the build finds it while that partner's kit is made
FAULT = '<body>{% if partner.name == "Zed Rock" %}{{ 1 // 0 }}{% endif %}\n'
PLAY = "plays/backup-modernization.yaml"  # in every kit, and a chapter of the playbook


def _tree(out: Path) -> dict[str, bytes | str]:
    """Every entry under `out`, folders included: a file's bytes, "folder" for a folder,
    where a link points."""
    found: dict[str, bytes | str] = {}
    for folder, dirs, files in os.walk(out):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            rel = path.relative_to(out).as_posix()
            if path.is_symlink():
                found[rel] = f"-> {os.readlink(path)}"
            elif path.is_dir():
                found[rel] = "folder"
            else:
                found[rel] = path.read_bytes()
    return found


def _args(*more: str) -> tuple[str, ...]:
    return ("build", "--catalog", "plays", "--templates", "templates", "--as-of", AS_OF, *more)


def _built(root: Path, *more: str) -> None:
    result = run_cli(*_args(*more), cwd=root)
    assert result.code == 0, result.stderr


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _stopped(result: Result) -> None:
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.lines[-1].startswith("build stopped: nothing was written"), result.lines


def _undone(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many outputs each Journal.undo of the build puts back: a fault found before the
    first write puts back none, and would prove nothing here."""
    counts: list[int] = []
    real = Journal.undo

    def counted(self: Journal) -> None:
        counts.append(len(self._done))
        real(self)

    monkeypatch.setattr(Journal, "undo", counted)
    return counts


def _without_spares(tree: dict[str, bytes | str]) -> dict[str, bytes | str]:
    return {rel: data for rel, data in tree.items() if not rel.startswith(f"{spares.POOL}/")}


def _assert_as_it_was(before: dict[str, bytes | str], after: dict[str, bytes | str]) -> None:
    """`after` is `before`, byte for byte, every folder and file; but the spare of an
    output the build was remaking may be gone: its pages were freed just before the new
    version was written, for that to take them (spares.py), and the new version was not
    kept. A spare is never read, and none is added or changed."""
    assert [rel for rel in after if TEMP_PREFIX in rel] == []
    assert _without_spares(after) == _without_spares(before)
    left = {rel: data for rel, data in after.items() if rel.startswith(f"{spares.POOL}/")}
    assert all(before.get(rel) == data for rel, data in left.items())


# (--clean, --strict): a plain incremental build, and a --clean one under --strict (whose
# set-aside kit cache must come back); --clean at stage 0 is test_kit_cache's full-disk test
@pytest.mark.parametrize(("clean", "strict"), [(False, False), (True, True)])
def test_a_fault_found_while_the_kits_are_made_leaves_build_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean: bool, strict: bool
) -> None:
    """The reproduction of the fault (2026-12-07), with band files and spares there before:
    a partner's new name (its band file rewritten on the worker that makes its kit), a
    play edited (its chapter part, its cards, every kit), a new partner whose kit page
    fails. --clean sets the kit cache aside, and dropped it with the first output.

    --strict writes stage 0 before any kit is made, as the command line mostly does: the
    kits' fault then puts written outputs back. Without it, in-process, the rep's cards
    made on the standby may still be held when the fault comes (engine.early), so that no
    output was written: the kit cache was changed all the same."""
    root = make_catalog(tmp_path).parent
    (root / "templates").mkdir()
    page = (THEME_DIR / "kit_index.html").read_text(encoding="utf-8")
    assert page.count("<body>\n") == 1
    (root / "templates/kit_index.html").write_text(page.replace("<body>\n", FAULT))
    _built(root, "--jobs", "2")
    partner = root / "plays/partners/blue-river.yaml"
    _edit(partner, "name: Blue River IT", "name: Blue River Systems")
    _built(root, "--jobs", "2")  # the kits replaced: their spares, new band files
    before = _tree(root / "build")
    assert any(rel.startswith(f"{spares.POOL}/") for rel in before)
    assert any("/bands-kits-" in rel for rel in before)
    (root / "plays/partners/zed-rock.yaml").write_text("name: Zed Rock\ntier: silver\n")
    _edit(root / "plays" / PLAY, "summary: ", "summary: Edited. ")
    _edit(partner, "name: Blue River Systems", "name: Blue River Group")
    check = ("check", "--catalog", "plays", "--templates", "templates", "--as-of", AS_OF)
    assert run_cli(*check, cwd=root).code == 0  # one kit page per tier and shape: it passes
    undone = _undone(monkeypatch)
    more = [*(["--clean"] if clean else []), *(["--strict"] if strict else [])]
    result = run_cli(*_args("--jobs", "2", *more), cwd=root)
    _stopped(result)
    assert "kit_index.html" in result.stderr and "ZeroDivisionError" in result.stderr
    assert undone  # found while the kits were made: what was written is put back
    assert undone[0] > 0 or not strict
    _assert_as_it_was(before, _tree(root / "build"))
    # the next build, without the failing partner, keeps what it makes
    (root / "plays/partners/zed-rock.yaml").unlink()
    _built(root, "--jobs", "2")
    after = _tree(root / "build")
    assert [rel for rel in after if TEMP_PREFIX in rel] == []
    band = ".salesplay/cache/bands-kits-blue-river.blobs"
    assert after[band] != before[band]


# --clean at stage 0 is test_kit_cache.py's full-disk test (the suite's time: one build fewer)
@pytest.mark.parametrize("clean", [False])
def test_a_fault_while_the_first_stage_is_put_in_place_leaves_build_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean: bool
) -> None:
    """A fault while stage 0's outputs are put in place, after a playbook's chapters and the
    project's print sheet changed: the cache the build keeps (the sheet's lint; --clean, the
    kit cache set aside) was written, or dropped, as the first output was, and stayed."""
    from salesplay import write

    root = make_catalog(tmp_path).parent
    (root / "templates").mkdir()
    (root / "build").mkdir()  # a first build into no folder keeps no lint: it makes none
    sheet = root / "templates/print.css"
    sheet.write_text((THEME_DIR / "print.css").read_text(encoding="utf-8"), encoding="utf-8")
    _built(root, "--jobs", "1")
    before = _tree(root / "build")
    assert ".salesplay/csslint.json" in before
    _edit(root / "plays" / PLAY, "summary: ", "summary: Edited. ")
    sheet.write_text(sheet.read_text(encoding="utf-8") + "\nh1 { letter-spacing: 0; }\n")
    real = write.commit_output
    calls = {"n": 0}

    def full(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:  # the second of stage 0's outputs put in place
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(write, "commit_output", full)
    result = run_cli(*_args("--jobs", "1", *(["--clean"] if clean else [])), cwd=root)
    _stopped(result)
    assert calls["n"] >= 2
    _assert_as_it_was(before, _tree(root / "build"))
    monkeypatch.undo()
    _built(root, "--jobs", "1")
    assert _tree(root / "build")[".salesplay/csslint.json"] != before[".salesplay/csslint.json"]

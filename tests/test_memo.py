"""What serve's builder keeps between builds (memo.Memo), reused while the bytes are the same."""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from conftest import AS_OF, MINIMAL
from salesplay import imagecache, images, load
from salesplay.build import run_build
from salesplay.context import Context, resolve_as_of
from salesplay.families.site import card_path
from salesplay.imagecache import FOLDER
from salesplay.memo import Memo
from salesplay.render import shelf
from salesplay.views import Edition
from test_incremental import assert_same_tree

PLAY = "plays/backup-modernization.yaml"
CARD = card_path("backup-modernization")


@pytest.fixture(autouse=True)
def _no_shelf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The memo alone, as salesplay installed without `make` has it: the built-in theme is
    compiled, not loaded from the shelf `make` compiles it to (render.shelf)."""
    monkeypatch.setattr(shelf, "SHELF", tmp_path / "no-shelf")
    shelf.installed.cache_clear()
    yield
    shelf.installed.cache_clear()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(MINIMAL, tmp_path / "plays")
    return tmp_path


def _build(
    project: Path,
    out: str,
    memo: Memo | None,
    only: tuple[str, ...] = ("site",),
    clean: bool = False,
) -> tuple[int, str]:
    ctx = Context(
        catalog=project / "plays",
        as_of=resolve_as_of(AS_OF),
        templates=project / "templates",
        out=project / out,
        jobs=1,
        memo=memo,
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run_build(ctx, list(only), clean=clean)
    return code, err.getvalue()


def _counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Count files parsed, templates compiled and images decoded, from here on."""
    calls: dict[str, list[str]] = {"parsed": [], "compiled": [], "decoded": []}
    parse, compile_, check = load.parse_document, jinja2.Environment.compile, images.check_image

    def parsed(path: Path, kind: str, doc_id: str, raw: bytes) -> load.Document:
        calls["parsed"].append(path.name)
        return parse(path, kind, doc_id, raw)

    def compiled(self: jinja2.Environment, source: str, name: str | None = None, *a, **k):  # type: ignore[no-untyped-def]
        calls["compiled"].append(str(name))
        return compile_(self, source, name, *a, **k)

    def decoded(
        data: bytes, suffix: str, *, publish: bool = False, side: int = images.PUBLISH_SIDE
    ) -> images.Checked:
        calls["decoded"].append(suffix)
        return check(data, suffix, publish=publish, side=side)

    monkeypatch.setattr(load, "parse_document", parsed)
    monkeypatch.setattr(jinja2.Environment, "compile", compiled)
    monkeypatch.setattr(imagecache, "check_image", decoded)
    return calls


def test_a_second_build_parses_only_the_edited_file_and_compiles_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = Memo()
    assert _build(project, "build", memo)[0] == 0
    assert memo.templates, "the first build keeps what it compiled"
    play = project / "plays" / PLAY
    play.write_text(play.read_text().replace("name: ", "name: Edited ", 1))
    # the image entries on disk are gone: a logo can only come from the memo now
    shutil.rmtree(project / "build" / FOLDER)
    calls = _counted(monkeypatch)

    code, err = _build(project, "build", memo)

    assert code == 0, err
    assert calls["parsed"] == ["backup-modernization.yaml"]
    assert calls["compiled"] == []
    assert calls["decoded"] == []
    assert "Edited " in (project / "build" / CARD).read_text()
    # the same bytes as a build that kept nothing
    assert _build(project, "clean", None)[0] == 0
    assert_same_tree(project / "build", project / "clean")


def test_an_edited_or_added_template_is_compiled_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = Memo()
    assert _build(project, "build", memo)[0] == 0
    calls = _counted(monkeypatch)
    override = project / "templates" / "battlecard.html"
    override.parent.mkdir()
    override.write_text('{% extends "default/battlecard.html" %}{% block title %}One{% endblock %}')
    assert _build(project, "build", memo)[0] == 0
    assert "<title>One</title>" in (project / "build" / CARD).read_text()
    assert calls["compiled"] == ["battlecard.html"]

    override.write_text('{% extends "default/battlecard.html" %}{% block title %}Two{% endblock %}')
    assert _build(project, "build", memo)[0] == 0
    assert "<title>Two</title>" in (project / "build" / CARD).read_text()
    assert calls["compiled"] == ["battlecard.html", "battlecard.html"]


def test_a_file_that_failed_to_parse_fails_the_same_way_from_the_memo(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = Memo()
    play = project / "plays" / PLAY
    good = play.read_bytes()
    play.write_bytes(good + b"summary: [unclosed\n")
    first = _build(project, "build", memo)
    calls = _counted(monkeypatch)
    second = _build(project, "build", memo)
    assert first[0] == second[0] == 1
    assert calls["parsed"] == []
    said = [ln for ln in second[1].splitlines() if "backup-modernization.yaml:" in ln]
    assert said and said == [ln for ln in first[1].splitlines() if "backup-modernization" in ln]
    # mended, it is parsed again; only the last build's bytes of each file stay in the memo
    play.write_bytes(good)
    assert _build(project, "build", memo)[0] == 0
    assert calls["parsed"] == ["backup-modernization.yaml"]
    kept = [raw for path, _kind, _id, raw in memo.parsed if path == str(play)]
    assert kept == [good]


def test_a_changed_logo_is_decoded_again_and_an_unused_one_forgotten(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = Memo()
    assert _build(project, "build", memo)[0] == 0
    before = set(memo.images)
    assert before
    logo = project / "plays" / "assets" / "northwind.svg"
    logo.write_text(logo.read_text().replace("<svg", '<svg data-edited="1"', 1))
    calls = _counted(monkeypatch)
    assert _build(project, "build", memo)[0] == 0
    assert calls["decoded"] == [".svg"]
    assert len(memo.images) == len(before)  # the old logo's entry is gone
    assert set(memo.images) != before


def _rendered_cards(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The play ids whose web card page is rendered, from here on."""
    from salesplay.render import html

    calls: list[str] = []
    real = html.battlecard

    def counted(env: jinja2.Environment, edition: Edition, play_id: str, *a, **k) -> str:  # type: ignore[no-untyped-def]
        if k.get("medium") == "web":
            calls.append(play_id)
        return real(env, edition, play_id, *a, **k)

    monkeypatch.setattr(html, "battlecard", counted)
    return calls


def _set_summary(project: Path, pid: str, text: str) -> None:
    path = project / "plays" / "plays" / f"{pid}.yaml"
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("summary:")]
    path.write_text("\n".join([lines[0], f"summary: {text}", *lines[1:]]) + "\n")


def test_a_card_page_is_rendered_again_only_when_what_it_read_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a third play on no path: its card reads no other play, and no other card reads it
    drills = (project / "plays" / "plays" / "recovery-drills.yaml").read_text()
    lone = drills.replace("name: Recovery drills", "name: Lone play")
    (project / "plays" / "plays" / "lone.yaml").write_text(lone)
    memo = Memo()
    assert _build(project, "build", memo)[0] == 0
    calls = _rendered_cards(monkeypatch)

    _set_summary(project, "lone", "Edited alone.")
    assert _build(project, "build", memo)[0] == 0
    assert calls == ["lone"]

    # a play on the path: its summary is on its own card only; the card that names it in
    # its steps reads its name, not its summary
    calls.clear()
    _set_summary(project, "recovery-drills", "Edited on the path.")
    assert _build(project, "build", memo)[0] == 0
    assert calls == ["recovery-drills"]
    assert "Edited on the path." in (project / "build" / card_path("recovery-drills")).read_text()

    # its name is on both
    calls.clear()
    path = project / "plays" / "plays" / "recovery-drills.yaml"
    path.write_text(path.read_text().replace("name: Recovery drills", "name: Restore drills"))
    assert _build(project, "build", memo)[0] == 0
    assert sorted(calls) == ["backup-modernization", "recovery-drills"]
    assert "Restore drills" in (project / "build" / card_path("backup-modernization")).read_text()

    # nothing changed: nothing rendered; and the bytes are those of a build that kept nothing
    calls.clear()
    assert _build(project, "build", memo)[0] == 0
    assert calls == []
    assert _build(project, "clean", None)[0] == 0
    assert_same_tree(project / "build", project / "clean")


def test_a_page_is_rendered_again_when_a_template_changes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = Memo()
    assert _build(project, "build", memo)[0] == 0
    calls = _rendered_cards(monkeypatch)
    override = project / "templates" / "battlecard.html"
    override.parent.mkdir()
    override.write_text('{% extends "default/battlecard.html" %}{% block title %}T{% endblock %}')
    assert _build(project, "build", memo)[0] == 0
    assert sorted(calls) == ["backup-modernization", "recovery-drills"]


def test_jargon_scans_are_kept_while_the_glossary_is_the_same(
    project: Path, scanned: list[str]
) -> None:
    memo = Memo()
    assert _build(project, "build", memo)[0] == 0
    scanned.clear()
    _set_summary(project, "recovery-drills", "Drills prove RPO.")
    assert _build(project, "build", memo)[0] == 0
    assert len(scanned) == 1 and "Drills prove RPO." in scanned[0]  # the edited card alone
    glossary = project / "plays" / "glossary.yaml"
    glossary.write_text(glossary.read_text() + "\nDrills: Tests of a restore.\n")
    scanned.clear()
    assert _build(project, "build", memo)[0] == 0
    assert len(scanned) >= 2  # a new glossary: every card is scanned again
    assert "Drills" in (project / "build" / card_path("recovery-drills")).read_text()
    assert _build(project, "clean", None)[0] == 0
    assert_same_tree(project / "build", project / "clean")


def _checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The as-of date of every catalog check, from here on."""
    from salesplay import pipeline

    calls: list[str] = []
    real = pipeline.check_catalog

    def counted(ctx: Context) -> object:
        calls.append(str(ctx.as_of))
        return real(ctx)

    monkeypatch.setattr(pipeline, "check_catalog", counted)
    return calls


def test_the_builds_of_one_round_check_the_catalog_once(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = project / "plays" / "differentiators" / "immutable-by-default.yaml"
    text = stale.read_text()
    stale.write_text(text.replace("reviewed: 2026-09-15", "reviewed: 2020-01-15"))
    memo = Memo()
    checks = _checks(monkeypatch)
    code, pages = _build(project, "build", memo, ("site",))
    assert code == 0 and "stale claim" in pages, pages
    code, report = _build(project, "build", memo, ("reports", "kits"))
    assert code == 0 and checks == [AS_OF], "the second build of the same files checked again"
    # the same findings, in the terminal and in check.json, as a process that kept nothing
    warnings = [ln for ln in pages.splitlines() if ": warning: " in ln and "stale" in ln]
    assert warnings and all(w in report for w in warnings)
    assert _build(project, "fresh", None, ("site", "reports", "kits"))[0] == 0
    assert_same_tree(project / "build", project / "fresh")
    # the image cache keeps what the kept check decoded
    assert sorted((project / "build" / FOLDER).iterdir())
    # a saved file, or another date, is checked again (the fresh build checked once more)
    assert len(checks) == 2
    play = project / "plays" / PLAY
    play.write_text(play.read_text().replace("name: ", "name: Edited ", 1))
    assert _build(project, "build", memo, ("site",))[0] == 0
    assert _build(project, "build", memo, ("reports",))[0] == 0
    assert len(checks) == 3
    ctx_date = "2026-11-24"
    ctx = Context(
        catalog=project / "plays",
        as_of=resolve_as_of(ctx_date),
        templates=project / "templates",
        out=project / "build",
        jobs=1,
        memo=memo,
    )
    with contextlib.redirect_stderr(io.StringIO()):
        assert run_build(ctx, ["site"]) == 0
    assert checks[-1] == ctx_date and len(checks) == 4

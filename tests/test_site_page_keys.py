"""A portal card page is rendered to plan it only when something it read changed, as a PDF's
page is (families.site card_pages, Records.pages): an edit renders the cards that show it,
and the portal is the one a clean build makes; a card page changed by hand is made again."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import AS_OF, SAMPLE, built_with_solo_play, copy_project
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.engine.records import RECORDS
from salesplay.render import html

SOLO = "solo-drill"


def build(root: Path, out: str = "build", *, clean: bool = False) -> str:
    """One in-process build (--jobs 1) of the portal of root/plays into root/OUT; its stderr."""
    ctx = Context(
        catalog=root / "plays", as_of=dt.date.fromisoformat(AS_OF), out=root / out, jobs=1
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run_build(ctx, ["site"], clean=clean)
    assert code == 0, err.getvalue()
    return err.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal catalog with a play on no path, its portal built once."""
    return built_with_solo_play(tmp_path_factory.mktemp("site"), SOLO, build)


@pytest.fixture
def web_cards(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The plays whose portal card page is rendered from here on."""
    calls: list[str] = []
    battlecard = html.battlecard

    def card(*args: object, **kwargs: object) -> str:
        if kwargs.get("medium") == "web":
            calls.append(str(args[2]))
        return battlecard(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(html, "battlecard", card)
    return calls


def _site(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in (out / "site").rglob("*")
        if p.is_file()
    }


def _summary_readers(root: Path, play: str) -> set[str]:
    """The plays whose card page's recorded reads take in `play`'s summary."""
    records = json.loads((root / "build" / RECORDS).read_text(encoding="utf-8"))
    found = set()
    for name, page in records["pages"].items():
        if not name.startswith("site:"):
            continue
        reads = {tuple(r) for r in page["reads"]}
        if reads & {("plays", play, "summary"), ("plays", play, "*"), ("plays", "*", "*")}:
            found.add(Path(page["rel"]).stem)
    return found


def _edit_summary(root: Path, play: str) -> None:
    path = root / "plays" / "plays" / f"{play}.yaml"
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r"(?m)^summary: (.*)$", r"summary: \1 Run every quarter.", text, count=1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")


def test_an_edit_renders_only_the_card_pages_that_read_it(
    built: Path, tmp_path: Path, web_cards: list[str]
) -> None:
    project = copy_project(built, tmp_path)
    readers = _summary_readers(project, "recovery-drills")
    assert "recovery-drills" in readers and SOLO not in readers
    before = _site(project / "build")
    _edit_summary(project, "recovery-drills")
    build(project)
    assert sorted(web_cards) == sorted(readers)
    after = _site(project / "build")
    card = "site/battlecards/recovery-drills.html"
    assert after[card] != before[card]
    assert after[f"site/battlecards/{SOLO}.html"] == before[f"site/battlecards/{SOLO}.html"]
    # theme files and assets of the pages not rendered are still copied
    assert after.keys() == before.keys()
    build(project, "clean", clean=True)
    assert _site(project / "build") == _site(project / "clean")


def test_a_card_page_changed_by_hand_is_made_again(
    built: Path, tmp_path: Path, web_cards: list[str]
) -> None:
    project = copy_project(built, tmp_path)
    page = project / "build" / "site" / "battlecards" / f"{SOLO}.html"
    made = page.read_bytes()
    page.write_bytes(made.replace(b"Solo drill", b"Tampered"))
    _edit_summary(project, "recovery-drills")  # a build that plans the site again
    build(project)
    assert page.read_bytes() == made
    assert SOLO in web_cards


def test_a_clean_build_renders_every_card_page(
    built: Path, tmp_path: Path, web_cards: list[str]
) -> None:
    build(copy_project(built, tmp_path), clean=True)
    assert {SOLO, "recovery-drills", "backup-modernization"} <= set(web_cards)


def test_each_languages_card_pages_are_keyed_by_their_own_files(
    tmp_path: Path, web_cards: list[str]
) -> None:
    # the sample's portal in four languages: a translated card page is checked against its
    # own file (de/site/...), so an edit renders the pages that read it in each language
    root = tmp_path / "p"
    shutil.copytree(SAMPLE, root / "plays")
    build(root)
    records = json.loads((root / "build" / RECORDS).read_text(encoding="utf-8"))
    rels = {page["rel"] for name, page in records["pages"].items() if name.startswith("site:")}
    assert "de/site/battlecards/backup-modernization.html" in rels
    readers = _summary_readers(root, "backup-modernization")
    assert readers and len(readers) < len(rels) / 4
    _edit_summary(root, "backup-modernization")
    web_cards.clear()
    build(root)
    assert set(web_cards) == readers and len(web_cards) == 4 * len(readers)
    build(root, "clean", clean=True)
    assert _site(root / "build") == _site(root / "clean")
    for locale in ("de", "ja", "ar"):
        assert _site(root / "build" / locale) == _site(root / "clean" / locale)

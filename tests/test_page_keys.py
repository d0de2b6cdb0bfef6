"""A PDF's page is rendered to plan it only when something it read changed (families.base
pdf_page): an edit renders the pages that show it, and the outputs are those of a clean
build; a removed output, lost or damaged keys and a template override still come out right."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from conftest import AS_OF, base_text, built_with_solo_play, copy_project, make_catalog
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.engine.records import RECORDS
from salesplay.render import html

PLAY = "plays/backup-modernization.yaml"
#: a play on no path: no other page reads it, and its card reads no other play
SOLO = "solo-drill"
ONLY = ("battlecards", "playbooks")
EVERY_PAGE = [
    ("card", "backup-modernization"),
    ("card", "recovery-drills"),
    ("card", SOLO),
    ("playbook", "cyber-resilience"),
]


def build(root: Path, out: str = "build", *, clean: bool = False) -> str:
    """One in-process build (--jobs 1) of root/plays into root/OUT; its stderr."""
    templates = root / "templates"
    ctx = Context(
        catalog=root / "plays",
        as_of=dt.date.fromisoformat(AS_OF),
        out=root / out,
        jobs=1,
        templates=templates if templates.is_dir() else None,
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run_build(ctx, list(ONLY), clean=clean)
    assert code == 0, err.getvalue()
    return err.getvalue()


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The card and playbook pages rendered from here on: ("card", play), ("playbook", dest)."""
    calls: list[tuple[str, str]] = []
    battlecard, playbook = html.battlecard, html.playbook

    def card(*args: object, **kwargs: object) -> str:
        calls.append(("card", str(args[2])))
        return battlecard(*args, **kwargs)  # type: ignore[arg-type]

    def book(*args: object, **kwargs: object) -> str:
        calls.append(("playbook", str(args[2])))
        return playbook(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(html, "battlecard", card)
    monkeypatch.setattr(html, "playbook", book)
    return calls


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal catalog with a play on no path, its cards and playbook built once."""
    return built_with_solo_play(tmp_path_factory.mktemp("pages"), SOLO, build)


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A copy of the module's built project (catalog and build), for one test to change."""
    return copy_project(built, tmp_path)


def _comment(root: Path) -> None:
    """A comment added to a play's file: the file changed, the play did not."""
    play = root / "plays" / PLAY
    play.write_text(play.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*.pdf")
        if ".salesplay" not in p.parts
    }


def _pages(root: Path) -> dict[str, dict[str, object]]:
    records = json.loads((root / "build" / RECORDS).read_text(encoding="utf-8"))
    pages: dict[str, dict[str, object]] = records["pages"]
    return pages


def _readers(root: Path, play: str, what: str | None = None) -> set[tuple[str, str]]:
    """The pages whose recorded reads name `play` (or the whole table), as `rendered` names
    them; with `what`, only those that read that field of it (or the whole play)."""
    found = set()
    for name, page in _pages(root).items():
        reads = {tuple(r) for r in page["reads"]}  # type: ignore[attr-defined]
        mine = {w for table, key, w in reads if table == "plays" and key in (play, "*")}
        if mine and (what is None or what in mine or "*" in mine):
            rel = str(page["rel"])
            kind = "card" if rel.startswith("battlecards/") else "playbook"
            found.add((kind, Path(rel).stem))
        assert name.endswith("@en")
    return found


def _same_as_clean(root: Path) -> None:
    build(root, "clean", clean=True)
    assert _outputs(root / "build") == _outputs(root / "clean")


def test_an_edit_renders_only_the_pages_that_read_it(
    project: Path, rendered: list[tuple[str, str]]
) -> None:
    pages = _pages(project)
    assert {p["rel"] for p in pages.values()} == {
        "battlecards/backup-modernization.pdf",
        "battlecards/recovery-drills.pdf",
        f"battlecards/{SOLO}.pdf",
        "playbooks/cyber-resilience.pdf",
    }
    # the playbook reads every play of its destination's paths; the solo card, only its own
    readers = _readers(project, "backup-modernization")
    assert ("card", "backup-modernization") in readers and ("card", SOLO) not in readers
    assert ("playbook", "cyber-resilience") in readers
    summary = _readers(project, "backup-modernization", "summary")
    before = _outputs(project / "build")

    play = project / "plays" / PLAY
    text = play.read_text(encoding="utf-8")
    play.write_text(text.replace("off-site copies.", "off-site copies, kept for years."))
    build(project)
    # only the pages that read the summary are rendered again
    assert sorted(rendered) == sorted(summary)
    after = _outputs(project / "build")
    assert (
        after["battlecards/backup-modernization.pdf"]
        != before["battlecards/backup-modernization.pdf"]
    )
    assert after[f"battlecards/{SOLO}.pdf"] == before[f"battlecards/{SOLO}.pdf"]
    rendered.clear()
    _same_as_clean(project)
    assert ("card", SOLO) in rendered  # the clean build rendered every page


def test_a_neighbours_summary_renders_no_card_that_only_names_it(
    project: Path, rendered: list[tuple[str, str]]
) -> None:
    # the backup card's path strip names the next play, recovery drills; its summary is not
    # on that card, so editing the summary renders its own card and the playbook, not this
    assert ("card", "backup-modernization") in _readers(project, "recovery-drills")
    summary = _readers(project, "recovery-drills", "summary")
    assert ("card", "backup-modernization") not in summary
    assert ("card", "recovery-drills") in summary
    before = _outputs(project / "build")
    play = project / "plays" / "plays" / "recovery-drills.yaml"
    text = play.read_text(encoding="utf-8")
    edited = re.sub(r"(?m)^summary: (.*)$", r"summary: \1 Run every quarter.", text, count=1)
    assert edited != text
    play.write_text(edited, encoding="utf-8")
    build(project)
    assert sorted(rendered) == sorted(summary)
    after = _outputs(project / "build")
    assert after["battlecards/recovery-drills.pdf"] != before["battlecards/recovery-drills.pdf"]
    assert (
        after["battlecards/backup-modernization.pdf"]
        == before["battlecards/backup-modernization.pdf"]
    )
    _same_as_clean(project)


def test_nothing_read_changed_renders_no_page(
    project: Path, rendered: list[tuple[str, str]]
) -> None:
    # a comment changes a file the families read, not what any page reads of its edition:
    # the families plan again, and no page is rendered to plan them
    _comment(project)
    err = build(project)
    assert "0 changed" in err.splitlines()[-1]
    assert rendered == []


def test_a_removed_output_is_made_again_from_its_page(
    project: Path, rendered: list[tuple[str, str]]
) -> None:
    before = _outputs(project / "build")
    (project / "build" / f"battlecards/{SOLO}.pdf").unlink()
    build(project)
    # its key came from the records; its page was rendered to make the PDF
    assert rendered == [("card", SOLO)]
    assert _outputs(project / "build") == before


@pytest.mark.parametrize("damage", ["missing", "corrupt", "foreign"])
def test_lost_or_damaged_page_keys_render_every_page(
    project: Path, rendered: list[tuple[str, str]], damage: str
) -> None:
    records = project / "build" / RECORDS
    raw = json.loads(records.read_text(encoding="utf-8"))
    if damage == "missing":
        del raw["pages"]
    elif damage == "corrupt":
        raw["pages"] = {"x": {"rel": 1}}
    else:  # a key recorded for another page's reads must not pass for this one's
        name = next(n for n in raw["pages"] if SOLO in n)
        other = next(n for n in raw["pages"] if "recovery-drills.pdf" in n)
        raw["pages"][name] = dict(raw["pages"][other])
    records.write_text(json.dumps(raw), encoding="utf-8")
    _comment(project)
    before = _outputs(project / "build")
    err = build(project)
    assert "0 changed" in err.splitlines()[-1]
    assert _outputs(project / "build") == before
    if damage == "foreign":
        assert rendered == [("card", SOLO)]
    else:
        assert sorted(rendered) == sorted(EVERY_PAGE)


def test_a_template_override_renders_every_page_again(
    project: Path, rendered: list[tuple[str, str]]
) -> None:
    templates = project / "templates"
    templates.mkdir()
    (templates / "battlecard.html").write_text(
        '{% extends "default/battlecard.html" %}', encoding="utf-8"
    )
    build(project)
    assert sorted(rendered) == sorted(EVERY_PAGE)


def test_the_page_keys_of_members_no_kit_holds_any_more_are_forgotten(tmp_path: Path) -> None:
    """A play gone from every kit left its members' page keys in records.json for good."""
    extra = base_text(PLAY).replace("audience: partner", "audience: partner\nname: Extra drill", 1)
    extra = "\n".join(ln for ln in extra.splitlines() if not ln.startswith("name: Backup"))
    # red-rock registered: a kit with no members, so that `salesplay kit red-rock` plans none
    registered = base_text("partners/red-rock.yaml").replace("tier: silver", "tier: registered")
    edits = {"plays/extra-drill.yaml": extra + "\n", "partners/red-rock.yaml": registered}
    root = make_catalog(tmp_path, edits).parent

    def kit_pages() -> set[str]:
        ctx = Context(
            catalog=root / "plays", as_of=dt.date.fromisoformat(AS_OF), out=root / "build"
        )
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            assert run_build(ctx, ["kits"]) == 0, err.getvalue()
        return {name for name in _pages(root) if name.startswith("kits:")}

    before = kit_pages()
    assert {n for n in before if "/extra-drill." in n}  # the card the gold kit holds
    (root / "plays/plays/extra-drill.yaml").unlink()
    after = kit_pages()
    assert after == {n for n in before if "/extra-drill." not in n}
    # a kit made alone (`salesplay kit`) plans some kits: it forgets nothing
    (root / "plays/plays/extra-drill.yaml").write_text(extra + "\n")
    assert kit_pages() == before
    ctx = Context(catalog=root / "plays", as_of=dt.date.fromisoformat(AS_OF), out=root / "build")
    with contextlib.redirect_stderr(io.StringIO()):
        assert run_build(ctx, ["kits"], partners=["red-rock"]) == 0
    assert {n for n in _pages(root) if n.startswith("kits:")} == before


def test_a_removed_templates_folder_renders_its_pages_again(
    project: Path, rendered: list[tuple[str, str]]
) -> None:
    """Records name a page's files by the rank of their folder; with the templates folder
    gone the theme's rank moved down, and a build crashed on a rank no folder had."""
    templates = project / "templates"
    templates.mkdir()
    (templates / "battlecard.html").write_text(
        '{% extends "default/battlecard.html" %}', encoding="utf-8"
    )
    build(project)
    for page in templates.iterdir():
        page.unlink()
    templates.rmdir()
    rendered.clear()
    build(project)
    assert sorted(rendered) == sorted(EVERY_PAGE)
    _same_as_clean(project)

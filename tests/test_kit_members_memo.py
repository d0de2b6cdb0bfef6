"""The kits' per-tier members (cards, briefs, competitor cards, decks) are not planned again
while only partners changed: their pages are not rendered, the kit is the same as from a
full plan, and a member whose cached bytes are gone is rendered again to the same kit."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import kit_standins as standins
from conftest import AS_OF, run_cli
from kit_standins import PARTNER, ZIP
from salesplay.engine.records import RECORDS
from salesplay.families import kitmembers
from salesplay.families import kits as family
from salesplay.render import html
from salesplay.render.theme import THEME_DIR

MEMO = f"{family.NAME}-members@en"


class Planned(Exception):
    """A member was planned (its page or slides rendered)."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The minimal catalog and its build of blue-river's kit, made in place once for the
    module. These tests are about which members are planned, not about WeasyPrint: a member
    PDF is a stand-in page (the decks are real)."""
    with standins.built(tmp_path_factory, "members") as root:
        yield root


@pytest.fixture
def project(built: Path) -> Iterator[Path]:
    """The module's project; its catalog and template folder are put back afterwards."""
    yield built
    standins.restore(built)


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """The members planned from here on, (kind, tier, id); battlecard pages rendered are
    counted as ("battlecard", "", play)."""
    calls: list[tuple[str, str, str]] = []
    unit, battlecard = kitmembers.Members.unit, html.battlecard

    def counting(self: kitmembers.Members, what: str, tier: str, eid: str) -> object:
        calls.append((what, tier, eid))
        return unit(self, what, tier, eid)

    def rendering(*args: object, **kwargs: object) -> str:
        calls.append(("battlecard", "", str(args[2])))
        return battlecard(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kitmembers.Members, "unit", counting)
    monkeypatch.setattr(html, "battlecard", rendering)
    return calls


@pytest.fixture
def refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planning a member stops the build (Planned): the test needs no render."""

    def refuse(*_args: object, **_kwargs: object) -> object:
        raise Planned

    monkeypatch.setattr(kitmembers.Members, "unit", refuse)


def _cache(project: Path) -> set[str]:
    return {p.name for p in (project / "build" / family.CACHE).iterdir()}


def _members(project: Path) -> list[dict[str, object]]:
    records = json.loads((project / "build" / RECORDS).read_text(encoding="utf-8"))
    return records["plans"][MEMO]["outputs"]  # type: ignore[no-any-return]


def _edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / "plays" / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _index(kit: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(kit)) as zf:
        name = next(n for n in zf.namelist() if n.endswith("/index.html"))
        return zf.read(name).decode()


def test_a_partner_edit_renders_no_member_and_keeps_every_cached_member(
    project: Path, planned: list[tuple[str, str, str]]
) -> None:
    members, cache = _members(project), _cache(project)
    kinds = {m["slot"][0] for m in members}  # type: ignore[index]
    assert {"card", "enablement", "competitor"} <= kinds
    before = (project / "build" / ZIP).read_bytes()
    # the partner's name is on every band of its kit (gold kits have no customer part, where
    # its contact would be)
    _edit(project, "partners/blue-river.yaml", "name: Blue River IT", "name: Blue River Data")
    kit = standins.kit(project)
    assert planned == []
    assert kit != before and "Blue River Data" in _index(kit)
    # every member is still in use: the sweep kept each cached member and deck base
    assert _cache(project) == cache
    assert _members(project) == members
    # the kit a full plan of the members makes is the same (the cache spares the renders);
    # without the pages' keys either, every member's page is rendered to plan it
    (project / "build" / ZIP).unlink()
    records = project / "build" / RECORDS
    raw = json.loads(records.read_text(encoding="utf-8"))
    del raw["plans"][MEMO]
    del raw["pages"]
    records.write_text(json.dumps(raw), encoding="utf-8")
    assert standins.kit(project) == kit
    assert len([c for c in planned if c[0] != "battlecard"]) == len(members)
    assert any(c[0] == "battlecard" for c in planned)
    assert _members(project) == members


@pytest.mark.parametrize("change", ["play", "template", "as-of"])
def test_what_members_read_plans_them_again(
    project: Path,
    refused: None,
    change: str,
) -> None:
    as_of = AS_OF
    if change == "play":  # a play the gold kit holds
        _edit(project, "plays/backup-modernization.yaml", "off-site copies.", "copies, tested.")
    elif change == "template":
        (project / "templates").mkdir()
        shutil.copy(THEME_DIR / "customer_brief.html", project / "templates")
    else:
        as_of = "2026-01-02"
    done = run_cli("kit", PARTNER, "--as-of", as_of, "--jobs", "1", cwd=project)
    # salesplay reports what it did not expect as an internal error
    assert done.code != 0 and "Planned" in done.stderr


@pytest.mark.parametrize("change", ["rep-only play", "comment", "line above a rep-only play"])
def test_an_edit_no_kit_shows_plans_no_member(project: Path, refused: None, change: str) -> None:
    # the members' plan is keyed by the tiers' kit editions, not by the catalog's files
    kit = standins.kit(project)
    if change == "rep-only play":  # recovery-drills reaches no partner
        _edit(project, "plays/recovery-drills.yaml", "every quarter", "every month")
    elif change == "comment":
        _edit(project, "plays/backup-modernization.yaml", "\nsummary:", "\n# reviewed\nsummary:")
    else:  # its first line moves, where no kit member's warning is said
        _edit(project, "plays/recovery-drills.yaml", "name: Recovery", "# ops\nname: Recovery")
    assert standins.kit(project) == kit


def test_unchanged_members_are_not_planned_again(project: Path, refused: None) -> None:
    """The control of the test above: with nothing members read changed, no member is
    planned (the kit alone is made again)."""
    kit = standins.kit(project)  # the kit of the catalog as it is (an earlier test edited it)
    (project / "build" / ZIP).unlink()
    assert standins.kit(project) == kit


def test_a_member_whose_cached_bytes_are_gone_is_rendered_again_to_the_same_kit(
    project: Path, planned: list[tuple[str, str, str]]
) -> None:
    kit = standins.kit(project)  # the kit of the catalog as it is (an earlier test edited it)
    assert planned == []
    card = next(m for m in _members(project) if m["slot"][0] == "card")  # type: ignore[index]
    cached = project / "build" / family.CACHE / f"{card['key']}.pdf"
    made = cached.read_bytes()
    cached.unlink()
    (project / "build" / ZIP).unlink()
    assert standins.kit(project) == kit
    # that member alone, its page rendered in the parent; its bytes cached again
    slot = card["slot"]
    assert isinstance(slot, list)
    assert planned == [tuple(slot), ("battlecard", "", slot[2])]
    assert cached.read_bytes() == made

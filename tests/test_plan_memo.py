"""Reused plans: a family that ignores partners is not planned again when only partners
changed, and is planned again whenever anything it reads, or one of its outputs, did."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from conftest import AS_OF, base_text, make_catalog
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.diagnostics import Diagnostic, Location, Severity
from salesplay.engine.records import RECORDS, Record, Records
from salesplay.families import family
from salesplay.families.base import Sources
from salesplay.i18n import TRANSLATIONS_DIR

PARTNER = "partners/blue-river.yaml"
PLAY = "plays/backup-modernization.yaml"
#: a family that ignores partners (the portal: HTML only, cheap) and one that does not.
IGNORING, READING = "site", "reports"


def build(root: Path, only: Sequence[str] = (IGNORING, READING)) -> str:
    """One in-process build of root/plays into root/build; its stderr."""
    ctx = Context(
        catalog=root / "plays", as_of=dt.date.fromisoformat(AS_OF), out=root / "build", jobs=1
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run_build(ctx, list(only))
    assert code == 0, err.getvalue()
    return err.getvalue()


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each family's plan ran, by "family@locale", from here on; the families see
    the sources a build gives them (what they ignore is left out)."""
    calls: Counter[str] = Counter()
    for name in (IGNORING, READING, "feed"):
        fam = family(name)

        def counting(src: Sources, name: str = name, plan=fam.plan) -> list:  # type: ignore[no-untyped-def,type-arg]
            calls[f"{name}@{src.locale}"] += 1
            if name == IGNORING:
                # what the family ignores it is not given
                assert not src.cat.partners
                assert not src.editions["partner"].partners
                assert not any(kind == "partner" for kind, _ in src.cat.docs)
            return plan(src)

        module = __import__(f"salesplay.families.{name}", fromlist=["FAMILY"])
        monkeypatch.setattr(module, "FAMILY", dataclasses.replace(fam, plan=counting))
    return calls


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / "plays" / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_partner_edit_reuses_the_plans_of_families_that_ignore_partners(
    tmp_path: Path, planned: Counter[str]
) -> None:
    make_catalog(tmp_path)
    build(tmp_path)
    assert planned == {f"{IGNORING}@en": 1, f"{READING}@en": 1}
    before = (tmp_path / "build/site/index.html").read_bytes()
    edit(tmp_path, PARTNER, "dana@blueriver.example", "dana.ruiz@blueriver.example")
    build(tmp_path)
    # the reports read of the partners' files only who they are, their tiers and their
    # diagnostics (Family.skims): a new contact plans neither
    assert planned == {f"{IGNORING}@en": 1, f"{READING}@en": 1}
    assert (tmp_path / "build/site/index.html").read_bytes() == before
    # a partner's new warning (its contact's name past the longest a card holds) plans the
    # reports, which show it
    # (words: a word past 1,000 characters is an error, which stops the build)
    edit(tmp_path, PARTNER, "name: Dana Ruiz", "name: Dana " + "Ruiz " * 1040)
    build(tmp_path)
    assert planned == {f"{IGNORING}@en": 1, f"{READING}@en": 2}
    report = (tmp_path / "build/reports/check.json").read_text(encoding="utf-8")
    assert "'contact.name' is 5,204 characters long" in report
    edit(tmp_path, PARTNER, "tier: gold", "tier: silver")  # and so does a new tier
    build(tmp_path)
    assert planned == {f"{IGNORING}@en": 1, f"{READING}@en": 3}
    # a play edit reaches the portal
    edit(tmp_path, PLAY, "name: Backup modernization", "name: Backup renewal")
    build(tmp_path)
    assert planned[f"{IGNORING}@en"] == 2
    assert "Backup renewal" in (tmp_path / "build/site/index.html").read_text(encoding="utf-8")


def test_a_reused_plan_whose_output_changed_or_went_is_planned_again(
    tmp_path: Path, planned: Counter[str]
) -> None:
    make_catalog(tmp_path)
    build(tmp_path)
    page = tmp_path / "build/site/index.html"
    made = page.read_bytes()
    page.unlink()
    build(tmp_path)
    assert planned[f"{IGNORING}@en"] == 2
    assert page.read_bytes() == made
    page.write_bytes(b"edited by hand")
    build(tmp_path)
    assert planned[f"{IGNORING}@en"] == 3
    assert page.read_bytes() == made


def test_an_output_changed_between_planning_and_making_is_made_from_a_fresh_plan(
    tmp_path: Path, planned: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: a reused plan's output is touched after _plan found it fresh. The build
    plans everything again rather than write an output it has no bytes for."""
    make_catalog(tmp_path)
    build(tmp_path)
    page = tmp_path / "build/site/index.html"
    made = page.read_bytes()
    real = Records.planned

    def racing(self: Records, name: str, key: str, out: Path):  # type: ignore[no-untyped-def]
        found = real(self, name, key, out)
        if found is not None and name == f"{IGNORING}@en":
            page.write_bytes(b"touched while planning")
        return found

    monkeypatch.setattr(Records, "planned", racing)
    edit(tmp_path, PARTNER, "dana@blueriver.example", "dana.ruiz@blueriver.example")
    build(tmp_path)
    assert page.read_bytes() == made
    assert planned[f"{IGNORING}@en"] == 2  # once reused, then planned for the remake


@pytest.mark.parametrize(
    "damage",
    [
        lambda r: r | {"plans": "not a mapping"},
        lambda r: r | {"plans": {f"{IGNORING}@en": {"key": 1}}},
        lambda r: r | {"plans": {f"{IGNORING}@en": {"key": "x", "outputs": [{"rel": 3}]}}},
    ],
    ids=["not-a-mapping", "no-outputs", "bad-output"],
)
def test_damaged_plan_records_mean_plan_again(
    tmp_path: Path, planned: Counter[str], damage: object
) -> None:
    make_catalog(tmp_path)
    build(tmp_path)
    records = tmp_path / "build" / RECORDS
    raw = json.loads(records.read_text(encoding="utf-8"))
    assert f"{IGNORING}@en" in raw["plans"]
    records.write_text(json.dumps(damage(raw)), encoding="utf-8")  # type: ignore[operator]
    edit(tmp_path, PARTNER, "dana@blueriver.example", "dana.ruiz@blueriver.example")
    build(tmp_path)
    assert planned[f"{IGNORING}@en"] == 2


def test_a_translation_edit_replans_only_its_own_locale(
    tmp_path: Path, planned: Counter[str]
) -> None:
    root = make_catalog(tmp_path, {"catalog.yaml": base_text("catalog.yaml") + "locales: [de]\n"})
    po = root / TRANSLATIONS_DIR / "de.po"
    po.parent.mkdir()
    po.write_text('msgid ""\nmsgstr ""\n"Language: de\\n"\n', encoding="utf-8")
    build(tmp_path, (IGNORING,))
    assert planned == {f"{IGNORING}@en": 1, f"{IGNORING}@de": 1}
    po.write_text(po.read_text(encoding="utf-8") + "\n# a translator's note\n", encoding="utf-8")
    build(tmp_path, (IGNORING,))
    assert planned == {f"{IGNORING}@en": 1, f"{IGNORING}@de": 2}


def test_records_are_written_field_for_field_and_read_back(tmp_path: Path) -> None:
    root = make_catalog(tmp_path).parent
    stale = root / "plays" / "differentiators" / "immutable-by-default.yaml"
    stale.write_text(stale.read_text().replace("reviewed: 2026-09-15", "reviewed: 2020-01-15"))
    build(root, (IGNORING, READING, "battlecards"))
    records = Records.load(root / "build")
    warned = Diagnostic(
        Location(root / "plays" / "x.yaml", 3, 4),
        Severity.WARNING,
        "long",
        "card-length",
        ("play", "x"),
    )
    records.entries["battlecards/x.pdf"] = Record("k", 1, 2, (warned,))
    raw = json.loads(records.to_json())
    assert records.plans and len(records.entries) > 10
    for rel, record in records.entries.items():
        fields = dataclasses.asdict(record)
        fields["warnings"] = [w.to_record() for w in record.warnings]
        assert raw["entries"][rel] == json.loads(json.dumps(fields)), rel
    for name, memo in records.plans.items():
        assert raw["plans"][name] == json.loads(json.dumps(dataclasses.asdict(memo))), name
    (root / "build" / RECORDS).write_bytes(records.to_json())
    again = Records.load(root / "build")
    assert again.entries == records.entries and again.plans == records.plans


def test_a_kits_index_page_is_rendered_ahead_only_for_a_kit_that_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan renders one index page per tier before anything is written (a template
    fault stops the build there), of a kit that is made: a partner edit renders that
    partner's page alone, once."""
    from salesplay import kits

    make_catalog(tmp_path)
    build(tmp_path, ["kits"])
    rendered: list[str] = []
    real = kits.kit_index

    def noted(shared: kits.KitShared, pid: str, names: list[str]) -> bytes:
        rendered.append(pid)
        return real(shared, pid, names)

    monkeypatch.setattr(kits, "kit_index", noted)
    before = (tmp_path / "build/kits/red-rock.zip").read_bytes()
    edit(tmp_path, PARTNER, "name: Blue River IT", "name: Blue River Group")
    assert "1 changed" in build(tmp_path, ["kits"])
    assert rendered == ["blue-river"]
    assert (tmp_path / "build/kits/red-rock.zip").read_bytes() == before
    with zipfile.ZipFile(tmp_path / "build/kits/blue-river.zip") as kit:
        assert "Blue River Group" in kit.read("blue-river/index.html").decode()

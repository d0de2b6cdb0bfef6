"""One visibility policy: the partner edition decides every kit, and the kits hold just that.

The policy's answers (partner views, tier kits and their narrowed editions) are checked
against the YAML by the contract's rule, then against what a built kit actually contains:
its members, its index, and the text of every PDF, deck and page in it.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import AS_OF, base_text, make_catalog, replace_in, resolved
from salesplay.edition import make_edition
from salesplay.models import AUDIENCES, Audience
from salesplay.resolve import Catalog
from salesplay.views import Edition
from sessionbuild import salesplay, shared

BM = "plays/backup-modernization.yaml"
RD = "plays/recovery-drills.yaml"
DEST = "destinations/cyber-resilience.yaml"
PATH = "paths/resilience-journey.yaml"
TIERS = ("registered", "silver", "gold")
#: the gold-only play's name: it must never reach a lower tier's kit, not even by name.
GOLD_NAME = "Kqzgold Drills"


def catalog(tmp_path: Path, edits: dict[str, str] | None = None) -> Catalog:
    cat, ctx = resolved(tmp_path, edits)
    assert cat is not None and not ctx.reporter.has_errors(False), ctx.reporter.diagnostics
    return cat


def kit_plays(tmp_path: Path, edits: dict[str, str] | None = None) -> dict[str, tuple[str, ...]]:
    partners = make_edition(catalog(tmp_path, edits), "partner").partners
    return {pid: view.plays for pid, view in partners.items()}


def gold_only_edits() -> dict[str, str]:
    """Both plays partner-visible on one path: step 1 for every tier, step 2 for gold only."""
    rd = base_text(RD).replace("name: Recovery drills", f"name: {GOLD_NAME}")
    rd = rd.replace("min_tier: registered}", "min_tier: gold}")
    return {
        BM: base_text(BM).replace("min_tier: silver}", "min_tier: registered}"),
        RD: "audience: partner\n" + rd,
        DEST: "audience: public\n" + base_text(DEST),
        PATH: "audience: public\n" + base_text(PATH),
    }


# --- the policy's answers, by the contract's rule ----------------------------------------


def test_kit_plays_by_tier_and_audience(tmp_path: Path) -> None:
    # recovery-drills is rep-only (no audience) → in no kit; backup-modernization needs silver
    assert kit_plays(tmp_path / "silver") == {
        "blue-river": ("backup-modernization",),
        "red-rock": ("backup-modernization",),
    }
    registered = replace_in("partners/red-rock.yaml", "tier: silver", "tier: registered")
    assert kit_plays(tmp_path / "a", registered) == {
        "blue-river": ("backup-modernization",),
        "red-rock": (),
    }
    edits = {
        **registered,
        **replace_in(RD, "products: [vault]", "audience: public\nproducts: [vault]"),
    }
    assert kit_plays(tmp_path / "b", edits) == {
        "blue-river": ("backup-modernization", "recovery-drills"),
        "red-rock": ("recovery-drills",),
    }


def test_partner_block_audience_narrows_kit_membership(tmp_path: Path) -> None:
    edits = replace_in(BM, "min_tier: silver}", "min_tier: silver, audience: internal}")
    assert kit_plays(tmp_path, edits)["blue-river"] == ()


def test_play_without_partner_block_is_in_no_kit(tmp_path: Path) -> None:
    edits = replace_in(
        BM, "partner: {role: Partner runs the proof of concept, min_tier: silver}\n", ""
    )
    assert kit_plays(tmp_path, edits) == {"blue-river": (), "red-rock": ()}


def test_partners_belong_to_the_partner_edition_alone(tmp_path: Path) -> None:
    cat = catalog(tmp_path)
    for audience in AUDIENCES:
        ed = make_edition(cat, audience)
        assert bool(ed.partners) == (audience == "partner")
        assert bool(ed.kits) == (audience == "partner")
    partner = make_edition(cat, "partner")
    blue = partner.partners["blue-river"]
    assert (blue.name, blue.tier, blue.logo) == (
        "Blue River IT",
        "gold",
        "assets/partners/blue-river.svg",
    )
    assert blue.contact is not None and blue.contact.lines == (
        "Dana Ruiz",
        "dana@blueriver.example",
    )
    assert blue.destinations == ()  # the destination is rep-only: no pitch deck
    public = make_edition(catalog(tmp_path / "public", gold_only_edits()), "partner")
    assert public.partners["blue-river"].destinations == ("cyber-resilience",)
    # the editions a kit is made from hold no partner: no kit can list another's contact
    for kit in partner.kits.values():
        assert not kit.cards.partners and not kit.pitches.partners
        assert (kit.cards.audience, kit.pitches.audience) == ("partner", "public")


def test_only_internal_and_rep_editions_show_stale_intel(tmp_path: Path) -> None:
    cat = catalog(tmp_path)
    assert [make_edition(cat, a).shows_stale for a in AUDIENCES] == [True, True, False, False]


def named_plays(ed: Edition) -> set[str]:
    """Every play a view of the edition names: its plays, path steps and claims' plays."""
    named = set(ed.plays)
    for path in ed.paths.values():
        named |= {s.play for s in path.steps if s.play}
        named |= {s.play_name for s in path.steps if s.play_name}
    for dest in ed.destinations.values():
        for path in dest.paths:
            named |= {s.play for s in path.steps if s.play}
    for play in ed.plays.values():
        for pos in play.positions:
            named |= {s.play for s in pos.path.steps if s.play}
            named |= {s.play_name for s in pos.path.steps if s.play_name}
    for claim in ed.differentiators.values():
        named |= set(claim.plays)
    return named


def test_a_kit_edition_names_no_play_above_its_tier(tmp_path: Path) -> None:
    partner = make_edition(catalog(tmp_path, gold_only_edits()), "partner")
    registered, gold = partner.kits["registered"], partner.kits["gold"]
    assert registered.plays == ("backup-modernization",)
    assert gold.plays == ("backup-modernization", "recovery-drills")
    names = {"backup-modernization", "Backup modernization"}
    assert named_plays(registered.cards) == names
    assert named_plays(registered.pitches) <= names
    # the step stays (so "Step 1 of 2" is still true) but does not say what it is
    (pos,) = registered.cards.plays["backup-modernization"].positions
    assert [s.play for s in pos.path.steps] == ["backup-modernization", None]
    # the gold kit names its own second step
    (pos,) = gold.cards.plays["backup-modernization"].positions
    assert [s.play_name for s in pos.path.steps] == ["Backup modernization", GOLD_NAME]


PLAY_AUDIENCES: tuple[Audience, ...] = ("internal", "rep", "partner", "public")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    tiers=st.tuples(st.sampled_from(TIERS), st.sampled_from(TIERS)),
    min_tiers=st.tuples(st.sampled_from(TIERS), st.sampled_from(TIERS)),
    audiences=st.tuples(st.sampled_from(PLAY_AUDIENCES), st.sampled_from(PLAY_AUDIENCES)),
    block=st.tuples(st.sampled_from(PLAY_AUDIENCES), st.none()),
)
def test_policy_matches_the_rule_for_any_tiers_and_audiences(
    tmp_path_factory: pytest.TempPathFactory,
    tiers: tuple[str, str],
    min_tiers: tuple[str, str],
    audiences: tuple[Audience, Audience],
    block: tuple[Audience, None],
) -> None:
    """A play is in a kit iff partners may see it and its block, and its tier is reached."""
    plays = {BM: "backup-modernization", RD: "recovery-drills"}
    # the path is public: its steps name plays in every edition, so the scan below bites
    edits = {rel: "audience: public\n" + base_text(rel) for rel in (DEST, PATH)}
    for (rel, _), min_tier, audience, block_audience in zip(
        plays.items(), min_tiers, audiences, block, strict=True
    ):
        text = re.sub(r"^audience: \w+\n", "", base_text(rel), flags=re.M)
        extra = f", audience: {block_audience}" if block_audience else ""
        text = re.sub(r"min_tier: \w+}", f"min_tier: {min_tier}{extra}}}", text)
        edits[rel] = f"audience: {audience}\n{text}"
    for rel, tier in zip(
        ("partners/blue-river.yaml", "partners/red-rock.yaml"), tiers, strict=True
    ):
        edits[rel] = re.sub(r"tier: \w+", f"tier: {tier}", base_text(rel))
    cat = catalog(tmp_path_factory.mktemp("cat"), edits)
    partner = make_edition(cat, "partner")
    ladder = list(AUDIENCES)

    def sells(pid: str, tier: str) -> bool:
        i = list(plays.values()).index(pid)
        reach = [audiences[i]] + ([block[i]] if block[i] else [])
        return all(ladder.index(a) >= ladder.index("partner") for a in reach) and TIERS.index(
            min_tiers[i]
        ) <= TIERS.index(tier)

    for partner_id, tier in zip(("blue-river", "red-rock"), tiers, strict=True):
        view = partner.partners[partner_id]
        assert view.tier == tier
        assert set(view.plays) == {p for p in plays.values() if sells(p, tier)}
        kit = partner.kits[tier]
        assert (kit.plays, kit.destinations) == (view.plays, view.destinations)
        allowed = set(view.plays) | {partner.plays[p].name for p in view.plays}
        assert named_plays(kit.cards) <= allowed
        assert named_plays(kit.pitches) <= allowed


# --- what a built kit contains ------------------------------------------------------------


def _build(root: Path) -> None:
    make_catalog(root, gold_only_edits())
    done = salesplay(
        "build", "--catalog", "plays", "--out", "build", "--as-of", AS_OF, "--only", "kits",
        cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared(tmp_path_factory, "visibility-kits", _build)


@pytest.fixture(scope="module")
def kits(built: Path) -> dict[str, dict[str, bytes]]:
    """partner → member name (inside its folder, without its part: the team and customer
    parts hold different kinds of file) → bytes."""
    found = {}
    for zpath in sorted((built / "build/kits").glob("*.zip")):
        with zipfile.ZipFile(zpath) as zf:
            pid = zpath.stem
            found[pid] = {_unparted(n.removeprefix(f"{pid}/")): zf.read(n) for n in zf.namelist()}
            assert len(found[pid]) == len(zf.namelist())  # no two parts hold one name
    return found


def _unparted(name: str) -> str:
    return name.removeprefix("for-your-team/").removeprefix("for-your-customers/")


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Edition:
    # its own folder: `built` is shared by every xdist worker, and each worker runs this fixture
    cat, _ctx = resolved(tmp_path_factory.mktemp("policy"), gold_only_edits())
    assert cat is not None
    return make_edition(cat, "partner")


def text_of(name: str, data: bytes) -> str:
    """The readable text of a kit member: PDF text, deck XML, or the file itself."""
    if name.endswith(".pdf"):
        reader = pypdf.PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    if name.endswith(".pptx"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "\n".join(
                zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if n.endswith(".xml")
            )
    if name.endswith(".png"):
        return ""
    return data.decode("utf-8")


def test_every_kit_holds_exactly_the_policys_plays(
    kits: dict[str, dict[str, bytes]], policy: Edition
) -> None:
    assert set(kits) == set(policy.partners)
    for pid, members in kits.items():
        view = policy.partners[pid]
        cards = {
            n.removeprefix("battlecards/").removesuffix(".pdf")
            for n in members
            if n.startswith("battlecards/")
        }
        enablement = {
            n.removeprefix("decks/").removesuffix("-enablement.pptx")
            for n in members
            if n.endswith("-enablement.pptx")
        }
        pitches = {
            n.removeprefix("decks/").removesuffix("-pitch.pptx")
            for n in members
            if n.endswith("-pitch.pptx")
        }
        assert cards == enablement == set(view.plays), pid
        assert pitches == set(view.destinations), pid
    # the two tiers differ, so the comparison above is not of two equal kits
    assert policy.partners["red-rock"].plays == ("backup-modernization",)
    assert policy.partners["blue-river"].plays == ("backup-modernization", "recovery-drills")


def test_the_kit_index_lists_nothing_else(
    kits: dict[str, dict[str, bytes]], policy: Edition
) -> None:
    for pid, members in kits.items():
        index = members["index.html"].decode()
        part = r'href="(?:for-your-team/|for-your-customers/)?'
        linked = set(re.findall(part + r'battlecards/([^"]+)\.pdf"', index))
        linked |= set(re.findall(part + r'decks/([^"]+)-enablement\.pptx"', index))
        assert linked == set(policy.partners[pid].plays), pid
        pitched = set(re.findall(part + r'decks/([^"]+)-pitch\.pptx"', index))
        assert pitched == set(policy.partners[pid].destinations), pid
        listed = json.loads(members["manifest.json"])
        assert "Kqzgold" not in json.dumps(listed) or pid == "blue-river"


def test_a_play_above_the_tier_is_never_named_in_the_kit(
    kits: dict[str, dict[str, bytes]], policy: Edition
) -> None:
    above = [p for p in policy.plays if p not in policy.partners["red-rock"].plays]
    assert above == ["recovery-drills"]
    forbidden = ["recovery-drills", GOLD_NAME, "Kqzgold"]
    for name, data in kits["red-rock"].items():
        text = text_of(name, data)
        for word in forbidden:
            assert word.lower() not in text.lower(), f"red-rock/{name} names {word!r}"
    # the step itself is still counted: the card says where the play sits on the path
    card = text_of("c.pdf", kits["red-rock"]["battlecards/backup-modernization.pdf"])
    assert "Step 1 of 2" in card


def test_the_higher_tier_kit_does_name_its_own_next_step(
    kits: dict[str, dict[str, bytes]],
) -> None:
    """The scan above can fail: the gold kit's copy of the same card names the gold play."""
    card = text_of("c.pdf", kits["blue-river"]["battlecards/backup-modernization.pdf"])
    assert GOLD_NAME in card.replace("\n", " ")
    deck = text_of("d.pptx", kits["blue-river"]["decks/backup-modernization-enablement.pptx"])
    assert GOLD_NAME in deck

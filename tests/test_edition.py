"""Editions hold only what their audience may see: canaries, roadmap and stale rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from canary import CANARY_RE, CANARY_ROOT, forbidden_for, planted
from conftest import base_text, replace_in, resolved
from salesplay.context import Context
from salesplay.edition import (
    BETA_LABEL,
    Omission,
    audience_origin,
    explain_kit,
    make_edition,
    roadmap_label,
)
from salesplay.pipeline import check_catalog
from salesplay.resolve import Catalog, Roadmap
from salesplay.views import Edition

AS_OF = dt.date(2026, 11, 23)


def strings(obj: Any) -> Iterator[str]:
    """Every string reachable from an edition."""
    if isinstance(obj, str):
        yield obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from strings(getattr(obj, f.name))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for item in obj:
            yield from strings(item)
    elif hasattr(obj, "model_dump"):
        yield from strings(obj.model_dump())


@pytest.fixture(scope="module")
def cat() -> Catalog:
    ctx = Context(catalog=CANARY_ROOT, as_of=AS_OF)
    catalog = check_catalog(ctx)
    assert catalog is not None
    assert not ctx.reporter.errors, ctx.reporter.errors
    return catalog


def canaries_in(ed: Edition) -> set[str]:
    return {m.group(0) for s in strings(ed) for m in CANARY_RE.finditer(s)}


@pytest.mark.parametrize("audience", ["internal", "rep", "partner", "public"])
def test_edition_holds_no_canary_its_audience_may_not_see(cat: Catalog, audience: str) -> None:
    found = canaries_in(make_edition(cat, audience))
    assert found & forbidden_for(audience) == set()


def test_internal_edition_reaches_every_planted_canary(cat: Catalog) -> None:
    # Proves the canaries are planted where a leak would show up.
    assert canaries_in(make_edition(cat, "internal")) == planted()


def test_each_edition_keeps_what_it_may_see(cat: Catalog) -> None:
    rep = canaries_in(make_edition(cat, "rep"))
    partner = canaries_in(make_edition(cat, "partner"))
    assert {c for c in planted() if c.startswith(("kqzrep", "kqzdev", "kqzstale"))} <= rep
    assert {c for c in planted() if c.startswith("kqzlr")} <= partner


def test_roadmap_claims_are_labelled(cat: Catalog) -> None:
    rep = make_edition(cat, "rep")
    anomaly = rep.differentiators["anomaly-claim"]
    assert (
        anomaly.label
        == "In development · 60 % confidence · ETA 2027-Q2 — not available — do not commit"
    )
    partner = make_edition(cat, "partner")
    assert "anomaly-claim" not in partner.differentiators
    assert partner.differentiators["clean-room-claim"].label is not None
    assert "not available — do not commit" in (
        partner.differentiators["clean-room-claim"].label or ""
    )
    assert "clean-room-claim" not in make_edition(cat, "public").differentiators
    assert rep.differentiators["immutable-by-default"].label is None


def test_stale_claims_badged_for_reps_and_dropped_for_partners(cat: Catalog) -> None:
    rep = make_edition(cat, "rep")
    assert rep.differentiators["stale-claim"].stale_days == 326
    assert rep.competitors["oldco"].stale_days == 326
    assert rep.differentiators["immutable-by-default"].stale_days is None
    partner = make_edition(cat, "partner")
    assert "stale-claim" not in partner.differentiators
    assert "oldco" not in partner.competitors
    assert [m.competitor.id for m in partner.plays["modernize"].competitors] == ["acme"]


def test_ladder_rule_narrowest_of_item_and_ancestors(cat: Catalog) -> None:
    # proof marked public inside a partner play is partner: absent from the public edition
    public = make_edition(cat, "public")
    assert "modernize" not in public.plays
    partner = make_edition(cat, "partner")
    play = partner.plays["modernize"]
    assert [p.customer for p in play.proof] == ["Contoso Health"]
    assert [o.objection for o in play.objections] == ["We already have backups."]
    assert [c.id for c in play.why_us] == ["immutable-by-default", "clean-room-claim"]


def test_path_steps_hide_plays_the_audience_may_not_see(cat: Catalog) -> None:
    public = make_edition(cat, "public")
    steps = public.paths["journey"].steps
    assert [s.number for s in steps] == [1, 2]
    assert [s.play for s in steps] == [None, None]
    assert steps[0].stage == "Backups on tape"
    rep = make_edition(cat, "rep")
    assert [s.play for s in rep.paths["journey"].steps] == ["modernize", "rep-play"]
    assert "secret-path" not in rep.paths


def test_positions_and_decoder(cat: Catalog) -> None:
    play = make_edition(cat, "rep").plays["modernize"]
    assert [
        (p.path.id, p.step.number, p.destination.id if p.destination else None)
        for p in play.positions
    ] == [("journey", 1, "resilience")]
    assert ("immutable", "Cannot be changed or deleted.") in play.decoder


def test_roadmap_label_of_available_capability_is_none() -> None:
    assert roadmap_label(Roadmap("ga", True, None)) is None
    assert (
        roadmap_label(Roadmap("concept", False, 50))
        == "Concept · 50 % confidence — not available — do not commit"
    )


# --- the edition audit -----------------------------------------------------------------------


def omissions(
    cat: Catalog, audience: str
) -> dict[tuple[tuple[str, str], tuple[object, ...]], Omission]:
    found: list[Omission] = []
    make_edition(cat, audience, omitted=found)  # type: ignore[arg-type]
    return {(o.subject, o.path): o for o in found}


def test_audit_records_each_left_out_item_with_its_reason(cat: Catalog) -> None:
    partner = omissions(cat, "partner")
    # audience set explicitly: its line is named
    hidden = partner[(("play", "modernize"), ("objections", 1))]
    assert (hidden.reason, hidden.detail) == (
        "audience",
        "audience 'internal' set at canary/plays/modernize.yaml:15",
    )
    assert (hidden.loc.line, hidden.loc.col) == (15, 5)
    # roadmap, stale, and a reference whose cause is the claim's own omission
    cap = partner[(("product", "vault"), ("capabilities", 2))]
    assert (cap.reason, cap.detail) == (
        "roadmap",
        "roadmap: in development reaches rep editions at most",
    )
    ref = partner[(("play", "modernize"), ("why_us", 3))]
    assert (ref.reason, ref.detail) == ("reference", "stale: last verified 326 days ago (limit 90)")
    assert ref.cause is not None and ref.cause.subject == ("differentiator", "stale-claim")
    # nothing the edition holds is recorded as left out
    ed = make_edition(cat, "partner")
    assert ("play", "modernize") not in {o.subject for o in partner.values() if not o.path}
    assert "modernize" in ed.plays


def test_audit_says_when_an_audience_is_the_default(tmp_path: Path) -> None:
    edits = {
        "products/vault.yaml": base_text("products/vault.yaml").replace("audience: partner\n", "")
    }
    catalog, _ = resolved(tmp_path, edits)
    assert catalog is not None
    gone = omissions(catalog, "partner")[(("product", "vault"), ())]
    assert gone.detail == "audience 'rep' by default: this product sets no `audience:` at its top"
    # a public proof inside a partner claim: the claim's own audience decides
    assert audience_origin(catalog, "differentiator", "immutable-by-default", ("proof", 0)) == ()


def test_a_claim_whose_backing_is_all_hidden_is_hidden(tmp_path: Path) -> None:
    # a public claim backed only by an internal capability reaches no partner and no customer
    edits = {
        **replace_in("products/vault.yaml", "status: ga}", "status: ga, audience: internal}"),
        "differentiators/immutable-by-default.yaml": base_text(
            "differentiators/immutable-by-default.yaml"
        ).replace("audience: partner", "audience: public"),
    }
    catalog, _ = resolved(tmp_path, edits)
    assert catalog is not None
    assert "immutable-by-default" in make_edition(catalog, "internal").differentiators
    for audience in ("rep", "partner", "public"):
        assert "immutable-by-default" not in make_edition(catalog, audience).differentiators  # type: ignore[arg-type]
    gone = omissions(catalog, "partner")[
        (("differentiator", "immutable-by-default"), ("backed_by",))
    ]
    assert gone.reason == "backing"
    assert gone.detail == (
        "every capability behind it is hidden: vault/immutable-snapshots (audience 'internal'"
        " set at plays/products/vault.yaml:4)"
    )


def test_kit_audit_names_the_tier(cat: Catalog) -> None:
    found: list[Omission] = []
    kit = explain_kit(cat, "registered", found)
    assert "modernize" not in kit.plays
    (gone,) = [o for o in found if o.what == "play 'modernize'"]
    assert (gone.reason, gone.detail) == (
        "tier",
        "tier: for silver partners and above (this kit is registered)",
    )


# --- roadmap honesty ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Catalog:
    ctx = Context(catalog=Path(__file__).parent.parent / "plays", as_of=dt.date(2026, 11, 30))
    catalog = check_catalog(ctx)
    assert catalog is not None
    return catalog


def test_beta_capabilities_are_labelled(sample: Catalog) -> None:
    rep = make_edition(sample, "rep")
    caps = {c.ref: c for c in rep.products["fabric"].capabilities}
    assert caps["fabric/cost-analytics"].label == BETA_LABEL
    assert caps["fabric/unified-console"].label is None
    # a claim on a beta capability is available: labelled by its capability, not as roadmap
    assert rep.differentiators["cost-visibility"].label is None
    assert roadmap_label(Roadmap("beta", True, None)) == BETA_LABEL


def test_roadmap_box_holds_only_what_backs_the_plays_claims(sample: Catalog) -> None:
    play = make_edition(sample, "rep").plays["cloud-cost-control"]
    # Fabric also has launch-ready, development and concept capabilities: not this play's
    assert [c.ref for c in play.roadmap] == ["fabric/cost-analytics"]
    assert {c.ref for p in play.products for c in p.capabilities if c.label} > {
        "fabric/cost-analytics"
    }
    assert [c.ref for c in make_edition(sample, "rep").plays["backup-modernization"].roadmap] == []


def test_a_kit_edition_holds_only_the_claims_and_competitors_its_plays_use(
    sample: Catalog,
) -> None:
    """SECURITY(audience): a tier's kit edition held every partner claim and competitor, so
    `feed/partner-registered.json` and the registered kit's news told the claim of a
    platinum-only play (cost-visibility) and intel on competitors no kit play names."""
    partner = make_edition(sample, "partner")
    assert "cost-visibility" in partner.differentiators  # a partner claim, of platinum plays
    registered = partner.kits["registered"].cards
    assert set(registered.plays) == {"ransomware-readiness-check"}
    play = registered.plays["ransomware-readiness-check"]
    used = {c.id for c in play.why_us}
    assert set(registered.differentiators) == used and "cost-visibility" not in used
    named = {m.competitor.id for m in play.competitors}
    named |= {v.competitor.id for c in play.why_us for v in c.versus}
    assert set(registered.competitors) == named
    for tier, kit in partner.kits.items():
        for did, claim in kit.cards.differentiators.items():
            assert claim.plays and set(claim.plays) <= set(kit.plays), (tier, did)


def test_the_jargon_decoder_explains_only_terms_the_card_shows(sample: Catalog) -> None:
    """ "snapshot" is only in the name of a generally available capability behind a claim
    (Immutable snapshots, on by default), which no card shows: it was explained all the
    same, on a card that never uses the word."""
    rep = make_edition(sample, "rep")
    play = rep.plays["ransomware-readiness-check"]
    backing = [cap for c in play.why_us for cap in c.backed_by]
    assert any("snapshot" in cap.name.lower() and not cap.label for cap in backing)
    assert "snapshot" not in {term.lower() for term, _ in play.decoder}
    # a labelled capability's name is on the card (the roadmap box): its terms are explained
    labelled = {term for p in rep.plays.values() if p.roadmap for term, _ in p.decoder}
    assert labelled


def test_a_kits_customer_pitch_keeps_the_public_claims_its_plays_rest_on(
    sample: Catalog,
) -> None:
    """A kit's public edition (its customer pitches) shows none of the sample's plays, and
    kept no claim once kit editions held only what their plays use: every co-branded pitch
    lost its "Why Northwind Systems" slide. It holds the public claims the kit's plays use."""
    from salesplay.render.decks import pitch_slides

    partner = make_edition(sample, "partner")
    public = make_edition(sample, "public")
    why = "Why Northwind Systems"
    for tier, kit in partner.kits.items():
        used = {d for pid in kit.plays for d in sample.plays[pid].why_us}
        assert set(kit.pitches.differentiators) == used & set(public.differentiators), tier
        for dest in kit.destinations:
            titles = [s.title for s in pitch_slides(kit.pitches, dest)]
            assert (why in titles) == bool(kit.pitches.differentiators), (tier, dest, titles)
    # the registered kit's one play rests on no public claim: its pitch has no "Why" slide,
    # rather than claims only higher tiers' plays rest on
    assert [t for t, kit in partner.kits.items() if not kit.pitches.differentiators] == [
        "registered"
    ]

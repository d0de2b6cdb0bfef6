"""Editions hold only what their audience may see: canaries, roadmap and stale rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from canary import CANARY_RE, CANARY_ROOT, forbidden_for, planted
from salesplay.context import Context
from salesplay.edition import make_edition, roadmap_label
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

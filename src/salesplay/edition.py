"""Stage 4, edition: the catalog as one audience may see it — the only place deciding visibility."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import replace

from salesplay import richtext
from salesplay.jargon import glossary_terms_in
from salesplay.load import YamlPath
from salesplay.models import Audience, may_see, narrowest
from salesplay.resolve import Catalog, Roadmap
from salesplay.views import (
    CapabilityView,
    ClaimView,
    CompetitorView,
    ContactView,
    CustomerProof,
    DestinationView,
    Edition,
    KitView,
    Matchup,
    Objection,
    PartnerRole,
    PartnerView,
    PathView,
    PlayView,
    Position,
    ProductView,
    ProofView,
    StepView,
    Target,
    VersusView,
)

STAGE_NAMES = {
    "launch-ready": "Launch-ready",
    "development": "In development",
    "concept": "Concept",
}


def roadmap_label(roadmap: Roadmap | None) -> str | None:
    """'In development · 60 % confidence · ETA 2027-Q2 — not available — do not commit'."""
    if roadmap is None or roadmap.available:
        return None
    parts = [STAGE_NAMES.get(roadmap.stage, roadmap.stage)]
    if roadmap.confidence is not None:
        parts.append(f"{roadmap.confidence} % confidence")
    if roadmap.eta:
        parts.append(f"ETA {roadmap.eta}")
    return " · ".join(parts) + " — not available — do not commit"


#: a card's text → the glossary terms it uses (the jargon scan is the slow part of an
#: edition; the narrowed editions of kits share it, per make_edition call).
Decoders = dict[str, tuple[tuple[str, str], ...]]


class _Editor:
    """Builds one edition; every visibility decision goes through `sees`."""

    def __init__(self, cat: Catalog, audience: Audience, decoders: Decoders) -> None:
        self.cat, self.audience = cat, audience
        self.shows_stale = audience in ("internal", "rep")
        self.decoders = decoders

    def sees(self, kind: str, eid: str, path: YamlPath = (), ceiling: Audience = "public") -> bool:
        effective = narrowest(self.cat.audience(kind, eid, path), ceiling)
        return may_see(self.audience, effective)

    def fresh(self, kind: str, eid: str) -> bool:
        return self.shows_stale or not self.cat.is_stale(kind, eid)

    def stale_days(self, kind: str, eid: str) -> int | None:
        return self.cat.age_days[(kind, eid)] if self.cat.is_stale(kind, eid) else None

    # --- entities ----------------------------------------------------------------

    def capability(self, ref: str) -> CapabilityView | None:
        product_id, _, cap_id = ref.partition("/")
        product = self.cat.products.get(product_id)
        if product is None or not self.sees("product", product_id):
            return None
        for i, cap in enumerate(product.capabilities):
            if cap.id != cap_id:
                continue
            roadmap = self.cat.capability_roadmap[ref]
            if not self.sees("product", product_id, ("capabilities", i), roadmap.ceiling):
                return None
            return CapabilityView(ref, product_id, cap.name, cap.status, roadmap_label(roadmap))
        return None

    def product(self, pid: str) -> ProductView | None:
        product = self.cat.products.get(pid)
        if product is None or not self.sees("product", pid):
            return None
        caps = (self.capability(f"{pid}/{c.id}") for c in product.capabilities)
        return ProductView(pid, product.name, product.summary, tuple(c for c in caps if c))

    def competitor(self, cid: str) -> CompetitorView | None:
        comp = self.cat.competitors.get(cid)
        if comp is None or not self.sees("competitor", cid) or not self.fresh("competitor", cid):
            return None
        pricing = (
            comp.pricing.text
            if comp.pricing and self.sees("competitor", cid, ("pricing",))
            else None
        )
        return CompetitorView(
            cid,
            comp.name,
            comp.type,
            comp.summary,
            comp.website,
            tuple(comp.strengths),
            tuple(comp.weaknesses),
            pricing,
            comp.reviewed,
            self.stale_days("competitor", cid),
        )

    def claim(self, did: str, competitors: dict[str, CompetitorView]) -> ClaimView | None:
        diff = self.cat.differentiators.get(did)
        if diff is None or not self.fresh("differentiator", did):
            return None
        roadmap = self.cat.differentiator_roadmap.get(did)
        ceiling: Audience = roadmap.ceiling if roadmap and not roadmap.available else "public"
        if not self.sees("differentiator", did, (), ceiling):
            return None
        versus = tuple(
            VersusView(competitors[v.competitor], v.detail)
            for i, v in enumerate(diff.versus)
            if v.competitor in competitors and self.sees("differentiator", did, ("versus", i))
        )
        proof = tuple(
            ProofView(p.text, p.source)
            for i, p in enumerate(diff.proof)
            if self.sees("differentiator", did, ("proof", i))
        )
        caps = (self.capability(ref) for ref in diff.backed_by)
        return ClaimView(
            did,
            diff.claim,
            diff.type,
            tuple(c for c in caps if c),
            versus,
            proof,
            diff.reviewed,
            roadmap_label(roadmap),
            self.stale_days("differentiator", did),
        )

    def path(self, path_id: str, plays: set[str], play_names: dict[str, str]) -> PathView | None:
        path = self.cat.paths[path_id]
        if not self.sees("path", path_id):
            return None
        steps: list[StepView] = []
        for i, step in enumerate(path.steps):
            if not self.sees("path", path_id, ("steps", i)):
                continue
            shown = step.play if step.play in plays else None
            steps.append(
                StepView(
                    len(steps) + 1,
                    shown,
                    play_names.get(shown or ""),
                    step.stage,
                    tuple(step.entry_signals),
                    step.milestone,
                )
            )
        return PathView(path_id, path.name, path.destination, tuple(steps))


def make_edition(cat: Catalog, audience: Audience, *, plays: Set[str] | None = None) -> Edition:
    """The edition of `cat` for `audience`: only what that audience may see.

    `plays` narrows it to those plays (a kit's): a path step naming any other play keeps
    its place but not the play, so nothing made from it names a play outside the set.
    The partner edition (not narrowed) also holds every partner and what each tier's kit
    receives.
    """
    return _make(cat, audience, plays, {})


def _make(cat: Catalog, audience: Audience, plays: Set[str] | None, decoders: Decoders) -> Edition:
    ed = _Editor(cat, audience, decoders)
    edition = Edition(audience, cat.as_of, cat.config.company, cat.config.brand, dict(cat.glossary))
    edition.shows_stale = ed.shows_stale
    products = {p: ed.product(p) for p in cat.products}
    edition.products = {p: v for p, v in products.items() if v}
    competitors = {c: ed.competitor(c) for c in cat.competitors}
    edition.competitors = {c: v for c, v in competitors.items() if v}
    maybe_claims = {d: ed.claim(d, edition.competitors) for d in cat.differentiators}
    claims = {d: c for d, c in maybe_claims.items() if c}
    visible_plays = {p for p in cat.plays if ed.sees("play", p) and (plays is None or p in plays)}
    names = {p: cat.plays[p].name for p in visible_plays}
    paths: dict[str, PathView] = {}
    for path_id, path in cat.paths.items():
        if ed.sees("destination", path.destination):
            path_view = ed.path(path_id, visible_plays, names)
            if path_view:
                paths[path_id] = path_view
    edition.paths = paths
    for did, dest in cat.destinations.items():
        if not ed.sees("destination", did):
            continue
        edition.destinations[did] = DestinationView(
            did,
            dest.name,
            dest.promise,
            tuple(dest.outcomes),
            dest.why_change,
            dest.why_now,
            tuple(dest.personas),
            tuple(edition.products[p] for p in dest.products if p in edition.products),
            tuple(v for v in paths.values() if v.destination == did),
        )
    for pid in sorted(visible_plays):
        edition.plays[pid] = _play(ed, edition, claims, pid)
    edition.differentiators = {
        d: replace(c, plays=tuple(p for p, v in edition.plays.items() if c in v.why_us))
        for d, c in claims.items()
    }
    if audience == "partner" and plays is None:
        edition.kits = _kits(cat, edition, decoders)
        edition.partners = _partners(cat, edition.kits)
    return edition


def _kits(cat: Catalog, partner: Edition, decoders: Decoders) -> dict[str, KitView]:
    """What each tier's kits hold: the partner plays its tier may sell, and their editions."""
    kits: dict[str, KitView] = {}
    made: dict[tuple[str, ...], tuple[Edition, Edition]] = {}
    for rank, tier in enumerate(cat.config.tiers):
        # a play is in a kit when the partner edition holds it and its partner block, and
        # the block's tier is at most the kit's
        plays = tuple(
            pid
            for pid, view in partner.plays.items()
            if view.partner is not None and cat.tier_rank(view.partner.min_tier) <= rank
        )
        if plays not in made:
            wanted = frozenset(plays)
            made[plays] = (
                _make(cat, "partner", wanted, decoders),
                _make(cat, "public", wanted, decoders),
            )
        cards, pitches = made[plays]
        found = {pos.path.destination for p in plays for pos in cards.plays[p].positions}
        dests = tuple(sorted(d for d in found if d in pitches.destinations))
        kits[tier] = KitView(tier, plays, dests, cards, pitches)
    return kits


def _partners(cat: Catalog, kits: dict[str, KitView]) -> dict[str, PartnerView]:
    """Every partner with its kit's plays: a partner always sees its own name and contact."""
    partners: dict[str, PartnerView] = {}
    for pid, partner in cat.partners.items():
        kit = kits.get(partner.tier)
        if kit is None:
            continue  # an unknown tier is an error at check: no build reaches here with one
        c = partner.contact
        contact = ContactView(c.name, c.email, c.phone, c.website) if c else None
        partners[pid] = PartnerView(
            pid, partner.name, partner.tier, contact, partner.logo, kit.plays, kit.destinations
        )
    return partners


def _play(ed: _Editor, edition: Edition, claims: dict[str, ClaimView], pid: str) -> PlayView:
    play = ed.cat.plays[pid]

    def sees(*path: str | int) -> bool:
        return ed.sees("play", pid, path)

    target = play.target
    positions = []
    for path_id, _index in ed.cat.play_steps.get(pid, []):
        view = edition.paths.get(path_id)
        step = next((s for s in view.steps if s.play == pid), None) if view else None
        if view and step:
            positions.append(Position(view, step, edition.destinations.get(view.destination)))
    partner = play.partner
    play_view = PlayView(
        id=pid,
        name=play.name,
        summary=play.summary,
        products=tuple(edition.products[p] for p in play.products if p in edition.products),
        target=Target(
            tuple(target.segments),
            tuple(target.industries),
            tuple(target.personas),
            target.economic_buyer,
        )
        if target and sees("target")
        else None,
        triggers=tuple(play.triggers),
        why_do_anything=play.why_do_anything,
        why_now=play.why_now,
        why_us=tuple(claims[d] for d in dict.fromkeys(play.why_us) if d in claims),
        discovery=tuple(play.discovery),
        qualification=tuple(play.qualification),
        objections=tuple(
            Objection(o.objection, o.response)
            for i, o in enumerate(play.objections)
            if sees("objections", i)
        ),
        competitors=tuple(
            Matchup(edition.competitors[c.competitor], tuple(c.landmines), c.talk_track)
            for i, c in enumerate(play.competitors)
            if c.competitor in edition.competitors and sees("competitors", i)
        ),
        proof=tuple(
            CustomerProof(p.customer, p.industry, p.result, p.source)
            for i, p in enumerate(play.proof)
            if sees("proof", i)
        ),
        handoff=play.handoff,
        next_steps=tuple(play.next_steps),
        partner=PartnerRole(partner.role, partner.value, partner.min_tier or ed.cat.config.tiers[0])
        if partner and sees("partner")
        else None,
        positions=tuple(positions),
    )
    return replace(play_view, decoder=_decoder(play_view, edition.glossary, ed.decoders))


def _play_texts(play: PlayView) -> list[str]:
    """Every reader-facing text on a play's card."""
    texts = [play.name, play.summary, play.why_do_anything, play.why_now, play.handoff or ""]
    texts += [*play.triggers, *play.discovery, *play.qualification, *play.next_steps]
    for o in play.objections:
        texts += [o.objection, o.response]
    for m in play.competitors:
        texts += [m.competitor.name, *m.landmines, m.talk_track or ""]
    texts += [p.result for p in play.proof]
    for c in play.why_us:
        texts += [c.claim, *(p.text for p in c.proof), *(v.detail or "" for v in c.versus)]
        texts += [cap.name for cap in c.backed_by]
    for pos in play.positions:
        texts += [pos.step.stage or "", pos.step.milestone or "", pos.path.name]
    if play.partner:
        texts += [play.partner.role or "", play.partner.value or ""]
    return texts


def _decoder(
    play: PlayView, glossary: dict[str, str], known: Decoders
) -> tuple[tuple[str, str], ...]:
    text = "\n".join(richtext.plain(t) for t in _play_texts(play) if t)
    if text not in known:
        terms = sorted(glossary_terms_in(text, glossary), key=str.lower)
        known[text] = tuple((term, glossary[term]) for term in terms)
    return known[text]

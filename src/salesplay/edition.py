"""Stage 4, edition: the catalog as one audience may see it — the only place deciding visibility."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from pathlib import Path

from salesplay import richtext
from salesplay.diagnostics import Location
from salesplay.jargon import glossary_terms_in, shown_term, term_stem
from salesplay.labels import N_, Labels
from salesplay.load import YamlPath
from salesplay.memo import Jargon
from salesplay.models import AUDIENCES, Audience, may_see, narrowest
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

#: the English stage names (msgids: an edition shows them in its labels' language).
STAGE_NAMES = {
    "beta": N_("Beta"),
    "launch-ready": N_("Launch-ready"),
    "development": N_("In development"),
    "concept": N_("Concept"),
}
#: the label of a beta capability: on the truck, but not generally available.
BETA_LABEL = N_(
    "Beta — available, not yet generally available: confirm support terms before you commit"
)


def roadmap_label(roadmap: Roadmap | None, labels: Labels | None = None) -> str | None:
    """'In development · 60 % confidence · ETA 2027-Q2 — not available — do not commit'.

    A beta capability is labelled too (BETA_LABEL); a GA one, or none, has no label. The
    label is in the language of `labels` (English without), its percentage formatted by it.
    """
    if roadmap is None or roadmap.stage == "ga":
        return None
    labels = labels or Labels()
    tr = labels.gettext
    if roadmap.available:
        return tr(BETA_LABEL)
    stage = STAGE_NAMES.get(roadmap.stage)
    parts = [tr(stage) if stage else roadmap.stage]
    if roadmap.confidence is not None:
        share = labels.percent(roadmap.confidence / 100)
        parts.append(tr("%(percent)s confidence") % {"percent": share})
    if roadmap.eta:
        parts.append(tr("ETA %(eta)s") % {"eta": roadmap.eta})
    return tr("%(roadmap)s — not available — do not commit") % {"roadmap": " · ".join(parts)}


#: a card's text → the glossary terms it uses (the jargon scan is the slow part of an
#: edition; the narrowed editions of kits share it, per make_edition call).
Decoders = dict[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Omission:
    """One item an edition leaves out, and why: the edition audit behind `salesplay explain`.

    `subject` and `path` say where the item is written; `reason` is one of audience, stale,
    roadmap, backing (every capability behind a claim is hidden), tier (outside a partner's
    kit), partner-block and reference (it names something the edition left out: `cause` is
    that thing's own omission). Omissions name what was left out (ids, a customer's name):
    they are for product marketers, never for an output of a wider audience.
    """

    subject: tuple[str, str]
    path: YamlPath
    what: str
    reason: str
    detail: str
    loc: Location
    cause: Omission | None = None


def audience_origin(cat: Catalog, kind: str, eid: str, path: YamlPath = ()) -> YamlPath | None:
    """Which `audience:` decides the item's effective audience: its path, None for the default.

    The default `rep` applies at an entity's top when it sets none, and a wider audience below
    cannot widen it (the ladder rule), so that default is the cause of many silent losses.
    """
    doc = cat.docs.get((kind, eid))
    node: object = doc.data if doc else None
    best: Audience = "rep"
    where: YamlPath | None = None
    for n in range(len(path) + 1):
        if n:
            part = path[n - 1]
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                break
        own = node.get("audience") if isinstance(node, dict) else None
        if own not in AUDIENCES:
            continue
        if (n == 0 and where is None) or AUDIENCES.index(own) <= AUDIENCES.index(best):
            best, where = own, path[:n]
    return where


def audience_words(cat: Catalog, kind: str, eid: str, path: YamlPath = ()) -> str:
    """Why an item has its audience, in words: set where (line), or by default."""
    audience = cat.audience(kind, eid, path)
    origin = audience_origin(cat, kind, eid, path)
    if origin is None:
        doc = cat.docs.get((kind, eid))
        if doc is not None and isinstance(doc.data, dict) and "audience" in doc.data:
            # `audience:` with no value, read as none: the default, not what it says
            loc = cat.loc(kind, eid, ("audience",))
            return (
                f"audience '{audience}' by default: the `audience:` at the top of this {kind}"
                f" ({_in_catalog(cat, loc.file)}:{loc.line}) is empty (write"
                f" {', '.join(AUDIENCES[:-1])} or {AUDIENCES[-1]})"
            )
        return f"audience '{audience}' by default: this {kind} sets no `audience:` at its top"
    loc = cat.loc(kind, eid, (*origin, "audience"))
    whose = "" if origin == path else f" on the enclosing {_item_name(origin) or kind}"
    # the file too: a warning quoting this is often located at another entity's file
    return f"audience '{audience}' set at {_in_catalog(cat, loc.file)}:{loc.line}{whose}"


def _in_catalog(cat: Catalog, file: Path) -> str:
    """A catalog file from the folder holding the catalog (`plays/plays/x.yaml`): as the
    diagnostic quoting it names its own file when run beside the catalog, as `make` is, and
    the same words wherever it is run (the marketers' report quotes it)."""
    # resolved: `--catalog .` or `..` names the same folder as `plays` does
    try:
        return file.resolve().relative_to(Path(cat.root).resolve().parent).as_posix()
    except ValueError:
        return file.as_posix()


def _item_name(path: YamlPath) -> str:
    """'objections 2', 'partner': a path as a reader would name the item (items from 1)."""
    return " ".join(str(p + 1) if isinstance(p, int) else p for p in path)


def _stage_words(roadmap: Roadmap) -> str:
    return (
        f"roadmap: {STAGE_NAMES.get(roadmap.stage, roadmap.stage).lower()} reaches"
        f" {roadmap.ceiling} editions at most"
    )


class _Editor:
    """Builds one edition; every visibility decision goes through `sees` or `shows`."""

    def __init__(
        self,
        cat: Catalog,
        audience: Audience,
        decoders: Decoders | None,
        omitted: list[Omission] | None,
        labels: Labels | None = None,
    ) -> None:
        self.cat, self.audience = cat, audience
        #: the edition's built-in labels: roadmap labels are made in its language
        self.labels = labels or Labels()
        self.shows_stale = audience in ("internal", "rep")
        self.decoders = decoders
        self.omitted = omitted
        #: entity-level omissions, keyed (kind, id) or ("capability", ref), for references
        self.gone: dict[tuple[str, str], Omission] = {}
        self._caps: dict[str, CapabilityView | None] = {}
        self._steps: dict[str, dict[str, StepView]] = {}

    def step_of(self, path: PathView, play_id: str) -> StepView | None:
        """The step of a path that names a play (indexed once per path: paths can be long)."""
        if path.id not in self._steps:
            self._steps[path.id] = {s.play: s for s in reversed(path.steps) if s.play}
        return self._steps[path.id].get(play_id)

    def sees(self, kind: str, eid: str, path: YamlPath = (), ceiling: Audience = "public") -> bool:
        effective = narrowest(self.cat.audience(kind, eid, path), ceiling)
        return may_see(self.audience, effective)

    # --- the audit: what is left out and why ---------------------------------------

    def note(
        self,
        kind: str,
        eid: str,
        path: YamlPath,
        what: str,
        reason: str,
        detail: Callable[[], str],
        cause: Omission | None = None,
        key: tuple[str, str] | None = None,
    ) -> None:
        """Record an omission (only when auditing: the words cost time)."""
        if self.omitted is None:
            return
        found = Omission(
            (kind, eid), path, what, reason, detail(), self.cat.loc(kind, eid, path), cause
        )
        self.omitted.append(found)
        if key is not None:
            self.gone[key] = found

    def shows(
        self,
        kind: str,
        eid: str,
        path: YamlPath,
        what: str,
        roadmap: Roadmap | None = None,
        key: tuple[str, str] | None = None,
    ) -> bool:
        """`sees`, recording why not: the item's audience, else its roadmap stage."""
        if not may_see(self.audience, self.cat.audience(kind, eid, path)):
            words = lambda: audience_words(self.cat, kind, eid, path)  # noqa: E731
            self.note(kind, eid, path, what, "audience", words, key=key)
            return False
        if roadmap is not None and not may_see(self.audience, roadmap.ceiling):
            self.note(kind, eid, path, what, "roadmap", lambda: _stage_words(roadmap), key=key)
            return False
        return True

    def refers(self, kind: str, eid: str, path: YamlPath, what: str, to: tuple[str, str]) -> None:
        """Record an item left out because what it names is not in this edition."""
        cause = self.gone.get(to)
        detail = cause.detail if cause else f"{to[0]} '{to[1]}' is not in this edition"
        self.note(kind, eid, path, what, "reference", lambda: detail, cause)

    def fresh(self, kind: str, eid: str) -> bool:
        if self.shows_stale or not self.cat.is_stale(kind, eid):
            return True
        limit = self.cat.config.review.max_age_days
        age = self.cat.age_days[(kind, eid)]
        words = f"stale: last verified {age} days ago (limit {limit})"
        self.note(
            kind, eid, ("reviewed",), f"{kind} '{eid}'", "stale", lambda: words, key=(kind, eid)
        )
        return False

    def stale_days(self, kind: str, eid: str) -> int | None:
        return self.cat.age_days[(kind, eid)] if self.cat.is_stale(kind, eid) else None

    # --- entities ----------------------------------------------------------------

    def capability(self, ref: str) -> CapabilityView | None:
        if ref not in self._caps:
            self._caps[ref] = self._capability(ref)
        return self._caps[ref]

    def _capability(self, ref: str) -> CapabilityView | None:
        product_id, _, cap_id = ref.partition("/")
        product = self.cat.products.get(product_id)
        key = ("capability", ref)
        if product is None or not self.sees("product", product_id):
            cause = self.gone.get(("product", product_id))
            if cause is not None:
                self.gone[key] = cause
            return None
        for i, cap in enumerate(product.capabilities):
            if cap.id != cap_id:
                continue
            roadmap = self.cat.capability_roadmap[ref]
            path = ("capabilities", i)
            if not self.shows("product", product_id, path, f"capability '{ref}'", roadmap, key):
                return None
            label = roadmap_label(roadmap, self.labels)
            return CapabilityView(ref, product_id, cap.name, cap.status, label)
        return None

    def product(self, pid: str) -> ProductView | None:
        product = self.cat.products.get(pid)
        key = ("product", pid)
        if product is None or not self.shows("product", pid, (), f"product '{pid}'", key=key):
            return None
        caps = (self.capability(f"{pid}/{c.id}") for c in product.capabilities)
        return ProductView(pid, product.name, product.summary, tuple(c for c in caps if c))

    def competitor(self, cid: str) -> CompetitorView | None:
        comp = self.cat.competitors.get(cid)
        key = ("competitor", cid)
        if comp is None or not self.shows("competitor", cid, (), f"competitor '{cid}'", key=key):
            return None
        if not self.fresh("competitor", cid):
            return None
        pricing = (
            comp.pricing.text
            if comp.pricing and self.shows("competitor", cid, ("pricing",), "pricing")
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
            comp.quick_dismiss,
        )

    def claim(self, did: str, competitors: dict[str, CompetitorView]) -> ClaimView | None:
        diff = self.cat.differentiators.get(did)
        key = ("differentiator", did)
        if diff is None or not self.fresh("differentiator", did):
            return None
        roadmap = self.cat.differentiator_roadmap.get(did)
        unavailable = roadmap if roadmap and not roadmap.available else None
        if not self.shows("differentiator", did, (), f"claim '{did}'", unavailable, key):
            return None
        caps = [self.capability(ref) for ref in diff.backed_by]
        backed = tuple(c for c in caps if c)
        if not backed:
            # a claim stands on its capabilities: with none of them shown, it is not made
            self.note(
                "differentiator",
                did,
                ("backed_by",),
                f"claim '{did}'",
                "backing",
                lambda: self._backing_words(diff.backed_by),
                key=key,
            )
            return None
        versus = []
        for i, v in enumerate(diff.versus):
            what = f"versus {v.competitor}"
            if not self.shows("differentiator", did, ("versus", i), what):
                continue
            if v.competitor not in competitors:
                to = ("competitor", v.competitor)
                self.refers("differentiator", did, ("versus", i), what, to)
                continue
            versus.append(VersusView(competitors[v.competitor], v.detail))
        proof = tuple(
            # a source no output links to (javascript:, a file path) is none, in feeds too;
            # `check` says so where it is written
            ProofView(p.text, richtext.safe_href(p.source))
            for i, p in enumerate(diff.proof)
            if self.shows("differentiator", did, ("proof", i), f"proof {i + 1}")
        )
        return ClaimView(
            did,
            diff.claim,
            diff.type,
            backed,
            tuple(versus),
            proof,
            diff.reviewed,
            roadmap_label(unavailable, self.labels),
            self.stale_days("differentiator", did),
        )

    def _backing_words(self, refs: list[str]) -> str:
        why = []
        for ref in dict.fromkeys(refs):
            cause = self.gone.get(("capability", ref))
            why.append(f"{ref} ({cause.detail})" if cause else ref)
        return "every capability behind it is hidden: " + "; ".join(why)

    def path(
        self,
        path_id: str,
        plays: set[str],
        play_names: dict[str, str],
        kit: Set[str] | None = None,
    ) -> PathView | None:
        """The path as this edition shows it. In a kit's edition (`kit`: its plays), a step
        whose play is outside the kit reads "handled by <company>", its texts withheld, and
        a run of such steps is one step."""
        path = self.cat.paths[path_id]
        if not self.shows("path", path_id, (), f"path '{path_id}'", key=("path", path_id)):
            return None
        steps: list[StepView] = []
        for i, step in enumerate(path.steps):
            if not self.shows("path", path_id, ("steps", i), f"step {i + 1}"):
                continue
            shown = step.play if step.play in plays else None
            if shown is None:
                what = f"name of step {i + 1}'s play '{step.play}'"
                self.refers("path", path_id, ("steps", i, "play"), what, ("play", step.play))
            if kit is not None and step.play not in kit:
                # a kit names no play outside it, not even in the step's own words
                if not (steps and steps[-1].handled_by):
                    company = self.cat.config.company.name
                    steps.append(StepView(len(steps) + 1, None, None, None, (), None, company))
                continue
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


def make_edition(
    cat: Catalog,
    audience: Audience,
    *,
    plays: Set[str] | None = None,
    omitted: list[Omission] | None = None,
    decode: bool = True,
    kits: bool = True,
    labels: Labels | None = None,
    jargon: Jargon | None = None,
) -> Edition:
    """The edition of `cat` for `audience`: only what that audience may see.

    `plays` narrows it to those plays (a kit's): a path step naming any other play keeps
    its place but not the play, so nothing made from it names a play outside the set.
    The partner edition (not narrowed) also holds every partner and what each tier's kit
    receives. `omitted`, when given, receives every item left out and why (the edition
    audit; the kits' narrowed editions are not audited here: see `explain_kit`).
    `decode=False` skips the jargon decoders and `kits=False` the partner edition's kits (the
    audit needs neither). `labels` are the built-in labels of the locale the edition is
    made in (English when None); a localized edition is made from `localize.localized(cat, …)`.
    `jargon` keeps the jargon scans of earlier editions between builds (memo.Memo.jargon).
    """
    decoders = None if not decode else {} if jargon is None else jargon.scans(cat.glossary)
    return _make(cat, audience, plays, decoders, omitted, {}, kits, labels)


class Editions(Mapping[str, Edition]):
    """The editions of one catalog by audience, each made on first use: a plan that reads
    only some of them (a partner edit plans the kits and the report alone) makes no other."""

    def __init__(self, make: Callable[[str], Edition], audiences: Sequence[str] = AUDIENCES):
        self._make = make
        self._audiences = tuple(audiences)
        self._made: dict[str, Edition] = {}

    def __getitem__(self, audience: str) -> Edition:
        if audience not in self._audiences:
            raise KeyError(audience)
        if audience not in self._made:
            self._made[audience] = self._make(audience)
        return self._made[audience]

    def __iter__(self) -> Iterator[str]:
        return iter(self._audiences)

    def __len__(self) -> int:
        return len(self._audiences)


def kit_plays(cat: Catalog, partner: Edition, tier: str) -> tuple[str, ...]:
    """The plays of a tier's kit: those the partner edition holds with their partner block,
    whose block's tier is at most the kit's."""
    rank = cat.tier_rank(tier)
    return tuple(
        pid
        for pid, view in partner.plays.items()
        if view.partner is not None and cat.tier_rank(view.partner.min_tier) <= rank
    )


def explain_kit(
    cat: Catalog, tier: str, omitted: list[Omission], partner: Edition | None = None
) -> Edition:
    """A tier's kit card edition (partner, narrowed to its plays), auditing what it leaves out.

    A play outside the kit is recorded with its reason: audience, no partner block, a hidden
    partner block, or a tier above the kit's. `partner` is the whole partner edition made
    without decoders or kits, for a caller explaining every tier (made here otherwise).
    """
    partner = partner or make_edition(cat, "partner", decode=False, kits=False)
    plays = kit_plays(cat, partner, tier)
    outside: dict[str, tuple[str, YamlPath, str]] = {}
    for pid, play in cat.plays.items():
        if pid in plays or pid not in partner.plays:
            continue  # a play the partner edition lacks is recorded with its audience
        block = play.partner
        if block is None:
            outside[pid] = ("partner-block", (), "it has no `partner:` block (so it is in no kit)")
        elif partner.plays[pid].partner is None:
            words = audience_words(cat, "play", pid, ("partner",))
            outside[pid] = ("partner-block", ("partner",), f"its `partner:` block has {words}")
        else:
            need = block.min_tier or cat.config.tier_ids[0]
            outside[pid] = (
                "tier",
                ("partner", "min_tier"),
                f"tier: for {need} partners and above (this kit is {tier})",
            )
    return _make(cat, "partner", frozenset(plays), None, omitted, outside)


def _make(
    cat: Catalog,
    audience: Audience,
    plays: Set[str] | None,
    decoders: Decoders | None,
    omitted: list[Omission] | None,
    outside: dict[str, tuple[str, YamlPath, str]],
    kits: bool = True,
    labels: Labels | None = None,
) -> Edition:
    ed = _Editor(cat, audience, decoders, omitted, labels)
    edition = Edition(audience, cat.as_of, cat.config.company, cat.config.brand, dict(cat.glossary))
    if labels is not None:
        edition.labels = labels
    edition.shows_stale = ed.shows_stale
    products = {p: ed.product(p) for p in cat.products}
    edition.products = {p: v for p, v in products.items() if v}
    competitors = {c: ed.competitor(c) for c in cat.competitors}
    edition.competitors = {c: v for c, v in competitors.items() if v}
    maybe_claims = {d: ed.claim(d, edition.competitors) for d in cat.differentiators}
    claims = {d: c for d, c in maybe_claims.items() if c}
    visible_plays: set[str] = set()
    for pid in cat.plays:
        if not ed.shows("play", pid, (), f"play '{pid}'", key=("play", pid)):
            continue
        if plays is not None and pid not in plays:
            reason, where, words = outside.get(pid, ("tier", (), "not in this kit"))
            ed.note(
                "play",
                pid,
                where,
                f"play '{pid}'",
                reason,
                lambda w=words: w,  # type: ignore[misc]
                key=("play", pid),
            )
            continue
        visible_plays.add(pid)
    names = {p: cat.plays[p].name for p in visible_plays}
    paths: dict[str, PathView] = {}
    for path_id, path in cat.paths.items():
        if ed.sees("destination", path.destination):
            path_view = ed.path(path_id, visible_plays, names, plays)
            if path_view:
                paths[path_id] = path_view
    edition.paths = paths
    for did, dest in cat.destinations.items():
        key = ("destination", did)
        if not ed.shows("destination", did, (), f"destination '{did}'", key=key):
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
    used_by: dict[str, list[str]] = {}  # claim → its plays, in edition order (one pass)
    for play_id, play_view in edition.plays.items():
        for claim in play_view.why_us:
            used_by.setdefault(claim.id, []).append(play_id)
    edition.differentiators = {
        d: replace(c, plays=tuple(used_by.get(d, ()))) for d, c in claims.items()
    }
    if plays is not None:
        # a kit's edition holds what its plays use: a claim or a competitor only another
        # tier's plays name would reach this tier's feed, what's new and customer pitch. The
        # kit's plays by the catalog, not this edition's: the public one (the pitches) may
        # show none of them, and still pitches the claims they rest on
        kit = [cat.plays[pid] for pid in sorted(plays) if pid in cat.plays]
        used = {d for play in kit for d in play.why_us}
        edition.differentiators = {d: c for d, c in edition.differentiators.items() if d in used}
        named = {c.competitor for play in kit for c in play.competitors}
        named |= {v.competitor.id for c in edition.differentiators.values() for v in c.versus}
        edition.competitors = {c: v for c, v in edition.competitors.items() if c in named}
    if audience == "partner" and plays is None and kits:
        edition.kits = _kits(cat, edition, decoders)
        edition.partners = _partners(cat, edition.kits)
    return edition


def _kits(cat: Catalog, partner: Edition, decoders: Decoders | None) -> dict[str, KitView]:
    """What each tier's kits hold: the partner plays its tier may sell, and their editions."""
    kits: dict[str, KitView] = {}
    made: dict[tuple[str, ...], tuple[Edition, Edition]] = {}
    for tier in cat.config.tier_ids:
        plays = kit_plays(cat, partner, tier)
        if plays not in made:
            wanted = frozenset(plays)
            made[plays] = (
                _make(cat, "partner", wanted, decoders, None, {}, True, partner.labels),
                _make(cat, "public", wanted, decoders, None, {}, True, partner.labels),
            )
        cards, pitches = made[plays]
        found = {pos.path.destination for p in plays for pos in cards.plays[p].positions}
        dests = tuple(sorted(d for d in found if d in pitches.destinations))
        # a partner meets the competitors of what it sells, and hands customers public pages
        named = {m.competitor.id for p in plays for m in cards.plays[p].competitors}
        rivals = tuple(c for c in cards.competitors if c in named)
        briefs = tuple(p for p in plays if p in pitches.plays)
        kits[tier] = KitView(tier, plays, dests, cards, pitches, rivals, briefs)
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
        ch = partner.channel_contact or cat.config.channel
        channel = ContactView(ch.name, ch.email, ch.phone, None) if ch else None
        partners[pid] = PartnerView(
            pid,
            partner.name,
            partner.tier,
            cat.config.tier_name(partner.tier),
            contact,
            partner.logo,
            kit.plays,
            kit.destinations,
            channel,
            cat.kit_locales(pid),
            cat.audience("partner", pid),
            tuple(partner.regions),
        )
    return partners


#: the notes that may name partners (the people who manage partners, and reps), by name
_TOLD: dict[str, Audience] = {"internal": "internal", "rep": "rep"}


def told_of(partners: Mapping[str, PartnerView], note: str) -> dict[str, PartnerView]:
    """The partners the note `note` (an audience, or a partner tier's "partner-<tier>") may
    name when it tells that partners joined, left or moved tier: for internal and reps,
    those whose `audience:` they may see; none for a partner tier or the public, since no
    partner hears of another."""
    viewer = _TOLD.get(note)
    if viewer is None:
        return {}
    return {pid: p for pid, p in partners.items() if may_see(viewer, p.audience)}


def _play(ed: _Editor, edition: Edition, claims: dict[str, ClaimView], pid: str) -> PlayView:
    play = ed.cat.plays[pid]

    def shows(what: str, *path: str | int) -> bool:
        return ed.shows("play", pid, path, what)

    def refers(what: str, to: tuple[str, str], *path: str | int) -> None:
        ed.refers("play", pid, path, what, to)

    target = play.target
    positions = []
    for path_id, _index in ed.cat.play_steps.get(pid, []):
        view = edition.paths.get(path_id)
        step = ed.step_of(view, pid) if view else None
        if view and step:
            positions.append(Position(view, step, edition.destinations.get(view.destination)))
    for i, prod in enumerate(play.products):
        if prod not in edition.products:
            refers(f"product '{prod}'", ("product", prod), "products", i)
    why_us = []
    for did in dict.fromkeys(play.why_us):
        if did in claims:
            why_us.append(claims[did])
        else:
            refers(
                f"why-us claim '{did}'", ("differentiator", did), "why_us", play.why_us.index(did)
            )
    matchups = []
    for i, c in enumerate(play.competitors):
        what = f"competitor '{c.competitor}'"
        if not shows(what, "competitors", i):
            continue
        if c.competitor not in edition.competitors:
            refers(what, ("competitor", c.competitor), "competitors", i)
            continue
        matchups.append(
            Matchup(edition.competitors[c.competitor], tuple(c.landmines), c.talk_track)
        )
    partner = play.partner
    role = None
    if partner and shows("partner block", "partner"):
        tier = partner.min_tier or ed.cat.config.tier_ids[0]
        # the block's audience is the narrower of its own and the play's (Catalog.audience)
        in_kits = may_see("partner", ed.cat.audience("play", pid, ("partner",)))
        role = PartnerRole(
            partner.role, partner.value, tier, ed.cat.config.tier_name(tier), in_kits=in_kits
        )
        # the program (margin, deal registration…) is for partners' sellers: an edition wider
        # than partner (public) never holds it, even when the block itself is public
        if ed.sees("play", pid, ("partner",), ceiling="partner"):
            role = replace(
                role,
                margin=partner.margin,
                deal_registration=partner.deal_registration,
                mdf=partner.mdf,
                certification=partner.certification,
                incentives=tuple(partner.incentives),
            )
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
        if target and shows("target", "target")
        else None,
        triggers=tuple(play.triggers),
        why_do_anything=play.why_do_anything,
        why_now=play.why_now,
        why_us=tuple(why_us),
        discovery=tuple(play.discovery),
        qualification=tuple(play.qualification),
        objections=tuple(
            Objection(o.objection, o.response)
            for i, o in enumerate(play.objections)
            if shows(f"objection {i + 1}", "objections", i)
        ),
        competitors=tuple(matchups),
        proof=tuple(
            CustomerProof(p.customer, p.industry, p.result, richtext.safe_href(p.source))
            for i, p in enumerate(play.proof)
            if shows(f"customer proof {i + 1} ({p.customer})", "proof", i)
        ),
        handoff=play.handoff,
        next_steps=tuple(play.next_steps),
        partner=role,
        audience=ed.cat.audience("play", pid),
        positions=tuple(positions),
    )
    if ed.decoders is None:
        return play_view
    decoder = _decoder(_play_texts(play_view), edition.glossary, ed.decoders)
    if edition.audience != "public":
        return replace(play_view, decoder=decoder)
    brief = _decoder(_brief_texts(play_view), edition.glossary, ed.decoders)
    return replace(play_view, decoder=decoder, brief_decoder=brief)


def _brief_texts(play: PlayView) -> list[str]:
    """Every text of a play's customer brief (customer_brief.html)."""
    texts = [play.name, play.summary, play.why_do_anything, play.why_now]
    texts += [text for p in play.products for text in (p.name, p.summary)]
    for c in play.why_us:
        texts += [c.claim, c.label or "", *(p.text for p in c.proof)]
    texts += [text for p in play.proof for text in (p.customer, p.industry or "", p.result)]
    return texts


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
    # a backing capability's name is on the card only with a roadmap or beta label (the
    # roadmap box): a term only in a generally available one's name is never read there
    texts += [cap.name for cap in play.roadmap]
    for pos in play.positions:
        texts += [pos.step.stage or "", pos.step.milestone or "", pos.path.name]
    if play.partner:
        texts += [play.partner.role or "", play.partner.value or ""]
        texts += [text for _label, text in play.partner.program]
    return texts


def _decoder(
    texts: list[str], glossary: dict[str, str], known: Decoders
) -> tuple[tuple[str, str], ...]:
    """The glossary terms `texts` use, each with its meaning, in reading order."""
    text = "\n".join(richtext.plain(t) for t in texts if t)
    found = known.get(text)
    if found is None:
        # in one order whatever the glossary's ('RPO' before 'rpo' in any file): the scans
        # are kept by the glossary's sorted items, and reused for a reordered glossary
        terms = sorted(glossary_terms_in(text, glossary), key=_reading_order)
        found = known[text] = tuple((term, glossary[term]) for term in terms)
    if any(term_stem(term) for term, _ in found):
        # the scans keep the glossary's own terms; readers see a wildcard term's word
        shown = ((shown_term(t), m) for t, m in found)
        return tuple(sorted(shown, key=lambda tm: (_reading_order(tm[0]), tm[1])))
    return found


def _reading_order(term: str) -> tuple[str, str]:
    """A decoder's order: by the term in lower case, then as written."""
    return term.lower(), term

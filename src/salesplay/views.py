"""Read-only views that editions hand to renderers: what one audience may see, resolved."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from salesplay.labels import N_, Labels
from salesplay.models import ENTITY_FOLDERS, Audience, Brand, Company


@dataclass(frozen=True)
class CapabilityView:
    ref: str
    product: str
    name: str
    status: str
    label: str | None  # set when not generally available: a roadmap stage, or beta


@dataclass(frozen=True)
class ProductView:
    id: str
    name: str
    summary: str
    capabilities: tuple[CapabilityView, ...]


@dataclass(frozen=True)
class CompetitorView:
    id: str
    name: str
    type: str
    summary: str
    website: str | None
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    pricing: str | None
    reviewed: dt.date
    stale_days: int | None  # set when stale (only editions that may show stale intel)
    quick_dismiss: str | None = None  # one line to dismiss them with


@dataclass(frozen=True)
class ProofView:
    text: str
    source: str | None


@dataclass(frozen=True)
class VersusView:
    competitor: CompetitorView
    detail: str | None


@dataclass(frozen=True)
class ClaimView:
    id: str
    claim: str
    type: str
    backed_by: tuple[CapabilityView, ...]
    versus: tuple[VersusView, ...]
    proof: tuple[ProofView, ...]
    reviewed: dt.date
    label: str | None  # roadmap label when the claim rests on what is not yet available
    stale_days: int | None
    plays: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepView:
    number: int
    play: str | None  # None when the play itself is not in this edition
    play_name: str | None
    stage: str | None
    entry_signals: tuple[str, ...]
    milestone: str | None
    #: in a kit's edition, a step whose play is outside the kit: the company that runs it
    #: (its play, stage, signals and milestone are withheld)
    handled_by: str | None = None

    def label(self, gettext: Callable[[str], str]) -> str:
        """The step's name in a diagram or deck: its play's, else, where the play is not in
        the edition, the kit's "Handled by <company>" or "Not in this edition" (translated by
        `gettext`); never its stage, which is its caption and would read as a play's name."""
        if self.play_name:
            return self.play_name
        if self.handled_by:
            return gettext("Handled by %(company)s") % {"company": self.handled_by}
        return gettext("Not in this edition")


@dataclass(frozen=True)
class PathView:
    id: str
    name: str
    destination: str
    steps: tuple[StepView, ...]


@dataclass(frozen=True)
class DestinationView:
    id: str
    name: str
    promise: str
    outcomes: tuple[str, ...]
    why_change: str | None
    why_now: str | None
    personas: tuple[str, ...]
    products: tuple[ProductView, ...]
    paths: tuple[PathView, ...]


@dataclass(frozen=True)
class Position:
    """Where a play stands: on which path, at which step, towards which destination."""

    path: PathView
    step: StepView
    destination: DestinationView | None


@dataclass(frozen=True)
class Objection:
    objection: str
    response: str


@dataclass(frozen=True)
class Matchup:
    competitor: CompetitorView
    landmines: tuple[str, ...]
    talk_track: str | None


@dataclass(frozen=True)
class CustomerProof:
    customer: str
    industry: str | None
    result: str
    source: str | None


@dataclass(frozen=True)
class Target:
    segments: tuple[str, ...]
    industries: tuple[str, ...]
    personas: tuple[str, ...]
    economic_buyer: str | None


@dataclass(frozen=True)
class PartnerRole:
    """A play's partner block: the partner's role and the program (for partners' sellers)."""

    role: str | None
    value: str | None
    min_tier: str  # the tier's id
    min_tier_name: str  # what readers see: the tier's name (translated), else its id
    margin: str | None = None  # margin or discount band
    deal_registration: str | None = None
    mdf: str | None = None  # market development funds
    certification: str | None = None  # needed to sell the play
    incentives: tuple[str, ...] = ()
    #: partners receive the play in their kits (the partner edition holds it and this
    #: block): a rep's card page links the partner directory, filtered to it
    in_kits: bool = False

    @property
    def program(self) -> tuple[tuple[str, str], ...]:
        """The program fields set, as (label, text) in the order kits print them; each label
        is a built-in label's msgid, for a page to translate (`_(label)`)."""
        fields = (
            (N_("Margin"), self.margin),
            (N_("Deal registration"), self.deal_registration),
            # TRANSLATORS: market development funds
            (N_("MDF"), self.mdf),
            (N_("Certification needed"), self.certification),
        )
        found = [(label, text) for label, text in fields if text]
        return (*found, *((N_("Incentive"), text) for text in self.incentives))


@dataclass(frozen=True)
class PlayView:
    id: str
    name: str
    summary: str
    products: tuple[ProductView, ...]
    target: Target | None
    triggers: tuple[str, ...]
    why_do_anything: str
    why_now: str
    why_us: tuple[ClaimView, ...]
    discovery: tuple[str, ...]
    qualification: tuple[str, ...]
    objections: tuple[Objection, ...]
    competitors: tuple[Matchup, ...]
    proof: tuple[CustomerProof, ...]
    handoff: str | None
    next_steps: tuple[str, ...]
    partner: PartnerRole | None
    #: the widest audience the play is made for (its `audience:`, rep by default): an
    #: edition holds it only when its own audience is as narrow or narrower
    audience: Audience
    positions: tuple[Position, ...] = ()
    decoder: tuple[tuple[str, str], ...] = ()  # glossary terms used on the card
    #: the glossary terms the play's customer brief uses (its name, summary, challenge, why
    #: now, products, claims and proof): only a public edition's plays have them
    brief_decoder: tuple[tuple[str, str], ...] = ()

    @property
    def roadmap(self) -> tuple[CapabilityView, ...]:
        """The card's roadmap box: the labelled capabilities (roadmap stages and beta) behind
        this play's why-us claims, once each, in claim order; never the rest of its products'."""
        found: dict[str, CapabilityView] = {}
        for claim in self.why_us:
            for cap in claim.backed_by:
                if cap.label:
                    found.setdefault(cap.ref, cap)
        return tuple(found.values())


@dataclass(frozen=True)
class ContactView:
    """Who a partner's customers call: in that partner's own kit, and in the reps' partner
    directory (never in another partner's kit)."""

    name: str | None
    email: str | None
    phone: str | None
    website: str | None

    @property
    def lines(self) -> tuple[str, ...]:
        """The contact's non-empty fields, in the order kits print them."""
        return tuple(x for x in (self.name, self.email, self.phone, self.website) if x)


@dataclass(frozen=True)
class PartnerView:
    """One partner as its kit shows it, with the plays and destinations its tier may receive.

    `contact` is whom the partner's customers call (customer material only); `channel` is
    whom its sellers call at the vendor (its `channel_contact`, else the catalog's `channel`).
    """

    id: str
    name: str
    tier: str  # the tier's id
    tier_name: str  # what readers see: the tier's name (translated), else its id
    contact: ContactView | None
    logo: str | None  # the asset as written in the catalog (its PNG is what ships)
    plays: tuple[str, ...]  # the play ids of its kit, in edition order
    destinations: tuple[str, ...]  # destinations of its kit with a public pitch deck
    channel: ContactView | None = None  # the vendor's channel contact for this partner
    #: the languages its kits are made in (its `locale`, else the catalog's source locale)
    locales: tuple[str, ...] = ()
    #: who may be told of it (its `audience:`, default rep): `internal` keeps it out of the
    #: reps' notes of what changed and their partner directory (edition.told_of); its own
    #: kit is made all the same
    audience: Audience = "rep"
    #: where it sells (its `regions`, as written): the reps' directory filters by them
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class KitView:
    """What every kit of one tier holds, and the editions its members are made from.

    `cards` is the partner edition and `pitches` the public edition, both narrowed to
    `plays`: a path step naming any other play keeps its place but reads "handled by
    <company>" (StepView.handled_by): neither the play's name nor its step's texts.
    """

    tier: str
    plays: tuple[str, ...]
    destinations: tuple[str, ...]
    cards: Edition
    pitches: Edition
    #: competitors with a card in the kit: those `cards` shows that a play of the kit names
    competitors: tuple[str, ...] = ()
    #: plays with a customer brief in the kit: those `pitches` (the public edition) holds
    briefs: tuple[str, ...] = ()


@dataclass
class Edition:
    """Everything one audience may see, ready for templates.

    Only the partner edition holds partners and kits (each partner belongs to it); the
    editions a kit is made from are narrowed to its plays and hold none.
    """

    audience: Audience
    as_of: dt.date
    company: Company
    brand: Brand
    glossary: dict[str, str]
    products: dict[str, ProductView] = field(default_factory=dict)
    competitors: dict[str, CompetitorView] = field(default_factory=dict)
    differentiators: dict[str, ClaimView] = field(default_factory=dict)
    destinations: dict[str, DestinationView] = field(default_factory=dict)
    paths: dict[str, PathView] = field(default_factory=dict)
    plays: dict[str, PlayView] = field(default_factory=dict)
    #: partner id → the partner and its kit's contents (partner edition only).
    partners: dict[str, PartnerView] = field(default_factory=dict)
    #: tier → what that tier's kits hold (partner edition only).
    kits: dict[str, KitView] = field(default_factory=dict)
    #: whether stale competitors and claims are shown, badged (set by make_edition).
    shows_stale: bool = False
    #: the built-in labels and formats of the edition's locale; its catalog text is already
    #: in that locale where a current translation exists (see localize.localized).
    labels: Labels = field(default_factory=Labels)

    @property
    def locale(self) -> str:
        """The locale the edition is made in (a Babel id: 'de', 'pt_BR')."""
        return self.labels.locale

    def shows(self, kind: str, entity_id: str) -> bool:
        """Whether this edition holds the entity (catalog-wide files count as shown)."""
        folder = ENTITY_FOLDERS.get(kind)
        if folder is None:  # catalog.yaml and glossary.yaml: every edition reads them
            return True
        # an entity kind's folder names its table in the edition, as in the catalog
        held: Mapping[str, object] = getattr(self, folder, {})
        return entity_id in held


@dataclass(frozen=True)
class Appearance:
    """One play of the edition that names a competitor, with its talk track and landmines."""

    play: str
    play_name: str
    talk_track: str | None
    landmines: tuple[str, ...]


@dataclass(frozen=True)
class ClaimAgainst:
    """One of our claims as it reads against one competitor: the claim and how we beat them."""

    claim: ClaimView
    detail: str | None  # the versus detail for this competitor (None: no detail, or unique)


@dataclass(frozen=True)
class PlantedObjection:
    """An objection of a play that names the competitor, with the play it comes from."""

    objection: str
    response: str
    play: str


@dataclass(frozen=True)
class CompetitorCard:
    """Everything one edition says about one competitor (the competitor card's template API).

    Made only from the edition's views, so it holds nothing the edition does not: its plays
    are the edition's plays (a kit's narrowed edition names only the kit's plays).

    - `unique`: our unique claims that name the competitor or sit on a play that does;
    - `comparative`: our comparative claims whose versus names the competitor, with the
      detail for this competitor;
    - `objections`: objections of its plays whose objection or response names the
      competitor (its name, or for a vendor the first word of its name, as a whole word);
    - `appearances`: each play that names the competitor, with its talk track and landmines.
    """

    competitor: CompetitorView
    unique: tuple[ClaimAgainst, ...]
    comparative: tuple[ClaimAgainst, ...]
    objections: tuple[PlantedObjection, ...]
    appearances: tuple[Appearance, ...]

    @property
    def plays(self) -> tuple[str, ...]:
        """The ids of the plays where the competitor appears, in edition order."""
        return tuple(a.play for a in self.appearances)

    @property
    def talk_tracks(self) -> tuple[Appearance, ...]:
        """The appearances with a talk track or landmines (what the card's field guide shows)."""
        return tuple(a for a in self.appearances if a.talk_track or a.landmines)

    @classmethod
    def of(cls, edition: Edition, competitor_id: str) -> CompetitorCard:
        """The card of a competitor the edition holds (KeyError otherwise)."""
        comp = edition.competitors[competitor_id]
        appearances = tuple(
            Appearance(pid, play.name, m.talk_track, m.landmines)
            for pid, play in edition.plays.items()
            for m in play.competitors
            if m.competitor.id == competitor_id
        )
        plays = {a.play for a in appearances}
        unique: list[ClaimAgainst] = []
        comparative: list[ClaimAgainst] = []
        for claim in sorted(edition.differentiators.values(), key=lambda c: c.id):
            detail = next((v for v in claim.versus if v.competitor.id == competitor_id), None)
            if claim.type == "unique" and (detail or plays & set(claim.plays)):
                unique.append(ClaimAgainst(claim, detail.detail if detail else None))
            elif claim.type == "comparative" and detail:
                comparative.append(ClaimAgainst(claim, detail.detail))
        names = _name_pattern(comp)
        objections = tuple(
            PlantedObjection(o.objection, o.response, pid)
            for pid in edition.plays
            if pid in plays
            for o in edition.plays[pid].objections
            if names.search(o.objection) or names.search(o.response)
        )
        return cls(comp, tuple(unique), tuple(comparative), objections, appearances)


def _name_pattern(comp: CompetitorView) -> re.Pattern[str]:
    """How text names a competitor: its whole name; a vendor also by its first word (its brand,
    as written, so "Stratus" and not "stratus")."""
    whole = rf"(?i:{re.escape(comp.name)})"
    first = comp.name.split()[0] if comp.name.split() else ""
    if comp.type == "vendor" and len(first) >= 3 and first[:1].isupper():
        return re.compile(rf"\b(?:{whole}|{re.escape(first)})\b")
    return re.compile(rf"\b{whole}\b")

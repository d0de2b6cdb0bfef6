"""Read-only views that editions hand to renderers: what one audience may see, resolved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from salesplay.models import Audience, Brand, Company


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
    role: str | None
    value: str | None
    min_tier: str


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
    positions: tuple[Position, ...] = ()
    decoder: tuple[tuple[str, str], ...] = ()  # glossary terms used on the card

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
    """Who a partner's customers call (shown in that partner's own kit only)."""

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
    """One partner as its kit shows it, with the plays and destinations its tier may receive."""

    id: str
    name: str
    tier: str
    contact: ContactView | None
    logo: str | None  # the asset as written in the catalog (its PNG is what ships)
    plays: tuple[str, ...]  # the play ids of its kit, in edition order
    destinations: tuple[str, ...]  # destinations of its kit with a public pitch deck


@dataclass(frozen=True)
class KitView:
    """What every kit of one tier holds, and the editions its members are made from.

    `cards` is the partner edition and `pitches` the public edition, both narrowed to
    `plays`: a path step naming any other play keeps its place but not the play's name.
    """

    tier: str
    plays: tuple[str, ...]
    destinations: tuple[str, ...]
    cards: Edition
    pitches: Edition


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

    def shows(self, kind: str, entity_id: str) -> bool:
        """Whether this edition holds the entity (catalog-wide files count as shown)."""
        if kind in ("catalog", "glossary"):
            return True
        held: dict[str, Mapping[str, object]] = {
            "product": self.products,
            "competitor": self.competitors,
            "differentiator": self.differentiators,
            "destination": self.destinations,
            "path": self.paths,
            "play": self.plays,
        }
        return entity_id in held.get(kind, {})

"""The JSON feed format (feed/<edition>.json): one schema class per part; a card as Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from salesplay.models import Audience
from salesplay.schema import SCHEMA_DIALECT

#: bumped when a consumer of an older feed could misread a newer one.
FEED_VERSION = 2


class _Out(BaseModel):
    """What a feed holds: closed objects, so the published schema lists every field."""

    # built when a feed is first made: a build that only reuses the feeds never pays for it
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Text(_Out):
    """One text field in both forms: as written (Markdown) and as plain text."""

    markdown: str = Field(
        description="the text as written in the catalog (Markdown); one holding a link no"
        " output keeps (not http, https or mailto; an image) is written again without it:"
        " its label stays"
    )
    text: str = Field(description="the same text without markup, one line per paragraph")


class Link(_Out):
    """A rendered output about the item, made for this feed's audience or a wider one."""

    rel: str = Field(description="what it is: battlecard-pdf, card-page, enablement-deck, …")
    href: str = Field(description="path relative to the build folder (or the kit's folder)")
    family: str = Field(description="the output family that makes it (`--only` kind)")
    within: Literal["build", "kit"] = Field(description="relative to the build or a kit")


class ObjectionOut(_Out):
    objection: Text
    response: Text


class MatchupOut(_Out):
    competitor: str = Field(description="id of the competitor (competitor:…)")
    landmines: list[Text]
    talk_track: Text | None


class CustomerProofOut(_Out):
    customer: str
    industry: str | None
    result: Text
    source: str | None


class PositionOut(_Out):
    path: str = Field(description="id of the path (path:…)")
    step: int = Field(description="the play's step on the path, from 1")
    of: int = Field(description="how many steps the path has in this edition")
    destination: str | None = Field(description="id of the destination (destination:…)")
    stage: Text | None
    milestone: Text | None


class PartnerRoleOut(_Out):
    role: Text | None
    value: Text | None
    min_tier: str
    margin: Text | None = Field(description="the partner program's margin or discount band")
    deal_registration: Text | None
    mdf: Text | None = Field(description="market development funds for this play")
    certification: Text | None = Field(description="certification needed to sell the play")
    incentives: list[Text]


class PlayOut(_Out):
    id: str = Field(description="stable id: play:<file name>")
    slug: str = Field(description="the catalog id (the file name)")
    name: Text
    summary: Text
    products: list[str]
    target_segments: list[str]
    target_industries: list[str]
    target_personas: list[str]
    target_economic_buyer: str | None = Field(description="who signs")
    triggers: list[Text]
    why_do_anything: Text
    why_now: Text
    why_us: list[str] = Field(description="ids of the claims (claim:…)")
    discovery: list[Text]
    qualification: list[Text]
    objections: list[ObjectionOut]
    competitors: list[MatchupOut]
    proof: list[CustomerProofOut]
    handoff: Text | None
    next_steps: list[Text]
    partner: PartnerRoleOut | None
    positions: list[PositionOut]
    links: list[Link]
    markdown_export: str = Field(description="path of this card's Markdown file (build folder)")


class CapabilityOut(_Out):
    id: str = Field(description="stable id: capability:<product>/<capability>")
    name: Text
    status: str
    roadmap: str | None = Field(description="roadmap label when not yet available")


class ProductOut(_Out):
    id: str
    name: Text
    summary: Text
    capabilities: list[CapabilityOut]


class VersusOut(_Out):
    competitor: str
    detail: Text | None


class ProofOut(_Out):
    text: Text
    source: str | None


class ClaimOut(_Out):
    id: str = Field(description="stable id: claim:<differentiator file name>")
    claim: Text
    type: str = Field(description="unique or comparative")
    backed_by: list[str]
    versus: list[VersusOut]
    proof: list[ProofOut]
    reviewed: str = Field(description="date last verified, YYYY-MM-DD")
    stale_days: int | None = Field(description="days since verified, when stale")
    roadmap: str | None
    plays: list[str]


class CompetitorOut(_Out):
    id: str
    name: Text
    type: str
    summary: Text
    website: str | None
    strengths: list[Text]
    weaknesses: list[Text]
    pricing: Text | None
    quick_dismiss: Text | None
    reviewed: str
    stale_days: int | None


class StepOut(_Out):
    number: int
    play: str | None = Field(description="id of the play, null when not in this edition")
    stage: Text | None
    entry_signals: list[Text]
    milestone: Text | None


class PathOut(_Out):
    id: str
    name: Text
    destination: str
    steps: list[StepOut]


class DestinationOut(_Out):
    id: str
    name: Text
    promise: Text
    outcomes: list[Text]
    why_change: Text | None
    why_now: Text | None
    personas: list[str]
    products: list[str]
    paths: list[str]
    links: list[Link]


class Feed(_Out):
    """Everything one edition holds, for machines: CRM integrations and AI assistants."""

    feed_version: int = Field(description="format version of this feed")
    edition: str = Field(description="internal, rep, public, or partner-<tier>")
    audience: Audience
    tier: str | None = Field(description="the partner tier (partner feeds only)")
    as_of: str = Field(description="the build's as-of date, YYYY-MM-DD")
    revision: str | None = Field(description="git revision of the catalog (null outside git)")
    company: str
    plays: list[PlayOut]
    claims: list[ClaimOut]
    competitors: list[CompetitorOut]
    products: list[ProductOut]
    destinations: list[DestinationOut]
    paths: list[PathOut]
    glossary: dict[str, Text] = Field(
        description="term (as a card's decoder shows it) → its plain-language meaning"
    )


def feed_schema() -> dict[str, Any]:
    """The published JSON Schema of feed/<edition>.json (`salesplay schema feed`)."""
    schema = Feed.model_json_schema(mode="serialization")
    return {"$schema": SCHEMA_DIALECT, **schema, "title": "salesplay feed"}


#: an "&" or "<" that Markdown reads as one (not escaped by a backslash before it)
_RAW_HTML = re.compile(r"(?<!\\)((?:\\\\)*)([&<])")


def _md(text: str) -> str:
    # raw HTML in the catalog is text, never markup (as on every other output); an escaped
    # one ("\<", as safe_markdown writes it) is text already
    return _RAW_HTML.sub(lambda m: m[1] + ("&amp;" if m[2] == "&" else "&lt;"), text)


def _bullets(items: Iterable[Text]) -> list[str]:
    return [f"- {_md(x.markdown)}" for x in items]


def play_markdown(feed: Feed, play: PlayOut) -> str:
    """One card as Markdown, with a front matter naming its id, edition, date and revision."""
    claims = {c.id: c for c in feed.claims}
    names = {c.id: c.name.text for c in feed.competitors}
    lines = [
        "---",
        f"id: {play.id}",
        f"edition: {feed.edition}",
        f"as_of: {feed.as_of}",
        f"revision: {feed.revision or 'null'}",
        "---",
        "",
        f"# {_md(play.name.text)}",
        "",
        _md(play.summary.markdown),
        "",
    ]

    def section(title: str, body: list[str]) -> None:
        if body:
            lines.extend([f"## {title}", "", *body, ""])

    aimed = (
        ("segments", ", ".join(play.target_segments)),
        ("industries", ", ".join(play.target_industries)),
        ("personas", ", ".join(play.target_personas)),
        ("signs", play.target_economic_buyer or ""),
    )
    section("Target", [f"- {label}: {_md(text)}" for label, text in aimed if text])
    section("Triggers", _bullets(play.triggers))
    section("Why do anything?", [_md(play.why_do_anything.markdown)])
    section("Why now?", [_md(play.why_now.markdown)])
    why_us = []
    for cid in play.why_us:
        claim = claims[cid]
        why_us.append(f"- **{_md(claim.claim.text)}** ({claim.type})")
        why_us += [f"  - proof: {_md(p.text.markdown)}" for p in claim.proof]
        if claim.roadmap:
            why_us.append(f"  - {_md(claim.roadmap)}")
    section("Why us?", why_us)
    section("Discovery questions", _bullets(play.discovery))
    section("Qualification", _bullets(play.qualification))
    section(
        "Objections",
        [f"- **{_md(o.objection.text)}** — {_md(o.response.markdown)}" for o in play.objections],
    )
    competitors = []
    for m in play.competitors:
        competitors.append(f"### {_md(names.get(m.competitor, m.competitor))}")
        competitors.append("")
        if m.talk_track:
            competitors += [_md(m.talk_track.markdown), ""]
        competitors += [f"- landmine: {_md(x.markdown)}" for x in m.landmines]
    section("Competitors", competitors)
    section(
        "Proof",
        [f"- {_md(p.customer)}: {_md(p.result.markdown)}" for p in play.proof],
    )
    section("Hand-off", [_md(play.handoff.markdown)] if play.handoff else [])
    section("Next steps", _bullets(play.next_steps))
    if play.partner:
        partner = [f"- minimum tier: {play.partner.min_tier}"]
        partner += [f"- role: {_md(play.partner.role.markdown)}"] if play.partner.role else []
        partner += [f"- value: {_md(play.partner.value.markdown)}"] if play.partner.value else []
        program = (
            ("margin", play.partner.margin),
            ("deal registration", play.partner.deal_registration),
            ("MDF", play.partner.mdf),
            ("certification needed", play.partner.certification),
        )
        partner += [f"- {label}: {_md(text.markdown)}" for label, text in program if text]
        partner += [f"- incentive: {_md(text.markdown)}" for text in play.partner.incentives]
        section("Partner", partner)
    section("Links", [f"- {x.rel}: {x.href}" + (" (in the kit)" if x.within == "kit" else "")
                      for x in play.links])  # fmt: skip
    return "\n".join(lines).rstrip() + "\n"

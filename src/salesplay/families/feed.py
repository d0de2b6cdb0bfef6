"""JSON feeds per edition and one Markdown file per card, for CRMs and AI assistants."""

from __future__ import annotations

import datetime as dt
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterable, Sequence
from typing import Any, Literal

from markupsafe import escape
from pydantic import BaseModel, ConfigDict, Field

from salesplay import families, richtext
from salesplay.changes import ReleaseNote, history
from salesplay.diff import SECTIONS, Change, by_kind
from salesplay.engine.units import Unit
from salesplay.families.base import Family, Sources, page_unit
from salesplay.models import Audience, may_see
from salesplay.schema import SCHEMA_DIALECT
from salesplay.views import ClaimView, CompetitorView, Edition, PlayView
from salesplay.write import git_revision

NAME = "feed"
#: bumped when a consumer of an older feed could misread a newer one.
FEED_VERSION = 1


class _Out(BaseModel):
    """What a feed holds: closed objects, so the published schema lists every field."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Out):
    """One text field in both forms: as written (Markdown) and as plain text."""

    markdown: str = Field(description="the text as written in the catalog (Markdown)")
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


class PlayOut(_Out):
    id: str = Field(description="stable id: play:<file name>")
    slug: str = Field(description="the catalog id (the file name)")
    name: Text
    summary: Text
    products: list[str]
    target_industries: list[str]
    target_personas: list[str]
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
    glossary: dict[str, str] = Field(description="term → plain-language meaning")


def feed_schema() -> dict[str, Any]:
    """The published JSON Schema of feed/<edition>.json (`salesplay schema feed`)."""
    schema = Feed.model_json_schema(mode="serialization")
    return {"$schema": SCHEMA_DIALECT, **schema, "title": "salesplay feed"}


# --- from an edition to a feed ---------------------------------------------------------


def _t(md: str) -> Text:
    return Text(markdown=md, text=richtext.plain(md))


def _opt(md: str | None) -> Text | None:
    return _t(md) if md else None


def _ts(items: Iterable[str]) -> list[Text]:
    return [_t(x) for x in items]


def _link(audience: Audience, rel: str, href: str, within: Literal["build", "kit"]) -> Link | None:
    """A link to an output, only when the family that owns it makes it for this audience or a
    wider one (a rep feed may point at a public deck, a public feed never at a rep card)."""
    fam = families.owner(href)
    if fam is None:
        return None
    made_for = fam.audience_of(href)
    if made_for is None or not may_see(audience, made_for):
        return None
    return Link(rel=rel, href=href, family=fam.name, within=within)


def _play_links(
    ed: Edition, play: PlayView, tier: str | None, pitched: Collection[str]
) -> list[Link]:
    from salesplay.families import battlecards, decks, playbooks, site

    aud = ed.audience
    dests = sorted({p.path.destination for p in play.positions})
    if tier is not None:
        # a partner reads its kit: the same names inside the kit's folder, made for partners
        wanted = [
            ("battlecard-pdf", battlecards.path_of(play.id)),
            ("enablement-deck", decks.enablement_path(play.id)),
        ]
        # the kit carries the public pitch of each destination it has a pitch for
        wanted += [("pitch-deck", decks.pitch_path(d)) for d in dests if d in pitched]
        return [Link(rel=r, href=h, family="kits", within="kit") for r, h in wanted]
    found = [
        _link(aud, "battlecard-pdf", battlecards.path_of(play.id), "build"),
        _link(aud, "card-page", site.card_path(play.id), "build"),
        _link(aud, "enablement-deck", decks.enablement_path(play.id), "build"),
        *(_link(aud, "playbook", playbooks.path_of(d), "build") for d in dests),
        *(_link(aud, "pitch-deck", decks.pitch_path(d), "build") for d in dests),
    ]
    return [x for x in found if x]


def _dest_links(ed: Edition, did: str) -> list[Link]:
    from salesplay.families import decks, playbooks

    found = [
        _link(ed.audience, "playbook", playbooks.path_of(did), "build"),
        _link(ed.audience, "pitch-deck", decks.pitch_path(did), "build"),
    ]
    return [x for x in found if x]


def _play(
    ed: Edition, play: PlayView, edition_name: str, tier: str | None, pitched: Collection[str]
) -> PlayOut:
    target = play.target
    return PlayOut(
        id=f"play:{play.id}",
        slug=play.id,
        name=_t(play.name),
        summary=_t(play.summary),
        products=[f"product:{p.id}" for p in play.products],
        target_industries=list(target.industries) if target else [],
        target_personas=list(target.personas) if target else [],
        triggers=_ts(play.triggers),
        why_do_anything=_t(play.why_do_anything),
        why_now=_t(play.why_now),
        why_us=[f"claim:{c.id}" for c in play.why_us],
        discovery=_ts(play.discovery),
        qualification=_ts(play.qualification),
        objections=[ObjectionOut(objection=_t(o.objection), response=_t(o.response))
                    for o in play.objections],
        competitors=[
            MatchupOut(
                competitor=f"competitor:{m.competitor.id}",
                landmines=_ts(m.landmines),
                talk_track=_opt(m.talk_track),
            )
            for m in play.competitors
        ],
        proof=[
            CustomerProofOut(
                customer=p.customer, industry=p.industry, result=_t(p.result), source=p.source
            )
            for p in play.proof
        ],
        handoff=_opt(play.handoff),
        next_steps=_ts(play.next_steps),
        partner=PartnerRoleOut(
            role=_opt(play.partner.role),
            value=_opt(play.partner.value),
            min_tier=play.partner.min_tier,
        )
        if play.partner
        else None,
        positions=[
            PositionOut(
                path=f"path:{pos.path.id}",
                step=pos.step.number,
                of=len(pos.path.steps),
                destination=f"destination:{pos.destination.id}" if pos.destination else None,
                stage=_opt(pos.step.stage),
                milestone=_opt(pos.step.milestone),
            )
            for pos in play.positions
        ],
        links=_play_links(ed, play, tier, pitched),
        markdown_export=markdown_path(edition_name, play.id),
    )  # fmt: skip


def _claim(c: ClaimView) -> ClaimOut:
    return ClaimOut(
        id=f"claim:{c.id}",
        claim=_t(c.claim),
        type=c.type,
        backed_by=[f"capability:{cap.ref}" for cap in c.backed_by],
        versus=[
            VersusOut(competitor=f"competitor:{v.competitor.id}", detail=_opt(v.detail))
            for v in c.versus
        ],
        proof=[ProofOut(text=_t(p.text), source=p.source) for p in c.proof],
        reviewed=c.reviewed.isoformat(),
        stale_days=c.stale_days,
        roadmap=c.label,
        plays=[f"play:{p}" for p in c.plays],
    )


def _competitor(c: CompetitorView) -> CompetitorOut:
    return CompetitorOut(
        id=f"competitor:{c.id}",
        name=_t(c.name),
        type=c.type,
        summary=_t(c.summary),
        website=c.website,
        strengths=_ts(c.strengths),
        weaknesses=_ts(c.weaknesses),
        pricing=_opt(c.pricing),
        quick_dismiss=_opt(c.quick_dismiss),
        reviewed=c.reviewed.isoformat(),
        stale_days=c.stale_days,
    )


def make_feed(
    ed: Edition,
    edition_name: str,
    revision: str | None,
    tier: str | None = None,
    pitched: Collection[str] = (),
) -> Feed:
    """The feed of one edition; for a partner tier, its kit's edition and the destinations
    whose pitch deck the kit carries."""
    return Feed(
        feed_version=FEED_VERSION,
        edition=edition_name,
        audience=ed.audience,
        tier=tier,
        as_of=ed.as_of.isoformat(),
        revision=revision,
        company=ed.company.name,
        plays=[_play(ed, p, edition_name, tier, pitched) for p in ed.plays.values()],
        claims=[_claim(c) for _, c in sorted(ed.differentiators.items())],
        competitors=[_competitor(c) for _, c in sorted(ed.competitors.items())],
        products=[
            ProductOut(
                id=f"product:{p.id}",
                name=_t(p.name),
                summary=_t(p.summary),
                capabilities=[
                    CapabilityOut(
                        id=f"capability:{cap.ref}",
                        name=_t(cap.name),
                        status=cap.status,
                        roadmap=cap.label,
                    )
                    for cap in p.capabilities
                ],
            )
            for _, p in sorted(ed.products.items())
        ],
        destinations=[
            DestinationOut(
                id=f"destination:{d.id}",
                name=_t(d.name),
                promise=_t(d.promise),
                outcomes=_ts(d.outcomes),
                why_change=_opt(d.why_change),
                why_now=_opt(d.why_now),
                personas=list(d.personas),
                products=[f"product:{p.id}" for p in d.products],
                paths=[f"path:{p.id}" for p in d.paths],
                links=_dest_links(ed, d.id),
            )
            for _, d in sorted(ed.destinations.items())
        ],
        paths=[
            PathOut(
                id=f"path:{p.id}",
                name=_t(p.name),
                destination=f"destination:{p.destination}",
                steps=[
                    StepOut(
                        number=s.number,
                        play=f"play:{s.play}" if s.play else None,
                        stage=_opt(s.stage),
                        entry_signals=_ts(s.entry_signals),
                        milestone=_opt(s.milestone),
                    )
                    for s in p.steps
                ],
            )
            for _, p in sorted(ed.paths.items())
        ],
        glossary=dict(sorted(ed.glossary.items())),
    )


# --- Markdown export -----------------------------------------------------------------------


def feed_path(edition_name: str) -> str:
    """Where an edition's JSON feed lives, relative to --out."""
    return f"feed/{edition_name}.json"


def markdown_path(edition_name: str, play_id: str) -> str:
    """Where a card's Markdown export lives, relative to --out."""
    return f"feed/{edition_name}/{play_id}.md"


def _md(text: str) -> str:
    # raw HTML in the catalog is text, never markup (as on every other output)
    return text.replace("&", "&amp;").replace("<", "&lt;")


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
        section("Partner", partner)
    section("Links", [f"- {x.rel}: {x.href}" + (" (in the kit)" if x.within == "kit" else "")
                      for x in play.links])  # fmt: skip
    return "\n".join(lines).rstrip() + "\n"


# --- Atom: the What's new of each edition ----------------------------------------------------

ATOM = "http://www.w3.org/2005/Atom"


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _urn(*parts: str) -> str:
    # stable across builds and machines: the same company, edition and commit give the same id
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'salesplay:' + ':'.join(parts))}"


def note_html(changes: Sequence[Change]) -> str:
    """A release's changes as HTML (escaped), grouped by section, for feed readers."""
    if not changes:
        return "<p>Nothing changed for this edition.</p>"
    parts = []
    for kind, mine in by_kind(changes).items():
        items = "".join(f"<li>{escape(c.message)}</li>" for c in mine)
        parts.append(f"<h3>{escape(SECTIONS[kind])}</h3><ul>{items}</ul>")
    return "".join(parts)


def atom_feed(
    company: str, edition_name: str, as_of: dt.date, notes: Sequence[ReleaseNote]
) -> bytes:
    """An Atom 1.0 feed of an edition's release notes, newest first (one entry per release)."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        el.text = text
        return el

    root = ET.Element(f"{{{ATOM}}}feed")
    sub(root, "id", _urn(company, edition_name))
    sub(root, "title", f"{company} — what's new ({edition_name} edition)")
    updated = max((n.release.date for n in notes), default=as_of)
    sub(root, "updated", _stamp(updated))
    sub(sub(root, "author"), "name", company)
    sub(root, "generator", "salesplay")
    for note in notes:
        changes = note.changes.get(edition_name, ())
        entry = sub(root, "entry")
        sub(entry, "id", _urn(company, edition_name, note.release.commit))
        count = f"{len(changes)} change{'s' * (len(changes) != 1)}"
        sub(entry, "title", f"{note.release.tag}: {count} since {note.previous.tag}")
        sub(entry, "updated", _stamp(note.release.date))
        sub(entry, "content", note_html(changes), type="html")
    ET.indent(root, space=" ")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def atom_path(edition_name: str) -> str:
    """Where an edition's Atom feed of release notes lives, relative to --out."""
    return f"feed/{edition_name}.atom"


def atom_units(src: Sources, names: Sequence[str]) -> list[Unit]:
    """One Atom feed per edition, from the catalog's release tags (nothing outside git)."""
    from salesplay.imagecache import ImageCache

    releases = src.cat.config.releases
    notes = history(src.cat.root, releases.tags, releases.keep, ImageCache(src.out))
    if notes is None:
        src.progress("feed: the catalog is not in git: no What's new (Atom) feeds")
        return []
    company = src.cat.config.company.name
    return [
        page_unit(NAME, atom_path(name), atom_feed(company, name, src.cat.as_of, notes))
        for name in names
    ]


# --- the family ------------------------------------------------------------------------------


def editions_of(src: Sources) -> list[tuple[str, Edition, str | None, tuple[str, ...]]]:
    """(edition name, edition, tier) of every feed: internal, rep, public, and one per
    partner tier from that tier's kit edition. There is no single partner feed: a partner
    must never get a reference to a play outside its kit."""
    found: list[tuple[str, Edition, str | None, tuple[str, ...]]] = [
        (aud, src.editions[aud], None, ()) for aud in ("internal", "rep", "public")
    ]
    partner = src.editions["partner"]
    found += [
        (f"partner-{tier}", kit.cards, tier, kit.destinations) for tier, kit in partner.kits.items()
    ]
    return found


def plan(src: Sources) -> list[Unit]:
    revision = git_revision(src.cat.root)
    units = []
    for name, ed, tier, pitched in editions_of(src):
        feed = make_feed(ed, name, revision, tier, pitched)
        data = json.dumps(feed.model_dump(mode="json"), indent=1, ensure_ascii=False) + "\n"
        units.append(page_unit(NAME, feed_path(name), data))
        units += [
            page_unit(NAME, markdown_path(name, p.slug), play_markdown(feed, p), ("play", p.slug))
            for p in feed.plays
        ]
    return units + atom_units(src, [name for name, *_ in editions_of(src)])


FAMILY = Family(
    NAME,
    "a JSON feed per edition (stable ids, plain text and Markdown of every field, links,"
    " as-of date, revision) and one Markdown file per card, for CRMs and AI assistants",
    (
        ("feed/internal.json", "internal"),
        ("feed/internal/*.md", "internal"),
        ("feed/rep.json", "rep"),
        ("feed/rep/*.md", "rep"),
        ("feed/public.json", "public"),
        ("feed/public/*.md", "public"),
        ("feed/partner-*.json", "partner"),
        ("feed/partner-*/*.md", "partner"),
        ("feed/internal.atom", "internal"),
        ("feed/rep.atom", "rep"),
        ("feed/public.atom", "public"),
        ("feed/partner-*.atom", "partner"),
    ),
    plan,
    # for machines: one language, the catalog's source locale
    localized=False,
    # every feed names the revision; the Atom feeds are made from the release tags
    git=frozenset({"revision", "tags"}),
    # partners never reach its outputs: only the kits are made per partner
    ignores=frozenset({"partner"}),
)

"""JSON feeds per edition and one Markdown file per card, for CRMs and AI assistants."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from salesplay import families, kits, richtext
from salesplay.changes import ReleaseNote, history
from salesplay.engine.units import Unit
from salesplay.families.base import Family, Row, Sources, page_unit, scratch
from salesplay.jargon import shown_term
from salesplay.models import Audience, may_see
from salesplay.render import atom
from salesplay.render.feeds import (
    FEED_VERSION,
    CapabilityOut,
    ClaimOut,
    CompetitorOut,
    CustomerProofOut,
    DestinationOut,
    Feed,
    Link,
    MatchupOut,
    ObjectionOut,
    PartnerRoleOut,
    PathOut,
    PlayOut,
    PositionOut,
    ProductOut,
    ProofOut,
    StepOut,
    Text,
    VersusOut,
    play_markdown,
)
from salesplay.views import ClaimView, CompetitorView, Edition, PlayView
from salesplay.write import git_revision

NAME = "feed"


# --- from an edition to a feed ---------------------------------------------------------


def _t(md: str) -> Text:
    # a link the outputs drop (javascript:, a relative path, an image) is dropped here too
    return Text(markdown=richtext.safe_markdown(md), text=richtext.plain(md))


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


@dataclass(frozen=True)
class Made:
    """Which outputs a feed's links may name, because the build (or, for a partner tier, its
    kit) holds them: a link to a file no build makes (the pitch of a destination the public
    may not see, the card of an internal play) sends a reader nowhere."""

    #: plays with a battlecard, a card page and an enablement deck (the rep edition's; a kit's
    #: plays: a card and an enablement deck in the kit)
    cards: frozenset[str]
    #: destinations with a playbook (the internal edition's; none in a kit)
    playbooks: frozenset[str]
    #: destinations with a customer pitch deck (the public edition's; a kit's destinations)
    pitches: frozenset[str]
    #: plays with a customer brief (a kit's public plays; none in the build)
    briefs: frozenset[str] = frozenset()


def made_of(src: Sources, tier: str | None) -> Made:
    """What the build makes (tier None), or what the tier's kits hold."""
    if tier is not None:
        kit = src.editions["partner"].kits[tier]
        return Made(
            frozenset(kit.plays), frozenset(), frozenset(kit.destinations), frozenset(kit.briefs)
        )
    return Made(
        frozenset(src.editions["rep"].plays),
        frozenset(src.editions["internal"].destinations),
        frozenset(src.editions["public"].destinations),
    )


def _play_links(ed: Edition, play: PlayView, tier: str | None, made: Made) -> list[Link]:
    from salesplay.families import battlecards, decks, playbooks, site

    aud = ed.audience
    dests = sorted({p.path.destination for p in play.positions})
    if tier is not None:
        # a partner reads its kit: the files as the kit's folder holds them
        wanted: list[tuple[str, str]] = []
        if play.id in made.cards:
            wanted += [
                ("battlecard-pdf", kits.card_name(play.id)),
                ("enablement-deck", kits.enablement_name(play.id)),
            ]
        if play.id in made.briefs:
            wanted.append(("customer-brief", kits.brief_name(play.id)))
        wanted += [("pitch-deck", kits.pitch_name(d)) for d in dests if d in made.pitches]
        return [Link(rel=r, href=h, family="kits", within="kit") for r, h in wanted]
    wanted = []
    if play.id in made.cards:
        wanted += [
            ("battlecard-pdf", battlecards.path_of(play.id)),
            ("card-page", site.card_path(play.id)),
            ("enablement-deck", decks.enablement_path(play.id)),
        ]
    wanted += [("playbook", playbooks.path_of(d)) for d in dests if d in made.playbooks]
    wanted += [("pitch-deck", decks.pitch_path(d)) for d in dests if d in made.pitches]
    found = [_link(aud, rel, href, "build") for rel, href in wanted]
    return [x for x in found if x]


def _dest_links(ed: Edition, did: str, tier: str | None, made: Made) -> list[Link]:
    from salesplay.families import decks, playbooks

    if tier is not None:
        if did not in made.pitches:
            return []
        return [Link(rel="pitch-deck", href=kits.pitch_name(did), family="kits", within="kit")]
    wanted = [("playbook", playbooks.path_of(did))] if did in made.playbooks else []
    wanted += [("pitch-deck", decks.pitch_path(did))] if did in made.pitches else []
    found = [_link(ed.audience, rel, href, "build") for rel, href in wanted]
    return [x for x in found if x]


def _play(ed: Edition, play: PlayView, edition_name: str, tier: str | None, made: Made) -> PlayOut:
    target = play.target
    return PlayOut(
        id=f"play:{play.id}",
        slug=play.id,
        name=_t(play.name),
        summary=_t(play.summary),
        products=[f"product:{p.id}" for p in play.products],
        target_segments=list(target.segments) if target else [],
        target_industries=list(target.industries) if target else [],
        target_personas=list(target.personas) if target else [],
        target_economic_buyer=target.economic_buyer if target else None,
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
            margin=_opt(play.partner.margin),
            deal_registration=_opt(play.partner.deal_registration),
            mdf=_opt(play.partner.mdf),
            certification=_opt(play.partner.certification),
            incentives=_ts(play.partner.incentives),
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
        links=_play_links(ed, play, tier, made),
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
    tier: str | None,
    made: Made,
) -> Feed:
    """The feed of one edition; for a partner tier, its kit's edition, linking the files its
    kits hold (`made`)."""
    return Feed(
        feed_version=FEED_VERSION,
        edition=edition_name,
        audience=ed.audience,
        tier=tier,
        as_of=ed.as_of.isoformat(),
        revision=revision,
        company=ed.company.name,
        plays=[_play(ed, p, edition_name, tier, made) for p in ed.plays.values()],
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
                links=_dest_links(ed, d.id, tier, made),
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
        # the meanings are Markdown like every text (links the outputs drop, dropped too)
        glossary={shown_term(t): _t(m) for t, m in sorted(ed.glossary.items())},
    )


def feed_path(edition_name: str) -> str:
    """Where an edition's JSON feed lives, relative to --out."""
    return f"feed/{edition_name}.json"


def markdown_path(edition_name: str, play_id: str) -> str:
    """Where a card's Markdown export lives, relative to --out."""
    return f"feed/{edition_name}/{play_id}.md"


def atom_path(edition_name: str) -> str:
    """Where an edition's Atom feed of release notes lives, relative to --out."""
    return f"feed/{edition_name}.atom"


def atom_units(src: Sources, names: Sequence[str]) -> list[Unit]:
    """One Atom feed per edition, from the catalog's release tags (nothing outside git)."""
    from salesplay.imagecache import ImageCache

    releases = src.cat.config.releases
    images, folder = ImageCache(src.out), scratch(src)
    notes = history(src.cat.root, releases.tags, releases.keep, images, scratch=folder)
    if notes is None:
        src.progress("feed: the catalog is not in git: no What's new (Atom) feeds")
        return []
    company = src.cat.config.company.name
    return [
        page_unit(
            NAME,
            atom_path(name),
            atom.atom_feed(company, name, src.cat.as_of, entries(notes, name)),
        )
        for name in names
    ]


def entries(notes: Sequence[ReleaseNote], edition_name: str) -> list[atom.Entry]:
    """Each release note as an Atom entry of one edition: its changes counted and listed."""
    found = []
    for note in notes:
        changes = note.changes.get(edition_name, ())
        count = f"{len(changes)} change{'s' * (len(changes) != 1)}"
        title = f"{note.release.tag}: {count} since {note.previous.tag}"
        found.append(
            atom.Entry(
                note.release.commit,
                title,
                note.release.date,
                atom.note_html(changes),
                note.release.tag if note.shares_commit else "",
            )
        )
    return found


# --- the family ------------------------------------------------------------------------------


def editions_of(src: Sources) -> list[tuple[str, Edition, str | None]]:
    """(edition name, edition, tier) of every feed: internal, rep, public, and one per
    partner tier from that tier's kit edition. There is no single partner feed: a partner
    must never get a reference to a play outside its kit."""
    found: list[tuple[str, Edition, str | None]] = [
        (aud, src.editions[aud], None) for aud in ("internal", "rep", "public")
    ]
    partner = src.editions["partner"]
    found += [(f"partner-{tier}", kit.cards, tier) for tier, kit in partner.kits.items()]
    return found


def plan(src: Sources) -> list[Unit]:
    revision = git_revision(src.cat.root)
    units = []
    for name, ed, tier in editions_of(src):
        feed = make_feed(ed, name, revision, tier, made_of(src, tier))
        data = json.dumps(feed.model_dump(mode="json"), indent=1, ensure_ascii=False) + "\n"
        units.append(page_unit(NAME, feed_path(name), data))
        units += [
            page_unit(NAME, markdown_path(name, p.slug), play_markdown(feed, p), ("play", p.slug))
            for p in feed.plays
        ]
    return units + atom_units(src, [name for name, *_ in editions_of(src)])


FAMILY = Family(
    NAME,
    "machine-readable editions for CRMs and AI assistants (stable ids, Markdown and plain"
    " text of every field, links to the outputs, as-of date, git revision), one Markdown"
    " card per play, and each edition's What's new as an Atom feed",
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
    rows=(
        Row(
            "`build/feed/<edition>.json`, `build/feed/<edition>/<play>.md`,"
            " `build/feed/<edition>.atom`",
            "internal, rep, public, partner (one per tier: `partner-<tier>`)",
        ),
    ),
)

"""The rep portal's pages (home, matrix, What's new, report, partners) and their model."""

from __future__ import annotations

import datetime as dt
import posixpath
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from salesplay.findings import Section
from salesplay.locales import Language
from salesplay.render import html
from salesplay.render.templates import (
    TemplateFault,
    render,
)
from salesplay.views import ContactView, Edition, KitView, PartnerView, PlayView

#: theme files of the portal, copied to site/assets/<name> (project templates override them).
PORTAL_CSS = "portal/portal.css"
#: the header every rep web page shares (portal/header.html), linked before PORTAL_CSS.
HEADER_CSS = "portal/header.css"
#: how PORTAL_CSS imports HEADER_CSS (for a layout that links PORTAL_CSS alone); a page that
#: inlines both leaves it out.
HEADER_IMPORT = '@import url("header.css");'
PORTAL_JS = "portal/portal.js"
#: the search index's script, in site/ (search.search_index_js).
INDEX_JS = "search-index.js"
#: the longest example search that fits a phone's search box at the portal's font size.
PLACEHOLDER_CHARS = 30
#: the "What's new" page, in site/.
WHATS_NEW = "whats-new.html"
#: the reps' partner directory, relative to --out (families/partners.py), and its script.
PARTNERS = "partners/index.html"
PARTNERS_JS = "portal/partners.js"

# --- the model handed to templates ------------------------------------------------------


@dataclass(frozen=True)
class TierPlays:
    """What one partner tier's kits hold, as the partner directory lists it: the tier's id
    and name, and the plays (rep views, to link their cards)."""

    tier: str
    name: str
    plays: tuple[PlayView, ...]


@dataclass(frozen=True)
class DirectoryEntry:
    """One partner as the reps' directory shows it: the href of its contact's website (the
    catalog may write a bare domain), and its regions as the directory names them (one
    spelling per region however partners write it: region_key)."""

    partner: PartnerView
    website: str | None
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepBadge:
    """Where a play stands: destination, path and step number."""

    destination: str
    path: str
    number: int
    of: int


@dataclass(frozen=True)
class PlayCard:
    """One play as the home page lists it and the search index describes it."""

    play: PlayView
    href: str
    badges: tuple[StepBadge, ...]
    competitors: tuple[str, ...]
    industries: tuple[str, ...]
    personas: tuple[str, ...]
    destinations: tuple[str, ...]
    downloads: tuple[tuple[str, str], ...]
    #: (competitor name, its card page) per competitor the play names.
    versus: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PageLinks:
    """URLs of a portal page, relative to where the page is written."""

    home: str
    matrix: str
    report: str
    competitors: str  # the competitor index (build/competitors/), beside build/site/
    partners: str  # the partner directory (build/partners/), beside build/site/
    whats_new: str
    matrix_pdf: str  # build/matrix.pdf (the matrix family's), beside build/site/
    css: str
    header_css: str
    fonts: str
    js: str
    index: str
    logo: str | None
    site: html.Links

    @property
    def nav(self) -> html.Nav:
        """The navigation in the header (portal/header.html), as on every rep web page."""
        return html.Nav(
            self.home, self.competitors, self.matrix, self.whats_new, self.report, self.partners
        )


@dataclass(frozen=True)
class NewsItem:
    """One change as the What's new page tells it; `href` leads to the card it is about."""

    message: str
    href: str | None = None


@dataclass(frozen=True)
class NewsRelease:
    """One release on the What's new page: what changed since the release before it."""

    tag: str
    date: dt.date
    previous: str
    #: (section title, its changes), in the order the page shows them.
    sections: tuple[tuple[str, tuple[NewsItem, ...]], ...]

    @property
    def count(self) -> int:
        return sum(len(items) for _, items in self.sections)


# --- the home page: its cards, example search and script labels ---------------------------


def play_cards(edition: Edition, links: html.Links) -> tuple[PlayCard, ...]:
    """Every play of the edition, in path order (destinations first), then the rest by name."""
    order: dict[str, None] = {}
    for dest in edition.destinations.values():
        for path in dest.paths:
            order.update((s.play, None) for s in path.steps if s.play in edition.plays)
    rest = sorted((p for p in edition.plays if p not in order), key=lambda p: edition.plays[p].name)
    order.update(dict.fromkeys(rest))
    cards = []
    for pid in order:
        play = edition.plays[pid]
        badges = tuple(
            StepBadge(
                pos.destination.name if pos.destination else pos.path.name,
                pos.path.name,
                pos.step.number,
                len(pos.path.steps),
            )
            for pos in play.positions
        )
        target = play.target
        cards.append(
            PlayCard(
                play=play,
                href=links.play(pid) or "",
                badges=badges,
                competitors=tuple(dict.fromkeys(m.competitor.name for m in play.competitors)),
                industries=target.industries if target else (),
                personas=target.personas if target else (),
                destinations=tuple(dict.fromkeys(b.destination for b in badges)),
                downloads=tuple(links.downloads(pid).items()),
                versus=tuple(
                    dict.fromkeys(
                        (m.competitor.name, links.competitor(m.competitor.id) or "")
                        for m in play.competitors
                    )
                ),
            )
        )
    return tuple(cards)


def script_labels(edition: Edition, total: int) -> dict[str, Any]:
    """The words portal.js shows, in the edition's language (the page embeds them as JSON).

    `matching` is chosen for the page's `total` of plays and keeps a %(shown)s placeholder
    for the script to fill with the number of matches.
    """
    tr = edition.labels.gettext
    matching = edition.labels.ngettext(
        "%(shown)s of %(num)d play match", "%(shown)s of %(num)d plays match", total
    )
    return {
        # how a match in each field of the search index is explained
        "fields": {
            "competitors": tr("Competitor"),
            "objections": tr("Objection"),
            "triggers": tr("Trigger"),
            "industries": tr("Industry"),
            "personas": tr("Persona"),
            "destinations": tr("Destination"),
            "discovery": tr("Discovery question"),
            "responses": tr("Response"),
            "claims": tr("Claim"),
            "proof": tr("Customer result"),
            "talk_tracks": tr("Talk track"),
            "landmines": tr("Landmine"),
            "why_anything": tr("Why do anything"),
            "why_now": tr("Why now"),
            "stages": tr("Customer today"),
            "goals": tr("Goal"),
            "signals": tr("Entry signals"),
            "qualification": tr("Qualify"),
            "next_steps": tr("Next steps"),
            "handoff": tr("Hand off"),
            "kinds": tr("Competitor"),
        },
        # a match in what reps know of a competitor the play names
        "intel": {
            "dismiss": tr("%(name)s — quick dismiss"),
            "strengths": tr("%(name)s — strength"),
            "weaknesses": tr("%(name)s — weak spot"),
        },
        "reason": tr("%(label)s:"),
        "competitor_card": tr("%(name)s competitor card"),
        "matching": matching % {"num": total, "shown": "%(shown)s"},
        # the phone's folded filters' toggle, with how many are chosen
        "filters_chosen": tr("Filters (%(n)s)"),
    }


def placeholder(edition: Edition, cards: Sequence[PlayCard]) -> str:
    """An example search from the catalog: its most named rival vendor and industry.

    Short enough for a phone's search box (the label above it says what can be searched).
    """
    vendors = {c.name for c in edition.competitors.values() if c.type == "vendor"}
    named = [n for c in cards for n in c.competitors]
    picks = []
    for values in (
        [n for n in named if n in vendors] or named,
        [i for c in cards for i in c.industries],
        [p for c in cards for p in c.personas],
    ):
        if values:
            # the most frequent; ties go to the first in card order
            picks.append(max(dict.fromkeys(values), key=values.count))
    words = picks[:2] or [c.play.name for c in cards[:1]]
    text = ", ".join(words)
    while len(words) > 1 and len(text) > PLACEHOLDER_CHARS:
        words.pop()
        text = ", ".join(words)
    return edition.labels.gettext("e.g. %(example)s") % {"example": text} if text else ""


def _options(values: Iterable[str]) -> tuple[str, ...]:
    # by the value in lower case, then as written: one order whatever the hash seed
    # ("Germany" and "germany" were ordered by iterating a set)
    return tuple(sorted(set(values), key=lambda v: (v.lower(), v)))


def region_spelt(region: str) -> str:
    """A region's words (any white space, a line break or a no-break space between them,
    one space shown), composed (NFC)."""
    return " ".join(unicodedata.normalize("NFC", region).split())


def region_key(region: str) -> str:
    """What a region is, however it is written: its words, composed, in any case."""
    return region_spelt(region).casefold()


# --- rendering --------------------------------------------------------------------------


def page_links(edition: Edition, up: str = "") -> PageLinks:
    """Links for a page in build/site/ (`up` empty) or elsewhere (`up` leads to build/site/)."""
    base = html.Links.for_site(0)
    # Downloads are relative to build/, and site/ and reports/ are both one level below it.
    site = html.Links(
        theme=lambda n: up + base.theme(n),
        asset=lambda v: up + base.asset(v),
        play=lambda p: up + (base.play(p) or ""),
        downloads=base.downloads,
        home=f"{up}index.html",
        competitor=lambda c: posixpath.normpath(up + (base.competitor(c) or "")),
    )
    logo = edition.company.logo
    return PageLinks(
        home=f"{up}index.html",
        matrix=f"{up}matrix.html",
        report=f"{up}report.html",
        competitors=posixpath.normpath(f"{up}../competitors/all_competitors.html"),
        partners=posixpath.normpath(f"{up}../{PARTNERS}"),
        whats_new=f"{up}{WHATS_NEW}",
        matrix_pdf=posixpath.normpath(f"{up}../matrix.pdf"),
        css=site.theme(PORTAL_CSS),
        header_css=site.theme(HEADER_CSS),
        fonts=site.theme("fonts.css"),
        js=site.theme(PORTAL_JS),
        index=f"{up}{INDEX_JS}",
        logo=site.asset(logo) if logo else None,
        site=site,
    )


def _common(
    edition: Edition, links: PageLinks, page: str, languages: Sequence[Language] = ()
) -> dict[str, Any]:
    return {
        # the same page in the build's other locales
        "languages": tuple(languages),
        "edition": edition,
        "company": edition.company,
        "as_of": edition.as_of,
        "links": links,
        "page": page,
        "brand_css": html.brand_css(edition.brand),
        "edition_label": html.EDITION_LABELS.get(edition.audience, edition.audience),
        "inline_css": None,
    }


def _render(env: jinja2.Environment, name: str, **context: Any) -> str:
    try:
        return render(env, name, **context)
    except TemplateFault as exc:
        from salesplay.faults import BuildFault

        raise BuildFault(exc.loc, str(exc)) from None


def home_page(
    env: jinja2.Environment,
    edition: Edition,
    cards: Sequence[PlayCard],
    languages: Sequence[Language] = (),
) -> str:
    links = page_links(edition)
    return _render(
        env,
        "portal/index.html",
        cards=cards,
        placeholder=placeholder(edition, cards),
        script_labels=script_labels(edition, len(cards)),
        destinations=tuple(edition.destinations.values()),
        filters={
            "destination": _options(d for c in cards for d in c.destinations),
            "industry": _options(i for c in cards for i in c.industries),
            "persona": _options(p for c in cards for p in c.personas),
            "competitor": _options(n for c in cards for n in c.competitors),
        },
        **_common(edition, links, "home", languages),
    )


def matrix_page(
    env: jinja2.Environment, edition: Edition, languages: Sequence[Language] = ()
) -> str:
    links = page_links(edition)
    table = html.Matrix.of(edition, tuple(edition.differentiators.values()), every_competitor=True)
    context = _common(edition, links, "matrix", languages)
    return _render(env, "portal/matrix.html", matrix=table, **context)


def partners_page(
    env: jinja2.Environment,
    edition: Edition,
    partners: Iterable[PartnerView],
    kits: Mapping[str, KitView],
    languages: Sequence[Language] = (),
) -> str:
    """The reps' partner directory (template `portal/partners.html`), in build/partners/.

    `edition` is the rep edition (its play names and cards); `partners` those reps may be
    told of (edition.told_of), `kits` what each tier's kits hold (the partner edition's).
    """
    links = page_links(edition, up="../site/")
    listed = sorted(partners, key=lambda p: (p.name.casefold(), p.id))
    # a region written "Germany", "germany " or with a no-break space is one region, named as
    # the first partner listed writes it (its words, composed): the filter finds them all
    region_names: dict[str, str] = {}
    for partner in listed:
        for region in partner.regions:
            if region_key(region):
                region_names.setdefault(region_key(region), region_spelt(region))
    entries = tuple(
        DirectoryEntry(
            p,
            _web_href(p.contact),
            tuple(dict.fromkeys(region_names[k] for r in p.regions if (k := region_key(r)))),
        )
        for p in listed
    )
    # the tiers some partner of the list is in (their names as that partner's view has
    # them: translated), in the catalog's order
    names = {e.partner.tier: e.partner.tier_name for e in entries}
    plays = edition.plays
    tiers = tuple(
        TierPlays(tier, names[tier], tuple(plays[p] for p in kit.plays if p in plays))
        for tier, kit in kits.items()
        if tier in names
    )
    # every play of a kit, whether a listed partner sells it or not: a card links here with
    # any of them, and the filter then says that no partner matches
    held = {pid for kit in kits.values() for pid in kit.plays}
    return _render(
        env,
        "portal/partners.html",
        entries=entries,
        regions=_options(region_names.values()),
        plays=tuple(p for pid, p in plays.items() if pid in held),
        tiers=tiers,
        tier_plays={t.tier: [p.id for p in t.plays] for t in tiers},
        script=links.site.theme(PARTNERS_JS),
        script_labels={
            # chosen for the number listed; partners.js fills in how many are shown
            "matching": edition.labels.ngettext(
                "%(shown)s of %(num)d partner match",
                "%(shown)s of %(num)d partners match",
                len(entries),
            )
            % {"num": len(entries), "shown": "%(shown)s"},
        },
        **_common(edition, links, "partners", languages),
    )


def _web_href(contact: ContactView | None) -> str | None:
    """A contact's website as a link: the URL as written, a bare domain over https."""
    site = contact.website if contact else None
    if not site:
        return None
    # a scheme in any case (HTTPS://, Http://) is a scheme: schemes are case-insensitive
    return site if site[:8].lower().startswith(("https://", "http://")) else f"https://{site}"


def whats_new_page(
    env: jinja2.Environment,
    edition: Edition,
    releases: Sequence[NewsRelease] | None,
    pattern: str,
    languages: Sequence[Language] = (),
    shallow: bool = False,
) -> str:
    """The last releases' changes for reps; `releases` None: the catalog has no git history;
    `shallow`: this copy of it (a shallow clone) holds no earlier release."""
    links = page_links(edition)
    return _render(
        env,
        "portal/whats-new.html",
        releases=releases,
        pattern=pattern,
        shallow=shallow,
        **_common(edition, links, "whats-new", languages),
    )


def report_page(
    env: jinja2.Environment,
    edition: Edition,
    sections: Sequence[Section],
    links: PageLinks,
    inline_css: Markup | None = None,
    languages: Sequence[Language] = (),
) -> str:
    common = _common(edition, links, "report", languages) | {"inline_css": inline_css}
    return _render(env, "portal/report.html", sections=sections, **common)

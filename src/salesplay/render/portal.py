"""The rep portal: home page with search and filters, matrix page and the marketers' report."""

from __future__ import annotations

import datetime as dt
import functools
import json
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from salesplay import richtext
from salesplay.diagnostics import Diagnostic, Subject, display_path
from salesplay.labels import N_
from salesplay.locales import Language
from salesplay.render import html
from salesplay.render.templates import (
    TemplateFault,
    render,
)
from salesplay.views import ClaimView, Edition, PlayView

#: theme files of the portal, copied to site/assets/<name> (project templates override them).
PORTAL_CSS = "portal/portal.css"
#: the header every rep web page shares (portal/header.html), linked before PORTAL_CSS.
HEADER_CSS = "portal/header.css"
#: how PORTAL_CSS imports HEADER_CSS (for a layout that links PORTAL_CSS alone); a page that
#: inlines both leaves it out.
HEADER_IMPORT = '@import url("header.css");'
PORTAL_JS = "portal/portal.js"
#: the search index is a script assigning a global: fetch() of JSON fails from file://.
INDEX_JS = "search-index.js"
INDEX_GLOBAL = "SALESPLAY_INDEX"
#: the longest example search that fits a phone's search box at the portal's font size.
PLACEHOLDER_CHARS = 30
#: the "What's new" page, in site/.
WHATS_NEW = "whats-new.html"
#: diagnostic codes the marketers' report groups.
REPORT_CODES = (
    "stale",
    "jargon",
    "play-without-path",
    "unused-differentiator",
    "destination-without-path",
    "competitor-without-play",
)


# --- the model handed to templates ------------------------------------------------------


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
        return html.Nav(self.home, self.competitors, self.matrix, self.whats_new, self.report)


@dataclass(frozen=True)
class Finding:
    """One line of the marketers' report: what, why, which cards, where in the catalog."""

    subject: str
    detail: str
    links: tuple[tuple[str, str], ...] = ()
    where: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    findings: tuple[Finding, ...]


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


# --- home page and search index ---------------------------------------------------------


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


def _plain(texts: Iterable[str]) -> list[str]:
    return [richtext.plain(t) for t in texts]


#: words a rep says around what they heard ("customer says their backups are on tape"): the
#: search index lists them, and a query's words among them need not match (portal.js). Not
#: "no" or "not": "no budget" is an objection. A label: each language's .po gives its own
#: words ("Kunde sagt …"), and an edition lists its language's and these, since untranslated
#: text stays in English. Japanese words are not split by spaces: its list is short.
# TRANSLATORS: not a sentence: the words of your language a seller says around what a
# customer said, separated by spaces (the, their, says, customer); never "no" or "not"
STOP_WORDS_LABEL = N_(
    "a an the and or but of to in on at by for from with into onto about as is are was were "
    "be been being am do does did has have had having it its this that these those there their "
    "theirs they them we our ours us you your yours he she his her him i me my what which who "
    "whom how when where why will would can could should shall may might must just so than then "
    "too very also still some any all own such only say says said saying tell tells told ask "
    "asks asked think thinks thought want wants wanted customer customers client clients "
    "prospect prospects buyer buyers"
)


def fold(text: str) -> str:
    """`text` as portal.js folds it to compare words: accents dropped, lower case."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not 0x300 <= ord(c) <= 0x36F).lower()


def stop_words(gettext: Callable[[str], str] = str) -> list[str]:
    """The stop words of an edition in the language of `gettext`, and English's, folded."""
    words = f"{gettext(STOP_WORDS_LABEL)} {STOP_WORDS_LABEL}".split()
    return list(dict.fromkeys(fold(w) for w in words))


#: competitor types the play card tags (macros.html), so "status quo" finds the plays against it.
COMPETITOR_KINDS = {"status-quo": N_("status quo"), "diy": N_("do it yourself")}


def search_entries(
    cards: Iterable[PlayCard], gettext: Callable[[str], str] = str
) -> list[dict[str, Any]]:
    """What the search index holds per play — and nothing else (it is scanned for leaks).

    Every field is plain text a rep may read on the play's card (or its path, in the
    playbook) in the rep edition: what reps type into the search box is rarely a play's name
    but a word of an objection, a question, a claim, or what the customer is going through.
    `gettext` translates the competitor tags ("status quo") into the edition's language.
    """
    entries = []
    for c in cards:
        play = c.play
        steps = [pos.step for pos in play.positions]
        claims = [richtext.plain(claim.claim) for claim in play.why_us]
        claims += [
            richtext.plain(v.detail)
            for claim in play.why_us
            for v in claim.versus
            if v.detail and any(m.competitor.id == v.competitor.id for m in play.competitors)
        ]
        entries.append(
            {
                "id": play.id,
                "name": play.name,
                "summary": richtext.plain(play.summary),
                "triggers": _plain(play.triggers),
                "competitors": list(c.competitors),
                "industries": list(c.industries),
                "personas": list(c.personas),
                "destinations": list(c.destinations),
                "objections": _plain(o.objection for o in play.objections),
                "responses": _plain(o.response for o in play.objections),
                "discovery": _plain(play.discovery),
                "claims": list(dict.fromkeys(claims)),
                "proof": [f"{p.customer}: {richtext.plain(p.result)}" for p in play.proof],
                "talk_tracks": _plain(m.talk_track for m in play.competitors if m.talk_track),
                "landmines": _plain(t for m in play.competitors for t in m.landmines),
                "why_anything": _plain(t for t in (play.why_do_anything,) if t),
                "why_now": _plain(t for t in (play.why_now,) if t),
                # the play's place on its paths: the customer's stage, the goal, the signals
                "stages": _unique(_plain(s.stage for s in steps if s.stage)),
                "goals": _unique(_plain(s.milestone for s in steps if s.milestone)),
                "signals": _unique(_plain(t for s in steps for t in s.entry_signals)),
                "qualification": _plain(play.qualification),
                "next_steps": _plain(play.next_steps),
                "handoff": _plain(t for t in (play.handoff,) if t),
                # the jargon decoder: [term, meaning] of each glossary term the card uses, so
                # that "recovery point objective" finds the plays that say RPO
                "jargon": [[term, richtext.plain(meaning)] for term, meaning in play.decoder],
                "kinds": _unique(
                    f"{m.competitor.name} ({gettext(COMPETITOR_KINDS[m.competitor.type])})"
                    for m in play.competitors
                    if m.competitor.type in COMPETITOR_KINDS
                ),
            }
        )
    return entries


def _unique(texts: Iterable[str]) -> list[str]:
    """`texts` without repeats, in order (two paths may share a step's stage)."""
    return list(dict.fromkeys(texts))


def competitor_entries(edition: Edition, links: html.Links) -> list[dict[str, Any]]:
    """The edition's competitors: what reps know of them, and where their card is."""
    return [
        {
            "id": cid,
            "name": comp.name,
            "href": links.competitor(cid) or "",
            "strengths": _plain(comp.strengths),
            "weaknesses": _plain(comp.weaknesses),
            "dismiss": richtext.plain(comp.quick_dismiss) if comp.quick_dismiss else "",
        }
        for cid, comp in edition.competitors.items()
    ]


def js_json(value: object) -> str:
    """JSON safe to embed in a script: '<' escaped so no '</script>' can close it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def search_index_js(edition: Edition, cards: Iterable[PlayCard], links: html.Links) -> str:
    index = {
        "plays": search_entries(cards, edition.labels.gettext),
        "competitors": competitor_entries(edition, links),
        "stop_words": stop_words(edition.labels.gettext),
    }
    return f"window.{INDEX_GLOBAL} = {js_json(index)};\n"


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
    return tuple(sorted(set(values), key=str.lower))


# --- marketers' report ------------------------------------------------------------------


def _key(diag: Diagnostic) -> Subject:
    """What a diagnostic is about, as its producer said (one without: its own message)."""
    return diag.subject or ("", diag.message)


class _Held:
    """Whether a word is in the text an edition holds (a view's repr is its content), the
    text made once and only when asked."""

    def __init__(self, edition: Edition) -> None:
        self.edition = edition

    @functools.cached_property
    def text(self) -> str:
        return repr(self.edition)

    def has(self, word: str) -> bool:
        pattern = rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])"
        return re.search(pattern, self.text) is not None


def _label(diag: Diagnostic) -> str:
    return diag.subject[1] if diag.subject else diag.message


def _where(diag: Diagnostic, base: Path) -> str:
    where = display_path(diag.loc.file, base)
    if diag.loc.line:
        where += f":{diag.loc.line}" + (f":{diag.loc.col}" if diag.loc.col else "")
    return where


class _Diags:
    """Diagnostics by code and id, so that findings from the edition pick up their location."""

    def __init__(self, diags: Sequence[Diagnostic], base: Path) -> None:
        self.base = base
        self.by_code: dict[str, list[Diagnostic]] = {}
        for d in diags:
            self.by_code.setdefault(d.code, []).append(d)

    def merge(self, code: str, found: Sequence[tuple[Subject, Finding]]) -> tuple[Finding, ...]:
        """`found` (subject, finding) with the locations of `code` diagnostics about the same
        subject, then the diagnostics about subjects the edition does not show, as reported."""
        diags = self.by_code.get(code, [])
        seen = {key for key, _ in found}
        out = [
            Finding(
                f.subject,
                f.detail,
                f.links,
                f.where + tuple(_where(d, self.base) for d in diags if _key(d) == key),
            )
            for key, f in found
        ]
        out += [
            Finding(_label(d), d.message, (), (_where(d, self.base),))
            for d in diags
            if _key(d) not in seen
        ]
        return tuple(out)


def _stale_claim(edition: Edition, claim: ClaimView) -> str:
    """A stale claim's finding, in the edition's language (one wording per claim type)."""
    ngettext, days = edition.labels.ngettext, claim.stale_days or 0
    if claim.type == "unique":
        text = ngettext(
            "unique claim '%(id)s', last verified %(num)d day ago: partners and customers no"
            " longer see it until it is reviewed",
            "unique claim '%(id)s', last verified %(num)d days ago: partners and customers no"
            " longer see it until it is reviewed",
            days,
        )
    else:
        text = ngettext(
            "comparative claim '%(id)s', last verified %(num)d day ago: partners and customers"
            " no longer see it until it is reviewed",
            "comparative claim '%(id)s', last verified %(num)d days ago: partners and customers"
            " no longer see it until it is reviewed",
            days,
        )
    return text % {"id": claim.id, "num": days}


def report_sections(
    edition: Edition, diags: Sequence[Diagnostic], base: Path, play_href: Callable[[str], str]
) -> tuple[Section, ...]:
    """Stale claims, undefined jargon and coverage gaps, from the checker and the rep edition."""
    by = _Diags(diags, base)
    plays = edition.plays
    # titles and findings in the edition's language (the checker's own messages stay English)
    tr, ngettext = edition.labels.gettext, edition.labels.ngettext

    def cards(pids: Iterable[str]) -> tuple[tuple[str, str], ...]:
        return tuple((plays[p].name, play_href(p)) for p in pids if p in plays)

    stale: list[tuple[Subject, Finding]] = [
        (
            ("differentiator", c.id),
            Finding(
                richtext.plain(c.claim),
                _stale_claim(edition, c),
                cards(c.plays),
            ),
        )
        for c in edition.differentiators.values()
        if c.stale_days is not None
    ]
    stale += [
        (
            ("competitor", comp.id),
            Finding(
                comp.name,
                ngettext(
                    "competitor intelligence last verified %(num)d day ago",
                    "competitor intelligence last verified %(num)d days ago",
                    comp.stale_days or 0,
                )
                % {"num": comp.stale_days},
                cards(p.id for p in plays.values() for m in p.competitors if m.competitor is comp),
            ),
        )
        for comp in edition.competitors.values()
        if comp.stale_days is not None
    ]
    jargon: dict[str, list[Diagnostic]] = {}
    held = _Held(edition)
    for d in by.by_code.get("jargon", []):
        # a word only in text this edition leaves out (a versus line about an internal
        # competitor, in a file the edition shows) is not for its readers
        if held.has(_label(d)):
            jargon.setdefault(_label(d), []).append(d)
    jargon_findings = tuple(
        Finding(
            term,
            ngettext(
                "used in %(num)d place with no glossary entry: explain it in glossary.yaml or"
                " list it in catalog.yaml jargon.allow",
                "used in %(num)d places with no glossary entry: explain it in glossary.yaml or"
                " list it in catalog.yaml jargon.allow",
                len(ds),
            )
            % {"num": len(ds)},
            (),
            tuple(_where(d, base) for d in ds),
        )
        for term, ds in sorted(jargon.items(), key=lambda kv: kv[0].lower())
    )
    empty_steps = tuple(
        Finding(
            tr("%(path)s — step %(n)s") % {"path": path.name, "n": step.number},
            richtext.plain(step.stage) if step.stage else tr("no stage described"),
        )
        for path in edition.paths.values()
        for step in path.steps
        if step.play is None
    )
    tracked = {m.competitor.id for p in plays.values() for m in p.competitors if m.talk_track}
    no_talk = [
        (
            ("competitor", cid),
            Finding(comp.name, tr("no play in the rep edition has a talk track against it")),
        )
        for cid, comp in edition.competitors.items()
        if cid not in tracked
    ]
    unused = [
        (
            ("differentiator", did),
            Finding(
                richtext.plain(c.claim),
                tr("'%(id)s' is in no play's why_us that reps see") % {"id": did},
            ),
        )
        for did, c in edition.differentiators.items()
        if not c.plays
    ]
    pathless = [
        (
            ("play", pid),
            Finding(p.name, tr("on no path: reps cannot find it from a destination"), cards([pid])),
        )
        for pid, p in plays.items()
        if not p.positions
    ]
    no_path_dest = [
        (("destination", did), Finding(d.name, tr("no path leads to this destination")))
        for did, d in edition.destinations.items()
        if not d.paths
    ]
    return (
        Section(
            "stale",
            tr("Stale claims"),
            tr("Claims and competitor intelligence older than the review policy allows."),
            by.merge("stale", stale),
        ),
        Section(
            "jargon",
            tr("Undefined jargon"),
            tr("Acronyms a rep or partner reads that the glossary does not explain."),
            jargon_findings,
        ),
        Section(
            "empty-steps",
            tr("Path steps without a play"),
            tr("Steps of a path where reps have no play to run."),
            empty_steps,
        ),
        Section(
            "no-talk-track",
            tr("Competitors without a talk track"),
            tr("Competitors no play tells a rep how to handle."),
            by.merge("competitor-without-play", no_talk),
        ),
        Section(
            "unused-differentiators",
            tr("Differentiators no play uses"),
            tr("Claims that never reach a conversation."),
            by.merge("unused-differentiator", unused),
        ),
        Section(
            "pathless-plays",
            tr("Plays on no path"),
            tr("Plays that lead to no destination."),
            by.merge("play-without-path", pathless),
        ),
        Section(
            "pathless-destinations",
            tr("Destinations without a path"),
            tr("Destinations with no path leading to them."),
            by.merge("destination-without-path", no_path_dest),
        ),
    )


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


def whats_new_page(
    env: jinja2.Environment,
    edition: Edition,
    releases: Sequence[NewsRelease] | None,
    pattern: str,
    languages: Sequence[Language] = (),
) -> str:
    """The last releases' changes for reps; `releases` None: the catalog has no git history."""
    links = page_links(edition)
    return _render(
        env,
        "portal/whats-new.html",
        releases=releases,
        pattern=pattern,
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


def report_diagnostics(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics the marketers' report shows."""
    return [d for d in diags if d.code in REPORT_CODES]

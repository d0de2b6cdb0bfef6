"""The marketers' report's findings: stale claims, undefined jargon, coverage gaps."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from salesplay import richtext
from salesplay.diagnostics import Diagnostic, Location, Subject, display_path
from salesplay.models import Audience, may_see
from salesplay.resolve import Catalog
from salesplay.views import ClaimView, Edition

#: diagnostic codes the marketers' report groups.
REPORT_CODES = (
    "stale",
    "jargon",
    "play-without-path",
    "unused-differentiator",
    "destination-without-path",
    "competitor-without-play",
)


@dataclass(frozen=True)
class Finding:
    """One line of the marketers' report: what, why, which cards, where in the catalog."""

    subject: str
    detail: str
    links: tuple[tuple[str, str], ...] = ()
    where: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """One section of the report: its anchor id, title, what it is about, and its findings."""

    id: str
    title: str
    intro: str
    findings: tuple[Finding, ...]


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
    return _at(diag.loc, base)


def _at(loc: Location, base: Path) -> str:
    where = display_path(loc.file, base)
    if loc.line:
        where += f":{loc.line}" + (f":{loc.col}" if loc.col else "")
    return where


#: where a play names a competitor (its entry under `competitors:`), given the play's and
#: the competitor's ids; None where the catalog has no such entry
MentionAt = Callable[[str, str], Location | None]


def mentions_in(cat: Catalog, reader: Audience = "rep") -> MentionAt:
    """Where `cat`'s play names a competitor in an entry `reader`'s edition shows: its first
    such entry without a talk track, else its first such entry. A play may name a
    competitor twice with two audiences (an internal detail beside the reps' entry): a talk
    track added to the internal one reaches no rep."""

    def at(pid: str, cid: str) -> Location | None:
        play = cat.plays.get(pid)
        entries = [
            (i, m)
            for i, m in enumerate(play.competitors if play else ())
            if m.competitor == cid
            and may_see(reader, cat.audience("play", pid, ("competitors", i)))
        ]
        if not entries:
            return None
        bare = [i for i, m in entries if m.talk_track is None]
        return cat.loc("play", pid, ("competitors", bare[0] if bare else entries[0][0]))

    return at


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
    edition: Edition,
    diags: Sequence[Diagnostic],
    base: Path,
    play_href: Callable[[str], str],
    mention_at: MentionAt | None = None,
) -> tuple[Section, ...]:
    """Stale claims, undefined jargon and coverage gaps, from the checker and the rep edition.
    `mention_at` places a competitor without a talk track at each play that names it."""
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

    def named_by(cid: str) -> list[str]:
        return [
            pid for pid, p in plays.items() if any(m.competitor.id == cid for m in p.competitors)
        ]

    def mentions(cid: str) -> tuple[str, ...]:
        # where to add the talk track: each play that names the competitor without one (a
        # competitor no play names is placed at its own file, by the checker's warning)
        found = (mention_at(pid, cid) for pid in named_by(cid)) if mention_at else ()
        return tuple(_at(loc, base) for loc in found if loc is not None)

    no_talk = [
        (
            ("competitor", cid),
            Finding(
                comp.name,
                tr("no play in the rep edition has a talk track against it"),
                cards(named_by(cid)),
                mentions(cid),
            ),
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


def report_diagnostics(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics the marketers' report shows."""
    return [d for d in diags if d.code in REPORT_CODES]

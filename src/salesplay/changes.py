"""What changed in the catalog between two revisions or releases, per audience, and told.

Both revisions are read from git and checked by the same pipeline as a build (gitrev), then
made into editions. The changes are the differences between the two *editions* of an
audience (diff), never between the raw catalogs: whatever an edition does not hold
(internal content, unreleased roadmap, stale intel for partners) cannot be named, added or
removed, and an item that crosses the audience line reads as new to its new readers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from salesplay.context import UsageError
from salesplay.diagnostics import did_you_mean
from salesplay.diff import SECTIONS, Change, diff_editions, diff_partners, edition_changes
from salesplay.gitrev import Release, Repo, Side, SideFault, load_revision, releases
from salesplay.imagecache import ImageCache
from salesplay.labels import Labels
from salesplay.models import AUDIENCES, Audience
from salesplay.resolve import Catalog
from salesplay.views import (
    Edition,
)
from salesplay.write import temp_prefix


@dataclass
class Report:
    """Every audience's changes between two revisions."""

    since: Side
    until: Side
    #: by audience, or "partner-<tier>" for one tier's kit edition
    changes: dict[str, list[Change]] = field(default_factory=dict)


# --- between two revisions --------------------------------------------------------------


def changes_between(
    catalog: Path,
    since: str,
    until: str | None,
    as_of: dt.date | None,
    audiences: Sequence[Audience],
    images: ImageCache | None = None,
    tier: str | None = None,
) -> Report:
    """The changes each audience may read between two revisions of the catalog.

    `since` is judged at its commit's date; `until` (HEAD when None) at `as_of` when given,
    else at its commit's date (so a claim can go stale with no commit at all). `images`
    decodes both revisions' logos (see load_revision). With `tier`, only what partners of
    that tier read: its kit edition ("partner-<tier>"), as their kits' news tell it.
    """
    from salesplay.edition import make_edition, told_of

    repo = Repo.of(catalog)
    old_commit = repo.commit(since)
    # an empty --until ("$RELEASE" unset) is refused, as an empty --since is: read as HEAD,
    # it left out the uncommitted-edits note and judged staleness at HEAD's date
    until = "HEAD" if until is None else until
    new_commit = repo.commit(until)
    if old_commit != new_commit and repo.is_ancestor(new_commit, old_commit):
        # the two given the wrong way round: every change would read backwards (an added
        # play "removed"), and no release lies between them
        raise UsageError(
            f"--since {since} is later than --until {until} (its history holds"
            f" {new_commit[:12]}): swap them"
        )
    new_day = as_of or repo.date(new_commit)
    old = Side(since, old_commit, min(repo.date(old_commit), new_day))
    new = Side(until, new_commit, new_day)
    report = Report(old, new)
    with tempfile.TemporaryDirectory(prefix=temp_prefix("changes")) as tmp:
        before = load_revision(repo, old, Path(tmp) / "since", images)
        after = load_revision(repo, new, Path(tmp) / "until", images)
        partners = (make_edition(before, "partner"), make_edition(after, "partner"))
        if tier is not None:
            if tier not in after.config.tier_ids:
                known = ", ".join(after.config.tier_ids)
                raise UsageError(
                    f"tier '{tier}' is not in catalog.yaml tiers at {new.given}"
                    f"{did_you_mean(tier, after.config.tier_ids)}; tiers: {known}"
                )
            now = partners[1].kits[tier].cards
            then = partners[0].kits.get(tier)
            # as its kits' news: a tier new since then reads everything in its kit as new
            report.changes[f"partner-{tier}"] = edition_changes(then.cards if then else None, now)
            return report
        for audience in audiences:
            eds = (make_edition(before, audience), make_edition(after, audience))
            found = diff_editions(*eds)
            # partners are held by the partner edition; their moves are for the people who
            # manage partners and reps, each told of those it may see (edition.told_of)
            named = [told_of(p.partners, audience) for p in partners]
            found += diff_partners(named[0], named[1])
            report.changes[audience] = found
    return report


# --- telling it ----------------------------------------------------------------------------


def _span(report: Report) -> str:
    s, u = report.since, report.until
    return (
        f"since {s.given} ({s.commit[:12]}, {s.as_of}) until {u.given} ({u.commit[:12]}, {u.as_of})"
    )


def format_text(report: Report) -> str:
    """One line per change, under a heading per audience."""
    lines = []
    for audience, changes in report.changes.items():
        lines.append(
            f"{audience} edition: {len(changes)} change{'s' * (len(changes) != 1)} {_span(report)}"
        )
        lines += [f"  {c.message}" for c in changes]
    return "\n".join(lines) + "\n"


def format_json(report: Report) -> dict[str, object]:
    """The report as data: both sides, and each audience's changes."""
    return {
        "since": report.since.as_dict(),
        "until": report.until.as_dict(),
        "editions": [
            {"audience": aud, "changes": [c.as_dict() for c in changes]}
            for aud, changes in report.changes.items()
        ],
    }


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def format_markdown(report: Report) -> str:
    """A change note per audience, grouped by section, ready to paste or publish."""
    lines = []
    for audience, changes in report.changes.items():
        lines += [f"# What's new — {audience} edition", "", f"_{_md(_span(report))}_", ""]
        if not changes:
            lines += ["Nothing changed.", ""]
        for kind, title in SECTIONS.items():
            mine = [c for c in changes if c.kind == kind]
            if mine:
                lines += [f"## {title}", "", *(f"- {_md(c.message)}" for c in mine), ""]
    return "\n".join(lines).rstrip() + "\n"


# --- release history (the What's new feeds) ---------------------------------------------------


@dataclass(frozen=True)
class ReleaseNote:
    """What one release changed since the one before, per edition name."""

    release: Release
    previous: Release
    changes: Mapping[str, Sequence[Change]]
    #: an older release tag (of all, not only the ones kept) names the same commit: this
    #: release's feed entries take an id of their own, the same in every build
    shares_commit: bool = False


def named_editions(
    cat: Catalog, audiences: Collection[Audience] = AUDIENCES, labels: Labels | None = None
) -> dict[str, Edition]:
    """Every edition a feed is made from, by name: internal, rep, public, and partner-<tier>
    (that tier's kit edition: a partner reads only of plays in its kit); only those of
    `audiences` (making an edition of a large catalog takes a while).

    With `labels`, the editions are in their language: the catalog's translations of that
    revision in place (localize.localized), so they compare with a build's editions of the locale.
    """
    from salesplay.edition import make_edition

    if labels is not None:
        from salesplay.localize import localized

        cat = localized(cat, labels.locale)
    found = {
        aud: make_edition(cat, aud, labels=labels)
        for aud in ("internal", "rep", "public")
        if aud in audiences
    }
    if "partner" in audiences:
        partner = make_edition(cat, "partner", labels=labels)
        found |= {f"partner-{tier}": kit.cards for tier, kit in partner.kits.items()}
        found["partner"] = partner  # for the partner moves internal and rep notes tell
    return found


def release_notes(
    before: Mapping[str, Edition], after: Mapping[str, Edition], labels: Labels | None = None
) -> dict[str, list[Change]]:
    """Each feed edition's changes between two sets of named editions (a tier new on one side
    reads everything in its kit as new), told in the language of `labels` (English without)."""
    from salesplay.edition import told_of

    notes = {}
    for name, ed in after.items():
        if name == "partner":
            continue
        found = edition_changes(before.get(name), ed, labels)
        named = [told_of(e.partners, name) for e in (before["partner"], after["partner"])]
        found += diff_partners(named[0], named[1], labels)
        notes[name] = found
    return notes


def history(
    catalog: Path,
    pattern: str,
    keep: int,
    images: ImageCache | None = None,
    labels: Labels | None = None,
    scratch: Path | None = None,
) -> list[ReleaseNote] | None:
    """The notes of the last `keep` releases, newest first (None outside git).

    A release whose catalog (or the one before it) does not check clean has no note. With
    `labels`, each release's catalog is read in that language and the notes told in it (the
    feeds, without, stay in the source text and English). The releases' catalogs are
    extracted into a temporary folder in `scratch` (a build's: write.scratch_folder), else
    in the system's.
    """
    try:
        repo = Repo.of(catalog)
    except UsageError:
        return None
    every = releases(repo, pattern)
    first_of: dict[str, str] = {}
    for rel in every:
        first_of.setdefault(rel.commit, rel.tag)
    tags = every[-(keep + 1) :]
    editions: dict[str, dict[str, Edition] | None] = {}
    with tempfile.TemporaryDirectory(prefix=temp_prefix("history"), dir=scratch) as tmp:
        for i, rel in enumerate(tags):
            side = Side(rel.tag, rel.commit, rel.date)
            try:
                cat = load_revision(repo, side, Path(tmp) / str(i), images)
            except (SideFault, UsageError):
                editions[rel.commit] = None
                continue
            editions[rel.commit] = named_editions(cat, labels=labels)
    notes = []
    for previous, release in itertools.pairwise(tags):
        before, after = editions.get(previous.commit), editions.get(release.commit)
        if before is not None and after is not None:
            told = release_notes(before, after, labels)
            notes.append(
                ReleaseNote(release, previous, told, first_of[release.commit] != release.tag)
            )
    return notes[::-1]


def editions_at(
    catalog: Path,
    revision: str,
    images: ImageCache | None = None,
    audiences: Collection[Audience] = AUDIENCES,
    labels: Labels | None = None,
    as_of: dt.date | None = None,
    scratch: Path | None = None,
) -> dict[str, Edition] | None:
    """The named editions (see named_editions) of `audiences` of the catalog at `revision` (a
    build's revision: a trailing "-dirty" reads its commit), in the language of `labels`;
    None when there is no such history (outside git, an unknown revision, a catalog that does
    not check clean there). Staleness is judged at the day of a "<revision>@<day>" (the day
    a kit was made), else at `as_of`, else at the commit's date. The catalog is extracted
    into a temporary folder in `scratch`, as for history."""
    rev, _, day = revision.partition("@")
    try:
        when = dt.date.fromisoformat(day) if day else as_of
    except ValueError:
        return None
    try:
        repo = Repo.of(catalog)
        commit = repo.commit(rev.removesuffix("-dirty"))
        side = Side(rev, commit, when or repo.date(commit))
        with tempfile.TemporaryDirectory(prefix=temp_prefix("since"), dir=scratch) as tmp:
            cat = load_revision(repo, side, Path(tmp), images)
            return named_editions(cat, audiences, labels)
    except (SideFault, UsageError):
        return None

"""What changed in the catalog between two git revisions, told to each audience from its editions.

Both revisions are read straight from git's object store with the git CLI (`ls-tree`,
`cat-file --batch`) into a temporary folder outside the project, then loaded, resolved and
made into editions by the same pipeline as a build. The changes are the differences between
the two *editions* of an audience, never between the raw catalogs: whatever an edition does
not hold (internal content, unreleased roadmap, stale intel for partners) cannot be named,
added or removed, and an item that crosses the audience line reads as new to its new readers.

Why the CLI and not a library: git is already what the catalog's revision comes from
(`write.git_revision`), it reads every repository the user's own git reads (SHA-256 object
format, reftable, worktrees, alternates, partial clones), honours no `.gitattributes`
export filters when reading blobs, needs no new native dependency, and `ls-tree`/`cat-file`
read objects without touching the work tree or the index.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
import subprocess
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TypeVar

from salesplay import richtext
from salesplay.context import FIRST_DATE, LAST_DATE, Context, UsageError
from salesplay.diagnostics import Diagnostic, did_you_mean
from salesplay.imagecache import ImageCache
from salesplay.labels import LABELS_SOURCE, N_, Labels
from salesplay.models import AUDIENCES, Audience
from salesplay.resolve import Catalog
from salesplay.views import (
    CapabilityView,
    ClaimView,
    CompetitorView,
    DestinationView,
    Edition,
    PlayView,
)
from salesplay.write import git_env, run_git

T = TypeVar("T")

#: how the sections of a change note are ordered, and what each is called (built-in labels:
#: a page in another language shows them through its labels).
SECTIONS: Mapping[str, str] = MappingProxyType(
    {
        "play": N_("Plays"),
        "objection": N_("Objections"),
        "talk-track": N_("Talk tracks"),
        "proof": N_("Proof points"),
        "claim": N_("Claims"),
        "roadmap": N_("Roadmap"),
        "competitor": N_("Competitors"),
        "destination": N_("Destinations and paths"),
        "partner": N_("Partners"),
    }
)


@dataclass(frozen=True)
class Change:
    """One change, as one audience may read it."""

    #: a key of SECTIONS.
    kind: str
    #: new, changed, removed, stale, re-verified, available, moved, tier, audience.
    action: str
    #: the stable id of the item (the feed's: play:…, claim:…, competitor:…).
    subject: str
    #: one sentence in plain text, in the language of the labels it was told with (English
    #: for the feeds and the command line).
    message: str
    #: for `changed`: which fields.
    fields: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "action": self.action,
            "subject": self.subject,
            "message": self.message,
            "fields": list(self.fields),
        }


@dataclass(frozen=True)
class Side:
    """One revision: as given, as resolved, and the day its staleness is judged at."""

    given: str
    commit: str
    as_of: dt.date

    def as_dict(self) -> dict[str, object]:
        return {"rev": self.given, "commit": self.commit, "as_of": self.as_of.isoformat()}


@dataclass
class Report:
    """Every audience's changes between two revisions."""

    since: Side
    until: Side
    #: by audience, or "partner-<tier>" for one tier's kit edition
    changes: dict[str, list[Change]] = field(default_factory=dict)


class SideFault(Exception):
    """A revision whose catalog does not check clean: its diagnostics, already formatted."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


# --- reading revisions from git ---------------------------------------------------------


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """write.run_git (read-only, no prompt, literal paths), its faults as UsageError."""
    try:
        return run_git(cwd, *args, timeout=120)
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} took over 120 s; is the repository busy?") from None
    except OSError as e:
        raise UsageError(_no_git(e)) from None


def _no_git(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "changes needs git, which is not installed"
    return f"changes cannot run git: {e.strerror or e}"


@dataclass(frozen=True)
class Repo:
    """The git repository holding the catalog, and the catalog's folder inside it."""

    top: Path
    prefix: str  # "plays/" (empty when the catalog is the repository's top folder)

    @classmethod
    def of(cls, catalog: Path) -> Repo:
        """The repository of `catalog` (UsageError outside git)."""
        done = _git(catalog, "rev-parse", "--show-toplevel", "--show-prefix")
        lines = done.stdout.decode("utf-8", "replace").splitlines()
        if done.returncode != 0 or not lines:
            raise UsageError(
                f"catalog '{catalog}' is not in a git repository: changes reads the catalog's"
                " history from git"
            )
        return cls(Path(lines[0]), lines[1] if len(lines) > 1 else "")

    def commit(self, rev: str) -> str:
        """The commit a revision names (UsageError for one git does not know)."""
        if rev.startswith("-") or not rev.strip():
            raise UsageError(f"'{rev}' is not a revision")
        done = _git(
            self.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
        )
        if done.returncode != 0:
            raise UsageError(f"unknown revision '{rev}' (a tag, branch or commit of {self.top})")
        return done.stdout.decode().strip()

    def date(self, commit: str) -> dt.date:
        """The commit's committer date (UTC), within the dates every output can carry."""
        done = _git(self.top, "show", "-s", "--format=%ct", commit)
        day = dt.datetime.fromtimestamp(int(done.stdout.strip() or 0), tz=dt.UTC).date()
        return min(max(day, FIRST_DATE), LAST_DATE)

    def extract(self, commit: str, dest: Path) -> None:
        """Write the catalog folder of `commit` under `dest` (the work tree is never read)."""
        listing = _git(
            self.top, "ls-tree", "-r", "-z", "--full-tree", commit, "--", self.prefix or "."
        )
        if listing.returncode != 0:
            raise UsageError(f"cannot list {commit[:12]}: {listing.stderr.decode().strip()}")
        entries = []
        for record in listing.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, oid = meta.decode().split()
            if kind != "blob":
                continue  # submodules are not catalog files
            rel = _inside(raw_path.decode("utf-8", "surrogateescape"), self.prefix)
            if rel is not None:
                entries.append((mode, oid, rel))
        if not entries:
            where = self.prefix.rstrip("/") or "the repository"
            raise UsageError(f"'{where}' holds no catalog at {commit[:12]}")
        blobs = _cat_blobs(self.top, [oid for _, oid, _ in entries])
        links = []
        for mode, oid, rel in entries:
            target = dest.joinpath(*rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":
                links.append((target, blobs[oid]))
                continue
            with open(target, "xb") as fh:  # never through an existing name
                fh.write(blobs[oid])
        # links last, so no file is ever written through one; the loader judges where they lead
        for target, link in links:
            target.symlink_to(link.decode("utf-8", "surrogateescape"))


def _inside(path: str, prefix: str) -> PurePosixPath | None:
    """The path relative to the catalog folder; None for anything odd (git refuses such
    paths, but a crafted tree is still data, not a place to write)."""
    if prefix and not path.startswith(prefix):
        return None
    rel = PurePosixPath(path[len(prefix) :])
    if rel.is_absolute() or not rel.parts or any(p in ("", ".", "..", ".git") for p in rel.parts):
        return None
    return rel


#: past this, a blob is written cut to one byte more: every size limit of the loader (2 MB a
#: YAML file, 5 MB an asset) still refuses it, and a huge file in history cannot exhaust memory.
BLOB_CAP = 16 * 1024 * 1024


def _cat_blobs(top: Path, oids: Sequence[str]) -> dict[str, bytes]:
    """The contents of blobs, one at a time through `git cat-file --batch` (it answers each
    request before reading the next, so neither pipe can fill up)."""
    wanted = list(dict.fromkeys(oids))
    blobs: dict[str, bytes] = {}
    try:
        proc = subprocess.Popen(
            ["git", "-C", str(top), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=git_env(),
        )
    except OSError as e:
        raise UsageError(_no_git(e)) from None
    assert proc.stdin is not None and proc.stdout is not None
    with proc:
        for oid in wanted:
            proc.stdin.write(f"{oid}\n".encode())
            proc.stdin.flush()
            header = proc.stdout.readline().decode().split()
            if len(header) != 3 or not header[2].isdigit():
                raise UsageError(f"git cannot read object {oid}")
            size = int(header[2])
            kept = proc.stdout.read(min(size, BLOB_CAP + 1))
            left = size - len(kept)
            while left > 0:  # the rest of an oversized blob is read and dropped
                chunk = proc.stdout.read(min(left, 1 << 20))
                if not chunk:
                    raise UsageError(f"git stopped while reading object {oid}")
                left -= len(chunk)
            proc.stdout.read(1)  # the newline after each object
            blobs[oid] = kept
        proc.stdin.close()
    return blobs


def load_revision(
    repo: Repo, side: Side, folder: Path, images: ImageCache | None = None
) -> Catalog:
    """Extract, check and resolve one revision's catalog (SideFault on any error).

    `images` lends a build's decoded logos (by content digest), so an unchanged logo is not
    rasterised again for every revision.
    """
    from salesplay.pipeline import check_catalog

    root = folder / (Path(repo.prefix).name or "catalog")
    root.mkdir(parents=True)
    repo.extract(side.commit, root)
    ctx = Context(catalog=root, as_of=side.as_of)
    if images is not None:
        ctx.images = images
    cat = check_catalog(ctx)
    if cat is None or ctx.reporter.has_errors():
        errors = [d for d in ctx.reporter.sorted() if d.severity.value == "error"]
        raise SideFault([f"{side.given}:{_where(d, folder, repo)}" for d in errors])
    return cat


def _where(diag: Diagnostic, folder: Path, repo: Repo) -> str:
    # the error as it reads in the repository at that revision: "v1:plays/x.yaml:3:1: …"
    line = diag.format(folder)
    name = Path(repo.prefix).name
    return line if not name else line.replace(f"{name}/", repo.prefix, 1)


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
    from salesplay.edition import make_edition

    repo = Repo.of(catalog)
    old_commit = repo.commit(since)
    new_commit = repo.commit(until or "HEAD")
    new_day = as_of or repo.date(new_commit)
    old = Side(since, old_commit, min(repo.date(old_commit), new_day))
    new = Side(until or "HEAD", new_commit, new_day)
    report = Report(old, new)
    with tempfile.TemporaryDirectory(prefix="salesplay-changes-") as tmp:
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
            # partners are held by the partner edition; their tier moves are for the people
            # who manage partners (no partner hears of another partner)
            if audience in ("internal", "rep"):
                found += diff_partners(*partners)
            report.changes[audience] = found
    return report


# --- the semantic diff of two editions ----------------------------------------------------


def _p(md: str | None) -> str:
    return richtext.plain(md or "")


def _q(md: str | None, limit: int = 140) -> str:
    """A text quoted in a change line: plain, one line, cut at a word."""
    text = " ".join(_p(md).split())
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return f"“{text}”"


def _fields(old: T, new: T, named: Mapping[str, Callable[[T], object]]) -> tuple[str, ...]:
    return tuple(label for label, get in named.items() if get(old) != get(new))


def _listed(fields: Sequence[str], labels: Labels) -> str:
    """Changed fields as a change line names them: 'name, summary' in English, else each
    field translated and listed as the locale lists ('Name, Zusammenfassung und …')."""
    if labels.locale == LABELS_SOURCE:
        return ", ".join(fields)
    from babel.lists import format_list

    return str(format_list([labels.gettext(f) for f in fields], locale=labels.locale))


_PLAY_FIELDS: Mapping[str, Callable[[PlayView], object]] = MappingProxyType(
    {
        N_("name"): lambda p: p.name,
        N_("summary"): lambda p: p.summary,
        N_("products"): lambda p: [x.id for x in p.products],
        N_("target"): lambda p: p.target,
        N_("triggers"): lambda p: p.triggers,
        N_("why do anything"): lambda p: p.why_do_anything,
        N_("why now"): lambda p: p.why_now,
        N_("why us"): lambda p: [c.id for c in p.why_us],
        N_("discovery"): lambda p: p.discovery,
        N_("qualification"): lambda p: p.qualification,
        N_("hand-off"): lambda p: p.handoff,
        N_("next steps"): lambda p: p.next_steps,
        N_("partner role"): lambda p: p.partner and (p.partner.role, p.partner.value),
        # margin, deal registration, MDF, certification, incentives: what a partner earns
        N_("partner program"): lambda p: p.partner and p.partner.program,
        N_("path"): lambda p: [(x.path.id, x.step.number) for x in p.positions],
    }
)

_DESTINATION_FIELDS: Mapping[str, Callable[[DestinationView], object]] = MappingProxyType(
    {
        N_("name"): lambda d: d.name,
        N_("promise"): lambda d: d.promise,
        N_("outcomes"): lambda d: d.outcomes,
        N_("why change"): lambda d: d.why_change,
        N_("why now"): lambda d: d.why_now,
        N_("personas"): lambda d: d.personas,
    }
)

_CLAIM_FIELDS: Mapping[str, Callable[[ClaimView], object]] = MappingProxyType(
    {
        N_("claim"): lambda c: c.claim,
        N_("type"): lambda c: c.type,
        N_("backed by"): lambda c: [x.ref for x in c.backed_by],
        N_("versus"): lambda c: [(v.competitor.id, v.detail) for v in c.versus],
    }
)

_COMPETITOR_FIELDS: Mapping[str, Callable[[CompetitorView], object]] = MappingProxyType(
    {
        N_("name"): lambda c: c.name,
        N_("type"): lambda c: c.type,
        N_("summary"): lambda c: c.summary,
        N_("website"): lambda c: c.website,
        N_("strengths"): lambda c: c.strengths,
        N_("weaknesses"): lambda c: c.weaknesses,
        N_("pricing"): lambda c: c.pricing,
        N_("quick dismiss"): lambda c: c.quick_dismiss,
    }
)


def diff_editions(old: Edition, new: Edition, labels: Labels | None = None) -> list[Change]:
    """Every change between two editions of one audience, in SECTIONS order, told in the
    language of `labels` (English without)."""
    labels = labels or Labels()
    found = [
        *_plays(old, new, labels),
        *_claims(old, new, labels),
        *_roadmap(old, new, labels),
        *_competitors(old, new, labels),
        *_destinations(old, new, labels),
    ]
    order = list(SECTIONS)
    return sorted(found, key=lambda c: order.index(c.kind))


def _keyed(
    old: Mapping[str, object], new: Mapping[str, object]
) -> tuple[list[str], list[str], list[str]]:
    """Ids added, removed and kept (each sorted)."""
    return (
        sorted(new.keys() - old.keys()),
        sorted(old.keys() - new.keys()),
        sorted(old.keys() & new.keys()),
    )


def _plays(old: Edition, new: Edition, labels: Labels) -> Iterator[Change]:
    tr = labels.gettext
    added, removed, kept = _keyed(old.plays, new.plays)
    for pid in added:
        play = new.plays[pid]
        message = tr("New play: %(name)s — %(summary)s") % {
            "name": _p(play.name),
            "summary": _p(play.summary),
        }
        yield Change("play", "new", f"play:{pid}", message)
    for pid in removed:
        message = tr("Play removed: %(name)s") % {"name": _p(old.plays[pid].name)}
        yield Change("play", "removed", f"play:{pid}", message)
    for pid in kept:
        a, b = old.plays[pid], new.plays[pid]
        fields = _fields(a, b, _PLAY_FIELDS)
        if fields:
            message = tr("%(name)s changed: %(fields)s") % {
                "name": _p(b.name),
                "fields": _listed(fields, labels),
            }
            yield Change("play", "changed", f"play:{pid}", message, fields)
        yield from _play_items(a, b, labels)
        # who a play is for is the marketers' and reps' business (a rep learns that partners
        # now sell it too); a partner's or the public's edition shows no one else's audience
        if a.audience != b.audience and new.audience in ("internal", "rep"):
            message = tr("%(name)s now reaches the %(now)s edition (was %(was)s)") % {
                "name": _p(b.name),
                "now": b.audience,
                "was": a.audience,
            }
            yield Change("play", "audience", f"play:{pid}", message)
        if a.partner and b.partner and a.partner.min_tier != b.partner.min_tier:
            message = tr("%(name)s now reaches %(tier)s partners and up (was %(was)s)") % {
                "name": _p(b.name),
                "tier": b.partner.min_tier_name,
                "was": a.partner.min_tier_name,
            }
            yield Change("partner", "tier", f"play:{pid}", message)


def _play_items(a: PlayView, b: PlayView, labels: Labels) -> Iterator[Change]:
    """New, changed or removed objections, talk tracks and proof points of one play."""
    tr = labels.gettext
    subject, name = f"play:{b.id}", _p(b.name)
    before = {o.objection: o.response for o in a.objections}
    after = {o.objection: o.response for o in b.objections}
    reworded = _reworded(
        [t for t in before if t not in after], [t for t in after if t not in before]
    )
    for text, response in after.items():
        said = {"name": name, "objection": _q(text), "response": _q(response)}
        if text in reworded:
            message = tr("Objection reworded on %(name)s: %(objection)s (was %(was)s)") % (
                said | {"was": _q(reworded[text])}
            )
            yield Change("objection", "changed", subject, message)
        elif text not in before:
            message = tr("New objection on %(name)s: %(objection)s — %(response)s") % said
            yield Change("objection", "new", subject, message)
        elif before[text] != response:
            message = tr("New answer to %(objection)s on %(name)s: %(response)s") % said
            yield Change("objection", "changed", subject, message)
    for text in [t for t in before if t not in after and t not in reworded.values()]:
        message = tr("Objection dropped from %(name)s: %(objection)s") % {
            "name": name,
            "objection": _q(text),
        }
        yield Change("objection", "removed", subject, message)
    was = {m.competitor.id: m for m in a.competitors}
    for m in b.competitors:
        them = {"competitor": _p(m.competitor.name), "name": name}
        prior = was.get(m.competitor.id)
        if prior is None:
            if m.talk_track:
                message = tr("New talk track against %(competitor)s on %(name)s: %(track)s") % (
                    them | {"track": _q(m.talk_track)}
                )
            else:
                message = tr("New talk track against %(competitor)s on %(name)s") % them
            yield Change("talk-track", "new", subject, message)
            continue
        if m.talk_track != prior.talk_track and m.talk_track:
            # a talk track that was there is reworded, not new (nor is one whose translation
            # was stale and is now current)
            wording = (
                N_("Talk track reworded against %(competitor)s on %(name)s: %(track)s")
                if prior.talk_track
                else N_("New talk track against %(competitor)s on %(name)s: %(track)s")
            )
            message = tr(wording) % (them | {"track": _q(m.talk_track)})
            yield Change("talk-track", "changed", subject, message)
        for mine in m.landmines:
            if mine not in prior.landmines:
                message = tr("New landmine against %(competitor)s on %(name)s: %(landmine)s") % (
                    them | {"landmine": _q(mine)}
                )
                yield Change("talk-track", "new", subject, message)
    known = {(p.customer, p.result) for p in a.proof}
    for p in b.proof:
        if (p.customer, p.result) not in known:
            message = tr("New proof point on %(name)s: %(customer)s — %(result)s") % {
                "name": name,
                "customer": p.customer,
                "result": _q(p.result),
            }
            yield Change("proof", "new", subject, message)


def _reworded(removed: Sequence[str], added: Sequence[str]) -> dict[str, str]:
    """New text → the old text it rewords: an objection edited ("…this year." to "…this year,
    and the CFO froze spending.") is one change, not one new and one dropped. Pairs are the
    closest first, each text in one pair at most, and alike by at least REWORDED."""
    pairs = sorted(
        (
            (-difflib.SequenceMatcher(None, old.lower(), new.lower()).ratio(), i, j)
            for i, old in enumerate(removed)
            for j, new in enumerate(added)
        )
    )
    found: dict[str, str] = {}
    used: set[int] = set()
    for negative, i, j in pairs:
        if -negative < REWORDED:
            break
        if i not in used and added[j] not in found:
            used.add(i)
            found[added[j]] = removed[i]
    return found


#: how alike (difflib's ratio) an objection's old and new text are when it was reworded
REWORDED = 0.6


def _stale_moves(
    kind: str,
    subject: str,
    name: str,
    a: ClaimView | CompetitorView,
    b: ClaimView | CompetitorView,
    labels: Labels,
) -> Iterator[Change]:
    if a.stale_days is None and b.stale_days is not None:
        message = labels.ngettext(
            "%(name)s went stale: last verified %(num)d day ago (%(date)s)",
            "%(name)s went stale: last verified %(num)d days ago (%(date)s)",
            b.stale_days,
        ) % {"name": name, "num": b.stale_days, "date": labels.date(b.reviewed)}
        yield Change(kind, "stale", subject, message)
    elif b.reviewed > a.reviewed:
        message = labels.gettext("%(name)s re-verified on %(date)s") % {
            "name": name,
            "date": labels.date(b.reviewed),
        }
        yield Change(kind, "re-verified", subject, message)


def _claims(old: Edition, new: Edition, labels: Labels) -> Iterator[Change]:
    tr = labels.gettext
    added, removed, kept = _keyed(old.differentiators, new.differentiators)
    for did in added:
        c = new.differentiators[did]
        if c.type == "unique":
            message = tr("New unique claim: %(claim)s") % {"claim": _q(c.claim)}
        else:
            message = tr("New comparative claim: %(claim)s") % {"claim": _q(c.claim)}
        yield Change("claim", "new", f"claim:{did}", message)
    for did in removed:
        message = tr("Claim withdrawn: %(claim)s") % {"claim": _q(old.differentiators[did].claim)}
        yield Change("claim", "removed", f"claim:{did}", message)
    for did in kept:
        a, b = old.differentiators[did], new.differentiators[did]
        subject = f"claim:{did}"
        name = tr("Claim %(claim)s") % {"claim": _q(b.claim, 80)}
        fields = _fields(a, b, _CLAIM_FIELDS)
        if fields:
            message = tr("%(name)s changed: %(fields)s") % {
                "name": name,
                "fields": _listed(fields, labels),
            }
            yield Change("claim", "changed", subject, message, fields)
        yield from _stale_moves("claim", subject, name, a, b, labels)
        known = {(p.text, p.source) for p in a.proof}
        for p in b.proof:
            if (p.text, p.source) not in known:
                message = tr("New proof point for claim %(claim)s: %(proof)s") % {
                    "claim": _q(b.claim, 80),
                    "proof": _q(p.text),
                }
                yield Change("proof", "new", subject, message)


def _capabilities(ed: Edition) -> dict[str, CapabilityView]:
    return {cap.ref: cap for p in ed.products.values() for cap in p.capabilities}


#: a roadmap status as a change line names it.
STATUS_NAMES = MappingProxyType(
    {
        "ga": N_("GA"),
        "beta": N_("beta"),
        "launch-ready": N_("launch-ready"),
        "development": N_("in development"),
        "concept": N_("a concept"),
    }
)


def _status(status: str, labels: Labels) -> str:
    name = STATUS_NAMES.get(status)
    return labels.gettext(name) if name else status


def _eta(cap: CapabilityView, labels: Labels) -> str | None:
    """The ETA as the edition's roadmap label prints it (the edition decides what shows), in
    the label's language: edition.roadmap_label writes it with the 'ETA %(eta)s' label."""
    before, _, after = labels.gettext("ETA %(eta)s").partition("%(eta)s")
    pattern = rf"(?:^| · ){re.escape(before)}(?P<eta>[^·—–]+?){re.escape(after)}(?: ·|\s[—–]|$)"
    m = re.search(pattern, cap.label or "")
    return m["eta"].strip() if m else None


def _roadmap(old: Edition, new: Edition, labels: Labels) -> Iterator[Change]:
    tr = labels.gettext
    before, after = _capabilities(old), _capabilities(new)
    added, removed, kept = _keyed(before, after)
    for ref in added:
        cap = after[ref]
        if cap.label:
            message = tr("New capability: %(name)s — %(label)s") % {
                "name": _p(cap.name),
                "label": cap.label,
            }
        else:
            message = tr("New capability: %(name)s (%(status)s)") % {
                "name": _p(cap.name),
                "status": _status(cap.status, labels),
            }
        yield Change("roadmap", "new", f"capability:{ref}", message)
    for ref in removed:
        message = tr("Capability removed: %(name)s") % {"name": _p(before[ref].name)}
        yield Change("roadmap", "removed", f"capability:{ref}", message)
    for ref in kept:
        a, b = before[ref], after[ref]
        name, subject = _p(b.name), f"capability:{ref}"
        if a.status != b.status:
            if b.status == "ga":
                message = tr("%(name)s is now GA") % {"name": name}
                yield Change("roadmap", "available", subject, message)
            else:
                message = tr("%(name)s moved from %(was)s to %(now)s") % {
                    "name": name,
                    "was": _status(a.status, labels),
                    "now": _status(b.status, labels),
                }
                yield Change("roadmap", "moved", subject, message)
        eta_a, eta_b = _eta(a, labels), _eta(b, labels)
        if eta_a != eta_b and eta_a and eta_b:
            message = tr("ETA of %(name)s moved from %(was)s to %(now)s") % {
                "name": name,
                "was": eta_a,
                "now": eta_b,
            }
            yield Change("roadmap", "moved", subject, message)


def _competitors(old: Edition, new: Edition, labels: Labels) -> Iterator[Change]:
    tr = labels.gettext
    added, removed, kept = _keyed(old.competitors, new.competitors)
    for cid in added:
        c = new.competitors[cid]
        message = tr("New competitor: %(name)s — %(summary)s") % {
            "name": _p(c.name),
            "summary": _p(c.summary),
        }
        yield Change("competitor", "new", f"competitor:{cid}", message)
    for cid in removed:
        message = tr("Competitor removed: %(name)s") % {"name": _p(old.competitors[cid].name)}
        yield Change("competitor", "removed", f"competitor:{cid}", message)
    for cid in kept:
        a, b = old.competitors[cid], new.competitors[cid]
        subject, name = f"competitor:{cid}", _p(b.name)
        fields = _fields(a, b, _COMPETITOR_FIELDS)
        if fields:
            message = tr("%(name)s changed: %(fields)s") % {
                "name": name,
                "fields": _listed(fields, labels),
            }
            yield Change("competitor", "changed", subject, message, fields)
        intel = tr("Intel on %(name)s") % {"name": name}
        yield from _stale_moves("competitor", subject, intel, a, b, labels)


def _destinations(old: Edition, new: Edition, labels: Labels) -> Iterator[Change]:
    tr = labels.gettext
    added, removed, kept = _keyed(old.destinations, new.destinations)
    for did in added:
        d = new.destinations[did]
        message = tr("New destination: %(name)s — %(promise)s") % {
            "name": _p(d.name),
            "promise": _p(d.promise),
        }
        yield Change("destination", "new", f"destination:{did}", message)
    for did in removed:
        message = tr("Destination removed: %(name)s") % {"name": _p(old.destinations[did].name)}
        yield Change("destination", "removed", f"destination:{did}", message)
    for did in kept:
        fields = _fields(old.destinations[did], new.destinations[did], _DESTINATION_FIELDS)
        if fields:
            message = tr("%(name)s changed: %(fields)s") % {
                "name": _p(new.destinations[did].name),
                "fields": _listed(fields, labels),
            }
            yield Change("destination", "changed", f"destination:{did}", message, fields)
    added, removed, kept = _keyed(old.paths, new.paths)
    for path_id in added:
        message = tr("New path: %(name)s") % {"name": _p(new.paths[path_id].name)}
        yield Change("destination", "new", f"path:{path_id}", message)
    for path_id in removed:
        message = tr("Path removed: %(name)s") % {"name": _p(old.paths[path_id].name)}
        yield Change("destination", "removed", f"path:{path_id}", message)
    for path_id in kept:
        a, b = old.paths[path_id], new.paths[path_id]
        if a.name != b.name:
            message = tr("%(name)s changed: %(fields)s") % {
                "name": _p(b.name),
                "fields": _listed((N_("name"),), labels),
            }
            yield Change("destination", "changed", f"path:{path_id}", message, ("name",))
        if [s.play for s in a.steps] != [s.play for s in b.steps]:
            message = tr("Steps of %(name)s changed") % {"name": _p(b.name)}
            yield Change("destination", "changed", f"path:{path_id}", message, ("steps",))


def diff_partners(old: Edition, new: Edition, labels: Labels | None = None) -> list[Change]:
    """Partners that joined, left or moved tier (partner editions only hold partners)."""
    tr = (labels or Labels()).gettext
    found = []
    added, removed, kept = _keyed(old.partners, new.partners)
    for pid in added:
        p = new.partners[pid]
        message = tr("New partner: %(name)s (%(tier)s)") % {"name": p.name, "tier": p.tier_name}
        found.append(Change("partner", "new", f"partner:{pid}", message))
    for pid in removed:
        message = tr("Partner removed: %(name)s") % {"name": old.partners[pid].name}
        found.append(Change("partner", "removed", f"partner:{pid}", message))
    for pid in kept:
        a, b = old.partners[pid], new.partners[pid]
        if a.tier != b.tier:
            message = tr("%(name)s moved from %(was)s to %(now)s tier") % {
                "name": b.name,
                "was": a.tier_name,
                "now": b.tier_name,
            }
            found.append(Change("partner", "tier", f"partner:{pid}", message))
    return found


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


def by_kind(changes: Iterable[Change]) -> dict[str, list[Change]]:
    """Changes grouped by section, in SECTIONS order (for pages and feeds)."""
    grouped: dict[str, list[Change]] = {}
    for kind in SECTIONS:
        mine = [c for c in changes if c.kind == kind]
        if mine:
            grouped[kind] = mine
    return grouped


# --- release history (the What's new feeds) ---------------------------------------------------


@dataclass(frozen=True)
class Release:
    """A git tag that marks a release: its name, commit and date."""

    tag: str
    commit: str
    date: dt.date


@dataclass(frozen=True)
class ReleaseNote:
    """What one release changed since the one before, per edition name."""

    release: Release
    previous: Release
    changes: Mapping[str, Sequence[Change]]


def releases(repo: Repo, pattern: str) -> list[Release]:
    """Tags matching `pattern` (a glob under refs/tags/), oldest first."""
    fmt = "%(refname:strip=2)%00%(objectname)%00%(*objectname)%00%(creatordate:unix)"
    done = _git(
        repo.top, "for-each-ref", "--sort=creatordate", f"--format={fmt}", f"refs/tags/{pattern}"
    )
    found = []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\0")
        if len(parts) != 4 or not parts[3].strip().isdigit():
            continue
        tag, obj, peeled, stamp = parts
        day = dt.datetime.fromtimestamp(int(stamp), tz=dt.UTC).date()
        found.append(Release(tag, peeled or obj, min(max(day, FIRST_DATE), LAST_DATE)))
    return found


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


def _empty(like: Edition) -> Edition:
    return Edition(like.audience, like.as_of, like.company, like.brand, {})


def release_notes(
    before: Mapping[str, Edition], after: Mapping[str, Edition], labels: Labels | None = None
) -> dict[str, list[Change]]:
    """Each feed edition's changes between two sets of named editions (a tier new on one side
    reads everything in its kit as new), told in the language of `labels` (English without)."""
    notes = {}
    partners = diff_partners(before["partner"], after["partner"], labels)
    for name, ed in after.items():
        if name == "partner":
            continue
        found = edition_changes(before.get(name), ed, labels)
        if name in ("internal", "rep"):
            found += partners
        notes[name] = found
    return notes


def history(
    catalog: Path,
    pattern: str,
    keep: int,
    images: ImageCache | None = None,
    labels: Labels | None = None,
) -> list[ReleaseNote] | None:
    """The notes of the last `keep` releases, newest first (None outside git).

    A release whose catalog (or the one before it) does not check clean has no note. With
    `labels`, each release's catalog is read in that language and the notes told in it (the
    feeds, without, stay in the source text and English).
    """
    try:
        repo = Repo.of(catalog)
    except UsageError:
        return None
    tags = releases(repo, pattern)[-(keep + 1) :]
    editions: dict[str, dict[str, Edition] | None] = {}
    with tempfile.TemporaryDirectory(prefix="salesplay-history-") as tmp:
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
            notes.append(ReleaseNote(release, previous, release_notes(before, after, labels)))
    return notes[::-1]


def editions_at(
    catalog: Path,
    revision: str,
    images: ImageCache | None = None,
    audiences: Collection[Audience] = AUDIENCES,
    labels: Labels | None = None,
    as_of: dt.date | None = None,
) -> dict[str, Edition] | None:
    """The named editions (see named_editions) of `audiences` of the catalog at `revision` (a
    build's revision: a trailing "-dirty" reads its commit), in the language of `labels`;
    None when there is no such history (outside git, an unknown revision, a catalog that does
    not check clean there). Staleness is judged at the day of a "<revision>@<day>" (the day
    a kit was made), else at `as_of`, else at the commit's date."""
    rev, _, day = revision.partition("@")
    try:
        when = dt.date.fromisoformat(day) if day else as_of
    except ValueError:
        return None
    try:
        repo = Repo.of(catalog)
        commit = repo.commit(rev.removesuffix("-dirty"))
        side = Side(rev, commit, when or repo.date(commit))
        with tempfile.TemporaryDirectory(prefix="salesplay-since-") as tmp:
            cat = load_revision(repo, side, Path(tmp), images)
            return named_editions(cat, audiences, labels)
    except (SideFault, UsageError):
        return None


def edition_changes(
    before: Edition | None, after: Edition, labels: Labels | None = None
) -> list[Change]:
    """One edition's changes since `before` (None: everything it holds is new), told in the
    language of `labels` (English without)."""
    return diff_editions(before or _empty(after), after, labels)

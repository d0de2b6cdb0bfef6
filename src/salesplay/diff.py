"""The semantic diff of two editions: each change as that edition's audience may read it."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from salesplay import richtext
from salesplay.labels import LABELS_SOURCE, N_, Labels
from salesplay.views import (
    CapabilityView,
    ClaimView,
    CompetitorView,
    CustomerProof,
    DestinationView,
    Edition,
    Matchup,
    PartnerView,
    PlayView,
    ProofView,
)

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
    renamed = _renamed_plays(old, new)
    found = [
        *_plays(old, new, labels, renamed),
        *_claims(old, new, labels),
        *_roadmap(old, new, labels),
        *_competitors(old, new, labels),
        *_destinations(old, new, labels, renamed),
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


def _renamed_plays(old: Edition, new: Edition) -> dict[str, str]:
    """new id → old id of each play whose file was renamed: one removed and one added of the
    same name (one to one; two of one name are not guessed at). Readers never see an id, so
    such a play was told as a new play and a removed one of the same name."""

    def named(plays: Mapping[str, PlayView], ids: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for pid in ids:
            found.setdefault(" ".join(plays[pid].name.casefold().split()), []).append(pid)
        return found

    added, removed, _ = _keyed(old.plays, new.plays)
    gone, came = named(old.plays, removed), named(new.plays, added)
    return {
        came[name][0]: ids[0]
        for name, ids in gone.items()
        if len(ids) == 1 and len(came.get(name, ())) == 1
    }


def _plays(
    old: Edition, new: Edition, labels: Labels, renamed: Mapping[str, str]
) -> Iterator[Change]:
    tr = labels.gettext
    added, removed, kept = _keyed(old.plays, new.plays)
    added = [pid for pid in added if pid not in renamed]
    removed = [pid for pid in removed if pid not in renamed.values()]
    pairs = sorted([(pid, pid) for pid in kept] + [(was, pid) for pid, was in renamed.items()],
                   key=lambda pair: pair[1])  # fmt: skip
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
    for was, pid in pairs:
        a, b = old.plays[was], new.plays[pid]
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
            # an answer rewritten with its objection is told too: a rep who read only the
            # objection's new words would keep giving the old answer
            wording = (
                N_("Objection reworded on %(name)s: %(objection)s (was %(was)s)")
                if before[reworded[text]] == response
                else N_(
                    "Objection and answer reworded on %(name)s: %(objection)s — %(response)s"
                    " (was %(was)s)"
                )
            )
            message = tr(wording) % (said | {"was": _q(reworded[text])})
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
    # a competitor named twice (a public talk track and an internal one, both shown to
    # internal readers) pairs each of its matchups with the same one before: keyed by id
    # alone, the second overwrote the first and every build told a change
    for m, prior in _paired(a.competitors, b.competitors):
        them = {"competitor": _p(m.competitor.name), "name": name}
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
    yield from _customer_proof(a.proof, b.proof, subject, name, labels)


def _customer_proof(
    before: Sequence[CustomerProof],
    after: Sequence[CustomerProof],
    subject: str,
    name: str,
    labels: Labels,
) -> Iterator[Change]:
    """New, updated and dropped customer proof of one play. A proof point whose result was
    edited, or whose customer was renamed with its result alike, is one update; a dropped
    one is told, since a rep must stop citing that customer."""
    tr = labels.gettext
    was_told = {(p.customer, p.result) for p in before}
    is_told = {(p.customer, p.result) for p in after}
    gone = [p for p in before if (p.customer, p.result) not in is_told]
    came = [p for p in after if (p.customer, p.result) not in was_told]
    # the same customer with another result first (of two, the closest results paired:
    # one dropped and one edited was told the other way round), then an alike result
    # under a new name
    prior: dict[int, int] = {}
    for customer in dict.fromkeys(p.customer for p in came):
        js = [j for j, p in enumerate(came) if p.customer == customer]
        ids = [i for i, q in enumerate(gone) if q.customer == customer]
        pairs = _alike([gone[i].result for i in ids], [came[j].result for j in js], 0.0)
        prior.update({js[j]: ids[i] for j, i in pairs.items()})
    left = [i for i in range(len(gone)) if i not in prior.values()]
    unpaired = [j for j in range(len(came)) if j not in prior]
    alike = _alike([gone[i].result for i in left], [came[j].result for j in unpaired])
    prior.update({unpaired[j]: left[i] for j, i in alike.items()})
    for j, p in enumerate(came):
        said = {"name": name, "customer": p.customer, "result": _q(p.result)}
        if j not in prior:
            message = tr("New proof point on %(name)s: %(customer)s — %(result)s") % said
            yield Change("proof", "new", subject, message)
            continue
        was = gone[prior[j]].customer
        wording = (
            N_("Proof point updated on %(name)s: %(customer)s — %(result)s")
            if was == p.customer
            else N_("Proof point updated on %(name)s: %(customer)s — %(result)s (was %(was)s)")
        )
        yield Change("proof", "changed", subject, tr(wording) % (said | {"was": was}))
    for i, q in enumerate(gone):
        if i not in prior.values():
            message = tr("Proof point dropped from %(name)s: %(customer)s — %(result)s") % {
                "name": name,
                "customer": q.customer,
                "result": _q(q.result),
            }
            yield Change("proof", "removed", subject, message)


def _reworded(removed: Sequence[str], added: Sequence[str]) -> dict[str, str]:
    """New text → the old text it rewords: an objection edited ("…this year." to "…this year,
    and the CFO froze spending.") is one change, not one new and one dropped."""
    return {added[j]: removed[i] for j, i in _alike(removed, added).items()}


def _alike(
    removed: Sequence[str], added: Sequence[str], least: float | None = None
) -> dict[int, int]:
    """Index in `added` → index in `removed` of the text it rewords. Pairs are the closest
    first, each text in one pair at most, and alike by at least `least` (REWORDED)."""
    least = REWORDED if least is None else least
    pairs = sorted(
        (
            (-difflib.SequenceMatcher(None, old.lower(), new.lower()).ratio(), i, j)
            for i, old in enumerate(removed)
            for j, new in enumerate(added)
        )
    )
    found: dict[int, int] = {}
    used: set[int] = set()
    for negative, i, j in pairs:
        if -negative < least:
            break
        if i not in used and j not in found:
            used.add(i)
            found[j] = i
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
        yield from _claim_proof(a.proof, b.proof, subject, _q(b.claim, 80), labels)


def _claim_proof(
    before: Sequence[ProofView],
    after: Sequence[ProofView],
    subject: str,
    claim: str,
    labels: Labels,
) -> Iterator[Change]:
    """New, reworded and dropped proof of one claim (as a play's customer proof)."""
    tr = labels.gettext
    # by their text: a new source link for the same words is no news to a seller
    was, now = {p.text for p in before}, {p.text for p in after}
    gone = [p for p in before if p.text not in now]
    came = [p for p in after if p.text not in was]
    prior = _alike([p.text for p in gone], [p.text for p in came])
    for j, p in enumerate(came):
        said = {"claim": claim, "proof": _q(p.text)}
        if j in prior:
            message = tr("Proof point reworded for claim %(claim)s: %(proof)s") % said
            yield Change("proof", "changed", subject, message)
        else:
            message = tr("New proof point for claim %(claim)s: %(proof)s") % said
            yield Change("proof", "new", subject, message)
    for i, p in enumerate(gone):
        if i not in prior.values():
            message = tr("Proof point dropped from claim %(claim)s: %(proof)s") % {
                "claim": claim,
                "proof": _q(p.text),
            }
            yield Change("proof", "removed", subject, message)


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


def _destinations(
    old: Edition, new: Edition, labels: Labels, renamed: Mapping[str, str]
) -> Iterator[Change]:
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
    now = {was: pid for pid, was in renamed.items()}  # a renamed play's old id → its new
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
        # a step's play by its id now: a play whose file was renamed is the same step
        # and what each step says (its stage, entry signals and milestone: every card,
        # playbook and pitch deck shows them), not only which plays it holds
        if [
            (now.get(s.play, s.play) if s.play else None, s.stage, s.entry_signals, s.milestone)
            for s in a.steps
        ] != [(s.play, s.stage, s.entry_signals, s.milestone) for s in b.steps]:
            message = tr("Steps of %(name)s changed") % {"name": _p(b.name)}
            yield Change("destination", "changed", f"path:{path_id}", message, ("steps",))


def diff_partners(
    old: Mapping[str, PartnerView], new: Mapping[str, PartnerView], labels: Labels | None = None
) -> list[Change]:
    """Partners that joined, left or moved tier, of those a note may name (edition.told_of:
    partner editions hold the partners, and decide who is told of which)."""
    tr = (labels or Labels()).gettext
    found = []
    added, removed, kept = _keyed(old, new)
    for pid in added:
        p = new[pid]
        message = tr("New partner: %(name)s (%(tier)s)") % {"name": p.name, "tier": p.tier_name}
        found.append(Change("partner", "new", f"partner:{pid}", message))
    for pid in removed:
        message = tr("Partner removed: %(name)s") % {"name": old[pid].name}
        found.append(Change("partner", "removed", f"partner:{pid}", message))
    for pid in kept:
        a, b = old[pid], new[pid]
        if a.tier != b.tier:
            message = tr("%(name)s moved from %(was)s to %(now)s tier") % {
                "name": b.name,
                "was": a.tier_name,
                "now": b.tier_name,
            }
            found.append(Change("partner", "tier", f"partner:{pid}", message))
    return found


def by_kind(changes: Iterable[Change]) -> dict[str, list[Change]]:
    """Changes grouped by section, in SECTIONS order (for pages and feeds)."""
    grouped: dict[str, list[Change]] = {}
    for kind in SECTIONS:
        mine = [c for c in changes if c.kind == kind]
        if mine:
            grouped[kind] = mine
    return grouped


def _empty(like: Edition) -> Edition:
    return Edition(like.audience, like.as_of, like.company, like.brand, {})


def edition_changes(
    before: Edition | None, after: Edition, labels: Labels | None = None
) -> list[Change]:
    """One edition's changes since `before` (None: everything it holds is new), told in the
    language of `labels` (English without)."""
    return diff_editions(before or _empty(after), after, labels)


def _paired(
    before: Sequence[Matchup], after: Sequence[Matchup]
) -> Iterator[tuple[Matchup, Matchup | None]]:
    """Each matchup of `after` with the one of `before` it was (None: new): of the same
    competitor, the one with the same talk track first, else the first left in order (a
    reworded one). Paired by order alone, a second talk track added above the first was
    told as the first "reworded" and the first as "new"."""
    left = list(before)
    pairs: dict[int, Matchup | None] = {}
    for i, m in enumerate(after):
        same = next(
            (
                p
                for p in left
                if p.competitor.id == m.competitor.id and p.talk_track == m.talk_track
            ),
            None,
        )
        if same is not None:
            left.remove(same)
            pairs[i] = same
    for i, m in enumerate(after):
        if i in pairs:
            continue
        prior = next((p for p in left if p.competitor.id == m.competitor.id), None)
        if prior is not None:
            left.remove(prior)
        pairs[i] = prior
    for i, m in enumerate(after):
        yield m, pairs[i]

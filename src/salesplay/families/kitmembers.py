"""The kits' members, made once per tier from its kit editions: each planned, the plan
recorded, and recalled while those editions and the templates are unchanged."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from salesplay import kits
from salesplay.engine.records import PlannedOutput, key_of
from salesplay.engine.units import Unit
from salesplay.families import battlecards, competitors
from salesplay.families import decks as deck_family
from salesplay.families.base import PageBudget, Sources, page_of, pdf_page, place_of
from salesplay.faults import Subject
from salesplay.render import decks, html
from salesplay.render.slides import Logo
from salesplay.views import Edition

#: the kinds of member made once per tier, in the order a tier's members are planned
MEMBER_KINDS = ("card", "enablement", "competitor", "brief", "pitch")
#: a customer brief is one page (README: "Partner kits")
BRIEF_PAGE_BUDGET = 1


class Slots(Protocol):
    """Where the kits' shared state (families.kits) keeps the members planned."""

    def slot(self, what: str) -> dict[kits.Member, Unit]: ...

    def members(self, tiers: set[str]) -> list[tuple[str, kits.Member, Unit]]: ...


#: each tier's two kit editions (cards, pitches) by the digest of their repr (their whole
#: content), which a plan spells out once: a thousand kits' keys and the members' plan
#: read it, and a repr of the repr would escape megabytes again
Shown = dict[str, tuple[str, str]]


def shown(src: Sources) -> Shown:
    kits_of = src.editions["partner"].kits
    return {
        tier: (key_of("edition", kit.cards), key_of("edition", kit.pitches))
        for tier, kit in kits_of.items()
    }


@dataclass
class Members:
    """How one locale's kit members are planned, one at a time: by the plan, or by
    `_Kits.prepare` (families.kits) for a member of a reused plan whose cached bytes are
    gone.

    A member is made from its tier's kit editions, which hold no partner: what it reads is
    what a plan without partners reads (see `reused`). Its units are of `family`."""

    src: Sources
    family: str

    @functools.cached_property
    def deck_master(self) -> decks.DeckMaster:
        return deck_family.master(self.src)

    @functools.cached_property
    def master(self) -> tuple[Path, str]:
        path = self.deck_master.path
        return path, key_of("master", path.read_bytes())

    @functools.cached_property
    def logo(self) -> Logo | None:
        # the company's, on title and closing slides
        return deck_family.logo(self.src, self.deck_master)

    @functools.cached_property
    def links(self) -> html.Links:
        return html.Links.for_pdf(self.src.cat.root, self.src.template_dirs)

    def slots(self, tier: str) -> list[tuple[str, str]]:
        """(kind, id) of every member of `tier`, in planning order."""
        kit = self.src.editions["partner"].kits[tier]
        return [
            *((what, play) for play in kit.plays for what in ("card", "enablement")),
            *(("competitor", cid) for cid in kit.competitors),
            *(("brief", play) for play in kit.briefs),
            *(("pitch", dest) for dest in kit.destinations),
        ]

    def unit(self, what: str, tier: str, eid: str) -> Unit:
        """The unit of one member: its page or slides rendered now, for its key."""
        src, links = self.src, self.links
        kit = src.editions["partner"].kits[tier]
        tr = src.labels.gettext  # members' document titles in the kit's language
        if what == "card":
            title = tr("%(name)s — battlecard") % {"name": kit.cards.plays[eid].name}
            page = page_of(html.battlecard, src.env, eid, links, medium="print")
            return self._pdf("partner-cards", tier, eid, kit.cards, page, title, what)
        if what == "competitor":
            # made from the tier's kit edition: it names only the kit's plays
            title = tr("%(name)s — competitor card") % {"name": kit.cards.competitors[eid].name}
            page = page_of(html.competitor_card, src.env, eid, links, medium="print")
            return self._pdf("partner-competitors", tier, eid, kit.cards, page, title, what)
        if what == "brief":
            # the customer's page: from the tier's public edition, never the partner one
            title = tr("%(name)s — customer brief") % {"name": kit.pitches.plays[eid].name}
            page = page_of(kits.customer_brief, src.env, eid, links)
            return self._pdf("partner-briefs", tier, eid, kit.pitches, page, title, what)
        master, digest = self.master
        subject: Subject  # the deck's
        if what == "enablement":
            rel, edition = f"partner-decks/{tier}/{eid}.pptx", kit.cards
            slides = decks.partner_enablement_slides(edition, eid)
            title = tr("%(name)s — partner enablement") % {"name": edition.plays[eid].name}
            subject = ("play", eid)
        elif what == "pitch":
            rel, edition = f"partner-pitches/{tier}/{eid}.pptx", kit.pitches
            slides = decks.pitch_slides(edition, eid)
            title, subject = edition.destinations[eid].name, ("destination", eid)
        else:
            raise ValueError(f"no kit member kind {what!r}")
        return deck_family.unit(
            self.family, rel, edition, slides, master, digest, title, subject, self.logo
        )

    def _pdf(
        self,
        folder: str,
        tier: str,
        eid: str,
        edition: Edition,
        page: Callable[[Edition], str],
        title: str,
        what: str,
    ) -> Unit:
        rel = f"{folder}/{tier}/{eid}.pdf"
        check = self.check(what, eid)
        assert check is not None  # every PDF member has a page budget
        where, subject = Path(eid), check.subject
        return pdf_page(
            self.src,
            self.family,
            rel,
            edition,
            page,
            title,
            where=where,
            subject=subject,
            check=check,
        )

    def check(self, what: str, eid: str) -> PageBudget | None:
        """The page budget of a PDF member (None for a deck): a warning at the entity's file,
        kept with the record of every kit that holds the member (families.kits)."""
        src = self.src
        locale = src.locale if src.translated else None
        if what == "card":
            budget = battlecards.page_budget(eid, src.cat.loc("play", eid), locale)
            return dataclasses.replace(budget, what="partner battlecard")
        if what == "competitor":
            budget = competitors.page_budget(eid, src.cat.loc("competitor", eid), locale)
            return dataclasses.replace(budget, what="partner competitor card")
        if what == "brief":
            advice = "shorten its summary, why_do_anything, why_now or proof"
            subject = ("play", eid)
            loc = src.cat.loc("play", eid)
            return PageBudget(subject, loc, BRIEF_PAGE_BUDGET, "customer brief", advice, locale)
        return None

    def reused(self, state: Slots, tiers: Sequence[str], shown: Shown) -> bool:
        """Fill in the members of `tiers` from their recorded plan when what they are made
        from is unchanged (no page rendered: their bytes come from the cache, see the kits'
        `prepare`)."""
        src = self.src
        memo = self._memo(tiers, shown)
        recalled = src.plans.recalled(*memo) if memo is not None and src.plans else None
        if not recalled or not all(
            len(o.slot) == 3 and o.slot[0] in MEMBER_KINDS for o in recalled
        ):
            return False
        for o in recalled:
            what, tier, eid = o.slot
            state.slot(what)[(tier, eid)] = Unit(o.rel, self.family, o.key, subject=o.subject)
        return True

    def remember(self, state: Slots, tiers: Sequence[str], shown: Shown) -> None:
        """Record the members of `tiers` for the next build (see reused)."""
        src = self.src
        memo = self._memo(tiers, shown)
        if memo is None or src.plans is None:
            return
        members = [
            PlannedOutput(u.rel, u.key, subject=u.subject, slot=(what, *member))
            for what, member, u in state.members(set(tiers))
            if what in MEMBER_KINDS
        ]
        src.plans.keep(*memo, members)

    def forget_pages(self, state: Slots, tiers: Sequence[str]) -> None:
        """Drop the page keys (Records.pages) of members no kit of this locale holds any more
        (a play, a competitor or a tier's last partner gone): nothing would read them again,
        and records.json would keep them for good. Only a plan of every kit knows that."""
        src = self.src
        if src.plans is None:
            return
        used = {f"{self.family}:{u.rel}@{src.locale}" for _, _, u in state.members(set(tiers))}
        prefix, suffix = f"{self.family}:", f"@{src.locale}"
        pages = src.plans.records.pages
        for name in [n for n in pages if n.startswith(prefix) and n.endswith(suffix)]:
            if name not in used:
                del pages[name]

    def _memo(self, tiers: Sequence[str], shown: Shown) -> tuple[str, str] | None:
        """The name and key of the members' plan of `tiers` in this locale: what the members
        are made from, which is the tiers' kit editions (they hold no partner, and their repr
        is their whole content), the templates and the files a page may load; not the
        catalog's files, so that an edit no kit shows (a rep-only play, a partner) plans no
        member."""
        src = self.src
        if src.plans is None:
            return None
        name = f"{self.family}-members"
        editions = [(tier, *shown[tier]) for tier in tiers]
        # where a member's page-budget warning is said (its play's or competitor's first
        # line): kept with the kits' records, so a comment added above it moves it. Those
        # of the tiers' members only: a line moved above a play no kit holds plans none
        kits_of = src.editions["partner"].kits
        held = {
            *(("play", pid) for t in tiers for pid in (*kits_of[t].plays, *kits_of[t].briefs)),
            *(("competitor", cid) for t in tiers for cid in kits_of[t].competitors),
        }
        where = sorted(
            (kind, eid, *place_of(src.cat.loc(kind, eid), src.cat.root)) for kind, eid in held
        )
        key = src.plans.key_of_inputs(
            name, src.locale, (sorted(editions), src.resource_tree, where)
        )
        return f"{name}@{src.locale}", key

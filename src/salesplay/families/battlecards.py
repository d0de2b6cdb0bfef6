"""Battlecard PDFs: one per play of the rep edition, at most two A4 pages."""

from __future__ import annotations

from pathlib import Path

from salesplay.diagnostics import Location
from salesplay.engine.units import Unit
from salesplay.families import base
from salesplay.families.base import Family, Row, Sources, page_of, pdf_page
from salesplay.render import html

NAME = "battlecards"
#: a battlecard is meant to fit on two A4 pages (README: "What you get").
CARD_PAGE_BUDGET = 2


def path_of(play_id: str) -> str:
    """Where a play's battlecard PDF lives, relative to --out."""
    return f"battlecards/{play_id}.pdf"


def page_budget(play_id: str, loc: Location, locale: str | None = None) -> base.PageBudget:
    """A check of a made card: a warning at the play's file past the page budget (`locale`
    names a translated card's language)."""
    advice = "shorten its longest fields, or move detail to the playbook"
    return base.PageBudget(("play", play_id), loc, CARD_PAGE_BUDGET, "battlecard", advice, locale)


def plan(src: Sources) -> list[Unit]:
    rep = src.editions["rep"]
    links = html.Links.for_pdf(src.cat.root, src.template_dirs)
    units = []
    for pid, play in rep.plays.items():
        check = page_budget(pid, src.cat.loc("play", pid), src.locale if src.translated else None)
        units.append(
            pdf_page(
                src,
                NAME,
                path_of(pid),
                rep,
                page_of(html.battlecard, src.env, pid, links, medium="print"),
                src.labels.gettext("%(name)s — battlecard") % {"name": play.name},
                where=Path(pid),
                subject=("play", pid),
                check=check,
            )
        )
    return units


FAMILY = Family(
    NAME,
    "the 30-second version first, then differentiators, discovery, objections, talk tracks,"
    " proof, next steps, jargon decoder; ≤ 2 A4 pages",
    (("battlecards/*.pdf", "rep"),),
    plan,
    served=True,
    # partners never reach its outputs: only the kits are made per partner
    ignores=frozenset({"partner"}),
    rows=(Row("`build/battlecards/<play>.pdf`", "rep"),),
)

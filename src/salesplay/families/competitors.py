"""Competitor cards: a PDF per competitor and edition that may see it, and rep pages beside them."""

from __future__ import annotations

from pathlib import Path

from salesplay.diagnostics import Location
from salesplay.engine.units import Unit
from salesplay.families import base, site
from salesplay.families.base import Family, Row, Sources, guarded, page_of, page_unit, pdf_page
from salesplay.models import Audience
from salesplay.render import html

NAME = "competitors"
#: a competitor card is meant to fit on two A4 pages, like a battlecard.
CARD_PAGE_BUDGET = 2
#: the editions that get competitor PDFs, each in its own folder ("" for the rep edition).
#: Which competitors and what of them each may see is the edition's to decide. Partners get
#: theirs in their kits, made from their tier's kit edition (a card of the whole partner
#: edition would name plays above a partner's tier).
#: The internal card is the deal desk's and the marketers': it holds what only they may see
#: (internal pricing intelligence, internal plays and objections), never served or linked.
EDITIONS: tuple[tuple[Audience, str], ...] = (
    ("rep", ""),
    ("public", "public/"),
    ("internal", "internal/"),
)
#: the page listing every rep-edition competitor; not a valid id, so no card can take its name.
INDEX = f"{NAME}/all_competitors.html"


def pdf_path(competitor_id: str, audience: Audience = "rep") -> str:
    """Where a competitor's card PDF for `audience` lives, relative to --out."""
    folder = dict(EDITIONS)[audience]
    return f"{NAME}/{folder}{competitor_id}.pdf"


def page_path(competitor_id: str) -> str:
    """Where a competitor's rep card page lives, relative to --out."""
    return f"{NAME}/{competitor_id}.html"


def _page_links() -> html.Links:
    """Links for pages in build/competitors/: the portal's files are in ../site/."""
    base = html.Links.for_site(0)
    return html.Links(
        theme=lambda name: "../site/" + base.theme(name),
        asset=lambda value: "../site/" + base.asset(value),
        play=lambda pid: "../" + site.card_path(pid),
        downloads=lambda cid: {"PDF": f"{cid}.pdf"},
        home="../site/index.html",
        competitor=lambda cid: f"{cid}.html",
        nav=html.Nav.at(NAME),
    )


def page_budget(competitor_id: str, loc: Location, locale: str | None = None) -> base.PageBudget:
    """A check of a made card: a warning at the competitor's file past the page budget."""
    advice = "shorten its strengths, weaknesses or the talk tracks of its plays"
    subject = ("competitor", competitor_id)
    return base.PageBudget(subject, loc, CARD_PAGE_BUDGET, "competitor card", advice, locale)


def plan(src: Sources) -> list[Unit]:
    pdf_links = html.Links.for_pdf(src.cat.root, src.template_dirs)
    units: list[Unit] = []
    for audience, _folder in EDITIONS:
        edition = src.editions.get(audience)
        if edition is None:
            continue
        for cid, comp in edition.competitors.items():
            units.append(
                pdf_page(
                    src,
                    NAME,
                    pdf_path(cid, audience),
                    edition,
                    page_of(html.competitor_card, src.env, cid, pdf_links, medium="print"),
                    src.labels.gettext("%(name)s — competitor card") % {"name": comp.name},
                    where=Path(cid),
                    subject=("competitor", cid),
                    # one warning per competitor: the rep card holds the most
                    check=page_budget(
                        cid, src.cat.loc("competitor", cid), src.locale if src.translated else None
                    )
                    if audience == "rep"
                    else None,
                )
            )
    rep = src.editions["rep"]
    recorder = site.Recorder()
    links = recorder.links(_page_links())
    index = "all_competitors.html"
    for cid in rep.competitors:
        page = guarded(
            Path(cid),
            html.competitor_card,
            src.env,
            rep,
            cid,
            links,
            medium="web",
            index=index,
            languages=src.languages(page_path(cid)),
        )
        units.append(page_unit(NAME, page_path(cid), page, ("competitor", cid)))
    units.append(
        page_unit(
            NAME,
            INDEX,
            guarded(
                Path(INDEX),
                html.competitor_index,
                src.env,
                rep,
                links,
                src.languages(INDEX),
            ),
        )
    )
    # the pages' styles and images live in site/assets/ (the same units the site plans)
    logo = rep.company.logo
    units += site.asset_units(src, recorder.theme, recorder.assets | ({logo} if logo else set()))
    return units


FAMILY = Family(
    NAME,
    "per competitor: quick dismiss, where they win and where they're weak, our claims"
    " against them with proof, objections they plant, talk tracks and landmines, the plays"
    " they are in; ≤ 2 A4 pages (partners get theirs in their kits)",
    (
        (f"{NAME}/public/*.pdf", "public"),
        (f"{NAME}/internal/*.pdf", "internal"),
        (f"{NAME}/*.pdf", "rep"),
        (f"{NAME}/*.html", "rep"),
    ),
    plan,
    served=True,
    # partners never reach its outputs: only the kits are made per partner
    ignores=frozenset({"partner"}),
    rows=(
        Row(
            "`build/competitors/<competitor>.pdf`, `build/competitors/public/<competitor>.pdf`,"
            " `build/competitors/internal/<competitor>.pdf`, pages"
            " `build/competitors/<competitor>.html` and `build/competitors/all_competitors.html`",
            "rep, public, internal",
        ),
    ),
)

"""The reps' partner directory: build/partners/index.html, the partners reps may be told of."""

from __future__ import annotations

from salesplay.edition import told_of
from salesplay.engine.units import Unit
from salesplay.families import site
from salesplay.families.base import Family, Row, Sources, page_unit
from salesplay.render import portal

NAME = "partners"


def plan(src: Sources) -> list[Unit]:
    rep, partner = src.editions["rep"], src.editions["partner"]
    page = portal.partners_page(
        src.env,
        rep,
        # a partner whose `audience:` reps may not see is not listed (one rule: told_of)
        told_of(partner.partners, "rep").values(),
        partner.kits,
        src.languages(portal.PARTNERS),
    )
    theme = {portal.PORTAL_CSS, portal.HEADER_CSS, portal.PARTNERS_JS, "fonts.css"}
    logo = rep.company.logo
    # the page's styles, script and logo live in site/assets/ (the same units the site plans)
    assets = {logo} if logo else set()
    return [page_unit(NAME, portal.PARTNERS, page), *site.asset_units(src, theme, assets)]


FAMILY = Family(
    NAME,
    "the reps' partner directory: each partner's tier, regions, contact and channel manager,"
    " filtered by region and by the play its kit holds; what each tier sells",
    ((f"{NAME}/*.html", "rep"),),
    plan,
    # a page reps read: rebuilt in serve's first pass, and the browser reloads it
    served=True,
    quick=True,
    rows=(Row("`build/partners/index.html`", "rep"),),
)

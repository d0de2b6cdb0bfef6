"""The differentiator matrix at the top of --out: matrix.html (links into site/) and matrix.pdf."""

from __future__ import annotations

from pathlib import Path

from salesplay.engine.units import Unit
from salesplay.families import site
from salesplay.families.base import Family, Row, Sources, guarded, page_of, page_unit, pdf_page
from salesplay.render import html

NAME = "matrix"


def _root_links() -> html.Links:
    """Links for pages at the top of build/ (matrix.html) that point into build/site/."""
    base = html.Links.for_site(0)
    return html.Links(
        theme=lambda name: "site/" + base.theme(name),
        asset=lambda value: "site/" + base.asset(value),
        play=lambda pid: site.card_path(pid),
        downloads=lambda pid: {"PDF": f"battlecards/{pid}.pdf"},
        home="site/index.html",
        matrix_pdf="matrix.pdf",
        nav=html.Nav.at(""),
    )


def plan(src: Sources) -> list[Unit]:
    rep = src.editions["rep"]
    recorder = site.Recorder()
    web = guarded(
        Path("matrix"),
        html.matrix,
        src.env,
        rep,
        recorder.links(_root_links()),
        medium="web",
        languages=src.languages("matrix.html"),
    )
    pdf_links = html.Links.for_pdf(src.cat.root, src.template_dirs)
    printed = pdf_page(
        src,
        NAME,
        "matrix.pdf",
        rep,
        page_of(html.matrix, src.env, pdf_links, medium="print"),
        src.labels.gettext("Differentiator matrix"),
        where=Path("matrix"),
    )
    return [
        page_unit(NAME, "matrix.html", web),
        printed,
        # the page's styles and images live in site/assets/ (the same units the site plans)
        *site.asset_units(src, recorder.theme, recorder.assets),
    ]


FAMILY = Family(
    NAME,
    "differentiators × competitors, unique vs comparative, linked to plays; printed on"
    ' landscape pages, more than ten competitors in tables of eight ("Competitors 9–16 of'
    ' 21."), so every column is on a page (the HTML scrolls sideways)',
    (("matrix.html", "rep"), ("matrix.pdf", "rep")),
    plan,
    served=True,
    # partners never reach its outputs: only the kits are made per partner
    ignores=frozenset({"partner"}),
    rows=(Row("`build/matrix.html`, `build/matrix.pdf`", "rep"),),
)

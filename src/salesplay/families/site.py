"""The rep portal under site/: card pages, home with search index, matrix, report, assets."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from salesplay.engine.units import Unit
from salesplay.families.base import Family, Sources, guarded, page_unit
from salesplay.images import site_name
from salesplay.render import html, portal
from salesplay.render.templates import THEME_DIR

NAME = "site"


def card_path(play_id: str) -> str:
    """Where a play's card page lives, relative to --out."""
    return f"site/battlecards/{play_id}.html"


@dataclass
class Recorder:
    """Wraps Links so that every theme file and asset a page refers to is recorded."""

    theme: set[str] = field(default_factory=set)
    assets: set[str] = field(default_factory=set)

    def links(self, base: html.Links) -> html.Links:
        def theme(name: str) -> str:
            self.theme.add(name)
            return base.theme(name)

        def asset(value: str) -> str:
            self.assets.add(value)
            return base.asset(value)

        return dataclasses.replace(base, theme=theme, asset=asset)


def asset_units(src: Sources, theme: Iterable[str], assets: Iterable[str]) -> list[Unit]:
    """site/assets/: the theme files and catalog images pages use, project overrides first.

    Fonts are looked up like every theme file, so a project's font override reaches the
    portal as it reaches the PDFs.
    """
    names = set(theme)
    if "fonts.css" in names:
        names |= {f"fonts/{p.name}" for p in (THEME_DIR / "fonts").glob("*.otf")}
    units = [
        page_unit(NAME, f"site/assets/{name}", src.theme_file(name).read_bytes())
        for name in sorted(names)
    ]
    for value in sorted(set(assets)):
        image = src.cat.images.get(value)
        if image is not None:
            # a name salesplay chooses and the PNG check made: never the path or bytes as written
            units.append(page_unit(NAME, f"site/{site_name(value)}", image.png))
    return units


def shown_files(src: Sources) -> set[Path]:
    """Catalog files of the entities the rep edition holds."""
    rep = src.editions["rep"]
    return {doc.path for (kind, eid), doc in src.cat.docs.items() if rep.shows(kind, eid)}


def plan(src: Sources) -> list[Unit]:
    rep = src.editions["rep"]
    recorder = Recorder()
    card_links = recorder.links(html.Links.for_site(1))
    units = []
    src.progress(f"rendering HTML for {len(rep.plays)} plays")
    for pid in rep.plays:
        page = guarded(Path(pid), html.battlecard, src.env, rep, pid, card_links, medium="web")
        units.append(page_unit(NAME, card_path(pid), page, ("play", pid)))
    links = portal.page_links(rep)
    cards = portal.play_cards(rep, links.site)
    units += [
        page_unit(NAME, "site/index.html", portal.home_page(src.env, rep, cards)),
        page_unit(NAME, f"site/{portal.INDEX_JS}", portal.search_index_js(rep, cards, links.site)),
        page_unit(NAME, "site/matrix.html", portal.matrix_page(src.env, rep)),
    ]
    # the portal is the rep edition: only findings about what reps may see
    shown = shown_files(src)
    diags = [d for d in portal.report_diagnostics(src.diagnostics) if d.loc.file in shown]
    base = Path(src.cat.root).resolve().parent
    sections = portal.report_sections(rep, diags, base, lambda p: links.site.play(p) or "")
    units.append(
        page_unit(NAME, "site/report.html", portal.report_page(src.env, rep, sections, links))
    )
    theme = recorder.theme | {portal.PORTAL_CSS, portal.PORTAL_JS, "fonts.css"}
    logo = rep.company.logo
    units += asset_units(src, theme, recorder.assets | ({logo} if logo else set()))
    return units


FAMILY = Family(
    NAME,
    "the rep portal: search and filters, card pages, matrix, marketer report; works from `file://`",
    (("site/*", "rep"),),
    plan,
    served=True,
    quick=True,
)

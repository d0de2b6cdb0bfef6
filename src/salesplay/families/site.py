"""The rep portal under site/: card pages, home with search index, matrix, report, assets."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from salesplay import changes, diff, gitrev
from salesplay.context import UsageError
from salesplay.diagnostics import Location, Reporter
from salesplay.engine import reads
from salesplay.engine.records import PageKey, key_of
from salesplay.engine.units import Made, Unit, Workshop
from salesplay.families.base import Family, Row, Sources, guarded, page_unit, scratch
from salesplay.faults import BuildFault
from salesplay.findings import mentions_in, report_diagnostics, report_sections
from salesplay.images import Checked, site_name
from salesplay.locales import localized_path
from salesplay.render import html, portal, search
from salesplay.render.theme import read_theme_file, with_css_references
from salesplay.validate import check_read_image, read_image_file
from salesplay.views import Edition

NAME = "site"
#: a page's text, and the theme files and assets it referred to
Rendered = tuple[str, frozenset[str], frozenset[str]]


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

    With each stylesheet come the files it refers to (fonts, images, imported sheets),
    looked up like every theme file, so a project's own fonts reach the portal as they
    reach the PDFs, whatever their names.
    """
    names = with_css_references(src.templates, theme)
    units = [
        page_unit(NAME, f"site/assets/{name}", read_theme_file(src.templates, name))
        for name in sorted(names)
    ]
    for value in sorted(set(assets)):
        image = src.cat.images.get(value) or _linked_image(src, value)
        # a name salesplay chooses and the PNG check made: never the path or bytes as written
        units.append(page_unit(NAME, f"site/{site_name(value)}", image.png))
    return units


def _linked_image(src: Sources, value: str) -> Checked:
    """An image in the catalog's assets/ that a template links (`links.asset`) and no
    catalog field names: read and checked as a logo is, so that the portal publishes it as
    the PDFs show it (it linked a PNG that was never made); a fault is the file's."""
    reporter = Reporter()
    loc = Location(src.cat.root / value, 0, 0)
    found = read_image_file(src.cat.root, value, loc, reporter)
    checked = None if found is None else check_read_image(found, value, loc, reporter)
    if checked is None:
        first = reporter.errors[0]
        raise BuildFault(first.loc, f"{first.message} (a template links it: links.asset)")
    return checked[1]


def shown_files(src: Sources) -> set[Path]:
    """Catalog files of the entities the rep edition holds."""
    rep = src.editions["rep"]
    return {doc.path for (kind, eid), doc in src.cat.docs.items() if rep.shows(kind, eid)}


#: the edition of the portal, as the release notes name it.
NEWS_EDITION = "rep"


#: the card section (its id, and the play's field that fills it) of a change of each kind
_SECTION_OF: dict[str, tuple[str, str]] = {
    "objection": ("objections", "objections"),
    "talk-track": ("competitors", "competitors"),
    "proof": ("proof", "proof"),
}


def news_item(change: diff.Change, edition: Edition, links: html.Links) -> portal.NewsItem:
    """A change, linked to the card it is about when the edition still holds it (a dropped
    objection to the card's objections: what a rep says now)."""
    kind, _, eid = change.subject.partition(":")
    href = None
    gone = change.kind == kind and change.action == "removed"  # the play or competitor itself
    if kind == "play" and eid in edition.plays and not gone:
        href = links.play(eid)
        section = _SECTION_OF.get(change.kind)
        # to the card's section the change is in, while the card has that section
        if href and section is not None and getattr(edition.plays[eid], section[1]):
            href += f"#play-{eid}--{section[0]}"
    elif kind == "competitor" and eid in edition.competitors and not gone:
        href = links.competitor(eid)
    return portal.NewsItem(change.message, href)


def news(
    notes: list[changes.ReleaseNote], edition: Edition, links: html.Links
) -> list[portal.NewsRelease]:
    """The release notes of the rep edition, as the What's new page shows them."""
    return [
        portal.NewsRelease(
            note.release.tag,
            note.release.date,
            note.previous.tag,
            tuple(
                (diff.SECTIONS[kind], tuple(news_item(c, edition, links) for c in found))
                for kind, found in diff.by_kind(note.changes.get(NEWS_EDITION, ())).items()
            ),
        )
        for note in notes
    ]


def whats_new_unit(src: Sources, links: html.Links) -> Unit:
    """site/whats-new.html from the catalog's release tags, made again only when a release,
    a template or the page around the notes changes (reading old revisions is slow).

    Outside git the page says the history is not available; the build goes on.
    """
    from salesplay.imagecache import ImageCache

    rel = f"site/{portal.WHATS_NEW}"
    rep = src.editions["rep"]
    config = src.cat.config.releases
    try:
        repo = gitrev.Repo.of(src.cat.root)
    except UsageError:
        src.progress("site: the catalog is not in git: What's new says so")
        page = portal.whats_new_page(src.env, rep, None, config.tags, src.languages(rel))
        return page_unit(NAME, rel, page)
    tags = gitrev.releases(repo, config.tags)[-(config.keep + 1) :]
    # the page without notes stands for its shell (nav, brand, edition, the as-of date), the
    # template for how notes are told
    shell = portal.whats_new_page(
        src.env, rep, [], config.tags, src.languages(rel), shallow=src.shallow
    )
    key = key_of(
        "whats-new",
        tags,
        src.git_objects,  # a partial clone's release files fetched since
        config,
        shell,
        read_theme_file(src.templates, "portal/whats-new.html"),
        # how each change is worded (the notes' labels), and where it links: the card, at
        # the section it is in while the card has that section (news_item)
        src.labels.digest,
        [
            (pid, *(bool(getattr(p, s)) for _, s in _SECTION_OF.values()))
            for pid, p in rep.plays.items()
        ],
        list(rep.competitors),
    )

    def make(_workshop: Workshop) -> Made:
        images = ImageCache(src.out)
        # read and told in the page's language (the feeds keep the source text and English)
        folder = scratch(src)
        told = changes.history(src.cat.root, config.tags, config.keep, images, src.labels, folder)
        notes = told or []
        notes_ = news(notes, rep, links)
        page = portal.whats_new_page(
            src.env, rep, notes_, config.tags, src.languages(rel), shallow=src.shallow
        )
        return page.encode(), ()

    return Unit(rel, NAME, key, make=make, cost=0.5 + 0.5 * len(tags))


def card_pages(src: Sources, rep: Edition, recorder: Recorder) -> list[Unit]:
    """The card page of every play of the rep edition.

    With src.pages (serve's builder), a page is rendered again only when what it read of
    the edition changed (engine.reads): a save renders the cards that show what was saved.
    A build with records does the same from them (Records.pages), as pdf_page does for a
    PDF's page: a page whose reads are unchanged is not rendered to plan it; its key is the
    recorded one, and it is rendered where it is made, if it is made at all (its file was
    removed or changed).
    """
    digests = reads.Digests(rep)
    # everything a card page is made from besides its edition: templates, locale, languages
    templates = None if src.plans is None else src.plans.templates
    records = None if src.plans is None or src.pages is not None else src.plans.records
    # serve's memo keeps pages whole; a build with records renders each from a watched
    # edition into a dict of its own, to note what it read; without either, as it is
    pages = {} if records is not None else None if templates is None else src.pages
    units = []
    for pid in list(rep.plays):
        rel = card_path(pid)
        languages = src.languages(rel)
        fixed = (NAME, "card", pid, languages, templates, src.locale)
        name = f"{NAME}:{rel}@{src.locale}"

        def render(edition: Edition, pid: str = pid, languages: object = languages) -> Rendered:
            used = Recorder()
            page = guarded(
                Path(pid),
                html.battlecard,
                src.env,
                edition,
                pid,
                used.links(html.Links.for_site(1)),
                medium="web",
                languages=languages,
            )
            return page, frozenset(used.theme), frozenset(used.assets)

        kept = None if records is None or src.clean else records.pages.get(name)
        if kept is not None and kept.key == digests.key(kept.reads, fixed):
            recorder.theme |= {n.removeprefix(_THEME) for n in kept.loads if n.startswith(_THEME)}
            recorder.assets |= {n.removeprefix(_ASSET) for n in kept.loads if n.startswith(_ASSET)}
            late = functools.partial(_rendered_late, render, rep)
            units.append(Unit(rel, NAME, kept.unit, make=late, subject=("play", pid), cost=0.1))
            continue
        page = reads.rendered(pages, name, digests, fixed, render)
        recorder.theme |= page.theme
        recorder.assets |= page.assets
        unit = page_unit(NAME, rel, page.text, ("play", pid))
        if records is not None:
            # the file as written: a translated locale's lives under its folder
            written = localized_path(rel, src.locale, src.locales[0]) if src.translated else rel
            links = sorted({_THEME + n for n in page.theme} | {_ASSET + n for n in page.assets})
            key = PageKey(written, page.reads, page.key, unit.key, 0.0, tuple(links))
            records.pages[name] = key
        units.append(unit)
    return units


def _rendered_late(
    render: Callable[[Edition], Rendered], edition: Edition, _workshop: Workshop
) -> Made:
    """A card page planned from its record, rendered where it is made."""
    return render(edition)[0].encode(), ()


#: how a card page's record names the theme files and assets it referred to (PageKey.loads)
_THEME, _ASSET = "theme:", "asset:"


def plan(src: Sources) -> list[Unit]:
    rep = src.editions["rep"]
    recorder = Recorder()
    src.progress(f"rendering HTML for {len(rep.plays)} plays")
    units = card_pages(src, rep, recorder)
    links = portal.page_links(rep)
    cards = portal.play_cards(rep, links.site)
    home = portal.home_page(src.env, rep, cards, src.languages("site/index.html"))
    units += [
        page_unit(NAME, "site/index.html", home),
        page_unit(NAME, f"site/{portal.INDEX_JS}", search.search_index_js(rep, cards, links.site)),
        page_unit(
            NAME,
            "site/matrix.html",
            portal.matrix_page(src.env, rep, src.languages("site/matrix.html")),
        ),
        whats_new_unit(src, links.site),
    ]
    # the portal is the rep edition: only findings about what reps may see
    shown = shown_files(src)
    diags = [d for d in report_diagnostics(src.diagnostics) if d.loc.file in shown]
    base = Path(src.cat.root).resolve().parent
    sections = report_sections(
        rep, diags, base, lambda p: links.site.play(p) or "", mentions_in(src.cat)
    )
    report = portal.report_page(
        src.env, rep, sections, links, languages=src.languages("site/report.html")
    )
    units.append(page_unit(NAME, "site/report.html", report))
    # partners.js too: the nav leads to the partner directory, whose script lives here, so
    # `--only site` makes the site/ a full build makes
    theme = recorder.theme | {
        portal.PORTAL_CSS,
        portal.HEADER_CSS,
        portal.PORTAL_JS,
        portal.PARTNERS_JS,
        "fonts.css",
    }
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
    # the What's new page is made from the release tags
    git=frozenset({"tags"}),
    # partners never reach its outputs: only the kits are made per partner
    ignores=frozenset({"partner"}),
    rows=(Row("`build/site/` (card pages `site/battlecards/<play>.html`)", "rep"),),
)

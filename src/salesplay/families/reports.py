"""Marketers' reports: every diagnostic as JSON, and coverage.html (stale claims, jargon, gaps)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from salesplay import changes, diff, gitrev
from salesplay.context import UsageError
from salesplay.diagnostics import Diagnostic, display_path, format_json
from salesplay.engine.records import key_of
from salesplay.engine.units import Made, Unit, Workshop
from salesplay.families.base import Family, Row, Sources, page_unit, scratch
from salesplay.findings import (
    Finding,
    Section,
    mentions_in,
    report_diagnostics,
    report_sections,
)
from salesplay.models import ENTITY_FOLDERS, Audience
from salesplay.render import portal
from salesplay.render.templates import css_safe
from salesplay.render.theme import read_theme_file
from salesplay.views import Edition

NAME = "reports"
#: every diagnostic of the build, the catalog's and the renderers', as `check --format json`.
CHECK_JSON = "reports/check.json"
COVERAGE = "reports/coverage.html"
#: the id of the report's "What changed" section (its anchor on the page).
CHANGED = "what-changed"


#: the id of the report's section on what each card leaves out.
LEFT_OUT = "left-out"


def left_out_section(src: Sources, base: Path) -> Section:
    """Per card of the rep, partner (each tier's kit) and public editions, what it leaves out
    and why (as `salesplay explain` says it): the edition audit, for the marketers."""
    from salesplay.audit import card_omissions

    findings = tuple(
        Finding(
            f"{src.cat.plays[pid].name} — {heading}",
            f"{len(lines)} item{'s' if len(lines) != 1 else ''} left out",
            (),
            tuple(line.strip() for line in lines),
        )
        for audience in ("rep", "partner", "public")
        for pid, heading, lines in card_omissions(src.cat, audience, base)
    )
    intro = (
        "What each edition's card of a play leaves out, and why (audience set or by default,"
        " stale, roadmap stage, hidden backing, tier). 'salesplay explain PLAY' says the same."
    )
    return Section(LEFT_OUT, "Left out of each card", intro, findings)


#: the id of the report's section on translation coverage.
TRANSLATIONS = "translations"


def translations_section(src: Sources, base: Path) -> Section | None:
    """Per locale and kind: texts translated, stale and missing (outputs show the source
    text for the last two), with where each stale translation is; None for a catalog in one
    language."""
    from salesplay.i18n import Status

    tr = src.cat.translations
    if not tr.locales:
        return None
    findings = []
    for locale, kinds in tr.coverage().items():
        for kind, counts in sorted(kinds.items()):
            stale = sorted(
                (e.loc for k, e in tr.entries.get(locale, {}).items() if k[0] == kind
                 and tr.status(locale, k) is Status.STALE),
                key=lambda loc: (str(loc.file), loc.line),
            )  # fmt: skip
            findings.append(
                Finding(
                    f"{locale} — {kind}",
                    f"{counts.translated} of {counts.total} texts translated, {counts.stale}"
                    f" stale, {counts.missing} missing",
                    (),
                    tuple(f"{display_path(loc.file, base)}:{loc.line}" for loc in stale),
                )
            )
    intro = (
        "Texts of each language's outputs: a stale translation (its source text changed"
        " since) or a missing one shows the source text instead. 'salesplay i18n extract'"
        " brings the translation files up to date for the translators."
    )
    return Section(TRANSLATIONS, "Translations", intro, tuple(findings))


def changed_section(
    src: Sources, repo: gitrev.Repo | None, release: gitrev.Release | None
) -> Section:
    """What changed in the internal edition since the last release tag (the marketers see
    everything, partner moves included); outside git (`repo` None) or with no tag, a section
    saying so."""
    from salesplay.imagecache import ImageCache

    if repo is None:
        intro = "The catalog is not in git: history not available (outside git)."
        return Section(CHANGED, "What changed", intro, ())
    if release is None:
        pattern = src.cat.config.releases.tags
        intro = f"No release tag matches '{pattern}' yet: nothing to compare with."
        return Section(CHANGED, "What changed", intro, ())
    title = f"What changed since {release.tag}"
    # the internal note as the feeds tell it: the internal edition's changes and partner moves
    wanted: tuple[Audience, ...] = ("internal", "partner")
    images = ImageCache(src.out)
    before = changes.editions_at(src.cat.root, release.commit, images, wanted, scratch=scratch(src))
    if before is None:
        intro = f"The catalog at {release.tag} cannot be read: history not available."
        return Section(CHANGED, title, intro, ())
    after: dict[str, Edition] = {name: src.editions[name] for name in wanted}
    found = changes.release_notes(before, after)["internal"]
    intro = (
        f"The internal edition's changes since the release {release.tag}"
        f" ({release.date.isoformat()}), internal content included: not for reps or partners."
    )
    findings = tuple(
        Finding(diff.SECTIONS[kind], c.message)
        for kind, mine in diff.by_kind(found).items()
        for c in mine
    )
    return Section(CHANGED, title, intro, findings)


def plan(src: Sources) -> list[Unit]:
    rep = src.editions["rep"]
    # The report stands alone (styles inline) so that it reads well without the site.
    links = portal.page_links(rep, "../site/")
    base = Path(src.cat.root).resolve().parent
    diags = report_diagnostics(src.diagnostics)
    sections = report_sections(
        rep, diags, base, lambda p: links.site.play(p) or "", mentions_in(src.cat)
    )
    translated = translations_section(src, base)
    if translated is not None:
        sections = (*sections, translated)
    css = css_safe(
        "\n".join(
            read_theme_file(src.templates, name)
            .decode("utf-8", errors="replace")
            .replace(portal.HEADER_IMPORT, "")  # the header's sheet is inlined before it
            for name in (portal.HEADER_CSS, portal.PORTAL_CSS)
        )
    )
    try:
        repo: gitrev.Repo | None = gitrev.Repo.of(src.cat.root)
    except UsageError:
        repo = None
    found = gitrev.releases(repo, src.cat.config.releases.tags) if repo else []
    release = found[-1] if found else None
    # the page without its last two sections stands for everything else it shows; those are
    # made from the catalog's files (where each left-out item is set) and, for What changed,
    # the release's catalog, which is slow to read from git: made only when the key changes.
    # Of the partners' files they read only who the partners are and their tiers (What
    # changed names partners who joined, left or moved): a partner's new contact leaves the
    # page as it is.
    shell = portal.report_page(src.env, rep, sections, links, inline_css=css)
    catalog = src.tree([src.cat.root], skip=[ENTITY_FOLDERS["partner"]])
    # the left-out section names the catalog's files from `base`: the folder's name too
    folder = Path(src.cat.root).resolve().name
    key = key_of(
        "coverage",
        shell,
        repo is not None,
        release,
        src.git_objects,  # a partial clone's release files fetched since
        rep.as_of,
        catalog,
        folder,
        _who(src),
    )

    def make(_workshop: Workshop) -> Made:
        every = [*sections, left_out_section(src, base), changed_section(src, repo, release)]
        return portal.report_page(src.env, rep, every, links, inline_css=css).encode(), ()

    return [Unit(COVERAGE, NAME, key, make=make, cost=1.0)]


def _who(src: Sources) -> list[tuple[str, str, str]]:
    """Who the partners are and their tiers: all the report reads of their files."""
    return [(pid, p.name, p.tier) for pid, p in sorted(src.cat.partners.items())]


def skimmed(src: Sources) -> object:
    """What the plan reads of the partners' files (Family.skims): who they are, and the
    translation coverage, which counts every translatable text of the catalog (the models
    say which fields are: should a partner's be one day, its edits show here)."""
    return _who(src), translations_section(src, Path(src.cat.root).resolve().parent)


def finish(diagnostics: Sequence[Diagnostic], root: Path) -> list[Unit]:
    """check.json, once render warnings are known (a card past its budget, a refused file);
    files named from `root`, the project's folder, as the coverage page names them."""
    return [page_unit(NAME, CHECK_JSON, format_json(diagnostics, root))]


FAMILY = Family(
    NAME,
    "every diagnostic of the build; stale claims, jargon, coverage gaps (internal content:"
    " never served by `salesplay serve`); the page's styles are inline so that it reads on"
    " its own, and it takes the theme's typeface from `site/assets/fonts.css` beside it",
    (("reports/*", None),),
    plan,
    localized=False,
    # never served: coverage.html holds internal proof and what changed internally, and
    # check.json every diagnostic (quoting internal text); nothing in the portal links to
    # them, and serve's error page reads the build's result, not this file. The marketers'
    # page in the portal is site/report.html, made from the rep edition.
    finish=finish,
    # the report's What changed counts from the last release tag
    git=frozenset({"tags"}),
    skims=frozenset({"partner"}),
    skimmed=skimmed,
    rows=(Row("`build/reports/check.json`, `build/reports/coverage.html`", "— (marketers)"),),
)

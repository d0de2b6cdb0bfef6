"""Stage 5, render: every output of the contract's section 7, as bytes in memory."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesplay.build import BuildFault
from salesplay.images import site_name
from salesplay.render import decks, html, portal
from salesplay.render.pdf import PdfError, RenderJob, render_many
from salesplay.render.pptx_deck import DeckError
from salesplay.render.templates import THEME_DIR, TemplateFault, find_file, make_env, template_dirs

if TYPE_CHECKING:
    from salesplay.build import Build, Outputs


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


def _guard(fn: Callable[..., str], where: Path, *args: Any, **kwargs: Any) -> str:
    try:
        return fn(*args, **kwargs)
    except TemplateFault as exc:
        raise BuildFault.of(exc, where) from None


def render_outputs(build: Build, outputs: Outputs) -> None:
    """Render what `build` wants into `outputs`; raises BuildFault on the first located error."""
    ctx, cat = build.ctx, build.cat
    if build.wants("decks") or build.wants("kits"):
        try:  # a broken deck master stops the build before any PDF is rendered
            decks.checked_master(ctx.templates)
        except DeckError as exc:
            raise BuildFault.of(exc, Path("templates/deck.pptx")) from None
    env = make_env(ctx.templates)
    tdirs = template_dirs(ctx.templates)
    roots = (cat.root / "assets", *tdirs)
    pdf_links = html.Links.for_pdf(cat.root, tdirs)
    rep, internal, public = (build.editions[a] for a in ("rep", "internal", "public"))
    recorder = Recorder()
    site_links = recorder.links(html.Links.for_site(1))
    jobs: list[tuple[str, RenderJob]] = []

    def pdf_job(rel: str, page: str, title: str) -> None:
        base_url = (THEME_DIR / "index.html").as_uri()
        jobs.append((rel, RenderJob(page, base_url, roots, cat.as_of, title)))

    build.progress(f"rendering HTML for {len(rep.plays)} plays")
    for pid, play in rep.plays.items():
        if build.wants("site"):
            page = _guard(html.battlecard, Path(pid), env, rep, pid, site_links, medium="web")
            outputs.add(f"site/battlecards/{pid}.html", page)
        if build.wants("battlecards"):
            page = _guard(html.battlecard, Path(pid), env, rep, pid, pdf_links, medium="print")
            pdf_job(f"battlecards/{pid}.pdf", page, f"{play.name} — battlecard")
    if build.wants("playbooks"):
        for did, dest in internal.destinations.items():
            page = _guard(html.playbook, Path(did), env, internal, did, pdf_links)
            pdf_job(f"playbooks/{did}.pdf", page, f"{dest.name} — playbook")
    if build.wants("matrix"):
        top_links = recorder.links(_build_root_links())
        outputs.add(
            "matrix.html",
            _guard(html.matrix, Path("matrix"), env, rep, top_links, medium="web"),
        )
        page = _guard(html.matrix, Path("matrix"), env, rep, pdf_links, medium="print")
        pdf_job("matrix.pdf", page, "Differentiator matrix")
    if build.wants("site") or build.wants("matrix"):
        _site_assets(build, recorder, outputs)
    if jobs:
        build.progress(f"rendering {len(jobs)} PDFs with {build.ctx.jobs} workers")
        try:
            results = render_many(
                [job for _, job in jobs],
                workers=build.ctx.jobs,
                on_done=build.counter("PDFs", len(jobs)),
            )
        except PdfError as exc:
            raise BuildFault.of(exc, Path("build")) from None
        for (rel, _), (data, refused) in zip(jobs, results, strict=True):
            outputs.add(rel, data)
            outputs.warnings += [f"{rel}: warning: refused to load {r} [fetch]" for r in refused]
            if rel.startswith("battlecards/"):
                outputs.warnings += _over_budget(build, rel.removeprefix("battlecards/")[:-4], data)
    if build.wants("decks"):
        _decks(build, outputs, public, rep)
    if build.wants("site") or build.wants("reports"):
        portal.render_portal(build, outputs)


#: a battlecard is meant to fit on two A4 pages (README: "What you get").
CARD_PAGE_BUDGET = 2


def _over_budget(build: Build, play_id: str, pdf: bytes) -> list[str]:
    """A warning at the play's file when its battlecard runs past the page budget."""
    import io

    import pikepdf

    from salesplay.diagnostics import Diagnostic, Severity

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        pages = len(doc.pages)
    if pages <= CARD_PAGE_BUDGET:
        return []
    message = (
        f"battlecard '{play_id}' runs to {pages} pages (budget {CARD_PAGE_BUDGET}):"
        " shorten its longest fields, or move detail to the playbook"
    )
    loc = build.cat.loc("play", play_id)
    return [Diagnostic(loc, Severity.WARNING, message, "card-length").format()]


def _build_root_links() -> html.Links:
    """Links for pages at the top of build/ (matrix.html) that point into build/site/."""
    site = html.Links.for_site(0)
    return html.Links(
        theme=lambda name: "site/" + site.theme(name),
        asset=lambda value: "site/" + site.asset(value),
        play=lambda pid: f"site/battlecards/{pid}.html",
        downloads=lambda pid: {"PDF": f"battlecards/{pid}.pdf"},
        home="site/index.html",
    )


def _theme_file(build: Build, name: str) -> Path:
    return find_file(build.ctx.templates, name) or THEME_DIR / name


def _site_assets(build: Build, recorder: Recorder, outputs: Outputs) -> None:
    """Copy into site/assets/ exactly the theme files and catalog assets the pages use."""
    names = set(recorder.theme)
    if "fonts.css" in names:
        names |= {f"fonts/{p.name}" for p in (THEME_DIR / "fonts").glob("*.otf")}
    for name in sorted(names):
        outputs.add(f"site/assets/{name}", _theme_file(build, name).read_bytes())
    for value in sorted(recorder.assets):
        image = build.cat.images.get(value)
        if image is not None:
            outputs.add(f"site/{site_name(value)}", image.png)


def _decks(build: Build, outputs: Outputs, public: html.Edition, rep: html.Edition) -> None:
    try:
        master = decks.master_path(build.ctx.templates)
    except FileNotFoundError:
        fault = DeckError("no deck.pptx master found")
        raise BuildFault.of(fault, Path("templates/deck.pptx")) from None
    build.progress(f"building {len(public.destinations) + len(rep.plays)} decks")
    try:
        for did, dest in public.destinations.items():
            slides = decks.pitch_slides(public, did)
            outputs.add(
                f"decks/{did}-pitch.pptx", decks.deck_bytes(public, slides, master, dest.name)
            )
        for pid, play in rep.plays.items():
            slides = decks.enablement_slides(rep, pid)
            data = decks.deck_bytes(rep, slides, master, f"{play.name} — enablement")
            outputs.add(f"decks/{pid}-enablement.pptx", data)
    except DeckError as exc:
        raise BuildFault.of(exc, master) from None

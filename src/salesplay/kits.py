"""Partner kits: render each play once per tier, then co-brand and zip per partner."""

from __future__ import annotations

import multiprocessing.util
import os
import sys
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import jinja2

from salesplay import cobrand
from salesplay.diagnostics import Location
from salesplay.engine.fork import WorkerError, forked_map
from salesplay.faults import BuildFault
from salesplay.render import decks, html
from salesplay.render.archive import deterministic_zip
from salesplay.render.band import BandFonts, BandMaker, Brand
from salesplay.render.pdf import PdfError, RenderJob, render_many
from salesplay.render.pptx_deck import DeckError
from salesplay.render.stamp import PreparedBand, Stamper
from salesplay.render.templates import THEME_DIR, TemplateFault, render, template_dirs
from salesplay.resolve import Catalog
from salesplay.views import Edition, KitView, PartnerView
from salesplay.write import Manifest, git_revision

A4_WIDTH_PT = 595.28


#: a kit member made once per tier: (tier, play or destination id).
Member = tuple[str, str]


@dataclass
class KitShared:
    """Everything the kits have in common, made once before forking the workers.

    What a kit holds comes from the partner edition alone (its partners and tier kits);
    the catalog is read only for resources (assets, the logos check decoded, the root).
    """

    cat: Catalog
    partner_edition: Edition
    out: Path
    env: jinja2.Environment
    revision: str | None
    battlecards: dict[Member, bytes] = field(default_factory=dict)  # (tier, play) → PDF
    stampers: dict[Member, Stamper] = field(default_factory=dict)  # (tier, play) → PDF, parsed
    enablement: dict[Member, cobrand.DeckBase] = field(default_factory=dict)  # (tier, play)
    pitches: dict[Member, cobrand.DeckBase] = field(default_factory=dict)  # (tier, destination)
    makers: dict[int, BandMaker] = field(default_factory=dict)  # per process id, made lazily
    #: the band's fonts, loaded (and their common subset made) once in the parent
    band_fonts: BandFonts | None = None
    indexes: dict[str, bytes] = field(default_factory=dict)  # partner → index.html, if made


def partner_of(partner_edition: Edition, partner_id: str) -> PartnerView:
    """The partner as the partner edition holds it."""
    return partner_edition.partners[partner_id]


def kit_of(partner_edition: Edition, partner_id: str) -> KitView:
    """What the partner's tier receives, and the editions its members are made from."""
    return partner_edition.kits[partner_of(partner_edition, partner_id).tier]


def kit_plays(partner_edition: Edition, partner_id: str) -> list[str]:
    """Plays in a partner's kit, as the edition decided them."""
    return list(partner_of(partner_edition, partner_id).plays)


def kit_destinations(partner_edition: Edition, partner_id: str) -> list[str]:
    """Destinations of a partner's kit that have a public pitch deck."""
    return list(partner_of(partner_edition, partner_id).destinations)


def prepare(
    cat: Catalog,
    editions: Mapping[str, Edition],
    partners: Sequence[str],
    *,
    templates: Path | None,
    out: Path,
    jobs: int,
    progress: Callable[[str], None],
) -> KitShared:
    """Render the partner cards and deck bases the named partners' tiers need.

    Template, deck master and PDF faults are raised as located BuildFaults.
    """
    try:
        return _prepare(cat, editions, partners, templates, out, jobs, progress)
    except (TemplateFault, PdfError) as exc:
        raise BuildFault.of(exc, Path("kits")) from None
    except DeckError as exc:
        try:
            master = str(decks.master_path(templates))
        except FileNotFoundError:
            master = decks.MASTER_NAME
        raise BuildFault.of(exc, Path(master)) from None


def _prepare(
    cat: Catalog,
    editions: Mapping[str, Edition],
    partners: Sequence[str],
    templates: Path | None,
    out: Path,
    jobs: int,
    progress: Callable[[str], None],
) -> KitShared:
    from salesplay.render.templates import make_env

    ped = editions["partner"]
    env = make_env(templates)
    shared = KitShared(cat, ped, out, env, git_revision(cat.root))
    tiers = sorted({partner_of(ped, pid).tier for pid in partners})
    cards = sorted({(t, p) for t in tiers for p in ped.kits[t].plays})
    tdirs = template_dirs(templates)
    links = html.Links.for_pdf(cat.root, tdirs)
    roots = (cat.root / "assets", *tdirs)
    base_url = (THEME_DIR / "index.html").as_uri()
    progress(f"rendering {len(cards)} partner battlecards once for {len(partners)} kits")
    pages = [
        RenderJob(
            html.battlecard(env, ped.kits[t].cards, p, links, medium="print"),
            base_url,
            roots,
            cat.as_of,
            f"{ped.plays[p].name} — battlecard",
        )
        for t, p in cards
    ]
    for member, (pdf, _) in zip(cards, render_many(pages, workers=jobs), strict=True):
        shared.battlecards[member] = pdf
        shared.stampers[member] = Stamper(pdf)
    master = decks.master_path(templates)
    for tier, play in cards:
        ed = ped.kits[tier].cards
        slides = decks.partner_enablement_slides(ed, play)
        deck = decks.deck_bytes(ed, slides, master, f"{ed.plays[play].name} — partner enablement")
        shared.enablement[(tier, play)] = cobrand.prepare(deck, cat.as_of)
    for tier in tiers:
        public = ped.kits[tier].pitches
        for dest in ped.kits[tier].destinations:
            slides = decks.pitch_slides(public, dest)
            deck = decks.deck_bytes(public, slides, master, public.destinations[dest].name)
            shared.pitches[(tier, dest)] = cobrand.prepare(deck, cat.as_of)
    return shared


def brand_of(shared: KitShared, partner_id: str) -> tuple[Brand, cobrand.PartnerMark]:
    """The partner's band (PDF pages) and mark (decks): its name, contact and logo."""
    partner = partner_of(shared.partner_edition, partner_id)
    cat = shared.cat
    lines = partner.contact.lines if partner.contact else ()
    logo = cat.assets.get(partner.logo) if partner.logo else None
    brand = Brand(partner.name, logo, lines, shared.partner_edition.brand.primary)
    # the PNG check decoded once (bounded, SVG rasterised safely): no second decode per partner
    image = cat.images.get(partner.logo) if partner.logo else None
    png, size = (image.png, image.png_size) if image else (None, (0, 0))
    return brand, cobrand.PartnerMark(partner.name, " · ".join(lines), png, size)


def kit_members(shared: KitShared, partner_id: str) -> list[tuple[str, bytes]]:
    """Every file of one partner's kit, under the folder `<partner>/`."""
    cat = shared.cat
    maker = shared.makers.get(os.getpid())
    if maker is None:
        maker = BandMaker(
            roots=(cat.root / "assets",),
            as_of=cat.as_of,
            width_pt=A4_WIDTH_PT,
            height_pt=60.0,
            fonts=shared.band_fonts,
        )
        shared.makers[os.getpid()] = maker
        # pool workers never run __del__: close (remove the font folder) at process exit
        multiprocessing.util.Finalize(maker, maker.close, exitpriority=10)
    brand, mark = brand_of(shared, partner_id)
    band = PreparedBand.of(maker.band(brand))
    partner = partner_of(shared.partner_edition, partner_id)
    tier = partner.tier
    files: dict[str, bytes] = {}
    for play in partner.plays:
        files[f"battlecards/{play}.pdf"] = shared.stampers[(tier, play)].stamp(band)
        files[f"decks/{play}-enablement.pptx"] = cobrand.cobrand(
            shared.enablement[(tier, play)], mark
        )
    for dest in partner.destinations:
        files[f"decks/{dest}-pitch.pptx"] = cobrand.cobrand(shared.pitches[(tier, dest)], mark)
    files.update(logo_files(shared, partner_id))
    index = shared.indexes.get(partner_id)
    if index is None:
        index = kit_index(shared, partner_id, sorted(files))
    files["index.html"] = index
    manifest = Manifest.of(sorted(files.items()), as_of=cat.as_of, revision=shared.revision)
    files["manifest.json"] = manifest.to_json()
    return [(f"{partner_id}/{name}", data) for name, data in sorted(files.items())]


def logo_files(shared: KitShared, partner_id: str) -> dict[str, bytes]:
    """The kit's logo files: the PNGs salesplay made, never the author's files."""
    # an SVG may hold scripts: only the PNG the check rasterised ships
    images = shared.cat.images
    files = {}
    partner = partner_of(shared.partner_edition, partner_id)
    if partner.logo and partner.logo in images:
        files["assets/partner-logo.png"] = images[partner.logo].png
    company_logo = shared.partner_edition.company.logo
    if company_logo and company_logo in images:
        files["assets/company-logo.png"] = images[company_logo].png
    return files


def member_names(shared: KitShared, partner_id: str) -> list[str]:
    """The kit's files other than index.html and manifest.json, as the index lists them."""
    partner = partner_of(shared.partner_edition, partner_id)
    names = [f"battlecards/{p}.pdf" for p in partner.plays]
    names += [f"decks/{p}-enablement.pptx" for p in partner.plays]
    names += [f"decks/{d}-pitch.pptx" for d in partner.destinations]
    return sorted(names + list(logo_files(shared, partner_id)))


def kit_index(shared: KitShared, partner_id: str, names: Sequence[str]) -> bytes:
    """The kit's offline index page, from the partner's view and its tier's editions."""
    partner = partner_of(shared.partner_edition, partner_id)
    kit = kit_of(shared.partner_edition, partner_id)
    return render(
        shared.env,
        "kit_index.html",
        # the kit's own edition: it holds the kit's plays and no other partner
        edition=kit.cards,
        public=kit.pitches,
        partner=partner,
        partner_id=partner_id,
        plays=list(partner.plays),
        destinations=list(partner.destinations),
        files=list(names),
        brand_css=html.brand_css(kit.cards.brand),
    ).encode()


def build_kits(
    shared: KitShared, partners: Sequence[str], jobs: int
) -> Generator[tuple[str, bytes], None, None]:
    """Make each kit's zip, yielding (partner id, bytes) as each is made (memory stays flat).

    Workers only compute: the caller writes, so nothing is written once it has stopped
    (workers die with it). Any fault in a kit stops the run with a located BuildFault.
    """
    if jobs <= 1 or len(partners) < 4:
        for partner_id in partners:
            yield partner_id, kit_zip(shared, partner_id)
        return
    sys.stderr.flush()
    factory = partial(_kit_task, shared, partners)
    try:
        with closing(forked_map(factory, len(partners), jobs)) as results:
            for index, (data, failure) in results:
                if failure is not None:
                    _raise(failure)
                yield partners[index], data
    except WorkerError as exc:
        where = partners[exc.index] if exc.index is not None else None
        file = Path(f"kits/{where}.zip") if where else Path("kits")
        raise BuildFault(Location(file, 0, 0), f"cannot make the kit: {exc}") from None


#: What a worker sends back instead of an exception (exceptions whose __init__ takes more
#: than a message cannot be unpickled): ("fault", file, line, col, message).
Failure = tuple[str, str, int, int, str]


def _raise(failure: Failure) -> None:
    _, file, line, col, message = failure
    raise BuildFault(Location(Path(file), int(line), int(col)), message)


def _kit_zip(shared: KitShared, partner_id: str) -> bytes:
    return deterministic_zip(kit_members(shared, partner_id), date=shared.cat.as_of)


def kit_zip(shared: KitShared, partner_id: str) -> bytes:
    """One partner's kit as zip bytes; any fault is a BuildFault located at the kit."""
    try:
        return _kit_zip(shared, partner_id)
    except BuildFault:
        raise
    except (TemplateFault, PdfError, OSError) as exc:
        raise BuildFault.of(exc, Path(f"kits/{partner_id}.zip")) from None
    except Exception as exc:
        # a kit fault is never an "internal error" with a worker's traceback
        where = Location(Path(f"kits/{partner_id}.zip"), 0, 0)
        raise BuildFault(where, f"cannot make the kit: {type(exc).__name__}: {exc}") from None


@contextmanager
def _kit_task(
    shared: KitShared, partners: Sequence[str]
) -> Iterator[Callable[[int], tuple[bytes, Failure | None]]]:
    def task(index: int) -> tuple[bytes, Failure | None]:
        try:
            return kit_zip(shared, partners[index]), None
        except BuildFault as fault:
            loc = fault.loc
            return b"", ("fault", str(loc.file), loc.line, loc.col, str(fault))

    yield task

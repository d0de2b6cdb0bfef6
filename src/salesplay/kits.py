"""Partner kits: render each play once for partners, then co-brand and zip per partner."""

from __future__ import annotations

import multiprocessing.util
import os
import sys
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import jinja2

from salesplay import cobrand
from salesplay.diagnostics import Location
from salesplay.faults import BuildFault
from salesplay.render import decks, html
from salesplay.render.pdf import PdfError, RenderJob, WorkerError, forked_map, render_many
from salesplay.render.pptx_deck import DeckError
from salesplay.render.stamp import BandMaker, Brand, PreparedBand, Stamper
from salesplay.render.templates import THEME_DIR, TemplateFault, render, template_dirs
from salesplay.resolve import Catalog
from salesplay.views import Edition
from salesplay.write import Manifest, deterministic_zip, git_revision

A4_WIDTH_PT = 595.28


@dataclass
class KitShared:
    """Everything the kits have in common, made once before forking the workers."""

    cat: Catalog
    partner_edition: Edition
    public_edition: Edition
    out: Path
    env: jinja2.Environment
    revision: str | None
    battlecards: dict[str, bytes] = field(default_factory=dict)  # play → partner-edition PDF
    stampers: dict[str, Stamper] = field(default_factory=dict)  # play → its PDF, parsed once
    enablement: dict[str, cobrand.DeckBase] = field(default_factory=dict)  # play → deck base
    pitches: dict[str, cobrand.DeckBase] = field(default_factory=dict)  # destination → deck base
    makers: dict[int, BandMaker] = field(default_factory=dict)  # per process id, made lazily
    indexes: dict[str, bytes] = field(default_factory=dict)  # partner → index.html, if made


def kit_plays(cat: Catalog, partner_edition: Edition, partner_id: str) -> list[str]:
    """Plays in a partner's kit: eligible by tier and audience, and in the partner edition."""
    return [p for p in cat.partner_plays.get(partner_id, []) if p in partner_edition.plays]


def kit_destinations(partner_edition: Edition, public: Edition, plays: Sequence[str]) -> list[str]:
    """Destinations the kit's plays lead to that have a public pitch deck."""
    found = {pos.path.destination for p in plays for pos in partner_edition.plays[p].positions}
    return sorted(d for d in found if d in public.destinations)


def prepare(
    cat: Catalog,
    editions: dict[str, Edition],
    partners: Sequence[str],
    *,
    templates: Path | None,
    out: Path,
    jobs: int,
    progress: Callable[[str], None],
) -> KitShared:
    """Render the partner-edition battlecards and deck bases the named partners need.

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
    editions: dict[str, Edition],
    partners: Sequence[str],
    templates: Path | None,
    out: Path,
    jobs: int,
    progress: Callable[[str], None],
) -> KitShared:
    from salesplay.render.templates import make_env

    ped, public = editions["partner"], editions["public"]
    env = make_env(templates)
    shared = KitShared(cat, ped, public, out, env, git_revision(cat.root))
    plays = sorted({p for pid in partners for p in kit_plays(cat, ped, pid)})
    tdirs = template_dirs(templates)
    links = html.Links.for_pdf(cat.root, tdirs)
    roots = (cat.root / "assets", *tdirs)
    base_url = (THEME_DIR / "index.html").as_uri()
    progress(f"rendering {len(plays)} partner battlecards once for {len(partners)} kits")
    pages = [
        RenderJob(
            html.battlecard(env, ped, p, links, medium="print"),
            base_url,
            roots,
            cat.as_of,
            f"{ped.plays[p].name} — battlecard",
        )
        for p in plays
    ]
    for play, (pdf, _) in zip(plays, render_many(pages, workers=jobs), strict=True):
        shared.battlecards[play] = pdf
        shared.stampers[play] = Stamper(pdf)
    master = decks.master_path(templates)
    for play in plays:
        slides = decks.partner_enablement_slides(ped, play)
        deck = decks.deck_bytes(ped, slides, master, f"{ped.plays[play].name} — partner enablement")
        shared.enablement[play] = cobrand.prepare(deck, cat.as_of)
    for dest in kit_destinations(ped, public, plays):
        deck = decks.deck_bytes(
            public, decks.pitch_slides(public, dest), master, public.destinations[dest].name
        )
        shared.pitches[dest] = cobrand.prepare(deck, cat.as_of)
    return shared


def _brand(cat: Catalog, partner_id: str) -> tuple[Brand, cobrand.PartnerMark]:
    partner = cat.partners[partner_id]
    contact = partner.contact
    lines = (
        tuple(x for x in (contact.name, contact.email, contact.phone, contact.website) if x)
        if contact
        else ()
    )
    logo = cat.assets.get(partner.logo) if partner.logo else None
    brand = Brand(partner.name, logo, lines, cat.config.brand.primary)
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
            roots=(cat.root / "assets",), as_of=cat.as_of, width_pt=A4_WIDTH_PT, height_pt=60.0
        )
        shared.makers[os.getpid()] = maker
        # pool workers never run __del__: close (remove the font folder) at process exit
        multiprocessing.util.Finalize(maker, maker.close, exitpriority=10)
    brand, mark = _brand(cat, partner_id)
    band = PreparedBand.of(maker.band(brand))
    plays = kit_plays(cat, shared.partner_edition, partner_id)
    dests = kit_destinations(shared.partner_edition, shared.public_edition, plays)
    files: dict[str, bytes] = {}
    for play in plays:
        files[f"battlecards/{play}.pdf"] = shared.stampers[play].stamp(band)
        files[f"decks/{play}-enablement.pptx"] = cobrand.cobrand(shared.enablement[play], mark)
    for dest in dests:
        files[f"decks/{dest}-pitch.pptx"] = cobrand.cobrand(shared.pitches[dest], mark)
    files.update(logo_files(cat, partner_id))
    index = shared.indexes.get(partner_id)
    if index is None:
        index = kit_index(shared, partner_id, plays, dests, sorted(files))
    files["index.html"] = index
    manifest = Manifest.of(sorted(files.items()), as_of=cat.as_of, revision=shared.revision)
    files["manifest.json"] = manifest.to_json()
    return [(f"{partner_id}/{name}", data) for name, data in sorted(files.items())]


def logo_files(cat: Catalog, partner_id: str) -> dict[str, bytes]:
    """The kit's logo files: the PNGs salesplay made, never the author's files."""
    # an SVG may hold scripts: only the PNG the check rasterised ships
    files = {}
    partner = cat.partners[partner_id]
    if partner.logo and partner.logo in cat.images:
        files["assets/partner-logo.png"] = cat.images[partner.logo].png
    company_logo = cat.config.company.logo
    if company_logo and company_logo in cat.images:
        files["assets/company-logo.png"] = cat.images[company_logo].png
    return files


def member_names(
    cat: Catalog, partner_id: str, plays: Sequence[str], dests: Sequence[str]
) -> list[str]:
    """The kit's files other than index.html and manifest.json, as the index lists them."""
    names = [f"battlecards/{p}.pdf" for p in plays] + [f"decks/{p}-enablement.pptx" for p in plays]
    names += [f"decks/{d}-pitch.pptx" for d in dests]
    return sorted(names + list(logo_files(cat, partner_id)))


def kit_index(
    shared: KitShared, partner_id: str, plays: Sequence[str], dests: Sequence[str],
    names: Sequence[str],
) -> bytes:  # fmt: skip
    """The kit's offline index page."""
    return render(
        shared.env,
        "kit_index.html",
        edition=shared.partner_edition,
        public=shared.public_edition,
        partner=shared.cat.partners[partner_id],
        partner_id=partner_id,
        plays=list(plays),
        destinations=list(dests),
        files=list(names),
        brand_css=html.brand_css(shared.partner_edition.brand),
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

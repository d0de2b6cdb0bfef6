"""Partner kits: render each play once for partners, then co-brand and zip per partner."""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from salesplay import cobrand
from salesplay.build import BuildFault
from salesplay.diagnostics import Location
from salesplay.render import decks, html
from salesplay.render.pdf import PdfError, RenderJob, render_many
from salesplay.render.pptx_deck import DeckError
from salesplay.render.stamp import BandMaker, Brand, PreparedBand, Stamper
from salesplay.render.templates import THEME_DIR, TemplateFault, render, template_dirs
from salesplay.resolve import Catalog
from salesplay.views import Edition
from salesplay.write import Manifest, deterministic_zip, git_revision, write_atomic

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
    png, size = cobrand.logo_png(logo) if logo else (None, (0, 0))
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
    partner = cat.partners[partner_id]
    if partner.logo and partner.logo in cat.assets:
        files[f"assets/partner-logo{Path(partner.logo).suffix.lower()}"] = cat.assets[
            partner.logo
        ].read_bytes()
    company_logo = cat.config.company.logo
    if company_logo and company_logo in cat.assets:
        files[f"assets/company-logo{Path(company_logo).suffix.lower()}"] = cat.assets[
            company_logo
        ].read_bytes()
    files["index.html"] = render(
        shared.env,
        "kit_index.html",
        edition=shared.partner_edition,
        public=shared.public_edition,
        partner=partner,
        partner_id=partner_id,
        plays=plays,
        destinations=dests,
        files=sorted(files),
        brand_css=html.brand_css(shared.partner_edition.brand),
    ).encode()
    manifest = Manifest.of(sorted(files.items()), as_of=cat.as_of, revision=shared.revision)
    files["manifest.json"] = manifest.to_json()
    return [(f"{partner_id}/{name}", data) for name, data in sorted(files.items())]


def build_kits(shared: KitShared, partners: Sequence[str], jobs: int) -> Iterator[str]:
    """Build and write each kit as it is made, yielding partner ids (memory stays flat).

    A template or PDF fault in any kit stops the run with a located BuildFault.
    """
    if jobs <= 1 or len(partners) < 4:
        for partner_id in partners:
            try:
                yield _one(shared, partner_id)
            except (TemplateFault, PdfError, OSError) as exc:
                raise BuildFault.of(exc, Path(f"kits/{partner_id}.zip")) from None
        return
    ctx = multiprocessing.get_context("fork")
    sys.stderr.flush()
    with ctx.Pool(jobs, initializer=_adopt, initargs=(shared,)) as pool:
        for partner_id, failure in pool.imap(_one_in_worker, partners, chunksize=4):
            if failure is not None:
                _raise(failure)
            yield partner_id


#: What a worker sends back instead of an exception (exceptions whose __init__ takes more
#: than a message cannot be unpickled, and the pool would then wait forever):
#: ("fault", file, line, col, message) for a located fault, ("error", text) for a bug.
Failure = tuple[str, ...] | tuple[str, str, int, int, str]


def _raise(failure: Failure) -> None:
    if failure[0] == "fault":
        _, file, line, col, message = failure
        raise BuildFault(Location(Path(str(file)), int(line), int(col)), str(message))
    raise RuntimeError(f"a kit worker failed: {failure[1]}")


def _one(shared: KitShared, partner_id: str) -> str:
    data = deterministic_zip(kit_members(shared, partner_id), date=shared.cat.as_of)
    write_atomic(shared.out / "kits" / f"{partner_id}.zip", data)
    return partner_id


#: The forked worker's copy of KitShared, set once by the pool initializer: forked
#: workers inherit it without pickling (Jinja environments and MBs of PDFs stay put).
_WORKER: dict[str, KitShared] = {}


def _adopt(shared: KitShared) -> None:
    _WORKER["shared"] = shared


def _one_in_worker(partner_id: str) -> tuple[str, Failure | None]:
    try:
        return _one(_WORKER["shared"], partner_id), None
    except (TemplateFault, PdfError, OSError) as exc:
        fault = BuildFault.of(exc, Path(f"kits/{partner_id}.zip"))
        loc = fault.loc
        return partner_id, ("fault", str(loc.file), loc.line, loc.col, str(fault))
    except Exception as exc:  # sent back as text: it might not unpickle
        return partner_id, ("error", "".join(traceback.format_exception(exc)))

"""One partner kit: its tier's cards and decks co-branded for the partner, indexed and zipped.

A kit has two parts, each in its own folder. `for-your-team/` is enablement for the partner's
own sellers (partner edition: battlecards, competitor cards, enablement decks), every page and
slide marked "For the sellers of <partner> — not for customers" with the vendor's channel contact.
`for-your-customers/` is what they may hand to a customer (public edition: a one-page brief
per play, the destination pitch decks), "Presented by <partner>" with its logo and contact.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing.util
import os
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import jinja2

from salesplay import cobrand, jsonfile, kitnames
from salesplay.diagnostics import Diagnostic, Location
from salesplay.diff import SECTIONS, Change, by_kind
from salesplay.engine.records import key_of
from salesplay.faults import BuildFault
from salesplay.images import Checked
from salesplay.labels import N_, Labels, band_wording, channel_contact_lines
from salesplay.render import html
from salesplay.render.archive import (
    MAX_EXTRA_DATA,
    Archive,
    Kept,
    KeptMembers,
    Summed,
    deterministic_zip,
    extra_field,
)
from salesplay.render.band import KIT_PAGE_WIDTH_PT, BandFonts, BandMaker, Brand
from salesplay.render.pdf import PdfError
from salesplay.render.stamp import PreparedBand, Stamper
from salesplay.render.templates import TemplateFault, render
from salesplay.resolve import Catalog
from salesplay.views import ContactView, Edition, KitView, PartnerView
from salesplay.write import Manifest, open_output, sha256_bytes

A4_WIDTH_PT = KIT_PAGE_WIDTH_PT
# where each file lives in a kit: kitnames' answer (which check reads without this module)
TEAM, CUSTOMERS, WHATS_NEW = kitnames.TEAM, kitnames.CUSTOMERS, kitnames.WHATS_NEW
card_name, enablement_name = kitnames.card_name, kitnames.enablement_name
competitor_name, brief_name = kitnames.competitor_name, kitnames.brief_name
pitch_name, folder_of = kitnames.pitch_name, kitnames.folder_of
#: each part's folder → the audience its files are made for (the canary scan reads it);
#: the index, logos and manifest beside them are the partner's (audience of the kit)
PARTS: dict[str, str] = {TEAM: "partner", CUSTOMERS: "public"}
#: how whats-new.html records the revision its changes are counted from (read back next build)
#: ("<commit>@<day>": the day the previous kit judged staleness at, see previous_since)
SINCE_META = re.compile(
    rb'<meta name="salesplay-since" content="(-|[0-9a-f]{0,64}(?:-dirty)?(?:@\d{4}-\d\d-\d\d)?)">'
)
_DAY = re.compile(r"\d{4}-\d\d-\d\d")
#: what a kit tells changes since when its previous kit has no revision (built outside git)
NO_HISTORY = "-"


#: a kit member made once per tier: (tier, play or destination id).
Member = tuple[str, str]


T = TypeVar("T")


class Lazy(Generic[T]):
    """A value made on first use, once per process: a kit that copies a member from its
    previous kit never parses that member's card or co-brand base (a forked worker
    inherits what its parent made before the fork)."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._value: T | None = None

    @classmethod
    def of(cls, value: T) -> Lazy[T]:
        """A value already made."""
        return cls(lambda: value)

    def get(self) -> T:
        if self._make is not None:
            self._value, self._make = self._make(), None
        return self._value  # type: ignore[return-value]


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
    #: the kits' language and the catalog's source language (see folder_of)
    locale: str = ""
    source_locale: str = ""
    stampers: dict[Member, Lazy[Stamper]] = field(default_factory=dict)  # (tier, play) → card
    #: (tier, play) → the play's one-page customer brief (public edition), parsed for stamping
    briefs: dict[Member, Lazy[Stamper]] = field(default_factory=dict)
    #: (tier, competitor) → the tier's competitor card, parsed for stamping
    competitor_cards: dict[Member, Lazy[Stamper]] = field(default_factory=dict)
    #: (tier, play) → the enablement deck's co-brand base; (tier, destination) → the pitch's
    enablement: dict[Member, Lazy[cobrand.DeckBase]] = field(default_factory=dict)
    pitches: dict[Member, Lazy[cobrand.DeckBase]] = field(default_factory=dict)
    makers: dict[int, BandMaker] = field(default_factory=dict)  # per process id, made lazily
    #: partner bands: read from the cache or laid out by WeasyPrint (other scripts, right to
    #: left) before the kits are made (see families/kits.py), or drawn while making a kit
    bands: dict[Brand, bytes] = field(default_factory=dict)
    #: SVG logos laid out for drawn bands (BandMaker.logo_page), by BandMaker.logo_id: read
    #: from the cache or made before the kits (see families/kits.py)
    logo_pages: dict[str, bytes] = field(default_factory=dict)
    #: bands ready to stamp, as read from the cache (PreparedBand.dump), and as this process
    #: has them (see prepared_band)
    prepared_dumps: dict[Brand, bytes] = field(default_factory=dict)
    prepared: dict[Brand, PreparedBand] = field(default_factory=dict)
    #: brand → the key of what its band is made from (band_key)
    band_keys: dict[Brand, str] = field(default_factory=dict)
    #: (member kind, member) → the key of the unit that made the member's card or deck
    sources: dict[tuple[str, Member], str] = field(default_factory=dict)
    #: the band's fonts, loaded (and their common subset made) once in the parent
    band_fonts: BandFonts | None = None
    indexes: dict[str, bytes] = field(default_factory=dict)  # partner → index.html, if made
    #: partner → the revision its whats-new tells changes since ("" for a first kit)
    since: dict[str, str] = field(default_factory=dict)
    #: (tier, since) → the tier's changes since (None: history not available), found once per
    #: distinct pair (not per partner); each partner's page is a small render of them
    whats_new: dict[Member, list[Change] | None] = field(default_factory=dict)
    #: (tier, since) → whats-new.pdf, parsed for stamping
    whats_new_pdf: dict[Member, Lazy[Stamper]] = field(default_factory=dict)
    #: partner → the key of its whats-new in `whats_new` and `whats_new_pdf`: (tier, since),
    #: or (tier, "<since>-from-<tier then>") for a partner whose tier was another then (its
    #: news compare the kit it had with the kit it has)
    news_key: dict[str, Member] = field(default_factory=dict)
    #: tier → the warnings its members were made with (a customer brief past its page),
    #: kept with the record of each of its kits
    warned: dict[str, tuple[Diagnostic, ...]] = field(default_factory=dict)


def partner_of(partner_edition: Edition, partner_id: str) -> PartnerView:
    """The partner as the partner edition holds it."""
    return partner_edition.partners[partner_id]


def kit_of(partner_edition: Edition, partner_id: str) -> KitView:
    """What the partner's tier receives, and the editions its members are made from."""
    return partner_edition.kits[partner_of(partner_edition, partner_id).tier]


def channel_lines(
    company: str, channel: ContactView | None, labels: Labels | None = None
) -> tuple[str, ...]:
    """The vendor's channel contact as a team band and deck print it (none: nothing)."""
    return channel_contact_lines(company, channel.lines if channel else (), labels)


#: the words around a partner's name on each part of its kit ("%(partner)s" is the name)
@dataclass(frozen=True)
class Marks:
    """How one partner marks each part of its kit: bands for PDF pages, marks for decks."""

    team_band: Brand
    customer_band: Brand
    team_deck: cobrand.PartnerMark
    customer_deck: cobrand.PartnerMark


def brand_of(shared: KitShared, partner_id: str) -> Marks:
    """The partner's bands and deck marks: the team part carries the vendor's channel
    contact, the customer part the partner's own contact (and nothing else does)."""
    partner = partner_of(shared.partner_edition, partner_id)
    cat = shared.cat
    colour = shared.partner_edition.brand.primary
    own = partner.contact.lines if partner.contact else ()
    labels = shared.partner_edition.labels
    channel = channel_lines(shared.partner_edition.company.name, partner.channel, labels)
    logo = cat.assets.get(partner.logo) if partner.logo else None
    # the PNG check decoded once (bounded, SVG rasterised safely): no second decode per partner
    image = cat.images.get(partner.logo) if partner.logo else None
    png, size = (image.png, image.png_size) if image else (None, (0, 0))
    # the band reads in the kit's language and direction
    look = {"direction": labels.direction, "lang": labels.lang}
    return Marks(
        Brand(partner.name, logo, channel, colour, *band_wording(labels, "team"), **look),
        Brand(partner.name, logo, own, colour, *band_wording(labels, "customer"), **look),
        cobrand.PartnerMark(partner.name, _unbroken_numbers(" · ".join(channel)), png, size),
        cobrand.PartnerMark(partner.name, _unbroken_numbers(" · ".join(own)), png, size),
    )


#: a space between two parts of a number ("+1 555 0199"): a deck's text box wraps at it
_NUMBER_SPACE = re.compile(r"(?<=[\d+)]) (?=[\d(])")


def _unbroken_numbers(text: str) -> str:
    """`text` with no-break spaces inside its numbers, so that a deck's band never shows "+1"
    at one line's end and "555 0199" on the next (PowerPoint wraps at any space)."""
    return _NUMBER_SPACE.sub("\u00a0", text)


def band_maker(shared: KitShared) -> BandMaker:
    """This process's band maker (the parent's, or a forked worker's own)."""
    cat = shared.cat
    maker = shared.makers.get(os.getpid())
    if maker is None:
        maker = BandMaker(
            roots=(cat.root / "assets",),
            as_of=cat.as_of,
            width_pt=A4_WIDTH_PT,
            height_pt=60.0,
            fonts=shared.band_fonts,
            logo_pages=shared.logo_pages,
        )
        shared.makers[os.getpid()] = maker
        # pool workers never run __del__: close (free the font files) at process exit
        multiprocessing.util.Finalize(maker, maker.close, exitpriority=10)
    return maker


def band_of(shared: KitShared, brand: Brand) -> bytes:
    """The band of `brand`: as prepared for the build (kept between builds), else drawn
    (and kept in this process, for the kit's band file)."""
    band = shared.bands.get(brand)
    if band is None:
        band = shared.bands[brand] = band_maker(shared).band(brand)
    return band


@dataclass(frozen=True)
class Previous:
    """A partner's previous kit: its bytes or map, and whether it is the very file the last
    build wrote (size and mtime as recorded; its members' CRCs are then not computed again,
    as the no-change path trusts every output so)."""

    data: Archive
    written: bool = False


class _Reuse:
    """The members of a partner's previous kit that are still what this kit would hold.

    Every stamped or co-branded member is named, with the key of what it was made from
    (the member's own key, and the band's or deck mark's), in an extra field of the central
    directory record of the kit's manifest.json (KEYS_FIELD); a member whose key is
    unchanged is copied from the previous kit instead of being made again (a play edit
    re-stamps hundreds of kits, each of which changes in one or two members). It
    is copied as stored, with the CRC and the manifest's sha256 the previous kit gave it,
    once its CRC is checked (see Previous.written). A missing, unreadable or foreign
    previous kit means making every member, as does one whose keys are in its zip comment
    (a salesplay before KEYS_FIELD): its keys were made by other code (key_of names
    salesplay's code), so none would match.
    """

    def __init__(self, previous: Previous | None, folder: str) -> None:
        self.keys: dict[str, str] = {}  # member name → its key, for this kit's field
        self.kept: KeptMembers | None = None
        self.old: dict[str, str] = {}
        self.folder = folder  # the kit's folder, which the member names start with
        self._hashes: dict[str, str] | None = None
        #: member name → the sha256 a member made with its sums came with (Summed)
        self._made: dict[str, str] = {}
        if previous is None:
            return
        kept = KeptMembers.of(previous.data, checked=not previous.written)
        if kept is None:
            return
        data = kept.extra_field(f"{folder}/{MANIFEST}", KEYS_FIELD)
        try:
            found = jsonfile.loads(data.decode("utf-8")) if data else {}
        except (ValueError, UnicodeDecodeError):
            return
        old = found.get(REUSE_FORMAT) if isinstance(found, dict) else None
        if isinstance(old, dict) and all(isinstance(v, str) for v in old.values()):
            self.kept, self.old = kept, old

    def member(
        self, name: str, parts: tuple[object, ...], make: Callable[[], bytes | Summed]
    ) -> bytes | Kept:
        """The bytes of member `name` (under the kit's folder), made from `parts`; a member
        made with its sums is zipped and listed with them, not checksummed again."""
        key = key_of("kit-member", *parts)[:32]
        self.keys[name] = key
        if self.kept is not None and self.old.get(name) == key:
            kept = self.kept.get(name)
            if kept is not None:
                return kept
            with contextlib.suppress(KeyError, ValueError, zipfile.BadZipFile, OSError):
                return self.kept.read(name)  # not stored: the CRC is checked on reading
        made = make()
        if isinstance(made, Summed):
            self._made[name] = made.sha256
            return Kept(made.data, made.crc)
        return made

    def sha256(self, name: str, data: bytes | Kept) -> str:
        """The sha256 of member `name` (relative to the kit's folder) for the manifest: as
        the previous kit's manifest gave it when the member was copied from that kit, as it
        was made with when it was made with its sums."""
        made = self._made.get(f"{self.folder}/{name}")
        if made is not None:
            return made
        if isinstance(data, Kept):
            known = self.hashes().get(name)
            if known is not None:
                return known
            return sha256_bytes(data.data)
        return sha256_bytes(data)

    def hashes(self) -> dict[str, str]:
        if self._hashes is None:
            self._hashes = {}
            with contextlib.suppress(KeyError, ValueError, zipfile.BadZipFile, OSError):
                if self.kept is not None:
                    found = jsonfile.loads(self.kept.read(f"{self.folder}/{MANIFEST}"))
                    files = found.get("files") if isinstance(found, dict) else None
                    if isinstance(files, dict):
                        self._hashes = {
                            k: v
                            for k, v in files.items()
                            if isinstance(k, str) and isinstance(v, str) and len(v) == 64
                        }
        return self._hashes

    def central_extra(self) -> dict[str, bytes]:
        """The kit's extra fields by member: its keys, on its manifest's central record."""
        text = json.dumps({REUSE_FORMAT: self.keys}, sort_keys=True, separators=(",", ":"))
        data = text.encode("utf-8")
        # a kit too large to name its members makes them all again next time
        if len(data) > MAX_EXTRA_DATA:
            return {}
        return {f"{self.folder}/{MANIFEST}": extra_field(KEYS_FIELD, data)}


#: the key of the JSON object that names each member's key (its format's version).
REUSE_FORMAT = "salesplay-kit-members-1"
#: the header id of the extra field that holds a kit's member keys: "SP" as the bytes
#: read, an id neither PKWARE's APPNOTE (4.5, 4.6) nor Info-ZIP's extrafld.txt assigns.
#: On the manifest's central-directory record, not in the zip comment, which WinRAR,
#: 7-Zip and Archive Utility show the partner; every zip reader skips a field it does
#: not know, and a copy of the kit carries it (unlike a file beside it, which could pair
#: with another kit).
KEYS_FIELD = 0x5053
#: the kit's own manifest (sha256 of every file), whose record carries KEYS_FIELD
MANIFEST = "manifest.json"


class _Band:
    """A partner band, drawn and prepared only when a member is stamped with it."""

    def __init__(self, shared: KitShared, brand: Brand) -> None:
        self.shared, self.brand = shared, brand
        self.key = band_key(shared, brand)
        self._prepared: PreparedBand | None = None

    def prepared(self) -> PreparedBand:
        if self._prepared is None:
            self._prepared = prepared_band(self.shared, self.brand)
        return self._prepared


def band_key(shared: KitShared, brand: Brand) -> str:
    """The key of what the band of `brand` is made from (BandMaker.parts: it reads and
    hashes the logo), found once: the parent finds the stale kits' before forking."""
    key = shared.band_keys.get(brand)
    if key is None:
        key = shared.band_keys[brand] = key_of(*band_maker(shared).parts(brand))
    return key


def prepared_band(shared: KitShared, brand: Brand) -> PreparedBand:
    """The band of `brand` ready to stamp: as kept between builds (`prepared_dumps`), else
    parsed from the band (~2 ms); kept in this process, for the kit's band file."""
    found = shared.prepared.get(brand)
    if found is None:
        dump = shared.prepared_dumps.get(brand)
        with contextlib.suppress(ValueError):
            found = PreparedBand.load(dump) if dump is not None else None
        if found is None:
            found = PreparedBand.of(band_of(shared, brand))
        shared.prepared[brand] = found
    return found


def _mark_key(mark: cobrand.PartnerMark) -> str:
    return key_of("deck-mark", mark.name, mark.contact, mark.logo_digest, mark.logo_size)


def kit_members(
    shared: KitShared, partner_id: str, previous: Previous | None = None
) -> tuple[list[tuple[str, bytes | Kept]], dict[str, bytes]]:
    """Every file of one partner's kit, under the folder `<partner>/`, and the extra fields
    of its central directory (the member keys, see _Reuse); members unchanged since the
    `previous` kit are taken from it."""
    cat = shared.cat
    folder = kit_folder(shared, partner_id)
    reuse = _Reuse(previous, folder)
    marks = brand_of(shared, partner_id)
    team = _Band(shared, marks.team_band)
    partner = partner_of(shared.partner_edition, partner_id)
    tier = partner.tier
    files: dict[str, bytes | Kept] = {}
    mark_keys: dict[cobrand.PartnerMark, str] = {}

    def stamped(name: str, what: str, member: Member, stamper: Lazy[Stamper], band: _Band) -> None:
        source = shared.sources[(what, member)]
        files[name] = reuse.member(
            f"{folder}/{name}",
            (source, band.key),
            lambda: stamper.get().stamp_summed(band.prepared()),
        )

    def cobranded(
        name: str,
        what: str,
        member: Member,
        base: Lazy[cobrand.DeckBase],
        mark: cobrand.PartnerMark,
    ) -> None:
        key = mark_keys.get(mark)
        if key is None:
            key = mark_keys[mark] = _mark_key(mark)  # once a mark: a kit's decks share two
        source = shared.sources[(what, member)]
        files[name] = reuse.member(
            f"{folder}/{name}", (source, key), lambda: cobrand.cobrand(base.get(), mark)
        )

    for play in partner.plays:
        member = (tier, play)
        stamped(card_name(play), "card", member, shared.stampers[member], team)
        cobranded(
            enablement_name(play),
            "enablement",
            member,
            shared.enablement[member],
            marks.team_deck,
        )
    since = shared.since.get(partner_id, "")
    news = shared.news_key.get(partner_id, (tier, since))
    files[f"{TEAM}/{WHATS_NEW}.html"] = whats_new_page(
        shared.env, kit_of(shared.partner_edition, partner_id), since, shared.whats_new[news],
        shared.revision, partner,
    ).encode()  # fmt: skip
    stamped(f"{TEAM}/{WHATS_NEW}.pdf", "whats-new", news, shared.whats_new_pdf[news], team)
    for cid in competitors_of(shared, partner_id):
        member = (tier, cid)
        name = competitor_name(cid)
        stamped(name, "competitor", member, shared.competitor_cards[member], team)
    briefs = briefs_of(shared, partner_id)
    if briefs:
        customer = _Band(shared, marks.customer_band)
        for play in briefs:
            member = (tier, play)
            name = brief_name(play)
            stamped(name, "brief", member, shared.briefs[member], customer)
    for dest in partner.destinations:
        member = (tier, dest)
        name = pitch_name(dest)
        cobranded(name, "pitch", member, shared.pitches[member], marks.customer_deck)
    files.update(logo_files(shared, partner_id))
    index = shared.indexes.get(partner_id)
    if index is None:
        index = kit_index(shared, partner_id, sorted(files))
    files["index.html"] = index
    hashes = {name: reuse.sha256(name, data) for name, data in sorted(files.items())}
    manifest = Manifest(cat.as_of.isoformat(), shared.revision, hashes)
    files[MANIFEST] = manifest.to_json()
    members = [(f"{folder}/{name}", data) for name, data in sorted(files.items())]
    return members, reuse.central_extra()


def logo_files(shared: KitShared, partner_id: str) -> dict[str, bytes]:
    """The kit's logo files: the PNGs salesplay made, never the author's files."""
    return {name: image.png for name, image in _logos(shared, partner_id).items()}


def logo_digests(shared: KitShared, partner_id: str) -> list[str]:
    """The digests of the kit's logo files (logo_files), in their order: a kit's key part."""
    return [image.digest for image in _logos(shared, partner_id).values()]


def _logos(shared: KitShared, partner_id: str) -> dict[str, Checked]:
    # an SVG may hold scripts: only the PNG the check rasterised ships
    found = shared.cat.images
    logos = {}
    partner = partner_of(shared.partner_edition, partner_id)
    if partner.logo and partner.logo in found:
        logos["assets/partner-logo.png"] = found[partner.logo]
    company_logo = shared.partner_edition.company.logo
    if company_logo and company_logo in found:
        logos["assets/company-logo.png"] = found[company_logo]
    return logos


def competitors_of(shared: KitShared, partner_id: str) -> tuple[str, ...]:
    """The competitors whose cards a partner's kit holds (its tier's, decided once)."""
    return kit_of(shared.partner_edition, partner_id).competitors


def briefs_of(shared: KitShared, partner_id: str) -> tuple[str, ...]:
    """The plays whose customer brief a partner's kit holds (its tier's, decided once)."""
    return kit_of(shared.partner_edition, partner_id).briefs


def member_names(shared: KitShared, partner_id: str) -> list[str]:
    """The kit's files other than index.html and manifest.json, as the index lists them."""
    partner = partner_of(shared.partner_edition, partner_id)
    names = [card_name(p) for p in partner.plays]
    names += [competitor_name(c) for c in competitors_of(shared, partner_id)]
    names += [enablement_name(p) for p in partner.plays]
    names += [f"{TEAM}/{WHATS_NEW}.html", f"{TEAM}/{WHATS_NEW}.pdf"]
    names += [brief_name(p) for p in briefs_of(shared, partner_id)]
    names += [pitch_name(d) for d in partner.destinations]
    return sorted(names + list(logo_files(shared, partner_id)))


def member_audience(name: str) -> str:
    """The audience a kit member (`<partner>/<part>/…` or `<part>/…`) is made for."""
    parts = name.split("/")
    for part in parts[:2]:
        if part in PARTS:
            return PARTS[part]
    return "partner"


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
        briefs=kit.briefs,
        destinations=list(partner.destinations),
        competitors=kit.competitors,
        channel=partner.channel,
        team=TEAM,
        customers=CUSTOMERS,
        files=list(names),
        brand_css=html.brand_css(kit.cards.brand),
    ).encode()


#: the footer's edition words on a customer brief (translated in the page, as a label)
BRIEF_LABEL = N_("For customers")


def customer_brief(
    env: jinja2.Environment, edition: Edition, play_id: str, links: html.Links
) -> str:
    """The one-page customer brief of a play (template `customer_brief.html`), from a kit's
    public edition: what a partner may hand a customer."""
    return render(
        env,
        "customer_brief.html",
        play=edition.plays[play_id],
        edition=edition,
        company=edition.company,
        links=links,
        medium="print",
        as_of=edition.as_of,
        # the page number and footer in the kit's language, as every other page's
        brand_css=html.brand_css(edition.brand) + html.page_css(edition.labels),
        edition_label=BRIEF_LABEL,
    )


def _kit_zip(shared: KitShared, partner_id: str, previous: Previous | None) -> bytes:
    members, extra = kit_members(shared, partner_id, previous)
    # no zip comment: archive tools show it to the partner (the keys are in `extra`)
    return deterministic_zip(members, date=shared.cat.as_of, central_extra=extra, stored=_stored)


def _stored(_name: str) -> bool:
    # Every member stored: a kit is its PDFs and decks (compressed already) but for three
    # pages of text (index, manifest, what's new, ~1 % of its bytes), and deflating those
    # cost a tenth of a re-made kit's time (0.4 ms of 4.4), paid by every kit a play edit
    # makes again
    return True


def kit_zip(shared: KitShared, partner_id: str, previous: Previous | None = None) -> bytes:
    """One partner's kit as zip bytes, reusing what is unchanged of its `previous` kit;
    any fault is a BuildFault located at the kit."""
    try:
        return _kit_zip(shared, partner_id, previous)
    except BuildFault:
        raise
    except (TemplateFault, PdfError, OSError) as exc:
        raise BuildFault.of(exc, Path(f"kits/{partner_id}.zip")) from None
    except Exception as exc:
        # a kit fault is never an "internal error" with a worker's traceback
        where = Location(Path(f"kits/{partner_id}.zip"), 0, 0)
        raise BuildFault(where, f"cannot make the kit: {type(exc).__name__}: {exc}") from None


# --- what's new since the partner's previous kit ------------------------------------------------


def kit_folder(shared: KitShared, partner_id: str) -> str:
    """The folder of `partner_id`'s kit made from `shared` (see folder_of)."""
    return folder_of(partner_id, shared.locale, shared.source_locale)


def previous_since(
    out: Path, partner_id: str, revision: str | None, rel: str = "", folder: str = ""
) -> str:
    """The revision a partner's new kit tells changes since ("" for a first kit): the
    revision its previous kit (build/kits/<partner>.zip) was built from, with the day that
    kit judged staleness at ("<commit>@2026-12-01"), so that the catalog then is read as
    that kit was made; when that is the revision being built, the one that kit counted from
    (so a rebuild keeps its news). A previous kit made from uncommitted work ("-dirty") held
    what git cannot give back: its news count from where its own did, or, for a first kit,
    are not available. A missing or unreadable previous kit means a first kit; outside git,
    or after a kit built outside git, NO_HISTORY ("history not available"). `rel` is where
    the previous kit lives when not kits/<partner>.zip (a kit of another locale), `folder`
    the folder it unpacks to when not the partner's id (folder_of)."""
    if revision is None:
        # outside git there is no history to tell (and no revision to tell a kit by)
        return NO_HISTORY
    dirty = False
    try:
        # only the zip's directory, manifest and what's-new page are read, not the whole kit
        with open_output(out, rel or f"kits/{partner_id}.zip") as file, zipfile.ZipFile(file) as zf:
            top = folder or partner_id
            if f"{top}/manifest.json" not in zf.namelist():
                top = partner_id  # a kit of a salesplay before folder_of: its news go on
            manifest = jsonfile.loads(zf.read(f"{top}/manifest.json"))
            before = manifest.get("revision") if isinstance(manifest, dict) else None
            if not isinstance(before, str) or not before:
                return NO_HISTORY  # built outside git: what changed since is not known
            if before != revision:
                day = manifest.get("as_of")
                if not before.endswith("-dirty"):
                    dated = isinstance(day, str) and _DAY.fullmatch(day)
                    return f"{before}@{day}" if dated else before
                # the committed catalog is not what that kit was made from: reading it would
                # name plays, tiers and claims the partner never had
                dirty = True
            page = zf.read(f"{top}/{TEAM}/{WHATS_NEW}.html")
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, RuntimeError):
        return ""
    found = SINCE_META.search(page)
    since = found.group(1).decode() if found else ""
    if since.partition("@")[0].endswith("-dirty") or (dirty and not since):
        return NO_HISTORY  # (a kit of an older salesplay counted from uncommitted work)
    return since


def whats_new_page(
    env: jinja2.Environment,
    kit: KitView,
    since: str,
    changes: Sequence[Change] | None,
    revision: str | None,
    partner: PartnerView | None = None,
    fonts_css: str | None = None,
) -> str:
    """A tier's whats-new page (template `whats_new.html`): the changes of its kit edition
    since `since` ("" for a first kit; `changes` None when history is not available).
    `fonts_css` is the theme's fonts.css for the PDF: a PDF names every font it uses, never
    one an earlier document in the same process happened to load.

    With a partner, the kit's HTML page, marked for its sellers; without, the page of the
    tier's PDF (made once per tier and since, and marked by the team band stamped on it).
    """
    edition = kit.cards
    return render(
        env,
        "whats_new.html",
        edition=edition,
        company=edition.company,
        partner=partner,
        channel=channel_lines(edition.company.name, partner.channel, edition.labels)
        if partner
        else (),
        since=since,
        since_short=since[:12],
        revision=revision,
        sections=[(SECTIONS[k], found) for k, found in by_kind(changes or ()).items()],
        available=changes is not None,
        as_of=edition.as_of,
        brand_css=html.brand_css(edition.brand),
        fonts_css=fonts_css,
    )

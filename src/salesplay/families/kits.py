"""Partner kits: one zip per partner, its tier's plays co-branded, remade only when it changed.

A kit has two parts (kits.py): for the partner's team (partner cards, competitor cards,
enablement decks, from the tier's partner edition) and for its customers (one-page customer
briefs and destination pitch decks, from the tier's public edition).

What a kit holds is the partner edition's answer (its partner view and tier kit); cards and
decks are made once per tier from that tier's kit edition, so a path step never names a
play outside the kit. A kit's key names everything in it: the partner cards and decks it
stamps (by their own keys), the partner's view, brand and logo, what its index page reads
(the tier's editions, the templates), the as-of date and the revision. Partner cards and
decks, the band fonts' cuts and each deck's co-brand base are cached under .salesplay/cache/
by key (checked blobs, never unpickled), so a kit whose partner alone changed is re-stamped
without rendering, subsetting or re-parsing anything.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path

from salesplay import cobrand, kits
from salesplay.cachefiles import BLOBS as _BLOBS
from salesplay.cachefiles import CACHE as CACHE  # the kit cache's folder, named here too
from salesplay.cachefiles import blob_file as _blob_file
from salesplay.cachefiles import blobs_of as _blobs_of
from salesplay.cachefiles import read_blobs as _cached_blobs
from salesplay.cachefiles import stage_blobs as _stage_blobs
from salesplay.diagnostics import Diagnostic
from salesplay.engine.records import key_of
from salesplay.engine.units import Kept, Made, Unit, Workshop, largest_first
from salesplay.families import kitmembers, kitnews
from salesplay.families.base import Family, Row, Sources, page_count
from salesplay.faults import BuildFault
from salesplay.labels import band_wording
from salesplay.locales import localized_path
from salesplay.render.band import BandFonts, Brand
from salesplay.render.stamp import Stamper
from salesplay.render.templates import TemplateFault
from salesplay.write import git_revision, map_output

NAME = "kits"


def path_of(partner_id: str) -> str:
    """Where a partner's kit lives, relative to --out."""
    return f"kits/{partner_id}.zip"


@dataclass(eq=False)  # the kits' Preparation: one per locale, known by identity
class _Kits:
    """What the kits of one build share; filled in the parent before the workers fork.

    Members are made once per tier (a tier's kit edition names only that tier's plays);
    tiers whose member is byte-for-byte the same page or deck share one unit.
    """

    src: Sources
    shared: kits.KitShared
    #: plans one member (a reused plan's member whose cached bytes are gone is made again)
    planner: kitmembers.Members
    cards: dict[kits.Member, Unit] = field(default_factory=dict)  # (tier, play) → card
    enablement: dict[kits.Member, Unit] = field(default_factory=dict)  # (tier, play) → deck
    pitches: dict[kits.Member, Unit] = field(default_factory=dict)  # (tier, destination)
    competitors: dict[kits.Member, Unit] = field(default_factory=dict)  # (tier, competitor)
    briefs: dict[kits.Member, Unit] = field(default_factory=dict)  # (tier, play) → brief
    #: (tier, since) → the tier's whats-new PDF, one per distinct previous revision
    news: dict[kits.Member, Unit] = field(default_factory=dict)
    #: (tier, since) → the cache file of its changes (reading an old revision is slow)
    news_cache: dict[kits.Member, str] = field(default_factory=dict)
    #: the cache files of the partners' tiers at each previous revision (see kitnews)
    tiers_cache: set[str] = field(default_factory=set)
    # from `ahead` to `prepare`: the stale kits' tiers, the members' bytes found in the cache
    # (by unit key), the members, bands and logo pages made with the first stage, and what
    # each kit's band file holds
    _tiers: set[str] = field(default_factory=set, init=False)
    _cached: dict[str, bytes] = field(default_factory=dict, init=False)
    #: unit key → the warnings a PDF member was made with (past its page budget): from the
    #: page count kept beside its cache file, or as made with the first stage
    _warned: dict[str, tuple[Diagnostic, ...]] = field(default_factory=dict, init=False)
    _missing: list[Unit] = field(default_factory=list, init=False)
    _drawn: dict[Unit, Brand] = field(default_factory=dict, init=False)
    _laid_out: dict[Unit, str] = field(default_factory=dict, init=False)
    #: kit → what its band file is to hold (staged by the kit's make)
    _band_files: dict[str, _BandFile] = field(default_factory=dict, init=False)
    #: co-brand bases `prepare` had made on the workers: cache file → its blobs
    _made_bases: dict[str, list[bytes] | None] = field(default_factory=dict, init=False)
    #: the band fonts' cache files `ahead` made, kept by `prepare` once the build is whole:
    #: a build that stops leaves build/ as it was
    _unkept: list[tuple[str, list[bytes]]] = field(default_factory=list, init=False)
    #: the PDF members `ahead` will most likely make (see soon), found by `plan`
    _soon: list[Unit] = field(default_factory=list, init=False)

    def members(self, tiers: set[str]) -> list[tuple[str, kits.Member, Unit]]:
        """The cards and deck bases the kits of `tiers` stamp."""
        return (
            [("card", m, u) for m, u in sorted(self.cards.items()) if m[0] in tiers]
            + [("enablement", m, u) for m, u in sorted(self.enablement.items()) if m[0] in tiers]
            + [("pitch", m, u) for m, u in sorted(self.pitches.items()) if m[0] in tiers]
            + [("competitor", m, u) for m, u in sorted(self.competitors.items()) if m[0] in tiers]
            + [("brief", m, u) for m, u in sorted(self.briefs.items()) if m[0] in tiers]
            + [("whats-new", m, u) for m, u in sorted(self.news.items()) if m[0] in tiers]
        )

    def slot(self, what: str) -> dict[kits.Member, Unit]:
        """The members of one kind (kitmembers.MEMBER_KINDS) by (tier, id)."""
        return {
            "card": self.cards,
            "enablement": self.enablement,
            "pitch": self.pitches,
            "competitor": self.competitors,
            "brief": self.briefs,
        }[what]

    def ahead(self, stale: Sequence[Unit]) -> list[Unit]:
        """What the stale kits stamp that is not in the cache, to be made with the first
        stage (see Preparation): the bands that go through WeasyPrint, and the tiers' cards
        and deck bases. The band fonts are loaded here, in the parent, so that no worker
        loads them again; their cuts and common subsets are cached (making them: ~1.3 s)."""
        if self.shared.band_fonts is None:
            memo = functools.partial(_memo, self.src.out, self._unkept)
            self.shared.band_fonts = BandFonts.load_warmed(memo)
        bands = self._bands(stale)
        ped = self.shared.partner_edition
        self._tiers = {ped.partners[u.subject[1]].tier for u in stale if u.subject}
        self._cached = {}
        self._warned = {}
        missing: dict[str, Unit] = {}
        for what, member, unit in self.members(self._tiers):
            if unit.key in self._cached or unit.key in missing:
                continue
            data = _cached(self.src.out, unit)
            if data is None:
                missing[unit.key] = unit if unit.make is not None else self._remade(what, member)
                continue
            self._cached[unit.key] = data
            check = self.planner.check(what, member[1])
            pages = None if check is None else _kept_pages(self.src.out, unit)
            if check is not None and pages is not None:
                self._warned[unit.key] = check.judge(pages)
        self._missing = largest_first(list(missing.values()))
        return [*bands, *self._missing]

    def soon(self) -> list[Unit]:
        """The PDF members of the tiers of stale kits that are not in the cache (an edited
        play's partner cards): started while the other families are planned, on the
        standby that imported WeasyPrint (engine.early), before the first stage's other
        documents, which no kit waits for."""
        return self._soon

    def find_soon(self, stale_tiers: set[str]) -> None:
        """Find what `soon` names: a guess that costs a file's stat each, never a read
        (`ahead` reads the cache and decides)."""
        found: dict[str, Unit] = {}  # by key: tiers share a member that is the same page
        for what, _member, unit in self.members(stale_tiers):
            if what not in ("card", "competitor", "brief") or unit.make is None:
                continue
            if unit.key not in found and not os.path.lexists(self.src.out / _cache_name(unit)):
                found[unit.key] = unit
        self._soon = list(found.values())

    def warnings(self) -> tuple[Diagnostic, ...]:
        """The warnings of the members `ahead` found in the cache (a brief past its page)."""
        return tuple(w for found in self._warned.values() for w in found)

    def prepare(
        self,
        _stale: Sequence[Unit],
        made: Mapping[Unit, bytes],
        run: Callable[[Sequence[Unit]], Mapping[Unit, bytes]],
        warned: Mapping[Unit, tuple[Diagnostic, ...]],
    ) -> None:
        """Cards and deck bases the stale kits stamp, and their bands: from the cache, else
        as `ahead` had them made (`warned`: the warnings they were made with), and cached
        once the build is whole (Sources.keep: the kits take them from memory, and a kit's
        fault then leaves the cache as it was). The co-brand bases not in the cache (~0.1 s
        a deck: a cold build's tiers need dozens) are made on the workers, by `run`."""
        for name, blobs in self._unkept:
            self.src.keep_blobs(name, blobs)
        self._unkept.clear()
        for unit, brand in self._drawn.items():
            self.shared.bands[brand] = made[unit]
        for unit, logo_id in self._laid_out.items():
            self.shared.logo_pages[logo_id] = made[unit]
        for unit in self._missing:
            self._cached[unit.key] = made[unit]
            self.src.keep_blobs(_cache_name(unit), [made[unit]])
            if warned.get(unit):
                # past its budget: its page count is kept beside it, so that a later build
                # that reads it from the cache warns as this one does (a rare file)
                self._warned[unit.key] = warned[unit]
                self.src.keep(_pages_name(unit), b"%d\n" % page_count(made[unit]))
        made_by_key = self._cached
        wanted = self.members(self._tiers)
        by_tier: dict[str, list[Diagnostic]] = {}
        for _what, member, unit in wanted:
            by_tier.setdefault(member[0], []).extend(self._warned.get(unit.key, ()))
        # kept with each kit's record: said again while the kit is fresh, as a card's are
        self.shared.warned = {tier: tuple(dict.fromkeys(ws)) for tier, ws in by_tier.items()}
        stampers: dict[str, kits.Lazy[Stamper]] = {}
        bases: dict[tuple[str, cobrand.Part], kits.Lazy[cobrand.DeckBase]] = {}
        digests: dict[str, str] = {}  # unit key → digest of its bytes (tiers share units)
        todo: list[Unit] = []  # co-brand bases to make, each named by its cache file
        for what, member, unit in wanted:
            data = made_by_key[unit.key]
            if unit.key not in digests:
                digests[unit.key] = hashlib.sha256(data).hexdigest()
            digest = digests[unit.key]
            if what in ("card", "competitor", "brief", "whats-new"):
                # what a kit names it by among its member keys: its bytes, never a path
                self.shared.sources[(what, member)] = digest
                if unit.key not in stampers:
                    stampers[unit.key] = kits.Lazy(functools.partial(Stamper, data))
                pages = {
                    "card": self.shared.stampers,
                    "competitor": self.shared.competitor_cards,
                    "brief": self.shared.briefs,
                    "whats-new": self.shared.whats_new_pdf,
                }[what]
                pages[member] = stampers[unit.key]
                continue
            # an enablement deck is for the partner's team, a pitch for its customers
            part: cobrand.Part = "team" if what == "enablement" else "customer"
            # a co-branded deck is named by its deck's bytes and what its base is made with
            self.shared.sources[(what, member)] = key_of(
                "deck-base", digest, self._base_parts(part)
            )
            if (unit.key, part) not in bases:
                bases[(unit.key, part)] = self._deck_base(unit, data, digest, part, todo)
            target = self.shared.enablement if what == "enablement" else self.shared.pitches
            target[member] = bases[(unit.key, part)]
        if todo:
            for base, file in run(todo).items():
                self.src.keep(base.rel, file, durable=False)  # blobs
                self._made_bases[base.rel] = _blobs_of(base.rel, file)

    def make(self, partner_id: str, workshop: Workshop) -> Made:
        rel = localized_path(path_of(partner_id), self.src.locale, self.src.locales[0])
        previous: kits.Previous | None = None
        if not self.src.clean:
            # what is unchanged of the partner's previous kit is copied, not made again: it
            # is mapped, and only what is copied is touched (its CRC checked unless the file
            # is the one the last build wrote)
            with contextlib.suppress(OSError, ValueError):
                data, info = map_output(self.src.out, rel)
                records = None if self.src.plans is None else self.src.plans.records
                written = records is not None and records.written(rel, info)
                previous = kits.Previous(data, written)
        kit = kits.kit_zip(self.shared, partner_id, previous)
        self._keep_bands(rel, workshop)
        tier = self.shared.partner_edition.partners[partner_id].tier
        return kit, self.shared.warned.get(tier, ())

    def _keep_bands(self, kit_rel: str, workshop: Workshop) -> None:
        """Stage the kit's band file, unless it holds just what the kit has now of its
        bands: each band (read back, laid out ahead or drawn while making the kit) and the
        same band ready to stamp (PreparedBand.dump), and the pages of its SVG logos. On
        the worker that made the kit, beside the file under a temporary name that travels
        back with the kit (Kept.staged): the build renames it in once it is whole, so
        that a later kit's fault leaves the old file (its bytes never travel)."""
        wanted = self._band_files.get(kit_rel)
        if wanted is None:
            return
        shared = self.shared
        found: list[tuple[str, bytes | None]] = []
        for brand, key in wanted.bands:
            ready = shared.prepared.get(brand)
            dump = ready.dump() if ready is not None else shared.prepared_dumps.get(brand)
            found += [(key, shared.bands.get(brand)), (key + PREPARED, dump)]
        found += [(key, shared.logo_pages.get(logo_id)) for logo_id, key in wanted.logos]
        have = [(key, blob) for key, blob in found if blob is not None]
        if {key for key, _ in have} == wanted.kept:
            return  # a key names its blob's content: the file holds just these
        blobs = [part for key, blob in have for part in (key.encode(), blob)]
        temp = _stage_blobs(self.src.out, wanted.name, blobs)
        if temp is not None:
            workshop.keep(Kept("", (), frozenset(), ((wanted.name, temp),)))

    def _bands(self, stale: Sequence[Unit]) -> list[Unit]:
        """The bands of the stale kits, from each kit's band file in the cache (kept by the
        kit's make); else what they need made first (`ahead`), kept by `prepare`: the
        bands that go through WeasyPrint whole (scripts Inter lacks, right to left: ~0.3 s
        each), and the pages of the SVG logos of bands drawn in Inter (~0.1 s each). A
        band in Inter is drawn while its kit is made (~4 ms). So a play edit re-stamps
        hundreds of kits without drawing a band, and a partner's new contact redraws its
        bands without WeasyPrint."""
        maker = kits.band_maker(self.shared)
        todo: list[tuple[Brand, str]] = []
        pages: dict[str, tuple[str, Path]] = {}  # key → (id, logo) of a page to lay out
        self._band_files = {}
        for unit in stale:
            if not isinstance(unit.make, _KitMaker):
                continue
            pid = unit.make.partner_id
            marks = kits.brand_of(self.shared, pid)
            brands = [marks.team_band]
            brands += [marks.customer_band] if kits.briefs_of(self.shared, pid) else []
            name = band_name(unit.rel)
            blobs = _cached_blobs(self.src.out, name) or []
            pairs = zip(blobs[0::2], blobs[1::2], strict=True) if len(blobs) % 2 == 0 else ()
            kept = {k.decode("ascii", "replace"): band for k, band in pairs}
            bands = [(brand, kits.band_key(self.shared, brand)) for brand in brands]
            # both parts of a kit show one logo: it is read and hashed once
            svgs = dict.fromkeys(maker.svg_logo(b) for b, _ in bands)
            logos = [(maker.logo_id(svg), svg) for svg in svgs if svg is not None]
            logo_keys = [(logo_id, key_of("logo", logo_id)) for logo_id, _ in logos]
            for brand, key in bands:
                if key + PREPARED in kept:
                    self.shared.prepared_dumps[brand] = kept[key + PREPARED]
                if key in kept:
                    self.shared.bands[brand] = kept[key]
                elif not maker.drawable(brand) and brand not in self.shared.bands:
                    todo.append((brand, key))
            drawn_anew = any(key not in kept and maker.drawable(b) for b, key in bands)
            for (logo_id, svg), (_, key) in zip(logos, logo_keys, strict=True):
                if key in kept:
                    self.shared.logo_pages[logo_id] = kept[key]
                elif drawn_anew and logo_id not in self.shared.logo_pages:
                    pages[key] = (logo_id, svg)
            self._band_files[unit.rel] = _BandFile(
                name, tuple(bands), tuple(logo_keys), frozenset(kept)
            )
        shared = self.shared

        def drawn(brand: Brand) -> Callable[[Workshop], Made]:
            return lambda _workshop: (kits.band_maker(shared).band(brand), ())

        def laid_out(svg: Path) -> Callable[[Workshop], Made]:
            return lambda _workshop: (kits.band_maker(shared).logo_page(svg), ())

        self._drawn = {
            Unit(f"{CACHE}/band-{key}.pdf", NAME, key, make=drawn(brand)): brand
            for brand, key in dict.fromkeys(todo)
        }
        self._laid_out = {
            Unit(f"{CACHE}/logo-{key}.pdf", NAME, key, make=laid_out(svg)): logo_id
            for key, (logo_id, svg) in sorted(pages.items())
        }
        return [*self._drawn, *self._laid_out]

    def _remade(self, what: str, member: kits.Member) -> Unit:
        """A member of a reused plan (no make) whose cached bytes are gone, planned again:
        its page is rendered here, in the parent, where a template fault is located. Its key
        is the recorded one, which the kits' keys were made from."""
        unit = self.planner.unit(what, *member)
        recorded = self.slot(what)[member]
        if unit.key != recorded.key:
            # the members' plan key missed an input: a bug, never a user's mistake
            raise RuntimeError(
                f"kit member {what} {member} differs from its recorded plan;"
                " `salesplay build --clean` makes everything again"
            )
        return unit

    def base_name(self, deck_key: str, part: cobrand.Part) -> str:
        """The cache file of the co-brand base of the deck made by key `deck_key`."""
        return f"{CACHE}/{key_of('deck-base', deck_key, self._base_parts(part))}{_BLOBS}"

    def _base_parts(self, part: cobrand.Part) -> cobrand.BaseParts:
        """What a co-brand base of `part` is made with besides its deck (cobrand.prepare)."""
        labels = self.shared.partner_edition.labels
        return cobrand.BaseParts(self.src.cat.as_of, part, band_wording(labels, part), labels.lang)

    def _deck_base(
        self, deck_unit: Unit, deck: bytes, digest: str, part: cobrand.Part, todo: list[Unit]
    ) -> kits.Lazy[cobrand.DeckBase]:
        """The co-brand base of `deck` (~0.1 s a deck; `digest` is its SHA-256): cached, kept
        with the digest of the deck it was made from, so that a base of other bytes is made
        again. A base not in the cache is added to `todo`, to be made on the workers (see
        prepare). A base is parsed on first use (~15 ms): a partner edit copies every
        co-branded deck from the partner's previous kit and parses none."""
        name = self.base_name(deck_unit.key, part)
        parts = self._base_parts(part)
        cached = _cached_blobs(self.src.out, name)
        kept = cached if cached and cached[0] == digest.encode() else None
        if kept is None:
            make = _BaseMaker(name, deck, digest, parts)
            todo.append(Unit(name, NAME, name, make=make, subject=deck_unit.subject, cost=0.1))

        def load() -> cobrand.DeckBase:
            found = kept if kept is not None else self._made_bases.get(name)
            try:
                if found is None:
                    raise ValueError("not made")
                return cobrand.DeckBase.load(found[1:])
            except ValueError:  # its checksum held but it does not parse: made anew
                return cobrand.prepare(deck, *parts)  # here, maybe in a worker: not kept

        return kits.Lazy(load)


@dataclass(frozen=True)
class _BandFile:
    """What a kit's band file is to hold: its bands and its SVG logos' pages, by key."""

    name: str  # the cache file (band_name)
    bands: tuple[tuple[Brand, str], ...]
    logos: tuple[tuple[str, str], ...]  # (logo id, key)
    #: the keys the file held when read: the kit's make rewrites it only for others
    kept: frozenset[str]


@dataclass(frozen=True)
class _BaseMaker:
    """Makes the cache file of one co-brand base (on a worker; see _Kits.prepare)."""

    name: str
    deck: bytes
    digest: str
    parts: cobrand.BaseParts

    def __call__(self, _workshop: Workshop) -> Made:
        base = cobrand.prepare(self.deck, *self.parts)
        return _blob_file(self.name, [self.digest.encode(), *base.dump()]), ()


#: what a band's key is followed by in a band file for the band ready to stamp
PREPARED = "+prepared"


def band_name(kit_rel: str) -> str:
    """The cache file of the bands of the kit `kit_rel` (one file a kit and locale)."""
    return f"{CACHE}/bands-{kit_rel.removesuffix('.zip').replace('/', '-')}{_BLOBS}"


def _cache_name(unit: Unit) -> str:
    return f"{CACHE}/{unit.key}{Path(unit.rel).suffix}"


def _cached(out: Path, unit: Unit) -> bytes | None:
    """A member's bytes from the cache, checked against the digest kept with them: a
    truncated or foreign file is made again, never stamped into a kit (it stopped every
    later build with the PDF library's error)."""
    blobs = _cached_blobs(out, _cache_name(unit))
    return blobs[0] if blobs is not None and len(blobs) == 1 else None


def _pages_name(unit: Unit) -> str:
    """Beside a cached PDF member past its page budget: its page count."""
    return f"{CACHE}/{unit.key}.pages"


def _kept_pages(out: Path, unit: Unit) -> int | None:
    """The page count kept beside a cached member (None: within its budget, or unreadable)."""
    from salesplay.write import read_output

    try:
        return int(read_output(out, _pages_name(unit), limit=64))
    except (OSError, ValueError):
        return None


def _memo_name(parts: tuple[object, ...]) -> str:
    return f"{CACHE}/{key_of(*parts)}{_BLOBS}"


def _memo(
    out: Path,
    unkept: list[tuple[str, list[bytes]]],
    parts: tuple[object, ...],
    make: Callable[[], list[bytes]],
) -> list[bytes]:
    """make()'s blobs, cached under a key naming `parts` (render.band.FontMemo); what it
    made goes on `unkept`, for its maker to keep once the build is whole."""
    name = _memo_name(parts)
    blobs = _cached_blobs(out, name)
    if blobs is None:
        blobs = make()
        unkept.append((name, blobs))
    return blobs


def cache_names(units: Sequence[Unit]) -> set[str]:
    """The cache files the kits of `units` use (the rest of the cache may go)."""
    tiers: dict[int, tuple[_Kits, set[str]]] = {}  # one state per build; its kits' tiers
    bands: set[str] = set()
    for unit in units:
        if isinstance(unit.make, _KitMaker):
            bands.add(band_name(unit.rel))
            state, pid = unit.make.state, unit.make.partner_id
            tier = state.shared.partner_edition.partners[pid].tier
            tiers.setdefault(id(state), (state, set()))[1].add(tier)
    # per tier, not per kit: a thousand kits share four tiers' members
    names = {_cache_name(u) for state, used in tiers.values() for _, _, u in state.members(used)}
    names |= {
        _pages_name(u)
        for state, used in tiers.values()
        for what, _, u in state.members(used)
        if what in ("card", "competitor", "brief")
    }
    names |= bands
    if tiers:
        names |= {_memo_name(parts) for parts in BandFonts.memo_parts()}
    names |= {
        state.base_name(u.key, "team" if what == "enablement" else "customer")
        for state, used in tiers.values()
        for what, _, u in state.members(used)
        if what in ("enablement", "pitch")
    }
    return (
        names
        | {
            name
            for state, used in tiers.values()
            for member, name in state.news_cache.items()
            if member[0] in used
        }
        | {name for state, _ in tiers.values() for name in state.tiers_cache}
    )


def plan(src: Sources) -> list[Unit]:
    cat = src.cat
    ped = src.editions["partner"]
    ids = list(ped.partners) if src.partners is None else list(src.partners)
    # a partner's kits are made in the languages it takes, each under its locale's folder
    ids = [pid for pid in ids if src.locale in ped.partners[pid].locales]
    if not ids:
        return []
    revision = git_revision(cat.root)
    shared = kits.KitShared(cat, ped, src.out, src.env, revision, src.locale, src.locales[0])
    state = _Kits(src, shared, kitmembers.Members(src, NAME))
    tiers = list(dict.fromkeys(ped.partners[pid].tier for pid in ids))
    shown = kitmembers.shown(src)
    if not state.planner.reused(state, tiers, shown):
        same: dict[str, Unit] = {}  # key → the first unit with it: one member made once
        for tier in tiers:
            for what, eid in state.planner.slots(tier):
                unit = state.planner.unit(what, tier, eid)
                state.slot(what)[(tier, eid)] = same.setdefault(unit.key, unit)
        state.planner.remember(state, tiers, shown)
    if src.partners is None:
        state.planner.forget_pages(state, tiers)
    kitnews.plan_news(src, state, ids, revision, family=NAME, cache=CACHE, kit_path=path_of)
    # what every kit of a tier holds besides its partner: the tier's two editions (its index
    # pages read them) and the members it stamps; hashed once per tier, not per kit
    tier_keys = {
        tier: key_of(
            "kit-tier",
            *shown[tier],
            [(what, m, u.key) for what, m, u in state.members({tier}) if what != "whats-new"],
        )
        for tier in ped.kits
    }
    # what every kit holds alike, hashed once (not repr'd a thousand times): its index page
    # and bands are made from the templates; of assets/, a kit holds only logos (logos
    # below) and members (their keys), so a partner's new logo remakes that partner's kit
    alike = key_of("kit-alike", ped.brand, cat.as_of, revision, src.theme_tree)
    units = []
    named: dict[str, list[str]] = {}
    for pid in ids:
        partner = ped.partners[pid]
        tier = partner.tier
        names = named[pid] = kits.member_names(shared, pid)
        logos = kits.logo_digests(shared, pid)
        key = key_of(
            "kit",
            partner,
            logos,
            names,
            tier_keys[tier],
            alike,
            state.news[shared.news_key[pid]].key,  # the one member told per partner
        )
        units.append(
            Unit(
                path_of(pid),
                NAME,
                key,
                make=_KitMaker(state, pid),
                subject=("partner", pid),
                stage=1,
                prepare=state,
            )
        )
    stale = [not _fresh(src, unit) for unit in units]
    state.find_soon({ped.partners[pid].tier for pid, old in zip(ids, stale, strict=True) if old})
    # one index page per tier and partner shape now (a partner without a phone or a logo),
    # of a kit that will be made, so that a template fault stops the build before anything
    # is written; the others are made with their kits
    indexed: set[object] = set()
    for pid, old in zip(ids, stale, strict=True):
        partner = ped.partners[pid]
        shape = (partner.tier, _shape(partner), tuple(named[pid]))
        if shape in indexed or not old:
            continue
        indexed.add(shape)
        try:
            shared.indexes[pid] = kits.kit_index(shared, pid, named[pid])
        except TemplateFault as exc:
            raise BuildFault.of(exc, Path("kits"), ("partner", pid)) from None
    return units


def _shape(value: object) -> object:
    """What a template can trip on in a view, and nothing else: which fields are None or
    empty, and the shape of what the others hold (not their words). Kits of one tier whose
    partners have one shape take the same paths through a template; only values differ."""
    if value is None or isinstance(value, bool | int | float):
        return value if isinstance(value, bool) or value is None else type(value).__name__
    if isinstance(value, str):
        return bool(value)
    if isinstance(value, tuple | list):
        return tuple(_shape(item) for item in value)
    if is_dataclass(value):
        return tuple(_shape(getattr(value, f.name)) for f in fields(value))
    return type(value).__name__


def _fresh(src: Sources, unit: Unit) -> bool:
    """Whether the kit `unit` is the one the last build made from its key (not made again:
    its index page need not be); never without that build's records (`salesplay check`)."""
    if src.plans is None or src.clean:
        return False
    rel = localized_path(unit.rel, src.locale, src.locales[0])
    return src.plans.records.fresh(src.out, rel, unit.key)


@dataclass(frozen=True)
class _KitMaker:
    """A kit unit's make: stamps and zips one partner's kit from the shared state."""

    state: _Kits
    partner_id: str

    def __call__(self, workshop: Workshop) -> Made:
        return self.state.make(self.partner_id, workshop)


FAMILY = Family(
    NAME,
    "co-branded battlecards, competitor cards and decks of the partner's tier, offline"
    " index, `manifest.json`",
    (("kits/*.zip", "partner"),),
    plan,
    # the manifest names the revision; what's new counts from the previous kit's revision
    git=frozenset({"revision"}),
    rows=(Row("`build/kits/<partner>.zip`", "partner"),),
)

"""Partner kits: one zip per partner, its tier's plays co-branded, remade only when it changed.

A kit's key names everything in it: the partner cards and decks it stamps (by their own
keys), the partner's brand and logo, the index page, the as-of date and the revision.
Partner cards and deck bases are cached under .salesplay/cache/ by key, so a kit whose
partner alone changed is re-stamped without rendering anything.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from salesplay import cobrand, kits
from salesplay.engine.executor import Executor
from salesplay.engine.records import key_of
from salesplay.engine.units import Made, Unit, Workshop
from salesplay.families import decks as deck_family
from salesplay.families.base import Family, Sources, guarded, pdf_unit
from salesplay.faults import BuildFault
from salesplay.render import decks, html
from salesplay.render.stamp import Stamper
from salesplay.render.templates import TemplateFault
from salesplay.write import git_revision

NAME = "kits"
CACHE = ".salesplay/cache"


def path_of(partner_id: str) -> str:
    """Where a partner's kit lives, relative to --out."""
    return f"kits/{partner_id}.zip"


@dataclass
class _Kits:
    """What the kits of one build share; filled in the parent before the workers fork."""

    src: Sources
    shared: kits.KitShared
    cards: dict[str, Unit] = field(default_factory=dict)  # play → partner card unit
    enablement: dict[str, Unit] = field(default_factory=dict)  # play → partner deck unit
    pitches: dict[str, Unit] = field(default_factory=dict)  # destination → pitch unit
    plays: dict[str, list[str]] = field(default_factory=dict)  # partner → plays
    dests: dict[str, list[str]] = field(default_factory=dict)  # partner → destinations

    def prepare(self, stale: Sequence[Unit], executor: Executor) -> None:
        """Cards and deck bases the stale kits stamp: from the cache, else made and cached."""
        partners = [u.subject[1] for u in stale if u.subject]
        plays = sorted({p for pid in partners for p in self.plays[pid]})
        dests = sorted({d for pid in partners for d in self.dests[pid]})
        wanted = (
            [("card", p, self.cards[p]) for p in plays]
            + [("enablement", p, self.enablement[p]) for p in plays]
            + [("pitch", d, self.pitches[d]) for d in dests]
        )
        made: dict[tuple[str, str], bytes] = {}
        missing = []
        for what, eid, unit in wanted:
            data = _cached(self.src.out, unit)
            if data is None:
                missing.append((what, eid, unit))
            else:
                made[(what, eid)] = data
        if missing:
            self.src.progress(f"rendering {len(missing)} partner cards and decks for kits")
            for index, (data, _warnings) in executor.run([u for _, _, u in missing]):
                what, eid, unit = missing[index]
                made[(what, eid)] = data
                _store(self.src.out, unit, data)
        as_of = self.src.cat.as_of
        for (what, eid), data in sorted(made.items()):
            if what == "card":
                self.shared.battlecards[eid] = data
                self.shared.stampers[eid] = Stamper(data)
            elif what == "enablement":
                self.shared.enablement[eid] = cobrand.prepare(data, as_of)
            else:
                self.shared.pitches[eid] = cobrand.prepare(data, as_of)

    def make(self, partner_id: str) -> Made:
        return kits.kit_zip(self.shared, partner_id), ()


def _cache_name(unit: Unit) -> str:
    return f"{CACHE}/{unit.key}{Path(unit.rel).suffix}"


def _cached(out: Path, unit: Unit) -> bytes | None:
    from salesplay.write import read_output

    try:
        return read_output(out, _cache_name(unit), limit=256 << 20)
    except (OSError, ValueError):
        return None


def _store(out: Path, unit: Unit, data: bytes) -> None:
    from salesplay.write import write_output

    # a cache that cannot be written only costs time next build
    with contextlib.suppress(OSError, ValueError):
        write_output(out, _cache_name(unit), data)


def cache_names(units: Sequence[Unit]) -> set[str]:
    """The cache files the kits of `units` use (the rest of the cache may go)."""
    names: set[str] = set()
    for unit in units:
        if isinstance(unit.make, _KitMaker):
            state, pid = unit.make.state, unit.make.partner_id
            for p in state.plays.get(pid, []):
                names |= {_cache_name(state.cards[p]), _cache_name(state.enablement[p])}
            names |= {_cache_name(state.pitches[d]) for d in state.dests.get(pid, [])}
    return names


def plan(src: Sources) -> list[Unit]:
    cat = src.cat
    ped, public = src.editions["partner"], src.editions["public"]
    ids = list(cat.partners) if src.partners is None else list(src.partners)
    if not ids:
        return []
    master = deck_family.master(src)
    digest = key_of("master", master.read_bytes())
    revision = git_revision(cat.root)
    shared = kits.KitShared(cat, ped, public, src.out, src.env, revision)
    state = _Kits(src, shared)
    links = html.Links.for_pdf(cat.root, src.template_dirs)
    for pid in ids:
        plays = kits.kit_plays(cat, ped, pid)
        state.plays[pid] = plays
        state.dests[pid] = kits.kit_destinations(ped, public, plays)
        for play in plays:
            if play in state.cards:
                continue
            view = ped.plays[play]
            page = guarded(Path(play), html.battlecard, src.env, ped, play, links, medium="print")
            state.cards[play] = pdf_unit(
                src,
                NAME,
                f"partner-cards/{play}.pdf",
                page,
                f"{view.name} — battlecard",
                subject=("play", play),
            )
            slides = decks.partner_enablement_slides(ped, play)
            title = f"{view.name} — partner enablement"
            state.enablement[play] = deck_family.unit(
                NAME,
                f"partner-decks/{play}.pptx",
                ped,
                slides,
                master,
                digest,
                title,
                ("play", play),
            )
        for dest in state.dests[pid]:
            if dest not in state.pitches:
                slides = decks.pitch_slides(public, dest)
                state.pitches[dest] = deck_family.unit(
                    NAME,
                    f"partner-pitches/{dest}.pptx",
                    public,
                    slides,
                    master,
                    digest,
                    public.destinations[dest].name,
                    ("destination", dest),
                )
    units = []
    for pid in ids:
        plays, dests = state.plays[pid], state.dests[pid]
        names = kits.member_names(cat, pid, plays, dests)
        try:
            index = kits.kit_index(shared, pid, plays, dests, names)
        except TemplateFault as exc:
            raise BuildFault.of(exc, Path("kits"), ("partner", pid)) from None
        shared.indexes[pid] = index
        logos = [key_of(data) for data in kits.logo_files(cat, pid).values()]
        key = key_of(
            "kit",
            pid,
            cat.partners[pid],
            cat.config.brand,
            logos,
            index,
            cat.as_of,
            revision,
            src.resources,
            [(p, state.cards[p].key, state.enablement[p].key) for p in plays],
            [(d, state.pitches[d].key) for d in dests],
        )
        units.append(
            Unit(
                path_of(pid),
                NAME,
                key,
                make=_KitMaker(state, pid),
                subject=("partner", pid),
                stage=1,
                prepare=state.prepare,
            )
        )
    return units


@dataclass(frozen=True)
class _KitMaker:
    """A kit unit's make: stamps and zips one partner's kit from the shared state."""

    state: _Kits
    partner_id: str

    def __call__(self, _workshop: Workshop) -> Made:
        return self.state.make(self.partner_id)


FAMILY = Family(
    NAME,
    "co-branded battlecards and decks, offline index, `manifest.json`",
    (("kits/*.zip", "partner"),),
    plan,
)

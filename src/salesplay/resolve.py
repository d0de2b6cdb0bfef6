"""Stage 3, resolve: cross-references checked, derived facts computed once."""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesplay.diagnostics import (
    Location,
    Reporter,
    Subject,
    did_you_mean,
    display_path,
    shortened,
    unknown_id,
)
from salesplay.i18n import Translations, load_translations
from salesplay.imagecache import ImageCache
from salesplay.images import PARTNER_SIDE, Checked
from salesplay.load import Document, YamlPath, unreadable_entity
from salesplay.models import (
    AUDIENCES,
    ENTITY_FOLDERS,
    Audience,
    CatalogConfig,
    Competitor,
    Destination,
    Differentiator,
    Partner,
    Play,
    Product,
    Status,
    narrowest,
)
from salesplay.models import Capability as CapabilityModel
from salesplay.models import Path as PathModel
from salesplay.validate import Validated, check_image, check_read_image, read_image_file

#: roadmap stages from least to most mature; ga and beta are "on the truck".
AVAILABLE: frozenset[str] = frozenset({"ga", "beta"})
STAGE_ORDER: tuple[Status, ...] = ("concept", "development", "launch-ready", "beta", "ga")
#: the widest audience a roadmap stage may reach.
STAGE_CEILING: dict[str, Audience] = {
    "ga": "public",
    "beta": "public",
    "launch-ready": "partner",
    "development": "rep",
    "concept": "rep",
}


@dataclass(frozen=True)
class Roadmap:
    """What stands behind a claim or capability: availability, stage, confidence."""

    stage: Status
    available: bool
    confidence: int | None
    eta: str | None = None

    @property
    def ceiling(self) -> Audience:
        return STAGE_CEILING[self.stage]


@dataclass
class Catalog:
    """The resolved catalog: models by kind, plus the facts renderers need."""

    root: Path
    as_of: dt.date
    config: CatalogConfig
    glossary: dict[str, str]
    products: dict[str, Product] = field(default_factory=dict)
    competitors: dict[str, Competitor] = field(default_factory=dict)
    differentiators: dict[str, Differentiator] = field(default_factory=dict)
    destinations: dict[str, Destination] = field(default_factory=dict)
    paths: dict[str, PathModel] = field(default_factory=dict)
    plays: dict[str, Play] = field(default_factory=dict)
    partners: dict[str, Partner] = field(default_factory=dict)
    docs: dict[tuple[str, str], Document] = field(default_factory=dict)
    #: "product/capability" → capability
    capabilities: dict[str, CapabilityModel] = field(default_factory=dict)
    #: play → [(path id, step index)] in path order
    play_steps: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    play_destinations: dict[str, list[str]] = field(default_factory=dict)
    destination_paths: dict[str, list[str]] = field(default_factory=dict)
    differentiator_plays: dict[str, list[str]] = field(default_factory=dict)
    competitor_plays: dict[str, list[str]] = field(default_factory=dict)
    capability_roadmap: dict[str, Roadmap] = field(default_factory=dict)
    differentiator_roadmap: dict[str, Roadmap] = field(default_factory=dict)
    #: (kind, id) → days since `reviewed`, for competitors and differentiators
    age_days: dict[tuple[str, str], int] = field(default_factory=dict)
    #: asset value as written → resolved file inside assets/
    assets: dict[str, Path] = field(default_factory=dict)
    #: asset value as written → the image decoded once by check (and its published PNG)
    images: dict[str, Checked] = field(default_factory=dict)
    #: (kind, id) of files that exist but failed validation
    broken: set[tuple[str, str]] = field(default_factory=set)
    #: files under an entity folder that are not read, by the (kind, id) their name suggests
    skipped: dict[tuple[str, str], Path] = field(default_factory=dict)
    #: kinds some reference names no entity of (an error reported at the reference): the
    #: entity a typo meant would look unused, so coverage of that kind waits for the fix
    dangling: set[str] = field(default_factory=set)
    #: (kind, id, path of a mapping) → effective audience by the ladder rule
    audiences: dict[tuple[str, str, YamlPath], Audience] = field(default_factory=dict)
    #: translations of the text fields, per locale of catalog.yaml `locales` (i18n)
    translations: Translations = field(default_factory=Translations)

    def audience(self, kind: str, entity_id: str, path: YamlPath = ()) -> Audience:
        """Effective audience of the item at `path` (nearest mapping at or above it)."""
        for n in range(len(path), -1, -1):
            found = self.audiences.get((kind, entity_id, path[:n]))
            if found:
                return found
        return "rep"

    def reader(
        self, kind: str, entity_id: str, path: YamlPath = (), *, dated: bool = True
    ) -> Audience:
        """The widest audience whose editions show the text at `path`: its audience, narrowed
        as the editions narrow it. Stale intelligence (a claim, a competitor) stays with
        reps (unless not `dated`: what the catalog says, whatever the day); a claim resting
        on the roadmap, and a capability not yet available, reach as far as their stage;
        the glossary is everyone's (every decoder, kits and public feed included)."""
        if kind == "glossary":
            return "public"
        widest = self.audience(kind, entity_id, path)
        if dated and self.is_stale(kind, entity_id):
            widest = narrowest(widest, "rep")
        roadmap = self.differentiator_roadmap.get(entity_id) if kind == "differentiator" else None
        if kind == "product" and len(path) >= 2 and path[0] == "capabilities":
            product = self.products.get(entity_id)
            index = path[1]
            if product is not None and isinstance(index, int) and index < len(product.capabilities):
                roadmap = self.capability_roadmap.get(
                    f"{entity_id}/{product.capabilities[index].id}"
                )
        if roadmap is not None and not roadmap.available:
            widest = narrowest(widest, roadmap.ceiling)
        return widest

    def is_stale(self, kind: str, entity_id: str) -> bool:
        age = self.age_days.get((kind, entity_id))
        return age is not None and age > self.config.review.max_age_days

    def kit_locales(self, partner_id: str) -> tuple[str, ...]:
        """The languages of a partner's kits (`locale`, else the source locale)."""
        value = self.partners[partner_id].locale
        if not value:
            return (self.config.source_locale,)
        return (value,) if isinstance(value, str) else tuple(dict.fromkeys(value))

    def tier_rank(self, tier: str | None) -> int:
        ids = self.config.tier_ids
        return ids.index(tier) if tier in ids else 0

    def loc(self, kind: str, entity_id: str, path: YamlPath = ()) -> Location:
        return self.docs[(kind, entity_id)].loc(path)

    def unknown(self, kind: str, entity_id: str) -> str:
        """Why `entity_id` names no entity of `kind` here, for a command's usage error: the
        file of that name that is not read, else the close id, else the folder its file would
        be in and the ids there are (unknown_id)."""
        not_read = self.not_read(kind, entity_id)
        if not_read is not None:
            return f"unknown {kind} '{entity_id}' ({not_read})"
        folder = ENTITY_FOLDERS[kind]
        return unknown_id(kind, entity_id, getattr(self, folder), display_path(self.root / folder))

    def not_read(self, kind: str, entity_id: str) -> str | None:
        """Which file under the kind's folder, not read, looks like the entity's, and how to
        make it read; None when there is none."""
        path = self.skipped.get((kind, entity_id))
        if path is None:
            return None
        folder = ENTITY_FOLDERS[kind]
        shown = path.relative_to(self.root).as_posix()
        if path.parent == self.root / folder:
            return (
                f"{shown} is not read: only .yaml and .yml files are;"
                f" rename it to '{entity_id}.yaml'"
            )
        return (
            f"{shown} is not read: only .yaml and .yml files directly in {folder}/ are;"
            f" move it to '{folder}/{entity_id}.yaml'"
        )


def _walk_audiences(cat: Catalog, kind: str, entity_id: str, data: Any) -> None:
    def walk(node: Any, path: YamlPath, parent: Audience | None) -> None:
        if isinstance(node, dict):
            own = node.get("audience")
            own = own if own in AUDIENCES else None
            eff: Audience = narrowest(own, parent) if own and parent else own or parent or "rep"
            cat.audiences[(kind, entity_id, path)] = eff
            for key, value in node.items():
                walk(value, (*path, key), eff)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, (*path, i), parent)

    walk(data, (), None)


class _Refs:
    """Reference checking with did-you-mean and wrong-kind hints."""

    def __init__(self, cat: Catalog, reporter: Reporter) -> None:
        self.cat, self.reporter = cat, reporter
        self.ids: dict[str, dict[str, Any]] = {
            kind: getattr(cat, folder) for kind, folder in ENTITY_FOLDERS.items()
        }
        #: (kind, id) of a file not read → its first reference: (where, message, subject)
        self.missed: dict[tuple[str, str], tuple[Location, str, Subject]] = {}

    def check(self, kind: str, value: str, doc: Document, path: YamlPath) -> bool:
        if value in self.ids[kind]:
            return True
        if unreadable_entity(self.cat.broken, kind, value):
            return False  # its own file (or its kind's folder) already has an error
        if (kind, value) in self.cat.skipped:
            self._miss(kind, value, doc.loc(path), f"unknown {kind} '{value}'", doc)
            return False
        others = [k for k, ids in self.ids.items() if value in ids and k != kind]
        if others:
            message = f"'{value}' is a {others[0]}, not a {kind}"
        else:
            message = f"unknown {kind} '{shortened(value)}'{self._hint(kind, value)}"
        self.reporter.error(doc.loc(path), message, "reference", (doc.kind, doc.id))
        self.cat.dangling.add(kind)
        return False

    def _miss(self, kind: str, value: str, loc: Location, message: str, doc: Document) -> None:
        # one mistake, the file's name, however many references miss it: the first says it
        found = self.missed.get((kind, value))
        if found is None or loc < found[0]:
            self.missed[(kind, value)] = (loc, message, (doc.kind, doc.id))

    def report_missed(self) -> None:
        """Name each file not read at its first reference; its entity is then broken, so no
        coverage warning follows from what it would have used."""
        for (kind, value), (loc, message, subject) in sorted(self.missed.items()):
            self.reporter.error(
                loc, f"{message} ({self.cat.not_read(kind, value)})", "reference", subject
            )
            self.cat.broken.add((kind, value))

    def _hint(self, kind: str, value: str) -> str:
        """Did-you-mean by id, else by the text a marketer may have typed for the id.

        A claim's sentence or a play's name in place of its id is a common slip: the id is
        the file name, and the hint says which.
        """
        texts: dict[str, str] = {}
        for eid, entity in self.ids[kind].items():
            for attr in ("claim", "name"):
                text = getattr(entity, attr, None)
                if isinstance(text, str):
                    texts.setdefault(_folded(text), eid)
        folded = _folded(value)
        found = texts.get(folded)
        if found is None:
            hint = did_you_mean(value, self.ids[kind])
            if hint:
                return hint
            close = difflib.get_close_matches(folded, sorted(texts), n=1, cutoff=0.6)
            found = texts[close[0]] if close else None
        if found is None:
            return ""
        return f" (did you mean '{found}'? name a {kind} by its id, the name of its file)"

    def capability(self, value: str, doc: Document, path: YamlPath) -> bool:
        if value in self.cat.capabilities:
            return True
        product, _, cap = value.partition("/")
        if unreadable_entity(self.cat.broken, "product", product):
            return False
        if cap and ("product", product) in self.cat.skipped:
            message = f"unknown product '{product}' in capability '{value}'"
            self._miss("product", product, doc.loc(path), message, doc)
            return False
        if not cap:
            # the capability's own id or name, without its product, names it exactly
            exact = [
                ref
                for ref, c in self.cat.capabilities.items()
                if value == c.id or _folded(c.name) == _folded(value)
            ]
            hint = (
                f" (did you mean '{exact[0]}'?)"
                if exact
                else did_you_mean(value, self.cat.capabilities)
            )
            message = f"capability reference '{value}' must be 'product-id/capability-id'{hint}"
        elif product not in self.cat.products:
            message = (
                f"unknown product '{product}' in capability '{value}'"
                f"{did_you_mean(product, self.cat.products)}"
            )
        else:
            caps = self.cat.products[product].capabilities
            named = [c.id for c in caps if _folded(c.name) == _folded(cap)]
            hint = (
                f" (did you mean '{named[0]}'?)"
                if named
                else did_you_mean(cap, [c.id for c in caps])
            )
            message = f"unknown capability '{cap}' of product '{product}'{hint}"
        self.reporter.error(doc.loc(path), message, "reference", (doc.kind, doc.id))
        return False

    def tier(self, value: str, doc: Document, path: YamlPath) -> bool:
        tiers = self.cat.config.tier_ids
        if value in tiers:
            return True
        ladder = ", ".join(dict.fromkeys(tiers))  # a tier listed twice is its own error
        # a tier's name where its id belongs (`tier: Premier Gold`) names it exactly
        named = [t for t in tiers if _folded(self.cat.config.tier_name(t)) == _folded(value)]
        hint = f" (did you mean '{named[0]}'?)" if named else did_you_mean(value, tiers)
        self.reporter.error(
            doc.loc(path),
            f"unknown tier '{value}'{hint}; tiers are {ladder}",
            "reference",
            (doc.kind, doc.id),
        )
        return False


def _written_empty(data: Any, path: YamlPath) -> bool:
    """Whether the field at `path` is written with no value (`min_tier:`), which YAML reads
    as null: not the same as leaving it out."""
    node = data
    for part in path[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    return isinstance(node, dict) and path[-1] in node and node[path[-1]] is None


def _check_kit_locales(cat: Catalog, partner_id: str, doc: Document, reporter: Reporter) -> None:
    """A partner's kit languages must be locales the catalog is built in."""
    value = cat.partners[partner_id].locale
    # once each: a source locale listed in `locales` too is its own error (i18n)
    built = tuple(dict.fromkeys((cat.config.source_locale, *cat.config.locales)))
    for i, locale in enumerate([value] if isinstance(value, str) else value or []):
        if locale not in built:
            path: YamlPath = ("locale",) if isinstance(value, str) else ("locale", i)
            # a slip of case (EN for en) is the model's error, with the spelling to use
            reporter.error(
                doc.loc(path),
                f"partner '{partner_id}' takes locale '{locale}', which the catalog is not built"
                f" in; add it to `locales` in catalog.yaml (built: {', '.join(built)})",
                "reference",
                ("partner", partner_id),
            )


def _folded(text: str) -> str:
    """Text compared as typed: case, spacing and a final full stop do not count."""
    return " ".join(text.casefold().split()).rstrip(".")


def _roadmap(cat: Catalog, caps: list[str]) -> Roadmap | None:
    found = [cat.capability_roadmap[c] for c in caps if c in cat.capability_roadmap]
    if not found:
        return None
    return max(found, key=lambda r: STAGE_ORDER.index(r.stage))


def resolve(
    valid: Validated,
    as_of: dt.date,
    root: Path,
    reporter: Reporter,
    images: ImageCache | None = None,
) -> Catalog | None:
    """Cross-reference the validated entities; None when catalog.yaml itself is unusable.

    `images` decodes logos (a build keeps what it decoded, see imagecache).
    """
    config_entity = valid.of("catalog").get("catalog")
    if config_entity is None:
        return None
    glossary = valid.of("glossary").get("glossary")
    cat = Catalog(
        root=root,
        as_of=as_of,
        config=config_entity.model,
        glossary=dict(glossary.model.root) if glossary else {},
        broken=set(valid.broken),
        skipped=dict(valid.skipped),
    )
    for kind, folder in ENTITY_FOLDERS.items():
        setattr(cat, folder, {eid: e.model for eid, e in valid.of(kind).items()})
    for kind, bucket in valid.entities.items():
        for eid, entity in bucket.items():
            cat.docs[(kind, eid)] = entity.doc
            if kind in ENTITY_FOLDERS:
                _walk_audiences(cat, kind, eid, entity.doc.data)
    confidence = cat.config.confidence
    stage_conf = {
        "launch-ready": confidence.launch_ready,
        "development": confidence.development,
        "concept": confidence.concept,
    }
    for pid, product in cat.products.items():
        seen: set[str] = set()
        for i, cap in enumerate(product.capabilities):
            if cap.id in seen:
                reporter.error(
                    cat.loc("product", pid, ("capabilities", i, "id")),
                    f"duplicate capability id '{cap.id}' in product '{pid}'",
                    "duplicate-id",
                    ("product", pid),
                )
            seen.add(cap.id)
            ref = f"{pid}/{cap.id}"
            cat.capabilities[ref] = cap
            cat.capability_roadmap[ref] = Roadmap(
                cap.status, cap.status in AVAILABLE, stage_conf.get(cap.status), cap.eta
            )
    _check_tiers(cat, reporter)
    refs = _Refs(cat, reporter)
    _check_references(cat, refs, reporter, images)
    refs.report_missed()
    _derive(cat)
    cat.translations = load_translations(
        root, cat.docs, cat.config, cat.audience, reporter, cat.broken
    )
    return cat


def _check_tiers(cat: Catalog, reporter: Reporter) -> None:
    """Each tier once: the ladder is the list's order, which a repeated tier makes ambiguous."""
    doc = cat.docs[("catalog", "catalog")]
    seen: set[str] = set()
    for i, (tier, written) in enumerate(zip(cat.config.tier_ids, cat.config.tiers, strict=True)):
        if tier in seen:
            reporter.error(
                doc.loc(("tiers", i) if isinstance(written, str) else ("tiers", i, "id")),
                f"tier '{tier}' is listed twice",
                "duplicate-id",
                ("catalog", "catalog"),
            )
        seen.add(tier)


def _check_references(
    cat: Catalog, refs: _Refs, reporter: Reporter, images: ImageCache | None
) -> None:
    company_logo = cat.config.company.logo
    if company_logo is not None:
        doc = cat.docs[("catalog", "catalog")]
        loc = doc.loc(("company", "logo"))
        found = check_image(cat.root, company_logo, loc, reporter, images)
        if found:
            cat.assets[company_logo], cat.images[company_logo] = found
            _faint_logo(company_logo, found[1], loc, reporter, None)
    for cid, comp in cat.competitors.items():
        doc = cat.docs[("competitor", cid)]
        for i, cap in enumerate(comp.has):
            refs.capability(cap, doc, ("has", i))
    for did, diff in cat.differentiators.items():
        doc = cat.docs[("differentiator", did)]
        for i, cap in enumerate(diff.backed_by):
            refs.capability(cap, doc, ("backed_by", i))
        for i, vs in enumerate(diff.versus):
            refs.check("competitor", vs.competitor, doc, ("versus", i, "competitor"))
    for did, dest in cat.destinations.items():
        doc = cat.docs[("destination", did)]
        for i, prod in enumerate(dest.products):
            refs.check("product", prod, doc, ("products", i))
    for path_id, path in cat.paths.items():
        doc = cat.docs[("path", path_id)]
        refs.check("destination", path.destination, doc, ("destination",))
        for i, step in enumerate(path.steps):
            refs.check("play", step.play, doc, ("steps", i, "play"))
    for play_id, play in cat.plays.items():
        doc = cat.docs[("play", play_id)]
        for i, prod in enumerate(play.products):
            refs.check("product", prod, doc, ("products", i))
        for i, diff_id in enumerate(play.why_us):
            refs.check("differentiator", diff_id, doc, ("why_us", i))
        for i, pc in enumerate(play.competitors):
            refs.check("competitor", pc.competitor, doc, ("competitors", i, "competitor"))
        if play.partner and play.partner.min_tier is not None:
            refs.tier(play.partner.min_tier, doc, ("partner", "min_tier"))
        elif play.partner and _written_empty(doc.data, ("partner", "min_tier")):
            # read as no value, it opened the play to every tier: a cleared value is a slip
            reporter.error(
                doc.key_loc(("partner", "min_tier")),
                "empty `min_tier:`: name the lowest tier that may sell this play (tiers are"
                f" {', '.join(dict.fromkeys(cat.config.tier_ids))}), or leave the field out to"
                " open the play to every tier",
                "reference",
                ("play", play_id),
            )
    # each partner logo file is read once (a path fault reported there), then decoded: a
    # thousand of them on the build's workers first, which the checks below then find
    root, folders = cat.root.resolve(), dict[str, str]()
    logos = {
        pid: read_image_file(
            cat.root, p.logo, cat.docs[("partner", pid)].loc(("logo",)), reporter, root, folders
        )
        for pid, p in cat.partners.items()
        if p.logo is not None
    }
    if images is not None and images.jobs > 1:
        files = [(data, target.suffix) for target, data in filter(None, logos.values())]
        images.prefetch(files, PARTNER_SIDE)
    for partner_id, partner in cat.partners.items():
        doc = cat.docs[("partner", partner_id)]
        refs.tier(partner.tier, doc, ("tier",))
        _check_kit_locales(cat, partner_id, doc, reporter)
        read = logos.get(partner_id)  # None: no logo, or a path fault already reported
        # a file checked already (the company's own logo, with its larger PNG, or another
        # partner's) is not decoded again
        if partner.logo and read is not None and partner.logo not in cat.images:
            loc = doc.loc(("logo",))
            found = check_read_image(read, partner.logo, loc, reporter, images, PARTNER_SIDE)
            if found:
                cat.assets[partner.logo], cat.images[partner.logo] = found
        if partner.logo and read is not None and partner.logo in cat.images:
            subject = ("partner", partner_id)
            logo = cat.images[partner.logo]
            _faint_logo(partner.logo, logo, doc.loc(("logo",)), reporter, subject)


def _faint_logo(
    value: str, logo: Checked, loc: Location, reporter: Reporter, subject: Subject | None
) -> None:
    """A warning for a logo that is white or nearly so (images.faint): drawn for a dark
    background, it leaves an empty box on every white page, band and slide."""
    if logo.faint:
        reporter.warning(
            loc,
            f"logo '{value}' is white or nearly so where it is not transparent: it cannot"
            " be seen on the white pages, bands and slides it is printed on; use a version"
            " made for light backgrounds",
            "logo-faint",
            subject,
        )


def _derive(cat: Catalog) -> None:
    steps: dict[str, list[tuple[str, int]]] = defaultdict(list)
    dest_paths: dict[str, list[str]] = defaultdict(list)
    for path_id, path in cat.paths.items():
        dest_paths[path.destination].append(path_id)
        for i, step in enumerate(path.steps):
            steps[step.play].append((path_id, i))
    cat.play_steps = {pid: steps.get(pid, []) for pid in cat.plays}
    cat.destination_paths = {did: dest_paths.get(did, []) for did in cat.destinations}
    cat.play_destinations = {
        pid: sorted(
            {cat.paths[p].destination for p, _ in s if cat.paths[p].destination in cat.destinations}
        )
        for pid, s in cat.play_steps.items()
    }
    diff_plays: dict[str, list[str]] = defaultdict(list)
    comp_plays: dict[str, list[str]] = defaultdict(list)
    for pid, play in cat.plays.items():
        for diff_id in dict.fromkeys(play.why_us):
            diff_plays[diff_id].append(pid)
        for pc in play.competitors:
            if pid not in comp_plays[pc.competitor]:
                comp_plays[pc.competitor].append(pid)
    cat.differentiator_plays = {d: diff_plays.get(d, []) for d in cat.differentiators}
    cat.competitor_plays = {c: comp_plays.get(c, []) for c in cat.competitors}
    for did, diff in cat.differentiators.items():
        roadmap = _roadmap(cat, diff.backed_by)
        if roadmap:
            cat.differentiator_roadmap[did] = roadmap
        cat.age_days[("differentiator", did)] = (cat.as_of - diff.reviewed).days
    for cid, comp in cat.competitors.items():
        cat.age_days[("competitor", cid)] = (cat.as_of - comp.reviewed).days

"""The edition audit: losses that hurt as located warnings (in check), and `salesplay explain`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from salesplay.context import UsageError
from salesplay.diagnostics import Location, Reporter, display_path
from salesplay.edition import Omission, audience_words, explain_kit, kit_plays, make_edition
from salesplay.kitnames import (
    USER_NAME,
    WINDOWS_MAX_PATH,
    brief_name,
    card_name,
    competitor_name,
    enablement_name,
    folder_of,
    pitch_name,
    unpacked_length,
)
from salesplay.load import YamlPath
from salesplay.models import AUDIENCES, Audience
from salesplay.resolve import AVAILABLE, Catalog
from salesplay.views import Edition, KitView

#: reasons named in one warning; the rest are counted (`salesplay explain` lists them all).
MAX_REASONS = 3
#: the editions whose cards and decks the audit looks at (internal outputs lose nothing).
AUDITED: tuple[Audience, ...] = ("rep", "partner", "public")


class _Audit:
    """The rep, partner and public editions of a catalog, each with what it left out."""

    def __init__(self, cat: Catalog) -> None:
        self.cat = cat
        self.omitted: dict[Audience, list[Omission]] = {a: [] for a in AUDITED}
        self.editions: dict[Audience, Edition] = {
            a: make_edition(cat, a, omitted=self.omitted[a], decode=False, kits=False)
            for a in AUDITED
        }
        self.at: dict[Audience, dict[tuple[tuple[str, str], YamlPath], Omission]] = {
            a: {(o.subject, o.path): o for o in found} for a, found in self.omitted.items()
        }
        partner = self.editions["partner"]
        #: tier → the plays of its kits (the only partner cards anyone receives)
        self.kits = {t: kit_plays(cat, partner, t) for t in cat.config.tier_ids}
        self.kit_plays = {p for plays in self.kits.values() for p in plays}
        self._pitches: dict[tuple[str, ...], Edition] = {}
        self._internal: Edition | None = None

    def internal(self) -> Edition:
        """The internal edition, what a pitch would hold with nothing left out (made once)."""
        if self._internal is None:
            self._internal = make_edition(self.cat, "internal", decode=False, kits=False)
        return self._internal

    def kit_pitches(self, plays: tuple[str, ...]) -> Edition:
        """The public edition a kit's pitch decks are made from (made once per set of plays)."""
        if plays not in self._pitches:
            narrowed = make_edition(self.cat, "public", plays=frozenset(plays), decode=False)
            self._pitches[plays] = narrowed
        return self._pitches[plays]

    def why(self, audience: Audience, kind: str, eid: str, path: YamlPath = ()) -> str | None:
        found = self.at[audience].get(((kind, eid), path))
        return found.detail if found else None

    def cards(self, audience: Audience) -> Iterable[str]:
        """The plays whose card this audience receives."""
        plays = self.editions[audience].plays
        return (p for p in plays if audience != "partner" or p in self.kit_plays)


def _reasons(items: list[str]) -> str:
    shown = "; ".join(items[:MAX_REASONS])
    more = len(items) - MAX_REASONS
    return shown + (f"; and {more} more" if more > 0 else "")


def _hint(pid: str, audience: str) -> str:
    return f" (salesplay explain {pid} --audience {audience})"


def run_audit(cat: Catalog, reporter: Reporter) -> None:
    """Located warnings for what the editions lose that a reader would miss."""
    audit = _Audit(cat)
    for audience in AUDITED:
        for pid in audit.cards(audience):
            _empty_why_us(audit, audience, pid, reporter)
            if audience != "rep":
                _hidden_competitors(audit, audience, pid, reporter)
    for pid in audit.cards("partner"):
        _partner_backing(audit, pid, reporter)
    _pitch_decks(audit, reporter)
    _destinations_without_pitch(audit, reporter)
    _empty_kits(audit, reporter)
    _long_kit_paths(audit.cat, reporter)


def _long_kit_paths(cat: Catalog, reporter: Reporter) -> None:
    """A kit file whose path, unpacked by Windows' "Extract all" into the Downloads folder
    (kitnames.UNPACKED_AT), is past the 259 characters Windows opens: the partner's id is in
    it twice (the zip's name and its folder), and ids of 64 characters made 270. An error at
    the partner, naming its longest file and the id that made it: such a kit cannot be
    unpacked where a partner unpacks it."""
    # the longest file any kit could hold: the kits themselves are made only when it is long
    longest = max((len(name) for name, _ in _kit_files(cat, None)), default=0)
    source = cat.config.source_locale
    folders = {
        pid: [folder_of(pid, locale, source) for locale in cat.kit_locales(pid)]
        for pid in sorted(cat.partners)
    }
    at_risk = [
        pid
        for pid, found in folders.items()
        if max(unpacked_length(pid, f) for f in found) + 1 + longest > WINDOWS_MAX_PATH
    ]
    if not at_risk:
        return
    kits = make_edition(cat, "partner", decode=False).kits
    for pid in at_risk:
        kit = kits.get(cat.partners[pid].tier)
        if kit is None:
            continue  # an unknown tier is its own error
        files = [
            (f"{folder}/{name}", what)
            for folder in folders[pid]
            for name, what in _kit_files(cat, kit)
        ]
        if not files:
            continue
        deepest, what = max(files, key=lambda f: len(f[0]))
        length = unpacked_length(pid, deepest)
        if length <= WINDOWS_MAX_PATH:
            continue
        reporter.error(
            Location(cat.docs[("partner", pid)].path),
            f"partner '{pid}': its kit's file '{deepest}' unpacks on Windows to a path of"
            f" {length} characters (C:\\Users\\<name>\\Downloads\\{pid}\\…, where"
            f' "Extract all" puts it, for a user name of {USER_NAME} characters), past the'
            f" {WINDOWS_MAX_PATH} Windows opens; shorten the partner's id (its file name)"
            f" or the id of {what}",
            "kit-path",
            ("partner", pid),
        )


def _kit_files(cat: Catalog, kit: KitView | None) -> list[tuple[str, str]]:
    """The files of a tier's kit that an id names, each with the entity whose id it is
    ("play 'x'"); with no kit, those of every play, destination and competitor."""
    plays = kit.plays if kit else tuple(cat.plays)
    briefs = kit.briefs if kit else plays
    rivals = kit.competitors if kit else tuple(cat.competitors)
    destinations = kit.destinations if kit else tuple(cat.destinations)
    return [
        *((f(p), f"play '{p}'") for p in plays for f in (card_name, enablement_name)),
        *((brief_name(p), f"play '{p}'") for p in briefs),
        *((competitor_name(c), f"competitor '{c}'") for c in rivals),
        *((pitch_name(d), f"destination '{d}'") for d in destinations),
    ]


def _empty_kits(audit: _Audit, reporter: Reporter) -> None:
    """A partner whose kit holds no play: it would receive only an index page and its news,
    and nobody would know until the partner asked."""
    cat, partner = audit.cat, audit.editions["partner"]
    # the lowest tier some kit play reaches, and how many plays reach it
    reached = [(t, len(audit.kits[t])) for t in cat.config.tier_ids if audit.kits[t]]
    for pid, who in cat.partners.items():
        if audit.kits.get(who.tier):
            continue
        rank = cat.tier_rank(who.tier)
        # plays meant for this tier that an audience keeps out: the likely mistake
        kept_out = []
        for play_id, play in cat.plays.items():
            block = play.partner
            if block is None or cat.tier_rank(block.min_tier) > rank:
                continue
            path: YamlPath = () if play_id not in partner.plays else ("partner",)
            kept_out.append(f"play '{play_id}': {audience_words(cat, 'play', play_id, path)}")
        reasons = f": {_reasons(kept_out)}" if kept_out else ""
        if reached:
            tier, count = reached[0]
            hint = (
                f"the kits' plays start at tier '{tier}' ({count} play{'s' * (count != 1)}):"
                " raise this partner's tier, or bring a play to it"
            )
        else:
            hint = (
                "no play reaches any partner: a play is in a kit with a `partner:` block and"
                " audience partner or public"
            )
        reporter.warning(
            cat.docs[("partner", pid)].key_loc(("tier",)),
            f"partner '{pid}' gets an empty kit: no play reaches tier '{who.tier}'{reasons};"
            f" {hint}",
            "empty-kit",
            ("partner", pid),
        )


def _only_stale(found: list[Omission | None]) -> bool:
    """Whether every item was left out for being stale: the stale warning already says so."""
    roots = []
    for o in found:
        while o is not None and o.cause is not None:
            o = o.cause
        roots.append(o.reason if o else None)
    return all(r == "stale" for r in roots)


def _card_loss(
    audit: _Audit,
    audience: Audience,
    pid: str,
    field: str,
    names: list[str],
    message: str,
    code: str,
    reporter: Reporter,
) -> None:
    """One warning for a card section left empty, naming why each item was left out."""
    firsts = [(i, n) for i, n in enumerate(names) if names.index(n) == i]  # a name twice: once
    found = [audit.at[audience].get((("play", pid), (field, i))) for i, _ in firsts]
    if _only_stale(found):
        return
    reasons = [
        f"'{n}': {o.detail if o else 'hidden'}" for (_, n), o in zip(firsts, found, strict=True)
    ]
    reporter.warning(
        audit.cat.docs[("play", pid)].key_loc((field,)),
        f"the {audience} card of play '{pid}' {message}: {_reasons(reasons)}"
        + _hint(pid, audience),
        code,
        ("play", pid),
    )


def _empty_why_us(audit: _Audit, audience: Audience, pid: str, reporter: Reporter) -> None:
    play, view = audit.cat.plays[pid], audit.editions[audience].plays[pid]
    if not view.why_us and play.why_us:
        message = "has no why-us left"
        _card_loss(audit, audience, pid, "why_us", play.why_us, message, "empty-why-us", reporter)


def _hidden_competitors(audit: _Audit, audience: Audience, pid: str, reporter: Reporter) -> None:
    play, view = audit.cat.plays[pid], audit.editions[audience].plays[pid]
    if not view.competitors and play.competitors:
        names = [c.competitor for c in play.competitors]
        message = "shows none of the competitors it names"
        _card_loss(
            audit, audience, pid, "competitors", names, message, "competitors-hidden", reporter
        )


def _partner_backing(audit: _Audit, pid: str, reporter: Reporter) -> None:
    """A partner play whose why-us rests mostly on capabilities partners may not sell."""
    cat, partner = audit.cat, audit.editions["partner"]
    refs = list(dict.fromkeys(r for d in cat.plays[pid].why_us for r in _backers(cat, d)))
    sellable = {
        c.ref for p in partner.products.values() for c in p.capabilities if c.status in AVAILABLE
    }
    unsold = [r for r in refs if r not in sellable]
    if not refs or len(unsold) * 2 <= len(refs):
        return
    reasons = []
    for ref in unsold:
        product, _, cap_id = ref.partition("/")
        index = next(i for i, c in enumerate(cat.products[product].capabilities) if c.id == cap_id)
        why = audit.why("partner", "product", product, ("capabilities", index))
        why = why or audit.why("partner", "product", product)
        status = cat.capabilities[ref].status
        reasons.append(f"{ref} ({why or status + ', not available'})")
    reporter.warning(
        cat.docs[("play", pid)].key_loc(("why_us",)),
        f"partners sell play '{pid}', but {len(unsold)} of the {len(refs)} capabilities behind"
        f" its why-us are not theirs to sell: {_reasons(reasons)}",
        "partner-backing",
        ("play", pid),
    )


def _backers(cat: Catalog, did: str) -> list[str]:
    diff = cat.differentiators.get(did)
    return [r for r in diff.backed_by if r in cat.capabilities] if diff else []


def _pitch_decks(audit: _Audit, reporter: Reporter) -> None:
    """A public pitch (the decks family's, and a kit's) without a why-us or a proof slide."""
    if not audit.editions["public"].destinations:
        return
    # planned only: the slides' titles, without python-pptx (render.slides)
    from salesplay.render.decks import pitch_slides

    cat = audit.cat
    why_title = f"Why {cat.config.company.name}"
    public = audit.editions["public"]
    for did in public.destinations:
        titles = {s.title for s in pitch_slides(public, did)}
        if why_title in titles and "Proof" in titles:
            lost: set[str] = set()
        else:
            # a slide is lost when the catalog would fill it: the internal edition's pitch has it
            lost = {s.title for s in pitch_slides(audit.internal(), did)} - titles
        doc = cat.docs[("destination", did)]
        if why_title in lost and not _why_lost_to_staleness(audit, did):
            reporter.warning(
                doc.key_loc(("products",)) if cat.destinations[did].products else doc.loc(),
                f"the public pitch deck of destination '{did}' has no '{why_title}' slide:"
                f" {_why_reasons(audit, did)}",
                "pitch-without-why-us",
                ("destination", did),
            )
        if "Proof" in lost:
            reporter.warning(
                doc.loc(),
                f"the public pitch deck of destination '{did}' has no 'Proof' slide:"
                f" {_proof_reasons(audit, did)}",
                "pitch-without-proof",
                ("destination", did),
            )
        elif "Proof" in titles:
            lacking = [
                tier for tier, plays in audit.kits.items() if _lacks_proof(audit, plays, did)
            ]
            if lacking:
                reporter.warning(
                    doc.loc(),
                    f"the pitch deck of destination '{did}' in the kits of {', '.join(lacking)}"
                    " partners has no 'Proof' slide: no play of those kits on a path to it has"
                    " public customer proof",
                    "pitch-without-proof",
                    ("destination", did),
                )


def _lacks_proof(audit: _Audit, plays: tuple[str, ...], did: str) -> bool:
    """Whether a kit leads to the destination and its pitch deck there has no proof slide."""
    if not any(did in audit.cat.play_destinations.get(p, []) for p in plays):
        return False
    pitches = audit.kit_pitches(plays)
    if did not in pitches.destinations:
        return False
    from salesplay.render.decks import pitch_slides

    return "Proof" not in {s.title for s in pitch_slides(pitches, did)}


def _why_reasons(audit: _Audit, did: str) -> str:
    cat, public = audit.cat, audit.editions["public"]
    products = cat.destinations[did].products
    hidden = [p for p in products if p not in public.products]
    if not products:
        return "it lists no products (`products:`)"
    if len(hidden) == len(products):
        items = [f"'{p}': {audit.why('public', 'product', p) or 'hidden'}" for p in hidden]
        return "none of its products is in the public edition: " + _reasons(items)
    items = [f"'{d}': {_claim_why(audit, d)}" for d in _claims_of(cat, products)]
    if not items:
        return "no claim is backed by a capability of its products"
    return "no claim backed by its products reaches the public edition: " + _reasons(items)


def _why_lost_to_staleness(audit: _Audit, did: str) -> bool:
    """Whether each claim a destination's pitch could show was left out for being stale (its
    products public): the stale warnings already say so."""
    cat, public = audit.cat, audit.editions["public"]
    products = cat.destinations[did].products
    if not products or any(p not in public.products for p in products):
        return False
    claims = _claims_of(cat, products)
    return bool(claims) and _only_stale([_claim_omission(audit, d) for d in claims])


def _claims_of(cat: Catalog, products: list[str]) -> list[str]:
    """The claims backed by a capability of any of these products."""
    refs = {
        f"{p}/{c.id}" for p in products if p in cat.products for c in cat.products[p].capabilities
    }
    return [d for d, diff in cat.differentiators.items() if refs.intersection(diff.backed_by)]


def _claim_omission(audit: _Audit, did: str) -> Omission | None:
    """Why the public edition lacks a claim: audience or roadmap, stale, or hidden backing."""
    for path in ((), ("reviewed",), ("backed_by",)):
        found = audit.at["public"].get((("differentiator", did), path))
        if found:
            return found
    return None


def _claim_why(audit: _Audit, did: str) -> str:
    found = _claim_omission(audit, did)
    return found.detail if found else "hidden"


def _step_why(audit: _Audit, path_id: str, step: int) -> str:
    found = audit.why("public", "path", path_id) or audit.why(
        "public", "path", path_id, ("steps", step)
    )
    return found or "hidden"


def _proof_reasons(audit: _Audit, did: str) -> str:
    cat, public = audit.cat, audit.editions["public"]
    items: list[str] = []
    for pid, dests in cat.play_destinations.items():
        if did not in dests or not cat.plays[pid].proof:
            continue
        if pid not in public.plays:
            items.append(f"play '{pid}': {audit.why('public', 'play', pid) or 'hidden'}")
            continue
        for i, _ in enumerate(cat.plays[pid].proof):
            why = audit.why("public", "play", pid, ("proof", i))
            if why:
                items.append(f"play '{pid}' proof {i + 1}: {why}")
        view = public.plays[pid]
        if view.proof and not any(pos.path.destination == did for pos in view.positions):
            paths = [
                f"path '{p}': {_step_why(audit, p, i)}"
                for p, i in cat.play_steps.get(pid, [])
                if cat.paths[p].destination == did
            ]
            shown = "that the public edition shows"
            items.append(f"play '{pid}' is on no path to it {shown} ({_reasons(paths)})")
    if not items:
        return "its customer proof reaches no public play on a path to it"
    return "no customer proof of its plays reaches the public edition: " + _reasons(items)


def _destinations_without_pitch(audit: _Audit, reporter: Reporter) -> None:
    """A destination partners may see that has no customer (public) pitch deck."""
    for did in audit.editions["partner"].destinations:
        if did in audit.editions["public"].destinations:
            continue
        why = audit.why("public", "destination", did) or "not in the public edition"
        reporter.warning(
            audit.cat.docs[("destination", did)].loc(),
            f"destination '{did}' is in the partner edition but has no customer pitch deck:"
            f" {why} (make it audience: public, or narrow it to rep)",
            "destination-without-pitch",
            ("destination", did),
        )


# --- salesplay explain ---------------------------------------------------------------


def explain_play(
    cat: Catalog, play_id: str, audience: str | None = None, partner_id: str | None = None
) -> str:
    """What each edition's card of a play leaves out and why, one located line each."""
    if play_id not in cat.plays:
        raise UsageError(cat.unknown("play", play_id))
    if audience is not None and audience not in AUDIENCES:
        raise UsageError(f"unknown audience '{audience}'; audiences: {', '.join(AUDIENCES)}")
    out: list[str] = []
    if partner_id is not None:
        partner = cat.partners.get(partner_id)
        if partner is None:
            raise UsageError(cat.unknown("partner", partner_id))
        if audience not in (None, "partner"):
            raise UsageError("--partner shows the partner edition: leave out --audience")
        omitted: list[Omission] = []
        edition = explain_kit(cat, partner.tier, omitted)
        heading = f"the kit of partner '{partner_id}' ({partner.tier} tier)"
        _explain_one(cat, play_id, edition, omitted, heading, out)
    else:
        for who in (audience,) if audience else AUDIENCES:
            omitted = []
            edition = make_edition(cat, who, omitted=omitted, decode=False)
            _explain_one(cat, play_id, edition, omitted, f"the {who} edition", out)
    return "".join(line + "\n" for line in out)


def card_omissions(
    cat: Catalog, audience: Audience, base: Path
) -> list[tuple[str, str, list[str]]]:
    """Per play, what the card of `audience`'s edition (the partner edition: each tier's kit
    card) leaves out: (play, which card, located lines, files named from `base`, the
    project's folder, whatever folder the build runs in); plays with nothing left out are
    not listed. The marketers' report shows it."""
    editions: list[tuple[str, Edition, list[Omission]]] = []
    if audience == "partner":
        whole = make_edition(cat, "partner", decode=False, kits=False)  # once, not per tier
        for tier in cat.config.tier_ids:
            omitted: list[Omission] = []
            editions.append((f"{tier} kits", explain_kit(cat, tier, omitted, whole), omitted))
    else:
        omitted = []
        edition = make_edition(cat, audience, omitted=omitted, decode=False, kits=False)
        editions.append((f"the {audience} edition", edition, omitted))
    found = []
    for pid in cat.plays:
        for heading, edition, omitted in editions:
            out: list[str] = []
            _explain_one(cat, pid, edition, omitted, heading, out, base)
            if len(out) > 1 or out[0].endswith(": left out"):
                found.append((pid, heading, out[1:] or [out[0]]))
    return found


def _explain_one(
    cat: Catalog,
    pid: str,
    edition: Edition,
    omitted: list[Omission],
    heading: str,
    out: list[str],
    base: Path | None = None,
) -> None:
    play = cat.plays[pid]
    if pid not in edition.plays:
        gone = next((o for o in omitted if o.what == f"play '{pid}'"), None)
        out.append(f"{pid} in {heading}: left out")
        if gone:
            _line(gone, out, "  ", base)
        return
    related = {("play", pid)}
    related |= {("differentiator", d) for d in play.why_us}
    related |= {("competitor", c.competitor) for c in play.competitors}
    related |= {("path", p) for p, _ in cat.play_steps.get(pid, [])}
    # a claim's or competitor's own omission shows as the cause of the play's reference to it
    entity_level = ((), ("reviewed",), ("backed_by",))
    lines = [
        o
        for o in omitted
        if o.subject in related and (o.subject[0] in ("play", "path") or o.path not in entity_level)
    ]
    view = edition.plays[pid]
    out.append(
        f"{pid} in {heading}: {len(view.why_us)} of {len(dict.fromkeys(play.why_us))} why-us"
        f" claims, {len(view.competitors)} of {len(play.competitors)} competitors,"
        f" {len(view.objections)} of {len(play.objections)} objections,"
        f" {len(view.proof)} of {len(play.proof)} customer proofs"
        + ("; nothing left out" if not lines else "; left out:")
    )
    for found in lines:
        _line(found, out, "  ", base)


def _line(found: Omission, out: list[str], indent: str, base: Path | None) -> None:
    out.append(f"{indent}{_where(found.loc, base)}: {found.what}: {found.detail}")
    if found.cause is not None:
        _line(found.cause, out, " " * len(indent) + "  because ", base)


def _where(loc: Location, base: Path | None) -> str:
    """`base`: the folder files are named from (the working folder when None: explain)."""
    return f"{display_path(loc.file, base)}:{loc.line}:{loc.col}"

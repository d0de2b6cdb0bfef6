"""Catalog rules beyond the schema: claims, paths, staleness, jargon and coverage."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterator

from salesplay import glyphs, richtext
from salesplay.diagnostics import Location, Reporter
from salesplay.faults import BuildFault
from salesplay.i18n import Entry, Key
from salesplay.jargon import (
    MAX_FIELD_CHARS,
    MAX_TEXT_CHARS,
    MAX_WORD_CHARS,
    is_proper_name,
    long_field,
    longest_word,
    mask_links,
    undefined_jargon,
    wildcard_stems,
)
from salesplay.labels import CHANNEL_CONTACT, Labels, band_wording, channel_contact_lines
from salesplay.load import Document, YamlPath, shown_path
from salesplay.models import ENTITY_FOLDERS, Audience, may_see, narrowest
from salesplay.resolve import Catalog
from salesplay.richtext import UNSPACED_RE, DroppedLink, dropped_links, safe_href

#: every document's prose strings with their paths, by (kind, id), in the docs' order
Texts = dict[tuple[str, str], tuple[tuple[YamlPath, str], ...]]
#: every translation an output shows: (locale, the field's key, its entry)
Translated = list[tuple[str, Key, Entry]]


def run_checks(cat: Catalog, reporter: Reporter, labels: Callable[[str], Labels] = Labels) -> None:
    """Every rule of the contract's section 5 that needs the resolved catalog. `labels`:
    the built-in labels of a locale, as the build reads them (labels.labels_for)."""
    texts = {subject: doc.texts for subject, doc in sorted(cat.docs.items())}
    # every translation an output shows, read by the text checks as its source is
    translated = list(cat.translations.current())
    _claims(cat, reporter)
    _paths(cat, reporter)
    _repeats(cat, reporter)
    _repeated_texts(cat, reporter)
    _staleness(cat, reporter)
    _jargon(cat, reporter, texts)
    _glossary_terms(cat, reporter)
    _long_fields(cat, reporter, texts)
    _long_translations(reporter, translated)
    _roadmap_prose(cat, reporter, texts, translated)
    _coverage(cat, reporter)
    _names(cat, reporter)
    _links(cat, reporter, texts, translated)
    _sources(cat, reporter)
    _glyphs(cat, reporter, texts, translated)
    _band_contacts(cat, reporter)
    _team_bands(cat, reporter, labels)
    _band_names(cat, reporter, labels)


def _claims(cat: Catalog, reporter: Reporter) -> None:
    for did, diff in cat.differentiators.items():
        type_loc = cat.loc("differentiator", did, ("type",))
        if diff.type == "comparative" and not diff.versus:
            reporter.error(
                type_loc,
                f"comparative claim '{did}' needs 'versus' naming at least one competitor"
                " (or make it unique)",
                "comparative-without-versus",
                ("differentiator", did),
            )
        if diff.type != "unique":
            continue
        backed = set(diff.backed_by)
        for cid, comp in cat.competitors.items():
            shared = sorted(backed.intersection(comp.has))
            if shared:
                reporter.error(
                    type_loc,
                    f"unique claim '{did}' is contradicted by competitor '{cid}', which also has"
                    f" '{shared[0]}' (make it comparative)",
                    "unique-contradicted",
                    ("differentiator", did),
                )


def _paths(cat: Catalog, reporter: Reporter) -> None:
    for path_id, path in cat.paths.items():
        first: dict[str, int] = {}
        for i, step in enumerate(path.steps):
            if step.play in first:
                reporter.error(
                    cat.loc("path", path_id, ("steps", i, "play")),
                    f"play '{step.play}' appears twice in path '{path_id}'"
                    f" (first at step {first[step.play] + 1})",
                    "duplicate-step",
                    ("path", path_id),
                )
            else:
                first[step.play] = i


def _repeats(cat: Catalog, reporter: Reporter) -> None:
    """A reference listed twice in one list, for the same readers: a play's claim, product
    or competitor, a claim's competitor. Every output showed the section twice, and what
    changed between two revisions could not tell the two apart (a kit's news told a talk
    track "reworded" with nothing changed)."""
    # a competitor named twice with two audiences (a public detail, and an internal one
    # beside it) is two items, each for its readers
    lists: list[tuple[str, str, str, list[tuple[str, str | None]]]] = []
    for pid, play in cat.plays.items():
        lists += [
            ("play", pid, "why_us", [(ref, None) for ref in play.why_us]),
            ("play", pid, "products", [(ref, None) for ref in play.products]),
            ("play", pid, "competitors", [(m.competitor, m.audience) for m in play.competitors]),
        ]
    for did, claim in cat.differentiators.items():
        versus: list[tuple[str, str | None]] = [(v.competitor, v.audience) for v in claim.versus]
        lists.append(("differentiator", did, "versus", versus))
    for kind, eid, field, items in lists:
        first: dict[tuple[str, str | None], int] = {}
        for i, item in enumerate(items):
            ref = item[0]
            if item not in first:
                first[item] = i
                continue
            where = (field, i, "competitor") if field in ("competitors", "versus") else (field, i)
            reporter.error(
                cat.loc(kind, eid, where),
                f"'{ref}' is listed twice in {field} of {kind} '{eid}' (first at item"
                f" {first[item] + 1}): merge the two",
                "duplicate-reference",
                (kind, eid),
            )


def _repeated_texts(cat: Catalog, reporter: Reporter) -> None:
    """An objection or a discovery question written twice in one play, for the same
    readers (its words alike but for case and spacing): the card printed it twice, an
    objection with two different answers."""
    for pid, play in cat.plays.items():
        lists: list[tuple[str, str, list[tuple[str, str | None]]]] = [
            ("objections", "objection", [(o.objection, o.audience) for o in play.objections]),
            ("discovery", "question", [(q, None) for q in play.discovery]),
        ]
        for field, what, items in lists:
            first: dict[tuple[str, str | None], int] = {}
            for i, (text, audience) in enumerate(items):
                same = (" ".join(text.split()).casefold(), audience)
                if same not in first:
                    first[same] = i
                    continue
                where = (field, i, "objection") if field == "objections" else (field, i)
                reporter.error(
                    cat.loc("play", pid, where),
                    f"this {what} is in {field} of play '{pid}' already (item"
                    f" {first[same] + 1}): merge the two, or delete one",
                    "duplicate-text",
                    ("play", pid),
                )


def _staleness(cat: Catalog, reporter: Reporter) -> None:
    limit = cat.config.review.max_age_days
    for (kind, eid), age in sorted(cat.age_days.items()):
        what = "claim" if kind == "differentiator" else "competitor intelligence"
        if age < -1:  # a day ahead is a reviewer east of UTC writing their own date
            _reviewed_later(cat, reporter, kind, eid, what, -age)
            continue
        if age <= limit:
            continue
        reporter.warning(
            cat.loc(kind, eid, ("reviewed",)),
            f"stale {what} '{eid}': last verified {age} days ago (limit {limit});"
            " left out of partner and public editions",
            "stale",
            (kind, eid),
        )


def _reviewed_later(
    cat: Catalog, reporter: Reporter, kind: str, eid: str, what: str, days: int
) -> None:
    """A `reviewed:` date after the as-of date: a slip of the year ("2027-11-10") kept the
    claim fresh for a year longer, and nothing said so. The date in the as-of year is the
    did-you-mean when it is not later too."""
    entity = cat.differentiators.get(eid) if kind == "differentiator" else cat.competitors.get(eid)
    reviewed = getattr(entity, "reviewed", None)
    meant = ""
    if reviewed is not None:
        with contextlib.suppress(ValueError):  # 29 February in another year
            this_year = reviewed.replace(year=cat.as_of.year)
            if this_year <= cat.as_of:
                meant = f" (did you mean {this_year.isoformat()}?)"
    stale_from = ""
    if reviewed is not None:
        later = reviewed + dt.timedelta(days=cat.config.review.max_age_days + 1)
        stale_from = f": it cannot go stale before {later.isoformat()}"
    reporter.warning(
        cat.loc(kind, eid, ("reviewed",)),
        f"{what} '{eid}' was reviewed {days} days after the as-of date"
        f" {cat.as_of.isoformat()}{stale_from}{meant}",
        "review-date",
        (kind, eid),
    )


def _jargon(cat: Catalog, reporter: Reporter, texts: Texts) -> None:
    if ("glossary", "glossary") in cat.broken:
        # read as empty, it would make every term it defines undefined jargon wherever the
        # text uses one: its own error is the finding until it reads
        return
    known = set(cat.glossary) | set(cat.config.jargon.allow)
    stems = wildcard_stems(known)
    for (kind, eid), strings in texts.items():
        if kind == "glossary":
            continue
        doc = cat.docs[(kind, eid)]
        for path, text in strings:
            if kind != "catalog" and cat.audience(kind, eid, path) == "internal":
                continue
            if is_proper_name(kind, path):
                continue
            for loc, message, code, word in undefined_jargon(doc, path, text, known, stems):
                # grouped by the word in the marketers' report; the rest by their entity
                reporter.warning(loc, message, code, ("term", word) if word else (kind, eid))


def _glossary_terms(cat: Catalog, reporter: Reporter) -> None:
    """Glossary terms that cannot work as written: one that is another in another case
    ("RPO" and "rpo": a term other than an acronym matches in any case, so a card's decoder
    listed both, with two meanings), and one holding an invisible character (a zero-width
    space pasted in with it), which no text writes, so it matched nothing."""
    first: dict[str, str] = {}
    for term in cat.glossary:
        loc = cat.docs[("glossary", "glossary")].key_loc((term,))  # at the term, not its meaning
        hidden = next((ch for ch in term if unicodedata.category(ch) == "Cf"), None)
        if hidden is not None:
            reporter.warning(
                loc,
                f"glossary term {term!r} holds U+{ord(hidden):04X}"
                f" {unicodedata.name(hidden, 'format character').lower()}, which no text writes:"
                " it matches nothing; retype the term",
                "glossary-term",
                ("term", term),
            )
        key = unicodedata.normalize("NFKC", term).casefold()
        if key in first:
            reporter.warning(
                loc,
                f"glossary term {term!r} is {first[key]!r} in another case: a text that writes"
                " one matches both, and its decoder explains it twice; keep one",
                "glossary-term",
                ("term", term),
            )
        first.setdefault(key, term)


def _long_fields(cat: Catalog, reporter: Reporter, texts: Texts) -> None:
    for subject, strings in texts.items():
        doc = cat.docs[subject]
        for path, text in strings:
            found = long_field(doc, path, text)
            past = _past_limits(text)
            if past is not None:
                # a field too long is said where long_field puts it, a word at the field
                loc = found[0] if found is not None else cat.loc(*subject, path)
                reporter.error(loc, f"'{shown_path(path) or 'text'}' {past}", "long-field", subject)
            elif found is not None:
                reporter.warning(*found, "long-field", subject)
            deep = richtext.nested_too_deep(text)
            if deep is not None:
                reporter.error(
                    cat.loc(*subject, path),
                    f"'{shown_path(path) or 'text'}' nests its lists too deep (about"
                    f" {(deep - 1) // 2} levels; the outputs show {(richtext.MAX_NESTING - 2) // 2}"
                    " and would leave out the rest of the text): flatten it",
                    "nested-too-deep",
                    subject,
                )


def _long_translations(reporter: Reporter, translated: Translated) -> None:
    """The hard limits of _long_fields for a translation, at its PO entry: the outputs of its
    language render it as they would the source text."""
    for locale, (kind, eid, _path), entry in translated:
        past = _past_limits(entry.text)
        if past is not None:
            reporter.error(entry.loc, f"the {locale} translation {past}", "long-field", (kind, eid))


def _past_limits(text: str) -> str | None:
    """What of `text` is past what any output can lay out (MAX_TEXT_CHARS, MAX_WORD_CHARS),
    said after the field's name, else None."""
    if len(text) > MAX_TEXT_CHARS:
        return (
            f"is {len(text):,} characters long; a text field holds at most {MAX_TEXT_CHARS:,}"
            f" (a card shows about {MAX_FIELD_CHARS:,}): shorten it, or link to a document"
        )
    word = longest_word(text) if len(text) > MAX_WORD_CHARS else ""
    if len(word) > MAX_WORD_CHARS:
        return (
            f"has a word of {len(word):,} characters ('{word[:20]}…'); a word has at most"
            f" {MAX_WORD_CHARS:,}: put spaces in it"
        )
    return None


def _coverage(cat: Catalog, reporter: Reporter) -> None:
    # a path or play file that exists but could not be read may use any entity: say nothing
    # about what it would cover until it reads, rather than warn falsely; so too for the
    # kind a reference names in vain (cat.dangling): the entity its typo meant looks unused
    broken = {kind for kind, _ in cat.broken}
    for pid, steps in cat.play_steps.items():
        if not steps and "path" not in broken and "play" not in cat.dangling:
            reporter.warning(
                cat.loc("play", pid),
                f"play '{pid}' is on no path",
                "play-without-path",
                ("play", pid),
            )
    for did, plays in cat.differentiator_plays.items():
        if not plays and "play" not in broken and "differentiator" not in cat.dangling:
            reporter.warning(
                cat.loc("differentiator", did),
                f"differentiator '{did}' is used by no play (add it to a play's why_us)",
                "unused-differentiator",
                ("differentiator", did),
            )
    for did, paths in cat.destination_paths.items():
        if not paths and "path" not in broken and "destination" not in cat.dangling:
            reporter.warning(
                cat.loc("destination", did),
                f"destination '{did}' has no path leading to it",
                "destination-without-path",
                ("destination", did),
            )
    for cid, plays in cat.competitor_plays.items():
        if not plays and "play" not in broken and "competitor" not in cat.dangling:
            reporter.warning(
                cat.loc("competitor", cid),
                f"competitor '{cid}' is in no play (add a talk track to a play's competitors)",
                "competitor-without-play",
                ("competitor", cid),
            )


def _names(cat: Catalog, reporter: Reporter) -> None:
    # a copied file with a new id and the old name: two cards, decks or kits a reader
    # cannot tell apart, in the portal's lists, a kit index or the partners' report
    for kind, folder in ENTITY_FOLDERS.items():
        first: dict[str, str] = {}
        for eid, entity in sorted(getattr(cat, folder).items()):
            name = getattr(entity, "name", None)
            if not isinstance(name, str):
                continue
            if _marked_up(name):
                reporter.warning(
                    cat.loc(kind, eid, ("name",)),
                    f"{kind} '{eid}' has Markdown in its name ({name!r}): a name is shown as"
                    " written, asterisks and brackets too, on every card, slide and page;"
                    " write it plain",
                    "markdown-in-name",
                    (kind, eid),
                )
            key = _name_key(name)
            if key not in first:
                first[key] = eid
                continue
            reporter.warning(
                cat.loc(kind, eid, ("name",)),
                f"{kind} '{eid}' has the name of {kind} '{first[key]}' ({name!r}): readers"
                " cannot tell the two apart; rename one, or remove the copy",
                "duplicate-name",
                (kind, eid),
            )


def _glyphs(cat: Catalog, reporter: Reporter, texts: Texts, translated: Translated) -> None:
    """A character no installed font draws (a private-use icon, a script with no font):
    every output shows it as a box, and nobody knew until a rep opened the card. One
    warning per character, at the first place the catalog (or a translation) writes it."""
    found: dict[str, tuple[Location, tuple[str, str], list[int]]] = {}

    def note(char: str, loc: Location, subject: tuple[str, str]) -> None:
        if char in found:
            found[char][2][0] += 1
        else:
            found[char] = (loc, subject, [0])

    def written() -> Iterator[tuple[str, Callable[[str], Location], tuple[str, str]]]:
        """Each text that is not plain ASCII, how to locate a character of it, its subject."""
        for (kind, eid), strings in texts.items():
            doc = cat.docs[(kind, eid)]
            for path, text in strings:
                if not glyphs.plain(text):
                    yield text, functools.partial(_at_char, doc, path, text), (kind, eid)
        for _locale, key, entry in translated:
            if not glyphs.plain(entry.text):
                yield entry.text, functools.partial(_at_entry, entry.loc), key[:2]

    coverage = None
    for text, locate, subject in written():
        coverage = coverage or glyphs.installed()
        if coverage is None:
            return  # fontconfig's tools are missing: nothing to judge by
        for char in glyphs.undrawable(text, coverage):
            note(char, locate(char), subject)
    for char, (loc, subject, more) in found.items():
        name = (
            unicodedata.name(char, "")
            or f"{_GLYPH_KINDS.get(unicodedata.category(char), 'unassigned')} character"
        )
        elsewhere = f" (and {more[0]} more place{'s' * (more[0] != 1)})" if more[0] else ""
        reporter.warning(
            loc,
            f"U+{ord(char):04X} {name.lower()} is in no installed font: every output would show"
            f" it as a box{elsewhere}; remove it, or install a font that has it",
            "missing-glyph",
            subject,
        )


#: a partner's contact fields, in the order its customer band prints them
_CONTACT_FIELDS = ("name", "email", "phone", "website")
_CONTACT_WORDS = {"name": "name", "email": "e-mail", "phone": "phone", "website": "website"}


def _band_contacts(cat: Catalog, reporter: Reporter) -> None:
    """A partner's contact the "Presented by" band of its customer briefs cannot hold whole:
    each field is kept whole on a line of the band's CONTACT_LINES, shrunk to 6 pt, so a
    field left off, or one too long for a line (cut with "…"), is told here, not found by a
    customer. The band's width is the kits' A4 page's (the theme fixes it)."""
    from salesplay.render.band import (
        CONTACT_LINES,
        KIT_PAGE_WIDTH_PT,
        MIN_TEXT_PT,
        contact_fit,
        text_width,
    )

    for pid, partner in sorted(cat.partners.items()):
        contact = partner.contact
        if contact is None:
            continue
        fields = {f: v for f in _CONTACT_FIELDS if (v := getattr(contact, f, None))}
        if not fields:
            continue
        fit = contact_fit(tuple(fields.values()), KIT_PAGE_WIDTH_PT)
        if not fit.dropped and not fit.cut:
            continue
        by_value = {v: f for f, v in reversed(fields.items())}
        lost = [by_value[v] for v in fit.cut + fit.dropped if v in by_value]
        first = lost[0]
        what = " and ".join(
            f"its {_CONTACT_WORDS[f]} would be "
            + ("cut with '…'" if fields[f] in fit.cut else "left off")
            for f in lost
        )
        longest = max(fields, key=lambda f: len(fields[f]))
        reporter.warning(
            cat.loc("partner", pid, ("contact", first)),
            f"partner '{pid}': the contact does not fit the 'Presented by' band of its customer"
            f" briefs ({CONTACT_LINES} lines of {text_width(KIT_PAGE_WIDTH_PT):.0f} pt, each field"
            f" whole, at {MIN_TEXT_PT:g} pt at the least): {what}; shorten the contact, its"
            f" {_CONTACT_WORDS[longest]} first ({len(fields[longest])} characters)",
            "band-contact-cut",
            ("partner", pid),
        )


#: a channel contact's fields, in the order its team band sets them
_CHANNEL_FIELDS = ("name", "email", "phone")


def _team_bands(cat: Catalog, reporter: Reporter, labels_of: Callable[[str], Labels]) -> None:
    """The vendor's channel contact the "For the sellers of …" band of a kit's team part
    cannot hold whole, in a language of the kits it goes to: its first line is a built-in
    label around the contact's name ("Your channel contact at Northwind: …"), which a
    translation may lengthen. Told once per contact (the catalog's `channel`, or a partner's
    own `channel_contact`), at its first field left off or cut, naming the languages."""
    from salesplay.render.band import CONTACT_LINES, KIT_PAGE_WIDTH_PT, contact_fit

    company = cat.config.company.name
    # which kits each contact goes to: the catalog's channel serves every partner without one
    users: dict[tuple[str, str], set[str]] = {}
    for pid, partner in sorted(cat.partners.items()):
        if partner.channel_contact is not None:
            users.setdefault(("partner", pid), set()).update(cat.kit_locales(pid))
        elif cat.config.channel is not None:
            users.setdefault(("catalog", "catalog"), set()).update(cat.kit_locales(pid))
    for (kind, eid), locales in users.items():
        channel = cat.partners[eid].channel_contact if kind == "partner" else cat.config.channel
        assert channel is not None  # only contacts given are gathered
        fields = {f: v for f in _CHANNEL_FIELDS if (v := getattr(channel, f, None))}
        lost: dict[str, str] = {}  # field → how it is lost, in the first language it is
        langs: list[str] = []
        for locale in sorted(locales):
            try:
                labels = labels_of(locale)
            except BuildFault:
                continue  # a label catalog that cannot be read is its own error
            lines = channel_contact_lines(company, tuple(fields.values()), labels)
            fit = contact_fit(lines, KIT_PAGE_WIDTH_PT, labels.lang)
            if not fit.dropped and not fit.cut:
                continue
            langs.append(locale)
            for field_, line in zip(fields, lines, strict=True):
                if line in fit.cut + fit.dropped:
                    lost.setdefault(field_, "cut with '…'" if line in fit.cut else "left off")
        if not lost:
            continue
        first = next(f for f in fields if f in lost)
        prefix = ("channel_contact",) if kind == "partner" else ("channel",)
        whose = (
            f"partner '{eid}': its channel contact"
            if kind == "partner"
            else ("the vendor's channel contact ('channel')")
        )
        what = " and ".join(
            f"its {'name line' if f == 'name' else _CONTACT_WORDS[f]} would be {how}"
            for f, how in lost.items()
        )
        reporter.warning(
            cat.loc(kind, eid, (*prefix, first)),
            f"{whose} does not fit the 'For the sellers of' band of the kits in"
            f" {', '.join(repr(lang) for lang in langs)} ({CONTACT_LINES} lines, each field"
            f" whole, at 6 pt at the least): {what}; shorten the contact, or the label"
            f" '{CHANNEL_CONTACT}' that leads its name (templates/locale/<language>.po)",
            "band-contact-cut",
            (kind, eid),
        )


def _band_names(cat: Catalog, reporter: Reporter, labels_of: Callable[[str], Labels]) -> None:
    """A partner's name too long for the first line of its kit's bands even at 6 pt ("For
    the sellers of <name> — not for customers"): the PDFs cut it with "…", where a
    300-character name was set at 2.4 pt without a word. Told once per partner, naming the
    languages of its kits whose bands cut it."""
    from salesplay.render.band import KIT_PAGE_WIDTH_PT, MIN_TEXT_PT, name_cut, text_width

    company = cat.config.company.name
    #: each locale's labels and (part, lead, trail) of its bands; None: none to judge
    wording: dict[str, tuple[Labels, list[tuple[str, str, str]]] | None] = {}
    for pid, partner in sorted(cat.partners.items()):
        contact, channel = partner.contact, partner.channel_contact or cat.config.channel
        own = tuple(v for f in _CONTACT_FIELDS if contact and (v := getattr(contact, f, None)))
        theirs = tuple(v for f in _CHANNEL_FIELDS if channel and (v := getattr(channel, f, None)))
        langs = []
        for locale in sorted(cat.kit_locales(pid)):
            if locale not in wording:
                try:
                    labels = labels_of(locale)
                except BuildFault:
                    labels = None  # a label catalog that cannot be read is its own error
                # a right-to-left band is laid out by WeasyPrint, which wraps the line
                wording[locale] = (
                    None
                    if labels is None or labels.direction == "rtl"
                    else (labels, [(p, *band_wording(labels, p)) for p in ("team", "customer")])
                )
            found = wording[locale]
            for part, lead, trail in found[1] if found else ():
                # the contacts on the band, made only for a long name (name_cut)
                others = (
                    functools.partial(tuple, own)
                    if part == "customer" or found is None
                    else functools.partial(channel_contact_lines, company, theirs, found[0])
                )
                if name_cut(lead, partner.name, trail, others, KIT_PAGE_WIDTH_PT):
                    langs.append(locale)
                    break
        if langs:
            reporter.warning(
                cat.loc("partner", pid, ("name",)),
                f"partner '{pid}': its name ({len(partner.name)} characters) does not fit the"
                f" first line of its kit's bands ({text_width(KIT_PAGE_WIDTH_PT):.0f} pt) even at"
                f" {MIN_TEXT_PT:g} pt, in {', '.join(repr(lang) for lang in langs)}: the PDFs"
                " cut it with '…'; shorten the name (the name it trades under, say)",
                "band-name-cut",
                ("partner", pid),
            )


def _at_char(doc: Document, path: YamlPath, text: str, char: str) -> Location:
    """Where the first `char` of the text at `path` is written in its file."""
    line, col = doc.column(path, text, text.index(char), char)
    return Location(doc.path, line, col)


def _at_entry(loc: Location, _char: str) -> Location:
    """Where a translation's character is: its PO entry."""
    return loc


#: what a character without a Unicode name is
_GLYPH_KINDS = {"Co": "private-use", "Cn": "unassigned"}


def _marked_up(name: str) -> bool:
    """Whether a name holds Markdown a text field would render (bold, italic, code, a link,
    a list or heading marker): names are plain, and show it as written."""
    paras = richtext.parse(name)
    return any(p.bullet or p.number is not None for p in paras) or any(
        r.bold or r.italic or r.code or r.href for p in paras for r in p.runs
    )


def _name_key(name: str) -> str:
    """A name as a reader tells it from others: case, spacing, Unicode's two ways of writing
    an accent (NFC, NFD) and characters that draw nothing (a zero-width space) aside."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    shown = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return " ".join(shown.split())


def _links(cat: Catalog, reporter: Reporter, texts: Texts, translated: Translated) -> None:
    # the renderers keep only http(s) and mailto links (richtext.safe_href): a file path
    # would break once a PDF or kit leaves build/, and javascript: is never clicked; say
    # so here, where the marketer wrote it, instead of dropping it in silence (an image too:
    # no output shows pictures from text). Which links
    # are dropped is the renderers' reading (richtext.dropped_links), never a pattern of
    # ours; the text is searched only for where each target is written.
    for (kind, eid), strings in texts.items():
        doc = cat.docs[(kind, eid)]
        for path, text in strings:
            said: set[tuple[str, int | None]] = set()
            uses: dict[DroppedLink, int] = {}
            for link in dropped_links(text):
                target, offset = _written_at(text, link, uses.get(link, 0))
                uses[link] = uses.get(link, 0) + 1
                if (target, offset) in said:
                    continue  # a reference definition used twice: one warning, there
                said.add((target, offset))
                line, col = (
                    doc.marks.get(path, (1, 1))
                    if offset is None
                    else doc.column(path, text, offset, target, fold=True)
                )
                reporter.warning(
                    Location(doc.path, line, col),
                    _dropped_message(target, link.image),
                    "dropped-link",
                    (kind, eid),
                )
    # a translation's links are dropped the same way: said at its PO entry
    for locale, (kind, eid, _path), entry in translated:
        targets = {
            (_written_at(entry.text, link, 0)[0], link.image) for link in dropped_links(entry.text)
        }
        for target, image in sorted(targets):
            reporter.warning(
                entry.loc,
                f"the {locale} translation: {_dropped_message(target, image)}",
                "dropped-link",
                (kind, eid),
            )


def _dropped_message(target: str, image: bool) -> str:
    if image:
        return (
            f"image '{target}' is left out of every output (its alt text stays): text fields"
            " show no pictures; remove it, or link to where it is published"
        )
    return (
        f"link to '{target}' is left out of every output (its text stays): only http(s) and"
        " mailto links are kept; link to where the file is published"
    )


def _sources(cat: Catalog, reporter: Reporter) -> None:
    """A proof's `source:` that no output links to (`javascript:`, a file path): left out of
    every output, the feeds too, as a link in text is (richtext.safe_href)."""
    for (kind, eid), doc in sorted(cat.docs.items()):
        items = doc.data.get("proof") if isinstance(doc.data, dict) else None
        for i, item in enumerate(items if isinstance(items, list) else ()):
            source = item.get("source") if isinstance(item, dict) else None
            if not isinstance(source, str) or safe_href(source) is not None:
                continue
            reporter.warning(
                doc.loc(("proof", i, "source")),
                f"source '{source}' is left out of every output: only http(s) and mailto links"
                " are kept; link to where the evidence is published",
                "dropped-link",
                (kind, eid),
            )


def _written_at(text: str, link: DroppedLink, nth: int) -> tuple[str, int | None]:
    """The link's target as ``text`` spells it, and the offset of its ``nth`` occurrence as
    a target (after '(', '<' or ':') in the lines that hold it, or of its last one (a
    reference definition used again); else its decoded spelling and None."""
    lines = text.split("\n")
    first, end = link.lines
    start = sum(len(line) + 1 for line in lines[:first])
    stop = start + sum(len(line) + 1 for line in lines[first:end])
    for spelling in (link.written, link.href):
        found = [
            at
            for m in re.finditer(re.escape(spelling), text[start:stop])
            for at in (start + m.start(),)
        ]
        if found:
            targets = [at for at in found if text[:at].rstrip()[-1:] in ("(", "<", ":")]
            found = targets or found
            return spelling, found[min(nth, len(found) - 1)]
    return link.written, None


# --- roadmap in prose -------------------------------------------------------------------

#: capability names and aliases reported per text field; the rest of the field is not read.
MAX_CAPABILITIES_PER_FIELD = 20
_WORD_RE = re.compile(r"\w+")


def _roadmap_prose(cat: Catalog, reporter: Reporter, texts: Texts, translated: Translated) -> None:
    """Free text that names a capability (its name or an alias) which the text's readers may
    not see as available: the structured roadmap label is right, the prose states it as fact.

    Like the jargon lint, one located warning per capability and field; linear time.
    """
    shown: dict[str, Audience] = {}  # the widest audience whose editions show it at all
    available: dict[str, Audience | None] = {}  # … show it as available (None: nobody)
    for pid, product in cat.products.items():
        for i, cap in enumerate(product.capabilities):
            ref = f"{pid}/{cap.id}"
            roadmap = cat.capability_roadmap.get(ref)
            if roadmap is None:
                continue
            widest = narrowest(cat.audience("product", pid, ("capabilities", i)), roadmap.ceiling)
            shown[ref], available[ref] = widest, widest if roadmap.available else None
    matchers: dict[Audience, _Phrases] = {}
    for reader in ("rep", "partner", "public"):
        phrases = [
            (name, ref)
            for ref, cap in cat.capabilities.items()
            if ref in available and not _reaches(available[ref], reader)
            for name in (cap.name, *cap.aliases)
        ]
        matchers[reader] = _Phrases(phrases)
    for (kind, eid), strings in texts.items():
        if kind == "catalog":
            continue
        doc = cat.docs[(kind, eid)]
        backers = set(cat.differentiators[eid].backed_by) if kind == "differentiator" else set()
        for path, text in strings:
            if kind == "product" and path[:1] == ("capabilities",):
                continue  # a capability's own name and aliases
            reader = cat.reader(kind, eid, path)
            if reader == "internal":
                continue
            if not matchers[reader].may_name(text):
                continue  # most texts name no capability: masking links is the slow part
            for offset, found, ref in matchers[reader].first_each(mask_links(text)):
                if ref in backers and _reaches(shown[ref], reader):
                    continue  # the claim's card shows this capability's roadmap label beside it
                line, col = doc.column(path, text, offset, found, fold=True)
                reporter.warning(
                    Location(doc.path, line, col),
                    _roadmap_message(cat, found, ref, reader, shown[ref]),
                    "roadmap-in-prose",
                    (kind, eid),
                )
    # a translation is read by the same readers as its source: it may not state as fact
    # what they may not see as available either, in the source's words or the locale's
    named: dict[str, list[tuple[str, str]]] = {}  # locale → a capability's translated name
    for locale, (kind, eid, path), entry in translated:
        if kind == "product" and path[-1:] == ("name",) and path[:1] == ("capabilities",):
            ref = _cap_ref(cat, eid, path)
            if ref in available:  # not one of a product with errors of its own
                named.setdefault(locale, []).append((entry.text, ref))
    local: dict[tuple[str, Audience], _Phrases] = {}
    for locale, (kind, eid, path), entry in translated:
        if kind == "catalog" or (kind == "product" and path[:1] == ("capabilities",)):
            continue
        reader = cat.reader(kind, eid, path)
        if reader == "internal":
            continue
        if (locale, reader) not in local:
            hidden = [
                (n, r) for n, r in named.get(locale, []) if not _reaches(available[r], reader)
            ]
            local[locale, reader] = _Phrases([*matchers[reader].phrases, *hidden])
        backers = set(cat.differentiators[eid].backed_by) if kind == "differentiator" else set()
        masked = mask_links(entry.text)
        hits = [(found, ref) for _offset, found, ref in local[locale, reader].first_each(masked)]
        # a name in a script written without spaces (Japanese, Chinese, Thai) is no whole
        # word of the text: it is looked for as it is written
        for name, ref in named.get(locale, []):
            if (
                UNSPACED_RE.search(name)
                and not _reaches(available[ref], reader)
                and name.casefold() in masked.casefold()
                and all(r != ref for _, r in hits)
            ):
                hits.append((name, ref))
        for found, ref in hits:
            if ref in backers and _reaches(shown[ref], reader):
                continue
            reporter.warning(
                entry.loc,
                f"the {locale} translation: "
                + _roadmap_message(cat, found, ref, reader, shown[ref]),
                "roadmap-in-prose",
                (kind, eid),
            )


def _cap_ref(cat: Catalog, product: str, path: YamlPath) -> str:
    """The ref (product/capability) of the capability at `path` of a product's file."""
    found = cat.products.get(product)
    index = path[1]
    if found is None or not isinstance(index, int) or index >= len(found.capabilities):
        return ""
    return f"{product}/{found.capabilities[index].id}"


def _reaches(widest: Audience | None, reader: Audience) -> bool:
    return widest is not None and may_see(reader, widest)


def _roadmap_message(cat: Catalog, found: str, ref: str, reader: str, widest: Audience) -> str:
    cap = cat.capabilities[ref]
    named = f"'{found}' names capability '{ref}'" + (
        f" ('{cap.name}')" if found.casefold() != cap.name.casefold() else ""
    )
    if may_see(reader, widest):  # type: ignore[arg-type]
        return (
            f"{named}, which is {cap.status} (not available), in text {reader} editions show as"
            " fact: label it as roadmap, or narrow this text's audience"
        )
    return (
        f"{named}, which {reader} editions do not show (it reaches {widest} editions at most),"
        f" in text {reader} editions show: remove it, or narrow this text's audience"
    )


class _Phrases:
    """Whole-word, case-insensitive search for many phrases at once (Aho-Corasick over words):
    one pass over a text whatever the number of phrases."""

    def __init__(self, phrases: list[tuple[str, str]]) -> None:
        self.phrases = phrases
        self.next: list[dict[str, int]] = [{}]
        self.ends: list[list[tuple[int, str]]] = [[]]  # (words in the phrase, key)
        self.first_words: set[str] = set()
        for phrase, key in phrases:
            words = [w.casefold() for w in _WORD_RE.findall(phrase)]
            if not words:
                continue
            node = 0
            for word in words:
                if word not in self.next[node]:
                    self.next[node][word] = len(self.next)
                    self.next.append({})
                    self.ends.append([])
                node = self.next[node][word]
            if all(k != key for _, k in self.ends[node]):
                self.ends[node].append((len(words), key))
            self.first_words.add(words[0])
        self.fail = [0] * len(self.next)
        self.out = [0] * len(self.next)  # nearest proper suffix node that ends a phrase (0: none)
        queue = list(self.next[0].values())
        for node in queue:  # breadth first: a node's fail link is set before its children's
            for word, child in self.next[node].items():
                queue.append(child)
                f = self.fail[node]
                while f and word not in self.next[f]:
                    f = self.fail[f]
                self.fail[child] = self.next[f][word] if node and word in self.next[f] else 0
                target = self.fail[child]
                self.out[child] = target if self.ends[target] else self.out[target]

    def may_name(self, text: str) -> bool:
        """False when no phrase can occur in the text (none of their first words does)."""
        return not self.first_words.isdisjoint(_WORD_RE.findall(text.casefold()))

    def first_each(self, text: str) -> list[tuple[int, str, str]]:
        """(offset, words as written, key) of each key's first occurrence, at most
        MAX_CAPABILITIES_PER_FIELD keys."""
        if not self.may_name(text):
            return []  # the word loop below is the slow part
        starts: list[int] = []
        found: dict[str, tuple[int, str, str]] = {}
        walked: set[int] = set()  # nodes whose whole output chain was reported in this text
        node = 0
        for m in _WORD_RE.finditer(text):
            starts.append(m.start())
            word = m.group().casefold()
            while node and word not in self.next[node]:
                node = self.fail[node]
            node = self.next[node].get(word, 0)
            hit = node if self.ends[node] else self.out[node]
            while hit and hit not in walked:
                walked.add(hit)
                for length, key in self.ends[hit]:
                    if key not in found and len(found) < MAX_CAPABILITIES_PER_FIELD:
                        begin = starts[len(starts) - length]
                        found[key] = (begin, text[begin : m.end()], key)
                hit = self.out[hit]
            if len(found) >= MAX_CAPABILITIES_PER_FIELD:
                break
        return sorted(found.values())

"""Built-in labels of one locale: the theme's gettext catalogs and Babel's formatting."""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from salesplay.themes import THEME_DIR

if TYPE_CHECKING:
    from salesplay.diagnostics import Diagnostic, Location

#: the locale the built-in labels are written in (msgids are English).
LABELS_SOURCE = "en"

Direction = Literal["ltr", "rtl"]

#: LEFT-TO-RIGHT MARK: a strong left-to-right character that draws nothing.
_LRM = "\u200e"


@dataclass(frozen=True)
class Labels:
    """The built-in labels and formats of one locale, as templates and decks use them.

    `gettext` translates a built-in label (an English msgid); an untranslated label stays
    English. Dates, numbers and percentages are formatted by Babel for the locale
    ("60 %" in German and French, "60%" in English; "30.11.2026").
    """

    locale: str = LABELS_SOURCE
    translations: gettext.NullTranslations = field(
        default_factory=gettext.NullTranslations, compare=False, repr=False
    )

    @functools.cached_property
    def direction(self) -> Direction:
        """'rtl' for right-to-left scripts (Arabic, Hebrew…), else 'ltr'."""
        from babel import Locale

        order = Locale.parse(self.locale).character_order
        return "rtl" if order == "right-to-left" else "ltr"

    @functools.cached_property
    def digest(self) -> str:
        """What the labels say, as a key part: every catalog of the chain, entry by entry (a
        label a project rewords in `templates/locale/` changes it; a file touched does not)."""
        import hashlib

        seen = hashlib.sha256(self.locale.encode())
        catalogs: gettext.NullTranslations | None = self.translations
        while catalogs is not None:
            # gettext lists a catalog's entries nowhere public: its _catalog and _fallback
            entries = getattr(catalogs, "_catalog", {})
            seen.update(repr(sorted(entries.items(), key=repr)).encode())
            catalogs = getattr(catalogs, "_fallback", None)
        return seen.hexdigest()

    @property
    def lang(self) -> str:
        """The BCP 47 tag for `lang` attributes: 'pt-BR' for Babel's 'pt_BR'."""
        return self.locale.replace("_", "-")

    def gettext(self, message: str) -> str:
        """A label as Python shows it. One without placeholders is shown as it is, so its
        `%%` (which the label check asks for, and a template's `_()` formats) is `%` here
        too: a deck titled "Nächste Schritte (100%% sicher)" where the card had "100%"."""
        found = self.raw_gettext(message)
        if "%" in found and not placeholders(message)[0]:
            found = found.replace("%%", "%")
        return found

    def raw_gettext(self, message: str) -> str:
        """A label as its catalog writes it (`%%` kept), for a caller that formats it with
        `%`: the templates' `_()`, which always does."""
        return self._directed(self.translations.gettext(message), message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = self.translations.ngettext(singular, plural, n)
        return self._directed(found, singular if n == 1 else plural)

    def _directed(self, found: str, english: str) -> str:
        """A label left in English on a right-to-left page, between left-to-right marks:
        without them "Why now?" reads "?Why now" there, and "30 seconds" "seconds 30"."""
        if found == english and self.locale != LABELS_SOURCE and self.direction == "rtl":
            return f"{_LRM}{found}{_LRM}"
        return found

    def date(self, value: dt.date, format: str = "medium") -> str:
        """A date as people of the locale read it ('30.11.2026'); the English source locale
        keeps ISO dates (2026-11-30), as its pages always had them."""
        if self.locale == LABELS_SOURCE:
            return value.isoformat()
        from babel.dates import format_date

        return str(format_date(value, format, locale=self.locale))

    @property
    def list_separator(self) -> str:
        """What separates the items of a list run into a line ("CIO, CISO"): the locale's
        comma, the Arabic one in Arabic, Persian and Urdu, the ideographic one in Japanese
        and Chinese ("CIO、CISO"; an Arabic card read "المؤسسات الكبيرة, الرعاية الصحية")."""
        language = self.locale.split("_")[0]
        if language in ("ar", "fa", "ur"):
            return "\u060c "
        if language in ("ja", "zh"):
            return "\u3001"
        return ", "

    def number(self, value: float) -> str:
        from babel.numbers import format_decimal

        return str(format_decimal(value, locale=self.locale))

    def percent(self, value: float) -> str:
        """`value` as a share of 1: percent(0.6) is '60\xa0%' in German, '60%' in Japanese;
        the English source locale keeps the '60 %' its labels always had."""
        if self.locale == LABELS_SOURCE:
            return f"{self.number(round(value * 100, 2))} %"
        from babel.numbers import format_percent

        return str(format_percent(value, locale=self.locale))


#: where a theme or project keeps its label catalogs: `<folder>/locale/<locale>.po`.
LOCALE_DIR = "locale"

#: a Python-format placeholder of a label: %(name)s, %(count)d; `%%` is a literal percent.
_PLACEHOLDER = re.compile(r"%(?:%|(\([A-Za-z_]\w*\)[sdif])|(.?))")


def N_(message: str) -> str:
    """Marks an English label for extraction; it is translated where it is shown."""
    return message


#: the first line of a kit's team band and decks: whom its sellers call at the vendor
CHANNEL_CONTACT = N_("Your channel contact at %(company)s: %(contact)s")

#: the quotation marks around a customer's objection (cards) and result (Proof slides); a
#: translation gives its language's own: „…“, « … », 「…」
QUOTE = N_("“%(quote)s”")


def quoted(text: str, translate: Callable[[str], str]) -> str:
    """`text` in the quotation marks of the language `translate` gives labels in (QUOTE);
    put in as it is, not %-formatted, so that nothing in it is read as a placeholder (a
    translation keeps the placeholder: see labels_for)."""
    return translate(QUOTE).replace("%(quote)s", text, 1)


#: the words around a partner's name on the band and deck mark of each part of its kit
BAND_WORDING = {
    "customer": N_("Presented by %(partner)s"),
    "team": N_("For the sellers of %(partner)s — not for customers"),
}


def band_wording(labels: Labels, part: str) -> tuple[str, str]:
    """(before, after) the partner's name on a band or deck of `part` ("customer", "team"),
    in `labels`' language (the label check holds each translation to the one %(partner)s
    placeholder)."""
    before, _, after = labels.gettext(BAND_WORDING[part]).partition("%(partner)s")
    return before, after


def channel_contact_lines(
    company: str, lines: Sequence[str], labels: Labels | None = None
) -> tuple[str, ...]:
    """The vendor's channel contact (its lines: name, e-mail, phone) as a team band and
    deck print it, in `labels`' language: its name after CHANNEL_CONTACT (none: nothing)."""
    if not lines:
        return ()
    first, *rest = lines
    said = (labels or Labels()).gettext(CHANNEL_CONTACT)
    return (said % {"company": company, "contact": first}, *rest)


def fallback_chain(locale: str) -> tuple[str, ...]:
    """The catalogs a locale's labels come from, most specific first: pt_BR, then pt."""
    parts = locale.split("_")
    return tuple("_".join(parts[:n]) for n in range(len(parts), 0, -1))


def catalog_files(locale: str, template_dirs: Sequence[Path]) -> list[tuple[Path, Path]]:
    """(PO file, the folder it must stay inside) of `locale`, least important first.

    The theme is last in `template_dirs` (render.theme.template_dirs), so its catalog comes
    first here and a project's override, read after it, wins entry by entry.
    """
    found = []
    for folder in reversed(template_dirs):
        path = folder / LOCALE_DIR / f"{locale}.po"
        if path.is_file():
            found.append((path, folder))
    return found


def labels_for(locale: str, template_dirs: Sequence[Path] = ()) -> Labels:
    """The labels of `locale`: the theme's catalog, entries of a project's override first.

    Untranslated, fuzzy or missing labels fall back along the locale's chain (pt_BR, pt),
    then to the English msgid. A PO file that cannot be read, or a translation whose
    placeholders differ from its msgid's, is a BuildFault located at the file and line.
    """
    dirs = tuple(template_dirs) or (THEME_DIR,)
    stamped = tuple(
        tuple(_stamp(path, root) for path, root in catalog_files(code, dirs))
        for code in fallback_chain(locale)
    )
    return Labels(locale, _translations(locale, stamped))


_Stamp = tuple[str, str, int, int]


def _stamp(path: Path, root: Path) -> _Stamp:
    """What the cache keys a PO file by: its path, its folder, and its stat."""
    info = path.stat()
    return str(path), str(root), info.st_mtime_ns, info.st_size


@functools.lru_cache(maxsize=64)
def _translations(locale: str, stamped: tuple[tuple[_Stamp, ...], ...]) -> gettext.NullTranslations:
    """The compiled labels of `locale` from its chain's files (cached by their stat)."""
    result: gettext.NullTranslations | None = None
    for files in stamped:
        if not files:
            continue
        compiled = _compile([(Path(path), Path(root)) for path, root, _, _ in files])
        if result is None:
            result = compiled
        else:
            result.add_fallback(compiled)
    return result or gettext.NullTranslations()


def _compile(files: list[tuple[Path, Path]]) -> gettext.NullTranslations:
    """The translated, non-fuzzy entries of `files`, a later file's entries winning."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    merged: Catalog | None = None
    for path, root in files:
        catalog = _read(path, root)
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            if message.id and _translated(message):
                # Babel's item assignment merges into an existing entry, keeping its string
                if message.id in merged:
                    del merged[message.id]
                merged[message.id] = message
    buffer = io.BytesIO()
    assert merged is not None
    for message in list(merged):
        if message.id and not _translated(message):
            del merged[message.id]
    # every file was read as UTF-8 (a label file is UTF-8 whatever its header says): the
    # compiled catalog is too, else a header's `charset=ASCII` (or xgettext's `CHARSET`)
    # could not encode the labels, or name no codec at all
    merged.charset = "utf-8"
    write_mo(buffer, merged, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def _translated(message: Any) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)


def _read(path: Path, root: Path) -> Any:
    """One PO file read by i18n.read_po_file, every translation's placeholders checked: a
    BuildFault at its first fault."""
    from salesplay.faults import BuildFault

    catalog, faults = _faults(path, root)
    if faults:
        raise BuildFault(*faults[0])
    return catalog


def _faults(path: Path, root: Path) -> tuple[Any, list[tuple[Location, str]]]:
    """A label catalog read (None when it cannot be), and (where, why) of each of its faults:
    the file's own, or every entry that would break its label (_problems)."""
    from salesplay.diagnostics import Location
    from salesplay.i18n import read_po_file
    from salesplay.load import LoadError

    try:
        catalog = read_po_file(path, root)
    except LoadError as exc:
        return None, [(Location(path, exc.line, exc.col), str(exc))]
    found = [(Location(path, line, 1), why) for line, why in _problems(catalog, path.stem)]
    return catalog, found


def _problems(catalog: Any, locale: str) -> list[tuple[int, str]]:
    """(line, why) of every entry of a label catalog that would break its label: its
    placeholders, its HTML tags, or (a plural entry) fewer or more forms than the
    language has: with 2 forms where Arabic has 6, gettext found no form for 5 days and
    the Arabic page showed the English label, though the theme translates it."""
    from babel.messages.plurals import get_plural

    try:
        forms = get_plural(locale).num_plurals
    except (ValueError, LookupError):  # no locale Babel knows: the file's own header rules
        forms = None
    found = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple) and forms is not None and not message.fuzzy:
            strings = message.string if isinstance(message.string, tuple) else ()
            if any(strings) and len(strings) != forms:
                why = (
                    f"translation of '{message.id[0]}' has {len(strings)} plural forms,"
                    f" '{locale}' has {forms}: write msgstr[0] to msgstr[{forms - 1}] (and"
                    f" the Plural-Forms header of the theme's locale/{locale}.po)"
                )
                found.append((message.lineno or 1, why))
                continue
        if not _translated(message):
            continue
        problem = placeholder_problem(message.id, message.string) or markup_problem(
            message.id, message.string
        )
        if problem:
            found.append((message.lineno or 1, problem))
    return found


def label_faults(template_dirs: Sequence[Path], locales: Sequence[str]) -> list[Diagnostic]:
    """An error at every faulty entry of every label catalog the build of `locales` reads
    (each locale's chain, pt_BR then pt), not only the first: `check` said one a run."""
    from salesplay.diagnostics import Diagnostic, Severity

    files = {
        path: root
        for locale in locales
        for code in fallback_chain(locale)
        for path, root in catalog_files(code, template_dirs)
    }
    return [
        Diagnostic(where, Severity.ERROR, why, "labels")
        for path, root in files.items()
        for where, why in _faults(path, root)[1]
    ]


#: an HTML tag in a label ("<strong>", "</code>"): its name, and whether it closes
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]*>")


def markup_problem(msgid: str | Sequence[str], msgstr: str | Sequence[str] | None) -> str | None:
    """Why a translation would break its label's HTML (a label of the kit index is
    "<strong>For your team</strong> …"), else None: its tags must be the msgid's, each
    kept, and each closed after it opens, in order (the page is autoescaped around the
    label, not inside it). A dropped or misplaced "</strong>" set the rest of the page in
    bold, and `check` said nothing. Tag names are compared in any case, as HTML reads them."""
    ids = (msgid,) if isinstance(msgid, str) else tuple(msgid)
    # a label without tags gets none either: its translation is written into the page as
    # HTML, so an added "<b>" set the rest of the page bold, and a "<script>" ran
    wanted = Counter(_tags(ids[0]))
    strings = (msgstr or "",) if isinstance(msgstr, str | None) else tuple(msgstr)
    for text in strings:
        tags = _tags(text)
        missing, extra = wanted - Counter(tags), Counter(tags) - wanted
        problems = [
            f"{what} " + ", ".join(f"<{close}{name}>" for close, name in sorted(found.elements()))
            for what, found in (("lacks", missing), ("adds", extra))
            if found
        ]
        if not problems:
            misplaced = _unnested(tags)
            problems = [misplaced] if misplaced else []
        if problems:
            return (
                f"translation of '{ids[0]}' {' and '.join(problems)}: keep each HTML tag of"
                " its msgid, and only those, each closed after it opens"
            )
    return None


#: tags that are never closed
_VOID = frozenset({"br", "wbr", "img", "hr"})


def _tags(text: str) -> list[tuple[str, str]]:
    """The tags of `text` in order, as ("" or "/", lower-case name)."""
    return [(close, name.lower()) for close, name in _TAG.findall(text)]


def _unnested(tags: Sequence[tuple[str, str]]) -> str | None:
    """What of `tags` is out of order: a tag closed before it is opened, or left open."""
    opened: list[str] = []
    for close, name in tags:
        if name in _VOID:
            continue
        if not close:
            opened.append(name)
        elif not opened or opened[-1] != name:
            return f"closes </{name}> where it is not open"
        else:
            opened.pop()
    return f"leaves <{opened[-1]}> open" if opened else None


def placeholders(text: str) -> tuple[set[str], str | None]:
    """The placeholders of a label as written ('%(name)s', '%(count)d'), and a stray '%' if
    it has one; a placeholder with another conversion ('%(name)d') is another placeholder,
    since formatting a name with it would fail."""
    names: set[str] = set()
    for match in _PLACEHOLDER.finditer(text):
        name, stray = match.groups()
        if name:
            names.add("%" + name)
        elif stray is not None:
            return names, "%" + stray
    return names, None


def placeholder_problem(
    msgid: str | Sequence[str], msgstr: str | Sequence[str] | None
) -> str | None:
    """Why a translation would break its label when formatted, else None."""
    ids = (msgid,) if isinstance(msgid, str) else tuple(msgid)
    wanted: set[str] = set()
    for text in ids:
        wanted |= placeholders(text)[0]
    strings = (msgstr or "",) if isinstance(msgstr, str | None) else tuple(msgstr)
    for text in strings:
        names, stray = placeholders(text)
        if stray is not None:
            return (
                f"translation of '{ids[0]}' has a stray '{stray}' "
                "(write '%%' for a percent sign, '%(name)s' for a placeholder)"
            )
        # a plural form may leave out the count ("one day"), never add a name
        extra, missing = names - wanted, wanted - names
        if extra or (missing and len(ids) == 1):
            return (
                f"translation of '{ids[0]}' has {_placeholders_said(names)}, its msgid has"
                f" {_placeholders_said(wanted)} ({_placeholder_fix(missing, extra)})"
            )
    return None


def _placeholder_fix(missing: set[str], extra: set[str]) -> str:
    """'write %(date)s instead of %(datum)s', 'put back %(date)s', 'take out %(x)s'."""
    if len(missing) == 1 and len(extra) == 1:
        return f"write {next(iter(missing))} instead of {next(iter(extra))}"
    fixes = [f"put back {', '.join(sorted(missing))}"] if missing else []
    fixes += [f"take out {', '.join(sorted(extra))}"] if extra else []
    return "; ".join(fixes)


def _placeholders_said(names: set[str]) -> str:
    """'no placeholders', 'the placeholder %(date)s', 'the placeholders %(a)s, %(b)s'."""
    if not names:
        return "no placeholders"
    return f"the placeholder{'s' * (len(names) > 1)} {', '.join(sorted(names))}"


def unused_overrides(
    project: Path | None, locales: Sequence[str], asked: Set[str]
) -> list[Diagnostic]:
    """A warning at each entry of the project's label overrides (`templates/locale/<locale>.po`)
    that no page shows: a msgid neither in the built-in theme's labels (`messages.pot`) nor
    `asked` for by the project's own templates (the strings their `_()` calls name), with
    the close one as a did-you-mean. Babel would keep it, and the page would show the
    built-in label without a word."""
    from salesplay.diagnostics import Diagnostic, Location, Severity, did_you_mean
    from salesplay.i18n import read_po_file

    if project is None or not project.is_dir():
        return []
    known = _builtin_msgids() | asked
    found = []
    # each catalog a locale's labels are read from: pt_BR's, then pt's (labels_for)
    codes = dict.fromkeys(code for locale in locales for code in fallback_chain(locale))
    for locale in codes:
        path = project / LOCALE_DIR / f"{locale}.po"
        if not path.is_file():
            continue
        try:
            catalog = read_po_file(path, project)
        except Exception:  # its faults are said where it is read (labels_for)
            continue
        plurals = _builtin_plurals()
        for message in catalog:
            if isinstance(message.id, str) and message.id and message.id not in known:
                said = f"label '{message.id}' is not one the pages show"
                hint = did_you_mean(message.id, sorted(known))
                if message.id in plurals:
                    # shown, with its plural: a plain entry is never looked up
                    said = f"label '{message.id}' has a plural form: write it with"
                    hint = (
                        f' msgid_plural "{plurals[message.id]}" and msgstr[0], msgstr[1], …'
                        " (one for each plural form of the language)"
                    )
                found.append(
                    Diagnostic(
                        Location(path, message.lineno or 1, 1),
                        Severity.WARNING,
                        f"{said}{hint}; it is not used",
                        "labels",
                    )
                )
    return found


@functools.cache
def _builtin_plurals() -> dict[str, str]:
    """The built-in labels with a plural form: singular → plural msgid."""
    from salesplay.i18n import read_po_file

    catalog = read_po_file(THEME_DIR / LOCALE_DIR / "messages.pot", THEME_DIR)
    return {m.id[0]: m.id[1] for m in catalog if isinstance(m.id, tuple) and len(m.id) == 2}


@functools.cache
def _builtin_msgids() -> frozenset[str]:
    """The msgids of the built-in theme's labels template (messages.pot)."""
    from salesplay.i18n import read_po_file

    catalog = read_po_file(THEME_DIR / LOCALE_DIR / "messages.pot", THEME_DIR)
    return frozenset(m.id for m in catalog if isinstance(m.id, str) and m.id)

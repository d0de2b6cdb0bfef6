"""Stage 2 schema: one typed model per catalog kind, each field documented beside it."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    RootModel,
    Tag,
)

Audience = Literal["internal", "rep", "partner", "public"]
#: the audience ladder, narrowest first.
AUDIENCES: tuple[Audience, ...] = ("internal", "rep", "partner", "public")
Status = Literal["ga", "beta", "launch-ready", "development", "concept"]
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: the longest id: ids name files (`<play>-enablement.pptx` in a kit, a playbook's parts
#: under `.salesplay/` with an 86-character key beside the id), and a file name has at most
#: 255 bytes (a kit's deepest path, which holds the partner's id twice once Windows unpacks
#: it, is held to the 259 characters Windows opens apart: audit._long_kit_paths)
MAX_ID_LENGTH = 64
#: names Windows gives to devices, with any suffix (`con.pdf` too): an id that is one names a
#: kit's file or folder a partner on Windows cannot unpack
WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
ISO_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: day and month in either order (12/01/2026, 25.12.2026), and year first with short parts.
_DAY_MONTH_RE = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4})$")
_YEAR_FIRST_RE = re.compile(r"^(\d{4})([./-])(\d{1,2})\2(\d{1,2})$")
#: 1 Dec 2026, 1st December 2026, Dec 1, 2026.
_DAY_NAME_RE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_NAME_DAY_RE = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
#: a decimal digit other than 0-9: full-width (２), Arabic-Indic (٢), Devanagari (२)…
_OTHER_DIGIT_RE = re.compile(r"(?![0-9])\d")


def _real_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_named(name: str) -> int | None:
    """1-12 for an English month name or its abbreviation of three letters or more."""
    lowered = name.lower()
    for number, month in enumerate(_MONTHS, 1):
        if len(lowered) >= 3 and month.lower().startswith(lowered):
            return number
    return None


def not_real_date(text: str) -> str:
    """Why 'YYYY-MM-DD' names no day: the year, the month or the day is past its end."""
    year, month, day = (int(part) for part in text.split("-"))
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return f"'{text}' is not a real date: there is no year {year} (years run from 0001 to 9999)"
    if not 1 <= month <= 12:
        return f"'{text}' is not a real date: there is no month {month}"
    if day == 0:
        return f"'{text}' is not a real date: days start at 01"
    last = calendar.monthrange(year, month)[1]
    return f"'{text}' is not a real date: {_MONTHS[month - 1]} {year} has {last} days"


def _date_hint(value: Any) -> str:
    """The YYYY-MM-DD a marketer meant by another spelling of a date, as a did-you-mean.

    Day and month in either order are told apart only when one of them is over 12: a guess
    at 12/01/2026 would be wrong for half of the readers, so both readings are offered.
    """
    text = str(value).strip()
    curly = "“”‘’„‚«»"
    if isinstance(value, str) and len(text) > 2 and text[0] in curly and text[-1] in curly:
        # quotes pasted from a word processor are not YAML's: they are part of the text
        inner = text[1:-1].strip()
        said = ": curly quotes are not YAML's, they are read as text"
        return f"{said}: write {inner}" if ISO_DATE_RE.match(inner) else said + _date_hint(inner)
    if isinstance(value, int) and len(text) == 8:
        # 20261001: the digits of a date without its hyphens
        found = _real_date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return f" (did you mean '{found}'?)" if found else ""
    if not isinstance(value, str):
        return ""
    meant: list[dt.date | None] = []
    if match := _YEAR_FIRST_RE.match(text):
        meant = [_real_date(int(match[1]), int(match[3]), int(match[4]))]
    elif match := _DAY_MONTH_RE.match(text):
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        meant = [_real_date(year, second, first), _real_date(year, first, second)]
    elif match := _DAY_NAME_RE.match(text):
        month = _month_named(match[2])
        meant = [_real_date(int(match[3]), month, int(match[1]))] if month else []
    elif match := _NAME_DAY_RE.match(text):
        month = _month_named(match[1])
        meant = [_real_date(int(match[3]), month, int(match[2]))] if month else []
    dates = list(dict.fromkeys(d for d in meant if d is not None))
    if len(dates) == 1:
        return f" (did you mean '{dates[0]}'?)"
    if len(dates) == 2:
        readings = [f"{d} for {d.day} {_MONTHS[d.month - 1]}" for d in dates]
        return f": write {' or '.join(readings)}"
    return ""


def _iso_date(value: Any) -> Any:
    """Accept a YAML date or a quoted 'YYYY-MM-DD'; never a number or a date-time."""
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date YYYY-MM-DD without a time of day")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and ISO_DATE_RE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(not_real_date(value)) from None
    hint = _date_hint(value)
    # other digits than 0-9 (２０２６, ٢٠٢٦) read as numbers but not as a date: say which
    expected = "expected a date YYYY-MM-DD"
    if isinstance(value, str) and _OTHER_DIGIT_RE.search(value):
        expected += " in the digits 0-9"
    if hint and not isinstance(value, bool):
        # the value is quoted in the message, before its fix: validation adds no 'found'
        shown = f"the number {value}" if isinstance(value, int) else f"'{value}'"
        raise ValueError(f"{expected}, found {shown}{hint}")
    raise ValueError(expected)


#: Unicode categories that draw nothing: spaces, separators, controls, format characters
#: (zero-width space and joiners, word joiner, BOM), unassigned and lone combining marks.
_INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"}
#: letters and symbols that are assigned yet render blank (Hangul fillers, braille blank).
_BLANK_CHARACTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def has_visible(value: str) -> bool:
    """Whether `value` has a character that draws something."""
    return any(
        unicodedata.category(ch) not in _INVISIBLE_CATEGORIES and ch not in _BLANK_CHARACTERS
        for ch in value
    )


def _visible(value: str) -> str:
    """A name someone can read: at least one character that draws something."""
    if has_visible(value):
        return value
    if not value:
        raise ValueError("a name cannot be empty")
    codes = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(value))
    raise ValueError(f"a name needs a visible character, this one holds only {codes}")


def _locale(value: str) -> str:
    """A locale Babel knows (de, ja, pt_BR, zh_Hant), with a did-you-mean on a typo."""
    if not _babel_knows(value):
        hint = locale_hint(value)
        raise ValueError(
            f"not a locale Babel knows{f' (did you mean {hint!r}?)' if hint else ''};"
            " e.g. de, ja, pt_BR"
        )
    meant = _alias_of(value)
    if meant is not None:
        # Babel reads `ger` as de_DE for dates and numbers, but labels, translations and the
        # output folder go by the name as written: a German build with English words
        raise ValueError(
            f"an old alias that Babel reads as {meant!r}, whose labels are not looked up under"
            f" it (did you mean {meant!r}?)"
        )
    cased = _babel_case(value)
    if cased != value:
        # Babel reads any case, but the output folder, the PO file's name and a partner's
        # locale go by the name as written: `DE` would be a second German next to `de`
        raise ValueError(
            "a locale is written in Babel's case, the language in lower case and a region"
            f" in upper case (did you mean {cased!r}?)"
        )
    return value


def _babel_case(value: str) -> str:
    """`value` in Babel's own case, separators as written: the spelling of a locale Babel
    lists (pt_BR, zh_Hant, ca_ES_VALENCIA, en_US_POSIX), else the language lower, a script
    (four letters) title and the rest upper (zh_TW, which Babel reads as zh_Hant_TW)."""
    first, *rest = re.split(r"([-_])", value)
    # after the language, separators and subtags alternate: _, Hant, _, TW
    listed = _babel_spellings().get("_".join([first, *rest[1::2]]).casefold())
    if listed is not None:  # as many subtags as written: no '_' but the separators
        language, *subtags = listed.split("_")
        return language + "".join(sep + tag for sep, tag in zip(rest[::2], subtags, strict=True))
    return first.lower() + "".join(
        part if n % 2 == 0 else part.title() if len(part) == 4 and part.isalpha() else part.upper()
        for n, part in enumerate(rest)
    )


@functools.cache
def _babel_spellings() -> dict[str, str]:
    """Every locale Babel lists, by its name case-folded."""
    from babel.localedata import locale_identifiers

    return {code.casefold(): code for code in locale_identifiers()}


def _alias_of(value: str) -> str | None:
    """The locale an alias Babel accepts stands for (ger: de, in: id, iw: he), or None
    when `value` names its language by the language's own code."""
    from babel import Locale

    parts = value.replace("-", "_").split("_")
    language = Locale.parse(value).language
    if language == parts[0].lower():
        return None
    meant = "_".join([language, *parts[1:]])
    return meant if _babel_knows(meant) else language


#: a country's code written for its language's, a mistake no spelling distance sees (jp is
#: Japan, ja Japanese); only codes Babel does not know as a language of their own.
_COUNTRY_NOT_LANGUAGE = {
    "at": "de",
    "by": "be",
    "cn": "zh",
    "cz": "cs",
    "dk": "da",
    "gb": "en",
    "gr": "el",
    "il": "he",
    "ir": "fa",
    "jp": "ja",
    "kr": "ko",
    "rs": "sr",
    "ua": "uk",
    "us": "en",
    "vn": "vi",
}
#: widely used locales, most used first: a typo as close to a rare locale as to one of these
#: ('dee': de, or Ewe's ee) means one of these.
_COMMON_LOCALES = (
    "en", "de", "fr", "es", "pt", "pt_BR", "it", "ja", "zh", "zh_Hans", "zh_Hant", "ko", "ru",
    "ar", "nl", "sv", "da", "nb", "fi", "pl", "cs", "tr", "el", "he", "uk", "hi", "id", "vi",
    "th", "fa", "ro", "hu",
)  # fmt: skip


def locale_hint(value: str) -> str | None:
    """The locale meant by a typo, a BCP 47 tag (de-DE), a country's code (jp) or a
    language's English name."""
    import difflib

    from babel import Locale
    from babel.localedata import locale_identifiers

    known = locale_identifiers()
    parts = value.replace("-", "_").split("_")
    # Babel's own spelling: language lower-case, script title-case, territory upper-case
    canonical = _babel_case("_".join(parts))
    for candidate in (canonical, "_".join(parts)):
        if _babel_knows(candidate):
            return candidate
    names = {name.casefold(): code for code, name in Locale("en").languages.items()}
    if value.casefold() in names and names[value.casefold()] in known:
        return str(names[value.casefold()])
    language = _COUNTRY_NOT_LANGUAGE.get(parts[0].lower())
    if language is not None:
        # jp_JP: ja_JP when Babel knows it, else the language alone
        with_rest = "_".join([language, *canonical.split("_")[1:]])
        return with_rest if _babel_knows(with_rest) else language
    matcher = difflib.SequenceMatcher(b=value)
    scores: dict[str, float] = {}
    for code in known:  # difflib.get_close_matches, keeping every best match
        matcher.set_seq1(code)
        if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6:
            score = matcher.ratio()
            if score >= 0.6:
                scores[code] = score
    if not scores:
        return None
    best = max(scores.values())
    rank = {code: n for n, code in enumerate(_COMMON_LOCALES)}
    return min(
        (code for code, score in scores.items() if score == best),
        key=lambda code: (rank.get(code, len(rank)), code),
    )


def _babel_knows(code: str) -> bool:
    """Whether `code` is a locale as catalog.yaml may spell it (zh_TW, which Babel reads
    as zh_Hant_TW, is)."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]{2,}")
_WEB = re.compile(r"(?:https?://)?[\w-]+(?:\.[\w-]+)+(?::\d+)?(?:[/?#]\S*)?", re.IGNORECASE)


# The same rules for editors (`salesplay schema`), in the ECMA-262 regexes JSON Schema
# takes (no inline flags, ASCII \w): a name with something visible, an address, a domain or
# http(s) URL (`javascript:…` is none: after a colon only a port's digits).
# A visible character: not a space, nor one of the characters has_visible finds blank
# (zero-width and bidi marks, soft hyphen, variation selectors, fillers, the braille blank).
_VISIBLE_PATTERN = (
    "[^\\s\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B-\\u200F"
    "\\u202A-\\u202E\\u2060-\\u206F\\u2800\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0]"
)
_EMAIL_PATTERN = r"^\s*[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]{2,}\s*$"
# a host label as check's `[\w-]+`: no ASCII punctuation but `-` and `_` (so no `@`: a
# `https://ours.example@evil.example` is refused), any letter of another script
_LABEL = r"[^\s!-,./:-@\[-^`{-~]+"
_WEB_PATTERN = (
    rf"^\s*(?:[Hh][Tt][Tt][Pp][Ss]?://)?{_LABEL}(?:\.{_LABEL})+(?::\d+)?(?:[/?#]\S*)?\s*$"
)
#: a date as `check` takes it; `format: date` alone is only a note to a 2020-12 validator
_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def _email(value: str) -> str:
    """An e-mail address as a partner's seller or a customer will read and type it."""
    if _EMAIL.fullmatch(value.strip()):
        return value
    raise ValueError("not an e-mail address (name@example.com)")


def _web(value: str) -> str:
    """A web address: a domain (www.example.com) or an http(s) URL; any other scheme
    (javascript:, file:) or a space is a mistake shown on every card and kit page."""
    if _WEB.fullmatch(value.strip()):
        return value.strip()  # as every output shows and links it
    raise ValueError("not a web address (https://www.example.com or www.example.com)")


IsoDate = Annotated[
    dt.date, BeforeValidator(_iso_date), Field(json_schema_extra={"pattern": _DATE_PATTERN})
]
#: a Babel locale identifier: language, optionally script and territory (de, pt_BR).
LocaleId = Annotated[str, AfterValidator(_locale)]
#: a display name (company, product, partner, play…): shown on every output, so never blank.
Name = Annotated[
    str, AfterValidator(_visible), Field(json_schema_extra={"pattern": _VISIBLE_PATTERN})
]
#: an e-mail address of a contact (name@example.com)
Email = Annotated[str, AfterValidator(_email), Field(json_schema_extra={"pattern": _EMAIL_PATTERN})]
#: a website: a domain or an http(s) URL
Web = Annotated[str, AfterValidator(_web), Field(json_schema_extra={"pattern": _WEB_PATTERN})]
#: a colour as '#RRGGBB' (validation explains any other spelling by this pattern).
COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
Colour = Annotated[str, Field(pattern=COLOUR_RE.pattern, examples=["#0B5FFF"])]
Id = Annotated[
    str,
    Field(
        pattern=ID_RE.pattern,
        max_length=MAX_ID_LENGTH,
        description=f"lower-case kebab-case id, at most {MAX_ID_LENGTH} characters",
    ),
]
Text = Annotated[str, Field(description="Markdown text")]
#: a list's item of Markdown text that may not be empty (translated as Text is)
ItemText = Annotated[str, Field(description="Markdown text", min_length=1)]
#: a short plain phrase readers see (a segment, a persona, an industry, the tagline):
#: translated, as Text is, but never read as Markdown
Phrase = Annotated[str, Field(description="a short phrase, translated")]


class Model(BaseModel):
    """Strict base: no unknown fields, no silent type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class Scoped(Model):
    """Anything that may narrow who sees it."""

    audience: Audience | None = Field(
        None,
        description="widest audience allowed to see this (internal < rep < partner < public);"
        " an item is never wider than what holds it. Unset at the top of a file means 'rep':"
        " partner kits and public decks then leave it out, and whatever rests on it (a claim"
        " backed only by it, a card's competitors or why-us); `salesplay check` warns where"
        " that empties a card or deck, `salesplay explain PLAY` lists every item left out",
    )


# --- catalog.yaml -----------------------------------------------------------------


class Company(Model):
    name: Name = Field(description="company name, shown on every output")
    tagline: Phrase | None = Field(None, description="one-line promise under the name")
    website: Web | None = Field(None, description="public website URL")
    logo: str | None = Field(None, description="path under assets/ of the company logo")


class Brand(Model):
    primary: Colour = Field("#0B5FFF", description="main brand colour (#RRGGBB)")
    accent: Colour = Field("#FF6B00", description="accent colour for badges and highlights")


class Review(Model):
    # at most a century: a review date plus the age must stay a date (year 9999 at most)
    max_age_days: int = Field(
        90, ge=1, le=36_500, description="claims reviewed longer ago are stale"
    )


class Confidence(Model):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, populate_by_name=False, defer_build=True
    )

    launch_ready: int = Field(
        95, alias="launch-ready", ge=0, le=100, description="% for launch-ready"
    )
    development: int = Field(60, ge=0, le=100, description="% for items in development")
    concept: int = Field(50, ge=0, le=100, description="% for concepts")


class Jargon(Model):
    allow: list[str] = Field(default_factory=list, description="acronyms needing no glossary entry")


class Releases(Model):
    tags: str = Field(
        "v*",
        min_length=1,
        description="git tags that mark a release (a glob, e.g. v* or release-*)",
    )
    keep: int = Field(5, ge=1, le=50, description="how many releases the What's new feeds list")


class ChannelContact(Model):
    """The vendor's channel contact: whom a partner's sellers call (never shown to customers)."""

    name: Name = Field(description="contact person or team")
    email: Email | None = Field(None, description="e-mail address")
    phone: str | None = Field(None, description="phone number")


class Tier(Model):
    """A partner tier written as a mapping: its id, and the name readers see."""

    id: Id = Field(description="tier id, as partners' `tier` and plays' `min_tier` name it")
    name: Name | None = Field(
        None, description="the tier's name on every output (e.g. Gold); default: its id"
    )


def _tier_form(value: Any) -> str:
    # one branch per spelling, so a slip in `{id: gold, nme: Gold}` is one error of the
    # mapping, not also "should be a string" (the branch names are dropped from the path)
    return "tier[mapping]" if isinstance(value, dict) else "tier[id]"


#: a tier in `tiers:`: its bare id (`gold`), or `{id: gold, name: Gold}`.
TierEntry = Annotated[
    Annotated[Id, Tag("tier[id]")] | Annotated[Tier, Tag("tier[mapping]")],
    Discriminator(_tier_form),
]


class CatalogConfig(Model):
    """catalog.yaml: company, brand, partner tiers, review policy."""

    company: Company = Field(description="the vendor")
    channel: ChannelContact | None = Field(
        None,
        description="the vendor's channel contact, shown to every partner's own team in its kit"
        " (index, team band, enablement decks); a partner's `channel_contact` overrides it",
    )
    brand: Brand = Field(default_factory=Brand, description="brand colours of the theme")
    tiers: list[TierEntry] = Field(
        min_length=1,
        description="partner tiers, lowest first: an id (gold), or {id: gold, name: Gold}"
        " to show the tier by a name",
    )
    review: Review = Field(default_factory=Review, description="claim review policy")
    confidence: Confidence = Field(
        default_factory=Confidence, description="roadmap stage → confidence %"
    )
    jargon: Jargon = Field(default_factory=Jargon, description="jargon rule settings")
    releases: Releases = Field(
        default_factory=Releases, description="which git tags are releases (What's new feeds)"
    )
    source_locale: LocaleId = Field("en", description="the language the catalog is written in")
    locales: list[LocaleId] = Field(
        default_factory=list,
        json_schema_extra={"uniqueItems": True},
        description="languages the catalog is translated into (Babel ids: de, ja, pt_BR);"
        " translations live in translations/<locale>.po (`salesplay i18n extract`)",
    )

    @property
    def tier_ids(self) -> list[str]:
        """The tiers' ids, lowest first (what partners and plays name)."""
        return [t if isinstance(t, str) else t.id for t in self.tiers]

    def tier_name(self, tier: str) -> str:
        """The name readers see for a tier: its `name`, else its id as written."""
        for t in self.tiers:
            if isinstance(t, Tier) and t.id == tier:
                return t.name or t.id
        return tier

    @property
    def translated(self) -> bool:
        """Whether the catalog is in more than its source language."""
        return not set(self.locales) <= {self.source_locale}


def _term(value: str) -> str:
    if not has_visible(value):
        raise ValueError("a glossary term needs a visible character: it would match every text")
    return value


def _meaning(value: str) -> str:
    if not has_visible(value):
        raise ValueError("a term's meaning needs a visible character: the decoder would show none")
    return value


_Term = Annotated[
    str, AfterValidator(_term), Field(json_schema_extra={"pattern": _VISIBLE_PATTERN})
]
_Meaning = Annotated[
    str, AfterValidator(_meaning), Field(json_schema_extra={"pattern": _VISIBLE_PATTERN})
]


class Glossary(RootModel[dict[_Term, _Meaning]]):
    """glossary.yaml: term → plain-language definition. Both need a visible character: an
    empty term matched every text, and put "— its meaning" on every card's decoder."""

    # for editors: a term with nothing visible matches no pattern, so it is refused
    model_config = ConfigDict(json_schema_extra={"additionalProperties": False})


# --- products ---------------------------------------------------------------------


class Capability(Scoped):
    id: Id = Field(description="capability id, referenced as product-id/capability-id")
    name: Name = Field(description="plain-language name")
    status: Status = Field(description="ga, beta, launch-ready, development or concept")
    eta: str | None = Field(None, description="expected availability, e.g. 2027-Q2")
    aliases: list[str] = Field(
        default_factory=list,
        description="other names it goes by in prose (e.g. 'ATEX Zone 0'): `check` warns where"
        " text an audience reads names it (or its name) while that audience may not see it as"
        " available",
    )


class Product(Scoped):
    """products/<id>.yaml"""

    id: Id | None = Field(None, description="must equal the file name")
    name: Name = Field(description="product name")
    summary: Text = Field(description="what it does, in one or two sentences")
    capabilities: list[Capability] = Field(min_length=1, description="what the product can do")


# --- competitors ------------------------------------------------------------------


class Pricing(Scoped):
    text: Text = Field(description="what they charge and how they discount")


class Competitor(Scoped):
    """competitors/<id>.yaml"""

    id: Id | None = Field(None, description="must equal the file name")
    name: Name = Field(description="competitor name")
    type: Literal["vendor", "status-quo", "diy"] = Field(description="vendor, status-quo or diy")
    summary: Text = Field(description="who they are in one sentence")
    quick_dismiss: Text | None = Field(
        None, description="one line a rep can say to dismiss them (on the competitor card)"
    )
    website: Web | None = Field(None, description="their website")
    has: list[str] = Field(default_factory=list, description="OUR capabilities they also have")
    strengths: list[Text] = Field(default_factory=list, description="where they are strong")
    weaknesses: list[Text] = Field(default_factory=list, description="where they are weak")
    pricing: Pricing | None = Field(None, description="pricing intelligence")
    reviewed: IsoDate = Field(description="when this intelligence was last checked")


# --- differentiators ---------------------------------------------------------------


class Versus(Scoped):
    competitor: str = Field(description="competitor id we beat")
    detail: Text | None = Field(None, description="how we beat them")


class Proof(Scoped):
    text: Text = Field(description="the evidence")
    source: str | None = Field(None, description="where it can be checked (URL)")


class Differentiator(Scoped):
    """differentiators/<id>.yaml"""

    id: Id | None = Field(None, description="must equal the file name")
    claim: Text = Field(description="the claim, as a rep would say it")
    type: Literal["unique", "comparative"] = Field(description="unique or comparative")
    backed_by: list[str] = Field(min_length=1, description="capabilities (product/capability)")
    versus: list[Versus] = Field(default_factory=list, description="whom we beat and how")
    proof: list[Proof] = Field(default_factory=list, description="evidence for the claim")
    reviewed: IsoDate = Field(description="when the claim was last verified")


# --- destinations and paths ----------------------------------------------------------


class Destination(Scoped):
    """destinations/<id>.yaml"""

    id: Id | None = Field(None, description="must equal the file name")
    name: Name = Field(description="the end state, e.g. 'Cyber-resilient enterprise'")
    promise: Text = Field(description="what the customer gets, measurably")
    outcomes: list[Text] = Field(default_factory=list, description="business outcomes")
    why_change: Text | None = Field(None, description="why the old way stops working")
    why_now: Text | None = Field(None, description="why act this quarter")
    personas: list[str] = Field(default_factory=list, description="who cares")
    products: list[str] = Field(default_factory=list, description="product ids used")


class Step(Scoped):
    play: str = Field(description="play id for this step")
    stage: Text | None = Field(None, description="where the customer is when entering here")
    entry_signals: list[Text] = Field(default_factory=list, description="signs they are here")
    milestone: Text | None = Field(None, description="what done looks like for this step")


class Path(Scoped):
    """paths/<id>.yaml"""

    id: Id | None = Field(None, description="must equal the file name")
    destination: str = Field(description="destination id this path leads to")
    name: Name = Field(description="name of the journey")
    steps: list[Step] = Field(min_length=1, description="ordered; enter at any step")


# --- plays ----------------------------------------------------------------------------


class Target(Scoped):
    segments: list[Phrase] = Field(default_factory=list, description="market segments")
    industries: list[Phrase] = Field(default_factory=list, description="industries")
    personas: list[Phrase] = Field(default_factory=list, description="who to talk to")
    economic_buyer: Phrase | None = Field(None, description="who signs")


class Objection(Scoped):
    objection: Text = Field(description="what the customer says")
    response: Text = Field(description="what the rep answers")


class PlayCompetitor(Scoped):
    competitor: str = Field(description="competitor id")
    landmines: list[Text] = Field(default_factory=list, description="questions that expose them")
    talk_track: Text | None = Field(None, description="how to position against them")


class CustomerProof(Scoped):
    customer: Name = Field(description="customer name")
    industry: Phrase | None = Field(None, description="customer industry")
    result: Text = Field(description="the measured result")
    source: str | None = Field(None, description="case study URL")


class PlayPartner(Scoped):
    role: Text | None = Field(None, description="the partner's role in the deal")
    value: Text | None = Field(None, description="what's in it for the partner")
    min_tier: str | None = Field(None, description="lowest partner tier that may sell this play")
    # the partner program: shown to partners' sellers (never on customer material), with
    # the block's audience like its other fields
    margin: Text | None = Field(
        None, min_length=1, description="margin or discount band, e.g. '20-30 % off list'"
    )
    deal_registration: Text | None = Field(
        None, min_length=1, description="how to register a deal, and what registering protects"
    )
    mdf: Text | None = Field(
        None, min_length=1, description="market development funds available for this play"
    )
    certification: Text | None = Field(
        None, min_length=1, description="certification a partner needs to sell this play"
    )
    incentives: list[ItemText] = Field(
        default_factory=list, description="current incentives (spiffs, rebates), one a line"
    )


class Play(Scoped):
    """plays/<id>.yaml"""

    id: Id | None = Field(None, description="must equal the file name")
    name: Name = Field(description="play name")
    summary: Text = Field(description="the play in one or two sentences")
    products: list[str] = Field(default_factory=list, description="product ids used")
    target: Target | None = Field(None, description="who to run it with")
    triggers: list[Text] = Field(default_factory=list, description="events that open the door")
    why_do_anything: Text = Field(description="why not stay with the status quo")
    why_now: Text = Field(description="why this quarter")
    why_us: list[str] = Field(min_length=1, description="differentiator ids")
    discovery: list[Text] = Field(min_length=1, description="discovery questions")
    qualification: list[Text] = Field(default_factory=list, description="qualification criteria")
    objections: list[Objection] = Field(default_factory=list, description="objection handling")
    competitors: list[PlayCompetitor] = Field(default_factory=list, description="talk tracks")
    proof: list[CustomerProof] = Field(default_factory=list, description="customer proof")
    handoff: Text | None = Field(None, description="when to bring in a specialist")
    next_steps: list[Text] = Field(min_length=1, description="what to propose next")
    partner: PlayPartner | None = Field(None, description="channel block; none = in no kit")


# --- partners ----------------------------------------------------------------------------


class Contact(Model):
    name: Name | None = Field(None, description="contact person")
    email: Email | None = Field(None, description="e-mail address")
    phone: str | None = Field(None, description="phone number")
    website: Web | None = Field(None, description="partner website")


class Partner(Scoped):
    """partners/<id>.yaml"""

    id: Id | None = Field(None, description="must equal the file name")
    name: Name = Field(description="partner name")
    tier: str = Field(description="one of the catalog's tiers")
    logo: str | None = Field(None, description="path under assets/ (PNG or SVG)")
    contact: Contact | None = Field(
        None, description="who customers call (on the kit's customer material only)"
    )
    channel_contact: ChannelContact | None = Field(
        None, description="this partner's channel contact at the vendor (overrides `channel`)"
    )
    regions: list[str] = Field(default_factory=list, description="where they sell")
    locale: LocaleId | list[LocaleId] | None = Field(
        None,
        description="the language(s) of this partner's kit: the source locale or ones of the"
        " catalog's `locales`; a list gives one kit per language (default: the source locale)",
    )


@dataclass(frozen=True)
class Kind:
    """A kind of catalog document: its name, its folder (None: one top-level file), its model."""

    name: str
    folder: str | None
    model: type[BaseModel]


#: Every kind of catalog document, in catalog order: the one list that the loader (folder
#: → kind), validation and `salesplay schema` (kind → model) and resolve (the Catalog's
#: table of each entity kind, named like its folder) read.
DOCUMENT_KINDS: tuple[Kind, ...] = (
    Kind("catalog", None, CatalogConfig),
    Kind("glossary", None, Glossary),
    Kind("product", "products", Product),
    Kind("competitor", "competitors", Competitor),
    Kind("differentiator", "differentiators", Differentiator),
    Kind("destination", "destinations", Destination),
    Kind("path", "paths", Path),
    Kind("play", "plays", Play),
    Kind("partner", "partners", Partner),
)
#: kind → model; the folder (or top-level file) decides the kind.
MODELS: Mapping[str, type[BaseModel]] = MappingProxyType({k.name: k.model for k in DOCUMENT_KINDS})
#: entity kind → its folder under the catalog, which also names its table in the Catalog.
ENTITY_FOLDERS: Mapping[str, str] = MappingProxyType(
    {k.name: k.folder for k in DOCUMENT_KINDS if k.folder is not None}
)


def narrowest(*audiences: Audience) -> Audience:
    """The narrowest of the given audiences on the ladder."""
    return min(audiences, key=AUDIENCES.index)


def may_see(viewer: Audience, item: Audience) -> bool:
    """Whether an edition for `viewer` may hold an item whose effective audience is `item`."""
    return AUDIENCES.index(item) >= AUDIENCES.index(viewer)

"""Locale-qualified output paths: where the outputs of each locale live under --out."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

#: a locale's folder at the top of --out: the Babel id as catalog.yaml spells it (de, pt_BR).
#: No family's top-level folder or file is two or three lower-case letters.
_LOCALE_DIR = re.compile(r"[a-z]{2,3}(?:_[A-Za-z0-9]{2,8})*")


def localized_path(rel: str, locale: str, source_locale: str) -> str:
    """Where the `locale` edition of the output `rel` lives: the same path under the
    locale's folder (de/battlecards/x.pdf, de/site/index.html, ar/kits/acme.zip), so every
    relative link between a locale's outputs works as in the source locale, which keeps
    `rel`. The one rule for locale-qualified paths: families, links, serve and tests use it."""
    return rel if locale == source_locale else f"{locale}/{rel}"


def locale_folders(out: Path) -> list[str]:
    """The folders of `out` that hold a language's outputs (localized_path): named as a
    locale, never a link."""
    try:
        found = [e.name for e in os.scandir(out) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    return sorted(name for name in found if _LOCALE_DIR.fullmatch(name))


def delocalized(rel: str) -> tuple[str, str | None]:
    """(the source-locale path, the locale) of an output path; the locale is None for a
    source-locale path."""
    head, sep, rest = rel.partition("/")
    if sep and _LOCALE_DIR.fullmatch(head):
        return rest, head
    return rel, None


@dataclass(frozen=True)
class Language:
    """One entry of a page's language switcher (template API: `languages`)."""

    #: the Babel locale id ('de', 'pt_BR')
    code: str
    #: the BCP 47 tag for `lang`/`hreflang` ('pt-BR')
    lang: str
    #: the language's name in itself ('Deutsch', '日本語', 'العربية')
    name: str
    #: the same page in that language, relative to the page
    href: str
    #: whether it is the page's own language
    current: bool


@functools.cache
def native_name(code: str) -> str:
    """A language's name in itself, capitalised: 'Deutsch', '日本語', 'العربية'."""
    from babel import Locale

    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def languages(rel: str, locale: str, locales: tuple[str, ...]) -> tuple[Language, ...]:
    """The switcher of the output `rel` (its source-locale path) made in `locale`: the same
    page in every locale of the build; empty when the build has one locale."""
    if len(locales) < 2:
        return ()
    here = localized_path(rel, locale, locales[0])
    up = "../" * here.count("/")
    found = []
    for code in locales:
        found.append(
            Language(
                code,
                code.replace("_", "-"),
                native_name(code),
                up + localized_path(rel, code, locales[0]),
                code == locale,
            )
        )
    return tuple(found)

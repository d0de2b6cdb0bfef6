"""Built-in labels of one locale: the theme's gettext catalogs and Babel's formatting."""

from __future__ import annotations

import datetime as dt
import functools
import gettext
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

#: the locale the built-in labels are written in (msgids are English).
LABELS_SOURCE = "en"

Direction = Literal["ltr", "rtl"]


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

    @property
    def lang(self) -> str:
        """The BCP 47 tag for `lang` attributes: 'pt-BR' for Babel's 'pt_BR'."""
        return self.locale.replace("_", "-")

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def date(self, value: dt.date, format: str = "medium") -> str:
        from babel.dates import format_date

        return str(format_date(value, format, locale=self.locale))

    def number(self, value: float) -> str:
        from babel.numbers import format_decimal

        return str(format_decimal(value, locale=self.locale))

    def percent(self, value: float) -> str:
        """`value` as a share of 1: percent(0.6) is '60 %' in German, '60%' in English."""
        from babel.numbers import format_percent

        return str(format_percent(value, locale=self.locale))


def labels_for(locale: str, template_dirs: Sequence[Path] = ()) -> Labels:
    """The labels of `locale`: the theme's catalog, entries of a project's override first.

    (The catalogs themselves are added by the label work of issue 11; until then every
    locale's labels are English, formatted for the locale.)
    """
    return Labels(locale)

"""Canary strings planted in tests/roots/canary and the audiences that must never see them."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CANARY_ROOT = Path(__file__).resolve().parent / "roots" / "canary"
#: `kqz` + family + two digits in the catalog; `kqy` + the same in its translations
#: (LOCALE), so a scan tells which one reached an output.
CANARY_RE = re.compile(r"kq[zy](int|rep|dev|lr|stale|prt|gold|nokit)\d\d")
SOURCE_MARK, TRANSLATED_MARK = "kqz", "kqy"
#: canary family → audiences that may see it.
ALLOWED: dict[str, set[str]] = {
    "int": {"internal"},
    "rep": {"internal", "rep"},
    "dev": {"internal", "rep"},
    "stale": {"internal", "rep"},
    "lr": {"internal", "rep", "partner"},
    "prt": {"internal", "rep", "partner"},  # partner block, program: the partner's team only
    "gold": {"internal", "rep", "partner"},  # a gold-only play: gold kits only
    "nokit": {"internal", "rep", "partner"},  # a play whose partner block is hidden: no kit
}
#: canary family → the tiers whose kits may show it (a family not listed: every tier's kit,
#: as ALLOWED says for the member's audience).
KIT_TIERS: dict[str, set[str]] = {"gold": {"gold"}, "nokit": set()}

#: the locale the localized canary catalog adds, and its partner (gold, kits in LOCALE only)
LOCALE = "de"
LOCALE_PARTNER = "de-partner"
_LOCALE_PARTNER_YAML = """\
name: Deutscher Partner
tier: gold
contact: {name: Dora Deutsch, email: dora@de-partner.example, phone: "+49 40 5550 0000"}
locale: de
audience: partner
"""


def planted() -> set[str]:
    """Every canary planted in the canary catalog."""
    found: set[str] = set()
    for path in CANARY_ROOT.rglob("*.yaml"):
        found |= {m.group(0) for m in CANARY_RE.finditer(path.read_text())}
    return found


def family_of(canary: str) -> str:
    return CANARY_RE.fullmatch(canary).group(1)  # type: ignore[union-attr]


def forbidden_for(audience: str) -> set[str]:
    return {c for c in planted() if audience not in ALLOWED[family_of(c)]}


def leaks(text: str, audience: str) -> set[str]:
    """Canaries in `text` (source or translated) that an output for `audience` must not
    contain: a translation is restricted exactly like its source."""
    found = {m.group(0) for m in CANARY_RE.finditer(text)}
    return {c for c in found if audience not in ALLOWED[family_of(c)]}


def translated(source: str) -> str:
    """The LOCALE translation the canary catalog carries for a source text: marked German,
    its canaries turned into translated ones."""
    return "Übersetzt: " + source.replace(SOURCE_MARK, TRANSLATED_MARK)


def localized_root(dest: Path, extract: Callable[[Path], None]) -> Path:
    """A copy of the canary catalog at `dest` that declares LOCALE, holds LOCALE_PARTNER and a
    translations/LOCALE.po (made by `extract(root)`, i.e. `salesplay i18n extract`) whose
    every text holding a canary is translated, with its own translated canaries. Only those
    texts: the translations are what the scan needs, the renders of the locale cost the same
    either way."""
    shutil.copytree(CANARY_ROOT, dest)
    config = dest / "catalog.yaml"
    config.write_text(config.read_text() + f"source_locale: en\nlocales: [{LOCALE}]\n")
    (dest / "partners" / f"{LOCALE_PARTNER}.yaml").write_text(_LOCALE_PARTNER_YAML)
    extract(dest)
    po = dest / "translations" / f"{LOCALE}.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.context and isinstance(message.id, str) and SOURCE_MARK in message.id:
            message.string = translated(message.id)
    with po.open("wb") as f:
        write_po(f, catalog, width=76)
    return dest


def planted_translations(root: Path) -> set[str]:
    """Every translated canary in the LOCALE.po of a localized_root."""
    text = (root / "translations" / f"{LOCALE}.po").read_text(encoding="utf-8")
    return {m.group(0) for m in CANARY_RE.finditer(text) if m.group(0).startswith(TRANSLATED_MARK)}

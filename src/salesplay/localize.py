"""A checked catalog in one locale: its current translations in place of the source text."""

from __future__ import annotations

import dataclasses
from typing import Any

from salesplay.i18n import GLOSSARY, TAGLINE_KEY, Status, translated_glossary
from salesplay.load import YamlPath
from salesplay.models import ENTITY_FOLDERS, Tier
from salesplay.resolve import Catalog


def localized(cat: Catalog, locale: str) -> Catalog:
    """`cat` with every current translation of `locale` in place of its source text.

    A stale or missing translation leaves the source text (an outdated translated claim may
    be false). Each translation sits in the field it translates, so the editions made from
    the result restrict it exactly like its source: the one visibility policy decides.
    """
    translations = cat.translations
    if locale == translations.source_locale:
        return cat
    found: dict[tuple[str, str], list[tuple[YamlPath, str]]] = {}
    for key in translations.entries.get(locale, {}):
        source = translations.sources.get(key)
        if source is None:
            continue
        text, status = translations.text(locale, *key, source)
        if status is Status.TRANSLATED:
            found.setdefault((key[0], key[1]), []).append((key[2], text))
    if not found:
        return cat
    tables: dict[str, Any] = {}
    if any(kind == GLOSSARY for kind, _ in found):
        tables["glossary"] = translated_glossary(translations, locale, cat.glossary)[0]
        found = {k: v for k, v in found.items() if k[0] != GLOSSARY}
    config = found.pop(("catalog", "catalog"), [])
    names = {path[1]: text for path, text in config if path[0] == "tiers"}
    tagline = next((text for path, text in config if path == TAGLINE_KEY[2]), None)
    for (kind, eid), texts in found.items():
        folder = ENTITY_FOLDERS[kind]
        table: dict[str, Any] = tables.setdefault(folder, dict(getattr(cat, folder)))
        if eid not in table:
            continue  # a broken file: no model to translate
        model = table[eid]
        for path, text in texts:
            model = _replaced(model, path, text)
        table[eid] = model
    result = dataclasses.replace(cat, **tables)
    if tagline is not None:
        company = cat.config.company.model_copy(update={"tagline": tagline})
        result.config = cat.config.model_copy(update={"company": company})
    if names:
        tiers = [
            t.model_copy(update={"name": names[t.id]}) if isinstance(t, Tier) and t.id in names
            else t
            for t in cat.config.tiers
        ]  # fmt: skip
        result.config = result.config.model_copy(update={"tiers": tiers})
    if "products" in tables:
        result.capabilities = {
            ref: next(c for c in result.products[ref.split("/", 1)[0]].capabilities if c.id == cid)
            for ref in cat.capabilities
            for cid in [ref.split("/", 1)[1]]
        }
    return result


def _replaced(node: Any, path: YamlPath, text: str) -> Any:
    """A copy of `node` with the text at `path` replaced (models and lists copied, not changed)."""
    if not path:
        return text
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(node)
        items[head] = _replaced(items[head], rest, text)
        return items
    return node.model_copy(update={head: _replaced(getattr(node, head), rest, text)})

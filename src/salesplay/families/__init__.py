"""Output families: one module each, and the one registry build, serve, kits and tests read.

The registry names each family's module; a module is imported when its family is first
needed, so a build with nothing to do never loads the renderers.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesplay.families.base import Family

#: every output family (its `--only` kind → its module), in the order a build plans them:
#: the playbooks first, whose long documents start while the others are planned
#: (engine.early). A new family is one module and one line here.
REGISTRY: tuple[tuple[str, str], ...] = (
    ("playbooks", "salesplay.families.playbooks"),
    ("battlecards", "salesplay.families.battlecards"),
    ("decks", "salesplay.families.decks"),
    ("matrix", "salesplay.families.matrix"),
    ("competitors", "salesplay.families.competitors"),
    ("site", "salesplay.families.site"),
    ("reports", "salesplay.families.reports"),
    ("feed", "salesplay.families.feed"),
    ("kits", "salesplay.families.kits"),
)
#: the `--only` kinds.
KINDS: tuple[str, ...] = tuple(name for name, _ in REGISTRY)


def family(name: str) -> Family:
    """The family called `name` (KeyError if none is)."""
    module = dict(REGISTRY)[name]
    # sys.modules first: a build asks for the families of every output it records
    loaded = sys.modules.get(module) or importlib.import_module(module)
    fam: Family = loaded.FAMILY
    return fam


def families() -> tuple[Family, ...]:
    """Every family, in registry order."""
    return tuple(family(name) for name in KINDS)


def owner(rel: str) -> Family | None:
    """The family that owns the output path `rel` (the one answer to "where does X live")."""
    # a build asks this of every output several times (records, pruning, warnings): each
    # path is matched once per registry (a test may register a family); the family itself
    # is looked up each time, as a test may replace one
    known = _OWNERS.setdefault((REGISTRY, KINDS), {})
    if rel not in known:
        if len(known) >= _OWNERS_KEPT:
            known.clear()  # a long `serve` session: paths of outputs since removed
        known[rel] = next((fam.name for fam in families() if fam.owns(rel)), None)
    name = known[rel]
    return None if name is None else family(name)


_OWNERS: dict[tuple[object, ...], dict[str, str | None]] = {}
_OWNERS_KEPT = 200_000


__all__ = ["KINDS", "REGISTRY", "families", "family", "owner"]

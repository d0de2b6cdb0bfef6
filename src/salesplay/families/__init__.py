"""Output families: one module each, and the one registry build, serve, kits and tests read.

The registry names each family's module; a module is imported when its family is first
needed, so a build with nothing to do never loads the renderers.
"""

from __future__ import annotations

import functools
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
    ("partners", "salesplay.families.partners"),
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
    # the family itself is looked up each time: a test may replace one
    name = _owner_name(rel, REGISTRY, KINDS)
    return None if name is None else family(name)


@functools.lru_cache(maxsize=200_000)
def _owner_name(rel: str, _registry: object, _kinds: object) -> str | None:
    # a build asks who owns each output several times (records, pruning, warnings): a path
    # is matched against the families' globs once per registry (a test may register one)
    return next((fam.name for fam in families() if fam.owns(rel)), None)


#: where the README's "What you get" table stands (tools/readme_table.py writes between them)
TABLE_START = "<!-- families: written by tools/readme_table.py from the registry -->"
TABLE_END = "<!-- /families -->"


def readme_table() -> str:
    """The README's "What you get" table, made from the registry: each family's rows
    (Family.table_rows), in registry order."""
    head = [
        "| family (`--only`) | output | audience edition | what it is for |",
        "|---|---|---|---|",
    ]
    return "\n".join([*head, *(row for fam in families() for row in fam.table_rows())])


__all__ = [
    "KINDS",
    "REGISTRY",
    "TABLE_END",
    "TABLE_START",
    "families",
    "family",
    "owner",
    "readme_table",
]

"""What `serve` shows and rebuilds in which pass, read from the output-family registry."""

from __future__ import annotations

from collections.abc import Sequence

from salesplay.families import families
from salesplay.families.base import Family


def served_families() -> tuple[Family, ...]:
    """The families serve hands out: the rep portal and what it links to."""
    return tuple(fam for fam in families() if fam.served)


def quick_kinds() -> tuple[str, ...]:
    """Rebuilt first after a save (the pages), so that the browser reloads within a second."""
    return tuple(fam.name for fam in served_families() if fam.quick)


def slow_kinds() -> tuple[str, ...]:
    """Rebuilt in the background after the quick pass: the served files behind the pages
    (PDFs, decks) first, then every family serve does not show (playbooks, kits), so that
    build/ ends up as `salesplay build` leaves it."""
    served = [fam.name for fam in served_families() if not fam.quick]
    rest = [fam.name for fam in families() if not fam.served]
    return (*served, *rest)


def is_served(kind: str) -> bool:
    """Whether the family called `kind` is one serve hands out."""
    return any(fam.name == kind for fam in served_families())


def allowed(path: str, served: Sequence[Family] | None = None) -> bool:
    """Whether a normalized request path ('/site/index.html') is an output of a served
    family (`served`, else the registry's). A folder ('/site/x/') counts when its
    index.html would be."""
    rel = path.lstrip("/")
    if not rel:
        return False
    if rel.endswith("/"):
        rel += "index.html"
    return any(fam.owns(rel) for fam in (served_families() if served is None else served))


def source_roots() -> tuple[str, ...]:
    """The top folders (or files) of the source locale's served outputs: a served path whose
    first part is none of these is a translated output, under its locale's folder."""
    patterns = (pattern for fam in served_families() for pattern, _audience in fam.outputs)
    return tuple(sorted({pattern.split("/", 1)[0] for pattern in patterns}))

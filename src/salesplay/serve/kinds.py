"""What `serve` shows and rebuilds in which pass, read from the output-family registry."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from pathlib import Path

from salesplay.families import families, family
from salesplay.families.base import Family
from salesplay.locales import delocalized
from salesplay.models import ENTITY_FOLDERS, Audience, may_see


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
    family (`served`, else the registry's) made for reps or a wider audience. A folder
    ('/site/x/') counts when its index.html would be.

    The audience is part of the rule, not a second one: serve is the rep portal, so an
    output made from a narrower edition (internal, or the marketers' None) is never handed
    out, even by a family marked `served` by mistake."""
    rel = path.lstrip("/")
    if not rel:
        return False
    if rel.endswith("/"):
        rel += "index.html"
    return not _narrower_in_any_case(rel) and any(
        fam.owns(rel) and _for_reps(fam.audience_of(rel))
        for fam in (served_families() if served is None else served)
    )


def _narrower_in_any_case(rel: str) -> bool:
    """Whether `rel`, its letters in any case, is an output path made for fewer than reps
    (competitors/Internal/acme.pdf): on a file system that ignores case (macOS, Windows) it
    opens that output, while only competitors/*.pdf, a rep pattern, matches its spelling."""
    folded = delocalized(rel)[0].casefold()
    return any(
        fnmatch.fnmatchcase(folded, pattern.casefold()) and not _for_reps(audience)
        for fam in families()
        for pattern, audience in fam.outputs
    )


def _for_reps(audience: Audience | None) -> bool:
    """Whether an output made for `audience` is one reps may read (rep, partner, public)."""
    return audience is not None and may_see("rep", audience)


def source_roots() -> tuple[str, ...]:
    """The top folders (or files) of the source locale's served outputs: a served path whose
    first part is none of these is a translated output, under its locale's folder."""
    patterns = (pattern for fam in served_families() for pattern, _audience in fam.outputs)
    return tuple(sorted({pattern.split("/", 1)[0] for pattern in patterns}))


def touched(saved: Iterable[Path], catalog: Path) -> frozenset[str] | None:
    """The entity kinds whose documents a save changed: `saved` are the watcher's paths, each
    a file (or folder) under one entity folder of `catalog` ("partner" for partners/…).
    None, for "anything may have changed", when one is something else (the catalog's
    config, an asset, a translation, a template) or when there is none."""
    root = catalog.resolve()
    kinds = {folder: kind for kind, folder in ENTITY_FOLDERS.items()}
    found: set[str] = set()
    for path in saved:
        try:
            parts = Path(path).relative_to(root).parts
        except ValueError:
            return None
        kind = kinds.get(parts[0]) if len(parts) > 1 else None
        if kind is None:
            return None
        found.add(kind)
    return frozenset(found) or None


def reading(kinds: Sequence[str], changed: frozenset[str] | None) -> tuple[str, ...]:
    """Of the families called `kinds`, those whose outputs may read the entity kinds a save
    `changed` (see touched; None: all of them). A family that ignores every changed kind
    (Family.ignores, the rule by which a build reuses its last plan) is left out: its
    outputs are what they were."""
    if changed is None:
        return tuple(kinds)
    return tuple(kind for kind in kinds if not changed <= family(kind).ignores)

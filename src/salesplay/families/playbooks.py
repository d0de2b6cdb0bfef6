"""Playbook PDFs: one per destination of the internal edition, every play in full."""

from __future__ import annotations

from pathlib import Path

from salesplay.engine.units import Unit
from salesplay.families.base import Family, Sources, guarded, pdf_unit, warm_pdf
from salesplay.render import html

NAME = "playbooks"


def path_of(destination_id: str) -> str:
    """Where a destination's playbook lives, relative to --out."""
    return f"playbooks/{destination_id}.pdf"


def plan(src: Sources) -> list[Unit]:
    internal = src.editions["internal"]
    links = html.Links.for_pdf(src.cat.root, src.template_dirs)
    units = []
    for did, dest in internal.destinations.items():
        page = guarded(Path(did), html.playbook, src.env, internal, did, links)
        units.append(
            pdf_unit(
                src,
                NAME,
                path_of(did),
                page,
                src.labels.gettext("%(name)s — playbook") % {"name": dest.name},
                subject=("destination", did),
            )
        )
    return units


FAMILY = Family(
    NAME,
    "cover, promise, path diagram, every play in full, matrix, table of contents, bookmarks;"
    " tagged PDF",
    (("playbooks/*.pdf", "internal"),),
    plan,
    # partners never reach its outputs: only the kits are made per partner
    ignores=frozenset({"partner"}),
    warm=warm_pdf,
)

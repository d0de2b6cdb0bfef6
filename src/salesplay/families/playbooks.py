"""Playbook PDFs: one per destination of the internal edition, every play in full."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from salesplay.engine.units import Unit
from salesplay.families.base import Family, Row, Sources, page_of, pdf_page, warm_pdf
from salesplay.render import html
from salesplay.views import Edition

NAME = "playbooks"


def path_of(destination_id: str) -> str:
    """Where a destination's playbook lives, relative to --out."""
    return f"playbooks/{destination_id}.pdf"


def plan(src: Sources) -> Iterator[Unit]:
    """One unit a destination, the one whose files were saved last first: when one play was
    edited, its playbook (the longest document of the edit) starts before the others are
    rendered to key them. The order is only that of the work, never of the bytes."""
    internal = src.editions["internal"]
    links = html.Links.for_pdf(src.cat.root, src.template_dirs)
    for did in _saved_last_first(src, internal):
        dest = internal.destinations[did]
        yield pdf_page(
            src,
            NAME,
            path_of(did),
            internal,
            page_of(html.playbook, src.env, did, links),
            src.labels.gettext("%(name)s — playbook") % {"name": dest.name},
            where=Path(did),
            subject=("destination", did),
            chapters=True,
        )


def _saved_last_first(src: Sources, internal: Edition) -> list[str]:
    def saved(did: str) -> int:
        plays = html.path_plays(internal, internal.destinations[did].paths)
        files = {src.cat.loc("destination", did).file}
        files |= {src.cat.loc("play", p.id).file for p in plays if ("play", p.id) in src.cat.docs}
        times = []
        for file in files:
            with contextlib.suppress(OSError):
                times.append(os.stat(file).st_mtime_ns)
        return max(times, default=0)

    return sorted(internal.destinations, key=saved, reverse=True)  # stable: ties in order


FAMILY = Family(
    NAME,
    "cover, promise, path diagram, every play in full, matrix (the destination's claims"
    " against the competitors they name and those its plays face), table of contents,"
    " bookmarks; tagged PDF",
    (("playbooks/*.pdf", "internal"),),
    plan,
    # partners never reach its outputs: only the kits are made per partner
    ignores=frozenset({"partner"}),
    warm=warm_pdf,
    rows=(Row("`build/playbooks/<destination>.pdf`", "internal"),),
)

"""PowerPoint decks: a public pitch per destination, a rep enablement deck per play."""

from __future__ import annotations

from pathlib import Path

from salesplay import images
from salesplay.engine.records import key_of
from salesplay.engine.units import Unit
from salesplay.families.base import Family, Sources, deck_unit
from salesplay.faults import BuildFault
from salesplay.render import decks
from salesplay.render.slides import DeckError, Logo, SlideSpec
from salesplay.views import Edition

NAME = "decks"


def pitch_path(destination_id: str) -> str:
    """Where a destination's pitch deck lives, relative to --out."""
    return f"decks/{destination_id}-pitch.pptx"


def enablement_path(play_id: str) -> str:
    """Where a play's enablement deck lives, relative to --out."""
    return f"decks/{play_id}-enablement.pptx"


def master(src: Sources) -> decks.DeckMaster:
    """The deck master in use (the project's first), checked: a fault is located at it."""
    try:
        return decks.checked_master(src.templates)
    except DeckError as exc:
        raise BuildFault.of(exc, Path("templates/deck.pptx")) from None


def logo(src: Sources, deck_master: decks.DeckMaster) -> Logo | None:
    """The company logo, if the catalog has one: the PNG the catalog's image check made,
    shrunk to the pixels the master's logo boxes need (every deck carries it)."""
    name = src.cat.config.company.logo
    image = src.cat.images.get(name) if name else None
    if image is None:
        return None
    return Logo(*images.shrunk(image.png, image.png_size, deck_master.logo_side))


def deck_key(
    ed: Edition, slides: list[SlideSpec], master_digest: str, title: str, logo: Logo | None = None
) -> str:
    """Everything a deck is made from: its slides, the master, the title, brand, date, logo
    and the title of its overflow slides in its language."""
    mark = key_of("logo", logo.png) if logo else None
    return key_of(
        "deck",
        slides,
        master_digest,
        title,
        ed.company.name,
        ed.as_of,
        ed.brand,
        mark,
        ed.locale,
        decks.continued_title(ed),
    )


def unit(
    family: str,
    rel: str,
    ed: Edition,
    slides: list[SlideSpec],
    master_path: Path,
    master_digest: str,
    title: str,
    subject: tuple[str, str],
    logo: Logo | None = None,
) -> Unit:
    """One deck unit; made by python-pptx only when its key changed."""
    return deck_unit(
        family,
        rel,
        lambda: decks.deck_bytes(ed, slides, master_path, title, logo),
        deck_key(ed, slides, master_digest, title, logo),
        master_path,
        subject,
    )


def plan(src: Sources) -> list[Unit]:
    public, rep = src.editions["public"], src.editions["rep"]
    deck_master = master(src)
    path = deck_master.path
    digest = key_of("master", path.read_bytes())
    mark = logo(src, deck_master)
    units = []
    for did, dest in public.destinations.items():
        slides = decks.pitch_slides(public, did)
        units.append(
            unit(
                NAME,
                pitch_path(did),
                public,
                slides,
                path,
                digest,
                dest.name,
                ("destination", did),
                mark,
            )
        )
    for pid, play in rep.plays.items():
        slides = decks.enablement_slides(rep, pid)
        units.append(
            unit(
                NAME,
                enablement_path(pid),
                rep,
                slides,
                path,
                digest,
                src.labels.gettext("%(name)s — enablement") % {"name": play.name},
                ("play", pid),
                mark,
            )
        )
    return units


FAMILY = Family(
    NAME,
    "customer pitch per destination (public edition): promise, why change, why now, outcomes,"
    " the path, proof; the battlecard as slides with speaker notes per play (rep edition)",
    (("decks/*-pitch.pptx", "public"), ("decks/*-enablement.pptx", "rep")),
    plan,
    served=True,
    # partners never reach its outputs: only the kits are made per partner
    ignores=frozenset({"partner"}),
)

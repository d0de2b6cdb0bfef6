"""PowerPoint decks: a public pitch per destination, a rep enablement deck per play."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from salesplay import images
from salesplay.diagnostics import Diagnostic, Location, Severity
from salesplay.engine.records import key_of
from salesplay.engine.units import Made, Unit
from salesplay.families.base import Family, Row, Sources, deck_unit, place_of, warm_pptx
from salesplay.faults import BuildFault, Subject
from salesplay.render import decks
from salesplay.render.slides import DeckError, Logo, Overflow, SlideSpec
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
    look: decks.DeckLook,
    slides: list[SlideSpec],
    master_digest: str,
    title: str,
    logo: Logo | None = None,
) -> str:
    """Everything a deck is made from (DeckMake): its slides, the master, the title, what
    it reads of its edition (brand, date, language, the title of its overflow slides) and
    the logo."""
    mark = key_of("logo", logo.png) if logo else None
    return key_of("deck", slides, master_digest, title, look, mark)


@dataclass(frozen=True)
class FitCheck:
    """Where a deck's too-long titles, subtitles and quotes are warned of: at its entity's
    file, as "enablement deck 'x' (de)" (`locale` names a translated deck's language); a
    quote of another entity's (a pitch deck's proof, a play's) at that entity's file."""

    what: str
    loc: Location
    locale: str | None = None
    #: (the quote as its slide shows it, whose it is and where that is written), for
    #: quotes that are not the deck entity's own
    quotes: tuple[tuple[str, Subject, Location], ...] = ()

    def judge(self, subject: Subject, overflows: list[Overflow]) -> tuple[Diagnostic, ...]:
        """One warning for each title or subtitle that runs out of its box even shrunk, and
        each quote that goes on to another slide."""
        language = f" ({self.locale})" if self.locale else ""
        found = []
        for o in overflows:
            # its start, cut at a word, for the marketer to find the text by
            start = o.text if len(o.text) <= 60 else o.text[:61].rsplit(None, 1)[0] + "…"
            runs = "goes on to the next slide" if o.part == "quote" else "runs out of its box"
            loc, whose = self.loc, ""
            if o.part == "quote":
                for text, (kind, eid), at in self.quotes:
                    if text == o.text:
                        loc, whose = at, f", a proof of {kind} '{eid}'"
                        break
            message = (
                f"{self.what} '{subject[1]}'{language}: the {o.part} of slide {o.slide}"
                f' ({len(o.text):,} characters{whose}: "{start}") {runs} even at the least'
                " size it is shrunk to: shorten it"
            )
            found.append(Diagnostic(loc, Severity.WARNING, message, "deck-fit", subject))
        return tuple(found)


@dataclass(frozen=True)
class DeckMake:
    """A deck's make as data: what it reads of its edition (`look`), not the edition, so
    that it pickles and a standby makes it (engine.early). With `fit`, a title or subtitle
    too long for its box is a warning."""

    master: Path
    slides: tuple[SlideSpec, ...]
    look: decks.DeckLook
    title: str
    subject: Subject
    logo: Logo | None = None
    fit: FitCheck | None = None

    def __call__(self) -> Made:
        overflows: list[Overflow] = []
        data = decks.deck_bytes(
            self.look, self.slides, self.master, self.title, self.logo, overflows
        )
        return data, self.fit.judge(self.subject, overflows) if self.fit else ()


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
    fit: FitCheck | None = None,
    root: Path | None = None,
) -> Unit:
    """One deck unit; made by python-pptx only when its key changed. With `fit`, a title or
    subtitle too long for its box is a warning, located in the catalog at `root`."""
    look = decks.DeckLook.of(ed)
    make = DeckMake(master_path, tuple(slides), look, title, subject, logo, fit)
    key = deck_key(look, slides, master_digest, title, logo)
    if fit is not None and (fit.quotes or root is not None):
        # whose each quote is, and where each warning is said (the catalog's folder by
        # rank): the warnings are kept with the deck's record, and said again where it
        # put them (a comment line added above the entity moved them)
        places = [(text, whose) for text, whose, _ in fit.quotes]
        locs = [fit.loc, *(loc for _, _, loc in fit.quotes)]
        where = None if root is None else [place_of(loc, root) for loc in locs]
        key = key_of("deck-quotes", key, places, where)
    return deck_unit(family, rel, make, key, master_path, subject)


def plan(src: Sources) -> list[Unit]:
    public, rep = src.editions["public"], src.editions["rep"]
    deck_master = master(src)
    path = deck_master.path
    digest = key_of("master", path.read_bytes())
    mark = logo(src, deck_master)
    locale = src.locale if src.translated else None
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
                FitCheck(
                    "pitch deck",
                    src.cat.loc("destination", did),
                    locale,
                    tuple(
                        (
                            decks.proof_quote(proof, src.labels.gettext),
                            ("play", pid),
                            src.cat.loc("play", pid),
                        )
                        for pid, proof in decks.pitch_proofs(public, did)
                    ),
                ),
                src.cat.root,
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
                FitCheck("enablement deck", src.cat.loc("play", pid), locale),
                src.cat.root,
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
    # python-pptx imported by the standby while the build checks and plans: its siblings
    # make the decks of the first stage with the cards (an edit's partner decks, which the
    # kits wait for), not workers forked for them that import it each
    warm=warm_pptx,
    # partners never reach its outputs: only the kits are made per partner
    ignores=frozenset({"partner"}),
    rows=(
        Row(
            "`build/decks/<destination>-pitch.pptx`",
            "public",
            "customer pitch: promise, why change, why now, outcomes, the path, proof",
        ),
        Row(
            "`build/decks/<play>-enablement.pptx`",
            "rep",
            "the battlecard as slides, with speaker notes",
        ),
    ),
)

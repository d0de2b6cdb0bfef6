"""What slides say before any PowerPoint is drawn: slide specs, path steps, logos, faults."""

# planning a deck (render.decks, the audit) needs only these: python-pptx, 0.3 s to import,
# is loaded by what opens a master or draws a deck (render.pptx_deck)

from __future__ import annotations

from dataclasses import dataclass

from salesplay.diagnostics import Location
from salesplay.richtext import Para


class DeckError(Exception):
    """The master cannot hold the requested slides; `loc` when the master itself is at fault."""

    def __init__(self, message: str, loc: Location | None = None) -> None:
        super().__init__(message)
        self.loc = loc


@dataclass(frozen=True)
class PathStep:
    """One box of a path diagram."""

    label: str
    caption: str = ""
    href: str | None = None
    current: bool = False  # the step the deck is about: drawn in the brand accent


@dataclass(frozen=True)
class SlideSpec:
    """What one logical slide shows; overflow adds "(cont.)" slides with the same layout."""

    layout: str
    title: str
    subtitle: str = ""  # on Statement and Proof slides: who said it
    body: tuple[Para, ...] = ()
    body2: tuple[Para, ...] = ()
    notes: str = ""
    steps: tuple[PathStep, ...] = ()


@dataclass(frozen=True)
class Overflow:
    """A title or subtitle that runs out of its box, or a quote that goes on to another
    slide, even at the least size it is shrunk to: the deck is made, and its family warns
    (slide 1 is the deck's first)."""

    slide: int
    part: str  # "title", "subtitle" or "quote"
    text: str


@dataclass(frozen=True)
class Logo:
    """The company logo as PNG bytes and its pixel size."""

    png: bytes
    size: tuple[int, int]

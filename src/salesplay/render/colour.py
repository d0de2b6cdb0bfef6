"""Colours: the one parser of the #RRGGBB strings every format draws with, and tints of them."""

from __future__ import annotations

import re

_HEX = re.compile(r"#[0-9A-Fa-f]{6}")

RGB = tuple[int, int, int]


def parse(colour: str) -> RGB:
    """(red, green, blue), 0-255, of a #RRGGBB colour; ValueError for anything else."""
    if not isinstance(colour, str) or not _HEX.fullmatch(colour):
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def unit(colour: str) -> tuple[float, float, float]:
    """The colour's components as 0..1, as PDF content streams draw them."""
    r, g, b = parse(colour)
    return r / 255, g / 255, b / 255


def hex_digits(colour: str) -> str:
    """RRGGBB, upper case, as OOXML's srgbClr holds a colour."""
    return "".join(f"{c:02X}" for c in parse(colour))


def mix(colour: str, other: str, weight: float) -> str:
    """`colour` moved towards `other` by `weight` (0..1): tints and shades for backgrounds."""
    a, b = parse(colour), parse(other)
    return "#" + "".join(f"{round(x + (y - x) * weight):02X}" for x, y in zip(a, b, strict=True))

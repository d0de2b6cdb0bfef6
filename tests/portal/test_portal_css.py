"""The rep web pages' stylesheets: what they promise keyboard users, checked from their colours."""

from __future__ import annotations

import re
from pathlib import Path

from salesplay.models import Brand
from salesplay.render import colour, html

REPO = Path(__file__).resolve().parents[2]
THEME = REPO / "src/salesplay/themes/default"
#: the sheets of the portal's pages, and of card, competitor and matrix pages: the header's
#: sheet, with the focus ring, is linked by both.
SHEETS = ("portal/header.css", "portal/portal.css", "style.css", "web.css")
#: WCAG 2.2 (1.4.11, 2.4.13): a focus indicator stands out at least 3:1 from what is around it.
FOCUS_CONTRAST = 3.0
#: WCAG technique C40: two colours at least 9:1 apart, so one of them is 3:1 on any background.
PAIR_CONTRAST = 9.0


def luminance(hex_colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour.unit(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def custom_properties(css: str) -> dict[str, str]:
    """The `#RRGGBB` custom properties the sheet and the page's brand CSS define."""
    return dict(re.findall(r"(--[a-z-]+)\s*:\s*(#[0-9A-Fa-f]{6})\b", css))


def rule(css: str, selector: str) -> str:
    found = re.search(rf"(?m)^{re.escape(selector)}\s*\{{([^}}]*)\}}", css)
    assert found, selector
    return found.group(1)


def value(declaration: str, props: dict[str, str]) -> str:
    """A declaration's one colour: a `#RRGGBB` or a custom property the sheet defines."""
    hexes = re.findall(r"#[0-9A-Fa-f]{6}\b", declaration)
    names = [props[n] for n in re.findall(r"var\((--[a-z-]+)\)", declaration)]
    found = hexes + names
    assert len(found) == 1, declaration
    return found[0]


def test_focus_ring_stands_out_on_every_background_of_the_rep_pages() -> None:
    css = "\n".join((THEME / name).read_text(encoding="utf-8") for name in SHEETS)
    # the sample's brand (the default) and a dark one with a light accent: their tints are
    # backgrounds too
    brands = [Brand(), Brand(primary="#7A0019", accent="#FFC20E")]
    props = custom_properties(css)
    focus = rule(css, ":focus-visible")
    decls = dict(re.findall(r"([a-z-]+)\s*:\s*([^;]+);", focus))
    assert re.match(r"[2-9]px solid", decls["outline"]), decls["outline"]
    outline = value(decls["outline"], props)
    for brand in brands:
        brand_props = props | custom_properties(str(html.brand_css(brand)))
        # on the page itself (white cards on a light grey page) the outline alone does it
        for bg in ("#FFFFFF", brand_props["--bg"], brand_props["--card"]):
            assert contrast(outline, bg) >= FOCUS_CONTRAST, (outline, bg)
        # on coloured backgrounds (buttons, current nav item, badges) its inner ring does
        assert "box-shadow" in decls, "no inner ring for dark backgrounds"
        ring = value(decls["box-shadow"], props)
        assert contrast(outline, ring) >= PAIR_CONTRAST, (outline, ring)
        backgrounds = {
            value(b, brand_props)
            for b in re.findall(r"background(?:-color)?\s*:\s*([^;]+);", css)
            if "#" in b or "var(--" in b
        }
        assert {"#FFFFFF", "#F4F6FA"} <= {b.upper() for b in backgrounds}
        for bg in backgrounds:
            best = max(contrast(outline, bg), contrast(ring, bg))
            assert best >= FOCUS_CONTRAST, (bg, outline, ring)

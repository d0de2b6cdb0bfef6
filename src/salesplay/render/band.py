"""Partner bands: the one design of the footer band on partner PDFs, drawn or laid out in HTML."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import io
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from salesplay.render import colour, shelf
from salesplay.render.fonts import SubsetFont, noto_stack
from salesplay.render.fonts import recipe as font_recipe
from salesplay.render.interwidths import ADVANCES, BOLD_ADVANCES, REPERTOIRE, UNITS_PER_EM
from salesplay.render.pdf import FONTS_CSS, PdfError, PdfRenderer
from salesplay.render.theme import THEME_DIR
from salesplay.richtext import NO_LINE_END, NO_LINE_START, UNSPACED_RE, ltr_runs
from salesplay.richtext import first_strong as first_strong

#: The width of a kit's PDF pages (A4), so of its bands: what `check` measures contacts in.
KIT_PAGE_WIDTH_PT = 595.28
#: Height of the partner band drawn at the bottom of every page of a partner edition.
BAND_HEIGHT_PT = 60.0
#: Bottom strip a partner-edition page must leave empty (band + 12 pt of air): templates
#: add BAND_CLEARANCE_CSS and keep their page footers out of the @bottom-* margin boxes.
BAND_RESERVED_PT = 72.0
BAND_CLEARANCE_CSS = f"@page {{ margin-bottom: {BAND_RESERVED_PT:g}pt }}"
#: Width x height of the box a partner logo is fitted into, aspect ratio kept.
LOGO_BOX_PT = (120.0, 36.0)

# --- the design: the drawn band and its HTML twin are both made from these ------------
RGB = tuple[float, float, float]
#: A rule in the partner's colour across the top separates the band from the page.
RULE_PT = 1.5
#: Side margin, at most 6 % of the band's width; then the logo box, a gap, the text.
MARGIN_PT = 36.0
MARGIN_SHARE = 0.06
GAP_PT = 18.0
#: The first line: lead, the partner's name in bold black, trail; then the contacts joined
#: by SEP. A customer band reads "Presented by <name>" over the partner's own contact; a
#: team band "For the sellers of <name> — not for customers" over the vendor's channel contact.
LEAD = "Presented by "
TEAM_LEAD = "For the sellers of "
TEAM_TRAIL = " — not for customers"
LEAD_PT = 9.0
SEP = " · "
CONTACT_PT = 8.0
#: Each contact (name, e-mail, phone, website) is kept whole on its line, never broken
#: inside an address; the lines shrink in half points to MIN_TEXT_PT until they fit in
#: CONTACT_LINES. A contact that cannot (`fit_contacts`) is a warning in `check`.
CONTACT_LINES = 3
#: Baseline to baseline, lead to contacts and between contact lines.
LINE_PT = 10.0
#: Without a logo, the name set in the box in the partner's colour: one line of at most
#: MARK_PT if that is at least MARK_MIN_PT, else MARK_LINES lines from MARK_WRAP_PT.
MARK_PT = 16.0
MARK_MIN_PT = 9.0
MARK_WRAP_PT = 12.0
MARK_LINES = 2
LEADING = 1.2
#: Runs of more words than this are not measured for the HTML band's name: too wide.
_MEASURED_WORDS = 8
#: A run of a name without spaces is as wide as its pieces' widths added, and this much
#: more (WeasyPrint may set them a hair apart).
_PIECES_SLACK = 1.01
#: measured widths a band maker keeps (see BandMaker._measure): some 64 names' runs
_MEASURES_KEPT = 8192
#: Text is shrunk in half points down to this size, then clipped with an ellipsis.
MIN_TEXT_PT = 6.0
#: How much narrower than the logo box the HTML band fits a name without a logo. Its widths
#: are measured in one WeasyPrint layout at 50 pt and set in another at the fitted size,
#: and WeasyPrint rounds font sizes and glyph advances (to 1/1024 px): a name set to exactly
#: the box came out up to 0.003 pt wider, and `text-overflow: ellipsis` cut its last
#: letters ("Blue River IT — …ﻧ"). The drawn band sets the widths it measures: no slack.
_LAYOUT_SLACK_PT = 0.25
#: Float rounding: a line sized to exactly max_w is not a hair too wide (box_w / w * w can
#: be 120.00000000000001, which cut "Cloud Solutions" to "Cloud Solutio…").
_FIT_EPSILON_PT = 1e-6
INK: RGB = (0.29, 0.33, 0.39)
BLACK: RGB = (0.0, 0.0, 0.0)
#: How a logo sits in its box, in CSS: whole, left-aligned, vertically centred.
_LOGO_FIT = (
    f"width: {LOGO_BOX_PT[0]}pt; height: {LOGO_BOX_PT[1]}pt;"
    " object-fit: contain; object-position: left center"
)

# Most bands are plain ASCII and the band's own separator, ellipsis and dash: one subset for all.
_COMMON = (*map(chr, range(0x20, 0x7F)), "·", "…", "\u2014")


def band_fonts(lang: str = "") -> str:
    """The HTML band's font-family: the theme's Inter, then the Noto family `make` installs
    for each other script, so that no character falls to a .notdef box."""
    return ", ".join(("Inter", *(f'"{f}"' for f in noto_stack(lang)), "sans-serif"))


def _isolated(text: str, tag: str, attrs: str = "", *, around: str = "ltr") -> str:
    """`text` in `tag`, with the direction of its first strong character when it has one
    (else `around`'s, the band's)."""
    direction = first_strong(text)
    dir_attr = f' dir="{direction}"' if direction else ""
    return f"<{tag}{attrs}{dir_attr}>{_runs(text, direction or around)}</{tag}>"


def _runs(text: str, direction: str) -> str:
    """`text` as HTML; read right to left, each number, e-mail address or Latin name in it
    isolated left to right (`ltr_runs`): "+1 555 0199" keeps its order."""
    if direction != "rtl":
        return html.escape(text)
    return "".join(
        f'<span dir="ltr">{html.escape(part)}</span>' if ltr else html.escape(part)
        for part, ltr in ltr_runs(text)
    )


def _css(rgb: RGB) -> str:
    return "rgb({:g}%, {:g}%, {:g}%)".format(*(round(c * 100, 4) for c in rgb))


@dataclass(frozen=True)
class Brand:
    """A partner's identity on its kit: name, optional logo, contact lines, accent colour,
    and the words around the name (customer wording by default; see `team`)."""

    name: str
    logo: Path | None
    contact_lines: tuple[str, ...]
    colour: str = "#0B5FFF"
    lead: str = LEAD
    trail: str = ""
    #: "rtl" for a kit in a right-to-left language (its labels.direction): the band is
    #: mirrored, the logo box on the right and the text read from the right.
    direction: str = "ltr"
    #: the kit's language (BCP 47, e.g. "zh-TW"): Han characters take its forms
    lang: str = ""

    @classmethod
    def team(
        cls,
        name: str,
        logo: Path | None,
        contact_lines: tuple[str, ...],
        colour: str,
        direction: str = "ltr",
        lang: str = "",
    ) -> Brand:
        """The band of a kit's partner-internal part: for the partner's sellers only."""
        return cls(name, logo, contact_lines, colour, TEAM_LEAD, TEAM_TRAIL, direction, lang)


@dataclass(frozen=True)
class BandFonts:
    """The band's two fonts, loaded once (~1 s to cut, ~20 ms from a memo): a parent loads
    and warms them before forking, so that every worker draws bands without loading them
    again."""

    regular: SubsetFont
    bold: SubsetFont

    @classmethod
    def load(cls) -> BandFonts:
        fonts = THEME_DIR / "fonts"
        return cls(*(_font(fonts / name, resource) for name, resource in _FONT_FILES))

    def warmed(self) -> BandFonts:
        """These fonts with the subset most bands use already made."""
        self.regular.warm()
        self.bold.warm()
        return self

    @classmethod
    def load_warmed(cls, memo: FontMemo) -> BandFonts:
        """load().warmed(), what it makes of each font kept by `memo` (~1.3 s spared).

        What memo returns is checked: a cut that is no font, or a subset not of the glyphs
        expected, is made again."""
        fonts = THEME_DIR / "fonts"
        return cls(*(_warm_font(fonts / name, resource, memo) for name, resource in _FONT_FILES))

    @classmethod
    def memo_parts(cls) -> list[tuple[object, ...]]:
        """What each font's memo entry is keyed by (its file's digest, repertoire, recipe)."""
        fonts = THEME_DIR / "fonts"
        return [_parts((fonts / name).read_bytes(), resource) for name, resource in _FONT_FILES]


#: A store of what loading a font makes: memo(parts, make) is the blobs make() returns,
#: kept under a key that names `parts` (families/kits keeps them in the build folder).
FontMemo = Callable[[tuple[object, ...], Callable[[], list[bytes]]], list[bytes]]
_FONT_FILES = (("Inter-Regular.otf", "R"), ("Inter-Bold.otf", "B"))


def _font(path: Path, resource: str) -> SubsetFont:
    return SubsetFont(path.read_bytes(), resource, repertoire=REPERTOIRE, common=_COMMON)


def _parts(otf: bytes, resource: str) -> tuple[object, ...]:
    digest = hashlib.sha256(otf).hexdigest()
    return ("band-font", resource, digest, REPERTOIRE, _COMMON, font_recipe())


def _warm_font(path: Path, resource: str, memo: FontMemo) -> SubsetFont:
    """A band font, warmed, from its cut and common subset as `memo` keeps them."""
    otf = path.read_bytes()
    parts = _parts(otf, resource)

    def make() -> list[bytes]:
        # as `make` prepared it beside the package (~0.7 s of CPU spared for a build into
        # a new folder), if it reads as a font: the memo keeps what this returns
        prepared = shelf.band_font(parts)
        if prepared is not None and len(prepared) == 2:
            with contextlib.suppress(ValueError):
                font = SubsetFont.of_cut(prepared[0], resource, common=_COMMON)
                return [prepared[0], font.warm(prepared[1] or None)]
        font = SubsetFont(otf, resource, repertoire=REPERTOIRE, common=_COMMON)
        return [font.data, font.warm()]

    blobs = memo(parts, make)
    try:
        data, subset = blobs
        # made from the bytes even when just cut: a kept cut and a new one read the same
        font = SubsetFont.of_cut(data, resource, common=_COMMON)
    except ValueError:
        font, subset = _font(path, resource), b""
    font.warm(subset or None)
    return font


class BandMaker:
    """Builds partner bands; make one per run (loading the fonts costs ~0.5 s), close() it.

    The band is drawn directly as PDF content (text in the theme's Inter, PNG logos as
    image XObjects): ~15-20 ms a band, against ~40 ms with WeasyPrint (~250 ms without
    libharfbuzz-subset). SVG logos, and text the font cannot show, go through WeasyPrint
    with one PdfRenderer, whose font files close() frees (also in forked workers); the
    HTML band is laid out from the same design as the drawn one.
    """

    def __init__(
        self,
        *,
        roots: Sequence[Path],
        as_of: date,
        width_pt: float,
        height_pt: float,
        fonts: BandFonts | None = None,
        logo_pages: Mapping[str, bytes] | None = None,
    ) -> None:
        """`logo_pages`: SVG logos already laid out (`logo_page`), by `logo_id`; a band
        with one of them is drawn without WeasyPrint. The mapping is read when a band is
        drawn, so entries added later are used."""
        self.roots = tuple(Path(r).resolve() for r in roots)
        self.logo_pages: Mapping[str, bytes] = {} if logo_pages is None else logo_pages
        self.as_of = as_of
        self.width, self.height = float(width_pt), float(height_pt)
        self.margin = min(MARGIN_PT, self.width * MARGIN_SHARE)
        fonts = fonts or BandFonts.load()
        self.regular, self.bold = fonts.regular, fonts.bold
        self.renderer = PdfRenderer()
        #: widths at 1 pt measured in WeasyPrint, by (text, direction, weight, lang)
        self._measured: dict[tuple[str, str, str, str], float] = {}

    def __enter__(self) -> BandMaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Free WeasyPrint's font files of this process, if any (PdfRenderer.close)."""
        self.renderer.close()

    def drawable(self, brand: Brand) -> bool:
        """Whether the band is drawn as PDF content (fast); else WeasyPrint lays it out."""
        texts = (brand.name, brand.lead, brand.trail, *brand.contact_lines)
        # The drawn band has no shaper and no bidi: left-to-right text of Inter's repertoire.
        return brand.direction != "rtl" and all(
            self.regular.covers(t) and self.bold.covers(t) for t in texts
        )

    def svg_logo(self, brand: Brand) -> Path | None:
        """The SVG logo of a drawn band, which WeasyPrint lays out (~0.1 s; `logo_page`)
        unless `logo_pages` holds it; None for other bands."""
        logo = brand.logo
        if logo is None or logo.suffix.lower() != ".svg" or not self.drawable(brand):
            return None
        return logo

    def logo_id(self, logo: Path) -> str:
        """What the page of an SVG logo is made from: its bytes and the logo box."""
        data = _inside(logo, self.roots).read_bytes()
        return f"{hashlib.sha256(data).hexdigest()}-{LOGO_BOX_PT[0]:g}x{LOGO_BOX_PT[1]:g}"

    def logo_page(self, logo: Path) -> bytes:
        """An SVG logo laid out by WeasyPrint on a page the size of the logo box, which a
        drawn band places as a form (vector, scaled uniformly into the box)."""
        box_w, box_h = LOGO_BOX_PT
        # object-fit: contain scales the SVG uniformly into the box, so the form's
        # natural size is the box itself
        page_html = (
            "<!doctype html><html><head><style>"
            f"@page {{ size: {box_w}pt {box_h}pt; margin: 0 }} html, body {{ margin: 0 }}"
            f" img {{ display: block; {_LOGO_FIT} }}</style></head>"
            f'<body><img src="{html.escape(_inside(logo, self.roots).as_uri())}" alt="">'
            "</body></html>"
        )
        return self._render(page_html, "logo")

    def parts(self, brand: Brand) -> tuple[object, ...]:
        """Everything the band of `brand` is made from (with salesplay's code): the brand,
        its logo file's kind and bytes, the page size and the date; no path, so the parts
        are the same wherever the catalog lives."""
        logo = b"" if brand.logo is None else _inside(brand.logo, self.roots).read_bytes()
        digest = hashlib.sha256(logo).hexdigest()
        kind = brand.logo.suffix.lower() if brand.logo else ""
        unplaced = replace(brand, logo=None)
        return ("band", unplaced, kind, digest, self.width, self.height, self.as_of)

    def band(self, brand: Brand, *, engine: str = "auto") -> bytes:
        """A one-page PDF of the band; engine is "auto", "draw" or "weasyprint"."""
        try:
            rgb = colour.unit(brand.colour)
        except ValueError:
            raise PdfError(f"bad colour {brand.colour!r}: expected #RRGGBB") from None
        drawable = self.drawable(brand)
        if engine == "weasyprint" or (engine == "auto" and not drawable):
            return self._html_band(brand)
        if not drawable:
            raise PdfError(f"band for {brand.name!r}: text outside the font's repertoire")
        return self._drawn_band(brand, rgb)

    def _drawn_band(self, brand: Brand, colour: RGB) -> bytes:
        import pikepdf

        pdf = pikepdf.new()
        box_w, box_h = LOGO_BOX_PT
        box_x, box_y = self.margin, (self.height - box_h) / 2
        # Text is laid out first and encoded once each font is subset (glyph ids change).
        texts: list[tuple[SubsetFont, str, float, float, float, RGB]] = []

        def show(font: SubsetFont, text: str, size: float, x: float, y: float, rgb: RGB) -> int:
            texts.append((font, text, size, x, y, rgb))
            return len(texts) - 1

        rule = b"q %.3f %.3f %.3f rg 0 %.2f %.2f %g re f Q"
        ops: list[bytes | int] = [rule % (*colour, self.height - RULE_PT, self.width, RULE_PT)]
        xobjects: dict[str, Any] = {}
        if brand.logo is None:
            lines = [
                (_clipped(self.bold.width, text, sz, box_w), sz)
                for text, sz in _mark_lines(brand.name, self.bold.width)
            ]
            sz = lines[0][1]
            top = box_y + box_h / 2 + (self.bold.cap * sz + LEADING * sz * (len(lines) - 1)) / 2
            for i, (text, sz) in enumerate(lines):
                y = top - self.bold.cap * sz - i * sz * LEADING
                ops.append(show(self.bold, text, sz, box_x, y, colour))
        else:
            logo, natural = self._logo(pdf, brand.logo)
            xobjects["/Logo"] = logo
            w, h = _contain(natural, LOGO_BOX_PT)
            ops.append(
                b"q %.4f 0 0 %.4f %.4f %.4f cm /Logo Do Q" % (w, h, box_x, box_y + (box_h - h) / 2)
            )
        text_x = box_x + box_w + GAP_PT
        text_w = self.width - self.margin - text_x
        fit = fit_contacts(brand.contact_lines, self.regular.width, text_w)
        contacts = [
            (_clipped(self.regular.width, line, fit.size, text_w), fit.size) for line in fit.texts
        ]
        cap = self.regular.cap * LEAD_PT
        y = (self.height + cap + LINE_PT * len(contacts)) / 2 - cap
        # the whole first line shrinks together when the name is long
        unit_w = (
            self.regular.width(brand.lead, 1.0)
            + self.bold.width(brand.name, 1.0)
            + self.regular.width(brand.trail, 1.0)
        )
        # never below MIN_TEXT_PT, as the contacts: a name too long even then is cut with
        # "…" (`check` says so: name_cut), where a 300-character one was set at 2.4 pt
        size = max(min(LEAD_PT, text_w / unit_w), MIN_TEXT_PT)
        name = brand.name
        if unit_w * size > text_w + _FIT_EPSILON_PT:
            room = text_w - self.regular.width(brand.lead + brand.trail, size)
            name = _clipped(self.bold.width, name, size, room)
        x = text_x
        ops.append(show(self.regular, brand.lead, size, x, y, INK))
        x += self.regular.width(brand.lead, size)
        ops.append(show(self.bold, name, size, x, y, BLACK))
        if brand.trail:
            x += self.bold.width(name, size)
            ops.append(show(self.regular, brand.trail, size, x, y, INK))
        for text, size in contacts:
            y -= LINE_PT
            ops.append(show(self.regular, text, size, text_x, y, INK))
        fonts, gids = {}, {}
        for font in (self.regular, self.bold):
            chars = {ch for f, text, *_ in texts if f is font for ch in text}
            if chars:
                fonts[f"/{font.resource}"], gids[font] = font.embed(pdf, chars)
        encoded = [op if isinstance(op, bytes) else _show(*texts[op], gids) for op in ops]
        content = pdf.make_stream(
            zlib.compress(b"\n".join(encoded), 6), Filter=pikepdf.Name.FlateDecode
        )
        resources = pikepdf.Dictionary(
            Font=pikepdf.Dictionary(fonts), XObject=pikepdf.Dictionary(xobjects)
        )
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, self.width, self.height],
            Resources=resources,
            Contents=content,
        )
        pdf.pages.append(pikepdf.Page(page))
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()

    def _logo(self, pdf: Any, logo: Path) -> tuple[Any, tuple[float, float]]:
        path = _inside(logo, self.roots)
        if path.suffix.lower() != ".svg":
            return _image(
                pdf, path.read_bytes(), max_px=(int(LOGO_BOX_PT[0] * 4), int(LOGO_BOX_PT[1] * 4))
            )
        import pikepdf

        box_w, box_h = LOGO_BOX_PT
        rendered = self.logo_pages.get(self.logo_id(path)) or self.logo_page(path)
        with pikepdf.open(io.BytesIO(rendered)) as src:
            form = pdf.copy_foreign(src.pages[0].as_form_xobject())
        # its Matrix maps the form onto the unit square, like an image
        form.Matrix = [1 / box_w, 0, 0, 1 / box_h, 0, 0]
        return form, LOGO_BOX_PT

    def _html_band(self, brand: Brand) -> bytes:
        """The same design as HTML, for WeasyPrint's shaping, bidi and font fallback."""
        box_w, box_h = LOGO_BOX_PT
        esc = html.escape
        rtl = brand.direction == "rtl"
        # Each name and contact is laid out in the direction of its own first strong
        # character (HTML's dir=auto, which WeasyPrint lacks): an Arabic partner name in
        # an English band reads right to left, a Latin one in an Arabic band left to right.
        side = brand.direction
        name = _isolated(brand.name, "b", around=side)
        text_w = text_width(self.width) - _LAYOUT_SLACK_PT
        way = first_strong(brand.name) or side
        items = _contact_items(brand.contact_lines)
        # contacts that fit at CONTACT_PT even at the widest their letters could be are
        # wrapped by WeasyPrint between items; others are packed from measured widths
        sure = fit_contacts(items, _bound(self.regular.advance), text_w)
        wrapped = sure.size == CONTACT_PT and not sure.dropped and not sure.cut
        # one layout measures all that is measured
        self._measure(
            [
                *(self._name_texts(brand.name, way) if brand.logo is None else ()),
                *(() if wrapped else self._contact_texts(items)),
            ],
            brand.lang,
        )
        if brand.logo is not None:
            src = esc(_inside(brand.logo, self.roots).as_uri())
            mark = f'<img src="{src}" alt="">'
        else:
            # fitted as the drawn band fits it, from widths measured in the fonts it is set in
            widths = self._widths(brand.name, way, brand.lang)
            lines = _mark_lines(brand.name, widths, LOGO_BOX_PT[0] - _LAYOUT_SLACK_PT)
            mark = "<div class=name>{}</div>".format(
                "".join(
                    f'<b dir="{way}" style="font-size: {size:g}pt">{_runs(text, way)}</b>'
                    for text, size in lines
                )
            )
        # packed as the drawn band packs them, from widths measured in the fonts that set them
        fit = (
            sure
            if wrapped
            else fit_contacts(items, self._contact_widths(items, brand.lang), text_w)
        )
        contacts = (
            SEP.join(_isolated(c, "span", around=side) for c in items)
            if wrapped
            else "".join(
                f'<span class=line style="font-size: {fit.size:g}pt">'
                + SEP.join(_isolated(c, "span", around=side) for c in line)
                + ("…" if fit.dropped and i == len(fit.lines) - 1 else "")
                + "</span>"
                for i, line in enumerate(fit.lines)
            )
        )
        accent = esc(brand.colour)
        css = (
            f"@page {{ size: {self.width}pt {self.height}pt; margin: 0 }}"
            f"body {{ margin: 0; padding: 0 {self.margin:g}pt; height: {self.height - RULE_PT}pt;"
            f" border-top: {RULE_PT}pt solid {accent}; display: flex; align-items: center;"
            f" font: {CONTACT_PT}pt/{LINE_PT}pt {band_fonts(brand.lang)}; color: {_css(INK)} }}"
            f".box {{ flex: none; width: {box_w}pt; height: {box_h}pt;"
            f" margin-inline-end: {GAP_PT}pt; display: flex; align-items: center }}"
            f".box img {{ {_LOGO_FIT} }}"
            f".name {{ width: {box_w}pt; line-height: {LEADING}; color: {accent} }}"
            ".name b { display: block; white-space: nowrap; overflow: hidden;"
            " text-overflow: ellipsis }"
            f"p {{ margin: 0 }} .lead {{ font-size: {LEAD_PT}pt }}"
            f" .lead b {{ color: {_css(BLACK)} }}"
            " .contacts > span { white-space: nowrap }"
            " .contacts .line { display: block; white-space: nowrap; overflow: hidden;"
            " text-overflow: ellipsis }"
        )
        lang = f' lang="{esc(brand.lang)}"' if brand.lang else ""
        if rtl:
            # WeasyPrint lays flex items out left to right whatever the direction.
            css += " .box img { object-position: right center }"
        page_html = (
            f'<!doctype html><html dir="{"rtl" if rtl else "ltr"}"{lang}><head><style>{css}</style>'
            f"</head><body><div class=box>{mark}</div><div><p class=lead>{_runs(brand.lead, side)}"
            f"{name}{_runs(brand.trail, side)}</p>"
            f"<p class=contacts>{contacts}</p></div></body></html>"
        )
        return self._render(page_html, f"Partner band: {brand.name}")

    def _measure(self, texts: Sequence[tuple[str, str, str]], lang: str) -> None:
        """Measure each (text, direction, weight) not measured yet, all in one WeasyPrint
        layout (so with its shaping and font fallback): a partner's team and customer bands
        set one name, and each layout costs 50-100 ms."""
        missing = [t for t in dict.fromkeys(texts) if (*t, lang) not in self._measured]
        if not missing:
            return
        if len(self._measured) + len(missing) > _MEASURES_KEPT:
            self._measured.clear()  # a thousand partners' names need not all stay
        self._measured.update(
            {
                (*text, lang): w
                for text, w in _layout_widths(self.renderer, self.roots, missing, lang)
            }
        )

    def _name_texts(self, name: str, direction: str) -> list[tuple[str, str, str]]:
        """What `_mark_lines` asks the width of: `name` and each run of up to
        _MEASURED_WORDS of its words, in bold (longer runs are "too wide"); for a name
        without spaces (name_items), each of its pieces, whose widths a run's adds up."""
        words, sep = name_items(name)
        if not sep:
            return [(t, direction, "bold") for t in (name, *dict.fromkeys(words))]
        runs = (
            " ".join(words[i:j])
            for i in range(len(words))
            for j in range(i + 1, min(len(words), i + _MEASURED_WORDS) + 1)
        )
        return [(t, direction, "bold") for t in (name, *runs)]

    def _widths(self, name: str, direction: str, lang: str) -> Callable[[str, float], float]:
        """How wide the HTML band sets `name` and each run of its words (as measured); a run
        of a name without spaces as its pieces' widths added, with a little room (CJK
        letters are set side by side, each its own advance)."""
        self._measure(self._name_texts(name, direction), lang)
        measured = self._measured
        pieces, sep = name_items(name)

        def width(text: str, at: float) -> float:
            whole = measured.get((text, direction, "bold", lang))
            if whole is None and not sep:
                parts, rest = [], text
                for piece in pieces:
                    if rest.startswith(piece):
                        parts.append(piece)
                        rest = rest[len(piece) :]
                if not rest:
                    found = [measured.get((p, direction, "bold", lang)) for p in parts]
                    if all(w is not None for w in found):
                        whole = sum(w for w in found if w is not None) * _PIECES_SLACK
            return (float("inf") if whole is None else whole) * at

        return width

    @staticmethod
    def _contact_texts(items: Sequence[str]) -> list[tuple[str, str, str]]:
        """Each contact in its own direction (as `_isolated` sets it), and the separator."""
        return [(c, first_strong(c) or "ltr", "normal") for c in (*items, SEP)]

    def _contact_widths(self, items: Sequence[str], lang: str) -> Callable[[str, float], float]:
        """How wide the HTML band sets a line of `items` joined by SEP: the sum of its items'
        and separators' measured widths."""
        texts = self._contact_texts(items)
        self._measure(texts, lang)
        each = {text: self._measured[(text, way, weight, lang)] for text, way, weight in texts}

        def width(line: str, at: float) -> float:
            parts = line.split(SEP)
            known = sum(each.get(p, float("inf")) for p in parts)
            return (known + each[SEP] * (len(parts) - 1)) * at

        return width

    def _render(self, page_html: str, title: str) -> bytes:
        pdf, refused = self.renderer.render(
            page_html,
            base_url=THEME_DIR.as_uri() + "/",
            roots=(*self.roots, THEME_DIR),
            as_of=self.as_of,
            title=title,
            tagged=False,
            stylesheets=(FONTS_CSS,),
        )
        if refused:
            raise PdfError("partner band: " + "; ".join(refused))
        return pdf


def _layout_widths(
    renderer: PdfRenderer, roots: Sequence[Path], texts: Sequence[tuple[str, str, str]], lang: str
) -> list[tuple[tuple[str, str, str], float]]:
    """The width at 1 pt of each (text, direction, weight), from one WeasyPrint layout at
    50 pt in the band's fonts (so with its shaping and font fallback)."""
    from weasyprint.formatting_structure.boxes import InlineBlockBox

    size = 50.0
    spans = "".join(
        f'<div><b data-i="{i}" dir="{way}" style="font-weight: {weight}">'
        f"{_runs(text, way)}</b></div>"
        for i, (text, way, weight) in enumerate(texts)
    )
    lang_attr = f' lang="{html.escape(lang)}"' if lang else ""
    page_html = (
        f'<!doctype html><html dir="{texts[0][1]}"{lang_attr}><head><style>'
        f"@page {{ size: 4000pt 4000pt; margin: 0 }} body {{ margin: 0;"
        f" font: {size:g}pt/1 {band_fonts(lang)} }}"
        " b { display: inline-block; white-space: nowrap }"
        f"</style></head><body>{spans}</body></html>"
    )
    document = renderer.layout(
        page_html,
        base_url=THEME_DIR.as_uri() + "/",
        roots=(*roots, THEME_DIR),
        stylesheets=(FONTS_CSS,),
    )
    found = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, InlineBlockBox) and box.element.get("data-i") is not None:
                # CSS px (0.75 pt) at `size` pt, to points at 1 pt
                found.append((texts[int(box.element.get("data-i"))], box.width * 0.75 / size))
    return found


def contact_fit(items: Sequence[str], page_width_pt: float, lang: str = "") -> ContactFit:
    """How the band of a page `page_width_pt` wide sets the contacts `items`, for `check`:
    from the drawn band's widths (Inter's advances) when Inter has every character, else
    (another script) from widths measured as the HTML band measures them."""
    items = _contact_items(items)
    text_w = text_width(page_width_pt)
    advances = _inter_advances()
    if all(ch in advances for c in (*items, SEP) for ch in c):

        def width(text: str, size: float) -> float:
            return max(sum(advances[ch] for ch in text) * size / 1000.0, 1e-6)

        return fit_contacts(items, width, text_w)
    bound = fit_contacts(items, _bound(advances), text_w - _LAYOUT_SLACK_PT)
    if bound.size == CONTACT_PT and not bound.dropped and not bound.cut:
        return bound
    texts = BandMaker._contact_texts(items)
    with PdfRenderer() as renderer:
        each = {t[0]: w for t, w in _layout_widths(renderer, (), texts, lang)}

    def measured(line: str, size: float) -> float:
        parts = line.split(SEP)
        return (sum(each.get(p, float("inf")) for p in parts) + each[SEP] * (len(parts) - 1)) * size

    return fit_contacts(items, measured, text_w - _LAYOUT_SLACK_PT)


def name_fits_surely(lead: str, name: str, trail: str, page_width_pt: float) -> bool:
    """Whether the band's first line holds `name` even were every letter the widest: what
    `check` knows of most partners from their names' length alone (name_cut measures)."""
    widest = _widest_advance()
    line = (len(lead) + len(name) + len(trail)) * widest * MIN_TEXT_PT / 1000.0
    return line <= text_width(page_width_pt)


def name_cut(
    lead: str, name: str, trail: str, others: Callable[[], Sequence[str]], page_width_pt: float
) -> bool:
    """Whether the band of a page `page_width_pt` wide cuts `name` with "…" on its first line
    (lead, name in bold, trail), too long for it even at MIN_TEXT_PT: for `check`. A band
    with a character Inter lacks, in its words or `others()` (its contacts, asked for only
    when the name is long), is laid out by WeasyPrint, which wraps the line instead: never
    cut."""
    if name_fits_surely(lead, name, trail, page_width_pt):
        return False
    regular, bold = _inter_advances(), _inter_advances(bold=True)
    plain = lead + trail + "".join(others())
    if not all(ch in regular for ch in plain) or not all(ch in bold for ch in name):
        return False
    unit = (sum(regular[ch] for ch in lead + trail) + sum(bold[ch] for ch in name)) / 1000.0
    return unit * MIN_TEXT_PT > text_width(page_width_pt) + _FIT_EPSILON_PT


@functools.cache
def _widest_advance() -> float:
    """The widest advance of either face, per 1000 em."""
    return max(max(_inter_advances().values()), max(_inter_advances(bold=True).values()))


@functools.cache
def _inter_advances(bold: bool = False) -> dict[str, float]:
    """Inter Regular's (or Bold's) advance of each character a band draws, per 1000 em (as
    SubsetFont reads them), from the tables `interwidths` keeps (read_advances reads the
    font)."""
    scale = 1000 / UNITS_PER_EM
    pairs = zip(REPERTOIRE, BOLD_ADVANCES if bold else ADVANCES, strict=True)
    return {chr(cp): float(units * scale) for cp, units in pairs if units >= 0}


def read_advances(bold: bool = False) -> dict[str, float]:
    """What _inter_advances gives, read from the font file with fontTools (0.1 s): the tests
    check the tables against it."""
    from fontTools.ttLib import TTFont

    font = TTFont(THEME_DIR / "fonts" / _FONT_FILES[int(bold)][0], lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    metrics, cmap = font["hmtx"].metrics, font.getBestCmap()
    drawn = {chr(cp) for cp in REPERTOIRE}
    return {chr(cp): float(metrics[g][0] * scale) for cp, g in cmap.items() if chr(cp) in drawn}


def make_band(
    brand: Brand, *, roots: Sequence[Path], as_of: date, width_pt: float, height_pt: float
) -> bytes:
    """One partner's band; for many partners reuse one BandMaker, which loads fonts once."""
    with BandMaker(roots=roots, as_of=as_of, width_pt=width_pt, height_pt=height_pt) as maker:
        return maker.band(brand)


def _show(
    font: SubsetFont,
    text: str,
    size: float,
    x: float,
    y: float,
    rgb: RGB,
    gids: dict[SubsetFont, dict[str, int]],
) -> bytes:
    glyphs = "".join(f"{gids[font][ch]:04x}" for ch in text).encode()
    return b"BT %.3f %.3f %.3f rg /%s %.2f Tf %.2f %.2f Td <%s> Tj ET" % (
        *rgb,
        font.resource.encode(),
        size,
        x,
        y,
        glyphs,
    )


@dataclass(frozen=True)
class ContactFit:
    """How a band sets its contacts: whole items on each line (`lines`), at `size`; the
    items left off after the last line (`dropped`, the line then ends in "…"), and those
    too wide for a line even at MIN_TEXT_PT (`cut`, clipped with an ellipsis)."""

    lines: tuple[tuple[str, ...], ...]
    size: float
    dropped: tuple[str, ...] = ()
    cut: tuple[str, ...] = ()

    @property
    def texts(self) -> list[str]:
        """Each line as drawn: its items joined by SEP, the last with "…" if any is left off."""
        texts = [SEP.join(line) for line in self.lines]
        if self.dropped:
            texts[-1] += "…"
        return texts


#: What a character Inter lacks may take at most, in ems, when laid out in a Noto font
#: (CJK 1, Arabic and Devanagari under 1); Inter's own kerning, at most 2 % more.
_WIDEST_EM = 1.5
_KERN_SHARE = 1.02


def _bound(advances: Mapping[str, float]) -> Callable[[str, float], float]:
    """An upper bound of how wide WeasyPrint sets a text: Inter's `advances` for what it
    has, _WIDEST_EM for the rest (a text surely fits where this fits)."""

    def width(text: str, size: float) -> float:
        units = sum(advances.get(ch, _WIDEST_EM * 1000) for ch in text)
        return units * size / 1000 * _KERN_SHARE

    return width


def _contact_items(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(c for c in items if c.strip())


def fit_contacts(
    items: Sequence[str],
    width: Callable[[str, float], float],
    max_w: float,
    max_lines: int = CONTACT_LINES,
) -> ContactFit:
    """Contacts packed whole into at most max_lines lines of max_w: at CONTACT_PT, shrunk in
    half points down to MIN_TEXT_PT until they fit; what still does not is left off or cut."""
    items = _contact_items(items)
    if not items:
        return ContactFit((), CONTACT_PT)
    lines, size = _pack_items(width, items, SEP, CONTACT_PT, max_w, max_lines)
    kept = tuple(tuple(line) for line in lines[:max_lines])
    dropped = tuple(c for line in lines[max_lines:] for c in line)
    cut = tuple(c for line in kept for c in line if width(c, size) > max_w + _FIT_EPSILON_PT)
    return ContactFit(kept, size, dropped, cut)


def text_width(page_width_pt: float) -> float:
    """The width of a band's text, right of the logo box, on a page `page_width_pt` wide."""
    margin = min(MARGIN_PT, page_width_pt * MARGIN_SHARE)
    return page_width_pt - 2 * margin - LOGO_BOX_PT[0] - GAP_PT


def _clipped(width: Callable[[str, float], float], text: str, size: float, max_w: float) -> str:
    """`text` cut with an ellipsis until it is at most `max_w` wide at `size`: its longest
    start that fits with "…" after it, else "…" alone.

    Found by bisection (a start's width never shrinks as it grows): cutting a character at
    a time, each try measured whole, was quadratic, and a 180,000-character partner name held
    a kit's build past five minutes."""
    if len(text) <= 1 or width(text, size) <= max_w + _FIT_EPSILON_PT:
        return text
    low, high = 0, len(text) - 2  # characters kept before "…" (none: "…" alone)
    while low < high:
        mid = (low + high + 1) // 2
        if width(text[:mid] + "…", size) <= max_w + _FIT_EPSILON_PT:
            low = mid
        else:
            high = mid - 1
    return text[:low] + "…"


def name_items(name: str) -> tuple[list[str], str]:
    """What a name's lines break between, and what joins them on a line: its words and a
    space, or, for a name in a script written without spaces ("東京データプロテクション
    株式会社"), its characters and nothing, never a line starting with a small kana or a
    closing mark (kinsoku): it was one word, set on one line and cut with "…"."""
    if any(ch.isspace() for ch in name) or not UNSPACED_RE.search(name):
        return name.split(), " "
    items: list[str] = []
    for ch in name:
        if items and (ch in NO_LINE_START or items[-1][-1] in NO_LINE_END):
            items[-1] += ch
        else:
            items.append(ch)
    return items, ""


def _mark_lines(
    name: str, width: Callable[[str, float], float], box_w: float = LOGO_BOX_PT[0]
) -> list[tuple[str, float]]:
    """The name set in the logo box (`box_w` wide) when there is no logo: one line of at
    most MARK_PT if that is at least MARK_MIN_PT, else up to MARK_LINES lines from
    MARK_WRAP_PT, shrunk to fit (a line still too wide is the caller's to clip with an
    ellipsis)."""
    size = min(MARK_PT, box_w / width(name, 1.0))
    if size >= MARK_MIN_PT:
        return [(name, size)]
    # more lines than MARK_LINES are cut there, the last ending in "…" (a line still too
    # wide is the caller's to clip)
    items, sep = name_items(name)
    lines, size = _pack_items(width, items, sep, MARK_WRAP_PT, box_w, MARK_LINES)
    texts = [sep.join(line) for line in lines[:MARK_LINES]]
    if len(lines) > MARK_LINES:
        texts[-1] += "…"
    return [(text, size) for text in texts]


def _pack_items(
    width: Callable[[str, float], float],
    items: Sequence[str],
    sep: str,
    size: float,
    max_w: float,
    max_lines: int,
) -> tuple[list[list[str]], float]:
    """Items packed whole into lines of max_w (each line its items), shrunk in half points
    down to 6 pt until at most max_lines lines fit; all the lines, however many."""
    while True:
        lines: list[list[str]] = []
        for item in items:
            if lines and width(sep.join((*lines[-1], item)), size) <= max_w + _FIT_EPSILON_PT:
                lines[-1].append(item)
            else:
                lines.append([item])
        widest = max(width(sep.join(line), size) for line in lines)
        fits = widest <= max_w + _FIT_EPSILON_PT
        if (len(lines) <= max_lines and fits) or size <= MIN_TEXT_PT:
            break
        size -= 0.5
    return lines, size


def _image(pdf: Any, data: bytes, *, max_px: tuple[int, int]) -> tuple[Any, tuple[float, float]]:
    """An image XObject (alpha as SMask) and the picture's natural size in pixels."""
    import pikepdf
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as exc:  # Pillow raises many types for bad files
        raise PdfError(f"unreadable logo image: {exc}") from exc
    natural = (float(image.width), float(image.height))
    rgba = image.convert("RGBA")
    # Enough pixels for 4x the box (~290 dpi): logos are often huge PNGs.
    rgba.thumbnail(max_px)
    alpha = rgba.getchannel("A")
    rgb = rgba.convert("RGB")

    def stream(pixels: Any, space: str) -> Any:
        return pdf.make_stream(
            zlib.compress(pixels.tobytes(), 6),
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=rgba.width,
            Height=rgba.height,
            ColorSpace=pikepdf.Name(space),
            BitsPerComponent=8,
            Filter=pikepdf.Name.FlateDecode,
        )

    xobject = stream(rgb, "/DeviceRGB")
    if alpha.getextrema() != (255, 255):
        xobject.SMask = stream(alpha, "/DeviceGray")
    return xobject, natural


def _contain(natural: tuple[float, float], box: tuple[float, float]) -> tuple[float, float]:
    scale = min(box[0] / natural[0], box[1] / natural[1])
    return natural[0] * scale, natural[1] * scale


def _inside(path: Path, roots: Sequence[Path]) -> Path:
    resolved = Path(path).resolve()
    if not any(resolved.is_relative_to(root) for root in roots):
        raise PdfError(f"logo {path} is outside the allowed directories")
    if not resolved.is_file():
        raise PdfError(f"logo {path} is not a file")
    return resolved

"""HTML for battlecards, destination playbooks and the differentiator matrix, for web and print."""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import jinja2
from jinja2.exceptions import SecurityError
from markupsafe import Markup, escape

from salesplay import richtext
from salesplay.images import site_name
from salesplay.labels import N_, Labels
from salesplay.locales import Language
from salesplay.models import Brand
from salesplay.render import colour
from salesplay.render.fonts import NOTO_FALLBACK, installed_file
from salesplay.render.templates import THEME_DIR, css_safe, render
from salesplay.render.theme import locate, relative_name
from salesplay.views import (
    ClaimView,
    CompetitorCard,
    CompetitorView,
    Edition,
    PathView,
    PlayView,
    StepView,
)

__all__ = [
    "Edition",
    "Links",
    "Matrix",
    "Nav",
    "battlecard",
    "brand_css",
    "competitor_card",
    "competitor_index",
    "matrix",
    "path_svg",
    "playbook",
]

Medium = Literal["web", "print"]

#: the English label of each edition (msgids: templates show `_(edition_label)`).
EDITION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "internal": N_("Internal edition — do not share outside the company"),
        "rep": N_("Rep edition — for the sales team, not for customers"),
        "partner": N_("Partner edition"),
        "public": N_("Public edition"),
    }
)

# Competitor columns: the status quo is the most dangerous competitor, so it comes first.
_TYPE_ORDER: Mapping[str, int] = MappingProxyType({"status-quo": 0, "diy": 1, "vendor": 2})


def _no_competitor(cid: str) -> str | None:
    return None


@dataclass(frozen=True)
class Nav:
    """The rep portal's navigation as one web page sees it: each entry's URL from that page
    (every rep web page shows it: portal/header.html)."""

    home: str
    competitors: str
    matrix: str
    whats_new: str
    report: str
    partners: str  # the reps' partner directory (families/partners.py)

    @classmethod
    def at(cls, folder: str) -> Nav:
        """For a page in `folder`, relative to --out ("" at its top; a locale's outputs are
        laid out alike under its own folder)."""
        here = folder or "."

        def to(target: str) -> str:
            return posixpath.relpath(target, here)

        return cls(
            home=to("site/index.html"),
            competitors=to("competitors/all_competitors.html"),
            matrix=to("site/matrix.html"),
            whats_new=to("site/whats-new.html"),
            report=to("site/report.html"),
            partners=to("partners/index.html"),
        )


def _inside_theme(theme: Callable[[str], str]) -> Callable[[str], str]:
    """`theme` refusing a name that is not a plain relative path inside the theme."""

    def checked(name: str) -> str:
        if not relative_name(name):
            raise SecurityError(f"theme file '{name}' is not inside templates/")
        return theme(name)

    checked.checked = True  # type: ignore[attr-defined]
    return checked


def _inside_assets(asset: Callable[[str], str]) -> Callable[[str], str]:
    """`asset` refusing a value that is not a plain relative path inside the catalog's
    assets/, as a catalog's own asset paths are (a template that asks for '/etc/passwd'
    is refused at its line by `check`, not by the fetch that a build's PDF makes)."""

    def checked(value: str) -> str:
        if not (relative_name(value) and value.split("/")[0] == "assets" and "/" in value):
            raise SecurityError(f"asset '{value}' is not a path inside the catalog's assets/")
        return asset(value)

    checked.checked = True  # type: ignore[attr-defined]
    return checked


@dataclass(frozen=True)
class Links:
    """How a page refers to files; differs between the web site, PDFs and partner kits."""

    #: a theme file's URL by its name inside the theme ("fonts.css", "fonts/Inter.otf"),
    #: the project's templates/ first: a name outside it is the template's error
    theme: Callable[[str], str]
    #: the URL of an image in the catalog's assets/ (`company.logo`, a partner's `logo`, or
    #: one a template names): on the web the PNG salesplay made of it, in a PDF the file in
    #: assets/; a path outside assets/ is the template's error
    asset: Callable[[str], str]
    #: a play's card page (None where there is none to link, as in PDFs and kits)
    play: Callable[[str], str | None]
    #: a play's downloads by their (translatable) label: its PDF and enablement deck
    downloads: Callable[[str], dict[str, str]]
    home: str | None = None  # the portal's front page, for a "back" link on web pages
    #: a competitor's card page (None: no page to link, as in PDFs and kits).
    competitor: Callable[[str], str | None] = _no_competitor
    #: the matrix PDF, for a web page that shows the matrix (None: no link, as in PDFs).
    matrix_pdf: str | None = None
    #: the portal's navigation, for a rep web page (None: none, as in PDFs and kits).
    nav: Nav | None = None

    def __post_init__(self) -> None:
        # a theme file is named inside the theme: "/etc/x" or "../x" is the template's
        # fault, said at its line (the copy or fetch that refuses it later has none to name)
        if not getattr(self.theme, "checked", False):
            object.__setattr__(self, "theme", _inside_theme(self.theme))
        if not getattr(self.asset, "checked", False):
            object.__setattr__(self, "asset", _inside_assets(self.asset))

    @classmethod
    def for_pdf(cls, catalog: Path, template_dirs: Sequence[Path]) -> Links:
        """Absolute file:// URIs (theme files looked up project-first), no page links: for
        what a PDF loads (an image, a font); a link to one is dropped (pdf._drop_file_links)."""
        dirs = tuple(Path(d).resolve() for d in template_dirs) or (THEME_DIR,)
        root = Path(catalog).resolve()

        def theme(name: str) -> str:
            found = locate(dirs, name)
            if found is None:
                return (THEME_DIR / name).as_uri()
            folder, path = found
            if not path.resolve().is_relative_to(folder.resolve()):
                # a symlink out of templates/: the fetch refuses it, but only as a build's
                # warning; the portal's copy of it stops `check`, and so does this
                raise SecurityError(f"theme file '{name}' leads outside {folder.name}/")
            return path.as_uri()

        def asset(value: str) -> str:
            return (root / value).as_uri()

        return cls(theme=theme, asset=asset, play=_no_page, downloads=_no_downloads)

    @classmethod
    def for_site(cls, depth: int) -> Links:
        """Relative URLs for a page `depth` folders below build/site/ (works from file://)."""
        up = "../" * depth

        def theme(name: str) -> str:
            return f"{up}assets/{name}"

        def asset(value: str) -> str:
            # salesplay's own name and PNG, never the path as written (see images.site_name)
            return up + site_name(value)

        def play(pid: str) -> str:
            return f"{up}battlecards/{pid}.html"

        def downloads(pid: str) -> dict[str, str]:
            # PDFs and decks live beside build/site/, in build/battlecards/ and build/decks/;
            # the labels are English msgids, translated where a template shows them
            return {
                N_("PDF"): posixpath.normpath(f"{up}../battlecards/{pid}.pdf"),
                N_("Enablement deck"): posixpath.normpath(f"{up}../decks/{pid}-enablement.pptx"),
            }

        def competitor(cid: str) -> str:
            # competitor card pages live beside build/site/, in build/competitors/.
            return posixpath.normpath(f"{up}../competitors/{cid}.html")

        return cls(
            theme=theme,
            asset=asset,
            play=play,
            downloads=downloads,
            home=f"{up}index.html",
            competitor=competitor,
            # only the depth matters to the relative URLs
            nav=Nav.at(posixpath.join("site", *["page"] * depth)),
        )


def _no_page(pid: str) -> str | None:
    return None


def _no_downloads(pid: str) -> dict[str, str]:
    return {}


# --- brand colours ---------------------------------------------------------------------


#: the page number at the foot of printed pages (print.css says it in English)
PAGE_OF = N_("Page %(page)s of %(pages)s")
_PAGE_PARTS = re.compile(r"%\((page|pages)\)s")


def page_css(labels: Labels) -> Markup:
    """print.css's page number in the labels' language: its `content` made from the
    translated label, the numbers as CSS counters ('Seite 2 von 3'); nothing for English."""
    said = labels.gettext(PAGE_OF)
    if said == PAGE_OF:
        return Markup("")
    parts = []
    for n, piece in enumerate(_PAGE_PARTS.split(said)):
        if n % 2:
            parts.append(f"counter({piece})")
        elif piece:
            # a label is text: quotes, backslashes, brackets and breaks become CSS escapes
            text = "".join(f"\\{ord(ch):X} " if ch in '"\\<>&\n\r' else ch for ch in piece)
            parts.append(f'"{text}"')
    content = " ".join(parts)
    return css_safe(
        f"@page {{ @bottom-right {{ content: {content} }} }}"
        f" @page rtl {{ @bottom-left {{ content: {content} }} }}"
        f" @page wide-rtl {{ @bottom-left {{ content: {content} }} }}"
    )


def brand_css(brand: Brand) -> Markup:
    """`:root` custom properties for the brand colours and derived tints (validated hex only)."""
    primary, accent = brand.primary.upper(), brand.accent.upper()
    props = {
        "--primary": primary,
        "--primary-soft": colour.mix(primary, "#FFFFFF", 0.9),
        "--primary-ink": colour.mix(primary, "#000000", 0.45),
        "--accent": accent,
        "--accent-soft": colour.mix(accent, "#FFFFFF", 0.88),
        "--accent-ink": colour.mix(accent, "#000000", 0.5),
    }
    return css_safe(":root{" + ";".join(f"{k}:{v}" for k, v in props.items()) + "}")


# --- pages -----------------------------------------------------------------------------


def _common(
    edition: Edition, links: Links, medium: Medium, languages: Sequence[Language] = ()
) -> dict[str, Any]:
    return {
        # the same page in the build's other locales (web pages of a multi-locale build)
        "languages": tuple(languages),
        "edition": edition,
        "company": edition.company,
        "links": links,
        "medium": medium,
        "as_of": edition.as_of,
        "brand_css": brand_css(edition.brand) + page_css(edition.labels),
        "edition_label": EDITION_LABELS.get(edition.audience, edition.audience),
        "safe_href": richtext.safe_href,
        # play ids with an anchor on this page (the playbook links its own chapters)
        "anchored": frozenset(),
        "path_parts": path_parts,
        "path_svg": lambda path, current=None, part=None: path_svg(
            path,
            part=part,
            current=current,
            brand=edition.brand,
            gettext=edition.labels.gettext,
            rtl=edition.labels.direction == "rtl",
            # WeasyPrint sets SVG text letter by letter, unshaped and unordered: a
            # right-to-left PDF's diagram has its words set by its HTML text engine instead
            html_text=edition.labels.direction == "rtl" and medium == "print",
        ),
    }


def battlecard(
    env: jinja2.Environment,
    edition: Edition,
    play_id: str,
    links: Links,
    *,
    medium: Medium,
    languages: Sequence[Language] = (),
) -> str:
    """The battlecard of one play of `edition` (template `battlecard.html`)."""
    play = edition.plays[play_id]
    context = _common(edition, links, medium, languages)
    return render(env, "battlecard.html", play=play, **context)


def playbook(env: jinja2.Environment, edition: Edition, destination_id: str, links: Links) -> str:
    """The print playbook of one destination (template `playbook.html`)."""
    dest = edition.destinations[destination_id]
    plays = path_plays(edition, dest.paths)
    claims = _claims_of(edition, plays)
    context = _common(edition, links, "print")
    context["anchored"] = frozenset(p.id for p in plays)
    return render(
        env,
        "playbook.html",
        destination=dest,
        plays=plays,
        # the competitors its claims beat and those its plays face: a unique claim wins
        # against them all (a catalog whose claims name none had a matrix of no columns)
        matrix=Matrix.of(
            edition,
            claims,
            every_competitor=False,
            faced=frozenset(m.competitor.id for p in plays for m in p.competitors),
        ),
        **context,
    )


def matrix(
    env: jinja2.Environment,
    edition: Edition,
    links: Links,
    *,
    medium: Medium,
    languages: Sequence[Language] = (),
) -> str:
    """The differentiator matrix of `edition` (template `matrix.html`)."""
    table = Matrix.of(edition, tuple(edition.differentiators.values()), every_competitor=True)
    context = _common(edition, links, medium, languages)
    return render(env, "matrix.html", matrix=table, **context)


def competitor_card(
    env: jinja2.Environment,
    edition: Edition,
    competitor_id: str,
    links: Links,
    *,
    medium: Medium,
    index: str | None = None,
    languages: Sequence[Language] = (),
) -> str:
    """The card of one competitor of `edition` (template `competitor.html`); `index` is the
    page listing every competitor, linked from web pages."""
    card = CompetitorCard.of(edition, competitor_id)
    context = _common(edition, links, medium, languages)
    return render(env, "competitor.html", card=card, competitors_index=index, **context)


def competitor_index(
    env: jinja2.Environment, edition: Edition, links: Links, languages: Sequence[Language] = ()
) -> str:
    """Every competitor of `edition` with its quick dismiss (template `competitor_index.html`)."""
    cards = tuple(CompetitorCard.of(edition, cid) for cid in competitors_in_order(edition))
    context = _common(edition, links, "web", languages)
    return render(env, "competitor_index.html", cards=cards, **context)


def competitors_in_order(edition: Edition) -> tuple[str, ...]:
    """The edition's competitor ids, the status quo first (it is in every deal), then by name."""
    comps = sorted(
        edition.competitors.values(),
        key=lambda comp: (_TYPE_ORDER.get(comp.type, 9), comp.name.lower(), comp.id),
    )
    return tuple(comp.id for comp in comps)


def path_plays(edition: Edition, paths: Sequence[PathView]) -> tuple[PlayView, ...]:
    """The plays of `paths` in step order, each once (a destination's, in its playbook)."""
    seen: dict[str, PlayView] = {}
    for path in paths:
        for step in path.steps:
            if step.play and step.play in edition.plays and step.play not in seen:
                seen[step.play] = edition.plays[step.play]
    return tuple(seen.values())


def _claims_of(edition: Edition, plays: Sequence[PlayView]) -> tuple[ClaimView, ...]:
    ids = dict.fromkeys(c.id for p in plays for c in p.why_us)
    return tuple(edition.differentiators[i] for i in ids if i in edition.differentiators)


@dataclass(frozen=True)
class Matrix:
    """Differentiators (unique first) × competitors, with the versus detail per cell."""

    claims: tuple[ClaimView, ...]
    competitors: tuple[CompetitorView, ...]
    cells: dict[
        tuple[str, str], str | None
    ]  # (claim id, competitor id) → detail; absent = no claim

    @classmethod
    def of(
        cls,
        edition: Edition,
        claims: Sequence[ClaimView],
        *,
        every_competitor: bool,
        faced: frozenset[str] = frozenset(),
    ) -> Matrix:
        """The matrix of `claims` against every competitor of the edition, or only those a
        claim names in its versus and those in `faced`."""
        ordered = tuple(sorted(claims, key=lambda c: (c.type != "unique", c.id)))
        cells = {(c.id, v.competitor.id): v.detail for c in ordered for v in c.versus}
        named = {cid for _, cid in cells} | faced
        comps = [
            comp for comp in edition.competitors.values() if every_competitor or comp.id in named
        ]
        comps.sort(key=lambda comp: (_TYPE_ORDER.get(comp.type, 9), comp.name.lower()))
        return cls(ordered, tuple(comps), cells)

    def has(self, claim_id: str, competitor_id: str) -> bool:
        return (claim_id, competitor_id) in self.cells

    def detail(self, claim_id: str, competitor_id: str) -> str | None:
        return self.cells.get((claim_id, competitor_id))


# --- path diagram --------------------------------------------------------------------

# Sizes are CSS pixels: the SVG is drawn at text size (1 unit = 1 px) and only shrinks to fit
# paper; a screen keeps it at that size and scrolls it sideways (see battlecard.html).
_BOX_W, _GAP, _PAD = 150, 28, 8
_NAME_SIZE, _CAPTION_SIZE, _NUMBER_SIZE = 14, 12.5, 12.5
_LEADING = 1.25  # a text's lines are this many of its font size apart
_NAME_X = 34  # the name starts right of the number disc
_DISC_R = 11  # the number disc's radius
_MIN_BOX_H, _BOX_PAD = 72, 10
_FIRST_BASELINE = 21.5  # of the number and of the name's first line, below the box top
# Only a pathological text runs past these and ends in '…' (the <desc> holds it whole).
_NAME_LINES, _CAPTION_LINES = 6, 8
_HEAD_LEN, _HEAD_HALF = 8.0, 5.0  # arrowhead: length along its line, half its width
# Five boxes keep names legible at A4 width; longer paths wrap onto further rows.
_PER_ROW = 5
_ROW_GAP = 30

Measure = Callable[[str], float]
#: the families after Inter in a diagram: the Noto family of every other script
_SVG_FALLBACK = ", ".join(f"'{family}'" for family in NOTO_FALLBACK)


@functools.cache
def _measures(shaped: bool = False) -> tuple[Measure, Measure]:
    """Widths in px of a name (bold) and a caption (regular) in the theme's Inter (the fonts
    are loaded once per process, not once per diagram); a letter Inter lacks is drawn by a
    Noto fallback and estimated (see _with_fallback), or, `shaped`, measured in that Noto
    font as shaped text (see _noto_widths): for the words set as HTML in a right-to-left
    PDF, which WeasyPrint draws in those very fonts, where no browser's font may differ."""
    from fontTools.ttLib import TTFont
    from PIL import ImageFont  # only a diagram needs it

    fonts = THEME_DIR / "fonts"
    bold = ImageFont.truetype(str(fonts / "Inter-Bold.otf"), _NAME_SIZE)
    regular = ImageFont.truetype(str(fonts / "Inter-Regular.otf"), _CAPTION_SIZE)
    covered = frozenset(TTFont(fonts / "Inter-Regular.otf")["cmap"].getBestCmap())
    return (
        _with_fallback(
            bold.getlength, covered, _NAME_SIZE, _noto_widths(True, _NAME_SIZE) if shaped else None
        ),
        _with_fallback(
            regular.getlength,
            covered,
            _CAPTION_SIZE,
            _noto_widths(False, _CAPTION_SIZE) if shaped else None,
        ),
    )


#: the width of a run of letters Inter lacks, in the Noto font that has them; None when no
#: installed one has them all
RunWidth = Callable[[str], float | None]


def _noto_widths(bold: bool, size: float) -> RunWidth | None:
    """Runs measured shaped (joined Arabic letters are narrower than their letters apart) in
    the first Noto fallback font installed that has all their letters, as fontconfig finds
    it for WeasyPrint; None without HarfBuzz shaping in Pillow (raqm)."""
    from PIL import ImageFont, features

    if not features.check("raqm"):
        return None
    from fontTools.ttLib import TTFont

    @functools.cache
    def loaded(family: str) -> tuple[frozenset[int], Any] | None:
        # on first need: a CJK collection's character map alone takes ~0.1 s
        path = installed_file(family, bold)
        if path is None:
            return None
        try:
            cmap = frozenset(TTFont(path, fontNumber=0, lazy=True)["cmap"].getBestCmap())
            font = ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)
        except Exception:  # fontTools and Pillow raise many kinds on a damaged font
            return None  # the estimate stands in
        return cmap, font

    def width(run: str) -> float | None:
        for family in NOTO_FALLBACK:
            found = loaded(family)
            if found is not None and all(ord(ch) in found[0] for ch in run):
                return float(found[1].getlength(run))
        return None

    return width


def _with_fallback(
    measure: Measure, covered: frozenset[int], size: float, runs: RunWidth | None = None
) -> Measure:
    """`measure` for the letters Inter has; each run of other letters measured by `runs`
    where it can (shaped, in its Noto font), else estimated: a wide (CJK) letter one em and
    any other letter Inter lacks (Arabic, Devanagari, Thai…) 0.6 em, about the Noto fonts'
    average, so a translated step name wraps inside its box instead of running past it."""

    def estimate(ch: str) -> float:
        return size * (1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6)

    # every card, playbook and page of a build draws the same path diagrams: measure once
    @functools.lru_cache(maxsize=1 << 16)
    def width(text: str) -> float:
        if all(ord(ch) in covered for ch in text):
            return measure(text)
        own = "".join(ch for ch in text if ord(ch) in covered)
        other = 0.0
        for run in _uncovered_runs(text, covered):
            found = runs(run) if runs is not None else None
            other += found if found is not None else sum(map(estimate, run))
        return (measure(own) if own else 0.0) + other

    return width


def _uncovered_runs(text: str, covered: frozenset[int]) -> list[str]:
    """The maximal runs of `text`'s letters Inter lacks (a word of Arabic, say)."""
    runs: list[str] = []
    current = ""
    for ch in text:
        if ord(ch) in covered:
            if current:
                runs.append(current)
            current = ""
        else:
            current += ch
    return [*runs, current] if current else runs


def _wrap(text: str, measure: Measure, width: float, max_lines: int) -> list[str]:
    """Greedy word wrap by measured width; only a word wider than a line is split.

    A text longer than `max_lines` ends in '…' (the SVG's <desc> holds it whole).
    """
    words: list[str] = []
    for word in text.split():
        while measure(word) > width and len(word) > 1:
            cut = next(
                n for n in range(len(word) - 1, 0, -1) if measure(word[:n]) <= width or n == 1
            )
            cut = richtext.kinsoku_cut(word, cut)
            words.append(word[:cut])
            word = word[cut:]
        words.append(word)
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if not current or measure(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and measure(last + "…") > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


@functools.cache
def _baseline_drop() -> float:
    """How far below its top WeasyPrint sets the baseline of an HTML line _LEADING font sizes
    high, in font sizes: half the leading, then the ascent of the theme's Inter (the stack's
    first family: its ascent and descent make every line's strut, an Arabic line's too)."""
    from fontTools.ttLib import TTFont

    font = TTFont(THEME_DIR / "fonts" / "Inter-Regular.otf")
    upm, hhea = font["head"].unitsPerEm, font["hhea"]
    ascent, descent = hhea.ascent / upm, -hhea.descent / upm
    return float((_LEADING - ascent - descent) / 2 + ascent)


@dataclass(frozen=True)
class _Words:
    """One text of a diagram: a step's number, name or caption, its lines one below another."""

    x: float  # where its lines start (their right end, right to left), or their middle
    baseline: float  # of its first line
    lines: Sequence[str]
    size: float
    fill: str
    bold: bool = False
    middle: bool = False  # one bold line centred on x (a step's number in its disc)


def _text(x: float, y: float, lines: Sequence[str], size: float, **attrs: str) -> Iterator[str]:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    yield f'<text x="{x:g}" y="{y:g}" font-size="{size:g}"{extra}>'
    for i, line in enumerate(lines):
        dy = 0 if i == 0 else size * _LEADING
        yield f'<tspan x="{x:g}" dy="{dy:g}">{escape(line)}</tspan>'
    yield "</text>"


def _svg_words(words: _Words, rtl: bool) -> list[str]:
    """`words` as SVG text."""
    if words.middle:
        return [
            f'<text x="{words.x:g}" y="{words.baseline:g}" font-size="{words.size:g}"'
            f' font-weight="bold" text-anchor="middle" fill="{words.fill}">'
            f"{escape(' '.join(words.lines))}</text>"
        ]
    # right to left, a text's start is its right end: "start" anchors it there
    way = {"direction": "rtl", "text_anchor": "start"} if rtl else {}
    weight = {"font_weight": "bold"} if words.bold else {}
    lines = [_isolated_line(line, rtl) for line in words.lines]
    return list(_text(words.x, words.baseline, lines, words.size, **weight, fill=words.fill, **way))


#: Unicode's isolates (UAX #9), left to right and right to left, and their end: a run read
#: in its own direction whatever the text around it.
_ISOLATE, _PDI = {"ltr": "\u2066", "rtl": "\u2067"}, "\u2069"


def _other_way(line: str, rtl: bool) -> str | None:
    """The direction of a diagram's line written the other way than the diagram (an
    English name or caption not yet translated on an Arabic card; richtext.direction_on),
    else None: such a line reads in its own direction from the side the diagram's lines
    start at, so its comma or full stop stays at its end."""
    page = "rtl" if rtl else "ltr"
    own = richtext.direction_on(line, page)
    return own if own is not None and own != page else None


def _isolated_line(line: str, rtl: bool) -> str:
    """An SVG line written the other way (_other_way) isolated in its own direction:
    Chromium read "Attacks are detected," and "(Beta) Cloud, fast." on an Arabic card as
    ",Attacks are detected" and ".Cloud, fast (Beta)"."""
    own = _other_way(line, rtl)
    return line if own is None else f"{_ISOLATE[own]}{line}{_PDI}"


def _html_words(words: _Words, width: float, rtl: bool) -> str:
    """`words` as HTML in a layer over a diagram `width` units wide whose font size is one
    unit: each line placed where its SVG line would be, its baseline on the SVG's."""
    size = words.size

    def em(units: float) -> str:  # a line's em is the text's size
        return f"{units / size:g}em"

    if words.middle:
        # as wide as the number's disc, centred on it
        across = f"left:{em(words.x - _DISC_R)};width:{em(2 * _DISC_R)};text-align:center"
    elif rtl:
        across = f"right:{em(width - words.x)}"
    else:
        across = f"left:{em(words.x)}"
    weight = "700" if words.bold else "400"
    out = [f'<div style="font-size:{size:g}em;font-weight:{weight};color:{words.fill}">']
    for i, line in enumerate(words.lines):
        top = words.baseline + i * size * _LEADING - _baseline_drop() * size
        own = _other_way(line, rtl)
        way = "" if own is None else f' dir="{own}"'
        out.append(
            f'<div{way} style="position:absolute;{across};top:{em(top)}">{escape(line)}</div>'
        )
    out.append("</div>")
    return "".join(out)


#: the steps of one drawing of a path in a playbook: four rows, which fit a page whatever the
#: names (a path of 60 steps was one drawing, and its last rows ran off the page)
PART_STEPS = 4 * _PER_ROW


def path_parts(path: PathView) -> range:
    """Where each drawing of `path` in a playbook starts (path_svg's `part`): one drawing
    for a path of up to PART_STEPS steps, one more for each PART_STEPS after."""
    return range(0, max(1, len(path.steps)), PART_STEPS)


def path_svg(
    path: PathView,
    *,
    part: int | None = None,
    current: str | None = None,
    brand: Brand | None = None,
    gettext: Callable[[str], str] = str,
    rtl: bool = False,
    html_text: bool = False,
) -> Markup:
    """The path as an inline SVG: numbered step boxes left→right, arrows, stage captions;
    `rtl` (a right-to-left edition) mirrors the flow: step 1 at the right, the arrows and a
    wrapping connector pointing left, each box's number, name and caption at its right.

    Drawn at text size (width and height in CSS px); pure SVG (no external references, no
    markers: WeasyPrint misplaces them), every text escaped. Names wrap in full, every box as
    tall as the tallest; `current` highlights one play and marks its box `data-current`.

    `html_text` (for WeasyPrint, which sets SVG text letter by letter: no joined Arabic, no
    right-to-left order) draws the shapes alone and sets every text as HTML, line by line at
    the same place, in a layer over them (`aria-hidden`: the SVG's <desc> holds every word).
    Both shrink alike to the page width: one unit of the diagram is one em of the wrapper,
    1px or less, as the page area (`100vw` in WeasyPrint) is narrower than the diagram.

    `part` (see path_parts) draws PART_STEPS steps from that one, numbered as in the path.
    """
    primary = brand.primary if brand else Brand().primary
    accent = brand.accent if brand else Brand().accent
    colour.parse(primary), colour.parse(accent)  # only validated colours reach the markup
    steps = path.steps if part is None else path.steps[part : part + PART_STEPS]
    per_row = min(_PER_ROW, max(1, len(steps)))
    rows = [steps[i : i + per_row] for i in range(0, len(steps), per_row)] or [()]
    bold, regular = _measures(shaped=html_text)
    names = {
        s.number: _wrap(s.label(gettext), bold, _BOX_W - _NAME_X - _BOX_PAD, _NAME_LINES)
        for s in steps
    }
    captions = {s.number: _caption(s, regular) for s in steps}
    most = max((len(lines) for lines in names.values()), default=1)
    # Names start level with the number disc and run down; the box ends below the last line.
    box_h = max(_MIN_BOX_H, _FIRST_BASELINE + (most - 1) * _NAME_SIZE * 1.25 + _BOX_PAD + 2)
    deepest = max((len(lines) for lines in captions.values()), default=0)
    row_h = box_h + deepest * _CAPTION_SIZE * 1.25 + 10
    # A wrapping path runs its connector around the boxes, in a margin on either side.
    side = _PAD + (_GAP / 2 if len(rows) > 1 else 0)
    width = side * 2 + per_row * _BOX_W + (per_row - 1) * _GAP
    height = _PAD * 2 + len(rows) * row_h + (len(rows) - 1) * _ROW_GAP
    # "--" never occurs in an id: `path-x-t` was also the chapter of a path named `x-t`
    uid = f"path-{path.id}" if not part else f"path-{path.id}--{part // PART_STEPS + 1}"
    desc = "; ".join(_step_words(s, gettext) for s in steps)
    # set in HTML, the texts' wrapper sizes the SVG (the theme's max-width would shrink it alone)
    fills = ' style="display:block;width:100%;height:100%;max-width:none"' if html_text else ""
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="path-svg"'
        f' viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" role="img"'
        f' aria-labelledby="{uid}--t {uid}--d"'
        f' font-family="Inter, {_SVG_FALLBACK}, sans-serif"{fills}>',
        f'<title id="{uid}--t">{escape(path.name)}</title>',
        f'<desc id="{uid}--d">{escape(desc)}</desc>',
    ]
    layer: list[str] = []  # the texts set as HTML (html_text)
    for r, row in enumerate(rows):
        top = _PAD + r * (row_h + _ROW_GAP)
        mid = top + box_h / 2
        for i, step in enumerate(row):
            here = current is not None and step.play == current
            left = side + i * (_BOX_W + _GAP)
            lines = names[step.number], captions[step.number]
            box_x = width - left - _BOX_W if rtl else left
            shapes, texts = _step_box(step, lines, box_x, top, box_h, here, primary, accent, rtl)
            out += shapes
            if html_text:
                layer += (_html_words(words, width, rtl) for words in texts)
            else:
                out += (part for words in texts for part in _svg_words(words, rtl))
            out.append("</g>")
            if i < len(row) - 1:
                # From the outer edge of this box's stroke to the outer edge of the next one's.
                line = [(left + _BOX_W + 1, mid), (left + _BOX_W + _GAP - 1, mid)]
                out += _arrow(primary, _mirrored(line, width) if rtl else line)
        if r < len(rows) - 1:
            # Out of the row's last box, down the right margin, back along the gap between
            # the rows, down the left margin and into the next row's first box (right to
            # left, mirrored: down the left margin, back, down the right one).
            right = side + (len(row) - 1) * (_BOX_W + _GAP) + _BOX_W + 1
            gap_y = top + row_h + _ROW_GAP / 2 - 4
            next_mid = mid + row_h + _ROW_GAP
            turn_r, turn_l = right + _GAP / 2 - 1, side - _GAP / 2 + 2
            corners = [(turn_r, mid), (turn_r, gap_y), (turn_l, gap_y), (turn_l, next_mid)]
            line = [(right, mid), *corners, (side - 1, next_mid)]
            out += _arrow(primary, _mirrored(line, width) if rtl else line)
    out.append("</svg>")
    if html_text:
        out = [
            # one em is one unit of the diagram: 1px, less where the page area is narrower
            f'<div class="path-art" style="position:relative;font-size:min(1px, 100vw / {width:g});'
            f'width:{width:g}em;height:{height:g}em;break-inside:avoid">',
            *out,
            f'<div class="path-words" aria-hidden="true" dir="{"rtl" if rtl else "ltr"}"'
            ' style="position:absolute;top:0;right:0;bottom:0;left:0;'
            f"font-family:Inter, {_SVG_FALLBACK}, sans-serif;font-style:normal;"
            f'line-height:{_LEADING:g};white-space:nowrap">',
            *layer,
            "</div></div>",
        ]
    # Safe: every catalog text above went through escape(), colours through colour.parse().
    return Markup("".join(out))


def _mirrored(points: Sequence[tuple[float, float]], width: float) -> list[tuple[float, float]]:
    """`points` mirrored across the middle of a diagram `width` wide (right to left)."""
    return [(width - x, y) for x, y in points]


def _arrow(colour: str, points: Sequence[tuple[float, float]]) -> list[str]:
    """A connector whose head is drawn, not a marker: its tip ends the line, on the line.

    The line stops where the head begins, so no stroke pokes through the tip.
    """
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = max(abs(x1 - x0), abs(y1 - y0)) or 1.0
    dx, dy = (x1 - x0) / length, (y1 - y0) / length  # connectors run level or plumb
    bx, by = x1 - dx * _HEAD_LEN, y1 - dy * _HEAD_LEN
    line = [*points[:-1], (bx + dx * 0.5, by + dy * 0.5)]
    wing_x, wing_y = -dy * _HEAD_HALF, dx * _HEAD_HALF
    head = f"M{x1:g},{y1:g} L{bx + wing_x:g},{by + wing_y:g} L{bx - wing_x:g},{by - wing_y:g} Z"
    return [
        '<g class="arrow">',
        f'<polyline points="{" ".join(f"{x:g},{y:g}" for x, y in line)}" fill="none"'
        f' stroke="{colour}" stroke-width="2" stroke-linejoin="round"/>',
        f'<path class="arrow-head" d="{head}" fill="{colour}"/>',
        "</g>",
    ]


def _step_words(step: StepView, gettext: Callable[[str], str]) -> str:
    stage = f" — {richtext.plain(step.stage)}" if step.stage else ""
    return f"{gettext('Step %(n)s:') % {'n': step.number}} {step.label(gettext)}{stage}"


def _caption(step: StepView, measure: Measure) -> list[str]:
    if not step.stage:
        return []
    return _wrap(richtext.plain(step.stage), measure, _BOX_W, _CAPTION_LINES)


def _step_box(
    step: StepView,
    lines: tuple[Sequence[str], Sequence[str]],
    x: float,
    y: float,
    box_h: float,
    here: bool,
    primary: str,
    accent: str,
    rtl: bool = False,
) -> tuple[list[str], list[_Words]]:
    """One step's box, its group left open: its shapes, then its texts (number, name and
    caption) at the box's start side (its right in a right-to-left edition, each text run
    right to left from there)."""
    fill, ink, ring = (primary, "#FFFFFF", primary) if here else ("#FFFFFF", "#0B1F44", primary)
    dash = ' stroke-dasharray="5 4"' if step.play is None else ""
    mark = ' data-current="true"' if here else ""
    disc = x + _BOX_W - 17 if rtl else x + 17
    out = [
        f'<g class="step" data-step="{step.number}"{mark}>',
        f'<rect x="{x:g}" y="{y:g}" width="{_BOX_W}" height="{box_h:g}" rx="8" fill="{fill}"'
        f' stroke="{ring}" stroke-width="2"{dash}/>',
        f'<circle cx="{disc:g}" cy="{y + 17:g}" r="{_DISC_R}"'
        f' fill="{accent if here else primary}"/>',
    ]
    name, caption = lines
    baseline = y + _FIRST_BASELINE
    texts = [
        _Words(disc, baseline, (str(step.number),), _NUMBER_SIZE, "#FFFFFF", True, middle=True),
        _Words(x + _BOX_W - _NAME_X if rtl else x + _NAME_X, baseline, name, _NAME_SIZE, ink, True),
    ]
    if caption:
        texts.append(
            _Words(x + _BOX_W if rtl else x, y + box_h + 16, caption, _CAPTION_SIZE, "#44506A")
        )
    return out, texts

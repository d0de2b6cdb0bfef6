"""Look at the decks: every deck of the sample rendered to PNG once, layout facts measured.

LibreOffice converts every deck of the sample build (and one partner's co-branded customer
decks) to PDF in one run, pdftoppm makes a PNG per slide; the PNGs are kept under
tests/artifacts/decks/ for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops
from pptx import Presentation
from pptx.util import Inches

from conftest import pdf_words
from salesplay.cobrand import FOOTER_SHAPE
from salesplay.cobrand import LOGO_SHAPE as PARTNER_LOGO
from salesplay.render.pptx_deck import LOGO_SHAPE
from sessionbuild import sample_build, shared

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "decks"
DPI = 50
#: layouts meant to fill the slide: none of their slides may be a line in a corner
FULL = {"Content", "Two Content", "Statement", "Proof", "Path"}
MIN_INK = 0.20
#: the brand accent of the sample (catalog.yaml brand.accent)
ACCENT = (0xFF, 0x6B, 0x00)

pytestmark = [
    pytest.mark.skipif(
        shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
        reason="LibreOffice and poppler are installed by `make`",
    ),
    pytest.mark.sample_build,
]


@dataclass(frozen=True)
class Deck:
    """One deck as built and as rendered: its slides and one PNG per slide."""

    name: str
    pptx: Path
    pdf: Path
    pngs: tuple[Path, ...]

    def slides(self) -> list[Any]:
        return list(Presentation(str(self.pptx)).slides)


def _render(build: Path, target: Path) -> None:
    decks = target / "pptx"
    decks.mkdir()
    for deck in sorted((build / "decks").glob("*.pptx")):
        shutil.copy(deck, decks / deck.name)
    # one partner's co-branded decks, both parts: its mark and the company logo side by side
    # (customer decks), the team marking on every slide (team decks)
    kit = sorted((build / "kits").glob("*.zip"))[0]
    with zipfile.ZipFile(kit) as archive:
        for name in archive.namelist():
            if "/for-your-" in name and name.endswith(".pptx"):
                (decks / f"kit-{kit.stem}-{Path(name).name}").write_bytes(archive.read(name))
    profile = (target / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(target / "pdf"), *map(str, sorted(decks.iterdir()))],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    (target / "png").mkdir()
    for pdf in sorted((target / "pdf").glob("*.pdf")):
        prefix = target / "png" / pdf.stem
        subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(prefix)], check=True)


def _publish(build: Path, target: Path) -> None:
    """Render the decks, and put their pictures in ARTIFACTS for people to look at: under
    the session's lock (sessionbuild.shared), so that two workers never replace it at once."""
    _render(build, target)
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    shutil.copytree(target / "png", ARTIFACTS)


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> list[Deck]:
    build = sample_build(tmp_path_factory) / "build"
    out = shared(tmp_path_factory, "deck-look", lambda target: _publish(build, target))
    found = []
    for pptx in sorted((out / "pptx").glob("*.pptx")):
        pngs = sorted(
            (out / "png").glob(f"{pptx.stem}-*.png"),
            key=lambda p: int(p.stem.rsplit("-", 1)[1]),
        )
        found.append(Deck(pptx.stem, pptx, out / "pdf" / f"{pptx.stem}.pdf", tuple(pngs)))
    assert len(found) > 10
    return found


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower())


def _slide_text(slide: Any) -> str:
    return " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)


def _ink_mask(png: Path, skip_top: float = 0.0) -> Image.Image:
    """Pixels that differ from the slide's background colour (its most common one)."""
    image = Image.open(png).convert("RGB")
    width, height = image.size
    image = image.crop((0, int(skip_top * DPI), width, height))
    colours = image.getcolors(width * height)
    assert colours is not None
    background = max(colours, key=lambda c: c[0])[1]
    diff = ImageChops.difference(image, Image.new("RGB", image.size, background)).convert("L")
    return diff.point(lambda v: 255 if v > 40 else 0)


def ink(png: Path, cols: int = 16, rows: int = 9) -> float:
    """The share of a 16 × 9 grid's cells with anything drawn in them (below the brand bar).

    One line in a corner inks a few cells whatever its font size; a slide whose content
    spreads over it inks most of them.
    """
    cells = _ink_mask(png, skip_top=0.2).resize((cols, rows), Image.Resampling.BOX)
    inked = [v for v in cells.tobytes() if v > 0.02 * 255]
    return len(inked) / (cols * rows)


def test_every_deck_renders_one_page_per_slide(decks: list[Deck]) -> None:
    for deck in decks:
        assert deck.pdf.is_file(), deck.name
        assert len(deck.pngs) == len(deck.slides()), deck.name
    assert sorted(p.name for p in ARTIFACTS.iterdir()) == sorted(
        p.name for d in decks for p in d.pngs
    )


def test_no_text_runs_off_its_slide(decks: list[Deck]) -> None:
    for deck in decks:
        prs = Presentation(str(deck.pptx))
        width, height = prs.slide_width / 12700, prs.slide_height / 12700
        # body text ends 0.55 in above the edge, path captions 0.5 in: lower is overflow
        bottom = height - 0.3 * 72
        for number, (slide, words) in enumerate(
            zip(prs.slides, pdf_words(deck.pdf), strict=True), 1
        ):
            where = f"{deck.name} slide {number}"
            assert words, where
            # a kit team deck's marking sits in the bottom band on purpose: on the slide is enough
            footer = {
                t
                for sh in slide.shapes
                if sh.name == FOOTER_SHAPE
                for t in _tokens(sh.text_frame.text)
            }
            for x0, y0, x1, y1, word in words:
                low = height if set(_tokens(word)) <= footer and footer else bottom
                assert x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= low, (where, word)
            # what LibreOffice cut off past the slide's edge is not in the PDF at all
            shown = set(_tokens(" ".join(w[4] for w in words)))
            missing = [t for t in _tokens(_slide_text(slide)) if t not in shown]
            assert not missing, (where, missing)


def test_title_and_closing_slides_show_the_company_logo(decks: list[Deck]) -> None:
    for deck in decks:
        slides = deck.slides()
        for index in (0, len(slides) - 1):
            where = f"{deck.name} slide {index + 1}"
            logos = [sh for sh in slides[index].shapes if sh.name == LOGO_SHAPE]
            assert len(logos) == 1, where
            logo = logos[0]
            box = tuple(
                int(v / Inches(1) * DPI)
                for v in (logo.left, logo.top, logo.left + logo.width, logo.top + logo.height)
            )
            # drawn: the logo's box holds the logo's colours, not just its white card
            image = Image.open(deck.pngs[index]).convert("RGB").crop(box)
            pixels = image.tobytes()
            coloured = sum(1 for i in range(0, len(pixels), 3) if min(pixels[i : i + 3]) < 200)
            assert coloured > 0.1 * image.width * image.height, where
            for other in slides[index].shapes:
                if other.name == PARTNER_LOGO:  # a kit's partner logo sits clear of ours
                    assert (
                        other.top >= logo.top + logo.height or other.left >= logo.left + logo.width
                    ), where


def test_no_full_layout_slide_is_a_line_in_a_corner(decks: list[Deck]) -> None:
    thin = []
    for deck in decks:
        for number, (slide, png) in enumerate(zip(deck.slides(), deck.pngs, strict=True), 1):
            if slide.slide_layout.name in FULL and ink(png) < MIN_INK:
                thin.append((deck.name, number, slide.slide_layout.name, round(ink(png), 2)))
    assert not thin


def test_enablement_path_slides_mark_this_play_in_the_brand_accent(decks: list[Deck]) -> None:
    checked = 0
    for deck in decks:
        if not deck.name.endswith("-enablement"):
            continue
        for slide, png in zip(deck.slides(), deck.pngs, strict=True):
            if slide.slide_layout.name != "Path":
                continue
            colours = Image.open(png).convert("RGB").getcolors(1 << 20) or []
            accent = sum(n for n, rgb in colours if _near(rgb, ACCENT))
            # one step box of ~2.2 × 0.9 in at 50 dpi is ~5,000 pixels of the accent
            assert accent > 2000, deck.name
            checked += 1
    assert checked


def _near(rgb: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(rgb, target, strict=True))


def test_ink_measure_tells_a_corner_line_from_a_full_slide(tmp_path: Path) -> None:
    corner = Image.new("RGB", (667, 375), "white")
    corner.paste((20, 30, 50), (30, 40, 330, 60))  # a title line top left
    corner.paste((20, 30, 50), (30, 80, 400, 92))  # one sentence under it
    full = corner.copy()
    for y in range(120, 340, 30):
        full.paste((20, 30, 50), (30, y, 630, y + 10))
    corner.save(tmp_path / "corner.png")
    full.save(tmp_path / "full.png")
    assert ink(tmp_path / "corner.png") < MIN_INK < ink(tmp_path / "full.png")

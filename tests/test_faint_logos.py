"""A logo white or nearly so where it is not transparent shows nothing on the white pages,
bands and slides it is printed on: `check` warns of it (`logo-faint`)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from conftest import AS_OF, run_cli
from salesplay import imagecache, images
from salesplay.imagecache import ImageCache
from salesplay.write import write_output

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests/roots/minimal"


def _png(fill: tuple[int, int, int, int], mark: tuple[int, int, int, int] | None = None) -> bytes:
    """A 300×100 logo: a bar of `fill` on transparency, and a small `mark` beside it."""
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 240, 80), fill=fill)
    if mark is not None:
        draw.rectangle((260, 40, 270, 50), fill=mark)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _svg(fill: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">'
        f'<rect x="10" y="10" width="180" height="40" fill="{fill}"/></svg>'
    ).encode()


@pytest.mark.parametrize(
    ("fill", "mark", "faint"),
    [
        ((255, 255, 255, 255), None, True),  # a white logo made for a dark header
        ((246, 246, 240, 255), None, True),  # the palest tint
        ((20, 20, 20, 0), None, True),  # drawn, but wholly transparent
        ((20, 20, 20, 12), None, True),  # a black bar at 5 % opacity
        ((31, 78, 121, 255), None, False),  # a brand blue
        ((200, 200, 200, 255), None, False),  # a light grey still reads
        ((255, 255, 255, 255), (0, 0, 0, 255), False),  # white, with a dark part
    ],
)
def test_a_raster_logo_is_faint_when_no_part_of_it_is_darker_than_near_white(
    fill: tuple[int, int, int, int], mark: tuple[int, int, int, int] | None, faint: bool
) -> None:
    assert images.check_image(_png(fill, mark), ".png").faint is faint


@pytest.mark.parametrize(("level", "faint"), [(3000, False), (20_000, False), (65_000, True)])
def test_a_16_bit_grey_logo_is_scaled_not_clipped(level: int, faint: bool) -> None:
    """A 16-bit grey PNG's values run to 65,535: Pillow's convert() clipped them at 255, so a
    near-black logo (3,000 of 65,535) was published white, and called faint."""
    out = io.BytesIO()
    Image.new("I;16", (200, 80), level).save(out, format="PNG")
    checked = images.check_image(out.getvalue(), ".png")
    assert checked.faint is faint
    with Image.open(io.BytesIO(checked.png)) as published:
        grey = published.convert("L").getpixel((100, 40))
    assert grey == round(level / 257), (level, grey)


def test_a_16_bit_grey_logos_transparent_grey_stays_transparent() -> None:
    """A 16-bit grey PNG may name one grey transparent (tRNS), its background: scaled to 8
    bits, the image compared its pixels with the 16-bit value, so a background of 40,000
    was published as an opaque grey box around the mark."""
    image = Image.new("I;16", (200, 80), 40_000)
    image.paste(Image.new("I;16", (100, 40), 3000), (50, 20))
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=40_000)
    checked = images.check_image(out.getvalue(), ".png")
    assert checked.faint is False
    with Image.open(io.BytesIO(checked.png)) as published:
        rgba = published.convert("RGBA")
        assert rgba.getpixel((0, 0))[3] == 0  # the background, transparent
        assert rgba.getpixel((100, 40)) == (12, 12, 12, 255)  # the mark, scaled


def test_a_white_jpeg_is_faint_too() -> None:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (255, 255, 255)).save(out, format="JPEG")
    assert images.check_image(out.getvalue(), ".jpg").faint
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (90, 10, 10)).save(out, format="JPEG")
    assert not images.check_image(out.getvalue(), ".jpg").faint


@pytest.mark.parametrize("publish", [False, True])
def test_an_svg_logo_is_judged_as_drawn(publish: bool) -> None:
    # drawn and judged whether or not its PNG is encoded then (`check` encodes none)
    assert images.check_image(_svg("#ffffff"), ".svg", publish=publish).faint
    assert images.check_image(_svg("#fafafa"), ".svg", publish=publish).faint
    assert not images.check_image(_svg("#1f4e79"), ".svg", publish=publish).faint
    sample = (MINIMAL / "assets/northwind.svg").read_bytes()
    assert not images.check_image(sample, ".svg", publish=publish).faint


@pytest.mark.parametrize(
    ("fill", "opacity", "faint"),
    [
        ("#f0f0f0", 1, True),  # the darkest grey that is faint (FAINT_LEVEL)
        ("#eeeeee", 1, False),
        ("#000000", 0.05, True),  # black at 5 %: 13 levels below white
        ("#000000", 0.07, False),  # at 7 %: 18 levels
        ("#808080", 0.1, True),  # mid grey at 10 %: 13 levels
        ("#808080", 0.14, False),  # at 14 %: 18 levels
    ],
)
def test_a_translucent_svg_is_judged_as_laid_on_white(
    fill: str, opacity: float, faint: bool
) -> None:
    """cairo's pixels are premultiplied by their alpha: judged as they are, a translucent
    drawing is as faint as the raster of the same colour and opacity is."""
    svg = _svg(fill).replace(b"/></svg>", f' fill-opacity="{opacity}"/></svg>'.encode())
    assert images.check_image(svg, ".svg").faint is faint
    grey = int(fill[1:3], 16)
    raster = _png((grey, grey, grey, round(opacity * 255)))
    assert images.check_image(raster, ".png").faint is faint


def test_the_image_cache_keeps_whether_a_logo_is_faint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    white, blue = _png((255, 255, 255, 255)), _png((31, 78, 121, 255))
    first = ImageCache(tmp_path)
    first.check(white, ".png")
    first.check(blue, ".png")
    for rel, data in first.pending():
        write_output(tmp_path, rel, data)

    def refused(*_args: object, **_kwargs: object) -> images.Checked:
        raise AssertionError("decoded again")

    monkeypatch.setattr(imagecache, "check_image", refused)
    again = ImageCache(tmp_path)
    assert again.check(white, ".png").faint
    assert not again.check(blue, ".png").faint
    # what a worker of `check` sends back (no PNG) says it too
    for data in (white, blue):
        checked = images.check_image(data, ".png")
        head = imagecache._decode_head(imagecache._head(checked), lambda: b"")
        assert head is not None and head.faint is checked.faint
    # an entry whose word on it is not true or false is not trusted
    assert (
        imagecache._decode_head(
            b'{"format": "PNG", "size": [1, 1], "png_size": [1, 1], "faint": "no"}', lambda: b""
        )
        is None
    )


def _catalog(tmp_path: Path, logo: bytes) -> Path:
    shutil.copytree(MINIMAL, tmp_path / "plays")
    partner = tmp_path / "plays/partners/blue-river.yaml"
    partner.write_text(
        partner.read_text().replace("assets/partners/blue-river.svg", "assets/partners/white.png")
    )
    (tmp_path / "plays/assets/partners/white.png").write_bytes(logo)
    return tmp_path


def test_check_warns_of_a_faint_partner_logo_at_its_line(tmp_path: Path) -> None:
    project = _catalog(tmp_path, _png((255, 255, 255, 255)))
    done = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=project)
    assert done.code == 0, done.stderr
    [line] = [ln for ln in done.stderr.splitlines() if "white or nearly so" in ln]
    assert line.startswith("plays/partners/blue-river.yaml:3:7: warning: logo")
    assert line.endswith("use a version made for light backgrounds")
    strict = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, "--strict", cwd=project)
    assert strict.code == 1
    built = run_cli(
        "build", "--catalog", "plays", "--as-of", AS_OF, "--only", "reports", cwd=project
    )
    assert built.code == 0, built.stderr
    report = json.loads((project / "build/reports/check.json").read_text())
    [found] = [d for d in report if d["code"] == "logo-faint"]
    assert found["subject"] == {"kind": "partner", "id": "blue-river"}
    assert (found["file"], found["line"], found["column"]) == (
        "plays/partners/blue-river.yaml",
        3,
        7,
    )


def test_a_logo_with_colour_is_not_warned_of(tmp_path: Path) -> None:
    project = _catalog(tmp_path, _png((255, 255, 255, 255), mark=(31, 78, 121, 255)))
    done = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=project)
    assert done.code == 0, done.stderr
    assert "white or nearly so" not in done.stderr

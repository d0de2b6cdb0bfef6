"""Partner bands: drawn once per partner, stamped on every page, logo never distorted."""

from __future__ import annotations

import hashlib
import io
import time
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest
from PIL import Image

from salesplay.render.band import (
    BAND_CLEARANCE_CSS,
    BAND_HEIGHT_PT,
    BAND_RESERVED_PT,
    LOGO_BOX_PT,
    BandFonts,
    BandMaker,
    Brand,
    make_band,
)
from salesplay.render.pdf import FONTS_CSS, PdfError, render_pdf
from salesplay.render.stamp import PreparedBand, Stamper, stamp
from salesplay.render.theme import THEME_DIR

AS_OF = date(2026, 11, 1)
A4_WIDTH = 595.2756
CONTACTS = ("Dana Ruiz", "dana@blueriver.example", "+1 555 0100", "https://blueriver.example")
Matrix = tuple[float, float, float, float, float, float]


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stamp") / "assets"
    root.mkdir()
    Image.new("RGBA", (400, 100), (20, 120, 60, 255)).save(root / "wide.png")
    Image.new("RGB", (100, 300), (200, 40, 40)).save(root / "tall.png")
    (root / "wide.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 100" width="400" height="100">'
        '<rect width="400" height="100" fill="#7a1fa2"/></svg>'
    )
    (root / "card.css").write_text(
        BAND_CLEARANCE_CSS + " body { font-family: Inter; font-size: 11pt } h1 { color: #0B5FFF }"
    )
    return root


@pytest.fixture(scope="module")
def card(assets: Path) -> bytes:
    """A tagged two-page battlecard-like PDF with an outline."""
    sections = "".join(
        f"<h2>Objection {i}</h2><p>We already have backups. Ask how long the restore took.</p>"
        for i in range(16)
    )
    html = (
        '<!doctype html><html lang="en"><head><link rel="stylesheet" href="card.css"></head>'
        f"<body><h1>Backup modernization</h1>{sections}</body></html>"
    )
    pdf, refused = render_pdf(
        html,
        base_url=assets.as_uri() + "/",
        roots=[assets, THEME_DIR],
        as_of=AS_OF,
        title="Backup modernization",
        stylesheets=[FONTS_CSS],
    )
    assert refused == []
    return pdf


@pytest.fixture(scope="module")
def maker(assets: Path) -> Iterator[BandMaker]:
    with BandMaker(roots=[assets], as_of=AS_OF, width_pt=A4_WIDTH, height_pt=BAND_HEIGHT_PT) as m:
        yield m


@pytest.fixture(scope="module")
def stamped(card: bytes, maker: BandMaker, assets: Path) -> bytes:
    return stamp(card, maker.band(Brand("Blue River IT", assets / "wide.png", CONTACTS)))


def test_card_fixture_has_two_pages_and_leaves_room_for_the_band(card: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(card))
    assert len(reader.pages) == 2
    lowest: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            lowest.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert min(lowest) > BAND_RESERVED_PT > BAND_HEIGHT_PT


def test_every_page_has_partner_and_original_text(stamped: bytes) -> None:
    pages = pypdf.PdfReader(io.BytesIO(stamped)).pages
    assert len(pages) == 2
    for page in pages:
        text = page.extract_text()
        assert "Presented by Blue River IT" in text
        assert " · ".join(CONTACTS) in text
        assert "We already have backups." in text
    assert "Backup modernization" in pages[0].extract_text()


def test_band_is_one_form_xobject_shared_by_all_pages(stamped: bytes) -> None:
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        forms = set()
        for page in pdf.pages:
            bands = [x for name, x in page.Resources.XObject.items() if name.startswith("/SPBand")]
            assert len(bands) == 1
            forms.add(bands[0].objgen)
            assert b"/Artifact" in page.Contents[-1].read_bytes()  # not read out as content
        assert len(forms) == 1


def test_the_band_embeds_only_the_glyphs_it_draws(stamped: bytes) -> None:
    """A drawn band's fonts are cut from one shared subset of about a hundred glyphs: each
    embeds those its text draws, CID-keyed (render.cidfont), widths and texts for them."""
    from fontTools.cffLib import CFFFontSet

    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        band = next(
            x for name, x in pdf.pages[0].Resources.XObject.items() if name.startswith("/SPBand")
        )
        fonts = list(band.Resources.Font.values())
        assert len(fonts) == 2  # regular and bold
        drawn_text = ""
        for font in fonts:
            descendant = font.DescendantFonts[0]
            program = descendant.FontDescriptor.FontFile3
            assert program.Subtype == "/CIDFontType0C"
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(program.read_bytes()), None)
            top = cff[cff.fontNames[0]]
            cids = {int(name[3:]) for name in top.charset[1:]}
            w = list(descendant.W)
            assert cids == {int(w[at]) for at in range(0, len(w), 2)}  # a width for each
            assert 5 < len(cids) < 60  # the glyphs drawn, not the shared hundred
            drawn_text += font.ToUnicode.read_bytes().decode("latin-1")
    assert "beginbfchar" in drawn_text


def classic_xref(pdf: bytes) -> bytes:
    """The same document saved with an xref table instead of an xref stream."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        out = io.BytesIO()
        doc.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable, static_id=True)
    data = out.getvalue()
    assert b"\nxref\n" in data
    return data


@pytest.mark.parametrize("xref", ["stream", "table"])
def test_stamp_appends_a_valid_incremental_update(
    card: bytes, maker: BandMaker, assets: Path, xref: str
) -> None:
    original = card if xref == "stream" else classic_xref(card)
    stamper = Stamper(original)
    for brand in (Brand("Blue River IT", assets / "wide.png", CONTACTS), Brand("Nologo", None, ())):
        band = maker.band(brand)
        out = stamper.stamp(PreparedBand.of(band))
        assert out == stamper.stamp(band) == stamp(original, band)
        assert out.startswith(original)  # the rendered file itself is never rewritten
        # the sums carried on from the original's are those of the whole copy
        summed = stamper.stamp_summed(band)
        assert summed.data == out
        assert summed.crc == zlib.crc32(out)
        assert summed.sha256 == hashlib.sha256(out).hexdigest()
        with pikepdf.open(io.BytesIO(out)) as doc:
            assert doc.check_pdf_syntax() == []
        reader = pypdf.PdfReader(io.BytesIO(out), strict=True)
        assert all(f"Presented by {brand.name}" in page.extract_text() for page in reader.pages)


def test_stamping_a_stamped_pdf_keeps_both_bands(stamped: bytes, maker: BandMaker) -> None:
    again = stamp(stamped, maker.band(Brand("Second Partner", None, ())))
    with pikepdf.open(io.BytesIO(again)) as doc:
        assert doc.check_pdf_syntax() == []
        names = sorted(str(n) for n in doc.pages[0].Resources.XObject)
    assert [n for n in names if n.startswith("/SPBand")] == ["/SPBand", "/SPBand1"]
    text = pypdf.PdfReader(io.BytesIO(again)).pages[1].extract_text()
    assert "Blue River IT" in text and "Second Partner" in text


def test_tags_outline_and_metadata_are_kept(card: bytes, stamped: bytes) -> None:
    with pikepdf.open(io.BytesIO(card)) as before, pikepdf.open(io.BytesIO(stamped)) as after:
        for key in ("/StructTreeRoot", "/MarkInfo", "/Metadata", "/Lang", "/Outlines"):
            assert key in after.Root, key
        assert after.Root.Metadata.read_bytes() == before.Root.Metadata.read_bytes()
        assert str(after.docinfo.Title) == "Backup modernization"
        with after.open_outline() as outline:
            assert outline.root[0].title == "Backup modernization"


def test_stamping_and_bands_are_deterministic(
    card: bytes, stamped: bytes, maker: BandMaker, assets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "time", lambda: 4_102_444_800.0)  # fonts must not see the clock
    band = maker.band(Brand("Blue River IT", assets / "wide.png", CONTACTS))
    assert stamp(card, band) == stamped
    assert (
        make_band(
            Brand("Blue River IT", assets / "wide.png", CONTACTS),
            roots=[assets],
            as_of=AS_OF,
            width_pt=A4_WIDTH,
            height_pt=BAND_HEIGHT_PT,
        )
        == band
    )


def matrix(values: Any) -> Matrix:
    a, b, c, d, e, f = (float(v) for v in values)
    return a, b, c, d, e, f


def transform(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def concat(a: Matrix, b: Matrix) -> Matrix:
    """a then b (PDF row-vector convention)."""
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def painted_points(content: Any, resources: Any, ctm: Matrix) -> Iterator[tuple[float, float]]:
    """Corners of every image and filled rectangle that `content` paints, in page space."""
    stack: list[Matrix] = []
    path: list[tuple[float, float]] = []  # a clipping path (W n) paints nothing
    for instruction in pikepdf.parse_content_stream(content):
        operands, name = instruction.operands, str(instruction.operator)
        if name == "q":
            stack.append(ctm)
        elif name == "Q":
            ctm = stack.pop()
        elif name == "cm":
            ctm = concat(matrix(operands), ctm)
        elif name == "re":
            x, y, w, h = (float(v) for v in operands)
            path += [transform(ctm, x, y), transform(ctm, x + w, y + h)]
        elif name in ("f", "F", "f*", "B", "B*", "b", "b*"):
            yield from path
            path = []
        elif name == "n":
            path = []
        elif name == "Do":
            xobject = resources.XObject[operands[0]]
            if xobject.Subtype == "/Image":
                yield from (transform(ctm, x, y) for x, y in ((0, 0), (1, 1)))
            else:
                inner = concat(matrix(xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])), ctm)
                yield from painted_points(xobject, xobject.Resources, inner)


def logo_bbox(band: bytes) -> tuple[float, float, float, float]:
    with pikepdf.open(io.BytesIO(band)) as pdf:
        page = pdf.pages[0]
        ops = pikepdf.parse_content_stream(page)
        # Only what the /Logo XObject paints, placed by the cm just before its Do.
        index = next(i for i, ins in enumerate(ops) if str(ins.operator) == "Do")
        place = matrix(ops[index - 1].operands)
        logo = page.Resources.XObject.Logo
        if logo.Subtype == "/Image":
            points = [transform(place, x, y) for x, y in ((0, 0), (1, 1))]
        else:
            inner = concat(matrix(logo.Matrix), place)
            points = list(painted_points(logo, logo.Resources, inner))
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


@pytest.mark.parametrize(
    ("logo", "aspect"), [("wide.png", 4.0), ("tall.png", 1 / 3), ("wide.svg", 4.0)]
)
def test_logo_fits_the_box_without_distortion(
    maker: BandMaker, assets: Path, logo: str, aspect: float
) -> None:
    band = maker.band(Brand("Logo Co", assets / logo, CONTACTS))
    x0, y0, x1, y1 = logo_bbox(band)
    box_w, box_h = LOGO_BOX_PT
    box_x, box_y = min(36.0, A4_WIDTH * 0.06), (BAND_HEIGHT_PT - box_h) / 2
    tol = 0.05
    assert box_x - tol <= x0 < x1 <= box_x + box_w + tol
    assert box_y - tol <= y0 < y1 <= box_y + box_h + tol
    assert (x1 - x0) / (y1 - y0) == pytest.approx(aspect, rel=0.01)
    # Fitted: the logo touches the box on its limiting side.
    assert (x1 - x0) == pytest.approx(box_w, abs=0.1) or (y1 - y0) == pytest.approx(box_h, abs=0.1)


def test_no_logo_sets_the_name_in_type(maker: BandMaker) -> None:
    band = maker.band(
        Brand("Müller & Søn Consulting Partners International", None, ("kari@ms.example",))
    )
    text = pypdf.PdfReader(io.BytesIO(band)).pages[0].extract_text()
    assert "Müller & Søn Consulting\nPartners International" in text  # wrapped in the logo box
    assert "Presented by Müller & Søn Consulting Partners International" in text
    assert "kari@ms.example" in text


def test_a_name_too_long_for_the_first_line_keeps_6_pt_and_ends_in_an_ellipsis(
    maker: BandMaker, assets: Path
) -> None:
    """A 300-character partner name was set at 2.4 pt on the band's first line, unreadable,
    and `check` said nothing: the line shrinks to MIN_TEXT_PT at the least, the name is cut
    with "…" there (check's name_cut says so beforehand), and a shorter one is whole."""
    from salesplay.render.band import MIN_TEXT_PT, TEAM_LEAD, TEAM_TRAIL, name_cut

    long = "Northwind Regional Managed Services and Cloud Consulting Partner " * 5
    sizes: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            sizes.append(size * tm[0])

    for name, cut in ((long.strip(), True), ("Northwind Regional Managed Services", False)):
        brand = Brand.team(name, assets / "wide.png", CONTACTS, "#0B5FFF")
        assert maker.drawable(brand)
        band = maker.band(brand)
        page = pypdf.PdfReader(io.BytesIO(band)).pages[0]
        sizes.clear()
        text = page.extract_text(visitor_text=visit)
        assert min(sizes) >= MIN_TEXT_PT - 0.01
        first = text.splitlines()[0]
        assert first.startswith("For the sellers of Northwind") and first.endswith(
            TEAM_TRAIL.strip()
        )
        assert ("…" in first) is cut
        assert name_cut(TEAM_LEAD, name, TEAM_TRAIL, lambda: CONTACTS, A4_WIDTH) is cut


@pytest.mark.parametrize("name", ["Cloud Solutions", "Blue River Tech", "Harbor Lane Networks"])
@pytest.mark.parametrize("engine", ["draw", "weasyprint"])
def test_a_name_sized_to_the_logo_box_is_set_whole(
    maker: BandMaker, name: str, engine: str
) -> None:
    """A one-line name shrunk to exactly the box's width: float rounding made the drawn
    band's "Cloud Solutions" 120.00000000000001 pt wide, and it was cut to "Cloud Solutio…"."""
    band = maker.band(Brand(name, None, ("sales@cloud.example",)), engine=engine)
    box_right = min(36.0, A4_WIDTH * 0.06) + LOGO_BOX_PT[0]
    runs: list[tuple[float, str]] = []
    reader = pypdf.PdfReader(io.BytesIO(band))
    reader.pages[0].extract_text(
        visitor_text=lambda t, cm, tm, *_: runs.append((cm[4] + tm[4], t)) if t.strip() else None
    )
    in_box = " ".join(t.strip() for x, t in runs if x < box_right)
    assert in_box == name
    assert "…" not in reader.pages[0].extract_text()


#: a partner's contact of the probe: its website was left off the band ("… ext. 4471…")
LONG_CONTACT = (
    "Dana Alexandra Ruiz-Montgomery, Senior Director of Strategic Alliances and Channel"
    " Partnerships",
    "dana.ruiz-montgomery@blueriver-consulting-managed-services.example",
    "+1 555 0100 ext. 4471",
    "https://www.blueriver-consulting-managed-services.example/partners/"
    "northwind-backup-and-recovery",
)


def _text_lines(band: bytes) -> list[str]:
    """The band's text right of the logo box, line by line from the top (by position)."""
    runs: list[tuple[float, float, str]] = []
    reader = pypdf.PdfReader(io.BytesIO(band))

    def visit(text: str, cm: Any, tm: Any, *_: Any) -> None:
        x, y = cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]
        if text.strip() and x > min(36.0, A4_WIDTH * 0.06) + LOGO_BOX_PT[0]:
            runs.append((round(y), x, text.strip()))

    reader.pages[0].extract_text(visitor_text=visit)
    rows: dict[float, list[tuple[float, str]]] = {}
    for y, x, text in runs:
        rows.setdefault(y, []).append((x, text))
    return [" ".join(t for _, t in sorted(rows[y])) for y in sorted(rows, reverse=True)]


@pytest.mark.parametrize("engine", ["draw", "weasyprint"])
def test_a_long_contact_is_set_whole_each_field_on_one_line(
    maker: BandMaker, assets: Path, engine: str
) -> None:
    brand = Brand("Blue River IT", assets / "wide.png", LONG_CONTACT)
    lines = _text_lines(maker.band(brand, engine=engine))
    name, email, phone, website = LONG_CONTACT
    assert lines == ["Presented by Blue River IT", name, f"{email} · {phone}", website]


def test_long_contacts_wrap_shrink_and_stay_in_the_band(maker: BandMaker) -> None:
    contacts = tuple(f"contact-line-{i}@a-rather-long-partner-domain.example" for i in range(8))
    band = maker.band(Brand("Wordy", None, contacts))
    reader = pypdf.PdfReader(io.BytesIO(band))
    xs: list[float] = []
    reader.pages[0].extract_text(visitor_text=lambda t, cm, tm, *_: xs.append(tm[4]) if t else None)
    assert max(xs) < A4_WIDTH
    assert "…" in reader.pages[0].extract_text()


def test_weasyprint_engine_and_fallback_for_unsupported_text(
    maker: BandMaker, assets: Path
) -> None:
    band = maker.band(Brand("Blue River IT", assets / "wide.svg", CONTACTS), engine="weasyprint")
    text = pypdf.PdfReader(io.BytesIO(band)).pages[0].extract_text()
    assert "Presented by Blue River IT" in text
    # Inter has no CJK: "auto" falls back to WeasyPrint (and the system's fonts).
    band = maker.band(Brand("北京 Partner", None, ("x@example.cn",)))
    assert "Partner" in pypdf.PdfReader(io.BytesIO(band)).pages[0].extract_text()
    with pytest.raises(PdfError, match="repertoire"):
        maker.band(Brand("北京 Partner", None, ()), engine="draw")


def test_logo_outside_roots_and_bad_colour_are_errors(maker: BandMaker, tmp_path: Path) -> None:
    outside = tmp_path / "logo.png"
    Image.new("RGB", (10, 10)).save(outside)
    with pytest.raises(PdfError, match="outside"):
        maker.band(Brand("X", outside, ()))
    with pytest.raises(PdfError, match="colour"):
        maker.band(Brand("X", None, (), colour="blue"))


def test_bands_from_fonts_warmed_in_a_parent_are_the_same_bytes(assets: Path) -> None:
    fonts = BandFonts.load().warmed()
    brands = [
        Brand("Blue River IT", assets / "wide.png", CONTACTS),
        Brand("Ünïcode Ærø GmbH", None, ("Zoë Ø", "zoe@aero.example")),  # past the common set
    ]
    with (
        BandMaker(roots=[assets], as_of=AS_OF, width_pt=A4_WIDTH, height_pt=BAND_HEIGHT_PT) as a,
        BandMaker(
            roots=[assets], as_of=AS_OF, width_pt=A4_WIDTH, height_pt=BAND_HEIGHT_PT, fonts=fonts
        ) as b,
    ):
        assert b.regular is fonts.regular and b.bold is fonts.bold  # not loaded again
        for brand in brands:
            assert a.band(brand, engine="draw") == b.band(brand, engine="draw")


def test_a_prepared_band_kept_as_bytes_stamps_the_same(
    card: bytes, maker: BandMaker, assets: Path
) -> None:
    stamper = Stamper(card)
    for brand in (Brand("Blue River IT", assets / "wide.png", CONTACTS), Brand("Nologo", None, ())):
        prepared = PreparedBand.of(maker.band(brand))
        dump = prepared.dump()
        assert PreparedBand.load(dump) == prepared
        assert stamper.stamp(PreparedBand.load(dump)) == stamper.stamp(prepared)
    # anything but a dump is refused, never stamped: a damaged cache entry is made again
    index_past_the_end = dump.replace(
        b"\x01" + (1).to_bytes(4, "little"), b"\x01" + (999).to_bytes(4, "little"), 1
    )
    assert index_past_the_end != dump
    for bad in (b"", b"%PDF-1.7", dump[:-1], dump + b"x", dump[:40], index_past_the_end):
        with pytest.raises(ValueError):
            PreparedBand.load(bad)


def test_the_bands_table_of_widths_is_the_fonts() -> None:
    """`check` measures a contact from the widths `interwidths` keeps, not by reading the
    font (fontTools took 0.1 s of every check): they are the font's, character for
    character. After the font changes, write its table again from `band.read_advances`."""
    from salesplay.render import band

    assert band._inter_advances() == band.read_advances()
    assert band._inter_advances(bold=True) == band.read_advances(bold=True)  # the name's

"""Partner co-branding: build a footer band once per partner, stamp it onto rendered PDFs."""

from __future__ import annotations

import hashlib
import html
import io
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from salesplay.render.pdf import FONTS_CSS, THEME_DIR, PdfError, PdfRenderer

#: Height of the partner band drawn at the bottom of every page of a partner edition.
BAND_HEIGHT_PT = 60.0
#: Bottom strip a partner-edition page must leave empty (band + 12 pt of air): templates
#: add BAND_CLEARANCE_CSS and keep their page footers out of the @bottom-* margin boxes.
BAND_RESERVED_PT = 72.0
BAND_CLEARANCE_CSS = f"@page {{ margin-bottom: {BAND_RESERVED_PT:g}pt }}"
#: Width x height of the box a partner logo is fitted into, aspect ratio kept.
LOGO_BOX_PT = (120.0, 36.0)

_MARGIN_PT = 36.0
_GREY = (0.29, 0.33, 0.39)
_BLACK = (0.0, 0.0, 0.0)
_SEP = " · "
_ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC"

RGB = tuple[float, float, float]
# What bands draw themselves (Latin-1, Latin Extended-A, Romanian, punctuation, euro,
# trademark, arrows); a band with any other character is rendered by WeasyPrint.
_REPERTOIRE = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    *range(0x218, 0x21C),
    *range(0x2010, 0x2028),
    *range(0x2030, 0x203B),
    0x20AC,
    0x2122,
    *range(0x2190, 0x2194),
]


@dataclass(frozen=True)
class Brand:
    """A partner's identity on its kit: name, optional logo, contact lines, accent colour."""

    name: str
    logo: Path | None
    contact_lines: tuple[str, ...]
    colour: str = "#0B5FFF"


class BandMaker:
    """Builds partner bands; make one per run (loading the fonts costs ~0.5 s), close() it.

    The band is drawn directly as PDF content (text in the theme's Inter, PNG logos as
    image XObjects): ~15-20 ms a band, against ~40 ms with WeasyPrint (~250 ms without
    libharfbuzz-subset). SVG logos, and text the font cannot show, go through WeasyPrint
    with one PdfRenderer, whose font folder close() removes (also in forked workers).
    """

    def __init__(
        self, *, roots: Sequence[Path], as_of: date, width_pt: float, height_pt: float
    ) -> None:
        self.roots = tuple(Path(r).resolve() for r in roots)
        self.as_of = as_of
        self.width, self.height = float(width_pt), float(height_pt)
        fonts = THEME_DIR / "fonts"
        self.regular = _Font((fonts / "Inter-Regular.otf").read_bytes(), "R")
        self.bold = _Font((fonts / "Inter-Bold.otf").read_bytes(), "B")
        self.renderer = PdfRenderer()

    def __enter__(self) -> BandMaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove WeasyPrint's temporary font folder of this process, if any."""
        self.renderer.close()

    def band(self, brand: Brand, *, engine: str = "auto") -> bytes:
        """A one-page PDF of the band; engine is "auto", "draw" or "weasyprint"."""
        texts = (brand.name, "Your partner: ", *brand.contact_lines)
        drawable = all(self.regular.covers(t) and self.bold.covers(t) for t in texts)
        if engine == "weasyprint" or (engine == "auto" and not drawable):
            return self._weasyprint_band(brand)
        if not drawable:
            raise PdfError(f"band for {brand.name!r}: text outside the font's repertoire")
        return self._drawn_band(brand)

    def _drawn_band(self, brand: Brand) -> bytes:
        import pikepdf

        pdf = pikepdf.new()
        colour = _rgb(brand.colour)
        box_w, box_h = LOGO_BOX_PT
        margin = min(_MARGIN_PT, self.width * 0.06)
        box_x, box_y = margin, (self.height - box_h) / 2
        # Text is laid out first and encoded once each font is subset (glyph ids change).
        texts: list[tuple[_Font, str, float, float, float, RGB]] = []

        def show(font: _Font, text: str, size: float, x: float, y: float, rgb: RGB) -> int:
            texts.append((font, text, size, x, y, rgb))
            return len(texts) - 1

        # A rule in the partner's colour separates the band from the page content.
        ops: list[bytes | int] = [
            b"q %.3f %.3f %.3f rg 0 %.2f %.2f 1.5 re f Q" % (*colour, self.height - 1.5, self.width)
        ]
        xobjects: dict[str, Any] = {}
        if brand.logo is None:
            size = min(16.0, box_w / self.bold.width(brand.name, 1.0))
            lines = (
                [(brand.name, size)]
                if size >= 9.0
                else _fit_lines(self.bold, brand.name.split(), " ", 12.0, box_w, 2)
            )
            sz = lines[0][1]
            top = box_y + box_h / 2 + (self.bold.cap * sz + 1.2 * sz * (len(lines) - 1)) / 2
            for i, (text, sz) in enumerate(lines):
                ops.append(
                    show(
                        self.bold, text, sz, box_x, top - self.bold.cap * sz - i * sz * 1.2, colour
                    )
                )
        else:
            logo, natural = self._logo(pdf, brand.logo)
            xobjects["/Logo"] = logo
            w, h = _contain(natural, LOGO_BOX_PT)
            ops.append(
                b"q %.4f 0 0 %.4f %.4f %.4f cm /Logo Do Q" % (w, h, box_x, box_y + (box_h - h) / 2)
            )
        text_x = box_x + box_w + 18
        text_w = self.width - margin - text_x
        contacts = _fit_lines(
            self.regular, [c for c in brand.contact_lines if c.strip()], _SEP, 8.0, text_w, 2
        )
        cap = self.regular.cap * 9.0
        y = (self.height + cap + 10.0 * len(contacts)) / 2 - cap
        lead = "Your partner: "
        name_size = min(
            9.0, (text_w - self.regular.width(lead, 9.0)) / self.bold.width(brand.name, 1.0)
        )
        ops.append(show(self.regular, lead, 9.0, text_x, y, _GREY))
        ops.append(
            show(
                self.bold, brand.name, name_size, text_x + self.regular.width(lead, 9.0), y, _BLACK
            )
        )
        for text, size in contacts:
            y -= 10.0
            ops.append(show(self.regular, text, size, text_x, y, _GREY))
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
        # object-fit: contain scales the SVG uniformly into the box, so the form's
        # natural size is the box itself; its Matrix maps it onto the unit square like an image.
        page_html = (
            "<!doctype html><html><head><style>"
            f"@page {{ size: {box_w}pt {box_h}pt; margin: 0 }} html, body {{ margin: 0 }}"
            f" img {{ display: block; width: {box_w}pt; height: {box_h}pt;"
            " object-fit: contain; object-position: left center }</style></head>"
            f'<body><img src="{html.escape(path.as_uri())}" alt=""></body></html>'
        )
        rendered = self._render(page_html, "logo")
        with pikepdf.open(io.BytesIO(rendered)) as src:
            form = pdf.copy_foreign(src.pages[0].as_form_xobject())
        form.Matrix = [1 / box_w, 0, 0, 1 / box_h, 0, 0]
        return form, LOGO_BOX_PT

    def _weasyprint_band(self, brand: Brand) -> bytes:
        box_w, box_h = LOGO_BOX_PT
        esc = html.escape
        if brand.logo is not None:
            src = esc(_inside(brand.logo, self.roots).as_uri())
            mark = f'<img src="{src}" alt="">'
        else:
            mark = f'<b class="name">{esc(brand.name)}</b>'
        contacts = _SEP.join(esc(c) for c in brand.contact_lines if c.strip())
        colour = esc(brand.colour)
        css = (
            f"@page {{ size: {self.width}pt {self.height}pt; margin: 0 }}"
            f"body {{ margin: 0; padding: 0 {_MARGIN_PT}pt; height: {self.height - 1.5}pt;"
            f" border-top: 1.5pt solid {colour}; display: flex; align-items: center;"
            " font: 8pt Inter, sans-serif; color: #4a5563 }"
            f".box {{ flex: none; width: {box_w}pt; height: {box_h}pt; margin-right: 18pt;"
            " display: flex; align-items: center }"
            f".box img {{ width: {box_w}pt; height: {box_h}pt; object-fit: contain;"
            " object-position: left center }"
            f".name {{ display: block; max-height: {box_h}pt; overflow: hidden; font-size: 11pt;"
            f" line-height: 1.15; color: {colour} }}"
            "p { margin: 0 } .lead { font-size: 9pt } .lead b { color: black }"
        )
        page_html = (
            f"<!doctype html><html><head><style>{css}</style></head><body>"
            f"<div class=box>{mark}</div><div><p class=lead>Your partner: <b>{esc(brand.name)}</b>"
            f"</p><p>{contacts}</p></div></body></html>"
        )
        return self._render(page_html, f"Partner band: {brand.name}")

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


def make_band(
    brand: Brand, *, roots: Sequence[Path], as_of: date, width_pt: float, height_pt: float
) -> bytes:
    """One partner's band; for many partners reuse one BandMaker, which loads fonts once."""
    with BandMaker(roots=roots, as_of=as_of, width_pt=width_pt, height_pt=height_pt) as maker:
        return maker.band(brand)


def stamp(pdf: bytes, band: bytes | PreparedBand) -> bytes:
    """Overlay `band` at the bottom of every page of `pdf` (see Stamper: reuse one per PDF)."""
    return Stamper(pdf).stamp(band)


@dataclass(frozen=True)
class PreparedBand:
    """A band page as a Form XObject and the objects it uses, serialised once.

    References are kept as indexes into `objects` (the form is 0) and become object
    numbers when stamped, so one band is parsed once for all the PDFs of a kit.
    """

    width: float
    objects: tuple[tuple[tuple[bytes | int, ...], bytes | None], ...]

    @classmethod
    def of(cls, band: bytes) -> PreparedBand:
        import pikepdf

        with pikepdf.open(io.BytesIO(band)) as src, pikepdf.new() as scratch:
            box = [float(v) for v in src.pages[0].mediabox]
            form = scratch.copy_foreign(src.pages[0].as_form_xobject())
            # Breadth-first from the form: a stable order, hence stable object numbers.
            order, index = [form.objgen], {form.objgen: 0}
            objects: list[tuple[tuple[bytes | int, ...], bytes | None]] = []
            while len(objects) < len(order):
                obj = scratch.get_object(order[len(objects)])
                data = obj.read_raw_bytes() if isinstance(obj, pikepdf.Stream) else None
                head = obj if data is None else obj.stream_dict
                text = (
                    pikepdf.Dictionary({k: v for k, v in head.items() if k != "/Length"}).unparse()
                    if isinstance(head, pikepdf.Dictionary)
                    else head.unparse(resolved=True)
                )
                parts: list[bytes | int] = []
                last = 0
                for ref in _REF.finditer(text):
                    key = (int(ref[1]), int(ref[2]))
                    if key not in index:
                        index[key] = len(order)
                        order.append(key)
                    parts += [text[last : ref.start()], index[key]]
                    last = ref.end()
                parts.append(text[last:])
                objects.append((tuple(parts), data))
        return cls(box[2] - box[0], tuple(objects))


class Stamper:
    """Stamps partner bands onto one rendered PDF by appending an incremental update.

    What depends only on the PDF (changed page dictionaries, the content streams that
    isolate each page and draw the band) is prepared once here; stamp() then writes just
    the band's objects and a cross-reference section after the untouched original —
    ~20x cheaper than rewriting the file. The band is one Form XObject shared by every
    page and marked as a pagination artifact, so the tagged structure stays valid; tags,
    outline and metadata are kept as they are; the output is deterministic.
    """

    def __init__(self, pdf: bytes) -> None:
        import pikepdf

        self.pdf = pdf if pdf.endswith(b"\n") else pdf + b"\n"
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            trailer = doc.trailer
            self.xref_stream = trailer.get("/Type") == "/XRef"
            self.prev = int(pdf[pdf.rindex(b"startxref") + 9 :].split()[0])
            self.root: tuple[int, int] = trailer.Root.objgen
            self.info = trailer.Info.objgen if "/Info" in trailer else None
            self.first_id = bytes(trailer.ID[0]) if "/ID" in trailer else None
            # One fixed resource name for every page: pages often share their resources.
            taken = {str(k) for page in doc.pages for k in page.resources.get("/XObject", {})}
            names = (f"/SPBand{i or ''}" for i in range(len(taken) + 1))
            self.name = next(n for n in names if n not in taken).encode()
            form = doc.make_indirect(pikepdf.Dictionary())  # the band's number, reserved
            # WeasyPrint leaves its flipped CTM in force: isolate the page's own content.
            isolate = doc.make_stream(b"q\n")
            draws: dict[tuple[float, float, float], Any] = {}
            changed: dict[tuple[int, int], Any] = {}
            for page in doc.pages:
                x0, y0, x1, _ = (float(v) for v in page.mediabox)
                resources = _own_resources(page.obj)
                if "/XObject" not in resources:
                    resources.XObject = pikepdf.Dictionary()
                resources.XObject[self.name.decode()] = form
                page.contents_add(isolate, prepend=True)
                page.contents_add(draws.setdefault((x0, x1, y0), doc.make_stream(b"")))
                for obj in (resources.XObject, resources, page.obj, page.obj.Contents):
                    if obj.is_indirect and not isinstance(obj, pikepdf.Stream):
                        changed[obj.objgen] = obj
            self.fixed = [(num, obj.unparse(resolved=True)) for (num, _), obj in changed.items()]
            self.fixed.append((isolate.objgen[0], _stream_object(b"q\n", b"<< >>")))
            self.form_num = form.objgen[0]
            self.draws = {key: obj.objgen[0] for key, obj in draws.items()}
            self.next_num = int(doc.make_indirect(pikepdf.Dictionary()).objgen[0])

    def stamp(self, band: bytes | PreparedBand) -> bytes:
        """The PDF with `band` drawn at the bottom of every page, centred."""
        prepared = band if isinstance(band, PreparedBand) else PreparedBand.of(band)
        numbers = [self.form_num, *range(self.next_num, self.next_num + len(prepared.objects) - 1)]
        objects = list(self.fixed)
        for (x0, x1, y0), num in self.draws.items():
            x = x0 + (x1 - x0 - prepared.width) / 2
            draw = b"\nQ q %s 1 0 0 1 %.4f %.4f cm %s Do EMC Q\n" % (_ARTIFACT, x, y0, self.name)
            objects.append((num, _stream_object(draw, b"<< >>")))
        for num, (parts, data) in zip(numbers, prepared.objects, strict=True):
            head = b"".join(p if isinstance(p, bytes) else b"%d 0 R" % numbers[p] for p in parts)
            objects.append((num, head if data is None else _stream_object(data, head)))
        return self._append(sorted(objects))

    def _append(self, objects: list[tuple[int, bytes]]) -> bytes:
        out = bytearray(self.pdf)
        offsets: dict[int, int] = {}
        for num, body in objects:
            offsets[num] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
        # The second /ID changes with every update, the first names the document.
        digest = hashlib.md5(out[len(self.pdf) :], usedforsecurity=False).hexdigest().encode()
        first = self.first_id.hex().encode() if self.first_id is not None else digest
        tail = b"/Prev %d /Root %d %d R /ID [<%s> <%s>]" % (self.prev, *self.root, first, digest)
        if self.info is not None:
            tail += b" /Info %d %d R" % self.info
        start = len(out)
        if self.xref_stream:
            # A file indexed by an xref stream is updated with one (PDF 32000-1, 7.5.8.4).
            num = max(offsets) + 1
            offsets[num] = start
            nums = sorted(offsets)
            rows = b"".join(b"\x01%s\x00\x00" % offsets[n].to_bytes(4, "big") for n in nums)
            index = b" ".join(b"%d %d" % run for run in _runs(nums))
            head = b"<< /Type /XRef /Size %d /Index [%s] /W [1 4 2] %s >>" % (num + 1, index, tail)
            out += b"%d 0 obj\n%s\nendobj\n" % (num, _stream_object(rows, head))
        else:
            out += b"xref\n"
            for first_num, count in _runs(sorted(offsets)):
                out += b"%d %d\n" % (first_num, count)
                for n in range(first_num, first_num + count):
                    out += b"%010d 00000 n \n" % offsets[n]
            out += b"trailer\n<< /Size %d %s >>\n" % (max(offsets) + 1, tail)
        out += b"startxref\n%d\n%%%%EOF\n" % start
        return bytes(out)


_REF = re.compile(rb"(?<![\w.])(\d+) (\d+) R(?![\w])")


def _own_resources(page: Any) -> Any:
    """The page's /Resources, copied onto the page first if it inherits them."""
    import pikepdf

    if "/Resources" in page:
        return page.Resources
    node = page
    while "/Resources" not in node and "/Parent" in node:
        node = node.Parent
    inherited = node.get("/Resources", pikepdf.Dictionary())
    page.Resources = pikepdf.Dictionary(dict(inherited.items()))
    return page.Resources


def _stream_object(data: bytes, head: bytes) -> bytes:
    """A stream object's body: dictionary `head` (without /Length) plus raw `data`."""
    head = head.rstrip()
    return b"%s /Length %d >>\nstream\n%s\nendstream" % (head[:-2].rstrip(), len(data), data)


def _runs(nums: list[int]) -> list[tuple[int, int]]:
    """Sorted numbers as (first, count) runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for n in nums:
        if runs and runs[-1][0] + runs[-1][1] == n:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((n, 1))
    return runs


class _Font:
    """An OpenType CFF font for drawing short single-line text without a shaper."""

    def __init__(self, otf: bytes, resource: str) -> None:
        from fontTools import subset  # type: ignore[import-untyped]
        from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

        font = TTFont(io.BytesIO(otf), recalcTimestamp=False)
        # Every band subsets this font again, at a cost that grows with its size: keep
        # the band repertoire, no layout tables (no shaper here), no subroutines.
        options = subset.Options(layout_features=[], name_IDs=["*"], notdef_outline=True)
        options.drop_tables += ["GPOS", "GSUB", "GDEF"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=_REPERTOIRE)
        subsetter.subset(font)
        font["CFF "].cff.desubroutinize()
        # One BMP cmap and no glyph-name table: the rest is parsed again for every band.
        font["cmap"].tables = [
            t for t in font["cmap"].tables if (t.platformID, t.platEncID) == (3, 1)
        ]
        font["post"].formatType = 3.0
        buffer = io.BytesIO()
        font.save(buffer)
        self.data = buffer.getvalue()
        self.resource = resource
        self.ps_name = font["name"].getDebugName(6) or "Font"
        scale = 1000 / font["head"].unitsPerEm
        order, metrics = font.getGlyphOrder(), font["hmtx"].metrics
        self.glyph_names = list(order)
        self.gids = {chr(cp): font.getGlyphID(g) for cp, g in font.getBestCmap().items()}
        self.advance: dict[str, float] = {
            ch: float(metrics[order[gid]][0] * scale) for ch, gid in self.gids.items()
        }
        head, hhea = font["head"], font["hhea"]
        self.bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.ascent, self.descent = round(hhea.ascent * scale), round(hhea.descent * scale)
        self.cap_height = round(font["OS/2"].sCapHeight * scale)
        self.cap = self.cap_height / 1000  # cap height per point of size
        self._subsets: dict[frozenset[str], tuple[bytes, list[tuple[int, str]]]] = {}

    def covers(self, text: str) -> bool:
        return all(ch in self.gids for ch in text)

    def width(self, text: str, size: float) -> float:
        return max(sum(self.advance[ch] for ch in text) * size / 1000.0, 1e-6)

    def _subset(self, chars: set[str]) -> tuple[bytes, list[tuple[int, str]]]:
        """The font cut to `chars` (glyphs in their original order) and (gid, char) kept."""
        from fontTools import subset
        from fontTools.ttLib import TTFont

        # One char per glyph (two chars may share one, e.g. space and no-break space).
        by_gid = sorted({self.gids[ch]: ch for ch in sorted(chars)}.items())
        options = subset.Options(retain_gids=False, hinting=True, notdef_outline=True, name_IDs=[6])
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=[gid for gid, _ in by_gid])
        # Fixed timestamp: the band must not depend on the clock.
        font = TTFont(io.BytesIO(self.data), recalcBBoxes=False, recalcTimestamp=False)
        subsetter.subset(font)
        if font.getGlyphOrder()[1:] != [self.glyph_names[gid] for gid, _ in by_gid]:
            raise PdfError(f"subset of {self.ps_name} has an unexpected glyph order")
        buffer = io.BytesIO()
        font.save(buffer)
        return buffer.getvalue(), by_gid

    def embed(self, pdf: Any, chars: set[str]) -> tuple[Any, dict[str, int]]:
        """A Type0 font holding just `chars`, and each char's glyph id in it."""
        import pikepdf

        # Most bands are plain ASCII (+ the band's own separators): subset those to all of
        # that set once and reuse it (subsetting a CFF font is ~95 % of a band's cost), a
        # few glyphs larger per PDF. Only that one subset is kept: memory stays flat.
        common = [chr(c) for c in range(0x20, 0x7F)] + ["·", "…"]
        ascii_set = frozenset(ch for ch in common if ch in self.gids)
        if chars <= ascii_set:
            chars = set(ascii_set)
            if ascii_set not in self._subsets:
                self._subsets[ascii_set] = self._subset(chars)
            subset_data, by_gid = self._subsets[ascii_set]
        else:
            subset_data, by_gid = self._subset(chars)
        rank = {gid: i for i, (gid, _) in enumerate(by_gid, start=1)}
        new_gid = {ch: rank[self.gids[ch]] for ch in chars}
        buffer = io.BytesIO(subset_data)
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(repr(by_gid).encode()).digest()[:6])
        base = pikepdf.Name(f"/{tag}+{self.ps_name}")
        file = pdf.make_stream(
            zlib.compress(buffer.getvalue(), 6),
            Filter=pikepdf.Name.FlateDecode,
            Subtype=pikepdf.Name.OpenType,
        )
        descriptor = pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor,
            FontName=base,
            Flags=32,
            FontBBox=self.bbox,
            ItalicAngle=0,
            Ascent=self.ascent,
            Descent=self.descent,
            CapHeight=self.cap_height,
            StemV=80,
            FontFile3=file,
        )
        widths = [x for gid, ch in by_gid for x in (rank[gid], [round(self.advance[ch])])]
        cid_font = pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.CIDFontType0,
            BaseFont=base,
            CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
            FontDescriptor=descriptor,
            W=widths,
        )
        return pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type0,
                BaseFont=base,
                Encoding=pikepdf.Name("/Identity-H"),
                DescendantFonts=[cid_font],
                ToUnicode=pdf.make_stream(_to_unicode({ch: rank[gid] for gid, ch in by_gid})),
            )
        ), new_gid


def _to_unicode(gids: dict[str, int]) -> bytes:
    pairs = "\n".join(f"<{gid:04x}> <{ch.encode('utf-16-be').hex()}>" for ch, gid in gids.items())
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <ffff> endcodespacerange\n"
        f"{len(gids)} beginbfchar\n{pairs}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()


def _show(
    font: _Font,
    text: str,
    size: float,
    x: float,
    y: float,
    rgb: RGB,
    gids: dict[_Font, dict[str, int]],
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


def _fit_lines(
    font: _Font, items: Sequence[str], sep: str, size: float, max_w: float, max_lines: int
) -> list[tuple[str, float]]:
    """Pack items into at most max_lines lines of max_w, shrinking to 6 pt, then clipping."""
    if not items:
        return []
    while True:
        lines: list[str] = []
        for item in items:
            if lines and font.width(lines[-1] + sep + item, size) <= max_w:
                lines[-1] += sep + item
            else:
                lines.append(item)
        widest = max(font.width(line, size) for line in lines)
        if (len(lines) <= max_lines and widest <= max_w) or size <= 6.0:
            break
        size -= 0.5
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] += "…"
    for i, line in enumerate(lines):
        while font.width(line, size) > max_w and len(line) > 1:
            line = line[:-2] + "…"
        lines[i] = line
    return [(line, size) for line in lines]


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


def _rgb(colour: str) -> RGB:
    value = colour.removeprefix("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    try:
        if len(value) != 6:
            raise ValueError(value)
        return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)
    except ValueError as exc:
        raise PdfError(f"bad colour {colour!r}: expected #RRGGBB") from exc

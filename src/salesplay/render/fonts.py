"""Font subsetting: an OpenType CFF font cut to the characters drawn, embedded as a PDF font."""

from __future__ import annotations

import hashlib
import io
import zlib
from collections.abc import Iterable
from typing import Any

from salesplay.render.cff import CffError
from salesplay.render.cidfont import dense
from salesplay.render.pdf import PdfError

#: The Noto families `make` installs (Debian fonts-noto-core, fonts-noto-cjk; SIL OFL 1.1),
#: in the order that text falls back to them after the theme's Latin Inter.
NOTO_FALLBACK = (
    "Noto Sans",
    "Noto Sans CJK JP",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
)


def noto_cjk(lang: str) -> str:
    """The Noto CJK family whose Han forms suit `lang` (a BCP 47 tag): Simplified or
    Traditional Chinese, Korean, else Japanese."""
    tag = lang.lower().replace("_", "-")
    if tag.startswith("zh"):
        traditional = any(part in ("hant", "tw", "hk", "mo") for part in tag.split("-")[1:])
        return "Noto Sans CJK TC" if traditional else "Noto Sans CJK SC"
    return "Noto Sans CJK KR" if tag.startswith("ko") else "Noto Sans CJK JP"


def noto_stack(lang: str = "") -> tuple[str, ...]:
    """The fallback families for text in `lang`, its CJK family in place of the Japanese one."""
    cjk = noto_cjk(lang)
    return tuple(cjk if f == "Noto Sans CJK JP" else f for f in NOTO_FALLBACK)


def installed_file(family: str, bold: bool = False) -> str | None:
    """The file fontconfig gives for `family` (its bold face if `bold`), as WeasyPrint finds
    it; None when fontconfig is missing or offers another family in its place."""
    import shutil
    import subprocess

    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    pattern = f"{family}:{'bold' if bold else 'regular'}"
    try:
        found = subprocess.run(
            [fc_match, "-f", "%{family}\n%{file}", pattern],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    names, _, path = found.stdout.partition("\n")
    if found.returncode != 0 or family not in names.split(",") or not path:
        return None
    return path


#: Names how cut() and SubsetFont subset: a cache of what they make is keyed by it (and by
#: fontTools' version), so change it with them.
RECIPE = "cut 1: no layout tables, all names, desubroutinized, one BMP cmap, post 3; subset 1"


def recipe() -> str:
    """RECIPE and the fontTools version: everything but the font and repertoire a cut
    depends on."""
    import fontTools

    return f"{RECIPE}; fontTools {fontTools.version}"


def cut(otf: bytes, repertoire: Iterable[int]) -> bytes:
    """An OpenType CFF font cut to `repertoire`: what a SubsetFont draws from (~0.6 s)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(otf), recalcTimestamp=False)
    # Every drawing subsets this font again, at a cost that grows with its size: keep
    # the repertoire, no layout tables (no shaper here), no subroutines.
    options = subset.Options(layout_features=[], name_IDs=["*"], notdef_outline=True)
    options.drop_tables += ["GPOS", "GSUB", "GDEF"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=list(repertoire))
    subsetter.subset(font)
    font["CFF "].cff.desubroutinize()
    # One BMP cmap and no glyph-name table: the rest is parsed again for every subset.
    font["cmap"].tables = [t for t in font["cmap"].tables if (t.platformID, t.platEncID) == (3, 1)]
    font["post"].formatType = 3.0
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


class SubsetFont:
    """An OpenType CFF font for drawing short single-line text without a shaper."""

    def __init__(
        self, otf: bytes, resource: str, *, repertoire: Iterable[int], common: Iterable[str]
    ) -> None:
        self._load(cut(otf, repertoire), resource, common)

    @classmethod
    def of_cut(cls, data: bytes, resource: str, *, common: Iterable[str]) -> SubsetFont:
        """The font from what cut() made (e.g. kept in a cache); ValueError if it is no font.

        Metrics are read from `data` itself, as for a font cut here and now."""
        font = cls.__new__(cls)
        try:
            font._load(data, resource, common)
        except Exception as exc:  # fontTools raises anything on a damaged font
            raise ValueError(f"not a font cut: {exc}") from None
        return font

    def _load(self, data: bytes, resource: str, common: Iterable[str]) -> None:
        from fontTools.ttLib import TTFont

        # metrics from the saved bytes: a cut read back from a cache reads the same
        font = TTFont(io.BytesIO(data), recalcTimestamp=False)
        self.data = data
        self.resource = resource
        self.ps_name = font["name"].getDebugName(6) or "Font"
        self.units_per_em = font["head"].unitsPerEm
        scale = 1000 / self.units_per_em
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
        self.common = frozenset(ch for ch in common if ch in self.gids)
        self._subsets: dict[frozenset[str], tuple[bytes, list[tuple[int, str]]]] = {}

    def warm(self, subset: bytes | None = None) -> bytes:
        """Make the subset most texts use now (a parent does, so its forks inherit it), or
        take `subset`, what warm() returned before for this same font (e.g. from a cache)."""
        if not self.common:
            return b""
        if self.common not in self._subsets:
            by_gid = self._by_gid(set(self.common))
            if subset is None or not self._holds(subset, by_gid):
                self._subsets[self.common] = self._subset(set(self.common))
            else:
                self._subsets[self.common] = subset, by_gid
        return self._subsets[self.common][0]

    def covers(self, text: str) -> bool:
        return all(ch in self.gids for ch in text)

    def width(self, text: str, size: float) -> float:
        return max(sum(self.advance[ch] for ch in text) * size / 1000.0, 1e-6)

    def _by_gid(self, chars: set[str]) -> list[tuple[int, str]]:
        """(gid, char) of the glyphs a subset to `chars` keeps, in their original order."""
        # One char per glyph (two chars may share one, e.g. space and no-break space).
        return sorted({self.gids[ch]: ch for ch in sorted(chars)}.items())

    def _holds(self, subset: bytes, by_gid: list[tuple[int, str]]) -> bool:
        """Whether `subset` is a font of exactly the glyphs `by_gid`, in that order."""
        from fontTools.ttLib import TTFont

        scale = 1000 / self.units_per_em
        try:
            font = TTFont(io.BytesIO(subset), lazy=True)
            order, metrics = font.getGlyphOrder(), font["hmtx"].metrics
            name = font["name"].getDebugName(6)
            widths = [self.advance[ch] for _, ch in by_gid]
            held = [float(metrics[glyph][0] * scale) for glyph in order[1:]]
        except Exception:  # fontTools raises anything on a damaged font
            return False
        # this font's (not a sibling's of the same glyph order), of the glyphs expected
        return bool(
            name == self.ps_name
            and order[1:] == [self.glyph_names[gid] for gid, _ in by_gid]
            and held == widths
        )

    def _subset(self, chars: set[str]) -> tuple[bytes, list[tuple[int, str]]]:
        """The font cut to `chars` (glyphs in their original order) and (gid, char) kept."""
        from fontTools import subset
        from fontTools.ttLib import TTFont

        by_gid = self._by_gid(chars)
        options = subset.Options(retain_gids=False, hinting=True, notdef_outline=True, name_IDs=[6])
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=[gid for gid, _ in by_gid])
        # Fixed timestamp: the PDF must not depend on the clock.
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

        # Most texts hold only `common` characters: subset to all of that set once and
        # reuse it (subsetting a CFF font is ~95 % of a band's cost), a few glyphs larger
        # per PDF. Only that one subset is kept: memory stays flat.
        common, original = self.common, set(chars)
        if chars <= common:
            chars = set(common)
            if common not in self._subsets:
                self._subsets[common] = self._subset(chars)
            subset_data, by_gid = self._subsets[common]
        else:
            subset_data, by_gid = self._subset(chars)
        rank = {gid: i for i, (gid, _) in enumerate(by_gid, start=1)}
        new_gid = {ch: rank[self.gids[ch]] for ch in chars}
        drawn = {new_gid[ch] for ch in original}
        # the shared subset holds a hundred glyphs, a band's text draws some thirty: its
        # program holds those, each CID its id in the subset (render.cidfont)
        try:
            program, kind = dense(subset_data, drawn), pikepdf.Name.CIDFontType0C
            # widths and texts of the glyphs it holds
            by_gid = [(gid, ch) for gid, ch in by_gid if rank[gid] in drawn]
        except CffError:  # the subset as it is: larger, as right
            program, kind = subset_data, pikepdf.Name.OpenType
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(repr(by_gid).encode()).digest()[:6])
        base = pikepdf.Name(f"/{tag}+{self.ps_name}")
        file = pdf.make_stream(
            zlib.compress(program, 6), Filter=pikepdf.Name.FlateDecode, Subtype=kind
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
                ToUnicode=pdf.make_stream(to_unicode({ch: rank[gid] for gid, ch in by_gid})),
            )
        ), new_gid


def to_unicode(gids: dict[str, int]) -> bytes:
    """A ToUnicode CMap: each glyph id back to its character, so the text can be extracted."""
    pairs = "\n".join(f"<{gid:04x}> <{ch.encode('utf-16-be').hex()}>" for ch, gid in gids.items())
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <ffff> endcodespacerange\n"
        f"{len(gids)} beginbfchar\n{pairs}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()

"""Catalog images (logos): decoded once with bounds, SVG parsed safely, published as plain PNG."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import io
import math
import re
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from xml.parsers import expat

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage

#: decoded pixels allowed in one raster image (a 20 KB PNG can declare 13000×13000 = 1.6 GB).
MAX_PIXELS = 40_000_000
#: the longest side over the shortest: a logo is never a 1×100000 strip.
MAX_ASPECT = 32.0
#: declared SVG width or height in CSS pixels.
MAX_SVG_SIDE = 100_000.0
#: SVG elements as written, and nesting depth (renderers recurse per level).
MAX_SVG_ELEMENTS = 50_000
MAX_SVG_DEPTH = 100
#: SVG elements a renderer may draw once every <use>, url(#…) and href="#…" is expanded.
MAX_SVG_EXPANDED = 100_000
#: the longest side of the PNG that salesplay publishes (portal, kits) and puts on decks.
PUBLISH_SIDE = 1200
#: the same for a partner's logo, which shows at most 2.8 by 1 inches (the co-brand slot of a
#: kit's decks, cobrand.py) or smaller (a kit's index): 800 pixels across 2.8 inches are 286
#: ppi, a 4K screen's 288 ppi on a 13.33-inch slide. For a thousand partners: an SVG drawn
#: and encoded at 1,200 pixels took 26 ms, at 800 pixels 10 ms, and every deck of a kit
#: carries the PNG.
PARTNER_SIDE = 800
#: pixels per inch of a logo in a slot of known size (a deck master's logo box): a 4K
#: screen's density on a 13.33-inch slide (3,840 / 13.33), which PARTNER_SIDE also gives.
SLOT_PPI = 288


def side_for(inches: float) -> int:
    """The longest side, in pixels, of a logo shown at most `inches` long: SLOT_PPI across
    it, at most PUBLISH_SIDE (a larger slot shows the published PNG as it is)."""
    return max(1, min(PUBLISH_SIDE, math.ceil(inches * SLOT_PPI)))


@functools.lru_cache(maxsize=8)  # the decks' and the kits' plans, each locale: one logo
def shrunk(png: bytes, size: tuple[int, int], side: int) -> tuple[bytes, tuple[int, int]]:
    """A PNG salesplay made (Checked.png, of pixel size `size`) with its longest side at
    most `side`: the same bytes when it fits, else each pixel the average of the area it
    covers. Lanczos, as _png_of shrinks an author's raster, rings around a logo's flat
    shapes: the sample's logo at 749 pixels was 25.0 KB so, 13.5 KB averaged (20.1 KB at
    1,200 pixels, as drawn). Kept for the process: it takes 13 ms, and every plan of the
    decks and of the kits, in each locale, asks for the same."""
    if max(size) <= side:
        return png, size
    from PIL import Image

    with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
        image.load()
        scale = side / max(size)
        fitted = (max(1, round(size[0] * scale)), max(1, round(size[1] * scale)))
        out = io.BytesIO()
        image.convert("RGBA").resize(fitted, Image.Resampling.BOX).save(out, format="PNG")
        return out.getvalue(), fitted


#: raster formats by signature; Pillow is only ever asked to open these.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_XHTML_NS = "http://www.w3.org/1999/xhtml"
#: The SVG elements a logo may hold: an allow-list, not a list of the bad ones, so an element
#: no one thought of (an <iframe>, an <object>, a renderer's next feature) is refused rather
#: than trusted. SVG fonts, color-profile and cursor are left out: they exist to load files.
#: Elements of other namespaces are an editor's own data (Inkscape's sodipodi:namedview, RDF
#: in <metadata>) and may stay, except HTML outside a <foreignObject>; whatever an element's
#: namespace, its href, src, xml:base and CSS are checked (WeasyPrint ignores namespaces).
#: <script> is inert in CairoSVG and WeasyPrint and never ships (salesplay publishes a PNG);
#: <foreignObject> may stay, but what it holds may name no resource (_INERT_FOREIGN).
_SVG_ELEMENT_NAMES = """
    a animate animateMotion animateTransform animateColor circle clipPath defs desc discard
    ellipse feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
    feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
    feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset
    fePointLight feSpecularLighting feSpotLight feTile feTurbulence filter foreignObject g
    hatch hatchpath image line linearGradient marker mask mesh meshgradient meshpatch meshrow
    metadata mpath path pattern polygon polyline radialGradient rect script set solidcolor
    stop style svg switch symbol text textPath title tref tspan use view"""
_SVG_ELEMENTS = frozenset(_SVG_ELEMENT_NAMES.split())
#: The only attributes that content inside a <foreignObject> (HTML and the like) may carry:
#: HTML has too many attributes that load something (src, srcset, data, poster, background,
#: content="0;url=…") to list the bad ones.
_INERT_FOREIGN = frozenset({"id", "class", "style", "title", "lang", "dir"})
#: Attributes whose values are identifiers that look like URLs but are never fetched.
_IDENTIFIER_ATTRS = frozenset({"requiredFeatures", "requiredExtensions"})
#: A URL with a scheme (file:/…, https://…) anywhere in an attribute's value.
_SCHEME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:/")
#: the shapes a marker is drawn on, once at each vertex (marker-start, -mid, -end)
_MARKABLE = frozenset({"path", "line", "polyline", "polygon"})
#: a number of a path's `d` or a shape's `points`: each may start a vertex
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
#: CSS that may name a resource: any escape (`u\72l(` spells `url(`), any at-rule (`@import`,
#: also spelled `@\69mport`) or a function that takes a URL. Only such attribute values are
#: tokenised (a `<style>` always is): fifty thousand `transform="rotate(…)"` stay cheap.
_CSS_HINT_RE = re.compile(r"\\|@|(?:url|src|image|image-set|cross-fade)\(", re.IGNORECASE)
#: CSS functions whose string arguments are URLs, besides url("…") and src("…").
_CSS_IMAGE_FUNCTIONS = frozenset({"image", "image-set", "-webkit-image-set", "cross-fade"})
#: CSS units to CSS pixels (96 dpi), as CairoSVG and browsers use them.
_UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54}
_UNITS |= {"in": 96.0, "q": 96 / 101.6}
_LENGTH_RE = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Z]*)\s*$")
_DATA_IMAGE_RE = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,", re.IGNORECASE)
#: an embedded raster costs its pixels / this many "elements" each time it is drawn.
_PIXELS_PER_ELEMENT = 4000


class ImageError(ValueError):
    """Why bytes are not a usable catalog image; the message reads after "asset 'x' "."""


class Checked:
    """An image that decoded within the bounds, and the PNG salesplay publishes for it."""

    def __init__(
        self,
        format: str,
        size: tuple[int, int],
        png: bytes | Callable[[], bytes],
        png_size: tuple[int, int],
        digest: str | None = None,
        faint: bool = False,
    ) -> None:
        self.format = format  # "PNG", "JPEG", "GIF", "WEBP" or "SVG"
        self.size = size  # natural size in pixels (SVG: declared CSS pixels, rounded)
        self.png_size = png_size
        #: white or nearly so wherever it is not transparent (see faint): nothing of it shows
        #: on the white pages and bands a logo is printed on
        self.faint = faint
        # an SVG is drawn when checked but encoded only when its PNG is asked for: encoding
        # 1200 pixels square is most of a `check` that has no build folder to keep it in
        self._png = png
        if digest is not None:  # known already (a cache entry's, checked when read)
            self.__dict__["digest"] = digest

    @functools.cached_property
    def png(self) -> bytes:
        """The PNG salesplay publishes: re-encoded (raster) or rasterised (SVG), longest
        side at most the side it was checked for (PUBLISH_SIDE, PARTNER_SIDE)."""
        return self._png if isinstance(self._png, bytes) else self._png()

    @functools.cached_property
    def digest(self) -> str:
        """SHA-256 of `png`, hex: a key part naming the published image (a thousand kits
        name the company logo; hashed once)."""
        return hashlib.sha256(self.png).hexdigest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Checked):
            return NotImplemented
        mine = (self.format, self.size, self.png_size, self.faint, self.png)
        return mine == (other.format, other.size, other.png_size, other.faint, other.png)

    __hash__ = None  # type: ignore[assignment]  # equal by content, like the dataclass was

    def __repr__(self) -> str:
        return f"Checked({self.format!r}, {self.size!r}, png_size={self.png_size!r})"


def sniff(data: bytes, suffix: str) -> str | None:
    """The format by the first bytes (SVG also needs the .svg suffix), or None."""
    head = data[:2048]
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if suffix.lower() == ".svg" and b"<svg" in head:
        return "SVG"
    return None


def check_image(
    data: bytes, suffix: str, *, publish: bool = False, side: int = PUBLISH_SIDE
) -> Checked:
    """Decode `data` fully within the bounds, or raise ImageError saying what is wrong.

    `publish`: its PNG will be asked for (a build keeps it): an SVG is then drawn once,
    encoded as it is drawn, instead of drawn to check it and again to publish it. `side`:
    the longest side of that PNG (an SVG is drawn to it, a raster only ever shrunk)."""
    kind = sniff(data, suffix)
    if kind is None:
        if b"<svg" in data[:2048]:
            # read as SVG only by its name: an SVG drawn under another name is refused, and
            # the name is what to fix
            shown = suffix or "no suffix"
            raise ImageError(f"is an SVG image named with {shown!r}: rename it to end in .svg")
        raise ImageError("is not a PNG, JPEG, GIF, WebP or SVG image")
    if kind == "SVG":
        return _check_svg(data, publish, side)
    return _decode_raster(data, kind, publish=True, side=side)


def site_name(value: str) -> str:
    """The canonical name under build/site/ of a catalog image, chosen by salesplay.

    Never the path as written: a readable stem plus a hash of the value, always `.png`
    (salesplay publishes its own PNG, never the author's bytes).
    """
    stem = re.sub(r"[^a-z0-9]+", "-", PurePosixPath(value).stem.lower()).strip("-")[:40]
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"assets/img/{stem or 'image'}-{digest}.png"


# --- raster -----------------------------------------------------------------------------


class _Reader(io.BytesIO):
    """A file that notes when a decoder asked for bytes past the end (a truncated image).

    WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES, so load() alone would pad a
    truncated JPEG or GIF with grey instead of failing; this works whatever that flag is.
    """

    starved = False

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        if size != 0 and not chunk:
            self.starved = True
        return chunk


def _decode_raster(data: bytes, kind: str, *, publish: bool, side: int = PUBLISH_SIDE) -> Checked:
    """Header size checked before any pixel is decoded; then every byte decoded."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it: make that an error too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as probe:
                width, height = probe.size  # from the header: nothing decoded yet
                _check_pixels(width, height)
                probe.verify()
            reader = _Reader(data)
            with Image.open(reader, formats=[kind]) as image:
                image.load()
                if reader.starved:
                    raise ImageError(f"is a truncated {_NAMES[kind]} image")
                rgba = _rgba_of(image, side)
                png, png_size = _png_of(rgba) if publish else (b"", (0, 0))
                return Checked(kind, (width, height), png, png_size, faint=faint(rgba))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        size = _declared_size(data, kind)
        if size:
            _check_pixels(*size)  # says "is W×H pixels; the limit is …"
        raise ImageError(f"has more than {MAX_PIXELS // 1_000_000} million pixels") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        if isinstance(exc, ImageError):
            raise
        # Pillow names the buffer it read ("<_io.BytesIO object at 0x7fa4…>"): an address
        # that differs on each run says nothing to a marketer
        why = _OBJECT_AT.sub("", str(exc)).replace("cannot identify image file", "").strip()
        detail = f" ({why})" if why else ": save it again from an image editor"
        raise ImageError(f"is not a readable {_NAMES[kind]} image{detail}") from None


#: a Python object's repr in a message ("<_io.BytesIO object at 0x7fa4a3d8a250>")
_OBJECT_AT = re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>")


_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "WEBP": "WebP", "SVG": "SVG"}


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height a PNG's header declares; None when `data` is not a PNG."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    return _declared_size(data, "PNG")


def _declared_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """Width and height from a PNG or GIF header, for the message about a too-large image."""
    if kind == "PNG" and len(data) >= 24 and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if kind == "GIF" and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    return None


def _check_pixels(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageError(f"has no pixels ({width}×{height})")
    if width * height > MAX_PIXELS:
        raise ImageError(
            f"is {width}×{height} pixels; the limit is {MAX_PIXELS // 1_000_000} million pixels"
        )
    if max(width, height) / min(width, height) > MAX_ASPECT:
        raise ImageError(f"is {width}×{height} pixels: {_too_long(width, height)}")


def _too_long(width: float, height: float) -> str:
    """What is wrong with an image past MAX_ASPECT: too wide, or too tall."""
    return f"{'wider' if width >= height else 'taller'} than {MAX_ASPECT:g} to 1"


def _side(value: float) -> str:
    """A side's size as written in a message: 1000000, not 1e+06."""
    return f"{value:.10g}" if abs(value) < 1e15 else f"{value:g}"


#: Pillow's modes of 16-bit grey (a PNG of bit depth 16): values 0 to 65,535
_WIDE_GREYS = frozenset({"I;16", "I;16B", "I;16L", "I"})


def _rgba_of(image: PilImage, side: int) -> PilImage:
    """The image in RGBA, longest side at most `side` (never enlarged)."""
    from PIL import Image

    if image.mode in _WIDE_GREYS:
        # a 16-bit grey PNG: convert() clips each value at 255 instead of scaling it, so a
        # near-black logo was published white (and `check` called it faint)
        wide = image.convert("I")
        grey = wide.point(lambda v: v * (1 / 257) + 0.5).convert("L")
        key = image.info.get("transparency")
        grey.info.pop("transparency", None)
        if isinstance(key, int):
            # its tRNS names the one 16-bit grey that is transparent (its background): told
            # before scaling, as the 8-bit image compared its pixels with the 16-bit value
            # (a background of 40,000 was published an opaque grey box)
            from PIL import ImageMath

            alpha = ImageMath.lambda_eval(lambda a: a["notequal"](a["im"], key) * 255, im=wide)
            grey = Image.merge("LA", (grey, alpha.convert("L")))
        image = grey
    rgba = image.convert("RGBA")
    rgba.thumbnail((side, side), Image.Resampling.LANCZOS)
    return rgba


def _png_of(rgba: PilImage) -> tuple[bytes, tuple[int, int]]:
    """An RGBA image as PNG, and its size."""
    out = io.BytesIO()
    rgba.save(out, format="PNG")
    return out.getvalue(), rgba.size


#: the darkest grey (of 255) a logo laid on white may reach and still be "faint": white and
#: the palest greys and tints, whose contrast with white is under 1.15 to 1
FAINT_LEVEL = 240


def faint(rgba: PilImage, *, premultiplied: bool = False) -> bool:
    """Whether an RGBA image laid on white is white or nearly so everywhere (FAINT_LEVEL):
    a white logo made for dark backgrounds, or one wholly transparent, shows nothing on the
    white pages, bands and slides it is printed on. `premultiplied`: its colours are
    premultiplied by their alpha (cairo's drawing of an SVG), judged as they are."""
    from PIL import ImageChops

    grey, alpha = rgba.convert("L"), rgba.getchannel("A")
    if premultiplied:
        # laid on white, such a pixel is its colour plus 255 - alpha: how much darker than
        # white it is comes out as alpha minus its grey, with nothing to unpremultiply
        shade = ImageChops.subtract(alpha, grey)
    else:
        # laid on white, a pixel's grey is 255 - alpha * (255 - grey): how much darker than
        # white it is, its darkness times its opacity (half the time of compositing it on
        # white, 2 ms a logo; the two differ by one level at most)
        shade = ImageChops.multiply(ImageChops.invert(grey), alpha)
    top = shade.getextrema()[1]
    return isinstance(top, (int, float)) and top <= 255 - FAINT_LEVEL


# --- SVG --------------------------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    tag: str  # local name in the SVG namespace, else "namespace local"
    attrs: dict[str, str]
    local: str = ""  # local name whatever the namespace (WeasyPrint draws by it)
    #: whether the element is content of a <foreignObject> that is not SVG (HTML, say)
    foreign: bool = False
    children: list[_Node] = field(default_factory=list)
    descendants: int = 0
    #: (element id, applies to every descendant too) for each same-document reference
    refs: list[tuple[str, bool]] = field(default_factory=list)
    cost: int = 1  # 1, or more for an embedded raster
    text: list[str] = field(default_factory=list)
    #: at most how many vertices a marker is drawn at on this element (the numbers of its
    #: `d` or `points`), and on it with its descendants (a marker set on a group)
    vertices: int = 0
    all_vertices: int = 0


class _Tree:
    """An SVG document parsed by expat with no DTD, no entities, no external anything."""

    def __init__(self, data: bytes) -> None:
        self.root: _Node | None = None
        self.ids: dict[str, _Node] = {}
        self.count = 0
        self.embedded_pixels = 0
        #: the first drawn text (of a <text>) in a script the PNG cannot show, if any
        self.unshown: str | None = None
        self._texts = 0  # how many <text>, <tspan> or <textPath> the parser is inside
        self._stack: list[_Node] = []
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        parser.ExternalEntityRefHandler = self._external
        parser.ProcessingInstructionHandler = self._instruction
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._chars
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise ImageError(f"is not well-formed SVG: {expat.errors.messages[exc.code]}"
                             f" (line {exc.lineno})") from None  # fmt: skip

    def _doctype(self, *_: object) -> None:
        raise ImageError("has a DOCTYPE or entity declaration: remove it (SVG needs neither)")

    def _external(self, *_: object) -> int:
        raise ImageError("refers to an external entity: remove it")

    def _instruction(self, target: str, _data: str) -> None:
        if target.lower() == "xml-stylesheet":
            raise ImageError("links an external stylesheet (<?xml-stylesheet?>): remove it")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition(" ")
        self.count += 1
        if self.count > MAX_SVG_ELEMENTS:
            raise ImageError(f"has more than {MAX_SVG_ELEMENTS} elements")
        if len(self._stack) >= MAX_SVG_DEPTH:
            raise ImageError(f"nests elements more than {MAX_SVG_DEPTH} deep")
        if not self._stack and (local != "svg" or ns not in ("", _SVG_NS)):
            raise ImageError("is not an SVG image: its root element is not <svg>")
        drawn = ns in ("", _SVG_NS)
        parent = self._stack[-1] if self._stack else None
        inside = parent is not None and (parent.foreign or parent.local == "foreignObject")
        if (drawn and local not in _SVG_ELEMENTS) or (ns == _XHTML_NS and not inside):
            raise ImageError(
                f"has an element <{_short(local)}> that is not part of an SVG drawing: remove it"
            )
        node = _Node(local if drawn else name, attrs, local=local, foreign=inside and not drawn)
        if drawn and local in _MARKABLE:
            # every number can start a vertex (H and V take one): never fewer than drawn
            shape = f"{attrs.get('d', '')} {attrs.get('points', '')}"
            node.vertices = node.all_vertices = max(2, len(_NUMBER_RE.findall(shape)))
        if drawn and local in _TEXT_ELEMENTS:
            self._texts += 1
        for key, value in attrs.items():
            self._attribute(node, key, value)
        if node.foreign:
            self._foreign_attributes(node)
        if self._stack:
            self._stack[-1].children.append(node)
        else:
            self.root = node
        self._stack.append(node)

    def _end(self, _name: str) -> None:
        node = self._stack.pop()
        if node.tag in _TEXT_ELEMENTS:  # a drawn one: another namespace's is "ns text"
            self._texts -= 1
        if node.local == "style":  # in any namespace: an HTML <style> is CSS too
            self._css(node, "".join(node.text), style_sheet=True)
        if self._stack:
            self._stack[-1].descendants += node.descendants + 1
            self._stack[-1].all_vertices += node.all_vertices

    def _chars(self, text: str) -> None:
        if self._stack and self._stack[-1].local == "style":
            self._stack[-1].text.append(text)
        if self._texts and self.unshown is None:
            at = next((i for i, ch in enumerate(text) if not _shown_in_png(ch)), None)
            if at is not None:
                self.unshown = text[max(0, at - 10) : at + 10].strip()

    def _attribute(self, node: _Node, key: str, value: str) -> None:
        ns, _, local = key.rpartition(" ")
        if local == "id" and ns == "":
            self.ids.setdefault(value.strip(), node)
        elif local == "href":
            # in any namespace: a renamed xlink namespace must not hide an href
            self._href(node, value.strip())
        elif local == "src":
            raise ImageError(
                f"refers to '{_short(value.strip())}' outside the file (src=…): remove it"
            )
        elif local == "base" and ns == _XML_NS:
            # resolves even href="#a" against it (WeasyPrint fetches file:///etc/passwd#a)
            raise ImageError(f"sets xml:base='{_short(value.strip())}': remove it")
        else:
            if _CSS_HINT_RE.search(value):
                self._css(node, value, style_sheet=False)
            # any other attribute read as an address (an animation's to=, HTML's data=): an
            # editor's own namespace (rdf:resource, inkscape:export-filename) is never read
            plain = ns in ("", _SVG_NS, _XLINK_NS, _XML_NS, _XHTML_NS)
            if plain and local not in _IDENTIFIER_ATTRS and _SCHEME_RE.search(value):
                raise ImageError(
                    f"refers to '{_short(value.strip())}' outside the file ({local}=…): remove it"
                )

    def _foreign_attributes(self, node: _Node) -> None:
        """Content inside a <foreignObject> carries only attributes that load nothing, and
        references within the file (Illustrator's <i:pgfRef xlink:href="#…">): _href took
        those as same-document references, judged where they lead, and refused the rest."""
        for key, value in node.attrs.items():
            ns, _, local = key.rpartition(" ")
            if local == "href" and value.strip().startswith("#"):
                continue
            if not (local in _INERT_FOREIGN and ns in ("", _XHTML_NS, _XML_NS)):
                raise ImageError(
                    f"has <{_short(node.local)} {_short(local)}=…> inside <foreignObject>:"
                    f" only {', '.join(sorted(_INERT_FOREIGN))} may be set there; remove it"
                )

    def _href(self, node: _Node, href: str) -> None:
        if href.startswith("#"):
            node.refs.append((href[1:], False))
        elif node.tag == "a" and href.lower().startswith(("http://", "https://", "mailto:")):
            pass  # a link is never fetched, and salesplay publishes a PNG anyway
        elif node.tag in ("image", "feImage") and _DATA_IMAGE_RE.match(href):
            node.cost += self._embedded(href)
        else:
            raise ImageError(
                f"refers to '{_short(href)}' outside the file: embed the image as a"
                " data:image/png;base64 URL or remove it"
            )

    def _embedded(self, href: str) -> int:
        try:
            payload = base64.b64decode(href.split(",", 1)[1], validate=False)
        except (binascii.Error, ValueError):
            raise ImageError("embeds an image whose base64 data is broken") from None
        kind = sniff(payload, "")
        if kind is None:
            raise ImageError("embeds data that is not a PNG, JPEG, GIF or WebP image")
        try:
            width, height = _decode_raster(payload, kind, publish=False).size
        except ImageError as exc:
            raise ImageError(f"embeds an image that {exc}") from None
        self.embedded_pixels += width * height
        if self.embedded_pixels > MAX_PIXELS:
            raise ImageError(f"embeds images of more than {MAX_PIXELS // 1_000_000} million pixels")
        return width * height // _PIXELS_PER_ELEMENT

    def _css(self, node: _Node, text: str, *, style_sheet: bool) -> None:
        for url in _css_urls(text, style_sheet=style_sheet):
            url = url.strip()
            if not url.startswith("#"):
                raise ImageError(f"refers to '{_short(url)}' outside the file in url(…): remove it")
            # A <style> rule may apply to any element: counted from the root, for all of them.
            node.refs.append((url[1:], True))
        if style_sheet and node.refs and self._stack:
            self._stack[0].refs.extend(node.refs)
            node.refs.clear()


def _css_urls(text: str, *, style_sheet: bool) -> list[str]:
    """Every URL `text` names, read by tinycss2 as CairoSVG and WeasyPrint read it.

    Tokenised, never matched as text: escapes are decoded (`u\\72l(` is `url(`, `@\\69mport`
    is `@import`) and comments dropped, so no spelling the renderers accept is missed.
    Raises ImageError for an @import and for a url( the tokenizer cannot read.
    """
    import tinycss2

    top = (
        tinycss2.parse_stylesheet(text)
        if style_sheet
        else tinycss2.parse_component_value_list(text)
    )
    urls: list[str] = []
    stack = list(reversed(top))  # in document order: the first bad URL is the one named
    while stack:
        item = stack.pop()
        kind = item.type
        keyword = {"at-rule": "lower_at_keyword", "at-keyword": "lower_value"}.get(kind)
        if keyword and getattr(item, keyword) == "import":  # a rule, or a token in an attribute
            raise ImageError("imports a style sheet (@import): put the styles in the file")
        if kind == "error" and item.kind == "bad-url":
            raise ImageError("has a url(…) that cannot be read: remove it")
        if kind == "url":
            urls.append(item.value)
        elif kind == "function" and item.lower_name in ("url", "src"):
            args = [a for a in item.arguments if a.type not in ("whitespace", "comment")]
            # url("x") takes one string; anything else (var(…)) is no same-file reference
            single = len(args) == 1 and args[0].type == "string"
            urls.append(args[0].value if single else tinycss2.serialize(item.arguments))
        elif kind == "function" and item.lower_name in _CSS_IMAGE_FUNCTIONS:
            urls.extend(a.value for a in item.arguments if a.type == "string")
        for part in ("prelude", "content", "arguments"):
            children = getattr(item, part, None)
            if isinstance(children, list):
                stack.extend(reversed(children))
    return urls


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


def _expanded(tree: _Tree) -> int:
    """Elements drawn once every reference is expanded, capped just above the limit.

    Each element is costed once (memoised, iterative), so this is linear in elements plus
    references; a reference cycle is an error. A url(…) reference counts once for the
    element and once for each descendant, because fill, stroke and markers are inherited.
    """
    assert tree.root is not None
    cap = MAX_SVG_EXPANDED + 1
    done: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[_Node, bool]] = [(tree.root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            total = node.cost + sum(done[id(c)] for c in node.children)
            for ref, inherited in node.refs:
                target = tree.ids.get(ref)
                if target is not None:
                    times = node.descendants + 1 if inherited else 1
                    if target.local == "marker":
                        # a marker is drawn at every vertex of every shape it applies to: a
                        # 58 KB path of 6,000 vertices drew a 200-circle marker 1.2 million
                        # times (3.5 minutes of `check`), counted as one reference
                        times = max(1, node.all_vertices if inherited else node.vertices)
                    total += times * done[id(target)]
            done[key] = min(total, cap)
            active.discard(key)
            continue
        if key in done:
            continue
        if key in active:
            raise ImageError("has a reference cycle (<use>, href or url(#…) back to itself)")
        active.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in node.children)
        for ref, _ in node.refs:
            target = tree.ids.get(ref)
            if target is not None and id(target) not in done:
                if id(target) in active:
                    raise ImageError(f"has a reference cycle through '#{_short(ref)}'")
                stack.append((target, False))
    return done[id(tree.root)]


def _length(value: str | None) -> float | None:
    match = _LENGTH_RE.match(value or "")
    if not match or match[2].lower() not in _UNITS:
        return None  # a percentage, em or ex: the size comes from the viewBox
    return float(match[1]) * _UNITS[match[2].lower()]


def _svg_size(root: _Node) -> tuple[float, float]:
    width, height = _length(root.attrs.get("width")), _length(root.attrs.get("height"))
    box = [p for p in re.split(r"[\s,]+", root.attrs.get("viewBox", "").strip()) if p]
    ratio = None
    if len(box) == 4:
        try:
            box_w, box_h = float(box[2]), float(box[3])
        except ValueError:
            raise ImageError(f"has a broken viewBox '{_short(root.attrs['viewBox'])}'") from None
        if not (box_w > 0 and box_h > 0 and math.isfinite(box_w * box_h)):
            raise ImageError(f"has an empty viewBox '{_short(root.attrs['viewBox'])}'")
        ratio = box_w / box_h
        width = width if width is not None else (height * ratio if height else box_w)
        height = height if height is not None else width / ratio
    if width is None or height is None:
        raise ImageError("has no size: give the <svg> element a viewBox or a width and height")
    if not (0 < width <= MAX_SVG_SIDE and 0 < height <= MAX_SVG_SIDE):
        raise ImageError(
            f"declares a size of {_side(width)}×{_side(height)} pixels; each side must be more"
            f" than 0 and at most {_side(MAX_SVG_SIDE)}"
        )
    if max(width, height) / min(width, height) > MAX_ASPECT:
        raise ImageError(f"is {_side(width)}×{_side(height)}: {_too_long(width, height)}")
    return width, height


#: the SVG elements whose character data is drawn as text
_TEXT_ELEMENTS = frozenset({"text", "tspan", "textPath"})
#: what an SVG's text may be written in for the PNG salesplay publishes to show it: CairoSVG
#: sets text with cairo's simple text calls, one font for a run and no shaping, so Latin,
#: Greek and Cyrillic letters, with punctuation, currency and letter-like symbols, draw;
#: Arabic came out as letters apart, Japanese as boxes
_PNG_TEXT_RANGES = (
    (0x0000, 0x052F),  # Latin, IPA, combining marks, Greek, Cyrillic
    (0x1E00, 0x1FFF),  # Latin and Greek extended
    (0x2000, 0x20CF),  # punctuation, super- and subscripts, currency
    (0x2100, 0x21FF),  # letter-like symbols (™), number forms, arrows
)


def _shown_in_png(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _PNG_TEXT_RANGES)


def _check_svg(data: bytes, publish: bool = False, side: int = PUBLISH_SIDE) -> Checked:
    tree = _Tree(data)
    if tree.root is None:
        raise ImageError("is not an SVG image: it has no <svg> element")
    if tree.unshown is not None:
        raise ImageError(
            f"draws text in a script its PNG cannot show ('{_short(tree.unshown)}'): salesplay"
            " publishes a PNG of it, drawn without a font for that script or its shaping"
            " (boxes, or letters apart); convert the text to outlines (paths) in your editor"
        )
    width, height = _svg_size(tree.root)
    if _expanded(tree) > MAX_SVG_EXPANDED:
        raise ImageError(
            f"expands to more than {MAX_SVG_EXPANDED} elements through <use> and other"
            " references: flatten it"
        )
    scale = side / max(width, height)
    out_w, out_h = max(1, round(width * scale)), max(1, round(height * scale))
    try:
        drawn, pale = _draw_svg(data, out_w, out_h, encode=publish)
    except Exception as exc:  # any CairoSVG failure on author bytes means "cannot be drawn"
        raise ImageError(f"cannot be drawn: {_short(str(exc) or type(exc).__name__)}") from None
    png = drawn if publish else functools.partial(_svg_png, data, out_w, out_h)
    return Checked("SVG", (round(width), round(height)), png, (out_w, out_h), faint=pale)


def _cairosvg() -> tuple[Any, Any]:
    """CairoSVG's tree and PNG surface. Its first import opens cairo by names ctypes would
    look up with gcc, which leaves a temporary file in the system's temp folder when the
    process is killed meanwhile: the search reads ldconfig's listing instead (nativelibs)."""
    if "cairosvg.surface" not in sys.modules:
        from salesplay.nativelibs import searched_once

        with searched_once():
            import cairosvg.surface  # noqa: F401
    from cairosvg.parser import Tree
    from cairosvg.surface import PNGSurface

    return Tree, PNGSurface


def _draw_svg(data: bytes, width: int, height: int, *, encode: bool) -> tuple[bytes, bool]:
    """The SVG drawn at width×height pixels, encoded as PNG if `encode` (else b""), and
    whether the drawing is faint.

    What cairosvg.svg2png does, with the encoding made optional: drawing happens when the
    surface is made, so a drawing that fails, fails here either way.
    """
    from PIL import Image

    Tree, PNGSurface = _cairosvg()
    output = io.BytesIO()
    # safe mode (unsafe=False): no entities, no external files, only data: URLs
    tree = Tree(bytestring=data, unsafe=False)
    surface = PNGSurface(
        tree, output if encode else None, 96, output_width=width, output_height=height
    )
    pixels = surface.cairo
    pixels.flush()
    # cairo's ARGB32 is premultiplied, in native (little-endian) order: Pillow's "BGRA" is
    # its bytes as they are, not unpremultiplied ("BGRa"), which took as long as judging
    drawn = Image.frombuffer(
        "RGBA", (width, height), pixels.get_data(), "raw", "BGRA", pixels.get_stride(), 1
    )
    pale = faint(drawn, premultiplied=True)
    surface.finish()
    return output.getvalue(), pale


def _svg_png(data: bytes, width: int, height: int) -> bytes:
    """The PNG of an SVG checked before without it (see _check_svg)."""
    return _draw_svg(data, width, height, encode=True)[0]

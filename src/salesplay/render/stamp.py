"""The PDF incremental writer: stamp a band onto every page of a rendered PDF by appending."""

from __future__ import annotations

import functools
import hashlib
import io
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from salesplay.render.archive import Summed

_ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC"


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

    def dump(self) -> bytes:
        """The band as bytes for a cache (load reads them back): no pickle."""
        out = [_DUMP_MAGIC, struct.pack("<dI", self.width, len(self.objects))]
        for parts, data in self.objects:
            out.append(struct.pack("<I", len(parts)))
            for part in parts:
                if isinstance(part, int):
                    out.append(struct.pack("<BI", 1, part))
                else:
                    out += (struct.pack("<BI", 0, len(part)), part)
            has = data is not None
            out += (struct.pack("<BI", int(has), len(data or b"")), data or b"")
        return b"".join(out)

    @classmethod
    def load(cls, blob: bytes) -> PreparedBand:
        """A band from what dump() made; ValueError for anything else (a damaged cache)."""
        try:
            if not blob.startswith(_DUMP_MAGIC):
                raise ValueError("not a prepared band")
            at = len(_DUMP_MAGIC)
            width, count = struct.unpack_from("<dI", blob, at)
            at += 12
            objects = []
            for _ in range(count):
                (nparts,) = struct.unpack_from("<I", blob, at)
                at += 4
                parts: list[bytes | int] = []
                for _ in range(nparts):
                    kind, value = struct.unpack_from("<BI", blob, at)
                    at += 5
                    if kind == 1 and value < count:
                        parts.append(value)  # the index of an object of this band
                    elif kind == 0 and at + value <= len(blob):
                        parts.append(blob[at : at + value])
                        at += value
                    else:
                        raise ValueError("bad part")
                has, size = struct.unpack_from("<BI", blob, at)
                at += 5
                if has not in (0, 1) or at + size > len(blob):
                    raise ValueError("bad stream")
                objects.append((tuple(parts), blob[at : at + size] if has else None))
                at += size
            if at != len(blob) or not count:
                raise ValueError("trailing or missing objects")
        except struct.error as exc:
            raise ValueError(f"not a prepared band: {exc}") from None
        return cls(width, tuple(objects))


_DUMP_MAGIC = b"salesplay prepared band 1\n"


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

    @functools.cached_property
    def _sums(self) -> tuple[Any, int]:
        # what every stamped copy begins with, hashed once for all the kits of a worker
        return hashlib.sha256(self.pdf), zlib.crc32(self.pdf)

    def stamp_summed(self, band: bytes | PreparedBand) -> Summed:
        """stamp(band), with its CRC-32 and SHA-256 carried on from the original's: a copy
        is the original and an appended update, so only the update is checksummed."""
        data = self.stamp(band)
        state, crc = self._sums
        update = memoryview(data)[len(self.pdf) :]
        digest = state.copy()
        digest.update(update)
        return Summed(data, zlib.crc32(update, crc), digest.hexdigest())

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

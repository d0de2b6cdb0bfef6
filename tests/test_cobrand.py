"""Co-branded decks: a partner's name and contact go in as XML text, whatever they hold, and
the per-partner splice gives what editing each whole slide would."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import struct
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
import zlib
from html import escape
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation

from conftest import AS_OF, make_catalog, replace_in, run_cli
from salesplay import cobrand
from salesplay.render import archive


def test_a_partners_name_with_markup_characters_is_text_in_its_decks(tmp_path: Path) -> None:
    name = "Blue & River <IT> \"A\" 'B'"
    make_catalog(
        tmp_path,
        replace_in("partners/blue-river.yaml", "name: Blue River IT", f"name: {json.dumps(name)}"),
    )
    done = run_cli("kit", "blue-river", "--as-of", AS_OF, cwd=tmp_path)
    assert done.code == 0, done.stderr
    decks = 0
    with zipfile.ZipFile(tmp_path / "build/kits/blue-river.zip") as kit:
        for member in kit.namelist():
            if not member.endswith(".pptx"):
                continue
            decks += 1
            with zipfile.ZipFile(io.BytesIO(kit.read(member))) as deck:
                texts = [
                    "".join(ET.fromstring(deck.read(n)).itertext())  # parses: well-formed
                    for n in deck.namelist()
                    if n.startswith("ppt/slides/slide") and n.endswith(".xml")
                ]
            assert any(name in text for text in texts), member
    assert decks


def _naive(base: cobrand.DeckBase, mark: cobrand.PartnerMark, xml: bytes) -> bytes:
    """A slide co-branded the plain way: every edit made to the whole of its XML."""
    xml = xml.replace(cobrand.NAME_TOKEN.encode(), escape(mark.name, quote=False).encode())
    xml = xml.replace(cobrand.CONTACT_TOKEN.encode(), escape(mark.contact, quote=False).encode())
    if mark.logo_png:
        fx, fy, fcx, fcy = cobrand._fit(base.box, mark.logo_size)
        fitted = f'<a:off x="{fx}" y="{fy}"/><a:ext cx="{fcx}" cy="{fcy}"/>'.encode()
        return xml.replace(base.placeholder, fitted)
    return cobrand._CARD_RE.sub(b"", cobrand._PIC_RE.sub(b"", xml))


@pytest.mark.parametrize("part", ["team", "customer"])
def test_a_cobranded_deck_holds_what_editing_each_whole_slide_gives(part: cobrand.Part) -> None:
    prs = Presentation()
    for title in ("Opening", "Middle & more", "Closing"):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = title
    raw = io.BytesIO()
    prs.save(raw)
    base = cobrand.prepare(raw.getvalue(), dt.date(2026, 11, 23), part, ("For ", "'s sellers"))
    logo = cobrand._placeholder_png()
    marks = [
        cobrand.PartnerMark("Blue & River <IT>", "jo@blue.example · +1 555"),
        cobrand.PartnerMark("Zed", "z@zed.example", logo, (2, 1)),
    ]
    for mark in marks:
        summed = cobrand.cobrand(base, mark)
        deck = summed.data
        with (
            zipfile.ZipFile(io.BytesIO(deck)) as out,
            zipfile.ZipFile(io.BytesIO(base.archive.data)) as before,
        ):
            assert out.testzip() is None  # every CRC holds
            assert out.namelist() == before.namelist()
            for name in out.namelist():
                if name in base.slides:
                    assert out.read(name) == _naive(base, mark, base.slides[name]), name
                elif name == base.media:
                    assert out.read(name) == (mark.logo_png or before.read(name))
                else:
                    assert out.read(name) == before.read(name), name
        # a second partner's deck starts from the same base: nothing of the first is left
        assert deck == cobrand.cobrand(base, mark).data
        assert (summed.crc, summed.sha256) == (zlib.crc32(deck), hashlib.sha256(deck).hexdigest())
    assert len(base.slides) == (3 if part == "team" else 2)
    # what a partner changes comes last: the members before it are the same in every deck
    names = [member.filename for member in base.archive.members]
    assert set(names[-len(base.slides) - 1 :]) == {*base.slides, base.media}


def test_a_long_partner_name_is_set_smaller_to_stay_on_its_slides() -> None:
    """A 300-character name ran four lines down the title slide, over the contact and off
    it, and a team deck's footer ran past both edges: the name is set at the size that
    holds it in its box (two lines of the slot, one of the footer), and a name of ordinary
    length keeps the design's 18 pt and 10 pt."""
    prs = Presentation()
    for title in ("Opening", "Middle", "Closing"):
        prs.slides.add_slide(prs.slide_layouts[1]).shapes.title.text = title
    raw = io.BytesIO()
    prs.save(raw)
    wording = ("For the sellers of ", " — not for customers")
    base = cobrand.prepare(raw.getvalue(), dt.date(2026, 11, 23), "team", wording)
    assert base.width == prs.slide_width
    assert cobrand.DeckBase.load(base.dump()).width == base.width

    def sizes(name: str) -> tuple[set[str], set[str]]:
        deck = cobrand.cobrand(base, cobrand.PartnerMark(name, "jo@blue.example")).data
        with zipfile.ZipFile(io.BytesIO(deck)) as zf:
            first, middle = zf.read("ppt/slides/slide1.xml"), zf.read("ppt/slides/slide2.xml")

        def named(xml: bytes) -> set[str]:
            root = ET.fromstring(xml)
            ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
            return {
                r.find("a:rPr", ns).get("sz")  # type: ignore[union-attr]
                for p in root.iter(f"{{{ns['a']}}}p")
                if name[:20] in "".join(p.itertext())
                for r in p.findall("a:r", ns)
            }

        return named(first), named(middle)

    assert sizes("Blue River IT") == ({"1800"}, {"1000"})
    slot, footer = sizes("Blue River Regional Managed Services and Cloud Consulting " * 5)
    (slot_size,), (footer_size,) = slot, footer
    assert 1000 <= int(slot_size) < 1800 and 700 <= int(footer_size) < 1000


def test_a_spliced_member_given_deflated_is_the_member_deflated_here() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as src:
        src.writestr("keep.xml", b"<keep/>" * 20)
        src.writestr("slide.xml", b"<old/>")
    base = archive.SpliceBase.parse(archive.repack(buffer.getvalue(), dt.date(2026, 11, 1)))
    new = b"<new>" + b"text " * 100 + b"</new>"
    given = archive.splice(base, {"slide.xml": archive.Deflated.of(new)}).data
    assert given == archive.splice(base, {"slide.xml": new}).data
    with zipfile.ZipFile(io.BytesIO(given)) as out:
        assert out.read("slide.xml") == new


def _content(name: str) -> bytes:
    return (name.encode() + b" text ") * 40


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    return archive.write_zip(
        members, date=dt.date(2026, 11, 1), mode=archive.PACKAGE_MODE, stored=lambda _n: False
    )


NAMES = ["a.xml", "b.xml", "c.xml", "d.xml", "e.xml"]


@pytest.mark.parametrize(
    "replaced", [(), ("a.xml",), ("c.xml",), ("e.xml",), ("d.xml", "b.xml"), tuple(NAMES)]
)
def test_a_splice_is_the_archive_made_afresh_and_its_sums_are_its_own(
    replaced: tuple[str, ...],
) -> None:
    """The members before the first one replaced are copied as one piece, with their
    central records and checksums found once a base: the archive and its sums are still
    those of the archive written afresh, whichever members a splice replaces, in turn."""
    base = archive.SpliceBase.parse(_zip([(n, _content(n)) for n in NAMES]))
    for turn in (1, 2, 3):
        new = {n: b"<new turn='%d'/>" % turn + _content(n)[: 40 * turn] for n in replaced}
        if turn == 2:  # a splice with another prefix of this base in between
            archive.splice(base, {"a.xml": b"<other/>"})
        summed = archive.splice(base, new)
        given = summed.data
        assert given == _zip([(n, new.get(n, _content(n))) for n in NAMES])
        assert summed.crc == zlib.crc32(given)
        assert summed.sha256 == hashlib.sha256(given).hexdigest()


def test_a_base_whose_members_do_not_lie_in_order_is_spliced_member_by_member() -> None:
    """Bytes between two members (another writer's padding): no member before a change is
    copied as one piece with what lies between them."""
    plain = _zip([(n, _content(n)) for n in NAMES[:2]])
    with zipfile.ZipFile(io.BytesIO(plain)) as src:
        second = src.getinfo(NAMES[1]).header_offset
        directory = src.start_dir
    gap = b"GAPGAPGAP"
    data = bytearray(plain[:second] + gap + plain[second:])
    # the second central record's offset (its last 4 bytes before the name), and the end
    # record's directory offset, moved past the gap
    record = directory + len(gap) + 46 + len(NAMES[0])
    (old,) = struct.unpack_from("<I", data, record + 42)
    struct.pack_into("<I", data, record + 42, old + len(gap))
    end = len(data) - 22
    struct.pack_into("<I", data, end + 16, directory + len(gap))
    base = archive.SpliceBase.parse(bytes(data))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as src:
        assert src.read(NAMES[1]) == _content(NAMES[1])  # a zip as readers see it
    summed = archive.splice(base, {NAMES[1]: b"<new/>"})
    given = summed.data
    assert gap not in given
    assert given == _zip([(NAMES[0], _content(NAMES[0])), (NAMES[1], b"<new/>")])
    assert summed.crc == zlib.crc32(given)


@pytest.mark.parametrize("cut", [0, 10, 9000])
def test_a_split_slide_inflates_to_its_head_and_any_tail(cut: int) -> None:
    """The tail's own deflate stream, with the end of the head as its dictionary, follows the
    head's on a byte boundary: the whole inflates to head + tail, however long the head."""
    words = b"".join(
        b'<a:r><a:rPr lang="en-US" sz="%d"/><a:t>w%d</a:t></a:r>' % (i, i) for i in range(400)
    )
    xml = words[:cut] + b"SALESPLAYPARTNERNAME" + words[:300]
    slide = cobrand._Slide.of(xml, cut)
    for tail in (b"", b"Blue River" + words[:300], words[-200:] * 3):
        done = slide.completed(tail)
        whole = xml[:cut] + tail
        assert zlib.decompress(done.payload, -15) == whole
        assert done.crc == zlib.crc32(whole) and done.size == len(whole)


def test_an_arabic_decks_partner_slot_is_mirrored_and_runs_right_to_left() -> None:
    """In an Arabic kit's decks the partner's words sat at the left, in a left-to-right
    paragraph, its Arabic name at the line's wrong end; now the slot mirrors as the deck's
    layouts do (logo left, words right) and its paragraphs run right to left."""
    from pptx.oxml.ns import qn

    prs = Presentation()
    for title in ("افتتاح", "ختام"):
        prs.slides.add_slide(prs.slide_layouts[1]).shapes.title.text = title
    raw = io.BytesIO()
    prs.save(raw)
    wording = ("مقدَّم من ", "")
    mark = cobrand.PartnerMark(
        "الخليج للحلول التقنية", "+971 4 555 0177", cobrand._placeholder_png(), (2, 1)
    )

    def slot(language: str) -> tuple[int, int, list[str]]:
        base = cobrand.prepare(raw.getvalue(), dt.date(2026, 11, 23), "customer", wording, language)
        deck = Presentation(io.BytesIO(cobrand.cobrand(base, mark).data))
        shapes = {sh.name: sh for sh in deck.slides[0].shapes}
        words = next(sh for sh in deck.slides[0].shapes if "الخليج" in sh.text_frame.text)
        rtl = [p.get("rtl") for p in words._element.iter(qn("a:pPr"))]
        return shapes[cobrand.LOGO_SHAPE].left, words.left, rtl

    logo, text, rtl = slot("ar")
    assert logo < text and rtl == ["1", "1"]
    logo, text, _ = slot("de")
    assert text < logo


def _marked_whole(
    base: cobrand.DeckBase, mark: cobrand.PartnerMark, xml: bytes, language: str
) -> bytes:
    """A slide co-branded the plain way, then each paragraph holding the partner's words
    marked as the deck's own text is, in the deck's language."""
    from lxml import etree
    from pptx.oxml import parse_xml
    from pptx.oxml.ns import qn

    from salesplay.render.pptx_script import DeckLanguage, mark_runs

    slide = parse_xml(_naive(base, mark, xml))
    theirs = [p for p in slide.iter(qn("a:p")) if {mark.name, mark.contact} & _run_texts(p)]
    assert theirs
    mark_runs(theirs, DeckLanguage.of(language))
    return bytes(etree.tostring(slide, encoding="UTF-8"))


def _run_texts(p: Any) -> set[str]:
    from pptx.oxml.ns import qn

    return {"".join(t.text or "" for t in r.iter(qn("a:t"))) for r in p.iter(qn("a:r"))}


def test_a_partners_words_in_an_arabic_deck_run_as_the_decks_own_text() -> None:
    """A partner's name went into an Arabic kit's decks as raw text, after the deck's text
    was marked: a Latin name ending in a full stop was drawn ".Gulf Tech Solutions Co" (the
    full stop taken to the right-to-left side), an Arabic one named no Arabic typeface, and
    every slot paragraph was right to left whatever it held. Each paragraph with the
    partner's words now is what marking it as the deck's own text gives."""
    from pptx.oxml.ns import qn

    from salesplay.render.pptx_script import DeckLanguage

    prs = Presentation()
    for title in ("افتتاح", "وسط", "ختام"):
        prs.slides.add_slide(prs.slide_layouts[1]).shapes.title.text = title
    raw = io.BytesIO()
    prs.save(raw)
    arabic = DeckLanguage.of("ar")
    wording = ("لمندوبي مبيعات ", " — وليس للعملاء")
    base = cobrand.prepare(raw.getvalue(), dt.date(2026, 11, 23), "team", wording, "ar")
    cached = cobrand.DeckBase.load(base.dump())
    latin = cobrand.PartnerMark("Gulf Tech Solutions Co.", "partners@gulftech.example.")
    native = cobrand.PartnerMark("الخليج للحلول التقنية", "ليلى الحمادي · +971\u00a04\u00a0555")
    for mark in (latin, native):
        deck = cobrand.cobrand(base, mark).data
        assert cobrand.cobrand(cached, mark).data == deck  # a base from the cache marks alike
        with zipfile.ZipFile(io.BytesIO(deck)) as out:
            for name, xml in base.slides.items():
                whole = _marked_whole(base, mark, xml, "ar")
                assert ET.canonicalize(out.read(name)) == ET.canonicalize(whole), name
        found = 0
        for slide in Presentation(io.BytesIO(deck)).slides:
            for p in slide._element.iter(qn("a:p")):
                for run in p.iter(qn("a:r")):
                    text = "".join(t.text for t in run.iter(qn("a:t")))
                    # a number in an Arabic contact comes after a left-to-right mark
                    bare = text.replace("\u200e", "")
                    words = next((w for w in (mark.name, mark.contact) if bare.startswith(w)), "")
                    if not words:
                        continue
                    found += 1
                    direction = p.find(qn("a:pPr")).get("rtl")
                    cs = run.find(f"{qn('a:rPr')}/{qn('a:cs')}")
                    if mark is native:
                        assert direction == "1"
                        assert cs is not None and cs.get("typeface") == arabic.complex_script
                        if words == mark.contact:  # its phone number reads left to right
                            assert "\u200e+971" in text, text
                    elif words == mark.name:  # a Latin name after Arabic words
                        assert direction == "1"
                        # its full stop is followed by a strong left-to-right character:
                        # it stays at the name's end
                        after = text[len(words) :]
                        assert after and unicodedata.bidirectional(after[0]) == "L", text
                    else:  # a Latin contact alone: right to left as the deck's others,
                        # a left-to-right mark keeping its full stop at its end
                        assert direction == "1" and text == words + "\u200e"
        assert found == 2 * 2 + 1  # the first and last slides' name and contact; a footer


def test_a_latin_partner_in_a_left_to_right_kit_is_spliced_without_python_pptx() -> None:
    """A kit made alone (a partner's new contact) co-brands its decks without importing
    python-pptx: marking Latin words in a left-to-right deck changes nothing (it cost 0.2 s
    and 15 MB a contact edit)."""
    code = (
        "import sys\n"
        "from salesplay import cobrand\n"
        "p = b'<a:p><a:r><a:t>' + cobrand.NAME_TOKEN.encode() + b'</a:t></a:r></a:p>'\n"
        "out = cobrand._spliced(p, 'Acme & Co.', 'a@b.example', 'de')\n"
        "assert out == b'<a:p><a:r><a:t>Acme &amp; Co.</a:t></a:r></a:p>', out\n"
        "print('pptx' in sys.modules)\n"
        "cobrand._spliced(p, 'Acme Co.', 'a@b.example', 'ar')\n"
        "print('pptx' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False", "True"]  # an Arabic deck marks them: it needs it

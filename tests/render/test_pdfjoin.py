"""Tagged parts joined into one document: its pages, tag tree, outline and names as one."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from salesplay.render.pdf import PdfRenderer
from salesplay.render.pdfjoin import JoinError, join

AS_OF = date(2026, 11, 1)


def _part(n: int, pages: int) -> str:
    """A part of `pages` pages: a chapter heading, an anchor and a link to it, paragraphs."""
    body = "".join(
        f'<section style="break-before: page"><h2 id="p{n}-{i}">Part {n} page {i}</h2>'
        f'<p>Words of part {n}, page {i}. <a href="#p{n}-0">Back to the start of part {n}</a>.</p>'
        "</section>"
        for i in range(pages)
    )
    other = f'<p><a href="salesplay-part:part-{n % 3 + 1}">Chapter {n % 3 + 1}</a></p>'
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>Part {n}</title></head>'
        f'<body><h1 id="part-{n}">Chapter {n}</h1>{other}{body}</body></html>'
    )


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    root = tmp_path_factory.mktemp("join")
    with PdfRenderer() as renderer:
        return [
            renderer.render(
                _part(n, pages),
                base_url=root.as_uri() + "/",
                roots=[Path(root)],
                as_of=AS_OF,
                title="Joined",
            )[0]
            for n, pages in ((1, 2), (2, 1), (3, 3))
        ]


_OPENED: list[Any] = []  # kept open: an object of a closed document reads as destroyed


def _open(data: bytes) -> Any:
    pdf = pikepdf.open(io.BytesIO(data))
    _OPENED.append(pdf)
    return pdf


def _firsts(parts: list[bytes]) -> list[int]:
    """The index of each part's first page in the joined document."""
    found, start = [], 0
    for data in parts:
        found.append(start)
        start += len(_open(data).pages)
    return found


def _elements(element: Any) -> list[Any]:
    found = [element]
    kids = element.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    for kid in items:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found += _elements(kid)
    return found


def _outline(pdf: Any) -> list[tuple[int, str, int]]:
    """(level, title, page index) of every outline item, in order."""
    pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    names = pikepdf.NameTree(pdf.Root.Names.Dests)
    found: list[tuple[int, str, int]] = []
    with pdf.open_outline() as outline:

        def walk(items: Any, level: int) -> None:
            for item in items:
                dest = item.destination
                if isinstance(dest, (str, pikepdf.String)):
                    dest = names[str(dest)]
                found.append((level, str(item.title), pages[dest[0].objgen]))
                walk(item.children, level + 1)

        walk(outline.root, 0)
    return found


def test_the_pages_follow_one_another(parts: list[bytes]) -> None:
    joined = _open(join(parts))
    assert len(joined.pages) == sum(len(_open(p).pages) for p in parts) > len(parts)
    texts = [page.obj.Contents.read_bytes() for page in joined.pages]
    singles = [page.obj.Contents.read_bytes() for p in parts for page in _open(p).pages]
    assert texts == singles


def test_one_document_element_holds_every_parts_elements_in_order(parts: list[bytes]) -> None:
    joined = _open(join(parts))
    tree = joined.Root.StructTreeRoot
    (document,) = list(tree.K) if isinstance(tree.K, pikepdf.Array) else [tree.K]
    assert document.S == "/Document"
    wanted = [len(_elements(_open(p).Root.StructTreeRoot.K[0])) - 1 for p in parts]
    assert len(_elements(document)) - 1 == sum(wanted)
    for kid in document.K:
        assert kid.P.objgen == document.objgen
    # the chapters' headings read in the parts' order, each on its part's first page
    pages = {page.obj.objgen: i for i, page in enumerate(joined.pages)}
    h1 = [pages[e.Pg.objgen] for e in _elements(document) if e.S == "/H1"]
    assert h1 == _firsts(parts)


def test_every_page_and_link_finds_its_elements_in_the_one_parent_tree(parts: list[bytes]) -> None:
    joined = _open(join(parts))
    tree = joined.Root.StructTreeRoot
    nums = tree.ParentTree.Nums
    entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert int(tree.ParentTreeNextKey) == max(keys) + 1
    links = 0
    for page in joined.pages:
        marked = entries[int(page.obj.StructParents)]
        assert all(e.Pg.objgen == page.obj.objgen for e in marked if "/Pg" in e)
        for annot in page.obj.get("/Annots", []):
            links += 1
            element = entries[int(annot.StructParent)]
            objr = [k for k in element.K if isinstance(k, pikepdf.Dictionary) and "/Obj" in k]
            assert objr and objr[0].Obj.objgen == annot.objgen
    assert links == sum(
        1 for p in parts for pg in _open(p).pages for _ in pg.obj.get("/Annots", [])
    )
    assert links == 3 + 2 + 1 + 3  # one to the next part, one a section


def test_the_outline_and_the_anchors_lead_to_the_parts_pages(parts: list[bytes]) -> None:
    joined = _open(join(parts))
    got = _outline(joined)
    want: list[tuple[int, str, int]] = []
    start = 0
    for data in parts:
        part = _open(data)
        want += [(level, title, start + page) for level, title, page in _outline(part)]
        start += len(part.pages)
    assert got == want
    assert [title for level, title, _ in got if level == 0] == [
        "Chapter 1",
        "Chapter 2",
        "Chapter 3",
    ]
    names = pikepdf.NameTree(joined.Root.Names.Dests)
    pages = {page.obj.objgen: i for i, page in enumerate(joined.pages)}
    firsts = _firsts(parts)
    assert pages[names["part-2"][0].objgen] == firsts[1]
    assert pages[names["p3-2"][0].objgen] == len(joined.pages) - 1


def test_the_first_part_gives_the_catalog_and_the_same_parts_the_same_bytes(
    parts: list[bytes],
) -> None:
    first, joined = _open(parts[0]), _open(join(parts))
    assert joined.Root.Lang == first.Root.Lang
    assert joined.Root.MarkInfo.Marked
    assert joined.Root.Metadata.read_bytes() == first.Root.Metadata.read_bytes()
    assert join(parts) == join(parts)
    assert join(parts) != join([parts[0], parts[2], parts[1]])


def test_an_untagged_part_is_refused(parts: list[bytes], tmp_path: Path) -> None:
    with PdfRenderer() as renderer:
        untagged, _ = renderer.render(
            _part(9, 1),
            base_url=tmp_path.as_uri() + "/",
            roots=[tmp_path],
            as_of=AS_OF,
            title="t",
            tagged=False,
        )
    with pytest.raises(JoinError, match="part 2 is not tagged"):
        join([parts[0], untagged])
    with pytest.raises(JoinError, match="not a PDF"):
        join([parts[0], b"%PDF-1.7 nothing"])


def test_a_link_to_another_parts_anchor_leads_there(parts: list[bytes]) -> None:
    """WeasyPrint drops a link to an anchor its document lacks: a part writes it as
    salesplay-part:NAME, which the join makes a link to NAME."""
    joined = _open(join(parts))
    pages = {page.obj.objgen: i for i, page in enumerate(joined.pages)}
    names = pikepdf.NameTree(joined.Root.Names.Dests)
    firsts = _firsts(parts)
    found = []
    for i, page in enumerate(joined.pages):
        for annot in page.obj.get("/Annots", []):
            assert "/A" not in annot or "salesplay-part" not in str(annot.A.get("/URI", ""))
            if "/Dest" in annot and str(annot.Dest).startswith("part-"):
                found.append((i, pages[names[str(annot.Dest)][0].objgen]))
    # each chapter's first page links to the next chapter's (the last to the first)
    assert found == [(firsts[0], firsts[1]), (firsts[1], firsts[2]), (firsts[2], firsts[0])]


def test_a_link_to_an_anchor_no_part_has_is_refused(parts: list[bytes]) -> None:
    with pytest.raises(JoinError, match="a link to '#part-2', which no part has"):
        join([parts[0], parts[2]])

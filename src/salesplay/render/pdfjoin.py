"""Join tagged PDFs rendered one part at a time into one document: pages, tags, outline, names."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from typing import Any

from salesplay.render.fontmerge import dense_faces, merge_faces

#: the scheme of a link to an anchor in another part: a part is rendered with
#: `href="salesplay-part:NAME"` for `#NAME` (WeasyPrint drops a link to an anchor its
#: document lacks), and the join turns it into a link to the named destination NAME.
PART_LINK = "salesplay-part:"


class JoinError(ValueError):
    """A part is not a PDF this module can join (not tagged as WeasyPrint tags), or links
    to an anchor no part has."""


def join(parts: Sequence[bytes], *, keep: int | None = None) -> bytes:
    """The parts' pages in order as one tagged document, as if rendered whole.

    The first part gives the document its catalog (language, metadata, viewer preferences,
    title); each later part's pages follow, its structure elements join the first part's
    document element in order, its parent-tree numbers (`StructParents` of its pages,
    `StructParent` of its annotations) move past those before it, its named destinations
    join the name tree, and its outline follows the outline before it, level for level.
    The same parts give the same bytes.

    A link to another part's anchor, written `salesplay-part:NAME` (PART_LINK), becomes a
    link to that anchor; one to an anchor no part has is a JoinError. The parts' subsets of
    a face become one font (render.fontmerge), as the whole document would have it.

    With `keep`, the first part keeps only its first `keep` pages. Its pages after them are
    the page chrome of the later parts' pages, one for one (their running header, footer
    and page number, laid out around empty stand-ins of the later parts: see
    render.chapters): each is drawn under its page as an artifact, and what the first part
    had on them (structure elements, anchors) is dropped. A later part's pages are then
    rendered without chrome. Page counts or sizes that do not match are a JoinError.
    """
    import pikepdf

    if not parts:
        raise JoinError("nothing to join")
    try:
        out = pikepdf.open(io.BytesIO(parts[0]))
        sources = [pikepdf.open(io.BytesIO(data)) for data in parts[1:]]
    except pikepdf.PdfError as exc:
        raise JoinError(f"not a PDF: {exc}") from None
    tree = _tree(out, 0)
    document = _document(tree, 0)
    nums = tree.ParentTree.Nums
    following = _next_key(tree)
    dests = named_destinations(out)
    chrome = [] if keep is None else _take_chrome(out, tree, document, dests, keep)
    if keep is not None and len(chrome) != sum(len(src.pages) for src in sources):
        raise JoinError(
            f"the first part has {len(chrome)} pages of chrome for"
            f" {sum(len(src.pages) for src in sources)} pages"
        )
    outline: list[Any] = []
    for index, src in enumerate(sources, start=1):
        theirs = _tree(src, index)
        first = len(out.pages)
        with warnings.catch_warnings():
            # pikepdf warns that named destinations stay behind: they are joined below
            warnings.simplefilter("ignore")
            out.pages.extend(src.pages)
        offset = following
        following += _next_key(theirs)
        for page in out.pages[first:]:
            obj = page.obj
            if "/StructParents" in obj:
                obj.StructParents = int(obj.StructParents) + offset
            for annot in obj.get("/Annots", ()):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + offset
        their_nums = theirs.ParentTree.Nums
        for at in range(0, len(their_nums), 2):
            nums.append(int(their_nums[at]) + offset)
            nums.append(_copied(out, their_nums[at + 1]))
        for kid in _kids(_document(theirs, index)):
            copied = _copied(out, kid)
            copied.P = document
            document.K.append(copied)
        for name, dest in named_destinations(src).items():
            dests.setdefault(name, _copied(out, dest))
        outline.append(src)
    tree.ParentTreeNextKey = following
    if chrome:
        for page, form in zip(out.pages[keep:], chrome, strict=True):
            _draw_under(out, page, form)
    _link_parts(out, dests)
    if dests:
        names = pikepdf.NameTree.new(out)
        for name in sorted(dests):
            names[name] = dests[name]
        if "/Names" not in out.Root:
            out.Root.Names = pikepdf.Dictionary()
        out.Root.Names.Dests = names.obj
    if outline:
        _join_outlines(out, outline)
    merge_faces(out)
    dense_faces(out)  # the parts kept their glyph ids to merge; the whole needs not
    buffer = io.BytesIO()
    out.save(
        buffer,
        deterministic_id=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        fix_metadata_version=False,  # the first part's XMP as it is
    )
    return buffer.getvalue()


def _tree(pdf: Any, index: int) -> Any:
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None or "/ParentTree" not in tree or "/Nums" not in tree.ParentTree:
        raise JoinError(f"part {index + 1} is not tagged (no structure tree with a parent tree)")
    return tree


def _document(tree: Any, index: int) -> Any:
    """The part's one document element, whose children the parts share."""
    import pikepdf

    top = tree.K
    if isinstance(top, pikepdf.Array):
        if len(top) != 1:
            raise JoinError(f"part {index + 1} has {len(top)} top structure elements, not one")
        top = top[0]
    if str(top.get("/S")) != "/Document":
        raise JoinError(f"part {index + 1}'s top structure element is not a document")
    if not isinstance(top.get("/K"), pikepdf.Array):
        top.K = pikepdf.Array([top.K] if "/K" in top else [])
    return top


def _kids(document: Any) -> list[Any]:
    return list(document.K)


def _next_key(tree: Any) -> int:
    """The first parent-tree number a part leaves free."""
    if "/ParentTreeNextKey" in tree:
        return int(tree.ParentTreeNextKey)
    nums = tree.ParentTree.Nums
    keys = [int(nums[at]) for at in range(0, len(nums), 2)]
    return max(keys, default=-1) + 1


def named_destinations(pdf: Any) -> dict[str, Any]:
    """The named destinations of an open pikepdf document, by name."""
    import pikepdf

    names = pdf.Root.get("/Names")
    tree = names.get("/Dests") if names is not None else None
    if tree is None:
        return {}
    return {str(name): dest for name, dest in pikepdf.NameTree(tree).items()}


def _copied(out: Any, obj: Any) -> Any:
    """`obj` of another part copied into `out`; the pages it names are their copies (qpdf
    maps every object of a part once, pages included, so references meet)."""
    import pikepdf

    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)):
        if obj.is_indirect:
            return out.copy_foreign(obj)
        if isinstance(obj, pikepdf.Array):
            return pikepdf.Array([_copied(out, item) for item in obj])
        if isinstance(obj, pikepdf.Dictionary):
            return pikepdf.Dictionary({key: _copied(out, value) for key, value in obj.items()})
    return obj


def _join_outlines(out: Any, parts: list[Any]) -> None:
    """Each later part's outline items after those before, their children kept; an item's
    destination, named or a page, follows it."""
    import pikepdf

    with out.open_outline() as outline:
        for src in parts:
            with src.open_outline() as theirs:
                for item in theirs.root:
                    outline.root.append(_item(out, item, pikepdf))


def _item(out: Any, item: Any, pikepdf: Any) -> Any:
    dest = item.destination
    copied = pikepdf.OutlineItem(str(item.title))
    if isinstance(dest, (str, pikepdf.String, pikepdf.Name)):
        copied.destination = str(dest)
    elif dest is not None:
        copied.destination = _copied(out, dest)
    elif item.action is not None:
        copied.action = _copied(out, item.action)
    copied.is_closed = item.is_closed
    for child in item.children:
        copied.children.append(_item(out, child, pikepdf))
    return copied


def _link_parts(out: Any, dests: dict[str, Any]) -> None:
    """Each link to `salesplay-part:NAME` turned into a link to the named destination."""
    import pikepdf

    for page in out.pages:
        for annot in page.obj.get("/Annots", ()):
            action = annot.get("/A")
            if action is None or action.get("/S") != "/URI":
                continue
            uri = bytes(action.URI).decode("utf-8", "replace")
            if not uri.startswith(PART_LINK):
                continue
            name = uri[len(PART_LINK) :]
            if name not in dests:
                raise JoinError(f"a link to '#{name}', which no part has")
            del annot["/A"]
            annot.Dest = pikepdf.String(name)


#: marked-content operators: the chrome's own tags, which mean nothing outside its part
_MARKS = frozenset({"BDC", "BMC", "EMC", "MP", "DP"})


def _take_chrome(out: Any, tree: Any, document: Any, dests: dict[str, Any], keep: int) -> list[Any]:
    """The first part's pages after `keep` removed, each made a form of what it draws with
    its marks taken out; their structure elements, parent-tree entries and anchors go."""
    import pikepdf

    if not 0 < keep <= len(out.pages):
        raise JoinError(f"the first part has {len(out.pages)} pages, not more than {keep}")
    dropped = {page.objgen for page in out.pages[keep:]}
    forms = []
    for page in out.pages[keep:]:
        ops = [
            instruction
            for instruction in pikepdf.parse_content_stream(page)
            if not (
                isinstance(instruction, pikepdf.ContentStreamInstruction)
                and str(instruction.operator) in _MARKS
            )
        ]
        form = pikepdf.Stream(out, pikepdf.unparse_content_stream(ops))
        form.Type = pikepdf.Name.XObject
        form.Subtype = pikepdf.Name.Form
        form.BBox = page.mediabox
        form.Resources = page.obj.get("/Resources", pikepdf.Dictionary())
        forms.append((form, [float(v) for v in page.mediabox]))
    kept_keys = set()
    for page in out.pages[:keep]:
        if "/StructParents" in page.obj:
            kept_keys.add(int(page.obj.StructParents))
        for annot in page.obj.get("/Annots", ()):
            if "/StructParent" in annot:
                kept_keys.add(int(annot.StructParent))
    nums = tree.ParentTree.Nums
    kept_nums: list[Any] = []
    for at in range(0, len(nums), 2):
        if int(nums[at]) in kept_keys:
            kept_nums.extend((nums[at], nums[at + 1]))
    tree.ParentTree.Nums = pikepdf.Array(kept_nums)
    _prune(document, dropped)
    for name in [n for n, dest in dests.items() if page_of(dest) in dropped]:
        del dests[name]
    for index in range(len(out.pages) - 1, keep - 1, -1):
        del out.pages[index]
    return forms


def page_of(dest: Any) -> Any:
    """The object id of the page a destination (an array, or an action's /D) leads to."""
    import pikepdf

    if isinstance(dest, pikepdf.Dictionary) and "/D" in dest:
        dest = dest.D
    if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
        return dest[0].objgen
    return None


def _prune(element: Any, dropped: set[tuple[int, int]]) -> None:
    """Structure elements on the pages `dropped` taken out of `element`'s, with theirs."""
    import pikepdf

    kids = element.get("/K")
    if not isinstance(kids, pikepdf.Array):
        return
    kept = []
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            page = kid.get("/Pg")
            if page is not None and page.objgen in dropped:
                continue
            _prune(kid, dropped)
        kept.append(kid)
    element.K = pikepdf.Array(kept)


def _draw_under(out: Any, page: Any, chrome: tuple[Any, list[float]]) -> None:
    """The chrome form drawn under the page's own content, marked as an artifact."""
    import pikepdf

    form, box = chrome
    if [float(v) for v in page.mediabox] != box:
        raise JoinError("a page and its chrome differ in size")
    name = pikepdf.Name("/SalesplayChrome")  # a fixed name: the same parts, the same bytes
    # WeasyPrint's pages share one resource dictionary: each page gets its own, the
    # fonts, images and patterns in it shared still
    resources = pikepdf.Dictionary(dict(page.obj.get("/Resources", pikepdf.Dictionary()).items()))
    xobjects = pikepdf.Dictionary(dict(resources.get("/XObject", pikepdf.Dictionary()).items()))
    if name in xobjects:
        raise JoinError(f"a page has an XObject named {name} already")
    xobjects[name] = form
    resources.XObject = xobjects
    page.obj.Resources = resources
    draw = pikepdf.Stream(out, b"q /Artifact BMC " + str(name).encode() + b" Do EMC Q\n")
    page.contents_add(draw, prepend=True)

"""A renderer parses a linked stylesheet once and reuses it for later documents, which come
out byte for byte as if each had parsed it; a changed, moved or refused sheet is parsed
again, and what a document's fetcher may not read stays refused."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pikepdf
import pytest

from salesplay.render import sheets
from salesplay.render.pdf import FONTS_CSS, PdfRenderer
from salesplay.render.theme import THEME_DIR

AS_OF = dt.date(2026, 11, 23)


def _page(
    *links: Path, body: str = "<h1>Backup modernization</h1><p>Restore in minutes.</p>"
) -> str:
    tags = "".join(f'<link rel="stylesheet" href="{p.as_uri()}">' for p in links)
    return f"<!doctype html><html lang=en><head>{tags}</head><body>{body}</body></html>"


def _render(renderer: PdfRenderer, html: str, roots: list[Path]) -> tuple[bytes, list[str]]:
    return renderer.render(
        html, base_url=roots[0].as_uri() + "/", roots=roots, as_of=AS_OF, title="t"
    )


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The url of every linked sheet WeasyPrint parses from here on."""
    import weasyprint

    found: list[str] = []
    init = weasyprint.CSS.__init__

    def parsing(self: object, *args: object, **kw: object) -> None:
        if kw.get("url"):
            found.append(str(kw["url"]))
        init(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(weasyprint.CSS, "__init__", parsing)
    return found


def _sheet(folder: Path, css: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "style.css"
    path.write_text(css, encoding="utf-8")
    return path


CSS = "@page { size: 100mm 80mm; margin: 10mm } h1 { color: #0a5; font-family: Inter }"


def test_a_sheet_is_parsed_once_and_the_pdfs_are_those_of_parsing_it_each_time(
    tmp_path: Path, parsed: list[str]
) -> None:
    style = _sheet(tmp_path / "theme", CSS)
    roots = [tmp_path / "theme", THEME_DIR]
    pages = [_page(FONTS_CSS, style, body=f"<h1>Card {n}</h1><p>Text {n}</p>") for n in range(3)]
    with PdfRenderer() as renderer:
        reused = [_render(renderer, page, roots) for page in pages]
    assert parsed.count(style.as_uri()) == 1
    assert parsed.count(FONTS_CSS.as_uri()) == 1
    parsed.clear()
    alone = []
    for page in pages:
        with PdfRenderer() as renderer:  # a renderer of its own: every sheet parsed
            alone.append(_render(renderer, page, roots))
    assert parsed.count(style.as_uri()) == 3
    assert reused == alone
    # the @page rule of the reused sheet still sizes the pages: 100 mm × 80 mm
    with pikepdf.open(io.BytesIO(reused[2][0])) as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
    assert [round(v / 72 * 25.4) for v in box[2:]] == [100, 80]


def test_an_edited_sheet_is_parsed_again(tmp_path: Path, parsed: list[str]) -> None:
    style = _sheet(tmp_path / "theme", CSS)
    roots = [tmp_path / "theme", THEME_DIR]
    with PdfRenderer() as renderer:
        first, _ = _render(renderer, _page(style), roots)
        _sheet(tmp_path / "theme", CSS.replace("100mm 80mm", "120mm 80mm"))
        second, _ = _render(renderer, _page(style), roots)
    assert parsed.count(style.as_uri()) == 2
    assert first != second
    with PdfRenderer() as renderer:
        assert _render(renderer, _page(style), roots)[0] == second


def test_a_sheet_a_document_may_not_read_is_refused_though_another_read_it(
    tmp_path: Path, parsed: list[str]
) -> None:
    style = _sheet(tmp_path / "shared", CSS)
    other = tmp_path / "other"
    other.mkdir()
    with PdfRenderer() as renderer:
        _, refused = _render(renderer, _page(style), [tmp_path / "shared"])
        assert refused == []
        plain, refused = _render(renderer, _page(style), [other])
    assert len(refused) == 1 and "outside the allowed directories" in refused[0]
    with PdfRenderer() as renderer:
        assert _render(renderer, _page(style), [other])[0] == plain


def test_a_sheet_whose_parse_was_refused_something_is_parsed_every_time(
    tmp_path: Path, parsed: list[str]
) -> None:
    outside = tmp_path / "outside.otf"
    outside.write_bytes(b"not a font")
    style = _sheet(
        tmp_path / "theme",
        f'@font-face {{ font-family: X; src: url("{outside.as_uri()}") }} h1 {{ font-family: X }}',
    )
    roots = [tmp_path / "theme"]
    with PdfRenderer() as renderer:
        warned = [_render(renderer, _page(style), roots)[1] for _ in range(2)]
    assert parsed.count(style.as_uri()) == 2
    assert all(len(w) == 1 and "outside.otf" in w[0] for w in warned)


def test_a_sheet_with_layers_is_parsed_every_time(tmp_path: Path, parsed: list[str]) -> None:
    """Layers are document state the reuse does not replay: such a sheet is not kept."""
    style = _sheet(tmp_path / "theme", "@layer base { h1 { color: red } } h1 { color: blue }")
    with PdfRenderer() as renderer:
        for _ in range(2):
            _render(renderer, _page(style), [tmp_path / "theme"])
    assert parsed.count(style.as_uri()) == 2


def test_only_the_weasyprint_checked_is_patched() -> None:
    import weasyprint

    assert weasyprint.__version__.startswith(sheets.WEASYPRINT)


def test_a_sheet_that_overrides_a_counter_style_is_parsed_every_time(
    tmp_path: Path, parsed: list[str]
) -> None:
    """A counter style of the sheet's own replaces the built-in one in the document's map
    (which keeps its size): such a sheet is parsed for every document, and every document
    numbers its list as the sheet says."""
    style = _sheet(
        tmp_path / "theme",
        '@counter-style lower-roman { system: cyclic; symbols: "✱"; suffix: " " }'
        " ol { list-style: lower-roman }",
    )
    page = _page(style, body="<ol><li>One</li><li>Two</li></ol>")
    roots = [tmp_path / "theme", THEME_DIR]
    with PdfRenderer() as renderer:
        both = [_render(renderer, page, roots)[0] for _ in range(2)]
    assert parsed.count(style.as_uri()) == 2
    with PdfRenderer() as renderer:
        assert _render(renderer, page, roots)[0] == both[1]

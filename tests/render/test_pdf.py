"""The WeasyPrint wrapper: sandboxed fetching, embedded font, tags, byte-identical output."""

from __future__ import annotations

import io
import multiprocessing
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import pikepdf
import pypdf
import pytest

from salesplay.render.fontfiles import MemoryFolder
from salesplay.render.pdf import (
    FONTS_CSS,
    THEME_DIR,
    FetchRefused,
    PdfError,
    PdfRenderer,
    RenderJob,
    SafeFetcher,
    render_many,
    render_pdf,
)

AS_OF = date(2026, 11, 1)
NAMES = "Müller & Søn, Straße, José Peña"
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An assets root with good and hostile references, and a secret outside it."""
    base = tmp_path_factory.mktemp("pdfsite")
    assets = base / "assets"
    assets.mkdir()
    secret = base / "secret.svg"
    for name in ("secret.svg", "svg-abs.svg", "svg-rel.svg"):
        (base / name).write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    (assets / "card.css").write_text("h1 { color: #0B5FFF } body { font-family: Inter }")
    (assets / "escape.svg").symlink_to(secret)
    (assets / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="40" height="10"><rect width="40" height="10" fill="red"/>'
        f'<image href="{(base / "svg-abs.svg").as_uri()}" width="4" height="4"/>'
        '<image xlink:href="../svg-rel.svg" width="4" height="4"/></svg>'
    )
    return {"base": base, "assets": assets, "secret": secret}


def page_html(assets: Path, extra: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><link rel="stylesheet" href="card.css"></head>'
        f"<body><h1>{NAMES.replace('&', '&amp;')}</h1><p>Regular <b>bold</b> <i>italic</i>"
        f' <b><i>both</i></b></p><img src="logo.svg"><img src="{PIXEL}">{extra}</body></html>'
    )


HOSTILE = (
    '<img src="https://example.com/tracker.png">'
    '<img src="http://169.254.169.254/latest">'
    '<img src="../secret.svg">'
    '<img src="escape.svg">'
    '<img src="file:///etc/passwd">'
    '<img src="file://evil.example/share/x.png">'
)


def render(site: dict[str, Path], html: str, **kw: object) -> tuple[bytes, list[str]]:
    return render_pdf(
        html,
        base_url=site["assets"].as_uri() + "/",
        roots=[site["assets"], THEME_DIR],
        as_of=AS_OF,
        title="Backup modernization",
        stylesheets=[FONTS_CSS],
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def rendered(site: dict[str, Path]) -> tuple[bytes, list[str]]:
    return render(site, page_html(site["assets"], HOSTILE))


def test_accented_text_extracts_exactly(rendered: tuple[bytes, list[str]]) -> None:
    text = pypdf.PdfReader(io.BytesIO(rendered[0])).pages[0].extract_text()
    assert NAMES in text
    assert "Regular bold italic both" in text


def test_only_the_shipped_font_is_embedded(rendered: tuple[bytes, list[str]]) -> None:
    with pikepdf.open(io.BytesIO(rendered[0])) as pdf:
        fonts = pdf.pages[0].Resources.Font
        names = sorted(str(font.BaseFont).split("+", 1)[1] for _, font in fonts.items())
        for _, font in fonts.items():
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert str(descriptor.FontFamily) == "Inter"
            # Embedded as the shipped CFF (.otf), which no system fallback font would be,
            # made dense: a CID-keyed CFF program of the glyphs drawn (render.cidfont)
            program = descriptor.FontFile3
            assert program.Subtype == "/CIDFontType0C"
            assert b"Inter" in program.read_bytes()[:64]  # the CFF's font name
    assert len(names) == 4, names
    assert all(name.startswith("Inter") for name in names), names


def test_tagged_pdf_ua(rendered: tuple[bytes, list[str]]) -> None:
    with pikepdf.open(io.BytesIO(rendered[0])) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "en"
        assert str(pdf.docinfo.Title) == "Backup modernization"
        assert b"pdfuaid" in root.Metadata.read_bytes()


def test_every_hostile_reference_is_refused(rendered: tuple[bytes, list[str]]) -> None:
    refused = rendered[1]
    reasons = {line.rsplit(": ", 1)[0]: line.rsplit(": ", 1)[1] for line in refused}
    secret_uri = next(u for u in reasons if u.endswith("/secret.svg"))
    assert "no network" in reasons["https://example.com/tracker.png"]
    assert "no network" in reasons["http://169.254.169.254/latest"]
    assert reasons["file:///etc/passwd"] == "outside the allowed directories"
    assert "remote host" in reasons["file://evil.example/share/x.png"]
    assert reasons[secret_uri] == "outside the allowed directories"
    assert any(u.endswith("/escape.svg") for u in reasons), "symlink escaping the root"
    # The SVG inside the root is drawn; its <image> references out of the root are not.
    assert not any(u.endswith("/logo.svg") for u in reasons)
    outside = "outside the allowed directories"
    assert [r for u, r in reasons.items() if u.endswith(("/svg-abs.svg", "/svg-rel.svg"))] == [
        outside,
        outside,
    ]
    assert not any(u.startswith("data:") for u in reasons)


def test_same_input_same_bytes_whatever_the_clock(
    site: dict[str, Path], rendered: tuple[bytes, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "time", lambda: 4_102_444_800.0)  # the year 2100
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    again, _ = render(site, page_html(site["assets"], HOSTILE))
    assert again == rendered[0]
    assert "SOURCE_DATE_EPOCH" not in os.environ
    with pikepdf.open(io.BytesIO(again)) as pdf:
        assert str(pdf.docinfo.CreationDate) == "D:20261101"
        assert str(pdf.docinfo.ModDate) == "D:20261101"
        assert len(pdf.trailer.ID) == 2  # /ID present, derived from content


def test_a_shared_renderer_gives_the_same_bytes(
    site: dict[str, Path], rendered: tuple[bytes, list[str]]
) -> None:
    args = {
        "base_url": site["assets"].as_uri() + "/",
        "roots": [site["assets"], THEME_DIR],
        "as_of": AS_OF,
        "title": "Backup modernization",
        "stylesheets": [FONTS_CSS],
    }
    with PdfRenderer() as renderer:
        first = renderer.render("<p>warm-up <b>bold</b></p>", **args)  # type: ignore[arg-type]
        again = renderer.render(page_html(site["assets"], HOSTILE), **args)  # type: ignore[arg-type]
    assert first[1] == []
    assert again == rendered


def test_forked_child_keeps_off_the_parents_font_files(site: dict[str, Path]) -> None:
    args = {
        "base_url": site["assets"].as_uri() + "/",
        "roots": [site["assets"], THEME_DIR],
        "as_of": AS_OF,
        "title": "t",
        "stylesheets": [FONTS_CSS],
    }
    html = '<p style="font-family: Inter">Søn</p>'
    with PdfRenderer() as renderer:
        first = renderer.render(html, **args)  # type: ignore[arg-type]
        folder = renderer._font_config._folder
        assert isinstance(folder, MemoryFolder)
        fonts_before = {name: _read_fd(fd) for name, fd in folder.files.items()}

        def child() -> None:
            # the child renders with a configuration of its own, then frees it
            assert renderer.render(html, **args) == first  # type: ignore[arg-type]
            renderer.close()

        proc = multiprocessing.get_context("fork").Process(target=child)
        proc.start()
        proc.join()
        assert proc.exitcode == 0
        # the parent's font files are open and whole after the child freed its own
        assert {name: _read_fd(fd) for name, fd in folder.files.items()} == fonts_before != {}
        assert renderer.render(html, **args) == first  # type: ignore[arg-type]
        fds = list(folder.files.values())
    for fd in fds:  # closing the renderer frees them
        with pytest.raises(OSError):
            os.fstat(fd)


def _read_fd(fd: int) -> bytes:
    return os.pread(fd, os.fstat(fd).st_size, 0)


def test_untagged_option(site: dict[str, Path]) -> None:
    pdf, refused = render(site, "<p>plain</p>", tagged=False)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert "/StructTreeRoot" not in doc.Root
    assert refused == []


def test_stylesheet_outside_roots_is_an_error(site: dict[str, Path]) -> None:
    with pytest.raises(PdfError, match="outside the allowed roots"):
        render_pdf(
            "<p>x</p>",
            base_url=site["assets"].as_uri() + "/",
            roots=[site["assets"]],
            as_of=AS_OF,
            title="t",
            stylesheets=[site["secret"]],
        )


def test_fetcher_rules(site: dict[str, Path]) -> None:
    fetcher = SafeFetcher([site["assets"]])
    ok = fetcher.fetch((site["assets"] / "card.css").as_uri())
    assert b"#0B5FFF" in ok.read()
    assert fetcher.fetch(PIXEL).read().startswith(b"\x89PNG")
    bad = [
        "ftp://example.com/x",
        (site["assets"] / "missing.png").as_uri(),
        site["assets"].as_uri(),
        site["assets"].as_uri() + "/../secret.svg",
        site["assets"].as_uri() + "/%2e%2e/secret.svg",
    ]
    for url in bad:
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert [line.split(": ")[0] for line in fetcher.refused] == bad


def title(pdf: bytes) -> str:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return str(doc.docinfo.Title)


def test_render_many_matches_and_leaves_no_temp_dirs(
    site: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    jobs = [
        RenderJob(
            html=f'<html lang="en"><body style="font-family: Inter"><p>Card {i} {NAMES}</p>',
            base_url=site["assets"].as_uri() + "/",
            roots=(site["assets"], THEME_DIR),
            as_of=AS_OF,
            title=f"Card {i}",
            stylesheets=(FONTS_CSS,),
        )
        for i in range(3)
    ]
    results = render_many(jobs, workers=2)
    bad = RenderJob(
        "<p>x</p>", jobs[0].base_url, (site["assets"],), AS_OF, "bad", stylesheets=(site["secret"],)
    )
    with pytest.raises(PdfError, match="outside the allowed roots"):
        render_many([jobs[0], bad, jobs[1]], workers=2)
    assert [title(pdf) for pdf, _ in results] == [
        "Card 0",
        "Card 1",
        "Card 2",
    ]
    assert results[1] == render_many(jobs[1:2])[0]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("weasyprint-")] == []


def test_a_link_to_a_file_of_this_machine_is_no_link_in_the_pdf(site: dict[str, Path]) -> None:
    """A template's `links.asset()` in an `<a href>` wrote the build folder's file:// path
    into the PDF (and an incremental build of a moved project kept the old one)."""
    local = (site["assets"] / "logo.svg").as_uri()
    body = f'<p><a href="{local}">our logo</a> and <a href="https://e.example/g">the guide</a></p>'
    pdf, _ = render(site, f'<!doctype html><html lang="en"><body>{body}</body></html>')
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    uris = [
        a.get_object()["/A"].get("/URI")
        for page in reader.pages
        for a in page.get("/Annots", [])
        if "/A" in a.get_object()
    ]
    assert uris == ["https://e.example/g"]
    assert b"file:" not in pdf and str(site["assets"]).encode() not in pdf
    assert "our logo" in reader.pages[0].extract_text()


def test_a_pair_never_breaks_with_one_column_empty(site: dict[str, Path]) -> None:
    """Two columns side by side (class "pair", a one-row table allowed to break) began at a
    page's foot with only the right one, the left going whole to the next page: it is laid
    out again whole. A pair that breaks with both columns begun is left as it breaks."""
    css = (
        "<style>@page { size: 200mm 120mm; margin: 10mm }"
        " .pair { display: table; width: 100%; break-inside: auto }"
        " .pair > div { display: table-cell; width: 50% }"
        " .block { break-inside: avoid; height: 60mm } p { margin: 0; line-height: 6mm }</style>"
    )
    right = "".join(f"<p>QUALIFY {n}</p>" for n in range(3))

    def pages(left: str, spacer_mm: int) -> list[str]:
        pair = f'<div class="pair"><div>{left}</div><div>{right}</div></div>'
        body = f'<div style="height: {spacer_mm}mm"></div>{pair}'
        pdf, _ = render(
            site, f'<!doctype html><html lang="en"><head>{css}</head><body>{body}</body></html>'
        )
        return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]

    # the left column's first block cannot start on page 1: both start on page 2
    torn = pages('<div class="block">DISCOVERY</div>', 70)
    assert "QUALIFY 0" not in torn[0] and "DISCOVERY" in torn[1] and "QUALIFY 0" in torn[1], torn
    # both columns begin on page 1 and go on: left as it is
    lines = "".join(f"<p>DISCOVERY {n}</p>" for n in range(12))
    kept = pages(lines, 70)
    assert "DISCOVERY 0" in kept[0] and "QUALIFY 0" in kept[0] and "DISCOVERY 11" in kept[1], kept


def test_a_face_one_document_declares_never_reaches_the_next(tmp_path: Path) -> None:
    """A font a playbook declared in its own <style> stayed in the process's font
    configuration: the cards rendered after it set their text in it, so a card's bytes hung
    on what its worker had rendered before, and an edit of the font left them stale."""
    import datetime as dt
    import shutil

    from salesplay.render.pdf import PdfRenderer
    from salesplay.render.templates import THEME_DIR

    shutil.copy(THEME_DIR / "fonts/Inter-Bold.otf", tmp_path / "Brand.otf")
    declares = (
        f"<style>@font-face {{ font-family: Brand; src: url('{(tmp_path / 'Brand.otf').as_uri()}')"
        " }</style><p style='font-family: Brand'>Playbook</p>"
    )
    card = "<p style='font-family: Brand, serif'>Card</p>"
    job = {"base_url": tmp_path.as_uri() + "/", "roots": (tmp_path,), "as_of": dt.date(2026, 12, 6)}
    with PdfRenderer() as alone:
        by_itself, _ = alone.render(card, title="card", **job)  # type: ignore[arg-type]
    with PdfRenderer() as shared:
        shared.render(declares, title="playbook", **job)  # type: ignore[arg-type]
        after, _ = shared.render(card, title="card", **job)  # type: ignore[arg-type]
    assert after == by_itself


def test_a_refused_link_is_said_once(tmp_path: Path) -> None:
    """Looking for the faces a document may declare asked for its links too, and noted a
    refused one a second time: two "refused to load" warnings for one link."""
    import datetime as dt

    from salesplay.render.pdf import PdfRenderer

    page = '<link rel="stylesheet" href="https://fonts.example/brand.css"><p>Card</p>'
    with PdfRenderer() as renderer:
        _, refused = renderer.render(
            page, base_url=tmp_path.as_uri() + "/", roots=(tmp_path,), as_of=dt.date(2026, 12, 6),
            title="card",
        )  # fmt: skip
    assert len(refused) == 1 and refused[0].startswith("https://fonts.example/brand.css:"), refused

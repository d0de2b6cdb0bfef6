"""What a printed page may load (render.loads), which a PDF's key is made of: everything the
fetcher could serve it, what its sheets name too, and nothing it never asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesplay.render.loads import Loads
from salesplay.render.pdf import FetchRefused, SafeFetcher
from salesplay.render.templates import THEME_DIR


def test_a_page_loads_what_it_names_and_what_its_sheets_name(tmp_path: Path) -> None:
    assets, templates = tmp_path / "assets", tmp_path / "templates"
    (assets / "logos").mkdir(parents=True)
    (templates / "fonts").mkdir(parents=True)
    (assets / "logos/acme.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="acme.png"/></svg>'
    )
    (templates / "brand.css").write_text(
        '@import "more.css";\n@import url(default/print.css);\n'
        "@font-face { src: url('fonts/Brand.otf') }\nbody { background: url(data:image/png;x) }\n"
    )
    (templates / "fonts/Brand.otf").write_bytes(b"OTTO")
    page = (
        f'<link rel="stylesheet" href="{(templates / "brand.css").as_uri()}">'
        f"<img src='{(assets / 'logos/acme.svg').as_uri()}' alt=x>"
        f'<div style="background: url(&quot;{(assets / "bg.png").as_uri()}&quot;)"></div>'
        '<a href="#objections">x</a><img src="https://example.com/x.png">'
        '<a href="mailto:a@b.c">m</a>'
    )
    loads = Loads((assets, templates, THEME_DIR))
    asked = loads.of_page(page, (THEME_DIR / "index.html").as_uri())
    assert asked == {
        str(templates / "brand.css"),
        str(templates / "more.css"),  # named, not there: its arrival changes the page
        str(templates / "default/print.css"),  # served as the built-in print.css
        str(templates / "fonts/Brand.otf"),
        str(assets / "logos/acme.svg"),
        str(assets / "logos/acme.png"),  # the SVG's image, relative to the SVG
        str(assets / "bg.png"),  # a style attribute's url(), its entity decoded
    }
    assert loads.served(str(templates / "default/print.css")) == THEME_DIR / "print.css"
    assert loads.served(str(templates / "more.css")) is None
    # the theme's own pages: its sheets and the fonts they name
    theme = loads.of_page(
        f'<link rel="stylesheet" href="{(THEME_DIR / "fonts.css").as_uri()}">',
        (THEME_DIR / "index.html").as_uri(),
    )
    assert str(THEME_DIR / "fonts/Inter-Regular.otf") in theme


def test_a_link_out_of_the_roots_is_served_nothing(tmp_path: Path) -> None:
    """A path the fetcher refuses is named, served nothing: a link moved back inside the
    roots later is seen by the key, which asks what is served each time."""
    assets = tmp_path / "assets"
    assets.mkdir()
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"x")
    (assets / "logo.png").symlink_to(outside)
    loads = Loads((assets,))
    assert loads.of_page(f'<img src="{(assets / "logo.png").as_uri()}">', assets.as_uri()) == {
        str(assets / "logo.png")
    }
    assert loads.served(str(assets / "logo.png")) is None
    (assets / "logo.png").unlink()
    (assets / "real.png").write_bytes(b"y")
    (assets / "logo.png").symlink_to(assets / "real.png")
    assert loads.served(str(assets / "logo.png")) == assets / "real.png"


def test_sheets_and_svgs_are_read_as_weasyprint_reads_them(tmp_path: Path) -> None:
    """A regex read of the sheets missed what tinycss2 reads (minified `@import"x"`, escapes,
    a sheet's @charset) and an SVG without an .svg name: each PDF that loaded such a file
    stayed stale when it changed (probe round 15)."""
    t = tmp_path / "templates"
    t.mkdir()
    files: dict[str, bytes] = {
        "min.css": b'@import"inner.css";',
        "space.css": b"a { background: url(my\\ pic.png) }",
        "escaped.css": b'a { b: url("esc2\\2e png"); c: u\\72l("esc1.png") }\n@\\69mport "e.css";',
        "latin.css": '@charset "iso-8859-1";\na { b: url("café.png") }'.encode("latin-1"),
        "g-logo": b'<svg xmlns="http://www.w3.org/2000/svg"><image href="g-inner.png"/>'
        b'<rect fill="url(paint.svg#p)"/></svg>',
        "pic.png": b"\x89PNG not read for names: url(never.png)",
    }
    for name, data in files.items():
        (t / name).write_bytes(data)
    page = (
        "".join(
            f'<link rel="stylesheet" href="{(t / n).as_uri()}">'
            for n in ("min.css", "space.css", "escaped.css", "latin.css")
        )
        + f'<img src="{(t / "g-logo").as_uri()}"><img src="{(t / "pic.png").as_uri()}">'
    )
    page += (
        '<style>@import url( "styled.css" );</style><p style="background:url(&apos;s.png&apos;)">'
    )
    asked = Loads((t,)).of_page(page, t.as_uri() + "/")
    for name in (
        "inner.css", "my pic.png", "esc2.png", "esc1.png", "e.css", "café.png", "g-inner.png",
        "paint.svg", "styled.css", "s.png",
    ):  # fmt: skip
        assert str(t / name) in asked, name
    assert str(t / "never.png") not in asked  # an image's bytes name no file


def test_a_base_href_a_data_url_a_utf16_svg_and_a_symlink_loop(tmp_path: Path) -> None:
    """Round 16: a page's <base href> moved what its relative names load; a data: SVG and a
    UTF-16 SVG named files the key missed; a symlink loop an image named was an internal
    error ("RuntimeError: Symlink loop")."""
    from urllib.parse import quote

    a = tmp_path / "assets"
    (a / "b").mkdir(parents=True)
    (a / "u16.svg").write_bytes(
        '<?xml version="1.0" encoding="UTF-16"?><svg xmlns="http://www.w3.org/2000/svg">'
        '<image href="inner.png"/></svg>'.encode("utf-16")
    )
    (a / "loop.png").symlink_to(a / "loop.png")
    inline = quote(
        f"<svg xmlns='http://www.w3.org/2000/svg'><image href='{(a / 'd.png').as_uri()}'/></svg>"
    )
    page = (
        f'<head><base href="{(a / "b").as_uri()}/"></head><img src="pic.png">'
        f'<img src="{(a / "u16.svg").as_uri()}"><img src="data:image/svg+xml,{inline}">'
        f'<img src="{(a / "loop.png").as_uri()}">'
    )
    loads = Loads((a,))
    asked = loads.of_page(page, (THEME_DIR / "index.html").as_uri())
    for name in ("b/pic.png", "inner.png", "d.png", "loop.png"):
        assert str(a / name) in asked, name
    assert loads.served(str(a / "loop.png")) is None
    # the fetcher refuses it (a warning at the output), where it raised RuntimeError
    fetcher = SafeFetcher((a,))
    with pytest.raises(FetchRefused, match="leads round in a loop"):
        fetcher.check_path((a / "loop.png").as_uri())

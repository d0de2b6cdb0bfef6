"""The project's print stylesheets are linted as WeasyPrint reads them: what it ignores, located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import AS_OF, make_catalog, run_cli
from salesplay.diagnostics import Diagnostic
from salesplay.render.csslint import lint_stylesheets
from salesplay.render.templates import THEME_DIR, template_dirs

INTER = THEME_DIR / "fonts/Inter-Regular.otf"


def _lint(project: Path) -> list[str]:
    """Each warning as 'file:line:col: message', the file relative to `project`."""
    found: list[Diagnostic] = lint_stylesheets(project, template_dirs(project))
    return [
        f"{d.loc.file.relative_to(project).as_posix()}:{d.loc.line}:{d.loc.col}: {d.message}"
        for d in found
    ]


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def test_the_built_in_print_sheets_are_clean() -> None:
    assert lint_stylesheets(THEME_DIR, template_dirs(None)) == []


def test_what_weasyprint_ignores_is_located_in_its_own_sheet(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "fonts/Brand.otf": INTER.read_bytes(),
            "fonts/Brand-Bold.otf": INTER.read_bytes()[:5000],  # cut short in a copy
            "fonts/Brand-Italic.eot": b"not a font WeasyPrint reads",
            "fonts.css": (
                '@font-face { font-family: "Brand"; src: url("fonts/Brand.otf"); }\n'
                '@font-face { font-family: "Brand"; font-weight: 700;\n'
                '  src: url("fonts/Brand-Bold.otf"); }\n'
                # for old browsers first; the second source loads: no mistake
                '@font-face { font-family: "Brand"; font-style: italic; src:\n'
                '  url("fonts/Brand-Italic.eot?#iefix") format("embedded-opentype"),\n'
                '  url("fonts/Brand.otf") format("opentype"); }\n'
            ),
            # read by browsers too: what only they read is no mistake; a misspelling is
            "style.css": (
                '@import "brand/extra.css";\n'
                "body { colr: #123; }\n"
                "/* a rule for screens: meant to be skipped on paper */\n"
                "@media (max-width: 40em) { body { color: red } }\n"
            ),
            "brand/extra.css": (
                "\n.top { position: sticky; backdrop-filter: blur(2px); }\n"
                "a:focus-visible { color: red }\n.x { -webkit-font-smoothing: auto; }\n"
                # close to overflow, size and flex-wrap, which paper knows: no misspellings
                ".y { overflow-x: auto; resize: both; text-wrap: balance; }\n"
            ),
            # read on paper only: everything WeasyPrint ignores is said
            "print.css": (
                '@import "paper/extra.css";\n'
                "@font-face { font-family: W; src: url(https://fonts.example/w.woff2); }\n"
                ".x { -webkit-print-color-adjust: exact; }\n"
            ),
            "paper/extra.css": "\n.card { margin: 3pq; }\np:nth-foo(3) { color: red }\n",
            # a browser's sheet: WeasyPrint never reads it, so it is not linted
            "web.css": "body { position: sticky; text-size-adjust: 100%; }\n",
        },
    )
    assert _lint(tmp_path) == [
        "fonts.css:3:19: font 'Brand-Bold.otf' cannot be loaded (not a font file WeasyPrint"
        " reads): text set in its family falls back to another typeface",
        "paper/extra.css:2:9: ignored `margin: 3pq`: invalid value",
        "paper/extra.css:3:1: invalid or unsupported selector 'p:nth-foo(3)'",
        "print.css:2:39: refused to load https://fonts.example/w.woff2: scheme 'https' is not"
        " allowed (no network access)",
        "style.css:2:8: ignored `colr: #123`: unknown property (did you mean 'color'?)",
    ]


def test_an_unclosed_rule_is_located_where_its_selector_is(tmp_path: Path) -> None:
    """WeasyPrint names an unclosed rule's selector as it read it, run on into what follows
    (`:is(.card ) color: red .x`): located at its first words, where they are the only
    ones; never on another rule's line."""
    _write(
        tmp_path, {"print.css": '@import url("default/print.css");\n.card { color: red\n.x {{ }\n'}
    )
    assert _lint(tmp_path) == [
        "print.css:2:1: invalid or unsupported selector ':is(.card ) color: red .x'"
    ]
    _write(tmp_path, {"print.css": ".card { color: blue }\n.card { color: red\n.x {{ }\n"})
    (found,) = _lint(tmp_path)
    assert found.startswith("print.css:0:0: invalid or unsupported selector"), found


def test_no_project_print_sheet_means_nothing_to_lint(tmp_path: Path) -> None:
    _write(tmp_path, {"web.css": "body { colr: red }\n", "battlecard.html": "{{ x }}"})
    assert _lint(tmp_path) == []
    assert lint_stylesheets(None, template_dirs(None)) == []


def test_a_print_sheet_linked_out_of_templates_is_an_error(tmp_path: Path) -> None:
    outside = tmp_path / "outside.css"
    outside.write_text("body { colr: red }\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/print.css").symlink_to(outside)
    found = lint_stylesheets(tmp_path / "templates", template_dirs(tmp_path / "templates"))
    assert [(d.severity.value, d.message) for d in found] == [
        ("error", "theme file 'print.css' leads outside templates/")
    ]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    make_catalog(tmp_path)
    _write(tmp_path / "templates", {"print.css": "body { colr: red; }\n"})
    return tmp_path


WARNING = (
    "templates/print.css:1:8: warning: ignored `colr: red`: unknown property (did you mean"
    " 'color'?)"
)


def test_check_with_templates_and_build_say_it_strict_stops_it(project: Path) -> None:
    check = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    found = run_cli(*check, cwd=project)
    assert found.code == 0 and WARNING in found.lines, found.stderr
    strict = run_cli(*check, "--strict", cwd=project)
    assert strict.code == 1 and WARNING.replace("warning:", "error:") in strict.lines
    build = ("build", "--catalog", "plays", "--as-of", AS_OF, "--only", "site", "--only", "reports")
    built = run_cli(*build, cwd=project)
    assert built.code == 0 and WARNING in built.lines, built.stderr
    report = json.loads((project / "build/reports/check.json").read_text("utf-8"))
    rows = report if isinstance(report, list) else report["diagnostics"]
    assert [r["message"] for r in rows if r["code"] == "css"] == [
        "ignored `colr: red`: unknown property (did you mean 'color'?)"
    ]
    again = run_cli(*build, cwd=project)  # nothing changed: the warning is still told
    assert again.code == 0 and WARNING in again.lines
    assert run_cli(*build, "--strict", cwd=project).code == 1


def test_an_override_extends_the_built_in_sheet_through_default(tmp_path: Path) -> None:
    """`@import "default/style.css"` in templates/style.css is the built-in sheet, as
    `{% extends "default/…" %}` is the built-in template: in the PDFs, the portal and lint."""
    make_catalog(tmp_path)
    build = ("build", "--catalog", "plays", "--as-of", AS_OF, "--only", "battlecards")
    plain = run_cli(*build, "--out", "plain", cwd=tmp_path)
    assert plain.code == 0, plain.stderr
    _write(tmp_path / "templates", {"style.css": '@import url("default/style.css");\n'})
    check = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    checked = run_cli(*check, cwd=tmp_path)
    assert checked.code == 0 and "warning" not in checked.stderr, checked.stderr
    extended = run_cli(*build, "--only", "site", "--out", "extended", cwd=tmp_path)
    assert extended.code == 0 and "refused" not in extended.stderr, extended.stderr
    # the same rules, so the same PDFs, byte for byte
    cards = sorted(p.name for p in (tmp_path / "plain/battlecards").glob("*.pdf"))
    assert cards
    for name in cards:
        got = (tmp_path / "extended/battlecards" / name).read_bytes()
        assert got == (tmp_path / "plain/battlecards" / name).read_bytes(), name
    assets = tmp_path / "extended/site/assets"
    assert (assets / "style.css").read_text("utf-8") == '@import url("default/style.css");\n'
    assert (assets / "default/style.css").read_bytes() == (THEME_DIR / "style.css").read_bytes()


def test_a_build_keeps_its_lint_and_lints_again_only_when_a_sheet_or_font_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salesplay.render import csslint

    project, out = tmp_path / "templates", tmp_path / "build"
    _write(
        project,
        {
            "fonts/Brand.otf": INTER.read_bytes(),
            "fonts.css": '@font-face { font-family: "Brand"; src: url("fonts/Brand.otf"); }\n',
            "print.css": "body { colr: red; }\n",
        },
    )
    roots = template_dirs(project)
    assert lint_stylesheets(project, roots, out) and not out.exists()  # no first file of it
    out.mkdir()
    first = lint_stylesheets(project, roots, out)
    assert (out / csslint.CACHE).is_file()
    linted: list[int] = []
    real = csslint._lint

    def counted(*args: object) -> list[Diagnostic]:
        linted.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(csslint, "_lint", counted)
    assert lint_stylesheets(project, roots, out) == first and linted == []  # kept
    (project / "fonts/Brand.otf").write_bytes(INTER.read_bytes()[:4000])  # the font breaks
    broken = lint_stylesheets(project, roots, out)
    assert linted == [1] and any("cannot be loaded" in d.message for d in broken)
    (out / csslint.CACHE).write_text("{not json")  # damaged: linted again, no fault
    assert lint_stylesheets(project, roots, out) == broken and linted == [1, 1]


def test_a_kept_lint_follows_a_font_the_sheet_loads_from_the_catalog_s_assets(
    tmp_path: Path,
) -> None:
    """A font above templates/ (`../plays/assets/Brand.otf`, which the lint fetches from
    the catalog's folder) was not in the kept lint's key: broken then mended, the build
    kept saying it broken (and --strict stopped), where a clean build said nothing."""
    project, out = tmp_path / "templates", tmp_path / "build"
    roots = (tmp_path / "plays/assets", *template_dirs(project))
    font = tmp_path / "plays/assets/Brand.otf"
    _write(tmp_path / "plays/assets", {"Brand.otf": INTER.read_bytes()[:4000]})  # broken
    sheet = '@font-face { font-family: "Brand"; src: url("../plays/assets/Brand.otf"); }\n'
    _write(project, {"fonts.css": sheet, "print.css": 'body { font-family: "Brand"; }\n'})
    out.mkdir()
    broken = lint_stylesheets(project, roots, out)
    assert any("cannot be loaded" in d.message for d in broken), broken
    font.write_bytes(INTER.read_bytes())  # mended
    assert lint_stylesheets(project, roots, out) == lint_stylesheets(project, roots) == []
    font.write_bytes(INTER.read_bytes()[:4000])  # broken again, the lint kept clean
    assert lint_stylesheets(project, roots, out) == broken


def test_a_print_sheet_as_brand_teams_write_them_lints_clean(tmp_path: Path) -> None:
    """What browsers read when they print, or WeasyPrint reads as browsers do, is no
    mistake: print-color-adjust, legacy page breaks, margin boxes, columns, variables."""
    _write(
        tmp_path,
        {
            "print.css": (
                '@import url("default/print.css");\n'
                "@page { size: A4; margin: 18mm 15mm;\n"
                '  @bottom-right { content: "Page " counter(page) " of " counter(pages); } }\n'
                "@page :first { margin-top: 25mm; }\n"
                "h1 { string-set: title content(); page-break-before: always; }\n"
                ".card { break-inside: avoid; page-break-inside: avoid;\n"
                "  print-color-adjust: exact; -webkit-print-color-adjust: exact;"
                " color-adjust: exact; }\n"
                "img { max-width: 100%; object-fit: contain; }\n"
                'a[href^="http"]::after { content: " (" attr(href) ")"; }\n'
                ".no-print { display: none !important; }\n"
                "table { border-collapse: collapse; font-variant-numeric: tabular-nums; }\n"
                ".two { columns: 2; column-gap: 8mm; hyphens: auto; }\n"
                ":root { --brand: #0b5fff; } .x { color: var(--brand); }\n"
            )
        },
    )
    assert _lint(tmp_path) == []


def test_a_fetch_a_print_sheet_is_refused_is_said_once_at_the_sheet(tmp_path: Path) -> None:
    """A web font in style.css (for the portal) is refused on paper: the lint says so at its
    line, and no PDF repeats it (a refusal in a page's own content still is, per PDF)."""
    make_catalog(tmp_path)
    _write(
        tmp_path / "templates",
        {
            "style.css": (
                '@import url("default/style.css");\n'
                '@font-face { font-family: "Web"; src: url("https://cdn.example/w.woff2"); }\n'
            )
        },
    )
    args = ("build", "--catalog", "plays", "--as-of", AS_OF, "--only", "battlecards")
    built = run_cli(*args, cwd=tmp_path)
    assert built.code == 0, built.stderr
    said = [line for line in built.lines if "https://cdn.example/w.woff2" in line]
    assert said == [
        "templates/style.css:2:44: warning: refused to load https://cdn.example/w.woff2:"
        " scheme 'https' is not allowed (no network access)"
    ], built.stderr
    assert list((tmp_path / "build/battlecards").glob("*.pdf"))


def test_a_refused_font_is_located_at_its_own_url_not_at_a_namesake(tmp_path: Path) -> None:
    """`../fonts/Brand.otf` (outside templates/) was put at the first `Brand.otf` of the
    sheet, another rule's, whose font loads."""
    project = tmp_path / "templates"
    _write(tmp_path / "fonts", {"Brand.otf": INTER.read_bytes()})
    sheet = (
        '@import url("default/style.css");\n'
        '@font-face { font-family: Brand; src: url("fonts/Brand.otf"); }\n'
        '@font-face { font-family: Old; src: url("../fonts/Brand.otf"); }\n'
        '@font-face { font-family: Sys; src: url("file:///usr/share/fonts/Sys.ttf"); }\n'
    )
    _write(project, {"fonts/Brand.otf": INTER.read_bytes(), "style.css": sheet})
    said = [w for w in _lint(project) if "refused" in w]
    # as the sheet writes it, never the machine's path; the file of a close name meant
    assert said == [
        "style.css:3:42: refused to load ../fonts/Brand.otf: outside the allowed directories"
        " (did you mean 'fonts/Brand.otf'?)",
        # an absolute URL too, not ../../../usr/share/fonts/Sys.ttf
        "style.css:4:42: refused to load file:///usr/share/fonts/Sys.ttf: outside the allowed"
        " directories",
    ], said


def test_a_sheet_importing_a_misspelt_built_in_one_is_told_the_name_meant(
    tmp_path: Path,
) -> None:
    """`@import url(defualt/print.css)` was refused as "file:///…/templates/defualt/print.css:
    not a file": the machine's path, and nothing of the name meant."""
    project = tmp_path / "templates"
    _write(project, {"print.css": "@import url(defualt/print.css);\n"})
    assert [w for w in _lint(project) if "refused" in w] == [
        "print.css:1:13: refused to load defualt/print.css: not a file (did you mean"
        " 'default/print.css'?)"
    ]


def test_a_theme_file_past_its_limit_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salesplay.faults import BuildFault
    from salesplay.render import theme

    _write(tmp_path, {"fonts/Brand.otf": b"x" * 11, "fonts/Small.otf": b"x" * 10})
    monkeypatch.setattr(theme, "MAX_THEME_FILE_BYTES", 10)
    assert theme.read_theme_file(tmp_path, "fonts/Small.otf") == b"x" * 10
    with pytest.raises(BuildFault, match="theme file is larger than 10 bytes") as fault:
        theme.read_theme_file(tmp_path, "fonts/Brand.otf")
    assert fault.value.loc.file == tmp_path / "fonts/Brand.otf"
    # the real limit leaves room for a CJK typeface (16-25 MB a face)
    monkeypatch.undo()
    assert theme.MAX_THEME_FILE_BYTES >= 32_000_000


def test_a_sheet_weasyprint_gives_up_on_is_one_located_error_not_a_traceback(
    tmp_path: Path,
) -> None:
    make_catalog(tmp_path)
    # selectors nested past what WeasyPrint's selector compiler can build: every PDF would fail
    _write(tmp_path / "templates", {"print.css": "a{" * 5000 + "\n"})
    check = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    found = run_cli(*check, cwd=tmp_path)
    assert found.code == 1 and "Traceback" not in found.stderr, found.stderr
    assert found.lines[0].startswith(
        "templates/print.css: error: WeasyPrint cannot read this stylesheet: SyntaxError"
    ), found.stderr


def test_a_length_no_page_can_hold_is_an_error_at_it(tmp_path: Path) -> None:
    """`font-size: 1e9px` stops WeasyPrint (Pango takes text sizes as a C int): an error at
    the length, from the lint check runs, where a sane length, a selector's `2n` and a
    unit-less number pass."""
    _write(
        tmp_path,
        {
            "print.css": (
                '@import url("default/print.css");\n'
                "body { font-size: 1e9px; width: 2000px }\n"
                "li:nth-child(2n) { z-index: 100000000; letter-spacing: 70000em }\n"
            )
        },
    )
    found = lint_stylesheets(tmp_path, template_dirs(tmp_path))
    assert [(d.severity.value, d.loc.line, d.loc.col) for d in found] == [
        ("error", 2, 19),
        ("error", 3, 56),
    ]
    assert found[0].message == (
        "length 1e9px is larger than any page (at most 1,000,000 px, about 260 m): WeasyPrint"
        " cannot lay it out"
    )


@pytest.mark.parametrize(
    ("files", "said_at"),
    [
        (  # a style attribute an override writes
            {
                "battlecard.html": '{% extends "default/battlecard.html" %}\n'
                '{% block running %}<span style="font-size: 1e9px">x</span>{% endblock %}\n'
            },
            "templates/battlecard.html:2: error:",
        ),
        (  # a <style> in the head of a base.html override
            {
                "base.html": '{% extends "default/base.html" %}\n{% block head %}<style>\n'
                ".card-title { font-size: 1e9px }\n</style>{% endblock %}\n"
            },
            "templates/base.html:3: error:",
        ),
        (  # a project sheet the override links, not one of the print sheets
            {
                "base.html": '{% extends "default/base.html" %}\n{% block head %}<link'
                ' rel="stylesheet" href="{{ links.theme(\'brand.css\') }}">{% endblock %}\n',
                "brand.css": "/* brand */\n.card-title { color: red; font-size: 1e9px }\n",
            },
            "templates/brand.css:2:38: error:",
        ),
    ],
)
def test_a_length_no_page_can_hold_in_a_templates_own_css_is_found_by_check(
    tmp_path: Path, files: dict[str, str], said_at: str
) -> None:
    """The same `font-size: 1e9px` in a page's own CSS passed `check` and stopped the build
    in a worker: `…pdf: error: cannot render …: ZeroDivisionError: float division by zero`."""
    make_catalog(tmp_path)
    _write(tmp_path / "templates", files)
    check = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    found = run_cli(*check, cwd=tmp_path)
    assert found.code == 1, found.stderr
    errors = [line for line in found.stderr.splitlines() if ": error: " in line]
    assert errors == [
        f"{said_at} length 1e9px is larger than any page (at most 1,000,000 px, about 260 m):"
        " WeasyPrint cannot lay it out"
    ]
    assert not (tmp_path / "build").exists()


def test_an_import_after_a_rule_is_a_warning_at_it(tmp_path: Path) -> None:
    """A brand rule above `@import url("default/style.css")`: CSS ignores an @import after a
    rule, WeasyPrint in silence, and every card lost the built-in theme (set in a serif,
    unstyled, four pages long). An @import at the top, after @charset, is fine."""
    _write(
        tmp_path,
        {
            "style.css": '.card-title { color: #B00020; }\n@import url("default/style.css");\n',
            "fonts.css": '@charset "utf-8";\n@import url("default/fonts.css");\n',
        },
    )
    assert _lint(tmp_path) == [
        "style.css:2:1: @import after a rule is ignored (CSS reads @import only at a sheet's"
        " top, before any rule): move it above the rules"
    ]


def test_a_kept_lint_follows_where_a_font_is_found_not_only_its_bytes(tmp_path: Path) -> None:
    """A copy of the built-in fonts.css in templates/ names fonts/Inter-*.otf, which the
    lint fetches beside it, never from the theme: it said them missing. The user copied the
    fonts in, with the built-in's bytes, and the kept lint (keyed by bytes alone, the
    built-in's either way) still said them missing."""
    project, out = tmp_path / "templates", tmp_path / "build"
    _write(project, {"fonts.css": (THEME_DIR / "fonts.css").read_bytes()})
    out.mkdir()
    roots = template_dirs(project)
    missing = lint_stylesheets(project, roots, out)
    assert missing and all("Inter-" in d.message for d in missing), missing
    for font in (THEME_DIR / "fonts").glob("*.otf"):
        _write(project, {f"fonts/{font.name}": font.read_bytes()})
    assert lint_stylesheets(project, roots, out) == lint_stylesheets(project, roots) == []
    for font in (project / "fonts").iterdir():  # and back: said missing again
        font.unlink()
    assert lint_stylesheets(project, roots, out) == missing


def test_a_refused_import_is_named_as_the_sheet_writes_it(tmp_path: Path) -> None:
    """`@import "/etc/hostname"` (no url()) was said as `../../../../etc/hostname`, the
    path from the sheet's folder on this machine, which the sheet does not hold."""
    project = tmp_path / "templates"
    _write(project, {"print.css": '@import "/etc/hostname";\n@import url("default/print.css");\n'})
    assert _lint(project) == [
        "print.css:1:15: refused to load /etc/hostname: outside the allowed directories"
    ]

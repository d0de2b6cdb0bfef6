"""Templates, deck masters, the jargon regex and card length: review findings of issue 7."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import AS_OF, Result, check, make_catalog, replace_in, run_cli
from salesplay.jargon import MAX_REPORTED_PER_FIELD, URL_PATTERN, mask_links
from salesplay.render.templates import THEME_DIR
from sessionbuild import salesplay

RD = "plays/recovery-drills.yaml"
JARGON = "explain it in glossary.yaml or list it in catalog.yaml jargon.allow"

#: a located template error: templates/FILE:LINE: error: MESSAGE
TEMPLATE_ERROR = re.compile(r"^templates/[\w./-]+:\d+: error: .+$")
EXTENDS = '{% extends "default/battlecard.html" %}\n'


def _build_site(tmp_path: Path, templates: dict[str, str | bytes]) -> Result:
    """`salesplay build --only site` of `minimal` with the given template overrides."""
    make_catalog(tmp_path)
    for name, content in templates.items():
        target = tmp_path / "templates" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return run_cli("build", "--catalog", "plays", "--only", "site", "--as-of", AS_OF, cwd=tmp_path)


def _assert_located(result: Result, where: str, message: str) -> None:
    """Exit 1, one located error line, the build stopped, nothing written."""
    errors = [line for line in result.lines if ": error: " in line]
    assert result.code == 1, result.stderr
    assert len(errors) == 1, result.stderr
    assert TEMPLATE_ERROR.match(errors[0]), errors[0]
    assert errors[0].startswith(where), errors[0]
    assert message in errors[0]
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


# --- templates can run commands ----------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "cycler.__init__.__globals__.os.popen('touch pwned').read()",
        "lipsum.__globals__['os'].popen('touch pwned').read()",
        "''.__class__.__mro__[1].__subclasses__()",
        "self._TemplateReference__context",
        "play.__class__.__init__.__globals__",
        "(play | attr('__class__'))",
    ],
)
def test_template_cannot_reach_python_internals(tmp_path: Path, expression: str) -> None:
    result = _build_site(
        tmp_path,
        {"battlecard.html": EXTENDS + "{% block title %}{{ " + expression + " }}{% endblock %}\n"},
    )
    _assert_located(result, "templates/battlecard.html:2: error:", "not allowed in a template")
    assert not (tmp_path / "pwned").exists()
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("name", ["/etc/hostname", "../../../secret.txt", "fonts/../../x"])
def test_a_theme_file_outside_the_theme_is_the_templates_fault_at_its_line(
    tmp_path: Path, name: str
) -> None:
    """`links.theme('/etc/hostname')` was refused at the file it named, a path outside the
    project ("/etc/hostname:1: error: …"), not at the template line that asked for it."""
    body = '{% block title %}{{ links.theme("' + name + '") }}{% endblock %}\n'
    result = _build_site(tmp_path, {"battlecard.html": EXTENDS + body})
    _assert_located(
        result,
        "templates/battlecard.html:2: error:",
        f"not allowed in a template: theme file '{name}' is not inside templates/",
    )
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize(
    "value", ["/etc/passwd", "../../secret.png", "assets/../../secret.png", "file:///etc/passwd"]
)
def test_an_asset_outside_the_catalogs_assets_is_the_templates_fault_at_its_line(
    tmp_path: Path, value: str
) -> None:
    """`links.asset('/etc/passwd')` passed `check`: a printed page made it a file:// address
    that only the build's fetch refused, as a warning, after the plan; the portal linked a
    PNG of that name that was never made. It is the template's error at its line, in
    `check`, as `links.theme()` outside the theme is, before anything is written."""
    make_catalog(tmp_path)
    (tmp_path / "plays/assets/secret.png").write_bytes(b"not read")
    (tmp_path / "templates").mkdir()
    body = '{% block title %}{{ links.asset("' + value + '") }}{% endblock %}\n'
    (tmp_path / "templates/battlecard.html").write_text(EXTENDS + body)
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    _assert_located(
        result,
        "templates/battlecard.html:2: error:",
        f"not allowed in a template: asset '{value}' is not a path inside the catalog's assets/",
    )
    assert not (tmp_path / "build").exists()
    # a path inside assets/ passes, as the built-in templates' company logo does
    (tmp_path / "plays/assets/secret.png").write_bytes(_png(40, 20))
    body = '{% block title %}{{ links.asset("assets/secret.png") }}{% endblock %}\n'
    (tmp_path / "templates/battlecard.html").write_text(EXTENDS + body)
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 0, result.stderr


HERO = '{% block card %}<img src="{{ links.asset("assets/hero.png") }}" alt="">{{ super() }}'


def test_an_image_a_template_links_is_published_on_the_portal(tmp_path: Path) -> None:
    """An image in assets/ that a template links and no catalog field names: the PDFs showed
    it (a file:// address), but the portal linked a PNG that was never made."""
    make_catalog(tmp_path)
    (tmp_path / "plays/assets/hero.png").write_bytes(_png(40, 20))
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/battlecard.html").write_text(EXTENDS + HERO + "{% endblock %}\n")
    done = run_cli("build", "--catalog", "plays", "--as-of", AS_OF, "--only", "site", cwd=tmp_path)
    assert done.code == 0, done.stderr
    page = tmp_path / "build/site/battlecards/recovery-drills.html"
    [src] = re.findall(r'<img src="([^"]*hero[^"]*)"', page.read_text())
    published = (page.parent / src).resolve()
    assert published.is_file() and published.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"not an image", "is not a PNG, JPEG, GIF, WebP or SVG image"),
        (None, "does not exist"),
    ],
)
def test_a_linked_image_that_is_not_one_is_said_by_check(
    tmp_path: Path, content: bytes | None, said: str
) -> None:
    make_catalog(tmp_path)
    if content is not None:
        (tmp_path / "plays/assets/hero.png").write_bytes(content)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/battlecard.html").write_text(EXTENDS + HERO + "{% endblock %}\n")
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 1
    [line] = [ln for ln in result.stderr.splitlines() if ": error: " in ln]
    assert line == (
        f"plays/assets/hero.png: error: asset 'assets/hero.png' {said} (a template links it:"
        " links.asset)"
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_theme_file_linked_out_of_templates_stops_a_printed_page_too(
    tmp_path: Path, command: str
) -> None:
    """A theme file reached through a symlink out of templates/ (`templates/lnk` → a folder
    elsewhere) stopped the portal, whose copy reads it, but a build of the PDFs alone only
    warned that the fetch refused it, and wrote them. Every page that asks for it is the
    template's error now, at its line, in `check` and before a build writes anything."""
    make_catalog(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "brand.css").write_text("body { color: red }\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/lnk").symlink_to(outside)
    body = '{% block head %}<link rel="stylesheet" href="{{ links.theme("lnk/brand.css") }}">'
    (tmp_path / "templates/battlecard.html").write_text(EXTENDS + body + "{% endblock %}\n")
    only = ["--only", "battlecards"] if command == "build" else []
    result = run_cli(command, "--catalog", "plays", *only, "--as-of", AS_OF, cwd=tmp_path)
    _assert_located(
        result,
        "templates/battlecard.html:2: error:",
        "not allowed in a template: theme file 'lnk/brand.css' leads outside templates/",
    )
    assert not (tmp_path / "build").exists()


def test_a_plain_check_checks_the_templates_build_reads_by_default(tmp_path: Path) -> None:
    """`salesplay build` reads templates/ by default, `salesplay check` did not: a template
    fault passed check and stopped the build. Check reads what build reads."""
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    body = "{% block title %}{{ play.nmae }}{% endblock %}\n"
    (tmp_path / "templates/battlecard.html").write_text(EXTENDS + body)
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    _assert_located(
        result, "templates/battlecard.html:2: error:", "has no attribute 'nmae' (did you mean"
    )
    assert not (tmp_path / "build").exists()


def test_template_cannot_exhaust_memory_with_repetition(tmp_path: Path) -> None:
    body = "{% block title %}\n{{ 'x' * 1000000000 }}{{ 9 ** 9 ** 9 }}{% endblock %}\n"
    result = _build_site(tmp_path, {"battlecard.html": EXTENDS + body})
    _assert_located(result, "templates/battlecard.html:3: error:", "'*' would make")


def test_sandbox_keeps_the_template_api(tmp_path: Path) -> None:
    """Overrides extend the original, use filters, build lists, and the build succeeds."""
    body = (
        "{% block title %}{% set xs = [] %}{% set _ = xs.append(play.name) %}"
        "{{ xs | join(', ') }} — {{ play.summary | md_inline }} — field card{% endblock %}\n"
    )
    result = _build_site(tmp_path, {"battlecard.html": EXTENDS + body})
    assert result.code == 0, result.stderr
    page = next((tmp_path / "build/site/battlecards").glob("*.html")).read_text()
    assert re.search(r"<title>[^<]+ — field card</title>", page)


@pytest.mark.parametrize(
    "mutation",
    [
        "edition.plays.pop(play.id)",
        "edition['plays'].clear()",
        "edition.glossary.update({'x': 'y'})",
        "edition.competitors.setdefault('x', 1)",
    ],
)
def test_a_template_cannot_change_the_edition_every_page_reads(
    tmp_path: Path, mutation: str
) -> None:
    """One card's template that popped a play out of `edition.plays` took it from every page
    rendered after it (check said "internal error", the site failed in a built-in page)."""
    body = "{% block title %}{% set _ = " + mutation + " %}{{ play.name }}{% endblock %}\n"
    result = _build_site(tmp_path, {"battlecard.html": EXTENDS + body})
    _assert_located(result, "templates/battlecard.html:2: error:", "read-only in templates")
    checked = run_cli(
        "check", "--catalog", "plays", "--templates", "templates", "--as-of", AS_OF, cwd=tmp_path
    )
    _assert_located(checked, "templates/battlecard.html:2: error:", "read-only in templates")


def test_a_template_still_changes_what_it_made_itself(tmp_path: Path) -> None:
    body = (
        "{% block title %}{% set ns = namespace(seen={}) %}{% set own = {} %}"
        "{% set _ = ns.seen.update({'a': play.name}) %}{% set _ = own.update({'b': 1}) %}"
        "{% set others = edition.plays.values() | rejectattr('id', 'equalto', play.id) | list %}"
        "{{ ns.seen.a }} {{ own.b }} of {{ others | length + 1 }}{% endblock %}\n"
    )
    result = _build_site(tmp_path, {"battlecard.html": EXTENDS + body})
    assert result.code == 0, result.stderr
    page = (tmp_path / "build/site/battlecards/recovery-drills.html").read_text()
    assert "<title>Recovery drills 1 of 2</title>" in page, page[:300]


# --- template faults are located -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("templates", "where", "message"),
    [
        (
            {
                "battlecard.html": EXTENDS + "{% macro f(n) %}{{ f(n) }}{% endmacro %}\n"
                "{% block title %}\n{{ f(1) }}{% endblock %}\n"
            },
            "templates/battlecard.html:2: error:",
            "recursion too deep",
        ),
        (
            {
                "battlecard.html": EXTENDS
                + '{% block title %}{% include "loop.html" %}{% endblock %}'
                "\n",
                "loop.html": '\n{% include "loop.html" %}\n',
            },
            "templates/loop.html:2: error:",
            "recursion too deep: 'loop.html' extends or includes itself",
        ),
        (
            {"battlecard.html": '{% extends "battlecard.html" %}\n'},
            "templates/battlecard.html:1: error:",
            "recursion too deep: 'battlecard.html' extends or includes itself (a project"
            " template finds itself first); to build on the built-in one, write {% extends"
            ' "default/battlecard.html" %}',
        ),
        (
            {"battlecard.html": EXTENDS + "{% block title %}\n\n{{ 1 // 0 }}{% endblock %}\n"},
            "templates/battlecard.html:4: error:",
            "ZeroDivisionError",
        ),
        (
            {
                "battlecard.html": (EXTENDS + "{% block title %}\ncaf\xe9{% endblock %}\n").encode(
                    "latin-1"
                )
            },
            "templates/battlecard.html:3: error:",
            "not UTF-8",
        ),
        (
            {
                "battlecard.html": EXTENDS + '{% block title %}{% include "bad.html" %}'
                "{% endblock %}\n",
                "bad.html": b"ok\n\xff\xfe\n",
            },
            "templates/bad.html:2: error:",
            "not UTF-8",
        ),
    ],
    ids=["macro-recursion", "include-loop", "extends-loop", "zero-division", "latin-1", "include"],
)
def test_template_fault_is_located(
    tmp_path: Path, templates: dict[str, str | bytes], where: str, message: str
) -> None:
    _assert_located(_build_site(tmp_path, templates), where, message)
    assert not (tmp_path / "build").exists()


def test_template_symlink_out_of_templates_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN-1234\n")
    templates = {
        "battlecard.html": EXTENDS + '{% block title %}{% include "s.html" %}{% endblock %}'
    }
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "s.html").symlink_to(secret)
    result = _build_site(tmp_path, templates)
    _assert_located(result, "templates/s.html:1: error:", "leads outside templates/")
    assert not (tmp_path / "build").exists()


def test_a_templates_folder_linked_out_of_the_project_is_refused(tmp_path: Path) -> None:
    """The checks inside templates/ are bound by its real folder: a link committed in its
    place would make another folder's files the project's own. check and build refuse it,
    in one line, before reading a template; a link within the project is followed."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "battlecard.html").write_text(
        EXTENDS + "{% block title %}OUTSIDE-TEMPLATE-CANARY{% endblock %}"
    )
    project = tmp_path / "project"
    project.mkdir()
    make_catalog(project)
    (project / "templates").symlink_to(elsewhere, target_is_directory=True)
    said = "salesplay: error: templates folder 'templates' is a symlink that leads outside"
    for command in (
        ("check", "--templates", "templates"),
        ("build", "--only", "battlecards", "--jobs", "1"),
    ):
        result = run_cli(*command, "--catalog", "plays", "--as-of", AS_OF, cwd=project)
        assert result.code == 2, result.stderr
        assert [line for line in result.lines if line.startswith(said)] == result.lines
        assert "OUTSIDE-TEMPLATE-CANARY" not in result.stderr
        assert not (project / "build").exists()
    (project / "templates").unlink()
    (project / "theme").mkdir()
    (project / "theme" / "battlecard.html").write_text(
        EXTENDS + "{% block title %}{{ super() }}{% endblock %}"
    )
    (project / "templates").symlink_to(Path("theme"), target_is_directory=True)
    result = run_cli("check", "--templates", "templates", "--catalog", "plays", cwd=project)
    assert result.code == 0, result.stderr


# --- the jargon lint is linear -------------------------------------------------------------------

_SNIPPETS = ["](", ")", "<", ">", "@", ".", "-", "+", " ", "\n", "a", "A", "BC", "é", "_", ":"]
_SNIPPETS += ["http://", "https://", "x@y.z", "ops@XYZ.example", "[l](https://e/ABC)", "SLA"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_SNIPPETS), max_size=40))
def test_masking_matches_the_url_regex(parts: list[str]) -> None:
    """The linear scanner finds exactly what the original regex found."""
    text = "".join(parts)
    expected = re.sub(URL_PATTERN, lambda m: " " * len(m.group()), text)
    assert mask_links(text) == expected


_HOSTILE_UNITS = ["a", "a.b+c-", "<", "](", "a@", "a@b-c ", "http://]( ", "XYZ "]


def test_jargon_lint_of_a_megabyte_field_finishes() -> None:
    """The review's 200 KB field took `check` 71 s (quadratic); 1 MB would take ~30 min.

    Linear work does each hostile shape of 1 MB in well under a second; the timeout is only
    there so that a regression fails instead of hanging the suite.
    """
    script = (
        "from salesplay.jargon import acronyms\n"
        f"for unit in {_HOSTILE_UNITS!r}:\n"
        "    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]\n"
        "    sum(1 for _ in acronyms(text))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def test_check_of_a_long_field_is_fast_and_errs_at_the_field(tmp_path: Path) -> None:
    # past 50,000 characters a field is an error (the renderers' time grows with it); the
    # jargon lint still reads it in linear time
    old = "why_now: Auditors now ask for recovery evidence."
    result = check(tmp_path, replace_in(RD, old, "why_now: " + "word " * 40_000 + "SLA XYZ"))
    assert result.code == 1, result.stderr
    assert result.diagnostics == [
        f"plays/{RD}:5:10: error: 'why_now' is 200,007 characters long; a text field holds at"
        " most 50,000 (a card shows about 5,000): shorten it, or link to a document",
        f"plays/{RD}:5:200010: warning: undefined jargon 'SLA': {JARGON}",
        f"plays/{RD}:5:200014: warning: undefined jargon 'XYZ': {JARGON}",
    ]


def test_repeated_jargon_is_reported_once_per_field_and_bounded(tmp_path: Path) -> None:
    words = [f"Q{a}{b}" for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJ"][:100]
    old = "why_now: Auditors now ask for recovery evidence."
    text = " ".join(words * 20)
    result = check(tmp_path, replace_in(RD, old, f"why_now: {text}"))
    jargon = [d for d in result.diagnostics if "jargon" in d]
    assert len(jargon) == MAX_REPORTED_PER_FIELD + 1, jargon
    assert jargon[0].endswith(f"80 more undefined jargon words here: {JARGON}")
    assert f"plays/{RD}:5:10: warning: undefined jargon 'QAA': {JARGON}" in jargon


# --- deck masters ---------------------------------------------------------------------------------


def _master(edit: Callable[[str, bytes], bytes | None]) -> bytes:
    """The built-in deck master with each member passed through `edit` (None: left out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(THEME_DIR / "deck.pptx") as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = edit(info.filename, src.read(info.filename))
            if data is not None:
                dst.writestr(info.filename, data)
    return out.getvalue()


def _part(name: str, edit: Callable[[bytes], bytes | None]) -> Callable[[str, bytes], bytes | None]:
    """An edit of the master's member `name` alone."""
    return lambda member, data: edit(data) if member == name else data


_SIZE = b'<p:sldSz cx="12192000" cy="6858000"/>'
_DANGLING = (
    b'<Relationship Id="rId99" Target="../media/nope.png" Type="http://schemas.openxmlformats'
    b'.org/officeDocument/2006/relationships/image"/></Relationships>'
)
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


_MAIN = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def _as(kind: bytes) -> bytes:
    """The built-in master saved as another kind of file (its main part's content type)."""
    return _master(_part("[Content_Types].xml", lambda d: d.replace(_MAIN, kind)))


def _with_vba() -> bytes:
    """The built-in master with a VBA project added, as a macro-enabled file renamed .pptx
    holds: its part, its content type and its relationship."""

    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(
                b"</Types>",
                b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                b"</Types>",
            )
        if name == "ppt/_rels/presentation.xml.rels":
            return data.replace(
                b"</Relationships>",
                b'<Relationship Id="rId90" Type="http://schemas.microsoft.com/office/2006/'
                b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
            )
        return data

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst, zipfile.ZipFile(io.BytesIO(_master(edit))) as src:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("ppt/vbaProject.bin", b"\xd0\xcf\x11\xe0 a VBA project")
    return out.getvalue()


def _with_workbook() -> bytes:
    """The built-in master with a macro-enabled workbook embedded (a chart's .xlsm)."""
    declared = (
        b'<Default Extension="xlsm" ContentType="application/vnd.ms-excel.sheet.macroEnabled.12"/>'
    )
    master = _master(
        _part("[Content_Types].xml", lambda d: d.replace(b"</Types>", declared + b"</Types>"))
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst, zipfile.ZipFile(io.BytesIO(master)) as src:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("ppt/embeddings/Microsoft_Excel_Worksheet1.xlsm", b"PK a workbook")
    return out.getvalue()


def _outside(kind: str, target: str) -> bytes:
    """The built-in master with a relationship of its slide master to `target` outside the
    file (a linked picture PowerPoint fetches when a deck opens, or a hyperlink)."""
    rel = (
        f'<Relationship Id="rId98" Type="{_RELS}{kind}" Target="{target}"'
        ' TargetMode="External"/></Relationships>'
    )
    return _master(
        _part(
            "ppt/slideMasters/_rels/slideMaster1.xml.rels",
            lambda d: d.replace(b"</Relationships>", rel.encode()),
        )
    )


def _with_picture(name: str, data: bytes) -> bytes:
    """The built-in master with the part ppt/media/NAME, a picture its slide master names
    (python-pptx copies such a part into every deck as it is)."""
    rel = f'<Relationship Id="rId97" Type="{_RELS}image" Target="../media/{name}"/></Relationships>'
    kinds = (
        b'<Default Extension="png" ContentType="image/png"/>'
        b'<Default Extension="svg" ContentType="image/svg+xml"/></Types>'
    )

    def edit(member: str, data: bytes) -> bytes:
        if member == "ppt/slideMasters/_rels/slideMaster1.xml.rels":
            return data.replace(b"</Relationships>", rel.encode())
        if member == "[Content_Types].xml":
            return data.replace(b"</Types>", kinds)
        return data

    out = io.BytesIO(_master(edit))
    with zipfile.ZipFile(out, "a") as package:
        package.writestr(f"ppt/media/{name}", data)
    return out.getvalue()


def _png(width: int, height: int) -> bytes:
    """A PNG of that size that packs small (one colour), as a 400-megapixel picture does."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def _truncated(name: str, data: bytes) -> bytes:
    return data[: len(data) // 2] if name == "ppt/presentation.xml" else data


def _no_theme(name: str, data: bytes) -> bytes:
    if name != "ppt/slideMasters/_rels/slideMaster1.xml.rels":
        return data
    return re.sub(rb'<Relationship [^>]*relationships/theme"[^>]*/>', b"", data)


def _no_section(name: str, data: bytes) -> bytes:
    return data.replace(b'name="Section"', b'name="Sektion"')


def _unknown_placeholder_type(name: str, data: bytes) -> bytes:
    # the Content layout's title placeholder with a type PowerPoint never writes
    if name != "ppt/slideLayouts/slideLayout3.xml":
        return data
    return data.replace(b'<p:ph type="title"/>', b'<p:ph type="bogus"/>')


def _without_placeholder(layout: str, name: str) -> bytes:
    """The built-in master with the placeholder `name` taken off the layout `layout`, as a
    brand team deleting it in PowerPoint's Slide Master view would."""
    from pptx import Presentation

    prs = Presentation(str(THEME_DIR / "deck.pptx"))
    target = next(lay for lay in prs.slide_layouts if lay.name == layout)
    shape = next(ph for ph in target.placeholders if ph.name == name)
    shape._element.getparent().remove(shape._element)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def test_an_optional_layout_named_with_a_slip_is_a_warning_naming_it(tmp_path: Path) -> None:
    """A brand team's `Statment` layout was never used: the Statement slides went on the
    Content layout, and `check` said nothing."""
    from pptx import Presentation

    prs = Presentation(str(THEME_DIR / "deck.pptx"))
    next(lay for lay in prs.slide_layouts if lay.name == "Statement").name = "Statment"
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    prs.save(str(tmp_path / "templates/deck.pptx"))
    args = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    done = run_cli(*args, cwd=tmp_path)
    assert done.code == 0, done.stderr
    assert (
        "templates/deck.pptx:1: warning: deck master has no layout named 'Statement', so its"
        " slides go on 'Content': rename its layout 'Statment' to 'Statement'"
    ) in done.stderr.splitlines()
    # a master without the optional layout, and none like it, is no mistake: `Photo` and
    # `Pros` are layouts of their own, not slips of `Proof`
    for layout, other in (("Statement", "Quote"), ("Proof", "Photo"), ("Proof", "Pros")):
        prs = Presentation(str(THEME_DIR / "deck.pptx"))
        next(lay for lay in prs.slide_layouts if lay.name == layout).name = other
        prs.save(str(tmp_path / "templates/deck.pptx"))
        assert "deck master has no layout" not in run_cli(*args, cwd=tmp_path).stderr, other


@pytest.mark.parametrize(
    ("master", "message"),
    [
        (_master(_truncated), "cannot open deck master, it is damaged: XMLSyntaxError"),
        (_master(_no_theme), "deck master has no theme"),
        (_master(_no_section), "deck master has no layout named 'Section'"),
        (b"PK\x03\x04 not really a zip", "not a PowerPoint (.pptx) file"),
        (
            _without_placeholder("Content", "Body 1"),
            "deck master's layout 'Content' has no placeholder for a body (its slides need a"
            " title, a body); add one in PowerPoint's Slide Master view",
        ),
        (
            _without_placeholder("Proof", "Attribution"),
            "deck master's layout 'Proof' has no placeholder for a subtitle",
        ),
        (
            _master(_unknown_placeholder_type),
            "deck master's layout 'Content' is damaged: ValueError",
        ),
        (
            _master(_part("ppt/slideLayouts/slideLayout3.xml", lambda _d: None)),
            "deck master's part ppt/slideMasters/slideMaster1.xml refers to"
            " ppt/slideLayouts/slideLayout3.xml, which the file lacks: save it again",
        ),
        (
            _master(_part("ppt/slideLayouts/_rels/slideLayout3.xml.rels", lambda _d: None)),
            "deck master's layout part ppt/slideLayouts/slideLayout3.xml has no"
            " ppt/slideLayouts/_rels/slideLayout3.xml.rels",
        ),
        (
            _master(
                _part(
                    "ppt/slideMasters/_rels/slideMaster1.xml.rels",
                    lambda d: d.replace(b"</Relationships>", _DANGLING),
                )
            ),
            "deck master's part ppt/slideMasters/slideMaster1.xml refers to ppt/media/nope.png",
        ),
        (
            _master(_part("ppt/theme/theme1.xml", lambda _d: b'<a:theme xmlns:a="x"><')),
            "deck master's part ppt/theme/theme1.xml is not well-formed XML",
        ),
        (
            _master(_part("ppt/presentation.xml", lambda d: d.replace(_SIZE, b""))),
            "deck master has no slide size (ppt/presentation.xml lacks <p:sldSz>)",
        ),
        (
            _master(
                _part(
                    "ppt/presentation.xml", lambda d: d.replace(_SIZE, b'<p:sldSz cx="0" cy="0"/>')
                )
            ),
            "deck master's slides are 0 × 0 inches: PowerPoint allows 1 to 56 inches a side",
        ),
        (
            _master(
                _part(
                    "ppt/presentation.xml",
                    lambda d: d.replace(_SIZE, b'<p:sldSz cx="1828800" cy="1828800"/>'),
                )
            ),
            "deck master's slides are 2 × 2 inches: the co-branded decks of partner kits need"
            " at least 5.4 × 1.55 inches for the partner's logo, name and contact",
        ),
        (
            _as(b"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"),
            "deck master is a macro-enabled presentation (.pptm): save it as a PowerPoint"
            " Presentation (.pptx)",
        ),
        (
            _as(b"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"),
            "deck master is a PowerPoint template (.potx): save it as a PowerPoint"
            " Presentation (.pptx)",
        ),
        (_with_vba(), "deck master holds macros (VBA): remove it, then save it as a PowerPoint"),
        (_with_workbook(), "deck master holds an embedded macro-enabled document: remove it"),
        (
            _outside("image", "file://attacker.example/share/pixel.png"),
            "deck master's part ppt/slideMasters/slideMaster1.xml links its image at"
            " 'file://attacker.example/share/pixel.png' outside the file",
        ),
        (
            _outside("image", "https://tracker.example/pixel.png"),
            "links its image at 'https://tracker.example/pixel.png' outside the file",
        ),
        (
            _with_picture("big.png", _png(20_000, 20_000)),
            "deck master's picture ppt/media/big.png is 20000×20000 pixels; the limit is 40"
            " million pixels",
        ),
        (
            _with_picture("logo.png", b"\x89PNG\r\n\x1a\n" + b"not a picture" * 10),
            "deck master's picture ppt/media/logo.png is not a readable PNG image",
        ),
        (
            _with_picture(
                "logo.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/'
                b'xlink"><image xlink:href="file:///etc/passwd"/></svg>',
            ),
            "deck master's picture ppt/media/logo.svg refers to 'file:///etc/passwd' outside"
            " the file",
        ),
        (
            _outside("hyperlink", "\\\\attacker.example\\share"),
            "links a hyperlink to '\\\\attacker.example\\share' outside the file",
        ),
        (
            _outside("hyperlink", "file:///etc/passwd"),
            "links a hyperlink to 'file:///etc/passwd' outside the file",
        ),
    ],
    ids=[
        "truncated-presentation-xml",
        "no-theme",
        "no-section-layout",
        "not-a-zip",
        "no-body-on-content",
        "no-subtitle-on-optional-proof",
        "unknown-placeholder-type",
        "a-layout-part-missing",
        "a-layouts-relationships-missing",
        "a-relationship-to-a-missing-part",
        "malformed-theme-xml",
        "no-slide-size",
        "zero-slide-size",
        "a-slide-too-small-for-a-kits-co-brand-slot",
        "a-macro-enabled-presentation-renamed",
        "a-template-renamed",
        "a-vba-project-inside",
        "a-macro-enabled-workbook-embedded",
        "a-picture-linked-on-a-windows-share",
        "a-picture-linked-on-the-web",
        "a-picture-past-the-logos-pixels",
        "a-corrupt-picture",
        "an-svg-picture-naming-a-local-file",
        "a-hyperlink-to-a-windows-share",
        "a-hyperlink-to-a-local-file",
    ],
)
def test_broken_deck_master_is_located_before_anything_renders(
    tmp_path: Path, master: bytes, message: str
) -> None:
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/deck.pptx").write_bytes(master)
    result = run_cli("build", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    _assert_located(result, "templates/deck.pptx:1: error:", message)
    assert not any(line.startswith("rendering") for line in result.lines)  # stopped first
    assert not (tmp_path / "build").exists()


def test_a_deck_masters_web_and_mail_hyperlinks_are_kept(tmp_path: Path) -> None:
    """A hyperlink to the company's site on the master is a link a reader clicks: kept."""
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/deck.pptx").write_bytes(
        _outside("hyperlink", "https://northwind.example/")
    )
    result = run_cli(
        "build", "--catalog", "plays", "--only", "decks", "--as-of", AS_OF, cwd=tmp_path
    )
    assert result.code == 0, result.stderr


def test_a_deck_masters_default_content_type_with_no_part_of_it_is_no_program(
    tmp_path: Path,
) -> None:
    """A content-type default for `.bin` as an OLE object, with no such part in the file (as
    some tools write), holds no program: the master is used."""
    declared = (
        b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument'
        b'.oleObject"/>'
    )
    master = _master(
        _part("[Content_Types].xml", lambda d: d.replace(b"</Types>", declared + b"</Types>"))
    )
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/deck.pptx").write_bytes(master)
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 0, result.stderr


def test_deck_master_symlink_out_of_templates_is_refused(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    outside = tmp_path / "elsewhere.pptx"
    outside.write_bytes((THEME_DIR / "deck.pptx").read_bytes())
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/deck.pptx").symlink_to(outside)
    result = run_cli(
        "build", "--catalog", "plays", "--only", "decks", "--as-of", AS_OF, cwd=tmp_path
    )
    _assert_located(result, "templates/deck.pptx:1: error:", "leads outside its folder")


def test_deck_master_fault_is_located_in_the_kit_command(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/deck.pptx").write_bytes(_master(_no_theme))
    result = run_cli("kit", "blue-river", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    _assert_located(result, "templates/deck.pptx:1: error:", "deck master has no theme")
    assert not (tmp_path / "build").exists()


# --- card length ----------------------------------------------------------------------------------


def test_battlecard_past_its_page_budget_is_a_warning_at_the_play(tmp_path: Path) -> None:
    old = "why_now: Auditors now ask for recovery evidence."
    make_catalog(tmp_path, replace_in(RD, old, "why_now: " + "Auditors ask for evidence. " * 600))
    result = run_cli(
        "build", "--catalog", "plays", "--only", "battlecards", "--as-of", AS_OF, cwd=tmp_path
    )
    assert result.code == 0, result.stderr
    over = [line for line in result.lines if "page" in line and "warning" in line]
    assert len(over) == 1, result.stderr
    assert re.fullmatch(
        rf"plays/{RD}:1:1: warning: battlecard 'recovery-drills' runs to \d+ pages \(budget 2\):"
        " shorten its longest fields, or move detail to the playbook",
        over[0],
    )
    assert f"plays/{RD}:5:10: warning: 'why_now' is 16,199 characters long" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "where", "message"),
    [
        (
            "battlecard.html",
            EXTENDS + "{% block title %}\n\n{{ 1 // 0 }}{% endblock %}\n",
            "templates/battlecard.html:4: error:",
            "ZeroDivisionError",
        ),
        ("deck.pptx", b"PK\x03\x04 not really a zip", "templates/deck.pptx:1: error:", "pptx"),
        (
            "deck.pptx",
            _without_placeholder("Two Content", "Body 2"),
            "templates/deck.pptx:1: error:",
            "layout 'Two Content' has no placeholder for a second body",
        ),
        (
            "deck.pptx",
            _master(_part("ppt/presProps.xml", lambda _d: b"<x")),
            "templates/deck.pptx:1: error:",
            "deck master's part ppt/presProps.xml is not well-formed XML",
        ),
    ],
    ids=["template", "deck-master", "deck-master-placeholder", "deck-master-bad-xml-part"],
)
def test_check_with_templates_finds_template_and_master_faults(
    tmp_path: Path, name: str, content: str | bytes, where: str, message: str
) -> None:
    make_catalog(tmp_path)
    target = tmp_path / "templates" / name
    target.parent.mkdir()
    target.write_bytes(content if isinstance(content, bytes) else content.encode())
    # with its templates (named, or the folder templates by default, as build reads it),
    # check finds what the build would
    args = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    _assert_located(run_cli(*args, cwd=tmp_path), where, message)
    plain = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    _assert_located(plain, where, message)
    assert not (tmp_path / "build").exists()
    target.unlink()
    assert run_cli(*args, cwd=tmp_path).code == 0


def test_a_master_that_opens_but_cannot_be_filled_names_the_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project's master is filled once on each of its layouts when checked: what python-
    pptx opens but cannot fill is a fault of `check`, at the master, naming the layout."""
    from salesplay.render import pptx_deck
    from salesplay.render.slides import DeckError

    master = tmp_path / "deck.pptx"
    master.write_bytes((THEME_DIR / "deck.pptx").read_bytes())
    assert pptx_deck.check_master(master) > 0  # the built-in master, copied, fills
    real = pptx_deck.build_deck

    def failing(path: Path, slides: list[Any], **kw: Any) -> bytes:
        if any(s.layout == "Path" for s in slides):
            raise DeckError("deck master cannot be filled: TypeError: no arrows", None)
        return real(path, slides, **kw)

    monkeypatch.setattr(pptx_deck, "build_deck", failing)
    with pytest.raises(DeckError, match="deck master's 'Path' layout cannot be filled: TypeE"):
        pptx_deck.check_master(master)
    # the built-in master is not filled to check it: it is tested here, not at each build
    monkeypatch.setattr(pptx_deck, "_trial_fill", lambda _m: pytest.fail("filled"))
    assert pptx_deck.check_master(THEME_DIR / "deck.pptx") > 0


def test_a_master_an_arabic_deck_cannot_mirror_is_found_by_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shape placed with no size of its own (an `<a:xfrm>` with `<a:off>` only, which the
    schema allows): the English decks were made, and the Arabic ones stopped the build late
    with "deck master cannot be filled: TypeError", `check` having passed it. It mirrors now,
    and what a right-to-left deck does to a master is tried by `check` too."""
    from salesplay.render import pptx_deck
    from salesplay.render.slides import DeckError

    master = tmp_path / "deck.pptx"
    with (
        zipfile.ZipFile(THEME_DIR / "deck.pptx") as source,
        zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "ppt/slideMasters/slideMaster1.xml":
                assert b'<a:ext cx="12192000" cy="109728"/>' in data
                data = data.replace(b'<a:ext cx="12192000" cy="109728"/>', b"", 1)
            copy.writestr(item, data)
    assert pptx_deck.check_master(master) > 0
    # what `check` tries: a mirror that fails is said for a right-to-left deck, by layout

    def failing(prs: Any) -> None:
        raise TypeError("cannot mirror")

    monkeypatch.setattr(pptx_deck, "mirror", failing)
    with pytest.raises(DeckError, match="'Title' layout cannot be filled for a right-to-left"):
        pptx_deck.check_master(master)


@pytest.mark.parametrize(
    "name", ["battlecard.html", "deck.pptx", "portal/portal.css", "locale/de.po"]
)
def test_a_folder_where_an_override_goes_is_an_error_not_the_built_in_file(
    tmp_path: Path, name: str
) -> None:
    """The theme lookup takes files only: a folder named like an override (an unzipped
    deck master, say) would leave the built-in file in use without a word."""
    make_catalog(tmp_path)
    (tmp_path / "templates" / name).mkdir(parents=True)
    args = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    _assert_located(
        run_cli(*args, cwd=tmp_path),
        f"templates/{name}:1: error:",
        f"'{name}' is a folder, so the built-in {name} is used instead",
    )


def test_a_macros_override_without_a_macro_the_theme_calls_is_located_at_the_override(
    tmp_path: Path,
) -> None:
    """The built-in playbook imports macros.html and calls its play_ref: an override that
    lacks it is the mistake, located at the override, not at the built-in file calling it."""
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/macros.html").write_text(
        "{% macro card(play) %}{{ play.name }}{% endmacro %}\n"
    )
    args = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    _assert_located(
        run_cli(*args, cwd=tmp_path),
        "templates/macros.html:1: error:",
        "has no macro '",
    )


def test_a_colspan_past_htmls_limit_is_an_error_at_the_template_not_an_endless_render(
    tmp_path: Path,
) -> None:
    """WeasyPrint lays out every column a cell says it spans (hours for 99,999,999, where a
    browser clamps to 1,000): check and build stop at the template that writes it."""
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    card = tmp_path / "templates/battlecard.html"
    card.write_text(EXTENDS + '{% block title %}<table><tr><td colspan="99999999">x</td></tr>'
                    "</table>{% endblock %}\n")  # fmt: skip
    args = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    _assert_located(
        run_cli(*args, cwd=tmp_path),
        "templates/battlecard.html:2:",
        "a table cell spans 99,999,999 columns; HTML allows at most 1,000",
    )
    card.write_text(card.read_text().replace("99999999", "1000"))
    assert run_cli(*args, cwd=tmp_path).code == 0


@pytest.mark.parametrize("name", ["battlecard.html", "notes.html"])
def test_a_named_pipe_in_templates_is_an_error_not_a_hang(tmp_path: Path, name: str) -> None:
    """`check --templates` waited for ever on a FIFO (reading every template for its labels),
    and `build` used the built-in card without a word."""
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    os.mkfifo(tmp_path / "templates" / name)
    args = ("--catalog", "plays", "--as-of", AS_OF)
    done = salesplay("check", "--templates", "templates", *args, cwd=tmp_path, timeout=60)
    assert "Traceback" not in done.stderr
    if name == "notes.html":  # no page looks it up: not read, no word
        assert done.returncode == 0, done.stderr
        return
    assert done.returncode == 1, done.stderr
    assert f"templates/{name}:1: error: " in done.stderr and "not a regular file" in done.stderr
    if name == "battlecard.html":
        result = run_cli("build", "--only", "battlecards", *args, cwd=tmp_path)
        assert result.code == 1 and "not a regular file" in result.stderr
        assert not (tmp_path / "build").exists()


def _card_with(tmp_path: Path, macros: str) -> str:
    """The rep web card of backup-modernization, built with `macros` as templates/macros.html."""
    result = _build_site(tmp_path, {"macros.html": macros})
    assert result.code == 0, result.stderr
    return (tmp_path / "build/site/battlecards/backup-modernization.html").read_text()


def test_a_macros_override_extending_the_built_in_one_redefines_what_it_defines(
    tmp_path: Path,
) -> None:
    """`{% extends "default/macros.html" %}` and one macro redefined: the built-in macro
    won (Jinja runs a parent's definitions after the child's) and nothing said so. Now the
    override's macro is used, and every other macro is the built-in one, `{% call %}`
    blocks too; a fault in the override is at its own line."""
    mine = (
        '{% extends "default/macros.html" %}\n'
        "{# my badge #}\n"
        '{% macro type_badge(claim) %}<b class="mine">MY BADGE {{ claim.type }}</b>{% endmacro %}\n'
    )
    page = _card_with(tmp_path, mine)
    # every claim's badge is the override's, the built-in macros' calls to it included
    assert '<b class="mine">MY BADGE comparative</b>' in page
    assert 'class="badge badge-comparative" title=' not in page
    assert 'id="play-backup-modernization--objections"' in page  # section(), a call block
    broken = mine + "{% macro oops() %}{{ 1 // 0 }}{% endmacro %}{{ oops() }}\n"
    broken = broken.replace("MY BADGE {{ claim.type }}", "MY BADGE {{ claim.nope }}")
    result = _build_site(tmp_path / "broken", {"macros.html": broken})
    _assert_located(
        result, "templates/macros.html:3: error:", "'ClaimView' has no attribute 'nope'"
    )


@pytest.mark.parametrize(
    "before",
    [
        "{# our badge #}\n",  # a comment first, as every built-in template has
        "\ufeff",  # saved as "UTF-8 with BOM"
        '{% import "default/macros.html" as builtin %}\n',  # an import above the extends
    ],
)
def test_a_macros_override_with_anything_before_its_extends_still_redefines(
    tmp_path: Path, before: str
) -> None:
    """The override was recognized by its first bytes: with a comment, a byte-order mark or
    an import above `{% extends %}`, it was accepted and changed nothing, without a word."""
    mine = (
        '{% extends "default/macros.html" %}\n'
        '{% macro type_badge(claim) %}<b class="mine">MY BADGE</b>{% endmacro %}\n'
    )
    page = _card_with(tmp_path, before + mine)
    assert '<b class="mine">MY BADGE</b>' in page
    assert 'class="badge badge-comparative" title=' not in page
    assert "\ufeff" not in page


def test_a_card_s_head_wraps_the_built_in_one_imported_whole(tmp_path: Path) -> None:
    """Wrapping the built-in head in one's own was "the imported template has no macro
    'card_head'": the base an override extends leaves out the macros it defines, and an
    import of that base got the same."""
    page = _card_with(
        tmp_path,
        '{% extends "default/macros.html" %}\n'
        '{% import "default/macros.html" as builtin with context %}\n'
        "{% macro card_head(play, anchor, eyebrow=none) -%}\n"
        '{{ builtin.card_head(play, anchor, eyebrow) }}<p class="tagline">Field-tested</p>\n'
        "{%- endmacro %}\n",
    )
    head = page[page.index('<header class="card-head">') :]
    assert 'class="eyebrow"' in head.split("</header>")[0]  # the built-in head, whole
    assert '</header><p class="tagline">Field-tested</p>' in page
    assert page.count('class="card-head"') == 1


@pytest.mark.parametrize(
    ("name", "old", "new", "said"),
    [
        (
            "base.html",
            "{% block body %}",
            "{% block content %}",
            "block 'body', which default/battlecard.html (and 5 more) fills, is not in base.html,"
            " so what it fills is never shown (is block 'content' meant to be it?)",
        ),
        (
            "portal/layout.html",
            "{% block main %}",
            "{% block mian %}",
            "block 'main', which default/portal/index.html (and 4 more) fills, is not in"
            " portal/layout.html, so what it fills is never shown (did you mean 'mian'?)",
        ),
    ],
    ids=["base", "portal-layout"],
)
def test_a_page_template_replaced_without_a_block_its_pages_fill_is_an_error(
    tmp_path: Path, name: str, old: str, new: str, said: str
) -> None:
    """A project base.html with its body block renamed emptied all 36 battlecards, and a
    portal layout without `main` every portal page: `check` and the build said nothing."""
    text = (THEME_DIR / name).read_text()
    assert text.count(old) == 1
    broken = text.replace(old, new)
    line = broken[: broken.index(new)].count("\n") + 1
    make_catalog(tmp_path)
    (tmp_path / "templates" / name).parent.mkdir(parents=True)
    (tmp_path / "templates" / name).write_text(broken)
    args = ("--catalog", "plays", "--as-of", AS_OF)
    _assert_located(
        run_cli("check", "--templates", "templates", *args, cwd=tmp_path),
        f"templates/{name}:{line}: error:",
        said,
    )
    assert not (tmp_path / "build").exists()
    # the built-in template copied whole is no mistake
    (tmp_path / "templates" / name).write_text(text)
    done = run_cli("check", "--templates", "templates", *args, cwd=tmp_path)
    assert done.code == 0, done.stderr


def test_a_base_without_a_block_only_replaced_pages_fill_is_no_mistake(tmp_path: Path) -> None:
    """The pages that fill `running`, each replaced whole, never render the built-in ones:
    a comment that names default/battlecard.html in one of them made it an error."""
    make_catalog(tmp_path)
    project = tmp_path / "templates"
    project.mkdir()
    base = (THEME_DIR / "base.html").read_text()
    (project / "base.html").write_text(
        re.sub(r"\{% block running %\}.*?\{% endblock %\}", "", base)
    )
    assert "block running" not in (project / "base.html").read_text()
    page = (
        '{% extends "base.html" %}{% block title %}x{% endblock %}'
        "{% block body %}<p>x</p>{% endblock %}\n"
    )
    for name in ("battlecard", "playbook", "competitor", "matrix", "customer_brief"):
        (project / f"{name}.html").write_text(page)
    (project / "battlecard.html").write_text(
        "{# written from scratch; the old one was default/battlecard.html #}\n" + page
    )
    args = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    done = run_cli(*args, cwd=tmp_path)
    assert "base.html" not in done.stderr, done.stderr


def test_a_card_s_head_is_overridden_alone_by_its_macro(tmp_path: Path) -> None:
    """The card's title had no block or macro of its own: a team that wanted a tagline under
    it copied the whole card macro, and missed every later fix to the card."""
    mine = (
        '{% extends "default/macros.html" %}\n'
        "{% macro card_head(play, anchor, eyebrow=none) %}"
        '<header class="card-head"><h1 class="card-title" id="{{ anchor }}--title">'
        '{{ play.name }}</h1><p class="tagline">Field-tested by Northwind</p></header>'
        "{% endmacro %}\n"
    )
    page = _card_with(tmp_path, mine)
    head = page[page.index('<header class="card-head">') :]
    head = head[: head.index("</header>")]
    assert '<p class="tagline">Field-tested by Northwind</p>' in head
    assert 'class="eyebrow"' not in page  # the built-in head is gone, not shown twice
    # the rest of the card is the built-in one, and the article is labelled by the title
    assert 'aria-labelledby="play-backup-modernization--title"' in page
    assert 'id="play-backup-modernization--objections"' in page


@pytest.mark.parametrize(
    "setting", ['{% set _ = "field card" %}', "{% if true %}{% set gettext = 1 %}{% endif %}"]
)
def test_a_template_that_replaces_the_label_translator_is_told_at_its_line(
    tmp_path: Path, setting: str
) -> None:
    """Set outside a block, `_` broke the built-in template the override extends, and the
    fault was located in salesplay's own theme file ("'str' object is not callable")."""
    result = _build_site(tmp_path, {"battlecard.html": EXTENDS + setting + "\n"})
    _assert_located(result, "templates/battlecard.html:2: error:", "how every label of the page")


def test_a_page_nested_too_deep_for_a_pdf_stops_check_not_a_late_worker(tmp_path: Path) -> None:
    """Tags opened in a loop (or a macro calling itself) passed `check`, then the build
    stopped in a worker on WeasyPrint's RecursionError, after it had written other outputs."""
    make_catalog(tmp_path)
    deep = (
        '{% extends "default/battlecard.html" %}\n{% block card %}{{ super() }}\n'
        "{% for i in range(300) %}<div>{% endfor %}deep{% for i in range(300) %}</div>{% endfor %}"
        "\n{% endblock %}\n"
    )
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/battlecard.html").write_text(deep)
    args = ("--catalog", "plays", "--as-of", AS_OF)
    for command in (("check", "--templates", "templates"), ("build", "--only", "battlecards")):
        result = run_cli(*command, *args, cwd=tmp_path)
        assert result.code == 1, result.stderr
        assert "nest 3" in result.stderr and "deep" in result.stderr, result.stderr
        assert "RecursionError" not in result.stderr and not (tmp_path / "build").exists()
    # as deep as a PDF can be laid out: built
    (tmp_path / "templates/battlecard.html").write_text(deep.replace("300", "90"))
    built = run_cli("build", "--only", "battlecards", *args, cwd=tmp_path)
    assert built.code == 0, built.stderr


def test_a_sound_picture_in_a_deck_master_is_used(tmp_path: Path) -> None:
    """The control of the pictures refused above: a master's own PNG, within the logos'
    bounds, is checked and reaches the decks."""
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/deck.pptx").write_bytes(_with_picture("logo.png", _png(400, 200)))
    result = run_cli(
        "build", "--catalog", "plays", "--as-of", AS_OF, "--only", "decks", cwd=tmp_path
    )
    assert result.code == 0, result.stderr
    deck = next((tmp_path / "build" / "decks").glob("*.pptx"))
    with zipfile.ZipFile(deck) as package:
        assert any(n.startswith("ppt/media/") and n.endswith(".png") for n in package.namelist())


_RUNNING = '{% extends "default/battlecard.html" %}\n{% block running %}'


@pytest.mark.parametrize(
    ("body", "said"),
    [
        # Python's limits on the code Jinja makes of it
        (
            "{% if " + " or ".join(f'play.id == "x{i}"' for i in range(300)) + " %}x{% endif %}",
            "the template nests",
        ),
        ("{% for a in [1] %}" * 40 + "x" + "{% endfor %}" * 40, "nests too deeply to be compiled"),
        ("{% if true %}" * 120 + "x" + "{% endif %}" * 120, "the template nests"),
        # the parser, or a walk of its tree, out of stack
        ("{{ 1" + " + 1" * 5000 + " }}", "the template nests"),
        ("{{ " + "(" * 300 + "1" + ")" * 300 + " }}", "the template nests"),
    ],
    ids=["or-chain", "nested-for", "nested-if", "sum", "brackets"],
)
def test_a_template_too_deep_for_python_is_the_templates_error_not_salesplays(
    tmp_path: Path, body: str, said: str
) -> None:
    """A generated highlight list (`play.id == "x1" or …` three hundred times) or deeply
    nested tags were "salesplay: internal error: SyntaxError: too many nested parentheses
    (a bug in salesplay; …)", or a RecursionError, with no file or line of the user's."""
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/battlecard.html").write_text(_RUNNING + body + "{% endblock %}\n")
    args = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    _assert_located(run_cli(*args, cwd=tmp_path), "templates/battlecard.html:", said)


@pytest.mark.parametrize(
    ("partial", "said"),
    [
        ("<b>{{ play.name }}</b>\n\n{# TODO: add the tier\n", "Missing end of comment tag"),
        ("<b>{{ play.name }}</b>\n\n{% raw %}{{ x }}\n", "Missing end of raw directive"),
    ],
)
def test_an_unclosed_comment_in_an_included_file_is_said_at_that_file(
    tmp_path: Path, partial: str, said: str
) -> None:
    """Jinja gives these two errors' file in another field: they were said at the page's
    template (`battlecard.html:3`, a file with two lines, and not the project's path)."""
    make_catalog(tmp_path)
    (tmp_path / "templates/partials").mkdir(parents=True)
    (tmp_path / "templates/battlecard.html").write_text(
        _RUNNING + '{% include "partials/run.html" %}{% endblock %}\n'
    )
    (tmp_path / "templates/partials/run.html").write_text(partial)
    args = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    _assert_located(run_cli(*args, cwd=tmp_path), "templates/partials/run.html:3: error:", said)


@pytest.mark.parametrize("name", ["battlecard.html", "base.html", "portal/layout.html"])
def test_an_empty_page_template_is_an_error_not_blank_outputs(tmp_path: Path, name: str) -> None:
    """A touched or half-saved `templates/battlecard.html` made every card a blank page, with
    exit 0 and no word."""
    make_catalog(tmp_path)
    (tmp_path / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "templates" / name).write_text(" \n")
    args = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    _assert_located(
        run_cli(*args, cwd=tmp_path),
        f"templates/{name}:1: error:",
        f"'{name}' is empty, so every page made from it would be blank",
    )


def test_an_emptied_partial_is_allowed(tmp_path: Path) -> None:
    # the language switcher emptied on purpose, to leave it out
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/language_switcher.html").write_text("")
    args = ("check", "--catalog", "plays", "--as-of", AS_OF, "--templates", "templates")
    assert run_cli(*args, cwd=tmp_path).code == 0

"""A project's template folder: a misnamed override or block is said by `check`, not ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import AS_OF, base_text, make_catalog, run_cli

CHECK = ("check", "--templates", "templates", "--as-of", AS_OF)


def _project(tmp_path: Path, files: dict[str, str], locales: str = "") -> Path:
    """`minimal` with template files, built in `locales` too ("[de]") if given."""
    edits = {"catalog.yaml": base_text("catalog.yaml") + f"locales: {locales}\n"}
    make_catalog(tmp_path, edits if locales else None)
    for name, text in files.items():
        path = tmp_path / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_misnamed_override_is_a_warning_naming_the_file_it_was_meant_for(
    tmp_path: Path,
) -> None:
    """`templates/batlecard.html` and `templates/styles.css` changed nothing, and `check`
    said nothing. A file of the project's own that a template or stylesheet names (an
    include, an @import) is used, and said nothing of."""
    _project(
        tmp_path,
        {
            "batlecard.html": '{% extends "default/battlecard.html" %}',
            "styles.css": '@import url("default/style.css");',
            "print.css": '@import url("default/print.css"); @import url("brand.css");',
            "brand.css": ".card-title { color: #B00020; }",
            "matrix.html": '{% extends "default/matrix.html" %}{% include "note.html" %}',
            "note.html": "<p>Reviewed every quarter.</p>",
            "README.md": "What these overrides are for.",
        },
    )
    done = run_cli(*CHECK, cwd=tmp_path)
    assert done.code == 0, done.stderr
    tail = "replaces no built-in file and no template or stylesheet of templates/ uses it"
    assert done.lines == [
        f"templates/batlecard.html: warning: 'batlecard.html' {tail}: no output does"
        " (did you mean 'battlecard.html'?)",
        f"templates/styles.css: warning: 'styles.css' {tail}: no output does"
        " (did you mean 'style.css'?)",
        "0 errors, 2 warnings",
    ]


def test_a_block_the_extended_template_lacks_is_a_located_error_of_check(
    tmp_path: Path,
) -> None:
    """`{% block titel %}` in an override of battlecard.html was never shown: it is an error
    at its line with the block meant, found by `check` and stopping `build` before anything
    is written. A block inside a known block is the override's own, and fine."""
    typo = '{% extends "default/battlecard.html" %}\n{% block titel %}Field card{% endblock %}\n'
    _project(tmp_path, {"battlecard.html": typo})
    done = run_cli(*CHECK, cwd=tmp_path)
    assert done.code == 1
    assert done.lines == [
        "templates/battlecard.html:2: error: block 'titel' is not one that"
        " default/battlecard.html has, so it is never shown (did you mean 'title'?)",
        "1 error, 0 warnings",
    ]
    built = run_cli("build", "--as-of", AS_OF, "--only", "battlecards", cwd=tmp_path)
    assert built.code == 1 and not (tmp_path / "build").exists(), built.stderr
    nested = (
        '{% extends "default/battlecard.html" %}\n'
        "{% block title %}{% block brand %}Northwind{% endblock %}: field card{% endblock %}\n"
    )
    (tmp_path / "templates/battlecard.html").write_text(nested, encoding="utf-8")
    assert run_cli(*CHECK, cwd=tmp_path).lines == []
    # a block of its own that the template shows itself, as Jinja allows
    helper = (
        '{% extends "default/battlecard.html" %}\n'
        "{% block brandline %}Northwind{% endblock %}\n"
        "{% block running %}{{ self.brandline() }} · {{ super() }}{% endblock %}\n"
    )
    (tmp_path / "templates/battlecard.html").write_text(helper, encoding="utf-8")
    assert run_cli(*CHECK, cwd=tmp_path).lines == []


def test_a_partial_named_by_an_expression_is_not_called_unused(tmp_path: Path) -> None:
    """Partials a card includes by a built-up name ("partials/legal-" ~ lang ~ ".html") were
    each warned "no output uses it"; a stylesheet in a folder nothing names was not, as its
    bare name ("style.css") was in another file's text. Names are read as Jinja and CSS read
    them; while a template includes one named by an expression, templates are not judged."""
    card = (
        '{% extends "default/battlecard.html" %}'
        '{% block card %}{{ super() }}{% include "partials/legal-" ~ lang ~ ".html" %}'
        "{% endblock %}"
    )
    _project(
        tmp_path,
        {
            "battlecard.html": card,
            "partials/legal-en.html": "<p>Legal</p>",
            "style.css": '@import url("default/style.css");',
            "css/style.css": ".card-title { color: green; }",
        },
    )
    done = run_cli(*CHECK, cwd=tmp_path)
    assert done.code == 0, done.stderr
    assert done.lines == [
        "templates/css/style.css: warning: 'css/style.css' replaces no built-in file and no"
        " template or stylesheet of templates/ uses it: no output does (did you mean"
        " 'style.css'?)",
        "0 errors, 1 warning",
    ]


def test_a_file_of_another_kind_or_a_label_catalog_no_language_reads_is_a_warning(
    tmp_path: Path,
) -> None:
    """`battlecard.htm`, `print.CSS`, a PowerPoint template `deck.potx`, and label catalogs
    no built language reads (`locale/dee.po`, `locale/de_DE.po` where `de` is built, a
    `de.po` outside `locale/`) changed nothing, and nothing said so. Pictures and fonts
    are judged by name only, and notes never."""
    _project(
        tmp_path,
        {
            "battlecard.htm": '{% extends "default/battlecard.html" %}',
            "print.CSS": '@import url("default/print.css");',
            "deck.potx": "a PowerPoint template",
            "locale/dee.po": "",
            "locale/de_DE.po": "",
            "de.po": "",
            "locale/de.po": "",
            "README.md": "What these overrides are for.",
        },
        locales="[de]",
    )
    done = run_cli(*CHECK, cwd=tmp_path)
    assert done.code == 0, done.stderr
    tail = "replaces no built-in file and no template or stylesheet of templates/ uses it"
    built = "a language the catalog is not built in (built: en, de): no output reads it"
    assert done.lines == [
        f"templates/battlecard.htm: warning: 'battlecard.htm' {tail}: no output does"
        " (did you mean 'battlecard.html'?)",
        "templates/de.po: warning: 'de.po' is no label catalog: labels are read from"
        " locale/<language>.po (move it to locale/de.po)",
        f"templates/deck.potx: warning: 'deck.potx' {tail}: no output does (did you mean"
        " 'deck.pptx'?)",
        "templates/locale/de_DE.po: warning: 'locale/de_DE.po' holds the labels of 'de_DE',"
        f" {built} (did you mean 'locale/de.po'?)",
        f"templates/locale/dee.po: warning: 'locale/dee.po' holds the labels of 'dee', {built}"
        " (did you mean 'locale/de.po'?)",
        f"templates/print.CSS: warning: 'print.CSS' {tail}: no output does (did you mean"
        " 'print.css'?)",
        "0 errors, 6 warnings",
    ]


BATTLECARD = '{% extends "default/battlecard.html" %}\n{% block title %}'


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("{{ company.nam }}", "undefined: 'Company' has no attribute 'nam' (did you mean 'name'?)"),
        (
            '{% import "default/macros.html" as m %}{{ m.crad(play) }}',
            "undefined: the imported template has no macro 'crad' (did you mean 'card'?)",
        ),
        ("{{ plya.name }}", "undefined: 'plya' is undefined (did you mean 'play'?)"),
        (
            "{{ play.name | uppercase }}",
            "syntax error: No filter named 'uppercase' (did you mean 'upper'?)",
        ),
        (
            '{% include "macro.html" %}',
            "template 'macro.html' not found (did you mean 'macros.html'?)",
        ),
        (
            '{% include "default/battlecrad.html" %}',
            "template 'default/battlecrad.html' not found (did you mean"
            " 'default/battlecard.html'?)",
        ),
    ],
)
def test_a_template_slip_names_what_was_meant(tmp_path: Path, body: str, says: str) -> None:
    """Only a view's attribute got a did-you-mean: the company's, an imported macro (said
    as Jinja's "'TemplateModule' object"), a variable, a filter and a template did not."""
    _project(tmp_path, {"battlecard.html": BATTLECARD + body + "{% endblock %}\n"})
    done = run_cli(*CHECK, cwd=tmp_path)
    assert done.code == 1
    assert done.lines == [f"templates/battlecard.html:2: error: {says}", "1 error, 0 warnings"]


def test_an_override_copied_under_default_is_told_where_it_goes(tmp_path: Path) -> None:
    """`templates/default/battlecard.html` (the built-in's name in an extends, taken for a
    folder to copy into) changed nothing; the warning said nothing of where it goes."""
    copied = '{% extends "default/battlecard.html" %}'  # its own name: still the built-in's
    _project(tmp_path, {"default/battlecard.html": copied})
    done = run_cli(*CHECK, cwd=tmp_path)
    assert done.code == 0
    assert done.lines[0].endswith(
        "(an override of the built-in battlecard.html is templates/battlecard.html; `default/`"
        " names the built-in file in a template's extends or include)"
    ), done.lines


def test_names_of_other_spellings_and_partials_of_any_suffix(tmp_path: Path) -> None:
    """Round 12: `locale/pt-BR.po` was offered `pt.po`, `locale/DE.po` nothing; a
    `battlecard.jinja` nothing; a `.j2` partial a template includes by a built-up name was
    "no output does", though the build read it; a label template `locale/project.pot` was
    taken for a PowerPoint template."""
    card = (
        '{% extends "default/battlecard.html" %}{% block card %}{{ super() }}'
        '{% include "partials/legal-" ~ lang ~ ".j2" ignore missing %}{% endblock %}'
    )
    _project(
        tmp_path,
        {
            "battlecard.html": card,
            "partials/legal-en.j2": "<p>Legal</p>",
            "locale/pt-BR.po": "",
            "locale/DE.po": "",
            "locale/project.pot": "",
        },
        locales="[de, pt_BR]",
    )
    done = run_cli(*CHECK, cwd=tmp_path)
    assert done.code == 0, done.stderr
    said = [line.split(": warning: ")[0] + " " + line.rsplit("(", 1)[-1] for line in done.lines]
    assert said == [
        "templates/locale/DE.po did you mean 'locale/de.po'?)",
        "templates/locale/pt-BR.po did you mean 'locale/pt_BR.po'?)",
        "0 errors, 2 warnings 0 errors, 2 warnings",
    ]
    # with no partial named by an expression, a template of another suffix is judged
    other = _project(
        tmp_path / "other", {"playbook.jinja": '{% extends "default/playbook.html" %}'}
    )
    assert run_cli(*CHECK, cwd=other).lines[0].endswith("(did you mean 'playbook.html'?)")


def test_a_page_that_repeats_without_end_is_one_error_of_check(tmp_path: Path) -> None:
    """Each piece within the sandbox's bounds (`"x" * 1000000`), two hundred of them: the
    page was made whole, then took minutes and all of the machine's memory. The text a page
    makes is counted as it is made."""
    loop = '{% for i in range(200) %}{{ "x" * 1000000 }}{% endfor %}'
    _project(
        tmp_path,
        {"battlecard.html": f'{{% extends "default/battlecard.html" %}}{{% block title %}}{loop}'
         "{% endblock %}"},
    )  # fmt: skip
    done = run_cli(*CHECK, cwd=tmp_path)
    assert done.code == 1
    assert [line for line in done.lines if ": error: " in line] == [
        "templates/battlecard.html:1: error: the page is larger than 64 MB: does a loop"
        " repeat without end?"
    ]


def test_a_template_that_never_ends_is_stopped_at_its_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two nested range()s, each within the sandbox's bounds, ran for ever (`check` too):
    a page's template is stopped after MAX_RENDER_SECONDS of CPU, at the line it was on."""
    import time

    from salesplay.render import templates

    monkeypatch.setattr(templates, "MAX_RENDER_SECONDS", 0.3)
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text(
        "start\n{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}"
        "{% endfor %}\n"
    )
    env = templates.make_env(folder)
    started = time.process_time()
    with pytest.raises(templates.TemplateFault) as caught:
        templates.render(env, "page.html")
    assert 0.2 <= time.process_time() - started < 10
    assert (caught.value.loc.file, caught.value.loc.line) == (folder / "page.html", 2)
    assert str(caught.value) == (
        "the template ran for more than 0.3 s of CPU: does a loop never end?"
    )
    # the limit is lifted once the page is made: nothing else is stopped
    (folder / "small.html").write_text("{{ 1 + 1 }}")
    assert templates.render(env, "small.html") == "2"
    assert templates.signal.getitimer(templates.signal.ITIMER_PROF) == (0.0, 0.0)
    assert templates.signal.getsignal(templates.signal.SIGPROF) is templates.signal.SIG_DFL


def test_a_limit_met_between_two_pieces_names_the_line_the_template_stood_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limits are met outside the template's own code too: the page-size limit always,
    and the CPU limit's signal whenever it lands between two pieces (CI saw line 1 for a
    loop on line 2). The paused template still says where it was: here, in a partial."""
    from salesplay.render import templates

    monkeypatch.setattr(templates, "MAX_PAGE_CHARS", 1000)
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text("start\n\n{% include 'loop.html' %}\n")
    (folder / "loop.html").write_text(
        "{# a partial #}\n\n\n{% for i in range(100000) %}\n{{ 'x' * 50 }}\n{% endfor %}\n"
    )
    env = templates.make_env(folder)
    with pytest.raises(templates.TemplateFault) as caught:
        templates.render(env, "page.html")
    assert (caught.value.loc.file, caught.value.loc.line) == (folder / "loop.html", 5)
    assert "the page is larger than 0 MB" in str(caught.value)

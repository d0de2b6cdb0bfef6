"""The files of a project's template folder that no lookup reads (a misspelt override, a
stylesheet nothing imports, a label catalog of a language not built): a located warning
each, found before anything is rendered."""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Sequence
from pathlib import Path

import jinja2

from salesplay.diagnostics import Diagnostic, Location, Severity
from salesplay.labels import LOCALE_DIR, fallback_chain
from salesplay.render.theme import THEME_DIR, css_references

#: the files of a template folder a page, stylesheet or deck loads by name
_LOADED_SUFFIXES = (".html", ".css", ".pptx")
#: at most this much of a project file is read to find the names it uses
_NAMING_BYTES = 2_000_000


#: suffixes a template, stylesheet or deck master is mistaken for: never looked up, so such a
#: file changes nothing ("battlecard.htm", "print.CSS", a PowerPoint template "deck.potx")
_SLIP_SUFFIXES = frozenset(
    {".htm", ".jinja", ".jinja2", ".j2", ".potx", ".pptm", ".potm", ".ppsx", ".ppt"}
)
#: the suffixes of a file a template may include by name (a partial)
_TEMPLATE_SUFFIXES = frozenset({".html", ".htm", ".jinja", ".jinja2", ".j2"})


def _judged(path: Path) -> bool:
    """Whether a project file is one the lookup would take by its name (a template,
    stylesheet or deck master), or one mistaken for it; a picture or a font is judged only
    where a name uses it, and notes (README.md) never."""
    return path.suffix.lower() in _LOADED_SUFFIXES or path.suffix.lower() in _SLIP_SUFFIXES


def unused_files(project: Path | None, locales: Sequence[str] = ()) -> list[Diagnostic]:
    """A warning at each template, stylesheet or deck master of the project's folder that
    replaces no built-in file and that none of its templates or stylesheets uses by name
    (an include, import or extends, a `links.theme()` argument, an `@import` or `url()`):
    `templates/batlecard.html` or `styles.css` changed nothing, and nothing said so; so did
    `battlecard.htm`, `print.CSS` and a PowerPoint template `deck.potx`. The built-in file
    of a close name is the did-you-mean. While a template includes one named by an
    expression (`"legal-" ~ lang ~ ".html"`), templates are not judged. And at each label
    catalog no language of `locales` (the catalog's) reads: `locale/dee.po`, or a PO file
    outside `locale/`."""
    if project is None or not project.is_dir() or project.resolve() == THEME_DIR.resolve():
        return []
    builtin = sorted(
        p.relative_to(THEME_DIR).as_posix() for p in THEME_DIR.rglob("*") if p.is_file()
    )
    files = sorted(
        p
        for p in project.rglob("*")
        if not any(part.startswith(".") for part in p.relative_to(project).parts)
        and p.is_file()
        and not p.is_symlink()
    )
    used, dynamic = _names_used(project, files)
    found = [d for path in files if (d := _unread_labels(project, path, locales)) is not None]
    for path in files:
        rel = path.relative_to(project).as_posix()
        # a name under default/ is the built-in theme's wherever it is used: the project's
        # templates/default/ is never read
        if not _judged(path) or rel in builtin or (rel in used and not rel.startswith("default/")):
            continue
        if dynamic and path.suffix.lower() in _TEMPLATE_SUFFIXES:
            continue  # a partial a template includes by a built-up name, whatever its suffix
        kind = _LOADED_SUFFIXES if path.suffix.lower() in _SLIP_SUFFIXES else (path.suffix.lower(),)
        same_kind = {b.lower(): b for b in builtin if b.lower().endswith(kind)}
        # a close name only: "unused.html" is not a slip for "base.html"; case aside; and a
        # name of another suffix by its stem ("battlecard.jinja" for battlecard.html)
        close = difflib.get_close_matches(rel.lower(), same_kind, 1, 0.75)
        stems = {posixpath.splitext(b)[0]: b for b in same_kind}
        near = difflib.get_close_matches(posixpath.splitext(rel.lower())[0], stems, 1, 0.8)
        meant = same_kind[close[0]] if close else same_kind[stems[near[0]]] if near else None
        suggestion = f" (did you mean '{meant}'?)" if meant else ""
        if rel.startswith("default/") and rel.removeprefix("default/") in builtin:
            # default/ names the built-in file in a template: it is no folder to copy into
            suggestion = (
                f" (an override of the built-in {rel.removeprefix('default/')} is"
                f" {project.name}/{rel.removeprefix('default/')}; `default/` names the built-in"
                " file in a template's extends or include)"
            )
        found.append(
            Diagnostic(
                Location(path, 0, 0),
                Severity.WARNING,
                f"'{rel}' replaces no built-in file and no template or stylesheet of"
                f" {project.name}/ uses it: no output does{suggestion}",
                "unused-template",
            )
        )
    return found


def _unread_labels(project: Path, path: Path, locales: Sequence[str]) -> Diagnostic | None:
    """A warning at a PO file of the project's folder no label lookup reads: one outside
    `locale/`, or one of a language none of `locales` falls back to (`locale/dee.po`;
    `locale/de_DE.po` where only `de` is built). Without `locales`, none."""
    rel = path.relative_to(project).as_posix()
    if path.suffix.lower() != ".po" or not locales:
        return None
    parts = rel.split("/")
    if len(parts) != 2 or parts[0] != LOCALE_DIR:
        message = (
            f"'{rel}' is no label catalog: labels are read from {LOCALE_DIR}/<language>.po"
            f" (move it to {LOCALE_DIR}/{path.name})"
        )
    else:
        read = {code for locale in locales for code in fallback_chain(locale)}
        if path.stem in read:
            return None
        # "pt-BR" or "DE" as Babel spells a built one ("pt_BR", "de"), else "de_DE" where
        # "de" is built: its language's; else a close name
        spelled = {code.casefold(): code for code in read}
        written = path.stem.replace("-", "_").casefold()
        base = written.split("_")[0]
        close = (
            [spelled[written]]
            if written in spelled
            else [spelled[base]]
            if base in spelled
            else difflib.get_close_matches(path.stem, sorted(read), 1, 0.6)
        )
        message = (
            f"'{rel}' holds the labels of '{path.stem}', a language the catalog is not built in"
            f" (built: {', '.join(dict.fromkeys(locales))}): no output reads it"
            + (f" (did you mean '{LOCALE_DIR}/{close[0]}.po'?)" if close else "")
        )
    return Diagnostic(Location(path, 0, 0), Severity.WARNING, message, "unused-template")


def _names_used(project: Path, files: Sequence[Path]) -> tuple[set[str], bool]:
    """The theme names the project's templates and stylesheets use, and whether a template
    includes, imports or extends one named by an expression."""
    parser = jinja2.Environment()  # parsing only: nothing is run
    used: set[str] = set()
    dynamic = False
    for path in files:
        if path.suffix not in (".html", ".css"):
            continue
        try:
            with path.open("rb") as f:
                data = f.read(_NAMING_BYTES)
        except OSError:
            continue  # said where a page reads it
        rel = path.relative_to(project).as_posix()
        if path.suffix == ".css":
            used.update(css_references(rel, data))
            continue
        loads = (jinja2.nodes.Include, jinja2.nodes.Import, jinja2.nodes.FromImport)
        try:
            tree = parser.parse(data.decode("utf-8", "replace"))
            nodes = list(tree.find_all((*loads, jinja2.nodes.Extends, jinja2.nodes.Const)))
        except (jinja2.TemplateSyntaxError, RecursionError):
            continue  # its fault is said where a page uses it (a tree too deep to walk too)
        for node in nodes:
            if isinstance(node, jinja2.nodes.Const):
                if isinstance(node.value, str):
                    used.add(node.value)
            elif not isinstance(getattr(node, "template", None), jinja2.nodes.Const):
                dynamic = True
    return used, dynamic

"""The theme lookup: project template folder first, then the built-in theme (no Jinja import)."""

from __future__ import annotations

import functools
import os
import posixpath
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from salesplay.diagnostics import Location
from salesplay.faults import BuildFault
from salesplay.themes import THEME_DIR as THEME_DIR  # the engines look it up from here


def template_dirs(project: Path | None) -> list[Path]:
    """Where templates are looked up, first match wins."""
    dirs = [project] if project is not None and project.is_dir() else []
    return [*dirs, THEME_DIR]


#: a theme name that starts with this names the built-in theme's file, as a template's
#: `{% extends "default/battlecard.html" %}` does: an override extends what it replaces.
BUILTIN_PREFIX = "default/"


def first_file(dirs: Sequence[Path], name: str) -> Path | None:
    """The theme lookup: `name` in the first of `dirs` that holds it as a file, else None;
    `default/NAME` is the built-in theme's NAME."""
    found = locate(dirs, name)
    return None if found is None else found[1]


def locate(dirs: Sequence[Path], name: str) -> tuple[Path, Path] | None:
    """(the folder, the file) the theme lookup finds for `name`."""
    if name.startswith(BUILTIN_PREFIX):
        dirs, name = [THEME_DIR], name.removeprefix(BUILTIN_PREFIX)
    for directory in dirs:
        if (directory / name).is_file():
            return directory, directory / name
    return None


def builtin_for(roots: Sequence[Path], path: Path) -> Path | None:
    """The built-in theme file a missing `path` under a template folder's `default/` names
    (a stylesheet's `@import "default/style.css"` resolves to templates/default/style.css),
    or None."""
    for root in roots:
        prefix = root / BUILTIN_PREFIX.rstrip("/")
        if root != THEME_DIR and path.is_relative_to(prefix):
            builtin = THEME_DIR / path.relative_to(prefix)
            if builtin.is_file():
                return builtin
    return None


def find_file(project: Path | None, name: str) -> Path | None:
    """A theme file (CSS, deck master…) looked up like templates: the project's first."""
    return first_file(template_dirs(project), name)


@functools.cache
def _theme_files() -> frozenset[str]:
    """Every file of the built-in theme, by its name in the lookup (`portal/header.css`)."""
    return frozenset(
        path.relative_to(THEME_DIR).as_posix()
        for path in THEME_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def check_overrides(project: Path | None, locales: Sequence[str]) -> None:
    """A folder in the project's template folder where the lookup looks for a file (one the
    built-in theme has: `battlecard.html`, `deck.pptx`, `print.css`; or the labels of a
    locale of the catalog, `locale/de.po`) is a located fault: the lookup takes files only,
    and would use the built-in one without a word."""
    if project is None or not project.is_dir():
        return
    names = _theme_files() | {f"locale/{locale}.po" for locale in locales}
    for name in sorted(names):
        path = project / name
        if path.is_dir():
            raise BuildFault(
                Location(path, 1, 0),
                f"'{name}' is a folder, so the built-in {name} is used instead: put the file"
                " itself there, or remove the folder",
            )
        if path.exists() and not path.is_file():  # a pipe or a device: never read as a file
            raise BuildFault(
                Location(path, 1, 0),
                f"'{name}' is not a regular file, so the built-in {name} is used instead:"
                " put the file itself there, or remove it",
            )


def theme_file(project: Path | None, name: str) -> Path:
    """The project's `name` when it has one, else the built-in theme's (which may not exist)."""
    return find_file(project, name) or THEME_DIR / name


#: the sheets base.html links for print (web.css and the portal's are for browsers); a
#: project's overrides of them are linted (render.csslint).
PRINT_SHEETS = ("fonts.css", "style.css", "print.css")


def linted_sheets(project: Path | None) -> tuple[Path, ...]:
    """The project's own print sheets, resolved: what render.csslint reads, whose refused
    fetches it reports once, at the sheet, rather than each PDF again."""
    found = (find_file(project, name) for name in PRINT_SHEETS)
    return tuple(p.resolve() for p in found if p is not None and p.parent != THEME_DIR)


#: a theme file copied into an output (a stylesheet, a font) is at most this large: room for
#: a CJK typeface (Source Han Sans, Noto Sans CJK: 16-25 MB a face).
MAX_THEME_FILE_BYTES = 64_000_000


def read_theme_file(project: Path | None, name: str) -> bytes:
    """The bytes of the theme file `name` (a relative name such as fonts/Brand.otf), the
    project's first, for an output that copies or inlines it.

    It must be a regular file inside its folder, of at most MAX_THEME_FILE_BYTES: a name
    with `..` or a symlink that leads out of templates/ is a located fault, since its bytes
    would go into an output (the template loader and the PDF fetcher refuse the same).
    """
    dirs = template_dirs(project)
    if not relative_name(name):
        raise BuildFault(
            Location(dirs[0] / name, 1, 0), f"theme file '{name}' is not inside {dirs[0].name}/"
        )
    found = locate(dirs, name)
    if found is None:
        raise BuildFault(Location(dirs[0] / name, 1, 0), f"no theme file '{name}'")
    directory, path = found
    return read_contained(path, directory, MAX_THEME_FILE_BYTES, "theme file", name)


def read_contained(
    path: Path,
    folder: Path,
    limit: int,
    kind: str,
    name: str,
    fault: Callable[[Location, str], Exception] = BuildFault,
) -> bytes:
    """The bytes of `path`, the file of `folder` a `kind` ("template") is found by as `name`,
    read bounded: a symlink leading out of the folder, a read that fails or a file past
    `limit` raises `fault` (a located error) at the file."""
    if not path.resolve().is_relative_to(folder.resolve()):
        raise fault(Location(path, 1, 0), f"{kind} '{name}' leads outside {folder.name}/")
    try:
        # not blocking: a named pipe in templates/ would wait for a writer for ever
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise fault(Location(path, 1, 0), f"{kind} '{name}' is not a regular file")
            data = f.read(limit + 1)
    except OSError as exc:
        raise fault(Location(path, 1, 0), f"cannot read {kind}: {exc.strerror}") from None
    if len(data) > limit:
        raise fault(Location(path, 1, 0), f"{kind} is larger than {limit:,} bytes")
    return data


def relative_name(name: str) -> bool:
    """Whether `name` is a plain relative path that stays where it starts."""
    parts = name.split("/")
    return bool(name) and "\\" not in name and not name.startswith("/") and ".." not in parts


# url(...) and @import "..." in a stylesheet (comments removed first)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""")
_CSS_IMPORT = re.compile(
    r"""@import\s+(?:"([^"]*)"|'([^']*)'|url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\))"""
)


def css_text(css: bytes | str) -> str:
    """A stylesheet's text without its comments (a url() in a comment is none)."""
    text = css.decode("utf-8", "replace") if isinstance(css, bytes) else css
    return _CSS_COMMENT.sub("", text)


def css_urls(text: str) -> list[str]:
    """The url(…) values of stylesheet text, in order, as written (stripped)."""
    return [url for url, _at in css_url_spans(text)]


def css_url_spans(text: str) -> list[tuple[str, int]]:
    """Each url(…) value of stylesheet text as written (stripped), with where it starts."""
    found = []
    for m in _CSS_URL.finditer(text):
        group = next((n for n, g in enumerate(m.groups(), 1) if g), None)
        raw = m.group(group) if group else ""
        at = m.start(group) if group else m.start()
        found.append((raw.strip(), at + len(raw) - len(raw.lstrip())))
    return found


def css_imports(text: str) -> list[str]:
    """The sheets stylesheet text imports (`@import "…"` or `@import url(…)`), as written."""
    return [next((g for g in m.groups() if g), "").strip() for m in _CSS_IMPORT.finditer(text)]


def css_references(css_name: str, css: bytes) -> list[str]:
    """The theme files a stylesheet `css_name` refers to (fonts, images, imported sheets),
    as theme names resolved against its folder: relative URLs only, without their query or
    fragment; a URL with a scheme, an absolute path, or one leading above the theme is left
    out (a browser cannot reach it from the copied sheet either)."""
    return [name for name in css_relative_names(css_name, css) if relative_name(name)]


def css_relative_names(css_name: str, css: bytes) -> list[str]:
    """What a stylesheet `css_name` refers to by a relative URL (fonts, images, imported
    sheets), resolved against its folder, without query or fragment, once each: the theme
    files of css_references, and those leading above it (`../plays/assets/Brand.otf`)."""
    text = css_text(css)
    found: list[str] = []
    for raw in (*css_urls(text), *css_imports(text)):
        url = re.split(r"[?#]", raw, maxsplit=1)[0]
        if not url or ":" in url or url.startswith("/"):
            continue  # data:, https:, an absolute path: nothing of the theme's
        name = posixpath.normpath(posixpath.join(posixpath.dirname(css_name), url))
        if name not in found:
            found.append(name)
    return found


def with_css_references(project: Path | None, names: Iterable[str]) -> set[str]:
    """`names` and every theme file their stylesheets refer to, followed through imports;
    references to files the theme does not have are left out."""
    todo, seen = sorted(set(names)), set(names)
    while todo:
        name = todo.pop()
        if not name.endswith(".css"):
            continue
        for ref in css_references(name, read_theme_file(project, name)):
            if ref not in seen and find_file(project, ref) is not None:
                seen.add(ref)
                todo.append(ref)
    return seen

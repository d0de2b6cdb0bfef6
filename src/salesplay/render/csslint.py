"""A project's stylesheets parsed as WeasyPrint parses them: what it would ignore, located."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from salesplay import jsonfile
from salesplay.diagnostics import Diagnostic, Location, Severity, edit_distance
from salesplay.faults import BuildFault
from salesplay.render.theme import (
    PRINT_SHEETS,
    THEME_DIR,
    css_imports,
    css_references,
    css_relative_names,
    css_text,
    css_url_spans,
    css_urls,
    first_file,
    read_theme_file,
    relative_name,
    template_dirs,
)

#: the diagnostics' code (reports/check.json, `--format json`).
CODE = "css"

# "Ignored `colr: red` at 1:8, unknown property." and "Parse error at 3:1: …"
_AT = re.compile(r"\s*\bat (\d+):(\d+)(?::\s*|,\s*|\s*$)")
_QUOTED = re.compile(r"`([^`]+)`|'([^']+)'")
_FONT_FAILED = re.compile(r"Failed to (?:load|handle woff) font at '([^']+)'")
_FONT_FACE = re.compile(r"Font-face .* cannot be loaded")


#: of theme.PRINT_SHEETS, those only paper reads; the others serve the portal too.
PAPER_ONLY = ("print.css",)
# WeasyPrint reads media types only: a rule for screens in style.css is meant to be skipped
_BROWSER_ONLY = re.compile(r"expected a media type|invalid media type", re.I)
# "Ignored `colr: red` at 1:8, unknown property."
_UNKNOWN = re.compile(r"Ignored `([\w-]+):[^`]*` .*unknown property")
# a vendor's property (-webkit-…) is for one browser: never a mistake on paper
_VENDOR = re.compile(r"Ignored `-[a-z]+-")
# what is wrong in any sheet: a parse error, a font or sheet that cannot be had (and, by
# _typo_of, a misspelt property); a value or selector only browsers read is no mistake in
# a sheet they read too
_EVERYWHERE = re.compile(r"Parse error|Failed to (?:load|handle)|Font-face", re.I)


#: where a build keeps its last lint, relative to --out (the key of what it read, and what
#: it found): a build whose sheets and fonts did not change does not load WeasyPrint for it.
CACHE = ".salesplay/csslint.json"
_FORMAT = 1


def lint_stylesheets(
    project: Path | None,
    roots: Sequence[Path],
    out: Path | None = None,
    later: list[Callable[[], None]] | None = None,
) -> list[Diagnostic]:
    """Warnings for what WeasyPrint would ignore in the project's print stylesheets (its
    overrides of PRINT_SHEETS and the project sheets they @import): a parse error, a font
    that cannot be loaded, an @import or font it may not fetch, a misspelt property (with
    a did-you-mean); in sheets only paper reads (print.css), also an invalid value or
    selector, which in sheets browsers read too may be meant for them. A property WeasyPrint
    does not know and that misspells none is one browsers read (print-color-adjust).
    A vendor's property (-webkit-…) and a @media rule for screens are never reported. Each
    is located in its sheet (line 0 when WeasyPrint does not say where and the text it
    names, or the first words of it, are not found once: see _where).

    The built-in theme's sheets are salesplay's and are not linted here (a test proves them
    clean); a sheet that leads out of the folder is an error, as it is for the build. The
    lint is kept in `out` for the next one, by a call put on `later` when given (a build
    keeps it once it is whole, so that one that stops leaves build/ as it was).
    """
    if project is None or not project.is_dir():
        return []
    try:
        sheets = _print_sheets(project)
    except BuildFault as fault:
        return [fault.diagnostic(CODE)]
    if not sheets:
        return []  # no print CSS of the project's: WeasyPrint is not even imported
    key = _key(project, roots, sheets)
    kept = None if out is None else _kept(out, key)
    if kept is not None:
        return kept
    found = _lint(project, roots, sheets)
    if out is not None and out.is_dir():  # bookkeeping of a build folder, never its first file
        keep = functools.partial(_keep, out, key, found)
        if later is None:
            keep()
        else:
            later.append(keep)
    return found


def _lint(
    project: Path, roots: Sequence[Path], sheets: dict[str, tuple[bytes, bool]]
) -> list[Diagnostic]:
    from salesplay.render import weasy

    weasy.load()
    from salesplay.render import fontfiles

    found: list[Diagnostic] = []
    font_config = fontfiles.font_configuration()
    try:
        for rel, (data, shared) in sheets.items():
            text = data.decode("utf-8", errors="replace")
            found += _lint_one(project / rel, text, roots, font_config, shared)
            found += huge_lengths(project / rel, text)
            found += _late_imports(project / rel, text)
    finally:
        fontfiles.discard(font_config)
    return found


#: a length's size in CSS pixels, by unit (em and rem at the 16 px default, viewport units
#: at an A4 page's width); past MAX_PIXELS one is no layout a page can hold
_PIXELS = {
    "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4,
    "q": 96 / 101.6, "em": 16.0, "rem": 16.0, "ex": 8.0, "ch": 8.0, "lh": 19.2, "rlh": 19.2,
    "vw": 7.94, "vh": 11.23, "vmin": 7.94, "vmax": 11.23,
}  # fmt: skip
#: the longest length a print sheet may give: Pango takes text sizes in 1/1024ths of a
#: point as a C int, so a font-size of 1e9px stops WeasyPrint with an OverflowError
MAX_PIXELS = 1_000_000


def _late_imports(path: Path, text: str) -> list[Diagnostic]:
    """A warning at each @import after a rule: CSS reads @import only before every other
    rule, and WeasyPrint skipped `@import url("default/style.css")` under a brand rule in
    silence, so every card lost the whole built-in theme."""
    import tinycss2

    found = []
    ruled = False
    for node in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if node.type == "at-rule" and node.lower_at_keyword in ("charset", "layer"):
            continue
        if node.type == "at-rule" and node.lower_at_keyword == "import":
            if ruled:
                found.append(
                    Diagnostic(
                        Location(path, node.source_line, node.source_column),
                        Severity.WARNING,
                        "@import after a rule is ignored (CSS reads @import only at a"
                        " sheet's top, before any rule): move it above the rules",
                        CODE,
                    )
                )
            continue
        ruled = True
    return found


def huge_lengths(path: Path, text: str) -> list[Diagnostic]:
    """An error at each length of the sheet past MAX_PIXELS (`font-size: 1e9px`), which
    WeasyPrint fails on, or lays out past any page: found by `check`, not by a PDF late in
    a build. `text` may be declarations alone (a style attribute's)."""
    return [
        Diagnostic(Location(path, line, column), Severity.ERROR, huge_length_said(written), CODE)
        for line, column, written in sorted(huge_length_places(text))
    ]


def huge_length_said(written: str) -> str:
    """What is wrong with a length past MAX_PIXELS, written `written` ("1e9px")."""
    return (
        f"length {written} is larger than any page (at most {MAX_PIXELS:,} px, about 260 m):"
        " WeasyPrint cannot lay it out"
    )


def huge_length_places(text: str) -> list[tuple[int, int, str]]:
    """(line, column, as written) of each length of `text` (CSS) past MAX_PIXELS."""
    import tinycss2

    found = []
    pending = list(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))
    while pending:
        node = pending.pop()
        for part in ("prelude", "content", "arguments", "value"):
            inner = getattr(node, part, None)
            if isinstance(inner, list):
                pending.extend(inner)
        if node.type != "dimension" or node.unit.lower() not in _PIXELS:
            continue
        if abs(node.value) * _PIXELS[node.unit.lower()] > MAX_PIXELS:
            found.append(
                (node.source_line, node.source_column, f"{node.representation}{node.unit}")
            )
    return found


def _key(project: Path, roots: Sequence[Path], sheets: dict[str, tuple[bytes, bool]]) -> str:
    """What a lint reads: the sheets, every file they refer to, the folders it may fetch
    from, WeasyPrint's version and salesplay's code (engine.records.key_of)."""
    from importlib.metadata import version

    from salesplay.engine.records import key_of

    refs = sorted({ref for name, (data, _) in sheets.items() for ref in css_references(name, data)})
    dirs = template_dirs(project)
    files: list[tuple[str, bool | None, str | None]] = []
    for ref in refs:
        try:  # read as the portal reads it: inside templates/, bounded
            digest: str | None = hashlib.sha256(read_theme_file(project, ref)).hexdigest()
        except BuildFault:
            digest = None  # none, a link out or too large: the lint says what it makes of it
        # and which folder holds it: the lint fetches a project sheet's fonts/X.otf beside
        # it, never from the built-in theme, which the portal falls back to; so templates/
        # given the built-in's fonts after the lint said them missing kept saying so
        found = first_file(dirs, ref) if relative_name(ref) else None
        files.append((ref, None if found is None else found.is_relative_to(project), digest))
    return key_of(
        "csslint",
        version("weasyprint"),
        str(project),
        [str(r) for r in roots],
        sheets,
        files,
        _above(project, sheets),
    )


#: a file above templates/ that a sheet refers to is keyed by its bytes up to this size, and
#: by its size and time above it (a font of the catalog's assets/ is well under)
_KEYED_BYTES = 64 << 20


def _above(project: Path, sheets: dict[str, tuple[bytes, bool]]) -> list[tuple[str, object]]:
    """Each file above templates/ a sheet refers to (`../plays/assets/Brand.ttf`, which the
    lint may fetch from the catalog's folder), by what it holds: the lint of a font broken
    then mended there was kept, and said it broken."""
    return [
        (name, _file_key(project / name))
        for sheet, (data, _) in sorted(sheets.items())
        for name in css_relative_names(sheet, data)
        if name.startswith("../")  # inside templates/: css_references keys it
    ]


def _file_key(path: Path) -> object:
    """A regular file by its bytes (by size and time when large); anything else by None."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > _KEYED_BYTES:
            return (info.st_size, info.st_mtime_ns)
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _kept(out: Path, key: str) -> list[Diagnostic] | None:
    """The diagnostics of the last lint when it read what this one would; else None (a
    missing, damaged or foreign file is no answer, never a fault)."""
    from salesplay.write import read_output

    try:
        raw = jsonfile.loads(read_output(out, CACHE, limit=4 << 20))
        if raw.get("format") != _FORMAT or raw.get("key") != key:
            return None
        return [
            Diagnostic(Location(Path(f), int(line), int(col)), Severity(sev), str(msg), CODE)
            for f, line, col, sev, msg in raw["diagnostics"]
        ]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _keep(out: Path, key: str, found: Sequence[Diagnostic]) -> None:
    from salesplay.write import write_output

    rows = [[str(d.loc.file), d.loc.line, d.loc.col, d.severity.value, d.message] for d in found]
    body = {"format": _FORMAT, "key": key, "diagnostics": rows}
    with contextlib.suppress(OSError, ValueError):  # a cache not kept is only a lint again
        write_output(out, CACHE, json.dumps(body).encode("utf-8"), durable=False)


def _print_sheets(project: Path) -> dict[str, tuple[bytes, bool]]:
    """The project's overrides of the print sheets and the project sheets they import, by
    name: their bytes (read as every theme file is: a link out is a BuildFault), and
    whether browsers read them too (a sheet a shared one imports is shared)."""
    found: dict[str, tuple[bytes, bool]] = {}
    # the shared sheets first, so that a sheet both import is known as shared
    tops = sorted(PRINT_SHEETS, key=lambda name: name in PAPER_ONLY)
    for top in tops:
        todo = [top] if (project / top).is_file() else []
        shared = top not in PAPER_ONLY
        while todo:
            name = todo.pop(0)
            if name in found:
                continue
            data = read_theme_file(project, name)
            found[name] = (data, shared)
            todo += [
                ref
                for ref in css_references(name, data)
                if ref.endswith(".css") and (project / ref).is_file()
            ]
    return dict(sorted(found.items()))


def _lint_one(
    path: Path, text: str, roots: Sequence[Path], font_config: Any, shared: bool
) -> list[Diagnostic]:
    from weasyprint import CSS

    from salesplay.render.pdf import FetchRefused, SafeFetcher

    fetcher = SafeFetcher(roots)

    def fetch(url: str, headers: dict[str, str] | None = None) -> Any:
        # an imported sheet is linted as a file of its own (or is the built-in theme's):
        # here it is only found, so that its warnings are not put at this sheet's lines
        if urlsplit(url).path.endswith(".css") and url.startswith("file:"):
            fetcher.check_path(url)
            from weasyprint.urls import URLFetcherResponse

            return URLFetcherResponse(url, body=b"", headers={"Content-Type": "text/css"})
        return fetcher.fetch(url, headers)

    fetch._fail_on_errors = False  # type: ignore[attr-defined]  # WeasyPrint: skip, not raise
    with _captured() as records, contextlib.suppress(FetchRefused):
        try:
            CSS(
                string=text,
                base_url=path.absolute().as_uri(),
                url_fetcher=fetch,
                font_config=font_config,
            )
        except FetchRefused:
            raise
        except Exception as exc:  # WeasyPrint gives up on the sheet: so would every PDF
            said = f"WeasyPrint cannot read this stylesheet: {type(exc).__name__}: {exc}"
            return [Diagnostic(Location(path, 0, 0), Severity.ERROR, said, CODE)]
    refused = [r.split(": ", 1)[0] for r in fetcher.refused]
    failed = {_bare(m.group(1)) for r in records if (m := _FONT_FAILED.search(r.getMessage()))}
    # a face loads from the first of its sources that loads: a failed source is a mistake
    # only when every other of its face failed too (an .eot for old browsers, then a woff2)
    loaded = {
        url
        for urls, local in _font_faces(text, path.absolute().as_uri())
        if local or not set(urls) <= failed | {_bare(u) for u in refused}
        for url in urls
    }
    kept = []
    for record in records:
        message = record.getMessage()
        if any(url in message for url in refused) or _meant_for_browsers(message, shared):
            continue  # said once, as the refusal below; or meant for browsers
        font = _FONT_FAILED.search(message)
        if font is not None and _bare(font.group(1)) in loaded:
            continue  # another source of its face loaded
        if _FONT_FACE.match(message) and (
            refused or any(_FONT_FAILED.search(r.getMessage()) for r in records)
        ):
            continue  # the font that failed says more, at its own URL
        kept.append(_located(path, text, record))
    kept += [
        Diagnostic(
            _where_url(path, text, url),
            Severity.WARNING,
            f"refused to load {_as_written(path, text, url)}: {r.split(': ', 1)[-1]}"
            + _url_meant(path, url, roots),
            CODE,
        )
        for url, r in zip(refused, fetcher.refused, strict=True)
    ]
    return sorted(set(kept), key=lambda d: (d.loc.line, d.loc.col, d.message))


def _as_written(sheet: Path, text: str, url: str) -> str:
    """A file URL a sheet refers to as the sheet writes it (`file:///usr/share/…` or
    `../../fonts/x.otf`), else relative to the sheet's folder: the URL WeasyPrint asked for,
    joined to the machine's path ("file:///home/…/templates/defualt/print.css"), said
    nothing the sheet holds, and belongs in no report."""
    from urllib.parse import urljoin

    if not url.startswith("file:"):
        return url
    base = sheet.absolute().as_uri()
    # an `@import "…"` is no url(…), and was said relative to the sheet's folder
    # (`@import "/etc/hostname"` as ../../../../etc/hostname)
    for raw in (*(raw for raw, _at in css_url_spans(text)), *css_imports(text)):
        if _bare(urljoin(base, raw)) == _bare(url):
            return raw
    return _relative(sheet, url)


def _relative(sheet: Path, url: str) -> str:
    """The file URL `url` relative to the folder of the sheet that refers to it."""
    target = Path(unquote(urlsplit(url).path))
    return Path(os.path.relpath(target, sheet.parent.absolute())).as_posix()


def _url_meant(sheet: Path, url: str, roots: Sequence[Path]) -> str:
    """The did-you-mean of a file a sheet refers to that is not there: a file of the
    template folders, written from the sheet's folder, or a built-in one (`default/…`)."""
    import difflib

    if not url.startswith("file:"):
        return ""
    written = _relative(sheet, url)
    names: list[str] = []
    for root in roots:
        if not root.is_dir():
            continue
        for found in root.rglob("*"):
            if found.is_file() and not found.is_symlink():
                rel = Path(os.path.relpath(found, sheet.parent.absolute())).as_posix()
                names.append(rel)
                if root.resolve() == THEME_DIR.resolve():
                    names.append(f"default/{found.relative_to(root).as_posix()}")
    close = difflib.get_close_matches(written, names, 1, 0.8)
    return f" (did you mean '{close[0]}'?)" if close else ""


# an @font-face rule, and a url() in it (comments removed first)
_FACE_RULE = re.compile(r"@font-face\s*\{([^}]*)\}", re.I)


def _font_faces(text: str, base: str) -> list[tuple[list[str], bool]]:
    """Each @font-face rule of a sheet: the URLs of its sources (absolute, without query or
    fragment) and whether it has a local() source too."""
    from urllib.parse import urljoin

    faces = []
    for rule in _FACE_RULE.finditer(css_text(text)):
        body = rule.group(1)
        urls = [_bare(urljoin(base, url)) for url in css_urls(body)]
        faces.append((urls, "local(" in body.lower()))
    return faces


def _bare(url: str) -> str:
    """`url` without its query and fragment."""
    return re.split(r"[?#]", url, maxsplit=1)[0]


@contextlib.contextmanager
def _captured() -> Iterator[list[logging.LogRecord]]:
    """WeasyPrint's warnings (and its font-load failures, logged at debug) while parsing."""
    from weasyprint.logger import LOGGER

    records: list[logging.LogRecord] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if record.levelno >= logging.WARNING or _FONT_FAILED.search(message):
                records.append(record)

    handler = _Keep(logging.DEBUG)
    level, propagate = LOGGER.level, LOGGER.propagate
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.DEBUG)
    LOGGER.propagate = False
    try:
        yield records
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.setLevel(level)
        LOGGER.propagate = propagate


def _located(path: Path, text: str, record: logging.LogRecord) -> Diagnostic:
    message = record.getMessage()
    failed = _FONT_FAILED.search(message)
    if failed is not None:
        name = _file_name(failed.group(1))
        return Diagnostic(
            _where(path, text, name),
            Severity.WARNING,
            f"font '{name}' cannot be loaded (not a font file WeasyPrint reads): text set in"
            " its family falls back to another typeface",
            CODE,
        )
    at = _AT.search(message)
    if at is not None:
        line, col = int(at.group(1)), int(at.group(2))
        unknown = _UNKNOWN.match(message)
        if unknown is not None:
            message = message.rstrip(".") + _did_you_mean(unknown.group(1))
        told = (
            message[: at.start()] + (": " if at.end() < len(message) else "") + message[at.end() :]
        )
        return Diagnostic(Location(path, line, col), Severity.WARNING, _tidy(told), CODE)
    quoted = _QUOTED.search(message)
    snippet = next((g for g in quoted.groups() if g), "") if quoted else ""
    return Diagnostic(_where(path, text, snippet.strip()), Severity.WARNING, _tidy(message), CODE)


def _meant_for_browsers(message: str, shared: bool) -> bool:
    """Whether WeasyPrint's `message` is about something only browsers read, in a sheet that
    browsers read too (`shared`) or not."""
    if _BROWSER_ONLY.search(message) or _VENDOR.match(message):
        return True
    if _EVERYWHERE.search(message):
        return False
    unknown = _UNKNOWN.match(message)
    if unknown is not None:
        # a property WeasyPrint does not know is a mistake when it is a misspelling; else it
        # is one browsers read, even when they print (print-color-adjust)
        return _typo_of(unknown.group(1)) is None
    return shared  # an invalid value or selector: a mistake in what only paper reads


def _typo_of(name: str) -> str | None:
    """The property WeasyPrint knows that `name` misspells: one or two letters changed,
    added, dropped or swapped, the length within one (so that `overflow-x`, `resize` or
    `text-wrap`, which browsers read, are not taken for `overflow`, `size`, `flex-wrap`)."""
    from weasyprint.css.validation.expanders import EXPANDERS
    from weasyprint.css.validation.properties import PROPERTIES

    most = 1 if len(name) < 6 else 2
    close = [
        (edit_distance(name, known), known)
        for known in sorted({*PROPERTIES, *EXPANDERS})
        if abs(len(known) - len(name)) <= 1
    ]
    best = min((c for c in close if c[0] <= most), default=None)
    return None if best is None else best[1]


def _did_you_mean(name: str) -> str:
    """The " (did you mean 'color'?)" for a property WeasyPrint knows that `name` misspells."""
    typo = _typo_of(name)
    return f" (did you mean '{typo}'?)" if typo else ""


def _tidy(message: str) -> str:
    """WeasyPrint's message as a diagnostic's: lower-case start, no final full stop, one line."""
    one = re.sub(r",? '\s*([^']*?)\s*'", r" '\1'", " ".join(message.split())).rstrip(".")
    return one[:1].lower() + one[1:]


def _where_url(path: Path, text: str, url: str) -> Location:
    """Where the sheet writes the url() that resolves to `url` (a refused font one folder up,
    `../fonts/Brand.otf`, was put at the first `Brand.otf`, another rule's, which loads)."""
    from urllib.parse import urljoin

    base = path.absolute().as_uri()
    for raw, at in css_url_spans(text):
        if _bare(urljoin(base, raw)) == _bare(url):
            line = text.count("\n", 0, at) + 1
            return Location(path, line, at - (text.rfind("\n", 0, at) + 1) + 1)
    return _where(path, text, url if url in text else _file_name(url))


def _file_name(url: str) -> str:
    return unquote(urlsplit(url).path).rsplit("/", 1)[-1]


def _where(path: Path, text: str, snippet: str) -> Location:
    """Where `snippet` first occurs in `text`; else where the longest run of its first words
    does (WeasyPrint names a selector as it read it: `.card { color: red` unclosed reads as
    `:is(.card ) color: red .x`); line 0 when none does, or `snippet` is empty."""
    index = text.find(snippet) if snippet else -1
    if index < 0 and snippet:
        words = re.sub(r"^:(?:is|where)\(", "", snippet).split()
        for count in range(len(words), 0, -1):
            found = list(re.finditer(r"\s+".join(map(re.escape, words[:count])), text))
            # one word is a place only where it is the sheet's only one: never a wrong line
            if found and (count > 1 or len(found) == 1):
                index = found[0].start()
                break
    if index < 0:
        return Location(path, 0, 0)
    line = text.count("\n", 0, index) + 1
    return Location(path, line, index - (text.rfind("\n", 0, index) + 1) + 1)

"""How serve words a build's diagnostics: project-relative, no install paths, blame on overrides."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from salesplay.diagnostics import display_path
from salesplay.render.templates import THEME_DIR

_ERROR_LINE = re.compile(r": error: |^build stopped|^salesplay: ")
# file:line[:col]: severity: message, as the build prints it (the terminal log only).
_DIAGNOSTIC = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+)(?::\d+)?: (?P<sev>error|warning): (?P<msg>.*)$"
)
# The template names a built-in template pulls in, e.g. {% import "macros.html" as m %}.
_TEMPLATE_REF = re.compile(r"""\{%-?\s*(?:extends|import|include|from)\s+["']([^"']+)["']""")


def is_diagnostic(line: str) -> bool:
    """Whether a line of the build's terminal log is a diagnostic (file:line: severity: …)."""
    return _DIAGNOSTIC.match(line) is not None


def error_lines(output: list[str], code: int) -> tuple[str, ...]:
    """The compiler-style lines of a failed build (its last lines when none look like one).

    Only for a build that died before saying what went wrong in its result.
    """
    if code == 0:
        return ()
    lines = [line for line in output if _ERROR_LINE.search(line)]
    return tuple(lines or output[-5:] or [f"build failed with exit code {code}"])


def _builtin_name(file: str) -> str | None:
    """The theme name ('battlecard.html') of a path inside the built-in theme, else None."""
    path = Path(file)
    if not path.is_absolute():
        return None
    try:
        return path.resolve().relative_to(THEME_DIR).as_posix()
    except (OSError, ValueError):
        return None


def overrides_used(name: str, templates: Path) -> list[str]:
    """The project's overrides that built-in template `name` pulls in, at any depth."""
    found = [name] if (templates / name).is_file() else []  # reached by extending default/
    seen, todo = {name}, [name]
    while todo:
        try:
            source = (THEME_DIR / todo.pop(0)).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for ref in _TEMPLATE_REF.findall(source):
            builtin = ref.removeprefix("default/")
            if builtin in seen:
                continue
            seen.add(builtin)
            if ref == builtin and (templates / ref).is_file():
                found.append(ref)  # the loader picks the project's file over the built-in
            else:
                todo.append(builtin)
    return found


def scrub(line: str) -> str:
    """The line without install paths (the theme, the package, Python) or the cwd prefix."""
    package = Path(__file__).resolve().parents[1]
    labels = {
        f"{THEME_DIR}{os.sep}": "default/",
        f"{package}{os.sep}": "salesplay/",
        f"{sys.prefix}{os.sep}": "<python>/",
        f"{sys.base_prefix}{os.sep}": "<python>/",
        f"{Path.cwd()}{os.sep}": "",
    }
    for prefix in sorted(labels, key=len, reverse=True):
        line = line.replace(prefix, labels[prefix])
    return line


def describe(file: str, line: int, col: int, severity: str, message: str, templates: Path) -> str:
    """One diagnostic as serve shows it; a fault in a built-in template that uses the
    project's overrides is put on the override, which is what the user can fix."""
    name = _builtin_name(file)
    if name is None:
        where = display_path(Path(file)) if file else "build"
        if line:
            where += f":{line}" + (f":{col}" if col else "")
        return scrub(f"{where}: {severity}: {message}")
    at = f"default/{name}:{line}" if line else f"default/{name}"
    used = overrides_used(name, templates)
    if not used:
        return scrub(f"{at}: {severity}: {message}")
    yours = ", ".join(display_path(templates / rel) for rel in used)
    return scrub(
        f"{display_path(templates / used[0])}: {severity}: {message}"
        f" (raised in the built-in {at}, which uses your {yours})"
    )


def described(diagnostics: Iterable[Mapping[str, object]], templates: Path) -> list[str]:
    """Structured diagnostics ({file, line, column, severity, message}) as serve shows them."""
    return [
        describe(
            str(d.get("file", "")),
            _int(d.get("line")),
            _int(d.get("column")),
            str(d.get("severity", "error")),
            str(d.get("message", "")),
            templates,
        )
        for d in diagnostics
    ]


def shown(line: str, templates: Path) -> str:
    """A line the build printed, as the terminal shows it (see `describe`)."""
    match = _DIAGNOSTIC.match(line)
    if match and _builtin_name(match["file"]) is not None:
        return describe(match["file"], int(match["line"]), 0, match["sev"], match["msg"], templates)
    return scrub(line)


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0

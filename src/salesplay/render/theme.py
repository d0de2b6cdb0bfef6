"""The theme lookup: project template folder first, then the built-in theme (no Jinja import)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

#: the built-in theme shipped in the package.
THEME_DIR = Path(__file__).resolve().parent.parent / "themes" / "default"


def template_dirs(project: Path | None) -> list[Path]:
    """Where templates are looked up, first match wins."""
    dirs = [project] if project is not None and project.is_dir() else []
    return [*dirs, THEME_DIR]


def first_file(dirs: Sequence[Path], name: str) -> Path | None:
    """The theme lookup: `name` in the first of `dirs` that holds it as a file, else None."""
    for directory in dirs:
        if (directory / name).is_file():
            return directory / name
    return None


def find_file(project: Path | None, name: str) -> Path | None:
    """A theme file (CSS, deck master…) looked up like templates: the project's first."""
    return first_file(template_dirs(project), name)


def theme_file(project: Path | None, name: str) -> Path:
    """The project's `name` when it has one, else the built-in theme's (which may not exist)."""
    return find_file(project, name) or THEME_DIR / name

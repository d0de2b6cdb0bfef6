"""`salesplay init`: copy the starter project, stamping today's date into review fields."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from salesplay.context import UsageError

#: files stored under another name so packaging tools leave them alone.
_RENAMES = {"gitignore": ".gitignore"}


def _files(node: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    out: list[tuple[str, Traversable]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        rel = f"{prefix}{_RENAMES.get(child.name, child.name)}"
        if child.is_dir():
            out.extend(_files(child, rel + "/"))
        elif child.name != "__pycache__":
            out.append((rel, child))
    return out


def create_project(target: Path, today: dt.date | None = None) -> list[Path]:
    """Create a new project in `target` (which must be empty or missing).

    Never overwrites a file (each is created exclusively); OSError when it cannot write.
    """
    if target.exists() and not target.is_dir():
        raise UsageError(f"'{target}' is a file, not a folder; choose a new folder")
    if target.exists() and any(target.iterdir()):
        raise UsageError(f"'{target}' exists and is not empty; choose a new folder")
    stamp = (today or dt.date.today()).isoformat()
    created = []
    for rel, source in _files(resources.files(__package__).joinpath("project")):
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        data = source.read_bytes()
        if rel.endswith(".yaml"):
            data = data.replace(b"{{AS_OF}}", stamp.encode())
        # "x": a file that appeared meanwhile (or a link planted there) is never replaced
        with open(dest, "xb") as new:
            new.write(data)
        created.append(dest)
    return created

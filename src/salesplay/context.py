"""The run context passed through every stage: where things are and what day it is."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from salesplay.diagnostics import Reporter, shortened
from salesplay.imagecache import ImageCache
from salesplay.memo import Memo

if TYPE_CHECKING:
    from salesplay.jargoncache import JargonCache
    from salesplay.parsecache import ParseCache


class UsageError(Exception):
    """Wrong use of the command line (exit code 2)."""


#: Dates every output can carry: the zip format stores years 1980–2107 only.
FIRST_DATE = dt.date(1980, 1, 1)
LAST_DATE = dt.date(2107, 12, 31)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH_RE = re.compile(r"\d{1,12}")


def _in_range(day: dt.date, what: str) -> dt.date:
    if not FIRST_DATE <= day <= LAST_DATE:
        raise UsageError(
            f"{what} must be between {FIRST_DATE} and {LAST_DATE} (the dates a zip can hold),"
            f" got {day}"
        )
    return day


def resolve_as_of(value: str | None) -> dt.date:
    """--as-of DATE, else SOURCE_DATE_EPOCH, else today's date (UTC); within 1980–2107."""
    if value is not None:
        # fromisoformat alone also takes 20260115 and 2026-W03-4; the help promises YYYY-MM-DD
        try:
            if not _DATE_RE.fullmatch(value):
                raise ValueError(value)
            day = dt.date.fromisoformat(value)
        except ValueError:
            if _DATE_RE.fullmatch(value) and value.isascii():
                # written as asked, but no day ("2026-13-01"): why, as a catalog date is told
                from salesplay.models import not_real_date

                raise UsageError(f"--as-of {not_real_date(value)}") from None
            raise UsageError(f"--as-of must be a date YYYY-MM-DD, got '{value}'") from None
        return _in_range(day, "--as-of")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch != "":
        try:
            if not _EPOCH_RE.fullmatch(epoch):
                raise ValueError(epoch)
            day = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH must be whole seconds, got '{epoch}'") from None
        return _in_range(day, "SOURCE_DATE_EPOCH")
    return _in_range(dt.datetime.now(tz=dt.UTC).date(), "today's date")


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask, so containers count right)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def clamp_jobs(jobs: int | None) -> int:
    """--jobs N, at most the CPU count (more workers only add memory); default the CPU count."""
    cpus = cpu_count()
    return cpus if jobs is None else max(1, min(jobs, cpus))


def check_names(*options: tuple[str, Path | None]) -> None:
    """Refuse a folder option whose name the system cannot take (UsageError): a part past
    255 bytes, or the whole past PATH_MAX. Every look at it raised OSError
    (ENAMETOOLONG), said as an "internal error"."""
    for option, path in options:
        if path is None:
            continue
        try:
            os.lstat(path)
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:
                raise UsageError(
                    f"{option} '{shortened(str(path), 60)}' is not a name this system can"
                    f" take: {exc.strerror}"
                ) from None


def check_out_folder(out: Path) -> None:
    """Refuse an --out that is a file, or lies in one (UsageError)."""
    for held in (out, *out.parents):
        if held.is_symlink() and not held.exists():
            return  # a broken link: check_out refuses it for a command that writes
        if held.exists():
            if not held.is_dir():
                what = "is a file" if held == out else f"lies inside '{held}', which is a file"
                raise UsageError(f"--out '{out}' {what}: name a folder, e.g. build")
            return


def check_out(out: Path, catalog: Path, templates: Path | None) -> None:
    """Refuse an --out a build must never write into or prune (UsageError).

    Not a file, the catalog or templates folder, nothing inside them, nothing holding them
    (the project root, the home folder, /).
    """
    check_out_folder(out)
    for held in (out, *out.parents):
        # a broken link would be found only where the build writes, after every output was
        # made; `serve` said it in one line, and so do `build` and `kit` now
        if held.is_symlink() and not held.exists():
            lies = "is" if held == out else f"lies inside '{held}', which is"
            raise UsageError(f"--out '{out}' {lies} a broken symbolic link")
        if held.exists():
            break
    where = out.resolve()
    try:
        home = Path.home().resolve()
    except (RuntimeError, KeyError):  # no HOME and no passwd entry
        home = Path(where.anchor)
    if where in (Path(where.anchor), home):
        raise UsageError(f"--out '{out}' is {where}; choose a folder of its own, e.g. build")
    guarded = [("catalog", catalog)]
    if templates is not None:
        guarded.append(("templates", templates))
    for what, folder in guarded:
        held = folder.resolve()
        if where == held or where.is_relative_to(held):
            place = "is" if where == held else "is inside"
            raise UsageError(f"--out '{out}' {place} the {what} folder '{folder}'; use e.g. build")
        if held.is_relative_to(where):
            raise UsageError(
                f"--out '{out}' holds the {what} folder '{folder}'; use a folder of its own,"
                " e.g. build"
            )


@dataclass
class Context:
    """Everything a run needs; no stage reads globals."""

    catalog: Path
    as_of: dt.date
    templates: Path | None = None
    out: Path = Path("build")
    strict: bool = False
    jobs: int = 2
    reporter: Reporter = field(default_factory=Reporter)
    #: decodes catalog images; a build's keeps what it decoded under --out.
    images: ImageCache = field(default_factory=ImageCache)
    #: parsed catalog files a build into --out kept (parsecache); None: parse every file.
    parses: ParseCache | None = None
    #: card texts' jargon scans a build into --out kept (jargoncache); None: scan each text
    #: once per build (or keep them in `memo`).
    scans: JargonCache | None = None
    #: results kept between the builds of one long-lived process (serve); None: keep none.
    memo: Memo | None = None
    #: the process runs this one command and exits (the command line; not `serve`, not a
    #: test): what the check loads lives until then, so the collector leaves it alone.
    once: bool = False
    #: cache files kept in --out once the build is whole (every output written for good,
    #: nothing left to put back), not before: a build that stops, in any stage, leaves
    #: build/ as it was (the print stylesheets' lint, the kits' cards, say)
    when_whole: list[Callable[[], None]] = field(default_factory=list)


def check_folder(folder: Path, what: str) -> None:
    """Refuse a catalog or templates folder that is a symlink leading outside the folder that
    holds it (UsageError). The checks inside a folder take its real path as their bound, so a
    link committed in place of `templates/` would feed a build another folder's files."""
    if not folder.is_symlink():
        return
    real = folder.resolve()
    if not real.is_relative_to(folder.absolute().parent.resolve()):
        raise UsageError(
            f"{what} folder '{folder}' is a symlink that leads outside the folder holding it"
            f" (to {real}): put the folder itself there"
        )


#: the names a catalog's own file may have (load.YAML_SUFFIXES: .yaml or .yml)
CATALOG_FILES = ("catalog.yaml", "catalog.yml")


def catalog_file(folder: Path) -> str | None:
    """The name of the catalog file `folder` holds (catalog.yaml, else catalog.yml), or None;
    OSError when the folder cannot be entered."""
    for name in CATALOG_FILES:
        if (folder / name).is_file():
            return name
    return None


def check_catalog_named(catalog: Path) -> None:
    """Refuse a catalog folder with no catalog.yaml (or .yml) that holds a folder with one
    (UsageError): `--catalog ''` or `.` in a project names the project, not its catalog, and
    would read its every YAML file as a play. The message names the file as it is spelt."""
    try:
        if any((catalog / name).exists() for name in CATALOG_FILES):
            return
    except OSError as exc:  # a folder that can be listed but not entered (chmod 644)
        raise UsageError(f"catalog folder '{catalog}' cannot be read: {exc.strerror}") from None
    with contextlib.suppress(OSError):
        # run inside the catalog: the default `plays` is its folder of plays
        name = catalog_file(catalog.absolute().parent)
        if name is not None:
            above = os.path.relpath(catalog.absolute().parent)
            raise UsageError(
                f"catalog folder '{catalog}' has no {name}; '{above}' has one: use"
                f" --catalog {above}"
            )
    inside: list[tuple[str, str]] = []
    try:
        for d in sorted(catalog.iterdir()):
            name = catalog_file(d) if d.is_dir() else None
            if name is not None:
                inside.append((d.name, name))
    except OSError:
        return  # the loader says what it cannot list
    if inside:
        folder, name = inside[0]
        meant = catalog / folder
        raise UsageError(
            f"catalog folder '{catalog}' has no {name}; '{meant}' has one: use --catalog {meant}"
        )


def folder_meant(folder: Path, option: str, holding: tuple[str, ...] = ()) -> str:
    """The did-you-mean of a folder an option names that is not there: a folder beside it
    of a close name (holding one of the files `holding`, if given: "--catalog play" for
    plays), else how to name one."""
    import difflib

    try:
        beside = [
            e.name
            for e in os.scandir(folder.parent)
            if e.is_dir()
            and (not holding or any(os.path.isfile(os.path.join(e.path, h)) for h in holding))
        ]
    except OSError:
        beside = []
    close = difflib.get_close_matches(folder.name, beside, 1, 0.6)
    if close:
        return f" (did you mean {option} {folder.parent / close[0]}?)"
    return f" (use {option} DIR)"


def not_a_folder(path: Path, option: str, what: str, holding: tuple[str, ...] = ()) -> UsageError:
    """Why `path`, named by `option` as the `what` folder ("catalog", "template"), is not
    one: a file (the catalog's own catalog.yaml named, the folder holding it said), or not
    there, with folder_meant's did-you-mean. A file was said "not found", which sent the
    user looking for a typo."""
    if path.exists():
        if path.name in holding:
            holder = os.path.relpath(path.absolute().parent)
            return UsageError(
                f"{option} '{path}' is the {what} file: name the folder holding it,"
                f" {option} {holder}"
            )
        return UsageError(f"{option} '{path}' is a file, not a folder (use {option} DIR)")
    return UsageError(f"{what} folder '{path}' not found{folder_meant(path, option, holding)}")


def context_for(catalog: Path, as_of: str | None, **kw: object) -> Context:
    """The context of a command on the catalog folder `catalog` (UsageError if there is none,
    or if it or the templates folder is a symlink leading out, see check_folder) for the date
    --as-of says (resolve_as_of)."""
    templates = kw.get("templates")
    out = kw.get("out")
    check_names(
        ("--catalog", catalog),
        ("--templates", templates if isinstance(templates, Path) else None),
        ("--out", out if isinstance(out, Path) else None),
    )
    if not catalog.is_dir():
        raise not_a_folder(catalog, "--catalog", "catalog", CATALOG_FILES)
    check_folder(catalog, "catalog")
    check_catalog_named(catalog)
    if isinstance(templates, Path):
        check_folder(templates, "templates")
    return Context(catalog=catalog, as_of=resolve_as_of(as_of), **kw)  # type: ignore[arg-type]


#: the template folder a command uses when --templates is not given, if there is one
TEMPLATES = Path("templates")


def output_context(
    catalog: Path,
    as_of: str | None,
    out: Path,
    templates: Path | None,
    jobs: int | None,
    **kw: object,
) -> Context:
    """The context of a command that writes to --out, which must be a folder of its own; the
    templates are those of --templates, which must then be a folder, else of TEMPLATES."""
    check_names(("--catalog", catalog), ("--templates", templates), ("--out", out))
    if templates is None:
        templates = TEMPLATES
    elif not templates.is_dir():
        raise not_a_folder(templates, "--templates", "template")
    ctx = context_for(catalog, as_of, templates=templates, out=out, jobs=clamp_jobs(jobs), **kw)
    check_out(out, catalog, templates)
    return ctx

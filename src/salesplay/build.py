"""`salesplay build`: check, make editions, render every output in memory, then write atomically."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from salesplay.context import Context, UsageError
from salesplay.diagnostics import (
    Diagnostic,
    Location,
    did_you_mean,
    format_json,
    format_text,
    summary,
)
from salesplay.edition import make_edition
from salesplay.pipeline import check_catalog
from salesplay.resolve import Catalog
from salesplay.views import Edition

if TYPE_CHECKING:
    from salesplay.kits import KitShared

#: kinds of output `--only` accepts.
KINDS = ("battlecards", "playbooks", "decks", "matrix", "site", "kits", "reports")


class BuildFault(Exception):
    """A located error found while rendering (template, deck master, PDF)."""

    def __init__(self, loc: Location, message: str) -> None:
        super().__init__(message)
        self.loc = loc

    @classmethod
    def of(cls, exc: Exception, where: Path) -> BuildFault:
        """A fault that knows its place (templates) keeps it; others are put at `where`."""
        if isinstance(exc, OSError) and exc.filename:
            return cls(Location(Path(exc.filename), 0, 0), f"cannot write: {exc.strerror}")
        loc = getattr(exc, "loc", None)
        return cls(loc if isinstance(loc, Location) else Location(where, 0, 0), str(exc))


@dataclass
class Outputs:
    """Rendered files held in memory until everything has rendered."""

    files: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, rel: str, data: bytes | str) -> None:
        self.files[rel] = data.encode() if isinstance(data, str) else data


@dataclass
class Build:
    """One build: the context, the resolved catalog and its editions."""

    ctx: Context
    cat: Catalog
    editions: dict[str, Edition]
    only: frozenset[str]
    progress: Callable[[str], None]

    def wants(self, kind: str) -> bool:
        return not self.only or kind in self.only

    def counter(self, label: str, total: int) -> Callable[[int], None]:
        """A progress bar for `total` items: call the result once per finished item."""
        done = [0]
        step = max(1, total // 50) if not sys.stderr.isatty() else 1

        def tick(_item: int) -> None:
            done[0] += 1
            if done[0] % step == 0 or done[0] == total:
                self.progress(progress_bar(label, done[0], total))

        return tick


def progress_bar(label: str, done: int, total: int, width: int = 24) -> str:
    """'PDFs [#########···············]  6/16' — plain text, fine in any terminal or log."""
    filled = width * done // max(total, 1)
    return f"{label} [{'#' * filled}{'·' * (width - filled)}] {done:>{len(str(total))}}/{total}"


def _progress_printer() -> Callable[[str], None]:
    tty = sys.stderr.isatty()

    def say(message: str) -> None:
        if tty:
            sys.stderr.write(f"\r\033[K{message}")
        else:
            sys.stderr.write(message + "\n")
        sys.stderr.flush()

    return say


def run_build(ctx: Context, only: list[str]) -> int:
    """Build everything out of date; 0 on success, 1 on any error (build/ left untouched)."""
    started = time.perf_counter()
    unknown = [k for k in only if k not in KINDS]
    if unknown:
        raise UsageError(
            f"unknown output kind '{unknown[0]}'{did_you_mean(unknown[0], KINDS)};"
            f" kinds: {', '.join(KINDS)}"
        )
    cat, diags = _checked(ctx)
    if cat is None:
        return 1
    try:
        _check_out_folder(ctx.out)
    except BuildFault as exc:
        return _fault(exc, "nothing was written")
    editions = {a: make_edition(cat, a) for a in ("internal", "rep", "partner", "public")}
    build = Build(ctx, cat, editions, frozenset(only), _progress_printer())
    outputs = Outputs()
    try:
        from salesplay.render.outputs import render_outputs

        render_outputs(build, outputs)
    except BuildFault as exc:
        return _fault(exc, "nothing was written")
    if build.wants("reports"):
        outputs.add("reports/check.json", format_json(diags))
    try:
        # kits are written one by one as made; prepare them (and render one) first so that
        # a kit template fault stops the build before anything is written
        kit_shared = _prepare_kits(build) if build.wants("kits") and cat.partners else None
    except BuildFault as exc:
        return _fault(exc, "nothing was written")
    kit_names = [_kit_name(p) for p in cat.partners] if kit_shared is not None else []
    try:
        # every target is checked before the first byte is written
        _check_targets(ctx.out, [*outputs.files, *kit_names, OUTPUT_LIST])
    except BuildFault as exc:
        return _fault(exc, "nothing was written")
    build.progress(f"writing {len(outputs.files)} files")
    try:
        written = _write_all(ctx.out, outputs)
    except BuildFault as exc:
        return _fault(exc, "build/ may be incomplete")
    if kit_shared is not None:
        try:
            written += _kits(build, kit_shared, list(cat.partners))
        except BuildFault as exc:
            return _fault(exc, "kits are incomplete")
        outputs.files.update(dict.fromkeys(kit_names, b""))
    try:
        removed = _prune(ctx.out, set(outputs.files), build.wants)
    except BuildFault as exc:
        return _fault(exc, "outputs of earlier builds may be left")
    for warning in outputs.warnings:
        sys.stderr.write(f"{warning}\n")
    elapsed = time.perf_counter() - started
    counts = _counts(outputs.files)
    build.progress(
        f"built {len(outputs.files)} files ({counts}) in {elapsed:.1f} s; {written} changed,"
        f" {removed} removed; {summary(diags)}"
    )
    sys.stderr.write("\n" if sys.stderr.isatty() else "")
    return 0


#: where a build records the files it wrote, so the next one can remove what it no longer makes.
OUTPUT_LIST = ".salesplay/outputs.json"


def _kind_of(rel: str) -> str:
    head = rel.split("/", 1)[0]
    return "matrix" if head.startswith("matrix.") else head


def _kit_name(partner_id: str) -> str:
    return f"kits/{partner_id}.zip"


def _check_out_folder(out: Path) -> None:
    """An existing --out must be a folder: a located fault before anything is rendered."""
    if out.is_symlink() and not out.exists():
        raise BuildFault(Location(out, 0, 0), f"--out '{out}' is a broken symbolic link")
    if out.exists() and not out.is_dir():
        raise BuildFault(Location(out, 0, 0), f"cannot write: --out '{out}' is not a folder")


def _check_targets(out: Path, names: Iterable[str]) -> None:
    """Every output stays inside --out (no '..', absolute name or link on the way)."""
    from salesplay.write import UnsafeTarget, check_target

    for rel in sorted(names):
        try:
            check_target(out, rel)
        except UnsafeTarget as exc:
            raise BuildFault(Location(exc.path, 0, 0), str(exc)) from None


def write_file(out: Path, rel: str, data: bytes) -> bool:
    """Write one output under `out` (see write.write_output); faults are located BuildFaults."""
    from salesplay.write import UnsafeTarget, write_output

    try:
        return write_output(out, rel, data)
    except UnsafeTarget as exc:
        raise BuildFault(Location(exc.path, 0, 0), str(exc)) from None
    except OSError as exc:
        # an unwritable or misplaced --out is the user's to fix, not a crash
        raise BuildFault(Location(out / rel, 0, 0), f"cannot write: {exc.strerror}") from None


def recorded_outputs(out: Path) -> set[str]:
    """The outputs the last build recorded, keeping only names a build can make.

    A missing, corrupt or hostile record (absolute names, '..', unknown kinds, links)
    means nothing to prune; it never fails.
    """
    import json

    from salesplay.write import output_parts, read_output

    try:
        entries = json.loads(read_output(out, OUTPUT_LIST).decode("utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(entries, list):
        return set()
    kept = set()
    for rel in entries:
        if not isinstance(rel, str):
            continue
        try:
            parts = output_parts(rel)
        except ValueError:
            continue
        kind = _kind_of(rel)
        if kind in KINDS and (len(parts) == 1) == (kind == "matrix"):
            kept.add(rel)
    return kept


def _prune(out: Path, produced: set[str], wants: Callable[[str], bool]) -> int:
    """Delete outputs an earlier build wrote that this one no longer makes (only its kinds).

    Only regular files and links inside `out` are removed (a link itself, never what it
    points to); temporary files a killed build left behind go too.
    """
    import json

    from salesplay.write import remove_output, sweep_temp_files

    removed = 0
    kept = set(produced)
    for rel in sorted(recorded_outputs(out) - produced):
        if not wants(_kind_of(rel)):
            kept.add(rel)
        elif remove_output(out, rel):
            removed += 1
    write_file(out, OUTPUT_LIST, (json.dumps(sorted(kept), indent=1) + "\n").encode())
    sweep_temp_files(out, [k for k in KINDS if k != "matrix"] + [".salesplay"])
    return removed


def _counts(files: dict[str, bytes]) -> str:
    by_ext: dict[str, int] = {}
    for rel in files:
        ext = Path(rel).suffix.lstrip(".") or "other"
        by_ext[ext] = by_ext.get(ext, 0) + 1
    return ", ".join(f"{n} {ext}" for ext, n in sorted(by_ext.items()))


def _write_all(out: Path, outputs: Outputs) -> int:
    """Write every file atomically; unchanged files are left alone (mtime kept)."""
    return sum(write_file(out, rel, data) for rel, data in sorted(outputs.files.items()))


def _checked(ctx: Context) -> tuple[Catalog | None, list[Diagnostic]]:
    """Check the catalog and print its diagnostics; no catalog when it has errors."""
    cat = check_catalog(ctx)
    diags = ctx.reporter.sorted(ctx.strict)
    sys.stderr.write(format_text(diags))
    if cat is None or ctx.reporter.has_errors(ctx.strict):
        sys.stderr.write(f"build stopped: {summary(diags)}\n")
        return None, diags
    return cat, diags


def _fault(exc: BuildFault, outcome: str) -> int:
    from salesplay.diagnostics import Severity

    sys.stderr.write(Diagnostic(exc.loc, Severity.ERROR, str(exc), "build").format() + "\n")
    sys.stderr.write(f"build stopped: {outcome}\n")
    return 1


def _prepare_kits(build: Build, partners: list[str] | None = None) -> KitShared:
    """Render what the kits share; render one kit in memory to prove the kit templates."""
    from salesplay import kits

    names = partners if partners is not None else list(build.cat.partners)
    shared = kits.prepare(
        build.cat,
        build.editions,
        names,
        templates=build.ctx.templates,
        out=build.ctx.out,
        jobs=build.ctx.jobs,
        progress=build.progress,
    )
    if names:
        kits.kit_zip(shared, names[0])  # a BuildFault now, before anything is written
    return shared


def _kits(build: Build, shared: KitShared, partners: list[str]) -> int:
    """Build partner kits; this process writes each as soon as a worker has made it."""
    from salesplay import kits

    tick = build.counter("kits", len(partners))
    done = 0
    # closing: a write fault stops the workers now, not when the generator is collected
    with closing(kits.build_kits(shared, partners, build.ctx.jobs)) as made:
        for partner_id, data in made:
            write_file(build.ctx.out, _kit_name(partner_id), data)
            tick(done)
            done += 1
    return done


def run_kits(ctx: Context, partner_ids: list[str]) -> int:
    """`salesplay kit PARTNER…`: check, then build only those partners' kits."""
    started = time.perf_counter()
    cat, _ = _checked(ctx)
    if cat is None:
        return 1
    for pid in partner_ids:
        if pid not in cat.partners:
            raise UsageError(f"unknown partner '{pid}'{did_you_mean(pid, cat.partners)}")
    partners = list(dict.fromkeys(partner_ids))
    try:
        _check_out_folder(ctx.out)
        _check_targets(ctx.out, [_kit_name(p) for p in partners])
    except BuildFault as exc:
        return _fault(exc, "nothing was written")
    editions = {a: make_edition(cat, a) for a in ("partner", "public")}
    build = Build(ctx, cat, editions, frozenset({"kits"}), _progress_printer())
    try:
        n = _kits(build, _prepare_kits(build, partners), partners)
    except BuildFault as exc:
        return _fault(exc, "kits are incomplete")
    from salesplay.write import sweep_temp_files

    sweep_temp_files(ctx.out, ["kits"])
    build.progress(f"built {n} kits in {time.perf_counter() - started:.1f} s")
    sys.stderr.write("\n" if sys.stderr.isatty() else "")
    return 0

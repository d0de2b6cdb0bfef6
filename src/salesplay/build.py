"""`salesplay build`: check, make editions, render every output in memory, then write atomically."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from salesplay import families as _families
from salesplay import interrupts
from salesplay.context import Context, UsageError
from salesplay.diagnostics import (
    Diagnostic,
    Location,
    did_you_mean,
    format_text,
    sort_diagnostics,
    summary,
)
from salesplay.faults import BuildFault
from salesplay.outputs import (
    OUTPUT_LIST,
    kind_of,
    planners_of,
    prune,
    recorded_planners,
    remove_outputs,
    stage_file,
    unmade,
    write_all,
    write_each,
    write_file,
)
from salesplay.progress import Progress, printer

if TYPE_CHECKING:
    from salesplay.engine.early import EarlyStarts, Standby
    from salesplay.engine.executor import Executor
    from salesplay.engine.records import FileMemo, Records
    from salesplay.engine.schedule import Made
    from salesplay.engine.units import Kept, Unit
    from salesplay.labels import Labels
    from salesplay.memo import Jargon
    from salesplay.models import Audience
    from salesplay.outlock import OutLock
    from salesplay.resolve import Catalog
    from salesplay.views import Edition

#: kinds of output `--only` accepts: the output families.
KINDS = _families.KINDS


def _unknown_kinds(only: Iterable[str]) -> None:
    kinds = _families.KINDS  # read at call time: the registry is the one list
    unknown = [k for k in only if k not in kinds]
    if unknown:
        raise UsageError(
            f"unknown output family '{unknown[0]}'{did_you_mean(unknown[0], kinds)};"
            f" families: {', '.join(kinds)}"
        )


def git_reads(only: Iterable[str]) -> frozenset[str]:
    """What of git the wanted families read (Family.git); imports every wanted family."""
    wanted = set(only) or set(_families.KINDS)
    return frozenset(what for name in wanted for what in _families.family(name).git)


def fingerprint(
    ctx: Context,
    only: Iterable[str],
    reads: Iterable[str],
    memo: FileMemo | None = None,
    catalog: str | None = None,
) -> str:
    """Every input of a build: catalog and template files, options, as-of date, and what of
    git the wanted families read (`reads`, see git_reads). `catalog` is the catalog's tree
    digest when the caller has it already.

    Equal fingerprints and untouched outputs mean the build would change nothing.
    """
    from salesplay.engine.records import key_of, tree_digest
    from salesplay.render.theme import template_dirs
    from salesplay.write import git_revision, git_tags

    wanted = sorted(set(only) or _families.KINDS)
    reads = set(reads)
    revision = git_revision(ctx.catalog) if "revision" in reads else None
    tags = git_tags(ctx.catalog) if "tags" in reads else None
    return key_of(
        "build",
        wanted,
        ctx.strict,
        ctx.as_of,
        str(Path(ctx.catalog).resolve()),
        str(ctx.out.resolve()),
        catalog or tree_digest([Path(ctx.catalog)], memo),
        tree_digest(template_dirs(ctx.templates), memo),
        revision,
        tags,
    )


def _roots(ctx: Context) -> dict[str, Path]:
    """The folders a kept warning may name a file in, where they are now (Records.reanchor)."""
    roots = {"catalog": Path(ctx.catalog).resolve()}
    if ctx.templates is not None:
        roots["templates"] = Path(ctx.templates).resolve()
    # a warning at an output (a refused fetch) names it under --out, as kept: absolute,
    # not resolved (Diagnostic.to_record); a build folder moved or renamed keeps its records
    roots["out"] = Path(ctx.out).absolute()
    return roots


def run_build(
    ctx: Context,
    only: list[str],
    *,
    clean: bool = False,
    partners: list[str] | None = None,
    source_only: bool = False,
    waiting: Callable[[str], None] | None = None,
) -> int:
    """Build what is out of date; 0 on success, 1 on any error (build/ left untouched).

    `partners` limits the kits to those partners (`salesplay kit`); `source_only` to the
    source locale's outputs (serve's first pass: the pages a save shows first, the other
    locales' follow); either leaves every other output and its record as it is. `clean`
    ignores the records of earlier builds and makes everything. `waiting` is told, besides
    the terminal, when the build waits for another build into its --out (serve shows it).
    """
    from salesplay.outlock import OutLock

    started = time.perf_counter()
    _unknown_kinds(only)
    progress = Progress(printer())

    def say(message: str) -> None:
        progress.say(message)
        if waiting is not None:
            waiting(message)

    # another build into --out (make while serve rebuilds) ends before this one reads its
    # records; a folder not made yet is locked just before the first write
    from salesplay.write import SCRATCH, drop_scratch

    # a stopped build leaves none of the folders it made only to read history in: an --out
    # that was there kept the scratch folder it made (build/.salesplay/tmp)
    existed = [f for f in (ctx.out / SCRATCH, (ctx.out / SCRATCH).parent, ctx.out) if f.exists()]
    from salesplay.cachefiles import CACHE
    from salesplay.spares import POOL

    # nor those it made for what it then did not keep: the kit cache a kit's band file was
    # staged in, the spares' pool a replaced kit was held in (put back since)
    unmade = [rel for rel in (CACHE, POOL) if not os.path.lexists(ctx.out / rel)]
    code = 1
    try:
        with OutLock(ctx.out, say) as lock:
            lock.take_existing()
            try:
                code = _locked_build(
                    ctx, only, clean, partners, source_only, progress, lock, started
                )
            finally:
                if code != 0 and ctx.out.is_dir() and not ctx.out.is_symlink():
                    # while --out is still locked: a build waiting for the lock planned
                    # without the kit cache a --clean build set aside, made its own, and the
                    # put-back then failed over it, the set-aside cache swept
                    _tidy_stopped(ctx.out, clean, unmade)
            return code
    finally:
        if code != 0:
            # what it would have kept once whole is not kept (a long-lived context's next
            # build must not write it)
            ctx.when_whole.clear()
            # a first build that stopped leaves no --out, though it read history under it
            drop_scratch(ctx.out, existed)


def _tidy_stopped(out: Path, clean: bool, unmade: Sequence[str]) -> None:
    """What a stopped build leaves: its workers are gone (terminated, waited for) and its
    writers done, so what they or it staged or extracted and never committed goes, as the
    next build would remove it; the kit cache a --clean build set aside is put back first;
    then the folders it made (`unmade`) go if empty."""
    from salesplay.outputs import sweep_leftovers
    from salesplay.write import remove_empty_folder

    if clean:
        _put_back_cache(out)
    sweep_leftovers(out, mine=True)
    for rel in unmade:
        remove_empty_folder(out, rel)


def _locked_build(
    ctx: Context,
    only: list[str],
    clean: bool,
    partners: list[str] | None,
    source_only: bool,
    progress: Progress,
    lock: OutLock,
    started: float,
) -> int:
    """run_build with --out locked (or not made yet)."""
    from salesplay.engine.records import Records

    partial = partners is not None or source_only
    records = Records() if clean else Records.load(ctx.out)
    records.reanchor(_roots(ctx))
    # the catalog's files are walked once for both keys: the build's and the check's
    tree = None
    if partners is None or ctx.memo is not None:
        from salesplay.engine.records import tree_digest

        tree = tree_digest([Path(ctx.catalog)], records.files)
    # nothing changed? asked with what the last build's families read of git: asking the
    # families imports them, which costs more than the whole answer (a change of families
    # changes salesplay's code, hence the fingerprint)
    recorded = _recorded_reads(records)
    print_ = None
    if not partial and recorded is not None:
        print_ = fingerprint(ctx, only, recorded, records.files, tree)
        if _nothing_changed(ctx, records, print_, started, progress):
            return 0
    reads = git_reads(only)
    # a source-locale build is complete when the catalog has one language (known after
    # the check); its fingerprint is then kept, so serve's next pass finds nothing to do
    if partners is None and (print_ is None or reads != recorded):
        print_ = fingerprint(ctx, only, reads, records.files, tree)
    from salesplay.imagecache import ImageCache

    # --clean decodes every image again too; what it decodes is kept for the next build
    memory = ctx.memo.images if ctx.memo is not None and not clean else None
    ctx.images = ImageCache(
        None if clean else ctx.out, jobs=ctx.jobs, memory=memory, publishes=True
    )
    from salesplay.parsecache import ParseCache

    # serve's builder keeps parsed files in its memo: reading the stored ones would only
    # cost time there (the file it misses is the one just saved)
    ctx.parses = None if ctx.memo is not None else ParseCache(None if clean else ctx.out)
    from salesplay.jargoncache import JargonCache

    # the same for the jargon scans of the cards' texts (the slow part of an edition)
    ctx.scans = None if ctx.memo is not None else JargonCache(None if clean else ctx.out)
    from salesplay.engine.early import EarlyStarts

    # with a worker to spare, a long document (a playbook) starts as soon as it is planned,
    # the first on a standby process that imports what it needs while the catalog is checked
    early = EarlyStarts(
        ctx.jobs - 1,
        lambda u: clean or not records.fresh(ctx.out, u.rel, u.key),
        _standby(ctx, only, partial, records.files),
    )
    try:
        cat, diags = _checked(
            ctx, None if tree is None or ctx.memo is None else check_key(ctx, tree)
        )
        if cat is None:
            return 1
        if source_only and not cat.config.translated:
            source_only = False  # one language: the source locale's outputs are all of them
        if source_only:
            print_ = None
        if partners is not None:
            for pid in partners:
                if pid not in cat.partners:
                    raise UsageError(cat.unknown("partner", pid))
        return _build(ctx, cat, diags, only, partners, progress, records, clean, source_only,
                      early, print_, reads, started, lock)  # fmt: skip
    finally:
        early.close()


def _standby(ctx: Context, only: list[str], partial: bool, files: FileMemo) -> Standby | None:
    """A process importing what the wanted families' long units need while the catalog is
    checked (engine.early.Standby): for a whole build on more than one CPU, in a process of
    its own (a resident builder, serve's, has them imported already).

    None when every catalog file changed since the last build (`files`, the catalog walked)
    is an entity all those families ignore (a partner's contact): their long units are
    fresh, and a standby importing on the other CPU would only slow the build down.
    """
    from salesplay.engine.early import Standby
    from salesplay.families import families
    from salesplay.models import ENTITY_FOLDERS

    if ctx.jobs < 2 or partial or ctx.memo is not None:
        return None
    wants = _wants(only)
    warm = [fam for fam in families() if wants(fam.name) and fam.warm is not None]
    if not warm:
        return None
    ignored = frozenset.intersection(*(fam.ignores for fam in warm))
    folders = {ENTITY_FOLDERS[kind] for kind in ignored}
    changed = files.changed_under(Path(ctx.catalog))
    # a change seen nowhere in the catalog's files (a template, the date) may touch them
    if changed and all(rel.split("/")[0] in folders for rel in changed):
        return None
    warms = [fam.warm for fam in warm if fam.warm is not None]
    try:
        # one per CPU: those the plan leaves are made on them all once it is done
        return Standby(list(dict.fromkeys(warms)), siblings=ctx.jobs - 1)
    except OSError:
        return None  # no process to spare: long units start on forks as before


def _build(
    ctx: Context,
    cat: Catalog,
    diags: list[Diagnostic],
    only: list[str],
    partners: list[str] | None,
    progress: Progress,
    records: Records,
    clean: bool,
    source_only: bool,
    early: EarlyStarts,
    print_: str | None,
    reads: frozenset[str],
    started: float,
    lock: OutLock,
) -> int:
    """run_build once the catalog is checked: plan, make, write, prune, record."""
    from salesplay.engine.records import RECORDS

    partial = partners is not None or source_only
    # what the last build recorded, before this one notes its own: the outputs to prune by
    # if the output list is lost (outputs.recorded_planners)
    known = frozenset(records.entries)
    # a replan (engine.plans: an output of a reused plan changed) plans every family anew
    replan = functools.partial(
        _plan,
        ctx,
        cat,
        diags,
        only,
        partners,
        progress,
        clean=clean,
        source_only=source_only,
        keeps=True,
    )
    try:
        _check_out_folder(ctx.out)
        if clean:
            _set_aside_cache(ctx)
        units = replan(records=records, early=early)
        early.planned()
        # every target is checked before the first byte is written
        _check_targets(ctx.out, [*(u.rel for u in units), OUTPUT_LIST, RECORDS])
        wants = _wants(only)
        _check_removable(ctx.out, _doomed(ctx.out, units, wants, partners, partial, known))
    except BuildFault as exc:
        return _fault(ctx, exc, "nothing was written")

    try:
        # --out is locked (if this build made it) before the first output is written; the
        # cache files the build keeps wait until it is whole (Context.when_whole)
        done = _make_and_write(
            ctx, units, records, clean, progress, diags, wants, replan, early, lock.take
        )
    except _Unwritten as exc:
        return _fault(ctx, exc.fault, "nothing was written")
    try:
        warnings = format_text(done.warnings)
        sys.stderr.write(warnings)
        total = summary([*diags, *done.warnings])
        if done.stopped:
            sys.stderr.write(f"build stopped: nothing was written; {total}\n")
            return 1
        units = done.units
        try:
            produced = planners_of(units)
            recorded = {} if partial else recorded_planners(ctx.out, known)
            gone = unmade(recorded, produced, wants)
            removed = 0 if partial else prune(ctx.out, produced, wants, recorded, gone)
            if partners is not None:
                # the named partners' kits in a language they no longer take
                gone = _other_kits(ctx.out, partners, produced, known)
                removed = remove_outputs(ctx.out, gone, known, produced)
                records.forget(gone)
            if not partial:
                # a record goes with its output; one of no listed output, if its kind was planned
                records.forget(
                    r
                    for r in records.entries
                    if r in gone or (r not in produced and r not in recorded and wants(kind_of(r)))
                )
            if not source_only:  # the other locales' kits keep their cache entries
                _sweep_cache(ctx.out, units, wants)
            if not partial:
                from salesplay.families.base import sweep_parts

                sweep_parts(ctx.out, (u.rel for u in units), lambda rel: wants(kind_of(rel)))
            _save_images(ctx)
        except BuildFault as exc:  # write.Unremovable too: a folder made read-only meanwhile
            return _fault(ctx, exc, "outputs of earlier builds may be left")
        elapsed = time.perf_counter() - started
        made = sorted(u.rel for u in units)
        line = (
            f"built {_files(len(made))} ({_counts(made)}) in {elapsed:.1f} s;"
            f" {done.written} changed, {removed} removed; {total}"
        )
        # a --strict build failed by a later stage's warning is not a build to repeat quietly
        failed = ctx.strict and bool(done.warnings)
        records.fingerprint = None if failed else print_
        records.report = {
            "diagnostics": format_text(diags),
            "warnings": warnings,
            "outputs": made,
            "counts": _counts(made),
            "summary": total,
            "git": sorted(reads),
            # the lines above name files from where the command ran (display_path), and
            # as its folder options were spelt (`../plays` or `/proj/plays`)
            "cwd": _said_from(ctx),
        }
        try:
            write_file(ctx.out, RECORDS, records.to_json())
        except BuildFault as exc:
            unsaved = "the build's records were not saved; the next build remakes all"
            return _fault(ctx, exc, unsaved)
        progress.say(line)
        sys.stderr.write("\n" if sys.stderr.isatty() else "")
        if failed:
            sys.stderr.write(f"build stopped: --strict and {total}\n")
            return 1
        return 0
    finally:
        interrupts.unhold()  # held since the outputs were committed (_make_and_write)


def _other_kits(
    out: Path, partners: list[str], produced: dict[str, frozenset[str]], known: frozenset[str]
) -> set[str]:
    """The kits of `partners` an earlier build made that this one did not: in a locale the
    partner no longer takes (`salesplay kit P` after P's `locale:` changed)."""
    from salesplay.families.kits import path_of
    from salesplay.locales import delocalized

    theirs = {path_of(pid) for pid in partners}
    return {
        rel
        for rel in recorded_planners(out, known)
        if delocalized(rel)[0] in theirs and rel not in produced
    }


def _recorded_reads(records: Records) -> frozenset[str] | None:
    """What of git the last build's families read (git_reads), as its records say."""
    reads = records.report.get("git")
    if not isinstance(reads, list) or not all(isinstance(r, str) for r in reads):
        return None
    return frozenset(reads)


def _wants(only: Iterable[str]) -> Callable[[str], bool]:
    kinds = frozenset(only)
    return lambda kind: not kinds or kind in kinds


def _said_from(ctx: Context) -> list[str | None] | None:
    """Where the command runs and its folders as its diagnostics name them (display_path of
    each: a file under one is named by it, `../plays/…` or `/proj/plays/…`); None if the
    working folder is gone."""
    from salesplay.diagnostics import display_path

    try:
        cwd = os.getcwd()
    except OSError:
        return None
    folders = (ctx.catalog, ctx.templates, ctx.out)
    return [cwd, *(None if f is None else display_path(Path(f), Path(cwd)) for f in folders)]


def _nothing_changed(
    ctx: Context, records: Records, print_: str, started: float, progress: Progress
) -> bool:
    """The fast path: same inputs as the last complete build and its outputs untouched.

    Says what that build said (its diagnostics and counts) with "0 changed".
    """
    report = records.report
    outputs = report.get("outputs")
    if records.fingerprint != print_ or not isinstance(outputs, list):
        return False
    if not records.all_present(ctx.out, [str(o) for o in outputs]):
        return False
    if not (ctx.out / OUTPUT_LIST).is_file():
        return False  # what the next build prunes by: made again by a build that plans
    if report.get("cwd") != _said_from(ctx):
        # its diagnostics name files from where that build ran: said from elsewhere, they
        # named files that are not there (`plays/…` for `proj/plays/…`)
        return False
    sys.stderr.write(str(report.get("diagnostics", "")))
    sys.stderr.write(str(report.get("warnings", "")))
    elapsed = time.perf_counter() - started
    progress.say(
        f"built {_files(len(outputs))} ({report.get('counts', '')}) in {elapsed:.1f} s;"
        f" 0 changed, 0 removed; {report.get('summary', '')}"
    )
    sys.stderr.write("\n" if sys.stderr.isatty() else "")
    return True


def _plan(
    ctx: Context,
    cat: Catalog,
    diags: list[Diagnostic],
    only: Iterable[str],
    partners: list[str] | None,
    progress: Progress,
    records: Records | None = None,
    clean: bool = False,
    source_only: bool = False,
    early: EarlyStarts | None = None,
    scratch_at: Path | None = None,
    keeps: bool = False,
) -> list[Unit]:
    """Every unit of the wanted families, one per output path; template faults stop here.

    Each locale of the catalog is planned on its own: its catalog with its translations in
    place (localize.localized), its editions, its built-in labels; a localized family's outputs
    of a locale other than the source locale live under that locale's folder.

    With `records`, a family that ignores some entities (Family.ignores) and whose plan
    inputs are those of its recorded plan, with every output of that plan untouched, is not
    planned again: its outputs come back as fresh units without bytes (engine.plans); the
    families get the same keys for parts of their plans (Sources.plans).

    `keeps`: the cache files the families keep while planning are written once the build
    is whole (Context.when_whole); without it, as for `check --templates`, none is.
    """
    from salesplay.edition import Editions
    from salesplay.engine.plans import PlanKeys
    from salesplay.engine.records import PlannedOutput
    from salesplay.engine.schedule import merge
    from salesplay.engine.units import Unit
    from salesplay.families import families
    from salesplay.families.base import Sources
    from salesplay.gitrev import SHALLOW_HINT
    from salesplay.labels import labels_for
    from salesplay.locales import localized_path
    from salesplay.localize import localized
    from salesplay.render.templates import make_env, template_dirs
    from salesplay.render.theme import check_overrides
    from salesplay.write import git_objects, git_shallow

    wants = _wants(only)
    locales = (cat.config.source_locale, *cat.config.locales)
    check_overrides(ctx.templates, locales)
    wanted = [fam for fam in families() if wants(fam.name)]
    keys = None
    if records is not None:
        keys = PlanKeys(
            records,
            Path(ctx.catalog),
            ctx.out,
            template_dirs(ctx.templates),
            diags,
            (ctx.strict, ctx.as_of, partners),
            functools.partial(_git_read, ctx.catalog),
        )
    # asked of git once a plan, not once a family and locale
    objects = git_objects(ctx.catalog) if any(fam.git for fam in wanted) else None
    shallow = any(fam.git for fam in wanted) and git_shallow(ctx.catalog)
    if shallow:
        progress.say(
            "note: the catalog's repository is a shallow clone, without the releases before"
            f" its tip: What's new and the feeds tell none of them{SHALLOW_HINT}"
        )
    units: list[Unit] = []
    for locale in locales[:1] if source_only else locales:
        translated = locale != locales[0]
        planned = [fam for fam in wanted if fam.localized or not translated]
        if not planned:
            continue
        labels = labels_for(locale, template_dirs(ctx.templates))
        here = localized(cat, locale)
        jargon = ctx.scans if ctx.memo is None else ctx.memo.jargon
        editions = Editions(functools.partial(_edition, here, labels, jargon))
        src = Sources(
            here,
            editions,
            ctx.templates,
            make_env(ctx.templates, labels=labels, compiled=_compiled(ctx)),
            diags,
            ctx.out,
            progress.say,
            partners,
            labels,
            locales,
            keys,
            clean,
            None if ctx.memo is None or keys is None else ctx.memo.pages,
            scratch_at=scratch_at,
            git_objects=objects,
            shallow=shallow,
            when_whole=ctx.when_whole if keeps else None,
        )
        for fam in planned:
            name, key = f"{fam.name}@{locale}", None
            if keys is not None and (fam.ignores or fam.skims):
                skimmed = () if fam.skimmed is None else (fam.skimmed(src),)
                key = keys.key(
                    fam.name, locale, locales, fam.ignores, localized=fam.localized,
                    git=fam.git, extra=skimmed, skims=fam.skims,
                )  # fmt: skip
                kept = keys.reused(name, key)
                if kept is not None:
                    units += [
                        Unit(o.rel, fam.name, o.key, stage=o.stage, subject=o.subject) for o in kept
                    ]
                    continue
            made = []
            by = frozenset({fam.name})
            for unit in fam.plan(src.without(fam.ignores)):
                rel = localized_path(unit.rel, locale, locales[0]) if translated else unit.rel
                _check_owner(fam.name, unit.family, rel)
                unit = replace(unit, rel=rel, planners=by)
                if early is not None:
                    # a long document starts as soon as it is planned, while the rest is
                    early.offer([unit])
                made.append(unit)
            if early is not None:
                # what a later stage needs first (the kits' new partner cards), with them
                for prep in dict.fromkeys(u.prepare for u in made if u.prepare is not None):
                    early.offer(prep.soon(), first=True)
            if key is not None and keys is not None:
                outputs = [PlannedOutput(u.rel, u.key, u.stage, u.subject) for u in made]
                keys.keep(name, key, outputs)
            units += made
    return merge(units)


def _check_owner(planner: str, kind: str, rel: str) -> None:
    """A planned output must lie under a glob of the family it names (a site asset the
    matrix plans names the site): else `--only` of one family would overwrite another's
    output without a word (merge sees two units for one path only when both are planned),
    and an output no family owns would be written but never pruned."""
    found = _families.owner(rel)
    if found is None or found.name != kind:
        whose = "no family" if found is None else f"family '{found.name}'"
        raise BuildFault(
            Location(Path(rel), 0, 0),
            f"family '{planner}' plans an output of '{kind}' at a path {whose} owns:"
            " a path belongs to the one family whose `outputs` globs match it",
        )


def _edition(cat: Catalog, labels: Labels, jargon: Jargon | None, audience: str) -> Edition:
    from salesplay.edition import make_edition

    return make_edition(cat, cast("Audience", audience), labels=labels, jargon=jargon)


def _git_read(catalog: Path, what: str) -> str | None:
    """What of the catalog's git a plan reads: "revision" or "tags"."""
    from salesplay.write import git_revision, git_tags

    return (git_revision if what == "revision" else git_tags)(catalog)


def check_outputs(ctx: Context, cat: Catalog) -> None:
    """Plan every output as a build would, writing nothing: a template or deck master fault
    joins ctx.reporter as a located error (`salesplay check --templates`); what WeasyPrint
    would ignore in the project's print stylesheets joins it as located warnings."""
    import tempfile

    import jinja2

    from salesplay.labels import label_faults, unused_overrides
    from salesplay.render.decks import master_warnings
    from salesplay.render.templates import make_env, project_sources, template_dirs
    from salesplay.render.unusedfiles import unused_files
    from salesplay.write import temp_prefix

    diags = ctx.reporter.sorted(ctx.strict)
    # every faulty entry of the label catalogs the build reads, each at its line: planning
    # stops at the first, and `check` said one a run
    locales = (cat.config.source_locale, *cat.config.locales)
    faults = label_faults(template_dirs(ctx.templates), locales)
    ctx.reporter.diagnostics += faults
    # a reading command writes nothing in --out: the catalog at an earlier revision (what's
    # new, the report's releases) is extracted in a folder of its own, gone when it ends
    with tempfile.TemporaryDirectory(prefix=temp_prefix("check")) as scratch_at:
        try:
            if not faults:
                quiet = Progress(lambda _m: None)
                _plan(ctx, cat, diags, [], None, quiet, scratch_at=Path(scratch_at))
        except BuildFault as exc:
            ctx.reporter.error(exc.loc, str(exc), "template", exc.subject)
    ctx.reporter.diagnostics += _css_warnings(ctx, cat)
    locales = (cat.config.source_locale, *cat.config.locales)
    ctx.reporter.diagnostics += unused_files(ctx.templates, locales)
    ctx.reporter.diagnostics += master_warnings(ctx.templates)
    if ctx.reporter.has_errors():
        return  # templates that cannot be planned: their labels are not linted
    extract = make_env(ctx.templates).extract_translations  # type: ignore[attr-defined]
    asked: set[str] = set()
    for _name, _path, source in project_sources(ctx.templates):
        try:
            asked |= {text for _line, _call, text in extract(source) if isinstance(text, str)}
        except jinja2.TemplateSyntaxError:
            continue  # a template no page uses, broken: it asks for nothing

    locales = (cat.config.source_locale, *cat.config.locales)
    ctx.reporter.diagnostics += unused_overrides(ctx.templates, locales, asked)


def _css_warnings(ctx: Context, cat: Catalog, out: Path | None = None) -> list[Diagnostic]:
    """What WeasyPrint would ignore in the project's print stylesheets (render.csslint); a
    build keeps the last lint in `out`."""
    from salesplay.render.csslint import lint_stylesheets
    from salesplay.render.templates import template_dirs

    roots = (Path(cat.root) / "assets", *template_dirs(ctx.templates))
    return lint_stylesheets(ctx.templates, roots, out, ctx.when_whole)


class _Unwritten(Exception):
    """A fault before any output is written (while stage 0, and what later stages need
    first, is made)."""

    def __init__(self, fault: BuildFault) -> None:
        super().__init__(str(fault))
        self.fault = fault


@dataclass
class _Done:
    """What making and writing left: every output, the count written, the render warnings."""

    units: list[Unit]
    written: int
    #: located warnings of the renderers (fresh outputs' as recorded), sorted; errors under
    #: --strict.
    warnings: list[Diagnostic]
    #: --strict and a render warning known before writing: nothing was written.
    stopped: bool = False


def _make_and_write(
    ctx: Context,
    units: list[Unit],
    records: Records,
    clean: bool,
    progress: Progress,
    diags: list[Diagnostic],
    wants: Callable[[str], bool],
    replan: Callable[[], list[Unit]],
    early: EarlyStarts | None = None,
    before_writing: Callable[[], None] = lambda: None,
) -> _Done:
    """Make the stale units stage by stage; write what changed; record every output.

    Stage 0 (pages, PDFs, decks) is made in memory before anything is written, so that a
    fault, or under --strict a render warning, leaves build/ as it was; later stages (kits)
    are written as each is made. Last come the outputs made from every diagnostic
    (reports/check.json). `before_writing` runs before the first output is written (it
    locks an --out made by this build). The cache files a make keeps (engine.units.Kept)
    and those the build keeps (Context.when_whole) are written once every output is in for
    good: a fault in any stage puts back the outputs written so far, and these are then
    never written (written with the first output, a kit's fault left them).
    """
    from salesplay.cachefiles import write_kept
    from salesplay.engine.executor import executor_for
    from salesplay.engine.schedule import Made as MadeOutput
    from salesplay.engine.schedule import (
        collect,
        making_order,
        merge,
        preparations,
        run_stage,
        split,
    )
    from salesplay.outputs import FreedAhead, Journal, held_until

    plan = split(units, records, ctx.out, clean=clean)
    if any(u.make is None and u.data is None for u in plan.stale):
        # an output of a reused plan changed after _plan found it fresh: plan everything
        units = replan()
        plan = split(units, records, ctx.out, clean=clean)
    executor = executor_for(ctx.jobs)
    warnings: dict[str, tuple[Diagnostic, ...]] = {
        u.rel: records.warnings(u.rel) for u in plan.fresh
    }
    hooks = preparations(plan.stale)
    try:
        # what later stages need (the kits' cards and decks) is made with stage 0, on the
        # same workers: no core waits for stage 0's last document before the kits' start
        ahead = list(dict.fromkeys(u for hook, us in hooks.items() for u in hook.ahead(us)))
    except BuildFault as exc:
        raise _Unwritten(exc) from None
    ready: dict[Unit, bytes] = {}
    # the warnings of what the kits hold (a customer brief past its page): as made ahead,
    # or kept beside the cache; said with each kit's record
    ready_warned: dict[Unit, tuple[Diagnostic, ...]] = {}
    written = 0
    # what each stage replaces is kept until the last is written: a fault in any stage (a
    # kit, the report) puts back everything, as a fault in stage 0 leaves it
    journal = Journal(ctx.out)
    # the first stage's units on the standbys that no later stage needs (the rep's card) are
    # not waited for once the next stage can start: its outputs are committed after them
    # (held_until). Not under --strict, which stops before writing on the first's warnings.
    overlap = early is not None and not ctx.strict and any(u.stage > 0 for u in plan.stale)
    deferred: list[Unit] = []
    first_made: list[MadeOutput] = []
    first_tick: Callable[[Unit], None] = _no_tick  # stage 0's progress, for the deferred
    # the cache files each output's make kept (a playbook's chapters, a kit's band file),
    # written once the build is whole; what a kit's worker staged is swept if it stops
    keeps: list[Kept] = []

    def record(writes: Iterator[tuple[MadeOutput, bool]]) -> None:
        nonlocal written
        for item, changed in writes:
            written += changed
            records.note(ctx.out, item.unit.rel, item.unit.key, item.warnings)
            warnings[item.unit.rel] = item.warnings
            keeps.extend(item.kept)

    def write_first() -> None:
        """Stage 0 written, all or none, once its deferred units are in."""
        assert early is not None
        first_made.extend(collect(deferred, early, executor, first_tick))
        deferred.clear()
        first_made.sort(key=lambda m: m.unit.rel)
        warnings.update((m.unit.rel, m.warnings) for m in first_made)
        record(iter(write_all(ctx.out, first_made, journal)))

    try:
        # stage 0 is always visited: under --strict, fresh outputs' recorded warnings stop the
        # build before writing even when nothing is stale
        for stage in sorted({0} | {u.stage for u in units}):
            stale = [u for u in plan.stale if u.stage == stage]
            freed: FreedAhead | None = None
            if stage == 0:
                firsts = {id(u) for u in ahead}
                tick = progress.counter(_stage_label([*stale, *ahead]), len(stale) + len(ahead))
                made = first_made
                first_tick = tick
                later = functools.partial(_not_in, firsts) if overlap else None
                try:
                    for item in run_stage(
                        [*stale, *ahead], executor, tick, early, later=later, deferred=deferred
                    ):
                        if id(item.unit) in firsts:
                            ready[item.unit] = item.data
                            ready_warned[item.unit] = item.warnings
                        else:
                            made.append(item)
                except BuildFault as exc:
                    raise _Unwritten(exc) from None
                if deferred:
                    continue  # written by the next stage as soon as they are in (write_first)
                made.sort(key=lambda m: m.unit.rel)
                warnings.update((m.unit.rel, m.warnings) for m in made)
                held = [
                    *(w for found in ready_warned.values() for w in found),
                    *(w for hook in hooks for w in hook.warnings()),
                ]
                if ctx.strict and (any(warnings.values()) or held):
                    found = sort_diagnostics([*_render_warnings(warnings, True), *held], True)
                    return _Done(units, 0, found, stopped=True)
            elif stale:
                tick = progress.counter(_stage_label(stale), len(stale))
                for hook, shared in hooks.items():
                    if shared[0].stage == stage:
                        hook.prepare(shared, ready, made_on(executor), ready_warned)
                # written as made: each is staged beside its file where it was made (a kit's
                # megabytes never travel back from a worker) and committed here
                staged = functools.partial(stage_file, ctx.out)
                freed = FreedAhead(ctx.out, [u.rel for u in making_order(stale)])
                made = run_stage(  # type: ignore[assignment]
                    stale, executor, _counted(tick, freed.made), sink=staged
                )
                if deferred:
                    assert early is not None
                    answered = functools.partial(early.answered, tuple(deferred))
                    made = held_until(ctx.out, made, answered, write_first)  # type: ignore[assignment]
            else:
                continue
            before_writing()
            if stage == 0:
                # all or none: a fault while writing leaves build/ as it was
                try:
                    writes: Iterator[tuple[Made, bool]] = iter(write_all(ctx.out, made, journal))
                except BuildFault as exc:
                    raise _Unwritten(exc) from None
            else:
                writes = write_each(ctx.out, made, staged=True, journal=journal)
            try:
                record(writes)
            finally:
                # closed now, not when a fault's traceback lets go of them: the writers stop,
                # then the workers are ended and waited for, so that a stopped build removes
                # what they staged (run_build)
                if isinstance(writes, Generator):
                    writes.close()
                if isinstance(made, Generator):
                    made.close()
                if freed is not None:
                    freed.stop()
        found = _render_warnings(warnings, ctx.strict)
        kept = _kept_warnings(ctx.out, records, {u.rel for u in units}, wants)
        everything = sort_diagnostics([*diags, *found, *kept], ctx.strict)
        late = [
            u
            for fam in _families.families()
            if fam.finish is not None and wants(fam.name)
            for u in fam.finish(everything, ctx.catalog.resolve().parent)
        ]
        if late:
            _check_targets(ctx.out, [u.rel for u in late])
            units = merge([*units, *late])
            stale_late = [
                MadeOutput(u, u.data or b"", (), ())
                for u in late
                if clean or not records.fresh(ctx.out, u.rel, u.key)
            ]
            for item, changed in write_all(ctx.out, stale_late, journal):
                written += changed
                records.note(ctx.out, item.unit.rel, item.unit.key)
        # from here every output is committed and nothing can be put back: an interrupt
        # waits until run_build has saved their records (interrupts.unhold), as the build is
        # then whole. Held inside the try: one landing just after it was never undone
        interrupts.hold()
    except BaseException as exc:
        journal.undo()
        if isinstance(exc, BuildFault):
            raise _Unwritten(exc) from None
        raise
    journal.release()
    # nothing can be put back now: the cache is kept (a cache file not written only costs
    # the next build time)
    for cached in keeps:
        write_kept(ctx.out, cached)
    while ctx.when_whole:
        ctx.when_whole.pop(0)()
    return _Done(units, written, found)


def _no_tick(_unit: Unit) -> None:
    pass


def _not_in(ids: set[int], unit: Unit) -> bool:
    return id(unit) not in ids


def _counted(tick: Callable[[Unit], None], also: Callable[[], None]) -> Callable[[Unit], None]:
    """`tick`, calling `also` first."""

    def counted(unit: Unit) -> None:
        also()
        tick(unit)

    return counted


def _render_warnings(warnings: dict[str, tuple[Diagnostic, ...]], strict: bool) -> list[Diagnostic]:
    return sort_diagnostics((w for rel in sorted(warnings) for w in warnings[rel]), strict)


def _kept_warnings(
    out: Path, records: Records, planned: set[str], wants: Callable[[str], bool]
) -> list[Diagnostic]:
    """Recorded warnings of outputs an earlier build made that this one keeps as they are
    (kinds not wanted by --only), so that check.json speaks of build/ as it stands."""
    return [
        w
        for rel, record in sorted(records.entries.items())
        if rel not in planned and not wants(kind_of(rel)) and records.all_present(out, [rel])
        for w in record.warnings
    ]


def _stage_label(units: list[Unit]) -> str:
    families = sorted({u.family for u in units})
    return "+".join(families)


def _sweep_cache(out: Path, units: list[Unit], wants: Callable[[str], bool]) -> None:
    """Remove cached partner cards and decks that no kit of this build uses."""
    if not wants("kits"):
        return
    from salesplay.families.kits import CACHE, cache_names
    from salesplay.write import drop_cached

    used = cache_names(units)
    folder = out / CACHE
    try:
        names = sorted(p.name for p in folder.iterdir() if not p.is_symlink())
    except OSError:
        return
    for name in names:
        rel = f"{CACHE}/{name}"
        if rel not in used:
            drop_cached(out, rel)


#: the scratch folders where a --clean build sets the kit cache aside (_set_aside_cache)
_ASIDE = "cache"


def _set_aside_cache(ctx: Context) -> None:
    """--clean: the kit cache (cards, decks, fonts, bases, bands) moved into the scratch
    folder before planning, so that nothing of it is read, and removed once the build is
    whole (Context.when_whole). It was emptied before planning: a --clean build that then
    stopped ("nothing was written") had deleted it, and one stopped by a kit deleted it
    with its first output. A build that stops puts it back (_put_back_cache); one killed
    leaves it to the next build's sweep."""
    import shutil
    import tempfile

    from salesplay.families.kits import CACHE
    from salesplay.write import scratch_folder, temp_prefix

    folder = ctx.out / CACHE
    if folder.is_symlink() or not folder.is_dir():
        return  # none to set aside (a link is never followed, nor was it emptied)
    try:
        aside = Path(tempfile.mkdtemp(prefix=temp_prefix(_ASIDE), dir=scratch_folder(ctx.out)))
        folder.rename(aside / "cache")
    except OSError:
        _clear_cache(ctx.out)  # it cannot be moved (a folder made read-only): empty it
        return
    # first of what runs once the build is whole: the cache it keeps then starts afresh
    ctx.when_whole.insert(0, functools.partial(shutil.rmtree, aside, ignore_errors=True))


def _put_back_cache(out: Path) -> None:
    """The kit cache a --clean build that stopped set aside, put back where it was (a best
    effort: what cannot be is swept with the scratch folder)."""
    from salesplay.families.kits import CACHE
    from salesplay.write import SCRATCH, sweep_temp_files, temp_prefix

    try:
        asides = sorted((out / SCRATCH).glob(temp_prefix(_ASIDE) + "*"))
    except OSError:
        return
    if asides:
        # the band files its kits' workers staged there (gone): the folder is empty again
        sweep_temp_files(out, [CACHE], mine=True)
    for aside in asides:
        with contextlib.suppress(OSError):
            (aside / "cache").rename(out / CACHE)  # over no folder, or an empty one
            aside.rmdir()


def _clear_cache(out: Path) -> None:
    """--clean: forget the kit cache (cards, decks, fonts, bases, bands) before planning."""
    from salesplay.families.kits import CACHE
    from salesplay.write import drop_cached

    try:
        names = sorted(p.name for p in (out / CACHE).iterdir() if not p.is_symlink())
    except OSError:
        return
    for name in names:
        drop_cached(out, f"{CACHE}/{name}")


def _compiled(ctx: Context) -> dict[str, bytes] | None:
    return None if ctx.memo is None else ctx.memo.templates


def _save_images(ctx: Context) -> None:
    """Keep the files this build parsed, the card texts it scanned for jargon and the images
    it decoded for the next; forget the files and images it did not use."""
    from salesplay.imagecache import FOLDER
    from salesplay.write import drop_cached, write_output

    parses = ctx.parses.pending() if ctx.parses is not None else None
    if parses is not None:
        from salesplay.parsecache import FILE

        with contextlib.suppress(OSError, ValueError):  # as for images: it only costs time
            write_output(ctx.out, FILE, parses)
        drop_cached(ctx.out, ".salesplay/parsed.json")  # the layout before (FORMAT 1)
    scans = ctx.scans.pending() if ctx.scans is not None else None
    if scans is not None:
        from salesplay.jargoncache import FILE as SCANS

        with contextlib.suppress(OSError, ValueError):
            write_output(ctx.out, SCANS, scans)
    cache = ctx.images
    if cache.memory is not None:  # a long-lived process keeps only what is in use
        for name in set(cache.memory) - cache.used:
            del cache.memory[name]
    for rel, data in cache.pending():
        # a cache that cannot be written only costs time next build
        with contextlib.suppress(OSError, ValueError):
            write_output(ctx.out, rel, data)
    try:
        names = sorted(p.name for p in (ctx.out / FOLDER).iterdir() if not p.is_symlink())
    except OSError:
        return
    for name in names:
        if f"{FOLDER}/{name}" not in cache.used:
            drop_cached(ctx.out, f"{FOLDER}/{name}")


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
    from salesplay.write import UnsafeTarget, check_targets

    try:
        check_targets(out, sorted(names))
    except UnsafeTarget as exc:
        raise BuildFault(Location(exc.path, 0, 0), str(exc)) from None


def _doomed(
    out: Path,
    units: Sequence[Unit],
    wants: Callable[[str], bool],
    partners: list[str] | None,
    partial: bool,
    known: frozenset[str],
) -> set[str]:
    """The outputs of earlier builds this build will delete, as the prune after it finds
    them (outputs.unmade; for `salesplay kit`, the named partners' kits in a language they
    no longer take)."""
    produced = planners_of(units)
    doomed = set() if partial else unmade(recorded_planners(out, known), produced, wants)
    if partners is not None:
        doomed |= set(_other_kits(out, partners, produced, known))
    return doomed


def _check_removable(out: Path, doomed: Iterable[str]) -> None:
    """Every output to be deleted can be, before the first byte is written."""
    from salesplay.write import removal_refused

    for rel in sorted(doomed):
        refused = removal_refused(out, rel)
        if refused is not None:
            raise BuildFault(Location(out / rel, 0, 0), refused)


def made_on(executor: Executor) -> Callable[[Sequence[Unit]], dict[Unit, bytes]]:
    """What a Preparation makes units with: the build's executor, bytes by unit."""
    from salesplay.engine.schedule import run_stage

    return lambda units: {m.unit: m.data for m in run_stage(units, executor)}


def _files(count: int) -> str:
    """'1 file', '2 files': the summary line's count of outputs."""
    return f"{count} file{'' if count == 1 else 's'}"


def _counts(files: Iterable[str]) -> str:
    by_ext: dict[str, int] = {}
    for rel in files:
        # Path(rel).suffix, without a path per output (a build counts a thousand kits twice)
        base = rel.rpartition("/")[2]
        dot = base.rfind(".")
        ext = base[dot + 1 :] if 0 < dot < len(base) - 1 else "other"
        by_ext[ext] = by_ext.get(ext, 0) + 1
    return ", ".join(f"{n} {ext}" for ext, n in sorted(by_ext.items()))


def check_key(ctx: Context, tree: str) -> str:
    """What a check reads: every file of the catalog (`tree`, their digest) and the date."""
    from salesplay.engine.records import key_of

    return key_of("check", str(Path(ctx.catalog).resolve()), ctx.as_of, tree)


def _checked(ctx: Context, key: str | None = None) -> tuple[Catalog | None, list[Diagnostic]]:
    """Check the catalog and print its diagnostics; no catalog when it has errors.

    With a memo and the `key` of the catalog's files, a process that checked the same files
    for the same date last time takes that check's catalog, findings and images: the
    passes of one round of `serve` check the catalog once."""
    from salesplay.memo import CheckedCatalog
    from salesplay.pipeline import check_catalog

    kept = None if ctx.memo is None else ctx.memo.checked
    if kept is not None and key is not None and kept.key == key:
        cat = kept.cat
        ctx.reporter.diagnostics.extend(kept.diagnostics)
        ctx.images.used.update(kept.images)  # so that the image cache keeps what it read
    else:
        cat = check_catalog(ctx)
        if ctx.memo is not None and key is not None:
            ctx.memo.checked = CheckedCatalog(
                key, cat, tuple(ctx.reporter.diagnostics), frozenset(ctx.images.used)
            )
    if cat is not None:
        # the print stylesheets are templates too: checked each time (serve's memo keys
        # the catalog's files, not the templates'), the last lint kept in the build folder
        ctx.reporter.diagnostics += _css_warnings(ctx, cat, ctx.out)
    diags = ctx.reporter.sorted(ctx.strict)
    sys.stderr.write(format_text(diags))
    if cat is None or ctx.reporter.has_errors(ctx.strict):
        sys.stderr.write(f"build stopped: {summary(diags)}\n")
        return None, diags
    return cat, diags


def _fault(ctx: Context, exc: BuildFault, outcome: str) -> int:
    """Print a fault as one located line and keep it with the run's diagnostics (as data)."""
    ctx.reporter.error(exc.loc, str(exc), "build", exc.subject)
    sys.stderr.write(exc.diagnostic().format() + "\n")
    sys.stderr.write(f"build stopped: {outcome}\n")
    return 1


def run_kits(ctx: Context, partner_ids: list[str]) -> int:
    """`salesplay kit PARTNER…`: check, then build only those partners' kits."""
    return run_build(ctx, ["kits"], partners=list(dict.fromkeys(partner_ids)))

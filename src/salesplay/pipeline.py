"""The stages in order: load → validate → resolve → checks (rendering builds on the result)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from salesplay.checks import run_checks
from salesplay.context import Context
from salesplay.diagnostics import Severity
from salesplay.labels import labels_for
from salesplay.load import load_catalog
from salesplay.render.theme import template_dirs
from salesplay.resolve import Catalog, resolve
from salesplay.validate import validate


def check_catalog(ctx: Context) -> Catalog | None:
    """Run every check, gathering all diagnostics in ctx.reporter.

    Returns the resolved catalog, or None when catalog.yaml itself is unusable.
    """
    with _kept(ctx.once):
        return _check(ctx)


def _check(ctx: Context) -> Catalog | None:
    docs = load_catalog(
        ctx.catalog, ctx.reporter, ctx.memo.parsed if ctx.memo else None, ctx.parses
    )
    valid = validate(docs, ctx.reporter)
    cat = resolve(valid, ctx.as_of, ctx.catalog, ctx.reporter, ctx.images)
    if cat is not None:
        # the labels as the build reads them: a project's templates/locale/ rewords them
        dirs = template_dirs(ctx.templates)
        run_checks(cat, ctx.reporter, lambda locale: labels_for(locale, dirs))
        if valid.salvaged:
            # catalog.yaml's sections in error were read as their defaults: the other files'
            # errors stand, their warnings (a claim stale by a default review age, jargon
            # not in a default allow list) wait until catalog.yaml is fixed
            config = valid.of("catalog")["catalog"].doc.path
            ctx.reporter.diagnostics = [
                d
                for d in ctx.reporter.diagnostics
                if d.severity is Severity.ERROR or d.loc.file == config
            ]
            return None
        if not ctx.reporter.errors:
            # what the editions would lose, found before anything is written (the audit makes
            # editions, which need a catalog without errors)
            from salesplay.audit import run_audit

            run_audit(cat, ctx.reporter)
    return cat


@contextmanager
def _kept(once: bool) -> Iterator[None]:
    """In a one-command process (Context.once), no collection passes while the catalog is
    loaded and checked, and what that left is frozen out of every later pass.

    Nearly everything the check makes lives until the process exits (the catalog, its
    editions' sources, imported modules); full passes over it cost 0.1-0.2 s of a build on
    the 50-play catalog, and forked workers inherit the frozen objects untouched.
    """
    if not once:
        yield
        return
    gc.disable()  # off already when the console script started a build (entry.main)
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()

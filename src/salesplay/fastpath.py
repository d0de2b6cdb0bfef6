"""`salesplay build` when nothing changed, answered before the CLI framework is imported."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: the options of `salesplay build` this path understands: name → (takes a value, default).
#: tests/test_fastpath.py holds it equal to the typer command's options.
OPTIONS: dict[str, tuple[bool, object]] = {
    "--catalog": (True, "plays"),
    "--templates": (True, "templates"),
    "--out": (True, "build"),
    "--only": (True, None),
    "--jobs": (True, None),
    "--strict": (False, False),
    "--as-of": (True, None),
    "--clean": (False, False),
}


@dataclass
class BuildArgs:
    """`salesplay build`'s options as typed on the command line."""

    catalog: str = "plays"
    templates: str = "templates"
    out: str = "build"
    only: list[str] = field(default_factory=list)
    jobs: str | None = None
    strict: bool = False
    as_of: str | None = None
    clean: bool = False


def parse(argv: Sequence[str]) -> BuildArgs | None:
    """`build` and its options, or None for anything else (help, an unknown or repeated
    option, a missing value): the CLI proper then parses and reports it."""
    if not argv or argv[0] != "build":
        return None
    args, seen = BuildArgs(), set()
    rest = list(argv[1:])
    while rest:
        token = rest.pop(0)
        name, eq, value = token.partition("=")
        if name not in OPTIONS:
            return None
        takes_value, _ = OPTIONS[name]
        if not takes_value:
            if eq or name in seen:
                return None
            setattr(args, name[2:], True)
        else:
            if not eq:
                if not rest or rest[0].startswith("-"):
                    return None
                value = rest.pop(0)
            if name == "--only":
                args.only.append(value)
            elif name in seen:
                return None
            else:
                setattr(args, name[2:].replace("-", "_"), value)
        seen.add(name)
    return args


def unchanged(argv: Sequence[str]) -> bool:
    """Answer a `salesplay build` with nothing to do, as the build itself would; False (and
    nothing printed) for anything else, which then takes the usual way."""
    args = parse(argv)
    if args is None or args.clean:
        return False
    from salesplay.build import nothing_to_do
    from salesplay.context import Context, UsageError, check_out, clamp_jobs, resolve_as_of

    try:
        jobs = int(args.jobs) if args.jobs is not None else None
        if (jobs is not None and jobs < 1) or not Path(args.catalog).is_dir():
            return False
        catalog, out, templates = Path(args.catalog), Path(args.out), Path(args.templates)
        ctx = Context(
            catalog=catalog,
            as_of=resolve_as_of(args.as_of),
            templates=templates,
            out=out,
            strict=args.strict,
            jobs=clamp_jobs(jobs),
        )
        check_out(out, catalog, templates)
        return nothing_to_do(ctx, args.only)
    except (ValueError, UsageError, OSError):
        return False  # the usual way says what is wrong

"""`salesplay build` run before the CLI framework is imported (typer's parsing costs 0.1 s)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: the options of `salesplay build` this path understands: name → (takes a value, default).
#: tests/test_fastpath.py holds it equal to the typer command's options.
OPTIONS: dict[str, tuple[bool, object]] = {
    "--catalog": (True, "plays"),
    "--templates": (True, None),
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
    templates: str | None = None
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


def build_command(argv: Sequence[str]) -> Callable[[], int] | None:
    """A `salesplay build` line as a command to run (exits.run_command) as the CLI's build
    would run it, typer aside; None for anything else (help, another command, an option or
    value this parser does not take), which the CLI proper then parses and reports."""
    args = parse(argv)
    if args is None:
        return None
    # plain digits only: typer says what is wrong with anything else (and how it reads
    # "+3" or "1_0" is its own business)
    if args.jobs is not None and not (args.jobs.isascii() and args.jobs.isdigit()):
        return None
    jobs = int(args.jobs) if args.jobs is not None else None
    if jobs is not None and jobs < 1:
        return None
    return functools.partial(_build, args, jobs)


def _build(args: BuildArgs, jobs: int | None) -> int:
    from salesplay.build import run_build
    from salesplay.context import output_context

    catalog, out = Path(args.catalog), Path(args.out)
    templates = None if args.templates is None else Path(args.templates)
    ctx = output_context(catalog, args.as_of, out, templates, jobs, strict=args.strict, once=True)
    return run_build(ctx, only=args.only, clean=args.clean)

"""The `salesplay` command line (typer): check, build, kit, serve, changes, init, schema, i18n."""

from __future__ import annotations

import difflib
import functools
import json
import re
import shlex
import shutil
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from salesplay.context import (
    CATALOG_FILES,
    TEMPLATES,
    Context,
    UsageError,
    check_catalog_named,
    check_folder,
    check_names,
    check_out_folder,
    clamp_jobs,
    context_for,
    not_a_folder,
    output_context,
    resolve_as_of,
)
from salesplay.diagnostics import did_you_mean, format_json, format_text, summary
from salesplay.exits import run_command

if TYPE_CHECKING:
    from collections.abc import Callable

    from salesplay.imagecache import ImageCache
    from salesplay.resolve import Catalog

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Battlecards, playbooks, decks, a rep portal and partner kits from one YAML catalog.",
)

CatalogOpt = Annotated[Path, typer.Option("--catalog", help="catalog folder")]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="today's date YYYY-MM-DD (default: SOURCE_DATE_EPOCH, else the clock)"
    ),
]


TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--templates", help="template overrides (default: the folder templates, if there is one)"
    ),
]


JOBS_HELP = "parallel workers (default and maximum: the number of CPUs)"


class Format(StrEnum):
    text = "text"
    json = "json"


def _reading_context(
    catalog: Path, as_of: str | None, out: Path = Path("build"), **kw: object
) -> Context:
    """The context of a command that checks the catalog and writes nothing (see _images)."""
    from salesplay.parsecache import ParseCache

    images = _images(out)
    parses = ParseCache(out)  # what builds into `out` parsed: read, never written
    return context_for(catalog, as_of, jobs=images.jobs, images=images, parses=parses, **kw)


def _images(out: Path) -> ImageCache:
    """Logo decoding for a command that writes nothing: on every CPU, reusing what a build
    into `out` decoded (read through the same checks as a build's, never written)."""
    from salesplay.imagecache import ImageCache

    return ImageCache(out, jobs=clamp_jobs(None), saves=False)


def _checked(ctx: Context) -> Catalog:
    """The catalog checked without errors, else its diagnostics printed and exit 1."""
    from salesplay.pipeline import check_catalog

    cat = check_catalog(ctx)
    if cat is None or ctx.reporter.has_errors():
        diags = ctx.reporter.sorted()
        sys.stderr.write(format_text(diags) + f"{summary(diags)}\n")
        raise typer.Exit(1)
    return cat


def _once(cli: typer.Context) -> bool:
    """Whether this process exits after the command (the console script's main(once=True)),
    which lets the check's objects be frozen out of the collector (Context.once)."""
    return cli.find_root().obj is ONCE


@app.command()
def check(
    cli: typer.Context,
    catalog: CatalogOpt = Path("plays"),
    strict: Annotated[bool, typer.Option("--strict", help="treat warnings as errors")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.text,
    as_of: AsOfOpt = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            help="also check these template overrides and deck master by planning every output"
            " (default: the folder templates, if there is one, as build reads it)",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="a build folder whose decoded logos to reuse (read, never written;"
            " default: build)",
        ),
    ] = None,
) -> None:
    """Validate and cross-reference the catalog; print errors and warnings."""
    from salesplay.pipeline import check_catalog

    check_names(("--catalog", catalog), ("--templates", templates), ("--out", out))
    if templates is not None and not templates.is_dir():
        raise not_a_folder(templates, "--templates", "template")
    if templates is None and TEMPLATES.is_dir():
        # what build reads by default is checked by default: a template fault found by the
        # build only ("'PlayView' has no attribute 'nmae'") passed a plain check
        templates = TEMPLATES
    if out is not None:
        check_out_folder(out)  # named: it must be a folder (by default, any build is reused)
    out = Path("build") if out is None else out
    ctx = _reading_context(catalog, as_of, out, strict=strict, templates=templates, once=_once(cli))
    cat = check_catalog(ctx)
    if templates is not None and cat is not None and not ctx.reporter.has_errors(strict):
        from salesplay.build import check_outputs

        check_outputs(ctx, cat)
    diags = ctx.reporter.sorted(strict)
    if fmt is Format.json:
        sys.stdout.write(format_json(diags))
    else:
        sys.stderr.write(format_text(diags))
        if diags:
            sys.stderr.write(f"{summary(diags)}\n")
    raise typer.Exit(1 if ctx.reporter.has_errors(strict) else 0)


@app.command()
def explain(
    play: Annotated[str, typer.Argument(help="play id")],
    audience: Annotated[
        AudienceChoice | None,
        typer.Option(
            "--audience",
            help="one edition: internal, rep, partner or public (default: every edition)",
        ),
    ] = None,
    partner: Annotated[
        str | None, typer.Option("--partner", help="the card in this partner's kit")
    ] = None,
    catalog: CatalogOpt = Path("plays"),
    as_of: AsOfOpt = None,
) -> None:
    """Print what each edition's card of a play leaves out, and why."""
    from salesplay.audit import explain_play

    cat = _checked(_reading_context(catalog, as_of))
    sys.stdout.write(explain_play(cat, play, audience and audience.value, partner))


@app.command()
def build(
    cli: typer.Context,
    catalog: CatalogOpt = Path("plays"),
    templates: TemplatesOpt = None,
    out: Annotated[Path, typer.Option("--out", help="output folder")] = Path("build"),
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="build only this output family (repeat for more: --only battlecards --only decks)",
        ),
    ] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", min=1, help=JOBS_HELP)] = None,
    strict: Annotated[bool, typer.Option("--strict", help="treat warnings as errors")] = False,
    as_of: AsOfOpt = None,
    clean: Annotated[
        bool, typer.Option("--clean", help="ignore the records of earlier builds: make all")
    ] = False,
) -> None:
    """Render everything that is out of date, with a progress bar."""
    from salesplay.build import run_build

    ctx = output_context(catalog, as_of, out, templates, jobs, strict=strict, once=_once(cli))
    raise typer.Exit(run_build(ctx, only=only or [], clean=clean))


@app.command()
def kit(
    cli: typer.Context,
    partners: Annotated[list[str], typer.Argument(help="partner ids")],
    catalog: CatalogOpt = Path("plays"),
    templates: TemplatesOpt = None,
    out: Annotated[Path, typer.Option("--out", help="output folder")] = Path("build"),
    jobs: Annotated[int | None, typer.Option("--jobs", min=1, help=JOBS_HELP)] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Build the kits of the named partners."""
    from salesplay.build import run_kits

    ctx = output_context(catalog, as_of, out, templates, jobs, once=_once(cli))
    raise typer.Exit(run_kits(ctx, partners))


@app.command()
def serve(
    catalog: CatalogOpt = Path("plays"),
    templates: TemplatesOpt = None,
    out: Annotated[Path, typer.Option("--out", help="output folder")] = Path("build"),
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="port on 127.0.0.1")] = 8000,
    as_of: AsOfOpt = None,
) -> None:
    """Build, serve the portal on 127.0.0.1, rebuild and reload the page on save."""
    from salesplay.serve import ServeOptions
    from salesplay.serve import serve as run_server

    ctx = output_context(catalog, as_of, out, templates, None)
    options = ServeOptions(
        catalog, ctx.templates or TEMPLATES, out, port=port, as_of=as_of and ctx.as_of.isoformat()
    )
    raise typer.Exit(run_server(options))


@app.command()
def schema(
    kind: Annotated[
        str | None,
        typer.Argument(help="a kind, e.g. play, or feed; all catalog kinds if omitted"),
    ] = None,
) -> None:
    """Print the JSON Schema of a kind, for editor completion."""
    from salesplay.models import MODELS
    from salesplay.schema import json_schema

    if kind == "feed":  # an output's schema, not a catalog kind: feed/<edition>.json
        from salesplay.render.feeds import feed_schema

        sys.stdout.write(json.dumps(feed_schema(), indent=2) + "\n")
        return
    if kind is not None and kind not in MODELS:
        known = [*MODELS, "feed"]
        raise UsageError(
            f"unknown kind '{kind}'{did_you_mean(kind, known)}; kinds: {', '.join(known)}"
        )
    sys.stdout.write(json.dumps(json_schema(kind), indent=2) + "\n")


class ChangeFormat(StrEnum):
    text = "text"
    json = "json"
    md = "md"


class AudienceChoice(StrEnum):
    internal = "internal"
    rep = "rep"
    partner = "partner"
    public = "public"


@app.command()
def changes(
    since: Annotated[
        str, typer.Option("--since", help="the earlier revision (tag, branch, commit)")
    ],
    until: Annotated[
        str | None, typer.Option("--until", help="the later revision (default: HEAD)")
    ] = None,
    audience: Annotated[
        AudienceChoice | None,
        typer.Option(
            "--audience",
            help="only this audience's changes: internal, rep, partner or public (default: every"
            " one)",
        ),
    ] = None,
    fmt: Annotated[ChangeFormat, typer.Option("--format", help="text, json or md")] = (
        ChangeFormat.text
    ),
    catalog: CatalogOpt = Path("plays"),
    as_of: AsOfOpt = None,
    tier: Annotated[
        str | None,
        typer.Option(
            "--tier",
            help="only what partners of this tier read (their kit's edition): safe to send them",
        ),
    ] = None,
) -> None:
    """What changed between two git revisions of the catalog, as each audience may read it."""
    from salesplay import changes as ch
    from salesplay import gitrev
    from salesplay.models import AUDIENCES

    check_names(("--catalog", catalog))
    if not catalog.is_dir():
        raise not_a_folder(catalog, "--catalog", "catalog", CATALOG_FILES)
    check_folder(catalog, "catalog")
    check_catalog_named(catalog)  # plays/plays: "'plays' has one", not an error per file
    # --until given: its own commit date decides staleness, unless --as-of says otherwise
    day = resolve_as_of(as_of) if as_of is not None or until is None else None
    if tier is not None and audience not in (None, AudienceChoice.partner):
        raise UsageError(f"--tier is for the partner audience, not --audience {audience.value}")
    wanted = [audience.value] if audience else list(AUDIENCES)
    try:
        report = ch.changes_between(
            catalog,
            since,
            until,
            day,
            wanted,  # type: ignore[arg-type]
            _images(Path("build")),
            tier,
        )
    except gitrev.SideFault as exc:
        sys.stderr.write("\n".join(exc.lines) + "\n")
        sys.stderr.write("changes stopped: both revisions must check without errors\n")
        raise typer.Exit(1) from None
    if until is None:
        # release notes written before the commit would silently leave the edits out
        edited = gitrev.Repo.of(catalog).uncommitted()
        if edited:
            shown = ", ".join(edited[:3]) + (
                f" and {len(edited) - 3} more" if len(edited) > 3 else ""
            )
            sys.stderr.write(
                f"note: not committed, so not in these changes (they are until HEAD): {shown}\n"
            )
    if fmt is ChangeFormat.json:
        sys.stdout.write(json.dumps(ch.format_json(report), indent=1, ensure_ascii=False) + "\n")
    elif fmt is ChangeFormat.md:
        sys.stdout.write(ch.format_markdown(report))
    else:
        sys.stdout.write(ch.format_text(report))


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="folder for the new project")]) -> None:
    """Create a new, working project (catalog skeleton, templates, Makefile)."""
    from salesplay.scaffold import create_project

    try:
        created = create_project(directory)
    except OSError as exc:
        where = exc.filename or directory
        sys.stderr.write(f"salesplay: error: cannot create '{where}': {exc.strerror}\n")
        raise typer.Exit(1) from None
    # the "next" line is pasted into a shell: a folder named "My Project" is quoted there,
    # and one named "-dash" starts with ./, or cd takes it for an option
    named = str(directory)
    folder = shlex.quote(f"./{named}" if named.startswith("-") else named)
    typer.echo(f"created {len(created)} files in {directory}; next: cd {folder} && make")
    if shutil.which("salesplay") is None:
        # the project's Makefile looks for salesplay on PATH (or in the project's .venv); the
        # script an install made sits beside the interpreter running this
        script = Path(sys.executable).with_name("salesplay")
        how = f"make SALESPLAY={shlex.quote(str(script))}" if script.is_file() else "make"
        typer.echo(
            "note: salesplay is not on your PATH: activate the environment it is installed in,"
            f" or run {how}"
        )
    typer.echo(
        f"note: {directory}/plays/catalog.yaml names the company 'Example Co' and"
        " plays/assets/logo.svg is a placeholder mark: put your name and logo there first"
    )
    typer.echo(
        "note: a file without `audience:` is for reps only: partner kits and public decks leave"
        " it out (and a claim backed only by it), and an item in a file takes the file's unless"
        " it says its own; `salesplay check` warns where that empties a card or deck,"
        " `salesplay explain PLAY` shows what each edition leaves out"
    )


i18n_app = typer.Typer(
    no_args_is_help=True, help="Catalog translations: gettext PO files under translations/."
)
app.add_typer(i18n_app, name="i18n")


@i18n_app.command("extract")
def i18n_extract(
    catalog: CatalogOpt = Path("plays"),
    locale: Annotated[
        list[str] | None, typer.Option("--locale", help="only this locale (default: every one)")
    ] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Write or update translations/<locale>.po: one entry per text field, translations kept."""
    from salesplay.extract import extract

    ctx = _reading_context(catalog, as_of)
    cat = _checked(ctx)
    declared = cat.config.locales
    if not declared:
        raise UsageError(
            "catalog.yaml declares no locales: add e.g. `locales: [de, ja]` to translate into"
        )
    for name in locale or []:
        if name not in declared:
            raise UsageError(
                f"locale '{name}' is not in catalog.yaml locales{_locale_meant(name, declared)};"
                f" locales: {', '.join(declared)}"
            )
    for done in extract(cat, locale or declared, ctx.reporter):
        c = done.coverage
        typer.echo(
            f"{done.path}: {c.total} texts, {c.translated} translated, {c.stale} to review,"
            f" {c.missing} to translate{'' if done.changed else ' (unchanged)'}"
        )
    if ctx.reporter.errors:  # a file extract could not read or write (check found none)
        diags = ctx.reporter.errors
        sys.stderr.write(format_text(diags) + f"{summary(diags)}\n")
        raise typer.Exit(1)


@i18n_app.command("status")
def i18n_status(catalog: CatalogOpt = Path("plays"), as_of: AsOfOpt = None) -> None:
    """Print translation coverage per locale and kind (translated, stale, missing)."""
    from salesplay.i18n import format_status

    sys.stdout.write(format_status(_checked(_reading_context(catalog, as_of)).translations))


#: the command line's marker (click's context object) for a process that runs one command
#: and exits: main(once=True) from the console script, not main() in a test's process.
ONCE = object()


def _locale_meant(name: str, declared: Sequence[str]) -> str:
    """A did-you-mean for a locale spelt otherwise than declared: another case or separator
    (`DE`, `pt-br`), a region added (`de-DE`), else a close name."""

    def norm(code: str) -> str:
        return code.replace("-", "_").casefold()

    from salesplay.models import locale_hint

    hinted = locale_hint(name)  # Babel's reading of a country code or typo: jp is ja
    for wanted in (norm(name), norm(name).split("_")[0], norm(hinted or "")):
        found = next((d for d in declared if norm(d) == wanted), None)
        if found is not None:
            return f" (did you mean '{found}'?)"
    return did_you_mean(name, declared)


def main(*, once: bool = False) -> None:
    """Entry point: usage errors exit 2, no traceback for anything the user controls.

    `once`: this process exits after the command (the console script), see Context.once.
    """
    run_command(lambda: _run(ONCE if once else None))


@functools.cache
def _command() -> Callable[..., object]:
    """The click command typer makes of `app`: made once per process, since typer reads every
    command's signature and type hints to make it (60 ms), and main() may run many times in
    one process (tests, a resident builder)."""
    command = typer.main.get_command(app)
    _name_values(command)
    return command


#: what an option takes, as its --help shows it ("--jobs N"), instead of typer's types
#: ("--jobs <int range>", "--only <list[str]>"); a choice keeps its list (<text|json>)
METAVARS = {
    "--catalog": "DIR",
    "--templates": "DIR",
    "--out": "DIR",
    "--only": "FAMILY",
    "--jobs": "N",
    "--port": "PORT",
    "--as-of": "DATE",
    "--since": "REV",
    "--until": "REV",
    "--tier": "TIER",
    "--audience": "AUDIENCE",
    "--partner": "PARTNER",
    "--locale": "LOCALE",
}


def _name_values(command: Any) -> None:
    """Give `command` and its subcommands' options the metavars of their --help: none for a
    flag (typer shows "--strict <bool>", as if it took a value), else METAVARS'."""
    help_option = command.get_help_option(typer.Context(command))
    for param in (*command.params, *([help_option] if help_option is not None else [])):
        if getattr(param, "is_flag", False):
            param.metavar = ""
        elif param.opts[0] in METAVARS:
            param.metavar = METAVARS[param.opts[0]]
    for sub in getattr(command, "commands", {}).values():
        _name_values(sub)


#: pydantic's words for a bad option value (typer validates with it), and a marketer's
_PLAIN = (
    (re.compile(r"Value error, "), ""),
    (re.compile(r"Input should be greater than or equal to (-?\d+)"), r"it must be \1 or more"),
    (re.compile(r"Input should be less than or equal to (-?\d+)"), r"it must be \1 or less"),
    (re.compile(r"Input should be a valid integer.*"), "it must be a whole number"),
    (re.compile(r"Input should be "), "it must be "),
)


def _plain_words(message: str) -> str:
    """`message` with pydantic's phrasing ("Value error, …", "Input should be greater than
    or equal to 1") in plain words ("it must be 1 or more")."""
    for pattern, words in _PLAIN:
        message = pattern.sub(words, message)
    return message


def _usage_line(exc: typer.TyperException) -> str:
    """A usage error in one line (click's own is four: usage, hint, blank, error), with the
    command's help to read; an unknown option gets a did-you-mean only when one is close
    (click offers `--jobs, --out` for `--bogus`)."""
    message = _plain_words(exc.format_message())
    name = getattr(exc, "option_name", None)
    # only an unknown option (click's NoSuchOption, vendored by typer in a private module):
    # "--jobs" with no value has an option_name too, and click's words for it are right
    if isinstance(name, str) and type(exc).__name__ == "NoSuchOption":
        known = [o for p in getattr(exc.cmd, "params", []) for o in p.opts]  # type: ignore[attr-defined]
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        message = f"no such option: {name}" + (f" (did you mean '{close[0]}'?)" if close else "")
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None)
    return f"{message} (see '{path} --help')" if path else message


def _run(obj: object) -> int:
    """The command line parsed and run by typer: its exit code (typer's own usage errors, an
    unknown option or a bad value, say so and exit 2)."""
    try:
        code = _command()(standalone_mode=False, obj=obj)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        sys.stderr.write("salesplay: aborted\n")
        return 1
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]  # a bare group: its help, as asked
        else:
            sys.stderr.write(f"salesplay: error: {_usage_line(exc)}\n")
        return exc.exit_code
    return code if isinstance(code, int) else 0

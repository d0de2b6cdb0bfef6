"""A `salesplay build` line runs before the CLI framework loads, and says what the CLI says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from conftest import AS_OF, DIAG_RE, make_catalog
from salesplay import cli, fastpath


def test_the_fast_path_knows_every_option_of_build_and_nothing_else() -> None:
    command = typer.main.get_command(cli.app).commands["build"]  # type: ignore[attr-defined]
    options = {
        decl: (not param.is_flag, param.default)
        for param in command.params
        for decl in param.opts
        if decl.startswith("--")
    }
    assert set(options) == set(fastpath.OPTIONS)
    for name, (takes_value, default) in fastpath.OPTIONS.items():
        assert options[name][0] == takes_value, name
        shown = options[name][1]
        assert (str(shown) if isinstance(shown, Path) else shown) == default, name


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["build"], fastpath.BuildArgs()),
        (
            ["build", "--out=o", "--only", "site", "--only=kits", "--jobs", "1", "--strict"],
            fastpath.BuildArgs(out="o", only=["site", "kits"], jobs="1", strict=True),
        ),
        (
            ["build", "--as-of", AS_OF, "--catalog", "c"],
            fastpath.BuildArgs(catalog="c", as_of=AS_OF),
        ),
        (["check"], None),
        (["build", "--help"], None),
        (["build", "--out"], None),  # a missing value: typer says so
        (["build", "--out", "--strict"], None),
        (["build", "--out", "a", "--out", "b"], None),  # repeated
        (["build", "--strict=yes"], None),
        (["build", "extra"], None),
        ([], None),
    ],
)
def test_parse_takes_build_lines_and_leaves_the_rest_to_the_cli(
    argv: list[str], expected: fastpath.BuildArgs | None
) -> None:
    assert fastpath.parse(argv) == expected


def _salesplay(cwd: Path, *args: str, cli: bool = False) -> tuple[int, str, bool]:
    """Run the console entry point (`cli`: the typer CLI itself) in a fresh process: exit
    code, stderr, typer imported."""
    main = "from salesplay.cli import main\n" if cli else "from salesplay.entry import main\n"
    # the process is looked at after the command: the console script would leave at once
    main = "import salesplay.entry\nsalesplay.entry.leave = lambda done: None\n" + main
    call = "main(once=True)" if cli else "main()"
    code = (
        "import sys\n"
        f"sys.argv = ['salesplay', *{list(args)!r}]\n"
        f"{main}"
        f"try:\n    {call}\nexcept SystemExit as exc:\n    code = exc.code\n"
        "sys.stdout.write(f\"\\n{code} {'typer' in sys.modules}\")\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=False
    )
    exit_code, imported = done.stdout.splitlines()[-1].split()
    return int(exit_code), done.stderr, imported == "True"


def _timeless(stderr: str) -> str:
    return re.sub(r" in \d+\.\d s;", " in – s;", stderr)


def test_a_build_runs_without_typer_and_a_no_change_build_says_what_the_build_said(
    tmp_path: Path,
) -> None:
    make_catalog(tmp_path)
    args = ("build", "--as-of", AS_OF, "--only", "site")
    records = tmp_path / "build/.salesplay/records.json"
    first = _salesplay(tmp_path, *args)
    assert first[0] == 0 and not first[2], first  # made the site, typer not imported
    made = records.stat().st_mtime_ns
    again = _salesplay(tmp_path, *args)
    assert again[0] == 0 and not again[2], again
    assert records.stat().st_mtime_ns == made  # nothing to do: answered, nothing written
    assert "0 changed, 0 removed" in again[1].splitlines()[-1]
    # it says what the build said: the same diagnostics, the same counts
    said = [ln for ln in first[1].splitlines() if DIAG_RE.match(ln)]
    assert [ln for ln in again[1].splitlines() if DIAG_RE.match(ln)] == said
    counts = first[1].splitlines()[-1].split(" in ")[0]
    assert again[1].splitlines()[-1].startswith(counts)
    # an edit means a real build
    (tmp_path / "plays/glossary.yaml").write_text(
        (tmp_path / "plays/glossary.yaml").read_text() + "\n"
    )
    edited = _salesplay(tmp_path, *args)
    assert edited[0] == 0, edited
    assert records.stat().st_mtime_ns != made  # a real build, which records what it read


@pytest.mark.parametrize(
    "args",
    [
        ("--as-of", AS_OF, "--only", "site"),  # nothing to do (built first)
        ("--as-of", AS_OF, "--only", "site", "--clean"),
        ("--as-of", "2026-13-01"),
        ("--as-of", AS_OF, "--only", "sitee"),
        ("--as-of", AS_OF, "--catalog", "nowhere"),
        ("--as-of", AS_OF, "--out", "plays"),
        ("--as-of", AS_OF, "--out", "."),
    ],
)
def test_a_build_line_says_what_the_cli_says(tmp_path: Path, args: tuple[str, ...]) -> None:
    make_catalog(tmp_path)
    assert _salesplay(tmp_path, "build", "--as-of", AS_OF, "--only", "site")[0] == 0
    fast = _salesplay(tmp_path, "build", *args)
    assert not fast[2]
    typer_said = _salesplay(tmp_path, "build", *args, cli=True)
    assert typer_said[2]
    assert (fast[0], _timeless(fast[1])) == (typer_said[0], _timeless(typer_said[1]))


@pytest.mark.parametrize(
    "args",
    [
        ("--jobs", "0"),
        ("--jobs", "two"),
        ("--help",),
        ("--out",),
        ("--colour",),
    ],
)
def test_what_the_fast_path_does_not_take_goes_to_the_cli(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    make_catalog(tmp_path)
    done = _salesplay(tmp_path, "build", *args)
    assert done[2]  # typer parsed it, and says what is wrong (or helps)
    assert done[:2] == _salesplay(tmp_path, "build", *args, cli=True)[:2]


def test_a_new_release_tag_is_a_change_for_the_families_that_read_tags(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "plays"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "catalog"], check=True)
    args = ("build", "--as-of", AS_OF, "--only", "site")
    records = tmp_path / "build/.salesplay/records.json"

    def built(*line: str) -> bool:
        """Whether `salesplay build LINE` built (recorded what it read), not answered at
        once that nothing changed."""
        before = records.stat().st_mtime_ns if records.exists() else None
        assert _salesplay(tmp_path, *line)[0] == 0
        return records.stat().st_mtime_ns != before

    assert built(*args)
    assert not built(*args)  # nothing changed: answered at once
    subprocess.run([*git, "tag", "v1"], check=True)  # the What's new page reads tags
    assert built(*args)  # not taken for "nothing changed"
    # battlecards read no tags: a tag is no change for them
    cards = ("build", "--as-of", AS_OF, "--only", "battlecards")
    assert built(*cards)
    subprocess.run([*git, "tag", "v2"], check=True)
    assert not built(*cards)


@pytest.mark.parametrize("jobs", ["0", "two", "+2", "1_0", " 2", "²"])
def test_only_plain_digits_for_jobs_take_the_fast_path(jobs: str) -> None:
    # anything else is for typer to read, or to say what is wrong with it
    assert fastpath.build_command(["build", "--jobs", jobs]) is None
    assert fastpath.build_command(["build", "--jobs", "2"]) is not None

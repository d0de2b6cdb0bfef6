"""A build with nothing to do is answered before the CLI framework loads, as the build says it."""

from __future__ import annotations

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


def _salesplay(cwd: Path, *args: str) -> tuple[int, str, bool]:
    """Run the console entry point in a fresh process: exit code, stderr, typer imported."""
    code = (
        "import sys\n"
        f"sys.argv = ['salesplay', *{list(args)!r}]\n"
        "from salesplay.entry import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "sys.stdout.write(f\"{code} {'typer' in sys.modules}\")\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=False
    )
    exit_code, imported = done.stdout.split()
    return int(exit_code), done.stderr, imported == "True"


def test_a_no_change_build_is_answered_without_typer_and_says_what_the_build_says(
    tmp_path: Path,
) -> None:
    make_catalog(tmp_path)
    args = ("build", "--as-of", AS_OF, "--only", "site")
    first = _salesplay(tmp_path, *args)
    assert first[0] == 0 and first[2], first  # made the site: the usual way
    again = _salesplay(tmp_path, *args)
    assert again[0] == 0 and not again[2], again  # nothing to do: answered at once
    assert "0 changed, 0 removed" in again[1].splitlines()[-1]
    # it says what the build said: the same diagnostics, the same counts
    said = [ln for ln in first[1].splitlines() if DIAG_RE.match(ln)]
    assert [ln for ln in again[1].splitlines() if DIAG_RE.match(ln)] == said
    counts = first[1].splitlines()[-1].split(" in ")[0]
    assert again[1].splitlines()[-1].startswith(counts)
    # anything the fast path does not take goes the usual way, with the usual errors
    bad = _salesplay(tmp_path, "build", "--as-of", "2026-13-01")
    assert bad[0] == 2 and bad[2] and "--as-of must be a date" in bad[1]
    unknown = _salesplay(tmp_path, "build", "--as-of", AS_OF, "--only", "sitee")
    assert unknown[0] == 2 and "did you mean 'site'" in unknown[1]
    # an edit means a real build
    (tmp_path / "plays/glossary.yaml").write_text(
        (tmp_path / "plays/glossary.yaml").read_text() + "\n"
    )
    edited = _salesplay(tmp_path, *args)
    assert edited[0] == 0 and edited[2]


def test_a_new_release_tag_is_a_change_for_the_families_that_read_tags(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "plays"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "catalog"], check=True)
    args = ("build", "--as-of", AS_OF, "--only", "site")
    assert _salesplay(tmp_path, *args)[0] == 0
    assert not _salesplay(tmp_path, *args)[2]  # nothing changed: answered at once
    subprocess.run([*git, "tag", "v1"], check=True)  # the What's new page reads tags
    again = _salesplay(tmp_path, *args)
    assert again[0] == 0 and again[2], again  # not taken for "nothing changed"
    # battlecards read no tags: a tag is no change for them
    cards = ("build", "--as-of", AS_OF, "--only", "battlecards")
    assert _salesplay(tmp_path, *cards)[0] == 0
    subprocess.run([*git, "tag", "v2"], check=True)
    assert not _salesplay(tmp_path, *cards)[2]

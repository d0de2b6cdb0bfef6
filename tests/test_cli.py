"""`salesplay check` as a user meets it: exit codes, formats, ordering, paths and dates."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import AS_OF, DIAG_RE, check, make_catalog, replace_in, run_cli
from salesplay.diagnostics import Location, Reporter, Severity, did_you_mean, summary

BM = "plays/backup-modernization.yaml"
AA = "differentiators/anomaly-alerts.yaml"
SALESPLAY = Path(sys.executable).parent / "salesplay"
#: 2027-01-01T00:00:00Z: acme and status-quo are 92 days old, immutable-by-default 108.
EPOCH_2027 = "1798761600"
AS_OF_ERROR = "salesplay: error: --as-of must be a date YYYY-MM-DD, got "

TWO_ERRORS_ONE_WARNING = {
    **replace_in(BM, "why_us: [immutable-by-default]", "why_us: [imutable-by-default]"),
    **replace_in("partners/red-rock.yaml", "tier: silver", "tier: bronze"),
    **replace_in(AA, "reviewed: 2026-11-01", "reviewed: 2025-01-01"),
}


def sort_key(line: str) -> tuple[str, int, int]:
    file, ln, col, _ = line.split(":", 3)
    return file, int(ln), int(col)


# --- exit codes ---------------------------------------------------------------------------------


def test_exit_0_when_clean(tmp_path: Path) -> None:
    result = check(tmp_path)
    assert (result.code, result.stdout, result.stderr) == (0, "", "")


def test_exit_0_with_warnings_only(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(AA, "reviewed: 2026-11-01", "reviewed: 2025-01-01"))
    assert result.code == 0
    assert result.lines[-1] == "0 errors, 1 warning"


def test_exit_1_with_errors_and_summary(tmp_path: Path) -> None:
    result = check(tmp_path, TWO_ERRORS_ONE_WARNING)
    assert result.code == 1
    assert result.lines[-1] == "2 errors, 1 warning"
    assert all(DIAG_RE.match(line) for line in result.lines[:-1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-02-30"], "salesplay: error: --as-of '2026-02-30' is not a real"
         " date: February 2026 has 28 days"),
        (["--as-of", "2026-13-01"], "salesplay: error: --as-of '2026-13-01' is not a real"
         " date: there is no month 13"),
        (["--as-of", "tomorrow"], f"{AS_OF_ERROR}'tomorrow'"),
        (["--catalog", "nope"], "salesplay: error: catalog folder 'nope' not found"
         " (use --catalog DIR)"),
        # a file is said to be one (it was "not found"), the catalog's own file with its folder
        (["--catalog", "plays/catalog.yaml"],
         "salesplay: error: --catalog 'plays/catalog.yaml' is the catalog file: name the folder"
         " holding it, --catalog plays"),
        # a line break typed into an argument is written escaped: still one line
        (["--catalog", "pla\nys\u2028"],
         "salesplay: error: catalog folder 'pla\\nys\\u2028' not found (did you mean"
         " --catalog plays?)"),
        # a close folder holding a catalog is the did-you-mean; so is a templates folder's
        (["--catalog", "play"],
         "salesplay: error: catalog folder 'play' not found (did you mean --catalog plays?)"),
        (["--templates", "plays/destination"], "salesplay: error: template folder"
         " 'plays/destination' not found (did you mean --templates plays/destinations?)"),
    ],
)  # fmt: skip
def test_exit_2_for_wrong_usage(tmp_path: Path, args: list[str], message: str) -> None:
    make_catalog(tmp_path)
    result = run_cli("check", *args, cwd=tmp_path)
    assert result.code == 2
    assert result.lines == [message]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--catalog", ""], "catalog folder '.' has no catalog.yaml; 'plays' has one:"
         " use --catalog plays"),
        (["build", "--catalog", ".", "--only", "matrix"],
         "catalog folder '.' has no catalog.yaml; 'plays' has one: use --catalog plays"),
        (["build", "--templates", "templatez", "--only", "matrix"],
         "template folder 'templatez' not found (use --templates DIR)"),
        (["kit", "blue-river", "--templates", "templatez"],
         "template folder 'templatez' not found (use --templates DIR)"),
        (["build", "--out", "afile", "--only", "matrix"],
         "--out 'afile' is a file: name a folder, e.g. build"),
        (["build", "--out", "afile/sub", "--only", "matrix"],
         "--out 'afile/sub' lies inside 'afile', which is a file: name a folder, e.g. build"),
        (["check", "--out", "afile"], "--out 'afile' is a file: name a folder, e.g. build"),
        (["check", "--templates", "afile"],
         "--templates 'afile' is a file, not a folder (use --templates DIR)"),
        (["build", "--templates", "afile", "--only", "matrix"],
         "--templates 'afile' is a file, not a folder (use --templates DIR)"),
        (["build", "--catalog", "afile", "--only", "matrix"],
         "--catalog 'afile' is a file, not a folder (use --catalog DIR)"),
        (["changes", "--since", "v1", "--catalog", "plays/catalog.yaml"],
         "--catalog 'plays/catalog.yaml' is the catalog file: name the folder holding it,"
         " --catalog plays"),
    ],
)  # fmt: skip
def test_exit_2_for_a_folder_option_that_names_no_folder(
    tmp_path: Path, args: list[str], message: str
) -> None:
    """A folder option that names a file, a missing folder or the project instead of its
    catalog is a usage error in one line, before anything is read or written."""
    make_catalog(tmp_path)
    (tmp_path / "afile").write_text("not a folder\n")
    result = run_cli(*args, "--as-of", AS_OF, cwd=tmp_path)
    assert (result.code, result.lines) == (2, [f"salesplay: error: {message}"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "plays"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--out", "gone"], "--out 'gone' is a broken symbolic link"),
        (["kit", "blue-river", "--out", "gone/sub"],
         "--out 'gone/sub' lies inside 'gone', which is a broken symbolic link"),
    ],
)  # fmt: skip
def test_exit_2_for_an_out_that_is_a_broken_link(
    tmp_path: Path, args: list[str], message: str
) -> None:
    """`build --out gone` (a link to a folder removed) checked the catalog, rendered every
    output, and only then said it could not write: one line, exit 2, before anything is
    read, as `serve` says it."""
    make_catalog(tmp_path)
    (tmp_path / "gone").symlink_to(tmp_path / "removed")
    result = run_cli(*args, "--as-of", AS_OF, cwd=tmp_path)
    assert (result.code, result.lines) == (2, [f"salesplay: error: {message}"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gone", "plays"]


def test_run_inside_the_catalog_the_default_catalog_is_told_to_be_dot(tmp_path: Path) -> None:
    """`salesplay check` inside the catalog read its folder of plays as the catalog: 11
    errors ("unknown top-level file", "missing catalog.yaml") and no hint."""
    root = make_catalog(tmp_path)
    for args in (["check"], ["build", "--only", "matrix"]):
        result = run_cli(*args, "--as-of", AS_OF, cwd=root)
        assert (result.code, result.lines) == (
            2,
            ["salesplay: error: catalog folder 'plays' has no catalog.yaml; '.' has one: use"
             " --catalog ."],
        )  # fmt: skip
    assert not (root / "build").exists()


def test_a_catalog_yml_is_found_as_catalog_yaml_is_and_named_as_spelt(tmp_path: Path) -> None:
    """With plays/catalog.yml (a valid catalog), `--catalog .` read every YAML file of the
    project as a play (31 errors) and `check` run inside plays/ gave two wrong errors."""
    root = make_catalog(tmp_path)
    (root / "catalog.yaml").rename(root / "catalog.yml")
    assert run_cli("check", "--as-of", AS_OF, cwd=tmp_path).code == 0
    for cwd, args, message in (
        (
            tmp_path,
            ["--catalog", "."],
            "'.' has no catalog.yml; 'plays' has one: use --catalog plays",
        ),
        (root, [], "'plays' has no catalog.yml; '.' has one: use --catalog ."),
    ):
        result = run_cli("check", *args, "--as-of", AS_OF, cwd=cwd)
        assert (result.code, result.lines) == (2, [f"salesplay: error: catalog folder {message}"])


def test_catalog_yaml_and_catalog_yml_side_by_side_is_one_error(tmp_path: Path) -> None:
    """It was "duplicate catalog id 'catalog'", an id no one wrote."""
    root = make_catalog(tmp_path)
    (root / "catalog.yml").write_bytes((root / "catalog.yaml").read_bytes())
    result = run_cli("check", "--as-of", AS_OF, cwd=tmp_path)
    assert (result.code, result.lines) == (
        1,
        [
            "plays/catalog.yml:1:1: error: catalog.yaml is read already: keep one of"
            " catalog.yaml and catalog.yml",
            "1 error, 0 warnings",
        ],
    )


def test_a_catalog_folder_that_cannot_be_entered_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`chmod 644 plays` (listed, not entered) was "internal error: PermissionError"."""
    make_catalog(tmp_path)
    real = Path.exists

    def exists(self: Path, **kw: bool) -> bool:
        if self.name == "catalog.yaml":
            raise PermissionError(13, "Permission denied")
        return real(self, **kw)

    monkeypatch.setattr(Path, "exists", exists)
    result = run_cli("check", "--as-of", AS_OF, cwd=tmp_path)
    assert (result.code, result.lines) == (
        2,
        ["salesplay: error: catalog folder 'plays' cannot be read: Permission denied"],
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--bogus"], "no such option: --bogus (see 'salesplay check --help')"),
        (["check", "--formt", "json"],
         "no such option: --formt (did you mean '--format'?) (see 'salesplay check --help')"),
        (["check", "--format", "xml"], "'xml' is not one of 'text', 'json'"),
        # an option that exists, without its value or with one it takes none of
        (["check", "--catalog"], "Option '--catalog' requires an argument."),
        (["build", "--jobs"], "Option '--jobs' requires an argument."),
        (["check", "--strict=yes"], "Option '--strict' does not take a value."),
        (["chek"], "No such command"),
        (["build", "--only", "battlecards", "decks"],
         "Got unexpected extra argument(s) (decks) (see 'salesplay build --help')"),
    ],
)  # fmt: skip
def test_exit_2_for_bad_options_in_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    # click's own report is four lines (usage, hint, blank, error), and offered `--jobs,
    # --out` for `--bogus`
    make_catalog(tmp_path)
    result = run_cli(*args, cwd=tmp_path)
    assert result.code == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("salesplay: error: ") and message in result.stderr


def test_no_command_shows_usage_and_exits_2(tmp_path: Path) -> None:
    result = run_cli(cwd=tmp_path)
    assert result.code == 2
    assert "Usage" in result.stdout + result.stderr


def test_default_catalog_is_plays(tmp_path: Path) -> None:
    make_catalog(tmp_path, TWO_ERRORS_ONE_WARNING)
    result = run_cli("check", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 1
    assert result.lines[-1] == "2 errors, 1 warning"


def test_catalog_folder_by_another_name(tmp_path: Path) -> None:
    make_catalog(tmp_path, None, name="catalog")
    result = run_cli("check", "--catalog", "catalog", "--as-of", AS_OF, cwd=tmp_path)
    assert (result.code, result.stderr) == (0, "")


# --- strict and json -----------------------------------------------------------------------------


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    edits = replace_in(AA, "reviewed: 2026-11-01", "reviewed: 2025-01-01")
    result = check(tmp_path, edits, "--strict")
    assert result.code == 1
    assert result.lines[0].startswith(f"plays/{AA}:4:11: error: stale claim 'anomaly-alerts'")
    assert result.lines[-1] == "1 error, 0 warnings"


def test_json_format(tmp_path: Path) -> None:
    result = check(tmp_path, TWO_ERRORS_ONE_WARNING, "--format", "json")
    assert result.code == 1
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data == [
        {
            "file": "plays/differentiators/anomaly-alerts.yaml",
            "line": 4,
            "column": 11,
            "severity": "warning",
            "code": "stale",
            "message": "stale claim 'anomaly-alerts': last verified 691 days ago (limit 90);"
            " left out of partner and public editions",
            "subject": {"kind": "differentiator", "id": "anomaly-alerts"},
        },
        {
            "file": "plays/partners/red-rock.yaml",
            "line": 2,
            "column": 7,
            "severity": "error",
            "code": "reference",
            "message": "unknown tier 'bronze'; tiers are registered, silver, gold",
            "subject": {"kind": "partner", "id": "red-rock"},
        },
        {
            "file": "plays/plays/backup-modernization.yaml",
            "line": 9,
            "column": 10,
            "severity": "error",
            "code": "reference",
            "message": "unknown differentiator 'imutable-by-default' (did you mean"
            " 'immutable-by-default'?)",
            "subject": {"kind": "play", "id": "backup-modernization"},
        },
    ]


def test_json_format_clean_is_an_empty_list(tmp_path: Path) -> None:
    result = check(tmp_path, None, "--format", "json")
    assert (result.code, json.loads(result.stdout), result.stderr) == (0, [], "")


def test_json_strict_reports_warnings_as_errors(tmp_path: Path) -> None:
    edits = replace_in(AA, "reviewed: 2026-11-01", "reviewed: 2025-01-01")
    result = check(tmp_path, edits, "--format", "json", "--strict")
    assert result.code == 1
    (item,) = json.loads(result.stdout)
    assert (item["severity"], item["code"], item["line"]) == ("error", "stale", 4)


def test_json_keeps_non_ascii_text(tmp_path: Path) -> None:
    result = check(tmp_path, {"plays/café.yaml": "name: x\n"}, "--format", "json")
    (item,) = [d for d in json.loads(result.stdout) if d["code"] == "bad-id"]
    assert item["file"] == "plays/plays/café.yaml"
    assert "'café'" in item["message"]


# --- ordering, de-duplication, paths ------------------------------------------------------------


def test_sorted_by_file_then_line_numerically(tmp_path: Path) -> None:
    edits = replace_in(BM, "why_us: [immutable-by-default]", "why_us: [imutable-by-default]")
    edits[BM] = edits[BM].replace("min_tier: silver", "min_tier: platinum")
    edits["competitors/zz.yaml"] = "name: Z\ntype: vendor\nsummary: Z.\nreviewed: 2026-11-01\n"
    edits["catalog.yaml"] = replace_in("catalog.yaml", "allow: [IT, CIO]", "allow: [IT]")[
        "catalog.yaml"
    ]
    result = check(tmp_path, edits)
    diags = result.diagnostics
    assert [sort_key(line) for line in diags] == sorted(sort_key(line) for line in diags)
    bm_lines = [sort_key(line)[1:] for line in diags if line.startswith(f"plays/{BM}:")]
    assert bm_lines == [(5, 86), (9, 10), (21, 62)]
    assert diags[0].startswith("plays/competitors/zz.yaml:1:1: warning: competitor 'zz'")


def test_reporter_deduplicates_and_sorts(tmp_path: Path) -> None:
    reporter = Reporter()
    b, a = tmp_path / "b.yaml", tmp_path / "a.yaml"
    reporter.error(Location(b, 10, 1), "ten", "x")
    reporter.error(Location(b, 9, 1), "nine", "x")
    reporter.error(Location(b, 9, 1), "nine", "x")
    reporter.warning(Location(a, 3, 2), "three", "y")
    reporter.warning(Location(a, 3, 2), "three", "y")
    assert [(d.loc.file.name, d.loc.line, d.message) for d in reporter.sorted()] == [
        ("a.yaml", 3, "three"),
        ("b.yaml", 9, "nine"),
        ("b.yaml", 10, "ten"),
    ]
    strict = reporter.sorted(strict=True)
    assert {d.severity for d in strict} == {Severity.ERROR}
    assert summary(reporter.sorted()) == "2 errors, 1 warning"
    assert summary([]) == "0 errors, 0 warnings"


def test_has_errors_only_counts_warnings_under_strict(tmp_path: Path) -> None:
    reporter = Reporter()
    reporter.warning(Location(tmp_path / "a.yaml"), "w", "y")
    assert (reporter.has_errors(), reporter.has_errors(strict=True)) == (False, True)


def test_did_you_mean() -> None:
    assert did_you_mean("plya", ["play", "path"]) == " (did you mean 'play'?)"
    assert did_you_mean("zzz", ["play"]) == ""


def test_paths_print_relative_to_the_working_directory(tmp_path: Path) -> None:
    root = make_catalog(tmp_path, TWO_ERRORS_ONE_WARNING)
    expected = (
        "partners/red-rock.yaml:2:7: error: unknown tier 'bronze'; tiers are registered,"
        " silver, gold"
    )
    from_inside = run_cli("check", "--catalog", ".", "--as-of", AS_OF, cwd=root)
    assert expected in from_inside.lines
    absolute = run_cli("check", "--catalog", str(root), "--as-of", AS_OF, cwd=tmp_path)
    assert f"plays/{expected}" in absolute.lines
    (tmp_path / "elsewhere").mkdir()
    sibling = run_cli(
        "check", "--catalog", "../plays", "--as-of", AS_OF, cwd=tmp_path / "elsewhere"
    )
    assert f"../plays/{expected}" in sibling.lines


# --- today ---------------------------------------------------------------------------------------


def test_source_date_epoch_is_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_catalog(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2027)
    result = run_cli("check", "--catalog", "plays", cwd=tmp_path)
    assert result.code == 0
    assert [line.split(": warning: ")[1].split(":")[0] for line in result.diagnostics] == [
        "stale competitor intelligence 'acme'",
        "stale competitor intelligence 'status-quo'",
        "stale claim 'immutable-by-default'",
    ]
    assert "last verified 108 days ago (limit 90)" in result.diagnostics[2]


def test_as_of_wins_over_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_catalog(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2027)
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert (result.code, result.stderr) == (0, "")


def test_bad_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_catalog(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = run_cli("check", "--catalog", "plays", cwd=tmp_path)
    assert result.code == 2
    assert result.lines == [
        "salesplay: error: SOURCE_DATE_EPOCH must be whole seconds, got 'yesterday'"
    ]


def test_same_as_of_gives_identical_output(tmp_path: Path) -> None:
    first = check(tmp_path / "a", TWO_ERRORS_ONE_WARNING, "--format", "json")
    second = check(tmp_path / "b", TWO_ERRORS_ONE_WARNING, "--format", "json")
    assert first == second


# --- end to end, through the installed entry point ----------------------------------------------


def run_installed(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "SALESPLAY_DEBUG")}
    return subprocess.run(
        [str(SALESPLAY), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def test_installed_command_end_to_end(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    clean = run_installed("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")
    make_catalog(tmp_path / "bad", TWO_ERRORS_ONE_WARNING)
    bad = run_installed("check", "--as-of", AS_OF, "--format", "json", cwd=tmp_path / "bad")
    assert bad.returncode == 1
    assert [d["severity"] for d in json.loads(bad.stdout)] == ["warning", "error", "error"]
    usage = run_installed("check", "--catalog", "missing", cwd=tmp_path)
    assert usage.returncode == 2
    assert (
        usage.stderr == "salesplay: error: catalog folder 'missing' not found (use --catalog DIR)\n"
    )


@pytest.mark.parametrize("command", ["build", "check", "kit", "explain", "changes", "i18n extract"])
def test_help_names_what_each_option_takes(tmp_path: Path, command: str) -> None:
    """typer showed "--strict <bool>" (a flag takes no value: "--strict true" is an error),
    "--only <list[str]>" and "--jobs <int range>": a flag shows none, the rest a name."""
    result = run_cli(*command.split(), "--help", cwd=tmp_path)
    assert result.code == 0
    text = result.stdout
    options = [line for line in text.splitlines() if "--" in line]
    assert options
    for line in options:
        assert not re.search(r"<(bool|str|path|list\[|int( range)?>|internal)", line), line
    assert re.search(r"--help\s+Show this message", text)
    if command == "build":
        for option, takes in (("--only", "FAMILY"), ("--jobs", "N"), ("--as-of", "DATE")):
            assert re.search(rf"{option}\s+{takes}\b", text), option
        assert re.search(r"--strict\s+treat warnings as errors", text)


def test_a_file_named_build_troubles_only_the_commands_that_write_there(tmp_path: Path) -> None:
    """`check` reuses the decoded logos of a build folder when there is one: a project's
    own file named `build` (a script, say) is no build folder and no mistake, unless named
    with --out; a build into it is refused in one line."""
    make_catalog(tmp_path)
    (tmp_path / "build").write_text("#!/bin/sh\n")
    assert run_cli("check", "--as-of", AS_OF, cwd=tmp_path).code == 0
    assert run_cli("explain", "recovery-drills", "--as-of", AS_OF, cwd=tmp_path).code == 0
    named = run_cli("check", "--out", "build", "--as-of", AS_OF, cwd=tmp_path)
    built = run_cli("build", "--only", "matrix", "--as-of", AS_OF, cwd=tmp_path)
    for result in (named, built):
        assert (result.code, result.lines) == (
            2,
            ["salesplay: error: --out 'build' is a file: name a folder, e.g. build"],
        )


def test_check_templates_writes_nothing_in_out(tmp_path: Path) -> None:
    """`check --templates` plans every output as a build would and writes nothing: it made
    `build/.salesplay/tmp/` (through a link to a folder outside the project too), and with
    a file named `build` it failed where plain `check` passed."""
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    args = ("check", "--catalog", "plays", "--templates", "templates", "--as-of", AS_OF)
    before = set(os.listdir(tmp_path))
    assert run_cli(*args, cwd=tmp_path).code == 0
    assert set(os.listdir(tmp_path)) == before
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "build").symlink_to(outside)
    assert run_cli(*args, cwd=tmp_path).code == 0
    assert list(outside.iterdir()) == []
    (tmp_path / "build").unlink()
    (tmp_path / "build").write_text("not a folder\n")
    result = run_cli(*args, cwd=tmp_path)
    assert result.code == 0, result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["build", "--jobs", "0"], "Invalid value for '--jobs': it must be 1 or more"),
        (["build", "--jobs", "two"], "Invalid value for '--jobs': it must be a whole number"),
        (["serve", "--port", "99999"], "Invalid value for '--port': it must be 65535 or less"),
        (["check", "--format", "yaml"], "Invalid value for '--format': 'yaml' is not one of"),
    ],
)
def test_a_bad_option_value_is_said_in_plain_words(
    tmp_path: Path, args: list[str], says: str
) -> None:
    """Typer validates option values with pydantic, whose words reached the marketer:
    "Value error, 'yaml' is not one of…", "Input should be greater than or equal to 1"."""
    make_catalog(tmp_path)
    result = run_cli(*args, cwd=tmp_path)
    assert result.code == 2
    (line,) = result.lines
    assert line.startswith(f"salesplay: error: {says}"), line
    assert "Input should" not in line and "Value error" not in line

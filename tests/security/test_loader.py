"""The catalog loader under hostile files: review findings 3, 4, 5 and two lows of issue 7."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import salesplay.load as load
from conftest import (
    AS_OF,
    DIAG_RE,
    MINIMAL,
    Result,
    base_text,
    check,
    make_catalog,
    replace_in,
    run_cli,
)
from salesplay.diagnostics import Reporter
from salesplay.load import MAX_DEPTH, MAX_FILE_BYTES, LoadError, load_catalog, parse_document

PLAY = "plays/recovery-drills.yaml"
SHOWN = "plays/plays/recovery-drills.yaml"
PARTNER = "partners/blue-river.yaml"
SALESPLAY = str(Path(sys.executable).parent / "salesplay")
SECRET = "TOKEN-7f3a9c-do-not-ship"
OUTSIDE_LINK = "is a symlink that leads outside the catalog"


def run_check_process(cwd: Path, timeout: float = 60) -> Result:
    """`salesplay check` in its own process: a crash (exit 139) or a hang cannot take pytest."""
    proc = subprocess.run(
        [SALESPLAY, "check", "--catalog", "plays", "--as-of", AS_OF],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging: SIGALRM interrupts a blocking open or read."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- finding 3: only regular files inside the catalog are read --------------------------------


def test_glossary_symlinked_outside_is_refused_and_its_secret_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"SLA: {SECRET}\n", encoding="utf-8")
    root = make_catalog(tmp_path, {"glossary.yaml": None})
    (root / "glossary.yaml").symlink_to(secret)
    result = run_cli(
        "check", "--catalog", "plays", "--as-of", AS_OF, "--format", "json", cwd=tmp_path
    )
    assert result.code == 1
    assert SECRET not in result.stdout + result.stderr
    text = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert text.diagnostics == [
        f"plays/glossary.yaml:1:1: error: 'glossary.yaml' {OUTSIDE_LINK}:"
        " put the file itself in the catalog"
    ]


def test_symlink_to_dev_zero_is_refused_at_once(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    (root / "plays" / "zero.yaml").symlink_to("/dev/zero")
    started = time.monotonic()
    result = run_check_process(tmp_path, timeout=30)
    assert time.monotonic() - started < 15
    assert result.code == 1
    assert result.diagnostics == [
        f"plays/plays/zero.yaml:1:1: error: 'plays/zero.yaml' {OUTSIDE_LINK}:"
        " put the file itself in the catalog"
    ]


def test_fifo_named_like_a_yaml_file_does_not_hang(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    os.mkfifo(root / "plays" / "x.yaml")
    result = run_check_process(tmp_path, timeout=30)
    assert result.code == 1
    assert result.diagnostics == [
        "plays/plays/x.yaml:1:1: error: cannot read file: it is a named pipe (FIFO),"
        " not a regular file"
    ]


def test_socket_named_like_a_yaml_file(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / "plays" / "s.yaml"))
        result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 1
    assert result.diagnostics == [
        "plays/plays/s.yaml:1:1: error: cannot read file: it is a socket, not a regular file"
    ]


def test_symlink_to_a_device_inside_dev_is_refused_in_process(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    (root / "plays" / "null.yaml").symlink_to("/dev/null")
    (root / "plays" / "tty.yaml").symlink_to("/dev/tty")
    reporter = Reporter()
    with deadline(10):
        load_catalog(root, reporter)
    assert sorted((d.loc.file.name, d.loc.line, d.code) for d in reporter.errors) == [
        ("null.yaml", 1, "symlink"),
        ("tty.yaml", 1, "symlink"),
    ]


def test_kind_folder_symlinked_outside_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "stolen.yaml").write_text(f"name: {SECRET}\n", encoding="utf-8")
    root = make_catalog(tmp_path)
    shutil.rmtree(root / "partners")
    (root / "partners").symlink_to(elsewhere, target_is_directory=True)
    (root / "plays" / "plays").symlink_to(elsewhere, target_is_directory=True)
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 1
    assert SECRET not in result.stderr
    assert (
        f"plays/partners:1:1: error: 'partners' {OUTSIDE_LINK}: put the folder itself in the"
        " catalog" in result.lines
    )
    assert (
        f"plays/plays/plays:1:1: error: 'plays/plays' {OUTSIDE_LINK}: put the folder itself in"
        " the catalog" in result.lines
    )


def test_symlinked_catalog_parent_folder_is_fine(tmp_path: Path) -> None:
    """Containment is judged against the catalog's real folder, so a linked catalog works."""
    make_catalog(tmp_path, name="real")
    (tmp_path / "plays").symlink_to(tmp_path / "real", target_is_directory=True)
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert (result.code, result.stderr) == (0, "")


def test_a_catalog_folder_linked_out_of_the_project_is_refused(tmp_path: Path) -> None:
    """A catalog folder that is a link leading outside the folder holding it is refused in
    one line (exit 2) by every command that reads it, before any file of it is read."""
    (tmp_path / "elsewhere").mkdir()
    make_catalog(tmp_path / "elsewhere", {PARTNER: f"name: {SECRET}\ntier: gold\n"})
    project = tmp_path / "project"
    project.mkdir()
    (project / "plays").symlink_to(tmp_path / "elsewhere" / "plays", target_is_directory=True)
    said = "salesplay: error: catalog folder 'plays' is a symlink that leads outside"
    for command in (
        ("check",),
        ("build", "--only", "site", "--jobs", "1"),
        ("explain", "recovery-drills"),
        ("changes", "--since", "HEAD"),
        ("i18n", "extract", "--locale", "de"),
    ):
        result = run_cli(*command, "--catalog", "plays", cwd=project)
        assert result.code == 2, (command, result.stderr)
        assert [line for line in result.lines if line.startswith(said)] == result.lines, command
        assert SECRET not in result.stderr + result.stdout
    assert sorted(p.name for p in project.iterdir()) == ["plays"]


def test_symlinks_that_stay_inside_the_catalog_are_followed(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    shared = root / "assets" / "shared"
    shared.mkdir()
    (root / "glossary.yaml").rename(shared / "glossary.yaml")
    (root / "glossary.yaml").symlink_to(Path("assets/shared/glossary.yaml"))
    (root / "partners").rename(shared / "partners")
    (root / "partners").symlink_to(Path("assets/shared/partners"), target_is_directory=True)
    # a link back up to the catalog itself is walked once, not forever
    (root / "plays" / "loop").symlink_to(Path(".."), target_is_directory=True)
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert (result.code, result.stderr) == (0, "")
    # the walk gives each file's real path from its folder's (one realpath a folder): it is
    # the file's own, through a linked file, a linked folder and the catalog's parent
    (tmp_path / "linked").symlink_to(tmp_path, target_is_directory=True)
    catalog = tmp_path / "linked" / "plays"
    walked = load._catalog_files(catalog, os.path.realpath(catalog), Reporter(), set(), {})
    assert {p.name for p, _ in walked} >= {"glossary.yaml", "blue-river.yaml"}
    assert [real for _, real in walked] == [os.path.realpath(p) for p, _ in walked]


def test_a_link_whose_real_file_lies_outside_is_refused_when_read(tmp_path: Path) -> None:
    """read_catalog_file judges the real path too, so a caller cannot bypass the walk."""
    (tmp_path / "out.yaml").write_text("name: x\n", encoding="utf-8")
    root = make_catalog(tmp_path)
    (root / "plays" / "x.yaml").symlink_to(tmp_path / "out.yaml")
    with pytest.raises(LoadError) as info:
        load.read_catalog_file(root / "plays" / "x.yaml", os.path.realpath(root))
    assert (str(info.value), info.value.code) == (f"'x.yaml' {OUTSIDE_LINK}", "symlink")


def test_oversized_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_catalog(tmp_path, {PLAY: b"# " + b"x" * (3 * MAX_FILE_BYTES) + b"\n"})
    read_from: list[str] = []
    real_read = os.read

    def recording_read(fd: int, n: int) -> bytes:
        read_from.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real_read(fd, n)

    monkeypatch.setattr(load.os, "read", recording_read)
    reporter = Reporter()
    load_catalog(root, reporter)
    assert [(d.loc.file.name, d.loc.line, d.loc.col, d.message) for d in reporter.errors] == [
        ("recovery-drills.yaml", 1, 1, "file is larger than 2 MB")
    ]
    assert read_from, "the other catalog files are read through os.read"
    assert os.path.realpath(root / PLAY) not in read_from


def test_a_file_growing_after_its_size_was_checked_is_read_no_further(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reads stop at MAX_FILE_BYTES + 1 even when the size on disk lied (a growing file)."""
    root = make_catalog(tmp_path, {PLAY: b"# " + b"x" * (3 * MAX_FILE_BYTES) + b"\n"})

    def small(result: os.stat_result) -> os.stat_result:
        fields = list(result)
        fields[6] = 10  # st_size
        return os.stat_result(fields)

    real_stat, real_fstat = os.stat, os.fstat
    monkeypatch.setattr(load.os, "stat", lambda path: small(real_stat(path)))
    monkeypatch.setattr(load.os, "fstat", lambda fd: small(real_fstat(fd)))
    raw = load.read_catalog_file(root / PLAY, os.path.realpath(root))
    assert len(raw) == MAX_FILE_BYTES + 1
    with pytest.raises(LoadError, match="file is larger than 2 MB"):
        parse_document(root / PLAY, "play", "x", raw)


# --- finding 4: deep nesting is refused before composing --------------------------------------


@pytest.mark.parametrize("levels", [30_000, 100_000])
def test_deep_flow_nesting_is_a_located_error_not_a_segfault(tmp_path: Path, levels: int) -> None:
    deep = "[" * levels + "]" * levels
    make_catalog(tmp_path, {PLAY: f"name: Recovery drills\nsummary: {deep}\n"})
    started = time.monotonic()
    result = run_check_process(tmp_path, timeout=60)
    assert time.monotonic() - started < 20
    assert result.code == 1, result.stderr
    # the root mapping is level 1, so the bracket opening level MAX_DEPTH + 1 is refused
    col = len("summary: ") + MAX_DEPTH
    assert f"{SHOWN}:2:{col}: error: invalid YAML: nested too deeply" in result.lines
    assert all(DIAG_RE.match(line) for line in result.diagnostics)


def test_deep_block_nesting_is_located_in_process() -> None:
    text = "a:\n" + "".join("  " * i + "-\n" for i in range(1, 200))
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "play", "x", text.encode())
    assert (str(info.value), info.value.line) == ("invalid YAML: nested too deeply", MAX_DEPTH + 1)


def test_aliases_cannot_nest_past_the_cap() -> None:
    """Each anchor stays shallow, but expanding the aliases would nest without end."""
    step = MAX_DEPTH // 2
    lines = [f"l0: &l0 {'[' * step}x{']' * step}"]
    lines += [f"l{i}: &l{i} {'[' * step}*l{i - 1}{']' * step}" for i in range(1, 40)]
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "play", "x", ("\n".join(lines) + "\n").encode())
    # located at the innermost anchored list the expansion reached
    assert (str(info.value), info.value.line) == ("invalid YAML: nested too deeply", 1)


def test_a_recursive_alias_is_an_error() -> None:
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "play", "x", b"a: &a [*a]\n")
    assert (str(info.value), info.value.line, info.value.col) == (
        "invalid YAML: nested too deeply",
        1,
        4,
    )


def test_nesting_up_to_the_cap_is_fine() -> None:
    levels = MAX_DEPTH - 1  # plus the root mapping
    doc = parse_document(
        Path("x.yaml"), "play", "x", f"a: {'[' * levels}1{']' * levels}\n".encode()
    )
    value: Any = doc.data["a"]
    for _ in range(levels):
        value = value[0]
    assert value == 1


def test_duplicate_and_undefined_anchors_are_located() -> None:
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "play", "x", b"a: &x [1]\nb: &x [2]\n")
    assert (str(info.value), info.value.line, info.value.col) == (
        "invalid YAML: duplicate anchor '&x' (first defined at line 1)",
        2,
        4,
    )
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "play", "x", b"a: 1\nb: *nope\n")
    assert (str(info.value), info.value.line, info.value.col) == (
        "could not be read: text cannot start with '*': put the text in quotes",
        2,
        4,
    )


# --- finding 5: control characters, located at the character ----------------------------------


def test_vertical_tab_in_a_partner_name(tmp_path: Path) -> None:
    """The review's case: this built partner decks that PowerPoint refuses to open."""
    result = check(tmp_path, replace_in(PARTNER, "name: Blue River IT", 'name: "Blue \\x0b River"'))
    assert result.code == 1
    assert result.diagnostics == [
        "plays/partners/blue-river.yaml:1:13: error: control character U+000B in text:"
        " remove it (XML and PowerPoint refuse it)"
    ]


def test_soh_in_play_text(tmp_path: Path) -> None:
    """The review's case: this passed check and then failed the build with an internal error."""
    old = "why_now: Auditors now ask for recovery evidence."
    result = check(tmp_path, replace_in(PLAY, old, 'why_now: "Auditors\\u0001 now ask."'))
    assert result.code == 1
    assert (
        f"{SHOWN}:5:19: error: control character U+0001 in text:"
        " remove it (XML and PowerPoint refuse it)" in result.lines
    )


BAD_ESCAPES = {
    "\\0": "U+0000",
    "\\a": "U+0007",
    "\\b": "U+0008",
    "\\v": "U+000B",
    "\\f": "U+000C",
    "\\r": "U+000D",
    "\\e": "U+001B",
    "\\x1f": "U+001F",
    "\\x7f": "U+007F",
    "\\N": "U+0085",
    "\\x9f": "U+009F",
    "\\u0080": "U+0080",
    "\\U0000001a": "U+001A",
}


@pytest.mark.parametrize("escape", sorted(BAD_ESCAPES))
def test_every_forbidden_escape_is_located_at_the_escape(escape: str) -> None:
    text = f'name: ok\nsummary: "fine \\\\ {escape} fine"\n'
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "play", "x", text.encode())
    code = BAD_ESCAPES[escape]
    why = (
        "XML and PowerPoint refuse it"
        if int(code[2:], 16) < 0x7F
        else "it is invisible and XML discourages it"
    )
    assert str(info.value) == f"control character {code} in text: remove it ({why})"
    assert (info.value.line, info.value.col, info.value.code) == (2, 19, "control-character")


@pytest.mark.parametrize(
    ("escape", "what"), [("\\uFFFE", "non-character U+FFFE"), ("\\uffff", "non-character U+FFFF")]
)
def test_non_characters_are_refused(escape: str, what: str) -> None:
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "play", "x", f'a: "x{escape}"\n'.encode())
    assert str(info.value).startswith(f"{what} in text")
    assert (info.value.line, info.value.col) == (1, 6)


def test_lone_surrogate_escape_is_a_located_error() -> None:
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "play", "x", b'a: "x\\ud800"\n')
    assert info.value.line == 1 and info.value.col > 1


def test_control_character_in_a_mapping_key() -> None:
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "play", "x", b'name: ok\n"na\\x07me": x\n')
    assert (str(info.value).split(" in ")[0], info.value.line, info.value.col) == (
        "control character U+0007",
        2,
        4,
    )


def test_control_character_in_a_multi_line_double_quoted_scalar() -> None:
    text = 'name: ok\nsummary: "one\n  two \\t three\n  four \\x01"\n'
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "play", "x", text.encode())
    assert (info.value.line, info.value.col) == (4, 8)


def test_tab_newline_and_other_escapes_stay_allowed() -> None:
    text = "a: \"tab\\there\\nnew line \\u00e9 \\x41 \\_ \\L \\\\x01\"\nb: 'single \\x01'\n"
    data = parse_document(Path("x.yaml"), "play", "x", text.encode()).data
    assert data == {
        "a": "tab\there\nnew line é A \u00a0 \u2028 \\x01",
        "b": "single \\x01",
    }


# --- low: names must be visible -----------------------------------------------------------------

INVISIBLE = {
    "empty": '""',
    "spaces": '"   "',
    "zero-width-space": '"\\u200B"',
    "joiners": '"\\u200C\\u200D\\u2060\\uFEFF"',
    "hangul-filler": '"\\u3164"',
    "nbsp": '"\\u00A0 "',
}


@pytest.mark.parametrize("value", INVISIBLE.values(), ids=INVISIBLE.keys())
@pytest.mark.parametrize(
    ("rel", "old", "line", "col", "where"),
    [
        (PLAY, "name: Recovery drills", 1, 7, "name"),
        ("catalog.yaml", "  name: Northwind Systems", 2, 9, "company.name"),
        (PARTNER, "name: Blue River IT", 1, 7, "name"),
        (PARTNER, "{name: Dana Ruiz,", 4, 17, "contact.name"),
        ("products/vault.yaml", "name: Immutable snapshots", 4, 37, "capabilities.1.name"),
        (
            "plays/backup-modernization.yaml",
            "customer: Contoso Health",
            19,
            16,
            "proof.1.customer",
        ),
    ],
)
def test_invisible_names_are_located_errors(
    tmp_path: Path, value: str, rel: str, old: str, line: int, col: int, where: str
) -> None:
    new = old.replace(old.split(": ", 1)[1].rstrip(","), value)
    result = check(tmp_path, replace_in(rel, old, new))
    assert result.code == 1
    shown = f"plays/{rel}:{line}:{col}: error: '{where}': "
    assert [line for line in result.lines if line.startswith(shown)], result.stderr
    message = next(line for line in result.lines if line.startswith(shown))
    assert "a name cannot be empty" in message or "a name needs a visible character" in message


def test_names_with_a_visible_character_pass(tmp_path: Path) -> None:
    edits = replace_in(PLAY, "name: Recovery drills", 'name: "\\u200B R\\u00e9sum\\u00e9 \\u2728"')
    result = check(tmp_path, edits)
    assert (result.code, result.stderr) == (0, "")


# --- low: an unreadable kind folder stops everything --------------------------------------------


def _deny_listing(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """os.scandir refuses `folder` (chmod 000 does not stop root, who runs these tests)."""
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if os.path.realpath(path) == os.path.realpath(folder):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_unlistable_kind_folder_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_catalog(tmp_path)
    _deny_listing(monkeypatch, root / "plays")
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 1
    # that one line: not an "unknown play" at every path step, "in no play" at every
    # competitor and claim, nor a warning at each translation of a play (1,252 in the sample)
    assert result.lines == [
        "plays/plays:1:1: error: cannot list folder: Permission denied",
        "1 error, 0 warnings",
    ]


def test_unlistable_kind_folder_stops_the_build_before_pruning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_catalog(tmp_path)
    out = tmp_path / "build"
    old_output = out / "battlecards" / "recovery-drills.pdf"
    old_output.parent.mkdir(parents=True)
    old_output.write_bytes(b"%PDF- an earlier build")
    (out / ".salesplay").mkdir()
    (out / ".salesplay" / "outputs.json").write_text('["battlecards/recovery-drills.pdf"]\n')
    _deny_listing(monkeypatch, root / "plays")
    result = run_cli("build", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 1
    assert "plays/plays:1:1: error: cannot list folder: Permission denied" in result.lines
    assert old_output.read_bytes() == b"%PDF- an earlier build"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder anyway")
def test_chmod_000_kind_folder_is_a_located_error(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    (root / "plays").chmod(0)
    try:
        result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    finally:
        (root / "plays").chmod(0o755)
    assert "plays/plays:1:1: error: cannot list folder: Permission denied" in result.lines


def test_unreadable_file_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_catalog(tmp_path)
    target = os.path.realpath(root / PLAY)
    real_open = os.open

    def deny(path: Any, flags: int, *args: Any) -> int:
        if os.path.realpath(path) == target:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(load.os, "open", deny)
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 1
    assert f"{SHOWN}:1:1: error: cannot read file: Permission denied" in result.lines


# --- property: whatever shape a file has, the loader answers with located errors only -----------

SHAPES = [
    "regular",
    "inside-link",
    "outside-link",
    "fifo",
    "dev-zero",
    "directory",
    "socket",
    "folder-link-out",
]
#: escapes in a double-quoted scalar: (escape, forbidden?)
ESCAPES = [*((e, True) for e in BAD_ESCAPES), ("\\t", False), ("\\u00e9", False), ("", False)]
SIZES = [0, MAX_FILE_BYTES - 64, MAX_FILE_BYTES, MAX_FILE_BYTES + 1, 2 * MAX_FILE_BYTES]


@st.composite
def hostile_files(draw: st.DrawFn) -> tuple[str, bytes, bool]:
    """(shape, content, whether the loader must refuse it)."""
    # regular files half the time, so that content faults are reached often enough
    shape = draw(st.sampled_from(SHAPES) | st.sampled_from(["regular", "inside-link"]))
    depth = draw(st.integers(0, MAX_DEPTH + 4) | st.integers(0, 3 * MAX_DEPTH))
    flow = draw(st.booleans())
    escape, bad_char = draw(st.sampled_from(ESCAPES) | st.just(("", False)))
    in_key = draw(st.booleans())
    size = draw(st.sampled_from(SIZES) | st.just(0))
    nested = "[" * depth + "x" + "]" * depth if flow or not depth else "\n  " + "- " * depth + "x"
    text = "name: Fuzz\n"
    text += f'"key{escape}": 1\n' if in_key else f'summary: "text {escape} text"\n'
    text += f"deep: {nested}\n"
    if size > len(text) + 3:
        text += "# " + "x" * (size - len(text) - 3) + "\n"
    raw = text.encode()
    too_big = len(raw) > MAX_FILE_BYTES
    too_deep = depth + 1 > MAX_DEPTH  # the root mapping is one level
    refused = shape not in ("regular", "inside-link") or too_big or too_deep or bad_char
    event(f"shape {shape}")
    event("over the size limit" if too_big else "near the size limit" if size else "small")
    event("too deep" if too_deep else "deep enough")
    event("forbidden character" if bad_char else "clean text")
    return shape, raw, refused


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("loader-fuzz")
    (base / "outside.yaml").write_text("name: outside\n", encoding="utf-8")
    (base / "outside").mkdir()
    return make_catalog(base)


def _place(root: Path, shape: str, raw: bytes) -> tuple[Path, list[Any]]:
    """Put the hostile file at plays/fuzz.yaml; returns it and what to clean up."""
    target = root / "plays" / "fuzz.yaml"
    keep: list[Any] = []
    if shape == "regular":
        target.write_bytes(raw)
    elif shape == "inside-link":
        (root / "assets" / "fuzz-real.yaml").write_bytes(raw)
        target.symlink_to(Path("../assets/fuzz-real.yaml"))
    elif shape == "outside-link":
        target.symlink_to(root.parent / "outside.yaml")
    elif shape == "fifo":
        os.mkfifo(target)
    elif shape == "dev-zero":
        target.symlink_to("/dev/zero")
    elif shape == "directory":
        target.mkdir()
        (target / "inner.yaml").write_bytes(raw)
    elif shape == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
        keep.append(sock)
    else:
        target = root / "plays" / "fuzz"
        target.symlink_to(root.parent / "outside", target_is_directory=True)
    return target, keep


def _clean(root: Path, target: Path, keep: list[Any]) -> None:
    for sock in keep:
        sock.close()
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    else:
        target.unlink()
    (root / "assets" / "fuzz-real.yaml").unlink(missing_ok=True)


@settings(
    max_examples=60,
    deadline=5000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=hostile_files())
def test_loader_answers_every_hostile_shape_with_located_errors(
    fuzz_root: Path, case: tuple[str, bytes, bool]
) -> None:
    shape, raw, refused = case
    target, keep = _place(fuzz_root, shape, raw)
    try:
        reporter = Reporter()
        with deadline(10):
            docs = load_catalog(fuzz_root, reporter)
    finally:
        _clean(fuzz_root, target, keep)
    for diag in reporter.diagnostics:
        assert diag.loc.line >= 1 and diag.loc.col >= 1
        assert diag.loc.file.is_relative_to(fuzz_root)
        assert DIAG_RE.match(diag.format(fuzz_root.parent)), diag
        assert "\n" not in diag.message
    about_fuzz = [d for d in reporter.errors if d.loc.file.is_relative_to(target)]
    assert about_fuzz == reporter.diagnostics, "only the hostile file may be reported"
    assert bool(about_fuzz) == refused, (shape, reporter.diagnostics)
    assert any(d.id == target.stem for d in docs) == (not refused)
    assert all(d.data.get("name") != "outside" for d in docs)


def test_minimal_catalog_loads_clean() -> None:
    """The property test's baseline: `minimal` itself gives no diagnostic at all."""
    reporter = Reporter()
    docs = load_catalog(MINIMAL, reporter)
    assert reporter.diagnostics == []
    assert len(docs) == len(list(MINIMAL.rglob("*.yaml")))
    assert base_text(PLAY).startswith("name: Recovery drills")

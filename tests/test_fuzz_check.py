"""Property tests: whatever a user writes, `check` answers with located one-line diagnostics.

Random text or bytes as a play file, and small mutations of the valid `minimal` files, must
never give a traceback or an internal error; the exit code is 0 or 1; every stderr line but
the summary is `file:line:col: severity: message`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import AS_OF, DIAG_RE, MINIMAL, SUMMARY_RE, Result, base_text, make_catalog, run_cli

FILES = sorted(str(p.relative_to(MINIMAL)) for p in MINIMAL.rglob("*.yaml"))
PLAY = "plays/recovery-drills.yaml"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: characters libyaml refuses ("control characters are not allowed"); tested separately below.
_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
YAMLISH = ":-[]{}&*!|>'\"#%@`,?~ \n\t\rabcXYZ019éü€\u00a0\ufeff"
SCALARS = st.one_of(
    st.integers().map(str),
    st.floats().map(str),
    st.sampled_from(
        [
            "",
            "~",
            "null",
            "true",
            "no",
            "on",
            "[]",
            "{}",
            "[a, b]",
            "{a: b}",
            "2026-13-45",
            "2026-01-01",
            "2026-10-01T10:00:00",
            "'quoted'",
            '"dq"',
            "|",
            ">",
            "&a x",
            "*a",
            "!!str x",
            "!!binary aGk=",
            "!!python/object:os.system",
            "- item",
            ":",
            "#",
            "@",
            "`",
            "%",
            "https://x.example/a.png",
            "../secret.svg",
            "/etc/passwd",
            "assets/nope.svg",
            "assets",
            "assets/partners/",
            "public",
            "internal",
            "gold",
            "acme",
            "vault/immutable-snapshots",
            "vault/",
            "/",
            "SLA and RPOs",
        ]
    ),
    st.text(alphabet=YAMLISH, max_size=20),
)


def avoids_known_bugs(raw: bytes) -> bool:
    """False for text holding a character libyaml refuses (BUG: two-line, unlocated message)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return True
    return not _UNPRINTABLE.search(text)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fuzz")
    make_catalog(base)
    return base


def run_with(base: Path, rel: str, content: bytes, *args: str) -> Result:
    """Check the catalog with one file replaced, then put the original back.

    An absolute --catalog sidesteps the relative-path crash of missing assets, which is
    pinned on its own in test_validate.py.
    """
    target = base / "plays" / rel
    try:
        target.write_bytes(content)
        return run_cli("check", "--catalog", str(base / "plays"), "--as-of", AS_OF, *args, cwd=base)
    finally:
        target.write_bytes((MINIMAL / rel).read_bytes())


def assert_well_behaved(result: Result) -> None:
    output = result.stdout + result.stderr
    assert result.code in (0, 1), output
    assert "Traceback" not in output
    assert "internal error" not in output
    assert result.stdout == ""
    lines = result.lines
    if not lines:
        assert result.code == 0
        return
    assert SUMMARY_RE.match(lines[-1]), lines[-1]
    for line in lines[:-1]:
        assert DIAG_RE.match(line), line
    if result.code == 1:
        assert any(": error: " in line for line in lines[:-1])


# --- (1) random text and bytes as a play file -------------------------------------------------

RANDOM_CONTENT = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.text(alphabet=YAMLISH, max_size=300).map(str.encode),
    st.lists(
        st.tuples(
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12), SCALARS
        ),
        max_size=12,
    ).map(lambda kv: "".join(f"{k}: {v}\n" for k, v in kv).encode()),
).filter(avoids_known_bugs)


@FUZZ
@given(content=RANDOM_CONTENT)
def test_random_play_file(fuzz_dir: Path, content: bytes) -> None:
    assert_well_behaved(run_with(fuzz_dir, PLAY, content))


# --- (2) mutations of valid YAML --------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """One catalog file after one to three small edits."""
    rel = draw(st.sampled_from(FILES))
    lines = base_text(rel).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "value", "insert"]))
        if not lines:
            lines = [""]
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            delta = draw(st.integers(-4, 4))
            line = lines[i]
            if delta >= 0:
                lines[i] = " " * delta + line
            else:
                stripped = line.lstrip(" ")
                keep = max(0, len(line) - len(stripped) + delta)
                lines[i] = " " * keep + stripped
        elif op == "value":
            key, sep, _ = lines[i].partition(":")
            if sep:
                lines[i] = f"{key}: {draw(SCALARS)}\n"
        else:
            text = "".join(lines)
            pos = draw(st.integers(0, len(text)))
            noise = draw(st.text(alphabet=YAMLISH, min_size=1, max_size=5))
            lines = (text[:pos] + noise + text[pos:]).splitlines(keepends=True)
    return rel, "".join(lines).encode()


@FUZZ
@given(case=mutated())
def test_mutated_catalog_file(fuzz_dir: Path, case: tuple[str, bytes]) -> None:
    rel, content = case
    assert_well_behaved(run_with(fuzz_dir, rel, content))


@settings(FUZZ, max_examples=60)
@given(case=mutated())
def test_mutated_catalog_file_json(fuzz_dir: Path, case: tuple[str, bytes]) -> None:
    rel, content = case
    result = run_with(fuzz_dir, rel, content, "--format", "json")
    assert result.code in (0, 1)
    assert result.stderr == ""
    items = json.loads(result.stdout)
    assert isinstance(items, list)
    for item in items:
        assert set(item) == {"file", "line", "column", "severity", "code", "message", "subject"}
        assert item["subject"] is None or set(item["subject"]) == {"kind", "id"}
        assert item["line"] >= 1 and item["column"] >= 1
        assert item["severity"] in ("error", "warning")
        assert "\n" not in item["message"]
    assert (result.code == 1) == any(item["severity"] == "error" for item in items)


# --- known bug, kept visible ------------------------------------------------------------------

CONTROL = st.sampled_from([*map(chr, [*range(0, 9), 11, 12, *range(14, 32), 127, 128, 159])])


@st.composite
def with_control_character(draw: st.DrawFn) -> bytes:
    text = base_text(PLAY)
    pos = draw(st.integers(0, len(text)))
    return (text[:pos] + draw(CONTROL) + text[pos:]).encode()


@settings(FUZZ, max_examples=20)
@given(content=with_control_character())
def test_control_characters_give_located_one_line_errors(fuzz_dir: Path, content: bytes) -> None:
    assert_well_behaved(run_with(fuzz_dir, PLAY, content))

"""A catalog file whose name holds a line break, an escape or a line separator is one
diagnostic line: the message escaped such characters, the file name in front of it did not
(`plays/bad` on one line, `name.yaml:1:1: error: …` on the next; an ESC sequence written to
the terminal raw)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DIAG_RE, SUMMARY_RE, base_text, check

RD = "plays/recovery-drills.yaml"


@pytest.mark.parametrize("name", ["bad\nname", "bad\rname", "x\x1b[31mred", "a\u2028b"])
def test_a_file_name_with_a_control_character_is_one_error_line(tmp_path: Path, name: str) -> None:
    result = check(tmp_path, {f"plays/{name}.yaml": base_text(RD)})
    assert result.code == 1
    lines = result.stderr.splitlines()  # splits at \u2028 too, as a terminal may
    assert all(DIAG_RE.match(line) or SUMMARY_RE.match(line) for line in lines), lines
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1, lines
    assert "\x1b" not in result.stderr
    assert errors[0].startswith("plays/"), errors

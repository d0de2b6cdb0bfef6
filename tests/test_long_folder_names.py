"""A folder option whose name the system cannot take (a part past 255 bytes, the whole
past PATH_MAX) is a usage error in one line, exit 2: `Path.exists()` and its kin raise
ENAMETOOLONG, which came out as "internal error: OSError: [Errno 36] File name too long"."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import AS_OF, make_catalog, run_cli

LONG = "x" * 300
DEEP = "/".join(["d" * 200] * 25)  # each part fits, the whole does not (past 4096)


@pytest.mark.parametrize("name", [LONG, DEEP])
@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("build", "--catalog", "plays", "--out", "{}"), "--out"),
        (("build", "--catalog", "{}"), "--catalog"),
        (("build", "--catalog", "plays", "--templates", "{}"), "--templates"),
        (("kit", "blue-river", "--catalog", "plays", "--out", "{}"), "--out"),
        (("check", "--catalog", "plays", "--out", "{}"), "--out"),
        (("check", "--catalog", "{}"), "--catalog"),
        (("i18n", "extract", "--catalog", "{}"), "--catalog"),
        (("changes", "--since", "HEAD", "--catalog", "{}"), "--catalog"),
    ],
)
def test_a_name_too_long_for_the_system_is_a_usage_error(
    tmp_path: Path, args: tuple[str, ...], option: str, name: str
) -> None:
    make_catalog(tmp_path)
    argv = [a.replace("{}", name) for a in args]
    result = run_cli(*argv, "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 2, result.stderr
    assert "internal error" not in result.stderr
    assert len(result.lines) == 1, result.stderr
    assert result.lines[0].startswith(f"salesplay: error: {option} '"), result.stderr
    assert not (tmp_path / "build").exists()

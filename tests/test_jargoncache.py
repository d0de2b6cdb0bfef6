"""The jargon scans of the cards' texts are kept under build/.salesplay/ between builds:
each text is scanned once, and a damaged or planted file only means scanning again."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from conftest import AS_OF, make_catalog
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.jargoncache import FILE

PARTNER = "plays/partners/blue-river.yaml"


def build(root: Path, *, clean: bool = False, out: str = "build") -> None:
    ctx = Context(catalog=root / "plays", as_of=dt.date.fromisoformat(AS_OF), out=root / out,
                  jobs=1)  # fmt: skip
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert run_build(ctx, ["kits", "battlecards"], clean=clean) == 0, err.getvalue()


def edit_partner(root: Path) -> None:
    """A new contact e-mail: the kits' plan makes the partner edition again."""
    path = root / PARTNER
    path.write_text(path.read_text(encoding="utf-8").replace("dana@", "dana.ruiz@"))


def tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".salesplay" not in p.relative_to(out).parts
    }


def test_a_second_build_scans_no_text_the_first_scanned(tmp_path: Path, scanned: list[str]) -> None:
    make_catalog(tmp_path)
    build(tmp_path)
    assert scanned  # the first build scans every card's text
    assert (tmp_path / "build" / FILE).is_file()
    scanned.clear()
    edit_partner(tmp_path)
    build(tmp_path)
    assert scanned == []
    build(tmp_path, clean=True)  # --clean reads nothing an earlier build left
    assert scanned


@pytest.mark.parametrize(
    "damage",
    [
        b"not json",
        b'{"format": 1, "glossaries": []}',
        b'{"format": 999, "glossaries": {}}',
        "planted",  # every stored text claims a term the glossary does not hold
    ],
)
def test_a_damaged_or_planted_file_means_scanning_again(
    tmp_path: Path, scanned: list[str], damage: bytes | str
) -> None:
    make_catalog(tmp_path)
    build(tmp_path)
    cache = tmp_path / "build" / FILE
    if isinstance(damage, bytes):
        cache.write_bytes(damage)
    else:
        body = json.loads(cache.read_bytes())
        for entries in body["glossaries"].values():
            for digest in entries:
                entries[digest] = ["NOT-A-TERM"]
        cache.write_text(json.dumps(body))
    scanned.clear()
    edit_partner(tmp_path)
    build(tmp_path)
    assert scanned  # the stored scans were not taken
    build(tmp_path, out="clean", clean=True)
    assert tree(tmp_path / "build") == tree(tmp_path / "clean")

"""The no-change check reads only input files whose stat moved; a racy one is always read again."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from salesplay.engine import records
from salesplay.engine.records import FileMemo, Records, _memo, tree_digest


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    real = records._file_digest

    def counted(path: Path) -> bytes:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(records, "_file_digest", counted)
    return read


def _tree(tmp_path: Path, age_s: float) -> Path:
    root = tmp_path / "plays"
    (root / "sub").mkdir(parents=True)
    then = time.time() - age_s
    for name in ("a.yaml", "sub/b.yaml"):
        (root / name).write_text(f"id: {name}\n")
        os.utime(root / name, (then, then))
    return root


def _again(memo: FileMemo) -> FileMemo:
    """The memo as the next build loads it from records.json."""
    return _memo(json.loads(Records(files=memo).to_json())["files"])


def test_unchanged_old_files_are_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path, age_s=60)
    first = FileMemo()
    plain = tree_digest([root], first)
    assert plain == tree_digest([root])  # the memo never changes the digest
    read = _counting(monkeypatch)
    assert tree_digest([root], _again(first)) == plain
    assert read == []


def test_a_changed_file_is_read_and_changes_the_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path, age_s=60)
    first = FileMemo()
    before = tree_digest([root], first)
    (root / "sub/b.yaml").write_text("id: changed\n")
    read = _counting(monkeypatch)
    assert tree_digest([root], _again(first)) != before
    assert read == ["b.yaml"]


def test_a_racy_file_is_read_even_when_its_stat_looks_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # modified just before its stat was taken: a later edit of the same size may leave
    # size and mtime as they were (coarse timestamps), so the memo must not be trusted
    root = _tree(tmp_path, age_s=0)
    first = FileMemo()
    before = tree_digest([root], first)
    target = root / "a.yaml"
    info = target.stat()
    target.write_text("id: a.yamX\n")  # same size
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
    memo = _again(first)
    # only the inode's change time could tell; pretend it could not either
    memo.known = {p: (*e[:2], os.stat(p).st_ctime_ns, *e[3:]) for p, e in memo.known.items()}
    read = _counting(monkeypatch)
    assert tree_digest([root], memo) != before
    assert "a.yaml" in read


@pytest.mark.parametrize(
    "files",
    [None, "x", {"taken_ns": "soon"}, {"taken_ns": 1, "digests": {"p": [1, 2, 3, 4, "zz"]}}],
)
def test_an_unusable_memo_means_reading_every_file(files: object) -> None:
    memo = _memo(files)
    assert memo.known == {} and memo.taken_ns == 0

"""A build keeps the catalog files it parsed; later commands reuse them only for the same bytes."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from conftest import AS_OF, MINIMAL, run_cli
from salesplay import load
from salesplay.diagnostics import Reporter
from salesplay.load import Document, load_catalog, parse_document
from salesplay.parsecache import FILE, FORMAT, ParseCache
from test_incremental import assert_same_tree
from test_memo import _build as build_with

ROOT = Path(__file__).resolve().parent.parent
PLAY = "plays/backup-modernization.yaml"


def _same(a: Document, b: Document) -> None:
    assert (a.path, a.kind, a.id) == (b.path, b.kind, b.id)
    assert a.data == b.data and repr(a.data) == repr(b.data)  # types too: dates stay dates
    assert list(a.marks.items()) == list(b.marks.items())
    assert list(a.key_marks.items()) == list(b.key_marks.items())
    assert list(a.styles.items()) == list(b.styles.items())
    assert a.lines == b.lines


@pytest.mark.parametrize("catalog", [ROOT / "plays", MINIMAL], ids=["sample", "minimal"])
def test_every_document_comes_back_as_it_was_parsed(tmp_path: Path, catalog: Path) -> None:
    first = ParseCache(tmp_path)
    parsed = load_catalog(catalog, Reporter(), stored=first)
    assert first.added and len(first.used) == len(parsed)
    data = first.pending()
    assert data is not None
    (tmp_path / FILE).parent.mkdir(parents=True)
    (tmp_path / FILE).write_bytes(data)

    again = ParseCache(tmp_path)
    reused = load_catalog(catalog, Reporter(), stored=again)
    assert not again.added  # nothing parsed
    assert again.pending() is None  # and nothing to save
    assert len(reused) == len(parsed)
    for a, b in zip(parsed, reused, strict=True):
        _same(a, b)


def test_timestamps_and_odd_values_round_trip(tmp_path: Path) -> None:
    raw = (
        b"name: X\nwhen: !!timestamp 2026-01-02 03:04:05+01:00\nday: !!timestamp 2026-01-02\n"
        b"n: 12345678901234567890\n"
        b"f: 1.5\nyes: true\nnone: null\nlist: [1, 'two', {k: v}]\n"
    )
    doc = parse_document(tmp_path / "x.yaml", "play", "x", raw)
    cache = ParseCache()
    cache.put(raw, doc)
    data = cache.pending()
    assert data is not None
    (tmp_path / FILE).parent.mkdir(parents=True)
    (tmp_path / FILE).write_bytes(data)
    back = ParseCache(tmp_path).get(doc.path, "play", "x", raw, raw.decode())
    assert back is not None
    _same(doc, back)
    assert isinstance(back.data["when"], dt.datetime) and back.data["when"].utcoffset()


def test_a_value_json_cannot_carry_is_not_kept(tmp_path: Path) -> None:
    raw = b"name: X\nf: .inf\n"
    cache = ParseCache()
    cache.put(raw, parse_document(tmp_path / "x.yaml", "play", "x", raw))
    assert cache.used == {} and not cache.added


def _build(project: Path, out: str, *, clean: bool = False) -> str:
    code, said = build_with(project, out, None, ("site", "reports"), clean=clean)
    assert code == 0, said
    return said


def _edit(project: Path) -> None:
    play = project / "plays" / PLAY
    play.write_text(play.read_text().replace("name: ", "name: Edited ", 1))


def _parsing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = load.parse_document

    def counted(path: Path, kind: str, doc_id: str, raw: bytes) -> Document:
        calls.append(path.name)
        return real(path, kind, doc_id, raw)

    monkeypatch.setattr(load, "parse_document", counted)
    return calls


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(MINIMAL, tmp_path / "plays")
    return tmp_path


def test_builds_and_check_parse_only_what_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(project, "build")
    assert (project / "build" / FILE).is_file()
    calls = _parsing(monkeypatch)
    _edit(project)
    _build(project, "build")
    assert calls == ["backup-modernization.yaml"]
    assert "Edited" in (project / "build" / "site" / "index.html").read_text()

    calls.clear()
    checked = run_cli("check", "--as-of", AS_OF, "--out", "build", cwd=project)
    assert checked.code == 0, checked.stderr
    assert calls == []
    # the same bytes as a build that parsed everything
    _build(project, "clean", clean=True)
    assert_same_tree(project / "build", project / "clean")


def _stored_parses(project: Path) -> Path:
    """build/.salesplay/parsed.jsonl as a build would leave it, without building."""
    cache = ParseCache()
    load_catalog(project / "plays", Reporter(), stored=cache)
    data = cache.pending()
    assert data is not None
    path = project / "build" / FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    return path


def _checked_parses(project: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files `check --out build` parses (it must pass)."""
    calls = _parsing(monkeypatch)
    checked = run_cli("check", "--as-of", AS_OF, "--out", "build", cwd=project)
    assert checked.code == 0, checked.stderr
    return calls


def test_the_stored_parses_spare_check_every_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stored_parses(project)
    assert _checked_parses(project, monkeypatch) == []


@pytest.mark.parametrize(
    "stored",
    [
        b"not json",
        json.dumps({"format": FORMAT + 1}).encode(),
        json.dumps({"format": 1, "entries": {}}).encode(),  # the one-JSON layout before it
        b"",
    ],
    ids=["garbage", "other-format", "old-format", "empty"],
)
def test_an_unusable_file_means_parsing_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, stored: bytes
) -> None:
    path = _stored_parses(project)
    lines = path.read_bytes().split(b"\n")[1:]  # the entries under another first line
    path.write_bytes(b"\n".join([stored, *lines]))
    calls = _checked_parses(project, monkeypatch)
    assert len(calls) == len(list((project / "plays").rglob("*.yaml")))


def test_an_entry_of_the_wrong_shape_is_parsed_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _stored_parses(project)
    header, *lines = path.read_bytes().rstrip(b"\n").split(b"\n")
    broken = [
        json.dumps(["not a mapping", [], [], []]).encode(),
        json.dumps([{"name": "X"}, [[["name"], "one", 1]], [], []]).encode(),  # line not a number
        json.dumps([{"name": "X"}, [[[None], 1, 1]], [], []]).encode(),  # a path part neither
        json.dumps([{"name": "X"}, [[[True], 1, 1]], [], []]).encode(),  # a bool is no part
        json.dumps([{"name": "X"}, [], [[["name"], -1, 1]], []]).encode(),  # a negative line
        json.dumps([{"name": "X"}, [["name", 1, 1]], [], []]).encode(),  # a path not a list
        json.dumps([{"name": "X"}, [], [], [[["name"], 3, True]]]).encode(),  # style not str
        json.dumps([{"name": "X"}]).encode(),  # too short
        b'[{"name": "X"}, [], [',  # not JSON
        b"[" * 100_000 + b"]" * 100_000,  # nested past what the parser takes
    ]
    for n, entry in enumerate(broken):
        key, _, _ = lines[n].partition(b"\t")
        lines[n] = key + b"\t" + entry
    lines.append(b"not-a-key\t[]")  # a line of no entry is skipped
    path.write_bytes(b"\n".join([header, *lines]) + b"\n")
    assert len(_checked_parses(project, monkeypatch)) == len(broken)

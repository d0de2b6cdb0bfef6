"""The output-family registry is the one answer: README table, ownership, audiences, kinds."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from conftest import AS_OF, make_catalog
from salesplay import families as families_module
from salesplay.build import KINDS as BUILD_KINDS
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.families import (
    KINDS,
    REGISTRY,
    TABLE_END,
    families,
    family,
    owner,
    readme_table,
)
from salesplay.families.base import Family

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
_ROW = re.compile(r"^\| `(?P<kind>[a-z-]+)` \| (?P<output>.+?) \| (?P<audience>[^|]+) \| .+\|$")


def _table() -> list[tuple[str, str, str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## What you get", 1)[1].split("\n## ", 1)[0]
    return [
        (m["kind"], m["output"], m["audience"].strip())
        for line in section.splitlines()
        if (m := _ROW.match(line))
    ]


def _readme_table_tool() -> Any:
    spec = importlib.util.spec_from_file_location("readme_table", ROOT / "tools/readme_table.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_the_readme_table_is_the_one_the_registry_writes() -> None:
    """The table of "What you get" is written from the registry (make readme): a family
    whose row is missing or stale fails here, with what to run."""
    text = README.read_text(encoding="utf-8")
    assert _readme_table_tool().with_table(text) == text, "run make readme"


def test_a_family_without_rows_gets_one_of_its_outputs_and_description(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new family needs no hand-written row: one is made of its globs, their audiences
    and its description, and `make readme` puts it in the README's table."""
    module = types.ModuleType("export_row_family")
    module.FAMILY = Family(  # type: ignore[attr-defined]
        "export",
        "every rep-visible play as CSV",
        (("export/*.csv", "rep"), ("export/public/*.csv", "public"), ("export/log/*", None)),
        lambda _src: [],
    )
    monkeypatch.setitem(sys.modules, "export_row_family", module)
    monkeypatch.setattr(families_module, "REGISTRY", (*REGISTRY, ("export", "export_row_family")))
    monkeypatch.setattr(families_module, "KINDS", (*KINDS, "export"))
    row = (
        "| `export` | `build/export/*.csv`, `build/export/public/*.csv`, `build/export/log/*`"
        " | rep, public, — | every rep-visible play as CSV |"
    )
    assert readme_table().splitlines()[-1] == row
    text = README.read_text(encoding="utf-8")
    made = _readme_table_tool().with_table(text)
    assert made.count(row) == 1 and made.index(row) < made.index(TABLE_END)
    assert made.replace(row + "\n", "") == text


def test_the_readme_table_lists_every_family_with_its_audiences() -> None:
    rows = _table()
    assert {kind for kind, _, _ in rows} == set(KINDS)
    for fam in families():
        shown = {aud for kind, _, aud in rows if kind == fam.name}
        for _pattern, audience in fam.outputs:
            assert any((audience or "—") in a for a in shown), (fam.name, audience, shown)


def test_build_reads_its_kinds_from_the_registry() -> None:
    assert BUILD_KINDS == KINDS == tuple(name for name, _ in REGISTRY)
    assert [f.name for f in families()] == list(KINDS)


@pytest.mark.parametrize(
    ("rel", "kind", "audience"),
    [
        ("battlecards/x.pdf", "battlecards", "rep"),
        ("playbooks/d.pdf", "playbooks", "internal"),
        ("decks/d-pitch.pptx", "decks", "public"),
        ("decks/p-enablement.pptx", "decks", "rep"),
        ("matrix.html", "matrix", "rep"),
        ("site/assets/fonts/Inter-Regular.otf", "site", "rep"),
        ("reports/check.json", "reports", None),
        ("kits/blue-river.zip", "kits", "partner"),
    ],
)
def test_every_output_path_has_one_owner_and_audience(
    rel: str, kind: str, audience: str | None
) -> None:
    fam = owner(rel)
    assert fam is not None and fam.name == kind
    assert fam.audience_of(rel) == audience
    assert sum(f.owns(rel) for f in families()) == 1


@pytest.mark.parametrize("rel", ["notes.txt", "decks/x.pdf", "kits/x.pdf", ".salesplay/x"])
def test_paths_no_family_makes_have_no_owner(rel: str) -> None:
    assert owner(rel) is None


def test_a_new_family_is_one_module_and_one_registry_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's example family, taken from the README itself, builds with --only."""
    text = README.read_text(encoding="utf-8")
    example = text.split("# src/salesplay/families/export.py\n", 1)[1].split("```", 1)[0]
    (tmp_path / "export_family.py").write_text(example, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(families_module, "REGISTRY", (*REGISTRY, ("export", "export_family")))
    monkeypatch.setattr(families_module, "KINDS", (*KINDS, "export"))
    root = make_catalog(tmp_path)
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF), out=tmp_path / "build")
    assert run_build(ctx, ["export"]) == 0
    with (tmp_path / "build/export/rep-plays.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert rows and all(r["summary"] for r in rows)
    assert owner("export/rep-plays.csv") is not None


def test_an_unknown_family_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        family("feeds")


def test_owner_answers_from_the_registry_in_force(monkeypatch: pytest.MonkeyPatch) -> None:
    """Owners are remembered per registry: registering a family, or replacing one, is seen."""
    import dataclasses

    from salesplay.families import site

    assert owner("site/index.html") is site.FAMILY
    assert owner("export/rep-plays.csv") is None
    replaced = dataclasses.replace(site.FAMILY, description="replaced")
    monkeypatch.setattr(site, "FAMILY", replaced)
    assert owner("site/index.html") is replaced
    export = dataclasses.replace(site.FAMILY, name="export", outputs=(("export/*.csv", "rep"),))
    module = type(site)("export_owner_family")
    module.FAMILY = export  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "export_owner_family", module)
    monkeypatch.setattr(families_module, "REGISTRY", (*REGISTRY, ("export", "export_owner_family")))
    monkeypatch.setattr(families_module, "KINDS", (*KINDS, "export"))
    assert owner("export/rep-plays.csv") is export


def test_the_readme_shows_the_table_row_a_new_family_gets() -> None:
    """The worked example of "Adding an output family" shows the row `make readme` writes
    for it, and where a partner output outside the kits comes from."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Adding an output family", 1)[1].split("\n## ", 1)[0]
    rows = [m for line in section.splitlines() if (m := _ROW.match(line))]
    assert [(m["kind"], m["audience"].strip()) for m in rows] == [("export", "rep")]
    assert "make readme" in section and '"What you get"' in section
    assert "partner-<tier>" in section and "kits[tier].cards" in section

"""A family plans only paths its own `outputs` globs own: another family's output, or a path no
family owns, stops the build, `--only` included (README: "writing two outputs to one path is
an error, not a silent overwrite")."""

from __future__ import annotations

import datetime as dt
import sys
import types
from pathlib import Path

import pytest

from conftest import AS_OF, make_catalog
from salesplay import families as families_module
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.families import KINDS, REGISTRY
from salesplay.families.base import Family, Sources, page_unit


def _register(monkeypatch: pytest.MonkeyPatch, rel: str) -> None:
    def plan(src: Sources) -> list:
        return [page_unit("intruder", rel, '{"intruder": true}\n')]

    module = types.ModuleType("intruder_family")
    module.FAMILY = Family(  # type: ignore[attr-defined]
        "intruder", "plans a path it does not own", (("intruder/*.json", "rep"),), plan
    )
    monkeypatch.setitem(sys.modules, "intruder_family", module)
    monkeypatch.setattr(families_module, "REGISTRY", (*REGISTRY, ("intruder", "intruder_family")))
    monkeypatch.setattr(families_module, "KINDS", (*KINDS, "intruder"))


@pytest.mark.parametrize(
    ("rel", "owned_by"), [("feed/rep.json", "family 'feed'"), ("elsewhere/x.json", "no family")]
)
def test_only_one_family_may_write_a_path(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    rel: str,
    owned_by: str,
) -> None:
    _register(monkeypatch, rel)
    root = make_catalog(tmp_path)
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF), out=tmp_path / "build")
    assert run_build(ctx, ["feed"]) == 0
    before = (tmp_path / "build/feed/rep.json").read_bytes()
    capsys.readouterr()
    assert run_build(ctx, ["intruder"]) != 0
    err = capsys.readouterr().err
    assert f"{rel}: error: family 'intruder' plans" in err and owned_by in err, err
    assert (tmp_path / "build/feed/rep.json").read_bytes() == before
    assert not (tmp_path / "build/elsewhere").exists()

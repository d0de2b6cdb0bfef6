"""The theme templates `make` compiles (render.shelf), used only as made for this code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest

from salesplay.render import shelf
from salesplay.render.precompile import compile_theme, theme_pages
from salesplay.render.templates import make_env


@pytest.fixture
def shelf_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shelf read and written at a path of this test's, none there yet."""
    path = tmp_path / "__pycache__" / "theme-templates.bytecode"
    monkeypatch.setattr(shelf, "SHELF", path)
    shelf.installed.cache_clear()
    yield path
    shelf.installed.cache_clear()


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from here on."""
    names: list[str] = []
    compile_ = jinja2.Environment.compile

    def spy(self: jinja2.Environment, source: Any, name: Any = None, *args: Any) -> Any:
        names.append(str(name))
        return compile_(self, source, name, *args)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    return names


def _shelve(path: Path) -> None:
    assert compile_theme(path) == len(theme_pages()) > 10
    shelf.installed.cache_clear()


def _codes(template: jinja2.Template) -> list[object]:
    return [template.root_render_func.__code__] + [
        f.__code__ for _, f in sorted(template.blocks.items())
    ]


def test_a_shelf_made_for_this_code_spares_every_built_in_compile(
    shelf_at: Path, compiled: list[str]
) -> None:
    _shelve(shelf_at)
    compiled.clear()
    shelved = make_env(None)  # a one-off build's environment: no store of its own
    codes = {name: _codes(shelved.get_template(name)) for name in theme_pages()}
    assert compiled == []
    # and the code it loads is the code Jinja compiles from the theme now
    shelf_at.unlink()
    shelf.installed.cache_clear()
    fresh = make_env(None)
    for name in theme_pages():
        assert _codes(fresh.get_template(name)) == codes[name], name
    assert sorted(compiled) == sorted(theme_pages())


def test_precompile_run_again_on_a_current_shelf_keeps_every_template(
    shelf_at: Path, compiled: list[str]
) -> None:
    """`python -m salesplay.render.precompile` run twice (a `make` after a file was touched,
    its bytes the same) found every template on the shelf it had made, kept none of them,
    and wrote an empty shelf: every build compiled the theme again, and nothing said so."""
    _shelve(shelf_at)
    first = shelf_at.read_bytes()
    compiled.clear()
    _shelve(shelf_at)  # asserts it kept every template again
    assert compiled == [] and shelf_at.read_bytes() == first


def test_a_shelf_made_for_other_code_is_not_read(
    shelf_at: Path, compiled: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    made_for = shelf.stamp()
    for part in made_for:
        with monkeypatch.context() as other:
            other.setattr(shelf, "stamp", lambda part=part: {**made_for, part: "other"})
            _shelve(shelf_at)
        assert shelf.installed() == {}, part
        compiled.clear()
        make_env(None).get_template("battlecard.html")
        assert compiled == ["battlecard.html"], part


@pytest.mark.parametrize(
    "damage",
    [b"", b"salesplay-theme-bytecode-1\n", b"garbage\n\x00\x01", "truncated", "not a dict"],
)
def test_a_damaged_shelf_is_not_read(
    shelf_at: Path, compiled: list[str], damage: bytes | str
) -> None:
    _shelve(shelf_at)
    data = shelf_at.read_bytes()
    if damage == "truncated":
        shelf_at.write_bytes(data[: len(data) // 2])
    elif damage == "not a dict":
        head = data[: data.index(b"\n", len(b"salesplay-theme-bytecode-1\n")) + 1]
        shelf_at.write_bytes(head + b"\xe9\x01\x00\x00\x00")  # marshal of the int 1
    else:
        assert isinstance(damage, bytes)
        shelf_at.write_bytes(damage)
    shelf.installed.cache_clear()
    assert shelf.installed() == {}
    compiled.clear()
    page = make_env(None).get_template("battlecard.html")
    assert compiled == ["battlecard.html"]
    assert page.filename is not None and page.filename.endswith("battlecard.html")


def test_a_projects_override_is_compiled_from_its_own_source(
    shelf_at: Path, compiled: list[str], tmp_path: Path
) -> None:
    _shelve(shelf_at)
    project = tmp_path / "templates"
    project.mkdir()
    (project / "kit_index.html").write_text("own {{ 1 + 1 }}", encoding="utf-8")
    compiled.clear()
    env = make_env(project)
    assert env.get_template("kit_index.html").render() == "own 2"
    env.get_template("battlecard.html")  # not overridden: from the shelf
    assert compiled == ["kit_index.html"]


def test_the_shelf_is_kept_where_no_digest_of_the_package_reads() -> None:
    """Made by `make` into the package: in a __pycache__ folder, which the code digest
    (records._walk) and the theme's tree digest skip, so making it remakes no output."""
    assert shelf.SHELF.parent.name == "__pycache__"
    assert shelf.SHELF.parent.parent == shelf.THEME_DIR.parent

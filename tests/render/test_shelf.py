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


def _moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, attr: str, read: Any) -> Iterator[Path]:
    """The shelf file `attr` names read and written at a path of this test's, none there
    yet; `read` is the cached function that reads it."""
    path = tmp_path / "__pycache__" / getattr(shelf, attr).name
    monkeypatch.setattr(shelf, attr, path)
    read.cache_clear()
    yield path
    read.cache_clear()


@pytest.fixture
def shelf_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The templates' shelf at a path of this test's."""
    yield from _moved(tmp_path, monkeypatch, "SHELF", shelf.installed)


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


# --- the band fonts `make` cuts ------------------------------------------------------------


@pytest.fixture
def fonts_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The band fonts' shelf at a path of this test's."""
    yield from _moved(tmp_path, monkeypatch, "FONTS", shelf.band_fonts)


@pytest.fixture
def cuts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The resources of the fonts cut from here on."""
    from salesplay.render import fonts

    made: list[str] = []
    cut = fonts.cut

    def spy(data: bytes, *args: Any, **kw: Any) -> Any:
        made.append("cut")
        return cut(data, *args, **kw)

    monkeypatch.setattr(fonts, "cut", spy)
    return made


def _kits_build(project: Path) -> None:
    from conftest import AS_OF, run_cli

    done = run_cli("build", "--only", "kits", "--jobs", "1", "--as-of", AS_OF, cwd=project)
    assert done.code == 0, done.stderr


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "records.json"  # it names the time each build took
    }


def test_a_kit_build_into_a_new_folder_takes_the_band_fonts_make_cut(
    fonts_at: Path, cuts: list[str], tmp_path: Path
) -> None:
    """Every build into a new folder (a fresh clone, each test of the suite) cut the band's
    two fonts again: ~0.7 s of CPU. `make` cuts them once; the build folder then holds the
    same files, and the kits the same bytes, as when the build cuts them itself."""
    from conftest import make_catalog
    from salesplay.render.precompile import cut_band_fonts

    make_catalog(tmp_path / "cut")
    _kits_build(tmp_path / "cut")
    assert len(cuts) == 2  # no shelf: the build cuts both

    assert cut_band_fonts(fonts_at) == 2
    shelf.band_fonts.cache_clear()
    cuts.clear()
    make_catalog(tmp_path / "shelved")
    _kits_build(tmp_path / "shelved")
    assert cuts == []
    assert _tree(tmp_path / "shelved" / "build") == _tree(tmp_path / "cut" / "build")


def test_precompile_run_again_keeps_the_band_fonts_it_cut(fonts_at: Path, cuts: list[str]) -> None:
    from salesplay.render.precompile import cut_band_fonts

    assert cut_band_fonts(fonts_at) == 2 and len(cuts) == 2
    first = fonts_at.read_bytes()
    shelf.band_fonts.cache_clear()
    cuts.clear()
    assert cut_band_fonts(fonts_at) == 2
    assert cuts == [] and fonts_at.read_bytes() == first


@pytest.mark.parametrize("damage", ["other code", "truncated", "not fonts", "bold as regular"])
def test_band_fonts_made_for_other_code_or_damaged_are_cut_again(
    fonts_at: Path, cuts: list[str], monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    from salesplay.render.band import BandFonts
    from salesplay.render.precompile import cut_band_fonts

    fresh = BandFonts.load().warmed()
    made_for = shelf.stamp()
    if damage == "other code":
        with monkeypatch.context() as other:
            other.setattr(shelf, "stamp", lambda: {**made_for, "code": "other"})
            cut_band_fonts(fonts_at)
    else:
        cut_band_fonts(fonts_at)
        kept = dict(shelf.band_fonts())
        shelf.band_fonts.cache_clear()
        if damage == "truncated":
            data = fonts_at.read_bytes()
            fonts_at.write_bytes(data[: len(data) // 2])
        elif damage == "not fonts":
            shelf.keep_band_fonts({k: [b"OTTO no font", b"x"] for k in kept}, fonts_at)
        else:  # sound fonts, each with the first one's subset: the other's is made again
            first = kept[min(kept)]
            shelf.keep_band_fonts({k: [v[0], first[1]] for k, v in kept.items()}, fonts_at)
    shelf.band_fonts.cache_clear()
    cuts.clear()
    kept_now: dict[tuple[object, ...], list[bytes]] = {}
    loaded = BandFonts.load_warmed(lambda parts, make: kept_now.setdefault(parts, make()))
    if damage != "bold as regular":
        assert len(cuts) == 2
    for a, b in ((fresh.regular, loaded.regular), (fresh.bold, loaded.bold)):
        assert (a.data, a.gids, a.advance) == (b.data, b.gids, b.advance)
        assert a._subsets == b._subsets and a._subsets
    # and what the build's memo keeps is what a cut makes, not the damage
    assert sorted(kept_now.values()) == sorted(
        [[f.data, f.warm()] for f in (fresh.regular, fresh.bold)]
    )

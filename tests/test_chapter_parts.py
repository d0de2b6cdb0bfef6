"""A playbook's chapters kept between builds (families.base PartStore): an edit renders the
edited chapter again, damaged or foreign part files are rendered afresh, parts of outputs
gone are removed, and --clean reads none; the PDF always equals a clean build's."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import AS_OF, make_catalog
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.families.base import PARTS
from salesplay.render import pdf
from sessionbuild import sample_build

PLAYBOOK = "playbooks/cyber-resilience.pdf"
PLAY = "plays/backup-modernization.yaml"


def build(root: Path, *only: str, out: str = "build", clean: bool = False) -> None:
    ctx = Context(
        catalog=root / "plays", as_of=dt.date.fromisoformat(AS_OF), out=root / out, jobs=1
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run_build(ctx, list(only or ("playbooks",)), clean=clean)
    assert code == 0, err.getvalue()


@pytest.fixture
def parts_rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of every part (or whole page) WeasyPrint renders from here on."""
    seen: list[str] = []
    render = pdf._render_html

    def counted(
        renderer: pdf.PdfRenderer, job: pdf.RenderJob, html: str, fonts: pdf.FontForm = "dense"
    ) -> tuple[bytes, list[str]]:
        seen.append(html)
        return render(renderer, job, html, fonts)

    monkeypatch.setattr(pdf, "_render_html", counted)
    return seen


def _parts(root: Path) -> list[Path]:
    return sorted((root / "build" / PARTS).iterdir())


def _assert_as_clean(root: Path) -> None:
    """The playbook built is the one a --clean build into another folder makes."""
    build(root, out="clean", clean=True)
    assert (root / "build" / PLAYBOOK).read_bytes() == (root / "clean" / PLAYBOOK).read_bytes()


def _built(root: Path, rendered: list[str]) -> int:
    """The minimal catalog made in `root` and its playbook built: the parts rendered."""
    make_catalog(root)
    build(root)
    return len(rendered)


def _edit(root: Path) -> None:
    play = root / "plays" / PLAY
    text = play.read_text()
    play.write_text(text.replace("summary: ", "summary: Edited. ", 1))


def test_an_edit_renders_one_chapter_and_equals_a_clean_build(
    tmp_path: Path, parts_rendered: list[str]
) -> None:
    first = _built(tmp_path, parts_rendered)
    kept = _parts(tmp_path)
    assert first >= 4 and len(kept) == first  # every chapter and the front part
    assert all(p.name.startswith("playbooks+cyber-resilience.pdf--") for p in kept)
    _edit(tmp_path)
    build(tmp_path)
    assert len(parts_rendered) == first + 1
    assert "Edited." in parts_rendered[-1]
    assert len(_parts(tmp_path)) == first  # the edited chapter's old part went
    _assert_as_clean(tmp_path)


def test_damaged_and_foreign_part_files_are_rendered_afresh(
    tmp_path: Path, parts_rendered: list[str]
) -> None:
    first = _built(tmp_path, parts_rendered)
    kept = _parts(tmp_path)
    # one part's bytes damaged; another's file copied over a third (its digest names it)
    damaged = bytearray(kept[0].read_bytes())
    damaged[-10] ^= 0xFF
    kept[0].write_bytes(bytes(damaged))
    kept[2].write_bytes(kept[1].read_bytes())
    (tmp_path / "build" / PLAYBOOK).unlink()  # made again: its parts are looked up
    build(tmp_path)
    assert len(parts_rendered) - first == 2  # the two bad files' parts
    _assert_as_clean(tmp_path)


def test_parts_of_outputs_gone_are_removed_and_clean_reads_none(
    tmp_path: Path, parts_rendered: list[str]
) -> None:
    first = _built(tmp_path, parts_rendered)
    folder = tmp_path / "build" / PARTS
    gone = folder / "playbooks+gone.pdf--0.blobs"
    other = folder / "battlecards+x.pdf--0.blobs"
    gone.write_bytes(b"a playbook no longer planned")
    other.write_bytes(b"an output of a family this build leaves alone")
    build(tmp_path)  # no change: the build stops before touching anything
    assert gone.exists() and len(parts_rendered) == first
    _edit(tmp_path)
    build(tmp_path)
    assert not gone.exists() and other.exists()  # --only playbooks: battlecards keep theirs
    assert len(parts_rendered) == first + 1
    build(tmp_path, clean=True)
    assert len(parts_rendered) == 2 * first + 1  # --clean renders every part again
    assert len(_parts(tmp_path)) == first + 1


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_that_stops_keeps_no_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Parts are written with their output, by the build: a build stopped after rendering
    (here by a render warning under --strict) leaves the kept parts as they were, neither
    the edited chapter's new part written nor its old one removed; the next build keeps
    them as usual."""
    make_catalog(tmp_path)
    build(tmp_path)
    before = {p.name: p.read_bytes() for p in _parts(tmp_path)}
    render = pdf._render_html

    def refusing(
        renderer: pdf.PdfRenderer, job: pdf.RenderJob, html: str, fonts: pdf.FontForm = "dense"
    ) -> tuple[bytes, list[str]]:
        data, refused = render(renderer, job, html, fonts)
        return data, [*refused, "file:///outside.png"] if "Edited." in html else refused

    monkeypatch.setattr(pdf, "_render_html", refusing)
    _edit(tmp_path)
    ctx = Context(
        catalog=tmp_path / "plays",
        as_of=dt.date.fromisoformat(AS_OF),
        out=tmp_path / "build",
        jobs=jobs,
        strict=True,
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert run_build(ctx, ["playbooks"]) == 1
    assert "outside.png" in err.getvalue()
    assert {p.name: p.read_bytes() for p in _parts(tmp_path)} == before
    monkeypatch.setattr(pdf, "_render_html", render)
    build(tmp_path)
    after = {p.name for p in _parts(tmp_path)}
    assert len(after) == len(before) and len(after - before.keys()) == 1


@pytest.mark.sample_build
def test_each_locales_playbook_keeps_its_own_parts(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A translated playbook's parts are its own: building one locale's never removes
    another's (they were once kept under the source path, and each make swept the rest)."""
    # the session's full build of the sample, copied with its records and parts: its
    # playbooks are up to date here too (keys name no path), so only the edit renders
    first = sample_build(tmp_path_factory)
    catalog = tmp_path / "plays"
    shutil.copytree(first / "plays", catalog)
    shutil.copytree(first / "build", tmp_path / "build")
    ctx = Context(catalog=catalog, as_of=dt.date.fromisoformat(AS_OF), out=tmp_path / "build")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert run_build(replace(ctx, jobs=2), ["playbooks"]) == 0, err.getvalue()
    assert "; 0 changed, 0 removed;" in err.getvalue()
    folder = tmp_path / "build" / PARTS
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    prefixes = {name.partition("--")[0] for name in before}
    assert prefixes == {
        f"{lang}playbooks+{dest}.pdf"
        for lang in ("", "de+", "ja+", "ar+")
        for dest in ("cyber-resilience", "unified-hybrid-cloud")
    }
    each = {prefix: sum(n.startswith(prefix + "--") for n in before) for prefix in prefixes}
    assert min(each.values()) >= 5
    play = catalog / PLAY
    play.write_text(play.read_text().replace("summary: ", "summary: Edited. ", 1))
    with contextlib.redirect_stderr(err):
        assert run_build(replace(ctx, jobs=2), ["playbooks"]) == 0, err.getvalue()
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    new = [name for name in after if name not in before]
    # the chapters that show the edited play (in both playbooks) again, in each locale;
    # the rest kept
    touched = [n.partition("--")[0] for n in new]
    assert set(touched) == prefixes and all(touched.count(p) <= 2 for p in prefixes)
    assert {p: sum(n.startswith(p + "--") for n in after) for p in prefixes} == each

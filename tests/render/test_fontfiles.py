"""@font-face files in memory: a render writes no temp folder, and a killed one leaves none."""

from __future__ import annotations

import io
import os
import signal
import tempfile
from datetime import date
from pathlib import Path

import pytest

from salesplay.render import fontfiles
from salesplay.render.fontfiles import MemoryFolder
from salesplay.render.pdf import FONTS_CSS, THEME_DIR, PdfRenderer

AS_OF = date(2026, 11, 1)
HTML = '<p style="font-family: Inter">Müller &amp; <b>Søn</b></p>'
ARGS = {
    "base_url": THEME_DIR.as_uri() + "/",
    "roots": [THEME_DIR],
    "as_of": AS_OF,
    "title": "t",
    "stylesheets": [FONTS_CSS],
}


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temp folder, as this process and its forks see it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_render_writes_no_temp_folder(temp: Path) -> None:
    with PdfRenderer() as renderer:
        pdf, refused = renderer.render(HTML, **ARGS)  # type: ignore[arg-type]
        folder = renderer._font_config._folder
        assert isinstance(folder, MemoryFolder) and folder.files  # Inter, regular and bold
        for name, fd in folder.files.items():
            path = (folder / name).as_posix()
            assert path == f"/proc/self/fd/{fd}"
            head = Path(path).read_bytes()[:4]
            assert head in (b"OTTO", b"\x00\x01\x00\x00"), head  # a font, by its path
        assert list(temp.iterdir()) == []
    assert refused == [] and pdf.startswith(b"%PDF")
    assert list(temp.iterdir()) == []


def test_a_killed_render_leaves_nothing_behind(temp: Path) -> None:
    """What a build's workers meet when the build is stopped (SIGTERM) or killed (SIGKILL
    reaches them through the parent's death): nothing runs after the signal."""
    for sig in (signal.SIGKILL, signal.SIGTERM):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                renderer = PdfRenderer()
                renderer.render(HTML, **ARGS)  # type: ignore[arg-type]
                os.kill(os.getpid(), sig)
            finally:
                os._exit(3)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == sig
        assert list(temp.iterdir()) == []


def test_without_memory_files_the_temp_folder_is_removed(
    temp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with PdfRenderer() as renderer:
        in_memory = renderer.render(HTML, **ARGS)  # type: ignore[arg-type]
    monkeypatch.delattr(os, "memfd_create")
    with PdfRenderer() as renderer:
        assert renderer.render(HTML, **ARGS) == in_memory  # type: ignore[arg-type]
        folder = renderer._font_config._folder
        assert isinstance(folder, Path) and folder.parent == temp and any(folder.iterdir())
    assert list(temp.iterdir()) == []


def test_a_font_written_again_replaces_the_first() -> None:
    folder = MemoryFolder()
    file = folder / "face"
    assert not file.exists() and not folder  # never a folder shutil.rmtree would remove
    file.write_bytes(b"first")
    first = folder.files["face"]
    assert file.exists() and Path(file.as_posix()).read_bytes() == b"first"
    assert file.write_bytes(b"second, tried next") == 18
    assert Path(file.as_posix()).read_bytes() == b"second, tried next"
    if first != folder.files["face"]:
        with pytest.raises(OSError):
            os.fstat(first)
    fds = list(folder.files.values())
    folder.close()
    assert folder.files == {}
    for fd in fds:
        with pytest.raises(OSError):
            os.fstat(fd)


def test_discard_and_disown() -> None:
    from salesplay.render import weasy

    weasy.load()
    config = fontfiles.font_configuration()
    folder = config._folder
    assert isinstance(folder, MemoryFolder)
    folder.write("face", b"bytes")
    fd = folder.files["face"]
    fontfiles.discard(config)
    assert config._folder is None
    with pytest.raises(OSError):
        os.fstat(fd)
    config = fontfiles.font_configuration()
    config._folder.write("face", b"bytes")
    fontfiles.disown(config)  # a child's copy: closed here, the parent's stays open
    assert config._folder is None


def test_a_later_configuration_loads_its_own_font_at_a_reused_path(tmp_path: Path) -> None:
    """Memory files are named by descriptor number, which a process reuses once a renderer
    is closed: a later renderer's font at the same path is its own, never a cached earlier
    one (serve renders again after a project's font file changed)."""
    import pikepdf

    fonts = THEME_DIR / "fonts"
    (tmp_path / "brand.css").write_text(
        '@font-face { font-family: "Brand"; src: url("brand.otf") format("opentype") }'
    )
    args = {**ARGS, "base_url": tmp_path.as_uri() + "/", "roots": [tmp_path]}
    args["stylesheets"] = [tmp_path / "brand.css"]
    html = '<p style="font-family: Brand">Hello</p>'
    seen: list[tuple[list[int], set[str]]] = []
    for face in ("Inter-Regular.otf", "Inter-Bold.otf", "Inter-Regular.otf"):
        (tmp_path / "brand.otf").write_bytes((fonts / face).read_bytes())
        with PdfRenderer() as renderer:
            pdf, _ = renderer.render(html, **args)  # type: ignore[arg-type]
            fds = sorted(renderer._font_config._folder.files.values())
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            names = {
                str(font.BaseFont) for page in doc.pages for font in page.Resources.Font.values()
            }
        seen.append((fds, names))
    assert seen[0][0] == seen[1][0] == seen[2][0]  # the same descriptor, hence the same path
    # WeasyPrint names an embedded face by its family and the face's own style
    assert [sorted(n.partition("+")[2] for n in names) for _, names in seen] == [
        ["Brand"],
        ["Brand-Bold"],
        ["Brand"],
    ]

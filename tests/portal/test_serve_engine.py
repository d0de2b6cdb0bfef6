"""`serve` on the build engine: kinds from the registry, JSON results, the card page first."""

from __future__ import annotations

import io
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import copy_sample
from salesplay.families import families
from salesplay.families.base import Family
from salesplay.render.templates import THEME_DIR
from salesplay.serve import ServeOptions, Server, allowed, quick_kinds, slow_kinds
from salesplay.serve import kinds as serve_kinds
from salesplay.serve.process import BuildProcess
from salesplay.serve.scheduler import passes

REPO = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-23"
PLAY = "plays/clean-recovery.yaml"
CARD = "/site/battlecards/clean-recovery.html"
PDF = "battlecards/clean-recovery.pdf"


def wait_for(what: str, check: Callable[[], bool], timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def get(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError:
        return b""


def test_passes_and_served_paths_come_from_the_registry() -> None:
    fams = families()
    assert quick_kinds() == tuple(f.name for f in fams if f.served and f.quick)
    served_slow = [f.name for f in fams if f.served and not f.quick]
    unserved = [f.name for f in fams if not f.served]
    assert slow_kinds() == (*served_slow, *unserved)
    assert passes(slow_kinds()) == [tuple(served_slow), tuple(unserved)]
    assert passes(("kits", "battlecards")) == [("battlecards",), ("kits",)]
    assert passes(()) == []
    for fam in fams:
        for pattern, _audience in fam.outputs:
            sample = "/" + pattern.replace("*", "x")
            assert allowed(sample) == fam.served, (fam.name, sample)
    assert allowed("/site/battlecards/")  # a folder: its index.html
    assert not allowed("/") and not allowed("/.salesplay/records.json")


def test_a_new_served_family_is_served_without_touching_serve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = Family("feeds", "a JSON feed", (("feeds/*.json", "rep"),), lambda _s: [], served=True)
    monkeypatch.setattr(serve_kinds, "families", lambda: (*families(), feed))
    assert allowed("/feeds/plays.json")
    assert not allowed("/feeds/plays.xml")
    assert "feeds" in slow_kinds()


def test_build_results_are_data_not_output(tmp_path: Path) -> None:
    root = tmp_path / "plays"
    copy_sample(root, locales=False)
    play = root / PLAY
    play.write_text(play.read_text("utf-8").replace("name: Clean-room", "nmae: Clean-room"))
    templates = tmp_path / "templates"
    process = BuildProcess(root, templates, tmp_path / "build", AS_OF, io.StringIO())
    try:
        broken = process.build(("site",))
        assert broken.code == 1 and not broken.interrupted
        errors = broken.errors
        assert errors and all(Path(e["file"]).is_absolute() for e in errors)
        assert any(e["file"] == str(play) and e["line"] >= 1 for e in errors), errors
        assert not (tmp_path / "build" / "site").exists()

        # A template fault is a diagnostic too: located in the theme, caught as data.
        play.write_text(play.read_text("utf-8").replace("nmae: Clean-room", "name: Clean-room"))
        templates.mkdir()
        (templates / "macros.html").write_text("{% macro nothing() %}{% endmacro %}\n", "utf-8")
        fault = process.build(("site",))
        assert fault.code == 1
        assert any(Path(e["file"]).is_relative_to(THEME_DIR) for e in fault.errors), fault

        (templates / "macros.html").unlink()
        good = process.build(("site", "reports"))
        assert good.code == 0 and good.errors == () and good.message is None
        assert (tmp_path / "build" / CARD.lstrip("/")).is_file()
        # the same process answered all three: it stays warm between builds
        assert process.proc is not None and process.proc.poll() is None
    finally:
        process.stop()
    assert process.proc is not None and process.proc.poll() is not None


def test_a_save_shows_the_card_page_first_and_its_pdf_follows(tmp_path: Path) -> None:
    root = tmp_path / "plays"
    copy_sample(root, locales=False)
    out = tmp_path / "build"
    options = ServeOptions(
        root, tmp_path / "templates", out, port=0, as_of=AS_OF, slow=("battlecards",)
    )
    with Server(options, log=io.StringIO()) as srv:
        base = f"http://127.0.0.1:{srv.port}"
        wait_for("the first build", lambda: srv.status.snapshot()["build"] >= 1, 120)
        wait_for("the PDFs", lambda: not srv.status.snapshot()["building"], 300)
        pdf = (out / PDF).read_bytes()
        assert b"Clean-room recovery" in get(base + CARD)

        play = root / PLAY
        play.write_text(play.read_text("utf-8").replace("Clean-room recovery", "Clean-room rescue"))
        wait_for("the card page", lambda: b"Clean-room rescue" in get(base + CARD), 30)
        assert (out / PDF).read_bytes() == pdf, "the PDF was made before the page was shown"
        wait_for("the PDF", lambda: (out / PDF).read_bytes() != pdf, 300)
        assert get(base + "/" + PDF) == (out / PDF).read_bytes()
        wait_for("the background pass", lambda: not srv.status.snapshot()["building"], 300)
        assert srv.status.snapshot()["errors"] == []

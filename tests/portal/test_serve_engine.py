"""`serve` on the build engine: kinds from the registry, JSON results, the card page first."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import copy_sample, make_catalog
from salesplay import build as build_module
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.families import families
from salesplay.families.base import Family
from salesplay.models import may_see
from salesplay.render.templates import THEME_DIR
from salesplay.serve import ServeOptions, Server, allowed, quick_kinds, slow_kinds
from salesplay.serve import kinds as serve_kinds
from salesplay.serve.process import BuildProcess
from salesplay.serve.scheduler import passes
from test_i18n import cli, translate
from test_locales import LOCALES, NAME, NAME_DE

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
        for pattern, audience in fam.outputs:
            sample = "/" + pattern.replace("*", "x")
            reps = audience is not None and may_see("rep", audience)
            assert allowed(sample) == (fam.served and reps), (fam.name, sample)
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


def test_serve_hands_out_only_what_reps_may_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The served set is the rep portal and what it links to: no family's output made for
    fewer than reps (internal, or the marketers' reports) is handed out, even if a family
    holding one is marked served."""
    assert not allowed("/reports/coverage.html") and not allowed("/reports/check.json")
    assert allowed("/site/report.html")  # the marketers' page of the portal: rep edition
    # a served family's internal outputs stay home: the deal desk's competitor cards
    assert not allowed("/competitors/internal/acme.pdf") and allowed("/competitors/acme.pdf")
    # spelt in another case, which opens it on a file system that ignores case (macOS), while
    # only the rep pattern competitors/*.pdf matches that spelling
    for spelt in ("/competitors/Internal/acme.pdf", "/COMPETITORS/INTERNAL/ACME.PDF"):
        assert not allowed(spelt) and not allowed(f"/de{spelt}"), spelt
    assert allowed("/competitors/Acme.pdf")  # a rep output in any case stays a rep output
    notes = Family(
        "notes",
        "notes for three audiences",
        (("notes/rep/*", "rep"), ("notes/internal/*", "internal"), ("notes/own/*", None)),
        lambda _s: [],
        served=True,
    )
    monkeypatch.setattr(serve_kinds, "families", lambda: (*families(), notes))
    assert allowed("/notes/rep/a.html")
    assert not allowed("/notes/internal/a.html") and not allowed("/notes/own/a.json")


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

        # A template fault is a diagnostic too, caught as data: located at the override
        # that lacks the macros the theme calls (templates.render's _macro_lacking).
        play.write_text(play.read_text("utf-8").replace("nmae: Clean-room", "name: Clean-room"))
        templates.mkdir()
        (templates / "macros.html").write_text("{% macro nothing() %}{% endmacro %}\n", "utf-8")
        fault = process.build(("site",))
        assert fault.code == 1
        assert any(Path(e["file"]).name == "macros.html" for e in fault.errors), fault
        assert not any(Path(e["file"]).is_relative_to(THEME_DIR) for e in fault.errors), fault

        (templates / "macros.html").unlink()
        good = process.build(("site", "reports"))
        assert good.code == 0 and good.errors == () and good.message is None
        assert (tmp_path / "build" / CARD.lstrip("/")).is_file()
        # the same process answered all three: it stays warm between builds
        assert process.proc is not None and process.proc.poll() is None
    finally:
        process.stop()
    assert process.proc is not None and process.proc.poll() is not None


def test_a_build_waiting_for_another_says_so_as_data(tmp_path: Path) -> None:
    """A build of serve's that waits for another build into its folder (`make` running)
    tells serve what it waits for, naming that build's process, before its result; once it
    has ended, that it waits no more."""
    import fcntl
    import os
    import threading

    root = tmp_path / "plays"
    copy_sample(root, locales=False)
    out = tmp_path / "build"
    told: list[str] = []
    process = BuildProcess(root, tmp_path / "templates", out, AS_OF, io.StringIO(), told.append)
    try:
        assert process.build(("site",)).code == 0 and told == []  # nothing to wait for
        held = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(held, fcntl.LOCK_EX)  # another build into the folder
        outcomes = []
        waiting = threading.Thread(target=lambda: outcomes.append(process.build(("site",))))
        waiting.start()
        try:
            wait_for("the waiting event", lambda: bool(told), 60)
            assert told[0].startswith("waiting for another salesplay build into")
            assert f"(process {os.getpid()})" in told[0]
            assert waiting.is_alive() and not outcomes
        finally:
            os.close(held)  # the other build ends
        waiting.join(120)
        assert outcomes and outcomes[0].code == 0
        assert told[-1] == "" and len(told) == 2
    finally:
        process.stop()


def test_a_round_says_each_warning_once_on_the_terminal(tmp_path: Path) -> None:
    """A save's passes (pages, then PDFs, then kits) each check the catalog: the terminal
    showed every warning once a pass. It shows each once a round; the next round again."""
    root = tmp_path / "plays"
    copy_sample(root, locales=False)
    play = root / PLAY
    text = play.read_text("utf-8")
    summary = next(line for line in text.splitlines() if line.startswith("summary:"))
    play.write_text(text.replace(summary, summary + " Ask about the QZXW."), "utf-8")
    log = io.StringIO()
    process = BuildProcess(root, tmp_path / "templates", tmp_path / "build", AS_OF, log)

    def said() -> int:
        return sum("undefined jargon 'QZXW'" in line for line in log.getvalue().splitlines())

    try:
        process.new_round()
        assert process.build(("site",)).code == 0
        wait_for("the warning", lambda: said() == 1, 30)
        assert process.build(("reports",)).code == 0  # the round's next pass
        assert process.build(("site",)).code == 0
        time.sleep(0.5)  # what the build wrote on stderr has been read
        assert said() == 1
        process.new_round()  # a new save
        assert process.build(("site",)).code == 0
        wait_for("the warning again", lambda: said() == 2, 30)
    finally:
        process.stop()


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


# --- the source locale's pages first, the other locales' after them ----------------------------

SUMMARY = "summary: Replace tape and legacy backup with immutable, off-site copies."
EN_CARD = "site/battlecards/backup-modernization.html"
DE_CARD = "de/site/battlecards/backup-modernization.html"


def translated(tmp_path: Path) -> Path:
    """minimal in en, de and ja, with the play's name in German (its summary untranslated)."""
    root = make_catalog(tmp_path, LOCALES)
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    translate(root, {NAME: NAME_DE})
    return root


def say(root: Path, summary: str) -> None:
    play = root / "plays" / "backup-modernization.yaml"
    text = play.read_text("utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("summary:"))
    play.write_text(text.replace(line, f"summary: {summary}"), "utf-8")


def build_pages(root: Path, out: Path, *, source_only: bool = False, clean: bool = False) -> None:
    ctx = Context(
        catalog=root,
        as_of=dt.date.fromisoformat(AS_OF),
        templates=root.parent / "templates",
        out=out,
        jobs=1,
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run_build(ctx, ["site", "reports"], source_only=source_only, clean=clean)
    assert code == 0, err.getvalue()


def files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).as_posix().startswith(".salesplay")
    }


def test_a_source_only_build_leaves_the_other_locales_as_they_are(tmp_path: Path) -> None:
    root, out = translated(tmp_path), tmp_path / "build"
    build_pages(root, out)
    before = files(out)
    assert NAME_DE in before[DE_CARD].decode()
    say(root, "Restores proven every quarter.")
    build_pages(root, out, source_only=True)
    after = files(out)
    assert b"Restores proven every quarter." in after[EN_CARD]
    # every translated output is still there, as it was (the summary is German-less: it
    # falls back to the new source text only once the de pages are built)
    translated_rels = [rel for rel in before if rel.split("/")[0] in ("de", "ja")]
    assert translated_rels and all(after[rel] == before[rel] for rel in translated_rels)
    assert sorted(after) == sorted(before)
    # the next whole build makes what a clean build makes
    build_pages(root, out)
    build_pages(root, tmp_path / "clean", clean=True)
    assert files(out) == files(tmp_path / "clean")
    assert b"Restores proven every quarter." in files(out)[DE_CARD]


def test_in_one_language_the_source_pass_is_the_whole_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # serve's quick pass (source locale only) of a one-language catalog makes every page:
    # the pass after it, every locale's pages, finds nothing to do and checks nothing
    root, out = make_catalog(tmp_path), tmp_path / "build"
    build_pages(root, out)
    say(root, "Restores proven every quarter.")
    build_pages(root, out, source_only=True)
    assert b"Restores proven every quarter." in files(out)[EN_CARD]

    def unchecked(*_args: object) -> object:
        raise AssertionError("checked the catalog again")

    monkeypatch.setattr(build_module, "_checked", unchecked)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF),
                      templates=root.parent / "templates", out=out, jobs=1)  # fmt: skip
        assert run_build(ctx, ["site", "reports"]) == 0
    assert " 0 changed, 0 removed;" in err.getvalue()


def test_a_save_shows_the_source_pages_first_then_the_translated_ones(tmp_path: Path) -> None:
    root = translated(tmp_path)
    out = tmp_path / "build"
    options = ServeOptions(root, tmp_path / "templates", out, port=0, as_of=AS_OF, slow=())
    with Server(options, log=io.StringIO()) as srv:
        base = f"http://127.0.0.1:{srv.port}"
        wait_for("every locale's pages", lambda: srv.status.snapshot()["pages"] >= 1, 120)
        wait_for("the background passes", lambda: not srv.status.snapshot()["building"], 120)
        first = srv.status.snapshot()
        assert first["build"] == 1 and first["errors"] == []
        # what tells the reload script a source page (site/, matrix.html) from a translated
        # one; reports/ is not served
        assert "site" in first["roots"] and "de" not in first["roots"]
        assert "reports" not in first["roots"]

        say(root, "Restores proven every quarter.")
        new = b"Restores proven every quarter."
        order: list[str] = []

        def seen() -> bool:
            # the German page changes only after the English one has
            de, en = new in get(f"{base}/{DE_CARD}"), new in get(f"{base}/{EN_CARD}")
            assert en or not de, "a translated page was rebuilt before the source page"
            if en and "en" not in order:
                order.append("en")
            if de:
                order.append("de")
            return de

        wait_for("the German card page", seen, 120)
        assert order[0] == "en"
        wait_for("the page counters", lambda: srv.status.snapshot()["pages"] >= 2, 60)
        assert srv.status.snapshot()["build"] == 2


@pytest.mark.parametrize(
    "answers",
    [
        ["not json"],
        ['{"event": "waiting", "message": "waiting for x"}', "[1, 2]"],
        ['{"code": "x"}'],
    ],
)
def test_a_result_serve_cannot_read_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: list[str]
) -> None:
    """A build process's answer that is not a result (not JSON, not an object, a code that
    is no number) is one line naming it, after any waiting event it sent; never a
    traceback."""
    from salesplay.serve import process as process_module

    lines = "".join(f"print({line!r}, flush=True)\n" for line in answers)
    monkeypatch.setattr(process_module, "_CHILD", f"import sys\nsys.stdin.readline()\n{lines}")
    told: list[str] = []
    process = BuildProcess(
        tmp_path, tmp_path, tmp_path / "build", AS_OF, io.StringIO(), told.append
    )
    try:
        outcome = process.build(("site",))
    finally:
        process.stop()
    assert outcome.code == 1 and outcome.message is not None
    assert outcome.message.startswith("salesplay serve: unreadable build result")
    assert outcome.message.endswith(repr(answers[-1]))
    assert told == (["waiting for x", ""] if len(answers) > 1 else [])

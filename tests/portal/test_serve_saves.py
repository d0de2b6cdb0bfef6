"""`serve` builds, after a save, only the families that may read what was saved."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import io
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from test_serve_engine import files, wait_for

from conftest import make_catalog
from salesplay import interrupts
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.families import families, family
from salesplay.families.base import Family
from salesplay.serve import ServeOptions, Server
from salesplay.serve.httpd import Status
from salesplay.serve.kinds import quick_kinds, reading, slow_kinds, touched
from salesplay.serve.process import Outcome
from salesplay.serve.scheduler import Builder


@pytest.fixture(autouse=True)
def _signals_as_they_were() -> Iterator[None]:
    """A build run in this process installs serve's worker handlers for SIGINT and SIGALRM
    (worker._Interrupts.install), and an interrupt delivered inside an import is kept
    pending (salesplay.interrupts): handlers put back, no timer and nothing pending left,
    so that no later test of the same pytest worker gets a KeyboardInterrupt (a browser
    test's build raised the one a test here had left pending)."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGALRM)}
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    interrupts.clear()


AS_OF = "2026-11-23"
CATALOG = Path("/project/plays")
PARTNER = CATALOG / "partners" / "blue-river.yaml"
PLAY = CATALOG / "plays" / "backup-modernization.yaml"


def test_a_save_touches_the_kinds_of_the_entity_folders_it_is_in() -> None:
    assert touched([PARTNER], CATALOG) == frozenset({"partner"})
    assert touched([PARTNER, PLAY, CATALOG / "partners" / "new"], CATALOG) == frozenset(
        {"partner", "play"}
    )
    # anything else may be read by any family: the config, assets, translations, templates
    for other in (
        CATALOG / "catalog.yaml",
        CATALOG / "glossary.yaml",
        CATALOG / "assets" / "partners" / "blue-river.png",
        CATALOG / "translations" / "de.po",
        CATALOG / "partners",
        Path("/project/templates/battlecard.html"),
    ):
        assert touched([PARTNER, other], CATALOG) is None, other
    assert touched([], CATALOG) is None


def test_only_the_families_that_read_a_kind_are_rebuilt_for_it() -> None:
    every = tuple(fam.name for fam in families())
    reads_partners = tuple(fam.name for fam in families() if "partner" not in fam.ignores)
    assert reading(every, frozenset({"partner"})) == reads_partners
    assert reads_partners == ("partners", "reports", "kits")
    assert reading(every, frozenset({"partner", "play"})) == every
    assert reading(every, None) == every


class _Process:
    """Stands in for the warm build process: notes each build, answers `code` per kind, and
    says a source-locale build was complete when the catalog is in `one_language`."""

    def __init__(self, fails: set[str] | None = None, one_language: bool = False) -> None:
        self.catalog = CATALOG
        self.templates = Path("/project/templates")
        self.fails = fails or set()
        self.one_language = one_language
        self.builds: list[tuple[tuple[str, ...], bool]] = []
        self.firsts: list[bool] = []  # which builds were said to be their round's first

    def build(
        self, only: tuple[str, ...], *, source_only: bool = False, first: bool = False
    ) -> Outcome:
        self.builds.append((only, source_only))
        self.firsts.append(first)
        failed = self.fails & set(only)
        if failed:
            return Outcome(1, message=f"{sorted(failed)} failed")
        return Outcome(0, complete=not source_only or self.one_language)

    def interrupt(self) -> None:
        pass

    def new_round(self) -> None:
        pass

    def stop(self) -> None:
        pass


def _round(builder: Builder, process: _Process, saved: list[Path] | None) -> bool:
    process.builds.clear()
    builder.request(saved)
    builder.wanted.clear()
    return builder._round()


def test_a_partners_save_builds_the_directory_then_the_report_and_the_kits() -> None:
    process = _Process()
    builder = Builder(process, slow_kinds(), Status())  # type: ignore[arg-type]
    assert _round(builder, process, None)  # the first round builds everything
    assert process.builds[0] == (quick_kinds(), True)
    assert {k for only, _ in process.builds for k in only} == {f.name for f in families()}

    shown = builder.status.snapshot()
    assert _round(builder, process, [PARTNER])
    # the one page reps read that shows partners, the directory, in the first pass (the
    # browser reloads it); then the report with the kits, in one build, neither served
    assert process.builds == [
        (("partners",), True),  # the source locale's page first
        (("partners",), False),  # then every locale's
        (("reports", "kits"), False),
    ]
    assert builder.saved == set()
    now = builder.status.snapshot()
    assert now["build"] == shown["build"] + 1

    assert _round(builder, process, [PLAY])  # a play: every family reads plays
    assert process.builds[0] == (quick_kinds(), True) and len(process.builds) == 4


def test_in_one_language_the_pages_are_not_built_twice_a_round() -> None:
    """The quick build of a catalog in one language made every locale's pages: the round
    goes on to the rest, and the translated-page counter moves with the quick build."""
    process = _Process(one_language=True)
    builder = Builder(process, slow_kinds(), Status())  # type: ignore[arg-type]
    assert _round(builder, process, None)
    assert [source for _, source in process.builds] == [True, False, False]
    assert builder.status.snapshot()["pages"] == 1
    assert _round(builder, process, [PLAY])
    assert process.builds[0] == (quick_kinds(), True) and len(process.builds) == 3
    assert builder.status.snapshot()["pages"] == 2


def test_only_the_rep_portal_is_hurried() -> None:
    """A quick pass is for pages reps read: every quick family has an output of the rep
    edition (the scheduler hurries what the registry marks quick, nothing else)."""
    for kind in quick_kinds():
        assert any(audience == "rep" for _, audience in family(kind).outputs), kind
    assert quick_kinds() == ("site", "partners")
    with pytest.raises(ValueError, match="quick family"):
        Family("notes", "notes", (("notes/*.json", None),), lambda _s: [], served=True, quick=True)


def test_a_round_that_fails_gives_its_saves_to_the_next() -> None:
    process = _Process(fails={"kits"})
    builder = Builder(process, slow_kinds(), Status())  # type: ignore[arg-type]
    builder.saved = set()
    assert not _round(builder, process, [PARTNER])
    assert builder.status.snapshot()["errors"] == ["['kits'] failed"]
    assert builder.saved == {PARTNER}  # given back
    process.fails.clear()
    # the next save is a play's: the partner's is still built for, and the error goes
    assert _round(builder, process, [PLAY])
    assert any("kits" in only for only, _ in process.builds) and builder.saved == set()
    assert builder.status.snapshot()["errors"] == []


def test_a_save_during_a_round_is_built_for_after_it() -> None:
    process = _Process()
    builder = Builder(process, slow_kinds(), Status())  # type: ignore[arg-type]
    builder.saved = set()
    saved_during = threading.Event()

    def build(only: tuple[str, ...], *, source_only: bool = False, first: bool = False) -> Outcome:
        process.builds.append((only, source_only))
        if "kits" in only and not saved_during.is_set():
            saved_during.set()
            builder.request([PLAY])  # a save while the kits are made: this round is stale
        return Outcome(0)

    process.build = build  # type: ignore[method-assign]
    assert not _round(builder, process, [PARTNER])
    assert builder.saved == {PARTNER, PLAY} and builder.wanted.is_set()


def test_serve_rebuilds_a_partners_kit_and_leaves_the_rest(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    out = tmp_path / "build"
    kinds = ("battlecards", "reports", "kits")  # the report is not served: a slow kind
    options = ServeOptions(root, tmp_path / "templates", out, port=0, as_of=AS_OF, slow=kinds)
    kit = out / "kits" / "blue-river.zip"
    with Server(options, log=io.StringIO()) as srv:
        wait_for("the first round", lambda: srv.status.snapshot()["build"] >= 1, 120)
        wait_for("the kits", lambda: not srv.status.snapshot()["building"], 300)
        before = files(out)
        partner = root / "partners" / "blue-river.yaml"
        text = partner.read_text("utf-8")
        assert "name: Blue River IT" in text
        partner.write_text(text.replace("name: Blue River IT", "name: Blue River Partners"))
        wait_for("the kit", lambda: kit.read_bytes() != before["kits/blue-river.zip"], 120)
        wait_for("the round", lambda: not srv.status.snapshot()["building"], 120)
        assert srv.status.snapshot()["errors"] == []
        # the one page reps read that names it, the partner directory, first; then the
        # report with the kits, in one build
        assert srv.builder.rounds == [("partners",), ("reports", "kits")]
    after = files(out)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    assert {"kits/blue-river.zip", "partners/index.html"} <= changed
    assert not {rel for rel in changed if not rel.startswith(("kits/", "reports/", "partners/"))}
    # what serve left is what a build leaves: a build of the same kinds changes nothing
    ctx = Context(
        catalog=root,
        as_of=dt.date.fromisoformat(AS_OF),
        templates=tmp_path / "templates",
        out=out,
        jobs=1,
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert run_build(ctx, ["site", *kinds]) == 0
    assert " 0 changed," in err.getvalue(), err.getvalue()
    assert files(out) == after


def test_no_garbage_is_collected_before_the_build_a_user_waits_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build process collects its garbage before a background build, never before a
    round's first one (a quick pass, or the one build of a partner's save)."""
    from salesplay.memo import Memo
    from salesplay.serve import worker

    collected: list[tuple[bool, bool]] = []
    root = make_catalog(tmp_path)
    memo = Memo()
    for source_only, first in ((True, False), (False, True), (False, False)):
        monkeypatch.setattr(
            worker, "_collect", lambda s=source_only, f=first: collected.append((s, f))
        )
        request = worker.Request(
            root, tmp_path / "templates", tmp_path / "build", ["reports"], AS_OF, source_only, first
        )
        assert worker.run(request, worker._Interrupts(), memo)["code"] == 0
    assert collected == [(False, False)]


def test_an_interrupt_waits_until_an_import_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer save's interrupt that lands while a module is being imported (WeasyPrint, the
    first time PDFs are made) is tried again once the import is over: raised there, it
    would leave a half-made module that every later build of the process would trip on."""
    from salesplay.serve import worker

    seen: list[FrameType] = []
    (tmp_path / "halfway_module.py").write_text(
        "import sys\nsys.modules['salesplay_test_frames'].append(sys._getframe())\n"
    )
    monkeypatch.setitem(sys.modules, "salesplay_test_frames", seen)  # type: ignore[arg-type]
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("halfway_module")
    monkeypatch.delitem(sys.modules, "halfway_module")
    interrupts = worker._Interrupts(building=True)
    timers: list[float] = []
    monkeypatch.setattr(worker.signal, "setitimer", lambda _which, delay: timers.append(delay))
    try:
        interrupts.handler(signal.SIGINT, seen[0])
    except KeyboardInterrupt:
        pytest.fail("interrupted inside an import")
    assert timers == [0.02]  # tried again in 20 ms
    with pytest.raises(KeyboardInterrupt):
        interrupts.handler(signal.SIGINT, sys._getframe())  # outside any import: at once

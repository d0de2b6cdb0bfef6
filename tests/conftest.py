"""Shared helpers for the catalog-core tests: sample catalogs and an in-process CLI runner.

Every error case starts from `tests/roots/minimal` (a catalog that checks clean) and applies
one small, explicit edit, so the line and column of each diagnostic are predictable.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

import sessionbuild
from salesplay.cli import main
from salesplay.context import Context
from salesplay.pipeline import check_catalog
from salesplay.resolve import Catalog

ROOTS = Path(__file__).parent / "roots"
MINIMAL = ROOTS / "minimal"
#: the as-of date at which `minimal` checks clean with zero diagnostics.
AS_OF = "2026-11-23"
#: a compiler-style diagnostic line: file:line:col: severity: message
DIAG_RE = re.compile(r"^[^:]+:\d+:\d+: (error|warning): .+$")
SUMMARY_RE = re.compile(r"^\d+ errors?, \d+ warnings?$")

Edits = Mapping[str, str | bytes | None]
#: the sample catalog shipped at the top of the repository
SAMPLE = Path(__file__).parent.parent / "plays"


def copy_sample(dest: Path, *, locales: bool = True) -> Path:
    """A copy of the sample catalog at `dest`; `locales=False` builds it in the source
    locale only (no `locales:`, partners without `locale:`), for tests about something
    else: each locale is a whole further build of every card, deck and page."""
    shutil.copytree(SAMPLE, dest)
    if not locales:
        config = dest / "catalog.yaml"
        lines = config.read_text(encoding="utf-8").splitlines()
        config.write_text("\n".join(ln for ln in lines if not ln.startswith("locales:")) + "\n")
        for partner in (dest / "partners").glob("*.yaml"):
            lines = partner.read_text(encoding="utf-8").splitlines()
            kept = [ln for ln in lines if not ln.startswith("locale:")]
            partner.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return dest


@dataclass(frozen=True)
class Result:
    """What one `salesplay …` run printed and how it exited."""

    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """stderr lines (diagnostics then the summary line)."""
        return self.stderr.splitlines()

    @property
    def diagnostics(self) -> list[str]:
        """stderr lines without the final summary line."""
        return [line for line in self.lines if not SUMMARY_RE.match(line)]


def make_catalog(tmp_path: Path, edits: Edits | None = None, name: str = "plays") -> Path:
    """Copy `minimal` to tmp_path/name and apply edits (relpath → new text, or None to delete)."""
    root = tmp_path / name
    shutil.copytree(MINIMAL, root)
    for rel, content in (edits or {}).items():
        target = root / rel
        if content is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def read(catalog: Path, rel: str) -> str:
    """Text of a catalog file (to derive an edit from the original)."""
    return (catalog / rel).read_text(encoding="utf-8")


def base_text(rel: str) -> str:
    """Text of a file of the `minimal` catalog."""
    return (MINIMAL / rel).read_text(encoding="utf-8")


def with_solo_play(tmp_path: Path, solo: str) -> Path:
    """The minimal catalog with one more play `solo` on no path (recovery drills' text, named
    Solo drill), copied under tmp_path: the project folder that holds it."""
    text = base_text("plays/recovery-drills.yaml").replace(
        "name: Recovery drills", "name: Solo drill"
    )
    return make_catalog(tmp_path, {f"plays/{solo}.yaml": text}).parent


def built_with_solo_play(folder: Path, solo: str, build: Callable[[Path], object]) -> Path:
    """with_solo_play's project under `folder`, built once by `build`."""
    root = with_solo_play(folder, solo)
    build(root)
    return root


def copy_project(built: Path, tmp_path: Path) -> Path:
    """A copy of a built project (catalog and build), for one test to change."""
    shutil.copytree(built, tmp_path / "p", symlinks=True)
    return tmp_path / "p"


def replace_in(rel: str, old: str, new: str) -> dict[str, str]:
    """An edit replacing exactly one occurrence of `old` in a file of `minimal`."""
    text = base_text(rel)
    assert text.count(old) == 1, f"{old!r} must occur once in {rel}"
    return {rel: text.replace(old, new)}


def git(repo: Path, *args: str, date: str | None = None) -> str:
    """`git ARGS` in `repo` with a fixed author, and `date` as the author and commit date."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-C", str(repo), *args],
        capture_output=True, text=True, env=env, check=True, timeout=60,
    )  # fmt: skip
    return done.stdout


def run_cli(*args: str, cwd: Path) -> Result:
    """Run `salesplay ARGS` in-process from `cwd`, capturing output and the exit code."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    old_argv = sys.argv
    sys.argv = ["salesplay", *args]
    try:
        with (
            contextlib.chdir(cwd),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                main()
            except SystemExit as exc:
                code = exc.code
    finally:
        sys.argv = old_argv
    if code is None:
        code = 0
    assert isinstance(code, int), f"exit code should be a number, got {code!r}"
    return Result(code, out.getvalue(), err.getvalue())


def check(tmp_path: Path, edits: Edits | None = None, *args: str, as_of: str = AS_OF) -> Result:
    """`salesplay check --catalog plays --as-of AS_OF ARGS` on `minimal` with edits applied."""
    make_catalog(tmp_path, edits)
    return run_cli("check", "--catalog", "plays", "--as-of", as_of, *args, cwd=tmp_path)


def resolved(
    tmp_path: Path, edits: Edits | None = None, as_of: str = AS_OF
) -> tuple[Catalog | None, Context]:
    """Run the pipeline in-process on `minimal` with edits; the catalog and the run context."""
    root = make_catalog(tmp_path, edits)
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(as_of))
    return check_catalog(ctx), ctx


@pytest.fixture(scope="session", autouse=True)
def _shared_builds_ahead(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    yield from sessionbuild.ahead(request.session, tmp_path_factory)


@pytest.fixture(autouse=True)
def _no_env_date(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test depends on the caller's SOURCE_DATE_EPOCH or debug switch."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("SALESPLAY_DEBUG", raising=False)
    yield


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each card text scanned for glossary terms (edition's jargon scan) from here on."""
    from salesplay import edition

    texts: list[str] = []
    real = edition.glossary_terms_in

    def noted(text: str, glossary: dict[str, str]) -> list[str]:
        texts.append(text)
        return real(text, glossary)

    monkeypatch.setattr(edition, "glossary_terms_in", noted)
    return texts


#: a word pdftotext found: its box in points (x0, y0, x1, y1) and its text.
Word = tuple[float, float, float, float, str]


def pdf_words(pdf: Path) -> list[list[Word]]:
    """Per page, each word's box and text (`pdftotext -bbox`)."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for page in xml.split("<page ")[1:]:
        words = re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', page
        )
        # pdftotext -bbox writes XHTML: "IT&apos;s" is "IT's"
        pages.append(
            [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in words]
        )
    return pages

"""A partner kit's whats-new and the marketers' report's What changed, from git history.

A small catalog in a temporary git repository: a kit built at v1 says "first kit"; rebuilt at
v2 it names the change of its tier's play and nothing of a play outside its kit nor of an
internal edit (canaries kqzint…); the report names the internal edition's changes since v2.
"""

from __future__ import annotations

import html
import io
import json
import os
import posixpath
import re
import tempfile
import zipfile
from pathlib import Path

import pytest

from conftest import make_catalog, run_cli
from salesplay import changes
from salesplay import kits as kit_pages
from test_changes import _commit, _edit, _git

CANARY = re.compile(r"kqzint\d\d")
AS_OF = "2026-11-23"
TEAM = "red-rock/for-your-team"
DRILLS = "plays/recovery-drills.yaml"
MODERN = "plays/backup-modernization.yaml"
#: red-rock made a registered partner (it is silver in the fixture catalog)
REGISTERED = ("partners/red-rock.yaml", "tier: silver", "tier: registered")


def _kit(top: Path, as_of: str = AS_OF) -> dict[str, bytes]:
    done = run_cli("kit", "red-rock", "--as-of", as_of, cwd=top)
    assert done.code == 0, done.stderr
    data = (top / "build/kits/red-rock.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    files[""] = data  # the zip's own bytes
    return files


def _at_v1(base: Path, *edits: tuple[str, str, str]) -> tuple[Path, Path]:
    """project/ and its catalog in git, red-rock registered and `edits` (file, old, new) made,
    committed and tagged v1 on 2026-10-15."""
    top = base / "project"
    top.mkdir()
    root = make_catalog(top)
    for edit in (REGISTERED, *edits):
        _edit(root, *edit)
    _git(top, "init", "-q", "-b", "main")
    _commit(top, "v1", "2026-10-15T12:00:00+00:00", "v1")
    return top, root


@pytest.fixture(scope="module")
def top(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """project/ in git: plays/ tagged v1 (recovery drills in red-rock's registered kit,
    backup modernization gold-only), its kit built at v1 into project/build."""
    top, _root = _at_v1(
        tmp_path_factory.mktemp("whatsnew"),
        (DRILLS, "name: Recovery drills\n", "name: Recovery drills\naudience: partner\n"),
        (MODERN, "min_tier: silver", "min_tier: gold"),
    )
    return top


@pytest.fixture(scope="module")
def kits(top: Path) -> tuple[dict[str, bytes], dict[str, bytes], dict[str, bytes]]:
    """red-rock's kit at v1, at v2, and at v2 again."""
    first = _kit(top)
    root = top / "plays"
    drills = (root / DRILLS).read_text()
    # a change red-rock may see, one outside its kit, one internal (a canary)
    summary = next(line for line in drills.splitlines() if line.startswith("summary:"))
    _edit(root, DRILLS, summary, "summary: Prove recovery with evidence auditors accept.")
    modern = next(
        line for line in (root / MODERN).read_text().splitlines() if line.startswith("summary:")
    )
    _edit(root, MODERN, modern, "summary: Gold-only modernization zzoutside.")
    _edit(
        root, DRILLS, "next_steps:",
        "objections:\n  - {objection: 'Margin kqzint07?', response: 'Floor kqzint07.',"
        " audience: internal}\nnext_steps:",
    )  # fmt: skip
    _commit(top, "v2", "2026-11-20T12:00:00+00:00", "v2")
    second = _kit(top)
    # the third build reads the v1 changes from the cache, not from git again
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(changes, "editions_at", _no_git)
        third = _kit(top)
    return first, second, third


def _no_git(*_args: object) -> None:
    raise AssertionError("an old revision read again")


def test_first_kit_says_so_and_is_listed(
    kits: tuple[dict[str, bytes], dict[str, bytes], dict[str, bytes]],
) -> None:
    first = kits[0]
    page = first[f"{TEAM}/whats-new.html"].decode()
    assert "your first kit" in page
    assert "For the sellers of Red Rock Solutions — not for customers" in html.unescape(page)
    assert first[f"{TEAM}/whats-new.pdf"].startswith(b"%PDF")
    # the page leads back to the kit's index, which is in the kit
    assert '<a href="../index.html">' in page
    assert posixpath.normpath(f"{TEAM}/../index.html") == "red-rock/index.html"
    assert "red-rock/index.html" in first
    index = first["red-rock/index.html"].decode()
    assert 'href="for-your-team/whats-new.html"' in index
    assert 'href="for-your-team/whats-new.pdf"' in index


def test_rebuilt_kit_names_its_tier_changes_only(
    kits: tuple[dict[str, bytes], dict[str, bytes], dict[str, bytes]],
) -> None:
    _first, second, _third = kits
    page = second[f"{TEAM}/whats-new.html"].decode()
    assert "first kit" not in page
    assert "Recovery drills" in page and "summary" in page
    # a play outside red-rock's kit, and internal content, are never told
    assert "modernization" not in page.lower() and "zzoutside" not in page
    assert not CANARY.search(page)
    for name, data in second.items():
        assert not CANARY.search(data.decode("latin-1")), name


def test_rebuild_at_the_same_revision_keeps_the_news_byte_for_byte_from_the_cache(
    kits: tuple[dict[str, bytes], dict[str, bytes], dict[str, bytes]],
) -> None:
    _first, second, third = kits
    assert third[""] == second[""]


def test_a_partner_whose_tier_moved_is_told_what_its_kit_gained_and_lost(
    tmp_path: Path,
) -> None:
    """The news compare the kit the partner had (its tier's then) with the kit it has: a
    move up to gold names the gold-only play as new, a move back down names it removed. A
    comparison of the new tier with itself said "Nothing in your kit changed"."""
    top, root = _at_v1(tmp_path, (MODERN, "min_tier: silver", "min_tier: gold"))
    assert "Backup modernization" not in _kit(top)[f"{TEAM}/whats-new.html"].decode()
    partner = root / "partners/red-rock.yaml"
    partner.write_text(partner.read_text().replace("tier: registered", "tier: gold"))
    _commit(top, "v2", "2026-11-01T12:00:00+00:00", "v2")
    up = _kit(top)
    assert f"{TEAM}/battlecards/backup-modernization.pdf" in up
    page = html.unescape(up[f"{TEAM}/whats-new.html"].decode())
    assert "Nothing in your kit changed" not in page
    assert "New play: Backup modernization" in page
    # the same revision again: the same kit, the tiers then read from the cache
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(changes, "editions_at", _no_git)
        assert _kit(top)[""] == up[""]
    partner.write_text(partner.read_text().replace("tier: gold", "tier: registered"))
    _commit(top, "v3", "2026-11-10T12:00:00+00:00", "v3")
    down = _kit(top)
    assert f"{TEAM}/battlecards/backup-modernization.pdf" not in down
    page = html.unescape(down[f"{TEAM}/whats-new.html"].decode())
    assert "Play removed: Backup modernization" in page


def test_news_after_a_kit_made_from_uncommitted_work_never_read_that_commit(
    tmp_path: Path,
) -> None:
    """SECURITY(audience): a kit built from a dirty tree records "<commit>-dirty"; the news
    of the next kit read that commit, where red-rock had been gold by mistake, and told a
    registered partner "Play removed:" with the gold plays' names."""
    top = tmp_path / "project"
    top.mkdir()
    root = make_catalog(top)
    _edit(root, *REGISTERED)
    _edit(root, DRILLS, "name: Recovery drills\n", "name: Recovery drills\naudience: partner\n")
    _edit(root, MODERN, "min_tier: silver", "min_tier: gold")
    _git(top, "init", "-q", "-b", "main")
    _commit(top, "v1", "2026-10-15T12:00:00+00:00")
    partner = root / "partners/red-rock.yaml"
    partner.write_text(partner.read_text().replace("tier: registered", "tier: gold"))
    _commit(top, "gold by mistake", "2026-10-20T12:00:00+00:00")
    partner.write_text(partner.read_text().replace("tier: gold", "tier: registered"))
    dirty = _kit(top)  # from the mended tree, not committed
    assert "your first kit" in dirty[f"{TEAM}/whats-new.html"].decode()
    _commit(top, "mended", "2026-10-21T12:00:00+00:00")
    page = html.unescape(_kit(top)[f"{TEAM}/whats-new.html"].decode())
    assert "modernization" not in page.lower(), page
    assert "we cannot list them this time" in page
    # a dirty kit with news of its own: the next kit counts from where that kit did
    _edit(root, DRILLS, "name: Recovery drills\n", "name: Recovery drills 2\n")
    _commit(top, "v2", "2026-10-22T12:00:00+00:00")
    counted = _kit(top)
    partner.write_text(partner.read_text().replace("tier: registered", "tier: gold"))
    _commit(top, "gold by mistake again", "2026-10-23T12:00:00+00:00")
    partner.write_text(partner.read_text().replace("tier: gold", "tier: registered"))
    _edit(root, DRILLS, "name: Recovery drills 2\n", "name: Recovery drills 3\n")
    assert "Recovery drills 3" in html.unescape(_kit(top)[f"{TEAM}/whats-new.html"].decode())
    _commit(top, "mended again", "2026-10-24T12:00:00+00:00")
    page = html.unescape(_kit(top)[f"{TEAM}/whats-new.html"].decode())
    assert "modernization" not in page.lower(), page
    # counted from v2, the revision the dirty kit's own news counted from, at its as-of date
    v2 = json.loads(counted["red-rock/manifest.json"])["revision"]
    final = _kit(top)[f"{TEAM}/whats-new.html"]
    since = kit_pages.SINCE_META.search(final)
    assert since is not None and since.group(1).decode() == f"{v2}@{AS_OF}"
    assert "Recovery drills 3 changed: name" in page


def test_news_judge_the_previous_kit_at_the_day_it_was_made_not_its_commits(
    tmp_path: Path,
) -> None:
    """SECURITY(audience): a claim already stale when the previous kit was made (so left out
    of it) was read back as fresh at its commit's date and told to the partner as "Claim
    withdrawn:" with its full text."""
    top = tmp_path / "project"
    top.mkdir()
    root = make_catalog(top)
    _edit(root, *REGISTERED)
    _edit(root, DRILLS, "name: Recovery drills\n", "name: Recovery drills\naudience: partner\n")
    both = "why_us: [anomaly-alerts, immutable-by-default]"
    _edit(root, DRILLS, "why_us: [anomaly-alerts]", both)
    _git(top, "init", "-q", "-b", "main")
    _commit(top, "v1", "2026-09-20T12:00:00+00:00")
    late = "2027-06-01"  # immutable-by-default, reviewed 2026-09-15, is stale (90 days)
    first = _kit(top, late)
    assert b"immutable by default" not in first[f"{TEAM}/whats-new.html"]
    partner = root / "partners/red-rock.yaml"
    partner.write_text(partner.read_text() + "# touched\n")
    _commit(top, "v2", "2027-05-30T12:00:00+00:00")
    page = html.unescape(_kit(top, late)[f"{TEAM}/whats-new.html"].decode())
    assert "Nothing in your kit changed" in page, page
    assert "immutable by default" not in page and "withdrawn" not in page


def test_report_tells_the_internal_changes_since_the_last_release(
    top: Path, kits: tuple[dict[str, bytes], dict[str, bytes], dict[str, bytes]]
) -> None:
    # the kits were built at v1 and v2 first: this test edits what v2 committed, wherever
    # pytest-xdist runs it
    assert kits[1]
    root = top / "plays"
    _edit(root, DRILLS, "Margin kqzint07?", "Margin kqzint08?")  # not committed: since v2
    done = run_cli("build", "--only", "reports", "--as-of", AS_OF, cwd=top)
    assert done.code == 0, done.stderr
    page = (top / "build/reports/coverage.html").read_text()
    assert 'id="what-changed"' in page and "What changed since v2" in page
    assert "kqzint08" in page


def test_report_outside_git_says_so(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    done = run_cli("build", "--only", "reports", "--as-of", AS_OF, cwd=tmp_path)
    assert done.code == 0, done.stderr
    page = (tmp_path / "build/reports/coverage.html").read_text()
    assert "outside git" in page


def test_a_kit_outside_git_says_history_is_not_available(tmp_path: Path) -> None:
    from salesplay import kits

    assert kits.previous_since(tmp_path, "red-rock", None) == kits.NO_HISTORY
    assert kits.previous_since(tmp_path, "red-rock", "ab" * 20) == ""  # no kit yet: first kit


def test_report_follows_where_a_left_out_item_is_set(tmp_path: Path) -> None:
    """A line moved in a play file moves the report's located lines, though no edition
    changes (the report is made again from the catalog's files, not kept by its editions)."""
    root = make_catalog(tmp_path)
    done = run_cli("build", "--only", "reports", "--as-of", AS_OF, cwd=tmp_path)
    assert done.code == 0, done.stderr
    report = tmp_path / "build/reports/coverage.html"
    assert (
        "audience &#39;partner&#39; set at plays/plays/backup-modernization.yaml:3"
        in report.read_text()
    )
    path = root / MODERN
    path.write_text("# a comment moves every line down\n" + path.read_text())
    done = run_cli("build", "--only", "reports", "--as-of", AS_OF, cwd=tmp_path)
    assert done.code == 0, done.stderr
    page = report.read_text()
    assert "audience &#39;partner&#39; set at plays/plays/backup-modernization.yaml:4" in page
    assert "set at plays/plays/backup-modernization.yaml:3" not in page


def test_whats_new_pdf_names_its_own_fonts(tmp_path: Path) -> None:
    """A fresh process renders the tier's whats-new in Inter: the page loads fonts.css itself
    and never relies on an earlier document of the same worker having loaded it (a clean
    and an incremental build made different kits before)."""
    import datetime as dt

    import pikepdf

    from salesplay.context import Context
    from salesplay.edition import make_edition
    from salesplay.pipeline import check_catalog
    from salesplay.render.pdf import render_pdf
    from salesplay.render.templates import THEME_DIR, make_env

    root = make_catalog(tmp_path)
    cat = check_catalog(Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF)))
    assert cat is not None
    kit = next(iter(make_edition(cat, "partner").kits.values()))
    fonts = (THEME_DIR / "fonts.css").as_uri()
    page = kit_pages.whats_new_page(make_env(None), kit, "", None, None, fonts_css=fonts)
    pdf, refused = render_pdf(
        page,
        base_url=(THEME_DIR / "index.html").as_uri(),
        roots=(THEME_DIR,),
        as_of=dt.date.fromisoformat(AS_OF),
        title="What's new",
    )
    assert refused == []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        names = {
            str(font.get("/BaseFont"))
            for page_ in doc.pages
            for font in page_.Resources.get("/Font", {}).values()
        }
    assert names and all("Inter" in name for name in names), names


@pytest.fixture
def extracted(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders each catalog at an earlier revision is extracted to, as they are read."""
    folders: list[Path] = []
    real = changes.load_revision

    def load_revision(repo: object, side: object, folder: Path, *rest: object) -> object:
        folders.append(folder)
        return real(repo, side, folder, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(changes, "load_revision", load_revision)
    return folders


def test_the_catalog_then_is_extracted_under_out_not_the_system_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extracted: list[Path]
) -> None:
    """A build reads an earlier revision from a folder under --out (.salesplay/tmp), which a
    later build sweeps if a killed one left it: with no system temp folder to be had, the
    news are still told, and nothing is left in the scratch folder."""
    top, root = _at_v1(
        tmp_path, (DRILLS, "name: Recovery drills\n", "name: Recovery drills\naudience: partner\n")
    )
    _kit(top)
    summary = next(
        line for line in (root / DRILLS).read_text().splitlines() if line.startswith("summary:")
    )
    _edit(root, DRILLS, summary, "summary: Prove recovery with evidence auditors accept.")
    _commit(top, "v2", "2026-11-20T12:00:00+00:00", "v2")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    page = _kit(top)[f"{TEAM}/whats-new.html"].decode()
    assert "Recovery drills" in page and "first kit" not in page
    scratch = top / "build/.salesplay/tmp"
    # --out is build/, relative to the project
    assert extracted and all(top / f.parent == scratch for f in extracted), extracted
    assert [f.name.split("-")[:3] for f in extracted] == [["salesplay", "since", str(os.getpid())]]
    assert list(scratch.iterdir()) == []


def test_a_first_build_that_stops_leaves_no_out_though_it_read_history_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extracted: list[Path]
) -> None:
    """The feeds read the releases' catalogs under --out while the build plans; a first
    build that then stops leaves no build/ behind, as one that read no history."""
    from salesplay import build
    from salesplay.diagnostics import Location
    from salesplay.faults import BuildFault

    top, root = _at_v1(tmp_path)
    _edit(root, DRILLS, "name: Recovery drills\n", "name: Recovery drills (v2)\n")
    _commit(top, "v2", "2026-11-20T12:00:00+00:00", "v2")

    def stopped(*_args: object, **_kw: object) -> object:
        raise BuildFault(Location(Path("plays/catalog.yaml"), 1, 1), "stopped for the test")

    monkeypatch.setattr(build, "_make_and_write", stopped)
    done = run_cli("build", "--as-of", AS_OF, "--only", "feed", cwd=top)
    assert done.code == 1 and "stopped for the test" in done.stderr
    assert extracted and all(f.parts[:3] == ("build", ".salesplay", "tmp") for f in extracted)
    assert not (top / "build").exists()


def test_a_first_build_stopped_leaves_no_out_though_a_worker_read_history_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker reads a release's catalog into the scratch folder; stopped (Ctrl-C), it is
    ended before it removes it: the build that stops removes what ended processes left, so
    a first build still leaves no build/ behind."""
    import subprocess

    from salesplay import build

    top, root = _at_v1(tmp_path)
    _edit(root, DRILLS, "name: Recovery drills\n", "name: Recovery drills (v2)\n")
    _commit(top, "v2", "2026-11-20T12:00:00+00:00", "v2")
    dead = subprocess.Popen(["true"])  # a process that is gone, as the ended worker
    dead.wait()

    def stopped(ctx: object, *_args: object, **_kw: object) -> object:
        left = top / "build/.salesplay/tmp" / f"salesplay-history-{dead.pid}-x1" / "0/plays"
        left.mkdir(parents=True)
        (left / "catalog.yaml").write_text("company: {name: Northwind}\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "_make_and_write", stopped)
    done = run_cli("build", "--as-of", AS_OF, "--only", "feed", cwd=top)
    assert done.code == 130, done.stderr
    assert not (top / "build").exists()


def test_a_scratch_folder_that_is_a_file_is_one_located_error(tmp_path: Path) -> None:
    top, root = _at_v1(tmp_path)
    _edit(root, DRILLS, "name: Recovery drills\n", "name: Recovery drills (v2)\n")
    _commit(top, "v2", "2026-11-20T12:00:00+00:00", "v2")
    (top / "build/.salesplay").mkdir(parents=True)
    (top / "build/.salesplay/tmp").write_text("not a folder")
    done = run_cli("build", "--as-of", AS_OF, "--only", "feed", cwd=top)
    assert done.code == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and ".salesplay/tmp" in errors[0], done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


def _everything(out: Path) -> dict[str, bytes | None]:
    """Every file and folder under `out`, .salesplay/ included (a folder as None)."""
    return {
        str(p.relative_to(out)): None if p.is_dir() else p.read_bytes()
        for p in sorted(out.rglob("*"))
    }


@pytest.fixture
def kit_at_v1(tmp_path: Path) -> Path:
    """project/ at v2 with red-rock's kit built at v1: a plan reads the kit news of v1."""
    top, root = _at_v1(tmp_path)
    _kit(top)
    _edit(root, DRILLS, "name: Recovery drills\n", "name: Recovery drills (v2)\n")
    _commit(top, "v2", "2026-11-20T12:00:00+00:00", "v2")
    (top / "templates").mkdir()
    return top


def test_check_writes_no_kit_news_cache_in_the_build_folder(kit_at_v1: Path) -> None:
    """`check --templates` plans the kits' What's new as a build does, and reads what a build
    kept, but keeps nothing in --out: it wrote the news and tiers of v1 into
    build/.salesplay/cache/."""
    before = _everything(kit_at_v1 / "build")
    done = run_cli("check", "--as-of", AS_OF, cwd=kit_at_v1)
    assert done.code == 0, done.stderr
    assert _everything(kit_at_v1 / "build") == before


def test_a_build_stopped_while_planning_keeps_no_kit_news_cache(kit_at_v1: Path) -> None:
    """A template fault found while planning stops the build with build/ as it was, its
    cache included: the kits' news and tiers planned before it were kept all the same."""
    before = _everything(kit_at_v1 / "build")
    (kit_at_v1 / "templates/kit_index.html").write_text("{{ 1 // 0 }}\n", encoding="utf-8")
    done = run_cli("build", "--as-of", AS_OF, "--only", "kits", cwd=kit_at_v1)
    assert done.code == 1
    assert "templates/kit_index.html:1: error: ZeroDivisionError" in done.stderr
    assert "nothing was written" in done.stderr
    assert _everything(kit_at_v1 / "build") == before
    # and a build that writes keeps them: the next reads v1's news from the cache
    (kit_at_v1 / "templates/kit_index.html").unlink()
    assert run_cli("build", "--as-of", AS_OF, "--only", "kits", cwd=kit_at_v1).code == 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(changes, "editions_at", _no_git)
        (kit_at_v1 / "build/kits/red-rock.zip").unlink()
        assert run_cli("build", "--as-of", AS_OF, "--only", "kits", cwd=kit_at_v1).code == 0

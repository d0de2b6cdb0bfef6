"""The writer, pruning and the command line: review findings 1 (third depth), 8, 12 and the lows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import signal
import time
from pathlib import Path

import pytest

from conftest import AS_OF, Result, make_catalog, run_cli
from salesplay.context import clamp_jobs, cpu_count
from salesplay.engine.units import Unit
from salesplay.families import site
from salesplay.families.base import Sources, page_unit
from salesplay.outputs import OUTPUT_LIST, prune, recorded_planners
from salesplay.render.archive import deterministic_zip
from salesplay.write import (
    UnsafeTarget,
    check_target,
    check_targets,
    remove_output,
    scratch_folder,
    sweep_scratch,
    sweep_temp_files,
    temp_prefix,
    write_output,
)


def _tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under `root`: file bytes, or where a link points."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            found[rel] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[rel] = path.read_bytes()
    return found


def _one_error(result: Result, start: str) -> str:
    assert result.code == 1, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    errors = [line for line in result.lines if ": error: " in line]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(start), result.stderr
    return errors[0]


# --- finding 1, third depth: the writer refuses any target outside --out --------------------


@pytest.mark.parametrize(
    "name",
    [
        "../escape.txt",
        "site/../../escape.txt",
        "/tmp/escape.txt",
        "site//x",
        "site/./x",
        "a\\b",
        "",
    ],
)
def test_writer_refuses_names_that_leave_out(tmp_path: Path, name: str) -> None:
    out = tmp_path / "build"
    with pytest.raises(UnsafeTarget):
        write_output(out, name, b"x")
    assert not out.exists()
    assert not (tmp_path / "escape.txt").exists()


def test_writer_refuses_a_link_on_the_way_even_one_planted_after_the_check(
    tmp_path: Path,
) -> None:
    out, outside = tmp_path / "build", tmp_path / "outside"
    outside.mkdir()
    (outside / "run.sh").write_text("echo safe\n")
    out.mkdir()
    (out / "site").symlink_to(outside)
    with pytest.raises(UnsafeTarget, match="symbolic link"):
        check_target(out, "site/run.sh")
    with pytest.raises(UnsafeTarget):
        write_output(out, "site/run.sh", b"echo owned\n")
    # a link inside out that leads back into out is refused all the same: never followed
    (out / "real").mkdir()
    (out / "site").unlink()
    (out / "site").symlink_to(out / "real")
    with pytest.raises(UnsafeTarget):
        write_output(out, "site/x.html", b"x")
    assert (outside / "run.sh").read_text() == "echo safe\n"
    assert list((out / "real").iterdir()) == []


def test_writer_replaces_a_link_at_the_target_instead_of_writing_through_it(
    tmp_path: Path,
) -> None:
    out, victim = tmp_path / "build", tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "battlecards").mkdir(parents=True)
    (out / "battlecards/a.pdf").symlink_to(victim)
    assert write_output(out, "battlecards/a.pdf", b"%PDF new") is True
    assert victim.read_text() == "keep me"
    assert not (out / "battlecards/a.pdf").is_symlink()
    assert (out / "battlecards/a.pdf").read_bytes() == b"%PDF new"
    assert write_output(out, "battlecards/a.pdf", b"%PDF new") is False  # unchanged


def test_a_hostile_output_name_stops_the_build_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The logo attack's last line of defence: a rendered name that climbs out of --out."""
    make_catalog(tmp_path)
    (tmp_path / "build").mkdir()
    (tmp_path / "build/notes.txt").write_text("mine")

    def plan(_src: Sources) -> list[Unit]:
        return [
            page_unit("site", "site/index.html", "<p>fine</p>"),
            page_unit("site", "site/assets/l/../../../../run.sh", "echo owned"),
        ]

    monkeypatch.setattr(site, "FAMILY", dataclasses.replace(site.FAMILY, plan=plan))
    result = run_cli("build", "--only", "site", "--as-of", AS_OF, cwd=tmp_path)
    line = _one_error(result, "build: error: refusing to write outside --out: ")
    assert "'site/assets/l/../../../../run.sh'" in line
    assert "nothing was written" in result.stderr
    assert not (tmp_path / "run.sh").exists()
    assert _tree(tmp_path / "build") == {"notes.txt": b"mine"}


def test_a_link_in_out_stops_the_build_before_anything_is_written(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (tmp_path / "build").mkdir()
    (tmp_path / "build/reports").symlink_to(outside)
    result = run_cli("build", "--only", "reports", "--as-of", AS_OF, cwd=tmp_path)
    _one_error(result, "build/reports/")
    assert list(outside.iterdir()) == []
    assert _tree(tmp_path / "build") == {"reports": f"-> {outside}"}


# --- finding 8: a poisoned outputs.json deletes nothing outside --out -----------------------


def test_a_poisoned_output_list_prunes_nothing_outside_out(tmp_path: Path) -> None:
    out = tmp_path / "build"
    victims = tmp_path / "victims"
    victims.mkdir()
    for name in ("abs.txt", "dotdot.txt", "via-link-pitch.pptx", "linked.pdf"):
        (victims / name).write_text("precious")
    (out / "battlecards").mkdir(parents=True)
    (out / "battlecards/old.pdf").write_text("stale output")
    (out / "battlecards/link.pdf").symlink_to(victims / "linked.pdf")
    (out / "decks").symlink_to(victims)
    (out / "notes").mkdir()
    (out / "notes/mine.txt").write_text("mine")
    hostile = [
        str(victims / "abs.txt"),
        "../victims/dotdot.txt",
        "battlecards/../../victims/dotdot.txt",
        "decks/via-link-pitch.pptx",
        "notes/mine.txt",
        ".salesplay/outputs.json",
        "battlecards",
        "battlecards/old.pdf",
        "battlecards/link.pdf",
        7,
        None,
    ]
    (out / ".salesplay").mkdir()
    (out / OUTPUT_LIST).write_text(json.dumps(hostile))
    assert set(recorded_planners(out)) == {
        "decks/via-link-pitch.pptx",
        "battlecards/old.pdf",
        "battlecards/link.pdf",
    }
    assert prune(out, {}, lambda kind: True) == 2
    assert sorted(p.name for p in victims.iterdir()) == [
        "abs.txt",
        "dotdot.txt",
        "linked.pdf",
        "via-link-pitch.pptx",
    ]
    # a name no family owns is never pruned, even inside a kind's folder
    assert "battlecards/notes.txt" not in set(recorded_planners(out))
    assert all(p.read_text() == "precious" for p in victims.iterdir())
    assert (out / "notes/mine.txt").read_text() == "mine"
    assert not (out / "battlecards/old.pdf").exists()
    assert not (out / "battlecards/link.pdf").is_symlink()  # the link itself, inside out
    assert json.loads((out / OUTPUT_LIST).read_text()) == {}


@pytest.mark.parametrize(
    "record", [b"{not json", b'{"a": 1}', b'"battlecards/x.pdf"', b"\xff\xfe", b"null"]
)
def test_a_corrupt_output_list_prunes_nothing_and_never_crashes(
    tmp_path: Path, record: bytes
) -> None:
    out = tmp_path / "build"
    (out / ".salesplay").mkdir(parents=True)
    (out / OUTPUT_LIST).write_bytes(record)
    (out / "battlecards").mkdir()
    (out / "battlecards/x.pdf").write_text("kept")
    assert prune(out, {}, lambda kind: True) == 0
    assert (out / "battlecards/x.pdf").read_text() == "kept"


def test_an_output_list_names_the_families_that_planned_each_output(tmp_path: Path) -> None:
    """outputs.json keeps, with each output, the families whose plans held it: a build
    that planned all of them prunes what none made again; one that did not keeps it. An
    unknown family name or a list of the earlier layout falls back to the path's owner."""
    out = tmp_path / "build"
    (out / ".salesplay").mkdir(parents=True)
    (out / "site/assets").mkdir(parents=True)
    for name in ("shared.css", "theirs.css", "odd.css"):
        (out / "site/assets" / name).write_text("x")
    record = {
        "site/assets/shared.css": ["site", "competitors"],
        "site/assets/theirs.css": ["competitors"],
        "site/assets/odd.css": ["no-such-family", 3],
        "../escape.css": ["site"],
    }
    (out / OUTPUT_LIST).write_text(json.dumps(record))
    assert recorded_planners(out) == {
        "site/assets/shared.css": {"site", "competitors"},
        "site/assets/theirs.css": {"competitors"},
        "site/assets/odd.css": {"site"},
    }
    only_competitors = prune(out, {}, lambda kind: kind == "competitors")
    assert only_competitors == 1 and not (out / "site/assets/theirs.css").exists()
    assert json.loads((out / OUTPUT_LIST).read_text()) == {
        "site/assets/odd.css": ["site"],
        "site/assets/shared.css": ["site"],
    }
    assert prune(out, {}, lambda kind: True) == 2
    assert not (out / "site/assets").exists() or not list((out / "site/assets").iterdir())


def test_an_output_list_that_is_a_link_is_not_read(tmp_path: Path) -> None:
    out = tmp_path / "build"
    elsewhere = tmp_path / "list.json"
    elsewhere.write_text(json.dumps(["battlecards/x.pdf"]))
    (out / ".salesplay").mkdir(parents=True)
    (out / OUTPUT_LIST).symlink_to(elsewhere)
    (out / "battlecards").mkdir()
    (out / "battlecards/x.pdf").write_text("kept")
    assert set(recorded_planners(out)) == set()
    assert remove_output(out, "../list.json") is False
    assert elsewhere.exists() and (out / "battlecards/x.pdf").exists()


def test_a_poisoned_output_list_through_the_cli(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    victim = tmp_path / "victim.sh"
    victim.write_text("precious")
    (tmp_path / "build/.salesplay").mkdir(parents=True)
    (tmp_path / "build" / OUTPUT_LIST).write_text(json.dumps([str(victim), "../victim.sh"]))
    result = run_cli("build", "--only", "reports", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert victim.read_text() == "precious"


def test_stale_temp_files_of_a_dead_writer_are_swept(tmp_path: Path) -> None:
    out = tmp_path / "build"
    (out / "kits").mkdir(parents=True)
    dead = _dead_pid()
    stale = out / "kits" / f".salesplay-tmp-{dead}-0123456789abcdef.tmp"
    mine = out / "kits" / f".salesplay-tmp-{os.getpid()}-0123456789abcdef.tmp"
    user = out / "kits" / "notes.tmp"
    for path in (stale, mine, user):
        path.write_text("x")
    assert sweep_temp_files(out, ["kits"]) == 1
    assert not stale.exists() and mine.exists() and user.exists()


def test_scratch_folders_of_a_dead_build_are_swept_never_through_a_link(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "build", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious").write_text("x")
    scratch = scratch_folder(out)
    assert scratch == out / ".salesplay/tmp" and scratch.is_dir() and not scratch.is_symlink()
    dead = _dead_pid()
    stale = scratch / f"salesplay-history-{dead}-abc123"
    (stale / "catalog/plays").mkdir(parents=True)
    (stale / "catalog/plays/x.yaml").write_text("name: x")
    (stale / "catalog/link").symlink_to(elsewhere)  # inside a swept folder: not followed
    link = scratch / f"salesplay-since-{dead}-def456"
    link.symlink_to(elsewhere)  # a swept entry that is a link: the link goes, not its target
    mine = scratch / f"{temp_prefix('since')}xyz"
    mine.mkdir()
    other = scratch / "notes"
    other.mkdir()
    assert sweep_scratch(out) == 2
    assert not stale.exists() and not link.is_symlink()
    assert mine.is_dir() and other.is_dir() and (elsewhere / "precious").read_text() == "x"


def test_a_scratch_folder_is_never_made_through_a_link(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "build", tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / ".salesplay").symlink_to(elsewhere)
    with pytest.raises(UnsafeTarget):
        scratch_folder(out)
    assert list(elsewhere.iterdir()) == []
    # nor swept through one: a dead build's folder there is not this build's to remove
    (elsewhere / "tmp" / f"salesplay-since-{_dead_pid()}-x").mkdir(parents=True)
    assert sweep_scratch(out) == 0
    assert [p.name for p in (elsewhere / "tmp").iterdir()] != []


def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except OSError:
            pass
        pid -= 1


# --- finding 12: --as-of and SOURCE_DATE_EPOCH ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2108-01-01", "between 1980-01-01 and 2107-12-31"),
        ("1979-12-31", "between 1980-01-01 and 2107-12-31"),
        ("20260115", "must be a date YYYY-MM-DD, got '20260115'"),
        ("2026-W03-4", "must be a date YYYY-MM-DD, got '2026-W03-4'"),
        ("", "must be a date YYYY-MM-DD, got ''"),
        ("2026-1-15", "must be a date YYYY-MM-DD"),
        (" 2026-01-15", "must be a date YYYY-MM-DD"),
        ("２０２６-01-15", "must be a date YYYY-MM-DD"),
    ],
)
def test_as_of_outside_what_outputs_can_hold_is_a_usage_error(
    tmp_path: Path, value: str, message: str
) -> None:
    make_catalog(tmp_path)
    result = run_cli("build", "--as-of", value, cwd=tmp_path)
    assert result.code == 2, result.stderr
    assert len(result.lines) == 1 and result.lines[0].startswith("salesplay: error: --as-of ")
    assert message in result.stderr
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("epoch", ["1e9", " 1700000000", "+1700000000", "-1", "99999999999", "0"])
def test_garbage_source_date_epoch_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str
) -> None:
    make_catalog(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = run_cli("build", cwd=tmp_path)
    assert result.code == 2, result.stderr
    assert result.lines[0].startswith("salesplay: error: SOURCE_DATE_EPOCH ")
    assert not (tmp_path / "build").exists()


def test_zip_dates_past_2107_are_a_clear_error() -> None:
    with pytest.raises(ValueError, match="after 2107"):
        deterministic_zip([("a.txt", b"a")], date=dt.date(2108, 1, 1))
    assert deterministic_zip([("a.txt", b"a")], date=dt.date(2107, 12, 31))


# --- lows: --out, --jobs, init ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "says"),
    [
        ("plays", "is the catalog folder"),
        ("plays/products", "inside the catalog"),
        (".", "holds the catalog"),
        ("..", "holds the catalog"),
        ("/", "choose a folder of its own"),
        ("~", "choose a folder of its own"),
        ("templates", "is the templates folder"),
        ("templates/x", "inside the templates"),
    ],
)
def test_an_out_that_is_or_holds_the_project_is_a_usage_error(
    tmp_path: Path, out: str, says: str
) -> None:
    make_catalog(tmp_path)
    (tmp_path / "templates").mkdir()
    before = _tree(tmp_path)
    target = str(Path.home()) if out == "~" else out
    for command in (["build", "--only", "reports"], ["kit", "blue-river"]):
        result = run_cli(*command, "--as-of", AS_OF, "--out", target, cwd=tmp_path)
        assert result.code == 2, result.stderr
        assert len(result.lines) == 1 and says in result.stderr, result.stderr
    assert _tree(tmp_path) == before


def test_an_out_holding_the_templates_folder_is_refused(tmp_path: Path) -> None:
    make_catalog(tmp_path / "cat")
    (tmp_path / "site/templates").mkdir(parents=True)
    result = run_cli(
        "build", "--catalog", "cat/plays", "--templates", "site/templates", "--out", "site",
        "--as-of", AS_OF, cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 2 and "holds the templates folder" in result.stderr


def test_jobs_are_clamped_to_the_cpus_and_default_to_them(tmp_path: Path) -> None:
    assert clamp_jobs(1000) == cpu_count()
    assert clamp_jobs(None) == cpu_count()
    assert clamp_jobs(1) == 1
    result = run_cli("build", "--help", cwd=tmp_path)
    assert "number of CPUs" in " ".join(result.stdout.split())


def test_init_into_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    result = run_cli("init", "a-file/new", cwd=tmp_path)
    assert result.code == 1, result.stderr
    assert result.lines == [result.lines[0]] and result.lines[0].startswith("salesplay: error: ")
    assert "internal error" not in result.stderr


def test_init_never_overwrites_a_file(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("mine")
    result = run_cli("init", "taken", cwd=tmp_path)
    assert result.code == 2 and (tmp_path / "taken").read_text() == "mine"


def _first_unsafe(check: object) -> tuple[str, str] | None:
    try:
        check()  # type: ignore[operator]
    except UnsafeTarget as exc:
        return str(exc.path), str(exc)
    return None


@pytest.mark.parametrize(
    "layout",
    ["fine", "link-folder", "file-folder", "folder-target", "link-target", "out-file",
     "bad-name"],
)  # fmt: skip
def test_checking_many_targets_refuses_what_checking_each_refuses(
    tmp_path: Path, layout: str
) -> None:
    """A build checks a thousand kit paths with one look at each folder (check_targets):
    it refuses the same first target, with the same words, as check_target one by one."""
    out = tmp_path / "build"
    (out / "kits").mkdir(parents=True)
    (out / "site").mkdir()
    (tmp_path / "elsewhere").mkdir()
    names = ["kits/a.zip", "kits/b.zip", "site/index.html", "site/x/y.html", "zz/new.html"]
    if layout == "link-folder":
        (out / "site").rmdir()
        (out / "site").symlink_to(tmp_path / "elsewhere")
    elif layout == "file-folder":
        (out / "site/x").write_text("a file where a folder goes")
    elif layout == "folder-target":
        (out / "kits/b.zip").mkdir()
    elif layout == "link-target":
        (out / "kits/a.zip").symlink_to(tmp_path / "elsewhere")  # replaced, never followed
    elif layout == "out-file":
        out = tmp_path / "a-file"
        out.write_text("not a folder")
    elif layout == "bad-name":
        names.insert(2, "kits/../../x.zip")

    def each() -> None:
        for rel in names:
            check_target(out, rel)

    alone = _first_unsafe(each)
    assert _first_unsafe(lambda: check_targets(out, names)) == alone
    assert (alone is None) == (layout in ("fine", "link-target"))


def _failing(monkeypatch: pytest.MonkeyPatch, name: str, nth: int, err: int) -> None:
    """write.`name` raises OSError `err` at its nth call of the build."""
    import errno as _errno

    from salesplay import write

    real = getattr(write, name)
    calls = {"n": 0}

    def fails(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == nth:
            raise OSError(err, os.strerror(err))
        return real(*args, **kwargs)

    assert err in (_errno.ENOSPC, _errno.EPERM)
    monkeypatch.setattr(write, name, fails)


@pytest.mark.parametrize(
    ("name", "err"), [("stage_output", 28), ("keep_previous", 1), ("commit_output", 1)]
)
def test_a_write_fault_among_the_pages_leaves_build_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, err: int
) -> None:
    """A full disk, or a file that cannot be replaced (immutable), at the tenth of stage
    0's outputs left nine new and the rest old ("outputs made before the fault were written;
    rerun to finish"). The pages are staged, and the files they replace kept, before any is
    put in place: a fault then puts back what was replaced."""
    args, before = _pages_to_remake(tmp_path)
    _failing(monkeypatch, name, 4, err)
    result = run_cli(*args, cwd=tmp_path)
    assert result.code == 1
    assert result.lines[-1].startswith("build stopped: nothing was written"), result.lines
    assert _tree(tmp_path / "build") == before
    monkeypatch.undo()
    assert run_cli(*args, cwd=tmp_path).code == 0
    assert _tree(tmp_path / "build") != before


def _pages_to_remake(tmp_path: Path) -> tuple[tuple[str, ...], dict[str, bytes | str]]:
    """A built catalog whose two plays were renamed since: the build line that remakes
    their pages (cards, portal, matrix) and the build folder as it is before."""
    root = make_catalog(tmp_path)
    args = ("build", "--catalog", "plays", "--as-of", AS_OF, "--jobs", "1")
    args += ("--only", "battlecards", "--only", "site", "--only", "matrix")
    assert run_cli(*args, cwd=tmp_path).code == 0
    for rel in ("plays/backup-modernization.yaml", "plays/recovery-drills.yaml"):
        play = root / rel
        play.write_text(play.read_text().replace("name: ", "name: New ", 1))
    return args, _tree(tmp_path / "build")


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_while_the_pages_are_put_in_place_puts_every_one_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int, code: int
) -> None:
    """Ctrl-C or SIGTERM while stage 0's pages were put in place (write_all's commits) ended
    the build there: those put in place so far new, the rest old, exit 130, and not a word
    (found by a helper session, 2026-12-07). It now waits until they are all in and known
    to the journal, which puts every one back, as a fault there does."""
    from salesplay import write

    args, before = _pages_to_remake(tmp_path)
    real = write.commit_output
    calls = {"n": 0}

    def interrupted(*a: object, **k: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # the signal lands while the third page is put in place
            os.kill(os.getpid(), signum)
            time.sleep(0.05)
        real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(write, "commit_output", interrupted)
    stopped = run_cli(*args, cwd=tmp_path)
    assert stopped.code == code, stopped.stderr
    assert calls["n"] >= 3
    assert _tree(tmp_path / "build") == before
    monkeypatch.undo()
    assert run_cli(*args, cwd=tmp_path).code == 0
    assert _tree(tmp_path / "build") != before


def test_a_first_build_that_cannot_write_leaves_no_build_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk in a first build left 19 files and their folders under build/."""
    make_catalog(tmp_path)
    _failing(monkeypatch, "stage_output", 6, 28)
    args = ("build", "--catalog", "plays", "--as-of", AS_OF, "--jobs", "1", "--only", "site")
    result = run_cli(*args, cwd=tmp_path)
    assert result.code == 1
    assert not (tmp_path / "build").exists(), sorted(
        str(p.relative_to(tmp_path)) for p in (tmp_path / "build").rglob("*")
    )


@pytest.mark.parametrize(
    ("name", "err"), [("keep_previous", 1), ("commit_output", 28), ("commit_output", 0)]
)
def test_a_fault_among_the_kits_puts_back_every_output_of_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, err: int
) -> None:
    """Kits were put in place as each was made: a full disk at the second kit left the first
    new, the rest old, and the pages new ("outputs made before the fault were written;
    rerun to finish"). What each stage replaces is now kept until the last output is in;
    a fault in any stage, or Ctrl-C (err 0: KeyboardInterrupt), puts everything back. The
    build's cache too: it kept the cards and decks it had made for the kits."""
    root = make_catalog(tmp_path)
    args = ("build", "--catalog", "plays", "--as-of", AS_OF, "--jobs", "1")
    only = ("--only", "kits", "--only", "battlecards", "--only", "reports")
    assert run_cli(*args, *only, cwd=tmp_path).code == 0
    play = root / "plays/backup-modernization.yaml"  # in both kits
    play.write_text(play.read_text().replace("name: ", "name: New ", 1))
    before = _outputs(tmp_path / "build")
    whole = _tree(tmp_path / "build")
    # the changed card comes first (stage 0, all or none), then the kits one by one
    nth = 3
    if err:
        _failing(monkeypatch, name, nth, err)
    else:
        _interrupted(monkeypatch, name, nth)
    result = run_cli(*args, *only, cwd=tmp_path)
    if err:
        assert result.code == 1
        assert result.lines[-1].startswith("build stopped: nothing was written"), result.lines
    else:
        assert result.code == 130, (result.code, result.stderr)
    assert _outputs(tmp_path / "build") == before
    assert _tree(tmp_path / "build") == whole
    monkeypatch.undo()
    assert run_cli(*args, *only, cwd=tmp_path).code == 0
    after = _outputs(tmp_path / "build")
    assert {rel for rel in after if after[rel] != before.get(rel)} >= {
        "kits/blue-river.zip",
        "kits/red-rock.zip",
        "battlecards/backup-modernization.pdf",
    }


def _outputs(out: Path) -> dict[str, bytes | str]:
    """Every output under `out` (the build's own records and caches aside)."""
    return {rel: data for rel, data in _tree(out).items() if not rel.startswith(".salesplay")}


def _interrupted(monkeypatch: pytest.MonkeyPatch, name: str, nth: int) -> None:
    """write.`name` raises KeyboardInterrupt (Ctrl-C) at its nth call of the build."""
    from salesplay import write

    real = getattr(write, name)
    calls = {"n": 0}

    def stops(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == nth:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(write, name, stops)

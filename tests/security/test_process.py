"""Killed builds: no worker outlives one, nothing is written after, a rerun equals a clean build."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import AS_OF, MINIMAL
from sessionbuild import SALESPLAY, shared

#: extra partners on top of minimal's two: enough kits that the kit stage lasts while a test
#: sees its workers and its first kit (six kits were made in less time than one look)
EXTRA_PARTNERS = 60
TEMP_GLOB = ".salesplay-tmp-*"


def _make_project(root: Path) -> None:
    shutil.copytree(MINIMAL, root / "plays")
    base = (MINIMAL / "partners/blue-river.yaml").read_text()
    for i in range(1, EXTRA_PARTNERS + 1):
        text = base.replace("Blue River IT", f"Partner {i}")
        (root / "plays/partners" / f"partner-{i}.yaml").write_text(text)


def _args(out: Path, *kinds: str) -> list[str]:
    only = [arg for kind in kinds for arg in ("--only", kind)]
    return [str(SALESPLAY), "build", "--as-of", AS_OF, "--jobs", "2", "--out", str(out), *only]


def _env(temp: Path | None = None) -> dict[str, str]:
    """The build's environment; `temp` its system temp folder (TMPDIR)."""
    drop = ("SOURCE_DATE_EPOCH", "SALESPLAY_DEBUG")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return env if temp is None else {**env, "TMPDIR": str(temp)}


#: the kinds a killed build is rerun with; a clean build of each is in reference-<kind>/.
KILLED_KINDS = ("kits", "battlecards")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalog, and a clean build of each killed kind to compare reruns against."""

    def make(root: Path) -> None:
        _make_project(root)
        for kind in KILLED_KINDS:
            done = subprocess.run(
                _args(root / f"reference-{kind}", kind), cwd=root, env=_env(),
                capture_output=True, text=True, timeout=300, check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr

    return shared(tmp_path_factory, "killed-builds", make)


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # state, ppid, ...


def _alive(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def _workers(parent: int) -> list[int]:
    """Live children of `parent` that are forks of it (same command line: not git)."""
    try:
        command = Path(f"/proc/{parent}/cmdline").read_bytes()
    except OSError:
        return []
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is None or fields[0] in ("Z", "X") or int(fields[1]) != parent:
            continue
        try:
            if (entry / "cmdline").read_bytes() == command:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _snapshot(out: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(out)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def _start_and_kill(
    cwd: Path,
    args: list[str],
    ready: Callable[[int], bool],
    sig: signal.Signals,
    temp: Path | None = None,
) -> tuple[subprocess.Popen[str], list[int]]:
    """Start a build, wait until `ready(pid)` with workers running, send `sig`."""
    proc = subprocess.Popen(args, cwd=cwd, env=_env(temp), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    workers: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _workers(proc.pid)
        if workers and ready(proc.pid):
            break
        time.sleep(0.01)
    assert proc.poll() is None and workers, "the build ended before its workers were seen"
    os.kill(proc.pid, sig)
    return proc, workers


def _assert_workers_gone(workers: list[int], within: float = 2.0) -> None:
    deadline = time.monotonic() + within
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [pid for pid in workers if _alive(pid)] == [], "workers outlived the build"


def _assert_nothing_written_after(out: Path, seconds: float = 1.5) -> None:
    before = _snapshot(out) if out.exists() else {}
    time.sleep(seconds)
    assert (_snapshot(out) if out.exists() else {}) == before


def _outputs(out: Path) -> dict[str, bytes]:
    """Every file under `out` but the build's bookkeeping (records, kit cache)."""
    return {
        rel: p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not (rel := p.relative_to(out).as_posix()).startswith(".salesplay/")
    }


def _rerun_equals_reference(project: Path, out: Path, kind: str) -> None:
    """A rerun after the kill succeeds and equals a clean build, byte for byte."""
    done = subprocess.run(
        _args(out, kind), cwd=project, env=_env(), capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # the killed build's lock on out/ went with it and its workers
    assert "waiting for another salesplay build" not in done.stderr
    assert list(out.rglob(TEMP_GLOB)) == [], "a stale temporary file survived the rerun"
    got, want = _outputs(out), _outputs(project / f"reference-{kind}")
    assert sorted(got) == sorted(want)
    assert [rel for rel in want if got[rel] != want[rel]] == []


def test_sigkill_while_kits_are_made_leaves_no_worker_and_no_late_write(
    project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"

    def kits_being_written(_pid: int) -> bool:
        return any((out / "kits").glob("*.zip")) if (out / "kits").is_dir() else False

    proc, workers = _start_and_kill(project, _args(out, "kits"), kits_being_written, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    _assert_workers_gone(workers)
    _assert_nothing_written_after(out)
    # every kit there is whole: a worker only stages it beside; the build renames it in place
    for kit in (out / "kits").glob("*.zip"):
        assert kit.read_bytes() == (project / "reference-kits/kits" / kit.name).read_bytes()
    _rerun_equals_reference(project, out, "kits")


def _font_files(pid: int) -> list[str]:
    """The @font-face files process `pid` holds in memory (render.fontfiles)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return []
    found = []
    for fd in fds:
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if "salesplay-font-" in target:
                found.append(target)
    return found


def test_sigkill_while_pdfs_render_leaves_no_worker(project: Path, tmp_path: Path) -> None:
    out, temp = tmp_path / "build", tmp_path / "tmp"
    temp.mkdir()

    def rendering(pid: int) -> bool:
        # a worker has loaded the theme's fonts: in memory, or in a temp folder
        return any(_font_files(w) for w in _workers(pid)) or any(temp.iterdir())

    args = _args(out, "battlecards")
    proc, workers = _start_and_kill(project, args, rendering, signal.SIGKILL, temp)
    proc.communicate(timeout=30)
    _assert_workers_gone(workers)
    _assert_nothing_written_after(out)
    # nothing outside --out: WeasyPrint's font copies are memory, gone with the workers
    assert list(temp.iterdir()) == []
    _rerun_equals_reference(project, out, "battlecards")


def test_sigterm_stops_the_build_and_its_workers_quietly(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"

    def kit_workers(pid: int) -> bool:
        # minimal's one partner play renders in-process: forks now are the kit workers
        return len(_workers(pid)) >= 2

    proc, workers = _start_and_kill(project, _args(out, "kits"), kit_workers, signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    _assert_workers_gone(workers, within=0.5)
    _assert_nothing_written_after(out, seconds=0.5)
    assert list(out.rglob(TEMP_GLOB)) == []


def test_a_build_stopped_while_it_commits_kits_removes_what_its_workers_staged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the build commits the kits its workers stage: those workers were ended
    only when the fault's traceback let go of them, after the build had swept what dead
    workers left, so the kits they had staged stayed in build/kits. They are ended first."""
    import io
    from contextlib import redirect_stderr

    from conftest import AS_OF, make_catalog
    from salesplay import outputs
    from salesplay.build import run_build
    from salesplay.context import Context

    partner = "name: Partner {n}\ntier: gold\nregions: [EMEA]\n"
    many = {f"partners/p{n:02}.yaml": partner.format(n=n) for n in range(16)}
    root = make_catalog(tmp_path, many)
    out = tmp_path / "build"
    real = outputs.commit_file
    commits: list[str] = []

    def stopped(out_: Path, rel: str, temp: str) -> bool:
        commits.append(rel)
        if len(commits) == 3:
            time.sleep(0.5)  # the workers stage the next kits meanwhile
            raise KeyboardInterrupt
        return real(out_, rel, temp)

    monkeypatch.setattr(outputs, "commit_file", stopped)
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF), out=out, jobs=2)
    with pytest.raises(KeyboardInterrupt), redirect_stderr(io.StringIO()):
        run_build(ctx, ["kits"])
    assert len(commits) >= 3
    assert list(out.rglob(TEMP_GLOB)) == []

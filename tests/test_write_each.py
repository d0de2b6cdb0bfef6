"""Outputs are written as they come, a few at once: in order, with true counts, and the
first fault stops the build's writing with a located error."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from salesplay import outputs
from salesplay.engine.schedule import Made
from salesplay.engine.units import Unit
from salesplay.faults import BuildFault


def made(rel: str, data: bytes) -> Made:
    return Made(Unit(rel, "kits", "k"), data, ())


def test_outputs_come_back_in_the_order_made_with_whether_they_changed(tmp_path: Path) -> None:
    (tmp_path / "kits").mkdir()
    (tmp_path / "kits" / "p03.zip").write_bytes(b"same 3")
    items = [made(f"kits/p{i:02}.zip", f"same {i}".encode()) for i in range(20)]
    done = list(outputs.write_each(tmp_path, items))
    assert [item.unit.rel for item, _ in done] == [item.unit.rel for item in items]
    assert [changed for _, changed in done] == [i != 3 for i in range(20)]
    for i in range(20):
        assert (tmp_path / "kits" / f"p{i:02}.zip").read_bytes() == f"same {i}".encode()


def test_writes_overlap_and_stay_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that waits for the disk does not hold up the next; at most WRITERS run and at
    most WAITING made outputs wait (kits are 2 MB each)."""
    running, most, lock = 0, 0, threading.Lock()
    release = threading.Event()
    write = outputs.write_file

    def slow(out: Path, rel: str, data: bytes) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(timeout=1.0)
        with lock:
            running -= 1
        return write(out, rel, data)

    monkeypatch.setattr(outputs, "write_file", slow)
    received = []

    def items() -> Iterator[Made]:
        for i in range(30):
            received.append(i)
            yield made(f"kits/p{i:02}.zip", b"x")

    stream = outputs.write_each(tmp_path, items())
    first = next(stream)
    assert first[0].unit.rel == "kits/p00.zip"
    # the first result came back once WAITING more were taken, not after all 30
    assert len(received) <= outputs.WAITING + 2
    release.set()
    rest = list(stream)
    assert len(rest) == 29
    assert 1 < most <= outputs.WRITERS


def test_the_first_fault_is_a_located_error_and_later_outputs_are_not_written(
    tmp_path: Path,
) -> None:
    (tmp_path / "kits").mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (tmp_path / "kits" / "trap").symlink_to(outside)
    items = [made(f"kits/p{i:02}.zip", b"x") for i in range(3)]
    items.append(made("kits/trap/p.zip", b"x"))
    items += [made(f"kits/q{i:02}.zip", b"x") for i in range(40)]
    with pytest.raises(BuildFault) as caught:
        list(outputs.write_each(tmp_path, items))
    assert "symbolic link" in str(caught.value) or "link" in str(caught.value)
    assert not list(outside.iterdir())
    # writing stopped: the outputs far behind the fault were never written
    assert not (tmp_path / "kits" / "q39.zip").exists()
    assert not [p for p in (tmp_path / "kits").iterdir() if p.name.endswith(".tmp")]


def _staged(out: Path, rel: str, data: bytes) -> Made:
    """An output staged beside its file, as a worker stages a kit (outputs.stage_file)."""
    unit = Unit(rel, "kits", "k")
    return Made(unit, outputs.stage_file(out, unit, data), ())


def test_a_stage_made_while_the_one_before_finishes_is_committed_after_it(
    tmp_path: Path,
) -> None:
    """held_until: the kits made while the first stage's last document is on a standby are
    committed only once that stage is written; as soon as it can be, not at the end."""
    events: list[str] = []
    answered = iter([False, False, True])  # the first stage's last output is in at the third

    def first() -> None:
        events.append("first stage written")

    def kits() -> Iterator[Made]:
        for i in range(5):
            events.append(f"kit {i} made")
            yield _staged(tmp_path, f"kits/p{i}.zip", f"kit {i}".encode())

    held = outputs.held_until(tmp_path, kits(), lambda: next(answered, True), first)
    written = list(outputs.write_each(tmp_path, held, staged=True))
    assert events == [
        "kit 0 made",
        "kit 1 made",
        "kit 2 made",
        "first stage written",
        "kit 3 made",
        "kit 4 made",
    ]
    assert [item.unit.rel for item, _ in written] == [f"kits/p{i}.zip" for i in range(5)]
    assert (tmp_path / "kits" / "p0.zip").read_bytes() == b"kit 0"


def test_a_stage_still_unfinished_at_the_end_is_written_first_all_the_same(
    tmp_path: Path,
) -> None:
    events: list[str] = []
    items = [_staged(tmp_path, f"kits/p{i}.zip", b"x") for i in range(3)]
    held = outputs.held_until(tmp_path, items, lambda: False, lambda: events.append("first"))
    for item in held:
        events.append(item.unit.rel)
    assert events == ["first", "kits/p0.zip", "kits/p1.zip", "kits/p2.zip"]


def test_a_fault_in_the_stage_before_removes_what_was_held_staged(tmp_path: Path) -> None:
    def first() -> None:
        raise BuildFault.of(OSError("disk full"), Path("battlecards/a.pdf"))

    answered = iter([False, False, True])
    made: list[str] = []

    def kits() -> Iterator[Made]:
        for i in range(5):
            made.append(f"kits/p{i}.zip")
            yield _staged(tmp_path, f"kits/p{i}.zip", b"x")

    held = outputs.held_until(tmp_path, kits(), lambda: next(answered), first)
    with pytest.raises(BuildFault, match="disk full"):
        list(outputs.write_each(tmp_path, held, staged=True))
    assert len(made) == 3  # no more are made
    assert list((tmp_path / "kits").iterdir()) == []  # the three staged are removed


def test_closing_the_held_stage_closes_its_source_first(tmp_path: Path) -> None:
    """A build stopped while kits are held (Ctrl-C) ends the workers that stage them before
    it removes what they staged: nothing is staged after the sweep."""
    events: list[str] = []

    def kits() -> Iterator[Made]:
        try:
            for i in range(5):
                events.append(f"kit {i} made")
                yield _staged(tmp_path, f"kits/p{i}.zip", b"x")
        finally:
            events.append("workers ended")

    source = kits()  # held, as a fault's traceback holds the stage's frames
    held = outputs.held_until(tmp_path, source, lambda: True, lambda: None)
    first = next(held)  # handed on: the writer's to commit or remove
    held.close()
    assert events == ["kit 0 made", "workers ended"]
    assert [p.name for p in (tmp_path / "kits").iterdir()] == [first.data.decode()]

"""Forked workers: every job done once, and jobs handed out no faster than results are read."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from pathlib import Path

import pytest

from salesplay.engine.fork import AHEAD, fork, forked_map


def _noting(log: Path) -> Callable[[], AbstractContextManager[Callable[[int], int]]]:
    """Tasks that note their index in `log` as they start, and return its square."""

    @contextmanager
    def factory() -> Iterator[Callable[[int], int]]:
        def task(index: int) -> int:
            fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            os.write(fd, f"{index}\n".encode())
            os.close(fd)
            return index * index

        yield task

    return factory


def test_every_job_is_done_once(tmp_path: Path) -> None:
    log = tmp_path / "started"
    with closing(forked_map(_noting(log), 7, 2)) as results:
        got = dict(results)
    assert got == {i: i * i for i in range(7)}
    assert sorted(int(n) for n in log.read_text().split()) == list(range(7))


def test_no_jobs_is_no_wait(tmp_path: Path) -> None:
    started = time.perf_counter()
    with closing(forked_map(_noting(tmp_path / "started"), 0, 2)) as results:
        assert list(results) == []
    assert time.perf_counter() - started < 2  # the workers were told to stop at once


def test_a_slow_consumer_holds_the_workers_back(tmp_path: Path) -> None:
    # fast jobs, a consumer that takes its time with each result (writing a kit, say): the
    # workers may run a few jobs ahead, never the whole queue, so results do not pile up
    log, workers, count = tmp_path / "started", 2, 40
    with closing(forked_map(_noting(log), count, workers)) as results:
        first = next(results)
        time.sleep(1.0)  # ample time for the workers to start every job they were given
        began = len(log.read_text().split())
        rest = list(results)
    assert began <= AHEAD * workers + 1 < count
    assert len([first, *rest]) == count


class _Stop(BaseException):
    pass


#: set by a test: fork's after-in-parent callback then signals this process, as a SIGTERM
#: that lands while logging releases its lock after a fork does
_SIGNAL_IN_FORK: list[int] = []


def _signal_after_fork() -> None:
    if _SIGNAL_IN_FORK:
        os.kill(os.getpid(), _SIGNAL_IN_FORK.pop())


os.register_at_fork(after_in_parent=_signal_after_fork)


@pytest.mark.parametrize(
    "signum",
    # SIGALRM: serve's build process retries with it an interrupt it had to defer; lost in
    # a fork's callback, a save during a slow build let that build run to its end
    [signal.SIGTERM, signal.SIGINT, signal.SIGALRM],
)
def test_a_stop_signal_that_lands_during_a_fork_still_stops(signum: int) -> None:
    def stop(_signum: int, _frame: object) -> None:
        raise _Stop

    previous = signal.signal(signum, stop)
    pid = 0
    try:
        _SIGNAL_IN_FORK.append(signum)
        # raised inside fork's callback, the exception would be printed and dropped
        with pytest.raises(_Stop):
            pid = fork()
            if pid == 0:
                os._exit(0)
    finally:
        _SIGNAL_IN_FORK.clear()
        signal.signal(signum, previous)
    if pid:
        os.waitpid(pid, 0)

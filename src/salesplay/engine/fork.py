"""Forked workers: run indexed tasks on processes that die with their parent."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

#: jobs handed to each worker ahead of the results read back (see forked_map).
AHEAD = 2

#: prctl(2) option: the signal a process gets when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1
#: the signals that stop a build: held back while a process forks. SIGALRM too: serve's
#: build process retries with it an interrupt it had to defer (serve.worker)
_STOPPING = {signal.SIGINT, signal.SIGTERM, signal.SIGALRM}


@contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGALRM noted while forking, and acted on once the fork is done. Raised
    inside fork's own callbacks (logging releases its lock there), their exception would
    be printed, then dropped, and the build would go on as if never stopped. (Blocking the
    signals would not do: another thread of the process may take them.)"""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread sets handlers, and runs them
        return
    caught: list[int] = []
    here = os.getpid()
    saved = {
        sig: signal.signal(sig, lambda signum, _frame: caught.append(signum)) for sig in _STOPPING
    }
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        if caught and os.getpid() == here:  # a forked child leaves its parent's signals
            first = signal.Signals(caught[0])
            handler = saved[first]
            if callable(handler):
                handler(first, None)
            elif handler == signal.SIG_DFL:
                os.kill(here, first)


def fork() -> int:
    """os.fork(), with the signals that stop a build acted on only once it is done."""
    with signals_held():
        return os.fork()


class WorkerError(Exception):
    """A forked worker failed outside its job's own error handling, or died."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


def die_with_parent(parent: int) -> None:
    """Make a forked worker die with `parent` (SIGKILL, SIGTERM, crash): never an orphan;
    the first thing every forked child does. Its collector leaves what it inherited alone.

    Linux delivers SIGKILL to the worker when the parent exits (PR_SET_PDEATHSIG); the
    getppid check covers a parent that died before that was set. SIGTERM (the parent's
    terminate) kills at once; SIGINT is left to the parent, which stops its workers.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # what the parent held lives as long as the child: a collection that scanned it would
    # cost time in every full pass and copy each page it touched (copy-on-write); what the
    # child makes is collected, though the parent forked it with the collector off (the
    # standby is forked before the check, entry.main)
    gc.freeze()
    gc.enable()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the getppid check below and the parent's terminate remain
    if os.getppid() != parent:
        os._exit(1)


#: What a worker's task factory yields: the task for one job index, with its per-process
#: state (a PdfRenderer, say) alive around it.
TaskFactory = Callable[[], AbstractContextManager[Callable[[int], T]]]


def _forked_worker(parent: int, factory: TaskFactory[T], tasks: Any, results: Any) -> None:
    die_with_parent(parent)
    with factory() as task:
        while (index := tasks.get()) is not None:
            try:
                results.put((index, task(index), None))
            except Exception as exc:  # sent back as text: it might not unpickle
                results.put((index, None, f"{type(exc).__name__}: {exc}"))


def forked_map(
    factory: TaskFactory[T], count: int, workers: int
) -> Generator[tuple[int, T], None, None]:
    """Run task(i) for i in range(count) on forked workers, yielding (i, result) as each ends.

    Workers die with this process; on any exception here (Ctrl-C, SIGTERM, a consumer's
    fault, closing the iterator) they are terminated. A task's unexpected exception or a
    dead worker (OOM-killed, say) is a WorkerError, never a hang. Use with
    contextlib.closing so that a consumer stopping early stops the workers at once.
    """
    ctx = multiprocessing.get_context("fork")
    tasks: Any = ctx.Queue()
    results: Any = ctx.Queue()
    parent = os.getpid()
    # Forked workers already hold the jobs: only indexes and results travel.
    procs = [
        ctx.Process(target=_forked_worker, args=(parent, factory, tasks, results), daemon=True)
        for _ in range(max(1, min(workers, count)))
    ]
    # A few jobs per worker are handed out ahead, the next one as each result comes back:
    # workers that outpace the consumer (it writes 2 MB kits) would otherwise pile up
    # results in memory, a gigabyte for a thousand kits.
    dispatched, stopped = 0, False

    def dispatch(jobs: int) -> None:
        nonlocal dispatched, stopped
        end = min(count, dispatched + jobs)
        for index in range(dispatched, end):
            tasks.put(index)
        dispatched = end
        if dispatched == count and not stopped:
            stopped = True  # every job is out: each worker stops after its last
            for _ in procs:
                tasks.put(None)

    dispatch(AHEAD * len(procs))
    with signals_held():
        for proc in procs:
            proc.start()
    received = 0
    try:
        while received < count:
            try:
                index, result, error = results.get(timeout=0.5)
            except queue.Empty:
                died = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
                if died or not any(proc.is_alive() for proc in procs):
                    how = (
                        f"signal {-died[0]}"
                        if died and died[0] < 0
                        else f"exit {died[0] if died else 0}"
                    )
                    message = f"a worker process died ({how}) before its jobs were done"
                    raise WorkerError(message) from None
                continue
            if error is not None:
                raise WorkerError(error, index)
            received += 1
            dispatch(1)
            yield index, result
    except BaseException:
        # interrupted (Ctrl-C, SIGTERM, a newer save under `serve`) or failed: the remaining
        # jobs are not wanted, so the workers stop now rather than after their queue
        for proc in procs:
            proc.terminate()
        raise
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)
        for q in (tasks, results):
            q.close()
            q.cancel_join_thread()

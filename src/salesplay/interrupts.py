"""Ctrl-C and SIGTERM raised where they can end a command, never lost in a C callback."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import Any

#: libraries that call Python back from C and print, then swallow, an exception raised
#: there (cairocffi rasterising an SVG logo): an interrupt waits until the command leaves
#: them.
_SWALLOWING = (f"{os.sep}cairocffi{os.sep}", f"{os.sep}cffi{os.sep}")

#: the import machinery: an interrupt raised while a module runs its top level leaves a
#: half-made module that other modules already hold (weasyprint.html without its
#: functions), and every later build in this process would fail on it
_IMPORTING = "<frozen importlib._bootstrap"

#: how soon a deferred interrupt is tried again
_RETRY = 0.02


class Terminated(BaseException):  # named like KeyboardInterrupt
    """SIGTERM, raised like Ctrl-C so that every cleanup on the way out runs.

    Not a KeyboardInterrupt: typer would turn that into exit code 130.
    """


#: the interrupt raised and not yet seen to end the command: one raised where an extension
#: swallowed it (pydantic's core validating a pattern) is raised again before any line is said
_pending: list[type[BaseException]] = []
#: set while interrupts wait (`holding`): a build between committing its outputs and saving
#: their records
_held: list[bool] = []


def inside_swallowing(frame: FrameType | None) -> bool:
    """Whether an interrupt raised in `frame` would be lost (a C callback) or would break
    the process (an import): it then waits until the command leaves them."""
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(_IMPORTING) or any(part in name for part in _SWALLOWING):
            return True
        frame = frame.f_back
    return False


def deliver(kind: type[BaseException], frame: FrameType | None) -> None:
    """Raise `kind` in `frame`, the frame a signal handler was given; inside a C callback or
    an import, tried again shortly (SIGALRM) rather than raised where it would be lost."""
    _pending[:] = [kind]
    if _held:
        return  # raised when the hold ends (holding)
    if inside_swallowing(frame):
        signal.setitimer(signal.ITIMER_REAL, _RETRY)
        return
    raise kind


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    deliver(KeyboardInterrupt, frame)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    deliver(Terminated, frame)


def _on_retry(signum: int, frame: FrameType | None) -> None:
    if _pending:
        deliver(_pending[0], frame)


def _unraisable(hook: Any) -> Any:
    def quiet(unraisable: Any) -> None:
        # an interrupt an extension swallowed is raised again (raise_pending), not printed
        if not issubclass(unraisable.exc_type, (KeyboardInterrupt, Terminated)):
            hook(unraisable)

    return quiet


def install() -> dict[int, Any]:
    """Ctrl-C raises KeyboardInterrupt and SIGTERM Terminated, each deferred while a C
    callback or an import runs; returns the handlers it replaced (restore)."""
    _pending.clear()
    _held.clear()
    previous: dict[int, Any] = {
        signal.SIGINT: signal.signal(signal.SIGINT, _on_sigint),
        signal.SIGTERM: signal.signal(signal.SIGTERM, _on_sigterm),
        signal.SIGALRM: signal.signal(signal.SIGALRM, _on_retry),
    }
    sys.unraisablehook = _unraisable(sys.__unraisablehook__)
    return previous


def restore(previous: dict[int, Any]) -> None:
    """The handlers install replaced, put back (a command run in-process: tests)."""
    signal.setitimer(signal.ITIMER_REAL, 0)
    for signum, handler in previous.items():
        signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
    sys.unraisablehook = sys.__unraisablehook__
    _pending.clear()


def hold() -> None:
    """Ctrl-C and SIGTERM wait from here until `unhold`, then are raised: what lies between
    cannot be undone and must not be left halfway (a build whose outputs are committed,
    saving their records: stopped there, it left every output new beside the records of
    the build before, and the next build made everything again)."""
    _held.append(True)


def unhold() -> None:
    """The end of a `hold`: an interrupt that came meanwhile is raised now."""
    if _held:
        _held.pop()
    if not _held:
        raise_pending()


def raise_pending() -> None:
    """Raise an interrupt an extension swallowed (it printed nothing and went on, perhaps
    with a false error of its own): before a command says anything, and before it ends;
    while interrupts are held, at the hold's end (unhold)."""
    if _pending and not _held:
        raise _pending[0]


def pending() -> type[BaseException] | None:
    """The interrupt raised and not seen since: an exception it turned into on its way out
    of an extension (pydantic's SchemaError around a KeyboardInterrupt) is that interrupt."""
    return _pending[0] if _pending else None


def clear() -> None:
    """The pending interrupt was handled (serve stopped by Ctrl-C): nothing to raise again."""
    _pending.clear()

"""The one exception base for a located build fault: any render-time fault becomes one line."""

from __future__ import annotations

from pathlib import Path

from salesplay.diagnostics import Diagnostic, Location, Severity, Subject

__all__ = ["BuildFault", "Subject"]


class BuildFault(Exception):
    """A located error found while rendering (template, deck master, PDF, kit, writer).

    `subject` names the entity it is about, as data, so that nothing parses the message.
    """

    def __init__(self, loc: Location, message: str, subject: Subject | None = None) -> None:
        super().__init__(message)
        self.loc = loc
        self.subject = subject

    def diagnostic(self, code: str = "build") -> Diagnostic:
        """The fault as the one located error line a build prints."""
        return Diagnostic(self.loc, Severity.ERROR, str(self), code, self.subject)

    @classmethod
    def of(cls, exc: Exception, where: Path, subject: Subject | None = None) -> BuildFault:
        """A fault that knows its place (templates) keeps it; others are put at `where`."""
        if isinstance(exc, BuildFault):
            return exc
        if isinstance(exc, OSError) and exc.filename:
            return cls(Location(Path(exc.filename), 0, 0), f"cannot write: {exc.strerror}")
        loc = getattr(exc, "loc", None)
        return cls(loc if isinstance(loc, Location) else Location(where, 0, 0), str(exc), subject)

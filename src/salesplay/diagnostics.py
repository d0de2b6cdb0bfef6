"""Located diagnostics: collection, suggestions and compiler-style formatting."""

from __future__ import annotations

import difflib
import functools
import json
import os
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from salesplay import interrupts


class Severity(StrEnum):
    """How bad a diagnostic is; errors fail the run, warnings only with --strict."""

    ERROR = "error"
    WARNING = "warning"


#: (kind, id) of the catalog entity a diagnostic is about, e.g. ("play", "x"); ("term", w)
#: for an undefined jargon word.
Subject = tuple[str, str]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and column are 1-based (0 when unknown)."""

    file: Path
    line: int = 1
    col: int = 1


@dataclass(frozen=True)
class Diagnostic:
    """One located message, with the entity it is about as data (never parsed from text).

    Plain data (paths, strings, ints), so it crosses from a forked worker and into records.
    """

    loc: Location
    severity: Severity
    message: str
    code: str
    subject: Subject | None = None

    def __post_init__(self) -> None:
        # a message is one line: a quoted value holding a line break (a YAML flow list
        # with "\r\r" in an id) is written with the break escaped, never split
        if "\n" in self.message or "\r" in self.message:
            one = self.message.replace("\r", "\\r").replace("\n", "\\n")
            object.__setattr__(self, "message", one)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        # the absolute path: warnings kept from an earlier build are recorded absolute, and
        # must sort (and de-duplicate) among this build's as a clean build's own would
        where = str(self.loc.file.absolute())
        return (where, self.loc.line, self.loc.col, self.severity.value, self.message)

    def format(self, cwd: Path | None = None) -> str:
        # col 0: a place known only to the line (templates), line 0: the whole file.
        where = display_path(self.loc.file, cwd)
        if self.loc.line:
            where += f":{self.loc.line}" + (f":{self.loc.col}" if self.loc.col else "")
        # one line whatever a file's name holds (`plays/$'a\nb'.yaml`, an ESC sequence)
        return one_line(f"{where}: {self.severity.value}: {self.message}")

    def as_dict(self, cwd: Path | None = None) -> dict[str, object]:
        return {
            "file": display_path(self.loc.file, cwd),
            "line": self.loc.line,
            "column": self.loc.col,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "subject": _subject_dict(self.subject),
        }

    def to_record(self) -> dict[str, object]:
        """As kept between builds: the path absolute, shown later relative to that build's cwd."""
        return self.as_dict() | {"file": str(self.loc.file.absolute())}

    @classmethod
    def from_record(cls, raw: Mapping[str, object]) -> Diagnostic:
        """What `to_record` kept; a malformed record raises ValueError, TypeError or KeyError."""
        subject = raw["subject"]
        if subject is not None:
            if not isinstance(subject, Mapping):
                raise TypeError("subject")
            subject = (_text(subject["kind"]), _text(subject["id"]))
        return cls(
            Location(Path(_text(raw["file"])), _int(raw["line"]), _int(raw["column"])),
            Severity(_text(raw["severity"])),
            _text(raw["message"]),
            _text(raw["code"]),
            subject,
        )


def one_line(text: str) -> str:
    """`text` on one line: a control character, line break or paragraph separator in it (a
    file's name, an argument a user typed: `salesplay kit $'blue\\nriver'`) is written
    escaped, as Python writes it."""
    if text.isprintable():
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp")
        else ch
        for ch in text
    )


def _subject_dict(subject: Subject | None) -> dict[str, str] | None:
    return None if subject is None else {"kind": subject[0], "id": subject[1]}


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def display_path(path: Path, cwd: Path | None = None) -> str:
    """Path relative to the working directory when it lies below it, else as given."""
    return _display(str(path), str(cwd or Path.cwd()))


@functools.lru_cache(maxsize=8192)
def _display(path: str, base: str) -> str:
    # a report names the same thousand files in every build of a serve session
    try:
        rel = os.path.relpath(path, base)
    except ValueError:
        return path
    return path if rel.startswith("..") and os.path.isabs(path) else rel


@dataclass
class Reporter:
    """Gathers every diagnostic of a run; nothing stops at the first error."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, loc: Location, message: str, code: str, subject: Subject | None = None) -> None:
        self.diagnostics.append(Diagnostic(loc, Severity.ERROR, message, code, subject))

    def warning(
        self, loc: Location, message: str, code: str, subject: Subject | None = None
    ) -> None:
        self.diagnostics.append(Diagnostic(loc, Severity.WARNING, message, code, subject))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    def has_errors(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self, strict: bool = False) -> list[Diagnostic]:
        """De-duplicated, sorted by file and line; warnings become errors under --strict."""
        return sort_diagnostics(self.diagnostics, strict)


def sort_diagnostics(diags: Iterable[Diagnostic], strict: bool = False) -> list[Diagnostic]:
    """De-duplicated, sorted by file and line; warnings become errors under --strict."""
    seen: dict[tuple[str, int, int, str, str], Diagnostic] = {}
    for d in diags:
        if strict and d.severity is Severity.WARNING:
            d = replace(d, severity=Severity.ERROR)
        seen.setdefault(d.sort_key(), d)
    return [seen[k] for k in sorted(seen)]


def format_text(diags: Iterable[Diagnostic], cwd: Path | None = None) -> str:
    # an interrupt an extension swallowed may have made an error of its own (a logo that
    # "cannot be drawn"): it ends the command before a line is said
    interrupts.raise_pending()
    return "".join(d.format(cwd) + "\n" for d in diags)


def format_json(diags: Iterable[Diagnostic], cwd: Path | None = None) -> str:
    return json.dumps([d.as_dict(cwd) for d in diags], indent=2, ensure_ascii=False) + "\n"


def summary(diags: list[Diagnostic]) -> str:
    n_err = sum(d.severity is Severity.ERROR for d in diags)
    n_warn = len(diags) - n_err
    return f"{n_err} error{'s' * (n_err != 1)}, {n_warn} warning{'s' * (n_warn != 1)}"


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate `did_you_mean` suggests for `word`, or None when none is close: one
    that differs only in case first (`GA` → `ga`, `PUBLIC` → `public`), which difflib
    scores as far apart as two unrelated words."""
    pool = sorted(set(candidates))
    folded: dict[str, str] = {}
    for candidate in pool:
        folded.setdefault(candidate.casefold(), candidate)
    same = folded.get(word.casefold())
    if same is not None and same != word:
        return same
    match = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if match:
        return match[0]
    near = difflib.get_close_matches(word.casefold(), sorted(folded), n=1, cutoff=0.6)
    return folded[near[0]] if near else None


def edit_distance(a: str, b: str) -> int:
    """Edits (a letter changed, added, dropped, or two neighbours swapped) from a to b."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest candidate, or '' when none is close."""
    match = closest(word, candidates)
    return f" (did you mean '{match}'?)" if match else ""


#: ids listed by name after "unknown …" when there are at most this many; past it, counted.
LISTED_IDS = 8


def unknown_id(kind: str, word: str, candidates: Iterable[str], folder: str) -> str:
    """ "unknown partner 'x' (did you mean 'y'?)"; with nothing close, where such ids come
    from and which there are ("… a partner is named by its file under partners/: a, b")."""
    names = sorted(set(candidates))
    close = did_you_mean(word, names)
    if close:
        return f"unknown {kind} '{word}'{close}"
    if not names:
        return f"unknown {kind} '{word}': the catalog has none (files under {folder}/)"
    listed = ", ".join(names) if len(names) <= LISTED_IDS else f"{len(names)} of them"
    return f"unknown {kind} '{word}': a {kind} is named by its file under {folder}/ ({listed})"


def shortened(text: str, limit: int = 40) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with '…' if cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut.strip():
        # the cut fell inside a word: end at the word before it
        cut = cut[: cut.rstrip().rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"

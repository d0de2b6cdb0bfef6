"""Which characters the installed fonts can draw: a text's character that none has is a box."""

from __future__ import annotations

import bisect
import functools
import shutil
import subprocess
import unicodedata

#: characters every output's fonts draw (Latin, its punctuation and symbols): a catalog
#: written in them asks fontconfig nothing
_PLAIN = frozenset(chr(c) for c in range(0x20, 0x250)) | frozenset(
    chr(c) for c in range(0x2000, 0x2070)
)
#: characters no font need draw: they are no glyph (spaces, line breaks, joiners, marks of
#: direction) or a variation of the one before
_UNDRAWN = frozenset({"Cc", "Cf", "Zl", "Zp", "Zs"})


class Coverage:
    """The union of the characters of every font fontconfig lists (`fc-list`), as sorted
    ranges; None where fontconfig's tools are missing (then nothing is said)."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self.starts = [start for start, _ in ranges]
        self.ends = [end for _, end in ranges]

    def has(self, char: str) -> bool:
        code = ord(char)
        at = bisect.bisect_right(self.starts, code) - 1
        return at >= 0 and code <= self.ends[at]


@functools.cache
def installed() -> Coverage | None:
    """What the installed fonts cover, read once a process (25 ms for 326 fonts)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        done = subprocess.run(
            [fc_list, "--format", "%{charset}\\n"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    ranges = []
    for word in done.stdout.decode("ascii", "replace").split():
        first, _, last = word.partition("-")
        try:
            ranges.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return Coverage(merged)


def undrawable(text: str, coverage: Coverage) -> list[str]:
    """The characters of `text` that no installed font draws, each once, in order."""
    found: dict[str, None] = {}
    for char in text:
        if char in _PLAIN or char in found:
            continue
        if unicodedata.category(char) in _UNDRAWN:
            continue
        if "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef":
            continue  # variation selectors: a form of the character before
        if not coverage.has(char):
            found[char] = None
    return list(found)


def plain(text: str) -> bool:
    """Whether every character of `text` is one every output's fonts draw (no lookup)."""
    return all(char in _PLAIN or char in "\n\t" for char in text)

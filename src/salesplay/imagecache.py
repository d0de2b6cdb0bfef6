"""Decoded catalog images kept by content digest under build/.salesplay/: each decoded once."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from salesplay import jsonfile
from salesplay.images import PUBLISH_SIDE, Checked, ImageError, check_image, png_size

#: where a build keeps the images it decoded, relative to --out.
FOLDER = ".salesplay/images"
#: a cached entry is the PNG salesplay publishes: never larger than this.
_LIMIT = 16 << 20


@dataclass
class ImageCache:
    """`check_image` with memory: the same bytes (and suffix) are decoded once per build folder.

    Reads entries an earlier build left under `out` (never following a link), each once;
    the build saves the new ones (`pending`) once it has written its outputs. A missing, corrupt or
    implausible entry is decoded again, so the cache can only save time, never change a
    result: an entry is the publishable PNG and its sizes, re-checked when read.
    `out=None` keeps everything in memory (`salesplay check`).
    """

    out: Path | None = None
    #: workers `prefetch` may fork (1: decode in this process, as `check` goes).
    jobs: int = 1
    #: images decoded in this run, by cache name, not yet saved (encoded when saved: a
    #: `check` that saves nothing never encodes an SVG's PNG).
    new: dict[str, Checked] = field(default_factory=dict)
    #: every cache name this run used (the rest of the folder may go).
    used: set[str] = field(default_factory=set)
    #: whether the entries will be saved (a build); False for the commands that write nothing,
    #: whose workers then send back what they checked without the PNG
    saves: bool = True
    #: whether every image checked will have its PNG asked for (a build publishes each
    #: logo): an SVG is then drawn once, not drawn to check and drawn again to publish
    publishes: bool = False
    #: checked images a long-lived process kept from its earlier builds (memo.Memo.images),
    #: shared and added to; None: none
    memory: dict[str, Checked] | None = None
    #: entries of `new` a worker already encoded, so that saving does not encode them again.
    _encoded: dict[str, bytes] = field(default_factory=dict, init=False, repr=False)
    #: entries read from `out` (None: none there), so that nothing is read twice.
    _read_ones: dict[str, bytes | None] = field(default_factory=dict, init=False, repr=False)

    def check(self, data: bytes, suffix: str, side: int = PUBLISH_SIDE) -> Checked:
        """What images.check_image(data, suffix, side=side) returns; ImageError when it
        raises."""
        name = self._name(data, suffix, side)
        self.used.add(name)
        if self.memory is not None and name in self.memory:
            return self.memory[name]
        checked = self.new.get(name)
        if checked is None:
            blob = self._read(name)
            checked = None if blob is None else _decode_entry(blob, side)
        if checked is None:
            checked = check_image(data, suffix, publish=self.publishes, side=side)
            self.new[name] = checked
        if self.memory is not None:
            self.memory[name] = checked
        return checked

    def prefetch(self, files: Sequence[tuple[bytes, str]], side: int = PUBLISH_SIDE) -> None:
        """Decode on `jobs` forked workers the (bytes, suffix) not yet known, so that the
        `check(…, side)` calls that follow find them; a failure is left for `check` to
        report."""
        todo: dict[str, tuple[bytes, str]] = {}
        for data, suffix in files:
            name = self._name(data, suffix, side)
            known = name in self.new or name in todo or name in (self.memory or {})
            if not known and self._read(name) is None:
                todo[name] = (data, suffix)
        if self.jobs <= 1 or len(todo) < 2:
            return
        from salesplay.engine.fork import WorkerError, forked_map

        names = sorted(todo)
        files = [todo[n] for n in names]
        try:
            with closing(
                forked_map(partial(_decoder, files, self.saves, side), len(names), self.jobs)
            ) as results:
                for index, entry in results:
                    if entry is None:
                        continue
                    if self.saves:
                        decoded = _decode_entry(entry, side)
                    else:
                        decoded = _decode_head(entry, partial(_publish, *files[index], side))
                    if decoded is not None:
                        self.new[names[index]] = decoded
                        if self.saves:  # saved as the worker encoded it, not encoded again
                            self._encoded[names[index]] = entry
        except WorkerError:
            return  # each image is decoded again, in this process, by `check`

    def _name(self, data: bytes, suffix: str, side: int = PUBLISH_SIDE) -> str:
        from salesplay.engine.records import key_of

        key = key_of("image", checker(), suffix.lower(), side, data)
        return f"{FOLDER}/{key}.bin"

    def _read(self, name: str) -> bytes | None:
        if name not in self._read_ones:
            self._read_ones[name] = self._read_file(name)
        return self._read_ones[name]

    def _read_file(self, name: str) -> bytes | None:
        if self.out is None:
            return None
        from salesplay.write import read_output

        try:
            return read_output(self.out, name, limit=_LIMIT)
        except (OSError, ValueError):
            return None

    def pending(self) -> Iterable[tuple[str, bytes]]:
        """New entries to save: (name under --out, bytes)."""
        return [
            (name, self._encoded.get(name) or _encode_entry(checked))
            for name, checked in sorted(self.new.items())
        ]


@functools.cache
def checker() -> str:
    """The digest of the checks an entry passed (images.py): an entry an earlier salesplay
    kept passed its checks, not these, and a logo they now refuse (an SVG's Arabic text)
    was let through by the build folder's cache."""
    from salesplay import images

    return hashlib.sha256(Path(images.__file__).read_bytes()).hexdigest()


@contextmanager
def _decoder(
    files: Sequence[tuple[bytes, str]], whole: bool, side: int
) -> Iterator[Callable[[int], bytes | None]]:
    def decode(index: int) -> bytes | None:
        try:
            checked = check_image(*files[index], publish=whole, side=side)
        except ImageError:
            return None
        return _encode_entry(checked) if whole else _head(checked)

    yield decode


def _publish(data: bytes, suffix: str, side: int) -> bytes:
    # a worker checked these bytes and sent back no PNG: made here if ever asked for
    return check_image(data, suffix, publish=True, side=side).png


def _head(checked: Checked) -> bytes:
    sizes = {
        "format": checked.format,
        "size": checked.size,
        "png_size": checked.png_size,
        "faint": checked.faint,
    }
    return json.dumps(sizes, sort_keys=True).encode()


def _decode_head(head: bytes, publish: Callable[[], bytes]) -> Checked | None:
    """What a worker checked (`_head`), with `publish` to make its PNG when asked for."""
    try:
        kind, size, shown, pale = _sizes(jsonfile.loads(head))
    except (ValueError, KeyError, TypeError, IndexError, OverflowError):
        return None
    return Checked(kind, size, publish, shown, faint=pale)


def _sizes(meta: Any) -> tuple[str, tuple[int, int], tuple[int, int], bool]:
    """An entry's format, natural size, PNG size and whether it is faint (KeyError,
    TypeError… when it has none)."""
    size = (int(meta["size"][0]), int(meta["size"][1]))
    shown = (int(meta["png_size"][0]), int(meta["png_size"][1]))
    pale = meta["faint"]
    if not isinstance(pale, bool):
        raise TypeError("faint is not true or false")
    return str(meta["format"]), size, shown, pale


def _encode_entry(checked: Checked) -> bytes:
    head = {
        "format": checked.format,
        "size": checked.size,
        "png_size": checked.png_size,
        "faint": checked.faint,
        "sha256": checked.digest,
    }
    return json.dumps(head, sort_keys=True).encode() + b"\n" + checked.png


def _decode_entry(blob: bytes, side: int = PUBLISH_SIDE) -> Checked | None:
    """An entry back, or None when it is not one salesplay could have written for `side`."""
    head, _, png = blob.partition(b"\n")
    try:
        meta = jsonfile.loads(head)
        kind, size, shown, pale = _sizes(meta)
        digest = hashlib.sha256(png).hexdigest()
        whole = meta["sha256"] == digest
    except (ValueError, KeyError, TypeError, IndexError, OverflowError):
        return None
    if not whole:  # a truncated or altered entry
        return None
    # the PNG must be what its header says and no larger than salesplay publishes
    if png_size(png) != shown or max(shown) > side or min(shown) < 1:
        return None
    if kind not in ("PNG", "JPEG", "GIF", "WEBP", "SVG"):
        return None
    return Checked(kind, size, png, shown, digest, pale)

"""Cache files under build/.salesplay/: blobs kept with a digest that names the file."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from salesplay import jsonfile

if TYPE_CHECKING:
    from salesplay.engine.units import Kept

#: the kits' cache (families.kits): cards, decks, fonts, co-brand bases, bands
CACHE = ".salesplay/cache"
#: cache files of blobs: MAGIC, a JSON line {"sizes", "sha256"}, then the blobs end to end
BLOBS = ".blobs"
_MAGIC = b"salesplay cache blobs 1\n"


def read_blobs(out: Path, name: str) -> list[bytes] | None:
    """The blobs of cache file `name`; None when it is missing, damaged or not for `name`.

    The build folder is the user's: its bytes are checked against the SHA-256 kept with
    them (which names the file too, so that a file copied under another name is refused);
    nothing in it is unpickled or run."""
    from salesplay.write import read_output

    try:
        data = read_output(out, name, limit=256 << 20)
    except (OSError, ValueError):
        return None
    return blobs_of(name, data)


def blobs_of(name: str, data: bytes) -> list[bytes] | None:
    """The blobs of the bytes of cache file `name` (see read_blobs)."""
    try:
        if not data.startswith(_MAGIC):
            return None
        header, _, body = data[len(_MAGIC) :].partition(b"\n")
        about = jsonfile.loads(header)
        sizes, digest = about["sizes"], about["sha256"]
        if not (
            isinstance(sizes, list)
            and all(type(n) is int and n >= 0 for n in sizes)
            and sum(sizes) == len(body)
            and digest == _digest(name, body)
        ):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    blobs, start = [], 0
    for size in sizes:
        blobs.append(body[start : start + size])
        start += size
    return blobs


def store_blobs(out: Path, name: str, blobs: Sequence[bytes]) -> None:
    """Keep `blobs` as cache file `name`."""
    # a blobs file is checked against its digest when read: it need not wait for the disk
    store(out, name, blob_file(name, blobs), durable=False)


def stage_blobs(out: Path, name: str, blobs: Sequence[bytes]) -> str | None:
    """Keep `blobs` as cache file `name` where a unit is made (write.stage_cache): the
    name of the temporary file staged beside it, for the build to rename in with the
    unit's output (engine.units.Kept.staged); None when the file holds them already or
    cannot be written (a cache not kept only costs time)."""
    from salesplay.write import stage_cache

    try:
        return stage_cache(out, name, blob_file(name, blobs))
    except (OSError, ValueError):
        return None


def write_kept(out: Path, kept: Kept) -> None:
    """Write the cache files a make kept for its output, put those it staged in place,
    then remove the output's others (those under `kept.prefix` it did not use)."""
    from salesplay.write import commit_cache, drop_cached

    for name, data in kept.files:
        # checked against their digest when read: they need not wait for the disk
        store(out, name, data, durable=False)
    for name, temp in kept.staged:
        with contextlib.suppress(OSError, ValueError):  # left to the sweep: it costs time
            commit_cache(out, name, temp)
    if not kept.prefix:
        return  # none to remove
    folder, _, start = kept.prefix.rpartition("/")
    try:
        names = sorted(p.name for p in (out / folder).iterdir())
    except OSError:
        return
    for name in names:
        rel = f"{folder}/{name}"
        if name.startswith(start) and rel not in kept.used:
            drop_cached(out, rel)


def store(out: Path, name: str, data: bytes, *, durable: bool = True) -> None:
    """Keep `data` as cache file `name`; a cache that cannot be written only costs time."""
    from salesplay.write import write_output

    with contextlib.suppress(OSError, ValueError):
        write_output(out, name, data, durable=durable)


def blob_file(name: str, blobs: Sequence[bytes]) -> bytes:
    """The bytes of cache file `name` holding `blobs` (see read_blobs)."""
    body = b"".join(blobs)
    about = {"sizes": [len(b) for b in blobs], "sha256": _digest(name, body)}
    return _MAGIC + json.dumps(about).encode() + b"\n" + body


def _digest(name: str, body: bytes) -> str:
    return hashlib.sha256(name.encode() + b"\0" + body).hexdigest()

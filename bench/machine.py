"""How fast this machine is this hour: memory copy, fresh pages, and the interpreter's loop."""

from __future__ import annotations

import mmap
import time
from dataclasses import dataclass

#: bytes copied and touched: past any CPU cache, as a build's documents and kits are
_SIZE = 256 << 20
_PAGE = 4096


@dataclass(frozen=True)
class Speed:
    """Three figures that move with the hour on a shared machine, where the same build's
    CPU time varied from 100 to 206 s (README: The machine's hour)."""

    #: GB/s of one memory-to-memory copy of 128 MB (the build copies kits and pages)
    copy_gbs: float
    #: microseconds to fault in one fresh page (every new process and buffer pays it)
    fault_us: float
    #: milliseconds of CPU for sum(range(100_000)) in this interpreter (cache-resident)
    loop_ms: float

    def __str__(self) -> str:
        return (
            f"memory copy {self.copy_gbs:.2f} GB/s, a fresh page {self.fault_us:.2f} µs,"
            f" interpreter loop {self.loop_ms:.3f} ms"
        )


def measure() -> Speed:
    """About two seconds on one CPU."""
    start = time.process_time()
    loops = 0
    while time.process_time() - start < 1.0:
        sum(range(100_000))
        loops += 1
    loop_ms = (time.process_time() - start) * 1000 / loops
    fresh = mmap.mmap(-1, _SIZE)
    start = time.perf_counter()
    for offset in range(0, _SIZE, _PAGE):
        fresh[offset] = 1
    fault_us = (time.perf_counter() - start) / (_SIZE // _PAGE) * 1e6
    buffer = bytearray(_SIZE)
    buffer[:] = fresh  # every page present before the copy is timed
    fresh.close()
    view, half = memoryview(buffer), _SIZE // 2
    start = time.perf_counter()
    for _ in range(3):
        buffer[:half] = view[half:]
    copy_gbs = 3 * half / (time.perf_counter() - start) / 1e9
    return Speed(copy_gbs, fault_us, loop_ms)


if __name__ == "__main__":
    print(measure())

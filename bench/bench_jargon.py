"""Benchmark: the jargon lint on hostile fields of 20 KB and 200 KB; linear work gives a ratio ~10."""

from __future__ import annotations

import time

from salesplay.jargon import acronyms

#: shapes that made the old URL/e-mail regex rescan to the end of the field from every position.
SHAPES = {
    "one long word": "a",
    "e-mail-ish word": "a.b+c-",
    "open tags": "<",
    "open links": "](",
    "bare @": "a@",
    "undotted domains": "a@b-c ",
    "URLs over links": "http://]( ",
    "acronyms": "XYZ ",
}


def seconds(unit: str, size: int) -> float:
    text = (unit * (size // len(unit) + 1))[:size]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sum(1 for _ in acronyms(text))
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    print(f"{'shape':<18} {'20 KB':>9} {'200 KB':>9} {'ratio':>6}")
    for name, unit in SHAPES.items():
        small, large = seconds(unit, 20_000), seconds(unit, 200_000)
        print(f"{name:<18} {small * 1e3:7.1f}ms {large * 1e3:7.1f}ms {large / small:6.1f}")


if __name__ == "__main__":
    main()

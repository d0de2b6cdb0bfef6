"""Write the README's "What you get" table from the registry of output families."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from salesplay.families import TABLE_END, TABLE_START, readme_table

README = Path(__file__).resolve().parent.parent / "README.md"


def with_table(text: str) -> str:
    """`text` (the README) with the table between its markers made anew."""
    head, start, rest = text.partition(TABLE_START)
    _, end, tail = rest.partition(TABLE_END)
    if not start or not end:
        raise SystemExit(f"README.md: the markers {TABLE_START!r} and {TABLE_END!r} are missing")
    return f"{head}{start}\n{readme_table()}\n{end}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the table is not current")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    made = with_table(text)
    if args.check:
        if made != text:
            print("README.md: the families table is out of date: run make readme", file=sys.stderr)
            return 1
        return 0
    if made != text:
        README.write_text(made, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

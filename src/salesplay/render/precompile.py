"""`python -m salesplay.render.precompile`: compile the theme's templates, cut the band fonts."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from salesplay.engine.records import key_of
from salesplay.render import shelf
from salesplay.render.band import BandFonts
from salesplay.render.templates import make_env
from salesplay.render.theme import THEME_DIR


def theme_pages() -> list[str]:
    """The built-in theme's templates, by the names pages load them with."""
    return sorted(
        p.relative_to(THEME_DIR).as_posix()
        for p in THEME_DIR.rglob("*.html")
        if p.is_file() and not p.is_symlink()
    )


def compile_theme(path: Path = shelf.SHELF) -> int:
    """Compile every built-in template as a build loads it, by its own name, and keep the
    bytecode at `path`; how many. (An override's `default/NAME` loads the built-in with
    the override's macros left out, another source, compiled where it is used.)"""
    store: dict[str, bytes] = {}
    env = make_env(None, compiled=store)
    for name in theme_pages():
        env.get_template(name)
    shelf.keep(store, path)
    return len(store)


def cut_band_fonts(path: Path = shelf.FONTS) -> int:
    """Cut the band's fonts and make their common subsets, as a kit build would, and keep
    them at `path` by the key a build's memo looks them up with; how many fonts."""
    store: dict[str, list[bytes]] = {}

    def memo(parts: tuple[object, ...], make: Callable[[], list[bytes]]) -> list[bytes]:
        # make() takes what a shelf made for this same code holds, and cuts the rest
        return store.setdefault(key_of(*parts), make())

    BandFonts.load_warmed(memo)
    shelf.keep_band_fonts(store, path)
    return len(store)


def main() -> int:
    count = compile_theme()
    print(f"compiled {count} theme templates into {shelf.SHELF}", file=sys.stderr)
    fonts = cut_band_fonts()
    print(f"cut {fonts} band fonts into {shelf.FONTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""WeasyPrint and CairoSVG imported with one `ldconfig -p` instead of a score of gcc, ld and
ldconfig runs (gcc's leaving a temporary file when killed), and the same libraries opened."""

from __future__ import annotations

import ctypes.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from salesplay import nativelibs

PROBE = """
import json, subprocess, sys
spawned = []
real = subprocess.Popen.__init__
def counting(self, args, *a, **k):
    spawned.append(args[0] if isinstance(args, (list, tuple)) else args)
    real(self, args, *a, **k)
subprocess.Popen.__init__ = counting
if sys.argv[1] == "quick":
    from salesplay.render import weasy
    weasy.load()
elif sys.argv[1] == "svg":
    from salesplay.images import _draw_svg
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
    assert _draw_svg(svg, 4, 4, encode=True)[0][1:4] == b"PNG"
elif sys.argv[1] == "cairosvg":
    import cairosvg.surface
else:
    import weasyprint
import ctypes.util
with open("/proc/self/maps") as maps:
    libs = sorted({line.split("/")[-1].strip() for line in maps if ".so" in line})
print(json.dumps({
    "spawned": spawned,
    "libs": [lib for lib in libs if lib.startswith(("libpango", "libharfbuzz", "libgobject",
                                                     "libfontconfig", "libcairo"))],
    "restored": ctypes.util.find_library.__module__ == "ctypes.util",
}))
"""


def _probe(how: str, temp: Path | None = None) -> dict[str, object]:
    env = None if temp is None else {**os.environ, "TMPDIR": str(temp)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, how], capture_output=True, text=True, check=True, env=env
    )
    found: dict[str, object] = json.loads(done.stdout)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's library search")
def test_weasyprint_loads_the_same_libraries_with_one_search() -> None:
    plain, quick = _probe("plain"), _probe("quick")
    assert quick["libs"] == plain["libs"]
    assert any(str(lib).startswith("libharfbuzz-subset") for lib in quick["libs"])  # type: ignore[attr-defined]
    assert len(plain["spawned"]) > 5  # type: ignore[arg-type]  # what it costs without
    assert quick["spawned"] == ["/sbin/ldconfig"]
    assert quick["restored"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's library search")
@pytest.mark.parametrize("name", ["c", "m", "pango-1.0", "harfbuzz", "fontconfig", "no-such-lib"])
def test_a_name_is_found_as_ldconfig_finds_it(name: str) -> None:
    listing = nativelibs._ldconfig()
    assert listing is not None
    expected = ctypes.util._findSoname_ldconfig(name)  # type: ignore[attr-defined]
    assert nativelibs._soname(listing, name) == expected


def test_without_ldconfig_the_search_is_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(nativelibs, "_ldconfig", lambda: None)
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: asked.append(name) or "x.so")
    real = ctypes.util.find_library
    with nativelibs.searched_once():
        assert ctypes.util.find_library("pango-1.0") == "x.so"
    assert asked == ["pango-1.0"] and ctypes.util.find_library is real


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's library search")
def test_cairosvg_loads_cairo_with_one_search_and_no_compiler(tmp_path: Path) -> None:
    """Drawing an SVG logo imports CairoSVG, whose cairo look-up would run gcc twice, each
    with a temporary file in the system's temp folder (left there by a build killed
    meanwhile): it reads one ldconfig listing, and opens the same cairo."""
    (tmp_path / "plain").mkdir()
    (tmp_path / "quick").mkdir()
    plain, quick = _probe("cairosvg", tmp_path / "plain"), _probe("svg", tmp_path / "quick")
    assert len(plain["spawned"]) >= 3  # type: ignore[arg-type]  # ldconfig a name, gcc, ld
    assert quick["spawned"] == ["/sbin/ldconfig"]
    assert quick["libs"] == plain["libs"] and any(
        str(lib).startswith("libcairo.so")
        for lib in quick["libs"]  # type: ignore[attr-defined]
    )
    assert quick["restored"]
    assert list((tmp_path / "quick").iterdir()) == []

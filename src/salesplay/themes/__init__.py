"""The built-in theme shipped with salesplay, where every template and label lookup ends."""

from __future__ import annotations

from pathlib import Path

#: the built-in theme: templates, stylesheets, fonts, the deck master and label catalogs.
THEME_DIR = Path(__file__).resolve().parent / "default"

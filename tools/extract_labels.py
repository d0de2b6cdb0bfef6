"""Regenerate the theme's label catalogs: messages.pot from templates and sources, POs updated."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "salesplay"
THEME = SRC / "themes" / "default"
LOCALE_DIR = THEME / "locale"
POT = LOCALE_DIR / "messages.pot"

#: what marks a label in Python: gettext's names, N_() for a label shown elsewhere, and `tr`,
#: the name render code gives an edition's `labels.gettext`.
PY_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "tr": None}
#: as render/templates.make_env parses templates, so {% trans %} msgids match at run time.
JINJA_OPTIONS = {
    "extensions": "jinja2.ext.i18n",
    "trim_blocks": "true",
    "lstrip_blocks": "true",
    "newstyle_gettext": "true",
}


def _sources() -> Iterator[tuple[Path, str]]:
    for path in sorted(THEME.rglob("*.html")):
        yield path, "jinja2.ext:babel_extract"
    for path in sorted(SRC.rglob("*.py")):
        yield path, "python"


def template() -> Catalog:
    """Every label msgid of the theme's templates and of salesplay's sources, in file order."""
    pot = Catalog(
        project="salesplay",
        msgid_bugs_address="",
        copyright_holder="salesplay",
        header_comment="# Built-in labels of salesplay's default theme (tools/extract_labels.py).",
        fuzzy=False,
    )
    for path, method in _sources():
        options = JINJA_OPTIONS if method != "python" else {}
        keywords = (
            PY_KEYWORDS if method == "python" else {"_": None, "gettext": None, "ngettext": (1, 2)}
        )
        with path.open("rb") as f:
            for lineno, message, comments, context in extract(
                method,
                f,
                keywords=keywords,
                options=options,
                comment_tags=("TRANSLATORS:",),
                strip_comment_tags=True,
            ):
                rel = path.relative_to(SRC).as_posix()
                pot.add(message, locations=[(rel, lineno)], auto_comments=comments, context=context)
    return pot


def _ids(catalog: Catalog) -> list[object]:
    return [m.id for m in catalog if m.id]


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a file would change")
    args = parser.parse_args(argv)
    pot = template()
    if POT.is_file():
        # the same labels give the same bytes: the creation date changes with the labels only
        with POT.open("rb") as f:
            old = read_po(f)
        if _ids(old) == _ids(pot):
            pot.creation_date = old.creation_date
    wanted = {POT: _po_bytes(pot)}
    for po_path in sorted(LOCALE_DIR.glob("*.po")):
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=po_path.stem)
        catalog.update(pot, no_fuzzy_matching=True)
        wanted[po_path] = _po_bytes(catalog)
    stale = [p for p, data in wanted.items() if not p.is_file() or p.read_bytes() != data]
    if args.check:
        for p in stale:
            print(
                f"{p.relative_to(ROOT)}: out of date (run tools/extract_labels.py)", file=sys.stderr
            )
        return 1 if stale else 0
    for p in stale:
        p.write_bytes(wanted[p])
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

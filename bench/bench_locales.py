"""Benchmark localized builds: the cost of each added locale, and a changed translation.

    .venv/bin/python bench/bench_locales.py [--small] [--every-partner-every-locale]

Generates the issue's catalog (the sample grown to 50 plays, 1,000 partners; see
catalog_gen.py) twice, in one run:

- source only: `locales` removed, no translations, partners' kits in the source locale;
- 3 locales (de, ja, ar): every text translated in every locale (PO files made by
  `salesplay i18n extract`, so their fingerprints are the real ones, then filled with
  "[de] <source text>"), and the partners spread over the four locales, every tier in
  each (a partner sells in one language; `--every-partner-every-locale` gives each partner a kit in
  every locale instead, four times the kits).

and times a cold `salesplay build --jobs 2` of each (a subprocess, start-up included). The
per-locale cost ratio is (3-locale time - source time) / 3 / source time: the target is
at most 1 (an added locale costs no more than the source locale's build). Then one
translation is changed in de.po (a play in the kits of every silver-or-better partner) and
the incremental build's rewritten files are listed: all must be in the de/ tree.
`--small` is a quick sanity run (10 plays, 100 partners); the target is for the full one.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalog_gen  # bench/ is on sys.path when a script in it runs
import prepared
from bench_build import AS_OF, KIT_PLAY, SALESPLAY, Run, build, changed

from salesplay.locales import delocalized

LOCALES = ("de", "ja", "ar")
#: the build's bookkeeping: not an output.
BOOKKEEPING = ".salesplay/"


def translate(root: Path, every_locale: bool) -> int:
    """Declare LOCALES, translate every text in each (extract, then fill every msgstr) and
    give the partners their kits' locales; the number of texts per locale."""
    import subprocess

    from babel.messages.pofile import read_po, write_po

    config = root / "catalog.yaml"
    text = re.sub(r"^locales:.*\n", "", config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(text + f"locales: [{', '.join(LOCALES)}]\n", encoding="utf-8")
    for po in (root / "translations").glob("*.po"):
        po.unlink()
    done = subprocess.run(
        [str(SALESPLAY), "i18n", "extract", "--catalog", str(root)],
        cwd=root.parent, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"extract failed:\n{done.stderr[-3000:]}")
    texts = 0
    for locale in LOCALES:
        path = root / "translations" / f"{locale}.po"
        with path.open("rb") as f:
            catalog = read_po(f)
        texts = 0
        for message in catalog:
            if message.context and isinstance(message.id, str):
                message.string = f"[{locale}] {message.id}"
                texts += 1
        with path.open("wb") as f:
            write_po(f, catalog, width=76)
    every = ("en", *LOCALES)
    tiers = len(catalog_gen.TIERS)  # partner n has tier n % tiers: each locale gets all tiers
    for n, path in enumerate(sorted((root / "partners").glob("*.yaml"))):
        locale = f"[{', '.join(every)}]" if every_locale else every[n // tiers % len(every)]
        body = path.read_text(encoding="utf-8").replace("audience: partner\n", "")
        path.write_text(f"{body}locale: {locale}\naudience: partner\n", encoding="utf-8")
    return texts


def edit_translation(root: Path, locale: str, context: str, new: str) -> None:
    """Give the translation of `context` in `locale` a new text (fingerprint unchanged)."""
    from babel.messages.pofile import read_po, write_po

    path = root / "translations" / f"{locale}.po"
    with path.open("rb") as f:
        catalog = read_po(f)
    hits = [m for m in catalog if m.context == context]
    assert len(hits) == 1, context
    hits[0].string = new
    with path.open("wb") as f:
        write_po(f, catalog, width=76)


def digests(out: Path) -> dict[str, str]:
    """Output path → SHA-256 of its bytes, without the bookkeeping."""
    found = {}
    for path in out.rglob("*"):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and not rel.startswith(BOOKKEEPING):
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def folders(rels: list[str]) -> Counter[str]:
    """How many of `rels` are in each (locale, top folder): 'de battlecards/'."""
    found: Counter[str] = Counter()
    for rel in rels:
        path, locale = delocalized(rel)
        top, sep, _ = path.partition("/")
        found[f"{locale or 'en'} {top}{sep}"] += 1
    return found


def outputs_line(run: Run) -> str:
    """'built N files' of a build's closing line."""
    return run.line.partition(" (")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--small", action="store_true", help="a quick sanity run")
    parser.add_argument(
        "--every-partner-every-locale",
        action="store_true",
        help="every partner takes a kit in every locale (default: one locale each)",
    )
    args = parser.parse_args()
    prepared.ensure()  # as `make` would: else every build compiles the theme itself
    plays, partners = (10, 100) if args.small else (50, 1000)
    with tempfile.TemporaryDirectory(prefix="bench-locales-") as tmp:
        base = Path(tmp)
        one, many = base / "one" / "plays", base / "many" / "plays"
        catalog_gen.generate(one, partners, plays=plays)
        catalog_gen.generate(many, partners, plays=plays, locales=True)
        texts = translate(many, args.every_partner_every_locale)
        print(f"generated {plays} plays, {partners} partners, {texts} texts per locale; "
              "cold builds…", file=sys.stderr)  # fmt: skip
        source = build(one, base / "one" / "build")
        print(f"source locale only: {source.seconds:.1f} s; 4 locales…", file=sys.stderr)
        localized = build(many, base / "many" / "build")
        print(f"4 locales: {localized.seconds:.1f} s; one translation edited…", file=sys.stderr)
        per_locale = (localized.seconds - source.seconds) / len(LOCALES)
        ratio = per_locale / source.seconds

        out = base / "many" / "build"
        before = digests(out)
        context = f"play:{KIT_PLAY}:summary"
        edit_translation(many, "de", context, "[de] Eine geänderte Übersetzung.")
        edited = build(many, out)
        after = digests(out)
        rewritten = sorted(rel for rel in after if before.get(rel) != after[rel])
        removed = sorted(set(before) - set(after))
        outside = [rel for rel in rewritten + removed if not rel.startswith("de/")]
        page = (out / "de" / "site" / "battlecards" / f"{KIT_PLAY}.html").read_text("utf-8")
        assert "Eine geänderte Übersetzung." in page, "the edit is not in its de card page"

    kits = "every partner every locale" if args.every_partner_every_locale else "one each"
    print(f"\ncatalog: {plays} plays, {partners} partners (kit locales: {kits}); "
          f"{os.cpu_count()} CPUs; as of {AS_OF}")  # fmt: skip
    print("| build | seconds | outputs | peak RSS MB |")
    print("|---|---:|---|---:|")
    for what, run in (("source locale only (en)", source),
                      (f"4 locales (en + {', '.join(LOCALES)})", localized),
                      (f"one de translation changed ({context})", edited)):  # fmt: skip
        print(f"| {what} | {run.seconds:.1f} | {outputs_line(run)}; {changed(run)} |"
              f" {run.rss_mb:.0f} |")  # fmt: skip
    verdict = "ok" if ratio <= 1.0 else "MISSED"
    print(f"\nper added locale: {per_locale:.1f} s = {ratio:.2f} × the source-locale build "
          f"(target ≤ 1): {verdict}")  # fmt: skip
    print(f"one changed translation rewrote {len(rewritten)} files, removed {len(removed)}: "
          + ", ".join(f"{n} {where}" for where, n in sorted(folders(rewritten).items())))  # fmt: skip
    print(f"outside de/: {len(outside)}" + (f", e.g. {', '.join(outside[:8])}" if outside else ""))
    if outside:
        raise SystemExit("a changed de translation rewrote outputs of another locale")


if __name__ == "__main__":
    main()
